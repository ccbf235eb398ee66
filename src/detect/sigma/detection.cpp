// DetectionSet and Detector (detection.h).
#include "detect/sigma/detection.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace vigil::detect::sigma {
namespace {

std::string where(const std::string& path, int line) { return path + ":" + std::to_string(line); }

// The reason part of an Error::validation message ("field: reason").
std::string reasonOf(const Error& e) {
  if (!e.field.empty() && e.message.rfind(e.field + ": ", 0) == 0) return e.message.substr(e.field.size() + 2);
  return e.message;
}

// Every product/category/service the filter gives equals the rule's.
bool covers(const Logsource& filter, const Logsource& rule) {
  return (filter.product.empty() || filter.product == rule.product) &&
         (filter.category.empty() || filter.category == rule.category) &&
         (filter.service.empty() || filter.service == rule.service);
}

std::string describe(const Logsource& ls) {
  std::string out;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    if (!out.empty()) out += ", ";
    out += std::string(k) + " " + v;
  };
  add("product", ls.product);
  add("category", ls.category);
  add("service", ls.service);
  return out.empty() ? "any" : out;
}

}  // namespace

std::string_view severityForLevel(std::string_view level) {
  if (level == "critical") return "critical";
  if (level == "high") return "high";
  if (level == "low" || level == "informational") return "low";
  return "medium";
}

ingest::TimeUs DetectionSet::eventTime(const normalize::Event& event) {
  if (const auto v = event.get("@timestamp"); v && v->type == normalize::ValueType::kTime) return v->number;
  return event.receivedUs;
}

std::shared_ptr<const DetectionSet> DetectionSet::load(const std::vector<std::filesystem::path>& dirs,
                                                       const Pipeline& pipeline, const DetectionOptions& options) {
  std::shared_ptr<DetectionSet> set(new DetectionSet());
  std::vector<PendingCorrelation> correlations;
  std::vector<PendingFilter> filters;
  for (const auto& dir : dirs) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(it->path());
    }
    if (ec) set->refusals_.push_back({dir.string(), dir.string(), "cannot read the directory: " + ec.message()});
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string rel = (dir.filename() / std::filesystem::relative(f, dir)).string();
      for (auto& doc : loadDocumentsFile(f.string(), rel)) {
        if (!doc) {
          set->refusals_.push_back({rel, doc.error().field, reasonOf(doc.error())});
          continue;
        }
        switch (doc->kind) {
          case SigmaDocument::Kind::kRule: set->addRule(doc->rule, pipeline, options); break;
          case SigmaDocument::Kind::kCorrelation: correlations.push_back({std::move(doc->correlation), rel}); break;
          case SigmaDocument::Kind::kFilter: filters.push_back({std::move(doc->filter), rel}); break;
        }
      }
    }
  }
  set->build(std::move(correlations), std::move(filters), pipeline, options);
  return set;
}

std::shared_ptr<const DetectionSet> DetectionSet::fromTexts(
    const std::vector<std::pair<std::string, std::string>>& files, const Pipeline& pipeline,
    const DetectionOptions& options) {
  std::shared_ptr<DetectionSet> set(new DetectionSet());
  std::vector<PendingCorrelation> correlations;
  std::vector<PendingFilter> filters;
  for (const auto& [origin, text] : files) set->addFile(origin, text, pipeline, options, correlations, filters);
  set->build(std::move(correlations), std::move(filters), pipeline, options);
  return set;
}

void DetectionSet::addFile(const std::string& path, std::string_view text, const Pipeline& pipeline,
                           const DetectionOptions& options, std::vector<PendingCorrelation>& correlations,
                           std::vector<PendingFilter>& filters) {
  for (auto& doc : parseDocuments(text, path)) {
    if (!doc) {
      refusals_.push_back({path, doc.error().field, reasonOf(doc.error())});
      continue;
    }
    switch (doc->kind) {
      case SigmaDocument::Kind::kRule: addRule(doc->rule, pipeline, options); break;
      case SigmaDocument::Kind::kCorrelation: correlations.push_back({std::move(doc->correlation), path}); break;
      case SigmaDocument::Kind::kFilter: filters.push_back({std::move(doc->filter), path}); break;
    }
  }
}

void DetectionSet::addRule(const SigmaRule& rule, const Pipeline& pipeline, const DetectionOptions& options) {
  if (rules_.add(rule, pipeline, options.compile)) return;
  if (!rule.id.empty()) refusedRefs_.insert(rule.id);
  if (!rule.name.empty()) refusedRefs_.insert(rule.name);
}

void DetectionSet::build(std::vector<PendingCorrelation> correlations, std::vector<PendingFilter> filters,
                         const Pipeline& pipeline, const DetectionOptions& options) {
  correlationOptions_ = options.correlation;
  for (const Refusal& r : rules_.refusals()) refusals_.push_back(r);
  const auto base = static_cast<uint32_t>(rules_.size());
  const size_t nc = correlations.size();
  for (uint32_t i = 0; i < base; ++i) ruleIndex_[&rules_.at(i)] = i;

  // Names and ids -> provisional signals (correlation j is base + j). A name given twice is
  // ambiguous (kept, to refuse the references to it).
  std::map<std::string, uint32_t> byRef;
  std::set<std::string> ambiguous;
  auto name = [&](const std::string& ref, uint32_t signal) {
    if (ref.empty()) return;
    const auto [it, fresh] = byRef.emplace(ref, signal);
    if (!fresh && it->second != signal) ambiguous.insert(ref);
  };
  for (uint32_t i = 0; i < base; ++i) {
    name(rules_.at(i).rule().id, i);
    name(rules_.at(i).rule().name, i);
  }
  for (size_t j = 0; j < nc; ++j) {
    name(correlations[j].rule.id, base + static_cast<uint32_t>(j));
    name(correlations[j].rule.name, base + static_cast<uint32_t>(j));
  }

  // Resolve each correlation's references; `reason` non-empty = refused.
  std::vector<std::vector<uint32_t>> inputs(nc);
  std::vector<std::string> reason(nc);
  std::vector<int> reasonLine(nc, 0);  // 0: the `rules` line
  for (size_t j = 0; j < nc; ++j) {
    const CorrelationRule& c = correlations[j].rule;
    for (const std::string& ref : c.rules) {
      if (ambiguous.count(ref)) {
        reason[j] = "rule '" + ref + "' is ambiguous: several rules have this id or name";
        break;
      }
      const auto it = byRef.find(ref);
      if (it == byRef.end()) {
        reason[j] = refusedRefs_.count(ref) ? "it refers to rule '" + ref + "', which is refused"
                                            : "unknown rule '" + ref + "': no rule or correlation has this id or name";
        break;
      }
      if (it->second == base + j) {
        reason[j] = "the correlation refers to itself";
        break;
      }
      inputs[j].push_back(it->second);
    }
    if (reason[j].empty() && correlationFiresImmediately(c) && correlationThreshold(c) > kMaxCountThreshold &&
        (c.type == CorrelationRule::Type::kEventCount || c.type == CorrelationRule::Type::kValueCount)) {
      reason[j] = "a count threshold above " + std::to_string(static_cast<long>(kMaxCountThreshold)) +
                  " cannot be tracked per group";
      reasonLine[j] = c.conditionLine;
    }
  }
  // Cycles between correlations (depth-first search, colours 0 new, 1 on the path, 2 done).
  std::vector<int> colour(nc, 0);
  std::vector<size_t> path;
  std::function<void(size_t)> visit = [&](size_t j) {
    colour[j] = 1;
    path.push_back(j);
    for (uint32_t in : inputs[j]) {
      if (in < base) continue;
      const size_t k = in - base;
      if (colour[k] == 1) {
        std::string cycle;
        const auto from = std::find(path.begin(), path.end(), k);
        for (auto p = from; p != path.end(); ++p) cycle += correlations[*p].rule.title + " -> ";
        cycle += correlations[k].rule.title;
        for (auto p = from; p != path.end(); ++p)
          if (reason[*p].empty()) reason[*p] = "correlation cycle: " + cycle;
      } else if (colour[k] == 0) {
        visit(k);
      }
    }
    path.pop_back();
    colour[j] = 2;
  };
  for (size_t j = 0; j < nc; ++j)
    if (colour[j] == 0) visit(j);
  // A correlation over a refused correlation, or over one that only fires at window close, is
  // refused too (repeat until nothing changes).
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t j = 0; j < nc; ++j) {
      if (!reason[j].empty()) continue;
      for (uint32_t in : inputs[j]) {
        if (in < base) continue;
        const size_t k = in - base;
        if (!reason[k].empty()) {
          reason[j] = "it refers to correlation '" + correlations[k].rule.title + "', which is refused";
        } else if (!correlationFiresImmediately(correlations[k].rule)) {
          reason[j] = "it refers to correlation '" + correlations[k].rule.title +
                      "', which fires at window close (lt/lte/eq/neq or a value_* metric): only correlations "
                      "that fire on an event can be chained";
        }
        if (!reason[j].empty()) {
          changed = true;
          break;
        }
      }
    }
  }
  for (size_t j = 0; j < nc; ++j) {
    if (reason[j].empty()) continue;
    const CorrelationRule& c = correlations[j].rule;
    const int line = reasonLine[j] ? reasonLine[j] : c.rulesLine ? c.rulesLine : c.line;
    refusals_.push_back({correlations[j].path, where(correlations[j].path, line), reason[j]});
  }

  // Accepted correlations in topological order; final signal = base + position.
  std::vector<size_t> order;
  std::vector<uint8_t> placed(nc, 0);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t j = 0; j < nc; ++j) {
      if (placed[j] || !reason[j].empty()) continue;
      const bool ready =
          std::all_of(inputs[j].begin(), inputs[j].end(), [&](uint32_t in) { return in < base || placed[in - base]; });
      if (!ready) continue;
      placed[j] = 1;
      order.push_back(j);
      progress = true;
    }
  }
  std::vector<uint32_t> finalSignal(nc, UINT32_MAX);
  for (size_t p = 0; p < order.size(); ++p) finalSignal[order[p]] = base + static_cast<uint32_t>(p);
  // The product whose field mapping reads a signal's events: a rule's own; a correlation's first input's.
  std::vector<std::string> productOf(base + order.size());
  for (uint32_t i = 0; i < base; ++i) productOf[i] = rules_.at(i).rule().logsource.product;
  silent_.assign(base + order.size(), 0);
  feeds_.assign(base + order.size(), 0);
  std::vector<uint8_t> generated(base + order.size(), 0);
  for (size_t p = 0; p < order.size(); ++p) {
    const size_t j = order[p];
    auto rule = std::make_unique<CorrelationRule>(std::move(correlations[j].rule));
    CorrelationSpec spec;
    spec.rule = rule.get();
    spec.signal = base + static_cast<uint32_t>(p);
    for (size_t k = 0; k < inputs[j].size(); ++k) {
      const uint32_t in = inputs[j][k] < base ? inputs[j][k] : finalSignal[inputs[j][k] - base];
      spec.inputs.push_back(in);
      const std::string& ref = rule->rules[k];
      // A group-by name is an alias when `aliases` defines it; its field for this input is the one
      // given for the rule's name (or id); else the name itself.
      auto fieldFor = [&](const std::string& f) {
        const auto a = rule->aliases.find(f);
        if (a == rule->aliases.end()) return f;
        const auto byRule = a->second.find(ref);
        return byRule == a->second.end() ? f : byRule->second;
      };
      std::vector<FieldCandidates> group;
      for (const std::string& g : rule->groupBy) group.push_back(pipeline.resolve(productOf[in], fieldFor(g)));
      spec.groupFields.push_back(std::move(group));
      spec.valueField.push_back(rule->field.empty() ? FieldCandidates{}
                                                    : pipeline.resolve(productOf[in], fieldFor(rule->field)));
      silent_[in] = 1;
      feeds_[in] = 1;
      if (rule->generate) generated[in] = 1;
    }
    productOf[spec.signal] = spec.inputs.empty() ? std::string() : productOf[spec.inputs[0]];
    specs_.push_back(std::move(spec));
    correlationRules_.push_back(std::move(rule));
  }
  for (size_t i = 0; i < silent_.size(); ++i)
    if (generated[i]) silent_[i] = 0;

  // Filters.
  filtersOf_.assign(base, {});
  for (PendingFilter& pf : filters) {
    const FilterRule& f = pf.rule;
    const int line = f.rulesLine ? f.rulesLine : f.line;
    std::string why;
    std::vector<uint32_t> targets;
    for (const std::string& ref : f.rules) {
      const auto it = byRef.find(ref);
      if (ambiguous.count(ref)) {
        why = "rule '" + ref + "' is ambiguous: several rules have this id or name";
      } else if (it == byRef.end()) {
        why = refusedRefs_.count(ref) ? "it names rule '" + ref + "', which is refused"
                                      : "unknown rule '" + ref + "': no rule has this id or name";
      } else if (it->second >= base) {
        why = "'" + ref + "' is a correlation: filters apply to detection rules";
      } else if (!covers(f.logsource, rules_.at(it->second).rule().logsource)) {
        why = "the filter's logsource (" + describe(f.logsource) + ") does not cover rule '" + ref + "' (" +
              describe(rules_.at(it->second).rule().logsource) + ")";
      }
      if (!why.empty()) break;
      targets.push_back(it->second);
    }
    if (!why.empty()) {
      refusals_.push_back({pf.path, where(pf.path, line), why});
      continue;
    }
    auto compiled = CompiledRule::compile(f.detection, pipeline, options.compile);
    if (!compiled) {
      refusals_.push_back({pf.path, compiled.error().field, reasonOf(compiled.error())});
      continue;
    }
    const auto idx = static_cast<uint32_t>(filters_.size());
    filters_.push_back(std::move(*compiled));
    for (uint32_t t : targets) filtersOf_[t].push_back(idx);
  }
}

std::unique_ptr<CorrelationEngine> DetectionSet::newState() const {
  return std::make_unique<CorrelationEngine>(specs_, silent_.size(), correlationOptions_);
}

bool DetectionSet::filtered(uint32_t rule, const EventView& view) const {
  for (uint32_t f : filtersOf_[rule])
    if (filters_[f].conditionMatches(view)) return true;
  return false;
}

void DetectionSet::report(const CorrelationFiring& f, const OnDetection& onDetection, size_t& n) const {
  const uint32_t signal = specs_[f.correlation].signal;
  if (silent_[signal]) return;
  ++n;
  if (!onDetection) return;
  Detection d;
  d.kind = Detection::Kind::kCorrelation;
  d.firing = &f;
  d.title = f.rule->title;
  d.id = f.rule->id;
  d.level = f.rule->level;
  d.tags = &f.rule->tags;
  onDetection(d);
}

size_t DetectionSet::matchRules(const normalize::Event& event, std::vector<uint32_t>& signals,
                                const OnDetection& onDetection) const {
  signals.clear();
  std::optional<EventView> view;
  size_t n = 0;
  rules_.match(event, [&](const CompiledRule& r) {
    const uint32_t i = ruleIndex_.at(&r);
    if (!filtersOf_[i].empty()) {
      if (!view) view.emplace(event);
      if (filtered(i, *view)) return;
    }
    signals.push_back(i);
    if (silent_[i]) return;
    ++n;
    if (!onDetection) return;
    Detection d;
    d.kind = Detection::Kind::kRule;
    d.rule = &r;
    d.title = r.rule().title;
    d.id = r.rule().id;
    d.level = r.rule().level;
    d.tags = &r.rule().tags;
    onDetection(d);
  });
  return n;
}

size_t DetectionSet::correlate(CorrelationEngine& state, const normalize::Event& event,
                               const std::vector<uint32_t>& signals, const OnDetection& onDetection) const {
  size_t n = 0;
  state.observe(event, eventTime(event), signals, [&](const CorrelationFiring& f) { report(f, onDetection, n); });
  return n;
}

size_t DetectionSet::evaluate(const normalize::Event& event, CorrelationEngine* state,
                              const OnDetection& onDetection) const {
  thread_local std::vector<uint32_t> signals;  // observe() reads it whole before it calls back
  size_t n = matchRules(event, signals, onDetection);
  if (state && !specs_.empty()) n += correlate(*state, event, signals, onDetection);  // no correlation: no state
  return n;
}

size_t DetectionSet::advanceTo(CorrelationEngine& state, ingest::TimeUs watermarkUs,
                               const OnDetection& onDetection) const {
  size_t n = 0;
  state.advanceTo(watermarkUs, [&](const CorrelationFiring& f) { report(f, onDetection, n); });
  return n;
}

size_t DetectionSet::finish(CorrelationEngine& state, const OnDetection& onDetection) const {
  size_t n = 0;
  state.finish([&](const CorrelationFiring& f) { report(f, onDetection, n); });
  return n;
}

Detector::Detector(std::shared_ptr<const DetectionSet> set) : set_(std::move(set)), state_(set_->newState()) {}

}  // namespace vigil::detect::sigma
