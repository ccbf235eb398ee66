// A per-key token bucket (here: per source address for login attempts). Bounded: when more than
// `maxKeys` keys are tracked, the oldest are forgotten. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vigil::auth {

class RateLimiter {
 public:
  RateLimiter(double burst, double perSecond, size_t maxKeys = 10000)
      : burst_(burst), perSecond_(perSecond), maxKeys_(maxKeys) {}

  // Takes one token for `key` at time `nowMs`; false when the bucket is empty. On false,
  // `retryAfterSeconds` says when a token will be back.
  bool allow(const std::string& key, int64_t nowMs, int64_t* retryAfterSeconds = nullptr);

 private:
  struct Bucket {
    double tokens;
    int64_t lastMs;
  };
  const double burst_;
  const double perSecond_;
  const size_t maxKeys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace vigil::auth
