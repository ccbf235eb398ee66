#include "detect/live/detection_stage.h"

#include "core/log.h"

namespace vigil::detect::live {

DetectionStage::DetectionStage(StageOptions options, MatchHandler onMatch, CorrelationHandler onCorrelation)
    : opts_(options),
      onMatch_(std::move(onMatch)),
      onCorrelation_(std::move(onCorrelation)),
      set_(LiveRuleSet::empty()) {
  if (Metrics* m = opts_.metrics) {
    m->describe("vigil_detect_events_total", Metrics::Type::kCounter,
                "Events seen by live detection, by result (evaluated; dropped: the detection queue stayed full).");
    m->describe("vigil_detect_matches_total", Metrics::Type::kCounter, "Rule matches found by live detection.");
    m->describe("vigil_detect_correlations_total", Metrics::Type::kCounter,
                "Correlation rule firings found by live detection.");
    m->describe("vigil_detect_queue_events", Metrics::Type::kGauge, "Events waiting for live detection.");
    m->describe("vigil_detect_batch_seconds", Metrics::Type::kHistogram,
                "Time to evaluate one batch of events with the current rule set.");
  }
  const int n = std::max(1, opts_.threads);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
}

DetectionStage::~DetectionStage() { stop(); }

void DetectionStage::install(std::shared_ptr<const LiveRuleSet> set) {
  if (!set) set = LiveRuleSet::empty();
  {
    std::lock_guard lk(setMu_);
    set_ = std::move(set);
  }
  std::lock_guard lk(mu_);
  ++stats_.swaps;
}

std::shared_ptr<const LiveRuleSet> DetectionStage::current() const {
  std::lock_guard lk(setMu_);
  return set_;
}

void DetectionStage::onAccepted(std::span<const normalize::Event> events) {
  if (events.empty()) return;
  std::unique_lock lk(mu_);
  stats_.offered += events.size();
  // A batch larger than the whole queue is admitted once the queue is empty.
  const size_t need = std::min(events.size(), opts_.queueEvents);
  const bool room =
      roomCv_.wait_for(lk, opts_.maxWait, [&] { return stopping_ || queue_.size() + need <= opts_.queueEvents; });
  if (!room || stopping_) {
    stats_.dropped += events.size();
    if (opts_.metrics)
      opts_.metrics->add("vigil_detect_events_total", "result=\"dropped\"", static_cast<double>(events.size()));
    const auto now = std::chrono::steady_clock::now();
    if (now - lastDropLog_ > std::chrono::seconds(10)) {
      lastDropLog_ = now;
      log::warn("live detection is behind: " + std::to_string(events.size()) +
                " event(s) were stored but not evaluated (detection queue full; " + std::to_string(stats_.dropped) +
                " so far). Run a retro-hunt over this period.");
    }
    return;
  }
  for (const normalize::Event& e : events) queue_.push_back(e);
  enqueuedTotal_ += events.size();
  if (opts_.metrics) opts_.metrics->set("vigil_detect_queue_events", "", static_cast<double>(queue_.size()));
  lk.unlock();
  workCv_.notify_one();
}

void DetectionStage::run() {
  std::vector<normalize::Event> batch;
  // This thread's correlation state and the set it belongs to (header comment).
  std::shared_ptr<const LiveRuleSet> stateSet;
  std::unique_ptr<CorrelationState> state;
  auto lastEvent = std::chrono::system_clock::now();
  uint64_t firings = 0;
  auto onFiring = [&](const sigma::CorrelationFiring& f, const RuleMeta& meta, int64_t orgId,
                      const normalize::Event* event) {
    ++firings;
    if (onCorrelation_) onCorrelation_(f, meta, orgId, event, stateSet->version());
  };
  auto count = [&](uint64_t matches, uint64_t fired, size_t evaluated) {
    if (Metrics* m = opts_.metrics) {
      if (evaluated > 0) m->add("vigil_detect_events_total", "result=\"evaluated\"", static_cast<double>(evaluated));
      if (matches > 0) m->add("vigil_detect_matches_total", "", static_cast<double>(matches));
      if (fired > 0) m->add("vigil_detect_correlations_total", "", static_cast<double>(fired));
    }
    std::lock_guard lk(mu_);
    stats_.evaluated += evaluated;
    stats_.matches += matches;
    stats_.firings += fired;
    finishedTotal_ += evaluated;
  };
  for (;;) {
    bool idle = false;
    {
      std::unique_lock lk(mu_);
      idle = !workCv_.wait_for(lk, opts_.idleTick, [&] { return stopping_ || !queue_.empty(); });
      if (!idle) {
        if (queue_.empty()) return;  // stopping and drained
        const size_t n = std::min(opts_.batchMax, queue_.size());
        batch.clear();
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        if (opts_.metrics) opts_.metrics->set("vigil_detect_queue_events", "", static_cast<double>(queue_.size()));
      }
    }
    if (idle) {
      // Quiet: move correlation time forward by the idle wall time, never past the wall clock.
      const auto now = std::chrono::system_clock::now();
      if (state) {
        firings = 0;
        const auto toUs = [](auto d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
        stateSet->advanceTo(*state, toUs(now - lastEvent), toUs(now.time_since_epoch()), onFiring);
        if (firings > 0) count(0, firings, 0);
      }
      lastEvent = now;
      continue;
    }
    roomCv_.notify_all();
    // One rule-set version for the whole batch (header comment).
    const std::shared_ptr<const LiveRuleSet> set = current();
    if (set != stateSet) {
      stateSet = set;
      state = set->newState();  // nullptr when the set has no correlation
    }
    const auto start = std::chrono::steady_clock::now();
    uint64_t matches = 0;
    firings = 0;
    for (const normalize::Event& e : batch)
      set->evaluate(
          e, state.get(),
          [&](const sigma::CompiledRule& rule, const RuleMeta& meta) {
            ++matches;
            if (onMatch_) onMatch_(e, rule, meta, set->version());
          },
          onFiring);
    lastEvent = std::chrono::system_clock::now();
    if (Metrics* m = opts_.metrics)
      m->observe("vigil_detect_batch_seconds", "",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    count(matches, firings, batch.size());
    doneCv_.notify_all();
  }
}

void DetectionStage::flush() {
  std::unique_lock lk(mu_);
  const uint64_t target = enqueuedTotal_;
  doneCv_.wait(lk, [&] { return finishedTotal_ >= target; });
}

void DetectionStage::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  workCv_.notify_all();
  roomCv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

DetectionStage::Stats DetectionStage::stats() const {
  std::lock_guard lk(mu_);
  Stats s = stats_;
  s.queued = queue_.size();
  return s;
}

}  // namespace vigil::detect::live
