// Live detection (src/detect/live/): the detection stage under rule-set swaps, its overflow
// policy, per-agency enablement, hot reload of a rules directory with bad rules, and the
// mapping of a match to an alert draft.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "detect/live/alert_mapping.h"
#include "detect/live/detection_stage.h"
#include "detect/live/rule_manager.h"
#include "support/test_server.h"

namespace vigil::detect::live {
namespace {

namespace fs = std::filesystem;

const sigma::Pipeline& pipeline() {
  static const sigma::Pipeline p = [] {
    auto loaded = sigma::Pipeline::load(VIGIL_SIGMA_PIPELINE_DIR);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded.ok() ? std::move(*loaded) : sigma::Pipeline{};
  }();
  return p;
}

std::string ruleText(const std::string& id, const std::string& value, const std::string& level = "high") {
  return "title: Marker " + value + "\nid: " + id + "\nstatus: test\nlevel: " + level +
         "\ndescription: test rule\ntags:\n  - attack.execution\n  - attack.t1059.001\n"
         "logsource:\n  product: test\ndetection:\n  sel:\n    test.kind: " +
         value + "\n  condition: sel\nfields:\n  - user.name\n";
}

RuleInput input(const std::string& text, const std::string& origin, int64_t owner = 1) {
  RuleInput in;
  in.text = text;
  in.meta.source = "database";
  in.meta.origin = origin;
  in.meta.ownerOrgId = owner;
  return in;
}

std::shared_ptr<const LiveRuleSet> setOf(uint64_t version, std::vector<RuleInput> inputs) {
  return LiveRuleSet::build(version, std::move(inputs), pipeline(), {}, {}, {{1, 0}}, 1);
}

normalize::Event event(const char* kind, int64_t seq, int64_t org = 1) {
  normalize::Event e;
  e.reset("raw line " + std::to_string(seq));
  e.setString("test.kind", kind);
  e.setInt("test.seq", seq, std::to_string(seq));
  e.setString("host.name", "ws-01");
  e.setString("user.name", "alice");
  e.orgId = org;
  e.sourceId = 7;
  e.receivedUs = 1'700'000'000'000'000 + seq;
  return e;
}

// The stream is evaluated while the rule set is swapped as fast as possible: every event must be
// matched exactly once (by exactly one version), none missed, none twice.
TEST(DetectionStage, EachEventIsEvaluatedByExactlyOneRuleSetAcrossSwaps) {
  constexpr int kEvents = 20000;
  constexpr int kBatch = 37;
  std::mutex mu;
  std::vector<int> hits(kEvents, 0);
  std::map<uint64_t, int> byVersion;
  DetectionStage stage({.queueEvents = 512, .threads = 2, .maxWait = std::chrono::seconds(30), .batchMax = 64},
                       [&](const normalize::Event& e, const sigma::CompiledRule&, const RuleMeta&, uint64_t v) {
                         const auto seq = e.get("test.seq");
                         std::lock_guard lk(mu);
                         ++hits[static_cast<size_t>(seq->number)];
                         ++byVersion[v];
                       });
  // Two different compiled sets, each holding one rule that matches every event of the stream
  // (under alternating keys) plus rules that never match.
  std::vector<std::shared_ptr<const LiveRuleSet>> sets;
  for (uint64_t v = 1; v <= 8; ++v)
    sets.push_back(setOf(v, {input(ruleText("aaaaaaaa-0000-0000-0000-00000000000" + std::to_string(v % 2), "stream"),
                                   "db:" + std::to_string(v)),
                             input(ruleText("bbbbbbbb-0000-0000-0000-000000000000", "other"), "db:other")}));
  stage.install(sets[0]);
  std::atomic<bool> done{false};
  std::atomic<int> swaps{0};
  std::thread swapper([&] {
    for (size_t i = 1; !done.load(); ++i) {
      stage.install(sets[i % sets.size()]);
      swaps.fetch_add(1);
      std::this_thread::yield();
    }
  });
  // The producer also swaps every third batch, so swaps happen during the stream however fast the
  // detection threads are; the swapper thread adds swaps at arbitrary moments.
  std::vector<normalize::Event> batch;
  int producerSwaps = 0;
  for (int i = 0; i < kEvents; i += kBatch) {
    batch.clear();
    for (int j = i; j < std::min(kEvents, i + kBatch); ++j) batch.push_back(event(j % 5 == 0 ? "noise" : "stream", j));
    stage.onAccepted(batch);
    if ((i / kBatch) % 3 == 2) stage.install(sets[static_cast<size_t>(++producerSwaps) % sets.size()]);
  }
  stage.flush();
  done = true;
  swapper.join();
  const auto stats = stage.stats();
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.evaluated, static_cast<uint64_t>(kEvents));
  int total = 0;
  for (int i = 0; i < kEvents; ++i) {
    const int want = i % 5 == 0 ? 0 : 1;
    ASSERT_EQ(hits[i], want) << "event " << i;
    total += hits[i];
  }
  EXPECT_EQ(total, kEvents - kEvents / 5);
  EXPECT_EQ(stats.matches, static_cast<uint64_t>(total));
  EXPECT_GT(producerSwaps, 150);
  EXPECT_EQ(stats.swaps, static_cast<uint64_t>(1 + producerSwaps + swaps.load()));
  EXPECT_GT(byVersion.size(), 1u) << "the swaps must have happened during the stream";
}

// A full queue makes the input wait at most maxWait, then the batch is counted as dropped:
// offered = evaluated + dropped, nothing is lost silently.
TEST(DetectionStage, FullQueueDropsAfterTheWaitAndCountsIt) {
  std::mutex gate;
  gate.lock();  // the handler blocks until the test releases it
  std::atomic<int> matched{0};
  Metrics metrics;
  DetectionStage stage(
      {.queueEvents = 8, .threads = 1, .maxWait = std::chrono::milliseconds(20), .batchMax = 4, .metrics = &metrics},
      [&](const normalize::Event&, const sigma::CompiledRule&, const RuleMeta&, uint64_t) {
        std::lock_guard lk(gate);
        matched.fetch_add(1);
      });
  stage.install(setOf(1, {input(ruleText("aaaaaaaa-0000-0000-0000-000000000001", "stream"), "db:1")}));
  std::vector<normalize::Event> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(event("stream", i));
  for (int round = 0; round < 6; ++round) stage.onAccepted(batch);  // 24 events for 8 places + 4 in flight
  auto s = stage.stats();
  EXPECT_GT(s.dropped, 0u);
  EXPECT_EQ(s.dropped % 4, 0u) << "whole batches are dropped";
  gate.unlock();
  stage.flush();
  s = stage.stats();
  EXPECT_EQ(s.offered, 24u);
  EXPECT_EQ(s.evaluated + s.dropped, s.offered);
  EXPECT_EQ(static_cast<uint64_t>(matched.load()), s.evaluated);
  EXPECT_NE(metrics.render().find("vigil_detect_events_total{result=\"dropped\"} " + std::to_string(s.dropped)),
            std::string::npos)
      << metrics.render();
}

TEST(LiveRuleSet, AgencySettingsFollowTheTreeAndTheOwner) {
  // 1 (root) -> 2 -> 3, 1 -> 4. Rule A (root-owned) is off for 2 (and 3), back on for 3's child
  // 5. Rule B is owned by 4: off for agencies outside 4's subtree.
  std::unordered_map<int64_t, int64_t> parents{{1, 0}, {2, 1}, {3, 2}, {4, 1}, {5, 3}};
  std::vector<RuleInput> inputs{input(ruleText("aaaaaaaa-0000-0000-0000-000000000001", "stream"), "db:a", 1),
                                input(ruleText("bbbbbbbb-0000-0000-0000-000000000001", "stream"), "db:b", 4)};
  LiveRuleSet::AgencySettings agencies{{"aaaaaaaa-0000-0000-0000-000000000001", {{2, false}, {5, true}}}};
  auto set = LiveRuleSet::build(3, std::move(inputs), pipeline(), {}, agencies, parents, 1);
  ASSERT_EQ(set->size(), 2u);
  const int a = set->find("aaaaaaaa-0000-0000-0000-000000000001");
  const int b = set->find("bbbbbbbb-0000-0000-0000-000000000001");
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  const struct {
    int64_t org;
    bool a, b;
  } cases[] = {{1, true, false}, {2, false, false}, {3, false, false},
               {4, true, true},  {5, true, false},  {99, true, false}};
  for (const auto& c : cases) {
    EXPECT_EQ(set->enabledFor(a, c.org), c.a) << "rule A, agency " << c.org;
    EXPECT_EQ(set->enabledFor(b, c.org), c.b) << "rule B, agency " << c.org;
    std::set<std::string> fired;
    set->evaluate(event("stream", 1, c.org),
                  [&](const sigma::CompiledRule&, const RuleMeta& m) { fired.insert(m.key); });
    EXPECT_EQ(fired.count("aaaaaaaa-0000-0000-0000-000000000001"), c.a ? 1u : 0u) << c.org;
    EXPECT_EQ(fired.count("bbbbbbbb-0000-0000-0000-000000000001"), c.b ? 1u : 0u) << c.org;
  }
}

TEST(LiveRuleSet, DuplicateIdsAndBadRulesAreReportedWithTheirLine) {
  std::vector<RuleInput> inputs{
      input(ruleText("aaaaaaaa-0000-0000-0000-000000000001", "stream"), "one.yml"),
      input(ruleText("aaaaaaaa-0000-0000-0000-000000000001", "other"), "two.yml"),
      input(
          "title: Bad\nid: x\nlogsource:\n  product: test\ndetection:\n  sel:\n    a|nosuchmod: 1\n  condition: sel\n",
          "bad.yml")};
  auto set = setOf(1, std::move(inputs));
  EXPECT_EQ(set->size(), 1u);
  ASSERT_EQ(set->problems().size(), 2u);
  EXPECT_EQ(set->problems()[0].origin, "two.yml");
  EXPECT_NE(set->problems()[0].reason.find("duplicate rule id"), std::string::npos);
  EXPECT_EQ(set->problems()[1].origin, "bad.yml");
  EXPECT_EQ(set->problems()[1].line, 7) << set->problems()[1].where << ": " << set->problems()[1].reason;
}

TEST(AlertMapping, MatchBecomesADraftWithTagsKeyEvidenceAndQuery) {
  auto set = setOf(1, {input(ruleText("aaaaaaaa-0000-0000-0000-000000000001", "stream", "critical"), "db:1")});
  const normalize::Event e = event("stream", 42, 3);
  int n = 0;
  set->evaluate(e, [&](const sigma::CompiledRule& rule, const RuleMeta& meta) {
    ++n;
    const AlertDraft d = draftForMatch(e, rule, meta);
    EXPECT_EQ(d.detector, DetectorKind::kSigma);
    EXPECT_EQ(d.ruleId, "aaaaaaaa-0000-0000-0000-000000000001");
    EXPECT_EQ(d.ruleTitle, "Marker stream");
    EXPECT_EQ(d.severity, AlertSeverity::kCritical);
    EXPECT_EQ(d.orgId, 3);
    EXPECT_EQ(d.asset, "ws-01");
    EXPECT_EQ(d.dedupKey, "ws-01 | alice");
    EXPECT_EQ(d.tags, (std::vector<std::string>{"attack.execution", "attack.t1059.001"}));
    EXPECT_EQ(d.eventsQuery,
              "vigil.org_id:3 AND vigil.source_id:7 AND @timestamp:1700000000000042 AND host.name:\"ws-01\"");
    EXPECT_NE(d.evidence.find("\"test.seq\":42"), std::string::npos) << d.evidence;
    EXPECT_NE(d.evidence.find("\"message\":\"raw line 42\""), std::string::npos) << d.evidence;
    EXPECT_TRUE(alerts::validateDraft(d).ok());
  });
  EXPECT_EQ(n, 1);
  for (auto [level, sev] : {std::pair{"informational", AlertSeverity::kLow},
                            {"low", AlertSeverity::kLow},
                            {"medium", AlertSeverity::kMedium},
                            {"high", AlertSeverity::kHigh},
                            {"critical", AlertSeverity::kCritical},
                            {"", AlertSeverity::kMedium}})
    EXPECT_EQ(severityOfLevel(level), sev) << level;
}

void writeFile(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  const fs::path tmp = p.string() + ".tmp";
  std::ofstream(tmp) << text;
  fs::rename(tmp, p);
}

// A rules directory: a good rule loads; a broken edit of it is refused with its line while the
// previous version keeps running; a new bad file is refused alone; the watcher picks up changes.
TEST(RuleManager, HotReloadKeepsThePreviousVersionOfABrokenFile) {
  test::TempDir dir;
  const fs::path rules = dir.path() / "rules";
  writeFile(rules / "win" / "a.yml", ruleText("aaaaaaaa-0000-0000-0000-000000000001", "stream"));
  ManualClock clock(1'700'000'000'000);
  std::atomic<int> matches{0};
  DetectionStage stage({}, [&](const normalize::Event&, const sigma::CompiledRule&, const RuleMeta&, uint64_t) {
    matches.fetch_add(1);
  });
  RuleManager mgr(pipeline(), {}, {.dirs = {rules}, .pollInterval = std::chrono::milliseconds(50)}, stage, clock, {});
  ASSERT_TRUE(mgr.reloadNow("start").ok());
  auto st = mgr.status();
  EXPECT_EQ(st.rules, 1u);
  EXPECT_TRUE(st.problems.empty());
  EXPECT_EQ(mgr.current()->meta(0).origin, "rules/win/a.yml");

  // A broken edit: line 3 (level) is fine, the detection refers to an unknown modifier on line 13.
  std::string broken = ruleText("aaaaaaaa-0000-0000-0000-000000000001", "stream");
  broken.replace(broken.find("test.kind:"), 10, "test.kind|bogus:");
  writeFile(rules / "win" / "a.yml", broken);
  writeFile(rules / "b.yaml", "title: [unclosed\n");
  ASSERT_TRUE(mgr.reloadNow("test").ok());
  st = mgr.status();
  EXPECT_EQ(st.version, 2u);
  EXPECT_EQ(st.rules, 1u) << "the previous version of a.yml keeps running";
  ASSERT_EQ(st.problems.size(), 2u);
  std::map<std::string, RuleProblem> byOrigin;
  for (const auto& p : st.problems) byOrigin[p.origin] = p;
  ASSERT_TRUE(byOrigin.count("rules/win/a.yml"));
  EXPECT_TRUE(byOrigin["rules/win/a.yml"].previousKept);
  EXPECT_EQ(byOrigin["rules/win/a.yml"].line, 13) << byOrigin["rules/win/a.yml"].reason;
  ASSERT_TRUE(byOrigin.count("rules/b.yaml"));
  EXPECT_FALSE(byOrigin["rules/b.yaml"].previousKept);
  EXPECT_GT(byOrigin["rules/b.yaml"].line, 0);
  std::vector<normalize::Event> one{event("stream", 1)};
  stage.onAccepted(one);
  stage.flush();
  EXPECT_EQ(matches.load(), 1);

  // The watcher: fix the files, the set changes by itself (poll + debounce).
  mgr.start();
  writeFile(rules / "win" / "a.yml", ruleText("aaaaaaaa-0000-0000-0000-000000000001", "changed"));
  fs::remove(rules / "b.yaml");
  for (int i = 0; i < 200 && mgr.status().version < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  st = mgr.status();
  EXPECT_EQ(st.version, 3u);
  EXPECT_TRUE(st.problems.empty());
  EXPECT_EQ(st.lastReason, "directory change");
  stage.onAccepted(one);  // "stream" no longer matches; "changed" does
  std::vector<normalize::Event> two{event("changed", 2)};
  stage.onAccepted(two);
  stage.flush();
  EXPECT_EQ(matches.load(), 2);
  mgr.stop();
}

}  // namespace
}  // namespace vigil::detect::live
