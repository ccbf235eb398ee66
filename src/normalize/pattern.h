// The pattern language of the program catalogs (catalogs/normalize/*.toml).
//
// A pattern is literal text with typed captures, matched from the start of the text (a prefix
// match: text after the pattern's end is allowed unless the pattern ends with %$):
//
//   Failed %{word:vigil.ssh.method} for %(invalid user %)%{data:user.name} from %{ip:source.ip}
//
//   %{kind} or %{kind:field}  a capture; without a field the text is matched and not stored
//   %( ... %)                 an optional group (nestable): tried first, skipped if the rest fails
//   %$                        end of the text (trailing blanks allowed)
//   %%                        a literal '%'
//   a space                   one or more blanks (space or tab), or the end of the text
//
// Capture kinds (kind: what it matches -> the value's type):
//   word     one or more non-blank characters, ending before a blank or before the first character
//            of a literal that can follow it -> string
//   token    like word but may be empty -> string
//   int      an optional '-' and 1..18 digits -> integer
//   nint     an int, or "-" (then nothing is stored) -> integer
//   ip       an IPv4 or IPv6 address (checked), without a trailing ":port" -> IP
//   data     the shortest text (possibly empty) after which the rest of the pattern matches;
//            at the end of the pattern, the rest of the text -> string
//   rest     the rest of the text -> string
//   quoted   a double-quoted string, \" escapes allowed; the value is the inside -> string
//   httpdate 10/Oct/2000:13:55:36 -0700 -> timestamp
//   ctime    Tue Sep 30 11:30:13[.262255] 2014 (no zone: the sender's zone is assumed) -> timestamp
//   ymdhms   2014/12/30 06:07:37, 2014-12-30T06:07:37[.123][Z|+07:00] -> timestamp
//   epoch    1403598929[.839] (seconds since 1970) -> timestamp
//   kv       the rest of the text as key=value pairs (at least one); the field part names the
//            catalog map that turns keys into ECS fields (%{kv:fortigate})
//   filterlog the rest of the text as a pfSense filterlog CSV record (decoded by the normaliser)
//
// Why not a regex engine: captures are typed and validated where they are matched (an "ip" is an
// address, a time is parsed once), a catalog author cannot write a pattern with catastrophic
// backtracking (the matcher has a fixed step budget), the patterns read like the log lines, and
// matching is a single forward scan that fails on the first differing literal — which is what
// most candidate patterns do for most lines.
//
// Thread-safety: a compiled Pattern is immutable; match() may run on many threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::normalize {

enum class CaptureKind : uint8_t {
  kWord,
  kToken,
  kInt,
  kNint,
  kIp,
  kData,
  kRest,
  kQuoted,
  kHttpDate,
  kCtime,
  kYmdHms,
  kEpoch,
  kKv,
  kFilterlog,
};

struct PatternToken {
  enum class Op : uint8_t { kLiteral, kCapture, kOptStart, kOptEnd, kEnd };
  Op op = Op::kLiteral;
  CaptureKind kind = CaptureKind::kWord;
  std::string text;       // literal text; for a capture the field (or map) name, "" when not stored
  uint32_t groupEnd = 0;  // kOptStart: index of the matching kOptEnd
  std::string stopChars;  // word/token: first characters of the literals that can follow
};

struct Capture {
  uint16_t token = 0;  // index into Pattern::tokens()
  std::string_view text;
  int64_t number = 0;         // int: the value; times: microseconds since the epoch, UTC
  bool absent = false;        // nint "-": matched, nothing to store
  bool zoneInferred = false;  // a time without a zone; the sender's zone was assumed
};

// Captures of one match, on the stack (a pattern has at most kMaxCaptures captures).
struct Captures {
  static constexpr size_t kMaxCaptures = 24;
  std::array<Capture, kMaxCaptures> items;
  size_t count = 0;
};

class Pattern {
 public:
  // Errors (Error::badRequest) name the position and what is wrong: unknown kind, unbalanced %( %),
  // kv/rest/filterlog not last, more than kMaxCaptures captures, empty pattern.
  static Result<Pattern> compile(std::string_view text);

  // Matches from the start of `in`. `zoneOffsetMinutes` is the sender's zone for times that carry
  // none. On success `out` holds the captures in pattern order (those inside skipped optional
  // groups are absent).
  bool match(std::string_view in, int zoneOffsetMinutes, Captures& out) const;

  const std::vector<PatternToken>& tokens() const { return tokens_; }
  const std::string& source() const { return source_; }

 private:
  std::vector<PatternToken> tokens_;
  std::string source_;
};

// Parses an IPv4 or IPv6 address (no brackets, no port). Used by the pattern and by the maps.
bool isIpAddress(std::string_view text);

}  // namespace vigil::normalize
