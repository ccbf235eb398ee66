// AlertStore: the one alert queue every detector feeds (issue 4, "Alerts"): Sigma rules, web
// portal checks, silent log sources, agents, officers' manual entries and notifications received
// from the national centre or the police. Part of Store (store.h), same contract: every method
// that takes an Actor enforces the access policy (an alert outside the caller's kReadAlerts scope
// is kNotFound, as if missing; triage needs kTriageAlerts on the alert's organisation, kForbidden
// otherwise) and writes its audit entry in the same transaction; a failing method changes nothing.
//
// Deduplication (raiseAlerts): a draft with the same organisation, rule and dedup key as an open
// alert (new, acknowledged, in progress) whose last_seen lies within the window is merged into it
// (count + 1, last_seen moved); a draft matching an unexpired suppression (organisation, rule,
// key) is counted on the suppression and not stored; otherwise it becomes a new alert. Detector
// alerts are system facts: they are not audited one by one (thousands per second); officers'
// actions are.
//
// Every insert or change of an alert gives it the next value of a change sequence (`seq`), so a
// client can ask for "what changed after seq N" (alertChanges) to follow the queue live.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace vigil {

// An internal four-step scale (not a legal classification; incidents are classified separately).
enum class AlertSeverity { kLow, kMedium, kHigh, kCritical };
enum class AlertState { kNew, kAcknowledged, kInProgress, kFalsePositive, kClosed };
// kIncidentDeadline: the legal clock of an incident (warnings and breaches, alerts/deadline_watch.h).
enum class DetectorKind { kSigma, kWeb, kSourceSilent, kAgent, kManual, kExternal, kIncidentDeadline };

std::string_view severityName(AlertSeverity s);
std::optional<AlertSeverity> parseSeverity(std::string_view s);
std::string_view alertStateName(AlertState s);
std::optional<AlertState> parseAlertState(std::string_view s);
std::string_view detectorName(DetectorKind d);
std::optional<DetectorKind> parseDetector(std::string_view s);
// Open: new, acknowledged, in progress. False positive and closed are terminal (reopen: new).
bool isOpen(AlertState s);

// The types an observable may have.
inline constexpr std::string_view kObservableTypes[] = {"ip", "domain", "url", "hash", "email", "file", "user", "host"};
bool isObservableType(std::string_view t);

struct Observable {
  std::string type;  // kObservableTypes
  std::string value;
  bool operator==(const Observable&) const = default;
};

// What a detector (or an officer) reports.
struct AlertDraft {
  int64_t orgId = 0;
  std::optional<int64_t> systemId;  // the information system concerned, when known
  std::string asset;                // host name or address of the asset
  DetectorKind detector = DetectorKind::kManual;
  std::string ruleId;  // detector's rule; with dedupKey the grouping key
  std::string ruleTitle;
  AlertSeverity severity = AlertSeverity::kMedium;
  std::string dedupKey;  // what makes two reports "the same" (e.g. source IP); may be empty
  std::string title;
  std::string description;
  std::vector<Observable> observables;
  std::string evidence;     // raw evidence text (a log line, a page excerpt)
  std::string eventsQuery;  // search over the stored events that shows the evidence ("" none)
  std::string sender;       // external: who sent the notification (national centre, police, ...)
  TimeMs seenAt = 0;        // when the detector saw it; 0: now
  // The rule's tags (Sigma: ATT&CK "attack.t1059.001", "attack.execution", ...); at most 64.
  std::vector<std::string> tags;
};

struct Alert {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string orgPath;
  std::optional<int64_t> systemId;
  std::string asset;
  DetectorKind detector = DetectorKind::kManual;
  std::string ruleId;
  std::string ruleTitle;
  AlertSeverity severity = AlertSeverity::kMedium;
  std::string dedupKey;
  std::string title;
  std::string description;
  std::vector<Observable> observables;
  std::string evidence;
  std::string eventsQuery;
  std::string sender;
  std::vector<std::string> tags;
  TimeMs firstSeen = 0;
  TimeMs lastSeen = 0;
  int64_t count = 1;
  AlertState state = AlertState::kNew;
  std::string stateReason;
  std::optional<int64_t> assigneeId;
  std::string assigneeName;  // username, "" when unassigned
  std::string createdBy;     // "system" for detectors, else the officer
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
  int64_t seq = 0;  // change sequence
};

struct AlertComment {
  int64_t id = 0;
  int64_t alertId = 0;
  std::optional<int64_t> userId;
  std::string author;
  std::string body;
  TimeMs createdAt = 0;
};

// Filters of the queue; empty vectors and nullopt do not filter.
struct AlertQuery {
  std::vector<AlertState> states;
  std::vector<AlertSeverity> severities;
  std::optional<int64_t> orgId;  // the agency and its subtree
  std::optional<DetectorKind> detector;
  std::string ruleId;
  std::optional<int64_t> assigneeId;  // 0: unassigned
  std::string text;                   // in title, rule title, asset or dedup key
  std::optional<TimeMs> from;         // last_seen >= from
  std::optional<TimeMs> to;           // last_seen < to
  // Keyset paging, newest last_seen first: the page after the alert (beforeLastSeen, beforeId).
  std::optional<TimeMs> beforeLastSeen;
  int64_t beforeId = 0;
  int limit = 50;
};

struct AlertPage {
  std::vector<Alert> items;
  bool hasMore = false;
};

// Alerts per state and severity in the caller's scope (and the agency filter, when given).
struct AlertCounts {
  int64_t byState[5] = {};     // index: AlertState
  int64_t bySeverity[4] = {};  // index: AlertSeverity, open alerts only
  int64_t total = 0;
};

// An officer's triage change. Absent fields are left as they are.
struct AlertPatch {
  std::optional<AlertState> state;
  std::string reason;                              // required for false positive and for reopening
  std::optional<std::optional<int64_t>> assignee;  // set: assign (nullopt inside: unassign)
  // With state false positive: also suppress this rule and key until then (ms).
  std::optional<TimeMs> suppressUntil;
};

struct Suppression {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string ruleId;
  std::string dedupKey;
  std::string reason;
  TimeMs expiresAt = 0;
  std::optional<int64_t> alertId;  // the false positive that created it
  std::string createdBy;
  TimeMs createdAt = 0;
  int64_t hits = 0;  // drafts suppressed
  TimeMs lastHitAt = 0;
};

struct SuppressionFields {
  int64_t orgId = 0;
  std::string ruleId;
  std::string dedupKey;
  std::string reason;
  TimeMs expiresAt = 0;
};

// What one raiseAlerts batch did.
struct RaiseOutcome {
  int64_t created = 0;
  int64_t merged = 0;
  int64_t suppressed = 0;
  int64_t rejected = 0;             // drafts naming a missing organisation
  std::vector<int64_t> createdIds;  // the new alerts, in draft order (merges are not listed)
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // Detectors (system level, no actor, no audit): dedups and stores a batch in one transaction.
  // `windowMs`: how recent an open alert's last_seen must be to absorb a new report.
  virtual Result<RaiseOutcome> raiseAlerts(const std::vector<AlertDraft>& drafts, TimeMs windowMs) = 0;

  // The queue in the actor's kReadAlerts scope, newest last_seen first.
  virtual Result<AlertPage> listAlerts(const Actor& actor, const AlertQuery& q) = 0;
  virtual Result<AlertCounts> countAlerts(const Actor& actor, std::optional<int64_t> orgId) = 0;
  virtual Result<Alert> getAlert(const Actor& actor, int64_t id) = 0;
  // Alerts changed after `sinceSeq`, oldest change first, at most `limit`.
  virtual Result<std::vector<Alert>> alertChanges(const Actor& actor, int64_t sinceSeq, int limit) = 0;
  // The newest change sequence number (0: no alert yet). System level.
  virtual Result<int64_t> latestAlertSeq() = 0;

  // An officer's alert (manual, or external: a notification received), never merged. Audited.
  virtual Result<Alert> createAlert(const Actor& actor, const AlertDraft& d) = 0;
  // Triage: state (validated transitions), assignment, false positive with suppression. Audited.
  virtual Result<Alert> updateAlert(const Actor& actor, int64_t id, const AlertPatch& p) = 0;
  virtual Result<std::vector<AlertComment>> listAlertComments(const Actor& actor, int64_t alertId) = 0;
  virtual Result<AlertComment> addAlertComment(const Actor& actor, int64_t alertId, const std::string& body) = 0;

  // Suppressions of the actor's scope, newest first; `includeExpired` adds expired ones.
  virtual Result<std::vector<Suppression>> listSuppressions(const Actor& actor, bool includeExpired) = 0;
  virtual Result<Suppression> createSuppression(const Actor& actor, const SuppressionFields& f) = 0;
  virtual Status deleteSuppression(const Actor& actor, int64_t id) = 0;
};

}  // namespace vigil
