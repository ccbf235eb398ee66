// parseDocuments(): a rule file split into its YAML documents, each accepted or refused alone,
// with line numbers counted in the whole file.
#include <gtest/gtest.h>

#include <string>

#include "detect/sigma/rule.h"

namespace vigil::detect::sigma {
namespace {

const char* kRule = "title: r\nlogsource: {product: x}\ndetection: {s: {a: 1}, condition: s}\n";

TEST(SigmaDocuments, SplitKindsAndLines) {
  const std::string text = std::string("%YAML 1.2\n---\n") + kRule +              // lines 1-5
                           "...\n"                                                // 6: end of document
                           "# a comment between documents\n"                      // 7
                           "---\n"                                                // 8
                           "title: c\n"                                           // 9
                           "correlation:\n"                                       // 10
                           "  type: temporal\n"                                   // 11
                           "  rules: [a, b]\n"                                    // 12
                           "  timespan: 90s\n"                                    // 13
                           "--- # only a comment follows\n"                       // 14
                           "\n"                                                   // 15
                           "---\n"                                                // 16
                           "title: f\n"                                           // 17
                           "logsource: {product: x}\n"                            // 18
                           "filter: {rules: [r], s: {u: v}, condition: not s}\n"  // 19
                           "---\n"                                                // 20
                           "title: bad\n"                                         // 21
                           "logsource: {product: x}\n"                            // 22
                           "detection: {s: [unclosed\n";                          // 23
  const auto docs = parseDocuments(text, "m.yml");
  ASSERT_EQ(docs.size(), 4u);
  ASSERT_TRUE(docs[0]) << docs[0].error().message;
  EXPECT_EQ(docs[0]->kind, SigmaDocument::Kind::kRule);
  EXPECT_EQ(docs[0]->rule.title, "r");
  ASSERT_TRUE(docs[1]) << docs[1].error().message;
  EXPECT_EQ(docs[1]->kind, SigmaDocument::Kind::kCorrelation);
  EXPECT_EQ(docs[1]->correlation.line, 10);
  EXPECT_EQ(docs[1]->correlation.rulesLine, 12);
  EXPECT_EQ(docs[1]->correlation.timespanUs, 90 * 1000000);
  EXPECT_EQ(docs[1]->correlation.rules, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(docs[2]) << docs[2].error().message;
  EXPECT_EQ(docs[2]->kind, SigmaDocument::Kind::kFilter);
  EXPECT_EQ(docs[2]->filter.rules, std::vector<std::string>{"r"});
  EXPECT_EQ(docs[2]->filter.detection.conditions, std::vector<std::string>{"not s"});
  ASSERT_FALSE(docs[3]);
  EXPECT_EQ(docs[3].error().field, "m.yml:24");  // yaml-cpp reports the end of the input
  EXPECT_NE(docs[3].error().message.find("YAML:"), std::string::npos);
}

TEST(SigmaDocuments, FileLevelRefusals) {
  EXPECT_EQ(parseDocuments("", "e.yml").at(0).error().message, "e.yml:1: empty file");
  EXPECT_EQ(parseDocuments("# nothing\n---\n", "e.yml").at(0).error().message, "e.yml:1: empty file");
  std::string many;
  for (int i = 0; i <= 1000; ++i) many += std::string("---\n") + "title: t\n";
  const auto docs = parseDocuments(many, "many.yml");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].error().field, "many.yml:2001");
  EXPECT_NE(docs[0].error().message.find("more than 1000 documents"), std::string::npos);
  // The value budget is the file's: aliases cannot multiply it document by document.
  std::string laughs;
  for (int d = 0; d < 20; ++d) {
    laughs += "---\ntitle: t\nlogsource: {product: x}\ndetection:\n  a: {A: &v [";
    for (int i = 0; i < 1000; ++i) laughs += (i ? ",x" : "x");
    laughs += "]}\n";
    for (int k = 0; k < 10; ++k) laughs += "  b" + std::to_string(k) + ": {A: *v}\n";
    laughs += "  condition: a\n";
  }
  size_t refused = 0;
  for (const auto& d : parseDocuments(laughs, "l.yml"))
    if (!d && d.error().message.find("too many values") != std::string::npos) ++refused;
  EXPECT_GT(refused, 0u);
}

TEST(SigmaDocuments, Timespans) {
  const std::pair<const char*, int64_t> good[] = {{"30s", 30},    {"5m", 300},    {"1h", 3600},
                                                  {"2d", 172800}, {"1w", 604800}, {"366d", 366 * 86400}};
  for (const auto& [text, seconds] : good) EXPECT_EQ(parseTimespan(text), seconds * 1000000) << text;
  for (const char* bad : {"", "5", "m", "0s", "-5m", "5M", "5 m", "1.5h", "367d", "99999999999999d", "5y"})
    EXPECT_FALSE(parseTimespan(bad)) << bad;
}

}  // namespace
}  // namespace vigil::detect::sigma
