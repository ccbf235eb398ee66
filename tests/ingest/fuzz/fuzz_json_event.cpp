// Fuzz target: one JSON document to an Event (normalize/json_event.h). Whatever the bytes, it
// either refuses with a validation error or keeps the raw text, stays within the field limit and
// names every field.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "normalize/json_event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::normalize::Event e;
  const vigil::normalize::JsonEventLimits limits{.maxBytes = 1 << 16, .maxDepth = 8, .maxFields = 64};
  const vigil::Status s = vigil::normalize::jsonToEvent(in, e, limits);
  if (!s.ok()) {
    if (s.error().code != vigil::ErrorCode::kValidation || s.error().message.empty()) std::abort();
    return 0;
  }
  if (e.raw() != in) std::abort();
  // Fields from the document plus at most the 7 ECS names added for shipper shapes and @timestamp.
  if (e.size() > limits.maxFields + 8) std::abort();
  for (size_t i = 0; i < e.size(); ++i)
    if (e.nameAt(i).empty()) std::abort();
  return 0;
}
