// Regime catalogs: every file in catalogs/regimes/ loads and every row has its legal source; a
// broken catalog is refused whole with "file:line: row: what".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compliance_support.h"

namespace vigil::compliance {
namespace {

using testing::readFile;

TEST(Catalogs, EveryFileInTheFolderLoadsAndEveryRowHasASource) {
  int files = 0;
  std::set<std::string> regimeIds;
  for (const auto& entry : std::filesystem::directory_iterator(VIGIL_REGIMES_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    auto cat = RegimeCatalog::load(entry.path().string());
    ASSERT_TRUE(cat.ok()) << cat.error().message;
    EXPECT_TRUE(regimeIds.insert(cat->id()).second) << "regime id used twice: " << cat->id();
    EXPECT_FALSE(cat->legalBasis().empty());
    EXPECT_FALSE(cat->componentRule().article.empty());
    ASSERT_FALSE(cat->criteria().empty());
    for (const auto& c : cat->criteria()) {
      EXPECT_FALSE(c.source.document.empty()) << c.id;
      EXPECT_FALSE(c.source.article.empty()) << c.id;
      EXPECT_FALSE(c.description.empty()) << c.id;
      if (!c.verified) {
        EXPECT_FALSE(c.note.empty()) << c.id;
      }
    }
    for (const auto& a : cat->authorities()) {
      EXPECT_FALSE(a.appraising.source.article.empty()) << "authority at line " << a.line;
      EXPECT_FALSE(a.approving.source.article.empty()) << "authority at line " << a.line;
    }
    for (const auto& d : cat->deadlines()) EXPECT_FALSE(d.source.article.empty()) << "deadline at line " << d.line;
  }
  EXPECT_GE(files, 2);
}

TEST(Catalogs, CriteriaCoverTheArticles) {
  // Decree 85 Art. 7-11: 1 + 5 + 6 + 4 + 5 criteria; Decree 331 Art. 11-16: 2 + 5 + 7 + 4 + 5 + 2.
  auto a = testing::regime("regime-a.toml");
  auto b = testing::regime("regime-b.toml");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->criteria().size(), 21u);
  EXPECT_EQ(b->criteria().size(), 25u);
  EXPECT_EQ(a->effective(), "2016-07-01");
  EXPECT_EQ(b->effective(), "2026-08-19");
  for (int level = 1; level <= 5; ++level) {
    EXPECT_NE(a->authorityFor(level, "general", false), nullptr);
    for (const char* owner : {"general", "military", "public_security", "cipher"})
      for (bool critical : {false, true}) EXPECT_NE(b->authorityFor(level, owner, critical), nullptr);
  }
}

TEST(Catalogs, BrokenCatalogsAreRefusedWithFileLineAndWhat) {
  const std::string original = readFile(testing::regimePath("regime-a.toml"));
  ASSERT_FALSE(original.empty());
  const std::string origin = "regime-a-broken.toml";
  const std::vector<testing::Mutation> cases = {
      {"syntax error", "id = \"A-9.4\"\nlevel = 3", "id = \"A-9.4\"\nlevel = = 3", "level = = 3", "syntax error"},
      {"unknown fact", "fact = \"central_national_data\"", "fact = \"central_data\"", "fact = \"central_data\"",
       "criterion A-11.2: unknown fact 'central_data'"},
      {"unknown operator", "fact = \"security_harm\"\neq = \"harm\"", "fact = \"security_harm\"\nequals = \"harm\"",
       "equals = \"harm\"", "criterion A-9.1: unknown operator 'equals'"},
      {"unknown level", "id = \"A-7\"\nlevel = 1", "id = \"A-7\"\nlevel = 6", "level = 6",
       "criterion A-7: unknown level"},
      {"missing source", "source = { document = \"Nghị định 85/2016/NĐ-CP\", article = \"9\", clause = \"2.b\" }\n", "",
       "[[criterion]]\nid = \"A-9.2.b\"", "criterion A-9.2.b: missing source"},
      {"unknown value", "{ fact = \"ics_construction_grade\", eq = \"I\" }",
       "{ fact = \"ics_construction_grade\", eq = \"1\" }", "eq = \"1\"",
       "criterion A-10.4: fact ics_construction_grade (enum): unknown value '1'"},
      {"operator of the wrong type", "{ fact = \"user_count\", ge = 10000 }",
       "{ fact = \"user_count\", contains = \"x\" }", "contains = \"x\"",
       "criterion A-9.2.c: fact user_count (int): contains applies to set facts"},
      {"duplicate id", "id = \"A-8.3\"", "id = \"A-8.2.c\"",
       "[[criterion]]\nid = \"A-8.2.c\"\nlevel = 2\nsource = { document = \"Nghị định 85/2016/NĐ-CP\", article = "
       "\"8\", clause = \"3\"",
       "criterion A-8.2.c: id used twice"},
      {"unverified without note", "id = \"A-11.5\"", "id = \"A-11.5\"\nverified = false",
       "[[criterion]]\nid = \"A-11.5\"", "criterion A-11.5: an unverified criterion needs a note"},
      {"unknown deadline unit", "amount = 30\nunit = \"calendar_days\"", "amount = 30\nunit = \"days\"",
       "unit = \"days\"", "deadline appraisal: unknown unit 'days'"},
      {"authority without source",
       "approving = { body = \"Chủ quản hệ thống thông tin\", source = { document = \"Nghị định 85/2016/NĐ-CP\", "
       "article = \"12\", clause = \"2.b\" } }",
       "approving = { body = \"Chủ quản hệ thống thông tin\" }",
       "approving = { body = \"Chủ quản hệ thống thông tin\" }", "authority approving: missing source"},
      {"unknown key", "id = \"A-8.1\"", "id = \"A-8.1\"\nleve = 2", "leve = 2", "criterion A-8.1: unknown key 'leve'"},
      {"unknown separation", "required = \"physical\"", "required = \"complete\"", "required = \"complete\"",
       "separation: required must be logical or physical"},
      {"unknown hosting", "levels = [3]\nhostings = [\"data_centre\", \"cloud\"]",
       "levels = [3]\nhostings = [\"basement\"]", "\"basement\"", "separation: unknown hosting"},
      {"unknown gate", "id = \"approved_before_go_live\"", "id = \"approved_before_golive\"",
       "[[gate]]\nid = \"approved_before_golive\"", "gate approved_before_golive: unknown gate"},
      {"unknown document", "kind = \"professional_opinion\"", "kind = \"y_kien\"", "[[document]]\nkind = \"y_kien\"",
       "document y_kien: unknown kind"},
      {"gate without source", "source = { document = \"Nghị định 85/2016/NĐ-CP\", article = \"14\" }\n", "",
       "[[gate]]\nid = \"operating_without_approval\"", "gate operating_without_approval: missing source"},
  };
  for (const auto& m : cases)
    testing::expectRefused(original, origin, m,
                           [&](const std::string& text) { return RegimeCatalog::parse(text, origin); });
}

TEST(Catalogs, AuthorityGapsAndOverlapsAreRefused) {
  const std::string original = readFile(testing::regimePath("regime-a.toml"));
  // Level 4 owned by the military matched by two equally specific rows.
  std::string overlap = original;
  const std::string military = "levels = [4]\nowner_types = [\"military\"]";
  overlap.replace(overlap.find("levels = [4]\nowner_types = [\"public_security\"]"), military.size() + 7, military);
  auto r1 = RegimeCatalog::parse(overlap, "overlap.toml");
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("both cover level 4, owner type military"), std::string::npos)
      << r1.error().message;

  // No row for an ordinary (not critical) level-3 system.
  std::string gap = original;
  gap.replace(gap.find("levels = [3]\nappraising"), 12, "levels = [3]\ncritical = true");
  auto r2 = RegimeCatalog::parse(gap, "gap.toml");
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("no [[authority]] row covers level 3, owner type general"), std::string::npos)
      << r2.error().message;
}

// Hosting separation (TT 12 Art. 9.9-9.10; Decree 331 Art. 30.8-30.9) and the gates' sources are
// data in both catalogs.
TEST(Catalogs, SeparationRulesAndGateSources) {
  auto a = testing::regime("regime-a.toml");
  auto b = testing::regime("regime-b.toml");
  ASSERT_TRUE(a && b);
  auto required = [](const RegimeCatalog& c, int level, const char* hosting, bool critical) {
    const SeparationRule* r = c.separationFor(level, hosting, critical);
    return r ? r->required : std::string("none");
  };
  EXPECT_EQ(required(*a, 2, "cloud", false), "none");
  EXPECT_EQ(required(*a, 3, "data_centre", false), "logical");
  EXPECT_EQ(required(*a, 4, "cloud", false), "physical");  // regime A: physical from level 4
  EXPECT_EQ(required(*b, 4, "cloud", false), "logical");   // regime B: logical up to level 4
  EXPECT_EQ(required(*b, 4, "cloud", true), "physical");   // ... unless critical
  EXPECT_EQ(required(*b, 5, "data_centre", false), "physical");
  EXPECT_EQ(b->separationFor(5, "data_centre", false)->source.cite(), "Nghị định 331/2026/NĐ-CP, Điều 30 khoản 9");
  for (const auto* c : {a.get(), b.get()})
    for (auto id : kGateIds) {
      const GateSource* g = c->gate(id);
      ASSERT_NE(g, nullptr) << c->id() << " " << id;
      EXPECT_FALSE(g->source.article.empty());
    }
  // The dossier's documents: the five of Decree 85 Art. 15; regime B adds the risk assessment at
  // levels 4-5 (Decree 331 Art. 22.5).
  auto kindsAt = [](const RegimeCatalog& c, int level) {
    std::set<std::string> kinds;
    for (const auto& d : c.documents())
      if (std::count(d.levels.begin(), d.levels.end(), level)) kinds.insert(d.kind);
    return kinds;
  };
  const std::set<std::string> base{"overview", "design", "justification", "security_plan"};
  EXPECT_EQ(kindsAt(*a, 3), base);
  EXPECT_EQ(kindsAt(*b, 3), base);
  auto a4 = base, b4 = base;
  a4.insert("professional_opinion");
  b4.insert({"professional_opinion", "risk_assessment"});
  EXPECT_EQ(kindsAt(*a, 4), a4);
  EXPECT_EQ(kindsAt(*b, 5), b4);
}

TEST(Catalogs, MissingFileIsNotFound) {
  auto r = RegimeCatalog::load(testing::regimePath("no-such-regime.toml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

// A third regime is a new file: facts, criteria, authorities and deadlines, no C++ change.
TEST(Catalogs, AThirdRegimeIsData) {
  const std::string text = R"(
[regime]
id = "TEST_C"
name = "Thử nghiệm"
legal_basis = ["Văn bản thử nghiệm"]
effective = 2030-01-01
max_level = 3
component_rule = { document = "Văn bản thử nghiệm", article = "2" }

[[fact]]
name = "staff"
label = "Số cán bộ"
type = "int"
min = 0
max = 1000

[[criterion]]
id = "C-1"
level = 2
source = { document = "Văn bản thử nghiệm", article = "3", clause = "1" }
description = "Từ 100 cán bộ"
fact = "staff"
ge = 100

[[authority]]
levels = [1, 2, 3]
appraising = { body = "Đơn vị A", source = { document = "Văn bản thử nghiệm", article = "4" } }
approving = { body = "Đơn vị B", source = { document = "Văn bản thử nghiệm", article = "5" } }
)";
  auto cat = RegimeCatalog::parse(text, "c.toml");
  ASSERT_TRUE(cat.ok()) << cat.error().message;
  LevelCalculator calc(std::make_shared<const RegimeCatalog>(std::move(cat).value()));
  Facts f;
  f.setInt("staff", 150);
  auto r = calc.calculate(f);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->level, 2);
  EXPECT_EQ(r->approving.body, "Đơn vị B");
  auto over = calc.calculate(f, {{"x", 4}});
  EXPECT_FALSE(over.ok());  // max_level 3
}

}  // namespace
}  // namespace vigil::compliance
