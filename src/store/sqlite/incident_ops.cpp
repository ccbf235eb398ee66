// SqliteStore: incidents (incident_store.h), migration 7. An incident is reached through its
// organisation, whose path decides access: kReadIncidents to see it (otherwise kNotFound) and
// kHandleIncidents to change it (kForbidden). The affected system's name, level, owner and
// operator are read from the registry (info_systems) at every read, so they follow the registry.
// Append-only tables (steps, outputs, timeline, breaches) are protected by triggers.
#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <set>

#include "core/text.h"
#include "store/incident_store.h"
#include "store/sqlite/json_columns.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil {

bool isIncidentObservableType(std::string_view t) {
  return std::find(std::begin(kIncidentObservableTypes), std::end(kIncidentObservableTypes), t) !=
         std::end(kIncidentObservableTypes);
}
bool isIncidentParty(std::string_view p) {
  return std::find(std::begin(kIncidentParties), std::end(kIncidentParties), p) != std::end(kIncidentParties);
}
bool isNotifyChannel(std::string_view c) {
  return std::find(std::begin(kNotifyChannels), std::end(kNotifyChannels), c) != std::end(kNotifyChannels);
}

}  // namespace vigil

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr int64_t kNoDue = INT64_MAX;
constexpr int kInProgress = static_cast<int>(AlertState::kInProgress);

constexpr const char* kIncidentColumns =
    "i.id,i.org_id,o.name,o.path,i.system_id,COALESCE(s.name,''),COALESCE(s.approved_level,s.proposed_level),"
    "COALESCE(s.critical_list,0),COALESCE(s.owner,''),COALESCE(s.lead_operator,''),i.title,i.description,"
    "i.detected_at,i.regime,i.process_id,i.process_version,i.current_step,i.closed,i.closed_at,i.facts,i.flags,"
    "i.severity,i.severity_label,i.classification,i.due_key,i.created_by,i.created_at,i.updated_at,i.revision,"
    "i.predecessor_id,(SELECT x.id FROM incidents x WHERE x.predecessor_id = i.id)";
constexpr const char* kIncidentFrom =
    " FROM incidents i JOIN orgs o ON o.id = i.org_id LEFT JOIN info_systems s ON s.id = i.system_id";

Incident readIncident(const Stmt& st) {
  Incident i;
  i.id = st.int64(0);
  i.orgId = st.int64(1);
  i.orgName = st.text(2);
  i.orgPath = st.text(3);
  i.systemId = st.optInt64(4);
  i.systemName = st.text(5);
  if (auto l = st.optInt64(6)) i.systemLevel = static_cast<int>(*l);
  i.systemCritical = st.int64(7) != 0;
  i.systemOwner = st.text(8);
  i.systemOperator = st.text(9);
  i.title = st.text(10);
  i.description = st.text(11);
  i.detectedAt = st.int64(12);
  i.regime = st.text(13);
  i.processId = st.text(14);
  i.processVersion = static_cast<int>(st.int64(15));
  i.currentStep = st.text(16);
  i.closed = st.int64(17) != 0;
  i.closedAt = st.int64(18);
  i.classification.facts = fromJsonArray(st.text(19));
  i.classification.flags = fromJsonArray(st.text(20));
  i.classification.severity = st.text(21);
  i.classification.severityLabel = st.text(22);
  i.classification.resultJson = st.text(23);
  i.sortKey = st.int64(24);
  if (i.sortKey != kNoDue) i.nextDueAt = i.sortKey;
  i.createdBy = st.text(25);
  i.createdAt = st.int64(26);
  i.updatedAt = st.int64(27);
  i.revision = st.int64(28);
  i.predecessorId = st.optInt64(29);
  i.successorId = st.optInt64(30);
  return i;
}

std::string notFoundText(int64_t id) { return "incident " + std::to_string(id) + " not found"; }

Result<Incident> loadIncident(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare(std::string("SELECT ") + kIncidentColumns + kIncidentFrom + " WHERE i.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText(id));
  Incident i = readIncident(st);
  if (!allows(actor, Permission::kReadIncidents, i.orgPath)) return Error::notFound(notFoundText(id));
  if (p == Permission::kHandleIncidents && !allows(actor, p, i.orgPath))
    return Error::forbidden("you may not handle the incidents of '" + i.orgName + "'");
  return i;
}

// The steps with their outputs, and the clock events: what the state machine needs.
Status loadHistory(Db& db, Incident& i) {
  {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT seq,step,entered_at,entered_by FROM incident_steps "
                                               "WHERE incident_id = ? ORDER BY seq"));
    st.bind(1, i.id);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      i.steps.push_back({static_cast<int>(st.int64(0)), st.text(1), st.int64(2), st.text(3), {}});
    }
  }
  {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT step_seq,output_id,at,text,recorded_by FROM incident_outputs "
                                               "WHERE incident_id = ? ORDER BY step_seq, id"));
    st.bind(1, i.id);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      const int seq = static_cast<int>(st.int64(0));
      if (seq == 0) i.carriedOutputs.push_back({st.text(1), st.int64(2), st.text(3), st.text(4)});
      for (auto& s : i.steps)
        if (s.seq == seq) s.outputs.push_back({st.text(1), st.int64(2), st.text(3), st.text(4)});
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT event_id,at,recorded_by FROM incident_events "
                                             "WHERE incident_id = ? ORDER BY at, id"));
  st.bind(1, i.id);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    i.events.push_back({st.text(0), st.int64(1), st.text(2)});
  }
  return {};
}

Result<std::vector<IncidentObservable>> loadObservables(Db& db, int64_t incidentId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT b.id,b.type,b.value,io.added_at,io.added_by,"
                                             "(SELECT COUNT(*) FROM incident_observables x WHERE x.observable_id = "
                                             "b.id AND x.incident_id <> io.incident_id) "
                                             "FROM incident_observables io JOIN observables b ON b.id = "
                                             "io.observable_id WHERE io.incident_id = ? ORDER BY io.added_at, b.id"));
  st.bind(1, incidentId);
  std::vector<IncidentObservable> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back({st.int64(0), st.text(1), st.text(2), st.int64(3), st.text(4), st.int64(5)});
  }
  return out;
}

constexpr const char* kTaskColumns =
    "t.id,t.incident_id,t.title,t.assignee_id,COALESCE(u.username,''),t.due_at,t.done,t.done_at,t.created_by,"
    "t.created_at";

IncidentTask readTask(const Stmt& st) {
  IncidentTask t;
  t.id = st.int64(0);
  t.incidentId = st.int64(1);
  t.title = st.text(2);
  t.assigneeId = st.optInt64(3);
  t.assigneeName = st.text(4);
  t.dueAt = st.optInt64(5);
  t.done = st.int64(6) != 0;
  t.doneAt = st.int64(7);
  t.createdBy = st.text(8);
  t.createdAt = st.int64(9);
  return t;
}

// "<process id>@v<version>" of incident `id`.
Result<std::string> processKeyOf(Db& db, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT process_id, process_version FROM incidents WHERE id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::string();
  return st.text(0) + "@v" + std::to_string(st.int64(1));
}

Status loadDetails(Db& db, Incident& i) {
  VIGIL_TRY(loadHistory(db, i));
  if (i.predecessorId) {
    VIGIL_ASSIGN_OR_RETURN(i.predecessorProcess, processKeyOf(db, *i.predecessorId));
  }
  if (i.successorId) {
    VIGIL_ASSIGN_OR_RETURN(i.successorProcess, processKeyOf(db, *i.successorId));
  }
  {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id,at,kind,actor,text,data FROM incident_timeline "
                                               "WHERE incident_id = ? ORDER BY id"));
    st.bind(1, i.id);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      i.timeline.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5)});
    }
  }
  {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kTaskColumns +
                                               " FROM incident_tasks t LEFT JOIN users u ON u.id = t.assignee_id "
                                               "WHERE t.incident_id = ? ORDER BY t.id"));
    st.bind(1, i.id);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      i.tasks.push_back(readTask(st));
    }
  }
  {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id,party,contact,notified_at,channel,reference,recorded_by,"
                                               "created_at FROM incident_parties WHERE incident_id = ? ORDER BY "
                                               "notified_at, id"));
    st.bind(1, i.id);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      i.parties.push_back(
          {st.int64(0), st.text(1), st.text(2), st.int64(3), st.text(4), st.text(5), st.text(6), st.int64(7)});
    }
  }
  VIGIL_ASSIGN_OR_RETURN(i.observables, loadObservables(db, i.id));
  {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT l.alert_id,a.title,a.state,l.linked_at,l.linked_by FROM "
                                               "incident_alerts l JOIN alerts a ON a.id = l.alert_id WHERE "
                                               "l.incident_id = ? ORDER BY l.linked_at, l.alert_id"));
    st.bind(1, i.id);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      const auto state = static_cast<AlertState>(std::clamp<int64_t>(st.int64(2), 0, 4));
      i.alerts.push_back({st.int64(0), st.text(1), std::string(alertStateName(state)), st.int64(3), st.text(4)});
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id,deadline_id,label,due_at,recorded_at,escalated_to FROM "
                                             "incident_breaches WHERE incident_id = ? ORDER BY id"));
  st.bind(1, i.id);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    i.breaches.push_back({st.int64(0), st.text(1), st.text(2), st.int64(3), st.int64(4), st.text(5)});
  }
  return {};
}

Status appendTimeline(Db& db, int64_t incidentId, TimeMs at, std::string_view kind, const std::string& actor,
                      const std::string& text, const json::object& data = {}) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("INSERT INTO incident_timeline(incident_id,at,kind,actor,text,data) "
                                             "VALUES(?,?,?,?,?,?)"));
  return st.bind(1, incidentId)
      .bind(2, at)
      .bind(3, kind)
      .bind(4, actor)
      .bind(5, text)
      .bind(6, json::serialize(data))
      .run();
}

// Marks the incident changed (revision + 1).
Status touch(Db& db, int64_t id, TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("UPDATE incidents SET updated_at = ?, revision = revision + 1 "
                                             "WHERE id = ?"));
  return st.bind(1, now).bind(2, id).run();
}

AuditEntry auditOf(std::string action, int64_t id, int64_t orgId, json::object summary) {
  return {.action = std::move(action),
          .objectType = "incident",
          .objectId = std::to_string(id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

// Links one alert to the incident (same organisation, not linked elsewhere); an open alert moves to
// in progress, with its count, change sequence and audit entry (alert_ops.cpp keeps the same
// invariants). `where` names the input for errors.
Status linkAlert(WriteTx& tx, const Actor& actor, const Incident& inc, int64_t alertId, const std::string& where) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT a.org_id,o.path,a.state,a.severity,a.title,"
                                                "(SELECT incident_id FROM incident_alerts WHERE alert_id = a.id) "
                                                "FROM alerts a JOIN orgs o ON o.id = a.org_id WHERE a.id = ?"));
  st.bind(1, alertId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  const std::string name = "alert " + std::to_string(alertId);
  if (!row || !allows(actor, Permission::kReadAlerts, st.text(1))) return Error::validation(where, name + " not found");
  const int64_t orgId = st.int64(0);
  const int state = static_cast<int>(st.int64(2));
  const int severity = static_cast<int>(st.int64(3));
  const std::string title = st.text(4);
  const auto linked = st.optInt64(5);
  if (!allows(actor, Permission::kTriageAlerts, st.text(1)))
    return Error::validation(where, "you may not work on " + name);
  if (orgId != inc.orgId)
    return Error::validation(where,
                             name + " belongs to another organisation than the incident ('" + inc.orgName + "')");
  if (linked) {
    if (*linked == inc.id) return Error::validation(where, name + " is already attached to this incident");
    return Error::validation(where, name + " is already attached to incident " + std::to_string(*linked));
  }
  VIGIL_ASSIGN_OR_RETURN(auto ins, tx.db.prepare("INSERT INTO incident_alerts(alert_id,incident_id,linked_at,"
                                                 "linked_by) VALUES(?,?,?,?)"));
  VIGIL_TRY(ins.bind(1, alertId).bind(2, inc.id).bind(3, tx.now).bind(4, actor.name).run());
  const bool open = isOpen(static_cast<AlertState>(std::clamp(state, 0, 4)));
  VIGIL_ASSIGN_OR_RETURN(auto seqSt, tx.db.prepare("SELECT COALESCE(MAX(seq),0) + 1 FROM alerts"));
  VIGIL_ASSIGN_OR_RETURN(bool seqRow, seqSt.step());
  const int64_t seq = seqRow ? seqSt.int64(0) : 1;
  const std::string reason = "incident " + std::to_string(inc.id);
  if (open && state != kInProgress) {
    VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE alerts SET state=?, state_reason=?, updated_at=?, seq=? "
                                                  "WHERE id=?"));
    VIGIL_TRY(up.bind(1, kInProgress).bind(2, reason).bind(3, tx.now).bind(4, seq).bind(5, alertId).run());
    auto bump = [&](int inState, int64_t delta) -> Status {
      VIGIL_ASSIGN_OR_RETURN(auto count, tx.db.prepare("INSERT INTO alert_counts(org_id,state,severity,n) "
                                                       "VALUES(?,?,?,?) ON CONFLICT(org_id,state,severity) DO "
                                                       "UPDATE SET n = n + excluded.n"));
      return count.bind(1, orgId).bind(2, inState).bind(3, severity).bind(4, delta).run();
    };
    VIGIL_TRY(bump(state, -1));
    VIGIL_TRY(bump(kInProgress, 1));
    json::object sum{{"from", alertStateName(static_cast<AlertState>(state))},
                     {"to", alertStateName(AlertState::kInProgress)},
                     {"reason", reason},
                     {"title", title}};
    VIGIL_TRY(tx.audit(actor, {.action = "alert.state",
                               .objectType = "alert",
                               .objectId = std::to_string(alertId),
                               .orgId = orgId,
                               .summary = json::serialize(sum)}));
  } else {
    // Still a change of the alert for the live queue (it now shows its incident).
    VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE alerts SET updated_at=?, seq=? WHERE id=?"));
    VIGIL_TRY(up.bind(1, tx.now).bind(2, seq).bind(3, alertId).run());
  }
  return appendTimeline(tx.db, inc.id, tx.now, "alert", actor.name, title,
                        {{"alert_id", alertId}, {"moved_to_in_progress", open && state != kInProgress}});
}

// Adds observables (de-duplicated by type and value) to the incident; returns how many were new to it.
Result<int> addObservablesTx(WriteTx& tx, const Actor& actor, int64_t incidentId, const std::vector<Observable>& obs) {
  int added = 0;
  for (const auto& o : obs) {
    VIGIL_ASSIGN_OR_RETURN(auto ins, tx.db.prepare("INSERT INTO observables(type,value) VALUES(?,?) "
                                                   "ON CONFLICT(type,value) DO NOTHING"));
    VIGIL_TRY(ins.bind(1, o.type).bind(2, o.value).run());
    VIGIL_ASSIGN_OR_RETURN(auto sel, tx.db.prepare("SELECT id FROM observables WHERE type = ? AND value = ?"));
    sel.bind(1, o.type).bind(2, o.value);
    VIGIL_ASSIGN_OR_RETURN(bool row, sel.step());
    if (!row) return Error::internal("observable vanished while being added");
    const int64_t oid = sel.int64(0);
    VIGIL_ASSIGN_OR_RETURN(auto link, tx.db.prepare("INSERT INTO incident_observables(incident_id,observable_id,"
                                                    "added_at,added_by) VALUES(?,?,?,?) ON CONFLICT DO NOTHING"));
    VIGIL_TRY(link.bind(1, incidentId).bind(2, oid).bind(3, tx.now).bind(4, actor.name).run());
    if (tx.db.changes() == 0) continue;
    ++added;
    VIGIL_TRY(appendTimeline(tx.db, incidentId, tx.now, "observable", actor.name, o.type + " " + o.value,
                             {{"type", o.type}, {"value", o.value}}));
  }
  return added;
}

Status insertStep(WriteTx& tx, int64_t incidentId, int seq, const std::string& step, TimeMs at, const std::string& by) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_steps(incident_id,seq,step,entered_at,"
                                                "entered_by) VALUES(?,?,?,?,?)"));
  return st.bind(1, incidentId).bind(2, seq).bind(3, step).bind(4, at).bind(5, by).run();
}

Result<Incident> readFull(Db& db, const Actor& actor, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(Incident i, loadIncident(db, actor, id, Permission::kReadIncidents));
  VIGIL_TRY(loadDetails(db, i));
  return i;
}

// Loads an incident as the system (the deadline watch).
Result<Incident> loadAsSystem(Db& db, int64_t id) {
  return loadIncident(db, Actor::systemActor("deadline-watch"), id, Permission::kReadIncidents);
}

// Raises an alert in the incident's organisation for a deadline warning or breach (detector
// incident_deadline, rule "incident-deadline"); the dedup key names the incident, deadline and level.
Status raiseDeadlineAlert(WriteTx& tx, const Incident& inc, AlertSeverity sev, const std::string& key,
                          const std::string& title, const std::string& description) {
  VIGIL_ASSIGN_OR_RETURN(auto seqSt, tx.db.prepare("SELECT COALESCE(MAX(seq),0) + 1 FROM alerts"));
  VIGIL_ASSIGN_OR_RETURN(bool seqRow, seqSt.step());
  const int64_t seq = seqRow ? seqSt.int64(0) : 1;
  VIGIL_ASSIGN_OR_RETURN(
      auto st, tx.db.prepare("INSERT INTO alerts(org_id,system_id,asset,detector,rule_id,rule_title,severity,dedup_key,"
                             "title,description,observables,evidence,events_query,sender,first_seen,last_seen,count,"
                             "state,created_by,created_at,updated_at,seq) "
                             "VALUES(?,?,'',?,'incident-deadline',?,?,?,?,?,'[]','','','',?,?,1,0,'system',?,?,?)"));
  st.bind(1, inc.orgId).bind(2, inc.systemId).bind(3, detectorName(DetectorKind::kIncidentDeadline));
  st.bind(4, std::string("Thời hạn xử lý sự cố")).bind(5, static_cast<int>(sev)).bind(6, key).bind(7, title);
  VIGIL_TRY(
      st.bind(8, description).bind(9, tx.now).bind(10, tx.now).bind(11, tx.now).bind(12, tx.now).bind(13, seq).run());
  VIGIL_ASSIGN_OR_RETURN(auto count, tx.db.prepare("INSERT INTO alert_counts(org_id,state,severity,n) "
                                                   "VALUES(?,0,?,1) ON CONFLICT(org_id,state,severity) DO "
                                                   "UPDATE SET n = n + excluded.n"));
  return count.bind(1, inc.orgId).bind(2, static_cast<int>(sev)).run();
}

}  // namespace

// --- Incidents -----------------------------------------------------------------------------------

Result<Incident> SqliteStore::createIncident(const Actor& actor, const IncidentDraft& d) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, d.orgId));
    if (!allows(actor, Permission::kReadIncidents, org.path))
      return Error::notFound("organisation " + std::to_string(d.orgId) + " not found");
    if (!allows(actor, Permission::kHandleIncidents, org.path))
      return Error::forbidden("you may not open incidents for '" + org.name + "'");
    if (org.archived) return Error::validation("org_id", "the organisation is archived");
    if (d.systemId) {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT org_id FROM info_systems WHERE id = ?"));
      st.bind(1, *d.systemId);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row)
        return Error::validation("system_id", "information system " + std::to_string(*d.systemId) + " not found");
      if (st.int64(0) != d.orgId)
        return Error::validation("system_id", "the information system belongs to another organisation");
    }
    VIGIL_ASSIGN_OR_RETURN(
        auto st,
        tx.db.prepare("INSERT INTO incidents(org_id,system_id,title,description,detected_at,regime,process_id,"
                      "process_version,current_step,facts,flags,severity,severity_label,classification,"
                      "due_key,created_by,created_at,updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, d.orgId).bind(2, d.systemId).bind(3, d.title).bind(4, d.description).bind(5, d.detectedAt);
    st.bind(6, d.regime).bind(7, d.processId).bind(8, d.processVersion).bind(9, d.startStep);
    st.bind(10, toJsonArray(d.classification.facts)).bind(11, toJsonArray(d.classification.flags));
    st.bind(12, d.classification.severity).bind(13, d.classification.severityLabel);
    st.bind(14, d.classification.resultJson).bind(15, d.nextDueAt.value_or(kNoDue));
    VIGIL_TRY(st.bind(16, actor.name).bind(17, tx.now).bind(18, tx.now).run());
    id = tx.db.lastInsertId();
    VIGIL_TRY(insertStep(tx, id, 1, d.startStep, tx.now, actor.name));
    VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "created", actor.name, d.title,
                             {{"process", d.processId + "@v" + std::to_string(d.processVersion)},
                              {"step", d.startStep},
                              {"detected_at", formatRfc3339(d.detectedAt)}}));
    Incident inc;
    inc.id = id;
    inc.orgId = d.orgId;
    inc.orgName = org.name;
    for (size_t k = 0; k < d.alertIds.size(); ++k)
      VIGIL_TRY(linkAlert(tx, actor, inc, d.alertIds[k], "alert_ids[" + std::to_string(k) + "]"));
    VIGIL_ASSIGN_OR_RETURN(int added, addObservablesTx(tx, actor, id, d.observables));
    (void)added;
    json::array alerts;
    for (int64_t a : d.alertIds) alerts.push_back(a);
    return tx.audit(actor, auditOf("incident.create", id, d.orgId,
                                   {{"title", d.title},
                                    {"process", d.processId + "@v" + std::to_string(d.processVersion)},
                                    {"detected_at", formatRfc3339(d.detectedAt)},
                                    {"severity", d.classification.severity},
                                    {"alert_ids", std::move(alerts)}}));
  }));
  return read([&](Db& db) { return readFull(db, actor, id); });
}

Result<IncidentPage> SqliteStore::listIncidents(const Actor& actor, const IncidentQuery& q) {
  const auto prefixes = scopePrefixes(actor, Permission::kReadIncidents);
  return read([&](Db& db) -> Result<IncidentPage> {
    std::vector<std::string> scope = prefixes;
    if (q.orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *q.orgId));
      if (!allows(actor, Permission::kReadIncidents, org.path))
        return Error::notFound("organisation " + std::to_string(*q.orgId) + " not found");
      scope = {org.path};
    }
    const ScopeFilter filter("o.path", scope, 1);
    int next = 1 + 2 * static_cast<int>(scope.size());
    std::vector<std::function<void(Stmt&)>> binders;
    auto param = [&](auto value) {
      const int n = next++;
      binders.push_back([n, value](Stmt& st) { st.bind(n, value); });
      return "?" + std::to_string(n);
    };
    // incidents is the outer loop (CROSS JOIN), walked in due_key order on incidents_due, so the
    // page stops after `limit` rows; otherwise SQLite starts from the organisations' path range and
    // sorts every incident of the scope (40 ms at 50,000, bench/incidents_bench.cpp).
    std::string sql = std::string("SELECT ") + kIncidentColumns +
                      " FROM incidents i CROSS JOIN orgs o ON o.id = i.org_id LEFT JOIN info_systems s ON s.id = "
                      "i.system_id WHERE " +
                      filter.sql();
    if (q.closed) sql += " AND i.closed = " + param(static_cast<int64_t>(*q.closed ? 1 : 0));
    if (!q.regime.empty()) sql += " AND i.regime = " + param(q.regime);
    if (!q.text.empty()) {
      std::string like = "%";
      for (char c : q.text) {
        if (c == '%' || c == '_' || c == '\\') like += '\\';
        like += c;
      }
      like += "%";
      sql += " AND i.title LIKE " + param(like) + " ESCAPE '\\'";
    }
    if (q.afterKey) {
      const std::string k = param(*q.afterKey);
      sql += " AND (i.due_key > " + k + " OR (i.due_key = " + k + " AND i.id > " + param(q.afterId) + "))";
    }
    sql += " ORDER BY i.due_key, i.id LIMIT " + param(static_cast<int64_t>(q.limit) + 1);
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
    filter.bind(st);
    for (const auto& b : binders) b(st);
    IncidentPage page;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      if (static_cast<int>(page.items.size()) == q.limit) {
        page.hasMore = true;
        break;
      }
      page.items.push_back(readIncident(st));
    }
    // The history of each item (three indexed reads each): the API shows each one's deadline state.
    for (auto& i : page.items) VIGIL_TRY(loadHistory(db, i));
    return page;
  });
}

Result<Incident> SqliteStore::getIncident(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return readFull(db, actor, id); });
}

Result<Incident> SqliteStore::updateIncident(const Actor& actor, int64_t id, const IncidentUpdate& u) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    if (cur.revision != u.revision)
      return Error::conflict("incident " + std::to_string(id) + " was changed meanwhile (revision " +
                             std::to_string(cur.revision) + ", not " + std::to_string(u.revision) +
                             "); reload it and try again");
    if (cur.closed && (u.toStep || !u.outputs.empty() || !u.events.empty() || u.detectedAt || u.classification))
      return Error::validation("to", "the incident is closed; only notes can be added");
    json::object sum;
    VIGIL_ASSIGN_OR_RETURN(auto seqSt, tx.db.prepare("SELECT COALESCE(MAX(seq),0) FROM incident_steps "
                                                     "WHERE incident_id = ?"));
    seqSt.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool seqRow, seqSt.step());
    const int seq = seqRow ? static_cast<int>(seqSt.int64(0)) : 0;
    if (!u.outputs.empty()) {
      json::array outs;
      for (const auto& o : u.outputs) {
        VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_outputs(incident_id,step_seq,output_id,"
                                                      "at,text,recorded_by) VALUES(?,?,?,?,?,?)"));
        VIGIL_TRY(st.bind(1, id).bind(2, seq).bind(3, o.id).bind(4, o.at).bind(5, o.text).bind(6, actor.name).run());
        VIGIL_TRY(appendTimeline(tx.db, id, o.at, "output", actor.name, o.text,
                                 {{"output", o.id}, {"step", cur.currentStep}}));
        outs.push_back(json::value(o.id));
      }
      sum["outputs"] = std::move(outs);
    }
    if (!u.events.empty()) {
      json::array evs;
      for (const auto& e : u.events) {
        VIGIL_ASSIGN_OR_RETURN(auto dup, tx.db.prepare("SELECT at FROM incident_events WHERE incident_id = ? AND "
                                                       "event_id = ?"));
        dup.bind(1, id).bind(2, e.id);
        VIGIL_ASSIGN_OR_RETURN(bool seen, dup.step());
        if (seen)
          return Error::validation("events",
                                   "event '" + e.id + "' was already recorded at " + formatRfc3339(dup.int64(0)));
        VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_events(incident_id,event_id,at,"
                                                      "recorded_by) VALUES(?,?,?,?)"));
        VIGIL_TRY(st.bind(1, id).bind(2, e.id).bind(3, e.at).bind(4, actor.name).run());
        VIGIL_TRY(appendTimeline(tx.db, id, e.at, "event", actor.name, e.id, {{"event", e.id}}));
        evs.push_back(json::value(e.id));
      }
      sum["events"] = std::move(evs);
    }
    if (u.detectedAt && *u.detectedAt != cur.detectedAt) {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incidents SET detected_at = ? WHERE id = ?"));
      VIGIL_TRY(st.bind(1, *u.detectedAt).bind(2, id).run());
      VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "detected_at", actor.name, u.note,
                               {{"from", formatRfc3339(cur.detectedAt)}, {"to", formatRfc3339(*u.detectedAt)}}));
      sum["detected_at"] = json::object{{"from", formatRfc3339(cur.detectedAt)}, {"to", formatRfc3339(*u.detectedAt)}};
    }
    if (u.classification) {
      const auto& c = *u.classification;
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incidents SET facts=?, flags=?, severity=?, "
                                                    "severity_label=?, classification=? WHERE id = ?"));
      st.bind(1, toJsonArray(c.facts)).bind(2, toJsonArray(c.flags)).bind(3, c.severity).bind(4, c.severityLabel);
      VIGIL_TRY(st.bind(5, c.resultJson).bind(6, id).run());
      json::array flags;
      for (const auto& f : c.flags) flags.push_back(json::value(f));
      VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "classification", actor.name, c.severityLabel,
                               {{"severity", c.severity}, {"flags", flags}}));
      sum["classification"] = json::object{{"severity", c.severity}, {"flags", std::move(flags)}};
    }
    if (u.toStep) {
      VIGIL_TRY(insertStep(tx, id, seq + 1, *u.toStep, u.stepAt, actor.name));
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incidents SET current_step = ?, closed = ?, closed_at = ? "
                                                    "WHERE id = ?"));
      VIGIL_TRY(st.bind(1, *u.toStep).bind(2, u.closes).bind(3, u.closes ? u.stepAt : 0).bind(4, id).run());
      VIGIL_TRY(appendTimeline(tx.db, id, u.stepAt, "step", actor.name, u.note,
                               {{"from", cur.currentStep}, {"to", *u.toStep}, {"closes", u.closes}}));
      sum["step"] = json::object{{"from", cur.currentStep}, {"to", *u.toStep}, {"at", formatRfc3339(u.stepAt)}};
      if (u.closes) sum["closed"] = true;
    } else if (u.closes) {
      // The final step's last required output was recorded: the incident is over.
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incidents SET closed = 1, closed_at = ? WHERE id = ?"));
      VIGIL_TRY(st.bind(1, tx.now).bind(2, id).run());
      VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "closed", actor.name, u.note, {{"step", cur.currentStep}}));
      sum["closed"] = true;
    } else if (!u.note.empty() && !u.detectedAt) {
      VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "note", actor.name, u.note));
      sum["note"] = u.note;
    }
    if (sum.empty())
      return Error::validation(u.detectedAt ? "detected_at" : "to",
                               u.detectedAt ? "the detection time is unchanged" : "nothing to change");
    if (u.nextDueChanged) {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incidents SET due_key = ? WHERE id = ?"));
      VIGIL_TRY(st.bind(1, u.nextDueAt.value_or(kNoDue)).bind(2, id).run());
    }
    VIGIL_TRY(touch(tx.db, id, tx.now));
    sum["title"] = cur.title;
    return tx.audit(actor, auditOf("incident.update", id, cur.orgId, sum));
  }));
  return read([&](Db& db) { return readFull(db, actor, id); });
}

Result<Incident> SqliteStore::handOverIncident(const Actor& actor, int64_t id, const IncidentHandover& h) {
  int64_t next = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    if (cur.revision != h.revision)
      return Error::conflict("incident " + std::to_string(id) + " was changed meanwhile (revision " +
                             std::to_string(cur.revision) + ", not " + std::to_string(h.revision) +
                             "); reload it and try again");
    if (cur.successorId)
      return Error::conflict("incident " + std::to_string(id) + " was already handed over: it continues as incident " +
                             std::to_string(*cur.successorId));
    if (text::trim(h.reason).empty()) return Error::validation("reason", "say why the incident changes process");
    const std::string from = cur.processId + "@v" + std::to_string(cur.processVersion);
    const std::string to = h.toProcessId + "@v" + std::to_string(h.toVersion);
    VIGIL_ASSIGN_OR_RETURN(
        auto ins,
        tx.db.prepare("INSERT INTO incidents(org_id,system_id,title,description,detected_at,regime,process_id,"
                      "process_version,current_step,facts,flags,severity,severity_label,classification,due_key,"
                      "created_by,created_at,updated_at,predecessor_id) "
                      "SELECT org_id,system_id,title,description,detected_at,regime,?,?,?,facts,flags,severity,"
                      "severity_label,classification,?,?,?,?,id FROM incidents WHERE id = ?"));
    ins.bind(1, h.toProcessId).bind(2, h.toVersion).bind(3, h.startStep).bind(4, h.nextDueAt.value_or(kNoDue));
    VIGIL_TRY(ins.bind(5, actor.name).bind(6, tx.now).bind(7, tx.now).bind(8, id).run());
    next = tx.db.lastInsertId();
    VIGIL_TRY(insertStep(tx, next, 1, h.startStep, tx.now, actor.name));
    json::array carried;
    for (const auto& e : h.events) {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_events(incident_id,event_id,at,recorded_by) "
                                                    "VALUES(?,?,?,?)"));
      VIGIL_TRY(st.bind(1, next).bind(2, e.id).bind(3, e.at).bind(4, e.recordedBy).run());
      carried.push_back(json::value(e.id));
    }
    // Carried outputs are step_seq 0: no step of the successor recorded them.
    json::array carriedOutputs;
    for (const auto& o : h.outputs) {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_outputs(incident_id,step_seq,output_id,at,"
                                                    "text,recorded_by) VALUES(?,0,?,?,?,?)"));
      VIGIL_TRY(st.bind(1, next).bind(2, o.id).bind(3, o.at).bind(4, o.text).bind(5, o.recordedBy).run());
      carriedOutputs.push_back(json::value(o.id));
    }
    for (const auto& [deadline, due] : h.deadlines) {
      VIGIL_ASSIGN_OR_RETURN(auto st,
                             tx.db.prepare("INSERT INTO incident_deadline_marks(incident_id,deadline_id,level,due_at,"
                                           "raised_at) SELECT ?,deadline_id,level,due_at,raised_at FROM "
                                           "incident_deadline_marks WHERE incident_id = ? AND deadline_id = ? AND "
                                           "due_at = ?"));
      VIGIL_TRY(st.bind(1, next).bind(2, id).bind(3, deadline).bind(4, due).run());
    }
    // The predecessor ends here: closed (unless its final step already closed it), its clock
    // continuing in the successor.
    VIGIL_ASSIGN_OR_RETURN(auto end, tx.db.prepare("UPDATE incidents SET closed = 1, closed_at = CASE WHEN closed = 1 "
                                                   "THEN closed_at ELSE ? END, due_key = ? WHERE id = ?"));
    VIGIL_TRY(end.bind(1, tx.now).bind(2, kNoDue).bind(3, id).run());
    VIGIL_TRY(touch(tx.db, id, tx.now));
    VIGIL_TRY(appendTimeline(
        tx.db, id, tx.now, "handover", actor.name, h.reason,
        {{"direction", "to"}, {"incident", next}, {"process", to}, {"rule", h.rule}, {"step", cur.currentStep}}));
    VIGIL_TRY(appendTimeline(tx.db, next, tx.now, "handover", actor.name, h.reason,
                             {{"direction", "from"},
                              {"incident", id},
                              {"process", from},
                              {"rule", h.rule},
                              {"step", h.startStep},
                              {"events", carried},
                              {"outputs", carriedOutputs},
                              {"detected_at", formatRfc3339(cur.detectedAt)}}));
    return tx.audit(actor, auditOf("incident.handover", id, cur.orgId,
                                   {{"title", cur.title},
                                    {"from", from},
                                    {"to", to},
                                    {"successor", next},
                                    {"rule", h.rule},
                                    {"reason", h.reason},
                                    {"events", std::move(carried)},
                                    {"outputs", std::move(carriedOutputs)}}));
  }));
  return read([&](Db& db) { return readFull(db, actor, next); });
}

Result<Incident> SqliteStore::linkAlerts(const Actor& actor, int64_t id, const std::vector<int64_t>& alertIds) {
  if (alertIds.empty()) return Error::validation("alert_ids", "name at least one alert");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    if (cur.closed) return Error::validation("alert_ids", "the incident is closed");
    json::array ids;
    for (size_t k = 0; k < alertIds.size(); ++k) {
      VIGIL_TRY(linkAlert(tx, actor, cur, alertIds[k], "alert_ids[" + std::to_string(k) + "]"));
      ids.push_back(alertIds[k]);
    }
    VIGIL_TRY(touch(tx.db, id, tx.now));
    return tx.audit(actor, auditOf("incident.link_alerts", id, cur.orgId, {{"alert_ids", ids}, {"title", cur.title}}));
  }));
  return read([&](Db& db) { return readFull(db, actor, id); });
}

// --- Tasks, parties, observables -----------------------------------------------------------------

namespace {

// The assignee must exist, be enabled and be allowed to handle the incident's incidents.
Result<std::string> checkAssignee(Db& db, const Incident& inc, int64_t userId) {
  VIGIL_ASSIGN_OR_RETURN(auto u, db.prepare("SELECT username, disabled FROM users WHERE id = ?"));
  u.bind(1, userId);
  VIGIL_ASSIGN_OR_RETURN(bool row, u.step());
  if (!row) return Error::validation("assignee_id", "user " + std::to_string(userId) + " not found");
  const std::string name = u.text(0);
  if (u.int64(1) != 0) return Error::validation("assignee_id", "user '" + name + "' is disabled");
  VIGIL_ASSIGN_OR_RETURN(auto roles, loadRoles(db, userId));
  Actor who;
  for (const auto& r : roles) who.grants.push_back({r.orgId, r.orgPath, r.role});
  if (!allows(who, Permission::kHandleIncidents, inc.orgPath))
    return Error::validation("assignee_id",
                             "user '" + name + "' may not handle the incidents of '" + inc.orgName + "'");
  return name;
}

Result<IncidentTask> loadTask(Db& db, int64_t incidentId, int64_t taskId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kTaskColumns +
                                             " FROM incident_tasks t LEFT JOIN users u ON u.id = t.assignee_id "
                                             "WHERE t.id = ? AND t.incident_id = ?"));
  st.bind(1, taskId).bind(2, incidentId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row)
    return Error::notFound("task " + std::to_string(taskId) + " of incident " + std::to_string(incidentId) +
                           " not found");
  return readTask(st);
}

json::value timeOr(const std::optional<TimeMs>& t) { return t ? json::value(formatRfc3339(*t)) : json::value(nullptr); }

}  // namespace

Result<IncidentTask> SqliteStore::addTask(const Actor& actor, int64_t id, const TaskFields& f) {
  int64_t taskId = 0;
  if (!f.title || f.title->empty()) return Error::validation("title", "a task needs a title");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    std::optional<int64_t> assignee = f.assignee ? *f.assignee : std::nullopt;
    std::string who;
    if (assignee) {
      VIGIL_ASSIGN_OR_RETURN(who, checkAssignee(tx.db, cur, *assignee));
    }
    const std::optional<TimeMs> due = f.dueAt ? *f.dueAt : std::nullopt;
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_tasks(incident_id,title,assignee_id,due_at,"
                                                  "created_by,created_at) VALUES(?,?,?,?,?,?)"));
    VIGIL_TRY(
        st.bind(1, id).bind(2, *f.title).bind(3, assignee).bind(4, due).bind(5, actor.name).bind(6, tx.now).run());
    taskId = tx.db.lastInsertId();
    json::object data{{"task_id", taskId}, {"action", "create"}, {"assignee", who}, {"due_at", timeOr(due)}};
    VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "task", actor.name, *f.title, data));
    VIGIL_TRY(touch(tx.db, id, tx.now));
    data["title"] = *f.title;
    return tx.audit(actor, auditOf("incident.task_create", id, cur.orgId, data));
  }));
  return read([&](Db& db) { return loadTask(db, id, taskId); });
}

Result<IncidentTask> SqliteStore::updateTask(const Actor& actor, int64_t id, int64_t taskId, const TaskFields& f) {
  if (!f.title && !f.assignee && !f.dueAt && !f.done)
    return Error::validation("title", "nothing to change: give title, assignee_id, due_at or done");
  if (f.title && f.title->empty()) return Error::validation("title", "must not be empty");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    VIGIL_ASSIGN_OR_RETURN(IncidentTask t, loadTask(tx.db, id, taskId));
    json::object data{{"task_id", taskId}, {"action", "update"}};
    if (f.title) {
      t.title = *f.title;
      data["title"] = *f.title;
    }
    if (f.assignee) {
      t.assigneeId = *f.assignee;
      std::string who;
      if (t.assigneeId) {
        VIGIL_ASSIGN_OR_RETURN(who, checkAssignee(tx.db, cur, *t.assigneeId));
      }
      data["assignee"] = who;
    }
    if (f.dueAt) {
      t.dueAt = *f.dueAt;
      data["due_at"] = timeOr(t.dueAt);
    }
    if (f.done && *f.done != t.done) {
      t.done = *f.done;
      t.doneAt = t.done ? tx.now : 0;
      data["done"] = t.done;
    }
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incident_tasks SET title=?, assignee_id=?, due_at=?, done=?, "
                                                  "done_at=? WHERE id=?"));
    VIGIL_TRY(st.bind(1, t.title)
                  .bind(2, t.assigneeId)
                  .bind(3, t.dueAt)
                  .bind(4, t.done)
                  .bind(5, t.doneAt)
                  .bind(6, taskId)
                  .run());
    VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "task", actor.name, t.title, data));
    VIGIL_TRY(touch(tx.db, id, tx.now));
    return tx.audit(actor, auditOf("incident.task_update", id, cur.orgId, data));
  }));
  return read([&](Db& db) { return loadTask(db, id, taskId); });
}

Status SqliteStore::deleteTask(const Actor& actor, int64_t id, int64_t taskId) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    VIGIL_ASSIGN_OR_RETURN(IncidentTask t, loadTask(tx.db, id, taskId));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM incident_tasks WHERE id = ?"));
    VIGIL_TRY(st.bind(1, taskId).run());
    json::object data{{"task_id", taskId}, {"action", "delete"}};
    VIGIL_TRY(appendTimeline(tx.db, id, tx.now, "task", actor.name, t.title, data));
    VIGIL_TRY(touch(tx.db, id, tx.now));
    data["title"] = t.title;
    return tx.audit(actor, auditOf("incident.task_delete", id, cur.orgId, data));
  });
}

Result<IncidentParty> SqliteStore::addParty(const Actor& actor, int64_t id, const IncidentParty& p) {
  IncidentParty out = p;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    if (p.notifiedAt < cur.detectedAt)
      return Error::validation("notified_at",
                               "is before the incident was detected (" + formatRfc3339(cur.detectedAt) + ")");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_parties(incident_id,party,contact,notified_at,"
                                                  "channel,reference,recorded_by,created_at) VALUES(?,?,?,?,?,?,?,?)"));
    st.bind(1, id).bind(2, p.party).bind(3, p.contact).bind(4, p.notifiedAt).bind(5, p.channel).bind(6, p.reference);
    VIGIL_TRY(st.bind(7, actor.name).bind(8, tx.now).run());
    out.id = tx.db.lastInsertId();
    out.recordedBy = actor.name;
    out.createdAt = tx.now;
    json::object data{{"party", p.party},
                      {"contact", p.contact},
                      {"channel", p.channel},
                      {"reference", p.reference},
                      {"notified_at", formatRfc3339(p.notifiedAt)}};
    VIGIL_TRY(appendTimeline(tx.db, id, p.notifiedAt, "party", actor.name, p.contact, data));
    VIGIL_TRY(touch(tx.db, id, tx.now));
    return tx.audit(actor, auditOf("incident.party", id, cur.orgId, data));
  }));
  return out;
}

Result<std::vector<IncidentObservable>> SqliteStore::addObservables(const Actor& actor, int64_t id,
                                                                    const std::vector<Observable>& obs) {
  if (obs.empty()) return Error::validation("observables", "name at least one observable");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident cur, loadIncident(tx.db, actor, id, Permission::kHandleIncidents));
    VIGIL_ASSIGN_OR_RETURN(int added, addObservablesTx(tx, actor, id, obs));
    if (added == 0) return Error::validation("observables", "every observable given is already on the incident");
    json::array list;
    for (const auto& o : obs) list.push_back(json::object{{"type", o.type}, {"value", o.value}});
    VIGIL_TRY(touch(tx.db, id, tx.now));
    return tx.audit(actor, auditOf("incident.observables", id, cur.orgId, {{"observables", list}, {"added", added}}));
  }));
  return read([&](Db& db) -> Result<std::vector<IncidentObservable>> {
    VIGIL_TRY(loadIncident(db, actor, id, Permission::kReadIncidents));
    return loadObservables(db, id);
  });
}

Result<std::optional<int64_t>> SqliteStore::incidentOfAlert(const Actor& actor, int64_t alertId) {
  return read([&](Db& db) -> Result<std::optional<int64_t>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT incident_id FROM incident_alerts WHERE alert_id = ?"));
    st.bind(1, alertId);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return std::optional<int64_t>();
    const int64_t incidentId = st.int64(0);
    auto inc = loadIncident(db, actor, incidentId, Permission::kReadIncidents);
    if (!inc.ok()) return std::optional<int64_t>();
    return std::optional<int64_t>(incidentId);
  });
}

// --- The deadline watch --------------------------------------------------------------------------

Result<std::vector<IncidentClockInput>> SqliteStore::openIncidentsForClock() {
  return read([&](Db& db) -> Result<std::vector<IncidentClockInput>> {
    std::vector<IncidentClockInput> out;
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kIncidentColumns + kIncidentFrom +
                                                 " WHERE i.closed = 0 ORDER BY i.id"));
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        out.push_back({readIncident(st), {}});
      }
    }
    for (auto& in : out) {
      VIGIL_TRY(loadHistory(db, in.incident));
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT deadline_id || ':' || level FROM incident_deadline_marks "
                                                 "WHERE incident_id = ?"));
      st.bind(1, in.incident.id);
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        in.raised.push_back(st.text(0));
      }
    }
    return out;
  });
}

namespace {

// Records the mark once; false when it was already there.
Result<bool> markOnce(WriteTx& tx, int64_t incidentId, const std::string& deadlineId, const std::string& level,
                      TimeMs dueAt) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_deadline_marks(incident_id,deadline_id,level,"
                                                "due_at,raised_at) VALUES(?,?,?,?,?) ON CONFLICT DO NOTHING"));
  VIGIL_TRY(st.bind(1, incidentId).bind(2, deadlineId).bind(3, level).bind(4, dueAt).bind(5, tx.now).run());
  return tx.db.changes() > 0;
}

}  // namespace

Result<bool> SqliteStore::raiseDeadlineWarning(int64_t incidentId, const std::string& deadlineId,
                                               const std::string& label, int level, TimeMs dueAt) {
  if (level != 50 && level != 75 && level != 90) return Error::validation("level", "must be 50, 75 or 90");
  bool raised = false;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident inc, loadAsSystem(tx.db, incidentId));
    VIGIL_ASSIGN_OR_RETURN(raised, markOnce(tx, incidentId, deadlineId, std::to_string(level), dueAt));
    if (!raised) return {};
    const std::string text =
        "Đã qua " + std::to_string(level) + "% thời hạn: " + label + " (hạn " + formatRfc3339(dueAt) + ")";
    VIGIL_TRY(appendTimeline(tx.db, incidentId, tx.now, "warning", "system", text,
                             {{"deadline", deadlineId}, {"level", level}, {"due_at", formatRfc3339(dueAt)}}));
    const AlertSeverity sev = level >= 90 ? AlertSeverity::kHigh : AlertSeverity::kMedium;
    VIGIL_TRY(raiseDeadlineAlert(
        tx, inc, sev, "incident:" + std::to_string(incidentId) + ":" + deadlineId + ":" + std::to_string(level),
        "Sự cố #" + std::to_string(incidentId) + ": " + text, inc.title));
    const Actor system = Actor::systemActor("deadline-watch");
    return tx.audit(system, auditOf("incident.deadline_warning", incidentId, inc.orgId,
                                    {{"deadline", deadlineId}, {"level", level}, {"due_at", formatRfc3339(dueAt)}}));
  }));
  return raised;
}

Result<bool> SqliteStore::recordBreach(int64_t incidentId, const std::string& deadlineId, const std::string& label,
                                       TimeMs dueAt, const std::string& escalateTo) {
  bool recorded = false;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Incident inc, loadAsSystem(tx.db, incidentId));
    VIGIL_ASSIGN_OR_RETURN(recorded, markOnce(tx, incidentId, deadlineId, "breach", dueAt));
    if (!recorded) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_breaches(incident_id,deadline_id,label,due_at,"
                                                  "recorded_at,escalated_to) VALUES(?,?,?,?,?,?)"));
    VIGIL_TRY(st.bind(1, incidentId)
                  .bind(2, deadlineId)
                  .bind(3, label)
                  .bind(4, dueAt)
                  .bind(5, tx.now)
                  .bind(6, escalateTo)
                  .run());
    const std::string text = "Quá hạn: " + label + " (hạn " + formatRfc3339(dueAt) + "); báo cáo " + escalateTo;
    VIGIL_TRY(
        appendTimeline(tx.db, incidentId, tx.now, "breach", "system", text,
                       {{"deadline", deadlineId}, {"due_at", formatRfc3339(dueAt)}, {"escalated_to", escalateTo}}));
    VIGIL_TRY(raiseDeadlineAlert(tx, inc, AlertSeverity::kCritical,
                                 "incident:" + std::to_string(incidentId) + ":" + deadlineId + ":breach",
                                 "Sự cố #" + std::to_string(incidentId) + ": " + text, inc.title));
    const Actor system = Actor::systemActor("deadline-watch");
    return tx.audit(system, auditOf("incident.deadline_breach", incidentId, inc.orgId,
                                    {{"deadline", deadlineId},
                                     {"label", label},
                                     {"due_at", formatRfc3339(dueAt)},
                                     {"escalated_to", escalateTo}}));
  }));
  return recorded;
}

}  // namespace vigil::sqlite
