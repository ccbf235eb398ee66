#include "api/assessment_rules.h"

#include <cmath>

namespace vigil::api {

std::shared_ptr<const compliance::ChecklistCatalog> findChecklist(const Api& api, std::string_view regimeId) {
  for (const auto& c : api.checklists())
    if (c->regime() == regimeId) return c;
  return nullptr;
}

namespace {

Result<std::shared_ptr<const compliance::ChecklistCatalog>> requireChecklist(const Api& api,
                                                                             const std::string& regimeId) {
  auto c = findChecklist(api, regimeId);
  if (!c) return Error::validation("regime_id", "no checklist is loaded for regime '" + regimeId + "'");
  return c;
}

json::value optDay(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

}  // namespace

Result<compliance::Eligibility> assessorEligibility(const Api& api, const std::string& regimeId, int level,
                                                    bool critical, const std::string& kind,
                                                    const std::vector<std::string>& triggers,
                                                    const std::string& assessorType) {
  VIGIL_ASSIGN_OR_RETURN(auto catalog, requireChecklist(api, regimeId));
  auto k = compliance::parseAssessmentKind(kind);
  if (!k) return Error::validation("kind", "must be one of " + listOf(kAssessmentKinds));
  auto t = compliance::parseAssessorType(assessorType);
  if (!t) return Error::validation("assessor_type", "must be one of " + listOf(kAssessorTypes));
  compliance::AssessmentContext ctx{.level = level, .critical = critical, .kind = *k};
  for (size_t i = 0; i < triggers.size(); ++i) {
    const auto& known = compliance::assessmentTriggers();
    if (std::find(known.begin(), known.end(), triggers[i]) == known.end()) {
      std::string list;
      for (auto v : known) list += (list.empty() ? "" : ", ") + std::string(v);
      return Error::validation("triggers[" + std::to_string(i) + "]",
                               "unknown trigger '" + triggers[i] + "' (" + list + ")");
    }
    ctx.triggers.insert(triggers[i]);
  }
  return compliance::checkAssessor(*catalog, ctx, *t);
}

json::value sourceToJson(const compliance::Source& s) {
  return json::object{{"document", s.document}, {"article", s.article}, {"clause", s.clause}, {"cite", s.cite()}};
}

json::value eligibilityToJson(const compliance::Eligibility& e) {
  json::array allowed, refusals;
  for (auto t : e.allowed) allowed.emplace_back(compliance::assessorTypeName(t));
  for (const auto& r : e.refusals)
    refusals.push_back(json::object{{"rule", r.rule}, {"message", r.message}, {"source", sourceToJson(r.source)}});
  return json::object{{"eligible", e.eligible()},
                      {"chosen", compliance::assessorTypeName(e.chosen)},
                      {"allowed", std::move(allowed)},
                      {"refusals", std::move(refusals)}};
}

Result<std::vector<ChecklistEntry>> CatalogAssessmentRules::checklist(const std::string& regimeId, int level) const {
  VIGIL_ASSIGN_OR_RETURN(auto catalog, requireChecklist(api_, regimeId));
  VIGIL_ASSIGN_OR_RETURN(auto items, catalog->checklistFor(level));
  std::vector<ChecklistEntry> out;
  for (const auto* it : items) out.push_back({it->id, it->title});
  return out;
}

Status CatalogAssessmentRules::checkAssessor(const std::string& regimeId, int level, bool critical,
                                             const std::string& kind, const std::vector<std::string>& triggers,
                                             const std::string& assessorType) const {
  VIGIL_ASSIGN_OR_RETURN(auto e, assessorEligibility(api_, regimeId, level, critical, kind, triggers, assessorType));
  if (e.eligible()) return {};
  std::string why;
  for (const auto& r : e.refusals) why += (why.empty() ? "" : "; ") + r.message + " (" + r.source.cite() + ")";
  return Error::validation("assessor_type", "'" + assessorType + "' may not carry out this assessment: " + why);
}

Result<AssessmentOutcome> CatalogAssessmentRules::outcome(const std::string& regimeId, int level,
                                                          const std::vector<ItemResultRecord>& results) const {
  VIGIL_ASSIGN_OR_RETURN(auto catalog, requireChecklist(api_, regimeId));
  std::vector<compliance::ItemResult> rs;
  for (const auto& r : results) {
    auto status = compliance::parseItemStatus(r.status);
    if (!status) return Error::internal("stored result of " + r.item + " has status '" + r.status + "'");
    rs.push_back({.item = r.item, .status = *status, .reason = r.reason, .comment = r.comment});
  }
  VIGIL_ASSIGN_OR_RETURN(auto sum, compliance::summarize(*catalog, level, rs));
  AssessmentOutcome o{.total = sum.total,
                      .met = sum.met,
                      .partlyMet = sum.partlyMet,
                      .notMet = sum.notMet,
                      .notApplicable = sum.notApplicable,
                      .unanswered = sum.unanswered,
                      .percentMet = sum.percentMet};
  for (const auto& f : compliance::findingsFrom(*catalog, rs))
    o.findings.push_back({f.item, std::string(compliance::itemStatusName(f.status)), f.description});
  return o;
}

Result<json::value> checklistToJson(const Api& api, const std::string& regimeId, int level) {
  VIGIL_ASSIGN_OR_RETURN(auto catalog, requireChecklist(api, regimeId));
  VIGIL_ASSIGN_OR_RETURN(auto items, catalog->checklistFor(level));
  json::array groups, list;
  for (const auto& g : catalog->groups()) {
    const bool used =
        std::any_of(items.begin(), items.end(), [&](const compliance::ChecklistItem* i) { return i->group == g.id; });
    if (used)
      groups.push_back(
          json::object{{"id", g.id}, {"part", g.part}, {"title", g.title}, {"source", sourceToJson(g.source)}});
  }
  for (const auto* i : items)
    list.push_back(json::object{{"id", i->id},
                                {"group", i->group},
                                {"title", i->title},
                                {"source", sourceToJson(i->source)},
                                {"standard_clause", i->standardClause(level)},
                                {"evidence", i->evidence},
                                {"verified", i->verified},
                                {"note", i->note}});
  return json::value(json::object{{"regime_id", regimeId},
                                  {"name", catalog->name()},
                                  {"standard", catalog->standard()},
                                  {"level", level},
                                  {"groups", std::move(groups)},
                                  {"items", std::move(list)}});
}

json::value findingToJson(const FindingRecord& f, const std::string& today) {
  json::array retests;
  for (const auto& r : f.retests)
    retests.push_back(json::object{
        {"on", r.on}, {"status", r.status}, {"by", r.by}, {"comment", r.comment}, {"at", formatRfc3339(r.at)}});
  return json::object{{"id", f.id},
                      {"assessment_id", f.assessmentId},
                      {"system_id", f.systemId},
                      {"system_name", f.systemName},
                      {"org_id", f.orgId},
                      {"org_name", f.orgName},
                      {"item", f.item},
                      {"status", f.status},
                      {"description", f.description},
                      {"owner", f.owner},
                      {"due_on", optDay(f.dueOn)},
                      {"remediation", f.remediation},
                      {"closed_on", optDay(f.closedOn)},
                      {"open", !f.closedOn.has_value()},
                      {"overdue", f.overdue(today)},
                      {"retests", std::move(retests)},
                      {"created_at", formatRfc3339(f.createdAt)},
                      {"updated_at", formatRfc3339(f.updatedAt)}};
}

json::value evidenceToJson(const EvidenceFile& e) {
  return json::object{{"id", e.id},
                      {"assessment_id", e.assessmentId},
                      {"item", e.item},
                      {"filename", e.filename},
                      {"content_type", e.contentType},
                      {"size", e.size},
                      {"sha256", e.sha256},
                      {"uploaded_at", formatRfc3339(e.uploadedAt)},
                      {"uploaded_by", e.uploadedBy}};
}

json::value assessmentToJson(const Assessment& a, const std::string& today, bool full) {
  json::array triggers, findings;
  for (const auto& t : a.triggers) triggers.emplace_back(t);
  for (const auto& f : a.findings) findings.push_back(findingToJson(f, today));
  json::value summary = nullptr;
  if (a.summary) {
    const auto& s = *a.summary;
    summary = json::object{{"total", s.total},
                           {"met", s.met},
                           {"partly_met", s.partlyMet},
                           {"not_met", s.notMet},
                           {"not_applicable", s.notApplicable},
                           {"unanswered", s.unanswered},
                           {"applicable", s.total - s.notApplicable},
                           {"percent_met", s.percentMet ? json::value(*s.percentMet) : json::value(nullptr)}};
  }
  json::object o{{"id", a.id},
                 {"system_id", a.systemId},
                 {"system_name", a.systemName},
                 {"org_id", a.orgId},
                 {"org_name", a.orgName},
                 {"regime_id", a.regimeId},
                 {"level", a.level},
                 {"kind", a.kind},
                 {"assessor_type", a.assessorType},
                 {"assessor_name", a.assessorName},
                 {"triggers", std::move(triggers)},
                 {"planned_on", optDay(a.plannedOn)},
                 {"started_on", optDay(a.startedOn)},
                 {"completed_on", optDay(a.completedOn)},
                 {"state", a.state},
                 {"summary", std::move(summary)},
                 {"findings", std::move(findings)},
                 {"created_by", a.createdBy},
                 {"created_at", formatRfc3339(a.createdAt)},
                 {"updated_at", formatRfc3339(a.updatedAt)}};
  if (full) {
    json::array results, evidence;
    for (const auto& r : a.results)
      results.push_back(json::object{{"item", r.item},
                                     {"status", r.status},
                                     {"reason", r.reason},
                                     {"comment", r.comment},
                                     {"updated_at", formatRfc3339(r.updatedAt)},
                                     {"updated_by", r.updatedBy}});
    for (const auto& e : a.evidence) evidence.push_back(evidenceToJson(e));
    o["results"] = std::move(results);
    o["evidence"] = std::move(evidence);
  }
  return o;
}

}  // namespace vigil::api
