// DetectionSet: everything loaded from Sigma rule directories (or texts) that evaluates events:
// the detection rules (a RuleSet), the meta filter rules applied to them and the correlation rules
// over them, with every refusal (file:line and reason). Detector: a DetectionSet with the
// correlation state of one event stream.
//
// Loading. Every *.yml/*.yaml file is read whole and split into its YAML documents (rule.h
// parseDocuments); each document is a detection rule, a correlation rule (`correlation:`) or a
// meta filter rule (`filter:`), and is accepted or refused alone. References (a correlation's
// `rules`, a filter's `rules`) are resolved over the whole set, by `id` or `name`. Refused, with
// the document's file:line: an unknown, ambiguous (two rules share the id or name) or refused
// referenced rule; a cycle between correlations; a chain through a correlation that only fires
// at window close (correlation.h); an immediate count threshold above kMaxCountThreshold; a
// filter naming a correlation, or a rule whose logsource the filter's does not cover (every
// product/category/service the filter gives must equal the rule's).
//
// Evaluation. evaluate() runs the RuleSet on the event; a match is dropped when one of the
// filters naming that rule matches the event (rule condition `and not filter`). A rule referred to
// by correlations is not reported alone unless one of them says `generate: true` (the
// specification's default: only the correlation is output); it still feeds the correlations.
// Likewise a correlation referred to by another correlation. The event time of an event is its
// `@timestamp` (a kTime field), else its receive time.
//
// Thread-safety: a DetectionSet is immutable once built (share it as shared_ptr<const>); evaluate()
// may run on any thread. A CorrelationEngine (the `state` argument) belongs to one stream: see
// correlation.h for serve (one per stream) and hunt (per thread when threads split by group, or
// base rules in parallel with state == nullptr and one engine fed in time order).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "detect/sigma/compiled_rule.h"
#include "detect/sigma/correlation.h"
#include "detect/sigma/pipeline.h"
#include "detect/sigma/rule.h"

namespace vigil::detect::sigma {

// A Sigma level as one of vigil's alert severity names, the names store/alert_store.h
// parseSeverity() reads: critical -> "critical", high -> "high", medium -> "medium", low and
// informational -> "low" (vigil's scale has four steps; callers that want to drop informational
// matches test the level themselves). An empty or unknown level reads as "medium". detect does
// not depend on store: the caller maps the name.
std::string_view severityForLevel(std::string_view level);

struct DetectionOptions {
  CompileOptions compile;
  CorrelationOptions correlation;
};

// One thing to report: a detection rule's match (after filters) or a correlation's firing.
struct Detection {
  enum class Kind { kRule, kCorrelation };
  Kind kind = Kind::kRule;
  const CompiledRule* rule = nullptr;         // kRule
  const CorrelationFiring* firing = nullptr;  // kCorrelation (firing->rule is the correlation)
  // Of the rule or the correlation.
  std::string_view title, id, level;
  const std::vector<std::string>* tags = nullptr;
};
using OnDetection = std::function<void(const Detection&)>;

class DetectionSet {
 public:
  // `pipeline` must outlive the set.
  static std::shared_ptr<const DetectionSet> load(const std::vector<std::filesystem::path>& dirs,
                                                  const Pipeline& pipeline, const DetectionOptions& options = {});
  // Files as (origin, YAML text): uploads and tests.
  static std::shared_ptr<const DetectionSet> fromTexts(const std::vector<std::pair<std::string, std::string>>& files,
                                                       const Pipeline& pipeline, const DetectionOptions& options = {});

  const RuleSet& rules() const { return rules_; }
  // Every refusal of the load: documents, rules, correlations and filters.
  const std::vector<Refusal>& refusals() const { return refusals_; }
  size_t correlationCount() const { return specs_.size(); }
  const CorrelationRule& correlation(size_t i) const { return *specs_[i].rule; }
  size_t filterCount() const { return filters_.size(); }

  // A new, empty correlation state for one stream.
  std::unique_ptr<CorrelationEngine> newState() const;

  // Evaluates one event: reports rule matches (after filters), then, when `state` is given, the
  // correlation firings. Returns the number of detections reported. `onDetection` must not call
  // evaluate() again on the same thread.
  size_t evaluate(const normalize::Event& event, CorrelationEngine* state, const OnDetection& onDetection) const;
  // The two halves of evaluate(), for callers that match rules on several threads and correlate on
  // one (vigil hunt over inputs not split by group): matchRules() (thread-safe) reports rule
  // matches after filters and fills `signals` with the rules matched (reported or not);
  // correlate() feeds one engine, in event-time order, with the events whose `signals` are not
  // empty (only those can move a correlation; the others only advance time, see advanceTo()).
  size_t matchRules(const normalize::Event& event, std::vector<uint32_t>& signals,
                    const OnDetection& onDetection) const;
  size_t correlate(CorrelationEngine& state, const normalize::Event& event, const std::vector<uint32_t>& signals,
                   const OnDetection& onDetection) const;
  // True when some correlation reads this signal (an event matching only other rules need not
  // reach correlate()).
  bool feedsCorrelation(uint32_t signal) const { return signal < feeds_.size() && feeds_[signal]; }
  // Advances `state`'s event time (idle stream) / closes everything (end of input); reports firings.
  size_t advanceTo(CorrelationEngine& state, ingest::TimeUs watermarkUs, const OnDetection& onDetection) const;
  size_t finish(CorrelationEngine& state, const OnDetection& onDetection) const;

  static ingest::TimeUs eventTime(const normalize::Event& event);

 private:
  struct PendingCorrelation {
    CorrelationRule rule;
    std::string path;
  };
  struct PendingFilter {
    FilterRule rule;
    std::string path;
  };
  DetectionSet() = default;
  void addFile(const std::string& path, std::string_view text, const Pipeline& pipeline,
               const DetectionOptions& options, std::vector<PendingCorrelation>& correlations,
               std::vector<PendingFilter>& filters);
  void build(std::vector<PendingCorrelation> correlations, std::vector<PendingFilter> filters, const Pipeline& pipeline,
             const DetectionOptions& options);
  void addRule(const SigmaRule& rule, const Pipeline& pipeline, const DetectionOptions& options);
  bool filtered(uint32_t rule, const EventView& view) const;
  void report(const CorrelationFiring& f, const OnDetection& onDetection, size_t& n) const;

  RuleSet rules_;
  std::vector<Refusal> refusals_;
  std::unordered_map<const CompiledRule*, uint32_t> ruleIndex_;  // RuleSet rule -> signal
  std::vector<std::unique_ptr<CorrelationRule>> correlationRules_;
  std::vector<CorrelationSpec> specs_;  // accepted correlations, topological order
  std::vector<CompiledRule> filters_;
  std::vector<std::vector<uint32_t>> filtersOf_;  // per rule: indexes into filters_
  std::vector<uint8_t> silent_;                   // per signal: not reported alone
  std::vector<uint8_t> feeds_;                    // per signal: some correlation reads it
  CorrelationOptions correlationOptions_;
  std::set<std::string> refusedRefs_;  // ids and names of refused rules (load time: better reasons)
};

// A DetectionSet with the correlation state of one stream. Not thread-safe (one per stream).
class Detector {
 public:
  explicit Detector(std::shared_ptr<const DetectionSet> set);
  size_t evaluate(const normalize::Event& event, const OnDetection& onDetection) {
    return set_->evaluate(event, state_.get(), onDetection);
  }
  size_t advanceTo(ingest::TimeUs watermarkUs, const OnDetection& onDetection) {
    return set_->advanceTo(*state_, watermarkUs, onDetection);
  }
  size_t finish(const OnDetection& onDetection) { return set_->finish(*state_, onDetection); }
  CorrelationStats stats() const { return state_->stats(); }
  const DetectionSet& set() const { return *set_; }

 private:
  std::shared_ptr<const DetectionSet> set_;
  std::unique_ptr<CorrelationEngine> state_;
};

}  // namespace vigil::detect::sigma
