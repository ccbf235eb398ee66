// The per-host rate gate of the scheduled monitor: at most one request (HTTP request, redirect hop
// or TLS handshake) per host per `minInterval`, whatever thread makes it. Every check of the
// scheduler passes it through FetchOptions::beforeRequest and TlsOptions::beforeRequest.
//
// Contract: wait(host) reserves the host's next free slot (slots are `minInterval` apart, handed
// out in call order) and blocks until that slot's time, then returns true. When stop() has been
// called it returns false at once (also to callers already waiting), so that a stopping scheduler
// is not held by a queue of slots. Time is the real monotonic clock: the gate protects real servers.
// Memory: one entry per host seen, entries whose slot is long past are pruned. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::webmon {

class HostGate {
 public:
  explicit HostGate(std::chrono::milliseconds minInterval) : interval_(minInterval) {}

  bool wait(std::string_view host);
  void stop();
  bool stopped() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;                              // GUARDED_BY(mu_)
  std::unordered_map<std::string, SteadyTime> next_;  // host -> earliest free slot; GUARDED_BY(mu_)
  SteadyTime lastPrune_{};                            // GUARDED_BY(mu_)
};

}  // namespace vigil::webmon
