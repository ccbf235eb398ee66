// Fuzz target: the CEF parser. It returns an event or an error, never crashes, and every decoded
// value is no longer than the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = vigil::ingest::parseCef(in);
  if (!r) {
    if (r.error().message.empty()) std::abort();  // every error says what was wrong
    return 0;
  }
  for (std::string_view v : {r->deviceVendor, r->deviceProduct, r->deviceVersion, r->signatureId, r->name, r->severity})
    if (v.size() > size) std::abort();
  for (const auto& f : r->extension.fields)
    if (f.key.empty() || f.key.size() + f.value.size() > size) std::abort();
  return 0;
}
