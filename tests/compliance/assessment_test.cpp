// Assessments: who may assess (cases/assessors.toml, regulation.md §8.4), the summary arithmetic,
// findings from not/partly met items and the validation of a whole assessment.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <functional>

#include "compliance/assessment.h"
#include "compliance_support.h"

namespace vigil::compliance {
namespace {

using namespace std::chrono;
using testing::checklistPath;
using testing::regimes;

std::shared_ptr<const ChecklistCatalog> checklist(const std::string& file) {
  auto cat = ChecklistCatalog::load(checklistPath(file), regimes());
  EXPECT_TRUE(cat.ok()) << cat.error().message;
  return cat.ok() ? std::make_shared<const ChecklistCatalog>(std::move(cat).value()) : nullptr;
}

// cases/assessors.toml
TEST(Assessors, EligibilityCases) {
  const std::string path = "cases/assessors.toml";
  const toml::table root = testing::caseFile("assessors.toml");
  const auto* cases = root["case"].as_array();
  ASSERT_TRUE(cases && !cases->empty());
  for (const auto& node : *cases) {
    const auto& t = *node.as_table();
    SCOPED_TRACE(path + ":" + std::to_string(node.source().begin.line));
    auto cat = checklist(t["file"].value_or(std::string()));
    ASSERT_TRUE(cat);
    AssessmentContext ctx;
    ctx.level = static_cast<int>(t["level"].value_or(int64_t{0}));
    ctx.critical = t["critical"].value_or(false);
    auto kind = parseAssessmentKind(t["kind"].value_or(std::string()));
    ASSERT_TRUE(kind);
    ctx.kind = *kind;
    if (const auto* tr = t["triggers"].as_array())
      for (const auto& n : *tr) ctx.triggers.insert(n.value_or(std::string()));
    auto assessor = parseAssessorType(t["assessor"].value_or(std::string()));
    ASSERT_TRUE(assessor);
    auto e = checkAssessor(*cat, ctx, *assessor);
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->eligible(), t["eligible"].value_or(true));
    std::vector<std::string> refused, allowed, expectedRefused, expectedAllowed;
    for (const auto& r : e->refusals) {
      refused.push_back(r.rule);
      EXPECT_FALSE(r.message.empty());
      EXPECT_FALSE(r.source.article.empty());
    }
    for (auto a : e->allowed) allowed.emplace_back(assessorTypeName(a));
    if (const auto* arr = t["refused_by"].as_array())
      for (const auto& n : *arr) expectedRefused.push_back(n.value_or(std::string()));
    if (const auto* arr = t["allowed"].as_array())
      for (const auto& n : *arr) expectedAllowed.push_back(n.value_or(std::string()));
    EXPECT_EQ(refused, expectedRefused);
    EXPECT_EQ(allowed, expectedAllowed);
  }
}

TEST(Assessors, UnknownLevelOrTriggerIsRefused) {
  auto cat = checklist("regime-b.toml");
  ASSERT_TRUE(cat);
  AssessmentContext ctx;
  ctx.level = 6;
  auto r1 = checkAssessor(*cat, ctx, AssessorType::kExternal);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().field, "level");
  ctx.level = 3;
  ctx.triggers = {"incident"};
  auto r2 = checkAssessor(*cat, ctx, AssessorType::kExternal);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().field, "triggers");
}

std::vector<ItemResult> allMet(const ChecklistCatalog& cat, int level) {
  std::vector<ItemResult> out;
  const auto list = cat.checklistFor(level);
  EXPECT_TRUE(list.ok());
  if (!list.ok()) return out;
  for (const auto* i : *list) out.push_back({i->id, ItemStatus::kMet, "", "", {}});
  return out;
}

TEST(Summary, CountsAndPercentageOverApplicableItems) {
  auto cat = checklist("regime-a.toml");
  ASSERT_TRUE(cat);
  // Level 1: 36 items. 30 met, 2 partly, 1 not met, 2 not applicable, 1 unanswered.
  auto results = allMet(*cat, 1);
  ASSERT_EQ(results.size(), 36u);
  results[0].status = ItemStatus::kPartlyMet;
  results[1].status = ItemStatus::kPartlyMet;
  results[2].status = ItemStatus::kNotMet;
  results[3].status = ItemStatus::kNotApplicable;
  results[4].status = ItemStatus::kNotApplicable;
  results.pop_back();
  auto s = summarize(*cat, 1, results);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->total, 36);
  EXPECT_EQ(s->met, 30);
  EXPECT_EQ(s->partlyMet, 2);
  EXPECT_EQ(s->notMet, 1);
  EXPECT_EQ(s->notApplicable, 2);
  EXPECT_EQ(s->unanswered, 1);
  EXPECT_EQ(s->applicable(), 34);
  ASSERT_TRUE(s->percentMet);
  EXPECT_DOUBLE_EQ(*s->percentMet, 88.2);  // 30 / 34 = 88.235...

  auto full = summarize(*cat, 1, allMet(*cat, 1));
  ASSERT_TRUE(full.ok());
  EXPECT_DOUBLE_EQ(*full->percentMet, 100.0);

  std::vector<ItemResult> none;
  for (auto r : allMet(*cat, 1)) none.push_back({r.item, ItemStatus::kNotApplicable, "x", "", {}});
  auto na = summarize(*cat, 1, none);
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->applicable(), 0);
  EXPECT_FALSE(na->percentMet) << "no applicable item: no percentage";

  EXPECT_FALSE(summarize(*cat, 9, results).ok());
}

Assessment sampleAssessment(const ChecklistCatalog& cat) {
  Assessment a;
  a.regime = "A_ND85_TT12";
  a.context.level = 3;
  a.context.kind = AssessmentKind::kPeriodic;
  a.assessor = AssessorType::kExternal;
  a.assessorName = "Trung tâm Giám sát an toàn thông tin";
  a.on = 2026y / November / 10d;
  a.results = allMet(cat, 3);
  a.results[5].status = ItemStatus::kNotMet;
  a.results[6].status = ItemStatus::kPartlyMet;
  a.results[7].status = ItemStatus::kNotApplicable;
  a.results[7].reason = "Hệ thống không có thành phần này";
  a.results[0].evidenceSha256 = {std::string(64, 'a')};
  a.findings = findingsFrom(cat, a.results);
  for (auto& f : a.findings) {
    f.owner = "Phòng Công nghệ thông tin";
    f.due = 2026y / December / 31d;
  }
  return a;
}

TEST(Assessment, FindingsComeFromNotAndPartlyMetItems) {
  auto cat = checklist("regime-a.toml");
  ASSERT_TRUE(cat);
  const auto a = sampleAssessment(*cat);
  ASSERT_EQ(a.findings.size(), 2u);
  EXPECT_EQ(a.findings[0].item, a.results[5].item);
  EXPECT_EQ(a.findings[0].status, ItemStatus::kNotMet);
  EXPECT_EQ(a.findings[1].status, ItemStatus::kPartlyMet);
  EXPECT_EQ(a.findings[0].description, cat->item(a.results[5].item)->title);
  const Date today = 2026y / November / 24d;
  auto ok = validateAssessment(*cat, a, Completeness::kComplete, today);
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST(Assessment, RetestsCloseFindings) {
  Finding f;
  f.item = "A-QL-1.1.1";
  f.due = 2026y / December / 1d;
  EXPECT_FALSE(f.closed());
  EXPECT_TRUE(f.overdue(2026y / December / 2d));
  EXPECT_FALSE(f.overdue(2026y / December / 1d));
  f.retests.push_back({2026y / November / 20d, ItemStatus::kPartlyMet, "Đoàn kiểm tra", ""});
  EXPECT_FALSE(f.closed());
  f.retests.push_back({2026y / December / 5d, ItemStatus::kMet, "Đoàn kiểm tra", ""});
  EXPECT_TRUE(f.closed());
  EXPECT_FALSE(f.overdue(2026y / December / 6d));
}

struct Broken {
  const char* name;
  std::function<void(Assessment&)> change;
  Completeness completeness;
  std::string field;
  std::string message;
};

TEST(Assessment, InvalidAssessmentsNameTheField) {
  auto cat = checklist("regime-a.toml");
  ASSERT_TRUE(cat);
  const Date today = 2026y / November / 24d;
  const std::vector<Broken> cases = {
      {"wrong regime", [](Assessment& a) { a.regime = "B_ND331_TCVN14423"; }, Completeness::kDraft, "regime", ""},
      {"self assessment of a level-3 system, periodic", [](Assessment& a) { a.assessor = AssessorType::kSelf; },
       Completeness::kDraft, "assessor", "Nghị định 85/2016/NĐ-CP, Điều 20 khoản 2.c"},
      {"no assessor name", [](Assessment& a) { a.assessorName.clear(); }, Completeness::kDraft, "assessor_name", ""},
      {"dated in the future", [](Assessment& a) { a.on = 2026y / December / 1d; }, Completeness::kDraft, "on", ""},
      {"unknown item", [](Assessment& a) { a.results[1].item = "A-XX"; }, Completeness::kDraft, "results[1].item",
       "unknown item"},
      {"item of another level", [](Assessment& a) { a.results[1].item = "A-TK-b.geo"; }, Completeness::kDraft,
       "results[1].item", "not in the level 3 checklist"},
      {"answered twice", [](Assessment& a) { a.results[2].item = a.results[1].item; }, Completeness::kDraft,
       "results[2].item", "answered twice"},
      {"not applicable without a reason", [](Assessment& a) { a.results[7].reason.clear(); }, Completeness::kDraft,
       "results[7].reason", "needs a reason"},
      {"evidence not a SHA-256", [](Assessment& a) { a.results[0].evidenceSha256 = {"abc"}; }, Completeness::kDraft,
       "results[0].evidence[0]", "SHA-256"},
      {"missing result when complete", [](Assessment& a) { a.results.pop_back(); }, Completeness::kComplete, "results",
       "no result for item"},
      {"finding without owner", [](Assessment& a) { a.findings[0].owner.clear(); }, Completeness::kDraft,
       "findings[0].owner", ""},
      {"finding without due date", [](Assessment& a) { a.findings[1].due.reset(); }, Completeness::kDraft,
       "findings[1].due", ""},
      {"due before the assessment", [](Assessment& a) { a.findings[0].due = 2026y / November / 1d; },
       Completeness::kDraft, "findings[0].due", "on or after the assessment"},
      {"finding on a met item", [](Assessment& a) { a.findings[0].item = a.results[0].item; }, Completeness::kDraft,
       "findings[0].item", "a finding needs not_met or partly_met"},
      {"missing finding when complete", [](Assessment& a) { a.findings.pop_back(); }, Completeness::kComplete,
       "findings", "has no finding"},
      {"re-test before the assessment",
       [](Assessment& a) {
         a.findings[0].retests.push_back({2026y / November / 1d, ItemStatus::kMet, "X", ""});
       },
       Completeness::kDraft, "findings[0].retests[0].on", ""},
      {"re-test after a closing one",
       [](Assessment& a) {
         a.findings[0].retests.push_back({2026y / November / 12d, ItemStatus::kMet, "X", ""});
         a.findings[0].retests.push_back({2026y / November / 13d, ItemStatus::kNotMet, "X", ""});
       },
       Completeness::kDraft, "findings[0].retests[0].status", "closed"},
      {"re-test without who",
       [](Assessment& a) {
         a.findings[0].retests.push_back({2026y / November / 12d, ItemStatus::kMet, "", ""});
       },
       Completeness::kDraft, "findings[0].retests[0].by", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto a = sampleAssessment(*cat);
    ASSERT_TRUE(validateAssessment(*cat, a, c.completeness, today).ok());
    c.change(a);
    auto r = validateAssessment(*cat, a, c.completeness, today);
    ASSERT_FALSE(r.ok()) << "accepted";
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
  }
}

TEST(Assessment, RegimeBRefusalExplainsEveryRule) {
  auto cat = checklist("regime-b.toml");
  ASSERT_TRUE(cat);
  Assessment a;
  a.regime = "B_ND331_TCVN14423";
  a.context.level = 5;
  a.context.critical = true;
  a.context.kind = AssessmentKind::kPreOperation;
  a.assessor = AssessorType::kSelf;
  a.assessorName = "Đơn vị vận hành";
  a.on = 2026y / November / 10d;
  auto r = validateAssessment(*cat, a, Completeness::kDraft, 2026y / November / 24d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "assessor");
  for (const char* rule : {"B-31-independent", "B-31-level5", "B-31-critical"})
    EXPECT_NE(r.error().message.find(rule), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("Nghị định 331/2026/NĐ-CP, Điều 31"), std::string::npos);
}

}  // namespace
}  // namespace vigil::compliance
