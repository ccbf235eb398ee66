#include "compliance/assessment.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace vigil::compliance {

namespace chr = std::chrono;

std::string_view itemStatusName(ItemStatus s) {
  switch (s) {
    case ItemStatus::kMet: return "met";
    case ItemStatus::kPartlyMet: return "partly_met";
    case ItemStatus::kNotMet: return "not_met";
    case ItemStatus::kNotApplicable: return "not_applicable";
  }
  return "not_met";
}

std::string_view itemStatusLabel(ItemStatus s) {
  switch (s) {
    case ItemStatus::kMet: return "Đáp ứng";
    case ItemStatus::kPartlyMet: return "Đáp ứng một phần";
    case ItemStatus::kNotMet: return "Chưa đáp ứng";
    case ItemStatus::kNotApplicable: return "Không áp dụng";
  }
  return "";
}

std::optional<ItemStatus> parseItemStatus(std::string_view s) {
  for (auto v : {ItemStatus::kMet, ItemStatus::kPartlyMet, ItemStatus::kNotMet, ItemStatus::kNotApplicable})
    if (itemStatusName(v) == s) return v;
  return std::nullopt;
}

bool Finding::closed() const { return !retests.empty() && retests.back().status == ItemStatus::kMet; }

bool Finding::overdue(Date today) const { return !closed() && due && chr::sys_days(today) > chr::sys_days(*due); }

namespace {

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

bool ruleApplies(const AssessorRule& r, const AssessmentContext& c) {
  if (!r.levels.empty() && !contains(r.levels, c.level)) return false;
  if (!r.kinds.empty() && std::find(r.kinds.begin(), r.kinds.end(), c.kind) == r.kinds.end()) return false;
  if (r.critical && *r.critical != c.critical) return false;
  if (!r.triggers.empty() &&
      std::none_of(r.triggers.begin(), r.triggers.end(), [&](const std::string& t) { return c.triggers.count(t); }))
    return false;
  return true;
}

bool isSha256Hex(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

bool notOrPartly(ItemStatus s) { return s == ItemStatus::kNotMet || s == ItemStatus::kPartlyMet; }

}  // namespace

Result<Eligibility> checkAssessor(const ChecklistCatalog& catalog, const AssessmentContext& context,
                                  AssessorType chosen) {
  if (context.level < 1 || context.level > catalog.maxLevel())
    return Error::validation("level", "unknown level " + std::to_string(context.level) + " (levels run from 1 to " +
                                          std::to_string(catalog.maxLevel()) + ")");
  const auto& known = assessmentTriggers();
  for (const auto& t : context.triggers)
    if (std::find(known.begin(), known.end(), t) == known.end())
      return Error::validation("triggers", "unknown trigger '" + t + "'");
  Eligibility e;
  e.chosen = chosen;
  e.allowed = {AssessorType::kSelf, AssessorType::kIndependent, AssessorType::kExternal};
  for (const auto& r : catalog.assessorRules()) {
    if (!ruleApplies(r, context)) continue;
    std::erase_if(e.allowed,
                  [&](AssessorType t) { return std::find(r.allowed.begin(), r.allowed.end(), t) == r.allowed.end(); });
    if (std::find(r.allowed.begin(), r.allowed.end(), chosen) == r.allowed.end())
      e.refusals.push_back({r.id, r.message, r.source});
  }
  return e;
}

Result<Summary> summarize(const ChecklistCatalog& catalog, int level, const std::vector<ItemResult>& results) {
  VIGIL_ASSIGN_OR_RETURN(auto items, catalog.checklistFor(level));
  std::map<std::string, ItemStatus, std::less<>> byItem;
  for (const auto& r : results) byItem[r.item] = r.status;
  Summary s;
  s.total = static_cast<int>(items.size());
  for (const auto* item : items) {
    auto it = byItem.find(item->id);
    if (it == byItem.end()) {
      ++s.unanswered;
      continue;
    }
    switch (it->second) {
      case ItemStatus::kMet: ++s.met; break;
      case ItemStatus::kPartlyMet: ++s.partlyMet; break;
      case ItemStatus::kNotMet: ++s.notMet; break;
      case ItemStatus::kNotApplicable: ++s.notApplicable; break;
    }
  }
  if (s.applicable() > 0) s.percentMet = std::round(1000.0 * s.met / s.applicable()) / 10.0;
  return s;
}

std::vector<Finding> findingsFrom(const ChecklistCatalog& catalog, const std::vector<ItemResult>& results) {
  std::vector<Finding> out;
  for (const auto& item : catalog.items())
    for (const auto& r : results)
      if (r.item == item.id && notOrPartly(r.status)) {
        Finding f;
        f.item = item.id;
        f.status = r.status;
        f.description = item.title;
        out.push_back(std::move(f));
        break;
      }
  return out;
}

Status validateAssessment(const ChecklistCatalog& catalog, const Assessment& a, Completeness completeness, Date today) {
  if (a.regime != catalog.regime())
    return Error::validation(
        "regime", "the assessment is under '" + a.regime + "' but the checklist is for '" + catalog.regime() + "'");
  if (!a.on.ok()) return Error::validation("on", "not a calendar date");
  if (chr::sys_days(a.on) > chr::sys_days(today)) return Error::validation("on", "is after today");
  VIGIL_ASSIGN_OR_RETURN(auto eligibility, checkAssessor(catalog, a.context, a.assessor));
  if (!eligibility.eligible()) {
    std::string why;
    for (const auto& r : eligibility.refusals)
      why += (why.empty() ? "" : "; ") + r.message + " (" + r.source.cite() + ", " + r.rule + ")";
    return Error::validation("assessor", std::string(assessorTypeLabel(a.assessor)) + " không được thực hiện: " + why);
  }
  if (a.assessorName.empty()) return Error::validation("assessor_name", "is required");
  VIGIL_ASSIGN_OR_RETURN(auto items, catalog.checklistFor(a.context.level));
  std::map<std::string, const ItemResult*, std::less<>> seen;
  for (size_t i = 0; i < a.results.size(); ++i) {
    const auto& r = a.results[i];
    const std::string field = "results[" + std::to_string(i) + "]";
    const auto* item = catalog.item(r.item);
    if (!item) return Error::validation(field + ".item", "unknown item '" + r.item + "'");
    if (!item->appliesTo(a.context.level))
      return Error::validation(field + ".item", "item '" + r.item + "' is not in the level " +
                                                    std::to_string(a.context.level) + " checklist");
    if (!seen.emplace(r.item, &r).second)
      return Error::validation(field + ".item", "item '" + r.item + "' answered twice");
    if (r.status == ItemStatus::kNotApplicable && r.reason.empty())
      return Error::validation(field + ".reason", "not_applicable needs a reason");
    for (size_t j = 0; j < r.evidenceSha256.size(); ++j)
      if (!isSha256Hex(r.evidenceSha256[j]))
        return Error::validation(field + ".evidence[" + std::to_string(j) + "]",
                                 "must be a SHA-256 as 64 lowercase hex digits");
  }
  if (completeness == Completeness::kComplete)
    for (const auto* item : items)
      if (!seen.count(item->id)) return Error::validation("results", "no result for item '" + item->id + "'");

  std::map<std::string, int, std::less<>> findingOf;
  for (size_t i = 0; i < a.findings.size(); ++i) {
    const auto& f = a.findings[i];
    const std::string field = "findings[" + std::to_string(i) + "]";
    auto it = seen.find(f.item);
    if (it == seen.end()) return Error::validation(field + ".item", "item '" + f.item + "' has no result");
    if (!notOrPartly(it->second->status))
      return Error::validation(field + ".item", "item '" + f.item + "' was assessed " +
                                                    std::string(itemStatusName(it->second->status)) +
                                                    ": a finding needs not_met or partly_met");
    if (f.status != it->second->status) return Error::validation(field + ".status", "differs from the item's result");
    if (!findingOf.emplace(f.item, static_cast<int>(i)).second)
      return Error::validation(field + ".item", "item '" + f.item + "' has two findings");
    if (f.owner.empty()) return Error::validation(field + ".owner", "the remediation needs an owner");
    if (!f.due) return Error::validation(field + ".due", "the remediation needs a due date");
    if (!f.due->ok() || chr::sys_days(*f.due) < chr::sys_days(a.on))
      return Error::validation(field + ".due", "must be a date on or after the assessment (" + formatDate(a.on) + ")");
    Date previous = a.on;
    for (size_t j = 0; j < f.retests.size(); ++j) {
      const auto& r = f.retests[j];
      const std::string rf = field + ".retests[" + std::to_string(j) + "]";
      if (!r.on.ok() || chr::sys_days(r.on) < chr::sys_days(previous))
        return Error::validation(rf + ".on", "must not be before " + formatDate(previous));
      if (chr::sys_days(r.on) > chr::sys_days(today)) return Error::validation(rf + ".on", "is after today");
      if (r.status == ItemStatus::kNotApplicable)
        return Error::validation(rf + ".status", "a re-test finds the item met, partly_met or not_met");
      if (r.by.empty()) return Error::validation(rf + ".by", "who re-tested is required");
      if (j + 1 < f.retests.size() && r.status == ItemStatus::kMet)
        return Error::validation(rf + ".status", "the finding was closed by this re-test; no re-test may follow");
      previous = r.on;
    }
  }
  if (completeness == Completeness::kComplete)
    for (const auto& r : a.results)
      if (notOrPartly(r.status) && !findingOf.count(r.item))
        return Error::validation(
            "findings", "item '" + r.item + "' is " + std::string(itemStatusName(r.status)) + " but has no finding");
  return {};
}

}  // namespace vigil::compliance
