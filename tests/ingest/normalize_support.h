// Test helpers for the normaliser: the catalog loaded once, fixed parse options, and a field
// rendered as text (strings and IPs as sent, integers in decimal, times as UTC ISO 8601).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ingest/syslog.h"
#include "normalize/normalizer.h"

namespace vigil::normalize::testing {

// 2026-11-24T03:00:00Z, the reference and receive time of every test line.
inline constexpr ingest::TimeUs kReceivedUs = 1'795'489'200'000'000;

inline const Normalizer& catalogNormalizer() {
  static const Normalizer* n = [] {
    auto r = Normalizer::load(VIGIL_NORMALIZE_CATALOG_DIR);
    if (!r) {
      ADD_FAILURE() << "catalog: " << r.error().message;
      std::abort();
    }
    return new Normalizer(std::move(*r));
  }();
  return *n;
}

inline ingest::ParseOptions parseOptions() {
  ingest::ParseOptions o;
  o.receivedUs = kReceivedUs;
  return o;
}

inline Event normalizeLine(const std::string& line) {
  const ingest::SyslogMessage m = ingest::parseSyslog(line, parseOptions());
  return catalogNormalizer().normalize(m, SourceContext{1, 2, kReceivedUs});
}

inline std::string render(const Value& v) {
  switch (v.type) {
    case ValueType::kInt: return std::to_string(v.number);
    case ValueType::kTime: return Event::formatTime(v.number);
    default: return std::string(v.text);
  }
}

inline std::string dump(const Event& e) {
  std::string out;
  for (size_t i = 0; i < e.size(); ++i) out += "  " + std::string(e.nameAt(i)) + " = " + render(e.valueAt(i)) + "\n";
  return out;
}

}  // namespace vigil::normalize::testing
