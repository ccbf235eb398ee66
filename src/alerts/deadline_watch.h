// DeadlineWatch: the legal clock of open incidents, checked in the background (issue 4,
// "Deadlines"). Every `interval` it reads the open incidents with their history, computes each
// one's deadlines on its own process version (incident/legal_clock.h) and, once per deadline and
// level:
// - at 50, 75 and 90 % of the allowed time, raises a warning: a timeline entry and an alert in the
//   queue of the incident's agency (rule "incident-deadline"), audited;
// - on breach, writes the breach record (append-only, never edited), a timeline entry and a
//   critical alert escalated to the supervisor role (`escalateTo`, "leader"), audited.
// A level already raised is not raised again, also after a restart (the store keeps the marks). A
// deadline first seen late raises only its highest level reached (a breach, or 90 %), not the
// levels it skipped.
//
// Notifications: each level newly recorded is also handed, once, to the `onRaised` callback
// (vigil serve turns it into a deadline_warning or deadline_breach notice for Dispatcher::publish,
// notify/incident_notices.h), after the store has committed the mark. "Once" rests on the mark:
// a restarted watch finds it and calls nothing again. The callback runs on the watch's thread and
// must not block (publish() only queues); a notice queued but not yet written when the process
// dies is lost (at most once, never twice), while the timeline entry and the queue alert remain.
//
// Threads: checkOnce() may be called from any one thread at a time; start()/stop() run it on the
// watch's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "calendar/working_calendar.h"
#include "core/clock.h"
#include "incident/process_catalog.h"
#include "store/store.h"

namespace vigil::alerts {

inline constexpr const char* kDeadlineRule = "incident-deadline";

// One level of one deadline, newly recorded for `incident` (read before the pass).
struct DeadlineRaised {
  Incident incident;
  std::string deadlineId;
  std::string label;
  TimeMs dueAt = 0;
  int level = 0;           // 50, 75, 90; 100 = breached
  std::string escalateTo;  // breach: the supervisor role it was escalated to; "" for a warning
  TimeMs now = 0;          // the watch's clock at the pass
};
using DeadlineRaisedFn = std::function<void(const DeadlineRaised&)>;

struct DeadlinePass {
  int warnings = 0;
  int breaches = 0;
  int skipped = 0;  // incidents whose process version or history could not be read (logged)
};

class DeadlineWatch {
 public:
  DeadlineWatch(Store& store, std::shared_ptr<const incident::ProcessLibrary> processes,
                std::shared_ptr<const calendar::WorkingCalendar> calendar, const Clock& clock,
                std::string escalateTo = "leader", DeadlineRaisedFn onRaised = {});
  ~DeadlineWatch();

  Result<DeadlinePass> checkOnce();
  void start(std::chrono::milliseconds interval);
  void stop();

 private:
  Store& store_;
  std::shared_ptr<const incident::ProcessLibrary> processes_;
  std::shared_ptr<const calendar::WorkingCalendar> calendar_;
  const Clock& clock_;
  std::string escalateTo_;
  DeadlineRaisedFn onRaised_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace vigil::alerts
