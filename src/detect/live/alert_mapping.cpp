#include "detect/live/alert_mapping.h"

#include <boost/json.hpp>

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

}  // namespace vigil::detect::live
