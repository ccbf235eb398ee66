// ValueTest and Glob (value.h): Sigma value modifiers applied at compile time, then cheap tests.
#include "detect/sigma/value.h"

#include <arpa/inet.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vigil::detect::sigma {
namespace {

constexpr size_t kMaxVariants = 4096;

// A Sigma string during compilation: bytes and, per byte, 0 literal / 1 '?' / 2 '*'.
struct Wild {
  std::string text;
  std::vector<uint8_t> kinds;
  void lit(char c) {
    text.push_back(c);
    kinds.push_back(0);
  }
  void litStr(std::string_view s) {
    for (char c : s) lit(c);
  }
  void special(char c, uint8_t k) {
    text.push_back(c);
    kinds.push_back(k);
  }
  bool hasWildcards() const {
    return std::any_of(kinds.begin(), kinds.end(), [](uint8_t k) { return k != 0; });
  }
};

Wild parseWild(std::string_view s) {
  Wild w;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
      w.lit(s[++i]);
    } else if (c == '*') {
      w.special('*', 2);
    } else if (c == '?') {
      w.special('?', 1);
    } else {
      w.lit(c);
    }
  }
  return w;
}

Error bad(const std::string& what) { return Error::validation("value", what); }

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v =
        (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// UTF-8 to UTF-16 code units; invalid bytes are taken as Latin-1.
std::vector<uint16_t> utf16Units(std::string_view s) {
  std::vector<uint16_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<uint16_t>(cp));
    }
  }
  return out;
}

std::string encodeUtf16(std::string_view s, bool bigEndian, bool bom) {
  std::string out;
  if (bom) out += "\xFF\xFE";
  for (uint16_t u : utf16Units(s)) {
    const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    if (bigEndian) {
      out += hi;
      out += lo;
    } else {
      out += lo;
      out += hi;
    }
  }
  return out;
}

bool isWordByte(const Wild& w, size_t i) {
  if (i >= w.text.size() || w.kinds[i] != 0) return false;
  const auto c = static_cast<unsigned char>(w.text[i]);
  return std::isalnum(c) || c == '_' || c >= 0x80;
}

std::vector<Wild> windash(const Wild& w) {
  static const char* kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  std::vector<size_t> positions;  // Python's \B[-/]\b
  for (size_t i = 0; i < w.text.size(); ++i) {
    if (w.kinds[i] != 0 || (w.text[i] != '-' && w.text[i] != '/')) continue;
    if (i > 0 && isWordByte(w, i - 1)) continue;
    if (!isWordByte(w, i + 1)) continue;
    positions.push_back(i);
  }
  if (positions.empty()) return {w};
  const bool product = positions.size() <= 3;
  size_t combos = 1;
  for (size_t i = 0; i < positions.size() && product; ++i) combos *= 5;
  if (!product) combos = 5;
  std::vector<Wild> out;
  for (size_t n = 0; n < combos; ++n) {
    Wild v;
    size_t code = n, p = 0;
    for (size_t i = 0; i < w.text.size(); ++i) {
      if (p < positions.size() && positions[p] == i) {
        const size_t choice = product ? code % 5 : n;
        if (product) code /= 5;
        v.litStr(kDashes[choice]);
        ++p;
      } else {
        v.special(w.text[i], w.kinds[i]);
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<Wild>> expandPlaceholders(const Wild& w, const CompileOptions& options) {
  std::vector<Wild> out{Wild{}};
  for (size_t i = 0; i < w.text.size(); ++i) {
    if (w.kinds[i] == 0 && w.text[i] == '%') {
      size_t j = i + 1;
      while (j < w.text.size() && w.kinds[j] == 0 && w.text[j] != '%') ++j;
      if (j < w.text.size() && w.kinds[j] == 0 && w.text[j] == '%' && j > i + 1) {
        const std::string name = w.text.substr(i + 1, j - i - 1);
        const auto it = options.placeholders.find(name);
        std::vector<Wild> next;
        for (const Wild& prefix : out) {
          if (it == options.placeholders.end() || it->second.empty()) {
            Wild v = prefix;
            v.special('*', 2);
            next.push_back(std::move(v));
          } else {
            for (const std::string& val : it->second) {
              Wild v = prefix;
              const Wild p = parseWild(val);
              v.text += p.text;
              v.kinds.insert(v.kinds.end(), p.kinds.begin(), p.kinds.end());
              next.push_back(std::move(v));
            }
          }
        }
        if (next.size() > kMaxVariants) return bad("placeholder expansion gives too many values");
        out = std::move(next);
        i = j;
        continue;
      }
    }
    for (Wild& v : out) v.special(w.text[i], w.kinds[i]);
  }
  return out;
}

bool parseIp(std::string_view text, int& family, uint8_t* bytes) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  if (inet_pton(AF_INET, buf, bytes) == 1) {
    family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, buf, bytes) == 1) {
    family = 6;
    return true;
  }
  return false;
}

bool startsWithCase(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
bool endsWithCase(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

size_t utf8Len(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

void lowerInto(std::string_view in, std::string& out) {
  out.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
}

EventView::EventView(const normalize::Event& event) : event_(event), s_(own_) { init(); }

EventView::EventView(const normalize::Event& event, Storage& storage) : event_(event), s_(storage) { init(); }

void EventView::init() {
  const size_t n = event_.size();
  size_t cap = 16;
  while (cap < n * 2) cap *= 2;
  mask_ = cap - 1;
  s_.table.assign(cap, {std::string_view(), -1});
  s_.hashes.resize(n);
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view name = event_.nameAt(i);
    s_.hashes[i] = fieldNameHash(name);
    size_t h = s_.hashes[i] & mask_;
    // The first field of a name wins (as a lookup of the event would find it).
    while (s_.table[h].second >= 0 && s_.table[h].first != name) h = (h + 1) & mask_;
    if (s_.table[h].second < 0) s_.table[h] = {name, static_cast<int>(i)};
    const normalize::Value v = event_.valueAt(i);
    // A kTime field reads as its formatted text (text()): "2026-11-24T03:00:00.123456Z".
    bytes += v.type == normalize::ValueType::kTime && v.text.empty() ? 64 : v.text.size();
  }
  // Reserved up front so that views returned by lowered() stay valid while others are added.
  s_.lowered.clear();
  s_.lowered.reserve(bytes);
  s_.lowOff.assign(n, 0);
  s_.timeText.clear();
}

int EventView::findName(std::string_view name) const {
  size_t h = fieldNameHash(name) & mask_;
  while (s_.table[h].second >= 0) {
    if (s_.table[h].first == name) return s_.table[h].second;
    h = (h + 1) & mask_;
  }
  return -1;
}

int EventView::find(const FieldCandidates& candidates) const {
  for (const std::string& name : candidates) {
    const int i = findName(name);
    if (i >= 0) return i;
  }
  return -1;
}

std::string_view EventView::text(int i) const {
  const normalize::Value v = event_.valueAt(static_cast<size_t>(i));
  if (v.type != normalize::ValueType::kTime || !v.text.empty()) return v.text;
  for (const auto& [k, t] : s_.timeText)
    if (k == i) return t;
  s_.timeText.emplace_back(i, normalize::Event::formatTime(v.number));
  return s_.timeText.back().second;
}

std::optional<int> timePartOf(std::string_view s, int part) {
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (!year || !month || !day || s[4] != '-' || s[7] != '-' || *month < 1 || *month > 12 || *day < 1 || *day > 31)
    return std::nullopt;
  if (s.size() > 10 && s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  switch (part) {
    case 5: return *year;
    case 4: return *month;
    case 2: return *day;
    case 3: {
      // ISO 8601 week: the week (Monday first) holding the date's Thursday.
      auto daysFromCivil = [](int y, int m, int d) {  // days since 1970-01-01 (H. Hinnant's algorithm)
        y -= m <= 2;
        const int era = (y >= 0 ? y : y - 399) / 400;
        const int yoe = y - era * 400;
        const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
      };
      const int days = daysFromCivil(*year, *month, *day);
      const int weekday = ((days % 7) + 7 + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
      const int thursday = days - weekday + 3;
      // The year of that Thursday, and the day of year of it.
      int y = *year + 1;
      while (daysFromCivil(y, 1, 1) > thursday) --y;
      return (thursday - daysFromCivil(y, 1, 1)) / 7 + 1;
    }
    default: break;
  }
  if (s.size() < 16 || s[13] != ':') return std::nullopt;
  const auto hour = digits(11, 2), minute = digits(14, 2);
  if (!hour || !minute || *hour > 23 || *minute > 59) return std::nullopt;
  return part == 1 ? *hour : *minute;
}

std::string_view EventView::lowered(int i) const {
  const auto k = static_cast<size_t>(i);
  const std::string_view t = text(i);
  if (s_.lowOff[k] == 0) {
    const size_t off = s_.lowered.size();
    for (char c : t) s_.lowered.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    s_.lowOff[k] = static_cast<uint32_t>(off + 1);
  }
  return std::string_view(s_.lowered.data() + (s_.lowOff[k] - 1), t.size());
}

std::optional<std::string_view> readField(const normalize::Event& event, const FieldCandidates& candidates) {
  for (const std::string& name : candidates) {
    if (const auto v = event.get(name)) return v->text;
  }
  return std::nullopt;
}

std::optional<double> parseNumber(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty() || text.size() > 64) return std::nullopt;
  // Fast path, the common case (EventIDs, ports, pids): plain decimal digits, exact in a double.
  if (text.size() <= 15 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    return static_cast<double>(v);
  }
  char buf[80];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  const bool neg = buf[0] == '-';
  const char* digits = (buf[0] == '-' || buf[0] == '+') ? buf + 1 : buf;
  char* end = nullptr;
  errno = 0;
  if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    if (!std::isxdigit(static_cast<unsigned char>(digits[2]))) return std::nullopt;
    const unsigned long long v = std::strtoull(digits + 2, &end, 16);
    if (*end != 0 || errno) return std::nullopt;
    return neg ? -static_cast<double>(v) : static_cast<double>(v);
  }
  if (!std::isdigit(static_cast<unsigned char>(digits[0])) && digits[0] != '.') return std::nullopt;
  const double v = std::strtod(buf, &end);
  if (*end != 0 || errno) return std::nullopt;
  return v;
}

Glob::Glob(const std::string& text, const std::vector<uint8_t>& kinds, bool cased) : cased_(cased) {
  std::string t = text;
  if (!cased) lowerInto(text, t);
  // Classify: stars only at the ends and no '?' give the fast kinds.
  const size_t n = kinds.size();
  bool inner = false;
  size_t lead = 0, trail = 0;
  while (lead < n && kinds[lead] == 2) ++lead;
  while (trail < n - lead && kinds[n - 1 - trail] == 2) ++trail;
  for (size_t i = lead; i < n - trail; ++i)
    if (kinds[i] != 0) inner = true;
  if (inner) {
    kind_ = Kind::kGeneral;
    text_ = std::move(t);
    kinds_ = kinds;
    return;
  }
  text_ = t.substr(lead, n - lead - trail);
  if (lead == 0 && trail == 0) {
    kind_ = Kind::kExact;
  } else if (text_.empty()) {
    kind_ = Kind::kAny;
  } else if (lead == 0) {
    kind_ = Kind::kPrefix;
  } else if (trail == 0) {
    kind_ = Kind::kSuffix;
  } else {
    kind_ = Kind::kContains;
  }
}

bool Glob::matches(std::string_view value, std::string_view lowered) const {
  const std::string_view s = cased_ ? value : lowered;
  switch (kind_) {
    case Kind::kExact: return s == text_;
    case Kind::kPrefix: return startsWithCase(s, text_);
    case Kind::kSuffix: return endsWithCase(s, text_);
    case Kind::kContains: return s.find(text_) != std::string_view::npos;
    case Kind::kAny: return true;
    case Kind::kGeneral: break;
  }
  // Glob with backtracking to the last '*' only: O(|p| * |s|) at worst, no recursion.
  const std::string& p = text_;
  size_t pi = 0, si = 0, star = std::string::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && kinds_[pi] == 2) {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && kinds_[pi] == 1) {
      ++pi;
      si += utf8Len(static_cast<unsigned char>(s[si]));
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  if (si > s.size()) return false;  // a '?' consumed a cut UTF-8 sequence
  while (pi < p.size() && kinds_[pi] == 2) ++pi;
  return pi == p.size();
}

std::string Glob::longestLiteral() const {
  if (kind_ != Kind::kGeneral) return text_;
  std::string best, cur;
  for (size_t i = 0; i < text_.size(); ++i) {
    if (kinds_[i] == 0) {
      cur += text_[i];
    } else {
      if (cur.size() > best.size()) best = cur;
      cur.clear();
    }
  }
  return cur.size() > best.size() ? cur : best;
}

std::optional<std::string_view> Glob::exactText() const {
  if (kind_ != Kind::kExact) return std::nullopt;
  return std::string_view(text_);
}

Result<ValueTest> ValueTest::compile(const Scalar& value, const std::vector<std::string>& modifiers,
                                     const CompileOptions& options, const FieldResolver& resolve) {
  ValueTest t;
  // First pass: the kind of test and the flags.
  bool re = false, reI = false, reM = false, reS = false, cidr = false, exists = false, fieldref = false;
  bool contains = false, starts = false, ends = false, stringShape = false;
  std::optional<Cmp> cmp;
  std::optional<TimePart> timePart;
  for (const std::string& m : modifiers) {
    if (m == "re") {
      re = true;
    } else if (m == "i" || m == "ignorecase") {
      reI = true;
    } else if (m == "m" || m == "multiline") {
      reM = true;
    } else if (m == "s" || m == "dotall") {
      reS = true;
    } else if (m == "cidr") {
      cidr = true;
    } else if (m == "exists") {
      exists = true;
    } else if (m == "fieldref") {
      fieldref = true;
    } else if (m == "gt") {
      cmp = Cmp::kGt;
    } else if (m == "gte") {
      cmp = Cmp::kGte;
    } else if (m == "lt") {
      cmp = Cmp::kLt;
    } else if (m == "lte") {
      cmp = Cmp::kLte;
    } else if (m == "cased") {
      t.cased_ = true;
    } else if (m == "contains") {
      contains = true;
    } else if (m == "startswith") {
      starts = true;
    } else if (m == "endswith") {
      ends = true;
    } else if (m == "all") {
      // FieldItem level (compiled_rule.cpp)
    } else if (m == "base64" || m == "base64offset" || m == "wide" || m == "utf16le" || m == "utf16be" ||
               m == "utf16" || m == "windash" || m == "expand") {
      stringShape = true;
    } else if (m == "minute" || m == "hour" || m == "day" || m == "week" || m == "month" || m == "year") {
      if (timePart) return bad("only one time-part modifier (minute, hour, day, week, month, year) per value");
      timePart = m == "minute"  ? TimePart::kMinute
                 : m == "hour"  ? TimePart::kHour
                 : m == "day"   ? TimePart::kDay
                 : m == "week"  ? TimePart::kWeek
                 : m == "month" ? TimePart::kMonth
                                : TimePart::kYear;
    } else {
      return bad("unknown modifier '" + m + "'");
    }
  }
  if (timePart) {
    if (re || cidr || exists || fieldref || contains || starts || ends || stringShape || t.cased_)
      return bad("a time-part modifier takes only gt, gte, lt or lte with it");
    if (value.kind == Scalar::Kind::kNull) return bad("a time-part modifier needs a number");
    const auto n = parseNumber(value.text);
    if (!n || *n != static_cast<int>(*n)) return bad("'" + value.text + "' is not a whole number");
    t.kind_ = Kind::kTimePart;
    t.timePart_ = *timePart;
    t.timeCmp_ = cmp;
    t.number_ = *n;
    return t;
  }
  const int types = int(re) + int(cidr) + int(exists) + int(fieldref) + int(cmp.has_value());
  if (types > 1) return bad("modifiers re, cidr, exists, fieldref and gt/gte/lt/lte exclude each other");
  if ((reI || reM || reS) && !re) return bad("modifiers i, m and s need 're'");
  if ((re || cidr || exists || cmp) && (contains || starts || ends || stringShape))
    return bad("string modifiers cannot be combined with re, cidr, exists or a comparison");
  if (fieldref && stringShape) return bad("fieldref cannot be combined with encoding modifiers");

  if (exists) {
    t.kind_ = Kind::kExists;
    if (value.kind == Scalar::Kind::kBool) {
      t.want_ = value.text == "true" || value.text == "True" || value.text == "TRUE";
    } else {
      std::string l;
      lowerInto(value.text, l);
      if (l != "true" && l != "false") return bad("'exists' needs true or false");
      t.want_ = l == "true";
    }
    return t;
  }
  if (value.kind == Scalar::Kind::kNull) {
    if (!modifiers.empty() && !(modifiers.size() == 1 && modifiers[0] == "all"))
      return bad("a null value cannot take modifiers");
    t.kind_ = Kind::kNull;
    return t;
  }
  if (re) {
    std::string flags;
    if (reI) flags += 'i';
    if (reM) flags += 'm';
    if (reS) flags += 's';
    const std::string pattern = flags.empty() ? value.text : "(?" + flags + ")" + value.text;
    RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(8 << 20);
    auto compiled = std::make_shared<RE2>(pattern, o);
    if (!compiled->ok()) return bad("invalid regular expression: " + compiled->error());
    t.kind_ = Kind::kRegex;
    t.re_ = std::move(compiled);
    return t;
  }
  if (cidr) {
    const size_t slash = value.text.find('/');
    const std::string addr = value.text.substr(0, slash);
    if (!parseIp(addr, t.family_, t.net_)) return bad("invalid network '" + value.text + "'");
    const int maxBits = t.family_ == 4 ? 32 : 128;
    t.prefix_ = maxBits;
    if (slash != std::string::npos) {
      const auto bits = parseNumber(std::string_view(value.text).substr(slash + 1));
      if (!bits || *bits < 0 || *bits > maxBits || *bits != static_cast<int>(*bits))
        return bad("invalid prefix length in '" + value.text + "'");
      t.prefix_ = static_cast<int>(*bits);
    }
    t.kind_ = Kind::kCidr;
    return t;
  }
  if (cmp) {
    const auto n = parseNumber(value.text);
    if (!n) return bad("'" + value.text + "' is not a number");
    t.kind_ = Kind::kCompare;
    t.cmp_ = *cmp;
    t.number_ = *n;
    return t;
  }
  if (fieldref) {
    t.kind_ = Kind::kFieldRef;
    t.refField_ = resolve(value.text);
    t.refMode_ = contains ? RefMode::kContains : starts ? RefMode::kStarts : ends ? RefMode::kEnds : RefMode::kEqual;
    return t;
  }

  // Strings (and numbers with string modifiers): transform in rule order.
  std::vector<Wild> variants{parseWild(value.text)};
  for (const std::string& m : modifiers) {
    std::vector<Wild> next;
    if (m == "contains" || m == "startswith" || m == "endswith") {
      for (Wild& w : variants) {
        if ((m == "contains" || m == "endswith") && (w.kinds.empty() || w.kinds.front() != 2)) {
          w.text.insert(w.text.begin(), '*');
          w.kinds.insert(w.kinds.begin(), 2);
        }
        if ((m == "contains" || m == "startswith") && (w.kinds.empty() || w.kinds.back() != 2)) w.special('*', 2);
      }
      continue;
    }
    if (m == "wide" || m == "utf16le" || m == "utf16be" || m == "utf16" || m == "base64" || m == "base64offset") {
      for (const Wild& w : variants) {
        if (w.hasWildcards()) return bad("'" + m + "' cannot encode a value with wildcards");
        if (m == "base64offset") {
          static const size_t kStart[] = {0, 2, 3};
          for (size_t i = 0; i < 3; ++i) {
            std::string enc = base64(std::string(i, ' ') + w.text);
            const size_t endCut = (w.text.size() + i) % 3 == 0 ? 0 : (w.text.size() + i) % 3 == 1 ? 3 : 2;
            const size_t start = std::min(kStart[i], enc.size());
            const size_t stop = enc.size() >= endCut ? enc.size() - endCut : 0;
            Wild v;
            if (stop > start) v.litStr(std::string_view(enc).substr(start, stop - start));
            next.push_back(std::move(v));
          }
        } else {
          Wild v;
          if (m == "base64") {
            v.litStr(base64(w.text));
          } else {
            v.litStr(encodeUtf16(w.text, m == "utf16be", m == "utf16"));
          }
          next.push_back(std::move(v));
        }
      }
    } else if (m == "windash") {
      for (const Wild& w : variants)
        for (Wild& v : windash(w)) next.push_back(std::move(v));
    } else if (m == "expand") {
      for (const Wild& w : variants) {
        VIGIL_ASSIGN_OR_RETURN(auto expanded, expandPlaceholders(w, options));
        for (Wild& v : expanded) next.push_back(std::move(v));
      }
    } else {
      continue;  // flags handled above
    }
    if (next.size() > kMaxVariants) return bad("modifiers give too many variants");
    variants = std::move(next);
  }
  for (const Wild& w : variants) t.globs_.emplace_back(w.text, w.kinds, t.cased_);  // '' -> exact empty
  const bool plainNumber = value.kind == Scalar::Kind::kNumber && modifiers.empty();
  if (plainNumber) {
    const auto n = parseNumber(value.text);
    if (n) {
      t.kind_ = Kind::kNumberEq;
      t.number_ = *n;
      return t;
    }
  }
  t.kind_ = Kind::kGlobs;
  return t;
}

bool ValueTest::matches(const std::optional<std::string_view>& value, std::string_view lowered,
                        const EventView& event) const {
  if (!value) {
    if (kind_ == Kind::kNull) return true;
    if (kind_ == Kind::kExists) return !want_;
    return false;
  }
  const std::string_view v = *value;
  switch (kind_) {
    case Kind::kNull: return v.empty();
    case Kind::kExists: return want_;
    case Kind::kGlobs:
      for (const Glob& g : globs_)
        if (g.matches(v, lowered)) return true;
      return false;
    case Kind::kNumberEq: {
      const auto n = parseNumber(v);
      if (n) return *n == number_;
      for (const Glob& g : globs_)
        if (g.matches(v, lowered)) return true;
      return false;
    }
    case Kind::kRegex: return RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), *re_);
    case Kind::kCidr: {
      int fam = 0;
      uint8_t b[16];
      if (!parseIp(v, fam, b) || fam != family_) return false;
      const int full = prefix_ / 8, rest = prefix_ % 8;
      if (std::memcmp(b, net_, static_cast<size_t>(full)) != 0) return false;
      if (rest == 0) return true;
      const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
      return (b[full] & mask) == (net_[full] & mask);
    }
    case Kind::kCompare: {
      const auto n = parseNumber(v);
      if (!n) return false;
      switch (cmp_) {
        case Cmp::kGt: return *n > number_;
        case Cmp::kGte: return *n >= number_;
        case Cmp::kLt: return *n < number_;
        case Cmp::kLte: return *n <= number_;
      }
      return false;
    }
    case Kind::kTimePart: {
      const auto part = timePartOf(v, static_cast<int>(timePart_));
      if (!part) return false;
      const double p = *part;
      if (!timeCmp_) return p == number_;
      switch (*timeCmp_) {
        case Cmp::kGt: return p > number_;
        case Cmp::kGte: return p >= number_;
        case Cmp::kLt: return p < number_;
        case Cmp::kLte: return p <= number_;
      }
      return false;
    }
    case Kind::kFieldRef: {
      const int ref = event.find(refField_);
      if (ref < 0) return false;
      const std::optional<std::string_view> other = event.text(ref);
      std::string a, b;
      if (cased_) {
        a = std::string(v);
        b = std::string(*other);
      } else {
        lowerInto(v, a);
        lowerInto(*other, b);
      }
      switch (refMode_) {
        case RefMode::kEqual: return a == b;
        case RefMode::kContains: return a.find(b) != std::string::npos;
        case RefMode::kStarts: return startsWithCase(a, b);
        case RefMode::kEnds: return endsWithCase(a, b);
      }
      return false;
    }
  }
  return false;
}

// Literals one of which a text must contain (ASCII case-insensitively) for `re` to match it:
// RE2's own prefilter (FilteredRE2 guarantees that a regexp whose filter does not pass does not
// match). Nothing when the filter passes without any atom (e.g. `a|.*`), when an atom is shorter
// than 3 bytes (dropped by the prefilter, which then lets the regexp through), or when an atom has
// a non-ASCII byte (RE2 lower-cases it with Unicode folding, which a caseless ASCII scan would not).
std::vector<std::string> regexLiterals(const re2::RE2& re) {
  re2::FilteredRE2 filter(3);
  int id = 0;
  if (filter.Add(re.pattern(), re.options(), &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  if (atoms.empty()) return {};
  std::vector<int> passing;
  filter.AllPotentials({}, &passing);
  if (!passing.empty()) return {};
  for (const std::string& a : atoms)
    if (a.empty() || std::any_of(a.begin(), a.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
      return {};
  return atoms;
}

std::vector<std::string> ValueTest::literals() const {
  std::vector<std::string> out;
  if (kind_ == Kind::kRegex) return regexLiterals(*re_);
  if (kind_ != Kind::kGlobs) return out;
  for (const Glob& g : globs_) {
    std::string l = g.longestLiteral();
    if (l.empty()) return {};  // one variant needs no literal: nothing is required
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace vigil::detect::sigma

namespace vigil::detect::sigma {

std::optional<std::vector<double>> ValueTest::equalNumbers() const {
  if (kind_ == Kind::kNumberEq) return std::vector<double>{number_};
  if (kind_ != Kind::kGlobs || globs_.empty()) return std::nullopt;
  // An exact glob holds only when the (lower-cased unless cased) value equals its text; a text that
  // parses as a number makes the value parse to the same number (parseNumber ignores case).
  std::vector<double> out;
  for (const Glob& g : globs_) {
    const auto text = g.exactText();
    if (!text) return std::nullopt;
    const auto n = parseNumber(*text);
    if (!n) return std::nullopt;
    out.push_back(*n);
  }
  return out;
}

}  // namespace vigil::detect::sigma

namespace vigil::detect::sigma {

int ValueTest::costClass() const {
  switch (kind_) {
    case Kind::kNull:
    case Kind::kExists: return 0;
    case Kind::kNumberEq:
    case Kind::kCompare:
    case Kind::kTimePart: return 1;
    case Kind::kGlobs: return 2;
    case Kind::kFieldRef:
    case Kind::kCidr: return 3;
    case Kind::kRegex: return 4;
  }
  return 4;
}

}  // namespace vigil::detect::sigma
