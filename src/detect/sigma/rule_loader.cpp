// parseRule(): one Sigma YAML document to a SigmaRule (rule.h). yaml-cpp stays in this file; its
// exceptions are caught here and become errors naming the line.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>

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

// The named searches and the condition of a `detection` (or `filter`) map into `rule`. `skip`
// names a key that is not a search (`rules` in a filter).
Status readDetection(const YAML::Node& det, SigmaRule& rule, const std::string& origin, const char* skip) {
  bool haveCondition = false;
  for (const auto& kv : det) {
    if (!kv.first.IsScalar()) return at(origin, lineOf(kv.first), "a search name must be a string");
    const std::string name = kv.first.Scalar();
    const int line = lineOf(kv.first);
    if (skip && name == skip) continue;
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
  if (!haveCondition) return at(origin, lineOf(det), "missing 'condition'");
  if (rule.searches.empty()) return at(origin, lineOf(det), "no search identifier");
  return {};
}

Status readLogsource(const YAML::Node& root, Logsource& out, const std::string& origin) {
  const YAML::Node ls = root["logsource"];
  if (!ls.IsDefined() || ls.IsNull()) return at(origin, lineOf(root), "missing 'logsource'");
  if (!ls.IsMap()) return at(origin, lineOf(ls), "'logsource' must be a map");
  VIGIL_TRY(readString(ls, "product", out.product, origin));
  VIGIL_TRY(readString(ls, "category", out.category, origin));
  VIGIL_TRY(readString(ls, "service", out.service, origin));
  out.product = lower(out.product);
  out.category = lower(out.category);
  out.service = lower(out.service);
  return {};
}

Result<SigmaRule> parseDocument(const YAML::Node& root, const std::string& origin) {
  if (!root.IsMap()) return at(origin, lineOf(root), "a rule must be a YAML map");
  SigmaRule rule;
  rule.origin = origin;
  if (root["correlation"].IsDefined())
    return at(origin, lineOf(root["correlation"]),
              "a correlation rule: it is loaded with its base rules (detection.h DetectionSet), not alone");
  if (root["filter"].IsDefined())
    return at(origin, lineOf(root["filter"]),
              "a meta filter rule: it is loaded with the rules it filters (detection.h DetectionSet), not alone");
  VIGIL_TRY(readString(root, "title", rule.title, origin));
  if (rule.title.empty()) return at(origin, lineOf(root), "missing 'title'");
  VIGIL_TRY(readString(root, "id", rule.id, origin));
  VIGIL_TRY(readString(root, "name", rule.name, origin));
  VIGIL_TRY(readString(root, "status", rule.status, origin));
  VIGIL_TRY(readString(root, "level", rule.level, origin));
  VIGIL_TRY(readString(root, "description", rule.description, origin));
  rule.status = lower(rule.status);
  rule.level = lower(rule.level);
  VIGIL_TRY(readStringList(root, "tags", rule.tags, origin));
  VIGIL_TRY(readStringList(root, "fields", rule.fields, origin));
  VIGIL_TRY(readStringList(root, "falsepositives", rule.falsepositives, origin));
  VIGIL_TRY(readLogsource(root, rule.logsource, origin));

  const YAML::Node det = root["detection"];
  if (!det.IsDefined() || det.IsNull()) return at(origin, lineOf(root), "missing 'detection'");
  if (!det.IsMap()) return at(origin, lineOf(det), "'detection' must be a map");
  if (Status st = readDetection(det, rule, origin, nullptr); !st) {
    const Error& e = st.error();
    // Keep the historical wording for a detection map.
    if (e.message.find("missing 'condition'") != std::string::npos)
      return at(origin, lineOf(det), "missing 'condition' in 'detection'");
    if (e.message.find("no search identifier") != std::string::npos)
      return at(origin, lineOf(det), "'detection' has no search identifier");
    return e;
  }
  return rule;
}

// The line of `key:` in a map (the key's own line, where a block value starts below it).
int keyLine(const YAML::Node& map, const char* key) {
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return lineOf(kv.first);
  return lineOf(map);
}

bool levelKnown(const std::string& level) {
  return level.empty() || level == "informational" || level == "low" || level == "medium" || level == "high" ||
         level == "critical";
}

// A list of strings, or one string as a list of one.
Status readNames(const YAML::Node& n, const std::string& what, std::vector<std::string>& out,
                 const std::string& origin) {
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& e : n) {
      if (!e.IsScalar() || e.Scalar().empty())
        return at(origin, lineOf(e), "'" + what + "' must be a list of non-empty strings");
      out.push_back(e.Scalar());
    }
  } else {
    return at(origin, lineOf(n), "'" + what + "' must be a list of strings");
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (out[i] == out[j]) return at(origin, lineOf(n), "'" + what + "' lists '" + out[i] + "' twice");
  return {};
}

Result<CorrelationRule> parseCorrelation(const YAML::Node& root, const std::string& origin) {
  using Type = CorrelationRule::Type;
  CorrelationRule c;
  c.origin = origin;
  const YAML::Node corr = root["correlation"];
  c.line = keyLine(root, "correlation");
  VIGIL_TRY(readString(root, "title", c.title, origin));
  if (c.title.empty()) return at(origin, lineOf(root), "missing 'title'");
  VIGIL_TRY(readString(root, "id", c.id, origin));
  VIGIL_TRY(readString(root, "name", c.name, origin));
  VIGIL_TRY(readString(root, "status", c.status, origin));
  VIGIL_TRY(readString(root, "level", c.level, origin));
  VIGIL_TRY(readString(root, "description", c.description, origin));
  VIGIL_TRY(readStringList(root, "tags", c.tags, origin));
  VIGIL_TRY(readStringList(root, "falsepositives", c.falsepositives, origin));
  c.level = lower(c.level);
  c.status = lower(c.status);
  if (!levelKnown(c.level))
    return at(origin, lineOf(root["level"]),
              "unknown level '" + c.level + "' (informational, low, medium, high or critical)");
  if (!corr.IsMap()) return at(origin, c.line, "'correlation' must be a map");

  auto readGenerate = [&](const YAML::Node& n) -> Status {
    if (!n.IsScalar()) return at(origin, lineOf(n), "'generate' must be true or false");
    const std::string v = lower(n.Scalar());
    if (v != "true" && v != "false") return at(origin, lineOf(n), "'generate' must be true or false");
    c.generate = v == "true";
    return {};
  };
  if (root["generate"].IsDefined()) VIGIL_TRY(readGenerate(root["generate"]));

  bool haveType = false, haveRules = false, haveTimespan = false, haveCondition = false;
  YAML::Node condition;
  for (const auto& kv : corr) {
    if (!kv.first.IsScalar()) return at(origin, lineOf(kv.first), "a 'correlation' key must be a string");
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "type") {
      haveType = true;
      if (!v.IsScalar()) return at(origin, lineOf(v), "'type' must be a string");
      static const std::pair<const char*, Type> kTypes[] = {
          {"event_count", Type::kEventCount}, {"value_count", Type::kValueCount},
          {"temporal", Type::kTemporal},      {"temporal_ordered", Type::kTemporalOrdered},
          {"value_sum", Type::kValueSum},     {"value_avg", Type::kValueAvg},
          {"value_min", Type::kValueMin},     {"value_max", Type::kValueMax}};
      bool found = false;
      for (const auto& [name, t] : kTypes)
        if (v.Scalar() == name) {
          c.type = t;
          found = true;
        }
      if (!found && (v.Scalar() == "value_percentile" || v.Scalar() == "value_median"))
        return at(origin, lineOf(v),
                  "correlation type '" + v.Scalar() +
                      "' is not supported: the specification does not define its computation yet");
      if (!found)
        return at(origin, lineOf(v),
                  "unknown correlation type '" + v.Scalar() +
                      "' (event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_min, "
                      "value_max)");
    } else if (key == "rules") {
      haveRules = true;
      c.rulesLine = lineOf(v);
      VIGIL_TRY(readNames(v, "rules", c.rules, origin));
      if (c.rules.empty()) return at(origin, c.rulesLine, "'rules' is empty");
      if (c.rules.size() > kMaxCorrelationRules)
        return at(origin, c.rulesLine, "'rules' lists more than " + std::to_string(kMaxCorrelationRules) + " rules");
    } else if (key == "group-by") {
      c.groupByLine = lineOf(v);
      if (!v.IsNull()) VIGIL_TRY(readNames(v, "group-by", c.groupBy, origin));
      if (c.groupBy.size() > kMaxGroupByFields)
        return at(origin, c.groupByLine,
                  "'group-by' has " + std::to_string(c.groupBy.size()) + " fields, at most " +
                      std::to_string(kMaxGroupByFields));
    } else if (key == "timespan") {
      haveTimespan = true;
      if (!v.IsScalar()) return at(origin, lineOf(v), "'timespan' must be a duration such as 5m");
      const auto span = parseTimespan(v.Scalar());
      if (!span)
        return at(origin, lineOf(v),
                  "invalid 'timespan' '" + v.Scalar() + "': a positive number and s, m, h, d or w, at most 366d");
      c.timespanUs = *span;
    } else if (key == "condition") {
      haveCondition = true;
      condition = v;
    } else if (key == "aliases") {
      if (!v.IsMap()) return at(origin, lineOf(v), "'aliases' must be a map of alias -> {rule: field}");
      for (const auto& a : v) {
        if (!a.first.IsScalar() || !a.second.IsMap())
          return at(origin, lineOf(a.first), "an alias must map rule names to field names");
        auto& m = c.aliases[a.first.Scalar()];
        for (const auto& rf : a.second) {
          if (!rf.first.IsScalar() || !rf.second.IsScalar() || rf.second.Scalar().empty())
            return at(origin, lineOf(rf.first),
                      "alias '" + a.first.Scalar() + "' must map a rule name to a field name");
          m[rf.first.Scalar()] = rf.second.Scalar();
        }
      }
    } else if (key == "generate") {
      VIGIL_TRY(readGenerate(v));
    } else {
      return at(origin, lineOf(kv.first), "unknown key '" + key + "' in 'correlation'");
    }
  }
  if (!haveType) return at(origin, c.line, "missing 'type' in 'correlation'");
  if (!haveRules) return at(origin, c.line, "missing 'rules' in 'correlation'");
  if (!haveTimespan) return at(origin, c.line, "missing 'timespan' in 'correlation'");

  const bool temporal = c.type == Type::kTemporal || c.type == Type::kTemporalOrdered;
  const bool needsField = !temporal && c.type != Type::kEventCount;
  if (haveCondition) {
    c.conditionLine = lineOf(condition);
    if (c.type == Type::kTemporalOrdered)
      return at(origin, c.conditionLine, "temporal_ordered takes no 'condition': all its rules must occur in order");
    if (!condition.IsMap()) return at(origin, c.conditionLine, "'condition' must be a map such as {gte: 10}");
    static const std::pair<const char*, CorrelationRule::Bound::Op> kOps[] = {
        {"gt", CorrelationRule::Bound::Op::kGt}, {"gte", CorrelationRule::Bound::Op::kGte},
        {"lt", CorrelationRule::Bound::Op::kLt}, {"lte", CorrelationRule::Bound::Op::kLte},
        {"eq", CorrelationRule::Bound::Op::kEq}, {"neq", CorrelationRule::Bound::Op::kNeq}};
    for (const auto& kv : condition) {
      if (!kv.first.IsScalar()) return at(origin, lineOf(kv.first), "a 'condition' key must be a string");
      const std::string key = kv.first.Scalar();
      if (key == "field") {
        if (!kv.second.IsScalar() || kv.second.Scalar().empty())
          return at(origin, lineOf(kv.second), "'field' must be one field name");
        c.field = kv.second.Scalar();
        continue;
      }
      bool known = false;
      for (const auto& [name, op] : kOps) {
        if (key != name) continue;
        known = true;
        Scalar s;
        std::optional<double> number;
        if (kv.second.IsScalar() && toScalar(kv.second, s) && s.kind == Scalar::Kind::kNumber) {
          const double d = std::strtod(s.text.c_str(), nullptr);  // no exception on overflow
          if (std::isfinite(d)) number = d;
        }
        if (!number) return at(origin, lineOf(kv.second), "'" + key + "' needs a number");
        c.bounds.push_back({op, *number});
      }
      if (!known)
        return at(origin, lineOf(kv.first), "unknown condition '" + key + "' (gt, gte, lt, lte, eq, neq, field)");
    }
    if (c.bounds.empty())
      return at(origin, c.conditionLine, "'condition' has no comparison (gt, gte, lt, lte, eq, neq)");
  } else if (!temporal) {
    return at(origin, c.line, "missing 'condition' in 'correlation'");
  }
  if (needsField && c.field.empty())
    return at(origin, c.conditionLine ? c.conditionLine : c.line, "this correlation type needs 'field' in 'condition'");
  if (!needsField && !c.field.empty())
    return at(origin, c.conditionLine, "'field' is only for value_count and the value_* metric types");
  // An alias names rules of this correlation.
  for (const auto& [alias, byRule] : c.aliases)
    for (const auto& [ruleRef, field] : byRule)
      if (std::find(c.rules.begin(), c.rules.end(), ruleRef) == c.rules.end())
        return at(origin, c.line, "alias '" + alias + "' names rule '" + ruleRef + "' that 'rules' does not list");
  return c;
}

Result<FilterRule> parseFilter(const YAML::Node& root, const std::string& origin) {
  FilterRule f;
  f.origin = origin;
  const YAML::Node fn = root["filter"];
  f.line = keyLine(root, "filter");
  VIGIL_TRY(readString(root, "title", f.title, origin));
  if (f.title.empty()) return at(origin, lineOf(root), "missing 'title'");
  VIGIL_TRY(readString(root, "id", f.id, origin));
  VIGIL_TRY(readString(root, "name", f.name, origin));
  VIGIL_TRY(readString(root, "description", f.description, origin));
  VIGIL_TRY(readLogsource(root, f.logsource, origin));
  if (!fn.IsMap()) return at(origin, f.line, "'filter' must be a map with 'rules', searches and 'condition'");
  const YAML::Node rules = fn["rules"];
  if (!rules.IsDefined() || rules.IsNull()) return at(origin, f.line, "missing 'rules' in 'filter'");
  f.rulesLine = lineOf(rules);
  VIGIL_TRY(readNames(rules, "rules", f.rules, origin));
  if (f.rules.empty()) return at(origin, f.rulesLine, "'rules' is empty");
  f.detection.origin = origin;
  f.detection.title = f.title;
  f.detection.logsource = f.logsource;
  if (Status st = readDetection(fn, f.detection, origin, "rules"); !st) {
    const Error& e = st.error();
    if (e.message.find("missing 'condition'") != std::string::npos)
      return at(origin, f.line, "missing 'condition' in 'filter'");
    if (e.message.find("no search identifier") != std::string::npos)
      return at(origin, f.line, "'filter' has no search identifier");
    return e;
  }
  return f;
}

Result<SigmaDocument> parseAnyDocument(const YAML::Node& root, const std::string& origin) {
  if (!root.IsMap()) return at(origin, lineOf(root), "a rule must be a YAML map");
  SigmaDocument d;
  if (root["action"].IsDefined())
    return at(origin, lineOf(root["action"]),
              "Sigma 1 rule collections ('action: global/reset/repeat') are not supported: write one rule per "
              "document");
  if (root["correlation"].IsDefined()) {
    d.kind = SigmaDocument::Kind::kCorrelation;
    VIGIL_ASSIGN_OR_RETURN(d.correlation, parseCorrelation(root, origin));
    return d;
  }
  if (root["filter"].IsDefined()) {
    d.kind = SigmaDocument::Kind::kFilter;
    VIGIL_ASSIGN_OR_RETURN(d.filter, parseFilter(root, origin));
    return d;
  }
  VIGIL_ASSIGN_OR_RETURN(d.rule, parseDocument(root, origin));
  return d;
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

// The documents of a multi-document text, split on its `---` and `...` lines (a marker must start
// at column 0, where YAML forbids it inside any scalar). Each part keeps its place: it is padded
// with the newlines that precede it, so yaml-cpp's line numbers are those of the whole file.
// Parts holding only blanks, comments and directives are dropped.
struct Part {
  std::string text;
  int firstLine = 1;
};
std::vector<Part> splitDocuments(std::string_view text) {
  std::vector<Part> parts;
  std::string current;
  int line = 0, start = 1;
  bool content = false;
  auto flush = [&](int nextStart) {
    if (content) parts.push_back({std::string(static_cast<size_t>(start - 1), '\n') + current, start});
    current.clear();
    content = false;
    start = nextStart;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view l = text.substr(pos, end - pos);
    ++line;
    pos = end + 1;
    auto markerOf = [&](std::string_view m) {
      return l.rfind(m, 0) == 0 && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
    };
    if (markerOf("---")) {
      flush(line);
      std::string_view rest = l.substr(3);
      size_t j = 0;
      while (j < rest.size() && (rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\r')) ++j;
      if (j < rest.size() && rest[j] != '#') content = true;  // `--- value` on the marker line
      current.append(l).push_back('\n');
      continue;
    }
    if (markerOf("...")) {
      flush(line + 1);
      continue;
    }
    size_t i = 0;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r')) ++i;
    const bool blank = i == l.size() || l[i] == '#' || (!content && l.rfind("%", 0) == 0);
    if (!blank) content = true;
    if (!content && l.rfind("%", 0) == 0) {
      current.push_back('\n');  // a directive: kept out of yaml-cpp's way, its line counted
      continue;
    }
    current.append(l).push_back('\n');
  }
  flush(line + 1);
  return parts;
}

// The value budget (kMaxValuesPerRule) is the caller's: one for the whole file.
Result<SigmaDocument> parsePart(const Part& part, const std::string& origin) {
  try {
    const YAML::Node doc = YAML::Load(part.text);
    if (!doc.IsDefined() || doc.IsNull()) return at(origin, part.firstLine, "empty document");
    return parseAnyDocument(doc, origin);
  } catch (const YAML::Exception& e) {
    return at(origin, e.mark.line >= 0 ? e.mark.line + 1 : part.firstLine, "YAML: " + e.msg);
  } catch (const std::exception& e) {
    return at(origin, part.firstLine, std::string("YAML: ") + e.what());
  }
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
    return at(origin, second,
              "several YAML documents: a file of several rules, correlations or filters is loaded with DetectionSet "
              "(detection.h)");
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

namespace vigil::detect::sigma {

std::vector<Result<SigmaDocument>> parseDocuments(std::string_view yamlText, const std::string& origin) {
  std::vector<Result<SigmaDocument>> out;
  if (yamlText.size() > kMaxRuleBytes) {
    out.push_back(at(origin, 1, "rule file larger than " + std::to_string(kMaxRuleBytes) + " bytes"));
    return out;
  }
  // YAML::LoadAll is not used (see parseRule): the documents are split on their marker lines and
  // each is read with YAML::Load.
  const std::vector<Part> parts = splitDocuments(yamlText);
  if (parts.empty()) {
    out.push_back(at(origin, 1, "empty file"));
    return out;
  }
  if (parts.size() > kMaxDocumentsPerFile) {
    out.push_back(at(origin, parts[kMaxDocumentsPerFile].firstLine,
                     "more than " + std::to_string(kMaxDocumentsPerFile) + " documents in one file"));
    return out;
  }
  budget = Budget{};  // one budget for the file: YAML aliases cannot multiply it per document
  for (const Part& p : parts) out.push_back(parsePart(p, origin));
  return out;
}

std::vector<Result<SigmaDocument>> loadDocumentsFile(const std::string& path, const std::string& displayName) {
  const std::string origin = displayName.empty() ? path : displayName;
  std::ifstream in(path, std::ios::binary);
  std::vector<Result<SigmaDocument>> out;
  if (!in) {
    out.push_back(Error::validation(origin, "cannot read the file"));
    return out;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxRuleBytes) {
      out.push_back(at(origin, 1, "rule file larger than " + std::to_string(kMaxRuleBytes) + " bytes"));
      return out;
    }
  }
  return parseDocuments(text, origin);
}

std::optional<int64_t> parseTimespan(std::string_view text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1000000; break;
    case 'm': unit = int64_t{60} * 1000000; break;
    case 'h': unit = int64_t{3600} * 1000000; break;
    case 'd': unit = int64_t{86400} * 1000000; break;
    case 'w': unit = int64_t{7} * 86400 * 1000000; break;
    default: return std::nullopt;
  }
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    const char ch = text[i];
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
    if (n > kMaxTimespanUs) return std::nullopt;
  }
  if (n <= 0 || n > kMaxTimespanUs / unit) return std::nullopt;
  return n * unit;
}

}  // namespace vigil::detect::sigma
