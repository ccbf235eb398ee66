// The one place where `vigil hunt` and `vigil rules test` evaluate Sigma content on events:
// StreamEvaluator runs a sigma::DetectionSet (detection rules, meta filter rules, correlation
// rules; detect/sigma/detection.h) over ONE stream of events in record order (a hunted file, a
// test case) with that stream's own correlation state.
//
// Contract:
// - add(): reports the rule matches that survive the filters (rules that only feed correlations
//   are not reported unless a correlation says `generate: true`), then the correlation firings
//   this event causes; `onMatched`, when given, also receives every detection rule the event
//   matched after filters, reported or not (`rules test` counts those).
// - finish(): end of the stream: closes every open correlation window and reports what fires
//   (window-close correlations, e.g. `lt` bounds or value_* metrics). Call it once, at the end.
// Correlation state is per stream: events of two files are never correlated together, so the
// output does not depend on the number of threads or on the file order.
//
// Thread-safety: one evaluator per stream and thread; the DetectionSet is shared and read only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "detect/sigma/detection.h"
#include "normalize/event.h"

namespace vigil::detect::hunt {

class StreamEvaluator {
 public:
  // `set` must outlive the evaluator.
  explicit StreamEvaluator(const sigma::DetectionSet& set)
      : set_(set), state_(set.correlationCount() != 0 ? set.newState() : nullptr) {}

  void add(const normalize::Event& event, const sigma::OnDetection& onDetection,
           const std::function<void(const sigma::CompiledRule&)>& onMatched = {}) {
    set_.matchRules(event, signals_, onDetection);
    if (onMatched)
      for (uint32_t s : signals_) onMatched(set_.rules().at(s));  // signals below rules().size() are rules
    if (state_) set_.correlate(*state_, event, signals_, onDetection);
  }
  void finish(const sigma::OnDetection& onDetection) {
    if (state_) set_.finish(*state_, onDetection);
  }

 private:
  const sigma::DetectionSet& set_;
  std::unique_ptr<sigma::CorrelationEngine> state_;
  std::vector<uint32_t> signals_;
};

}  // namespace vigil::detect::hunt
