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
