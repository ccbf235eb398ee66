#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vigil::auth {

bool RateLimiter::allow(const std::string& key, int64_t nowMs, int64_t* retryAfterSeconds) {
  std::lock_guard lock(mu_);
  if (buckets_.size() >= maxKeys_ && !buckets_.count(key)) {
    // Forget the least recently used half; attackers cycling addresses cannot grow memory.
    std::vector<std::pair<int64_t, std::string>> byAge;
    byAge.reserve(buckets_.size());
    for (const auto& [k, b] : buckets_) byAge.emplace_back(b.lastMs, k);
    std::nth_element(byAge.begin(), byAge.begin() + static_cast<long>(byAge.size() / 2), byAge.end());
    for (size_t i = 0; i < byAge.size() / 2; ++i) buckets_.erase(byAge[i].second);
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, nowMs});
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + (static_cast<double>(nowMs - b.lastMs) / 1000.0) * perSecond_);
  b.lastMs = nowMs;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retryAfterSeconds) *retryAfterSeconds = static_cast<int64_t>(std::ceil((1.0 - b.tokens) / perSecond_));
  return false;
}

}  // namespace vigil::auth
