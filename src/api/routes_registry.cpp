// The registry of information systems: systems (with their computed level and gates), assets and
// coverage, accounts, backups, contacts, and CSV / XLSX export/import of systems and assets. Access is
// decided by the store (kReadRegistry / kManageRegistry on the object's organisation).
#include <cctype>

#include "api/registry_io.h"
#include "core/text.h"
#include "documents/xlsx.h"

namespace vigil::api {
namespace {

constexpr TimeMs kDayMs = 24LL * 3600 * 1000;
// Restore tests older than this are flagged (TCVN 14423:2026 asks a 6-monthly test at level 4,
// regulation.md §2.8, unverified; "periodic" below).
constexpr int kRestoreTestDays = 183;
constexpr size_t kMaxImportRows = 5000;

Result<SystemQuery> readSystemQuery(const http::Request& req) {
  SystemQuery q;
  bool ok = true;
  for (auto& [k, v] : req.queryParams(&ok)) {
    if (k == "q") {
      VIGIL_ASSIGN_OR_RETURN(q.text, cleanText("q", v, 100, true));
    } else if (k == "org_id") {
      VIGIL_ASSIGN_OR_RETURN(q.orgId, queryInt(k, v, 1, INT64_MAX));
    } else if (k == "level") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt(k, v, 1, 5));
      q.level = static_cast<int>(n);
    } else if (k == "lifecycle") {
      if (!isOneOf(v, kLifecycles)) return Error::validation(k, "must be one of " + listOf(kLifecycles));
      q.lifecycle = v;
    } else if (k == "limit" || k == "offset") {
      VIGIL_TRY(queryPage(k, v, q.limit, q.offset));
    } else {
      return Error::validation(k, "is not a known query parameter");
    }
  }
  if (!ok) return Error::badRequest("malformed query string");
  return q;
}

Result<AssetQuery> readAssetQuery(const http::Request& req) {
  AssetQuery q;
  bool ok = true;
  for (auto& [k, v] : req.queryParams(&ok)) {
    if (k == "org_id") {
      VIGIL_ASSIGN_OR_RETURN(q.orgId, queryInt(k, v, 1, INT64_MAX));
    } else if (k == "system_id") {
      VIGIL_ASSIGN_OR_RETURN(q.systemId, queryInt(k, v, 1, INT64_MAX));
    } else if (k == "kind") {
      if (!isOneOf(v, kAssetKinds)) return Error::validation(k, "must be one of " + listOf(kAssetKinds));
      q.kind = v;
    } else if (k == "limit" || k == "offset") {
      VIGIL_TRY(queryPage(k, v, q.limit, q.offset));
    } else {
      return Error::validation(k, "is not a known query parameter");
    }
  }
  if (!ok) return Error::badRequest("malformed query string");
  return q;
}

// An optional org_id query parameter (and nothing else).
Result<std::optional<int64_t>> readOrgParam(const http::Request& req) {
  VIGIL_TRY(onlyQueryParams(req, {"org_id"}));
  auto v = req.queryParam("org_id");
  if (!v) return std::optional<int64_t>();
  VIGIL_ASSIGN_OR_RETURN(int64_t id, queryInt("org_id", *v, 1, INT64_MAX));
  return std::optional<int64_t>(id);
}

Result<std::optional<TimeMs>> readTime(BodyReader& body, const char* name) {
  VIGIL_ASSIGN_OR_RETURN(auto s, body.optionalString(name, 40, false));
  if (!s) return std::optional<TimeMs>();
  auto t = parseRfc3339(*s);
  if (!t) return Error::validation(name, "must be a time like 2026-11-24T08:00:00+07:00");
  return std::optional<TimeMs>(*t);
}

Result<std::vector<std::string>> readPhones(BodyReader& body) {
  VIGIL_ASSIGN_OR_RETURN(auto arr, body.requiredArray("phones", 5));
  std::vector<std::string> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string where = "phones[" + std::to_string(i) + "]";
    if (!(*arr)[i].is_string()) return Error::validation(where, "must be a string");
    VIGIL_ASSIGN_OR_RETURN(auto p, cleanText(where, (*arr)[i].as_string(), 30, false));
    for (char c : p)
      if (!std::isdigit(static_cast<unsigned char>(c)) && c != ' ' && c != '+' && c != '.' && c != '-' && c != '(' &&
          c != ')')
        return Error::validation(where, "'" + p + "' is not a phone number");
    out.push_back(std::move(p));
  }
  if (out.empty()) return Error::validation("phones", "give at least one phone number");
  return out;
}

Result<AccountFields> readAccountBody(const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(req));
  AccountFields f;
  VIGIL_ASSIGN_OR_RETURN(f.name, body.requiredString("name", 100));
  VIGIL_ASSIGN_OR_RETURN(auto owner, body.optionalString("owner", 200));
  VIGIL_ASSIGN_OR_RETURN(auto privilege, body.optionalString("privilege", 20, false));
  VIGIL_ASSIGN_OR_RETURN(f.lastUsedAt, readTime(body, "last_used_at"));
  VIGIL_ASSIGN_OR_RETURN(auto def, body.optionalBool("is_default"));
  VIGIL_TRY(body.finish());
  f.owner = owner.value_or("");
  f.privilege = privilege.value_or("user");
  if (!isOneOf(f.privilege, kPrivileges))
    return Error::validation("privilege", "must be one of " + listOf(kPrivileges));
  f.isDefault = def.value_or(false);
  return f;
}

Result<BackupFields> readBackupBody(const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(req));
  BackupFields f;
  VIGIL_ASSIGN_OR_RETURN(f.scope, body.requiredString("scope", 200));
  VIGIL_ASSIGN_OR_RETURN(f.frequency, body.requiredString("frequency", 20));
  VIGIL_ASSIGN_OR_RETURN(auto offline, body.optionalBool("offline_copy"));
  VIGIL_ASSIGN_OR_RETURN(auto offsite, body.optionalBool("offsite_copy"));
  VIGIL_ASSIGN_OR_RETURN(f.lastBackupAt, readTime(body, "last_backup_at"));
  VIGIL_ASSIGN_OR_RETURN(f.lastRestoreTestAt, readTime(body, "last_restore_test_at"));
  VIGIL_TRY(body.finish());
  if (!isOneOf(f.frequency, kBackupFrequencies))
    return Error::validation("frequency", "must be one of " + listOf(kBackupFrequencies));
  f.offlineCopy = offline.value_or(false);
  f.offsiteCopy = offsite.value_or(false);
  return f;
}

Result<ContactFields> readContactBody(const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(req));
  ContactFields f;
  VIGIL_ASSIGN_OR_RETURN(f.orgId, body.requiredInt("org_id", 1, INT64_MAX));
  VIGIL_ASSIGN_OR_RETURN(f.role, body.requiredString("role", 30));
  VIGIL_ASSIGN_OR_RETURN(f.name, body.requiredString("name", 200));
  VIGIL_ASSIGN_OR_RETURN(auto title, body.optionalString("title", 200));
  VIGIL_ASSIGN_OR_RETURN(f.phones, readPhones(body));
  VIGIL_ASSIGN_OR_RETURN(f.email, body.requiredString("email", 254));
  VIGIL_TRY(body.finish());
  if (!isOneOf(f.role, kContactRoles)) return Error::validation("role", "must be one of " + listOf(kContactRoles));
  f.title = title.value_or("");
  const auto at = f.email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= f.email.size() || f.email.find(' ') != std::string::npos ||
      f.email.find('@', at + 1) != std::string::npos)
    return Error::validation("email", "is not an e-mail address");
  return f;
}

json::value accountToJson(const Api& api, const SystemAccount& a) {
  const TimeMs now = api.clock().nowMs();
  const int days = api.registryConfig().accountUnusedDays;
  const bool unused = now - a.lastUsedAt.value_or(a.updatedAt) > days * kDayMs;
  json::array flags;
  if (unused) flags.emplace_back("unused");
  if (a.isDefault) flags.emplace_back("default");
  return json::object{{"id", a.id},
                      {"system_id", a.systemId},
                      {"org_id", a.orgId},
                      {"name", a.name},
                      {"owner", a.owner},
                      {"privilege", a.privilege},
                      {"last_used_at", timeOrNull(a.lastUsedAt)},
                      {"is_default", a.isDefault},
                      {"flags", std::move(flags)},
                      {"unused_days_limit", days},
                      {"updated_at", formatRfc3339(a.updatedAt)}};
}

json::value backupToJson(const Api& api, const BackupPolicy& b) {
  const TimeMs now = api.clock().nowMs();
  // One day of grace after the period: a daily job that ran yesterday morning is not late.
  const bool backupOverdue = !b.lastBackupAt || now - *b.lastBackupAt > (backupPeriodDays(b.frequency) + 1) * kDayMs;
  const bool restoreOverdue = !b.lastRestoreTestAt || now - *b.lastRestoreTestAt > kRestoreTestDays * kDayMs;
  json::array flags;
  if (backupOverdue) flags.emplace_back("backup_overdue");
  if (restoreOverdue) flags.emplace_back("restore_test_overdue");
  return json::object{{"id", b.id},
                      {"system_id", b.systemId},
                      {"org_id", b.orgId},
                      {"scope", b.scope},
                      {"frequency", b.frequency},
                      {"offline_copy", b.offlineCopy},
                      {"offsite_copy", b.offsiteCopy},
                      {"last_backup_at", timeOrNull(b.lastBackupAt)},
                      {"last_restore_test_at", timeOrNull(b.lastRestoreTestAt)},
                      {"flags", std::move(flags)},
                      {"updated_at", formatRfc3339(b.updatedAt)}};
}

json::value contactToJson(const Contact& c) {
  json::array phones;
  for (const auto& p : c.phones) phones.emplace_back(p);
  return json::object{{"id", c.id},
                      {"org_id", c.orgId},
                      {"org_name", c.orgName},
                      {"role", c.role},
                      {"name", c.name},
                      {"title", c.title},
                      {"phones", std::move(phones)},
                      {"email", c.email},
                      {"updated_at", formatRfc3339(c.updatedAt)}};
}

json::value percentOf(int64_t part, int64_t whole) {
  if (whole == 0) return nullptr;
  return static_cast<double>(part * 1000 / whole) / 10.0;  // one decimal, rounded down
}

// --- CSV ---------------------------------------------------------------------------------------

const std::vector<std::string> kSystemColumns = {"org_id",
                                                 "name",
                                                 "regime_id",
                                                 "owner",
                                                 "lead_operator",
                                                 "operators",
                                                 "parent_id",
                                                 "lifecycle",
                                                 "go_live_on",
                                                 "major_change_on",
                                                 "hosting",
                                                 "separation",
                                                 "requires_24x7",
                                                 "critical_list",
                                                 "web_addresses",
                                                 "public_ips",
                                                 "security_regulation_issued_on",
                                                 "plan_status",
                                                 "facts"};
const std::vector<std::string> kAssetColumns = {"system_id",
                                                "kind",
                                                "name",
                                                "ip",
                                                "os",
                                                "location",
                                                "main_device",
                                                "main_device_kind",
                                                "internet_connected",
                                                "anti_malware",
                                                "anti_malware_licensed",
                                                "last_update_on"};

std::string joinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ";") + s;
  return out;
}
std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string::npos) end = s.size();
    auto item = std::string(text::trim(std::string_view(s).substr(start, end - start)));
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

std::string csvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csvField(fields[i]);
  return out + "\r\n";
}

http::Response csvResponse(std::string body, const std::string& filename) {
  auto r = http::Response::text(200, "\xEF\xBB\xBF" + body, "text/csv; charset=utf-8");
  r.setHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

std::vector<std::string> systemCsvRow(const InfoSystem& s) {
  auto opt = [](const std::optional<std::string>& v) { return v.value_or(""); };
  return {std::to_string(s.orgId),
          s.name,
          s.regimeId,
          s.owner,
          s.leadOperator,
          joinList(s.operators),
          s.parentId ? std::to_string(*s.parentId) : "",
          s.lifecycle,
          opt(s.goLiveOn),
          opt(s.majorChangeOn),
          s.hosting,
          s.separation,
          s.requires24x7 ? "true" : "false",
          s.criticalList ? "true" : "false",
          joinList(s.webAddresses),
          joinList(s.publicIps),
          opt(s.securityRegulationIssuedOn),
          s.planStatus,
          s.factsJson};
}

std::vector<std::string> assetCsvRow(const Asset& a) {
  return {std::to_string(a.systemId),
          a.kind,
          a.name,
          a.ip,
          a.os,
          a.location,
          a.mainDevice ? "true" : "false",
          a.mainDeviceKind,
          a.internetConnected ? "true" : "false",
          a.antiMalware,
          a.antiMalwareLicensed ? "true" : "false",
          a.lastUpdateOn.value_or("")};
}

// The rows of an uploaded file (CSV or XLSX) whose header must be exactly `columns` (any order);
// each row as column -> text. Header problems are reported on row 1.
struct ImportTable {
  std::vector<std::map<std::string, std::string>> rows;  // rows[i] is the file's row i + 2
};

// Where the rows come from. A CSV line keeps every field, so it must have as many fields as the
// header; a spreadsheet row stops at its last non-empty cell, so a shorter row is padded with
// empty cells and only a value beyond the header's columns is an error.
enum class RowSource { kCsv, kSpreadsheet };

// The one pipeline of CSV and XLSX imports: rows of texts (row 0 is the header, row i is the
// file's row i + 1) checked against `columns`; problems go to `errors` with their row.
ImportTable tableFromRows(std::vector<std::vector<std::string>> lines, const std::vector<std::string>& columns,
                          RowSource source, std::vector<RowError>& errors) {
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  ImportTable t;
  if (lines.empty()) {
    errors.push_back({1, "", "the file is empty; start from the template"});
    return t;
  }
  std::vector<std::string> header;
  for (const auto& h : lines[0]) header.emplace_back(text::trim(h));
  for (const auto& h : header)
    if (std::find(columns.begin(), columns.end(), h) == columns.end())
      errors.push_back({1, h, "unknown column (the template's columns: " + joinList(columns) + ")"});
  for (const auto& c : columns)
    if (std::find(header.begin(), header.end(), c) == header.end()) errors.push_back({1, c, "missing column"});
  if (!errors.empty()) return t;
  if (lines.size() - 1 > kMaxImportRows)
    errors.push_back({1, "", "at most " + std::to_string(kMaxImportRows) + " rows per file"});
  for (size_t i = 1; i < lines.size() && errors.empty(); ++i) {
    auto& line = lines[i];
    if (line.empty()) {
      errors.push_back({i + 1, "", "empty row"});
      continue;
    }
    if (source == RowSource::kSpreadsheet && line.size() > header.size()) {
      errors.push_back({i + 1, "",
                        "has a value in column " + std::to_string(line.size()) + ", after the header's " +
                            std::to_string(header.size()) + " columns"});
      continue;
    }
    if (source == RowSource::kSpreadsheet) line.resize(header.size());
    if (line.size() != header.size()) {
      errors.push_back(
          {i + 1, "",
           "has " + std::to_string(line.size()) + " fields; the header has " + std::to_string(header.size())});
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < header.size(); ++c) row[header[c]] = std::string(text::trim(line[c]));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Result<ImportTable> readCsvBody(const http::Request& req, const std::vector<std::string>& columns,
                                std::vector<RowError>& errors) {
  VIGIL_ASSIGN_OR_RETURN(auto lines, readCsvImport(req));
  return tableFromRows(std::move(lines), columns, RowSource::kCsv, errors);
}

// The raw body is the .xlsx file (readXlsxImport).
Result<ImportTable> readXlsxBody(const http::Request& req, const std::vector<std::string>& columns,
                                 std::vector<RowError>& errors) {
  VIGIL_TRY(onlyQueryParams(req, {}));
  VIGIL_ASSIGN_OR_RETURN(auto rows, readXlsxImport(req, kMaxImportRows + 1, columns.size()));
  return tableFromRows(std::move(rows), columns, RowSource::kSpreadsheet, errors);
}

// The column an error's field belongs to ("web_addresses[1]" -> "web_addresses"; a fact name ->
// "facts").
std::string columnOf(const std::string& field, const std::vector<std::string>& columns) {
  const std::string base = field.substr(0, field.find('['));
  if (std::find(columns.begin(), columns.end(), base) != columns.end()) return base;
  return columns == kSystemColumns ? "facts" : base;
}

Result<bool> csvBool(const std::string& column, const std::string& v) {
  if (v.empty() || v == "false" || v == "0" || v == "no") return false;
  if (v == "true" || v == "1" || v == "yes") return true;
  return Error::validation(column, "must be true or false");
}

Result<int64_t> csvId(const std::string& column, const std::string& v) { return queryInt(column, v, 1, INT64_MAX); }

Result<SystemFields> systemFromCsv(const Api& api, std::map<std::string, std::string>& r) {
  SystemFields f;
  VIGIL_ASSIGN_OR_RETURN(f.orgId, csvId("org_id", r["org_id"]));
  for (const char* col : {"name", "owner", "lead_operator"})
    if (r[col].empty()) return Error::validation(col, "is required");
  VIGIL_ASSIGN_OR_RETURN(f.name, cleanText("name", r["name"], 300, false));
  f.regimeId = r["regime_id"];
  VIGIL_ASSIGN_OR_RETURN(f.owner, cleanText("owner", r["owner"], 300, false));
  VIGIL_ASSIGN_OR_RETURN(f.leadOperator, cleanText("lead_operator", r["lead_operator"], 300, false));
  f.operators = splitList(r["operators"]);
  if (!r["parent_id"].empty()) {
    VIGIL_ASSIGN_OR_RETURN(f.parentId, csvId("parent_id", r["parent_id"]));
  }
  if (!r["lifecycle"].empty()) f.lifecycle = r["lifecycle"];
  VIGIL_ASSIGN_OR_RETURN(f.goLiveOn, checkDate("go_live_on", r["go_live_on"]));
  VIGIL_ASSIGN_OR_RETURN(f.majorChangeOn, checkDate("major_change_on", r["major_change_on"]));
  if (!r["hosting"].empty()) f.hosting = r["hosting"];
  if (!r["separation"].empty()) f.separation = r["separation"];
  VIGIL_ASSIGN_OR_RETURN(f.requires24x7, csvBool("requires_24x7", r["requires_24x7"]));
  VIGIL_ASSIGN_OR_RETURN(f.criticalList, csvBool("critical_list", r["critical_list"]));
  f.webAddresses = splitList(r["web_addresses"]);
  f.publicIps = splitList(r["public_ips"]);
  VIGIL_ASSIGN_OR_RETURN(f.securityRegulationIssuedOn,
                         checkDate("security_regulation_issued_on", r["security_regulation_issued_on"]));
  if (!r["plan_status"].empty()) f.planStatus = r["plan_status"];
  boost::system::error_code ec;
  json::value facts = json::parse(r["facts"].empty() ? "{}" : r["facts"], ec);
  if (ec || !facts.is_object())
    return Error::validation("facts", "must be a JSON object of answers like {\"system_type\":\"internal\"}");
  f.factsJson = json::serialize(facts);
  VIGIL_TRY(checkSystemFields(api, f));
  return f;
}

Result<AssetFields> assetFromCsv(std::map<std::string, std::string>& r) {
  AssetFields f;
  VIGIL_ASSIGN_OR_RETURN(f.systemId, csvId("system_id", r["system_id"]));
  f.kind = r["kind"];
  VIGIL_ASSIGN_OR_RETURN(f.name, cleanText("name", r["name"], 200, true));
  f.ip = r["ip"];
  VIGIL_ASSIGN_OR_RETURN(f.os, cleanText("os", r["os"], 100, true));
  VIGIL_ASSIGN_OR_RETURN(f.location, cleanText("location", r["location"], 200, true));
  VIGIL_ASSIGN_OR_RETURN(f.mainDevice, csvBool("main_device", r["main_device"]));
  f.mainDeviceKind = r["main_device_kind"];
  VIGIL_ASSIGN_OR_RETURN(f.internetConnected, csvBool("internet_connected", r["internet_connected"]));
  VIGIL_ASSIGN_OR_RETURN(f.antiMalware, cleanText("anti_malware", r["anti_malware"], 100, true));
  VIGIL_ASSIGN_OR_RETURN(f.antiMalwareLicensed, csvBool("anti_malware_licensed", r["anti_malware_licensed"]));
  VIGIL_ASSIGN_OR_RETURN(f.lastUpdateOn, checkDate("last_update_on", r["last_update_on"]));
  VIGIL_TRY(checkAssetFields(f));
  return f;
}

// Reads every row with `parse`, collecting one error per bad row; the rows when all are good.
template <typename T, typename F>
std::vector<T> parseRows(ImportTable& t, const std::vector<std::string>& columns, std::vector<RowError>& errors,
                         F parse) {
  std::vector<T> out;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    auto r = parse(t.rows[i]);
    if (!r.ok()) {
      const Error& e = r.error();
      const std::string column = columnOf(e.field, columns);
      // "field: message" -> "message" when the column is the field; a fact keeps its name.
      const bool named = !e.field.empty() && column == e.field && e.message.rfind(e.field + ": ", 0) == 0;
      errors.push_back({i + 2, column, named ? e.message.substr(e.field.size() + 2) : e.message});
    } else {
      out.push_back(std::move(r).value());
    }
  }
  return out;
}

// The templates: the header and example rows, with the allowed values in a comment-free form
// (spreadsheet programs keep the file as is).
std::vector<std::vector<std::string>> systemTemplateRows() {
  return {kSystemColumns,
          {"12", "Cổng dịch vụ công tỉnh", "B_ND331_TCVN14423", "UBND tỉnh", "Sở Khoa học và Công nghệ",
           "Trung tâm Chuyển đổi số", "", "operating", "2025-06-01", "", "data_centre", "logical", "true", "false",
           "https://dichvucong.example.gov.vn", "203.0.113.10", "2025-03-15", "partly",
           R"({"system_type":"citizen_facing","information_types":["public","personal"],)"
           R"("handles_admin_procedures":true,"personal_data_subjects_basic":250000})"}};
}
std::vector<std::vector<std::string>> assetTemplateRows() {
  return {kAssetColumns,
          {"7", "workstation", "PC-KT-01", "10.10.1.21", "Windows 11 Pro", "Phòng Kế toán", "false", "", "true",
           "Bkav Endpoint", "true", "2026-11-20"},
          {"7", "network_device", "FW-TRUNGTAM", "10.10.0.1", "FortiOS 7.4", "Phòng máy chủ", "true",
           "central_firewall", "true", "", "false", ""}};
}
std::string csvOf(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& r : rows) out += csvLine(r);
  return out;
}

// --- XLSX: the same rows as the CSV files, one sheet whose row 1 is the header. Identifiers are
// numbers and dates real dates (shown dd/mm/yyyy), so that a spreadsheet sorts and filters them;
// the reader gives them back as the CSV texts ("12", "2025-06-01").
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

documents::Cell xlsxCell(const std::string& column, std::string v) {
  if (v.empty()) return std::monostate{};
  if (column == "org_id" || column == "parent_id" || column == "system_id") {
    auto n = queryInt(column, v, 1, int64_t{1} << 50);
    if (n.ok()) return static_cast<double>(*n);
  }
  if (column.size() > 3 && column.compare(column.size() - 3, 3, "_on") == 0) {
    if (auto d = calendar::parseDate(v))
      return documents::Date{static_cast<int>(d->year()), static_cast<int>(static_cast<unsigned>(d->month())),
                             static_cast<int>(static_cast<unsigned>(d->day()))};
  }
  return v;
}

// `rows[0]` is the header (the column names). The rows are consumed as they are converted, and
// the sheet is streamed: a province's 100,000 assets are held once, not three times.
Result<http::Response> xlsxResponse(const std::string& sheetName, std::vector<std::vector<std::string>> rows,
                                    const std::string& filename) {
  std::vector<documents::XlsxSheet> sheets(1);
  documents::XlsxSheet& sheet = sheets[0];
  sheet.name = sheetName;
  for (const auto& c : rows.at(0))
    sheet.columns.push_back({.header = c, .width = c == "facts" ? 60.0 : (c == "name" || c == "owner" ? 36.0 : 18.0)});
  sheet.rows.reserve(rows.size() - 1);
  for (size_t i = 1; i < rows.size(); ++i) {
    std::vector<documents::Cell> cells;
    cells.reserve(rows[i].size());
    for (size_t c = 0; c < rows[i].size(); ++c) cells.push_back(xlsxCell(rows[0][c], std::move(rows[i][c])));
    sheet.rows.push_back(std::move(cells));
    std::vector<std::string>().swap(rows[i]);
  }
  VIGIL_ASSIGN_OR_RETURN(auto bytes, documents::writeXlsx(sheets, /*streaming=*/true));
  auto r = http::Response::text(200, std::move(bytes), kXlsxType);
  r.setHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

// Every system (or asset) the caller may read, in the organisation of `org_id` if given, as rows
// of texts with the header first.
Result<std::vector<std::vector<std::string>>> systemRows(Api& api, Ctx& c) {
  VIGIL_ASSIGN_OR_RETURN(auto orgId, readOrgParam(c.req));
  std::vector<std::vector<std::string>> out = {kSystemColumns};
  SystemQuery q{.orgId = orgId, .limit = 500};
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listSystems(c.actor(), q));
    for (const auto& s : page.items) out.push_back(systemCsvRow(s));
    q.offset += static_cast<int>(page.items.size());
    if (page.items.empty() || q.offset >= page.total) break;
  }
  return out;
}
Result<std::vector<std::vector<std::string>>> assetRows(Api& api, Ctx& c) {
  VIGIL_ASSIGN_OR_RETURN(auto orgId, readOrgParam(c.req));
  std::vector<std::vector<std::string>> out = {kAssetColumns};
  AssetQuery q{.orgId = orgId, .limit = 500};
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listAssets(c.actor(), q));
    for (const auto& a : page.items) out.push_back(assetCsvRow(a));
    q.offset += static_cast<int>(page.items.size());
    if (page.items.empty() || q.offset >= page.total) break;
  }
  return out;
}

// Imports checked rows, all or nothing: the row errors (details.field = `field`), or {"created", "ids"}.
Result<http::Response> importSystems(Api& api, Ctx& c, ImportTable& table, std::vector<RowError>& errors,
                                     const std::string& field) {
  if (!errors.empty()) return rowErrorsResponse(errors, field);
  auto rows = parseRows<SystemFields>(table, kSystemColumns, errors, [&](auto& r) { return systemFromCsv(api, r); });
  if (!errors.empty()) return rowErrorsResponse(errors, field);
  VIGIL_ASSIGN_OR_RETURN(auto ids, api.store().importSystems(c.actor(), rows, CatalogLeveler(api)));
  json::array created;
  for (auto id : ids) created.emplace_back(id);
  return jsonResponse(200, json::object{{"created", static_cast<int64_t>(ids.size())}, {"ids", std::move(created)}});
}
Result<http::Response> importAssets(Api& api, Ctx& c, ImportTable& table, std::vector<RowError>& errors,
                                    const std::string& field) {
  if (!errors.empty()) return rowErrorsResponse(errors, field);
  auto rows = parseRows<AssetFields>(table, kAssetColumns, errors, [](auto& r) { return assetFromCsv(r); });
  if (!errors.empty()) return rowErrorsResponse(errors, field);
  VIGIL_ASSIGN_OR_RETURN(auto ids, api.store().importAssets(c.actor(), rows));
  json::array created;
  for (auto id : ids) created.emplace_back(id);
  return jsonResponse(200, json::object{{"created", static_cast<int64_t>(ids.size())}, {"ids", std::move(created)}});
}

// A record kept per system (accounts, backups) and its four routes: list and create under
// /systems/{id}/<plural>, update and delete at /<plural>/{id}. The checks are the same for every
// kind; only the body reader, the JSON and the store calls differ.
template <typename Fields, typename Record>
struct SystemRecordKind {
  const char* plural;    // "accounts": the path segment
  const char* singular;  // "account": the audit action's prefix
  Result<Fields> (*read)(const http::Request&);
  json::value (*toJson)(const Api&, const Record&);
  Result<std::vector<Record>> (RegistryStore::*list)(const Actor&, int64_t);
  Result<Record> (RegistryStore::*create)(const Actor&, int64_t, const Fields&);
  Result<Record> (RegistryStore::*update)(const Actor&, int64_t, const Fields&);
  Status (RegistryStore::*remove)(const Actor&, int64_t);
};

template <typename Fields, typename Record>
void addSystemRecordRoutes(Api& api, const SystemRecordKind<Fields, Record> k) {
  const std::string under = std::string("/api/v1/systems/{id}/") + k.plural;
  const std::string byId = std::string("/api/v1/") + k.plural + "/{id}";
  const std::string action = k.singular;
  api.add("GET", under.c_str(), (action + ".list").c_str(), Access::kUser, [&api, k](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto list, (api.store().*k.list)(c.actor(), id));
    json::array items;
    for (const auto& r : list) items.push_back(k.toJson(api, r));
    const auto total = static_cast<int64_t>(items.size());
    return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
  });
  api.add("POST", under.c_str(), (action + ".create").c_str(), Access::kUser,
          [&api, k](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().getSystem(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto f, k.read(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto r, (api.store().*k.create)(c.actor(), id, f));
            return jsonResponse(201, k.toJson(api, r));
          });
  api.add("PUT", byId.c_str(), (action + ".update").c_str(), Access::kUser,
          [&api, k](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto f, k.read(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto r, (api.store().*k.update)(c.actor(), id, f));
            return jsonResponse(200, k.toJson(api, r));
          });
  api.add("DELETE", byId.c_str(), (action + ".delete").c_str(), Access::kUser,
          [&api, k](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY((api.store().*k.remove)(c.actor(), id));
            return http::Response::noContent();
          });
}

}  // namespace

void registerRegistryRoutes(Api& api) {
  // --- Systems. Literal paths first: the router takes the first match.
  api.add("GET", "/api/v1/systems/export.csv", "system.export", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto rows, systemRows(api, c));
            return csvResponse(csvOf(rows), "vigil-systems.csv");
          });
  api.add("GET", "/api/v1/systems/export.xlsx", "system.export", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto rows, systemRows(api, c));
            return xlsxResponse("systems", std::move(rows), "vigil-systems.xlsx");
          });

  api.add("GET", "/api/v1/systems/import-template.csv", "system.template", Access::kUser,
          [](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            return csvResponse(csvOf(systemTemplateRows()), "vigil-systems-template.csv");
          });
  api.add("GET", "/api/v1/systems/import-template.xlsx", "system.template", Access::kUser,
          [](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            return xlsxResponse("systems", systemTemplateRows(), "vigil-systems-template.xlsx");
          });

  api.add("POST", "/api/v1/systems/import", "system.import", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    std::vector<RowError> errors;
    VIGIL_ASSIGN_OR_RETURN(auto table, readCsvBody(c.req, kSystemColumns, errors));
    return importSystems(api, c, table, errors, "csv");
  });
  api.add("POST", "/api/v1/systems/import.xlsx", "system.import", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            std::vector<RowError> errors;
            VIGIL_ASSIGN_OR_RETURN(auto table, readXlsxBody(c.req, kSystemColumns, errors));
            return importSystems(api, c, table, errors, "file");
          });

  api.add("GET", "/api/v1/systems", "system.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto q, readSystemQuery(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listSystems(c.actor(), q));
    json::array items;
    for (const auto& s : page.items) items.push_back(systemToJson(s));
    return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", page.total}});
  });

  api.add("POST", "/api/v1/systems", "system.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto f, readSystemBody(api, body));
    VIGIL_ASSIGN_OR_RETURN(auto s, api.store().createSystem(c.actor(), f, CatalogLeveler(api)));
    VIGIL_ASSIGN_OR_RETURN(auto detail, systemDetail(api, c.actor(), s));
    return jsonResponse(201, detail);
  });

  api.add("GET", "/api/v1/systems/{id}", "system.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto s, api.store().getSystem(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto detail, systemDetail(api, c.actor(), s));
    return jsonResponse(200, detail);
  });

  api.add("PUT", "/api/v1/systems/{id}", "system.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    // Scope first: a system out of scope is 404 whatever the body says.
    VIGIL_TRY(api.store().getSystem(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto f, readSystemBody(api, body));
    VIGIL_ASSIGN_OR_RETURN(auto s, api.store().updateSystem(c.actor(), id, f, CatalogLeveler(api)));
    VIGIL_ASSIGN_OR_RETURN(auto detail, systemDetail(api, c.actor(), s));
    return jsonResponse(200, detail);
  });

  api.add("DELETE", "/api/v1/systems/{id}", "system.delete", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().deleteSystem(c.actor(), id, CatalogLeveler(api)));
    return http::Response::noContent();
  });

  // --- Accounts and backups of a system
  addSystemRecordRoutes<AccountFields, SystemAccount>(
      api, {"accounts", "account", readAccountBody, accountToJson, &RegistryStore::listAccounts,
            &RegistryStore::createAccount, &RegistryStore::updateAccount, &RegistryStore::deleteAccount});
  addSystemRecordRoutes<BackupFields, BackupPolicy>(
      api, {"backups", "backup", readBackupBody, backupToJson, &RegistryStore::listBackups,
            &RegistryStore::createBackup, &RegistryStore::updateBackup, &RegistryStore::deleteBackup});

  // --- Assets
  api.add("GET", "/api/v1/assets/export.csv", "asset.export", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto rows, assetRows(api, c));
    return csvResponse(csvOf(rows), "vigil-assets.csv");
  });
  api.add("GET", "/api/v1/assets/export.xlsx", "asset.export", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto rows, assetRows(api, c));
    return xlsxResponse("assets", std::move(rows), "vigil-assets.xlsx");
  });

  api.add("GET", "/api/v1/assets/import-template.csv", "asset.template", Access::kUser,
          [](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            return csvResponse(csvOf(assetTemplateRows()), "vigil-assets-template.csv");
          });
  api.add("GET", "/api/v1/assets/import-template.xlsx", "asset.template", Access::kUser,
          [](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            return xlsxResponse("assets", assetTemplateRows(), "vigil-assets-template.xlsx");
          });

  api.add("POST", "/api/v1/assets/import", "asset.import", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    std::vector<RowError> errors;
    VIGIL_ASSIGN_OR_RETURN(auto table, readCsvBody(c.req, kAssetColumns, errors));
    return importAssets(api, c, table, errors, "csv");
  });
  api.add("POST", "/api/v1/assets/import.xlsx", "asset.import", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            std::vector<RowError> errors;
            VIGIL_ASSIGN_OR_RETURN(auto table, readXlsxBody(c.req, kAssetColumns, errors));
            return importAssets(api, c, table, errors, "file");
          });

  api.add("GET", "/api/v1/assets/coverage", "asset.coverage", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto orgId, readOrgParam(c.req));
    const int days = api.registryConfig().antiMalwareUpdateDays;
    std::string since = todayLocal(api);
    if (auto d = calendar::parseDate(since))
      since = calendar::formatDate(std::chrono::sys_days(*d) - std::chrono::days(days));
    VIGIL_ASSIGN_OR_RETURN(auto cov, api.store().assetCoverage(c.actor(), orgId, since));
    auto ratio = [](int64_t part, int64_t whole) {
      return json::object{{"covered", part}, {"total", whole}, {"percent", percentOf(part, whole)}};
    };
    auto counts = [&](const AssetCounts& n) {
      return json::object{{"workstations_protected", ratio(n.workstationsProtected, n.workstations)},
                          {"servers_protected", ratio(n.serversProtected, n.servers)},
                          {"network_devices", n.networkDevices},
                          {"main_devices", n.mainDevices},
                          {"internet_connected", n.internetConnected}};
    };
    json::object out = counts(cov);
    out["org_id"] = orgId ? json::value(*orgId) : json::value(nullptr);
    out["updated_since"] = since;
    json::array byOrg;
    for (const auto& o : cov.byOrg) {
      json::object row = counts(o.counts);
      row["org_id"] = o.orgId;
      row["org_name"] = o.orgName;
      byOrg.push_back(std::move(row));
    }
    out["by_org"] = std::move(byOrg);
    return jsonResponse(200, out);
  });

  api.add("GET", "/api/v1/assets", "asset.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto q, readAssetQuery(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listAssets(c.actor(), q));
    json::array items;
    for (const auto& a : page.items) items.push_back(assetToJson(a));
    return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", page.total}});
  });

  api.add("POST", "/api/v1/assets", "asset.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto f, readAssetBody(body));
    VIGIL_ASSIGN_OR_RETURN(auto a, api.store().createAsset(c.actor(), f));
    return jsonResponse(201, assetToJson(a));
  });

  api.add("GET", "/api/v1/assets/{id}", "asset.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto a, api.store().getAsset(c.actor(), id));
    return jsonResponse(200, assetToJson(a));
  });

  api.add("PUT", "/api/v1/assets/{id}", "asset.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().getAsset(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto f, readAssetBody(body));
    VIGIL_ASSIGN_OR_RETURN(auto a, api.store().updateAsset(c.actor(), id, f));
    return jsonResponse(200, assetToJson(a));
  });

  api.add("DELETE", "/api/v1/assets/{id}", "asset.delete", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().deleteAsset(c.actor(), id));
    return http::Response::noContent();
  });

  // --- Contacts
  api.add("GET", "/api/v1/contacts", "contact.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto orgId, readOrgParam(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listContacts(c.actor(), orgId));
    json::array items;
    for (const auto& ct : page.items) items.push_back(contactToJson(ct));
    return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", page.total}});
  });
  api.add("POST", "/api/v1/contacts", "contact.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto f, readContactBody(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto ct, api.store().createContact(c.actor(), f));
    return jsonResponse(201, contactToJson(ct));
  });
  api.add("PUT", "/api/v1/contacts/{id}", "contact.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto f, readContactBody(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto ct, api.store().updateContact(c.actor(), id, f));
    return jsonResponse(200, contactToJson(ct));
  });
  api.add("DELETE", "/api/v1/contacts/{id}", "contact.delete", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().deleteContact(c.actor(), id));
    return http::Response::noContent();
  });
}

}  // namespace vigil::api
