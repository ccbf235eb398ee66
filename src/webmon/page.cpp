#include "webmon/page.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <unordered_set>

#include "core/text.h"
#include "webmon/css.h"
#include "webmon/fetcher.h"
#include "webmon/gumbo_dom.h"

namespace vigil::webmon {

namespace {

constexpr size_t kMaxVisibleText = 200 * 1024;
constexpr size_t kMaxHiddenBlocks = 200;
constexpr size_t kMaxLinks = 5000;
constexpr size_t kMaxScripts = 500;
constexpr size_t kMaxStyleBytes = 1024 * 1024;

std::string lower(std::string_view s) { return text::asciiLower(s); }

std::string truncated(std::string_view s, size_t n) {
  if (s.size() <= n) return std::string(s);
  size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return std::string(s.substr(0, cut)) + "...";
}

void appendText(std::string& out, std::string_view t, size_t max) {
  t = text::trim(t);
  if (t.empty() || out.size() >= max) return;
  if (!out.empty()) out += ' ';
  // Collapse inner white space.
  bool space = false;
  for (char c : t) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
}

// windows-1252 (its 0x80-0x9F block read as Latin-1) to UTF-8.
std::string latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string nodeText(const GumboNode* n) {
  std::string out;
  if (n->type != GUMBO_NODE_ELEMENT) return out;
  const GumboVector& kids = n->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) {
    const auto* k = static_cast<const GumboNode*>(kids.data[i]);
    if (k->type == GUMBO_NODE_TEXT || k->type == GUMBO_NODE_CDATA || k->type == GUMBO_NODE_WHITESPACE)
      out += k->v.text.text;
  }
  return out;
}

struct ElementInfo {
  std::string tag, id;
  std::vector<std::string> classes;
};

bool compoundMatches(const css::Compound& c, const ElementInfo& e) {
  if (!c.tag.empty() && c.tag != e.tag) return false;
  if (!c.id.empty() && c.id != e.id) return false;
  for (const auto& cls : c.classes)
    if (std::find(e.classes.begin(), e.classes.end(), cls) == e.classes.end()) return false;
  return true;
}

// The subject matches `self`; the rest of the chain matches ancestors in order.
bool selectorMatches(const css::Selector& s, const ElementInfo& self, const std::vector<ElementInfo>& ancestors) {
  if (!compoundMatches(s.back(), self)) return false;
  int want = static_cast<int>(s.size()) - 2;
  for (int a = static_cast<int>(ancestors.size()) - 1; a >= 0 && want >= 0; --a)
    if (compoundMatches(s[want], ancestors[a])) --want;
  return want < 0;
}

std::string selectorText(const css::Selector& s) {
  std::string out;
  for (const auto& c : s) {
    if (!out.empty()) out += ' ';
    out += c.tag;
    if (!c.id.empty()) out += "#" + c.id;
    for (const auto& k : c.classes) out += "." + k;
  }
  return out;
}

// The style rules of the page, indexed by the subject's id, class and tag.
struct StyleIndex {
  std::vector<css::Rule> rules;
  std::multimap<std::string, std::pair<size_t, size_t>> byKey;  // key -> (rule, selector)

  void build() {
    for (size_t r = 0; r < rules.size(); ++r)
      for (size_t s = 0; s < rules[r].selectors.size(); ++s) {
        const auto& subject = rules[r].selectors[s].back();
        std::string key = !subject.id.empty()        ? "#" + subject.id
                          : !subject.classes.empty() ? "." + subject.classes.front()
                          : !subject.tag.empty()     ? subject.tag
                                                     : "*";
        byKey.emplace(std::move(key), std::make_pair(r, s));
      }
  }

  // Declarations of the matching rules in source order; `why` gets the last hiding selector.
  css::Declarations match(const ElementInfo& e, const std::vector<ElementInfo>& ancestors, std::string& matched) const {
    std::vector<std::pair<size_t, size_t>> candidates;
    auto collect = [&](const std::string& key) {
      auto [a, b] = byKey.equal_range(key);
      for (auto it = a; it != b; ++it) candidates.push_back(it->second);
    };
    if (!e.id.empty()) collect("#" + e.id);
    for (const auto& c : e.classes) collect("." + c);
    collect(e.tag);
    collect("*");
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    css::Declarations d;
    for (const auto& [r, s] : candidates) {
      if (!selectorMatches(rules[r].selectors[s], e, ancestors)) continue;
      for (const auto& [k, v] : rules[r].declarations) d[k] = v;
      if (!css::hidingReason(rules[r].declarations).empty()) matched = selectorText(rules[r].selectors[s]);
    }
    return d;
  }
};

std::string backgroundColor(const css::Declarations& d) {
  if (auto it = d.find("background-color"); it != d.end()) return css::normalizeColor(it->second);
  if (auto it = d.find("background"); it != d.end()) {
    size_t p = 0;
    const std::string& v = it->second;
    while (p < v.size()) {
      size_t e = v.find(' ', p);
      if (e == std::string::npos) e = v.size();
      std::string c = css::normalizeColor(std::string_view(v).substr(p, e - p));
      if (!c.empty()) return c;
      p = e + 1;
    }
  }
  return {};
}

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

std::string base64Decode(std::string_view s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    const int v = base64Value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// The longest run of base64 characters inside quotes in `code`.
std::string longestBase64Literal(std::string_view code) {
  std::string_view best;
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] != '"' && code[i] != '\'' && code[i] != '`') continue;
    const char q = code[i];
    size_t j = i + 1;
    while (j < code.size() && (base64Value(code[j]) >= 0 || code[j] == '=')) ++j;
    if (j < code.size() && code[j] == q && j - i - 1 > best.size()) best = code.substr(i + 1, j - i - 1);
    i = j < code.size() && code[j] == q ? j : i;
  }
  return std::string(best);
}

bool looksLikeText(std::string_view s) {
  if (s.empty()) return false;
  size_t printable = 0;
  for (unsigned char c : s) printable += (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c >= 0x80;
  return printable * 10 >= s.size() * 9;
}

void scriptTraits(PageScript& sc, std::string_view code) {
  const std::string l = lower(code);
  auto has = [&](std::string_view n) { return l.find(n) != std::string::npos; };
  if (has("eval(")) sc.traits.push_back("eval");
  if (has("atob(")) sc.traits.push_back("atob");
  if (has("string.fromcharcode")) sc.traits.push_back("fromcharcode");
  if (has("unescape(")) sc.traits.push_back("unescape");
  if (has("document.write")) sc.traits.push_back("document_write");
  if (has("document.referrer")) sc.traits.push_back("referrer_test");
  if (has("navigator.useragent")) sc.traits.push_back("useragent_test");
  bool location = has("location.href") || has("location.replace") || has("location.assign") || has("window.location") ||
                  has("top.location") || has("document.location") || has("self.location");
  for (size_t p = l.find("location"); !location && p != std::string::npos; p = l.find("location", p + 1)) {
    size_t q = p + 8;
    while (q < l.size() && l[q] == ' ') ++q;
    if (q < l.size() && l[q] == '=' && (q + 1 >= l.size() || l[q + 1] != '=')) location = true;
  }
  if (location) sc.traits.push_back("location_change");
  const std::string literal = longestBase64Literal(code);
  if (literal.size() >= 40) {
    sc.traits.push_back("base64_literal");
    const std::string decoded = base64Decode(literal);
    if (looksLikeText(decoded)) sc.decoded = truncated(decoded, 300);
  }
  sc.snippet = truncated(text::trim(code), 200);
}

bool hasTrait(const PageScript& s, std::string_view t) {
  return std::find(s.traits.begin(), s.traits.end(), t) != s.traits.end();
}

std::string joined(const std::vector<std::string>& v, size_t max = 10) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < max; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > max) out += ", ... (" + std::to_string(v.size()) + " in all)";
  return out;
}

std::vector<std::string> hitTerms(const std::vector<LexiconHit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits)
    if (std::find(out.begin(), out.end(), h.term) == out.end()) out.push_back(h.term);
  return out;
}

std::string stripWww(std::string_view h) {
  if (h.rfind("www.", 0) == 0) h.remove_prefix(4);
  return std::string(h);
}

// A walk frame: the node and what it inherits.
struct Frame {
  const GumboNode* node;
  unsigned next = 0;  // next child to visit
  bool entered = false;
  std::string hiddenReason;
  int hiddenBlock = -1;
  int link = -1;  // index of the enclosing <a>
  bool skipText = false;
  std::string color, background;
  bool pushedAncestor = false;
};

class Analyzer {
 public:
  Analyzer(const std::string& pageUrl, PageFacts& facts, std::string_view linkedCss)
      : pageUrl_(pageUrl), facts_(facts), linkedCss_(linkedCss) {
    auto parts = parseUrl(pageUrl);
    if (parts.ok()) pageHost_ = parts->host;
  }

  void run(const GumboNode* root) {
    collectStyles(root);
    styles_.build();
    walk(root);
  }

 private:
  void collectStyles(const GumboNode* root) {
    std::vector<const GumboNode*> stack{root};
    std::string sheet(linkedCss_.substr(0, kMaxStyleBytes));
    sheet += "\n";
    while (!stack.empty()) {
      const GumboNode* n = stack.back();
      stack.pop_back();
      if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT && n->type != GUMBO_NODE_TEMPLATE) continue;
      if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_STYLE) {
        if (sheet.size() < kMaxStyleBytes) sheet += nodeText(n) + "\n";
        continue;
      }
      const GumboVector& kids = n->type == GUMBO_NODE_DOCUMENT ? n->v.document.children : n->v.element.children;
      for (unsigned i = kids.length; i > 0; --i) stack.push_back(static_cast<const GumboNode*>(kids.data[i - 1]));
    }
    styles_.rules = css::parseStyleSheet(sheet);
  }

  int addLink(const std::string& raw, const std::string& tag, const Frame& f, std::string text = {}) {
    if (facts_.links.size() >= kMaxLinks) return -1;
    const std::string_view trimmed = text::trim(raw);
    if (trimmed.empty() || trimmed[0] == '#') return -1;
    const std::string low = lower(trimmed.substr(0, 11));
    if (low.rfind("javascript:", 0) == 0 || low.rfind("mailto:", 0) == 0 || low.rfind("tel:", 0) == 0 ||
        low.rfind("data:", 0) == 0)
      return -1;
    auto abs = resolveUrl(pageUrl_, std::string(trimmed));
    if (!abs.ok()) return -1;
    PageLink l;
    l.url = *abs;
    l.tag = tag;
    l.text = std::move(text);
    l.hiddenReason = f.hiddenReason;
    auto parts = parseUrl(l.url);
    if (parts.ok()) {
      l.host = parts->host;
      l.external = !pageHost_.empty() && !sameSite(l.host, pageHost_);
      if (l.external) facts_.outboundDomains.insert(l.host);
    }
    if (f.hiddenBlock >= 0) facts_.hidden[static_cast<size_t>(f.hiddenBlock)].links.push_back(l.url);
    facts_.links.push_back(std::move(l));
    return static_cast<int>(facts_.links.size() - 1);
  }

  // Handles an element on entry; fills the frame's inherited state.
  void enter(Frame& f, const Frame* parent) {
    const GumboElement& e = f.node->v.element;
    ElementInfo info;
    info.tag = gumboTagName(e);
    if (const char* id = gumboAttr(e, "id")) info.id = id;
    if (const char* cls = gumboAttr(e, "class")) {
      std::string_view s(cls);
      size_t p = 0;
      while (p < s.size() && info.classes.size() < 32) {
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
        size_t q = p;
        while (q < s.size() && !std::isspace(static_cast<unsigned char>(s[q]))) ++q;
        if (q > p) info.classes.emplace_back(s.substr(p, q - p));
        p = q;
      }
    }
    if (parent) {
      f.hiddenReason = parent->hiddenReason;
      f.hiddenBlock = parent->hiddenBlock;
      f.link = parent->link;
      f.skipText = parent->skipText;
      f.color = parent->color;
      f.background = parent->background;
    }
    std::string matched;
    css::Declarations d = styles_.match(info, ancestors_, matched);
    std::string source = matched.empty() ? "" : " (style rule " + matched + ")";
    if (const char* style = gumboAttr(e, "style")) {
      css::Declarations inlineDecl = css::parseDeclarations(style);
      if (!css::hidingReason(inlineDecl).empty()) source = " (inline style)";
      for (auto& [k, v] : inlineDecl) d[k] = v;
    }
    std::string reason = css::hidingReason(d);
    if (!reason.empty()) reason += source;
    if (reason.empty() && gumboAttr(e, "hidden")) reason = "hidden attribute";
    const auto colorIt = d.find("color");
    const std::string ownColor = colorIt == d.end() ? "" : css::normalizeColor(colorIt->second);
    const std::string ownBg = backgroundColor(d);
    if (!ownColor.empty()) f.color = ownColor;
    if (!ownBg.empty()) f.background = ownBg;
    if (reason.empty() && (!ownColor.empty() || !ownBg.empty()) && !f.color.empty() && f.color == f.background)
      reason = "text colour same as background (" + f.color + ")";
    const bool inHead = e.tag == GUMBO_TAG_HEAD || e.tag == GUMBO_TAG_TITLE || e.tag == GUMBO_TAG_META;
    if (!reason.empty() && f.hiddenReason.empty() && !inHead) {
      f.hiddenReason = reason;
      if (facts_.hidden.size() < kMaxHiddenBlocks) {
        HiddenBlock b;
        b.reason = reason;
        b.snippet = "<" + info.tag + (info.id.empty() ? "" : " id=" + info.id) +
                    (info.classes.empty() ? "" : " class=" + info.classes.front()) + ">";
        facts_.hidden.push_back(std::move(b));
        f.hiddenBlock = static_cast<int>(facts_.hidden.size() - 1);
      }
    }

    switch (e.tag) {
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_NOSCRIPT:
      case GUMBO_TAG_TEMPLATE: f.skipText = true; break;
      default: break;
    }
    switch (e.tag) {
      case GUMBO_TAG_TITLE:
        if (facts_.title.empty()) appendText(facts_.title, nodeText(f.node), 2000);
        f.skipText = true;
        break;
      case GUMBO_TAG_META: {
        const char* name = gumboAttr(e, "name");
        if (!name) name = gumboAttr(e, "property");
        const char* content = gumboAttr(e, "content");
        const char* equiv = gumboAttr(e, "http-equiv");
        if (const char* cs = gumboAttr(e, "charset")) facts_.declaredCharset = lower(cs);
        if (equiv && content && lower(equiv) == "refresh") {
          const std::string c = content;
          const auto u = lower(c).find("url=");
          if (u != std::string::npos) {
            std::string target(text::trim(c.substr(u + 4)));
            if (!target.empty() && (target[0] == '\'' || target[0] == '"')) target = target.substr(1);
            if (!target.empty() && (target.back() == '\'' || target.back() == '"')) target.pop_back();
            auto abs = resolveUrl(pageUrl_, target);
            if (abs.ok()) facts_.metaRefresh = *abs;
            addLink(target, "meta", f);
          }
        } else if (equiv && content && lower(equiv) == "content-type") {
          const std::string c = lower(content);
          const auto p = c.find("charset=");
          if (p != std::string::npos) facts_.declaredCharset = std::string(text::trim(c.substr(p + 8)));
        } else if (name && content && facts_.meta.size() < 100) {
          const std::string n = lower(name);
          if (n == "description" || n == "keywords" || n == "generator" || n.rfind("og:", 0) == 0 ||
              n.rfind("twitter:", 0) == 0)
            facts_.meta.emplace_back(n, truncated(content, 2000));
        }
        break;
      }
      case GUMBO_TAG_A:
      case GUMBO_TAG_AREA:
        if (const char* href = gumboAttr(e, "href")) f.link = addLink(href, info.tag, f);
        break;
      case GUMBO_TAG_IFRAME:
      case GUMBO_TAG_EMBED:
      case GUMBO_TAG_IMG:
        if (const char* src = gumboAttr(e, "src")) addLink(src, info.tag, f);
        break;
      case GUMBO_TAG_OBJECT:
        if (const char* data = gumboAttr(e, "data")) addLink(data, info.tag, f);
        break;
      case GUMBO_TAG_FORM:
        if (const char* action = gumboAttr(e, "action")) addLink(action, info.tag, f);
        break;
      case GUMBO_TAG_LINK: {
        const char* rel = gumboAttr(e, "rel");
        const char* href = gumboAttr(e, "href");
        if (rel && href) {
          const std::string r = lower(rel);
          if (r == "canonical" || r == "amphtml") addLink(href, "link", f);
          if (r == "stylesheet") addLink(href, "stylesheet", f);
        }
        break;
      }
      case GUMBO_TAG_SCRIPT: {
        if (facts_.scripts.size() >= kMaxScripts) break;
        PageScript sc;
        if (const char* src = gumboAttr(e, "src")) {
          const int idx = addLink(src, "script", f);
          if (idx >= 0) {
            sc.src = facts_.links[static_cast<size_t>(idx)].url;
            sc.external = facts_.links[static_cast<size_t>(idx)].external;
          } else {
            sc.src = src;
          }
          sc.integrity = gumboAttr(e, "integrity") != nullptr;
        } else {
          const std::string code = nodeText(f.node);
          if (text::trim(code).empty()) break;
          const char* type = gumboAttr(e, "type");
          if (type && lower(type).find("json") != std::string::npos) break;  // data, not code
          scriptTraits(sc, code);
        }
        facts_.scripts.push_back(std::move(sc));
        break;
      }
      default: break;
    }
    for (const char* data : {"data-href", "data-url", "data-src"})
      if (const char* v = gumboAttr(e, data)) addLink(v, std::string(data), f);
    ancestors_.push_back(std::move(info));
    f.pushedAncestor = true;
  }

  void text(const Frame& f, std::string_view t) {
    if (f.skipText) return;
    if (f.hiddenBlock >= 0) {
      auto& b = facts_.hidden[static_cast<size_t>(f.hiddenBlock)];
      appendText(b.text, t, 500);
    } else if (f.hiddenReason.empty()) {
      appendText(facts_.visibleText, t, kMaxVisibleText);
    }
    if (f.link >= 0) appendText(facts_.links[static_cast<size_t>(f.link)].text, t, 300);
  }

  void walk(const GumboNode* root) {
    std::vector<Frame> stack;
    stack.push_back(Frame{root});
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboNode* n = f.node;
      if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
        const Frame* parent = stack.size() > 1 ? &stack[stack.size() - 2] : nullptr;
        if (parent) text(*parent, n->v.text.text);
        stack.pop_back();
        continue;
      }
      if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT && n->type != GUMBO_NODE_TEMPLATE) {
        stack.pop_back();
        continue;
      }
      if (!f.entered) {
        f.entered = true;
        if (n->type != GUMBO_NODE_DOCUMENT) enter(f, stack.size() > 1 ? &stack[stack.size() - 2] : nullptr);
      }
      const GumboVector& kids = n->type == GUMBO_NODE_DOCUMENT ? n->v.document.children : n->v.element.children;
      if (f.next < kids.length) {
        const auto* child = static_cast<const GumboNode*>(kids.data[f.next++]);
        Frame c{child};
        // Inheritance for text nodes is read from the parent frame; elements copy in enter().
        stack.push_back(std::move(c));
        continue;
      }
      if (f.pushedAncestor) ancestors_.pop_back();
      stack.pop_back();
    }
  }

  const std::string& pageUrl_;
  std::string pageHost_;
  PageFacts& facts_;
  std::string_view linkedCss_;
  StyleIndex styles_;
  std::vector<ElementInfo> ancestors_;
};

std::vector<std::string> words(std::string_view t) {
  std::vector<std::string> out;
  const std::string n = normalizeText(t);
  size_t p = 0;
  while (p < n.size()) {
    size_t e = n.find(' ', p);
    if (e == std::string::npos) e = n.size();
    if (e > p) out.emplace_back(n.substr(p, e - p));
    p = e + 1;
  }
  return out;
}

std::unordered_set<size_t> shingles(std::string_view t) {
  const auto w = words(t);
  std::unordered_set<size_t> out;
  std::hash<std::string> h;
  if (w.size() < 3) {
    for (const auto& x : w) out.insert(h(x));
    return out;
  }
  for (size_t i = 0; i + 2 < w.size(); ++i) out.insert(h(w[i] + ' ' + w[i + 1] + ' ' + w[i + 2]));
  return out;
}

}  // namespace

bool sameSite(std::string_view host, std::string_view site) {
  const std::string h = stripWww(lower(host));
  const std::string s = stripWww(lower(site));
  if (h == s) return true;
  return h.size() > s.size() && h.compare(h.size() - s.size(), s.size(), s) == 0 && h[h.size() - s.size() - 1] == '.';
}

std::vector<std::string> stylesheetUrls(const PageFacts& facts) {
  std::vector<std::string> out;
  for (const auto& l : facts.links)
    if (l.tag == "stylesheet" && std::find(out.begin(), out.end(), l.url) == out.end()) out.push_back(l.url);
  return out;
}

PageFacts analyzePage(std::string_view html, const std::string& pageUrl, std::string_view linkedCss) {
  PageFacts facts;
  std::string utf8;
  if (!text::isValidUtf8(html)) {
    utf8 = latin1ToUtf8(html);
    facts.transcoded = true;
    html = utf8;
  }
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 100;
  GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
  if (!out) return facts;
  Analyzer(pageUrl, facts, linkedCss).run(out->document);
  gumbo_destroy_output(&options, out);
  return facts;
}

double textSimilarity(std::string_view a, std::string_view b) {
  const auto sa = shingles(a), sb = shingles(b);
  if (sa.empty() && sb.empty()) return 1.0;
  size_t common = 0;
  for (size_t x : sa) common += sb.count(x);
  const size_t all = sa.size() + sb.size() - common;
  return all == 0 ? 1.0 : static_cast<double>(common) / static_cast<double>(all);
}

std::vector<Finding> pageFindings(const PageFacts& facts, const std::string& url, const Lexicon& lexicon,
                                  const std::vector<std::string>& allowedDomains, const std::string& headerCharset) {
  std::vector<Finding> out;
  auto add = [&](std::string id, Severity s, std::string summary) -> Finding& {
    out.push_back(Finding{"page", std::move(id), s, url, std::move(summary), {}});
    return out.back();
  };

  // Hidden content with external links or spam terms.
  for (const auto& b : facts.hidden) {
    std::vector<LexiconHit> hits = lexicon.find(b.text);
    std::vector<std::string> external;
    for (const auto& l : b.links) {
      auto parts = parseUrl(l);
      auto p = parseUrl(url);
      if (parts.ok() && p.ok() && !sameSite(parts->host, p->host)) external.push_back(l);
      for (auto& h : lexicon.findInUrl(l)) hits.push_back(std::move(h));
    }
    if (hits.empty() && external.empty()) continue;
    const auto terms = hitTerms(hits);
    // Hidden links to other sites without spam terms are common (share menus, pop-ups): low,
    // or medium when a domain is not on the portal's allow-list. With spam terms: high.
    bool notAllowed = false;
    for (const auto& l : external) {
      auto h = parseUrl(l);
      bool ok = allowedDomains.empty();
      for (const auto& a : allowedDomains) ok = ok || (h.ok() && sameSite(h->host, a));
      notAllowed = notAllowed || !ok;
    }
    const Severity severity = !terms.empty() ? Severity::kHigh : notAllowed ? Severity::kMedium : Severity::kLow;
    auto& f = add(external.empty() ? "hidden_text" : "hidden_link", severity,
                  std::string(external.empty() ? "hidden text" : "hidden link(s) to another site") +
                      (terms.empty() ? "" : " with spam terms (" + joined(terms, 5) + ")") + ": " + b.reason);
    f.with("css_reason", b.reason).with("element", b.snippet).with("text", truncated(b.text, 300));
    if (!external.empty()) f.with("links", joined(external));
    if (!terms.empty()) f.with("terms", joined(terms));
  }

  // Spam terms in the title and meta tags.
  {
    std::vector<std::string> where, terms;
    auto scan = [&](const std::string& field, const std::string& value) {
      auto t = hitTerms(lexicon.find(value));
      if (t.empty()) return;
      where.push_back(field + ": " + truncated(value, 150));
      for (auto& x : t)
        if (std::find(terms.begin(), terms.end(), x) == terms.end()) terms.push_back(x);
    };
    scan("title", facts.title);
    for (const auto& [k, v] : facts.meta) scan("meta " + k, v);
    if (!terms.empty())
      add("spam_in_title_meta", Severity::kHigh, "spam terms in the title or meta tags: " + joined(terms, 5))
          .with("terms", joined(terms))
          .with("fields", joined(where));
  }

  // Visible external links whose text or address carries spam terms.
  {
    std::vector<std::string> items, terms;
    for (const auto& l : facts.links) {
      if (!l.external || !l.hiddenReason.empty()) continue;
      auto hits = lexicon.find(l.text);
      for (auto& h : lexicon.findInUrl(l.host + " " + l.url)) hits.push_back(std::move(h));
      const auto t = hitTerms(hits);
      if (t.empty()) continue;
      items.push_back(l.url + " \"" + truncated(l.text, 80) + "\"");
      for (const auto& x : t)
        if (std::find(terms.begin(), terms.end(), x) == terms.end()) terms.push_back(x);
    }
    if (!items.empty())
      add("spam_link", Severity::kMedium,
          std::to_string(items.size()) + " external link(s) with spam terms (" + joined(terms, 5) + ")")
          .with("links", joined(items))
          .with("terms", joined(terms));
  }

  // Outbound domains: information, and against the portal's allow-list when it has one.
  if (!facts.outboundDomains.empty()) {
    std::vector<std::string> all(facts.outboundDomains.begin(), facts.outboundDomains.end());
    add("outbound_domains", Severity::kInfo, std::to_string(all.size()) + " outbound domain(s)")
        .with("domains", joined(all, 50));
    if (!allowedDomains.empty()) {
      std::vector<std::string> bad;
      for (const auto& d : all) {
        bool ok = false;
        for (const auto& a : allowedDomains) ok = ok || sameSite(d, a);
        if (!ok) bad.push_back(d);
      }
      if (!bad.empty())
        add("outbound_not_allowed", Severity::kMedium,
            std::to_string(bad.size()) + " outbound domain(s) not on the portal's allow-list: " + joined(bad, 5))
            .with("domains", joined(bad, 50));
    }
  }

  // Scripts.
  for (const auto& s : facts.scripts) {
    if (!s.src.empty()) continue;
    const bool decoder = hasTrait(s, "atob") || hasTrait(s, "eval") || hasTrait(s, "document_write") ||
                         hasTrait(s, "unescape") || hasTrait(s, "fromcharcode");
    if (hasTrait(s, "base64_literal") && decoder) {
      add("script_base64_dropper", Severity::kHigh, "inline script decodes and runs a long base64 payload")
          .with("traits", joined(s.traits))
          .with("decoded", s.decoded)
          .with("code", s.snippet);
    } else if ((hasTrait(s, "referrer_test") || hasTrait(s, "useragent_test")) && hasTrait(s, "location_change")) {
      add("script_conditional_redirect", Severity::kHigh,
          "inline script redirects depending on the referrer or the user agent")
          .with("traits", joined(s.traits))
          .with("code", s.snippet);
    } else if (decoder && (hasTrait(s, "eval") || hasTrait(s, "fromcharcode") || hasTrait(s, "unescape"))) {
      add("script_obfuscation", Severity::kLow, "inline script uses eval or string decoding")
          .with("traits", joined(s.traits))
          .with("code", s.snippet);
    }
  }

  // Mixed content: subresources over http on an https page (active ones can rewrite the page).
  if (url.rfind("https://", 0) == 0) {
    std::vector<std::string> active, passive;
    for (const auto& l : facts.links) {
      if (l.url.rfind("http://", 0) != 0) continue;
      if (l.tag == "script" || l.tag == "iframe" || l.tag == "stylesheet" || l.tag == "embed" || l.tag == "object")
        active.push_back(l.url);
      else if (l.tag == "img")
        passive.push_back(l.url);
    }
    if (!active.empty())
      add("mixed_content_active", Severity::kMedium,
          std::to_string(active.size()) + " script/frame/style resource(s) loaded over http on an https page")
          .with("resources", joined(active));
    if (!passive.empty())
      add("mixed_content_passive", Severity::kLow, std::to_string(passive.size()) + " image(s) loaded over http")
          .with("resources", joined(passive));
  }

  // Meta refresh to another site.
  if (!facts.metaRefresh.empty()) {
    auto target = parseUrl(facts.metaRefresh);
    auto self = parseUrl(url);
    if (target.ok() && self.ok() && !sameSite(target->host, self->host)) {
      const auto terms = hitTerms(lexicon.findInUrl(facts.metaRefresh));
      add("meta_refresh_external", terms.empty() ? Severity::kMedium : Severity::kHigh,
          "meta refresh sends visitors to another site: " + target->host)
          .with("target", facts.metaRefresh);
    }
  }

  // Charset: a declared non-UTF-8 charset on a UTF-8 body (or the reverse).
  std::string declared = lower(headerCharset.empty() ? facts.declaredCharset : headerCharset);
  const bool declaredUtf8 = declared.empty() || declared == "utf-8" || declared == "utf8";
  if (facts.transcoded && declaredUtf8)
    add("charset_mismatch", Severity::kLow, "the page is not valid UTF-8 although it declares UTF-8 (or nothing)")
        .with("declared", declared.empty() ? "(none)" : declared);
  else if (!facts.transcoded && !declaredUtf8 && declared != "us-ascii") {
    bool nonAscii = false;
    for (unsigned char c : facts.visibleText) nonAscii = nonAscii || c >= 0x80;
    if (nonAscii)
      add("charset_mismatch", Severity::kLow, "the page declares " + declared + " but its bytes are UTF-8")
          .with("declared", declared);
  }
  return out;
}

}  // namespace vigil::webmon
