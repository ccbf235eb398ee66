// The working-day calendar on the real data file, case by case: each case is a legal time limit
// with its start, its length and the day it must end, across Tết, days in lieu, swapped weekdays
// and make-up Saturdays. Then the data file's validation.
#include "calendar/working_calendar.h"

#include <gtest/gtest.h>

namespace vigil::calendar {
namespace {

const WorkingCalendar& vn() {
  static const WorkingCalendar cal = [] {
    auto c = WorkingCalendar::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/calendar/vn.toml");
    if (!c.ok()) throw std::runtime_error(c.error().message);
    return std::move(c).value();
  }();
  return cal;
}

Date date(const char* s) { return *parseDate(s); }

struct Case {
  const char* rule;
  const char* start;
  int length;
  bool workingDays;
  const char* due;
  bool provisional;
};

class DeadlineCase : public ::testing::TestWithParam<Case> {};

TEST_P(DeadlineCase, EndsOnTheExpectedDay) {
  const Case& c = GetParam();
  const Deadline d =
      c.workingDays ? vn().afterWorkingDays(date(c.start), c.length) : vn().afterCalendarDays(date(c.start), c.length);
  EXPECT_EQ(formatDate(d.dueDate), c.due) << c.rule;
  EXPECT_EQ(d.provisional, c.provisional) << c.rule << ": " << d.note;
}

INSTANTIATE_TEST_SUITE_P(
    VietnameseCalendar, DeadlineCase,
    ::testing::Values(
        // NĐ 85/2016 Art. 17.2: approval within 7 working days; Tết Bính Ngọ (16-20/2/2026) is skipped.
        Case{"approval across Tet 2026", "2026-02-12", 7, true, "2026-03-02", false},
        // NĐ 331/2026 Art. 23.2: 5 working days; Saturday 10/1/2026 is a make-up working day.
        Case{"incomplete dossier reply over a make-up Saturday", "2026-01-09", 5, true, "2026-01-15", false},
        // Art. 111(3): Hùng Kings' day on Sunday 26/4/2026 is given back on Monday 27/4.
        Case{"working days over the Hung Kings day in lieu", "2026-04-23", 3, true, "2026-04-29", false},
        // New Year 2026: 1/1 holiday, 2/1 swapped off.
        Case{"working days over New Year 2026", "2025-12-31", 1, true, "2026-01-05", false},
        // National Day 2026: 31/8 swapped off, 1-2/9 holidays, Saturday 22/8 worked.
        Case{"working days over National Day 2026", "2026-08-21", 2, true, "2026-08-24", false},
        Case{"working days over National Day 2026 (2)", "2026-08-28", 1, true, "2026-09-03", false},
        // TT 20/2017 Art. 9.2.a: 5 days from detection; the 5th day is in Tết, so the limit
        // moves to the next working day (Civil Code Art. 148(5)).
        Case{"incident notice ending in Tet", "2026-02-11", 5, false, "2026-02-23", false},
        // NĐ 85/2016 Art. 16.2: 15 days ending on an ordinary Friday.
        Case{"appraisal 15 days", "2026-10-01", 15, false, "2026-10-16", false},
        Case{"calendar days ending on a Saturday", "2026-09-14", 5, false, "2026-09-21", false},
        // 2027 has no notice yet: the result is provisional.
        Case{"approval in 2027", "2027-01-29", 7, true, "2027-02-10", true},
        // 23/11 and 28/11/2026 are only a reported proposal: provisional.
        Case{"working days over the unconfirmed November 2026 swap", "2026-11-20", 5, true, "2026-11-30", true},
        // Ordinary weeks: no holiday, nothing provisional.
        Case{"ordinary week", "2026-10-05", 5, true, "2026-10-12", false}));

TEST(WorkingCalendar, DaysCarryTheirKindAndLegalBasis) {
  const DayInfo lieu = vn().day(date("2026-04-27"));
  EXPECT_EQ(lieu.kind, DayKind::kCompensatory);
  EXPECT_NE(lieu.basis.find("111(3)"), std::string::npos);
  EXPECT_FALSE(lieu.working());
  EXPECT_EQ(vn().day(date("2026-02-17")).kind, DayKind::kHoliday);
  EXPECT_EQ(vn().day(date("2026-01-10")).kind, DayKind::kMakeupWorkday);
  EXPECT_TRUE(vn().isWorkingDay(date("2026-01-10")));
  EXPECT_EQ(vn().day(date("2026-11-24")).name, "Ngày Văn hóa Việt Nam");
  EXPECT_EQ(vn().day(date("2026-11-21")).kind, DayKind::kWeeklyRest);
  EXPECT_TRUE(vn().day(date("2031-03-03")).provisional) << "a year with no data at all";
  EXPECT_TRUE(vn().isWorkingDay(date("2031-03-03")));
}

TEST(WorkingCalendar, HoursRunThroughHolidaysAndDaysEndAtLocalMidnight) {
  // 10:00 on 16/2/2026 (Tết) in Viet Nam is 03:00 UTC; 72 hours later is 10:00 on 19/2.
  const TimeMs detected = *parseRfc3339("2026-02-16T10:00:00+07:00");
  const Deadline d = vn().afterHours(detected, 72);
  EXPECT_EQ(formatRfc3339(d.dueAt), "2026-02-19T03:00:00Z");
  EXPECT_EQ(formatDate(d.dueDate), "2026-02-19");
  EXPECT_FALSE(d.provisional);
  // A day limit ends at 24:00 local time, which is 17:00 UTC.
  EXPECT_EQ(formatRfc3339(vn().afterWorkingDays(date("2026-02-12"), 7).dueAt), "2026-03-02T17:00:00Z");
  EXPECT_EQ(formatDate(vn().localDate(*parseRfc3339("2026-02-16T23:30:00+07:00"))), "2026-02-16");
  EXPECT_EQ(formatDate(vn().localDate(*parseRfc3339("2026-02-16T17:30:00Z"))), "2026-02-17");
}

TEST(WorkingCalendar, MovedDeadlinesSayWhy) {
  const Deadline d = vn().afterCalendarDays(date("2026-02-11"), 5);
  EXPECT_NE(d.note.find("2026-02-16"), std::string::npos) << d.note;
  EXPECT_NE(d.note.find("148(5)"), std::string::npos) << d.note;
}

std::string header() {
  return "[calendar]\nutc_offset_minutes = 420\n[[year]]\nyear = 2026\npublished = true\nnotice = \"x\"\n";
}

TEST(WorkingCalendar, BadDataIsRefusedWithTheRowAndTheReason) {
  struct Bad {
    std::string text;
    const char* expect;
  } cases[] = {
      {header() + "[[day]]\ndate = 2026-02-17\nkind = \"feast\"\nname = \"x\"\nbasis = \"y\"\nstatus = \"verified\"\n",
       "kind must be"},
      {header() + "[[day]]\ndate = 2026-02-17\nkind = \"holiday\"\nname = \"x\"\nstatus = \"verified\"\n", "basis"},
      {header() + "[[day]]\ndate = 2026-02-18\nkind = \"makeup_workday\"\nname = \"x\"\nbasis = \"y\"\n"
                  "status = \"verified\"\n",
       "Saturday or Sunday"},
      {header() + "[[day]]\ndate = 2026-02-21\nkind = \"compensatory\"\nname = \"x\"\nbasis = \"y\"\n"
                  "status = \"verified\"\n",
       "weekday"},
      {header() +
           "[[day]]\ndate = 2027-02-17\nkind = \"holiday\"\nname = \"x\"\nbasis = \"y\"\nstatus = \"verified\"\n",
       "no [[year]] row"},
      {header() +
           "[[day]]\ndate = 2026-02-17\nkind = \"holiday\"\nname = \"x\"\nbasis = \"y\"\nstatus = \"verified\"\n"
           "[[day]]\ndate = 2026-02-17\nkind = \"holiday\"\nname = \"x\"\nbasis = \"y\"\nstatus = \"verified\"\n",
       "listed twice"},
      {header() + "[[day]]\ndate = \"17/02/2026\"\nkind = \"holiday\"\nname = \"x\"\nbasis = \"y\"\n", "date"},
      {header() + "[[day]]\ndate = 2026-02-17\nkind = \"holiday\"\nname = \"x\"\nbasis = \"y\"\nstatus = \"maybe\"\n",
       "status"},
      {"[calendar]\nutc_offset_minutes = 420\n[[year]]\nyear = 2026\npublished = true\n[[day]]\n", "notice"},
      {"[calendar\n", "vn.toml:1"},
      {"[[year]]\nyear = 2026\npublished = true\nnotice = \"x\"\n", "[calendar]"},
  };
  for (const auto& c : cases) {
    auto r = WorkingCalendar::parse(c.text, "vn.toml");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
  }
}

TEST(WorkingCalendar, ErrorsPointAtTheLineOfTheBadRow) {
  auto r = WorkingCalendar::parse(header() +
                                      "[[day]]\ndate = 2026-02-17\nkind = \"feast\"\nname = \"x\"\n"
                                      "basis = \"y\"\nstatus = \"verified\"\n",
                                  "vn.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("vn.toml:7"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace vigil::calendar

namespace vigil::calendar {
namespace {

TEST(VietnameseDay, WritesDayMonthYearAndLeavesOtherTextAlone) {
  EXPECT_EQ(vietnameseDay("2026-02-05"), "05/02/2026");
  EXPECT_EQ(vietnameseDay("2026-12-31"), "31/12/2026");
  EXPECT_EQ(vietnameseDay("2026-02-30"), "2026-02-30");  // not a day: unchanged
  EXPECT_EQ(vietnameseDay(""), "");
}

}  // namespace
}  // namespace vigil::calendar
