#include "incident/state_machine.h"

#include <algorithm>
#include <cstdint>

namespace vigil::incident {

namespace {

std::string at(TimeMs t) { return formatRfc3339(t); }

bool recorded(const StepRecord& r, const std::vector<RecordedOutput>& extra, const std::string& id) {
  auto has = [&](const RecordedOutput& o) { return o.id == id; };
  return std::any_of(r.outputs.begin(), r.outputs.end(), has) || std::any_of(extra.begin(), extra.end(), has);
}

std::vector<const StepOutput*> missing(const Step& s, const StepRecord& r, const std::vector<RecordedOutput>& extra) {
  std::vector<const StepOutput*> out;
  for (const auto& o : s.outputs)
    if (o.required && !recorded(r, extra, o.id)) out.push_back(&o);
  return out;
}

std::string describe(const std::vector<const StepOutput*>& outs) {
  std::string s;
  for (const auto* o : outs) {
    s += (s.empty() ? "" : "; ") + o->id + " (" + std::string(outputKindName(o->kind));
    if (!o->form.empty()) s += " " + o->form;
    s += ": " + o->label + ")";
  }
  return s;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

Status checkOutputs(const Step& s, const std::vector<RecordedOutput>& outs, TimeMs notBefore, TimeMs notAfter,
                    const std::string& field) {
  for (size_t i = 0; i < outs.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (!s.output(outs[i].id)) return Error::validation(f, "'" + outs[i].id + "' is not an output of step " + s.id);
    if (outs[i].at < notBefore)
      return Error::validation(f, "dated " + at(outs[i].at) + ", before step " + s.id + " began at " + at(notBefore));
    if (outs[i].at > notAfter) return Error::validation(f, "dated " + at(outs[i].at) + ", after " + at(notAfter));
  }
  return {};
}

}  // namespace

Status validateHistory(const ProcessCatalog& p, const IncidentHistory& h) {
  if (h.processId != p.id() || h.processVersion != p.version())
    return Error::validation("process", "the history runs under " + h.processId + "@v" +
                                            std::to_string(h.processVersion) + ", not " + p.key());
  for (size_t i = 0; i < h.steps.size(); ++i) {
    const std::string f = "steps[" + std::to_string(i) + "]";
    const StepRecord& r = h.steps[i];
    const Step* s = p.step(r.step);
    if (!s) return Error::validation(f + ".step", "unknown step '" + r.step + "' in " + p.key());
    if (i == 0 && !s->start)
      return Error::validation(f + ".step", "the first step must be " + p.startStep().id + ", not " + r.step);
    if (r.enteredAt < h.detectedAt)
      return Error::validation(f + ".entered_at", "before the detection time " + at(h.detectedAt));
    const TimeMs leftAt = i + 1 < h.steps.size() ? h.steps[i + 1].enteredAt : INT64_MAX;
    VIGIL_TRY(checkOutputs(*s, r.outputs, r.enteredAt, leftAt, f + ".outputs"));
    if (i + 1 < h.steps.size()) {
      const StepRecord& n = h.steps[i + 1];
      if (std::find(s->next.begin(), s->next.end(), n.step) == s->next.end())
        return Error::validation("steps[" + std::to_string(i + 1) + "].step",
                                 "step " + n.step + " cannot follow " + s->id + " (allowed: " + joined(s->next) + ")");
      if (n.enteredAt < r.enteredAt)
        return Error::validation("steps[" + std::to_string(i + 1) + "].entered_at",
                                 "before the previous step began (" + at(r.enteredAt) + ")");
      if (s->blocks) {
        auto miss = missing(*s, r, {});
        if (!miss.empty())
          return Error::validation(f + ".outputs", "step " + s->id + " was left without " + describe(miss));
      }
    }
  }
  return {};
}

Result<NextSteps> allowedTransitions(const ProcessCatalog& p, const IncidentHistory& h) {
  VIGIL_TRY(validateHistory(p, h));
  NextSteps out;
  if (h.steps.empty()) {
    const Step& s = p.startStep();
    out.candidates.push_back({s.id, s.name, true, ""});
    return out;
  }
  const StepRecord& r = h.steps.back();
  const Step& cur = *p.step(r.step);
  out.current = cur.id;
  out.closed = cur.final;
  out.handsOverTo = cur.handsOverTo;
  const auto miss = missing(cur, r, {});
  for (const auto* o : miss) out.missingOutputs.push_back(o->id);
  for (const auto& n : cur.next) {
    Candidate c{n, p.step(n)->name, true, ""};
    if (cur.blocks && !miss.empty()) {
      c.allowed = false;
      c.reason = "step " + cur.id + " blocks until it has " + describe(miss);
    }
    out.candidates.push_back(std::move(c));
  }
  return out;
}

Status validateTransition(const ProcessCatalog& p, const IncidentHistory& h, const TransitionRequest& req, TimeMs now) {
  VIGIL_TRY(validateHistory(p, h));
  const Step* to = p.step(req.to);
  if (!to) return Error::validation("to", "unknown step '" + req.to + "' in " + p.key());
  if (req.at > now) return Error::validation("at", at(req.at) + " is in the future (now " + at(now) + ")");
  if (req.at < h.detectedAt)
    return Error::validation("at", at(req.at) + " is before the detection time " + at(h.detectedAt));
  if (h.steps.empty()) {
    if (!req.outputs.empty()) return Error::validation("outputs", "no step has begun yet");
    if (!to->start) return Error::validation("to", "an incident begins with " + p.startStep().id + ", not " + req.to);
    return {};
  }
  const StepRecord& r = h.steps.back();
  const Step& cur = *p.step(r.step);
  if (cur.final)
    return Error::validation("to", "the incident is closed (step " + cur.id + " is final" +
                                       (cur.handsOverTo.empty() ? "" : "; it continues under " + cur.handsOverTo) +
                                       ")");
  if (std::find(cur.next.begin(), cur.next.end(), req.to) == cur.next.end())
    return Error::validation("to",
                             "step " + req.to + " cannot follow " + cur.id + " (allowed: " + joined(cur.next) + ")");
  if (req.at < r.enteredAt)
    return Error::validation("at", at(req.at) + " is before step " + cur.id + " began (" + at(r.enteredAt) + ")");
  VIGIL_TRY(checkOutputs(cur, req.outputs, r.enteredAt, req.at, "outputs"));
  if (cur.blocks) {
    auto miss = missing(cur, r, req.outputs);
    if (!miss.empty()) return Error::validation("outputs", "step " + cur.id + " blocks until it has " + describe(miss));
  }
  return {};
}

Status validateDetectedAt(const ProcessCatalog& p, const IncidentHistory& h, TimeMs newDetectedAt, TimeMs now) {
  if (newDetectedAt > now)
    return Error::validation("detected_at", at(newDetectedAt) + " is in the future (now " + at(now) + ")");
  if (!h.steps.empty() && newDetectedAt > h.steps.front().enteredAt)
    return Error::validation("detected_at", at(newDetectedAt) + " is after the incident was taken in (" +
                                                at(h.steps.front().enteredAt) + ")");
  if (newDetectedAt == h.detectedAt) return {};
  // The first report sent, if any: any form output recorded.
  const RecordedOutput* first = nullptr;
  for (const auto& r : h.steps)
    for (const auto& o : r.outputs) {
      const StepOutput* def = p.output(o.id);
      if (def && def->kind == OutputKind::kForm && (!first || o.at < first->at)) first = &o;
    }
  if (first) {
    const std::string what = newDetectedAt < h.detectedAt ? "backdated" : "moved";
    return Error::validation("detected_at", "the detection time cannot be " + what + " from " + at(h.detectedAt) +
                                                " to " + at(newDetectedAt) + ": report '" + first->id +
                                                "' was sent at " + at(first->at) +
                                                " with deadlines counted from it; record a correction note instead");
  }
  return {};
}

}  // namespace vigil::incident
