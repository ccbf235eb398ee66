#include "api/registry_io.h"

#include <arpa/inet.h>

#include <algorithm>

#include "core/text.h"
#include "documents/xlsx_reader.h"

namespace vigil::api {

namespace {

json::value optJson(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value optJson(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::array stringsJson(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// Reads one JSON answer of a fact, checked against its type (ranges and constraints are the
// calculator's job).
Status readFact(const compliance::FactDef& def, const json::value& v, compliance::Facts& facts) {
  switch (def.type) {
    case compliance::FactType::kBool:
      if (!v.is_bool()) return Error::validation(def.name, "must be true or false");
      facts.setBool(def.name, v.as_bool());
      return {};
    case compliance::FactType::kInt:
      if (!v.is_int64()) return Error::validation(def.name, "must be a whole number");
      facts.setInt(def.name, v.as_int64());
      return {};
    case compliance::FactType::kEnum:
      if (!v.is_string()) return Error::validation(def.name, "must be one of the listed values");
      facts.setText(def.name, std::string(v.as_string()));
      return {};
    case compliance::FactType::kSet: {
      if (!v.is_array()) return Error::validation(def.name, "must be a list of the listed values");
      compliance::StringSet set;
      for (const auto& item : v.as_array()) {
        if (!item.is_string()) return Error::validation(def.name, "must be a list of the listed values");
        set.insert(std::string(item.as_string()));
      }
      facts.setSet(def.name, std::move(set));
      return {};
    }
  }
  return Error::validation(def.name, "has an unknown type");
}

// A public IPv4 or IPv6 address: private, loopback, link-local, shared (CGNAT), multicast and
// unspecified ranges are refused.
bool isPublicIp(const std::string& s) {
  unsigned char b[16];
  if (inet_pton(AF_INET, s.c_str(), b) == 1) {
    if (b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224) return false;
    if (b[0] == 172 && (b[1] & 0xF0) == 16) return false;
    if (b[0] == 192 && b[1] == 168) return false;
    if (b[0] == 169 && b[1] == 254) return false;
    if (b[0] == 100 && (b[1] & 0xC0) == 64) return false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), b) == 1) {
    static const unsigned char zero[16] = {};
    if (std::equal(b, b + 15, zero) && (b[15] == 0 || b[15] == 1)) return false;  // :: and ::1
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return false;                      // fe80::/10
    if ((b[0] & 0xFE) == 0xFC) return false;                                      // fc00::/7
    if (b[0] == 0xFF) return false;                                               // multicast
    return true;
  }
  return false;
}

bool isIp(const std::string& s) {
  unsigned char b[16];
  return inet_pton(AF_INET, s.c_str(), b) == 1 || inet_pton(AF_INET6, s.c_str(), b) == 1;
}

// A web address: http(s)://host[:port][/path] or a bare host name, with a dotted host of letters,
// digits and hyphens (internationalised names in their xn-- form).
bool isWebAddress(const std::string& s) {
  std::string_view v = s;
  if (v.substr(0, 8) == "https://")
    v.remove_prefix(8);
  else if (v.substr(0, 7) == "http://")
    v.remove_prefix(7);
  const std::string_view host = v.substr(0, v.find_first_of(":/?#"));
  if (host.empty() || host.size() > 253 || host.find('.') == std::string_view::npos) return false;
  if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos) return false;
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  for (char c : v)
    if (static_cast<unsigned char>(c) <= ' ') return false;
  return true;
}

Result<std::vector<std::string>> readStrings(BodyReader& body, const char* name, size_t maxItems, size_t maxChars) {
  VIGIL_ASSIGN_OR_RETURN(auto arr, body.optionalArray(name, maxItems));
  std::vector<std::string> out;
  if (!arr) return out;
  for (size_t i = 0; i < (*arr)->size(); ++i) {
    const std::string where = std::string(name) + "[" + std::to_string(i) + "]";
    const json::value& v = (**arr)[i];
    if (!v.is_string()) return Error::validation(where, "must be a string");
    VIGIL_ASSIGN_OR_RETURN(auto s, cleanText(where, v.as_string(), maxChars, false));
    out.push_back(std::move(s));
  }
  return out;
}

template <size_t N>
Status checkEnum(const char* field, const std::string& v, const std::string_view (&list)[N]) {
  if (!isOneOf(v, list)) return Error::validation(field, "must be one of " + listOf(list));
  return {};
}

int separationRank(std::string_view s) { return s == "physical" ? 2 : s == "logical" ? 1 : 0; }

json::object gateJson(const compliance::RegimeCatalog& cat, const char* id, std::string message) {
  json::object g{{"id", id}, {"blocking", true}, {"message", std::move(message)}};
  if (const auto* src = cat.gate(id)) {
    g["cite"] = src->source.cite();
    g["note"] = src->note;
  } else {
    g["cite"] = "";
    g["note"] = "";
  }
  return g;
}

// Blocking warnings from the record, its level and its latest dossier (regulation.md §8.4).
json::array computeGates(const Api& api, const compliance::RegimeCatalog& cat, const InfoSystem& s,
                         const compliance::LevelResult& level, const std::optional<Dossier>& latest) {
  json::array gates;
  const std::string today = todayLocal(api);
  const bool approved = s.approvedLevel.has_value();
  const bool live = s.lifecycle == "operating" || (s.goLiveOn && *s.goLiveOn <= today && s.lifecycle != "retired");
  if (s.approvedOn && (!s.securityRegulationIssuedOn || *s.securityRegulationIssuedOn > *s.approvedOn)) {
    gates.push_back(gateJson(cat, "regulation_before_approval",
                             "Quy chế bảo đảm an toàn, an ninh mạng chưa được ban hành trước ngày phê duyệt hồ sơ (" +
                                 calendar::vietnameseDay(*s.approvedOn) + ")"));
  } else if (!approved && !s.securityRegulationIssuedOn && latest && latest->state != "approved") {
    gates.push_back(gateJson(cat, "regulation_before_approval",
                             "Chưa ban hành Quy chế bảo đảm an toàn, an ninh mạng; phải ban hành trước khi phê duyệt "
                             "hồ sơ đề xuất cấp độ"));
  }
  if (live && !approved && s.lifecycle != "retired")
    gates.push_back(gateJson(cat, "approved_before_go_live",
                             "Hệ thống đã hoặc sắp đưa vào vận hành nhưng hồ sơ đề xuất cấp độ chưa được phê duyệt"));
  if (live && s.planStatus != "fully" && s.lifecycle != "retired")
    gates.push_back(gateJson(cat, "plan_implemented_before_go_live",
                             "Phương án bảo đảm an toàn chưa được triển khai đầy đủ trước khi đưa vào vận hành"));
  const int lv = std::max(level.level, s.approvedLevel.value_or(0));
  if (s.lifecycle == "operating" && level.level >= 3 && !approved)
    gates.push_back(
        gateJson(cat, "operating_without_approval",
                 "Hệ thống cấp độ " + std::to_string(level.level) + " đang vận hành khi chưa được phê duyệt cấp độ"));
  if (s.hosting != "on_premises") {
    const bool critical = level.critical || s.criticalList;
    if (const auto* rule = cat.separationFor(lv, s.hosting, critical)) {
      if (separationRank(s.separation) < separationRank(rule->required)) {
        json::object g{
            {"id", "hosting_separation"},
            {"blocking", true},
            {"message", "Hệ thống cấp độ " + std::to_string(lv) + (critical ? " (quan trọng)" : "") + " đặt tại " +
                            (s.hosting == "cloud" ? "điện toán đám mây" : "trung tâm dữ liệu") +
                            " phải được tách biệt " + (rule->required == "physical" ? "vật lý" : "logic") +
                            " với các hệ thống khác; hiện khai báo: " + s.separation},
            {"cite", rule->source.cite()},
            {"note", ""},
            {"required", rule->required}};
        gates.push_back(std::move(g));
      }
    }
  }
  return gates;
}

json::value levelJson(const compliance::LevelResult& r) {
  json::array deadlines;
  for (const auto& d : r.deadlines)
    deadlines.push_back(json::object{{"step", d.step},
                                     {"amount", d.amount},
                                     {"unit", compliance::deadlineUnitName(d.unit)},
                                     {"cite", d.source.cite()}});
  json::array reasoning;
  for (const auto& o : r.reasoning)
    reasoning.push_back(json::object{{"id", o.id},
                                     {"level", o.level},
                                     {"flag", o.flag},
                                     {"cite", o.source.cite()},
                                     {"description", o.description},
                                     {"verified", o.verified},
                                     {"note", o.note},
                                     {"met", o.met},
                                     {"explanation", o.explanation}});
  auto body = [](const compliance::Body& b) { return json::object{{"body", b.body}, {"cite", b.source.cite()}}; };
  return json::object{{"regime", r.regimeId},
                      {"level", r.level},
                      {"criteria_level", r.criteriaLevel},
                      {"raised_by", r.raisedBy},
                      {"critical", r.critical},
                      {"component_rule", json::object{{"cite", r.componentRule.cite()}, {"note", r.componentRuleNote}}},
                      {"appraising", body(r.appraising)},
                      {"approving", body(r.approving)},
                      {"deadlines", std::move(deadlines)},
                      {"reasoning", std::move(reasoning)}};
}

}  // namespace

std::shared_ptr<const compliance::RegimeCatalog> findRegime(const Api& api, std::string_view id) {
  for (const auto& r : api.regimes())
    if (r->id() == id) return r;
  return nullptr;
}

Result<compliance::Facts> factsFromJson(const compliance::RegimeCatalog& catalog, const json::object& o) {
  compliance::Facts facts;
  for (const auto& [name, value] : o) {
    const compliance::FactDef* def = catalog.fact(name);
    if (!def) return Error::validation(std::string(name), "is not a question of regime " + catalog.id());
    if (value.is_null()) continue;
    VIGIL_TRY(readFact(*def, value, facts));
  }
  return facts;
}

Result<compliance::Facts> factsFromText(const compliance::RegimeCatalog& catalog, const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::validation("facts", "must be a JSON object of answers");
  return factsFromJson(catalog, v.as_object());
}

Result<int> CatalogLeveler::proposedLevel(const std::string& regimeId, const std::string& factsJson,
                                          int componentsLevel) const {
  auto catalog = findRegime(api_, regimeId);
  if (!catalog) return Error::validation("regime_id", "unknown regime '" + regimeId + "'");
  VIGIL_ASSIGN_OR_RETURN(auto facts, factsFromText(*catalog, factsJson));
  std::vector<compliance::ComponentLevel> comps;
  if (componentsLevel > 0) comps.push_back({"components", std::min(componentsLevel, catalog->maxLevel())});
  VIGIL_ASSIGN_OR_RETURN(auto r, compliance::LevelCalculator(catalog).calculate(facts, comps));
  return r.level;
}

Result<std::optional<std::string>> checkDate(const std::string& field, const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::optional<std::string>();
  auto d = calendar::parseDate(*text);
  if (!d) return Error::validation(field, "must be a date like 2026-11-24");
  return std::optional<std::string>(calendar::formatDate(*d));
}

Status checkSystemFields(const Api& api, const SystemFields& f) {
  if (f.name.empty()) return Error::validation("name", "is required");
  auto catalog = findRegime(api, f.regimeId);
  if (!catalog) {
    std::string known;
    for (const auto& r : api.regimes()) known += (known.empty() ? "" : ", ") + r->id();
    return Error::validation("regime_id", "unknown regime '" + f.regimeId + "' (" + known + ")");
  }
  if (f.owner.empty()) return Error::validation("owner", "is required (the one owning body)");
  if (f.leadOperator.empty()) return Error::validation("lead_operator", "is required");
  VIGIL_TRY(checkEnum("lifecycle", f.lifecycle, kLifecycles));
  VIGIL_TRY(checkEnum("hosting", f.hosting, kHostings));
  VIGIL_TRY(checkEnum("separation", f.separation, kSeparations));
  VIGIL_TRY(checkEnum("plan_status", f.planStatus, kPlanStatuses));
  if (f.hosting == "on_premises" && f.separation != "none")
    return Error::validation("separation", "applies only to a system hosted in a data centre or cloud; use none");
  if (f.hosting != "on_premises" && f.separation == "none")
    return Error::validation("separation",
                             "say how the system is separated in the data centre or cloud (logical or "
                             "physical)");
  VIGIL_TRY(checkDate("go_live_on", f.goLiveOn));
  VIGIL_TRY(checkDate("major_change_on", f.majorChangeOn));
  VIGIL_TRY(checkDate("security_regulation_issued_on", f.securityRegulationIssuedOn));
  if (f.majorChangeOn && !f.goLiveOn)
    return Error::validation("major_change_on", "a major change needs the go-live date first");
  if (f.majorChangeOn && f.goLiveOn && *f.majorChangeOn < *f.goLiveOn)
    return Error::validation("major_change_on", "is before the go-live date " + *f.goLiveOn);
  if ((f.lifecycle == "planning" || f.lifecycle == "build") && f.goLiveOn && *f.goLiveOn <= todayLocal(api))
    return Error::validation(
        "lifecycle", "a system in " + f.lifecycle + " cannot have gone live already (go_live_on " + *f.goLiveOn + ")");
  for (size_t i = 0; i < f.webAddresses.size(); ++i)
    if (!isWebAddress(f.webAddresses[i]))
      return Error::validation(
          "web_addresses[" + std::to_string(i) + "]",
          "'" + f.webAddresses[i] + "' is not a web address like https://dichvucong.example.gov.vn");
  for (size_t i = 0; i < f.publicIps.size(); ++i)
    if (!isPublicIp(f.publicIps[i]))
      return Error::validation("public_ips[" + std::to_string(i) + "]",
                               "'" + f.publicIps[i] + "' is not a public IPv4 or IPv6 address");
  VIGIL_ASSIGN_OR_RETURN(auto facts, factsFromText(*catalog, f.factsJson));
  return compliance::LevelCalculator(catalog).validate(facts);
}

Result<SystemFields> readSystemBody(const Api& api, BodyReader& body) {
  SystemFields f;
  VIGIL_ASSIGN_OR_RETURN(f.orgId, body.requiredInt("org_id", 1, INT64_MAX));
  VIGIL_ASSIGN_OR_RETURN(f.name, body.requiredString("name", 300));
  VIGIL_ASSIGN_OR_RETURN(f.regimeId, body.requiredString("regime_id", 40));
  VIGIL_ASSIGN_OR_RETURN(f.owner, body.requiredString("owner", 300));
  VIGIL_ASSIGN_OR_RETURN(f.leadOperator, body.requiredString("lead_operator", 300));
  VIGIL_ASSIGN_OR_RETURN(f.operators, readStrings(body, "operators", 50, 300));
  VIGIL_ASSIGN_OR_RETURN(f.parentId, body.optionalInt("parent_id", 1, INT64_MAX));
  VIGIL_ASSIGN_OR_RETURN(auto lifecycle, body.optionalString("lifecycle", 20, false));
  VIGIL_ASSIGN_OR_RETURN(auto goLive, body.optionalString("go_live_on", 10));
  VIGIL_ASSIGN_OR_RETURN(auto majorChange, body.optionalString("major_change_on", 10));
  VIGIL_ASSIGN_OR_RETURN(auto hosting, body.optionalString("hosting", 20, false));
  VIGIL_ASSIGN_OR_RETURN(auto separation, body.optionalString("separation", 20, false));
  VIGIL_ASSIGN_OR_RETURN(auto h24, body.optionalBool("requires_24x7"));
  VIGIL_ASSIGN_OR_RETURN(auto critical, body.optionalBool("critical_list"));
  VIGIL_ASSIGN_OR_RETURN(f.webAddresses, readStrings(body, "web_addresses", 50, 300));
  VIGIL_ASSIGN_OR_RETURN(f.publicIps, readStrings(body, "public_ips", 100, 45));
  VIGIL_ASSIGN_OR_RETURN(auto regulation, body.optionalString("security_regulation_issued_on", 10));
  VIGIL_ASSIGN_OR_RETURN(auto plan, body.optionalString("plan_status", 20, false));
  VIGIL_ASSIGN_OR_RETURN(const json::object* facts, body.requiredObject("facts"));
  VIGIL_TRY(body.finish());
  f.lifecycle = lifecycle.value_or("planning");
  VIGIL_ASSIGN_OR_RETURN(f.goLiveOn, checkDate("go_live_on", goLive));
  VIGIL_ASSIGN_OR_RETURN(f.majorChangeOn, checkDate("major_change_on", majorChange));
  VIGIL_ASSIGN_OR_RETURN(f.securityRegulationIssuedOn, checkDate("security_regulation_issued_on", regulation));
  f.hosting = hosting.value_or("on_premises");
  f.separation = separation.value_or("none");
  f.requires24x7 = h24.value_or(false);
  f.criticalList = critical.value_or(false);
  f.planStatus = plan.value_or("not_started");
  // Stored canonically: the answers that are not null, in the catalog's order of reading.
  json::object clean;
  for (const auto& [k, v] : *facts)
    if (!v.is_null()) clean[k] = v;
  f.factsJson = json::serialize(clean);
  VIGIL_TRY(checkSystemFields(api, f));
  return f;
}

Status checkAssetFields(const AssetFields& f) {
  VIGIL_TRY(checkEnum("kind", f.kind, kAssetKinds));
  if (f.name.empty()) return Error::validation("name", "is required");
  if (!f.ip.empty() && !isIp(f.ip)) return Error::validation("ip", "'" + f.ip + "' is not an IPv4 or IPv6 address");
  if (f.mainDevice && f.kind != "network_device")
    return Error::validation("main_device", "only a network device can be a main device");
  if (f.mainDevice && !isOneOf(f.mainDeviceKind, kMainDeviceKinds))
    return Error::validation("main_device_kind", "must be one of " + listOf(kMainDeviceKinds));
  if (!f.mainDevice && !f.mainDeviceKind.empty())
    return Error::validation("main_device_kind", "is only for a main device (main_device true)");
  if (f.antiMalware.empty() && f.antiMalwareLicensed)
    return Error::validation("anti_malware_licensed", "name the anti-malware product first");
  VIGIL_TRY(checkDate("last_update_on", f.lastUpdateOn));
  return {};
}

Result<AssetFields> readAssetBody(BodyReader& body) {
  AssetFields f;
  VIGIL_ASSIGN_OR_RETURN(f.systemId, body.requiredInt("system_id", 1, INT64_MAX));
  VIGIL_ASSIGN_OR_RETURN(f.kind, body.requiredString("kind", 20));
  VIGIL_ASSIGN_OR_RETURN(f.name, body.requiredString("name", 200));
  VIGIL_ASSIGN_OR_RETURN(auto ip, body.optionalString("ip", 45));
  VIGIL_ASSIGN_OR_RETURN(auto os, body.optionalString("os", 100));
  VIGIL_ASSIGN_OR_RETURN(auto location, body.optionalString("location", 200));
  VIGIL_ASSIGN_OR_RETURN(auto main, body.optionalBool("main_device"));
  VIGIL_ASSIGN_OR_RETURN(auto mainKind, body.optionalString("main_device_kind", 30));
  VIGIL_ASSIGN_OR_RETURN(auto internet, body.optionalBool("internet_connected"));
  VIGIL_ASSIGN_OR_RETURN(auto am, body.optionalString("anti_malware", 100));
  VIGIL_ASSIGN_OR_RETURN(auto licensed, body.optionalBool("anti_malware_licensed"));
  VIGIL_ASSIGN_OR_RETURN(auto updated, body.optionalString("last_update_on", 10));
  VIGIL_TRY(body.finish());
  f.ip = ip.value_or("");
  f.os = os.value_or("");
  f.location = location.value_or("");
  f.mainDevice = main.value_or(false);
  f.mainDeviceKind = mainKind.value_or("");
  f.internetConnected = internet.value_or(false);
  f.antiMalware = am.value_or("");
  f.antiMalwareLicensed = licensed.value_or(false);
  VIGIL_ASSIGN_OR_RETURN(f.lastUpdateOn, checkDate("last_update_on", updated));
  VIGIL_TRY(checkAssetFields(f));
  return f;
}

json::value systemToJson(const InfoSystem& s) {
  boost::system::error_code ec;
  json::value facts = json::parse(s.factsJson, ec);
  if (ec) facts = json::object{};
  return json::object{{"id", s.id},
                      {"org_id", s.orgId},
                      {"org_name", s.orgName},
                      {"name", s.name},
                      {"regime_id", s.regimeId},
                      {"owner", s.owner},
                      {"lead_operator", s.leadOperator},
                      {"operators", stringsJson(s.operators)},
                      {"parent_id", s.parentId ? json::value(*s.parentId) : json::value(nullptr)},
                      {"lifecycle", s.lifecycle},
                      {"go_live_on", optJson(s.goLiveOn)},
                      {"major_change_on", optJson(s.majorChangeOn)},
                      {"hosting", s.hosting},
                      {"separation", s.separation},
                      {"requires_24x7", s.requires24x7},
                      {"critical_list", s.criticalList},
                      {"web_addresses", stringsJson(s.webAddresses)},
                      {"public_ips", stringsJson(s.publicIps)},
                      {"security_regulation_issued_on", optJson(s.securityRegulationIssuedOn)},
                      {"plan_status", s.planStatus},
                      {"facts", std::move(facts)},
                      {"proposed_level", s.proposedLevel},
                      {"approved_level", optJson(s.approvedLevel)},
                      {"approved_on", optJson(s.approvedOn)},
                      {"created_at", formatRfc3339(s.createdAt)},
                      {"updated_at", formatRfc3339(s.updatedAt)}};
}

json::value assetToJson(const Asset& a) {
  return json::object{{"id", a.id},
                      {"system_id", a.systemId},
                      {"system_name", a.systemName},
                      {"org_id", a.orgId},
                      {"kind", a.kind},
                      {"name", a.name},
                      {"ip", a.ip},
                      {"os", a.os},
                      {"location", a.location},
                      {"main_device", a.mainDevice},
                      {"main_device_kind", a.mainDeviceKind},
                      {"internet_connected", a.internetConnected},
                      {"anti_malware", a.antiMalware},
                      {"anti_malware_licensed", a.antiMalwareLicensed},
                      {"last_update_on", optJson(a.lastUpdateOn)},
                      {"created_at", formatRfc3339(a.createdAt)},
                      {"updated_at", formatRfc3339(a.updatedAt)}};
}

std::string todayLocal(const Api& api) {
  if (const auto* cal = api.workingCalendar()) return calendar::formatDate(cal->localDate(api.clock().nowMs()));
  return formatRfc3339(api.clock().nowMs() + 7 * 3600 * 1000LL).substr(0, 10);
}

json::value attachmentToJson(const Attachment& a) {
  return json::object{{"id", a.id},
                      {"dossier_id", a.dossierId},
                      {"kind", a.kind},
                      {"filename", a.filename},
                      {"content_type", a.contentType},
                      {"size", a.size},
                      {"sha256", a.sha256},
                      {"uploaded_at", formatRfc3339(a.uploadedAt)},
                      {"uploaded_by", a.uploadedBy}};
}

json::value dossierToJson(const Api& api, const Dossier& d, const std::vector<Attachment>& attachments) {
  json::array deadlines;
  auto catalog = findRegime(api, d.regimeId);
  const calendar::WorkingCalendar* cal = api.workingCalendar();
  const std::string today = todayLocal(api);
  if (catalog) {
    bool hasAppraisal = false;
    for (const auto& r : catalog->deadlines())
      if (r.step == "appraisal" && std::count(r.levels.begin(), r.levels.end(), d.proposedLevel)) hasAppraisal = true;
    for (const auto& r : catalog->deadlines()) {
      if (!std::count(r.levels.begin(), r.levels.end(), d.proposedLevel)) continue;
      // When each limit starts, and the day it was met (if it was).
      std::optional<std::string> from, doneOn;
      if (r.step == "incomplete_dossier_reply" || r.step == "appraisal") {
        from = d.sentOn;
        doneOn = d.appraisedOn && d.sentOn && *d.appraisedOn >= *d.sentOn ? d.appraisedOn : std::nullopt;
      } else if (r.step == "approval") {
        from = hasAppraisal ? (d.appraisalResult == "suitable" ? d.appraisedOn : std::nullopt) : d.sentOn;
        doneOn = d.approvedOn;
      }
      json::object o{{"step", r.step},          {"amount", r.amount},    {"unit", compliance::deadlineUnitName(r.unit)},
                     {"cite", r.source.cite()}, {"from", optJson(from)}, {"done_on", optJson(doneOn)},
                     {"due_date", nullptr},     {"provisional", false},  {"overdue", false},
                     {"due_note", ""}};
      if (from && cal) {
        if (auto start = calendar::parseDate(*from)) {
          const calendar::Deadline due = r.unit == compliance::DeadlineUnit::kWorkingDays
                                             ? cal->afterWorkingDays(*start, r.amount)
                                             : cal->afterCalendarDays(*start, r.amount);
          const std::string dueDate = calendar::formatDate(due.dueDate);
          o["due_date"] = dueDate;
          o["due_at"] = formatRfc3339(due.dueAt);
          o["provisional"] = due.provisional;
          o["due_note"] = due.note;
          o["overdue"] = doneOn ? *doneOn > dueDate : today > dueDate;
        }
      }
      deadlines.push_back(std::move(o));
    }
  }
  json::array events;
  for (const auto& e : d.events)
    events.push_back(json::object{{"from", e.from},
                                  {"to", e.to},
                                  {"on", e.on},
                                  {"at", formatRfc3339(e.at)},
                                  {"actor", e.actor},
                                  {"note", e.note}});
  json::array files;
  for (const auto& a : attachments) files.push_back(attachmentToJson(a));
  // The documents the regime asks at this level, and which are not attached yet.
  json::array required, missing;
  if (catalog) {
    for (const auto& doc : catalog->documents()) {
      if (!std::count(doc.levels.begin(), doc.levels.end(), d.proposedLevel)) continue;
      const bool present =
          std::any_of(attachments.begin(), attachments.end(), [&](const Attachment& a) { return a.kind == doc.kind; });
      required.push_back(
          json::object{{"kind", doc.kind}, {"cite", doc.source.cite()}, {"note", doc.note}, {"present", present}});
      if (!present) missing.emplace_back(doc.kind);
    }
  }
  return json::object{{"id", d.id},
                      {"system_id", d.systemId},
                      {"system_name", d.systemName},
                      {"org_id", d.orgId},
                      {"regime_id", d.regimeId},
                      {"proposed_level", d.proposedLevel},
                      {"state", d.state},
                      {"sent_on", optJson(d.sentOn)},
                      {"appraised_on", optJson(d.appraisedOn)},
                      {"appraisal_result", d.appraisalResult},
                      {"items_to_fix", d.itemsToFix},
                      {"approved_on", optJson(d.approvedOn)},
                      {"decision_number", d.decisionNumber},
                      {"decision_body", d.decisionBody},
                      {"approved_level", optJson(d.approvedLevel)},
                      {"deadlines", std::move(deadlines)},
                      {"events", std::move(events)},
                      {"attachments", std::move(files)},
                      {"required_documents", std::move(required)},
                      {"missing_documents", std::move(missing)},
                      {"created_at", formatRfc3339(d.createdAt)},
                      {"updated_at", formatRfc3339(d.updatedAt)}};
}

Result<compliance::LevelResult> systemLevel(const Api& api, const InfoSystem& s,
                                            const std::vector<InfoSystem>& components) {
  auto catalog = findRegime(api, s.regimeId);
  if (!catalog) return Error::internal("system " + std::to_string(s.id) + " names an unloaded regime " + s.regimeId);
  VIGIL_ASSIGN_OR_RETURN(auto facts, factsFromText(*catalog, s.factsJson));
  std::vector<compliance::ComponentLevel> levels;
  for (const auto& c : components) levels.push_back({c.name, c.proposedLevel});
  return compliance::LevelCalculator(catalog).calculate(facts, levels);
}

Result<json::value> systemDetail(Api& api, const Actor& actor, const InfoSystem& s) {
  json::object out = systemToJson(s).as_object();
  VIGIL_ASSIGN_OR_RETURN(auto components, api.store().systemComponents(actor, s.id));
  VIGIL_ASSIGN_OR_RETURN(auto dossiers, api.store().listDossiers(actor, s.id));
  json::array comps;
  for (const auto& c : components)
    comps.push_back(json::object{{"id", c.id}, {"name", c.name}, {"proposed_level", c.proposedLevel}});
  out["components"] = std::move(comps);
  std::optional<Dossier> latest;
  if (!dossiers.empty()) latest = dossiers.front();
  if (latest) {
    VIGIL_ASSIGN_OR_RETURN(auto files, api.store().listAttachments(actor, latest->id));
    out["dossier"] = dossierToJson(api, *latest, files);
  } else {
    out["dossier"] = nullptr;
  }
  VIGIL_ASSIGN_OR_RETURN(auto level, systemLevel(api, s, components));
  out["gates"] = computeGates(api, *findRegime(api, s.regimeId), s, level, latest);
  out["level"] = levelJson(level);
  return json::value(std::move(out));
}

// --- CSV ---------------------------------------------------------------------------------------

std::string csvField(const std::string& s) {
  // A leading = + - @ would be a formula in a spreadsheet: quote it with a leading apostrophe.
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Result<std::vector<std::vector<std::string>>> parseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  size_t line = 1, quoteLine = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      quoteLine = line;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      } else {
        rows.emplace_back();  // a blank line keeps its number
      }
      row.clear();
      field.clear();
      any = false;
      ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) return Error::validation("csv", "line " + std::to_string(quoteLine) + ": a quote is never closed");
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<std::vector<std::string>>> readCsvImport(const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(req));
  // Read as is (requiredSecret neither trims nor checks control characters): line breaks and
  // tabs are the file's content; each field is checked after parsing.
  VIGIL_ASSIGN_OR_RETURN(auto csv, body.requiredSecret("csv"));
  VIGIL_TRY(body.finish());
  if (csv.size() > (4u << 20)) return Error::of(ErrorCode::kPayloadTooLarge, "the CSV file is larger than 4 MiB");
  return parseCsv(csv);
}

Result<std::vector<std::vector<std::string>>> readXlsxImport(const http::Request& req, size_t maxRows, size_t columns) {
  const documents::XlsxReadLimits limits{.maxFileBytes = 8u << 20, .maxRows = maxRows, .maxColumns = columns + 20};
  VIGIL_ASSIGN_OR_RETURN(auto sheet, documents::readXlsx(req.body, limits));
  return std::move(sheet.rows);
}

http::Response rowErrorsResponse(const std::vector<RowError>& errors, const std::string& field) {
  json::array rows;
  for (const auto& e : errors)
    rows.push_back(json::object{{"row", e.row}, {"column", e.column}, {"message", e.message}});
  json::object err{{"code", "validation_failed"},
                   {"message", std::to_string(errors.size()) + " problem(s) in the file; nothing was imported"},
                   {"details", json::object{{"field", field}, {"rows", std::move(rows)}}}};
  return jsonResponse(400, json::object{{"error", std::move(err)}});
}

}  // namespace vigil::api
