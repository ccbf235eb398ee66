// Data-driven level cases (cases/levels.toml): one per criterion of Decree 85/2016 Art. 7-11 and
// Decree 331/2026 Art. 11-16, each with the expected level, authorities and the article cited.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <set>
#include <string>
#include <vector>

#include "compliance_support.h"

namespace vigil::compliance {
namespace {

using testing::outcome;
using testing::regime;

struct LevelCase {
  std::string regimeFile;
  std::string meets;
  std::string article;
  toml::table facts;
  std::vector<ComponentLevel> components;
  int level = 0;
  std::optional<bool> critical;
  std::string appraising;
  std::string approving;
  int line = 0;
};

void PrintTo(const LevelCase& c, std::ostream* os) { *os << c.meets << " (" << c.regimeFile << ")"; }

std::string casesPath() { return std::string(VIGIL_COMPLIANCE_CASES_DIR) + "/levels.toml"; }

std::vector<LevelCase> loadCases() {
  std::vector<LevelCase> out;
  toml::table root;
  try {
    root = toml::parse_file(casesPath());
  } catch (const toml::parse_error& e) {
    ADD_FAILURE() << casesPath() << ": " << e.description();
    return out;
  }
  const auto* cases = root["case"].as_array();
  if (!cases) return out;
  for (const auto& node : *cases) {
    const auto& t = *node.as_table();
    LevelCase c;
    c.line = static_cast<int>(node.source().begin.line);
    c.regimeFile = t["regime"].value_or(std::string());
    c.meets = t["meets"].value_or(std::string());
    c.article = t["article"].value_or(std::string());
    if (const auto* f = t["facts"].as_table()) c.facts = *f;
    if (const auto* comps = t["components"].as_array())
      for (const auto& cn : *comps)
        c.components.push_back({(*cn.as_table())["name"].value_or(std::string()),
                                static_cast<int>((*cn.as_table())["level"].value_or(int64_t{0}))});
    c.level = static_cast<int>(t["level"].value_or(int64_t{0}));
    c.critical = t["critical"].value<bool>();
    c.appraising = t["appraising"].value_or(std::string());
    c.approving = t["approving"].value_or(std::string());
    out.push_back(std::move(c));
  }
  return out;
}

const std::vector<LevelCase>& allCases() {
  static const std::vector<LevelCase> cases = loadCases();
  return cases;
}

Facts toFacts(const toml::table& t) {
  Facts f;
  for (const auto& [k, v] : t) {
    const std::string name(k.str());
    if (auto b = v.value_exact<bool>())
      f.setBool(name, *b);
    else if (auto i = v.value_exact<int64_t>())
      f.setInt(name, *i);
    else if (auto s = v.value_exact<std::string>())
      f.setText(name, *s);
    else if (const auto* arr = v.as_array()) {
      StringSet set;
      for (const auto& e : *arr) set.insert(e.value_or(std::string()));
      f.setSet(name, std::move(set));
    }
  }
  return f;
}

class LevelCaseTest : public ::testing::TestWithParam<LevelCase> {};

TEST_P(LevelCaseTest, LevelAuthorityAndArticle) {
  const LevelCase& c = GetParam();
  SCOPED_TRACE(casesPath() + ":" + std::to_string(c.line) + " (" + c.meets + ")");
  auto cat = regime(c.regimeFile);
  ASSERT_NE(cat, nullptr);
  ASSERT_FALSE(c.article.empty()) << "every case cites its article";
  LevelCalculator calc(cat);
  auto r = calc.calculate(toFacts(c.facts), c.components);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const CriterionOutcome* o = outcome(*r, c.meets);
  ASSERT_NE(o, nullptr) << "criterion " << c.meets << " is not in " << c.regimeFile;
  EXPECT_TRUE(o->met) << o->explanation;
  EXPECT_NE(o->source.cite().find(c.article), std::string::npos)
      << "the case cites '" << c.article << "', the catalog says '" << o->source.cite() << "'";
  EXPECT_EQ(r->level, c.level);
  if (c.critical) {
    EXPECT_EQ(r->critical, *c.critical);
  }
  EXPECT_NE(r->appraising.body.find(c.appraising), std::string::npos) << r->appraising.body;
  EXPECT_NE(r->approving.body.find(c.approving), std::string::npos) << r->approving.body;
  EXPECT_FALSE(r->appraising.source.article.empty());
  EXPECT_FALSE(r->approving.source.article.empty());
}

std::string caseName(const ::testing::TestParamInfo<LevelCase>& info) {
  std::string name;
  for (char ch : info.param.meets) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Cases, LevelCaseTest, ::testing::ValuesIn(allCases()), caseName);

// Every criterion of every catalog has a case that meets it, so a wrong condition cannot hide.
TEST(LevelCases, EveryCriterionHasACase) {
  ASSERT_GE(allCases().size(), 46u);
  for (const std::string file : {"regime-a.toml", "regime-b.toml"}) {
    auto cat = regime(file);
    ASSERT_NE(cat, nullptr);
    std::set<std::string> covered;
    for (const auto& c : allCases())
      if (c.regimeFile == file) covered.insert(c.meets);
    for (const auto& crit : cat->criteria()) EXPECT_TRUE(covered.count(crit.id)) << file << ": no case for " << crit.id;
  }
}

}  // namespace
}  // namespace vigil::compliance
