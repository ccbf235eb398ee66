#include "webmon/css.h"

#include <cctype>
#include <cstdlib>

#include "core/text.h"

namespace vigil::webmon::css {

namespace {

std::string lower(std::string_view s) { return text::asciiLower(s); }

// Removes /* comments */.
std::string stripComments(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      const size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 1;
      continue;
    }
    out += s[i];
  }
  return out;
}

bool parseCompound(std::string_view s, Compound& c) {
  if (s.empty()) return false;
  size_t i = 0;
  auto ident = [&]() {
    const size_t start = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '_')) ++i;
    return std::string(s.substr(start, i - start));
  };
  if (s[0] == '*') {
    ++i;
  } else if (std::isalpha(static_cast<unsigned char>(s[0]))) {
    c.tag = lower(ident());
  }
  while (i < s.size()) {
    const char k = s[i++];
    std::string name = ident();
    if (name.empty()) return false;
    if (k == '#')
      c.id = name;
    else if (k == '.')
      c.classes.push_back(name);
    else
      return false;  // pseudo-classes, attribute selectors...: not supported
  }
  return true;
}

bool parseSelector(std::string_view s, Selector& out) {
  std::string normal;
  for (char ch : s) normal += ch == '>' ? ' ' : ch;
  if (normal.find_first_of("+~:[") != std::string::npos) return false;
  size_t i = 0;
  while (i < normal.size()) {
    while (i < normal.size() && std::isspace(static_cast<unsigned char>(normal[i]))) ++i;
    const size_t start = i;
    while (i < normal.size() && !std::isspace(static_cast<unsigned char>(normal[i]))) ++i;
    if (i == start) break;
    Compound c;
    if (!parseCompound(std::string_view(normal).substr(start, i - start), c)) return false;
    out.push_back(std::move(c));
  }
  return !out.empty() && out.size() <= 16;
}

// Leading number of a length in px (em and rem as 16px); false when there is none.
bool lengthPx(std::string_view v, double& px) {
  const std::string s(text::trim(v));
  if (s.empty()) return false;
  char* end = nullptr;
  const double n = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return false;
  const std::string unit = lower(text::trim(std::string_view(end)));
  px = (unit == "em" || unit == "rem") ? n * 16 : n;
  return true;
}

std::string get(const Declarations& d, const std::string& k) {
  const auto it = d.find(k);
  return it == d.end() ? std::string() : it->second;
}

}  // namespace

Declarations parseDeclarations(std::string_view textIn) {
  Declarations d;
  const std::string s = stripComments(textIn);
  size_t start = 0;
  while (start < s.size() && d.size() < 200) {
    size_t end = s.find(';', start);
    if (end == std::string::npos) end = s.size();
    const std::string_view decl(s.data() + start, end - start);
    const auto colon = decl.find(':');
    if (colon != std::string_view::npos) {
      std::string name = lower(text::trim(decl.substr(0, colon)));
      std::string value = lower(text::trim(decl.substr(colon + 1)));
      const auto bang = value.find("!important");
      if (bang != std::string::npos) value = std::string(text::trim(value.substr(0, bang)));
      if (!name.empty()) d[name] = value;
    }
    start = end + 1;
  }
  return d;
}

std::vector<Rule> parseStyleSheet(std::string_view textIn) {
  std::vector<Rule> rules;
  const std::string s = stripComments(textIn);
  size_t i = 0;
  while (i < s.size() && rules.size() < 5000) {
    const size_t open = s.find('{', i);
    if (open == std::string::npos) break;
    std::string_view prelude = text::trim(std::string_view(s).substr(i, open - i));
    // The matching close brace (at-rule blocks nest).
    int depth = 1;
    size_t j = open + 1;
    for (; j < s.size() && depth > 0; ++j) {
      if (s[j] == '{') ++depth;
      if (s[j] == '}') --depth;
    }
    const size_t close = depth == 0 ? j - 1 : s.size();
    // A stray '}' or ';' before the prelude (e.g. after "@import ...;") is skipped.
    const auto cut = prelude.find_last_of(";}");
    if (cut != std::string_view::npos) prelude = text::trim(prelude.substr(cut + 1));
    if (!prelude.empty() && prelude[0] != '@') {
      Rule rule;
      size_t p = 0;
      while (p <= prelude.size()) {
        size_t comma = prelude.find(',', p);
        if (comma == std::string_view::npos) comma = prelude.size();
        Selector sel;
        if (parseSelector(text::trim(prelude.substr(p, comma - p)), sel)) rule.selectors.push_back(std::move(sel));
        p = comma + 1;
      }
      if (!rule.selectors.empty()) {
        rule.declarations = parseDeclarations(std::string_view(s).substr(open + 1, close - open - 1));
        rules.push_back(std::move(rule));
      }
    }
    i = close + 1;
  }
  return rules;
}

std::string hidingReason(const Declarations& d) {
  const std::string display = get(d, "display");
  if (display == "none") return "display:none";
  const std::string visibility = get(d, "visibility");
  if (visibility == "hidden" || visibility == "collapse") return "visibility:" + visibility;
  double n = 0;
  const std::string opacity = get(d, "opacity");
  if (!opacity.empty() && lengthPx(opacity, n) && n <= 0.01) return "opacity:" + opacity;
  const std::string fontSize = get(d, "font-size");
  if (!fontSize.empty() && lengthPx(fontSize, n) && n <= 0.5) return "font-size:" + fontSize;
  const std::string position = get(d, "position");
  if (position == "absolute" || position == "fixed") {
    for (const char* side : {"left", "top"}) {
      const std::string v = get(d, side);
      if (!v.empty() && lengthPx(v, n) && n <= -500) return std::string("off-screen ") + side + ":" + v;
    }
  }
  const std::string indent = get(d, "text-indent");
  if (!indent.empty() && lengthPx(indent, n) && n <= -500) return "text-indent:" + indent;
  const std::string overflow = get(d, "overflow");
  if (overflow == "hidden" || overflow == "clip") {
    for (const char* dim : {"width", "height", "max-width", "max-height"}) {
      const std::string v = get(d, dim);
      if (!v.empty() && lengthPx(v, n) && n <= 1) return std::string(dim) + ":" + v + " with overflow:hidden";
    }
  }
  const std::string clip = get(d, "clip");
  if ((position == "absolute" || position == "fixed") && clip.rfind("rect(0", 0) == 0) return "clip:" + clip;
  return {};
}

std::string normalizeColor(std::string_view valueIn) {
  std::string v = lower(text::trim(valueIn));
  static const std::map<std::string, std::string> kNames = {
      {"white", "#ffffff"},  {"black", "#000000"},   {"red", "#ff0000"},  {"green", "#008000"}, {"blue", "#0000ff"},
      {"yellow", "#ffff00"}, {"silver", "#c0c0c0"},  {"gray", "#808080"}, {"grey", "#808080"},  {"maroon", "#800000"},
      {"purple", "#800080"}, {"fuchsia", "#ff00ff"}, {"lime", "#00ff00"}, {"olive", "#808000"}, {"navy", "#000080"},
      {"teal", "#008080"},   {"aqua", "#00ffff"},
  };
  if (const auto it = kNames.find(v); it != kNames.end()) return it->second;
  auto hex = [](std::string_view h) {
    for (char c : h)
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
  };
  if (v.size() == 4 && v[0] == '#' && hex(v.substr(1))) return std::string{'#', v[1], v[1], v[2], v[2], v[3], v[3]};
  if (v.size() == 7 && v[0] == '#' && hex(v.substr(1))) return v;
  if (v.rfind("rgb(", 0) == 0 && v.back() == ')') {
    int rgb[3] = {};
    size_t p = 4;
    for (int k = 0; k < 3; ++k) {
      char* end = nullptr;
      const long n = std::strtol(v.c_str() + p, &end, 10);
      if (end == v.c_str() + p || n < 0 || n > 255) return {};
      rgb[k] = static_cast<int>(n);
      p = static_cast<size_t>(end - v.c_str());
      while (p < v.size() && (v[p] == ',' || v[p] == ' ')) ++p;
    }
    static const char* kHex = "0123456789abcdef";
    std::string out = "#";
    for (int c : rgb) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    return out;
  }
  return {};
}

}  // namespace vigil::webmon::css
