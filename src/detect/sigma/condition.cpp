// Recursive-descent parser of Sigma conditions (grammar in condition.h):
//   or_expr  := and_expr ("or" and_expr)*
//   and_expr := not_expr ("and" not_expr)*
//   not_expr := "not" not_expr | primary
//   primary  := "(" or_expr ")" | ("1" | "all") "of" (NAME | "them") | NAME
#include "detect/sigma/condition.h"

#include <cctype>

namespace vigil::detect::sigma {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '*' || c == '-' || c == '.' ||
         static_cast<unsigned char>(c) >= 0x80;
}

struct Token {
  enum class Kind { kWord, kOpen, kClose, kEnd } kind;
  std::string_view text;
  size_t column;  // 1-based
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<CondNode> parse() {
    VIGIL_TRY(tokenize());
    VIGIL_ASSIGN_OR_RETURN(CondNode n, orExpr(0));
    if (peek().kind != Token::Kind::kEnd) return fail("unexpected '" + std::string(peek().text) + "'");
    return n;
  }

 private:
  Status tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '(') {
        tokens_.push_back({Token::Kind::kOpen, text_.substr(i, 1), i + 1});
        ++i;
      } else if (c == ')') {
        tokens_.push_back({Token::Kind::kClose, text_.substr(i, 1), i + 1});
        ++i;
      } else if (isNameChar(c)) {
        const size_t start = i;
        while (i < text_.size() && isNameChar(text_[i])) ++i;
        tokens_.push_back({Token::Kind::kWord, text_.substr(start, i - start), start + 1});
      } else {
        return Error::validation("condition",
                                 std::string("unexpected character '") + c + "' at column " + std::to_string(i + 1));
      }
    }
    tokens_.push_back({Token::Kind::kEnd, {}, text_.size() + 1});
    return {};
  }

  const Token& peek() const { return tokens_[pos_]; }
  bool isWord(const Token& t, std::string_view w) const { return t.kind == Token::Kind::kWord && iequals(t.text, w); }
  bool isKeyword(const Token& t) const {
    return isWord(t, "and") || isWord(t, "or") || isWord(t, "not") || isWord(t, "of") || isWord(t, "them");
  }
  Error fail(const std::string& what) const {
    const Token& t = peek();
    return Error::validation("condition", what + " at column " + std::to_string(t.column));
  }

  Result<CondNode> orExpr(int depth) {
    if (depth > kMaxConditionDepth) return fail("condition nested too deeply");
    VIGIL_ASSIGN_OR_RETURN(CondNode left, andExpr(depth));
    if (!isWord(peek(), "or")) return left;
    CondNode n{CondNode::Op::kOr, {}, {}};
    n.kids.push_back(std::move(left));
    while (isWord(peek(), "or")) {
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(CondNode right, andExpr(depth));
      n.kids.push_back(std::move(right));
    }
    return n;
  }

  Result<CondNode> andExpr(int depth) {
    VIGIL_ASSIGN_OR_RETURN(CondNode left, notExpr(depth));
    if (!isWord(peek(), "and")) return left;
    CondNode n{CondNode::Op::kAnd, {}, {}};
    n.kids.push_back(std::move(left));
    while (isWord(peek(), "and")) {
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(CondNode right, notExpr(depth));
      n.kids.push_back(std::move(right));
    }
    return n;
  }

  Result<CondNode> notExpr(int depth) {
    if (isWord(peek(), "not")) {
      if (depth > kMaxConditionDepth) return fail("condition nested too deeply");
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(CondNode inner, notExpr(depth + 1));
      CondNode n{CondNode::Op::kNot, {}, {}};
      n.kids.push_back(std::move(inner));
      return n;
    }
    return primary(depth);
  }

  Result<CondNode> primary(int depth) {
    const Token t = peek();
    if (t.kind == Token::Kind::kOpen) {
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(CondNode inner, orExpr(depth + 1));
      if (peek().kind != Token::Kind::kClose) return fail("missing ')'");
      ++pos_;
      return inner;
    }
    if (t.kind == Token::Kind::kEnd) return fail("unexpected end of condition");
    if (t.kind == Token::Kind::kClose) return fail("unexpected ')'");
    if ((t.text == "1" || isWord(t, "all")) && isWord(tokens_[pos_ + 1], "of")) {
      pos_ += 2;
      const Token target = peek();
      if (target.kind != Token::Kind::kWord || (isKeyword(target) && !isWord(target, "them")))
        return fail("'of' needs a name pattern or 'them'");
      ++pos_;
      CondNode n{t.text == "1" ? CondNode::Op::kOneOf : CondNode::Op::kAllOf, {}, std::string(target.text)};
      if (isWord(target, "them")) n.name = "them";
      return n;
    }
    if (isWord(t, "of")) return fail("'of' must follow '1' or 'all'");
    if (isKeyword(t)) return fail("unexpected '" + std::string(t.text) + "'");
    ++pos_;
    return CondNode{CondNode::Op::kRef, {}, std::string(t.text)};
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Result<CondNode> parseCondition(std::string_view text) {
  if (text.size() > kMaxConditionBytes) return Error::validation("condition", "condition too long");
  if (text.find('|') != std::string_view::npos)
    return Error::validation("condition", "'|' aggregations (Sigma 1) are not supported; use a correlation rule");
  return Parser(text).parse();
}

std::string toString(const CondNode& n) {
  switch (n.op) {
    case CondNode::Op::kRef: return n.name;
    case CondNode::Op::kOneOf: return "1 of " + n.name;
    case CondNode::Op::kAllOf: return "all of " + n.name;
    case CondNode::Op::kNot: return "not " + toString(n.kids[0]);
    case CondNode::Op::kAnd:
    case CondNode::Op::kOr: {
      std::string s = "(";
      for (size_t i = 0; i < n.kids.size(); ++i) {
        if (i) s += n.op == CondNode::Op::kAnd ? " and " : " or ";
        s += toString(n.kids[i]);
      }
      return s + ")";
    }
  }
  return {};
}

bool namePatternMatches(std::string_view p, std::string_view s) {
  // Classic glob with one backtrack point per '*': linear in practice, O(|p|*|s|) at worst.
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace vigil::detect::sigma
