// Sigma correlation throughput with 50,000 group-by keys (issue 6): failed logons (Windows 4625)
// from 50,000 source addresses over 1,000 user names, 500,000 events at 2 ms steps of event time
// (1,000 s), 20 % of them from 100 brute-forcing addresses; 10 % of the events are successful
// logons. Each case runs the events through a Detector (the rule set + one correlation state):
//   base      the two base rules alone (the cost the correlation adds is measured against it)
//   count     + event_count >= 20 per IpAddress in 5 m
//   distinct  + value_count(TargetUserName) >= 10 per IpAddress in 1 h
//   ordered   + temporal_ordered (failed logon, then successful logon) per IpAddress in 10 m
// Before timing, one pass per case prints the peak of live groups and of the state estimate
// (CorrelationStats, sampled every 10,000 events) and the firings.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "detect/sigma/detection.h"

namespace {

using namespace vigil;
using detect::sigma::DetectionSet;
using detect::sigma::Detector;
using detect::sigma::Pipeline;

constexpr size_t kEvents = 500000;
constexpr int kAddresses = 50000;

const char* kBase = R"(title: Failed logon
name: failed_logon
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
---
title: Successful logon
name: successful_logon
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624}
  condition: sel
)";

const char* kCorrelations[] = {
    "",
    R"(title: Brute force
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 5m
  condition: {gte: 20}
)",
    R"(title: Password spray
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 1h
  condition: {field: TargetUserName, gte: 10}
)",
    R"(title: Failed then successful
correlation:
  type: temporal_ordered
  rules: [failed_logon, successful_logon]
  group-by: [IpAddress]
  timespan: 10m
)",
};
const char* kNames[] = {"base", "count", "distinct", "ordered"};

// Events are kept compact (500,000 full Events would take most of a GiB) and built into one
// reused Event as the ingest stream does; the base case measures that cost too.
struct Spec {
  int32_t address, user;
  bool success;
};
struct Fixture {
  Pipeline pipeline;
  std::vector<Spec> events;
  std::vector<std::string> addresses, users;
};

void build(const Fixture& f, size_t i, normalize::Event& e) {
  const Spec& s = f.events[i];
  e.reset("");
  e.setString("EventID", s.success ? "4624" : "4625");
  e.setOwnedName("", "IpAddress", normalize::ValueType::kString, f.addresses[static_cast<size_t>(s.address)]);
  e.setOwnedName("", "TargetUserName", normalize::ValueType::kString, f.users[static_cast<size_t>(s.user)]);
  e.setTime("@timestamp", int64_t{1700000000} * 1000000 + static_cast<int64_t>(i) * 2000);
}

Fixture& fixture() {
  static Fixture* f = [] {
    auto* out = new Fixture();
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> address(0, kAddresses - 1), attacker(0, 99), user(0, 999), pct(0, 99);
    for (int a = 0; a < kAddresses; ++a)
      out->addresses.push_back("10." + std::to_string(a / 65536) + "." + std::to_string(a / 256 % 256) + "." +
                               std::to_string(a % 256));
    for (int u = 0; u < 1000; ++u) out->users.push_back("user" + std::to_string(u));
    out->events.reserve(kEvents);
    for (size_t i = 0; i < kEvents; ++i) {
      const bool attack = pct(rng) < 20;
      const int a = attack ? attacker(rng) : address(rng);
      const bool success = pct(rng) < 10;
      out->events.push_back({a, user(rng), success});
    }
    return out;
  }();
  return *f;
}

std::shared_ptr<const DetectionSet> setFor(int which) {
  std::vector<std::pair<std::string, std::string>> files{{"base.yml", kBase}};
  if (which > 0) files.emplace_back("corr.yml", kCorrelations[which]);
  auto set = DetectionSet::fromTexts(files, fixture().pipeline);
  if (!set->refusals().empty()) {
    std::fprintf(stderr, "refused: %s %s\n", set->refusals()[0].where.c_str(), set->refusals()[0].reason.c_str());
    std::exit(1);
  }
  return set;
}

void BM_Correlation(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const auto set = setFor(which);
  const Fixture& f = fixture();
  const size_t count = f.events.size();
  normalize::Event e;
  static bool printed[4] = {};
  if (!printed[which]) {
    printed[which] = true;
    // One untimed pass: peak state and firings.
    Detector d(set);
    size_t peakGroups = 0, peakBytes = 0, firings = 0;
    auto on = [&](const detect::sigma::Detection& det) {
      firings += det.kind == detect::sigma::Detection::Kind::kCorrelation;
    };
    for (size_t i = 0; i < count; ++i) {
      build(f, i, e);
      d.evaluate(e, on);
      if (i % 10000 == 9999) {
        const auto st = d.stats();
        peakGroups = std::max(peakGroups, st.liveGroups);
        peakBytes = std::max(peakBytes, st.stateBytes);
      }
    }
    d.finish(on);
    std::printf(
        "%-9s %zu events, peak live groups %zu, peak state %.1f MB (%.0f bytes/group), firings %zu, "
        "expired %llu, evicted %llu\n",
        kNames[which], count, peakGroups, static_cast<double>(peakBytes) / 1e6,
        peakGroups ? static_cast<double>(peakBytes) / static_cast<double>(peakGroups) : 0.0, firings,
        static_cast<unsigned long long>(d.stats().expiredGroups),
        static_cast<unsigned long long>(d.stats().evictedGroups));
  }
  for (auto _ : state) {
    Detector d(set);
    size_t n = 0;
    for (size_t i = 0; i < count; ++i) {
      build(f, i, e);
      n += d.evaluate(e, {});
    }
    n += d.finish({});
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(count));
  state.SetLabel(kNames[which]);
}
BENCHMARK(BM_Correlation)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
