// CompiledRule and RuleSet (compiled_rule.h).
#include "detect/sigma/compiled_rule.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "detect/sigma/rule_index.h"

namespace vigil::detect::sigma {
namespace {

Error at(const std::string& origin, int line, const std::string& reason) {
  return Error::validation(origin + ":" + std::to_string(line), reason);
}

// The reason part of an Error::validation message ("field: reason").
std::string reasonOf(const Error& e) {
  if (!e.field.empty() && e.message.rfind(e.field + ": ", 0) == 0) return e.message.substr(e.field.size() + 2);
  return e.message;
}

}  // namespace

Result<CompiledRule> CompiledRule::compile(const SigmaRule& rule, const Pipeline& pipeline,
                                           const CompileOptions& options) {
  CompiledRule c;
  c.rule_ = std::make_shared<const SigmaRule>(rule);
  c.pipeline_ = &pipeline;
  c.product_ = rule.logsource.product;
  c.selection_ = pipeline.selection(rule.logsource);
  const FieldResolver resolve = [&](const std::string& f) { return pipeline.resolve(rule.logsource.product, f); };
  // Modifiers multiply values (windash up to 125 variants each): bound the compiled rule's size.
  constexpr size_t kMaxPatterns = 200000;
  size_t patterns = 0;

  for (const sigma::Search& s : rule.searches) {
    Search out;
    if (!s.keywords.empty()) {
      // A keyword list: one item over any field, its values ORed, `contains` by default.
      Item item;
      for (const Scalar& k : s.keywords) {
        if (k.kind == Scalar::Kind::kNull) return at(rule.origin, s.line, "search '" + s.name + "' has a null keyword");
        auto t = ValueTest::compile(k, {"contains"}, options, resolve);
        if (!t) return at(rule.origin, s.line, "search '" + s.name + "': " + reasonOf(t.error()));
        item.tests.push_back(std::move(*t));
      }
      out.maps.push_back({std::move(item)});
    }
    for (const auto& map : s.maps) {
      std::vector<Item> items;
      for (const FieldItem& fi : map) {
        Item item;
        if (!fi.field.empty()) item.field = pipeline.resolve(rule.logsource.product, fi.field);
        item.all = std::find(fi.modifiers.begin(), fi.modifiers.end(), "all") != fi.modifiers.end();
        for (const Scalar& v : fi.values) {
          auto t = ValueTest::compile(v, fi.modifiers, options, resolve);
          if (!t) {
            const std::string name = fi.field.empty() ? "keyword" : "field '" + fi.field + "'";
            return at(rule.origin, fi.line, name + ": " + reasonOf(t.error()));
          }
          patterns += t->weight();
          if (patterns > kMaxPatterns) return at(rule.origin, fi.line, "the rule compiles to too many patterns");
          item.tests.push_back(std::move(*t));
        }
        items.push_back(std::move(item));
      }
      // A map ANDs its items, which have no side effects: evaluating the cheap ones first lets a
      // failing wildcard test spare a regular expression. Keywords (any field) count as costly.
      auto cost = [](const Item& item) {
        int c = item.field.empty() ? 3 : 0;
        for (const ValueTest& t : item.tests) c = std::max(c, t.costClass());
        return c;
      };
      std::stable_sort(items.begin(), items.end(), [&](const Item& a, const Item& b) { return cost(a) < cost(b); });
      out.maps.push_back(std::move(items));
    }
    c.searches_.push_back(std::move(out));
  }

  // Conditions: parse, then resolve names against the searches.
  std::function<Result<Node>(const CondNode&)> resolveNode = [&](const CondNode& n) -> Result<Node> {
    Node out;
    out.op = n.op;
    switch (n.op) {
      case CondNode::Op::kRef: {
        for (size_t i = 0; i < rule.searches.size(); ++i)
          if (rule.searches[i].name == n.name) out.search = static_cast<int>(i);
        if (out.search < 0) return Error::validation("condition", "unknown search identifier '" + n.name + "'");
        return out;
      }
      case CondNode::Op::kOneOf:
      case CondNode::Op::kAllOf: {
        out.op = n.op == CondNode::Op::kOneOf ? CondNode::Op::kOr : CondNode::Op::kAnd;
        for (size_t i = 0; i < rule.searches.size(); ++i) {
          const std::string& name = rule.searches[i].name;
          const bool hit = n.name == "them" ? name.rfind('_', 0) != 0 : namePatternMatches(n.name, name);
          if (!hit) continue;
          Node ref;
          ref.search = static_cast<int>(i);
          out.kids.push_back(std::move(ref));
        }
        if (out.kids.empty())
          return Error::validation("condition", "'" + std::string(n.op == CondNode::Op::kOneOf ? "1" : "all") + " of " +
                                                    n.name + "' matches no search identifier");
        return out;
      }
      default:
        for (const CondNode& k : n.kids) {
          VIGIL_ASSIGN_OR_RETURN(Node kid, resolveNode(k));
          out.kids.push_back(std::move(kid));
        }
        return out;
    }
  };
  for (const std::string& text : rule.conditions) {
    auto parsed = parseCondition(text);
    if (!parsed) return at(rule.origin, rule.conditionLine, reasonOf(parsed.error()));
    auto node = resolveNode(*parsed);
    if (!node) return at(rule.origin, rule.conditionLine, reasonOf(node.error()));
    c.conditions_.push_back(std::move(*node));
  }
  return c;
}

bool CompiledRule::evalItem(const Item& item, const EventView& event) const {
  auto test = [&](const std::optional<std::string_view>& v, std::string_view low) {
    if (item.all)
      return std::all_of(item.tests.begin(), item.tests.end(),
                         [&](const ValueTest& t) { return t.matches(v, low, event); });
    return std::any_of(item.tests.begin(), item.tests.end(),
                       [&](const ValueTest& t) { return t.matches(v, low, event); });
  };
  if (item.field.empty()) {
    // Keyword: any field value (or the raw text of an event without fields).
    if (event.size() == 0) {
      thread_local std::string lowered;
      lowerInto(event.event().raw(), lowered);
      return test(event.event().raw(), lowered);
    }
    for (size_t i = 0; i < event.size(); ++i)
      if (test(event.text(static_cast<int>(i)), event.lowered(static_cast<int>(i)))) return true;
    return false;
  }
  const int i = event.find(item.field);
  if (i < 0) return test(std::nullopt, {});
  return test(event.text(i), event.lowered(i));
}

bool CompiledRule::evalSearch(const Search& s, const EventView& event) const {
  for (const auto& map : s.maps) {
    bool all = true;
    for (const Item& item : map) {
      if (!evalItem(item, event)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool CompiledRule::evalNode(const Node& n, const EventView& event) const {
  switch (n.op) {
    case CondNode::Op::kRef: return evalSearch(searches_[static_cast<size_t>(n.search)], event);
    case CondNode::Op::kNot: return !evalNode(n.kids[0], event);
    case CondNode::Op::kAnd:
    case CondNode::Op::kAllOf:
      for (const Node& k : n.kids)
        if (!evalNode(k, event)) return false;
      return true;
    case CondNode::Op::kOr:
    case CondNode::Op::kOneOf:
      for (const Node& k : n.kids)
        if (evalNode(k, event)) return true;
      return false;
  }
  return false;
}

bool CompiledRule::conditionMatches(const normalize::Event& event) const { return conditionMatches(EventView(event)); }

bool CompiledRule::conditionMatches(const EventView& event) const {
  for (const Node& n : conditions_)
    if (evalNode(n, event)) return true;
  return false;
}

bool CompiledRule::logsourceMatches(const normalize::Event& event, const std::string& eventProduct) const {
  if (eventProduct.empty()) return true;  // no logsource information: every rule
  if (product_.empty()) return selection_.known && selection_.matches(event);
  return product_ == eventProduct && selection_.matches(event);
}

bool CompiledRule::logsourceMatches(const EventView& event, const std::string& eventProduct) const {
  if (eventProduct.empty()) return true;
  if (product_.empty()) return selection_.known && selection_.matches(event);
  return product_ == eventProduct && selection_.matches(event);
}

bool CompiledRule::matches(const normalize::Event& event) const {
  return logsourceMatches(event, pipeline_->productOf(event)) && conditionMatches(event);
}

std::vector<CompiledRule::FieldLiterals> CompiledRule::literalsByField() const {
  std::vector<FieldLiterals> out;
  for (const Search& s : searches_)
    for (const auto& map : s.maps)
      for (const Item& item : map) {
        FieldLiterals fl{item.field, {}};
        for (const ValueTest& t : item.tests)
          for (std::string& l : t.literals()) fl.literals.push_back(std::move(l));
        if (!fl.literals.empty()) out.push_back(std::move(fl));
      }
  return out;
}

// The index of a RuleSet, built once after loading: load() builds it, add() drops it and the next
// match() builds it again (under the mutex, so concurrent first calls build it once).
struct RuleSet::Lazy {
  std::mutex mu;
  std::atomic<const RuleIndex*> ready{nullptr};
  std::unique_ptr<RuleIndex> owned;
};

RuleSet::RuleSet() : lazy_(std::make_unique<Lazy>()) {}
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
RuleSet::RuleSet(const RuleSet& other)
    : pipeline_(other.pipeline_),
      rules_(other.rules_),
      refusals_(other.refusals_),
      group_(other.group_),
      groups_(other.groups_),
      lazy_(std::make_unique<Lazy>()) {}
RuleSet& RuleSet::operator=(const RuleSet& other) {
  if (this != &other) *this = RuleSet(other);
  return *this;
}

const RuleIndex* RuleSet::index() const {
  if (!lazy_ || !pipeline_) return nullptr;
  if (const RuleIndex* ix = lazy_->ready.load(std::memory_order_acquire)) return ix;
  std::lock_guard<std::mutex> lock(lazy_->mu);
  if (!lazy_->owned) {
    lazy_->owned = RuleIndex::build(rules_, group_, groups_.size(), *pipeline_);
    lazy_->ready.store(lazy_->owned.get(), std::memory_order_release);
  }
  return lazy_->owned.get();
}

RuleIndexStats RuleSet::indexStats() const {
  const RuleIndex* ix = index();
  return ix ? ix->stats() : RuleIndexStats{};
}

RuleSet RuleSet::load(const std::vector<std::filesystem::path>& dirs, const Pipeline& pipeline,
                      const CompileOptions& options) {
  RuleSet set;
  set.pipeline_ = &pipeline;
  for (const auto& dir : dirs) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(it->path());
    }
    if (ec) set.refusals_.push_back({dir.string(), dir.string(), "cannot read the directory: " + ec.message()});
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string rel = (dir.filename() / std::filesystem::relative(f, dir)).string();
      auto rule = loadRuleFile(f.string(), rel);
      if (!rule) {
        set.refusals_.push_back({rel, rule.error().field, reasonOf(rule.error())});
        continue;
      }
      auto compiled = CompiledRule::compile(*rule, pipeline, options);
      if (!compiled) {
        set.refusals_.push_back({rel, compiled.error().field, reasonOf(compiled.error())});
        continue;
      }
      set.push(std::move(*compiled));
    }
  }
  (void)set.index();  // built now, off the hot path
  return set;
}

bool RuleSet::add(std::string_view yamlText, const std::string& origin, const Pipeline& pipeline,
                  const CompileOptions& options) {
  pipeline_ = &pipeline;
  auto rule = parseRule(yamlText, origin);
  if (!rule) {
    refusals_.push_back({origin, rule.error().field, reasonOf(rule.error())});
    return false;
  }
  auto compiled = CompiledRule::compile(*rule, pipeline, options);
  if (!compiled) {
    refusals_.push_back({origin, compiled.error().field, reasonOf(compiled.error())});
    return false;
  }
  push(std::move(*compiled));
  lazy_ = std::make_unique<Lazy>();  // the index no longer covers every rule
  return true;
}

bool RuleSet::add(const SigmaRule& rule, const Pipeline& pipeline, const CompileOptions& options) {
  pipeline_ = &pipeline;
  auto compiled = CompiledRule::compile(rule, pipeline, options);
  if (!compiled) {
    refusals_.push_back({rule.origin, compiled.error().field, reasonOf(compiled.error())});
    return false;
  }
  push(std::move(*compiled));
  return true;
}

void RuleSet::push(CompiledRule rule) {
  const Logsource& ls = rule.rule().logsource;
  const std::string key = ls.product + "|" + ls.category + "|" + ls.service;
  const auto it = groups_.emplace(key, static_cast<uint32_t>(groups_.size())).first;
  group_.push_back(it->second);
  rules_.push_back(std::move(rule));
}

size_t RuleSet::match(const normalize::Event& event, const std::function<void(const CompiledRule&)>& onMatch) const {
  const RuleIndex* ix = index();
  if (!ix) return 0;
  return ix->match(rules_, event, onMatch);
}

size_t RuleSet::matchNaive(const normalize::Event& event,
                           const std::function<void(const CompiledRule&)>& onMatch) const {
  if (!pipeline_) return 0;
  const std::string product = pipeline_->productOf(event);
  const EventView view(event);
  thread_local std::vector<int8_t> groupPass;  // -1 unknown, 0 no, 1 yes
  groupPass.assign(groups_.size(), -1);
  size_t n = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& r = rules_[i];
    int8_t& pass = groupPass[group_[i]];
    if (pass < 0) pass = r.logsourceMatches(event, product) ? 1 : 0;
    if (pass == 1 && r.conditionMatches(view)) {
      ++n;
      if (onMatch) onMatch(r);
    }
  }
  return n;
}

}  // namespace vigil::detect::sigma
