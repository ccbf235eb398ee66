// Levelled security: the regimes (as data) and the level calculator. Nothing here reads or
// stores an agency's objects; the facts come in the request.
#include "api/api.h"
#include "api/json_io.h"
#include "api/registry_io.h"
#include "compliance/level_calculator.h"

namespace vigil::api {
namespace {

json::value factValueJson(const compliance::FactValue& v) {
  return std::visit(
      [](const auto& x) -> json::value {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, compliance::StringSet>) {
          json::array a;
          for (const auto& s : x) a.emplace_back(s);
          return a;
        } else {
          return json::value(x);
        }
      },
      v);
}

json::value regimeJson(const compliance::RegimeCatalog& c) {
  json::array facts;
  for (const auto& f : c.facts()) {
    json::object o{{"name", f.name}, {"label", f.label}, {"type", compliance::factTypeName(f.type)}};
    if (f.type == compliance::FactType::kEnum || f.type == compliance::FactType::kSet) {
      json::array values;
      for (const auto& v : f.values) values.emplace_back(v);
      o["values"] = std::move(values);
      json::object labels;
      for (const auto& [value, text] : f.valueLabels) labels[value] = text;
      o["value_labels"] = std::move(labels);
    }
    if (f.type == compliance::FactType::kInt) {
      o["min"] = f.min;
      o["max"] = f.max;
    }
    if (f.defaultValue) o["default"] = factValueJson(*f.defaultValue);
    facts.push_back(std::move(o));
  }
  json::array basis;
  for (const auto& b : c.legalBasis()) basis.emplace_back(b);
  return json::object{{"id", c.id()},
                      {"name", c.name()},
                      {"legal_basis", basis},
                      {"effective", c.effective()},
                      {"max_level", c.maxLevel()},
                      {"facts", facts}};
}

json::value citeJson(const compliance::Body& b) { return json::object{{"body", b.body}, {"cite", b.source.cite()}}; }

}  // namespace

void registerComplianceRoutes(Api& api) {
  api.add("GET", "/api/v1/compliance/regimes", "compliance.regimes", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            json::array items;
            for (const auto& r : api.regimes()) items.push_back(regimeJson(*r));
            const auto total = static_cast<int64_t>(items.size());
            return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
          });

  api.add("POST", "/api/v1/compliance/level", "compliance.level", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto regimeId, body.requiredString("regime", 20));
            VIGIL_ASSIGN_OR_RETURN(const json::object* factsJson, body.requiredObject("facts"));
            VIGIL_ASSIGN_OR_RETURN(auto componentsJson, body.optionalArray("components", 100));
            VIGIL_ASSIGN_OR_RETURN(auto receivedOnText, body.optionalString("received_on", 10, false));
            VIGIL_TRY(body.finish());
            std::optional<calendar::Date> receivedOn;
            if (receivedOnText) {
              receivedOn = calendar::parseDate(*receivedOnText);
              if (!receivedOn) return Error::validation("received_on", "must be a date like 2026-11-24");
              if (!api.workingCalendar()) return Error::unavailable("the working-day calendar is not loaded");
            }
            auto catalog = findRegime(api, regimeId);
            if (!catalog) return Error::validation("regime", "unknown regime '" + regimeId + "'");
            VIGIL_ASSIGN_OR_RETURN(compliance::Facts facts, factsFromJson(*catalog, *factsJson));
            std::vector<compliance::ComponentLevel> components;
            if (componentsJson) {
              for (size_t i = 0; i < (*componentsJson)->size(); ++i) {
                const std::string where = "components[" + std::to_string(i) + "]";
                VIGIL_ASSIGN_OR_RETURN(const json::object* o, BodyReader::asObject((**componentsJson)[i], where));
                const json::value* name = o->if_contains("name");
                const json::value* level = o->if_contains("level");
                if (!name || !name->is_string()) return Error::validation(where + ".name", "is required");
                if (!level || !level->is_int64() || level->as_int64() < 1 || level->as_int64() > catalog->maxLevel())
                  return Error::validation(where + ".level",
                                           "must be a level from 1 to " + std::to_string(catalog->maxLevel()));
                if (o->size() != 2) return Error::validation(where, "has fields other than name and level");
                VIGIL_ASSIGN_OR_RETURN(auto cleanName, cleanText(where + ".name", name->as_string(), 200, false));
                components.push_back({cleanName, static_cast<int>(level->as_int64())});
              }
            }
            compliance::LevelCalculator calc(catalog);
            VIGIL_ASSIGN_OR_RETURN(auto r, calc.calculate(facts, components));
            json::array deadlines;
            for (const auto& d : r.deadlines) {
              json::object o{{"step", d.step},
                             {"amount", d.amount},
                             {"unit", compliance::deadlineUnitName(d.unit)},
                             {"cite", d.source.cite()}};
              if (receivedOn) {
                // Dated on the working-day calendar: the day of receipt is not counted.
                const calendar::WorkingCalendar& cal = *api.workingCalendar();
                const calendar::Deadline due = d.unit == compliance::DeadlineUnit::kWorkingDays
                                                   ? cal.afterWorkingDays(*receivedOn, d.amount)
                                                   : cal.afterCalendarDays(*receivedOn, d.amount);
                o["due_date"] = calendar::formatDate(due.dueDate);
                o["due_at"] = formatRfc3339(due.dueAt);
                o["provisional"] = due.provisional;
                o["due_note"] = due.note;
              }
              deadlines.push_back(std::move(o));
            }
            json::array reasoning;
            for (const auto& o : r.reasoning)
              reasoning.push_back(json::object{{"id", o.id},
                                               {"level", o.level},
                                               {"flag", o.flag},
                                               {"cite", o.source.cite()},
                                               {"description", o.description},
                                               {"verified", o.verified},
                                               {"note", o.note},
                                               {"met", o.met},
                                               {"explanation", o.explanation}});
            json::object out{
                {"regime", r.regimeId},
                {"level", r.level},
                {"criteria_level", r.criteriaLevel},
                {"raised_by", r.raisedBy},
                {"critical", r.critical},
                {"component_rule", json::object{{"cite", r.componentRule.cite()}, {"note", r.componentRuleNote}}},
                {"appraising", citeJson(r.appraising)},
                {"approving", citeJson(r.approving)},
                {"deadlines", std::move(deadlines)},
                {"reasoning", std::move(reasoning)}};
            return jsonResponse(200, out);
          });
}

}  // namespace vigil::api
