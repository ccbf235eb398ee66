// Fuzz target: the RFC 3339 parser used for audit-log filters. A parsed time must format and
// parse back to the same instant (to the second).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/clock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  auto t = vigil::parseRfc3339(in);
  if (!t) return 0;
  const int64_t seconds = *t >= 0 ? *t / 1000 : (*t - 999) / 1000;
  if (seconds < -62135596800 || seconds > 253402300799) return 0;  // outside years 1-9999
  auto back = vigil::parseRfc3339(vigil::formatRfc3339(*t));
  if (!back || *back / 1000 != seconds) std::abort();
  return 0;
}
