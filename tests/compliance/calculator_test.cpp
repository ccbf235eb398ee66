// LevelCalculator: threshold crossings, components raising the parent, critical systems,
// reasoning, deadlines, impossible answers, and concurrent use.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <thread>

#include "compliance_support.h"

namespace vigil::compliance {
namespace {

using testing::outcome;
using testing::regime;

LevelCalculator calcA() { return LevelCalculator(regime("regime-a.toml")); }
LevelCalculator calcB() { return LevelCalculator(regime("regime-b.toml")); }

Facts citizenA(int64_t users) {
  Facts f;
  f.setText("system_type", "citizen_facing").setSet("information_types", {"public", "personal"});
  f.setInt("user_count", users);
  return f;
}

Facts citizenB(int64_t basic, int64_t sensitive) {
  Facts f;
  f.setText("system_type", "citizen_facing").setSet("information_types", {"personal"});
  f.setInt("personal_data_subjects_basic", basic).setInt("personal_data_subjects_sensitive", sensitive);
  return f;
}

TEST(Thresholds, RegimeAUsers9999Vs10000) {
  auto below = calcA().calculate(citizenA(9999));
  ASSERT_TRUE(below.ok()) << below.error().message;
  EXPECT_EQ(below->level, 2);
  EXPECT_TRUE(outcome(*below, "A-8.2.c")->met);
  EXPECT_FALSE(outcome(*below, "A-9.2.c")->met);
  EXPECT_NE(outcome(*below, "A-9.2.c")->explanation.find("9999 (cần ≥ 10000)"), std::string::npos)
      << outcome(*below, "A-9.2.c")->explanation;

  auto at = calcA().calculate(citizenA(10000));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->level, 3);
  EXPECT_TRUE(outcome(*at, "A-9.2.c")->met);
  EXPECT_FALSE(outcome(*at, "A-8.2.c")->met);
  EXPECT_EQ(at->approving.body, "Chủ quản hệ thống thông tin");
  EXPECT_EQ(at->approving.source.article, "12");
}

TEST(Thresholds, RegimeBBasicSubjects99999Vs100000) {
  auto below = calcB().calculate(citizenB(99999, 0));
  ASSERT_TRUE(below.ok()) << below.error().message;
  EXPECT_EQ(below->level, 2);
  EXPECT_TRUE(outcome(*below, "B-12.2.b")->met);
  EXPECT_FALSE(outcome(*below, "B-13.2.c")->met);
  auto at = calcB().calculate(citizenB(100000, 0));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->level, 3);
  EXPECT_TRUE(outcome(*at, "B-13.2.c")->met);
  EXPECT_FALSE(outcome(*at, "B-12.2.b")->met);
}

TEST(Thresholds, RegimeBSensitiveSubjects9999Vs10000) {
  auto below = calcB().calculate(citizenB(0, 9999));
  ASSERT_TRUE(below.ok());
  EXPECT_EQ(below->level, 2);
  auto at = calcB().calculate(citizenB(0, 10000));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->level, 3);
  EXPECT_TRUE(outcome(*at, "B-13.2.c")->met);
}

TEST(Thresholds, TheSameSystemDiffersBetweenRegimes) {
  // 50,000 users: level 3 under Decree 85 (>= 10,000), level 2 under Decree 331 (< 100,000).
  auto a = calcA().calculate(citizenA(50000));
  auto b = calcB().calculate(citizenB(50000, 0));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->level, 3);
  EXPECT_EQ(b->level, 2);
}

TEST(Components, HighestComponentRaisesTheParent) {
  Facts f;
  f.setText("system_type", "internal").setSet("information_types", {"public"});
  auto alone = calcA().calculate(f);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->level, 1);
  EXPECT_TRUE(alone->raisedBy.empty());

  auto raised = calcA().calculate(f, {{"Cổng dịch vụ công", 3}, {"Mạng LAN", 2}});
  ASSERT_TRUE(raised.ok());
  EXPECT_EQ(raised->criteriaLevel, 1);
  EXPECT_EQ(raised->level, 3);
  EXPECT_EQ(raised->raisedBy, "Cổng dịch vụ công");
  EXPECT_EQ(raised->componentRule.cite(), "Nghị định 85/2016/NĐ-CP, Điều 5 khoản 2");
  EXPECT_TRUE(raised->componentRuleNote.empty());
  EXPECT_EQ(raised->approving.body, "Chủ quản hệ thống thông tin");  // level 3 authority

  auto b = calcB().calculate(f, {{"Cơ sở dữ liệu", 4}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->level, 4);
  EXPECT_EQ(b->componentRule.cite(), "Nghị định 331/2026/NĐ-CP, Điều 8 khoản 2");
  EXPECT_NE(b->componentRuleNote.find("suy luận"), std::string::npos);  // no explicit clause in Decree 331
  EXPECT_NE(b->appraising.body.find("Bộ Công an"), std::string::npos);
}

TEST(Components, LowerComponentsDoNotLowerTheParent) {
  auto r = calcA().calculate(citizenA(20000), {{"Trang tin", 1}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->level, 3);
  EXPECT_TRUE(r->raisedBy.empty());
}

TEST(Components, LevelOutOfRangeIsRefused) {
  auto r = calcA().calculate(citizenA(1), {{"X", 6}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "components");
  EXPECT_NE(r.error().message.find("'X'"), std::string::npos);
}

TEST(Critical, Level3OnTheCriticalListFollowsTheLevel5Procedure) {
  Facts f = citizenB(1000, 0);
  f.setBool("handles_admin_procedures", true);
  auto plain = calcB().calculate(f);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->level, 3);
  EXPECT_FALSE(plain->critical);
  EXPECT_EQ(plain->approving.body, "Chủ quản hệ thống thông tin");

  f.setBool("critical_system", true);
  auto crit = calcB().calculate(f);
  ASSERT_TRUE(crit.ok());
  EXPECT_EQ(crit->level, 3);  // the flag does not change the level ...
  EXPECT_TRUE(crit->critical);
  EXPECT_EQ(crit->appraising.source.article, "20");  // ... but the procedure (Art. 20.4)
  EXPECT_NE(crit->approving.body.find("Thủ tướng"), std::string::npos);
}

TEST(Reasoning, EveryCriterionIsEvaluatedWithSourceAndExplanation) {
  auto r = calcB().calculate(citizenB(5, 0));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reasoning.size(), calcB().catalog().criteria().size());
  for (const auto& o : r->reasoning) {
    EXPECT_FALSE(o.source.document.empty()) << o.id;
    EXPECT_FALSE(o.description.empty()) << o.id;
    EXPECT_EQ(o.explanation.rfind(o.met ? "Đáp ứng: " : "Không đáp ứng: ", 0), 0u) << o.explanation;
  }
  const auto* o = outcome(*r, "B-12.2.a");
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->met);
  EXPECT_FALSE(o->verified);
  EXPECT_FALSE(o->note.empty());
  // Values are explained with the catalog's Vietnamese labels, not their codes.
  EXPECT_NE(o->explanation.find("Loại hình hệ thống thông tin: Phục vụ người dân, doanh nghiệp"), std::string::npos)
      << o->explanation;
  EXPECT_EQ(o->explanation.find("citizen_facing"), std::string::npos) << o->explanation;
}

TEST(Catalog, ValueLabelsMustNameKnownValues) {
  const std::string path = std::string(VIGIL_REGIMES_DIR) + "/regime-b.toml";
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string good = "citizen_facing = \"Phục vụ người dân, doanh nghiệp\"";
  ASSERT_NE(text.find(good), std::string::npos);
  std::string bad = text;
  bad.replace(bad.find(good), good.size(), "spaceship = \"Tàu vũ trụ\"");
  auto r = RegimeCatalog::parse(bad, "regime-b.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'spaceship' is not one of the values"), std::string::npos) << r.error().message;
  auto ok = RegimeCatalog::parse(text, "regime-b.toml");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->fact("information_types")->labelOf("state_secret"), "Bí mật nhà nước");
  EXPECT_EQ(ok->fact("information_types")->labelOf("unknown"), "unknown");
}

TEST(Reasoning, NoCriterionMetIsLevel1) {
  Facts f;
  f.setText("system_type", "other").setSet("information_types", {"private"});
  auto r = calcA().calculate(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->level, 1);
  for (const auto& o : r->reasoning) EXPECT_FALSE(o.met) << o.id;
}

TEST(Deadlines, ByRegimeAndLevel) {
  auto a = calcA().calculate(citizenA(10000));  // level 3
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->deadlines.size(), 2u);
  EXPECT_EQ(a->deadlines[0].step, "appraisal");
  EXPECT_EQ(a->deadlines[0].amount, 15);
  EXPECT_EQ(a->deadlines[0].unit, DeadlineUnit::kCalendarDays);
  EXPECT_EQ(a->deadlines[0].source.article, "16");
  EXPECT_EQ(a->deadlines[1].step, "approval");
  EXPECT_EQ(a->deadlines[1].amount, 7);
  EXPECT_EQ(a->deadlines[1].unit, DeadlineUnit::kWorkingDays);

  Facts f;
  f.setText("system_type", "internal").setSet("information_types", {"public"});
  auto b = calcB().calculate(f, {{"core", 5}});
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->deadlines.size(), 3u);
  EXPECT_EQ(b->deadlines[0].step, "incomplete_dossier_reply");
  EXPECT_EQ(b->deadlines[0].amount, 5);
  EXPECT_EQ(b->deadlines[1].step, "appraisal");
  EXPECT_EQ(b->deadlines[1].amount, 25);
  EXPECT_EQ(b->deadlines[1].unit, DeadlineUnit::kWorkingDays);
  EXPECT_EQ(b->deadlines[2].step, "approval");

  auto one = calcB().calculate(f);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->deadlines.size(), 2u);  // no appraisal time limit at level 1
}

struct BadAnswer {
  const char* name;
  Facts facts;
  const char* field;
  const char* text;
};

TEST(Validation, ImpossibleAnswersNameTheFact) {
  auto base = [] {
    Facts f;
    f.setText("system_type", "internal").setSet("information_types", {"public"});
    return f;
  };
  std::vector<BadAnswer> cases = {
      {"state secret without harm", base().setSet("information_types", {"state_secret"}), "security_harm",
       "bí mật nhà nước"},
      {"negative users", base().setInt("user_count", -1), "user_count", "-1 is outside 0.."},
      {"absurd users", base().setInt("user_count", 5'000'000'000), "user_count", "outside"},
      {"pm level 7", base().setInt("pm_designated_level", 7), "pm_designated_level", "outside 0..5"},
      {"pm level 3 under Decree 85", base().setInt("pm_designated_level", 3), "pm_designated_level", "Điều 11"},
      {"unknown value", base().setText("system_type", "mainframe"), "system_type", "unknown value 'mainframe'"},
      {"unknown set value", base().setSet("information_types", {"top_secret"}), "information_types", "top_secret"},
      {"wrong type", base().setText("user_count", "many"), "user_count", "type int"},
      {"fact of the other regime", base().setInt("personal_data_subjects_basic", 5), "personal_data_subjects_basic",
       "not a fact of regime A_ND85_TT12"},
      {"infrastructure without scope", base().setText("system_type", "infrastructure"), "infrastructure_scope",
       "phạm vi"},
      {"ICS without grade", base().setText("system_type", "industrial_control"), "ics_construction_grade",
       "cấp công trình"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = calcA().calculate(c.facts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, c.field);
    EXPECT_NE(r.error().message.find(c.text), std::string::npos) << r.error().message;
    EXPECT_FALSE(calcA().validate(c.facts).ok());
  }
  Facts missing;
  missing.setSet("information_types", {"public"});
  auto r = calcA().calculate(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "system_type");
  EXPECT_NE(r.error().message.find("required"), std::string::npos);

  Facts negB;
  negB.setText("system_type", "citizen_facing").setSet("information_types", {"personal"});
  negB.setInt("personal_data_subjects_sensitive", -5);
  auto rb = calcB().calculate(negB);
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().field, "personal_data_subjects_sensitive");
  EXPECT_TRUE(calcA().validate(citizenA(3)).ok());
}

TEST(Concurrency, OneCalculatorManyThreads) {
  const LevelCalculator calc = calcB();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const int64_t basic = (i + t) % 2 ? 100000 : 99999;
        auto r = calc.calculate(citizenB(basic, 0));
        if (!r.ok() || r->level != (basic >= 100000 ? 3 : 2)) ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace vigil::compliance
