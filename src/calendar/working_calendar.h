// WorkingCalendar: which days Vietnamese state bodies work, and when a legal time limit ends.
// The days come from a data file (catalogs/calendar/vn.toml): holidays, days in lieu, swapped
// weekdays and make-up Saturdays, each with its legal basis, and per year whether the official
// notice is in. Counting follows the Civil Code (91/2015, Art. 147-148): hours run through
// everything; for days the day of the event is not counted, a limit ends at 24:00 of its last
// day, and a last day that is a rest day or holiday moves to the next working day. A deadline
// that depends on a year without its notice, or on an unconfirmed row, is marked provisional.
// Immutable after loading; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::calendar {

using Date = std::chrono::year_month_day;

enum class DayKind {
  kWorking,        // an ordinary Monday-Friday
  kWeeklyRest,     // Saturday or Sunday
  kHoliday,        // public holiday
  kCompensatory,   // weekday off in lieu of a holiday on a weekend
  kSwapOff,        // weekday off by the yearly notice
  kMakeupWorkday,  // Saturday worked by the yearly notice
};
std::string_view dayKindName(DayKind k);

struct DayInfo {
  DayKind kind = DayKind::kWorking;
  std::string name;          // e.g. "Tết Nguyên đán Bính Ngọ"; empty for ordinary days
  std::string basis;         // the legal basis or notice
  bool provisional = false;  // the year's notice is not loaded, or the row is unconfirmed
  bool working() const { return kind == DayKind::kWorking || kind == DayKind::kMakeupWorkday; }
};

struct Deadline {
  Date dueDate;      // the last day (local)
  TimeMs dueAt = 0;  // the end of the limit, as an instant
  bool provisional = false;
  std::string note;  // why it is provisional, or which days moved it
};

class WorkingCalendar {
 public:
  // Reads and validates a calendar file. Errors name the file, the row and the field.
  static Result<WorkingCalendar> load(const std::string& path);
  static Result<WorkingCalendar> parse(std::string_view text, const std::string& origin);

  DayInfo day(Date d) const;
  bool isWorkingDay(Date d) const { return day(d).working(); }

  // "N ngày kể từ <event>": calendar days.
  Deadline afterCalendarDays(Date event, int days) const;
  // "N ngày làm việc kể từ ngày nhận": working days; the day of receipt is not counted.
  Deadline afterWorkingDays(Date received, int days) const;
  // "N giờ kể từ <moment>": runs through nights, weekends and holidays.
  Deadline afterHours(TimeMs from, int hours) const;

  // The local calendar date of an instant, and the instant a local day ends (24:00).
  Date localDate(TimeMs t) const;
  TimeMs endOfDay(Date d) const;
  int utcOffsetMinutes() const { return offsetMinutes_; }

 private:
  struct Row {
    DayKind kind;
    std::string name;
    std::string basis;
    bool confirmed;
  };
  bool yearProvisional(int year) const;

  int offsetMinutes_ = 420;
  std::map<std::chrono::sys_days, Row> days_;
  std::map<int, bool> yearsPublished_;
};

// "2026-02-17" -> Date; nullopt when malformed.
std::optional<Date> parseDate(std::string_view s);
std::string formatDate(Date d);  // "2026-02-17"
// "2026-02-17" -> "17/02/2026", the way Vietnamese documents and users write a day; other text as is.
std::string vietnameseDay(std::string_view isoDay);

}  // namespace vigil::calendar
