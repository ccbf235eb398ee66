#include "calendar/working_calendar.h"

#include <toml++/toml.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace vigil::calendar {

using namespace std::chrono;

std::string_view dayKindName(DayKind k) {
  switch (k) {
    case DayKind::kWorking: return "working";
    case DayKind::kWeeklyRest: return "weekly_rest";
    case DayKind::kHoliday: return "holiday";
    case DayKind::kCompensatory: return "compensatory";
    case DayKind::kSwapOff: return "swap_off";
    case DayKind::kMakeupWorkday: return "makeup_workday";
  }
  return "working";
}

std::optional<Date> parseDate(std::string_view s) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (s.size() != 10 || std::sscanf(std::string(s).c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return std::nullopt;
  Date date{year{y}, month{m}, day{d}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string vietnameseDay(std::string_view isoDay) {
  const auto d = parseDate(isoDay);
  if (!d) return std::string(isoDay);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(d->day()), static_cast<unsigned>(d->month()),
                static_cast<int>(d->year()));
  return buf;
}

std::string formatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

namespace {

bool isWeekend(sys_days d) {
  const weekday w{d};
  return w == Saturday || w == Sunday;
}

std::optional<DayKind> parseKind(std::string_view s) {
  for (DayKind k : {DayKind::kHoliday, DayKind::kCompensatory, DayKind::kSwapOff, DayKind::kMakeupWorkday})
    if (dayKindName(k) == s) return k;
  return std::nullopt;
}

Error rowError(const std::string& origin, const toml::node& n, const std::string& what) {
  const auto& src = n.source();
  return Error::validation(origin + ":" + std::to_string(src.begin.line), what);
}

std::string text(const toml::table& t, const char* key) {
  if (auto v = t[key].value<std::string>()) return *v;
  return {};
}

}  // namespace

Result<WorkingCalendar> WorkingCalendar::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::notFound("calendar file " + path + " cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), path);
}

Result<WorkingCalendar> WorkingCalendar::parse(std::string_view textIn, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(textIn, origin);
  } catch (const toml::parse_error& e) {
    return Error::validation(origin + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
  WorkingCalendar cal;
  const auto* header = root["calendar"].as_table();
  if (!header) return Error::validation(origin, "missing the [calendar] table");
  auto offset = (*header)["utc_offset_minutes"].value<int64_t>();
  if (!offset || *offset < -720 || *offset > 840)
    return rowError(origin, *header, "calendar.utc_offset_minutes must be minutes east of UTC (420 for Viet Nam)");
  cal.offsetMinutes_ = static_cast<int>(*offset);

  const auto* years = root["year"].as_array();
  if (!years || years->empty()) return Error::validation(origin, "no [[year]] rows");
  for (const auto& node : *years) {
    const auto* t = node.as_table();
    if (!t) return rowError(origin, node, "each [[year]] must be a table");
    auto y = (*t)["year"].value<int64_t>();
    auto published = (*t)["published"].value<bool>();
    if (!y || *y < 1990 || *y > 2200) return rowError(origin, node, "year: a year between 1990 and 2200 is required");
    if (!published) return rowError(origin, node, "published: true or false is required");
    if (*published && text(*t, "notice").empty())
      return rowError(origin, node, "notice: a published year names its notice");
    if (!cal.yearsPublished_.emplace(static_cast<int>(*y), *published).second)
      return rowError(origin, node, "year " + std::to_string(*y) + " is listed twice");
  }

  const auto* days = root["day"].as_array();
  if (!days) return Error::validation(origin, "no [[day]] rows");
  for (const auto& node : *days) {
    const auto* t = node.as_table();
    if (!t) return rowError(origin, node, "each [[day]] must be a table");
    auto date = (*t)["date"].value<toml::date>();
    if (!date) return rowError(origin, node, "date: a date like 2026-02-17 is required");
    const Date d{std::chrono::year{date->year}, std::chrono::month{date->month}, std::chrono::day{date->day}};
    if (!d.ok()) return rowError(origin, node, "date: not a calendar date");
    const std::string where = "day " + formatDate(d) + ": ";
    auto kind = parseKind(text(*t, "kind"));
    if (!kind) return rowError(origin, node, where + "kind must be holiday, compensatory, swap_off or makeup_workday");
    Row row{*kind, text(*t, "name"), text(*t, "basis"), true};
    if (row.name.empty()) return rowError(origin, node, where + "name is required");
    if (row.basis.empty()) return rowError(origin, node, where + "basis (the legal source) is required");
    const std::string status = text(*t, "status");
    if (status != "verified" && status != "computed" && status != "unconfirmed")
      return rowError(origin, node, where + "status must be verified, computed or unconfirmed");
    row.confirmed = status != "unconfirmed";
    const sys_days sd{d};
    if ((*kind == DayKind::kCompensatory || *kind == DayKind::kSwapOff) && isWeekend(sd))
      return rowError(origin, node, where + "a day off in lieu or by swap must be a weekday");
    if (*kind == DayKind::kMakeupWorkday && !isWeekend(sd))
      return rowError(origin, node, where + "a make-up working day must be a Saturday or Sunday");
    if (!cal.yearsPublished_.count(static_cast<int>(d.year())))
      return rowError(origin, node, where + "its year has no [[year]] row");
    if (!cal.days_.emplace(sd, std::move(row)).second) return rowError(origin, node, where + "listed twice");
  }
  return cal;
}

bool WorkingCalendar::yearProvisional(int y) const {
  auto it = yearsPublished_.find(y);
  return it == yearsPublished_.end() || !it->second;
}

DayInfo WorkingCalendar::day(Date d) const {
  const sys_days sd{d};
  DayInfo info;
  info.provisional = yearProvisional(static_cast<int>(d.year()));
  auto it = days_.find(sd);
  if (it != days_.end()) {
    const Row& r = it->second;
    info.name = r.name;
    info.basis = r.basis;
    if (!r.confirmed) {
      // A reported proposal: the day stays what the rules make it, but nothing is certain.
      info.provisional = true;
    } else {
      info.kind = r.kind;
      return info;
    }
  }
  info.kind = isWeekend(sd) ? DayKind::kWeeklyRest : DayKind::kWorking;
  return info;
}

Date WorkingCalendar::localDate(TimeMs t) const {
  const auto local = sys_seconds{seconds{(t >= 0 ? t : t - 999) / 1000 + offsetMinutes_ * 60}};
  return Date{floor<days>(local)};
}

TimeMs WorkingCalendar::endOfDay(Date d) const {
  const auto next = sys_days{d} + days{1};
  return (duration_cast<seconds>(next.time_since_epoch()).count() - offsetMinutes_ * 60) * 1000;
}

namespace {
void noteProvisional(Deadline& out, const DayInfo& info, Date d) {
  if (!info.provisional) return;
  if (!out.provisional) out.note = "depends on " + formatDate(d) + ", whose calendar is not confirmed yet";
  out.provisional = true;
}
}  // namespace

Deadline WorkingCalendar::afterCalendarDays(Date event, int n) const {
  Deadline out;
  sys_days d = sys_days{event} + days{n};
  DayInfo info = day(Date{d});
  noteProvisional(out, info, Date{d});
  const sys_days nominal = d;
  while (!info.working()) {
    d += days{1};
    info = day(Date{d});
    noteProvisional(out, info, Date{d});
  }
  out.dueDate = Date{d};
  out.dueAt = endOfDay(out.dueDate);
  if (d != nominal && !out.provisional)
    out.note = formatDate(Date{nominal}) +
               " is not a working day; the limit moves to the next working day "
               "(Civil Code Art. 148(5))";
  return out;
}

Deadline WorkingCalendar::afterWorkingDays(Date received, int n) const {
  Deadline out;
  sys_days d{received};
  int counted = 0;
  while (counted < n) {
    d += days{1};
    const DayInfo info = day(Date{d});
    noteProvisional(out, info, Date{d});
    if (info.working()) ++counted;
  }
  out.dueDate = Date{d};
  out.dueAt = endOfDay(out.dueDate);
  return out;
}

Deadline WorkingCalendar::afterHours(TimeMs from, int hours) const {
  Deadline out;
  out.dueAt = from + static_cast<int64_t>(hours) * 3600 * 1000;
  out.dueDate = localDate(out.dueAt - 1);
  return out;
}

}  // namespace vigil::calendar
