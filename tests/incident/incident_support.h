// Helpers of the incident tests: the regimes, processes, classification and calendar of the
// source tree, loaded once; times written as RFC 3339 with the +07:00 offset.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "calendar/working_calendar.h"
#include "compliance/compliance_support.h"
#include "core/clock.h"
#include "incident/classification.h"
#include "incident/process_catalog.h"

namespace vigil::incident::testing {

using compliance::testing::lineOf;
using compliance::testing::readFile;
using compliance::testing::regimes;

inline std::string processDir() { return std::string(VIGIL_INCIDENT_CATALOG_DIR) + "/processes"; }
inline std::string processPath(const std::string& file) { return processDir() + "/" + file; }
inline std::string classificationPath() { return std::string(VIGIL_INCIDENT_CATALOG_DIR) + "/classification.toml"; }

// "2026-03-06T18:00:00+07:00" -> TimeMs; fails the test on a malformed time.
inline TimeMs t(const std::string& s) {
  auto v = parseRfc3339(s);
  EXPECT_TRUE(v.has_value()) << s;
  return v.value_or(0);
}

inline const ProcessLibrary& library() {
  static const ProcessLibrary lib = [] {
    auto r = ProcessLibrary::loadDirectory(processDir(), regimes());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : ProcessLibrary{};
  }();
  return lib;
}

inline std::shared_ptr<const ProcessCatalog> process(const std::string& id) {
  auto p = library().latest(id);
  EXPECT_TRUE(p) << "no process " << id;
  return p;
}

inline const ClassificationCatalog& classification() {
  static const ClassificationCatalog cat = [] {
    auto r = ClassificationCatalog::load(classificationPath(), regimes());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : ClassificationCatalog{};
  }();
  return cat;
}

inline const calendar::WorkingCalendar& vnCalendar() {
  static const calendar::WorkingCalendar cal = [] {
    auto r = calendar::WorkingCalendar::load(VIGIL_CALENDAR_FILE);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : calendar::WorkingCalendar{};
  }();
  return cal;
}

}  // namespace vigil::incident::testing
