// The mapping of an incident into its report forms (api::prefillIncidentReport), field by field:
// the agency, the system, detection time in local time, the description with observables, the
// classification's reasons, the parties notified, the steps taken and the notes recorded; only
// fields the form defines are set, so every prefill passes the form's name check.
#include <gtest/gtest.h>

#include "api/incident_report_prefill.h"
#include "documents/form_library.h"

namespace vigil::api {
namespace {

constexpr TimeMs kDetected = 1795000000000;  // 2026-11-18T11:06:40Z = 18:06 in UTC+7
constexpr TimeMs kMinute = 60 * 1000;

const documents::FormLibrary& library() {
  static auto lib = [] {
    auto r = documents::FormLibrary::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/templates");
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value();
  }();
  return *lib;
}

Incident incident() {
  Incident inc;
  inc.orgName = "Sở Y tế";
  inc.systemName = "Cổng thông tin Sở Y tế";
  inc.systemLevel = 4;
  inc.systemOwner = "UBND tỉnh";
  inc.systemOperator = "Trung tâm CNTT";
  inc.title = "Gián đoạn cổng dịch vụ công";
  inc.description = "Máy chủ không phản hồi";
  inc.detectedAt = kDetected;
  inc.classification.facts = {"service_interruption", "serious_disruption"};
  inc.classification.severityLabel = "Nghiêm trọng";
  inc.classification.resultJson =
      R"({"tests":[{"label":"Sự cố nghiêm trọng","met":true,"source":{"cite":"Quyết định 05/2017/QĐ-TTg, Điều 9"},)"
      R"("conditions":[{"met":true,"reason":"cấp độ 4"},{"met":false,"reason":"không thuộc danh mục"},)"
      R"({"met":true,"reason":"gián đoạn dịch vụ"}]},{"label":"Phức tạp","met":false,"conditions":[]}]})";
  inc.steps = {{1,
                "detect_classify",
                kDetected + kMinute,
                "soc",
                {{"incident_record", kDetected + 2 * kMinute, "Đã ghi nhận", "soc"}}},
               {2,
                "execute",
                kDetected + 60 * kMinute,
                "soc",
                {{"remediation", kDetected + 61 * kMinute, "Chuyển sang máy chủ dự phòng", "soc"},
                 {"report_72h", kDetected + 62 * kMinute, "Công văn 5/SYT", "soc"}}}};
  inc.parties = {{1, "police", "Phòng PA05", kDetected + 30 * kMinute, "phone", "", "soc", 0}};
  inc.observables = {{1, "ip", "198.51.100.7", 0, "soc", 0}, {2, "domain", "xau.example", 0, "soc", 0}};
  return inc;
}

IncidentReportContext context() {
  IncidentReportContext ctx;
  ctx.place = "Tuyên Quang";
  ctx.todayIso = "2026-11-20";
  ctx.stepNames = {{"detect_classify", "Phát hiện, phân loại"}, {"execute", "Thực hiện biện pháp ứng phó"}};
  ctx.outputLabels = {{"detect_classify/incident_record", "Ghi nhận sự cố"},
                      {"execute/remediation", "Biện pháp khắc phục"}};
  ctx.systemAddresses = {"https://syt.example.vn", "203.0.113.5"};
  return ctx;
}

TEST(IncidentReportPrefill, MapsTheIncidentIntoTheFieldsEachFormDefines) {
  const auto data = prefillIncidentReport(*library().find("nd331-bao-cao-72h"), incident(), context());
  const std::map<std::string, std::string, std::less<>> expected = {
      {"issuer_name", "Sở Y tế"},
      {"issue_place", "Tuyên Quang"},
      {"issue_date", "ngày 20 tháng 11 năm 2026"},
      {"owner_name", "UBND tỉnh"},
      {"operator_name", "Trung tâm CNTT"},
      {"system_name", "Cổng thông tin Sở Y tế"},
      {"system_level", "4"},
      {"detected_at", "18/11/2026 18:06"},
      {"description", "Máy chủ không phản hồi\nDấu hiệu liên quan: địa chỉ IP 198.51.100.7; tên miền xau.example"},
      // Only the notes: the form output (report_72h) is a reference to another report.
      {"remediation",
       "18/11/2026 18:08 - Ghi nhận sự cố: Đã ghi nhận\n18/11/2026 19:07 - Biện pháp khắc phục: "
       "Chuyển sang máy chủ dự phòng"},
  };
  EXPECT_EQ(data.fields, expected);
  // What the officer still gives.
  std::vector<std::string> missing;
  for (const auto& m : documents::missingFields(*library().find("nd331-bao-cao-72h"), data)) missing.push_back(m.name);
  EXPECT_EQ(missing, (std::vector<std::string>{"document_number", "report_kind", "recipient", "cause", "impact_scope",
                                               "contact_name", "contact_phone", "contact_email", "signer_title",
                                               "signer_name"}));
}

TEST(IncidentReportPrefill, ClassificationPartiesStepsAndGroundsGoWhereTheFormsAskForThem) {
  const auto serious = prefillIncidentReport(*library().find("qd05-bao-cao-de-xuat"), incident(), context());
  EXPECT_EQ(serious.fields.at("classification_reasons"),
            "Sự cố nghiêm trọng (Quyết định 05/2017/QĐ-TTg, Điều 9): cấp độ 4; gián đoạn dịch vụ");
  EXPECT_EQ(serious.fields.at("severity"), "Nghiêm trọng (thang mức độ nội bộ của vigil)");

  const auto form03 = prefillIncidentReport(*library().find("tt20-mau-03"), incident(), context());
  EXPECT_EQ(form03.fields.at("notified_parties"), "Công an tỉnh: Phòng PA05 (18/11/2026 18:36, điện thoại)");
  EXPECT_EQ(form03.fields.at("governing_body"), "UBND tỉnh");
  EXPECT_EQ(form03.fields.at("reporter_name"), "Sở Y tế");
  EXPECT_EQ(form03.fields.at("issuer_name"), "Sở Y tế");
  EXPECT_FALSE(form03.fields.contains("incident_name")) << "Form 03 has no incident_name field";

  const auto form04 = prefillIncidentReport(*library().find("tt20-mau-04"), incident(), context());
  EXPECT_EQ(form04.fields.at("result_events"),
            "18/11/2026 18:07: Phát hiện, phân loại\n18/11/2026 19:06: Thực hiện biện pháp ứng phó");
  EXPECT_EQ(form04.fields.at("incident_name"), "Gián đoạn cổng dịch vụ công");
  EXPECT_FALSE(form04.fields.contains("initial_report_ref")) << "no Form 03 in the register";
  auto ctx = context();
  ctx.initialReportRef = "Số 210/BC-SYT, ngày 18 tháng 11 năm 2026";
  EXPECT_EQ(prefillIncidentReport(*library().find("tt20-mau-04"), incident(), ctx).fields.at("initial_report_ref"),
            ctx.initialReportRef);

  const auto notice = prefillIncidentReport(*library().find("tt20-thong-bao-su-co"), incident(), context());
  EXPECT_EQ(notice.fields.at("system_address"), "https://syt.example.vn; 203.0.113.5");
  const auto now = prefillIncidentReport(*library().find("nd331-thong-bao-ngay"), incident(), context());
  EXPECT_EQ(now.fields.at("grounds"), "Gây gián đoạn nghiêm trọng hoạt động của hệ thống thông tin");

  // Every form: every prefilled name is a field of the form and every value passes its kind.
  for (const auto* def : library().forms()) {
    const auto data = prefillIncidentReport(*def, incident(), context());
    for (const auto& [name, value] : data.fields) EXPECT_NE(def->field(name), nullptr) << def->id << ": " << name;
    if (documents::missingFields(*def, data).empty()) {
      auto st = documents::checkFormData(*def, data);
      EXPECT_TRUE(st.ok()) << def->id << ": " << st.error().message;
    }
  }
}

TEST(IncidentReportPrefill, AnIncidentWithoutSystemOrRecordsLeavesThoseFieldsToTheOfficer) {
  Incident bare;
  bare.orgName = "UBND xã Yên Sơn";
  bare.title = "Máy trạm nhiễm mã độc";
  bare.detectedAt = kDetected;
  const auto data = prefillIncidentReport(*library().find("tt20-mau-04"), bare, context());
  for (const char* name : {"system_name", "system_level", "governing_body", "operator_name", "result_events"})
    EXPECT_FALSE(data.fields.contains(name)) << name;
  EXPECT_EQ(data.fields.at("incident_name"), "Máy trạm nhiễm mã độc");
  std::vector<std::string> missing;
  for (const auto& m : documents::missingFields(*library().find("tt20-mau-04"), data)) missing.push_back(m.name);
  EXPECT_NE(std::find(missing.begin(), missing.end(), "system_name"), missing.end());
}

}  // namespace
}  // namespace vigil::api
