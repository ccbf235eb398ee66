// ChecklistCatalog: the requirements a system must meet at each security level under one legal
// regime, as data (catalogs/checklists/*.toml, format in the README there): groups (management
// or technical), items with the levels they apply to, their legal source, the clause of the
// national standard per level and the evidence expected, and the rules on who may assess a
// system (assessor rules). Loading is strict like RegimeCatalog's: an unknown key, regime, group,
// level or assessor type, a missing source, a duplicate id or a TOML syntax error refuses the
// whole file with "file:line: row: what". Immutable after loading; share as shared_ptr<const>.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/legal_source.h"
#include "compliance/regime_catalog.h"
#include "core/result.h"

namespace vigil::compliance {

// The assessment vocabulary shared by the catalog's assessor rules and the assessment logic
// (assessment.h). Names are the data spelling; labels are the Vietnamese shown to users.
enum class AssessmentKind { kPeriodic, kPreOperation, kAdHoc };
enum class AssessorType { kSelf, kIndependent, kExternal };
std::string_view assessmentKindName(AssessmentKind k);   // periodic | pre_operation | ad_hoc
std::string_view assessmentKindLabel(AssessmentKind k);  // "Định kỳ", ...
std::string_view assessorTypeName(AssessorType t);       // self | independent | external
std::string_view assessorTypeLabel(AssessorType t);
std::optional<AssessmentKind> parseAssessmentKind(std::string_view s);
std::optional<AssessorType> parseAssessorType(std::string_view s);
// Circumstances that tighten who may assess (Decree 331 Art. 31): serious_incident,
// major_change, authority_request, unreliable_self_assessment.
const std::vector<std::string_view>& assessmentTriggers();

struct ChecklistGroup {
  std::string id;
  std::string part;   // management | technical
  std::string title;  // the law's heading (Vietnamese)
  Source source;
  int line = 0;
};

struct ChecklistItem {
  std::string id;  // stable: assessments refer to it
  std::string group;
  std::string title;        // the law's words (Vietnamese)
  std::vector<int> levels;  // ascending
  Source source;
  std::map<int, std::string> standardClauses;  // level -> clause of the catalog's standard (optional)
  std::string evidence;                        // guidance on the evidence expected (optional)
  bool verified = true;
  std::string note;  // why unverified, or how the row was modelled
  int line = 0;
  bool appliesTo(int level) const;
  // The standard's clause at `level`, or "" when the item has none there.
  std::string standardClause(int level) const;
};

// When every named condition holds (levels, kinds, critical, any of triggers), the assessor must
// be one of `allowed`.
struct AssessorRule {
  std::string id;
  std::vector<int> levels;            // empty: any level
  std::vector<AssessmentKind> kinds;  // empty: any kind
  std::optional<bool> critical;       // unset: either
  std::vector<std::string> triggers;  // empty: regardless of triggers; else any of them
  std::vector<AssessorType> allowed;  // non-empty
  std::string message;                // the refusal, in the law's words (Vietnamese)
  Source source;
  bool verified = true;
  std::string note;
  int line = 0;
};

class ChecklistCatalog {
 public:
  // `regimes`: the loaded regime catalogs; the file's regime must be one of them (its max_level
  // bounds the levels).
  static Result<ChecklistCatalog> load(const std::string& path,
                                       const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes);
  static Result<ChecklistCatalog> parse(std::string_view text, const std::string& origin,
                                        const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes);

  const std::string& regime() const { return regime_; }
  const std::string& name() const { return name_; }
  int version() const { return version_; }
  const std::string& standard() const { return standard_; }  // e.g. "TCVN 11930:2017"; may be empty
  int maxLevel() const { return maxLevel_; }
  const std::string& origin() const { return origin_; }
  const std::vector<ChecklistGroup>& groups() const { return groups_; }
  const std::vector<ChecklistItem>& items() const { return items_; }
  const std::vector<AssessorRule>& assessorRules() const { return assessorRules_; }
  const ChecklistGroup* group(std::string_view id) const;
  const ChecklistItem* item(std::string_view id) const;

  // The checklist of a system at `level`: every item that applies at that level, in file order
  // (each level's list is complete, not a delta on the level below: Circular 12 Art. 10).
  // A level outside 1..maxLevel is a validation error naming the field "level".
  Result<std::vector<const ChecklistItem*>> checklistFor(int level) const;

 private:
  std::string origin_;
  std::string regime_;
  std::string name_;
  int version_ = 0;
  std::string standard_;
  int maxLevel_ = 5;
  std::vector<ChecklistGroup> groups_;
  std::vector<ChecklistItem> items_;
  std::vector<AssessorRule> assessorRules_;
};

// Loads every *.toml of `dir` (sorted by name); the first bad file refuses the whole set, and two
// files for the same regime are refused too.
Result<std::vector<std::shared_ptr<const ChecklistCatalog>>> loadChecklistDirectory(
    const std::string& dir, const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes);

}  // namespace vigil::compliance
