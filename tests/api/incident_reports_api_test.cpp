// Official incident reports over HTTP (routes_incident_reports.cpp, incident_report_prefill.cpp,
// report_ops.cpp): the forms of the incident's process prefilled from the incident and its system,
// the missing mandatory fields with their Vietnamese labels, a render refused with every missing
// field (nothing registered), a render into the register (the DOCX downloadable with its SHA-256),
// sending that records the step's output (so a backdated detection is refused), sending and
// acknowledging once each, the append-only register, and tenant isolation.
#include <algorithm>

#include "api_test_util.h"
#include "core/crypto.h"
#include "documents/zip.h"

namespace vigil::test {
namespace {

constexpr TimeMs kMinute = 60 * 1000;
constexpr TimeMs kHour = 60 * kMinute;

class IncidentReportsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    Session& root = srv_.admin();
    a_ = srv_.createOrg(root, 1, "Sở Y tế");
    b_ = srv_.createOrg(root, 1, "Sở Tài chính");
    socA_ = srv_.userSession("soc.yte", a_, "soc_analyst");
    officerB_ = srv_.userSession("canbo.taichinh", b_, "unit_officer");
    leaderA_ = srv_.userSession("lanhdao.yte", a_, "leader");
    auto sys = srv_.call(root, "POST", "/api/v1/systems",
                         body({{"org_id", a_},
                               {"name", "Cổng thông tin Sở Y tế"},
                               {"regime_id", "A_ND85_TT12"},
                               {"owner", "UBND tỉnh"},
                               {"lead_operator", "Trung tâm CNTT Sở Y tế"},
                               {"web_addresses", json::array{"https://syt.example.vn"}},
                               {"facts", json::object{{"system_type", "citizen_facing"},
                                                      {"information_types", json::array{"public"}},
                                                      {"online_public_service_level", 3}}}}));
    EXPECT_EQ(sys.status, 201) << sys.body;
    system_ = jsonInt(sys.body, "id");
    detected_ = srv_.clock().nowMs() - 2 * kHour;
    auto r = srv_.call(socA_, "POST", "/api/v1/incidents",
                       body({{"org_id", a_},
                             {"system_id", system_},
                             {"title", "Thay đổi giao diện cổng thông tin Sở Y tế"},
                             {"description", "Trang chủ bị chèn liên kết cờ bạc"},
                             {"regime", "A_ND85_TT12"},
                             {"process", "A-TT20"},
                             {"detected_at", formatRfc3339(detected_)},
                             {"observables", json::array{json::object{{"type", "ip"}, {"value", "203.0.113.9"}}}}}));
    EXPECT_EQ(r.status, 201) << r.body;
    id_ = jsonInt(r.body, "id");
  }

  std::string inc() const { return "/api/v1/incidents/" + std::to_string(id_); }
  json::value get(const Session& s, const std::string& target) {
    auto r = srv_.call(s, "GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return parseJson(r.body);
  }
  json::object formItem(const std::string& form) {
    const auto forms = get(socA_, inc() + "/report-forms");
    for (const auto& f : forms.at("items").as_array())
      if (str(f.at("form")) == form) return f.as_object();
    ADD_FAILURE() << "no form " << form;
    return {};
  }
  // The prefilled data of `form` completed with what the officer types.
  json::object completed(const std::string& form, const json::object& extra) {
    json::object data = formItem(form).at("data").as_object();
    auto& fields = data["fields"].as_object();
    for (const auto& [k, v] : extra) fields[k] = v;
    return data;
  }
  // Moves the incident through the steps, recording each required output as a note.
  void walkTo(const std::vector<std::string>& steps) {
    for (const auto& to : steps) {
      auto cur = get(socA_, inc());
      json::array outputs;
      for (const auto& m : cur.at("next").at("missing_outputs").as_array())
        outputs.push_back(json::object{{"id", str(m)}, {"text", "Đã thực hiện: " + str(m)}});
      srv_.clock().advanceMs(kMinute);
      auto r = srv_.call(socA_, "POST", inc() + "/transition",
                         body({{"revision", cur.at("revision")}, {"to", to}, {"outputs", outputs}}));
      ASSERT_EQ(r.status, 200) << to << ": " << r.body;
    }
  }
  json::object noticeFields() {
    return {{"document_number", "12/SYT-CNTT"},
            {"recipient", "Trung tâm Giám sát an toàn không gian mạng quốc gia"},
            {"signer_title", "GIÁM ĐỐC"},
            {"signer_name", "Lê Văn An"}};
  }

  TestServer srv_;
  int64_t a_ = 0, b_ = 0, system_ = 0, id_ = 0;
  TimeMs detected_ = 0;
  Session socA_, officerB_, leaderA_;
};

TEST_F(IncidentReportsApi, FormsOfTheProcessArePrefilledFromTheIncidentAndItsSystem) {
  auto v = get(socA_, inc() + "/report-forms");
  std::vector<std::string> ids;
  for (const auto& f : v.at("items").as_array()) ids.push_back(str(f.at("form")));
  EXPECT_EQ(ids, (std::vector<std::string>{"tt20-thong-bao-su-co", "tt20-mau-03", "tt20-mau-04"}));

  auto notice = formItem("tt20-thong-bao-su-co");
  const auto& f = notice.at("data").at("fields");
  EXPECT_EQ(str(f.at("issuer_name")), "Sở Y tế");
  EXPECT_EQ(str(f.at("notifier_name")), "Sở Y tế");
  EXPECT_EQ(str(f.at("system_name")), "Cổng thông tin Sở Y tế");
  EXPECT_EQ(str(f.at("operator_name")), "Trung tâm CNTT Sở Y tế");
  EXPECT_EQ(str(f.at("owner_name")), "UBND tỉnh");
  EXPECT_EQ(str(f.at("system_address")), "https://syt.example.vn");
  EXPECT_EQ(str(f.at("issue_place")), "Thử Nghiệm");
  EXPECT_EQ(str(f.at("issue_date")), "ngày 18 tháng 11 năm 2026");
  // 2 hours before the test clock's start, in local time (UTC+7).
  const std::string local = formatRfc3339(detected_ + 7 * kHour);
  EXPECT_EQ(str(f.at("detected_at")),
            local.substr(8, 2) + "/" + local.substr(5, 2) + "/" + local.substr(0, 4) + " " + local.substr(11, 5));
  EXPECT_EQ(str(f.at("description")), "Trang chủ bị chèn liên kết cờ bạc\nDấu hiệu liên quan: địa chỉ IP 203.0.113.9");
  EXPECT_EQ(str(notice.at("legal_source")), "Thông tư 20/2017/TT-BTTTT, Điều 9 khoản 2 điểm a, khoản 3 điểm a");
  EXPECT_EQ(str(notice.at("layout")), "reconstructed");

  // What the officer must give, with the Vietnamese labels.
  std::vector<std::string> missing;
  for (const auto& m : notice.at("missing").as_array()) missing.push_back(str(m.at("name")));
  EXPECT_EQ(missing, (std::vector<std::string>{"document_number", "recipient", "notifier_address", "signer_title",
                                               "signer_name"}));
  EXPECT_EQ(str(notice.at("missing").as_array()[0].at("label")), "Số, ký hiệu văn bản");

  // Form 04 takes the incident's title, the system's level and governing body.
  const auto form04 = formItem("tt20-mau-04");
  const auto& f04 = form04.at("data").at("fields");
  EXPECT_EQ(str(f04.at("incident_name")), "Thay đổi giao diện cổng thông tin Sở Y tế");
  EXPECT_EQ(str(f04.at("governing_body")), "UBND tỉnh");
  EXPECT_EQ(str(f04.at("system_level")), "3");
  EXPECT_EQ(str(f04.at("reporter_name")), "Sở Y tế");
}

TEST_F(IncidentReportsApi, CheckAndRenderListEveryMissingFieldAndStoreNothing) {
  auto check = srv_.call(socA_, "POST", inc() + "/reports/check",
                         body({{"form", "tt20-thong-bao-su-co"}, {"data", completed("tt20-thong-bao-su-co", {})}}));
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_FALSE(parseJson(check.body).at("complete").as_bool());
  EXPECT_EQ(parseJson(check.body).at("missing").as_array().size(), 5u);

  auto r = srv_.call(socA_, "POST", inc() + "/reports",
                     body({{"form", "tt20-thong-bao-su-co"}, {"data", completed("tt20-thong-bao-su-co", {})}}));
  ASSERT_EQ(r.status, 422) << r.body;
  const auto err = parseJson(r.body).at("error");
  EXPECT_EQ(err.at("details").at("missing").as_array().size(), 5u);
  EXPECT_NE(r.body.find("Số, ký hiệu văn bản"), std::string::npos);
  EXPECT_EQ(totalOf(srv_.call(socA_, "GET", inc() + "/reports").body), 0);

  // Bad input is named: an unknown form, a form of another process, a bad value.
  auto unknown = srv_.call(socA_, "POST", inc() + "/reports", body({{"form", "nope"}, {"data", json::object{}}}));
  EXPECT_TRUE(isError(unknown, 400, "validation_failed", "form")) << unknown.body;
  auto other =
      srv_.call(socA_, "POST", inc() + "/reports", body({{"form", "nd331-bao-cao-72h"}, {"data", json::object{}}}));
  EXPECT_TRUE(isError(other, 400, "validation_failed", "form")) << other.body;
  EXPECT_NE(other.body.find("tt20-mau-04"), std::string::npos) << other.body;
  auto fields = noticeFields();
  fields["notifier_address"] = "Số 1 Lê Lợi";
  fields["detected_at"] = "hôm qua";
  auto bad = srv_.call(socA_, "POST", inc() + "/reports",
                       body({{"form", "tt20-thong-bao-su-co"}, {"data", completed("tt20-thong-bao-su-co", fields)}}));
  EXPECT_TRUE(isError(bad, 400, "validation_failed", "detected_at")) << bad.body;
  EXPECT_EQ(totalOf(srv_.call(socA_, "GET", inc() + "/reports").body), 0);
}

TEST_F(IncidentReportsApi, RenderedSentAcknowledgedOnceAndTheDetectionTimeIsThenFixed) {
  walkTo({"first_response", "choose_plan", "report"});
  auto fields = noticeFields();
  fields["notifier_address"] = "Số 1 đường Lê Lợi, tỉnh Thử Nghiệm";
  auto r = srv_.call(socA_, "POST", inc() + "/reports",
                     body({{"form", "tt20-thong-bao-su-co"}, {"data", completed("tt20-thong-bao-su-co", fields)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto rep = parseJson(r.body);
  const int64_t rid = intOf(member(rep, "id"));
  const std::string path = inc() + "/reports/" + std::to_string(rid);
  EXPECT_EQ(str(rep.at("legal_source")), "Thông tư 20/2017/TT-BTTTT, Điều 9 khoản 2 điểm a, khoản 3 điểm a");
  EXPECT_EQ(str(rep.at("rendered_by")), "soc.yte");
  EXPECT_TRUE(rep.at("sent").is_null());
  EXPECT_EQ(str(rep.at("data").at("fields").at("document_number")), "12/SYT-CNTT");

  // The file: the registered hash, a DOCX whose body holds the values.
  auto file = srv_.call(socA_, "GET", path + "/file");
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.header("x-content-sha256"), str(rep.at("sha256")));
  EXPECT_EQ(crypto::sha256Hex(file.body), str(rep.at("sha256")));
  auto xml = documents::readZipEntry(file.body, "word/document.xml");
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml->find("Cổng thông tin Sở Y tế"), std::string::npos);
  EXPECT_NE(xml->find("12/SYT-CNTT"), std::string::npos);

  // Acknowledgement before sending is refused; sending needs the revision because it records
  // the step's "notification" output.
  auto early = srv_.call(socA_, "POST", path + "/ack", body({{"note", "Đã nhận"}}));
  EXPECT_TRUE(isError(early, 400, "validation_failed", "ack_at")) << early.body;
  auto noRev =
      srv_.call(socA_, "POST", path + "/sent", body({{"recipient", "Trung tâm Giám sát"}, {"channel", "email"}}));
  EXPECT_TRUE(isError(noRev, 400, "validation_failed", "revision")) << noRev.body;
  auto badChannel = srv_.call(socA_, "POST", path + "/sent",
                              body({{"recipient", "Trung tâm Giám sát"}, {"channel", "pigeon"}, {"revision", 1}}));
  EXPECT_TRUE(isError(badChannel, 400, "validation_failed", "channel")) << badChannel.body;
  auto cur = get(socA_, inc());
  auto sent = srv_.call(socA_, "POST", path + "/sent",
                        body({{"recipient", "Trung tâm Giám sát an toàn không gian mạng quốc gia"},
                              {"channel", "email"},
                              {"revision", cur.at("revision")}}));
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_EQ(str(parseJson(sent.body).at("recorded_output")), "notification");
  EXPECT_EQ(str(parseJson(sent.body).at("sent").at("channel")), "email");
  auto again = srv_.call(socA_, "POST", path + "/sent",
                         body({{"recipient", "Nơi khác"}, {"channel", "letter"}, {"revision", cur.at("revision")}}));
  EXPECT_TRUE(isError(again, 400, "validation_failed", "sent_at")) << again.body;

  // The output is on the incident: the notification deadline is met, and the detection time can
  // no longer be backdated.
  cur = get(socA_, inc());
  bool recorded = false;
  for (const auto& o : cur.at("steps").as_array().back().at("outputs").as_array())
    recorded = recorded || str(o.at("id")) == "notification";
  EXPECT_TRUE(recorded);
  auto back = srv_.call(socA_, "PATCH", inc(),
                        body({{"revision", cur.at("revision")},
                              {"detected_at", formatRfc3339(detected_ - kHour)},
                              {"reason", "Nhật ký cho thấy sớm hơn"}}));
  EXPECT_TRUE(isError(back, 400, "validation_failed", "detected_at")) << back.body;

  srv_.clock().advanceMs(10 * kMinute);
  auto ack = srv_.call(socA_, "POST", path + "/ack", body({{"note", "Công văn phúc đáp số 5/GS"}}));
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(str(parseJson(ack.body).at("ack").at("note")), "Công văn phúc đáp số 5/GS");
  auto ack2 = srv_.call(socA_, "POST", path + "/ack", body({{"note", "Lần nữa"}}));
  EXPECT_TRUE(isError(ack2, 400, "validation_failed", "ack_at")) << ack2.body;

  // The register shows it once; the timeline and the audit log record each change.
  auto list = get(socA_, inc() + "/reports");
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  EXPECT_EQ(str(list.at("items").as_array()[0].at("ack").at("note")), "Công văn phúc đáp số 5/GS");
  int reportEntries = 0;
  const auto full = get(socA_, inc());
  for (const auto& t : full.at("timeline").as_array()) reportEntries += str(t.at("kind")) == "report";
  EXPECT_EQ(reportEntries, 3);
  for (const char* action : {"incident_report.render", "incident_report.sent", "incident_report.ack"})
    EXPECT_EQ(allAudit(srv_, srv_.admin(), std::string("&object_type=incident_report&action=") + action).size(), 1u)
        << action;

  // Append-only: the register refuses rewriting and deleting.
  for (const char* sql : {"UPDATE incident_reports SET recipient = 'x'", "UPDATE incident_reports SET ack_note = 'x'",
                          "UPDATE incident_reports SET sha256 = 'x'", "DELETE FROM incident_reports"}) {
    auto st = srv_.store().write([&](sqlite::WriteTx& tx) { return tx.db.exec(std::string(sql)); });
    EXPECT_FALSE(st.ok()) << sql;
  }
}

TEST_F(IncidentReportsApi, ASentReportOfAnotherStepRecordsNoOutput) {
  // At intake the notification is not asked for yet: sending it records nothing on the step.
  auto fields = noticeFields();
  fields["notifier_address"] = "Số 1 đường Lê Lợi";
  auto r = srv_.call(socA_, "POST", inc() + "/reports",
                     body({{"form", "tt20-thong-bao-su-co"}, {"data", completed("tt20-thong-bao-su-co", fields)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string path = inc() + "/reports/" + std::to_string(jsonInt(r.body, "id"));
  auto sent = srv_.call(socA_, "POST", path + "/sent",
                        body({{"recipient", "Chủ quản"},
                              {"channel", "letter"},
                              {"sent_at", formatRfc3339(srv_.clock().nowMs() - kHour)}}));
  EXPECT_TRUE(isError(sent, 400, "validation_failed", "sent_at")) << sent.body;  // before the rendering
  sent = srv_.call(socA_, "POST", path + "/sent", body({{"recipient", "Chủ quản"}, {"channel", "letter"}}));
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_TRUE(parseJson(sent.body).at("recorded_output").is_null());
}

TEST_F(IncidentReportsApi, Form04RefersToTheInitialReportInTheRegister) {
  EXPECT_FALSE(formItem("tt20-mau-04").at("data").at("fields").as_object().contains("initial_report_ref"));
  json::object typed{{"document_number", "210/BC-SYT"}};
  const auto form03 = formItem("tt20-mau-03");
  for (const auto& m : form03.at("missing").as_array()) {
    const std::string name = str(m.at("name"));
    if (name != "document_number") typed[name] = name == "confidential" ? "Không" : "Giá trị của " + name;
  }
  auto r = srv_.call(socA_, "POST", inc() + "/reports",
                     body({{"form", "tt20-mau-03"}, {"data", completed("tt20-mau-03", typed)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(str(formItem("tt20-mau-04").at("data").at("fields").at("initial_report_ref")),
            "Số 210/BC-SYT, ngày 18 tháng 11 năm 2026");
}

TEST_F(IncidentReportsApi, ASendingDatedBeforeTheAskingStepIsRefused) {
  // Rendered at intake, sent (per the officer) before the "report" step was entered: that time
  // cannot be the step's output time.
  auto fields = noticeFields();
  fields["notifier_address"] = "Số 1 đường Lê Lợi";
  auto r = srv_.call(socA_, "POST", inc() + "/reports",
                     body({{"form", "tt20-thong-bao-su-co"}, {"data", completed("tt20-thong-bao-su-co", fields)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const TimeMs rendered = srv_.clock().nowMs();
  walkTo({"first_response", "choose_plan", "report"});
  const auto cur = get(socA_, inc());
  auto early = srv_.call(socA_, "POST", inc() + "/reports/" + std::to_string(jsonInt(r.body, "id")) + "/sent",
                         body({{"recipient", "Chủ quản"},
                               {"channel", "letter"},
                               {"sent_at", formatRfc3339(rendered + kMinute / 2)},
                               {"revision", cur.at("revision")}}));
  EXPECT_TRUE(isError(early, 400, "validation_failed", "sent_at")) << early.body;
  EXPECT_NE(early.body.find("report"), std::string::npos) << early.body;
  EXPECT_EQ(get(socA_, inc()).at("revision"), cur.at("revision")) << "nothing recorded";
}

TEST_F(IncidentReportsApi, OtherAgenciesSeeNothingAndReadersCannotRender) {
  auto fields = noticeFields();
  fields["notifier_address"] = "Số 1 đường Lê Lợi";
  const auto data = completed("tt20-thong-bao-su-co", fields);
  auto r = srv_.call(socA_, "POST", inc() + "/reports", body({{"form", "tt20-thong-bao-su-co"}, {"data", data}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string path = inc() + "/reports/" + std::to_string(jsonInt(r.body, "id"));
  for (const std::string& target : {inc() + "/report-forms", inc() + "/reports", path + "/file"})
    EXPECT_EQ(srv_.call(officerB_, "GET", target).status, 404) << target;
  EXPECT_EQ(
      srv_.call(officerB_, "POST", inc() + "/reports", body({{"form", "tt20-thong-bao-su-co"}, {"data", data}})).status,
      404);
  EXPECT_EQ(srv_.call(officerB_, "POST", path + "/sent", body({{"recipient", "x"}, {"channel", "email"}})).status, 404);
  EXPECT_EQ(srv_.call(officerB_, "POST", path + "/ack", body({{"note", "x"}})).status, 404);
  // The agency's leader reads the register but does not handle incidents.
  EXPECT_EQ(srv_.call(leaderA_, "GET", inc() + "/reports").status, 200);
  auto led = srv_.call(leaderA_, "POST", inc() + "/reports", body({{"form", "tt20-thong-bao-su-co"}, {"data", data}}));
  EXPECT_EQ(led.status, 403) << led.body;
  EXPECT_EQ(totalOf(srv_.call(socA_, "GET", inc() + "/reports").body), 1);
}

}  // namespace
}  // namespace vigil::test
