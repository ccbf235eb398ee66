// Helpers of the compliance tests: the regime catalogs of the source tree, loaded once.
#pragma once

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "compliance/level_calculator.h"
#include "compliance/regime_catalog.h"

namespace vigil::compliance::testing {

inline std::string regimePath(const std::string& file) { return std::string(VIGIL_REGIMES_DIR) + "/" + file; }

// The catalog catalogs/regimes/<file>; fails the test (and returns nullptr) when it does not load.
inline std::shared_ptr<const RegimeCatalog> regime(const std::string& file) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const RegimeCatalog>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(file); it != cache.end()) return it->second;
  auto loaded = RegimeCatalog::load(regimePath(file));
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.error().message;
    return nullptr;
  }
  auto ptr = std::make_shared<const RegimeCatalog>(std::move(loaded).value());
  cache.emplace(file, ptr);
  return ptr;
}

// Both regime catalogs of the source tree, as the checklist and schedule loaders take them.
inline std::vector<std::shared_ptr<const RegimeCatalog>> regimes() {
  std::vector<std::shared_ptr<const RegimeCatalog>> out;
  for (const char* f : {"regime-a.toml", "regime-b.toml"})
    if (auto r = regime(f)) out.push_back(r);
  return out;
}

inline std::string checklistPath(const std::string& file) { return std::string(VIGIL_CHECKLISTS_DIR) + "/" + file; }
inline std::string schedulePath(const std::string& file) { return std::string(VIGIL_SCHEDULES_DIR) + "/" + file; }

inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Line (1-based) of the first occurrence of `needle` in `text`; 0 (and a failure) when absent.
inline int lineOf(const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  if (pos == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

// A broken variant of a catalog file: the first `from` replaced by `to`. The loader must refuse
// it with an error placed at the line of `lineOf` (in the mutated text) that contains `message`.
struct Mutation {
  const char* name;
  std::string from;
  std::string to;
  std::string lineOf;
  std::string message;
};

// Applies `m` to `original` and checks the error of `parse(text)` ("origin:line: ...").
template <typename Parse>
void expectRefused(const std::string& original, const std::string& origin, const Mutation& m, Parse parse) {
  SCOPED_TRACE(m.name);
  std::string text = original;
  const auto pos = text.find(m.from);
  ASSERT_NE(pos, std::string::npos) << m.from;
  text.replace(pos, m.from.size(), m.to);
  auto r = parse(text);
  ASSERT_FALSE(r.ok()) << "the broken catalog was accepted";
  const std::string expectedPlace = origin + ":" + std::to_string(lineOf(text, m.lineOf)) + ": ";
  EXPECT_EQ(r.error().message.rfind(expectedPlace, 0), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find(m.message), std::string::npos) << r.error().message;
}

// The data-driven case file tests/compliance/cases/<name>; a syntax error fails the test and
// gives an empty table.
inline toml::table caseFile(const std::string& name) {
  const std::string path = std::string(VIGIL_COMPLIANCE_CASES_DIR) + "/" + name;
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    ADD_FAILURE() << path << ": " << e.description();
    return {};
  }
}

inline const CriterionOutcome* outcome(const LevelResult& r, const std::string& id) {
  for (const auto& o : r.reasoning)
    if (o.id == id) return &o;
  return nullptr;
}

}  // namespace vigil::compliance::testing
