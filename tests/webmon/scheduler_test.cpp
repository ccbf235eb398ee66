// The scheduler's planning with a controllable clock and a runner that only records what it is
// asked to run: first runs spread over the interval, intervals with jitter, re-plan on a revision
// change, removal, facts handed from one run to the next, stop with a run in progress, bad options;
// and the parts without a server: the per-host gate's spacing and stop, registrable domains by the
// public suffix list, a malformed portal URL.
// (The per-host gate, retries and hung sites against real servers: scheduler_sites_test.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "webmon/scheduler.h"

namespace vigil::webmon {
namespace {

using namespace std::chrono_literals;

constexpr TimeMs kStart = 1'800'000'000'000;

class MemorySource : public PortalSource {
 public:
  Result<std::vector<PortalSpec>> portals() override {
    std::lock_guard lock(mu_);
    ++reads_;
    if (fail_) return Error::unavailable("store is down");
    return portals_;
  }
  void set(std::vector<PortalSpec> p) {
    std::lock_guard lock(mu_);
    portals_ = std::move(p);
  }
  void fail(bool f) {
    std::lock_guard lock(mu_);
    fail_ = f;
  }

 private:
  std::mutex mu_;
  std::vector<PortalSpec> portals_;
  bool fail_ = false;
  int reads_ = 0;
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
  size_t count(int64_t portal, CheckClass c) const {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count_if(
        runs_.begin(), runs_.end(), [&](const PortalRun& r) { return r.portalId == portal && r.checkClass == c; }));
  }

 private:
  mutable std::mutex mu_;
  std::vector<PortalRun> runs_;
};

// Records each call; a run writes "<class>.n" = number of its runs so far, so the next call shows
// whether the previous facts came back. `blockMs` > 0: the run waits that long (interruptibly).
class FakeRunner : public ClassRunner {
 public:
  struct Call {
    int64_t portal;
    CheckClass c;
    std::string url;
    Facts previous;
  };
  std::optional<PortalRun> run(const PortalSpec& portal, CheckClass c, const Facts& previous,
                               const RunContext& context) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back({portal.id, c, portal.url, previous});
    }
    if (blockMs > 0 && !context.sleep(blockMs)) return std::nullopt;
    PortalRun r;
    std::string n = "0";
    for (const auto& [k, v] : previous)
      if (k == std::string(checkClassName(c)) + ".n") n = v;
    r.facts = {{std::string(checkClassName(c)) + ".n", std::to_string(std::stoi(n) + 1)},
               {"shared.last_class", std::string(checkClassName(c))}};
    return r;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  long blockMs = 0;

 private:
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

PortalSpec portal(int64_t id, int availabilitySeconds = 120) {
  PortalSpec p;
  p.id = id;
  p.orgId = 7;
  p.name = "portal " + std::to_string(id);
  p.url = "https://p" + std::to_string(id) + ".example.gov.vn/";
  p.intervals.availabilitySeconds = availabilitySeconds;
  p.intervals.contentSeconds = 1'000'000;
  p.intervals.tlsSeconds = 1'000'000;
  p.intervals.headersSeconds = 1'000'000;
  p.intervals.exposureSeconds = 1'000'000;
  p.revision = 1;
  return p;
}

SchedulerOptions fastOptions() {
  SchedulerOptions o;
  o.workers = 4;
  o.tick = 2ms;
  o.seed = 42;
  o.perHostInterval = 0ms;
  o.reloadSeconds = 3600;
  return o;
}

// Waits (real time) until `done` holds, at most `limit`.
template <typename F>
bool waitFor(F done, std::chrono::milliseconds limit = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return done();
}

TEST(SchedulerTest, FirstRunsAreSpreadOverTheInterval) {
  MemorySource source;
  std::vector<PortalSpec> ps;
  for (int i = 1; i <= 300; ++i) ps.push_back(portal(i, 120));
  source.set(ps);
  RecordingSink sink;
  FakeRunner runner;
  ManualClock clock(kStart);
  PortalScheduler s(fastOptions(), source, sink, clock, runner);
  ASSERT_TRUE(s.start().ok());
  std::set<int> buckets;  // 12 buckets of 10 s
  std::set<TimeMs> distinct;
  TimeMs latestContent = 0;
  for (int i = 1; i <= 300; ++i) {
    const auto due = s.nextDue(i, CheckClass::kAvailability);
    ASSERT_TRUE(due.has_value());
    // A portal whose first run fell on the start time may already have run: its next due is then
    // one interval (± 10 %) later; either way it lies within [start, start + 2 intervals).
    ASSERT_GE(*due, kStart);
    ASSERT_LT(*due, kStart + 2 * 132'000);
    if (*due < kStart + 120'000) buckets.insert(static_cast<int>((*due - kStart) / 10'000));
    distinct.insert(*due);
    // The long classes are spread over their own interval, not bunched at the start.
    const auto content = s.nextDue(i, CheckClass::kContent);
    ASSERT_TRUE(content.has_value());
    latestContent = std::max(latestContent, *content);
  }
  EXPECT_GT(latestContent, kStart + 500'000'000);
  EXPECT_EQ(buckets.size(), 12u) << "300 first runs should touch every 10-second slice of the 2 minutes";
  EXPECT_GT(distinct.size(), 250u);
  s.stop();
}

TEST(SchedulerTest, RunsRepeatAtTheIntervalWithJitter) {
  MemorySource source;
  source.set({portal(1, 100)});
  RecordingSink sink;
  FakeRunner runner;
  ManualClock clock(kStart);
  PortalScheduler s(fastOptions(), source, sink, clock, runner);
  ASSERT_TRUE(s.start().ok());
  std::vector<TimeMs> starts;
  for (int step = 0; step < 1300 && starts.size() < 11; ++step) {
    clock.advanceMs(1000);
    // Each second of the manual clock: wait until a run that became due has run and been
    // re-planned, so the recorded start is the manual second it became due in.
    ASSERT_TRUE(waitFor([&] {
      const auto due = s.nextDue(1, CheckClass::kAvailability);
      return due && *due > clock.nowMs() && s.stats().running == 0;
    }));
    const auto runs = sink.runs();
    starts.clear();
    for (const auto& r : runs)
      if (r.checkClass == CheckClass::kAvailability) starts.push_back(r.startedAt);
  }
  s.stop();
  ASSERT_GE(starts.size(), 11u);
  std::set<TimeMs> gaps;
  for (size_t i = 1; i < starts.size(); ++i) {
    const TimeMs gap = starts[i] - starts[i - 1];
    EXPECT_GE(gap, 89'000) << "run " << i;  // 100 s - 10 % jitter, minus one clock step
    EXPECT_LE(gap, 111'000) << "run " << i;
    gaps.insert(gap);
  }
  EXPECT_GT(gaps.size(), 3u) << "the gaps should vary (jitter)";
  // The facts of one run reach the next one.
  const auto calls = runner.calls();
  ASSERT_GE(calls.size(), 2u);
  bool sawPrevious = false;
  for (const auto& [k, v] : calls.back().previous) sawPrevious = sawPrevious || (k == "availability.n" && v != "0");
  EXPECT_TRUE(sawPrevious);
  // A fact outside the class's prefix is replaced, not repeated.
  const Facts kept = s.facts(1);
  EXPECT_EQ(std::count_if(kept.begin(), kept.end(), [](const auto& kv) { return kv.first == "shared.last_class"; }), 1);
  EXPECT_EQ(std::count_if(kept.begin(), kept.end(), [](const auto& kv) { return kv.first == "availability.n"; }), 1);
}

TEST(SchedulerTest, ReplansAChangedPortalAndDropsARemovedOne) {
  MemorySource source;
  source.set({portal(1, 600), portal(2, 600)});
  RecordingSink sink;
  FakeRunner runner;
  ManualClock clock(kStart);
  SchedulerOptions o = fastOptions();
  o.reloadSeconds = 30;
  PortalScheduler s(o, source, sink, clock, runner);
  ASSERT_TRUE(s.start().ok());
  const auto before = s.nextDue(1, CheckClass::kContent);
  ASSERT_TRUE(before.has_value());

  PortalSpec changed = portal(1, 600);
  changed.url = "https://moved.example.gov.vn/";
  changed.revision = 2;
  source.set({changed});  // 2 is removed
  s.reloadNow();
  ASSERT_TRUE(waitFor([&] { return !s.nextDue(2, CheckClass::kAvailability).has_value(); }));
  // Re-planned: every class of the changed portal is due within the reload period (30 s).
  for (CheckClass c : kAllCheckClasses) {
    const auto due = s.nextDue(1, c);
    ASSERT_TRUE(due.has_value());
    EXPECT_LT(*due, kStart + 30'000) << checkClassName(c);
  }
  // Within the reload period every class runs on the new URL; the removed portal never runs.
  for (int i = 0; i < 31; ++i) {
    clock.advanceMs(1000);
    std::this_thread::sleep_for(3ms);
  }
  ASSERT_TRUE(waitFor([&] { return sink.runs().size() >= 5; }));
  for (const auto& call : runner.calls()) {
    EXPECT_NE(call.portal, 2);
    EXPECT_EQ(call.url, "https://moved.example.gov.vn/");
  }
  // An unchanged revision is not re-planned by a reload.
  const auto due = s.nextDue(1, CheckClass::kExposure);
  s.reloadNow();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(s.nextDue(1, CheckClass::kExposure), due);
  s.stop();
}

TEST(SchedulerTest, DisabledPortalsAreNotPlanned) {
  MemorySource source;
  PortalSpec off = portal(3);
  off.enabled = false;
  PortalSpec broken = portal(4);
  broken.intervals.tlsSeconds = 0;
  source.set({off, broken, portal(5)});
  RecordingSink sink;
  FakeRunner runner;
  ManualClock clock(kStart);
  PortalScheduler s(fastOptions(), source, sink, clock, runner);
  ASSERT_TRUE(s.start().ok());
  EXPECT_FALSE(s.nextDue(3, CheckClass::kAvailability).has_value());
  EXPECT_FALSE(s.nextDue(4, CheckClass::kAvailability).has_value());
  EXPECT_TRUE(s.nextDue(5, CheckClass::kAvailability).has_value());
  EXPECT_EQ(s.stats().portals, 1u);
}

TEST(SchedulerTest, StopCancelsARunInProgressWithoutRecordingIt) {
  MemorySource source;
  source.set({portal(1, 10)});
  RecordingSink sink;
  FakeRunner runner;
  runner.blockMs = 60'000;  // a run that would take a minute
  ManualClock clock(kStart);
  PortalScheduler s(fastOptions(), source, sink, clock, runner);
  ASSERT_TRUE(s.start().ok());
  clock.advanceMs(20'000);
  ASSERT_TRUE(waitFor([&] { return s.stats().running == 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  s.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "stop must not wait for the run";
  EXPECT_TRUE(sink.runs().empty()) << "a cancelled run is not recorded";
  EXPECT_EQ(s.stats().cancelled, 1u);
  s.stop();  // idempotent
}

TEST(SchedulerTest, KeepsThePlanWhenTheSourceFails) {
  MemorySource source;
  source.set({portal(1)});
  RecordingSink sink;
  FakeRunner runner;
  ManualClock clock(kStart);
  PortalScheduler s(fastOptions(), source, sink, clock, runner);
  ASSERT_TRUE(s.start().ok());
  source.fail(true);
  s.reloadNow();
  ASSERT_TRUE(waitFor([&] { return s.stats().sourceErrors == 1; }));
  EXPECT_TRUE(s.nextDue(1, CheckClass::kAvailability).has_value());
}

TEST(SchedulerTest, StartFailsWithBadOptionsOrAnUnreadableSource) {
  MemorySource source;
  RecordingSink sink;
  FakeRunner runner;
  ManualClock clock(kStart);
  SchedulerOptions o = fastOptions();
  o.workers = 0;
  PortalScheduler bad(o, source, sink, clock, runner);
  const auto st = bad.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("between 1 and 256"), std::string::npos) << st.error().message;
  source.fail(true);
  PortalScheduler unreadable(fastOptions(), source, sink, clock, runner);
  const auto st2 = unreadable.start();
  ASSERT_FALSE(st2.ok());
  EXPECT_NE(st2.error().message.find("store is down"), std::string::npos) << st2.error().message;
}

TEST(SchedulerTest, ExportsMetrics) {
  MemorySource source;
  source.set({portal(1, 10)});
  RecordingSink sink;
  FakeRunner runner;
  ManualClock clock(kStart);
  Metrics metrics;
  SchedulerOptions o = fastOptions();
  o.metrics = &metrics;
  PortalScheduler s(o, source, sink, clock, runner);
  ASSERT_TRUE(s.start().ok());
  clock.advanceMs(15'000);
  ASSERT_TRUE(waitFor([&] { return sink.count(1, CheckClass::kAvailability) >= 1; }));
  s.stop();
  const std::string text = metrics.render();
  const std::string runs = "vigil_webmon_runs_total{class=\"availability\"} " +
                           std::to_string(sink.count(1, CheckClass::kAvailability)) + "\n";
  EXPECT_NE(text.find(runs), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_webmon_portals 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_webmon_schedule_lag_seconds"), std::string::npos) << text;
}

TEST(AvailabilityTest, RegistrableDomainsFollowThePublicSuffixList) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"www.hue.gov.vn", "hue.gov.vn"},
      {"HUE.gov.vn", "hue.gov.vn"},
      {"a.b.example.co.uk", "example.co.uk"},
      {"sotttt.thuathienhue.gov.vn", "thuathienhue.gov.vn"},
      {"127.0.0.1", "127.0.0.1"},
      {"localhost", "localhost"},
      {"nhacai.bet", "nhacai.bet"},
  };
  for (const auto& [host, expected] : cases) EXPECT_EQ(registrableDomain(host), expected) << host;
}

TEST(AvailabilityTest, AnUnusableUrlIsOneFindingWithoutRetries) {
  for (const std::string url : {"ftp://portal.example.gov.vn/", "https://", "not a url"}) {
    PortalSpec p = portal(1);
    p.url = url;
    AvailabilityOptions o;
    o.sleep = [](long) -> bool {
      ADD_FAILURE() << "no retry for a malformed URL";
      return true;
    };
    const auto out = checkAvailability(p, {}, kStart, o);
    ASSERT_EQ(out.findings.size(), 1u) << url;
    EXPECT_EQ(out.findings[0].id, "bad_url") << url;
    EXPECT_EQ(out.findings[0].severity, Severity::kHigh);
    EXPECT_NE(out.findings[0].summary.find(url.substr(0, 5)), std::string::npos) << out.findings[0].summary;
    EXPECT_EQ(out.attempts, 1);
  }
}

TEST(HostGateTest, SpacesRequestsToOneHostOnlyAndReleasesWaitersOnStop) {
  HostGate gate(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  std::mutex mu;
  std::vector<double> sameHost;
  double otherHost = -1;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      ASSERT_TRUE(gate.wait("portal.example.gov.vn"));
      std::lock_guard lock(mu);
      sameHost.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    });
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(gate.wait("other.example.gov.vn"));
  otherHost = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto& t : threads) t.join();
  std::sort(sameHost.begin(), sameHost.end());
  ASSERT_EQ(sameHost.size(), 4u);
  for (size_t i = 1; i < sameHost.size(); ++i) EXPECT_GE(sameHost[i] - sameHost[i - 1], 0.19) << i;
  EXPECT_LT(otherHost, 0.15) << "another host does not wait for the first one's slots";

  // A waiter whose slot is 5 s away: stop() releases it at once, and later calls are refused.
  HostGate slow(5000ms);
  ASSERT_TRUE(slow.wait("busy.example.gov.vn"));  // the first slot is now
  std::atomic<bool> result{true};
  const auto s0 = std::chrono::steady_clock::now();
  std::thread waiter([&] { result = slow.wait("busy.example.gov.vn"); });
  std::this_thread::sleep_for(20ms);
  slow.stop();
  waiter.join();
  EXPECT_FALSE(result.load());
  EXPECT_LT(std::chrono::steady_clock::now() - s0, 1000ms);
  EXPECT_FALSE(slow.wait("any.example.gov.vn"));
}

}  // namespace
}  // namespace vigil::webmon
