// PortalStore: the web portals agencies register for monitoring (issue 7), the facts of their
// latest runs, the runs themselves, the findings they raised (open or resolved, with re-infection
// counts) and the evidence kept with them. Part of Store (store.h), same contract: every method
// that takes an Actor enforces the access policy (a portal outside the caller's kReadRegistry
// scope is kNotFound, as if missing; changing one needs kManageRegistry on its organisation,
// kForbidden otherwise) and writes its audit entry in the same transaction; a failing method
// changes nothing.
//
// allow_private (monitoring a host on a private, loopback or link-local address) may only be set
// by an actor holding kManageRegistry on the province root: the monitor must not become a way for
// an agency to probe the internal network. The store enforces who may set it; the API checks the
// URL and its resolved addresses.
//
// The monitor's side (monitoredPortals, recordPortalRun) is system level: no actor, not audited
// (runs are facts of the machine, thousands a day).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "webmon/monitor.h"

namespace vigil {

// What an officer registers.
struct PortalFields {
  int64_t orgId = 0;
  std::optional<int64_t> systemId;  // the information system of the registry it belongs to
  std::string name;
  std::string url;  // http:// or https://, checked by the API
  std::vector<std::string> keyPages;
  std::vector<std::string> allowedDomains;
  std::string marker;
  std::vector<webmon::MaintenanceWindow> maintenance;
  bool allowPrivate = false;
  bool enabled = true;
  webmon::CheckIntervals intervals;
};

// Counts of open findings by severity (kInfo findings are facts, not counted).
struct OpenFindingCounts {
  int64_t low = 0;
  int64_t medium = 0;
  int64_t high = 0;
  int64_t critical = 0;
  int64_t total() const { return low + medium + high + critical; }
};

struct Portal {
  int64_t id = 0;
  PortalFields fields;
  std::string orgName;
  std::string orgPath;
  std::string systemName;  // "" when no system
  int64_t revision = 1;
  std::string createdBy;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
  // The facts of the latest runs: every fact for getPortal(), only those with a value of at most
  // kShortFactBytes for listPortals() (grades, statuses, counts; not baselines).
  webmon::Facts facts;
  OpenFindingCounts open;
  TimeMs lastRunAt = 0;  // 0: never run
};
inline constexpr size_t kShortFactBytes = 64;

struct PortalQuery {
  std::optional<int64_t> orgId;  // the agency and its subtree
  std::string text;              // in name or URL
  std::optional<bool> enabled;
  bool withOpenFindings = false;  // only portals with at least one open finding above kInfo
  int limit = 200;
  int offset = 0;
};

struct PortalRunRecord {
  int64_t id = 0;
  int64_t portalId = 0;
  webmon::CheckClass checkClass = webmon::CheckClass::kAvailability;
  TimeMs startedAt = 0;
  TimeMs finishedAt = 0;
  int attempts = 1;
  bool inMaintenance = false;
  int findings = 0;  // reported by the run, kInfo included
  int problems = 0;  // above kInfo
  int opened = 0;    // new or re-opened by the run
  int resolved = 0;  // resolved by the run
};

enum class PortalFindingStatus { kOpen, kResolved };

struct PortalFinding {
  int64_t id = 0;
  int64_t portalId = 0;
  int64_t orgId = 0;
  std::string portalName;
  webmon::CheckClass checkClass = webmon::CheckClass::kAvailability;
  std::string check;
  std::string findingId;
  std::string url;
  webmon::Severity severity = webmon::Severity::kInfo;
  std::string summary;
  std::string evidenceJson;  // the finding's key/value evidence as a JSON object
  TimeMs firstSeen = 0;      // the first time it was ever seen
  TimeMs openedAt = 0;       // when the current opening started (re-infection: the new one)
  TimeMs lastSeen = 0;
  PortalFindingStatus status = PortalFindingStatus::kOpen;
  TimeMs resolvedAt = 0;  // 0 while open
  int reinfections = 0;   // times it came back after being resolved
  std::string alertKey;   // the alert's dedup key (detector "webmon"), "" while no alert is wanted
};

struct PortalFindingQuery {
  std::optional<int64_t> portalId;
  std::optional<int64_t> orgId;  // the agency and its subtree
  std::optional<PortalFindingStatus> status;
  bool includeInfo = false;  // kInfo findings are facts; left out unless asked
  int limit = 200;
  int offset = 0;
};

// One evidence item: the original's SHA-256 and size; the bytes are kept zstd-compressed in the
// blob store under `blobSha256` (the hash of the compressed bytes).
struct PortalEvidence {
  int64_t id = 0;
  int64_t portalId = 0;
  int64_t orgId = 0;
  int64_t runId = 0;                 // 0 once the run was pruned (a finding's item stays)
  std::optional<int64_t> findingId;  // the finding it supports; none: the run's
  std::string name;
  std::string mediaType;
  std::string sha256;
  int64_t size = 0;
  std::string blobSha256;
  int64_t storedSize = 0;
  TimeMs createdAt = 0;
};

// What the monitor's side hands to recordPortalRun: the run, its findings, its facts, and its
// evidence already put in the blob store.
struct PortalEvidenceDraft {
  std::string findingKey;  // "<check>/<id>/<url>", "" = the run
  std::string name;
  std::string mediaType;
  std::string sha256;
  int64_t size = 0;
  std::string blobSha256;
  int64_t storedSize = 0;
};

// What a run changed about one finding, so that the caller raises (or does not raise) alerts.
struct FindingChange {
  enum class Kind { kOpened, kReopened, kStillOpen, kResolved };
  Kind kind = Kind::kOpened;
  PortalFinding finding;  // as stored after the run
  // True when the caller should raise the finding's alert now: opened or re-opened with an alert
  // key, or still open and given its alert key by this run.
  bool alertNow = false;
};

struct RecordedRun {
  int64_t runId = 0;
  // The portal as registered when the run was stored (for the alerts).
  int64_t orgId = 0;
  std::optional<int64_t> systemId;
  std::string portalName;
  std::string portalUrl;
  std::vector<FindingChange> changes;
};

// A portal as the reports see it: one row per portal in scope with its grades and findings.
struct PortalReportRow {
  Portal portal;
  int64_t resolvedCount = 0;
  int64_t resolvedFixMsTotal = 0;  // sum over resolved findings above kInfo of resolvedAt - openedAt
};

class PortalStore {
 public:
  virtual ~PortalStore() = default;

  // By organisation path, then name.
  virtual Result<Page<Portal>> listPortals(const Actor& actor, const PortalQuery& q) = 0;
  virtual Result<Portal> getPortal(const Actor& actor, int64_t id) = 0;
  // A URL is unique within its organisation (kConflict). The system, when given, must belong to
  // the same organisation (kValidation "system_id").
  virtual Result<Portal> createPortal(const Actor& actor, const PortalFields& f) = 0;
  // Replaces the fields (the organisation cannot change); `expectedRevision` (when non-zero) must
  // be the stored revision (kConflict otherwise). The revision moves by one.
  virtual Result<Portal> updatePortal(const Actor& actor, int64_t id, const PortalFields& f,
                                      int64_t expectedRevision) = 0;
  // Deletes the portal with its facts, runs, findings and evidence records (alerts stay).
  virtual Status deletePortal(const Actor& actor, int64_t id) = 0;
  // All or nothing: creates every row or none; an error names the row ("row 3: ...", counting
  // the header of the imported file as row 1).
  virtual Result<std::vector<int64_t>> importPortals(const Actor& actor, const std::vector<PortalFields>& rows) = 0;

  // Newest first; `checkClass` filters when given.
  virtual Result<std::vector<PortalRunRecord>> listPortalRuns(const Actor& actor, int64_t portalId,
                                                              std::optional<webmon::CheckClass> checkClass,
                                                              int limit) = 0;
  // Open first, then by severity (worst first) and last seen.
  virtual Result<Page<PortalFinding>> listPortalFindings(const Actor& actor, const PortalFindingQuery& q) = 0;
  // Newest first: the portal's evidence items, or one finding's.
  virtual Result<std::vector<PortalEvidence>> listPortalEvidence(const Actor& actor, int64_t portalId,
                                                                 std::optional<int64_t> findingId) = 0;
  virtual Result<PortalEvidence> getPortalEvidence(const Actor& actor, int64_t id) = 0;
  // Every portal in scope (optionally one agency's subtree) with its open findings and times to
  // fix, for the XLSX reports.
  virtual Result<std::vector<PortalReportRow>> portalReport(const Actor& actor, std::optional<int64_t> orgId) = 0;

  // --- The monitor's side (system level)
  // Every portal with its facts (enabled or not: the scheduler drops disabled ones and notices a
  // changed revision).
  virtual Result<std::vector<webmon::PortalSpec>> monitoredPortals() = 0;
  // In one transaction: stores the run, replaces the facts it names, opens or updates the
  // findings it reports, resolves the open findings of the same check class it no longer reports
  // (unless the run could not reach the site: a finding of check "fetch" in a class other than
  // availability makes the run inconclusive and nothing is resolved), re-opens resolved findings
  // that came back (re-infection counted), records the evidence items and keeps the newest
  // `kRunsKept` runs per portal and class (older ones go with their run-level evidence items; a
  // finding keeps its first and latest item of each name).
  // A finding gets its alert key (portalAlertKey) when alertWanted() says so, at its opening or at
  // the first later run that allows it (a finding opened during maintenance alerts once the window
  // is over and it is still there). kNotFound when the portal was deleted meanwhile.
  virtual Result<RecordedRun> recordPortalRun(const webmon::PortalRun& run,
                                              const std::vector<PortalEvidenceDraft>& evidence) = 0;
};
inline constexpr int kRunsKept = 500;

std::string_view findingStatusName(PortalFindingStatus s);
// The alert dedup key of a finding: "portal:<id>|<check>/<finding id>|<url>".
std::string portalAlertKey(int64_t portalId, std::string_view check, std::string_view id, std::string_view url);
// Whether a finding of a run should raise an alert: never for kInfo; not during a maintenance
// window for availability and content findings (runs of those classes, and "fetch" findings of
// any class: the site is down) nor for certificate findings (check "tls", id starting with
// "cert"); otherwise yes.
bool alertWanted(const webmon::PortalRun& run, const webmon::Finding& f);
// "info", "low", "medium", "high", "critical" (the names webmon::severityName gives; kept here so
// that the store does not link the monitor's checks).
std::string_view webSeverityName(webmon::Severity s);
std::optional<webmon::Severity> parseWebSeverity(std::string_view s);
// "<check>/<id>/<url>": how RunEvidence names the finding it supports.
std::string findingKeyOf(std::string_view check, std::string_view id, std::string_view url);

}  // namespace vigil
