// Tenant isolation: agency A ("Sở Nội vụ") must not see or touch anything of agency B ("Sở Công
// Thương") or of the province root, through any route.
//
// The world (built once per suite): province root (id 1); A and B under it, each with a unit; an
// archived unit of B; in A a unit_officer, an administrator (with MFA) and an API token with the
// administrator role on A; in B an administrator with MFA whose account is locked (every change
// an attack could make to it is visible), a plain officer, and an API token created by the root
// administrator; one user of A who also holds a role on B.
//
// The suite is table-driven:
//   kObjectRoutes   routes with an object id in the path  -> 404 not_found, identical to a missing
//                   id, and the object unchanged afterwards (checked by the root administrator);
//   kCreateRoutes   routes naming an organisation in the body -> 404 for B and the root, nothing
//                   created;
//   kListRoutes     lists -> nothing of B in the answer (names, ids, totals), or 403 for a role that
//                   may not list at all;
//   kRootOnlyRoutes province-wide writes -> 403 for everyone in A;
//   kNoObjectScope  routes that touch no object of another tenant (the caller's own account,
//                   public documents);
//   kIngestRoutes   log ingest, authenticated by a log source's ingest token only -> 401 for every
//                   user credential, nothing stored.
// RoutesAreCoveredByTheIsolationTables fails when the server registers a route that is in none of
// these tables: a new route must be classified (and thereby tested) here.
#include <regex>

#include "api_test_util.h"
#include "documents/xlsx.h"
#include "documents/xlsx_reader.h"
#include "documents/zip.h"
#include "portals/run_recorder.h"

namespace vigil::test {
namespace {

enum class Caller { kOfficerA, kAdminA, kTokenA };
const Caller kCallers[] = {Caller::kOfficerA, Caller::kAdminA, Caller::kTokenA};

std::string callerName(Caller c) {
  switch (c) {
    case Caller::kOfficerA: return "officerA";
    case Caller::kAdminA: return "adminA";
    case Caller::kTokenA: return "tokenA";
  }
  return "?";
}

// The object of B (or the root) a route is aimed at.
enum class Target {
  kOrgB,
  kUnitB,
  kArchivedUnitB,
  kUserB,
  kTokenB,
  kRoot,
  // The registry of B (issue 3): a system with one of each record, an open dossier with a file.
  kSystemB,
  kAssetB,
  kAccountB,
  kBackupB,
  kContactB,
  kDossierB,
  kAttachmentB,
  // Assessments (issue 3): a completed assessment of B's system with an evidence file and a finding.
  kAssessmentB,
  kEvidenceB,
  kFindingB,
  // Log collection (issue 5): a declared source of B; a saved search of the root administrator.
  kSourceB,
  kSavedSearchRoot,
  // The alert queue (issue 4): an alert of B entered by the root administrator, a suppression of B.
  kAlertB,
  kSuppressionB,
  // Incidents (issue 4): an incident of B with a task, opened by the root administrator.
  kIncidentB,
  // Notifications (issue 4): a webhook channel of B and its subscription.
  kChannelB,
  kSubscriptionB,
};

// The detection rule of B (issue 6), written by the root administrator.
constexpr const char* kRuleOfB = "c0c0c0c0-congthuong";
constexpr const char* kRuleOfBYaml =
    "title: Luat CONGTHUONG\nid: c0c0c0c0-congthuong\nlevel: high\nlogsource:\n  product: test\n"
    "detection:\n  sel:\n    host.name: ct-db01\n  condition: sel\n";

// --- The tables ---------------------------------------------------------------------------------

// A valid system body of agency A.
constexpr const char* kSystemBodyOfA =
    R"({"org_id":{A},"name":"Hệ thống đổi tên","regime_id":"B_ND331_TCVN14423","owner":"UBND tỉnh",)"
    R"("lead_operator":"Sở Nội vụ","facts":{"system_type":"internal","information_types":["public"]}})";

// Routes with an object id in the path. In bodies, {A} stands for the id of agency A.
struct ObjectRoute {
  const char* method;
  const char* pattern;
  Target target;
  const char* body;
};
const ObjectRoute kObjectRoutes[] = {
    {"GET", "/api/v1/orgs/{id}", Target::kOrgB, ""},
    {"GET", "/api/v1/orgs/{id}", Target::kRoot, ""},
    {"PATCH", "/api/v1/orgs/{id}", Target::kOrgB, R"({"name":"Đã bị đổi tên","code":"X"})"},
    {"PATCH", "/api/v1/orgs/{id}", Target::kRoot, R"({"name":"Tỉnh bị đổi tên"})"},
    {"POST", "/api/v1/orgs/{id}/move", Target::kUnitB, R"({"parent_id":{A}})"},
    {"POST", "/api/v1/orgs/{id}/archive", Target::kUnitB, ""},
    {"POST", "/api/v1/orgs/{id}/unarchive", Target::kArchivedUnitB, ""},
    {"GET", "/api/v1/users/{id}", Target::kUserB, ""},
    {"PATCH", "/api/v1/users/{id}", Target::kUserB, R"({"display_name":"Đã bị đổi","disabled":true})"},
    {"PUT", "/api/v1/users/{id}/roles", Target::kUserB, R"({"roles":[{"org_id":{A},"role":"unit_officer"}]})"},
    {"POST", "/api/v1/users/{id}/password", Target::kUserB, R"({"new_password":"Mat-khau-bi-doi-123456"})"},
    {"POST", "/api/v1/users/{id}/unlock", Target::kUserB, ""},
    {"DELETE", "/api/v1/users/{id}/mfa", Target::kUserB, ""},
    {"DELETE", "/api/v1/tokens/{id}", Target::kTokenB, ""},
    {"GET", "/api/v1/systems/{id}", Target::kSystemB, ""},
    {"PUT", "/api/v1/systems/{id}", Target::kSystemB, kSystemBodyOfA},
    {"DELETE", "/api/v1/systems/{id}", Target::kSystemB, ""},
    {"GET", "/api/v1/systems/{id}/accounts", Target::kSystemB, ""},
    {"GET", "/api/v1/systems/{id}/forms", Target::kSystemB, ""},
    {"POST", "/api/v1/systems/{id}/accounts", Target::kSystemB, R"({"name":"lan.san","privilege":"administrator"})"},
    {"PUT", "/api/v1/accounts/{id}", Target::kAccountB, R"({"name":"doi.ten","privilege":"user"})"},
    {"DELETE", "/api/v1/accounts/{id}", Target::kAccountB, ""},
    {"GET", "/api/v1/systems/{id}/backups", Target::kSystemB, ""},
    {"POST", "/api/v1/systems/{id}/backups", Target::kSystemB, R"({"scope":"Lấn sân","frequency":"daily"})"},
    {"PUT", "/api/v1/backups/{id}", Target::kBackupB, R"({"scope":"Đổi","frequency":"weekly"})"},
    {"DELETE", "/api/v1/backups/{id}", Target::kBackupB, ""},
    {"GET", "/api/v1/assets/{id}", Target::kAssetB, ""},
    {"PUT", "/api/v1/assets/{id}", Target::kAssetB, R"({"system_id":1,"kind":"server","name":"Đổi"})"},
    {"DELETE", "/api/v1/assets/{id}", Target::kAssetB, ""},
    {"PUT", "/api/v1/contacts/{id}", Target::kContactB,
     R"({"org_id":{A},"role":"incident_contact","name":"Đổi","phones":["0912345678"],"email":"a@example.vn"})"},
    {"DELETE", "/api/v1/contacts/{id}", Target::kContactB, ""},
    {"GET", "/api/v1/systems/{id}/dossiers", Target::kSystemB, ""},
    {"POST", "/api/v1/systems/{id}/dossiers", Target::kSystemB, ""},
    {"GET", "/api/v1/dossiers/{id}", Target::kDossierB, ""},
    {"POST", "/api/v1/dossiers/{id}/transition", Target::kDossierB, R"({"to":"sent_for_appraisal","on":"2026-11-02"})"},
    {"POST", "/api/v1/dossiers/{id}/attachments", Target::kDossierB, "%PDF-1.4 lấn sân"},
    {"GET", "/api/v1/attachments/{id}", Target::kAttachmentB, ""},
    {"GET", "/api/v1/systems/{id}/checklist", Target::kSystemB, ""},
    {"GET", "/api/v1/systems/{id}/assessor-eligibility", Target::kSystemB, ""},
    {"GET", "/api/v1/systems/{id}/assessments", Target::kSystemB, ""},
    {"POST", "/api/v1/systems/{id}/assessments", Target::kSystemB,
     R"({"kind":"periodic","assessor_type":"independent","assessor_name":"Kẻ lấn sân"})"},
    {"GET", "/api/v1/assessments/{id}", Target::kAssessmentB, ""},
    {"PUT", "/api/v1/assessments/{id}/results", Target::kAssessmentB, R"({"item":"x","status":"met"})"},
    {"POST", "/api/v1/assessments/{id}/evidence", Target::kAssessmentB, "%PDF-1.4 lấn sân"},
    {"POST", "/api/v1/assessments/{id}/complete", Target::kAssessmentB, R"({"completed_on":"2026-11-02"})"},
    {"GET", "/api/v1/evidence/{id}", Target::kEvidenceB, ""},
    {"GET", "/api/v1/findings/{id}", Target::kFindingB, ""},
    {"PUT", "/api/v1/findings/{id}", Target::kFindingB, R"({"owner":"Kẻ lấn sân","due_on":"2026-12-31"})"},
    {"POST", "/api/v1/findings/{id}/retests", Target::kFindingB, R"({"on":"2026-11-02","status":"met"})"},
    {"PATCH", "/api/v1/sources/{id}", Target::kSourceB, R"({"name":"Nguồn bị đổi","enabled":false})"},
    {"POST", "/api/v1/sources/{id}/token", Target::kSourceB, ""},
    {"DELETE", "/api/v1/sources/{id}", Target::kSourceB, ""},
    {"DELETE", "/api/v1/saved-searches/{id}", Target::kSavedSearchRoot, ""},
    {"GET", "/api/v1/alerts/{id}", Target::kAlertB, ""},
    {"PATCH", "/api/v1/alerts/{id}", Target::kAlertB, R"({"state":"closed"})"},
    {"POST", "/api/v1/alerts/{id}/comments", Target::kAlertB, R"({"body":"Bình luận lấn sân"})"},
    {"DELETE", "/api/v1/alert-suppressions/{id}", Target::kSuppressionB, ""},
    {"GET", "/api/v1/incidents/{id}", Target::kIncidentB, ""},
    {"PATCH", "/api/v1/incidents/{id}", Target::kIncidentB, R"({"revision":1,"facts":[]})"},
    {"POST", "/api/v1/incidents/{id}/transition", Target::kIncidentB, R"({"revision":1,"to":"first_response"})"},
    {"POST", "/api/v1/incidents/{id}/outputs", Target::kIncidentB,
     R"({"revision":1,"outputs":[{"id":"incident_record","text":"Ghi lấn sân"}]})"},
    {"POST", "/api/v1/incidents/{id}/events", Target::kIncidentB, R"({"revision":1,"event":"capacity_exceeded"})"},
    {"POST", "/api/v1/incidents/{id}/notes", Target::kIncidentB, R"({"body":"Ghi chú lấn sân"})"},
    {"POST", "/api/v1/incidents/{id}/alerts", Target::kIncidentB, R"({"alert_ids":[1]})"},
    {"POST", "/api/v1/incidents/{id}/tasks", Target::kIncidentB, R"({"title":"Nhiệm vụ lấn sân"})"},
    // {task} stays literal here (no id of B's task can be named without the incident);
    // incidents_api_test.cpp checks another agency's task by its real id.
    {"PATCH", "/api/v1/incidents/{id}/tasks/{task}", Target::kIncidentB, R"({"done":true})"},
    {"DELETE", "/api/v1/incidents/{id}/tasks/{task}", Target::kIncidentB, ""},
    {"POST", "/api/v1/incidents/{id}/parties", Target::kIncidentB,
     R"({"party":"police","contact":"Liên hệ lấn sân","channel":"phone"})"},
    {"POST", "/api/v1/incidents/{id}/observables", Target::kIncidentB,
     R"({"observables":[{"type":"ip","value":"198.51.100.99"}]})"},
    // Evidence and response plans (issue 4, routes_evidence.cpp). {item} and {plan} stay literal
    // here; TenantIsolation.EvidenceAndPlansOfAnotherTenantAreNotFound aims at B's real item.
    {"POST", "/api/v1/incidents/{id}/evidence", Target::kIncidentB, "tệp lấn sân"},
    {"GET", "/api/v1/incidents/{id}/evidence", Target::kIncidentB, ""},
    {"GET", "/api/v1/incidents/{id}/evidence/{item}", Target::kIncidentB, ""},
    {"POST", "/api/v1/incidents/{id}/evidence/{item}/custody", Target::kIncidentB,
     R"({"action":"transferred","to":"Kẻ lấn sân","reason":"x"})"},
    {"GET", "/api/v1/incidents/{id}/evidence/{item}/verify", Target::kIncidentB, ""},
    {"GET", "/api/v1/incidents/{id}/evidence/{item}/file", Target::kIncidentB, ""},
    {"POST", "/api/v1/incidents/{id}/evidence/bundle", Target::kIncidentB, R"({"to":"Kẻ lấn sân","reason":"x"})"},
    {"GET", "/api/v1/incidents/{id}/export/stix", Target::kIncidentB, ""},
    {"GET", "/api/v1/incidents/{id}/export/misp", Target::kIncidentB, ""},
    {"GET", "/api/v1/incidents/{id}/plans", Target::kIncidentB, ""},
    {"POST", "/api/v1/incidents/{id}/plans", Target::kIncidentB, R"({"plan_id":"defacement"})"},
    {"GET", "/api/v1/systems/{id}/plans", Target::kSystemB, ""},
    {"POST", "/api/v1/systems/{id}/plans", Target::kSystemB, R"({"plan_id":"defacement"})"},
    {"DELETE", "/api/v1/systems/{id}/plans/{plan}", Target::kSystemB, ""},
    // Official incident reports (routes_incident_reports.cpp); {report} stays literal like {task}:
    // incident_reports_api_test.cpp checks another agency's report by its real id.
    {"GET", "/api/v1/incidents/{id}/report-forms", Target::kIncidentB, ""},
    {"POST", "/api/v1/incidents/{id}/reports/check", Target::kIncidentB,
     R"({"form":"tt20-thong-bao-su-co","data":{"fields":{}}})"},
    {"POST", "/api/v1/incidents/{id}/reports", Target::kIncidentB,
     R"({"form":"tt20-thong-bao-su-co","data":{"fields":{}}})"},
    {"GET", "/api/v1/incidents/{id}/reports", Target::kIncidentB, ""},
    {"GET", "/api/v1/incidents/{id}/reports/{report}/file", Target::kIncidentB, ""},
    {"POST", "/api/v1/incidents/{id}/reports/{report}/sent", Target::kIncidentB,
     R"({"recipient":"Nơi lấn sân","channel":"email"})"},
    {"POST", "/api/v1/incidents/{id}/reports/{report}/ack", Target::kIncidentB, R"({"note":"lấn sân"})"},
    {"POST", "/api/v1/incidents/{id}/handover", Target::kIncidentB,
     R"({"revision":1,"to_process":"A-QD05-serious","reason":"Chuyển lấn sân"})"},
    {"GET", "/api/v1/notify/channels/{id}", Target::kChannelB, ""},
    {"PATCH", "/api/v1/notify/channels/{id}", Target::kChannelB,
     R"({"name":"Kênh bị đổi","target":"https://attacker.example/hook","secret":"khoa-bi-doi-0123456789"})"},
    {"DELETE", "/api/v1/notify/channels/{id}", Target::kChannelB, ""},
    {"POST", "/api/v1/notify/channels/{id}/test", Target::kChannelB, ""},
    {"GET", "/api/v1/notify/subscriptions/{id}", Target::kSubscriptionB, ""},
    {"PATCH", "/api/v1/notify/subscriptions/{id}", Target::kSubscriptionB, R"({"enabled":false})"},
    {"DELETE", "/api/v1/notify/subscriptions/{id}", Target::kSubscriptionB, ""},
};

// Routes that create an object under an organisation named in the body ({P}: B, then the root;
// {SB}: B's information system, for objects created under a system).
// `bearerStatus`: what an API token gets when the route refuses tokens before looking at the body.
struct CreateRoute {
  const char* method;
  const char* pattern;
  const char* body;
  const char* createdName;  // how the object would show in the root administrator's lists
  int bearerStatus;
};
const CreateRoute kCreateRoutes[] = {
    {"POST", "/api/v1/orgs", R"({"parent_id":{P},"name":"Phòng lấn sân","kind":"unit"})", "Phòng lấn sân", 404},
    {"POST", "/api/v1/users",
     R"({"username":"lan.san","display_name":"Cán bộ lấn sân","org_id":{P},"password":"Lan-san-password-123",)"
     R"("roles":[{"org_id":{P},"role":"unit_officer"}]})",
     "lan.san", 404},
    {"POST", "/api/v1/tokens", R"({"name":"Token lấn sân","org_id":{P},"role":"auditor","expires_in_days":1})",
     "Token lấn sân", 403},
    {"POST", "/api/v1/systems",
     R"({"org_id":{P},"name":"Hệ thống lấn sân","regime_id":"B_ND331_TCVN14423","owner":"UBND tỉnh",)"
     R"("lead_operator":"Kẻ lấn sân","facts":{"system_type":"internal","information_types":["public"]}})",
     "Hệ thống lấn sân", 404},
    {"POST", "/api/v1/systems/import",
     R"({"csv":"org_id,name,regime_id,owner,lead_operator,operators,parent_id,lifecycle,go_live_on,major_change_on,)"
     R"(hosting,separation,requires_24x7,critical_list,web_addresses,public_ips,security_regulation_issued_on,)"
     R"(plan_status,facts\n{P},Hệ thống nhập lấn sân,B_ND331_TCVN14423,UBND tỉnh,Kẻ lấn sân,,,planning,,,)"
     R"(on_premises,none,false,false,,,,not_started,)"
     R"(\"{\"\"system_type\"\":\"\"internal\"\",\"\"information_types\"\":[\"\"public\"\"]}\"\n"})",
     "Hệ thống nhập lấn sân", 404},
    {"POST", "/api/v1/contacts",
     R"({"org_id":{P},"role":"incident_contact","name":"Liên hệ lấn sân","phones":["0912345678"],)"
     R"("email":"lan.san@example.vn"})",
     "Liên hệ lấn sân", 404},
    {"POST", "/api/v1/assets", R"({"system_id":{SB},"kind":"server","name":"Máy chủ lấn sân"})", "Máy chủ lấn sân",
     404},
    {"POST", "/api/v1/assets/import",
     R"({"csv":"system_id,kind,name,ip,os,location,main_device,main_device_kind,internet_connected,anti_malware,)"
     R"(anti_malware_licensed,last_update_on\n{SB},workstation,Máy trạm nhập lấn sân,,,,false,,false,,false,\n"})",
     "Máy trạm nhập lấn sân", 404},
    // "xlsx:<CSV, CRLF rows>": the body is an XLSX file of these rows (see bodyOf).
    {"POST", "/api/v1/systems/import.xlsx",
     "xlsx:org_id,name,regime_id,owner,lead_operator,operators,parent_id,lifecycle,go_live_on,major_change_on,"
     "hosting,separation,requires_24x7,critical_list,web_addresses,public_ips,security_regulation_issued_on,"
     "plan_status,facts\r\n{P},Hệ thống XLSX lấn sân,B_ND331_TCVN14423,UBND tỉnh,Kẻ lấn sân,,,planning,,,"
     "on_premises,none,false,false,,,,not_started,"
     R"("{""system_type"":""internal"",""information_types"":[""public""]}")"
     "\r\n",
     "Hệ thống XLSX lấn sân", 404},
    {"POST", "/api/v1/assets/import.xlsx",
     "xlsx:system_id,kind,name,ip,os,location,main_device,main_device_kind,internet_connected,anti_malware,"
     "anti_malware_licensed,last_update_on\r\n{SB},workstation,Máy trạm XLSX lấn sân,,,,false,,false,,false,\r\n",
     "Máy trạm XLSX lấn sân", 404},
    {"POST", "/api/v1/sources", R"({"org_id":{P},"name":"Nguồn lấn sân","addresses":["10.99.0.1"]})", "Nguồn lấn sân",
     404},
    {"POST", "/api/v1/alerts", R"({"org_id":{P},"title":"Cảnh báo lấn sân","severity":"high"})", "Cảnh báo lấn sân",
     404},
    {"POST", "/api/v1/alert-suppressions",
     R"({"org_id":{P},"rule_id":"luat-lan-san","reason":"x","expires_at":"2027-01-01T00:00:00Z"})", "luat-lan-san",
     404},
    {"POST", "/api/v1/incidents",
     R"({"org_id":{P},"title":"Sự cố lấn sân","regime":"A_ND85_TT12","detected_at":"2026-11-17T00:00:00Z"})",
     "Sự cố lấn sân", 404},
    {"POST", "/api/v1/notify/channels",
     R"({"org_id":{P},"name":"Kênh lấn sân","kind":"webhook","target":"https://attacker.example/hook",)"
     R"("secret":"khoa-lan-san-0123456789"})",
     "Kênh lấn sân", 404},
    {"POST", "/api/v1/notify/subscriptions",
     R"({"org_id":{P},"channel_id":1,"kind":"alert_new","recipients":["lan.san@attacker.example"]})",
     "lan.san@attacker.example", 404},
    {"POST", "/api/v1/rules",
     R"({"org_id":{P},"yaml":"title: Luat lan san\nid: 0f0f0f0f-lan-san\nlogsource:\n  product: test\n)"
     R"(detection:\n  sel:\n    a: b\n  condition: sel\n"})",
     "Luat lan san", 404},
};

// Lists. {B} stands for the id of agency B, {userB} for B's administrator.
enum class ListKind {
  kOrgs,
  kUsers,
  kTokens,
  kAudit,
  kAuditCsv,
  kRegistry,
  kRegistryCsv,
  kRegistryXlsx,
  kCoverage,
  kReport,
  kDashboard,
  kEvents,
  kEventsCsv,
  kEventHistogram,
  kEventTop,
  kSources,
  kAlerts,
  kIncidents,
  kNotify,
  kRules
};
struct ListRoute {
  const char* target;
  ListKind kind;
  bool officerMayList;  // false: a unit_officer gets 403
};
const ListRoute kListRoutes[] = {
    {"/api/v1/orgs", ListKind::kOrgs, true},
    {"/api/v1/orgs?include_archived=true", ListKind::kOrgs, true},
    {"/api/v1/users?limit=500", ListKind::kUsers, false},
    {"/api/v1/users?org_id={B}", ListKind::kUsers, false},
    {"/api/v1/users?q=congthuong", ListKind::kUsers, false},
    {"/api/v1/tokens", ListKind::kTokens, false},
    {"/api/v1/audit?limit=500", ListKind::kAudit, false},
    {"/api/v1/audit?limit=500&object_type=user", ListKind::kAudit, false},
    {"/api/v1/audit?limit=500&object_id={userB}", ListKind::kAudit, false},
    {"/api/v1/audit?limit=500&action=auth.", ListKind::kAudit, false},
    {"/api/v1/audit/export.csv", ListKind::kAuditCsv, false},
    {"/api/v1/systems?limit=500", ListKind::kRegistry, true},
    {"/api/v1/systems?q=Cong", ListKind::kRegistry, true},
    {"/api/v1/systems?level=1", ListKind::kRegistry, true},
    {"/api/v1/assets?limit=500", ListKind::kRegistry, true},
    {"/api/v1/assets?kind=server", ListKind::kRegistry, true},
    {"/api/v1/contacts", ListKind::kRegistry, true},
    {"/api/v1/systems/export.csv", ListKind::kRegistryCsv, true},
    {"/api/v1/assets/export.csv", ListKind::kRegistryCsv, true},
    {"/api/v1/systems/export.xlsx", ListKind::kRegistryXlsx, true},
    {"/api/v1/assets/export.xlsx", ListKind::kRegistryXlsx, true},
    {"/api/v1/assets/coverage", ListKind::kCoverage, true},
    {"/api/v1/reports/annual", ListKind::kReport, true},
    {"/api/v1/reports/annual?year=2026", ListKind::kReport, true},
    {"/api/v1/findings", ListKind::kRegistry, true},
    {"/api/v1/findings?state=open", ListKind::kRegistry, true},
    {"/api/v1/schedules?horizon_days=3660", ListKind::kRegistry, true},
    {"/api/v1/dashboard", ListKind::kDashboard, true},
    {"/api/v1/events/search?limit=1000", ListKind::kEvents, true},
    {"/api/v1/events/search?q=CONGTHUONG", ListKind::kEvents, true},
    {"/api/v1/events/histogram", ListKind::kEventHistogram, true},
    {"/api/v1/events/top?field=host.name", ListKind::kEventTop, true},
    {"/api/v1/events/export", ListKind::kEventsCsv, true},
    {"/api/v1/sources", ListKind::kSources, true},
    {"/api/v1/alerts?limit=200", ListKind::kAlerts, true},
    {"/api/v1/alerts?state=open&severity=critical", ListKind::kAlerts, true},
    {"/api/v1/alerts?q=CONGTHUONG", ListKind::kAlerts, true},
    {"/api/v1/alerts/changes?since=0", ListKind::kAlerts, true},
    {"/api/v1/alert-suppressions?include_expired=true", ListKind::kAlerts, true},
    {"/api/v1/incidents?limit=200", ListKind::kIncidents, true},
    {"/api/v1/incidents?status=all", ListKind::kIncidents, true},
    // A unit officer may not read notification settings: the lists are empty for it.
    {"/api/v1/notify/channels", ListKind::kNotify, true},
    {"/api/v1/notify/subscriptions", ListKind::kNotify, true},
    {"/api/v1/notify/deliveries", ListKind::kNotify, true},
    {"/api/v1/notify/deliveries?status=pending", ListKind::kNotify, true},
    {"/api/v1/rules?limit=500", ListKind::kRules, false},
    {"/api/v1/rules?q=congthuong&source=database", ListKind::kRules, false},
    {"/api/v1/rules/status", ListKind::kRules, false},
};

// Routes on one detection rule: aimed at the rule of B, whose id A's callers can guess.
// {A}: agency A (a per-agency setting inside the caller's own scope, on B's rule).
struct RuleObjectRoute {
  const char* method;
  const char* pattern;
  const char* body;
};
const RuleObjectRoute kRuleObjectRoutes[] = {
    {"GET", "/api/v1/rules/{id}", ""},
    {"PUT", "/api/v1/rules/{id}",
     R"({"yaml":"title: Bi doi\nid: c0c0c0c0-congthuong\nlogsource:\n  product: test\ndetection:\n  sel:\n    a: b\n  condition: sel\n"})"},
    {"PATCH", "/api/v1/rules/{id}", R"({"enabled":false})"},
    {"PUT", "/api/v1/rules/{id}/agencies/{org}", R"({"state":"on"})"},
    {"DELETE", "/api/v1/rules/{id}", ""},
};

// Province-wide writes: only an administrator of the root may make them.
struct RootOnlyRoute {
  const char* method;
  const char* pattern;
  const char* body;
};
const RootOnlyRoute kRootOnlyRoutes[] = {
    {"PUT", "/api/v1/settings/security",
     R"({"password_min_length_with_mfa":8,"password_min_length_without_mfa":14,"inactive_days":30,)"
     R"("mfa_required_roles":["administrator"],"session_idle_minutes":600,"session_absolute_hours":168,)"
     R"("lockout_threshold":100,"lockout_minutes":1})"},
    {"POST", "/api/v1/setup", R"({"province_name":"Tỉnh bị chiếm"})"},
};

// Event streams (SSE): they never end, so the list checks above cannot call them. They read
// through the same scoped store call as their long-poll twin (alertChanges, in kListRoutes), and
// alerts_api_test.cpp checks that another agency's alert is not pushed.
const char* const kStreamRoutes[] = {"GET /api/v1/alerts/stream"};

// Routes that reach no object of another tenant: public documents and probes, the login steps,
// the caller's own account, reading the (province-wide) security settings, and the audit chain
// check (which reports only ok/count).
const char* const kNoObjectScope[] = {
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /api/v1/version",
    "GET /api/v1/openapi.json",
    "GET /api/v1/setup",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/mfa",
    "POST /api/v1/auth/logout",
    "GET /api/v1/me",
    "POST /api/v1/me/password",
    "POST /api/v1/me/mfa/setup",
    "POST /api/v1/me/mfa/confirm",
    "POST /api/v1/me/mfa/disable",
    "GET /api/v1/settings/security",
    "GET /api/v1/audit/verify",
    // The level calculator evaluates the law on the facts sent; it reads and stores nothing.
    "GET /api/v1/compliance/regimes",
    "POST /api/v1/compliance/level",
    // The CSV templates are fixed documents.
    "GET /api/v1/systems/import-template.csv",
    "GET /api/v1/assets/import-template.csv",
    "GET /api/v1/systems/import-template.xlsx",
    "GET /api/v1/assets/import-template.xlsx",
    // Form definitions are fixed documents; rendering fills a form with the data sent, reading
    // nothing stored.
    "GET /api/v1/forms",
    "POST /api/v1/forms/render",
    // Saved searches are the caller's own (another user's cannot be named: see kObjectRoutes).
    "GET /api/v1/saved-searches",
    "POST /api/v1/saved-searches",
    // The incident processes and classification facts are fixed documents (catalogs/incident/).
    "GET /api/v1/incident-processes",
    // The response plans are fixed documents (catalogs/incident/plans/).
    "GET /api/v1/response-plans",
    // Checking a rule text parses and compiles it, storing nothing.
    "POST /api/v1/rules/validate",
    // Retro-hunts are their starter's own (another user's is 404) and read only the starter's
    // scope (rules_api_test.cpp RetroHuntFindsStoredEventsInScopeAndRaisesAlerts).
    "POST /api/v1/hunts",
    "GET /api/v1/hunts",
    "GET /api/v1/hunts/{id}",
    "GET /api/v1/hunts/{id}/results",
    "POST /api/v1/hunts/{id}/cancel",
};

// Log ingest (issue 5): authenticated by the ingest token of a declared log source, which names
// the agency the events belong to; never by a user's session or API token. Each answers 401 to
// every caller here and stores nothing. (The token-to-agency mapping: tests/api/ingest_api_test.cpp.)
struct IngestRoute {
  const char* method;
  const char* pattern;
  const char* target;
  const char* body;
};
const IngestRoute kIngestRoutes[] = {
    {"POST", "/api/v1/ingest/ndjson", "/api/v1/ingest/ndjson", "{\"message\":\"x\"}\n"},
    {"POST", "/es/_bulk", "/es/_bulk", "{\"index\":{}}\n{\"message\":\"x\"}\n"},
    {"POST", "/es/{index}/_bulk", "/es/logs/_bulk", "{\"index\":{}}\n{\"message\":\"x\"}\n"},
    {"GET", "/es", "/es", ""},
    {"GET", "/es/_license", "/es/_license", ""},
    {"GET", "/es/_xpack", "/es/_xpack", ""},
    {"GET", "/es/_index_template/{name}", "/es/_index_template/vigil", ""},
    {"PUT", "/es/_index_template/{name}", "/es/_index_template/vigil", "{}"},
    {"GET", "/es/_template/{name}", "/es/_template/vigil", ""},
    {"PUT", "/es/_template/{name}", "/es/_template/vigil", "{}"},
    {"GET", "/es/_ilm/policy/{name}", "/es/_ilm/policy/vigil", ""},
    {"PUT", "/es/_ilm/policy/{name}", "/es/_ilm/policy/vigil", "{}"},
    {"GET", "/es/_data_stream/{name}", "/es/_data_stream/vigil", ""},
    {"PUT", "/es/_data_stream/{name}", "/es/_data_stream/vigil", "{}"},
};

void PrintTo(const ObjectRoute& r, std::ostream* os) { *os << r.method << " " << r.pattern; }
void PrintTo(const CreateRoute& r, std::ostream* os) { *os << r.method << " " << r.pattern; }
void PrintTo(const ListRoute& r, std::ostream* os) { *os << "GET " << r.target; }
void PrintTo(const RootOnlyRoute& r, std::ostream* os) { *os << r.method << " " << r.pattern; }
void PrintTo(const IngestRoute& r, std::ostream* os) { *os << r.method << " " << r.target; }
void PrintTo(Caller c, std::ostream* os) { *os << callerName(c); }

// --- The world ------------------------------------------------------------------------------------

struct World {
  int64_t root = 1, A = 0, unitA = 0, B = 0, unitB = 0, archivedUnitB = 0;
  std::string pathA;
  int64_t officerAId = 0, adminAId = 0, userBId = 0, plainUserBId = 0, dualId = 0;
  int64_t tokenAId = 0, tokenBId = 0;
  int64_t systemB = 0, assetB = 0, accountB = 0, backupB = 0, contactB = 0, dossierB = 0, attachmentB = 0;
  int64_t assessmentB = 0, evidenceB = 0, findingB = 0;
  int64_t sourceB = 0, savedSearchRoot = 0;
  int64_t alertB = 0, suppressionB = 0, incidentB = 0;
  int64_t channelB = 0, subscriptionB = 0;
  std::string tokenBSecret;
  Session officerA, adminA, tokenA;
  // Text that must never reach a caller of A.
  std::vector<std::string> secretsOfB;
};

int64_t meId(TestServer& srv, const Session& s) {
  auto me = srv.call(s, "GET", "/api/v1/me");
  EXPECT_EQ(me.status, 200) << me.body;
  return jsonInt(jsonField(me.body, "user"), "id");
}

std::pair<int64_t, std::string> createToken(TestServer& srv, const std::string& name, int64_t org,
                                            const std::string& role) {
  auto r = srv.call(srv.admin(), "POST", "/api/v1/tokens",
                    body({{"name", name}, {"org_id", org}, {"role", role}, {"expires_in_days", 30}}));
  EXPECT_EQ(r.status, 201) << r.body;
  return {jsonInt(jsonField(r.body, "token"), "id"), jsonField(r.body, "secret")};
}

std::unique_ptr<World> buildWorld(TestServer& srv) {
  auto w = std::make_unique<World>();
  Session& root = srv.admin();
  w->A = srv.createOrg(root, w->root, "Sở Nội vụ");
  w->unitA = srv.createOrg(root, w->A, "Phòng Tổ chức cán bộ", "unit");
  w->B = srv.createOrg(root, w->root, "Sở Công Thương");
  w->unitB = srv.createOrg(root, w->B, "Phòng Quản lý công nghiệp", "unit");
  w->archivedUnitB = srv.createOrg(root, w->B, "Trung tâm Khuyến công", "unit");
  EXPECT_EQ(srv.call(root, "POST", "/api/v1/orgs/" + std::to_string(w->archivedUnitB) + "/archive").status, 200);
  w->pathA = jsonField(srv.call(root, "GET", "/api/v1/orgs/" + std::to_string(w->A)).body, "path");

  w->officerA = srv.userSession("officer.noivu", w->A, "unit_officer");
  w->officerAId = meId(srv, w->officerA);
  w->adminA = srv.userSession("admin.noivu", w->A, "administrator");
  w->adminAId = meId(srv, w->adminA);

  // B's administrator: password changed, MFA on, then locked by five wrong passwords.
  Session adminB = srv.userSession("admin.congthuong", w->B, "administrator");
  w->userBId = meId(srv, adminB);
  int last = 0;
  for (int i = 0; i < 5; ++i)
    last = srv.client()
               .request("POST", "/api/v1/auth/login", R"({"username":"admin.congthuong","password":"sai-mat-khau"})")
               .status;
  EXPECT_EQ(last, 423) << "B's administrator should be locked";
  w->plainUserBId = srv.createUser(root, "canbo.congthuong", w->unitB, "unit_officer");

  auto dual = srv.call(root, "POST", "/api/v1/users",
                       body({{"username", "kiemnhiem.noivu"},
                             {"display_name", "Cán bộ kiêm nhiệm"},
                             {"org_id", w->A},
                             {"password", "Officer-password-123"},
                             {"roles", json::array{json::object{{"org_id", w->A}, {"role", "unit_officer"}},
                                                   json::object{{"org_id", w->B}, {"role", "unit_officer"}}}}}));
  EXPECT_EQ(dual.status, 201) << dual.body;
  w->dualId = jsonInt(dual.body, "id");

  auto [tokenBId, tokenBSecret] = createToken(srv, "Máy quét Sở Công Thương", w->B, "soc_analyst");
  w->tokenBId = tokenBId;
  w->tokenBSecret = tokenBSecret;
  auto [tokenAId, tokenASecret] = createToken(srv, "Máy quét Sở Nội vụ", w->A, "administrator");
  w->tokenAId = tokenAId;
  w->tokenA.bearer = tokenASecret;

  w->secretsOfB = {"Sở Công Thương",   "Phòng Quản lý công nghiệp", "Trung tâm Khuyến công",   "admin.congthuong",
                   "canbo.congthuong", "Máy quét Sở Công Thương",   tokenBSecret.substr(0, 10)};

  // B's registry: a system (level 1) with an asset, an account, a backup policy, a dossier with a
  // file, and a contact of B.
  auto created = [&](const std::string& path, const std::string& reqBody) {
    auto r = srv.call(root, "POST", path, reqBody);
    EXPECT_EQ(r.status, 201) << path << ": " << r.body;
    return jsonInt(r.body, "id");
  };
  w->systemB = created("/api/v1/systems", replaceAll(std::string(kSystemBodyOfA), "{A}", std::to_string(w->B)));
  // Renamed so that its name is a secret of B.
  const std::string sysB = "/api/v1/systems/" + std::to_string(w->systemB);
  auto renamed = srv.call(root, "PUT", sysB,
                          replaceAll(replaceAll(std::string(kSystemBodyOfA), "{A}", std::to_string(w->B)),
                                     "Hệ thống đổi tên", "Cổng thông tin Công Thương"));
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  w->assetB = created("/api/v1/assets", body({{"system_id", w->systemB},
                                              {"kind", "server"},
                                              {"name", "Máy chủ Công Thương"},
                                              {"anti_malware", "Bkav"},
                                              {"anti_malware_licensed", true},
                                              {"last_update_on", "2026-11-01"}}));
  w->accountB = created(sysB + "/accounts", R"({"name":"quantri.congthuong","privilege":"administrator"})");
  w->backupB = created(sysB + "/backups", R"({"scope":"CSDL Công Thương","frequency":"daily"})");
  w->contactB = created("/api/v1/contacts", body({{"org_id", w->B},
                                                  {"role", "incident_contact"},
                                                  {"name", "Đầu mối Công Thương"},
                                                  {"phones", json::array{"0912345678"}},
                                                  {"email", "dau.moi@congthuong.example.vn"}}));
  w->dossierB = created(sysB + "/dossiers", "");
  w->attachmentB =
      created("/api/v1/dossiers/" + std::to_string(w->dossierB) + "/attachments?kind=overview&filename=congthuong.pdf",
              "%PDF-1.4 Thuyết minh Công Thương");
  for (const char* s : {"Cổng thông tin Công Thương", "Máy chủ Công Thương", "quantri.congthuong", "CSDL Công Thương",
                        "Đầu mối Công Thương", "congthuong.pdf"})
    w->secretsOfB.emplace_back(s);

  // An assessment of B's system: evidence on the first item, which is not met (a finding); the
  // others met; completed today.
  const std::string today = jsonField(srv.call(root, "GET", "/api/v1/schedules").body, "today");
  w->assessmentB =
      created(sysB + "/assessments",
              R"({"kind":"periodic","assessor_type":"independent","assessor_name":"Tổ đánh giá Công Thương"})");
  const std::string asmB = "/api/v1/assessments/" + std::to_string(w->assessmentB);
  const json::value checklist = parseJson(srv.call(root, "GET", sysB + "/checklist").body);
  bool first = true;
  std::string firstItem;
  for (const auto& item : checklist.at("items").as_array()) {
    const std::string id = str(item.at("id"));
    if (first) firstItem = id;
    auto r = srv.call(root, "PUT", asmB + "/results", body({{"item", id}, {"status", first ? "not_met" : "met"}}));
    EXPECT_EQ(r.status, 200) << r.body;
    first = false;
  }
  w->evidenceB = created(asmB + "/evidence?item=" + firstItem + "&filename=danhgia-congthuong.pdf",
                         "%PDF-1.4 Biên bản đánh giá Công Thương");
  auto done = srv.call(root, "POST", asmB + "/complete", body({{"completed_on", today}}));
  EXPECT_EQ(done.status, 200) << done.body;
  const json::value doneJson = parseJson(done.body);
  if (!doneJson.at("findings").as_array().empty()) w->findingB = intOf(&doneJson.at("findings").at(0).at("id"));
  EXPECT_NE(w->findingB, 0) << done.body;
  for (const char* s : {"Tổ đánh giá Công Thương", "danhgia-congthuong.pdf"}) w->secretsOfB.emplace_back(s);

  // Attempts on B before any list is read: their audit entries must stay out of A's view. Their
  // answers are checked by the table tests (an assertion here would skip the whole suite).
  (void)srv.call(w->adminA, "GET", "/api/v1/users/" + std::to_string(w->userBId));
  (void)srv.call(w->adminA, "PATCH", "/api/v1/orgs/" + std::to_string(w->B), R"({"name":"Sở Công Thương"})");
  (void)srv.call(w->tokenA, "DELETE", "/api/v1/tokens/" + std::to_string(w->tokenBId));

  // Log collection: a declared source of B with a token, a saved search of the root
  // administrator, and events of A (one) and of B (two) in the store.
  w->sourceB = created("/api/v1/sources", body({{"org_id", w->B},
                                                {"name", "Nguồn Công Thương"},
                                                {"addresses", json::array{"10.20.0.0/16"}},
                                                {"with_token", true}}));
  w->savedSearchRoot =
      created("/api/v1/saved-searches", R"({"name":"Tìm Công Thương","query":"CONGTHUONG","range":"24h"})");
  auto submit = [&](int64_t org, const std::string& peer, std::vector<std::string_view> lines) {
    collect::Attribution who{.sourceId = 0, .orgId = org, .declared = false};
    EXPECT_TRUE(srv.collector().submitSyslog(collect::Input::kSyslogTcp, who, peer, lines, nullptr).ok());
  };
  submit(w->A, "10.10.0.1", {"<38>1 2026-11-18T10:00:00Z web-noivu sshd 1 - - Accepted password for noivu"});
  submit(w->B, "10.20.0.1",
         {"<38>1 2026-11-18T10:00:00Z ct-db01 sshd 2 - - Failed password for ct CONGTHUONG",
          "<38>1 2026-11-18T10:01:00Z ct-db01 sshd 2 - - Failed password for ct CONGTHUONG"});
  EXPECT_TRUE(srv.events().flush().ok());
  for (const char* s : {"Nguồn Công Thương", "ct-db01", "CONGTHUONG", "10.20.0"}) w->secretsOfB.emplace_back(s);

  // The alert queue: a notification received for B, a detector alert of B, a suppression of B.
  w->alertB = created("/api/v1/alerts", body({{"org_id", w->B},
                                              {"title", "Cảnh báo CONGTHUONG máy chủ"},
                                              {"severity", "critical"},
                                              {"detector", "external"},
                                              {"sender", "Người báo Công Thương"}}));
  EXPECT_TRUE(srv.alertSink()
                  .raise({.orgId = w->B,
                          .detector = DetectorKind::kSigma,
                          .ruleId = "sigma-congthuong",
                          .severity = AlertSeverity::kCritical,
                          .dedupKey = "10.20.0.7",
                          .title = "Dò mật khẩu CONGTHUONG"})
                  .ok());
  srv.alertSink().flush();
  w->suppressionB = created("/api/v1/alert-suppressions", body({{"org_id", w->B},
                                                                {"rule_id", "sigma-congthuong"},
                                                                {"dedup_key", "10.20.0.8"},
                                                                {"reason", "Lý do Công Thương"},
                                                                {"expires_at", "2027-01-01T00:00:00Z"}}));
  for (const char* s : {"Người báo Công Thương", "sigma-congthuong", "Lý do Công Thương"})
    w->secretsOfB.emplace_back(s);

  // Incidents: one of B with a task and an observable.
  w->incidentB = created("/api/v1/incidents", body({{"org_id", w->B},
                                                    {"title", "Sự cố CONGTHUONG"},
                                                    {"regime", "A_ND85_TT12"},
                                                    {"detected_at", "2026-11-17T08:00:00Z"}}));
  created("/api/v1/incidents/" + std::to_string(w->incidentB) + "/tasks", body({{"title", "Nhiệm vụ Công Thương"}}));
  for (const char* s : {"Sự cố CONGTHUONG", "Nhiệm vụ Công Thương"}) w->secretsOfB.emplace_back(s);
  // Notifications: a webhook channel of B (its receiver is a closed port: the delivery stays
  // pending with an error), a subscription of B, and a notice of B in the delivery log.
  w->channelB = created("/api/v1/notify/channels", body({{"org_id", w->B},
                                                         {"name", "Kênh Công Thương"},
                                                         {"kind", "webhook"},
                                                         {"target", "http://127.0.0.1:9/congthuong"},
                                                         {"secret", "khoa-cong-thuong-0123456789"}}));
  w->subscriptionB = created("/api/v1/notify/subscriptions",
                             body({{"org_id", w->B}, {"channel_id", w->channelB}, {"kind", "deadline_warning"}}));
  EXPECT_TRUE(srv.notifier()
                  .publish({.orgId = w->B,
                            .kind = NoticeKind::kDeadlineWarning,
                            .severity = AlertSeverity::kHigh,
                            .subject = "Hạn báo cáo CONGTHUONG sắp đến"})
                  .ok());
  EXPECT_EQ(srv.notifier().runOnce().deliveriesQueued, 1);
  for (const char* s : {"Kênh Công Thương", "127.0.0.1:9/congthuong", "Hạn báo cáo CONGTHUONG"})
    w->secretsOfB.emplace_back(s);
  // Detection rules (issue 6): a database rule of B, switched off for B's unit.
  auto rule = srv.call(root, "POST", "/api/v1/rules", body({{"org_id", w->B}, {"yaml", std::string(kRuleOfBYaml)}}));
  EXPECT_EQ(rule.status, 201) << rule.body;
  auto off = srv.call(root, "PUT", std::string("/api/v1/rules/") + kRuleOfB + "/agencies/" + std::to_string(w->unitB),
                      R"({"state":"off"})");
  EXPECT_EQ(off.status, 200) << off.body;
  w->secretsOfB.emplace_back(kRuleOfB);
  // A rule change asks for a reload in the background; settle it now, so that the "before" and
  // "after" views of B's rule the tests compare do not differ by `loaded`.
  EXPECT_TRUE(srv.rules().reloadNow("tenant isolation world").ok());
  return w;
}

// --- Fixture --------------------------------------------------------------------------------------

class TenantIsolation : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    srv_ = new TestServer();
    w_ = buildWorld(*srv_).release();
  }
  static void TearDownTestSuite() {
    delete w_;
    delete srv_;
    w_ = nullptr;
    srv_ = nullptr;
  }

 protected:
  static TestServer& srv() { return *srv_; }
  static Session& root() { return srv_->admin(); }
  static const World& w() { return *w_; }

  static const Session& as(Caller c) {
    switch (c) {
      case Caller::kOfficerA: return w_->officerA;
      case Caller::kAdminA: return w_->adminA;
      case Caller::kTokenA: return w_->tokenA;
    }
    return w_->officerA;
  }

  static int64_t targetId(Target t) {
    switch (t) {
      case Target::kOrgB: return w_->B;
      case Target::kUnitB: return w_->unitB;
      case Target::kArchivedUnitB: return w_->archivedUnitB;
      case Target::kUserB: return w_->userBId;
      case Target::kTokenB: return w_->tokenBId;
      case Target::kRoot: return w_->root;
      case Target::kSystemB: return w_->systemB;
      case Target::kAssetB: return w_->assetB;
      case Target::kAccountB: return w_->accountB;
      case Target::kBackupB: return w_->backupB;
      case Target::kContactB: return w_->contactB;
      case Target::kDossierB: return w_->dossierB;
      case Target::kAttachmentB: return w_->attachmentB;
      case Target::kAssessmentB: return w_->assessmentB;
      case Target::kEvidenceB: return w_->evidenceB;
      case Target::kFindingB: return w_->findingB;
      case Target::kSourceB: return w_->sourceB;
      case Target::kSavedSearchRoot: return w_->savedSearchRoot;
      case Target::kAlertB: return w_->alertB;
      case Target::kSuppressionB: return w_->suppressionB;
      case Target::kIncidentB: return w_->incidentB;
      case Target::kChannelB: return w_->channelB;
      case Target::kSubscriptionB: return w_->subscriptionB;
    }
    return 0;
  }

  // The object as the root administrator sees it; any change shows as a different text.
  static std::string snapshot(Target t) {
    const std::string id = std::to_string(targetId(t));
    switch (t) {
      case Target::kUserB: {
        auto r = srv_->call(root(), "GET", "/api/v1/users/" + id);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.body;
      }
      case Target::kTokenB: {
        auto r = srv_->call(root(), "GET", "/api/v1/tokens");
        for (const auto& t : itemsOf(r.body))
          if (intOf(member(t, "id")) == targetId(Target::kTokenB)) return json::serialize(t);
        ADD_FAILURE() << "B's token is missing from the root administrator's list";
        return "";
      }
      case Target::kSystemB:
      case Target::kAssetB:
      case Target::kAccountB:
      case Target::kBackupB:
      case Target::kContactB:
      case Target::kDossierB:
      case Target::kAttachmentB:
      case Target::kAssessmentB:
      case Target::kEvidenceB:
      case Target::kFindingB: return registrySnapshot();
      case Target::kAlertB:
      case Target::kSuppressionB: {
        std::string all;
        for (const std::string& path : {"/api/v1/alerts/" + std::to_string(w_->alertB),
                                        std::string("/api/v1/alert-suppressions?include_expired=true")}) {
          auto r = srv_->call(root(), "GET", path);
          EXPECT_EQ(r.status, 200) << path << ": " << r.body;
          all += r.body + "\n";
        }
        return all;
      }
      case Target::kIncidentB: {
        auto r = srv_->call(root(), "GET", "/api/v1/incidents/" + id);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.body;
      }
      case Target::kChannelB:
      case Target::kSubscriptionB: {
        std::string all;
        for (const char* path : {"/api/v1/notify/channels", "/api/v1/notify/subscriptions"}) {
          auto r = srv_->call(root(), "GET", path);
          EXPECT_EQ(r.status, 200) << path << ": " << r.body;
          all += r.body + "\n";
        }
        return all;
      }
      case Target::kSourceB:
      case Target::kSavedSearchRoot: {
        std::string all;
        for (const char* path : {"/api/v1/sources", "/api/v1/saved-searches"}) {
          auto r = srv_->call(root(), "GET", path);
          EXPECT_EQ(r.status, 200) << path << ": " << r.body;
          all += r.body + "\n";
        }
        return all;
      }
      default: {
        auto r = srv_->call(root(), "GET", "/api/v1/orgs/" + id);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.body;
      }
    }
  }

  // Everything of B's registry as the root administrator sees it.
  static std::string registrySnapshot() {
    const std::string sys = "/api/v1/systems/" + std::to_string(w_->systemB);
    std::string all;
    for (const std::string& path :
         {sys, sys + "/accounts", sys + "/backups", sys + "/dossiers", "/api/v1/assets/" + std::to_string(w_->assetB),
          "/api/v1/contacts?org_id=" + std::to_string(w_->B), "/api/v1/attachments/" + std::to_string(w_->attachmentB),
          sys + "/assessments", "/api/v1/assessments/" + std::to_string(w_->assessmentB),
          "/api/v1/evidence/" + std::to_string(w_->evidenceB), "/api/v1/findings/" + std::to_string(w_->findingB)}) {
      auto r = srv_->call(root(), "GET", path);
      EXPECT_EQ(r.status, 200) << path << ": " << r.body;
      all += r.body + "\n";
    }
    return all;
  }

  // Ids of the organisations in A's subtree, as the root administrator sees them now.
  static std::set<int64_t> subtreeOfA() {
    std::set<int64_t> ids;
    for (const auto& o : itemsOf(srv_->call(root(), "GET", "/api/v1/orgs?include_archived=true").body))
      if (str(*member(o, "path")).rfind(w_->pathA, 0) == 0) ids.insert(intOf(member(o, "id")));
    EXPECT_GE(ids.size(), 2u);
    return ids;
  }

  static std::string substitute(std::string s) {
    s = replaceAll(s, "{A}", std::to_string(w_->A));
    s = replaceAll(s, "{B}", std::to_string(w_->B));
    s = replaceAll(s, "{userB}", std::to_string(w_->userBId));
    return s;
  }

  static void expectNoSecretOfB(const std::string& text, const std::string& what) {
    for (const auto& s : w_->secretsOfB) EXPECT_EQ(text.find(s), std::string::npos) << what << " shows '" << s << "'";
  }

  static TestServer* srv_;
  static World* w_;
};

TestServer* TenantIsolation::srv_ = nullptr;
World* TenantIsolation::w_ = nullptr;

// An answer about an object out of scope must be the answer about a missing object: the same
// status and body once the id itself is masked.
std::string maskId(const std::string& text, int64_t id) {
  return std::regex_replace(text, std::regex("\\b" + std::to_string(id) + "\\b"), "<id>");
}

std::string testName(std::string s) {
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

// --- Routes with an object id ---------------------------------------------------------------------

class ObjectRouteIsolation : public TenantIsolation,
                             public ::testing::WithParamInterface<std::tuple<ObjectRoute, Caller>> {};

TEST_P(ObjectRouteIsolation, ObjectOfAnotherTenantIsNotFoundAndUnchanged) {
  const auto& [route, caller] = GetParam();
  const int64_t id = targetId(route.target);
  constexpr int64_t kMissing = 987654321;
  const std::string before = snapshot(route.target);
  const std::string reqBody = substitute(route.body);

  auto r = srv().call(as(caller), route.method, replaceAll(route.pattern, "{id}", std::to_string(id)), reqBody);
  EXPECT_TRUE(isError(r, 404, "not_found")) << route.method << " " << route.pattern << " by " << callerName(caller);

  auto missing =
      srv().call(as(caller), route.method, replaceAll(route.pattern, "{id}", std::to_string(kMissing)), reqBody);
  EXPECT_EQ(r.status, missing.status);
  EXPECT_EQ(maskId(r.body, id), maskId(missing.body, kMissing))
      << "the answer differs from the one for a missing object (existence leak)";

  EXPECT_EQ(snapshot(route.target), before) << "the object of the other tenant changed";
}

std::string objectRouteName(const ::testing::TestParamInfo<std::tuple<ObjectRoute, Caller>>& info) {
  const ObjectRoute& route = std::get<0>(info.param);
  static const char* const targets[] = {"orgB",      "unitB",    "archivedUnitB",   "userB",       "tokenB",
                                        "root",      "systemB",  "assetB",          "accountB",    "backupB",
                                        "contactB",  "dossierB", "attachmentB",     "assessmentB", "evidenceB",
                                        "findingB",  "sourceB",  "savedSearchRoot", "alertB",      "suppressionB",
                                        "incidentB", "channelB", "subscriptionB"};
  return testName(std::string(route.method) + route.pattern + "_" + targets[static_cast<int>(route.target)] + "_by_" +
                  callerName(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(Table, ObjectRouteIsolation,
                         ::testing::Combine(::testing::ValuesIn(kObjectRoutes), ::testing::ValuesIn(kCallers)),
                         objectRouteName);

// --- Routes that create under an organisation named in the body -----------------------------------

// A body "xlsx:<CSV text>" becomes an XLSX file holding those rows as text cells; others are
// sent as they are.
std::string bodyOf(const std::string& body) {
  if (body.rfind("xlsx:", 0) != 0) return body;
  const auto rows = parseCsv(body.substr(5));
  documents::XlsxSheet sheet;
  sheet.name = "import";
  for (const auto& h : rows.at(0)) sheet.columns.push_back({.header = h});
  for (size_t i = 1; i < rows.size(); ++i) sheet.rows.emplace_back(rows[i].begin(), rows[i].end());
  auto bytes = documents::writeXlsx({sheet});
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  return bytes.ok() ? *bytes : "";
}

class CreateRouteIsolation : public TenantIsolation,
                             public ::testing::WithParamInterface<std::tuple<CreateRoute, Target, Caller>> {};

TEST_P(CreateRouteIsolation, CannotCreateUnderAnotherTenantOrTheRoot) {
  const auto& [route, target, caller] = GetParam();
  const int64_t parent = targetId(target);
  auto r = srv().call(
      as(caller), route.method, route.pattern,
      bodyOf(replaceAll(replaceAll(route.body, "{P}", std::to_string(parent)), "{SB}", std::to_string(w().systemB))));
  const int expected = caller == Caller::kTokenA ? route.bearerStatus : 404;
  EXPECT_TRUE(isError(r, expected, expected == 404 ? "not_found" : "forbidden"))
      << route.pattern << " under " << parent << " by " << callerName(caller);

  // Nothing was created, seen from the root.
  const std::string all =
      srv().call(root(), "GET", "/api/v1/orgs?include_archived=true").body +
      srv().call(root(), "GET", "/api/v1/users?limit=500").body + srv().call(root(), "GET", "/api/v1/tokens").body +
      srv().call(root(), "GET", "/api/v1/systems?limit=500").body +
      srv().call(root(), "GET", "/api/v1/assets?limit=500").body + srv().call(root(), "GET", "/api/v1/contacts").body +
      srv().call(root(), "GET", "/api/v1/sources").body + srv().call(root(), "GET", "/api/v1/alerts?limit=200").body +
      srv().call(root(), "GET", "/api/v1/alert-suppressions?include_expired=true").body +
      srv().call(root(), "GET", "/api/v1/notify/channels").body +
      srv().call(root(), "GET", "/api/v1/notify/subscriptions").body +
      srv().call(root(), "GET", "/api/v1/rules?limit=500").body;
  EXPECT_EQ(all.find(route.createdName), std::string::npos) << route.createdName << " was created";
}

std::string createRouteName(const ::testing::TestParamInfo<std::tuple<CreateRoute, Target, Caller>>& info) {
  const CreateRoute& route = std::get<0>(info.param);
  return testName(std::string(route.method) + route.pattern + "_under_" +
                  (std::get<1>(info.param) == Target::kRoot ? "root" : "orgB") + "_by_" +
                  callerName(std::get<2>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(Table, CreateRouteIsolation,
                         ::testing::Combine(::testing::ValuesIn(kCreateRoutes),
                                            ::testing::Values(Target::kOrgB, Target::kRoot),
                                            ::testing::ValuesIn(kCallers)),
                         createRouteName);

// --- Lists ------------------------------------------------------------------------------------------

class ListIsolation : public TenantIsolation, public ::testing::WithParamInterface<std::tuple<ListRoute, Caller>> {};

TEST_P(ListIsolation, ListShowsNothingOfAnotherTenant) {
  const auto& [route, caller] = GetParam();
  const std::string target = substitute(route.target);
  auto r = srv().call(as(caller), "GET", target);
  if (caller == Caller::kOfficerA && !route.officerMayList) {
    EXPECT_TRUE(isError(r, 403, "forbidden")) << target;
    return;
  }
  ASSERT_EQ(r.status, 200) << target << ": " << r.body;
  expectNoSecretOfB(r.body, target + " for " + callerName(caller));

  const std::set<int64_t> inA = subtreeOfA();
  const std::set<int64_t> orgsOfB{w().B, w().unitB, w().archivedUnitB, w().root};
  const std::set<int64_t> usersOfB{w().userBId, w().plainUserBId};

  if (route.kind == ListKind::kAuditCsv) {
    auto rows = parseCsv(r.body);
    ASSERT_FALSE(rows.empty());
    for (size_t i = 1; i < rows.size(); ++i) {
      ASSERT_EQ(rows[i].size(), 11u) << "row " << i;
      ASSERT_FALSE(rows[i][7].empty()) << "an entry without organisation reached an agency: row " << i;
      EXPECT_TRUE(inA.count(std::stoll(rows[i][7]))) << "entry of organisation " << rows[i][7] << " in A's export";
    }
    return;
  }

  if (route.kind == ListKind::kRegistryCsv || route.kind == ListKind::kRegistryXlsx) {
    // The first column is org_id (systems) or system_id (assets): never B's.
    std::vector<std::vector<std::string>> rows;
    if (route.kind == ListKind::kRegistryXlsx) {
      auto sheet = documents::readXlsx(r.body);
      ASSERT_TRUE(sheet.ok()) << sheet.error().message;
      rows = sheet->rows;
    } else {
      rows = parseCsv(r.body);
    }
    ASSERT_FALSE(rows.empty());
    for (size_t i = 1; i < rows.size(); ++i) {
      ASSERT_FALSE(rows[i].empty());
      EXPECT_NE(rows[i][0], std::to_string(w().B)) << "row " << i;
      EXPECT_NE(rows[i][0], std::to_string(w().systemB)) << "row " << i;
    }
    return;
  }
  if (route.kind == ListKind::kDashboard) {
    // A has no systems: nothing of B is counted, and the league table lists only A's subtree.
    const json::value v = parseJson(r.body);
    EXPECT_EQ(intOf(&v.at("systems").at("total")), 0) << r.body;
    EXPECT_EQ(intOf(&v.at("findings").at("open")), 0) << r.body;
    EXPECT_EQ(intOf(&v.at("coverage").at("workstations")), 0) << r.body;
    for (const auto& a : v.at("agencies").as_array()) EXPECT_TRUE(inA.count(intOf(member(a, "org_id")))) << r.body;
    return;
  }
  if (route.kind == ListKind::kReport) {
    // The annual report of A's scope: B's system is neither listed nor counted (A has none).
    EXPECT_EQ(r.body.find("Hệ thống đổi tên"), std::string::npos) << r.body;
    EXPECT_EQ(totalOf(r.body), 0) << r.body;
    return;
  }
  if (route.kind == ListKind::kEvents) {
    // Only A's one event; nothing of B (nor the root's undeclared senders).
    const json::value v = parseJson(r.body);
    for (const auto& e : v.at("events").as_array()) EXPECT_TRUE(inA.count(intOf(member(e, "org_id")))) << r.body;
    return;
  }
  if (route.kind == ListKind::kEventsCsv) {
    auto rows = parseCsv(r.body);
    ASSERT_EQ(rows.size(), 2u) << "A has exactly one event: " << r.body;
    for (size_t i = 1; i < rows.size(); ++i) EXPECT_TRUE(inA.count(std::stoll(rows[i].at(1)))) << "row " << i;
    return;
  }
  if (route.kind == ListKind::kEventHistogram) {
    EXPECT_EQ(intOf(member(parseJson(r.body), "total")), 1) << "B's events counted for A: " << r.body;
    return;
  }
  if (route.kind == ListKind::kEventTop) {
    EXPECT_EQ(intOf(member(parseJson(r.body), "events_matched")), 1) << "B's events counted for A: " << r.body;
    return;
  }
  if (route.kind == ListKind::kSources) {
    const json::value v = parseJson(r.body);
    for (const auto& s : v.at("sources").as_array()) EXPECT_TRUE(inA.count(intOf(member(s, "org_id")))) << r.body;
    EXPECT_TRUE(v.at("undeclared").as_array().empty()) << "undeclared senders reached an agency: " << r.body;
    return;
  }
  if (route.kind == ListKind::kRules) return;  // B's rule is a secret of B (checked above)
  if (route.kind == ListKind::kAlerts) {
    // A has no alert: nothing of B is listed or counted.
    const json::value v = parseJson(r.body);
    for (const auto& a : v.at("items").as_array()) EXPECT_TRUE(inA.count(intOf(member(a, "org_id")))) << r.body;
    if (const json::value* counts = member(v, "counts")) {
      EXPECT_EQ(intOf(member(*counts, "total")), 0) << r.body;
    }
    return;
  }
  if (route.kind == ListKind::kIncidents) {
    const json::value v = parseJson(r.body);
    for (const auto& i : v.at("items").as_array()) EXPECT_TRUE(inA.count(intOf(member(i, "org_id")))) << r.body;
    return;
  }
  if (route.kind == ListKind::kNotify) {
    // A has no channels, subscriptions or deliveries.
    const json::value v = parseJson(r.body);
    for (const auto& it : v.at("items").as_array()) EXPECT_TRUE(inA.count(intOf(member(it, "org_id")))) << r.body;
    return;
  }
  if (route.kind == ListKind::kCoverage) {
    // A has no assets: B's server must not be counted.
    const json::value v = parseJson(r.body);
    EXPECT_EQ(intOf(&v.at("servers_protected").at("total")), 0) << r.body;
    return;
  }

  auto items = itemsOf(r.body);
  EXPECT_EQ(totalOf(r.body), static_cast<int64_t>(items.size())) << "the total counts rows that are not shown";
  for (const auto& it : items) {
    const std::string row = json::serialize(it);
    switch (route.kind) {
      case ListKind::kOrgs:
        EXPECT_EQ(str(*member(it, "path")).rfind(w().pathA, 0), 0u) << row;
        EXPECT_FALSE(orgsOfB.count(intOf(member(it, "id")))) << row;
        break;
      case ListKind::kUsers:
        EXPECT_TRUE(inA.count(intOf(member(it, "org_id")))) << row;
        EXPECT_FALSE(usersOfB.count(intOf(member(it, "id")))) << row;
        for (const auto& role : member(it, "roles")->as_array())
          EXPECT_TRUE(inA.count(intOf(member(role, "org_id")))) << "role outside A shown: " << row;
        break;
      case ListKind::kTokens:
        EXPECT_TRUE(inA.count(intOf(member(it, "org_id")))) << row;
        EXPECT_NE(intOf(member(it, "id")), w().tokenBId) << row;
        break;
      case ListKind::kAudit: {
        const json::value* org = member(it, "org_id");
        ASSERT_TRUE(org && !org->is_null()) << "an entry without organisation reached an agency: " << row;
        EXPECT_TRUE(inA.count(intOf(org))) << row;
        const std::string type = str(*member(it, "object_type"));
        const std::string obj = str(*member(it, "object_id"));
        if (type == "org") {
          EXPECT_FALSE(orgsOfB.count(std::atoll(obj.c_str()))) << row;
        } else if (type == "user") {
          EXPECT_FALSE(usersOfB.count(std::atoll(obj.c_str()))) << row;
        } else if (type == "token") {
          EXPECT_NE(obj, std::to_string(w().tokenBId)) << row;
        }
        break;
      }
      case ListKind::kRegistry: EXPECT_TRUE(inA.count(intOf(member(it, "org_id")))) << row; break;
      case ListKind::kAuditCsv:
      case ListKind::kRegistryCsv:
      case ListKind::kRegistryXlsx:
      case ListKind::kCoverage:
      case ListKind::kReport:
      case ListKind::kDashboard:
      case ListKind::kEvents:
      case ListKind::kEventsCsv:
      case ListKind::kEventHistogram:
      case ListKind::kEventTop:
      case ListKind::kSources:
      case ListKind::kAlerts:
      case ListKind::kIncidents: break;
      case ListKind::kNotify: break;
      case ListKind::kRules: break;
    }
  }
}

std::string listRouteName(const ::testing::TestParamInfo<std::tuple<ListRoute, Caller>>& info) {
  return testName(std::string(std::get<0>(info.param).target) + "_by_" + callerName(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(Table, ListIsolation,
                         ::testing::Combine(::testing::ValuesIn(kListRoutes), ::testing::ValuesIn(kCallers)),
                         listRouteName);

// --- Province-wide writes ---------------------------------------------------------------------------

class RootOnlyIsolation : public TenantIsolation,
                          public ::testing::WithParamInterface<std::tuple<RootOnlyRoute, Caller>> {};

TEST_P(RootOnlyIsolation, OnlyTheRootAdministratorMayWrite) {
  const auto& [route, caller] = GetParam();
  const std::string settings = srv().call(root(), "GET", "/api/v1/settings/security").body;
  const std::string setup = srv().client().request("GET", "/api/v1/setup").body;
  auto r = srv().call(as(caller), route.method, route.pattern, route.body);
  EXPECT_TRUE(isError(r, 403, "forbidden")) << route.pattern << " by " << callerName(caller);
  EXPECT_EQ(srv().call(root(), "GET", "/api/v1/settings/security").body, settings);
  EXPECT_EQ(srv().client().request("GET", "/api/v1/setup").body, setup);
}

std::string rootOnlyRouteName(const ::testing::TestParamInfo<std::tuple<RootOnlyRoute, Caller>>& info) {
  const RootOnlyRoute& route = std::get<0>(info.param);
  return testName(std::string(route.method) + route.pattern + "_by_" + callerName(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(Table, RootOnlyIsolation,
                         ::testing::Combine(::testing::ValuesIn(kRootOnlyRoutes), ::testing::ValuesIn(kCallers)),
                         rootOnlyRouteName);

// --- Log ingest ---------------------------------------------------------------------------------------

class IngestIsolation : public TenantIsolation,
                        public ::testing::WithParamInterface<std::tuple<IngestRoute, Caller>> {};

TEST_P(IngestIsolation, UserCredentialsAreNoIngestToken) {
  const auto& [route, caller] = GetParam();
  const uint64_t before = srv().events().stats().events + srv().events().stats().queuedBytes;
  auto r = srv().call(as(caller), route.method, route.target, route.body);
  EXPECT_TRUE(isError(r, 401, "unauthenticated")) << route.target << " by " << callerName(caller);
  EXPECT_EQ(srv().events().stats().events + srv().events().stats().queuedBytes, before);
}

std::string ingestRouteName(const ::testing::TestParamInfo<std::tuple<IngestRoute, Caller>>& info) {
  const IngestRoute& route = std::get<0>(info.param);
  return testName(std::string(route.method) + route.target + "_by_" + callerName(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(Table, IngestIsolation,
                         ::testing::Combine(::testing::ValuesIn(kIngestRoutes), ::testing::ValuesIn(kCallers)),
                         ingestRouteName);

// --- Specific attacks -------------------------------------------------------------------------------

TEST_F(TenantIsolation, AdminOfACannotGrantRolesOnBOrOnTheRoot) {
  const std::string path = "/api/v1/users/" + std::to_string(w().officerAId) + "/roles";
  const std::string before = srv().call(root(), "GET", "/api/v1/users/" + std::to_string(w().officerAId)).body;
  for (int64_t org : {w().B, w().unitB, w().root}) {
    for (const Caller c : {Caller::kAdminA, Caller::kTokenA}) {
      // Alone, and next to a legitimate grant on A (the whole request must fail, nothing applied).
      auto alone = srv().call(as(c), "PUT", path,
                              body({{"roles", json::array{json::object{{"org_id", org}, {"role", "administrator"}}}}}));
      EXPECT_TRUE(isError(alone, 404, "not_found")) << "grant on " << org << " by " << callerName(c);
      auto mixed = srv().call(as(c), "PUT", path,
                              body({{"roles", json::array{json::object{{"org_id", w().A}, {"role", "leader"}},
                                                          json::object{{"org_id", org}, {"role", "auditor"}}}}}));
      EXPECT_TRUE(isError(mixed, 404, "not_found")) << "mixed grant on " << org << " by " << callerName(c);
    }
  }
  EXPECT_EQ(srv().call(root(), "GET", "/api/v1/users/" + std::to_string(w().officerAId)).body, before);
}

TEST_F(TenantIsolation, AdminOfACannotCreateAUserOfAWithARoleOnB) {
  auto r = srv().call(w().adminA, "POST", "/api/v1/users",
                      body({{"username", "hai.mang"},
                            {"display_name", "Hai mang"},
                            {"org_id", w().A},
                            {"password", "Officer-password-123"},
                            {"roles", json::array{json::object{{"org_id", w().A}, {"role", "unit_officer"}},
                                                  json::object{{"org_id", w().B}, {"role", "administrator"}}}}}));
  EXPECT_TRUE(isError(r, 404, "not_found"));
  EXPECT_EQ(totalOf(srv().call(root(), "GET", "/api/v1/users?q=hai.mang").body), 0) << "the user was created";
}

TEST_F(TenantIsolation, AdminOfACannotMoveItsUnitUnderBOrTheRoot) {
  const std::string path = "/api/v1/orgs/" + std::to_string(w().unitA);
  const std::string before = srv().call(root(), "GET", path).body;
  for (int64_t parent : {w().B, w().unitB, w().root}) {
    for (const Caller c : {Caller::kAdminA, Caller::kTokenA}) {
      auto r = srv().call(as(c), "POST", path + "/move", body({{"parent_id", parent}}));
      EXPECT_TRUE(isError(r, 404, "not_found")) << "move under " << parent << " by " << callerName(c);
    }
  }
  EXPECT_EQ(srv().call(root(), "GET", path).body, before);
}

TEST_F(TenantIsolation, ReplacingRolesOfAUserOfAKeepsTheirRoleOnB) {
  const std::string path = "/api/v1/users/" + std::to_string(w().dualId);
  auto seen = srv().call(w().adminA, "GET", path);
  ASSERT_EQ(seen.status, 200) << seen.body;
  expectNoSecretOfB(seen.body, "A's view of a user with a role on B");
  EXPECT_EQ(parseJson(seen.body).at("roles").as_array().size(), 1u) << seen.body;

  auto r = srv().call(w().adminA, "PUT", path + "/roles",
                      body({{"roles", json::array{json::object{{"org_id", w().A}, {"role", "leader"}}}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  expectNoSecretOfB(r.body, "the answer to A's role change");

  bool keepsB = false, hasLeaderOnA = false;
  const json::value after = parseJson(srv().call(root(), "GET", path).body);
  for (const auto& role : after.at("roles").as_array()) {
    if (intOf(member(role, "org_id")) == w().B && str(*member(role, "role")) == "unit_officer") keepsB = true;
    if (intOf(member(role, "org_id")) == w().A && str(*member(role, "role")) == "leader") hasLeaderOnA = true;
  }
  EXPECT_TRUE(keepsB) << "A's administrator removed a role on B";
  EXPECT_TRUE(hasLeaderOnA);
}

TEST_F(TenantIsolation, OfficerOfAStillWorksInsideA) {
  // The 404s above come from scope, not from broken routes: inside A the same callers succeed.
  EXPECT_EQ(srv().call(w().officerA, "GET", "/api/v1/orgs/" + std::to_string(w().unitA)).status, 200);
  EXPECT_EQ(srv().call(w().adminA, "GET", "/api/v1/users/" + std::to_string(w().officerAId)).status, 200);
  EXPECT_EQ(srv().call(w().tokenA, "GET", "/api/v1/orgs/" + std::to_string(w().A)).status, 200);
  // A has no archived unit, so the token sees exactly A's subtree.
  auto orgs = srv().call(w().tokenA, "GET", "/api/v1/orgs");
  EXPECT_EQ(totalOf(orgs.body), static_cast<int64_t>(subtreeOfA().size())) << orgs.body;
}

// --- Coverage of the tables -------------------------------------------------------------------------

// --- Web portals (issue 7): a portal of B with a recorded run and an evidence item, made on first
// use by the root administrator (PortalRouteIsolation below). {id}: the portal of B (its evidence
// item under /portal-evidence/), {B}: B's id.
struct PortalRoute {
  const char* method;
  const char* pattern;
  const char* body;  // "xlsx": an XLSX import naming B
};
const PortalRoute kPortalRoutes[] = {
    {"GET", "/api/v1/portals/{id}", ""},
    {"PUT", "/api/v1/portals/{id}", R"({"name":"Cổng bị đổi","url":"https://lan-san.gov.vn/","revision":1})"},
    {"DELETE", "/api/v1/portals/{id}", ""},
    {"GET", "/api/v1/portals/{id}/runs", ""},
    {"GET", "/api/v1/portals/{id}/findings", ""},
    {"GET", "/api/v1/portals/{id}/evidence", ""},
    {"GET", "/api/v1/portal-evidence/{id}/content", ""},  // {id}: the evidence item of B
    {"POST", "/api/v1/portals", R"({"org_id":{B},"name":"Cổng lấn sân","url":"https://lan-san.gov.vn/"})"},
    {"POST", "/api/v1/portals/import", R"({"csv":"org_id,name,url\n{B},Cổng lấn sân,https://lan-san.gov.vn/\n"})"},
    {"POST", "/api/v1/portals/import.xlsx", "xlsx"},
    {"GET", "/api/v1/portals", ""},
    {"GET", "/api/v1/portals/report.xlsx", ""},
    {"GET", "/api/v1/portals/report.docx", ""},
};

std::set<std::string> classifiedRoutes() {
  std::set<std::string> out;
  for (const auto& r : kObjectRoutes) out.insert(std::string(r.method) + " " + r.pattern);
  for (const auto& r : kCreateRoutes) out.insert(std::string(r.method) + " " + r.pattern);
  for (const auto& r : kListRoutes) {
    std::string t = r.target;
    out.insert("GET " + t.substr(0, t.find('?')));
  }
  for (const auto& r : kRootOnlyRoutes) out.insert(std::string(r.method) + " " + r.pattern);
  for (const char* r : kNoObjectScope) out.insert(r);
  for (const char* r : kStreamRoutes) out.insert(r);
  for (const auto& r : kIngestRoutes) out.insert(std::string(r.method) + " " + r.pattern);
  for (const auto& r : kRuleObjectRoutes) out.insert(std::string(r.method) + " " + r.pattern);
  for (const auto& r : kPortalRoutes) out.insert(std::string(r.method) + " " + r.pattern);
  return out;
}

class RuleRouteIsolation : public TenantIsolation,
                           public ::testing::WithParamInterface<std::tuple<RuleObjectRoute, Caller>> {};

TEST_P(RuleRouteIsolation, RuleOfAnotherTenantIsNotFoundAndUnchanged) {
  const auto& [route, caller] = GetParam();
  const std::string target = std::string("/api/v1/rules/") + kRuleOfB;
  const std::string before = srv().call(root(), "GET", target).body;
  ASSERT_NE(before.find("Luat CONGTHUONG"), std::string::npos) << before;
  const std::string path = replaceAll(replaceAll(route.pattern, "{id}", kRuleOfB), "{org}", std::to_string(w().A));
  auto r = srv().call(as(caller), route.method, path, route.body);
  EXPECT_TRUE(isError(r, 404, "not_found"))
      << route.method << " " << path << " by " << callerName(caller) << ": " << r.status << " " << r.body;
  EXPECT_EQ(srv().call(root(), "GET", target).body, before) << "the rule of B changed";
}

INSTANTIATE_TEST_SUITE_P(Table, RuleRouteIsolation,
                         ::testing::Combine(::testing::ValuesIn(kRuleObjectRoutes), ::testing::ValuesIn(kCallers)),
                         [](const ::testing::TestParamInfo<std::tuple<RuleObjectRoute, Caller>>& info) {
                           return testName(std::string(std::get<0>(info.param).method) +
                                           std::get<0>(info.param).pattern + "_by_" +
                                           callerName(std::get<1>(info.param)));
                         });

TEST_F(TenantIsolation, RoutesAreCoveredByTheIsolationTables) {
  const auto classified = classifiedRoutes();
  std::string missing;
  for (const auto& route : srv().api().router().routes()) {
    const std::string key = route.method + " " + route.pattern;
    if (!classified.count(key)) missing += "\n  " + key;
  }
  EXPECT_TRUE(missing.empty())
      << "routes in no isolation table of tenant_isolation_test.cpp (add each to "
         "kObjectRoutes, kCreateRoutes, kListRoutes, kRootOnlyRoutes, kNoObjectScope or kIngestRoutes):"
      << missing;
}

TEST_F(TenantIsolation, IsolationTablesNameOnlyRegisteredRoutes) {
  std::set<std::string> registered;
  for (const auto& route : srv().api().router().routes()) registered.insert(route.method + " " + route.pattern);
  for (const auto& key : classifiedRoutes()) EXPECT_TRUE(registered.count(key)) << "stale table entry: " << key;
}

// --- Incident evidence and response plans (issue 4, routes_evidence.cpp) ---------------------------

// B's evidence item, aimed at through B's incident and through an incident of A; B's system
// plans. Each answer is the one for a missing object and nothing of B changes.
TEST_F(TenantIsolation, EvidenceAndPlansOfAnotherTenantAreNotFound) {
  const std::string incB = "/api/v1/incidents/" + std::to_string(w().incidentB);
  auto up = srv().call(root(), "POST", incB + "/evidence?name=congthuong.log", "Nhật ký CONGTHUONG\n");
  ASSERT_EQ(up.status, 201) << up.body;
  const int64_t itemB = jsonInt(up.body, "id");
  ASSERT_EQ(
      srv()
          .call(root(), "POST", "/api/v1/systems/" + std::to_string(w().systemB) + "/plans", R"({"plan_id":"ddos"})")
          .status,
      201);
  auto incA = srv().call(w().officerA, "POST", "/api/v1/incidents",
                         body({{"org_id", w().A},
                               {"title", "Sự cố của A"},
                               {"regime", "A_ND85_TT12"},
                               {"detected_at", "2026-11-17T08:00:00Z"}}));
  ASSERT_EQ(incA.status, 201) << incA.body;
  const std::string ownInc = "/api/v1/incidents/" + std::to_string(jsonInt(incA.body, "id"));
  const auto view = [&] {
    return srv().call(root(), "GET", incB + "/evidence").body +
           srv().call(root(), "GET", "/api/v1/systems/" + std::to_string(w().systemB) + "/plans").body;
  };
  const std::string before = view();
  for (Caller caller : kCallers) {
    for (const std::string& base : {incB, ownInc}) {
      const std::string one = base + "/evidence/" + std::to_string(itemB);
      for (const auto& [method, path, b] : std::vector<std::tuple<std::string, std::string, std::string>>{
               {"GET", one, ""},
               {"GET", one + "/verify", ""},
               {"GET", one + "/file", ""},
               {"POST", one + "/custody", R"({"action":"transferred","to":"Kẻ lấn sân","reason":"x"})"}}) {
        auto r = srv().call(as(caller), method, path, b);
        EXPECT_TRUE(isError(r, 404, "not_found")) << method << " " << path << " by " << callerName(caller);
        expectNoSecretOfB(r.body, path);
        EXPECT_EQ(r.body.find("CONGTHUONG"), std::string::npos) << r.body;
      }
    }
    auto plans = srv().call(as(caller), "GET", "/api/v1/systems/" + std::to_string(w().systemB) + "/plans");
    EXPECT_TRUE(isError(plans, 404, "not_found")) << callerName(caller);
    auto detach = srv().call(as(caller), "DELETE", "/api/v1/systems/" + std::to_string(w().systemB) + "/plans/ddos");
    EXPECT_TRUE(isError(detach, 404, "not_found")) << callerName(caller);
  }
  EXPECT_EQ(view(), before) << "B's evidence or plans changed";
}

// Hand-over (inc-notify): no caller of A hands over B's incident; B's incident keeps its process,
// gets no successor and no audit entry. The root administrator, who may handle it, reaches the
// process rule (B's incident is not classified serious), so the 404s are the scope's, not the data's.
TEST_F(TenantIsolation, HandoverOfAnotherTenantsIncidentIsNotFoundAndStartsNothing) {
  const std::string target = "/api/v1/incidents/" + std::to_string(w().incidentB);
  const std::string before = srv().call(root(), "GET", target).body;
  const std::string req = R"({"revision":)" + std::to_string(jsonInt(before, "revision")) +
                          R"(,"to_process":"A-QD05-serious","reason":"Chuyển lấn sân"})";
  for (Caller c : kCallers) {
    auto r = srv().call(as(c), "POST", target + "/handover", req);
    EXPECT_TRUE(isError(r, 404, "not_found")) << callerName(c) << ": " << r.status << " " << r.body;
  }
  auto own = srv().call(root(), "POST", target + "/handover", req);
  EXPECT_EQ(own.status, 400) << own.body;
  EXPECT_NE(own.body.find("not serious"), std::string::npos) << own.body;
  const std::string after = srv().call(root(), "GET", target).body;
  EXPECT_EQ(after, before);
  EXPECT_NE(after.find(R"("to":null)"), std::string::npos) << "no successor";
  for (const auto& e : itemsOf(srv().call(root(), "GET", "/api/v1/audit?action=incident.handover").body))
    EXPECT_NE(str(e.at("result")), "success") << "only the refusals are audited";
}
// Web portals: nothing of B's portal is visible or changed, nothing is created in B; lists and the
// report hold only A's portals (B's agency filter is not found).
class PortalRouteIsolation : public TenantIsolation,
                             public ::testing::WithParamInterface<std::tuple<PortalRoute, Caller>> {
 protected:
  struct PortalOfB {
    int64_t id = 0;
    int64_t evidence = 0;
  };
  static const PortalOfB& portalOfB() {
    static const PortalOfB made = [] {
      PortalOfB p;
      auto r = srv().call(root(), "POST", "/api/v1/portals",
                          R"({"org_id":)" + std::to_string(w().B) +
                              R"(,"name":"Cổng CONGTHUONG","url":"https://congthuong.laocai.gov.vn/"})");
      EXPECT_EQ(r.status, 201) << r.body;
      p.id = intOf(member(parseJson(r.body), "id"));
      const BlobStore blobs((srv().dir() / "blobs").string(), 1 << 20, BlobStore::TypePolicy::kAnyType);
      portals::RunRecorder recorder(srv().store(), blobs, srv().alertSink());
      webmon::PortalRun run{.portalId = p.id, .orgId = w().B, .checkClass = webmon::CheckClass::kContent};
      webmon::Finding f{.check = "page",
                        .id = "hidden_link",
                        .severity = webmon::Severity::kHigh,
                        .url = "https://congthuong.laocai.gov.vn/",
                        .summary = "CONGTHUONG hidden link"};
      run.findings.push_back(f);
      run.evidence.push_back({.findingKey = findingKeyOf(f.check, f.id, f.url),
                              .name = "body.html",
                              .mediaType = "text/html",
                              .bytes = "<p>CONGTHUONG</p>"});
      EXPECT_TRUE(recorder.record(run).ok());
      auto ev = itemsOf(srv().call(root(), "GET", "/api/v1/portals/" + std::to_string(p.id) + "/evidence").body);
      EXPECT_EQ(ev.size(), 1u);
      if (!ev.empty()) p.evidence = intOf(member(ev[0], "id"));
      return p;
    }();
    return made;
  }
  static std::string xlsxNamingB() {
    std::vector<documents::XlsxSheet> sheets(1);
    sheets[0].name = "portals";
    sheets[0].columns = {{.header = "org_id"}, {.header = "name"}, {.header = "url"}};
    sheets[0].rows = {
        {static_cast<double>(w().B), std::string("Cổng lấn sân"), std::string("https://lan-san.gov.vn/")}};
    return documents::writeXlsx(sheets).value();
  }
};

TEST_P(PortalRouteIsolation, PortalsOfAnotherTenantAreNotFoundUnchangedAndNotCreated) {
  const auto& [route, caller] = GetParam();
  const PortalOfB& b = portalOfB();
  const std::string detail = "/api/v1/portals/" + std::to_string(b.id);
  const std::string before = srv().call(root(), "GET", detail).body;
  ASSERT_NE(before.find("CONGTHUONG"), std::string::npos) << before;
  const int64_t totalBefore = totalOf(srv().call(root(), "GET", "/api/v1/portals?limit=500").body);

  const bool evidenceRoute = std::string(route.pattern).starts_with("/api/v1/portal-evidence/");
  const std::string path = replaceAll(route.pattern, "{id}", std::to_string(evidenceRoute ? b.evidence : b.id));
  std::string body =
      route.body == std::string("xlsx") ? xlsxNamingB() : replaceAll(route.body, "{B}", std::to_string(w().B));
  const std::string where = std::string(route.method) + " " + route.pattern + " by " + callerName(caller);
  if (std::string(route.method) == "GET" &&
      (path == "/api/v1/portals" || path == "/api/v1/portals/report.xlsx" || path == "/api/v1/portals/report.docx")) {
    // Lists: B's portal is absent; B's agency filter is not found.
    auto all = srv().call(as(caller), "GET", path);
    EXPECT_EQ(all.status, 200) << where << ": " << all.body;
    std::string shown = all.body;
    if (path.ends_with(".xlsx")) {  // the report's first sheet lists the portals, as cell texts
      auto sheet = documents::readXlsx(all.body);
      ASSERT_TRUE(sheet.ok()) << where << ": " << sheet.error().message;
      shown.clear();
      for (const auto& row : sheet->rows)
        for (const auto& cell : row) shown += cell + "|";
      EXPECT_NE(shown.find("Cổng"), std::string::npos) << where << ": the report's header is missing: " << shown;
    }
    if (path.ends_with(".docx")) {  // the report's body, with its table of portals
      auto xml = documents::readZipEntry(all.body, "word/document.xml");
      ASSERT_TRUE(xml.ok()) << where << ": " << xml.error().message;
      shown = *xml;
      EXPECT_NE(shown.find("Tên cổng/trang"), std::string::npos) << where << ": the report's table is missing";
    }
    EXPECT_EQ(shown.find("CONGTHUONG"), std::string::npos) << where;
    EXPECT_TRUE(isError(srv().call(as(caller), "GET", path + "?org_id=" + std::to_string(w().B)), 404, "not_found"))
        << where;
  } else {
    auto r = srv().call(as(caller), route.method, path, body);
    EXPECT_TRUE(isError(r, 404, "not_found")) << where << ": " << r.status << " " << r.body;
  }
  EXPECT_EQ(srv().call(root(), "GET", detail).body, before) << "the portal of B changed: " << where;
  EXPECT_EQ(totalOf(srv().call(root(), "GET", "/api/v1/portals?limit=500").body), totalBefore)
      << "a portal was created: " << where;
}

INSTANTIATE_TEST_SUITE_P(Table, PortalRouteIsolation,
                         ::testing::Combine(::testing::ValuesIn(kPortalRoutes), ::testing::ValuesIn(kCallers)),
                         [](const ::testing::TestParamInfo<std::tuple<PortalRoute, Caller>>& info) {
                           return testName(std::string(std::get<0>(info.param).method) +
                                           std::get<0>(info.param).pattern + "_by_" +
                                           callerName(std::get<1>(info.param)));
                         });

}  // namespace
}  // namespace vigil::test
