#include "compliance/regime_catalog.h"

#include <algorithm>
#include <initializer_list>
#include <sstream>

#include "compliance/catalog_loader.h"

namespace vigil::compliance {

std::string_view factTypeName(FactType t) {
  switch (t) {
    case FactType::kEnum: return "enum";
    case FactType::kSet: return "set";
    case FactType::kInt: return "int";
    case FactType::kBool: return "bool";
  }
  return "enum";
}

std::string_view opName(Condition::Op op) {
  switch (op) {
    case Condition::Op::kEq: return "eq";
    case Condition::Op::kIn: return "in";
    case Condition::Op::kGe: return "ge";
    case Condition::Op::kLt: return "lt";
    case Condition::Op::kIsTrue: return "is_true";
    case Condition::Op::kOnly: return "only";
    case Condition::Op::kContains: return "contains";
  }
  return "eq";
}

std::string_view deadlineUnitName(DeadlineUnit u) {
  return u == DeadlineUnit::kWorkingDays ? "working_days" : "calendar_days";
}

bool FactDef::allows(std::string_view v) const { return std::find(values.begin(), values.end(), v) != values.end(); }

std::string FactDef::labelOf(std::string_view v) const {
  auto it = valueLabels.find(v);
  return it == valueLabels.end() ? std::string(v) : it->second;
}

const FactDef* RegimeCatalog::fact(std::string_view name) const {
  for (const auto& f : facts_)
    if (f.name == name) return &f;
  return nullptr;
}

const AuthorityRule* RegimeCatalog::authorityFor(int level, std::string_view ownerType, bool critical) const {
  const AuthorityRule* best = nullptr;
  int bestScore = -1;
  for (const auto& a : authorities_) {
    if (std::find(a.levels.begin(), a.levels.end(), level) == a.levels.end()) continue;
    if (!a.ownerTypes.empty() && std::find(a.ownerTypes.begin(), a.ownerTypes.end(), ownerType) == a.ownerTypes.end())
      continue;
    if (a.critical && *a.critical != critical) continue;
    const int score = (a.ownerTypes.empty() ? 0 : 2) + (a.critical ? 1 : 0);
    if (score > bestScore) best = &a, bestScore = score;
  }
  return best;
}

const SeparationRule* RegimeCatalog::separationFor(int level, std::string_view hosting, bool critical) const {
  const SeparationRule* best = nullptr;
  for (const auto& r : separations_) {
    if (std::find(r.levels.begin(), r.levels.end(), level) == r.levels.end()) continue;
    if (std::find(r.hostings.begin(), r.hostings.end(), hosting) == r.hostings.end()) continue;
    if (r.critical && *r.critical != critical) continue;
    if (!best || (r.required == "physical" && best->required != "physical")) best = &r;
  }
  return best;
}

const GateSource* RegimeCatalog::gate(std::string_view id) const {
  for (const auto& g : gates_)
    if (g.id == id) return &g;
  return nullptr;
}

namespace {

const std::vector<std::string_view> kConditionKeys = {"all", "any", "fact",    "eq",   "in",
                                                      "ge",  "lt",  "is_true", "only", "contains"};
const std::vector<std::string_view> kSteps = {"appraisal", "approval", "incomplete_dossier_reply"};
const std::vector<std::string_view> kFlags = {"critical"};

using detail::join;
using detail::oneOf;
using detail::rowName;

// The shared helpers plus the regime-specific parts: fact values and conditions.
class Loader : public detail::CatalogLoader {
 public:
  using CatalogLoader::CatalogLoader;

  Result<FactValue> factValue(const FactDef& f, const toml::node& n, const std::string& rowId) const {
    switch (f.type) {
      case FactType::kBool:
        if (auto v = n.value<bool>()) return FactValue{*v};
        return err(n, rowId, f.name + ": a boolean is required");
      case FactType::kInt:
        if (auto v = n.value<int64_t>()) return FactValue{*v};
        return err(n, rowId, f.name + ": an integer is required");
      case FactType::kEnum:
        if (auto v = n.value<std::string>()) {
          if (!f.allows(*v)) return err(n, rowId, f.name + ": unknown value '" + *v + "' (" + join(f.values) + ")");
          return FactValue{*v};
        }
        return err(n, rowId, f.name + ": a string is required");
      case FactType::kSet: {
        const auto* arr = n.as_array();
        if (!arr) return err(n, rowId, f.name + ": an array of values is required");
        StringSet s;
        for (const auto& e : *arr) {
          auto v = e.value<std::string>();
          if (!v || !f.allows(*v)) return err(e, rowId, f.name + ": unknown value (" + join(f.values) + ")");
          s.insert(*v);
        }
        return FactValue{std::move(s)};
      }
    }
    return err(n, rowId, "unknown type");
  }

  // The condition held by the keys of `t` other than `rowKeys`.
  Result<Condition> condition(const toml::table& t, const std::string& rowId,
                              const std::vector<std::string_view>& rowKeys, const std::vector<FactDef>& facts,
                              const FactDef* proposedLevel) const {
    if (t.contains("fact"))
      for (const auto& [k, v] : t)
        if (!oneOf(k.str(), kConditionKeys) && !oneOf(k.str(), rowKeys))
          return err(v, rowId,
                     "unknown operator '" + std::string(k.str()) + "' (eq, in, ge, lt, is_true, only, contains)");
    if (auto e = onlyKeys(t, rowId, kConditionKeys, rowKeys)) return *e;
    Condition c;
    const bool hasAll = t.contains("all"), hasAny = t.contains("any");
    if (hasAll || hasAny) {
      if (hasAll && hasAny) return err(t, rowId, "a condition has either all or any, not both");
      for (const auto& [k, v] : t)
        if (oneOf(k.str(), kConditionKeys) && k.str() != "all" && k.str() != "any")
          return err(v, rowId, "'" + std::string(k.str()) + "' cannot stand beside all/any: nest it in the list");
      c.kind = hasAll ? Condition::Kind::kAll : Condition::Kind::kAny;
      const auto* arr = t[hasAll ? "all" : "any"].as_array();
      if (!arr || arr->empty())
        return err(t, rowId, std::string(hasAll ? "all" : "any") + " must be a non-empty array");
      for (const auto& n : *arr) {
        const auto* sub = n.as_table();
        if (!sub) return err(n, rowId, "each element of all/any must be a condition table");
        VIGIL_ASSIGN_OR_RETURN(auto child, condition(*sub, rowId, {}, facts, proposedLevel));
        c.children.push_back(std::move(child));
      }
      return c;
    }
    const auto* factNode = t.get("fact");
    if (!factNode) return err(t, rowId, "missing condition: expected all, any, or fact with an operator");
    auto name = factNode->value<std::string>();
    if (!name) return err(*factNode, rowId, "fact must be a string");
    const FactDef* f = nullptr;
    for (const auto& d : facts)
      if (d.name == *name) f = &d;
    if (!f && proposedLevel && *name == RegimeCatalog::kProposedLevelFact) f = proposedLevel;
    if (!f) return err(*factNode, rowId, "unknown fact '" + *name + "'");
    c.kind = Condition::Kind::kLeaf;
    c.fact = *name;
    const toml::node* opNode = nullptr;
    std::string opKey;
    for (const auto& [k, v] : t) {
      if (k.str() == "fact" || !oneOf(k.str(), kConditionKeys)) continue;
      if (opNode)
        return err(v, rowId,
                   "fact " + c.fact + ": one operator per condition (" + opKey + " and " + std::string(k.str()) + ")");
      opNode = &v, opKey = std::string(k.str());
    }
    if (!opNode)
      return err(*factNode, rowId, "fact " + c.fact + ": missing operator (eq, in, ge, lt, is_true, only, contains)");
    const std::string where = "fact " + c.fact + " (" + std::string(factTypeName(f->type)) + "): ";
    auto bad = [&](const std::string& what) { return err(*opNode, rowId, where + what); };
    auto enumValue = [&](const toml::node& n) -> Result<std::string> {
      auto v = n.value<std::string>();
      if (!v) return err(n, rowId, where + "a string value is required");
      if (!f->allows(*v)) return err(n, rowId, where + "unknown value '" + *v + "' (" + join(f->values) + ")");
      return *v;
    };
    auto intValue = [&](const toml::node& n) -> Result<int64_t> {
      auto v = n.value<int64_t>();
      if (!v) return err(n, rowId, where + "an integer value is required");
      return *v;
    };
    if (opKey == "eq") {
      c.op = Condition::Op::kEq;
      if (f->type == FactType::kEnum) {
        VIGIL_ASSIGN_OR_RETURN(auto s, enumValue(*opNode));
        c.strings.push_back(std::move(s));
      } else if (f->type == FactType::kInt) {
        VIGIL_ASSIGN_OR_RETURN(auto v, intValue(*opNode));
        c.numbers.push_back(v);
      } else if (f->type == FactType::kBool) {
        auto v = opNode->value<bool>();
        if (!v) return bad("eq needs true or false");
        c.op = Condition::Op::kIsTrue, c.boolean = *v;
      } else {
        return bad("eq does not apply to a set fact (use only or contains)");
      }
    } else if (opKey == "in" || opKey == "only") {
      c.op = opKey == "in" ? Condition::Op::kIn : Condition::Op::kOnly;
      const auto* arr = opNode->as_array();
      if (!arr || arr->empty()) return bad(opKey + " needs a non-empty array");
      if (c.op == Condition::Op::kOnly && f->type != FactType::kSet) return bad("only applies to set facts");
      if (c.op == Condition::Op::kIn && f->type != FactType::kEnum && f->type != FactType::kInt)
        return bad("in applies to enum and integer facts");
      for (const auto& n : *arr) {
        if (f->type == FactType::kInt) {
          VIGIL_ASSIGN_OR_RETURN(auto v, intValue(n));
          c.numbers.push_back(v);
        } else {
          VIGIL_ASSIGN_OR_RETURN(auto s, enumValue(n));
          c.strings.push_back(std::move(s));
        }
      }
    } else if (opKey == "ge" || opKey == "lt") {
      c.op = opKey == "ge" ? Condition::Op::kGe : Condition::Op::kLt;
      if (f->type != FactType::kInt) return bad(opKey + " applies to integer facts");
      VIGIL_ASSIGN_OR_RETURN(auto v, intValue(*opNode));
      c.numbers.push_back(v);
    } else if (opKey == "is_true") {
      c.op = Condition::Op::kIsTrue;
      if (f->type != FactType::kBool) return bad("is_true applies to boolean facts");
      auto v = opNode->value<bool>();
      if (!v) return bad("is_true needs true or false");
      c.boolean = *v;
    } else {  // contains
      c.op = Condition::Op::kContains;
      if (f->type != FactType::kSet) return bad("contains applies to set facts");
      VIGIL_ASSIGN_OR_RETURN(auto s, enumValue(*opNode));
      c.strings.push_back(std::move(s));
    }
    return c;
  }
};

}  // namespace

Result<RegimeCatalog> RegimeCatalog::load(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(auto text, detail::readCatalogFile(path, "regime catalog"));
  return parse(text, path);
}

Result<RegimeCatalog> RegimeCatalog::parse(std::string_view text, const std::string& origin) {
  VIGIL_ASSIGN_OR_RETURN(const toml::table root, detail::parseToml(text, origin));
  const Loader L(origin);
  RegimeCatalog cat;
  cat.origin_ = origin;
  if (auto e = L.onlyKeys(
          root, "",
          {"regime", "fact", "constraint", "criterion", "authority", "deadline", "separation", "gate", "document"}))
    return *e;

  // [regime]
  const auto* header = root["regime"].as_table();
  if (!header) return Error::validation(origin, "missing the [regime] table");
  if (auto e =
          L.onlyKeys(*header, "regime",
                     {"id", "name", "legal_basis", "effective", "max_level", "component_rule", "component_rule_note"}))
    return *e;
  VIGIL_ASSIGN_OR_RETURN(cat.id_, L.requiredText(*header, "id", "regime"));
  VIGIL_ASSIGN_OR_RETURN(cat.name_, L.requiredText(*header, "name", "regime"));
  const auto* basis = (*header)["legal_basis"].as_array();
  if (!basis || basis->empty()) return L.err(*header, "regime", "legal_basis must list the documents");
  for (const auto& n : *basis) {
    auto v = n.value<std::string>();
    if (!v || v->empty()) return L.err(n, "regime", "legal_basis entries must be non-empty strings");
    cat.legalBasis_.push_back(*v);
  }
  auto eff = (*header)["effective"].value<toml::date>();
  if (!eff) return L.err(*header, "regime", "effective must be a date like 2026-08-19");
  {
    std::ostringstream d;
    d << *eff;
    cat.effective_ = d.str();
  }
  auto maxLevel = (*header)["max_level"].value<int64_t>();
  if (!maxLevel || *maxLevel < 1 || *maxLevel > 9) return L.err(*header, "regime", "max_level must be 1..9");
  cat.maxLevel_ = static_cast<int>(*maxLevel);
  VIGIL_ASSIGN_OR_RETURN(cat.componentRule_, L.source(*header, "regime", "component_rule"));
  if (const auto* n = header->get("component_rule_note")) {
    auto v = n->value<std::string>();
    if (!v) return L.err(*n, "regime", "component_rule_note must be a string");
    cat.componentRuleNote_ = *v;
  }

  // [[fact]]
  const auto* facts = root["fact"].as_array();
  if (!facts || facts->empty()) return L.err(root, "", "no [[fact]] rows");
  for (const auto& node : *facts) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "fact", "each [[fact]] must be a table");
    const std::string row = rowName(*t, "fact", "name");
    if (auto e = L.onlyKeys(*t, row, {"name", "label", "type", "values", "value_labels", "min", "max", "default"}))
      return *e;
    FactDef f;
    VIGIL_ASSIGN_OR_RETURN(f.name, L.requiredText(*t, "name", row));
    if (f.name == kProposedLevelFact) return L.err(node, row, "proposed_level is reserved");
    if (cat.fact(f.name)) return L.err(node, row, "defined twice");
    VIGIL_ASSIGN_OR_RETURN(f.label, L.requiredText(*t, "label", row));
    VIGIL_ASSIGN_OR_RETURN(auto type, L.requiredText(*t, "type", row));
    if (type == "enum")
      f.type = FactType::kEnum;
    else if (type == "set")
      f.type = FactType::kSet;
    else if (type == "int")
      f.type = FactType::kInt;
    else if (type == "bool")
      f.type = FactType::kBool;
    else
      return L.err(node, row, "unknown type '" + type + "' (enum, set, int, bool)");
    if (f.type == FactType::kEnum || f.type == FactType::kSet) {
      const auto* vals = (*t)["values"].as_array();
      if (!vals || vals->empty()) return L.err(node, row, "values must list the allowed values");
      for (const auto& v : *vals) {
        auto s = v.value<std::string>();
        if (!s || s->empty()) return L.err(v, row, "values must be non-empty strings");
        if (f.allows(*s)) return L.err(v, row, "value '" + *s + "' listed twice");
        f.values.push_back(*s);
      }
      if (const auto* labels = t->get("value_labels")) {
        const auto* lt = labels->as_table();
        if (!lt) return L.err(*labels, row, "value_labels must be a table of value = \"label\"");
        for (const auto& [k, v] : *lt) {
          const std::string key(k.str());
          if (!f.allows(key)) return L.err(v, row, "value_labels: '" + key + "' is not one of the values");
          auto label = v.value<std::string>();
          if (!label || label->empty()) return L.err(v, row, "value_labels: '" + key + "' needs a non-empty label");
          f.valueLabels.emplace(key, *label);
        }
      }
    } else if (t->contains("values") || t->contains("value_labels")) {
      return L.err(node, row, "values and value_labels apply to enum and set facts only");
    }
    if (f.type == FactType::kInt) {
      auto mn = (*t)["min"].value<int64_t>();
      auto mx = (*t)["max"].value<int64_t>();
      if (!mn || !mx || *mn > *mx) return L.err(node, row, "an int fact needs min <= max");
      f.min = *mn, f.max = *mx;
    } else if (t->contains("min") || t->contains("max")) {
      return L.err(node, row, "min/max apply to int facts only");
    }
    if (const auto* d = t->get("default")) {
      VIGIL_ASSIGN_OR_RETURN(auto v, L.factValue(f, *d, row));
      if (auto* i = std::get_if<int64_t>(&v); i && (*i < f.min || *i > f.max))
        return L.err(*d, row, "default outside min..max");
      f.defaultValue = std::move(v);
    }
    cat.facts_.push_back(std::move(f));
  }
  const FactDef proposedLevel{
      std::string(kProposedLevelFact), "Cấp độ đề xuất", FactType::kInt, {}, 1, cat.maxLevel_, std::nullopt};

  // [[constraint]]
  if (const auto* cons = root["constraint"].as_array()) {
    for (const auto& node : *cons) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "constraint", "each [[constraint]] must be a table");
      const std::string row = rowName(*t, "constraint", "fact");
      if (auto e = L.onlyKeys(*t, row, {"fact", "when", "require", "message"})) return *e;
      Constraint c;
      c.line = static_cast<int>(node.source().begin.line);
      VIGIL_ASSIGN_OR_RETURN(c.fact, L.requiredText(*t, "fact", row));
      if (!cat.fact(c.fact)) return L.err(node, row, "unknown fact '" + c.fact + "'");
      VIGIL_ASSIGN_OR_RETURN(c.message, L.requiredText(*t, "message", row));
      const auto* when = (*t)["when"].as_table();
      const auto* req = (*t)["require"].as_table();
      if (!when || !req) return L.err(node, row, "when and require must be condition tables");
      VIGIL_ASSIGN_OR_RETURN(c.when, L.condition(*when, row, {}, cat.facts_, nullptr));
      VIGIL_ASSIGN_OR_RETURN(c.require, L.condition(*req, row, {}, cat.facts_, nullptr));
      cat.constraints_.push_back(std::move(c));
    }
  }

  // [[criterion]]
  const auto* crits = root["criterion"].as_array();
  if (!crits || crits->empty()) return L.err(root, "", "no [[criterion]] rows");
  std::set<std::string> ids;
  for (const auto& node : *crits) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "criterion", "each [[criterion]] must be a table");
    const std::string row = rowName(*t, "criterion");
    static const std::vector<std::string_view> kRowKeys = {"id",          "level",    "flag", "source",
                                                           "description", "verified", "note"};
    Criterion c;
    c.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(c.id, L.requiredText(*t, "id", row));
    if (!ids.insert(c.id).second) return L.err(node, row, "id used twice");
    const bool hasLevel = t->contains("level"), hasFlag = t->contains("flag");
    if (hasLevel == hasFlag) return L.err(node, row, "a criterion has either a level or a flag");
    if (hasLevel) {
      auto lv = (*t)["level"].value<int64_t>();
      if (!lv || *lv < 1 || *lv > cat.maxLevel_)
        return L.err(*t->get("level"), row,
                     "unknown level (levels run from 1 to " + std::to_string(cat.maxLevel_) + ")");
      c.level = static_cast<int>(*lv);
    } else {
      VIGIL_ASSIGN_OR_RETURN(c.flag, L.requiredText(*t, "flag", row));
      if (!oneOf(c.flag, kFlags)) return L.err(*t->get("flag"), row, "unknown flag '" + c.flag + "' (critical)");
    }
    VIGIL_ASSIGN_OR_RETURN(c.source, L.source(*t, row));
    VIGIL_ASSIGN_OR_RETURN(c.description, L.requiredText(*t, "description", row));
    VIGIL_ASSIGN_OR_RETURN(auto verifiedNote, L.verifiedNote(*t, row, "criterion"));
    c.verified = verifiedNote.first, c.note = std::move(verifiedNote.second);
    VIGIL_ASSIGN_OR_RETURN(c.condition, L.condition(*t, row, kRowKeys, cat.facts_, hasFlag ? &proposedLevel : nullptr));
    cat.criteria_.push_back(std::move(c));
  }

  // [[authority]]
  const FactDef* ownerType = cat.fact("owner_type");
  const auto* auths = root["authority"].as_array();
  if (!auths || auths->empty()) return L.err(root, "", "no [[authority]] rows");
  for (const auto& node : *auths) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "authority", "each [[authority]] must be a table");
    const std::string row = "authority";
    if (auto e = L.onlyKeys(*t, row, {"levels", "owner_types", "critical", "appraising", "approving"})) return *e;
    AuthorityRule a;
    a.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(a.levels, L.levels(*t, row, cat.maxLevel_));
    if (const auto* ots = t->get("owner_types")) {
      const auto* arr = ots->as_array();
      if (!arr || arr->empty()) return L.err(*ots, row, "owner_types must be a non-empty array");
      if (!ownerType) return L.err(*ots, row, "owner_types needs an owner_type fact");
      for (const auto& n : *arr) {
        auto s = n.value<std::string>();
        if (!s || !ownerType->allows(*s)) return L.err(n, row, "unknown owner type (" + join(ownerType->values) + ")");
        a.ownerTypes.push_back(*s);
      }
    }
    if (const auto* cr = t->get("critical")) {
      auto b = cr->value<bool>();
      if (!b) return L.err(*cr, row, "critical must be true or false");
      a.critical = *b;
    }
    for (auto [key, body] : {std::pair{"appraising", &a.appraising}, std::pair{"approving", &a.approving}}) {
      const auto* bt = (*t)[key].as_table();
      if (!bt) return L.err(node, row, std::string("missing ") + key + " = { body, source }");
      if (auto e = L.onlyKeys(*bt, row + " " + key, {"body", "source"})) return *e;
      VIGIL_ASSIGN_OR_RETURN(body->body, L.requiredText(*bt, "body", row + " " + key));
      VIGIL_ASSIGN_OR_RETURN(body->source, L.source(*bt, row + " " + key));
    }
    cat.authorities_.push_back(std::move(a));
  }
  // Every level, owner type and critical flag must resolve to exactly one most specific row.
  const std::vector<std::string> owners = ownerType ? ownerType->values : std::vector<std::string>{""};
  for (int level = 1; level <= cat.maxLevel_; ++level)
    for (const auto& owner : owners)
      for (bool critical : {false, true}) {
        const std::string what = "level " + std::to_string(level) + (owner.empty() ? "" : ", owner type " + owner) +
                                 (critical ? ", critical" : "");
        const AuthorityRule* best = cat.authorityFor(level, owner, critical);
        if (!best) return Error::validation(origin, "authority: no [[authority]] row covers " + what);
        const int score = (best->ownerTypes.empty() ? 0 : 2) + (best->critical ? 1 : 0);
        for (const auto& a : cat.authorities_) {
          if (&a == best || std::find(a.levels.begin(), a.levels.end(), level) == a.levels.end()) continue;
          if (!a.ownerTypes.empty() && std::find(a.ownerTypes.begin(), a.ownerTypes.end(), owner) == a.ownerTypes.end())
            continue;
          if (a.critical && *a.critical != critical) continue;
          if ((a.ownerTypes.empty() ? 0 : 2) + (a.critical ? 1 : 0) == score)
            return Error::validation(origin + ":" + std::to_string(a.line),
                                     "authority: rows at lines " + std::to_string(best->line) + " and " +
                                         std::to_string(a.line) + " both cover " + what);
        }
      }

  // [[deadline]]
  if (const auto* dls = root["deadline"].as_array()) {
    for (const auto& node : *dls) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "deadline", "each [[deadline]] must be a table");
      const std::string row = rowName(*t, "deadline", "step");
      if (auto e = L.onlyKeys(*t, row, {"step", "levels", "amount", "unit", "source"})) return *e;
      DeadlineRule d;
      d.line = static_cast<int>(node.source().begin.line);
      VIGIL_ASSIGN_OR_RETURN(d.step, L.requiredText(*t, "step", row));
      if (!oneOf(d.step, kSteps))
        return L.err(node, row, "unknown step (appraisal, approval, incomplete_dossier_reply)");
      VIGIL_ASSIGN_OR_RETURN(d.levels, L.levels(*t, row, cat.maxLevel_));
      auto amount = (*t)["amount"].value<int64_t>();
      if (!amount || *amount < 1 || *amount > 365) return L.err(node, row, "amount must be 1..365");
      d.amount = static_cast<int>(*amount);
      VIGIL_ASSIGN_OR_RETURN(auto unit, L.requiredText(*t, "unit", row));
      if (unit == "calendar_days")
        d.unit = DeadlineUnit::kCalendarDays;
      else if (unit == "working_days")
        d.unit = DeadlineUnit::kWorkingDays;
      else
        return L.err(*t->get("unit"), row, "unknown unit '" + unit + "' (calendar_days, working_days)");
      VIGIL_ASSIGN_OR_RETURN(d.source, L.source(*t, row));
      for (const auto& other : cat.deadlines_)
        for (int lv : d.levels)
          if (other.step == d.step && std::find(other.levels.begin(), other.levels.end(), lv) != other.levels.end())
            return L.err(
                node, row,
                "level " + std::to_string(lv) + " already has this step at line " + std::to_string(other.line));
      cat.deadlines_.push_back(std::move(d));
    }
  }

  // [[separation]] (optional)
  if (const auto* seps = root["separation"].as_array()) {
    for (const auto& node : *seps) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "separation", "each [[separation]] must be a table");
      const std::string row = "separation";
      if (auto e = L.onlyKeys(*t, row, {"levels", "hostings", "critical", "required", "source"})) return *e;
      SeparationRule r;
      r.line = static_cast<int>(node.source().begin.line);
      VIGIL_ASSIGN_OR_RETURN(r.levels, L.levels(*t, row, cat.maxLevel_));
      const auto* hs = (*t)["hostings"].as_array();
      if (!hs || hs->empty()) return L.err(node, row, "hostings must be a non-empty array (data_centre, cloud)");
      for (const auto& h : *hs) {
        auto v = h.value<std::string>();
        if (!v || (*v != "data_centre" && *v != "cloud")) return L.err(h, row, "unknown hosting (data_centre, cloud)");
        r.hostings.push_back(*v);
      }
      if (const auto* cr = t->get("critical")) {
        auto b = cr->value<bool>();
        if (!b) return L.err(*cr, row, "critical must be true or false");
        r.critical = *b;
      }
      VIGIL_ASSIGN_OR_RETURN(r.required, L.requiredText(*t, "required", row));
      if (r.required != "logical" && r.required != "physical")
        return L.err(*t->get("required"), row, "required must be logical or physical");
      VIGIL_ASSIGN_OR_RETURN(r.source, L.source(*t, row));
      cat.separations_.push_back(std::move(r));
    }
  }

  // [[gate]] (optional): where the law sets each registry gate.
  if (const auto* gates = root["gate"].as_array()) {
    for (const auto& node : *gates) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "gate", "each [[gate]] must be a table");
      const std::string row = rowName(*t, "gate", "id");
      if (auto e = L.onlyKeys(*t, row, {"id", "source", "note"})) return *e;
      GateSource g;
      g.line = static_cast<int>(node.source().begin.line);
      VIGIL_ASSIGN_OR_RETURN(g.id, L.requiredText(*t, "id", row));
      if (std::find(std::begin(kGateIds), std::end(kGateIds), g.id) == std::end(kGateIds))
        return L.err(node, row,
                     "unknown gate (regulation_before_approval, approved_before_go_live, "
                     "plan_implemented_before_go_live, operating_without_approval)");
      if (cat.gate(g.id)) return L.err(node, row, "this gate is listed twice");
      VIGIL_ASSIGN_OR_RETURN(g.source, L.source(*t, row));
      if (const auto* n = t->get("note")) g.note = n->value<std::string>().value_or("");
      cat.gates_.push_back(std::move(g));
    }
  }

  // [[document]] (optional): what the level dossier must contain, by level.
  if (const auto* docs = root["document"].as_array()) {
    for (const auto& node : *docs) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "document", "each [[document]] must be a table");
      const std::string row = rowName(*t, "document", "kind");
      if (auto e = L.onlyKeys(*t, row, {"kind", "levels", "source", "note"})) return *e;
      DocumentRule d;
      d.line = static_cast<int>(node.source().begin.line);
      VIGIL_ASSIGN_OR_RETURN(d.kind, L.requiredText(*t, "kind", row));
      if (std::find(std::begin(kDocumentKinds), std::end(kDocumentKinds), d.kind) == std::end(kDocumentKinds))
        return L.err(node, row,
                     "unknown kind (overview, design, justification, security_plan, professional_opinion, "
                     "risk_assessment)");
      VIGIL_ASSIGN_OR_RETURN(d.levels, L.levels(*t, row, cat.maxLevel_));
      VIGIL_ASSIGN_OR_RETURN(d.source, L.source(*t, row));
      if (const auto* n = t->get("note")) d.note = n->value<std::string>().value_or("");
      cat.documents_.push_back(std::move(d));
    }
  }
  return cat;
}

Result<std::vector<std::shared_ptr<const RegimeCatalog>>> loadRegimeDirectory(const std::string& dir) {
  return detail::loadCatalogDirectory<RegimeCatalog>(
      dir, "regime catalog", [](const std::string& path) { return RegimeCatalog::load(path); },
      [](const RegimeCatalog& c) { return c.id(); }, "regime id");
}

}  // namespace vigil::compliance
