#include "compliance/checklist_catalog.h"

#include <algorithm>
#include <set>

#include "compliance/catalog_loader.h"

namespace vigil::compliance {

using detail::join;
using detail::oneOf;
using detail::rowName;

std::string_view assessmentKindName(AssessmentKind k) {
  switch (k) {
    case AssessmentKind::kPeriodic: return "periodic";
    case AssessmentKind::kPreOperation: return "pre_operation";
    case AssessmentKind::kAdHoc: return "ad_hoc";
  }
  return "periodic";
}

std::string_view assessmentKindLabel(AssessmentKind k) {
  switch (k) {
    case AssessmentKind::kPeriodic: return "Định kỳ";
    case AssessmentKind::kPreOperation: return "Trước khi đưa vào sử dụng";
    case AssessmentKind::kAdHoc: return "Đột xuất";
  }
  return "Định kỳ";
}

std::string_view assessorTypeName(AssessorType t) {
  switch (t) {
    case AssessorType::kSelf: return "self";
    case AssessorType::kIndependent: return "independent";
    case AssessorType::kExternal: return "external";
  }
  return "self";
}

std::string_view assessorTypeLabel(AssessorType t) {
  switch (t) {
    case AssessorType::kSelf: return "Đơn vị vận hành tự đánh giá";
    case AssessorType::kIndependent: return "Đơn vị độc lập với đơn vị vận hành";
    case AssessorType::kExternal:
      return "Tổ chức chuyên môn được cấp phép, đơn vị nhà nước có chức năng hoặc tổ chức được chỉ định";
  }
  return "";
}

std::optional<AssessmentKind> parseAssessmentKind(std::string_view s) {
  for (auto k : {AssessmentKind::kPeriodic, AssessmentKind::kPreOperation, AssessmentKind::kAdHoc})
    if (assessmentKindName(k) == s) return k;
  return std::nullopt;
}

std::optional<AssessorType> parseAssessorType(std::string_view s) {
  for (auto t : {AssessorType::kSelf, AssessorType::kIndependent, AssessorType::kExternal})
    if (assessorTypeName(t) == s) return t;
  return std::nullopt;
}

const std::vector<std::string_view>& assessmentTriggers() {
  static const std::vector<std::string_view> kTriggers = {"serious_incident", "major_change", "authority_request",
                                                          "unreliable_self_assessment"};
  return kTriggers;
}

bool ChecklistItem::appliesTo(int level) const {
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

std::string ChecklistItem::standardClause(int level) const {
  auto it = standardClauses.find(level);
  return it == standardClauses.end() ? std::string() : it->second;
}

const ChecklistGroup* ChecklistCatalog::group(std::string_view id) const {
  for (const auto& g : groups_)
    if (g.id == id) return &g;
  return nullptr;
}

const ChecklistItem* ChecklistCatalog::item(std::string_view id) const {
  for (const auto& i : items_)
    if (i.id == id) return &i;
  return nullptr;
}

Result<std::vector<const ChecklistItem*>> ChecklistCatalog::checklistFor(int level) const {
  if (level < 1 || level > maxLevel_)
    return Error::validation("level", "unknown level " + std::to_string(level) + " (levels run from 1 to " +
                                          std::to_string(maxLevel_) + ")");
  std::vector<const ChecklistItem*> out;
  for (const auto& i : items_)
    if (i.appliesTo(level)) out.push_back(&i);
  return out;
}

namespace {

const std::vector<std::string_view> kParts = {"management", "technical"};

// Reads a list of strings of a closed vocabulary.
Result<std::vector<std::string>> stringList(const detail::CatalogLoader& L, const toml::table& t, const char* key,
                                            const std::string& row, const std::vector<std::string>& allowed) {
  const auto* arr = t[key].as_array();
  if (!arr || arr->empty()) return L.err(t, row, std::string(key) + " must be a non-empty array");
  std::vector<std::string> out;
  for (const auto& n : *arr) {
    auto v = n.value<std::string>();
    if (!v || std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
      return L.err(n, row, std::string("unknown ") + key + " value (" + join(allowed) + ")");
    if (std::find(out.begin(), out.end(), *v) != out.end()) return L.err(n, row, "'" + *v + "' listed twice");
    out.push_back(*v);
  }
  return out;
}

std::vector<std::string> names(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

}  // namespace

Result<ChecklistCatalog> ChecklistCatalog::load(const std::string& path,
                                                const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(auto text, detail::readCatalogFile(path, "checklist catalog"));
  return parse(text, path, regimes);
}

Result<ChecklistCatalog> ChecklistCatalog::parse(std::string_view text, const std::string& origin,
                                                 const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(const toml::table root, detail::parseToml(text, origin));
  const detail::CatalogLoader L(origin);
  ChecklistCatalog cat;
  cat.origin_ = origin;
  if (auto e = L.onlyKeys(root, "", {"checklist", "group", "item", "assessor_rule"})) return *e;

  // [checklist]
  const auto* header = root["checklist"].as_table();
  if (!header) return Error::validation(origin, "missing the [checklist] table");
  if (auto e = L.onlyKeys(*header, "checklist", {"regime", "name", "version", "standard"})) return *e;
  VIGIL_ASSIGN_OR_RETURN(const RegimeCatalog* regime, L.regime(*header, "regime", "checklist", regimes));
  cat.regime_ = regime->id();
  cat.maxLevel_ = regime->maxLevel();
  VIGIL_ASSIGN_OR_RETURN(cat.name_, L.requiredText(*header, "name", "checklist"));
  auto version = (*header)["version"].value<int64_t>();
  if (!version || *version < 1) return L.err(*header, "checklist", "version must be a positive integer");
  cat.version_ = static_cast<int>(*version);
  VIGIL_ASSIGN_OR_RETURN(cat.standard_, L.optionalText(*header, "standard", "checklist"));

  // [[group]]
  const auto* groups = root["group"].as_array();
  if (!groups || groups->empty()) return L.err(root, "", "no [[group]] rows");
  for (const auto& node : *groups) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "group", "each [[group]] must be a table");
    const std::string row = rowName(*t, "group");
    if (auto e = L.onlyKeys(*t, row, {"id", "part", "title", "source"})) return *e;
    ChecklistGroup g;
    g.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(g.id, L.requiredText(*t, "id", row));
    if (cat.group(g.id)) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(g.part, L.requiredText(*t, "part", row));
    if (!oneOf(g.part, kParts))
      return L.err(*t->get("part"), row, "unknown part '" + g.part + "' (management, technical)");
    VIGIL_ASSIGN_OR_RETURN(g.title, L.requiredText(*t, "title", row));
    VIGIL_ASSIGN_OR_RETURN(g.source, L.source(*t, row));
    cat.groups_.push_back(std::move(g));
  }

  // [[item]]
  const auto* items = root["item"].as_array();
  if (!items || items->empty()) return L.err(root, "", "no [[item]] rows");
  std::set<std::string> itemIds;
  for (const auto& node : *items) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "item", "each [[item]] must be a table");
    const std::string row = rowName(*t, "item");
    if (auto e = L.onlyKeys(*t, row,
                            {"id", "group", "title", "levels", "min_level", "source", "standard_clauses", "evidence",
                             "verified", "note"}))
      return *e;
    ChecklistItem i;
    i.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(i.id, L.requiredText(*t, "id", row));
    if (!itemIds.insert(i.id).second) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(i.group, L.requiredText(*t, "group", row));
    if (!cat.group(i.group)) return L.err(*t->get("group"), row, "unknown group '" + i.group + "'");
    VIGIL_ASSIGN_OR_RETURN(i.title, L.requiredText(*t, "title", row));
    const bool hasLevels = t->contains("levels"), hasMin = t->contains("min_level");
    if (hasLevels == hasMin) return L.err(node, row, "an item has either levels or min_level");
    if (hasLevels) {
      VIGIL_ASSIGN_OR_RETURN(i.levels, L.levels(*t, row, cat.maxLevel_));
      std::sort(i.levels.begin(), i.levels.end());
    } else {
      auto mn = (*t)["min_level"].value<int64_t>();
      if (!mn || *mn < 1 || *mn > cat.maxLevel_)
        return L.err(*t->get("min_level"), row,
                     "unknown level (levels run from 1 to " + std::to_string(cat.maxLevel_) + ")");
      for (int lv = static_cast<int>(*mn); lv <= cat.maxLevel_; ++lv) i.levels.push_back(lv);
    }
    VIGIL_ASSIGN_OR_RETURN(i.source, L.source(*t, row));
    if (const auto* sc = t->get("standard_clauses")) {
      const auto* st = sc->as_table();
      if (!st) return L.err(*sc, row, "standard_clauses must be a table of level = \"clause\"");
      if (cat.standard_.empty()) return L.err(*sc, row, "standard_clauses needs [checklist] standard");
      for (const auto& [k, v] : *st) {
        int lv = 0;
        const std::string key(k.str());
        if (key.size() != 1 || key[0] < '1' || key[0] > '9' || !i.appliesTo(lv = key[0] - '0'))
          return L.err(v, row, "standard_clauses: '" + key + "' is not one of the item's levels");
        auto clause = v.value<std::string>();
        if (!clause || clause->empty()) return L.err(v, row, "standard_clauses: level " + key + " needs a clause");
        i.standardClauses.emplace(lv, *clause);
      }
      for (int lv : i.levels)
        if (!i.standardClauses.count(lv))
          return L.err(*sc, row, "standard_clauses: no clause for level " + std::to_string(lv));
    }
    VIGIL_ASSIGN_OR_RETURN(i.evidence, L.optionalText(*t, "evidence", row));
    VIGIL_ASSIGN_OR_RETURN(auto verifiedNote, L.verifiedNote(*t, row, "item"));
    i.verified = verifiedNote.first, i.note = std::move(verifiedNote.second);
    cat.items_.push_back(std::move(i));
  }

  // [[assessor_rule]]
  if (const auto* rules = root["assessor_rule"].as_array()) {
    std::set<std::string> ruleIds;
    for (const auto& node : *rules) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "assessor_rule", "each [[assessor_rule]] must be a table");
      const std::string row = rowName(*t, "assessor_rule");
      if (auto e = L.onlyKeys(
              *t, row,
              {"id", "levels", "kinds", "critical", "triggers", "allowed", "message", "source", "verified", "note"}))
        return *e;
      AssessorRule r;
      r.line = static_cast<int>(node.source().begin.line);
      VIGIL_ASSIGN_OR_RETURN(r.id, L.requiredText(*t, "id", row));
      if (!ruleIds.insert(r.id).second) return L.err(node, row, "id used twice");
      if (t->contains("levels")) {
        VIGIL_ASSIGN_OR_RETURN(r.levels, L.levels(*t, row, cat.maxLevel_));
      }
      if (t->contains("kinds")) {
        VIGIL_ASSIGN_OR_RETURN(auto kinds, stringList(L, *t, "kinds", row, {"periodic", "pre_operation", "ad_hoc"}));
        for (const auto& k : kinds) r.kinds.push_back(*parseAssessmentKind(k));
      }
      if (const auto* cr = t->get("critical")) {
        auto b = cr->value<bool>();
        if (!b) return L.err(*cr, row, "critical must be true or false");
        r.critical = *b;
      }
      if (t->contains("triggers")) {
        VIGIL_ASSIGN_OR_RETURN(r.triggers, stringList(L, *t, "triggers", row, names(assessmentTriggers())));
      }
      VIGIL_ASSIGN_OR_RETURN(auto allowed, stringList(L, *t, "allowed", row, {"self", "independent", "external"}));
      for (const auto& a : allowed) r.allowed.push_back(*parseAssessorType(a));
      VIGIL_ASSIGN_OR_RETURN(r.message, L.requiredText(*t, "message", row));
      VIGIL_ASSIGN_OR_RETURN(r.source, L.source(*t, row));
      VIGIL_ASSIGN_OR_RETURN(auto verifiedNote, L.verifiedNote(*t, row, "assessor rule"));
      r.verified = verifiedNote.first, r.note = std::move(verifiedNote.second);
      cat.assessorRules_.push_back(std::move(r));
    }
  }
  return cat;
}

Result<std::vector<std::shared_ptr<const ChecklistCatalog>>> loadChecklistDirectory(
    const std::string& dir, const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) {
  return detail::loadCatalogDirectory<ChecklistCatalog>(
      dir, "checklist catalog", [&](const std::string& path) { return ChecklistCatalog::load(path, regimes); },
      [](const ChecklistCatalog& c) { return c.regime(); }, "checklist regime");
}

}  // namespace vigil::compliance
