#include "api/incident_report_prefill.h"

#include <boost/json.hpp>
#include <set>

#include "api/registry_io.h"
#include "calendar/working_calendar.h"
#include "documents/form_library.h"
#include "incident/process_catalog.h"

namespace vigil::api {
namespace {

using documents::FormData;
using documents::FormDefinition;

void put(const FormDefinition& def, FormData& data, const std::string& name, const std::string& value) {
  if (!value.empty() && def.field(name)) data.fields[name] = value;
}

std::string placeName(const std::string& provinceName) {
  for (std::string_view prefix : {"Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "})
    if (provinceName.starts_with(prefix)) return provinceName.substr(prefix.size());
  return provinceName;
}

std::string lookup(const std::vector<std::pair<std::string, std::string>>& list, const std::string& key) {
  for (const auto& [k, v] : list)
    if (k == key) return v;
  return key;
}

std::string partyLabel(const std::string& p) {
  if (p == "owner") return "Chủ quản hệ thống thông tin";
  if (p == "operator") return "Đơn vị vận hành";
  if (p == "response_team") return "Đội ứng cứu sự cố";
  if (p == "police") return "Công an tỉnh";
  if (p == "national_coordinator") return "Cơ quan điều phối quốc gia";
  return p;
}

std::string channelLabel(const std::string& c) {
  if (c == "phone") return "điện thoại";
  if (c == "email") return "thư điện tử";
  if (c == "letter") return "văn bản";
  if (c == "software") return "phần mềm";
  if (c == "in_person") return "trực tiếp";
  return "khác";
}

std::string observableLabel(const std::string& t) {
  if (t == "ip") return "địa chỉ IP";
  if (t == "domain") return "tên miền";
  if (t == "url") return "URL";
  if (t == "hash") return "mã băm";
  if (t == "email") return "thư điện tử";
  if (t == "file") return "tệp";
  return t;
}

std::string join(const std::vector<std::string>& lines, const char* sep = "\n") {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : sep) + l;
  return out;
}

// "Sự cố nghiêm trọng (Quyết định 05/2017/QĐ-TTg, Điều 9): <reason>; <reason>" for each test met,
// from the classification result the API stored (routes_incidents.cpp classifyFacts).
std::string classificationReasons(const IncidentClassification& c) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(c.resultJson, ec);
  if (ec || !v.is_object()) return {};
  const auto* tests = v.as_object().if_contains("tests");
  if (!tests || !tests->is_array()) return {};
  std::vector<std::string> out;
  for (const auto& t : tests->as_array()) {
    if (!t.is_object()) continue;
    const auto& o = t.as_object();
    const auto* met = o.if_contains("met");
    if (!met || !met->is_bool() || !met->as_bool()) continue;
    std::string line = o.contains("label") && o.at("label").is_string() ? std::string(o.at("label").as_string()) : "";
    if (const auto* src = o.if_contains("source"); src && src->is_object()) {
      if (const auto* cite = src->as_object().if_contains("cite"); cite && cite->is_string())
        line += " (" + std::string(cite->as_string()) + ")";
    }
    std::vector<std::string> reasons;
    if (const auto* conds = o.if_contains("conditions"); conds && conds->is_array())
      for (const auto& cond : conds->as_array())
        if (cond.is_object() && cond.as_object().contains("met") && cond.as_object().at("met").is_bool() &&
            cond.as_object().at("met").as_bool() && cond.as_object().contains("reason") &&
            cond.as_object().at("reason").is_string())
          reasons.emplace_back(cond.as_object().at("reason").as_string());
    if (!reasons.empty()) line += ": " + join(reasons, "; ");
    out.push_back(line);
  }
  return join(out);
}

// The newest Form 03 of the register (newest first), a sent one before one only rendered.
std::string initialReportRef(const std::vector<IncidentReport>& reg) {
  const IncidentReport* best = nullptr;
  for (const auto& r : reg)
    if (r.formId == "tt20-mau-03" && (!best || (r.sentAt != 0 && best->sentAt == 0))) best = &r;
  if (!best) return {};
  boost::system::error_code ec;
  const auto v = boost::json::parse(best->fieldsJson, ec);
  if (ec || !v.is_object() || !v.as_object().contains("fields") || !v.as_object().at("fields").is_object()) return {};
  const auto& f = v.as_object().at("fields").as_object();
  auto text = [&](const char* k) {
    return f.contains(k) && f.at(k).is_string() ? std::string(f.at(k).as_string()) : std::string();
  };
  std::string out = "Số " + text("document_number");
  if (!text("issue_date").empty()) out += ", " + text("issue_date");
  return out;
}

}  // namespace

std::string localDateTime(TimeMs t, int utcOffsetMinutes) {
  // formatRfc3339 gives "YYYY-MM-DDTHH:MM:SS..." in UTC; shifted by the offset it is local time.
  const std::string s = formatRfc3339(t + static_cast<TimeMs>(utcOffsetMinutes) * 60 * 1000);
  return s.substr(8, 2) + "/" + s.substr(5, 2) + "/" + s.substr(0, 4) + " " + s.substr(11, 5);
}

FormData prefillIncidentReport(const FormDefinition& def, const Incident& inc, const IncidentReportContext& ctx) {
  FormData data;
  auto set = [&](const std::string& name, const std::string& value) { put(def, data, name, value); };

  // Who reports: the agency the incident belongs to.
  for (const char* f : {"issuer_name", "reporter_name", "notifier_name"}) set(f, inc.orgName);
  set("issue_place", ctx.place);
  if (auto d = calendar::parseDate(ctx.todayIso))
    set("issue_date", documents::vietnameseDateLine(static_cast<int>(d->year()), static_cast<int>(unsigned(d->month())),
                                                    static_cast<int>(unsigned(d->day()))));

  // The affected system, as the registry holds it.
  set("system_name", inc.systemName);
  if (inc.systemLevel) set("system_level", std::to_string(*inc.systemLevel));
  set("owner_name", inc.systemOwner);
  set("governing_body", inc.systemOwner);
  set("operator_name", inc.systemOperator);
  set("system_address", join(ctx.systemAddresses, "; "));
  set("initial_report_ref", ctx.initialReportRef);

  // The incident.
  set("detected_at", localDateTime(inc.detectedAt, ctx.utcOffsetMinutes));
  set("incident_name", inc.title);
  std::string description = inc.description.empty() ? inc.title : inc.description;
  if (!inc.observables.empty()) {
    std::vector<std::string> obs;
    for (const auto& o : inc.observables) obs.push_back(observableLabel(o.type) + " " + o.value);
    description += "\nDấu hiệu liên quan: " + join(obs, "; ");
  }
  set("description", description);
  set("classification_reasons", classificationReasons(inc.classification));
  if (!inc.classification.severityLabel.empty())
    set("severity", inc.classification.severityLabel + " (thang mức độ nội bộ của vigil)");
  if (std::find(inc.classification.facts.begin(), inc.classification.facts.end(), "serious_disruption") !=
      inc.classification.facts.end())
    set("grounds", "Gây gián đoạn nghiêm trọng hoạt động của hệ thống thông tin");

  // Parties notified, steps taken, notes recorded.
  std::vector<std::string> parties;
  for (const auto& p : inc.parties)
    parties.push_back(partyLabel(p.party) + ": " + p.contact + " (" +
                      localDateTime(p.notifiedAt, ctx.utcOffsetMinutes) + ", " + channelLabel(p.channel) + ")");
  set("notified_parties", join(parties));
  std::vector<std::string> steps, notes;
  for (const auto& s : inc.steps) {
    steps.push_back(localDateTime(s.enteredAt, ctx.utcOffsetMinutes) + ": " + lookup(ctx.stepNames, s.step));
    for (const auto& o : s.outputs) {
      // Only notes (ctx.outputLabels): form outputs reference other reports, evidence ones files.
      const std::string key = s.step + "/" + o.id;
      const std::string label = lookup(ctx.outputLabels, key);
      if (label == key) continue;
      notes.push_back(localDateTime(o.at, ctx.utcOffsetMinutes) + " - " + label + ": " + o.text);
    }
  }
  set("result_events", join(steps));
  set("handling_result", join(steps));
  for (const char* f : {"measures_taken", "result_resolution", "measures_applied", "remediation"}) set(f, join(notes));
  return data;
}

Result<std::vector<IncidentReportForm>> incidentReportForms(Api& api, const Actor& actor, const Incident& inc) {
  if (!api.forms()) return Error::unavailable("the form templates are not loaded");
  if (!api.processes()) return Error::unavailable("the incident process data is not loaded");
  auto process = api.processes()->find(inc.processId, inc.processVersion);
  if (!process)
    return Error::internal("incident " + std::to_string(inc.id) + " runs under " + inc.processId + " v" +
                           std::to_string(inc.processVersion) + ", which is not loaded");

  IncidentReportContext ctx;
  VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
  ctx.place = placeName(root.name);
  ctx.todayIso = todayLocal(api);
  if (const auto* cal = api.workingCalendar()) ctx.utcOffsetMinutes = cal->utcOffsetMinutes();
  if (inc.systemId) {
    // The system is read with the caller's scope; one the caller cannot see adds nothing.
    if (auto s = api.store().getSystem(actor, *inc.systemId); s.ok()) {
      ctx.systemAddresses = s->webAddresses;
      ctx.systemAddresses.insert(ctx.systemAddresses.end(), s->publicIps.begin(), s->publicIps.end());
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto register_, api.store().listIncidentReports(actor, inc.id));
  ctx.initialReportRef = initialReportRef(register_);
  for (const auto& s : process->steps()) {
    ctx.stepNames.emplace_back(s.id, s.name);
    for (const auto& o : s.outputs)
      if (o.kind == incident::OutputKind::kNote) ctx.outputLabels.emplace_back(s.id + "/" + o.id, o.label);
  }

  std::vector<IncidentReportForm> out;
  std::set<std::string> seen;
  for (const auto& s : process->steps())
    for (const auto& o : s.outputs) {
      if (o.kind != incident::OutputKind::kForm) continue;
      const bool current = s.id == inc.currentStep;
      if (!seen.insert(o.form).second) {
        // A form named by several steps (the Decree 331 notice): it counts as current if any is.
        for (auto& f : out)
          if (f.definition->id == o.form && current && !f.currentStep) {
            f.currentStep = true;
            f.step = s.id;
            f.stepName = s.name;
            f.output = o.id;
            f.outputLabel = o.label;
          }
        continue;
      }
      const FormDefinition* def = api.forms()->find(o.form);
      if (!def) return Error::internal(process->key() + " names form '" + o.form + "', which is not in the library");
      out.push_back({def, s.id, s.name, o.id, o.label, current, prefillIncidentReport(*def, inc, ctx)});
    }
  return out;
}

}  // namespace vigil::api
