// Incident evidence and response plans over HTTP (routes_evidence.cpp, evidence_ops.cpp): upload,
// list, custody, verify and download of a file; the export bundle downloaded and checked with
// evidence::verifyBundle; an oversize upload refused with 413 and nothing stored; STIX 2.1 and
// MISP exports parsed and carrying the incident's observables; plans attached to a system and
// applied to an incident (tasks with due dates, applying twice refused); bad input named.
#include <filesystem>
#include <fstream>

#include "api_test_util.h"
#include "config/config.h"
#include "core/crypto.h"
#include "evidence/bundle.h"

namespace vigil::test {
namespace {

namespace fs = std::filesystem;

class EvidenceApi : public ::testing::Test {
 protected:
  void SetUp() override {
    Session& root = srv_.admin();
    a_ = srv_.createOrg(root, 1, "Sở Y tế");
    socA_ = srv_.userSession("soc.yte", a_, "soc_analyst");
    leaderA_ = srv_.userSession("lanhdao.yte", a_, "leader");
    incident_ = createIncident(std::nullopt);
  }

  json::value call(const Session& s, const std::string& method, const std::string& target, const std::string& b,
                   int status) {
    auto r = srv_.call(s, method, target, b);
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body.substr(0, 600);
    return parseJson(r.body);
  }
  int64_t createIncident(std::optional<int64_t> system) {
    json::object b{{"org_id", a_},
                   {"title", "Cổng thông tin bị thay đổi giao diện"},
                   {"regime", "A_ND85_TT12"},
                   {"process", "A-TT20"},
                   {"detected_at", formatRfc3339(srv_.clock().nowMs() - 3600000)}};
    if (system) b["system_id"] = *system;
    return intOf(member(call(socA_, "POST", "/api/v1/incidents", body(b), 201), "id"));
  }
  std::string ev(int64_t incident) { return "/api/v1/incidents/" + std::to_string(incident) + "/evidence"; }
  json::value upload(const std::string& name, const std::string& bytes, int status = 201) {
    return call(socA_, "POST",
                ev(incident_) + "?name=" + name + "&description=nh%E1%BA%ADt%20k%C3%BD&reason=x%C3%A1c%20minh", bytes,
                status);
  }
  // Audit entries of `action` that recorded a change (refused attempts are audited too).
  int successes(const std::string& action) {
    int n = 0;
    for (const auto& e : allAudit(srv_, srv_.admin(), "&action=" + action))
      if (str(e.at("result")) == "success") ++n;
    return n;
  }
  size_t storedFiles() {
    size_t n = 0;
    const fs::path dir = srv_.dir() / "evidence";
    if (!fs::exists(dir)) return 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) ++n;
    return n;
  }

  TestServer srv_;
  int64_t a_ = 0, incident_ = 0;
  Session socA_, leaderA_;
};

TEST_F(EvidenceApi, UploadListCustodyVerifyAndDownload) {
  const std::string bytes = "203.0.113.5 - - [06/Mar/2026:10:15:00 +0700] \"POST /wp-login.php\" 200\n";
  auto item = upload("access.log", bytes);
  const int64_t id = intOf(member(item, "id"));
  EXPECT_EQ(str(item.at("sha256")), crypto::sha256Hex(bytes));
  EXPECT_EQ(intOf(member(item, "size")), static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(str(item.at("description")), "nhật ký");
  ASSERT_EQ(item.at("custody").as_array().size(), 1u);
  EXPECT_EQ(str(item.at("custody").at(0).at("action")), "collected");
  EXPECT_EQ(str(item.at("custody").at(0).at("reason")), "xác minh");

  auto list = call(leaderA_, "GET", ev(incident_), "", 200);
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  EXPECT_EQ(intOf(member(list, "max_file_bytes")), kEvidenceMaxFileBytes);

  const std::string one = ev(incident_) + "/" + std::to_string(id);
  auto entry = call(socA_, "POST", one + "/custody",
                    body({{"action", "handed_over"},
                          {"to", "Công an tỉnh (PA05)"},
                          {"reason", "phối hợp điều tra"},
                          {"by", "Nguyễn Văn An"}}),
                    201);
  EXPECT_EQ(str(entry.at("by")), "Nguyễn Văn An");
  auto got = call(leaderA_, "GET", one, "", 200);
  ASSERT_EQ(got.at("custody").as_array().size(), 2u);
  EXPECT_EQ(str(got.at("custody").at(1).at("to")), "Công an tỉnh (PA05)");
  // A reader may not record custody.
  EXPECT_TRUE(isError(
      srv_.call(leaderA_, "POST", one + "/custody", body({{"action", "transferred"}, {"to", "x"}, {"reason", "y"}})),
      403, "forbidden"));

  auto v = call(leaderA_, "GET", one + "/verify", "", 200);
  EXPECT_TRUE(v.at("intact").as_bool()) << str(v.at("detail"));
  EXPECT_EQ(str(v.at("actual_sha256")), crypto::sha256Hex(bytes));
  // The stored file changed behind vigil's back: verify says so.
  const fs::path file = srv_.dir() / "evidence" / crypto::sha256Hex(bytes).substr(0, 2) / crypto::sha256Hex(bytes);
  ASSERT_TRUE(fs::exists(file));
  fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
  std::fstream(file, std::ios::in | std::ios::out | std::ios::binary).put('1');
  auto bad = call(leaderA_, "GET", one + "/verify", "", 200);
  EXPECT_FALSE(bad.at("intact").as_bool());
  EXPECT_NE(str(bad.at("detail")).find("has changed"), std::string::npos);

  // The download is always an attachment, never sniffed or rendered.
  const std::string html = "<html><script>alert(1)</script></html>";
  auto page = upload("trang-bi-sua.html", html);
  auto dl = srv_.call(leaderA_, "GET", ev(incident_) + "/" + std::to_string(intOf(member(page, "id"))) + "/file");
  ASSERT_EQ(dl.status, 200) << dl.body;
  EXPECT_EQ(dl.body, html);
  EXPECT_EQ(dl.header("content-type"), "application/octet-stream");
  EXPECT_EQ(dl.header("content-disposition").rfind("attachment;", 0), 0u) << dl.header("content-disposition");
  EXPECT_NE(dl.header("content-disposition").find("trang-bi-sua.html"), std::string::npos);
  EXPECT_EQ(dl.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(dl.header("x-evidence-sha256"), crypto::sha256Hex(html));

  // Every change is audited; the incident's timeline shows the evidence.
  EXPECT_EQ(successes("evidence.collect"), 2);
  EXPECT_EQ(successes("evidence.custody"), 1);
  auto inc = call(leaderA_, "GET", "/api/v1/incidents/" + std::to_string(incident_), "", 200);
  int evidenceEntries = 0;
  for (const auto& t : inc.at("timeline").as_array())
    if (str(t.at("kind")) == "evidence") ++evidenceEntries;
  EXPECT_EQ(evidenceEntries, 3);
}

TEST_F(EvidenceApi, TheBundleIsDownloadedVerifiedAndRecordedInCustody) {
  upload("access.log", "line 1\nline 2\n");
  upload("anh-chup.png", std::string("\x89PNG\r\n\x1a\n", 8) + "pixels");
  EXPECT_TRUE(isError(srv_.call(socA_, "POST", ev(incident_) + "/bundle", body({{"reason", "chia sẻ"}})), 400,
                      "validation_failed", "to"));
  auto r = srv_.call(socA_, "POST", ev(incident_) + "/bundle",
                     body({{"to", "Trung tâm Giám sát an toàn không gian mạng quốc gia"}, {"reason", "chia sẻ"}}));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 600);
  EXPECT_EQ(r.header("content-type"), "application/zip");
  EXPECT_EQ(r.header("content-disposition").rfind("attachment;", 0), 0u);
  auto report = evidence::verifyBundle(r.body);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok()) << evidence::formatReport(*report);
  EXPECT_EQ(report->items.size(), 2u);
  EXPECT_EQ(report->manifestSha256, r.header("x-bundle-manifest-sha256"));
  EXPECT_EQ(report->manifest.toolVersion, "test");
  const json::value listed = call(socA_, "GET", ev(incident_), "", 200);
  for (const auto& item : listed.at("items").as_array()) {
    const auto& custody = item.at("custody").as_array();
    ASSERT_EQ(custody.size(), 2u);
    EXPECT_EQ(str(custody[1].at("action")), "exported");
    EXPECT_EQ(str(custody[1].at("to")), "Trung tâm Giám sát an toàn không gian mạng quốc gia");
    EXPECT_NE(str(custody[1].at("reason")).find(report->manifestSha256), std::string::npos);
  }
  // An incident without evidence has no bundle.
  const int64_t empty = createIncident(std::nullopt);
  EXPECT_TRUE(isError(srv_.call(socA_, "POST", ev(empty) + "/bundle", body({{"to", "x"}, {"reason", "y"}})), 400,
                      "validation_failed", "items"));
}

TEST_F(EvidenceApi, AnOversizeFileIsRefusedWith413AndNothingIsStored) {
  EXPECT_EQ(srv_.api().bodyLimit("POST", ev(incident_) + "?name=x", 100), kEvidenceMaxFileBytes);
  auto r = srv_.call(socA_, "POST", ev(incident_) + "?name=memory.raw", std::string(kEvidenceMaxFileBytes + 1, 'm'));
  EXPECT_TRUE(isError(r, 413, "payload_too_large")) << describe(r);
  EXPECT_NE(errorMessage(r).find(std::to_string(kEvidenceMaxFileBytes)), std::string::npos) << errorMessage(r);
  EXPECT_EQ(storedFiles(), 0u);
  EXPECT_TRUE(call(socA_, "GET", ev(incident_), "", 200).at("items").as_array().empty());
  EXPECT_EQ(successes("evidence.collect"), 0);
  // A chunked body (no Content-Length) is cut at the same limit while it is read.
  std::string raw = "POST " + ev(incident_) + "?name=chunked.raw HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : socA_.headers()) raw += name + ": " + value + "\r\n";
  raw += "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(64 << 10, 'c');
  for (int64_t sent = 0; sent < kEvidenceMaxFileBytes; sent += static_cast<int64_t>(chunk.size()))
    raw += "10000\r\n" + chunk + "\r\n";
  raw += "1\r\nc\r\n0\r\n\r\n";  // one byte over
  auto chunked = parseRawResponse(srv_.client().raw(raw));
  EXPECT_TRUE(isError(chunked, 413, "payload_too_large")) << describe(chunked);
  EXPECT_NE(errorMessage(chunked).find(std::to_string(kEvidenceMaxFileBytes)), std::string::npos);
  EXPECT_EQ(storedFiles(), 0u);
  // Exactly at the limit is accepted, above http.max_body_bytes (the route's own body limit).
  ASSERT_GT(kEvidenceMaxFileBytes, Config{}.http.maxBodyBytes);
  upload("memory.raw", std::string(kEvidenceMaxFileBytes, 'm'));
  EXPECT_EQ(storedFiles(), 1u);
}

TEST_F(EvidenceApi, BadInputIsRefusedNamingWhatAndNothingIsStored) {
  struct Case {
    std::string query, bytes, field;
  };
  const std::vector<Case> cases = {
      {"", "x", "name"},
      {"?name=a%2Fb.log", "x", "name"},
      {"?name=a.log", "", "body"},
      {"?name=a.log&collected_at=yesterday", "x", "collected_at"},
      {"?name=a.log&collected_at=2999-01-01T00:00:00Z", "x", "collected_at"},
  };
  for (const auto& c : cases) {
    auto r = srv_.call(socA_, "POST", ev(incident_) + c.query, c.bytes);
    EXPECT_TRUE(isError(r, 400, "validation_failed", c.field)) << c.query;
  }
  EXPECT_TRUE(isError(srv_.call(socA_, "POST", ev(incident_) + "?name=a.log&colour=red", "x"), 400, "validation_failed",
                      "colour"));
  EXPECT_TRUE(isError(srv_.call(socA_, "POST", ev(999999) + "?name=a.log", "x"), 404, "not_found"));
  EXPECT_TRUE(isError(srv_.call(leaderA_, "POST", ev(incident_) + "?name=a.log", "x"), 403, "forbidden"));
  EXPECT_EQ(storedFiles(), 0u);
  EXPECT_TRUE(call(socA_, "GET", ev(incident_), "", 200).at("items").as_array().empty());

  auto item = upload("a.log", "bytes");
  const std::string one = ev(incident_) + "/" + std::to_string(intOf(member(item, "id")));
  const std::vector<std::pair<json::object, std::string>> custody = {
      {{{"action", "exported"}, {"to", "x"}, {"reason", "y"}}, "action"},
      {{{"action", "transferred"}, {"reason", "y"}}, "to"},
      {{{"action", "transferred"}, {"to", "x"}}, "reason"},
      {{{"action", "transferred"}, {"to", "x"}, {"reason", "y"}, {"at", "2999-01-01T00:00:00Z"}}, "at"},
      {{{"action", "transferred"}, {"to", "x"}, {"reason", "y"}, {"at", "hôm qua"}}, "at"},
  };
  for (const auto& [b, field] : custody)
    EXPECT_TRUE(isError(srv_.call(socA_, "POST", one + "/custody", body(b)), 400, "validation_failed", field))
        << body(b);
  EXPECT_EQ(call(socA_, "GET", one, "", 200).at("custody").as_array().size(), 1u);
  // The item is not reachable through another incident.
  const int64_t other = createIncident(std::nullopt);
  EXPECT_TRUE(
      isError(srv_.call(socA_, "GET", ev(other) + "/" + std::to_string(intOf(member(item, "id")))), 404, "not_found"));
}

TEST_F(EvidenceApi, StixAndMispCarryTheIncidentsObservables) {
  const std::string inc = "/api/v1/incidents/" + std::to_string(incident_);
  EXPECT_TRUE(isError(srv_.call(socA_, "GET", inc + "/export/stix"), 400, "validation_failed", "observables"));
  const std::string sha = crypto::sha256Hex("payload");
  call(socA_, "POST", inc + "/observables",
       body({{"observables", json::array{json::object{{"type", "ip"}, {"value", "203.0.113.5"}},
                                         json::object{{"type", "domain"}, {"value", "c2.example.net"}},
                                         json::object{{"type", "hash"}, {"value", sha}},
                                         json::object{{"type", "url"}, {"value", "http://c2.example.net/x.php"}}}}}),
       201);
  auto s = srv_.call(leaderA_, "GET", inc + "/export/stix?tlp=amber");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.header("content-disposition").rfind("attachment;", 0), 0u);
  auto stix = parseJson(s.body);
  EXPECT_EQ(str(stix.at("type")), "bundle");
  std::map<std::string, std::string> scos;  // type -> value or hash
  bool amber = false;
  int indicators = 0;
  for (const auto& o : stix.at("objects").as_array()) {
    const std::string type = str(o.at("type"));
    if (type == "ipv4-addr" || type == "domain-name" || type == "url") scos[type] = str(o.at("value"));
    if (type == "file") scos[type] = str(o.at("hashes").at("SHA-256"));
    if (type == "indicator") ++indicators;
    if (type == "marking-definition" && s.body.find("TLP:AMBER") != std::string::npos) amber = true;
  }
  EXPECT_EQ(scos["ipv4-addr"], "203.0.113.5");
  EXPECT_EQ(scos["domain-name"], "c2.example.net");
  EXPECT_EQ(scos["url"], "http://c2.example.net/x.php");
  EXPECT_EQ(scos["file"], sha);
  EXPECT_EQ(indicators, 4);
  EXPECT_TRUE(amber);

  auto m = srv_.call(leaderA_, "GET", inc + "/export/misp?tlp=green");
  ASSERT_EQ(m.status, 200) << m.body;
  auto misp = parseJson(m.body);
  std::map<std::string, std::string> attrs;  // type -> value
  for (const auto& a : misp.at("Event").at("Attribute").as_array()) attrs[str(a.at("type"))] = str(a.at("value"));
  EXPECT_EQ(attrs["ip-dst"], "203.0.113.5");
  EXPECT_EQ(attrs["domain"], "c2.example.net");
  EXPECT_EQ(attrs["sha256"], sha);
  EXPECT_EQ(attrs["url"], "http://c2.example.net/x.php");
  EXPECT_EQ(str(misp.at("Event").at("info")), "Cổng thông tin bị thay đổi giao diện");
  EXPECT_NE(m.body.find("tlp:green"), std::string::npos);

  EXPECT_TRUE(isError(srv_.call(leaderA_, "GET", inc + "/export/misp?tlp=purple"), 400, "validation_failed", "tlp"));
}

TEST_F(EvidenceApi, PlansAreAttachedToSystemsAndAppliedToIncidentsOnce) {
  auto plans = call(leaderA_, "GET", "/api/v1/response-plans", "", 200).at("items").as_array();
  ASSERT_EQ(plans.size(), 8u);
  const json::value* defacement = nullptr;
  for (const auto& p : plans)
    if (str(p.at("id")) == "defacement") defacement = &p;
  ASSERT_NE(defacement, nullptr);
  const size_t planTasks = defacement->at("tasks").as_array().size();
  ASSERT_GT(planTasks, 0u);

  json::object sys{{"org_id", a_},
                   {"name", "Cổng thông tin điện tử Sở Y tế"},
                   {"regime_id", "A_ND85_TT12"},
                   {"owner", "UBND tỉnh"},
                   {"lead_operator", "Sở Y tế"},
                   {"facts", json::object{{"system_type", "citizen_facing"},
                                          {"information_types", json::array{"public"}},
                                          {"online_public_service_level", 3}}}};
  const int64_t system = intOf(member(call(srv_.admin(), "POST", "/api/v1/systems", body(sys), 201), "id"));
  const std::string sp = "/api/v1/systems/" + std::to_string(system) + "/plans";
  EXPECT_TRUE(isError(srv_.call(srv_.admin(), "POST", sp, body({{"plan_id", "alien-invasion"}})), 400,
                      "validation_failed", "plan_id"));
  call(srv_.admin(), "POST", sp, body({{"plan_id", "defacement"}}), 201);
  EXPECT_TRUE(isError(srv_.call(srv_.admin(), "POST", sp, body({{"plan_id", "defacement"}})), 409, "conflict"));
  call(srv_.admin(), "POST", sp, body({{"plan_id", "ddos"}}), 201);
  EXPECT_EQ(call(leaderA_, "GET", sp, "", 200).at("items").as_array().size(), 2u);
  ASSERT_EQ(srv_.call(srv_.admin(), "DELETE", sp + "/ddos").status, 204);

  const int64_t incident = createIncident(system);
  const std::string ip = "/api/v1/incidents/" + std::to_string(incident) + "/plans";
  auto offered = call(leaderA_, "GET", ip, "", 200);
  EXPECT_EQ(offered.at("system_plans").as_array(), (json::array{"defacement"}));
  EXPECT_TRUE(offered.at("applied").as_array().empty());

  EXPECT_TRUE(isError(srv_.call(leaderA_, "POST", ip, body({{"plan_id", "defacement"}})), 403, "forbidden"));
  auto applied = call(socA_, "POST", ip, body({{"plan_id", "defacement"}}), 201);
  const auto& tasks = applied.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), planTasks);
  for (const auto& t : tasks) {
    EXPECT_TRUE(t.at("due_at").is_string()) << json::serialize(t);
    EXPECT_FALSE(str(t.at("priority")).empty());
    EXPECT_FALSE(str(t.at("due_date")).empty());
  }
  auto again = srv_.call(socA_, "POST", ip, body({{"plan_id", "defacement"}}));
  EXPECT_TRUE(isError(again, 409, "conflict"));
  EXPECT_NE(errorMessage(again).find("already applied"), std::string::npos);

  auto inc = call(leaderA_, "GET", "/api/v1/incidents/" + std::to_string(incident), "", 200);
  ASSERT_EQ(inc.at("tasks").as_array().size(), planTasks) << "applying twice created no second set of tasks";
  for (size_t k = 0; k < planTasks; ++k) {
    EXPECT_EQ(str(inc.at("tasks").at(k).at("title")), str(tasks[k].at("title")));
    EXPECT_EQ(str(inc.at("tasks").at(k).at("due_at")), str(tasks[k].at("due_at")));
  }
  bool onTimeline = false;
  for (const auto& t : inc.at("timeline").as_array())
    if (str(t.at("kind")) == "plan") onTimeline = true;
  EXPECT_TRUE(onTimeline);
  EXPECT_EQ(successes("incident.plan_apply"), 1);
  EXPECT_EQ(call(leaderA_, "GET", ip, "", 200).at("applied").as_array().size(), 1u);
}

}  // namespace
}  // namespace vigil::test
