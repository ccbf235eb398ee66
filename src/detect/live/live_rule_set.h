// LiveRuleSet: one immutable, versioned snapshot of the rules `vigil serve` evaluates, with what
// the alert queue needs to know about each rule (where it comes from, which agencies it is on
// for, which fields make its dedup key).
//
// This is the ONE place that calls the Sigma engine on the live stream (evaluate()): when the
// engine's entry point changes (sigma::RuleSet today; a DetectionSet with correlation and filter
// rules later), only build() and evaluate() change.
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
  // host make its alerts' dedup key (alert_mapping.h).
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

class LiveRuleSet {
 public:
  using OnMatch = std::function<void(const sigma::CompiledRule& rule, const RuleMeta& meta)>;

  // Per-agency settings by rule key (Sigma id): agency -> on/off.
  using AgencySettings = std::map<std::string, std::map<int64_t, bool>>;

  // Compiles `inputs` (each refused alone, see RuleInput::fallbackText). A rule's key is its
  // meta.key when set, else its Sigma id, else "f-" + 16 hex digits of SHA-256(origin); a second
  // rule with a key already loaded is refused ("duplicate rule id"). `agencies` adds each rule's
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
  const sigma::CompiledRule& compiled(size_t i) const { return rules_.at(ruleIndex_[i]); }
  // Refused rule texts of this build (with previousKept when a fallback runs instead).
  const std::vector<RuleProblem>& problems() const { return problems_; }

  // The index of the rule with this key, or -1.
  int find(const std::string& key) const;

  // Calls onMatch for every rule the event matches and that is on for the event's agency.
  // Returns the number of such matches.
  size_t evaluate(const normalize::Event& event, const OnMatch& onMatch) const;

  // True when the rule `i` is on for agency `orgId` (header comment).
  bool enabledFor(size_t i, int64_t orgId) const;

 private:
  uint64_t version_ = 0;
  sigma::RuleSet rules_;
  std::vector<RuleMeta> metas_;
  std::vector<size_t> ruleIndex_;  // metas_[i] describes rules_.at(ruleIndex_[i])
  std::unordered_map<std::string, size_t> byOrigin_;
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
