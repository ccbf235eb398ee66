// A Sigma rule as written (sigma-specification 2.x), before compilation: metadata, logsource,
// the named searches of `detection` and the condition text. parseRule() reads one YAML document
// with yaml-cpp (kept in rule_loader.cpp); compile_rule.h turns a SigmaRule into a CompiledRule.
//
// Errors: every refusal is Error::validation("<origin>:<line>", reason), line 1-based, taken
// from the YAML node at fault (yaml-cpp's Mark). Nothing here throws.
//
// Thread-safety: plain values.
#pragma once

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
  std::vector<std::string> tags, fields, falsepositives;
  Logsource logsource;
  std::vector<Search> searches;         // in file order
  std::vector<std::string> conditions;  // ORed; one when `condition` is a string
  int conditionLine = 0;
};

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

}  // namespace vigil::detect::sigma
