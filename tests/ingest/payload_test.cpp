// CEF, LEEF and key=value payloads: escapes, values with spaces, custom delimiters, empty and
// quoted values, and the errors for malformed input.
#include <gtest/gtest.h>

#include <string>

#include "ingest/payload.h"
#include "ingest/syslog.h"

namespace vigil::ingest {
namespace {

TEST(Cef, KasperskySecurityCenterValuesWithSpaces) {
  const std::string text =
      "CEF:0|KasperskyLab|SecurityCenter|13.2.0.1511|KLPRCI_TaskState|Completed successfully|1|"
      "rt=1605102896000 cs9=Nhóm máy chủ Sở Y tế cs9Label=GroupName dhost=WS-01 dst=10.0.0.1 "
      "msg=Task \"Update\" completed successfully";
  auto r = parseCef(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, 0);
  EXPECT_EQ(r->deviceVendor, "KasperskyLab");
  EXPECT_EQ(r->deviceProduct, "SecurityCenter");
  EXPECT_EQ(r->deviceVersion, "13.2.0.1511");
  EXPECT_EQ(r->signatureId, "KLPRCI_TaskState");
  EXPECT_EQ(r->name, "Completed successfully");
  EXPECT_EQ(r->severity, "1");
  ASSERT_EQ(r->extension.fields.size(), 6u);
  EXPECT_EQ(*r->extension.find("cs9"), "Nhóm máy chủ Sở Y tế");
  EXPECT_EQ(*r->extension.find("cs9Label"), "GroupName");
  EXPECT_EQ(*r->extension.find("dst"), "10.0.0.1");
  EXPECT_EQ(*r->extension.find("msg"), "Task \"Update\" completed successfully");
  EXPECT_EQ(r->extension.find("absent"), nullptr);
  EXPECT_EQ(r->extension.owned, nullptr);
}

TEST(Cef, EscapesInHeaderAndExtension) {
  const std::string text =
      R"(host cef: CEF:0|Ven\|dor|Prod\\uct|1.0|100|Name \| pipe|10|src=10.0.0.1 msg=a\=b c\\d\nline )"
      R"(request=http://x/?a=b&c=d act=blocked)";
  auto r = parseCef(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->deviceVendor, "Ven|dor");
  EXPECT_EQ(r->deviceProduct, "Prod\\uct");
  EXPECT_EQ(r->name, "Name | pipe");
  EXPECT_EQ(*r->extension.find("msg"), "a=b c\\d\nline");
  EXPECT_EQ(*r->extension.find("request"), "http://x/?a=b&c=d") << "an '=' without a key before it is value text";
  EXPECT_EQ(*r->extension.find("act"), "blocked");
  EXPECT_EQ(r->extension.fields.size(), 4u);
  CefEvent moved = std::move(r.value());
  EXPECT_EQ(moved.deviceVendor, "Ven|dor");
}

TEST(Cef, ThroughTheSyslogHeader) {
  // From the wazuh ruleset tests (cef.ini): a BSD header whose tag is "cef:"; and one where the
  // tag position holds "CEF:0|..." itself.
  for (const char* line :
       {"Aug 25 17:22:01 usa001 cef: CEF:0|fireeye|hx|3.5.1|IOC Hit Found|IOC Hit Found|10|rt=Aug 25 2017 17:22:01 "
        "UTC dvchost=usa001 categoryDeviceGroup=/IDS cs1Label=Host Agent Cert Hash cs1=DOdxxxuqM dst=192.168.1.2",
        "<134>Aug 25 17:22:01 usa001 CEF:0|fireeye|hx|3.5.1|IOC Hit Found|IOC Hit Found|10|rt=Aug 25 2017 17:22:01 "
        "UTC dvchost=usa001 categoryDeviceGroup=/IDS cs1Label=Host Agent Cert Hash cs1=DOdxxxuqM dst=192.168.1.2"}) {
    const SyslogMessage m = parseSyslog(line);
    EXPECT_EQ(m.hostname, "usa001") << line;
    auto r = parseCef(m.content);
    ASSERT_TRUE(r.ok()) << line << ": " << r.error().message;
    EXPECT_EQ(r->deviceProduct, "hx");
    EXPECT_EQ(*r->extension.find("rt"), "Aug 25 2017 17:22:01 UTC");
    EXPECT_EQ(*r->extension.find("cs1Label"), "Host Agent Cert Hash");
    EXPECT_EQ(*r->extension.find("dst"), "192.168.1.2");
  }
  // FortiGate sends "<PRI>date=..." with no timestamp: the whole rest is the content.
  const SyslogMessage fg = parseSyslog("<189>date=2026-11-24 time=10:00:00 devname=\"FG100\"");
  auto kv = parseKeyValue(fg.content);
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(*kv->find("devname"), "FG100");
}

TEST(Cef, EmptyAndTrailingExtension) {
  auto r = parseCef("CEF:1|a|b|c|d|e|5|");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 1);
  EXPECT_TRUE(r->extension.fields.empty());
  r = parseCef("CEF:0|a|b|c|d|e|5|k=   \r\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->extension.fields.size(), 1u);
  EXPECT_EQ(r->extension.fields[0].value, "");
}

TEST(Cef, MalformedInputGetsAClearError) {
  for (const char* text :
       {"no marker", "CEF:0|a|b", "CEF:x|a|b|c|d|e|f|", "CEF:|a|b|c|d|e|f|", "CEF:0|a\\|b|c|d|e|f"}) {
    auto r = parseCef(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    EXPECT_TRUE(r.error().message.starts_with("CEF: ")) << r.error().message;
  }
  EXPECT_NE(parseCef("CEF:0|a|b").error().message.find("2 of 7"), std::string::npos);
}

TEST(Cef, NulAndInvalidUtf8AreKept) {
  static constexpr char kText[] = "CEF:0|\xff|b\0|c|d|e|5|k=\0v\xfe x=1";
  auto r = parseCef(std::string_view(kText, sizeof kText - 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deviceVendor, "\xff");
  EXPECT_EQ(r->deviceProduct, std::string_view("b\0", 2));
  EXPECT_EQ(*r->extension.find("k"), std::string_view("\0v\xfe", 3));
}

TEST(Leef, Version1TabSeparated) {
  auto r = parseLeef(
      "<13>Nov 24 host LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\t"
      "sev=5\tmsg=hello world\tempty=\tnoequals");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, "1.0");
  EXPECT_EQ(r->vendor, "Microsoft");
  EXPECT_EQ(r->product, "MSExchange");
  EXPECT_EQ(r->productVersion, "4.0 SP1");
  EXPECT_EQ(r->eventId, "15345");
  EXPECT_EQ(r->delimiter, '\t');
  ASSERT_EQ(r->attributes.fields.size(), 5u);
  EXPECT_EQ(*r->attributes.find("msg"), "hello world");
  EXPECT_EQ(*r->attributes.find("empty"), "");
}

TEST(Leef, Version2CustomDelimiters) {
  auto r = parseLeef("LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^msg=a=b c");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->delimiter, '^');
  EXPECT_EQ(*r->attributes.find("dst"), "10.0.0.5");
  EXPECT_EQ(*r->attributes.find("msg"), "a=b c");
  for (const char* text : {"LEEF:2.0|V|P|1|E|0x5E|a=1^b=2", "LEEF:2.0|V|P|1|E|x5e|a=1^b=2"}) {
    r = parseLeef(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(r->delimiter, '^') << text;
    EXPECT_EQ(*r->attributes.find("b"), "2") << text;
  }
  r = parseLeef("LEEF:2.0|V|P|1|E||a=1\tb=2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->delimiter, '\t');
  EXPECT_EQ(r->attributes.fields.size(), 2u);
  r = parseLeef("LEEF:1.0|V|P|1|E");
  ASSERT_TRUE(r.ok()) << "LEEF 1.0 without the last '|'";
  EXPECT_EQ(r->eventId, "E");
}

TEST(Leef, MalformedInputGetsAClearError) {
  for (const char* text : {"nothing", "LEEF:3.0|V|P|1|E|a=1", "LEEF:1.0|V|P", "LEEF:2.0|V|P|1|E|xZZ|a=1",
                           "LEEF:2.0|V|P|1|E|0x00|a=1", "LEEF:2.0|V|P|1|E|abc|a=1"}) {
    auto r = parseLeef(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_TRUE(r.error().message.starts_with("LEEF: ")) << r.error().message;
  }
}

TEST(KeyValue, FortiGateTraffic) {
  const std::string text =
      "date=2026-11-24 time=10:00:00 devname=\"FG100\" devid=FGT60E logid=\"0000000013\" type=traffic "
      "srcip=10.0.0.1 srcport=51234 dstip=8.8.8.8 action=\"deny\" msg=\"a \\\"quoted\\\" thing\" user= group=\"\" "
      "path=\"C:\\\\Temp\" policyname=\"Chặn truy cập\"";
  auto r = parseKeyValue(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r->find("date"), "2026-11-24");
  EXPECT_EQ(*r->find("time"), "10:00:00");
  EXPECT_EQ(*r->find("devname"), "FG100");
  EXPECT_EQ(*r->find("srcip"), "10.0.0.1");
  EXPECT_EQ(*r->find("action"), "deny");
  EXPECT_EQ(*r->find("msg"), "a \"quoted\" thing");
  EXPECT_EQ(*r->find("user"), "");
  EXPECT_EQ(*r->find("group"), "");
  EXPECT_EQ(*r->find("path"), "C:\\Temp");
  EXPECT_EQ(*r->find("policyname"), "Chặn truy cập");
  EXPECT_EQ(r->fields.size(), 15u);
  EXPECT_EQ(r->fields.front().key, "date");
  EXPECT_EQ(r->fields.back().key, "policyname");
}

TEST(KeyValue, OddTokens) {
  auto r = parseKeyValue("lead text a=1 =x b==2 c=\"unterminated value");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->find("a"), "1");
  EXPECT_EQ(*r->find("b"), "=2");
  EXPECT_EQ(*r->find("c"), "unterminated value");
  EXPECT_EQ(r->fields.size(), 3u);
  r = parseKeyValue("k=v\tk2=\"x\"");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->find("k2"), "x");
  static constexpr char kBytes[] = "k=\xff\0z n=\"\0\"";
  r = parseKeyValue(std::string_view(kBytes, sizeof kBytes - 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->find("k"), std::string_view("\xff\0z", 3));
  EXPECT_EQ(*r->find("n"), std::string_view("\0", 1));
}

// Linux audit's enriched format: the interpreted fields follow a GS byte (0x1D), not a space.
TEST(KeyValue, GroupSeparatorSeparatesPairs) {
  auto r = parseKeyValue(
      "key=\"wazuh_execution\"\x1d"
      "ARCH=x86_64 UID=\"alice\"");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->find("key"), "wazuh_execution");
  ASSERT_NE(r->find("ARCH"), nullptr);
  EXPECT_EQ(*r->find("ARCH"), "x86_64");
  EXPECT_EQ(*r->find("UID"), "alice");
}

TEST(KeyValue, NoPairIsAnError) {
  for (const char* text : {"", "   ", "just words", "= =x"}) {
    auto r = parseKeyValue(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  }
}

TEST(Payloads, OneMegabyteValues) {
  const std::string big(1 << 20, 'v');
  // The results hold views into their input: keep each input alive while its result is used.
  const std::string kvText = "k=\"" + big + "\" x=1";
  auto kv = parseKeyValue(kvText);
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->find("k")->size(), big.size());
  const std::string cefText = "CEF:0|a|b|c|d|e|5|msg=" + big + " x=1";
  auto cef = parseCef(cefText);
  ASSERT_TRUE(cef.ok());
  EXPECT_EQ(cef->extension.find("msg")->size(), big.size());
  std::string spaced;
  for (int i = 0; i < 100000; ++i) spaced += "k=v ";
  kv = parseKeyValue(spaced);
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->fields.size(), 100000u);
}

}  // namespace
}  // namespace vigil::ingest
