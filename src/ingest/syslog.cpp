// Syslog header parsing (see syslog.h). Hand-written scanners over std::string_view: no regex and
// no allocation except for structured data (two vectors, and one buffer when values had escapes).
#include "ingest/syslog.h"

#include <array>
#include <cstring>

namespace vigil::ingest {

namespace {

constexpr int64_t kUsPerSecond = 1'000'000;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[i..]; false when any is missing.
bool readDigits(std::string_view s, size_t i, size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!isDigit(s[i + k])) return false;
    v = v * 10 + (s[i + k] - '0');
  }
  out = v;
  return true;
}

// "<" 1-3 digits ">" with a value of at most 191.
bool parsePri(std::string_view s, size_t& i, int& pri) {
  if (s.size() < 3 || s[0] != '<') return false;
  size_t j = 1;
  int v = 0;
  while (j < s.size() && j <= 3 && isDigit(s[j])) v = v * 10 + (s[j++] - '0');
  if (j == 1 || j >= s.size() || s[j] != '>' || v > 191) return false;
  i = j + 1;
  pri = v;
  return true;
}

// Civil date from days since 1970-01-01 (H. Hinnant's algorithm); only the year is needed.
int64_t yearFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

struct Fields {
  int64_t year = 0;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  bool hasYear = false;
  bool hasZone = false;
  int offsetMinutes = 0;
};

bool validFields(const Fields& f) {
  static constexpr std::array<int, 12> kMaxDay = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= kMaxDay[static_cast<size_t>(f.month - 1)] &&
         f.hour <= 23 && f.minute <= 59 && f.second <= 60;
}

TimeUs toUtcUs(const Fields& f, int64_t year, int offsetMinutes) {
  const int64_t days = daysFromCivil(year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  const int second = f.second == 60 ? 59 : f.second;  // a leap second is kept as :59
  const int64_t secs = days * 86400 + f.hour * 3600 + f.minute * 60 + second - int64_t{offsetMinutes} * 60;
  return secs * kUsPerSecond + f.micros;
}

// ".123456789" at s[i..]: keeps microseconds; advances i past all digits.
void readFraction(std::string_view s, size_t& i, int64_t& micros) {
  if (i >= s.size() || s[i] != '.' || i + 1 >= s.size() || !isDigit(s[i + 1])) return;
  ++i;
  int64_t v = 0;
  int n = 0;
  while (i < s.size() && isDigit(s[i])) {
    if (n < 6) v = v * 10 + (s[i] - '0'), ++n;
    ++i;
  }
  while (n++ < 6) v *= 10;
  micros = v;
}

// RFC 3339 at s[i..] ("2003-08-24T05:14:15.000003-07:00", zone optional); advances i on success.
// `lenient` also takes what 3164 senders write in the wild: a space instead of 'T' and "-0700".
bool parseRfc3339At(std::string_view s, size_t& i, Fields& f, bool lenient) {
  size_t j = i;
  int y = 0;
  if (!readDigits(s, j, 4, y) || j + 19 > s.size() || s[j + 4] != '-' || s[j + 7] != '-' ||
      (s[j + 10] != 'T' && s[j + 10] != 't' && !(lenient && s[j + 10] == ' ')) || s[j + 13] != ':' || s[j + 16] != ':')
    return false;
  if (!readDigits(s, j + 5, 2, f.month) || !readDigits(s, j + 8, 2, f.day) || !readDigits(s, j + 11, 2, f.hour) ||
      !readDigits(s, j + 14, 2, f.minute) || !readDigits(s, j + 17, 2, f.second))
    return false;
  f.year = y;
  f.hasYear = true;
  j += 19;
  readFraction(s, j, f.micros);
  if (j < s.size() && (s[j] == 'Z' || s[j] == 'z')) {
    f.hasZone = true;
    ++j;
  } else if (j + 5 <= s.size() && (s[j] == '+' || s[j] == '-')) {
    const bool colon = j + 6 <= s.size() && s[j + 3] == ':';
    if (!colon && !lenient) return false;
    int hh = 0, mm = 0;
    if (!readDigits(s, j + 1, 2, hh) || !readDigits(s, j + (colon ? 4 : 3), 2, mm) || hh > 23 || mm > 59) return false;
    f.hasZone = true;
    f.offsetMinutes = (s[j] == '-' ? -1 : 1) * (hh * 60 + mm);
    j += colon ? 6 : 5;
  }
  if (!validFields(f)) return false;
  i = j;
  return true;
}

int monthFromName(std::string_view s, size_t i) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (i + 3 > s.size()) return 0;
  char lower[3];
  for (int k = 0; k < 3; ++k) lower[k] = static_cast<char>(s[i + k] | 0x20);
  for (size_t m = 0; m < kMonths.size(); ++m)
    if (std::memcmp(lower, kMonths[m].data(), 3) == 0) return static_cast<int>(m) + 1;
  return 0;
}

// BSD "Mmm dd hh:mm:ss" with one or two spaces before the day, an optional year before the time
// ("Mar 7 2008 19:06:53"), an optional fraction and an optional colon after the time.
bool parseBsdAt(std::string_view s, size_t& i, Fields& f) {
  size_t j = i;
  f.month = monthFromName(s, j);
  if (f.month == 0) return false;
  j += 3;
  if (j >= s.size() || s[j] != ' ') return false;
  while (j < s.size() && s[j] == ' ') ++j;
  int day = 0;
  size_t k = j;
  while (k < s.size() && isDigit(s[k]) && k - j < 2) day = day * 10 + (s[k++] - '0');
  if (k == j || k >= s.size() || s[k] != ' ') return false;
  f.day = day;
  j = k + 1;
  int year = 0;
  if (readDigits(s, j, 4, year) && j + 4 < s.size() && s[j + 4] == ' ') {
    f.year = year;
    f.hasYear = true;
    j += 5;
  }
  if (j + 8 > s.size() || s[j + 2] != ':' || s[j + 5] != ':') return false;
  if (!readDigits(s, j, 2, f.hour) || !readDigits(s, j + 3, 2, f.minute) || !readDigits(s, j + 6, 2, f.second))
    return false;
  j += 8;
  readFraction(s, j, f.micros);
  if (j < s.size() && s[j] == ':') ++j;
  if (!validFields(f)) return false;
  i = j;
  return true;
}

void applyTime(SyslogMessage& m, const Fields& f, const ParseOptions& o) {
  m.hasTimestamp = true;
  m.zoneInferred = !f.hasZone;
  m.zoneOffsetMinutes = f.hasZone ? f.offsetMinutes : o.zoneOffsetMinutes;
  int64_t year = f.year;
  if (!f.hasYear) {
    // The year of the reference time in the sender's zone; a date more than a week ahead of the
    // reference belongs to the previous year (a December line read in early January).
    m.yearInferred = true;
    const TimeUs ref = o.referenceUs != 0 ? o.referenceUs : o.receivedUs;
    const int64_t refLocalSecs = floorDiv(ref, kUsPerSecond) + int64_t{m.zoneOffsetMinutes} * 60;
    year = yearFromDays(floorDiv(refLocalSecs, 86400));
    if (toUtcUs(f, year, m.zoneOffsetMinutes) > ref + 7 * 86400 * kUsPerSecond) --year;
  }
  m.timeUs = toUtcUs(f, year, m.zoneOffsetMinutes);
}

// A 3164 HOSTNAME: letters, digits, '.', '-', '_' and ':' (IPv6), not ending with ':' (then it is a tag).
bool looksLikeHost(std::string_view t) {
  if (t.empty() || t.size() > 255 || t.back() == ':') return false;
  for (char c : t) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '.' || c == '-' || c == '_' || c == ':';
    if (!ok) return false;
  }
  return true;
}

void setMsg(SyslogMessage& m, std::string_view rest) {
  if (rest.size() >= 3 && rest.substr(0, 3) == "\xEF\xBB\xBF") {
    m.bom = true;
    rest.remove_prefix(3);
  }
  m.msg = rest;
}

// HOSTNAME? TAG? MSG after the 3164 timestamp.
void parse3164Body(std::string_view s, size_t j, SyslogMessage& m) {
  while (j < s.size() && s[j] == ' ') ++j;
  size_t e = s.find(' ', j);
  if (e == std::string_view::npos) e = s.size();
  if (looksLikeHost(s.substr(j, e - j))) {
    m.hostname = s.substr(j, e - j);
    j = e < s.size() ? e + 1 : e;
  }
  m.content = s.substr(j);
  // TAG: up to and including the first ':', or up to the first space.
  size_t k = j;
  while (k < s.size() && s[k] != ':' && s[k] != ' ') ++k;
  if (k < s.size() && s[k] == ':') ++k;
  m.tag = s.substr(j, k - j);
  const size_t nameEnd = m.tag.find_first_of("[:");
  m.appName = m.tag.substr(0, nameEnd);
  if (nameEnd != std::string_view::npos && m.tag[nameEnd] == '[') {
    const size_t close = m.tag.find(']', nameEnd);
    if (close != std::string_view::npos) m.procId = m.tag.substr(nameEnd + 1, close - nameEnd - 1);
  }
  if (!m.tag.empty() && k < s.size() && s[k] == ' ') ++k;
  setMsg(m, s.substr(k));
}

// Next SP-terminated token at s[j..]; advances j past the SP.
bool nextToken(std::string_view s, size_t& j, std::string_view& tok) {
  if (j >= s.size()) return false;
  size_t e = s.find(' ', j);
  if (e == std::string_view::npos) e = s.size();
  tok = s.substr(j, e - j);
  j = e < s.size() ? e + 1 : e;
  return !tok.empty();
}

std::string_view nil(std::string_view t) { return t == "-" ? std::string_view{} : t; }

bool sdNameChar(char c) { return c > 32 && c < 127 && c != '=' && c != ']' && c != '"'; }

// SD-ELEMENTs at s[j..]; on success j is past the last ']'.
bool parseSd(std::string_view s, size_t& j, SyslogMessage& m) {
  size_t ownedLen = 0;
  m.sdElements.reserve(4);  // one allocation each for typical lines instead of regrowth
  m.sdParams.reserve(16);
  while (j < s.size() && s[j] == '[') {
    ++j;
    const size_t idStart = j;
    while (j < s.size() && sdNameChar(s[j])) ++j;
    if (j == idStart) return false;
    SdElement el{s.substr(idStart, j - idStart), static_cast<uint32_t>(m.sdParams.size()), 0};
    for (;;) {
      if (j >= s.size()) return false;
      if (s[j] == ']') {
        ++j;
        break;
      }
      if (s[j] == ' ') {
        ++j;
        continue;
      }
      const size_t nameStart = j;
      while (j < s.size() && sdNameChar(s[j])) ++j;
      if (j == nameStart) return false;
      const std::string_view name = s.substr(nameStart, j - nameStart);
      while (j < s.size() && s[j] == ' ') ++j;  // lenient: "name= value" is seen in the wild
      if (j >= s.size() || s[j] != '=') return false;
      ++j;
      while (j < s.size() && s[j] == ' ') ++j;
      if (j >= s.size() || s[j] != '"') return false;
      const size_t vs = ++j;
      bool escaped = false;
      while (j < s.size() && s[j] != '"') {
        if (s[j] == '\\' && j + 1 < s.size()) {
          escaped = true;
          ++j;
        }
        ++j;
      }
      if (j >= s.size()) return false;
      std::string_view value = s.substr(vs, j - vs);
      ++j;
      if (escaped) {
        if (!m.owned) m.owned = std::make_unique<char[]>(s.size());
        char* out = m.owned.get() + ownedLen;
        size_t n = 0;
        for (size_t k = 0; k < value.size(); ++k) {
          if (value[k] == '\\' && k + 1 < value.size() &&
              (value[k + 1] == '"' || value[k + 1] == '\\' || value[k + 1] == ']'))
            ++k;
          out[n++] = value[k];
        }
        value = std::string_view(out, n);
        ownedLen += n;
      }
      m.sdParams.push_back({name, value});
      ++el.paramCount;
    }
    m.sdElements.push_back(el);
  }
  return true;
}

void parse5424(std::string_view s, size_t j, SyslogMessage& m, const ParseOptions& o) {
  m.format = SyslogFormat::kRfc5424;
  m.version = 1;
  std::string_view tok;
  if (!nextToken(s, j, tok)) return setMsg(m, s.substr(j));
  m.timestampText = tok;
  if (tok != "-") {
    Fields f;
    size_t t = 0;
    if (parseRfc3339At(tok, t, f, false) && t == tok.size()) applyTime(m, f, o);
  }
  std::string_view* fields[] = {&m.hostname, &m.appName, &m.procId, &m.msgId};
  for (std::string_view* field : fields) {
    if (!nextToken(s, j, tok)) return setMsg(m, s.substr(j));
    *field = nil(tok);
  }
  if (j >= s.size()) return setMsg(m, {});
  if (s[j] == '-') {
    ++j;
  } else {
    const size_t start = j;
    if (s[j] == '[' && parseSd(s, j, m)) {
      m.structuredData = s.substr(start, j - start);
    } else {
      m.sdElements.clear();
      m.sdParams.clear();
      m.structuredDataValid = false;
      return setMsg(m, s.substr(start));
    }
  }
  if (j < s.size() && s[j] == ' ') ++j;
  setMsg(m, s.substr(j));
}

}  // namespace

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

const std::string_view* SyslogMessage::sdValue(std::string_view id, std::string_view name) const {
  for (const SdElement& el : sdElements) {
    if (el.id != id) continue;
    for (uint32_t k = 0; k < el.paramCount; ++k)
      if (sdParams[el.firstParam + k].name == name) return &sdParams[el.firstParam + k].value;
  }
  return nullptr;
}

SyslogMessage parseSyslog(std::string_view raw, const ParseOptions& options) {
  SyslogMessage m;
  m.raw = raw;
  m.msg = raw;
  m.content = raw;
  m.timeUs = options.receivedUs;
  m.zoneOffsetMinutes = options.zoneOffsetMinutes;

  size_t i = 0;
  int pri = 0;
  if (parsePri(raw, i, pri)) {
    m.hasPri = true;
    m.pri = pri;
    m.facility = pri >> 3;
    m.severity = pri & 7;
  } else if (!raw.empty() && raw[0] == '<') {
    // A malformed PRI ("<999>", "<abc>"): skip it and parse the rest; pri stays 13.
    const size_t close = raw.find('>');
    if (close != std::string_view::npos && close <= 5) i = close + 1;
  }
  if (m.hasPri && raw.size() >= i + 2 && raw[i] == '1' && raw[i + 1] == ' ') {
    parse5424(raw, i + 2, m, options);
    m.content = m.msg;
    return m;
  }

  size_t j = i;
  while (j < raw.size() && raw[j] == ' ') ++j;
  Fields f;
  if (parseBsdAt(raw, j, f) || parseRfc3339At(raw, j, f, true)) {
    m.format = SyslogFormat::kRfc3164;
    m.timestampText = raw.substr(i, j - i);
    applyTime(m, f, options);
    parse3164Body(raw, j, m);
  } else if (m.hasPri) {
    m.format = SyslogFormat::kRfc3164;  // PRI but no timestamp: everything after PRI is the message
    setMsg(m, raw.substr(i));
    m.content = m.msg;
  }
  return m;
}

std::string_view facilityName(int facility) {
  static constexpr std::array<std::string_view, 24> kNames = {
      "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
      "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
      "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};
  return facility >= 0 && facility < 24 ? kNames[static_cast<size_t>(facility)] : std::string_view{};
}

std::string_view severityName(int severity) {
  static constexpr std::array<std::string_view, 8> kNames = {"emerg",   "alert",  "crit", "err",
                                                             "warning", "notice", "info", "debug"};
  return severity >= 0 && severity < 8 ? kNames[static_cast<size_t>(severity)] : std::string_view{};
}

}  // namespace vigil::ingest
