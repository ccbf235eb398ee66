#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/text.h"

namespace vigil {
namespace {

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(text::isValidUtf8("Sở Nội vụ tỉnh Lào Cai"));
  EXPECT_TRUE(text::isValidUtf8("\xF0\x9F\x98\x80"));   // U+1F600
  EXPECT_FALSE(text::isValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(text::isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(text::isValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(text::isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(text::isValidUtf8("\xFF"));
}

TEST(Text, ControlCharactersTrimAndCounting) {
  EXPECT_TRUE(text::hasControlChars(std::string("a\0b", 3)));
  EXPECT_TRUE(text::hasControlChars("a\nb"));
  EXPECT_FALSE(text::hasControlChars("a\tb"));
  EXPECT_TRUE(
      text::hasControlChars("a\xC2\x85"
                            "b"))
      << "C1 NEL";
  EXPECT_TRUE(text::hasControlChars("admin\xE2\x80\xAEnimda")) << "right-to-left override";
  EXPECT_FALSE(text::hasControlChars("Sở Nội vụ \xE2\x80\x93 Tỉnh")) << "an en dash is text";
  EXPECT_EQ(text::trim("  Sở  \n"), "Sở");
  EXPECT_EQ(text::codePoints("Tỉnh"), 4u);
  EXPECT_EQ(text::jsonQuote("a\"b\\\n\x01"), "\"a\\\"b\\\\\\n\\u0001\"");
}

TEST(Clock, Rfc3339FormatAndParse) {
  EXPECT_EQ(formatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339(1795000000000), "2026-11-18T11:06:40Z");
  EXPECT_EQ(*parseRfc3339("2026-11-18T11:06:40Z"), 1795000000000);
  EXPECT_EQ(*parseRfc3339("2026-11-18T18:06:40+07:00"), 1795000000000);
  EXPECT_EQ(*parseRfc3339("2026-11-18T11:06:40.250Z"), 1795000000250);
  EXPECT_EQ(*parseRfc3339("1970-01-02"), 86400000);
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2026-11-18T25:00:00Z", "2026-11-18T07:06:40",
                          "2026-11-18T07:06:40+7", "yesterday", "2026-11-18T07:06:40Zjunk"})
    EXPECT_FALSE(parseRfc3339(bad).has_value()) << bad;
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c(1000);
  EXPECT_EQ(c.nowMs(), 1000);
  c.advanceMs(500);
  EXPECT_EQ(c.nowMs(), 1500);
  EXPECT_EQ(c.nowSeconds(), 1);
}

}  // namespace
}  // namespace vigil
