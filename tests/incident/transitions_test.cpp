// The state machine: the cases of cases/transitions.toml, then a walk through every shipped
// process: from every step, each allowed next step is accepted and every other step is refused.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <deque>
#include <map>

#include "incident/state_machine.h"
#include "incident_support.h"

namespace vigil::incident {
namespace {

using testing::t;

std::vector<std::string> strings(const toml::node_view<const toml::node>& n) {
  std::vector<std::string> out;
  if (const auto* a = n.as_array())
    for (const auto& e : *a) out.push_back(e.value<std::string>().value_or(""));
  return out;
}

TEST(IncidentTransitions, CaseFile) {
  toml::table file;
  try {
    file = toml::parse_file(std::string(VIGIL_INCIDENT_CASES_DIR) + "/transitions.toml");
  } catch (const toml::parse_error& e) {
    FAIL() << e.description();
  }
  const auto* cases = file["case"].as_array();
  ASSERT_TRUE(cases && cases->size() >= 10);
  for (const auto& node : *cases) {
    const auto& c = *node.as_table();
    const std::string name = c["name"].value_or(std::string());
    SCOPED_TRACE(name);
    auto p = testing::process(c["process"].value_or(std::string()));
    ASSERT_TRUE(p);
    IncidentHistory h;
    h.processId = p->id();
    h.processVersion = p->version();
    h.detectedAt = t(c["detected"].value_or(std::string()));
    for (const auto& s : *c["steps"].as_array()) {
      const auto& st = *s.as_table();
      StepRecord r{st["step"].value_or(std::string()), t(st["at"].value_or(std::string())), {}};
      for (const auto& o : strings(st["outputs"])) r.outputs.push_back({o, r.enteredAt});
      h.steps.push_back(std::move(r));
    }
    TransitionRequest req{c["to"].value_or(std::string()), t(c["at"].value_or(std::string())), {}};
    for (const auto& o : strings(c["outputs"])) req.outputs.push_back({o, req.at});
    const auto res = validateTransition(*p, h, req, t(c["now"].value_or(std::string())));
    const std::string expect = c["expect"].value_or(std::string());
    if (expect == "allowed") {
      EXPECT_TRUE(res.ok()) << res.error().message;
    } else {
      ASSERT_EQ(expect, "refused");
      ASSERT_FALSE(res.ok());
      EXPECT_EQ(res.error().field, c["field"].value_or(std::string()));
      EXPECT_NE(res.error().message.find(c["message"].value_or(std::string("?"))), std::string::npos)
          << res.error().message;
    }
  }
}

// A history reaching `target` by the shortest path, every output recorded; one hour per step.
std::optional<IncidentHistory> pathTo(const ProcessCatalog& p, const std::string& target, TimeMs detected) {
  std::map<std::string, std::string> parent;
  std::deque<std::string> q = {p.startStep().id};
  parent[p.startStep().id] = "";
  while (!q.empty()) {
    const std::string cur = q.front();
    q.pop_front();
    for (const auto& n : p.step(cur)->next)
      if (!parent.count(n)) parent[n] = cur, q.push_back(n);
  }
  if (!parent.count(target)) return std::nullopt;
  std::vector<std::string> path;
  for (std::string s = target; !s.empty(); s = parent[s]) path.insert(path.begin(), s);
  IncidentHistory h{p.id(), p.version(), detected, {}, {}, {}};
  TimeMs at = detected;
  for (const auto& s : path) {
    at += 3600 * 1000;
    StepRecord r{s, at, {}};
    for (const auto& o : p.step(s)->outputs) r.outputs.push_back({o.id, at});
    h.steps.push_back(std::move(r));
  }
  return h;
}

TEST(IncidentTransitions, WalkEveryStepAndEveryForbiddenTransitionOfEveryProcess) {
  const TimeMs detected = t("2026-03-02T08:00:00+07:00");
  int allowed = 0, refused = 0;
  for (const auto& p : testing::library().all()) {
    for (const auto& from : p->steps()) {
      SCOPED_TRACE(p->key() + " from " + from.id);
      auto h = pathTo(*p, from.id, detected);
      ASSERT_TRUE(h) << "every step is reachable";
      ASSERT_TRUE(validateHistory(*p, *h).ok());
      const TimeMs at = h->steps.back().enteredAt + 60 * 1000;
      const TimeMs now = at + 60 * 1000;
      auto next = allowedTransitions(*p, *h);
      ASSERT_TRUE(next.ok()) << next.error().message;
      EXPECT_EQ(next->closed, from.final);
      EXPECT_EQ(next->candidates.size(), from.next.size());
      for (const auto& to : p->steps()) {
        const bool legal = std::find(from.next.begin(), from.next.end(), to.id) != from.next.end();
        auto r = validateTransition(*p, *h, {to.id, at, {}}, now);
        EXPECT_EQ(r.ok(), legal) << "to " << to.id << (r.ok() ? "" : ": " + r.error().message);
        (legal ? allowed : refused)++;
      }
      // Without its outputs, a blocking step with required ones refuses every next step and names them.
      const bool needsOutputs =
          std::any_of(from.outputs.begin(), from.outputs.end(), [](const StepOutput& o) { return o.required; });
      if (from.blocks && needsOutputs && !from.final) {
        h->steps.back().outputs.clear();
        auto bare = allowedTransitions(*p, *h);
        ASSERT_TRUE(bare.ok());
        for (const auto& c : bare->candidates) {
          EXPECT_FALSE(c.allowed) << c.step;
          EXPECT_NE(c.reason.find("blocks until it has"), std::string::npos);
        }
        auto r = validateTransition(*p, *h, {from.next.front(), at, {}}, now);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().field, "outputs");
      }
    }
  }
  EXPECT_GT(allowed, 20);
  EXPECT_GT(refused, 200);
}

TEST(IncidentTransitions, ABackdatedDetectionIsRefusedOnceAReportWasSent) {
  auto p = testing::process("A-TT20");
  ASSERT_TRUE(p);
  IncidentHistory h{p->id(), p->version(), t("2026-03-02T08:00:00+07:00"), {}, {}, {}};
  h.steps.push_back(
      {"receive_verify", t("2026-03-02T08:10:00+07:00"), {{"incident_record", t("2026-03-02T08:10:00+07:00")}}});
  const TimeMs now = t("2026-03-03T08:00:00+07:00");
  // Before any report: a correction is accepted, but never into the future or after intake.
  EXPECT_TRUE(validateDetectedAt(*p, h, t("2026-03-01T22:00:00+07:00"), now).ok());
  auto future = validateDetectedAt(*p, h, t("2026-03-04T08:00:00+07:00"), now);
  ASSERT_FALSE(future.ok());
  EXPECT_NE(future.error().message.find("is in the future"), std::string::npos);
  auto late = validateDetectedAt(*p, h, t("2026-03-02T09:00:00+07:00"), now);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message.find("after the incident was taken in"), std::string::npos);
  // After the notification was sent: refused with the report and its time.
  h.steps.push_back(
      {"first_response", t("2026-03-02T09:00:00+07:00"), {{"first_actions", t("2026-03-02T09:00:00+07:00")}}});
  h.steps.push_back({"choose_plan", t("2026-03-02T09:30:00+07:00"), {{"chosen_plan", t("2026-03-02T09:30:00+07:00")}}});
  h.steps.push_back({"report", t("2026-03-02T10:00:00+07:00"), {{"notification", t("2026-03-02T10:05:00+07:00")}}});
  auto back = validateDetectedAt(*p, h, t("2026-03-01T22:00:00+07:00"), now);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().field, "detected_at");
  EXPECT_NE(back.error().message.find("cannot be backdated from 2026-03-02T01:00:00Z to 2026-03-01T15:00:00Z: report "
                                      "'notification' was sent at 2026-03-02T03:05:00Z"),
            std::string::npos)
      << back.error().message;
  EXPECT_TRUE(validateDetectedAt(*p, h, h.detectedAt, now).ok()) << "an unchanged time is fine";
}

}  // namespace
}  // namespace vigil::incident
