// Fuzz target: the evidence bundle reader. Any input is tried both as a manifest.json and as a
// whole bundle (ZIP); each gives a result or an error with a message, never a crash. A manifest
// that parses is written back (manifestJson) and must parse again to the same text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "evidence/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = vigil::evidence::parseManifest(in);
  if (!m) {
    if (m.error().message.empty()) std::abort();
  } else {
    const std::string printed = vigil::evidence::manifestJson(*m);
    auto again = vigil::evidence::parseManifest(printed);
    if (!again || vigil::evidence::manifestJson(*again) != printed) std::abort();
  }
  auto r = vigil::evidence::verifyBundle(in, 1 << 20);
  if (!r) {
    if (r.error().message.empty()) std::abort();
  } else if (r->items.size() != r->manifest.items.size()) {
    std::abort();
  } else {
    (void)vigil::evidence::formatReport(*r);
  }
  return 0;
}
