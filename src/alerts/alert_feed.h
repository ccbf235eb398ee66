// AlertFeed: wakes the clients that follow changes of the alert queue: the event streams (SSE,
// GET /api/v1/alerts/stream) and the long-poll route (GET /api/v1/alerts/changes). Writers call
// notify() after a commit that inserted or changed alerts. The store's change sequence stays the
// truth: the feed only says "look again", so a missed wake-up costs at most one wait slice.
//
// Streams subscribe() a callback that notify() calls (outside the feed's lock, on the writer's
// thread: it must only schedule work); they hold no thread while waiting, and at most
// `maxStreams` are open at once. A long-poll waiter reads version(), looks for changes in the
// store, and if there are none waits for a newer version; waiting holds an HTTP worker thread,
// so simultaneous waiters are bounded (`maxWaiters`) and a request beyond it is answered at once.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace vigil::alerts {

class AlertFeed {
 public:
  explicit AlertFeed(int maxWaiters = 2, int maxStreams = 256) : maxWaiters_(maxWaiters), maxStreams_(maxStreams) {}

  void notify() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mu_);
      ++version_;
      callbacks.reserve(subscribers_.size());
      for (const auto& [id, fn] : subscribers_) callbacks.push_back(fn);
    }
    cv_.notify_all();
    for (const auto& fn : callbacks) fn();
  }

  // Calls `onChange` after every later notify() until unsubscribe(id). Returns 0 (and does not
  // subscribe) when maxStreams are open. A callback may still run once just after unsubscribe().
  uint64_t subscribe(std::function<void()> onChange) {
    std::lock_guard lock(mu_);
    if (static_cast<int>(subscribers_.size()) >= maxStreams_) return 0;
    const uint64_t id = ++lastSubscription_;
    subscribers_.emplace(id, std::move(onChange));
    return id;
  }
  void unsubscribe(uint64_t id) {
    std::lock_guard lock(mu_);
    subscribers_.erase(id);
  }
  int streams() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(subscribers_.size());
  }
  uint64_t version() const {
    std::lock_guard lock(mu_);
    return version_;
  }
  // Waits until the version differs from `seen` or `timeout` passes. Returns the current version.
  uint64_t waitPast(uint64_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return version_ != seen; });
    return version_;
  }

  // A slot for one waiting request; false when all are taken. Release with leaveWait().
  bool enterWait() {
    std::lock_guard lock(mu_);
    if (waiters_ >= maxWaiters_) return false;
    ++waiters_;
    return true;
  }
  void leaveWait() {
    std::lock_guard lock(mu_);
    --waiters_;
  }

 private:
  const int maxWaiters_;
  const int maxStreams_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t version_ = 0;                                   // GUARDED_BY(mu_)
  int waiters_ = 0;                                        // GUARDED_BY(mu_)
  uint64_t lastSubscription_ = 0;                          // GUARDED_BY(mu_)
  std::map<uint64_t, std::function<void()>> subscribers_;  // GUARDED_BY(mu_)
};

}  // namespace vigil::alerts
