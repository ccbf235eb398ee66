// RegimeCatalog: one legal regime of levelled security (Decree 85/2016 + Circular 12/2022, Law
// 116/2025 + Decree 331/2026, ...) as data: the facts asked about a system, the impossible fact
// combinations, the level criteria as declarative conditions, who appraises and approves, and the
// time limits, each row with its legal source. Files live in catalogs/regimes/ (format in the
// README there). Loading is strict: an unknown key, fact, operator, value or level, a missing
// source or a TOML syntax error refuses the whole file with "file:line: row id: what".
// Immutable after loading; safe to share between threads (hold it as shared_ptr<const>).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "compliance/legal_source.h"
#include "core/result.h"

namespace vigil::compliance {

enum class FactType { kEnum, kSet, kInt, kBool };
std::string_view factTypeName(FactType t);

using StringSet = std::set<std::string>;
// The value of one fact: bool, integer, enum value, or a set of enum values.
using FactValue = std::variant<bool, int64_t, std::string, StringSet>;

struct FactDef {
  std::string name;
  std::string label;  // Vietnamese question text, used in explanations
  FactType type = FactType::kBool;
  std::vector<std::string> values;  // the allowed values of kEnum and kSet
  int64_t min = 0;                  // kInt bounds, inclusive
  int64_t max = 0;
  std::optional<FactValue> defaultValue;                        // none: the fact must be answered
  std::map<std::string, std::string, std::less<>> valueLabels;  // Vietnamese label per value (optional)
  bool allows(std::string_view v) const;
  // The Vietnamese label of an enum/set value, or the value itself when it has none.
  std::string labelOf(std::string_view v) const;
};

// A condition over facts: all/any of children, or one comparison of a fact.
struct Condition {
  enum class Kind { kAll, kAny, kLeaf };
  enum class Op { kEq, kIn, kGe, kLt, kIsTrue, kOnly, kContains };
  Kind kind = Kind::kLeaf;
  std::vector<Condition> children;
  std::string fact;
  Op op = Op::kEq;
  std::vector<std::string> strings;  // eq/contains (one), in/only (several) on enum/set facts
  std::vector<int64_t> numbers;      // eq/in (several) or ge/lt (one) on int facts
  bool boolean = false;              // is_true, or eq on a bool fact
};
std::string_view opName(Condition::Op op);

struct Criterion {
  std::string id;    // "A-9.2.c"
  int level = 0;     // 1..max_level; 0 for a flag row
  std::string flag;  // "critical" for a flag row, else empty
  Source source;
  std::string description;  // the law's wording, short (Vietnamese)
  bool verified = true;
  std::string note;  // why it is unverified, or any caveat
  Condition condition;
  int line = 0;
};

struct Body {
  std::string body;
  Source source;
};

struct AuthorityRule {
  std::vector<int> levels;
  std::vector<std::string> ownerTypes;  // empty: any owner type
  std::optional<bool> critical;         // unset: either
  Body appraising;
  Body approving;
  int line = 0;
};

enum class DeadlineUnit { kCalendarDays, kWorkingDays };
std::string_view deadlineUnitName(DeadlineUnit u);

struct DeadlineRule {
  std::string step;  // appraisal | approval | incomplete_dossier_reply
  std::vector<int> levels;
  int amount = 0;
  DeadlineUnit unit = DeadlineUnit::kCalendarDays;
  Source source;
  int line = 0;
};

// The separation a system hosted in a shared data centre or cloud needs from the other systems
// there (Circular 12/2022 Art. 9.9-9.10; Decree 331 Art. 30.8-30.9). A row applies to its levels,
// hostings and, when `critical` is set, only to systems with that critical flag.
struct SeparationRule {
  std::vector<int> levels;
  std::vector<std::string> hostings;  // data_centre | cloud
  std::optional<bool> critical;       // unset: either
  std::string required;               // logical | physical
  Source source;
  int line = 0;
};

// The legal source of one of the registry's gates (blocking warnings computed from a system's
// record and dossier). The gate logic is fixed (kGateIds); the catalog says where the law puts it.
struct GateSource {
  std::string id;  // one of kGateIds
  Source source;
  std::string note;
  int line = 0;
};
inline constexpr std::string_view kGateIds[] = {"regulation_before_approval", "approved_before_go_live",
                                                "plan_implemented_before_go_live", "operating_without_approval"};

// A document the level dossier must contain at some levels (Decree 85 Art. 15; Decree 331
// Art. 21-22). `kind` is one of kDocumentKinds (the registry's attachment kinds).
struct DocumentRule {
  std::string kind;
  std::vector<int> levels;
  Source source;
  std::string note;
  int line = 0;
};
inline constexpr std::string_view kDocumentKinds[] = {
    "overview", "design", "justification", "security_plan", "professional_opinion", "risk_assessment"};

// "When `when` holds, `require` must hold too"; a violation is reported against `fact`.
struct Constraint {
  std::string fact;
  Condition when;
  Condition require;
  std::string message;
  int line = 0;
};

class RegimeCatalog {
 public:
  // The pseudo-fact that flag criteria may read: the level computed from the level criteria.
  static constexpr std::string_view kProposedLevelFact = "proposed_level";

  static Result<RegimeCatalog> load(const std::string& path);
  static Result<RegimeCatalog> parse(std::string_view text, const std::string& origin);

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& legalBasis() const { return legalBasis_; }
  const std::string& effective() const { return effective_; }  // "2026-08-19"
  int maxLevel() const { return maxLevel_; }
  const Source& componentRule() const { return componentRule_; }
  // Caveat on componentRule when the law has no explicit clause (empty when it has).
  const std::string& componentRuleNote() const { return componentRuleNote_; }
  const std::string& origin() const { return origin_; }

  const std::vector<FactDef>& facts() const { return facts_; }
  const FactDef* fact(std::string_view name) const;
  const std::vector<Constraint>& constraints() const { return constraints_; }
  const std::vector<Criterion>& criteria() const { return criteria_; }
  const std::vector<AuthorityRule>& authorities() const { return authorities_; }
  const std::vector<DeadlineRule>& deadlines() const { return deadlines_; }
  const std::vector<SeparationRule>& separations() const { return separations_; }
  const std::vector<GateSource>& gates() const { return gates_; }
  const std::vector<DocumentRule>& documents() const { return documents_; }
  const GateSource* gate(std::string_view id) const;
  // The strictest separation row (physical before logical) that applies; nullptr if none.
  const SeparationRule* separationFor(int level, std::string_view hosting, bool critical) const;

  // The most specific authority row for a level, owner type and critical flag; nullptr if none.
  const AuthorityRule* authorityFor(int level, std::string_view ownerType, bool critical) const;

 private:
  std::string origin_;
  std::string id_;
  std::string name_;
  std::vector<std::string> legalBasis_;
  std::string effective_;
  int maxLevel_ = 5;
  Source componentRule_;
  std::string componentRuleNote_;
  std::vector<FactDef> facts_;
  std::vector<Constraint> constraints_;
  std::vector<Criterion> criteria_;
  std::vector<AuthorityRule> authorities_;
  std::vector<DeadlineRule> deadlines_;
  std::vector<SeparationRule> separations_;
  std::vector<GateSource> gates_;
  std::vector<DocumentRule> documents_;
};

// Loads every *.toml of `dir` (sorted by name); the first bad file refuses the whole set, and two
// files with the same regime id are refused too.
Result<std::vector<std::shared_ptr<const RegimeCatalog>>> loadRegimeDirectory(const std::string& dir);

}  // namespace vigil::compliance
