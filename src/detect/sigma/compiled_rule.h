// A Sigma rule compiled for evaluation over normalised events, and a RuleSet loaded from rule
// directories.
//
// CompiledRule::compile() resolves every Sigma field through the Pipeline (pipeline.h), compiles
// every value (value.h) and the condition (condition.h) into a tree over the rule's searches.
// matches() first checks the logsource (Pipeline::productOf + the rule's selection), then the
// condition. Keyword searches match any field value of the event (or the raw text of an event
// without fields); a keyword without modifiers matches as `contains`.
//
// Prefilter support: literalsByField() lists, per event field candidate list, the literal strings
// one of which a string test needs; necessary() (necessary.cpp) proves, through the condition,
// which literals and EventID values an event must carry for the rule to match at all. The rule
// index (rule_index.h) is built from it.
//
// RuleSet::load() reads every *.yml/*.yaml under the given directories; a rule that does not
// parse or compile is refused alone (Refusal: path, line, reason) and the others load.
//
// Thread-safety: immutable after compile()/load(); matches() may run on any thread. RuleSet:
// match() and matchNaive() may run concurrently on any number of threads once loading (load(),
// add()) is over; add() must not run concurrently with anything.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/sigma/condition.h"
#include "detect/sigma/pipeline.h"
#include "detect/sigma/rule.h"
#include "detect/sigma/value.h"
#include "normalize/event.h"

namespace vigil::detect::sigma {

class CompiledRule {
 public:
  static Result<CompiledRule> compile(const SigmaRule& rule, const Pipeline& pipeline, const CompileOptions& options);

  bool matches(const normalize::Event& event) const;
  // The condition alone, without the logsource check.
  bool conditionMatches(const normalize::Event& event) const;
  bool conditionMatches(const EventView& view) const;
  // The logsource check alone, given the event's product (Pipeline::productOf).
  bool logsourceMatches(const normalize::Event& event, const std::string& eventProduct) const;
  bool logsourceMatches(const EventView& event, const std::string& eventProduct) const;

  const SigmaRule& rule() const { return *rule_; }

  struct FieldLiterals {
    FieldCandidates field;  // empty for keyword searches (any field)
    std::vector<std::string> literals;
  };
  std::vector<FieldLiterals> literalsByField() const;

  // Necessary conditions of the condition (the rule index's material), proved conservatively: if
  // the condition holds on an event, then
  //  - when `literals` is set, one of them occurs (ASCII case-insensitively) in the value of one
  //    of its `field` candidates, or, for a keyword literal (empty `field`), in some field value
  //    (in the raw text of an event without fields);
  //  - when `eventIds` is set, the first present field of `eventIdField` has a value that parses
  //    (parseNumber) to one of the numbers (an empty list: the condition can never hold).
  // Unset means nothing is proved (the rule must be evaluated). `not`, null and exists tests,
  // comparisons, cidr, fieldref and re give nothing; `and` keeps the most selective literal set
  // of its operands and intersects EventID sets; `or` needs a set from every operand.
  struct Necessary {
    struct Literal {
      FieldCandidates field;  // empty: keyword (any field)
      std::string text;       // non-empty; lower case unless the test is `cased`
    };
    std::optional<std::vector<Literal>> literals;
    std::optional<std::vector<double>> eventIds;
  };
  Necessary necessary(const FieldCandidates& eventIdField) const;

 private:
  struct Item {
    FieldCandidates field;  // empty: keyword item (any field)
    std::vector<ValueTest> tests;
    bool all = false;
    bool needsLower = true;
  };
  struct Search {
    std::vector<std::vector<Item>> maps;  // OR of AND
  };
  struct Node {
    CondNode::Op op = CondNode::Op::kRef;
    std::vector<Node> kids;
    int search = -1;  // kRef
  };
  bool evalItem(const Item& item, const EventView& event) const;
  bool evalSearch(const Search& s, const EventView& event) const;
  bool evalNode(const Node& n, const EventView& event) const;
  // necessary.cpp
  Necessary needsOfNode(const Node& n, const FieldCandidates& eventIdField) const;
  Necessary needsOfSearch(const Search& s, const FieldCandidates& eventIdField) const;

  std::shared_ptr<const SigmaRule> rule_;
  const Pipeline* pipeline_ = nullptr;
  std::string product_;
  LogsourceSelection selection_;
  std::vector<Search> searches_;
  std::vector<Node> conditions_;  // ORed
};

struct Refusal {
  std::string path;    // relative to the directory given
  std::string where;   // "path:line"
  std::string reason;  // without the location
};

class RuleIndex;
struct RuleIndexStats;

class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;
  RuleSet(const RuleSet& other);
  RuleSet& operator=(const RuleSet& other);

  // `pipeline` must outlive the RuleSet.
  static RuleSet load(const std::vector<std::filesystem::path>& dirs, const Pipeline& pipeline,
                      const CompileOptions& options = {});
  // Adds one rule's text; false (and a Refusal) when it is refused. The index is rebuilt on the
  // next match() (load() builds it before returning).
  bool add(std::string_view yamlText, const std::string& origin, const Pipeline& pipeline,
           const CompileOptions& options = {});
  // Adds one parsed rule (its origin names it); false (and a Refusal) when it does not compile.
  bool add(const SigmaRule& rule, const Pipeline& pipeline, const CompileOptions& options = {});

  size_t size() const { return rules_.size(); }
  const std::vector<Refusal>& refusals() const { return refusals_; }
  const CompiledRule& at(size_t i) const { return rules_[i]; }

  // Calls `onMatch` for every rule the event matches, in rule order, and returns the number of
  // matches. Indexed (rule_index.h): only the rules whose logsource holds and whose necessary
  // literals/EventID the event carries are evaluated. Gives exactly what matchNaive() gives.
  size_t match(const normalize::Event& event, const std::function<void(const CompiledRule&)>& onMatch) const;
  // The same without the index: every rule's condition is evaluated once its logsource, checked
  // once per distinct logsource, holds. The baseline of the benchmark and of the differential test.
  size_t matchNaive(const normalize::Event& event, const std::function<void(const CompiledRule&)>& onMatch) const;

  // What the index proved about the rules (built on first use).
  RuleIndexStats indexStats() const;

 private:
  void push(CompiledRule rule);
  const RuleIndex* index() const;
  struct Lazy;

  const Pipeline* pipeline_ = nullptr;
  std::vector<CompiledRule> rules_;
  std::vector<Refusal> refusals_;
  // Rules with the same logsource share one logsource check per event (group index per rule).
  std::vector<uint32_t> group_;
  std::map<std::string, uint32_t> groups_;
  // The index, built once after loading (load(), or the first match() after add()).
  std::unique_ptr<Lazy> lazy_;
};

}  // namespace vigil::detect::sigma
