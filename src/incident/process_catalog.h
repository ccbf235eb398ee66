// ProcessCatalog: one incident-response process as versioned data
// (catalogs/incident/processes/*.toml, format in catalogs/incident/README.md): roles, phases,
// steps (Vietnamese name, phase, lead role, coordinating roles, required outputs, allowed next
// steps, whether the step blocks the next, an optional own deadline, legal source), the events
// the legal clock counts from, and the legal deadlines of the regime.
//
// Loading is strict like the compliance catalogs: the first error refuses the file with
// "file:line: row: what" (unknown key, role, phase, next step or output, a missing source, no or
// several start steps, a final step with next steps, a step no start reaches, a step from which
// no final step can be reached, i.e. a cycle without an exit). A folder keeps every version: an
// incident closed under version 1 still finds version 1 after version 2 is added.
// Immutable after loading; share as shared_ptr<const ProcessCatalog>; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/legal_source.h"
#include "compliance/regime_catalog.h"
#include "core/result.h"

namespace vigil::incident {

using compliance::Source;

struct Role {
  std::string id;    // "operator"
  std::string name;  // "Đơn vị vận hành hệ thống thông tin"
};

struct Phase {
  int id = 0;
  std::string name;
  Source source;
};

// A fact-with-a-time the incident records (capacity exceeded, response ended); "detected" is
// built in and always present.
struct ClockEvent {
  std::string id;
  std::string label;
  Source source;
};

enum class OutputKind { kNote, kForm, kEvidence };
std::string_view outputKindName(OutputKind k);

struct StepOutput {
  std::string id;
  OutputKind kind = OutputKind::kNote;
  std::string form;  // the form id for kForm, else empty
  std::string label;
  bool required = true;
};

// How a limit is counted: hours run through everything; calendar and working days follow the
// Civil Code on the Vietnamese calendar; "immediate" has no legal length, so the data gives an
// internal target in hours, labelled as such.
enum class LimitUnit { kHours, kCalendarDays, kWorkingDays, kImmediate };
std::string_view limitUnitName(LimitUnit u);

struct Limit {
  LimitUnit unit = LimitUnit::kHours;
  int amount = 0;               // 0 for kImmediate
  int internalTargetHours = 0;  // kImmediate only: our own target, not the law's
};

// A step's own deadline, counted from entering the step; met when `metBy` (one of the step's
// outputs) is recorded, or when the step is left if `metBy` is empty.
struct StepDeadline {
  std::string label;
  Limit limit;
  std::string metBy;
  Source source;
};

struct Step {
  std::string id;
  std::string name;  // the law's words
  int phase = 0;
  std::string lead;                       // a role id
  std::vector<std::string> coordinating;  // role ids
  std::vector<StepOutput> outputs;
  std::vector<std::string> next;  // allowed next steps, loops included
  bool blocks = true;             // the required outputs must be recorded before leaving it
  bool start = false;
  bool final = false;
  std::string handsOverTo;  // final step only: the process an incident continues under
  std::optional<StepDeadline> deadline;
  Source source;
  bool verified = true;
  std::string note;
  int line = 0;
  const StepOutput* output(std::string_view id) const;
};

// A legal deadline of the regime: counted from `from` ("detected" or an event id) when every
// condition of `when` holds (a classification flag: serious, national_security, complex; or an
// event that happened); met when the output `metBy` is recorded on the incident.
struct LegalDeadline {
  std::string id;
  std::string label;
  std::string from;
  std::vector<std::string> when;
  Limit limit;
  std::string metBy;
  Source source;
  bool verified = true;
  std::string note;
  int line = 0;
};

class ProcessCatalog {
 public:
  static Result<ProcessCatalog> load(const std::string& path,
                                     const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes);
  static Result<ProcessCatalog> parse(std::string_view text, const std::string& origin,
                                      const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes);

  const std::string& id() const { return id_; }
  int version() const { return version_; }
  std::string key() const { return id_ + "@v" + std::to_string(version_); }  // "A-TT20@v1"
  const std::string& regime() const { return regime_; }
  const std::string& name() const { return name_; }
  const Source& source() const { return source_; }
  const std::string& origin() const { return origin_; }
  const std::vector<Role>& roles() const { return roles_; }
  const std::vector<Phase>& phases() const { return phases_; }
  const std::vector<ClockEvent>& events() const { return events_; }
  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<LegalDeadline>& deadlines() const { return deadlines_; }

  const Step* step(std::string_view id) const;
  const Role* role(std::string_view id) const;
  const Phase* phase(int id) const;
  const ClockEvent* event(std::string_view id) const;
  const Step& startStep() const;  // exactly one exists in a loaded catalog
  // The step and output of an output id (output ids are unique in a process); nullptr if none.
  const StepOutput* output(std::string_view id, const Step** owner = nullptr) const;

 private:
  std::string origin_, id_, regime_, name_;
  int version_ = 0;
  Source source_;
  std::vector<Role> roles_;
  std::vector<Phase> phases_;
  std::vector<ClockEvent> events_;
  std::vector<Step> steps_;
  std::vector<LegalDeadline> deadlines_;
};

// Every version of every process of a folder.
class ProcessLibrary {
 public:
  // Loads every *.toml of `dir` (sorted by name); the first bad file refuses the set; two files
  // with the same id and version are refused, and so is a final step handing over to a process
  // id that no file defines.
  static Result<ProcessLibrary> loadDirectory(
      const std::string& dir, const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes);

  const std::vector<std::shared_ptr<const ProcessCatalog>>& all() const { return all_; }
  // The exact version an incident runs under; nullptr when absent.
  std::shared_ptr<const ProcessCatalog> find(std::string_view id, int version) const;
  // The highest version of `id`, for new incidents; nullptr when absent.
  std::shared_ptr<const ProcessCatalog> latest(std::string_view id) const;

 private:
  std::vector<std::shared_ptr<const ProcessCatalog>> all_;
};

}  // namespace vigil::incident
