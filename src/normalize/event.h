// A normalised event: ECS fields as a flat, insertion-ordered list of dotted names
// ("source.ip", "event.outcome") to typed values, plus the raw text, the agency (org) and source
// it came from, and the receive time.
//
// Cost model (the hot path: 200,000 events/s on 2 cores): an Event owns one character buffer
// that starts with a copy of the raw text and then holds every value that is not a slice of the
// raw text (decoded values, names built at run time), and one vector of fixed-size field slots.
// Values are stored as offsets into that buffer, so the buffer may grow and the Event may move.
// clear() keeps both allocations: a worker that reuses one Event per message allocates nothing in
// the steady state.
//
// Field names are either static (string literals or catalog strings, which must outlive the
// Event: the Normalizer that filled it owns them) or copied into the buffer (names built from
// payload keys, e.g. "fortinet.firewall.vd").
//
// Thread-safety: a plain value; no sharing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/syslog.h"

namespace vigil::normalize {

using ingest::TimeUs;

enum class ValueType : uint8_t {
  kString,
  kInt,   // number holds the value; text the digits as sent
  kIp,    // text is a valid IPv4 or IPv6 address (checked with inet_pton)
  kTime,  // number holds microseconds since the epoch, UTC; text is empty
};

struct Value {
  ValueType type = ValueType::kString;
  std::string_view text;
  int64_t number = 0;
};

class Event {
 public:
  Event() = default;

  // Starts a new event from `raw` (copied). Keeps the capacity of the previous one.
  void reset(std::string_view raw);
  void clear() { reset({}); }

  // Who sent it and when it arrived; not ECS fields (the store keeps them in their own columns).
  int64_t orgId = 0;
  int64_t sourceId = 0;
  TimeUs receivedUs = 0;

  std::string_view raw() const { return {buf_.data(), rawLen_}; }

  // Sets `name` to a value, replacing an earlier value of the same name (in place: the order of
  // first insertion is kept). A view that lies inside the raw text passed to reset() (the caller's
  // buffer, given as `source` below) is stored as an offset; any other text is copied.
  // `staticName` must outlive the Event (see the header comment); setOwnedName() copies the name.
  void setString(std::string_view staticName, std::string_view value);
  void setInt(std::string_view staticName, int64_t value, std::string_view text = {});
  void setIp(std::string_view staticName, std::string_view validIp);
  void setTime(std::string_view staticName, TimeUs value);
  void setOwnedName(std::string_view prefix, std::string_view key, ValueType type, std::string_view text,
                    int64_t number = 0);

  // The caller's raw buffer, so views into it are stored as offsets instead of copies. Set by
  // the normaliser for the duration of normalize(); nullptr otherwise.
  void setSource(const char* source) { source_ = source; }

  std::optional<Value> get(std::string_view name) const;
  std::string_view getText(std::string_view name) const;  // "" when absent; the text of any type
  bool has(std::string_view name) const { return find(name) != nullptr; }
  bool remove(std::string_view name);

  size_t size() const { return slots_.size(); }
  std::string_view nameAt(size_t i) const;
  Value valueAt(size_t i) const;

  // "2026-11-24T03:00:00.123456Z" (UTC, microseconds).
  static std::string formatTime(TimeUs us);

 private:
  struct Slot {
    const char* namePtr = nullptr;  // static name, or nullptr: the name is in buf_
    uint32_t nameOff = 0;
    uint32_t nameLen = 0;
    uint32_t off = 0;
    uint32_t len = 0;
    int64_t number = 0;
    ValueType type = ValueType::kString;
  };

  const Slot* find(std::string_view name) const;
  Slot& slotFor(std::string_view staticName);
  // Offset of `text` in buf_, copying it after the raw text unless it is a slice of the source.
  uint32_t place(std::string_view text);

  std::string buf_;
  uint32_t rawLen_ = 0;
  const char* source_ = nullptr;
  std::vector<Slot> slots_;
};

}  // namespace vigil::normalize
