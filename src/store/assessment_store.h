// AssessmentStore: security assessments of information systems (kiểm tra, đánh giá an toàn hệ
// thống thông tin), their item results and evidence files, the findings with remediation and
// re-tests, the inputs of the legal schedules, and the province dashboard's aggregates. Part of
// Store (store.h), same contract: every method takes the Actor; an assessment or finding is seen
// through its system's organisation (kReadRegistry, otherwise kNotFound as if missing) and
// changed with kManageRegistry (kForbidden otherwise); every change writes its audit entry in the
// same transaction; a failing method changes nothing.
//
// The law (checklists, who may assess, the summary) is not in the store: it is asked through
// AssessmentRules, implemented above the store over the compliance catalogs (like SystemLeveler).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "model/registry.h"

namespace vigil {

inline constexpr std::string_view kAssessmentKinds[] = {"periodic", "pre_operation", "ad_hoc"};
inline constexpr std::string_view kAssessorTypes[] = {"self", "independent", "external"};
inline constexpr std::string_view kItemStatuses[] = {"met", "partly_met", "not_met", "not_applicable"};
// in_progress: results may change; completed: summary and findings fixed.
inline constexpr std::string_view kAssessmentStates[] = {"in_progress", "completed"};

struct ChecklistEntry {
  std::string id;
  std::string title;
};

// One item's result as recorded.
struct ItemResultRecord {
  std::string item;
  std::string status;  // kItemStatuses
  std::string reason;  // required for not_applicable
  std::string comment;
  TimeMs updatedAt = 0;
  std::string updatedBy;
};

// What completing an assessment yields (compliance::summarize and findingsFrom).
struct AssessmentOutcome {
  int total = 0, met = 0, partlyMet = 0, notMet = 0, notApplicable = 0, unanswered = 0;
  std::optional<double> percentMet;
  struct NewFinding {
    std::string item;
    std::string status;  // not_met | partly_met
    std::string description;
  };
  std::vector<NewFinding> findings;
};

class AssessmentRules {
 public:
  virtual ~AssessmentRules() = default;
  // The checklist of a regime at a level, in the catalog's order.
  virtual Result<std::vector<ChecklistEntry>> checklist(const std::string& regimeId, int level) const = 0;
  // kValidation on "assessor_type" when no rule allows the assessor; the message cites each rule's
  // source. Unknown kinds or triggers are kValidation on "kind" / "triggers".
  virtual Status checkAssessor(const std::string& regimeId, int level, bool critical, const std::string& kind,
                               const std::vector<std::string>& triggers, const std::string& assessorType) const = 0;
  // The summary and findings of the results (every item answered).
  virtual Result<AssessmentOutcome> outcome(const std::string& regimeId, int level,
                                            const std::vector<ItemResultRecord>& results) const = 0;
};

// What a user records when opening an assessment. Dates "YYYY-MM-DD" (checked by the API).
struct AssessmentFields {
  int64_t systemId = 0;
  std::string kind = "periodic";  // kAssessmentKinds
  std::string assessorType = "self";
  std::string assessorName;  // the unit or organisation that assesses
  std::vector<std::string> triggers;
  std::optional<std::string> plannedOn;
  std::optional<std::string> startedOn;
};

struct EvidenceFile {
  int64_t id = 0;
  int64_t assessmentId = 0;
  int64_t orgId = 0;
  std::string item;
  std::string filename;
  std::string contentType;
  int64_t size = 0;
  std::string sha256;
  TimeMs uploadedAt = 0;
  std::string uploadedBy;
};

struct RetestRecord {
  std::string on;      // YYYY-MM-DD
  std::string status;  // met | partly_met | not_met; met closes the finding
  std::string by;
  std::string comment;
  TimeMs at = 0;
};

struct FindingRecord {
  int64_t id = 0;
  int64_t assessmentId = 0;
  int64_t systemId = 0;
  int64_t orgId = 0;
  std::string systemName;
  std::string orgName;
  std::string item;
  std::string status;  // as assessed: not_met | partly_met
  std::string description;
  std::string owner;
  std::optional<std::string> dueOn;
  std::string remediation;
  std::optional<std::string> closedOn;  // the day of the re-test that found the item met
  std::vector<RetestRecord> retests;    // in date order
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
  bool overdue(const std::string& today) const { return !closedOn && dueOn && *dueOn < today; }
};

struct Assessment : AssessmentFields {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string systemName;
  std::string regimeId;  // the system's, when opened
  int level = 1;         // the system's approved level when opened, else its proposed level
  std::string state = "in_progress";
  std::optional<std::string> completedOn;
  std::optional<AssessmentOutcome> summary;  // once completed (findings listed separately)
  std::vector<ItemResultRecord> results;     // by item id
  std::vector<EvidenceFile> evidence;
  std::vector<FindingRecord> findings;
  std::string createdBy;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
};

struct FindingPatch {
  std::string owner;
  std::optional<std::string> dueOn;
  std::string remediation;
};

struct FindingQuery {
  std::optional<int64_t> orgId;     // this organisation's subtree
  std::optional<int64_t> systemId;  // one system
  bool openOnly = false;
  bool overdueOnly = false;  // open with due before `today`
  std::string today;         // YYYY-MM-DD
  int limit = 100;
  int offset = 0;
};

// The facts a system's legal schedule needs: its regime and level, the critical flag, the day
// its duty started, and the day of the last completed assessment of each kind.
struct ScheduleInput {
  int64_t systemId = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string orgPath;
  std::string systemName;
  std::string regimeId;
  int level = 1;  // approved, else proposed
  bool approved = false;
  bool critical = false;
  std::string lifecycle;
  std::optional<std::string> goLiveOn;
  std::optional<std::string> approvedOn;
  std::map<std::string, std::string> lastCompleted;  // assessment kind -> YYYY-MM-DD
};

// Figures of one agency (a direct child of the dashboard's base organisation, with its subtree;
// the base itself for what it records directly).
struct AgencyFigures {
  int64_t orgId = 0;
  std::string orgName;
  std::string orgPath;
  int64_t systems = 0;
  int64_t approved = 0;
  int64_t openFindings = 0;
  int64_t overdueFindings = 0;
  int64_t workstations = 0;
  int64_t workstationsProtected = 0;
};

struct DashboardFigures {
  int64_t baseOrgId = 0;
  std::string baseOrgName;
  std::string baseOrgPath;
  int64_t systems = 0;
  int64_t approved = 0;  // systems with an approved level
  std::map<int, int64_t> proposedByLevel;
  std::map<int, int64_t> approvedByLevel;
  std::map<std::string, int64_t> planStatus;       // kPlanStatuses -> systems
  std::map<std::string, int64_t> dossiersByState;  // the latest dossier of each system; "none"
  int64_t assessmentsInProgress = 0;
  int64_t openFindings = 0;
  int64_t overdueFindings = 0;
  std::vector<AgencyFigures> agencies;  // by name
};

class AssessmentStore {
 public:
  virtual ~AssessmentStore() = default;

  // Opens an assessment of a system at its approved level (else proposed). Refused when the
  // assessor is not allowed (rules.checkAssessor) or the system is retired.
  virtual Result<Assessment> createAssessment(const Actor& actor, const AssessmentFields& f,
                                              const AssessmentRules& rules) = 0;
  // With its results, evidence and findings.
  virtual Result<Assessment> getAssessment(const Actor& actor, int64_t id) = 0;
  // A system's assessments, newest first (without results or evidence; with findings).
  virtual Result<std::vector<Assessment>> listAssessments(const Actor& actor, int64_t systemId) = 0;
  // Records (or replaces) the result of one checklist item of an assessment in progress. An item
  // outside the assessment's checklist is kValidation on "item"; not_applicable without a reason
  // is kValidation on "reason".
  virtual Result<ItemResultRecord> putItemResult(const Actor& actor, int64_t assessmentId, const ItemResultRecord& r,
                                                 const AssessmentRules& rules) = 0;
  // Records a file already in the blob store as evidence of an item of the checklist.
  virtual Result<EvidenceFile> addEvidence(const Actor& actor, int64_t assessmentId, const EvidenceFile& e,
                                           const AssessmentRules& rules) = 0;
  virtual Result<EvidenceFile> getEvidence(const Actor& actor, int64_t id) = 0;
  // Completes an assessment in progress on `completedOn`: every checklist item needs a result
  // (kValidation on "results" naming the first item without one); stores the summary and opens
  // a finding per not/partly met item.
  virtual Result<Assessment> completeAssessment(const Actor& actor, int64_t id, const std::string& completedOn,
                                                const AssessmentRules& rules) = 0;

  virtual Result<FindingRecord> getFinding(const Actor& actor, int64_t id) = 0;
  virtual Result<Page<FindingRecord>> listFindings(const Actor& actor, const FindingQuery& q) = 0;
  // Assigns owner, due date and remediation note (the due date may not precede the assessment).
  virtual Result<FindingRecord> updateFinding(const Actor& actor, int64_t id, const FindingPatch& p) = 0;
  // Records a re-test (not before the assessment or the previous re-test); met closes the
  // finding. A closed finding takes no more re-tests (kConflict).
  virtual Result<FindingRecord> addRetest(const Actor& actor, int64_t findingId, const RetestRecord& r) = 0;

  // The schedule inputs of every system in scope (or in `orgId`'s subtree), one grouped query.
  virtual Result<std::vector<ScheduleInput>> scheduleInputs(const Actor& actor, std::optional<int64_t> orgId) = 0;
  // The dashboard's aggregates over the caller's scope (or `orgId`'s subtree). `today` and
  // `coverageSince` are YYYY-MM-DD (overdue findings; anti-malware updated since).
  virtual Result<DashboardFigures> dashboardFigures(const Actor& actor, std::optional<int64_t> orgId,
                                                    const std::string& today, const std::string& coverageSince) = 0;
};

}  // namespace vigil
