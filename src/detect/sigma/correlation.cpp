// CorrelationEngine (correlation.h).
#include "detect/sigma/correlation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <list>
#include <unordered_map>

namespace vigil::detect::sigma {
namespace {

using ingest::TimeUs;
using Type = CorrelationRule::Type;
using Op = CorrelationRule::Bound::Op;

constexpr TimeUs kNone = std::numeric_limits<TimeUs>::min();
// Estimated bytes of the containers around one group and one stored value (hash node, list
// node, string header); used by stats() only.
constexpr size_t kGroupOverhead = 200;
constexpr size_t kValueOverhead = 64;

bool holds(const std::vector<CorrelationRule::Bound>& bounds, double v) {
  for (const auto& b : bounds) {
    switch (b.op) {
      case Op::kGt:
        if (!(v > b.value)) return false;
        break;
      case Op::kGte:
        if (!(v >= b.value)) return false;
        break;
      case Op::kLt:
        if (!(v < b.value)) return false;
        break;
      case Op::kLte:
        if (!(v <= b.value)) return false;
        break;
      case Op::kEq:
        if (!(v == b.value)) return false;
        break;
      case Op::kNeq:
        if (!(v != b.value)) return false;
        break;
    }
  }
  return true;
}

}  // namespace

bool correlationFiresImmediately(const CorrelationRule& r) {
  if (r.type != Type::kEventCount && r.type != Type::kValueCount && r.type != Type::kTemporal &&
      r.type != Type::kTemporalOrdered)
    return false;
  return std::all_of(r.bounds.begin(), r.bounds.end(),
                     [](const auto& b) { return b.op == Op::kGt || b.op == Op::kGte; });
}

double correlationThreshold(const CorrelationRule& r) {
  if (r.bounds.empty()) return static_cast<double>(r.rules.size());  // temporal: every rule
  double need = 0;
  for (const auto& b : r.bounds) {
    if (b.op == Op::kGte) need = std::max(need, std::ceil(b.value));
    if (b.op == Op::kGt) need = std::max(need, std::floor(b.value) + 1);
  }
  return need;
}

struct CorrelationEngine::Group {
  std::vector<std::string> values;
  TimeUs first = 0, last = 0;
  size_t events = 0;
  // event_count (immediate): times in the window, sorted, from times[head] on. A vector, not a
  // deque: libstdc++'s deque allocates about 600 bytes even when empty, and most groups are small.
  std::vector<TimeUs> times;
  size_t head = 0;
  std::unordered_map<std::string, TimeUs> seen;  // value_count: value -> latest time
  size_t overflow = 0;                           // value_count (close): values beyond the cap
  std::vector<TimeUs> steps;                     // temporal: latest time per rule; ordered: latest start per step
  double sum = 0, min = 0, max = 0;              // metric types
  size_t numbers = 0;
  std::list<const std::string*>::iterator lru;
};

struct CorrelationEngine::State {
  bool immediate = false;
  double need = 0;  // immediate: the smallest count that satisfies the condition
  std::unordered_map<std::string, Group> groups;
  std::list<const std::string*> lru;  // front: most recently updated; points at the map's keys
};

CorrelationEngine::CorrelationEngine(std::vector<CorrelationSpec> specs, size_t signals, CorrelationOptions options)
    : specs_(std::move(specs)), fired_(signals, 0), options_(options) {
  if (options_.maxGroupsPerCorrelation == 0) options_.maxGroupsPerCorrelation = 1;
  for (const CorrelationSpec& s : specs_) {
    auto st = std::make_unique<State>();
    st->immediate = correlationFiresImmediately(*s.rule);
    st->need = correlationThreshold(*s.rule);
    states_.push_back(std::move(st));
    if (s.signal >= fired_.size()) fired_.resize(s.signal + 1, 0);
    for (uint32_t in : s.inputs)
      if (in >= fired_.size()) fired_.resize(in + 1, 0);
  }
}

CorrelationEngine::~CorrelationEngine() = default;

void CorrelationEngine::dropGroup(State& s, const std::string& key) {
  const auto it = s.groups.find(key);
  if (it == s.groups.end()) return;
  s.lru.erase(it->second.lru);
  s.groups.erase(it);
}

void CorrelationEngine::fire(size_t c, CorrelationFiring firing, const OnFiring& onFiring) {
  ++firings_;
  firing.correlation = c;
  firing.rule = specs_[c].rule;
  if (firing.atEvent) {
    const uint32_t sig = specs_[c].signal;
    if (!fired_[sig]) {
      fired_[sig] = 1;
      touched_.push_back(sig);
    }
  }
  if (onFiring) onFiring(firing);
}

bool CorrelationEngine::closeWindow(size_t c, Group& g, const OnFiring& onFiring, bool atEvent) {
  const CorrelationRule& r = *specs_[c].rule;
  double value = 0;
  switch (r.type) {
    case Type::kEventCount: value = static_cast<double>(g.events); break;
    case Type::kValueCount: value = static_cast<double>(g.seen.size() + g.overflow); break;
    case Type::kTemporal:
    case Type::kTemporalOrdered:
      value = static_cast<double>(std::count_if(g.steps.begin(), g.steps.end(), [](TimeUs t) { return t != kNone; }));
      break;
    case Type::kValueSum:
    case Type::kValueAvg:
    case Type::kValueMin:
    case Type::kValueMax:
      if (g.numbers == 0) return false;  // no numeric value in the window: nothing to compare
      value = r.type == Type::kValueSum   ? g.sum
              : r.type == Type::kValueAvg ? g.sum / static_cast<double>(g.numbers)
              : r.type == Type::kValueMin ? g.min
                                          : g.max;
      break;
  }
  if (!holds(r.bounds, value)) return false;
  CorrelationFiring f;
  f.groupValues = g.values;
  f.value = value;
  f.events = g.events;
  f.firstUs = g.first;
  f.lastUs = g.last;
  f.atEvent = atEvent;
  fire(c, std::move(f), onFiring);
  return true;
}

void CorrelationEngine::observe(const normalize::Event& event, TimeUs timeUs, const std::vector<uint32_t>& matched,
                                const OnFiring& onFiring) {
  if (timeUs > watermark_) watermark_ = timeUs;
  if (specs_.empty()) return;
  bool any = false;
  for (uint32_t m : matched) {
    if (m >= fired_.size() || fired_[m]) continue;
    fired_[m] = 1;
    touched_.push_back(m);
    any = true;
  }
  if (any) {
    for (size_t c = 0; c < specs_.size(); ++c) {
      const CorrelationSpec& s = specs_[c];
      // Later inputs first: one event that matches steps k and k+1 of a temporal_ordered
      // correlation advances one step, not two.
      for (size_t k = s.inputs.size(); k-- > 0;)
        if (fired_[s.inputs[k]]) observeOne(c, k, event, timeUs, onFiring);
    }
  }
  for (uint32_t t : touched_) fired_[t] = 0;
  touched_.clear();
  sweep(onFiring);
}

void CorrelationEngine::observeOne(size_t c, size_t input, const normalize::Event& event, TimeUs t,
                                   const OnFiring& onFiring) {
  const CorrelationSpec& spec = specs_[c];
  const CorrelationRule& r = *spec.rule;
  State& s = *states_[c];
  const TimeUs span = r.timespanUs;
  if (t < watermark_ - span - options_.allowedLatenessUs) {
    ++late_;
    return;
  }
  thread_local std::string key;
  key.clear();
  for (const FieldCandidates& f : spec.groupFields[input]) {
    const auto v = readField(event, f);
    if (v) key.append(*v);
    key.push_back('\x1f');
  }
  auto it = s.groups.find(key);
  if (it == s.groups.end()) {
    while (s.groups.size() >= options_.maxGroupsPerCorrelation && !s.lru.empty()) {
      const std::string victim = *s.lru.back();
      dropGroup(s, victim);
      ++evicted_;
    }
    it = s.groups.emplace(key, Group{}).first;
    Group& g = it->second;
    for (const FieldCandidates& f : spec.groupFields[input]) {
      const auto v = readField(event, f);
      g.values.emplace_back(v ? *v : std::string_view{});
    }
    g.first = g.last = t;
    if (r.type == Type::kTemporal || r.type == Type::kTemporalOrdered) g.steps.assign(spec.inputs.size(), kNone);
    s.lru.push_front(&it->first);
    g.lru = s.lru.begin();
  } else {
    s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
  }
  Group& g = it->second;

  if (!s.immediate && g.events > 0 && t > g.first + span) {
    // The group's window ended before this event: evaluate it, then start a new one here.
    closeWindow(c, g, onFiring, true);
    g.events = 0;
    g.seen.clear();
    g.overflow = 0;
    std::fill(g.steps.begin(), g.steps.end(), kNone);
    g.sum = g.min = g.max = 0;
    g.numbers = 0;
    g.first = g.last = t;
  }
  g.first = std::min(g.first, t);
  g.last = std::max(g.last, t);
  ++g.events;

  auto fireNow = [&](double value, TimeUs first, size_t events) {
    CorrelationFiring f;
    f.groupValues = g.values;
    f.value = value;
    f.events = events;
    f.firstUs = first;
    f.lastUs = t;
    f.atEvent = true;
    const std::string k = key;  // `key` is thread_local scratch; the callback may observe again
    fire(c, std::move(f), onFiring);
    dropGroup(s, k);
  };

  switch (r.type) {
    case Type::kEventCount: {
      if (!s.immediate) return;
      auto& v = g.times;
      while (g.head < v.size() && v[g.head] <= t - span) ++g.head;
      v.insert(std::upper_bound(v.begin() + static_cast<std::ptrdiff_t>(g.head), v.end(), t), t);
      // Only the latest `need` times can matter: the condition holds once that many are in the window.
      const auto need = static_cast<size_t>(std::max(1.0, s.need));
      if (v.size() - g.head > need) g.head = v.size() - need;
      if (g.head >= 16 && g.head * 2 >= v.size()) {
        v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(g.head));
        g.head = 0;
      }
      const double value = static_cast<double>(v.size() - g.head);
      if (holds(r.bounds, value)) fireNow(value, v[g.head], v.size() - g.head);
      return;
    }
    case Type::kValueCount: {
      const auto v = readField(event, spec.valueField[input]);
      if (!v) return;  // an event without the field adds no value
      if (!s.immediate) {
        if (g.seen.size() < options_.maxValuesPerGroup) {
          g.seen.emplace(std::string(*v), t);
        } else if (g.seen.find(std::string(*v)) == g.seen.end()) {
          ++g.overflow;
        }
        return;
      }
      auto [vi, inserted] = g.seen.emplace(std::string(*v), t);
      if (!inserted) vi->second = std::max(vi->second, t);
      if (static_cast<double>(g.seen.size()) < s.need) return;
      TimeUs first = t;
      for (auto e = g.seen.begin(); e != g.seen.end();) {
        if (e->second <= t - span) {
          e = g.seen.erase(e);
        } else {
          first = std::min(first, e->second);
          ++e;
        }
      }
      const double value = static_cast<double>(g.seen.size());
      if (holds(r.bounds, value)) fireNow(value, first, g.events);
      return;
    }
    case Type::kTemporal: {
      g.steps[input] = std::max(g.steps[input], t);
      if (!s.immediate) return;
      TimeUs first = t;
      size_t count = 0;
      for (TimeUs& st : g.steps) {
        if (st != kNone && st <= t - span) st = kNone;
        if (st != kNone) {
          ++count;
          first = std::min(first, st);
        }
      }
      if (holds(r.bounds.empty() ? std::vector<CorrelationRule::Bound>{{Op::kGte, s.need}} : r.bounds,
                static_cast<double>(count)))
        fireNow(static_cast<double>(count), first, g.events);
      return;
    }
    case Type::kTemporalOrdered: {
      // steps[i]: the latest start time of a sequence that has reached step i in order.
      for (TimeUs& st : g.steps)
        if (st != kNone && st <= t - span) st = kNone;
      if (input == 0) {
        g.steps[0] = std::max(g.steps[0], t);
      } else if (g.steps[input - 1] != kNone) {
        g.steps[input] = std::max(g.steps[input], g.steps[input - 1]);
      }
      if (g.steps.back() != kNone) fireNow(static_cast<double>(g.steps.size()), g.steps.back(), g.events);
      return;
    }
    case Type::kValueSum:
    case Type::kValueAvg:
    case Type::kValueMin:
    case Type::kValueMax: {
      const auto v = readField(event, spec.valueField[input]);
      const auto n = v ? parseNumber(*v) : std::nullopt;
      if (!n) return;  // a missing or non-numeric value is not part of the metric
      g.sum += *n;
      g.min = g.numbers == 0 ? *n : std::min(g.min, *n);
      g.max = g.numbers == 0 ? *n : std::max(g.max, *n);
      ++g.numbers;
      return;
    }
  }
}

void CorrelationEngine::sweep(const OnFiring& onFiring) {
  if (watermark_ == kNone) return;
  for (size_t c = 0; c < specs_.size(); ++c) {
    State& s = *states_[c];
    const TimeUs span = specs_[c].rule->timespanUs;
    while (!s.lru.empty()) {
      const std::string& key = *s.lru.back();
      Group& g = s.groups.find(key)->second;
      const TimeUs end = (s.immediate ? g.last : g.first) + span;
      if (end >= watermark_ - options_.allowedLatenessUs) break;
      if (!s.immediate && g.events > 0) closeWindow(c, g, onFiring, false);
      ++expired_;
      const std::string k = key;
      dropGroup(s, k);
    }
  }
}

void CorrelationEngine::advanceTo(TimeUs watermarkUs, const OnFiring& onFiring) {
  if (watermarkUs > watermark_) watermark_ = watermarkUs;
  sweep(onFiring);
}

void CorrelationEngine::finish(const OnFiring& onFiring) {
  for (size_t c = 0; c < specs_.size(); ++c) {
    State& s = *states_[c];
    if (!s.immediate)
      for (auto& [key, g] : s.groups)
        if (g.events > 0) closeWindow(c, g, onFiring, false);
    s.groups.clear();
    s.lru.clear();
  }
}

CorrelationStats CorrelationEngine::stats() const {
  CorrelationStats st;
  st.evictedGroups = evicted_;
  st.expiredGroups = expired_;
  st.lateEvents = late_;
  st.firings = firings_;
  for (const auto& s : states_) {
    st.liveGroups += s->groups.size();
    for (const auto& [key, g] : s->groups) {
      size_t b = kGroupOverhead + key.capacity() + g.steps.capacity() * sizeof(TimeUs) +
                 g.times.capacity() * sizeof(TimeUs) + g.values.capacity() * sizeof(std::string);
      for (const std::string& v : g.values) b += v.capacity() > 15 ? v.capacity() : 0;
      for (const auto& [v, t] : g.seen) b += kValueOverhead + (v.capacity() > 15 ? v.capacity() : 0);
      st.stateBytes += b;
    }
  }
  return st;
}

}  // namespace vigil::detect::sigma
