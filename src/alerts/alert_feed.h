// AlertFeed: wakes the clients that wait for changes of the alert queue (the long-poll route
// GET /api/v1/alerts/changes). Writers call notify() after a commit that inserted or changed
// alerts; a waiter reads version(), looks for changes in the store, and if there are none waits
// for a newer version. The store's change sequence stays the truth: the feed only says "look
// again", so a missed wake-up costs at most one wait slice.
//
// Waiting holds an HTTP worker thread, so the number of simultaneous waiters is bounded
// (`maxWaiters`); a request beyond it is answered at once and the client polls again later.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace vigil::alerts {

class AlertFeed {
 public:
  explicit AlertFeed(int maxWaiters = 2) : maxWaiters_(maxWaiters) {}

  void notify() {
    {
      std::lock_guard lock(mu_);
      ++version_;
    }
    cv_.notify_all();
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
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t version_ = 0;  // GUARDED_BY(mu_)
  int waiters_ = 0;       // GUARDED_BY(mu_)
};

}  // namespace vigil::alerts
