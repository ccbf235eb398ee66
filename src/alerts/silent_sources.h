// SilentSourceWatch: the detector of log sources that went silent (issue 5: "a source that goes
// silent beyond its expected interval raises an alert into the alert queue"). Every `interval` it
// reads the enabled declared sources, asks `lastSeen` when each was last heard from, and raises
// one `source_silent` alert (rule "source-silent", dedup key = the source id) when a watched
// source (expected interval > 0) turns silent. While it stays silent nothing more is raised; once
// it is heard again it may raise again later. A source never heard from is "never", not silent
// (as on the sources page).
//
// After a restart a source still silent is raised once more; the store's deduplication merges it
// into the open alert (count + 1) when that alert was seen within the window.
//
// Threads: checkOnce() may be called from any one thread at a time; start()/stop() run it on the
// watch's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "alerts/alert_sink.h"
#include "core/clock.h"
#include "store/store.h"

namespace vigil::alerts {

// When a source was last heard from (ms since the epoch; 0: never).
using LastSeenFn = std::function<TimeMs(const LogSource&)>;

inline constexpr const char* kSilentSourceRule = "source-silent";

class SilentSourceWatch {
 public:
  SilentSourceWatch(Store& store, AlertSink& sink, const Clock& clock, LastSeenFn lastSeen);
  ~SilentSourceWatch();

  // One pass; returns how many alerts were raised.
  Result<int> checkOnce();
  void start(std::chrono::milliseconds interval);
  void stop();

 private:
  Store& store_;
  AlertSink& sink_;
  const Clock& clock_;
  LastSeenFn lastSeen_;
  std::set<int64_t> silent_;  // sources known silent; checkOnce's thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace vigil::alerts
