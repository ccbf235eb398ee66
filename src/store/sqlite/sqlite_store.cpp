// SqliteStore core: opening, migrations, the writer thread, the reader pool, backup/restore,
// audit log, sessions, tokens and settings. Organisations and users are in org_user_ops.cpp.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

#include "audit/chain.h"
#include "store/settings_codec.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/rows.h"

namespace vigil::sqlite {

namespace json = boost::json;

Status WriteTx::audit(const Actor& a, AuditEntry e) {
  e.id = auditId_ + 1;
  e.time = now;
  if (e.actor.empty()) e.actor = a.name;
  if (!e.actorId) e.actorId = a.userId;
  if (e.sourceIp.empty()) e.sourceIp = a.sourceIp;
  if (e.summary.empty()) e.summary = "{}";
  if (e.result.empty()) e.result = "success";
  e.prevHash = auditHead_;
  e.hash = audit::entryHash(e, e.prevHash);
  VIGIL_ASSIGN_OR_RETURN(
      auto st,
      db.prepare("INSERT INTO audit_log(id,time,actor_id,actor,source_ip,action,object_type,object_id,org_id,summary,"
                 "result,prev_hash,hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  st.bind(1, e.id).bind(2, e.time).bind(3, e.actorId).bind(4, e.actor).bind(5, e.sourceIp).bind(6, e.action);
  st.bind(7, e.objectType).bind(8, e.objectId).bind(9, e.orgId).bind(10, e.summary).bind(11, e.result);
  st.bind(12, e.prevHash).bind(13, e.hash);
  VIGIL_TRY(st.run());
  auditId_ = e.id;
  auditHead_ = e.hash;
  return {};
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& opts, const Clock& clock) {
  std::unique_ptr<SqliteStore> s(new SqliteStore(opts, clock));
  VIGIL_TRY(s->start());
  return s;
}

namespace {
Status applyMigrations(Db& db, TimeMs now) {
  VIGIL_TRY(
      db.exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
              "description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  int64_t current = 0;
  {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT COALESCE(MAX(version),0) FROM schema_migrations"));
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (row) current = st.int64(0);
  }
  const auto& all = migrations();
  if (!all.empty() && current > all.back().version)
    return Error::internal("the database schema (version " + std::to_string(current) +
                           ") is newer than this vigil knows; upgrade vigil");
  for (const auto& m : all) {
    if (m.version <= current) continue;
    VIGIL_TRY(db.exec("BEGIN IMMEDIATE"));
    auto st = db.exec(m.sql);
    if (st.ok()) {
      auto ins = db.prepare("INSERT INTO schema_migrations(version,description,applied_at) VALUES(?,?,?)");
      if (!ins.ok())
        st = ins.takeError();
      else
        st = ins->bind(1, m.version).bind(2, m.description).bind(3, now).run();
    }
    if (!st.ok()) {
      (void)db.exec("ROLLBACK");
      return Error::internal("migration " + std::to_string(m.version) + " failed: " + st.error().message);
    }
    VIGIL_TRY(db.exec("COMMIT"));
  }
  return {};
}
}  // namespace

Status SqliteStore::start() {
  std::error_code ec;
  auto dir = std::filesystem::path(opts_.path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  VIGIL_ASSIGN_OR_RETURN(writer_, Db::open(opts_.path, false, true));
  VIGIL_TRY(applyMigrations(*writer_, clock_.nowMs()));
  for (int i = 0; i < opts_.readerConnections; ++i) {
    VIGIL_ASSIGN_OR_RETURN(auto r, Db::open(opts_.path, true, false));
    freeReaders_.push_back(r.get());
    readers_.push_back(std::move(r));
  }
  if (auto* m = opts_.metrics) {
    m->describe("vigil_store_commit_seconds", Metrics::Type::kHistogram, "Time to run and commit one write batch.");
    m->describe("vigil_store_write_jobs_total", Metrics::Type::kCounter, "Write jobs by result.");
    m->describe("vigil_store_write_queue_depth", Metrics::Type::kGauge, "Write jobs waiting when a batch starts.");
    m->describe("vigil_store_read_seconds", Metrics::Type::kHistogram, "Time a read connection is held.");
  }
  writerThread_ = std::thread([this] { writerLoop(); });
  return {};
}

Status SqliteStore::loadAuditHead() {
  VIGIL_ASSIGN_OR_RETURN(auto st, writer_->prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"));
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  auditId_ = row ? st.int64(0) : 0;
  auditHead_ = row ? st.text(1) : audit::kGenesisHash;
  return {};
}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::close() {
  {
    std::lock_guard lock(queueMu_);
    if (stopping_) return;
    stopping_ = true;
  }
  queueCv_.notify_all();
  if (writerThread_.joinable()) writerThread_.join();
}

Status SqliteStore::write(std::function<Status(WriteTx&)> job) {
  std::future<Status> fut;
  {
    std::lock_guard lock(queueMu_);
    if (stopping_) return Error::unavailable("the store is shutting down");
    if (static_cast<int>(queue_.size()) >= opts_.writeQueueMax)
      return Error::unavailable("the store's write queue is full; try again");
    queue_.push_back(Job{std::move(job), {}});
    fut = queue_.back().done.get_future();
  }
  queueCv_.notify_one();
  return fut.get();
}

// Group commit: every job waiting when the writer wakes goes into one transaction. Each job runs
// in its own savepoint; a failing job is rolled back alone and the audit chain head is restored.
void SqliteStore::writerLoop() {
  for (;;) {
    std::vector<Job> batch;
    {
      std::unique_lock lock(queueMu_);
      queueCv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      if (opts_.metrics) opts_.metrics->set("vigil_store_write_queue_depth", "", static_cast<double>(queue_.size()));
      while (!queue_.empty() && static_cast<int>(batch.size()) < opts_.writerBatchMax) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const auto batchStart = std::chrono::steady_clock::now();
    std::vector<Status> results(batch.size());
    Status begin = writer_->exec("BEGIN IMMEDIATE");
    // Another process (a `vigil backup` or `restore` command) may have appended to the audit log:
    // the chain head is read again inside the write lock.
    if (begin.ok()) begin = loadAuditHead();
    if (!begin.ok()) {
      (void)writer_->exec("ROLLBACK");
      for (auto& j : batch) j.done.set_value(begin);
      continue;
    }
    const int64_t batchAuditId = auditId_;
    const std::string batchHead = auditHead_;
    for (size_t i = 0; i < batch.size(); ++i) {
      const int64_t jobAuditId = auditId_;
      const std::string jobHead = auditHead_;
      (void)writer_->exec("SAVEPOINT job");
      WriteTx tx(*writer_, clock_, auditId_, auditHead_);
      Status st;
      try {
        st = batch[i].fn(tx);
      } catch (const std::exception& e) {
        st = Error::internal(std::string("write failed: ") + e.what());
      }
      if (!st.ok()) {
        (void)writer_->exec("ROLLBACK TO job");
        auditId_ = jobAuditId;
        auditHead_ = jobHead;
      }
      (void)writer_->exec("RELEASE job");
      results[i] = std::move(st);
    }
    Status commit = writer_->exec("COMMIT");
    if (!commit.ok()) {
      (void)writer_->exec("ROLLBACK");
      auditId_ = batchAuditId;
      auditHead_ = batchHead;
      for (auto& r : results)
        if (r.ok()) r = commit;
    }
    if (auto* m = opts_.metrics) {
      m->observe("vigil_store_commit_seconds", "",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - batchStart).count());
      for (const auto& r : results)
        m->add("vigil_store_write_jobs_total", r.ok() ? "result=\"ok\"" : "result=\"error\"");
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(std::move(results[i]));
  }
}

SqliteStore::Lease::Lease(SqliteStore& s) : store(s), start(std::chrono::steady_clock::now()) {
  std::unique_lock lock(s.readersMu_);
  s.readersCv_.wait(lock, [&] { return !s.freeReaders_.empty(); });
  db = s.freeReaders_.back();
  s.freeReaders_.pop_back();
}

SqliteStore::Lease::~Lease() {
  if (auto* m = store.opts_.metrics)
    m->observe("vigil_store_read_seconds", "",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  {
    std::lock_guard lock(store.readersMu_);
    store.freeReaders_.push_back(db);
  }
  store.readersCv_.notify_one();
}

Status SqliteStore::ping() {
  return read([](Db& db) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT 1"));
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::unavailable("store did not answer");
    return {};
  });
}

// --- Backup and restore (SQLite online backup API) ---------------------------------------------

namespace {
Status copyDatabase(sqlite3* from, sqlite3* to) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) return Error::internal(std::string("backup could not start: ") + sqlite3_errmsg(to));
  int rc;
  do {
    rc = sqlite3_backup_step(b, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return Error::internal(std::string("backup failed: ") + sqlite3_errstr(rc));
  return {};
}
}  // namespace

Status SqliteStore::backupTo(const std::string& path) {
  const std::string tmp = path + ".partial";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  {
    sqlite3* dest = nullptr;
    if (sqlite3_open_v2(tmp.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      std::string msg = dest ? sqlite3_errmsg(dest) : "out of memory";
      sqlite3_close(dest);
      return Error::internal("cannot create backup file " + path + ": " + msg);
    }
    Status st = read([&](Db& db) { return copyDatabase(db.raw(), dest); });
    sqlite3_close(dest);
    if (!st.ok()) {
      std::filesystem::remove(tmp, ec);
      return st;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error::internal("cannot move backup into place at " + path + ": " + ec.message());
  return {};
}

Status SqliteStore::restoreFrom(const std::string& backupFile, const std::string& dbPath) {
  if (!std::filesystem::exists(backupFile)) return Error::notFound("backup file " + backupFile + " does not exist");
  VIGIL_ASSIGN_OR_RETURN(auto src, Db::open(backupFile, true, false));
  {
    auto st = src->prepare("PRAGMA integrity_check");
    if (!st.ok()) return Error::validation("backup", backupFile + " is not a vigil backup (not a SQLite database)");
    VIGIL_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row || st->text(0) != "ok")
      return Error::validation("backup", backupFile + " failed the integrity check: " + (row ? st->text(0) : ""));
  }
  {
    auto st = src->prepare("SELECT MAX(version) FROM schema_migrations");
    if (!st.ok()) return Error::validation("backup", backupFile + " is not a vigil backup (no schema version)");
    VIGIL_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row || st->isNull(0)) return Error::validation("backup", backupFile + " has no schema version");
    if (st->int64(0) > migrations().back().version)
      return Error::validation("backup", backupFile + " was written by a newer vigil");
  }
  std::error_code ec;
  auto dir = std::filesystem::path(dbPath).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  VIGIL_ASSIGN_OR_RETURN(auto dst, Db::open(dbPath, false, true));
  VIGIL_TRY(copyDatabase(src->raw(), dst->raw()));
  return dst->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// --- Audit log ---------------------------------------------------------------------------------

Status SqliteStore::appendAudit(const Actor& actor, AuditEntry entry) {
  return write([&](WriteTx& tx) { return tx.audit(actor, entry); });
}

Result<Page<AuditEntry>> SqliteStore::listAudit(const Actor& actor, const AuditFilter& f) {
  auto prefixes = scopePrefixes(actor, Permission::kReadAudit);
  if (prefixes.empty()) return Error::forbidden("the audit log is for administrators and auditors");
  // Entries without an organisation (e.g. a failed login under an unknown name) belong to the
  // province: only those who read the audit log from the root see them.
  bool rootScope = false;
  for (const auto& p : prefixes)
    if (std::count(p.begin(), p.end(), '/') <= 2) rootScope = true;
  const ScopeFilter scope("o.path", prefixes, 11);
  const std::string where =
      " FROM audit_log a LEFT JOIN orgs o ON o.id = a.org_id WHERE "
      "((a.org_id IS NULL AND ?1) OR " +
      scope.sql() +
      ") AND (?3 = '' OR a.actor = ?3) AND (?4 = '' OR a.action = ?4 OR (substr(?4,-1) = '.' AND "
      "substr(a.action,1,length(?4)) = ?4)) AND (?5 = '' OR a.object_type = ?5) AND (?6 = '' OR a.object_id = ?6) "
      "AND (?7 IS NULL OR a.time >= ?7) AND (?8 IS NULL OR a.time < ?8)";
  auto bindAll = [&](Stmt& st) {
    scope.bind(st);
    st.bind(1, rootScope).bind(3, f.actor).bind(4, f.action).bind(5, f.objectType);
    st.bind(6, f.objectId).bind(7, f.from).bind(8, f.to);
  };
  return read([&](Db& db) -> Result<Page<AuditEntry>> {
    Page<AuditEntry> page;
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT count(*)" + where));
      bindAll(st);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      page.total = row ? st.int64(0) : 0;
    }
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kAuditColumns + where +
                                               " ORDER BY a.id DESC LIMIT ?9 OFFSET ?10"));
    bindAll(st);
    st.bind(9, f.limit).bind(10, f.offset);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readAudit(st));
    }
    return page;
  });
}

Result<AuditVerification> SqliteStore::verifyAudit() {
  return read([&](Db& db) -> Result<AuditVerification> {
    AuditVerification v;
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db.prepare(std::string("SELECT ") + kAuditColumns + " FROM audit_log a ORDER BY a.id"));
    std::string prev = audit::kGenesisHash;
    int64_t expectedId = 1;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      AuditEntry e = readAudit(st);
      ++v.checked;
      std::string why;
      if (e.id != expectedId)
        why = "entry " + std::to_string(expectedId) + " is missing";
      else
        why = audit::checkLink(e, prev);
      if (!why.empty()) {
        v.ok = false;
        v.firstBrokenId = e.id;
        v.reason = why;
        return v;
      }
      prev = e.hash;
      ++expectedId;
    }
    return v;
  });
}

// --- Sessions ----------------------------------------------------------------------------------

Status SqliteStore::createSession(const Session& s) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO sessions(token_hash,user_id,kind,created_at,"
                                                  "last_seen_at,expires_at) VALUES(?,?,?,?,?,?)"));
    return st.bind(1, s.tokenHash)
        .bind(2, s.userId)
        .bind(3, s.kind == SessionKind::kSession ? "session" : "mfa")
        .bind(4, s.createdAt)
        .bind(5, s.lastSeenAt)
        .bind(6, s.expiresAt)
        .run();
  });
}

Result<Session> SqliteStore::findSession(const std::string& tokenHash) {
  return read([&](Db& db) -> Result<Session> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT token_hash,user_id,kind,created_at,last_seen_at,expires_at "
                                               "FROM sessions WHERE token_hash = ?"));
    st.bind(1, tokenHash);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::unauthenticated("session not found");
    Session s;
    s.tokenHash = st.text(0);
    s.userId = st.int64(1);
    s.kind = st.text(2) == "session" ? SessionKind::kSession : SessionKind::kMfaPending;
    s.createdAt = st.int64(3);
    s.lastSeenAt = st.int64(4);
    s.expiresAt = st.int64(5);
    return s;
  });
}

Status SqliteStore::touchSession(const std::string& tokenHash, TimeMs now) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?"));
    return st.bind(1, now).bind(2, tokenHash).run();
  });
}

Status SqliteStore::deleteSession(const std::string& tokenHash) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM sessions WHERE token_hash = ?"));
    return st.bind(1, tokenHash).run();
  });
}

Status SqliteStore::deleteUserSessions(int64_t userId) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM sessions WHERE user_id = ?"));
    return st.bind(1, userId).run();
  });
}

Status SqliteStore::deleteExpiredSessions(TimeMs now) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM sessions WHERE expires_at <= ?"));
    return st.bind(1, now).run();
  });
}

// --- API tokens --------------------------------------------------------------------------------

Result<Page<ApiToken>> SqliteStore::listTokens(const Actor& actor) {
  auto prefixes = scopePrefixes(actor, Permission::kManageTokens);
  if (prefixes.empty()) return Error::forbidden("API tokens are managed by administrators");
  const ScopeFilter scope("o.path", prefixes, 1);
  return read([&](Db& db) -> Result<Page<ApiToken>> {
    Page<ApiToken> page;
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kTokenColumns +
                                               " FROM api_tokens t JOIN orgs o ON o.id = t.org_id WHERE " +
                                               scope.sql() + " ORDER BY t.id DESC"));
    scope.bind(st);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readToken(st));
    }
    page.total = static_cast<int64_t>(page.items.size());
    return page;
  });
}

Result<ApiToken> SqliteStore::createToken(const Actor& actor, const TokenDraft& d) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, d.orgId));
    if (!allows(actor, Permission::kManageTokens, org.path))
      return Error::forbidden("you may not create tokens for this organisation");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO api_tokens(name,secret_hash,prefix,org_id,role,"
                                                  "created_by,created_at,expires_at) VALUES(?,?,?,?,?,?,?,?)"));
    st.bind(1, d.name).bind(2, d.secretHash).bind(3, d.prefix).bind(4, d.orgId).bind(5, roleName(d.role));
    st.bind(6, actor.userId).bind(7, tx.now).bind(8, d.expiresAt);
    VIGIL_TRY(st.run());
    id = tx.db.lastInsertId();
    json::object sum{{"name", d.name},
                     {"org_id", d.orgId},
                     {"role", roleName(d.role)},
                     {"expires_at", formatRfc3339(d.expiresAt)},
                     {"prefix", d.prefix}};
    return tx.audit(actor, {.action = "token.create",
                            .objectType = "token",
                            .objectId = std::to_string(id),
                            .orgId = d.orgId,
                            .summary = json::serialize(sum)});
  }));
  return read([&](Db& db) -> Result<ApiToken> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kTokenColumns +
                                               " FROM api_tokens t JOIN orgs o ON o.id = t.org_id WHERE t.id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::internal("token vanished after insert");
    return readToken(st);
  });
}

Status SqliteStore::revokeToken(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare(std::string("SELECT ") + kTokenColumns +
                                                  " FROM api_tokens t JOIN orgs o ON o.id = t.org_id WHERE t.id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::notFound("no such token");
    ApiToken t = readToken(st);
    if (!allows(actor, Permission::kManageTokens, t.orgPath)) return Error::notFound("no such token");
    if (t.revoked) return Error::conflict("the token is already revoked");
    VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?"));
    VIGIL_TRY(up.bind(1, tx.now).bind(2, id).run());
    json::object sum{{"name", t.name}, {"prefix", t.prefix}};
    return tx.audit(actor, {.action = "token.revoke",
                            .objectType = "token",
                            .objectId = std::to_string(id),
                            .orgId = t.orgId,
                            .summary = json::serialize(sum)});
  });
}

Result<ApiToken> SqliteStore::findTokenByHash(const std::string& secretHash) {
  return read([&](Db& db) -> Result<ApiToken> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kTokenColumns +
                                               " FROM api_tokens t JOIN orgs o ON o.id = t.org_id "
                                               "WHERE t.secret_hash = ?"));
    st.bind(1, secretHash);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::unauthenticated("unknown API token");
    return readToken(st);
  });
}

Status SqliteStore::touchToken(int64_t id, TimeMs now) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"));
    return st.bind(1, now).bind(2, id).run();
  });
}

// --- Settings ----------------------------------------------------------------------------------

Result<SecuritySettings> SqliteStore::securitySettings() {
  return read([&](Db& db) -> Result<SecuritySettings> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT value FROM settings WHERE key = 'security'"));
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    return row ? decodeSecuritySettings(st.text(0)) : SecuritySettings{};
  });
}

Result<SecuritySettings> SqliteStore::putSecuritySettings(const Actor& actor, const SecuritySettings& s) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org root, loadRoot(tx.db));
    if (!allows(actor, Permission::kManageSettings, root.path))
      return Error::forbidden("security settings are changed by an administrator of the province");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO settings(key,value) VALUES('security',?) "
                                                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    const std::string text = encodeSecuritySettings(s);
    VIGIL_TRY(st.bind(1, text).run());
    return tx.audit(actor, {.action = "settings.security.update",
                            .objectType = "settings",
                            .objectId = "security",
                            .orgId = root.id,
                            .summary = text});
  }));
  return securitySettings();
}

}  // namespace vigil::sqlite
