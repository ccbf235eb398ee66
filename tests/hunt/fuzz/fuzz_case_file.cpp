// Fuzz target: a vigil rule-test case file (detect/hunt/rule_tests.h) through the YAML reader,
// the inline events (YAML -> JSON -> Event) and lines (syslog + normaliser), and a set of one rule
// and one correlation over it.
// Any input gives CaseResults with a reason, never a crash; a YAML error names the file.
// Inputs naming an `input:` file are skipped: they would read files of the fuzzing machine.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "detect/hunt/rule_tests.h"
#include "detect/sigma/detection.h"
#include "detect/sigma/pipeline.h"
#include "normalize/normalizer.h"

namespace {

struct Fixture {
  vigil::detect::sigma::Pipeline pipeline;
  vigil::normalize::Normalizer normalizer;
  std::shared_ptr<const vigil::detect::sigma::DetectionSet> rules;
  std::string path;
};

Fixture& fixture() {
  static Fixture* f = [] {
    auto normalizer = vigil::normalize::Normalizer::load(VIGIL_NORMALIZE_CATALOG_DIR);
    if (!normalizer) std::abort();
    auto* out = new Fixture{{}, std::move(*normalizer), {}, {}};
    out->rules = vigil::detect::sigma::DetectionSet::fromTexts({{"fuzz_rule.yml", R"(title: root
id: 5721b482-28d6-4016-9cd7-542d3773cccb
logsource: {product: linux, service: sshd}
detection:
  sel:
    user.name: root
  condition: sel
level: high
---
title: roots
id: 0c4d2a51-6f3b-4e8a-9b7c-1d2e3f4a5b6c
correlation:
  type: event_count
  rules: [5721b482-28d6-4016-9cd7-542d3773cccb]
  group-by: [source.ip]
  timespan: 5m
  condition: {gte: 2}
level: high
)"}},
                                                               out->pipeline);
    if (out->rules->rules().size() != 1 || out->rules->correlationCount() != 1) std::abort();
    out->path =
        (std::filesystem::temp_directory_path() / ("vigil_fuzz_case_" + std::to_string(getpid()) + ".yml")).string();
    return out;
  }();
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.find("input") != std::string_view::npos) return 0;
  Fixture& f = fixture();
  {
    std::ofstream out(f.path, std::ios::binary | std::ios::trunc);
    out.write(in.data(), static_cast<std::streamsize>(in.size()));
  }
  const vigil::detect::hunt::LogReaders readers{.normalizer = &f.normalizer, .nowUs = 1'700'000'000'000'000};
  auto totals = vigil::detect::hunt::runRuleTests(*f.rules, readers, {f.path}, [&](const auto& r) {
    if (r.reason.empty() || r.where.rfind(f.path, 0) != 0) std::abort();
  });
  if (!totals) std::abort();  // the file exists: it is read, whatever it holds
  return 0;
}
