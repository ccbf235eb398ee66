// Assessments of information systems (kiểm tra, đánh giá), their checklist, item results and
// evidence, findings and re-tests; the legal schedules (due and overdue duties) and the province
// dashboard. Access is decided by the store (kReadRegistry / kManageRegistry on the system's
// organisation); the law (checklists, who may assess, schedules) by the compliance catalogs.
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "api/assessment_rules.h"
#include "api/registry_io.h"
#include "calendar/working_calendar.h"
#include "store/blob_store.h"

namespace vigil::api {
namespace {

namespace chr = std::chrono;

// The activities of the schedule catalogs that a completed assessment (of any kind) carries out:
// the periodic check of regime A (Decree 85 Art. 20.2.c), the critical systems' self-inspection
// of regime B (Decree 333 Art. 8.5.b) and the provincial plan's checks. Other activities (scans,
// drills...) have no record in vigil yet: they are listed as never done.
constexpr std::string_view kAssessmentActivities[] = {"assessment", "critical_self_inspection", "provincial_check"};

double percentOf(int64_t part, int64_t whole) {
  if (whole <= 0) return 0.0;
  return std::round(static_cast<double>(part) * 1000.0 / static_cast<double>(whole)) / 10.0;
}

Result<std::optional<int64_t>> readOrgParam(const http::Request& req) {
  auto v = req.queryParam("org_id");
  if (!v || v->empty()) return std::optional<int64_t>();
  VIGIL_ASSIGN_OR_RETURN(int64_t id, queryInt("org_id", *v, 1, INT64_MAX));
  return std::optional<int64_t>(id);
}

// A required date field, not after today.
Result<std::string> requiredDay(const Api& api, const std::string& field, const std::string& text) {
  VIGIL_ASSIGN_OR_RETURN(auto d, checkDate(field, text));
  if (!d) return Error::validation(field, "is required (a date like 2026-11-24)");
  if (*d > todayLocal(api)) return Error::validation(field, "is in the future");
  return *d;
}

Result<std::vector<std::string>> readStringList(BodyReader& body, const char* name, size_t maxItems) {
  std::vector<std::string> out;
  VIGIL_ASSIGN_OR_RETURN(auto arr, body.optionalArray(name, maxItems));
  if (!arr) return out;
  for (size_t i = 0; i < (*arr)->size(); ++i) {
    const auto& v = (**arr)[i];
    const std::string field = std::string(name) + "[" + std::to_string(i) + "]";
    if (!v.is_string()) return Error::validation(field, "must be a text");
    VIGIL_ASSIGN_OR_RETURN(auto s, cleanText(field, std::string(v.as_string()), 100, false));
    out.push_back(std::move(s));
  }
  return out;
}

// The level an assessment of `s` is made at: the approved level, else the proposed one.
int assessedLevel(const InfoSystem& s) { return s.approvedLevel.value_or(s.proposedLevel); }

// 400 validation_failed on assessor_type with every refusal (rule, message, source); the refused
// request is audited like any other refused change.
http::Response refusalResponse(Api& api, Ctx& c, const compliance::Eligibility& e, const InfoSystem& s) {
  std::string why;
  for (const auto& r : e.refusals) why += (why.empty() ? "" : "; ") + r.message + " (" + r.source.cite() + ")";
  const std::string message = std::string("assessor_type: '") + std::string(compliance::assessorTypeName(e.chosen)) +
                              "' may not carry out this assessment: " + why;
  AuditEntry a{
      .action = "assessment.create", .objectType = "request", .objectId = std::to_string(s.id), .orgId = s.orgId};
  a.summary = json::serialize(json::object{{"method", c.req.method}, {"path", c.req.path}, {"message", message}});
  a.result = "failure: validation_failed";
  (void)api.store().appendAudit(c.actor(), a);
  json::value elig = eligibilityToJson(e);
  json::object details{{"field", "assessor_type"}, {"eligibility", elig}, {"refusals", elig.at("refusals")}};
  return jsonResponse(400, json::object{{"error", json::object{{"code", "validation_failed"},
                                                               {"message", message},
                                                               {"details", std::move(details)}}}});
}

// The full view of an assessment: the record, its results, evidence and findings, and the
// checklist at the assessment's own level (the system's level may have changed since).
Result<json::value> assessmentView(const Api& api, const Assessment& a) {
  auto v = assessmentToJson(a, todayLocal(api), true);
  VIGIL_ASSIGN_OR_RETURN(auto checklist, checklistToJson(api, a.regimeId, a.level));
  v.as_object()["checklist"] = std::move(checklist);
  return v;
}

struct ScheduleRow {
  ScheduleInput sys;
  compliance::DueActivity due;
  bool neverDone = false;
};

// Every legal duty of every system in scope, with its next due day.
Result<std::vector<ScheduleRow>> scheduleRows(Api& api, const Actor& actor, std::optional<int64_t> orgId,
                                              const std::string& today) {
  VIGIL_ASSIGN_OR_RETURN(auto inputs, api.store().scheduleInputs(actor, orgId));
  auto todayDate = calendar::parseDate(today);
  if (!todayDate) return Error::internal("today is not a date: " + today);
  // The last completed assessment (of any kind, not after today) of a system.
  auto lastOf = [&](const ScheduleInput& in, std::optional<std::string>& last) {
    for (const auto& [kind, day] : in.lastCompleted)
      if (day <= today && (!last || day > *last)) last = day;
  };
  auto query = [&](const std::string& regime, std::optional<int> level, bool critical,
                   const std::optional<std::string>& last) {
    compliance::ScheduleQuery q{.regime = regime, .level = level, .critical = critical, .today = *todayDate};
    if (auto d = last ? calendar::parseDate(*last) : std::nullopt) {
      for (auto activity : kAssessmentActivities) {
        const bool known = std::any_of(api.schedules().begin(), api.schedules().end(),
                                       [&](const auto& c) { return c->activity(activity) != nullptr; });
        if (known) q.lastDone[std::string(activity)] = *d;
      }
    }
    return q;
  };
  std::vector<ScheduleRow> rows;
  // The organisation's own duties (e.g. Decree 85 Art. 20.2.c: the whole organisation every 24
  // months), once per organisation and regime; its last assessment is the latest of its systems.
  std::map<std::pair<int64_t, std::string>, std::pair<ScheduleInput, std::optional<std::string>>> orgs;
  for (const auto& in : inputs) {
    if (in.lifecycle == "retired") continue;
    std::optional<std::string> last;
    lastOf(in, last);
    VIGIL_ASSIGN_OR_RETURN(auto dues,
                           compliance::dueActivities(api.schedules(), query(in.regimeId, in.level, in.critical, last)));
    for (auto& d : dues) {
      const bool never = !d.lastDone.has_value();
      rows.push_back({in, std::move(d), never});
    }
    auto [it, fresh] = orgs.try_emplace({in.orgId, in.regimeId});
    if (fresh) {
      it->second.first = ScheduleInput{
          .systemId = 0, .orgId = in.orgId, .orgName = in.orgName, .orgPath = in.orgPath, .regimeId = in.regimeId};
    }
    auto& orgLast = it->second.second;
    if (last && (!orgLast || *last > *orgLast)) orgLast = last;
  }
  for (const auto& [key, org] : orgs) {
    VIGIL_ASSIGN_OR_RETURN(
        auto dues, compliance::dueActivities(api.schedules(), query(key.second, std::nullopt, false, org.second)));
    for (auto& d : dues) {
      const bool never = !d.lastDone.has_value();
      rows.push_back({org.first, std::move(d), never});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const ScheduleRow& a, const ScheduleRow& b) {
    if (a.due.due != b.due.due) return a.due.due < b.due.due;
    if (a.sys.orgName != b.sys.orgName) return a.sys.orgName < b.sys.orgName;
    return a.sys.systemName < b.sys.systemName;
  });
  return rows;
}

bool isAssessmentActivity(const std::string& activity) {
  return std::find(std::begin(kAssessmentActivities), std::end(kAssessmentActivities), activity) !=
         std::end(kAssessmentActivities);
}

// A duty of one system, or of the organisation as a whole (system_id and level null).
json::value scheduleRowJson(const ScheduleRow& r) {
  const bool whole = r.sys.systemId == 0;
  return json::object{
      {"system_id", whole ? json::value(nullptr) : json::value(r.sys.systemId)},
      {"system_name", r.sys.systemName},
      {"org_id", r.sys.orgId},
      {"org_name", r.sys.orgName},
      {"regime_id", r.sys.regimeId},
      {"level", whole ? json::value(nullptr) : json::value(r.sys.level)},
      {"schedule", r.due.schedule},
      {"activity", r.due.activity},
      {"label", r.due.label},
      {"rule", r.due.rule},
      {"source", sourceToJson(r.due.source)},
      {"verified", r.due.verified},
      {"last_done", r.due.lastDone ? json::value(compliance::formatDate(*r.due.lastDone)) : json::value(nullptr)},
      {"never_done", r.neverDone},
      {"recorded", isAssessmentActivity(r.due.activity)},
      {"due_on", compliance::formatDate(r.due.due)},
      {"overdue", r.due.overdue},
      {"days_left", r.due.daysLeft}};
}

Result<FindingQuery> readFindingQuery(const http::Request& req, const std::string& today) {
  FindingQuery q;
  q.today = today;
  bool ok = true;
  for (auto& [k, v] : req.queryParams(&ok)) {
    if (k == "org_id") {
      VIGIL_ASSIGN_OR_RETURN(q.orgId, queryInt(k, v, 1, INT64_MAX));
    } else if (k == "system_id") {
      VIGIL_ASSIGN_OR_RETURN(q.systemId, queryInt(k, v, 1, INT64_MAX));
    } else if (k == "state") {
      if (v == "open") {
        q.openOnly = true;
      } else if (v == "overdue") {
        q.overdueOnly = true;
      } else if (v != "all") {
        return Error::validation("state", "must be open, overdue or all");
      }
    } else if (k == "limit") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt(k, v, 1, 500));
      q.limit = static_cast<int>(n);
    } else if (k == "offset") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt(k, v, 0, INT64_MAX / 2));
      q.offset = static_cast<int>(std::min<int64_t>(n, INT32_MAX));
    } else {
      return Error::validation(k, "is not a known query parameter");
    }
  }
  if (!ok) return Error::badRequest("malformed query string");
  return q;
}

}  // namespace

void registerAssessmentRoutes(Api& api) {
  api.add("GET", "/api/v1/systems/{id}/checklist", "system.checklist", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto s, api.store().getSystem(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto v, checklistToJson(api, s.regimeId, assessedLevel(s)));
            v.as_object()["system_id"] = s.id;
            v.as_object()["level_basis"] = s.approvedLevel ? "approved" : "proposed";
            return jsonResponse(200, v);
          });

  // Who may assess this system, for the form: kind, assessor_type and triggers (comma-separated).
  api.add("GET", "/api/v1/systems/{id}/assessor-eligibility", "assessment.eligibility", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {"kind", "assessor_type", "triggers"}));
            VIGIL_ASSIGN_OR_RETURN(auto s, api.store().getSystem(c.actor(), id));
            std::vector<std::string> triggers;
            const std::string t = c.req.queryParam("triggers").value_or("");
            for (size_t start = 0; start < t.size();) {
              size_t end = t.find(',', start);
              if (end == std::string::npos) end = t.size();
              if (end > start) triggers.push_back(t.substr(start, end - start));
              start = end + 1;
            }
            VIGIL_ASSIGN_OR_RETURN(auto e, assessorEligibility(api, s.regimeId, assessedLevel(s), s.criticalList,
                                                               c.req.queryParam("kind").value_or("periodic"), triggers,
                                                               c.req.queryParam("assessor_type").value_or("self")));
            auto v = eligibilityToJson(e);
            v.as_object()["level"] = assessedLevel(s);
            v.as_object()["regime_id"] = s.regimeId;
            return jsonResponse(200, v);
          });

  api.add("GET", "/api/v1/systems/{id}/assessments", "assessment.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listAssessments(c.actor(), id));
            const std::string today = todayLocal(api);
            json::array items;
            for (const auto& a : list) items.push_back(assessmentToJson(a, today, false));
            const auto total = static_cast<int64_t>(items.size());
            return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
          });

  api.add("POST", "/api/v1/systems/{id}/assessments", "assessment.create", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            // Scope first: a system out of scope is not found whatever the body says.
            VIGIL_ASSIGN_OR_RETURN(auto s, api.store().getSystem(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            AssessmentFields f;
            f.systemId = id;
            VIGIL_ASSIGN_OR_RETURN(f.kind, body.requiredString("kind", 20));
            VIGIL_ASSIGN_OR_RETURN(f.assessorType, body.requiredString("assessor_type", 20));
            VIGIL_ASSIGN_OR_RETURN(f.assessorName, body.requiredString("assessor_name", 300));
            VIGIL_ASSIGN_OR_RETURN(f.triggers, readStringList(body, "triggers", 10));
            VIGIL_ASSIGN_OR_RETURN(auto planned, body.optionalString("planned_on", 10));
            VIGIL_ASSIGN_OR_RETURN(auto started, body.optionalString("started_on", 10));
            VIGIL_TRY(body.finish());
            if (!isOneOf(f.kind, kAssessmentKinds))
              return Error::validation("kind", "must be one of " + listOf(kAssessmentKinds));
            if (!isOneOf(f.assessorType, kAssessorTypes))
              return Error::validation("assessor_type", "must be one of " + listOf(kAssessorTypes));
            if (f.assessorName.empty()) return Error::validation("assessor_name", "is required");
            VIGIL_ASSIGN_OR_RETURN(f.plannedOn, checkDate("planned_on", planned));
            VIGIL_ASSIGN_OR_RETURN(f.startedOn, checkDate("started_on", started));
            if (f.startedOn && *f.startedOn > todayLocal(api))
              return Error::validation("started_on", "is in the future");
            VIGIL_ASSIGN_OR_RETURN(auto e, assessorEligibility(api, s.regimeId, assessedLevel(s), s.criticalList,
                                                               f.kind, f.triggers, f.assessorType));
            if (!e.eligible()) return refusalResponse(api, c, e, s);
            VIGIL_ASSIGN_OR_RETURN(auto a, api.store().createAssessment(c.actor(), f, CatalogAssessmentRules(api)));
            VIGIL_ASSIGN_OR_RETURN(auto v, assessmentView(api, a));
            v.as_object()["eligibility"] = eligibilityToJson(e);
            return jsonResponse(201, v);
          });

  api.add("GET", "/api/v1/assessments/{id}", "assessment.read", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto a, api.store().getAssessment(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto v, assessmentView(api, a));
            return jsonResponse(200, v);
          });

  api.add("PUT", "/api/v1/assessments/{id}/results", "assessment.result", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().getAssessment(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            ItemResultRecord r;
            VIGIL_ASSIGN_OR_RETURN(r.item, body.requiredString("item", 100));
            VIGIL_ASSIGN_OR_RETURN(r.status, body.requiredString("status", 20));
            VIGIL_ASSIGN_OR_RETURN(auto reason, body.optionalString("reason", 2000));
            VIGIL_ASSIGN_OR_RETURN(auto comment, body.optionalString("comment", 4000));
            VIGIL_TRY(body.finish());
            r.reason = reason.value_or("");
            r.comment = comment.value_or("");
            if (!isOneOf(r.status, kItemStatuses))
              return Error::validation("status", "must be one of " + listOf(kItemStatuses));
            if (r.status == "not_applicable" && r.reason.empty())
              return Error::validation("reason", "is required when the item is not applicable (not_applicable)");
            VIGIL_ASSIGN_OR_RETURN(auto saved,
                                   api.store().putItemResult(c.actor(), id, r, CatalogAssessmentRules(api)));
            return jsonResponse(200, json::object{{"item", saved.item},
                                                  {"status", saved.status},
                                                  {"reason", saved.reason},
                                                  {"comment", saved.comment},
                                                  {"updated_at", formatRfc3339(saved.updatedAt)},
                                                  {"updated_by", saved.updatedBy}});
          });

  // The file is the raw request body; item and filename are query parameters. Its type is taken
  // from its content (BlobStore::detectContentType), never from the name or the header.
  api.add("POST", "/api/v1/assessments/{id}/evidence", "assessment.evidence", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {"item", "filename"}));
            VIGIL_ASSIGN_OR_RETURN(auto a, api.store().getAssessment(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto item, cleanText("item", c.req.queryParam("item").value_or(""), 100, false));
            VIGIL_ASSIGN_OR_RETURN(auto filename,
                                   cleanText("filename", c.req.queryParam("filename").value_or(""), 200, false));
            if (filename.find_first_of("/\\") != std::string::npos)
              return Error::validation("filename", "must be a file name without folders");
            // The item is checked before the file is kept.
            CatalogAssessmentRules rules(api);
            VIGIL_ASSIGN_OR_RETURN(auto list, rules.checklist(a.regimeId, a.level));
            if (std::none_of(list.begin(), list.end(), [&](const ChecklistEntry& e) { return e.id == item; }))
              return Error::validation("item", "'" + item + "' is not an item of the level " + std::to_string(a.level) +
                                                   " checklist of " + a.regimeId);
            if (a.state != "in_progress")
              return Error::conflict("assessment " + std::to_string(id) + " is completed; no more evidence");
            if (api.blobDir().empty()) return Error::unavailable("file storage is not configured");
            const BlobStore blobs(api.blobDir(), api.registryConfig().maxAttachmentBytes);
            VIGIL_ASSIGN_OR_RETURN(auto stored, blobs.put(c.req.body));
            EvidenceFile e{.item = item,
                           .filename = filename,
                           .contentType = stored.contentType,
                           .size = stored.size,
                           .sha256 = stored.sha256};
            VIGIL_ASSIGN_OR_RETURN(auto saved, api.store().addEvidence(c.actor(), id, e, rules));
            return jsonResponse(201, evidenceToJson(saved));
          });

  api.add("GET", "/api/v1/evidence/{id}", "evidence.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto e, api.store().getEvidence(c.actor(), id));
    if (api.blobDir().empty()) return Error::unavailable("file storage is not configured");
    const BlobStore blobs(api.blobDir(), api.registryConfig().maxAttachmentBytes);
    auto bytes = blobs.get(e.sha256);
    if (!bytes.ok())
      return Error::internal("the stored file of evidence " + std::to_string(id) +
                             " is missing: " + bytes.error().message);
    auto r = http::Response::text(200, std::move(bytes).value(), e.contentType);
    std::string ascii;
    for (unsigned char ch : e.filename)
      ascii += (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') ? char(ch) : '_';
    r.setHeader("Content-Disposition", "attachment; filename=\"" + ascii + "\"");
    r.setHeader("X-Content-Type-Options", "nosniff");
    r.setHeader("ETag", "\"" + e.sha256 + "\"");
    return r;
  });

  api.add("POST", "/api/v1/assessments/{id}/complete", "assessment.complete", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().getAssessment(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto on, body.requiredString("completed_on", 10));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto day, requiredDay(api, "completed_on", on));
            VIGIL_ASSIGN_OR_RETURN(auto a,
                                   api.store().completeAssessment(c.actor(), id, day, CatalogAssessmentRules(api)));
            VIGIL_ASSIGN_OR_RETURN(auto v, assessmentView(api, a));
            return jsonResponse(200, v);
          });

  api.add("GET", "/api/v1/findings", "finding.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    const std::string today = todayLocal(api);
    VIGIL_ASSIGN_OR_RETURN(auto q, readFindingQuery(c.req, today));
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listFindings(c.actor(), q));
    json::array items;
    for (const auto& f : page.items) items.push_back(findingToJson(f, today));
    return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", page.total}});
  });

  api.add("GET", "/api/v1/findings/{id}", "finding.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto f, api.store().getFinding(c.actor(), id));
    return jsonResponse(200, findingToJson(f, todayLocal(api)));
  });

  api.add("PUT", "/api/v1/findings/{id}", "finding.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().getFinding(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    FindingPatch p;
    VIGIL_ASSIGN_OR_RETURN(p.owner, body.requiredString("owner", 300));
    VIGIL_ASSIGN_OR_RETURN(auto due, body.optionalString("due_on", 10));
    VIGIL_ASSIGN_OR_RETURN(auto note, body.optionalString("remediation", 4000));
    VIGIL_TRY(body.finish());
    if (p.owner.empty()) return Error::validation("owner", "is required");
    VIGIL_ASSIGN_OR_RETURN(p.dueOn, checkDate("due_on", due));
    p.remediation = note.value_or("");
    VIGIL_ASSIGN_OR_RETURN(auto f, api.store().updateFinding(c.actor(), id, p));
    return jsonResponse(200, findingToJson(f, todayLocal(api)));
  });

  api.add("POST", "/api/v1/findings/{id}/retests", "finding.retest", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().getFinding(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            RetestRecord r;
            VIGIL_ASSIGN_OR_RETURN(auto on, body.requiredString("on", 10));
            VIGIL_ASSIGN_OR_RETURN(r.status, body.requiredString("status", 20));
            VIGIL_ASSIGN_OR_RETURN(auto by, body.optionalString("by", 300));
            VIGIL_ASSIGN_OR_RETURN(auto comment, body.optionalString("comment", 4000));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(r.on, requiredDay(api, "on", on));
            if (r.status != "met" && r.status != "partly_met" && r.status != "not_met")
              return Error::validation("status", "must be met, partly_met or not_met");
            r.by = by.value_or("");
            r.comment = comment.value_or("");
            VIGIL_ASSIGN_OR_RETURN(auto f, api.store().addRetest(c.actor(), id, r));
            return jsonResponse(201, findingToJson(f, todayLocal(api)));
          });

  // Due and overdue duties of every system in scope within `horizon_days` (default 90), sorted by
  // due day, paged (limit, offset), with a count per agency. Overdue duties are always listed.
  api.add("GET", "/api/v1/schedules", "schedule.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"org_id", "horizon_days", "limit", "offset"}));
    VIGIL_ASSIGN_OR_RETURN(auto orgId, readOrgParam(c.req));
    int64_t horizon = 90, limit = 100, offset = 0;
    if (auto h = c.req.queryParam("horizon_days")) {
      VIGIL_ASSIGN_OR_RETURN(horizon, queryInt("horizon_days", *h, 0, 3660));
    }
    if (auto l = c.req.queryParam("limit")) {
      VIGIL_ASSIGN_OR_RETURN(limit, queryInt("limit", *l, 1, 500));
    }
    if (auto o = c.req.queryParam("offset")) {
      VIGIL_ASSIGN_OR_RETURN(offset, queryInt("offset", *o, 0, INT64_MAX));
    }
    const std::string today = todayLocal(api);
    VIGIL_ASSIGN_OR_RETURN(auto rows, scheduleRows(api, c.actor(), orgId, today));
    // One page of the duties in the horizon; the counts per agency and the total are over all.
    json::array items;
    std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>> perAgency;  // name,id -> overdue, upcoming
    int64_t total = 0;
    for (const auto& r : rows) {
      if (!r.due.overdue && r.due.daysLeft > horizon) continue;
      if (total >= offset && total - offset < limit) items.push_back(scheduleRowJson(r));
      ++total;
      auto& counts = perAgency[{r.sys.orgName, r.sys.orgId}];
      (r.due.overdue ? counts.first : counts.second) += 1;
    }
    json::array agencies;
    for (const auto& [key, counts] : perAgency)
      agencies.push_back(json::object{
          {"org_id", key.second}, {"org_name", key.first}, {"overdue", counts.first}, {"upcoming", counts.second}});
    return jsonResponse(200, json::object{{"today", today},
                                          {"horizon_days", horizon},
                                          {"items", std::move(items)},
                                          {"total", total},
                                          {"agencies", std::move(agencies)}});
  });

  api.add("GET", "/api/v1/dashboard", "dashboard.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"org_id"}));
    VIGIL_ASSIGN_OR_RETURN(auto orgId, readOrgParam(c.req));
    const std::string today = todayLocal(api);
    std::string since = today;
    if (auto d = calendar::parseDate(today))
      since = calendar::formatDate(chr::sys_days(*d) - chr::days(api.registryConfig().antiMalwareUpdateDays));
    VIGIL_ASSIGN_OR_RETURN(auto d, api.store().dashboardFigures(c.actor(), orgId, today, since));
    // Coverage and duties over the same scope: the organisation asked for, else all the caller
    // may read (the base may be the province, which a caller with roles on two agencies cannot
    // name).
    VIGIL_ASSIGN_OR_RETURN(auto cov, api.store().assetCoverage(c.actor(), orgId, since));
    // Overdue assessments: systems whose assessment duty (any of kAssessmentActivities) is overdue.
    VIGIL_ASSIGN_OR_RETURN(auto rows, scheduleRows(api, c.actor(), orgId, today));
    // Each overdue duty counts for the agency whose subtree holds the system (the base's child on
    // the path, or the base itself).
    auto agencyPathOf = [&](const std::string& path) {
      if (path.size() <= d.baseOrgPath.size()) return d.baseOrgPath;
      const size_t end = path.find('/', d.baseOrgPath.size());
      return end == std::string::npos ? path : path.substr(0, end + 1);
    };
    std::set<int64_t> overdueSystems;
    std::map<std::string, int64_t> overdueDuties;  // agency path -> overdue duties
    for (const auto& r : rows) {
      if (!r.due.overdue) continue;
      overdueDuties[agencyPathOf(r.sys.orgPath)] += 1;
      if (isAssessmentActivity(r.due.activity) && r.sys.systemId != 0) overdueSystems.insert(r.sys.systemId);
    }
    json::array levels;
    for (int level = 1; level <= 5; ++level) {
      auto get = [&](const std::map<int, int64_t>& m) {
        auto it = m.find(level);
        return it == m.end() ? int64_t{0} : it->second;
      };
      levels.push_back(
          json::object{{"level", level}, {"proposed", get(d.proposedByLevel)}, {"approved", get(d.approvedByLevel)}});
    }
    auto count = [](const std::map<std::string, int64_t>& m, const char* k) {
      auto it = m.find(k);
      return it == m.end() ? int64_t{0} : it->second;
    };
    json::object dossiers;
    for (auto s : kDossierStates) dossiers[s] = count(d.dossiersByState, std::string(s).c_str());
    dossiers["none"] = count(d.dossiersByState, "none");
    // The league table: overdue items are overdue findings plus overdue legal duties of the
    // agency's systems (the schedule rows carry each system's own organisation; an agency counts
    // its subtree).
    json::array agencies;
    for (const auto& a : d.agencies) {
      const int64_t duties = overdueDuties.count(a.orgPath) ? overdueDuties.at(a.orgPath) : 0;
      agencies.push_back(json::object{{"org_id", a.orgId},
                                      {"org_name", a.orgName},
                                      {"systems", a.systems},
                                      {"approved", a.approved},
                                      {"percent_approved", percentOf(a.approved, a.systems)},
                                      {"open_findings", a.openFindings},
                                      {"overdue_findings", a.overdueFindings},
                                      {"workstations", a.workstations},
                                      {"workstations_protected", a.workstationsProtected},
                                      {"overdue_duties", duties},
                                      {"overdue_items", duties + a.overdueFindings},
                                      {"coverage_percent", percentOf(a.workstationsProtected, a.workstations)}});
    }
    return jsonResponse(
        200,
        json::object{
            {"today", today},
            {"org", json::object{{"id", d.baseOrgId}, {"name", d.baseOrgName}}},
            {"systems", json::object{{"total", d.systems},
                                     {"approved", d.approved},
                                     {"approved_ratio", std::to_string(d.approved) + "/" + std::to_string(d.systems)},
                                     {"percent_approved", percentOf(d.approved, d.systems)}}},
            {"levels", std::move(levels)},
            {"plans", json::object{{"fully", count(d.planStatus, "fully")},
                                   {"partly", count(d.planStatus, "partly")},
                                   {"not_started", count(d.planStatus, "not_started")}}},
            {"dossiers", std::move(dossiers)},
            {"assessments", json::object{{"in_progress", d.assessmentsInProgress},
                                         {"overdue_systems", static_cast<int64_t>(overdueSystems.size())}}},
            {"findings", json::object{{"open", d.openFindings}, {"overdue", d.overdueFindings}}},
            {"coverage", json::object{{"updated_since", since},
                                      {"workstations", cov.workstations},
                                      {"workstations_protected", cov.workstationsProtected},
                                      {"percent", percentOf(cov.workstationsProtected, cov.workstations)}}},
            {"agencies", std::move(agencies)}});
  });
}

}  // namespace vigil::api
