// The registry over HTTP: systems levelled by the real regime catalogs (thresholds of Decree 331,
// components), validation errors naming the field, gates, the dossier workflow dated on the
// working-day calendar, attachments, CSV import/export, account/backup flags, coverage, audit.
// Isolation between agencies is in tenant_isolation_test.cpp.
#include "api_test_util.h"
#include "core/crypto.h"

namespace vigil::test {
namespace {

constexpr const char* kRegimeB = "B_ND331_TCVN14423";

class RegistryApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srv_ = new TestServer();
    agency_ = srv_->createOrg(srv_->admin(), 1, "Sở Thông tin và Truyền thông");
    officer_ = new Session(srv_->userSession("can.bo.stttt", agency_, "unit_officer"));
  }
  static void TearDownTestSuite() {
    delete officer_;
    delete srv_;
  }

  // A system body of the agency under regime B with these facts and extra fields.
  static json::object systemBody(const std::string& name, json::object facts, json::object extra = {}) {
    json::object b{{"org_id", agency_},           {"name", name},
                   {"regime_id", kRegimeB},       {"owner", "UBND tỉnh"},
                   {"lead_operator", "Sở TT&TT"}, {"facts", std::move(facts)}};
    for (auto& [k, v] : extra) b[k] = v;
    return b;
  }
  static HttpResult call(const std::string& method, const std::string& target, const std::string& body = "") {
    return srv_->call(*officer_, method, target, body);
  }
  static json::value create(const json::object& b) {
    auto r = call("POST", "/api/v1/systems", json::serialize(b));
    EXPECT_EQ(r.status, 201) << r.body;
    return parseJson(r.body);
  }
  static std::string path(const json::value& sys) {
    return "/api/v1/systems/" + std::to_string(intOf(member(sys, "id")));
  }
  static std::string errorField(const HttpResult& r) {
    return jsonField(jsonField(jsonField(r.body, "error"), "details"), "field");
  }
  static std::set<std::string> gateIds(const json::value& sys) {
    std::set<std::string> ids;
    for (const auto& g : sys.at("gates").as_array()) ids.insert(str(g.at("id")));
    return ids;
  }
  static json::object citizenFacing(int64_t basic, int64_t sensitive) {
    return {{"system_type", "citizen_facing"},
            {"information_types", json::array{"public", "personal"}},
            {"personal_data_subjects_basic", basic},
            {"personal_data_subjects_sensitive", sensitive}};
  }

  static TestServer* srv_;
  static Session* officer_;
  static int64_t agency_;
};
TestServer* RegistryApi::srv_ = nullptr;
Session* RegistryApi::officer_ = nullptr;
int64_t RegistryApi::agency_ = 0;

// --- Validation: each refusal names its field, and nothing is stored -------------------------------

TEST_F(RegistryApi, BadInputIsRefusedNamingTheField) {
  const json::object internalPublic{{"system_type", "internal"}, {"information_types", json::array{"public"}}};
  struct Case {
    const char* what;
    json::object body;
    const char* field;
  };
  const Case cases[] = {
      {"unknown regime", systemBody("A", internalPublic, {{"regime_id", "C_KHONG_CO"}}), "regime_id"},
      {"negative subject count", systemBody("A", citizenFacing(-5, 0)), "personal_data_subjects_basic"},
      {"absurd subject count", systemBody("A", citizenFacing(900000000, 0)), "personal_data_subjects_basic"},
      {"state secret without harm (level 1 impossible)",
       systemBody("A", {{"system_type", "internal"}, {"information_types", json::array{"public", "state_secret"}}}),
       "security_harm"},
      {"unknown fact", systemBody("A", {{"system_type", "internal"}, {"so_nguoi_dung", 5}}), "so_nguoi_dung"},
      {"required fact missing", systemBody("A", {{"information_types", json::array{"public"}}}), "system_type"},
      {"private IP as public", systemBody("A", internalPublic, {{"public_ips", json::array{"192.168.1.10"}}}),
       "public_ips[0]"},
      {"not a web address", systemBody("A", internalPublic, {{"web_addresses", json::array{"không phải địa chỉ"}}}),
       "web_addresses[0]"},
      {"major change before go-live",
       systemBody("A", internalPublic,
                  {{"lifecycle", "operating"}, {"go_live_on", "2025-06-01"}, {"major_change_on", "2025-01-01"}}),
       "major_change_on"},
      {"bad date", systemBody("A", internalPublic, {{"go_live_on", "01/06/2025"}}), "go_live_on"},
      {"planning but already live", systemBody("A", internalPublic, {{"go_live_on", "2025-06-01"}}), "lifecycle"},
      {"cloud without separation", systemBody("A", internalPublic, {{"hosting", "cloud"}}), "separation"},
      {"unknown lifecycle", systemBody("A", internalPublic, {{"lifecycle", "running"}}), "lifecycle"},
      {"missing owner",
       [&] {
         auto b = systemBody("A", internalPublic);
         b.erase("owner");
         return b;
       }(),
       "owner"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", "/api/v1/systems", json::serialize(c.body));
    EXPECT_TRUE(isError(r, 400, "validation_failed")) << c.what << ": " << describe(r);
    EXPECT_EQ(errorField(r), c.field) << c.what << ": " << r.body;
  }
  EXPECT_EQ(totalOf(call("GET", "/api/v1/systems?q=A").body), 0) << "a refused system was stored";
}

// --- Levels ---------------------------------------------------------------------------------------

// Decree 331 Art. 12.2.b / 13.2.c: 100,000 basic or 10,000 sensitive data subjects move an
// online service from level 2 to level 3.
TEST_F(RegistryApi, LevelIsRecomputedWhenSubjectCountsCrossTheThresholds) {
  auto sys = create(systemBody("Cổng tiếp nhận phản ánh", citizenFacing(99999, 9999)));
  EXPECT_EQ(intOf(member(sys, "proposed_level")), 2) << json::serialize(sys);
  struct Step {
    int64_t basic, sensitive;
    int level;
  };
  for (const Step s : {Step{100000, 0, 3}, Step{99999, 9999, 2}, Step{0, 10000, 3}, Step{1000, 10, 2}}) {
    auto r = call("PUT", path(sys),
                  json::serialize(systemBody("Cổng tiếp nhận phản ánh", citizenFacing(s.basic, s.sensitive))));
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = parseJson(r.body);
    EXPECT_EQ(intOf(member(v, "proposed_level")), s.level) << s.basic << "/" << s.sensitive;
    EXPECT_EQ(intOf(&v.at("level").at("level")), s.level);
    bool cited = false;
    for (const auto& c : v.at("level").at("reasoning").as_array())
      if (c.at("met").as_bool() && str(c.at("id")) == (s.level == 3 ? "B-13.2.c" : "B-12.2.b")) cited = true;
    EXPECT_TRUE(cited) << "the criterion that set the level is in the reasoning";
  }
  // Lists filter by the stored level.
  auto l2 = parseJson(call("GET", "/api/v1/systems?level=2&q=ph%E1%BA%A3n%20%C3%A1nh").body);
  EXPECT_EQ(intOf(member(l2, "total")), 1);
}

TEST_F(RegistryApi, AComponentRaisesItsParent) {
  auto parent = create(systemBody("Hệ thống quản lý văn bản",
                                  {{"system_type", "internal"}, {"information_types", json::array{"public"}}}));
  EXPECT_EQ(intOf(member(parent, "proposed_level")), 1);
  json::object comp = systemBody(
      "Phân hệ một cửa",
      {{"system_type", "internal"}, {"information_types", json::array{"public"}}, {"handles_admin_procedures", true}});
  comp["parent_id"] = member(parent, "id")->as_int64();
  auto child = create(comp);
  EXPECT_EQ(intOf(member(child, "proposed_level")), 3);
  auto after = parseJson(call("GET", path(parent)).body);
  EXPECT_EQ(intOf(member(after, "proposed_level")), 3);
  EXPECT_EQ(intOf(&after.at("level").at("criteria_level")), 1);
  EXPECT_EQ(str(after.at("level").at("raised_by")), "Phân hệ một cửa");
  ASSERT_EQ(after.at("components").as_array().size(), 1u);
  // The parent cannot become a component of its own component.
  json::object cyc = systemBody("Hệ thống quản lý văn bản",
                                {{"system_type", "internal"}, {"information_types", json::array{"public"}}});
  cyc["parent_id"] = member(child, "id")->as_int64();
  auto r = call("PUT", path(parent), json::serialize(cyc));
  EXPECT_TRUE(isError(r, 400, "validation_failed")) << describe(r);
  EXPECT_EQ(errorField(r), "parent_id");
}

// --- Gates ----------------------------------------------------------------------------------------

TEST_F(RegistryApi, GatesWarnAboutOperatingWithoutApprovalAndWeakSeparation) {
  // Level 3 (handles administrative procedures), operating, in a data centre, plan partly done.
  auto sys = create(systemBody("Hệ thống một cửa điện tử",
                               {{"system_type", "citizen_facing"},
                                {"information_types", json::array{"public", "personal"}},
                                {"handles_admin_procedures", true}},
                               {{"lifecycle", "operating"},
                                {"go_live_on", "2024-01-15"},
                                {"hosting", "data_centre"},
                                {"separation", "logical"},
                                {"plan_status", "partly"}}));
  auto ids = gateIds(sys);
  EXPECT_TRUE(ids.count("operating_without_approval")) << json::serialize(sys.at("gates"));
  EXPECT_TRUE(ids.count("approved_before_go_live"));
  EXPECT_TRUE(ids.count("plan_implemented_before_go_live"));
  EXPECT_FALSE(ids.count("hosting_separation")) << "logical separation is enough at level 3 (Art. 30.8)";
  for (const auto& g : sys.at("gates").as_array()) {
    EXPECT_TRUE(g.at("blocking").as_bool());
    EXPECT_NE(str(g.at("cite")).find("Nghị định 331/2026/NĐ-CP"), std::string::npos) << json::serialize(g);
  }

  // Level 5 (central storage of especially important national data) needs physical separation.
  auto five = create(systemBody("Kho dữ liệu dùng chung",
                                {{"system_type", "infrastructure"},
                                 {"information_types", json::array{"public"}},
                                 {"infrastructure_scope", "one_organisation"},
                                 {"central_national_data", true}},
                                {{"hosting", "cloud"}, {"separation", "logical"}}));
  EXPECT_EQ(intOf(member(five, "proposed_level")), 5);
  bool found = false;
  for (const auto& g : five.at("gates").as_array())
    if (str(g.at("id")) == "hosting_separation") {
      found = true;
      EXPECT_EQ(str(g.at("required")), "physical");
      EXPECT_NE(str(g.at("cite")).find("Điều 30 khoản 9"), std::string::npos) << json::serialize(g);
    }
  EXPECT_TRUE(found) << json::serialize(five.at("gates"));
  // Planning, on premises: no gate.
  auto quiet = create(systemBody("Hệ thống đang lập kế hoạch",
                                 {{"system_type", "internal"}, {"information_types", json::array{"public"}}}));
  EXPECT_TRUE(quiet.at("gates").as_array().empty()) << json::serialize(quiet.at("gates"));
}

// --- Dossier workflow -----------------------------------------------------------------------------

TEST_F(RegistryApi, DossierMovesStepByStepWithDeadlinesOnTheWorkingDayCalendar) {
  // Level 3 under Decree 331: incomplete-dossier reply 5, appraisal 15, approval 7 working days.
  auto sys = create(systemBody("Cổng dịch vụ công tỉnh", citizenFacing(150000, 0)));
  ASSERT_EQ(intOf(member(sys, "proposed_level")), 3);
  auto open = call("POST", path(sys) + "/dossiers");
  ASSERT_EQ(open.status, 201) << open.body;
  const std::string d = "/api/v1/dossiers/" + std::to_string(jsonInt(open.body, "id"));
  EXPECT_TRUE(isError(call("POST", path(sys) + "/dossiers"), 409, "conflict")) << "one open dossier at a time";

  auto step = [&](const json::object& b) { return call("POST", d + "/transition", json::serialize(b)); };
  // Skipping appraisal is refused, and so is a date in the future (the clock is at 18/11/2026).
  EXPECT_TRUE(
      isError(step({{"to", "approved"}, {"on", "2026-02-12"}, {"decision_number", "1"}, {"decision_body", "x"}}), 409,
              "conflict"));
  auto future = step({{"to", "sent_for_appraisal"}, {"on", "2026-12-01"}});
  EXPECT_TRUE(isError(future, 400, "validation_failed"));
  EXPECT_EQ(errorField(future), "on");

  // Sent on Thursday 12/2/2026, the eve of the Tết Bính Ngọ holidays (16-20/2).
  auto sent = step({{"to", "sent_for_appraisal"}, {"on", "2026-02-12"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  std::map<std::string, json::value> due;
  auto deadlinesOf = [&](const std::string& body) {
    due.clear();
    const json::value v = parseJson(body);
    for (const auto& x : v.at("deadlines").as_array()) due[str(x.at("step"))] = x;
  };
  deadlinesOf(sent.body);
  EXPECT_EQ(str(due["incomplete_dossier_reply"].at("due_date")), "2026-02-26");  // 13/2, then 23-26/2
  EXPECT_EQ(str(due["appraisal"].at("due_date")), "2026-03-12");
  EXPECT_TRUE(due["approval"].at("due_date").is_null()) << "approval counts from the appraisal";
  EXPECT_FALSE(due["appraisal"].at("provisional").as_bool());

  // Not suitable: back to drafting with the items to fix.
  auto back = step({{"to", "appraised"}, {"on", "2026-02-24"}, {"result", "not_suitable"}});
  EXPECT_EQ(errorField(back), "items_to_fix");
  back = step({{"to", "appraised"},
               {"on", "2026-02-24"},
               {"result", "not_suitable"},
               {"items_to_fix", "Bổ sung phương án sao lưu"}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(jsonField(back.body, "state"), "drafting");

  ASSERT_EQ(step({{"to", "sent_for_appraisal"}, {"on", "2026-03-02"}}).status, 200);
  auto appraised = step({{"to", "appraised"}, {"on", "2026-03-10"}, {"result", "suitable"}});
  ASSERT_EQ(appraised.status, 200) << appraised.body;
  deadlinesOf(appraised.body);
  // 7 working days from Tuesday 10/3: 11, 12, 13, 16, 17, 18, 19/3 (a weekend in between).
  EXPECT_EQ(str(due["approval"].at("due_date")), "2026-03-19");
  EXPECT_FALSE(due["appraisal"].at("overdue").as_bool()) << "appraised within 15 working days of 2/3";

  auto approved = step(
      {{"to", "approved"}, {"on", "2026-03-25"}, {"decision_number", "512/QĐ-UBND"}, {"decision_body", "UBND tỉnh"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  deadlinesOf(approved.body);
  EXPECT_TRUE(due["approval"].at("overdue").as_bool()) << "approved on 25/3, after the due date 19/3";
  EXPECT_EQ(parseJson(approved.body).at("events").as_array().size(), 5u);

  auto after = parseJson(call("GET", path(sys)).body);
  EXPECT_EQ(intOf(member(after, "approved_level")), 3);
  EXPECT_EQ(str(after.at("approved_on")), "2026-03-25");
  EXPECT_EQ(str(after.at("dossier").at("state")), "approved");
  // The approval was recorded without a Quy chế issued before it: a gate.
  EXPECT_TRUE(gateIds(after).count("regulation_before_approval")) << json::serialize(after.at("gates"));
  // A go-live before the approval is now an impossible combination.
  auto early = call("PUT", path(sys),
                    json::serialize(systemBody("Cổng dịch vụ công tỉnh", citizenFacing(150000, 0),
                                               {{"lifecycle", "operating"}, {"go_live_on", "2026-03-01"}})));
  EXPECT_TRUE(isError(early, 400, "validation_failed")) << describe(early);
  EXPECT_EQ(errorField(early), "go_live_on");

  // Audited step by step.
  auto audit = srv_->call(srv_->admin(), "GET", "/api/v1/audit?action=dossier.&limit=50");
  std::set<std::string> actions;
  for (const auto& e : itemsOf(audit.body))
    if (str(e.at("result")) == "success") actions.insert(str(e.at("action")));
  for (const char* a : {"dossier.create", "dossier.sent_for_appraisal", "dossier.appraised", "dossier.approved"})
    EXPECT_TRUE(actions.count(a)) << a;
}

// --- Attachments ------------------------------------------------------------------------------------

TEST_F(RegistryApi, AttachmentsAreStoredBySha256AndCheckedByContent) {
  auto sys = create(systemBody("Hệ thống thư điện tử", citizenFacing(10, 0)));
  auto open = call("POST", path(sys) + "/dossiers");
  ASSERT_EQ(open.status, 201) << open.body;
  const std::string base = "/api/v1/dossiers/" + std::to_string(jsonInt(open.body, "id")) + "/attachments";
  const std::string pdf = "%PDF-1.7\n% Thuyết minh tổng quan hệ thống\n";
  auto up = call("POST", base + "?kind=overview&filename=thuyet-minh.pdf", pdf);
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(jsonField(up.body, "sha256"), crypto::sha256Hex(pdf));
  EXPECT_EQ(jsonField(up.body, "content_type"), "application/pdf");

  auto down = call("GET", "/api/v1/attachments/" + std::to_string(jsonInt(up.body, "id")));
  ASSERT_EQ(down.status, 200);
  EXPECT_EQ(down.body, pdf);
  EXPECT_EQ(down.header("content-type"), "application/pdf");
  EXPECT_NE(down.header("content-disposition").find("thuyet-minh.pdf"), std::string::npos);

  // Named .pdf but an executable: refused by its content.
  auto exe = call("POST", base + "?kind=design&filename=thiet-ke.pdf", std::string("MZ\x90\x00\x03", 5));
  EXPECT_TRUE(isError(exe, 415, "unsupported_media_type")) << describe(exe);
  auto big = call("POST", base + "?kind=design&filename=lon.pdf", "%PDF-" + std::string(70 << 10, 'x'));
  EXPECT_TRUE(isError(big, 413, "payload_too_large")) << describe(big);
  auto kind = call("POST", base + "?kind=anh&filename=a.pdf", pdf);
  EXPECT_EQ(errorField(kind), "kind");
  auto dossier = parseJson(call("GET", "/api/v1/dossiers/" + std::to_string(jsonInt(open.body, "id"))).body);
  EXPECT_EQ(dossier.at("attachments").as_array().size(), 1u) << "refused uploads left no record";
  // Level 1: the four documents of Decree 331 Art. 21-22; the overview is attached.
  EXPECT_EQ(dossier.at("missing_documents").as_array(), (json::array{"design", "justification", "security_plan"}));
  EXPECT_EQ(dossier.at("required_documents").as_array().size(), 4u);
}

// --- CSV --------------------------------------------------------------------------------------------

TEST_F(RegistryApi, CsvImportReportsEveryBadRowAndStoresNothing) {
  auto tpl = call("GET", "/api/v1/systems/import-template.csv");
  ASSERT_EQ(tpl.status, 200);
  auto tplRows = parseCsv(tpl.body);
  ASSERT_GE(tplRows.size(), 2u);
  const auto& header = tplRows[0];
  EXPECT_EQ(header.front().substr(header.front().size() - 6), "org_id");  // after the BOM
  EXPECT_EQ(header.back(), "facts");

  const std::string org = std::to_string(agency_);
  const std::string head =
      "org_id,name,regime_id,owner,lead_operator,operators,parent_id,lifecycle,go_live_on,"
      "major_change_on,hosting,separation,requires_24x7,critical_list,web_addresses,public_ips,"
      "security_regulation_issued_on,plan_status,facts\n";
  const std::string facts = R"("{""system_type"":""internal"",""information_types"":[""public""]}")";
  const std::string good = org +
                           ",Nhập CSV một,B_ND331_TCVN14423,UBND tỉnh,Sở TT&TT,Trung tâm A;Trung tâm B,,planning,,,"
                           "on_premises,none,false,false,https://a.example.gov.vn,203.0.113.7,,not_started," +
                           facts + "\n";
  const std::string badRegime = org +
                                ",Nhập CSV hai,C_KHONG,UBND tỉnh,Sở TT&TT,,,planning,,,on_premises,none,false,"
                                "false,,,,not_started," +
                                facts + "\n";
  const std::string badIp = org +
                            ",Nhập CSV ba,B_ND331_TCVN14423,UBND tỉnh,Sở TT&TT,,,planning,,,on_premises,none,"
                            "false,false,,10.0.0.1,,not_started," +
                            facts + "\n";
  const std::string badFact = org +
                              ",Nhập CSV bốn,B_ND331_TCVN14423,UBND tỉnh,Sở TT&TT,,,planning,,,on_premises,none,"
                              "false,false,,,,not_started," +
                              R"("{""system_type"":""citizen_facing"",""information_types"":[""personal""],)"
                              R"(""personal_data_subjects_basic"":-1}")" +
                              "\n";
  auto r = call("POST", "/api/v1/systems/import",
                json::serialize(json::object{{"csv", head + good + badRegime + badIp + badFact}}));
  ASSERT_TRUE(isError(r, 400, "validation_failed")) << describe(r);
  const auto rows = parseJson(r.body).at("error").at("details").at("rows").as_array();
  ASSERT_EQ(rows.size(), 3u) << r.body;
  EXPECT_EQ(intOf(&rows[0].at("row")), 3);
  EXPECT_EQ(str(rows[0].at("column")), "regime_id");
  EXPECT_EQ(intOf(&rows[1].at("row")), 4);
  EXPECT_EQ(str(rows[1].at("column")), "public_ips");
  EXPECT_EQ(intOf(&rows[2].at("row")), 5);
  EXPECT_EQ(str(rows[2].at("column")), "facts");
  EXPECT_NE(str(rows[2].at("message")).find("personal_data_subjects_basic"), std::string::npos) << r.body;
  EXPECT_EQ(totalOf(call("GET", "/api/v1/systems?q=CSV").body), 0) << "the good row was stored";

  // A wrong header is reported on row 1.
  auto hdr = call("POST", "/api/v1/systems/import", json::serialize(json::object{{"csv", "ten,cap_do\nA,1\n"}}));
  ASSERT_TRUE(isError(hdr, 400, "validation_failed"));
  const json::value hdrBody = parseJson(hdr.body);
  EXPECT_EQ(intOf(&hdrBody.at("error").at("details").at("rows").as_array().at(0).at("row")), 1);

  auto ok = call("POST", "/api/v1/systems/import", json::serialize(json::object{{"csv", head + good}}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(jsonInt(ok.body, "created"), 1);
  auto exported = call("GET", "/api/v1/systems/export.csv?org_id=" + org);
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("Nhập CSV một"), std::string::npos);
  EXPECT_NE(exported.body.find("Trung tâm A;Trung tâm B"), std::string::npos);
}

// --- Assets, accounts, backups, contacts -------------------------------------------------------------

TEST_F(RegistryApi, FlagsAndCoverage) {
  // Its own agency, so that the coverage counts only these machines.
  const int64_t unit = srv_->createOrg(srv_->admin(), 1, "Sở Tài chính");
  Session officer = srv_->userSession("can.bo.stc", unit, "unit_officer");
  auto call2 = [&](const std::string& m, const std::string& t, const std::string& b = "") {
    return srv_->call(officer, m, t, b);
  };
  json::object b = systemBody("Mạng nội bộ Sở Tài chính",
                              {{"system_type", "internal"}, {"information_types", json::array{"public"}}});
  b["org_id"] = unit;
  auto created = call2("POST", "/api/v1/systems", json::serialize(b));
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t sys = jsonInt(created.body, "id");
  const std::string sysPath = "/api/v1/systems/" + std::to_string(sys);
  for (int i = 0; i < 3; ++i) {
    json::object ws{{"system_id", sys},       {"kind", "workstation"},           {"name", "PC-" + std::to_string(i)},
                    {"anti_malware", "Bkav"}, {"anti_malware_licensed", i != 2}, {"last_update_on", "2026-11-17"}};
    ASSERT_EQ(call2("POST", "/api/v1/assets", json::serialize(ws)).status, 201);
  }
  auto cov = parseJson(call2("GET", "/api/v1/assets/coverage?org_id=" + std::to_string(unit)).body);
  EXPECT_EQ(intOf(&cov.at("workstations_protected").at("covered")), 2) << json::serialize(cov);
  EXPECT_EQ(intOf(&cov.at("workstations_protected").at("total")), 3);
  EXPECT_DOUBLE_EQ(cov.at("workstations_protected").at("percent").as_double(), 66.6);
  ASSERT_EQ(cov.at("by_org").as_array().size(), 1u);
  EXPECT_EQ(str(cov.at("by_org").at(0).at("org_name")), "Sở Tài chính");
  auto mainBad = call2(
      "POST", "/api/v1/assets",
      json::serialize(json::object{
          {"system_id", sys}, {"kind", "server"}, {"name", "S"}, {"main_device", true}, {"main_device_kind", "waf"}}));
  EXPECT_EQ(errorField(mainBad), "main_device");

  // The clock is at 18/11/2026: 100 days unused is beyond the default 90.
  auto acc =
      call2("POST", sysPath + "/accounts",
            R"({"name":"admin","privilege":"administrator","is_default":true,"last_used_at":"2026-08-10T08:00:00Z"})");
  ASSERT_EQ(acc.status, 201) << acc.body;
  auto flags = parseJson(acc.body).at("flags").as_array();
  EXPECT_EQ(flags, (json::array{"unused", "default"}));
  auto fresh = call2("POST", sysPath + "/accounts", R"({"name":"nv.a","last_used_at":"2026-11-17T08:00:00Z"})");
  EXPECT_TRUE(parseJson(fresh.body).at("flags").as_array().empty()) << fresh.body;
  EXPECT_TRUE(isError(call2("POST", sysPath + "/accounts", R"({"name":"admin"})"), 409, "conflict"));

  auto bk = call2("POST", sysPath + "/backups",
                  R"({"scope":"CSDL kế toán","frequency":"daily","offsite_copy":true,)"
                  R"("last_backup_at":"2026-11-14T23:00:00Z","last_restore_test_at":"2026-10-01T02:00:00Z"})");
  ASSERT_EQ(bk.status, 201) << bk.body;
  EXPECT_EQ(parseJson(bk.body).at("flags").as_array(), (json::array{"backup_overdue"}));
  auto weekly = call2("POST", sysPath + "/backups",
                      R"({"scope":"Máy chủ","frequency":"weekly","last_backup_at":"2026-11-14T23:00:00Z"})");
  EXPECT_EQ(parseJson(weekly.body).at("flags").as_array(), (json::array{"restore_test_overdue"}));

  auto contact = call2("POST", "/api/v1/contacts",
                       json::serialize(json::object{{"org_id", unit},
                                                    {"role", "incident_contact"},
                                                    {"name", "Trần Văn B"},
                                                    {"title", "Phó Chánh Văn phòng"},
                                                    {"phones", json::array{"0912 345 678"}},
                                                    {"email", "tvb@stc.example.gov.vn"}}));
  ASSERT_EQ(contact.status, 201) << contact.body;
  auto badPhone = call2("POST", "/api/v1/contacts",
                        json::serialize(json::object{{"org_id", unit},
                                                     {"role", "monitoring_contact"},
                                                     {"name", "X"},
                                                     {"phones", json::array{"gọi tôi"}},
                                                     {"email", "x@example.vn"}}));
  EXPECT_EQ(errorField(badPhone), "phones[0]");
  EXPECT_EQ(totalOf(call2("GET", "/api/v1/contacts").body), 1);
}

TEST_F(RegistryApi, RecordsAreReplacedAndDeletedWithTheirAuditEntries) {
  auto sys = create(systemBody("Hệ thống hội nghị truyền hình",
                               {{"system_type", "internal"}, {"information_types", json::array{"public"}}}));
  const int64_t id = intOf(member(sys, "id"));
  auto asset = call("POST", "/api/v1/assets",
                    json::serialize(json::object{{"system_id", id}, {"kind", "server"}, {"name", "MCU-01"}}));
  ASSERT_EQ(asset.status, 201) << asset.body;
  const std::string assetPath = "/api/v1/assets/" + std::to_string(jsonInt(asset.body, "id"));
  auto put =
      call("PUT", assetPath,
           json::serialize(json::object{
               {"system_id", id}, {"kind", "server"}, {"name", "MCU-02"}, {"ip", "10.0.5.2"}, {"os", "Ubuntu 24.04"}}));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(jsonField(put.body, "name"), "MCU-02");
  auto badIp =
      call("PUT", assetPath,
           json::serialize(json::object{{"system_id", id}, {"kind", "server"}, {"name", "X"}, {"ip", "999.1.1.1"}}));
  EXPECT_EQ(errorField(badIp), "ip");
  EXPECT_EQ(jsonField(call("GET", assetPath).body, "name"), "MCU-02") << "a refused change left the asset as it was";

  auto acc = call("POST", path(sys) + "/accounts", R"({"name":"vanhanh"})");
  ASSERT_EQ(acc.status, 201);
  const std::string accPath = "/api/v1/accounts/" + std::to_string(jsonInt(acc.body, "id"));
  ASSERT_EQ(call("PUT", accPath, R"({"name":"vanhanh","privilege":"operator"})").status, 200);
  auto bk = call("POST", path(sys) + "/backups", R"({"scope":"Cấu hình","frequency":"monthly"})");
  ASSERT_EQ(bk.status, 201);
  const std::string bkPath = "/api/v1/backups/" + std::to_string(jsonInt(bk.body, "id"));
  ASSERT_EQ(call("PUT", bkPath, R"({"scope":"Cấu hình","frequency":"weekly","offline_copy":true})").status, 200);
  auto ct = call("POST", "/api/v1/contacts",
                 json::serialize(json::object{{"org_id", agency_},
                                              {"role", "monitoring_contact"},
                                              {"name", "Lê C"},
                                              {"phones", json::array{"0243 123 456"}},
                                              {"email", "lec@example.vn"}}));
  ASSERT_EQ(ct.status, 201) << ct.body;
  const std::string ctPath = "/api/v1/contacts/" + std::to_string(jsonInt(ct.body, "id"));
  ASSERT_EQ(call("PUT", ctPath,
                 json::serialize(json::object{{"org_id", agency_},
                                              {"role", "monitoring_contact"},
                                              {"name", "Lê Văn C"},
                                              {"phones", json::array{"0243 123 456"}},
                                              {"email", "lec@example.vn"}}))
                .status,
            200);

  for (const std::string& p : {assetPath, accPath, bkPath, ctPath, path(sys)})
    EXPECT_EQ(call("DELETE", p).status, 204) << p;
  EXPECT_TRUE(isError(call("GET", path(sys)), 404, "not_found"));

  std::map<std::string, int> actions;
  const auto entries = itemsOf(srv_->call(srv_->admin(), "GET", "/api/v1/audit?limit=500").body);
  for (const auto& e : entries)
    if (str(e.at("result")) == "success") ++actions[str(e.at("action"))];
  for (const char* a : {"asset.update", "asset.delete", "account.update", "account.delete", "backup.update",
                        "backup.delete", "contact.update", "contact.delete", "system.delete"})
    EXPECT_GE(actions[a], 1) << a;
}

}  // namespace
}  // namespace vigil::test
