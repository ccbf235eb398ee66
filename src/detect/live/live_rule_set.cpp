#include "detect/live/live_rule_set.h"

#include "detect/sigma/rule_index.h"

#include <algorithm>
#include <charconv>
#include <set>

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
  const sigma::DetectionOptions detectionOptions{.compile = options};

  // Pass 1: every current text. Files with a refused document and a different fallback run the
  // fallback instead (pass 2).
  std::vector<std::pair<std::string, std::string>> files;
  files.reserve(inputs.size());
  for (const RuleInput& in : inputs) files.emplace_back(in.meta.origin, in.text);
  std::shared_ptr<const sigma::DetectionSet> ds = sigma::DetectionSet::fromTexts(files, pipeline, detectionOptions);
  std::set<std::string> refusedFiles, fellBack;
  for (const sigma::Refusal& r : ds->refusals()) refusedFiles.insert(r.path);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const RuleInput& in = inputs[i];
    if (refusedFiles.count(in.meta.origin) && !in.fallbackText.empty() && in.fallbackText != in.text) {
      files[i].second = in.fallbackText;
      fellBack.insert(in.meta.origin);
    }
  }
  auto problemOf = [](const sigma::Refusal& r) {
    return RuleProblem{.origin = r.path, .where = r.where, .line = lineOf(r.where), .reason = r.reason};
  };
  if (!fellBack.empty()) {
    for (const sigma::Refusal& r : ds->refusals()) {
      if (!fellBack.count(r.path)) continue;  // reported from pass 2
      RuleProblem p = problemOf(r);
      p.previousKept = true;
      set->problems_.push_back(std::move(p));
    }
    ds = sigma::DetectionSet::fromTexts(files, pipeline, detectionOptions);
  }
  for (const sigma::Refusal& r : ds->refusals()) {
    RuleProblem p = problemOf(r);
    if (fellBack.count(r.path)) p.reason = "the previous version is refused too: " + p.reason;
    set->problems_.push_back(std::move(p));
  }
  set->set_ = ds;

  std::unordered_map<std::string, size_t> inputOf;  // origin -> index in inputs
  for (size_t i = 0; i < inputs.size(); ++i) inputOf.emplace(inputs[i].meta.origin, i);
  auto duplicate = [&](const std::string& key, const std::string& origin) {
    const auto dup = set->byKey_.find(key);
    if (dup == set->byKey_.end()) return false;
    set->problems_.push_back({.origin = origin,
                              .where = origin,
                              .reason = "duplicate rule id '" + key + "': already loaded from " +
                                        set->metas_[dup->second].origin + "; this rule is not used"});
    return true;
  };
  auto metaFor = [&](const std::string& origin, const std::string& key) {
    const auto in = inputOf.find(origin);
    RuleMeta m = in != inputOf.end() ? inputs[in->second].meta : RuleMeta{.origin = origin};
    m.key = key;
    if (auto a = agencies.find(key); a != agencies.end())
      for (const auto& [org, on] : a->second) m.agencies[org] = on;
    m.dedupFields.clear();
    return m;
  };

  // Detection rules, in file order.
  const sigma::RuleSet& rules = ds->rules();
  set->metaOfSignal_.assign(rules.size(), -1);
  std::unordered_map<std::string, size_t> rulesOfFile;  // origin -> rules seen so far
  for (size_t i = 0; i < rules.size(); ++i) {
    const sigma::SigmaRule& r = rules.at(i).rule();
    const size_t nth = rulesOfFile[r.origin]++;
    std::string key;
    if (const auto in = inputOf.find(r.origin); nth == 0 && in != inputOf.end()) key = inputs[in->second].meta.key;
    if (key.empty())
      key = !r.id.empty()
                ? r.id
                : "f-" + crypto::sha256Hex(nth == 0 ? r.origin : r.origin + "#" + std::to_string(nth)).substr(0, 16);
    if (duplicate(key, r.origin)) continue;  // compiled, but never reported nor fed to correlations
    RuleMeta m = metaFor(r.origin, key);
    for (const std::string& f : r.fields) {
      if (m.dedupFields.size() == kMaxDedupFields) break;
      m.dedupFields.push_back(pipeline.resolve(r.logsource.product, f));
    }
    set->metaOfSignal_[i] = static_cast<int>(set->metas_.size());
    set->metaOfRule_.emplace(&rules.at(i), set->metas_.size());
    set->byKey_.emplace(key, set->metas_.size());
    set->metas_.push_back(std::move(m));
    set->ruleIndex_.push_back(i);
  }

  // Correlation rules. Their group-by fields (for events_query) come from a state's specs.
  const std::unique_ptr<sigma::CorrelationEngine> specs = ds->correlationCount() > 0 ? ds->newState() : nullptr;
  std::set<std::string> correlationKeys;
  for (size_t j = 0; j < ds->correlationCount(); ++j) {
    const sigma::CorrelationRule& c = ds->correlation(j);
    std::string key = !c.id.empty() ? c.id : c.name;
    if (key.empty()) key = "f-" + crypto::sha256Hex(c.origin + "#c" + std::to_string(j)).substr(0, 16);
    if (duplicate(key, c.origin)) continue;
    if (!correlationKeys.insert(key).second) {
      set->problems_.push_back({.origin = c.origin,
                                .where = c.origin + ":" + std::to_string(c.line),
                                .line = c.line,
                                .reason = "duplicate rule id '" + key + "': another correlation has it; not used"});
      continue;
    }
    RuleMeta m = metaFor(c.origin, key);
    if (specs && j < specs->size() && !specs->spec(j).groupFields.empty())
      m.dedupFields = specs->spec(j).groupFields.front();
    set->metaOfCorrelation_.emplace(&c, set->correlationMetas_.size());
    set->correlationMetas_.push_back(std::move(m));
    set->correlationIndex_.push_back(j);
  }
  // Problems in input order (the order of the files), each file's in the order found.
  std::stable_sort(set->problems_.begin(), set->problems_.end(), [&](const RuleProblem& a, const RuleProblem& b) {
    const auto ia = inputOf.find(a.origin), ib = inputOf.find(b.origin);
    const size_t na = ia == inputOf.end() ? inputs.size() : ia->second;
    const size_t nb = ib == inputOf.end() ? inputs.size() : ib->second;
    return na < nb;
  });
  // Build the rule index here, on the reloading thread, not on the first match of a detection
  // thread (about a second for the whole SigmaHQ Windows set).
  (void)set->set_->rules().indexStats();
  return set;
}

std::shared_ptr<const LiveRuleSet> LiveRuleSet::empty() {
  auto set = std::make_shared<LiveRuleSet>();
  static const sigma::Pipeline kNoPipeline;  // no rules: nothing reads it
  set->set_ = sigma::DetectionSet::fromTexts({}, kNoPipeline);
  return set;
}

int LiveRuleSet::find(const std::string& key) const {
  auto it = byKey_.find(key);
  return it == byKey_.end() ? -1 : static_cast<int>(it->second);
}

bool LiveRuleSet::enabledFor(const RuleMeta& m, int64_t orgId) const {
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

sigma::CorrelationStats CorrelationState::stats() const {
  sigma::CorrelationStats total;
  for (const auto& [org, engine] : engines_) {
    const sigma::CorrelationStats s = engine->stats();
    total.liveGroups += s.liveGroups;
    total.stateBytes += s.stateBytes;
    total.evictedGroups += s.evictedGroups;
    total.expiredGroups += s.expiredGroups;
    total.lateEvents += s.lateEvents;
    total.firings += s.firings;
  }
  return total;
}

std::unique_ptr<CorrelationState> LiveRuleSet::newState() const {
  if (correlationMetas_.empty()) return nullptr;
  return std::make_unique<CorrelationState>(set_);
}

void LiveRuleSet::reportFiring(const sigma::Detection& d, int64_t orgId, const normalize::Event* event,
                               const OnCorrelation& onCorrelation, size_t& n) const {
  if (d.kind != sigma::Detection::Kind::kCorrelation || !d.firing) return;
  const auto it = metaOfCorrelation_.find(d.firing->rule);
  if (it == metaOfCorrelation_.end()) return;  // a duplicate id: not used
  const RuleMeta& meta = correlationMetas_[it->second];
  if (!enabledFor(meta, orgId)) return;
  ++n;
  if (onCorrelation) onCorrelation(*d.firing, meta, orgId, event);
}

size_t LiveRuleSet::evaluate(const normalize::Event& event, CorrelationState* state, const OnMatch& onMatch,
                             const OnCorrelation& onCorrelation) const {
  thread_local std::vector<uint32_t> signals;  // read whole by correlate() before it calls back
  size_t n = 0;
  set_->matchRules(event, signals, [&](const sigma::Detection& d) {
    if (d.kind != sigma::Detection::Kind::kRule || !d.rule) return;
    const auto it = metaOfRule_.find(d.rule);
    if (it == metaOfRule_.end()) return;  // a duplicate id: not used
    if (!enabledFor(it->second, event.orgId)) return;
    ++n;
    if (onMatch) onMatch(*d.rule, metas_[it->second]);
  });
  if (!state || correlationMetas_.empty()) return n;
  // Only the rules in use and on for the event's agency feed its correlations (signal = index of
  // the rule in set_->rules(), detection.h).
  std::erase_if(signals, [&](uint32_t s) {
    const int m = s < metaOfSignal_.size() ? metaOfSignal_[s] : -1;
    return m < 0 || !enabledFor(static_cast<size_t>(m), event.orgId);
  });
  auto engine = state->engines_.find(event.orgId);
  if (engine == state->engines_.end()) {
    if (signals.empty()) return n;  // nothing to count for an agency without state yet
    engine = state->engines_.emplace(event.orgId, set_->newState()).first;
  }
  // An event that matched nothing still advances the agency's event time (closes windows).
  set_->correlate(*engine->second, event, signals,
                  [&](const sigma::Detection& d) { reportFiring(d, event.orgId, &event, onCorrelation, n); });
  return n;
}

size_t LiveRuleSet::advanceTo(CorrelationState& state, int64_t idleUs, int64_t wallNowUs,
                              const OnCorrelation& onCorrelation) const {
  size_t n = 0;
  if (idleUs <= 0) return n;
  for (auto& [org, engine] : state.engines_) {
    const int64_t orgId = org;
    const int64_t from = engine->watermark();
    if (from == INT64_MIN || from >= wallNowUs) continue;
    const int64_t to = idleUs > wallNowUs - from ? wallNowUs : from + idleUs;
    set_->advanceTo(*engine, to, [&](const sigma::Detection& d) { reportFiring(d, orgId, nullptr, onCorrelation, n); });
  }
  return n;
}

}  // namespace vigil::detect::live
