#include "webmon/host_gate.h"

#include <algorithm>

namespace vigil::webmon {

bool HostGate::wait(std::string_view host) {
  std::unique_lock lock(mu_);
  if (stopped_) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now - lastPrune_ > std::chrono::minutes(1)) {
    // Hosts whose next slot is in the past need no entry: a missing entry means "free now".
    std::erase_if(next_, [&](const auto& e) { return e.second < now; });
    lastPrune_ = now;
  }
  auto [it, inserted] = next_.try_emplace(std::string(host), now);
  const SteadyTime slot = std::max(now, it->second);
  it->second = slot + interval_;
  cv_.wait_until(lock, slot, [&] { return stopped_; });
  return !stopped_;
}

void HostGate::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool HostGate::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

}  // namespace vigil::webmon
