// The pattern language, the Event type and catalog validation, case by case.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "normalize/event.h"
#include "normalize/normalizer.h"
#include "normalize/pattern.h"
#include "normalize_support.h"

namespace vigil::normalize {
namespace {

std::string capture(const Pattern& p, const Captures& c, std::string_view field) {
  for (size_t i = 0; i < c.count; ++i)
    if (p.tokens()[c.items[i].token].text == field) return std::string(c.items[i].text);
  return "<absent>";
}

Pattern compiled(std::string_view text) {
  auto p = Pattern::compile(text);
  EXPECT_TRUE(p) << text << ": " << (p ? "" : p.error().message);
  return p ? std::move(*p) : Pattern();
}

TEST(Pattern, CompileErrorsSayWhatAndWhere) {
  struct Bad {
    std::string_view pattern, message;
  } cases[] = {
      {"abc %{nosuch:x}", "unknown capture kind \"nosuch\""},
      {"abc %(x", "%( without %)"},
      {"abc %)", "%) without %("},
      {"abc %{word:x", "%{ without }"},
      {"%{rest:x} tail", "must end the pattern"},
      {"%{kv}", "needs the map's name"},
      {"100%", "a lone '%'"},
      {"%q", "unknown escape %q"},
      {"", "empty pattern"},
  };
  for (const Bad& b : cases) {
    auto p = Pattern::compile(b.pattern);
    ASSERT_FALSE(p) << b.pattern;
    EXPECT_NE(p.error().message.find(b.message), std::string::npos) << b.pattern << " -> " << p.error().message;
    EXPECT_NE(p.error().message.find("at offset"), std::string::npos) << p.error().message;
  }
  std::string many;
  for (int i = 0; i < 25; ++i) many += "%{word} ";
  EXPECT_FALSE(Pattern::compile(many));
}

TEST(Pattern, TypedCapturesAndOptionalGroups) {
  const Pattern p = compiled("Failed %{word:m} for %(invalid user %)%{data:u} from %{ip:ip}%( port %{int:port}%)");
  Captures c;
  ASSERT_TRUE(p.match("Failed password for invalid user bob smith from 10.0.0.1 port 22 ssh2", 420, c));
  EXPECT_EQ(capture(p, c, "m"), "password");
  EXPECT_EQ(capture(p, c, "u"), "bob smith");
  EXPECT_EQ(capture(p, c, "ip"), "10.0.0.1");
  EXPECT_EQ(capture(p, c, "port"), "22");
  ASSERT_TRUE(p.match("Failed none for root from ::1", 420, c));
  EXPECT_EQ(capture(p, c, "u"), "root");
  EXPECT_EQ(capture(p, c, "ip"), "::1");
  EXPECT_EQ(capture(p, c, "port"), "<absent>");
  // Not an address: 999.1.1.1; a literal that differs.
  EXPECT_FALSE(p.match("Failed password for root from 999.1.1.1 port 22", 420, c));
  EXPECT_FALSE(p.match("Accepted password for root from 10.0.0.1", 420, c));
}

TEST(Pattern, IpWithPortAndWordStops) {
  const Pattern p = compiled("[client %{ip:ip}%(:%{int:port}%)] [%{word:level}]");
  Captures c;
  ASSERT_TRUE(p.match("[client 99.47.227.95:38870] [error]", 0, c));
  EXPECT_EQ(capture(p, c, "ip"), "99.47.227.95");
  EXPECT_EQ(capture(p, c, "port"), "38870");
  EXPECT_EQ(capture(p, c, "level"), "error");
  ASSERT_TRUE(p.match("[client 2001:db8::1] [warn]", 0, c));
  EXPECT_EQ(capture(p, c, "ip"), "2001:db8::1");
}

TEST(Pattern, TimesAreParsedWithTheirZoneOrTheSendersZone) {
  Captures c;
  const Pattern http = compiled("[%{httpdate:t}]");
  ASSERT_TRUE(http.match("[10/Oct/2000:13:55:36 -0700]", 420, c));
  EXPECT_EQ(Event::formatTime(c.items[0].number), "2000-10-10T20:55:36.000000Z");
  EXPECT_FALSE(c.items[0].zoneInferred);
  const Pattern ct = compiled("[%{ctime:t}]");
  ASSERT_TRUE(ct.match("[Tue Sep 30 11:30:13.262255 2014]", 420, c));
  EXPECT_EQ(Event::formatTime(c.items[0].number), "2014-09-30T04:30:13.262255Z");
  EXPECT_TRUE(c.items[0].zoneInferred);
  const Pattern ymd = compiled("%{ymdhms:t} x");
  ASSERT_TRUE(ymd.match("2015/01/08 11:31:23 x", 0, c));
  EXPECT_EQ(Event::formatTime(c.items[0].number), "2015-01-08T11:31:23.000000Z");
  ASSERT_TRUE(ymd.match("2020-03-23T06:47:42.801612-07:00 x", 0, c));
  EXPECT_EQ(Event::formatTime(c.items[0].number), "2020-03-23T13:47:42.801612Z");
  const Pattern ep = compiled("audit(%{epoch:t}:%{int:n})");
  ASSERT_TRUE(ep.match("audit(1479982525.380:50)", 0, c));
  EXPECT_EQ(Event::formatTime(c.items[0].number), "2016-11-24T10:15:25.380000Z");
  EXPECT_FALSE(ct.match("[Tue Sep 30 25:30:13 2014]", 0, c)) << "hour 25";
  EXPECT_FALSE(http.match("[10/Foo/2000:13:55:36 -0700]", 0, c)) << "month Foo";
}

TEST(Pattern, EndAnchorAndLazyData) {
  const Pattern p = compiled("(%{word:u}) CMD (%{data:cmd})%$");
  Captures c;
  ASSERT_TRUE(p.match("(root) CMD (echo (a) b)", 0, c));
  EXPECT_EQ(capture(p, c, "cmd"), "echo (a) b");
  EXPECT_FALSE(p.match("(root) CMD (unterminated", 0, c));
}

TEST(Pattern, AMegabyteLineFailsQuicklyOnTheStepBudget) {
  const Pattern p = compiled("%{data:a} x %{data:b} y %{data:c} z");
  std::string line;
  while (line.size() < (1 << 20)) line += "x x y ";
  Captures c;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(p.match(line, 0, c));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(ms, 200) << "the budget bounds the work";
}

TEST(Event, FieldsAreOrderedTypedAndReplacedInPlace) {
  Event e;
  const std::string raw = "raw text 10.0.0.1";
  e.reset(raw);
  e.setSource(raw.data());
  e.setString("message", std::string_view(raw).substr(0, 8));
  e.setIp("source.ip", std::string_view(raw).substr(9));
  e.setInt("source.port", 22, "22");
  e.setTime("@timestamp", 0);
  e.setOwnedName("fortinet.firewall.", "vd", ValueType::kString, "root");
  e.setString("message", "replaced");
  e.setSource(nullptr);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e.nameAt(0), "message");
  EXPECT_EQ(e.getText("message"), "replaced");
  EXPECT_EQ(e.get("source.ip")->type, ValueType::kIp);
  EXPECT_EQ(e.get("source.port")->number, 22);
  EXPECT_EQ(e.nameAt(4), "fortinet.firewall.vd");
  EXPECT_EQ(e.getText("fortinet.firewall.vd"), "root");
  EXPECT_EQ(Event::formatTime(e.get("@timestamp")->number), "1970-01-01T00:00:00.000000Z");
  // The event owns its bytes: it survives the raw buffer and a move.
  Event moved = std::move(e);
  EXPECT_EQ(moved.raw(), "raw text 10.0.0.1");
  EXPECT_EQ(moved.getText("source.ip"), "10.0.0.1");
  EXPECT_TRUE(moved.remove("message"));
  EXPECT_FALSE(moved.has("message"));
  moved.reset("next");
  EXPECT_EQ(moved.size(), 0u);
  EXPECT_EQ(moved.raw(), "next");
}

TEST(NormalizerCatalog, ErrorsNameTheFileLineAndRule) {
  struct Bad {
    std::string toml, message;
  } cases[] = {
      {"[[rule]]\nid = \"a\"\ndataset = \"d\"\npattern = \"%{nosuch}\"\n", "x.toml:4: rule a: pattern"},
      {"[[rule]]\nid = \"a\"\ndataset = \"d\"\npattern = \"x\"\ncolour = \"red\"\n", "unknown key 'colour'"},
      {"[[rule]]\nid = \"a\"\npattern = \"x\"\n", "rule a: missing dataset"},
      {"[[rule]]\nid = \"a\"\ndataset = \"d\"\npattern = \"%{kv:nomap}\"\n", "names a map that does not exist"},
      {"[[rule]]\nid = \"a\"\ndataset = \"d\"\npattern = \"x\"\n[[rule]]\nid = \"a\"\ndataset = \"d\"\npattern = "
       "\"y\"\n",
       "duplicate rule id"},
      {"[map.m]\nkeys = { a = \"bogus:x\" }\n", "unknown type \"bogus\""},
      {"[[rule]]\nid = \"a\"\ndataset = \"d\"\non = \"body\"\npattern = \"x\"\n", "on must be"},
      {"this is = = not toml", "x.toml:1"},
  };
  for (const Bad& b : cases) {
    auto n = Normalizer::fromTexts({{"x.toml", b.toml}});
    ASSERT_FALSE(n) << b.toml;
    EXPECT_NE(n.error().message.find(b.message), std::string::npos) << b.toml << " -> " << n.error().message;
  }
  EXPECT_FALSE(Normalizer::load("/nonexistent/catalog/dir"));
}

TEST(NormalizerCatalog, TheShippedCatalogLoads) { EXPECT_GE(testing::catalogNormalizer().ruleCount(), 60u); }

TEST(Normalizer, ReusingOneEventGivesTheSameFieldsAsAFreshOne) {
  const std::string a = "<38>Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 22";
  const std::string b =
      "date=2016-06-16 time=10:19:23 devname=X devid=Y type=traffic subtype=forward vd=root srcip=7.3.8.5";
  const Normalizer& n = testing::catalogNormalizer();
  Event reused;
  for (const std::string* line : {&a, &b, &a}) {
    const ingest::SyslogMessage m = ingest::parseSyslog(*line, testing::parseOptions());
    n.normalize(m, {7, 9, testing::kReceivedUs}, reused);
    const Event fresh = n.normalize(m, {7, 9, testing::kReceivedUs});
    EXPECT_EQ(testing::dump(reused), testing::dump(fresh));
    EXPECT_EQ(reused.orgId, 7);
    EXPECT_EQ(reused.sourceId, 9);
    EXPECT_EQ(reused.receivedUs, testing::kReceivedUs);
  }
}

TEST(Normalizer, AMegabyteOfGarbageKeepsItsRawTextAndGenericFields) {
  std::string line = "<13>Nov 24 10:00:00 host kernel: ";
  while (line.size() < (1 << 20)) line += "IN= x=\"\\ [client [error] type= audit( ";
  const auto start = std::chrono::steady_clock::now();
  const Event e = testing::normalizeLine(line);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(e.raw(), line);
  EXPECT_EQ(e.getText("process.name"), "kernel");
  EXPECT_LT(ms, 1000);
}

}  // namespace
}  // namespace vigil::normalize
