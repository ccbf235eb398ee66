#include "alerts/deadline_watch.h"

#include <algorithm>

#include "core/log.h"
#include "incident/legal_clock.h"
#include "incident/state_machine.h"

namespace vigil::alerts {

DeadlineWatch::DeadlineWatch(Store& store, std::shared_ptr<const incident::ProcessLibrary> processes,
                             std::shared_ptr<const calendar::WorkingCalendar> calendar, const Clock& clock,
                             std::string escalateTo, DeadlineRaisedFn onRaised)
    : store_(store),
      processes_(std::move(processes)),
      calendar_(std::move(calendar)),
      clock_(clock),
      escalateTo_(std::move(escalateTo)),
      onRaised_(std::move(onRaised)) {}

DeadlineWatch::~DeadlineWatch() { stop(); }

namespace {

incident::IncidentHistory historyOf(const Incident& inc) {
  incident::IncidentHistory h;
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

int levelOf(incident::DeadlineState s) {
  switch (s) {
    case incident::DeadlineState::kWarn50: return 50;
    case incident::DeadlineState::kWarn75: return 75;
    case incident::DeadlineState::kWarn90: return 90;
    default: return 0;
  }
}

}  // namespace

Result<DeadlinePass> DeadlineWatch::checkOnce() {
  DeadlinePass pass;
  VIGIL_ASSIGN_OR_RETURN(auto open, store_.openIncidentsForClock());
  const TimeMs now = clock_.nowMs();
  for (const auto& in : open) {
    const Incident& inc = in.incident;
    auto p = processes_->find(inc.processId, inc.processVersion);
    if (!p) {
      log::error("incident " + std::to_string(inc.id) + ": process " + inc.processId + "@v" +
                 std::to_string(inc.processVersion) + " is not loaded; its deadlines are not watched");
      ++pass.skipped;
      continue;
    }
    auto clock = incident::legalClock(*p, historyOf(inc), *calendar_, std::max(now, inc.detectedAt));
    if (!clock.ok()) {
      log::error("incident " + std::to_string(inc.id) + ": " + clock.error().message);
      ++pass.skipped;
      continue;
    }
    auto raised = [&](const std::string& key) {
      return std::find(in.raised.begin(), in.raised.end(), key) != in.raised.end();
    };
    for (const auto& d : *clock) {
      if (d.state == incident::DeadlineState::kBreached) {
        if (raised(d.id + ":breach")) continue;
        VIGIL_ASSIGN_OR_RETURN(bool added, store_.recordBreach(inc.id, d.id, d.label, d.dueAt, escalateTo_));
        pass.breaches += added ? 1 : 0;
        if (added && onRaised_) onRaised_({inc, d.id, d.label, d.dueAt, 100, escalateTo_, now});
        continue;
      }
      const int level = levelOf(d.state);
      if (level == 0 || raised(d.id + ":" + std::to_string(level))) continue;
      VIGIL_ASSIGN_OR_RETURN(bool added, store_.raiseDeadlineWarning(inc.id, d.id, d.label, level, d.dueAt));
      pass.warnings += added ? 1 : 0;
      if (added && onRaised_) onRaised_({inc, d.id, d.label, d.dueAt, level, "", now});
    }
  }
  return pass;
}

void DeadlineWatch::start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto r = checkOnce();
      if (!r.ok()) log::error("incident deadline check failed: " + r.error().message);
      lock.lock();
      cv_.wait_for(lock, interval, [&] { return stopping_; });
    }
  });
}

void DeadlineWatch::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vigil::alerts
