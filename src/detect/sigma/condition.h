// The Sigma condition language: `and`, `or`, `not`, parentheses, `1 of PATTERN`, `all of PATTERN`,
// `1 of them`, `all of them`, where PATTERN is a search name with `*` wildcards. Precedence:
// not > and > or; `and`/`or` are left-associative. Keywords are case-insensitive.
//
// parseCondition() only checks the syntax; resolving names against the rule's searches is done
// when the rule is compiled (compiled_rule.h), which also rejects names that match nothing.
// Errors: Error::validation("condition", "<reason> at column N"). Input is bounded (kMaxConditionBytes,
// nesting kMaxConditionDepth) so a hostile condition costs little.
//
// Thread-safety: plain values.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::detect::sigma {

inline constexpr size_t kMaxConditionBytes = 64 * 1024;
inline constexpr int kMaxConditionDepth = 64;

struct CondNode {
  enum class Op { kAnd, kOr, kNot, kRef, kOneOf, kAllOf };
  Op op = Op::kRef;
  std::vector<CondNode> kids;  // kAnd/kOr: two or more; kNot: one
  std::string name;            // kRef: a search name; kOneOf/kAllOf: a pattern, or "them"
};

Result<CondNode> parseCondition(std::string_view text);

// The node back as text (fully parenthesised); tests and error messages.
std::string toString(const CondNode& node);

// Sigma's name patterns: `*` matches any run of characters (case-sensitive, as search names are).
bool namePatternMatches(std::string_view pattern, std::string_view name);

}  // namespace vigil::detect::sigma
