// Helpers of the compliance tests: the regime catalogs of the source tree, loaded once.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

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

inline const CriterionOutcome* outcome(const LevelResult& r, const std::string& id) {
  for (const auto& o : r.reasoning)
    if (o.id == id) return &o;
  return nullptr;
}

}  // namespace vigil::compliance::testing
