#include "normalize/json_event.h"

#include <arpa/inet.h>

#include <boost/json.hpp>
#include <charconv>
#include <string>

#include "core/clock.h"
#include "core/text.h"

namespace vigil::normalize {
namespace {

namespace json = boost::json;

bool isIpName(std::string_view name) {
  const size_t dot = name.rfind('.');
  return (dot == std::string_view::npos ? name : name.substr(dot + 1)) == "ip";
}

bool isValidIp(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// RFC 3339 to microseconds: parseRfc3339 truncates the fraction to milliseconds; the next three
// digits are added back.
std::optional<TimeUs> parseTimeUs(std::string_view s) {
  const auto ms = parseRfc3339(s);
  if (!ms || s.size() < 11 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  TimeUs us = *ms * 1000;
  const size_t dot = s.find('.', 10);
  if (dot != std::string_view::npos) {
    int64_t extra = 0;
    int scale = 100;
    for (size_t p = dot + 4; p < s.size() && p < dot + 7 && s[p] >= '0' && s[p] <= '9'; ++p, scale /= 10)
      extra += (s[p] - '0') * scale;
    us += *ms >= 0 ? extra : -extra;
  }
  return us;
}

// The JSON text of a scalar (a string's own text, unquoted).
std::string scalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_double()) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v.as_double()).ptr);
  }
  return json::serialize(v);
}

class Flattener {
 public:
  Flattener(Event& event, const JsonEventLimits& limits) : event_(event), limits_(limits) {}

  Status object(const json::object& o, const std::string& prefix) {
    for (const auto& [key, value] : o) {
      if (key.empty()) return Error::validation(prefix.empty() ? "(top level)" : prefix, "a field name is empty");
      VIGIL_TRY(value_(prefix.empty() ? std::string(key) : prefix + "." + std::string(key), value));
    }
    return {};
  }

 private:
  Status value_(const std::string& name, const json::value& v) {
    switch (v.kind()) {
      case json::kind::null: return {};
      case json::kind::object: return object(v.as_object(), name);
      case json::kind::array: return array(name, v.as_array());
      case json::kind::int64: return add(name, ValueType::kInt, std::to_string(v.as_int64()), v.as_int64());
      case json::kind::uint64:
        // Beyond int64: kept as text.
        return add(name, ValueType::kString, std::to_string(v.as_uint64()));
      case json::kind::string: {
        const std::string_view s = v.as_string();
        if (name == "@timestamp") return timestamp(s);
        if (isIpName(name) && isValidIp(s)) return add(name, ValueType::kIp, s);
        return add(name, ValueType::kString, s);
      }
      case json::kind::double_: {
        // The shortest text that reads back as the same double ("1.5", not Boost's "1.5E0").
        char buf[32];
        const auto end = std::to_chars(buf, buf + sizeof buf, v.as_double()).ptr;
        return add(name, ValueType::kString, std::string_view(buf, static_cast<size_t>(end - buf)));
      }
      default: return add(name, ValueType::kString, v.as_bool() ? "true" : "false");
    }
  }

  Status array(const std::string& name, const json::array& a) {
    bool allScalars = true;
    for (const auto& e : a) allScalars = allScalars && !e.is_object() && !e.is_array();
    if (allScalars) {
      std::string joined;
      for (const auto& e : a) {
        if (e.is_null()) continue;
        if (!joined.empty()) joined += ", ";
        joined += scalarText(e);
      }
      if (a.empty()) return {};
      return add(name, ValueType::kString, joined);
    }
    for (size_t i = 0; i < a.size(); ++i) VIGIL_TRY(value_(name + "." + std::to_string(i), a[i]));
    return {};
  }

  Status timestamp(std::string_view s) {
    const auto us = parseTimeUs(s);
    if (!us) return Error::validation("@timestamp", "'" + std::string(s.substr(0, 60)) + "' is not an RFC 3339 time");
    event_.setTime("@timestamp", *us);
    return {};
  }

  Status add(const std::string& name, ValueType type, std::string_view text, int64_t number = 0) {
    if (name == "@timestamp") {
      // Epoch milliseconds.
      if (type != ValueType::kInt)
        return Error::validation("@timestamp", "must be an RFC 3339 time or epoch milliseconds");
      event_.setTime("@timestamp", number * 1000);
      return {};
    }
    if (++fields_ > limits_.maxFields)
      return Error::validation(name, "the document has more than " + std::to_string(limits_.maxFields) + " fields");
    event_.setOwnedName("", name, type, text, number);
    return {};
  }

  Event& event_;
  const JsonEventLimits& limits_;
  size_t fields_ = 0;
};

// ECS fields for the documents of known shippers (see the header).
void mapShipperShapes(const json::object& o, Event& event) {
  auto str = [&](const char* key) -> std::optional<std::string_view> {
    const json::value* v = o.if_contains(key);
    if (v && v->is_string()) return std::string_view(v->as_string());
    return std::nullopt;
  };
  // syslog-ng: $(format-json --scope rfc5424 ...).
  if (auto m = str("MESSAGE"); m && !event.has("message")) event.setString("message", *m);
  if (auto h = str("HOST"); h && !event.has("host.name")) event.setString("host.name", *h);
  if (auto p = str("PROGRAM"); p && !event.has("process.name")) event.setString("process.name", *p);
  if (auto p = str("PID"); p && !event.has("process.pid")) {
    int64_t pid = 0;
    const auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), pid);
    if (ec == std::errc() && end == p->data() + p->size() && pid >= 0) event.setInt("process.pid", pid, *p);
  }
  if (auto s = str("PRIORITY"); s && !event.has("log.level")) event.setString("log.level", *s);
  if (auto f = str("FACILITY"); f && !event.has("log.syslog.facility.name"))
    event.setString("log.syslog.facility.name", *f);
  // Beats: host.hostname when host.name is missing.
  if (!event.has("host.name") && event.has("host.hostname"))
    event.setString("host.name", std::string(event.getText("host.hostname")));
}

}  // namespace

Status jsonToEvent(std::string_view document, Event& event, const JsonEventLimits& limits) {
  event.reset(document);
  if (document.size() > limits.maxBytes)
    return Error::validation("document", "larger than " + std::to_string(limits.maxBytes) + " bytes (" +
                                             std::to_string(document.size()) + ")");
  if (!text::isValidUtf8(document)) return Error::validation("document", "not valid UTF-8");
  json::parse_options opts;
  opts.max_depth = static_cast<size_t>(limits.maxDepth);
  boost::system::error_code ec;
  json::monotonic_resource mr;
  json::value v = json::parse(json::string_view(document.data(), document.size()), ec, &mr, opts);
  if (ec == json::error::too_deep)
    return Error::validation("document", "nested deeper than " + std::to_string(limits.maxDepth) + " levels");
  if (ec) return Error::validation("document", "not valid JSON (" + ec.message() + ")");
  if (!v.is_object()) return Error::validation("document", "must be a JSON object");
  Flattener f(event, limits);
  VIGIL_TRY(f.object(v.as_object(), ""));
  mapShipperShapes(v.as_object(), event);
  return {};
}

}  // namespace vigil::normalize
