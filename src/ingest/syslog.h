// Syslog header parsing: RFC 5424 and RFC 3164/BSD as seen in the wild.
//
// parseSyslog() never fails and never drops input: whatever the bytes, it returns a
// SyslogMessage that keeps the raw text. A line it cannot recognise comes back with
// format == kUnknown, msg == raw and the receive time as its timestamp.
//
// Lifetime: every std::string_view in a SyslogMessage points either into the `raw` buffer passed
// to parseSyslog() or into the message's own small owned buffer (decoded structured-data values
// that contained escapes). The caller keeps `raw` alive and unchanged for as long as the message
// is used; the message may be moved freely (the owned buffer is heap-allocated and does not move).
// Thread-safety: parseSyslog() is a pure function; a SyslogMessage is a plain value.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::ingest {

enum class SyslogFormat : uint8_t { kUnknown, kRfc3164, kRfc5424 };

// Microseconds since the Unix epoch, UTC.
using TimeUs = int64_t;

// Asia/Ho_Chi_Minh: UTC+7 all year (no daylight saving time).
inline constexpr int kDefaultZoneOffsetMinutes = 7 * 60;

struct ParseOptions {
  TimeUs receivedUs = 0;   // when the message arrived; used when it carries no usable timestamp
  TimeUs referenceUs = 0;  // "now" for resolving a missing year; 0 means receivedUs
  int zoneOffsetMinutes = kDefaultZoneOffsetMinutes;  // zone of the sender when the line has none
};

// One PARAM of an SD-ELEMENT; value is decoded (\" \\ \] unescaped).
struct SdParam {
  std::string_view name;
  std::string_view value;
};

struct SdElement {
  std::string_view id;
  uint32_t firstParam = 0;  // index into SyslogMessage::sdParams
  uint32_t paramCount = 0;
};

struct SyslogMessage {
  std::string_view raw;  // the whole input, unchanged (NUL bytes and invalid UTF-8 included)
  SyslogFormat format = SyslogFormat::kUnknown;

  bool hasPri = false;  // false: missing or malformed; pri is then 13 (user.notice), as rsyslog does
  int pri = 13;
  int facility = 1;
  int severity = 5;
  int version = 0;  // 1 for RFC 5424

  // Timestamp. timeUs is UTC; zoneOffsetMinutes is the offset the sender's clock showed (or the
  // assumed one). hasTimestamp is false when the line had none: timeUs is then the receive time.
  TimeUs timeUs = 0;
  int zoneOffsetMinutes = 0;
  bool hasTimestamp = false;
  bool yearInferred = false;  // the line had no year; it came from the reference time
  bool zoneInferred = false;  // the line had no zone; ParseOptions::zoneOffsetMinutes was used
  std::string_view timestampText;

  std::string_view hostname;        // empty when absent ("-" in 5424)
  std::string_view appName;         // 5424 APP-NAME; 3164: the tag up to '[' or ':' (rsyslog's programname)
  std::string_view procId;          // 5424 PROCID; 3164: the digits in "tag[pid]"
  std::string_view msgId;           // 5424 only
  std::string_view tag;             // 3164: the whole tag as sent, colon included ("sshd[42]:")
  std::string_view structuredData;  // 5424: the raw SD text ("" for "-")
  bool structuredDataValid = true;  // false: SD was malformed; msg then holds everything from the SD on
  bool bom = false;                 // msg started with a UTF-8 BOM (removed from msg)
  std::string_view msg;
  // The text after the header where a payload format (CEF, LEEF, key=value) starts: 3164 TAG and
  // MSG together (a CEF line's "CEF:" is read as the tag), 5424 MSG, or the whole line when unknown.
  std::string_view content;

  std::vector<SdElement> sdElements;
  std::vector<SdParam> sdParams;

  // Convenience: the value of PARAM `name` in SD-ELEMENT `id`, or nullptr.
  const std::string_view* sdValue(std::string_view id, std::string_view name) const;

  std::unique_ptr<char[]> owned;  // decoded SD values that had escapes; see the lifetime note
};

SyslogMessage parseSyslog(std::string_view raw, const ParseOptions& options = {});

// "kern", "user", ... "local7"; "" outside 0..23.
std::string_view facilityName(int facility);
// "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"; "" outside 0..7.
std::string_view severityName(int severity);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
int64_t daysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace vigil::ingest
