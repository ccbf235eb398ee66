// The shortest path through the API: log in as the administrator, enrol MFA, finish setup.
#include <gtest/gtest.h>

#include "support/test_server.h"

namespace vigil::test {
namespace {

TEST(ApiSmoke, AdminLogsInEnrolsMfaAndSeesTheProvince) {
  TestServer srv;
  Session& admin = srv.admin();
  auto r = srv.call(admin, "GET", "/api/v1/orgs");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("Tỉnh Thử Nghiệm"), std::string::npos) << r.body;
  auto setup = srv.client().request("GET", "/api/v1/setup");
  EXPECT_EQ(jsonField(setup.body, "needs_setup"), "false");
}

}  // namespace
}  // namespace vigil::test

namespace vigil::test {
namespace {

TEST(ApiSmoke, MetricsExposeRequestsAndStoreTimings) {
  TestServer srv;
  srv.admin();
  auto r = srv.client().request("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  for (const char* family :
       {"vigil_http_requests_total{", "vigil_http_request_duration_seconds_bucket{", "vigil_store_commit_seconds_count",
        "vigil_store_read_seconds_bucket", "vigil_store_write_jobs_total{result=\"ok\"}"})
    EXPECT_NE(r.body.find(family), std::string::npos) << family;
  EXPECT_EQ(r.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
}

}  // namespace
}  // namespace vigil::test
