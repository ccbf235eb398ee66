// The notices of the incident module (issue 4, "Deadlines" and "Notifications"): what the deadline
// watch (alerts/deadline_watch.h) and the incident routes hand to Dispatcher::publish. Subject and
// body are Vietnamese first, English after; the link is the incident's page
// (`<linkBase>/incidents/<id>`, none when linkBase is "").
//
// Severity rises with the level so that a subscription's minimum severity picks the levels it
// wants: 50 % low, 75 % medium, 90 % high, breach critical. A new incident carries its internal
// severity (classification.toml's scale: low, medium, high, critical; medium when not set).
//
// Escalation: a breach notice names the supervisor role in `Notice::escalateTo` (the caller's
// role, "leader" in vigil serve); every e-mail subscription it matches then also reaches every
// user holding that role on the incident's agency or an ancestor (NotifyStore::enqueueNotice).
#pragma once

#include <string>

#include "model/access.h"
#include "store/incident_store.h"
#include "store/notify_store.h"

namespace vigil::notify {

// What the deadline watch raised: one level of one deadline of one incident.
struct DeadlineFacts {
  std::string deadlineId;  // the process data's deadline id
  std::string label;       // its Vietnamese label
  TimeMs dueAt = 0;
  int level = 0;  // 50, 75, 90; 100 = breached
};

// Severity of a warning level (50 low, 75 medium, 90 high, anything else critical).
AlertSeverity deadlineSeverity(int level);

// A deadline_warning notice (level 50, 75 or 90).
Notice deadlineWarningNotice(const Incident& inc, const DeadlineFacts& d, TimeMs now, const std::string& linkBase);
// A deadline_breach notice, critical, escalated to `supervisor`.
Notice deadlineBreachNotice(const Incident& inc, const DeadlineFacts& d, Role supervisor, TimeMs now,
                            const std::string& linkBase);
// An incident_created notice (also for an incident continuing another under a new process: the
// body names the one it continues).
Notice incidentCreatedNotice(const Incident& inc, const std::string& linkBase);

}  // namespace vigil::notify
