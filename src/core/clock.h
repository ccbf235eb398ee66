// Clock: the one source of "now" in vigil, injected so that tests control time.
// Thread-safe: SystemClock is stateless; ManualClock uses an atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// Milliseconds since the Unix epoch, UTC.
using TimeMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs nowMs() const = 0;
  int64_t nowSeconds() const { return nowMs() / 1000; }
};

class SystemClock final : public Clock {
 public:
  TimeMs nowMs() const override;
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start) {}
  TimeMs nowMs() const override { return now_.load(); }
  void advanceMs(int64_t ms) { now_ += ms; }
  void set(TimeMs t) { now_ = t; }

 private:
  std::atomic<TimeMs> now_;
};

// RFC 3339 in UTC with seconds precision: "2026-11-24T04:49:52Z".
std::string formatRfc3339(TimeMs t);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" and an offset "+07:00"; fractional seconds allowed.
std::optional<TimeMs> parseRfc3339(std::string_view s);

}  // namespace vigil
