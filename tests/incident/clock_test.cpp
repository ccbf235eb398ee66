// The legal clock on the real calendar (catalogs/calendar/vn.toml): hours through weekends,
// "5 days" as the Civil Code counts them, working days across Tết 2026, the 50/75/90 % states at
// their exact boundaries, met and late reports, and the refusals.
#include <gtest/gtest.h>

#include "incident/legal_clock.h"
#include "incident_support.h"

namespace vigil::incident {
namespace {

using testing::t;
constexpr int64_t kHour = 3600LL * 1000;

IncidentHistory start(const ProcessCatalog& p, const std::string& detected) {
  return IncidentHistory{p.id(), p.version(), t(detected), {}, {}, {}};
}

const ClockDeadline* find(const std::vector<ClockDeadline>& v, const std::string& id) {
  for (const auto& d : v)
    if (d.id == id) return &d;
  return nullptr;
}

TEST(IncidentClock, SeventyTwoHoursAcrossAWeekendAreSeventyTwoHours) {
  auto p = testing::process("B-ND331");
  ASSERT_TRUE(p);
  auto h = start(*p, "2026-03-06T18:00:00+07:00");  // a Friday evening
  auto r = legalClock(*p, h, testing::vnCalendar(), t("2026-03-07T10:00:00+07:00"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u) << "not serious, no national security: only the 72-hour report";
  const auto& d = r->front();
  EXPECT_EQ(d.id, "report_72h");
  EXPECT_EQ(d.dueAt, t("2026-03-09T18:00:00+07:00"));  // Monday, same hour
  EXPECT_EQ(d.state, DeadlineState::kOk);
  EXPECT_EQ(d.leftMs, 56 * kHour);
  EXPECT_FALSE(d.provisional);
}

TEST(IncidentClock, RegimeBFlagsAddTheTwentyFourHourAndImmediateNoticesSortedByNearest) {
  auto p = testing::process("B-ND331");
  ASSERT_TRUE(p);
  auto h = start(*p, "2026-03-06T18:00:00+07:00");
  h.flags = {"serious", "national_security"};
  auto r = legalClock(*p, h, testing::vnCalendar(), t("2026-03-06T18:30:00+07:00"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].id, "immediate_notice");
  EXPECT_TRUE((*r)[0].immediate);
  EXPECT_EQ((*r)[0].internalTargetHours, 1);
  EXPECT_EQ((*r)[0].state, DeadlineState::kWarn50);  // 30 minutes of the 1-hour internal target
  EXPECT_EQ((*r)[1].id, "serious_notice_24h");
  EXPECT_EQ((*r)[1].dueAt, t("2026-03-07T18:00:00+07:00"));
  EXPECT_EQ((*r)[2].id, "report_72h");
}

struct DaysCase {
  const char* detected;
  const char* due;
  const char* why;
};

TEST(IncidentClock, FiveDaysAreCountedAsTheCivilCodeSays) {
  auto p = testing::process("A-TT20");
  ASSERT_TRUE(p);
  const std::vector<DaysCase> cases = {
      {"2026-03-05T10:00:00+07:00", "2026-03-11T00:00:00+07:00",
       "Thursday: the day of detection is not counted, the limit ends at 24:00 on Tuesday 10/3"},
      {"2026-03-05T23:59:00+07:00", "2026-03-11T00:00:00+07:00", "the hour does not matter"},
      {"2026-03-03T09:00:00+07:00", "2026-03-10T00:00:00+07:00",
       "Tuesday: the fifth day is Sunday 8/3, the limit moves to Monday 9/3"},
      {"2026-02-12T10:00:00+07:00", "2026-02-24T00:00:00+07:00",
       "12/2: the fifth day is 17/2 in Tết, the limit moves to the first working day, Monday 23/2"},
      {"2026-03-05T01:00:00+07:00", "2026-03-11T00:00:00+07:00", "early morning local time is still 5/3"},
      {"2026-03-04T23:30:00+07:00", "2026-03-10T00:00:00+07:00",
       "UTC 16:30 on 4/3: the local day (4/3) counts, not the UTC one"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.why);
    auto h = start(*p, c.detected);
    auto r = legalClock(*p, h, testing::vnCalendar(), h.detectedAt);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto* d = find(*r, "notification");
    ASSERT_TRUE(d);
    EXPECT_EQ(formatRfc3339(d->dueAt), formatRfc3339(t(c.due)));
  }
}

TEST(IncidentClock, WorkingDaysAcrossTetComeFromTheCalendarFile) {
  // A process whose step has a working-day limit (the shipped processes have none: the law sets
  // no step limit), to check the counting on the real calendar.
  const std::string text = R"([process]
id = "T"
version = 1
regime = "A_ND85_TT12"
name = "t"
effective = 2020-01-01
source = { document = "x", article = "1" }
[[role]]
id = "operator"
name = "o"
[[phase]]
id = 1
name = "p"
source = { document = "x", article = "1" }
[[step]]
id = "a"
name = "a"
phase = 1
start = true
lead = "operator"
next = ["b"]
deadline = { label = "five working days", unit = "working_days", amount = 5, source = { document = "x", article = "9" } }
source = { document = "x", article = "2" }
[[step]]
id = "b"
name = "b"
phase = 1
final = true
lead = "operator"
source = { document = "x", article = "3" }
)";
  auto p = ProcessCatalog::parse(text, "t.toml", testing::regimes());
  ASSERT_TRUE(p.ok()) << p.error().message;
  IncidentHistory h{"T", 1, t("2026-02-13T09:00:00+07:00"), {}, {}, {}};  // Friday before Tết
  h.steps.push_back({"a", t("2026-02-13T09:00:00+07:00"), {}});
  auto r = legalClock(*p, h, testing::vnCalendar(), t("2026-02-20T09:00:00+07:00"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const auto& d = r->front();
  EXPECT_EQ(d.id, "step:a");
  // 16-20/2 are the Tết holidays: the five working days are 23-27/2, ending at 24:00 on 27/2.
  EXPECT_EQ(formatRfc3339(d.dueAt), formatRfc3339(t("2026-02-28T00:00:00+07:00")));
  EXPECT_FALSE(d.provisional);
  // Leaving the step meets a limit without met_by.
  h.steps.push_back({"b", t("2026-02-26T10:00:00+07:00"), {}});
  auto met = legalClock(*p, h, testing::vnCalendar(), t("2026-03-20T09:00:00+07:00"));
  ASSERT_TRUE(met.ok());
  EXPECT_EQ(met->front().state, DeadlineState::kMet);
  // In 2027 the yearly notice is not loaded: the limit is provisional and says why.
  IncidentHistory later{"T", 1, t("2027-02-01T09:00:00+07:00"), {}, {}, {}};
  later.steps.push_back({"a", t("2027-02-01T09:00:00+07:00"), {}});
  auto prov = legalClock(*p, later, testing::vnCalendar(), t("2027-02-02T09:00:00+07:00"));
  ASSERT_TRUE(prov.ok());
  EXPECT_TRUE(prov->front().provisional);
  EXPECT_NE(prov->front().calendarNote.find("not confirmed"), std::string::npos) << prov->front().calendarNote;
}

TEST(IncidentClock, ThresholdStatesAtTheirExactBoundaries) {
  auto p = testing::process("B-ND331");
  ASSERT_TRUE(p);
  auto h = start(*p, "2026-03-06T18:00:00+07:00");
  const TimeMs s = h.detectedAt;
  struct At {
    TimeMs now;
    DeadlineState state;
  };
  const std::vector<At> cases = {
      {s, DeadlineState::kOk},
      {s + 36 * kHour - 1, DeadlineState::kOk},
      {s + 36 * kHour, DeadlineState::kWarn50},
      {s + 54 * kHour - 1, DeadlineState::kWarn50},
      {s + 54 * kHour, DeadlineState::kWarn75},
      {s + 64 * kHour + 48 * 60 * 1000 - 1, DeadlineState::kWarn75},
      {s + 64 * kHour + 48 * 60 * 1000, DeadlineState::kWarn90},
      {s + 72 * kHour, DeadlineState::kWarn90},
      {s + 72 * kHour + 1, DeadlineState::kBreached},
  };
  for (const auto& c : cases) {
    auto r = legalClock(*p, h, testing::vnCalendar(), c.now);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(deadlineStateName(r->front().state), deadlineStateName(c.state)) << formatRfc3339(c.now);
    EXPECT_EQ(r->front().leftMs, s + 72 * kHour - c.now);
  }
}

TEST(IncidentClock, RecordedReportsMeetTheirDeadlinesOrAreLate) {
  auto p = testing::process("A-TT20");
  ASSERT_TRUE(p);
  auto h = start(*p, "2026-03-02T08:00:00+07:00");
  const TimeMs at = t("2026-03-02T08:10:00+07:00");
  h.steps = {{"receive_verify", at, {{"incident_record", at}, {"initial_evidence", at}}},
             {"first_response", at, {{"first_actions", at}}},
             {"choose_plan", at, {{"chosen_plan", at}}},
             {"report", at, {{"form03", t("2026-03-02T11:00:00+07:00")}}}};
  h.events = {{"capacity_exceeded", t("2026-03-02T08:30:00+07:00")}};
  auto r = legalClock(*p, h, testing::vnCalendar(), t("2026-03-08T09:00:00+07:00"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  // The notification is still due (open, first); Form 03 came 2.5 h after the 2-hour target.
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, "notification");
  EXPECT_EQ((*r)[0].state, DeadlineState::kWarn75);
  EXPECT_EQ((*r)[1].id, "initial_report");
  EXPECT_EQ((*r)[1].state, DeadlineState::kMetLate);
  EXPECT_EQ((*r)[1].leftMs, -30 * 60 * 1000);
  // Form 04 is due 5 days after the response ended, only when the capacity was exceeded.
  h.events.push_back({"response_ended", t("2026-03-06T16:00:00+07:00")});
  auto end = legalClock(*p, h, testing::vnCalendar(), t("2026-03-08T09:00:00+07:00"));
  ASSERT_TRUE(end.ok());
  const auto* form04 = find(*end, "end_report");
  ASSERT_TRUE(form04);
  EXPECT_EQ(formatRfc3339(form04->dueAt), formatRfc3339(t("2026-03-12T00:00:00+07:00")));
  h.events.erase(h.events.begin());
  auto noCapacity = legalClock(*p, h, testing::vnCalendar(), t("2026-03-08T09:00:00+07:00"));
  ASSERT_TRUE(noCapacity.ok());
  EXPECT_FALSE(find(*noCapacity, "end_report"));
  EXPECT_FALSE(find(*noCapacity, "initial_report"));
}

TEST(IncidentClock, BadInputIsRefused) {
  auto p = testing::process("A-TT20");
  ASSERT_TRUE(p);
  auto h = start(*p, "2026-03-02T08:00:00+07:00");
  auto before = legalClock(*p, h, testing::vnCalendar(), t("2026-03-02T07:00:00+07:00"));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().field, "now");
  h.events = {{"resolved", t("2026-03-02T09:00:00+07:00")}};
  auto unknown = legalClock(*p, h, testing::vnCalendar(), t("2026-03-03T07:00:00+07:00"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown event 'resolved'"), std::string::npos);
  h.events = {{"capacity_exceeded", t("2026-03-01T09:00:00+07:00")}};
  auto early = legalClock(*p, h, testing::vnCalendar(), t("2026-03-03T07:00:00+07:00"));
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find("before the detection time"), std::string::npos);
  h.events.clear();
  h.processVersion = 9;
  auto version = legalClock(*p, h, testing::vnCalendar(), t("2026-03-03T07:00:00+07:00"));
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.error().message.find("runs under A-TT20@v9, not A-TT20@v1"), std::string::npos);
}

}  // namespace
}  // namespace vigil::incident
