// Event search, saved searches and log sources over HTTP (issue 5; contract in EVENTS_API.md):
// events of two agencies are submitted through the collector, then searched, counted, ranked and
// exported as an officer of one agency (who must see only theirs) and as the province
// administrator; sources are declared, changed, given tokens and watched for silence.
#include "api_test_util.h"
#include "core/crypto.h"

namespace vigil::test {
namespace {

std::string urlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Messages of agency A (Sở Y tế) and B (Sở Công Thương); each raw text carries its agency's marker.
const std::vector<std::string> kMessagesA = {
    "<38>1 2026-11-18T10:00:00Z web01 sshd 42 - - Failed password for nguyen from 10.0.0.5 port 22 ssh2 YTE",
    "<38>1 2026-11-18T10:05:00Z web01 sshd 42 - - Accepted password for binh from 10.0.0.6 port 22 ssh2 YTE",
    "<38>1 2026-11-18T10:10:00Z web02 app 7 - - Nguyễn Văn Bình đăng nhập thất bại, \"lần 3\" YTE",
    "=HYPERLINK(\"http://example.invalid\",\"YTE\")",
};
const std::vector<std::string> kMessagesB = {
    "<38>1 2026-11-18T10:20:00Z ct-db01 sshd 77 - - Failed password for tran from 10.9.9.9 port 22 ssh2 CONGTHUONG",
    "<38>1 2026-11-18T10:25:00Z ct-db01 app 8 - - Trần Thị Hoa đăng nhập thất bại CONGTHUONG",
};

class EventsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    A = srv.createOrg(srv.admin(), 1, "Sở Y tế");
    B = srv.createOrg(srv.admin(), 1, "Sở Công Thương");
    officerA = srv.userSession("officer.yte", A, "unit_officer");
  }

  void submit(int64_t org, int64_t source, const std::string& peer, const std::vector<std::string>& messages) {
    std::vector<std::string_view> views(messages.begin(), messages.end());
    collect::Attribution who{.sourceId = source, .orgId = org, .declared = source != 0};
    ASSERT_TRUE(srv.collector().submitSyslog(collect::Input::kSyslogTcp, who, peer, views, nullptr).ok());
    ASSERT_TRUE(srv.events().flush().ok());
  }
  void submitBoth() {
    submit(A, 0, "10.0.0.5", kMessagesA);
    submit(B, 0, "10.9.9.9", kMessagesB);
  }

  // The events of a search answer.
  json::array search(const Session& s, const std::string& params) {
    auto r = srv.call(s, "GET", "/api/v1/events/search?" + params);
    EXPECT_EQ(r.status, 200) << params << ": " << r.body;
    const json::value v = parseJson(r.body);
    const json::value* ev = member(v, "events");
    return ev && ev->is_array() ? ev->as_array() : json::array();
  }

  TestServer srv;
  int64_t A = 0, B = 0;
  Session officerA;
};

TEST_F(EventsApi, SearchShowsAnOfficerOnlyTheirAgencyAndTheAdministratorAll) {
  submitBoth();
  const json::array mine = search(officerA, "limit=1000");
  ASSERT_EQ(mine.size(), kMessagesA.size());
  for (const auto& e : mine) {
    EXPECT_EQ(intOf(member(e, "org_id")), A) << json::serialize(e);
    EXPECT_EQ(str(e.at("org_name")), "Sở Y tế");
    EXPECT_NE(str(e.at("raw")).find("YTE"), std::string::npos) << json::serialize(e);
  }
  EXPECT_TRUE(search(officerA, "q=CONGTHUONG").empty()) << "B's events reached A's officer";
  EXPECT_EQ(search(srv.admin(), "limit=1000").size(), kMessagesA.size() + kMessagesB.size());
  EXPECT_EQ(search(srv.admin(), "q=CONGTHUONG").size(), kMessagesB.size());

  // Newest first by default; fields typed (numbers stay numbers).
  const json::array ssh = search(officerA, "q=" + urlEncode("host.name:web01") + "&order=asc");
  ASSERT_EQ(ssh.size(), 2u);
  EXPECT_LT(str(ssh[0].at("time")), str(ssh[1].at("time")));
  EXPECT_EQ(str(ssh[0].at("time")), "2026-11-18T10:00:00.000000Z");
  EXPECT_EQ(str(ssh[0].at("fields").at("host.name")), "web01");
  for (const auto& [k, v] : ssh[0].at("fields").as_object())
    if (k == "process.pid") {
      EXPECT_TRUE(v.is_int64()) << k;
    }

  // Paging: has_more and limit.
  auto page = parseJson(srv.call(officerA, "GET", "/api/v1/events/search?limit=2").body);
  EXPECT_EQ(page.at("events").as_array().size(), 2u);
  EXPECT_TRUE(page.at("has_more").as_bool());
  auto last = parseJson(srv.call(officerA, "GET", "/api/v1/events/search?limit=2&offset=2").body);
  EXPECT_FALSE(last.at("has_more").as_bool());
}

TEST_F(EventsApi, VietnameseMatchesWithAndWithoutDiacritics) {
  submitBoth();
  for (const std::string q : {"nguyễn", "Nguyen", "\"đăng nhập thất bại\"", "\"dang nhap that bai\"", "binh"}) {
    const json::array hits = search(officerA, "q=" + urlEncode(q));
    EXPECT_FALSE(hits.empty()) << q;
    for (const auto& e : hits) EXPECT_EQ(intOf(member(e, "org_id")), A) << q;
  }
  // With diacritics, only those diacritics match: "nguyễn" is in A's third message only.
  EXPECT_EQ(search(officerA, "q=" + urlEncode("nguyễn")).size(), 1u);
  EXPECT_EQ(search(srv.admin(), "q=" + urlEncode("\"dang nhap that bai\"")).size(), 2u);
}

TEST_F(EventsApi, BadParametersAreRefusedNamingTheField) {
  submitBoth();
  struct Case {
    std::string target;
    std::string field;
  };
  const Case cases[] = {
      {"/api/v1/events/search?q=" + urlEncode("host.name:"), "q"},
      {"/api/v1/events/search?q=" + urlEncode("(web01 OR"), "q"},
      {"/api/v1/events/histogram?q=" + urlEncode("a AND AND b"), "q"},
      {"/api/v1/events/top?q=" + urlEncode("\"open"), "q"},
      {"/api/v1/events/search?from=yesterday", "from"},
      {"/api/v1/events/search?from=2026-11-19T00:00:00Z&to=2026-11-18T00:00:00Z", "from"},
      {"/api/v1/events/search?limit=1001", "limit"},
      {"/api/v1/events/search?order=random", "order"},
      {"/api/v1/events/histogram?buckets=501", "buckets"},
      {"/api/v1/events/top?n=0", "n"},
      {"/api/v1/events/export?format=xml", "format"},
      {"/api/v1/events/export?limit=100001", "limit"},
  };
  for (const auto& c : cases) {
    auto r = srv.call(officerA, "GET", c.target);
    EXPECT_EQ(r.status, 400) << c.target << ": " << r.body;
    EXPECT_EQ(errorField(r), c.field) << c.target << ": " << r.body;
    if (c.field == "q") {
      EXPECT_NE(errorMessage(r).find("column"), std::string::npos) << r.body;
    }
  }
}

TEST_F(EventsApi, HistogramAndTopValuesCountOnlyTheCallersEvents) {
  submitBoth();
  const std::string day = "from=2026-11-18T00:00:00Z&to=2026-11-19T00:00:00Z";
  auto h = parseJson(srv.call(officerA, "GET", "/api/v1/events/histogram?buckets=24&" + day).body);
  EXPECT_EQ(intOf(member(h, "bucket_seconds")), 3600);
  ASSERT_EQ(h.at("counts").as_array().size(), 24u);
  // The unparsed message carries the receive time (11:06 the same day).
  EXPECT_EQ(intOf(member(h, "total")), static_cast<int64_t>(kMessagesA.size()));
  int64_t sum = 0;
  for (const auto& c : h.at("counts").as_array()) sum += intOf(&c);
  EXPECT_EQ(sum, intOf(member(h, "total")));
  auto all = parseJson(srv.call(srv.admin(), "GET", "/api/v1/events/histogram?buckets=24&" + day).body);
  EXPECT_EQ(intOf(member(all, "total")), intOf(member(h, "total")) + static_cast<int64_t>(kMessagesB.size()));

  auto top = parseJson(srv.call(officerA, "GET", "/api/v1/events/top?field=host.name&n=10").body);
  EXPECT_EQ(str(top.at("field")), "host.name");
  std::set<std::string> hosts;
  for (const auto& v : top.at("values").as_array()) hosts.insert(str(v.at("value")));
  EXPECT_TRUE(hosts.count("web01")) << json::serialize(top);
  EXPECT_FALSE(hosts.count("ct-db01")) << "B's host counted for A: " << json::serialize(top);
  EXPECT_EQ(intOf(member(top, "events_matched")), static_cast<int64_t>(kMessagesA.size()));
}

TEST_F(EventsApi, ExportWritesQuotedCsvAndNdjsonOfTheCallersEvents) {
  submitBoth();
  auto csv = srv.call(officerA, "GET", "/api/v1/events/export?format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_NE(csv.header("content-disposition").find("attachment"), std::string::npos);
  auto rows = parseCsv(csv.body);
  ASSERT_EQ(rows.size(), kMessagesA.size() + 1);
  bool sawQuote = false, sawFormula = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 6u) << "row " << i;
    EXPECT_EQ(rows[i][1], std::to_string(A));
    EXPECT_EQ(rows[i][2], "Sở Y tế");
    if (rows[i][5].find("\"lần 3\"") != std::string::npos) sawQuote = true;
    if (rows[i][5].rfind("'=HYPERLINK", 0) == 0) sawFormula = true;
    EXPECT_NE(rows[i][5][0], '=') << "formula not defused: " << rows[i][5];
  }
  EXPECT_TRUE(sawQuote) << "quotes and commas inside a field must survive";
  EXPECT_TRUE(sawFormula) << csv.body;

  auto nd = srv.call(srv.admin(), "GET", "/api/v1/events/export?format=ndjson&q=CONGTHUONG");
  ASSERT_EQ(nd.status, 200) << nd.body;
  EXPECT_EQ(nd.header("content-type").rfind("application/x-ndjson", 0), 0u);
  size_t lines = 0;
  for (size_t p = 0, n; (n = nd.body.find('\n', p)) != std::string::npos; p = n + 1) {
    auto v = parseJson(nd.body.substr(p, n - p));
    ASSERT_TRUE(v.is_object()) << nd.body;
    EXPECT_EQ(intOf(member(v, "org_id")), B);
    ++lines;
  }
  EXPECT_EQ(lines, kMessagesB.size());
  // limit caps the export.
  EXPECT_EQ(parseCsv(srv.call(srv.admin(), "GET", "/api/v1/events/export?limit=2").body).size(), 3u);
}

TEST_F(EventsApi, ExportPagesThroughMoreEventsThanOneStorePage) {
  // 10,000 is the store's page: 12,000 events (several per second) come out exactly once each.
  std::vector<std::string> many;
  for (int i = 0; i < 12000; ++i)
    many.push_back("<38>1 2026-11-18T09:" + std::string(i / 600 < 10 ? "0" : "") + std::to_string(i / 600) + ":" +
                   std::string((i / 10) % 60 < 10 ? "0" : "") + std::to_string((i / 10) % 60) +
                   "Z bulk01 app 1 - - line " + std::to_string(i));
  submit(A, 0, "10.0.0.7", many);
  auto r = srv.call(officerA, "GET", "/api/v1/events/export?format=ndjson&limit=100000&q=bulk01");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  std::set<std::string> seen;
  for (size_t p = 0, n; (n = r.body.find('\n', p)) != std::string::npos; p = n + 1)
    EXPECT_TRUE(seen.insert(str(parseJson(r.body.substr(p, n - p)).at("raw"))).second) << "an event came twice";
  EXPECT_EQ(seen.size(), 12000u);
}

TEST_F(EventsApi, SourcesCrudWithAuditTokenShownOnceAndAttribution) {
  auto created = srv.call(srv.admin(), "POST", "/api/v1/sources",
                          body({{"org_id", A},
                                {"name", "Tường lửa FortiGate"},
                                {"addresses", json::array{"10.4.0.1", "10.4.1.0/24"}},
                                {"timezone_offset_minutes", 420},
                                {"expected_interval_minutes", 60},
                                {"with_token", true}}));
  ASSERT_EQ(created.status, 201) << created.body;
  const json::value src = parseJson(created.body);
  const int64_t id = intOf(member(src, "id"));
  const std::string token = str(src.at("token"));
  EXPECT_EQ(token.rfind("vgs_", 0), 0u) << token;
  EXPECT_GE(token.size(), 4u + 52u);
  EXPECT_TRUE(src.at("has_token").as_bool());
  EXPECT_EQ(str(src.at("org_name")), "Sở Y tế");
  EXPECT_EQ(str(src.at("status")), "never");

  // The token attributes to the source; the addresses too (longest prefix).
  auto byToken = srv.collector().attributeToken(token);
  ASSERT_TRUE(byToken.has_value());
  EXPECT_EQ(byToken->sourceId, id);
  EXPECT_EQ(byToken->orgId, A);
  EXPECT_EQ(srv.collector().attributeAddress("10.4.1.7").sourceId, id);
  EXPECT_EQ(srv.collector().attributeAddress("10.4.2.7").sourceId, 0);

  // Never shown again, never in the audit log.
  auto list = srv.call(officerA, "GET", "/api/v1/sources");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find(token), std::string::npos);
  ASSERT_EQ(parseJson(list.body).at("sources").as_array().size(), 1u);
  EXPECT_TRUE(parseJson(list.body).at("undeclared").as_array().empty());
  const std::string audit = json::serialize(allAudit(srv, srv.admin()));
  EXPECT_EQ(audit.find(token), std::string::npos) << "the token reached the audit log";
  EXPECT_EQ(audit.find(crypto::sha256Hex(token)), std::string::npos) << "the token hash reached the audit log";
  EXPECT_EQ(str(newestAudit(srv, srv.admin()).at("action")), "source.create");

  // Rotation: the old token stops working.
  auto rotated = srv.call(srv.admin(), "POST", "/api/v1/sources/" + std::to_string(id) + "/token");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string token2 = jsonField(rotated.body, "token");
  EXPECT_NE(token2, token);
  EXPECT_FALSE(srv.collector().attributeToken(token).has_value());
  EXPECT_EQ(srv.collector().attributeToken(token2)->sourceId, id);
  EXPECT_EQ(str(newestAudit(srv, srv.admin()).at("action")), "source.token_rotate");

  // Changes: bad addresses are refused naming the entry and nothing changes.
  auto bad = srv.call(srv.admin(), "PATCH", "/api/v1/sources/" + std::to_string(id),
                      body({{"addresses", json::array{"10.4.0.1", "10.4.0.300"}}}));
  EXPECT_TRUE(isError(bad, 400, "validation_failed", "addresses[1]")) << bad.body;
  auto patched = srv.call(srv.admin(), "PATCH", "/api/v1/sources/" + std::to_string(id),
                          body({{"name", "FortiGate chính"}, {"addresses", json::array{"192.168.7.0/24"}}}));
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(jsonField(patched.body, "name"), "FortiGate chính");
  EXPECT_EQ(srv.collector().attributeAddress("192.168.7.9").sourceId, id);
  EXPECT_EQ(srv.collector().attributeAddress("10.4.1.7").sourceId, 0);
  auto upd = newestAudit(srv, srv.admin());
  EXPECT_EQ(str(upd.at("action")), "source.update");
  EXPECT_NE(json::serialize(upd.at("summary")).find("192.168.7.0/24"), std::string::npos) << json::serialize(upd);

  // An officer reads but may not change; B's administrator does not even see it.
  EXPECT_TRUE(isError(srv.call(officerA, "PATCH", "/api/v1/sources/" + std::to_string(id), R"({"enabled":false})"), 403,
                      "forbidden"));
  EXPECT_TRUE(isError(srv.call(officerA, "POST", "/api/v1/sources", body({{"org_id", A}, {"name", "Của tôi"}})), 403,
                      "forbidden"));
  Session adminB = srv.userSession("admin.congthuong", B, "administrator");
  EXPECT_TRUE(parseJson(srv.call(adminB, "GET", "/api/v1/sources").body).at("sources").as_array().empty());
  EXPECT_TRUE(isError(srv.call(adminB, "DELETE", "/api/v1/sources/" + std::to_string(id)), 404, "not_found"));
  EXPECT_TRUE(
      isError(srv.call(srv.admin(), "POST", "/api/v1/sources", body({{"org_id", A}, {"name", "FortiGate chính"}})), 409,
              "conflict"));

  // Deletion: attribution ends at once.
  auto del = srv.call(srv.admin(), "DELETE", "/api/v1/sources/" + std::to_string(id));
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_EQ(str(newestAudit(srv, srv.admin()).at("action")), "source.delete");
  EXPECT_FALSE(srv.collector().attributeToken(token2).has_value());
  EXPECT_EQ(srv.collector().attributeAddress("192.168.7.9").sourceId, 0);
  EXPECT_TRUE(parseJson(srv.call(srv.admin(), "GET", "/api/v1/sources").body).at("sources").as_array().empty());
}

TEST_F(EventsApi, SourceStatusFollowsTheClock) {
  auto created = srv.call(srv.admin(), "POST", "/api/v1/sources",
                          body({{"org_id", A},
                                {"name", "Máy chủ web"},
                                {"addresses", json::array{"10.0.0.5"}},
                                {"expected_interval_minutes", 2}}));
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = jsonInt(created.body, "id");
  EXPECT_EQ(created.body.find("\"token\""), std::string::npos) << "no token asked for";
  auto source = [&]() {
    auto r = srv.call(officerA, "GET", "/api/v1/sources");
    EXPECT_EQ(r.status, 200) << r.body;
    auto list = parseJson(r.body).at("sources").as_array();
    return list.empty() ? json::value() : list[0];
  };
  EXPECT_EQ(str(source().at("status")), "never");
  EXPECT_TRUE(source().at("last_seen").is_null());

  const auto who = srv.collector().attributeAddress("10.0.0.5");
  ASSERT_EQ(who.sourceId, id);
  submit(who.orgId, who.sourceId, "10.0.0.5", {kMessagesA[0], kMessagesA[1]});
  json::value s = source();
  EXPECT_EQ(str(s.at("status")), "active");
  EXPECT_EQ(intOf(member(s, "events")), 2);
  ASSERT_EQ(s.at("senders").as_array().size(), 1u);
  EXPECT_EQ(str(s.at("senders").at(0).at("peer")), "10.0.0.5");
  EXPECT_EQ(str(s.at("senders").at(0).at("host")), "web01");
  EXPECT_FALSE(s.at("last_seen").is_null());

  // Silent once the expected interval has passed without events (minutes, not hours, so that the
  // sessions do not idle out on this clock).
  srv.clock().advanceMs(90 * 1000);
  EXPECT_EQ(str(source().at("status")), "active");
  srv.clock().advanceMs(60 * 1000);
  EXPECT_EQ(str(source().at("status")), "silent");
  ASSERT_EQ(
      srv.call(srv.admin(), "PATCH", "/api/v1/sources/" + std::to_string(id), R"({"expected_interval_minutes":0})")
          .status,
      200);
  EXPECT_EQ(str(source().at("status")), "active") << "0 = not watched";
  ASSERT_EQ(srv.call(srv.admin(), "PATCH", "/api/v1/sources/" + std::to_string(id), R"({"enabled":false})").status,
            200);
  EXPECT_EQ(str(source().at("status")), "disabled");
  EXPECT_EQ(srv.collector().attributeAddress("10.0.0.5").sourceId, 0) << "a disabled source attributes nothing";
}

TEST_F(EventsApi, LastSeenComesFromTheEventStoreWhenTheCollectorHasNoFigures) {
  // As after a restart: the source's events are stored, the collector has no sender for it.
  auto created = srv.call(srv.admin(), "POST", "/api/v1/sources",
                          body({{"org_id", A}, {"name", "Máy chủ thư"}, {"expected_interval_minutes", 2}}));
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = jsonInt(created.body, "id");
  auto status = [&]() {
    auto list = parseJson(srv.call(officerA, "GET", "/api/v1/sources").body).at("sources").as_array();
    return list.empty() ? std::string() : str(list[0].at("status"));
  };
  EXPECT_EQ(status(), "never");
  normalize::Event e;
  e.reset("<38>1 2026-11-18T11:00:00Z mail01 postfix 3 - - stored before the restart");
  e.orgId = A;
  e.sourceId = id;
  e.receivedUs = srv.clock().nowMs() * 1000;
  ASSERT_TRUE(srv.events().append(std::span<const normalize::Event>(&e, 1), nullptr).ok());
  ASSERT_TRUE(srv.events().flush().ok());
  EXPECT_EQ(status(), "active");
  srv.clock().advanceMs(3 * 60 * 1000);
  EXPECT_EQ(status(), "silent");
}

TEST_F(EventsApi, UndeclaredSendersOnlyForReadersOfTheRoot) {
  submit(1, 0, "203.0.113.9", {"<13>Nov 18 11:00:00 stray01 app: hello"});
  auto admin = parseJson(srv.call(srv.admin(), "GET", "/api/v1/sources").body);
  ASSERT_EQ(admin.at("undeclared").as_array().size(), 1u) << json::serialize(admin);
  EXPECT_EQ(str(admin.at("undeclared").at(0).at("peer")), "203.0.113.9");
  auto officer = parseJson(srv.call(officerA, "GET", "/api/v1/sources").body);
  EXPECT_TRUE(officer.at("undeclared").as_array().empty()) << json::serialize(officer);
  EXPECT_TRUE(search(officerA, "q=stray01").empty());
  EXPECT_EQ(search(srv.admin(), "q=stray01").size(), 1u);
}

TEST_F(EventsApi, SavedSearchesBelongToTheUserWhoSavedThem) {
  auto saved = srv.call(officerA, "POST", "/api/v1/saved-searches",
                        body({{"name", "SSH thất bại"}, {"query", "event.outcome:failure"}, {"range", "24h"}}));
  ASSERT_EQ(saved.status, 201) << saved.body;
  const int64_t id = jsonInt(saved.body, "id");
  EXPECT_EQ(jsonField(saved.body, "range"), "24h");
  EXPECT_EQ(itemsOf(srv.call(officerA, "GET", "/api/v1/saved-searches").body).size(), 1u);
  EXPECT_TRUE(itemsOf(srv.call(srv.admin(), "GET", "/api/v1/saved-searches").body).empty());
  EXPECT_TRUE(
      isError(srv.call(srv.admin(), "DELETE", "/api/v1/saved-searches/" + std::to_string(id)), 404, "not_found"));
  EXPECT_TRUE(isError(srv.call(officerA, "POST", "/api/v1/saved-searches",
                               body({{"name", "SSH thất bại"}, {"query", ""}, {"range", "1h"}})),
                      409, "conflict"));
  EXPECT_TRUE(isError(
      srv.call(officerA, "POST", "/api/v1/saved-searches", body({{"name", "x"}, {"query", "a:"}, {"range", "1h"}})),
      400, "bad_request", "query"));
  EXPECT_TRUE(isError(
      srv.call(officerA, "POST", "/api/v1/saved-searches", body({{"name", "x"}, {"query", "a"}, {"range", "2h"}})), 400,
      "validation_failed", "range"));
  EXPECT_EQ(srv.call(officerA, "DELETE", "/api/v1/saved-searches/" + std::to_string(id)).status, 204);
  EXPECT_TRUE(itemsOf(srv.call(officerA, "GET", "/api/v1/saved-searches").body).empty());
  EXPECT_EQ(str(newestAudit(srv, srv.admin()).at("action")), "saved_search.delete");
}

}  // namespace
}  // namespace vigil::test
