// Response plans as data (catalogs/incident/plans/*.toml, format in catalogs/incident/README.md):
// one plan per scenario (ransomware, defacement, ...) with its tasks, each placed on a step of
// the incident processes it serves (a step id of each process the plan names), with a priority,
// a lead role, a due offset from the detection time and, where the law sets the task, its legal
// source. Applying a plan to an incident yields concrete tasks with due dates (tasksFor); the
// incident store turns them into the incident's tasks.
//
// Loading is strict like the process catalogs: the first error refuses the file with
// "file:line: row: what" (unknown key, process, step, role or priority, a duplicate task id, a
// plan without tasks, a due offset that is not exactly one of hours / calendar_days /
// working_days). A folder's plans must have distinct ids. Immutable after loading; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/working_calendar.h"
#include "compliance/legal_source.h"
#include "core/result.h"
#include "incident/process_catalog.h"

namespace vigil::incident {

enum class TaskPriority { kCritical, kHigh, kMedium, kLow };
std::string_view taskPriorityName(TaskPriority p);

// How long after detection a task is due: hours run through nights and holidays; calendar days
// follow the Civil Code (moved off a rest day); working days skip weekends, holidays and Tết.
struct DueOffset {
  LimitUnit unit = LimitUnit::kHours;  // kHours, kCalendarDays or kWorkingDays
  int amount = 0;
};

struct PlanTask {
  std::string id;
  std::string title;  // Vietnamese
  std::string description;
  std::map<std::string, std::string> steps;  // process id -> step id
  TaskPriority priority = TaskPriority::kMedium;
  std::string lead;  // a role id present in every process of the plan
  DueOffset due;
  std::optional<Source> source;  // the legal text that sets the task, when one does
  int line = 0;
};

struct ResponsePlan {
  std::string id;  // "ransomware"
  int version = 1;
  std::string title;  // English
  std::string name;   // Vietnamese
  std::string summary;
  std::vector<std::string> processes;  // process ids the tasks are mapped to
  std::vector<PlanTask> tasks;
  std::string file;  // where it was loaded from
  const std::string& origin() const { return file; }
  const PlanTask* task(std::string_view id) const;
};

// A task of a plan applied to one incident.
struct ConcreteTask {
  std::string planId;
  std::string taskId;
  std::string title;
  std::string description;
  std::string step;  // the step of the incident's process
  int phase = 0;
  TaskPriority priority = TaskPriority::kMedium;
  std::string lead;
  TimeMs dueAt = 0;
  std::string dueDate;  // local day, YYYY-MM-DD
  bool provisional = false;
  std::string note;  // why provisional, or which days moved it
  std::optional<Source> source;
};

// Parses one plan; every process it names must be in `processes` (the latest version of each id
// is used for the checks), each task's step must be a step of that process and its lead a role of
// every named process.
Result<ResponsePlan> parsePlan(std::string_view text, const std::string& origin, const ProcessLibrary& processes);
Result<ResponsePlan> loadPlan(const std::string& path, const ProcessLibrary& processes);

class PlanLibrary {
 public:
  // Every *.toml of `dir` (sorted by name); the first bad file refuses the set, and so does a
  // plan id used twice.
  static Result<PlanLibrary> loadDirectory(const std::string& dir, const ProcessLibrary& processes);
  const std::vector<std::shared_ptr<const ResponsePlan>>& all() const { return plans_; }
  std::shared_ptr<const ResponsePlan> find(std::string_view id) const;

 private:
  std::vector<std::shared_ptr<const ResponsePlan>> plans_;
};

// The plan's tasks for an incident running `process`, detected at `detectedAt`, due dates
// counted on `calendar`, in plan order. kValidation when the plan is not written for that
// process (naming the processes it is written for).
Result<std::vector<ConcreteTask>> tasksFor(const ResponsePlan& plan, const ProcessCatalog& process, TimeMs detectedAt,
                                           const calendar::WorkingCalendar& calendar);

}  // namespace vigil::incident
