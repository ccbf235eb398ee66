// SqliteStore: the organisation tree and user accounts. Every operation resolves the objects it
// touches through loadOrg()/visibleUser(), which apply the actor's read scope, then checks the
// permission to change them, then writes the change and its audit entry in one transaction.
#include <boost/json.hpp>

#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

json::object orgJson(const Org& o) {
  return {{"name", o.name},
          {"kind", orgKindName(o.kind)},
          {"code", o.code},
          {"parent_id", o.parentId ? json::value(*o.parentId) : json::value(nullptr)}};
}

json::array rolesJson(const std::vector<std::pair<int64_t, Role>>& roles) {
  json::array a;
  for (const auto& [org, role] : roles) a.push_back(json::object{{"org_id", org}, {"role", roleName(role)}});
  return a;
}

Status requireManage(const Actor& actor, Permission p, const Org& org, const char* what) {
  if (!allows(actor, p, org.path))
    return Error::forbidden(std::string("you may not ") + what + " in '" + org.name + "'");
  return {};
}

Result<int64_t> insertOrg(WriteTx& tx, const std::optional<int64_t>& parentId, const std::string& parentPath,
                          const std::string& name, OrgKind kind, const std::string& code) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO orgs(parent_id,name,kind,code,path,created_at,updated_at)"
                                                " VALUES(?,?,?,?,'',?,?)"));
  st.bind(1, parentId).bind(2, name).bind(3, orgKindName(kind)).bind(4, code).bind(5, tx.now).bind(6, tx.now);
  VIGIL_TRY(st.run());
  int64_t id = tx.db.lastInsertId();
  VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE orgs SET path = ? WHERE id = ?"));
  VIGIL_TRY(up.bind(1, parentPath + std::to_string(id) + "/").bind(2, id).run());
  return id;
}

// Siblings must have different names, or the tree cannot be read ("which Sở Nội vụ?").
Status checkSiblingName(WriteTx& tx, int64_t parentId, const std::string& name, int64_t excludeId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT 1 FROM orgs WHERE parent_id = ? AND name = ? AND id <> ?"));
  st.bind(1, parentId).bind(2, name).bind(3, excludeId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (row) return Error::conflict("an organisation named '" + name + "' already exists at this level");
  return {};
}

// A user the actor may see (kReadUsers on the user's organisation), with that organisation.
Result<std::pair<User, Org>> visibleUser(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kUserColumns + "," + kOrgColumns +
                                             " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  const auto notFound = Error::notFound("user " + std::to_string(id) + " not found");
  if (!row) return notFound;
  User u = readUser(st);
  Org o = readOrg(st, kUserColumnCount);
  if (!allows(actor, Permission::kReadUsers, o.path) && actor.userId != id) return notFound;
  if (p != Permission::kReadUsers && !allows(actor, p, o.path))
    return Error::forbidden("you may not change accounts in '" + o.name + "'");
  return std::make_pair(std::move(u), std::move(o));
}

// Role assignments shown to `actor`: only those on organisations the actor can read.
Result<std::vector<RoleAssignment>> visibleRoles(Db& db, const Actor& actor, int64_t userId) {
  VIGIL_ASSIGN_OR_RETURN(auto all, loadRoles(db, userId));
  std::vector<RoleAssignment> out;
  for (auto& r : all)
    if (allows(actor, Permission::kReadOrgs, r.orgPath) || actor.userId == userId) out.push_back(std::move(r));
  return out;
}

Status insertRoles(WriteTx& tx, const Actor& actor, int64_t userId,
                   const std::vector<std::pair<int64_t, Role>>& roles) {
  for (const auto& [orgId, role] : roles) {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, orgId));
    VIGIL_TRY(requireManage(actor, Permission::kManageUsers, org, "grant roles"));
    if (org.archived) return Error::conflict("'" + org.name + "' is archived; roles cannot be granted on it");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT OR IGNORE INTO role_assignments(user_id,org_id,role) "
                                                  "VALUES(?,?,?)"));
    VIGIL_TRY(st.bind(1, userId).bind(2, orgId).bind(3, roleName(role)).run());
  }
  return {};
}

// True when the prefixes cover the whole organisation tree (a grant on the root).
bool wholeTree(Db& db, const std::vector<std::string>& prefixes) {
  auto root = loadRoot(db);
  if (!root.ok()) return false;
  for (const auto& p : prefixes)
    if (inSubtree(root->path, p)) return true;
  return false;
}

Status deleteSessionsOf(WriteTx& tx, int64_t userId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM sessions WHERE user_id = ?"));
  return st.bind(1, userId).run();
}

Result<UserCredentials> readCredentials(Db& db, const char* where, const std::function<void(Stmt&)>& bind) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kUserColumns +
                                             ",u.password_hash,u.failed_logins,u.mfa_secret,u.mfa_pending_secret,"
                                             "u.mfa_last_step FROM users u WHERE " +
                                             where));
  bind(st);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound("no such user");
  UserCredentials c;
  c.user = readUser(st);
  const int k = kUserColumnCount;
  c.passwordHash = st.text(k);
  c.failedLogins = static_cast<int>(st.int64(k + 1));
  c.mfaSecretSealed = st.blob(k + 2);
  c.mfaPendingSecretSealed = st.blob(k + 3);
  c.mfaLastStep = st.int64(k + 4);
  VIGIL_ASSIGN_OR_RETURN(c.user.roles, loadRoles(db, c.user.id));
  return c;
}

AuditEntry orgAudit(std::string action, int64_t orgId, const json::value& summary) {
  return {.action = std::move(action),
          .objectType = "org",
          .objectId = std::to_string(orgId),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

AuditEntry userAudit(std::string action, const User& u, int64_t orgId, json::object summary = {}) {
  summary.emplace("username", u.username);
  return {.action = std::move(action),
          .objectType = "user",
          .objectId = std::to_string(u.id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

}  // namespace

// --- Organisations -----------------------------------------------------------------------------

Result<Org> SqliteStore::getOrg(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadOrg(db, actor, id); });
}

Result<Page<Org>> SqliteStore::listOrgs(const Actor& actor, bool includeArchived) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadOrgs), 2);
  return read([&](Db& db) -> Result<Page<Org>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kOrgColumns + " FROM orgs o WHERE " +
                                               scope.sql() + " AND (?1 OR o.archived = 0) ORDER BY o.path"));
    st.bind(1, includeArchived);
    scope.bind(st);
    Page<Org> page;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readOrg(st));
    }
    page.total = static_cast<int64_t>(page.items.size());
    return page;
  });
}

Result<Org> SqliteStore::createOrg(const Actor& actor, const OrgDraft& d) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org parent, loadOrg(tx.db, actor, d.parentId));
    VIGIL_TRY(requireManage(actor, Permission::kManageOrgs, parent, "add organisations"));
    if (parent.archived) return Error::conflict("'" + parent.name + "' is archived; unarchive it first");
    if (d.kind == OrgKind::kProvince) return Error::validation("kind", "only the root of the tree is a province");
    VIGIL_TRY(checkSiblingName(tx, parent.id, d.name, 0));
    VIGIL_ASSIGN_OR_RETURN(id, insertOrg(tx, parent.id, parent.path, d.name, d.kind, d.code));
    Org created{.id = id, .parentId = parent.id, .name = d.name, .kind = d.kind, .code = d.code};
    return tx.audit(actor, orgAudit("org.create", id, orgJson(created)));
  }));
  return getOrg(actor, id);
}

Result<Org> SqliteStore::updateOrg(const Actor& actor, int64_t id, const OrgPatch& p) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, id));
    VIGIL_TRY(requireManage(actor, Permission::kManageOrgs, org, "change organisations"));
    json::object changes;
    Org next = org;
    if (p.name && *p.name != org.name) {
      if (org.parentId) VIGIL_TRY(checkSiblingName(tx, *org.parentId, *p.name, org.id));
      changes["name"] = json::object{{"from", org.name}, {"to", *p.name}};
      next.name = *p.name;
    }
    if (p.kind && *p.kind != org.kind) {
      if (!org.parentId || *p.kind == OrgKind::kProvince)
        return Error::validation("kind", "the root is always the province and nothing else can be");
      changes["kind"] = json::object{{"from", orgKindName(org.kind)}, {"to", orgKindName(*p.kind)}};
      next.kind = *p.kind;
    }
    if (p.code && *p.code != org.code) {
      changes["code"] = json::object{{"from", org.code}, {"to", *p.code}};
      next.code = *p.code;
    }
    if (changes.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE orgs SET name=?, kind=?, code=?, updated_at=? WHERE id=?"));
    VIGIL_TRY(
        st.bind(1, next.name).bind(2, orgKindName(next.kind)).bind(3, next.code).bind(4, tx.now).bind(5, id).run());
    return tx.audit(actor, orgAudit("org.update", id, changes));
  }));
  return getOrg(actor, id);
}

Result<Org> SqliteStore::moveOrg(const Actor& actor, int64_t id, int64_t newParentId) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, id));
    VIGIL_TRY(requireManage(actor, Permission::kManageOrgs, org, "move organisations"));
    if (!org.parentId) return Error::conflict("the province (root) cannot be moved");
    VIGIL_ASSIGN_OR_RETURN(Org parent, loadOrg(tx.db, actor, newParentId));
    VIGIL_TRY(requireManage(actor, Permission::kManageOrgs, parent, "move organisations"));
    if (inSubtree(parent.path, org.path))
      return Error::conflict("'" + org.name + "' cannot be moved under itself or one of its own units");
    if (parent.archived) return Error::conflict("'" + parent.name + "' is archived");
    if (org.parentId == parent.id) return {};
    VIGIL_TRY(checkSiblingName(tx, parent.id, org.name, org.id));
    const std::string newPath = parent.path + std::to_string(org.id) + "/";
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE orgs SET path = ?1 || substr(path, length(?2) + 1) "
                                                  "WHERE substr(path, 1, length(?2)) = ?2"));
    VIGIL_TRY(st.bind(1, newPath).bind(2, org.path).run());
    VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE orgs SET parent_id = ?, updated_at = ? WHERE id = ?"));
    VIGIL_TRY(up.bind(1, parent.id).bind(2, tx.now).bind(3, id).run());
    json::object sum{{"name", org.name}, {"from_parent_id", *org.parentId}, {"to_parent_id", parent.id}};
    return tx.audit(actor, orgAudit("org.move", id, sum));
  }));
  return getOrg(actor, id);
}

Result<Org> SqliteStore::setOrgArchived(const Actor& actor, int64_t id, bool archived) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, id));
    VIGIL_TRY(requireManage(actor, Permission::kManageOrgs, org, "archive organisations"));
    if (!org.parentId) return Error::conflict("the province (root) cannot be archived");
    if (org.archived == archived) return {};
    if (archived) {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT count(*) FROM orgs WHERE parent_id = ? AND archived = 0"));
      st.bind(1, id);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (row && st.int64(0) > 0)
        return Error::conflict("'" + org.name + "' still has units that are not archived; archive them first");
    } else {
      VIGIL_ASSIGN_OR_RETURN(Org parent, loadOrg(tx.db, Actor::systemActor("internal"), *org.parentId));
      if (parent.archived) return Error::conflict("the parent '" + parent.name + "' is archived; unarchive it first");
    }
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE orgs SET archived = ?, updated_at = ? WHERE id = ?"));
    VIGIL_TRY(st.bind(1, archived).bind(2, tx.now).bind(3, id).run());
    json::object sum{{"name", org.name}};
    return tx.audit(actor, orgAudit(archived ? "org.archive" : "org.unarchive", id, sum));
  }));
  return getOrg(actor, id);
}

Result<Org> SqliteStore::rootOrg() {
  return read([&](Db& db) { return loadRoot(db); });
}

Result<bool> SqliteStore::setupDone() {
  return read([&](Db& db) -> Result<bool> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT value FROM settings WHERE key = 'setup.done'"));
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    return row && st.text(0) == "1";
  });
}

Result<Org> SqliteStore::completeSetup(const Actor& actor, const std::string& provinceName) {
  int64_t rootId = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org root, loadRoot(tx.db));
    rootId = root.id;
    if (!allows(actor, Permission::kManageSettings, root.path))
      return Error::forbidden("first-run setup is done by an administrator of the province");
    VIGIL_ASSIGN_OR_RETURN(auto done, tx.db.prepare("SELECT 1 FROM settings WHERE key = 'setup.done'"));
    VIGIL_ASSIGN_OR_RETURN(bool row, done.step());
    if (row) return Error::conflict("first-run setup is already done; rename the province in the organisation tree");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE orgs SET name = ?, updated_at = ? WHERE id = ?"));
    VIGIL_TRY(st.bind(1, provinceName).bind(2, tx.now).bind(3, root.id).run());
    VIGIL_ASSIGN_OR_RETURN(auto mark, tx.db.prepare("INSERT INTO settings(key,value) VALUES('setup.done','1')"));
    VIGIL_TRY(mark.run());
    json::object sum{{"province_name", provinceName}};
    return tx.audit(actor, orgAudit("setup.complete", root.id, sum));
  }));
  return getOrg(actor, rootId);
}

Result<User> SqliteStore::bootstrap(const std::string& provinceName, const UserDraft& admin) {
  int64_t userId = 0;
  const Actor system = Actor::systemActor("bootstrap");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto any, tx.db.prepare("SELECT count(*) FROM orgs"));
    VIGIL_ASSIGN_OR_RETURN(bool row, any.step());
    if (row && any.int64(0) > 0) return Error::conflict("the store is already initialised");
    VIGIL_ASSIGN_OR_RETURN(int64_t rootId, insertOrg(tx, std::nullopt, "/", provinceName, OrgKind::kProvince, ""));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO users(username,display_name,email,org_id,password_hash,"
                                                  "must_change_password,active_at,created_at,updated_at) "
                                                  "VALUES(?,?,?,?,?,?,?,?,?)"));
    st.bind(1, admin.username).bind(2, admin.displayName).bind(3, admin.email).bind(4, rootId);
    st.bind(5, admin.passwordHash).bind(6, admin.mustChangePassword).bind(7, tx.now).bind(8, tx.now).bind(9, tx.now);
    VIGIL_TRY(st.run());
    userId = tx.db.lastInsertId();
    VIGIL_TRY(insertRoles(tx, system, userId, {{rootId, Role::kAdministrator}}));
    json::object sum{{"province_name", provinceName}, {"admin", admin.username}};
    return tx.audit(system, orgAudit("system.bootstrap", rootId, sum));
  }));
  return getUser(system, userId);
}

// --- Users -------------------------------------------------------------------------------------

Result<Page<User>> SqliteStore::listUsers(const Actor& actor, const UserQuery& q) {
  auto prefixes = scopePrefixes(actor, Permission::kReadUsers);
  if (prefixes.empty()) return Error::forbidden("user accounts are visible to administrators, leaders and auditors");
  std::string like;
  if (!q.text.empty()) {
    like = "%";
    for (char c : q.text) {
      if (c == '%' || c == '_' || c == '\\') like += '\\';
      like += c;
    }
    like += "%";
  }
  const std::string filters =
      " AND (?1 IS NULL OR u.org_id = ?1) AND (?2 = '' OR u.username LIKE ?2 ESCAPE '\\' OR "
      "u.display_name LIKE ?2 ESCAPE '\\' OR u.email LIKE ?2 ESCAPE '\\')";
  const ScopeFilter scope("o.path", prefixes, 5);
  return read([&](Db& db) -> Result<Page<User>> {
    Page<User> page;
    // For the whole province no organisation needs to be looked at: SQLite then counts the
    // table's pages, and pages through the user-name index alone. For a part of the tree, the
    // count walks the organisations in scope and their users by index, and the CROSS JOIN keeps
    // users as the outer loop in user-name order, so a page comes without sorting every account.
    const bool everything = wholeTree(db, prefixes);
    {
      // Without filters the WHERE holds only parameters, which SQLite evaluates once.
      const bool unfiltered = everything && !q.orgId && like.empty();
      VIGIL_ASSIGN_OR_RETURN(
          auto st,
          db.prepare(unfiltered ? std::string("SELECT count(*) FROM users u WHERE ?1 IS NULL AND ?2 = ''")
                                : "SELECT count(*) FROM users u WHERE " +
                                      (everything ? std::string("1")
                                                  : "u.org_id IN (SELECT o.id FROM orgs o WHERE " + scope.sql() + ")") +
                                      filters));
      st.bind(1, q.orgId).bind(2, like);
      if (!everything) scope.bind(st);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      page.total = row ? st.int64(0) : 0;
    }
    VIGIL_ASSIGN_OR_RETURN(
        auto st, db.prepare(std::string("SELECT ") + kUserColumns +
                            (everything ? std::string(" FROM users u WHERE 1")
                                        : " FROM users u CROSS JOIN orgs o ON o.id = u.org_id WHERE " + scope.sql()) +
                            filters + " ORDER BY u.username LIMIT ?3 OFFSET ?4"));
    st.bind(1, q.orgId).bind(2, like).bind(3, q.limit).bind(4, q.offset);
    if (!everything) scope.bind(st);
    std::vector<int64_t> ids;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readUser(st));
      ids.push_back(page.items.back().id);
    }
    VIGIL_ASSIGN_OR_RETURN(auto roles, loadRolesOf(db, ids));
    for (auto& u : page.items)
      for (auto& r : roles[u.id])
        if (allows(actor, Permission::kReadOrgs, r.orgPath) || actor.userId == u.id) u.roles.push_back(std::move(r));
    return page;
  });
}

Result<User> SqliteStore::getUser(const Actor& actor, int64_t id) {
  return read([&](Db& db) -> Result<User> {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(db, actor, id, Permission::kReadUsers));
    VIGIL_ASSIGN_OR_RETURN(uo.first.roles, visibleRoles(db, actor, id));
    return uo.first;
  });
}

Result<User> SqliteStore::createUser(const Actor& actor, const UserDraft& d) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, d.orgId));
    VIGIL_TRY(requireManage(actor, Permission::kManageUsers, org, "create accounts"));
    if (org.archived) return Error::conflict("'" + org.name + "' is archived");
    VIGIL_ASSIGN_OR_RETURN(auto taken, tx.db.prepare("SELECT 1 FROM users WHERE username = ?"));
    taken.bind(1, d.username);
    VIGIL_ASSIGN_OR_RETURN(bool exists, taken.step());
    if (exists) return Error::conflict("the user name '" + d.username + "' is already taken");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO users(username,display_name,email,org_id,password_hash,"
                                                  "must_change_password,active_at,created_at,updated_at) "
                                                  "VALUES(?,?,?,?,?,?,?,?,?)"));
    st.bind(1, d.username).bind(2, d.displayName).bind(3, d.email).bind(4, d.orgId).bind(5, d.passwordHash);
    st.bind(6, d.mustChangePassword).bind(7, tx.now).bind(8, tx.now).bind(9, tx.now);
    VIGIL_TRY(st.run());
    id = tx.db.lastInsertId();
    VIGIL_TRY(insertRoles(tx, actor, id, d.roles));
    json::object sum{{"username", d.username},
                     {"display_name", d.displayName},
                     {"email", d.email},
                     {"org_id", d.orgId},
                     {"roles", rolesJson(d.roles)}};
    return tx.audit(actor, {.action = "user.create",
                            .objectType = "user",
                            .objectId = std::to_string(id),
                            .orgId = d.orgId,
                            .summary = json::serialize(sum)});
  }));
  return getUser(actor, id);
}

Result<User> SqliteStore::updateUser(const Actor& actor, int64_t id, const UserPatch& p) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(tx.db, actor, id, Permission::kManageUsers));
    auto& [u, org] = uo;
    json::object changes;
    if (p.displayName && *p.displayName != u.displayName) {
      changes["display_name"] = json::object{{"from", u.displayName}, {"to", *p.displayName}};
      u.displayName = *p.displayName;
    }
    if (p.email && *p.email != u.email) {
      changes["email"] = json::object{{"from", u.email}, {"to", *p.email}};
      u.email = *p.email;
    }
    bool reenabled = false;
    if (p.disabled && *p.disabled != u.disabled) {
      if (*p.disabled && actor.userId == id) return Error::conflict("you cannot disable your own account");
      changes["disabled"] = json::object{{"from", u.disabled}, {"to", *p.disabled}};
      reenabled = !*p.disabled;
      u.disabled = *p.disabled;
    }
    if (changes.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(
        auto st,
        tx.db.prepare(
            "UPDATE users SET display_name=?, email=?, disabled=?, disabled_reason=CASE WHEN ?4 THEN 'administrator' "
            "ELSE '' END, active_at=CASE WHEN ?5 THEN ?6 ELSE active_at END, updated_at=?6 WHERE id=?7"));
    st.bind(1, u.displayName).bind(2, u.email).bind(3, u.disabled).bind(4, u.disabled).bind(5, reenabled);
    VIGIL_TRY(st.bind(6, tx.now).bind(7, id).run());
    if (u.disabled) VIGIL_TRY(deleteSessionsOf(tx, id));
    return tx.audit(actor, userAudit("user.update", u, org.id, changes));
  }));
  return getUser(actor, id);
}

Result<User> SqliteStore::setUserRoles(const Actor& actor, int64_t id,
                                       const std::vector<std::pair<int64_t, Role>>& roles) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(tx.db, actor, id, Permission::kManageUsers));
    if (actor.userId == id) return Error::conflict("you cannot change your own roles; ask another administrator");
    VIGIL_ASSIGN_OR_RETURN(auto before, loadRoles(tx.db, id));
    // Assignments on organisations outside the actor's reach are kept as they are.
    json::array removed;
    for (const auto& r : before) {
      if (!allows(actor, Permission::kManageUsers, r.orgPath)) continue;
      VIGIL_ASSIGN_OR_RETURN(auto del,
                             tx.db.prepare("DELETE FROM role_assignments WHERE user_id=? AND org_id=? AND role=?"));
      VIGIL_TRY(del.bind(1, id).bind(2, r.orgId).bind(3, roleName(r.role)).run());
      removed.push_back(json::object{{"org_id", r.orgId}, {"role", roleName(r.role)}});
    }
    VIGIL_TRY(insertRoles(tx, actor, id, roles));
    json::object sum{{"before", removed}, {"after", rolesJson(roles)}};
    return tx.audit(actor, userAudit("user.roles.set", uo.first, uo.second.id, sum));
  }));
  return getUser(actor, id);
}

Status SqliteStore::setPassword(const Actor& actor, int64_t id, const std::string& hash, bool mustChange) {
  return write([&](WriteTx& tx) -> Status {
    const bool self = actor.userId == id;
    VIGIL_ASSIGN_OR_RETURN(auto uo,
                           visibleUser(tx.db, actor, id, self ? Permission::kReadUsers : Permission::kManageUsers));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET password_hash=?, must_change_password=?, "
                                                  "updated_at=? WHERE id=?"));
    VIGIL_TRY(st.bind(1, hash).bind(2, mustChange).bind(3, tx.now).bind(4, id).run());
    VIGIL_TRY(deleteSessionsOf(tx, id));
    return tx.audit(actor, userAudit(self ? "user.password.change" : "user.password.reset", uo.first, uo.second.id));
  });
}

Status SqliteStore::unlockUser(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(tx.db, actor, id, Permission::kManageUsers));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET failed_logins=0, locked_until=NULL, updated_at=? "
                                                  "WHERE id=?"));
    VIGIL_TRY(st.bind(1, tx.now).bind(2, id).run());
    return tx.audit(actor, userAudit("user.unlock", uo.first, uo.second.id));
  });
}

Status SqliteStore::resetMfa(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(tx.db, actor, id, Permission::kManageUsers));
    if (actor.userId == id) return Error::conflict("use My account to change your own MFA");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET mfa_secret=NULL, mfa_pending_secret=NULL, "
                                                  "mfa_last_step=0, updated_at=? WHERE id=?"));
    VIGIL_TRY(st.bind(1, tx.now).bind(2, id).run());
    VIGIL_TRY(deleteSessionsOf(tx, id));
    return tx.audit(actor, userAudit("user.mfa.reset", uo.first, uo.second.id));
  });
}

Result<UserCredentials> SqliteStore::credentialsByName(const std::string& username) {
  return read([&](Db& db) { return readCredentials(db, "u.username = ?", [&](Stmt& st) { st.bind(1, username); }); });
}

Result<UserCredentials> SqliteStore::credentialsById(int64_t id) {
  return read([&](Db& db) { return readCredentials(db, "u.id = ?", [&](Stmt& st) { st.bind(1, id); }); });
}

Result<int> SqliteStore::recordLoginFailure(const Actor& attempt, int64_t userId, int threshold, TimeMs lockUntil) {
  int count = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? "
                                                  "RETURNING failed_logins, username, org_id"));
    st.bind(1, userId);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::notFound("no such user");
    count = static_cast<int>(st.int64(0));
    const std::string username = st.text(1);
    const int64_t orgId = st.int64(2);
    VIGIL_TRY(st.step().ok() ? Status{} : Status{Error::internal("step")});
    if (count < threshold) return {};
    VIGIL_ASSIGN_OR_RETURN(auto lock,
                           tx.db.prepare("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?"));
    VIGIL_TRY(lock.bind(1, lockUntil).bind(2, userId).run());
    json::object sum{{"username", username}, {"failed_logins", count}, {"locked_until", formatRfc3339(lockUntil)}};
    return tx.audit(attempt, {.action = "user.lockout",
                              .objectType = "user",
                              .objectId = std::to_string(userId),
                              .orgId = orgId,
                              .summary = json::serialize(sum)});
  }));
  return count;
}

Status SqliteStore::recordLoginSuccess(const Actor&, int64_t userId) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET failed_logins=0, locked_until=NULL, "
                                                  "last_login_at=?1, active_at=?1 WHERE id=?2"));
    return st.bind(1, tx.now).bind(2, userId).run();
  });
}

Status SqliteStore::setPendingMfa(const Actor& actor, int64_t userId, const std::string& sealed) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(tx.db, actor, userId, Permission::kReadUsers));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET mfa_pending_secret=?, updated_at=? WHERE id=?"));
    st.bindBlob(1, sealed);
    VIGIL_TRY(st.bind(2, tx.now).bind(3, userId).run());
    return tx.audit(actor, userAudit("user.mfa.setup", uo.first, uo.second.id));
  });
}

Status SqliteStore::enableMfa(const Actor& actor, int64_t userId, int64_t acceptedStep) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(tx.db, actor, userId, Permission::kReadUsers));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET mfa_secret=mfa_pending_secret, "
                                                  "mfa_pending_secret=NULL, mfa_last_step=?, updated_at=? "
                                                  "WHERE id=? AND mfa_pending_secret IS NOT NULL"));
    VIGIL_TRY(st.bind(1, acceptedStep).bind(2, tx.now).bind(3, userId).run());
    if (tx.db.changes() != 1) return Error::conflict("start MFA set-up first");
    return tx.audit(actor, userAudit("user.mfa.enable", uo.first, uo.second.id));
  });
}

Status SqliteStore::disableMfa(const Actor& actor, int64_t userId) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto uo, visibleUser(tx.db, actor, userId, Permission::kReadUsers));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET mfa_secret=NULL, mfa_pending_secret=NULL, "
                                                  "mfa_last_step=0, updated_at=? WHERE id=?"));
    VIGIL_TRY(st.bind(1, tx.now).bind(2, userId).run());
    return tx.audit(actor, userAudit("user.mfa.disable", uo.first, uo.second.id));
  });
}

Result<bool> SqliteStore::claimTotpStep(int64_t userId, int64_t step) {
  bool claimed = false;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE users SET mfa_last_step=? WHERE id=? AND mfa_last_step < ?"));
    VIGIL_TRY(st.bind(1, step).bind(2, userId).bind(3, step).run());
    claimed = tx.db.changes() == 1;
    return {};
  }));
  return claimed;
}

Result<int> SqliteStore::disableInactiveUsers(TimeMs cutoff) {
  int count = 0;
  const Actor system = Actor::systemActor("inactivity-check");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare(std::string("SELECT ") + kUserColumns +
                                                  " FROM users u WHERE u.disabled = 0 AND u.active_at < ?"));
    st.bind(1, cutoff);
    std::vector<User> stale;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      stale.push_back(readUser(st));
    }
    for (const auto& u : stale) {
      VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE users SET disabled=1, disabled_reason='inactive', "
                                                    "updated_at=? WHERE id=?"));
      VIGIL_TRY(up.bind(1, tx.now).bind(2, u.id).run());
      VIGIL_TRY(deleteSessionsOf(tx, u.id));
      json::object sum{{"reason", "no login within the inactivity limit"},
                       {"last_login_at", u.lastLoginAt ? json::value(formatRfc3339(*u.lastLoginAt)) : nullptr}};
      VIGIL_TRY(tx.audit(system, userAudit("user.disable_inactive", u, u.orgId, sum)));
      ++count;
    }
    return {};
  }));
  return count;
}

Result<int64_t> SqliteStore::countUsers() {
  return read([&](Db& db) -> Result<int64_t> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT count(*) FROM users"));
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    return row ? st.int64(0) : 0;
  });
}

}  // namespace vigil::sqlite
