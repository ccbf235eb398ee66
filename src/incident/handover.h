// Hand-over between processes (issue 4, "Incidents"): whether an incident may end its history
// under one process and continue under another, decided from the process data alone (pure).
//
// Allowed, and nothing else:
// 1. Hand-back: the incident's current step is final and names the target in `hands_over_to`
//    (A-QD05-serious's `hand_back` names A-TT20), with that step's required outputs recorded.
// 2. Escalation: the incident is open (its current step is not final), its recorded
//    classification carries the flag "serious" (the Decision 05 Art. 9 test,
//    catalogs/incident/classification.toml), and the target is a process of the same regime with
//    a final step that hands over back to the incident's process (so A-TT20 -> A-QD05-serious:
//    the serious path is the one that can hand a normal incident back).
// A refusal says which rule failed and why (kValidation on "to_process").
//
// The successor runs the target's latest version from its start step; the legal clock keeps the
// original detection time, and the clock events the history recorded that the target also
// declares (same [[event]] id) are carried over with their original times, and so are the recorded
// outputs that meet one of the target's legal deadlines (`met_by`), so a deadline already met
// stays met.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "incident/process_catalog.h"
#include "incident/state_machine.h"

namespace vigil::incident {

// The flag of the Decision 05 Art. 9 serious-incident test (classification.toml).
inline constexpr const char* kSeriousFlag = "serious";

enum class HandoverRule { kHandsOverTo, kSeriousEscalation };
std::string_view handoverRuleName(HandoverRule r);  // "hands_over_to", "serious_escalation"

struct HandoverPlan {
  std::shared_ptr<const ProcessCatalog> to;  // the target's latest version
  HandoverRule rule = HandoverRule::kHandsOverTo;
  std::string startStep;                               // of `to`
  std::vector<std::pair<std::string, TimeMs>> events;  // carried over: ids `to` declares, original times
  // Carried over: the recorded outputs (of any step, or carried in already) that meet a legal
  // deadline of `to` (its `met_by`), with their times, so a notification already sent stays sent.
  std::vector<RecordedOutput> outputs;
};

// `from` is the version `h` runs under; `to` the target process id.
Result<HandoverPlan> planHandover(const ProcessLibrary& lib, const ProcessCatalog& from, const IncidentHistory& h,
                                  const std::string& to);

// The processes an incident may hand over to now (each with its rule), for the UI: every process
// planHandover accepts.
std::vector<std::pair<std::string, HandoverRule>> handoverTargets(const ProcessLibrary& lib, const ProcessCatalog& from,
                                                                  const IncidentHistory& h);

}  // namespace vigil::incident
