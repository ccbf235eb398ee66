// The assessments' API helpers: the store's AssessmentRules over the loaded checklist catalogs
// (compliance::checkAssessor, summarize, findingsFrom), the eligibility answer with every refusal
// and its source, and the JSON of assessments, findings and checklists. Include only from
// src/api/*.cpp (it brings Boost.JSON).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/json_io.h"
#include "compliance/assessment.h"
#include "store/assessment_store.h"

namespace vigil::api {

// The loaded checklist of a regime, or nullptr.
std::shared_ptr<const compliance::ChecklistCatalog> findChecklist(const Api& api, std::string_view regimeId);

// Who may assess: the eligibility of `assessorType` for a system at `level`. Unknown kind, assessor
// type or trigger is a validation error naming the field.
Result<compliance::Eligibility> assessorEligibility(const Api& api, const std::string& regimeId, int level,
                                                    bool critical, const std::string& kind,
                                                    const std::vector<std::string>& triggers,
                                                    const std::string& assessorType);
// {"eligible", "chosen", "allowed":[..], "refusals":[{"rule","message","source"}]}
json::value eligibilityToJson(const compliance::Eligibility& e);

class CatalogAssessmentRules : public AssessmentRules {
 public:
  explicit CatalogAssessmentRules(const Api& api) : api_(api) {}
  Result<std::vector<ChecklistEntry>> checklist(const std::string& regimeId, int level) const override;
  Status checkAssessor(const std::string& regimeId, int level, bool critical, const std::string& kind,
                       const std::vector<std::string>& triggers, const std::string& assessorType) const override;
  Result<AssessmentOutcome> outcome(const std::string& regimeId, int level,
                                    const std::vector<ItemResultRecord>& results) const override;

 private:
  const Api& api_;
};

json::value sourceToJson(const compliance::Source& s);
// The checklist of a regime at a level: groups and items with their source, clause and evidence.
Result<json::value> checklistToJson(const Api& api, const std::string& regimeId, int level);
json::value findingToJson(const FindingRecord& f, const std::string& today);
json::value evidenceToJson(const EvidenceFile& e);
json::value assessmentToJson(const Assessment& a, const std::string& today, bool full);

}  // namespace vigil::api
