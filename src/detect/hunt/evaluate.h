// The one place where `vigil hunt` and `vigil rules test` evaluate rules on an event. Today the
// rule set is sigma::RuleSet (naive loop, detect/sigma/compiled_rule.h); when the indexed
// detection set with correlation and filter rules lands, this function (and the type in the
// two callers, Hunter and the rule-test counter) is what changes.
//
// Thread-safety: as RuleSet::match (any thread; the set is immutable).
#pragma once

#include <functional>

#include "detect/sigma/compiled_rule.h"
#include "normalize/event.h"

namespace vigil::detect::hunt {

inline void forEachMatch(const sigma::RuleSet& rules, const normalize::Event& event,
                         const std::function<void(const sigma::CompiledRule&)>& onMatch) {
  rules.match(event, onMatch);
}

}  // namespace vigil::detect::hunt
