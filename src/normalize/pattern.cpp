// Pattern compiler and backtracking matcher (see pattern.h). Only data captures, ip captures and
// optional groups make choices; every choice costs one step of a fixed budget, so a bad pattern
// on a 1 MB line fails quickly instead of running away.
#include "normalize/pattern.h"

#include <arpa/inet.h>

#include <cstring>

#include "ingest/syslog.h"

namespace vigil::normalize {

namespace {

constexpr int kStepBudget = 20'000;

bool isBlank(char c) { return c == ' ' || c == '\t'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

struct KindName {
  std::string_view name;
  CaptureKind kind;
};
constexpr KindName kKinds[] = {
    {"word", CaptureKind::kWord},
    {"token", CaptureKind::kToken},
    {"int", CaptureKind::kInt},
    {"nint", CaptureKind::kNint},
    {"ip", CaptureKind::kIp},
    {"data", CaptureKind::kData},
    {"rest", CaptureKind::kRest},
    {"quoted", CaptureKind::kQuoted},
    {"httpdate", CaptureKind::kHttpDate},
    {"ctime", CaptureKind::kCtime},
    {"ymdhms", CaptureKind::kYmdHms},
    {"epoch", CaptureKind::kEpoch},
    {"kv", CaptureKind::kKv},
    {"filterlog", CaptureKind::kFilterlog},
};

bool takesRest(CaptureKind k) {
  return k == CaptureKind::kRest || k == CaptureKind::kKv || k == CaptureKind::kFilterlog;
}

// Month number 1..12 of "Jan".."Dec", or 0.
unsigned monthOf(std::string_view s) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (s.size() < 3) return 0;
  for (unsigned m = 0; m < 12; ++m)
    if (kMonths.substr(m * 3, 3) == s.substr(0, 3)) return m + 1;
  return 0;
}

// Reads exactly `n` digits at in[pos]; -1 when they are not all digits.
int digits(std::string_view in, size_t pos, size_t n) {
  if (pos + n > in.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!isDigit(in[pos + i])) return -1;
    v = v * 10 + (in[pos + i] - '0');
  }
  return v;
}

// 1 or 2 digits; advances pos.
int digits12(std::string_view in, size_t& pos) {
  if (pos >= in.size() || !isDigit(in[pos])) return -1;
  int v = in[pos++] - '0';
  if (pos < in.size() && isDigit(in[pos])) v = v * 10 + (in[pos++] - '0');
  return v;
}

bool validClock(int h, int mi, int s) { return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61; }

int64_t toUs(int y, unsigned mo, unsigned d, int h, int mi, int s, int64_t fracUs, int offsetMinutes) {
  const int64_t days = ingest::daysFromCivil(y, mo, d);
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - static_cast<int64_t>(offsetMinutes) * 60;
  return secs * 1'000'000 + fracUs;
}

// ".123456" at in[pos] (any number of digits, kept to microseconds); advances pos.
int64_t fraction(std::string_view in, size_t& pos) {
  if (pos >= in.size() || in[pos] != '.' || pos + 1 >= in.size() || !isDigit(in[pos + 1])) return 0;
  ++pos;
  int64_t us = 0;
  int n = 0;
  for (; pos < in.size() && isDigit(in[pos]); ++pos, ++n)
    if (n < 6) us = us * 10 + (in[pos] - '0');
  for (; n < 6; ++n) us *= 10;
  return us;
}

// "+0700", "+07:00", "Z" at in[pos]; advances pos. Returns false when absent.
bool zone(std::string_view in, size_t& pos, int& offsetMinutes) {
  if (pos < in.size() && in[pos] == 'Z') {
    ++pos;
    offsetMinutes = 0;
    return true;
  }
  if (pos >= in.size() || (in[pos] != '+' && in[pos] != '-')) return false;
  const int sign = in[pos] == '-' ? -1 : 1;
  const int hh = digits(in, pos + 1, 2);
  if (hh < 0) return false;
  size_t p = pos + 3;
  if (p < in.size() && in[p] == ':') ++p;
  const int mm = digits(in, p, 2);
  if (mm < 0 || hh > 14 || mm > 59) return false;
  pos = p + 2;
  offsetMinutes = sign * (hh * 60 + mm);
  return true;
}

class Matcher {
 public:
  Matcher(const std::vector<PatternToken>& tokens, std::string_view in, int zoneOffset, Captures& caps)
      : t_(tokens), in_(in), zone_(zoneOffset), caps_(caps) {}

  bool run(size_t ti, size_t pos) {
    if (--budget_ < 0) return false;
    if (ti == t_.size()) return true;
    const PatternToken& tok = t_[ti];
    switch (tok.op) {
      case PatternToken::Op::kOptEnd: return run(ti + 1, pos);
      case PatternToken::Op::kOptStart: {
        const size_t saved = caps_.count;
        if (run(ti + 1, pos)) return true;
        caps_.count = saved;
        return run(tok.groupEnd + 1, pos);
      }
      case PatternToken::Op::kEnd: {
        size_t p = pos;
        while (p < in_.size() && (isBlank(in_[p]) || in_[p] == '\r' || in_[p] == '\n')) ++p;
        return p == in_.size() && run(ti + 1, p);
      }
      case PatternToken::Op::kLiteral: {
        const size_t end = literal(tok.text, pos);
        return end != std::string_view::npos && run(ti + 1, end);
      }
      case PatternToken::Op::kCapture: return capture(ti, pos);
    }
    return false;
  }

 private:
  // End of literal `lit` matched at pos, or npos.
  size_t literal(std::string_view lit, size_t pos) const {
    for (char c : lit) {
      if (c == ' ') {
        if (pos == in_.size()) continue;  // a blank matches the end of the text
        if (!isBlank(in_[pos])) return std::string_view::npos;
        while (pos < in_.size() && isBlank(in_[pos])) ++pos;
      } else {
        if (pos >= in_.size() || in_[pos] != c) return std::string_view::npos;
        ++pos;
      }
    }
    return pos;
  }

  bool push(size_t ti, size_t pos, size_t end, size_t next, int64_t number = 0, bool absent = false,
            bool zoneInferred = false) {
    if (caps_.count >= Captures::kMaxCaptures) return false;
    Capture& c = caps_.items[caps_.count++];
    c.token = static_cast<uint16_t>(ti);
    c.text = in_.substr(pos, end - pos);
    c.number = number;
    c.absent = absent;
    c.zoneInferred = zoneInferred;
    if (run(ti + 1, next)) return true;
    --caps_.count;
    return false;
  }

  // The first literal character of what follows token ti ('\0' when a capture or the end follows).
  char nextLiteralChar(size_t ti) const {
    for (size_t i = ti + 1; i < t_.size(); ++i) {
      if (t_[i].op == PatternToken::Op::kLiteral) return t_[i].text.empty() ? '\0' : t_[i].text[0];
      if (t_[i].op != PatternToken::Op::kOptEnd) return '\0';
    }
    return '\0';
  }

  bool lastToken(size_t ti) const {
    for (size_t i = ti + 1; i < t_.size(); ++i)
      if (t_[i].op != PatternToken::Op::kOptEnd && t_[i].op != PatternToken::Op::kEnd) return false;
    return true;
  }

  bool capture(size_t ti, size_t pos) {
    const PatternToken& tok = t_[ti];
    const size_t n = in_.size();
    switch (tok.kind) {
      case CaptureKind::kWord:
      case CaptureKind::kToken: {
        size_t end = pos;
        while (end < n && !isBlank(in_[end]) && tok.stopChars.find(in_[end]) == std::string::npos) ++end;
        if (tok.kind == CaptureKind::kWord && end == pos) return false;
        return push(ti, pos, end, end);
      }
      case CaptureKind::kInt:
      case CaptureKind::kNint: {
        if (tok.kind == CaptureKind::kNint && pos < n && in_[pos] == '-' && (pos + 1 == n || !isDigit(in_[pos + 1])))
          return push(ti, pos, pos + 1, pos + 1, 0, true);
        size_t end = pos;
        const bool negative = end < n && in_[end] == '-';
        if (negative) ++end;
        int64_t v = 0;
        const size_t first = end;
        while (end < n && isDigit(in_[end]) && end - first < 18) v = v * 10 + (in_[end++] - '0');
        if (end == first || (end < n && isDigit(in_[end]))) return false;
        return push(ti, pos, end, end, negative ? -v : v);
      }
      case CaptureKind::kIp: {
        size_t end = pos;
        while (end < n && end - pos < 64 &&
               (isDigit(in_[end]) || in_[end] == '.' || in_[end] == ':' || (in_[end] >= 'a' && in_[end] <= 'f') ||
                (in_[end] >= 'A' && in_[end] <= 'F')))
          ++end;
        // Longest valid address first, then shorter ones cut at a ':' (an "ip:port" suffix).
        for (size_t e = end; e > pos; --e) {
          if (e != end && in_[e] != ':') continue;
          if (isIpAddress(in_.substr(pos, e - pos)) && push(ti, pos, e, e)) return true;
          if (--budget_ < 0) return false;
        }
        return false;
      }
      case CaptureKind::kData: {
        if (lastToken(ti)) {
          size_t end = n;
          while (end > pos && (in_[end - 1] == '\r' || in_[end - 1] == '\n')) --end;
          return push(ti, pos, end, end);
        }
        const char next = nextLiteralChar(ti);
        for (size_t end = pos; end <= n; ++end) {
          if (next != '\0') {
            const size_t found = next == ' ' ? in_.find_first_of(" \t", end) : in_.find(next, end);
            if (found == std::string_view::npos) return false;
            end = found;
          }
          if (push(ti, pos, end, end)) return true;
          if (budget_ < 0) return false;
        }
        return false;
      }
      case CaptureKind::kRest:
      case CaptureKind::kKv:
      case CaptureKind::kFilterlog: {
        size_t end = n;
        while (end > pos && (in_[end - 1] == '\r' || in_[end - 1] == '\n')) --end;
        if (tok.kind == CaptureKind::kKv && in_.substr(pos, end - pos).find('=') == std::string_view::npos)
          return false;
        if (tok.kind == CaptureKind::kFilterlog && in_.substr(pos, end - pos).find(',') == std::string_view::npos)
          return false;
        return push(ti, pos, end, end);
      }
      case CaptureKind::kQuoted: {
        if (pos >= n || in_[pos] != '"') return false;
        size_t end = pos + 1;
        while (end < n && in_[end] != '"') end += in_[end] == '\\' ? 2 : 1;
        if (end >= n) return false;
        if (caps_.count >= Captures::kMaxCaptures) return false;
        return pushInner(ti, pos + 1, end, end + 1);
      }
      case CaptureKind::kHttpDate: return httpDate(ti, pos);
      case CaptureKind::kCtime: return ctime(ti, pos);
      case CaptureKind::kYmdHms: return ymdhms(ti, pos);
      case CaptureKind::kEpoch: {
        size_t end = pos;
        int64_t secs = 0;
        while (end < n && isDigit(in_[end]) && end - pos < 12) secs = secs * 10 + (in_[end++] - '0');
        if (end == pos) return false;
        const int64_t us = fraction(in_, end);
        return push(ti, pos, end, end, secs * 1'000'000 + us);
      }
    }
    return false;
  }

  bool pushInner(size_t ti, size_t start, size_t end, size_t next) { return push(ti, start, end, next); }

  // dd/Mon/yyyy:HH:MM:SS +zzzz
  bool httpDate(size_t ti, size_t pos) {
    size_t p = pos;
    const int d = digits12(in_, p);
    if (d < 1 || d > 31 || p >= in_.size() || in_[p] != '/') return false;
    const unsigned mo = monthOf(in_.substr(p + 1, 3));
    if (mo == 0 || p + 4 >= in_.size() || in_[p + 4] != '/') return false;
    p += 5;
    const int y = digits(in_, p, 4);
    if (y < 0 || p + 4 >= in_.size() || in_[p + 4] != ':') return false;
    p += 5;
    const int h = digits(in_, p, 2), mi = digits(in_, p + 3, 2), s = digits(in_, p + 6, 2);
    if (!validClock(h, mi, s) || in_[p + 2] != ':' || in_[p + 5] != ':') return false;
    p += 8;
    const int64_t frac = fraction(in_, p);
    int offset = zone_;
    bool inferred = true;
    size_t z = p;
    while (z < in_.size() && in_[z] == ' ') ++z;
    if (zone(in_, z, offset)) {
      inferred = false;
      p = z;
    }
    return push(ti, pos, p, p, toUs(y, mo, static_cast<unsigned>(d), h, mi, s, frac, offset), false, inferred);
  }

  // Www Mmm dd HH:MM:SS[.ffffff] yyyy
  bool ctime(size_t ti, size_t pos) {
    size_t p = pos;
    if (p + 4 > in_.size() || in_[p + 3] != ' ') return false;
    p += 4;
    const unsigned mo = monthOf(in_.substr(p, 3));
    if (mo == 0 || p + 3 >= in_.size() || in_[p + 3] != ' ') return false;
    p += 4;
    while (p < in_.size() && in_[p] == ' ') ++p;
    const int d = digits12(in_, p);
    if (d < 1 || d > 31 || p >= in_.size() || in_[p] != ' ') return false;
    ++p;
    const int h = digits(in_, p, 2), mi = digits(in_, p + 3, 2), s = digits(in_, p + 6, 2);
    if (!validClock(h, mi, s) || in_[p + 2] != ':' || in_[p + 5] != ':') return false;
    p += 8;
    const int64_t frac = fraction(in_, p);
    if (p >= in_.size() || in_[p] != ' ') return false;
    const int y = digits(in_, p + 1, 4);
    if (y < 0) return false;
    p += 5;
    return push(ti, pos, p, p, toUs(y, mo, static_cast<unsigned>(d), h, mi, s, frac, zone_), false, true);
  }

  // yyyy/mm/dd HH:MM:SS or yyyy-mm-ddTHH:MM:SS[.frac][zone]
  bool ymdhms(size_t ti, size_t pos) {
    size_t p = pos;
    const int y = digits(in_, p, 4);
    if (y < 0 || p + 10 > in_.size()) return false;
    const char sep = in_[p + 4];
    if ((sep != '-' && sep != '/') || in_[p + 7] != sep) return false;
    const int mo = digits(in_, p + 5, 2), d = digits(in_, p + 8, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    p += 10;
    if (p >= in_.size() || (in_[p] != ' ' && in_[p] != 'T')) return false;
    ++p;
    if (p + 8 > in_.size()) return false;
    const int h = digits(in_, p, 2), mi = digits(in_, p + 3, 2), s = digits(in_, p + 6, 2);
    if (!validClock(h, mi, s) || in_[p + 2] != ':' || in_[p + 5] != ':') return false;
    p += 8;
    const int64_t frac = fraction(in_, p);
    int offset = zone_;
    const bool inferred = !zone(in_, p, offset);
    return push(ti, pos, p, p, toUs(y, static_cast<unsigned>(mo), static_cast<unsigned>(d), h, mi, s, frac, offset),
                false, inferred);
  }

  const std::vector<PatternToken>& t_;
  std::string_view in_;
  int zone_;
  Captures& caps_;
  int budget_ = kStepBudget;
};

Error compileError(std::string_view text, size_t pos, const std::string& what) {
  return Error::badRequest("pattern \"" + std::string(text) + "\" at offset " + std::to_string(pos) + ": " + what);
}

}  // namespace

bool isIpAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  char buf[48];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  unsigned char addr[16];
  if (text.find(':') == std::string_view::npos) return inet_pton(AF_INET, buf, addr) == 1;
  return inet_pton(AF_INET6, buf, addr) == 1;
}

Result<Pattern> Pattern::compile(std::string_view text) {
  Pattern p;
  p.source_ = std::string(text);
  std::vector<size_t> open;  // indexes of unclosed kOptStart
  size_t captures = 0;
  std::string lit;
  auto flush = [&] {
    if (lit.empty()) return;
    PatternToken t;
    t.op = PatternToken::Op::kLiteral;
    t.text = std::move(lit);
    lit.clear();
    p.tokens_.push_back(std::move(t));
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '%') {
      // Runs of blanks are one blank: it matches one or more.
      if (isBlank(c)) {
        if (lit.empty() || lit.back() != ' ') lit += ' ';
      } else {
        lit += c;
      }
      continue;
    }
    if (i + 1 >= text.size()) return compileError(text, i, "a lone '%' at the end (write %% for a literal '%')");
    const char d = text[i + 1];
    if (d == '%') {
      lit += '%';
      ++i;
      continue;
    }
    flush();
    if (d == '(') {
      open.push_back(p.tokens_.size());
      p.tokens_.push_back({PatternToken::Op::kOptStart, CaptureKind::kWord, {}, 0, {}});
      ++i;
    } else if (d == ')') {
      if (open.empty()) return compileError(text, i, "%) without %(");
      p.tokens_[open.back()].groupEnd = static_cast<uint32_t>(p.tokens_.size());
      open.pop_back();
      p.tokens_.push_back({PatternToken::Op::kOptEnd, CaptureKind::kWord, {}, 0, {}});
      ++i;
    } else if (d == '$') {
      p.tokens_.push_back({PatternToken::Op::kEnd, CaptureKind::kWord, {}, 0, {}});
      ++i;
    } else if (d == '{') {
      const size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) return compileError(text, i, "%{ without }");
      const std::string_view body = text.substr(i + 2, close - i - 2);
      const size_t colon = body.find(':');
      const std::string_view kindName = body.substr(0, colon);
      const std::string_view field = colon == std::string_view::npos ? std::string_view() : body.substr(colon + 1);
      PatternToken t;
      t.op = PatternToken::Op::kCapture;
      bool known = false;
      for (const KindName& k : kKinds) {
        if (k.name == kindName) {
          t.kind = k.kind;
          known = true;
        }
      }
      if (!known) return compileError(text, i, "unknown capture kind \"" + std::string(kindName) + "\"");
      if (t.kind == CaptureKind::kKv && field.empty()) return compileError(text, i, "%{kv:MAP} needs the map's name");
      t.text = std::string(field);
      if (++captures > Captures::kMaxCaptures)
        return compileError(text, i, "more than " + std::to_string(Captures::kMaxCaptures) + " captures");
      p.tokens_.push_back(std::move(t));
      i = close;
    } else {
      return compileError(text, i, std::string("unknown escape %") + d + " (use %{, %(, %), %$ or %%)");
    }
  }
  flush();
  if (!open.empty()) return compileError(text, text.size(), "%( without %)");
  if (p.tokens_.empty()) return compileError(text, 0, "empty pattern");
  for (size_t i = 0; i < p.tokens_.size(); ++i) {
    PatternToken& t = p.tokens_[i];
    if (t.op != PatternToken::Op::kCapture) continue;
    if (takesRest(t.kind)) {
      for (size_t j = i + 1; j < p.tokens_.size(); ++j) {
        if (p.tokens_[j].op != PatternToken::Op::kOptEnd && p.tokens_[j].op != PatternToken::Op::kEnd)
          return compileError(text, text.size(), "%{rest}, %{kv} and %{filterlog} must end the pattern");
      }
    }
    // Stop characters of word/token: the first character of each literal that can come next,
    // looking through optional groups (their content, or what follows them).
    if (t.kind == CaptureKind::kWord || t.kind == CaptureKind::kToken) {
      for (size_t j = i + 1; j < p.tokens_.size(); ++j) {
        const PatternToken& n = p.tokens_[j];
        if (n.op == PatternToken::Op::kLiteral) {
          if (n.text[0] != ' ') t.stopChars += n.text[0];
          break;
        }
        if (n.op != PatternToken::Op::kOptStart && n.op != PatternToken::Op::kOptEnd) break;
        if (n.op == PatternToken::Op::kOptStart) {
          // The literal right after the group, too.
          for (size_t k = n.groupEnd + 1; k < p.tokens_.size(); ++k) {
            const PatternToken& a = p.tokens_[k];
            if (a.op == PatternToken::Op::kLiteral) {
              if (a.text[0] != ' ') t.stopChars += a.text[0];
              break;
            }
            if (a.op != PatternToken::Op::kOptEnd) break;
          }
        }
      }
    }
  }
  return p;
}

bool Pattern::match(std::string_view in, int zoneOffsetMinutes, Captures& out) const {
  out.count = 0;
  Matcher m(tokens_, in, zoneOffsetMinutes, out);
  if (m.run(0, 0)) return true;
  out.count = 0;
  return false;
}

}  // namespace vigil::normalize
