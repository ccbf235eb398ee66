#include "api/form_prefill.h"

#include <map>
#include <set>

#include "api/registry_io.h"
#include "documents/form_library.h"

namespace vigil::api {
namespace {

using documents::FormData;
using documents::FormDefinition;
using documents::Row;

// "Tỉnh Lào Cai" -> "Lào Cai": the place name of the date line (Decree 30/2020 Appendix I).
std::string placeName(const std::string& provinceName) {
  for (std::string_view prefix : {"Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "})
    if (provinceName.starts_with(prefix)) return provinceName.substr(prefix.size());
  return provinceName;
}

// "2026-02-05" -> "ngày 05 tháng 02 năm 2026"; "" when not a date.
std::string dateLine(const std::string& isoDay) {
  auto d = calendar::parseDate(isoDay);
  if (!d) return {};
  return documents::vietnameseDateLine(static_cast<int>(d->year()), static_cast<int>(unsigned(d->month())),
                                       static_cast<int>(unsigned(d->day())));
}

bool inRegime(const std::string& regimeId, const std::string& formRegime) {
  return !formRegime.empty() && (regimeId == formRegime || regimeId.starts_with(formRegime + "_"));
}

// Sets a field only when the form has it and the value is known, so the data always passes
// documents::checkFormData (which refuses names the form does not define).
void put(const FormDefinition& def, FormData& data, const std::string& name, const std::string& value) {
  if (!value.empty() && def.field(name)) data.fields[name] = value;
}
void putCell(const documents::TableDef& table, Row& row, const std::string& column, const std::string& value) {
  if (!value.empty() && table.column(column)) row[column] = value;
}

}  // namespace

Result<std::string> provincePlace(Api& api) {
  VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
  return placeName(root.name);
}

namespace {

// The latest dossier of a system (listDossiers returns the newest first), if any.
Result<std::optional<Dossier>> latestDossier(Api& api, const Actor& actor, int64_t systemId) {
  VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listDossiers(actor, systemId));
  if (list.empty()) return std::optional<Dossier>();
  return std::optional<Dossier>(list.front());
}

// Who writes each dossier form and to whom (Decree 331 Art. 18-24 as regulation.md 6.2 reads
// them): the operating unit asks the appraising body (Mẫu 01-03), the appraising body gives its
// opinion to the owner (04) and submits to the approving body (05); the owner decides (06, 07).
enum class Writer { kOperator, kAppraiser, kOwner };
Writer writerOf(const std::string& formId) {
  if (formId.ends_with("-04") || formId.ends_with("-05")) return Writer::kAppraiser;
  if (formId.ends_with("-06") || formId.ends_with("-07")) return Writer::kOwner;
  return Writer::kOperator;
}

std::string approvalStatus(const std::optional<Dossier>& d) {
  // The four states of Mẫu 08 column 6. A system without a dossier yet is still at drafting.
  if (!d || d->state == "drafting") return "Đang dự thảo";
  if (d->state == "sent_for_appraisal") return "Đã gửi thẩm định";
  if (d->state == "appraised") return "Đã thẩm định";
  return "Đã được phê duyệt";
}

std::string approvalDecision(const std::optional<Dossier>& d) {
  if (!d || d->state != "approved" || !d->approvedOn) return {};
  std::string text = "Quyết định";
  if (!d->decisionNumber.empty()) text += " số " + d->decisionNumber;
  text += " ngày " + calendar::vietnameseDay(*d->approvedOn);
  if (!d->decisionBody.empty()) text += " của " + d->decisionBody;
  return text;
}

// The plan implementation column in each regime's wording.
std::string planText(const std::string& status, const std::string& formRegime) {
  if (formRegime == "A") {
    if (status == "fully") return "Đã triển khai đầy đủ";
    if (status == "partly") return "Mới triển khai một phần";
    return "Chưa triển khai";
  }
  if (status == "fully") return "Đã triển khai đầy đủ";
  if (status == "partly") return "Đã triển khai một số hạng mục";
  return "Chưa triển khai";
}

// Every system in the actor's scope (under `orgId` when given), in pages.
Result<std::vector<InfoSystem>> allSystems(Api& api, const Actor& actor, std::optional<int64_t> orgId) {
  std::vector<InfoSystem> out;
  SystemQuery q;
  q.orgId = orgId;
  q.limit = 1000;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listSystems(actor, q));
    for (auto& s : page.items) out.push_back(std::move(s));
    if (page.items.empty() || static_cast<int64_t>(out.size()) >= page.total) break;
    q.offset += q.limit;
  }
  return out;
}

}  // namespace

Result<std::vector<PrefilledForm>> prefillSystemForms(Api& api, const Actor& actor, int64_t systemId) {
  VIGIL_ASSIGN_OR_RETURN(InfoSystem s, api.store().getSystem(actor, systemId));
  VIGIL_ASSIGN_OR_RETURN(auto dossier, latestDossier(api, actor, systemId));
  VIGIL_ASSIGN_OR_RETURN(auto components, api.store().systemComponents(actor, s.id));
  VIGIL_ASSIGN_OR_RETURN(auto level, systemLevel(api, s, components));
  VIGIL_ASSIGN_OR_RETURN(std::string place, provincePlace(api));
  const std::string today = todayLocal(api);
  const int decidedLevel =
      dossier && dossier->approvedLevel ? *dossier->approvedLevel : s.approvedLevel.value_or(s.proposedLevel);
  if (!api.forms()) return Error::unavailable("the form templates are not loaded");
  std::vector<PrefilledForm> out;
  for (const auto* def : api.forms()->forms()) {
    if (def->table("systems") || !inRegime(s.regimeId, def->regime)) continue;
    PrefilledForm f{def, {}};
    const Writer writer = writerOf(def->id);
    put(*def, f.data, "issuer_name", writer == Writer::kAppraiser ? level.appraising.body : s.leadOperator);
    put(*def, f.data, "recipient",
        writer == Writer::kOperator    ? level.appraising.body
        : def->id.ends_with("-04")     ? s.owner
        : writer == Writer::kAppraiser ? level.approving.body
                                       : std::string());
    put(*def, f.data, "issue_place", place);
    put(*def, f.data, "issue_date", dateLine(today));
    put(*def, f.data, "system_name", s.name);
    put(*def, f.data, "operator_name", s.leadOperator);
    put(*def, f.data, "owner_name", s.owner);
    put(*def, f.data, "proposing_body", s.leadOperator);
    put(*def, f.data, "requesting_body", s.leadOperator);
    put(*def, f.data, "lead_unit", level.appraising.body);
    put(*def, f.data, "proposed_level", std::to_string(s.proposedLevel));
    put(*def, f.data, "level", std::to_string(decidedLevel));
    if (dossier) {
      if (dossier->sentOn) put(*def, f.data, "request_date", dateLine(*dossier->sentOn));
      if (dossier->appraisalResult == "suitable") put(*def, f.data, "conclusion", "phù hợp");
      if (dossier->appraisalResult == "not_suitable") put(*def, f.data, "conclusion", "chưa phù hợp");
      put(*def, f.data, "items_to_fix", dossier->itemsToFix);
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<PrefilledForm>> prefillAnnualReports(Api& api, const Actor& actor, std::optional<int64_t> orgId,
                                                        int year) {
  if (!api.forms()) return Error::unavailable("the form templates are not loaded");
  std::string ownerName;
  if (orgId) {
    VIGIL_ASSIGN_OR_RETURN(Org org, api.store().getOrg(actor, *orgId));
    ownerName = org.name;
  } else {
    VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
    ownerName = root.name;
  }
  VIGIL_ASSIGN_OR_RETURN(auto systems, allSystems(api, actor, orgId));
  std::map<int64_t, std::optional<Dossier>> dossiers;
  for (const auto& s : systems) {
    VIGIL_ASSIGN_OR_RETURN(auto d, latestDossier(api, actor, s.id));
    dossiers[s.id] = std::move(d);
  }
  // The assessments completed per system (kind -> latest day), for the assessment column.
  VIGIL_ASSIGN_OR_RETURN(auto inputs, api.store().scheduleInputs(actor, orgId));
  std::map<int64_t, std::map<std::string, std::string>> completed;
  for (auto& in : inputs) completed[in.systemId] = std::move(in.lastCompleted);
  VIGIL_ASSIGN_OR_RETURN(std::string place, provincePlace(api));
  const auto window = documents::annualReportWindow(year);
  auto iso = [](const documents::Date& d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return std::string(buf);
  };
  const std::string windowFrom = iso(window.from), windowTo = iso(window.to);
  auto dmy = [](const documents::Date& d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
    return std::string(buf);
  };

  std::vector<PrefilledForm> out;
  for (const auto* def : api.forms()->forms()) {
    const auto* systemsTable = def->table("systems");
    if (!systemsTable) continue;
    std::vector<const InfoSystem*> mine;
    for (const auto& s : systems)
      if (inRegime(s.regimeId, def->regime)) mine.push_back(&s);
    if (mine.empty()) continue;

    PrefilledForm f{def, {}};
    put(*def, f.data, "owner_name", ownerName);
    put(*def, f.data, "issue_place", place);
    put(*def, f.data, "issue_date", dateLine(todayLocal(api)));
    put(*def, f.data, "period_from", dmy(window.from));
    put(*def, f.data, "period_to", dmy(window.to));

    int64_t withDossier = 0, appraised = 0, approved = 0, assessed = 0;
    std::set<std::string> owners, operators;
    auto& rows = f.data.tables["systems"];
    for (const InfoSystem* s : mine) {
      const auto& d = dossiers[s->id];
      if (d) ++withDossier;
      if (d && (d->state == "appraised" || d->state == "approved")) ++appraised;
      if (s->approvedLevel) ++approved;
      owners.insert(s->owner);
      operators.insert(s->leadOperator);
      Row row;
      putCell(*systemsTable, row, "name", s->name);
      putCell(*systemsTable, row, "owner", s->owner);
      putCell(*systemsTable, row, "operator", s->leadOperator);
      putCell(*systemsTable, row, "level", std::to_string(s->approvedLevel.value_or(s->proposedLevel)));
      putCell(*systemsTable, row, "approval_status", approvalStatus(d));
      putCell(*systemsTable, row, "approval_decision", approvalDecision(d));
      if (s->securityRegulationIssuedOn)
        putCell(*systemsTable, row, "regulation_decision",
                "Quy chế ban hành ngày " + calendar::vietnameseDay(*s->securityRegulationIssuedOn));
      putCell(*systemsTable, row, "plan_implementation", planText(s->planStatus, def->regime));
      // Assessments: a pre-operation one ever, a periodic one within the report's data window.
      const auto& done = completed[s->id];
      const auto periodic = done.find("periodic");
      const bool periodicInWindow =
          periodic != done.end() && periodic->second >= windowFrom && periodic->second <= windowTo;
      const bool preOperation = done.count("pre_operation") > 0;
      if (periodicInWindow && s->approvedLevel) ++assessed;
      putCell(*systemsTable, row, "assessment",
              preOperation && periodicInWindow ? "Trước khi đưa vào sử dụng; Định kỳ"
              : preOperation                   ? "Trước khi đưa vào sử dụng"
              : periodicInWindow               ? "Định kỳ"
                                               : std::string());
      if (periodicInWindow)
        putCell(*systemsTable, row, "inspection", "Định kỳ, " + calendar::vietnameseDay(periodic->second));
      rows.push_back(std::move(row));
    }
    // Every registered system has its type answered (a required fact), so all are classified.
    put(*def, f.data, "total_systems", std::to_string(mine.size()));
    put(*def, f.data, "classified_systems", std::to_string(mine.size()));
    put(*def, f.data, "dossier_systems", std::to_string(withDossier));
    put(*def, f.data, "appraised_systems", std::to_string(appraised));
    put(*def, f.data, "approved_systems", std::to_string(approved));
    put(*def, f.data, "assessed_systems", std::to_string(assessed));
    for (const char* name : {"owners", "operators"}) {
      const auto* table = def->table(name);
      if (!table) continue;
      auto& list = f.data.tables[name];
      for (const auto& n : std::string_view(name) == "owners" ? owners : operators) {
        Row row;
        putCell(*table, row, "name", n);
        list.push_back(std::move(row));
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vigil::api
