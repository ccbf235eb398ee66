#include "eventstore/query.h"

#include <charconv>
#include <optional>

#include "core/clock.h"
#include "eventstore/codec.h"
#include "eventstore/text.h"

namespace vigil::eventstore {
namespace {

constexpr size_t kMaxQueryBytes = 8192;
constexpr int kMaxDepth = 64;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '@' || c == '-';
}
// Ends a bare word or a field value.
bool endsWord(char c) { return isSpace(c) || c == '(' || c == ')' || c == '"'; }

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<Node> parse() {
    if (s_.size() > kMaxQueryBytes)
      return fail(kMaxQueryBytes + 1, "the query is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
    skip();
    if (pos_ == s_.size()) return Node{};
    VIGIL_ASSIGN_OR_RETURN(Node n, parseOr(0));
    skip();
    if (pos_ < s_.size()) {
      if (s_[pos_] == ')') return fail(pos_ + 1, "')' without a matching '('");
      return fail(pos_ + 1, "unexpected '" + std::string(1, s_[pos_]) + "'");
    }
    return n;
  }

 private:
  static Error failAt(size_t column, const std::string& what) {
    Error e = Error::badRequest("column " + std::to_string(column) + ": " + what);
    e.field = "q";
    return e;
  }
  Error fail(size_t column, const std::string& what) const { return failAt(column, what); }

  void skip() {
    while (pos_ < s_.size() && isSpace(s_[pos_])) ++pos_;
  }
  // The keyword at pos_ (AND, OR, NOT) followed by a separator.
  bool keyword(std::string_view k) const {
    if (s_.substr(pos_, k.size()) != k) return false;
    size_t after = pos_ + k.size();
    return after == s_.size() || isSpace(s_[after]) || s_[after] == '(' || s_[after] == '"';
  }
  bool atTermStart() const { return pos_ < s_.size() && s_[pos_] != ')' && !keyword("OR") && !keyword("AND"); }

  static Node combine(Node::Kind kind, std::vector<Node> parts) {
    if (parts.size() == 1) return std::move(parts[0]);
    Node n;
    n.kind = kind;
    for (auto& p : parts) {
      if (p.kind == kind) {
        for (auto& c : p.children) n.children.push_back(std::move(c));
      } else {
        n.children.push_back(std::move(p));
      }
    }
    return n;
  }

  Result<Node> parseOr(int depth) {
    std::vector<Node> parts;
    VIGIL_ASSIGN_OR_RETURN(Node first, parseAnd(depth));
    parts.push_back(std::move(first));
    skip();
    while (keyword("OR")) {
      size_t at = pos_;
      pos_ += 2;
      skip();
      if (pos_ == s_.size() || s_[pos_] == ')') return fail(at + 1, "OR needs a term after it");
      VIGIL_ASSIGN_OR_RETURN(Node next, parseAnd(depth));
      parts.push_back(std::move(next));
      skip();
    }
    return combine(Node::Kind::kOr, std::move(parts));
  }

  Result<Node> parseAnd(int depth) {
    std::vector<Node> parts;
    VIGIL_ASSIGN_OR_RETURN(Node first, parseUnary(depth));
    parts.push_back(std::move(first));
    for (;;) {
      skip();
      if (keyword("AND")) {
        size_t at = pos_;
        pos_ += 3;
        skip();
        if (pos_ == s_.size() || s_[pos_] == ')' || keyword("OR") || keyword("AND"))
          return fail(at + 1, "AND needs a term after it");
      } else if (!atTermStart()) {
        break;
      }
      VIGIL_ASSIGN_OR_RETURN(Node next, parseUnary(depth));
      parts.push_back(std::move(next));
    }
    return combine(Node::Kind::kAnd, std::move(parts));
  }

  Result<Node> parseUnary(int depth) {
    if (depth >= kMaxDepth)
      return fail(pos_ + 1, "the query nests deeper than " + std::to_string(kMaxDepth) + " levels");
    skip();
    if (pos_ == s_.size()) return fail(pos_ + 1, "a term is missing at the end");
    bool neg = false;
    size_t at = pos_;
    if (keyword("NOT")) {
      pos_ += 3;
      neg = true;
    } else if (s_[pos_] == '-' && pos_ + 1 < s_.size() && !isSpace(s_[pos_ + 1])) {
      pos_ += 1;
      neg = true;
    }
    if (neg) {
      skip();
      if (pos_ == s_.size() || s_[pos_] == ')') return fail(at + 1, "NOT needs a term after it");
      VIGIL_ASSIGN_OR_RETURN(Node inner, parseUnary(depth + 1));
      Node n;
      n.kind = Node::Kind::kNot;
      n.children.push_back(std::move(inner));
      return n;
    }
    if (s_[pos_] == '(') {
      size_t open = pos_;
      ++pos_;
      skip();
      if (pos_ == s_.size()) return fail(open + 1, "'(' is not closed");
      if (s_[pos_] == ')') return fail(open + 1, "empty parentheses");
      VIGIL_ASSIGN_OR_RETURN(Node inner, parseOr(depth + 1));
      skip();
      if (pos_ == s_.size() || s_[pos_] != ')') return fail(open + 1, "'(' is not closed");
      ++pos_;
      return inner;
    }
    if (s_[pos_] == ')') return fail(pos_ + 1, "')' without a matching '('");
    if (keyword("OR") || keyword("AND"))
      return fail(pos_ + 1, std::string(keyword("OR") ? "OR" : "AND") + " needs a term before it");
    return parseTerm();
  }

  Result<std::string> quoted() {
    size_t open = pos_;
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out.push_back(s_[pos_++]);
    }
    if (pos_ == s_.size()) return fail(open + 1, "the quote is not closed");
    ++pos_;
    return out;
  }

  std::string_view word(bool stopAtBracket) {
    size_t start = pos_;
    while (pos_ < s_.size() && !endsWord(s_[pos_]) && !(stopAtBracket && (s_[pos_] == ']' || s_[pos_] == '}'))) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  Result<Node> parseTerm() {
    Node n;
    if (s_[pos_] == '"') {
      VIGIL_ASSIGN_OR_RETURN(n.value, quoted());
      n.kind = Node::Kind::kText;
      n.phrase = true;
      return n;
    }
    // A field name followed by ':'?
    size_t nameEnd = pos_;
    while (nameEnd < s_.size() && isNameChar(s_[nameEnd])) ++nameEnd;
    if (nameEnd > pos_ && nameEnd < s_.size() && s_[nameEnd] == ':') {
      n.kind = Node::Kind::kField;
      n.field = std::string(s_.substr(pos_, nameEnd - pos_));
      pos_ = nameEnd + 1;
      return parseValue(std::move(n), nameEnd + 2);
    }
    size_t start = pos_;
    std::string_view w = word(false);
    if (w.empty()) return fail(start + 1, "unexpected '" + std::string(1, s_[start]) + "'");
    if (w == "*") return Node{};
    n.kind = Node::Kind::kText;
    n.value = std::string(w);
    n.op = w.find_first_of("*?") == std::string_view::npos ? Node::Op::kEq : Node::Op::kWildcard;
    return n;
  }

  Result<Node> parseValue(Node n, size_t colonColumn) {
    auto missing = [&]() { return fail(colonColumn, "'" + n.field + ":' needs a value"); };
    if (pos_ == s_.size() || isSpace(s_[pos_]) || s_[pos_] == ')') return missing();
    char c = s_[pos_];
    if (c == '"') {
      VIGIL_ASSIGN_OR_RETURN(n.value, quoted());
      n.phrase = true;
      return n;
    }
    if (c == '(') return fail(pos_ + 1, "grouped values are not supported: write (a:x OR a:y)");
    if (c == '[' || c == '{') {
      size_t open = pos_;
      n.op = Node::Op::kRange;
      n.loInclusive = c == '[';
      ++pos_;
      skip();
      size_t loAt = pos_;
      n.lo = std::string(word(true));
      if (n.lo.empty()) return fail(loAt + 1, "the range needs a lower bound (or *)");
      skip();
      if (s_.substr(pos_, 2) != "TO") return fail(pos_ + 1, "expected TO in the range");
      pos_ += 2;
      skip();
      size_t hiAt = pos_;
      n.hi = std::string(word(true));
      if (n.hi.empty()) return fail(hiAt + 1, "the range needs an upper bound (or *)");
      skip();
      if (pos_ == s_.size() || (s_[pos_] != ']' && s_[pos_] != '}'))
        return fail(open + 1, "the range is not closed with ] or }");
      n.hiInclusive = s_[pos_] == ']';
      ++pos_;
      return n;
    }
    if (c == '>' || c == '<') {
      size_t at = pos_;
      bool eq = pos_ + 1 < s_.size() && s_[pos_ + 1] == '=';
      pos_ += eq ? 2 : 1;
      std::string_view w = word(false);
      if (w.empty()) return fail(at + 1, "'" + std::string(s_.substr(at, eq ? 2 : 1)) + "' needs a value");
      n.op = Node::Op::kRange;
      if (c == '>') {
        n.lo = std::string(w), n.hi = "*", n.loInclusive = eq;
      } else {
        n.lo = "*", n.hi = std::string(w), n.hiInclusive = eq;
      }
      return n;
    }
    std::string_view w = word(false);
    if (w.empty()) return missing();
    n.value = std::string(w);
    n.op = w.find_first_of("*?") == std::string_view::npos ? Node::Op::kEq : Node::Op::kWildcard;
    return n;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

void print(const Node& n, std::string& out) {
  auto quote = [&](const std::string& v) {
    out.push_back('"');
    for (char c : v) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  };
  switch (n.kind) {
    case Node::Kind::kAll: out += "ALL"; return;
    case Node::Kind::kAnd:
    case Node::Kind::kOr:
    case Node::Kind::kNot:
      out += n.kind == Node::Kind::kAnd ? "(AND" : n.kind == Node::Kind::kOr ? "(OR" : "(NOT";
      for (const auto& c : n.children) {
        out.push_back(' ');
        print(c, out);
      }
      out.push_back(')');
      return;
    case Node::Kind::kText:
      out += n.phrase ? "phrase:" : n.op == Node::Op::kWildcard ? "text~" : "text:";
      quote(n.value);
      return;
    case Node::Kind::kField:
      out += n.field;
      if (n.op == Node::Op::kRange) {
        out += n.loInclusive ? ":[" : ":{";
        out += n.lo + " TO " + n.hi;
        out += n.hiInclusive ? "]" : "}";
        return;
      }
      out += n.op == Node::Op::kWildcard ? "~" : "=";
      quote(n.value);
      return;
  }
}

std::optional<int64_t> parseInt(std::string_view s) {
  int64_t v = 0;
  const char* b = s.data();
  if (!s.empty() && s[0] == '+') ++b;
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || b == s.data() + s.size()) return std::nullopt;
  return v;
}

// A time bound: RFC 3339 or integer microseconds since the epoch.
std::optional<int64_t> parseTimeUs(std::string_view s) {
  if (auto v = parseInt(s)) return v;
  if (auto ms = parseRfc3339(s)) return *ms * 1000;
  return std::nullopt;
}

}  // namespace

Result<Node> parseQuery(std::string_view text) { return Parser(text).parse(); }

std::string toString(const Node& node) {
  std::string out;
  print(node, out);
  return out;
}

bool TermFilter::mayContain(uint64_t h) const {
  if (bits == 0) return true;
  const uint64_t h1 = h, h2 = (h >> 32) | (h << 32) | 1;
  for (uint32_t i = 0; i < hashes; ++i) {
    const uint64_t bit = (h1 + i * h2) % bits;
    if (!(words[bit >> 6] & (1ull << (bit & 63)))) return false;
  }
  return true;
}

uint64_t fieldTermHash(std::string_view field, std::string_view v) { return hashTerm(field, v); }
uint64_t textTermHash(std::string_view t) { return hashTerm("\x01", t); }

const FieldView* findField(const EventView& e, std::string_view name, FieldView& tmp) {
  if (!name.empty() && (name[0] == '@' || name[0] == 'v')) {
    if (name == "@timestamp") {
      tmp = {name, normalize::ValueType::kTime, {}, e.timeUs};
      return &tmp;
    }
    if (name == "vigil.org_id" || name == "vigil.source_id") {
      tmp = {name, normalize::ValueType::kInt, {}, name == "vigil.org_id" ? e.orgId : e.sourceId};
      return &tmp;
    }
  }
  for (size_t i = 0; i < e.fieldCount; ++i)
    if (e.fields[i].name == name) return &e.fields[i];
  if (e.names == nullptr) return nullptr;
  Reader r(e.packed);
  const uint64_t n = r.var();
  for (uint64_t k = 0; k < n && r.ok; ++k) {
    const uint64_t id = r.var();
    if (id >= e.nameCount || !readValue(r, e.raw, tmp)) return nullptr;
    if (e.names[id] == name) {
      tmp.name = e.names[id];
      return &tmp;
    }
  }
  return nullptr;
}

bool readValue(Reader& r, std::string_view raw, FieldView& f) {
  const uint8_t t = r.byte();
  if (t > static_cast<uint8_t>(normalize::ValueType::kTime)) return false;
  f.type = static_cast<normalize::ValueType>(t);
  f.number = 0;
  f.text = {};
  switch (f.type) {
    case normalize::ValueType::kString:
    case normalize::ValueType::kIp:
      if (r.byte() == 1) {
        const uint64_t off = r.var(), len = r.var();
        if (off > raw.size() || len > raw.size() - off) return false;
        f.text = raw.substr(off, len);
      } else {
        f.text = r.bytes(r.var());
      }
      break;
    case normalize::ValueType::kInt:
      f.number = r.svar();
      f.text = r.bytes(r.var());
      break;
    case normalize::ValueType::kTime: f.number = r.svar(); break;
  }
  return r.ok;
}

bool decodeFields(const EventView& e, std::vector<FieldView>& out) {
  out.assign(e.fields, e.fields + e.fieldCount);
  if (e.names == nullptr) return true;
  Reader r(e.packed);
  const uint64_t n = r.var();
  for (uint64_t k = 0; k < n && r.ok; ++k) {
    FieldView f;
    const uint64_t id = r.var();
    if (id >= e.nameCount || !readValue(r, e.raw, f)) return false;
    f.name = e.names[id];
    out.push_back(f);
  }
  return r.ok;
}

// ---- the matcher ----

struct Leaf {
  Node::Kind kind = Node::Kind::kText;
  Node::Op op = Node::Op::kEq;
  bool fold = true;  // the query text is ASCII: compare against folded text
  std::string field;
  std::string norm;                 // eq/wildcard value, normalised (lowercase, folded when ASCII)
  std::vector<std::string> tokens;  // free text: normalised tokens
  std::optional<int64_t> number;    // eq value as an integer
  std::optional<int64_t> timeUs;    // eq value as a time
  std::string lo, hi;               // range bounds as written
  bool loOpen = false, hiOpen = false, loInc = true, hiInc = true;
  std::optional<int64_t> loNum, hiNum, loTime, hiTime;
  std::vector<std::vector<uint64_t>> filterTerms;  // any of the groups, each all of its hashes
};

struct Matcher::Compiled {
  enum class Op { kAll, kAnd, kOr, kNot, kLeaf };
  struct CNode {
    Op op = Op::kAll;
    std::vector<CNode> children;
    size_t leaf = 0;
  };
  CNode root;
  std::vector<Leaf> leaves;

  CNode compile(const Node& n) {
    CNode c;
    switch (n.kind) {
      case Node::Kind::kAll: c.op = Op::kAll; return c;
      case Node::Kind::kAnd:
      case Node::Kind::kOr:
      case Node::Kind::kNot:
        c.op = n.kind == Node::Kind::kAnd ? Op::kAnd : n.kind == Node::Kind::kOr ? Op::kOr : Op::kNot;
        for (const auto& ch : n.children) c.children.push_back(compile(ch));
        return c;
      case Node::Kind::kText:
      case Node::Kind::kField: break;
    }
    c.op = Op::kLeaf;
    c.leaf = leaves.size();
    leaves.push_back(makeLeaf(n));
    return c;
  }

  static std::string normalise(std::string_view s, bool fold) { return fold ? folded(s) : lower(s); }

  static Leaf makeLeaf(const Node& n) {
    Leaf l;
    l.kind = n.kind;
    l.op = n.op;
    l.field = n.field;
    l.fold = isAscii(n.value);
    if (n.kind == Node::Kind::kText) {
      l.norm = normalise(n.value, l.fold);
      forEachToken(l.norm, [&](std::string_view t) { l.tokens.emplace_back(t); });
      if (n.op == Node::Op::kEq && !l.tokens.empty()) {
        std::vector<uint64_t> all;
        for (const auto& t : l.tokens) all.push_back(textTermHash(t));
        l.filterTerms.push_back(std::move(all));
      }
      // A wildcard whose fixed part is several tokens is matched against the whole message.
      if (n.op == Node::Op::kWildcard && l.tokens.size() > 1) l.tokens.clear();
      return l;
    }
    if (n.op == Node::Op::kRange) {
      l.lo = n.lo, l.hi = n.hi;
      l.loOpen = n.lo == "*", l.hiOpen = n.hi == "*";
      l.loInc = n.loInclusive, l.hiInc = n.hiInclusive;
      l.loNum = parseInt(n.lo), l.hiNum = parseInt(n.hi);
      l.loTime = parseTimeUs(n.lo), l.hiTime = parseTimeUs(n.hi);
      return l;
    }
    l.norm = normalise(n.value, l.fold);
    if (n.op == Node::Op::kEq) {
      l.number = parseInt(n.value);
      l.timeUs = parseTimeUs(n.value);
      if (n.field != "@timestamp" && n.field != "vigil.org_id") {
        l.filterTerms.push_back({fieldTermHash(n.field, l.norm)});
        if (l.number) l.filterTerms.push_back({fieldTermHash(n.field, std::to_string(*l.number))});
      }
    }
    return l;
  }

  static void tokenize(const EventView& e, Scratch& s) {
    if (s.rawData == e.raw.data() && s.rawSize == e.raw.size()) return;
    s.rawData = e.raw.data();
    s.rawSize = e.raw.size();
    s.lowerTokens.clear();
    s.foldedTokens.clear();
    forEachToken(e.raw, [&](std::string_view t) {
      if (isAscii(t)) {
        s.lowerTokens.emplace_back();
        appendLower(t, s.lowerTokens.back());
        s.foldedTokens.push_back(s.lowerTokens.back());
      } else {
        s.lowerTokens.push_back(lower(t));
        s.foldedTokens.push_back(folded(t));
      }
    });
  }

  bool textMatches(const Leaf& l, const EventView& e, Scratch& s) const {
    if (l.tokens.empty()) {
      // No token in the query text ("!!" or a multi-token wildcard): match the whole message.
      s.buf.clear();
      if (l.fold) {
        appendFolded(e.raw, s.buf);
      } else {
        appendLower(e.raw, s.buf);
      }
      if (l.op == Node::Op::kWildcard) return globMatch("*" + l.norm + "*", s.buf);
      return s.buf.find(l.norm) != std::string::npos;
    }
    if (l.op == Node::Op::kEq) {
      // Every token of the query must at least be a substring of the normalised message.
      const int k = l.fold ? 1 : 0;
      if (s.normData[k] != e.raw.data() || s.normSize[k] != e.raw.size()) {
        s.normData[k] = e.raw.data();
        s.normSize[k] = e.raw.size();
        s.norm[k].clear();
        if (l.fold) {
          appendFolded(e.raw, s.norm[k]);
        } else {
          appendLower(e.raw, s.norm[k]);
        }
      }
      for (const auto& t : l.tokens)
        if (s.norm[k].find(t) == std::string::npos) return false;
    }
    tokenize(e, s);
    const auto& toks = l.fold ? s.foldedTokens : s.lowerTokens;
    if (l.op == Node::Op::kWildcard) {
      for (const auto& t : toks)
        if (globMatch(l.tokens[0].size() == l.norm.size() ? l.tokens[0] : l.norm, t)) return true;
      return false;
    }
    const size_t n = l.tokens.size();
    if (toks.size() < n) return false;
    for (size_t i = 0; i + n <= toks.size(); ++i) {
      size_t k = 0;
      while (k < n && toks[i + k] == l.tokens[k]) ++k;
      if (k == n) return true;
    }
    return false;
  }

  static int compareNum(int64_t a, int64_t b) { return a < b ? -1 : a > b ? 1 : 0; }

  bool fieldMatches(const Leaf& l, const EventView& e, Scratch& s) const {
    FieldView tmp;
    const FieldView* f = findField(e, l.field, tmp);
    if (!f) return false;
    using normalize::ValueType;
    if (l.op == Node::Op::kRange) {
      auto inRange = [&](auto cmpLo, auto cmpHi) {
        if (!l.loOpen) {
          int c = cmpLo();
          if (c < 0 || (c == 0 && !l.loInc)) return false;
        }
        if (!l.hiOpen) {
          int c = cmpHi();
          if (c > 0 || (c == 0 && !l.hiInc)) return false;
        }
        return true;
      };
      if (f->type == ValueType::kInt || f->type == ValueType::kTime) {
        const auto& lo = f->type == ValueType::kInt ? l.loNum : l.loTime;
        const auto& hi = f->type == ValueType::kInt ? l.hiNum : l.hiTime;
        if ((!l.loOpen && !lo) || (!l.hiOpen && !hi)) return false;
        return inRange([&] { return compareNum(f->number, *lo); }, [&] { return compareNum(f->number, *hi); });
      }
      return inRange([&] { return f->text.compare(l.lo); }, [&] { return f->text.compare(l.hi); });
    }
    if (l.op == Node::Op::kEq) {
      if (f->type == ValueType::kInt) {
        if (l.number) return f->number == *l.number;
      } else if (f->type == ValueType::kTime) {
        return l.timeUs && f->number == *l.timeUs;
      }
    }
    s.buf.clear();
    if (f->type == ValueType::kInt && f->text.empty()) {
      s.buf = std::to_string(f->number);
    } else if (l.fold) {
      appendFolded(f->text, s.buf);
    } else {
      appendLower(f->text, s.buf);
    }
    if (l.op == Node::Op::kWildcard) return globMatch(l.norm, s.buf);
    return s.buf == l.norm;
  }

  bool eval(const CNode& c, const EventView& e, Scratch& s) const {
    switch (c.op) {
      case Op::kAll: return true;
      case Op::kAnd:
        for (const auto& ch : c.children)
          if (!eval(ch, e, s)) return false;
        return true;
      case Op::kOr:
        for (const auto& ch : c.children)
          if (eval(ch, e, s)) return true;
        return false;
      case Op::kNot: return !eval(c.children[0], e, s);
      case Op::kLeaf: {
        const Leaf& l = leaves[c.leaf];
        return l.kind == Node::Kind::kText ? textMatches(l, e, s) : fieldMatches(l, e, s);
      }
    }
    return false;
  }

  bool may(const CNode& c, const TermFilter& f) const {
    switch (c.op) {
      case Op::kAll:
      case Op::kNot: return true;
      case Op::kAnd:
        for (const auto& ch : c.children)
          if (!may(ch, f)) return false;
        return true;
      case Op::kOr:
        for (const auto& ch : c.children)
          if (may(ch, f)) return true;
        return false;
      case Op::kLeaf: {
        const Leaf& l = leaves[c.leaf];
        if (l.filterTerms.empty()) return true;
        for (const auto& group : l.filterTerms) {
          bool all = true;
          for (uint64_t h : group) all = all && f.mayContain(h);
          if (all) return true;
        }
        return false;
      }
    }
    return true;
  }
};

Matcher::Matcher(const Node& root) : c_(std::make_unique<Compiled>()) { c_->root = c_->compile(root); }
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
bool Matcher::matchesAll() const { return c_->root.op == Compiled::Op::kAll; }
bool Matcher::matches(const EventView& e, Scratch& s) const {
  // The scratch caches are valid for one event only (buffers are reused, so pointers repeat).
  s.rawData = nullptr;
  s.normData[0] = s.normData[1] = nullptr;
  return c_->eval(c_->root, e, s);
}
bool Matcher::mayMatch(const TermFilter& f) const { return c_->may(c_->root, f); }

}  // namespace vigil::eventstore
