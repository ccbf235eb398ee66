// Reading gumbo's DOM, shared by the page analysis (page.cpp) and the defacement fingerprint
// (defacement.cpp). Includes <gumbo.h>: include from src/webmon/*.cpp only.
#pragma once

#include <gumbo.h>

#include <string>

namespace vigil::webmon {

// The value of attribute `name` of `e` (gumbo matches names case-insensitively), or nullptr when
// the element has none.
const char* gumboAttr(const GumboElement& e, const char* name);

// The element's tag name in lower case, also for tags gumbo does not know (taken from the source
// text, e.g. "my-widget").
std::string gumboTagName(const GumboElement& e);

}  // namespace vigil::webmon
