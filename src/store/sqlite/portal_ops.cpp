// SqliteStore: web portals, their facts, runs, findings and evidence items (portal_store.h). A
// portal is reached through its organisation, whose path decides access: kReadRegistry to see it
// (otherwise kNotFound, as if missing), kManageRegistry to change it; allow_private needs
// kManageRegistry on the root. Each change and its audit entry are written in one transaction.
// The monitor's side (monitoredPortals, recordPortalRun) is system level and not audited.
#include <boost/json.hpp>
#include <map>
#include <set>

#include "store/sqlite/import_rows.h"
#include "store/sqlite/json_columns.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;
using webmon::CheckClass;

namespace {

constexpr const char* kPortalColumns =
    "p.id,p.org_id,o.name,o.path,p.system_id,COALESCE(s.name,''),p.name,p.url,p.key_pages,p.allowed_domains,"
    "p.marker,p.maintenance,p.allow_private,p.enabled,p.interval_availability,p.interval_content,p.interval_tls,"
    "p.interval_headers,p.interval_exposure,p.revision,p.created_by,p.created_at,p.updated_at,p.last_run_at,"
    "COALESCE(fc.lo,0),COALESCE(fc.me,0),COALESCE(fc.hi,0),COALESCE(fc.cr,0)";
// Open findings above kInfo per portal (severity_rank: 1 low .. 4 critical).
constexpr const char* kPortalFrom =
    " FROM portals p JOIN orgs o ON o.id = p.org_id LEFT JOIN info_systems s ON s.id = p.system_id"
    " LEFT JOIN (SELECT portal_id, SUM(severity_rank = 1) lo, SUM(severity_rank = 2) me, SUM(severity_rank = 3) hi,"
    " SUM(severity_rank = 4) cr FROM portal_findings WHERE status = 0 AND severity_rank > 0 GROUP BY portal_id) fc"
    " ON fc.portal_id = p.id";

std::vector<webmon::MaintenanceWindow> maintenanceFromJson(const std::string& text) {
  std::vector<webmon::MaintenanceWindow> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    webmon::MaintenanceWindow w;
    if (auto* f = o.if_contains("from"); f && f->is_int64()) w.from = f->as_int64();
    if (auto* t = o.if_contains("to"); t && t->is_int64()) w.to = t->as_int64();
    if (auto* n = o.if_contains("note"); n && n->is_string()) w.note = std::string(n->as_string());
    out.push_back(std::move(w));
  }
  return out;
}

json::array maintenanceJson(const std::vector<webmon::MaintenanceWindow>& ws) {
  json::array a;
  for (const auto& w : ws) a.push_back(json::object{{"from", w.from}, {"to", w.to}, {"note", w.note}});
  return a;
}

Portal readPortal(const Stmt& st) {
  Portal p;
  p.id = st.int64(0);
  p.fields.orgId = st.int64(1);
  p.orgName = st.text(2);
  p.orgPath = st.text(3);
  p.fields.systemId = st.optInt64(4);
  p.systemName = st.text(5);
  p.fields.name = st.text(6);
  p.fields.url = st.text(7);
  p.fields.keyPages = fromJsonArray(st.text(8));
  p.fields.allowedDomains = fromJsonArray(st.text(9));
  p.fields.marker = st.text(10);
  p.fields.maintenance = maintenanceFromJson(st.text(11));
  p.fields.allowPrivate = st.int64(12) != 0;
  p.fields.enabled = st.int64(13) != 0;
  p.fields.intervals.availabilitySeconds = static_cast<int>(st.int64(14));
  p.fields.intervals.contentSeconds = static_cast<int>(st.int64(15));
  p.fields.intervals.tlsSeconds = static_cast<int>(st.int64(16));
  p.fields.intervals.headersSeconds = static_cast<int>(st.int64(17));
  p.fields.intervals.exposureSeconds = static_cast<int>(st.int64(18));
  p.revision = st.int64(19);
  p.createdBy = st.text(20);
  p.createdAt = st.int64(21);
  p.updatedAt = st.int64(22);
  p.lastRunAt = st.int64(23);
  p.open = {st.int64(24), st.int64(25), st.int64(26), st.int64(27)};
  return p;
}

std::string notFoundText(int64_t id) { return "portal " + std::to_string(id) + " not found"; }

Status checkAccess(const Actor& actor, Permission p, const std::string& path, const std::string& orgName,
                   Error notFound) {
  if (!allows(actor, Permission::kReadRegistry, path)) return notFound;
  if (p == Permission::kManageRegistry && !allows(actor, p, path))
    return Error::forbidden("you may not change the web portals of '" + orgName + "'");
  return {};
}

// Facts of a portal; `maxValueBytes` 0: all.
Result<webmon::Facts> loadFacts(Db& db, int64_t portalId, size_t maxValueBytes) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT key,value FROM portal_facts WHERE portal_id = ? AND (? = 0 OR "
                                             "length(CAST(value AS BLOB)) <= ?) ORDER BY key"));
  st.bind(1, portalId).bind(2, static_cast<int64_t>(maxValueBytes)).bind(3, static_cast<int64_t>(maxValueBytes));
  webmon::Facts out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.emplace_back(st.text(0), st.text(1));
  }
  return out;
}

Result<Portal> loadPortal(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare(std::string("SELECT ") + kPortalColumns + kPortalFrom + " WHERE p.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText(id));
  Portal portal = readPortal(st);
  VIGIL_TRY(checkAccess(actor, p, portal.orgPath, portal.orgName, Error::notFound(notFoundText(id))));
  VIGIL_ASSIGN_OR_RETURN(portal.facts, loadFacts(db, id, 0));
  return portal;
}

// The recorded fields, for audit summaries.
json::object fieldsJson(const PortalFields& f) {
  return {{"org_id", f.orgId},
          {"system_id", f.systemId ? json::value(*f.systemId) : json::value(nullptr)},
          {"name", f.name},
          {"url", f.url},
          {"key_pages", stringArray(f.keyPages)},
          {"allowed_domains", stringArray(f.allowedDomains)},
          {"marker", f.marker},
          {"maintenance", maintenanceJson(f.maintenance)},
          {"allow_private", f.allowPrivate},
          {"enabled", f.enabled},
          {"intervals", json::object{{"availability", f.intervals.availabilitySeconds},
                                     {"content", f.intervals.contentSeconds},
                                     {"tls", f.intervals.tlsSeconds},
                                     {"headers", f.intervals.headersSeconds},
                                     {"exposure", f.intervals.exposureSeconds}}}};
}

json::object changes(const json::object& before, const json::object& after) {
  json::object out;
  for (const auto& [k, v] : after) {
    const json::value* old = before.if_contains(k);
    if (!old || *old != v) out[k] = json::object{{"from", old ? *old : json::value(nullptr)}, {"to", v}};
  }
  return out;
}

AuditEntry auditOf(std::string action, int64_t id, int64_t orgId, const json::object& summary) {
  return {.action = std::move(action),
          .objectType = "portal",
          .objectId = std::to_string(id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

// Who may set allow_private, the system belongs to the organisation, the URL is free.
Status checkPortalWrite(Db& db, const Actor& actor, const PortalFields& f, int64_t excludeId, bool privateNeedsRoot) {
  if (f.name.empty()) return Error::validation("name", "is required");
  if (f.url.empty()) return Error::validation("url", "is required");
  if (privateNeedsRoot) {
    VIGIL_ASSIGN_OR_RETURN(Org root, loadRoot(db));
    if (!allows(actor, Permission::kManageRegistry, root.path))
      return Error::forbidden(
          "allow_private (monitoring a private, loopback or link-local address) may only be set by a "
          "province-level registry manager");
  }
  if (f.systemId) {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT org_id FROM info_systems WHERE id = ?"));
    st.bind(1, *f.systemId);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row || st.int64(0) != f.orgId)
      return Error::validation("system_id", "information system " + std::to_string(*f.systemId) +
                                                " is not a system of the portal's organisation");
  }
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id FROM portals WHERE org_id = ? AND url = ? AND id <> ?"));
  st.bind(1, f.orgId).bind(2, f.url).bind(3, excludeId);
  VIGIL_ASSIGN_OR_RETURN(bool taken, st.step());
  if (taken)
    return Error::conflict("the organisation already has portal " + std::to_string(st.int64(0)) + " with URL " + f.url);
  return {};
}

Status bindFields(Stmt& st, const PortalFields& f, int first) {
  st.bind(first, f.systemId)
      .bind(first + 1, f.name)
      .bind(first + 2, f.url)
      .bind(first + 3, toJsonArray(f.keyPages))
      .bind(first + 4, toJsonArray(f.allowedDomains))
      .bind(first + 5, f.marker)
      .bind(first + 6, json::serialize(maintenanceJson(f.maintenance)))
      .bind(first + 7, f.allowPrivate)
      .bind(first + 8, f.enabled)
      .bind(first + 9, f.intervals.availabilitySeconds)
      .bind(first + 10, f.intervals.contentSeconds)
      .bind(first + 11, f.intervals.tlsSeconds)
      .bind(first + 12, f.intervals.headersSeconds)
      .bind(first + 13, f.intervals.exposureSeconds);
  return {};
}

// Inserts one portal and its audit entry (inside a write job). Returns the new id.
Result<int64_t> insertPortal(WriteTx& tx, const Actor& actor, const PortalFields& f) {
  VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
  VIGIL_TRY(checkAccess(actor, Permission::kManageRegistry, org.path, org.name,
                        Error::notFound("organisation " + std::to_string(f.orgId) + " not found")));
  if (org.archived) return Error::validation("org_id", "the organisation is archived");
  VIGIL_TRY(checkPortalWrite(tx.db, actor, f, 0, f.allowPrivate));
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO portals(org_id,system_id,name,url,key_pages,"
                                                "allowed_domains,marker,maintenance,allow_private,enabled,"
                                                "interval_availability,interval_content,interval_tls,"
                                                "interval_headers,interval_exposure,created_by,created_at,"
                                                "updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  st.bind(1, f.orgId);
  VIGIL_TRY(bindFields(st, f, 2));
  VIGIL_TRY(st.bind(16, actor.name).bind(17, tx.now).bind(18, tx.now).run());
  const int64_t id = tx.db.lastInsertId();
  VIGIL_TRY(tx.audit(actor, auditOf("portal.create", id, f.orgId, fieldsJson(f))));
  return id;
}

constexpr const char* kFindingColumns =
    "f.id,f.portal_id,p.org_id,p.name,f.check_class,f.check_name,f.finding_id,f.url,f.severity,f.summary,"
    "f.evidence,f.first_seen,f.opened_at,f.last_seen,f.status,f.resolved_at,f.reinfections,f.alert_key";

PortalFinding readFinding(const Stmt& st) {
  PortalFinding f;
  f.id = st.int64(0);
  f.portalId = st.int64(1);
  f.orgId = st.int64(2);
  f.portalName = st.text(3);
  f.checkClass = webmon::checkClassFromName(st.text(4)).value_or(CheckClass::kAvailability);
  f.check = st.text(5);
  f.findingId = st.text(6);
  f.url = st.text(7);
  f.severity = parseWebSeverity(st.text(8)).value_or(webmon::Severity::kInfo);
  f.summary = st.text(9);
  f.evidenceJson = st.text(10);
  f.firstSeen = st.int64(11);
  f.openedAt = st.int64(12);
  f.lastSeen = st.int64(13);
  f.status = st.int64(14) == 0 ? PortalFindingStatus::kOpen : PortalFindingStatus::kResolved;
  f.resolvedAt = st.int64(15);
  f.reinfections = static_cast<int>(st.int64(16));
  f.alertKey = st.text(17);
  return f;
}

Result<PortalFinding> loadFindingRow(Db& db, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kFindingColumns +
                                             " FROM portal_findings f JOIN portals p ON p.id = f.portal_id"
                                             " WHERE f.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::internal("portal finding " + std::to_string(id) + " vanished");
  return readFinding(st);
}

constexpr const char* kEvidenceColumns =
    "e.id,e.portal_id,p.org_id,e.run_id,e.finding_id,e.name,e.media_type,e.sha256,e.size,e.blob_sha256,"
    "e.stored_size,e.created_at";

PortalEvidence readEvidence(const Stmt& st) {
  PortalEvidence e;
  e.id = st.int64(0);
  e.portalId = st.int64(1);
  e.orgId = st.int64(2);
  e.runId = st.optInt64(3).value_or(0);
  e.findingId = st.optInt64(4);
  e.name = st.text(5);
  e.mediaType = st.text(6);
  e.sha256 = st.text(7);
  e.size = st.int64(8);
  e.blobSha256 = st.text(9);
  e.storedSize = st.int64(10);
  e.createdAt = st.int64(11);
  return e;
}

int severityRank(webmon::Severity s) { return static_cast<int>(s); }

json::object evidenceObject(const webmon::Finding& f) {
  json::object o;
  for (const auto& [k, v] : f.evidence) o[k] = v;
  return o;
}

}  // namespace

// --- Registrations -----------------------------------------------------------------------------

Result<Page<Portal>> SqliteStore::listPortals(const Actor& actor, const PortalQuery& q) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 1);
  return read([&](Db& db) -> Result<Page<Portal>> {
    std::string where = " WHERE " + scope.sql();
    std::string subtree;
    if (q.orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *q.orgId));
      subtree = org.path;
      where += " AND substr(o.path, 1, length(?100)) = ?100";
    }
    if (!q.text.empty())
      where += " AND (instr(lower(p.name), lower(?101)) > 0 OR instr(lower(p.url), lower(?101)) > 0)";
    if (q.enabled) where += " AND p.enabled = ?102";
    if (q.withOpenFindings) where += " AND COALESCE(fc.lo + fc.me + fc.hi + fc.cr, 0) > 0";
    auto bindAll = [&](Stmt& st) {
      scope.bind(st);
      if (q.orgId) st.bind(100, subtree);
      if (!q.text.empty()) st.bind(101, q.text);
      if (q.enabled) st.bind(102, *q.enabled);
    };
    Page<Portal> page;
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT COUNT(*)") + kPortalFrom + where));
      bindAll(st);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      page.total = row ? st.int64(0) : 0;
    }
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kPortalColumns + kPortalFrom + where +
                                               " ORDER BY o.path, p.name, p.id LIMIT ?103 OFFSET ?104"));
    bindAll(st);
    st.bind(103, q.limit).bind(104, q.offset);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readPortal(st));
    }
    for (auto& p : page.items) {
      VIGIL_ASSIGN_OR_RETURN(p.facts, loadFacts(db, p.id, kShortFactBytes));
    }
    return page;
  });
}

Result<Portal> SqliteStore::getPortal(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadPortal(db, actor, id, Permission::kReadRegistry); });
}

Result<Portal> SqliteStore::createPortal(const Actor& actor, const PortalFields& f) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(id, insertPortal(tx, actor, f));
    return {};
  }));
  return read([&](Db& db) { return loadPortal(db, actor, id, Permission::kReadRegistry); });
}

Result<Portal> SqliteStore::updatePortal(const Actor& actor, int64_t id, const PortalFields& f,
                                         int64_t expectedRevision) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Portal cur, loadPortal(tx.db, actor, id, Permission::kManageRegistry));
    if (expectedRevision != 0 && expectedRevision != cur.revision)
      return Error::conflict("portal " + std::to_string(id) + " was changed meanwhile (revision " +
                             std::to_string(cur.revision) + ", you sent " + std::to_string(expectedRevision) +
                             "); reload it");
    PortalFields next = f;
    next.orgId = cur.fields.orgId;
    // Keeping allow_private while pointing the portal elsewhere is allowing it anew.
    const bool privateNeedsRoot = next.allowPrivate && (!cur.fields.allowPrivate || next.url != cur.fields.url ||
                                                        next.keyPages != cur.fields.keyPages);
    VIGIL_TRY(checkPortalWrite(tx.db, actor, next, id, privateNeedsRoot));
    const json::object diff = changes(fieldsJson(cur.fields), fieldsJson(next));
    if (diff.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE portals SET system_id=?,name=?,url=?,key_pages=?,"
                                                  "allowed_domains=?,marker=?,maintenance=?,allow_private=?,"
                                                  "enabled=?,interval_availability=?,interval_content=?,"
                                                  "interval_tls=?,interval_headers=?,interval_exposure=?,"
                                                  "revision=revision+1,updated_at=? WHERE id=?"));
    VIGIL_TRY(bindFields(st, next, 1));
    VIGIL_TRY(st.bind(15, tx.now).bind(16, id).run());
    json::object sum{{"name", next.name}, {"changes", diff}};
    return tx.audit(actor, auditOf("portal.update", id, cur.fields.orgId, sum));
  }));
  return read([&](Db& db) { return loadPortal(db, actor, id, Permission::kReadRegistry); });
}

Status SqliteStore::deletePortal(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Portal cur, loadPortal(tx.db, actor, id, Permission::kManageRegistry));
    // Facts, runs, findings and evidence rows go by ON DELETE CASCADE (foreign_keys is on).
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM portals WHERE id = ?"));
    VIGIL_TRY(st.bind(1, id).run());
    json::object sum = fieldsJson(cur.fields);
    sum["open_findings"] = cur.open.total();
    return tx.audit(actor, auditOf("portal.delete", id, cur.fields.orgId, sum));
  });
}

Result<std::vector<int64_t>> SqliteStore::importPortals(const Actor& actor, const std::vector<PortalFields>& rows) {
  std::vector<int64_t> ids;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    return insertImportRows(rows, ids, [&](const PortalFields& f) { return insertPortal(tx, actor, f); });
  }));
  return ids;
}

// --- Runs, findings, evidence ------------------------------------------------------------------

Result<std::vector<PortalRunRecord>> SqliteStore::listPortalRuns(const Actor& actor, int64_t portalId,
                                                                 std::optional<CheckClass> checkClass, int limit) {
  return read([&](Db& db) -> Result<std::vector<PortalRunRecord>> {
    VIGIL_TRY(loadPortal(db, actor, portalId, Permission::kReadRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id,portal_id,check_class,started_at,finished_at,attempts,"
                                               "in_maintenance,findings,problems,opened,resolved FROM portal_runs "
                                               "WHERE portal_id = ? AND (? = '' OR check_class = ?) "
                                               "ORDER BY id DESC LIMIT ?"));
    const std::string cls = checkClass ? std::string(webmon::checkClassName(*checkClass)) : std::string();
    st.bind(1, portalId).bind(2, cls).bind(3, cls).bind(4, limit);
    std::vector<PortalRunRecord> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      PortalRunRecord r;
      r.id = st.int64(0);
      r.portalId = st.int64(1);
      r.checkClass = webmon::checkClassFromName(st.text(2)).value_or(CheckClass::kAvailability);
      r.startedAt = st.int64(3);
      r.finishedAt = st.int64(4);
      r.attempts = static_cast<int>(st.int64(5));
      r.inMaintenance = st.int64(6) != 0;
      r.findings = static_cast<int>(st.int64(7));
      r.problems = static_cast<int>(st.int64(8));
      r.opened = static_cast<int>(st.int64(9));
      r.resolved = static_cast<int>(st.int64(10));
      out.push_back(r);
    }
    return out;
  });
}

Result<Page<PortalFinding>> SqliteStore::listPortalFindings(const Actor& actor, const PortalFindingQuery& q) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 1);
  return read([&](Db& db) -> Result<Page<PortalFinding>> {
    if (q.portalId) VIGIL_TRY(loadPortal(db, actor, *q.portalId, Permission::kReadRegistry));
    std::string subtree;
    std::string where = " WHERE " + scope.sql();
    if (q.orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *q.orgId));
      subtree = org.path;
      where += " AND substr(o.path, 1, length(?100)) = ?100";
    }
    if (q.portalId) where += " AND f.portal_id = ?101";
    if (q.status) where += " AND f.status = ?102";
    if (!q.includeInfo) where += " AND f.severity_rank > 0";
    const std::string from =
        " FROM portal_findings f JOIN portals p ON p.id = f.portal_id JOIN orgs o ON o.id = p.org_id";
    auto bindAll = [&](Stmt& st) {
      scope.bind(st);
      if (q.orgId) st.bind(100, subtree);
      if (q.portalId) st.bind(101, *q.portalId);
      if (q.status) st.bind(102, *q.status == PortalFindingStatus::kOpen ? 0 : 1);
    };
    Page<PortalFinding> page;
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT COUNT(*)" + from + where));
      bindAll(st);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      page.total = row ? st.int64(0) : 0;
    }
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kFindingColumns + from + where +
                                               " ORDER BY f.status, f.severity_rank DESC, f.last_seen DESC, f.id"
                                               " LIMIT ?103 OFFSET ?104"));
    bindAll(st);
    st.bind(103, q.limit).bind(104, q.offset);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readFinding(st));
    }
    return page;
  });
}

Result<std::vector<PortalEvidence>> SqliteStore::listPortalEvidence(const Actor& actor, int64_t portalId,
                                                                    std::optional<int64_t> findingId) {
  return read([&](Db& db) -> Result<std::vector<PortalEvidence>> {
    VIGIL_TRY(loadPortal(db, actor, portalId, Permission::kReadRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kEvidenceColumns +
                                               " FROM portal_evidence e JOIN portals p ON p.id = e.portal_id"
                                               " WHERE e.portal_id = ? AND (? = 0 OR e.finding_id = ?)"
                                               " ORDER BY e.id DESC LIMIT 1000"));
    const int64_t fid = findingId.value_or(0);
    st.bind(1, portalId).bind(2, fid).bind(3, fid);
    std::vector<PortalEvidence> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readEvidence(st));
    }
    return out;
  });
}

Result<PortalEvidence> SqliteStore::getPortalEvidence(const Actor& actor, int64_t id) {
  return read([&](Db& db) -> Result<PortalEvidence> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kEvidenceColumns +
                                               ",o.path FROM portal_evidence e JOIN portals p ON p.id = e.portal_id"
                                               " JOIN orgs o ON o.id = p.org_id WHERE e.id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    const std::string missing = "portal evidence " + std::to_string(id) + " not found";
    if (!row || !allows(actor, Permission::kReadRegistry, st.text(12))) return Error::notFound(missing);
    return readEvidence(st);
  });
}

Result<std::vector<PortalReportRow>> SqliteStore::portalReport(const Actor& actor, std::optional<int64_t> orgId) {
  PortalQuery q;
  q.orgId = orgId;
  q.limit = 100000;
  VIGIL_ASSIGN_OR_RETURN(auto page, listPortals(actor, q));
  return read([&](Db& db) -> Result<std::vector<PortalReportRow>> {
    std::vector<PortalReportRow> out;
    for (auto& p : page.items) {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT COUNT(*), COALESCE(SUM(resolved_at - opened_at),0) FROM "
                                                 "portal_findings WHERE portal_id = ? AND status = 1 AND "
                                                 "severity_rank > 0"));
      st.bind(1, p.id);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      PortalReportRow r{.portal = std::move(p)};
      if (row) {
        r.resolvedCount = st.int64(0);
        r.resolvedFixMsTotal = st.int64(1);
      }
      out.push_back(std::move(r));
    }
    return out;
  });
}

// --- The monitor's side ------------------------------------------------------------------------

Result<std::vector<webmon::PortalSpec>> SqliteStore::monitoredPortals() {
  return read([&](Db& db) -> Result<std::vector<webmon::PortalSpec>> {
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db.prepare(std::string("SELECT ") + kPortalColumns + kPortalFrom + " ORDER BY p.id"));
    std::vector<webmon::PortalSpec> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      Portal p = readPortal(st);
      webmon::PortalSpec s;
      s.id = p.id;
      s.orgId = p.fields.orgId;
      s.name = std::move(p.fields.name);
      s.url = std::move(p.fields.url);
      s.keyPages = std::move(p.fields.keyPages);
      s.allowedDomains = std::move(p.fields.allowedDomains);
      s.marker = std::move(p.fields.marker);
      s.maintenance = std::move(p.fields.maintenance);
      s.allowPrivate = p.fields.allowPrivate;
      s.enabled = p.fields.enabled;
      s.intervals = p.fields.intervals;
      s.revision = p.revision;
      out.push_back(std::move(s));
    }
    for (auto& s : out) {
      VIGIL_ASSIGN_OR_RETURN(s.lastFacts, loadFacts(db, s.id, 0));
    }
    return out;
  });
}

Result<RecordedRun> SqliteStore::recordPortalRun(const webmon::PortalRun& run,
                                                 const std::vector<PortalEvidenceDraft>& evidence) {
  RecordedRun result;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    result = {};
    Db& db = tx.db;
    const std::string cls(webmon::checkClassName(run.checkClass));
    const TimeMs seen = run.finishedAt ? run.finishedAt : tx.now;
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT org_id,system_id,name,url FROM portals WHERE id = ?"));
      st.bind(1, run.portalId);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) return Error::notFound(notFoundText(run.portalId));
      result.orgId = st.int64(0);
      result.systemId = st.optInt64(1);
      result.portalName = st.text(2);
      result.portalUrl = st.text(3);
    }
    VIGIL_ASSIGN_OR_RETURN(auto ins, db.prepare("INSERT INTO portal_runs(portal_id,check_class,started_at,"
                                                "finished_at,attempts,in_maintenance,findings,problems,opened,"
                                                "resolved) VALUES(?,?,?,?,?,?,0,0,0,0)"));
    ins.bind(1, run.portalId).bind(2, cls).bind(3, run.startedAt).bind(4, seen).bind(5, run.attempts);
    VIGIL_TRY(ins.bind(6, run.inMaintenance).run());
    const int64_t runId = db.lastInsertId();
    result.runId = runId;

    // (A cached statement is reset when its Stmt goes out of scope: prepared once per iteration.)
    for (const auto& [k, v] : run.facts) {
      VIGIL_ASSIGN_OR_RETURN(auto fact, db.prepare("INSERT INTO portal_facts(portal_id,key,value,updated_at) "
                                                   "VALUES(?,?,?,?) ON CONFLICT(portal_id,key) DO UPDATE SET "
                                                   "value=excluded.value,updated_at=excluded.updated_at"));
      VIGIL_TRY(fact.bind(1, run.portalId).bind(2, k).bind(3, v).bind(4, seen).run());
    }

    // Findings: open, update or re-open each reported one (a key reported twice counts once).
    std::map<std::string, int64_t> rowOfKey;
    int problems = 0;
    int opened = 0;
    for (const auto& f : run.findings) {
      const std::string key = findingKeyOf(f.check, f.id, f.url);
      if (rowOfKey.contains(key)) continue;
      if (f.severity != webmon::Severity::kInfo) ++problems;
      const bool wanted = alertWanted(run, f);
      const std::string alertKey = wanted ? portalAlertKey(run.portalId, f.check, f.id, f.url) : std::string();
      const std::string ev = json::serialize(evidenceObject(f));
      const std::string sev(webSeverityName(f.severity));
      VIGIL_ASSIGN_OR_RETURN(auto find, db.prepare("SELECT id,status,alert_key FROM portal_findings WHERE "
                                                   "portal_id = ? AND check_name = ? AND finding_id = ? AND url = ?"));
      find.bind(1, run.portalId).bind(2, f.check).bind(3, f.id).bind(4, f.url);
      VIGIL_ASSIGN_OR_RETURN(bool exists, find.step());
      FindingChange change;
      int64_t rowId = 0;
      if (!exists) {
        VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("INSERT INTO portal_findings(portal_id,check_class,check_name,"
                                                   "finding_id,url,severity,severity_rank,summary,evidence,"
                                                   "first_seen,opened_at,last_seen,alert_key,last_run_id) "
                                                   "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        st.bind(1, run.portalId).bind(2, cls).bind(3, f.check).bind(4, f.id).bind(5, f.url).bind(6, sev);
        st.bind(7, severityRank(f.severity)).bind(8, f.summary).bind(9, ev).bind(10, seen).bind(11, seen);
        VIGIL_TRY(st.bind(12, seen).bind(13, alertKey).bind(14, runId).run());
        rowId = db.lastInsertId();
        change.kind = FindingChange::Kind::kOpened;
        change.alertNow = wanted;
        ++opened;
      } else {
        rowId = find.int64(0);
        const bool wasOpen = find.int64(1) == 0;
        const std::string oldKey = find.text(2);
        if (wasOpen) {
          // Still open: refresh; an alert held back (maintenance) is raised once it is wanted.
          const bool alertNow = oldKey.empty() && wanted;
          VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("UPDATE portal_findings SET check_class=?,severity=?,"
                                                     "severity_rank=?,summary=?,evidence=?,last_seen=?,"
                                                     "last_run_id=?,alert_key=? WHERE id=?"));
          st.bind(1, cls).bind(2, sev).bind(3, severityRank(f.severity)).bind(4, f.summary).bind(5, ev);
          st.bind(6, seen).bind(7, runId).bind(8, alertNow ? alertKey : oldKey);
          VIGIL_TRY(st.bind(9, rowId).run());
          change.kind = FindingChange::Kind::kStillOpen;
          change.alertNow = alertNow;
        } else {
          // Came back after being resolved: a re-infection (facts of kInfo are not counted).
          VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("UPDATE portal_findings SET check_class=?,severity=?,"
                                                     "severity_rank=?,summary=?,evidence=?,last_seen=?,"
                                                     "opened_at=?,status=0,resolved_at=0,"
                                                     "reinfections=reinfections+?,last_run_id=?,alert_key=? "
                                                     "WHERE id=?"));
          st.bind(1, cls).bind(2, sev).bind(3, severityRank(f.severity)).bind(4, f.summary).bind(5, ev);
          st.bind(6, seen).bind(7, seen).bind(8, f.severity == webmon::Severity::kInfo ? 0 : 1);
          VIGIL_TRY(st.bind(9, runId).bind(10, alertKey).bind(11, rowId).run());
          change.kind = FindingChange::Kind::kReopened;
          change.alertNow = wanted;
          ++opened;
        }
      }
      rowOfKey.emplace(key, rowId);
      VIGIL_ASSIGN_OR_RETURN(change.finding, loadFindingRow(db, rowId));
      result.changes.push_back(std::move(change));
    }

    // Resolve what the class no longer reports, unless the site could not be reached.
    bool inconclusive = false;
    if (run.checkClass != CheckClass::kAvailability)
      for (const auto& f : run.findings)
        if (f.check == "fetch") inconclusive = true;
    int resolved = 0;
    if (!inconclusive) {
      VIGIL_ASSIGN_OR_RETURN(auto gone, db.prepare("SELECT id FROM portal_findings WHERE portal_id = ? AND "
                                                   "check_class = ? AND status = 0 AND last_run_id <> ?"));
      gone.bind(1, run.portalId).bind(2, cls).bind(3, runId);
      std::vector<int64_t> ids;
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, gone.step());
        if (!row) break;
        ids.push_back(gone.int64(0));
      }
      for (int64_t id : ids) {
        VIGIL_ASSIGN_OR_RETURN(auto upd, db.prepare("UPDATE portal_findings SET status=1,resolved_at=? WHERE id=?"));
        VIGIL_TRY(upd.bind(1, seen).bind(2, id).run());
        FindingChange change{.kind = FindingChange::Kind::kResolved};
        VIGIL_ASSIGN_OR_RETURN(change.finding, loadFindingRow(db, id));
        result.changes.push_back(std::move(change));
        ++resolved;
      }
    }

    // Evidence: a finding keeps its first and its latest item of each name.
    for (const auto& e : evidence) {
      std::optional<int64_t> findingRow;
      if (auto it = rowOfKey.find(e.findingKey); !e.findingKey.empty() && it != rowOfKey.end()) {
        findingRow = it->second;
        VIGIL_ASSIGN_OR_RETURN(auto trim,
                               db.prepare("DELETE FROM portal_evidence WHERE finding_id = ?1 AND name = ?2 AND "
                                          "id <> (SELECT MIN(id) FROM portal_evidence WHERE finding_id = ?1 "
                                          "AND name = ?2)"));
        VIGIL_TRY(trim.bind(1, it->second).bind(2, e.name).run());
      }
      VIGIL_ASSIGN_OR_RETURN(auto addEv, db.prepare("INSERT INTO portal_evidence(portal_id,run_id,finding_id,name,"
                                                    "media_type,sha256,size,blob_sha256,stored_size,created_at) "
                                                    "VALUES(?,?,?,?,?,?,?,?,?,?)"));
      addEv.bind(1, run.portalId).bind(2, runId).bind(3, findingRow).bind(4, e.name).bind(5, e.mediaType);
      addEv.bind(6, e.sha256).bind(7, e.size).bind(8, e.blobSha256).bind(9, e.storedSize);
      VIGIL_TRY(addEv.bind(10, seen).run());
    }

    VIGIL_ASSIGN_OR_RETURN(auto counts, db.prepare("UPDATE portal_runs SET findings=?,problems=?,opened=?,resolved=? "
                                                   "WHERE id=?"));
    VIGIL_TRY(counts.bind(1, static_cast<int64_t>(rowOfKey.size()))
                  .bind(2, problems)
                  .bind(3, opened)
                  .bind(4, resolved)
                  .bind(5, runId)
                  .run());
    VIGIL_ASSIGN_OR_RETURN(auto last, db.prepare("UPDATE portals SET last_run_at = MAX(last_run_at, ?) WHERE id = ?"));
    VIGIL_TRY(last.bind(1, seen).bind(2, run.portalId).run());

    // Keep the newest kRunsKept runs of this portal and class; the run-level evidence of older ones
    // goes with them (a finding's items stay, their run_id becomes NULL).
    VIGIL_ASSIGN_OR_RETURN(auto cut, db.prepare("SELECT id FROM portal_runs WHERE portal_id = ? AND check_class = ? "
                                                "ORDER BY id DESC LIMIT 1 OFFSET ?"));
    cut.bind(1, run.portalId).bind(2, cls).bind(3, kRunsKept);
    VIGIL_ASSIGN_OR_RETURN(bool over, cut.step());
    if (over) {
      const int64_t oldest = cut.int64(0);
      VIGIL_ASSIGN_OR_RETURN(auto dropEv, db.prepare("DELETE FROM portal_evidence WHERE finding_id IS NULL AND "
                                                     "run_id IN (SELECT id FROM portal_runs WHERE portal_id = ? "
                                                     "AND check_class = ? AND id <= ?)"));
      VIGIL_TRY(dropEv.bind(1, run.portalId).bind(2, cls).bind(3, oldest).run());
      VIGIL_ASSIGN_OR_RETURN(auto drop, db.prepare("DELETE FROM portal_runs WHERE portal_id = ? AND check_class = ? "
                                                   "AND id <= ?"));
      VIGIL_TRY(drop.bind(1, run.portalId).bind(2, cls).bind(3, oldest).run());
    }
    return {};
  }));
  return result;
}

}  // namespace vigil::sqlite
