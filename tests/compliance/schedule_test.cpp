// Schedules: every file in catalogs/schedules/ loads; broken files are refused with
// "file:line: row: what"; the due dates of cases/schedules.toml (legal cycles and the provincial
// plan's dates, across year ends and short months).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>

#include "compliance/schedule_catalog.h"
#include "compliance_support.h"

namespace vigil::compliance {
namespace {

using testing::lineOf;
using testing::readFile;
using testing::regimes;
using testing::schedulePath;

Date toDate(const toml::date& d) {
  return Date{std::chrono::year{d.year}, std::chrono::month{d.month}, std::chrono::day{d.day}};
}

std::vector<std::shared_ptr<const ScheduleCatalog>> schedules() {
  auto all = loadScheduleDirectory(VIGIL_SCHEDULES_DIR, regimes());
  EXPECT_TRUE(all.ok()) << all.error().message;
  return all.ok() ? *all : std::vector<std::shared_ptr<const ScheduleCatalog>>{};
}

TEST(Schedules, EveryFileInTheFolderLoadsAndEveryRuleHasASource) {
  const auto all = schedules();
  ASSERT_EQ(all.size(), 3u);
  bool province = false;
  for (const auto& cat : all) {
    SCOPED_TRACE(cat->origin());
    ASSERT_FALSE(cat->rules().empty());
    for (const auto& r : cat->rules()) {
      EXPECT_FALSE(r.source.document.empty()) << r.activity << " line " << r.line;
      EXPECT_FALSE(r.source.article.empty()) << r.activity << " line " << r.line;
      if (!r.verified) {
        EXPECT_FALSE(r.note.empty()) << r.activity << " line " << r.line;
      }
    }
    if (cat->regime().empty()) {
      province = true;
      EXPECT_EQ(cat->rules().size(), 2u);
      EXPECT_NE(cat->rules().front().source.document.find("5479/KH-UBND"), std::string::npos);
    }
  }
  EXPECT_TRUE(province) << "the provincial plan's file applies under every regime";
}

struct ScheduleMutation {
  const char* file;
  testing::Mutation mutation;
};

TEST(Schedules, BrokenCatalogsAreRefusedWithFileLineAndWhat) {
  const std::string unverified =
      "levels = [5]\nevery_months = 3\nsource = { document = \"TCVN 14423:2026\", article = \"mục chưa xác định\" }"
      "\nverified = false";
  const std::vector<ScheduleMutation> cases = {
      {"khanh-hoa-2026.toml",
       {"a day that is not in every year", "before = \"10/06\"", "before = \"31/02\"", "before = \"31/02\"",
        "rule provincial_check: before must be a day of the year as dd/mm"}},
      {"khanh-hoa-2026.toml",
       {"a date in words", "before = \"05/12\"", "before = \"5 December\"", "before = \"5 December\"",
        "rule provincial_check: before must be a day of the year"}},
      {"regime-a.toml",
       {"unknown regime", "regime = \"A_ND85_TT12\"", "regime = \"C\"", "regime = \"C\"",
        "schedule: unknown regime 'C'"}},
      {"regime-a.toml",
       {"unknown activity", "activity = \"live_drill\"\nlevels", "activity = \"live_fire\"\nlevels",
        "activity = \"live_fire\"", "rule live_fire: unknown activity 'live_fire'"}},
      {"regime-a.toml",
       {"cycle and fixed date", "levels = [5]\nevery_months = 6", "levels = [5]\nevery_months = 6\nbefore = \"01/10\"",
        "[[rule]]\nactivity = \"assessment\"\nlevels = [5]",
        "rule assessment: a rule has either every_months or before"}},
      {"regime-a.toml",
       {"zero months", "levels = [3, 4]\nevery_months = 12", "levels = [3, 4]\nevery_months = 0", "every_months = 0",
        "rule assessment: every_months must be 1..120"}},
      {"regime-a.toml",
       {"unknown level", "levels = [3, 4]\nevery_months = 12", "levels = [3, 6]\nevery_months = 12", "levels = [3, 6]",
        "rule assessment: unknown level (levels run from 1 to 5)"}},
      {"regime-a.toml",
       {"missing source",
        "every_months = 24\nsource = { document = \"Nghị định 85/2016/NĐ-CP\", article = \"20\", clause = \"2.c\" }",
        "every_months = 24", "[[rule]]\nactivity = \"assessment\"\nscope", "rule assessment: missing source"}},
      {"regime-b.toml",
       {"unverified without note",
        unverified + "\nnote = \"[U] Third-party paraphrase of TCVN 14423:2026 (regulation.md §2.8). Critical assets "
                     "monthly.\"",
        unverified, "[[rule]]\nactivity = \"vulnerability_scan\"\nlevels = [5]",
        "rule vulnerability_scan: an unverified rule needs a note"}},
      {"regime-a.toml",
       {"unknown scope", "scope = \"organisation\"", "scope = \"agency\"", "scope = \"agency\"",
        "rule assessment: unknown scope 'agency'"}},
  };
  for (const auto& c : cases)
    testing::expectRefused(readFile(schedulePath(c.file)), "broken.toml", c.mutation, [](const std::string& text) {
      return ScheduleCatalog::parse(text, "broken.toml", regimes());
    });
}

TEST(Schedules, AddMonthsClampsToTheEndOfTheMonth) {
  using namespace std::chrono;
  EXPECT_EQ(addMonths(2026y / August / 31d, 6), 2027y / February / 28d);
  EXPECT_EQ(addMonths(2027y / August / 31d, 6), 2028y / February / 29d);
  EXPECT_EQ(addMonths(2026y / December / 15d, 12), 2027y / December / 15d);
  EXPECT_EQ(addMonths(2026y / March / 31d, 1), 2026y / April / 30d);
  EXPECT_EQ(formatDate(2026y / June / 9d), "2026-06-09");
}

TEST(Schedules, BadQueriesAreRefused) {
  const auto all = schedules();
  using namespace std::chrono;
  ScheduleQuery q;
  q.regime = "A_ND85_TT12";
  q.level = 3;
  q.today = 2026y / November / 24d;
  q.lastDone["assesment"] = 2026y / January / 1d;
  auto r1 = dueActivities(all, q);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().field, "last_done.assesment");
  q.lastDone.clear();
  q.lastDone["assessment"] = 2027y / January / 1d;
  auto r2 = dueActivities(all, q);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("is after today"), std::string::npos);
  q.lastDone.clear();
  q.level = 0;
  EXPECT_FALSE(dueActivities(all, q).ok());
}

// cases/schedules.toml
TEST(Schedules, DueDatesAndOverdueFlagsOfTheCases) {
  const auto all = schedules();
  ASSERT_FALSE(all.empty());
  const std::string path = "cases/schedules.toml";
  const toml::table root = testing::caseFile("schedules.toml");
  const auto* cases = root["case"].as_array();
  ASSERT_TRUE(cases && !cases->empty());
  for (const auto& node : *cases) {
    const auto& t = *node.as_table();
    SCOPED_TRACE(path + ":" + std::to_string(node.source().begin.line) + " " + t["name"].value_or(std::string()));
    ScheduleQuery q;
    q.regime = t["regime"].value_or(std::string());
    if (auto lv = t["level"].value<int64_t>()) q.level = static_cast<int>(*lv);
    q.critical = t["critical"].value_or(false);
    q.today = toDate(*t["today"].value<toml::date>());
    if (auto s = t["since"].value<toml::date>()) q.since = toDate(*s);
    if (const auto* last = t["last_done"].as_table())
      for (const auto& [k, v] : *last) q.lastDone[std::string(k.str())] = toDate(*v.value<toml::date>());
    auto r = dueActivities(all, q);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(static_cast<int64_t>(r->size()), t["count"].value_or(int64_t{-1}));
    for (size_t i = 1; i < r->size(); ++i)
      EXPECT_LE(std::chrono::sys_days((*r)[i - 1].due), std::chrono::sys_days((*r)[i].due)) << "sorted by due date";
    for (const auto& e : *t["expect"].as_array()) {
      const auto& et = *e.as_table();
      const std::string activity = et["activity"].value_or(std::string());
      const Date due = toDate(*et["due"].value<toml::date>());
      const bool overdue = et["overdue"].value_or(false);
      const DueActivity* found = nullptr;
      for (const auto& d : *r)
        if (d.activity == activity && d.due == due) found = &d;
      ASSERT_NE(found, nullptr) << activity << " due " << formatDate(due) << " not among the results";
      EXPECT_EQ(found->overdue, overdue) << activity << " due " << formatDate(due);
      EXPECT_EQ(found->daysLeft,
                static_cast<int>((std::chrono::sys_days(due) - std::chrono::sys_days(q.today)).count()));
      EXPECT_FALSE(found->source.document.empty());
    }
  }
}

}  // namespace
}  // namespace vigil::compliance
