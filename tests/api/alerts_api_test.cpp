// The alert queue over HTTP (routes_alerts.cpp): filters, keyset paging and counts; triage with
// validated transitions, assignment, comments and false positives that suppress; manual and
// external entry with bad input refused naming the field; the live event stream (SSE: changes in
// scope pushed, resumed from Last-Event-ID, bounded, freed when the client leaves); the long-poll
// changes feed (woken by a new alert, bounded waiters); and the silent-source detector (alerts/silent_sources.h)
// raising one alert per silent source.
#include <chrono>
#include <future>
#include <thread>

#include "alerts/silent_sources.h"
#include "api_test_util.h"
#include "support/raw_client.h"

namespace vigil::test {
namespace {

constexpr TimeMs kMinute = 60 * 1000;

class AlertsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    Session& root = srv_.admin();
    a_ = srv_.createOrg(root, 1, "Sở Y tế");
    b_ = srv_.createOrg(root, 1, "Sở Tài chính");
    socA_ = srv_.userSession("soc.yte", a_, "soc_analyst");
    socAId_ = jsonInt(jsonField(srv_.call(socA_, "GET", "/api/v1/me").body, "user"), "id");
    leaderA_ = srv_.userSession("lanhdao.yte", a_, "leader");
  }

  AlertDraft draft(int64_t org, const std::string& key, AlertSeverity sev = AlertSeverity::kHigh) {
    return {.orgId = org,
            .asset = "web01.yte",
            .detector = DetectorKind::kSigma,
            .ruleId = "sigma-ssh-brute",
            .ruleTitle = "Dò mật khẩu SSH",
            .severity = sev,
            .dedupKey = key,
            .title = "Dò mật khẩu SSH từ " + key,
            .observables = {{"ip", key}}};
  }
  void raise(const std::vector<AlertDraft>& drafts) {
    for (const auto& d : drafts) ASSERT_TRUE(srv_.alertSink().raise(d).ok());
    srv_.alertSink().flush();
  }
  json::value get(const Session& s, const std::string& target, int status = 200) {
    auto r = srv_.call(s, "GET", target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return parseJson(r.body);
  }
  int64_t firstId(const Session& s, const std::string& query) {
    auto v = get(s, "/api/v1/alerts?" + query);
    const auto& items = v.at("items").as_array();
    EXPECT_FALSE(items.empty()) << query;
    return items.empty() ? 0 : intOf(member(items[0], "id"));
  }

  TestServer srv_;
  int64_t a_ = 0, b_ = 0, socAId_ = 0;
  Session socA_, leaderA_;
};

TEST_F(AlertsApi, ListFiltersPagesAndCountsInTheCallersScope) {
  std::vector<AlertDraft> drafts;
  for (int i = 0; i < 12; ++i)
    drafts.push_back(draft(a_, "10.0.0." + std::to_string(i), static_cast<AlertSeverity>(i % 4)));
  drafts.push_back(draft(a_, "10.0.0.1", AlertSeverity::kMedium));  // merged into 10.0.0.1
  drafts.push_back(draft(b_, "10.9.9.9"));
  raise(drafts);

  auto v = get(socA_, "/api/v1/alerts");
  EXPECT_EQ(v.at("items").as_array().size(), 12u) << "B's alert is out of scope";
  EXPECT_EQ(intOf(&v.at("counts").at("total")), 12);
  EXPECT_EQ(intOf(&v.at("counts").at("by_state").at("new")), 12);
  EXPECT_EQ(intOf(&v.at("counts").at("open_by_severity").at("critical")), 3);
  EXPECT_FALSE(v.at("has_more").as_bool());
  EXPECT_GT(intOf(&v.at("cursor")), 0);
  EXPECT_EQ(get(srv_.admin(), "/api/v1/alerts").at("items").as_array().size(), 13u);

  EXPECT_EQ(get(socA_, "/api/v1/alerts?severity=critical,high").at("items").as_array().size(), 6u);
  EXPECT_EQ(get(socA_, "/api/v1/alerts?q=10.0.0.11").at("items").as_array().size(), 1u);
  EXPECT_EQ(get(socA_, "/api/v1/alerts?detector=web").at("items").as_array().size(), 0u);
  EXPECT_EQ(get(socA_, "/api/v1/alerts?rule=sigma-ssh-brute&state=open").at("items").as_array().size(), 12u);
  EXPECT_EQ(get(socA_, "/api/v1/alerts?assignee=none").at("items").as_array().size(), 12u);
  EXPECT_EQ(get(socA_, "/api/v1/alerts?assignee=me").at("items").as_array().size(), 0u);
  auto merged = get(socA_, "/api/v1/alerts?q=10.0.0.1&severity=low,medium");
  ASSERT_EQ(merged.at("items").as_array().size(), 1u);
  EXPECT_EQ(intOf(member(merged.at("items").at(0), "count")), 2);
  EXPECT_EQ(get(srv_.admin(), "/api/v1/alerts?org_id=" + std::to_string(b_)).at("items").as_array().size(), 1u);
  const auto ofB = get(srv_.admin(), "/api/v1/alerts?org_id=" + std::to_string(b_));
  EXPECT_EQ(intOf(&ofB.at("counts").at("total")), 1);
  get(socA_, "/api/v1/alerts?org_id=" + std::to_string(b_), 404);

  // Pages of 5 through the cursor: every alert once.
  std::set<int64_t> seen;
  std::string target = "/api/v1/alerts?limit=5";
  for (int guard = 0; guard < 5; ++guard) {
    auto page = get(socA_, target);
    for (const auto& it : page.at("items").as_array()) EXPECT_TRUE(seen.insert(intOf(member(it, "id"))).second);
    if (page.at("next_cursor").is_null()) break;
    target = "/api/v1/alerts?limit=5&cursor=" + str(page.at("next_cursor"));
  }
  EXPECT_EQ(seen.size(), 12u);
}

// query, field named in the error
struct BadQuery {
  const char* query;
  const char* field;
};

TEST_F(AlertsApi, BadFiltersAreRefusedNamingTheParameter) {
  const BadQuery cases[] = {
      {"state=neww", "state"},       {"severity=urgent", "severity"},
      {"detector=siem", "detector"}, {"limit=0", "limit"},
      {"limit=201", "limit"},        {"cursor=abc", "cursor"},
      {"cursor=12.x", "cursor"},     {"from=yesterday", "from"},
      {"org_id=-1", "org_id"},       {"assignee=someone", "assignee"},
      {"unknown=1", "unknown"},      {"from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from"},
  };
  for (const auto& c : cases) {
    auto r = srv_.call(socA_, "GET", std::string("/api/v1/alerts?") + c.query);
    EXPECT_TRUE(isError(r, 400, "validation_failed")) << c.query;
    EXPECT_EQ(errorField(r), c.field) << c.query << ": " << r.body;
  }
}

TEST_F(AlertsApi, TriageAssignCommentAndFalsePositiveThatSuppresses) {
  raise({draft(a_, "203.0.113.9")});
  const int64_t id = firstId(socA_, "");
  const std::string path = "/api/v1/alerts/" + std::to_string(id);

  auto r = srv_.call(socA_, "PATCH", path, R"({"state":"acknowledged"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(jsonField(r.body, "state"), "acknowledged");
  r = srv_.call(socA_, "PATCH", path, R"({"state":"acknowledged"})");
  EXPECT_TRUE(isError(r, 400, "validation_failed")) << r.body;
  r = srv_.call(socA_, "PATCH", path, R"({"state":"resolved"})");
  EXPECT_EQ(errorField(r), "state");
  r = srv_.call(socA_, "PATCH", path, R"({})");
  EXPECT_TRUE(isError(r, 400, "validation_failed")) << r.body;
  r = srv_.call(leaderA_, "PATCH", path, R"({"state":"closed"})");
  EXPECT_TRUE(isError(r, 403, "forbidden")) << r.body;

  r = srv_.call(socA_, "PATCH", path, body({{"assignee_id", socAId_}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(jsonField(r.body, "assignee"), "soc.yte");
  EXPECT_EQ(get(socA_, "/api/v1/alerts?assignee=me").at("items").as_array().size(), 1u);

  r = srv_.call(socA_, "POST", path + "/comments", R"({"body":"Đã chặn IP trên tường lửa.\nTheo dõi thêm."})");
  ASSERT_EQ(r.status, 201) << r.body;
  r = srv_.call(socA_, "POST", path + "/comments", R"({"body":"   "})");
  EXPECT_EQ(errorField(r), "body");
  auto one = get(leaderA_, path);
  ASSERT_EQ(one.at("comments").as_array().size(), 1u);
  EXPECT_EQ(str(one.at("comments").at(0).at("body")), "Đã chặn IP trên tường lửa.\nTheo dõi thêm.");
  EXPECT_EQ(str(one.at("observables").at(0).at("value")), "203.0.113.9");

  r = srv_.call(socA_, "PATCH", path, R"({"state":"false_positive"})");
  EXPECT_EQ(errorField(r), "reason") << r.body;
  r = srv_.call(socA_, "PATCH", path, R"({"state":"closed","suppress_days":3})");
  EXPECT_EQ(errorField(r), "suppress_days") << r.body;
  r = srv_.call(socA_, "PATCH", path, R"({"state":"false_positive","reason":"Máy quét của Sở","suppress_days":7})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(jsonField(r.body, "state_reason"), "Máy quét của Sở");

  auto sup = get(socA_, "/api/v1/alert-suppressions").at("items").as_array();
  ASSERT_EQ(sup.size(), 1u);
  EXPECT_EQ(str(sup[0].at("dedup_key")), "203.0.113.9");
  EXPECT_EQ(intOf(member(sup[0], "alert_id")), id);
  const auto before = srv_.alertSink().stats();
  raise({draft(a_, "203.0.113.9")});
  EXPECT_EQ(srv_.alertSink().stats().suppressed, before.suppressed + 1);
  EXPECT_EQ(get(socA_, "/api/v1/alerts").at("items").as_array().size(), 1u);
  EXPECT_EQ(intOf(member(get(socA_, "/api/v1/alert-suppressions").at("items").at(0), "hits")), 1);

  // Every officer action is in the audit log.
  std::set<std::string> actions;
  for (const auto& e : allAudit(srv_, srv_.admin(), "&object_type=alert")) actions.insert(str(*member(e, "action")));
  for (const char* a : {"alert.state", "alert.assign", "alert.comment"}) EXPECT_TRUE(actions.count(a)) << a;
  EXPECT_EQ(allAudit(srv_, srv_.admin(), "&action=alert_suppression.create").size(), 1u);

  // Deleting the suppression lets the key through again.
  const int64_t sid = intOf(member(sup[0], "id"));
  EXPECT_EQ(srv_.call(socA_, "DELETE", "/api/v1/alert-suppressions/" + std::to_string(sid)).status, 204);
  raise({draft(a_, "203.0.113.9")});
  EXPECT_EQ(get(socA_, "/api/v1/alerts").at("items").as_array().size(), 2u);
}

TEST_F(AlertsApi, SuppressionsCreatedByHandAreBoundedAndChecked) {
  const std::string soon = formatRfc3339(srv_.clock().nowMs() + 60 * kMinute);
  auto r = srv_.call(socA_, "POST", "/api/v1/alert-suppressions",
                     body({{"org_id", a_},
                           {"rule_id", "web-defacement"},
                           {"dedup_key", "https://yte.example.vn"},
                           {"reason", "Bảo trì cổng"},
                           {"expires_at", soon}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(jsonField(r.body, "created_by"), "soc.yte");
  const struct {
    json::object body;
    const char* field;
  } bad[] = {
      {{{"org_id", a_}, {"rule_id", "r"}, {"reason", "x"}, {"expires_at", formatRfc3339(srv_.clock().nowMs() - 1000)}},
       "expires_at"},
      {{{"org_id", a_}, {"rule_id", "r"}, {"reason", "x"}, {"expires_at", "2099-01-01T00:00:00Z"}}, "expires_at"},
      {{{"org_id", a_}, {"rule_id", "r"}, {"reason", "x"}, {"expires_at", "tomorrow"}}, "expires_at"},
      {{{"org_id", a_}, {"rule_id", "r"}, {"expires_at", soon}}, "reason"},
      {{{"org_id", a_}, {"reason", "x"}, {"expires_at", soon}}, "rule_id"},
      {{{"org_id", a_}, {"rule_id", "r"}, {"reason", "x"}, {"expires_at", soon}, {"forever", true}}, "forever"},
  };
  for (const auto& c : bad) {
    auto e = srv_.call(socA_, "POST", "/api/v1/alert-suppressions", json::serialize(c.body));
    EXPECT_TRUE(isError(e, 400, "validation_failed")) << json::serialize(c.body);
    EXPECT_EQ(errorField(e), c.field) << e.body;
  }
  r = srv_.call(leaderA_, "POST", "/api/v1/alert-suppressions",
                body({{"org_id", a_}, {"rule_id", "r"}, {"reason", "x"}, {"expires_at", soon}}));
  EXPECT_TRUE(isError(r, 403, "forbidden")) << r.body;
  EXPECT_EQ(get(socA_, "/api/v1/alert-suppressions").at("items").as_array().size(), 1u);
}

TEST_F(AlertsApi, ManualAndExternalAlertsWithBadInputRefused) {
  auto r = srv_.call(socA_, "POST", "/api/v1/alerts",
                     body({{"org_id", a_},
                           {"title", "Thông báo của Cục An toàn thông tin: máy chủ liên lạc C&C"},
                           {"severity", "critical"},
                           {"detector", "external"},
                           {"sender", "Cục An toàn thông tin (NCSC)"},
                           {"observables", json::array{json::object{{"type", "ip"}, {"value", "198.51.100.23"}},
                                                       json::object{{"type", "domain"}, {"value", "c2.example"}}}},
                           {"evidence", "Công văn số 123/CATTT-NCSC\nngày 20/11/2026"},
                           {"seen_at", formatRfc3339(srv_.clock().nowMs() / 1000 * 1000 - 3600 * 1000)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto v = parseJson(r.body);
  EXPECT_EQ(str(v.at("detector")), "external");
  EXPECT_EQ(str(v.at("sender")), "Cục An toàn thông tin (NCSC)");
  EXPECT_EQ(str(v.at("first_seen")), formatRfc3339(srv_.clock().nowMs() / 1000 * 1000 - 3600 * 1000));
  EXPECT_EQ(str(v.at("created_by")), "soc.yte");
  EXPECT_EQ(str(newestAudit(srv_, srv_.admin()).at("action")), "alert.create");

  const std::string ok = R"("org_id":)" + std::to_string(a_) + R"(,"title":"Cảnh báo","severity":"low")";
  const BadQuery bad[] = {
      {R"({"title":"x","severity":"low"})", "org_id"},
      {R"({"org_id":1,"severity":"low"})", "title"},
      {"{OK,\"severity\":\"urgent\"}", "severity"},
      {"{OK,\"detector\":\"sigma\"}", "detector"},
      {"{OK,\"detector\":\"external\"}", "sender"},
      {"{OK,\"observables\":[{\"type\":\"mac\",\"value\":\"x\"}]}", "observables[0].type"},
      {"{OK,\"observables\":[{\"type\":\"ip\",\"value\":\"\"}]}", "observables[0].value"},
      {"{OK,\"observables\":[{\"type\":\"ip\",\"value\":\"1.2.3.4\",\"x\":1}]}", "observables[0].x"},
      {"{OK,\"seen_at\":\"2099-01-01T00:00:00Z\"}", "seen_at"},
      {"{OK,\"evidence\":\"a\\u0001b\"}", "evidence"},
      {"{OK,\"count\":5}", "count"},
  };
  const int64_t before = get(srv_.admin(), "/api/v1/alerts").at("items").as_array().size();
  for (const auto& c : bad) {
    const std::string b = replaceAll(c.query, "OK", ok);
    auto e = srv_.call(socA_, "POST", "/api/v1/alerts", b);
    EXPECT_TRUE(isError(e, 400, "validation_failed")) << b << ": " << e.body;
    EXPECT_EQ(errorField(e), c.field) << b << ": " << e.body;
  }
  EXPECT_EQ(get(srv_.admin(), "/api/v1/alerts").at("items").as_array().size(), static_cast<size_t>(before));
  r = srv_.call(leaderA_, "POST", "/api/v1/alerts", "{" + ok + "}");
  EXPECT_TRUE(isError(r, 403, "forbidden")) << r.body;
}

TEST_F(AlertsApi, ChangesFeedWakesOnANewAlertInScopeOnly) {
  auto start = get(socA_, "/api/v1/alerts/changes");
  const int64_t cursor = intOf(&start.at("cursor"));
  EXPECT_TRUE(start.at("items").as_array().empty());

  // B's alert does not answer A's wait; A's does.
  auto waiter = std::async(std::launch::async, [&] {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = srv_.call(socA_, "GET", "/api/v1/alerts/changes?wait=20&since=" + std::to_string(cursor));
    return std::make_pair(r, std::chrono::steady_clock::now() - t0);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  raise({draft(b_, "10.9.9.9")});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  raise({draft(a_, "10.1.1.1")});
  auto [r, took] = waiter.get();
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parseJson(r.body);
  ASSERT_EQ(v.at("items").as_array().size(), 1u) << r.body;
  EXPECT_EQ(str(v.at("items").at(0).at("dedup_key")), "10.1.1.1");
  EXPECT_GT(intOf(&v.at("cursor")), cursor);
  EXPECT_GE(took, std::chrono::milliseconds(500));
  EXPECT_LT(took, std::chrono::seconds(10));

  // A merge is a change too.
  const int64_t next = intOf(&v.at("cursor"));
  raise({draft(a_, "10.1.1.1")});
  auto again = get(socA_, "/api/v1/alerts/changes?wait=0&since=" + std::to_string(next));
  ASSERT_EQ(again.at("items").as_array().size(), 1u);
  EXPECT_EQ(intOf(member(again.at("items").at(0), "count")), 2);

  // Nothing new: the wait ends at its time with no items.
  const auto t0 = std::chrono::steady_clock::now();
  auto none = get(socA_, "/api/v1/alerts/changes?wait=1&since=" + std::to_string(intOf(&again.at("cursor"))));
  EXPECT_TRUE(none.at("items").as_array().empty());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(900));
  EXPECT_EQ(errorField(srv_.call(socA_, "GET", "/api/v1/alerts/changes?since=0&wait=26")), "wait");
}

TEST_F(AlertsApi, WaitersAreBoundedAndTheRestAnswerAtOnce) {
  const auto start = get(socA_, "/api/v1/alerts/changes");
  const std::string since = std::to_string(intOf(&start.at("cursor")));
  auto wait = [&] { return srv_.call(socA_, "GET", "/api/v1/alerts/changes?wait=20&since=" + since); };
  auto w1 = std::async(std::launch::async, wait);
  auto w2 = std::async(std::launch::async, wait);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto t0 = std::chrono::steady_clock::now();
  auto third = wait();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(intOf(member(parseJson(third.body), "retry_after_seconds")), 2) << third.body;
  raise({draft(a_, "10.2.2.2")});
  EXPECT_EQ(itemsOf(w1.get().body).size(), 1u);
  EXPECT_EQ(itemsOf(w2.get().body).size(), 1u);
}

// --- The live event stream (SSE) ----------------------------------------------------------------

std::string streamRequest(const Session& s, const std::string& target, const std::string& extraHeaders = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" +
         (s.cookie.empty() ? "" : "Cookie: " + s.cookie + "\r\n") + extraHeaders + "\r\n";
}

// The `id:` of the last event in what a stream sent.
int64_t lastEventId(const std::string& received) {
  const auto at = received.rfind("\nid: ");
  if (at == std::string::npos) return -1;
  return std::stoll(received.substr(at + 5, received.find('\n', at + 5) - at - 5));
}

TEST_F(AlertsApi, EventStreamPushesChangesInScopeAndResumesFromTheLastEventId) {
  using namespace std::chrono_literals;
  vigil::testing::RawClient c(srv_.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(streamRequest(socA_, "/api/v1/alerts/stream")));
  const std::string head = c.receive("retry: 3000\n\n");
  ASSERT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
  EXPECT_NE(head.find("text/event-stream"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;

  // B's alert is not A's business; A's arrives as an event without asking.
  raise({draft(b_, "10.9.9.9")});
  raise({draft(a_, "10.1.1.1")});
  std::string got = c.receive("\"dedup_key\":\"10.1.1.1\"", 5s);
  ASSERT_NE(got.find("event: alerts\ndata: {\"items\":["), std::string::npos) << got;
  EXPECT_EQ(got.find("10.9.9.9"), std::string::npos) << got;
  const int64_t first = lastEventId(got);
  EXPECT_GT(first, 0) << got;

  // A merge is a change too.
  raise({draft(a_, "10.1.1.1")});
  got = c.receive("\"count\":2", 5s);
  EXPECT_NE(got.find("\"count\":2"), std::string::npos) << got;

  // A reconnecting client names the last event it saw and gets what came after it, not before.
  raise({draft(a_, "10.3.3.3")});
  vigil::testing::RawClient again(srv_.port());
  ASSERT_TRUE(
      again.send(streamRequest(socA_, "/api/v1/alerts/stream", "Last-Event-ID: " + std::to_string(first) + "\r\n")));
  const std::string resumed = again.receive("\"dedup_key\":\"10.3.3.3\"", 5s);
  EXPECT_NE(resumed.find("\"dedup_key\":\"10.3.3.3\""), std::string::npos) << resumed;
  EXPECT_NE(resumed.find("\"count\":2"), std::string::npos) << "the merge came after the last event seen";
  EXPECT_EQ(resumed.find("\"count\":1,\"dedup_key\":\"10.1.1.1\""), std::string::npos);

  // Refusals: no session, a bad Last-Event-ID, an unknown parameter.
  vigil::testing::RawClient anonymous(srv_.port());
  ASSERT_TRUE(anonymous.send(streamRequest(Session{}, "/api/v1/alerts/stream")));
  EXPECT_NE(anonymous.receive("\r\n\r\n").find("HTTP/1.1 401"), std::string::npos);
  EXPECT_EQ(srv_.call(socA_, "GET", "/api/v1/alerts/stream?since=x").status, 400);
  EXPECT_EQ(srv_.call(socA_, "GET", "/api/v1/alerts/stream?wait=1").status, 400);
}

TEST(AlertsApiStreams, AreBoundedAndFreedWhenTheClientLeaves) {
  using namespace std::chrono_literals;
  TestServer srv(TestServer::Options{.alertStreams = 1});
  const Session& admin = srv.admin();
  auto first = std::make_unique<vigil::testing::RawClient>(srv.port());
  ASSERT_TRUE(first->send(streamRequest(admin, "/api/v1/alerts/stream")));
  ASSERT_NE(first->receive("retry: 3000").find("HTTP/1.1 200"), std::string::npos);
  EXPECT_EQ(srv.alertFeed().streams(), 1);

  vigil::testing::RawClient second(srv.port());
  ASSERT_TRUE(second.send(streamRequest(admin, "/api/v1/alerts/stream")));
  const std::string refused = second.receive("\r\n\r\n");
  EXPECT_NE(refused.find("HTTP/1.1 503"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Retry-After: 5"), std::string::npos) << refused;

  first.reset();  // the browser tab closes
  for (int i = 0; i < 100 && srv.alertFeed().streams() > 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(srv.alertFeed().streams(), 0) << "the stream's slot is given back when its client goes away";
  vigil::testing::RawClient third(srv.port());
  ASSERT_TRUE(third.send(streamRequest(admin, "/api/v1/alerts/stream")));
  EXPECT_NE(third.receive("retry: 3000").find("HTTP/1.1 200"), std::string::npos);
}

// --- The silent-source detector -------------------------------------------------------------------

TEST_F(AlertsApi, SilentSourceRaisesOneAlertWhileItStaysSilent) {
  auto created = [&](const std::string& name, int interval, bool enabled) {
    auto r = srv_.call(
        srv_.admin(), "POST", "/api/v1/sources",
        body({{"org_id", a_}, {"name", name}, {"expected_interval_minutes", interval}, {"enabled", enabled}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return jsonInt(r.body, "id");
  };
  const int64_t fw = created("Tường lửa Sở Y tế", 60, true);
  const int64_t unwatched = created("Máy in", 0, true);
  const int64_t off = created("Máy chủ cũ", 60, false);
  const int64_t never = created("Máy chủ mới", 60, true);
  // When each was last heard from, set by the test (0: never).
  std::map<int64_t, TimeMs> last{
      {fw, srv_.clock().nowMs()}, {unwatched, srv_.clock().nowMs()}, {off, srv_.clock().nowMs()}, {never, 0}};
  alerts::SilentSourceWatch watch(srv_.store(), srv_.alertSink(), srv_.clock(),
                                  [&](const LogSource& s) { return last.at(s.id); });
  auto check = [&] {
    auto n = watch.checkOnce();
    EXPECT_TRUE(n.ok()) << n.error().message;
    srv_.alertSink().flush();
    return n.ok() ? *n : -1;
  };
  // Read through the store: the sessions expire while the clock runs for hours.
  auto silentAlerts = [&] {
    return srv_.store().listAlerts(Actor::systemActor("test"), {.detector = DetectorKind::kSourceSilent}).value().items;
  };

  srv_.clock().advanceMs(59 * kMinute);
  EXPECT_EQ(check(), 0);
  srv_.clock().advanceMs(2 * kMinute);
  EXPECT_EQ(check(), 1) << "only the watched, enabled source heard from before";
  EXPECT_EQ(check(), 0) << "nothing more while it stays silent";
  srv_.clock().advanceMs(60 * kMinute);
  EXPECT_EQ(check(), 0);
  auto alerts = silentAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].dedupKey, std::to_string(fw));
  EXPECT_EQ(alerts[0].ruleId, "source-silent");
  EXPECT_EQ(alerts[0].asset, "Tường lửa Sở Y tế");
  EXPECT_EQ(alerts[0].orgId, a_);
  EXPECT_EQ(alerts[0].count, 1);

  // Heard again, then silent again: raised again, merged into the open alert.
  last[fw] = srv_.clock().nowMs();
  EXPECT_EQ(check(), 0);
  srv_.clock().advanceMs(61 * kMinute);
  EXPECT_EQ(check(), 1);
  alerts = silentAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].count, 2);
}

// The detector as `vigil serve` wires it: last seen from the collector's live figures.
TEST_F(AlertsApi, SilentSourceFromTheCollectorsFigures) {
  auto r = srv_.call(srv_.admin(), "POST", "/api/v1/sources",
                     body({{"org_id", a_},
                           {"name", "Máy chủ thư"},
                           {"addresses", json::array{"10.5.0.1"}},
                           {"expected_interval_minutes", 30}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t id = jsonInt(r.body, "id");
  collect::Attribution who{.sourceId = id, .orgId = a_, .declared = true};
  std::vector<std::string_view> lines{"<38>1 2026-11-18T10:00:00Z mail01 postfix 1 - - connect from x"};
  ASSERT_TRUE(srv_.collector().submitSyslog(collect::Input::kSyslogTcp, who, "10.5.0.1", lines, nullptr).ok());
  alerts::SilentSourceWatch watch(srv_.store(), srv_.alertSink(), srv_.clock(), [&](const LogSource& s) {
    return api::sourceLastSeenMs(&srv_.collector(), &srv_.events(), s, srv_.clock().nowMs());
  });
  EXPECT_EQ(watch.checkOnce().value(), 0);
  srv_.clock().advanceMs(31 * kMinute);
  EXPECT_EQ(watch.checkOnce().value(), 1);
  srv_.alertSink().flush();
  auto alerts = srv_.store().listAlerts(Actor::systemActor("test"), {.detector = DetectorKind::kSourceSilent});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->items.size(), 1u);
  EXPECT_EQ(alerts->items[0].dedupKey, std::to_string(id));
}

}  // namespace
}  // namespace vigil::test
