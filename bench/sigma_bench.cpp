// The Sigma engine, naive loop (every rule on every event, no index) and indexed: all SigmaHQ rules of
// ../shared/corpora/sigma over Windows events read from .evtx files the real way (EVTX reader +
// Windows mapping): the SigmaHQ regression data and the EVTX attack samples, replayed.
// Prints the rule and event counts and the matches by rule once, then measures events/s on one
// core, naive (RuleSet::matchNaive) and indexed (RuleSet::match). The full comparison (rule set
// sizes, threads, 10 million events with benign background) is sigma_index_bench.cpp.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "detect/sigma/compiled_rule.h"
#include "evtx/evtx_reader.h"
#include "evtx/windows_mapping.h"

namespace {

using namespace vigil;
using detect::sigma::CompiledRule;
using detect::sigma::Pipeline;
using detect::sigma::RuleSet;

struct Fixture {
  Pipeline pipeline;
  RuleSet rules;
  std::vector<normalize::Event> events;
  size_t windowsRules = 0;
};

Fixture* load() {
  auto* f = new Fixture();
  auto p = Pipeline::load(VIGIL_SIGMA_PIPELINE_DIR);
  if (!p) {
    std::fprintf(stderr, "pipeline: %s\n", p.error().message.c_str());
    std::exit(1);
  }
  f->pipeline = std::move(*p);
  const std::string sigma = std::string(VIGIL_CORPORA_DIR) + "/sigma";
  f->rules = RuleSet::load({sigma + "/rules", sigma + "/rules-emerging-threats", sigma + "/rules-threat-hunting"},
                           f->pipeline);
  for (size_t i = 0; i < f->rules.size(); ++i)
    if (f->rules.at(i).rule().logsource.product == "windows") ++f->windowsRules;

  // The mapping names the fields it sets with its own strings: it must outlive the events kept.
  auto loaded = evtx::WindowsMapping::load(VIGIL_WINDOWS_MAPPING_DIR);
  if (!loaded) {
    std::fprintf(stderr, "mapping: %s\n", loaded.error().message.c_str());
    std::exit(1);
  }
  const auto* mapping = new evtx::WindowsMapping(std::move(*loaded));
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"/sigma/regression_data", "/evtx-attack-samples"})
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(VIGIL_CORPORA_DIR) + dir))
      if (e.is_regular_file() && e.path().extension() == ".evtx") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    (void)evtx::readEvtxFile(file.string(), [&](normalize::Event& e) {
      mapping->apply(e);
      f->events.push_back(e);
      return true;
    });
  }
  // Matches by rule over one pass, printed once (a sanity view of what the rules find).
  std::map<std::string, size_t> byRule;
  size_t total = 0;
  for (const auto& e : f->events) total += f->rules.match(e, [&](const CompiledRule& r) { ++byRule[r.rule().title]; });
  std::vector<std::pair<size_t, std::string>> top;
  for (const auto& [title, n] : byRule) top.emplace_back(n, title);
  std::sort(top.rbegin(), top.rend());
  std::fprintf(stderr, "sigma bench: %zu rules compiled (%zu windows, %zu refused), %zu events from %zu .evtx files\n",
               f->rules.size(), f->windowsRules, f->rules.refusals().size(), f->events.size(), files.size());
  std::fprintf(stderr, "one pass: %zu matches by %zu rules; most frequent:\n", total, byRule.size());
  for (size_t i = 0; i < top.size() && i < 10; ++i)
    std::fprintf(stderr, "  %6zu  %s\n", top[i].first, top[i].second.c_str());
  return f;
}

const Fixture& fixture() {
  static const Fixture* f = load();
  return *f;
}

// Events/s: each iteration is one event against every rule (naive).
void BM_NaiveAllRules(benchmark::State& state) {
  const Fixture& f = fixture();
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    matches += f.rules.matchNaive(f.events[i], nullptr);
    if (++i == f.events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["rules"] = static_cast<double>(f.rules.size());
  state.counters["matches_per_event"] = static_cast<double>(matches) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_NaiveAllRules)->MinTime(3.0);

// The same with the rule index (RuleSet::match); sigma_index_bench.cpp measures it in depth.
void BM_IndexedAllRules(benchmark::State& state) {
  const Fixture& f = fixture();
  size_t i = 0, matches = 0;
  for (auto _ : state) {
    matches += f.rules.match(f.events[i], nullptr);
    if (++i == f.events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["rules"] = static_cast<double>(f.rules.size());
  state.counters["matches_per_event"] = static_cast<double>(matches) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_IndexedAllRules)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
