#include "alerts/silent_sources.h"

#include "core/log.h"

namespace vigil::alerts {

SilentSourceWatch::SilentSourceWatch(Store& store, AlertSink& sink, const Clock& clock, LastSeenFn lastSeen)
    : store_(store), sink_(sink), clock_(clock), lastSeen_(std::move(lastSeen)) {}

SilentSourceWatch::~SilentSourceWatch() { stop(); }

Result<int> SilentSourceWatch::checkOnce() {
  VIGIL_ASSIGN_OR_RETURN(auto sources, store_.allSourcesForCollector());
  const TimeMs now = clock_.nowMs();
  std::set<int64_t> stillSilent;
  int raised = 0;
  for (const auto& cs : sources) {
    const LogSource& s = cs.source;
    if (!s.enabled || s.expectedIntervalMinutes <= 0) continue;
    const TimeMs last = lastSeen_(s);
    const TimeMs intervalMs = static_cast<TimeMs>(s.expectedIntervalMinutes) * 60 * 1000;
    if (last <= 0 || now - last <= intervalMs) continue;
    stillSilent.insert(s.id);
    if (silent_.count(s.id)) continue;
    const std::string id = std::to_string(s.id);
    AlertDraft d{
        .orgId = s.orgId,
        .asset = s.name,
        .detector = DetectorKind::kSourceSilent,
        .ruleId = kSilentSourceRule,
        .ruleTitle = "Nguồn log ngừng gửi (source went silent)",
        .severity = AlertSeverity::kMedium,
        .dedupKey = id,
        .title = "Nguồn log «" + s.name + "» không gửi log quá " + std::to_string(s.expectedIntervalMinutes) + " phút",
        .description = "The log source '" + s.name + "' (id " + id + ") of " + s.orgName + " has sent nothing since " +
                       formatRfc3339(last) + "; it is expected every " + std::to_string(s.expectedIntervalMinutes) +
                       " minutes.",
        .evidence = "last_seen=" + formatRfc3339(last) + " expected_interval_minutes=" +
                    std::to_string(s.expectedIntervalMinutes) + " checked_at=" + formatRfc3339(now),
        .eventsQuery = "vigil.source_id:" + id,
        .seenAt = now};
    if (Status st = sink_.raise(std::move(d)); !st.ok()) {
      log::error("silent log source " + id + ": the alert was not raised: " + st.error().message);
      stillSilent.erase(s.id);  // try again at the next pass
      continue;
    }
    ++raised;
  }
  silent_ = std::move(stillSilent);
  return raised;
}

void SilentSourceWatch::start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto r = checkOnce();
      if (!r.ok()) log::error("silent log source check failed: " + r.error().message);
      lock.lock();
      cv_.wait_for(lock, interval, [&] { return stopping_; });
    }
  });
}

void SilentSourceWatch::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vigil::alerts
