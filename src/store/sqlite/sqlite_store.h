// SqliteStore: the embedded Store. One SQLite database in WAL mode; one writer thread applies
// write jobs in batches (one transaction, a savepoint per job, so one failing job does not undo
// the others); a fixed pool of read connections serves reads concurrently.
//
// Threads: write() and read() may be called from any thread. write() blocks the caller until its
// batch commits. Shutdown (close()) finishes the queued writes, then stops the writer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace vigil::sqlite {

struct SqliteOptions {
  std::string path;  // database file
  int readerConnections = 4;
  int writerBatchMax = 256;
  int writeQueueMax = 10000;   // jobs waiting; beyond this write() fails with kUnavailable
  Metrics* metrics = nullptr;  // optional: commit and read timings, queue depth
};

// What a write job sees: the connection inside the batch transaction, the clock, and the audit
// chain head, so it can record its audit entry in the same transaction.
class WriteTx {
 public:
  WriteTx(Db& db, const Clock& clock, int64_t& auditId, std::string& auditHead)
      : db(db), now(clock.nowMs()), auditId_(auditId), auditHead_(auditHead) {}
  Db& db;
  const TimeMs now;
  // Appends `e` (time, id and hashes are filled in) as actor `a`.
  Status audit(const Actor& a, AuditEntry e);

 private:
  int64_t& auditId_;
  std::string& auditHead_;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database, applies migrations and starts the writer thread.
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteOptions& opts, const Clock& clock);
  ~SqliteStore() override;

  // Restores `backupFile` over the database at `dbPath`. The server must not be running.
  static Status restoreFrom(const std::string& backupFile, const std::string& dbPath);

  // --- OrgStore
  Result<Org> getOrg(const Actor& actor, int64_t id) override;
  Result<Page<Org>> listOrgs(const Actor& actor, bool includeArchived) override;
  Result<Org> createOrg(const Actor& actor, const OrgDraft& draft) override;
  Result<Org> updateOrg(const Actor& actor, int64_t id, const OrgPatch& patch) override;
  Result<Org> moveOrg(const Actor& actor, int64_t id, int64_t newParentId) override;
  Result<Org> setOrgArchived(const Actor& actor, int64_t id, bool archived) override;
  Result<Org> rootOrg() override;
  Result<bool> setupDone() override;
  Result<Org> completeSetup(const Actor& actor, const std::string& provinceName) override;

  // --- UserStore
  Result<Page<User>> listUsers(const Actor& actor, const UserQuery& q) override;
  Result<User> getUser(const Actor& actor, int64_t id) override;
  Result<User> createUser(const Actor& actor, const UserDraft& draft) override;
  Result<User> updateUser(const Actor& actor, int64_t id, const UserPatch& patch) override;
  Result<User> setUserRoles(const Actor& actor, int64_t id,
                            const std::vector<std::pair<int64_t, Role>>& roles) override;
  Status setPassword(const Actor& actor, int64_t id, const std::string& hash, bool mustChange) override;
  Status unlockUser(const Actor& actor, int64_t id) override;
  Status resetMfa(const Actor& actor, int64_t id) override;
  Result<UserCredentials> credentialsByName(const std::string& username) override;
  Result<UserCredentials> credentialsById(int64_t id) override;
  Result<int> recordLoginFailure(const Actor& attempt, int64_t userId, int threshold, TimeMs lockUntil) override;
  Status recordLoginSuccess(const Actor& actor, int64_t userId) override;
  Status setPendingMfa(const Actor& actor, int64_t userId, const std::string& sealedSecret) override;
  Status enableMfa(const Actor& actor, int64_t userId, int64_t acceptedStep) override;
  Status disableMfa(const Actor& actor, int64_t userId) override;
  Result<bool> claimTotpStep(int64_t userId, int64_t step) override;
  Result<int> disableInactiveUsers(TimeMs cutoff) override;
  Result<int64_t> countUsers() override;

  // --- SessionStore
  Status createSession(const Session& s) override;
  Result<Session> findSession(const std::string& tokenHash) override;
  Status touchSession(const std::string& tokenHash, TimeMs now) override;
  Status deleteSession(const std::string& tokenHash) override;
  Status deleteUserSessions(int64_t userId) override;
  Status deleteExpiredSessions(TimeMs now) override;

  // --- TokenStore
  Result<Page<ApiToken>> listTokens(const Actor& actor) override;
  Result<ApiToken> createToken(const Actor& actor, const TokenDraft& draft) override;
  Status revokeToken(const Actor& actor, int64_t id) override;
  Result<ApiToken> findTokenByHash(const std::string& secretHash) override;
  Status touchToken(int64_t id, TimeMs now) override;

  // --- AuditStore
  Status appendAudit(const Actor& actor, AuditEntry entry) override;
  Result<Page<AuditEntry>> listAudit(const Actor& actor, const AuditFilter& f) override;
  Result<AuditVerification> verifyAudit() override;

  // --- SettingsStore
  Result<SecuritySettings> securitySettings() override;
  Result<SecuritySettings> putSecuritySettings(const Actor& actor, const SecuritySettings& s) override;

  // --- RegistryStore (registry_ops.cpp)
  Result<Page<InfoSystem>> listSystems(const Actor& actor, const SystemQuery& q) override;
  Result<InfoSystem> getSystem(const Actor& actor, int64_t id) override;
  Result<InfoSystem> createSystem(const Actor& actor, const SystemFields& f, const SystemLeveler& leveler) override;
  Result<InfoSystem> updateSystem(const Actor& actor, int64_t id, const SystemFields& f,
                                  const SystemLeveler& leveler) override;
  Status deleteSystem(const Actor& actor, int64_t id, const SystemLeveler& leveler) override;
  Result<std::vector<int64_t>> importSystems(const Actor& actor, const std::vector<SystemFields>& rows,
                                             const SystemLeveler& leveler) override;
  Result<std::vector<InfoSystem>> systemComponents(const Actor& actor, int64_t id) override;
  Result<Page<Asset>> listAssets(const Actor& actor, const AssetQuery& q) override;
  Result<Asset> getAsset(const Actor& actor, int64_t id) override;
  Result<Asset> createAsset(const Actor& actor, const AssetFields& f) override;
  Result<Asset> updateAsset(const Actor& actor, int64_t id, const AssetFields& f) override;
  Status deleteAsset(const Actor& actor, int64_t id) override;
  Result<std::vector<int64_t>> importAssets(const Actor& actor, const std::vector<AssetFields>& rows) override;
  Result<AssetCoverage> assetCoverage(const Actor& actor, std::optional<int64_t> orgId,
                                      const std::string& updatedSince) override;
  Result<std::vector<SystemAccount>> listAccounts(const Actor& actor, int64_t systemId) override;
  Result<SystemAccount> createAccount(const Actor& actor, int64_t systemId, const AccountFields& f) override;
  Result<SystemAccount> updateAccount(const Actor& actor, int64_t id, const AccountFields& f) override;
  Status deleteAccount(const Actor& actor, int64_t id) override;
  Result<std::vector<BackupPolicy>> listBackups(const Actor& actor, int64_t systemId) override;
  Result<BackupPolicy> createBackup(const Actor& actor, int64_t systemId, const BackupFields& f) override;
  Result<BackupPolicy> updateBackup(const Actor& actor, int64_t id, const BackupFields& f) override;
  Status deleteBackup(const Actor& actor, int64_t id) override;
  Result<Page<Contact>> listContacts(const Actor& actor, std::optional<int64_t> orgId) override;
  Result<Contact> createContact(const Actor& actor, const ContactFields& f) override;
  Result<Contact> updateContact(const Actor& actor, int64_t id, const ContactFields& f) override;
  Status deleteContact(const Actor& actor, int64_t id) override;
  Result<std::vector<Dossier>> listDossiers(const Actor& actor, int64_t systemId) override;
  Result<Dossier> getDossier(const Actor& actor, int64_t id) override;
  Result<Dossier> createDossier(const Actor& actor, int64_t systemId) override;
  Result<Dossier> transitionDossier(const Actor& actor, int64_t id, const DossierTransition& t) override;
  Result<std::vector<Attachment>> listAttachments(const Actor& actor, int64_t dossierId) override;
  Result<Attachment> addAttachment(const Actor& actor, int64_t dossierId, const Attachment& a) override;
  Result<Attachment> getAttachment(const Actor& actor, int64_t id) override;

  // --- AssessmentStore (assessment_ops.cpp)
  Result<Assessment> createAssessment(const Actor& actor, const AssessmentFields& f,
                                      const AssessmentRules& rules) override;
  Result<Assessment> getAssessment(const Actor& actor, int64_t id) override;
  Result<std::vector<Assessment>> listAssessments(const Actor& actor, int64_t systemId) override;
  Result<ItemResultRecord> putItemResult(const Actor& actor, int64_t assessmentId, const ItemResultRecord& r,
                                         const AssessmentRules& rules) override;
  Result<EvidenceFile> addEvidence(const Actor& actor, int64_t assessmentId, const EvidenceFile& e,
                                   const AssessmentRules& rules) override;
  Result<EvidenceFile> getEvidence(const Actor& actor, int64_t id) override;
  Result<Assessment> completeAssessment(const Actor& actor, int64_t id, const std::string& completedOn,
                                        const AssessmentRules& rules) override;
  Result<FindingRecord> getFinding(const Actor& actor, int64_t id) override;
  Result<Page<FindingRecord>> listFindings(const Actor& actor, const FindingQuery& q) override;
  Result<FindingRecord> updateFinding(const Actor& actor, int64_t id, const FindingPatch& p) override;
  Result<FindingRecord> addRetest(const Actor& actor, int64_t findingId, const RetestRecord& r) override;
  Result<std::vector<ScheduleInput>> scheduleInputs(const Actor& actor, std::optional<int64_t> orgId) override;
  Result<DashboardFigures> dashboardFigures(const Actor& actor, std::optional<int64_t> orgId, const std::string& today,
                                            const std::string& coverageSince) override;

  // --- SourceStore (source_ops.cpp)
  Result<std::vector<LogSource>> listSources(const Actor& actor) override;
  Result<LogSource> getSource(const Actor& actor, int64_t id) override;
  Result<LogSource> createSource(const Actor& actor, const SourceFields& f, const std::string& tokenSha256) override;
  Result<LogSource> updateSource(const Actor& actor, int64_t id, const SourcePatch& p) override;
  Result<LogSource> setSourceToken(const Actor& actor, int64_t id, const std::string& tokenSha256) override;
  Status deleteSource(const Actor& actor, int64_t id) override;
  Result<std::vector<CollectorSource>> allSourcesForCollector() override;
  Result<std::vector<SavedSearch>> listSavedSearches(const Actor& actor) override;
  Result<SavedSearch> createSavedSearch(const Actor& actor, const std::string& name, const std::string& query,
                                        const std::string& range) override;
  Status deleteSavedSearch(const Actor& actor, int64_t id) override;

  // --- AlertStore (alert_ops.cpp)
  Result<RaiseOutcome> raiseAlerts(const std::vector<AlertDraft>& drafts, TimeMs windowMs) override;
  Result<AlertPage> listAlerts(const Actor& actor, const AlertQuery& q) override;
  Result<AlertCounts> countAlerts(const Actor& actor, std::optional<int64_t> orgId) override;
  Result<Alert> getAlert(const Actor& actor, int64_t id) override;
  Result<std::vector<Alert>> alertChanges(const Actor& actor, int64_t sinceSeq, int limit) override;
  Result<int64_t> latestAlertSeq() override;
  Result<Alert> createAlert(const Actor& actor, const AlertDraft& d) override;
  Result<Alert> updateAlert(const Actor& actor, int64_t id, const AlertPatch& p) override;
  Result<std::vector<AlertComment>> listAlertComments(const Actor& actor, int64_t alertId) override;
  Result<AlertComment> addAlertComment(const Actor& actor, int64_t alertId, const std::string& body) override;
  Result<std::vector<Suppression>> listSuppressions(const Actor& actor, bool includeExpired) override;
  Result<Suppression> createSuppression(const Actor& actor, const SuppressionFields& f) override;
  Status deleteSuppression(const Actor& actor, int64_t id) override;

  // --- EvidenceStore (evidence_ops.cpp)
  Result<EvidenceItem> addIncidentEvidence(const Actor& actor, const EvidenceDraft& d) override;
  Result<EvidenceItem> getIncidentEvidence(const Actor& actor, int64_t id) override;
  Result<std::vector<EvidenceItem>> listIncidentEvidence(const Actor& actor, int64_t incidentId) override;
  Result<CustodyEntry> addCustodyEntry(const Actor& actor, int64_t evidenceId, const CustodyDraft& d) override;
  Result<SystemPlan> attachPlan(const Actor& actor, int64_t systemId, const std::string& planId) override;
  Status detachPlan(const Actor& actor, int64_t systemId, const std::string& planId) override;
  Result<std::vector<SystemPlan>> listSystemPlans(const Actor& actor, int64_t systemId) override;
  Result<AppliedPlan> applyPlan(const Actor& actor, int64_t incidentId, const PlanApplication& p) override;
  Result<std::vector<AppliedPlan>> listAppliedPlans(const Actor& actor, int64_t incidentId) override;
  // --- IncidentStore (incident_ops.cpp)
  Result<Incident> createIncident(const Actor& actor, const IncidentDraft& d) override;
  Result<IncidentPage> listIncidents(const Actor& actor, const IncidentQuery& q) override;
  Result<Incident> getIncident(const Actor& actor, int64_t id) override;
  Result<Incident> updateIncident(const Actor& actor, int64_t id, const IncidentUpdate& u) override;
  Result<Incident> linkAlerts(const Actor& actor, int64_t id, const std::vector<int64_t>& alertIds) override;
  Result<IncidentTask> addTask(const Actor& actor, int64_t id, const TaskFields& f) override;
  Result<IncidentTask> updateTask(const Actor& actor, int64_t id, int64_t taskId, const TaskFields& f) override;
  Status deleteTask(const Actor& actor, int64_t id, int64_t taskId) override;
  Result<IncidentParty> addParty(const Actor& actor, int64_t id, const IncidentParty& p) override;
  Result<std::vector<IncidentObservable>> addObservables(const Actor& actor, int64_t id,
                                                         const std::vector<Observable>& obs) override;
  Result<std::optional<int64_t>> incidentOfAlert(const Actor& actor, int64_t alertId) override;
  Result<Incident> handOverIncident(const Actor& actor, int64_t id, const IncidentHandover& h) override;
  Result<std::vector<IncidentClockInput>> openIncidentsForClock() override;
  Result<bool> raiseDeadlineWarning(int64_t incidentId, const std::string& deadlineId, const std::string& label,
                                    int level, TimeMs dueAt) override;
  Result<bool> recordBreach(int64_t incidentId, const std::string& deadlineId, const std::string& label, TimeMs dueAt,
                            const std::string& escalateTo) override;
  // --- NotifyStore (notify_ops.cpp)
  Result<std::vector<NotifyChannel>> listChannels(const Actor& actor) override;
  Result<NotifyChannel> getChannel(const Actor& actor, int64_t id) override;
  Result<NotifyChannel> createChannel(const Actor& actor, const ChannelFields& f,
                                      const std::string& sealedSecret) override;
  Result<NotifyChannel> updateChannel(const Actor& actor, int64_t id, const ChannelPatch& p) override;
  Status deleteChannel(const Actor& actor, int64_t id) override;
  Result<ChannelWithSecret> channelForTest(const Actor& actor, int64_t id) override;
  Result<std::vector<Subscription>> listSubscriptions(const Actor& actor) override;
  Result<Subscription> getSubscription(const Actor& actor, int64_t id) override;
  Result<Subscription> createSubscription(const Actor& actor, const SubscriptionFields& f) override;
  Result<Subscription> updateSubscription(const Actor& actor, int64_t id, const SubscriptionPatch& p) override;
  Status deleteSubscription(const Actor& actor, int64_t id) override;
  Result<std::vector<Delivery>> listDeliveries(const Actor& actor, const DeliveryQuery& q) override;
  Result<int64_t> enqueueNotice(const Notice& n, TimeMs now) override;
  Result<std::vector<DueDelivery>> dueDeliveries(TimeMs now, int limit) override;
  Result<std::optional<TimeMs>> nextDeliveryDue() override;
  Status recordDeliveryAttempt(int64_t id, TimeMs now, const std::string& error,
                               std::optional<TimeMs> retryAt) override;
  Status deferDelivery(int64_t id, TimeMs until) override;
  // --- RuleStore (rule_ops.cpp)
  Result<std::vector<DetectionRule>> allDetectionRules() override;
  Result<std::vector<RuleAgencySetting>> allRuleAgencySettings() override;
  Result<std::vector<DetectionRule>> listDetectionRules(const Actor& actor) override;
  Result<DetectionRule> getDetectionRule(const Actor& actor, const std::string& uid) override;
  Result<DetectionRule> createDetectionRule(const Actor& actor, const DetectionRuleFields& f) override;
  Result<DetectionRule> updateDetectionRule(const Actor& actor, const std::string& uid, const DetectionRuleFields& f,
                                            int64_t expectedVersion) override;
  Result<DetectionRule> setDetectionRuleEnabled(const Actor& actor, const std::string& uid, bool enabled) override;
  Status deleteDetectionRule(const Actor& actor, const std::string& uid) override;
  Result<std::vector<RuleAgencySetting>> listRuleAgencySettings(const Actor& actor, const std::string& uid) override;
  Status setRuleAgency(const Actor& actor, const std::string& uid, int64_t orgId, std::optional<bool> enabled,
                       bool directoryRule) override;

  // --- ReportStore (report_ops.cpp, migration 10)
  Result<IncidentReport> createIncidentReport(const Actor& actor, const IncidentReportDraft& d) override;
  Result<std::vector<IncidentReport>> listIncidentReports(const Actor& actor, int64_t incidentId) override;
  Result<IncidentReport> getIncidentReport(const Actor& actor, int64_t incidentId, int64_t reportId) override;
  Result<IncidentReport> markReportSent(const Actor& actor, int64_t incidentId, int64_t reportId,
                                        const std::string& recipient, const std::string& channel,
                                        TimeMs sentAt) override;
  Result<IncidentReport> recordReportAck(const Actor& actor, int64_t incidentId, int64_t reportId, TimeMs ackAt,
                                         const std::string& note) override;
  // --- PortalStore (portal_ops.cpp)
  Result<Page<Portal>> listPortals(const Actor& actor, const PortalQuery& q) override;
  Result<Portal> getPortal(const Actor& actor, int64_t id) override;
  Result<Portal> createPortal(const Actor& actor, const PortalFields& f) override;
  Result<Portal> updatePortal(const Actor& actor, int64_t id, const PortalFields& f, int64_t expectedRevision) override;
  Status deletePortal(const Actor& actor, int64_t id) override;
  Result<std::vector<int64_t>> importPortals(const Actor& actor, const std::vector<PortalFields>& rows) override;
  Result<std::vector<PortalRunRecord>> listPortalRuns(const Actor& actor, int64_t portalId,
                                                      std::optional<webmon::CheckClass> checkClass, int limit) override;
  Result<Page<PortalFinding>> listPortalFindings(const Actor& actor, const PortalFindingQuery& q) override;
  Result<std::vector<PortalEvidence>> listPortalEvidence(const Actor& actor, int64_t portalId,
                                                         std::optional<int64_t> findingId) override;
  Result<PortalEvidence> getPortalEvidence(const Actor& actor, int64_t id) override;
  Result<std::vector<PortalReportRow>> portalReport(const Actor& actor, std::optional<int64_t> orgId) override;
  Result<std::vector<webmon::PortalSpec>> monitoredPortals() override;
  Result<RecordedRun> recordPortalRun(const webmon::PortalRun& run,
                                      const std::vector<PortalEvidenceDraft>& evidence) override;

  Result<User> bootstrap(const std::string& provinceName, const UserDraft& admin) override;
  Status ping() override;
  Status backupTo(const std::string& path) override;
  void close() override;

  // Runs `job` on the writer thread in the current batch; blocks until committed or failed.
  Status write(std::function<Status(WriteTx&)> job);
  // Runs `fn` on a borrowed read connection.
  template <typename F>
  auto read(F&& fn) {
    Lease lease(*this);
    return fn(*lease.db);
  }

 private:
  SqliteStore(const SqliteOptions& opts, const Clock& clock) : opts_(opts), clock_(clock) {}
  Status start();
  void writerLoop();
  Status loadAuditHead();  // writer thread, inside the batch transaction

  struct Job {
    std::function<Status(WriteTx&)> fn;
    std::promise<Status> done;
  };
  struct Lease {
    explicit Lease(SqliteStore& s);
    ~Lease();
    SqliteStore& store;
    Db* db;
    std::chrono::steady_clock::time_point start;
  };

  SqliteOptions opts_;
  const Clock& clock_;
  std::unique_ptr<Db> writer_;  // used only by the writer thread after start()
  int64_t auditId_ = 0;         // writer thread only
  std::string auditHead_;       // writer thread only

  std::mutex queueMu_;
  std::condition_variable queueCv_;
  std::deque<Job> queue_;  // GUARDED_BY(queueMu_)
  bool stopping_ = false;  // GUARDED_BY(queueMu_)
  std::thread writerThread_;

  std::mutex readersMu_;
  std::condition_variable readersCv_;
  std::vector<std::unique_ptr<Db>> readers_;  // all connections
  std::vector<Db*> freeReaders_;              // GUARDED_BY(readersMu_)
};

}  // namespace vigil::sqlite
