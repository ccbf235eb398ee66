#include "compliance/schedule_catalog.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "compliance/catalog_loader.h"

namespace vigil::compliance {

using detail::rowName;
namespace chr = std::chrono;

Date addMonths(Date d, int months) {
  const Date shifted = d + chr::months{months};
  if (shifted.ok()) return shifted;
  return chr::year_month_day_last(shifted.year(), chr::month_day_last(shifted.month()));
}

std::string formatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

const ScheduleActivity* ScheduleCatalog::activity(std::string_view id) const {
  for (const auto& a : activities_)
    if (a.id == id) return &a;
  return nullptr;
}

Result<ScheduleCatalog> ScheduleCatalog::load(const std::string& path,
                                              const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(auto text, detail::readCatalogFile(path, "schedule catalog"));
  return parse(text, path, regimes);
}

Result<ScheduleCatalog> ScheduleCatalog::parse(std::string_view text, const std::string& origin,
                                               const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(const toml::table root, detail::parseToml(text, origin));
  const detail::CatalogLoader L(origin);
  ScheduleCatalog cat;
  cat.origin_ = origin;
  if (auto e = L.onlyKeys(root, "", {"schedule", "activity", "rule"})) return *e;

  const auto* header = root["schedule"].as_table();
  if (!header) return Error::validation(origin, "missing the [schedule] table");
  if (auto e = L.onlyKeys(*header, "schedule", {"id", "name", "regime"})) return *e;
  VIGIL_ASSIGN_OR_RETURN(cat.id_, L.requiredText(*header, "id", "schedule"));
  VIGIL_ASSIGN_OR_RETURN(cat.name_, L.requiredText(*header, "name", "schedule"));
  // Levels are bounded by the regime's max_level, or by the highest of all regimes for a file
  // that applies under every regime.
  int maxLevel = 1;
  if (header->contains("regime")) {
    VIGIL_ASSIGN_OR_RETURN(const RegimeCatalog* regime, L.regime(*header, "regime", "schedule", regimes));
    cat.regime_ = regime->id();
    maxLevel = regime->maxLevel();
  } else {
    for (const auto& r : regimes) maxLevel = std::max(maxLevel, r->maxLevel());
  }

  const auto* acts = root["activity"].as_array();
  if (!acts || acts->empty()) return L.err(root, "", "no [[activity]] rows");
  for (const auto& node : *acts) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "activity", "each [[activity]] must be a table");
    const std::string row = rowName(*t, "activity");
    if (auto e = L.onlyKeys(*t, row, {"id", "label"})) return *e;
    ScheduleActivity a;
    a.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(a.id, L.requiredText(*t, "id", row));
    if (cat.activity(a.id)) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(a.label, L.requiredText(*t, "label", row));
    cat.activities_.push_back(std::move(a));
  }

  const auto* rules = root["rule"].as_array();
  if (!rules || rules->empty()) return L.err(root, "", "no [[rule]] rows");
  for (const auto& node : *rules) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "rule", "each [[rule]] must be a table");
    const std::string row = rowName(*t, "rule", "activity");
    if (auto e = L.onlyKeys(
            *t, row,
            {"activity", "scope", "levels", "critical_only", "every_months", "before", "source", "verified", "note"}))
      return *e;
    ScheduleRule r;
    r.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(r.activity, L.requiredText(*t, "activity", row));
    if (!cat.activity(r.activity)) return L.err(*t->get("activity"), row, "unknown activity '" + r.activity + "'");
    VIGIL_ASSIGN_OR_RETURN(auto scope, L.optionalText(*t, "scope", row));
    if (scope.empty() || scope == "system") {
      r.scope = ScheduleScope::kSystem;
    } else if (scope == "organisation") {
      r.scope = ScheduleScope::kOrganisation;
    } else {
      return L.err(*t->get("scope"), row, "unknown scope '" + scope + "' (system, organisation)");
    }
    if (r.scope == ScheduleScope::kSystem) {
      VIGIL_ASSIGN_OR_RETURN(r.levels, L.levels(*t, row, maxLevel));
      std::sort(r.levels.begin(), r.levels.end());
    } else if (t->contains("levels") || t->contains("critical_only")) {
      return L.err(node, row, "an organisation rule has no levels or critical_only");
    }
    if (const auto* c = t->get("critical_only")) {
      auto b = c->value<bool>();
      if (!b) return L.err(*c, row, "critical_only must be true or false");
      r.criticalOnly = *b;
    }
    const bool hasEvery = t->contains("every_months"), hasBefore = t->contains("before");
    if (hasEvery == hasBefore) return L.err(node, row, "a rule has either every_months or before");
    if (hasEvery) {
      auto m = (*t)["every_months"].value<int64_t>();
      if (!m || *m < 1 || *m > 120) return L.err(*t->get("every_months"), row, "every_months must be 1..120");
      r.everyMonths = static_cast<int>(*m);
    } else {
      // before = "10/06": day/month as Vietnamese documents write it.
      VIGIL_ASSIGN_OR_RETURN(auto before, L.requiredText(*t, "before", row));
      unsigned d = 0, m = 0;
      char extra = 0;
      const bool parsed = std::sscanf(before.c_str(), "%2u/%2u%c", &d, &m, &extra) == 2;
      // A fixed date must exist every year: 29/02 is refused.
      if (!parsed || !chr::year_month_day(chr::year{2025}, chr::month{m}, chr::day{d}).ok())
        return L.err(*t->get("before"), row, "before must be a day of the year as dd/mm, e.g. \"10/06\"");
      r.day = static_cast<int>(d), r.month = static_cast<int>(m);
    }
    VIGIL_ASSIGN_OR_RETURN(r.source, L.source(*t, row));
    VIGIL_ASSIGN_OR_RETURN(auto verifiedNote, L.verifiedNote(*t, row, "rule"));
    r.verified = verifiedNote.first, r.note = std::move(verifiedNote.second);
    cat.rules_.push_back(std::move(r));
  }
  for (const auto& a : cat.activities_)
    if (std::none_of(cat.rules_.begin(), cat.rules_.end(), [&](const ScheduleRule& r) { return r.activity == a.id; }))
      return Error::validation(origin + ":" + std::to_string(a.line), "activity " + a.id + ": no [[rule]] uses it");
  return cat;
}

Result<std::vector<std::shared_ptr<const ScheduleCatalog>>> loadScheduleDirectory(
    const std::string& dir, const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) {
  return detail::loadCatalogDirectory<ScheduleCatalog>(
      dir, "schedule catalog", [&](const std::string& path) { return ScheduleCatalog::load(path, regimes); },
      [](const ScheduleCatalog& c) { return c.id(); }, "schedule id");
}

namespace {

Date deadlineIn(int year, const ScheduleRule& r) {
  return Date{chr::year{year}, chr::month{static_cast<unsigned>(r.month)}, chr::day{static_cast<unsigned>(r.day)}};
}

// The first yearly deadline of `r` strictly after `d`.
Date deadlineAfter(Date d, const ScheduleRule& r) {
  const Date same = deadlineIn(static_cast<int>(d.year()), r);
  return chr::sys_days(same) > chr::sys_days(d) ? same : deadlineIn(static_cast<int>(d.year()) + 1, r);
}

// All fixed-date rules of one activity in one catalog form one sequence of deadlines: the first
// deadline of any of them strictly after `d`.
Date nextDeadline(Date d, const std::vector<const ScheduleRule*>& siblings) {
  Date best = deadlineAfter(d, *siblings.front());
  for (const auto* s : siblings) {
    const Date c = deadlineAfter(d, *s);
    if (chr::sys_days(c) < chr::sys_days(best)) best = c;
  }
  return best;
}

std::string twoDigits(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

}  // namespace

Result<std::vector<DueActivity>> dueActivities(const std::vector<std::shared_ptr<const ScheduleCatalog>>& catalogs,
                                               const ScheduleQuery& q) {
  if (q.level && (*q.level < 1 || *q.level > 9)) return Error::validation("level", "unknown level");
  if (!q.today.ok()) return Error::validation("today", "not a calendar date");
  for (const auto& entry : q.lastDone) {
    const std::string& activity = entry.first;  // not a structured binding: lambdas capture it
    const Date& day = entry.second;
    if (!day.ok()) return Error::validation("last_done." + activity, "not a calendar date");
    if (chr::sys_days(day) > chr::sys_days(q.today))
      return Error::validation("last_done." + activity, "is after today (" + formatDate(q.today) + ")");
    if (std::none_of(catalogs.begin(), catalogs.end(), [&](const auto& c) { return c->activity(activity); }))
      return Error::validation("last_done." + activity, "unknown activity '" + activity + "'");
  }
  std::vector<DueActivity> out;
  for (const auto& cat : catalogs) {
    if (!cat->regime().empty() && cat->regime() != q.regime) continue;
    auto applies = [&](const ScheduleRule& r) {
      if (!q.level) return r.scope == ScheduleScope::kOrganisation;
      if (r.scope != ScheduleScope::kSystem || (r.criticalOnly && !q.critical)) return false;
      return std::find(r.levels.begin(), r.levels.end(), *q.level) != r.levels.end();
    };
    for (const auto& r : cat->rules()) {
      if (!applies(r)) continue;
      DueActivity d;
      d.schedule = cat->id();
      d.activity = r.activity;
      d.label = cat->activity(r.activity)->label;
      d.source = r.source;
      d.verified = r.verified;
      if (auto it = q.lastDone.find(r.activity); it != q.lastDone.end()) d.lastDone = it->second;
      if (!r.fixedDate()) {
        d.rule = std::to_string(r.everyMonths) + " tháng một lần";
        d.due = d.lastDone ? addMonths(*d.lastDone, r.everyMonths)
                : q.since  ? addMonths(*q.since, r.everyMonths)
                           : q.today;
      } else {
        d.rule = "trước ngày " + twoDigits(r.day) + "/" + twoDigits(r.month) + " hằng năm";
        std::vector<const ScheduleRule*> siblings;
        for (const auto& s : cat->rules())
          if (s.fixedDate() && s.activity == r.activity && applies(s)) siblings.push_back(&s);
        // This rule's own next deadline, after the period the last time done belongs to.
        Date deadline;
        if (d.lastDone) {
          deadline = deadlineAfter(nextDeadline(*d.lastDone, siblings), r);
        } else {
          const Date from = q.since ? *q.since : q.today;
          deadline = deadlineAfter(from, r);
        }
        d.due = chr::sys_days(deadline) - chr::days{1};
      }
      d.daysLeft = static_cast<int>((chr::sys_days(d.due) - chr::sys_days(q.today)).count());
      d.overdue = d.daysLeft < 0;
      out.push_back(std::move(d));
    }
  }
  std::sort(out.begin(), out.end(), [](const DueActivity& a, const DueActivity& b) {
    if (a.due != b.due) return chr::sys_days(a.due) < chr::sys_days(b.due);
    return a.activity < b.activity;
  });
  return out;
}

}  // namespace vigil::compliance
