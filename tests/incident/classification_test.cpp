// Classification: the cases of cases/classification.toml (Decision 05 Art. 9, Decree 331 Art.
// 31.2.d, the internal scale), and the refusals of bad input.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "incident/classification.h"
#include "incident_support.h"

namespace vigil::incident {
namespace {

TEST(IncidentClassification, CaseFile) {
  toml::table file;
  try {
    file = toml::parse_file(std::string(VIGIL_INCIDENT_CASES_DIR) + "/classification.toml");
  } catch (const toml::parse_error& e) {
    FAIL() << e.description();
  }
  const auto* cases = file["case"].as_array();
  ASSERT_TRUE(cases && cases->size() >= 8);
  for (const auto& node : *cases) {
    const auto& c = *node.as_table();
    SCOPED_TRACE(c["name"].value_or(std::string()));
    ClassificationInput in;
    in.regime = c["regime"].value_or(std::string());
    if (int level = c["level"].value_or(0); level > 0) in.level = level;
    in.critical = c["critical"].value_or(false);
    for (const auto& f : *c["facts"].as_array()) in.facts.insert(f.value_or(std::string()));
    auto r = classify(testing::classification(), in);
    ASSERT_TRUE(r.ok()) << r.error().message;
    std::set<std::string> flags;
    for (const auto& f : *c["flags"].as_array()) flags.insert(f.value_or(std::string()));
    EXPECT_EQ(r->flags, flags);
    EXPECT_EQ(r->severity, c["severity"].value_or(std::string()));
    EXPECT_NE(r->severityLabel.find("nội bộ"), std::string::npos) << "the scale says it is internal";
    const std::string test = c["test"].value_or(std::string());
    const TestOutcome* o = nullptr;
    for (const auto& x : r->tests)
      if (x.id == test) o = &x;
    ASSERT_TRUE(o) << test;
    EXPECT_EQ(o->met, c["met"].value_or(false));
    EXPECT_EQ(o->source.cite(), c["cites"].value_or(std::string()));
    EXPECT_EQ(!o->verified, c["unverified"].value_or(false));
    if (auto reason = c["reason"].value<std::string>()) {
      bool found = false;
      for (const auto& cond : o->conditions) found = found || cond.reason.find(*reason) != std::string::npos;
      EXPECT_TRUE(found) << "no condition explains: " << *reason;
    }
    for (const auto& cond : o->conditions) EXPECT_FALSE(cond.reason.empty());
  }
}

TEST(IncidentClassification, BadInputIsRefusedNamingTheField) {
  ClassificationInput in{"A_ND85_TT12", 6, false, {}};
  auto level = classify(testing::classification(), in);
  ASSERT_FALSE(level.ok());
  EXPECT_EQ(level.error().field, "level");
  in.level = 4;
  in.facts = {"aliens"};
  auto fact = classify(testing::classification(), in);
  ASSERT_FALSE(fact.ok());
  EXPECT_NE(fact.error().message.find("unknown fact 'aliens'"), std::string::npos);
  in.facts = {};
  in.regime = "C";
  auto regime = classify(testing::classification(), in);
  ASSERT_FALSE(regime.ok());
  EXPECT_EQ(regime.error().field, "regime");
}

}  // namespace
}  // namespace vigil::incident
