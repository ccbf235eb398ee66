// The rule loader: metadata and detection forms read from YAML, refusals with file:line and
// reason, and a RuleSet that refuses a bad rule alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::makeEvent;
using testing::windowsPipeline;

TEST(SigmaLoader, ReadsMetadataAndDetectionForms) {
  auto r = parseRule(R"(title: Every form
id: 0b7a5e1c-0000-4000-8000-000000000001
status: Test
level: High
description: d
tags:
    - attack.execution
    - attack.t1059.001
logsource:
    product: Windows
    category: process_creation
    service: sysmon
detection:
    selection_map:
        Image|endswith: '\cmd.exe'
        CommandLine|contains|all: ['/c', 'whoami']
    selection_list_of_maps:
        - Image: a
        - Image: b
          User: null
    keywords:
        - 'mimikatz'
        - 42
    condition: 1 of selection_* or keywords
fields:
    - CommandLine
falsepositives:
    - Admins
)",
                     "r.yml");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->title, "Every form");
  EXPECT_EQ(r->id, "0b7a5e1c-0000-4000-8000-000000000001");
  EXPECT_EQ(r->status, "test");
  EXPECT_EQ(r->level, "high");
  EXPECT_EQ(r->tags, (std::vector<std::string>{"attack.execution", "attack.t1059.001"}));
  EXPECT_EQ(r->logsource.product, "windows");
  EXPECT_EQ(r->logsource.category, "process_creation");
  EXPECT_EQ(r->logsource.service, "sysmon");
  EXPECT_EQ(r->fields, std::vector<std::string>{"CommandLine"});
  EXPECT_EQ(r->falsepositives, std::vector<std::string>{"Admins"});
  ASSERT_EQ(r->searches.size(), 3u);
  EXPECT_EQ(r->searches[0].name, "selection_map");
  ASSERT_EQ(r->searches[0].maps.size(), 1u);
  ASSERT_EQ(r->searches[0].maps[0].size(), 2u);
  EXPECT_EQ(r->searches[0].maps[0][1].field, "CommandLine");
  EXPECT_EQ(r->searches[0].maps[0][1].modifiers, (std::vector<std::string>{"contains", "all"}));
  EXPECT_EQ(r->searches[0].maps[0][1].values.size(), 2u);
  EXPECT_EQ(r->searches[0].maps[0][1].line, 16);
  EXPECT_EQ(r->searches[1].maps.size(), 2u);
  EXPECT_EQ(r->searches[1].maps[1][1].values[0].kind, Scalar::Kind::kNull);
  ASSERT_EQ(r->searches[2].keywords.size(), 2u);
  EXPECT_EQ(r->searches[2].keywords[1].kind, Scalar::Kind::kNumber);
  EXPECT_EQ(r->conditions, std::vector<std::string>{"1 of selection_* or keywords"});
}

TEST(SigmaLoader, KeywordsMatchAnyFieldValue) {
  auto r = parseRule(
      "title: k\nlogsource: {product: windows}\ndetection:\n  keywords: ['mimikatz', 'sekurlsa::*']\n"
      "  condition: keywords\n",
      "k.yml");
  ASSERT_TRUE(r);
  auto c = CompiledRule::compile(*r, windowsPipeline(), {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->matches(makeEvent({{"A", "x"}, {"B", "run MiMiKaTz.exe"}})));
  EXPECT_TRUE(c->matches(makeEvent({{"B", "sekurlsa::logonpasswords"}})));
  EXPECT_FALSE(c->matches(makeEvent({{"A", "x"}, {"B", "notepad"}})));
  normalize::Event raw;
  raw.reset("a line mentioning mimikatz without fields");
  EXPECT_TRUE(c->matches(raw));
}

TEST(SigmaLoader, RefusesWithFileLineAndReason) {
  const struct {
    const char* yaml;
    const char* where;
    const char* reason;
  } cases[] = {
      {"title: [unclosed\n", "b.yml:2", "YAML:"},
      {"- a\n- b\n", "b.yml:1", "must be a YAML map"},
      {"logsource: {product: x}\ndetection: {s: {A: 1}, condition: s}\n", "b.yml:1", "missing 'title'"},
      {"title: t\ndetection: {s: {A: 1}, condition: s}\n", "b.yml:1", "missing 'logsource'"},
      {"title: t\nlogsource: {product: x}\n", "b.yml:1", "missing 'detection'"},
      {"title: t\nlogsource: {product: x}\ndetection:\n  s: {A: 1}\n", "b.yml:4", "missing 'condition'"},
      {"title: t\nlogsource: {product: x}\ndetection:\n  condition: s\n", "b.yml:4", "no search identifier"},
      {"title: t\nlogsource: {product: x}\ndetection:\n  s:\n    A: {x: 1}\n  condition: s\n", "b.yml:5", "is a map"},
      {"title: t\nlogsource: {product: x}\ndetection:\n  s:\n    A: []\n  condition: s\n", "b.yml:5",
       "empty list of values"},
      {"title: t\nlogsource: {product: x}\ndetection:\n  s:\n    - A: 1\n    - plain\n  condition: s\n", "b.yml:6",
       "mixes maps and keywords"},
      {"title: t\nlogsource: {product: x}\ndetection:\n  s:\n    A||contains: 1\n  condition: s\n", "b.yml:5",
       "empty modifier"},
      {"title: t\nlogsource: x\ndetection: {s: {A: 1}, condition: s}\n", "b.yml:2", "'logsource' must be a map"},
      {"title: t\ncorrelation: {type: event_count}\n", "b.yml:2", "a correlation rule"},
      {"title: t\nfilter: {rules: [x]}\n", "b.yml:2", "a meta filter rule"},
      {"title: a\n---\ntitle: b\n", "b.yml:2", "several YAML documents"},
      {"---\ntitle: a\n--- # c\n\n# only comments\n...\n", "b.yml:2", "missing 'logsource'"},  // one document
      {", t", "b.yml:1", "empty file"},  // yaml-cpp's LoadAll looped allocating on this (fuzzer)
      {"- a\n,", "b.yml:1", "must be a YAML map"},
      {"", "b.yml:1", "empty file"},
  };
  for (const auto& c : cases) {
    auto r = parseRule(c.yaml, "b.yml");
    ASSERT_FALSE(r) << c.yaml;
    EXPECT_EQ(r.error().field, c.where) << c.yaml << " -> " << r.error().message;
    EXPECT_NE(r.error().message.find(c.reason), std::string::npos) << c.yaml << " -> " << r.error().message;
  }
}

TEST(SigmaLoader, HostileInputIsRefusedCheaply) {
  std::string deep = "title: t\nlogsource: {product: x}\ndetection:\n  s: " + std::string(5000, '[') + "\n";
  EXPECT_FALSE(parseRule(deep, "d.yml"));
  EXPECT_FALSE(parseRule(std::string(kMaxRuleBytes + 1, ' '), "big.yml"));
  // Aliases repeating a long list: small text, many values.
  std::string laughs = "title: t\nlogsource: {product: x}\ndetection:\n  a: {A: &v [";
  for (int i = 0; i < 1000; ++i) laughs += std::string(i ? "," : "") + "'" + std::string(100, 'x') + "'";
  laughs += "]}\n  s:\n";
  for (int i = 0; i < 200; ++i) laughs += "    - A" + std::to_string(i) + ": *v\n";
  laughs += "  condition: s\n";
  auto r = parseRule(laughs, "l.yml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("too many values"), std::string::npos) << r.error().message;
}

TEST(SigmaLoader, RuleSetRefusesABadRuleAlone) {
  const auto dir = std::filesystem::temp_directory_path() / ("vigil_sigma_set_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "good.yml")
      << "title: good\nlogsource: {product: windows}\ndetection:\n  s: {A: x}\n  condition: s\n";
  std::ofstream(dir / "sub" / "bad.yml") << "title: bad\nlogsource: {product: windows}\ndetection:\n  s: {A|re: '('}\n"
                                            "  condition: s\n";
  std::ofstream(dir / "notes.md") << "not a rule";
  const RuleSet set = RuleSet::load({dir}, windowsPipeline());
  EXPECT_EQ(set.size(), 1u);
  ASSERT_EQ(set.refusals().size(), 1u);
  const std::string name = dir.filename().string();
  EXPECT_EQ(set.refusals()[0].path, name + "/sub/bad.yml");
  EXPECT_EQ(set.refusals()[0].where, name + "/sub/bad.yml:4");
  EXPECT_NE(set.refusals()[0].reason.find("invalid regular expression"), std::string::npos);
  size_t seen = 0;
  EXPECT_EQ(set.match(makeEvent({{"A", "X"}}),
                      [&](const CompiledRule& r) {
                        EXPECT_EQ(r.rule().title, "good");
                        ++seen;
                      }),
            1u);
  EXPECT_EQ(seen, 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::detect::sigma
