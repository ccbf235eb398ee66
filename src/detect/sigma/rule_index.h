// The rule index of a RuleSet: which rules an event can possibly match, so that most rules are
// never evaluated. Built once from the compiled rules (RuleSet builds it after loading); immutable.
//
// Per event (match()):
//  1. Product. The event's product (Pipeline::productOf) selects one partition of the index: the
//     rules of that product and the rules without product; every rule for an event of no product.
//  2. Logsource. Rules are grouped by logsource (product|category|service); a group's selection is
//     checked at most once per event, and only when one of its rules is a candidate.
//  3. EventID. A rule whose condition needs the EventID field to be one of a few numbers
//     (CompiledRule::necessary) is a candidate only for events carrying one of them.
//  4. Literals. A rule whose condition needs one of a set of literals in some fields is a
//     candidate only when a literal occurs there. All such literals of a partition are compiled
//     into vectorscan (Hyperscan) literal databases, HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, one
//     per event field name (holding that field's literals and the keyword literals) plus one for
//     the keyword literals alone (fields without own literals, or the raw text of an event without
//     fields): each field value of the event is scanned once.
//  5. The candidates (rules with no proved literal set, and rules whose literal hit), whose EventID
//     and logsource hold, are evaluated in rule order.
// The result is exactly the naive loop's (tests/sigma/index_test.cpp): the proofs are conservative
// (necessary.cpp) and scanning every candidate field of a Sigma field only adds candidates.
//
// Scratch: vectorscan needs per-thread scratch space. match() keeps it in a thread_local (with
// the candidate buffers), grown for the databases of the index in use the first time a thread
// meets that index (after a reload: once per thread), and freed when the thread ends. So match()
// needs no per-thread setup from callers and may run on any number of threads at once. A nested
// match() from inside onMatch on the same thread uses a temporary scratch (slower, still right).
// When vectorscan cannot compile a database or allocate scratch, the rules concerned are
// evaluated without the prefilter (slower, still right); stats().fallbacks counts such events.
//
// Thread-safety: immutable after build(); match() is safe from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detect/sigma/pipeline.h"
#include "normalize/event.h"

namespace vigil::detect::sigma {

class CompiledRule;

struct RuleIndexStats {
  size_t rules = 0;
  size_t withLiterals = 0;   // rules evaluated only when one of their literals occurs
  size_t withEventIds = 0;   // rules evaluated only for some EventID values
  size_t alwaysChecked = 0;  // rules with neither proof: evaluated whenever their logsource holds
  size_t patterns = 0;       // literals compiled, over all databases
  size_t databases = 0;
  size_t partitions = 0;     // product partitions
  std::string compileError;  // the first vectorscan error, when a database could not be built
};

// What match() did on the calling thread since it started (all indexes): for benchmarks and
// diagnostics. Plain counters of the thread's own state.
struct RuleIndexCounters {
  uint64_t events = 0;
  uint64_t scans = 0;        // field values scanned by vectorscan
  uint64_t literalHits = 0;  // rules made candidates by a literal (before logsource/EventID)
  uint64_t evaluated = 0;    // conditions evaluated
};

class RuleIndex {
 public:
  static RuleIndexCounters threadCounters();

  // `rules` and `pipeline` must outlive the index and stay unchanged; `group[i]` is rule i's
  // logsource group (0 .. groups-1).
  static std::unique_ptr<RuleIndex> build(const std::vector<CompiledRule>& rules, const std::vector<uint32_t>& group,
                                          size_t groups, const Pipeline& pipeline);
  ~RuleIndex();
  RuleIndex(const RuleIndex&) = delete;
  RuleIndex& operator=(const RuleIndex&) = delete;

  // Calls onMatch for every rule of `rules` (the vector given to build()) that the event matches,
  // in rule order; returns the number of matches.
  size_t match(const std::vector<CompiledRule>& rules, const normalize::Event& event,
               const std::function<void(const CompiledRule&)>& onMatch) const;

  const RuleIndexStats& stats() const { return stats_; }

  struct Partition;  // rule_index.cpp
  struct ThreadState;

 private:
  RuleIndex() = default;
  bool prepare(ThreadState& ts) const;
  size_t run(ThreadState& ts, const std::vector<CompiledRule>& rules, const normalize::Event& event,
             const std::function<void(const CompiledRule&)>& onMatch) const;

  const Pipeline* pipeline_ = nullptr;
  uint64_t id_ = 0;  // unique per index built: thread scratch is keyed by it
  std::vector<uint32_t> group_;
  size_t groups_ = 0;
  std::vector<uint32_t> groupRule_;            // per group: one of its rules (for the logsource check)
  std::vector<FieldCandidates> idFields_;      // distinct EventID field lists (per product)
  std::vector<uint32_t> idFieldOf_;            // per rule: index in idFields_
  std::vector<std::vector<double>> eventIds_;  // per rule: the EventID values it needs
  std::vector<uint8_t> hasEventIds_;           // per rule: 1 when eventIds_ is a proof
  std::vector<std::unique_ptr<Partition>> partitions_;
  const Partition* noProduct_ = nullptr;     // events of no product: every rule
  const Partition* otherProduct_ = nullptr;  // events of a product no rule names: rules without product
  RuleIndexStats stats_;
};

}  // namespace vigil::detect::sigma
