// The TLS check against testssl.sh and sslscan (Debian packages) on the same nginx test sites:
// protocol versions offered and certificate facts (expiry, self-signed, key size, not-after) must
// agree. SSLv3 cannot be offered by Debian's OpenSSL 3: vigil reports it "not tested", and both
// tools must then find it not offered on these sites (nginx's OpenSSL cannot offer it either).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "webmon/test_sites.h"
#include "webmon/tls.h"

namespace vigil::webmon {
namespace {

// Runs argv with stdout and stderr to `out`; returns the exit status, or -1 (not run / timed out).
int run(std::vector<std::string> args, const std::string& out, int timeoutSeconds) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fd);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "Dec 24 19:51:01 2026 GMT" -> "2026-12-24T19:51:01Z".
std::string sslscanDate(const std::string& s) {
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%b %d %H:%M:%S %Y");
  if (in.fail()) return "unparsable: " + s;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct ToolView {
  std::map<std::string, bool> offered;  // "TLSv1.0" -> offered
  int keyBits = 0;
  bool selfSigned = false, expired = false;
  std::string notAfter;  // sslscan: full ISO time; testssl: "YYYY-MM-DD HH:MM"
};

class ToolCompareTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sites_ = new test::TestSites(); }
  static void TearDownTestSuite() {
    delete sites_;
    sites_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(sites_->error().empty()) << sites_->error(); }

  static TlsReport ours(const std::string& site) {
    TlsOptions o;
    o.allowPrivate = true;
    o.caFile = sites_->caFile();
    auto r = probeTls("127.0.0.1", sites_->port(site), o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : TlsReport{};
  }

  static ToolView sslscan(const std::string& site) {
    const std::string xml = (sites_->dir() / ("sslscan-" + site + ".xml")).string();
    const int rc =
        run({"/usr/bin/sslscan", "--no-colour", "--xml=" + xml, "127.0.0.1:" + std::to_string(sites_->port(site))},
            (sites_->dir() / "sslscan.out").string(), 120);
    EXPECT_EQ(rc, 0) << "sslscan failed (install it: scripts/install-deps.sh test): "
                     << slurp((sites_->dir() / "sslscan.out").string());
    const std::string text = slurp(xml);
    ToolView v;
    const std::regex proto(R"re(<protocol type="(ssl|tls)" version="([0-9.]+)" enabled="([01])")re");
    for (std::sregex_iterator it(text.begin(), text.end(), proto), end; it != end; ++it) {
      const std::string name = (*it)[1] == "ssl" ? "SSLv" + (*it)[2].str() : "TLSv" + (*it)[2].str();
      v.offered[name] = (*it)[3] == "1";
    }
    std::smatch m;
    if (std::regex_search(text, m, std::regex(R"re(<pk error="false" type="[A-Z]+" bits="([0-9]+)")re")))
      v.keyBits = std::stoi(m[1]);
    v.selfSigned = text.find("<self-signed>true</self-signed>") != std::string::npos;
    v.expired = text.find("<expired>true</expired>") != std::string::npos;
    if (std::regex_search(text, m, std::regex("<not-valid-after>([^<]+)</not-valid-after>")))
      v.notAfter = sslscanDate(m[1]);
    return v;
  }

  static ToolView testssl(const std::string& site) {
    const std::string json = (sites_->dir() / ("testssl-" + site + ".json")).string();
    const int rc = run({"/usr/bin/testssl", "--quiet", "--warnings", "off", "--color", "0", "-p", "-S", "--jsonfile",
                        json, "127.0.0.1:" + std::to_string(sites_->port(site))},
                       (sites_->dir() / "testssl.out").string(), 300);
    EXPECT_NE(rc, -1) << "testssl.sh did not finish (install it: scripts/install-deps.sh test)";
    ToolView v;
    boost::system::error_code ec;
    const auto doc = boost::json::parse(slurp(json), ec);
    EXPECT_FALSE(ec) << "testssl JSON unreadable: " << slurp((sites_->dir() / "testssl.out").string());
    if (ec || !doc.is_array()) return v;
    const std::map<std::string, std::string> names = {{"SSLv2", "SSLv2"},    {"SSLv3", "SSLv3"},
                                                      {"TLS1", "TLSv1.0"},   {"TLS1_1", "TLSv1.1"},
                                                      {"TLS1_2", "TLSv1.2"}, {"TLS1_3", "TLSv1.3"}};
    for (const auto& e : doc.as_array()) {
      const std::string id(e.at("id").as_string());
      const std::string finding(e.at("finding").as_string());
      if (auto it = names.find(id); it != names.end()) v.offered[it->second] = finding.rfind("offered", 0) == 0;
      if (id == "cert_keySize") v.keyBits = std::atoi(finding.substr(finding.find(' ') + 1).c_str());
      if (id == "cert_chain_of_trust" && finding.find("self signed") != std::string::npos) v.selfSigned = true;
      if (id == "cert_expirationStatus" && finding.find("expired") != std::string::npos) v.expired = true;
      if (id == "cert_notAfter") v.notAfter = finding;
    }
    return v;
  }

  static void expectAgreement(const TlsReport& r, const ToolView& tool, const std::string& toolName) {
    ASSERT_TRUE(r.certificate.has_value());
    for (const auto& p : r.protocols) {
      ASSERT_TRUE(tool.offered.count(p.name)) << toolName << " did not report " << p.name;
      if (p.tested)
        EXPECT_EQ(p.offered, tool.offered.at(p.name)) << toolName << " disagrees on " << p.name;
      else
        EXPECT_FALSE(tool.offered.at(p.name)) << toolName << " finds " << p.name << " which vigil cannot test";
    }
    EXPECT_EQ(r.certificate->keyBits, tool.keyBits) << toolName;
    EXPECT_EQ(r.certificate->selfSigned, tool.selfSigned) << toolName;
    EXPECT_EQ(r.certificate->expired, tool.expired) << toolName;
    if (toolName == "sslscan")
      EXPECT_EQ(r.certificate->notAfter, tool.notAfter);
    else  // testssl prints minutes: "2026-12-24 19:51"
      EXPECT_EQ(r.certificate->notAfter.substr(0, 16), tool.notAfter.substr(0, 10) + "T" + tool.notAfter.substr(11, 5));
  }

  static test::TestSites* sites_;
};
test::TestSites* ToolCompareTest::sites_ = nullptr;

TEST_F(ToolCompareTest, SslscanAgreesOnEveryTlsSite) {
  for (const char* site : {"clean", "legacy", "expired", "selfsigned"}) {
    SCOPED_TRACE(site);
    expectAgreement(ours(site), sslscan(site), "sslscan");
  }
}

// About 35 s per site: testssl.sh runs hundreds of openssl handshakes.
TEST_F(ToolCompareTest, TestsslAgreesOnLegacyExpiredAndSelfSigned) {
  for (const char* site : {"legacy", "expired", "selfsigned"}) {
    SCOPED_TRACE(site);
    expectAgreement(ours(site), testssl(site), "testssl.sh");
  }
}

}  // namespace
}  // namespace vigil::webmon
