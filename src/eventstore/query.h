// The search language of the event store, one parser for the API and the command line.
//
//   query    := or
//   or       := and ("OR" and)*
//   and      := unary (["AND"] unary)*          adjacent terms are ANDed; AND binds tighter than OR
//   unary    := ("NOT" | "-") unary | "(" or ")" | term
//   term     := "*"                              every event
//             | name ":" value                   a field of the event (ECS name, e.g. source.ip)
//             | word | "quoted phrase"           free text over the raw message
//   value    := word                             equality; "*" and "?" make it a wildcard (adm*)
//             | "quoted phrase"                  equality with the whole value
//             | "[" lo "TO" hi "]"               range, "{" / "}" for exclusive ends, "*" for open
//             | (">=" | ">" | "<=" | "<") word   one-sided range
//
// Matching rules (exact; the block filters only narrow which blocks are read):
// - Strings and IPs compare case-insensitively; a value written in plain ASCII also matches
//   Vietnamese text with diacritics ("user.name:nguyen" finds "Nguyễn"); a value with diacritics
//   matches those diacritics only.
// - Integer fields compare as numbers (port:22 matches "22"); time fields (@timestamp) take RFC
//   3339 times or microseconds since the epoch; ranges on strings compare bytes.
// - Free text: the word's tokens (text.h) must appear consecutively among the message's tokens,
//   with the same diacritic rule; a word with "*" or "?" matches one token by glob (adm* =
//   prefix). A quoted phrase is a sequence of tokens.
// - Virtual fields: @timestamp (the event time), vigil.org_id, vigil.source_id.
// Errors name the column (1-based, in bytes) and what is wrong; queries are limited to 8 KiB and
// 64 levels of nesting.
//
// Thread-safety: Node and Matcher are immutable values after construction; a Matcher may be used
// from many threads, each with its own Scratch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "normalize/event.h"

namespace vigil::eventstore {

struct Node {
  enum class Kind { kAll, kAnd, kOr, kNot, kText, kField };
  enum class Op { kEq, kWildcard, kRange };
  Kind kind = Kind::kAll;
  std::vector<Node> children;  // kAnd, kOr (two or more), kNot (one)
  std::string field;           // kField
  Op op = Op::kEq;             // kText uses kEq or kWildcard
  std::string value;           // kText, kField eq/wildcard
  bool phrase = false;         // written in quotes
  std::string lo, hi;          // kRange, "*" when open
  bool loInclusive = true, hiInclusive = true;
};

// Parses `text`. An empty or blank query is kAll. Error::badRequest("column N: ...") with field "q".
Result<Node> parseQuery(std::string_view text);

// A stable, readable form of the tree for tests: ALL, (AND a b), (OR a b), (NOT a), text:"w",
// text~"w*", phrase:"a b", name="v", name~"v*", name:[lo TO hi} ...
std::string toString(const Node& node);

// One event as the matcher sees it: views into a decoded block or a write-ahead-log batch.
struct FieldView {
  std::string_view name;
  normalize::ValueType type = normalize::ValueType::kString;
  std::string_view text;
  int64_t number = 0;
};
struct EventView {
  int64_t timeUs = 0;
  int64_t orgId = 0;
  int64_t sourceId = 0;
  int64_t receivedUs = 0;
  std::string_view raw;
  const FieldView* fields = nullptr;  // the fields, decoded ...
  size_t fieldCount = 0;
  // ... or, for an event read from a block, still packed (decoded on demand by findField and
  // decodeFields): varint count, then per field varint nameId + value (event_store README).
  std::string_view packed;
  const std::string_view* names = nullptr;  // the block's name dictionary
  size_t nameCount = 0;
};

struct Reader;
// Reads one value (u8 type, then the type's encoding; see the README) into f.type/text/number;
// string values may be slices of `raw`. False when the bytes do not decode.
bool readValue(Reader& r, std::string_view raw, FieldView& f);

// A block's term filter (a Bloom filter of hashTerm() values): may say yes wrongly, never no.
struct TermFilter {
  const uint64_t* words = nullptr;
  uint32_t bits = 0;  // a multiple of 64; 0 = no filter (everything may be present)
  uint32_t hashes = 0;
  bool mayContain(uint64_t h) const;
};

// Term hashes: of a field value and of a free-text token.
uint64_t fieldTermHash(std::string_view field, std::string_view normalizedValue);
uint64_t textTermHash(std::string_view normalizedToken);

class Matcher {
 public:
  // Per-thread working memory (the tokens of the current event, valid during one matches() call),
  // reused across events.
  struct Scratch {
    const char* rawData = nullptr;
    size_t rawSize = SIZE_MAX;
    std::vector<std::string> lowerTokens, foldedTokens;
    std::string buf;
    // The whole raw text lowercased [0] and folded [1], for a quick substring test first.
    const char* normData[2] = {nullptr, nullptr};
    size_t normSize[2] = {SIZE_MAX, SIZE_MAX};
    std::string norm[2];
  };

  explicit Matcher(const Node& root);
  ~Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;

  bool matchesAll() const;  // the query is "*": no event needs decoding beyond time and org
  bool usesRawOrFields() const { return !matchesAll(); }
  bool matches(const EventView& event, Scratch& scratch) const;
  bool mayMatch(const TermFilter& filter) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> c_;
};

// The value of `name` in `event` (virtual fields included), or nullptr when absent. `tmp` holds
// the view when the field is virtual or packed.
const FieldView* findField(const EventView& event, std::string_view name, FieldView& tmp);

// Decodes every field of `event` into `out` (cleared first); false when packed fields do not decode.
bool decodeFields(const EventView& event, std::vector<FieldView>& out);

}  // namespace vigil::eventstore
