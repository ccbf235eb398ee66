// The level calculator over HTTP: the regimes come from the catalog files, the level from the
// facts sent, every refusal names the fact.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/test_server.h"

namespace vigil::test {
namespace {

namespace json = boost::json;

class ComplianceApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srv_ = new TestServer();
    officer_ = new Session(srv_->userSession("can.bo.tinh", 1, "unit_officer"));
  }
  static void TearDownTestSuite() {
    delete officer_;
    delete srv_;
  }
  static HttpResult level(const std::string& body) {
    return srv_->call(*officer_, "POST", "/api/v1/compliance/level", body);
  }
  static std::string errorField(const HttpResult& r) {
    return jsonField(jsonField(jsonField(r.body, "error"), "details"), "field");
  }
  static TestServer* srv_;
  static Session* officer_;
};
TestServer* ComplianceApi::srv_ = nullptr;
Session* ComplianceApi::officer_ = nullptr;

TEST_F(ComplianceApi, RegimesAndTheirQuestionsComeFromTheCatalogs) {
  auto r = srv_->call(*officer_, "GET", "/api/v1/compliance/regimes");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body);
  std::set<std::string> ids;
  for (const auto& item : v.at("items").as_array()) {
    ids.insert(std::string(item.at("id").as_string()));
    bool hasSystemType = false;
    for (const auto& f : item.at("facts").as_array())
      if (f.at("name") == "system_type") {
        hasSystemType = true;
        EXPECT_EQ(f.at("type"), "enum");
        EXPECT_FALSE(f.at("label").as_string().empty());
      }
    EXPECT_TRUE(hasSystemType) << item.at("id");
  }
  EXPECT_EQ(ids, (std::set<std::string>{"A_ND85_TT12", "B_ND331_TCVN14423"}));
}

TEST_F(ComplianceApi, CitizenFacingSystemCrossesTheDecree331Threshold) {
  const std::string facts =
      R"({"regime":"B_ND331_TCVN14423","facts":{"system_type":"citizen_facing","information_types":["personal"],)"
      R"("personal_data_subjects_basic":%d}})";
  auto with = [&](int n) {
    std::string b = facts;
    b.replace(b.find("%d"), 2, std::to_string(n));
    return level(b);
  };
  auto r = with(150000);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body);
  EXPECT_EQ(v.at("level").as_int64(), 3);
  bool article13 = false;
  for (const auto& o : v.at("reasoning").as_array())
    if (o.at("met").as_bool() && o.at("level").as_int64() == 3 &&
        std::string(o.at("cite").as_string()).find("Điều 13") != std::string::npos)
      article13 = true;
  EXPECT_TRUE(article13) << r.body;
  EXPECT_FALSE(v.at("approving").at("body").as_string().empty());
  EXPECT_FALSE(v.at("deadlines").as_array().empty());
  r = with(99999);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("level").as_int64(), 2);
}

TEST_F(ComplianceApi, ComponentsRaiseTheParent) {
  auto r = level(R"({"regime":"A_ND85_TT12","facts":{"system_type":"internal","information_types":["public"]},)"
                 R"("components":[{"name":"Cổng dịch vụ công","level":3}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body);
  EXPECT_EQ(v.at("level").as_int64(), 3);
  EXPECT_EQ(v.at("criteria_level").as_int64(), 1);
  EXPECT_EQ(v.at("raised_by"), "Cổng dịch vụ công");
}

TEST_F(ComplianceApi, RefusalsNameTheFact) {
  struct Bad {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"regime":"Z","facts":{}})", "regime"},
      {R"({"regime":"B_ND331_TCVN14423","facts":{"colour":"red"}})", "colour"},
      {R"({"regime":"B_ND331_TCVN14423","facts":{"system_type":7,"information_types":["public"]}})", "system_type"},
      {R"({"regime":"B_ND331_TCVN14423","facts":{"system_type":"internal","information_types":"public"}})",
       "information_types"},
      {R"({"regime":"B_ND331_TCVN14423","facts":{"system_type":"spaceship","information_types":["public"]}})",
       "system_type"},
      {R"({"regime":"B_ND331_TCVN14423","facts":{"system_type":"internal","information_types":["public"],)"
       R"("personal_data_subjects_basic":-5}})",
       "personal_data_subjects_basic"},
      {R"({"regime":"A_ND85_TT12","facts":{"system_type":"internal","information_types":["public"]},)"
       R"("components":[{"name":"x","level":9}]})",
       "components[0].level"},
      {R"({"regime":"B_ND331_TCVN14423","facts":[]})", "facts"},
      {R"({"regime":"B_ND331_TCVN14423","facts":{},"extra":1})", "extra"},
  };
  for (const auto& c : cases) {
    auto r = level(c.body);
    EXPECT_EQ(r.status, 400) << c.body << " -> " << r.body;
    EXPECT_EQ(errorField(r), c.field) << c.body << " -> " << r.body;
  }
}

TEST_F(ComplianceApi, NeedsALogin) {
  EXPECT_EQ(srv_->client().request("GET", "/api/v1/compliance/regimes").status, 401);
  EXPECT_EQ(
      srv_->client().request("POST", "/api/v1/compliance/level", R"({"regime":"B_ND331_TCVN14423","facts":{}})").status,
      401);
}

}  // namespace
}  // namespace vigil::test

namespace vigil::test {
namespace {

TEST(ComplianceApiDeadlines, DatedOnTheWorkingDayCalendar) {
  TestServer srv;
  // Level 3 under Decree 331: appraisal 15 working days, approval 7 working days (Art. 23-24).
  // Received Thursday 12/2/2026: Tết Bính Ngọ (16-20/2) is not counted.
  auto r = srv.call(srv.admin(), "POST", "/api/v1/compliance/level",
                    R"({"regime":"B_ND331_TCVN14423","received_on":"2026-02-12","facts":{)"
                    R"("system_type":"citizen_facing","information_types":["personal"],)"
                    R"("personal_data_subjects_basic":150000}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = boost::json::parse(r.body);
  std::map<std::string, std::string> due;
  for (const auto& d : v.at("deadlines").as_array()) {
    due[std::string(d.at("step").as_string())] = std::string(d.at("due_date").as_string());
    EXPECT_FALSE(d.at("provisional").as_bool());
  }
  EXPECT_EQ(due["approval"], "2026-03-02");
  EXPECT_EQ(due["appraisal"], "2026-03-12");  // 15 working days: 13/2, then 23/2-12/3
  auto bad = srv.call(srv.admin(), "POST", "/api/v1/compliance/level",
                      R"({"regime":"B_ND331_TCVN14423","received_on":"12/02/2026","facts":{}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("received_on"), std::string::npos) << bad.body;
}

}  // namespace
}  // namespace vigil::test
