// Hand-over between processes (incident/handover.h), data-driven over every process file of
// catalogs/incident/processes: from the start step of each process to each other process, with
// and without the serious flag; every final step that hands over, reached by a valid walk, with
// and without its required outputs; the clock events carried over.
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "incident/handover.h"
#include "incident/incident_support.h"
#include "incident/legal_clock.h"

namespace vigil::incident {
namespace {

using testing::library;
using testing::process;
using testing::t;

constexpr TimeMs kMinute = 60 * 1000;

std::vector<std::shared_ptr<const ProcessCatalog>> latestOfEach() {
  std::vector<std::shared_ptr<const ProcessCatalog>> out;
  std::set<std::string> seen;
  for (const auto& p : library().all())
    if (seen.insert(p->id()).second) out.push_back(library().latest(p->id()));
  return out;
}

// A valid history of `p` that ends on `target`: the shortest walk from the start step, every
// required output of each step recorded before it is left; the target's outputs only when
// `withTargetOutputs`.
IncidentHistory walkTo(const ProcessCatalog& p, const std::string& target, bool withTargetOutputs) {
  std::map<std::string, std::string> parent;
  std::deque<std::string> queue{p.startStep().id};
  parent[p.startStep().id] = "";
  while (!queue.empty()) {
    const std::string cur = queue.front();
    queue.pop_front();
    if (cur == target) break;
    for (const auto& n : p.step(cur)->next)
      if (parent.emplace(n, cur).second) queue.push_back(n);
  }
  std::vector<std::string> path;
  for (std::string s = target; !s.empty(); s = parent.at(s)) path.insert(path.begin(), s);
  IncidentHistory h{p.id(), p.version(), t("2026-03-02T08:00:00+07:00"), {}, {}, {}};
  TimeMs at = h.detectedAt;
  for (const auto& id : path) {
    StepRecord r{id, at += kMinute, {}};
    if (id != target || withTargetOutputs)
      for (const auto& o : p.step(id)->outputs)
        if (o.required) r.outputs.push_back({o.id, at += kMinute});
    h.steps.push_back(std::move(r));
  }
  return h;
}

TEST(Handover, FromTheStartOfEveryProcessOnlyTheSeriousEscalationIsAllowed) {
  // What the shipped data allows at the start of a serious incident: A-TT20 to the Decision 05
  // serious path, nothing else (regime B has no serious path; the serious path itself is left
  // only through its hand_back step).
  const std::set<std::pair<std::string, std::string>> expected{{"A-TT20", "A-QD05-serious"}};
  std::set<std::pair<std::string, std::string>> allowed;
  const auto all = latestOfEach();
  ASSERT_GE(all.size(), 3u);
  for (const auto& from : all) {
    IncidentHistory h{from->id(), from->version(), t("2026-03-02T08:00:00+07:00"), {}, {}, {}};
    h.steps.push_back({from->startStep().id, h.detectedAt + kMinute, {}});
    for (const auto& to : all) {
      SCOPED_TRACE(from->key() + " -> " + to->id());
      auto normal = planHandover(library(), *from, h, to->id());
      ASSERT_FALSE(normal.ok()) << "an incident not classified serious never changes process from its start";
      EXPECT_EQ(normal.error().field, "to_process");
      IncidentHistory serious = h;
      serious.flags.insert(kSeriousFlag);
      auto plan = planHandover(library(), *from, serious, to->id());
      if (plan.ok()) {
        allowed.emplace(from->id(), to->id());
        EXPECT_EQ(plan->rule, HandoverRule::kSeriousEscalation);
        EXPECT_EQ(plan->startStep, to->startStep().id);
        EXPECT_EQ(plan->to->version(), to->version());
        EXPECT_NE(normal.error().message.find("not serious"), std::string::npos) << normal.error().message;
      } else if (to->id() == from->id()) {
        EXPECT_NE(plan.error().message.find("already runs under"), std::string::npos) << plan.error().message;
      }
    }
  }
  EXPECT_EQ(allowed, expected);
}

TEST(Handover, EveryFinalStepThatHandsOverNeedsItsOutputsAndGoesOnlyWhereItSays) {
  int finals = 0;
  for (const auto& from : latestOfEach()) {
    for (const auto& step : from->steps()) {
      if (!step.final || step.handsOverTo.empty()) continue;
      ++finals;
      SCOPED_TRACE(from->key() + " step " + step.id);
      const IncidentHistory bare = walkTo(*from, step.id, false);
      ASSERT_TRUE(validateHistory(*from, bare).ok());
      bool needsOutputs = false;
      for (const auto& o : step.outputs) needsOutputs |= o.required;
      auto early = planHandover(library(), *from, bare, step.handsOverTo);
      if (needsOutputs) {
        ASSERT_FALSE(early.ok());
        for (const auto& o : step.outputs) {
          if (o.required) {
            EXPECT_NE(early.error().message.find(o.id), std::string::npos) << early.error().message;
          }
        }
      }
      const IncidentHistory done = walkTo(*from, step.id, true);
      ASSERT_TRUE(validateHistory(*from, done).ok());
      auto plan = planHandover(library(), *from, done, step.handsOverTo);
      ASSERT_TRUE(plan.ok()) << plan.error().message;
      EXPECT_EQ(plan->rule, HandoverRule::kHandsOverTo);
      EXPECT_EQ(plan->to->id(), step.handsOverTo);
      for (const auto& other : latestOfEach()) {
        if (other->id() == step.handsOverTo) continue;
        auto refused = planHandover(library(), *from, done, other->id());
        ASSERT_FALSE(refused.ok()) << other->id();
        EXPECT_EQ(refused.error().field, "to_process");
      }
    }
  }
  EXPECT_GE(finals, 1) << "the shipped data has the Decision 05 hand_back";
}

TEST(Handover, RefusalsSayWhy) {
  auto tt20 = process("A-TT20");
  auto b = process("B-ND331");
  IncidentHistory h{tt20->id(), tt20->version(), t("2026-03-02T08:00:00+07:00"), {}, {}, {}};
  h.steps.push_back({tt20->startStep().id, h.detectedAt + kMinute, {}});
  auto unknown = planHandover(library(), *tt20, h, "A-NOPE");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("no incident process 'A-NOPE'"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("A-QD05-serious"), std::string::npos) << "lists the known ones";
  auto notSerious = planHandover(library(), *tt20, h, "A-QD05-serious");
  ASSERT_FALSE(notSerious.ok());
  EXPECT_NE(notSerious.error().message.find("Decision 05/2017 Art. 9"), std::string::npos);
  IncidentHistory hb{b->id(), b->version(), h.detectedAt, {{b->startStep().id, h.detectedAt + kMinute, {}}}, {}, {}};
  hb.flags.insert(kSeriousFlag);
  auto otherRegime = planHandover(library(), *b, hb, "A-QD05-serious");
  ASSERT_FALSE(otherRegime.ok());
  EXPECT_NE(otherRegime.error().message.find("does not hand over"), std::string::npos) << otherRegime.error().message;
  // A closed A-TT20 incident (its final step reached) goes nowhere.
  for (const auto& s : tt20->steps()) {
    if (!s.final) continue;
    IncidentHistory closed = walkTo(*tt20, s.id, true);
    closed.flags.insert(kSeriousFlag);
    auto r = planHandover(library(), *tt20, closed, "A-QD05-serious");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("closed"), std::string::npos) << r.error().message;
  }
}

TEST(Handover, ClockEventsTheTargetDeclaresAreCarriedWithTheirTimes) {
  auto tt20 = process("A-TT20");
  auto qd05 = process("A-QD05-serious");
  IncidentHistory h{tt20->id(), tt20->version(), t("2026-03-02T08:00:00+07:00"), {}, {}, {kSeriousFlag}};
  h.steps.push_back({tt20->startStep().id, h.detectedAt + kMinute, {}});
  h.events = {{"external_notification", h.detectedAt + 2 * kMinute}, {"capacity_exceeded", h.detectedAt + 3 * kMinute}};
  auto plan = planHandover(library(), *tt20, h, qd05->id());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  std::vector<std::pair<std::string, TimeMs>> expected;
  for (const auto& e : h.events)
    if (qd05->event(e.first)) expected.push_back(e);
  ASSERT_FALSE(expected.empty()) << "both processes declare capacity_exceeded";
  EXPECT_EQ(plan->events, expected);
  EXPECT_EQ(handoverTargets(library(), *tt20, h),
            (std::vector<std::pair<std::string, HandoverRule>>{{"A-QD05-serious", HandoverRule::kSeriousEscalation}}));
}

TEST(Handover, OutputsMeetingATargetDeadlineAreCarriedSoASentNotificationStaysSent) {
  auto tt20 = process("A-TT20");
  auto qd05 = process("A-QD05-serious");
  IncidentHistory h = walkTo(*tt20, "report", false);  // the report step's outputs: only the one below
  h.flags.insert(kSeriousFlag);
  const TimeMs sent = h.steps.back().enteredAt + 5 * kMinute;
  h.steps.back().outputs.push_back({"notification", sent});
  ASSERT_TRUE(validateHistory(*tt20, h).ok());
  auto plan = planHandover(library(), *tt20, h, qd05->id());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  std::set<std::string> deadlineOutputs;
  for (const auto& d : qd05->deadlines()) deadlineOutputs.insert(d.metBy);
  std::vector<std::string> carried;
  for (const auto& o : plan->outputs) {
    EXPECT_TRUE(deadlineOutputs.count(o.id)) << o.id << " meets no deadline of " << qd05->key();
    carried.push_back(o.id);
  }
  ASSERT_EQ(std::count(carried.begin(), carried.end(), "notification"), 1) << "the notification is carried once";
  // On the successor's clock the notification deadline is met at the time it was sent.
  IncidentHistory next{qd05->id(), qd05->version(), h.detectedAt, {}, plan->events, h.flags, plan->outputs};
  next.steps.push_back({qd05->startStep().id, sent + kMinute, {}});
  auto clock = legalClock(*qd05, next, testing::vnCalendar(), sent + kMinute);
  ASSERT_TRUE(clock.ok()) << clock.error().message;
  bool met = false;
  for (const auto& d : *clock)
    if (d.id == "notification") met = d.metAt && *d.metAt == sent;
  EXPECT_TRUE(met);
  // Without the carried outputs it would still be open.
  next.carriedOutputs.clear();
  auto open = legalClock(*qd05, next, testing::vnCalendar(), sent + kMinute);
  ASSERT_TRUE(open.ok());
  for (const auto& d : *open) {
    if (d.id == "notification") {
      EXPECT_FALSE(d.metAt.has_value());
    }
  }
}

}  // namespace
}  // namespace vigil::incident
