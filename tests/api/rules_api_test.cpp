// Detection rules over HTTP (routes_rules.cpp, store/sqlite/rule_ops.cpp): upload with the refusal
// naming the line, list filters, edit with versions (each version's text in the audit log),
// enable/disable, per-agency settings that decide which agencies' events raise alerts, the
// permissions of the roles, and deletion. Events go through the collector (the real input path);
// alerts come out of the live detection stage of TestServer.
#include <boost/json.hpp>
#include <thread>

#include "api_test_util.h"

namespace vigil::test {
namespace {

namespace json = boost::json;

std::string ruleYaml(const std::string& id, const std::string& title, const std::string& host,
                     const std::string& level = "high") {
  return "title: " + title + "\nid: " + id + "\nstatus: experimental\nlevel: " + level +
         "\ntags:\n  - attack.credential_access\n  - attack.t1110\nlogsource:\n  product: test\ndetection:\n"
         "  sel:\n    host.name: " +
         host + "\n  condition: sel\n";
}

std::string body(const json::object& o) { return json::serialize(o); }

class RulesApi : public ::testing::Test {
 protected:
  void SetUp() override {
    Session& root = srv_.admin();
    a_ = srv_.createOrg(root, 1, "Sở Y tế");
    unitA_ = srv_.createOrg(root, a_, "Phòng CNTT", "unit");
    b_ = srv_.createOrg(root, 1, "Sở Tài chính");
    socA_ = srv_.userSession("soc.yte", a_, "soc_analyst");
    officerA_ = srv_.userSession("canbo.yte", a_, "unit_officer");
  }

  // Waits until the running rule set's version is above `v` (the API reloads in the background).
  void waitForReloadAfter(uint64_t v) {
    for (int i = 0; i < 300 && srv_.rules().status().version <= v; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_GT(srv_.rules().status().version, v);
  }

  // One event of `org` for host `host`, through the collector; returns once detection is done.
  void sendEvent(int64_t org, const std::string& host) {
    normalize::Event e;
    e.reset("login failure on " + host);
    e.setString("host.name", host);
    std::vector<normalize::Event> batch{e};
    ASSERT_TRUE(srv_.collector()
                    .submitEvents(collect::Input::kHttpNdjson, {.orgId = org, .declared = true}, "test", batch, 0, {})
                    .ok());
    srv_.detection().flush();
    srv_.alertSink().flush();
  }

  int64_t alertsOf(const std::string& rule, int64_t org) {
    auto r = srv_.call(srv_.admin(), "GET", "/api/v1/alerts?rule=" + rule + "&org_id=" + std::to_string(org));
    EXPECT_EQ(r.status, 200) << r.body;
    int64_t n = 0;
    const json::value v = json::parse(r.body);
    for (const auto& a : v.at("items").as_array())
      if (a.at("org_id").as_int64() == org) ++n;
    return n;
  }

  TestServer srv_;
  int64_t a_ = 0, unitA_ = 0, b_ = 0;
  Session socA_, officerA_;
};

TEST_F(RulesApi, RefusedUploadsNameTheLineAndStoreNothing) {
  struct Case {
    std::string yaml;
    int line;
    std::string reason;  // a part of it
  };
  const Case cases[] = {
      {"title: x\nid: 1\nlogsource:\n  product: test\ndetection:\n  sel:\n    a|nosuch: 1\n  condition: sel\n", 7,
       "unknown modifier 'nosuch'"},
      {"title: x\nid: 1\nlogsource:\n  product: test\ndetection:\n  sel:\n    a: 1\n  condition: sel and nope\n", 8,
       "nope"},
      {"title: x\nid: 1\nlogsource:\n  product: test\ndetection:\n  sel:\n    a|re: '(unclosed'\n  condition: sel\n", 7,
       "regular expression"},
      {"title: [unclosed\n", 2, "YAML"},  // yaml-cpp notices at the end of the input
      {"title: no id\nlogsource:\n  product: test\ndetection:\n  sel:\n    a: 1\n  condition: sel\n", 1, "no `id:`"},
      {"title: bad id\nid: 'a/b c'\nlogsource:\n  product: test\ndetection:\n  sel:\n    a: 1\n  condition: sel\n", 1,
       "must be letters"},
  };
  for (const Case& c : cases) {
    for (const char* route : {"/api/v1/rules", "/api/v1/rules/validate"}) {
      auto r = srv_.call(socA_, "POST", route, body({{"yaml", c.yaml}}));
      ASSERT_EQ(r.status, 400) << route << " " << c.yaml << "\n" << r.body;
      const json::value v = json::parse(r.body);
      EXPECT_EQ(v.at("error").at("details").at("field").as_string(), "yaml");
      EXPECT_EQ(v.at("error").at("details").at("line").as_int64(), c.line) << c.yaml << "\n" << r.body;
      EXPECT_NE(std::string(v.at("error").at("details").at("reason").as_string()).find(c.reason), std::string::npos)
          << r.body;
    }
  }
  auto list = srv_.call(srv_.admin(), "GET", "/api/v1/rules?source=database");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body).at("total").as_int64(), 0) << list.body;
}

TEST_F(RulesApi, UploadedRuleRaisesAlertsWithTagsForItsAgencyOnly) {
  const uint64_t v0 = srv_.rules().status().version;
  auto created = srv_.call(socA_, "POST", "/api/v1/rules",
                           body({{"yaml", ruleYaml("r-yte-1", "Đăng nhập lỗi máy chủ Y tế", "web01")}}));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body).at("org_id").as_int64(), a_) << "the analyst's agency by default";
  waitForReloadAfter(v0);

  sendEvent(a_, "web01");
  sendEvent(unitA_, "web01");
  sendEvent(b_, "web01");  // the rule of A does not apply to B
  sendEvent(a_, "web02");  // does not match
  EXPECT_EQ(alertsOf("r-yte-1", a_), 1);
  EXPECT_EQ(alertsOf("r-yte-1", unitA_), 1);
  EXPECT_EQ(alertsOf("r-yte-1", b_), 0);

  auto list = srv_.call(srv_.admin(), "GET", "/api/v1/alerts?rule=r-yte-1&org_id=" + std::to_string(a_));
  const json::value alerts = json::parse(list.body);
  const auto& first = alerts.at("items").as_array().at(0);
  EXPECT_EQ(first.at("detector").as_string(), "sigma");
  EXPECT_EQ(first.at("severity").as_string(), "high");
  EXPECT_EQ(json::serialize(first.at("tags")), R"(["attack.credential_access","attack.t1110"])");

  // The list shows the rule, loaded, with its filters.
  auto rules = srv_.call(socA_, "GET", "/api/v1/rules?level=high&tag=attack.t1110&source=database&q=y%20t");
  ASSERT_EQ(rules.status, 200) << rules.body;
  const json::value lv = json::parse(rules.body);
  ASSERT_EQ(lv.at("total").as_int64(), 1) << rules.body;
  EXPECT_TRUE(lv.at("items").as_array().at(0).at("loaded").as_bool());
  for (const char* miss :
       {"/api/v1/rules?level=low", "/api/v1/rules?tag=attack.t1059", "/api/v1/rules?source=directory",
        "/api/v1/rules?enabled=false", "/api/v1/rules?status=stable"}) {
    auto r = srv_.call(socA_, "GET", miss);
    ASSERT_EQ(r.status, 200) << miss;
    EXPECT_EQ(json::parse(r.body).at("total").as_int64(), 0) << miss;
  }
  EXPECT_EQ(srv_.call(socA_, "GET", "/api/v1/rules?source=file").status, 400);
}

TEST_F(RulesApi, EditsAreVersionedInTheAuditLogAndSwitchesApply) {
  uint64_t v = srv_.rules().status().version;
  ASSERT_EQ(srv_.call(socA_, "POST", "/api/v1/rules", body({{"yaml", ruleYaml("r-yte-2", "Máy một", "h1")}})).status,
            201);
  waitForReloadAfter(v);
  // Edit: version 2 matches another host; a stale version is refused.
  v = srv_.rules().status().version;
  auto put = srv_.call(socA_, "PUT", "/api/v1/rules/r-yte-2",
                       body({{"yaml", ruleYaml("r-yte-2", "Máy hai", "h2")}, {"version", 1}}));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(json::parse(put.body).at("version").as_int64(), 2);
  auto stale = srv_.call(socA_, "PUT", "/api/v1/rules/r-yte-2",
                         body({{"yaml", ruleYaml("r-yte-2", "Máy ba", "h3")}, {"version", 1}}));
  EXPECT_EQ(stale.status, 409) << stale.body;
  auto renamed = srv_.call(socA_, "PUT", "/api/v1/rules/r-yte-2", body({{"yaml", ruleYaml("r-other", "X", "h3")}}));
  EXPECT_EQ(renamed.status, 400) << renamed.body;
  waitForReloadAfter(v);
  sendEvent(a_, "h1");
  sendEvent(a_, "h2");
  auto alerts = srv_.call(srv_.admin(), "GET", "/api/v1/alerts?rule=r-yte-2");
  const json::value av = json::parse(alerts.body);
  ASSERT_EQ(av.at("items").as_array().size(), 1u) << alerts.body;
  EXPECT_EQ(av.at("items").as_array()[0].at("asset").as_string(), "h2");

  // Both versions' texts are in the audit log.
  auto audit = srv_.call(srv_.admin(), "GET", "/api/v1/audit?object_type=rule&limit=50");
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("host.name: h1"), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("host.name: h2"), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("rule.update"), std::string::npos);

  // Off for the unit only: A still alerts, its unit does not.
  v = srv_.rules().status().version;
  auto off = srv_.call(socA_, "PUT", "/api/v1/rules/r-yte-2/agencies/" + std::to_string(unitA_), R"({"state":"off"})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(
      srv_.call(socA_, "PUT", "/api/v1/rules/r-yte-2/agencies/" + std::to_string(b_), R"({"state":"off"})").status, 404)
      << "B is outside the analyst's scope";
  EXPECT_EQ(srv_.call(socA_, "PUT", "/api/v1/rules/r-yte-2/agencies/" + std::to_string(unitA_), R"({"state":"maybe"})")
                .status,
            400);
  waitForReloadAfter(v);
  sendEvent(unitA_, "h2");
  EXPECT_EQ(alertsOf("r-yte-2", unitA_), 0);
  auto one = srv_.call(socA_, "GET", "/api/v1/rules/r-yte-2");
  ASSERT_EQ(one.status, 200);
  const json::value ov = json::parse(one.body);
  EXPECT_EQ(ov.at("yaml").as_string(), ruleYaml("r-yte-2", "Máy hai", "h2"));
  ASSERT_EQ(ov.at("agencies").as_array().size(), 1u) << one.body;
  EXPECT_FALSE(ov.at("agencies").as_array()[0].at("enabled").as_bool());

  // Disabled everywhere: no alert, listed as not loaded; deleted: gone, the audit keeps the text.
  v = srv_.rules().status().version;
  ASSERT_EQ(srv_.call(socA_, "PATCH", "/api/v1/rules/r-yte-2", R"({"enabled":false})").status, 200);
  waitForReloadAfter(v);
  sendEvent(a_, "h2");
  sendEvent(a_, "h2");
  auto after = srv_.call(srv_.admin(), "GET", "/api/v1/alerts?rule=r-yte-2");
  EXPECT_EQ(json::parse(after.body).at("items").as_array()[0].at("count").as_int64(), 1) << after.body;
  auto listed = srv_.call(socA_, "GET", "/api/v1/rules?enabled=false");
  EXPECT_EQ(json::parse(listed.body).at("total").as_int64(), 1) << listed.body;
  EXPECT_FALSE(json::parse(listed.body).at("items").as_array()[0].at("loaded").as_bool());
  EXPECT_EQ(srv_.call(socA_, "DELETE", "/api/v1/rules/r-yte-2").status, 204);
  EXPECT_EQ(srv_.call(socA_, "GET", "/api/v1/rules/r-yte-2").status, 404);
  auto deleted = srv_.call(srv_.admin(), "GET", "/api/v1/audit?action=rule.delete");
  EXPECT_NE(deleted.body.find("host.name: h2"), std::string::npos) << deleted.body;
}

TEST_F(RulesApi, RolesDecideWhoReadsAndWritesRules) {
  // A unit officer neither reads nor writes rules.
  EXPECT_EQ(srv_.call(officerA_, "GET", "/api/v1/rules").status, 403);
  EXPECT_EQ(srv_.call(officerA_, "GET", "/api/v1/rules/status").status, 403);
  auto w = srv_.call(officerA_, "POST", "/api/v1/rules", body({{"yaml", ruleYaml("r-x", "X", "h")}, {"org_id", a_}}));
  EXPECT_EQ(w.status, 403) << w.body;
  // The analyst of A cannot write for B (not found: B is out of scope) nor for the province.
  EXPECT_EQ(
      srv_.call(socA_, "POST", "/api/v1/rules", body({{"yaml", ruleYaml("r-x", "X", "h")}, {"org_id", b_}})).status,
      404);
  EXPECT_EQ(
      srv_.call(socA_, "POST", "/api/v1/rules", body({{"yaml", ruleYaml("r-x", "X", "h")}, {"org_id", 1}})).status,
      404);
  // A province rule (by the root administrator) is read by A's analyst but not changed by them;
  // A's analyst may switch it off for A.
  ASSERT_EQ(srv_.call(srv_.admin(), "POST", "/api/v1/rules", body({{"yaml", ruleYaml("r-tinh", "Tỉnh", "h")}})).status,
            201);
  EXPECT_EQ(srv_.call(socA_, "GET", "/api/v1/rules/r-tinh").status, 200);
  EXPECT_EQ(srv_.call(socA_, "PATCH", "/api/v1/rules/r-tinh", R"({"enabled":false})").status, 403);
  EXPECT_EQ(srv_.call(socA_, "DELETE", "/api/v1/rules/r-tinh").status, 403);
  EXPECT_EQ(srv_.call(socA_, "PUT", "/api/v1/rules/r-tinh/agencies/" + std::to_string(a_), R"({"state":"off"})").status,
            200);
  // The province root is outside A's scope: as if it did not exist.
  EXPECT_EQ(srv_.call(socA_, "PUT", "/api/v1/rules/r-tinh/agencies/1", R"({"state":"off"})").status, 404);
  // Duplicate id.
  EXPECT_EQ(srv_.call(srv_.admin(), "POST", "/api/v1/rules", body({{"yaml", ruleYaml("r-tinh", "Lại", "h")}})).status,
            409);
}

// Retro-hunts: a rule or a query over the stored events of the caller's scope, results listed and
// optionally raised as alerts; refusals name the field or the line; a hunt is its starter's own.
TEST_F(RulesApi, RetroHuntFindsStoredEventsInScopeAndRaisesAlerts) {
  for (const auto& [org, host] :
       std::vector<std::pair<int64_t, std::string>>{{a_, "old-h1"}, {unitA_, "old-h1"}, {a_, "old-h2"}, {b_, "old-h1"}})
    sendEvent(org, host);
  ASSERT_TRUE(srv_.events().flush().ok());
  auto waitDone = [&](int64_t id) {
    json::value v;
    for (int i = 0; i < 500; ++i) {
      auto r = srv_.call(socA_, "GET", "/api/v1/hunts/" + std::to_string(id));
      v = json::parse(r.body);
      if (v.at("state").as_string() != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return v;
  };
  const std::string range = R"("from":"2026-11-01T00:00:00Z","to":"2026-12-01T00:00:00Z")";
  auto started = srv_.call(socA_, "POST", "/api/v1/hunts",
                           body({{"rule_yaml", ruleYaml("hunt-1", "Săn old-h1", "old-h1")},
                                 {"from", "2026-11-01T00:00:00Z"},
                                 {"to", "2026-12-01T00:00:00Z"},
                                 {"raise_alerts", true}}));
  ASSERT_EQ(started.status, 202) << started.body;
  const int64_t id = json::parse(started.body).at("id").as_int64();
  const json::value done = waitDone(id);
  EXPECT_EQ(done.at("state").as_string(), "done") << done;
  EXPECT_EQ(done.at("scanned").as_int64(), 3) << "A and its unit only: " << done;
  EXPECT_EQ(done.at("matched").as_int64(), 2) << done;
  EXPECT_EQ(done.at("progress").as_double(), 1.0);
  auto results = srv_.call(socA_, "GET", "/api/v1/hunts/" + std::to_string(id) + "/results?limit=1");
  ASSERT_EQ(results.status, 200) << results.body;
  const json::value rv = json::parse(results.body);
  EXPECT_EQ(rv.at("total").as_int64(), 2);
  ASSERT_EQ(rv.at("items").as_array().size(), 1u);
  EXPECT_EQ(rv.at("items").as_array()[0].at("rule_id").as_string(), "hunt-1");
  EXPECT_EQ(rv.at("items").as_array()[0].at("host").as_string(), "old-h1");
  srv_.alertSink().flush();
  EXPECT_EQ(alertsOf("hunt-1", a_), 1);
  EXPECT_EQ(alertsOf("hunt-1", unitA_), 1);
  EXPECT_EQ(alertsOf("hunt-1", b_), 0);

  // A query alone: every event it finds, in scope.
  auto q = srv_.call(socA_, "POST", "/api/v1/hunts", "{\"query\":\"host.name:old-h2\"," + range + "}");
  ASSERT_EQ(q.status, 202) << q.body;
  EXPECT_EQ(waitDone(json::parse(q.body).at("id").as_int64()).at("matched").as_int64(), 1);

  // Refusals.
  auto bad = srv_.call(socA_, "POST", "/api/v1/hunts",
                       body({{"rule_yaml",
                              "title: x\nid: y\nlogsource:\n  product: t\ndetection:\n  s:\n    a|zz: 1\n"
                              "  condition: s\n"},
                             {"from", "2026-11-01T00:00:00Z"},
                             {"to", "2026-12-01T00:00:00Z"}}));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("hunt:7"), std::string::npos) << bad.body;
  auto badTime =
      srv_.call(socA_, "POST", "/api/v1/hunts", R"({"query":"*","from":"yesterday","to":"2026-12-01T00:00:00Z"})");
  EXPECT_EQ(badTime.status, 400);
  EXPECT_NE(badTime.body.find("\"field\":\"from\""), std::string::npos) << badTime.body;
  auto reversed = srv_.call(socA_, "POST", "/api/v1/hunts",
                            R"({"query":"*","from":"2026-12-01T00:00:00Z","to":"2026-11-01T00:00:00Z"})");
  EXPECT_EQ(reversed.status, 400);
  auto outside = srv_.call(socA_, "POST", "/api/v1/hunts",
                           "{\"query\":\"*\",\"org_id\":" + std::to_string(b_) + "," + range + "}");
  EXPECT_EQ(outside.status, 404) << outside.body;
  EXPECT_EQ(srv_.call(officerA_, "POST", "/api/v1/hunts", "{\"query\":\"*\"," + range + "}").status, 403);

  // Another user's hunt does not exist for them; the start is audited.
  EXPECT_EQ(srv_.call(srv_.admin(), "GET", "/api/v1/hunts/" + std::to_string(id)).status, 404);
  EXPECT_EQ(srv_.call(srv_.admin(), "GET", "/api/v1/hunts/" + std::to_string(id) + "/results").status, 404);
  auto mine = srv_.call(socA_, "GET", "/api/v1/hunts");
  EXPECT_EQ(json::parse(mine.body).at("items").as_array().size(), 2u) << mine.body;
  auto audit = srv_.call(srv_.admin(), "GET", "/api/v1/audit?action=hunt.start");
  EXPECT_NE(audit.body.find("hunt.start"), std::string::npos) << audit.body;
}

}  // namespace
}  // namespace vigil::test
