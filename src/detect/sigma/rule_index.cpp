// RuleIndex (rule_index.h): partitions by product, logsource groups, EventID proofs and the
// vectorscan literal prefilter.
#include "detect/sigma/rule_index.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "detect/sigma/compiled_rule.h"

namespace vigil::detect::sigma {

struct RuleIndex::Partition {
  struct Db {
    hs_database_t* db = nullptr;
    std::vector<std::vector<uint32_t>> rulesOf;  // pattern id -> rules (sorted)
  };
  std::string product;
  std::vector<Db> dbs;
  std::vector<std::unique_ptr<std::string>> names;  // own the keys of dbOfField
  std::unordered_map<std::string_view, uint32_t, FieldNameHasher> dbOfField;
  // The same as a flat table probed with the hash EventView computed: (name, db), -1 empty.
  std::vector<std::pair<std::string_view, int>> fieldTable;
  size_t fieldMask = 0;
  int dbOf(std::string_view name, size_t hash) const {
    if (fieldTable.empty()) return -1;
    for (size_t h = hash & fieldMask; fieldTable[h].second >= 0; h = (h + 1) & fieldMask)
      if (fieldTable[h].first == name) return fieldTable[h].second;
    return -1;
  }
  int keywordDb = -1;  // for fields without own database and for the raw text; -1: none
  // Rules without a literal proof (or whose database failed), by logsource group.
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> alwaysByGroup;
  std::vector<uint32_t> literalRules;  // rules reached through the databases (for a failed scan)

  Partition() = default;
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;
  ~Partition() {
    for (Db& d : dbs)
      if (d.db) hs_free_database(d.db);
  }
};

// Per-thread matching state (rule_index.h, "Scratch").
struct RuleIndex::ThreadState {
  uint64_t indexId = 0;
  hs_scratch_t* scratch = nullptr;
  std::vector<uint32_t> stamp;  // per rule: == gen when already a candidate of this event
  uint32_t gen = 0;
  std::vector<uint32_t> cands;
  std::vector<int8_t> groupPass;  // per logsource group: -1 unknown, 0 fails, 1 holds
  enum class Key : int8_t { kUnknown, kAbsent, kNumber, kText };
  std::vector<std::pair<Key, double>> keys;  // per EventID field list: the event's EventID
  bool busy = false;
  RuleIndexCounters counters;
  EventView::Storage view;
  std::string joined;  // values scanned for keywords only

  ThreadState() = default;
  ThreadState(const ThreadState&) = delete;
  ThreadState& operator=(const ThreadState&) = delete;
  ~ThreadState() {
    if (scratch) hs_free_scratch(scratch);
  }
};

namespace {

std::atomic<uint64_t> nextIndexId{1};

// (literal, rule) pairs, sorted and unique: the content of one field's database.
using Content = std::vector<std::pair<std::string, uint32_t>>;

void normalise(Content& c) {
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
}

// Compiles one literal database; "" on success, else vectorscan's message.
std::string compileDb(const Content& content, RuleIndex::Partition::Db& out, size_t& patterns) {
  std::map<std::string_view, std::vector<uint32_t>> byLiteral;
  for (const auto& [lit, rule] : content) byLiteral[lit].push_back(rule);
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags, ids;
  for (auto& [lit, rules] : byLiteral) {
    exprs.push_back(lit.data());
    lens.push_back(lit.size());
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
    ids.push_back(static_cast<unsigned>(out.rulesOf.size()));
    rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
    out.rulesOf.push_back(std::move(rules));
  }
  hs_compile_error_t* err = nullptr;
  const hs_error_t rc =
      hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(), static_cast<unsigned>(exprs.size()),
                           HS_MODE_BLOCK, nullptr, &out.db, &err);
  if (rc != HS_SUCCESS) {
    std::string why = err && err->message ? err->message : "hs_compile_lit_multi failed";
    if (err) hs_free_compile_error(err);
    out.db = nullptr;
    return why;
  }
  patterns += exprs.size();
  return {};
}

struct ScanContext {
  const RuleIndex::Partition::Db* db;
  RuleIndex::ThreadState* ts;
};

}  // namespace

RuleIndex::~RuleIndex() = default;

std::unique_ptr<RuleIndex> RuleIndex::build(const std::vector<CompiledRule>& rules, const std::vector<uint32_t>& group,
                                            size_t groups, const Pipeline& pipeline) {
  std::unique_ptr<RuleIndex> ix(new RuleIndex());
  ix->pipeline_ = &pipeline;
  ix->id_ = nextIndexId.fetch_add(1);
  ix->group_ = group;
  ix->groups_ = groups;
  ix->eventIds_.resize(rules.size());
  ix->hasEventIds_.assign(rules.size(), 0);
  ix->idFieldOf_.assign(rules.size(), 0);
  ix->stats_.rules = rules.size();
  ix->groupRule_.assign(groups, 0);
  for (size_t r = rules.size(); r-- > 0;) ix->groupRule_[group[r]] = static_cast<uint32_t>(r);

  // Proofs, once per rule. The EventID field is the pipeline's resolution for the rule's product.
  std::vector<std::optional<std::vector<CompiledRule::Necessary::Literal>>> literals(rules.size());
  for (size_t r = 0; r < rules.size(); ++r) {
    const FieldCandidates idField = pipeline.resolve(rules[r].rule().logsource.product, "EventID");
    auto it = std::find(ix->idFields_.begin(), ix->idFields_.end(), idField);
    if (it == ix->idFields_.end()) it = ix->idFields_.insert(ix->idFields_.end(), idField);
    ix->idFieldOf_[r] = static_cast<uint32_t>(it - ix->idFields_.begin());
    CompiledRule::Necessary n = rules[r].necessary(idField);
    if (n.eventIds) {
      ix->hasEventIds_[r] = 1;
      ix->eventIds_[r] = std::move(*n.eventIds);
      ++ix->stats_.withEventIds;
    }
    if (n.literals && !n.literals->empty()) {
      literals[r] = std::move(n.literals);
      ++ix->stats_.withLiterals;
    }
    if (!ix->hasEventIds_[r] && !literals[r]) ++ix->stats_.alwaysChecked;
  }

  // Partitions: one per rule product (its rules and the rules without product), one for events
  // of no product (every rule), one for events of a product no rule names (rules without product).
  std::vector<std::string> products;
  for (const CompiledRule& r : rules) {
    const std::string& p = r.rule().logsource.product;
    // Events only ever have a product the pipeline knows (Pipeline::productOf).
    if (!p.empty() && pipeline.knowsProduct(p) && std::find(products.begin(), products.end(), p) == products.end())
      products.push_back(p);
  }
  auto makePartition = [&](const std::string& product, bool all) {
    auto part = std::make_unique<Partition>();
    part->product = product;
    std::map<std::string, Content> byField;  // event field name -> content
    Content keyword;
    std::map<uint32_t, std::vector<uint32_t>> always;
    for (size_t r = 0; r < rules.size(); ++r) {
      const std::string& p = rules[r].rule().logsource.product;
      if (!all && !p.empty() && p != product) continue;
      const auto rule = static_cast<uint32_t>(r);
      if (!literals[r]) {
        always[group[r]].push_back(rule);
        continue;
      }
      part->literalRules.push_back(rule);
      for (const auto& lit : *literals[r]) {
        if (lit.field.empty()) {
          keyword.emplace_back(lit.text, rule);
        } else {
          for (const std::string& name : lit.field) byField[name].emplace_back(lit.text, rule);
        }
      }
    }
    normalise(keyword);
    // Field names with the same content share one database (a Sigma field's candidates).
    std::map<Content, uint32_t> dbOfContent;
    std::string error;
    for (auto& [name, content] : byField) {
      content.insert(content.end(), keyword.begin(), keyword.end());
      normalise(content);
      auto [it, fresh] = dbOfContent.emplace(content, static_cast<uint32_t>(part->dbs.size()));
      if (fresh) {
        part->dbs.emplace_back();
        if (error.empty()) error = compileDb(content, part->dbs.back(), ix->stats_.patterns);
      }
      part->names.push_back(std::make_unique<std::string>(name));
      part->dbOfField.emplace(*part->names.back(), it->second);
    }
    if (!keyword.empty()) {
      part->keywordDb = static_cast<int>(part->dbs.size());
      part->dbs.emplace_back();
      if (error.empty()) error = compileDb(keyword, part->dbs.back(), ix->stats_.patterns);
    }
    if (!error.empty()) {
      // No prefilter for this partition: its literal rules are evaluated like the others.
      if (ix->stats_.compileError.empty()) ix->stats_.compileError = error;
      for (Partition::Db& d : part->dbs)
        if (d.db) hs_free_database(d.db);
      part->dbs.clear();
      part->dbOfField.clear();
      part->keywordDb = -1;
      for (uint32_t r : part->literalRules) always[group[r]].push_back(r);
      part->literalRules.clear();
    }
    size_t cap = 16;
    while (cap < part->dbOfField.size() * 2) cap *= 2;
    part->fieldTable.assign(cap, {std::string_view(), -1});
    part->fieldMask = cap - 1;
    for (const auto& [name, db] : part->dbOfField) {
      size_t h = fieldNameHash(name) & part->fieldMask;
      while (part->fieldTable[h].second >= 0) h = (h + 1) & part->fieldMask;
      part->fieldTable[h] = {name, static_cast<int>(db)};
    }
    for (auto& [g, rs] : always) {
      std::sort(rs.begin(), rs.end());
      part->alwaysByGroup.emplace_back(g, std::move(rs));
    }
    ix->stats_.databases += part->dbs.size();
    ix->partitions_.push_back(std::move(part));
    return ix->partitions_.back().get();
  };
  for (const std::string& p : products) makePartition(p, false);
  ix->noProduct_ = makePartition("", true);
  ix->otherProduct_ = makePartition("", false);
  ix->stats_.partitions = ix->partitions_.size();
  return ix;
}

bool RuleIndex::prepare(ThreadState& ts) const {
  if (ts.indexId == id_) return true;
  for (const auto& part : partitions_)
    for (const Partition::Db& d : part->dbs)
      if (hs_alloc_scratch(d.db, &ts.scratch) != HS_SUCCESS) return false;
  ts.stamp.assign(group_.size(), 0);
  ts.gen = 0;
  ts.indexId = id_;
  return true;
}

namespace {
RuleIndex::ThreadState& threadState() {
  thread_local RuleIndex::ThreadState tls;
  return tls;
}
}  // namespace

RuleIndexCounters RuleIndex::threadCounters() { return threadState().counters; }

size_t RuleIndex::match(const std::vector<CompiledRule>& rules, const normalize::Event& event,
                        const std::function<void(const CompiledRule&)>& onMatch) const {
  ThreadState& tls = threadState();
  if (tls.busy) {
    // match() called again from inside onMatch on this thread: the thread state is in use.
    ThreadState nested;
    nested.busy = true;
    return run(nested, rules, event, onMatch);
  }
  tls.busy = true;
  struct Release {
    ThreadState& ts;
    ~Release() { ts.busy = false; }
  } release{tls};
  return run(tls, rules, event, onMatch);
}

size_t RuleIndex::run(ThreadState& ts, const std::vector<CompiledRule>& rules, const normalize::Event& event,
                      const std::function<void(const CompiledRule&)>& onMatch) const {
  const std::string product = pipeline_->productOf(event);
  // Product partitions come first in partitions_; the two others have no product name.
  const Partition* part = product.empty() ? noProduct_ : otherProduct_;
  if (!product.empty())
    for (const auto& p : partitions_)
      if (p->product == product) {
        part = p.get();
        break;
      }

  const bool scanOk = prepare(ts);
  if (!scanOk) ts.stamp.resize(group_.size(), 0);  // no scratch: every literal rule is a candidate
  if (++ts.gen == 0) {
    std::fill(ts.stamp.begin(), ts.stamp.end(), 0);
    ts.gen = 1;
  }
  ts.cands.clear();
  ts.groupPass.assign(groups_, -1);

  const EventView view(event, ts.view);

  // Literal hits: each field value scanned once with its field's database (or the keyword one).
  bool scanned = scanOk;
  if (scanOk && !part->dbs.empty()) {
    auto scan = [&](int db, std::string_view text) {
      if (db < 0 || text.empty()) return true;
      ScanContext ctx{&part->dbs[static_cast<size_t>(db)], &ts};
      ++ts.counters.scans;
      const hs_error_t rc = hs_scan(
          ctx.db->db, text.data(), static_cast<unsigned>(text.size()), 0, ts.scratch,
          [](unsigned id, unsigned long long, unsigned long long, unsigned, void* p) -> int {
            auto* c = static_cast<ScanContext*>(p);
            for (uint32_t r : c->db->rulesOf[id]) {
              if (c->ts->stamp[r] == c->ts->gen) continue;
              c->ts->stamp[r] = c->ts->gen;
              c->ts->cands.push_back(r);
            }
            return 0;
          },
          &ctx);
      return rc == HS_SUCCESS;
    };
    if (event.size() == 0) {
      scanned = scan(part->keywordDb, event.raw());
    } else {
      // Fields with their own database are scanned alone (it holds the keyword literals too);
      // the others only for keywords, all at once: their values joined by newlines (a literal
      // found across two values only adds a candidate).
      ts.joined.clear();
      for (size_t i = 0; i < event.size() && scanned; ++i) {
        const int db = part->dbOf(event.nameAt(i), view.nameHash(static_cast<int>(i)));
        // The text the evaluation reads (EventView::text), so both see the same value.
        const std::string_view text = view.text(static_cast<int>(i));
        if (db >= 0) {
          scanned = scan(db, text);
        } else if (part->keywordDb >= 0 && !text.empty()) {
          ts.joined.append(text).push_back('\n');
        }
      }
      if (scanned) scanned = scan(part->keywordDb, ts.joined);
    }
  }
  if (!scanned) {
    // A scan failed (or no scratch): every literal rule of the partition is a candidate.
    for (uint32_t r : part->literalRules)
      if (ts.stamp[r] != ts.gen) {
        ts.stamp[r] = ts.gen;
        ts.cands.push_back(r);
      }
  }

  // EventID of the event, per distinct EventID field list, computed on first need.
  using Key = ThreadState::Key;
  ts.keys.assign(idFields_.size(), {Key::kUnknown, 0.0});
  auto idOk = [&](uint32_t r) {
    if (!hasEventIds_[r]) return true;
    auto& [state, value] = ts.keys[idFieldOf_[r]];
    if (state == Key::kUnknown) {
      state = Key::kAbsent;
      const int i = view.find(idFields_[idFieldOf_[r]]);
      if (i >= 0) {
        const auto n = parseNumber(view.text(i));
        state = n ? Key::kNumber : Key::kText;
        value = n ? *n : 0.0;
      }
    }
    if (state == Key::kAbsent) return false;  // every EventID test is false on an absent field
    if (state == Key::kText) return true;     // not a number: let the rule decide
    const auto& ids = eventIds_[r];
    return std::find(ids.begin(), ids.end(), value) != ids.end();
  };
  auto groupOk = [&](uint32_t g) {
    int8_t& pass = ts.groupPass[g];
    if (pass < 0) pass = rules[groupRule_[g]].logsourceMatches(view, product) ? 1 : 0;
    return pass == 1;
  };

  // Literal candidates: keep those whose logsource and EventID hold.
  ++ts.counters.events;
  ts.counters.literalHits += ts.cands.size();
  size_t kept = 0;
  for (uint32_t r : ts.cands)
    if (groupOk(group_[r]) && idOk(r)) ts.cands[kept++] = r;
  ts.cands.resize(kept);
  // Rules without literal proof.
  for (const auto& [g, rs] : part->alwaysByGroup) {
    if (!groupOk(g)) continue;
    for (uint32_t r : rs)
      if (idOk(r)) ts.cands.push_back(r);
  }
  if (ts.cands.empty()) return 0;
  std::sort(ts.cands.begin(), ts.cands.end());
  ts.counters.evaluated += ts.cands.size();

  size_t n = 0;
  for (uint32_t r : ts.cands) {
    if (!rules[r].conditionMatches(view)) continue;
    ++n;
    if (onMatch) onMatch(rules[r]);
  }
  return n;
}

}  // namespace vigil::detect::sigma
