#include "incident/handover.h"

#include <algorithm>
#include <set>

namespace vigil::incident {

std::string_view handoverRuleName(HandoverRule r) {
  return r == HandoverRule::kHandsOverTo ? "hands_over_to" : "serious_escalation";
}

namespace {

// Whether `p` has a final step handing over to `processId`.
bool handsBackTo(const ProcessCatalog& p, const std::string& processId) {
  return std::any_of(p.steps().begin(), p.steps().end(),
                     [&](const Step& s) { return s.final && s.handsOverTo == processId; });
}

Error refuse(const std::string& why) { return Error::validation("to_process", why); }

}  // namespace

Result<HandoverPlan> planHandover(const ProcessLibrary& lib, const ProcessCatalog& from, const IncidentHistory& h,
                                  const std::string& to) {
  if (to == from.id()) return refuse("the incident already runs under " + from.id());
  auto target = lib.latest(to);
  if (!target) {
    std::string known;
    std::set<std::string> ids;
    for (const auto& p : lib.all()) ids.insert(p->id());
    for (const auto& id : ids) known += (known.empty() ? "" : ", ") + id;
    return refuse("no incident process '" + to + "' (known: " + known + ")");
  }
  VIGIL_ASSIGN_OR_RETURN(NextSteps next, allowedTransitions(from, h));
  const Step* cur = next.current.empty() ? nullptr : from.step(next.current);
  HandoverPlan plan;
  plan.to = target;
  plan.startStep = target->startStep().id;
  if (cur && cur->final) {
    if (cur->handsOverTo.empty())
      return refuse("the incident is closed: its final step " + cur->id + " of " + from.key() +
                    " hands over to no other process");
    if (cur->handsOverTo != to)
      return refuse("step " + cur->id + " of " + from.key() + " hands over to " + cur->handsOverTo + ", not " + to);
    if (!next.missingOutputs.empty()) {
      std::string missing;
      for (const auto& id : next.missingOutputs) {
        const auto it =
            std::find_if(cur->outputs.begin(), cur->outputs.end(), [&](const auto& o) { return o.id == id; });
        missing += (missing.empty() ? "" : ", ") + id + (it != cur->outputs.end() ? " (" + it->label + ")" : "");
      }
      return refuse("step " + cur->id + " needs its required outputs before the hand-over: " + missing);
    }
    plan.rule = HandoverRule::kHandsOverTo;
  } else {
    if (!handsBackTo(*target, from.id()))
      return refuse(from.id() + " does not hand over to " + to + ": an open incident may only move to a process " +
                    "of its regime whose final step hands back to " + from.id() + " (the serious-incident path), and " +
                    to + " is not one");
    if (target->regime() != from.regime())
      return refuse(to + " is for regime " + target->regime() + ", the incident for " + from.regime());
    if (!h.flags.count(kSeriousFlag))
      return refuse(
          "the recorded classification is not serious (Decision 05/2017 Art. 9): record the facts that "
          "make it serious (PATCH facts) before moving it to " +
          to);
    plan.rule = HandoverRule::kSeriousEscalation;
  }
  for (const auto& [id, at] : h.events)
    if (target->event(id)) plan.events.emplace_back(id, at);
  auto meetsDeadline = [&](const std::string& output) {
    return std::any_of(target->deadlines().begin(), target->deadlines().end(),
                       [&](const LegalDeadline& d) { return d.metBy == output; });
  };
  for (const auto& s : h.steps)
    for (const auto& o : s.outputs)
      if (meetsDeadline(o.id)) plan.outputs.push_back(o);
  for (const auto& o : h.carriedOutputs)
    if (meetsDeadline(o.id)) plan.outputs.push_back(o);
  return plan;
}

std::vector<std::pair<std::string, HandoverRule>> handoverTargets(const ProcessLibrary& lib, const ProcessCatalog& from,
                                                                  const IncidentHistory& h) {
  std::vector<std::pair<std::string, HandoverRule>> out;
  std::set<std::string> seen;
  for (const auto& p : lib.all()) {
    if (!seen.insert(p->id()).second) continue;
    auto plan = planHandover(lib, from, h, p->id());
    if (plan.ok()) out.emplace_back(p->id(), plan->rule);
  }
  return out;
}

}  // namespace vigil::incident
