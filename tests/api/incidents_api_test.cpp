// Incidents over HTTP (routes_incidents.cpp, incident_ops.cpp): alerts promoted to an incident
// (they move to in progress, their observables come along), the walk through every process file
// of catalogs/incident/processes step by step with every forbidden transition tried, a blocking
// step refusing to move without its outputs, a backdated detection time refused once a report
// was sent, stale revisions, tasks, parties, observables counted across incidents, the list by
// nearest legal deadline with keyset paging, and the append-only tables.
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "alerts/deadline_watch.h"
#include "api_test_util.h"
#include "compliance/regime_catalog.h"
#include "incident/process_catalog.h"

namespace vigil::test {
namespace {

constexpr TimeMs kMinute = 60 * 1000;
constexpr TimeMs kHour = 60 * kMinute;

const incident::ProcessLibrary& library() {
  static const incident::ProcessLibrary lib = [] {
    auto regimes = compliance::loadRegimeDirectory(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/regimes");
    EXPECT_TRUE(regimes.ok());
    auto r = incident::ProcessLibrary::loadDirectory(
        std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/incident/processes", *regimes);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(r).value();
  }();
  return lib;
}

class IncidentsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    Session& root = srv_.admin();
    a_ = srv_.createOrg(root, 1, "Sở Y tế");
    b_ = srv_.createOrg(root, 1, "Sở Tài chính");
    socA_ = srv_.userSession("soc.yte", a_, "soc_analyst");
    officerB_ = srv_.userSession("canbo.taichinh", b_, "unit_officer");
    leaderA_ = srv_.userSession("lanhdao.yte", a_, "leader");
  }

  json::value call(const Session& s, const std::string& method, const std::string& target, const json::object& b,
                   int status) {
    auto r = srv_.call(s, method, target, body(b));
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
    return parseJson(r.body);
  }
  json::value get(const Session& s, const std::string& target, int status = 200) {
    auto r = srv_.call(s, "GET", target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return parseJson(r.body);
  }
  std::string inc(int64_t id) { return "/api/v1/incidents/" + std::to_string(id); }

  int64_t alert(int64_t org, const std::string& ip) {
    auto v = call(socA_, "POST", "/api/v1/alerts",
                  {{"org_id", org},
                   {"title", "Dò mật khẩu SSH từ " + ip},
                   {"severity", "high"},
                   {"observables", json::array{json::object{{"type", "ip"}, {"value", ip}}}}},
                  201);
    return intOf(member(v, "id"));
  }

  json::value create(const json::object& b, int status = 201) {
    return call(socA_, "POST", "/api/v1/incidents", b, status);
  }
  json::value createManual(const std::string& process, const std::string& title, TimeMs detected) {
    const auto p = library().latest(process);
    return create({{"org_id", a_},
                   {"title", title},
                   {"regime", p->regime()},
                   {"process", process},
                   {"detected_at", formatRfc3339(detected)}});
  }

  // Moves the incident to `to`, recording every required output of its current step.
  json::value move(const json::value& cur, const incident::ProcessCatalog& p, const std::string& to, int status = 200) {
    const auto* step = p.step(str(cur.at("current_step")));
    json::array outputs;
    // Outputs count for the current visit only: a looped step records them again.
    const auto& visit = cur.at("steps").as_array().back().at("outputs").as_array();
    for (const auto& o : step->outputs) {
      const bool recorded =
          std::any_of(visit.begin(), visit.end(), [&](const json::value& x) { return str(x.at("id")) == o.id; });
      if (o.required && !recorded) outputs.push_back(json::object{{"id", o.id}, {"text", "Đã thực hiện: " + o.label}});
    }
    srv_.clock().advanceMs(kMinute);
    return call(socA_, "POST", inc(intOf(member(cur, "id"))) + "/transition",
                {{"revision", cur.at("revision")}, {"to", to}, {"outputs", outputs}}, status);
  }

  TestServer srv_;
  int64_t a_ = 0, b_ = 0;
  Session socA_, officerB_, leaderA_;
};

TEST_F(IncidentsApi, AlertsPromotedToAnIncidentMoveToInProgressAndBringTheirObservables) {
  const int64_t a1 = alert(a_, "203.0.113.7");
  const int64_t a2 = alert(a_, "198.51.100.2");
  srv_.clock().advanceMs(kMinute);
  auto v = create(
      {{"title", "Dò mật khẩu SSH vào cổng thông tin"}, {"regime", "A_ND85_TT12"}, {"alert_ids", json::array{a1, a2}}});
  const int64_t id = intOf(member(v, "id"));
  ASSERT_GT(id, 0);
  EXPECT_EQ(intOf(member(v, "org_id")), a_) << "the agency comes from the alerts";
  EXPECT_EQ(str(v.at("process_id")), "A-TT20");
  EXPECT_EQ(intOf(member(v, "process_version")), 1);
  EXPECT_EQ(str(v.at("current_step")), "receive_verify");
  EXPECT_EQ(v.at("alerts").as_array().size(), 2u);
  EXPECT_EQ(v.at("observables").as_array().size(), 2u);
  for (int64_t a : {a1, a2}) {
    auto al = get(socA_, "/api/v1/alerts/" + std::to_string(a));
    EXPECT_EQ(str(al.at("state")), "in_progress");
  }
  // The notification deadline (5 days from detection) is on the clock.
  bool notification = false;
  for (const auto& d : v.at("deadlines").as_array())
    if (str(d.at("met_by")) == "notification") notification = true;
  EXPECT_TRUE(notification) << json::serialize(v.at("deadlines"));
  // An alert belongs to one incident.
  auto again = srv_.call(socA_, "POST", "/api/v1/incidents",
                         body({{"title", "Lần hai"}, {"regime", "A_ND85_TT12"}, {"alert_ids", json::array{a1}}}));
  EXPECT_TRUE(isError(again, 400, "validation_failed", "alert_ids[0]")) << again.body;
  EXPECT_NE(again.body.find("already attached to incident " + std::to_string(id)), std::string::npos);
  // Attaching a third alert to the existing incident.
  const int64_t a3 = alert(a_, "203.0.113.7");
  auto linked = call(socA_, "POST", inc(id) + "/alerts", {{"alert_ids", json::array{a3}}}, 200);
  EXPECT_EQ(linked.at("alerts").as_array().size(), 3u);
  EXPECT_EQ(linked.at("observables").as_array().size(), 2u) << "the same IP is one observable";
  // An alert of another agency cannot join.
  const int64_t other = [&] {
    Session socB = srv_.userSession("soc.taichinh", b_, "soc_analyst");
    auto r = call(socB, "POST", "/api/v1/alerts", {{"org_id", b_}, {"title", "Khác"}, {"severity", "low"}}, 201);
    return intOf(member(r, "id"));
  }();
  auto foreign = srv_.call(srv_.admin(), "POST", inc(id) + "/alerts", body({{"alert_ids", json::array{other}}}));
  EXPECT_TRUE(isError(foreign, 400, "validation_failed", "alert_ids[0]")) << foreign.body;
}

TEST_F(IncidentsApi, EveryProcessFileWalkedStepByStepWithEveryForbiddenTransitionRefused) {
  int moved = 0, refused = 0;
  const TimeMs detected = srv_.clock().nowMs() - kHour;
  for (const auto& p : library().all()) {
    if (library().latest(p->id()) != p) continue;  // new incidents run the latest version
    // The shortest path from the start to every step (breadth first over `next`).
    std::map<std::string, std::vector<std::string>> pathTo;
    std::deque<std::string> queue{p->startStep().id};
    pathTo[p->startStep().id] = {};
    while (!queue.empty()) {
      const std::string s = queue.front();
      queue.pop_front();
      for (const auto& n : p->step(s)->next)
        if (!pathTo.count(n)) {
          pathTo[n] = pathTo[s];
          pathTo[n].push_back(n);
          queue.push_back(n);
        }
    }
    ASSERT_EQ(pathTo.size(), p->steps().size()) << p->key() << ": every step is reachable";
    for (const auto& target : p->steps()) {
      SCOPED_TRACE(p->key() + " at " + target.id);
      auto cur = createManual(p->id(), "Đi qua " + target.id, detected);
      for (const auto& s : pathTo[target.id]) {
        cur = move(cur, *p, s);
        ASSERT_EQ(str(cur.at("current_step")), s) << json::serialize(cur);
        ++moved;
      }
      // A final step closes the incident once its required outputs are recorded.
      const bool finalNeedsOutputs =
          target.final && std::any_of(target.outputs.begin(), target.outputs.end(), [](auto& o) { return o.required; });
      EXPECT_EQ(cur.at("closed").as_bool(), target.final && !finalNeedsOutputs);
      const int64_t id = intOf(member(cur, "id"));
      const int64_t revision = intOf(member(cur, "revision"));
      // Every step that does not follow this one is refused, naming the allowed ones.
      for (const auto& to : p->steps()) {
        if (std::find(target.next.begin(), target.next.end(), to.id) != target.next.end()) continue;
        auto r = srv_.call(socA_, "POST", inc(id) + "/transition", body({{"revision", revision}, {"to", to.id}}));
        EXPECT_TRUE(isError(r, 400, "validation_failed")) << to.id << ": " << r.body;
        ++refused;
      }
      // A blocking step with required outputs refuses every next step until they are recorded.
      const bool needs = std::any_of(target.outputs.begin(), target.outputs.end(), [](auto& o) { return o.required; });
      if (target.blocks && needs && !target.final) {
        auto r = srv_.call(socA_, "POST", inc(id) + "/transition",
                           body({{"revision", revision}, {"to", target.next.front()}}));
        EXPECT_TRUE(isError(r, 400, "validation_failed", "outputs")) << r.body;
        for (const auto& c : cur.at("next").at("candidates").as_array()) EXPECT_FALSE(c.at("allowed").as_bool());
      }
      // Nothing refused was recorded.
      auto after = get(socA_, inc(id));
      EXPECT_EQ(intOf(member(after, "revision")), revision);
      if (finalNeedsOutputs) {
        json::array outputs;
        for (const auto& o : target.outputs)
          if (o.required) outputs.push_back(json::object{{"id", o.id}, {"text", "Đã lập: " + o.label}});
        auto closed = call(socA_, "POST", inc(id) + "/outputs", {{"revision", revision}, {"outputs", outputs}}, 200);
        EXPECT_TRUE(closed.at("closed").as_bool()) << json::serialize(closed.at("next"));
        auto late = srv_.call(socA_, "POST", inc(id) + "/notes", body({{"body", "Ghi chú sau khi kết thúc"}}));
        EXPECT_EQ(late.status, 201) << late.body;
      }
    }
  }
  EXPECT_GT(moved, 30);
  EXPECT_GT(refused, 200);
}

TEST_F(IncidentsApi, ABackdatedDetectionIsRefusedOnceTheNotificationWasSent) {
  const auto p = library().latest("A-TT20");
  const TimeMs detected = srv_.clock().nowMs() - 2 * kHour;
  auto cur = createManual("A-TT20", "Thay đổi giao diện cổng thông tin", detected);
  const int64_t id = intOf(member(cur, "id"));
  // Before any report a correction is accepted, with a reason.
  auto noReason = srv_.call(socA_, "PATCH", inc(id),
                            body({{"revision", cur.at("revision")}, {"detected_at", formatRfc3339(detected - kHour)}}));
  EXPECT_TRUE(isError(noReason, 400, "validation_failed", "reason")) << noReason.body;
  cur = call(socA_, "PATCH", inc(id),
             {{"revision", cur.at("revision")},
              {"detected_at", formatRfc3339(detected - kHour)},
              {"reason", "Nhật ký máy chủ cho thấy sớm hơn"}},
             200);
  for (const char* s : {"first_response", "choose_plan", "report"}) cur = move(cur, *p, s);
  cur = call(socA_, "POST", inc(id) + "/outputs",
             {{"revision", cur.at("revision")},
              {"outputs", json::array{json::object{{"id", "notification"}, {"text", "Công văn số 12/SYT"}}}}},
             200);
  auto back = srv_.call(socA_, "PATCH", inc(id),
                        body({{"revision", cur.at("revision")},
                              {"detected_at", formatRfc3339(detected - 3 * kHour)},
                              {"reason", "Sớm hơn nữa"}}));
  EXPECT_TRUE(isError(back, 400, "validation_failed", "detected_at")) << back.body;
  EXPECT_NE(back.body.find("notification"), std::string::npos) << back.body;
  // The met deadline shows as met.
  auto v = get(socA_, inc(id));
  bool met = false;
  for (const auto& d : v.at("deadlines").as_array())
    if (str(d.at("met_by")) == "notification") met = str(d.at("state")) == "met";
  EXPECT_TRUE(met) << json::serialize(v.at("deadlines"));
  // A stale revision is a conflict, and a note is on the timeline.
  auto stale = srv_.call(socA_, "POST", inc(id) + "/transition", body({{"revision", 1}, {"to", "coordinate"}}));
  EXPECT_TRUE(isError(stale, 409, "conflict")) << stale.body;
  call(socA_, "POST", inc(id) + "/notes", {{"body", "Đã gọi điện cho Công an tỉnh"}}, 201);
  auto last = get(socA_, inc(id)).at("timeline").as_array().back();
  EXPECT_EQ(str(last.at("kind")), "note");
}

TEST_F(IncidentsApi, TasksPartiesAndObservablesSeenInOtherIncidents) {
  const TimeMs detected = srv_.clock().nowMs() - kHour;
  auto one = createManual("A-TT20", "Sự cố một", detected);
  auto two = createManual("A-TT20", "Sự cố hai", detected);
  const int64_t id1 = intOf(member(one, "id")), id2 = intOf(member(two, "id"));
  const json::array ip{json::object{{"type", "ip"}, {"value", "203.0.113.9"}}};
  call(socA_, "POST", inc(id1) + "/observables", {{"observables", ip}}, 201);
  auto added =
      call(socA_, "POST", inc(id2) + "/observables",
           {{"observables", json::array{ip[0], json::object{{"type", "domain"}, {"value", "EVIL.example"}}}}}, 201);
  for (const auto& o : added.at("items").as_array()) {
    if (str(o.at("type")) == "ip") {
      EXPECT_EQ(intOf(member(o, "other_incidents")), 1);
    }
    if (str(o.at("type")) == "domain") {
      EXPECT_EQ(str(o.at("value")), "evil.example");
    }
  }
  auto dup = srv_.call(socA_, "POST", inc(id1) + "/observables", body({{"observables", ip}}));
  EXPECT_TRUE(isError(dup, 400, "validation_failed", "observables")) << dup.body;
  auto badType = srv_.call(socA_, "POST", inc(id1) + "/observables",
                           body({{"observables", json::array{json::object{{"type", "mac"}, {"value", "x"}}}}}));
  EXPECT_TRUE(isError(badType, 400, "validation_failed", "observables[0].type")) << badType.body;

  auto task = call(socA_, "POST", inc(id1) + "/tasks",
                   {{"title", "Cô lập máy chủ web"}, {"due_at", formatRfc3339(srv_.clock().nowMs() + kHour)}}, 201);
  const std::string t = inc(id1) + "/tasks/" + std::to_string(intOf(member(task, "id")));
  auto done = call(socA_, "PATCH", t, {{"done", true}}, 200);
  EXPECT_TRUE(done.at("done").as_bool());
  const int64_t officerB = jsonInt(jsonField(srv_.call(officerB_, "GET", "/api/v1/me").body, "user"), "id");
  auto foreignAssignee = srv_.call(socA_, "PATCH", t, body({{"assignee_id", officerB}}));
  EXPECT_TRUE(isError(foreignAssignee, 400, "validation_failed", "assignee_id")) << foreignAssignee.body;
  EXPECT_EQ(srv_.call(socA_, "DELETE", t).status, 204);
  EXPECT_EQ(srv_.call(socA_, "PATCH", t, body({{"done", false}})).status, 404);

  auto party = call(socA_, "POST", inc(id1) + "/parties",
                    {{"party", "police"}, {"contact", "Phòng PA05 Công an tỉnh"}, {"channel", "phone"}}, 201);
  EXPECT_EQ(str(party.at("party")), "police");
  auto badParty = srv_.call(socA_, "POST", inc(id1) + "/parties",
                            body({{"party", "press"}, {"contact", "Báo"}, {"channel", "phone"}}));
  EXPECT_TRUE(isError(badParty, 400, "validation_failed", "party")) << badParty.body;
  auto v = get(socA_, inc(id1));
  EXPECT_EQ(v.at("parties").as_array().size(), 1u);
  EXPECT_TRUE(v.at("tasks").as_array().empty());
  std::set<std::string> kinds;
  for (const auto& e : v.at("timeline").as_array()) kinds.insert(str(e.at("kind")));
  for (const char* k : {"created", "observable", "task", "party"}) EXPECT_TRUE(kinds.count(k)) << k;
}

TEST_F(IncidentsApi, ListSortsByNearestLegalDeadlineWithKeysetPaging) {
  const TimeMs now = srv_.clock().nowMs();
  // Regime B (72 hours) detected 10 hours ago is due before regime A (5 days) detected 1 hour ago.
  auto a = createManual("A-TT20", "Regime A", now - kHour);
  auto b = createManual("B-ND331", "Regime B", now - 10 * kHour);
  auto c = createManual("B-ND331", "Regime B sớm hơn", now - 20 * kHour);
  auto page1 = get(socA_, "/api/v1/incidents?limit=2");
  const auto& items = page1.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(intOf(member(items[0], "id")), intOf(member(c, "id")));
  EXPECT_EQ(intOf(member(items[1], "id")), intOf(member(b, "id")));
  EXPECT_TRUE(page1.at("has_more").as_bool());
  EXPECT_FALSE(items[0].at("nearest_deadline").is_null());
  auto page2 = get(socA_, "/api/v1/incidents?limit=2&cursor=" + str(page1.at("next_cursor")));
  ASSERT_EQ(page2.at("items").as_array().size(), 1u);
  EXPECT_EQ(intOf(member(page2.at("items").as_array()[0], "id")), intOf(member(a, "id")));
  EXPECT_TRUE(isError(srv_.call(socA_, "GET", "/api/v1/incidents?status=maybe"), 400, "validation_failed", "status"));
}

TEST_F(IncidentsApi, AgenciesSeeTheirOwnIncidentsAndReadersCannotHandleThem) {
  auto v = createManual("A-TT20", "Sự cố Sở Y tế", srv_.clock().nowMs() - kHour);
  const int64_t id = intOf(member(v, "id"));
  EXPECT_TRUE(isError(srv_.call(officerB_, "GET", inc(id)), 404, "not_found"));
  EXPECT_TRUE(get(officerB_, "/api/v1/incidents").at("items").as_array().empty());
  auto task = call(socA_, "POST", inc(id) + "/tasks", {{"title", "Sao lưu nhật ký"}}, 201);
  const std::string t = inc(id) + "/tasks/" + std::to_string(intOf(member(task, "id")));
  EXPECT_TRUE(isError(srv_.call(officerB_, "PATCH", t, body({{"done", true}})), 404, "not_found"));
  EXPECT_TRUE(isError(srv_.call(officerB_, "DELETE", t), 404, "not_found"));
  EXPECT_FALSE(get(socA_, inc(id)).at("tasks").as_array()[0].at("done").as_bool());
  auto r = srv_.call(officerB_, "POST", inc(id) + "/notes", body({{"body", "x"}}));
  EXPECT_TRUE(isError(r, 404, "not_found")) << r.body;
  // A leader of the agency reads it but does not handle it.
  EXPECT_EQ(srv_.call(leaderA_, "GET", inc(id)).status, 200);
  auto led = srv_.call(leaderA_, "POST", inc(id) + "/notes", body({{"body", "x"}}));
  EXPECT_TRUE(isError(led, 403, "forbidden")) << led.body;
  auto create = srv_.call(officerB_, "POST", "/api/v1/incidents",
                          body({{"org_id", a_},
                                {"title", "x"},
                                {"regime", "A_ND85_TT12"},
                                {"detected_at", formatRfc3339(srv_.clock().nowMs())}}));
  EXPECT_TRUE(isError(create, 404, "not_found")) << create.body;
}

TEST_F(IncidentsApi, BadInputNamesTheField) {
  const std::string now = formatRfc3339(srv_.clock().nowMs());
  EXPECT_TRUE(isError(
      srv_.call(socA_, "POST", "/api/v1/incidents", body({{"org_id", a_}, {"title", "x"}, {"detected_at", now}})), 400,
      "validation_failed", "regime"));
  EXPECT_TRUE(isError(srv_.call(socA_, "POST", "/api/v1/incidents",
                                body({{"org_id", a_},
                                      {"title", "x"},
                                      {"regime", "A_ND85_TT12"},
                                      {"detected_at", formatRfc3339(srv_.clock().nowMs() + kHour)}})),
                      400, "validation_failed", "detected_at"));
  EXPECT_TRUE(isError(srv_.call(socA_, "POST", "/api/v1/incidents",
                                body({{"org_id", a_},
                                      {"title", "x"},
                                      {"regime", "B_ND331_TCVN14423"},
                                      {"process", "A-TT20"},
                                      {"detected_at", now}})),
                      400, "validation_failed", "process"));
  EXPECT_TRUE(isError(srv_.call(socA_, "POST", "/api/v1/incidents",
                                body({{"org_id", a_},
                                      {"title", "x"},
                                      {"regime", "A_ND85_TT12"},
                                      {"facts", json::array{"no_such_fact"}},
                                      {"detected_at", now}})),
                      400, "validation_failed"));
  auto v = createManual("A-TT20", "Sự cố", srv_.clock().nowMs() - kHour);
  const int64_t id = intOf(member(v, "id"));
  auto wrongOutput = srv_.call(socA_, "POST", inc(id) + "/outputs",
                               body({{"revision", v.at("revision")},
                                     {"outputs", json::array{json::object{{"id", "notification"}, {"text", "x"}}}}}));
  EXPECT_TRUE(isError(wrongOutput, 400, "validation_failed", "outputs[0].id")) << wrongOutput.body;
  auto badEvent = srv_.call(socA_, "POST", inc(id) + "/events", body({{"revision", v.at("revision")}, {"event", "x"}}));
  EXPECT_TRUE(isError(badEvent, 400, "validation_failed", "event")) << badEvent.body;
}

TEST_F(IncidentsApi, TimelineStepsAndBreachesCannotBeRewritten) {
  auto v = createManual("A-TT20", "Sự cố", srv_.clock().nowMs() - kHour);
  ASSERT_TRUE(srv_.store().recordBreach(intOf(member(v, "id")), "notification", "Thông báo", 1, "leader").ok());
  for (const char* sql : {"UPDATE incident_timeline SET text = 'x'", "DELETE FROM incident_timeline",
                          "UPDATE incident_steps SET step = 'x'", "DELETE FROM incident_breaches",
                          "UPDATE incident_breaches SET label = 'x'"}) {
    auto st = srv_.store().write([&](sqlite::WriteTx& tx) { return tx.db.exec(sql); });
    EXPECT_FALSE(st.ok()) << sql;
  }
}

// The deadline watch on a fake clock: regime B's 72-hour report raises its warnings at 36, 54 and
// 64.8 hours, once each, then the breach record escalated to the leader; the queue gets an alert
// each time; a second pass raises nothing.
TEST_F(IncidentsApi, DeadlineWatchWarnsAt50_75_90PercentAndRecordsTheBreachOnce) {
  const TimeMs detected = srv_.clock().nowMs();
  auto v = createManual("B-ND331", "Mã độc trên máy chủ", detected);
  const int64_t id = intOf(member(v, "id"));
  auto processes = std::make_shared<const incident::ProcessLibrary>(library());
  auto cal = calendar::WorkingCalendar::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/calendar/vn.toml");
  ASSERT_TRUE(cal.ok());
  alerts::DeadlineWatch watch(srv_.store(), processes,
                              std::make_shared<const calendar::WorkingCalendar>(std::move(cal).value()), srv_.clock());
  auto pass = [&] {
    auto r = watch.checkOnce();
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : alerts::DeadlinePass{};
  };
  // Read through the store: the sessions expire while the fake clock runs three days ahead.
  const Actor system = Actor::systemActor("test");
  auto incident = [&] {
    auto r = srv_.store().getIncident(system, id);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Incident{};
  };
  auto warningsOf = [&] {
    std::vector<int64_t> levels;
    for (const auto& e : incident().timeline) {
      if (e.kind != "warning") continue;
      json::value data = parseJson(e.data);
      if (str(data.at("deadline")) == "report_72h") levels.push_back(intOf(member(data, "level")));
    }
    return levels;
  };
  EXPECT_EQ(pass().warnings, 0);
  srv_.clock().set(detected + 36 * kHour - kMinute);
  EXPECT_EQ(pass().warnings, 0) << "just before half the time";
  srv_.clock().set(detected + 36 * kHour);
  EXPECT_EQ(pass().warnings, 1);
  EXPECT_EQ(pass().warnings, 0) << "once per level";
  srv_.clock().set(detected + 54 * kHour);
  pass();
  srv_.clock().set(detected + 65 * kHour);
  pass();
  EXPECT_EQ(warningsOf(), (std::vector<int64_t>{50, 75, 90}));
  srv_.clock().set(detected + 72 * kHour + kMinute);
  EXPECT_EQ(pass().breaches, 1);
  EXPECT_EQ(pass().breaches, 0);
  const Incident after = incident();
  ASSERT_EQ(after.breaches.size(), 1u);
  EXPECT_EQ(after.breaches[0].deadlineId, "report_72h");
  EXPECT_EQ(after.breaches[0].escalatedTo, "leader");
  // Three warnings and the breach are in the agency's alert queue.
  AlertQuery q;
  q.ruleId = "incident-deadline";
  q.orgId = a_;
  auto queue = srv_.store().listAlerts(system, q);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->items.size(), 4u);
  EXPECT_EQ(queue->items[0].severity, AlertSeverity::kCritical);
  EXPECT_EQ(queue->items[0].detector, DetectorKind::kIncidentDeadline);
}

}  // namespace
}  // namespace vigil::test
