#include "webmon/defacement.h"

#include <gumbo.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "core/crypto.h"
#include "webmon/css.h"
#include "webmon/gumbo_dom.h"
#include "webmon/lexicon.h"
#include "webmon/toml_file.h"

namespace vigil::webmon {

namespace {

constexpr size_t kMaxTokensPerRegion = 400;
constexpr int kFrameDepth = 3;   // frame tokens: elements at most this deep below <body>
constexpr int kRegionDepth = 6;  // region tokens: elements at most this deep below the region root
constexpr size_t kMaxLogoBytes = 1024 * 1024;
constexpr size_t kMaxLogoHashes = 3;

enum Region : unsigned { kHeader = 1, kNav = 2, kFooter = 4, kMain = 8 };

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Digit runs become '#' so "post-1234" and "post-987" are the same class.
std::string digitsToHash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (out.empty() || out.back() != '#') out += '#';
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

bool isStateClass(const std::string& c) {
  for (const char* s : {"active", "current", "selected", "open", "show", "hover", "focus", "visible", "hidden"})
    if (c.find(s) != std::string::npos) return true;
  return false;
}

std::vector<std::string> classesOf(const GumboElement& e) {
  std::vector<std::string> out;
  const char* c = gumboAttr(e, "class");
  if (!c) return out;
  std::istringstream in{std::string(c)};
  std::string word;
  while (in >> word && out.size() < 8) {
    std::string norm = digitsToHash(word);
    // Generated class names ("css-1x2y3z", "sc-a1b2c3") change with every build: keep the prefix.
    if (std::count(norm.begin(), norm.end(), '#') >= 2) norm = norm.substr(0, norm.find('#')) + "*";
    if (!norm.empty() && !isStateClass(norm)) out.push_back(std::move(norm));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// "depth:tag#id.class1.class2"
std::string skeletonToken(int depth, const GumboElement& e) {
  std::string t = std::to_string(depth) + ":" + gumboTagName(e);
  if (const char* id = gumboAttr(e, "id")) {
    const std::string norm = digitsToHash(id);
    if (!norm.empty() && !isStateClass(norm)) t += "#" + norm;
  }
  for (const auto& c : classesOf(e)) t += "." + c;
  return t;
}

bool idOrClassHas(const GumboElement& e, std::initializer_list<const char*> words) {
  std::string hay;
  if (const char* id = gumboAttr(e, "id")) hay += lower(id) + " ";
  if (const char* c = gumboAttr(e, "class")) hay += lower(c);
  if (hay.empty()) return false;
  for (const char* w : words)
    if (hay.find(w) != std::string::npos) return true;
  return false;
}

// The regions an element starts (see the header comment).
unsigned regionsOf(const GumboElement& e) {
  unsigned r = 0;
  const std::string role = gumboAttr(e, "role") ? lower(gumboAttr(e, "role")) : std::string();
  if (e.tag == GUMBO_TAG_HEADER || role == "banner" || idOrClassHas(e, {"header", "banner", "masthead"})) r |= kHeader;
  if (e.tag == GUMBO_TAG_NAV || role == "navigation" || idOrClassHas(e, {"nav", "menu"})) r |= kNav;
  if (e.tag == GUMBO_TAG_FOOTER || role == "contentinfo" || idOrClassHas(e, {"footer", "copyright"})) r |= kFooter;
  if (e.tag == GUMBO_TAG_MAIN || e.tag == GUMBO_TAG_ARTICLE || role == "main") r |= kMain;
  return r;
}

bool skipped(GumboTag tag) {
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_NOSCRIPT || tag == GUMBO_TAG_TEMPLATE ||
         tag == GUMBO_TAG_IFRAME;
}

size_t collapsedSize(std::string_view text) {
  size_t n = 0;
  bool space = true;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
    } else {
      if (space && n > 0) ++n;
      space = false;
      ++n;
    }
  }
  return n;
}

bool looksLikeLogo(const GumboElement& e) {
  for (const char* a : {"src", "alt", "id", "class"})
    if (const char* v = gumboAttr(e, a); v && lower(v).find("logo") != std::string::npos) return true;
  return false;
}

struct Walker {
  Fingerprint& fp;
  const std::string& pageUrl;
  std::string logoInHeader, firstHeaderImg, logoAnywhere;
  std::string background;
  size_t outsideText = 0;  // body text outside header/nav/footer

  struct Item {
    const GumboNode* node;
    int bodyDepth;       // depth below <body>; -1 outside the body
    int regionDepth[3];  // depth below the header/nav/footer root; -1 outside
    bool inMain, logoAncestor;
  };

  void addToken(std::set<std::string>& set, int depth, const GumboElement& e) {
    if (set.size() < kMaxTokensPerRegion) set.insert(skeletonToken(depth, e));
  }

  void noteBackground(const css::Declarations& d) {
    for (const char* p : {"background-color", "background"}) {
      auto it = d.find(p);
      if (it == d.end()) continue;
      // "background: #000 url(x.png)": the first word that is a colour.
      std::istringstream in(it->second);
      std::string word;
      while (in >> word) {
        const std::string c = css::normalizeColor(word);
        if (!c.empty()) {
          background = c;
          return;
        }
      }
    }
  }

  void run(const GumboNode* root) {
    std::vector<Item> stack{{root, -1, {-1, -1, -1}, false, false}};
    while (!stack.empty()) {
      const Item item = stack.back();
      stack.pop_back();
      const GumboNode* n = item.node;
      if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
        if (item.bodyDepth < 0) continue;
        const size_t size = collapsedSize(n->v.text.text);
        fp.bodyTextBytes += size;
        if (item.inMain) fp.mainTextBytes += size;
        if (item.regionDepth[0] < 0 && item.regionDepth[1] < 0 && item.regionDepth[2] < 0) outsideText += size;
        continue;
      }
      if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) continue;
      const GumboVector* children = n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children : &n->v.element.children;
      Item child = item;
      if (n->type == GUMBO_NODE_ELEMENT) {
        const GumboElement& e = n->v.element;
        if (skipped(e.tag)) {
          if (e.tag == GUMBO_TAG_STYLE) readStyle(e);
          continue;
        }
        if (e.tag == GUMBO_TAG_TITLE && fp.title.empty()) {
          std::string t;
          for (unsigned i = 0; i < e.children.length; ++i) {
            const auto* c = static_cast<const GumboNode*>(e.children.data[i]);
            if (c->type == GUMBO_NODE_TEXT) t += c->v.text.text;
          }
          fp.title = normalizeText(t);
        }
        if (e.tag == GUMBO_TAG_BODY || e.tag == GUMBO_TAG_HTML) {
          if (const char* bg = gumboAttr(e, "bgcolor")) {
            const std::string c = css::normalizeColor(lower(bg));
            if (!c.empty()) background = c;
          }
          if (const char* style = gumboAttr(e, "style")) noteBackground(css::parseDeclarations(style));
        }
        if (e.tag == GUMBO_TAG_BODY) {
          child.bodyDepth = 0;
        } else if (item.bodyDepth >= 0) {
          child.bodyDepth = item.bodyDepth + 1;
          if (child.bodyDepth <= kFrameDepth) addToken(fp.frame, child.bodyDepth, e);
          const unsigned starts = regionsOf(e);
          std::set<std::string>* sets[3] = {&fp.header, &fp.nav, &fp.footer};
          const unsigned bits[3] = {kHeader, kNav, kFooter};
          for (int r = 0; r < 3; ++r) {
            if (item.regionDepth[r] >= 0) {
              child.regionDepth[r] = item.regionDepth[r] + 1;
            } else if (starts & bits[r]) {
              child.regionDepth[r] = 0;
            }
            if (child.regionDepth[r] >= 0 && child.regionDepth[r] <= kRegionDepth)
              addToken(*sets[r], child.regionDepth[r], e);
          }
          if (starts & kMain) child.inMain = true;
          if (idOrClassHas(e, {"logo"})) child.logoAncestor = true;
          if (e.tag == GUMBO_TAG_IMG) noteImage(e, child);
        }
      }
      for (unsigned i = children->length; i-- > 0;) {
        Item c = child;
        c.node = static_cast<const GumboNode*>(children->data[i]);
        stack.push_back(c);
      }
    }
    if (fp.mainTextBytes == 0) fp.mainTextBytes = outsideText;
    fp.background = background;
    fp.logoUrl = !logoInHeader.empty() ? logoInHeader : !firstHeaderImg.empty() ? firstHeaderImg : logoAnywhere;
  }

  void readStyle(const GumboElement& e) {
    std::string text;
    for (unsigned i = 0; i < e.children.length; ++i) {
      const auto* c = static_cast<const GumboNode*>(e.children.data[i]);
      if (c->type == GUMBO_NODE_TEXT) text += c->v.text.text;
    }
    for (const auto& rule : css::parseStyleSheet(text))
      for (const auto& sel : rule.selectors)
        if (sel.size() == 1 && sel[0].id.empty() && sel[0].classes.empty() &&
            (sel[0].tag == "body" || sel[0].tag == "html"))
          noteBackground(rule.declarations);
  }

  void noteImage(const GumboElement& e, const Item& where) {
    ++fp.images;
    const char* src = gumboAttr(e, "src");
    if (!src || !*src) return;
    auto abs = resolveUrl(pageUrl, src);
    if (!abs.ok()) return;
    const bool logo = looksLikeLogo(e) || where.logoAncestor;
    const bool inHeader = where.regionDepth[0] >= 0;
    if (logo && inHeader && logoInHeader.empty()) logoInHeader = *abs;
    if (inHeader && firstHeaderImg.empty()) firstHeaderImg = *abs;
    if (logo && logoAnywhere.empty()) logoAnywhere = *abs;
  }
};

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string join(const std::vector<std::string>& w) {
  std::string out;
  for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
  return out;
}

bool isWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

bool containsWord(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return false;
  for (size_t pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + 1)) {
    const bool startOk = pos == 0 || !isWordByte(static_cast<unsigned char>(hay[pos - 1])) ||
                         !isWordByte(static_cast<unsigned char>(needle.front()));
    const size_t end = pos + needle.size();
    const bool endOk = end >= hay.size() || !isWordByte(static_cast<unsigned char>(hay[end])) ||
                       !isWordByte(static_cast<unsigned char>(needle.back()));
    if (startOk && endOk) return true;
  }
  return false;
}

// ---- the baseline ----

constexpr const char* kBaselineHeader = "vigil-deface-baseline 1";

struct Baseline {
  int samples = 0;
  std::vector<std::string> titlePrefix, titleSuffix;
  std::string logoUrl;
  std::vector<std::string> logoHashes;
  size_t textMin = 0, textMax = 0;
  std::string background;
  std::map<std::string, int> tokens[4];  // frame, header, nav, footer
  std::map<std::string, int> domains;
};

constexpr const char* kRegionNames[4] = {"frame", "header", "nav", "footer"};

const std::set<std::string>& regionSet(const Fingerprint& fp, int r) {
  switch (r) {
    case 0: return fp.frame;
    case 1: return fp.header;
    case 2: return fp.nav;
    default: return fp.footer;
  }
}

// A value as it goes on one line of the baseline text: control characters (a page can put a new
// line in an image URL) become spaces, so a page cannot forge or break baseline lines.
std::string oneLine(std::string v) {
  for (char& c : v)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return v;
}

std::string serialize(const Baseline& b) {
  std::string out = std::string(kBaselineHeader) + "\n";
  out += "samples " + std::to_string(b.samples) + "\n";
  out += "title_prefix " + oneLine(join(b.titlePrefix)) + "\n";
  out += "title_suffix " + oneLine(join(b.titleSuffix)) + "\n";
  out += "logo_url " + oneLine(b.logoUrl) + "\n";
  for (const auto& h : b.logoHashes) out += "logo " + oneLine(h) + "\n";
  out += "text " + std::to_string(b.textMin) + " " + std::to_string(b.textMax) + "\n";
  out += "background " + oneLine(b.background) + "\n";
  for (int r = 0; r < 4; ++r)
    for (const auto& [t, n] : b.tokens[r])
      out += std::string(kRegionNames[r]) + " " + std::to_string(n) + " " + oneLine(t) + "\n";
  for (const auto& [d, n] : b.domains) out += "domain " + std::to_string(n) + " " + oneLine(d) + "\n";
  return out;
}

Result<int> parseCount(const std::string& s, const std::string& where) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); }))
    return Error::validation(where, "'" + s + "' is not a count");
  return std::stoi(s);
}

Result<Baseline> parseBaseline(const std::string& text, const std::string& origin) {
  Baseline b;
  std::istringstream in(text);
  std::string line;
  int lineNo = 0;
  if (!std::getline(in, line) || line != kBaselineHeader)
    return Error::validation(origin, "line 1: expected '" + std::string(kBaselineHeader) + "'");
  ++lineNo;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty()) continue;
    const std::string where = origin + " line " + std::to_string(lineNo);
    const size_t sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string rest = sp == std::string::npos ? std::string() : line.substr(sp + 1);
    if (key == "samples") {
      VIGIL_ASSIGN_OR_RETURN(b.samples, parseCount(rest, where));
    } else if (key == "title_prefix") {
      b.titlePrefix = words(rest);
    } else if (key == "title_suffix") {
      b.titleSuffix = words(rest);
    } else if (key == "logo_url") {
      b.logoUrl = rest;
    } else if (key == "logo") {
      b.logoHashes.push_back(rest);
    } else if (key == "background") {
      b.background = rest;
    } else if (key == "text") {
      const size_t sp2 = rest.find(' ');
      if (sp2 == std::string::npos) return Error::validation(where, "'text' needs two numbers");
      VIGIL_ASSIGN_OR_RETURN(const int lo, parseCount(rest.substr(0, sp2), where));
      VIGIL_ASSIGN_OR_RETURN(const int hi, parseCount(rest.substr(sp2 + 1), where));
      b.textMin = static_cast<size_t>(lo);
      b.textMax = static_cast<size_t>(hi);
    } else {
      int region = -1;
      for (int r = 0; r < 4; ++r)
        if (key == kRegionNames[r]) region = r;
      if (region < 0 && key != "domain") return Error::validation(where, "unknown entry '" + key + "'");
      const size_t sp2 = rest.find(' ');
      if (sp2 == std::string::npos || sp2 + 1 >= rest.size())
        return Error::validation(where, "'" + key + "' needs a count and a value");
      VIGIL_ASSIGN_OR_RETURN(const int n, parseCount(rest.substr(0, sp2), where));
      (region < 0 ? b.domains : b.tokens[region])[rest.substr(sp2 + 1)] = n;
    }
  }
  if (b.samples < 1) return Error::validation(origin, "'samples' is missing or 0");
  return b;
}

// Tokens seen in at least half of the samples.
std::set<std::string> stable(const std::map<std::string, int>& counts, int samples) {
  std::set<std::string> out;
  for (const auto& [t, n] : counts)
    if (n * 2 >= samples) out.insert(t);
  return out;
}

struct Distance {
  double value = 0;
  size_t missing = 0, added = 0, known = 0;
};

Distance jaccardDistance(const std::set<std::string>& known, const std::set<std::string>& now) {
  Distance d;
  d.known = known.size();
  size_t common = 0;
  for (const auto& t : now)
    if (known.count(t)) ++common;
  d.missing = known.size() - common;
  d.added = now.size() - common;
  const size_t all = known.size() + d.added;
  d.value = all == 0 ? 0 : 1.0 - static_cast<double>(common) / static_cast<double>(all);
  return d;
}

// True for "#rrggbb" with every channel at most darkMax; false for anything else (the value may
// come from a stored baseline, so it is not trusted to be well formed).
bool isDark(const std::string& colour, int darkMax) {
  if (colour.size() != 7 || colour[0] != '#') return false;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (int i = 0; i < 3; ++i) {
    const int hi = hex(colour[1 + 2 * i]), lo = hex(colour[2 + 2 * i]);
    if (hi < 0 || lo < 0 || hi * 16 + lo > darkMax) return false;
  }
  return true;
}

void learn(Baseline& b, const Fingerprint& fp, const DefacementOptions& options) {
  const auto title = words(fp.title);
  if (b.samples == 0) {
    b.titlePrefix = b.titleSuffix = title;
    b.textMin = b.textMax = fp.mainTextBytes;
  } else {
    size_t p = 0;
    while (p < b.titlePrefix.size() && p < title.size() && b.titlePrefix[p] == title[p]) ++p;
    b.titlePrefix.resize(p);
    size_t s = 0;
    while (s < b.titleSuffix.size() && s < title.size() &&
           b.titleSuffix[b.titleSuffix.size() - 1 - s] == title[title.size() - 1 - s])
      ++s;
    b.titleSuffix.erase(b.titleSuffix.begin(), b.titleSuffix.end() - static_cast<std::ptrdiff_t>(s));
    b.textMin = std::min(b.textMin, fp.mainTextBytes);
    b.textMax = std::max(b.textMax, fp.mainTextBytes);
  }
  ++b.samples;
  for (int r = 0; r < 4; ++r)
    for (const auto& t : regionSet(fp, r)) ++b.tokens[r][t];
  for (const auto& d : fp.outboundDomains) ++b.domains[d];
  if (!fp.logoUrl.empty()) b.logoUrl = fp.logoUrl;
  if (!fp.logoSha256.empty() &&
      std::find(b.logoHashes.begin(), b.logoHashes.end(), fp.logoSha256) == b.logoHashes.end()) {
    b.logoHashes.push_back(fp.logoSha256);
    if (b.logoHashes.size() > kMaxLogoHashes) b.logoHashes.erase(b.logoHashes.begin());
  }
  b.background = fp.background;
  if (b.samples > options.maxSamples) {
    // Halve the counts: what the page no longer has fades out of the baseline.
    b.samples /= 2;
    auto halve = [](std::map<std::string, int>& m) {
      for (auto it = m.begin(); it != m.end();) {
        it->second /= 2;
        it = it->second == 0 ? m.erase(it) : std::next(it);
      }
    };
    for (auto& m : b.tokens) halve(m);
    halve(b.domains);
  }
}

bool titleMatches(const std::vector<std::string>& title, const Baseline& b) {
  if (b.titlePrefix.size() > title.size() || b.titleSuffix.size() > title.size()) return false;
  return std::equal(b.titlePrefix.begin(), b.titlePrefix.end(), title.begin()) &&
         std::equal(b.titleSuffix.rbegin(), b.titleSuffix.rend(), title.rbegin());
}

std::string percent(double v) { return std::to_string(static_cast<int>(v * 100 + 0.5)) + "%"; }

}  // namespace

Fingerprint fingerprintPage(std::string_view html, const std::string& pageUrl, const PageFacts& facts) {
  Fingerprint fp;
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 100;
  GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
  if (!out) return fp;
  Walker{fp, pageUrl}.run(out->document);
  gumbo_destroy_output(&options, out);
  // Outbound domains as the page analysis sees them (every link kind, "www." ignored).
  fp.outboundDomains = facts.outboundDomains;
  return fp;
}

Result<DefacementSignatures> DefacementSignatures::load(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, readCatalogFile(path, "the defacement signatures file"));
  return parse(text, path);
}

Result<DefacementSignatures> DefacementSignatures::parse(std::string_view tomlText, const std::string& origin) {
  VIGIL_ASSIGN_OR_RETURN(toml::table doc, parseCatalogToml(tomlText, origin));
  DefacementSignatures sig;
  for (const auto& [key, value] : doc)
    if (key != "phrase" && key != "replaced_page")
      return Error::validation(origin, "unknown key '" + std::string(key.str()) + "'");
  if (const auto* shape = doc["replaced_page"].as_table()) {
    for (const auto& [key, value] : *shape)
      if (key != "dark_max" && key != "max_images" && key != "max_text_bytes")
        return Error::validation(origin + ": [replaced_page]", "unknown key '" + std::string(key.str()) + "'");
    const auto dark = (*shape)["dark_max"].value_or(int64_t{0x30});
    const auto images = (*shape)["max_images"].value_or(int64_t{2});
    const auto textBytes = (*shape)["max_text_bytes"].value_or(int64_t{1500});
    if (dark < 0 || dark > 255) return Error::validation(origin + ": [replaced_page]", "dark_max must be 0-255");
    if (images < 0 || textBytes < 0)
      return Error::validation(origin + ": [replaced_page]", "max_images and max_text_bytes must be >= 0");
    sig.darkMax = static_cast<int>(dark);
    sig.maxImages = static_cast<int>(images);
    sig.maxTextBytes = static_cast<size_t>(textBytes);
  }
  const auto* phrases = doc["phrase"].as_array();
  if (!phrases || phrases->empty()) return Error::validation(origin, "no [[phrase]] entries");
  for (size_t i = 0; i < phrases->size(); ++i) {
    const std::string where = origin + ": phrase " + std::to_string(i + 1);
    const auto* t = (*phrases)[i].as_table();
    if (!t) return Error::validation(where, "is not a table");
    for (const auto& [key, value] : *t)
      if (key != "text" && key != "strong")
        return Error::validation(where, "unknown key '" + std::string(key.str()) + "'");
    DefacementPhrase p;
    p.text = (*t)["text"].value_or(std::string());
    if (p.text.empty()) return Error::validation(where, "'text' is missing or empty");
    p.strong = (*t)["strong"].value_or(true);
    p.normal = normalizeText(p.text);
    p.folded = foldText(p.text);
    sig.phrases_.push_back(std::move(p));
  }
  return sig;
}

std::vector<const DefacementPhrase*> DefacementSignatures::find(std::string_view text) const {
  std::vector<const DefacementPhrase*> hits;
  if (text.empty()) return hits;
  const std::string normal = normalizeText(text), folded = foldText(text);
  for (const auto& p : phrases_)
    if (containsWord(normal, p.normal) || containsWord(folded, p.folded)) hits.push_back(&p);
  return hits;
}

Result<DefacementResult> evaluateDefacement(const Fingerprint& current, const PageFacts& facts, const std::string& url,
                                            const DefacementSignatures& signatures,
                                            const std::optional<std::string>& baselineText,
                                            const DefacementOptions& options) {
  DefacementResult result;
  Baseline b;
  if (baselineText) {
    VIGIL_ASSIGN_OR_RETURN(b, parseBaseline(*baselineText, defacementFactKey(url)));
  }
  const bool haveBaseline = b.samples > 0;
  const bool learned = b.samples >= options.learnSamples;
  result.learning = !learned;

  // Structure: weighted distances of the parts the baseline knows.
  if (haveBaseline) {
    static constexpr double kWeights[4] = {0.3, 0.2, 0.2, 0.15};
    double sum = 0, weight = 0;
    for (int r = 0; r < 4; ++r) {
      const auto known = stable(b.tokens[r], b.samples);
      const auto& now = regionSet(current, r);
      if (known.empty() && now.size() < 3) continue;
      const Distance d = jaccardDistance(known, now);
      sum += kWeights[r] * d.value;
      weight += kWeights[r];
      if (d.value >= 0.3)
        result.reasons.push_back(std::string(kRegionNames[r]) + " skeleton " + percent(d.value) + " different (" +
                                 std::to_string(d.missing) + " of " + std::to_string(d.known) +
                                 " known elements missing, " + std::to_string(d.added) + " new)");
    }
    const auto knownDomains = stable(b.domains, b.samples);
    if (!knownDomains.empty() || !current.outboundDomains.empty()) {
      const Distance d = jaccardDistance(knownDomains, current.outboundDomains);
      sum += 0.1 * d.value;
      weight += 0.1;
      if (d.value >= 0.5)
        result.reasons.push_back("outbound domains " + percent(d.value) + " different (" + std::to_string(d.missing) +
                                 " known missing, " + std::to_string(d.added) + " new)");
    }
    if (learned) {
      const bool collapsed = current.mainTextBytes * 3 < b.textMin;
      const bool swollen = current.mainTextBytes > b.textMax * 3 + 1000;
      sum += 0.05 * ((collapsed || swollen) ? 1.0 : 0.0);
      weight += 0.05;
      if (collapsed || swollen)
        result.reasons.push_back("main text " + std::to_string(current.mainTextBytes) + " bytes, was " +
                                 std::to_string(b.textMin) + "-" + std::to_string(b.textMax));
    }
    result.score = weight > 0 ? sum / weight : 0;
  }

  const bool replacedShape = isDark(current.background, signatures.darkMax) && current.images <= signatures.maxImages &&
                             current.bodyTextBytes <= signatures.maxTextBytes;
  if (replacedShape && haveBaseline && !isDark(b.background, signatures.darkMax))
    result.reasons.push_back("page replaced by a dark page (background " + current.background + ", " +
                             std::to_string(current.images) + " image(s), " + std::to_string(current.bodyTextBytes) +
                             " bytes of text)");
  bool defaced = false;

  // Signatures.
  const auto inTitle = signatures.find(facts.title);
  const auto inText = signatures.find(facts.visibleText);
  std::vector<const DefacementPhrase*> strong, weak;
  for (const auto* list : {&inTitle, &inText})
    for (const auto* p : *list) {
      auto& into = p->strong ? strong : weak;
      if (std::find(into.begin(), into.end(), p) == into.end()) into.push_back(p);
    }
  bool strongInTitle = false;
  for (const auto* p : inTitle) strongInTitle = strongInTitle || p->strong;
  const bool shortPage = current.bodyTextBytes <= options.strongTextBytes;
  const bool changed = result.score >= options.mediumScore || replacedShape;
  const bool critical = strongInTitle || (!strong.empty() && (shortPage || changed)) ||
                        ((weak.size() >= 2 || (!weak.empty() && replacedShape)) && (shortPage || changed));
  auto phraseList = [&] {
    std::string s;
    for (const auto* list : {&strong, &weak})
      for (const auto* p : *list) s += (s.empty() ? "" : ", ") + ("\"" + p->text + "\"");
    return s;
  };
  if (critical) {
    defaced = true;
    Finding f{
        "defacement", "signature", Severity::kCritical, url, "Defacement signature on the page: " + phraseList(), {}};
    f.with("phrases", phraseList()).with("title", facts.title);
    if (replacedShape) f.with("shape", "dark background, few images, little text");
    f.with("text_start", facts.visibleText.substr(0, 300));
    result.findings.push_back(std::move(f));
  } else if (!strong.empty()) {
    Finding f{"defacement",
              "signature_in_text",
              Severity::kMedium,
              url,
              "A defacement phrase appears in a long page whose structure is unchanged (a news article "
              "quoting one?): " +
                  phraseList(),
              {}};
    f.with("phrases", phraseList());
    result.findings.push_back(std::move(f));
  } else if (replacedShape && !haveBaseline) {
    result.findings.push_back(Finding{"defacement",
                                      "replaced_page_shape",
                                      Severity::kMedium,
                                      url,
                                      "The page is a dark page with few images and little text, the usual shape of a "
                                      "defacement (no baseline yet to compare with)",
                                      {{"background", current.background}}});
  }

  if (haveBaseline &&
      (result.score >= options.mediumScore || (replacedShape && !isDark(b.background, signatures.darkMax)))) {
    defaced = true;
    const bool high = result.score >= options.highScore || replacedShape;
    std::string reasons;
    for (const auto& r : result.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
    Finding f{"defacement",
              "structure_changed",
              high ? Severity::kHigh : Severity::kMedium,
              url,
              "The page structure changed " + percent(result.score) + " from its baseline of " +
                  std::to_string(b.samples) + " sample(s): " + reasons,
              {}};
    f.with("score", std::to_string(result.score)).with("reasons", reasons).with("title", current.title);
    result.findings.push_back(std::move(f));
  }

  if (learned) {
    if (!b.logoHashes.empty() && !current.logoSha256.empty() &&
        std::find(b.logoHashes.begin(), b.logoHashes.end(), current.logoSha256) == b.logoHashes.end()) {
      defaced = true;
      Finding f{"defacement", "logo_changed", Severity::kMedium, url, "The site's logo image changed", {}};
      f.with("logo_url", current.logoUrl).with("sha256", current.logoSha256).with("known", b.logoHashes.front());
      result.findings.push_back(std::move(f));
    } else if (!b.logoUrl.empty() && current.logoUrl.empty()) {
      defaced = true;
      result.findings.push_back(Finding{"defacement",
                                        "logo_changed",
                                        Severity::kMedium,
                                        url,
                                        "The site's logo is no longer on the page",
                                        {{"known_logo_url", b.logoUrl}}});
    }
    if ((!b.titlePrefix.empty() || !b.titleSuffix.empty()) && !titleMatches(words(current.title), b)) {
      defaced = true;
      const std::string pattern = join(b.titlePrefix) + " … " + join(b.titleSuffix);
      Finding f{"defacement",
                "title_changed",
                Severity::kMedium,
                url,
                "The title no longer has its usual form \"" + pattern + "\": \"" + current.title + "\"",
                {}};
      f.with("pattern", pattern).with("title", current.title);
      result.findings.push_back(std::move(f));
    }
  }

  if (!defaced) learn(b, current, options);
  result.baseline = b.samples > 0 ? serialize(b) : std::string();
  return result;
}

Result<std::string> logoSha256(const std::string& logoUrl, const FetchOptions& fetch) {
  FetchOptions o = fetch;
  o.maxBodyBytes = std::min(o.maxBodyBytes, kMaxLogoBytes);
  const FetchResult r = webmon::fetch(logoUrl, o);
  if (!r.ok()) return Error::unavailable("logo " + logoUrl + ": " + r.errorMessage);
  if (r.status != 200) return Error::unavailable("logo " + logoUrl + ": HTTP status " + std::to_string(r.status));
  if (r.truncated) return Error::unavailable("logo " + logoUrl + ": larger than 1 MB");
  return crypto::sha256Hex(r.body);
}

Result<DefacementResult> checkDefacement(const std::string& url, const FetchOptions& fetch,
                                         const DefacementSignatures& signatures,
                                         const std::optional<std::string>& baseline, const DefacementOptions& options) {
  const FetchResult page = webmon::fetch(url, fetch);
  if (!page.ok()) return Error::unavailable(page.errorMessage);
  if (page.status != 200) return Error::unavailable(url + ": HTTP status " + std::to_string(page.status));
  const PageFacts facts = analyzePage(page.body, page.finalUrl);
  Fingerprint fp = fingerprintPage(page.body, page.finalUrl, facts);
  if (!fp.logoUrl.empty()) {
    auto hash = logoSha256(fp.logoUrl, fetch);
    if (hash.ok()) fp.logoSha256 = *hash;
  }
  return evaluateDefacement(fp, facts, url, signatures, baseline, options);
}

std::string defacementFactKey(const std::string& url) { return "deface.baseline:" + url; }

}  // namespace vigil::webmon
