// Fuzz target: a Sigma rule through the YAML loader, the compiler (with a small pipeline) and one
// evaluation; then the same text as a rule file of several documents (detection, correlation and
// meta filter rules) through DetectionSet and a Detector over a few events. Any input is refused
// with "<origin>:<line>: reason" or compiles and evaluates without crashing.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "detect/sigma/compiled_rule.h"
#include "detect/sigma/detection.h"

namespace {

const vigil::detect::sigma::Pipeline& pipeline() {
  static const vigil::detect::sigma::Pipeline* p = [] {
    auto* out = new vigil::detect::sigma::Pipeline();
    auto s = out->add(R"([[product]]
name = "windows"
present = ["winlog.channel"]
prefixes = ["winlog.event_data."]
[fields]
EventID = ["winlog.event_id"]
[[logsource]]
product = "windows"
category = "process_creation"
any = [ { "winlog.event_id" = "1" } ]
)",
                      "fuzz.toml");
    if (!s) std::abort();
    return out;
  }();
  return *p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::detect::sigma;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::normalize::Event e;
  e.reset("raw text of the event");
  e.setString("winlog.channel", "Security");
  e.setString("winlog.event_id", "1");
  e.setOwnedName("winlog.event_data.", "Image", vigil::normalize::ValueType::kString, "C:\\Windows\\cmd.exe");
  e.setOwnedName("winlog.event_data.", "CommandLine", vigil::normalize::ValueType::kString, "cmd /c whoami");
  e.setTime("@timestamp", 1700000000000000);

  // The whole text as one rule file: every refusal names fuzz.yml and a line.
  const auto set = DetectionSet::fromTexts({{"fuzz.yml", std::string(in)}}, pipeline());
  for (const Refusal& r : set->refusals())
    if (r.where.rfind("fuzz.yml", 0) != 0) std::abort();
  Detector detector(set);
  for (int i = 0; i < 4; ++i) {
    e.setTime("@timestamp", 1700000000000000 + int64_t{i} * 60000000);
    (void)detector.evaluate(e, {});
  }
  (void)detector.finish({});

  auto rule = parseRule(in, "fuzz.yml");
  if (!rule) {
    if (rule.error().message.rfind("fuzz.yml:", 0) != 0) std::abort();
    return 0;
  }
  auto compiled = CompiledRule::compile(*rule, pipeline(), {});
  if (!compiled) {
    if (compiled.error().message.rfind("fuzz.yml:", 0) != 0) std::abort();
    return 0;
  }
  (void)compiled->matches(e);
  return 0;
}
