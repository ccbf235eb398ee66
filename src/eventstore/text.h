// Text helpers of the event store's index and query matching: UTF-8 lowercasing, Vietnamese
// diacritic folding, the tokenizer of raw messages, and the 64-bit term hash.
//
// Tokens: maximal runs of ASCII letters, digits and '_' and of any non-ASCII byte (so Vietnamese
// words stay whole); everything else separates. "10.0.0.5" is the four tokens 10, 0, 0, 5 and a
// query for it is the phrase of those tokens.
//
// Folding: lowercase, then every Vietnamese letter with a diacritic to its ASCII base ("Nguyễn"
// -> "nguyen", "đăng nhập" -> "dang nhap"); combining marks U+0300..U+036F (decomposed input) are
// dropped, so decomposed and precomposed text fold alike. Lowercasing covers ASCII, Latin-1 and the
// Vietnamese letters; other scripts are kept as they are.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::eventstore {

bool isAscii(std::string_view s);
// Appends the lowercase form of `s` to `out`.
void appendLower(std::string_view s, std::string& out);
std::string lower(std::string_view s);
// Appends the folded form (lowercase, diacritics removed) of `s` to `out`.
void appendFolded(std::string_view s, std::string& out);
std::string folded(std::string_view s);

// Calls f(std::string_view token) for every token of `text`, in order.
template <typename F>
void forEachToken(std::string_view text, F&& f) {
  size_t i = 0;
  const size_t n = text.size();
  auto isWord = [](unsigned char c) {
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
  };
  while (i < n) {
    while (i < n && !isWord(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < n && isWord(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) f(text.substr(start, i - start));
  }
}
std::vector<std::string> tokens(std::string_view text);

// 64-bit hash of a term (stable across versions: it is stored in the block filters).
uint64_t hashTerm(std::string_view prefix, std::string_view term);
// The same in two steps, for many terms under one prefix: hashTerm(p, t) == hashTermFrom(hashPrefix(p), t).
uint64_t hashPrefix(std::string_view prefix);
uint64_t hashTermFrom(uint64_t prefixState, std::string_view term);

// Glob match of `text` against `pattern` with '*' (any run) and '?' (one byte).
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace vigil::eventstore
