// Fuzz target: the regime catalog loader. Any input is either refused with a located error or
// accepted; an accepted catalog must answer every system with a level in 1..max_level, a criterion
// outcome per criterion and an appraising and approving body.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "compliance/level_calculator.h"
#include "compliance/regime_catalog.h"

using namespace vigil::compliance;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  auto cat = RegimeCatalog::parse(in, "fuzz.toml");
  if (!cat.ok()) {
    if (cat.error().message.rfind("fuzz.toml", 0) != 0) std::abort();  // errors are located
    return 0;
  }
  auto shared = std::make_shared<const RegimeCatalog>(std::move(cat).value());
  const LevelCalculator calc(shared);
  // One answer per fact: its first allowed value, or its minimum, or true.
  Facts facts;
  for (const auto& f : shared->facts()) {
    switch (f.type) {
      case FactType::kEnum: facts.setText(f.name, f.values.front()); break;
      case FactType::kSet: facts.setSet(f.name, {f.values.front()}); break;
      case FactType::kInt: facts.setInt(f.name, f.max); break;
      case FactType::kBool: facts.setBool(f.name, true); break;
    }
  }
  auto r = calc.calculate(facts);
  if (!r.ok()) return 0;  // the answers may break one of the catalog's constraints
  if (r->level < 1 || r->level > shared->maxLevel()) std::abort();
  if (r->reasoning.size() != shared->criteria().size()) std::abort();
  if (r->appraising.body.empty() || r->approving.body.empty()) std::abort();
  return 0;
}
