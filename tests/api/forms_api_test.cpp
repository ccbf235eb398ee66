// Official forms over HTTP: definitions, a system's dossier forms and an agency's annual report
// filled from the registry, the missing mandatory fields listed before rendering, DOCX/XLSX
// downloads with their SHA-256, and scoping (another agency's system or report is not found).
#include "api/registry_io.h"
#include "api_test_util.h"
#include "core/crypto.h"

namespace vigil::test {
namespace {

constexpr const char* kRegimeB = "B_ND331_TCVN14423";

class FormsApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srv_ = new TestServer();
    agency_ = srv_->createOrg(srv_->admin(), 1, "Sở Nội vụ");
    other_ = srv_->createOrg(srv_->admin(), 1, "Sở Công Thương");
    officer_ = new Session(srv_->userSession("can.bo.snv", agency_, "unit_officer"));
    outsider_ = new Session(srv_->userSession("can.bo.sct", other_, "unit_officer"));
    json::object b{{"org_id", agency_},
                   {"name", "Cổng thông tin điện tử Sở Nội vụ"},
                   {"regime_id", kRegimeB},
                   {"owner", "Ủy ban nhân dân tỉnh"},
                   {"lead_operator", "Sở Nội vụ"},
                   {"plan_status", "partly"},
                   {"facts", json::object{{"system_type", "citizen_facing"},
                                          {"information_types", json::array{"public", "personal"}},
                                          {"personal_data_subjects_basic", 150000}}}};
    auto r = call("POST", "/api/v1/systems", body(b));
    ASSERT_EQ(r.status, 201) << r.body;
    system_ = jsonInt(r.body, "id");
  }
  static void TearDownTestSuite() {
    delete officer_;
    delete outsider_;
    delete srv_;
  }
  static HttpResult call(const std::string& method, const std::string& target, const std::string& b = "") {
    return srv_->call(*officer_, method, target, b);
  }
  static std::string today() {
    // The server's clock is manual; its local day is the latest a dossier step may be dated.
    return api::todayLocal(srv_->api());
  }
  // The prefilled item of `form` in a list answer.
  static json::object itemOf(const std::string& listBody, const std::string& form) {
    for (const auto& i : itemsOf(listBody))
      if (str(i.at("form")) == form) return i.as_object();
    ADD_FAILURE() << form << " not in " << listBody;
    return {};
  }
  static std::set<std::string> missingNames(const json::object& item) {
    std::set<std::string> out;
    for (const auto& m : item.at("missing").as_array()) out.insert(str(m.at("name")));
    return out;
  }

  static TestServer* srv_;
  static Session* officer_;
  static Session* outsider_;
  static int64_t agency_, other_, system_;
};
TestServer* FormsApi::srv_ = nullptr;
Session* FormsApi::officer_ = nullptr;
Session* FormsApi::outsider_ = nullptr;
int64_t FormsApi::agency_ = 0;
int64_t FormsApi::other_ = 0;
int64_t FormsApi::system_ = 0;

TEST_F(FormsApi, DefinitionsCarryTheirSourceFieldsAndFormats) {
  auto r = call("GET", "/api/v1/forms");
  ASSERT_EQ(r.status, 200) << r.body;
  bool sawReport = false;
  for (const auto& f : itemsOf(r.body)) {
    if (str(f.at("id")) != "nd331-mau-08") continue;
    sawReport = true;
    EXPECT_EQ(str(f.at("regime")), "B");
    EXPECT_NE(str(f.at("source").at("cite")).find("331/2026"), std::string::npos);
    EXPECT_EQ(f.at("formats").as_array().size(), 2u);  // docx and xlsx
    bool systemsTable = false;
    for (const auto& t : f.at("tables").as_array()) systemsTable |= str(t.at("name")) == "systems";
    EXPECT_TRUE(systemsTable);
  }
  EXPECT_TRUE(sawReport);
}

TEST_F(FormsApi, DossierFormsAreFilledFromTheRecordAndListWhatIsMissing) {
  auto r = call("GET", "/api/v1/systems/" + std::to_string(system_) + "/forms");
  ASSERT_EQ(r.status, 200) << r.body;
  auto m01 = itemOf(r.body, "nd331-mau-01");
  const auto& fields = m01.at("data").at("fields").as_object();
  EXPECT_EQ(str(fields.at("system_name")), "Cổng thông tin điện tử Sở Nội vụ");
  EXPECT_EQ(str(fields.at("operator_name")), "Sở Nội vụ");
  EXPECT_EQ(str(fields.at("issuer_name")), "Sở Nội vụ");
  EXPECT_EQ(str(fields.at("proposed_level")), "3");  // 150,000 basic subjects: Decree 331 Art. 13
  EXPECT_EQ(str(fields.at("issue_place")), "Thử Nghiệm");
  EXPECT_EQ(str(fields.at("issue_date")).rfind("ngày ", 0), 0u);
  // The appraising body of the level is the addressee of the request (Decree 331 Art. 18).
  EXPECT_FALSE(str(fields.at("recipient")).empty());
  const auto missing = missingNames(m01);
  EXPECT_TRUE(missing.count("document_number"));
  EXPECT_TRUE(missing.count("signer_name"));
  EXPECT_FALSE(missing.count("system_name"));
  // No annual report among the dossier forms.
  for (const auto& i : itemsOf(r.body)) EXPECT_NE(str(i.at("form")), "nd331-mau-08");
}

TEST_F(FormsApi, RenderRefusesMissingFieldsAllAtOnceThenReturnsTheDocxWithItsHash) {
  auto prefill = call("GET", "/api/v1/systems/" + std::to_string(system_) + "/forms");
  auto m01 = itemOf(prefill.body, "nd331-mau-01");
  json::object req{{"form", "nd331-mau-01"}, {"format", "docx"}, {"data", m01.at("data")}};
  auto refused = call("POST", "/api/v1/forms/render", body(req));
  ASSERT_TRUE(isError(refused, 400, "validation_failed"));
  auto details = parseJson(refused.body).at("error").at("details");
  std::set<std::string> listed;
  for (const auto& m : details.at("missing").as_array()) listed.insert(str(m.at("name")));
  EXPECT_EQ(listed, missingNames(m01));

  auto& fields = req["data"].as_object()["fields"].as_object();
  fields["document_number"] = "15/SNV-CNTT";
  fields["address"] = "Số 1 đường Hoàng Liên, thành phố Lào Cai";
  fields["recipient"] = "Sở Khoa học & Công nghệ <thẩm định>";
  fields["signer_title"] = "GIÁM ĐỐC";
  fields["signer_name"] = "Nguyễn Văn An";
  auto ok = call("POST", "/api/v1/forms/render", body(req));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("content-type"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(ok.body.substr(0, 2), "PK");
  EXPECT_EQ(ok.header("x-content-sha256"), crypto::sha256Hex(ok.body));
  // The same data gives the same file (the hash can go in a submission register).
  auto again = call("POST", "/api/v1/forms/render", body(req));
  EXPECT_EQ(again.header("x-content-sha256"), ok.header("x-content-sha256"));

  // A dossier form has no spreadsheet version; an unknown form or a non-text value is refused.
  req["format"] = "xlsx";
  EXPECT_TRUE(isError(call("POST", "/api/v1/forms/render", body(req)), 400, "validation_failed"));
  json::object unknown{{"form", "mau-99"}, {"data", json::object{}}};
  auto u = call("POST", "/api/v1/forms/render", body(unknown));
  EXPECT_TRUE(isError(u, 400, "validation_failed"));
  EXPECT_EQ(errorField(u), "form");
  json::object number{{"form", "nd331-mau-01"}, {"data", json::object{{"fields", json::object{{"system_name", 5}}}}}};
  auto n = call("POST", "/api/v1/forms/render", body(number));
  EXPECT_TRUE(isError(n, 400, "validation_failed"));
  EXPECT_EQ(errorField(n), "system_name");
}

TEST_F(FormsApi, AnnualReportCountsTheAgencysSystemsAndDossiers) {
  // Take the dossier to approved.
  auto d = call("POST", "/api/v1/systems/" + std::to_string(system_) + "/dossiers", "{}");
  ASSERT_EQ(d.status, 201) << d.body;
  const std::string dossier = "/api/v1/dossiers/" + std::to_string(jsonInt(d.body, "id"));
  for (
      const char* step :
      {R"({"to":"sent_for_appraisal","on":"DAY"})", R"({"to":"appraised","on":"DAY","result":"suitable"})",
       R"({"to":"approved","on":"DAY","decision_number":"123/QĐ-UBND","decision_body":"UBND tỉnh","approved_level":3})"}) {
    auto t = call("POST", dossier + "/transition", replaceAll(step, "DAY", today()));
    ASSERT_EQ(t.status, 200) << t.body;
  }
  // A periodic assessment by an external assessor, every item met, completed today (in the
  // 2026 data window): the system counts as assessed and its column says so.
  auto a = call("POST", "/api/v1/systems/" + std::to_string(system_) + "/assessments",
                body({{"kind", "periodic"}, {"assessor_type", "external"}, {"assessor_name", "Trung tâm giám sát"}}));
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string assessment = "/api/v1/assessments/" + std::to_string(jsonInt(a.body, "id"));
  auto checklist = call("GET", "/api/v1/systems/" + std::to_string(system_) + "/checklist");
  const json::value list = parseJson(checklist.body);
  for (const auto& item : list.at("items").as_array()) {
    auto put = call("PUT", assessment + "/results", body({{"item", item.at("id")}, {"status", "met"}}));
    ASSERT_EQ(put.status, 200) << put.body;
  }
  auto done = call("POST", assessment + "/complete", body({{"completed_on", today()}}));
  ASSERT_EQ(done.status, 200) << done.body;

  auto r = call("GET", "/api/v1/reports/annual?org_id=" + std::to_string(agency_) + "&year=" + today().substr(0, 4));
  ASSERT_EQ(r.status, 200) << r.body;
  auto m08 = itemOf(r.body, "nd331-mau-08");
  const auto& fields = m08.at("data").at("fields").as_object();
  EXPECT_EQ(str(fields.at("owner_name")), "Sở Nội vụ");
  const int year = std::stoi(today().substr(0, 4));
  EXPECT_EQ(str(fields.at("period_from")), "15/12/" + std::to_string(year - 1));
  EXPECT_EQ(str(fields.at("period_to")), "14/12/" + std::to_string(year));
  EXPECT_EQ(str(fields.at("assessed_systems")), "1");
  EXPECT_EQ(str(fields.at("total_systems")), "1");
  EXPECT_EQ(str(fields.at("dossier_systems")), "1");
  EXPECT_EQ(str(fields.at("appraised_systems")), "1");
  EXPECT_EQ(str(fields.at("approved_systems")), "1");
  const auto& rows = m08.at("data").at("tables").at("systems").as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(str(rows[0].at("approval_status")), "Đã được phê duyệt");
  EXPECT_NE(str(rows[0].at("approval_decision")).find("123/QĐ-UBND"), std::string::npos);
  EXPECT_EQ(str(rows[0].at("plan_implementation")), "Đã triển khai một số hạng mục");
  EXPECT_EQ(str(rows[0].at("level")), "3");
  EXPECT_EQ(str(rows[0].at("assessment")), "Định kỳ");

  // Completed, it renders as XLSX too.
  json::object data = m08.at("data").as_object();
  auto& f = data["fields"].as_object();
  for (const auto& m : m08.at("missing").as_array()) {
    const std::string name = str(m.at("name"));
    if (name.find('[') == std::string::npos && name != "owners") f[name] = name == "assessed_systems" ? "0" : "Giá trị";
  }
  auto& owners = data["tables"].as_object()["owners"].as_array();
  for (auto& row : owners)
    for (const char* col : {"representative", "address", "contact", "unit_name", "unit_mandate", "unit_representative",
                            "unit_address", "unit_contact"})
      row.as_object()[col] = "Thông tin";
  json::object req{{"form", "nd331-mau-08"}, {"format", "xlsx"}, {"data", data}};
  auto x = call("POST", "/api/v1/forms/render", body(req));
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(x.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

TEST_F(FormsApi, AnotherAgencyCannotReachTheSystemOrTheReport) {
  auto sys = srv_->call(*outsider_, "GET", "/api/v1/systems/" + std::to_string(system_) + "/forms");
  EXPECT_TRUE(isError(sys, 404, "not_found"));
  auto rep = srv_->call(*outsider_, "GET", "/api/v1/reports/annual?org_id=" + std::to_string(agency_));
  EXPECT_TRUE(isError(rep, 404, "not_found"));
  // Without an org, the outsider's report holds no system of the other agency (none of its own).
  auto own = srv_->call(*outsider_, "GET", "/api/v1/reports/annual");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(totalOf(own.body), 0);
  EXPECT_EQ(own.body.find("Sở Nội vụ"), std::string::npos);
}

TEST_F(FormsApi, BadQueryParametersAreNamed) {
  auto y = call("GET", "/api/v1/reports/annual?year=1990");
  EXPECT_TRUE(isError(y, 400, "validation_failed"));
  EXPECT_EQ(errorField(y), "year");
  auto q = call("GET", "/api/v1/reports/annual?nam=2026");
  EXPECT_TRUE(isError(q, 400, "validation_failed"));
}

}  // namespace
}  // namespace vigil::test

namespace vigil::test {
namespace {

// A province's report holds thousands of rows: the render route takes bodies larger than the
// general http.max_body_bytes; other routes still refuse them with 413.
TEST_F(FormsApi, LargeReportBodiesReachTheRenderRouteOnly) {
  EXPECT_EQ(srv_->api().bodyLimit("POST", "/api/v1/forms/render", 100), 16 << 20);
  EXPECT_EQ(srv_->api().bodyLimit("POST", "/api/v1/dossiers/7/attachments?kind=design", 100), 64 << 10);
  EXPECT_EQ(srv_->api().bodyLimit("POST", "/api/v1/orgs", 100), 100);
  EXPECT_EQ(srv_->api().bodyLimit("GET", "/api/v1/forms/render", 100), 100);  // 405 route: the default

  json::array rows;
  for (int i = 0; i < 6000; ++i)
    rows.push_back(json::object{{"name", "Hệ thống thông tin số " + std::to_string(i)},
                                {"owner", "Ủy ban nhân dân tỉnh"},
                                {"operator", "Sở Thông tin và Truyền thông tỉnh"},
                                {"level", "2"},
                                {"approval_status", "Đã được phê duyệt"},
                                {"plan_implementation", "Đã triển khai đầy đủ"}});
  json::object req{{"form", "nd331-mau-08"},
                   {"format", "xlsx"},
                   {"data", json::object{{"tables", json::object{{"systems", rows}}}}}};
  const std::string big = body(req);
  ASSERT_GT(big.size(), size_t{1} << 20);
  auto r = call("POST", "/api/v1/forms/render", big);
  // Read whole and judged: the scalar fields are missing.
  EXPECT_TRUE(isError(r, 400, "validation_failed")) << r.status;
  // Refused from the header alone (the body is not sent: a full write would race with the close).
  const auto& auth = officer_->headers();
  EXPECT_TRUE(isError(sendHeadOnly(srv_->port(), "POST", "/api/v1/orgs", static_cast<int64_t>(big.size()), auth), 413,
                      "payload_too_large"));
  EXPECT_TRUE(isError(sendHeadOnly(srv_->port(), "POST", "/api/v1/forms/render", (16 << 20) + 1, auth), 413,
                      "payload_too_large"));
}

}  // namespace
}  // namespace vigil::test

namespace vigil::test {
namespace {

// curl sends "Expect: 100-continue" with large bodies and waits for the interim answer before
// sending them: the server gives it at once, then reads the body and answers as usual.
TEST_F(FormsApi, ExpectContinueIsAnsweredBeforeTheBody) {
  const std::string payload = body(json::object{{"form", "nd331-mau-99"}, {"data", json::object{}}});
  RawConnection c(srv_->port());
  std::string head =
      "POST /api/v1/forms/render HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nConnection: close\r\nContent-Length: " +
      std::to_string(payload.size()) + "\r\n";
  for (const auto& [name, value] : officer_->headers()) head += name + ": " + value + "\r\n";
  c.send(head + "\r\n");
  const std::string interim = c.readUntilClose(std::chrono::milliseconds(150));
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << interim;
  c.send(payload);
  const std::string answer = c.readUntilClose(std::chrono::milliseconds(2000));
  EXPECT_NE(answer.find("HTTP/1.1 400"), std::string::npos) << answer;  // the unknown form, judged
  EXPECT_NE(answer.find("\"form\""), std::string::npos) << answer;
}

}  // namespace
}  // namespace vigil::test
