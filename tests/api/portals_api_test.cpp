// The portal routes end to end: registration with URL checks (no private, loopback or link-local
// host unless a province-level manager allows it; IDN accepted), CSV import all or nothing with
// row-numbered errors, a run recorded through RunRecorder shown in the detail and findings, the
// evidence served as text with nosniff and a sandbox CSP, agency isolation, the XLSX and DOCX reports.
#include "api_test_util.h"
#include "core/crypto.h"
#include "documents/xlsx_reader.h"
#include "documents/zip.h"
#include "portals/run_recorder.h"

namespace vigil::test {
namespace {

class PortalsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = srv_.admin();
    agency_ = srv_.createOrg(admin_, 1, "Sở Tư pháp");
    other_ = srv_.createOrg(admin_, 1, "Sở Y tế");
    officer_ = srv_.userSession("officer_tp", agency_, "unit_officer");
    stranger_ = srv_.userSession("officer_yt", other_, "unit_officer");
  }

  HttpResult create(const Session& s, const json::object& body) {
    return srv_.call(s, "POST", "/api/v1/portals", json::serialize(body));
  }
  json::object portal(const std::string& url) {
    return {{"org_id", agency_}, {"name", "Cổng Sở Tư pháp"}, {"url", url}, {"allowed_domains", json::array{"gov.vn"}}};
  }

  TestServer srv_;
  Session admin_, officer_, stranger_;
  int64_t agency_ = 0, other_ = 0;
};

TEST_F(PortalsApi, UrlChecksRefusePrivateHostsUnlessTheProvinceAllowsThem) {
  struct Case {
    std::string url;
    int status;
  };
  const std::vector<Case> cases = {
      {"https://sotuphap.laocai.gov.vn/", 201},          // a name (not resolvable offline: checked at connect)
      {"https://sởtưpháp.laocai.gov.vn/", 201},          // IDN
      {"http://203.162.4.190/", 201},                    // a public address
      {"http://127.0.0.1/", 400},                        // loopback
      {"http://localhost:8080/", 400},                   // resolves to loopback
      {"http://10.1.2.3/", 400},                         // private
      {"http://169.254.169.254/latest/", 400},           // link-local (cloud metadata)
      {"http://[::1]/", 400},                            // IPv6 loopback
      {"ftp://sotuphap.laocai.gov.vn/", 400},            // not http(s)
      {"https://user:pw@sotuphap.laocai.gov.vn/", 400},  // credentials in the URL
      {"sotuphap.laocai.gov.vn", 400},                   // not absolute
  };
  for (const auto& c : cases) {
    auto r = create(officer_, portal(c.url));
    EXPECT_EQ(r.status, c.status) << c.url << ": " << describe(r);
    if (c.status == 400) {
      EXPECT_TRUE(isError(r, 400, "validation_failed", "url")) << c.url;
    }
  }
  // allow_private: refused to the agency, accepted from the province administrator.
  json::object priv = portal("http://10.1.2.3/");
  priv["allow_private"] = true;
  EXPECT_TRUE(isError(create(officer_, priv), 403, "forbidden"));
  auto ok = create(admin_, priv);
  EXPECT_EQ(ok.status, 201) << describe(ok);
  // Key pages must be pages of the same site.
  json::object pages = portal("https://a.laocai.gov.vn/");
  pages["key_pages"] = json::array{"https://b.laocai.gov.vn/tin-tuc"};
  EXPECT_TRUE(isError(create(officer_, pages), 400, "validation_failed", "key_pages[0]"));
  json::object interval = portal("https://a.laocai.gov.vn/");
  interval["interval_availability"] = 5;
  EXPECT_TRUE(isError(create(officer_, interval), 400, "validation_failed", "interval_availability"));
}

TEST_F(PortalsApi, CrudIsScopedToTheAgencyAndRevisioned) {
  auto r = create(officer_, portal("https://sotuphap.laocai.gov.vn/"));
  ASSERT_EQ(r.status, 201) << describe(r);
  const int64_t id = intOf(member(parseJson(r.body), "id"));
  const std::string path = "/api/v1/portals/" + std::to_string(id);
  EXPECT_TRUE(isError(srv_.call(stranger_, "GET", path), 404, "not_found"));
  EXPECT_EQ(totalOf(srv_.call(stranger_, "GET", "/api/v1/portals").body), 0);
  EXPECT_EQ(totalOf(srv_.call(officer_, "GET", "/api/v1/portals").body), 1);
  EXPECT_TRUE(isError(create(stranger_, portal("https://x.laocai.gov.vn/")), 404, "not_found"));

  json::object upd = portal("https://sotuphap.laocai.gov.vn/");
  upd.erase("org_id");
  upd["name"] = "Cổng TTĐT Sở Tư pháp";
  upd["revision"] = 1;
  auto u = srv_.call(officer_, "PUT", path, json::serialize(upd));
  ASSERT_EQ(u.status, 200) << describe(u);
  EXPECT_EQ(intOf(member(parseJson(u.body), "revision")), 2);
  EXPECT_TRUE(isError(srv_.call(officer_, "PUT", path, json::serialize(upd)), 409, "conflict"));  // stale
  EXPECT_TRUE(isError(srv_.call(stranger_, "DELETE", path), 404, "not_found"));
  EXPECT_EQ(srv_.call(officer_, "DELETE", path).status, 204);
  EXPECT_TRUE(isError(srv_.call(officer_, "GET", path), 404, "not_found"));
}

TEST_F(PortalsApi, CsvImportIsAllOrNothingWithRowNumbers) {
  const std::string a = std::to_string(agency_);
  const std::string bad = "org_id,name,url,key_pages,enabled\n" + a +
                          ",Cổng A,https://a.laocai.gov.vn/,https://a.laocai.gov.vn/tin-tuc;https://a.laocai.gov.vn/"
                          "thong-bao,true\n" +
                          a + ",Cổng B,http://192.168.1.10/,,true\n" + a + ",Cổng C,https://c.laocai.gov.vn/,,maybe\n";
  auto r = srv_.call(officer_, "POST", "/api/v1/portals/import", json::serialize(json::object{{"csv", bad}}));
  ASSERT_TRUE(isError(r, 400, "validation_failed")) << describe(r);
  const auto rows = parseJson(r.body).at("error").at("details").at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u) << r.body;
  EXPECT_EQ(intOf(member(rows[0], "row")), 3);
  EXPECT_EQ(str(rows[0].at("column")), "url");
  EXPECT_EQ(intOf(member(rows[1], "row")), 4);
  EXPECT_EQ(str(rows[1].at("column")), "enabled");
  EXPECT_EQ(totalOf(srv_.call(officer_, "GET", "/api/v1/portals").body), 0);

  const std::string good = "org_id,name,url,key_pages,allowed_domains\n" + a +
                           ",Cổng A,https://a.laocai.gov.vn/,https://a.laocai.gov.vn/tin-tuc,gov.vn;laocai.gov.vn\n" +
                           a + ",Cổng B,https://b.laocai.gov.vn/,,\n";
  auto ok = srv_.call(officer_, "POST", "/api/v1/portals/import", json::serialize(json::object{{"csv", good}}));
  ASSERT_EQ(ok.status, 201) << describe(ok);
  EXPECT_EQ(intOf(member(parseJson(ok.body), "imported")), 2);
  auto list = itemsOf(srv_.call(officer_, "GET", "/api/v1/portals?q=c%E1%BB%95ng%20a").body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("allowed_domains").as_array().size(), 2u);

  // A duplicate of a stored portal: the store names the row; still nothing imported.
  auto dup = srv_.call(officer_, "POST", "/api/v1/portals/import", json::serialize(json::object{{"csv", good}}));
  EXPECT_TRUE(isError(dup, 409, "conflict"));
  EXPECT_NE(dup.body.find("row 2"), std::string::npos) << dup.body;
  EXPECT_EQ(totalOf(srv_.call(officer_, "GET", "/api/v1/portals").body), 2);
}

TEST_F(PortalsApi, RecordedRunShowsFindingsAndEvidenceIsServedAsText) {
  auto r = create(officer_, portal("https://sotuphap.laocai.gov.vn/"));
  ASSERT_EQ(r.status, 201) << describe(r);
  const int64_t id = intOf(member(parseJson(r.body), "id"));

  const BlobStore blobs((srv_.dir() / "blobs").string(), 64 << 20, BlobStore::TypePolicy::kAnyType);
  portals::RunRecorder recorder(srv_.store(), blobs, srv_.alertSink());
  webmon::PortalRun run;
  run.portalId = id;
  run.orgId = agency_;
  run.checkClass = webmon::CheckClass::kContent;
  run.startedAt = srv_.clock().nowMs() - 2000;
  run.finishedAt = srv_.clock().nowMs();
  webmon::Finding f;
  f.check = "page";
  f.id = "hidden_link";
  f.severity = webmon::Severity::kHigh;
  f.url = "https://sotuphap.laocai.gov.vn/";
  f.summary = "hidden link with gambling terms";
  f.with("href", "https://nhacai.example/");
  run.findings.push_back(f);
  const std::string html = "<html><script>alert(1)</script><a style=\"display:none\">nhà cái</a></html>";
  run.evidence.push_back(
      {.findingKey = findingKeyOf(f.check, f.id, f.url), .name = "body.html", .mediaType = "text/html", .bytes = html});
  run.facts = {{"tls.grade", "B"}};
  ASSERT_TRUE(recorder.record(run).ok());

  const std::string path = "/api/v1/portals/" + std::to_string(id);
  auto detail = srv_.call(officer_, "GET", path);
  ASSERT_EQ(detail.status, 200) << describe(detail);
  json::value d = parseJson(detail.body);
  EXPECT_EQ(intOf(member(d.at("open_findings"), "high")), 1);
  EXPECT_EQ(str(d.at("facts").at("tls.grade")), "B");
  ASSERT_EQ(d.at("open_findings_list").as_array().size(), 1u);
  EXPECT_EQ(str(d.at("open_findings_list").as_array()[0].at("finding_id")), "hidden_link");
  ASSERT_EQ(d.at("recent_runs").as_array().size(), 1u);

  auto findings = srv_.call(officer_, "GET", path + "/findings?status=open");
  EXPECT_EQ(totalOf(findings.body), 1) << findings.body;
  EXPECT_TRUE(isError(srv_.call(officer_, "GET", path + "/findings?status=maybe"), 400, "validation_failed", "status"));

  auto ev = itemsOf(srv_.call(officer_, "GET", path + "/evidence").body);
  ASSERT_EQ(ev.size(), 1u);
  const std::string content = "/api/v1/portal-evidence/" + std::to_string(intOf(member(ev[0], "id"))) + "/content";
  auto c = srv_.call(officer_, "GET", content);
  ASSERT_EQ(c.status, 200) << describe(c);
  EXPECT_EQ(c.body, html);
  EXPECT_EQ(c.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(c.header("x-content-type-options"), "nosniff");
  // Both policies are sent (browsers enforce each): the sandbox and the server's default.
  EXPECT_NE(c.header("content-security-policy").find("sandbox"), std::string::npos)
      << c.header("content-security-policy");
  EXPECT_NE(c.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(c.header("x-evidence-sha256"), crypto::sha256Hex(html));
  EXPECT_TRUE(isError(srv_.call(stranger_, "GET", content), 404, "not_found"));
  EXPECT_TRUE(isError(srv_.call(stranger_, "GET", path + "/findings"), 404, "not_found"));

  // A TLS run: grade B, TLS 1.0 still offered. The report shows both and counts the portal.
  webmon::PortalRun tls;
  tls.portalId = id;
  tls.orgId = agency_;
  tls.checkClass = webmon::CheckClass::kTls;
  tls.startedAt = srv_.clock().nowMs() - 1000;
  tls.finishedAt = srv_.clock().nowMs();
  tls.findings.push_back({.check = "tls",
                          .id = "grade",
                          .severity = webmon::Severity::kLow,
                          .url = f.url,
                          .summary = "TLS grade B (score 78)"});
  tls.findings.push_back({.check = "tls",
                          .id = "protocol_tls1_0",
                          .severity = webmon::Severity::kMedium,
                          .url = f.url,
                          .summary = "TLS 1.0 is offered"});
  ASSERT_TRUE(recorder.record(tls).ok());

  auto listed = itemsOf(srv_.call(officer_, "GET", "/api/v1/portals").body);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(str(listed[0].at("tls_grade")), "B");
  EXPECT_TRUE(listed[0].at("headers_grade").is_null());
  EXPECT_TRUE(listed[0].at("offers_old_tls").as_bool());

  auto report = srv_.call(officer_, "GET", "/api/v1/portals/report.xlsx");
  ASSERT_EQ(report.status, 200) << describe(report);
  EXPECT_NE(report.header("content-type").find("spreadsheetml"), std::string::npos);
  auto sheet = documents::readXlsx(report.body);
  ASSERT_TRUE(sheet.ok()) << sheet.error().message;
  std::vector<std::string> row;
  std::string all;
  for (const auto& r : sheet->rows) {
    for (const auto& cell : r) all += cell + "|";
    if (r.size() > 5 && r[1] == "Cổng Sở Tư pháp") row = r;
  }
  ASSERT_FALSE(row.empty()) << all;
  EXPECT_EQ(row[3], "B");    // TLS grade
  EXPECT_EQ(row[5], "còn");  // TLS 1.0/1.1 still offered
  EXPECT_EQ(row[6], "3");    // open findings above info: hidden link, grade B (low), TLS 1.0
  EXPECT_NE(all.find("1 cổng còn cho phép TLS 1.0/1.1"), std::string::npos) << all;
}

// The cells of every table row of a WordprocessingML body: the texts of each <w:tc>, its runs joined.
std::vector<std::vector<std::string>> docxRows(const std::string& xml) {
  std::vector<std::vector<std::string>> rows;
  for (size_t tr = xml.find("<w:tr>"); tr != std::string::npos; tr = xml.find("<w:tr>", tr + 1)) {
    const size_t end = xml.find("</w:tr>", tr);
    std::vector<std::string> cells;
    for (size_t tc = xml.find("<w:tc>", tr); tc != std::string::npos && tc < end; tc = xml.find("<w:tc>", tc + 1)) {
      const size_t tcEnd = xml.find("</w:tc>", tc);
      std::string text;
      for (size_t t = xml.find("<w:t", tc); t != std::string::npos && t < tcEnd; t = xml.find("<w:t", t + 1)) {
        const size_t open = xml.find('>', t);
        if (xml.compare(t, 5, "<w:t>") != 0 && xml.compare(t, 5, "<w:t ") != 0) continue;  // <w:tc>, <w:tbl>...
        text += xml.substr(open + 1, xml.find("</w:t>", open) - open - 1);
      }
      cells.push_back(text);
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

// The DOCX report (form webmon-bao-cao-cong-ttdt) from the same data as the XLSX: a portal with a
// high finding open, a finding fixed after exactly 3 hours, TLS grade B with TLS 1.0 offered; the
// agency officer's report names their agency and holds only its portals, the province's holds both.
TEST_F(PortalsApi, DocxReportShowsEachPortalAndTheTotals) {
  auto r = create(officer_, portal("https://sotuphap.laocai.gov.vn/"));
  ASSERT_EQ(r.status, 201) << describe(r);
  const int64_t id = intOf(member(parseJson(r.body), "id"));
  auto theirs =
      create(stranger_, {{"org_id", other_}, {"name", "Cổng Sở Y tế"}, {"url", "https://soyte.laocai.gov.vn/"}});
  ASSERT_EQ(theirs.status, 201) << describe(theirs);

  const BlobStore blobs((srv_.dir() / "blobs").string(), 64 << 20, BlobStore::TypePolicy::kAnyType);
  portals::RunRecorder recorder(srv_.store(), blobs, srv_.alertSink());
  auto contentRun = [&](TimeMs finishedAt, bool withOutdatedScript) {
    webmon::PortalRun run;
    run.portalId = id;
    run.orgId = agency_;
    run.checkClass = webmon::CheckClass::kContent;
    run.startedAt = finishedAt - 1000;
    run.finishedAt = finishedAt;
    run.findings.push_back({.check = "page",
                            .id = "hidden_link",
                            .severity = webmon::Severity::kHigh,
                            .url = "https://sotuphap.laocai.gov.vn/",
                            .summary = "hidden link with gambling terms"});
    if (withOutdatedScript)
      run.findings.push_back({.check = "page",
                              .id = "outdated_script",
                              .severity = webmon::Severity::kMedium,
                              .url = "https://sotuphap.laocai.gov.vn/",
                              .summary = "jQuery 1.8 with known vulnerabilities"});
    return recorder.record(run);
  };
  // A finding is opened and resolved at the end of the runs that see it come and go (the clock
  // stays: a session would expire if it moved 3 hours).
  const TimeMs now = srv_.clock().nowMs();
  ASSERT_TRUE(contentRun(now - 3 * 3600 * 1000LL, true).ok());
  ASSERT_TRUE(contentRun(now, false).ok());  // the outdated script is gone: fixed in 3 hours
  webmon::PortalRun tls;
  tls.portalId = id;
  tls.orgId = agency_;
  tls.checkClass = webmon::CheckClass::kTls;
  tls.startedAt = srv_.clock().nowMs() - 1000;
  tls.finishedAt = srv_.clock().nowMs();
  tls.findings.push_back({.check = "tls",
                          .id = "grade",
                          .severity = webmon::Severity::kLow,
                          .url = "https://sotuphap.laocai.gov.vn/",
                          .summary = "TLS grade B (score 78)"});
  tls.findings.push_back({.check = "tls",
                          .id = "protocol_tls1_0",
                          .severity = webmon::Severity::kMedium,
                          .url = "https://sotuphap.laocai.gov.vn/",
                          .summary = "TLS 1.0 is offered"});
  ASSERT_TRUE(recorder.record(tls).ok());

  auto download = [&](const Session& s, const std::string& query) -> std::string {
    auto d = srv_.call(s, "GET", "/api/v1/portals/report.docx" + query);
    EXPECT_EQ(d.status, 200) << describe(d);
    EXPECT_NE(d.header("content-type").find("wordprocessingml"), std::string::npos) << d.header("content-type");
    EXPECT_EQ(d.header("content-disposition"), "attachment; filename=\"vigil-portals-report.docx\"");
    EXPECT_EQ(d.header("x-content-sha256"), crypto::sha256Hex(d.body));
    auto xml = documents::readZipEntry(d.body, "word/document.xml");
    EXPECT_TRUE(xml.ok()) << (xml.ok() ? "" : xml.error().message);
    return xml.ok() ? *xml : std::string();
  };

  const std::string xml = download(officer_, "");
  std::vector<std::string> row;
  for (const auto& cells : docxRows(xml))
    if (cells.size() == 11 && cells[1] == "Cổng Sở Tư pháp") row = cells;
  ASSERT_FALSE(row.empty()) << xml;
  const std::vector<std::string> expected = {"1",
                                             "Cổng Sở Tư pháp",
                                             "https://sotuphap.laocai.gov.vn/",
                                             "Sở Tư pháp",
                                             "B",        // TLS grade
                                             "chưa đo",  // header grade: no headers run
                                             "còn",      // TLS 1.0 offered
                                             "3",        // open: hidden link (high), TLS 1.0 (medium), grade B (low)
                                             "1",        // fixed: the outdated script
                                             "3 giờ",    // its time to fix
                                             "Cần khắc phục ngay (có lỗi mức nghiêm trọng/cao)"};
  EXPECT_EQ(row, expected);
  // The totals, field by field.
  for (const char* line : {"- Số cổng/trang được giám sát: 1.", "+ Hạng B: 1 cổng", "+ Chưa đo: 1 cổng",
                           "- Số cổng còn cho phép giao thức TLS 1.0/1.1 (đã lỗi thời, cần tắt): 1.",
                           "- Lỗi đang mở: nghiêm trọng 0; cao 1; trung bình 1; thấp 1.",
                           "- Lỗi đã khắc phục (từ khi bắt đầu giám sát): 1; thời gian khắc phục trung bình: 3 giờ.",
                           "của Sở Tư pháp", "Mẫu trình bày do vigil dựng lại"})
    EXPECT_NE(xml.find(line), std::string::npos) << line;
  // TLS grade B measured, headers not: each under its own heading.
  const size_t headersHeading = xml.find("- Số cổng theo hạng tiêu đề bảo mật HTTP:");
  EXPECT_LT(xml.find("+ Hạng B: 1 cổng"), headersHeading);
  EXPECT_GT(xml.find("+ Chưa đo: 1 cổng"), headersHeading);
  EXPECT_NE(headersHeading, std::string::npos);
  // The open high finding in the table of findings to fix now; the medium one is not there.
  std::vector<std::string> serious;
  for (const auto& cells : docxRows(xml))
    if (cells.size() == 8 && cells[4] == "page/hidden_link") serious = cells;
  ASSERT_EQ(serious.size(), 8u) << xml;
  EXPECT_EQ(serious[1], "Sở Tư pháp");
  EXPECT_EQ(serious[2], "Cổng Sở Tư pháp");
  EXPECT_EQ(serious[3], "cao");
  EXPECT_EQ(serious[5], "hidden link with gambling terms");
  EXPECT_EQ(xml.find("tls/protocol_tls1_0"), std::string::npos);
  // Only the officer's agency: the other agency's portal is absent, its agency not found.
  EXPECT_EQ(xml.find("Cổng Sở Y tế"), std::string::npos);
  EXPECT_TRUE(isError(srv_.call(officer_, "GET", "/api/v1/portals/report.docx?org_id=" + std::to_string(other_)), 404,
                      "not_found"));
  EXPECT_TRUE(
      isError(srv_.call(officer_, "GET", "/api/v1/portals/report.docx?org_id=x"), 400, "validation_failed", "org_id"));
  EXPECT_TRUE(
      isError(srv_.call(officer_, "GET", "/api/v1/portals/report.docx?year=2026"), 400, "validation_failed", "year"));

  // The province: both portals, named after the root organisation; same data, same bytes.
  const std::string province = download(admin_, "");
  EXPECT_NE(province.find("- Số cổng/trang được giám sát: 2."), std::string::npos);
  EXPECT_NE(province.find("Cổng Sở Y tế"), std::string::npos);
  EXPECT_NE(province.find("của " + srv_.store().rootOrg()->name), std::string::npos);
  EXPECT_EQ(download(admin_, "?org_id=" + std::to_string(agency_)), xml);
}

}  // namespace
}  // namespace vigil::test
