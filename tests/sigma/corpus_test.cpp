// Every SigmaHQ rule of ../shared/corpora/sigma (rules, rules-emerging-threats,
// rules-threat-hunting) through the loader and compiler. Rules refused must be exactly those of
// expected_refusals.tsv (path, reason): each is a real defect of the rule, so a refusal that
// appears or disappears fails the test.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::corpusDir;
using testing::readTsv;
using testing::windowsPipeline;

TEST(SigmaCorpus, EveryValidRuleCompiles) {
  const std::string dir = corpusDir();
  ASSERT_TRUE(std::filesystem::exists(dir)) << dir;
  const RuleSet set = RuleSet::load({dir + "/rules", dir + "/rules-emerging-threats", dir + "/rules-threat-hunting"},
                                    windowsPipeline());
  const size_t total = set.size() + set.refusals().size();
  std::printf("SigmaHQ corpus: %zu rule files, %zu compiled, %zu refused\n", total, set.size(), set.refusals().size());
  EXPECT_EQ(total, 3754u);

  std::map<std::string, std::string> expected;
  for (const auto& row : readTsv(std::string(VIGIL_SIGMA_TEST_DIR) + "/expected_refusals.tsv")) {
    ASSERT_EQ(row.size(), 2u) << "expected_refusals.tsv: path<TAB>reason";
    expected[row[0]] = row[1];
  }
  std::set<std::string> refused;
  for (const Refusal& r : set.refusals()) {
    refused.insert(r.path);
    std::printf("  refused %s: %s\n", r.where.c_str(), r.reason.c_str());
    const auto it = expected.find(r.path);
    if (it == expected.end()) {
      ADD_FAILURE() << "unexpected refusal " << r.where << ": " << r.reason;
    } else {
      EXPECT_NE(r.reason.find(it->second), std::string::npos)
          << r.path << " refused for another reason: " << r.reason << " (expected: " << it->second << ")";
    }
  }
  for (const auto& [path, reason] : expected)
    EXPECT_TRUE(refused.count(path)) << path << " now compiles: remove it from expected_refusals.tsv";
}

}  // namespace
}  // namespace vigil::detect::sigma
