// The Windows mapping: winlog.* fields (as readEvtxFile() makes them, and as Winlogbeat sends
// them in JSON: the same names, so this applies to both once the JSON is flattened into an Event)
// to ECS fields, driven by the catalog files catalogs/normalize/windows/*.toml.
//
// A catalog file is a list of rules:
//
//   [[event]]
//   channel  = "Security"                      # compared case-insensitively with winlog.channel
//   provider = "Microsoft-Windows-Sysmon"      # ... with winlog.provider_name
//   ids      = [4625]                          # winlog.event_id (or event.code) values
//   set      = { "event.action" = "logon-failed", "event.outcome" = "failure" }   # constants
//   fields   = { "user.name" = "TargetUserName", "source.ip" = "IpAddress" }      # copies
//
// A rule applies when the event's id is in `ids` and every one of channel/provider it names
// matches (a rule names at least one). Every matching rule applies, in file order (files sorted
// by name). `fields` copies winlog.event_data.<Name> (or, when the value names a dotted field such
// as "winlog.user_data.X", that field) to the ECS name; absent or "-" values are skipped. The ECS
// name's type follows its ending: ".ip" -> IP (a value that is not an address is skipped),
// ".port"/".pid"/".id" of a process -> integer when numeric, anything else -> string. Strings
// stay valid as long as the WindowsMapping (the Event refers to its names).
//
// Errors: load() refuses a file that does not parse or a rule without ids, without a channel or
// provider, or with a non-string value, as Error::validation("<file>:<line>", what).
//
// Thread-safety: immutable after load(); apply() may run on any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "normalize/event.h"

namespace vigil::evtx {

class WindowsMapping {
 public:
  // Loads every *.toml of `dir`.
  static Result<WindowsMapping> load(const std::filesystem::path& dir);
  // Loads one catalog text (tests, fuzzing); `origin` names it in errors.
  static Result<WindowsMapping> parse(std::string_view text, const std::string& origin);

  // Applies the matching rules; returns how many applied (0: the event is left as it was).
  size_t apply(normalize::Event& event) const;
  size_t ruleCount() const { return rules_.size(); }

 private:
  struct Rule {
    std::string channel;                                      // lower case; empty: any
    std::string provider;                                     // lower case; empty: any
    std::vector<std::pair<std::string, std::string>> set;     // ECS name -> constant
    std::vector<std::pair<std::string, std::string>> fields;  // ECS name -> source field (full name)
  };
  Status add(std::string_view text, const std::string& origin);

  std::vector<Rule> rules_;
  std::unordered_map<int64_t, std::vector<size_t>> byId_;  // event id -> rule indexes, in order
};

// The same, as the free function the importers call.
inline size_t applyWindowsMapping(const WindowsMapping& mapping, normalize::Event& event) {
  return mapping.apply(event);
}

}  // namespace vigil::evtx
