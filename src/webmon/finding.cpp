#include "webmon/finding.h"

#include "core/text.h"

namespace vigil::webmon {

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

bool hasHighSeverity(const std::vector<Finding>& findings) {
  for (const auto& f : findings)
    if (f.severity >= Severity::kHigh) return true;
  return false;
}

std::string toJsonLine(const Finding& f) {
  // Evidence comes from the network: jsonQuote escapes it, and invalid UTF-8 is replaced first so
  // that the line stays valid JSON.
  auto safe = [](std::string_view s) {
    if (text::isValidUtf8(s)) return std::string(s);
    // Keep the valid sequences (Vietnamese text), replace each invalid byte with U+FFFD.
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (len > 0 && i + len <= s.size() && text::isValidUtf8(s.substr(i, len))) {
        out.append(s.substr(i, len));
        i += len;
      } else {
        out += "\xEF\xBF\xBD";
        ++i;
      }
    }
    return out;
  };
  std::string out = "{\"check\":" + text::jsonQuote(f.check) + ",\"id\":" + text::jsonQuote(f.id) +
                    ",\"severity\":" + text::jsonQuote(severityName(f.severity)) +
                    ",\"url\":" + text::jsonQuote(safe(f.url)) + ",\"summary\":" + text::jsonQuote(safe(f.summary)) +
                    ",\"evidence\":{";
  for (size_t i = 0; i < f.evidence.size(); ++i) {
    if (i) out += ',';
    out += text::jsonQuote(f.evidence[i].first) + ":" + text::jsonQuote(safe(f.evidence[i].second));
  }
  out += "}}";
  return out;
}

}  // namespace vigil::webmon
