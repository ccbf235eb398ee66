// parseRule(): one Sigma YAML document to a SigmaRule (rule.h). yaml-cpp stays in this file; its
// exceptions are caught here and become errors naming the line.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

#include "detect/sigma/rule.h"

namespace vigil::detect::sigma {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

int lineOf(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

Error at(const std::string& origin, int line, const std::string& reason) {
  return Error::validation(origin + ":" + std::to_string(line), reason);
}

bool isNumberText(const std::string& t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  if (i + 2 < t.size() + 0 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
    i += 2;
    if (i >= t.size()) return false;
    for (; i < t.size(); ++i)
      if (!std::isxdigit(static_cast<unsigned char>(t[i]))) return false;
    return true;
  }
  bool digits = false, dot = false;
  for (; i < t.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(t[i]))) {
      digits = true;
    } else if (t[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

// A scalar node (or null) to a Scalar; false when the node is a map or a list.
bool toScalar(const YAML::Node& n, Scalar& out) {
  if (!n.IsDefined() || n.IsNull()) {
    out = {Scalar::Kind::kNull, ""};
    return true;
  }
  if (!n.IsScalar()) return false;
  out.text = n.Scalar();
  out.kind = Scalar::Kind::kString;
  if (n.Tag() == "?") {  // plain (unquoted) scalar: YAML's core schema types apply
    const std::string l = lower(out.text);
    if (l == "true" || l == "false") {
      out.kind = Scalar::Kind::kBool;
    } else if (isNumberText(out.text)) {
      out.kind = Scalar::Kind::kNumber;
    }
  }
  return true;
}

// A metadata entry that must be a string when present.
Status readString(const YAML::Node& root, const char* key, std::string& out, const std::string& origin) {
  const YAML::Node n = root[key];
  if (!n.IsDefined() || n.IsNull()) return {};
  if (!n.IsScalar()) return at(origin, lineOf(n), std::string("'") + key + "' must be a string");
  out = n.Scalar();
  return {};
}

// A metadata entry that is a list of strings (a single string is accepted as a list of one).
Status readStringList(const YAML::Node& root, const char* key, std::vector<std::string>& out,
                      const std::string& origin) {
  const YAML::Node n = root[key];
  if (!n.IsDefined() || n.IsNull()) return {};
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return {};
  }
  if (!n.IsSequence()) return at(origin, lineOf(n), std::string("'") + key + "' must be a list of strings");
  for (const auto& e : n) {
    if (e.IsNull()) continue;
    if (!e.IsScalar()) return at(origin, lineOf(e), std::string("'") + key + "' must be a list of strings");
    out.push_back(e.Scalar());
  }
  return {};
}

// What the values read so far cost (see kMaxValuesPerRule); one per parseRule() call.
struct Budget {
  size_t values = 0, bytes = 0;
  bool spend(const Scalar& s) {
    ++values;
    bytes += s.text.size();
    return values <= kMaxValuesPerRule && bytes <= kMaxValueBytesPerRule;
  }
};
thread_local Budget budget;

Status spent(const Scalar& s, const std::string& origin, int line) {
  if (budget.spend(s)) return {};
  return at(origin, line, "the rule has too many values (YAML aliases included)");
}

Result<FieldItem> readItem(const YAML::Node& key, const YAML::Node& value, const std::string& origin) {
  FieldItem item;
  item.line = lineOf(key);
  if (!key.IsScalar()) return at(origin, item.line, "a search key must be a field name");
  const std::string k = key.Scalar();
  size_t bar = k.find('|');
  item.field = k.substr(0, bar);
  while (bar != std::string::npos) {
    const size_t next = k.find('|', bar + 1);
    std::string mod = lower(k.substr(bar + 1, next == std::string::npos ? std::string::npos : next - bar - 1));
    if (mod.empty()) return at(origin, item.line, "empty modifier in '" + k + "'");
    item.modifiers.push_back(std::move(mod));
    bar = next;
  }
  if (value.IsSequence()) {
    if (value.size() == 0) return at(origin, lineOf(value), "field '" + k + "' has an empty list of values");
    if (value.size() > kMaxValuesPerItem)
      return at(origin, lineOf(value),
                "field '" + k + "' has more than " + std::to_string(kMaxValuesPerItem) + " values");
    for (const auto& e : value) {
      Scalar s;
      if (!toScalar(e, s)) return at(origin, lineOf(e), "a value of field '" + k + "' is not a scalar");
      VIGIL_TRY(spent(s, origin, lineOf(e)));
      item.values.push_back(std::move(s));
    }
  } else {
    Scalar s;
    if (!toScalar(value, s)) return at(origin, lineOf(value), "the value of field '" + k + "' is a map");
    VIGIL_TRY(spent(s, origin, item.line));
    item.values.push_back(std::move(s));
  }
  return item;
}

Result<std::vector<FieldItem>> readMap(const YAML::Node& map, const std::string& origin) {
  std::vector<FieldItem> items;
  for (const auto& kv : map) {
    VIGIL_ASSIGN_OR_RETURN(FieldItem item, readItem(kv.first, kv.second, origin));
    items.push_back(std::move(item));
  }
  if (items.empty()) return at(origin, lineOf(map), "empty search map");
  return items;
}

Result<Search> readSearch(const std::string& name, const YAML::Node& n, int line, const std::string& origin) {
  Search s;
  s.name = name;
  s.line = line;
  if (n.IsMap()) {
    VIGIL_ASSIGN_OR_RETURN(auto items, readMap(n, origin));
    s.maps.push_back(std::move(items));
    return s;
  }
  if (n.IsSequence()) {
    if (n.size() == 0) return at(origin, line, "search '" + name + "' is an empty list");
    if (n.size() > kMaxValuesPerItem) return at(origin, line, "search '" + name + "' is too long");
    for (const auto& e : n) {
      if (e.IsMap()) {
        if (!s.keywords.empty()) return at(origin, lineOf(e), "search '" + name + "' mixes maps and keywords");
        VIGIL_ASSIGN_OR_RETURN(auto items, readMap(e, origin));
        s.maps.push_back(std::move(items));
      } else {
        Scalar v;
        if (!toScalar(e, v)) return at(origin, lineOf(e), "search '" + name + "' has a nested list");
        if (!s.maps.empty()) return at(origin, lineOf(e), "search '" + name + "' mixes maps and keywords");
        VIGIL_TRY(spent(v, origin, lineOf(e)));
        s.keywords.push_back(std::move(v));
      }
    }
    return s;
  }
  Scalar v;
  if (n.IsScalar() && toScalar(n, v)) {
    s.keywords.push_back(std::move(v));
    return s;
  }
  return at(origin, line, "search '" + name + "' is empty");
}

Result<SigmaRule> parseDocument(const YAML::Node& root, const std::string& origin) {
  if (!root.IsMap()) return at(origin, lineOf(root), "a rule must be a YAML map");
  SigmaRule rule;
  rule.origin = origin;
  if (root["correlation"].IsDefined())
    return at(origin, lineOf(root["correlation"]), "correlation rules are not supported yet");
  VIGIL_TRY(readString(root, "title", rule.title, origin));
  if (rule.title.empty()) return at(origin, lineOf(root), "missing 'title'");
  VIGIL_TRY(readString(root, "id", rule.id, origin));
  VIGIL_TRY(readString(root, "status", rule.status, origin));
  VIGIL_TRY(readString(root, "level", rule.level, origin));
  VIGIL_TRY(readString(root, "description", rule.description, origin));
  rule.status = lower(rule.status);
  rule.level = lower(rule.level);
  VIGIL_TRY(readStringList(root, "tags", rule.tags, origin));
  VIGIL_TRY(readStringList(root, "fields", rule.fields, origin));
  VIGIL_TRY(readStringList(root, "falsepositives", rule.falsepositives, origin));

  const YAML::Node ls = root["logsource"];
  if (!ls.IsDefined() || ls.IsNull()) return at(origin, lineOf(root), "missing 'logsource'");
  if (!ls.IsMap()) return at(origin, lineOf(ls), "'logsource' must be a map");
  VIGIL_TRY(readString(ls, "product", rule.logsource.product, origin));
  VIGIL_TRY(readString(ls, "category", rule.logsource.category, origin));
  VIGIL_TRY(readString(ls, "service", rule.logsource.service, origin));
  rule.logsource.product = lower(rule.logsource.product);
  rule.logsource.category = lower(rule.logsource.category);
  rule.logsource.service = lower(rule.logsource.service);

  const YAML::Node det = root["detection"];
  if (!det.IsDefined() || det.IsNull()) return at(origin, lineOf(root), "missing 'detection'");
  if (!det.IsMap()) return at(origin, lineOf(det), "'detection' must be a map");
  bool haveCondition = false;
  for (const auto& kv : det) {
    if (!kv.first.IsScalar()) return at(origin, lineOf(kv.first), "a search name must be a string");
    const std::string name = kv.first.Scalar();
    const int line = lineOf(kv.first);
    if (name == "condition") {
      haveCondition = true;
      rule.conditionLine = lineOf(kv.second);
      if (kv.second.IsScalar()) {
        rule.conditions.push_back(kv.second.Scalar());
      } else if (kv.second.IsSequence()) {
        for (const auto& c : kv.second) {
          if (!c.IsScalar()) return at(origin, lineOf(c), "a condition must be a string");
          rule.conditions.push_back(c.Scalar());
        }
      }
      if (rule.conditions.empty()) return at(origin, rule.conditionLine, "empty 'condition'");
      continue;
    }
    if (name == "timeframe") continue;  // Sigma 1 aggregation window; meaningless without aggregation
    VIGIL_ASSIGN_OR_RETURN(Search s, readSearch(name, kv.second, line, origin));
    rule.searches.push_back(std::move(s));
  }
  if (!haveCondition) return at(origin, lineOf(det), "missing 'condition' in 'detection'");
  if (rule.searches.empty()) return at(origin, lineOf(det), "'detection' has no search identifier");
  return rule;
}

// The 1-based line of a `---` that starts a second document with content, or 0.
int secondDocumentLine(std::string_view text) {
  bool content = false;
  int line = 0, marker = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view l = text.substr(pos, end - pos);
    ++line;
    pos = end + 1;
    const bool isMarker = l.rfind("---", 0) == 0 && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
    size_t i = 0;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r')) ++i;
    const bool blank = i == l.size() || l[i] == '#';
    if (isMarker) {
      if (content && marker == 0) marker = line;
      if (isMarker && l.size() > 3) {
        std::string_view rest = l.substr(3);
        size_t j = 0;
        while (j < rest.size() && (rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\r')) ++j;
        if (j < rest.size() && rest[j] != '#') {  // `--- value` on the marker line
          if (marker) return marker;
          content = true;
        }
      }
      continue;
    }
    if (blank || l.rfind("...", 0) == 0 || (!content && l.rfind("%", 0) == 0)) continue;
    if (marker) return marker;
    content = true;
  }
  return 0;
}

}  // namespace

Result<SigmaRule> parseRule(std::string_view yamlText, const std::string& origin) {
  if (yamlText.size() > kMaxRuleBytes)
    return at(origin, 1, "rule larger than " + std::to_string(kMaxRuleBytes) + " bytes");
  budget = Budget{};
  // YAML::LoadAll is not used: yaml-cpp 0.7 loops allocating empty documents forever on a stray
  // ',' at document level (found by the rule fuzzer: ", t" took 23 GB). Load reads the first
  // document only; a second one is found by its `---` line.
  if (const int second = secondDocumentLine(yamlText))
    return at(origin, second, "several YAML documents (Sigma 1 rule collections) are not supported");
  try {
    const YAML::Node doc = YAML::Load(std::string(yamlText));
    if (!doc.IsDefined() || doc.IsNull()) return at(origin, 1, "empty file");
    return parseDocument(doc, origin);
  } catch (const YAML::Exception& e) {
    return at(origin, e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML: " + e.msg);
  } catch (const std::exception& e) {  // yaml-cpp may throw std::bad_alloc and friends on hostile input
    return at(origin, 0, std::string("YAML: ") + e.what());
  }
}

Result<SigmaRule> loadRuleFile(const std::string& path, const std::string& displayName) {
  const std::string origin = displayName.empty() ? path : displayName;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::validation(origin, "cannot read the file");
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxRuleBytes)
      return at(origin, 1, "rule larger than " + std::to_string(kMaxRuleBytes) + " bytes");
  }
  return parseRule(text, origin);
}

}  // namespace vigil::detect::sigma
