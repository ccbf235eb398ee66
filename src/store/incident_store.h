// IncidentStore: incidents and their records (issue 4, "Incidents"). Part of Store (store.h), same
// contract: every method that takes an Actor enforces the access policy (an incident outside the
// caller's kReadIncidents scope is kNotFound, as if missing; changing it needs kHandleIncidents on
// its organisation, kForbidden otherwise) and writes its audit entry in the same transaction; a
// failing method changes nothing.
//
// The store keeps what happened; it does not judge the process. The API validates a change
// against the incident's process version (incident/state_machine.h) and the legal clock
// (incident/legal_clock.h) on the record it read, then writes it with the record's `revision`:
// a record changed meanwhile is refused (kConflict), so two officers cannot both move the same
// incident from the same step. `nextDueAt` (the nearest open legal deadline, used to sort the
// list) is computed by the caller from the history after the change.
//
// Append-only: timeline entries, step records, recorded outputs, clock events and breach records
// are never updated or deleted (SQLite triggers refuse it; the audit chain records who wrote
// them). A correction is a new note.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "store/alert_store.h"

namespace vigil {

// The observable types an incident keeps (de-duplicated across incidents).
inline constexpr std::string_view kIncidentObservableTypes[] = {"ip", "domain", "url", "hash", "email", "file"};
bool isIncidentObservableType(std::string_view t);

// The parties an incident notifies (issue 4, "Parties").
inline constexpr std::string_view kIncidentParties[] = {"owner", "operator", "response_team", "police",
                                                        "national_coordinator"};
bool isIncidentParty(std::string_view p);
// How a party was notified.
inline constexpr std::string_view kNotifyChannels[] = {"phone", "email", "letter", "software", "in_person", "other"};
bool isNotifyChannel(std::string_view c);

struct IncidentOutputRecord {
  std::string id;  // a StepOutput id of the step
  TimeMs at = 0;
  std::string text;  // the note, the form's reference, the evidence reference
  std::string recordedBy;
};

struct IncidentStepRecord {
  int seq = 0;  // 1, 2, ... in order of entry
  std::string step;
  TimeMs enteredAt = 0;
  std::string enteredBy;
  std::vector<IncidentOutputRecord> outputs;
};

struct IncidentEventRecord {
  std::string id;  // a [[event]] id of the process
  TimeMs at = 0;
  std::string recordedBy;
};

struct IncidentTimelineEntry {
  int64_t id = 0;
  TimeMs at = 0;
  std::string kind;  // created, step, output, event, note, detected_at, classification, alert, task,
                     // party, observable, warning, breach
  std::string actor;
  std::string text;
  std::string data;  // JSON object text
};

struct IncidentTask {
  int64_t id = 0;
  int64_t incidentId = 0;
  std::string title;
  std::optional<int64_t> assigneeId;
  std::string assigneeName;
  std::optional<TimeMs> dueAt;
  bool done = false;
  TimeMs doneAt = 0;
  std::string createdBy;
  TimeMs createdAt = 0;
};

struct IncidentParty {
  int64_t id = 0;
  std::string party;    // kIncidentParties
  std::string contact;  // who was notified (a name, a unit)
  TimeMs notifiedAt = 0;
  std::string channel;  // kNotifyChannels
  std::string reference;
  std::string recordedBy;
  TimeMs createdAt = 0;
};

struct IncidentObservable {
  int64_t id = 0;  // the de-duplicated observable
  std::string type;
  std::string value;
  TimeMs addedAt = 0;
  std::string addedBy;
  int64_t otherIncidents = 0;  // other incidents (any agency) naming it: the count only
};

struct IncidentAlertLink {
  int64_t alertId = 0;
  std::string title;
  std::string state;
  TimeMs linkedAt = 0;
  std::string linkedBy;
};

struct IncidentBreach {
  int64_t id = 0;
  std::string deadlineId;
  std::string label;
  TimeMs dueAt = 0;
  TimeMs recordedAt = 0;
  std::string escalatedTo;  // the role the breach is escalated to
};

// The classification as recorded: the facts, the flags, the internal severity and the full result
// with its reasons (JSON written by the API from incident::classify).
struct IncidentClassification {
  std::vector<std::string> facts;
  std::vector<std::string> flags;
  std::string severity;  // internal scale id
  std::string severityLabel;
  std::string resultJson = "{}";
};

struct Incident {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string orgPath;
  std::optional<int64_t> systemId;
  std::string systemName;          // from the registry, "" without a system
  std::optional<int> systemLevel;  // the approved level, else the proposed one
  bool systemCritical = false;     // on the critical list
  std::string systemOwner;         // the registry's owner (chủ quản)
  std::string systemOperator;      // the registry's lead operator
  std::string title;
  std::string description;
  TimeMs detectedAt = 0;
  std::string regime;
  std::string processId;
  int processVersion = 0;
  std::string currentStep;
  bool closed = false;
  TimeMs closedAt = 0;
  IncidentClassification classification;
  std::optional<TimeMs> nextDueAt;
  int64_t sortKey = 0;  // nextDueAt, or INT64_MAX without an open deadline
  std::string createdBy;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
  int64_t revision = 0;
  // Hand-over (migration 12): the incident this one continues (closed, under its own process
  // version) and the one that continues it; same organisation.
  std::optional<int64_t> predecessorId;
  std::optional<int64_t> successorId;
  // Filled by getIncident only: "<process id>@v<version>" of the predecessor and successor.
  std::string predecessorProcess;
  std::string successorProcess;
  // Filled by getIncident and listIncidents:
  std::vector<IncidentStepRecord> steps;
  std::vector<IncidentEventRecord> events;
  // Outputs carried over from the predecessor at a hand-over (they meet legal deadlines here; no
  // step of this incident recorded them). Stored as outputs of step_seq 0.
  std::vector<IncidentOutputRecord> carriedOutputs;
  // Filled by getIncident only (empty in lists):
  std::vector<IncidentTimelineEntry> timeline;
  std::vector<IncidentTask> tasks;
  std::vector<IncidentParty> parties;
  std::vector<IncidentObservable> observables;
  std::vector<IncidentAlertLink> alerts;
  std::vector<IncidentBreach> breaches;
};

struct IncidentDraft {
  int64_t orgId = 0;
  std::optional<int64_t> systemId;
  std::string title;
  std::string description;
  TimeMs detectedAt = 0;
  std::string regime;
  std::string processId;
  int processVersion = 0;
  std::string startStep;  // entered at creation (intake)
  IncidentClassification classification;
  std::optional<TimeMs> nextDueAt;
  std::vector<int64_t> alertIds;  // promoted alerts (same organisation); they move to in_progress
  std::vector<Observable> observables;
};

// One change of an incident, validated by the caller against the record of `revision`. Everything
// given is applied in one transaction with one audit entry.
struct IncidentUpdate {
  int64_t revision = 0;
  std::vector<IncidentOutputRecord> outputs;  // outputs of the current step (recorded before a move)
  std::vector<IncidentEventRecord> events;
  std::optional<std::string> toStep;  // enter this step at `stepAt`
  TimeMs stepAt = 0;
  bool closes = false;  // the incident is over: the step entered, or the current one, is final and
                        // has all its required outputs
  std::optional<TimeMs> detectedAt;
  std::optional<IncidentClassification> classification;
  std::string note;  // a free note on the timeline (also the reason given with a move)
  std::optional<TimeMs> nextDueAt;
  bool nextDueChanged = false;  // nextDueAt (even nullopt: no open deadline) is to be written
};

// A hand-over to another process (incident/handover.h decides whether it is allowed; the caller
// validates on the record of `revision`). The incident handed over is closed (when not already,
// its final step reached) and keeps its process version; the successor is a new incident of the
// same organisation, system, title, description, detection time and classification, under
// `toProcessId`@`toVersion`, entering `startStep` at the store's time.
struct IncidentHandover {
  int64_t revision = 0;
  std::string toProcessId;
  int toVersion = 0;
  std::string startStep;
  std::string rule;    // why it is allowed: "hands_over_to" or "serious_escalation"
  std::string reason;  // the officer's reason: both timelines and the audit entry
  // Clock events carried over with their original times (the ids the target declares).
  std::vector<IncidentEventRecord> events;
  // Outputs of the predecessor that meet a legal deadline of the target (incident/handover.h),
  // carried with their times, texts and recorders.
  std::vector<IncidentOutputRecord> outputs;
  // The successor's deadlines (id, due time): a warning or breach mark of the predecessor for the
  // same id and due time carries over, so the deadline watch does not raise it twice.
  std::vector<std::pair<std::string, TimeMs>> deadlines;
  std::optional<TimeMs> nextDueAt;  // the successor's nearest open deadline
};

struct IncidentQuery {
  std::optional<int64_t> orgId;  // the agency and its subtree
  std::optional<bool> closed;
  std::string regime;
  std::string text;  // in the title
  // Keyset paging in list order (nearest open deadline first, incidents without one after, then
  // by id): the page after the incident (afterKey, afterId), afterKey being its sort key
  // (Incident::sortKey).
  std::optional<int64_t> afterKey;
  int64_t afterId = 0;
  int limit = 50;
};

struct IncidentPage {
  std::vector<Incident> items;
  bool hasMore = false;
};

struct TaskFields {
  std::optional<std::string> title;
  std::optional<std::optional<int64_t>> assignee;
  std::optional<std::optional<TimeMs>> dueAt;
  std::optional<bool> done;
};

// An open incident with what the deadline watch needs: its history and the warnings already
// raised ("<deadline id>:<level>", level 50, 75, 90 or "breach").
struct IncidentClockInput {
  Incident incident;  // with steps and events
  std::vector<std::string> raised;
};

class IncidentStore {
 public:
  virtual ~IncidentStore() = default;

  virtual Result<Incident> createIncident(const Actor& actor, const IncidentDraft& d) = 0;
  virtual Result<IncidentPage> listIncidents(const Actor& actor, const IncidentQuery& q) = 0;
  virtual Result<Incident> getIncident(const Actor& actor, int64_t id) = 0;
  virtual Result<Incident> updateIncident(const Actor& actor, int64_t id, const IncidentUpdate& u) = 0;
  // Attaches alerts (of the incident's organisation, not linked elsewhere); open ones move to
  // in_progress. kValidation naming the alert otherwise.
  virtual Result<Incident> linkAlerts(const Actor& actor, int64_t id, const std::vector<int64_t>& alertIds) = 0;
  virtual Result<IncidentTask> addTask(const Actor& actor, int64_t id, const TaskFields& f) = 0;
  virtual Result<IncidentTask> updateTask(const Actor& actor, int64_t id, int64_t taskId, const TaskFields& f) = 0;
  virtual Status deleteTask(const Actor& actor, int64_t id, int64_t taskId) = 0;
  virtual Result<IncidentParty> addParty(const Actor& actor, int64_t id, const IncidentParty& p) = 0;
  virtual Result<std::vector<IncidentObservable>> addObservables(const Actor& actor, int64_t id,
                                                                 const std::vector<Observable>& obs) = 0;
  // Ends incident `id` and starts its successor (IncidentHandover), atomically, with a "handover"
  // timeline entry on both and one audit entry (incident.handover). kConflict when the record
  // changed since `revision` or already has a successor; kForbidden without kHandleIncidents.
  // Alerts, tasks, parties, observables and evidence stay on the predecessor, reachable through
  // the link. Returns the successor.
  virtual Result<Incident> handOverIncident(const Actor& actor, int64_t id, const IncidentHandover& h) = 0;
  // The incident that an alert is linked to, when visible to the actor.
  virtual Result<std::optional<int64_t>> incidentOfAlert(const Actor& actor, int64_t alertId) = 0;

  // The deadline watch (system level). Open incidents with their history, and the warnings raised.
  virtual Result<std::vector<IncidentClockInput>> openIncidentsForClock() = 0;
  // Records a warning level (50, 75, 90) of a deadline once: the timeline entry, an alert in the
  // queue of the incident's organisation, the audit entry. False when it was already recorded.
  virtual Result<bool> raiseDeadlineWarning(int64_t incidentId, const std::string& deadlineId, const std::string& label,
                                            int level, TimeMs dueAt) = 0;
  // Records a breach once, append-only: the breach record, the timeline entry, a critical alert
  // escalated to `escalateTo` (a role), the audit entry. False when already recorded.
  virtual Result<bool> recordBreach(int64_t incidentId, const std::string& deadlineId, const std::string& label,
                                    TimeMs dueAt, const std::string& escalateTo) = 0;
};

}  // namespace vigil
