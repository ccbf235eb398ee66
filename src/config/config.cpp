#include "config/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <vector>

extern char** environ;

namespace vigil {
namespace {

// One entry per configuration key: how to set it from text (env, flags) and from TOML.
struct KeySpec {
  std::string name;  // "section.key"
  std::function<Status(Config&, const std::string&, const std::string& where)> fromText;
};

Status badValue(const std::string& key, const std::string& where, const std::string& why) {
  return Error::validation(key, why + " (from " + where + ")");
}

KeySpec stringKey(std::string name, std::string* (*field)(Config&)) {
  return {std::move(name), [field](Config& c, const std::string& v, const std::string&) -> Status {
            *field(c) = v;
            return {};
          }};
}

template <typename Int>
KeySpec intKey(std::string name, Int* (*field)(Config&), int64_t lo, int64_t hi) {
  return {name, [=](Config& c, const std::string& v, const std::string& where) -> Status {
            int64_t n = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || p != v.data() + v.size())
              return badValue(name, where, "expected a whole number, got '" + v + "'");
            if (n < lo || n > hi)
              return badValue(name, where, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
            *field(c) = static_cast<Int>(n);
            return {};
          }};
}

KeySpec boolKey(std::string name, bool* (*field)(Config&)) {
  return {name, [=](Config& c, const std::string& v, const std::string& where) -> Status {
            if (v == "true" || v == "1" || v == "yes")
              *field(c) = true;
            else if (v == "false" || v == "0" || v == "no")
              *field(c) = false;
            else
              return badValue(name, where, "expected true or false, got '" + v + "'");
            return {};
          }};
}

KeySpec enumKey(std::string name, std::string* (*field)(Config&), std::vector<std::string> allowed) {
  return {name, [=](Config& c, const std::string& v, const std::string& where) -> Status {
            for (const auto& a : allowed)
              if (a == v) {
                *field(c) = v;
                return {};
              }
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            return badValue(name, where, "must be one of " + list + ", got '" + v + "'");
          }};
}

// "12=365, 15=180": agency (org) id = days, comma-separated; empty clears the list. In TOML also a
// table `[events.agency_retention_days]` with lines `12 = 365` (turned into this text form).
KeySpec agencyDaysKey(std::string name) {
  return {name, [=](Config& c, const std::string& v, const std::string& where) -> Status {
            std::map<int64_t, int64_t> out;
            size_t start = 0;
            while (start <= v.size()) {
              size_t end = v.find(',', start);
              if (end == std::string::npos) end = v.size();
              std::string item = v.substr(start, end - start);
              item.erase(0, item.find_first_not_of(" \t"));
              item.erase(item.find_last_not_of(" \t") + 1);
              start = end + 1;
              if (item.empty()) continue;
              const size_t eq = item.find('=');
              int64_t org = 0, days = 0;
              auto parse = [](std::string_view t, int64_t& n) {
                while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
                while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
                auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
                return ec == std::errc() && p == t.data() + t.size() && !t.empty();
              };
              if (eq == std::string::npos || !parse(std::string_view(item).substr(0, eq), org) ||
                  !parse(std::string_view(item).substr(eq + 1), days))
                return badValue(name, where,
                                "expected 'agency id = days' pairs such as '12=365, 15=180', got '" + item + "'");
              if (org < 1) return badValue(name, where, "agency id must be positive, got '" + item + "'");
              if (days < 1 || days > 36500)
                return badValue(name, where, "days must be between 1 and 36500, got '" + item + "'");
              if (!out.emplace(org, days).second)
                return badValue(name, where, "agency " + std::to_string(org) + " is listed twice");
            }
            c.events.agencyRetentionDays = std::move(out);
            return {};
          }};
}

// "60, 300, 900": seconds, comma-separated, each from 1 to 7 days; in TOML also an array.
KeySpec delaysKey(std::string name) {
  return {name, [=](Config& c, const std::string& v, const std::string& where) -> Status {
            std::vector<int> out;
            size_t start = 0;
            while (start <= v.size()) {
              size_t end = v.find(',', start);
              if (end == std::string::npos) end = v.size();
              std::string_view item = std::string_view(v).substr(start, end - start);
              start = end + 1;
              while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
              while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
              if (item.empty()) continue;
              int n = 0;
              auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
              if (ec != std::errc() || p != item.data() + item.size() || n < 1 || n > 7 * 86400)
                return badValue(
                    name, where,
                    "expected seconds from 1 to 604800 such as '60, 300, 900', got '" + std::string(item) + "'");
              out.push_back(n);
            }
            if (out.empty()) return badValue(name, where, "name at least one delay");
            c.notify.retryDelaysSeconds = std::move(out);
            return {};
          }};
}

// A list of paths: in TOML an array of strings; in the environment and on the command line the
// paths separated by commas (or new lines). An empty value is an empty list.
KeySpec pathListKey(std::string name, std::optional<std::vector<std::string>>* (*field)(Config&)) {
  return {name, [=](Config& c, const std::string& v, const std::string& where) -> Status {
            std::vector<std::string> out;
            size_t start = 0;
            while (start <= v.size()) {
              size_t end = v.find_first_of(",\n", start);
              if (end == std::string::npos) end = v.size();
              std::string item = v.substr(start, end - start);
              item.erase(0, item.find_first_not_of(" \t"));
              item.erase(item.find_last_not_of(" \t") + 1);
              start = end + 1;
              if (item.empty()) continue;
              if (item.find('\0') != std::string::npos) return badValue(name, where, "a path contains a NUL byte");
              out.push_back(std::move(item));
            }
            *field(c) = std::move(out);
            return {};
          }};
}

const std::vector<KeySpec>& keySpecs() {
  static const std::vector<KeySpec> specs = {
      stringKey("server.listen", [](Config& c) { return &c.server.listen; }),
      boolKey("server.allow_insecure_public", [](Config& c) { return &c.server.allowInsecurePublic; }),
      intKey<int>(
          "server.io_threads", [](Config& c) { return &c.server.ioThreads; }, 1, 64),
      intKey<int>(
          "server.worker_threads", [](Config& c) { return &c.server.workerThreads; }, 1, 256),
      stringKey("server.web_root", [](Config& c) { return &c.server.webRoot; }),
      stringKey("server.port_file", [](Config& c) { return &c.server.portFile; }),
      stringKey("server.catalog_dir", [](Config& c) { return &c.server.catalogDir; }),
      boolKey("tls.enabled", [](Config& c) { return &c.tls.enabled; }),
      stringKey("tls.cert_file", [](Config& c) { return &c.tls.certFile; }),
      stringKey("tls.key_file", [](Config& c) { return &c.tls.keyFile; }),
      stringKey("store.data_dir", [](Config& c) { return &c.store.dataDir; }),
      intKey<int>(
          "store.reader_connections", [](Config& c) { return &c.store.readerConnections; }, 1, 64),
      intKey<int>(
          "store.writer_batch_max", [](Config& c) { return &c.store.writerBatchMax; }, 1, 100000),
      intKey<int64_t>(
          "auth.argon2_opslimit", [](Config& c) { return &c.auth.argon2Opslimit; }, 1, 20),
      intKey<int64_t>(
          "auth.argon2_memlimit_kib", [](Config& c) { return &c.auth.argon2MemlimitKib; }, 8, 4 << 20),
      enumKey("log.format", [](Config& c) { return &c.log.format; }, {"text", "json"}),
      enumKey("log.level", [](Config& c) { return &c.log.level; }, {"trace", "debug", "info", "warn", "error"}),
      intKey<int64_t>(
          "http.max_body_bytes", [](Config& c) { return &c.http.maxBodyBytes; }, 1024, 1LL << 32),
      intKey<int64_t>(
          "http.max_header_bytes", [](Config& c) { return &c.http.maxHeaderBytes; }, 1024, 1 << 20),
      intKey<int>(
          "http.request_timeout_seconds", [](Config& c) { return &c.http.requestTimeoutSeconds; }, 1, 3600),
      intKey<int>(
          "http.idle_timeout_seconds", [](Config& c) { return &c.http.idleTimeoutSeconds; }, 1, 3600),
      intKey<int>(
          "http.max_connections", [](Config& c) { return &c.http.maxConnections; }, 1, 1000000),
      intKey<int64_t>(
          "http.max_body_memory_bytes", [](Config& c) { return &c.http.maxBodyMemoryBytes; }, 1 << 20, 1LL << 40),
      intKey<int>(
          "registry.account_unused_days", [](Config& c) { return &c.registry.accountUnusedDays; }, 1, 3650),
      intKey<int>(
          "registry.anti_malware_update_days", [](Config& c) { return &c.registry.antiMalwareUpdateDays; }, 1, 365),
      intKey<int64_t>(
          "registry.max_attachment_bytes", [](Config& c) { return &c.registry.maxAttachmentBytes; }, 1024, 1LL << 32),
      intKey<int>(
          "alerts.dedup_window_minutes", [](Config& c) { return &c.alerts.dedupWindowMinutes; }, 1, 525600),
      intKey<int>(
          "alerts.silent_check_seconds", [](Config& c) { return &c.alerts.silentCheckSeconds; }, 5, 86400),
      intKey<int>(
          "alerts.max_waiters", [](Config& c) { return &c.alerts.maxWaiters; }, 0, 64),
      intKey<int>(
          "alerts.max_streams", [](Config& c) { return &c.alerts.maxStreams; }, 0, 100000),
      stringKey("collect.syslog_udp", [](Config& c) { return &c.collect.syslogUdp; }),
      stringKey("collect.syslog_tcp", [](Config& c) { return &c.collect.syslogTcp; }),
      stringKey("collect.syslog_tls", [](Config& c) { return &c.collect.syslogTls; }),
      stringKey("collect.relp", [](Config& c) { return &c.collect.relp; }),
      intKey<int64_t>(
          "collect.max_frame_bytes", [](Config& c) { return &c.collect.maxFrameBytes; }, 480, 16 << 20),
      intKey<int>(
          "collect.max_connections", [](Config& c) { return &c.collect.maxConnections; }, 1, 1000000),
      intKey<int>(
          "collect.idle_timeout_seconds", [](Config& c) { return &c.collect.idleTimeoutSeconds; }, 1, 86400),
      boolKey("collect.accept_undeclared", [](Config& c) { return &c.collect.acceptUndeclared; }),
      intKey<int64_t>(
          "events.max_queued_bytes", [](Config& c) { return &c.events.maxQueuedBytes; }, 1 << 20, 1LL << 36),
      intKey<int64_t>(
          "events.max_segment_bytes", [](Config& c) { return &c.events.maxSegmentBytes; }, 1 << 20, 1LL << 30),
      intKey<int64_t>(
          "events.retention_days", [](Config& c) { return &c.events.retentionDays; }, 0, 36500),
      intKey<int64_t>(
          "events.retention_max_bytes", [](Config& c) { return &c.events.retentionMaxBytes; }, 0, 1LL << 60),
      agencyDaysKey("events.agency_retention_days"),
      intKey<int>(
          "events.retention_interval_seconds", [](Config& c) { return &c.events.retentionIntervalSeconds; }, 1,
          7 * 86400),
      intKey<int64_t>(
          "evidence.max_file_bytes", [](Config& c) { return &c.evidence.maxFileBytes; }, 1024, 1LL << 40),
      boolKey("notify.enabled", [](Config& c) { return &c.notify.enabled; }),
      delaysKey("notify.retry_delays_seconds"),
      intKey<int>(
          "notify.max_attempts", [](Config& c) { return &c.notify.maxAttempts; }, 1, 100),
      intKey<int>(
          "notify.jitter_percent", [](Config& c) { return &c.notify.jitterPercent; }, 0, 100),
      intKey<int>(
          "notify.queue_max", [](Config& c) { return &c.notify.queueMax; }, 1, 1000000),
      intKey<int>(
          "notify.rate_per_minute", [](Config& c) { return &c.notify.ratePerMinute; }, 1, 100000),
      intKey<int>(
          "notify.send_timeout_seconds", [](Config& c) { return &c.notify.sendTimeoutSeconds; }, 1, 600),
      stringKey("notify.ca_file", [](Config& c) { return &c.notify.caFile; }),
      stringKey("notify.telegram_api_base", [](Config& c) { return &c.notify.telegramApiBase; }),
      stringKey("notify.public_url", [](Config& c) { return &c.notify.publicUrl; }),
      boolKey("webmon.enabled", [](Config& c) { return &c.webmon.enabled; }),
      intKey<int>(
          "webmon.workers", [](Config& c) { return &c.webmon.workers; }, 1, 256),
      intKey<int>(
          "webmon.reload_seconds", [](Config& c) { return &c.webmon.reloadSeconds; }, 1, 86400),
      intKey<int>(
          "webmon.retries", [](Config& c) { return &c.webmon.retries; }, 0, 10),
      intKey<int>(
          "webmon.backoff_ms", [](Config& c) { return &c.webmon.backoffMs; }, 0, 600000),
      intKey<int>(
          "webmon.request_timeout_ms", [](Config& c) { return &c.webmon.requestTimeoutMs; }, 1000, 300000),
      stringKey("webmon.contact_url", [](Config& c) { return &c.webmon.contactUrl; }),
      stringKey("webmon.ca_file", [](Config& c) { return &c.webmon.caFile; }),
      boolKey("detect.enabled", [](Config& c) { return &c.detect.enabled; }),
      pathListKey("detect.rules_dirs", [](Config& c) { return &c.detect.rulesDirs; }),
      intKey<int>(
          "detect.threads", [](Config& c) { return &c.detect.threads; }, 1, 64),
      intKey<int64_t>(
          "detect.queue_events", [](Config& c) { return &c.detect.queueEvents; }, 1024, 100000000),
      intKey<int>(
          "detect.queue_wait_ms", [](Config& c) { return &c.detect.queueWaitMs; }, 0, 60000),
      intKey<int>(
          "detect.reload_poll_ms", [](Config& c) { return &c.detect.reloadPollMs; }, 100, 3600000),
      intKey<int64_t>(
          "detect.hunt_max_events", [](Config& c) { return &c.detect.huntMaxEvents; }, 1000, 1000000000),
      intKey<int>(
          "detect.hunt_max_seconds", [](Config& c) { return &c.detect.huntMaxSeconds; }, 1, 86400),
  };
  return specs;
}

const KeySpec* findKey(const std::string& name) {
  for (const auto& k : keySpecs())
    if (k.name == name) return &k;
  return nullptr;
}

// VIGIL_SERVER_LISTEN -> server.listen: the first underscore after the prefix separates section
// from key (section names have no underscore).
std::string envToKey(const std::string& var) {
  std::string rest = var.substr(6);
  auto us = rest.find('_');
  if (us == std::string::npos) return {};
  std::string key = rest.substr(0, us) + "." + rest.substr(us + 1);
  for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return key;
}

// Environment variables that are not configuration keys but are read elsewhere.
bool isNonConfigEnv(const std::string& var) {
  return var == "VIGIL_ADMIN_PASSWORD" || var == "VIGIL_BIN" || var == "VIGIL_CONFIG";
}

std::string tomlValueText(const toml::node& n, bool& ok) {
  ok = true;
  if (auto s = n.as_string()) return s->get();
  if (auto i = n.as_integer()) return std::to_string(i->get());
  if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
  // An array of strings (detect.rules_dirs) becomes the strings separated by new lines; an array
  // of numbers or booleans (notify.retry_delays_seconds = [60, 300]) becomes "a,b". Mixed arrays,
  // nested arrays and tables in arrays are refused.
  if (auto a = n.as_array()) {
    const bool strings = !a->empty() && (*a)[0].is_string();
    std::string out;
    for (auto&& item : *a) {
      if (item.is_table() || item.is_array() || item.is_string() != strings) {
        ok = false;
        return {};
      }
      std::string v = tomlValueText(item, ok);
      if (!ok) return {};
      out += (out.empty() ? "" : strings ? "\n" : ",") + v;
    }
    return out;
  }
  // A table of scalars (e.g. [events.agency_retention_days]) becomes "key=value,key=value".
  if (auto t = n.as_table()) {
    std::string out;
    for (auto&& [key, value] : *t) {
      std::string v = tomlValueText(value, ok);
      if (!ok || value.is_table()) {
        ok = false;
        return {};
      }
      out += (out.empty() ? "" : ",") + std::string(key.str()) + "=" + v;
    }
    return out;
  }
  ok = false;
  return {};
}

}  // namespace

std::map<std::string, std::string> processEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos && kv.rfind("VIGIL_", 0) == 0) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Result<Config> loadConfig(const std::string& path, const std::map<std::string, std::string>& env,
                          const ConfigOverrides& flags) {
  Config c;
  if (!path.empty()) {
    toml::table tbl;
    try {
      tbl = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      const auto& src = e.source();
      return Error::validation("config", path + ":" + std::to_string(src.begin.line) + ":" +
                                             std::to_string(src.begin.column) + ": " + std::string(e.description()));
    }
    for (auto&& [section, node] : tbl) {
      auto* sub = node.as_table();
      if (!sub) return Error::validation(std::string(section.str()), "expected a [section] table in " + path);
      for (auto&& [key, value] : *sub) {
        std::string name = std::string(section.str()) + "." + std::string(key.str());
        const KeySpec* spec = findKey(name);
        if (!spec) return Error::validation(name, "unknown configuration key in " + path);
        if (value.is_table() && name != "events.agency_retention_days")
          return Error::validation(name, "expected a string, number or boolean in " + path + ", got a table");
        bool ok;
        std::string text = tomlValueText(value, ok);
        if (!ok)
          return Error::validation(name,
                                   "expected a string, number, boolean, list of strings or list of numbers in " + path);
        VIGIL_TRY(spec->fromText(c, text, path));
      }
    }
  }
  for (const auto& [var, value] : env) {
    if (var.rfind("VIGIL_", 0) != 0 || isNonConfigEnv(var)) continue;
    std::string name = envToKey(var);
    const KeySpec* spec = name.empty() ? nullptr : findKey(name);
    if (!spec) return Error::validation(var, "unknown configuration variable in the environment");
    VIGIL_TRY(spec->fromText(c, value, "environment variable " + var));
  }
  for (const auto& [name, value] : flags) {
    const KeySpec* spec = findKey(name);
    if (!spec) return Error::validation(name, "unknown configuration key on the command line");
    VIGIL_TRY(spec->fromText(c, value, "command line"));
  }
  VIGIL_TRY(validateConfig(c));
  return c;
}

bool isLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<std::pair<std::string, uint16_t>> splitHostPort(const std::string& listen, const std::string& key) {
  std::string host, port;
  if (!listen.empty() && listen[0] == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      return Error::validation(key, "expected [ipv6]:port, got '" + listen + "'");
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return Error::validation(key, "expected host:port, got '" + listen + "'");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  unsigned n = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (ec != std::errc() || p != port.data() + port.size() || n > 65535)
    return Error::validation(key, "port must be a number from 0 to 65535, got '" + port + "'");
  return std::make_pair(host, static_cast<uint16_t>(n));
}

Status validateConfig(const Config& c) {
  VIGIL_ASSIGN_OR_RETURN(auto hp, splitHostPort(c.server.listen));
  if (!isLoopbackHost(hp.first) && !c.tls.enabled && !c.server.allowInsecurePublic)
    return Error::validation("server.listen", "'" + hp.first +
                                                  "' is not a loopback address and TLS is off; enable [tls] or pass "
                                                  "--allow-insecure-public to serve plain HTTP on the network");
  if (c.tls.certFile.empty() != c.tls.keyFile.empty())
    return Error::validation("tls.cert_file", "tls.cert_file and tls.key_file must be given together");
  if (c.store.dataDir.empty()) return Error::validation("store.data_dir", "must not be empty");
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string*>{"collect.syslog_udp", &c.collect.syslogUdp},
        {"collect.syslog_tcp", &c.collect.syslogTcp},
        {"collect.syslog_tls", &c.collect.syslogTls},
        {"collect.relp", &c.collect.relp}})
    if (!value->empty()) VIGIL_TRY(splitHostPort(*value, key));
  if (c.notify.telegramApiBase.rfind("https://", 0) != 0 && c.notify.telegramApiBase.rfind("http://127.", 0) != 0 &&
      c.notify.telegramApiBase.rfind("http://localhost", 0) != 0)
    return Error::validation(
        "notify.telegram_api_base",
        "must be an https:// URL (http:// only on this machine), got '" + c.notify.telegramApiBase + "'");
  return {};
}

}  // namespace vigil
