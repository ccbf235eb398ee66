// Checklist catalogs: every file in catalogs/checklists/ loads against the regime catalogs and
// every row has its legal source; broken files are refused whole with "file:line: row: what";
// the checklist of each level is the one the appendices give (cases/checklists.toml).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <set>

#include "compliance/checklist_catalog.h"
#include "compliance_support.h"

namespace vigil::compliance {
namespace {

using testing::checklistPath;
using testing::lineOf;
using testing::readFile;
using testing::regimes;

TEST(Checklists, EveryFileInTheFolderLoadsAndEveryRowHasASource) {
  const auto regs = regimes();
  ASSERT_EQ(regs.size(), 2u);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VIGIL_CHECKLISTS_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    auto cat = ChecklistCatalog::load(entry.path().string(), regs);
    ASSERT_TRUE(cat.ok()) << cat.error().message;
    ASSERT_FALSE(cat->items().empty());
    for (const auto& g : cat->groups()) EXPECT_FALSE(g.source.article.empty()) << g.id;
    std::set<std::string> groupsUsed;
    for (const auto& i : cat->items()) {
      EXPECT_FALSE(i.source.document.empty()) << i.id;
      EXPECT_FALSE(i.source.article.empty()) << i.id;
      EXPECT_FALSE(i.title.empty()) << i.id;
      EXPECT_FALSE(i.levels.empty()) << i.id;
      if (!i.verified) {
        EXPECT_FALSE(i.note.empty()) << i.id;
      }
      groupsUsed.insert(i.group);
    }
    for (const auto& g : cat->groups()) EXPECT_TRUE(groupsUsed.count(g.id)) << "group without items: " << g.id;
    for (int level = 1; level <= cat->maxLevel(); ++level) {
      auto list = cat->checklistFor(level);
      ASSERT_TRUE(list.ok());
      EXPECT_FALSE(list->empty()) << "level " << level;
    }
  }
  EXPECT_GE(files, 2);
  auto all = loadChecklistDirectory(VIGIL_CHECKLISTS_DIR, regs);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->size(), 2u);
}

TEST(Checklists, RegimeBMarksTheTcvn14423FiguresUnverified) {
  auto cat = ChecklistCatalog::load(checklistPath("regime-b.toml"), regimes());
  ASSERT_TRUE(cat.ok()) << cat.error().message;
  int tcvn = 0;
  for (const auto& i : cat->items())
    if (i.source.document.find("TCVN 14423") != std::string::npos) {
      ++tcvn;
      EXPECT_FALSE(i.verified) << i.id;
    }
  EXPECT_GT(tcvn, 20);
  EXPECT_EQ(cat->regime(), "B_ND331_TCVN14423");
}

TEST(Checklists, BrokenCatalogsAreRefusedWithFileLineAndWhat) {
  const std::string original = readFile(checklistPath("regime-a.toml"));
  ASSERT_FALSE(original.empty());
  const std::string origin = "checklist-broken.toml";
  const std::string policy = "id = \"A-QL-1.1.1\"\ngroup = \"A-QL-1.1\"";
  const std::vector<testing::Mutation> cases = {
      {"syntax error", "version = 1", "version = = 1", "version = = 1", "syntax error"},
      {"missing source",
       "source = { document = \"Thông tư 12/2022/TT-BTTTT\", article = \"10\", clause = \"1-5; Phụ lục I-V, mục "
       "I.1.1.2\" }\n",
       "", "[[item]]\nid = \"A-QL-1.1.2\"", "item A-QL-1.1.2: missing source"},
      {"unknown regime", "regime = \"A_ND85_TT12\"", "regime = \"A_ND85\"", "regime = \"A_ND85\"",
       "checklist: unknown regime 'A_ND85' (A_ND85_TT12, B_ND331_TCVN14423)"},
      {"unknown key", "id = \"A-TK-b.geo\"\ngroup = \"A-TK-b\"", "id = \"A-TK-b.geo\"\ngroup = \"A-TK-b\"\nlevelz = 1",
       "levelz = 1", "item A-TK-b.geo: unknown key 'levelz'"},
      {"level out of range", "levels = [2]", "levels = [2, 6]", "levels = [2, 6]",
       "item A-TK-b.waf-2: unknown level (levels run from 1 to 5)"},
      {"duplicate id", "id = \"A-QL-1.1.2\"", "id = \"A-QL-1.1.1\"",
       "[[item]]\nid = \"A-QL-1.1.1\"\ngroup = \"A-QL-1.1\"\ntitle = \"Xây dựng", "item A-QL-1.1.1: id used twice"},
      {"unknown group", policy, "id = \"A-QL-1.1.1\"\ngroup = \"A-QL-9\"", "group = \"A-QL-9\"",
       "item A-QL-1.1.1: unknown group 'A-QL-9'"},
      {"unverified without note", policy, policy + "\nverified = false", "[[item]]\nid = \"A-QL-1.1.1\"",
       "item A-QL-1.1.1: an unverified item needs a note"},
      {"standard clause for a level the item lacks", "standard_clauses = { 2 = \"6.1.4.2\"",
       "standard_clauses = { 1 = \"5.1.4.2\", 2 = \"6.1.4.2\"", "1 = \"5.1.4.2\", 2",
       "item A-QL-1.4.2: standard_clauses: '1' is not one of the item's levels"},
      {"both levels and min_level", "id = \"A-9.6\"\ngroup = \"A-9\"", "id = \"A-9.6\"\ngroup = \"A-9\"\nlevels = [1]",
       "[[item]]\nid = \"A-9.6\"", "item A-9.6: an item has either levels or min_level"},
      {"unknown assessor type", "allowed = [\"external\"]", "allowed = [\"licensed\"]", "\"licensed\"",
       "assessor_rule A-20.2.c: unknown allowed value (self, independent, external)"},
      {"unknown part", "part = \"management\"", "part = \"managment\"", "part = \"managment\"",
       "group A-QL-1.1: unknown part 'managment'"},
  };
  for (const auto& m : cases)
    testing::expectRefused(original, origin, m, [](const std::string& text) {
      return ChecklistCatalog::parse(text, "checklist-broken.toml", regimes());
    });
}

TEST(Checklists, MinLevelOutOfRangeAndNoRegimesAreRefused) {
  std::string text = readFile(checklistPath("regime-b.toml"));
  const std::string from =
      "id = \"B-QL-a\"\ngroup = \"B-QL\"\ntitle = \"Thiết lập chính sách an ninh mạng\"\nmin_level = 1";
  const auto pos = text.find(from);
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, from.size(),
               "id = \"B-QL-a\"\ngroup = \"B-QL\"\ntitle = \"Thiết lập chính sách an ninh mạng\"\nmin_level = 0");
  auto r = ChecklistCatalog::parse(text, "b.toml", regimes());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind(
                "b.toml:" + std::to_string(lineOf(text, "min_level = 0")) + ": item B-QL-a: unknown level", 0),
            0u)
      << r.error().message;
  // Without the regime catalogs the link cannot be checked: refused.
  auto none = ChecklistCatalog::parse(readFile(checklistPath("regime-a.toml")), "a.toml", {});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("unknown regime 'A_ND85_TT12' (none loaded)"), std::string::npos);
}

TEST(Checklists, TwoFilesForOneRegimeAreRefused) {
  const auto dir = std::filesystem::temp_directory_path() / "vigil-checklists-dup";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(checklistPath("regime-a.toml"), dir / "a1.toml");
  std::filesystem::copy_file(checklistPath("regime-a.toml"), dir / "a2.toml");
  auto r = loadChecklistDirectory(dir.string(), regimes());
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("checklist regime 'A_ND85_TT12' is also used by"), std::string::npos)
      << r.error().message;
}

TEST(Checklists, UnknownLevelIsRefusedBySelection) {
  auto cat = ChecklistCatalog::load(checklistPath("regime-a.toml"), regimes());
  ASSERT_TRUE(cat.ok()) << cat.error().message;
  for (int bad : {0, 6, -1}) {
    auto r = cat->checklistFor(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "level");
  }
}

// cases/checklists.toml
TEST(Checklists, SelectionPerLevelFollowsTheAppendices) {
  const std::string path = "cases/checklists.toml";
  const toml::table root = testing::caseFile("checklists.toml");
  const auto* cases = root["case"].as_array();
  ASSERT_TRUE(cases && !cases->empty());
  for (const auto& node : *cases) {
    const auto& t = *node.as_table();
    const std::string file = t["file"].value_or(std::string());
    const int level = static_cast<int>(t["level"].value_or(int64_t{0}));
    SCOPED_TRACE(path + ":" + std::to_string(node.source().begin.line) + " " + file + " level " +
                 std::to_string(level));
    auto cat = ChecklistCatalog::load(checklistPath(file), regimes());
    ASSERT_TRUE(cat.ok()) << cat.error().message;
    auto list = cat->checklistFor(level);
    ASSERT_TRUE(list.ok()) << list.error().message;
    std::set<std::string> ids;
    for (const auto* i : *list) ids.insert(i->id);
    EXPECT_EQ(static_cast<int64_t>(list->size()), t["count"].value_or(int64_t{-1}));
    if (const auto* inc = t["includes"].as_array()) {
      for (const auto& n : *inc) {
        const std::string id = n.value_or(std::string());
        EXPECT_TRUE(ids.count(id)) << "missing " << id;
      }
    }
    if (const auto* exc = t["excludes"].as_array()) {
      for (const auto& n : *exc) {
        const std::string id = n.value_or(std::string());
        EXPECT_FALSE(ids.count(id)) << "unexpected " << id;
      }
    }
    if (const auto* st = t["standard"].as_table()) {
      const auto* item = cat->item((*st)["item"].value_or(std::string()));
      ASSERT_NE(item, nullptr);
      EXPECT_EQ(item->standardClause(level), (*st)["clause"].value_or(std::string()));
    }
  }
}

}  // namespace
}  // namespace vigil::compliance
