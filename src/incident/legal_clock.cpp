#include "incident/legal_clock.h"

#include <algorithm>

namespace vigil::incident {

std::string_view deadlineStateName(DeadlineState s) {
  switch (s) {
    case DeadlineState::kOk: return "ok";
    case DeadlineState::kWarn50: return "warn50";
    case DeadlineState::kWarn75: return "warn75";
    case DeadlineState::kWarn90: return "warn90";
    case DeadlineState::kBreached: return "breached";
    case DeadlineState::kMet: return "met";
    case DeadlineState::kMetLate: return "met_late";
  }
  return "ok";
}

DeadlineState stateAt(TimeMs start, TimeMs due, TimeMs now) {
  if (now > due) return DeadlineState::kBreached;
  const int64_t total = due - start;
  if (total <= 0) return DeadlineState::kWarn90;  // due at its own start: the last moment
  // Integer percentages: elapsed * 100 >= p * total, so the boundaries are exact.
  const int64_t elapsed = std::max<int64_t>(0, now - start);
  if (elapsed * 100 >= 90 * total) return DeadlineState::kWarn90;
  if (elapsed * 100 >= 75 * total) return DeadlineState::kWarn75;
  if (elapsed * 100 >= 50 * total) return DeadlineState::kWarn50;
  return DeadlineState::kOk;
}

namespace {

constexpr int64_t kHourMs = 3600LL * 1000;

void date(ClockDeadline& d, const Limit& lim, const calendar::WorkingCalendar& cal) {
  calendar::Deadline c;
  switch (lim.unit) {
    case LimitUnit::kHours: c = cal.afterHours(d.startAt, lim.amount); break;
    case LimitUnit::kCalendarDays: c = cal.afterCalendarDays(cal.localDate(d.startAt), lim.amount); break;
    case LimitUnit::kWorkingDays: c = cal.afterWorkingDays(cal.localDate(d.startAt), lim.amount); break;
    case LimitUnit::kImmediate:
      d.immediate = true;
      d.internalTargetHours = lim.internalTargetHours;
      c.dueAt = d.startAt + lim.internalTargetHours * kHourMs;
      break;
  }
  d.dueAt = c.dueAt;
  d.provisional = c.provisional;
  d.calendarNote = c.note;
}

void settle(ClockDeadline& d, TimeMs now) {
  if (d.metAt) {
    d.state = *d.metAt <= d.dueAt ? DeadlineState::kMet : DeadlineState::kMetLate;
    d.leftMs = d.dueAt - *d.metAt;
  } else {
    d.state = stateAt(d.startAt, d.dueAt, now);
    d.leftMs = d.dueAt - now;
  }
}

// The first time output `id` was recorded anywhere in the history (carried outputs included).
std::optional<TimeMs> firstRecorded(const IncidentHistory& h, const std::string& id) {
  std::optional<TimeMs> best;
  for (const auto& r : h.steps)
    for (const auto& o : r.outputs)
      if (o.id == id && (!best || o.at < *best)) best = o.at;
  for (const auto& o : h.carriedOutputs)
    if (o.id == id && (!best || o.at < *best)) best = o.at;
  return best;
}

}  // namespace

Result<std::vector<ClockDeadline>> legalClock(const ProcessCatalog& p, const IncidentHistory& h,
                                              const calendar::WorkingCalendar& cal, TimeMs now) {
  VIGIL_TRY(validateHistory(p, h));
  if (now < h.detectedAt)
    return Error::validation("now",
                             formatRfc3339(now) + " is before the detection time " + formatRfc3339(h.detectedAt));
  auto eventAt = [&](const std::string& id) -> std::optional<TimeMs> {
    if (id == "detected") return h.detectedAt;
    for (const auto& [e, t] : h.events)
      if (e == id) return t;
    return std::nullopt;
  };
  for (size_t i = 0; i < h.events.size(); ++i) {
    const auto& [id, t] = h.events[i];
    const std::string f = "events[" + std::to_string(i) + "]";
    if (!p.event(id)) return Error::validation(f, "unknown event '" + id + "' in " + p.key());
    if (t < h.detectedAt) return Error::validation(f, id + " is dated before the detection time");
    if (t > now) return Error::validation(f, id + " is dated in the future");
  }

  std::vector<ClockDeadline> out;
  for (const auto& ld : p.deadlines()) {
    const auto start = eventAt(ld.from);
    if (!start) continue;
    const bool applies = std::all_of(ld.when.begin(), ld.when.end(), [&](const std::string& c) {
      return h.flags.count(c) > 0 || eventAt(c).has_value();
    });
    if (!applies) continue;
    ClockDeadline d;
    d.id = ld.id;
    d.label = ld.label;
    d.from = ld.from;
    d.startAt = *start;
    d.metBy = ld.metBy;
    d.source = ld.source;
    d.verified = ld.verified;
    date(d, ld.limit, cal);
    d.metAt = firstRecorded(h, ld.metBy);
    settle(d, now);
    out.push_back(std::move(d));
  }
  // Step deadlines: the latest visit of each step that has one.
  for (const auto& s : p.steps()) {
    if (!s.deadline) continue;
    for (size_t i = h.steps.size(); i-- > 0;) {
      if (h.steps[i].step != s.id) continue;
      ClockDeadline d;
      d.id = "step:" + s.id;
      d.label = s.deadline->label;
      d.from = "step:" + s.id;
      d.startAt = h.steps[i].enteredAt;
      d.metBy = s.deadline->metBy;
      d.source = s.deadline->source;
      date(d, s.deadline->limit, cal);
      if (d.metBy.empty()) {
        if (i + 1 < h.steps.size()) d.metAt = h.steps[i + 1].enteredAt;
      } else {
        for (const auto& o : h.steps[i].outputs)
          if (o.id == d.metBy && (!d.metAt || o.at < *d.metAt)) d.metAt = o.at;
      }
      settle(d, now);
      out.push_back(std::move(d));
      break;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ClockDeadline& a, const ClockDeadline& b) {
    const bool aOpen = !a.metAt, bOpen = !b.metAt;
    if (aOpen != bOpen) return aOpen;
    return a.dueAt < b.dueAt;
  });
  return out;
}

}  // namespace vigil::incident
