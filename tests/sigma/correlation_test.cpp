// Sigma correlation rules through DetectionSet and CorrelationEngine: one table row per case (a
// correlation over the base rules below, a timeline of events, the firings expected), then the
// state bounds (expiry, the group cap, late events) and the loader's refusals with file:line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "detect/sigma/detection.h"
#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::windowsPipeline;

// Base rules, one file of several documents. Events carry no logsource information, so every
// rule applies and fields are read by their Sigma names.
const char* kBaseRules = R"(title: Failed logon
id: 0d6c0a4e-1111-4000-8000-000000000001
name: failed_logon
level: low
logsource: {product: test}
detection:
  sel: {action: failed}
  condition: sel
---
title: Successful logon
name: successful_logon
logsource: {product: test}
detection:
  sel: {action: success}
  condition: sel
---
title: Recon A
name: recon_a
logsource: {product: test}
detection:
  sel: {cmd: whoami}
  condition: sel
---
title: Recon B
name: recon_b
logsource: {product: test}
detection:
  sel: {cmd: ipconfig}
  condition: sel
---
title: Transfer
name: transfer
logsource: {product: test}
detection:
  sel: {action: transfer}
  condition: sel
)";

struct Ev {
  int64_t sec;  // event time, seconds from 0
  std::vector<std::pair<std::string, std::string>> fields;
};

normalize::Event toEvent(const Ev& ev) {
  normalize::Event e = testing::makeEvent(ev.fields);
  e.setTime("@timestamp", ev.sec * 1000000);
  return e;
}

// Runs the events through a Detector, then finish(); returns one line per correlation firing:
// "title value [group values] first-last" (seconds), and one per reported rule match: "rule title".
std::vector<std::string> run(const std::shared_ptr<const DetectionSet>& set, const std::vector<Ev>& events) {
  std::vector<std::string> out;
  Detector d(set);
  auto on = [&](const Detection& det) {
    if (det.kind == Detection::Kind::kRule) {
      out.push_back("rule " + std::string(det.title));
      return;
    }
    std::ostringstream s;
    s << det.title << " " << det.firing->value << " [";
    for (size_t i = 0; i < det.firing->groupValues.size(); ++i) s << (i ? "," : "") << det.firing->groupValues[i];
    s << "] " << det.firing->firstUs / 1000000 << "-" << det.firing->lastUs / 1000000;
    out.push_back(s.str());
  };
  for (const Ev& ev : events) d.evaluate(toEvent(ev), on);
  d.finish(on);
  return out;
}

std::shared_ptr<const DetectionSet> loadSet(const std::string& correlation, const DetectionOptions& options = {}) {
  auto set = DetectionSet::fromTexts({{"base.yml", kBaseRules}, {"corr.yml", correlation}}, windowsPipeline(), options);
  for (const Refusal& r : set->refusals()) ADD_FAILURE() << r.where << ": " << r.reason;
  return set;
}

Ev failed(int64_t sec, const std::string& ip, const std::string& user = "bob") {
  return {sec, {{"action", "failed"}, {"src", ip}, {"user", user}}};
}
Ev success(int64_t sec, const std::string& ip, const std::string& user = "bob") {
  return {sec, {{"action", "success"}, {"src", ip}, {"user", user}}};
}
Ev cmd(int64_t sec, const std::string& c, const std::string& host) { return {sec, {{"cmd", c}, {"host", host}}}; }
Ev transfer(int64_t sec, const std::string& ip, const std::string& bytes) {
  return {sec, {{"action", "transfer"}, {"src", ip}, {"bytes", bytes}}};
}

const char* kBruteForce = R"(title: Brute force
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [src]
  timespan: 5m
  condition: {gte: 3}
level: high
)";

const char* kSpray = R"(title: Spray
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [src]
  timespan: 10m
  condition: {field: user, gte: 3}
)";

const char* kRecon = R"(title: Recon
correlation:
  type: temporal
  rules: [recon_a, recon_b]
  group-by: [host]
  timespan: 1m
)";

const char* kFailThenSuccess = R"(title: Fail then success
correlation:
  type: temporal_ordered
  rules: [failed_logon, successful_logon]
  group-by: [user]
  timespan: 10m
)";

const char* kQuiet = R"(title: Few logons
correlation:
  type: event_count
  rules: [successful_logon]
  group-by: [user]
  timespan: 1h
  condition: {lt: 2}
)";

const char* kExfil = R"(title: Exfiltration
correlation:
  type: value_sum
  rules: [transfer]
  group-by: [src]
  timespan: 1h
  condition: {field: bytes, gt: 1000}
)";

struct Case {
  const char* name;
  std::string correlation;
  std::vector<Ev> events;
  std::vector<std::string> expected;
};

std::vector<Case> cases() {
  return {
      {"event_count fires at the threshold",
       kBruteForce,
       {failed(0, "1.1.1.1"), failed(60, "1.1.1.1"), failed(120, "1.1.1.1")},
       {"Brute force 3 [1.1.1.1] 0-120"}},
      {"event_count below the threshold", kBruteForce, {failed(0, "1.1.1.1"), failed(60, "1.1.1.1")}, {}},
      {"event_count window expiry",
       kBruteForce,
       {failed(0, "1.1.1.1"), failed(200, "1.1.1.1"), failed(400, "1.1.1.1")},
       {}},
      {"event_count sliding window",
       kBruteForce,
       {failed(0, "1.1.1.1"), failed(200, "1.1.1.1"), failed(400, "1.1.1.1"), failed(450, "1.1.1.1")},
       {"Brute force 3 [1.1.1.1] 200-450"}},
      {"event_count group-by separates",
       kBruteForce,
       {failed(0, "1.1.1.1"), failed(10, "2.2.2.2"), failed(20, "1.1.1.1"), failed(30, "2.2.2.2")},
       {}},
      {"event_count fires again after a fresh run",
       kBruteForce,
       {failed(0, "a"), failed(1, "a"), failed(2, "a"), failed(3, "a"), failed(4, "a"), failed(5, "a")},
       {"Brute force 3 [a] 0-2", "Brute force 3 [a] 3-5"}},
      {"event_count ignores other rules' events",
       kBruteForce,
       {failed(0, "a"), success(1, "a"), success(2, "a")},
       {"rule Successful logon", "rule Successful logon"}},
      {"value_count distinct values",
       kSpray,
       {failed(0, "a", "u1"), failed(10, "a", "u2"), failed(20, "a", "u3")},
       {"Spray 3 [a] 0-20"}},
      {"value_count repeated value does not count",
       kSpray,
       {failed(0, "a", "u1"), failed(10, "a", "u1"), failed(20, "a", "u1"), failed(30, "a", "u2")},
       {}},
      {"value_count expired values do not count",
       kSpray,
       {failed(0, "a", "u1"), failed(10, "a", "u2"), failed(700, "a", "u3")},
       {}},
      {"temporal any order",
       kRecon,
       {cmd(0, "ipconfig", "h1"), cmd(30, "whoami", "h1")},
       {"Recon 2 [h1] 0-30"}},  // the base rules only feed the correlation
      {"temporal too far apart", kRecon, {cmd(0, "whoami", "h1"), cmd(90, "ipconfig", "h1")}, {}},
      {"temporal other host", kRecon, {cmd(0, "whoami", "h1"), cmd(10, "ipconfig", "h2")}, {}},
      {"temporal_ordered in order",
       kFailThenSuccess,
       {failed(0, "a", "bob"), success(60, "a", "bob")},
       {"Fail then success 2 [bob] 0-60"}},
      {"temporal_ordered wrong order", kFailThenSuccess, {success(0, "a", "bob"), failed(60, "a", "bob")}, {}},
      {"temporal_ordered other user", kFailThenSuccess, {failed(0, "a", "bob"), success(60, "a", "eve")}, {}},
      {"temporal_ordered too late", kFailThenSuccess, {failed(0, "a", "bob"), success(601, "a", "bob")}, {}},
      {"lt fires at window close",
       kQuiet,
       {success(0, "a", "bob"), success(10, "a", "eve"), success(20, "a", "eve"), failed(4000, "a", "x")},
       {"rule Failed logon", "Few logons 1 [bob] 0-0"}},  // failed_logon is not in this correlation
      {"lt window closed by a later event of the group",
       kQuiet,
       {success(0, "a", "bob"), success(4000, "a", "bob"), success(4001, "a", "bob")},
       {"Few logons 1 [bob] 0-0"}},
      {"value_sum over the window",
       kExfil,
       {transfer(0, "a", "600"), transfer(60, "a", "500"), transfer(60, "b", "900"), transfer(70, "b", "x")},
       {"Exfiltration 1100 [a] 0-60"}},
      {"aliases group different fields",
       R"(title: Lateral
correlation:
  type: temporal
  rules: [failed_logon, recon_a]
  group-by: [ip]
  timespan: 5m
  aliases:
    ip:
      failed_logon: src
      recon_a: host
)",
       {failed(0, "10.0.0.5"), cmd(10, "whoami", "10.0.0.5"), cmd(20, "whoami", "10.0.0.6")},
       {"Lateral 2 [10.0.0.5] 0-10"}},
      {"chained correlations",
       R"(title: Brute force then success
correlation:
  type: temporal_ordered
  rules: [many_failed, successful_logon]
  group-by: [user]
  timespan: 10m
---
title: Many failed
name: many_failed
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [user]
  timespan: 10m
  condition: {gte: 2}
)",
       {success(0, "a", "bob"), failed(10, "a", "bob"), failed(20, "a", "bob"), success(30, "a", "bob")},
       {"Brute force then success 2 [bob] 20-30"}},
      {"generate reports the base rule too",
       R"(title: Brute force
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [src]
  timespan: 5m
  condition: {gte: 2}
  generate: true
)",
       {failed(0, "a"), failed(1, "a")},
       {"rule Failed logon", "rule Failed logon", "Brute force 2 [a] 0-1"}},
  };
}

TEST(SigmaCorrelation, Table) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const auto set = loadSet(c.correlation);
    EXPECT_EQ(run(set, c.events), c.expected);
  }
}

TEST(SigmaCorrelation, RangeAndMetrics) {
  const struct {
    const char* type;
    const char* condition;
    std::vector<std::string> expected;
  } cases[] = {
      {"value_avg", "{field: bytes, gte: 500}", {"M 600 [a] 0-20"}},
      {"value_avg", "{field: bytes, gt: 600}", {}},
      {"value_min", "{field: bytes, lt: 300}", {"M 200 [a] 0-20"}},
      {"value_max", "{field: bytes, gte: 1000}", {"M 1000 [a] 0-20"}},
      {"value_max", "{field: bytes, gt: 1000}", {}},
      {"event_count", "{gt: 3, lte: 4}", {"M 4 [a] 0-20"}},  // a range: evaluated at window close
      {"event_count", "{gt: 4, lte: 6}", {}},
      {"event_count", "{eq: 4}", {"M 4 [a] 0-20"}},
      {"event_count", "{neq: 4}", {}},
      {"event_count", "{lte: 3}", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.type) + " " + c.condition);
    const std::string corr = std::string("title: M\ncorrelation:\n  type: ") + c.type +
                             "\n  rules: [transfer]\n  group-by: [src]\n  timespan: 1h\n  condition: " + c.condition +
                             "\n";
    const auto set = loadSet(corr);
    // 200 + 600 + 1000 = 1800, average 600; the non-numeric value is not part of the metrics.
    EXPECT_EQ(run(set, {transfer(0, "a", "200"), transfer(10, "a", "600"), transfer(15, "a", "n/a"),
                        transfer(20, "a", "1000")}),
              c.expected);
  }
}

TEST(SigmaCorrelation, LongSlidingWindow) {
  // 30 events per minute are needed; a steady 20 per minute never fires (the window slides over
  // hundreds of events), a burst does, once.
  const auto set = loadSet(R"(title: Burst
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [src]
  timespan: 1m
  condition: {gt: 29}
)");
  std::vector<Ev> events;
  for (int i = 0; i < 400; ++i) events.push_back(failed(i * 3, "a"));
  EXPECT_EQ(run(set, events), std::vector<std::string>{});
  // 19 steady events in (1140, 1200], then the burst: the 11th burst event (at 1202) makes 30.
  for (int i = 0; i < 35; ++i) events.push_back(failed(1200 + i / 4, "a"));
  EXPECT_EQ(run(set, events), std::vector<std::string>{"Burst 30 [a] 1143-1202"});
}

TEST(SigmaCorrelation, MatchOnThreadsCorrelateOnOne) {
  // vigil hunt's split: matchRules() anywhere, correlate() in time order with the events whose
  // signals feed a correlation; the same firings as evaluate().
  const auto set = loadSet(kFailThenSuccess);
  const std::vector<Ev> events = {failed(0, "a", "bob"), cmd(5, "whoami", "h"), success(60, "a", "bob"),
                                  success(70, "a", "eve")};
  std::vector<std::vector<uint32_t>> signals(events.size());
  std::vector<normalize::Event> built;
  for (const Ev& ev : events) built.push_back(toEvent(ev));
  std::vector<std::string> out;
  auto on = [&](const Detection& d) { out.emplace_back(d.title); };
  for (size_t i = 0; i < built.size(); ++i) set->matchRules(built[i], signals[i], on);
  EXPECT_EQ(out, std::vector<std::string>{"Recon A"});  // failed/successful logons only feed the correlation
  auto state = set->newState();
  size_t fed = 0;
  for (size_t i = 0; i < built.size(); ++i) {
    const bool feeds =
        std::any_of(signals[i].begin(), signals[i].end(), [&](uint32_t s) { return set->feedsCorrelation(s); });
    if (!feeds) continue;
    ++fed;
    set->correlate(*state, built[i], signals[i], on);
  }
  set->finish(*state, on);
  EXPECT_EQ(fed, 3u);
  EXPECT_EQ(out, (std::vector<std::string>{"Recon A", "Fail then success"}));
}

TEST(SigmaCorrelation, ExpiredStateIsFreed) {
  const auto set = loadSet(kSpray);
  Detector d(set);
  for (int i = 0; i < 1000; ++i) d.evaluate(toEvent(failed(i % 60, "10.0." + std::to_string(i), "u")), {});
  EXPECT_EQ(d.stats().liveGroups, 1000u);
  EXPECT_GT(d.stats().stateBytes, 1000u * 64);
  // An event that matches nothing still advances event time past every window.
  d.evaluate(toEvent({3600, {{"noise", "1"}}}), {});
  EXPECT_EQ(d.stats().liveGroups, 0u);
  EXPECT_EQ(d.stats().stateBytes, 0u);
  EXPECT_EQ(d.stats().expiredGroups, 1000u);
  // advanceTo() does the same without an event.
  d.evaluate(toEvent(failed(3600, "x")), {});
  EXPECT_EQ(d.stats().liveGroups, 1u);
  d.advanceTo(int64_t{7200} * 1000000, {});
  EXPECT_EQ(d.stats().liveGroups, 0u);
}

TEST(SigmaCorrelation, GroupCapEvictsTheOldest) {
  DetectionOptions options;
  options.correlation.maxGroupsPerCorrelation = 10;
  const auto set = loadSet(kBruteForce, options);
  Detector d(set);
  size_t fired = 0;
  auto on = [&](const Detection& det) { fired += det.kind == Detection::Kind::kCorrelation; };
  d.evaluate(toEvent(failed(0, "old")), on);
  d.evaluate(toEvent(failed(1, "old")), on);
  for (int i = 0; i < 100; ++i) d.evaluate(toEvent(failed(2, "ip" + std::to_string(i))), on);
  EXPECT_EQ(d.stats().liveGroups, 10u);
  EXPECT_EQ(d.stats().evictedGroups, 91u);
  // "old" was evicted: its third event starts a new window and does not fire.
  d.evaluate(toEvent(failed(3, "old")), on);
  EXPECT_EQ(fired, 0u);
  // The most recent groups are still there.
  d.evaluate(toEvent(failed(4, "ip99")), on);
  d.evaluate(toEvent(failed(5, "ip99")), on);
  EXPECT_EQ(fired, 1u);
}

TEST(SigmaCorrelation, LateEventsAreDroppedAndCounted) {
  const auto set = loadSet(kBruteForce);
  Detector d(set);
  d.evaluate(toEvent(failed(10000, "a")), {});
  d.evaluate(toEvent(failed(0, "a")), {});  // older than the watermark minus the timespan
  EXPECT_EQ(d.stats().lateEvents, 1u);
  // Out of order but within the window: counted.
  d.evaluate(toEvent(failed(9990, "a")), {});
  size_t fired = 0;
  d.evaluate(toEvent(failed(9995, "a")),
             [&](const Detection& det) { fired += det.kind == Detection::Kind::kCorrelation; });
  EXPECT_EQ(fired, 1u);
}

TEST(SigmaCorrelation, OneFileWithCorrelationAndBaseRules) {
  // The specification's example layout: the correlation first, its rules after, one file.
  const std::string file = std::string(kBruteForce) + "---\n" + kBaseRules;
  auto set = DetectionSet::fromTexts({{"mr_brute.yml", file}}, windowsPipeline());
  EXPECT_TRUE(set->refusals().empty()) << set->refusals()[0].where << " " << set->refusals()[0].reason;
  EXPECT_EQ(set->rules().size(), 5u);
  EXPECT_EQ(set->correlationCount(), 1u);
  EXPECT_EQ(run(set, {failed(0, "a"), failed(1, "a"), failed(2, "a")}),
            std::vector<std::string>{"Brute force 3 [a] 0-2"});
}

TEST(SigmaCorrelation, RefusalsNameFileAndLine) {
  const struct {
    std::string text;
    const char* where;
    const char* reason;
  } cases[] = {
      {"title: c\ncorrelation:\n  type: event_counts\n  rules: [failed_logon]\n  timespan: 5m\n", "c.yml:3",
       "unknown correlation type 'event_counts'"},
      {"title: c\ncorrelation:\n  type: value_percentile\n  rules: [failed_logon]\n  timespan: 5m\n", "c.yml:3",
       "'value_percentile' is not supported"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  condition: {gte: 2}\n", "c.yml:2",
       "missing 'timespan'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5 minutes\n"
       "  condition: {gte: 2}\n",
       "c.yml:5", "invalid 'timespan'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 0m\n  condition: {gte: 2}\n",
       "c.yml:5", "invalid 'timespan'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n", "c.yml:2",
       "missing 'condition'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n"
       "  condition: {more: 2}\n",
       "c.yml:6", "unknown condition 'more'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n"
       "  condition: {gte: many}\n",
       "c.yml:6", "'gte' needs a number"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n  condition: {gte: " +
           std::string(400, '9') + "}\n",
       "c.yml:6", "'gte' needs a number"},  // beyond a double
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n  condition: {field: "
       "user}\n",
       "c.yml:6", "has no comparison"},
      {"title: c\ncorrelation:\n  type: value_count\n  rules: [failed_logon]\n  timespan: 5m\n  condition: {gte: 2}\n",
       "c.yml:6", "needs 'field'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n"
       "  condition: {gte: 2, field: user}\n",
       "c.yml:6", "'field' is only for"},
      {"title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [recon_a, recon_b]\n  timespan: 5m\n"
       "  condition: {gte: 1}\n",
       "c.yml:6", "temporal_ordered takes no 'condition'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n  condition: {gte: 2}\n"
       "  group-by: [a, b, c, d, e, f, g, h, i]\n",
       "c.yml:7", "at most 8"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n  condition: {gte: 2}\n"
       "  groupby: [a]\n",
       "c.yml:7", "unknown key 'groupby'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [nosuch_rule]\n  timespan: 5m\n  condition: {gte: 2}\n",
       "c.yml:4", "unknown rule 'nosuch_rule'"},
      {"title: c\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n"
       "  condition: {gte: 1000000}\n",
       "c.yml:6", "count threshold above"},
      {"title: c\ncorrelation:\n  type: temporal\n  rules: [recon_a, recon_b]\n  timespan: 5m\n"
       "  aliases: {ip: {recon_c: host}}\n",
       "c.yml:2", "names rule 'recon_c'"},
      {"title: c\nlevel: severe\ncorrelation:\n  type: temporal\n  rules: [recon_a, recon_b]\n  timespan: 5m\n",
       "c.yml:2", "unknown level 'severe'"},
      // A cycle: x -> y -> x.
      {"title: x\nname: x\ncorrelation:\n  type: event_count\n  rules: [y]\n  timespan: 5m\n  condition: {gte: 2}\n"
       "---\ntitle: y\nname: y\ncorrelation:\n  type: event_count\n  rules: [x]\n  timespan: 5m\n"
       "  condition: {gte: 2}\n",
       "c.yml:5", "correlation cycle"},
      // A chain through a correlation that fires at window close.
      {"title: x\ncorrelation:\n  type: temporal\n  rules: [y, recon_a]\n  timespan: 5m\n"
       "---\ntitle: y\nname: y\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  timespan: 5m\n"
       "  condition: {lt: 2}\n",
       "c.yml:4", "fires at window close"},
      {"action: global\ntitle: c\n", "c.yml:1", "Sigma 1 rule collections"},
      {"title: base\nlogsource: {product: test}\ndetection: {s: {a: 1}, condition: s}\n---\ntitle: [bad\n", "c.yml:6",
       "YAML:"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto set = DetectionSet::fromTexts({{"base.yml", kBaseRules}, {"c.yml", c.text}}, windowsPipeline());
    ASSERT_FALSE(set->refusals().empty());
    const Refusal& r = set->refusals().front();
    EXPECT_EQ(r.where, c.where) << r.reason;
    EXPECT_NE(r.reason.find(c.reason), std::string::npos) << r.reason;
    EXPECT_EQ(r.path, "c.yml");
  }
}

TEST(SigmaCorrelation, ReferenceToARefusedRuleSaysSo) {
  const std::string text = R"(title: c
correlation:
  type: event_count
  rules: [broken]
  timespan: 5m
  condition: {gte: 2}
---
title: Broken
name: broken
logsource: {product: test}
detection:
  sel: {a|nosuch: 1}
  condition: sel
)";
  auto set = DetectionSet::fromTexts({{"c.yml", text}}, windowsPipeline());
  ASSERT_EQ(set->refusals().size(), 2u);
  EXPECT_EQ(set->refusals()[0].where, "c.yml:12");
  EXPECT_NE(set->refusals()[0].reason.find("unknown modifier"), std::string::npos);
  EXPECT_EQ(set->refusals()[1].where, "c.yml:4");
  EXPECT_EQ(set->refusals()[1].reason, "it refers to rule 'broken', which is refused");
  EXPECT_EQ(set->correlationCount(), 0u);
}

TEST(SigmaCorrelation, SigmaHQCorpusLoadsThroughDetectionSet) {
  // The multi-document loader reads every SigmaHQ rule as RuleSet::load does (corpus_test.cpp).
  const std::string dir = testing::corpusDir();
  ASSERT_TRUE(std::filesystem::exists(dir)) << dir;
  const auto set = DetectionSet::load({dir + "/rules", dir + "/rules-emerging-threats", dir + "/rules-threat-hunting"},
                                      windowsPipeline());
  EXPECT_EQ(set->rules().size(), 3754u);
  EXPECT_TRUE(set->refusals().empty()) << set->refusals()[0].where << " " << set->refusals()[0].reason;
  EXPECT_EQ(set->correlationCount(), 0u);
}

TEST(SigmaCorrelation, SeverityForLevel) {
  const std::pair<const char*, const char*> cases[] = {
      {"informational", "low"}, {"low", "low"}, {"medium", "medium"}, {"high", "high"},
      {"critical", "critical"}, {"", "medium"}, {"bogus", "medium"},
  };
  for (const auto& [level, severity] : cases) EXPECT_EQ(severityForLevel(level), severity) << level;
}

}  // namespace
}  // namespace vigil::detect::sigma
