// Live detection with sigma::DetectionSet (src/detect/live/): correlation rules on the live stream
// (one firing when the threshold is crossed within the timespan, none below it), meta filter
// rules, agencies kept apart in correlation groups, a reload starting correlations afresh, and a
// firing mapped to an alert draft.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "detect/live/alert_mapping.h"
#include "detect/live/detection_stage.h"

namespace vigil::detect::live {
namespace {

const sigma::Pipeline& pipeline() {
  static const sigma::Pipeline p = [] {
    auto loaded = sigma::Pipeline::load(VIGIL_SIGMA_PIPELINE_DIR);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded.ok() ? std::move(*loaded) : sigma::Pipeline{};
  }();
  return p;
}

const char* kBase = R"(title: Failed logon
id: 11111111-0000-4000-8000-000000000001
name: failed_logon
level: low
logsource: {product: test}
detection:
  sel: {test.kind: failed}
  condition: sel
---
title: Process start
id: 11111111-0000-4000-8000-000000000002
level: medium
logsource: {product: test}
detection:
  sel: {test.kind: proc}
  condition: sel
)";

const char* kBrute = R"(title: Brute force on a host
id: 22222222-0000-4000-8000-000000000001
level: high
tags: [attack.credential_access, attack.t1110]
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [host.name]
  timespan: 5m
  condition: {gte: 3}
)";

const char* kFilter = R"(title: Build server starts processes
logsource: {product: test}
filter:
  rules: [11111111-0000-4000-8000-000000000002]
  sel:
    host.name: build-01
  condition: sel
)";

constexpr int64_t kBaseSec = 1'700'000'000;

RuleInput input(const std::string& text, const std::string& origin) {
  RuleInput in;
  in.text = text;
  in.meta.source = "directory";
  in.meta.origin = origin;
  in.meta.ownerOrgId = 1;
  return in;
}

// Agency 1 is the root, 2 and 3 its children.
std::shared_ptr<const LiveRuleSet> setOf(uint64_t version) {
  auto set = LiveRuleSet::build(
      version, {input(kBase, "rules/base.yml"), input(kBrute, "rules/brute.yml"), input(kFilter, "rules/filter.yml")},
      pipeline(), {}, {}, {{1, 0}, {2, 1}, {3, 1}}, 1);
  for (const RuleProblem& p : set->problems()) ADD_FAILURE() << p.where << ": " << p.reason;
  return set;
}

normalize::Event event(const char* kind, int64_t sec, int64_t org = 1, const char* host = "ws-01") {
  normalize::Event e;
  e.reset(std::string("raw ") + kind + " " + std::to_string(sec));
  e.setString("test.kind", kind);
  e.setString("host.name", host);
  e.setTime("@timestamp", (kBaseSec + sec) * 1'000'000);
  e.orgId = org;
  e.sourceId = 7;
  e.receivedUs = (kBaseSec + sec) * 1'000'000;
  return e;
}

struct Seen {
  std::vector<std::string> matches;  // rule keys
  std::vector<std::string> firings;  // "org key [group] first-last value" (seconds from kBaseSec)
};

// Evaluates the events in order with one correlation state; returns what was reported.
Seen run(const LiveRuleSet& set, CorrelationState* state, const std::vector<normalize::Event>& events) {
  Seen seen;
  for (const normalize::Event& e : events)
    set.evaluate(
        e, state, [&](const sigma::CompiledRule&, const RuleMeta& meta) { seen.matches.push_back(meta.key); },
        [&](const sigma::CorrelationFiring& f, const RuleMeta& meta, int64_t org, const normalize::Event* ev) {
          EXPECT_EQ(ev, &e);  // immediate: fired on the event being evaluated
          std::string line = std::to_string(org) + " " + meta.key + " [";
          for (const std::string& g : f.groupValues) line += g;
          line += "] " + std::to_string(f.firstUs / 1'000'000 - kBaseSec) + "-" +
                  std::to_string(f.lastUs / 1'000'000 - kBaseSec) + " " + std::to_string(static_cast<int>(f.value));
          seen.firings.push_back(line);
        });
  return seen;
}

TEST(LiveCorrelation, SetKnowsItsCorrelationsAndFilters) {
  auto set = setOf(1);
  ASSERT_EQ(set->correlationCount(), 1u);
  EXPECT_EQ(set->correlationMeta(0).key, "22222222-0000-4000-8000-000000000001");
  EXPECT_EQ(set->correlationMeta(0).origin, "rules/brute.yml");
  EXPECT_EQ(set->correlation(0).title, "Brute force on a host");
  EXPECT_EQ(set->filterCount(), 1u);
  EXPECT_EQ(set->size(), 2u);  // the two detection rules
  EXPECT_NE(set->newState(), nullptr);
}

// Data-driven: a timeline of failed logons on one host (seconds) and the firings expected.
TEST(LiveCorrelation, EventCountFiresOnceWhenTheThresholdIsCrossedWithinTheTimespan) {
  struct Case {
    const char* name;
    std::vector<int64_t> failures;
    std::vector<std::string> expected;
  };
  const std::string key = "22222222-0000-4000-8000-000000000001";
  const std::vector<Case> cases = {
      {"below the threshold", {0, 60}, {}},
      {"three but spread over more than 5 minutes", {0, 200, 400}, {}},
      {"crossed within the timespan", {0, 60, 400, 420, 450}, {"1 " + key + " [ws-01] 400-450 3"}},
      {"fires once, then needs a new run", {0, 10, 20, 30, 40}, {"1 " + key + " [ws-01] 0-20 3"}},
      {"a second run fires again",
       {0, 10, 20, 30, 40, 50},
       {"1 " + key + " [ws-01] 0-20 3", "1 " + key + " [ws-01] 30-50 3"}},
  };
  auto set = setOf(1);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto state = set->newState();
    std::vector<normalize::Event> events;
    for (int64_t s : c.failures) events.push_back(event("failed", s));
    const Seen seen = run(*set, state.get(), events);
    EXPECT_EQ(seen.firings, c.expected);
    // The base rule only feeds the correlation (no `generate: true`): not reported alone.
    EXPECT_TRUE(seen.matches.empty());
  }
}

TEST(LiveCorrelation, FilterRuleSuppressesALiveMatch) {
  auto set = setOf(1);
  const Seen seen = run(*set, nullptr, {event("proc", 0, 1, "build-01"), event("proc", 1, 1, "ws-01")});
  EXPECT_EQ(seen.matches, std::vector<std::string>{"11111111-0000-4000-8000-000000000002"});
}

TEST(LiveCorrelation, TwoAgenciesNeverMeetInOneGroup) {
  auto set = setOf(1);
  auto state = set->newState();
  // Same host name in agencies 2 and 3, interleaved: two failures each, no firing.
  Seen seen = run(*set, state.get(),
                  {event("failed", 0, 2), event("failed", 1, 3), event("failed", 2, 2), event("failed", 3, 3)});
  EXPECT_TRUE(seen.firings.empty());
  EXPECT_EQ(state->agencies(), 2u);
  // The third failure of agency 3 fires for agency 3 only.
  seen = run(*set, state.get(), {event("failed", 4, 3)});
  EXPECT_EQ(seen.firings, std::vector<std::string>{"3 22222222-0000-4000-8000-000000000001 [ws-01] 1-4 3"});
}

TEST(LiveCorrelation, CorrelationOffForAnAgencyDoesNotFireThere) {
  RuleInput brute = input(kBrute, "rules/brute.yml");
  auto set = LiveRuleSet::build(1, {input(kBase, "rules/base.yml"), std::move(brute)}, pipeline(), {},
                                {{"22222222-0000-4000-8000-000000000001", {{2, false}}}}, {{1, 0}, {2, 1}, {3, 1}}, 1);
  auto state = set->newState();
  std::vector<normalize::Event> events;
  for (int64_t s : {0, 1, 2}) events.push_back(event("failed", s, 2));
  for (int64_t s : {0, 1, 2}) events.push_back(event("failed", s, 3));
  const Seen seen = run(*set, state.get(), events);
  EXPECT_EQ(seen.firings, std::vector<std::string>{"3 22222222-0000-4000-8000-000000000001 [ws-01] 0-2 3"});
}

TEST(LiveCorrelation, BaseRuleOffForAnAgencyDoesNotFeedItsCorrelations) {
  auto set = LiveRuleSet::build(1, {input(kBase, "rules/base.yml"), input(kBrute, "rules/brute.yml")}, pipeline(), {},
                                {{"11111111-0000-4000-8000-000000000001", {{2, false}}}}, {{1, 0}, {2, 1}, {3, 1}}, 1);
  auto state = set->newState();
  std::vector<normalize::Event> events;
  for (int64_t s : {0, 1, 2}) events.push_back(event("failed", s, 2));
  for (int64_t s : {0, 1, 2}) events.push_back(event("failed", s, 3));
  const Seen seen = run(*set, state.get(), events);
  EXPECT_EQ(seen.firings, std::vector<std::string>{"3 22222222-0000-4000-8000-000000000001 [ws-01] 0-2 3"});
}

// A file of several documents whose new version has a refused correlation runs its previous
// version whole; the refusal names the line (its `rules:`) and says the previous version runs.
TEST(LiveCorrelation, RefusedDocumentFallsBackToThePreviousVersionOfItsFile) {
  const std::string broken = std::string(kBrute) + "---\n" + R"(title: Broken
id: 22222222-0000-4000-8000-000000000002
correlation:
  type: event_count
  rules: [no_such_rule]
  timespan: 5m
  condition: {gte: 2}
)";
  RuleInput brute = input(broken, "rules/brute.yml");
  brute.fallbackText = kBrute;
  auto set = LiveRuleSet::build(3, {input(kBase, "rules/base.yml"), std::move(brute)}, pipeline(), {}, {}, {{1, 0}}, 1);
  ASSERT_EQ(set->problems().size(), 1u);
  const RuleProblem& p = set->problems()[0];
  EXPECT_EQ(p.origin, "rules/brute.yml");
  EXPECT_EQ(p.line, 16) << p.where << ": " << p.reason;
  EXPECT_NE(p.reason.find("no_such_rule"), std::string::npos) << p.reason;
  EXPECT_TRUE(p.previousKept);
  ASSERT_EQ(set->correlationCount(), 1u);
  EXPECT_EQ(set->correlationMeta(0).key, "22222222-0000-4000-8000-000000000001");
  // Without a fallback the good document of the file runs alone.
  auto alone = LiveRuleSet::build(4, {input(kBase, "rules/base.yml"), input(broken, "rules/brute.yml")}, pipeline(), {},
                                  {}, {{1, 0}}, 1);
  ASSERT_EQ(alone->problems().size(), 1u);
  EXPECT_FALSE(alone->problems()[0].previousKept);
  EXPECT_EQ(alone->correlationCount(), 1u);
}

// Through the detection stage: the firing reaches the handler once and maps to an alert draft; a
// reload (a new set) starts correlations afresh.
TEST(LiveCorrelation, StageRaisesOneDraftPerFiringAndAReloadStartsAfresh) {
  std::mutex mu;
  std::vector<AlertDraft> drafts;
  std::vector<uint64_t> versions;
  DetectionStage stage({.threads = 1}, nullptr,
                       [&](const sigma::CorrelationFiring& f, const RuleMeta& meta, int64_t org,
                           const normalize::Event* e, uint64_t version) {
                         std::lock_guard lk(mu);
                         drafts.push_back(draftForCorrelation(f, meta, org, e));
                         versions.push_back(version);
                       });
  stage.install(setOf(1));
  std::vector<normalize::Event> batch = {event("failed", 0), event("failed", 10)};
  stage.onAccepted(batch);
  stage.flush();
  // A reload: the third failure counts in a fresh window of the new set, so no firing.
  stage.install(setOf(2));
  batch = {event("failed", 20)};
  stage.onAccepted(batch);
  stage.flush();
  {
    std::lock_guard lk(mu);
    EXPECT_TRUE(drafts.empty());
  }
  batch = {event("failed", 30), event("failed", 40), event("failed", 41)};
  stage.onAccepted(batch);
  stage.flush();
  stage.stop();
  EXPECT_EQ(stage.stats().firings, 1u);
  std::lock_guard lk(mu);
  ASSERT_EQ(drafts.size(), 1u);
  EXPECT_EQ(versions[0], 2u);
  const AlertDraft& d = drafts[0];
  EXPECT_EQ(d.orgId, 1);
  EXPECT_EQ(d.detector, DetectorKind::kSigma);
  EXPECT_EQ(d.ruleId, "22222222-0000-4000-8000-000000000001");
  EXPECT_EQ(d.ruleTitle, "Brute force on a host");
  EXPECT_EQ(d.severity, AlertSeverity::kHigh);
  EXPECT_EQ(d.tags, (std::vector<std::string>{"attack.credential_access", "attack.t1110"}));
  EXPECT_EQ(d.dedupKey, "22222222-0000-4000-8000-000000000001 | ws-01");
  EXPECT_EQ(d.asset, "ws-01");
  const std::string first = std::to_string((kBaseSec + 20) * 1'000'000);
  const std::string last = std::to_string((kBaseSec + 40) * 1'000'000);
  EXPECT_EQ(d.eventsQuery, "vigil.org_id:1 AND @timestamp:[" + first + " TO " + last + "] AND host.name:\"ws-01\"");
  EXPECT_NE(d.description.find("event_count: value 3 over 3 event(s)"), std::string::npos) << d.description;
  EXPECT_NE(d.evidence.find(R"("group":{"host.name":"ws-01"})"), std::string::npos) << d.evidence;
  EXPECT_NE(d.evidence.find(R"("last_event":{)"), std::string::npos) << d.evidence;
  EXPECT_NE(d.evidence.find("raw failed 40"), std::string::npos) << d.evidence;
}

// An at-close correlation (a `lt` bound) on a stream that goes quiet: the idle detection thread
// moves event time forward with the wall clock, the window closes and the correlation fires
// without a next event (the firing has no event: the evidence has no last_event).
TEST(LiveCorrelation, QuietStreamClosesWindowsWithTheWallClock) {
  const char* quiet = R"(title: Single failure then silence
id: 33333333-0000-4000-8000-000000000001
level: low
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [host.name]
  timespan: 1s
  condition: {lt: 2}
)";
  auto set = LiveRuleSet::build(1, {input(kBase, "rules/base.yml"), input(quiet, "rules/quiet.yml")}, pipeline(), {},
                                {}, {{1, 0}}, 1);
  ASSERT_TRUE(set->problems().empty()) << set->problems()[0].where << ": " << set->problems()[0].reason;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<AlertDraft> drafts;
  bool hadEvent = true;
  DetectionStage stage(
      {.threads = 1, .idleTick = std::chrono::milliseconds(20)}, nullptr,
      [&](const sigma::CorrelationFiring& f, const RuleMeta& meta, int64_t org, const normalize::Event* e, uint64_t) {
        std::lock_guard lk(mu);
        hadEvent = e != nullptr;
        drafts.push_back(draftForCorrelation(f, meta, org, e));
        cv.notify_all();
      });
  stage.install(set);
  normalize::Event e = event("failed", 0);
  const int64_t nowUs =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  e.setTime("@timestamp", nowUs);
  std::vector<normalize::Event> batch{e};
  stage.onAccepted(batch);
  std::unique_lock lk(mu);
  // A bound for a loaded machine, not a timing measurement: the window ends 1 s after the event.
  ASSERT_TRUE(cv.wait_for(lk, std::chrono::seconds(20), [&] { return !drafts.empty(); }));
  EXPECT_FALSE(hadEvent);
  ASSERT_EQ(drafts.size(), 1u);
  EXPECT_EQ(drafts[0].ruleId, "33333333-0000-4000-8000-000000000001");
  EXPECT_EQ(drafts[0].severity, AlertSeverity::kLow);
  EXPECT_EQ(drafts[0].evidence.find("last_event"), std::string::npos) << drafts[0].evidence;
  EXPECT_NE(drafts[0].description.find("value 1 over 1 event(s)"), std::string::npos) << drafts[0].description;
  lk.unlock();
  stage.stop();
}

}  // namespace
}  // namespace vigil::detect::live
