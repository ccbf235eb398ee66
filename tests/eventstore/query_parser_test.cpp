// The query parser against the data-driven cases of query_cases.txt, and the text helpers.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "eventstore/query.h"
#include "eventstore/text.h"

using namespace vigil::eventstore;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

TEST(QueryParser, Cases) {
  std::ifstream in(VIGIL_EVENTSTORE_CASES_DIR "/query_cases.txt");
  ASSERT_TRUE(in) << "cannot open query_cases.txt";
  std::string line;
  int lineNo = 0, cases = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty() || line[0] == '#') continue;
    const size_t arrow = line.find("=>");
    ASSERT_NE(arrow, std::string::npos) << "line " << lineNo << " has no =>";
    const std::string query = trim(line.substr(0, arrow));
    const std::string expected = trim(line.substr(arrow + 2));
    auto parsed = parseQuery(query);
    const std::string got = parsed.ok() ? toString(*parsed) : "error: " + parsed.error().message;
    EXPECT_EQ(got, expected) << "line " << lineNo << ": " << query;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().field, "q");
    }
    ++cases;
  }
  EXPECT_GT(cases, 50);
}

TEST(QueryParser, LimitsDepthAndLength) {
  std::string deep(200, '(');
  auto r = parseQuery(deep + "a" + std::string(200, ')'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nests deeper"), std::string::npos) << r.error().message;
  auto longQuery = parseQuery(std::string(9000, 'a'));
  ASSERT_FALSE(longQuery.ok());
  EXPECT_NE(longQuery.error().message.find("longer than 8192"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "NOT ";
  EXPECT_FALSE(parseQuery(nots + "a").ok());
}

TEST(Text, FoldsVietnamese) {
  EXPECT_EQ(folded("Nguyễn Văn Đức"), "nguyen van duc");
  EXPECT_EQ(folded("ĐĂNG NHẬP thất bại"), "dang nhap that bai");
  EXPECT_EQ(lower("ĐĂNG NHẬP"), "đăng nhập");
  // Decomposed input (e + combining circumflex + combining acute) folds like the precomposed one.
  EXPECT_EQ(folded("Nguye\xcc\x82\xcc\x83n"), "nguyen");
  EXPECT_EQ(folded("plain ASCII"), "plain ascii");
  // Invalid UTF-8 passes through byte by byte.
  EXPECT_EQ(folded(std::string("a\xff"
                               "b")),
            std::string("a\xff"
                        "b"));
}

TEST(Text, Tokens) {
  EXPECT_EQ(tokens("Failed password for root from 10.0.0.5 port 22"),
            (std::vector<std::string>{"Failed", "password", "for", "root", "from", "10", "0", "0", "5", "port", "22"}));
  EXPECT_EQ(tokens("user=\"Nguyễn\";x"), (std::vector<std::string>{"user", "Nguyễn", "x"}));
  EXPECT_TRUE(tokens("  ;; ").empty());
}

TEST(Text, Glob) {
  EXPECT_TRUE(globMatch("adm*", "admin"));
  EXPECT_TRUE(globMatch("*min", "admin"));
  EXPECT_TRUE(globMatch("a?m*n", "admin"));
  EXPECT_FALSE(globMatch("adm*", "root"));
  EXPECT_FALSE(globMatch("adm", "admin"));
  EXPECT_TRUE(globMatch("*", ""));
}

}  // namespace
