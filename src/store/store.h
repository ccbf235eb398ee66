// The Store: vigil's persistence boundary. The rest of the program talks to these interfaces
// only, so that a PostgreSQL implementation can follow the SQLite one.
//
// Contract for every implementation:
// - Access is enforced here, not in handlers: each operation takes the calling Actor and checks
//   model/access.h. An object outside the actor's read scope is reported as kNotFound, exactly
//   like a missing one; a visible object the actor may not change is kForbidden.
// - Every successful state change writes its audit entry in the same transaction, chained to the
//   previous entry by hash (see audit/chain.h).
// - Only prepared statements with bound parameters reach the database.
// - All methods are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "store/alert_store.h"
#include "store/assessment_store.h"
#include "store/evidence_store.h"
#include "store/incident_store.h"
#include "store/notify_store.h"
#include "store/portal_store.h"
#include "store/registry_store.h"
#include "store/report_store.h"
#include "store/rule_store.h"
#include "store/source_store.h"

namespace vigil {

struct OrgDraft {
  int64_t parentId = 0;
  std::string name;
  OrgKind kind = OrgKind::kOther;
  std::string code;
};

struct OrgPatch {
  std::optional<std::string> name;
  std::optional<OrgKind> kind;
  std::optional<std::string> code;
};

class OrgStore {
 public:
  virtual ~OrgStore() = default;
  virtual Result<Org> getOrg(const Actor& actor, int64_t id) = 0;
  virtual Result<Page<Org>> listOrgs(const Actor& actor, bool includeArchived) = 0;
  virtual Result<Org> createOrg(const Actor& actor, const OrgDraft& draft) = 0;
  virtual Result<Org> updateOrg(const Actor& actor, int64_t id, const OrgPatch& patch) = 0;
  virtual Result<Org> moveOrg(const Actor& actor, int64_t id, int64_t newParentId) = 0;
  virtual Result<Org> setOrgArchived(const Actor& actor, int64_t id, bool archived) = 0;
  // The root (province). Public facts only: name and whether first-run setup is done.
  virtual Result<Org> rootOrg() = 0;
  virtual Result<bool> setupDone() = 0;
  // Names the province and marks first-run setup done (root administrator, once).
  virtual Result<Org> completeSetup(const Actor& actor, const std::string& provinceName) = 0;
};

struct UserDraft {
  std::string username;
  std::string displayName;
  std::string email;
  int64_t orgId = 0;
  std::string passwordHash;
  bool mustChangePassword = true;
  std::vector<std::pair<int64_t, Role>> roles;
};

struct UserPatch {
  std::optional<std::string> displayName;
  std::optional<std::string> email;
  std::optional<bool> disabled;
};

struct UserQuery {
  std::string text;  // matches username, display name or e-mail
  std::optional<int64_t> orgId;
  int limit = 100;
  int offset = 0;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual Result<Page<User>> listUsers(const Actor& actor, const UserQuery& q) = 0;
  virtual Result<User> getUser(const Actor& actor, int64_t id) = 0;
  virtual Result<User> createUser(const Actor& actor, const UserDraft& draft) = 0;
  virtual Result<User> updateUser(const Actor& actor, int64_t id, const UserPatch& patch) = 0;
  virtual Result<User> setUserRoles(const Actor& actor, int64_t id,
                                    const std::vector<std::pair<int64_t, Role>>& roles) = 0;
  // Sets a password hash. The actor is the user themself or an administrator of their subtree.
  virtual Status setPassword(const Actor& actor, int64_t id, const std::string& hash, bool mustChange) = 0;
  virtual Status unlockUser(const Actor& actor, int64_t id) = 0;
  virtual Status resetMfa(const Actor& actor, int64_t id) = 0;

  // Authentication support. These do not check access (the caller is not yet authenticated) and
  // are used only by auth/.
  virtual Result<UserCredentials> credentialsByName(const std::string& username) = 0;
  virtual Result<UserCredentials> credentialsById(int64_t id) = 0;
  // Counts a failed password; locks the account until `lockUntil` when the count reaches
  // `threshold`. Returns the new count.
  virtual Result<int> recordLoginFailure(const Actor& attempt, int64_t userId, int threshold, TimeMs lockUntil) = 0;
  virtual Status recordLoginSuccess(const Actor& actor, int64_t userId) = 0;
  virtual Status setPendingMfa(const Actor& actor, int64_t userId, const std::string& sealedSecret) = 0;
  virtual Status enableMfa(const Actor& actor, int64_t userId, int64_t acceptedStep) = 0;
  virtual Status disableMfa(const Actor& actor, int64_t userId) = 0;
  // Atomically records `step` as used when it is newer than the last used step; false when the
  // code was already used (replay).
  virtual Result<bool> claimTotpStep(int64_t userId, int64_t step) = 0;
  // Disables accounts with no login (or creation) since `cutoff`. Returns how many.
  virtual Result<int> disableInactiveUsers(TimeMs cutoff) = 0;
  virtual Result<int64_t> countUsers() = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Status createSession(const Session& s) = 0;
  virtual Result<Session> findSession(const std::string& tokenHash) = 0;
  virtual Status touchSession(const std::string& tokenHash, TimeMs now) = 0;
  virtual Status deleteSession(const std::string& tokenHash) = 0;
  virtual Status deleteUserSessions(int64_t userId) = 0;
  virtual Status deleteExpiredSessions(TimeMs now) = 0;
};

struct TokenDraft {
  std::string name;
  int64_t orgId = 0;
  Role role = Role::kSocAnalyst;
  TimeMs expiresAt = 0;
  std::string secretHash;
  std::string prefix;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  virtual Result<Page<ApiToken>> listTokens(const Actor& actor) = 0;
  virtual Result<ApiToken> createToken(const Actor& actor, const TokenDraft& draft) = 0;
  virtual Status revokeToken(const Actor& actor, int64_t id) = 0;
  virtual Result<ApiToken> findTokenByHash(const std::string& secretHash) = 0;
  virtual Status touchToken(int64_t id, TimeMs now) = 0;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends an entry that is not part of another change (logins, refused requests).
  virtual Status appendAudit(const Actor& actor, AuditEntry entry) = 0;
  virtual Result<Page<AuditEntry>> listAudit(const Actor& actor, const AuditFilter& f) = 0;
  // Walks the whole chain; reports the first entry whose hash or link does not match.
  virtual Result<AuditVerification> verifyAudit() = 0;
};

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual Result<SecuritySettings> securitySettings() = 0;
  virtual Result<SecuritySettings> putSecuritySettings(const Actor& actor, const SecuritySettings& s) = 0;
};

class Store : public OrgStore,
              public UserStore,
              public SessionStore,
              public TokenStore,
              public AuditStore,
              public SettingsStore,
              public RegistryStore,
              public AssessmentStore,
              public SourceStore,
              public AlertStore,
              public EvidenceStore,
              public IncidentStore,
              public NotifyStore,
              public RuleStore,
              public ReportStore,
              public PortalStore {
 public:
  // Creates the root organisation (the province) and the first administrator, with the
  // administrator role on the root, when the store is empty; kConflict when it is not.
  virtual Result<User> bootstrap(const std::string& provinceName, const UserDraft& admin) = 0;
  // True when the store answers a trivial query (readiness).
  virtual Status ping() = 0;
  // Writes a consistent copy of the whole store to `path` while it keeps serving.
  virtual Status backupTo(const std::string& path) = 0;
  // Stops background threads after finishing queued writes.
  virtual void close() = 0;
};

}  // namespace vigil
