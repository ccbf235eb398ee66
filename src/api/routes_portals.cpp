// Web portals (issue 7): registrations (CRUD, CSV / XLSX import), the detail with the facts of
// the latest runs, runs, findings, evidence downloads and the report (XLSX and DOCX). Access is decided by
// the store (kReadRegistry / kManageRegistry on the portal's organisation; allow_private needs the
// right on the province root); URLs are checked here (portals/portal_url.h: no private, loopback
// or link-local host unless allow_private).
#include <algorithm>
#include <cctype>
#include <map>

#include "api/form_prefill.h"
#include "api/registry_io.h"
#include "core/text.h"
#include "documents/form_library.h"
#include "documents/xlsx.h"
#include "portals/portal_url.h"
#include "portals/run_recorder.h"
#include "store/blob_store.h"

namespace vigil::api {
namespace {

using webmon::CheckClass;

constexpr size_t kMaxImportRows = 2000;
using portals::kMaxEvidenceBytes;
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const std::vector<std::string> kImportColumns = {"org_id",    "system_id",       "name",   "url",
                                                 "key_pages", "allowed_domains", "marker", "enabled"};

json::value msOrNull(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::value(s));
  return a;
}

json::value portalJson(const Portal& p) {
  json::array windows;
  for (const auto& w : p.fields.maintenance)
    windows.push_back(json::object{{"from", formatRfc3339(w.from)}, {"to", formatRfc3339(w.to)}, {"note", w.note}});
  json::object facts;
  for (const auto& [k, v] : p.facts) facts[k] = v;
  return json::object{{"id", p.id},
                      {"org_id", p.fields.orgId},
                      {"org_name", p.orgName},
                      {"system_id", p.fields.systemId ? json::value(*p.fields.systemId) : json::value(nullptr)},
                      {"system_name", p.fields.systemId ? json::value(p.systemName) : json::value(nullptr)},
                      {"name", p.fields.name},
                      {"url", p.fields.url},
                      {"key_pages", strings(p.fields.keyPages)},
                      {"allowed_domains", strings(p.fields.allowedDomains)},
                      {"marker", p.fields.marker},
                      {"maintenance", windows},
                      {"allow_private", p.fields.allowPrivate},
                      {"enabled", p.fields.enabled},
                      {"interval_availability", p.fields.intervals.availabilitySeconds},
                      {"interval_content", p.fields.intervals.contentSeconds},
                      {"interval_tls", p.fields.intervals.tlsSeconds},
                      {"interval_headers", p.fields.intervals.headersSeconds},
                      {"interval_exposure", p.fields.intervals.exposureSeconds},
                      {"revision", p.revision},
                      {"created_by", p.createdBy},
                      {"created_at", msOrNull(p.createdAt)},
                      {"updated_at", msOrNull(p.updatedAt)},
                      {"last_run_at", msOrNull(p.lastRunAt)},
                      {"facts", facts},
                      {"open_findings", json::object{{"low", p.open.low},
                                                     {"medium", p.open.medium},
                                                     {"high", p.open.high},
                                                     {"critical", p.open.critical},
                                                     {"total", p.open.total()}}}};
}

json::value runJson(const PortalRunRecord& r) {
  return json::object{{"id", r.id},
                      {"check_class", webmon::checkClassName(r.checkClass)},
                      {"started_at", msOrNull(r.startedAt)},
                      {"finished_at", msOrNull(r.finishedAt)},
                      {"attempts", r.attempts},
                      {"in_maintenance", r.inMaintenance},
                      {"findings", r.findings},
                      {"problems", r.problems},
                      {"opened", r.opened},
                      {"resolved", r.resolved}};
}

json::value findingJson(const PortalFinding& f) {
  boost::system::error_code ec;
  json::value evidence = json::parse(f.evidenceJson, ec);
  if (ec) evidence = json::object{};
  return json::object{{"id", f.id},
                      {"portal_id", f.portalId},
                      {"portal_name", f.portalName},
                      {"check_class", webmon::checkClassName(f.checkClass)},
                      {"check", f.check},
                      {"finding_id", f.findingId},
                      {"url", f.url},
                      {"severity", webSeverityName(f.severity)},
                      {"summary", f.summary},
                      {"evidence", evidence},
                      {"first_seen", msOrNull(f.firstSeen)},
                      {"opened_at", msOrNull(f.openedAt)},
                      {"last_seen", msOrNull(f.lastSeen)},
                      {"status", findingStatusName(f.status)},
                      {"resolved_at", msOrNull(f.resolvedAt)},
                      {"reinfections", f.reinfections},
                      {"alert_key", f.alertKey.empty() ? json::value(nullptr) : json::value(f.alertKey)}};
}

json::value evidenceJson(const PortalEvidence& e) {
  return json::object{{"id", e.id},
                      {"portal_id", e.portalId},
                      {"run_id", e.runId > 0 ? json::value(e.runId) : json::value(nullptr)},
                      {"finding_id", e.findingId ? json::value(*e.findingId) : json::value(nullptr)},
                      {"name", e.name},
                      {"media_type", e.mediaType},
                      {"sha256", e.sha256},
                      {"size", e.size},
                      {"stored_size", e.storedSize},
                      {"created_at", msOrNull(e.createdAt)}};
}

// A domain of the allow-list: letters, digits, '-' and '.', lower-cased, at most 253 bytes.
Result<std::string> checkDomain(const std::string& field, std::string_view v) {
  std::string d = text::asciiLower(text::trim(v));
  if (d.empty() || d.size() > 253) return Error::validation(field, "must be a domain name such as laocai.gov.vn");
  for (unsigned char c : d)
    if (!(std::isalnum(c) || c == '-' || c == '.'))
      return Error::validation(field, "'" + d +
                                          "' is not a domain name (letters, digits, '-' and '.'; IDN as "
                                          "punycode xn--...)");
  return d;
}

// The host part of an http(s) URL, lower-cased ("" when there is none).
std::string hostOfUrl(const std::string& url) {
  const size_t start = url.find("://");
  if (start == std::string::npos) return {};
  std::string rest = url.substr(start + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  return text::asciiLower(rest);
}

// Checks what needs no store: URL and key pages (same site, no private host unless allowed),
// domains, lengths, intervals, maintenance windows.
Status checkFields(PortalFields& f) {
  VIGIL_ASSIGN_OR_RETURN(f.name, cleanText("name", f.name, 200, false));
  f.url = std::string(text::trim(f.url));
  VIGIL_TRY(portals::checkPortalUrl("url", f.url, f.allowPrivate));
  if (f.keyPages.size() > 50) return Error::validation("key_pages", "has more than 50 pages");
  for (size_t i = 0; i < f.keyPages.size(); ++i) {
    const std::string field = "key_pages[" + std::to_string(i) + "]";
    f.keyPages[i] = std::string(text::trim(f.keyPages[i]));
    VIGIL_TRY(portals::checkPortalUrl(field, f.keyPages[i], f.allowPrivate));
    if (hostOfUrl(f.keyPages[i]) != hostOfUrl(f.url))
      return Error::validation(field, "must be a page of the portal's own site (" + hostOfUrl(f.url) + ")");
  }
  if (f.allowedDomains.size() > 200) return Error::validation("allowed_domains", "has more than 200 domains");
  for (size_t i = 0; i < f.allowedDomains.size(); ++i) {
    VIGIL_ASSIGN_OR_RETURN(f.allowedDomains[i],
                           checkDomain("allowed_domains[" + std::to_string(i) + "]", f.allowedDomains[i]));
  }
  VIGIL_ASSIGN_OR_RETURN(f.marker, cleanText("marker", f.marker, 300, true));
  if (f.maintenance.size() > 50) return Error::validation("maintenance", "has more than 50 windows");
  for (size_t i = 0; i < f.maintenance.size(); ++i)
    if (f.maintenance[i].to <= f.maintenance[i].from)
      return Error::validation("maintenance[" + std::to_string(i) + "]", "ends before it starts");
  struct Bound {
    const char* name;
    int value, lo;
  };
  const int maxSeconds = 90 * 86400;
  for (const Bound& b :
       {Bound{"interval_availability", f.intervals.availabilitySeconds, 60},
        Bound{"interval_content", f.intervals.contentSeconds, 300}, Bound{"interval_tls", f.intervals.tlsSeconds, 3600},
        Bound{"interval_headers", f.intervals.headersSeconds, 3600},
        Bound{"interval_exposure", f.intervals.exposureSeconds, 86400}})
    if (b.value < b.lo || b.value > maxSeconds)
      return Error::validation(
          b.name, "must be between " + std::to_string(b.lo) + " and " + std::to_string(maxSeconds) + " seconds");
  return {};
}

Result<std::vector<std::string>> stringList(BodyReader& body, const char* name, size_t maxItems) {
  VIGIL_ASSIGN_OR_RETURN(auto arr, body.optionalArray(name, maxItems));
  std::vector<std::string> out;
  if (!arr) return out;
  for (size_t i = 0; i < (*arr)->size(); ++i) {
    const auto& v = (**arr)[i];
    if (!v.is_string()) return Error::validation(std::string(name) + "[" + std::to_string(i) + "]", "must be a text");
    out.emplace_back(v.as_string());
  }
  return out;
}

Result<TimeMs> timeField(const json::object& o, const char* name, const std::string& where) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_string()) return Error::validation(where + "." + name, "must be an RFC 3339 time");
  auto t = parseRfc3339(std::string(v->as_string()));
  if (!t) return Error::validation(where + "." + name, "'" + std::string(v->as_string()) + "' is not an RFC 3339 time");
  return *t;
}

// The JSON body of a portal (create and update); `revision` (update) is read by the caller.
Result<PortalFields> readPortalBody(BodyReader& body, bool withOrg) {
  PortalFields f;
  if (withOrg) {
    VIGIL_ASSIGN_OR_RETURN(f.orgId, body.requiredInt("org_id", 1, INT64_MAX));
  }
  VIGIL_ASSIGN_OR_RETURN(f.systemId, body.optionalInt("system_id", 1, INT64_MAX));
  VIGIL_ASSIGN_OR_RETURN(f.name, body.requiredString("name", 200));
  VIGIL_ASSIGN_OR_RETURN(f.url, body.requiredString("url", 2000));
  VIGIL_ASSIGN_OR_RETURN(f.keyPages, stringList(body, "key_pages", 50));
  VIGIL_ASSIGN_OR_RETURN(f.allowedDomains, stringList(body, "allowed_domains", 200));
  VIGIL_ASSIGN_OR_RETURN(auto marker, body.optionalString("marker", 300));
  f.marker = marker.value_or("");
  VIGIL_ASSIGN_OR_RETURN(auto windows, body.optionalArray("maintenance", 50));
  if (windows) {
    for (size_t i = 0; i < (*windows)->size(); ++i) {
      const std::string where = "maintenance[" + std::to_string(i) + "]";
      VIGIL_ASSIGN_OR_RETURN(auto o, BodyReader::asObject((**windows)[i], where));
      webmon::MaintenanceWindow w;
      VIGIL_ASSIGN_OR_RETURN(w.from, timeField(*o, "from", where));
      VIGIL_ASSIGN_OR_RETURN(w.to, timeField(*o, "to", where));
      if (const json::value* n = o->if_contains("note")) {
        if (!n->is_string()) return Error::validation(where + ".note", "must be a text");
        VIGIL_ASSIGN_OR_RETURN(w.note, cleanText(where + ".note", n->as_string(), 300, true));
      }
      for (const auto& [k, v] : *o)
        if (k != "from" && k != "to" && k != "note")
          return Error::validation(where + "." + std::string(k), "is not a known field");
      f.maintenance.push_back(std::move(w));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto allowPrivate, body.optionalBool("allow_private"));
  f.allowPrivate = allowPrivate.value_or(false);
  VIGIL_ASSIGN_OR_RETURN(auto enabled, body.optionalBool("enabled"));
  f.enabled = enabled.value_or(true);
  // Seconds between two runs of each check class; absent: the defaults of webmon::CheckIntervals.
  for (CheckClass cls : webmon::kAllCheckClasses) {
    const std::string name = "interval_" + std::string(webmon::checkClassName(cls));
    VIGIL_ASSIGN_OR_RETURN(auto v, body.optionalInt(name.c_str(), 1, 90LL * 86400));
    if (!v) continue;
    const int n = static_cast<int>(*v);
    switch (cls) {
      case CheckClass::kAvailability: f.intervals.availabilitySeconds = n; break;
      case CheckClass::kContent: f.intervals.contentSeconds = n; break;
      case CheckClass::kTls: f.intervals.tlsSeconds = n; break;
      case CheckClass::kHeaders: f.intervals.headersSeconds = n; break;
      case CheckClass::kExposure: f.intervals.exposureSeconds = n; break;
    }
  }
  return f;
}

Result<PortalQuery> readPortalQuery(const http::Request& req) {
  PortalQuery q;
  bool ok = true;
  for (auto& [k, v] : req.queryParams(&ok)) {
    if (k == "org_id") {
      VIGIL_ASSIGN_OR_RETURN(q.orgId, queryInt(k, v, 1, INT64_MAX));
    } else if (k == "q") {
      VIGIL_ASSIGN_OR_RETURN(q.text, cleanText("q", v, 100, true));
    } else if (k == "enabled") {
      if (v != "true" && v != "false") return Error::validation(k, "must be true or false");
      q.enabled = v == "true";
    } else if (k == "open") {
      if (v != "true" && v != "false") return Error::validation(k, "must be true or false");
      q.withOpenFindings = v == "true";
    } else if (k == "limit" || k == "offset") {
      VIGIL_TRY(queryPage(k, v, q.limit, q.offset));
    } else {
      return Error::validation(k, "is not a known query parameter");
    }
  }
  if (!ok) return Error::badRequest("malformed query string");
  return q;
}

// --- Import: CSV (in a JSON member "csv") or an XLSX file; the header names the columns.

// Items of a list cell, separated by ';', ',' or white space.
std::vector<std::string> splitList(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : v) {
    if (ch == ';' || ch == ',' || std::isspace(static_cast<unsigned char>(ch))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Checks every row (all problems listed, each with its row and column), then imports all or none.
Result<http::Response> importRows(Api& api, Ctx& c, std::vector<std::vector<std::string>> lines,
                                  const std::string& errorField) {
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::vector<RowError> errors;
  if (lines.empty()) {
    errors.push_back({1, "", "the file is empty; the header names the columns: " + [] {
                        std::string s;
                        for (const auto& c : kImportColumns) s += (s.empty() ? "" : ", ") + c;
                        return s;
                      }()});
    return rowErrorsResponse(errors, errorField);
  }
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < lines[0].size(); ++i) {
    const std::string h(text::trim(lines[0][i]));
    if (std::find(kImportColumns.begin(), kImportColumns.end(), h) == kImportColumns.end()) {
      errors.push_back({1, h, "unknown column"});
    } else {
      col[h] = i;
    }
  }
  for (const char* required : {"org_id", "name", "url"})
    if (!col.contains(required)) errors.push_back({1, required, "missing column"});
  if (lines.size() - 1 > kMaxImportRows)
    errors.push_back({1, "", "at most " + std::to_string(kMaxImportRows) + " rows per file"});
  if (!errors.empty()) return rowErrorsResponse(errors, errorField);

  std::vector<PortalFields> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cell = [&](const char* name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= lines[i].size()) return {};
      return std::string(text::trim(lines[i][it->second]));
    };
    PortalFields f;
    auto fail = [&](const Error& e, const char* fallback) {
      errors.push_back({i + 1, e.field.empty() ? fallback : e.field.substr(0, e.field.find('[')), e.message});
    };
    auto org = queryInt("org_id", cell("org_id"), 1, INT64_MAX);
    if (!org.ok()) {
      fail(org.error(), "org_id");
      continue;
    }
    f.orgId = *org;
    if (!cell("system_id").empty()) {
      auto sys = queryInt("system_id", cell("system_id"), 1, INT64_MAX);
      if (!sys.ok()) {
        fail(sys.error(), "system_id");
        continue;
      }
      f.systemId = *sys;
    }
    f.name = cell("name");
    f.url = cell("url");
    f.keyPages = splitList(cell("key_pages"));
    f.allowedDomains = splitList(cell("allowed_domains"));
    f.marker = cell("marker");
    const std::string enabled = text::asciiLower(cell("enabled"));
    if (!enabled.empty() && enabled != "true" && enabled != "false" && enabled != "1" && enabled != "0") {
      errors.push_back({i + 1, "enabled", "must be true or false"});
      continue;
    }
    f.enabled = !(enabled == "false" || enabled == "0");
    if (auto st = checkFields(f); !st.ok()) {
      fail(st.error(), "");
      continue;
    }
    rows.push_back(std::move(f));
  }
  if (!errors.empty()) return rowErrorsResponse(errors, errorField);
  auto ids = api.store().importPortals(c.actor(), rows);
  if (!ids.ok()) {
    // The store names the row ("row 3: ..."): a duplicate URL, an agency out of reach.
    return ids.takeError();
  }
  return jsonResponse(201, json::object{{"imported", ids->size()}, {"ids", [&] {
                                                                      json::array a;
                                                                      for (int64_t id : *ids) a.push_back(id);
                                                                      return a;
                                                                    }()}});
}

// --- The XLSX report: one sheet of portals, one of open findings.

std::string factOr(const Portal& p, const std::string& key, const std::string& fallback = "") {
  for (const auto& [k, v] : p.facts)
    if (k == key) return v;
  return fallback;
}

// What the report shows of a portal's TLS and headers, read from its open findings (the checks
// report them as findings: tls/grade "TLS grade B (score 78)", headers/score "HTTP Observatory
// score 85 (B)", tls/protocol_tls1_0 and tls/protocol_tls1_1 while offered); a fact `tls.grade` or
// `headers.grade` recorded by the monitor takes precedence.
struct PortalGrades {
  std::string tls;
  std::string headers;
  bool oldTls = false;
};

PortalGrades gradesOf(const Portal& p, const std::vector<PortalFinding>& open) {
  PortalGrades g;
  for (const auto& f : open) {
    if (f.check == "tls" && f.findingId == "grade" && f.summary.starts_with("TLS grade ")) {
      const std::string rest = f.summary.substr(10);
      g.tls = rest.substr(0, rest.find(' '));
    } else if (f.check == "headers" && f.findingId == "score") {
      const size_t open = f.summary.rfind('(');
      const size_t close = f.summary.rfind(')');
      if (open != std::string::npos && close != std::string::npos && close > open + 1)
        g.headers = f.summary.substr(open + 1, close - open - 1);
    } else if (f.check == "tls" && (f.findingId == "protocol_tls1_0" || f.findingId == "protocol_tls1_1")) {
      g.oldTls = true;
    }
  }
  g.tls = factOr(p, "tls.grade", g.tls);
  g.headers = factOr(p, "headers.grade", g.headers);
  return g;
}

// The portal's JSON with its grades read from its open findings ("tls_grade", "headers_grade":
// null when not measured yet; "offers_old_tls").
Result<json::value> portalWithGrades(Api& api, const Actor& actor, const Portal& p) {
  PortalFindingQuery fq;
  fq.portalId = p.id;
  fq.status = PortalFindingStatus::kOpen;
  fq.includeInfo = true;
  fq.limit = 500;
  VIGIL_ASSIGN_OR_RETURN(auto open, api.store().listPortalFindings(actor, fq));
  const PortalGrades g = gradesOf(p, open.items);
  json::value v = portalJson(p);
  auto& o = v.as_object();
  o["tls_grade"] = g.tls.empty() ? json::value(nullptr) : json::value(g.tls);
  o["headers_grade"] = g.headers.empty() ? json::value(nullptr) : json::value(g.headers);
  o["offers_old_tls"] = g.oldTls;
  return v;
}

// --- The report data, shared by the XLSX and the DOCX reports so that both show the same figures.

// One portal of the report: its row (open counts, findings fixed, time to fix) and its grades.
struct PortalReportLine {
  PortalReportRow row;
  PortalGrades grades;
};

struct PortalReportData {
  std::vector<PortalReportLine> portals;       // by organisation path, then name
  std::vector<PortalFinding> openFindings;     // every open finding above kInfo in scope, worst first
  std::map<int64_t, std::string> orgOfPortal;  // portal id -> its organisation's name
};

// The `org_id` query parameter of the report routes: absent (the caller's whole scope) or an id.
Result<std::optional<int64_t>> reportOrgParam(const http::Request& req) {
  VIGIL_TRY(onlyQueryParams(req, {"org_id"}));
  std::optional<int64_t> orgId;
  if (auto v = req.queryParam("org_id")) {
    VIGIL_ASSIGN_OR_RETURN(orgId, queryInt("org_id", *v, 1, INT64_MAX));
  }
  return orgId;
}

// Everything the reports show, read through the store with the caller's Actor (an organisation
// outside the caller's scope is kNotFound there).
Result<PortalReportData> gatherPortalReport(Api& api, const Actor& actor, std::optional<int64_t> orgId) {
  PortalReportData d;
  VIGIL_ASSIGN_OR_RETURN(auto rows, api.store().portalReport(actor, orgId));
  for (auto& r : rows) {
    PortalFindingQuery fq;
    fq.portalId = r.portal.id;
    fq.status = PortalFindingStatus::kOpen;
    fq.includeInfo = true;
    fq.limit = 500;
    VIGIL_ASSIGN_OR_RETURN(auto open, api.store().listPortalFindings(actor, fq));
    PortalGrades g = gradesOf(r.portal, open.items);
    d.orgOfPortal[r.portal.id] = r.portal.orgName;
    d.portals.push_back({std::move(r), std::move(g)});
  }
  PortalFindingQuery q;
  q.orgId = orgId;
  q.status = PortalFindingStatus::kOpen;
  q.limit = 5000;
  VIGIL_ASSIGN_OR_RETURN(auto open, api.store().listPortalFindings(actor, q));
  d.openFindings = std::move(open.items);
  return d;
}

// --- The DOCX report: the form webmon-bao-cao-cong-ttdt filled from PortalReportData.

constexpr const char* kPortalReportForm = "webmon-bao-cao-cong-ttdt";
constexpr TimeMs kVietnamOffsetMs = 7 * 3600 * 1000LL;  // Asia/Ho_Chi_Minh: UTC+7, no daylight saving

// "dd/mm/yyyy hh:mm" in Vietnam's time (the form's datetime kind).
std::string vietnamDateTime(TimeMs t) {
  const std::string iso = formatRfc3339(t + kVietnamOffsetMs);  // "yyyy-mm-ddThh:mm:ss..."
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4) + " " + iso.substr(11, 5);
}

// A duration as an officer reads it, rounded to the minute: "2 ngày 5 giờ", "3 giờ 20 phút", "12 phút".
std::string durationText(TimeMs ms) {
  const int64_t minutes = (std::max<TimeMs>(ms, 0) + 30000) / 60000;
  const int64_t days = minutes / 1440, hours = minutes % 1440 / 60, mins = minutes % 60;
  if (days > 0) return std::to_string(days) + " ngày" + (hours > 0 ? " " + std::to_string(hours) + " giờ" : "");
  if (hours > 0) return std::to_string(hours) + " giờ" + (mins > 0 ? " " + std::to_string(mins) + " phút" : "");
  return std::to_string(mins) + " phút";
}

// Monitor text (finding summaries, portal names) with control characters made spaces, so that the
// form's checks never refuse a report for a stray byte a web page put into a summary.
std::string plain(std::string s) {
  for (char& ch : s)
    if ((static_cast<unsigned char>(ch) < 0x20 && ch != '\n') || ch == 0x7f) ch = ' ';
  return s;
}

// "+ Hạng A: 2 cổng" per grade (then "+ Chưa đo: n cổng"), one per line; "Không có cổng nào" when empty.
std::string gradeLines(const std::map<std::string, int64_t>& byGrade, int64_t unmeasured) {
  std::string out;
  for (const auto& [grade, n] : byGrade)
    out += (out.empty() ? "" : "\n") + ("+ Hạng " + grade + ": " + std::to_string(n) + " cổng");
  if (unmeasured > 0) out += (out.empty() ? "" : "\n") + ("+ Chưa đo: " + std::to_string(unmeasured) + " cổng");
  return out.empty() ? "Không có cổng nào" : out;
}

// What the report says of a portal, worst first.
std::string portalStatus(const PortalReportLine& l) {
  const Portal& p = l.row.portal;
  if (!p.fields.enabled) return "Tạm dừng giám sát";
  if (p.open.critical + p.open.high > 0) return "Cần khắc phục ngay (có lỗi mức nghiêm trọng/cao)";
  if (p.open.total() > 0) return "Cần khắc phục";
  if (p.lastRunAt == 0) return "Chưa có kết quả đo";
  return "Đạt (không có lỗi đang mở)";
}

// The form's data: the header (the agency named by org_id, else the caller's only organisation,
// else the province), the totals, one row per portal and one per open high or critical finding.
Result<documents::FormData> portalReportForm(Api& api, const Actor& actor, std::optional<int64_t> orgId,
                                             const PortalReportData& d) {
  documents::FormData f;
  std::string issuer;
  if (!orgId && actor.grants.size() == 1) orgId = actor.grants.front().orgId;
  if (orgId) {
    VIGIL_ASSIGN_OR_RETURN(Org org, api.store().getOrg(actor, *orgId));
    issuer = org.name;
  } else {
    VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
    issuer = root.name;
  }
  VIGIL_ASSIGN_OR_RETURN(std::string place, provincePlace(api));
  const std::string today = todayLocal(api);  // yyyy-mm-dd
  f.fields["issuer_name"] = issuer;
  f.fields["issue_place"] = place;
  f.fields["issue_date"] = documents::vietnameseDateLine(std::stoi(today.substr(0, 4)), std::stoi(today.substr(5, 2)),
                                                         std::stoi(today.substr(8, 2)));
  f.fields["as_of"] = vietnamDateTime(api.clock().nowMs());

  std::map<std::string, int64_t> tlsGrades, headerGrades;
  int64_t tlsUnmeasured = 0, headersUnmeasured = 0, oldTls = 0, fixed = 0;
  TimeMs fixMs = 0;
  OpenFindingCounts open;
  auto& rows = f.tables["portals"];
  for (const auto& l : d.portals) {
    const Portal& p = l.row.portal;
    const PortalGrades& g = l.grades;
    if (g.tls.empty())
      ++tlsUnmeasured;
    else
      ++tlsGrades[g.tls];
    if (g.headers.empty())
      ++headersUnmeasured;
    else
      ++headerGrades[g.headers];
    oldTls += g.oldTls ? 1 : 0;
    open.low += p.open.low;
    open.medium += p.open.medium;
    open.high += p.open.high;
    open.critical += p.open.critical;
    fixed += l.row.resolvedCount;
    fixMs += l.row.resolvedFixMsTotal;
    documents::Row r;
    r["name"] = plain(p.fields.name);
    r["url"] = p.fields.url;
    r["agency"] = p.orgName;
    r["tls_grade"] = g.tls.empty() ? "chưa đo" : plain(g.tls);
    r["header_grade"] = g.headers.empty() ? "chưa đo" : plain(g.headers);
    r["old_tls"] = g.oldTls ? "còn" : g.tls.empty() ? "chưa đo" : "không";
    r["open"] = std::to_string(p.open.total());
    r["fixed"] = std::to_string(l.row.resolvedCount);
    if (l.row.resolvedCount > 0) r["mean_fix"] = durationText(l.row.resolvedFixMsTotal / l.row.resolvedCount);
    r["status"] = portalStatus(l);
    rows.push_back(std::move(r));
  }
  f.fields["portal_count"] = std::to_string(d.portals.size());
  f.fields["tls_grades"] = gradeLines(tlsGrades, tlsUnmeasured);
  f.fields["header_grades"] = gradeLines(headerGrades, headersUnmeasured);
  f.fields["old_tls_count"] = std::to_string(oldTls);
  f.fields["open_critical"] = std::to_string(open.critical);
  f.fields["open_high"] = std::to_string(open.high);
  f.fields["open_medium"] = std::to_string(open.medium);
  f.fields["open_low"] = std::to_string(open.low);
  f.fields["fixed_count"] = std::to_string(fixed);
  f.fields["mean_fix_time"] = fixed > 0 ? durationText(fixMs / fixed) : "chưa có lỗi nào được khắc phục";

  auto& serious = f.tables["serious_findings"];
  for (const auto& x : d.openFindings) {
    if (x.severity != webmon::Severity::kHigh && x.severity != webmon::Severity::kCritical) continue;
    auto org = d.orgOfPortal.find(x.portalId);
    documents::Row r;
    r["agency"] = org == d.orgOfPortal.end() ? "" : org->second;
    r["portal"] = plain(x.portalName);
    r["severity"] = x.severity == webmon::Severity::kCritical ? "nghiêm trọng" : "cao";
    r["check"] = x.check + "/" + x.findingId;
    r["summary"] = plain(x.summary);
    r["url"] = plain(x.url);
    r["opened_at"] = vietnamDateTime(x.openedAt);
    serious.push_back(std::move(r));
  }
  return f;
}

}  // namespace

void registerPortalRoutes(Api& api) {
  // Registered before /api/v1/portals/{id}: the router takes the first pattern that matches.
  // The report of the portals in scope (an agency's subtree with org_id): grades, open findings,
  // time to fix, TLS 1.0/1.1 still offered; a second sheet lists the open findings.
  api.add("GET", "/api/v1/portals/report.xlsx", "portal.report", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto orgId, reportOrgParam(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto data, gatherPortalReport(api, c.actor(), orgId));
            std::vector<documents::XlsxSheet> sheets(2);
            auto& s = sheets[0];
            s.name = "Cổng thông tin";
            s.title = "Báo cáo giám sát cổng thông tin điện tử";
            s.subtitles = {"Lập lúc " + formatRfc3339(api.clock().nowMs())};
            s.landscape = true;
            for (const char* h : {"Đơn vị", "Cổng", "URL", "Hạng TLS", "Điểm header", "Còn TLS 1.0/1.1", "Lỗi đang mở",
                                  "Nghiêm trọng/Cao", "Đã khắc phục", "Thời gian khắc phục TB (giờ)"})
              s.columns.push_back({.header = h, .width = 18});
            s.columns[8].total = documents::TotalKind::kSum;
            s.columns[6].total = documents::TotalKind::kSum;
            s.columns[7].total = documents::TotalKind::kSum;
            s.totalsLabel = "Tổng";
            int64_t oldTls = 0;
            for (const auto& [r, g] : data.portals) {
              const Portal& p = r.portal;
              oldTls += g.oldTls ? 1 : 0;
              std::vector<documents::Cell> cells = {p.orgName,
                                                    p.fields.name,
                                                    p.fields.url,
                                                    g.tls.empty() ? std::string("chưa đo") : g.tls,
                                                    g.headers.empty() ? std::string("chưa đo") : g.headers,
                                                    std::string(g.oldTls ? "còn" : "không"),
                                                    static_cast<double>(p.open.total()),
                                                    static_cast<double>(p.open.high + p.open.critical),
                                                    static_cast<double>(r.resolvedCount)};
              if (r.resolvedCount > 0) {
                cells.push_back(static_cast<double>(r.resolvedFixMsTotal) / r.resolvedCount / 3600000.0);
              } else {
                cells.push_back(std::monostate{});
              }
              s.rows.push_back(std::move(cells));
            }
            s.subtitles.push_back(std::to_string(data.portals.size()) + " cổng; " + std::to_string(oldTls) +
                                  " cổng còn cho phép TLS 1.0/1.1");
            auto& f = sheets[1];
            f.name = "Lỗi đang mở";
            for (const char* h : {"Đơn vị", "Cổng", "Kiểm tra", "Mức", "URL", "Mô tả", "Phát hiện lúc", "Tái nhiễm"})
              f.columns.push_back({.header = h, .width = 20});
            for (const auto& x : data.openFindings)
              f.rows.push_back({data.orgOfPortal[x.portalId], x.portalName, x.check + "/" + x.findingId,
                                std::string(webSeverityName(x.severity)), x.url, x.summary, formatRfc3339(x.openedAt),
                                static_cast<double>(x.reinfections)});
            VIGIL_ASSIGN_OR_RETURN(auto bytes, documents::writeXlsx(sheets));
            auto r = http::Response::text(200, std::move(bytes), kXlsxType);
            r.setHeader("Content-Disposition", "attachment; filename=\"vigil-portals-report.xlsx\"");
            return r;
          });

  // The same report as a document (form webmon-bao-cao-cong-ttdt), from the same data as the XLSX.
  api.add("GET", "/api/v1/portals/report.docx", "portal.report", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            if (!api.forms()) return Error::unavailable("the form templates are not loaded");
            VIGIL_ASSIGN_OR_RETURN(auto orgId, reportOrgParam(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto data, gatherPortalReport(api, c.actor(), orgId));
            VIGIL_ASSIGN_OR_RETURN(auto form, portalReportForm(api, c.actor(), orgId, data));
            VIGIL_ASSIGN_OR_RETURN(auto file, api.forms()->renderDocx(kPortalReportForm, form));
            auto r = http::Response::text(200, std::move(file.bytes), file.mediaType);
            r.setHeader("Content-Disposition", "attachment; filename=\"vigil-portals-report.docx\"");
            r.setHeader("X-Content-SHA256", file.sha256);
            return r;
          });

  api.add("GET", "/api/v1/portals", "portal.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto q, readPortalQuery(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listPortals(c.actor(), q));
    json::array items;
    for (const auto& p : page.items) {
      VIGIL_ASSIGN_OR_RETURN(auto v, portalWithGrades(api, c.actor(), p));
      items.push_back(std::move(v));
    }
    return jsonResponse(200, json::object{{"items", items}, {"total", page.total}});
  });

  api.add("POST", "/api/v1/portals", "portal.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto f, readPortalBody(body, true));
    VIGIL_TRY(body.finish());
    VIGIL_TRY(checkFields(f));
    VIGIL_ASSIGN_OR_RETURN(auto p, api.store().createPortal(c.actor(), f));
    return jsonResponse(201, portalJson(p));
  });

  api.add("GET", "/api/v1/portals/{id}", "portal.get", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto p, api.store().getPortal(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto runs, api.store().listPortalRuns(c.actor(), id, std::nullopt, 20));
    PortalFindingQuery fq;
    fq.portalId = id;
    fq.status = PortalFindingStatus::kOpen;
    VIGIL_ASSIGN_OR_RETURN(auto open, api.store().listPortalFindings(c.actor(), fq));
    VIGIL_ASSIGN_OR_RETURN(json::value v, portalWithGrades(api, c.actor(), p));
    json::array runItems, findingItems;
    for (const auto& r : runs) runItems.push_back(runJson(r));
    for (const auto& f : open.items) findingItems.push_back(findingJson(f));
    v.as_object()["recent_runs"] = runItems;
    v.as_object()["open_findings_list"] = findingItems;
    return jsonResponse(200, v);
  });

  api.add("PUT", "/api/v1/portals/{id}", "portal.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto f, readPortalBody(body, false));
    VIGIL_ASSIGN_OR_RETURN(int64_t revision, body.requiredInt("revision", 1, INT64_MAX));
    VIGIL_TRY(body.finish());
    VIGIL_TRY(checkFields(f));
    VIGIL_ASSIGN_OR_RETURN(auto p, api.store().updatePortal(c.actor(), id, f, revision));
    return jsonResponse(200, portalJson(p));
  });

  api.add("DELETE", "/api/v1/portals/{id}", "portal.delete", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().deletePortal(c.actor(), id));
    return http::Response::noContent();
  });

  api.add("POST", "/api/v1/portals/import", "portal.import", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto lines, readCsvImport(c.req));
    return importRows(api, c, std::move(lines), "csv");
  });
  api.setBodyLimit("POST", "/api/v1/portals/import", 5 << 20);

  api.add("POST", "/api/v1/portals/import.xlsx", "portal.import", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto rows, readXlsxImport(c.req, kMaxImportRows + 1, kImportColumns.size()));
            return importRows(api, c, std::move(rows), "file");
          });
  api.setBodyLimit("POST", "/api/v1/portals/import.xlsx", 8 << 20);

  api.add("GET", "/api/v1/portals/{id}/runs", "portal.runs", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"class", "limit"}));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    std::optional<CheckClass> cls;
    if (auto v = c.req.queryParam("class")) {
      cls = webmon::checkClassFromName(*v);
      if (!cls) return Error::validation("class", "must be one of availability, content, tls, headers, exposure");
    }
    int limit = 100;
    if (auto v = c.req.queryParam("limit")) {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt("limit", *v, 1, kRunsKept));
      limit = static_cast<int>(n);
    }
    VIGIL_ASSIGN_OR_RETURN(auto runs, api.store().listPortalRuns(c.actor(), id, cls, limit));
    json::array items;
    for (const auto& r : runs) items.push_back(runJson(r));
    return jsonResponse(200, json::object{{"items", items}});
  });

  api.add("GET", "/api/v1/portals/{id}/findings", "portal.findings", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {"status", "include_info", "limit", "offset"}));
            PortalFindingQuery q;
            VIGIL_ASSIGN_OR_RETURN(q.portalId, c.id());
            if (auto v = c.req.queryParam("status")) {
              if (*v == "open") {
                q.status = PortalFindingStatus::kOpen;
              } else if (*v == "resolved") {
                q.status = PortalFindingStatus::kResolved;
              } else {
                return Error::validation("status", "must be open or resolved");
              }
            }
            if (auto v = c.req.queryParam("include_info")) {
              if (*v != "true" && *v != "false") return Error::validation("include_info", "must be true or false");
              q.includeInfo = *v == "true";
            }
            if (auto v = c.req.queryParam("limit")) {
              VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt("limit", *v, 1, 500));
              q.limit = static_cast<int>(n);
            }
            if (auto v = c.req.queryParam("offset")) {
              VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt("offset", *v, 0, 100000000));
              q.offset = static_cast<int>(n);
            }
            VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listPortalFindings(c.actor(), q));
            json::array items;
            for (const auto& f : page.items) items.push_back(findingJson(f));
            return jsonResponse(200, json::object{{"items", items}, {"total", page.total}});
          });

  api.add("GET", "/api/v1/portals/{id}/evidence", "portal.evidence", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {"finding_id"}));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            std::optional<int64_t> finding;
            if (auto v = c.req.queryParam("finding_id")) {
              VIGIL_ASSIGN_OR_RETURN(finding, queryInt("finding_id", *v, 1, INT64_MAX));
            }
            VIGIL_ASSIGN_OR_RETURN(auto items, api.store().listPortalEvidence(c.actor(), id, finding));
            json::array out;
            for (const auto& e : items) out.push_back(evidenceJson(e));
            return jsonResponse(200, json::object{{"items", out}});
          });

  // The bytes of an evidence item: never rendered on our origin. Text is served as text/plain
  // (what the page said, shown as text), anything else as an attachment; always nosniff and a
  // sandbox CSP, so even a browser that ignored the type would run nothing.
  api.add("GET", "/api/v1/portal-evidence/{id}/content", "portal.evidence_content", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto e, api.store().getPortalEvidence(c.actor(), id));
            if (api.blobDir().empty()) return Error::unavailable("file storage is not configured");
            const BlobStore blobs(api.blobDir(), kMaxEvidenceBytes, BlobStore::TypePolicy::kAnyType);
            auto frame = blobs.get(e.blobSha256);
            if (!frame.ok())
              return Error::internal("the stored bytes of portal evidence " + std::to_string(id) +
                                     " are missing: " + frame.error().message);
            VIGIL_ASSIGN_OR_RETURN(auto bytes, portals::decompress(*frame, kMaxEvidenceBytes));
            const bool textual = e.mediaType.starts_with("text/") || e.mediaType == "application/json" ||
                                 e.mediaType == "application/xhtml+xml";
            http::Response r = textual && text::isValidUtf8(bytes)
                                   ? http::Response::text(200, std::move(bytes), "text/plain; charset=utf-8")
                                   : http::Response::text(200, std::move(bytes), "application/octet-stream");
            std::string ascii;
            for (unsigned char ch : e.name)
              ascii += (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') ? char(ch) : '_';
            r.setHeader("Content-Disposition", std::string(textual ? "inline" : "attachment") + "; filename=\"" +
                                                   ascii + (textual ? ".txt" : "") + "\"");
            r.setHeader("X-Content-Type-Options", "nosniff");
            r.setHeader("Content-Security-Policy", "sandbox; default-src 'none'");
            r.setHeader("X-Evidence-SHA256", e.sha256);
            return r;
          });
}

}  // namespace vigil::api
