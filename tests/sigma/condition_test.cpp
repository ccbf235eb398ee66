// The condition language: parse trees (precedence not > and > or), evaluation of `1 of`/`all of`
// patterns and `them`, and refusals.
#include <gtest/gtest.h>

#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::makeEvent;
using testing::windowsPipeline;

TEST(SigmaCondition, ParsesWithPrecedence) {
  const struct {
    const char* in;
    const char* tree;
  } cases[] = {
      {"sel", "sel"},
      {"a or b and c", "(a or (b and c))"},
      {"a and b or c", "((a and b) or c)"},
      {"not a and b", "(not a and b)"},
      {"not (a and b)", "not (a and b)"},
      {"a and not b or not c and d", "((a and not b) or (not c and d))"},
      {"(a or b) and c", "((a or b) and c)"},
      {"a or b or c", "(a or b or c)"},
      {"1 of sel_* and not 1 of filter_*", "(1 of sel_* and not 1 of filter_*)"},
      {"all of them", "all of them"},
      {"1 of them", "1 of them"},
      {"ALL OF sel* AND NOT filter", "(all of sel* and not filter)"},
      {"  sel\n  and\n  (\n 1 of x*\n )  ", "(sel and 1 of x*)"},
      {"not not a", "not not a"},
  };
  for (const auto& c : cases) {
    auto r = parseCondition(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().message;
    EXPECT_EQ(toString(*r), c.tree) << c.in;
  }
}

TEST(SigmaCondition, RefusesBadSyntax) {
  const struct {
    const char* in;
    const char* reason;
  } cases[] = {
      {"", "unexpected end"},
      {"a and", "unexpected end"},
      {"(a", "missing ')'"},
      {"a)", "unexpected ')'"},
      {"a b", "unexpected 'b'"},
      {"and a", "unexpected 'and'"},
      {"of a", "'of' must follow"},
      {"2 of a*", "unexpected 'of'"},
      {"1 of", "'of' needs a name pattern"},
      {"1 of and", "'of' needs a name pattern"},
      {"sel | count() > 5", "aggregations"},
      {"a & b", "unexpected character '&'"},
  };
  for (const auto& c : cases) {
    auto r = parseCondition(c.in);
    ASSERT_FALSE(r) << c.in;
    EXPECT_NE(r.error().message.find(c.reason), std::string::npos) << c.in << ": " << r.error().message;
  }
  std::string deep(200, '(');
  deep += "a" + std::string(200, ')');
  auto r = parseCondition(deep);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos);
}

// Four searches over fields A..D; an event has the fields of the searches that should be true.
std::string rule(const std::string& condition) {
  return "title: t\nlogsource: {product: windows}\ndetection:\n"
         "  sel_a: {A: 'y'}\n  sel_b: {B: 'y'}\n  filter_c: {C: 'y'}\n  _hidden_d: {D: 'y'}\n"
         "  condition: " +
         condition + "\n";
}

TEST(SigmaCondition, Evaluates) {
  const struct {
    const char* condition;
    const char* trueSearches;  // letters of the fields present
    bool match;
  } cases[] = {
      {"sel_a", "a", true},
      {"sel_a", "b", false},
      {"sel_a and sel_b", "ab", true},
      {"sel_a and sel_b", "a", false},
      {"sel_a or sel_b", "b", true},
      {"not sel_a", "", true},
      {"not sel_a", "a", false},
      {"sel_a or sel_b and filter_c", "a", true},  // and binds tighter
      {"(sel_a or sel_b) and filter_c", "a", false},
      {"1 of sel_*", "b", true},
      {"1 of sel_*", "c", false},
      {"all of sel_*", "ab", true},
      {"all of sel_*", "a", false},
      {"1 of sel_* and not 1 of filter_*", "ac", false},
      {"1 of sel_* and not 1 of filter_*", "a", true},
      {"all of them", "abc", true},  // `them` skips names starting with '_'
      {"all of them", "ab", false},
      {"1 of them", "d", false},
      {"1 of them", "c", true},
      {"1 of *", "d", true},  // a pattern does not skip them
      {"_hidden_d", "d", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.condition) + " with " + c.trueSearches);
    auto parsed = parseRule(rule(c.condition), "t.yml");
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto compiled = CompiledRule::compile(*parsed, windowsPipeline(), {});
    ASSERT_TRUE(compiled) << compiled.error().message;
    std::vector<std::pair<std::string, std::string>> fields{{"Z", "z"}};
    for (const char* p = c.trueSearches; *p; ++p) fields.emplace_back(std::string(1, static_cast<char>(*p - 32)), "y");
    EXPECT_EQ(compiled->matches(makeEvent(fields)), c.match);
  }
}

TEST(SigmaCondition, ConditionListIsOred) {
  auto parsed = parseRule(
      "title: t\nlogsource: {product: windows}\ndetection:\n  a: {A: 'y'}\n  b: {B: 'y'}\n"
      "  condition:\n    - a\n    - b\n",
      "t.yml");
  ASSERT_TRUE(parsed);
  auto compiled = CompiledRule::compile(*parsed, windowsPipeline(), {});
  ASSERT_TRUE(compiled);
  EXPECT_TRUE(compiled->matches(makeEvent({{"B", "y"}})));
  EXPECT_FALSE(compiled->matches(makeEvent({{"C", "y"}})));
}

TEST(SigmaCondition, UnknownNamesAreRefusedWithTheLine) {
  const struct {
    const char* condition;
    const char* reason;
  } cases[] = {
      {"sel_a and nosuch", "unknown search identifier 'nosuch'"},
      {"1 of nosuch_*", "'1 of nosuch_*' matches no search identifier"},
      {"all of x*", "'all of x*' matches no search identifier"},
      {"sel_a and", "unexpected end of condition"},
  };
  for (const auto& c : cases) {
    auto parsed = parseRule(rule(c.condition), "t.yml");
    ASSERT_TRUE(parsed);
    auto compiled = CompiledRule::compile(*parsed, windowsPipeline(), {});
    ASSERT_FALSE(compiled) << c.condition;
    EXPECT_EQ(compiled.error().field, "t.yml:8");
    EXPECT_NE(compiled.error().message.find(c.reason), std::string::npos) << compiled.error().message;
  }
}

TEST(SigmaCondition, NamePatterns) {
  EXPECT_TRUE(namePatternMatches("sel_*", "sel_a"));
  EXPECT_TRUE(namePatternMatches("*", ""));
  EXPECT_TRUE(namePatternMatches("a*b*c", "axxbyyc"));
  EXPECT_FALSE(namePatternMatches("a*b*c", "axxbyy"));
  EXPECT_FALSE(namePatternMatches("sel_*", "Sel_a"));  // search names are case-sensitive
}

}  // namespace
}  // namespace vigil::detect::sigma
