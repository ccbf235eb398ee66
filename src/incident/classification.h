// Incident classification as data (catalogs/incident/classification.toml): the facts an officer
// records about an incident, the statutory tests per regime (Decision 05/2017 Art. 9 "serious";
// Decree 331/2026 Art. 31.2.d national security / public order, serious, complex) and an internal
// severity scale, which is ours and labelled so.
//
// classify() is pure: given the catalog, the regime, the affected system's level (and whether it
// is on the critical list) and the recorded facts, it evaluates every test of the regime and
// returns per test whether it is met and why, condition by condition, with the sources, the
// flags set, and the internal severity. Unknown facts or a level outside 1..5 are refused.
// Immutable after loading; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/legal_source.h"
#include "compliance/regime_catalog.h"
#include "core/result.h"

namespace vigil::incident {

struct ClassFact {
  std::string id;
  std::string label;
  compliance::Source source;
  bool internal = false;  // not a legal notion (the internal scale's own facts)
};

struct ClassTest {
  std::string id;
  std::string regime;
  std::string flag;  // serious, national_security, complex
  std::string label;
  std::vector<int> levels;  // empty: any level
  bool critical = false;    // a critical-list system meets the level condition too
  std::vector<std::string> anyOf, allOf;
  compliance::Source source;
  bool verified = true;
  std::string note;
  int line = 0;
};

struct SeverityRow {
  std::string id;
  std::string label;
  std::vector<std::string> anyFlag;  // any of these flags set
  int minLevel = 0;                  // the system's level at least this (0: any)
  std::vector<std::string> anyOf;    // any of these facts recorded
};

class ClassificationCatalog {
 public:
  static Result<ClassificationCatalog> load(
      const std::string& path, const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes);
  static Result<ClassificationCatalog> parse(
      std::string_view text, const std::string& origin,
      const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes);

  int version() const { return version_; }
  const std::string& origin() const { return origin_; }
  const std::vector<ClassFact>& facts() const { return facts_; }
  const std::vector<ClassTest>& tests() const { return tests_; }
  const std::vector<SeverityRow>& severities() const { return severities_; }
  const ClassFact* fact(std::string_view id) const;

 private:
  std::string origin_;
  int version_ = 0;
  std::vector<ClassFact> facts_;
  std::vector<ClassTest> tests_;
  std::vector<SeverityRow> severities_;
};

struct ClassificationInput {
  std::string regime;        // "A_ND85_TT12", "B_ND331_TCVN14423"
  std::optional<int> level;  // the affected system's level; nullopt when not yet levelled
  bool critical = false;     // on the list of important / critical systems
  std::set<std::string> facts;
};

struct ConditionOutcome {
  bool met = false;
  std::string reason;  // which facts or which level made it so
};

struct TestOutcome {
  std::string id, flag, label;
  bool met = false;
  std::vector<ConditionOutcome> conditions;  // level, any_of, all_of (those the test has)
  compliance::Source source;
  bool verified = true;
  std::string note;
};

struct Classification {
  std::vector<TestOutcome> tests;  // every test of the regime, in catalog order
  std::set<std::string> flags;     // the flags of the met tests
  std::string severity;            // internal scale id
  std::string severityLabel;
  static constexpr bool kSeverityInternal = true;  // the scale is ours, not the law's
};

Result<Classification> classify(const ClassificationCatalog& cat, const ClassificationInput& in);

}  // namespace vigil::incident
