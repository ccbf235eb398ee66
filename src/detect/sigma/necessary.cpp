// CompiledRule::necessary() (compiled_rule.h): what an event must carry for a rule's condition to
// hold, proved over the compiled condition tree. The rule index (rule_index.h) relies on it to skip
// rules, so every step here errs on "nothing proved": a wrong proof drops matches silently, a
// missing one only costs an evaluation. tests/sigma/index_test.cpp checks both the proofs and
// match() == matchNaive() over the SigmaHQ corpus.
#include <algorithm>

#include "detect/sigma/compiled_rule.h"

namespace vigil::detect::sigma {
namespace {

using Literals = std::vector<CompiledRule::Necessary::Literal>;
using Ids = std::vector<double>;

// The shortest literal of a set: the higher, the fewer events hit the set by chance.
size_t shortest(const Literals& l) {
  size_t n = SIZE_MAX;
  for (const auto& x : l) n = std::min(n, x.text.size());
  return n;
}

// Of two literal sets each necessary, the more selective one: the longer shortest literal, then the
// smaller set. Literals of one or two bytes hit most events, so length comes first.
bool moreSelective(const Literals& a, const Literals& b) {
  const size_t sa = std::min<size_t>(shortest(a), 8), sb = std::min<size_t>(shortest(b), 8);
  if (sa != sb) return sa > sb;
  return a.size() < b.size();
}

// AND of operands: any operand's literal set is necessary (keep the best); every operand's EventID
// set is necessary (intersect them).
void conjoin(CompiledRule::Necessary& acc, CompiledRule::Necessary&& kid) {
  if (kid.literals && (!acc.literals || moreSelective(*kid.literals, *acc.literals)))
    acc.literals = std::move(kid.literals);
  if (kid.eventIds) {
    if (!acc.eventIds) {
      acc.eventIds = std::move(kid.eventIds);
    } else {
      Ids both;
      for (double v : *acc.eventIds)
        if (std::find(kid.eventIds->begin(), kid.eventIds->end(), v) != kid.eventIds->end()) both.push_back(v);
      acc.eventIds = std::move(both);
    }
  }
}

// OR of operands: a set is necessary only when every operand has one (their union).
void disjoin(CompiledRule::Necessary& acc, CompiledRule::Necessary&& kid, bool first) {
  if (first) {
    acc = std::move(kid);
    return;
  }
  if (acc.literals && kid.literals) {
    acc.literals->insert(acc.literals->end(), std::make_move_iterator(kid.literals->begin()),
                         std::make_move_iterator(kid.literals->end()));
  } else {
    acc.literals.reset();
  }
  if (acc.eventIds && kid.eventIds) {
    for (double v : *kid.eventIds)
      if (std::find(acc.eventIds->begin(), acc.eventIds->end(), v) == acc.eventIds->end()) acc.eventIds->push_back(v);
  } else {
    acc.eventIds.reset();
  }
}

}  // namespace

CompiledRule::Necessary CompiledRule::needsOfSearch(const Search& s, const FieldCandidates& eventIdField) const {
  // A search holds when one of its maps holds (OR); a map when all its items hold (AND).
  Necessary out;
  if (s.maps.empty()) return out;  // never holds; claim nothing rather than reason about it
  bool first = true;
  for (const auto& map : s.maps) {
    Necessary m;
    for (const Item& item : map) {
      // An item holds when one of its values holds (OR), or all of them with `all` (AND). A value
      // test of an absent field is false except null and `exists: false`, which have no literals
      // and no numbers, so a proved set also covers the absent field.
      Necessary it;
      if (item.tests.empty()) {
        // evalItem: any_of over nothing is false, all_of true; prove nothing either way.
      } else if (item.all) {
        for (const ValueTest& t : item.tests) {
          Necessary one;
          const std::vector<std::string> lits = t.literals();
          if (!lits.empty()) {
            one.literals.emplace();
            for (const std::string& l : lits) one.literals->push_back({item.field, l});
          }
          if (!item.field.empty() && item.field == eventIdField) one.eventIds = t.equalNumbers();
          conjoin(it, std::move(one));
        }
      } else {
        bool firstTest = true;
        for (const ValueTest& t : item.tests) {
          Necessary one;
          const std::vector<std::string> lits = t.literals();
          if (!lits.empty()) {
            one.literals.emplace();
            for (const std::string& l : lits) one.literals->push_back({item.field, l});
          }
          if (!item.field.empty() && item.field == eventIdField) one.eventIds = t.equalNumbers();
          disjoin(it, std::move(one), firstTest);
          firstTest = false;
        }
      }
      conjoin(m, std::move(it));
    }
    disjoin(out, std::move(m), first);
    first = false;
  }
  return out;
}

CompiledRule::Necessary CompiledRule::needsOfNode(const Node& n, const FieldCandidates& eventIdField) const {
  Necessary out;
  switch (n.op) {
    case CondNode::Op::kRef: return needsOfSearch(searches_[static_cast<size_t>(n.search)], eventIdField);
    case CondNode::Op::kNot: return out;  // `not X` holds on events that carry nothing of X's
    case CondNode::Op::kAnd:
    case CondNode::Op::kAllOf:
      for (const Node& k : n.kids) conjoin(out, needsOfNode(k, eventIdField));
      return out;
    case CondNode::Op::kOr:
    case CondNode::Op::kOneOf: {
      bool first = true;
      for (const Node& k : n.kids) {
        disjoin(out, needsOfNode(k, eventIdField), first);
        first = false;
      }
      return out;
    }
  }
  return out;
}

CompiledRule::Necessary CompiledRule::necessary(const FieldCandidates& eventIdField) const {
  // The conditions of a list are ORed.
  Necessary out;
  bool first = true;
  for (const Node& n : conditions_) {
    disjoin(out, needsOfNode(n, eventIdField), first);
    first = false;
  }
  return out;
}

}  // namespace vigil::detect::sigma
