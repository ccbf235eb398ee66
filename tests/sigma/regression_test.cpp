// SigmaHQ regression data (../shared/corpora/sigma/regression_index.tsv): each case's rule over
// its .evtx file, read the real way (evtx::readEvtxFile + the Windows mapping of
// catalogs/normalize/windows/), must match at least match_count_min events. The cases that do not
// are exactly those of expected_regression_failures.tsv (rule path, reason). A case without a
// match_count (30 of them) must match at least once.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "evtx/evtx_reader.h"
#include "evtx/windows_mapping.h"
#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::corpusDir;
using testing::readTsv;
using testing::windowsPipeline;

TEST(SigmaRegression, EveryCaseReachesItsMatchCount) {
  const std::string dir = corpusDir();
  auto mapping = evtx::WindowsMapping::load(VIGIL_WINDOWS_MAPPING_DIR);
  ASSERT_TRUE(mapping) << mapping.error().message;
  const auto rows = readTsv(dir + "/regression_index.tsv");
  ASSERT_GT(rows.size(), 1u);
  const auto& header = rows[0];
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* name : {"rule_path", "evtx_path", "match_count_min"}) ASSERT_TRUE(col.count(name)) << name;

  std::map<std::string, std::string> expected;
  for (const auto& row : readTsv(std::string(VIGIL_SIGMA_TEST_DIR) + "/expected_regression_failures.tsv")) {
    ASSERT_EQ(row.size(), 2u) << "expected_regression_failures.tsv: rule path<TAB>reason";
    expected[row[0]] = row[1];
  }

  size_t passed = 0, cases = 0;
  std::set<std::string> failed;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), header.size()) << "line " << i + 1;
    const std::string rulePath = row[col["rule_path"]];
    // Empty when the case's info.yml gives no match_count: SigmaHQ's check is then "fires at least once".
    const std::string& wantText = row[col["match_count_min"]];
    const size_t want = wantText.empty() ? 1 : std::stoul(wantText);
    ++cases;
    auto rule = loadRuleFile(dir + "/" + rulePath, rulePath);
    std::string why;
    size_t matched = 0, events = 0;
    if (!rule) {
      why = "load: " + rule.error().message;
    } else {
      auto compiled = CompiledRule::compile(*rule, windowsPipeline(), {});
      if (!compiled) {
        why = "compile: " + compiled.error().message;
      } else {
        auto stats = evtx::readEvtxFile(dir + "/" + row[col["evtx_path"]], [&](normalize::Event& e) {
          mapping->apply(e);
          ++events;
          if (compiled->matches(e)) ++matched;
          return true;
        });
        if (!stats) why = "evtx: " + stats.error().message;
      }
    }
    if (why.empty() && matched >= want) {
      ++passed;
      continue;
    }
    if (why.empty())
      why = std::to_string(matched) + " of " + std::to_string(events) + " events matched, want " + std::to_string(want);
    failed.insert(rulePath);
    std::printf("  failed %s: %s\n", rulePath.c_str(), why.c_str());
    if (!expected.count(rulePath)) ADD_FAILURE() << "regression case failed: " << rulePath << ": " << why;
  }
  std::printf("SigmaHQ regression data: %zu of %zu cases pass\n", passed, cases);
  EXPECT_EQ(cases, 202u);
  for (const auto& [path, reason] : expected)
    EXPECT_TRUE(failed.count(path)) << path << " now passes: remove it from expected_regression_failures.tsv";
}

}  // namespace
}  // namespace vigil::detect::sigma
