// `vigil webcheck` as an officer or a script runs it: the real binary against the nginx test
// sites. Exit 0 without a high-severity finding, 1 with one, 2 on bad usage; JSON lines parse.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "webmon/content_sites.h"
#include "webmon/test_sites.h"

namespace vigil::webmon {
namespace {

struct Run {
  int status = -1;
  std::string out, err;
};

Run webcheck(const std::vector<std::string>& extra, const std::filesystem::path& dir) {
  std::vector<std::string> args = {VIGIL_BINARY, "webcheck"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string outPath = (dir / "webcheck.out").string(), errPath = (dir / "webcheck.err").string();
  const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::chdir(dir.c_str());
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  Run r;
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream o(outPath), e(errPath);
  std::stringstream so, se;
  so << o.rdbuf();
  se << e.rdbuf();
  r.out = so.str();
  r.err = se.str();
  return r;
}

std::vector<boost::json::object> jsonLines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    EXPECT_FALSE(ec) << "not JSON: " << line;
    if (!ec && v.is_object()) out.push_back(v.as_object());
  }
  return out;
}

class WebcheckCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sites_ = new test::TestSites(); }
  static void TearDownTestSuite() {
    delete sites_;
    sites_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(sites_->error().empty()) << sites_->error(); }
  static test::TestSites* sites_;
};
test::TestSites* WebcheckCliTest::sites_ = nullptr;

TEST_F(WebcheckCliTest, CleanSiteExitsZero) {
  const auto r = webcheck({"--json", "--allow-private", "--ca-file", sites_->caFile(), "--contact",
                           "https://soattt.example.gov.vn/webmon", sites_->origin("clean") + "/"},
                          sites_->dir());
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  const auto lines = jsonLines(r.out);
  ASSERT_FALSE(lines.empty());
  for (const auto& l : lines) {
    EXPECT_TRUE(l.contains("check") && l.contains("id") && l.contains("severity") && l.contains("url") &&
                l.contains("summary") && l.contains("evidence"));
    EXPECT_NE(l.at("severity").as_string(), "high") << boost::json::serialize(l);
    EXPECT_NE(l.at("severity").as_string(), "critical") << boost::json::serialize(l);
  }
}

TEST_F(WebcheckCliTest, PlantedProblemsExitOneAndAreListed) {
  const auto r = webcheck({"--allow-private", sites_->origin("exposed") + "/", sites_->origin("spam") + "/hidden.html"},
                          sites_->dir());
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("git_exposed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hidden_link"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SEVERITY"), std::string::npos) << r.out;  // the table's header
}

TEST_F(WebcheckCliTest, PrivateAddressRefusedWithoutTheFlag) {
  const auto r = webcheck({"--json", sites_->origin("clean") + "/"}, sites_->dir());
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  const auto lines = jsonLines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_EQ(lines[0].at("id").as_string(), "refused_private_address");
}

TEST_F(WebcheckCliTest, BadUsageExitsTwoNamingTheInput) {
  const auto r = webcheck({"ftp://example.org/"}, sites_->dir());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("ftp://example.org/"), std::string::npos) << r.err;
  const auto t = webcheck({"--timeout", "0", "http://example.org/"}, sites_->dir());
  EXPECT_EQ(t.status, 2);
  EXPECT_NE(t.err.find("--timeout"), std::string::npos) << t.err;
}

// --crawl N: a spam page listed only in the sitemap is found and named; defacement signatures apply
// to the start page; bad values of the new options are refused.
TEST(WebcheckCrawlCli, CrawlFindsSitemapPageAndSignaturesApply) {
  test::ContentSites sites;
  ASSERT_EQ(sites.error(), "");
  const std::string c = sites.origin("crawl");
  sites.write("crawl", "index.html",
              "<html><head><title>Xã An Bình</title></head><body><p>Trang chủ</p></body></html>");
  sites.write("crawl", "sitemap.xml", "<urlset><url><loc>" + c + "/x/y/trang.html</loc></url></urlset>");
  sites.write("crawl", "x/y/trang.html",
              "<html><head><title>Nhà cái uy tín, cá cược bóng đá</title></head><body>spam</body></html>");
  const auto dir = std::filesystem::temp_directory_path();
  const auto r = webcheck({"--json", "--allow-private", "--crawl", "5", "--crawl-delay", "0", c + "/"}, dir);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  bool spam = false, summary = false;
  for (const auto& l : jsonLines(r.out)) {
    spam = spam || (l.at("id").as_string() == "spam_in_title_meta" && l.at("url").as_string() == c + "/x/y/trang.html");
    summary = summary || (l.at("check").as_string() == "crawl" && l.at("id").as_string() == "summary");
  }
  EXPECT_TRUE(spam) << r.out;
  EXPECT_TRUE(summary) << r.out;

  sites.write("portal", "index.html",
              "<html><head><title>Hacked by Sh4d0w</title></head><body bgcolor=\"#000000\"><h1>Hacked by "
              "Sh4d0w</h1></body></html>");
  const auto d = webcheck({"--json", "--allow-private", sites.origin("portal") + "/"}, dir);
  EXPECT_EQ(d.status, 1) << d.out << d.err;
  EXPECT_NE(d.out.find("\"check\":\"defacement\",\"id\":\"signature\",\"severity\":\"critical\""), std::string::npos)
      << d.out;

  const auto bad = webcheck({"--crawl", "-1", c + "/"}, dir);
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--crawl"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace vigil::webmon
