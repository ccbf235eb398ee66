#include "evtx/windows_mapping.h"

#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "normalize/pattern.h"

namespace vigil::evtx {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool equalsLower(std::string_view text, const std::string& lowered) {
  if (text.size() != lowered.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lowered[i]) return false;
  }
  return true;
}

bool endsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool isIntegerName(std::string_view name) {
  return endsWith(name, ".port") || endsWith(name, ".pid") || name == "process.parent.pid";
}

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

std::string where(const std::string& origin, const toml::node& node) {
  return origin + ":" + std::to_string(node.source().begin.line);
}

// Reads a table of string values into `out`.
Status readPairs(const toml::node* node, const std::string& origin, std::string_view key, bool sourceNames,
                 std::vector<std::pair<std::string, std::string>>& out) {
  if (node == nullptr) return Status{};
  const toml::table* table = node->as_table();
  if (table == nullptr) return Error::validation(where(origin, *node), std::string(key) + " must be a table");
  for (const auto& [name, value] : *table) {
    const auto* text = value.as_string();
    if (text == nullptr || text->get().empty())
      return Error::validation(where(origin, value),
                               std::string(key) + "." + std::string(name.str()) + " must be a non-empty string");
    std::string source = text->get();
    // A plain name is an EventData element; a dotted one is a field of the event.
    if (sourceNames && source.find('.') == std::string::npos) source = "winlog.event_data." + source;
    out.emplace_back(std::string(name.str()), std::move(source));
  }
  return Status{};
}

}  // namespace

Status WindowsMapping::add(std::string_view text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error::validation(origin + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
  for (const auto& [key, value] : root)
    if (key.str() != "event")
      return Error::validation(where(origin, value),
                               "unknown key '" + std::string(key.str()) + "' (expected [[event]])");
  const toml::array* events = root["event"].as_array();
  if (events == nullptr) return Status{};
  for (const toml::node& node : *events) {
    const toml::table* t = node.as_table();
    if (t == nullptr) return Error::validation(where(origin, node), "[[event]] must be a table");
    Rule rule;
    for (const auto& [key, value] : *t) {
      const std::string_view k = key.str();
      if (k != "channel" && k != "provider" && k != "ids" && k != "set" && k != "fields")
        return Error::validation(where(origin, value), "unknown key '" + std::string(k) + "'");
    }
    if (const auto* channel = t->get("channel")) {
      if (!channel->is_string()) return Error::validation(where(origin, *channel), "channel must be a string");
      rule.channel = lower(channel->as_string()->get());
    }
    if (const auto* provider = t->get("provider")) {
      if (!provider->is_string()) return Error::validation(where(origin, *provider), "provider must be a string");
      rule.provider = lower(provider->as_string()->get());
    }
    if (rule.channel.empty() && rule.provider.empty())
      return Error::validation(where(origin, node), "a rule names a channel or a provider");
    const toml::array* ids = t->get_as<toml::array>("ids");
    if (ids == nullptr || ids->empty()) return Error::validation(where(origin, node), "a rule needs ids = [event ids]");
    std::vector<int64_t> idList;
    for (const toml::node& id : *ids) {
      if (!id.is_integer()) return Error::validation(where(origin, id), "ids must be integers");
      idList.push_back(id.as_integer()->get());
    }
    VIGIL_TRY(readPairs(t->get("set"), origin, "set", false, rule.set));
    VIGIL_TRY(readPairs(t->get("fields"), origin, "fields", true, rule.fields));
    rules_.push_back(std::move(rule));
    for (int64_t id : idList) byId_[id].push_back(rules_.size() - 1);
  }
  return Status{};
}

Result<WindowsMapping> WindowsMapping::parse(std::string_view text, const std::string& origin) {
  WindowsMapping mapping;
  VIGIL_TRY(mapping.add(text, origin));
  return mapping;
}

Result<WindowsMapping> WindowsMapping::load(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".toml") paths.push_back(entry.path());
  if (ec) return Error::validation(dir.string(), "cannot read the Windows mapping directory: " + ec.message());
  std::sort(paths.begin(), paths.end());
  WindowsMapping mapping;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::validation(path.string(), "cannot read");
    std::stringstream text;
    text << in.rdbuf();
    VIGIL_TRY(mapping.add(text.str(), path.string()));
  }
  return mapping;
}

size_t WindowsMapping::apply(normalize::Event& event) const {
  // winlog.event_id is an integer from readEvtxFile and a number or a string in Winlogbeat JSON.
  std::optional<int64_t> id = parseInteger(event.getText("winlog.event_id"));
  if (!id) id = parseInteger(event.getText("event.code"));
  if (!id) return 0;
  auto found = byId_.find(*id);
  if (found == byId_.end()) return 0;
  const std::string channel(event.getText("winlog.channel"));
  const std::string provider(event.getText("winlog.provider_name"));
  size_t applied = 0;
  for (size_t index : found->second) {
    const Rule& rule = rules_[index];
    if (!rule.channel.empty() && !equalsLower(channel, rule.channel)) continue;
    if (!rule.provider.empty() && !equalsLower(provider, rule.provider)) continue;
    ++applied;
    for (const auto& [name, value] : rule.set) event.setString(name, value);
    for (const auto& [name, source] : rule.fields) {
      // Copied before setting: the value may live in the event's own buffer, which may grow.
      const std::string value(event.getText(source));
      if (value.empty() || value == "-") continue;
      if (endsWith(name, ".ip")) {
        if (normalize::isIpAddress(value)) event.setIp(name, value);
      } else if (isIntegerName(name)) {
        if (auto n = parseInteger(value))
          event.setInt(name, *n, value);
        else
          event.setString(name, value);
      } else {
        event.setString(name, value);
      }
    }
  }
  return applied;
}

}  // namespace vigil::evtx
