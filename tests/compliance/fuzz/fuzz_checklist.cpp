// Fuzz target: the checklist and schedule catalog loaders (both are fed every input, linked to
// two small inline regimes "A_ND85_TT12" and "B_ND331_TCVN14423" with 5 levels). Any input is
// either refused with a located error or accepted; an accepted checklist must give a checklist
// for every level whose summary is consistent, and an eligibility answer for every assessor
// type; an accepted schedule must give valid due dates for every level and the organisation.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "compliance/assessment.h"
#include "compliance/checklist_catalog.h"
#include "compliance/schedule_catalog.h"

using namespace vigil::compliance;

namespace {

std::shared_ptr<const RegimeCatalog> regime(const std::string& id) {
  const std::string text = "[regime]\nid = \"" + id +
                           "\"\nname = \"r\"\nlegal_basis = [\"x\"]\neffective = 2020-01-01\nmax_level = 5\n"
                           "component_rule = { document = \"x\", article = \"1\" }\n"
                           "[[fact]]\nname = \"n\"\nlabel = \"n\"\ntype = \"bool\"\n"
                           "[[criterion]]\nid = \"c\"\nlevel = 1\nsource = { document = \"x\", article = \"2\" }\n"
                           "description = \"d\"\nfact = \"n\"\nis_true = true\n"
                           "[[authority]]\nlevels = [1, 2, 3, 4, 5]\n"
                           "appraising = { body = \"a\", source = { document = \"x\", article = \"3\" } }\n"
                           "approving = { body = \"b\", source = { document = \"x\", article = \"4\" } }\n";
  auto r = RegimeCatalog::parse(text, "inline.toml");
  if (!r.ok()) std::abort();
  return std::make_shared<const RegimeCatalog>(std::move(r).value());
}

const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes() {
  static const std::vector<std::shared_ptr<const RegimeCatalog>> all = {regime("A_ND85_TT12"),
                                                                        regime("B_ND331_TCVN14423")};
  return all;
}

void checkChecklist(const std::string& in) {
  auto cat = ChecklistCatalog::parse(in, "fuzz.toml", regimes());
  if (!cat.ok()) {
    if (cat.error().message.rfind("fuzz.toml", 0) != 0) std::abort();  // errors are located
    return;
  }
  for (int level = 1; level <= cat->maxLevel(); ++level) {
    auto list = cat->checklistFor(level);
    if (!list.ok()) std::abort();
    std::vector<ItemResult> results;
    for (const auto* i : *list) {
      if (!i->appliesTo(level) || !cat->group(i->group)) std::abort();
      results.push_back({i->id, ItemStatus::kMet, "", "", {}});
    }
    auto s = summarize(*cat, level, results);
    if (!s.ok() || s->met != static_cast<int>(list->size()) || s->unanswered != 0) std::abort();
    if (!list->empty() && (!s->percentMet || *s->percentMet != 100.0)) std::abort();
    for (auto t : {AssessorType::kSelf, AssessorType::kIndependent, AssessorType::kExternal}) {
      AssessmentContext ctx;
      ctx.level = level;
      auto e = checkAssessor(*cat, ctx, t);
      if (!e.ok()) std::abort();
    }
  }
  if (cat->checklistFor(0).ok() || cat->checklistFor(cat->maxLevel() + 1).ok()) std::abort();
}

void checkSchedule(const std::string& in) {
  auto cat = ScheduleCatalog::parse(in, "fuzz.toml", regimes());
  if (!cat.ok()) {
    if (cat.error().message.rfind("fuzz.toml", 0) != 0) std::abort();
    return;
  }
  const std::vector<std::shared_ptr<const ScheduleCatalog>> all = {
      std::make_shared<const ScheduleCatalog>(std::move(cat).value())};
  using namespace std::chrono;
  for (int level = 0; level <= 5; ++level) {
    ScheduleQuery q;
    q.regime = "A_ND85_TT12";
    if (level > 0) q.level = level;
    q.today = 2026y / December / 31d;
    for (const auto& a : all.front()->activities()) q.lastDone[a.id] = 2024y / February / 29d;
    auto r = dueActivities(all, q);
    if (!r.ok()) std::abort();
    for (const auto& d : *r)
      if (!d.due.ok() || d.overdue != (sys_days(d.due) < sys_days(q.today))) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  checkChecklist(in);
  checkSchedule(in);
  return 0;
}
