// Test helpers of the Sigma engine: the pipeline of the source tree, loaded once, and events built
// from field lists.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "detect/sigma/compiled_rule.h"
#include "detect/sigma/pipeline.h"
#include "normalize/event.h"

namespace vigil::detect::sigma::testing {

inline const Pipeline& windowsPipeline() {
  static const Pipeline* p = [] {
    auto r = Pipeline::load(VIGIL_SIGMA_PIPELINE_DIR);
    if (!r) {
      ADD_FAILURE() << "pipeline: " << r.error().message;
      std::abort();
    }
    return new Pipeline(std::move(*r));
  }();
  return *p;
}

// An event with these fields (names copied into the event).
inline normalize::Event makeEvent(const std::vector<std::pair<std::string, std::string>>& fields) {
  normalize::Event e;
  e.reset("");
  for (const auto& [k, v] : fields) e.setOwnedName("", k, normalize::ValueType::kString, v);
  return e;
}

inline std::string corpusDir() { return std::string(VIGIL_TEST_SOURCE_DIR) + "/../shared/corpora/sigma"; }

// Lines of a test-data file without comments (#) and blank lines, split on tabs.
inline std::vector<std::vector<std::string>> readTsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) cols.push_back(c);
    rows.push_back(std::move(cols));
  }
  return rows;
}

}  // namespace vigil::detect::sigma::testing
