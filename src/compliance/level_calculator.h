// LevelCalculator: the proposed security level of an information system under one regime.
// Every criterion of the catalog is evaluated against the system's facts; the level is the
// highest met (at least 1), raised to the highest component level (Decree 85 Art. 5.2; Decree 331
// has no such clause and the catalog notes the inference); flag criteria (Decree 331 Art. 16:
// critical to national security) are evaluated after the level. The result carries the reasoning
// criterion by criterion with its source, the appraising and approving bodies and the time limits
// that apply.
// Pure: no I/O, no clock. Immutable after construction; calculate() is safe from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/regime_catalog.h"
#include "core/result.h"

namespace vigil::compliance {

// The answers about one system. Facts left out take the catalog's default; a fact without a
// default must be given.
class Facts {
 public:
  Facts& set(std::string name, FactValue v) {
    values_.insert_or_assign(std::move(name), std::move(v));
    return *this;
  }
  Facts& setBool(std::string name, bool v) { return set(std::move(name), FactValue{v}); }
  Facts& setInt(std::string name, int64_t v) { return set(std::move(name), FactValue{v}); }
  Facts& setText(std::string name, std::string v) { return set(std::move(name), FactValue{std::move(v)}); }
  Facts& setSet(std::string name, StringSet v) { return set(std::move(name), FactValue{std::move(v)}); }
  const std::map<std::string, FactValue, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, FactValue, std::less<>> values_;
};

struct ComponentLevel {
  std::string name;
  int level = 1;
};

struct CriterionOutcome {
  std::string id;
  int level = 0;     // 0 for a flag criterion
  std::string flag;  // "critical" or empty
  Source source;
  std::string description;
  bool verified = true;
  std::string note;
  bool met = false;
  std::string explanation;  // "Đáp ứng: ..." / "Không đáp ứng: ...", naming the facts and values
};

struct LevelResult {
  std::string regimeId;
  int level = 1;                            // the proposed level
  int criteriaLevel = 1;                    // from the system's own criteria alone (at least 1)
  std::string raisedBy;                     // the component that set the level above criteriaLevel, if any
  Source componentRule;                     // the article that lets components raise the parent
  std::string componentRuleNote;            // caveat on componentRule when the law has no explicit clause
  bool critical = false;                    // a flag criterion "critical" is met
  std::vector<CriterionOutcome> reasoning;  // every criterion, in catalog order
  Body appraising;
  Body approving;
  std::vector<DeadlineRule> deadlines;  // the steps that apply at `level`
};

class LevelCalculator {
 public:
  explicit LevelCalculator(std::shared_ptr<const RegimeCatalog> catalog);

  const RegimeCatalog& catalog() const { return *catalog_; }

  // Checks the answers: known facts, right types, allowed values, within min..max, required ones
  // present, and the catalog's constraints (impossible combinations). The error's field names
  // the fact.
  Status validate(const Facts& facts) const;

  Result<LevelResult> calculate(const Facts& facts, const std::vector<ComponentLevel>& components = {}) const;

 private:
  Result<std::map<std::string, FactValue, std::less<>>> resolve(const Facts& facts) const;

  std::shared_ptr<const RegimeCatalog> catalog_;
};

}  // namespace vigil::compliance
