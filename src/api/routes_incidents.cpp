// Incidents (issue 4, "Incidents"): create (manually or from alerts), list sorted by the nearest
// legal deadline, one incident with its process, allowed next steps, deadlines, timeline, tasks,
// parties and observables; the walk through the process (transition, outputs, clock events),
// detection-time corrections and classification, notes, tasks, parties notified, observables.
//
// The law is data: every change is validated against the incident's own process version
// (incident/state_machine.h) and dated on the legal clock (incident/legal_clock.h) here, then
// written by the store with the revision it was validated against (kConflict when the incident
// changed meanwhile). Scoping and audit are the store's (IncidentStore).
#include <algorithm>
#include <climits>

#include "alerts/alert_feed.h"
#include "api/api.h"
#include "api/json_io.h"
#include "core/text.h"
#include "incident/classification.h"
#include "incident/handover.h"
#include "incident/legal_clock.h"
#include "incident/process_catalog.h"
#include "incident/state_machine.h"

namespace vigil::api {

namespace {

using incident::ClockDeadline;
using incident::DeadlineState;
using incident::IncidentHistory;
using incident::ProcessCatalog;

constexpr int kMaxPage = 200;
// The role a breach is escalated to (the supervisor who signs for the agency).
constexpr const char* kEscalationRole = "leader";

json::value timeJson(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

Status needIncidents(Api& api) {
  if (!api.processes() || !api.classification() || !api.workingCalendar())
    return Error::unavailable("the incident processes are not loaded on this server");
  return {};
}

Result<std::shared_ptr<const ProcessCatalog>> processOf(Api& api, const Incident& inc) {
  auto p = api.processes()->find(inc.processId, inc.processVersion);
  if (!p)
    return Error::internal("process " + inc.processId + "@v" + std::to_string(inc.processVersion) + " of incident " +
                           std::to_string(inc.id) + " is no longer in catalogs/incident/processes");
  return p;
}

IncidentHistory historyOf(const Incident& inc) {
  IncidentHistory h;
  h.processId = inc.processId;
  h.processVersion = inc.processVersion;
  h.detectedAt = inc.detectedAt;
  for (const auto& s : inc.steps) {
    incident::StepRecord r{s.step, s.enteredAt, {}};
    for (const auto& o : s.outputs) r.outputs.push_back({o.id, o.at});
    h.steps.push_back(std::move(r));
  }
  for (const auto& e : inc.events) h.events.emplace_back(e.id, e.at);
  for (const auto& o : inc.carriedOutputs) h.carriedOutputs.push_back({o.id, o.at});
  h.flags.insert(inc.classification.flags.begin(), inc.classification.flags.end());
  return h;
}

bool isOpenState(DeadlineState s) { return s != DeadlineState::kMet && s != DeadlineState::kMetLate; }

// The nearest open deadline's due instant; nullopt when none is open.
std::optional<TimeMs> nearestDue(const std::vector<ClockDeadline>& clock) {
  std::optional<TimeMs> best;
  for (const auto& d : clock)
    if (isOpenState(d.state) && (!best || d.dueAt < *best)) best = d.dueAt;
  return best;
}

Result<std::vector<ClockDeadline>> clockOf(Api& api, const ProcessCatalog& p, const IncidentHistory& h, TimeMs now) {
  return incident::legalClock(p, h, *api.workingCalendar(), std::max(now, h.detectedAt));
}

// Percent of the allowed time elapsed at `now` (may exceed 100 once breached).
int64_t percentElapsed(const ClockDeadline& d, TimeMs now) {
  const TimeMs end = d.metAt ? *d.metAt : now;
  if (d.dueAt <= d.startAt) return end >= d.dueAt ? 100 : 0;
  return std::max<int64_t>(0, (end - d.startAt) * 100 / (d.dueAt - d.startAt));
}

std::string_view warningLevel(DeadlineState s) {
  switch (s) {
    case DeadlineState::kWarn50: return "50";
    case DeadlineState::kWarn75: return "75";
    case DeadlineState::kWarn90: return "90";
    case DeadlineState::kBreached: return "breached";
    default: return "none";
  }
}

json::object sourceJson(const compliance::Source& s) {
  return {{"document", s.document}, {"article", s.article}, {"clause", s.clause}, {"cite", s.cite()}};
}

json::object deadlineJson(const ClockDeadline& d, TimeMs now) {
  return {{"id", d.id},
          {"label", d.label},
          {"from", d.from},
          {"start_at", timeJson(d.startAt)},
          {"due_at", timeJson(d.dueAt)},
          {"state", incident::deadlineStateName(d.state)},
          {"warning", warningLevel(d.state)},
          {"percent_elapsed", percentElapsed(d, now)},
          {"left_ms", d.leftMs},
          {"immediate", d.immediate},
          {"internal_target_hours", d.internalTargetHours},
          {"provisional", d.provisional},
          {"calendar_note", d.calendarNote},
          {"met_at", d.metAt ? timeJson(*d.metAt) : json::value(nullptr)},
          {"met_by", d.metBy},
          {"source", sourceJson(d.source)},
          {"verified", d.verified}};
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::value(s));
  return a;
}

json::object classificationJson(const Incident& inc) {
  boost::system::error_code ec;
  json::value result = json::parse(inc.classification.resultJson, ec);
  if (ec) result = json::object{};
  return {{"facts", strings(inc.classification.facts)},
          {"flags", strings(inc.classification.flags)},
          {"severity", inc.classification.severity},
          {"severity_label", inc.classification.severityLabel},
          {"severity_internal", true},
          {"result", std::move(result)}};
}

json::object summaryJson(const Incident& inc, const ProcessCatalog* p, const std::vector<ClockDeadline>& clock,
                         TimeMs now) {
  const incident::Step* step = p ? p->step(inc.currentStep) : nullptr;
  json::value nearest = nullptr;
  for (const auto& d : clock)
    if (isOpenState(d.state)) {
      nearest = deadlineJson(d, now);
      break;
    }
  return {{"id", inc.id},
          {"org_id", inc.orgId},
          {"org_name", inc.orgName},
          {"system_id", inc.systemId ? json::value(*inc.systemId) : json::value(nullptr)},
          {"system_name", inc.systemName},
          {"system_level", inc.systemLevel ? json::value(*inc.systemLevel) : json::value(nullptr)},
          {"system_critical", inc.systemCritical},
          {"system_owner", inc.systemOwner},
          {"system_operator", inc.systemOperator},
          {"title", inc.title},
          {"detected_at", timeJson(inc.detectedAt)},
          {"regime", inc.regime},
          {"process_id", inc.processId},
          {"process_version", inc.processVersion},
          {"current_step", inc.currentStep},
          {"current_step_name", step ? step->name : std::string()},
          {"closed", inc.closed},
          {"closed_at", timeJson(inc.closedAt)},
          {"severity", inc.classification.severity},
          {"severity_label", inc.classification.severityLabel},
          {"flags", strings(inc.classification.flags)},
          {"next_due_at", inc.nextDueAt ? timeJson(*inc.nextDueAt) : json::value(nullptr)},
          {"nearest_deadline", std::move(nearest)},
          {"created_by", inc.createdBy},
          {"created_at", timeJson(inc.createdAt)},
          {"updated_at", timeJson(inc.updatedAt)},
          {"revision", inc.revision}};
}

std::string_view outputKind(incident::OutputKind k) { return incident::outputKindName(k); }

// The process as the incident page shows it: every step with its roles and outputs (recorded or
// not on the incident), which one is current, and the steps visited.
json::object processJson(const ProcessCatalog& p, const Incident& inc) {
  auto roleName = [&](const std::string& id) {
    const auto* r = p.role(id);
    return r ? r->name : id;
  };
  json::array steps;
  for (const auto& s : p.steps()) {
    json::array outputs;
    for (const auto& o : s.outputs) {
      json::value recordedAt = nullptr;
      for (const auto& rec : inc.steps)
        if (rec.step == s.id)
          for (const auto& ro : rec.outputs)
            if (ro.id == o.id) recordedAt = timeJson(ro.at);
      outputs.push_back(json::object{{"id", o.id},
                                     {"kind", outputKind(o.kind)},
                                     {"form", o.form},
                                     {"label", o.label},
                                     {"required", o.required},
                                     {"recorded_at", std::move(recordedAt)}});
    }
    json::array coordinating;
    for (const auto& c : s.coordinating) coordinating.push_back(json::value(roleName(c)));
    const bool visited = std::any_of(inc.steps.begin(), inc.steps.end(), [&](const auto& r) { return r.step == s.id; });
    steps.push_back(json::object{{"id", s.id},
                                 {"name", s.name},
                                 {"phase", s.phase},
                                 {"lead", roleName(s.lead)},
                                 {"coordinating", std::move(coordinating)},
                                 {"outputs", std::move(outputs)},
                                 {"next", strings(s.next)},
                                 {"blocks", s.blocks},
                                 {"start", s.start},
                                 {"final", s.final},
                                 {"current", s.id == inc.currentStep},
                                 {"visited", visited},
                                 {"source", sourceJson(s.source)}});
  }
  json::array events;
  for (const auto& e : p.events()) {
    json::value at = nullptr;
    for (const auto& r : inc.events)
      if (r.id == e.id) at = timeJson(r.at);
    events.push_back(json::object{{"id", e.id}, {"label", e.label}, {"recorded_at", std::move(at)}});
  }
  json::array phases;
  for (const auto& ph : p.phases()) phases.push_back(json::object{{"id", ph.id}, {"name", ph.name}});
  return {{"id", p.id()},
          {"version", p.version()},
          {"name", p.name()},
          {"regime", p.regime()},
          {"phases", std::move(phases)},
          {"steps", std::move(steps)},
          {"events", std::move(events)}};
}

Result<json::object> fullJson(Api& api, const Incident& inc) {
  VIGIL_ASSIGN_OR_RETURN(auto p, processOf(api, inc));
  const TimeMs now = api.clock().nowMs();
  const IncidentHistory h = historyOf(inc);
  VIGIL_ASSIGN_OR_RETURN(auto clock, clockOf(api, *p, h, now));
  VIGIL_ASSIGN_OR_RETURN(auto next, incident::allowedTransitions(*p, h));
  json::object out = summaryJson(inc, p.get(), clock, now);
  out["description"] = inc.description;
  out["classification"] = classificationJson(inc);
  out["process"] = processJson(*p, inc);
  json::array candidates;
  for (const auto& c : next.candidates)
    candidates.push_back(
        json::object{{"step", c.step}, {"name", c.name}, {"allowed", c.allowed}, {"reason", c.reason}});
  out["next"] = json::object{{"current", next.current},
                             {"closed", next.closed},
                             {"hands_over_to", next.handsOverTo},
                             {"missing_outputs", strings(next.missingOutputs)},
                             {"candidates", std::move(candidates)}};
  json::array deadlines;
  for (const auto& d : clock) deadlines.push_back(deadlineJson(d, now));
  out["deadlines"] = std::move(deadlines);
  json::array steps;
  for (const auto& s : inc.steps) {
    json::array outs;
    for (const auto& o : s.outputs)
      outs.push_back(json::object{{"id", o.id}, {"at", timeJson(o.at)}, {"text", o.text}, {"by", o.recordedBy}});
    steps.push_back(json::object{{"seq", s.seq},
                                 {"step", s.step},
                                 {"entered_at", timeJson(s.enteredAt)},
                                 {"entered_by", s.enteredBy},
                                 {"outputs", std::move(outs)}});
  }
  out["steps"] = std::move(steps);
  json::array timeline;
  for (const auto& e : inc.timeline) {
    boost::system::error_code ec;
    json::value data = json::parse(e.data, ec);
    if (ec) data = json::object{};
    timeline.push_back(json::object{{"id", e.id},
                                    {"at", timeJson(e.at)},
                                    {"kind", e.kind},
                                    {"actor", e.actor},
                                    {"text", e.text},
                                    {"data", std::move(data)}});
  }
  out["timeline"] = std::move(timeline);
  json::array tasks;
  for (const auto& t : inc.tasks) {
    tasks.push_back(json::object{{"id", t.id},
                                 {"title", t.title},
                                 {"assignee_id", t.assigneeId ? json::value(*t.assigneeId) : json::value(nullptr)},
                                 {"assignee", t.assigneeName},
                                 {"due_at", t.dueAt ? timeJson(*t.dueAt) : json::value(nullptr)},
                                 {"overdue", t.dueAt && !t.done && *t.dueAt < now},
                                 {"done", t.done},
                                 {"done_at", timeJson(t.doneAt)},
                                 {"created_by", t.createdBy},
                                 {"created_at", timeJson(t.createdAt)}});
  }
  out["tasks"] = std::move(tasks);
  json::array parties;
  for (const auto& pt : inc.parties)
    parties.push_back(json::object{{"id", pt.id},
                                   {"party", pt.party},
                                   {"contact", pt.contact},
                                   {"notified_at", timeJson(pt.notifiedAt)},
                                   {"channel", pt.channel},
                                   {"reference", pt.reference},
                                   {"recorded_by", pt.recordedBy}});
  out["parties"] = std::move(parties);
  json::array obs;
  for (const auto& o : inc.observables)
    obs.push_back(json::object{{"type", o.type},
                               {"value", o.value},
                               {"added_at", timeJson(o.addedAt)},
                               {"added_by", o.addedBy},
                               {"other_incidents", o.otherIncidents}});
  out["observables"] = std::move(obs);
  json::array alerts;
  for (const auto& a : inc.alerts)
    alerts.push_back(json::object{{"alert_id", a.alertId},
                                  {"title", a.title},
                                  {"state", a.state},
                                  {"linked_at", timeJson(a.linkedAt)},
                                  {"linked_by", a.linkedBy}});
  out["alerts"] = std::move(alerts);
  json::array breaches;
  for (const auto& b : inc.breaches)
    breaches.push_back(json::object{{"id", b.id},
                                    {"deadline", b.deadlineId},
                                    {"label", b.label},
                                    {"due_at", timeJson(b.dueAt)},
                                    {"recorded_at", timeJson(b.recordedAt)},
                                    {"escalated_to", b.escalatedTo}});
  out["breaches"] = std::move(breaches);
  // Hand-over: where the incident came from and went to, and where it may go now.
  auto link = [](const std::optional<int64_t>& other, const std::string& process) -> json::value {
    if (!other) return nullptr;
    return json::object{{"incident_id", *other}, {"process", process}};
  };
  json::array targets;
  if (!inc.successorId)
    for (const auto& [id, rule] : incident::handoverTargets(*api.processes(), *p, h)) {
      const auto target = api.processes()->latest(id);
      targets.push_back(json::object{{"process", id},
                                     {"version", target->version()},
                                     {"name", target->name()},
                                     {"rule", incident::handoverRuleName(rule)}});
    }
  json::array carried;
  for (const auto& o : inc.carriedOutputs)
    carried.push_back(json::object{{"id", o.id}, {"at", timeJson(o.at)}, {"text", o.text}, {"by", o.recordedBy}});
  out["handover"] = json::object{{"from", link(inc.predecessorId, inc.predecessorProcess)},
                                 {"to", link(inc.successorId, inc.successorProcess)},
                                 {"targets", std::move(targets)},
                                 {"carried_outputs", std::move(carried)}};
  return out;
}

Result<TimeMs> timeField(const std::string& name, const std::string& value) {
  auto t = parseRfc3339(value);
  if (!t) return Error::validation(name, "must be an RFC 3339 time such as 2026-11-24T09:30:00+07:00");
  return *t;
}

// A time not after now (a minute of clock skew between browser and server is tolerated and
// clamped to now).
Result<TimeMs> pastTime(const std::string& name, const std::string& value, TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(TimeMs t, timeField(name, value));
  if (t > now + 60 * 1000) return Error::validation(name, "is in the future");
  return std::min(t, now);
}

Result<std::vector<Observable>> readObservables(const json::array& a, const std::string& field) {
  std::vector<Observable> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string where = field + "[" + std::to_string(i) + "]";
    VIGIL_ASSIGN_OR_RETURN(const json::object* o, BodyReader::asObject(a[i], where));
    for (const auto& [k, v] : *o)
      if (k != "type" && k != "value") return Error::validation(where + "." + std::string(k), "is not a known field");
    const auto* type = o->if_contains("type");
    const auto* value = o->if_contains("value");
    if (!type || !type->is_string() || !isIncidentObservableType(type->as_string()))
      return Error::validation(where + ".type", "must be one of ip, domain, url, hash, email, file");
    if (!value || !value->is_string()) return Error::validation(where + ".value", "must be a string");
    VIGIL_ASSIGN_OR_RETURN(std::string text, cleanText(where + ".value", value->as_string(), 2000, false));
    const std::string t(type->as_string());
    // Domains, e-mail addresses and hashes compare without case: kept in lower case, so the same
    // indicator written twice is one observable.
    if (t == "domain" || t == "email" || t == "hash") text = text::asciiLower(text);
    out.push_back({t, std::move(text)});
  }
  return out;
}

Result<std::vector<int64_t>> readIds(const json::array& a, const std::string& field) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& v = a[i];
    if (!v.is_int64() || v.as_int64() <= 0)
      return Error::validation(field + "[" + std::to_string(i) + "]", "must be a positive whole number");
    if (std::find(out.begin(), out.end(), v.as_int64()) != out.end())
      return Error::validation(field + "[" + std::to_string(i) + "]", "names the same alert twice");
    out.push_back(v.as_int64());
  }
  return out;
}

// Outputs of the current step given as [{"id","text","at"?}]; each is checked against the step
// (it belongs to it, is not yet recorded in this visit, is dated within the visit).
Result<std::vector<IncidentOutputRecord>> readOutputs(const json::array& a, const ProcessCatalog& p,
                                                      const Incident& inc, TimeMs now) {
  std::vector<IncidentOutputRecord> out;
  const incident::Step* step = p.step(inc.currentStep);
  if (!step) return Error::internal("current step '" + inc.currentStep + "' is not in " + p.key());
  const IncidentStepRecord* visit = inc.steps.empty() ? nullptr : &inc.steps.back();
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string where = "outputs[" + std::to_string(i) + "]";
    VIGIL_ASSIGN_OR_RETURN(const json::object* o, BodyReader::asObject(a[i], where));
    for (const auto& [k, v] : *o)
      if (k != "id" && k != "text" && k != "at")
        return Error::validation(where + "." + std::string(k), "is not a known field");
    const auto* id = o->if_contains("id");
    const auto* txt = o->if_contains("text");
    const auto* at = o->if_contains("at");
    if (!id || !id->is_string()) return Error::validation(where + ".id", "must name an output of the step");
    const std::string oid(id->as_string());
    const incident::StepOutput* def = step->output(oid);
    if (!def) {
      std::string known;
      for (const auto& so : step->outputs) known += (known.empty() ? "" : ", ") + so.id;
      return Error::validation(
          where + ".id", "'" + oid + "' is not an output of step '" + step->id + "' (its outputs: " + known + ")");
    }
    if (!txt || !txt->is_string()) return Error::validation(where + ".text", "is required");
    VIGIL_ASSIGN_OR_RETURN(std::string body, cleanText(where + ".text", std::string(txt->as_string()), 4000, false));
    TimeMs when = now;
    if (at) {
      if (!at->is_string()) return Error::validation(where + ".at", "must be an RFC 3339 time");
      VIGIL_ASSIGN_OR_RETURN(when, pastTime(where + ".at", std::string(at->as_string()), now));
    }
    if (visit && when < visit->enteredAt)
      return Error::validation(where + ".at",
                               "is before the step was entered (" + formatRfc3339(visit->enteredAt) + ")");
    if (visit)
      for (const auto& r : visit->outputs)
        if (r.id == oid)
          return Error::validation(where + ".id",
                                   "'" + def->label + "' was already recorded at " + formatRfc3339(r.at));
    for (const auto& r : out)
      if (r.id == oid) return Error::validation(where + ".id", "names '" + oid + "' twice");
    out.push_back({oid, when, std::move(body), ""});
  }
  return out;
}

// True when the incident is over once it is at `stepId` with `recorded` outputs (of the current
// visit): the step is final and every required output of it is recorded. A final step that asks
// for outputs (the review's lessons and Form 04) keeps the incident open until they are recorded,
// so their legal deadline is still watched.
bool closesOn(const ProcessCatalog& p, const std::string& stepId, const std::vector<std::string>& recorded) {
  const incident::Step* s = p.step(stepId);
  if (!s || !s->final) return false;
  return std::all_of(s->outputs.begin(), s->outputs.end(), [&](const incident::StepOutput& o) {
    return !o.required || std::find(recorded.begin(), recorded.end(), o.id) != recorded.end();
  });
}

// Applies the new outputs, events and step to a copy of the history, for the clock after the change.
IncidentHistory afterChange(IncidentHistory h, const IncidentUpdate& u) {
  if (!h.steps.empty())
    for (const auto& o : u.outputs) h.steps.back().outputs.push_back({o.id, o.at});
  for (const auto& e : u.events) h.events.emplace_back(e.id, e.at);
  if (u.toStep) h.steps.push_back({*u.toStep, u.stepAt, {}});
  if (u.detectedAt) h.detectedAt = *u.detectedAt;
  if (u.classification) h.flags = {u.classification->flags.begin(), u.classification->flags.end()};
  return h;
}

// Classifies the incident (Decision 05 Art. 9 / Decree 331 Art. 31.2.d) from the system's level
// and the recorded facts, keeping the whole result with its reasons.
Result<IncidentClassification> classifyFacts(Api& api, const std::string& regime, std::optional<int> level,
                                             bool critical, const std::vector<std::string>& facts) {
  incident::ClassificationInput in{regime, level, critical, {facts.begin(), facts.end()}};
  VIGIL_ASSIGN_OR_RETURN(auto c, incident::classify(*api.classification(), in));
  IncidentClassification out;
  out.facts = facts;
  out.flags.assign(c.flags.begin(), c.flags.end());
  out.severity = c.severity;
  out.severityLabel = c.severityLabel;
  json::array tests;
  for (const auto& t : c.tests) {
    json::array conds;
    for (const auto& cond : t.conditions) conds.push_back(json::object{{"met", cond.met}, {"reason", cond.reason}});
    tests.push_back(json::object{{"id", t.id},
                                 {"flag", t.flag},
                                 {"label", t.label},
                                 {"met", t.met},
                                 {"conditions", std::move(conds)},
                                 {"source", sourceJson(t.source)},
                                 {"verified", t.verified},
                                 {"note", t.note}});
  }
  out.resultJson = json::serialize(json::object{{"tests", std::move(tests)},
                                                {"level", level ? json::value(*level) : json::value(nullptr)},
                                                {"critical", critical},
                                                {"severity_internal", true}});
  return out;
}

Result<std::vector<std::string>> readFacts(const json::array& a) {
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) return Error::validation("facts[" + std::to_string(i) + "]", "must be a fact id");
    out.emplace_back(a[i].as_string());
  }
  return out;
}

// The default process of a regime: its latest process that no final step hands over from (the
// serious path of Decision 05 is chosen explicitly, with "process").
Result<std::shared_ptr<const ProcessCatalog>> defaultProcess(Api& api, const std::string& regime) {
  std::vector<std::string> ids;
  for (const auto& p : api.processes()->all()) {
    if (p->regime() != regime) continue;
    const bool handsOver =
        std::any_of(p->steps().begin(), p->steps().end(), [](const auto& s) { return !s.handsOverTo.empty(); });
    if (!handsOver && std::find(ids.begin(), ids.end(), p->id()) == ids.end()) ids.push_back(p->id());
  }
  if (ids.size() != 1)
    return Error::validation("process", ids.empty() ? "no incident process is defined for regime " + regime
                                                    : "several processes fit regime " + regime + ": name one");
  return api.processes()->latest(ids.front());
}

// Reads the incident, its process and history for a change.
struct Loaded {
  Incident inc;
  std::shared_ptr<const ProcessCatalog> process;
  IncidentHistory history;
};

Result<Loaded> loadForChange(Api& api, const Actor& actor, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(actor, id));
  VIGIL_ASSIGN_OR_RETURN(auto p, processOf(api, inc));
  IncidentHistory h = historyOf(inc);
  return Loaded{std::move(inc), std::move(p), std::move(h)};
}

// loadForChange for a change that a closed incident refuses (only notes may still be added); the
// refusal names `field`, the request member that asked for the change.
Result<Loaded> loadOpenForChange(Api& api, const Actor& actor, int64_t id, const char* field) {
  VIGIL_ASSIGN_OR_RETURN(Loaded l, loadForChange(api, actor, id));
  if (l.inc.closed) return Error::validation(field, "the incident is closed; only notes can be added");
  return l;
}

// Writes `u` (its revision checked by the store) with the clock recomputed from the history after
// it; returns the incident as stored.
Result<Incident> write(Api& api, const Actor& actor, const Loaded& l, IncidentUpdate u) {
  const TimeMs now = api.clock().nowMs();
  VIGIL_ASSIGN_OR_RETURN(auto clock, clockOf(api, *l.process, afterChange(l.history, u), now));
  u.nextDueAt = nearestDue(clock);
  u.nextDueChanged = true;
  return api.store().updateIncident(actor, l.inc.id, u);
}

// write(), answering the incident.
Result<http::Response> apply(Api& api, const Ctx& c, const Loaded& l, IncidentUpdate u, int status = 200) {
  VIGIL_ASSIGN_OR_RETURN(Incident inc, write(api, c.actor(), l, std::move(u)));
  VIGIL_ASSIGN_OR_RETURN(auto out, fullJson(api, inc));
  return jsonResponse(status, out);
}

// Records `outputs` ([{id, text?, at?}], readOutputs) on the current step of an open incident
// without moving it; the step closes the incident when it is final and its outputs are then all
// there. Shared by POST /incidents/{id}/outputs and recordCurrentStepOutput (a report sent).
Result<Incident> recordOutputs(Api& api, const Actor& actor, int64_t id, int64_t revision, const json::array& outputs) {
  VIGIL_ASSIGN_OR_RETURN(Loaded l, loadOpenForChange(api, actor, id, "outputs"));
  IncidentUpdate u;
  u.revision = revision;
  VIGIL_ASSIGN_OR_RETURN(u.outputs, readOutputs(outputs, *l.process, l.inc, api.clock().nowMs()));
  std::vector<std::string> recorded;
  if (!l.inc.steps.empty())
    for (const auto& o : l.inc.steps.back().outputs) recorded.push_back(o.id);
  for (const auto& o : u.outputs) recorded.push_back(o.id);
  u.closes = closesOn(*l.process, l.inc.currentStep, recorded);
  return write(api, actor, l, std::move(u));
}

Result<IncidentQuery> readQuery(const Ctx& c) {
  const auto& req = c.req;
  VIGIL_TRY(onlyQueryParams(req, {"org_id", "status", "regime", "q", "cursor", "limit"}));
  IncidentQuery q;
  if (auto v = req.queryParam("org_id")) {
    VIGIL_ASSIGN_OR_RETURN(q.orgId, queryInt("org_id", *v, 1, INT64_MAX));
  }
  if (auto v = req.queryParam("status")) {
    if (*v == "open") {
      q.closed = false;
    } else if (*v == "closed") {
      q.closed = true;
    } else if (*v != "all") {
      return Error::validation("status", "must be open, closed or all");
    }
  }
  if (auto v = req.queryParam("regime")) {
    VIGIL_ASSIGN_OR_RETURN(q.regime, cleanText("regime", *v, 100, false));
  }
  if (auto v = req.queryParam("q")) {
    VIGIL_ASSIGN_OR_RETURN(q.text, cleanText("q", *v, 200, true));
  }
  if (auto v = req.queryParam("cursor")) {
    const auto dot = v->find('.');
    auto bad = Error::validation("cursor", "must be the next_cursor of a previous page");
    if (dot == std::string::npos) return bad;
    auto k = queryInt("cursor", v->substr(0, dot), 0, INT64_MAX);
    auto id = queryInt("cursor", v->substr(dot + 1), 1, INT64_MAX);
    if (!k.ok() || !id.ok()) return bad;
    q.afterKey = *k;
    q.afterId = *id;
  }
  if (auto v = req.queryParam("limit")) {
    VIGIL_ASSIGN_OR_RETURN(int64_t limit, queryInt("limit", *v, 1, kMaxPage));
    q.limit = static_cast<int>(limit);
  }
  return q;
}

Result<int64_t> taskId(const Ctx& c) {
  auto it = c.req.params.find("task");
  if (it == c.req.params.end()) return Error::badRequest("missing task id");
  auto v = queryInt("task", it->second, 1, INT64_MAX);
  if (!v.ok()) return Error::notFound("no task with id '" + it->second + "'");
  return *v;
}

Result<TaskFields> readTask(BodyReader& body, TimeMs now, bool create) {
  TaskFields f;
  if (create) {
    VIGIL_ASSIGN_OR_RETURN(std::string title, body.requiredString("title", 300));
    f.title = title;
  } else {
    VIGIL_ASSIGN_OR_RETURN(f.title, body.optionalString("title", 300, false));
  }
  VIGIL_ASSIGN_OR_RETURN(auto assignee, body.optionalInt("assignee_id", 0, INT64_MAX));
  VIGIL_ASSIGN_OR_RETURN(auto due, body.optionalString("due_at", 40));
  VIGIL_ASSIGN_OR_RETURN(f.done, body.optionalBool("done"));
  VIGIL_TRY(body.finish());
  if (assignee) f.assignee = *assignee == 0 ? std::optional<int64_t>() : std::optional<int64_t>(*assignee);
  if (due) {
    if (due->empty()) {
      f.dueAt = std::optional<TimeMs>();
    } else {
      VIGIL_ASSIGN_OR_RETURN(TimeMs t, timeField("due_at", *due));
      if (create && t < now) return Error::validation("due_at", "is in the past");
      f.dueAt = std::optional<TimeMs>(t);
    }
  }
  return f;
}

json::object taskJson(const IncidentTask& t, TimeMs now) {
  return {{"id", t.id},
          {"title", t.title},
          {"assignee_id", t.assigneeId ? json::value(*t.assigneeId) : json::value(nullptr)},
          {"assignee", t.assigneeName},
          {"due_at", t.dueAt ? timeJson(*t.dueAt) : json::value(nullptr)},
          {"overdue", t.dueAt && !t.done && *t.dueAt < now},
          {"done", t.done},
          {"done_at", timeJson(t.doneAt)},
          {"created_by", t.createdBy},
          {"created_at", timeJson(t.createdAt)}};
}

}  // namespace

void registerIncidentRoutes(Api& api) {
  // The processes (every loaded version) and the classification facts, for the create form.
  api.add("GET", "/api/v1/incident-processes", "incident_process.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            json::array processes;
            for (const auto& p : api.processes()->all()) {
              const bool handsOver = std::any_of(p->steps().begin(), p->steps().end(),
                                                 [](const auto& s) { return !s.handsOverTo.empty(); });
              processes.push_back(json::object{{"id", p->id()},
                                               {"version", p->version()},
                                               {"name", p->name()},
                                               {"regime", p->regime()},
                                               {"default_for_regime", !handsOver},
                                               {"latest", api.processes()->latest(p->id()) == p},
                                               {"source", sourceJson(p->source())}});
            }
            json::array facts;
            for (const auto& f : api.classification()->facts())
              facts.push_back(json::object{
                  {"id", f.id}, {"label", f.label}, {"internal", f.internal}, {"source", sourceJson(f.source)}});
            json::array parties, channels;
            for (auto p : kIncidentParties) parties.push_back(json::value(p));
            for (auto ch : kNotifyChannels) channels.push_back(json::value(ch));
            return jsonResponse(200, json::object{{"processes", std::move(processes)},
                                                  {"facts", std::move(facts)},
                                                  {"parties", std::move(parties)},
                                                  {"channels", std::move(channels)}});
          });

  api.add("GET", "/api/v1/incidents", "incident.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needIncidents(api));
    VIGIL_ASSIGN_OR_RETURN(IncidentQuery q, readQuery(c));
    VIGIL_ASSIGN_OR_RETURN(IncidentPage page, api.store().listIncidents(c.actor(), q));
    const TimeMs now = api.clock().nowMs();
    json::array items;
    for (const auto& inc : page.items) {
      auto p = api.processes()->find(inc.processId, inc.processVersion);
      std::vector<ClockDeadline> clock;
      if (p) {
        auto r = clockOf(api, *p, historyOf(inc), now);
        if (r.ok()) clock = std::move(r).value();
      }
      items.push_back(summaryJson(inc, p.get(), clock, now));
    }
    json::value next = nullptr;
    if (page.hasMore && !page.items.empty())
      next = std::to_string(page.items.back().sortKey) + "." + std::to_string(page.items.back().id);
    return jsonResponse(
        200, json::object{{"items", std::move(items)}, {"has_more", page.hasMore}, {"next_cursor", std::move(next)}});
  });

  api.add("POST", "/api/v1/incidents", "incident.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needIncidents(api));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto orgId, body.optionalInt("org_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(auto systemId, body.optionalInt("system_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(std::string title, body.requiredString("title", 300));
    VIGIL_ASSIGN_OR_RETURN(auto description, body.optionalText("description", 20000));
    VIGIL_ASSIGN_OR_RETURN(auto detected, body.optionalString("detected_at", 40));
    VIGIL_ASSIGN_OR_RETURN(auto regime, body.optionalString("regime", 100));
    VIGIL_ASSIGN_OR_RETURN(auto processId, body.optionalString("process", 100));
    VIGIL_ASSIGN_OR_RETURN(auto facts, body.optionalArray("facts", 50));
    VIGIL_ASSIGN_OR_RETURN(auto alertIds, body.optionalArray("alert_ids", 100));
    VIGIL_ASSIGN_OR_RETURN(auto observables, body.optionalArray("observables", 200));
    VIGIL_TRY(body.finish());
    if (title.empty()) return Error::validation("title", "must not be empty");
    const TimeMs now = api.clock().nowMs();
    IncidentDraft d;
    d.title = title;
    d.description = description.value_or("");
    if (alertIds) {
      VIGIL_ASSIGN_OR_RETURN(d.alertIds, readIds(**alertIds, "alert_ids"));
    }
    // From alerts: the agency, system and detection time default to the first alert's, and the
    // alerts' observables are carried over.
    TimeMs firstSeen = 0;
    for (size_t k = 0; k < d.alertIds.size(); ++k) {
      auto a = api.store().getAlert(c.actor(), d.alertIds[k]);
      if (!a.ok())
        return Error::validation("alert_ids[" + std::to_string(k) + "]",
                                 "alert " + std::to_string(d.alertIds[k]) + " not found");
      if (!orgId) orgId = a->orgId;
      if (!systemId && a->systemId && a->orgId == *orgId) systemId = a->systemId;
      if (firstSeen == 0 || a->firstSeen < firstSeen) firstSeen = a->firstSeen;
      for (const auto& o : a->observables)
        if (isIncidentObservableType(o.type) &&
            std::find(d.observables.begin(), d.observables.end(), o) == d.observables.end())
          d.observables.push_back(o);
    }
    if (!orgId) return Error::validation("org_id", "is required (or give alert_ids)");
    d.orgId = *orgId;
    if (detected) {
      VIGIL_ASSIGN_OR_RETURN(d.detectedAt, pastTime("detected_at", *detected, now));
    } else if (firstSeen > 0) {
      d.detectedAt = std::min(firstSeen, now);
    } else {
      return Error::validation("detected_at", "is required: when the incident was detected");
    }
    if (observables) {
      VIGIL_ASSIGN_OR_RETURN(auto list, readObservables(**observables, "observables"));
      for (auto& o : list)
        if (std::find(d.observables.begin(), d.observables.end(), o) == d.observables.end()) d.observables.push_back(o);
    }
    std::optional<int> level;
    bool critical = false;
    if (systemId) {
      auto sys = api.store().getSystem(c.actor(), *systemId);
      if (!sys.ok())
        return Error::validation("system_id", "information system " + std::to_string(*systemId) + " not found");
      if (sys->orgId != d.orgId)
        return Error::validation("system_id", "the information system belongs to another organisation");
      d.systemId = *systemId;
      level = sys->approvedLevel ? *sys->approvedLevel : sys->proposedLevel;
      critical = sys->criticalList;
      if (regime && *regime != sys->regimeId)
        return Error::validation("regime", "the information system is under " + sys->regimeId);
      d.regime = sys->regimeId;
    } else {
      if (!regime || regime->empty())
        return Error::validation("regime", "is required without system_id (A_ND85_TT12 or B_ND331_TCVN14423)");
      d.regime = *regime;
    }
    std::shared_ptr<const ProcessCatalog> p;
    if (processId) {
      p = api.processes()->latest(*processId);
      if (!p) return Error::validation("process", "no incident process '" + *processId + "'");
      if (p->regime() != d.regime)
        return Error::validation("process",
                                 "process " + *processId + " is for regime " + p->regime() + ", not " + d.regime);
    } else {
      VIGIL_ASSIGN_OR_RETURN(p, defaultProcess(api, d.regime));
    }
    d.processId = p->id();
    d.processVersion = p->version();
    d.startStep = p->startStep().id;
    std::vector<std::string> factIds;
    if (facts) {
      VIGIL_ASSIGN_OR_RETURN(factIds, readFacts(**facts));
    }
    VIGIL_ASSIGN_OR_RETURN(d.classification, classifyFacts(api, d.regime, level, critical, factIds));
    IncidentHistory h{p->id(), p->version(), d.detectedAt, {}, {}, {}};
    h.flags.insert(d.classification.flags.begin(), d.classification.flags.end());
    VIGIL_TRY(incident::validateTransition(*p, h, {d.startStep, now, {}}, now));
    h.steps.push_back({d.startStep, now, {}});
    VIGIL_ASSIGN_OR_RETURN(auto clock, clockOf(api, *p, h, now));
    d.nextDueAt = nearestDue(clock);
    VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().createIncident(c.actor(), d));
    if (auto* f = api.alertFeed(); f && !d.alertIds.empty()) f->notify();
    api.incidentCreated(inc);
    VIGIL_ASSIGN_OR_RETURN(auto out, fullJson(api, inc));
    return jsonResponse(201, out);
  });

  api.add("GET", "/api/v1/incidents/{id}", "incident.get", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needIncidents(api));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto out, fullJson(api, inc));
    return jsonResponse(200, out);
  });

  // The move to a next step, with the outputs of the current step recorded on the way.
  api.add("POST", "/api/v1/incidents/{id}/transition", "incident.transition", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(int64_t revision, body.requiredInt("revision", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(std::string to, body.requiredString("to", 100));
            VIGIL_ASSIGN_OR_RETURN(auto at, body.optionalString("at", 40));
            VIGIL_ASSIGN_OR_RETURN(auto outputs, body.optionalArray("outputs", 20));
            VIGIL_ASSIGN_OR_RETURN(auto note, body.optionalText("note", 4000));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(Loaded l, loadForChange(api, c.actor(), id));
            const TimeMs now = api.clock().nowMs();
            IncidentUpdate u;
            u.revision = revision;
            u.note = std::string(text::trim(note.value_or("")));
            u.toStep = to;
            u.stepAt = now;
            if (at) {
              VIGIL_ASSIGN_OR_RETURN(u.stepAt, pastTime("at", *at, now));
            }
            if (outputs) {
              VIGIL_ASSIGN_OR_RETURN(u.outputs, readOutputs(**outputs, *l.process, l.inc, now));
            }
            incident::TransitionRequest req{to, u.stepAt, {}};
            for (const auto& o : u.outputs) req.outputs.push_back({o.id, o.at});
            VIGIL_TRY(incident::validateTransition(*l.process, l.history, req, now));
            u.closes = closesOn(*l.process, to, {});
            return apply(api, c, l, std::move(u));
          });

  // Hand-over to another process (incident/handover.h): the current step's hands_over_to, or a
  // serious regime-A incident moving to the serious path. The incident is closed under its own
  // process version and continues as a new incident (201, the successor) under the target's
  // latest version, from its start step, with the original detection time and the clock events
  // the target also declares.
  api.add("POST", "/api/v1/incidents/{id}/handover", "incident.handover", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(int64_t revision, body.requiredInt("revision", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(std::string to, body.requiredString("to_process", 100));
            VIGIL_ASSIGN_OR_RETURN(auto given, body.optionalText("reason", 4000));
            VIGIL_TRY(body.finish());
            const std::string reason(text::trim(given.value_or("")));
            if (reason.empty()) return Error::validation("reason", "say why the incident changes process");
            VIGIL_ASSIGN_OR_RETURN(Loaded l, loadForChange(api, c.actor(), id));
            if (l.inc.successorId)
              return Error::conflict("incident " + std::to_string(id) +
                                     " was already handed over: it continues as incident " +
                                     std::to_string(*l.inc.successorId));
            VIGIL_ASSIGN_OR_RETURN(auto plan, incident::planHandover(*api.processes(), *l.process, l.history, to));
            IncidentHandover h;
            h.revision = revision;
            h.toProcessId = plan.to->id();
            h.toVersion = plan.to->version();
            h.startStep = plan.startStep;
            h.rule = std::string(incident::handoverRuleName(plan.rule));
            h.reason = reason;
            for (const auto& [event, at] : plan.events) {
              std::string by;
              for (const auto& e : l.inc.events)
                if (e.id == event) by = e.recordedBy;
              h.events.push_back({event, at, by});
            }
            // Outputs meeting the target's legal deadlines, with their texts and recorders.
            auto recordOf = [&](const incident::RecordedOutput& o) {
              for (const auto& s : l.inc.steps)
                for (const auto& r : s.outputs)
                  if (r.id == o.id && r.at == o.at) return r;
              for (const auto& r : l.inc.carriedOutputs)
                if (r.id == o.id && r.at == o.at) return r;
              return IncidentOutputRecord{o.id, o.at, "", ""};
            };
            for (const auto& o : plan.outputs) h.outputs.push_back(recordOf(o));
            // The successor's clock: the original detection time, the carried events and outputs,
            // the start step.
            const TimeMs now = api.clock().nowMs();
            IncidentHistory next{plan.to->id(), plan.to->version(), l.inc.detectedAt, {},
                                 plan.events,   l.history.flags,    plan.outputs};
            next.steps.push_back({plan.startStep, now, {}});
            VIGIL_ASSIGN_OR_RETURN(auto clock, clockOf(api, *plan.to, next, now));
            h.nextDueAt = nearestDue(clock);
            for (const auto& d : clock) h.deadlines.emplace_back(d.id, d.dueAt);
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().handOverIncident(c.actor(), id, h));
            api.incidentCreated(inc);
            VIGIL_ASSIGN_OR_RETURN(auto out, fullJson(api, inc));
            return jsonResponse(201, out);
          });

  // Outputs of the current step recorded without moving (a note written, a report sent).
  api.add("POST", "/api/v1/incidents/{id}/outputs", "incident.outputs", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(int64_t revision, body.requiredInt("revision", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(const json::array* outputs, body.requiredArray("outputs", 20));
            VIGIL_TRY(body.finish());
            if (outputs->empty()) return Error::validation("outputs", "name at least one output");
            VIGIL_ASSIGN_OR_RETURN(Incident inc, recordOutputs(api, c.actor(), id, revision, *outputs));
            VIGIL_ASSIGN_OR_RETURN(auto out, fullJson(api, inc));
            return jsonResponse(200, out);
          });

  // Dated facts the legal clock counts from (capacity exceeded, response ended, ...).
  api.add("POST", "/api/v1/incidents/{id}/events", "incident.events", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(int64_t revision, body.requiredInt("revision", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(std::string event, body.requiredString("event", 100));
            VIGIL_ASSIGN_OR_RETURN(auto at, body.optionalString("at", 40));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(Loaded l, loadOpenForChange(api, c.actor(), id, "event"));
            if (!l.process->event(event)) {
              std::string known;
              for (const auto& e : l.process->events()) known += (known.empty() ? "" : ", ") + e.id;
              return Error::validation(
                  "event", "'" + event + "' is not an event of " + l.process->key() + " (its events: " + known + ")");
            }
            const TimeMs now = api.clock().nowMs();
            TimeMs when = now;
            if (at) {
              VIGIL_ASSIGN_OR_RETURN(when, pastTime("at", *at, now));
            }
            if (when < l.inc.detectedAt)
              return Error::validation("at",
                                       "is before the incident was detected (" + formatRfc3339(l.inc.detectedAt) + ")");
            IncidentUpdate u;
            u.revision = revision;
            u.events.push_back({event, when, ""});
            return apply(api, c, l, std::move(u));
          });

  // Corrections: the detection time (refused once a report was sent) and the classification facts.
  api.add("PATCH", "/api/v1/incidents/{id}", "incident.update", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(int64_t revision, body.requiredInt("revision", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(auto detected, body.optionalString("detected_at", 40));
            VIGIL_ASSIGN_OR_RETURN(auto facts, body.optionalArray("facts", 50));
            VIGIL_ASSIGN_OR_RETURN(auto reason, body.optionalText("reason", 4000));
            VIGIL_TRY(body.finish());
            if (!detected && !facts)
              return Error::validation("detected_at", "nothing to change: give detected_at or facts");
            VIGIL_ASSIGN_OR_RETURN(Loaded l, loadOpenForChange(api, c.actor(), id, "detected_at"));
            const TimeMs now = api.clock().nowMs();
            IncidentUpdate u;
            u.revision = revision;
            u.note = std::string(text::trim(reason.value_or("")));
            if (detected && l.inc.predecessorId)
              return Error::validation("detected_at", "the detection time was set by incident " +
                                                          std::to_string(*l.inc.predecessorId) +
                                                          ", which this one continues; it stays as recorded there");
            if (detected) {
              VIGIL_ASSIGN_OR_RETURN(TimeMs t, timeField("detected_at", *detected));
              VIGIL_TRY(incident::validateDetectedAt(*l.process, l.history, t, now));
              if (t != l.inc.detectedAt && u.note.empty())
                return Error::validation("reason", "say why the detection time changes");
              u.detectedAt = t;
            }
            if (facts) {
              VIGIL_ASSIGN_OR_RETURN(auto ids, readFacts(**facts));
              VIGIL_ASSIGN_OR_RETURN(u.classification,
                                     classifyFacts(api, l.inc.regime, l.inc.systemLevel, l.inc.systemCritical, ids));
            }
            return apply(api, c, l, std::move(u));
          });

  api.add("POST", "/api/v1/incidents/{id}/notes", "incident.note", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto text, body.optionalText("body", 10000));
            VIGIL_TRY(body.finish());
            const std::string clean(text::trim(text.value_or("")));
            if (clean.empty()) return Error::validation("body", "is required and must not be empty");
            VIGIL_ASSIGN_OR_RETURN(Loaded l, loadForChange(api, c.actor(), id));
            IncidentUpdate u;
            u.revision = l.inc.revision;  // a note changes nothing the process judges
            u.note = clean;
            return apply(api, c, l, std::move(u), 201);
          });

  api.add("POST", "/api/v1/incidents/{id}/alerts", "incident.link_alerts", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(const json::array* list, body.requiredArray("alert_ids", 100));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto ids, readIds(*list, "alert_ids"));
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().linkAlerts(c.actor(), id, ids));
            // The alerts' observables join the incident's.
            std::vector<Observable> obs;
            for (int64_t a : ids) {
              auto alert = api.store().getAlert(c.actor(), a);
              if (!alert.ok()) continue;
              for (const auto& o : alert->observables) {
                const bool known = std::any_of(inc.observables.begin(), inc.observables.end(),
                                               [&](const auto& x) { return x.type == o.type && x.value == o.value; });
                if (isIncidentObservableType(o.type) && !known && std::find(obs.begin(), obs.end(), o) == obs.end())
                  obs.push_back(o);
              }
            }
            if (!obs.empty()) {
              VIGIL_TRY(api.store().addObservables(c.actor(), id, obs));
              VIGIL_ASSIGN_OR_RETURN(inc, api.store().getIncident(c.actor(), id));
            }
            if (auto* f = api.alertFeed()) f->notify();
            VIGIL_ASSIGN_OR_RETURN(auto out, fullJson(api, inc));
            return jsonResponse(200, out);
          });

  api.add("POST", "/api/v1/incidents/{id}/tasks", "incident.task_create", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            const TimeMs now = api.clock().nowMs();
            VIGIL_ASSIGN_OR_RETURN(TaskFields f, readTask(body, now, true));
            VIGIL_ASSIGN_OR_RETURN(IncidentTask t, api.store().addTask(c.actor(), id, f));
            return jsonResponse(201, taskJson(t, now));
          });

  api.add("PATCH", "/api/v1/incidents/{id}/tasks/{task}", "incident.task_update", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(int64_t task, taskId(c));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            const TimeMs now = api.clock().nowMs();
            VIGIL_ASSIGN_OR_RETURN(TaskFields f, readTask(body, now, false));
            VIGIL_ASSIGN_OR_RETURN(IncidentTask t, api.store().updateTask(c.actor(), id, task, f));
            return jsonResponse(200, taskJson(t, now));
          });

  api.add("DELETE", "/api/v1/incidents/{id}/tasks/{task}", "incident.task_delete", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(int64_t task, taskId(c));
            VIGIL_TRY(api.store().deleteTask(c.actor(), id, task));
            return http::Response::noContent();
          });

  api.add("POST", "/api/v1/incidents/{id}/parties", "incident.party", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            IncidentParty p;
            VIGIL_ASSIGN_OR_RETURN(p.party, body.requiredString("party", 50));
            VIGIL_ASSIGN_OR_RETURN(p.contact, body.requiredString("contact", 300));
            VIGIL_ASSIGN_OR_RETURN(p.channel, body.requiredString("channel", 50));
            VIGIL_ASSIGN_OR_RETURN(auto ref, body.optionalString("reference", 300));
            VIGIL_ASSIGN_OR_RETURN(auto at, body.optionalString("notified_at", 40));
            VIGIL_TRY(body.finish());
            if (!isIncidentParty(p.party))
              return Error::validation("party",
                                       "must be one of owner, operator, response_team, police, "
                                       "national_coordinator");
            if (!isNotifyChannel(p.channel))
              return Error::validation("channel", "must be one of phone, email, letter, software, in_person, other");
            if (p.contact.empty()) return Error::validation("contact", "say who was notified");
            p.reference = ref.value_or("");
            const TimeMs now = api.clock().nowMs();
            p.notifiedAt = now;
            if (at) {
              VIGIL_ASSIGN_OR_RETURN(p.notifiedAt, pastTime("notified_at", *at, now));
            }
            VIGIL_ASSIGN_OR_RETURN(IncidentParty out, api.store().addParty(c.actor(), id, p));
            return jsonResponse(201, json::object{{"id", out.id},
                                                  {"party", out.party},
                                                  {"contact", out.contact},
                                                  {"notified_at", timeJson(out.notifiedAt)},
                                                  {"channel", out.channel},
                                                  {"reference", out.reference},
                                                  {"recorded_by", out.recordedBy}});
          });

  api.add("POST", "/api/v1/incidents/{id}/observables", "incident.observables", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needIncidents(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(const json::array* list, body.requiredArray("observables", 200));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto obs, readObservables(*list, "observables"));
            VIGIL_ASSIGN_OR_RETURN(auto all, api.store().addObservables(c.actor(), id, obs));
            json::array items;
            for (const auto& o : all)
              items.push_back(json::object{{"type", o.type},
                                           {"value", o.value},
                                           {"added_at", timeJson(o.addedAt)},
                                           {"added_by", o.addedBy},
                                           {"other_incidents", o.otherIncidents}});
            return jsonResponse(201, json::object{{"items", std::move(items)}});
          });
}

// Declared in api/incident_report_prefill.h: the report register records a sent report as the
// output of the current step, exactly as POST /incidents/{id}/outputs would (revision checked,
// the step's checks, closing a final step, the clock recomputed).
Result<Incident> recordCurrentStepOutput(Api& api, const Actor& actor, int64_t incidentId, int64_t revision,
                                         const std::string& outputId, const std::string& text, TimeMs at) {
  VIGIL_TRY(needIncidents(api));
  // RFC 3339 text has whole seconds: "now" written out could fall before a step entered earlier in
  // the same second, so a time within the last second is left to the route (now, to the ms).
  json::object output{{"id", outputId}, {"text", text}};
  if (at < api.clock().nowMs() - 1000) output["at"] = formatRfc3339(at);
  const json::array given{std::move(output)};
  return recordOutputs(api, actor, incidentId, revision, given);
}

}  // namespace vigil::api
