// Fuzz target: the incident process loader (linked to the regime catalogs and the calendar of
// the source tree). Any input is either refused with a located error or accepted; an accepted
// process has one start step, every step reachable with a final step reachable from it, and the
// state machine and the legal clock accept a history that walks it by the first next step.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "calendar/working_calendar.h"
#include "incident/legal_clock.h"
#include "incident/process_catalog.h"
#include "incident/state_machine.h"

using namespace vigil;
using namespace vigil::incident;

namespace {

const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes() {
  static const auto all = [] {
    std::vector<std::shared_ptr<const compliance::RegimeCatalog>> out;
    for (const char* f : {"/regime-a.toml", "/regime-b.toml"}) {
      auto r = compliance::RegimeCatalog::load(std::string(VIGIL_REGIMES_DIR) + f);
      if (!r.ok()) std::abort();
      out.push_back(std::make_shared<const compliance::RegimeCatalog>(std::move(r).value()));
    }
    return out;
  }();
  return all;
}

const calendar::WorkingCalendar& cal() {
  static const calendar::WorkingCalendar c = [] {
    auto r = calendar::WorkingCalendar::load(VIGIL_CALENDAR_FILE);
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  auto p = ProcessCatalog::parse(in, "fuzz.toml", regimes());
  if (!p.ok()) {
    if (p.error().message.rfind("fuzz.toml", 0) != 0) std::abort();  // errors are located
    return 0;
  }
  if (!p->startStep().start) std::abort();
  const TimeMs detected = 1772409600000;  // 2026-03-02T00:00:00Z
  IncidentHistory h{p->id(), p->version(), detected, {}, {}, {}};
  TimeMs at = detected;
  // Walk by the first next step, recording every output, at most 2 * steps transitions.
  std::string to = p->startStep().id;
  for (size_t i = 0; i < 2 * p->steps().size() && !to.empty(); ++i) {
    at += 3600 * 1000;
    if (!validateTransition(*p, h, {to, at, {}}, at).ok()) std::abort();
    StepRecord r{to, at, {}};
    const Step* s = p->step(to);
    for (const auto& o : s->outputs) r.outputs.push_back({o.id, at});
    h.steps.push_back(std::move(r));
    auto next = allowedTransitions(*p, h);
    if (!next.ok() || next->closed != s->final) std::abort();
    to = s->next.empty() ? "" : s->next.front();
  }
  auto clock = legalClock(*p, h, cal(), at);
  if (!clock.ok()) std::abort();
  return 0;
}
