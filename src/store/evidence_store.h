// EvidenceStore: the evidence of incidents (issue 4) with its chain of custody, and the response
// plans attached to information systems. Part of Store (store.h), same contract: every method
// takes the Actor; an item belongs to an incident and is seen through the incident's organisation
// with the incidents' rights (kReadIncidents, otherwise kNotFound as if missing) and recorded with
// kHandleIncidents (kForbidden otherwise); every change writes its audit entry and its incident
// timeline entry in the same transaction; a failing method changes nothing. Plans attached to a
// system follow the registry's rights (kReadRegistry / kManageRegistry); a plan applied to an
// incident follows the incident's.
//
// The file bytes are not here: they live content-addressed in a BlobStore (store/blob_store.h)
// and the row keeps their SHA-256 and size. Items and custody entries are append-only (the
// database refuses UPDATE and DELETE on them); a correction is a new custody entry.
//
// The incident: the store reads the organisation from the incident row and copies it onto the
// item (access is decided from the item's row); migration 11's trigger refuses an item whose
// incident does not exist or whose organisation is not the incident's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace vigil {

// collected: the first entry of every item, written with it. The others are recorded later.
inline constexpr std::string_view kCustodyActions[] = {"collected", "transferred", "handed_over", "exported"};

struct CustodyEntry {
  int64_t id = 0;
  int64_t evidenceId = 0;
  std::string action;  // kCustodyActions
  TimeMs at = 0;       // when it happened (may be before it was recorded)
  std::string by;      // who did it (a person, not necessarily a user of vigil)
  std::string to;      // to whom it went (transferred, handed_over, exported); empty for collected
  std::string reason;  // why
  std::string recordedBy;
  TimeMs recordedAt = 0;
};

// What is recorded with a new item. The file is already in the blob store (sha256, size).
struct EvidenceDraft {
  int64_t incidentId = 0;
  std::string name;  // the file name as collected
  std::string mediaType;
  int64_t size = 0;
  std::string sha256;  // lower-case hex
  std::string description;
  std::string collectedBy;  // empty: the actor
  TimeMs collectedAt = 0;   // 0: now; never in the future
  std::string reason;       // why it was collected (the "collected" custody entry)
};

struct EvidenceItem {
  int64_t id = 0;
  int64_t incidentId = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string name;
  std::string mediaType;
  int64_t size = 0;
  std::string sha256;
  std::string description;
  std::string collectedBy;
  TimeMs collectedAt = 0;
  std::string recordedBy;
  TimeMs recordedAt = 0;
  std::vector<CustodyEntry> custody;  // in order
};

struct CustodyDraft {
  std::string action;  // transferred | handed_over | exported
  TimeMs at = 0;       // 0: now; not before the item's last entry, never in the future
  std::string by;      // empty: the actor
  std::string to;      // required
  std::string reason;  // required
};

struct SystemPlan {
  int64_t systemId = 0;
  std::string planId;
  std::string attachedBy;
  TimeMs attachedAt = 0;
};

// A response plan applied to an incident: its tasks, computed by the caller from the plan library
// (incident/response_plan.h, tasksFor), become the incident's tasks.
struct PlanTaskDraft {
  std::string taskId;  // the plan's task id
  std::string title;
  std::optional<TimeMs> dueAt;
  std::string detailJson = "{}";  // what the task row cannot hold (priority, lead, step, source)
};

struct PlanApplication {
  std::string planId;
  int planVersion = 0;
  std::string planName;  // for the timeline
  std::vector<PlanTaskDraft> tasks;
};

struct AppliedPlan {
  int64_t incidentId = 0;
  std::string planId;
  int planVersion = 0;
  std::string appliedBy;
  TimeMs appliedAt = 0;
  std::string tasksJson = "[]";  // [{task_id, incident_task_id, title, due_at, ...detail}]
};

class EvidenceStore {
 public:
  virtual ~EvidenceStore() = default;

  // Records an item and its "collected" custody entry, and an "evidence" entry on the incident's
  // timeline. kNotFound for an incident the actor cannot see; kValidation naming the field for
  // an empty name, a malformed hash, a size < 1, a collection time in the future.
  virtual Result<EvidenceItem> addIncidentEvidence(const Actor& actor, const EvidenceDraft& d) = 0;
  // One item with its custody log.
  virtual Result<EvidenceItem> getIncidentEvidence(const Actor& actor, int64_t id) = 0;
  // The items of an incident the actor may read, oldest first, with their custody logs.
  virtual Result<std::vector<EvidenceItem>> listIncidentEvidence(const Actor& actor, int64_t incidentId) = 0;
  // Appends a custody entry. kValidation on "action" (not transferred / handed_over / exported),
  // "to", "reason" (empty), "at" (before the last entry or in the future).
  virtual Result<CustodyEntry> addCustodyEntry(const Actor& actor, int64_t evidenceId, const CustodyDraft& d) = 0;

  // Attaches a response plan to a system. The plan id must be one of the plan library's
  // (checked by the caller, which holds the catalogs); here: a non-empty id of [a-z0-9_-].
  // Attaching it twice is kConflict.
  virtual Result<SystemPlan> attachPlan(const Actor& actor, int64_t systemId, const std::string& planId) = 0;
  virtual Status detachPlan(const Actor& actor, int64_t systemId, const std::string& planId) = 0;
  virtual Result<std::vector<SystemPlan>> listSystemPlans(const Actor& actor, int64_t systemId) = 0;

  // Applies a plan to an incident (kHandleIncidents): creates its tasks, records the application,
  // a "plan" timeline entry and the audit entry. A plan applied twice to the same incident is
  // kConflict; a closed incident is kValidation; a plan without tasks is kValidation.
  virtual Result<AppliedPlan> applyPlan(const Actor& actor, int64_t incidentId, const PlanApplication& p) = 0;
  // The plans applied to an incident (kReadIncidents), in order of application.
  virtual Result<std::vector<AppliedPlan>> listAppliedPlans(const Actor& actor, int64_t incidentId) = 0;
};

}  // namespace vigil
