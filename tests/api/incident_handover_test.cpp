// Hand-over between processes over HTTP (POST /api/v1/incidents/{id}/handover, incident/handover.h,
// IncidentStore::handOverIncident): a serious regime-A incident moves to the Decision 05 serious
// path and is handed back to Circular 20 by its hand_back step; the predecessor is closed under its
// own process version, its alerts, tasks and observables stay reachable, both timelines say it and
// one audit entry records it; the legal clock keeps the detection time; forbidden hand-overs are
// refused naming why; a stale or concurrent revision is refused and changes nothing.
#include <algorithm>
#include <thread>

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

class HandoverApi : public ::testing::Test {
 protected:
  void SetUp() override {
    Session& root = srv_.admin();
    a_ = srv_.createOrg(root, 1, "Sở Y tế");
    socA_ = srv_.userSession("soc.yte", a_, "soc_analyst");
    auto r = srv_.call(root, "POST", "/api/v1/systems",
                       body({{"org_id", a_},
                             {"name", "Cổng dịch vụ công y tế"},
                             {"regime_id", "A_ND85_TT12"},
                             {"owner", "UBND tỉnh"},
                             {"lead_operator", "Sở Y tế"},
                             {"critical_list", true},
                             {"facts", json::object{{"system_type", "citizen_facing"},
                                                    {"information_types", json::array{"public"}},
                                                    {"online_public_service_level", 3}}}}));
    EXPECT_EQ(r.status, 201) << r.body;
    system_ = jsonInt(r.body, "id");
  }

  json::value call(const std::string& method, const std::string& target, const json::object& b, int status) {
    auto r = srv_.call(socA_, method, target, body(b));
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
    return parseJson(r.body);
  }
  json::value get(const std::string& target) {
    auto r = srv_.call(socA_, "GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return parseJson(r.body);
  }
  static std::string inc(int64_t id) { return "/api/v1/incidents/" + std::to_string(id); }
  static int64_t idOf(const json::value& v) { return intOf(member(v, "id")); }

  // A regime-A incident on the critical-list system, serious when `serious` (Art. 9: critical
  // system, service interrupted, the owner cannot handle it).
  json::value createA(bool serious, const json::array& alertIds = {}) {
    json::array facts{"service_interruption"};
    if (serious) facts.push_back("owner_cannot_handle");
    return call("POST", "/api/v1/incidents",
                {{"org_id", a_},
                 {"system_id", system_},
                 {"title", "Cổng dịch vụ công bị tấn công từ chối dịch vụ"},
                 {"process", "A-TT20"},
                 {"facts", facts},
                 {"alert_ids", alertIds},
                 {"detected_at", formatRfc3339(detected_)}},
                201);
  }
  json::value handover(const json::value& cur, const std::string& to, int status,
                       const std::string& reason = "Đủ điều kiện sự cố nghiêm trọng theo Điều 9") {
    return call("POST", inc(idOf(cur)) + "/handover",
                {{"revision", cur.at("revision")}, {"to_process", to}, {"reason", reason}}, status);
  }
  // Moves to `to`, recording the required outputs of the current visit.
  json::value move(const json::value& cur, const std::string& to) {
    const auto p = library().find(str(cur.at("process_id")), static_cast<int>(intOf(member(cur, "process_version"))));
    const auto* step = p->step(str(cur.at("current_step")));
    json::array outputs;
    for (const auto& o : step->outputs)
      if (o.required) outputs.push_back(json::object{{"id", o.id}, {"text", "Đã thực hiện: " + o.label}});
    srv_.clock().advanceMs(kMinute);
    return call("POST", inc(idOf(cur)) + "/transition",
                {{"revision", cur.at("revision")}, {"to", to}, {"outputs", outputs}}, 200);
  }
  static std::vector<std::string> timelineKinds(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& e : v.at("timeline").as_array()) out.push_back(str(e.at("kind")));
    return out;
  }
  // The successful hand-overs in the audit log (refused requests are audited too, as failures).
  size_t handoversAudited() {
    size_t n = 0;
    for (const auto& e : itemsOf(srv_.call(srv_.admin(), "GET", "/api/v1/audit?action=incident.handover").body))
      n += str(e.at("result")) == "success" ? 1 : 0;
    return n;
  }
  static const json::object* handoverEntry(const json::value& v) {
    for (const auto& e : v.at("timeline").as_array())
      if (str(e.at("kind")) == "handover") return &e.at("data").as_object();
    return nullptr;
  }

  TestServer srv_;
  int64_t a_ = 0, system_ = 0;
  Session socA_;
  const TimeMs detected_ = srv_.clock().nowMs() - 2 * kHour;
};

TEST_F(HandoverApi, SeriousIncidentMovesToTheSeriousPathThenIsHandedBackKeepingEverything) {
  auto ar = srv_.call(socA_, "POST", "/api/v1/alerts",
                      body({{"org_id", a_},
                            {"title", "Lưu lượng bất thường tới cổng dịch vụ công"},
                            {"severity", "high"},
                            {"observables", json::array{json::object{{"type", "ip"}, {"value", "203.0.113.50"}}}}}));
  ASSERT_EQ(ar.status, 201) << ar.body;
  const int64_t alertId = jsonInt(ar.body, "id");
  json::value first = createA(true, json::array{alertId});
  ASSERT_TRUE(first.is_object());
  const int64_t firstId = idOf(first);
  EXPECT_EQ(str(first.at("handover").at("targets").as_array().at(0).at("process")), "A-QD05-serious");
  EXPECT_EQ(str(first.at("handover").at("targets").as_array().at(0).at("rule")), "serious_escalation");
  call("POST", inc(firstId) + "/tasks", {{"title", "Chặn dải IP tấn công"}}, 201);
  // Under Circular 20 the notification (Art. 11.1.a) is sent at the report step.
  first = get(inc(firstId));  // the task changed the revision
  for (const char* to : {"first_response", "choose_plan", "report"}) first = move(first, to);
  first = call("POST", inc(firstId) + "/outputs",
               {{"revision", first.at("revision")},
                {"outputs", json::array{json::object{{"id", "notification"}, {"text", "Công văn số 12/SYT-CNTT"}}}}},
               200);
  std::string notifiedAt;
  for (const auto& o : first.at("steps").as_array().back().at("outputs").as_array())
    if (str(o.at("id")) == "notification") notifiedAt = str(o.at("at"));
  ASSERT_FALSE(notifiedAt.empty());
  first = call("POST", inc(firstId) + "/events",
               {{"revision", get(inc(firstId)).at("revision")}, {"event", "capacity_exceeded"}}, 200);
  const std::string capacityAt = str(first.at("process").at("events").as_array().at(1).at("recorded_at"));

  json::value second = handover(first, "A-QD05-serious", 201);
  const int64_t secondId = idOf(second);
  ASSERT_NE(secondId, firstId);
  // The successor: the serious path's latest version, its start step, the same detection time and
  // classification, the clock event carried with its time, a link back.
  const auto qd05 = library().latest("A-QD05-serious");
  EXPECT_EQ(str(second.at("process_id")), "A-QD05-serious");
  EXPECT_EQ(intOf(member(second, "process_version")), qd05->version());
  EXPECT_EQ(str(second.at("current_step")), qd05->startStep().id);
  EXPECT_EQ(str(second.at("detected_at")), formatRfc3339(detected_));
  EXPECT_EQ(second.at("flags"), first.at("flags"));
  EXPECT_FALSE(second.at("closed").as_bool());
  EXPECT_EQ(intOf(member(second.at("handover").at("from"), "incident_id")), firstId);
  EXPECT_EQ(str(second.at("handover").at("from").at("process")), "A-TT20@v1");
  bool carried = false;
  for (const auto& e : second.at("process").at("events").as_array())
    if (str(e.at("id")) == "capacity_exceeded") carried = str(e.at("recorded_at")) == capacityAt;
  EXPECT_TRUE(carried) << "capacity_exceeded keeps its time on the successor";
  // The legal clock counts from the original detection time.
  bool fromDetection = false;
  for (const auto& d : second.at("deadlines").as_array())
    fromDetection |= str(d.at("start_at")) == formatRfc3339(detected_);
  EXPECT_TRUE(fromDetection) << json::serialize(second.at("deadlines"));
  // The notification sent under Circular 20 meets the serious path's notification deadline.
  std::string notificationState;
  for (const auto& d : second.at("deadlines").as_array())
    if (str(d.at("id")) == "notification") notificationState = str(d.at("state")) + "@" + str(d.at("met_at"));
  EXPECT_EQ(notificationState, "met@" + notifiedAt);
  ASSERT_EQ(second.at("handover").at("carried_outputs").as_array().size(), 1u);
  EXPECT_EQ(str(second.at("handover").at("carried_outputs").as_array()[0].at("text")), "Công văn số 12/SYT-CNTT");
  const json::object* into = handoverEntry(second);
  ASSERT_NE(into, nullptr);
  EXPECT_EQ(str(into->at("direction")), "from");
  EXPECT_EQ(intOf(&into->at("incident")), firstId);
  EXPECT_EQ(str(into->at("rule")), "serious_escalation");

  // The predecessor: closed under the version it ran, its records still there, a link forward.
  const json::value before = get(inc(firstId));
  EXPECT_TRUE(before.at("closed").as_bool());
  EXPECT_EQ(str(before.at("process_id")), "A-TT20");
  EXPECT_EQ(intOf(member(before, "process_version")), 1);
  EXPECT_EQ(intOf(member(before.at("handover").at("to"), "incident_id")), secondId);
  EXPECT_TRUE(before.at("handover").at("targets").as_array().empty());
  EXPECT_EQ(before.at("alerts").as_array().size(), 1u);
  EXPECT_EQ(intOf(member(before.at("alerts").as_array()[0], "alert_id")), alertId);
  EXPECT_EQ(before.at("tasks").as_array().size(), 1u);
  EXPECT_EQ(before.at("observables").as_array().size(), 1u);
  const json::object* out = handoverEntry(before);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(str(out->at("direction")), "to");
  EXPECT_EQ(intOf(&out->at("incident")), secondId);
  EXPECT_EQ(str(out->at("process")), "A-QD05-serious@v" + std::to_string(qd05->version()));
  EXPECT_EQ(handoversAudited(), 1u);
  // The closed predecessor is not handed over twice.
  auto again = handover(before, "A-QD05-serious", 409);
  EXPECT_NE(json::serialize(again).find("continues as incident " + std::to_string(secondId)), std::string::npos);
  // Nor does its detection time move on the successor.
  call("PATCH", inc(secondId),
       {{"revision", second.at("revision")}, {"detected_at", formatRfc3339(detected_ - kHour)}, {"reason", "sửa"}},
       400);

  // Decision 05 Art. 14.2.b: verified as normal, the serious path hands it back to Circular 20.
  json::value verifying = move(second, "verify_classify");
  json::value atHandBack = move(verifying, "hand_back");
  EXPECT_EQ(str(atHandBack.at("current_step")), "hand_back");
  auto early = handover(atHandBack, "A-TT20", 400);
  EXPECT_NE(json::serialize(early).find("handover_note"), std::string::npos) << json::serialize(early);
  atHandBack =
      call("POST", inc(secondId) + "/outputs",
           {{"revision", atHandBack.at("revision")},
            {"outputs", json::array{json::object{{"id", "handover_note"}, {"text", "Xác minh: sự cố thông thường"}}}}},
           200);
  EXPECT_EQ(str(atHandBack.at("handover").at("targets").as_array().at(0).at("rule")), "hands_over_to");
  handover(atHandBack, "B-ND331", 400);
  json::value third = handover(atHandBack, "A-TT20", 201, "Xác minh là sự cố thông thường");
  EXPECT_EQ(str(third.at("process_id")), "A-TT20");
  EXPECT_EQ(str(third.at("detected_at")), formatRfc3339(detected_));
  EXPECT_EQ(intOf(member(third.at("handover").at("from"), "incident_id")), secondId);
  EXPECT_TRUE(get(inc(secondId)).at("closed").as_bool());
  EXPECT_EQ(handoversAudited(), 2u);
}

TEST_F(HandoverApi, ForbiddenHandOversAreRefusedNamingWhyAndChangeNothing) {
  const json::value normal = createA(false);
  struct Case {
    std::string to, reason, expect;
  };
  const std::vector<Case> cases{
      {"A-QD05-serious", "nghiêm trọng", "not serious (Decision 05/2017 Art. 9)"},
      {"A-TT20", "giữ nguyên", "already runs under A-TT20"},
      {"B-ND331", "đổi chế độ", "A-TT20 does not hand over to B-ND331"},
      {"A-KHONG-CO", "không có", "no incident process 'A-KHONG-CO'"},
      {"A-QD05-serious", "   ", "say why the incident changes process"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.to + " / '" + c.reason + "'");
    auto r = srv_.call(socA_, "POST", inc(idOf(normal)) + "/handover",
                       body({{"revision", normal.at("revision")}, {"to_process", c.to}, {"reason", c.reason}}));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(c.expect), std::string::npos) << r.body;
  }
  const json::value after = get(inc(idOf(normal)));
  EXPECT_EQ(after.at("revision"), normal.at("revision"));
  EXPECT_FALSE(after.at("closed").as_bool());
  EXPECT_TRUE(after.at("handover").at("to").is_null());
  EXPECT_EQ(timelineKinds(after), timelineKinds(normal));
}

TEST_F(HandoverApi, AStaleOrConcurrentRevisionIsRefusedAndOnlyOneSuccessorExists) {
  json::value cur = createA(true);
  const int64_t id = idOf(cur);
  // Stale: a note changed the revision.
  call("POST", inc(id) + "/notes", {{"body", "Đang theo dõi"}}, 201);
  handover(cur, "A-QD05-serious", 409);
  cur = get(inc(id));
  EXPECT_TRUE(cur.at("handover").at("to").is_null());
  // Two officers at once from the same revision: one wins, the other is told to reload.
  std::vector<int> statuses(2);
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      statuses[k] = srv_.call(socA_, "POST", inc(id) + "/handover",
                              body({{"revision", cur.at("revision")},
                                    {"to_process", "A-QD05-serious"},
                                    {"reason", "Đủ điều kiện nghiêm trọng"}}))
                        .status;
    });
  for (auto& t : threads) t.join();
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{201, 409}));
  auto list = itemsOf(srv_.call(socA_, "GET", "/api/v1/incidents?status=all").body);
  EXPECT_EQ(list.size(), 2u) << "the predecessor and exactly one successor";
}

}  // namespace
}  // namespace vigil::test
