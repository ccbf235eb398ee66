// Sigma values and modifiers, one table row per case: a one-item rule over an event without
// logsource information (so every rule applies and fields are read by their Sigma names). Rows
// that must NOT match are as important as those that must.
#include <gtest/gtest.h>

#include <optional>

#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::makeEvent;
using testing::windowsPipeline;

std::string oneItemRule(const std::string& key, const std::string& value) {
  return "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    " + key + ": " + value +
         "\n  condition: sel\n";
}

struct Case {
  const char* key;                   // `Field|modifiers`
  const char* value;                 // YAML
  std::optional<std::string> field;  // the event's value of Field; nullopt: absent
  bool match;
};

const Case kCases[] = {
    // Plain values: case-insensitive equality, wildcards, escapes.
    {"F", "'cmd.exe'", "CMD.EXE", true},
    {"F", "'cmd.exe'", "xcmd.exe", false},
    {"F", "'C:*\\cmd.exe'", "c:\\windows\\system32\\cmd.exe", true},
    {"F", "'C:*\\cmd.exe'", "c:\\windows\\cmd.exe.txt", false},
    {"F", "'C:\\Windows\\*\\cmd.exe'", "c:\\windows*\\cmd.exe",
     true},  // `\*` is a literal star (the backslash escapes it)
    {"F", "'C:\\Windows\\*\\cmd.exe'", "c:\\windows\\system32\\cmd.exe", false},
    {"F", "'C:\\Windows\\\\*\\cmd.exe'", "c:\\windows\\system32\\cmd.exe", true},  // `\\*`: backslash, wildcard
    {"F", "'c?d'", "cmd", true},
    {"F", "'c?d'",
     "c\xC3\xA9"
     "d",
     true},  // '?' is one character, even a two-byte one
    {"F", "'c?d'", "cd", false},
    {"F", "'a\\*b'", "a*b", true},  // escaped wildcard
    {"F", "'a\\*b'", "axb", false},
    {"F", "'a\\?b'", "a?b", true},
    {"F", "'a\\?b'", "axb", false},
    {"F", "'a\\\\*'", "a\\anything", true},       // escaped backslash, then a wildcard
    {"F", "'\\Windows\\'", "\\windows\\", true},  // a lone backslash is itself
    {"F", "'*'", "", true},
    {"F", "'*'", std::nullopt, false},
    {"F", "''", "", true},
    {"F", "''", "x", false},
    {"F", "''", std::nullopt, false},
    {"F", "null", std::nullopt, true},
    {"F", "null", "", true},
    {"F", "null", "x", false},
    {"F", "", std::nullopt, true},  // nothing after the colon is null too
    {"F", "[a, b]", "B", true},     // a list is ORed
    {"F", "[a, b]", "c", false},
    // Numbers compare as numbers where the event value parses.
    {"F", "4688", "4688", true},
    {"F", "4688", "04688", true},
    {"F", "4688", "0x1250", true},
    {"F", "4688", "4689", false},
    {"F", "4688", "abc", false},
    {"F", "'4688'", "04688", false},  // quoted: a string
    {"F", "true", "TRUE", true},
    // contains / startswith / endswith / all / cased.
    {"F|contains", "'whoami'", "cmd /c WhoAmI /all", true},
    {"F|contains", "'whoami'", "cmd /c who", false},
    {"F|startswith", "'C:\\Users\\'", "c:\\users\\x\\a.exe", true},
    {"F|startswith", "'C:\\Users\\'", "d:\\c:\\users\\", false},
    {"F|endswith", "'\\cmd.exe'", "C:\\Windows\\System32\\cmd.exe", true},
    {"F|endswith", "'\\cmd.exe'", "C:\\cmd.exe.bak", false},
    {"F|contains|all", "['/c', 'whoami']", "cmd /c whoami", true},
    {"F|contains|all", "['/c', 'whoami']", "cmd /c dir", false},
    {"F|contains", "['/c', 'whoami']", "cmd /c dir", true},
    {"F|cased", "'CMD.exe'", "CMD.exe", true},
    {"F|cased", "'CMD.exe'", "cmd.exe", false},
    {"F|contains|cased", "'Mimi'", "xMimix", true},
    {"F|contains|cased", "'Mimi'", "xmimix", false},
    {"F|contains", "'a*b'", "xxaZZbxx", true},  // inner wildcard kept
    {"F|contains", "'a*b'", "xxbZZaxx", false},
    // windash: a word-leading '-' or '/' also matches '/', '-', en dash, em dash, horizontal bar.
    {"F|windash|contains", "' -enc '", "powershell /enc AAA", true},
    {"F|windash|contains", "' -enc '", "powershell -enc AAA", true},
    {"F|windash|contains", "' -enc '",
     "powershell \xE2\x80\x93"
     "enc AAA",
     true},
    {"F|windash|contains", "' -enc '",
     "powershell \xE2\x80\x94"
     "enc AAA",
     true},
    {"F|windash|contains", "' -enc '",
     "powershell \xE2\x80\x95"
     "enc AAA",
     true},
    {"F|windash|contains", "' -enc '", "powershell enc AAA", false},
    {"F|windash|contains", "' -enc '", "powershell +enc AAA", false},
    {"F|windash|contains", "'a-b'", "a/b", false},  // not at a word start: only '-'
    {"F|windash|contains", "'a-b'", "a-b", true},
    // base64, base64offset, wide/utf16.
    {"F|base64", "'whoami'", "d2hvYW1p", true},
    {"F|base64", "'whoami'", "d2hvYW1", false},
    {"F|base64|contains", "'whoami'", "xx d2hvYW1p yy", true},
    {"F|base64offset|contains", "'IEX'", "aGVsbG8gSUVYKE5ldy1PYmplY3Qp", true},  // "hello IEX(New-Object)"
    {"F|base64offset|contains", "'IEX'", "YSBJRVgoeCk=", true},                  // "a IEX(x)"
    {"F|base64offset|contains", "'IEX'", "eElFWA==", true},                      // "xIEX"
    {"F|base64offset|contains", "'IEX'", "aGVsbG8gd29ybGQ=", false},             // "hello world"
    {"F|wide|base64offset|contains", "'IEX'", "eAB4ACAASQBFAFgA", true},         // UTF-16LE "xx IEX"
    {"F|wide|base64offset|contains", "'IEX'", "SUVY", false},                    // the 8-bit form
    {"F|utf16le|base64", "'ab'", "YQBiAA==", true},
    {"F|utf16be|base64", "'ab'", "AGEAYg==", true},
    {"F|utf16|base64", "'ab'", "//5hAGIA", true},
    {"F|utf16|base64", "'ab'", "YQBiAA==", false},
    // re with i, m, s (RE2).
    {"F|re", "'who(am)?i'", "cmd whoami", true},
    {"F|re", "'who(am)?i'", "cmd WHOAMI", false},  // regexes are case-sensitive
    {"F|re|i", "'who(am)?i'", "cmd WHOAMI", true},
    {"F|re", "'^abc$'", "x\nabc\ny", false},
    {"F|re|m", "'^abc$'", "x\nabc\ny", true},
    {"F|re", "'a.b'", "a\nb", false},
    {"F|re|s", "'a.b'", "a\nb", true},
    {"F|re", "'\\\\cmd\\.exe$'", "C:\\x\\cmd.exe", true},
    {"F|re", "'\\\\cmd\\.exe$'", "C:\\x\\cmdxexe", false},
    // cidr.
    {"F|cidr", "'10.0.0.0/8'", "10.200.3.4", true},
    {"F|cidr", "'10.0.0.0/8'", "11.0.0.1", false},
    {"F|cidr", "'10.0.0.0/8'", "not an address", false},
    {"F|cidr", "'192.168.1.0/25'", "192.168.1.127", true},
    {"F|cidr", "'192.168.1.0/25'", "192.168.1.128", false},
    {"F|cidr", "'fe80::/10'", "fe80::1", true},
    {"F|cidr", "'fe80::/10'", "10.0.0.1", false},
    {"F|cidr", "['127.0.0.0/8', '::1/128']", "::1", true},
    // gt, gte, lt, lte.
    {"F|gt", "5", "6", true},
    {"F|gt", "5", "5", false},
    {"F|gt", "5", "abc", false},
    {"F|gte", "5", "5", true},
    {"F|lt", "5", "4.5", true},
    {"F|lt", "5", "5", false},
    {"F|lte", "5", "5", true},
    {"F|lte", "5", "0x10", false},
    // exists.
    {"F|exists", "true", "", true},
    {"F|exists", "true", std::nullopt, false},
    {"F|exists", "false", std::nullopt, true},
    {"F|exists", "false", "x", false},
    // expand without a configured list: the placeholder is a wildcard.
    {"F|expand", "'%AppData%\\x.exe'", "C:\\Users\\u\\AppData\\Roaming\\x.exe", true},
    {"F|expand", "'%AppData%\\x.exe'", "C:\\Users\\u\\AppData\\Roaming\\y.exe", false},
    // Time parts of a date/time text, as written (no time zone conversion).
    {"F|hour", "3", "2026-11-24T03:05:00Z", true},
    {"F|hour", "4", "2026-11-24T03:05:00Z", false},
    {"F|hour", "3", "2026-11-24T03:05:00+07:00", true},  // the written clock, not converted
    {"F|minute", "5", "2026-11-24 03:05", true},
    {"F|minute", "6", "2026-11-24 03:05", false},
    {"F|day", "24", "2026-11-24", true},
    {"F|day", "1", "2026-11-24", false},
    {"F|month", "11", "2026-11-24T03:05:00.123456Z", true},
    {"F|year", "2026", "2026-11-24T03:05:00Z", true},
    {"F|year", "2025", "2026-11-24T03:05:00Z", false},
    {"F|week", "48", "2026-11-24T03:05:00Z", true},  // ISO 8601 week
    {"F|week", "53", "2021-01-03", true},            // a Sunday in the last week of 2020
    {"F|week", "1", "2024-12-30", true},             // a Monday in the first week of 2025
    {"F|week", "52", "2024-12-30", false},
    {"F|hour|gte", "20", "2026-11-24T21:00:00Z", true},
    {"F|hour|gte", "20", "2026-11-24T08:00:00Z", false},
    {"F|hour|lt", "6", "2026-11-24T05:59:00Z", true},
    {"F|hour|lt", "6", "2026-11-24T06:00:00Z", false},
    {"F|hour", "3", "2026-11-24", false},  // no clock
    {"F|hour", "3", "not a date", false},
    {"F|month", "13", "2026-13-24", false},  // not a date
    {"F|hour", "3", std::nullopt, false},
};

TEST(SigmaModifiers, Table) {
  for (const Case& c : kCases) {
    const std::string text = oneItemRule(c.key, c.value);
    SCOPED_TRACE(std::string(c.key) + ": " + c.value + " vs " + (c.field ? "'" + *c.field + "'" : "absent"));
    auto rule = parseRule(text, "t.yml");
    ASSERT_TRUE(rule) << rule.error().message;
    auto compiled = CompiledRule::compile(*rule, windowsPipeline(), {});
    ASSERT_TRUE(compiled) << compiled.error().message;
    std::vector<std::pair<std::string, std::string>> fields{{"Other", "x"}};
    if (c.field) fields.emplace_back("F", *c.field);
    EXPECT_EQ(compiled->matches(makeEvent(fields)), c.match);
  }
}

TEST(SigmaModifiers, TimePartOfATimeField) {
  // A kTime field (a number of microseconds, no text) reads as its ISO 8601 UTC text.
  auto rule = parseRule(oneItemRule("'@timestamp|hour'", "3"), "t.yml");
  ASSERT_TRUE(rule) << rule.error().message;
  auto compiled = CompiledRule::compile(*rule, windowsPipeline(), {});
  ASSERT_TRUE(compiled) << compiled.error().message;
  normalize::Event e;
  e.reset("");
  e.setTime("@timestamp", int64_t{1795921500} * 1000000);  // 2026-11-29T03:05:00Z
  EXPECT_TRUE(compiled->matches(e));
  e.setTime("@timestamp", int64_t{1795921500 + 3600} * 1000000);
  EXPECT_FALSE(compiled->matches(e));
}

TEST(SigmaModifiers, ExpandUsesConfiguredPlaceholders) {
  CompileOptions options;
  options.placeholders["Admins"] = {"admin", "root*"};
  auto rule = parseRule(oneItemRule("User|expand", "'%Admins%'"), "t.yml");
  ASSERT_TRUE(rule);
  auto compiled = CompiledRule::compile(*rule, windowsPipeline(), options);
  ASSERT_TRUE(compiled) << compiled.error().message;
  EXPECT_TRUE(compiled->matches(makeEvent({{"User", "Admin"}})));
  EXPECT_TRUE(compiled->matches(makeEvent({{"User", "root2"}})));
  EXPECT_FALSE(compiled->matches(makeEvent({{"User", "bob"}})));
}

TEST(SigmaModifiers, FieldRef) {
  const struct {
    const char* key;
    const char* image;
    const char* parent;
    bool match;
  } cases[] = {
      {"Image|fieldref", "C:\\A.exe", "c:\\a.exe", true},
      {"Image|fieldref", "C:\\A.exe", "c:\\b.exe", false},
      {"Image|fieldref|endswith", "C:\\dir\\a.exe", "a.exe", true},
      {"Image|fieldref|startswith", "C:\\dir\\a.exe", "a.exe", false},
      {"Image|fieldref|contains", "C:\\dir\\a.exe", "dir", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    auto rule = parseRule(oneItemRule(c.key, "ParentImage"), "t.yml");
    ASSERT_TRUE(rule);
    auto compiled = CompiledRule::compile(*rule, windowsPipeline(), {});
    ASSERT_TRUE(compiled) << compiled.error().message;
    EXPECT_EQ(compiled->matches(makeEvent({{"Image", c.image}, {"ParentImage", c.parent}})), c.match);
    EXPECT_FALSE(compiled->matches(makeEvent({{"Image", c.image}})));  // the other field is absent
  }
}

TEST(SigmaModifiers, BadValuesAreRefusedWithTheLine) {
  const struct {
    const char* key;
    const char* value;
    const char* reason;
  } cases[] = {
      {"F|nosuch", "'x'", "unknown modifier 'nosuch'"},
      {"F|re", "'(unclosed'", "invalid regular expression"},
      {"F|re|contains", "'x'", "cannot be combined"},
      {"F|i", "'x'", "need 're'"},
      {"F|cidr", "'10.0.0.0/33'", "invalid prefix length"},
      {"F|cidr", "'not-a-net/8'", "invalid network"},
      {"F|gt", "'abc'", "not a number"},
      {"F|base64", "'who*'", "cannot encode a value with wildcards"},
      {"F|contains|base64", "'who'", "cannot encode a value with wildcards"},
      {"F|exists", "'maybe'", "'exists' needs true or false"},
      {"F|re|cidr", "'x'", "exclude each other"},
      {"F|contains", "null", "null value cannot take modifiers"},
      {"F|minute", "'x'", "not a whole number"},
      {"F|hour|contains", "3", "takes only gt, gte, lt or lte"},
      {"F|hour|day", "3", "only one time-part modifier"},
      {"F|hour", "null", "needs a number"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    auto rule = parseRule(oneItemRule(c.key, c.value), "t.yml");
    ASSERT_TRUE(rule) << rule.error().message;
    auto compiled = CompiledRule::compile(*rule, windowsPipeline(), {});
    ASSERT_FALSE(compiled);
    EXPECT_EQ(compiled.error().field, "t.yml:5");  // the item's line
    EXPECT_NE(compiled.error().message.find(c.reason), std::string::npos) << compiled.error().message;
  }
}

TEST(SigmaModifiers, CatastrophicRegexIsLinear) {
  // (a+)+$ backtracks exponentially in a backtracking engine; RE2 answers in linear time.
  auto rule = parseRule(oneItemRule("F|re", "'^(a+)+$'"), "t.yml");
  ASSERT_TRUE(rule);
  auto compiled = CompiledRule::compile(*rule, windowsPipeline(), {});
  ASSERT_TRUE(compiled);
  EXPECT_FALSE(compiled->matches(makeEvent({{"F", std::string(100000, 'a') + "!"}})));
}

}  // namespace
}  // namespace vigil::detect::sigma
