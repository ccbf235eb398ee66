// DetectionStage: the live detection of `vigil serve`. The collector hands it every batch the
// event store accepted (collect::EventTap); it copies the events into a bounded queue and
// returns, and one or more detection threads evaluate them with the current LiveRuleSet and hand
// each match to the MatchHandler (in serve: an alert through alerts::AlertSink).
//
// Rule set swap (hot reload): install() replaces the current set atomically (a shared_ptr
// swapped under a mutex, RCU style: a thread that is evaluating keeps its own reference until it
// finishes its batch). A detection thread takes the current set ONCE per batch it dequeues and
// evaluates the whole batch with it, and every queued event is dequeued exactly once: each event
// is evaluated by exactly one rule-set version, none is skipped or evaluated twice across a swap.
//
// Correlations: each detection thread keeps its own LiveRuleSet::CorrelationState for the set it
// last used and makes a new one when the set changes (a reload starts correlation windows afresh).
// Correlation windows are therefore exact only with ONE detection thread (`detect.threads = 1`,
// the default): with several, the events of one group are shared between threads by arrival and
// each thread counts only its share (a threshold may be crossed later or not at all; nothing is
// counted twice). When a thread has had no event for `idleTick`, it moves every agency's event
// time forward by the idle wall time, never past the wall clock (LiveRuleSet::advanceTo), so
// windows that ended close and at-close correlations (value_sum, `lt` bounds, ...) fire on a
// quiet stream. Events older than that moved time by more than their correlation's timespan no
// longer count (sigma CorrelationEngine: late events); their own rules still match.
//
// Overflow policy: the queue holds at most `queueEvents` events. An input thread that finds it
// full waits at most `maxWait` for room (back-pressure that never blocks ingest for longer),
// then the batch is NOT evaluated: its events are counted as dropped
// (vigil_detect_events_total{result="dropped"}) and a warning is logged (at most once per
// 10 s). The events themselves are stored (detection runs after the store accepted them), so a
// retro-hunt over that time range finds what live detection missed.
//
// Threads: every method is thread-safe. stop() evaluates what is queued, then joins the threads;
// batches offered after stop() are counted as dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "collect/collector.h"
#include "core/metrics.h"
#include "detect/live/live_rule_set.h"

namespace vigil::detect::live {

struct StageOptions {
  size_t queueEvents = 32768;                // bound of the queue (events; each copied)
  int threads = 1;                           // detection threads
  std::chrono::milliseconds maxWait{200};    // an input waits at most this long for room
  size_t batchMax = 256;                     // events a thread takes at once
  std::chrono::milliseconds idleTick{1000};  // a thread without events advances correlation time
  Metrics* metrics = nullptr;                // optional: vigil_detect_* families
};

// Called on a detection thread for each match, with the version of the set that matched.
using MatchHandler = std::function<void(const normalize::Event& event, const sigma::CompiledRule& rule,
                                        const RuleMeta& meta, uint64_t setVersion)>;

// Called on a detection thread for each correlation firing (LiveRuleSet::OnCorrelation), with the
// version of the set whose correlation fired.
using CorrelationHandler = std::function<void(const sigma::CorrelationFiring& firing, const RuleMeta& meta,
                                              int64_t orgId, const normalize::Event* event, uint64_t setVersion)>;

class DetectionStage final : public collect::EventTap {
 public:
  DetectionStage(StageOptions options, MatchHandler onMatch, CorrelationHandler onCorrelation = {});
  ~DetectionStage() override;
  DetectionStage(const DetectionStage&) = delete;
  DetectionStage& operator=(const DetectionStage&) = delete;

  // Swaps the current rule set (see the header comment). nullptr installs the empty set.
  void install(std::shared_ptr<const LiveRuleSet> set);
  std::shared_ptr<const LiveRuleSet> current() const;

  // collect::EventTap: copies the batch into the queue (or drops it, see the overflow policy).
  void onAccepted(std::span<const normalize::Event> events) override;

  // Blocks until every event offered before the call has been evaluated (tests, shutdown).
  void flush();
  void stop();

  struct Stats {
    uint64_t offered = 0;    // events handed over by the collector
    uint64_t evaluated = 0;  // events evaluated by a rule set
    uint64_t dropped = 0;    // events not evaluated because the queue stayed full
    uint64_t matches = 0;    // (event, rule) matches handed to the handler
    uint64_t firings = 0;    // correlation firings handed to the correlation handler
    uint64_t queued = 0;     // events waiting now
    uint64_t swaps = 0;      // install() calls
  };
  Stats stats() const;

 private:
  void run();

  const StageOptions opts_;
  MatchHandler onMatch_;
  CorrelationHandler onCorrelation_;

  mutable std::mutex setMu_;
  std::shared_ptr<const LiveRuleSet> set_;  // GUARDED_BY(setMu_)

  mutable std::mutex mu_;
  std::condition_variable workCv_;                       // events queued, or stopping
  std::condition_variable roomCv_;                       // room in the queue
  std::condition_variable doneCv_;                       // a batch was evaluated
  std::deque<normalize::Event> queue_;                   // GUARDED_BY(mu_)
  uint64_t enqueuedTotal_ = 0;                           // GUARDED_BY(mu_): events ever queued
  uint64_t finishedTotal_ = 0;                           // GUARDED_BY(mu_): events evaluated
  bool stopping_ = false;                                // GUARDED_BY(mu_)
  Stats stats_;                                          // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point lastDropLog_{};  // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace vigil::detect::live
