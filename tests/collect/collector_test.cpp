// The collector's attribution (addresses, CIDR longest prefix, tokens), its submit paths into a
// real event store, and the sender figures.
#include "collect/collector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "normalize/normalizer.h"
#include "support/test_server.h"

namespace vigil::collect {
namespace {

TEST(AddressRange, ParsesAddressesAndRanges) {
  struct Case {
    const char* text;
    bool ok;
    int prefix;
  };
  for (const Case& c :
       {Case{"10.0.0.0/8", true, 8}, Case{"192.168.1.7", true, 32}, Case{"2001:db8::/32", true, 32},
        Case{"::1", true, 128}, Case{"10.0.0.0/33", false, 0}, Case{"10.0.0.0/", false, 0},
        Case{"10.0.0.0/x", false, 0}, Case{"web01", false, 0}, Case{"", false, 0}, Case{"2001:db8::/129", false, 0}}) {
    auto r = parseAddressRange(c.text);
    EXPECT_EQ(r.ok(), c.ok) << c.text;
    if (r.ok()) {
      EXPECT_EQ(r->prefix, c.prefix) << c.text;
    } else {
      EXPECT_NE(r.error().message.find(c.text), std::string::npos) << r.error().message;
    }
  }
}

TEST(AddressRange, ContainsByPrefix) {
  auto r = parseAddressRange("10.4.1.0/23").value();
  unsigned char in[4], out[4];
  inet_pton(AF_INET, "10.4.0.200", in);
  inet_pton(AF_INET, "10.4.2.1", out);
  EXPECT_TRUE(r.contains(AF_INET, in));
  EXPECT_FALSE(r.contains(AF_INET, out));
  unsigned char v6[16];
  inet_pton(AF_INET6, "::1", v6);
  EXPECT_FALSE(r.contains(AF_INET6, v6));
}

class CollectorTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  ManualClock clock{1795000000000};
  normalize::Normalizer normalizer =
      normalize::Normalizer::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/normalize").value();
  std::unique_ptr<eventstore::EventStore> store =
      eventstore::EventStore::open(dir.path() / "events", {.syncWrites = false}).value();
  Collector collector{normalizer, *store, clock, {.undeclaredOrgId = 1}};

  // The events of `orgId` matching `query`.
  std::vector<eventstore::StoredEvent> find(int64_t orgId, const std::string& query) {
    eventstore::SearchRequest request;
    request.scope.orgIds.push_back(orgId);
    request.query = query;
    return store->search(request).value().events;
  }

  void SetUp() override {
    ASSERT_TRUE(crypto::initCrypto().ok());
    collector.setSources({
        SourceRule{.id = 10, .orgId = 4, .name = "Sở Y tế", .addresses = {"10.4.0.0/16"}},
        SourceRule{.id = 11, .orgId = 5, .name = "Tường lửa", .addresses = {"10.4.7.1"}, .zoneOffsetMinutes = 0},
        SourceRule{.id = 12, .orgId = 6, .name = "HTTP", .tokenSha256 = crypto::sha256Hex("vgs_secret")},
        SourceRule{.id = 13, .orgId = 7, .name = "Tắt", .addresses = {"10.9.0.0/16"}, .enabled = false},
    });
  }
};

TEST_F(CollectorTest, AttributesByLongestPrefixThenUndeclared) {
  EXPECT_EQ(collector.attributeAddress("10.4.3.3").sourceId, 10);
  const Attribution fw = collector.attributeAddress("10.4.7.1");
  EXPECT_EQ(fw.sourceId, 11);
  EXPECT_EQ(fw.orgId, 5);
  EXPECT_EQ(fw.zoneOffsetMinutes, 0);
  EXPECT_TRUE(fw.declared);
  EXPECT_EQ(collector.attributeAddress("::ffff:10.4.7.1").sourceId, 11);  // dual-stack socket
  const Attribution other = collector.attributeAddress("10.9.1.1");       // its source is disabled
  EXPECT_EQ(other.sourceId, 0);
  EXPECT_EQ(other.orgId, 1);
  EXPECT_FALSE(other.declared);
  EXPECT_FALSE(collector.attributeAddress("not an address").declared);
}

TEST_F(CollectorTest, AttributesTokensByHash) {
  auto who = collector.attributeToken("vgs_secret");
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->sourceId, 12);
  EXPECT_FALSE(collector.attributeToken("vgs_wrong").has_value());
  EXPECT_FALSE(collector.attributeToken("").has_value());
}

TEST_F(CollectorTest, SyslogBatchIsStoredWithItsSourceAndCounted) {
  const Attribution who = collector.attributeAddress("10.4.3.3");
  std::vector<std::string_view> lines = {
      "<38>Nov 24 10:00:01 web01 sshd[42]: Failed password for root from 10.9.8.7 port 22 ssh2",
      "complete garbage \xff\xfe",
  };
  std::atomic<int> durable{0};
  ASSERT_TRUE(collector
                  .submitSyslog(Input::kSyslogTcp, who, "10.4.3.3", lines,
                                [&](const Status& st) {
                                  EXPECT_TRUE(st.ok());
                                  ++durable;
                                })
                  .ok());
  ASSERT_TRUE(store->flush().ok());
  EXPECT_EQ(durable.load(), 1);
  auto found = find(4, "source.ip:10.9.8.7");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].sourceId, 10);
  ASSERT_NE(found[0].field("host.name"), nullptr);
  EXPECT_EQ(found[0].field("host.name")->text, "web01");
  // The garbage line is kept too (never dropped), counted as a parse error.
  EXPECT_EQ(find(4, "garbage").size(), 1u);
  EXPECT_TRUE(find(5, "*").empty());

  auto senders = collector.senders();
  ASSERT_EQ(senders.size(), 1u);
  EXPECT_EQ(senders[0].events, 2u);
  EXPECT_EQ(senders[0].parseErrors, 1u);
  EXPECT_EQ(senders[0].peer, "10.4.3.3");
  EXPECT_EQ(senders[0].input, Input::kSyslogTcp);
  EXPECT_GT(senders[0].eventsPerSecond, 0);
  EXPECT_EQ(senders[0].lastSeenUs, clock.nowMs() * 1000);
}

TEST_F(CollectorTest, RefusedUndeclaredSendersAreCountedAsDropped) {
  Collector strict{normalizer, *store, clock, {.acceptUndeclared = false}};
  std::vector<std::string_view> lines = {"<13>hello"};
  const Attribution who = strict.attributeAddress("192.0.2.1");
  auto st = strict.submitSyslog(Input::kSyslogUdp, who, "192.0.2.1", lines, nullptr);
  EXPECT_FALSE(st.ok());
  auto senders = strict.senders();
  ASSERT_EQ(senders.size(), 1u);
  EXPECT_EQ(senders[0].dropped, 1u);
  EXPECT_EQ(senders[0].events, 0u);
}

TEST_F(CollectorTest, EventsPerSecondForgetsOldSlots) {
  std::vector<std::string_view> lines(60, "<13>Nov 24 10:00:01 h app: x");
  const Attribution who = collector.attributeAddress("10.4.3.3");
  ASSERT_TRUE(collector.submitSyslog(Input::kSyslogUdp, who, "10.4.3.3", lines, nullptr).ok());
  EXPECT_NEAR(collector.senders()[0].eventsPerSecond, 60.0 / 50.0, 1e-9);  // 60 events over 50 s covered
  clock.advanceMs(120'000);
  EXPECT_EQ(collector.senders()[0].eventsPerSecond, 0);
  EXPECT_EQ(collector.senders()[0].events, 60u);
}

}  // namespace
}  // namespace vigil::collect
