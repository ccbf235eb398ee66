// SqliteStore: incident evidence and its custody log (EvidenceStore), the response plans attached
// to information systems and the plans applied to incidents. An item is reached through its
// incident's organisation (copied onto the item at collection, checked by migration 11's
// trigger): kReadIncidents to see it (otherwise kNotFound, as if missing), kHandleIncidents to
// record it or its custody. A plan attachment follows its system's organisation with the
// registry's rights. Each change, its audit entry and its incident timeline entry are written in
// one transaction; the tables are append-only (migration 6's and 11's triggers), so nothing here
// updates or deletes an item, a custody entry or an applied plan.
#include <boost/json.hpp>

#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr const char* kItemColumns =
    "e.id,e.incident_id,e.org_id,o.name,e.name,e.media_type,e.size,e.sha256,e.description,e.collected_by,"
    "e.collected_at,e.recorded_by,e.recorded_at,o.path";
constexpr int kItemPathColumn = 13;
constexpr const char* kItemFrom = " FROM incident_evidence e JOIN orgs o ON o.id = e.org_id";

EvidenceItem readItem(const Stmt& st) {
  EvidenceItem e;
  e.id = st.int64(0);
  e.incidentId = st.int64(1);
  e.orgId = st.int64(2);
  e.orgName = st.text(3);
  e.name = st.text(4);
  e.mediaType = st.text(5);
  e.size = st.int64(6);
  e.sha256 = st.text(7);
  e.description = st.text(8);
  e.collectedBy = st.text(9);
  e.collectedAt = st.int64(10);
  e.recordedBy = st.text(11);
  e.recordedAt = st.int64(12);
  return e;
}

std::string itemNotFound(int64_t id) { return "evidence item " + std::to_string(id) + " not found"; }

bool isSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Result<std::vector<CustodyEntry>> loadCustody(Db& db, int64_t evidenceId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id,evidence_id,action,at,by_whom,to_whom,reason,recorded_by,"
                                             "recorded_at FROM evidence_custody WHERE evidence_id = ? ORDER BY id"));
  st.bind(1, evidenceId);
  std::vector<CustodyEntry> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back({st.int64(0), st.int64(1), st.text(2), st.int64(3), st.text(4), st.text(5), st.text(6), st.text(7),
                   st.int64(8)});
  }
  return out;
}

// The item (without custody) when the actor may read it; kForbidden when `p` is kHandleIncidents
// and the actor may read but not record.
Result<EvidenceItem> loadItem(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kItemColumns + kItemFrom + " WHERE e.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(itemNotFound(id));
  const std::string path = st.text(kItemPathColumn);
  if (!allows(actor, Permission::kReadIncidents, path)) return Error::notFound(itemNotFound(id));
  EvidenceItem e = readItem(st);
  if (p == Permission::kHandleIncidents && !allows(actor, p, path))
    return Error::forbidden("you may not record evidence custody for '" + e.orgName + "'");
  return e;
}

Status insertCustody(WriteTx& tx, const Actor& actor, int64_t evidenceId, const CustodyEntry& c) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO evidence_custody(evidence_id,action,at,by_whom,to_whom,"
                                                "reason,recorded_by,recorded_at) VALUES(?,?,?,?,?,?,?,?)"));
  st.bind(1, evidenceId).bind(2, c.action).bind(3, c.at).bind(4, c.by).bind(5, c.to).bind(6, c.reason);
  return st.bind(7, actor.name).bind(8, tx.now).run();
}

// The incident's organisation (id, name) when the actor may see the incident; kForbidden when
// `p` is kHandleIncidents and it may not handle it. `closed` tells whether it is over.
struct IncidentScope {
  int64_t orgId = 0;
  std::string orgName;
  bool closed = false;
};
Result<IncidentScope> incidentScope(Db& db, const Actor& actor, int64_t incidentId, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT i.org_id, o.name, o.path, i.closed FROM incidents i "
                                             "JOIN orgs o ON o.id = i.org_id WHERE i.id = ?"));
  st.bind(1, incidentId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  const std::string missing = "incident " + std::to_string(incidentId) + " not found";
  if (!row || !allows(actor, Permission::kReadIncidents, st.text(2))) return Error::notFound(missing);
  if (p == Permission::kHandleIncidents && !allows(actor, p, st.text(2)))
    return Error::forbidden("you may not handle the incidents of '" + st.text(1) + "'");
  return IncidentScope{st.int64(0), st.text(1), st.int64(3) != 0};
}

// One entry on the incident's timeline, and the incident marked changed (revision + 1) so that a
// change validated against an older record is refused.
Status timelineEntry(WriteTx& tx, const Actor& actor, int64_t incidentId, std::string_view kind,
                     const std::string& text, const json::object& data) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_timeline(incident_id,at,kind,actor,text,data) "
                                                "VALUES(?,?,?,?,?,?)"));
  st.bind(1, incidentId).bind(2, tx.now).bind(3, kind).bind(4, actor.name).bind(5, text);
  VIGIL_TRY(st.bind(6, json::serialize(data)).run());
  VIGIL_ASSIGN_OR_RETURN(auto touch, tx.db.prepare("UPDATE incidents SET updated_at = ?, revision = revision + 1 "
                                                   "WHERE id = ?"));
  return touch.bind(1, tx.now).bind(2, incidentId).run();
}

AuditEntry auditOf(std::string action, std::string type, std::string id, int64_t orgId, const json::object& summary) {
  return {.action = std::move(action),
          .objectType = std::move(type),
          .objectId = std::move(id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

// A system's organisation (id, name) when the actor may see the registry there; kForbidden
// when `p` is kManageRegistry and it may not change it.
Result<std::pair<int64_t, std::string>> systemOrg(Db& db, const Actor& actor, int64_t systemId, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT s.org_id, o.name, o.path FROM info_systems s "
                                             "JOIN orgs o ON o.id = s.org_id WHERE s.id = ?"));
  st.bind(1, systemId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  const std::string missing = "information system " + std::to_string(systemId) + " not found";
  if (!row) return Error::notFound(missing);
  const std::string path = st.text(2);
  if (!allows(actor, Permission::kReadRegistry, path)) return Error::notFound(missing);
  if (p == Permission::kManageRegistry && !allows(actor, p, path))
    return Error::forbidden("you may not change the response plans of the systems of '" + st.text(1) + "'");
  return std::make_pair(st.int64(0), st.text(1));
}

}  // namespace

Result<EvidenceItem> SqliteStore::addIncidentEvidence(const Actor& actor, const EvidenceDraft& d) {
  if (d.incidentId <= 0) return Error::validation("incident_id", "must name an incident");
  if (d.name.empty()) return Error::validation("name", "is required");
  if (d.name.size() > 255) return Error::validation("name", "is longer than 255 bytes");
  if (d.name.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos)
    return Error::validation("name", "may not contain '/', '\\' or NUL");
  if (!isSha256Hex(d.sha256)) return Error::validation("sha256", "must be 64 lower-case hex digits");
  if (d.size < 1) return Error::validation("size", "must be at least 1 byte");
  if (d.mediaType.empty()) return Error::validation("media_type", "is required");
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(IncidentScope inc, incidentScope(tx.db, actor, d.incidentId, Permission::kHandleIncidents));
    const TimeMs collectedAt = d.collectedAt == 0 ? tx.now : d.collectedAt;
    if (collectedAt > tx.now) return Error::validation("collected_at", "is in the future");
    const std::string collectedBy = d.collectedBy.empty() ? actor.name : d.collectedBy;
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_evidence(incident_id,org_id,name,media_type,"
                                                  "size,sha256,description,collected_by,collected_at,recorded_by,"
                                                  "recorded_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, d.incidentId).bind(2, inc.orgId).bind(3, d.name).bind(4, d.mediaType).bind(5, d.size);
    st.bind(6, d.sha256).bind(7, d.description).bind(8, collectedBy).bind(9, collectedAt);
    VIGIL_TRY(st.bind(10, actor.name).bind(11, tx.now).run());
    id = tx.db.lastInsertId();
    CustodyEntry first;
    first.action = "collected";
    first.at = collectedAt;
    first.by = collectedBy;
    first.reason = d.reason;
    VIGIL_TRY(insertCustody(tx, actor, id, first));
    json::object sum{{"incident_id", d.incidentId},
                     {"name", d.name},
                     {"size", d.size},
                     {"sha256", d.sha256},
                     {"media_type", d.mediaType},
                     {"collected_by", collectedBy}};
    VIGIL_TRY(timelineEntry(tx, actor, d.incidentId, "evidence", d.name,
                            {{"evidence_id", id}, {"action", "collected"}, {"sha256", d.sha256}, {"size", d.size}}));
    return tx.audit(actor, auditOf("evidence.collect", "evidence", std::to_string(id), inc.orgId, sum));
  }));
  return getIncidentEvidence(actor, id);
}

Result<EvidenceItem> SqliteStore::getIncidentEvidence(const Actor& actor, int64_t id) {
  return read([&](Db& db) -> Result<EvidenceItem> {
    VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, loadItem(db, actor, id, Permission::kReadIncidents));
    VIGIL_ASSIGN_OR_RETURN(e.custody, loadCustody(db, id));
    return e;
  });
}

Result<std::vector<EvidenceItem>> SqliteStore::listIncidentEvidence(const Actor& actor, int64_t incidentId) {
  return read([&](Db& db) -> Result<std::vector<EvidenceItem>> {
    VIGIL_TRY(incidentScope(db, actor, incidentId, Permission::kReadIncidents));
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kItemColumns + kItemFrom +
                                               " WHERE e.incident_id = ? ORDER BY e.id"));
    st.bind(1, incidentId);
    std::vector<EvidenceItem> out;
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      if (allows(actor, Permission::kReadIncidents, st.text(kItemPathColumn))) out.push_back(readItem(st));
    }
    for (auto& e : out) {
      VIGIL_ASSIGN_OR_RETURN(e.custody, loadCustody(db, e.id));
    }
    return out;
  });
}

Result<CustodyEntry> SqliteStore::addCustodyEntry(const Actor& actor, int64_t evidenceId, const CustodyDraft& d) {
  if (d.action != "transferred" && d.action != "handed_over" && d.action != "exported")
    return Error::validation("action", "must be transferred, handed_over or exported (got '" + d.action + "')");
  if (d.to.empty()) return Error::validation("to", "is required: to whom the item went");
  if (d.reason.empty()) return Error::validation("reason", "is required: why the item moved");
  CustodyEntry c;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, loadItem(tx.db, actor, evidenceId, Permission::kHandleIncidents));
    VIGIL_ASSIGN_OR_RETURN(auto log, loadCustody(tx.db, evidenceId));
    c.evidenceId = evidenceId;
    c.action = d.action;
    c.at = d.at == 0 ? tx.now : d.at;
    c.by = d.by.empty() ? actor.name : d.by;
    c.to = d.to;
    c.reason = d.reason;
    c.recordedBy = actor.name;
    c.recordedAt = tx.now;
    if (c.at > tx.now) return Error::validation("at", "is in the future");
    if (!log.empty() && c.at < log.back().at)
      return Error::validation("at", "is before the item's last custody entry (" + formatRfc3339(log.back().at) + ", " +
                                         log.back().action + ")");
    VIGIL_TRY(insertCustody(tx, actor, evidenceId, c));
    c.id = tx.db.lastInsertId();
    json::object sum{{"action", c.action}, {"by", c.by}, {"to", c.to}, {"reason", c.reason}, {"sha256", e.sha256}};
    VIGIL_TRY(timelineEntry(tx, actor, e.incidentId, "evidence", e.name + ": " + c.action + " -> " + c.to,
                            {{"evidence_id", evidenceId}, {"action", c.action}, {"to", c.to}, {"reason", c.reason}}));
    return tx.audit(actor, auditOf("evidence.custody", "evidence", std::to_string(evidenceId), e.orgId, sum));
  }));
  return c;
}

Result<SystemPlan> SqliteStore::attachPlan(const Actor& actor, int64_t systemId, const std::string& planId) {
  if (planId.empty() || planId.size() > 64 ||
      planId.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
    return Error::validation("plan_id", "must be a plan id of lower-case letters, digits, '_' or '-'");
  SystemPlan p{systemId, planId, actor.name, 0};
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto org, systemOrg(tx.db, actor, systemId, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto exists,
                           tx.db.prepare("SELECT 1 FROM system_plans WHERE system_id = ? AND plan_id = ?"));
    exists.bind(1, systemId).bind(2, planId);
    VIGIL_ASSIGN_OR_RETURN(bool found, exists.step());
    if (found) return Error::conflict("plan '" + planId + "' is already attached to this system");
    VIGIL_ASSIGN_OR_RETURN(
        auto st, tx.db.prepare("INSERT INTO system_plans(system_id,plan_id,attached_by,attached_at) VALUES(?,?,?,?)"));
    VIGIL_TRY(st.bind(1, systemId).bind(2, planId).bind(3, actor.name).bind(4, tx.now).run());
    p.attachedAt = tx.now;
    return tx.audit(actor, auditOf("system.plan_attach", "system", std::to_string(systemId), org.first,
                                   json::object{{"plan_id", planId}}));
  }));
  return p;
}

Status SqliteStore::detachPlan(const Actor& actor, int64_t systemId, const std::string& planId) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto org, systemOrg(tx.db, actor, systemId, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM system_plans WHERE system_id = ? AND plan_id = ?"));
    VIGIL_TRY(st.bind(1, systemId).bind(2, planId).run());
    if (tx.db.changes() == 0) return Error::notFound("plan '" + planId + "' is not attached to this system");
    return tx.audit(actor, auditOf("system.plan_detach", "system", std::to_string(systemId), org.first,
                                   json::object{{"plan_id", planId}}));
  });
}

Result<std::vector<SystemPlan>> SqliteStore::listSystemPlans(const Actor& actor, int64_t systemId) {
  return read([&](Db& db) -> Result<std::vector<SystemPlan>> {
    VIGIL_TRY(systemOrg(db, actor, systemId, Permission::kReadRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT system_id,plan_id,attached_by,attached_at FROM system_plans "
                                               "WHERE system_id = ? ORDER BY plan_id"));
    st.bind(1, systemId);
    std::vector<SystemPlan> out;
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back({st.int64(0), st.text(1), st.text(2), st.int64(3)});
    }
    return out;
  });
}

namespace {

AppliedPlan readApplied(const Stmt& st) {
  return {st.int64(0), st.text(1), static_cast<int>(st.int64(2)), st.text(3), st.int64(4), st.text(5)};
}

constexpr const char* kAppliedColumns = "incident_id,plan_id,plan_version,applied_by,applied_at,tasks";

}  // namespace

Result<AppliedPlan> SqliteStore::applyPlan(const Actor& actor, int64_t incidentId, const PlanApplication& p) {
  if (p.planId.empty()) return Error::validation("plan_id", "is required");
  if (p.tasks.empty()) return Error::validation("plan_id", "plan '" + p.planId + "' has no task for this incident");
  for (size_t k = 0; k < p.tasks.size(); ++k)
    if (p.tasks[k].title.empty())
      return Error::validation("tasks[" + std::to_string(k) + "].title", "a task needs a title");
  AppliedPlan out;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(IncidentScope inc, incidentScope(tx.db, actor, incidentId, Permission::kHandleIncidents));
    if (inc.closed) return Error::validation("incident", "the incident is closed: no plan can be applied to it");
    VIGIL_ASSIGN_OR_RETURN(auto exists,
                           tx.db.prepare("SELECT applied_by, applied_at FROM incident_plans WHERE incident_id = ? "
                                         "AND plan_id = ?"));
    exists.bind(1, incidentId).bind(2, p.planId);
    VIGIL_ASSIGN_OR_RETURN(bool found, exists.step());
    if (found)
      return Error::conflict("plan '" + p.planId + "' was already applied to incident " + std::to_string(incidentId) +
                             " by " + exists.text(0) + " at " + formatRfc3339(exists.int64(1)));
    json::array tasks;
    for (const auto& t : p.tasks) {
      VIGIL_ASSIGN_OR_RETURN(auto ins, tx.db.prepare("INSERT INTO incident_tasks(incident_id,title,due_at,created_by,"
                                                     "created_at) VALUES(?,?,?,?,?)"));
      VIGIL_TRY(ins.bind(1, incidentId).bind(2, t.title).bind(3, t.dueAt).bind(4, actor.name).bind(5, tx.now).run());
      json::object o;
      if (auto detail = json::parse(t.detailJson); detail.is_object()) o = detail.as_object();
      o["task_id"] = t.taskId;
      o["incident_task_id"] = tx.db.lastInsertId();
      o["title"] = t.title;
      o["due_at"] = t.dueAt ? json::value(formatRfc3339(*t.dueAt)) : json::value(nullptr);
      tasks.push_back(std::move(o));
    }
    out = {incidentId, p.planId, p.planVersion, actor.name, tx.now, json::serialize(tasks)};
    VIGIL_ASSIGN_OR_RETURN(
        auto st, tx.db.prepare(std::string("INSERT INTO incident_plans(") + kAppliedColumns + ") VALUES(?,?,?,?,?,?)"));
    st.bind(1, incidentId).bind(2, p.planId).bind(3, p.planVersion).bind(4, actor.name).bind(5, tx.now);
    VIGIL_TRY(st.bind(6, out.tasksJson).run());
    const json::object data{{"plan_id", p.planId}, {"plan_version", p.planVersion}, {"tasks", tasks.size()}};
    VIGIL_TRY(timelineEntry(tx, actor, incidentId, "plan", p.planName.empty() ? p.planId : p.planName, data));
    return tx.audit(actor, auditOf("incident.plan_apply", "incident", std::to_string(incidentId), inc.orgId, data));
  }));
  return out;
}

Result<std::vector<AppliedPlan>> SqliteStore::listAppliedPlans(const Actor& actor, int64_t incidentId) {
  return read([&](Db& db) -> Result<std::vector<AppliedPlan>> {
    VIGIL_TRY(incidentScope(db, actor, incidentId, Permission::kReadIncidents));
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db.prepare(std::string("SELECT ") + kAppliedColumns +
                                      " FROM incident_plans WHERE incident_id = ? ORDER BY applied_at, plan_id"));
    st.bind(1, incidentId);
    std::vector<AppliedPlan> out;
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readApplied(st));
    }
    return out;
  });
}

}  // namespace vigil::sqlite
