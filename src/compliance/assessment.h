// Assessment logic (pure, no store): who may assess a system (the catalog's assessor rules,
// regulation.md §8.4), the status of each checklist item, the summary, the findings with their
// remediation and re-tests. These are the records the store will keep; every function here only
// validates and computes. Thread-safe (no state).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/checklist_catalog.h"
#include "compliance/schedule_catalog.h"
#include "core/result.h"

namespace vigil::compliance {

enum class ItemStatus { kMet, kPartlyMet, kNotMet, kNotApplicable };
std::string_view itemStatusName(ItemStatus s);   // met | partly_met | not_met | not_applicable
std::string_view itemStatusLabel(ItemStatus s);  // "Đáp ứng", ...
std::optional<ItemStatus> parseItemStatus(std::string_view s);

// What decides who may assess: the system and the circumstances of this assessment.
struct AssessmentContext {
  int level = 1;
  bool critical = false;  // on the critical list (regime B: every level-5 system is)
  AssessmentKind kind = AssessmentKind::kPeriodic;
  std::set<std::string> triggers;  // assessmentTriggers(): serious_incident, major_change, ...
};

struct Refusal {
  std::string rule;     // the assessor rule's id
  std::string message;  // the rule's message (Vietnamese)
  Source source;
};

struct Eligibility {
  AssessorType chosen = AssessorType::kSelf;
  std::vector<AssessorType> allowed;  // every type no applicable rule refuses
  std::vector<Refusal> refusals;      // the rules that refuse `chosen`; empty: eligible
  bool eligible() const { return refusals.empty(); }
};

// Applies every assessor rule of the catalog that matches the context. An unknown level or
// trigger is a validation error naming the field.
Result<Eligibility> checkAssessor(const ChecklistCatalog& catalog, const AssessmentContext& context,
                                  AssessorType chosen);

// The status of one checklist item. not_applicable needs a reason; evidence files are named by
// their SHA-256 (64 lowercase hex digits).
struct ItemResult {
  std::string item;
  ItemStatus status = ItemStatus::kNotMet;
  std::string reason;  // required for not_applicable
  std::string comment;
  std::vector<std::string> evidenceSha256;
};

struct Retest {
  Date on;
  ItemStatus status = ItemStatus::kNotMet;  // met closes the finding; not_applicable is refused
  std::string by;
  std::string comment;
};

// A requirement not met or partly met, with its remediation.
struct Finding {
  std::string item;
  ItemStatus status = ItemStatus::kNotMet;  // not_met or partly_met, as assessed
  std::string description;
  std::string owner;            // who remediates; required once the finding is assigned
  std::optional<Date> due;      // remediation deadline
  std::vector<Retest> retests;  // in date order
  // Closed when the latest re-test found the item met.
  bool closed() const;
  bool overdue(Date today) const;  // open, due set and today after it
};

struct Assessment {
  std::string regime;
  AssessmentContext context;
  AssessorType assessor = AssessorType::kSelf;
  std::string assessorName;  // the unit or organisation
  Date on;                   // the day of the assessment (its end)
  std::vector<ItemResult> results;
  std::vector<Finding> findings;
};

struct Summary {
  int total = 0;  // items of the level's checklist
  int met = 0, partlyMet = 0, notMet = 0, notApplicable = 0, unanswered = 0;
  int applicable() const { return total - notApplicable; }
  // met / applicable × 100, rounded to one decimal; nullopt when nothing is applicable.
  std::optional<double> percentMet;
};

// Counts the results against the checklist of `level`; results for items outside it are ignored
// (validate first).
Result<Summary> summarize(const ChecklistCatalog& catalog, int level, const std::vector<ItemResult>& results);

// One open finding per not_met or partly_met result, in checklist order, with the item's title
// as the description; owner and due are left for the lead to assign.
std::vector<Finding> findingsFrom(const ChecklistCatalog& catalog, const std::vector<ItemResult>& results);

enum class Completeness { kDraft, kComplete };

// Validates an assessment against its catalog: the regime matches, the level exists, the assessor
// is eligible (the refusal lists every rule with its source), every result names an item of the
// level's checklist once, not_applicable has a reason, evidence hashes are SHA-256 hex, and each
// finding is about a not/partly met item, has an owner and a due date not before the assessment,
// and its re-tests are dated in order from the assessment day on and not after `today`. kComplete
// also requires a result for every checklist item and a finding for every not/partly met item.
// The first problem is returned as a validation error whose field names it (e.g.
// "results[3].reason", "findings[0].due").
Status validateAssessment(const ChecklistCatalog& catalog, const Assessment& a, Completeness completeness, Date today);

}  // namespace vigil::compliance
