// A small CSS reader for hidden-content detection: the rules of <style> blocks and inline style
// attributes, enough to tell whether an element is hidden and why. Supported selectors: compound
// selectors of tag, #id and .class, joined by descendant or child combinators (a child combinator
// is treated as a descendant one, a superset), in comma lists. Selectors with pseudo-classes,
// attribute tests or sibling combinators are skipped (they would need a renderer), and so are
// at-rule blocks (@media, @supports, @font-face...). Specificity is ignored: matching rules apply
// in source order, then the inline style. Never fails: unparsable parts are skipped.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::webmon::css {

// property (lower-case) -> value (trimmed, lower-case, "!important" removed)
using Declarations = std::map<std::string, std::string>;

struct Compound {
  std::string tag;  // empty: any
  std::string id;
  std::vector<std::string> classes;
};
using Selector = std::vector<Compound>;  // ancestors first, the subject last

struct Rule {
  std::vector<Selector> selectors;
  Declarations declarations;
};

// Parses "a: b; c: d" (an inline style or a rule body); at most 200 declarations.
Declarations parseDeclarations(std::string_view text);
// Parses a style sheet; at most 5,000 rules are kept.
std::vector<Rule> parseStyleSheet(std::string_view text);

// Why these declarations hide their element (and its content), or empty when they do not:
// display:none, visibility:hidden, opacity:0, font-size:0, off-screen position or text-indent,
// a box of at most 1px with overflow:hidden, clip rect(0...).
std::string hidingReason(const Declarations& d);

// A colour value as "#rrggbb", or empty when not understood (named colours: the 16 basic ones).
std::string normalizeColor(std::string_view value);

}  // namespace vigil::webmon::css
