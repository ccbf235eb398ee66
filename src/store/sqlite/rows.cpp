#include "store/sqlite/rows.h"

namespace vigil::sqlite {

Org readOrg(const Stmt& st, int c) {
  Org o;
  o.id = st.int64(c);
  o.parentId = st.optInt64(c + 1);
  o.name = st.text(c + 2);
  o.kind = parseOrgKind(st.text(c + 3)).value_or(OrgKind::kOther);
  o.code = st.text(c + 4);
  o.path = st.text(c + 5);
  o.archived = st.int64(c + 6) != 0;
  o.createdAt = st.int64(c + 7);
  o.updatedAt = st.int64(c + 8);
  return o;
}

User readUser(const Stmt& st) {
  User u;
  u.id = st.int64(0);
  u.username = st.text(1);
  u.displayName = st.text(2);
  u.email = st.text(3);
  u.orgId = st.int64(4);
  u.disabled = st.int64(5) != 0;
  u.disabledReason = st.text(6);
  u.lockedUntil = st.optInt64(7);
  u.mfaEnabled = st.int64(8) != 0;
  u.mustChangePassword = st.int64(9) != 0;
  u.lastLoginAt = st.optInt64(10);
  u.createdAt = st.int64(11);
  return u;
}

AuditEntry readAudit(const Stmt& st) {
  AuditEntry e;
  e.id = st.int64(0);
  e.time = st.int64(1);
  e.actorId = st.optInt64(2);
  e.actor = st.text(3);
  e.sourceIp = st.text(4);
  e.action = st.text(5);
  e.objectType = st.text(6);
  e.objectId = st.text(7);
  e.orgId = st.optInt64(8);
  e.summary = st.text(9);
  e.result = st.text(10);
  e.prevHash = st.text(11);
  e.hash = st.text(12);
  return e;
}

ApiToken readToken(const Stmt& st) {
  ApiToken t;
  t.id = st.int64(0);
  t.name = st.text(1);
  t.prefix = st.text(2);
  t.orgId = st.int64(3);
  t.orgPath = st.text(4);
  t.role = parseRole(st.text(5)).value_or(Role::kAuditor);
  t.createdBy = st.optInt64(6);
  t.createdAt = st.int64(7);
  t.expiresAt = st.int64(8);
  t.lastUsedAt = st.optInt64(9);
  t.revoked = st.int64(10) != 0;
  return t;
}

ScopeFilter::ScopeFilter(const char* pathColumn, const std::vector<std::string>& prefixes, int firstParam)
    : firstParam_(firstParam) {
  if (prefixes.empty()) {
    sql_ = "(0)";
    return;
  }
  sql_ = "(";
  int p = firstParam;
  for (const auto& prefix : prefixes) {
    if (p != firstParam) sql_ += " OR ";
    sql_ +=
        std::string(pathColumn) + " >= ?" + std::to_string(p) + " AND " + pathColumn + " < ?" + std::to_string(p + 1);
    p += 2;
    // Paths hold only digits and '/', all below '~', so [prefix, prefix + "~") is the subtree.
    bounds_.push_back(prefix);
    bounds_.push_back(prefix + "~");
  }
  sql_ += ")";
}

void ScopeFilter::bind(Stmt& st) const {
  for (size_t i = 0; i < bounds_.size(); ++i) st.bind(firstParam_ + static_cast<int>(i), bounds_[i]);
}

Result<std::map<int64_t, std::vector<RoleAssignment>>> loadRolesOf(Db& db, const std::vector<int64_t>& userIds) {
  std::string ids = "[";
  for (size_t i = 0; i < userIds.size(); ++i) ids += (i ? "," : "") + std::to_string(userIds[i]);
  ids += "]";
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare("SELECT r.user_id, r.org_id, o.name, o.path, r.role FROM role_assignments r "
                                    "JOIN orgs o ON o.id = r.org_id WHERE r.user_id IN "
                                    "(SELECT value FROM json_each(?1)) ORDER BY r.user_id, o.path, r.role"));
  st.bind(1, ids);
  std::map<int64_t, std::vector<RoleAssignment>> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RoleAssignment r;
    r.orgId = st.int64(1);
    r.orgName = st.text(2);
    r.orgPath = st.text(3);
    r.role = parseRole(st.text(4)).value_or(Role::kAuditor);
    out[st.int64(0)].push_back(std::move(r));
  }
  return out;
}

Result<Org> loadOrg(Db& db, const Actor& actor, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kOrgColumns + " FROM orgs o WHERE o.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound("organisation " + std::to_string(id) + " not found");
  Org o = readOrg(st);
  if (!allows(actor, Permission::kReadOrgs, o.path))
    return Error::notFound("organisation " + std::to_string(id) + " not found");
  return o;
}

Result<Org> loadRoot(Db& db) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kOrgColumns +
                                             " FROM orgs o WHERE o.parent_id IS NULL ORDER BY o.id LIMIT 1"));
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound("the organisation tree has no root yet");
  return readOrg(st);
}

Result<std::vector<RoleAssignment>> loadRoles(Db& db, int64_t userId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT r.org_id, o.name, o.path, r.role FROM role_assignments r "
                                             "JOIN orgs o ON o.id = r.org_id WHERE r.user_id = ? "
                                             "ORDER BY o.path, r.role"));
  st.bind(1, userId);
  std::vector<RoleAssignment> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RoleAssignment r;
    r.orgId = st.int64(0);
    r.orgName = st.text(1);
    r.orgPath = st.text(2);
    r.role = parseRole(st.text(3)).value_or(Role::kAuditor);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace vigil::sqlite
