// The scheduled monitor against real servers on loopback: Debian's nginx (local_nginx.h) on
// several loopback addresses, a socket that accepts connections and never answers (a hung site),
// a port where nothing listens, and the checks' own test sites (test_sites.h) for TLS, content
// evidence, headers and exposure. What is measured: the per-host rate on the server's access log
// timestamps, retries then "down", a hung site not delaying the others, stop, the availability
// comparisons with the previous facts, and each class's facts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "webmon/content_extensions.h"
#include "webmon/local_nginx.h"
#include "webmon/scheduler.h"
#include "webmon/test_sites.h"

namespace vigil::webmon {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMarker = "Cổng thông tin điện tử tỉnh Mẫu";

std::string page(const std::string& title, size_t paragraphs) {
  std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title +
                     "</title></head><body><header>CỔNG THÔNG TIN ĐIỆN TỬ TỈNH MẪU</header>";
  for (size_t i = 0; i < paragraphs; ++i)
    html += "<p>Tin " + std::to_string(i) + ": Ủy ban nhân dân tỉnh họp về kế hoạch phát triển kinh tế xã hội.</p>";
  return html + "</body></html>";
}

// A page of a site-wide injection: the same hidden gambling link on every page.
std::string spamPage(const std::string& link1, const std::string& link2) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tin tức</title></head><body><p>Tin tức "
         "của tỉnh.</p><a href=\"" +
         link1 + "\">Tin 1</a> <a href=\"" + link2 +
         "\">Tin 2</a><div style=\"display:none\"><a href=\"https://nhacai88.bet/\">nhà cái cá cược</a></div>"
         "</body></html>";
}

class MemorySource : public PortalSource {
 public:
  explicit MemorySource(std::vector<PortalSpec> p) : portals_(std::move(p)) {}
  Result<std::vector<PortalSpec>> portals() override { return portals_; }

 private:
  std::vector<PortalSpec> portals_;
};

class RecordingSink : public RunSink {
 public:
  Status record(const PortalRun& run) override {
    std::lock_guard lock(mu_);
    runs_.push_back(run);
    return {};
  }
  std::vector<PortalRun> runs() const {
    std::lock_guard lock(mu_);
    return runs_;
  }
  bool has(int64_t portal) const {
    std::lock_guard lock(mu_);
    return std::any_of(runs_.begin(), runs_.end(), [&](const PortalRun& r) { return r.portalId == portal; });
  }

 private:
  mutable std::mutex mu_;
  std::vector<PortalRun> runs_;
};

template <typename F>
bool waitFor(F done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

std::set<std::string> ids(const std::vector<Finding>& fs) {
  std::set<std::string> out;
  for (const auto& f : fs) out.insert(f.check + "." + f.id);
  return out;
}

std::string dump(const std::vector<Finding>& fs) {
  std::string out;
  for (const auto& f : fs) out += toJsonLine(f) + "\n";
  return out;
}

const Finding* findingOf(const std::vector<Finding>& fs, const std::string& id) {
  for (const auto& f : fs)
    if (f.id == id) return &f;
  return nullptr;
}

class SchedulerSitesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    globalInit();
    port_ = test::LocalNginx::freePort();
    const std::string p = std::to_string(port_);
    std::string servers;
    for (const char* addr : {"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"})
      servers += std::string(" server { listen ") + addr + ":" + p + "; root {root}/good;\n" +
                 "  location = /moved { return 302 http://localhost:" + p + "/; }\n" +
                 "  location = /down.html { return 503; } }\n";
    nginx_ = new test::LocalNginx(servers,
                                  {{"good/index.html", page(kMarker, 60)},
                                   {"good/news.html", page("Tin tức - " + std::string(kMarker), 20)},
                                   {"good/about.html", page("Giới thiệu", 5)},
                                   {"good/spam/index.html", spamPage("/spam/a.html", "/spam/b.html")},
                                   {"good/spam/a.html", spamPage("/spam/b.html", "/spam/index.html")},
                                   {"good/spam/b.html", spamPage("/spam/a.html", "/spam/index.html")},
                                   {"good/hacked.html",
                                    "<html><head><title>Hacked by Sh4d0w</title></head><body "
                                    "style=\"background:#000\"><h1>Hacked by Sh4d0w</h1><p>security is an "
                                    "illusion</p></body></html>"}},
                                  {"127.0.0.1:" + p, "127.0.0.2:" + p, "127.0.0.3:" + p, "127.0.0.4:" + p});
    auto lex = Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
    ASSERT_TRUE(lex.ok()) << lex.error().message;
    lexicon_ = std::make_shared<const Lexicon>(std::move(*lex));
    auto eol = EolData::load(VIGIL_WEBMON_CATALOG_DIR "/eol.toml");
    ASSERT_TRUE(eol.ok()) << eol.error().message;
    eol_ = std::make_shared<const EolData>(std::move(*eol));
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(nginx_->error().empty()) << nginx_->error(); }

  static std::string url(const std::string& addr, const std::string& path = "/") {
    return "http://" + addr + ":" + std::to_string(port_) + path;
  }
  static PortalSpec portal(int64_t id, std::string u) {
    PortalSpec p;
    p.id = id;
    p.orgId = 1;
    p.url = std::move(u);
    p.allowPrivate = true;
    p.marker = kMarker;
    p.revision = 1;
    p.intervals.availabilitySeconds = 60;
    p.intervals.contentSeconds = 100'000'000;
    p.intervals.tlsSeconds = 100'000'000;
    p.intervals.headersSeconds = 100'000'000;
    p.intervals.exposureSeconds = 100'000'000;
    return p;
  }
  static RunnerOptions runnerOptions() {
    RunnerOptions o;
    o.contactUrl = "https://soc.example.gov.vn/lien-he";
    o.lexicon = lexicon_;
    o.eol = eol_;
    o.requestTimeoutMs = 5000;
    o.connectTimeoutMs = 2000;
    o.retries = 2;
    o.backoffMs = 200;
    return o;
  }
  static std::unique_ptr<CheckRunner> makeRunner(const Clock& clock, RunnerOptions o = runnerOptions()) {
    auto r = CheckRunner::create(std::move(o), clock);
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }

  static int port_;
  static test::LocalNginx* nginx_;
  static std::shared_ptr<const Lexicon> lexicon_;
  static std::shared_ptr<const EolData> eol_;
};

int SchedulerSitesTest::port_ = 0;
test::LocalNginx* SchedulerSitesTest::nginx_ = nullptr;
std::shared_ptr<const Lexicon> SchedulerSitesTest::lexicon_;
std::shared_ptr<const EolData> SchedulerSitesTest::eol_;

TEST_F(SchedulerSitesTest, AvailabilityComparesWithThePreviousFacts) {
  SystemClock clock;
  auto runner = makeRunner(clock);
  const RunContext context;
  PortalSpec good = portal(1, url("127.0.0.2"));
  good.keyPages = {url("127.0.0.2", "/news.html")};

  auto first = runner->run(good, CheckClass::kAvailability, {}, context);
  ASSERT_TRUE(first.has_value());
  for (const auto& f : first->findings) EXPECT_EQ(f.severity, Severity::kInfo) << toJsonLine(f);
  EXPECT_EQ(factValue(first->facts, "availability.status"), "up");
  EXPECT_EQ(factValue(first->facts, "availability.dns.addresses"), "127.0.0.2");
  EXPECT_EQ(factValue(first->facts, "availability.http.status"), "200");
  EXPECT_EQ(factValue(first->facts, "availability.marker"), "found");
  EXPECT_GT(std::stol(factValue(first->facts, "availability.body.bytes")), 5000);
  EXPECT_FALSE(factValue(first->facts, "availability.timing.total_ms").empty());
  EXPECT_EQ(first->attempts, 1);

  // The same run again compared with its own facts: nothing changes, nothing is found.
  auto same = runner->run(good, CheckClass::kAvailability, first->facts, context);
  ASSERT_TRUE(same.has_value());
  EXPECT_TRUE(same->findings.empty()) << dump(same->findings);

  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> previousOverrides;
    std::function<void(PortalSpec&)> change;
    std::string expected;  // finding id
    Severity severity;
  };
  const std::vector<Case> cases = {
      {"addresses changed", {{"availability.dns.addresses", "203.0.113.7"}}, nullptr, "dns_changed", Severity::kMedium},
      {"body collapsed", {{"availability.body.bytes", "400000"}}, nullptr, "body_collapse", Severity::kMedium},
      {"back up",
       {{"availability.status", "down"}, {"availability.down_since", "1"}},
       nullptr,
       "back_up",
       Severity::kInfo},
      {"marker missing",
       {},
       [](PortalSpec& p) { p.marker = "Sở Thông tin và Truyền thông"; },
       "marker_missing",
       Severity::kHigh},
      {"key page gone",
       {},
       [](PortalSpec& p) { p.keyPages = {url("127.0.0.2", "/gone.html")}; },
       "key_page_failed",
       Severity::kMedium},
      {"redirect to another domain",
       {},
       [](PortalSpec& p) { p.url = url("127.0.0.2", "/moved"); },
       "redirect_other_domain",
       Severity::kHigh},
  };
  for (const auto& c : cases) {
    Facts previous = first->facts;
    for (const auto& [k, v] : c.previousOverrides)
      for (auto& kv : previous)
        if (kv.first == k) kv.second = v;
    PortalSpec p = good;
    if (c.change) c.change(p);
    auto run = runner->run(p, CheckClass::kAvailability, previous, context);
    ASSERT_TRUE(run.has_value()) << c.name;
    const Finding* f = findingOf(run->findings, c.expected);
    ASSERT_NE(f, nullptr) << c.name << "\n" << dump(run->findings);
    EXPECT_EQ(f->severity, c.severity) << c.name;
    EXPECT_EQ(ids(run->findings).size(), 1u) << c.name << ": only the planted change is reported\n"
                                             << dump(run->findings);
  }
}

TEST_F(SchedulerSitesTest, RetriesWithBackOffThenDown) {
  SystemClock clock;
  auto runner = makeRunner(clock);
  const RunContext context;
  // Nothing listens on this port.
  PortalSpec refused = portal(2, "http://127.0.0.1:" + std::to_string(test::LocalNginx::freePort()) + "/");
  auto t0 = std::chrono::steady_clock::now();
  auto run = runner->run(refused, CheckClass::kAvailability, {}, context);
  ASSERT_TRUE(run.has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 600ms) << "back-off of 200 ms then 400 ms";
  EXPECT_EQ(run->attempts, 3);
  const Finding* down = findingOf(run->findings, "down");
  ASSERT_NE(down, nullptr) << dump(run->findings);
  EXPECT_EQ(down->severity, Severity::kHigh);
  EXPECT_NE(down->summary.find("down after 3 tries"), std::string::npos) << down->summary;
  EXPECT_EQ(factValue(run->facts, "availability.status"), "down");

  // A server answering 503: three requests reach it (first try + 2 retries), then "down".
  const auto before = nginx_->requests().size();
  auto five = runner->run(portal(3, url("127.0.0.3", "/down.html")), CheckClass::kAvailability, {}, context);
  ASSERT_TRUE(five.has_value());
  ASSERT_NE(findingOf(five->findings, "down"), nullptr) << dump(five->findings);
  const auto requests = nginx_->requests();
  EXPECT_EQ(std::count_if(requests.begin() + static_cast<long>(before), requests.end(),
                          [](const test::LoggedRequest& r) { return r.uri == "/down.html"; }),
            3);
  // A registered private address without the operator's permission: refused at once, no retry.
  PortalSpec priv = portal(4, url("127.0.0.2"));
  priv.allowPrivate = false;
  auto refusedRun = runner->run(priv, CheckClass::kAvailability, {}, context);
  ASSERT_TRUE(refusedRun.has_value());
  EXPECT_EQ(refusedRun->attempts, 1);
  EXPECT_NE(findingOf(refusedRun->findings, "refused_private_address"), nullptr) << dump(refusedRun->findings);
}

TEST_F(SchedulerSitesTest, TimeAtTheGateIsNotPartOfTheRequestBudget) {
  FetchOptions f;
  f.allowPrivate = true;
  f.timeoutMs = 1000;
  std::vector<std::string> hosts;
  f.beforeRequest = [&](std::string_view host) {
    hosts.emplace_back(host);
    std::this_thread::sleep_for(1200ms);  // a busy host's queue
    return true;
  };
  const FetchResult r = fetch(url("127.0.0.2", "/moved"), f);  // 302 to localhost, two requests
  EXPECT_TRUE(r.ok()) << r.errorMessage;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(hosts, (std::vector<std::string>{"127.0.0.2", "localhost"})) << "each hop passes the gate";
  f.beforeRequest = [](std::string_view) { return false; };
  const FetchResult refused = fetch(url("127.0.0.2"), f);
  EXPECT_EQ(refused.error, FetchError::kCancelled);
}

TEST_F(SchedulerSitesTest, AtMostOneRequestPerSecondPerHostOnTheServersClock) {
  // Two portals on the same host run at the same time (4 workers): their requests interleave,
  // and the server sees them at least a second apart.
  PortalSpec a = portal(10, url("127.0.0.4"));
  a.keyPages = {url("127.0.0.4", "/news.html"), url("127.0.0.4", "/about.html")};
  a.marker.clear();
  PortalSpec b = portal(11, url("127.0.0.4", "/news.html"));
  b.keyPages = {url("127.0.0.4", "/about.html")};
  b.marker.clear();
  MemorySource source({a, b});
  RecordingSink sink;
  ManualClock clock(1'800'000'000'000);
  auto runner = makeRunner(clock);
  SchedulerOptions o;
  o.workers = 4;
  o.tick = 5ms;
  o.seed = 7;
  PortalScheduler s(o, source, sink, clock, *runner);
  const double startedAt =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() - 0.01;
  ASSERT_TRUE(s.start().ok());
  clock.advanceMs(60'000);  // both availability runs are due
  ASSERT_TRUE(waitFor([&] { return sink.has(10) && sink.has(11); }, 20s));
  s.stop();
  std::vector<double> times;
  for (const auto& r : nginx_->requests()) {
    if (r.at < startedAt || r.host != "127.0.0.4") continue;
    times.push_back(r.at);
    EXPECT_NE(r.userAgent.find("vigil-webmon/1.0"), std::string::npos) << r.userAgent;
    EXPECT_NE(r.userAgent.find("+https://soc.example.gov.vn/lien-he"), std::string::npos) << r.userAgent;
  }
  ASSERT_EQ(times.size(), 5u) << "3 + 2 pages";
  std::sort(times.begin(), times.end());
  for (size_t i = 1; i < times.size(); ++i)
    EXPECT_GE(times[i] - times[i - 1], 0.95) << "requests " << i - 1 << " and " << i << " on the server's clock";
  for (const auto& run : sink.runs()) EXPECT_TRUE(run.findings.empty()) << dump(run.findings);
}

TEST_F(SchedulerSitesTest, AHungSiteDoesNotDelayTheOthersAndStopCancelsIt) {
  // A socket that accepts (the kernel completes the handshake) and never answers.
  const int hung = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.6", &addr.sin_addr);
  ASSERT_EQ(::bind(hung, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(hung, 16), 0);
  socklen_t len = sizeof addr;
  ::getsockname(hung, reinterpret_cast<sockaddr*>(&addr), &len);
  PortalSpec stuck = portal(20, "http://127.0.0.6:" + std::to_string(ntohs(addr.sin_port)) + "/");
  std::vector<PortalSpec> portals{stuck};
  for (int i = 0; i < 3; ++i) portals.push_back(portal(21 + i, url("127.0.0." + std::to_string(2 + i))));
  MemorySource source(portals);
  RecordingSink sink;
  ManualClock clock(1'800'000'000'000);
  RunnerOptions ro = runnerOptions();
  ro.requestTimeoutMs = 4000;
  ro.backoffMs = 1000;  // the stuck site needs 4 + 1 + 4 + 2 + 4 s before "down"
  auto runner = makeRunner(clock, ro);
  SchedulerOptions o;
  o.workers = 2;
  o.tick = 5ms;
  o.seed = 11;
  PortalScheduler s(o, source, sink, clock, *runner);
  ASSERT_TRUE(s.start().ok());
  clock.advanceMs(60'000);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(waitFor([&] { return sink.has(21) && sink.has(22) && sink.has(23); }, 8s))
      << "the three working portals should be checked while the stuck one waits";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 8s);
  EXPECT_FALSE(sink.has(20));
  EXPECT_TRUE(waitFor([&] { return s.stats().running == 1; }, 1s)) << "only the stuck run is still going";
  const auto stopAt = std::chrono::steady_clock::now();
  s.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopAt, 3s) << "stop cancels the transfer in progress";
  EXPECT_FALSE(sink.has(20)) << "the cut-short run is not recorded";
  EXPECT_EQ(s.stats().cancelled, 1u);
  for (const auto& run : sink.runs()) {
    EXPECT_GE(run.finishedAt, run.startedAt);
    EXPECT_EQ(factValue(run.facts, "availability.status"), "up");
  }
  ::close(hung);
}

// The standard content extensions: the defacement baseline is learned into the facts and handed
// back; a page that is a defacement against that baseline is flagged and does not replace it; the
// crawl's facts are written.
TEST_F(SchedulerSitesTest, ContentRunsLearnDefacementBaselinesAndCrawl) {
  SystemClock clock;
  RunnerOptions ro = runnerOptions();
  auto extensions = standardContentExtensions(VIGIL_WEBMON_CATALOG_DIR, lexicon_);
  ASSERT_TRUE(extensions.ok()) << extensions.error().message;
  ro.contentExtensions = *extensions;
  auto runner = makeRunner(clock, ro);
  const RunContext context;
  PortalSpec home = portal(40, url("127.0.0.3"));
  auto first = runner->run(home, CheckClass::kContent, {}, context);
  ASSERT_TRUE(first.has_value());
  const std::string key = defacementFactKey(home.url);
  const std::string baseline = factValue(first->facts, key);
  EXPECT_FALSE(baseline.empty()) << "the first sample is learned";
  EXPECT_EQ(factValue(first->facts, "content.deface.max_score"), "0.00");
  EXPECT_GE(std::stoi(factValue(first->facts, "content.crawl.pages")), 1);
  for (const auto& f : first->findings) EXPECT_LE(f.severity, Severity::kLow) << toJsonLine(f);
  auto second = runner->run(home, CheckClass::kContent, first->facts, context);
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(factValue(second->facts, key), baseline) << "the second sample is added to the baseline";
  for (const auto& f : second->findings) EXPECT_LE(f.severity, Severity::kLow) << toJsonLine(f);

  // The same baseline given for a page that a defacer replaced.
  PortalSpec defaced = portal(41, url("127.0.0.3", "/hacked.html"));
  const std::string hackedKey = defacementFactKey(defaced.url);
  auto hacked = runner->run(defaced, CheckClass::kContent, {{hackedKey, factValue(second->facts, key)}}, context);
  ASSERT_TRUE(hacked.has_value());
  const Finding* worst = nullptr;
  for (const auto& f : hacked->findings)
    if (f.check == "defacement" && (!worst || f.severity > worst->severity)) worst = &f;
  ASSERT_NE(worst, nullptr) << dump(hacked->findings);
  EXPECT_GE(worst->severity, Severity::kHigh) << dump(hacked->findings);
  EXPECT_EQ(factValue(hacked->facts, hackedKey), factValue(second->facts, key)) << "a defaced sample is not learned";

  // A site-wide injection: the page check's finding on the home page gets the crawl's list of the
  // other pages it is on, and is not repeated.
  PortalSpec injected = portal(42, url("127.0.0.3", "/spam/index.html"));
  injected.marker.clear();
  auto spam = runner->run(injected, CheckClass::kContent, {}, context);
  ASSERT_TRUE(spam.has_value());
  EXPECT_EQ(factValue(spam->facts, "content.crawl.pages"), "3");
  int hiddenOnHome = 0;
  for (const auto& f : spam->findings) {
    if (f.id != "hidden_link" || f.url != injected.url) continue;
    ++hiddenOnHome;
    std::map<std::string, std::string> ev(f.evidence.begin(), f.evidence.end());
    EXPECT_EQ(ev["also_on_pages"], "2") << toJsonLine(f);
  }
  EXPECT_EQ(hiddenOnHome, 1) << dump(spam->findings);
}

// A content extension (where defacement fingerprints and the sitemap crawl plug in): it sees the
// page and cloaking findings and adds its own, with the run's fetch options.
class MarkingExtension : public ContentExtension {
 public:
  void extend(const PortalSpec& portal, const Facts&, const FetchOptions& fetch, PortalRun& run) const override {
    run.facts.emplace_back("content.extension_saw", std::to_string(run.findings.size()));
    run.findings.push_back(Finding{"deface", "test", Severity::kLow, portal.url, fetch.userAgent, {}});
  }
};

// The other classes on the checks' own test sites: facts, findings and content evidence.
TEST_F(SchedulerSitesTest, EachClassRecordsItsFacts) {
  test::TestSites sites;
  ASSERT_TRUE(sites.error().empty()) << sites.error();
  ManualClock clock(1'800'000'000'000);  // 2027-01-15
  RunnerOptions ro = runnerOptions();
  ro.caFile = sites.caFile();
  ro.contentExtensions = {std::make_shared<MarkingExtension>()};
  auto runner = makeRunner(clock, ro);
  const RunContext context;

  PortalSpec spam = portal(30, sites.origin("spam") + "/hidden.html");
  auto content = runner->run(spam, CheckClass::kContent, {}, context);
  ASSERT_TRUE(content.has_value());
  EXPECT_TRUE(ids(content->findings).count("page.hidden_link")) << dump(content->findings);
  EXPECT_EQ(factValue(content->facts, "content.status"), "findings");
  ASSERT_EQ(content->evidence.size(), 2u);
  EXPECT_EQ(content->evidence[0].name, "body.html");
  EXPECT_NE(content->evidence[0].bytes.find("<a"), std::string::npos);
  EXPECT_EQ(content->evidence[0].findingKey.rfind("page/", 0), 0u) << content->evidence[0].findingKey;
  EXPECT_EQ(content->evidence[1].name, "headers.txt");
  EXPECT_NE(factValue(content->facts, "content.extension_saw"), "0");
  const Finding* ext = findingOf(content->findings, "test");
  ASSERT_NE(ext, nullptr);
  EXPECT_NE(ext->summary.find("vigil-webmon"), std::string::npos) << ext->summary;
  EXPECT_NE(content->evidence[1].bytes.find("HTTP 200"), std::string::npos) << content->evidence[1].bytes;

  PortalSpec clean = portal(31, sites.origin("clean") + "/");
  clean.marker.clear();
  auto tls = runner->run(clean, CheckClass::kTls, {}, context);
  ASSERT_TRUE(tls.has_value());
  EXPECT_EQ(factValue(tls->facts, "tls.status"), "ok");
  EXPECT_FALSE(factValue(tls->facts, "tls.grade").empty());
  EXPECT_EQ(factValue(tls->facts, "tls.cert_sha256").size(), 64u);
  auto headers = runner->run(clean, CheckClass::kHeaders, {}, context);
  ASSERT_TRUE(headers.has_value());
  EXPECT_EQ(factValue(headers->facts, "headers.status"), "ok");
  EXPECT_FALSE(factValue(headers->facts, "headers.grade").empty());
  auto cleanContent = runner->run(clean, CheckClass::kContent, {}, context);
  ASSERT_TRUE(cleanContent.has_value());
  // Clean apart from the test extension's own low finding.
  for (const auto& f : cleanContent->findings)
    if (f.check != "deface") {
      EXPECT_EQ(f.severity, Severity::kInfo) << toJsonLine(f);
    }
  EXPECT_TRUE(cleanContent->evidence.empty());

  PortalSpec exposed = portal(32, sites.origin("exposed") + "/");
  auto exposure = runner->run(exposed, CheckClass::kExposure, {}, context);
  ASSERT_TRUE(exposure.has_value());
  EXPECT_TRUE(ids(exposure->findings).count("exposure.git_exposed")) << dump(exposure->findings);
  EXPECT_GT(std::stoi(factValue(exposure->facts, "exposure.findings")), 3);
  auto plain = runner->run(exposed, CheckClass::kTls, {}, context);
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(ids(plain->findings).count("tls.no_https"));

  // Certificate change: medium outside a maintenance window, info inside one.
  auto avail = runner->run(clean, CheckClass::kAvailability, {}, context);
  ASSERT_TRUE(avail.has_value());
  const std::string sha = factValue(avail->facts, "availability.tls.cert_sha256");
  EXPECT_EQ(sha, factValue(tls->facts, "tls.cert_sha256"));
  Facts previous = avail->facts;
  for (auto& kv : previous)
    if (kv.first == "availability.tls.cert_sha256") kv.second = std::string(64, 'a');
  auto changed = runner->run(clean, CheckClass::kAvailability, previous, context);
  ASSERT_TRUE(changed.has_value());
  const Finding* f = findingOf(changed->findings, "cert_changed");
  ASSERT_NE(f, nullptr) << dump(changed->findings);
  EXPECT_EQ(f->severity, Severity::kMedium);
  clean.maintenance = {{clock.nowMs() - 3600'000, clock.nowMs() + 3600'000, "thay chứng thư"}};
  auto planned = runner->run(clean, CheckClass::kAvailability, previous, context);
  ASSERT_TRUE(planned.has_value());
  f = findingOf(planned->findings, "cert_changed");
  ASSERT_NE(f, nullptr) << dump(planned->findings);
  EXPECT_EQ(f->severity, Severity::kInfo);
}

}  // namespace
}  // namespace vigil::webmon
