// ScheduleCatalog: the recurring duties of a system or an organisation as data
// (catalogs/schedules/*.toml, format in the README there): legal cycles ("every 12 months",
// Decree 85 Art. 20.2.c) and fixed yearly dates ("before 10/06", a provincial plan), each with its
// source. A file belongs to one regime, or to every regime when it names none (a provincial
// plan). Loading is strict like the other catalogs: "file:line: row: what".
//
// dueActivities() is the pure part: given the catalogs, a system's regime and level (or the
// organisation), the day each activity was last done and today, it returns per rule the next
// due day and whether it is overdue. Immutable after loading; everything here is thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/legal_source.h"
#include "compliance/regime_catalog.h"
#include "core/result.h"

namespace vigil::compliance {

using Date = std::chrono::year_month_day;

struct ScheduleActivity {
  std::string id;     // "assessment", "vulnerability_scan", ...
  std::string label;  // Vietnamese
  int line = 0;
};

// Who a rule is about: one information system (by its level) or the whole organisation.
enum class ScheduleScope { kSystem, kOrganisation };

struct ScheduleRule {
  std::string activity;
  ScheduleScope scope = ScheduleScope::kSystem;
  std::vector<int> levels;    // kSystem: the levels it applies to
  bool criticalOnly = false;  // only systems on the critical list
  // Exactly one of: a cycle, or a yearly fixed date.
  int everyMonths = 0;     // > 0: due `everyMonths` after the last time
  int month = 0, day = 0;  // > 0: due before this day every year (the day itself is late)
  Source source;
  bool verified = true;
  std::string note;
  int line = 0;
  bool fixedDate() const { return everyMonths == 0; }
};

class ScheduleCatalog {
 public:
  static Result<ScheduleCatalog> load(const std::string& path,
                                      const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes);
  static Result<ScheduleCatalog> parse(std::string_view text, const std::string& origin,
                                       const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes);

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& regime() const { return regime_; }  // empty: applies under every regime
  const std::string& origin() const { return origin_; }
  const std::vector<ScheduleActivity>& activities() const { return activities_; }
  const std::vector<ScheduleRule>& rules() const { return rules_; }
  const ScheduleActivity* activity(std::string_view id) const;

 private:
  std::string origin_;
  std::string id_;
  std::string name_;
  std::string regime_;
  std::vector<ScheduleActivity> activities_;
  std::vector<ScheduleRule> rules_;
};

// Loads every *.toml of `dir` (sorted by name); the first bad file refuses the set; two files
// with the same id are refused too.
Result<std::vector<std::shared_ptr<const ScheduleCatalog>>> loadScheduleDirectory(
    const std::string& dir, const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes);

struct ScheduleQuery {
  std::string regime;                    // the system's (or organisation's) regime id
  std::optional<int> level;              // the system's level; nullopt: the organisation as a whole
  bool critical = false;                 // the system is on the critical list
  std::map<std::string, Date> lastDone;  // activity id -> the day it was last done
  // When the duty started (go-live, approval, or the day the plan took effect): an activity never
  // done is counted from here. Unset: an activity never done is due today.
  std::optional<Date> since;
  Date today;
};

struct DueActivity {
  std::string schedule;  // the catalog id
  std::string activity;
  std::string label;
  std::string rule;  // "12 tháng một lần" / "trước ngày 10/06 hằng năm"
  Source source;
  bool verified = true;
  std::optional<Date> lastDone;
  Date due;              // the last day on which doing it is on time
  bool overdue = false;  // today is after `due`
  int daysLeft = 0;      // due - today (negative when overdue)
};

// Every rule of `catalogs` that applies to the query (regime, scope, level, critical), one entry
// per rule, sorted by due date then activity. Cycles: due = last done + N months (the month's last
// day when the day does not exist), or since + N months, or today when never done and no `since`.
// Fixed dates: the yearly deadlines cut the calendar into periods; the last time done satisfies
// the first deadline after it, so the next due is the deadline after that one (or the first
// deadline after `since`, or the first deadline after today when nothing is known); due is the
// day before the deadline. A query with a level outside 1..9 or an unknown activity in lastDone
// is refused (kValidation naming the field).
Result<std::vector<DueActivity>> dueActivities(const std::vector<std::shared_ptr<const ScheduleCatalog>>& catalogs,
                                               const ScheduleQuery& query);

// N months after d; the month's last day when d's day does not exist there (31/8 + 6 = 28 or 29/2).
Date addMonths(Date d, int months);
std::string formatDate(Date d);  // "2026-06-09"

}  // namespace vigil::compliance
