// The small HTTP pieces: router matching, query and cookie parsing, metrics exposition.
#include <gtest/gtest.h>

#include "core/metrics.h"
#include "http/message.h"
#include "http/router.h"

namespace vigil::http {
namespace {

TEST(Router, MatchesParametersAndReportsAllowedMethods) {
  Router r;
  auto ok = [](Request&) { return Response::noContent(); };
  r.add("GET", "/api/v1/orgs", ok);
  r.add("GET", "/api/v1/orgs/{id}", ok);
  r.add("PATCH", "/api/v1/orgs/{id}", ok);
  r.add("POST", "/api/v1/orgs/{id}/move", ok);
  auto m = r.match("GET", "/api/v1/orgs/42");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/orgs/{id}");
  EXPECT_EQ(m.params["id"], "42");
  m = r.match("DELETE", "/api/v1/orgs/42");
  EXPECT_EQ(m.kind, Router::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PATCH"}));
  EXPECT_EQ(r.match("GET", "/api/v1/orgs/42/moves").kind, Router::MatchKind::kNotFound);
  EXPECT_EQ(r.match("GET", "/api/v1/orgs/").kind, Router::MatchKind::kNotFound);
}

TEST(Message, QueryAndCookies) {
  Request req;
  req.query = "q=S%E1%BB%9F+N%E1%BB%99i&limit=5&bad=%zz";
  bool ok = true;
  auto params = req.queryParams(&ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(*req.queryParam("q"), "Sở Nội");
  EXPECT_EQ(*req.queryParam("limit"), "5");
  EXPECT_FALSE(req.queryParam("missing").has_value());
  req.headers.emplace_back("cookie", "a=1; vigil_session=abc; b=2");
  EXPECT_EQ(req.cookie("vigil_session"), "abc");
  EXPECT_EQ(req.cookie("c"), "");
  EXPECT_FALSE(percentDecode("%4", false).has_value());
  EXPECT_EQ(*percentDecode("%2e%2E/", false), "../");
}

TEST(Metrics, PrometheusTextFormat) {
  Metrics m;
  m.describe("vigil_requests_total", Metrics::Type::kCounter, "Requests.");
  m.describe("vigil_latency_seconds", Metrics::Type::kHistogram, "Latency.");
  m.add("vigil_requests_total", "route=\"/x\"");
  m.add("vigil_requests_total", "route=\"/x\"");
  m.observe("vigil_latency_seconds", "", 0.003);
  m.observe("vigil_latency_seconds", "", 2);
  const std::string out = m.render();
  EXPECT_NE(out.find("# TYPE vigil_requests_total counter\n"), std::string::npos);
  EXPECT_NE(out.find("vigil_requests_total{route=\"/x\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("vigil_latency_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("vigil_latency_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("vigil_latency_seconds_count 2\n"), std::string::npos) << out;
  EXPECT_EQ(Metrics::labelValue("a\"b\\c\n"), "a\\\"b\\\\c\\n");
}

}  // namespace
}  // namespace vigil::http
