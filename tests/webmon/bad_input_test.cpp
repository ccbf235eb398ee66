// Bad input against the nginx test sites: endless redirects, a 50 MB body, a slow response, an IDN
// host, a private address refused without the allow flag, broken markup. Each ends with a clear
// finding or error within its bound.
#include <gtest/gtest.h>

#include <chrono>

#include "webmon/suite.h"
#include "webmon/test_sites.h"

namespace vigil::webmon {
namespace {

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    globalInit();
    sites_ = new test::TestSites();
  }
  static void TearDownTestSuite() {
    delete sites_;
    sites_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(sites_->error().empty()) << sites_->error(); }
  static FetchOptions allowed() {
    FetchOptions o;
    o.allowPrivate = true;
    o.timeoutMs = 10000;
    return o;
  }
  static test::TestSites* sites_;
};
test::TestSites* BadInputTest::sites_ = nullptr;

TEST_F(BadInputTest, EndlessRedirectsStopAtTheLimitWithTheChain) {
  FetchOptions o = allowed();
  o.maxRedirects = 4;
  const auto r = fetch(sites_->origin("bad") + "/loop", o);
  EXPECT_EQ(r.error, FetchError::kTooManyRedirects);
  EXPECT_EQ(r.chain.size(), 5u);  // the first request and four redirects
  EXPECT_NE(r.errorMessage.find("more than 4 redirects"), std::string::npos) << r.errorMessage;
  const Finding f = fetchFailure(r, sites_->origin("bad") + "/loop");
  EXPECT_EQ(f.id, "too_many_redirects");
}

TEST_F(BadInputTest, FiftyMegabyteBodyIsTruncatedNotAnError) {
  FetchOptions o = allowed();
  o.maxBodyBytes = 5 * 1024 * 1024;
  const auto r = fetch(sites_->origin("bad") + "/big", o);
  ASSERT_TRUE(r.ok()) << r.errorMessage;
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.body.size(), 5u * 1024 * 1024);
  auto lex = Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
  ASSERT_TRUE(lex.ok());
  PageCheck check(o, std::make_shared<const Lexicon>(std::move(*lex)));
  auto findings = check.run(Target{sites_->origin("bad") + "/big", {}, {}});
  ASSERT_TRUE(findings.ok());
  bool truncatedFinding = false;
  for (const auto& f : *findings) truncatedFinding = truncatedFinding || f.id == "body_truncated";
  EXPECT_TRUE(truncatedFinding);
}

TEST_F(BadInputTest, SlowResponseTimesOut) {
  FetchOptions o = allowed();
  o.timeoutMs = 1500;
  const auto start = std::chrono::steady_clock::now();
  const auto r = fetch(sites_->origin("bad") + "/slow", o);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error, FetchError::kTimeout) << r.errorMessage;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_NE(r.errorMessage.find("timed out"), std::string::npos) << r.errorMessage;
}

TEST_F(BadInputTest, IdnHostIsSentAsPunycode) {
  FetchOptions o = allowed();
  const std::string port = std::to_string(sites_->port("bad"));
  o.resolve = {"xn--bcher-kva.test:" + port + ":127.0.0.1"};
  const auto r = fetch("http://bücher.test:" + port + "/", o);
  ASSERT_TRUE(r.ok()) << r.errorMessage;
  EXPECT_EQ(r.body, "IDN site");
  auto parts = parseUrl("https://Bücher.TEST/x");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->host, "xn--bcher-kva.test");
}

TEST_F(BadInputTest, PrivateAddressIsRefusedWithoutTheFlag) {
  FetchOptions o;  // allowPrivate = false, the default
  const auto r = fetch(sites_->origin("clean_http") + "/", o);
  EXPECT_EQ(r.error, FetchError::kRefusedAddress);
  EXPECT_NE(r.errorMessage.find("127.0.0.1"), std::string::npos) << r.errorMessage;
  // A public-looking name that resolves to loopback is refused too (the check is on the address).
  FetchOptions viaName;
  const std::string port = std::to_string(sites_->port("clean_http"));
  viaName.resolve = {"portal.example.gov.vn:" + port + ":127.0.0.1"};
  const auto named = fetch("http://portal.example.gov.vn:" + port + "/", viaName);
  EXPECT_EQ(named.error, FetchError::kRefusedAddress) << named.errorMessage;
  // The whole suite gives one finding, not one per check.
  SuiteOptions s;
  auto lex = Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
  auto eol = EolData::load(VIGIL_WEBMON_CATALOG_DIR "/eol.toml");
  ASSERT_TRUE(lex.ok() && eol.ok());
  const auto checks = defaultChecks(s, std::make_shared<const Lexicon>(std::move(*lex)),
                                    std::make_shared<const EolData>(std::move(*eol)));
  const auto findings = runChecks(checks, Target{sites_->origin("clean") + "/", {}, {}}, s.fetch);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "refused_private_address");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  // The TLS probe has the same guard.
  auto tls = probeTls("127.0.0.1", sites_->port("clean"), TlsOptions{});
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().message.find("non-public"), std::string::npos) << tls.error().message;
}

TEST_F(BadInputTest, TlsProbeOfAPlainHttpPortSaysNoHandshake) {
  TlsOptions o;
  o.allowPrivate = true;
  auto r = probeTls("127.0.0.1", sites_->port("bad"), o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->certificate.has_value());
  gradeTls(*r, std::nullopt);
  EXPECT_EQ(r->grade, "F");
  const auto findings = tlsFindings(*r, "https://127.0.0.1/");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "no_handshake");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
}

TEST_F(BadInputTest, MalformedUrlsAreRefusedWithTheirText) {
  for (const std::string bad : {"ftp://example.org/", "not a url", "http://", "javascript:alert(1)"}) {
    const auto r = fetch(bad, allowed());
    EXPECT_EQ(r.error, FetchError::kBadUrl) << bad;
    EXPECT_FALSE(r.errorMessage.empty()) << bad;
  }
}

TEST_F(BadInputTest, NothingListeningIsAConnectError) {
  // The port of a site that nginx does not serve: bind and close one.
  const auto r = fetch("http://127.0.0.1:1/", allowed());
  EXPECT_EQ(r.error, FetchError::kConnect) << r.errorMessage;
}

}  // namespace
}  // namespace vigil::webmon
