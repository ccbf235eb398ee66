#include "eventstore/text.h"

#include <array>
#include <cstring>
#include <unordered_map>

namespace vigil::eventstore {
namespace {

// The Vietnamese letters with diacritics, lowercase and uppercase in the same order, per base.
struct FoldRow {
  char base;
  const char* lowerLetters;
  const char* upperLetters;
};
constexpr FoldRow kRows[] = {
    {'a', "àáảãạăằắẳẵặâầấẩẫậ", "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
    {'e', "èéẻẽẹêềếểễệ", "ÈÉẺẼẸÊỀẾỂỄỆ"},
    {'i', "ìíỉĩị", "ÌÍỈĨỊ"},
    {'o', "òóỏõọôồốổỗộơờớởỡợ", "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
    {'u', "ùúủũụưừứửữự", "ÙÚỦŨỤƯỪỨỬỮỰ"},
    {'y', "ỳýỷỹỵ", "ỲÝỶỸỴ"},
    {'d', "đ", "Đ"},
    {'c', "ç", "Ç"},
    {'n', "ñ", "Ñ"},
};

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i. Invalid bytes
// decode as themselves (0x80..0xFF) one at a time.
uint32_t decode(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  if (c < 0x80) {
    ++i;
    return c;
  }
  if ((c & 0xE0) == 0xC0 && cont(1)) {
    uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2;
    return cp;
  }
  if ((c & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    uint32_t cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                  (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3;
    return cp;
  }
  if ((c & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                  ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
                  (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
    i += 4;
    return cp;
  }
  ++i;
  return 0x110000 + c;  // an invalid byte: kept as is by the callers
}

void encode(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

struct Tables {
  std::unordered_map<uint32_t, uint32_t> toLower;
  std::unordered_map<uint32_t, char> toBase;
  Tables() {
    for (const auto& row : kRows) {
      std::string_view lo(row.lowerLetters), up(row.upperLetters);
      size_t i = 0, j = 0;
      while (i < lo.size() && j < up.size()) {
        uint32_t l = decode(lo, i), u = decode(up, j);
        toLower[u] = l;
        toBase[l] = row.base;
      }
    }
    // Latin-1 uppercase letters not listed above (À..Þ except ×).
    for (uint32_t u = 0xC0; u <= 0xDE; ++u)
      if (u != 0xD7 && !toLower.count(u)) toLower[u] = u + 0x20;
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}

template <bool kFold>
void transform(std::string_view s, std::string& out) {
  out.reserve(out.size() + s.size());
  const Tables& t = tables();
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      size_t j = i + 1;
      while (j < s.size() && static_cast<unsigned char>(s[j]) < 0x80) ++j;
      const size_t at = out.size();
      out.append(s.data() + i, j - i);
      for (size_t k = at; k < out.size(); ++k)
        if (out[k] >= 'A' && out[k] <= 'Z') out[k] = static_cast<char>(out[k] + 32);
      i = j;
      continue;
    }
    uint32_t cp = decode(s, i);
    if (cp >= 0x110000) {
      out.push_back(static_cast<char>(cp - 0x110000));
      continue;
    }
    if (auto it = t.toLower.find(cp); it != t.toLower.end()) cp = it->second;
    if constexpr (kFold) {
      if (cp >= 0x300 && cp <= 0x36F) continue;  // combining diacritical mark
      if (auto it = t.toBase.find(cp); it != t.toBase.end()) {
        out.push_back(it->second);
        continue;
      }
    }
    encode(cp, out);
  }
}

}  // namespace

bool isAscii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

void appendLower(std::string_view s, std::string& out) { transform<false>(s, out); }
std::string lower(std::string_view s) {
  std::string out;
  appendLower(s, out);
  return out;
}
void appendFolded(std::string_view s, std::string& out) { transform<true>(s, out); }
std::string folded(std::string_view s) {
  std::string out;
  appendFolded(s, out);
  return out;
}

std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  forEachToken(text, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

namespace {
inline uint64_t mix(uint64_t h, uint64_t w) {
  h ^= w * 0x9E3779B97F4A7C15ull;
  h = (h << 31) | (h >> 33);
  return h * 0xC2B2AE3D27D4EB4Full;
}
inline uint64_t mixBytes(uint64_t h, std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix(h, w);
  }
  uint64_t tail = 0;
  if (s.size() > i) std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h, tail ^ (static_cast<uint64_t>(s.size()) << 56));
}
}  // namespace

uint64_t hashPrefix(std::string_view prefix) { return mixBytes(0x243F6A8885A308D3ull, prefix); }

uint64_t hashTerm(std::string_view prefix, std::string_view term) { return hashTermFrom(hashPrefix(prefix), term); }

uint64_t hashTermFrom(uint64_t prefixState, std::string_view term) {
  // Word-at-a-time mixing of prefix and term (each with its length), then a murmur3 finaliser.
  uint64_t h = mixBytes(prefixState, term);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

bool globMatch(std::string_view p, std::string_view t) {
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace vigil::eventstore
