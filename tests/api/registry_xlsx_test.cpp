// XLSX export and import of systems and assets over HTTP: the templates' columns, export then
// re-import (every field survives), row errors numbered as the sheet's rows and naming the column,
// typed cells (numbers, dates) accepted like their CSV text, another agency's organisation refused,
// files that are not XLSX refused. The CSV side is in registry_api_test.cpp; both go through the
// same row checks.
#include "api_test_util.h"
#include "documents/xlsx.h"
#include "documents/xlsx_reader.h"

namespace vigil::test {
namespace {

using Rows = std::vector<std::vector<std::string>>;
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

class RegistryXlsx : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srv_ = new TestServer();
    agency_ = srv_->createOrg(srv_->admin(), 1, "Sở Y tế");
    other_ = srv_->createOrg(srv_->admin(), 1, "Sở Xây dựng");
    officer_ = new Session(srv_->userSession("can.bo.syt", agency_, "unit_officer"));
  }
  static void TearDownTestSuite() {
    delete officer_;
    delete srv_;
  }
  static HttpResult call(const std::string& method, const std::string& target, const std::string& body = "") {
    return srv_->call(*officer_, method, target, body);
  }
  // The rows of an XLSX answer (fails the test when it is not one).
  static Rows rowsOf(const HttpResult& r) {
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 500);
    EXPECT_EQ(r.header("content-type"), kXlsxType);
    EXPECT_EQ(r.body.substr(0, 2), "PK");
    auto t = documents::readXlsx(r.body);
    EXPECT_TRUE(t.ok()) << t.error().message;
    return t.ok() ? t->rows : Rows{};
  }
  // An XLSX file of these cells (the first row is the header).
  static std::string xlsxOf(const std::vector<std::vector<documents::Cell>>& rows) {
    documents::XlsxSheet sheet;
    sheet.name = "Nhập";
    for (const auto& h : rows.at(0)) sheet.columns.push_back({.header = std::get<std::string>(h)});
    sheet.rows.assign(rows.begin() + 1, rows.end());
    auto bytes = documents::writeXlsx({sheet});
    EXPECT_TRUE(bytes.ok()) << bytes.error().message;
    return bytes.ok() ? *bytes : "";
  }
  static std::string xlsxOf(const Rows& rows) {
    std::vector<std::vector<documents::Cell>> cells;
    for (const auto& r : rows) cells.emplace_back(r.begin(), r.end());
    return xlsxOf(cells);
  }
  static json::array rowErrors(const HttpResult& r) {
    return parseJson(r.body).at("error").at("details").at("rows").as_array();
  }

  static TestServer* srv_;
  static Session* officer_;
  static int64_t agency_, other_;
};
TestServer* RegistryXlsx::srv_ = nullptr;
Session* RegistryXlsx::officer_ = nullptr;
int64_t RegistryXlsx::agency_ = 0;
int64_t RegistryXlsx::other_ = 0;

const std::vector<std::string> kSystemHeader = {"org_id",
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

TEST_F(RegistryXlsx, TemplatesHaveTheCsvTemplatesColumnsAndRows) {
  for (const char* kind : {"systems", "assets"}) {
    const Rows xlsx = rowsOf(call("GET", std::string("/api/v1/") + kind + "/import-template.xlsx"));
    auto csv = parseCsv(call("GET", std::string("/api/v1/") + kind + "/import-template.csv").body);
    ASSERT_GE(xlsx.size(), 2u) << kind;
    csv[0][0] = csv[0][0].substr(3);  // the BOM
    // A CSV row keeps its trailing empty fields; a sheet row ends at its last value.
    for (auto& row : csv)
      while (!row.empty() && row.back().empty()) row.pop_back();
    EXPECT_EQ(xlsx, Rows(csv.begin(), csv.end())) << kind;
  }
  EXPECT_EQ(rowsOf(call("GET", "/api/v1/systems/import-template.xlsx")).at(0), kSystemHeader);
  auto r = call("GET", "/api/v1/systems/import-template.xlsx?x=1");
  EXPECT_TRUE(isError(r, 400, "validation_failed")) << describe(r);
}

TEST_F(RegistryXlsx, ExportThenImportKeepsEveryField) {
  const std::string org = std::to_string(agency_);
  json::object sys{{"org_id", agency_},
                   {"name", "Hệ thống quản lý hồ sơ bệnh án điện tử"},
                   {"regime_id", "B_ND331_TCVN14423"},
                   {"owner", "Sở Y tế tỉnh"},
                   {"lead_operator", "Trung tâm Công nghệ thông tin"},
                   {"operators", json::array{"Phòng Kế hoạch", "Bệnh viện Đa khoa tỉnh"}},
                   {"lifecycle", "operating"},
                   {"go_live_on", "2024-03-15"},
                   {"hosting", "data_centre"},
                   {"separation", "logical"},
                   {"requires_24x7", true},
                   {"web_addresses", json::array{"https://benhan.example.gov.vn"}},
                   {"public_ips", json::array{"203.0.113.44"}},
                   {"security_regulation_issued_on", "2025-01-02"},
                   {"plan_status", "partly"},
                   {"facts", json::object{{"system_type", "internal"}, {"information_types", json::array{"public"}}}}};
  auto created = call("POST", "/api/v1/systems", json::serialize(sys));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string sysId = std::to_string(jsonInt(created.body, "id"));

  const Rows before = rowsOf(call("GET", "/api/v1/systems/export.xlsx?org_id=" + org));
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0], kSystemHeader);
  EXPECT_EQ(before[1][0], org);  // a number cell read back as the id
  EXPECT_EQ(before[1][1], "Hệ thống quản lý hồ sơ bệnh án điện tử");
  EXPECT_EQ(before[1][5], "Phòng Kế hoạch;Bệnh viện Đa khoa tỉnh");
  EXPECT_EQ(before[1][8], "2024-03-15");  // a date cell read back as the date
  EXPECT_EQ(before[1][12], "true");

  // The exported file, unchanged, imports as a second identical system.
  const auto exported = call("GET", "/api/v1/systems/export.xlsx?org_id=" + org);
  auto imported = call("POST", "/api/v1/systems/import.xlsx", exported.body);
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(jsonInt(imported.body, "created"), 1);
  const Rows after = rowsOf(call("GET", "/api/v1/systems/export.xlsx?org_id=" + org));
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[1], before[1]);
  EXPECT_EQ(after[2], before[1]);

  // Assets: exported, renamed (names are unique within a system) and imported back.
  json::object asset{{"system_id", jsonInt(created.body, "id")},
                     {"kind", "server"},
                     {"name", "Máy chủ CSDL"},
                     {"ip", "10.20.0.5"},
                     {"os", "Ubuntu 24.04"},
                     {"location", "Phòng máy chủ tầng 3"},
                     {"anti_malware", "Bkav"},
                     {"anti_malware_licensed", true},
                     {"last_update_on", "2026-11-20"}};
  ASSERT_EQ(call("POST", "/api/v1/assets", json::serialize(asset)).status, 201);
  Rows assets = rowsOf(call("GET", "/api/v1/assets/export.xlsx?org_id=" + org));
  ASSERT_EQ(assets.size(), 2u);
  EXPECT_EQ(assets[1][0], sysId);
  EXPECT_EQ(assets[1][11], "2026-11-20");
  assets[1][2] = "Máy chủ CSDL dự phòng";
  auto assetImport = call("POST", "/api/v1/assets/import.xlsx", xlsxOf(assets));
  ASSERT_EQ(assetImport.status, 200) << assetImport.body;
  const Rows assetsAfter = rowsOf(call("GET", "/api/v1/assets/export.xlsx?org_id=" + org));
  ASSERT_EQ(assetsAfter.size(), 3u);
  EXPECT_EQ(assetsAfter[2], assets[1]);
}

TEST_F(RegistryXlsx, RowErrorsNameTheSheetRowAndColumnAndNothingIsStored) {
  const double org = static_cast<double>(agency_);
  const std::string facts = R"({"system_type":"internal","information_types":["public"]})";
  auto row = [&](const std::string& name, const std::string& regime, const std::string& ip, documents::Cell golive) {
    using S = std::string;
    return std::vector<documents::Cell>{org,
                                        name,
                                        regime,
                                        S("UBND tỉnh"),
                                        S("Sở Y tế"),
                                        S(),
                                        S(),
                                        S(std::holds_alternative<documents::Date>(golive) ? "operating" : "planning"),
                                        golive,
                                        S(),
                                        S("on_premises"),
                                        S("none"),
                                        S("false"),
                                        S("false"),
                                        S(),
                                        ip,
                                        S(),
                                        S("not_started"),
                                        facts};
  };
  std::vector<std::vector<documents::Cell>> sheet = {{kSystemHeader.begin(), kSystemHeader.end()}};
  sheet.push_back(row("Nhập XLSX một", "B_ND331_TCVN14423", "", documents::Date{2025, 6, 1}));
  sheet.push_back(row("Nhập XLSX hai", "C_KHONG", "", std::monostate{}));
  sheet.push_back(row("Nhập XLSX ba", "B_ND331_TCVN14423", "10.0.0.1", std::monostate{}));
  sheet.push_back(row("Nhập XLSX bốn", "B_ND331_TCVN14423", "", std::string("31/02/2025")));
  auto r = call("POST", "/api/v1/systems/import.xlsx", xlsxOf(sheet));
  ASSERT_TRUE(isError(r, 400, "validation_failed")) << describe(r);
  EXPECT_EQ(jsonField(jsonField(jsonField(r.body, "error"), "details"), "field"), "file");
  const auto errors = rowErrors(r);
  ASSERT_EQ(errors.size(), 3u) << r.body;
  const std::pair<int, const char*> expected[] = {{3, "regime_id"}, {4, "public_ips"}, {5, "go_live_on"}};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(intOf(&errors[i].at("row")), expected[i].first) << r.body;
    EXPECT_EQ(str(errors[i].at("column")), expected[i].second) << r.body;
  }
  EXPECT_EQ(totalOf(call("GET", "/api/v1/systems?q=XLSX").body), 0) << "the good row was stored";

  // A header problem is on row 1; a value right of the header's columns names its row.
  auto hdr = call("POST", "/api/v1/systems/import.xlsx", xlsxOf(Rows{{"ten", "cap_do"}, {"A", "1"}}));
  ASSERT_TRUE(isError(hdr, 400, "validation_failed")) << describe(hdr);
  const auto hdrErrors = rowErrors(hdr);
  EXPECT_EQ(intOf(&hdrErrors.at(0).at("row")), 1);
  Rows wide = {kSystemHeader,
               {std::to_string(agency_),
                "Nhập XLSX rộng",
                "B_ND331_TCVN14423",
                "UBND tỉnh",
                "Sở Y tế",
                "",
                "",
                "planning",
                "",
                "",
                "on_premises",
                "none",
                "false",
                "false",
                "",
                "",
                "",
                "not_started",
                facts,
                "thừa"}};
  wide[0].push_back("");
  auto extra = call("POST", "/api/v1/systems/import.xlsx", xlsxOf(wide));
  ASSERT_TRUE(isError(extra, 400, "validation_failed")) << describe(extra);
  const auto extraErrors = rowErrors(extra);
  EXPECT_EQ(intOf(&extraErrors.at(0).at("row")), 2) << extra.body;

  // The good row alone, with typed cells (a number org_id, a real date): stored.
  auto ok = call("POST", "/api/v1/systems/import.xlsx", xlsxOf({sheet[0], sheet[1]}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto list = call("GET", "/api/v1/systems?q=XLSX");
  ASSERT_EQ(totalOf(list.body), 1);
  EXPECT_EQ(str(itemsOf(list.body).at(0).at("go_live_on")), "2025-06-01");
}

TEST_F(RegistryXlsx, AnotherAgencysOrganisationIsRefused) {
  Rows rows = {kSystemHeader,
               {std::to_string(other_), "Hệ thống lấn sân XLSX", "B_ND331_TCVN14423", "UBND tỉnh", "Sở Y tế", "", "",
                "planning", "", "", "on_premises", "none", "false", "false", "", "", "", "not_started",
                R"({"system_type":"internal","information_types":["public"]})"}};
  auto r = call("POST", "/api/v1/systems/import.xlsx", xlsxOf(rows));
  EXPECT_TRUE(isError(r, 404, "not_found")) << describe(r);
  auto all = srv_->call(srv_->admin(), "GET", "/api/v1/systems?limit=500");
  EXPECT_EQ(all.body.find("lấn sân XLSX"), std::string::npos);
}

TEST_F(RegistryXlsx, FilesThatAreNotXlsxAreRefused) {
  const std::string csv = "org_id,name\n1,x\n";
  for (const std::string& body :
       {csv, json::serialize(json::object{{"csv", csv}}), std::string(""), std::string("PK\x03\x04garbage")}) {
    for (const char* kind : {"systems", "assets"}) {
      auto r = call("POST", std::string("/api/v1/") + kind + "/import.xlsx", body);
      EXPECT_TRUE(isError(r, 400, "bad_request")) << kind << ": " << describe(r);
      EXPECT_NE(r.body.find("XLSX"), std::string::npos) << r.body;
    }
  }
  // Over the limits: more than 5,000 records (the header is row 1), more than 8 MiB.
  Rows many = {{"system_id", "kind", "name", "ip", "os", "location", "main_device", "main_device_kind",
                "internet_connected", "anti_malware", "anti_malware_licensed", "last_update_on"}};
  for (int i = 0; i < 5001; ++i) many.push_back({"1", "workstation", "PC-" + std::to_string(i)});
  auto tooMany = call("POST", "/api/v1/assets/import.xlsx", xlsxOf(many));
  EXPECT_TRUE(isError(tooMany, 413, "payload_too_large")) << describe(tooMany);
  EXPECT_NE(tooMany.body.find("row 5002"), std::string::npos) << tooMany.body;
  // The route takes files above the general body limit, up to 8 MiB (refused from the header).
  EXPECT_EQ(srv_->api().bodyLimit("POST", "/api/v1/assets/import.xlsx", 100), 8 << 20);
  EXPECT_EQ(srv_->api().bodyLimit("POST", "/api/v1/systems/import.xlsx", 100), 8 << 20);
  EXPECT_TRUE(
      isError(sendHeadOnly(srv_->port(), "POST", "/api/v1/systems/import.xlsx", (8 << 20) + 1, officer_->headers()),
              413, "payload_too_large"));

  // A sheet missing columns: reported on row 1.
  auto empty = call("POST", "/api/v1/assets/import.xlsx", xlsxOf(Rows{{"system_id"}}));
  ASSERT_TRUE(isError(empty, 400, "validation_failed")) << describe(empty);
  EXPECT_EQ(str(rowErrors(empty).at(0).at("message")), "missing column") << empty.body;
}

}  // namespace
}  // namespace vigil::test
