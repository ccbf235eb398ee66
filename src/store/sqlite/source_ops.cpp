// SqliteStore: declared log sources and saved searches (source_store.h). A source is reached
// through its organisation, whose path decides access: kReadEvents to see it (otherwise kNotFound,
// as if missing), kManageSources to change it. Each change and its audit entry are written in one
// transaction; the token itself never reaches the database or the audit log, only its SHA-256.
#include <boost/json.hpp>

#include "store/sqlite/json_columns.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr const char* kSourceColumns =
    "s.id,s.org_id,o.name,o.path,s.name,s.addresses,s.timezone_offset_minutes,s.expected_interval_minutes,"
    "s.enabled,s.token_sha256 IS NOT NULL,s.created_at,s.updated_at,s.token_sha256";

LogSource readSource(const Stmt& st) {
  LogSource s;
  s.id = st.int64(0);
  s.orgId = st.int64(1);
  s.orgName = st.text(2);
  s.orgPath = st.text(3);
  s.name = st.text(4);
  s.addresses = fromJsonArray(st.text(5));
  s.timezoneOffsetMinutes = static_cast<int>(st.int64(6));
  s.expectedIntervalMinutes = static_cast<int>(st.int64(7));
  s.enabled = st.int64(8) != 0;
  s.hasToken = st.int64(9) != 0;
  s.createdAt = st.int64(10);
  s.updatedAt = st.int64(11);
  return s;
}

std::string notFoundText(int64_t id) { return "log source " + std::to_string(id) + " not found"; }

// Checks the actor's right on an organisation: kNotFound when it may not even read there.
Status checkAccess(const Actor& actor, Permission p, const std::string& path, const std::string& orgName,
                   Error notFound) {
  if (!allows(actor, Permission::kReadEvents, path)) return notFound;
  if (p == Permission::kManageSources && !allows(actor, p, path))
    return Error::forbidden("you may not change the log sources of '" + orgName + "'");
  return {};
}

Result<LogSource> loadSource(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSourceColumns +
                                             " FROM log_sources s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText(id));
  LogSource s = readSource(st);
  VIGIL_TRY(checkAccess(actor, p, s.orgPath, s.orgName, Error::notFound(notFoundText(id))));
  return s;
}

// The recorded fields, for audit summaries and change lists (never the token).
json::object sourceJson(const LogSource& s) {
  return {{"org_id", s.orgId},
          {"name", s.name},
          {"addresses", stringArray(s.addresses)},
          {"timezone_offset_minutes", s.timezoneOffsetMinutes},
          {"expected_interval_minutes", s.expectedIntervalMinutes},
          {"enabled", s.enabled}};
}

Status checkNameFree(Db& db, int64_t orgId, const std::string& name, int64_t excludeId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT 1 FROM log_sources WHERE org_id = ? AND name = ? AND id <> ?"));
  st.bind(1, orgId).bind(2, name).bind(3, excludeId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (row) return Error::conflict("the organisation already has a log source named '" + name + "'");
  return {};
}

AuditEntry auditOf(std::string action, int64_t id, int64_t orgId, const json::object& summary) {
  return {.action = std::move(action),
          .objectType = "log_source",
          .objectId = std::to_string(id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

json::object changes(const json::object& before, const json::object& after) {
  json::object out;
  for (const auto& [k, v] : after) {
    const json::value* old = before.if_contains(k);
    if (!old || *old != v) out[k] = json::object{{"from", old ? *old : json::value(nullptr)}, {"to", v}};
  }
  return out;
}

constexpr const char* kSavedColumns = "id,user_id,org_id,name,query,range,created_at";

SavedSearch readSaved(const Stmt& st) {
  SavedSearch s;
  s.id = st.int64(0);
  s.userId = st.int64(1);
  s.orgId = st.optInt64(2);
  s.name = st.text(3);
  s.query = st.text(4);
  s.range = st.text(5);
  s.createdAt = st.int64(6);
  return s;
}

Result<int64_t> savedSearchOwner(const Actor& actor) {
  if (!actor.userId) return Error::forbidden("saved searches belong to a user; an API token has none");
  return *actor.userId;
}

}  // namespace

// --- Log sources -------------------------------------------------------------------------------

Result<std::vector<LogSource>> SqliteStore::listSources(const Actor& actor) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadEvents), 1);
  return read([&](Db& db) -> Result<std::vector<LogSource>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSourceColumns +
                                               " FROM log_sources s JOIN orgs o ON o.id = s.org_id WHERE " +
                                               scope.sql() + " ORDER BY o.path, s.name"));
    scope.bind(st);
    std::vector<LogSource> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readSource(st));
    }
    return out;
  });
}

Result<LogSource> SqliteStore::getSource(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadSource(db, actor, id, Permission::kReadEvents); });
}

Result<LogSource> SqliteStore::createSource(const Actor& actor, const SourceFields& f, const std::string& tokenSha256) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
    VIGIL_TRY(checkAccess(actor, Permission::kManageSources, org.path, org.name,
                          Error::notFound("organisation " + std::to_string(f.orgId) + " not found")));
    if (org.archived) return Error::validation("org_id", "the organisation is archived");
    VIGIL_TRY(checkNameFree(tx.db, f.orgId, f.name, 0));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO log_sources(org_id,name,addresses,"
                                                  "timezone_offset_minutes,expected_interval_minutes,enabled,"
                                                  "token_sha256,created_at,updated_at) VALUES(?,?,?,?,?,?,?,?,?)"));
    st.bind(1, f.orgId).bind(2, f.name).bind(3, json::serialize(stringArray(f.addresses)));
    st.bind(4, f.timezoneOffsetMinutes).bind(5, f.expectedIntervalMinutes).bind(6, f.enabled);
    if (tokenSha256.empty()) {
      st.bindNull(7);
    } else {
      st.bind(7, tokenSha256);
    }
    VIGIL_TRY(st.bind(8, tx.now).bind(9, tx.now).run());
    id = tx.db.lastInsertId();
    LogSource s{.orgId = f.orgId,
                .name = f.name,
                .addresses = f.addresses,
                .timezoneOffsetMinutes = f.timezoneOffsetMinutes,
                .expectedIntervalMinutes = f.expectedIntervalMinutes,
                .enabled = f.enabled};
    json::object sum = sourceJson(s);
    sum["with_token"] = !tokenSha256.empty();
    return tx.audit(actor, auditOf("source.create", id, f.orgId, sum));
  }));
  return read([&](Db& db) { return loadSource(db, actor, id, Permission::kReadEvents); });
}

Result<LogSource> SqliteStore::updateSource(const Actor& actor, int64_t id, const SourcePatch& p) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(LogSource cur, loadSource(tx.db, actor, id, Permission::kManageSources));
    LogSource next = cur;
    if (p.name) next.name = *p.name;
    if (p.addresses) next.addresses = *p.addresses;
    if (p.timezoneOffsetMinutes) next.timezoneOffsetMinutes = *p.timezoneOffsetMinutes;
    if (p.expectedIntervalMinutes) next.expectedIntervalMinutes = *p.expectedIntervalMinutes;
    if (p.enabled) next.enabled = *p.enabled;
    const json::object diff = changes(sourceJson(cur), sourceJson(next));
    if (diff.empty()) return {};
    if (next.name != cur.name) VIGIL_TRY(checkNameFree(tx.db, cur.orgId, next.name, id));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE log_sources SET name=?,addresses=?,"
                                                  "timezone_offset_minutes=?,expected_interval_minutes=?,enabled=?,"
                                                  "updated_at=? WHERE id=?"));
    st.bind(1, next.name).bind(2, json::serialize(stringArray(next.addresses)));
    st.bind(3, next.timezoneOffsetMinutes).bind(4, next.expectedIntervalMinutes).bind(5, next.enabled);
    VIGIL_TRY(st.bind(6, tx.now).bind(7, id).run());
    json::object sum{{"name", next.name}, {"changes", diff}};
    return tx.audit(actor, auditOf("source.update", id, cur.orgId, sum));
  }));
  return read([&](Db& db) { return loadSource(db, actor, id, Permission::kReadEvents); });
}

Result<LogSource> SqliteStore::setSourceToken(const Actor& actor, int64_t id, const std::string& tokenSha256) {
  if (tokenSha256.size() != 64) return Error::internal("a token hash is 64 hex digits");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(LogSource cur, loadSource(tx.db, actor, id, Permission::kManageSources));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE log_sources SET token_sha256=?,updated_at=? WHERE id=?"));
    VIGIL_TRY(st.bind(1, tokenSha256).bind(2, tx.now).bind(3, id).run());
    json::object sum{{"name", cur.name}, {"replaced_token", cur.hasToken}};
    return tx.audit(actor, auditOf("source.token_rotate", id, cur.orgId, sum));
  }));
  return read([&](Db& db) { return loadSource(db, actor, id, Permission::kReadEvents); });
}

Status SqliteStore::deleteSource(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(LogSource cur, loadSource(tx.db, actor, id, Permission::kManageSources));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM log_sources WHERE id = ?"));
    VIGIL_TRY(st.bind(1, id).run());
    return tx.audit(actor, auditOf("source.delete", id, cur.orgId, sourceJson(cur)));
  });
}

Result<std::vector<CollectorSource>> SqliteStore::allSourcesForCollector() {
  return read([&](Db& db) -> Result<std::vector<CollectorSource>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSourceColumns +
                                               " FROM log_sources s JOIN orgs o ON o.id = s.org_id "
                                               "WHERE s.enabled = 1 ORDER BY s.id"));
    std::vector<CollectorSource> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back({readSource(st), st.isNull(12) ? std::string() : st.text(12)});
    }
    return out;
  });
}

// --- Saved searches ----------------------------------------------------------------------------

Result<std::vector<SavedSearch>> SqliteStore::listSavedSearches(const Actor& actor) {
  VIGIL_ASSIGN_OR_RETURN(int64_t userId, savedSearchOwner(actor));
  return read([&](Db& db) -> Result<std::vector<SavedSearch>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSavedColumns +
                                               " FROM saved_searches WHERE user_id = ? ORDER BY id DESC"));
    st.bind(1, userId);
    std::vector<SavedSearch> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readSaved(st));
    }
    return out;
  });
}

Result<SavedSearch> SqliteStore::createSavedSearch(const Actor& actor, const std::string& name,
                                                   const std::string& query, const std::string& range) {
  VIGIL_ASSIGN_OR_RETURN(int64_t userId, savedSearchOwner(actor));
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto taken, tx.db.prepare("SELECT 1 FROM saved_searches WHERE user_id = ? AND name = ?"));
    taken.bind(1, userId).bind(2, name);
    VIGIL_ASSIGN_OR_RETURN(bool exists, taken.step());
    if (exists) return Error::conflict("you already have a saved search named '" + name + "'");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO saved_searches(user_id,org_id,name,query,range,"
                                                  "created_at) SELECT id,org_id,?,?,?,? FROM users WHERE id = ?"));
    VIGIL_TRY(st.bind(1, name).bind(2, query).bind(3, range).bind(4, tx.now).bind(5, userId).run());
    if (tx.db.changes() != 1) return Error::notFound("user " + std::to_string(userId) + " not found");
    id = tx.db.lastInsertId();
    VIGIL_ASSIGN_OR_RETURN(auto org, tx.db.prepare("SELECT org_id FROM users WHERE id = ?"));
    org.bind(1, userId);
    VIGIL_ASSIGN_OR_RETURN(bool row, org.step());
    AuditEntry e{.action = "saved_search.create",
                 .objectType = "saved_search",
                 .objectId = std::to_string(id),
                 .summary = json::serialize(json::object{{"name", name}, {"query", query}, {"range", range}})};
    if (row) e.orgId = org.int64(0);
    return tx.audit(actor, e);
  }));
  return read([&](Db& db) -> Result<SavedSearch> {
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db.prepare(std::string("SELECT ") + kSavedColumns + " FROM saved_searches WHERE id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::notFound("saved search " + std::to_string(id) + " not found");
    return readSaved(st);
  });
}

Status SqliteStore::deleteSavedSearch(const Actor& actor, int64_t id) {
  // An API token has no saved searches: whatever it names is not found.
  if (!actor.userId) return Error::notFound("saved search " + std::to_string(id) + " not found");
  const int64_t userId = *actor.userId;
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare(std::string("SELECT ") + kSavedColumns +
                                                  " FROM saved_searches WHERE id = ? AND user_id = ?"));
    st.bind(1, id).bind(2, userId);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::notFound("saved search " + std::to_string(id) + " not found");
    const SavedSearch cur = readSaved(st);
    VIGIL_ASSIGN_OR_RETURN(auto del, tx.db.prepare("DELETE FROM saved_searches WHERE id = ?"));
    VIGIL_TRY(del.bind(1, id).run());
    AuditEntry e{.action = "saved_search.delete",
                 .objectType = "saved_search",
                 .objectId = std::to_string(id),
                 .orgId = cur.orgId,
                 .summary = json::serialize(json::object{{"name", cur.name}, {"query", cur.query}})};
    return tx.audit(actor, e);
  });
}

}  // namespace vigil::sqlite
