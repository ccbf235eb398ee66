#include "incident/process_catalog.h"

#include <algorithm>
#include <deque>
#include <set>

#include "compliance/catalog_loader.h"

namespace vigil::incident {

using compliance::detail::CatalogLoader;
using compliance::detail::rowName;

std::string_view outputKindName(OutputKind k) {
  switch (k) {
    case OutputKind::kNote: return "note";
    case OutputKind::kForm: return "form";
    case OutputKind::kEvidence: return "evidence";
  }
  return "note";
}

std::string_view limitUnitName(LimitUnit u) {
  switch (u) {
    case LimitUnit::kHours: return "hours";
    case LimitUnit::kCalendarDays: return "calendar_days";
    case LimitUnit::kWorkingDays: return "working_days";
    case LimitUnit::kImmediate: return "immediate";
  }
  return "hours";
}

const StepOutput* Step::output(std::string_view id) const {
  for (const auto& o : outputs)
    if (o.id == id) return &o;
  return nullptr;
}

const Step* ProcessCatalog::step(std::string_view id) const {
  for (const auto& s : steps_)
    if (s.id == id) return &s;
  return nullptr;
}

const Role* ProcessCatalog::role(std::string_view id) const {
  for (const auto& r : roles_)
    if (r.id == id) return &r;
  return nullptr;
}

const Phase* ProcessCatalog::phase(int id) const {
  for (const auto& p : phases_)
    if (p.id == id) return &p;
  return nullptr;
}

const ClockEvent* ProcessCatalog::event(std::string_view id) const {
  for (const auto& e : events_)
    if (e.id == id) return &e;
  return nullptr;
}

const Step& ProcessCatalog::startStep() const {
  for (const auto& s : steps_)
    if (s.start) return s;
  return steps_.front();  // unreachable for a loaded catalog: the loader demands one start step
}

const StepOutput* ProcessCatalog::output(std::string_view id, const Step** owner) const {
  for (const auto& s : steps_)
    if (const auto* o = s.output(id)) {
      if (owner) *owner = &s;
      return o;
    }
  return nullptr;
}

namespace {

// The flags classification sets (classification.h); a `when` condition is one of these or an event.
const std::vector<std::string_view> kFlags = {"serious", "national_security", "complex"};

Result<bool> optionalBool(const CatalogLoader& L, const toml::table& t, const char* key, const std::string& row,
                          bool fallback) {
  const auto* n = t.get(key);
  if (!n) return fallback;
  auto b = n->value<bool>();
  if (!b) return L.err(*n, row, std::string(key) + " must be true or false");
  return *b;
}

Result<std::vector<std::string>> stringList(const CatalogLoader& L, const toml::table& t, const char* key,
                                            const std::string& row) {
  std::vector<std::string> out;
  const auto* n = t.get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) return L.err(*n, row, std::string(key) + " must be an array of strings");
  for (const auto& e : *arr) {
    auto v = e.value<std::string>();
    if (!v || v->empty()) return L.err(e, row, std::string(key) + " must hold non-empty strings");
    if (std::find(out.begin(), out.end(), *v) != out.end()) return L.err(e, row, "'" + *v + "' listed twice");
    out.push_back(*v);
  }
  return out;
}

// unit, amount, internal_target_hours of a deadline row (a [[deadline]] or a step's inline table).
Result<Limit> parseLimit(const CatalogLoader& L, const toml::table& t, const std::string& row) {
  VIGIL_ASSIGN_OR_RETURN(auto unit, L.requiredText(t, "unit", row));
  Limit lim;
  if (unit == "hours") {
    lim.unit = LimitUnit::kHours;
  } else if (unit == "calendar_days") {
    lim.unit = LimitUnit::kCalendarDays;
  } else if (unit == "working_days") {
    lim.unit = LimitUnit::kWorkingDays;
  } else if (unit == "immediate") {
    lim.unit = LimitUnit::kImmediate;
  } else {
    return L.err(*t.get("unit"), row, "unknown unit '" + unit + "' (hours, calendar_days, working_days, immediate)");
  }
  const auto* amount = t.get("amount");
  const auto* target = t.get("internal_target_hours");
  if (lim.unit == LimitUnit::kImmediate) {
    if (amount) return L.err(*amount, row, "an immediate deadline has no amount");
    if (!target)
      return L.err(t, row, "an immediate deadline needs internal_target_hours (our own target; the law says 'ngay')");
    auto h = target->value<int64_t>();
    if (!h || *h < 1 || *h > 72) return L.err(*target, row, "internal_target_hours must be 1..72");
    lim.internalTargetHours = static_cast<int>(*h);
    return lim;
  }
  if (target) return L.err(*target, row, "internal_target_hours is only for an immediate deadline");
  if (!amount) return L.err(t, row, "missing amount");
  auto a = amount->value<int64_t>();
  if (!a || *a < 1 || *a > 8760) return L.err(*amount, row, "amount must be 1..8760");
  lim.amount = static_cast<int>(*a);
  return lim;
}

}  // namespace

Result<ProcessCatalog> ProcessCatalog::load(
    const std::string& path, const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(auto text, compliance::detail::readCatalogFile(path, "process catalog"));
  return parse(text, path, regimes);
}

Result<ProcessCatalog> ProcessCatalog::parse(
    std::string_view text, const std::string& origin,
    const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes) {
  VIGIL_ASSIGN_OR_RETURN(const toml::table root, compliance::detail::parseToml(text, origin));
  const CatalogLoader L(origin);
  ProcessCatalog cat;
  cat.origin_ = origin;
  if (auto e = L.onlyKeys(root, "", {"process", "role", "phase", "event", "step", "deadline"})) return *e;

  const auto* header = root["process"].as_table();
  if (!header) return Error::validation(origin, "missing the [process] table");
  if (auto e = L.onlyKeys(*header, "process", {"id", "version", "regime", "name", "effective", "source"})) return *e;
  VIGIL_ASSIGN_OR_RETURN(cat.id_, L.requiredText(*header, "id", "process"));
  {
    const auto* v = header->get("version");
    if (!v) return L.err(*header, "process", "missing version");
    auto n = v->value<int64_t>();
    if (!n || *n < 1 || *n > 100000) return L.err(*v, "process", "version must be a positive integer");
    cat.version_ = static_cast<int>(*n);
  }
  VIGIL_ASSIGN_OR_RETURN(const compliance::RegimeCatalog* regime, L.regime(*header, "regime", "process", regimes));
  cat.regime_ = regime->id();
  VIGIL_ASSIGN_OR_RETURN(cat.name_, L.requiredText(*header, "name", "process"));
  VIGIL_TRY(L.date(*header, "effective", "process"));
  VIGIL_ASSIGN_OR_RETURN(cat.source_, L.source(*header, "process"));

  // Roles.
  const auto* roles = root["role"].as_array();
  if (!roles || roles->empty()) return L.err(root, "", "no [[role]] rows");
  for (const auto& node : *roles) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "role", "each [[role]] must be a table");
    const std::string row = rowName(*t, "role");
    if (auto e = L.onlyKeys(*t, row, {"id", "name"})) return *e;
    Role r;
    VIGIL_ASSIGN_OR_RETURN(r.id, L.requiredText(*t, "id", row));
    if (cat.role(r.id)) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(r.name, L.requiredText(*t, "name", row));
    cat.roles_.push_back(std::move(r));
  }

  // Phases.
  const auto* phases = root["phase"].as_array();
  if (!phases || phases->empty()) return L.err(root, "", "no [[phase]] rows");
  for (const auto& node : *phases) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "phase", "each [[phase]] must be a table");
    if (auto e = L.onlyKeys(*t, "phase", {"id", "name", "source"})) return *e;
    Phase p;
    auto id = (*t)["id"].value<int64_t>();
    if (!id || *id < 1 || *id > 20) return L.err(node, "phase", "id must be a number 1..20");
    p.id = static_cast<int>(*id);
    const std::string row = "phase " + std::to_string(p.id);
    if (cat.phase(p.id)) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(p.name, L.requiredText(*t, "name", row));
    VIGIL_ASSIGN_OR_RETURN(p.source, L.source(*t, row));
    cat.phases_.push_back(std::move(p));
  }

  // Events (optional: a process may count only from detection).
  if (const auto* ev = root.get("event")) {
    const auto* arr = ev->as_array();
    if (!arr) return L.err(*ev, "event", "[[event]] must be an array of tables");
    for (const auto& node : *arr) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "event", "each [[event]] must be a table");
      const std::string row = rowName(*t, "event");
      if (auto e = L.onlyKeys(*t, row, {"id", "label", "source"})) return *e;
      ClockEvent c;
      VIGIL_ASSIGN_OR_RETURN(c.id, L.requiredText(*t, "id", row));
      if (c.id == "detected") return L.err(node, row, "'detected' is built in");
      if (compliance::detail::oneOf(c.id, kFlags)) return L.err(node, row, "'" + c.id + "' is a classification flag");
      if (cat.event(c.id)) return L.err(node, row, "id used twice");
      VIGIL_ASSIGN_OR_RETURN(c.label, L.requiredText(*t, "label", row));
      VIGIL_ASSIGN_OR_RETURN(c.source, L.source(*t, row));
      cat.events_.push_back(std::move(c));
    }
  }

  // Steps, first pass: the rows themselves; next steps and outputs are checked once all are read.
  const auto* steps = root["step"].as_array();
  if (!steps || steps->empty()) return L.err(root, "", "no [[step]] rows");
  std::vector<const toml::table*> stepTables;
  for (const auto& node : *steps) {
    const auto* t = node.as_table();
    if (!t) return L.err(node, "step", "each [[step]] must be a table");
    const std::string row = rowName(*t, "step");
    if (auto e = L.onlyKeys(*t, row,
                            {"id", "name", "phase", "start", "final", "hands_over_to", "lead", "coordinating", "next",
                             "blocks", "deadline", "output", "source", "verified", "note"}))
      return *e;
    Step s;
    s.line = static_cast<int>(node.source().begin.line);
    VIGIL_ASSIGN_OR_RETURN(s.id, L.requiredText(*t, "id", row));
    if (s.id == "detected") return L.err(node, row, "'detected' is reserved");
    if (cat.step(s.id)) return L.err(node, row, "id used twice");
    VIGIL_ASSIGN_OR_RETURN(s.name, L.requiredText(*t, "name", row));
    {
      const auto* p = t->get("phase");
      if (!p) return L.err(node, row, "missing phase");
      auto v = p->value<int64_t>();
      if (!v || !cat.phase(static_cast<int>(*v))) return L.err(*p, row, "unknown phase (see the [[phase]] rows)");
      s.phase = static_cast<int>(*v);
    }
    VIGIL_ASSIGN_OR_RETURN(s.start, optionalBool(L, *t, "start", row, false));
    VIGIL_ASSIGN_OR_RETURN(s.final, optionalBool(L, *t, "final", row, false));
    VIGIL_ASSIGN_OR_RETURN(s.blocks, optionalBool(L, *t, "blocks", row, true));
    VIGIL_ASSIGN_OR_RETURN(s.handsOverTo, L.optionalText(*t, "hands_over_to", row));
    if (!s.handsOverTo.empty() && !s.final) return L.err(*t->get("hands_over_to"), row, "only a final step hands over");
    VIGIL_ASSIGN_OR_RETURN(s.lead, L.requiredText(*t, "lead", row));
    if (!cat.role(s.lead)) return L.err(*t->get("lead"), row, "unknown role '" + s.lead + "'");
    VIGIL_ASSIGN_OR_RETURN(s.coordinating, stringList(L, *t, "coordinating", row));
    for (size_t i = 0; i < s.coordinating.size(); ++i)
      if (!cat.role(s.coordinating[i]))
        return L.err(*(*t)["coordinating"].as_array()->get(i), row, "unknown role '" + s.coordinating[i] + "'");
    VIGIL_ASSIGN_OR_RETURN(s.next, stringList(L, *t, "next", row));
    if (s.final && !s.next.empty()) return L.err(*t->get("next"), row, "a final step has no next steps");
    if (!s.final && s.next.empty()) return L.err(node, row, "a step that is not final needs next steps");

    if (const auto* outs = t->get("output")) {
      const auto* arr = outs->as_array();
      if (!arr) return L.err(*outs, row, "output must be [[step.output]] tables");
      for (const auto& on : *arr) {
        const auto* ot = on.as_table();
        if (!ot) return L.err(on, row, "each [[step.output]] must be a table");
        const std::string orow = row + " " + rowName(*ot, "output");
        if (auto e = L.onlyKeys(*ot, orow, {"id", "kind", "form", "label", "required"})) return *e;
        StepOutput o;
        VIGIL_ASSIGN_OR_RETURN(o.id, L.requiredText(*ot, "id", orow));
        if (s.output(o.id) || cat.output(o.id)) return L.err(on, orow, "output id used twice in this process");
        VIGIL_ASSIGN_OR_RETURN(auto kind, L.requiredText(*ot, "kind", orow));
        if (kind == "note") {
          o.kind = OutputKind::kNote;
        } else if (kind == "form") {
          o.kind = OutputKind::kForm;
        } else if (kind == "evidence") {
          o.kind = OutputKind::kEvidence;
        } else {
          return L.err(*ot->get("kind"), orow, "unknown kind '" + kind + "' (note, form, evidence)");
        }
        if (o.kind == OutputKind::kForm) {
          VIGIL_ASSIGN_OR_RETURN(o.form, L.requiredText(*ot, "form", orow));
        } else if (ot->contains("form")) {
          return L.err(*ot->get("form"), orow, "only a form output names a form");
        }
        VIGIL_ASSIGN_OR_RETURN(o.label, L.requiredText(*ot, "label", orow));
        VIGIL_ASSIGN_OR_RETURN(o.required, optionalBool(L, *ot, "required", orow, true));
        s.outputs.push_back(std::move(o));
      }
    }

    if (const auto* dl = t->get("deadline")) {
      const auto* dt = dl->as_table();
      if (!dt) return L.err(*dl, row, "deadline must be a table { label, unit, amount, met_by, source }");
      const std::string drow = row + ": deadline";
      if (auto e = L.onlyKeys(*dt, drow, {"label", "unit", "amount", "internal_target_hours", "met_by", "source"}))
        return *e;
      StepDeadline d;
      VIGIL_ASSIGN_OR_RETURN(d.label, L.requiredText(*dt, "label", drow));
      VIGIL_ASSIGN_OR_RETURN(d.limit, parseLimit(L, *dt, drow));
      VIGIL_ASSIGN_OR_RETURN(d.metBy, L.optionalText(*dt, "met_by", drow));
      if (!d.metBy.empty() && !s.output(d.metBy))
        return L.err(*dt->get("met_by"), drow, "met_by '" + d.metBy + "' is not an output of this step");
      VIGIL_ASSIGN_OR_RETURN(d.source, L.source(*dt, drow));
      s.deadline = std::move(d);
    }
    VIGIL_ASSIGN_OR_RETURN(s.source, L.source(*t, row));
    VIGIL_ASSIGN_OR_RETURN(auto vn, L.verifiedNote(*t, row, "step"));
    s.verified = vn.first, s.note = std::move(vn.second);
    stepTables.push_back(t);
    cat.steps_.push_back(std::move(s));
  }

  // Second pass: the graph.
  const Step* start = nullptr;
  for (size_t i = 0; i < cat.steps_.size(); ++i) {
    const Step& s = cat.steps_[i];
    if (s.start) {
      if (start) return L.err(*stepTables[i], "step " + s.id, "a second start step (the first is " + start->id + ")");
      start = &s;
    }
    for (size_t j = 0; j < s.next.size(); ++j) {
      const auto& n = *(*stepTables[i])["next"].as_array()->get(j);
      if (!cat.step(s.next[j])) return L.err(n, "step " + s.id, "unknown next step '" + s.next[j] + "'");
      if (s.next[j] == s.id) return L.err(n, "step " + s.id, "a step cannot follow itself");
    }
  }
  if (!start) return L.err(root, "", "no start step (mark the first step with start = true)");
  // Reachable from the start.
  std::set<std::string> reached = {start->id};
  std::deque<const Step*> queue = {start};
  while (!queue.empty()) {
    const Step* s = queue.front();
    queue.pop_front();
    for (const auto& n : s->next)
      if (reached.insert(n).second) queue.push_back(cat.step(n));
  }
  // Able to reach a final step: grow backwards from the final steps.
  std::set<std::string> exits;
  for (const auto& s : cat.steps_)
    if (s.final) exits.insert(s.id);
  if (exits.empty()) return L.err(root, "", "no final step (mark the last step with final = true)");
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& s : cat.steps_)
      if (!exits.count(s.id) &&
          std::any_of(s.next.begin(), s.next.end(), [&](const std::string& n) { return exits.count(n) > 0; }))
        grew = exits.insert(s.id).second || grew;
  }
  for (size_t i = 0; i < cat.steps_.size(); ++i) {
    const Step& s = cat.steps_[i];
    if (!reached.count(s.id))
      return L.err(*stepTables[i], "step " + s.id,
                   "unreachable: no path from the start step " + start->id + " leads here");
    if (!exits.count(s.id))
      return L.err(*stepTables[i], "step " + s.id, "no final step can be reached from here (a cycle without an exit)");
  }

  // Legal deadlines.
  if (const auto* dl = root.get("deadline")) {
    const auto* arr = dl->as_array();
    if (!arr) return L.err(*dl, "deadline", "[[deadline]] must be an array of tables");
    for (const auto& node : *arr) {
      const auto* t = node.as_table();
      if (!t) return L.err(node, "deadline", "each [[deadline]] must be a table");
      const std::string row = rowName(*t, "deadline");
      if (auto e = L.onlyKeys(*t, row,
                              {"id", "label", "from", "when", "unit", "amount", "internal_target_hours", "met_by",
                               "source", "verified", "note"}))
        return *e;
      LegalDeadline d;
      d.line = static_cast<int>(node.source().begin.line);
      VIGIL_ASSIGN_OR_RETURN(d.id, L.requiredText(*t, "id", row));
      for (const auto& other : cat.deadlines_)
        if (other.id == d.id) return L.err(node, row, "id used twice");
      VIGIL_ASSIGN_OR_RETURN(d.label, L.requiredText(*t, "label", row));
      VIGIL_ASSIGN_OR_RETURN(d.from, L.requiredText(*t, "from", row));
      if (d.from != "detected" && !cat.event(d.from))
        return L.err(*t->get("from"), row, "unknown event '" + d.from + "' (detected or an [[event]] id)");
      VIGIL_ASSIGN_OR_RETURN(d.when, stringList(L, *t, "when", row));
      for (size_t i = 0; i < d.when.size(); ++i)
        if (!compliance::detail::oneOf(d.when[i], kFlags) && !cat.event(d.when[i]))
          return L.err(
              *(*t)["when"].as_array()->get(i), row,
              "unknown condition '" + d.when[i] + "' (serious, national_security, complex or an [[event]] id)");
      VIGIL_ASSIGN_OR_RETURN(d.limit, parseLimit(L, *t, row));
      VIGIL_ASSIGN_OR_RETURN(d.metBy, L.requiredText(*t, "met_by", row));
      if (!cat.output(d.metBy))
        return L.err(*t->get("met_by"), row, "met_by '" + d.metBy + "' is not an output of any step");
      VIGIL_ASSIGN_OR_RETURN(d.source, L.source(*t, row));
      VIGIL_ASSIGN_OR_RETURN(auto vn, L.verifiedNote(*t, row, "deadline"));
      d.verified = vn.first, d.note = std::move(vn.second);
      cat.deadlines_.push_back(std::move(d));
    }
  }
  return cat;
}

Result<ProcessLibrary> ProcessLibrary::loadDirectory(
    const std::string& dir, const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes) {
  ProcessLibrary lib;
  VIGIL_ASSIGN_OR_RETURN(lib.all_, compliance::detail::loadCatalogDirectory<ProcessCatalog>(
                                       dir, "process catalog",
                                       [&](const std::string& path) { return ProcessCatalog::load(path, regimes); },
                                       [](const ProcessCatalog& c) { return c.key(); }, "process id and version"));
  for (const auto& p : lib.all_)
    for (const auto& s : p->steps())
      if (!s.handsOverTo.empty() && !lib.latest(s.handsOverTo))
        return Error::validation(p->origin() + ":" + std::to_string(s.line),
                                 "step " + s.id + ": hands over to unknown process '" + s.handsOverTo + "'");
  return lib;
}

std::shared_ptr<const ProcessCatalog> ProcessLibrary::find(std::string_view id, int version) const {
  for (const auto& p : all_)
    if (p->id() == id && p->version() == version) return p;
  return nullptr;
}

std::shared_ptr<const ProcessCatalog> ProcessLibrary::latest(std::string_view id) const {
  std::shared_ptr<const ProcessCatalog> best;
  for (const auto& p : all_)
    if (p->id() == id && (!best || p->version() > best->version())) best = p;
  return best;
}

}  // namespace vigil::incident
