// Regression guards for the review of the first API test round: HEAD on static files, who may
// verify the whole audit chain, MFA for administrators cannot be switched off, strict media type.
#include <gtest/gtest.h>

#include "support/test_server.h"

namespace vigil::test {
namespace {

TEST(Hardening, HeadOnStaticFilesGivesTheRealLengthAndNoBody) {
  TestServer srv(TestServer::Options{.withWebRoot = true});
  auto get = srv.client().request("GET", "/assets/app-1234.js");
  ASSERT_EQ(get.status, 200);
  auto head = srv.client().request("HEAD", "/assets/app-1234.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
  EXPECT_TRUE(head.body.empty());
}

TEST(Hardening, OnlyProvinceAuditReadersVerifyTheWholeChain) {
  TestServer srv;
  int64_t agency = srv.createOrg(srv.admin(), 1, "Sở Tài chính");
  Session agencyAdmin = srv.userSession("admin.stc", agency, "administrator");
  auto r = srv.call(agencyAdmin, "GET", "/api/v1/audit/verify");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.body.find("checked"), std::string::npos);
  r = srv.call(srv.admin(), "GET", "/api/v1/audit/verify");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(jsonField(r.body, "ok"), "true");
}

TEST(Hardening, AdministratorsAlwaysNeedTwoStepLogin) {
  TestServer srv;
  const std::string body =
      R"({"password_min_length_with_mfa":8,"password_min_length_without_mfa":14,"inactive_days":45,)"
      R"("mfa_required_roles":["auditor"],"session_idle_minutes":30,"session_absolute_hours":12,)"
      R"("lockout_threshold":5,"lockout_minutes":15})";
  auto r = srv.call(srv.admin(), "PUT", "/api/v1/settings/security", body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(jsonField(jsonField(jsonField(r.body, "error"), "details"), "field"), "mfa_required_roles");
}

TEST(Hardening, OnlyTheJsonMediaTypeIsAccepted) {
  TestServer srv;
  Session& admin = srv.admin();
  const std::string body = R"({"parent_id":1,"name":"Sở Xây dựng","kind":"department"})";
  for (const char* type : {"application/json-seq", "application/jsonx", "text/json"}) {
    auto headers = admin.headers();
    headers.emplace_back("Content-Type", type);
    auto r = srv.client().request("POST", "/api/v1/orgs", body, headers);
    EXPECT_EQ(r.status, 415) << type << ": " << r.body;
  }
  auto headers = admin.headers();
  headers.emplace_back("Content-Type", "Application/JSON; charset=utf-8");
  EXPECT_EQ(srv.client().request("POST", "/api/v1/orgs", body, headers).status, 201);
}

}  // namespace
}  // namespace vigil::test
