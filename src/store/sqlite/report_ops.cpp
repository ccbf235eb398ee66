// SqliteStore: the submission register of official incident reports (report_store.h), migration 10.
// A report is reached through its incident's organisation: kReadIncidents to see it (otherwise
// kNotFound), kHandleIncidents to register, send or acknowledge it (kForbidden). Each change writes
// an incident timeline entry ("report") and an audit entry in its transaction; the table's
// triggers keep every value written once.
#include <algorithm>
#include <boost/json.hpp>

#include "store/report_store.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil {

bool isReportChannel(std::string_view c) {
  return std::find(std::begin(kReportChannels), std::end(kReportChannels), c) != std::end(kReportChannels);
}

}  // namespace vigil

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr const char* kReportColumns =
    "r.id,r.incident_id,i.org_id,r.form_id,r.form_title,r.legal_source,r.layout,r.sha256,r.size,r.file_name,"
    "r.fields,r.rendered_at,r.rendered_by,COALESCE(r.recipient,''),COALESCE(r.channel,''),COALESCE(r.sent_at,0),"
    "COALESCE(r.sent_by,''),COALESCE(r.ack_at,0),COALESCE(r.ack_note,''),COALESCE(r.ack_by,'')";

IncidentReport readReport(const Stmt& st) {
  IncidentReport r;
  r.id = st.int64(0);
  r.incidentId = st.int64(1);
  r.orgId = st.int64(2);
  r.formId = st.text(3);
  r.formTitle = st.text(4);
  r.legalSource = st.text(5);
  r.layout = st.text(6);
  r.sha256 = st.text(7);
  r.size = st.int64(8);
  r.fileName = st.text(9);
  r.fieldsJson = st.text(10);
  r.renderedAt = st.int64(11);
  r.renderedBy = st.text(12);
  r.recipient = st.text(13);
  r.channel = st.text(14);
  r.sentAt = st.int64(15);
  r.sentBy = st.text(16);
  r.ackAt = st.int64(17);
  r.ackNote = st.text(18);
  r.ackBy = st.text(19);
  return r;
}

struct IncidentScope {
  int64_t orgId = 0;
  std::string title;
};

// The incident's organisation after the access check: kNotFound outside the read scope,
// kForbidden without kHandleIncidents when `p` asks for it.
Result<IncidentScope> scopeOf(Db& db, const Actor& actor, int64_t incidentId, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT i.org_id,o.path,o.name,i.title FROM incidents i "
                                             "JOIN orgs o ON o.id = i.org_id WHERE i.id = ?"));
  st.bind(1, incidentId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  const std::string missing = "incident " + std::to_string(incidentId) + " not found";
  if (!row || !allows(actor, Permission::kReadIncidents, st.text(1))) return Error::notFound(missing);
  if (p == Permission::kHandleIncidents && !allows(actor, p, st.text(1)))
    return Error::forbidden("you may not handle the incidents of '" + st.text(2) + "'");
  return IncidentScope{st.int64(0), st.text(3)};
}

Result<IncidentReport> loadReport(Db& db, int64_t incidentId, int64_t reportId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kReportColumns +
                                             " FROM incident_reports r JOIN incidents i ON i.id = r.incident_id "
                                             "WHERE r.id = ? AND r.incident_id = ?"));
  st.bind(1, reportId).bind(2, incidentId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row)
    return Error::notFound("report " + std::to_string(reportId) + " of incident " + std::to_string(incidentId) +
                           " not found");
  return readReport(st);
}

Status timeline(Db& db, int64_t incidentId, TimeMs at, const std::string& actor, const std::string& text,
                const json::object& data) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("INSERT INTO incident_timeline(incident_id,at,kind,actor,text,data) "
                                             "VALUES(?,?,'report',?,?,?)"));
  return st.bind(1, incidentId).bind(2, at).bind(3, actor).bind(4, text).bind(5, json::serialize(data)).run();
}

AuditEntry auditOf(std::string action, const IncidentReport& r, int64_t orgId, json::object summary) {
  summary["incident_id"] = r.incidentId;
  summary["form"] = r.formId;
  summary["sha256"] = r.sha256;
  return {.action = std::move(action),
          .objectType = "incident_report",
          .objectId = std::to_string(r.id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

}  // namespace

Result<IncidentReport> SqliteStore::createIncidentReport(const Actor& actor, const IncidentReportDraft& d) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(IncidentScope scope, scopeOf(tx.db, actor, d.incidentId, Permission::kHandleIncidents));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO incident_reports(incident_id,form_id,form_title,"
                                                  "legal_source,layout,sha256,size,file_name,fields,rendered_at,"
                                                  "rendered_by) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, d.incidentId).bind(2, d.formId).bind(3, d.formTitle).bind(4, d.legalSource).bind(5, d.layout);
    st.bind(6, d.sha256).bind(7, d.size).bind(8, d.fileName).bind(9, d.fieldsJson).bind(10, tx.now);
    VIGIL_TRY(st.bind(11, actor.name).run());
    id = tx.db.lastInsertId();
    IncidentReport r;
    r.id = id;
    r.incidentId = d.incidentId;
    r.formId = d.formId;
    r.sha256 = d.sha256;
    VIGIL_TRY(timeline(tx.db, d.incidentId, tx.now, actor.name, "Lập " + d.formTitle,
                       {{"report_id", id}, {"form", d.formId}, {"sha256", d.sha256}, {"action", "rendered"}}));
    return tx.audit(actor, auditOf("incident_report.render", r, scope.orgId,
                                   {{"source", d.legalSource}, {"incident", scope.title}}));
  }));
  return read([&](Db& db) { return loadReport(db, d.incidentId, id); });
}

Result<std::vector<IncidentReport>> SqliteStore::listIncidentReports(const Actor& actor, int64_t incidentId) {
  return read([&](Db& db) -> Result<std::vector<IncidentReport>> {
    VIGIL_TRY(scopeOf(db, actor, incidentId, Permission::kReadIncidents));
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kReportColumns +
                                               " FROM incident_reports r JOIN incidents i ON i.id = r.incident_id "
                                               "WHERE r.incident_id = ? ORDER BY r.id DESC"));
    st.bind(1, incidentId);
    std::vector<IncidentReport> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readReport(st));
    }
    return out;
  });
}

Result<IncidentReport> SqliteStore::getIncidentReport(const Actor& actor, int64_t incidentId, int64_t reportId) {
  return read([&](Db& db) -> Result<IncidentReport> {
    VIGIL_TRY(scopeOf(db, actor, incidentId, Permission::kReadIncidents));
    return loadReport(db, incidentId, reportId);
  });
}

Result<IncidentReport> SqliteStore::markReportSent(const Actor& actor, int64_t incidentId, int64_t reportId,
                                                   const std::string& recipient, const std::string& channel,
                                                   TimeMs sentAt) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(IncidentScope scope, scopeOf(tx.db, actor, incidentId, Permission::kHandleIncidents));
    VIGIL_ASSIGN_OR_RETURN(IncidentReport r, loadReport(tx.db, incidentId, reportId));
    if (r.sentAt != 0)
      return Error::validation("sent_at", "report " + std::to_string(reportId) + " was already sent at " +
                                              formatRfc3339(r.sentAt) + " to " + r.recipient);
    if (!isReportChannel(channel)) return Error::validation("channel", "'" + channel + "' is not a known channel");
    if (recipient.empty()) return Error::validation("recipient", "is required");
    if (sentAt < r.renderedAt)
      return Error::validation("sent_at", "is before the report was rendered (" + formatRfc3339(r.renderedAt) + ")");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incident_reports SET recipient=?, channel=?, sent_at=?, "
                                                  "sent_by=? WHERE id = ? AND sent_at IS NULL"));
    VIGIL_TRY(st.bind(1, recipient).bind(2, channel).bind(3, sentAt).bind(4, actor.name).bind(5, reportId).run());
    VIGIL_TRY(timeline(tx.db, incidentId, sentAt, actor.name, "Gửi " + r.formTitle + " tới " + recipient,
                       {{"report_id", reportId}, {"form", r.formId}, {"channel", channel}, {"action", "sent"}}));
    return tx.audit(actor,
                    auditOf("incident_report.sent", r, scope.orgId,
                            {{"recipient", recipient}, {"channel", channel}, {"sent_at", formatRfc3339(sentAt)}}));
  }));
  return read([&](Db& db) { return loadReport(db, incidentId, reportId); });
}

Result<IncidentReport> SqliteStore::recordReportAck(const Actor& actor, int64_t incidentId, int64_t reportId,
                                                    TimeMs ackAt, const std::string& note) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(IncidentScope scope, scopeOf(tx.db, actor, incidentId, Permission::kHandleIncidents));
    VIGIL_ASSIGN_OR_RETURN(IncidentReport r, loadReport(tx.db, incidentId, reportId));
    if (r.sentAt == 0)
      return Error::validation("ack_at", "report " + std::to_string(reportId) + " has not been sent yet");
    if (r.ackAt != 0)
      return Error::validation(
          "ack_at", "report " + std::to_string(reportId) + " was already acknowledged at " + formatRfc3339(r.ackAt));
    if (ackAt < r.sentAt)
      return Error::validation("ack_at", "is before the report was sent (" + formatRfc3339(r.sentAt) + ")");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE incident_reports SET ack_at=?, ack_note=?, ack_by=? "
                                                  "WHERE id = ? AND ack_at IS NULL"));
    VIGIL_TRY(st.bind(1, ackAt).bind(2, note).bind(3, actor.name).bind(4, reportId).run());
    VIGIL_TRY(timeline(tx.db, incidentId, ackAt, actor.name, "Nhận xác nhận " + r.formTitle + ": " + note,
                       {{"report_id", reportId}, {"form", r.formId}, {"action", "acknowledged"}}));
    return tx.audit(actor,
                    auditOf("incident_report.ack", r, scope.orgId, {{"ack_at", formatRfc3339(ackAt)}, {"note", note}}));
  }));
  return read([&](Db& db) { return loadReport(db, incidentId, reportId); });
}

}  // namespace vigil::sqlite
