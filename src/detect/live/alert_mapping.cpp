#include "detect/live/alert_mapping.h"

#include <boost/json.hpp>
#include <cctype>
#include <cstdio>

#include "core/text.h"

namespace vigil::detect::live {

namespace json = boost::json;

namespace {

constexpr size_t kMaxKeyValueBytes = 200;

std::string cut(std::string_view v, size_t n) {
  if (v.size() <= n) return std::string(v);
  // Do not split a UTF-8 sequence.
  size_t end = n;
  while (end > 0 && (static_cast<unsigned char>(v[end]) & 0xC0) == 0x80) --end;
  return std::string(v.substr(0, end));
}

std::string_view assetOf(const normalize::Event& e) {
  for (const char* f : {"host.name", "host.ip", "source.ip"})
    if (std::string_view v = e.getText(f); !v.empty()) return v;
  return {};
}

}  // namespace

AlertSeverity severityOfLevel(std::string_view level) {
  if (level == "critical") return AlertSeverity::kCritical;
  if (level == "high") return AlertSeverity::kHigh;
  if (level == "low" || level == "informational") return AlertSeverity::kLow;
  return AlertSeverity::kMedium;
}

int64_t eventTimeUs(const normalize::Event& event) {
  if (auto v = event.get("@timestamp"); v && v->type == normalize::ValueType::kTime) return v->number;
  return event.receivedUs;
}

std::string eventJson(const normalize::Event& event, size_t maxBytes) {
  json::object o;
  o["@timestamp"] = normalize::Event::formatTime(eventTimeUs(event));
  size_t fieldBytes = 0;
  for (size_t i = 0; i < event.size(); ++i) {
    const std::string_view name = event.nameAt(i);
    if (name == "@timestamp") continue;
    const normalize::Value v = event.valueAt(i);
    const std::string key(name);
    if (v.type == normalize::ValueType::kInt) {
      o[key] = v.number;
    } else if (v.type == normalize::ValueType::kTime) {
      o[key] = normalize::Event::formatTime(v.number);
    } else {
      const std::string text = text::isValidUtf8(v.text) ? std::string(v.text) : std::string("(not UTF-8)");
      o[key] = text;
      fieldBytes += text.size();
    }
    fieldBytes += key.size() + 8;
  }
  const std::string_view raw = event.raw();
  const size_t budget = maxBytes > fieldBytes + 256 ? maxBytes - fieldBytes - 256 : 0;
  if (text::isValidUtf8(raw)) o["message"] = cut(raw, budget / 2);  // JSON escaping may double it
  std::string out = json::serialize(o);
  if (out.size() > maxBytes) {  // huge fields: keep the message only
    json::object small{{"@timestamp", o["@timestamp"]}, {"message", cut(raw, maxBytes / 4)}, {"truncated", true}};
    out = json::serialize(small);
  }
  return out;
}

AlertDraft draftForMatch(const normalize::Event& event, const sigma::CompiledRule& rule, const RuleMeta& meta) {
  const sigma::SigmaRule& r = rule.rule();
  AlertDraft d;
  d.orgId = event.orgId;
  d.detector = DetectorKind::kSigma;
  d.ruleId = cut(meta.key, 200);
  d.ruleTitle = cut(r.title, 500);
  d.title = cut(r.title.empty() ? meta.key : r.title, 1000);
  d.severity = severityOfLevel(r.level);
  d.tags.reserve(std::min<size_t>(r.tags.size(), 64));
  for (const std::string& t : r.tags)
    if (d.tags.size() < 64 && !t.empty()) d.tags.push_back(cut(t, 200));
  const std::string_view asset = assetOf(event);
  d.asset = cut(asset, 500);
  std::string key = d.asset;
  for (const sigma::FieldCandidates& f : meta.dedupFields) {
    const auto v = sigma::readField(event, f);
    key += " | ";
    if (v) key += cut(*v, kMaxKeyValueBytes);
  }
  d.dedupKey = cut(key, 500);
  std::string desc = r.description;
  if (!r.falsepositives.empty()) {
    desc += "\n\nFalse positives:";
    for (const auto& fp : r.falsepositives) desc += "\n- " + fp;
  }
  desc += "\n\nRule: " + meta.origin + " (" + meta.source + ", version " + std::to_string(meta.version) + ")";
  d.description = cut(desc, 20000);
  d.evidence = eventJson(event);
  const int64_t timeUs = eventTimeUs(event);
  d.eventsQuery = "vigil.org_id:" + std::to_string(event.orgId) +
                  " AND vigil.source_id:" + std::to_string(event.sourceId) +
                  " AND @timestamp:" + std::to_string(timeUs);
  if (const std::string_view host = event.getText("host.name"); !host.empty() && host.size() < 200 &&
                                                                host.find('"') == std::string_view::npos &&
                                                                host.find('\\') == std::string_view::npos)
    d.eventsQuery += " AND host.name:\"" + std::string(host) + "\"";
  auto observe = [&](const char* type, const char* field) {
    const std::string_view v = event.getText(field);
    if (v.empty() || v.size() > 2000 || !text::isValidUtf8(v)) return;
    for (const Observable& o : d.observables)
      if (o.type == type && o.value == v) return;
    d.observables.push_back({type, std::string(v)});
  };
  observe("host", "host.name");
  observe("ip", "host.ip");
  observe("ip", "source.ip");
  observe("ip", "destination.ip");
  observe("user", "user.name");
  observe("file", "process.executable");
  observe("hash", "file.hash.sha256");
  observe("domain", "destination.domain");
  d.seenAt = event.receivedUs > 0 ? event.receivedUs / 1000 : 0;
  return d;
}

namespace {

const char* typeName(sigma::CorrelationRule::Type t) {
  using T = sigma::CorrelationRule::Type;
  switch (t) {
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

std::string numberText(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// A value that can be written as "value" in an event query.
bool quotable(std::string_view v) {
  return !v.empty() && v.size() < 200 && v.find('"') == std::string_view::npos &&
         v.find('\\') == std::string_view::npos && text::isValidUtf8(v);
}

}  // namespace

AlertDraft draftForCorrelation(const sigma::CorrelationFiring& f, const RuleMeta& meta, int64_t orgId,
                               const normalize::Event* lastEvent) {
  const sigma::CorrelationRule& r = *f.rule;
  AlertDraft d;
  d.orgId = orgId;
  d.detector = DetectorKind::kSigma;
  d.ruleId = cut(meta.key, 200);
  d.ruleTitle = cut(r.title, 500);
  d.title = cut(r.title.empty() ? meta.key : r.title, 1000);
  d.severity = severityOfLevel(sigma::severityForLevel(r.level));
  for (const std::string& t : r.tags)
    if (d.tags.size() < 64 && !t.empty()) d.tags.push_back(cut(t, 200));

  // The group: Sigma group-by names with their values.
  json::object group;
  std::string key = meta.key;
  std::string groupText;
  for (size_t i = 0; i < f.groupValues.size(); ++i) {
    const std::string name = i < r.groupBy.size() ? r.groupBy[i] : "group" + std::to_string(i);
    const std::string value =
        text::isValidUtf8(f.groupValues[i]) ? cut(f.groupValues[i], kMaxKeyValueBytes) : std::string("(not UTF-8)");
    group[name] = value;
    key += " | " + value;
    groupText += (groupText.empty() ? "" : ", ") + name + " = " + value;
  }
  d.dedupKey = cut(key, 500);

  // Asset: a group-by value read from a host/IP field, else the last event's.
  for (size_t i = 0; i < f.groupValues.size() && i < meta.dedupFields.size() && d.asset.empty(); ++i)
    for (const std::string& field : meta.dedupFields[i])
      if ((field == "host.name" || field == "host.ip" || field == "source.ip") && !f.groupValues[i].empty()) {
        d.asset = cut(f.groupValues[i], 500);
        break;
      }
  if (d.asset.empty() && lastEvent) d.asset = cut(assetOf(*lastEvent), 500);

  const std::string first = normalize::Event::formatTime(f.firstUs);
  const std::string last = normalize::Event::formatTime(f.lastUs);
  std::string desc = r.description;
  if (!desc.empty()) desc += "\n\n";
  desc += std::string("Correlation ") + typeName(r.type) + ": value " + numberText(f.value) + " over " +
          std::to_string(f.events) + " event(s) from " + first + " to " + last + " (timespan " +
          std::to_string(r.timespanUs / 1000000) + " s)";
  if (!groupText.empty()) desc += "; group " + groupText;
  desc += ".";
  if (!r.falsepositives.empty()) {
    desc += "\n\nFalse positives:";
    for (const auto& fp : r.falsepositives) desc += "\n- " + fp;
  }
  desc += "\n\nRule: " + meta.origin + " (" + meta.source + ", version " + std::to_string(meta.version) + ")";
  d.description = cut(desc, 20000);

  json::object ev{{"correlation", meta.key},  {"type", typeName(r.type)}, {"value", f.value},
                  {"events", f.events},       {"first", first},           {"last", last},
                  {"group", std::move(group)}};
  if (lastEvent) {
    boost::system::error_code ec;
    json::value e = json::parse(eventJson(*lastEvent, 40 * 1024), ec);
    if (!ec) ev["last_event"] = std::move(e);
  }
  d.evidence = json::serialize(ev);

  d.eventsQuery = "vigil.org_id:" + std::to_string(orgId) + " AND @timestamp:[" + std::to_string(f.firstUs) + " TO " +
                  std::to_string(f.lastUs) + "]";
  for (size_t i = 0; i < f.groupValues.size() && i < meta.dedupFields.size(); ++i) {
    const sigma::FieldCandidates& fields = meta.dedupFields[i];
    if (fields.empty() || !quotable(f.groupValues[i])) continue;
    // The field the last event carries the value in, else the first candidate.
    std::string field = fields.front();
    if (lastEvent)
      for (const std::string& c : fields)
        if (lastEvent->getText(c) == f.groupValues[i]) {
          field = c;
          break;
        }
    bool plain = !field.empty();
    for (char ch : field)
      plain =
          plain && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-' || ch == '@');
    if (plain) d.eventsQuery += " AND " + field + ":\"" + f.groupValues[i] + "\"";
  }
  if (lastEvent) d.seenAt = lastEvent->receivedUs > 0 ? lastEvent->receivedUs / 1000 : 0;
  return d;
}

}  // namespace vigil::detect::live
