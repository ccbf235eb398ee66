// The incident's walk through a process (pure): given a process version and an incident's
// history, which transitions are allowed now, and whether a requested transition is valid.
// No store, no clock: "now" is a parameter. Errors are kValidation with `field` naming the
// offending input ("to", "at", "outputs", "steps[2].step", ...) and a message naming what is
// missing (the output ids and their labels, the allowed next steps).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "incident/process_catalog.h"

namespace vigil::incident {

struct RecordedOutput {
  std::string id;  // a StepOutput id of the step
  TimeMs at = 0;
};

struct StepRecord {
  std::string step;
  TimeMs enteredAt = 0;
  std::vector<RecordedOutput> outputs;
};

// What the clock and the state machine know about one incident.
struct IncidentHistory {
  std::string processId;
  int processVersion = 0;  // the version it runs (or ran) under
  TimeMs detectedAt = 0;
  std::vector<StepRecord> steps;                       // in order; empty before intake
  std::vector<std::pair<std::string, TimeMs>> events;  // [[event]] ids with their time
  std::set<std::string> flags;                         // classification flags: serious, national_security, complex
  // Outputs recorded under the process this incident continues (hand-over, handover.h): they meet
  // legal deadlines (`met_by`) as if recorded here, but belong to no step of this history.
  std::vector<RecordedOutput> carriedOutputs;
};

// Checks a stored history against its process: the first step is the start step, each next
// step is allowed by the previous one, times never go back and none is before detection, a
// blocking step's required outputs were recorded before it was left, outputs belong to their step.
Status validateHistory(const ProcessCatalog& process, const IncidentHistory& h);

struct Candidate {
  std::string step;
  std::string name;
  bool allowed = false;
  std::string reason;  // why not (missing outputs), empty when allowed
};

struct NextSteps {
  std::string current;  // empty before intake: the only candidate is the start step
  bool closed = false;  // the current step is final
  std::string handsOverTo;
  std::vector<std::string> missingOutputs;  // required outputs of the current step not yet recorded
  std::vector<Candidate> candidates;
};

// The transitions possible now. A blocking step with missing required outputs lists its next
// steps as not allowed, with the missing outputs as the reason; a non-blocking one allows them
// and still lists what is missing.
Result<NextSteps> allowedTransitions(const ProcessCatalog& process, const IncidentHistory& h);

struct TransitionRequest {
  std::string to;
  TimeMs at = 0;
  std::vector<RecordedOutput> outputs;  // outputs of the current step recorded with the request
};

// Validates `req` against the history (which must itself be valid) at `now`: the target is a
// step of the process and allowed after the current one (or the start step for an empty
// history), the incident is not closed, `at` is not before the previous step's entry nor before
// detection nor after `now`, the outputs belong to the current step and are not dated after
// `at`, and a blocking step's required outputs are all recorded.
Status validateTransition(const ProcessCatalog& process, const IncidentHistory& h, const TransitionRequest& req,
                          TimeMs now);

// A change of the detection time. Refused when it is in the future or after the first step was
// entered, and refused when it moves at all once any form output (a notification or report) has
// been recorded: the legal deadlines were counted and reported from the old time, so a
// correction is a note, not a rewrite. The message says which report was sent and when.
Status validateDetectedAt(const ProcessCatalog& process, const IncidentHistory& h, TimeMs newDetectedAt, TimeMs now);

}  // namespace vigil::incident
