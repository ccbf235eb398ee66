// Assessments through the API with the real catalogs: the checklist of a system, who may assess
// (a refusal cites its rule and source), item results, evidence files, completion (summary and
// findings), remediation and re-tests, the legal schedules, the dashboard's figures on a small
// fixture, and the audit trail. The TestServer's ManualClock fixes today at 2026-11-18.
#include "api_test_util.h"
#include "core/crypto.h"

namespace vigil::test {
namespace {

constexpr const char* kToday = "2026-11-18";

// Regime A, level 3 (Decree 85 Art. 9.2.a: online public services at level 3 or more).
json::object regimeALevel3(int64_t org, const std::string& name) {
  return {{"org_id", org},
          {"name", name},
          {"regime_id", "A_ND85_TT12"},
          {"owner", "UBND tỉnh"},
          {"lead_operator", "Sở Thông tin"},
          {"facts", json::object{{"system_type", "citizen_facing"},
                                 {"information_types", json::array{"public"}},
                                 {"online_public_service_level", 3}}}};
}
// Regime B, level 1.
json::object regimeBLevel1(int64_t org, const std::string& name) {
  return {{"org_id", org},
          {"name", name},
          {"regime_id", "B_ND331_TCVN14423"},
          {"owner", "UBND tỉnh"},
          {"lead_operator", "Sở Nội vụ"},
          {"facts", json::object{{"system_type", "internal"}, {"information_types", json::array{"public"}}}}};
}

class AssessmentApi : public ::testing::Test {
 protected:
  void SetUp() override {
    org_ = srv_.createOrg(srv_.admin(), 1, "Sở Khoa học và Công nghệ");
    officer_ = srv_.userSession("officer.khcn", org_, "unit_officer");
  }

  int64_t createSystem(const json::object& b) {
    auto r = srv_.call(srv_.admin(), "POST", "/api/v1/systems", body(b));
    EXPECT_EQ(r.status, 201) << r.body;
    return jsonInt(r.body, "id");
  }
  std::string sys(int64_t id) { return "/api/v1/systems/" + std::to_string(id); }
  std::string asmt(int64_t id) { return "/api/v1/assessments/" + std::to_string(id); }

  // Opens an external periodic assessment (allowed at every level of regime A).
  int64_t open(int64_t system, const std::string& assessor = "external") {
    auto r = srv_.call(officer_, "POST", sys(system) + "/assessments",
                       body({{"kind", "periodic"},
                             {"assessor_type", assessor},
                             {"assessor_name", "Trung tâm Giám sát an toàn không gian mạng"},
                             {"started_on", "2025-09-15"}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return jsonInt(r.body, "id");
  }
  std::vector<std::string> items(int64_t system) {
    auto r = srv_.call(officer_, "GET", sys(system) + "/checklist");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const json::value v = parseJson(r.body);
    for (const auto& i : v.at("items").as_array()) out.push_back(str(i.at("id")));
    return out;
  }
  HttpResult put(int64_t a, const std::string& item, const std::string& status, const std::string& reason = "") {
    json::object b{{"item", item}, {"status", status}};
    if (!reason.empty()) b["reason"] = reason;
    return srv_.call(officer_, "PUT", asmt(a) + "/results", body(b));
  }
  // Answers every item: the first not met, the second partly met, the third not applicable, the
  // rest met; then completes on `on`.
  json::value answerAndComplete(int64_t system, int64_t a, const std::string& on) {
    const auto list = items(system);
    for (size_t i = 0; i < list.size(); ++i) {
      auto r = i == 0   ? put(a, list[i], "not_met")
               : i == 1 ? put(a, list[i], "partly_met")
               : i == 2 ? put(a, list[i], "not_applicable", "Hệ thống không dùng mạng không dây")
                        : put(a, list[i], "met");
      EXPECT_EQ(r.status, 200) << r.body;
    }
    auto r = srv_.call(officer_, "POST", asmt(a) + "/complete", body({{"completed_on", on}}));
    EXPECT_EQ(r.status, 200) << r.body;
    return parseJson(r.body);
  }

  TestServer srv_;
  int64_t org_ = 0;
  Session officer_;
};

TEST_F(AssessmentApi, ChecklistIsTheSystemsLevelWithSources) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  auto r = srv_.call(officer_, "GET", sys(s) + "/checklist");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = parseJson(r.body);
  EXPECT_EQ(intOf(&v.at("level")), 3);
  EXPECT_EQ(str(v.at("level_basis")), "proposed");
  EXPECT_EQ(str(v.at("regime_id")), "A_ND85_TT12");
  ASSERT_FALSE(v.at("items").as_array().empty());
  for (const auto& i : v.at("items").as_array()) {
    EXPECT_FALSE(str(i.at("source").at("document")).empty()) << json::serialize(i);
    EXPECT_FALSE(str(i.at("source").at("cite")).empty()) << json::serialize(i);
  }
}

TEST_F(AssessmentApi, PeriodicSelfAssessmentOfLevel3IsRefusedCitingDecree85Art20) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  auto r = srv_.call(officer_, "POST", sys(s) + "/assessments",
                     body({{"kind", "periodic"}, {"assessor_type", "self"}, {"assessor_name", "Phòng CNTT"}}));
  ASSERT_TRUE(isError(r, 400, "validation_failed", "assessor_type"));
  const json::value v = parseJson(r.body);
  const auto& refusals = v.at("error").at("details").at("refusals").as_array();
  ASSERT_EQ(refusals.size(), 1u) << r.body;
  EXPECT_EQ(str(refusals[0].at("rule")), "A-20.2.c");
  EXPECT_EQ(str(refusals[0].at("source").at("document")), "Nghị định 85/2016/NĐ-CP");
  EXPECT_EQ(str(refusals[0].at("source").at("article")), "20");
  EXPECT_NE(errorMessage(r).find("Điều 20"), std::string::npos) << errorMessage(r);
  // Nothing stored; the refused request is audited.
  EXPECT_EQ(totalOf(srv_.call(officer_, "GET", sys(s) + "/assessments").body), 0);
  bool audited = false;
  for (const auto& e : allAudit(srv_, srv_.admin(), "&action=assessment.create"))
    if (str(e.at("result")).rfind("failure", 0) == 0) audited = true;
  EXPECT_TRUE(audited);

  // The form's question gives the same answer; an external assessor is allowed.
  auto e = srv_.call(officer_, "GET", sys(s) + "/assessor-eligibility?kind=periodic&assessor_type=self");
  ASSERT_EQ(e.status, 200) << e.body;
  const json::value ev = parseJson(e.body);
  EXPECT_FALSE(ev.at("eligible").as_bool());
  ASSERT_EQ(ev.at("allowed").as_array().size(), 1u);
  EXPECT_EQ(str(ev.at("allowed").at(0)), "external");
  // Ad hoc self-assessment is not a periodic one.
  auto adhoc = srv_.call(officer_, "GET", sys(s) + "/assessor-eligibility?kind=ad_hoc&assessor_type=self");
  EXPECT_TRUE(parseJson(adhoc.body).at("eligible").as_bool()) << adhoc.body;
  EXPECT_NE(open(s), 0);
}

TEST_F(AssessmentApi, BadInputIsRefusedWithTheFieldNamed) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  struct Case {
    json::object body;
    const char* field;
  } cases[] = {
      {{{"kind", "yearly"}, {"assessor_type", "external"}, {"assessor_name", "X"}}, "kind"},
      {{{"kind", "periodic"}, {"assessor_type", "friend"}, {"assessor_name", "X"}}, "assessor_type"},
      {{{"kind", "periodic"}, {"assessor_type", "external"}, {"assessor_name", ""}}, "assessor_name"},
      {{{"kind", "periodic"}, {"assessor_type", "external"}, {"assessor_name", "X"}, {"started_on", "18/11/2026"}},
       "started_on"},
      {{{"kind", "periodic"}, {"assessor_type", "external"}, {"assessor_name", "X"}, {"started_on", "2027-01-01"}},
       "started_on"},
      {{{"kind", "ad_hoc"}, {"assessor_type", "external"}, {"assessor_name", "X"}, {"triggers", json::array{"x"}}},
       "triggers[0]"},
  };
  for (const auto& c : cases) {
    auto r = srv_.call(officer_, "POST", sys(s) + "/assessments", body(c.body));
    EXPECT_TRUE(isError(r, 400, "validation_failed", c.field)) << json::serialize(c.body);
  }
  EXPECT_EQ(totalOf(srv_.call(officer_, "GET", sys(s) + "/assessments").body), 0);
}

TEST_F(AssessmentApi, ItemResultsAreValidated) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  const int64_t a = open(s);
  const std::string item = items(s).front();
  EXPECT_TRUE(isError(put(a, item, "not_applicable"), 400, "validation_failed", "reason"));
  EXPECT_TRUE(isError(put(a, "A-khong-co", "met"), 400, "validation_failed", "item"));
  EXPECT_TRUE(isError(put(a, item, "perhaps"), 400, "validation_failed", "status"));
  EXPECT_TRUE(parseJson(srv_.call(officer_, "GET", asmt(a)).body).at("results").as_array().empty());

  auto ok = put(a, item, "not_applicable", "Không có thiết bị tường lửa riêng");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto again = put(a, item, "met");  // replaces
  ASSERT_EQ(again.status, 200) << again.body;
  const auto results = parseJson(srv_.call(officer_, "GET", asmt(a)).body).at("results").as_array();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(str(results[0].at("status")), "met");
}

TEST_F(AssessmentApi, EvidenceIsStoredByHashAndTypeChecked) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  const int64_t a = open(s);
  const std::string item = items(s).front();
  const std::string pdf = "%PDF-1.4 Biên bản rà soát";
  auto r = srv_.call(officer_, "POST", asmt(a) + "/evidence?item=" + item + "&filename=bien-ban.pdf", pdf);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(jsonField(r.body, "sha256"), crypto::sha256Hex(pdf));
  EXPECT_EQ(jsonField(r.body, "content_type"), "application/pdf");
  auto file = srv_.call(officer_, "GET", "/api/v1/evidence/" + std::to_string(jsonInt(r.body, "id")));
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, pdf);

  EXPECT_TRUE(isError(srv_.call(officer_, "POST", asmt(a) + "/evidence?item=" + item + "&filename=a.txt", "chỉ là chữ"),
                      415, "unsupported_media_type"));
  EXPECT_TRUE(isError(srv_.call(officer_, "POST", asmt(a) + "/evidence?item=" + item + "&filename=big.pdf",
                                "%PDF-1.4" + std::string(70 << 10, 'x')),
                      413, "payload_too_large"));
  EXPECT_TRUE(isError(srv_.call(officer_, "POST", asmt(a) + "/evidence?item=khong-co&filename=a.pdf", pdf), 400,
                      "validation_failed", "item"));
  EXPECT_TRUE(isError(srv_.call(officer_, "POST", asmt(a) + "/evidence?item=" + item + "&filename=../a.pdf", pdf), 400,
                      "validation_failed", "filename"));
  EXPECT_EQ(parseJson(srv_.call(officer_, "GET", asmt(a)).body).at("evidence").as_array().size(), 1u);
}

TEST_F(AssessmentApi, CompletionComputesTheSummaryAndOpensFindings) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  const int64_t a = open(s);
  const auto list = items(s);
  ASSERT_GE(list.size(), 4u);
  ASSERT_EQ(put(a, list[0], "met").status, 200);
  auto early = srv_.call(officer_, "POST", asmt(a) + "/complete", body({{"completed_on", kToday}}));
  EXPECT_TRUE(isError(early, 400, "validation_failed", "results"));
  EXPECT_NE(errorMessage(early).find(list[1]), std::string::npos) << errorMessage(early);
  EXPECT_TRUE(isError(srv_.call(officer_, "POST", asmt(a) + "/complete", body({{"completed_on", "2025-09-01"}})), 400,
                      "validation_failed"));  // incomplete either way; nothing changes

  const json::value done = answerAndComplete(s, a, "2025-10-01");
  const int total = static_cast<int>(list.size());
  const auto& sum = done.at("summary");
  EXPECT_EQ(str(done.at("state")), "completed");
  // The assessment carries its own checklist (the level it was opened at).
  EXPECT_EQ(intOf(&done.at("checklist").at("level")), 3);
  EXPECT_EQ(done.at("checklist").at("items").as_array().size(), list.size());
  EXPECT_EQ(intOf(&sum.at("total")), total);
  EXPECT_EQ(intOf(&sum.at("met")), total - 3);
  EXPECT_EQ(intOf(&sum.at("partly_met")), 1);
  EXPECT_EQ(intOf(&sum.at("not_met")), 1);
  EXPECT_EQ(intOf(&sum.at("not_applicable")), 1);
  EXPECT_NEAR(sum.at("percent_met").as_double(), std::round((total - 3) * 1000.0 / (total - 1)) / 10.0, 1e-9);
  const auto& findings = done.at("findings").as_array();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(str(findings[0].at("item")), list[0]);
  EXPECT_EQ(str(findings[0].at("status")), "not_met");
  EXPECT_EQ(str(findings[1].at("item")), list[1]);
  EXPECT_EQ(str(findings[1].at("status")), "partly_met");
  EXPECT_FALSE(str(findings[0].at("description")).empty());

  // A completed assessment is fixed.
  EXPECT_TRUE(isError(put(a, list[0], "met"), 409, "conflict"));
  EXPECT_TRUE(
      isError(srv_.call(officer_, "POST", asmt(a) + "/complete", body({{"completed_on", kToday}})), 409, "conflict"));
}

TEST_F(AssessmentApi, RetestMetClosesTheFindingAndOverdueIsFlagged) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  const int64_t a = open(s);
  const json::value done = answerAndComplete(s, a, "2025-10-01");
  const int64_t f = intOf(&done.at("findings").at(0).at("id"));
  const std::string path = "/api/v1/findings/" + std::to_string(f);

  EXPECT_TRUE(isError(srv_.call(officer_, "PUT", path, body({{"owner", "Phòng CNTT"}, {"due_on", "2025-09-01"}})), 400,
                      "validation_failed", "due_on"));
  auto assigned =
      srv_.call(officer_, "PUT", path,
                body({{"owner", "Phòng CNTT"}, {"due_on", "2026-11-01"}, {"remediation", "Mua tường lửa"}}));
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_TRUE(parseJson(assigned.body).at("overdue").as_bool()) << "due 2026-11-01, today " << kToday;
  auto overdue = srv_.call(officer_, "GET", "/api/v1/findings?state=overdue");
  ASSERT_EQ(totalOf(overdue.body), 1) << overdue.body;

  auto partly = srv_.call(officer_, "POST", path + "/retests", body({{"on", "2026-11-10"}, {"status", "partly_met"}}));
  ASSERT_EQ(partly.status, 201) << partly.body;
  EXPECT_TRUE(parseJson(partly.body).at("open").as_bool());
  EXPECT_TRUE(isError(srv_.call(officer_, "POST", path + "/retests", body({{"on", "2026-11-01"}, {"status", "met"}})),
                      400, "validation_failed", "on"));
  EXPECT_TRUE(isError(srv_.call(officer_, "POST", path + "/retests", body({{"on", "2026-11-12"}, {"status", "n/a"}})),
                      400, "validation_failed", "status"));
  auto met = srv_.call(officer_, "POST", path + "/retests",
                       body({{"on", "2026-11-12"}, {"status", "met"}, {"by", "Trung tâm Giám sát"}}));
  ASSERT_EQ(met.status, 201) << met.body;
  const json::value closed = parseJson(met.body);
  EXPECT_FALSE(closed.at("open").as_bool());
  EXPECT_FALSE(closed.at("overdue").as_bool());
  EXPECT_EQ(str(closed.at("closed_on")), "2026-11-12");
  EXPECT_EQ(closed.at("retests").as_array().size(), 2u);
  EXPECT_TRUE(isError(srv_.call(officer_, "POST", path + "/retests", body({{"on", "2026-11-13"}, {"status", "met"}})),
                      409, "conflict"));
  EXPECT_EQ(totalOf(srv_.call(officer_, "GET", "/api/v1/findings?state=overdue").body), 0);
  EXPECT_EQ(totalOf(srv_.call(officer_, "GET", "/api/v1/findings?state=open").body), 1);
}

TEST_F(AssessmentApi, SchedulesGiveDueAndOverdueDutiesByDueDate) {
  const int64_t assessed = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  const int64_t fresh = createSystem(regimeALevel3(org_, "Hệ thống một cửa"));
  answerAndComplete(assessed, open(assessed), "2025-10-01");
  const int64_t flip = createSystem(regimeALevel3(org_, "Hệ thống quản lý văn bản"));
  answerAndComplete(flip, open(flip), "2025-11-18");  // due exactly today

  auto r = srv_.call(officer_, "GET", "/api/v1/schedules?horizon_days=30");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = parseJson(r.body);
  EXPECT_EQ(str(v.at("today")), kToday);
  auto find = [&](int64_t system, const std::string& activity) -> json::object {
    for (const auto& i : v.at("items").as_array())
      if (intOf(&i.at("system_id")) == system && str(i.at("activity")) == activity) return i.as_object();
    ADD_FAILURE() << "no " << activity << " for system " << system << ": " << r.body;
    return {};
  };
  // Decree 85 Art. 20.2.c: level 3 every 12 months after the last periodic assessment.
  const auto a = find(assessed, "assessment");
  EXPECT_EQ(str(a.at("due_on")), "2026-10-01");
  EXPECT_TRUE(a.at("overdue").as_bool());
  EXPECT_EQ(intOf(&a.at("days_left")), -48);
  EXPECT_EQ(str(a.at("last_done")), "2025-10-01");
  EXPECT_EQ(str(a.at("source").at("article")), "20");
  // Never assessed: due today, and said so.
  const auto n = find(fresh, "assessment");
  EXPECT_EQ(str(n.at("due_on")), kToday);
  EXPECT_FALSE(n.at("overdue").as_bool());
  EXPECT_TRUE(n.at("never_done").as_bool());
  // The provincial plan's fixed date: the assessment of 01/10/2025 served the deadline of
  // 05/12/2025, so the next one is before 10/06/2026, long overdue.
  const auto p = find(assessed, "provincial_check");
  EXPECT_TRUE(p.at("overdue").as_bool()) << json::serialize(p);
  const auto f = find(flip, "assessment");
  EXPECT_EQ(str(f.at("due_on")), kToday);
  EXPECT_FALSE(f.at("overdue").as_bool()) << "the due day itself is on time";
  // Sorted by due date.
  std::string last;
  for (const auto& i : v.at("items").as_array()) {
    EXPECT_LE(last, str(i.at("due_on")));
    last = str(i.at("due_on"));
  }
  ASSERT_EQ(v.at("agencies").as_array().size(), 1u);
  EXPECT_EQ(intOf(&v.at("agencies").at(0).at("org_id")), org_);

  // The horizon: a duty due in more than 30 days is left out, included with a longer horizon.
  auto wide = parseJson(srv_.call(officer_, "GET", "/api/v1/schedules?horizon_days=3660&limit=500").body);
  EXPECT_GT(wide.at("total").as_int64(), v.at("total").as_int64());
  // The organisation as a whole (Decree 85 Art. 20.2.c: every 24 months), from its latest assessment
  // (18/11/2025, of the second system).
  bool whole = false;
  for (const auto& i : wide.at("items").as_array())
    if (i.at("system_id").is_null() && str(i.at("activity")) == "assessment") {
      whole = true;
      EXPECT_EQ(str(i.at("due_on")), "2027-11-18") << json::serialize(i);  // the latest of its systems
      EXPECT_EQ(intOf(&i.at("org_id")), org_);
    }
  EXPECT_TRUE(whole) << "no organisation-wide assessment duty";
  EXPECT_TRUE(isError(srv_.call(officer_, "GET", "/api/v1/schedules?horizon_days=-1"), 400, "validation_failed",
                      "horizon_days"));

  // A day later (the ManualClock moves), the duty due yesterday is one day overdue; a duty never
  // done stays due today.
  srv_.clock().advanceMs(24LL * 3600 * 1000);
  Session again = srv_.login("officer.khcn", "Officer-password-123-new");
  const json::value later = parseJson(srv_.call(again, "GET", "/api/v1/schedules?horizon_days=30").body);
  EXPECT_EQ(str(later.at("today")), "2026-11-19");
  bool seen = false;
  for (const auto& i : later.at("items").as_array())
    if (str(i.at("activity")) == "assessment" && intOf(&i.at("system_id")) == flip) {
      seen = true;
      EXPECT_TRUE(i.at("overdue").as_bool());
      EXPECT_EQ(intOf(&i.at("days_left")), -1);
    } else if (str(i.at("activity")) == "assessment" && intOf(&i.at("system_id")) == fresh) {
      EXPECT_FALSE(i.at("overdue").as_bool());
      EXPECT_EQ(str(i.at("due_on")), "2026-11-19");
    }
  EXPECT_TRUE(seen) << json::serialize(later);
}

// The dashboard over a small province: two agencies, three systems, an approval, workstations.
TEST_F(AssessmentApi, DashboardFiguresOnASmallProvince) {
  Session& admin = srv_.admin();
  const int64_t other = srv_.createOrg(admin, 1, "Sở Y tế");
  const int64_t unit = srv_.createOrg(admin, other, "Bệnh viện tỉnh", "unit");
  const int64_t s1 = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  json::object b2 = regimeBLevel1(org_, "Quản lý văn bản");
  b2["plan_status"] = "fully";
  const int64_t s2 = createSystem(b2);
  json::object b3 = regimeBLevel1(unit, "Hồ sơ bệnh án");
  b3["plan_status"] = "partly";
  const int64_t s3 = createSystem(b3);
  (void)s3;

  // s2 approved at level 1.
  auto d = srv_.call(admin, "POST", sys(s2) + "/dossiers", "");
  ASSERT_EQ(d.status, 201) << d.body;
  const std::string dossier = "/api/v1/dossiers/" + std::to_string(jsonInt(d.body, "id"));
  for (const json::object& t : {json::object{{"to", "sent_for_appraisal"}, {"on", "2026-11-02"}},
                                json::object{{"to", "appraised"}, {"on", "2026-11-05"}, {"result", "suitable"}},
                                json::object{{"to", "approved"},
                                             {"on", "2026-11-10"},
                                             {"decision_number", "12/QĐ-UBND"},
                                             {"decision_body", "UBND tỉnh"}}}) {
    auto r = srv_.call(admin, "POST", dossier + "/transition", body(t));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // s3: a dossier in drafting.
  ASSERT_EQ(srv_.call(admin, "POST", sys(s3) + "/dossiers", "").status, 201);
  // Workstations: two in the first agency (one protected), one unprotected in the unit.
  for (const json::object& w : {json::object{{"system_id", s1},
                                             {"kind", "workstation"},
                                             {"name", "PC-01"},
                                             {"anti_malware", "Bkav"},
                                             {"anti_malware_licensed", true},
                                             {"last_update_on", "2026-11-17"}},
                                json::object{{"system_id", s1}, {"kind", "workstation"}, {"name", "PC-02"}},
                                json::object{{"system_id", s3}, {"kind", "workstation"}, {"name", "PC-03"}}}) {
    auto r = srv_.call(admin, "POST", "/api/v1/assets", body(w));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // s1 assessed on 01/10/2025 (2 findings, one overdue); s2 has an assessment in progress.
  const json::value done = answerAndComplete(s1, open(s1), "2025-10-01");
  const std::string f1 = "/api/v1/findings/" + std::to_string(intOf(&done.at("findings").at(0).at("id")));
  ASSERT_EQ(srv_.call(officer_, "PUT", f1, body({{"owner", "Phòng CNTT"}, {"due_on", "2026-11-01"}})).status, 200);
  ASSERT_EQ(srv_.call(officer_, "POST", sys(s2) + "/assessments",
                      body({{"kind", "periodic"}, {"assessor_type", "independent"}, {"assessor_name", "Tổ độc lập"}}))
                .status,
            201);

  auto r = srv_.call(admin, "GET", "/api/v1/dashboard");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = parseJson(r.body);
  EXPECT_EQ(intOf(&v.at("org").at("id")), 1);
  EXPECT_EQ(intOf(&v.at("systems").at("total")), 3);
  EXPECT_EQ(intOf(&v.at("systems").at("approved")), 1);
  EXPECT_EQ(str(v.at("systems").at("approved_ratio")), "1/3");
  const auto& levels = v.at("levels").as_array();
  EXPECT_EQ(intOf(&levels.at(0).at("proposed")), 2);  // level 1
  EXPECT_EQ(intOf(&levels.at(0).at("approved")), 1);
  EXPECT_EQ(intOf(&levels.at(2).at("proposed")), 1);  // level 3
  EXPECT_EQ(intOf(&levels.at(2).at("approved")), 0);
  EXPECT_EQ(intOf(&v.at("plans").at("fully")), 1);
  EXPECT_EQ(intOf(&v.at("plans").at("partly")), 1);
  EXPECT_EQ(intOf(&v.at("plans").at("not_started")), 1);
  EXPECT_EQ(intOf(&v.at("dossiers").at("approved")), 1);
  EXPECT_EQ(intOf(&v.at("dossiers").at("drafting")), 1);
  EXPECT_EQ(intOf(&v.at("dossiers").at("none")), 1);
  EXPECT_EQ(intOf(&v.at("assessments").at("in_progress")), 1);
  // Overdue assessment duties: s1 (12 months after 01/10/2025) and every system's provincial check
  // before 10/06 are not overdue for the never-assessed ones (due on the next deadline), so only s1.
  EXPECT_EQ(intOf(&v.at("assessments").at("overdue_systems")), 1);
  EXPECT_EQ(intOf(&v.at("findings").at("open")), 2);
  EXPECT_EQ(intOf(&v.at("findings").at("overdue")), 1);
  EXPECT_EQ(intOf(&v.at("coverage").at("workstations")), 3);
  EXPECT_EQ(intOf(&v.at("coverage").at("workstations_protected")), 1);
  const auto& agencies = v.at("agencies").as_array();
  ASSERT_EQ(agencies.size(), 2u) << r.body;
  // By name: "Sở Khoa học và Công nghệ" < "Sở Y tế".
  const auto& k = agencies.at(0);
  EXPECT_EQ(intOf(&k.at("org_id")), org_);
  EXPECT_EQ(intOf(&k.at("systems")), 2);
  EXPECT_EQ(intOf(&k.at("approved")), 1);
  EXPECT_DOUBLE_EQ(k.at("percent_approved").as_double(), 50.0);
  EXPECT_EQ(intOf(&k.at("overdue_findings")), 1);
  EXPECT_EQ(intOf(&k.at("workstations")), 2);
  EXPECT_DOUBLE_EQ(k.at("coverage_percent").as_double(), 50.0);
  // s1's overdue duties: its assessment (due 01/10/2026) and the provincial check before 10/06/2026;
  // every other duty was never done and is due today, not overdue.
  EXPECT_EQ(intOf(&k.at("overdue_duties")), 2);
  EXPECT_EQ(intOf(&k.at("overdue_items")), 3);
  const auto& y = agencies.at(1);
  EXPECT_EQ(intOf(&y.at("org_id")), other);
  EXPECT_EQ(intOf(&y.at("systems")), 1);  // the unit's system counts for its agency
  EXPECT_EQ(intOf(&y.at("approved")), 0);
  EXPECT_EQ(intOf(&y.at("workstations")), 1);
  EXPECT_DOUBLE_EQ(y.at("coverage_percent").as_double(), 0.0);

  // The officer of the first agency sees only it, its agency as the base.
  auto mine = parseJson(srv_.call(officer_, "GET", "/api/v1/dashboard").body);
  EXPECT_EQ(intOf(&mine.at("org").at("id")), org_);
  EXPECT_EQ(intOf(&mine.at("systems").at("total")), 2);
  EXPECT_EQ(intOf(&mine.at("coverage").at("workstations")), 2);
  // Another agency's subtree is not found for it.
  EXPECT_TRUE(
      isError(srv_.call(officer_, "GET", "/api/v1/dashboard?org_id=" + std::to_string(other)), 404, "not_found"));
}

// A user with roles on two agencies sees both, under the province, without naming the province.
TEST_F(AssessmentApi, DashboardOfAUserOfTwoAgencies) {
  const int64_t other = srv_.createOrg(srv_.admin(), 1, "Sở Y tế");
  createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  createSystem(regimeBLevel1(other, "Hồ sơ bệnh án"));
  const std::string first = "Officer-password-123";
  auto u = srv_.call(srv_.admin(), "POST", "/api/v1/users",
                     body({{"username", "kiemnhiem"},
                           {"display_name", "Cán bộ kiêm nhiệm"},
                           {"org_id", org_},
                           {"password", first},
                           {"roles", json::array{json::object{{"org_id", org_}, {"role", "leader"}},
                                                 json::object{{"org_id", other}, {"role", "leader"}}}}}));
  ASSERT_EQ(u.status, 201) << u.body;
  Session s = srv_.login("kiemnhiem", first);
  auto pw = srv_.call(s, "POST", "/api/v1/me/password",
                      body({{"current_password", first}, {"new_password", first + "-new"}}));
  ASSERT_EQ(pw.status, 204) << pw.body;
  auto cookie = pw.header("set-cookie");
  s.cookie = cookie.substr(0, cookie.find(';'));
  s.csrf = jsonField(srv_.call(s, "GET", "/api/v1/me").body, "csrf_token");
  auto r = srv_.call(s, "GET", "/api/v1/dashboard");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value v = parseJson(r.body);
  EXPECT_EQ(intOf(&v.at("org").at("id")), 1);
  EXPECT_EQ(intOf(&v.at("systems").at("total")), 2);
  EXPECT_EQ(v.at("agencies").as_array().size(), 2u);
  EXPECT_EQ(srv_.call(s, "GET", "/api/v1/schedules").status, 200);
}

TEST_F(AssessmentApi, AnotherAgencyGetsNotFound) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  const int64_t a = open(s);
  const int64_t otherOrg = srv_.createOrg(srv_.admin(), 1, "Sở Tài chính");
  Session other = srv_.userSession("officer.taichinh", otherOrg, "unit_officer");
  EXPECT_TRUE(isError(srv_.call(other, "GET", asmt(a)), 404, "not_found"));
  EXPECT_TRUE(isError(srv_.call(other, "GET", sys(s) + "/checklist"), 404, "not_found"));
  EXPECT_TRUE(
      isError(srv_.call(other, "PUT", asmt(a) + "/results", body({{"item", items(s).front()}, {"status", "met"}})), 404,
              "not_found"));
  EXPECT_EQ(totalOf(srv_.call(other, "GET", "/api/v1/schedules").body), 0);
}

TEST_F(AssessmentApi, EveryChangeIsAudited) {
  const int64_t s = createSystem(regimeALevel3(org_, "Cổng dịch vụ công"));
  const int64_t a = open(s);
  const json::value done = answerAndComplete(s, a, "2025-10-01");
  const std::string f = "/api/v1/findings/" + std::to_string(intOf(&done.at("findings").at(0).at("id")));
  ASSERT_EQ(srv_.call(officer_, "PUT", f, body({{"owner", "Phòng CNTT"}, {"due_on", "2026-12-01"}})).status, 200);
  ASSERT_EQ(srv_.call(officer_, "POST", f + "/retests", body({{"on", "2026-11-12"}, {"status", "met"}})).status, 201);
  const size_t itemsCount = items(s).size();
  auto count = [&](const std::string& action) {
    size_t n = 0;
    for (const auto& e : allAudit(srv_, srv_.admin(), "&action=" + action))
      if (str(e.at("action")) == action && str(e.at("result")) == "success") ++n;
    return n;
  };
  EXPECT_EQ(count("assessment.create"), 1u);
  EXPECT_EQ(count("assessment.result"), itemsCount);
  EXPECT_EQ(count("assessment.complete"), 1u);
  EXPECT_EQ(count("finding.update"), 1u);
  EXPECT_EQ(count("finding.retest"), 1u);
}

}  // namespace
}  // namespace vigil::test
