#include "normalize/event.h"

#include <cstdio>

namespace vigil::normalize {

namespace {
// Typical events carry 10-40 fields and 100-300 bytes of values beyond the raw text.
constexpr size_t kTypicalFields = 32;
constexpr size_t kTypicalExtraBytes = 256;
}  // namespace

void Event::reset(std::string_view raw) {
  buf_.clear();
  if (buf_.capacity() < raw.size() + kTypicalExtraBytes) buf_.reserve(raw.size() + kTypicalExtraBytes);
  buf_.append(raw);
  rawLen_ = static_cast<uint32_t>(raw.size());
  slots_.clear();
  if (slots_.capacity() < kTypicalFields) slots_.reserve(kTypicalFields);
  orgId = 0;
  sourceId = 0;
  receivedUs = 0;
  source_ = nullptr;
}

uint32_t Event::place(std::string_view text) {
  if (source_ != nullptr && text.data() >= source_ && text.data() + text.size() <= source_ + rawLen_)
    return static_cast<uint32_t>(text.data() - source_);
  const auto off = static_cast<uint32_t>(buf_.size());
  buf_.append(text);
  return off;
}

std::string_view Event::nameAt(size_t i) const {
  const Slot& s = slots_[i];
  return s.namePtr != nullptr ? std::string_view(s.namePtr, s.nameLen)
                              : std::string_view(buf_).substr(s.nameOff, s.nameLen);
}

Value Event::valueAt(size_t i) const {
  const Slot& s = slots_[i];
  return {s.type, std::string_view(buf_).substr(s.off, s.len), s.number};
}

const Event::Slot* Event::find(std::string_view name) const {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (nameAt(i) == name) return &slots_[i];
  return nullptr;
}

Event::Slot& Event::slotFor(std::string_view staticName) {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (nameAt(i) == staticName) return slots_[i];
  Slot& s = slots_.emplace_back();
  s.namePtr = staticName.data();
  s.nameLen = static_cast<uint32_t>(staticName.size());
  return s;
}

void Event::setString(std::string_view staticName, std::string_view value) {
  const uint32_t off = place(value);
  Slot& s = slotFor(staticName);
  s.type = ValueType::kString;
  s.off = off;
  s.len = static_cast<uint32_t>(value.size());
  s.number = 0;
}

void Event::setInt(std::string_view staticName, int64_t value, std::string_view text) {
  const uint32_t off = place(text);
  Slot& s = slotFor(staticName);
  s.type = ValueType::kInt;
  s.off = off;
  s.len = static_cast<uint32_t>(text.size());
  s.number = value;
}

void Event::setIp(std::string_view staticName, std::string_view validIp) {
  setString(staticName, validIp);
  slotFor(staticName).type = ValueType::kIp;
}

void Event::setTime(std::string_view staticName, TimeUs value) {
  Slot& s = slotFor(staticName);
  s.type = ValueType::kTime;
  s.off = 0;
  s.len = 0;
  s.number = value;
}

void Event::setOwnedName(std::string_view prefix, std::string_view key, ValueType type, std::string_view text,
                         int64_t number) {
  const uint32_t valueOff = place(text);
  // The name is written after the values first; dropped again when the field already exists.
  const auto nameOff = static_cast<uint32_t>(buf_.size());
  buf_.append(prefix).append(key);
  const auto nameLen = static_cast<uint32_t>(prefix.size() + key.size());
  const std::string_view name = std::string_view(buf_).substr(nameOff, nameLen);
  Slot* s = nullptr;
  for (size_t i = 0; i < slots_.size() && s == nullptr; ++i)
    if (nameAt(i) == name) s = &slots_[i];
  if (s != nullptr) {
    buf_.resize(nameOff);
  } else {
    s = &slots_.emplace_back();
    s->namePtr = nullptr;
    s->nameOff = nameOff;
    s->nameLen = nameLen;
  }
  s->type = type;
  s->off = valueOff;
  s->len = static_cast<uint32_t>(text.size());
  s->number = number;
}

std::optional<Value> Event::get(std::string_view name) const {
  const Slot* s = find(name);
  if (s == nullptr) return std::nullopt;
  return Value{s->type, std::string_view(buf_).substr(s->off, s->len), s->number};
}

std::string_view Event::getText(std::string_view name) const {
  const Slot* s = find(name);
  return s == nullptr ? std::string_view() : std::string_view(buf_).substr(s->off, s->len);
}

bool Event::remove(std::string_view name) {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (nameAt(i) == name) {
      slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

std::string Event::formatTime(TimeUs us) {
  int64_t days = us >= 0 ? us / 86'400'000'000 : -((-us + 86'399'999'999) / 86'400'000'000);
  int64_t rem = us - days * 86'400'000'000;
  // Civil date from days since the epoch (H. Hinnant's algorithm).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  const int64_t secs = rem / 1'000'000;
  char out[80];
  std::snprintf(out, sizeof out, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), static_cast<long long>(rem % 1'000'000));
  return out;
}

}  // namespace vigil::normalize
