#include "incident/response_plan.h"

#include <algorithm>

#include "compliance/catalog_loader.h"

namespace vigil::incident {

using compliance::detail::CatalogLoader;
using compliance::detail::rowName;

std::string_view taskPriorityName(TaskPriority p) {
  switch (p) {
    case TaskPriority::kCritical: return "critical";
    case TaskPriority::kHigh: return "high";
    case TaskPriority::kMedium: return "medium";
    case TaskPriority::kLow: return "low";
  }
  return "medium";
}

const PlanTask* ResponsePlan::task(std::string_view id) const {
  for (const auto& t : tasks)
    if (t.id == id) return &t;
  return nullptr;
}

namespace {

bool validId(std::string_view s) {
  return !s.empty() && s.size() <= 64 && s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == s.npos;
}

Result<DueOffset> parseDue(const CatalogLoader& L, const toml::table& task, const std::string& row) {
  const auto* n = task.get("due");
  if (!n) return L.err(task, row, "missing due (a table with one of hours, calendar_days, working_days)");
  const auto* t = n->as_table();
  if (!t) return L.err(*n, row, "due must be a table { hours = N } or { calendar_days = N } or { working_days = N }");
  if (auto e = L.onlyKeys(*t, row + ": due", {"hours", "calendar_days", "working_days"})) return *e;
  if (t->size() != 1) return L.err(*n, row, "due must have exactly one of hours, calendar_days, working_days");
  for (const auto& [key, value] : *t) {
    auto amount = value.value<int64_t>();
    if (!amount || *amount < 1 || *amount > 8760)
      return L.err(value, row, "due." + std::string(key.str()) + " must be 1..8760");
    DueOffset d;
    d.amount = static_cast<int>(*amount);
    d.unit = key == "hours"           ? LimitUnit::kHours
             : key == "calendar_days" ? LimitUnit::kCalendarDays
                                      : LimitUnit::kWorkingDays;
    return d;
  }
  return L.err(*n, row, "due is empty");
}

}  // namespace

Result<ResponsePlan> parsePlan(std::string_view text, const std::string& origin, const ProcessLibrary& library) {
  VIGIL_ASSIGN_OR_RETURN(const toml::table root, compliance::detail::parseToml(text, origin));
  const CatalogLoader L(origin);
  if (auto e = L.onlyKeys(root, "", {"plan", "task"})) return *e;
  const auto* header = root["plan"].as_table();
  if (!header) return Error::validation(origin, "missing the [plan] table");
  if (auto e = L.onlyKeys(*header, "plan", {"id", "version", "title", "name", "summary", "processes"})) return *e;
  ResponsePlan plan;
  plan.file = origin;
  VIGIL_ASSIGN_OR_RETURN(plan.id, L.requiredText(*header, "id", "plan"));
  if (!validId(plan.id)) return L.err(*header->get("id"), "plan", "id must be lower-case letters, digits, '_' or '-'");
  {
    const auto* v = header->get("version");
    auto n = v ? v->value<int64_t>() : std::nullopt;
    if (!n || *n < 1 || *n > 100000) return L.err(v ? *v : *header, "plan", "version must be a positive integer");
    plan.version = static_cast<int>(*n);
  }
  VIGIL_ASSIGN_OR_RETURN(plan.title, L.requiredText(*header, "title", "plan"));
  VIGIL_ASSIGN_OR_RETURN(plan.name, L.requiredText(*header, "name", "plan"));
  VIGIL_ASSIGN_OR_RETURN(plan.summary, L.requiredText(*header, "summary", "plan"));

  std::vector<std::shared_ptr<const ProcessCatalog>> processes;
  {
    const auto* n = header->get("processes");
    const auto* arr = n ? n->as_array() : nullptr;
    if (!arr || arr->empty())
      return L.err(n ? *n : *header, "plan", "processes must be a non-empty array of process ids");
    for (const auto& e : *arr) {
      auto id = e.value<std::string>();
      if (!id) return L.err(e, "plan", "processes must hold process ids");
      auto p = library.latest(*id);
      if (!p) return L.err(e, "plan", "unknown process '" + *id + "'");
      if (std::find(plan.processes.begin(), plan.processes.end(), *id) != plan.processes.end())
        return L.err(e, "plan", "process '" + *id + "' listed twice");
      plan.processes.push_back(*id);
      processes.push_back(std::move(p));
    }
  }

  const auto* tasks = root["task"].as_array();
  if (!tasks || tasks->empty()) return L.err(root, "", "the plan has no [[task]] rows");
  for (const auto& node : *tasks) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "task", "each [[task]] must be a table");
    const std::string row = rowName(*t, "task");
    if (auto e = L.onlyKeys(*t, row, {"id", "title", "description", "steps", "priority", "lead", "due", "source"}))
      return *e;
    PlanTask task;
    task.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(task.id, L.requiredText(*t, "id", row));
    if (!validId(task.id)) return L.err(node, row, "id must be lower-case letters, digits, '_' or '-'");
    if (plan.task(task.id)) return L.err(node, row, "task id used twice in this plan");
    VIGIL_ASSIGN_OR_RETURN(task.title, L.requiredText(*t, "title", row));
    VIGIL_ASSIGN_OR_RETURN(task.description, L.requiredText(*t, "description", row));
    {
      const auto* n = t->get("steps");
      const auto* st = n ? n->as_table() : nullptr;
      if (!st) return L.err(n ? *n : node, row, "steps must be a table { \"<process id>\" = \"<step id>\" }");
      for (const auto& [key, value] : *st) {
        const std::string pid(key.str());
        auto it = std::find(plan.processes.begin(), plan.processes.end(), pid);
        if (it == plan.processes.end())
          return L.err(value, row, "steps names process '" + pid + "', which the plan does not list");
        auto step = value.value<std::string>();
        const auto& proc = processes[static_cast<size_t>(it - plan.processes.begin())];
        if (!step || !proc->step(*step))
          return L.err(value, row, "unknown step '" + step.value_or("?") + "' of process " + proc->key());
        task.steps[pid] = *step;
      }
      for (const auto& pid : plan.processes)
        if (!task.steps.count(pid)) return L.err(*n, row, "steps has no step for process '" + pid + "'");
    }
    VIGIL_ASSIGN_OR_RETURN(std::string priority, L.requiredText(*t, "priority", row));
    if (priority == "critical") {
      task.priority = TaskPriority::kCritical;
    } else if (priority == "high") {
      task.priority = TaskPriority::kHigh;
    } else if (priority == "medium") {
      task.priority = TaskPriority::kMedium;
    } else if (priority == "low") {
      task.priority = TaskPriority::kLow;
    } else {
      return L.err(*t->get("priority"), row, "unknown priority '" + priority + "' (critical, high, medium, low)");
    }
    VIGIL_ASSIGN_OR_RETURN(task.lead, L.requiredText(*t, "lead", row));
    for (const auto& p : processes)
      if (!p->role(task.lead)) return L.err(*t->get("lead"), row, "unknown role '" + task.lead + "' in " + p->key());
    VIGIL_ASSIGN_OR_RETURN(task.due, parseDue(L, *t, row));
    if (t->get("source")) {
      VIGIL_ASSIGN_OR_RETURN(Source s, L.source(*t, row));
      task.source = std::move(s);
    }
    plan.tasks.push_back(std::move(task));
  }
  return plan;
}

Result<ResponsePlan> loadPlan(const std::string& path, const ProcessLibrary& processes) {
  VIGIL_ASSIGN_OR_RETURN(auto text, compliance::detail::readCatalogFile(path, "response plan"));
  return parsePlan(text, path, processes);
}

Result<PlanLibrary> PlanLibrary::loadDirectory(const std::string& dir, const ProcessLibrary& processes) {
  PlanLibrary lib;
  VIGIL_ASSIGN_OR_RETURN(lib.plans_,
                         compliance::detail::loadCatalogDirectory<ResponsePlan>(
                             dir, "response plans", [&](const std::string& p) { return loadPlan(p, processes); },
                             [](const ResponsePlan& p) { return p.id; }, "plan id"));
  return lib;
}

std::shared_ptr<const ResponsePlan> PlanLibrary::find(std::string_view id) const {
  for (const auto& p : plans_)
    if (p->id == id) return p;
  return nullptr;
}

Result<std::vector<ConcreteTask>> tasksFor(const ResponsePlan& plan, const ProcessCatalog& process, TimeMs detectedAt,
                                           const calendar::WorkingCalendar& calendar) {
  if (std::find(plan.processes.begin(), plan.processes.end(), process.id()) == plan.processes.end()) {
    std::string list;
    for (const auto& p : plan.processes) list += (list.empty() ? "" : ", ") + p;
    return Error::validation("plan", "plan '" + plan.id + "' is written for " + list + ", not for " + process.id());
  }
  const calendar::Date day = calendar.localDate(detectedAt);
  std::vector<ConcreteTask> out;
  for (const auto& t : plan.tasks) {
    ConcreteTask c;
    c.planId = plan.id;
    c.taskId = t.id;
    c.title = t.title;
    c.description = t.description;
    c.step = t.steps.at(process.id());
    const Step* step = process.step(c.step);
    if (!step)
      return Error::validation(
          "plan", "task '" + t.id + "' names step '" + c.step + "', which " + process.key() + " does not have");
    c.phase = step->phase;
    c.priority = t.priority;
    c.lead = t.lead;
    c.source = t.source;
    calendar::Deadline d;
    switch (t.due.unit) {
      case LimitUnit::kCalendarDays: d = calendar.afterCalendarDays(day, t.due.amount); break;
      case LimitUnit::kWorkingDays: d = calendar.afterWorkingDays(day, t.due.amount); break;
      default: d = calendar.afterHours(detectedAt, t.due.amount); break;
    }
    c.dueAt = d.dueAt;
    c.dueDate = calendar::formatDate(d.dueDate);
    c.provisional = d.provisional;
    c.note = d.note;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace vigil::incident
