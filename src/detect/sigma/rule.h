// A Sigma rule as written (sigma-specification 2.x), before compilation: metadata, logsource,
// the named searches of `detection` and the condition text. parseRule() reads one YAML document
// with yaml-cpp (kept in rule_loader.cpp); compile_rule.h turns a SigmaRule into a CompiledRule.
//
// Errors: every refusal is Error::validation("<origin>:<line>", reason), line 1-based, taken
// from the YAML node at fault (yaml-cpp's Mark). Nothing here throws.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::detect::sigma {

// A YAML scalar of a detection value. Plain (unquoted) scalars that read as an integer or a
// decimal number are kNumber, `true`/`false` kBool, `null`/`~`/nothing kNull; quoted ones are
// always kString. `text` keeps the characters as written.
struct Scalar {
  enum class Kind { kString, kNumber, kBool, kNull };
  Kind kind = Kind::kString;
  std::string text;
};

// `Field|mod1|mod2: value-or-list`. An empty field name is a keyword item (`'|contains': [...]`).
struct FieldItem {
  std::string field;
  std::vector<std::string> modifiers;  // lower case, in rule order
  std::vector<Scalar> values;          // one or more; a YAML list gives several
  int line = 0;
};

// One named search identifier of `detection`.
struct Search {
  std::string name;
  int line = 0;
  // A map (its items ANDed) gives one entry; a list of maps gives one entry per map (ORed).
  std::vector<std::vector<FieldItem>> maps;
  // A list of plain values: keywords, matched against every field value of the event (ORed).
  std::vector<Scalar> keywords;
};

struct Logsource {
  std::string product, category, service;  // lower case; empty when not given
};

struct SigmaRule {
  std::string origin;  // the file (or name) it was read from
  std::string title, id, status, level, description;
  std::string name;  // optional unique name that correlations and filters may refer to
  std::vector<std::string> tags, fields, falsepositives;
  Logsource logsource;
  std::vector<Search> searches;         // in file order
  std::vector<std::string> conditions;  // ORed; one when `condition` is a string
  int conditionLine = 0;
};

// A correlation rule (sigma-correlation-rules-specification 2.x): a YAML document with
// `correlation:`. References to rules are resolved later, over the whole rule set (detection.h).
struct CorrelationRule {
  enum class Type { kEventCount, kValueCount, kTemporal, kTemporalOrdered, kValueSum, kValueAvg, kValueMin, kValueMax };
  // One comparison of the condition map; several are ANDed (`gt: 100` and `lte: 200`).
  struct Bound {
    enum class Op { kGt, kGte, kLt, kLte, kEq, kNeq };
    Op op = Op::kGte;
    double value = 0;
  };
  std::string origin;
  int line = 0;  // the `correlation:` key
  std::string title, id, name, status, level, description;
  std::vector<std::string> tags, falsepositives;
  Type type = Type::kEventCount;
  std::vector<std::string> rules;  // ids or names, in the written order (temporal_ordered)
  int rulesLine = 0;
  std::vector<std::string> groupBy;  // Sigma field names or alias names
  int groupByLine = 0;
  // alias -> (rule name or id -> field name in the events of that rule)
  std::map<std::string, std::map<std::string, std::string>> aliases;
  int64_t timespanUs = 0;
  std::vector<Bound> bounds;  // empty only for temporal types (then: all rules must occur)
  std::string field;          // value_count and the metric types
  int conditionLine = 0;
  bool generate = false;  // also report the referenced rules' own matches
};

// A meta filter rule (sigma-filters-specification 2.x): `filter:` with `rules`, named searches and
// a condition. A rule the filter names stops matching an event the filter's condition matches
// (the rule's condition becomes `original and not filter`), provided the logsources agree.
struct FilterRule {
  std::string origin;
  int line = 0;  // the `filter:` key
  std::string title, id, name, description;
  Logsource logsource;
  std::vector<std::string> rules;  // ids or names
  int rulesLine = 0;
  // The filter's selection as a plain rule: logsource, searches and condition (compiled like a
  // detection, without the logsource check).
  SigmaRule detection;
};

// One YAML document of a rule file.
struct SigmaDocument {
  enum class Kind { kRule, kCorrelation, kFilter };
  Kind kind = Kind::kRule;
  SigmaRule rule;
  CorrelationRule correlation;
  FilterRule filter;
};

// Correlation bounds.
inline constexpr size_t kMaxGroupByFields = 8;
inline constexpr size_t kMaxCorrelationRules = 64;
inline constexpr int64_t kMaxTimespanUs = int64_t{366} * 86400 * 1000000;
// An immediate count condition (gte N) keeps up to N entries per group: N is bounded.
inline constexpr double kMaxCountThreshold = 100000;
inline constexpr size_t kMaxDocumentsPerFile = 1000;

// Limits that keep a hostile rule from costing much (fuzzing, uploads).
inline constexpr size_t kMaxRuleBytes = 1 << 20;
inline constexpr size_t kMaxValuesPerItem = 20000;
// YAML aliases can repeat a node many times without repeating its bytes ("billion laughs"): the
// loader counts every value and its bytes as read, aliases included.
inline constexpr size_t kMaxValuesPerRule = 100000;
inline constexpr size_t kMaxValueBytesPerRule = 8 << 20;

// Parses one rule document. `origin` names it in errors ("rules/x.yml").
Result<SigmaRule> parseRule(std::string_view yamlText, const std::string& origin);
// Reads and parses a file; the origin is `displayName` (or the path when empty).
Result<SigmaRule> loadRuleFile(const std::string& path, const std::string& displayName = {});

// Parses every document of a file (`---` separated): detection rules, correlation rules and meta
// filter rules. Each document succeeds or fails alone; a failure names "<origin>:<line>" with the
// line counted in the whole file. A file-level failure (too large, unreadable) is one error.
// Sigma 1 collections (`action: global/reset/repeat`) are refused.
std::vector<Result<SigmaDocument>> parseDocuments(std::string_view yamlText, const std::string& origin);
std::vector<Result<SigmaDocument>> loadDocumentsFile(const std::string& path, const std::string& displayName = {});

// "5m" -> microseconds: a positive integer and one of s, m, h, d (the specification) or w.
std::optional<int64_t> parseTimespan(std::string_view text);

}  // namespace vigil::detect::sigma
