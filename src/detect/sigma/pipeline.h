// The Sigma pipeline as data (catalogs/sigma/pipelines/*.toml): how Sigma field names map to the
// fields of our normalised events, and which events a rule's logsource selects.
//
//   [[product]]                     # an event having one of `present` is of this product
//   name = "windows"
//   present = ["winlog.channel"]
//   prefixes = ["winlog.event_data.", "winlog.user_data."]   # where unmapped Sigma fields live
//   split_words = true              # also try "Threat Name" for ThreatName, "Feature Name" for
//                                   # Feature_Name (Defender and others name EventData with spaces)
//
//   [fields]                        # Sigma field -> event fields, tried in order
//   EventID = ["winlog.event_id", "event.code"]
//   Image = ["winlog.event_data.Image", "process.executable"]
//
//   [[logsource]]                   # rule logsource -> the events it selects
//   product = "windows"
//   category = "process_creation"   # or service = "security"
//   any = [ { "winlog.provider_name" = "Microsoft-Windows-Sysmon", "winlog.event_id" = "1" },
//           { "winlog.channel" = "Security", "winlog.event_id" = ["4688"] } ]
//
// Field resolution for a rule of product P: the [fields] list when the Sigma field has one, else
// each prefix of P + the field (then + the field split into words when split_words); the Sigma
// name itself is always tried last (events that carry Sigma's names, e.g. a JSON-lines file).
//
// Logsource: an event that is of no product (carries no logsource information) is evaluated by
// every rule. An event of product P is evaluated by rules whose product is P, or whose product is
// empty and whose category/service has an entry (a rule `category: database` without product does
// not run on Windows events), and which pass each `[[logsource]]` entry naming their
// category/service (all fields of one `any` alternative equal, case-insensitively; a value may be
// a list of accepted values). For a rule of product P, a category or service without an entry
// does not restrict.
//
// Errors: load() names "<file>:<line>" and the reason; a field mapped twice is an error.
// Thread-safety: immutable after load().
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detect/sigma/rule.h"
#include "detect/sigma/value.h"
#include "normalize/event.h"

namespace vigil::detect::sigma {

// One alternative of a logsource: every (field, accepted values) must hold.
struct LogsourceTerm {
  std::string field;
  std::vector<std::string> values;  // lower case
};
using LogsourceAlternative = std::vector<LogsourceTerm>;
// A selection is satisfied when any alternative holds; an empty selection always holds.
struct LogsourceSelection {
  std::vector<LogsourceAlternative> any;
  bool known = false;  // some [[logsource]] entry named the rule's category or service
  bool matches(const normalize::Event& event) const;
  bool matches(const EventView& event) const;  // the same, with the view's field lookup
};

class Pipeline {
 public:
  // Loads every *.toml of `dir` (sorted by name).
  static Result<Pipeline> load(const std::filesystem::path& dir);
  // One file's text; `origin` names it in errors. Adds to what is loaded.
  Status add(std::string_view text, const std::string& origin);

  // Event fields to try for `sigmaField` in a rule of `product` (see the header comment).
  FieldCandidates resolve(const std::string& product, const std::string& sigmaField) const;
  // The product of an event ("" when it carries none of the products' marker fields).
  std::string productOf(const normalize::Event& event) const;
  // The selection of a rule's category/service (empty when the pipeline does not restrict it).
  LogsourceSelection selection(const Logsource& logsource) const;
  bool knowsProduct(const std::string& product) const;

 private:
  struct Product {
    std::string name;
    std::vector<std::string> present, prefixes;
    bool splitWords = false;
  };
  struct Entry {
    std::string product, category, service;
    LogsourceSelection selection;
  };
  std::vector<Product> products_;
  std::map<std::string, std::vector<std::string>> fields_;
  std::vector<Entry> entries_;
};

}  // namespace vigil::detect::sigma
