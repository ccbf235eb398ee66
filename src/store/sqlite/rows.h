// Column lists and row readers shared by the SQLite store's files, and the scope helpers that
// turn an Actor's permission into SQL parameters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/model.h"
#include "store/sqlite/db.h"

namespace vigil::sqlite {

// Columns read by readOrg(), with table alias o.
inline constexpr const char* kOrgColumns =
    "o.id,o.parent_id,o.name,o.kind,o.code,o.path,o.archived,o.created_at,o.updated_at";
Org readOrg(const Stmt& st, int first = 0);

// Columns read by readUser(), with table alias u.
inline constexpr const char* kUserColumns =
    "u.id,u.username,u.display_name,u.email,u.org_id,u.disabled,u.disabled_reason,u.locked_until,"
    "u.mfa_secret IS NOT NULL,u.must_change_password,u.last_login_at,u.created_at";
inline constexpr int kUserColumnCount = 12;
User readUser(const Stmt& st);

inline constexpr const char* kAuditColumns =
    "a.id,a.time,a.actor_id,a.actor,a.source_ip,a.action,a.object_type,a.object_id,a.org_id,a.summary,a.result,"
    "a.prev_hash,a.hash";
AuditEntry readAudit(const Stmt& st);

inline constexpr const char* kTokenColumns =
    "t.id,t.name,t.prefix,t.org_id,o.path,t.role,t.created_by,t.created_at,t.expires_at,t.last_used_at,"
    "t.revoked_at IS NOT NULL";
ApiToken readToken(const Stmt& st);

// An actor's scope as an SQL condition on an organisation path column: one index range per
// subtree prefix, "(col >= ?k AND col < ?k+1 OR ...)", with parameters numbered from
// `firstParam` (so the statement text, and its cached plan, depends only on the prefix count).
// No prefixes: a condition that is always false.
class ScopeFilter {
 public:
  ScopeFilter(const char* pathColumn, const std::vector<std::string>& prefixes, int firstParam);
  const std::string& sql() const { return sql_; }
  void bind(Stmt& st) const;

 private:
  std::string sql_;
  std::vector<std::string> bounds_;  // lower, upper, lower, upper, ...
  int firstParam_;
};

// Role assignments of several users in one query, keyed by user id.
Result<std::map<int64_t, std::vector<RoleAssignment>>> loadRolesOf(Db& db, const std::vector<int64_t>& userIds);

// Loads an organisation the actor may read; kNotFound when it does not exist or is out of scope.
Result<Org> loadOrg(Db& db, const Actor& actor, int64_t id);
Result<Org> loadRoot(Db& db);
// Loads the role assignments of a user.
Result<std::vector<RoleAssignment>> loadRoles(Db& db, int64_t userId);

}  // namespace vigil::sqlite
