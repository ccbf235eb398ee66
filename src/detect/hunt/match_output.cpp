#include "detect/hunt/match_output.h"

#include <cstdio>
#include <set>

#include "core/text.h"

namespace vigil::detect::hunt {

namespace {

constexpr size_t kMaxKeyFields = 4;
constexpr size_t kMaxValueChars = 80;

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t utf8Length(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  size_t n = 0;
  unsigned min = 0;
  unsigned cp = 0;
  if ((b & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// At most `max` bytes of `s`, not cutting a UTF-8 sequence, "..." when cut; control characters
// become spaces so a table row stays one line.
std::string clip(std::string_view s, size_t max) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = utf8Length(s, i);
    if (n == 0) n = 1;
    if (out.size() + n > max) {
      out += "...";
      break;
    }
    for (size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    i += n;
  }
  return out;
}

size_t charCount(std::string_view s) {
  size_t chars = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++chars;
  return chars;
}

// `s` cut or padded to `width` characters (not bytes, so non-ASCII titles keep the columns).
std::string pad(std::string_view s, size_t width) {
  std::string out = clip(s, s.size());
  if (charCount(out) > width) {
    size_t keep = 0, chars = 0;
    while (keep < out.size() && chars < width - 3) {
      ++keep;
      while (keep < out.size() && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) ++keep;
      ++chars;
    }
    out = out.substr(0, keep) + "...";
  }
  const size_t chars = charCount(out);
  if (chars < width) out.append(width - chars, ' ');
  return out;
}

std::string json(std::string_view s) { return text::jsonQuote(validUtf8(s)); }

std::string csvCell(std::string_view s) {
  std::string out = "\"";
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) out += '\'';
  for (char c : validUtf8(s)) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string timeOf(const normalize::Event& event) {
  const auto t = event.get("@timestamp");
  if (!t || t->type != normalize::ValueType::kTime) return {};
  return normalize::Event::formatTime(t->number);
}

std::string_view hostOf(const normalize::Event& event) {
  std::string_view h = event.getText("host.name");
  if (h.empty()) h = event.getText("winlog.computer_name");
  if (h.empty()) h = event.getText("Computer");
  return h;
}

std::string correlationTypeName(sigma::CorrelationRule::Type type) {
  using T = sigma::CorrelationRule::Type;
  switch (type) {
    case T::kEventCount: return "event_count";
    case T::kValueCount: return "value_count";
    case T::kTemporal: return "temporal";
    case T::kTemporalOrdered: return "temporal_ordered";
    case T::kValueSum: return "value_sum";
    case T::kValueAvg: return "value_avg";
    case T::kValueMin: return "value_min";
    case T::kValueMax: return "value_max";
  }
  return "correlation";
}

}  // namespace

std::optional<OutputFormat> parseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "jsonl") return OutputFormat::kJsonLines;
  if (name == "csv") return OutputFormat::kCsv;
  return std::nullopt;
}

int levelRank(std::string_view level) {
  const std::string l = text::asciiLower(level);
  if (l == "informational") return 1;
  if (l == "low") return 2;
  if (l == "medium") return 3;
  if (l == "high") return 4;
  if (l == "critical") return 5;
  return 0;
}

std::string validUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

MatchFormatter::MatchFormatter(const sigma::RuleSet& rules, const sigma::Pipeline& pipeline, OutputFormat format)
    : format_(format) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const sigma::CompiledRule& r = rules.at(i);
    Display d;
    d.tagsJson = "[";
    for (const auto& tag : r.rule().tags) d.tagsJson += (d.tagsJson.size() > 1 ? "," : "") + json(tag);
    d.tagsJson += "]";
    std::set<std::string> seen;
    for (const auto& search : r.rule().searches)
      for (const auto& map : search.maps)
        for (const auto& item : map) {
          if (item.field.empty() || d.keys.size() >= kMaxKeyFields || !seen.insert(item.field).second) continue;
          d.keys.push_back({item.field, pipeline.resolve(r.rule().logsource.product, item.field)});
        }
    display_.emplace(&r, std::move(d));
  }
}

const MatchFormatter::Display* MatchFormatter::displayOf(const sigma::CompiledRule& rule) const {
  auto it = display_.find(&rule);
  return it == display_.end() ? nullptr : &it->second;
}

std::string MatchFormatter::details(const Display* d, const normalize::Event& event) const {
  std::string out;
  if (d)
    for (const auto& key : d->keys) {
      auto value = sigma::readField(event, key.candidates);
      if (!value) continue;
      if (!out.empty()) out += "; ";
      out += key.name + "=" + clip(*value, kMaxValueChars);
    }
  if (out.empty()) {
    // Keyword rules, or fields the event does not carry: the message says what happened.
    std::string_view msg = event.getText("message");
    if (msg.empty()) msg = event.raw();
    out = clip(msg, kMaxValueChars * 2);
  }
  return out;
}

std::string MatchFormatter::header() const {
  if (format_ == OutputFormat::kCsv) return "time,level,rule_id,rule_title,tags,host,file,record,details\n";
  if (format_ == OutputFormat::kTable)
    return pad("time (UTC)", 20) + "  " + pad("level", 13) + "  " + pad("rule", 48) + "  " + pad("host", 20) +
           "  details\n";
  return {};
}

void MatchFormatter::format(const sigma::Detection& detection, const normalize::Event* event, std::string_view file,
                            uint64_t record, std::string& out) const {
  if (detection.kind == sigma::Detection::Kind::kCorrelation)
    formatFiring(detection, file, detection.firing->atEvent ? record : 0, out);
  else if (event)
    formatRule(*detection.rule, *event, file, record, out);
}

void MatchFormatter::formatFiring(const sigma::Detection& d, std::string_view file, uint64_t record,
                                  std::string& out) const {
  const sigma::CorrelationFiring& f = *d.firing;
  const sigma::CorrelationRule& c = *f.rule;
  const std::string time = normalize::Event::formatTime(f.lastUs);
  const std::string type = correlationTypeName(c.type);
  char value[64];
  std::snprintf(value, sizeof value, "%.15g", f.value);
  std::string summary = type + " " + value + " (" + std::to_string(f.events) + " events " +
                        normalize::Event::formatTime(f.firstUs) + ".." + time + ")";
  for (size_t i = 0; i < c.groupBy.size() && i < f.groupValues.size(); ++i)
    summary += "; " + c.groupBy[i] + "=" + clip(f.groupValues[i], kMaxValueChars);
  std::string tags;
  for (const auto& t : c.tags) tags += (tags.empty() ? "" : " ") + t;
  switch (format_) {
    case OutputFormat::kTable: {
      const std::string shortTime = time.size() >= 19 ? time.substr(0, 19) + "Z" : time;
      out += pad(shortTime, 20) + "  " + pad(c.level.empty() ? "-" : c.level, 13) + "  " + pad(c.title, 48) + "  " +
             pad("", 20) + "  " + summary + "\n";
      break;
    }
    case OutputFormat::kCsv:
      out += csvCell(time) + "," + csvCell(c.level) + "," + csvCell(c.id) + "," + csvCell(c.title) + "," +
             csvCell(tags) + "," + csvCell("") + "," + csvCell(file) + "," + (record ? std::to_string(record) : "") +
             "," + csvCell(summary) + "\n";
      break;
    case OutputFormat::kJsonLines: {
      std::string tagsJson = "[";
      for (const auto& t : c.tags) tagsJson += (tagsJson.size() > 1 ? "," : "") + json(t);
      tagsJson += "]";
      out += "{\"time\":" + json(time) + ",\"rule\":{\"type\":\"correlation\",\"id\":" + json(c.id) +
             ",\"title\":" + json(c.title) + ",\"level\":" + json(c.level) + ",\"tags\":" + tagsJson +
             ",\"path\":" + json(c.origin) + "},\"file\":" + json(file) +
             ",\"record\":" + (record ? std::to_string(record) : std::string("null")) +
             ",\"host\":\"\",\"correlation\":{\"type\":" + json(type) + ",\"group\":{";
      for (size_t i = 0; i < c.groupBy.size() && i < f.groupValues.size(); ++i)
        out += (i ? "," : "") + json(c.groupBy[i]) + ":" + json(f.groupValues[i]);
      out += "},\"value\":" + std::string(value) + ",\"events\":" + std::to_string(f.events) +
             ",\"first\":" + json(normalize::Event::formatTime(f.firstUs)) + ",\"last\":" + json(time) + "}}\n";
      break;
    }
  }
}

void MatchFormatter::formatRule(const sigma::CompiledRule& rule, const normalize::Event& event, std::string_view file,
                                uint64_t record, std::string& out) const {
  const sigma::SigmaRule& r = rule.rule();
  const Display* d = displayOf(rule);
  const std::string time = timeOf(event);
  switch (format_) {
    case OutputFormat::kTable: {
      const std::string shortTime = time.size() >= 19 ? time.substr(0, 19) + "Z" : time;
      out += pad(shortTime, 20) + "  " + pad(r.level.empty() ? "-" : r.level, 13) + "  " + pad(r.title, 48) + "  " +
             pad(hostOf(event), 20) + "  " + details(d, event) + "\n";
      break;
    }
    case OutputFormat::kCsv: {
      std::string tags;
      for (const auto& t : r.tags) tags += (tags.empty() ? "" : " ") + t;
      out += csvCell(time) + "," + csvCell(r.level) + "," + csvCell(r.id) + "," + csvCell(r.title) + "," +
             csvCell(tags) + "," + csvCell(hostOf(event)) + "," + csvCell(file) + "," + std::to_string(record) + "," +
             csvCell(details(d, event)) + "\n";
      break;
    }
    case OutputFormat::kJsonLines: {
      out += "{\"time\":" + json(time) + ",\"rule\":{\"type\":\"rule\",\"id\":" + json(r.id) +
             ",\"title\":" + json(r.title) + ",\"level\":" + json(r.level) +
             ",\"tags\":" + (d ? d->tagsJson : std::string("[]")) + ",\"path\":" + json(r.origin) +
             "},\"file\":" + json(file) + ",\"record\":" + std::to_string(record) + ",\"host\":" + json(hostOf(event)) +
             ",\"event\":{";
      for (size_t i = 0; i < event.size(); ++i) {
        const normalize::Value v = event.valueAt(i);
        if (i) out += ',';
        out += json(event.nameAt(i));
        out += ':';
        if (v.type == normalize::ValueType::kInt)
          out += std::to_string(v.number);
        else if (v.type == normalize::ValueType::kTime)
          out += json(normalize::Event::formatTime(v.number));
        else
          out += json(v.text);
      }
      out += "}}\n";
      break;
    }
  }
}

}  // namespace vigil::detect::hunt
