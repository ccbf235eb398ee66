#include "compliance/level_calculator.h"

#include <algorithm>
#include <utility>

namespace vigil::compliance {

namespace {

using FactMap = std::map<std::string, FactValue, std::less<>>;

// Values are shown by their Vietnamese labels from the catalog (the code when there is none).
std::string label(const FactDef* def, const std::string& value) { return def ? def->labelOf(value) : value; }

std::string joinSet(const FactDef* def, const std::vector<std::string>& v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + label(def, v[i]);
  return out + "}";
}

std::string showValue(const FactDef* def, const FactValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "có" : "không";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return label(def, *s);
  const auto& set = std::get<StringSet>(v);
  return joinSet(def, std::vector<std::string>(set.begin(), set.end()));
}

std::string showRequirement(const FactDef* def, const Condition& c) {
  switch (c.op) {
    case Condition::Op::kEq:
      return "= " + (c.strings.empty() ? std::to_string(c.numbers.at(0)) : label(def, c.strings.at(0)));
    case Condition::Op::kIn: {
      std::vector<std::string> items = c.strings;
      for (auto n : c.numbers) items.push_back(std::to_string(n));
      return "thuộc " + joinSet(def, items);
    }
    case Condition::Op::kGe: return "≥ " + std::to_string(c.numbers.at(0));
    case Condition::Op::kLt: return "< " + std::to_string(c.numbers.at(0));
    case Condition::Op::kIsTrue: return c.boolean ? "= có" : "= không";
    case Condition::Op::kOnly: return "chỉ gồm " + joinSet(def, c.strings);
    case Condition::Op::kContains: return "có " + label(def, c.strings.at(0));
  }
  return "";
}

bool leafHolds(const Condition& c, const FactValue& v) {
  switch (c.op) {
    case Condition::Op::kEq:
      if (const auto* s = std::get_if<std::string>(&v)) return *s == c.strings.at(0);
      return std::get<int64_t>(v) == c.numbers.at(0);
    case Condition::Op::kIn:
      if (const auto* s = std::get_if<std::string>(&v))
        return std::find(c.strings.begin(), c.strings.end(), *s) != c.strings.end();
      return std::find(c.numbers.begin(), c.numbers.end(), std::get<int64_t>(v)) != c.numbers.end();
    case Condition::Op::kGe: return std::get<int64_t>(v) >= c.numbers.at(0);
    case Condition::Op::kLt: return std::get<int64_t>(v) < c.numbers.at(0);
    case Condition::Op::kIsTrue: return std::get<bool>(v) == c.boolean;
    case Condition::Op::kOnly: {
      const auto& set = std::get<StringSet>(v);
      return std::all_of(set.begin(), set.end(), [&](const std::string& x) {
        return std::find(c.strings.begin(), c.strings.end(), x) != c.strings.end();
      });
    }
    case Condition::Op::kContains: return std::get<StringSet>(v).count(c.strings.at(0)) > 0;
  }
  return false;
}

// Evaluates `c`; appends to `why` the facts that decided it: for a met condition the facts that
// satisfy it, for an unmet one the facts that fail it.
bool evaluate(const Condition& c, const FactMap& facts, const RegimeCatalog& cat, std::vector<std::string>& why) {
  if (c.kind == Condition::Kind::kLeaf) {
    const FactValue& v = facts.find(c.fact)->second;
    const bool ok = leafHolds(c, v);
    const FactDef* def = cat.fact(c.fact);
    const std::string question = def ? def->label : std::string("Cấp độ đề xuất");
    why.push_back(question + ": " + showValue(def, v) + (ok ? "" : " (cần " + showRequirement(def, c) + ")"));
    return ok;
  }
  std::vector<std::string> met, unmet;
  bool any = false, all = true;
  for (const auto& child : c.children) {
    std::vector<std::string> w;
    const bool ok = evaluate(child, facts, cat, w);
    if (ok && c.kind == Condition::Kind::kAny && any) continue;  // the first satisfying branch is enough
    (ok ? met : unmet).insert((ok ? met : unmet).end(), w.begin(), w.end());
    any = any || ok;
    all = all && ok;
  }
  const bool ok = c.kind == Condition::Kind::kAll ? all : any;
  const auto& decisive = ok ? met : unmet;
  why.insert(why.end(), decisive.begin(), decisive.end());
  return ok;
}

std::string explain(bool met, const std::vector<std::string>& why) {
  std::string s = met ? "Đáp ứng: " : "Không đáp ứng: ";
  for (size_t i = 0; i < why.size(); ++i) s += (i ? "; " : "") + why[i];
  return s;
}

bool typeMatches(FactType t, const FactValue& v) {
  switch (t) {
    case FactType::kBool: return std::holds_alternative<bool>(v);
    case FactType::kInt: return std::holds_alternative<int64_t>(v);
    case FactType::kEnum: return std::holds_alternative<std::string>(v);
    case FactType::kSet: return std::holds_alternative<StringSet>(v);
  }
  return false;
}

}  // namespace

LevelCalculator::LevelCalculator(std::shared_ptr<const RegimeCatalog> catalog) : catalog_(std::move(catalog)) {}

Result<FactMap> LevelCalculator::resolve(const Facts& facts) const {
  const RegimeCatalog& cat = *catalog_;
  for (const auto& [name, value] : facts.values())
    if (!cat.fact(name)) return Error::validation(name, "not a fact of regime " + cat.id());
  FactMap out;
  for (const auto& def : cat.facts()) {
    auto it = facts.values().find(def.name);
    if (it == facts.values().end()) {
      if (!def.defaultValue) return Error::validation(def.name, "is required (" + def.label + ")");
      out.emplace(def.name, *def.defaultValue);
      continue;
    }
    const FactValue& v = it->second;
    if (!typeMatches(def.type, v))
      return Error::validation(def.name, "must be of type " + std::string(factTypeName(def.type)));
    if (const auto* i = std::get_if<int64_t>(&v); i && (*i < def.min || *i > def.max))
      return Error::validation(
          def.name, std::to_string(*i) + " is outside " + std::to_string(def.min) + ".." + std::to_string(def.max));
    if (const auto* s = std::get_if<std::string>(&v); s && !def.allows(*s))
      return Error::validation(def.name, "unknown value '" + *s + "'");
    if (const auto* set = std::get_if<StringSet>(&v))
      for (const auto& s : *set)
        if (!def.allows(s)) return Error::validation(def.name, "unknown value '" + s + "'");
    out.emplace(def.name, v);
  }
  for (const auto& c : cat.constraints()) {
    std::vector<std::string> ignored;
    if (evaluate(c.when, out, cat, ignored) && !evaluate(c.require, out, cat, ignored))
      return Error::validation(c.fact, c.message);
  }
  return out;
}

Status LevelCalculator::validate(const Facts& facts) const {
  auto r = resolve(facts);
  if (!r.ok()) return r.takeError();
  return {};
}

Result<LevelResult> LevelCalculator::calculate(const Facts& facts,
                                               const std::vector<ComponentLevel>& components) const {
  const RegimeCatalog& cat = *catalog_;
  VIGIL_ASSIGN_OR_RETURN(FactMap values, resolve(facts));
  LevelResult r;
  r.regimeId = cat.id();
  r.componentRule = cat.componentRule();
  r.componentRuleNote = cat.componentRuleNote();

  std::vector<const Criterion*> flags;
  for (const auto& c : cat.criteria()) {
    if (!c.flag.empty()) {
      flags.push_back(&c);
      continue;
    }
    std::vector<std::string> why;
    const bool met = evaluate(c.condition, values, cat, why);
    if (met) r.criteriaLevel = std::max(r.criteriaLevel, c.level);
    r.reasoning.push_back({c.id, c.level, "", c.source, c.description, c.verified, c.note, met, explain(met, why)});
  }
  r.level = r.criteriaLevel;
  for (const auto& comp : components) {
    if (comp.level < 1 || comp.level > cat.maxLevel())
      return Error::validation("components", "component '" + comp.name + "' has level " + std::to_string(comp.level) +
                                                 ", outside 1.." + std::to_string(cat.maxLevel()));
    if (comp.level > r.level) r.level = comp.level, r.raisedBy = comp.name;
  }

  values.insert_or_assign(std::string(RegimeCatalog::kProposedLevelFact), FactValue{int64_t{r.level}});
  for (const Criterion* c : flags) {
    std::vector<std::string> why;
    const bool met = evaluate(c->condition, values, cat, why);
    if (met && c->flag == "critical") r.critical = true;
    r.reasoning.push_back({c->id, 0, c->flag, c->source, c->description, c->verified, c->note, met, explain(met, why)});
  }

  std::string owner;
  if (auto it = values.find("owner_type"); it != values.end())
    if (const auto* s = std::get_if<std::string>(&it->second)) owner = *s;
  const AuthorityRule* auth = cat.authorityFor(r.level, owner, r.critical);
  if (!auth)
    return Error::internal("regime " + cat.id() + " has no authority row for level " + std::to_string(r.level));
  r.appraising = auth->appraising;
  r.approving = auth->approving;
  for (const auto& d : cat.deadlines())
    if (std::find(d.levels.begin(), d.levels.end(), r.level) != d.levels.end()) r.deadlines.push_back(d);
  return r;
}

}  // namespace vigil::compliance
