// Fuzz target: the LEEF 1.0/2.0 parser. It returns an event or an error and never crashes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = vigil::ingest::parseLeef(in);
  if (!r) {
    if (r.error().message.empty()) std::abort();  // every error says what was wrong
    return 0;
  }
  for (const auto& f : r->attributes.fields)
    if (f.key.empty() || f.key.size() + f.value.size() > size) std::abort();
  return 0;
}
