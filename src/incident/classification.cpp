#include "incident/classification.h"

#include <algorithm>

#include "compliance/catalog_loader.h"

namespace vigil::incident {

using compliance::detail::CatalogLoader;
using compliance::detail::rowName;

namespace {

const std::vector<std::string_view> kFlags = {"serious", "national_security", "complex"};

Result<std::vector<std::string>> factList(const CatalogLoader& L, const ClassificationCatalog& cat,
                                          const toml::table& t, const char* key, const std::string& row) {
  std::vector<std::string> out;
  const auto* n = t.get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr || arr->empty()) return L.err(*n, row, std::string(key) + " must be a non-empty array of fact ids");
  for (const auto& e : *arr) {
    auto v = e.value<std::string>();
    if (!v || !cat.fact(*v)) return L.err(e, row, "unknown fact '" + (v ? *v : std::string("?")) + "'");
    if (std::find(out.begin(), out.end(), *v) != out.end()) return L.err(e, row, "'" + *v + "' listed twice");
    out.push_back(*v);
  }
  return out;
}

}  // namespace

const ClassFact* ClassificationCatalog::fact(std::string_view id) const {
  for (const auto& f : facts_)
    if (f.id == id) return &f;
  return nullptr;
}

Result<ClassificationCatalog> ClassificationCatalog::load(
    const std::string& path, const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(auto text, compliance::detail::readCatalogFile(path, "classification catalog"));
  return parse(text, path, regimes);
}

Result<ClassificationCatalog> ClassificationCatalog::parse(
    std::string_view text, const std::string& origin,
    const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(const toml::table root, compliance::detail::parseToml(text, origin));
  const CatalogLoader L(origin);
  ClassificationCatalog cat;
  cat.origin_ = origin;
  if (auto e = L.onlyKeys(root, "", {"classification", "fact", "test", "severity"})) return *e;
  const auto* header = root["classification"].as_table();
  if (!header) return Error::validation(origin, "missing the [classification] table");
  if (auto e = L.onlyKeys(*header, "classification", {"version", "name"})) return *e;
  {
    const auto* v = header->get("version");
    auto n = v ? v->value<int64_t>() : std::nullopt;
    if (!n || *n < 1) return L.err(v ? *v : *header, "classification", "version must be a positive integer");
    cat.version_ = static_cast<int>(*n);
  }
  VIGIL_TRY(L.requiredText(*header, "name", "classification"));

  const auto* facts = root["fact"].as_array();
  if (!facts || facts->empty()) return L.err(root, "", "no [[fact]] rows");
  for (const auto& node : *facts) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "fact", "each [[fact]] must be a table");
    const std::string row = rowName(*t, "fact");
    if (auto e = L.onlyKeys(*t, row, {"id", "label", "source", "internal"})) return *e;
    ClassFact f;
    VIGIL_ASSIGN_OR_RETURN(f.id, L.requiredText(*t, "id", row));
    if (cat.fact(f.id)) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(f.label, L.requiredText(*t, "label", row));
    VIGIL_ASSIGN_OR_RETURN(f.source, L.source(*t, row));
    if (const auto* i = t->get("internal")) {
      auto b = i->value<bool>();
      if (!b) return L.err(*i, row, "internal must be true or false");
      f.internal = *b;
    }
    cat.facts_.push_back(std::move(f));
  }

  const auto* tests = root["test"].as_array();
  if (!tests || tests->empty()) return L.err(root, "", "no [[test]] rows");
  for (const auto& node : *tests) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "test", "each [[test]] must be a table");
    const std::string row = rowName(*t, "test");
    if (auto e = L.onlyKeys(
            *t, row,
            {"id", "regime", "flag", "label", "levels", "critical", "any_of", "all_of", "source", "verified", "note"}))
      return *e;
    ClassTest c;
    c.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(c.id, L.requiredText(*t, "id", row));
    for (const auto& other : cat.tests_)
      if (other.id == c.id) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(const compliance::RegimeCatalog* regime, L.regime(*t, "regime", row, regimes));
    c.regime = regime->id();
    VIGIL_ASSIGN_OR_RETURN(c.flag, L.requiredText(*t, "flag", row));
    if (!compliance::detail::oneOf(c.flag, kFlags))
      return L.err(*t->get("flag"), row, "unknown flag '" + c.flag + "' (serious, national_security, complex)");
    VIGIL_ASSIGN_OR_RETURN(c.label, L.requiredText(*t, "label", row));
    if (t->contains("levels")) {
      VIGIL_ASSIGN_OR_RETURN(c.levels, L.levels(*t, row, regime->maxLevel()));
    }
    if (const auto* cr = t->get("critical")) {
      auto b = cr->value<bool>();
      if (!b) return L.err(*cr, row, "critical must be true or false");
      c.critical = *b;
      if (c.critical && c.levels.empty()) return L.err(*cr, row, "critical widens a level condition: give levels");
    }
    VIGIL_ASSIGN_OR_RETURN(c.anyOf, factList(L, cat, *t, "any_of", row));
    VIGIL_ASSIGN_OR_RETURN(c.allOf, factList(L, cat, *t, "all_of", row));
    if (c.levels.empty() && c.anyOf.empty() && c.allOf.empty())
      return L.err(node, row, "a test needs at least one condition (levels, any_of, all_of)");
    VIGIL_ASSIGN_OR_RETURN(c.source, L.source(*t, row));
    VIGIL_ASSIGN_OR_RETURN(auto vn, L.verifiedNote(*t, row, "test"));
    c.verified = vn.first, c.note = std::move(vn.second);
    cat.tests_.push_back(std::move(c));
  }

  const auto* sev = root["severity"].as_array();
  if (!sev || sev->empty()) return L.err(root, "", "no [[severity]] rows");
  for (size_t i = 0; i < sev->size(); ++i) {
    const auto& node = *sev->get(i);
    const auto* t = node.as_table();
    if (!t) return L.err(node, "severity", "each [[severity]] must be a table");
    const std::string row = rowName(*t, "severity");
    if (auto e = L.onlyKeys(*t, row, {"id", "label", "any_flag", "min_level", "any_of"})) return *e;
    SeverityRow s;
    VIGIL_ASSIGN_OR_RETURN(s.id, L.requiredText(*t, "id", row));
    for (const auto& other : cat.severities_)
      if (other.id == s.id) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(s.label, L.requiredText(*t, "label", row));
    if (const auto* f = t->get("any_flag")) {
      const auto* arr = f->as_array();
      if (!arr || arr->empty()) return L.err(*f, row, "any_flag must be a non-empty array of flags");
      for (const auto& e : *arr) {
        auto v = e.value<std::string>();
        if (!v || !compliance::detail::oneOf(*v, kFlags))
          return L.err(e, row, "unknown flag (serious, national_security, complex)");
        s.anyFlag.push_back(*v);
      }
    }
    if (const auto* m = t->get("min_level")) {
      auto v = m->value<int64_t>();
      if (!v || *v < 1 || *v > 5) return L.err(*m, row, "min_level must be 1..5");
      s.minLevel = static_cast<int>(*v);
    }
    VIGIL_ASSIGN_OR_RETURN(s.anyOf, factList(L, cat, *t, "any_of", row));
    const bool unconditional = s.anyFlag.empty() && s.minLevel == 0 && s.anyOf.empty();
    if (unconditional != (i + 1 == sev->size()))
      return L.err(node, row, "exactly the last [[severity]] row has no condition (the default)");
    cat.severities_.push_back(std::move(s));
  }
  return cat;
}

namespace {

std::string listOf(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

Result<Classification> classify(const ClassificationCatalog& cat, const ClassificationInput& in) {
  if (in.level && (*in.level < 1 || *in.level > 5)) return Error::validation("level", "levels run from 1 to 5");
  for (const auto& f : in.facts)
    if (!cat.fact(f)) return Error::validation("facts", "unknown fact '" + f + "'");
  bool regimeKnown = false;
  Classification out;
  for (const auto& t : cat.tests()) {
    if (t.regime != in.regime) continue;
    regimeKnown = true;
    TestOutcome o{t.id, t.flag, t.label, true, {}, t.source, t.verified, t.note};
    if (!t.levels.empty()) {
      ConditionOutcome c;
      const bool inLevels = in.level && std::find(t.levels.begin(), t.levels.end(), *in.level) != t.levels.end();
      std::string wanted;
      for (int l : t.levels) wanted += (wanted.empty() ? "" : ", ") + std::to_string(l);
      c.met = inLevels || (t.critical && in.critical);
      const std::string have = in.level ? "level " + std::to_string(*in.level) : "no level yet";
      if (inLevels) {
        c.reason = "the system is " + have + " (levels " + wanted + ")";
      } else if (c.met) {
        c.reason = "the system is on the critical list (" + have + ")";
      } else {
        c.reason = "the system is " + have + ", not level " + wanted + (t.critical ? " nor on the critical list" : "");
      }
      o.met = o.met && c.met;
      o.conditions.push_back(std::move(c));
    }
    if (!t.anyOf.empty()) {
      std::vector<std::string> present;
      for (const auto& f : t.anyOf)
        if (in.facts.count(f)) present.push_back(f);
      ConditionOutcome c;
      c.met = !present.empty();
      c.reason = c.met ? "recorded: " + listOf(present) : "none of " + listOf(t.anyOf) + " is recorded";
      o.met = o.met && c.met;
      o.conditions.push_back(std::move(c));
    }
    if (!t.allOf.empty()) {
      std::vector<std::string> absent;
      for (const auto& f : t.allOf)
        if (!in.facts.count(f)) absent.push_back(f);
      ConditionOutcome c;
      c.met = absent.empty();
      c.reason = c.met ? "recorded: " + listOf(t.allOf) : "not recorded: " + listOf(absent);
      o.met = o.met && c.met;
      o.conditions.push_back(std::move(c));
    }
    if (o.met) out.flags.insert(t.flag);
    out.tests.push_back(std::move(o));
  }
  if (!regimeKnown) return Error::validation("regime", "no classification test for regime '" + in.regime + "'");
  for (const auto& s : cat.severities()) {
    bool match = s.anyFlag.empty() && s.minLevel == 0 && s.anyOf.empty();
    if (!match) {
      const bool flagOk =
          s.anyFlag.empty() ||
          std::any_of(s.anyFlag.begin(), s.anyFlag.end(), [&](const std::string& f) { return out.flags.count(f) > 0; });
      const bool levelOk = s.minLevel == 0 || (in.level && *in.level >= s.minLevel);
      const bool factOk = s.anyOf.empty() || std::any_of(s.anyOf.begin(), s.anyOf.end(),
                                                         [&](const std::string& f) { return in.facts.count(f) > 0; });
      match = flagOk && levelOk && factOk;
    }
    if (match) {
      out.severity = s.id;
      out.severityLabel = s.label;
      break;
    }
  }
  return out;
}

}  // namespace vigil::incident
