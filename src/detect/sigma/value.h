// Compiled Sigma values: one FieldItem value with its modifiers becomes a ValueTest, a predicate
// over the text of one event field.
//
// Strings: `*` matches any run, `?` one character, `\*` `\?` `\\` are the literal characters and a
// backslash before anything else is itself (pySigma's reading). Matching is case-insensitive
// (ASCII letters) unless `cased`. Modifiers, applied in rule order:
//   contains, startswith, endswith   add wildcards around the value
//   wide / utf16le, utf16be, utf16   encode the value (UTF-16 LE, BE, LE with BOM)
//   base64, base64offset             encode (base64offset: the three alignments, as pySigma)
//   windash                          each `-` or `/` that starts a word is also `/`, `-`, en dash,
//                                    em dash, horizontal bar (all combinations up to 3 positions,
//                                    then the same character at every position)
//   expand                           %name% placeholders from CompileOptions::placeholders; a
//                                    placeholder without configured values becomes `*`
//   re (+ i, m, s)                   RE2 regular expression, unanchored, case-sensitive unless i
//   cidr                             IPv4/IPv6 network; the event value must be an address in it
//   gt, gte, lt, lte                 numeric comparison (the event value must parse as a number)
//   minute, hour, day, week, month, year
//                                    time part of a date/time value: the event value (ISO 8601
//                                    text "YYYY-MM-DD[T ]hh:mm[:ss...]", or a kTime field, read
//                                    in UTC) gives its minute 0-59, hour 0-23, day 1-31, ISO week
//                                    1-53, month 1-12 or year, compared with the rule's number
//                                    (equal, or gt/gte/lt/lte when given). No time zone
//                                    conversion (the specification excludes it): the written
//                                    clock is used; a value that is not a date does not match
//   exists                           true/false: the field is present / absent
//   fieldref                         the value names another field; equal (or contains/startswith/
//                                    endswith) to that field's value
//   all                              the item's values are ANDed instead of ORed (FieldItem level)
//   cased                            case-sensitive string matching
// A plain number value (YAML int) compares numerically when the event value parses as a number
// (decimal or 0x hex), else as text. A null value matches an absent or empty field; '' matches an
// empty field.
//
// Encoding a value that has wildcards is an error (Sigma forbids it), as are unknown modifiers,
// invalid regexes or networks, and contradictory modifiers.
//
// Thread-safety: immutable after compile(); matches() may run on any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "detect/sigma/rule.h"
#include "normalize/event.h"

namespace re2 {
class RE2;
}

namespace vigil::detect::sigma {

struct CompileOptions {
  // expand: placeholder name (without %) -> values, e.g. {"Admins": {"admin", "root"}}.
  std::map<std::string, std::vector<std::string>> placeholders;
};

// Event field names to try, in order, for one Sigma field (from the pipeline); the first present
// one is the field's value.
using FieldCandidates = std::vector<std::string>;
using FieldResolver = std::function<FieldCandidates(const std::string& sigmaField)>;

// The value of a field in an event: the first candidate present, or nullopt.
std::optional<std::string_view> readField(const normalize::Event& event, const FieldCandidates& candidates);

// ASCII lower case of `in` into `out` (reused buffer).
void lowerInto(std::string_view in, std::string& out);

// A cheap hash of a field name: names share long prefixes ("winlog.event_data."), so the length
// and the last bytes tell them apart. For the tables of EventView and the rule index.
inline size_t fieldNameHash(std::string_view name) {
  uint64_t tail = 0;
  const size_t n = name.size() < 8 ? name.size() : 8;
  for (size_t i = 0; i < n; ++i) tail = (tail << 8) | static_cast<uint8_t>(name[name.size() - 1 - i]);
  uint64_t h = (tail ^ (name.size() * 0x9E3779B97F4A7C15ull)) * 0xFF51AFD7ED558CCDull;
  if (name.size() > 8) h ^= static_cast<uint8_t>(name[name.size() / 2]) * 0xC4CEB9FE1A85EC53ull;
  return static_cast<size_t>(h ^ (h >> 29));
}
struct FieldNameHasher {
  size_t operator()(std::string_view s) const { return fieldNameHash(s); }
};

// One event prepared for evaluation by many rules: field lookup by hash, and each field's lower
// case computed once, on first use. Refers to the event, which must not change meanwhile.
// Storage holds the buffers; a caller that evaluates many events (the rule index, one per
// thread) passes its own so that no allocation happens per event once they are warm. One Storage
// serves one EventView at a time.
class EventView {
 public:
  struct Storage {
    std::vector<std::pair<std::string_view, int>> table;  // open addressing; -1: empty slot
    std::string lowered;                                  // lower-cased values, one after another
    std::vector<uint32_t> lowOff;                         // per field: 1 + offset in `lowered`; 0: not yet
    std::vector<size_t> hashes;                           // per field: fieldNameHash of its name
    std::deque<std::pair<int, std::string>> timeText;     // formatted kTime fields (stable)
  };
  explicit EventView(const normalize::Event& event);
  EventView(const normalize::Event& event, Storage& storage);
  EventView(const EventView&) = delete;
  EventView& operator=(const EventView&) = delete;
  const normalize::Event& event() const { return event_; }
  // The index of the first candidate present, or -1.
  int find(const FieldCandidates& candidates) const;
  int findName(std::string_view name) const;
  size_t size() const { return event_.size(); }
  size_t nameHash(int i) const { return s_.hashes[static_cast<size_t>(i)]; }
  // The field's text; a kTime field (stored as a number) reads as Event::formatTime's text.
  std::string_view text(int i) const;
  std::string_view lowered(int i) const;

 private:
  void init();
  const normalize::Event& event_;
  Storage own_;  // used when no Storage is given
  Storage& s_;
  size_t mask_ = 0;
};

// A wildcard pattern compiled for matching. Literal text is lower-cased unless cased.
class Glob {
 public:
  // `text` + per byte kind: 0 literal, 1 '?', 2 '*'.
  Glob(const std::string& text, const std::vector<uint8_t>& kinds, bool cased);
  // `value` is the event text, `lowered` its lower case (used unless cased).
  bool matches(std::string_view value, std::string_view lowered) const;
  // The longest literal run (prefilter material), as compared (lower case unless cased).
  std::string longestLiteral() const;
  // The whole text when the pattern has no wildcard (it matches only that text), else nullopt.
  std::optional<std::string_view> exactText() const;

 private:
  enum class Kind { kExact, kPrefix, kSuffix, kContains, kAny, kGeneral };
  Kind kind_ = Kind::kGeneral;
  bool cased_ = false;
  std::string text_;            // literal for the simple kinds; the pattern bytes for kGeneral
  std::vector<uint8_t> kinds_;  // kGeneral only
};

class ValueTest {
 public:
  static Result<ValueTest> compile(const Scalar& value, const std::vector<std::string>& modifiers,
                                   const CompileOptions& options, const FieldResolver& resolve);

  // `value` is the field's text when present; `lowered` its lower case.
  bool matches(const std::optional<std::string_view>& value, std::string_view lowered, const EventView& event) const;
  // Literal strings one of which the value must contain (ASCII case-insensitively) for the test to
  // hold: wildcard strings (their longest literal run) and regular expressions (RE2's prefilter
  // atoms, when it proves some). Empty: none known.
  std::vector<std::string> literals() const;
  // The numbers the field's value must parse to (parseNumber) for the test to hold: a plain number
  // (kNumberEq), or strings without wildcards that all read as numbers. nullopt for any other test.
  std::optional<std::vector<double>> equalNumbers() const;
  // The number of patterns the value compiled to (windash, base64offset, expand give several).
  size_t weight() const { return globs_.size() + 1; }
  // A rough evaluation cost class: 0 null/exists, 1 numbers, 2 wildcard strings, 3 fieldref and
  // cidr, 4 regular expressions. A map's items are evaluated cheapest first.
  int costClass() const;

 private:
  enum class Kind { kGlobs, kNumberEq, kRegex, kCidr, kCompare, kExists, kNull, kFieldRef, kTimePart };
  enum class TimePart { kMinute, kHour, kDay, kWeek, kMonth, kYear };
  enum class Cmp { kGt, kGte, kLt, kLte };
  Kind kind_ = Kind::kGlobs;
  std::vector<Glob> globs_;  // kGlobs (any matches), kNumberEq (text fallback)
  double number_ = 0;        // kNumberEq, kCompare
  Cmp cmp_ = Cmp::kGt;
  std::shared_ptr<const re2::RE2> re_;
  int family_ = 0;  // kCidr: 4 or 6
  uint8_t net_[16] = {};
  int prefix_ = 0;
  bool want_ = true;          // kExists
  FieldCandidates refField_;  // kFieldRef
  enum class RefMode { kEqual, kContains, kStarts, kEnds } refMode_ = RefMode::kEqual;
  bool cased_ = false;
  TimePart timePart_ = TimePart::kMinute;  // kTimePart
  std::optional<Cmp> timeCmp_;             // kTimePart: compare instead of equal
};

// The time part of an ISO 8601 date/time text ("2026-11-24T03:05:00Z", "2026-11-24 03:05",
// "2026-11-24"), as written; nullopt when the text is not such a date or the part is absent.
// `part`: 0 minute, 1 hour, 2 day, 3 ISO week, 4 month, 5 year.
std::optional<int> timePartOf(std::string_view text, int part);

// Numbers as Sigma compares them: decimal (with sign and fraction) or 0x hex; whole text.
std::optional<double> parseNumber(std::string_view text);

}  // namespace vigil::detect::sigma
