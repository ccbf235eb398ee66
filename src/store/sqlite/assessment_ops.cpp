// SqliteStore: assessments, their results, evidence, findings and re-tests (AssessmentStore), the
// schedule inputs and the dashboard's aggregates. Everything is reached through its system, whose
// organisation's path decides access: kReadRegistry to see it (otherwise kNotFound, as if
// missing), kManageRegistry to change it. Each change and its audit entry are written in one
// transaction. The dashboard's figures are GROUP BY queries over the scope, never a loop over rows.
#include <boost/json.hpp>
#include <cmath>

#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

std::optional<std::string> optText(const Stmt& st, int col) {
  return st.isNull(col) ? std::nullopt : std::optional<std::string>(st.text(col));
}
json::value optJson(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

std::string notFoundText(const char* what, int64_t id) {
  return std::string(what) + " " + std::to_string(id) + " not found";
}

// kNotFound when the actor may not read the registry at `path`; kForbidden when it may read but
// `p` is kManageRegistry and it may not change it.
Status checkAccess(const Actor& actor, Permission p, const std::string& path, const std::string& orgName,
                   Error notFound) {
  if (!allows(actor, Permission::kReadRegistry, path)) return notFound;
  if (p == Permission::kManageRegistry && !allows(actor, p, path))
    return Error::forbidden("you may not change the assessments of '" + orgName + "'");
  return {};
}

AuditEntry auditOf(std::string action, std::string type, int64_t id, int64_t orgId, const json::object& summary) {
  return {.action = std::move(action),
          .objectType = std::move(type),
          .objectId = std::to_string(id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

std::string toJsonArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return json::serialize(a);
}
std::vector<std::string> fromJsonArray(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& x : v.as_array())
    if (x.is_string()) out.emplace_back(x.as_string());
  return out;
}

// --- Systems (what an assessment needs of one) ---------------------------------------------------

struct SystemBrief {
  int64_t id = 0, orgId = 0;
  std::string name, orgName, orgPath, regimeId, lifecycle;
  int level = 1;
  bool critical = false;
};

Result<SystemBrief> loadSystemBrief(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT s.id, s.org_id, s.name, o.name, o.path, s.regime_id, s.lifecycle, "
                                             "coalesce(s.approved_level, s.proposed_level), s.critical_list "
                                             "FROM info_systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText("information system", id));
  SystemBrief s{.id = st.int64(0),
                .orgId = st.int64(1),
                .name = st.text(2),
                .orgName = st.text(3),
                .orgPath = st.text(4),
                .regimeId = st.text(5),
                .lifecycle = st.text(6),
                .level = static_cast<int>(st.int64(7)),
                .critical = st.int64(8) != 0};
  VIGIL_TRY(checkAccess(actor, p, s.orgPath, s.orgName, Error::notFound(notFoundText("information system", id))));
  return s;
}

// --- Assessments ---------------------------------------------------------------------------------

constexpr const char* kAssessmentColumns =
    "a.id,a.system_id,a.regime_id,a.level,a.kind,a.assessor_type,a.assessor_name,a.triggers,a.planned_on,"
    "a.started_on,a.completed_on,a.state,a.total,a.met,a.partly_met,a.not_met,a.not_applicable,a.unanswered,"
    "a.percent_met_tenths,a.created_by,a.created_at,a.updated_at,s.org_id,o.name,s.name,o.path";
constexpr const char* kAssessmentFrom =
    " FROM assessments a JOIN info_systems s ON s.id = a.system_id JOIN orgs o ON o.id = s.org_id";

Assessment readAssessment(const Stmt& st) {
  Assessment a;
  a.id = st.int64(0);
  a.systemId = st.int64(1);
  a.regimeId = st.text(2);
  a.level = static_cast<int>(st.int64(3));
  a.kind = st.text(4);
  a.assessorType = st.text(5);
  a.assessorName = st.text(6);
  a.triggers = fromJsonArray(st.text(7));
  a.plannedOn = optText(st, 8);
  a.startedOn = optText(st, 9);
  a.completedOn = optText(st, 10);
  a.state = st.text(11);
  if (!st.isNull(12)) {
    AssessmentOutcome o;
    o.total = static_cast<int>(st.int64(12));
    o.met = static_cast<int>(st.int64(13));
    o.partlyMet = static_cast<int>(st.int64(14));
    o.notMet = static_cast<int>(st.int64(15));
    o.notApplicable = static_cast<int>(st.int64(16));
    o.unanswered = static_cast<int>(st.int64(17));
    if (!st.isNull(18)) o.percentMet = static_cast<double>(st.int64(18)) / 10.0;
    a.summary = o;
  }
  a.createdBy = st.text(19);
  a.createdAt = st.int64(20);
  a.updatedAt = st.int64(21);
  a.orgId = st.int64(22);
  a.orgName = st.text(23);
  a.systemName = st.text(24);
  return a;
}

Result<Assessment> loadAssessmentRow(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare(std::string("SELECT ") + kAssessmentColumns + kAssessmentFrom + " WHERE a.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText("assessment", id));
  Assessment a = readAssessment(st);
  VIGIL_TRY(checkAccess(actor, p, st.text(25), a.orgName, Error::notFound(notFoundText("assessment", id))));
  return a;
}

Result<std::vector<ItemResultRecord>> loadResults(Db& db, int64_t assessmentId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT item, status, reason, comment, updated_at, updated_by "
                                             "FROM assessment_results WHERE assessment_id = ? ORDER BY item"));
  st.bind(1, assessmentId);
  std::vector<ItemResultRecord> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back({.item = st.text(0),
                   .status = st.text(1),
                   .reason = st.text(2),
                   .comment = st.text(3),
                   .updatedAt = st.int64(4),
                   .updatedBy = st.text(5)});
  }
  return out;
}

constexpr const char* kEvidenceColumns =
    "e.id,e.assessment_id,s.org_id,e.item,e.filename,e.content_type,e.size,e.sha256,e.uploaded_at,e.uploaded_by,"
    "o.path,o.name";
constexpr const char* kEvidenceFrom =
    " FROM assessment_evidence e JOIN assessments a ON a.id = e.assessment_id JOIN info_systems s ON s.id = "
    "a.system_id JOIN orgs o ON o.id = s.org_id";

EvidenceFile readEvidence(const Stmt& st) {
  return {.id = st.int64(0),
          .assessmentId = st.int64(1),
          .orgId = st.int64(2),
          .item = st.text(3),
          .filename = st.text(4),
          .contentType = st.text(5),
          .size = st.int64(6),
          .sha256 = st.text(7),
          .uploadedAt = st.int64(8),
          .uploadedBy = st.text(9)};
}

Result<std::vector<EvidenceFile>> loadEvidenceOf(Db& db, int64_t assessmentId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kEvidenceColumns + kEvidenceFrom +
                                             " WHERE e.assessment_id = ? ORDER BY e.item, e.id"));
  st.bind(1, assessmentId);
  std::vector<EvidenceFile> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(readEvidence(st));
  }
  return out;
}

// --- Findings ------------------------------------------------------------------------------------

constexpr const char* kFindingColumns =
    "f.id,f.assessment_id,a.system_id,s.org_id,s.name,o.name,f.item,f.status,f.description,f.owner,f.due_on,"
    "f.remediation,f.closed_on,f.created_at,f.updated_at,o.path";
constexpr const char* kFindingFrom =
    " FROM findings f JOIN assessments a ON a.id = f.assessment_id JOIN info_systems s ON s.id = a.system_id "
    "JOIN orgs o ON o.id = s.org_id";

FindingRecord readFinding(const Stmt& st) {
  FindingRecord f;
  f.id = st.int64(0);
  f.assessmentId = st.int64(1);
  f.systemId = st.int64(2);
  f.orgId = st.int64(3);
  f.systemName = st.text(4);
  f.orgName = st.text(5);
  f.item = st.text(6);
  f.status = st.text(7);
  f.description = st.text(8);
  f.owner = st.text(9);
  f.dueOn = optText(st, 10);
  f.remediation = st.text(11);
  f.closedOn = optText(st, 12);
  f.createdAt = st.int64(13);
  f.updatedAt = st.int64(14);
  return f;
}

Status loadRetests(Db& db, FindingRecord& f) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT on_date, status, by_whom, comment, at FROM finding_retests "
                                             "WHERE finding_id = ? ORDER BY on_date, id"));
  st.bind(1, f.id);
  f.retests.clear();
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    f.retests.push_back(
        {.on = st.text(0), .status = st.text(1), .by = st.text(2), .comment = st.text(3), .at = st.int64(4)});
  }
  return {};
}

Result<FindingRecord> loadFinding(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare(std::string("SELECT ") + kFindingColumns + kFindingFrom + " WHERE f.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText("finding", id));
  FindingRecord f = readFinding(st);
  VIGIL_TRY(checkAccess(actor, p, st.text(15), f.orgName, Error::notFound(notFoundText("finding", id))));
  VIGIL_TRY(loadRetests(db, f));
  return f;
}

Result<std::vector<FindingRecord>> loadFindingsOf(Db& db, int64_t assessmentId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kFindingColumns + kFindingFrom +
                                             " WHERE f.assessment_id = ? ORDER BY f.id"));
  st.bind(1, assessmentId);
  std::vector<FindingRecord> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(readFinding(st));
  }
  for (auto& f : out) VIGIL_TRY(loadRetests(db, f));
  return out;
}

Result<Assessment> loadAssessmentFull(Db& db, const Actor& actor, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(Assessment a, loadAssessmentRow(db, actor, id, Permission::kReadRegistry));
  VIGIL_ASSIGN_OR_RETURN(a.results, loadResults(db, id));
  VIGIL_ASSIGN_OR_RETURN(a.evidence, loadEvidenceOf(db, id));
  VIGIL_ASSIGN_OR_RETURN(a.findings, loadFindingsOf(db, id));
  return a;
}

// kValidation on "item" unless `item` is on the assessment's checklist.
Status checkItem(const AssessmentRules& rules, const Assessment& a, const std::string& item) {
  VIGIL_ASSIGN_OR_RETURN(auto list, rules.checklist(a.regimeId, a.level));
  for (const auto& e : list)
    if (e.id == item) return {};
  return Error::validation(
      "item", "'" + item + "' is not an item of the level " + std::to_string(a.level) + " checklist of " + a.regimeId);
}

Status checkInProgress(const Assessment& a) {
  if (a.state != "in_progress")
    return Error::conflict("assessment " + std::to_string(a.id) + " is completed; its results can no longer change");
  return {};
}

// The organisation path of the dashboard's base and the scope's agencies: "the child of `base`
// on the path" (or base itself), as an SQL expression over o.path with the base as ?1.
constexpr const char* kAgencyPath =
    "CASE WHEN o.path = ?1 THEN ?1 ELSE substr(o.path, 1, length(?1) + instr(substr(o.path, length(?1) + 1), '/')) "
    "END";

}  // namespace

// --- AssessmentStore ------------------------------------------------------------------------------

Result<Assessment> SqliteStore::createAssessment(const Actor& actor, const AssessmentFields& f,
                                                 const AssessmentRules& rules) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(SystemBrief sys, loadSystemBrief(tx.db, actor, f.systemId, Permission::kManageRegistry));
    if (sys.lifecycle == "retired")
      return Error::conflict("'" + sys.name + "' is retired; a retired system is not assessed");
    VIGIL_TRY(rules.checkAssessor(sys.regimeId, sys.level, sys.critical, f.kind, f.triggers, f.assessorType));
    VIGIL_ASSIGN_OR_RETURN(
        auto st, tx.db.prepare("INSERT INTO assessments(system_id,regime_id,level,kind,assessor_type,assessor_name,"
                               "triggers,planned_on,started_on,state,created_by,created_at,updated_at) "
                               "VALUES(?,?,?,?,?,?,?,?,?,'in_progress',?,?,?)"));
    st.bind(1, sys.id).bind(2, sys.regimeId).bind(3, sys.level).bind(4, f.kind).bind(5, f.assessorType);
    st.bind(6, f.assessorName).bind(7, toJsonArray(f.triggers)).bind(8, f.plannedOn).bind(9, f.startedOn);
    VIGIL_TRY(st.bind(10, actor.name).bind(11, tx.now).bind(12, tx.now).run());
    id = tx.db.lastInsertId();
    json::object sum{{"system_id", sys.id},
                     {"regime_id", sys.regimeId},
                     {"level", sys.level},
                     {"kind", f.kind},
                     {"assessor_type", f.assessorType},
                     {"assessor_name", f.assessorName},
                     {"triggers", json::parse(toJsonArray(f.triggers))},
                     {"planned_on", optJson(f.plannedOn)},
                     {"started_on", optJson(f.startedOn)}};
    return tx.audit(actor, auditOf("assessment.create", "assessment", id, sys.orgId, sum));
  }));
  return getAssessment(actor, id);
}

Result<Assessment> SqliteStore::getAssessment(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadAssessmentFull(db, actor, id); });
}

Result<std::vector<Assessment>> SqliteStore::listAssessments(const Actor& actor, int64_t systemId) {
  return read([&](Db& db) -> Result<std::vector<Assessment>> {
    VIGIL_TRY(loadSystemBrief(db, actor, systemId, Permission::kReadRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kAssessmentColumns + kAssessmentFrom +
                                               " WHERE a.system_id = ? ORDER BY a.id DESC"));
    st.bind(1, systemId);
    std::vector<Assessment> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readAssessment(st));
    }
    for (auto& a : out) {
      VIGIL_ASSIGN_OR_RETURN(a.findings, loadFindingsOf(db, a.id));
    }
    return out;
  });
}

Result<ItemResultRecord> SqliteStore::putItemResult(const Actor& actor, int64_t assessmentId, const ItemResultRecord& r,
                                                    const AssessmentRules& rules) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Assessment a, loadAssessmentRow(tx.db, actor, assessmentId, Permission::kManageRegistry));
    VIGIL_TRY(checkInProgress(a));
    VIGIL_TRY(checkItem(rules, a, r.item));
    if (!isOneOf(r.status, kItemStatuses))
      return Error::validation("status", "must be one of " + listOf(kItemStatuses));
    if (r.status == "not_applicable" && r.reason.empty())
      return Error::validation("reason", "is required when the item is not applicable (not_applicable)");
    VIGIL_ASSIGN_OR_RETURN(
        auto st, tx.db.prepare("INSERT INTO assessment_results(assessment_id,item,status,reason,comment,updated_at,"
                               "updated_by) VALUES(?,?,?,?,?,?,?) ON CONFLICT(assessment_id,item) DO UPDATE SET "
                               "status = excluded.status, reason = excluded.reason, comment = excluded.comment, "
                               "updated_at = excluded.updated_at, updated_by = excluded.updated_by"));
    st.bind(1, assessmentId).bind(2, r.item).bind(3, r.status).bind(4, r.reason).bind(5, r.comment);
    VIGIL_TRY(st.bind(6, tx.now).bind(7, actor.name).run());
    VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE assessments SET updated_at = ? WHERE id = ?"));
    VIGIL_TRY(up.bind(1, tx.now).bind(2, assessmentId).run());
    json::object sum{{"item", r.item}, {"status", r.status}, {"reason", r.reason}, {"comment", r.comment}};
    return tx.audit(actor, auditOf("assessment.result", "assessment", assessmentId, a.orgId, sum));
  }));
  return read([&](Db& db) -> Result<ItemResultRecord> {
    VIGIL_ASSIGN_OR_RETURN(auto all, loadResults(db, assessmentId));
    for (auto& x : all)
      if (x.item == r.item) return x;
    return Error::internal("the result just stored is missing");
  });
}

Result<EvidenceFile> SqliteStore::addEvidence(const Actor& actor, int64_t assessmentId, const EvidenceFile& e,
                                              const AssessmentRules& rules) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Assessment a, loadAssessmentRow(tx.db, actor, assessmentId, Permission::kManageRegistry));
    VIGIL_TRY(checkInProgress(a));
    VIGIL_TRY(checkItem(rules, a, e.item));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO assessment_evidence(assessment_id,item,filename,"
                                                  "content_type,size,sha256,uploaded_at,uploaded_by) "
                                                  "VALUES(?,?,?,?,?,?,?,?)"));
    st.bind(1, assessmentId).bind(2, e.item).bind(3, e.filename).bind(4, e.contentType).bind(5, e.size);
    VIGIL_TRY(st.bind(6, e.sha256).bind(7, tx.now).bind(8, actor.name).run());
    id = tx.db.lastInsertId();
    json::object sum{{"assessment_id", assessmentId},
                     {"item", e.item},
                     {"filename", e.filename},
                     {"size", e.size},
                     {"sha256", e.sha256},
                     {"content_type", e.contentType}};
    return tx.audit(actor, auditOf("assessment.evidence", "assessment", assessmentId, a.orgId, sum));
  }));
  return getEvidence(actor, id);
}

Result<EvidenceFile> SqliteStore::getEvidence(const Actor& actor, int64_t id) {
  return read([&](Db& db) -> Result<EvidenceFile> {
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db.prepare(std::string("SELECT ") + kEvidenceColumns + kEvidenceFrom + " WHERE e.id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::notFound(notFoundText("evidence file", id));
    EvidenceFile e = readEvidence(st);
    VIGIL_TRY(checkAccess(actor, Permission::kReadRegistry, st.text(10), st.text(11),
                          Error::notFound(notFoundText("evidence file", id))));
    return e;
  });
}

Result<Assessment> SqliteStore::completeAssessment(const Actor& actor, int64_t id, const std::string& completedOn,
                                                   const AssessmentRules& rules) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Assessment a, loadAssessmentRow(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_TRY(checkInProgress(a));
    if (a.startedOn && completedOn < *a.startedOn)
      return Error::validation("completed_on", "is before the start of the assessment (" + *a.startedOn + ")");
    VIGIL_ASSIGN_OR_RETURN(auto results, loadResults(tx.db, id));
    VIGIL_ASSIGN_OR_RETURN(auto list, rules.checklist(a.regimeId, a.level));
    size_t missing = 0;
    std::string firstMissing;
    for (const auto& e : list) {
      const bool answered =
          std::any_of(results.begin(), results.end(), [&](const ItemResultRecord& r) { return r.item == e.id; });
      if (!answered && missing++ == 0) firstMissing = e.id;
    }
    if (missing > 0)
      return Error::validation("results", std::to_string(missing) + " of " + std::to_string(list.size()) +
                                              " checklist items have no result yet (first: " + firstMissing + ")");
    VIGIL_ASSIGN_OR_RETURN(AssessmentOutcome o, rules.outcome(a.regimeId, a.level, results));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE assessments SET state = 'completed', completed_on = ?, "
                                                  "total = ?, met = ?, partly_met = ?, not_met = ?, "
                                                  "not_applicable = ?, unanswered = ?, percent_met_tenths = ?, "
                                                  "updated_at = ? WHERE id = ?"));
    st.bind(1, completedOn).bind(2, o.total).bind(3, o.met).bind(4, o.partlyMet).bind(5, o.notMet);
    st.bind(6, o.notApplicable).bind(7, o.unanswered);
    st.bind(8, o.percentMet ? std::optional<int64_t>(std::llround(*o.percentMet * 10)) : std::nullopt);
    VIGIL_TRY(st.bind(9, tx.now).bind(10, id).run());
    for (const auto& nf : o.findings) {
      VIGIL_ASSIGN_OR_RETURN(auto ins, tx.db.prepare("INSERT INTO findings(assessment_id,item,status,description,"
                                                     "created_at,updated_at) VALUES(?,?,?,?,?,?)"));
      VIGIL_TRY(ins.bind(1, id)
                    .bind(2, nf.item)
                    .bind(3, nf.status)
                    .bind(4, nf.description)
                    .bind(5, tx.now)
                    .bind(6, tx.now)
                    .run());
    }
    json::object sum{{"completed_on", completedOn},
                     {"total", o.total},
                     {"met", o.met},
                     {"partly_met", o.partlyMet},
                     {"not_met", o.notMet},
                     {"not_applicable", o.notApplicable},
                     {"percent_met", o.percentMet ? json::value(*o.percentMet) : json::value(nullptr)},
                     {"findings", static_cast<int64_t>(o.findings.size())}};
    return tx.audit(actor, auditOf("assessment.complete", "assessment", id, a.orgId, sum));
  }));
  return getAssessment(actor, id);
}

Result<FindingRecord> SqliteStore::getFinding(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadFinding(db, actor, id, Permission::kReadRegistry); });
}

Result<Page<FindingRecord>> SqliteStore::listFindings(const Actor& actor, const FindingQuery& q) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 10);
  return read([&](Db& db) -> Result<Page<FindingRecord>> {
    std::string orgPath;
    if (q.orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *q.orgId));
      orgPath = org.path;
    }
    const std::string where = std::string(kFindingFrom) + " WHERE " + scope.sql() +
                              " AND (?1 = '' OR (o.path >= ?1 AND o.path < ?1 || '~'))"
                              " AND (?2 IS NULL OR a.system_id = ?2)"
                              " AND (?3 = 0 OR f.closed_on IS NULL)"
                              " AND (?4 = 0 OR (f.closed_on IS NULL AND f.due_on < ?5))";
    auto bindFilters = [&](Stmt& st) {
      st.bind(1, orgPath).bind(2, q.systemId).bind(3, q.openOnly).bind(4, q.overdueOnly).bind(5, q.today);
      scope.bind(st);
    };
    Page<FindingRecord> page;
    VIGIL_ASSIGN_OR_RETURN(auto count, db.prepare("SELECT count(*)" + where));
    bindFilters(count);
    VIGIL_ASSIGN_OR_RETURN(bool counted, count.step());
    page.total = counted ? count.int64(0) : 0;
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kFindingColumns + where +
                                               " ORDER BY f.closed_on IS NOT NULL, coalesce(f.due_on, '9999'), f.id "
                                               "LIMIT ?6 OFFSET ?7"));
    bindFilters(st);
    st.bind(6, q.limit).bind(7, q.offset);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readFinding(st));
    }
    for (auto& f : page.items) VIGIL_TRY(loadRetests(db, f));
    return page;
  });
}

Result<FindingRecord> SqliteStore::updateFinding(const Actor& actor, int64_t id, const FindingPatch& p) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(FindingRecord f, loadFinding(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(Assessment a, loadAssessmentRow(tx.db, actor, f.assessmentId, Permission::kManageRegistry));
    if (p.dueOn && a.completedOn && *p.dueOn < *a.completedOn)
      return Error::validation("due_on", "is before the assessment was completed (" + *a.completedOn + ")");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE findings SET owner = ?, due_on = ?, remediation = ?, "
                                                  "updated_at = ? WHERE id = ?"));
    VIGIL_TRY(st.bind(1, p.owner).bind(2, p.dueOn).bind(3, p.remediation).bind(4, tx.now).bind(5, id).run());
    json::object sum{{"owner", p.owner}, {"due_on", optJson(p.dueOn)}, {"remediation", p.remediation}};
    return tx.audit(actor, auditOf("finding.update", "finding", id, f.orgId, sum));
  }));
  return getFinding(actor, id);
}

Result<FindingRecord> SqliteStore::addRetest(const Actor& actor, int64_t findingId, const RetestRecord& r) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(FindingRecord f, loadFinding(tx.db, actor, findingId, Permission::kManageRegistry));
    if (f.closedOn) return Error::conflict("finding " + std::to_string(findingId) + " was closed on " + *f.closedOn);
    if (r.status != "met" && r.status != "partly_met" && r.status != "not_met")
      return Error::validation("status", "must be met, partly_met or not_met");
    VIGIL_ASSIGN_OR_RETURN(Assessment a, loadAssessmentRow(tx.db, actor, f.assessmentId, Permission::kManageRegistry));
    if (a.completedOn && r.on < *a.completedOn)
      return Error::validation("on", "is before the assessment was completed (" + *a.completedOn + ")");
    if (!f.retests.empty() && r.on < f.retests.back().on)
      return Error::validation("on", "is before the previous re-test (" + f.retests.back().on + ")");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO finding_retests(finding_id,on_date,status,by_whom,"
                                                  "comment,at) VALUES(?,?,?,?,?,?)"));
    VIGIL_TRY(
        st.bind(1, findingId).bind(2, r.on).bind(3, r.status).bind(4, r.by).bind(5, r.comment).bind(6, tx.now).run());
    if (r.status == "met") {
      VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE findings SET closed_on = ?, updated_at = ? WHERE id = ?"));
      VIGIL_TRY(up.bind(1, r.on).bind(2, tx.now).bind(3, findingId).run());
    } else {
      VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE findings SET updated_at = ? WHERE id = ?"));
      VIGIL_TRY(up.bind(1, tx.now).bind(2, findingId).run());
    }
    json::object sum{
        {"on", r.on}, {"status", r.status}, {"by", r.by}, {"comment", r.comment}, {"closed", r.status == "met"}};
    return tx.audit(actor, auditOf("finding.retest", "finding", findingId, f.orgId, sum));
  }));
  return getFinding(actor, findingId);
}

Result<std::vector<ScheduleInput>> SqliteStore::scheduleInputs(const Actor& actor, std::optional<int64_t> orgId) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 10);
  return read([&](Db& db) -> Result<std::vector<ScheduleInput>> {
    std::string orgPath;
    if (orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *orgId));
      orgPath = org.path;
    }
    // The last completed assessment of each kind, through the (system_id, kind, completed_on) index.
    auto last = [](const char* kind) {
      return std::string("(SELECT max(x.completed_on) FROM assessments x WHERE x.system_id = s.id AND x.kind = '") +
             kind + "' AND x.state = 'completed')";
    };
    VIGIL_ASSIGN_OR_RETURN(
        auto st, db.prepare("SELECT s.id, s.org_id, o.name, o.path, s.name, s.regime_id, coalesce(s.approved_level, "
                            "s.proposed_level), s.approved_level IS NOT NULL, s.critical_list, s.lifecycle, "
                            "s.go_live_on, s.approved_on, " +
                            last("periodic") + ", " + last("pre_operation") + ", " + last("ad_hoc") +
                            " FROM info_systems s JOIN orgs o ON o.id = s.org_id WHERE " + scope.sql() +
                            " AND (?1 = '' OR (o.path >= ?1 AND o.path < ?1 || '~')) ORDER BY o.path, s.name, s.id"));
    st.bind(1, orgPath);
    scope.bind(st);
    std::vector<ScheduleInput> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      ScheduleInput in{.systemId = st.int64(0),
                       .orgId = st.int64(1),
                       .orgName = st.text(2),
                       .orgPath = st.text(3),
                       .systemName = st.text(4),
                       .regimeId = st.text(5),
                       .level = static_cast<int>(st.int64(6)),
                       .approved = st.int64(7) != 0,
                       .critical = st.int64(8) != 0,
                       .lifecycle = st.text(9),
                       .goLiveOn = optText(st, 10),
                       .approvedOn = optText(st, 11)};
      const char* kinds[] = {"periodic", "pre_operation", "ad_hoc"};
      for (int k = 0; k < 3; ++k)
        if (!st.isNull(12 + k)) in.lastCompleted[kinds[k]] = st.text(12 + k);
      out.push_back(std::move(in));
    }
    return out;
  });
}

Result<DashboardFigures> SqliteStore::dashboardFigures(const Actor& actor, std::optional<int64_t> orgId,
                                                       const std::string& today, const std::string& coverageSince) {
  const auto prefixes = scopePrefixes(actor, Permission::kReadRegistry);
  const ScopeFilter scope("o.path", prefixes, 10);
  return read([&](Db& db) -> Result<DashboardFigures> {
    // The base: the organisation asked for, else the caller's one subtree, else the province.
    Org base;
    if (orgId) {
      VIGIL_ASSIGN_OR_RETURN(base, loadOrg(db, actor, *orgId));
    } else if (prefixes.size() == 1 && prefixes[0] != "/") {
      VIGIL_ASSIGN_OR_RETURN(auto st,
                             db.prepare(std::string("SELECT ") + kOrgColumns + " FROM orgs o WHERE o.path = ?"));
      st.bind(1, prefixes[0]);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) return Error::notFound("organisation not found");
      base = readOrg(st);
    } else {
      VIGIL_ASSIGN_OR_RETURN(base, loadRoot(db));
    }
    DashboardFigures d;
    d.baseOrgId = base.id;
    d.baseOrgName = base.name;
    d.baseOrgPath = base.path;
    const std::string inBase = " AND o.path >= ?1 AND o.path < ?1 || '~'";
    std::map<std::string, AgencyFigures> agencies;  // by agency path

    // Systems by proposed and approved level and plan status; per agency, systems and approved.
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT s.proposed_level, s.approved_level, s.plan_status, count(*) "
                                                 "FROM info_systems s JOIN orgs o ON o.id = s.org_id WHERE " +
                                                 scope.sql() + inBase + " GROUP BY 1, 2, 3"));
      st.bind(1, base.path);
      scope.bind(st);
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        const int64_t n = st.int64(3);
        d.systems += n;
        d.proposedByLevel[static_cast<int>(st.int64(0))] += n;
        if (!st.isNull(1)) {
          d.approved += n;
          d.approvedByLevel[static_cast<int>(st.int64(1))] += n;
        }
        d.planStatus[st.text(2)] += n;
      }
    }
    {
      VIGIL_ASSIGN_OR_RETURN(
          auto st, db.prepare(std::string("SELECT ") + kAgencyPath +
                              " AS ap, count(*), count(s.approved_level) FROM info_systems s JOIN orgs o ON o.id = "
                              "s.org_id WHERE " +
                              scope.sql() + inBase + " GROUP BY ap"));
      st.bind(1, base.path);
      scope.bind(st);
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        auto& a = agencies[st.text(0)];
        a.systems = st.int64(1);
        a.approved = st.int64(2);
      }
    }
    // The latest dossier of each system, by state ("none": no dossier yet).
    {
      VIGIL_ASSIGN_OR_RETURN(
          auto st, db.prepare("SELECT coalesce(d.state, 'none'), count(*) FROM info_systems s JOIN orgs o ON o.id = "
                              "s.org_id LEFT JOIN dossiers d ON d.id = (SELECT max(x.id) FROM dossiers x WHERE "
                              "x.system_id = s.id) WHERE " +
                              scope.sql() + inBase + " GROUP BY 1"));
      st.bind(1, base.path);
      scope.bind(st);
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        d.dossiersByState[st.text(0)] = st.int64(1);
      }
    }
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT count(*) FROM assessments a JOIN info_systems s ON s.id = "
                                                 "a.system_id JOIN orgs o ON o.id = s.org_id WHERE a.state = "
                                                 "'in_progress' AND " +
                                                 scope.sql() + inBase));
      st.bind(1, base.path);
      scope.bind(st);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (row) d.assessmentsInProgress = st.int64(0);
    }
    // Open and overdue findings, per agency.
    {
      VIGIL_ASSIGN_OR_RETURN(
          auto st,
          db.prepare(std::string("SELECT ") + kAgencyPath + " AS ap, count(*), coalesce(sum(f.due_on < ?2), 0)" +
                     kFindingFrom + " WHERE f.closed_on IS NULL AND " + scope.sql() + inBase + " GROUP BY ap"));
      st.bind(1, base.path).bind(2, today);
      scope.bind(st);
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        auto& a = agencies[st.text(0)];
        a.openFindings = st.int64(1);
        a.overdueFindings = st.int64(2);
        d.openFindings += a.openFindings;
        d.overdueFindings += a.overdueFindings;
      }
    }
    // Workstations protected per agency (the registry's rule: licensed, updated since the cut-off).
    {
      VIGIL_ASSIGN_OR_RETURN(
          auto st, db.prepare(std::string("SELECT ") + kAgencyPath +
                              " AS ap, count(*), coalesce(sum(a.anti_malware <> '' AND a.anti_malware_licensed = 1 "
                              "AND a.last_update_on >= ?2), 0) FROM assets a JOIN info_systems s ON s.id = "
                              "a.system_id JOIN orgs o ON o.id = s.org_id WHERE a.kind = 'workstation' AND " +
                              scope.sql() + inBase + " GROUP BY ap"));
      st.bind(1, base.path).bind(2, coverageSince);
      scope.bind(st);
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        auto& a = agencies[st.text(0)];
        a.workstations = st.int64(1);
        a.workstationsProtected = st.int64(2);
      }
    }
    // Names of the agencies.
    for (auto& [path, a] : agencies) {
      VIGIL_ASSIGN_OR_RETURN(auto names, db.prepare("SELECT id, name FROM orgs WHERE path = ?"));
      names.bind(1, path);
      VIGIL_ASSIGN_OR_RETURN(bool row, names.step());
      if (row) {
        a.orgId = names.int64(0);
        a.orgName = names.text(1);
      }
      a.orgPath = path;
      d.agencies.push_back(a);
    }
    std::sort(d.agencies.begin(), d.agencies.end(),
              [](const AgencyFigures& x, const AgencyFigures& y) { return x.orgName < y.orgName; });
    return d;
  });
}

}  // namespace vigil::sqlite
