// CorrelationEngine: the state of Sigma correlation rules (rule.h CorrelationRule) over one stream
// of events, evaluated on EVENT time.
//
// Inputs are "signals": DetectionSet (detection.h) numbers its base rules 0..B-1 and its
// correlations from B on. For each event, observe() is given the event, its time and the signals
// of the base rules it matched; every correlation that lists one of them updates the window of the
// event's group (the values of its group-by fields; a missing field reads as "") and may fire. A
// firing is itself a signal for the correlations that list it (chaining, in topological order,
// within the same observe() call).
//
// Two ways to evaluate, chosen per correlation from its condition:
// - Immediate (event_count, value_count, temporal, temporal_ordered whose bounds are all gt/gte):
//   a sliding window of `timespan` ending at the current event; the correlation fires as soon as
//   the condition holds, then the group's state is dropped (the next firing needs a new run of
//   events). event_count keeps at most N event times per group (N = the threshold), value_count
//   the last time of each distinct value (at most N), temporal the last time of each rule,
//   temporal_ordered the latest start of each partial sequence.
// - At window close (any lt/lte/eq/neq bound, and the metric types value_sum/avg/min/max): a window
//   opens at a group's first event and covers `timespan`; when an event of the group arrives after
//   it, or event time (the watermark) passes it, the aggregate is compared and the correlation
//   fires or not; then the state is dropped. value_count keeps at most
//   CorrelationOptions::maxValuesPerGroup distinct values (beyond: counted, not stored).
//
// Bounded state. The watermark is the latest event time seen. A group whose window lies entirely
// before watermark - allowedLateness is freed (evaluated first when it closes a window); groups are
// kept in least-recently-updated order so expiry costs only the expired groups. A correlation keeps
// at most maxGroupsPerCorrelation groups: a new group evicts the least recently updated one
// (counted in stats().evictedGroups; its partial window is lost, never reported). An event older
// than watermark - timespan - allowedLateness can join no live window: it is dropped and counted
// (stats().lateEvents).
//
// Only immediate correlations may be chained (a window closed by the watermark has no event whose
// fields a downstream group-by could read); DetectionSet refuses other chains.
//
// Thread-safety: none. One engine per event stream, fed in (roughly) event-time order: the serve
// ingest stream owns one; `vigil hunt` keeps one per thread only when each thread's input holds
// all the events of its groups (e.g. one host per file), and otherwise matches base rules in
// parallel (DetectionSet::evaluate without state, thread-safe) and feeds one engine in time order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detect/sigma/rule.h"
#include "detect/sigma/value.h"
#include "normalize/event.h"

namespace vigil::detect::sigma {

// One correlation, resolved by DetectionSet.
struct CorrelationSpec {
  const CorrelationRule* rule = nullptr;  // must outlive the engine
  uint32_t signal = 0;                    // this correlation's own signal (for chaining)
  std::vector<uint32_t> inputs;           // signals, in the rule's order
  // Per input, per group-by field: the event fields to try (aliases and the pipeline applied).
  std::vector<std::vector<FieldCandidates>> groupFields;
  std::vector<FieldCandidates> valueField;  // per input: value_count and the metric types
};

struct CorrelationOptions {
  size_t maxGroupsPerCorrelation = 100000;
  size_t maxValuesPerGroup = 10000;  // distinct values a close-mode value_count stores
  int64_t allowedLatenessUs = 0;     // how far behind the watermark an event may still be counted
};

struct CorrelationFiring {
  size_t correlation = 0;  // index in the engine's specs
  const CorrelationRule* rule = nullptr;
  std::vector<std::string> groupValues;  // in group-by order
  // The count of events, of distinct values, of distinct rules (temporal, temporal_ordered), or
  // the metric (sum, average, minimum, maximum).
  double value = 0;
  size_t events = 0;  // events in the window
  ingest::TimeUs firstUs = 0, lastUs = 0;
  bool atEvent = false;  // fired on the event being observed (else closed by the watermark)
};
using OnFiring = std::function<void(const CorrelationFiring&)>;

struct CorrelationStats {
  size_t liveGroups = 0;
  size_t stateBytes = 0;  // estimate: keys, values, window entries and container overhead
  uint64_t evictedGroups = 0, expiredGroups = 0, lateEvents = 0, firings = 0;
};

// True when the correlation is evaluated immediately (see above), false when at window close.
bool correlationFiresImmediately(const CorrelationRule& rule);
// Immediate correlations: the smallest count that satisfies the bounds (temporal without a
// condition: the number of rules).
double correlationThreshold(const CorrelationRule& rule);

class CorrelationEngine {
 public:
  // `specs` in topological order (a spec's correlation inputs come before it); `signals` is the
  // number of signals (base rules + correlations).
  CorrelationEngine(std::vector<CorrelationSpec> specs, size_t signals, CorrelationOptions options = {});
  ~CorrelationEngine();
  CorrelationEngine(const CorrelationEngine&) = delete;
  CorrelationEngine& operator=(const CorrelationEngine&) = delete;

  // One event at `timeUs` that matched the base-rule signals `matched` (may be empty: the event
  // still advances the watermark and frees expired state).
  void observe(const normalize::Event& event, ingest::TimeUs timeUs, const std::vector<uint32_t>& matched,
               const OnFiring& onFiring);
  // Advances event time without an event (an idle stream): closes and frees what expired. Given
  // the wall clock, events that arrive later with older times than watermark - timespan -
  // allowedLatenessUs become late (dropped): set allowedLatenessUs to the delay sources may have.
  void advanceTo(ingest::TimeUs watermarkUs, const OnFiring& onFiring);
  // End of input (offline hunt): closes every open window, fires what holds, frees everything.
  void finish(const OnFiring& onFiring);

  CorrelationStats stats() const;
  ingest::TimeUs watermark() const { return watermark_; }
  size_t size() const { return specs_.size(); }
  const CorrelationSpec& spec(size_t i) const { return specs_[i]; }

 private:
  struct Group;
  struct State;
  void observeOne(size_t c, size_t input, const normalize::Event& event, ingest::TimeUs t, const OnFiring& onFiring);
  void sweep(const OnFiring& onFiring);
  bool closeWindow(size_t c, Group& g, const OnFiring& onFiring, bool atEvent);
  void dropGroup(State& s, const std::string& key);
  void fire(size_t c, CorrelationFiring firing, const OnFiring& onFiring);

  std::vector<CorrelationSpec> specs_;
  std::vector<std::unique_ptr<State>> states_;
  std::vector<uint8_t> fired_;     // per signal: matched or fired during the current observe()
  std::vector<uint32_t> touched_;  // the signals set in fired_, to reset them
  CorrelationOptions options_;
  ingest::TimeUs watermark_ = INT64_MIN;
  uint64_t evicted_ = 0, expired_ = 0, late_ = 0, firings_ = 0;
};

}  // namespace vigil::detect::sigma
