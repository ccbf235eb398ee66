// Official incident reports filled from the incident (issue 4, "Official reports"): the forms the
// incident's process names for its steps (outputs of kind "form"), each filled with what the
// records hold: the reporting agency, the affected system with its level, owner and operator, the
// detection time, the classification and its reasons, the description with the observables, the
// parties notified, the steps taken and the notes recorded. The officer gives the rest (document
// number, signer, recipient, the facts the records do not hold) and sees the missing mandatory
// fields, with their Vietnamese labels, before anything is rendered.
// Include only from src/api/*.cpp.
#pragma once

#include <string>
#include <vector>

#include "api/api.h"
#include "documents/form.h"

namespace vigil::api {

// What the records give, beyond the incident itself.
struct IncidentReportContext {
  std::string place;     // the province's place name for the date line ("Tuyên Quang")
  std::string todayIso;  // "2027-02-05", local
  int utcOffsetMinutes = 420;
  std::vector<std::string> systemAddresses;  // the system's web addresses and public IPs
  // "Số 210/BC-SYT, ngày 03 tháng 02 năm 2027": the newest Form 03 in the register (a sent one
  // first), for Form 04's reference to the initial report; empty without one.
  std::string initialReportRef;
  // Labels of the process: step id -> the law's step name; "step/output" -> label of each note
  // output (only notes are written into the measures fields).
  std::vector<std::pair<std::string, std::string>> stepNames;
  std::vector<std::pair<std::string, std::string>> outputLabels;
};

// Fills `def` from `inc`: only fields the form defines and the records know (so the result always
// passes documents::checkFormData's name check). Pure.
documents::FormData prefillIncidentReport(const documents::FormDefinition& def, const Incident& inc,
                                          const IncidentReportContext& ctx);

struct IncidentReportForm {
  const documents::FormDefinition* definition = nullptr;
  std::string step;  // the step whose output names the form (the first one, in process order)
  std::string stepName;
  std::string output;  // that output's id
  std::string outputLabel;
  bool currentStep = false;  // the output belongs to the incident's current step
  documents::FormData data;
};

// The forms of the incident's process, each once, in process order, prefilled. kNotFound for an
// incident outside the actor's scope; kUnavailable without templates or process data;
// kInternal when the process names a form that is not in the library.
Result<std::vector<IncidentReportForm>> incidentReportForms(Api& api, const Actor& actor, const Incident& inc);

// Records `outputId` (an output of the incident's current step) with `text` at `at`, as POST
// /incidents/{id}/outputs does: kConflict for a stale revision, kValidation when the output is not
// of the current step, already recorded in this visit, dated before the step, or the incident is
// closed; closes a final step it completes. Implemented in routes_incidents.cpp.
Result<Incident> recordCurrentStepOutput(Api& api, const Actor& actor, int64_t incidentId, int64_t revision,
                                         const std::string& outputId, const std::string& text, TimeMs at);

// "dd/mm/yyyy hh:mm" in local time (the datetime kind of documents/form.h).
std::string localDateTime(TimeMs t, int utcOffsetMinutes);

}  // namespace vigil::api
