// Response plans (catalogs/incident/plans/): every shipped plan loads and maps each task to real
// steps of the processes it names; the loader refuses bad files with file:line; tasksFor dates
// the tasks on the real calendar (hours through a weekend, working days across Tết 2026).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "incident/incident_support.h"
#include "incident/response_plan.h"
#include "support/test_server.h"

namespace vigil::incident {
namespace {

using testing::library;
using testing::t;
using testing::vnCalendar;

std::string planDir() { return std::string(VIGIL_INCIDENT_CATALOG_DIR) + "/plans"; }

const PlanLibrary& plans() {
  static const PlanLibrary lib = [] {
    auto r = PlanLibrary::loadDirectory(planDir(), library());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : PlanLibrary{};
  }();
  return lib;
}

TEST(PlanCatalog, EveryScenarioOfTheIssueIsShipped) {
  std::set<std::string> ids;
  for (const auto& p : plans().all()) ids.insert(p->id);
  const std::set<std::string> expected = {
      "ransomware",          "defacement",          "seo-spam",          "ddos", "data-leak",
      "workstation-malware", "compromised-account", "vulnerable-service"};
  EXPECT_EQ(ids, expected);
}

TEST(PlanCatalog, EveryTaskMapsToARealStepOfEveryProcessItNames) {
  ASSERT_FALSE(plans().all().empty());
  for (const auto& plan : plans().all()) {
    SCOPED_TRACE(plan->origin());
    EXPECT_FALSE(plan->title.empty());
    EXPECT_GE(plan->tasks.size(), 5u);
    for (const auto& pid : plan->processes) {
      auto proc = library().latest(pid);
      ASSERT_NE(proc, nullptr) << pid;
      for (const auto& task : plan->tasks) {
        ASSERT_TRUE(task.steps.count(pid)) << task.id;
        EXPECT_NE(proc->step(task.steps.at(pid)), nullptr) << task.id << " -> " << task.steps.at(pid);
        EXPECT_NE(proc->role(task.lead), nullptr) << task.id;
      }
      // The plan covers the law's phases: at least one task in the first and the last phase.
      auto tasks = tasksFor(*plan, *proc, t("2026-03-02T09:00:00+07:00"), vnCalendar());
      ASSERT_TRUE(tasks.ok()) << tasks.error().message;
      int minPhase = 99, maxPhase = 0;
      for (const auto& c : *tasks) {
        minPhase = std::min(minPhase, c.phase);
        maxPhase = std::max(maxPhase, c.phase);
      }
      EXPECT_EQ(minPhase, 1) << pid;
      EXPECT_EQ(maxPhase, proc->phases().back().id) << pid;
    }
  }
}

// A plan written with `body` after a valid header, parsed against the real processes.
Result<ResponsePlan> parseWith(const std::string& tasks) {
  const std::string text =
      "[plan]\nid = \"x\"\nversion = 1\ntitle = \"X\"\nname = \"Phương án X\"\nsummary = \"s\"\n"
      "processes = [\"A-TT20\"]\n" +
      tasks;
  return parsePlan(text, "x.toml", library());
}

constexpr const char* kGoodTask =
    "[[task]]\nid = \"a\"\ntitle = \"A\"\ndescription = \"d\"\nsteps = { \"A-TT20\" = \"contain\" }\n"
    "priority = \"high\"\nlead = \"operator\"\ndue = { hours = 4 }\n";

TEST(PlanCatalog, AValidPlanParses) {
  auto p = parseWith(kGoodTask);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->tasks.size(), 1u);
  EXPECT_EQ(p->tasks[0].steps.at("A-TT20"), "contain");
  EXPECT_EQ(p->tasks[0].due.unit, LimitUnit::kHours);
  EXPECT_EQ(p->tasks[0].due.amount, 4);
}

TEST(PlanCatalog, BadFilesAreRefusedWithFileAndLine) {
  struct Case {
    const char* name;
    std::string tasks;
    const char* message;
    int line;  // of the error; 0: not checked
  };
  const std::string good = kGoodTask;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::vector<Case> cases = {
      {"no tasks", "", "no [[task]]", 0},
      {"unknown step", replace("\"contain\"", "\"contian\""), "unknown step 'contian' of process A-TT20", 12},
      {"unknown process in steps", replace("\"A-TT20\" = \"contain\"", "\"A-TT20\" = \"contain\", \"Z\" = \"a\""),
       "does not list", 12},
      {"no step for a process", replace("\"A-TT20\" = \"contain\"", ""), "no step for process 'A-TT20'", 12},
      {"unknown role", replace("\"operator\"", "\"janitor\""), "unknown role 'janitor'", 14},
      {"unknown priority", replace("\"high\"", "\"urgent\""), "unknown priority 'urgent'", 13},
      {"two due units", replace("{ hours = 4 }", "{ hours = 4, working_days = 1 }"), "exactly one", 15},
      {"bad due", replace("{ hours = 4 }", "{ hours = 0 }"), "must be 1..8760", 15},
      {"unknown key", good + "colour = \"red\"\n", "colour", 0},
      {"duplicate id", good + good, "task id used twice", 16},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parseWith(c.tasks);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.rfind("x.toml", 0), 0u) << r.error().message;
    if (c.line) {
      EXPECT_NE(r.error().message.find("x.toml:" + std::to_string(c.line) + ":"), std::string::npos)
          << r.error().message;
    }
  }
  auto unknownProcess = parsePlan(
      "[plan]\nid = \"x\"\nversion = 1\ntitle = \"X\"\nname = \"n\"\nsummary = \"s\"\nprocesses = [\"A-TT99\"]\n" +
          good,
      "x.toml", library());
  ASSERT_FALSE(unknownProcess.ok());
  EXPECT_NE(unknownProcess.error().message.find("x.toml:7:"), std::string::npos) << unknownProcess.error().message;
  EXPECT_NE(unknownProcess.error().message.find("unknown process 'A-TT99'"), std::string::npos);
}

TEST(PlanCatalog, TwoPlansWithTheSameIdAreRefused) {
  vigil::test::TempDir dir;
  for (const char* f : {"a.toml", "b.toml"}) {
    std::ofstream(dir.path() / f)
        << "[plan]\nid = \"same\"\nversion = 1\ntitle = \"X\"\nname = \"n\"\nsummary = \"s\"\n"
           "processes = [\"A-TT20\"]\n"
        << kGoodTask;
  }
  auto r = PlanLibrary::loadDirectory(dir.path().string(), library());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("plan id 'same' is also used by"), std::string::npos) << r.error().message;
}

const ConcreteTask& taskOf(const std::vector<ConcreteTask>& v, const std::string& id) {
  for (const auto& c : v)
    if (c.taskId == id) return c;
  ADD_FAILURE() << "no task " << id;
  static ConcreteTask none;
  return none;
}

TEST(PlanTasks, DueDatesAcrossAWeekend) {
  // Detected Friday 6 March 2026 at 18:00 (+07:00).
  auto plan = plans().find("ransomware");
  ASSERT_NE(plan, nullptr);
  auto tasks = tasksFor(*plan, *library().latest("A-TT20"), t("2026-03-06T18:00:00+07:00"), vnCalendar());
  ASSERT_TRUE(tasks.ok()) << tasks.error().message;
  ASSERT_EQ(tasks->size(), plan->tasks.size());
  // Hours run through the weekend: isolate (1 h) at 19:00 Friday.
  EXPECT_EQ(taskOf(*tasks, "isolate").dueAt, t("2026-03-06T19:00:00+07:00"));
  EXPECT_EQ(taskOf(*tasks, "isolate").step, "first_response");
  EXPECT_EQ(taskOf(*tasks, "isolate").phase, 1);
  // 8 hours: 02:00 on Saturday; the weekend does not stop the clock.
  EXPECT_EQ(taskOf(*tasks, "protect_backups").dueAt, t("2026-03-07T02:00:00+07:00"));
  EXPECT_EQ(taskOf(*tasks, "protect_backups").dueDate, "2026-03-07");
  // 3 working days from Friday: Mon 9, Tue 10, Wed 11 -> end of Wednesday 11 March.
  EXPECT_EQ(taskOf(*tasks, "eradicate").dueDate, "2026-03-11");
  EXPECT_EQ(taskOf(*tasks, "eradicate").dueAt, t("2026-03-12T00:00:00+07:00"));
  // 5 calendar days from Friday 6: Wednesday 11 (not a rest day, not moved).
  EXPECT_EQ(taskOf(*tasks, "notify").dueDate, "2026-03-11");
  ASSERT_TRUE(taskOf(*tasks, "notify").source.has_value());
  EXPECT_EQ(taskOf(*tasks, "notify").source->document, "Thông tư 20/2017/TT-BTTTT");
  // 72 hours for the personal-data notice of a data leak: Monday 9 March 18:00.
  auto leak =
      tasksFor(*plans().find("data-leak"), *library().latest("A-TT20"), t("2026-03-06T18:00:00+07:00"), vnCalendar());
  ASSERT_TRUE(leak.ok()) << leak.error().message;
  EXPECT_EQ(taskOf(*leak, "notify_personal_data").dueAt, t("2026-03-09T18:00:00+07:00"));
  EXPECT_EQ(taskOf(*leak, "notify_personal_data").priority, TaskPriority::kCritical);
  // The same plan under regime B maps to its own steps.
  auto b = tasksFor(*plan, *library().latest("B-ND331"), t("2026-03-06T18:00:00+07:00"), vnCalendar());
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(taskOf(*b, "isolate").step, "detect_classify");
  EXPECT_EQ(taskOf(*b, "review").step, "report_result");
}

TEST(PlanTasks, WorkingDaysSkipTet2026) {
  // Detected Thursday 12 February 2026 at 10:00; 16-20 February are the Tết holidays.
  auto plan = plans().find("ransomware");
  ASSERT_NE(plan, nullptr);
  auto tasks = tasksFor(*plan, *library().latest("A-TT20"), t("2026-02-12T10:00:00+07:00"), vnCalendar());
  ASSERT_TRUE(tasks.ok()) << tasks.error().message;
  // 3 working days: Fri 13, then Tết, Mon 23, Tue 24.
  EXPECT_EQ(taskOf(*tasks, "eradicate").dueDate, "2026-02-24");
  // 5 working days: 13, 23, 24, 25, 26.
  EXPECT_EQ(taskOf(*tasks, "restore").dueDate, "2026-02-26");
  // 5 calendar days end on 17/2, in Tết: moved to the first working day, Monday 23.
  EXPECT_EQ(taskOf(*tasks, "notify").dueDate, "2026-02-23");
  // Hours do not stop for Tết: 8 hours -> 18:00 the same day.
  EXPECT_EQ(taskOf(*tasks, "protect_backups").dueAt, t("2026-02-12T18:00:00+07:00"));
}

TEST(PlanTasks, APlanIsRefusedForAProcessItIsNotWrittenFor) {
  auto plan = plans().find("ddos");
  ASSERT_NE(plan, nullptr);
  auto r = tasksFor(*plan, *library().latest("A-QD05-serious"), t("2026-03-02T09:00:00+07:00"), vnCalendar());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("written for A-TT20, B-ND331, not for A-QD05-serious"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace vigil::incident
