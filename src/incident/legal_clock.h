// The legal clock of an incident (pure): the deadlines of its process version (the regime's
// reporting deadlines and the steps' own deadlines, both data), dated on the Vietnamese calendar
// and compared with "now".
//
// Counting: hours run through nights, weekends and holidays (WorkingCalendar::afterHours);
// "N ngày" counts calendar days from the local day of the event, which is not counted, ending at
// 24:00 of the last day and moving to the next working day when that is a rest day or holiday
// (Civil Code Art. 147-148, WorkingCalendar::afterCalendarDays); working days skip weekends,
// holidays and days in lieu (afterWorkingDays). A limit that touches a year whose calendar notice
// is not loaded is marked provisional, with the calendar's note. "Immediately" (ngay) has no
// length in law: the data gives an internal target in hours and the result says it is internal.
//
// States: with `elapsed` = (now - start) / (due - start): ok below 50 %, warn50 from 50 %, warn75
// from 75 %, warn90 from 90 % up to and including the due instant, breached after it. A deadline
// whose output is recorded is met (or met_late when recorded after the due instant); its state no
// longer changes with now.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/working_calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "incident/process_catalog.h"
#include "incident/state_machine.h"

namespace vigil::incident {

enum class DeadlineState { kOk, kWarn50, kWarn75, kWarn90, kBreached, kMet, kMetLate };
std::string_view deadlineStateName(DeadlineState s);  // ok, warn50, warn75, warn90, breached, met, met_late

// The state of an open limit running from `start` to `due` at `now` (see the header comment).
DeadlineState stateAt(TimeMs start, TimeMs due, TimeMs now);

struct ClockDeadline {
  std::string id;  // the [[deadline]] id, or "step:<step id>" for a step's own deadline
  std::string label;
  std::string from;  // "detected", an event id, or "step:<id>"
  TimeMs startAt = 0;
  TimeMs dueAt = 0;
  bool immediate = false;       // dueAt is our internal target; the law says "immediately"
  int internalTargetHours = 0;  // immediate only
  bool provisional = false;     // depends on a calendar year or day not yet confirmed
  std::string calendarNote;     // why provisional, or which rest days moved the last day
  DeadlineState state = DeadlineState::kOk;
  int64_t leftMs = 0;  // dueAt - now; negative once breached; for met ones dueAt - metAt
  std::optional<TimeMs> metAt;
  std::string metBy;  // the output that meets it
  compliance::Source source;
  bool verified = true;
};

// Every deadline that applies to the incident now: legal deadlines whose `from` event has
// happened and whose `when` conditions hold, and the own deadline of the current visit of each
// step entered. Sorted: open ones by due instant (nearest first), then met ones by due instant.
// Refused (kValidation naming the field): a history that does not fit the process, an event
// unknown to the process or dated before detection or after now, now before detection.
Result<std::vector<ClockDeadline>> legalClock(const ProcessCatalog& process, const IncidentHistory& h,
                                              const calendar::WorkingCalendar& cal, TimeMs now);

}  // namespace vigil::incident
