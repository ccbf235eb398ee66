// Fuzz target: the Sigma condition parser. Any input gives a tree or an error with a message; a
// tree printed back (toString) parses again to the same tree.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "detect/sigma/condition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = vigil::detect::sigma::parseCondition(in);
  if (!r) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  const std::string printed = vigil::detect::sigma::toString(*r);
  auto again = vigil::detect::sigma::parseCondition(printed);
  if (!again || vigil::detect::sigma::toString(*again) != printed) std::abort();
  return 0;
}
