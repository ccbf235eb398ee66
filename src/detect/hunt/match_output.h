// How `vigil hunt` prints one detection (a rule match or a correlation firing): a table row, a
// JSON line or a CSV row.
//
//   table  time (UTC, seconds) | level | rule title | host | key fields ("Field=value", the
//          fields the rule's searches name, in rule order, at most four, values cut to 80 chars)
//   jsonl  {"time", "rule": {"id", "title", "level", "tags", "path"}, "file", "record", "host",
//          "event": {every field of the event; integers as numbers}}
//   csv    time,level,rule_id,rule_title,tags,host,file,record,details (RFC 4180 quoting; a cell
//          starting with = + - @ gets a leading ' so spreadsheets do not run it as a formula)
// A correlation firing has no single event: its time is the last event's of the window, host is
// empty, and instead of the event it shows what fired:
//   table/csv details  "<type> <value> (<n> events <first>..<last>); <group-by field>=<value>..."
//   jsonl              "record" is the record that fired it (null when the window closed at the
//                      end of the file), "rule" has "type":"correlation", and "correlation":
//                      {"type", "group": {field: value}, "value", "events", "first", "last"}
//                      replaces "event"; rule matches have "type":"rule" in "rule".
// Text that is not valid UTF-8 is written with U+FFFD in place of the bad bytes, so every JSON
// line parses.
//
// Thread-safety: immutable after construction; format() may run on any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detect/sigma/compiled_rule.h"
#include "detect/sigma/detection.h"
#include "detect/sigma/pipeline.h"
#include "normalize/event.h"

namespace vigil::detect::hunt {

enum class OutputFormat { kTable, kJsonLines, kCsv };
std::optional<OutputFormat> parseOutputFormat(std::string_view name);

// Sigma levels in order: informational 1, low 2, medium 3, high 4, critical 5; 0 for anything
// else (a rule without a level).
int levelRank(std::string_view level);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string validUtf8(std::string_view s);

class MatchFormatter {
 public:
  // `rules` and `pipeline` must outlive the formatter.
  MatchFormatter(const sigma::RuleSet& rules, const sigma::Pipeline& pipeline, OutputFormat format);

  // The header line(s) for the format ("" for jsonl).
  std::string header() const;
  // Appends one detection (with its line end) to `out`. `event` is the event being evaluated
  // (required for a rule match; null for firings reported at the end of a file); `record` is its
  // record number.
  void format(const sigma::Detection& detection, const normalize::Event* event, std::string_view file, uint64_t record,
              std::string& out) const;

 private:
  struct KeyField {
    std::string name;
    sigma::FieldCandidates candidates;
  };
  struct Display {
    std::string tagsJson;
    std::vector<KeyField> keys;
  };
  const Display* displayOf(const sigma::CompiledRule& rule) const;
  std::string details(const Display* d, const normalize::Event& event) const;
  void formatRule(const sigma::CompiledRule& rule, const normalize::Event& event, std::string_view file,
                  uint64_t record, std::string& out) const;
  void formatFiring(const sigma::Detection& d, std::string_view file, uint64_t record, std::string& out) const;

  OutputFormat format_;
  std::unordered_map<const sigma::CompiledRule*, Display> display_;
};

}  // namespace vigil::detect::hunt
