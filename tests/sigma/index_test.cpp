// The rule index (src/detect/sigma/rule_index.h): the necessary-literal and EventID proofs
// (CompiledRule::necessary) case by case, then the differential check: over the whole SigmaHQ
// corpus, RuleSet::match() (indexed) and RuleSet::matchNaive() give exactly the same (event, rule)
// pairs, in the same order, on the regression .evtx events, the EVTX attack samples, variants of
// them (values upper-cased, no logsource, EventData removed) and crafted events (keywords in raw
// text, each proved literal alone in its field). A rule the index wrongly skips fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "detect/sigma/rule_index.h"
#include "evtx/evtx_reader.h"
#include "evtx/windows_mapping.h"
#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::corpusDir;
using testing::makeEvent;
using testing::windowsPipeline;

CompiledRule compile(const std::string& detection) {
  auto r = parseRule("title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n" + detection,
                     "t.yml");
  EXPECT_TRUE(r) << r.error().message;
  auto c = CompiledRule::compile(*r, windowsPipeline(), {});
  EXPECT_TRUE(c) << c.error().message;
  return std::move(*c);
}

CompiledRule::Necessary needs(const std::string& detection) {
  return compile(detection).necessary(windowsPipeline().resolve("windows", "EventID"));
}

// The proved literals as "field:text" (the field's first candidate; "*" for keywords), sorted.
std::set<std::string> literals(const CompiledRule::Necessary& n) {
  std::set<std::string> out;
  if (!n.literals) return out;
  for (const auto& l : *n.literals) out.insert((l.field.empty() ? std::string("*") : l.field.front()) + ":" + l.text);
  return out;
}

std::set<double> ids(const CompiledRule::Necessary& n) {
  return n.eventIds ? std::set<double>(n.eventIds->begin(), n.eventIds->end()) : std::set<double>{};
}

const std::string kCmd = "winlog.event_data.CommandLine";

TEST(SigmaIndexProof, ASelectionProvesItsLiterals) {
  const auto n = needs("  sel:\n    CommandLine|contains: ['Mimikatz', 'sekurlsa::']\n  condition: sel\n");
  EXPECT_EQ(literals(n), (std::set<std::string>{kCmd + ":mimikatz", kCmd + ":sekurlsa::"}));
  EXPECT_FALSE(n.eventIds);
}

TEST(SigmaIndexProof, NotProvesNothing) {
  EXPECT_FALSE(needs("  sel:\n    CommandLine|contains: 'x64'\n  condition: not sel\n").literals);
  // `selection and not filter`: the selection's literals, never the filter's.
  const auto n = needs(
      "  sel:\n    CommandLine|contains: 'vssadmin'\n  filter:\n    CommandLine|contains: 'list shadows'\n"
      "  condition: sel and not filter\n");
  EXPECT_EQ(literals(n), std::set<std::string>{kCmd + ":vssadmin"});
  // `not not` and `not (a or b)` prove nothing either.
  EXPECT_FALSE(needs("  sel:\n    CommandLine|contains: 'a'\n  condition: not (not sel)\n").literals);
}

TEST(SigmaIndexProof, OrNeedsAProofFromEveryOperand) {
  const std::string two = "  sel1:\n    CommandLine|contains: 'alpha'\n  sel2:\n    Image|endswith: '\\beta.exe'\n";
  EXPECT_EQ(literals(needs(two + "  condition: 1 of sel*\n")),
            (std::set<std::string>{kCmd + ":alpha", "winlog.event_data.Image:\\beta.exe"}));
  EXPECT_EQ(literals(needs(two + "  condition: sel1 or sel2\n")).size(), 2u);
  // One operand without literals (a regex): nothing is proved for the whole.
  const std::string re = "  sel1:\n    CommandLine|contains: 'alpha'\n  sel2:\n    CommandLine|re: '^[a-z]+\\d$'\n";
  EXPECT_FALSE(needs(re + "  condition: 1 of sel*\n").literals);
  EXPECT_FALSE(needs(re + "  condition: 1 of them\n").literals);
  // `all of`: the most selective operand's literals suffice.
  EXPECT_EQ(literals(needs(re + "  condition: all of sel*\n")), std::set<std::string>{kCmd + ":alpha"});
  // A list of maps ORs them: a map without literals spoils the search.
  EXPECT_FALSE(needs("  sel:\n    - CommandLine|contains: 'a1'\n    - CommandLine: null\n  condition: sel\n").literals);
  // Two conditions (a YAML list) are ORed.
  EXPECT_EQ(literals(needs(two + "  condition: [sel1, sel2]\n")).size(), 2u);
  EXPECT_FALSE(needs(re + "  condition: [sel1, sel2]\n").literals);
}

TEST(SigmaIndexProof, TestsWithoutLiteralsProveNothing) {
  for (const char* item :
       {"CommandLine: null", "CommandLine|exists: true", "CommandLine|exists: false", "ProcessId|gt: 4",
        "DestinationIp|cidr: '10.0.0.0/8'", "CommandLine|fieldref: ParentCommandLine", "CommandLine|re: 'mi|ka'",
        "CommandLine|re: 'mimikatz|.*'", "CommandLine|re: '(?i)caf\u00e9'", "CommandLine: ''", "CommandLine: '*'",
        "CommandLine|contains: ['abc', '*']", "ProcessId: 4"}) {
    SCOPED_TRACE(item);
    EXPECT_FALSE(needs(std::string("  sel:\n    ") + item + "\n  condition: sel\n").literals);
  }
  // ...but a map keeps the literals of its other items.
  EXPECT_EQ(literals(needs("  sel:\n    CommandLine: null\n    Image|endswith: '\\x.exe'\n  condition: sel\n")),
            std::set<std::string>{"winlog.event_data.Image:\\x.exe"});
}

TEST(SigmaIndexProof, LiteralShapes) {
  // Wildcards inside: the longest literal run; `all`: one value's literals; cased keeps its case.
  EXPECT_EQ(literals(needs("  sel:\n    CommandLine: 'ab*powershell?x'\n  condition: sel\n")),
            std::set<std::string>{kCmd + ":powershell"});
  const auto all = literals(needs("  sel:\n    CommandLine|contains|all: ['-enc', 'hidden']\n  condition: sel\n"));
  EXPECT_EQ(all.size(), 1u);
  EXPECT_EQ(literals(needs("  sel:\n    CommandLine|cased: 'MiMi'\n  condition: sel\n")),
            std::set<std::string>{kCmd + ":MiMi"});
  // Keywords: any field (shown as *).
  EXPECT_EQ(literals(needs("  keywords:\n    - 'Invoke-Mimikatz'\n  condition: keywords\n")),
            std::set<std::string>{"*:invoke-mimikatz"});
  // windash: every dash variant is a literal.
  EXPECT_EQ(literals(needs("  sel:\n    CommandLine|windash|contains: ' -enc'\n  condition: sel\n")).size(), 5u);
}

TEST(SigmaIndexProof, RegexLiteralsFromTheRe2Prefilter) {
  // RE2's prefilter atoms (lower-cased): one of them must occur for the regex to match.
  EXPECT_EQ(literals(needs("  sel:\n    CommandLine|re: 'Invoke-(Mimikatz|Kerberoast)'\n  condition: sel\n")),
            (std::set<std::string>{kCmd + ":invoke-mimikatz", kCmd + ":invoke-kerberoast"}));
  EXPECT_EQ(literals(needs("  sel:\n    CommandLine|re|i: '\\\\temp\\\\[a-z]+\\.ps1'\n  condition: sel\n")).size(),
            2u);  // "\\temp\\" and ".ps1"
}

TEST(SigmaIndexProof, EventIds) {
  EXPECT_EQ(ids(needs("  sel:\n    EventID: 4688\n  condition: sel\n")), std::set<double>{4688});
  EXPECT_EQ(ids(needs("  sel:\n    EventID: [1, '13']\n  condition: sel\n")), (std::set<double>{1, 13}));
  // AND intersects; OR unites; a branch without EventID spoils an OR.
  EXPECT_EQ(ids(needs("  a:\n    EventID: [1, 2]\n  b:\n    EventID: [2, 3]\n  condition: a and b\n")),
            std::set<double>{2});
  EXPECT_EQ(ids(needs("  a:\n    EventID: 1\n  b:\n    EventID: 3\n  condition: a or b\n")), (std::set<double>{1, 3}));
  EXPECT_FALSE(needs("  a:\n    EventID: 1\n  b:\n    Image: x\n  condition: a or b\n").eventIds);
  EXPECT_FALSE(needs("  a:\n    EventID: 1\n  condition: not a\n").eventIds);
  EXPECT_FALSE(needs("  a:\n    EventID|gt: 1\n  condition: a\n").eventIds);
  EXPECT_FALSE(needs("  a:\n    EventID|startswith: '46'\n  condition: a\n").eventIds);
  // EventID and literals together.
  const auto n = needs("  a:\n    EventID: 4688\n    CommandLine|contains: whoami\n  condition: a\n");
  EXPECT_EQ(ids(n), std::set<double>{4688});
  EXPECT_EQ(literals(n), std::set<std::string>{kCmd + ":whoami"});
}

// A small rule set through match() and matchNaive(), on events made to probe each proof.
TEST(SigmaIndex, CraftedEventsGiveTheNaiveResult) {
  RuleSet set;
  const char* rules[] = {
      "title: keywords\nlogsource: {product: windows}\ndetection:\n  k: ['MimiKatz']\n  condition: k\n",
      "title: not only\nlogsource: {product: windows}\ndetection:\n  s:\n    Image|endswith: '\\x.exe'\n"
      "  condition: not s\n",
      "title: null field\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s:\n"
      "    CommandLine: null\n  condition: s\n",
      "title: filter\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s:\n"
      "    Image|endswith: '\\cmd.exe'\n  f:\n    CommandLine|contains: '/c echo'\n  condition: s and not f\n",
      "title: eventid\nlogsource: {product: windows, service: security}\ndetection:\n  s:\n    EventID: 4625\n"
      "  condition: s\n",
      "title: no product\nlogsource: {category: process_creation}\ndetection:\n  s:\n"
      "    CommandLine|contains: 'rundll32'\n  condition: s\n",
      "title: linux\nlogsource: {product: linux}\ndetection:\n  k: ['rundll32']\n  condition: k\n",
  };
  for (const char* r : rules)
    ASSERT_TRUE(set.add(r, "r.yml", windowsPipeline())) << r << ": " << set.refusals().back().reason;
  ASSERT_EQ(set.size(), 7u);
  const auto sysmon1 = [](std::vector<std::pair<std::string, std::string>> more) {
    std::vector<std::pair<std::string, std::string>> f = {{"winlog.channel", "Microsoft-Windows-Sysmon/Operational"},
                                                          {"winlog.provider_name", "Microsoft-Windows-Sysmon"},
                                                          {"winlog.event_id", "1"}};
    f.insert(f.end(), more.begin(), more.end());
    return makeEvent(f);
  };
  std::vector<normalize::Event> events = {
      sysmon1({{"winlog.event_data.Image", "C:\\WINDOWS\\CMD.EXE"}, {"winlog.event_data.CommandLine", "cmd"}}),
      sysmon1({{"winlog.event_data.Image", "C:\\Windows\\cmd.exe"}, {"winlog.event_data.CommandLine", "/C ECHO hi"}}),
      sysmon1({{"winlog.event_data.Image", "C:\\x.exe"}}),
      sysmon1({{"winlog.event_data.Comment", "mimikatz was here"}}),
      sysmon1({{"process.command_line", "RUNDLL32 x.dll"}}),
      makeEvent({{"winlog.channel", "Security"}, {"winlog.event_id", "4625"}}),
      makeEvent({{"winlog.channel", "Security"}, {"winlog.event_id", "0x1211"}}),  // 4625 in hex
      makeEvent({{"winlog.channel", "Security"}, {"winlog.event_id", "four"}}),
      makeEvent({{"CommandLine", "rundll32 shell32.dll"}}),  // no logsource: every rule
      makeEvent({{"message", "MIMIKATZ"}}),
  };
  normalize::Event raw;
  raw.reset("no fields at all, only mimikatz in the raw text");
  events.push_back(raw);

  std::vector<std::string> byIndex, byNaive;
  for (size_t e = 0; e < events.size(); ++e) {
    set.match(events[e], [&](const CompiledRule& r) { byIndex.push_back(std::to_string(e) + " " + r.rule().title); });
    set.matchNaive(events[e],
                   [&](const CompiledRule& r) { byNaive.push_back(std::to_string(e) + " " + r.rule().title); });
  }
  EXPECT_EQ(byIndex, byNaive);
  // The cases above must really match (else the comparison proves little).
  for (const char* want : {"0 filter", "2 null field", "3 keywords", "4 no product", "5 eventid", "6 eventid",
                           "8 no product", "8 linux", "9 keywords", "10 keywords", "3 null field"}) {
    EXPECT_NE(std::find(byNaive.begin(), byNaive.end(), want), byNaive.end()) << want;
  }
  EXPECT_EQ(std::find(byNaive.begin(), byNaive.end(), "1 filter"), byNaive.end());
  const RuleIndexStats st = set.indexStats();
  EXPECT_EQ(st.rules, 7u);
  EXPECT_EQ(st.withLiterals, 4u);  // keywords, filter, no product, linux
  EXPECT_EQ(st.withEventIds, 1u);
  EXPECT_EQ(st.alwaysChecked, 2u);  // not only, null field
  EXPECT_TRUE(st.compileError.empty()) << st.compileError;
}

// Windows events of the corpora, read the real way, and variants of them.
// The mapping names the fields it sets with its own strings (normalize::Event's static names), so
// it must outlive the events: loaded once, never freed.
const evtx::WindowsMapping& windowsMapping() {
  static const evtx::WindowsMapping* m = [] {
    auto r = evtx::WindowsMapping::load(VIGIL_WINDOWS_MAPPING_DIR);
    if (!r) {
      ADD_FAILURE() << "mapping: " << r.error().message;
      std::abort();
    }
    return new evtx::WindowsMapping(std::move(*r));
  }();
  return *m;
}

std::vector<normalize::Event> corpusEvents() {
  const evtx::WindowsMapping& mapping = windowsMapping();
  std::vector<std::filesystem::path> files;
  const std::string shared = std::string(VIGIL_TEST_SOURCE_DIR) + "/../shared/corpora";
  for (const char* dir : {"/sigma/regression_data", "/evtx-attack-samples"})
    for (const auto& e : std::filesystem::recursive_directory_iterator(shared + dir))
      if (e.is_regular_file() && e.path().extension() == ".evtx") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  EXPECT_GT(files.size(), 400u);
  std::vector<normalize::Event> events;
  for (const auto& f : files)
    (void)evtx::readEvtxFile(f.string(), [&](normalize::Event& e) {
      mapping.apply(e);
      events.push_back(e);
      return true;
    });
  return events;
}

// The same fields with every value's letters upper- or lower-cased.
normalize::Event recased(const normalize::Event& in, bool upper) {
  normalize::Event out;
  out.reset(in.raw());
  for (size_t i = 0; i < in.size(); ++i) {
    const normalize::Value v = in.valueAt(i);
    std::string text(v.text);
    for (char& c : text)
      c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                  : std::tolower(static_cast<unsigned char>(c)));
    out.setOwnedName("", in.nameAt(i), v.type == normalize::ValueType::kTime ? normalize::ValueType::kString : v.type,
                     text, v.number);
  }
  return out;
}

normalize::Event without(const normalize::Event& in, bool (*drop)(std::string_view name)) {
  normalize::Event out;
  out.reset(in.raw());
  for (size_t i = 0; i < in.size(); ++i) {
    if (drop(in.nameAt(i))) continue;
    const normalize::Value v = in.valueAt(i);
    out.setOwnedName("", in.nameAt(i), v.type == normalize::ValueType::kTime ? normalize::ValueType::kString : v.type,
                     v.text, v.number);
  }
  return out;
}

TEST(SigmaIndex, CorpusMatchesEqualTheNaiveLoop) {
  const std::string dir = corpusDir();
  const RuleSet set = RuleSet::load({dir + "/rules", dir + "/rules-emerging-threats", dir + "/rules-threat-hunting"},
                                    windowsPipeline());
  ASSERT_GT(set.size(), 3700u);
  const RuleIndexStats st = set.indexStats();
  EXPECT_TRUE(st.compileError.empty()) << st.compileError;
  std::printf(
      "index: %zu rules, %zu with literals, %zu with EventIDs, %zu always checked; %zu patterns in %zu "
      "databases, %zu partitions\n",
      st.rules, st.withLiterals, st.withEventIds, st.alwaysChecked, st.patterns, st.databases, st.partitions);
  // Most rules must be behind a proof, or the index does not do its job.
  EXPECT_GT(st.withLiterals, st.rules * 3 / 4);

  std::vector<normalize::Event> events = corpusEvents();
  const size_t read = events.size();
  ASSERT_GT(read, 9000u);
  for (size_t i = 0; i < read; ++i) {
    events.push_back(recased(events[i], i % 2 == 0));
    if (i % 7 == 0) {
      // No logsource information: every rule applies.
      events.push_back(
          without(events[i], [](std::string_view n) { return n == "winlog.channel" || n == "winlog.provider_name"; }));
    }
    if (i % 5 == 0) {
      // The EventData gone: absent fields, null tests, `not` conditions.
      events.push_back(without(events[i], [](std::string_view n) {
        return n.rfind("winlog.event_data.", 0) == 0 || n.rfind("process.", 0) == 0;
      }));
    }
  }
  // Each proved literal of each rule, alone (upper-cased) in its first field, on an event of no
  // product: the prefilter must let the rule through to its evaluation.
  const FieldCandidates idField = windowsPipeline().resolve("windows", "EventID");
  for (size_t r = 0; r < set.size(); ++r) {
    const auto n = set.at(r).necessary(idField);
    if (!n.literals) continue;
    const auto& lit = n.literals->front();
    std::string up = lit.text;
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    events.push_back(makeEvent({{lit.field.empty() ? "message" : lit.field.front(), "<" + up + ">"}}));
  }

  size_t matches = 0, diffs = 0;
  std::set<size_t> rulesMatched;
  for (size_t e = 0; e < events.size(); ++e) {
    std::vector<size_t> a, b;
    set.match(events[e], [&](const CompiledRule& r) { a.push_back(static_cast<size_t>(&r - &set.at(0))); });
    set.matchNaive(events[e], [&](const CompiledRule& r) { b.push_back(static_cast<size_t>(&r - &set.at(0))); });
    matches += b.size();
    rulesMatched.insert(b.begin(), b.end());
    if (a == b) continue;
    if (++diffs <= 10) {
      std::string why;
      for (size_t r : b)
        if (std::find(a.begin(), a.end(), r) == a.end()) why += " missed: " + set.at(r).rule().origin;
      for (size_t r : a)
        if (std::find(b.begin(), b.end(), r) == b.end()) why += " extra: " + set.at(r).rule().origin;
      ADD_FAILURE() << "event " << e << " (" << events[e].getText("winlog.channel") << " "
                    << events[e].getText("winlog.event_id") << "):" << why;
    }
  }
  std::printf("differential: %zu events (%zu read from .evtx), %zu matches by %zu rules, %zu differ\n", events.size(),
              read, matches, rulesMatched.size(), diffs);
  EXPECT_EQ(diffs, 0u);
  // The corpus must exercise the index: hundreds of rules match (1,910 matches by 546 rules on the
  // events as read).
  EXPECT_GT(rulesMatched.size(), 500u);
}

}  // namespace
}  // namespace vigil::detect::sigma
