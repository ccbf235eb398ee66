// Fuzz target: the HTML/CSS page analysis (gumbo + the CSS reader + the lexicon). Any bytes give
// page facts and findings without crashing; every finding has a check and an id, and its JSON line
// is valid UTF-8 whatever the input's encoding. The input is also read as a style sheet, an inline
// style and a Content-Security-Policy value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/text.h"
#include "webmon/checks.h"
#include "webmon/css.h"
#include "webmon/page.h"

namespace {
const vigil::webmon::Lexicon& lexicon() {
  static const auto lex = vigil::webmon::Lexicon::parse(R"(
[[term]]
text = "cá cược"
category = "gambling"
url = true
[[term]]
text = "casino"
category = "gambling"
url = true
[[term]]
text = "jav"
category = "adult"
fold = false
)",
                                                        "fuzz lexicon");
  if (!lex.ok()) std::abort();
  return *lex;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  // The input is also given as the linked style sheet.
  const auto facts = vigil::webmon::analyzePage(in, "https://xa.gov.vn/trang/", in);
  for (const auto& f : vigil::webmon::pageFindings(facts, "https://xa.gov.vn/trang/", lexicon(), {"gov.vn"}, "")) {
    if (f.check.empty() || f.id.empty()) std::abort();
    if (!vigil::text::isValidUtf8(vigil::webmon::toJsonLine(f))) std::abort();
  }
  (void)vigil::webmon::css::parseStyleSheet(in);
  (void)vigil::webmon::css::hidingReason(vigil::webmon::css::parseDeclarations(in));
  (void)vigil::webmon::parseCsp(in);
  (void)vigil::webmon::textSimilarity(in, facts.visibleText);
  return 0;
}
