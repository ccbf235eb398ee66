// Catalog loading (TOML, read once at start) and the normalisation of one message (see
// normalizer.h). The hot path allocates nothing beyond the Event's own buffers, except the field
// vector of a CEF/LEEF/key=value payload parse.
#include "normalize/normalizer.h"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "ingest/payload.h"
#include "normalize/pattern.h"

namespace vigil::normalize {

using ingest::SyslogFormat;
using ingest::SyslogMessage;

// ---- the compiled catalog ---------------------------------------------------------------------

enum class MapType : uint8_t { kString, kLower, kInt, kIp, kIpIn, kOutcome, kEpochMs };

struct MapEntry {
  std::string field;
  MapType type = MapType::kString;
};

// Lookups by string_view without building a std::string.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;

// Payload keys to ECS fields. Keys not listed go under `prefix` + key (dropped when prefix is "").
struct FieldMap {
  std::string name;
  std::string prefix;
  TextMap<MapEntry> keys;
};

struct Constant {
  std::string name;
  std::string value;
};

enum class Scope : uint8_t { kMsg, kContent, kLine };

struct Rule {
  std::string id;
  std::string dataset;
  Scope scope = Scope::kMsg;
  Pattern pattern;
  std::vector<Constant> fields;
  std::vector<std::string> require;                                     // keys a kv capture must carry
  std::vector<std::pair<std::string, std::vector<std::string>>> allow;  // field -> accepted values
  std::vector<const FieldMap*> kvMaps;                                  // per pattern token: the map of a kv capture
};

// A CEF or LEEF vendor entry: matched on the header's vendor (and product when given).
struct VendorEntry {
  std::string vendor;
  std::string product;  // "" = any
  std::string dataset;
  std::vector<Constant> fields;
  std::string mapName;                   // "" = the "cef"/"leef" map
  TextMap<std::vector<Constant>> codes;  // event code -> more constants
  const FieldMap* map = nullptr;
};

struct Catalog {
  std::vector<std::unique_ptr<Rule>> rules;  // stable addresses: events point at their strings
  TextMap<std::vector<const Rule*>> byProgram;
  std::vector<const Rule*> anyProgram;
  std::map<std::string, std::unique_ptr<FieldMap>, std::less<>> maps;
  std::vector<VendorEntry> cef, leef;
  const FieldMap* cefMap = nullptr;
  const FieldMap* leefMap = nullptr;
  std::vector<std::string> success, failure;
};

// ---- loading ----------------------------------------------------------------------------------

namespace {

struct Loader {
  std::string origin;
  Catalog& cat;
  // Rule tables whose kv maps are resolved after every file is read (maps may come later).
  struct PendingKv {
    Rule* rule;
    size_t token;
    std::string map;
    std::string where;
  };
  std::vector<PendingKv>* pending;

  Error err(const toml::node& n, const std::string& what) const {
    return Error::badRequest(origin + ":" + std::to_string(n.source().begin.line) + ": " + what);
  }

  std::optional<Error> onlyKeys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                                const std::string& where) const {
    for (const auto& [k, v] : t)
      if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end())
        return err(v, where + ": unknown key '" + std::string(k.str()) + "'");
    return std::nullopt;
  }

  Result<std::string> text(const toml::table& t, const char* key, const std::string& where, bool required) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) return err(t, where + ": missing " + key);
      return std::string();
    }
    auto v = n->value<std::string>();
    if (!v || v->empty()) return err(*n, where + ": " + key + " must be a non-empty string");
    return *v;
  }

  Result<std::vector<std::string>> texts(const toml::table& t, const char* key, const std::string& where) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::vector<std::string>();
    return textsOf(*n, where + ": " + key);
  }

  Result<std::vector<std::string>> textsOf(const toml::node& n, const std::string& where) const {
    std::vector<std::string> out;
    const toml::array* a = n.as_array();
    if (a == nullptr) return err(n, where + " must be an array of strings");
    for (const toml::node& e : *a) {
      auto v = e.value<std::string>();
      if (!v || v->empty()) return err(e, where + " must hold non-empty strings");
      out.push_back(*v);
    }
    return out;
  }

  Result<std::vector<Constant>> constants(const toml::table& t, const std::string& where) const {
    std::vector<Constant> out;
    const toml::node* n = t.get("fields");
    if (n == nullptr) return out;
    const toml::table* f = n->as_table();
    if (f == nullptr) return err(*n, where + ": fields must be a table of \"ecs.name\" = \"value\"");
    for (const auto& [k, v] : *f) {
      auto s = v.value<std::string>();
      if (!s) return err(v, where + ": fields." + std::string(k.str()) + " must be a string");
      out.push_back({std::string(k.str()), *s});
    }
    return out;
  }

  Result<void> rule(const toml::table& t) {
    std::string where = "rule";
    if (auto e = onlyKeys(t, {"id", "programs", "dataset", "on", "pattern", "fields", "require", "allow"}, where))
      return *e;
    auto r = std::make_unique<Rule>();
    VIGIL_ASSIGN_OR_RETURN(r->id, text(t, "id", where, true));
    where = "rule " + r->id;
    VIGIL_ASSIGN_OR_RETURN(r->dataset, text(t, "dataset", where, true));
    std::vector<std::string> programs;
    VIGIL_ASSIGN_OR_RETURN(programs, texts(t, "programs", where));
    std::string on;
    VIGIL_ASSIGN_OR_RETURN(on, text(t, "on", where, false));
    if (on.empty()) on = programs.empty() ? "content" : "msg";
    if (on == "msg") {
      r->scope = Scope::kMsg;
    } else if (on == "content") {
      r->scope = Scope::kContent;
    } else if (on == "line") {
      r->scope = Scope::kLine;
    } else {
      return err(*t.get("on"), where + ": on must be \"msg\", \"content\" or \"line\"");
    }
    std::string pattern;
    VIGIL_ASSIGN_OR_RETURN(pattern, text(t, "pattern", where, true));
    auto compiled = Pattern::compile(pattern);
    if (!compiled) return err(*t.get("pattern"), where + ": " + compiled.error().message);
    r->pattern = std::move(*compiled);
    VIGIL_ASSIGN_OR_RETURN(r->fields, constants(t, where));
    VIGIL_ASSIGN_OR_RETURN(r->require, texts(t, "require", where));
    if (const toml::node* n = t.get("allow")) {
      const toml::table* a = n->as_table();
      if (a == nullptr) return err(*n, where + ": allow must be a table { \"field\" = [\"value\", ...] }");
      for (const auto& [k, v] : *a) {
        std::vector<std::string> values;
        VIGIL_ASSIGN_OR_RETURN(values, textsOf(v, where + ": allow." + std::string(k.str())));
        if (values.empty()) return err(v, where + ": allow." + std::string(k.str()) + " must list values");
        r->allow.emplace_back(std::string(k.str()), std::move(values));
      }
    }
    r->kvMaps.assign(r->pattern.tokens().size(), nullptr);
    for (size_t i = 0; i < r->pattern.tokens().size(); ++i) {
      const PatternToken& tok = r->pattern.tokens()[i];
      if (tok.op == PatternToken::Op::kCapture && tok.kind == CaptureKind::kKv)
        pending->push_back({r.get(), i, tok.text, origin + ": " + where});
    }
    for (const auto& existing : cat.rules)
      if (existing->id == r->id) return err(t, where + ": duplicate rule id");
    for (std::string& p : programs) {
      std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      cat.byProgram[p].push_back(r.get());
    }
    if (programs.empty()) cat.anyProgram.push_back(r.get());
    cat.rules.push_back(std::move(r));
    return {};
  }

  Result<void> map(const std::string& name, const toml::table& t) {
    const std::string where = "map " + name;
    if (auto e = onlyKeys(t, {"prefix", "keys"}, where)) return *e;
    auto m = std::make_unique<FieldMap>();
    m->name = name;
    if (const toml::node* p = t.get("prefix")) {
      auto v = p->value<std::string>();
      if (!v) return err(*p, where + ": prefix must be a string");
      m->prefix = *v;
    }
    const toml::table* keys = t.get("keys") != nullptr ? t.get("keys")->as_table() : nullptr;
    if (keys == nullptr) return err(t, where + ": missing keys = { payload_key = \"[type:]ecs.field\" }");
    for (const auto& [k, v] : *keys) {
      auto s = v.value<std::string>();
      if (!s || s->empty()) return err(v, where + ": keys." + std::string(k.str()) + " must be a string");
      MapEntry e;
      const size_t colon = s->find(':');
      std::string type = colon == std::string::npos ? "string" : s->substr(0, colon);
      e.field = colon == std::string::npos ? *s : s->substr(colon + 1);
      if (type == "string") {
        e.type = MapType::kString;
      } else if (type == "lower") {
        e.type = MapType::kLower;
      } else if (type == "int") {
        e.type = MapType::kInt;
      } else if (type == "ip") {
        e.type = MapType::kIp;
      } else if (type == "ipin") {
        e.type = MapType::kIpIn;
      } else if (type == "outcome") {
        e.type = MapType::kOutcome;
      } else if (type == "epochms") {
        e.type = MapType::kEpochMs;
      } else {
        return err(v, where + ": keys." + std::string(k.str()) + ": unknown type \"" + type +
                          "\" (string, lower, int, ip, ipin, outcome, epochms)");
      }
      if (e.field.empty()) return err(v, where + ": keys." + std::string(k.str()) + ": empty field name");
      m->keys.emplace(std::string(k.str()), std::move(e));
    }
    if (cat.maps.contains(name)) return err(t, where + ": defined twice");
    cat.maps.emplace(name, std::move(m));
    return {};
  }

  Result<void> vendor(const toml::table& t, std::vector<VendorEntry>& into, const char* kind) {
    std::string where = kind;
    if (auto e = onlyKeys(t, {"vendor", "product", "dataset", "fields", "map", "codes"}, where)) return *e;
    VendorEntry v;
    VIGIL_ASSIGN_OR_RETURN(v.vendor, text(t, "vendor", where, true));
    where += " " + v.vendor;
    VIGIL_ASSIGN_OR_RETURN(v.product, text(t, "product", where, false));
    VIGIL_ASSIGN_OR_RETURN(v.dataset, text(t, "dataset", where, true));
    VIGIL_ASSIGN_OR_RETURN(v.fields, constants(t, where));
    VIGIL_ASSIGN_OR_RETURN(v.mapName, text(t, "map", where, false));
    if (const toml::node* n = t.get("codes")) {
      const toml::table* codes = n->as_table();
      if (codes == nullptr) return err(*n, where + ": codes must be a table { CODE = { \"ecs.name\" = \"value\" } }");
      for (const auto& [code, spec] : *codes) {
        if (!spec.is_table()) return err(spec, where + ": codes." + std::string(code.str()) + " must be a table");
        toml::table wrapped;
        wrapped.insert("fields", *spec.as_table());
        std::vector<Constant> c;
        VIGIL_ASSIGN_OR_RETURN(c, constants(wrapped, where + ": codes." + std::string(code.str())));
        v.codes.emplace(std::string(code.str()), std::move(c));
      }
    }
    into.push_back(std::move(v));
    return {};
  }

  Result<void> file(const toml::table& root) {
    if (auto e = onlyKeys(root, {"rule", "map", "outcome", "cef", "leef"}, "file")) return *e;
    if (const toml::node* n = root.get("map")) {
      const toml::table* maps = n->as_table();
      if (maps == nullptr) return err(*n, "map must be tables [map.NAME]");
      for (const auto& [k, v] : *maps) {
        if (!v.is_table()) return err(v, "map." + std::string(k.str()) + " must be a table");
        VIGIL_TRY(map(std::string(k.str()), *v.as_table()));
      }
    }
    if (const toml::node* n = root.get("outcome")) {
      const toml::table* o = n->as_table();
      if (o == nullptr) return err(*n, "outcome must be a table { success = [...], failure = [...] }");
      if (auto e = onlyKeys(*o, {"success", "failure"}, "outcome")) return *e;
      std::vector<std::string> s, f;
      VIGIL_ASSIGN_OR_RETURN(s, texts(*o, "success", "outcome"));
      VIGIL_ASSIGN_OR_RETURN(f, texts(*o, "failure", "outcome"));
      cat.success.insert(cat.success.end(), s.begin(), s.end());
      cat.failure.insert(cat.failure.end(), f.begin(), f.end());
    }
    for (const char* kind : {"rule", "cef", "leef"}) {
      const toml::node* n = root.get(kind);
      if (n == nullptr) continue;
      const toml::array* a = n->as_array();
      if (a == nullptr) return err(*n, std::string(kind) + " must be an array of tables [[" + kind + "]]");
      for (const toml::node& e : *a) {
        if (!e.is_table()) return err(e, std::string(kind) + " entries must be tables");
        if (std::string_view(kind) == "rule") {
          VIGIL_TRY(rule(*e.as_table()));
        } else {
          VIGIL_TRY(vendor(*e.as_table(), std::string_view(kind) == "cef" ? cat.cef : cat.leef, kind));
        }
      }
    }
    return {};
  }
};

Result<std::unique_ptr<Catalog>> build(const std::vector<std::pair<std::string, std::string>>& files) {
  auto cat = std::make_unique<Catalog>();
  std::vector<Loader::PendingKv> pending;
  for (const auto& [name, body] : files) {
    toml::table root;
    try {
      root = toml::parse(body, name);
    } catch (const toml::parse_error& e) {
      return Error::badRequest(name + ":" + std::to_string(e.source().begin.line) + ": " +
                               std::string(e.description()));
    }
    Loader l{name, *cat, &pending};
    VIGIL_TRY(l.file(root));
  }
  auto findMap = [&](const std::string& n) -> const FieldMap* {
    auto it = cat->maps.find(n);
    return it == cat->maps.end() ? nullptr : it->second.get();
  };
  for (const Loader::PendingKv& p : pending) {
    const FieldMap* m = findMap(p.map);
    if (m == nullptr) return Error::badRequest(p.where + ": %{kv:" + p.map + "} names a map that does not exist");
    p.rule->kvMaps[p.token] = m;
  }
  for (std::vector<VendorEntry>* list : {&cat->cef, &cat->leef}) {
    for (VendorEntry& v : *list) {
      if (v.mapName.empty()) continue;
      v.map = findMap(v.mapName);
      if (v.map == nullptr)
        return Error::badRequest("vendor " + v.vendor + ": map \"" + v.mapName + "\" does not exist");
    }
  }
  cat->cefMap = findMap("cef");
  cat->leefMap = findMap("leef");
  return cat;
}

// ---- normalising ------------------------------------------------------------------------------

bool isDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t toInt(std::string_view s) {
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Values that mean "nothing here".
bool isEmptyValue(std::string_view v) { return v.empty() || v == "-" || v == "N/A"; }

std::string_view facilityNames(int f) { return ingest::facilityName(f); }

// "+07:00"-style offset into a small buffer.
std::string_view formatOffset(int minutes, char (&buf)[8]) {
  const char sign = minutes < 0 ? '-' : '+';
  const int m = minutes < 0 ? -minutes : minutes;
  buf[0] = sign;
  buf[1] = static_cast<char>('0' + m / 600);
  buf[2] = static_cast<char>('0' + (m / 60) % 10);
  buf[3] = ':';
  buf[4] = static_cast<char>('0' + (m % 60) / 10);
  buf[5] = static_cast<char>('0' + m % 10);
  return {buf, 6};
}

class Filler {
 public:
  Filler(const Catalog& cat, const SyslogMessage& m, Event& e) : cat_(cat), m_(m), e_(e) {}

  void generic(const SourceContext& src) {
    e_.orgId = src.orgId;
    e_.sourceId = src.sourceId;
    e_.receivedUs = src.receivedUs;
    e_.setTime("@timestamp", m_.timeUs);
    e_.setTime("event.created", src.receivedUs);
    if (!m_.hostname.empty()) e_.setString("host.name", m_.hostname);
    if (m_.hasPri) {
      e_.setInt("log.syslog.priority", m_.pri);
      e_.setInt("log.syslog.facility.code", m_.facility);
      e_.setString("log.syslog.facility.name", facilityNames(m_.facility));
      e_.setInt("log.syslog.severity.code", m_.severity);
      e_.setString("log.syslog.severity.name", ingest::severityName(m_.severity));
    }
    if (!m_.appName.empty()) {
      std::string_view base = m_.appName;
      if (const size_t paren = base.find('('); paren != std::string_view::npos && paren > 0)
        base = base.substr(0, paren);
      e_.setString("process.name", base);
      if (base.size() != m_.appName.size()) e_.setString("log.syslog.appname", m_.appName);
    }
    if (isDigits(m_.procId)) e_.setInt("process.pid", toInt(m_.procId), m_.procId);
    if (m_.format == SyslogFormat::kRfc5424) {
      e_.setInt("log.syslog.version", m_.version);
      if (!m_.procId.empty() && !isDigits(m_.procId)) e_.setString("log.syslog.procid", m_.procId);
      if (!m_.msgId.empty()) e_.setString("log.syslog.msgid", m_.msgId);
      for (const ingest::SdElement& sd : m_.sdElements) {
        for (uint32_t i = 0; i < sd.paramCount; ++i) {
          const ingest::SdParam& p = m_.sdParams[sd.firstParam + i];
          // log.syslog.structured_data.<id>.<param>
          char prefix[160];
          const std::string_view head = "log.syslog.structured_data.";
          if (head.size() + sd.id.size() + 1 >= sizeof prefix) continue;
          std::copy(head.begin(), head.end(), prefix);
          std::copy(sd.id.begin(), sd.id.end(), prefix + head.size());
          prefix[head.size() + sd.id.size()] = '.';
          e_.setOwnedName(std::string_view(prefix, head.size() + sd.id.size() + 1), p.name, ValueType::kString,
                          p.value);
        }
      }
    }
    e_.setString("message", m_.msg);
    hasTime_ = m_.hasTimestamp;
    yearInferred_ = m_.yearInferred;
    zoneInferred_ = m_.zoneInferred;
    zoneOffset_ = m_.zoneOffsetMinutes;
  }

  // The time-resolution record, written last (a rule may have supplied the event's own time).
  void timeRecord() {
    char buf[8];
    if (hasTime_ || ruleTime_) e_.setString("event.timezone", std::string_view(formatOffset(zoneOffset_, buf)));
    std::string_view inferred;
    if (!hasTime_ && !ruleTime_) {
      inferred = "receipt";  // no timestamp in the line: @timestamp is the receive time
    } else if (yearInferred_ && zoneInferred_) {
      inferred = "year,zone";
    } else if (yearInferred_) {
      inferred = "year";
    } else if (zoneInferred_) {
      inferred = "zone";
    }
    if (!inferred.empty()) e_.setString("vigil.time.inferred", inferred);
  }

  bool payload() {
    const std::string_view content = m_.content;
    if (const size_t at = content.find("CEF:"); at != std::string_view::npos && at < 256) {
      auto cef = ingest::parseCef(content);
      if (cef) {
        applyCef(*cef);
        return true;
      }
      e_.setString("vigil.parse_error", "CEF");
    } else if (const size_t at2 = content.find("LEEF:"); at2 != std::string_view::npos && at2 < 256) {
      auto leef = ingest::parseLeef(content.substr(at2));
      if (leef) {
        applyLeef(*leef);
        return true;
      }
      e_.setString("vigil.parse_error", "LEEF");
    }
    return false;
  }

  bool rules() {
    if (!m_.appName.empty()) {
      std::string_view name = m_.appName;
      std::string_view module;
      if (const size_t paren = name.find('('); paren != std::string_view::npos && paren > 0) {
        module = name.substr(paren + 1);
        if (const size_t close = module.find(')'); close != std::string_view::npos) module = module.substr(0, close);
        name = name.substr(0, paren);
      }
      if (tryProgram(name)) return true;
      if (!module.empty() && tryProgram(module)) return true;
    }
    for (const Rule* r : cat_.anyProgram)
      if (tryRule(*r)) return true;
    // A known program with a message no rule describes: the program is still recognised.
    if (fallbackDataset_ != nullptr) e_.setString("event.dataset", *fallbackDataset_);
    return false;
  }

 private:
  bool tryProgram(std::string_view name) {
    if (name.size() > 64) return false;
    char lower[64];
    for (size_t i = 0; i < name.size(); ++i)
      lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    const auto it = cat_.byProgram.find(std::string_view(lower, name.size()));
    if (it == cat_.byProgram.end()) return false;
    for (const Rule* r : it->second)
      if (tryRule(*r)) return true;
    if (fallbackDataset_ == nullptr) fallbackDataset_ = &it->second.front()->dataset;
    return false;
  }

  // The text a rule matches, leading blanks removed ("sudo:     dcid : ...").
  std::string_view scoped(Scope s) const {
    std::string_view t = scopedRaw(s);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    return t;
  }

  std::string_view scopedRaw(Scope s) const {
    switch (s) {
      case Scope::kMsg: return m_.msg;
      case Scope::kContent: return m_.content;
      case Scope::kLine: {
        std::string_view line = m_.raw;
        if (m_.hasPri) line = line.substr(line.find('>') + 1);
        return line;
      }
    }
    return m_.msg;
  }

  bool tryRule(const Rule& r) {
    Captures caps;
    if (!r.pattern.match(scoped(r.scope), zoneOffset_, caps)) return false;
    // A kv capture is parsed before anything is written, so that `require` can reject the rule.
    std::optional<ingest::FieldList> kv;
    const FieldMap* kvMap = nullptr;
    for (size_t i = 0; i < caps.count; ++i) {
      const PatternToken& tok = r.pattern.tokens()[caps.items[i].token];
      if (tok.kind != CaptureKind::kKv) continue;
      auto parsed = ingest::parseKeyValue(caps.items[i].text);
      if (!parsed) return false;
      kv = std::move(*parsed);
      kvMap = r.kvMaps[caps.items[i].token];
    }
    for (const std::string& key : r.require)
      if (!kv || kv->find(key) == nullptr) return false;
    for (const auto& [field, values] : r.allow) {
      for (size_t i = 0; i < caps.count; ++i) {
        if (r.pattern.tokens()[caps.items[i].token].text != field) continue;
        const std::string_view got = caps.items[i].text;
        if (std::none_of(values.begin(), values.end(), [&](const std::string& v) { return equalsNoCase(v, got); }))
          return false;
      }
    }
    for (size_t i = 0; i < caps.count; ++i) applyCapture(r, caps.items[i]);
    if (kv) applyFields(kv->fields, *kvMap);
    for (const Constant& c : r.fields) setText(c.name, c.value);
    e_.setString("event.dataset", r.dataset);
    e_.setString("vigil.rule", r.id);
    return true;
  }

  void applyCapture(const Rule& r, const Capture& c) {
    const PatternToken& tok = r.pattern.tokens()[c.token];
    if (tok.kind == CaptureKind::kFilterlog) {
      filterlog(c.text);
      return;
    }
    if (tok.kind == CaptureKind::kKv || tok.text.empty() || c.absent) return;
    const std::string_view field = tok.text;
    switch (tok.kind) {
      case CaptureKind::kInt:
      case CaptureKind::kNint: e_.setInt(field, c.number, c.text); return;
      case CaptureKind::kIp: e_.setIp(field, c.text); return;
      case CaptureKind::kHttpDate:
      case CaptureKind::kCtime:
      case CaptureKind::kYmdHms:
      case CaptureKind::kEpoch:
        e_.setTime(field, c.number);
        if (field == "@timestamp") {
          ruleTime_ = true;
          yearInferred_ = false;
          zoneInferred_ = c.zoneInferred;
          if (tok.kind == CaptureKind::kEpoch) {
            zoneOffset_ = 0;
          } else if (!c.zoneInferred) {
            zoneOffset_ = zoneOf(c.text);
          }
        }
        return;
      default: {
        std::string_view v = c.text;
        if (tok.kind == CaptureKind::kData) {
          while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
          while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        }
        if (!isEmptyValue(v)) setText(field, v);
        return;
      }
    }
  }

  // The offset written in a time text ("... -0700", "...+07:00", "...Z"); the sender's otherwise.
  int zoneOf(std::string_view t) const {
    if (!t.empty() && t.back() == 'Z') return 0;
    const size_t s = t.find_last_of("+-");
    if (s == std::string_view::npos || t.size() - s < 5) return zoneOffset_;
    std::string_view z = t.substr(s + 1);
    int v[4], n = 0;
    for (char ch : z)
      if (ch >= '0' && ch <= '9' && n < 4) v[n++] = ch - '0';
    if (n != 4) return zoneOffset_;
    const int minutes = (v[0] * 10 + v[1]) * 60 + v[2] * 10 + v[3];
    return t[s] == '-' ? -minutes : minutes;
  }

  // A string field; event.outcome goes through the catalog's outcome table.
  void setText(std::string_view field, std::string_view value) {
    if (field == "event.outcome") {
      e_.setString(field, outcome(value));
      return;
    }
    e_.setString(field, value);
  }

  std::string_view outcome(std::string_view v) const {
    for (const std::string& s : cat_.success)
      if (equalsNoCase(s, v)) return "success";
    for (const std::string& f : cat_.failure)
      if (equalsNoCase(f, v)) return "failure";
    return "unknown";
  }

  void applyField(std::string_view key, std::string_view value, const FieldMap& map) {
    const auto it = map.keys.find(key);
    if (it == map.keys.end()) {
      if (!map.prefix.empty() && !value.empty()) e_.setOwnedName(map.prefix, key, ValueType::kString, value);
      return;
    }
    const MapEntry& me = it->second;
    if (isEmptyValue(value)) return;
    switch (me.type) {
      case MapType::kString: setText(me.field, value); return;
      case MapType::kLower: {
        char buf[64];
        if (value.size() > sizeof buf) {
          e_.setString(me.field, value);
          return;
        }
        for (size_t i = 0; i < value.size(); ++i)
          buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(value[i])));
        e_.setString(me.field, std::string_view(buf, value.size()));
        return;
      }
      case MapType::kInt:
        if (isDigits(value)) {
          e_.setInt(me.field, toInt(value), value);
        } else if (!map.prefix.empty()) {
          e_.setOwnedName(map.prefix, key, ValueType::kString, value);
        }
        return;
      case MapType::kIp:
        if (isIpAddress(value)) {
          e_.setIp(me.field, value);
        } else if (!map.prefix.empty()) {
          e_.setOwnedName(map.prefix, key, ValueType::kString, value);  // kept, not lost
        }
        return;
      case MapType::kIpIn: {
        // The address inside a value such as "https(4.3.5.253)"; the value is kept as sent.
        if (!map.prefix.empty()) e_.setOwnedName(map.prefix, key, ValueType::kString, value);
        const size_t open = value.find('(');
        const size_t close = value.find(')', open == std::string_view::npos ? 0 : open);
        if (open != std::string_view::npos && close != std::string_view::npos) {
          const std::string_view inner = value.substr(open + 1, close - open - 1);
          if (isIpAddress(inner)) e_.setIp(me.field, inner);
        } else if (isIpAddress(value)) {
          e_.setIp(me.field, value);
        }
        return;
      }
      case MapType::kOutcome: e_.setString(me.field, outcome(value)); return;
      case MapType::kEpochMs:
        if (isDigits(value)) {
          e_.setTime(me.field, toInt(value) * 1000);
          if (me.field == "@timestamp") {
            ruleTime_ = true;
            yearInferred_ = zoneInferred_ = false;
            zoneOffset_ = 0;
          }
        } else if (!map.prefix.empty()) {
          e_.setOwnedName(map.prefix, key, ValueType::kString, value);
        }
        return;
    }
  }

  void applyFields(const std::vector<ingest::Field>& fields, const FieldMap& map) {
    for (const ingest::Field& f : fields) {
      // CEF custom fields: cs1=... cs1Label=Name become <prefix>Name.
      if (f.key.ends_with("Label")) continue;
      if (f.key.size() <= 12 &&
          (f.key.starts_with("cs") || f.key.starts_with("cn") || f.key.starts_with("flexString"))) {
        char labelKey[24];
        std::copy(f.key.begin(), f.key.end(), labelKey);
        std::copy_n("Label", 5, labelKey + f.key.size());
        const std::string_view lk(labelKey, f.key.size() + 5);
        for (const ingest::Field& l : fields) {
          if (l.key == lk && !l.value.empty() && !map.prefix.empty() && !map.keys.contains(f.key)) {
            e_.setOwnedName(map.prefix, l.value, ValueType::kString, f.value);
            goto next;
          }
        }
      }
      applyField(f.key, f.value, map);
    next:;
    }
  }

  const VendorEntry* vendorEntry(const std::vector<VendorEntry>& list, std::string_view vendor,
                                 std::string_view product) const {
    for (const VendorEntry& v : list)
      if (v.vendor == vendor && (v.product.empty() || v.product == product)) return &v;
    return nullptr;
  }

  void applyCef(const ingest::CefEvent& c) {
    e_.setString("observer.vendor", c.deviceVendor);
    e_.setString("observer.product", c.deviceProduct);
    if (!c.deviceVersion.empty()) e_.setString("observer.version", c.deviceVersion);
    e_.setString("event.code", c.signatureId);
    if (!c.name.empty()) e_.setString("event.reason", c.name);
    if (isDigits(c.severity)) {
      e_.setInt("event.severity", toInt(c.severity), c.severity);
    } else if (!c.severity.empty()) {
      e_.setString("cef.severity", c.severity);
    }
    const VendorEntry* v = vendorEntry(cat_.cef, c.deviceVendor, c.deviceProduct);
    const FieldMap* map = v != nullptr && v->map != nullptr ? v->map : cat_.cefMap;
    if (map != nullptr) applyFields(c.extension.fields, *map);
    e_.setString("event.dataset", v != nullptr ? std::string_view(v->dataset) : std::string_view("cef"));
    if (v != nullptr) {
      for (const Constant& k : v->fields) setText(k.name, k.value);
      if (const auto code = v->codes.find(c.signatureId); code != v->codes.end())
        for (const Constant& k : code->second) setText(k.name, k.value);
    }
    e_.setString("vigil.rule", "cef");
  }

  void applyLeef(const ingest::LeefEvent& l) {
    e_.setString("observer.vendor", l.vendor);
    e_.setString("observer.product", l.product);
    if (!l.productVersion.empty()) e_.setString("observer.version", l.productVersion);
    e_.setString("event.code", l.eventId);
    const VendorEntry* v = vendorEntry(cat_.leef, l.vendor, l.product);
    const FieldMap* map = v != nullptr && v->map != nullptr ? v->map : cat_.leefMap;
    if (map != nullptr) applyFields(l.attributes.fields, *map);
    e_.setString("event.dataset", v != nullptr ? std::string_view(v->dataset) : std::string_view("leef"));
    if (v != nullptr)
      for (const Constant& k : v->fields) setText(k.name, k.value);
    e_.setString("vigil.rule", "leef");
  }

  // pfSense filterlog: rule,subrule,anchor,tracker,interface,reason,action,direction,ipversion,...
  void filterlog(std::string_view text) {
    std::string_view f[32];
    size_t n = 0;
    for (size_t start = 0; n < 32;) {
      const size_t comma = text.find(',', start);
      f[n++] = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (n < 9) return;
    if (!f[3].empty()) e_.setString("rule.id", f[3]);
    const bool in = f[7] == "in";
    if (!f[4].empty()) e_.setString(in ? "observer.ingress.interface.name" : "observer.egress.interface.name", f[4]);
    if (!f[6].empty()) e_.setString("event.action", f[6]);
    e_.setString("event.type", f[6] == "pass" ? "allowed" : "denied");
    if (f[7] == "in" || f[7] == "out") e_.setString("network.direction", in ? "ingress" : "egress");
    size_t proto = 0, src = 0;
    if (f[8] == "4" && n >= 20) {
      e_.setString("network.type", "ipv4");
      proto = 16;
      src = 18;
    } else if (f[8] == "6" && n >= 17) {
      e_.setString("network.type", "ipv6");
      proto = 12;
      src = 15;
    } else {
      return;
    }
    if (!f[proto].empty()) e_.setString("network.transport", f[proto]);
    if (isIpAddress(f[src])) e_.setIp("source.ip", f[src]);
    if (isIpAddress(f[src + 1])) e_.setIp("destination.ip", f[src + 1]);
    if ((f[proto] == "tcp" || f[proto] == "udp") && n >= src + 4) {
      if (isDigits(f[src + 2])) e_.setInt("source.port", toInt(f[src + 2]), f[src + 2]);
      if (isDigits(f[src + 3])) e_.setInt("destination.port", toInt(f[src + 3]), f[src + 3]);
    }
  }

  const Catalog& cat_;
  const SyslogMessage& m_;
  Event& e_;
  bool hasTime_ = false, ruleTime_ = false, yearInferred_ = false, zoneInferred_ = false;
  int zoneOffset_ = 0;
  const std::string* fallbackDataset_ = nullptr;
};

}  // namespace

// ---- Normalizer -------------------------------------------------------------------------------

Normalizer::Normalizer(std::unique_ptr<Catalog> catalog) : catalog_(std::move(catalog)) {}
Normalizer::~Normalizer() = default;
Normalizer::Normalizer(Normalizer&&) noexcept = default;
Normalizer& Normalizer::operator=(Normalizer&&) noexcept = default;

Result<Normalizer> Normalizer::fromTexts(const std::vector<std::pair<std::string, std::string>>& files) {
  auto cat = build(files);
  if (!cat) return cat.error();
  return Normalizer(std::move(*cat));
}

Result<Normalizer> Normalizer::load(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".toml") paths.push_back(entry.path());
  if (ec) return Error::badRequest("normalisation catalog " + dir.string() + ": " + ec.message());
  if (paths.empty()) return Error::badRequest("normalisation catalog " + dir.string() + ": no *.toml file");
  std::sort(paths.begin(), paths.end());
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return Error::badRequest("normalisation catalog: cannot read " + p.string());
    std::ostringstream body;
    body << in.rdbuf();
    files.emplace_back(p.string(), body.str());
  }
  return fromTexts(files);
}

size_t Normalizer::ruleCount() const { return catalog_->rules.size(); }

void Normalizer::normalize(const SyslogMessage& message, const SourceContext& source, Event& out) const {
  out.reset(message.raw);
  out.setSource(message.raw.data());
  Filler f(*catalog_, message, out);
  f.generic(source);
  if (!f.payload()) f.rules();
  f.timeRecord();
  out.setSource(nullptr);
}

Event Normalizer::normalize(const SyslogMessage& message, const SourceContext& source) const {
  Event e;
  normalize(message, source, e);
  return e;
}

}  // namespace vigil::normalize
