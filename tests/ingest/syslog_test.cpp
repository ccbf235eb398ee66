// Syslog header parsing: RFC 5424 structured data and escapes, 3164 variants, time resolution,
// hostile bytes.
#include <gtest/gtest.h>

#include <string>

#include "ingest/syslog.h"

namespace vigil::ingest {
namespace {

constexpr TimeUs kSec = 1'000'000;
constexpr TimeUs kReceived = 1'795'514'400 * kSec;  // 2026-11-24T10:00:00Z

SyslogMessage parse(std::string_view raw, int zoneOffsetMinutes = kDefaultZoneOffsetMinutes) {
  ParseOptions o;
  o.receivedUs = kReceived;
  o.zoneOffsetMinutes = zoneOffsetMinutes;
  return parseSyslog(raw, o);
}

TEST(Rfc5424, AllHeaderFieldsStructuredDataAndBom) {
  const std::string raw =
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"] \xEF\xBB\xBF"
      "An application event log entry";
  const SyslogMessage m = parse(raw);
  EXPECT_EQ(m.format, SyslogFormat::kRfc5424);
  EXPECT_TRUE(m.hasPri);
  EXPECT_EQ(m.pri, 165);
  EXPECT_EQ(facilityName(m.facility), "local4");
  EXPECT_EQ(severityName(m.severity), "notice");
  EXPECT_EQ(m.version, 1);
  EXPECT_TRUE(m.hasTimestamp);
  EXPECT_FALSE(m.yearInferred);
  EXPECT_FALSE(m.zoneInferred);
  EXPECT_EQ(m.timeUs, 1'065'910'455 * kSec + 3000);
  EXPECT_EQ(m.zoneOffsetMinutes, 0);
  EXPECT_EQ(m.hostname, "mymachine.example.com");
  EXPECT_EQ(m.appName, "evntslog");
  EXPECT_EQ(m.procId, "1234");
  EXPECT_EQ(m.msgId, "ID47");
  ASSERT_EQ(m.sdElements.size(), 2u);
  EXPECT_EQ(m.sdElements[0].id, "exampleSDID@32473");
  EXPECT_EQ(m.sdElements[0].paramCount, 3u);
  EXPECT_EQ(m.sdElements[1].id, "examplePriority@32473");
  ASSERT_NE(m.sdValue("exampleSDID@32473", "eventSource"), nullptr);
  EXPECT_EQ(*m.sdValue("exampleSDID@32473", "eventSource"), "Application");
  EXPECT_EQ(*m.sdValue("examplePriority@32473", "class"), "high");
  EXPECT_EQ(m.sdValue("examplePriority@32473", "nope"), nullptr);
  EXPECT_TRUE(m.structuredData.starts_with("[exampleSDID@32473 "));
  EXPECT_TRUE(m.structuredData.ends_with("class=\"high\"]"));
  EXPECT_TRUE(m.bom);
  EXPECT_EQ(m.msg, "An application event log entry");
  EXPECT_EQ(m.content, m.msg);
  EXPECT_EQ(m.raw, raw);
  EXPECT_EQ(m.owned, nullptr) << "no escapes, so nothing is copied";
}

TEST(Rfc5424, EscapedParamValuesAreDecoded) {
  const std::string raw = R"(<13>1 - h a - - [x@1 q="say \"hi\"" b="back\\slash" c="br\]acket" d="other\n" e=""] m)";
  const SyslogMessage m = parse(raw);
  ASSERT_TRUE(m.structuredDataValid);
  EXPECT_EQ(*m.sdValue("x@1", "q"), "say \"hi\"");
  EXPECT_EQ(*m.sdValue("x@1", "b"), "back\\slash");
  EXPECT_EQ(*m.sdValue("x@1", "c"), "br]acket");
  EXPECT_EQ(*m.sdValue("x@1", "d"), "other\\n") << "a backslash before another character is kept (RFC 5424 6.3.3)";
  EXPECT_EQ(*m.sdValue("x@1", "e"), "");
  EXPECT_EQ(m.msg, "m");
  EXPECT_NE(m.owned, nullptr);
  // The decoded values survive a move of the message.
  SyslogMessage moved = std::move(const_cast<SyslogMessage&>(m));
  EXPECT_EQ(*moved.sdValue("x@1", "q"), "say \"hi\"");
}

TEST(Rfc5424, FractionsAndOffsets) {
  const SyslogMessage m = parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time");
  EXPECT_EQ(m.timeUs, 1'061'727'255 * kSec + 3);
  EXPECT_EQ(m.zoneOffsetMinutes, -420);
  EXPECT_EQ(m.msg, "%% It's time");
  EXPECT_TRUE(m.sdElements.empty());
  EXPECT_EQ(parse("<1>1 2003-08-24T12:14:15.123456789+00:00 h a p m -").timeUs, 1'061'727'255 * kSec + 123456);
  EXPECT_EQ(parse("<1>1 2003-08-24T19:14:15+07:00 h a p m -").timeUs, 1'061'727'255 * kSec);
}

TEST(Rfc5424, NilValuesAndShortLines) {
  SyslogMessage m = parse("<13>1 - - - - - -");
  EXPECT_EQ(m.format, SyslogFormat::kRfc5424);
  EXPECT_FALSE(m.hasTimestamp);
  EXPECT_EQ(m.timeUs, kReceived);
  EXPECT_TRUE(m.hostname.empty());
  EXPECT_TRUE(m.appName.empty());
  EXPECT_TRUE(m.msg.empty());
  m = parse("<13>1 2026-11-24T10:00:00Z host");
  EXPECT_EQ(m.format, SyslogFormat::kRfc5424);
  EXPECT_EQ(m.hostname, "host");
  m = parse("<13>1 not-a-time host app - - - msg");
  EXPECT_FALSE(m.hasTimestamp);
  EXPECT_EQ(m.timestampText, "not-a-time");
  EXPECT_EQ(m.msg, "msg");
}

TEST(Rfc5424, MalformedStructuredDataKeepsTheRest) {
  for (const char* raw : {"<13>1 - h a - - [x@1 p=\"unterminated", "<13>1 - h a - - [x@1 p=unquoted] m",
                          "<13>1 - h a - - [] m", "<13>1 - h a - - [x@1", "<13>1 - h a - - garbage here"}) {
    const SyslogMessage m = parse(raw);
    EXPECT_FALSE(m.structuredDataValid) << raw;
    EXPECT_TRUE(m.sdElements.empty()) << raw;
    EXPECT_EQ(m.msg.data() + m.msg.size(), m.raw.data() + m.raw.size()) << raw;
    EXPECT_GT(m.msg.size(), 0u) << raw;
  }
  // Seen in the wild (and in RFC 5424's own example text): a space after '='.
  const SyslogMessage m = parse("<13>1 - h a - - [x@1 a= \"b\"] m");
  EXPECT_TRUE(m.structuredDataValid);
  EXPECT_EQ(*m.sdValue("x@1", "a"), "b");
}

TEST(Rfc3164, ClassicLineWithPidTag) {
  const SyslogMessage m = parse("<38>Mar 27 19:06:53 source_server sshd(pam_unix)[12750]: session opened");
  EXPECT_EQ(m.format, SyslogFormat::kRfc3164);
  EXPECT_EQ(facilityName(m.facility), "auth");
  EXPECT_EQ(severityName(m.severity), "info");
  EXPECT_EQ(m.hostname, "source_server");
  EXPECT_EQ(m.tag, "sshd(pam_unix)[12750]:");
  EXPECT_EQ(m.appName, "sshd(pam_unix)");
  EXPECT_EQ(m.procId, "12750");
  EXPECT_EQ(m.msg, "session opened");
  EXPECT_EQ(m.content, "sshd(pam_unix)[12750]: session opened");
}

TEST(Rfc3164, MissingYearAndZoneAreResolvedAndRecorded) {
  SyslogMessage m = parse("<13>Nov 24 10:00:00 host app: x");
  EXPECT_TRUE(m.yearInferred);
  EXPECT_TRUE(m.zoneInferred);
  EXPECT_EQ(m.zoneOffsetMinutes, 420);
  EXPECT_EQ(m.timeUs, 1'795'489'200 * kSec) << "10:00 in Hanoi is 03:00 UTC";
  m = parse("<13>Nov 24 10:00:00 host app: x", 0);
  EXPECT_EQ(m.timeUs, 1'795'514'400 * kSec);
  // A December line read just after new year belongs to the old year.
  ParseOptions o;
  o.receivedUs = 1'798'762'200 * kSec;  // 2027-01-01T00:10:00Z
  m = parseSyslog("<13>Dec 31 23:59:59 host app: x", o);
  EXPECT_EQ(m.timeUs, 1'798'736'399 * kSec);
  // An explicit reference time wins over the receive time.
  o.referenceUs = kReceived;
  m = parseSyslog("<13>Nov 24 10:00:00 host app: x", o);
  EXPECT_EQ(m.timeUs, 1'795'489'200 * kSec);
}

TEST(Rfc3164, DateVariants) {
  const TimeUs mar7 = 1'204'891'613 * kSec;  // 2008-03-07T19:06:53+07:00
  for (const char* raw : {"<38>Mar 7 2008 19:06:53: example tag: m", "<38>Mar  7 2008 19:06:53 example tag: m",
                          "<38>MAR 7 2008 19:06:53 example tag: m", "<38> Mar 7 2008 19:06:53 example tag: m"}) {
    const SyslogMessage m = parse(raw);
    EXPECT_EQ(m.format, SyslogFormat::kRfc3164) << raw;
    EXPECT_FALSE(m.yearInferred) << raw;
    EXPECT_EQ(m.timeUs, mar7) << raw;
    EXPECT_EQ(m.hostname, "example") << raw;
    EXPECT_EQ(m.tag, "tag:") << raw;
    EXPECT_EQ(m.msg, "m") << raw;
  }
  const SyslogMessage iso = parse("<14>2008-03-07T12:06:53Z host prog[7]: m");
  EXPECT_FALSE(iso.zoneInferred);
  EXPECT_EQ(iso.timeUs, mar7);
  EXPECT_EQ(iso.procId, "7");
  // macOS and some relays: a space instead of 'T', "-0700" offsets, two spaces before the host.
  const SyslogMessage mac = parse("2008-03-07 05:06:53.5-0700  localhost sshd[3186]: error: PAM");
  EXPECT_EQ(mac.timeUs, mar7 + 500'000);
  EXPECT_EQ(mac.zoneOffsetMinutes, -420);
  EXPECT_EQ(mac.hostname, "localhost");
  EXPECT_EQ(mac.appName, "sshd");
  EXPECT_FALSE(parse("<1>1 2008-03-07T05:06:53-0700 h a p m -").hasTimestamp) << "RFC 5424 is strict";
  const SyslogMessage frac = parse("<14>Mar  7 2008 19:06:53.250 host prog: m");
  EXPECT_EQ(frac.timeUs, mar7 + 250'000);
}

TEST(Rfc3164, MissingHostnameAndCiscoTags) {
  SyslogMessage m = parse("<13>Nov 24 10:00:00 sshd[42]: hello");
  EXPECT_TRUE(m.hostname.empty());
  EXPECT_EQ(m.appName, "sshd");
  EXPECT_EQ(m.procId, "42");
  EXPECT_EQ(m.msg, "hello");
  m = parse("<187>Nov 24 10:00:00 10.1.1.1 %ASA-3-710003: TCP access denied");
  EXPECT_EQ(m.hostname, "10.1.1.1");
  EXPECT_EQ(m.appName, "%ASA-3-710003");
  EXPECT_EQ(m.msg, "TCP access denied");
  m = parse("<167>Mar  6 16:57:54 %PIX-7-710005: UDP request discarded");
  EXPECT_TRUE(m.hostname.empty());
  EXPECT_EQ(m.tag, "%PIX-7-710005:");
  m = parse("<13>Nov 24 10:00:00 fe80::1 app: v6");
  EXPECT_EQ(m.hostname, "fe80::1");
}

TEST(Rfc3164, MissingOrMalformedPri) {
  SyslogMessage m = parse("Feb 18 16:01:59 serverX -- MARK --");
  EXPECT_FALSE(m.hasPri);
  EXPECT_EQ(m.pri, 13);
  EXPECT_EQ(m.format, SyslogFormat::kRfc3164);
  EXPECT_EQ(m.hostname, "serverX");
  for (const char* raw :
       {"<999>Nov 24 10:00:00 host app: m", "<abc>Nov 24 10:00:00 host app: m", "<>Nov 24 10:00:00 host app: m"}) {
    m = parse(raw);
    EXPECT_FALSE(m.hasPri) << raw;
    EXPECT_EQ(m.pri, 13) << raw;
    EXPECT_EQ(m.hostname, "host") << raw;
    EXPECT_EQ(m.msg, "m") << raw;
  }
  m = parse("<13>");
  EXPECT_EQ(m.format, SyslogFormat::kRfc3164);
  EXPECT_TRUE(m.msg.empty());
  m = parse("<13>no timestamp at all");
  EXPECT_FALSE(m.hasTimestamp);
  EXPECT_EQ(m.timeUs, kReceived);
  EXPECT_EQ(m.msg, "no timestamp at all");
}

TEST(UnknownFormat, KeptWithRawTextAndReceiveTime) {
  for (std::string_view raw : {std::string_view("hello world"), std::string_view(""), std::string_view("Nov"),
                               std::string_view("Nov 99 10:00:00 x"), std::string_view("Feb 30 10:00:00 x"),
                               std::string_view("Nov 24 24:00:00 x"), std::string_view("2026-13-01T00:00:00Z x")}) {
    const SyslogMessage m = parse(raw);
    EXPECT_EQ(m.format, SyslogFormat::kUnknown) << raw;
    EXPECT_EQ(m.msg, raw);
    EXPECT_EQ(m.content, raw);
    EXPECT_EQ(m.raw, raw);
    EXPECT_EQ(m.timeUs, kReceived);
    EXPECT_FALSE(m.hasTimestamp);
  }
}

TEST(HostileBytes, NulAndInvalidUtf8AreKept) {
  static constexpr char kLine[] = "<13>Nov 24 10:00:00 host app: a\0b\xff\xfe\xc3";
  const std::string raw(kLine, sizeof kLine - 1);
  const SyslogMessage m = parse(raw);
  EXPECT_EQ(m.hostname, "host");
  EXPECT_EQ(m.msg, std::string_view("a\0b\xff\xfe\xc3", 6));
  static constexpr char kSd[] = "<13>1 - h a - - [x@1 p=\"\0\xff\"] \0";
  const std::string sd(kSd, sizeof kSd - 1);
  const SyslogMessage s = parse(sd);
  ASSERT_TRUE(s.structuredDataValid);
  EXPECT_EQ(*s.sdValue("x@1", "p"), std::string_view("\0\xff", 2));
  EXPECT_EQ(s.msg, std::string_view("\0", 1));
}

TEST(HostileBytes, OneMegabyteLine) {
  std::string raw = "<13>Nov 24 10:00:00 host app: ";
  raw.append(1 << 20, 'x');
  SyslogMessage m = parse(raw);
  EXPECT_EQ(m.msg.size(), size_t{1} << 20);
  std::string sd = "<13>1 - h a - - [x@1 p=\"";
  sd.append(1 << 20, '\\');
  sd += "\"] m";
  m = parse(sd);
  ASSERT_TRUE(m.structuredDataValid);
  EXPECT_EQ(m.sdValue("x@1", "p")->size(), size_t{1} << 19);
  const std::string tag(1 << 20, 'A');
  const std::string tagLine = "<13>Nov 24 10:00:00 host " + tag;
  m = parse(tagLine);
  EXPECT_EQ(m.tag.size(), tag.size());
}

TEST(Names, FacilitiesAndSeverities) {
  EXPECT_EQ(facilityName(0), "kern");
  EXPECT_EQ(facilityName(10), "authpriv");
  EXPECT_EQ(facilityName(23), "local7");
  EXPECT_EQ(facilityName(24), "");
  EXPECT_EQ(facilityName(-1), "");
  EXPECT_EQ(severityName(0), "emerg");
  EXPECT_EQ(severityName(4), "warning");
  EXPECT_EQ(severityName(7), "debug");
  EXPECT_EQ(severityName(8), "");
}

}  // namespace
}  // namespace vigil::ingest
