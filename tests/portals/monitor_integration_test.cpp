// The web-portal monitor end to end (issue 7): the checks' own nginx test sites
// (tests/webmon/test_sites.h) registered as portals in a real SQLite store by the province admin
// (allow_private), run on schedule by PortalScheduler + CheckRunner (standard content extensions)
// through StorePortalSource and RunRecorder into the store, the blob store and the alert queue.
// Asserted from the STORE and the ALERT QUEUE only: every planted problem of every test site is an
// open finding with its alert (when above info); the clean site has no finding above info and no
// alert; a content finding's evidence decompresses to the served page; a finding that goes away is
// resolved, and when it comes back it is re-opened (reinfections 1) and alerts again.
//
// Time: a ManualClock drives the scheduler and the store. The first run of each class falls
// within its interval, so one advance by the longest interval makes every class due; the test
// then polls the store (bounded) until every portal has a run of every class. No fixed sleeps.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "alerts/alert_sink.h"
#include "portals/run_recorder.h"
#include "store/blob_store.h"
#include "store/store_fixture.h"
#include "webmon/content_extensions.h"
#include "webmon/scheduler.h"
#include "webmon/test_sites.h"

namespace vigil::test {
namespace {

using namespace std::chrono_literals;
using webmon::CheckClass;
using webmon::Severity;

constexpr CheckClass kClasses[] = {CheckClass::kAvailability, CheckClass::kContent, CheckClass::kTls,
                                   CheckClass::kHeaders, CheckClass::kExposure};

// What each test site plants (tests/webmon/test_sites.h), as "<check>.<id>" of the findings the
// scheduled monitor must open for the portal registered at that site and path. The same planted
// problems as tests/webmon/sites_test.cpp, minus what a scheduled run cannot see on loopback:
// "headers.redirection" needs the plain-HTTP entry, which the scheduler takes at http://<host>/
// (port 80), and the test sites' plain-HTTP entries listen on other ports.
struct Planted {
  std::string site, path;
  std::vector<std::string> expected;
};

const std::vector<Planted>& plantedProblems() {
  static const std::vector<Planted> table = {
      {"legacy",
       "/",
       {"tls.protocol_tls1_0", "tls.protocol_tls1_1", "tls.no_forward_secrecy", "tls.dh_group_small",
        "tls.mozilla_intermediate_fail"}},
      {"expired", "/", {"tls.cert_expired"}},
      {"selfsigned", "/", {"tls.cert_self_signed"}},
      {"noheaders",
       "/",
       {"headers.csp", "headers.hsts", "headers.x_content_type_options", "headers.x_frame_options", "headers.cookies"}},
      {"exposed",
       "/",
       {"exposure.git_exposed", "exposure.git_config_exposed", "exposure.env_exposed", "exposure.backup_archive",
        "exposure.phpinfo", "exposure.directory_listing", "exposure.version_disclosure", "exposure.end_of_life"}},
      {"spam", "/hidden.html", {"page.hidden_link"}},
      {"spam", "/title.html", {"page.spam_in_title_meta"}},
      {"spam", "/linked.html", {"page.hidden_link"}},
      {"spam", "/dropper.html", {"page.script_base64_dropper"}},
      {"spam", "/refjs.html", {"page.script_conditional_redirect"}},
      {"spam", "/broken.html", {"page.hidden_link"}},
      {"spam", "/charset.html", {"page.charset_mismatch", "page.hidden_text"}},
      {"cloak",
       "/",
       {"cloaking.spam_only_in_view", "cloaking.title_differs", "cloaking.content_differs",
        "cloaking.redirect_other_site"}},
  };
  return table;
}

// A page served from the spam site's root that the test cleans and re-infects.
const std::string kInfected =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>UBND xã Mường Khương</title></head><body>"
    "<h1>Thông báo lịch tiếp công dân</h1><p>Lịch tiếp công dân tháng 11 tại trụ sở Ủy ban nhân dân xã.</p>"
    "<p>Công dân mang theo giấy tờ tùy thân khi đến làm việc.</p>"
    "<div style=\"display:none\"><a href=\"https://taixiu-online.club/\">tài xỉu online</a></div>"
    "</body></html>";
const std::string kCleaned =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>UBND xã Mường Khương</title></head><body>"
    "<h1>Thông báo lịch tiếp công dân</h1><p>Lịch tiếp công dân tháng 11 tại trụ sở Ủy ban nhân dân xã.</p>"
    "<p>Công dân mang theo giấy tờ tùy thân khi đến làm việc.</p>"
    "</body></html>";

template <typename F>
bool waitFor(F done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

void writeFile(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class MonitorIntegrationTest : public StoreTest {
 protected:
  static void SetUpTestSuite() {
    webmon::globalInit();
    sites_ = new webmon::test::TestSites();
  }
  static void TearDownTestSuite() {
    delete sites_;
    sites_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(sites_->error().empty()) << sites_->error();
    StoreTest::SetUp();
    // The test certificates are made at start from the real time: the monitor's clock starts now.
    clock_.set(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    auto admin = store_->getUser(system_, adminId_);
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    admin_ = actorOf(*admin);
    agency_ = org("Sở Thông tin và Truyền thông");
    blobs_ = std::make_unique<BlobStore>((dir_.path() / "blobs").string(), 64 << 20, BlobStore::TypePolicy::kAnyType);
    sink_ = std::make_unique<alerts::AlertSink>(*store_, alerts::AlertSinkOptions{});
    recorder_ = std::make_unique<portals::RunRecorder>(*store_, *blobs_, *sink_);
    source_ = std::make_unique<portals::StorePortalSource>(*store_);

    auto lexicon = webmon::Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
    ASSERT_TRUE(lexicon.ok()) << lexicon.error().message;
    auto eol = webmon::EolData::load(VIGIL_WEBMON_CATALOG_DIR "/eol.toml");
    ASSERT_TRUE(eol.ok()) << eol.error().message;
    webmon::RunnerOptions ro;
    ro.contactUrl = "https://soc.example.gov.vn/lien-he";
    ro.caFile = sites_->caFile();
    ro.lexicon = std::make_shared<const webmon::Lexicon>(std::move(*lexicon));
    ro.eol = std::make_shared<const webmon::EolData>(std::move(*eol));
    ro.requestTimeoutMs = 5000;
    ro.connectTimeoutMs = 2000;
    ro.retries = 1;
    ro.backoffMs = 100;
    auto extensions = webmon::standardContentExtensions(VIGIL_WEBMON_CATALOG_DIR, ro.lexicon);
    ASSERT_TRUE(extensions.ok()) << extensions.error().message;
    ro.contentExtensions = *extensions;
    auto runner = webmon::CheckRunner::create(std::move(ro), clock_);
    ASSERT_TRUE(runner.ok()) << runner.error().message;
    runner_ = std::move(*runner);
  }

  void TearDown() override {
    if (scheduler_) scheduler_->stop();
    if (sink_) sink_->stop();
  }

  // Registered as the province admin would: allow_private (loopback), the shortest intervals the
  // API accepts.
  Portal registerPortal(const std::string& name, const std::string& url) {
    PortalFields f;
    f.orgId = agency_.id;
    f.name = name;
    f.url = url;
    f.allowPrivate = true;
    f.intervals = {.availabilitySeconds = 60,
                   .contentSeconds = 300,
                   .tlsSeconds = 3600,
                   .headersSeconds = 3600,
                   .exposureSeconds = 86400};
    auto p = store_->createPortal(admin_, f);
    EXPECT_TRUE(p.ok()) << url << ": " << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : Portal{};
  }

  void startScheduler() {
    webmon::SchedulerOptions o;
    o.workers = 4;
    o.tick = 5ms;
    o.seed = 42;
    o.jitterFraction = 0;
    o.perHostInterval = 0ms;  // every test site is on 127.0.0.1; the gate is tested in tests/webmon
    scheduler_ = std::make_unique<webmon::PortalScheduler>(o, *source_, *recorder_, clock_, *runner_);
    ASSERT_TRUE(scheduler_->start().ok());
  }

  size_t runsOf(int64_t portal, CheckClass c) {
    auto runs = store_->listPortalRuns(system_, portal, c, 1000);
    return runs.ok() ? runs->size() : 0;
  }

  // Polls the store until every portal has at least `n` runs of each class in `classes`.
  bool waitForRuns(const std::vector<int64_t>& portals, const std::vector<CheckClass>& classes, size_t n) {
    return waitFor(
        [&] {
          for (int64_t p : portals)
            for (CheckClass c : classes)
              if (runsOf(p, c) < n) return false;
          return true;
        },
        180s);
  }

  // Polls the store until a run of the portal's class has started at or after `at` (a run already
  // under way when the test changed a page may have fetched the old one).
  bool waitForRunFrom(int64_t portal, CheckClass c, TimeMs at) {
    return waitFor(
        [&] {
          auto runs = store_->listPortalRuns(system_, portal, c, 1);
          return runs.ok() && !runs->empty() && runs->front().startedAt >= at;
        },
        60s);
  }

  std::vector<PortalFinding> findingsOf(int64_t portal, bool includeInfo) {
    PortalFindingQuery q;
    q.portalId = portal;
    q.includeInfo = includeInfo;
    q.limit = 1000;
    auto page = store_->listPortalFindings(system_, q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<PortalFinding>{};
  }

  std::vector<Alert> webAlerts() {
    sink_->flush();
    AlertQuery q;
    q.detector = DetectorKind::kWeb;
    q.limit = 1000;
    auto page = store_->listAlerts(system_, q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<Alert>{};
  }

  static std::string dump(const std::vector<PortalFinding>& fs) {
    std::string out;
    for (const auto& f : fs)
      out += "  " + f.check + "." + f.findingId + " [" + std::string(webmon::severityName(f.severity)) + "] " + f.url +
             ": " + f.summary + "\n";
    return out;
  }

  static webmon::test::TestSites* sites_;
  Actor admin_;
  Org agency_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<alerts::AlertSink> sink_;
  std::unique_ptr<portals::RunRecorder> recorder_;
  std::unique_ptr<portals::StorePortalSource> source_;
  std::unique_ptr<webmon::CheckRunner> runner_;
  std::unique_ptr<webmon::PortalScheduler> scheduler_;
};

webmon::test::TestSites* MonitorIntegrationTest::sites_ = nullptr;

TEST_F(MonitorIntegrationTest, EveryPlantedProblemIsFoundOnScheduleAndTheCleanSiteRaisesNothing) {
  const std::filesystem::path spamRoot = sites_->dir() / "www" / "spam";
  writeFile(spamRoot / "notice.html", kInfected);

  struct Registered {
    const Planted* planted;
    Portal portal;
  };
  std::vector<Registered> registered;
  std::vector<int64_t> ids;
  for (const auto& p : plantedProblems()) {
    registered.push_back({&p, registerPortal("Cổng " + p.site + p.path, sites_->origin(p.site) + p.path)});
    ids.push_back(registered.back().portal.id);
  }
  const Portal clean = registerPortal("Cổng sạch", sites_->origin("clean") + "/");
  const Portal notice = registerPortal("Cổng xã Mường Khương", sites_->origin("spam") + "/notice.html");
  ids.push_back(clean.id);
  ids.push_back(notice.id);
  ASSERT_FALSE(HasFailure());

  startScheduler();
  // Every class's first run falls within its interval; the longest is the exposure class's day.
  clock_.advanceMs(86400LL * 1000);
  ASSERT_TRUE(waitForRuns(ids, {std::begin(kClasses), std::end(kClasses)}, 1))
      << "every class should run once for every portal (runs so far: " << scheduler_->stats().runs << ")";

  const auto alerts = webAlerts();
  std::set<std::string> alertKeys;
  for (const auto& a : alerts) alertKeys.insert(a.dedupKey);

  // Every planted problem: an open finding, and its alert when it is above info.
  for (const auto& r : registered) {
    SCOPED_TRACE(r.portal.fields.url);
    const auto findings = findingsOf(r.portal.id, true);
    for (const auto& expected : r.planted->expected) {
      const PortalFinding* found = nullptr;
      for (const auto& f : findings)
        if (f.check + "." + f.findingId == expected && f.status == PortalFindingStatus::kOpen) found = &f;
      ASSERT_NE(found, nullptr) << "missing " << expected << " in:\n" << dump(findings);
      EXPECT_EQ(found->portalId, r.portal.id);
      if (found->severity == Severity::kInfo) continue;
      EXPECT_EQ(found->alertKey, portalAlertKey(r.portal.id, found->check, found->findingId, found->url));
      EXPECT_TRUE(alertKeys.count(found->alertKey)) << "no alert for " << expected << " (" << found->alertKey << ")";
    }
  }

  // The clean site: nothing above info, no alert.
  const auto cleanFindings = findingsOf(clean.id, true);
  for (const auto& f : cleanFindings)
    EXPECT_EQ(f.severity, Severity::kInfo) << "false alarm on the clean site:\n" << dump({f});
  const std::string cleanPrefix = "portal:" + std::to_string(clean.id) + "|";
  for (const auto& a : alerts)
    EXPECT_NE(a.dedupKey.rfind(cleanPrefix, 0), 0u) << "alert on the clean site: " << a.title;
  {
    auto stored = store_->getPortal(system_, clean.id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->open.total(), 0);
    EXPECT_GT(stored->lastRunAt, 0);
  }

  // Evidence of a content finding: the captured page, byte for byte.
  {
    const Registered& hidden = registered[5];
    ASSERT_EQ(hidden.planted->path, "/hidden.html");
    const std::string served = readFile(spamRoot / "hidden.html");
    ASSERT_FALSE(served.empty());
    std::optional<int64_t> findingId;
    for (const auto& f : findingsOf(hidden.portal.id, false))
      if (f.findingId == "hidden_link" && f.url == hidden.portal.fields.url) findingId = f.id;
    ASSERT_TRUE(findingId.has_value());
    auto items = store_->listPortalEvidence(system_, hidden.portal.id, findingId);
    ASSERT_TRUE(items.ok()) << items.error().message;
    const PortalEvidence* body = nullptr;
    for (const auto& e : *items)
      if (e.name == "body.html") body = &e;
    ASSERT_NE(body, nullptr) << items->size() << " evidence items";
    auto frame = blobs_->get(body->blobSha256);
    ASSERT_TRUE(frame.ok()) << frame.error().message;
    auto original = portals::decompress(*frame, 1 << 20);
    ASSERT_TRUE(original.ok()) << original.error().message;
    EXPECT_EQ(*original, served);
    EXPECT_EQ(body->sha256, crypto::sha256Hex(served));
    EXPECT_EQ(body->size, static_cast<int64_t>(served.size()));
  }

  // Clean-up and re-infection of one page, each seen by the next scheduled content run.
  auto noticeFinding = [&]() -> std::optional<PortalFinding> {
    for (const auto& f : findingsOf(notice.id, false))
      if (f.check == "page" && f.findingId == "hidden_link" && f.url == notice.fields.url) return f;
    return std::nullopt;
  };
  auto first = noticeFinding();
  ASSERT_TRUE(first.has_value()) << dump(findingsOf(notice.id, true));
  ASSERT_EQ(first->status, PortalFindingStatus::kOpen);
  ASSERT_TRUE(alertKeys.count(first->alertKey));
  std::set<std::string> alertKeysBefore;
  for (const auto& a : webAlerts()) alertKeysBefore.insert(a.dedupKey);

  writeFile(spamRoot / "notice.html", kCleaned);
  clock_.advanceMs(300LL * 1000);
  ASSERT_TRUE(waitForRunFrom(notice.id, CheckClass::kContent, clock_.nowMs()));
  auto resolved = noticeFinding();
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->status, PortalFindingStatus::kResolved) << dump(findingsOf(notice.id, true));
  EXPECT_GT(resolved->resolvedAt, 0);
  EXPECT_EQ(resolved->reinfections, 0);
  // The clean-up raises nothing (the injected page was not learned as the defacement baseline, so
  // its clean-up is not a structure change).
  for (const auto& a : webAlerts())
    EXPECT_TRUE(alertKeysBefore.count(a.dedupKey)) << "new alert after the clean-up: " << a.title;
  // The officer closes the alert once the page is cleaned.
  for (const auto& a : webAlerts())
    if (a.dedupKey == first->alertKey) {
      ASSERT_TRUE(store_->updateAlert(system_, a.id, {.state = AlertState::kClosed, .reason = "đã gỡ liên kết"}).ok());
    }

  writeFile(spamRoot / "notice.html", kInfected);
  clock_.advanceMs(300LL * 1000);
  ASSERT_TRUE(waitForRunFrom(notice.id, CheckClass::kContent, clock_.nowMs()));
  auto back = noticeFinding();
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->status, PortalFindingStatus::kOpen);
  EXPECT_EQ(back->reinfections, 1);
  EXPECT_EQ(back->id, first->id) << "the same finding is re-opened, not a new one";
  // The re-infection alerts again, with its count in the title. The only other new alert allowed
  // is the defacement check's on the same page (its structure changed against the clean baseline
  // learned meanwhile); nothing new anywhere else.
  const std::string defacedKey = portalAlertKey(notice.id, "defacement", "structure_changed", notice.fields.url);
  int raised = 0;
  for (const auto& a : webAlerts()) {
    if (a.dedupKey == first->alertKey && a.state != AlertState::kClosed) {
      ++raised;
      EXPECT_NE(a.title.find("tái nhiễm lần 1"), std::string::npos) << a.title;
    } else if (!alertKeysBefore.count(a.dedupKey)) {
      EXPECT_EQ(a.dedupKey, defacedKey) << "unexpected new alert: " << a.title;
    }
  }
  EXPECT_EQ(raised, 1) << "the re-infection alerts again";

  // The clean site stayed clean through the later runs.
  for (const auto& f : findingsOf(clean.id, true))
    EXPECT_EQ(f.severity, Severity::kInfo) << "false alarm on the clean site:\n" << dump({f});
}

}  // namespace
}  // namespace vigil::test
