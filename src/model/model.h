// The records of the foundation: organisations, users, role assignments, API tokens, audit
// entries and security settings. Plain values; the Store owns persistence and access checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "model/access.h"

namespace vigil {

// Kinds of node in the organisation tree. The root is the only kProvince.
enum class OrgKind { kProvince, kDepartment, kDistrict, kCommune, kUnit, kOther };
std::string_view orgKindName(OrgKind k);
std::optional<OrgKind> parseOrgKind(std::string_view s);

struct Org {
  int64_t id = 0;
  std::optional<int64_t> parentId;
  std::string name;
  OrgKind kind = OrgKind::kOther;
  std::string code;  // the agency's own code (mã đơn vị), optional
  std::string path;  // "/1/4/9/": ids from the root; a subtree is every path with this prefix
  bool archived = false;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
};

struct RoleAssignment {
  int64_t orgId = 0;
  std::string orgName;
  std::string orgPath;
  Role role = Role::kUnitOfficer;
};

struct User {
  int64_t id = 0;
  std::string username;
  std::string displayName;
  std::string email;
  int64_t orgId = 0;
  bool disabled = false;
  std::string disabledReason;
  std::optional<TimeMs> lockedUntil;
  bool mfaEnabled = false;
  bool mustChangePassword = false;
  std::optional<TimeMs> lastLoginAt;
  TimeMs createdAt = 0;
  std::vector<RoleAssignment> roles;
};

// What the authentication layer needs about a user; never leaves the server.
struct UserCredentials {
  User user;
  std::string passwordHash;
  int failedLogins = 0;
  std::string mfaSecretSealed;         // empty when MFA is off
  std::string mfaPendingSecretSealed;  // during enrolment
  int64_t mfaLastStep = 0;             // last TOTP time step accepted (replay guard)
};

struct ApiToken {
  int64_t id = 0;
  std::string name;
  std::string prefix;  // first characters of the secret, to recognise it
  int64_t orgId = 0;
  std::string orgPath;
  Role role = Role::kUnitOfficer;
  std::optional<int64_t> createdBy;
  TimeMs createdAt = 0;
  TimeMs expiresAt = 0;
  std::optional<TimeMs> lastUsedAt;
  bool revoked = false;
};

enum class SessionKind { kSession, kMfaPending };

struct Session {
  std::string tokenHash;
  int64_t userId = 0;
  SessionKind kind = SessionKind::kSession;
  TimeMs createdAt = 0;
  TimeMs lastSeenAt = 0;
  TimeMs expiresAt = 0;
};

struct AuditEntry {
  int64_t id = 0;
  TimeMs time = 0;
  std::optional<int64_t> actorId;
  std::string actor;
  std::string sourceIp;
  std::string action;      // "org.create", "auth.login", ...
  std::string objectType;  // "org", "user", "token", "session", "settings", ...
  std::string objectId;
  std::optional<int64_t> orgId;
  std::string summary;  // JSON object text: what changed
  std::string result;   // "success", "failure: <code>", "denied"
  std::string prevHash;
  std::string hash;
};

struct AuditFilter {
  std::string actor;
  std::string action;  // exact, or a prefix ending in '.' ("org.")
  std::string objectType;
  std::string objectId;
  std::optional<TimeMs> from;
  std::optional<TimeMs> to;
  int limit = 100;
  int offset = 0;
};

struct AuditVerification {
  bool ok = true;
  int64_t checked = 0;
  std::optional<int64_t> firstBrokenId;
  std::string reason;
};

// Account policy; the defaults are the national baseline (8 characters with MFA, 14 without,
// accounts unused for 45 days disabled).
struct SecuritySettings {
  int passwordMinLengthWithMfa = 8;
  int passwordMinLengthWithoutMfa = 14;
  int inactiveDays = 45;
  std::vector<Role> mfaRequiredRoles{Role::kAdministrator};
  int sessionIdleMinutes = 30;
  int sessionAbsoluteHours = 12;
  int lockoutThreshold = 5;
  int lockoutMinutes = 15;
};

template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;
};

}  // namespace vigil
