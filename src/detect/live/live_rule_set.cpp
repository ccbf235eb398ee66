#include "detect/live/live_rule_set.h"

#include <charconv>

#include "core/crypto.h"

namespace vigil::detect::live {

namespace {

constexpr size_t kMaxDedupFields = 3;
constexpr int kMaxTreeDepth = 64;

}  // namespace

int lineOf(const std::string& where) {
  const auto colon = where.rfind(':');
  if (colon == std::string::npos) return 0;
  int line = 0;
  const char* b = where.data() + colon + 1;
  const char* e = where.data() + where.size();
  auto [p, ec] = std::from_chars(b, e, line);
  return (ec == std::errc() && p == e) ? line : 0;
}

Result<sigma::SigmaRule> checkRule(std::string_view text, const std::string& origin, const sigma::Pipeline& pipeline,
                                   const sigma::CompileOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(sigma::SigmaRule rule, sigma::parseRule(text, origin));
  VIGIL_TRY(sigma::CompiledRule::compile(rule, pipeline, options));
  return rule;
}

std::shared_ptr<const LiveRuleSet> LiveRuleSet::build(uint64_t version, std::vector<RuleInput> inputs,
                                                      const sigma::Pipeline& pipeline,
                                                      const sigma::CompileOptions& options,
                                                      const AgencySettings& agencies,
                                                      std::unordered_map<int64_t, int64_t> parents, int64_t rootOrgId) {
  auto set = std::make_shared<LiveRuleSet>();
  set->version_ = version;
  set->parents_ = std::move(parents);
  set->root_ = rootOrgId;
  for (RuleInput& in : inputs) {
    const size_t before = set->rules_.size();
    const std::string& origin = in.meta.origin;
    bool ok = set->rules_.add(in.text, origin, pipeline, options);
    if (!ok) {
      const sigma::Refusal& r = set->rules_.refusals().back();
      RuleProblem p{.origin = origin, .where = r.where, .line = lineOf(r.where), .reason = r.reason};
      if (!in.fallbackText.empty() && in.fallbackText != in.text &&
          set->rules_.add(in.fallbackText, origin, pipeline, options)) {
        p.previousKept = true;
        ok = true;
      }
      set->problems_.push_back(std::move(p));
    }
    if (!ok || set->rules_.size() == before) continue;
    const sigma::CompiledRule& compiled = set->rules_.at(set->rules_.size() - 1);
    if (in.meta.key.empty())
      in.meta.key = !compiled.rule().id.empty() ? compiled.rule().id : "f-" + crypto::sha256Hex(origin).substr(0, 16);
    if (auto dup = set->byKey_.find(in.meta.key); dup != set->byKey_.end()) {
      // The compiled rule stays in the engine but never reaches onMatch (no entry in byOrigin_).
      set->problems_.push_back({.origin = origin,
                                .where = origin,
                                .reason = "duplicate rule id '" + in.meta.key + "': already loaded from " +
                                          set->metas_[dup->second].origin + "; this rule is not used"});
      continue;
    }
    if (auto a = agencies.find(in.meta.key); a != agencies.end())
      for (const auto& [org, on] : a->second) in.meta.agencies[org] = on;
    in.meta.dedupFields.clear();
    for (const std::string& f : compiled.rule().fields) {
      if (in.meta.dedupFields.size() == kMaxDedupFields) break;
      in.meta.dedupFields.push_back(pipeline.resolve(compiled.rule().logsource.product, f));
    }
    set->byOrigin_.emplace(origin, set->metas_.size());
    set->byKey_.emplace(in.meta.key, set->metas_.size());
    set->metas_.push_back(std::move(in.meta));
    set->ruleIndex_.push_back(set->rules_.size() - 1);
  }
  return set;
}

std::shared_ptr<const LiveRuleSet> LiveRuleSet::empty() { return std::make_shared<LiveRuleSet>(); }

int LiveRuleSet::find(const std::string& key) const {
  auto it = byKey_.find(key);
  return it == byKey_.end() ? -1 : static_cast<int>(it->second);
}

bool LiveRuleSet::enabledFor(size_t i, int64_t orgId) const {
  const RuleMeta& m = metas_[i];
  int64_t org = orgId;
  for (int depth = 0; depth < kMaxTreeDepth && org != 0; ++depth) {
    if (auto it = m.agencies.find(org); it != m.agencies.end()) return it->second;
    if (org == m.ownerOrgId) return m.enabled;
    auto p = parents_.find(org);
    if (p == parents_.end()) break;  // an agency unknown at build time: as the owner
    org = p->second;
  }
  // Outside the owner's subtree (reached the root without meeting it): off, unless the owner is
  // the root or the agency was unknown at build time and the owner is the root.
  if (m.ownerOrgId == root_ || m.ownerOrgId == 0) return m.enabled;
  return false;
}

size_t LiveRuleSet::evaluate(const normalize::Event& event, const OnMatch& onMatch) const {
  size_t n = 0;
  rules_.match(event, [&](const sigma::CompiledRule& rule) {
    const auto it = byOrigin_.find(rule.rule().origin);
    if (it == byOrigin_.end()) return;
    if (!enabledFor(it->second, event.orgId)) return;
    ++n;
    onMatch(rule, metas_[it->second]);
  });
  return n;
}

}  // namespace vigil::detect::live
