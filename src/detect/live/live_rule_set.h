// LiveRuleSet: one immutable, versioned snapshot of the rules `vigil serve` evaluates, with what
// the alert queue needs to know about each rule (where it comes from, which agencies it is on
// for, which fields make its dedup key).
//
// This is the ONE place that calls the Sigma engine on the live stream (evaluate()), through a
// sigma::DetectionSet (detection.h): detection rules, meta filter rules (a filtered match is not
// reported) and correlation rules (event_count, value_count, temporal, ... on event time).
//
// Correlation state (CorrelationState) belongs to one detection thread AND one set: a thread
// makes a new state when the set it holds changes, so a reload starts every correlation window
// afresh (a partial window of the old set is lost; at worst a firing that needed events on both
// sides of the reload is missed). Inside a state, each agency has its own engine: the agency is
// implicitly part of every correlation group, so events of two agencies never count together in
// one window (tenant isolation), whatever the rule's group-by says. A base rule that is off for an
// agency does not feed that agency's correlations; a correlation fires for an agency only when it
// is on for that agency (same rules as a detection rule, key = the correlation's id).
//
// Agency enablement: a rule applies to the events of its owner agency's subtree (the province
// root for directory rules). For an event of agency A, the rule is on when the nearest of A, A's
// parent, ... up to the owner that has an explicit per-agency setting says so; without one, the
// rule's own `enabled` flag decides. The agency tree is captured at build time; an agency created
// later is treated as the owner (its ancestors' settings are not seen until the next reload).
//
// Thread-safety: immutable after build(); evaluate() may run on many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "detect/sigma/compiled_rule.h"
#include "detect/sigma/detection.h"
#include "detect/sigma/pipeline.h"
#include "normalize/event.h"

namespace vigil::detect::live {

// Where a rule comes from and whom it applies to.
struct RuleMeta {
  std::string key;     // API identifier: the Sigma `id`, or "f-<16 hex>" for a directory rule without one
  std::string source;  // "directory" or "database"
  std::string origin;  // "<dir name>/<relative path>" or "db:<row id>"
  int64_t dbId = 0;    // database rules
  int64_t version = 0;
  int64_t ownerOrgId = 0;            // the agency whose subtree the rule applies to
  bool enabled = true;               // the default for agencies without their own setting
  std::map<int64_t, bool> agencies;  // explicit per-agency settings
  // Filled by build(): the event fields of the rule's `fields:` list (at most 3), which with the
  // host make its alerts' dedup key (alert_mapping.h). For a correlation: the event fields of its
  // group-by, in order (as the first rule it names maps them), for its alerts' events_query.
  std::vector<sigma::FieldCandidates> dedupFields;
};

// One rule text to compile. `fallbackText` (optional) is the last version of the same file that
// compiled: when `text` is refused, the fallback runs instead and the refusal says so.
struct RuleInput {
  std::string text;
  std::string fallbackText;
  RuleMeta meta;
};

// A rule that was refused, with where and why (file:line, reason).
struct RuleProblem {
  std::string origin;  // file or "db:<id>"
  std::string where;   // "origin:line"
  int line = 0;
  std::string reason;
  bool previousKept = false;  // an earlier good version of this file is still running
};

class LiveRuleSet;

// The correlation state of one detection thread for one LiveRuleSet (header comment): one
// sigma::CorrelationEngine per agency, made at the agency's first event that feeds a correlation.
// Memory: CorrelationOptions bounds (groups per correlation) apply per agency. Not thread-safe.
class CorrelationState {
 public:
  explicit CorrelationState(std::shared_ptr<const sigma::DetectionSet> set) : set_(std::move(set)) {}
  size_t agencies() const { return engines_.size(); }
  sigma::CorrelationStats stats() const;

 private:
  friend class LiveRuleSet;
  std::shared_ptr<const sigma::DetectionSet> set_;  // the engines point into it
  std::unordered_map<int64_t, std::unique_ptr<sigma::CorrelationEngine>> engines_;
};

class LiveRuleSet {
 public:
  using OnMatch = std::function<void(const sigma::CompiledRule& rule, const RuleMeta& meta)>;
  // A correlation fired for agency `orgId`. `event` is the event that made it fire, or nullptr
  // when the window was closed by time (advanceTo()).
  using OnCorrelation = std::function<void(const sigma::CorrelationFiring& firing, const RuleMeta& meta, int64_t orgId,
                                           const normalize::Event* event)>;

  // Per-agency settings by rule key (Sigma id): agency -> on/off.
  using AgencySettings = std::map<std::string, std::map<int64_t, bool>>;

  // Compiles `inputs` together (sigma::DetectionSet::fromTexts: correlations and filters may name
  // rules of other files). Every document of a file is accepted or refused alone; when a file has
  // a refused document and a fallbackText, the whole file runs its fallback instead (one more
  // compilation) and its refusals say previousKept. The first detection rule of a file takes
  // meta.key when set; otherwise a rule's key is its Sigma id, else "f-" + 16 hex digits of
  // SHA-256(origin) (origin + "#<n>" for the n-th rule of a file, n > 0). A correlation's key is its
  // id, else its name, else "f-" + hex of SHA-256(origin + "#c<n>"). A second rule or correlation
  // with a key already loaded is refused ("duplicate rule id"). `agencies` adds each rule's
  // per-agency settings by key. `parents` maps agency -> parent agency (root: 0). `pipeline`
  // must outlive the set.
  static std::shared_ptr<const LiveRuleSet> build(uint64_t version, std::vector<RuleInput> inputs,
                                                  const sigma::Pipeline& pipeline, const sigma::CompileOptions& options,
                                                  const AgencySettings& agencies,
                                                  std::unordered_map<int64_t, int64_t> parents, int64_t rootOrgId);
  // An empty set (no rules), version 0.
  static std::shared_ptr<const LiveRuleSet> empty();

  uint64_t version() const { return version_; }
  // The rules in use (compiled, not refused, not duplicates): i in [0, size()).
  size_t size() const { return metas_.size(); }
  const RuleMeta& meta(size_t i) const { return metas_[i]; }
  const sigma::CompiledRule& compiled(size_t i) const { return set_->rules().at(ruleIndex_[i]); }
  // Refused rule texts of this build (with previousKept when a fallback runs instead).
  const std::vector<RuleProblem>& problems() const { return problems_; }

  // The index of the rule with this key, or -1.
  int find(const std::string& key) const;

  // The correlation rules in use: j in [0, correlationCount()).
  size_t correlationCount() const { return correlationMetas_.size(); }
  const RuleMeta& correlationMeta(size_t j) const { return correlationMetas_[j]; }
  const sigma::CorrelationRule& correlation(size_t j) const { return set_->correlation(correlationIndex_[j]); }
  // The number of meta filter rules loaded.
  size_t filterCount() const { return set_->filterCount(); }

  // Calls onMatch for every rule the event matches (after filters) and that is on for the event's
  // agency; a rule that only feeds correlations is not reported alone (sigma `generate`). With a
  // `state` (made by newState() from THIS set), feeds the event's agency's correlations and calls
  // onCorrelation for each firing that is on for that agency. Returns matches + firings reported.
  size_t evaluate(const normalize::Event& event, const OnMatch& onMatch) const {
    return evaluate(event, nullptr, onMatch, {});
  }
  size_t evaluate(const normalize::Event& event, CorrelationState* state, const OnMatch& onMatch,
                  const OnCorrelation& onCorrelation) const;
  // A new, empty correlation state for one thread, or nullptr when the set has no correlation.
  std::unique_ptr<CorrelationState> newState() const;
  // An idle stream: moves every agency's event time forward by `idleUs`, never past `wallNowUs`
  // (never backward), so windows that ended close and at-close correlations fire. Returns the
  // firings reported.
  size_t advanceTo(CorrelationState& state, int64_t idleUs, int64_t wallNowUs,
                   const OnCorrelation& onCorrelation) const;

  // True when the rule `i` is on for agency `orgId` (header comment).
  bool enabledFor(size_t i, int64_t orgId) const { return enabledFor(metas_[i], orgId); }

 private:
  bool enabledFor(const RuleMeta& m, int64_t orgId) const;
  void reportFiring(const sigma::Detection& d, int64_t orgId, const normalize::Event* event,
                    const OnCorrelation& onCorrelation, size_t& n) const;

  uint64_t version_ = 0;
  std::shared_ptr<const sigma::DetectionSet> set_;
  std::vector<RuleMeta> metas_;
  std::vector<size_t> ruleIndex_;  // metas_[i] describes set_->rules().at(ruleIndex_[i])
  std::unordered_map<const sigma::CompiledRule*, size_t> metaOfRule_;
  std::vector<int> metaOfSignal_;  // per RuleSet rule (= signal): index in metas_, -1 when not used
  std::vector<RuleMeta> correlationMetas_;
  std::vector<size_t> correlationIndex_;  // correlationMetas_[j] describes set_->correlation(...[j])
  std::unordered_map<const sigma::CorrelationRule*, size_t> metaOfCorrelation_;
  std::unordered_map<std::string, size_t> byKey_;
  std::unordered_map<int64_t, int64_t> parents_;
  int64_t root_ = 0;
  std::vector<RuleProblem> problems_;
};

// Parses and compiles one rule text as a reload would (API uploads are checked with it before
// they are stored). The error is Error::validation("<origin>:<line>", reason).
Result<sigma::SigmaRule> checkRule(std::string_view text, const std::string& origin, const sigma::Pipeline& pipeline,
                                   const sigma::CompileOptions& options);

// The line of a refusal's "origin:line" location (0 when it has none).
int lineOf(const std::string& where);

}  // namespace vigil::detect::live
