// The event store: typed round trip, query semantics on a fixture (unsealed, sealed, reopened),
// scoping, histograms, top values, retention, corrupt blocks, overflow and the directory lock.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "store_support.h"

using namespace vigil;
using namespace vigil::eventstore;
using namespace vigil::eventstore::testing;

namespace {

Options slowSeal() {
  Options o;
  o.maxSegmentAgeUs = 3600'000'000LL;  // nothing is sealed until flush() or close()
  return o;
}

std::vector<normalize::Event> fixture() {
  std::vector<normalize::Event> v;
  v.push_back(makeEvent(1, 1, kBase + 1 * kMinute, "Failed password for invalid user admin from 10.0.0.5 port 22 ssh2",
                        {{"user.name", "admin"}, {"event.outcome", "failure"}, {"host.name", "web01"}}));
  v.back().setIp("source.ip", "10.0.0.5");
  v.back().setInt("source.port", 22, "22");
  v.push_back(makeEvent(2, 1, kBase + 2 * kMinute, "Accepted password for root from 10.0.0.6 port 2222 ssh2",
                        {{"user.name", "root"}, {"event.outcome", "success"}, {"host.name", "web02"}}, 7));
  v.back().setIp("source.ip", "10.0.0.6");
  v.back().setInt("source.port", 2222, "2222");
  v.push_back(makeEvent(3, 2, kBase + 3 * kMinute, "Người dùng Nguyễn Văn An đăng nhập thất bại",
                        {{"user.name", "Nguyễn Văn An"}, {"event.outcome", "failure"}, {"host.name", "hcm01"}}));
  v.push_back(makeEvent(4, 1, kBase + 4 * kMinute, "sudo: administrator : COMMAND=/usr/bin/systemctl restart nginx",
                        {{"user.name", "administrator"}, {"process.name", "sudo"}, {"host.name", "web01"}}));
  v.push_back(makeEvent(5, 2, kBase + 5 * kMinute, "DANG NHAP thanh cong user=nguyen port 0443",
                        {{"user.name", "nguyen"}, {"event.outcome", "success"}}));
  v.back().setInt("source.port", 443, "0443");
  return v;
}

struct Case {
  std::string query;
  std::vector<int64_t> expected;
};

const std::vector<Case> kCases = {
    {"*", {1, 2, 3, 4, 5}},
    {"", {1, 2, 3, 4, 5}},
    {"user.name:admin", {1}},
    {"user.name:ADMIN", {1}},
    {"user.name:adm*", {1, 4}},
    {"user.name:nguyen", {5}},
    {"user.name:\"nguyen van an\"", {3}},
    {"user.name:\"Nguyễn Văn An\"", {3}},
    {"user.name:\"Nguyên Văn An\"", {}},
    {"user.name:*", {1, 2, 3, 4, 5}},
    {"nguyen", {3, 5}},
    {"Nguyễn", {3}},
    {"đăng nhập", {3}},
    {"dang nhap", {3, 5}},
    {"\"dang nhap thanh\"", {5}},
    {"\"password for\"", {1, 2}},
    {"\"for password\"", {}},
    {"passw*", {1, 2}},
    {"10.0.0.5", {1}},
    {"10.0.0.6", {2}},
    {"source.ip:10.0.0.5", {1}},
    {"source.port:22", {1}},
    {"source.port:022", {1}},
    {"source.port:443", {5}},
    {"source.port:[22 TO 443]", {1, 5}},
    {"source.port:>=2222", {2}},
    {"source.port:<22", {}},
    {"source.port:{22 TO 443}", {}},
    {"event.outcome:failure AND host.name:web01", {1}},
    {"event.outcome:failure OR process.name:sudo", {1, 3, 4}},
    {"NOT event.outcome:success", {1, 3, 4}},
    {"password -root", {1}},
    {"(root OR admin) ssh2", {1, 2}},
    {"host.name:web0?", {1, 2, 4}},
    {"vigil.org_id:2", {3, 5}},
    {"vigil.source_id:7", {2}},
    {"@timestamp:[2026-11-24T10:02:00Z TO 2026-11-24T10:03:00Z]", {2, 3}},
    {"@timestamp:>2026-11-24T10:04:00Z", {5}},
    {"missing.field:x", {}},
    {"absentword", {}},
};

void checkCases(const EventStore& store, const char* stage) {
  for (const auto& c : kCases) EXPECT_EQ(ids(store, c.query), c.expected) << stage << ": " << c.query;
}

TEST(EventStore, QuerySemanticsUnsealedSealedAndReopened) {
  TempDir dir;
  {
    auto store = EventStore::open(dir.path(), slowSeal());
    ASSERT_TRUE(store.ok()) << store.error().message;
    appendDurable(**store, fixture());
    checkCases(**store, "in the log");
    ASSERT_TRUE((*store)->flush().ok());
    EXPECT_EQ((*store)->stats().blocks, 1u);
    checkCases(**store, "sealed");
  }
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok()) << store.error().message;
  checkCases(**store, "reopened");
  EXPECT_EQ((*store)->stats().events, 5u);
}

TEST(EventStore, RoundTripOfTypedFields) {
  TempDir dir;
  const std::string raw = "<38>Nov 24 10:00:00 web01 sshd[42]: Failed password for root from 10.0.0.5 port 22";
  normalize::Event e = makeEvent(9, 3, kBase, raw, {{"user.name", "root"}, {"event.action", "not-in-raw"}}, 11);
  e.setIp("source.ip", "10.0.0.5");
  e.setInt("source.port", 22, "22");
  e.setInt("process.pid", 42, "042");
  e.setTime("event.created", kBase + 5);
  e.setOwnedName("fortinet.firewall.", "vd", normalize::ValueType::kString, "root");
  auto check = [&](const StoredEvent& s) {
    EXPECT_EQ(s.timeUs, kBase);
    EXPECT_EQ(s.orgId, 3);
    EXPECT_EQ(s.sourceId, 11);
    EXPECT_EQ(s.receivedUs, kBase + 1000);
    EXPECT_EQ(s.raw, raw);
    ASSERT_EQ(s.fields.size(), e.size() - 1);  // @timestamp is the event time
    size_t k = 0;
    for (size_t i = 0; i < e.size(); ++i) {
      if (e.nameAt(i) == "@timestamp") continue;
      const auto& f = s.fields[k++];
      EXPECT_EQ(f.name, e.nameAt(i));
      EXPECT_EQ(f.type, e.valueAt(i).type) << f.name;
      EXPECT_EQ(f.number, e.valueAt(i).number) << f.name;
      if (e.valueAt(i).type != normalize::ValueType::kTime) {
        const auto v = e.valueAt(i);
        const std::string text =
            v.type == normalize::ValueType::kInt && v.text.empty() ? std::to_string(v.number) : std::string(v.text);
        EXPECT_EQ(f.text, text) << f.name;
      }
    }
  };
  {
    auto store = EventStore::open(dir.path(), slowSeal());
    ASSERT_TRUE(store.ok());
    appendDurable(**store, {e});
    auto r = (*store)->search({allOrgs(), "", 0, INT64_MAX, true, 0, 10});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->events.size(), 1u);
    check(r->events[0]);
  }
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok());
  auto r = (*store)->search({allOrgs(), "process.pid:42 fortinet.firewall.vd:root", 0, INT64_MAX, true, 0, 10});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->events.size(), 1u);
  check(r->events[0]);
}

TEST(EventStore, ScopeHidesOtherOrgsEverywhere) {
  TempDir dir;
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok());
  appendDurable(**store, fixture());
  for (int sealed = 0; sealed < 2; ++sealed) {
    const Scope org1{false, {1}}, org2{false, {2}}, none{false, {}};
    EXPECT_EQ(ids(**store, "*", org1), (std::vector<int64_t>{1, 2, 4}));
    EXPECT_EQ(ids(**store, "*", org2), (std::vector<int64_t>{3, 5}));
    EXPECT_EQ(ids(**store, "nguyen", org1), (std::vector<int64_t>{}));
    EXPECT_EQ(ids(**store, "vigil.org_id:2", org1), (std::vector<int64_t>{}));
    EXPECT_EQ(ids(**store, "*", none), (std::vector<int64_t>{}));
    auto h = (*store)->histogram(org1, "", kBase, kBase + 10 * kMinute, kMinute);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->total, 3u);
    auto top = (*store)->topValues(org2, "", 0, INT64_MAX, "user.name", 10);
    ASSERT_TRUE(top.ok());
    EXPECT_EQ(top->eventsMatched, 2u);
    for (const auto& [v, n] : top->values) EXPECT_TRUE(v == "nguyen" || v == "Nguyễn Văn An") << v;
    ASSERT_TRUE((*store)->flush().ok());
  }
}

TEST(EventStore, HistogramAndTopValues) {
  TempDir dir;
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok());
  std::vector<normalize::Event> evs;
  for (int i = 0; i < 600; ++i)
    evs.push_back(makeEvent(i, 1 + i % 2, kBase + i * 6'000'000LL, "login by user" + std::to_string(i % 3),
                            {{"user.name", "user" + std::to_string(i % 3)}}));
  appendDurable(**store, evs);
  for (int sealed = 0; sealed < 2; ++sealed) {
    auto h = (*store)->histogram(allOrgs(), "", kBase, kBase + 60 * kMinute, 10 * kMinute);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->counts, (std::vector<uint64_t>{100, 100, 100, 100, 100, 100}));
    EXPECT_EQ(h->total, 600u);
    auto hq = (*store)->histogram(allOrgs(), "user.name:user0", kBase, kBase + 60 * kMinute, 30 * kMinute);
    ASSERT_TRUE(hq.ok());
    EXPECT_EQ(hq->counts, (std::vector<uint64_t>{100, 100}));
    auto top = (*store)->topValues(allOrgs(), "NOT user.name:user2", 0, INT64_MAX, "user.name", 5);
    ASSERT_TRUE(top.ok());
    EXPECT_EQ(top->values, (std::vector<std::pair<std::string, uint64_t>>{{"user0", 200}, {"user1", 200}}));
    auto orgs = (*store)->topValues(allOrgs(), "", kBase, kBase + 10 * kMinute, "vigil.org_id", 5);
    ASSERT_TRUE(orgs.ok());
    EXPECT_EQ(orgs->values, (std::vector<std::pair<std::string, uint64_t>>{{"1", 50}, {"2", 50}}));
    ASSERT_TRUE((*store)->flush().ok());
  }
  EXPECT_FALSE((*store)->histogram(allOrgs(), "", kBase, kBase + kDay, 1).ok());  // too many buckets
  EXPECT_FALSE((*store)->histogram(allOrgs(), "(", kBase, kBase + kDay, kMinute * 60).ok());
}

TEST(EventStore, SearchSortsAndPages) {
  TempDir dir;
  Options o = slowSeal();
  o.maxBlockEvents = 64;  // many blocks, so the early stop across blocks is exercised
  auto store = EventStore::open(dir.path(), o);
  ASSERT_TRUE(store.ok());
  std::vector<normalize::Event> evs;
  for (int i = 0; i < 1000; ++i) evs.push_back(makeEvent(i, 1, kBase + (i * 7919 % 1000) * 1000, "event"));
  appendDurable(**store, evs);
  ASSERT_TRUE((*store)->flush().ok());
  EXPECT_GE((*store)->stats().blocks, 15u);
  auto page = (*store)->search({allOrgs(), "event", 0, INT64_MAX, true, 10, 5});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 5u);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(page->events[k].timeUs, kBase + (989 - k) * 1000);
  auto asc = (*store)->search({allOrgs(), "", kBase + 500 * 1000, INT64_MAX, false, 0, 3});
  ASSERT_TRUE(asc.ok());
  ASSERT_EQ(asc->events.size(), 3u);
  EXPECT_EQ(asc->events[0].timeUs, kBase + 500 * 1000);
  EXPECT_EQ(asc->events[2].timeUs, kBase + 502 * 1000);
  EXPECT_FALSE((*store)->search({allOrgs(), "a:", 0, INT64_MAX, true, 0, 5}).ok());
  EXPECT_FALSE((*store)->search({allOrgs(), "", 0, INT64_MAX, true, 0, 20000}).ok());
}

TEST(EventStore, RetentionByDaysAndBytes) {
  TempDir dir;
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok());
  for (int day = 0; day < 5; ++day) {
    std::vector<normalize::Event> evs;
    for (int i = 0; i < 100; ++i)
      evs.push_back(makeEvent(day * 100 + i, 1, kBase + day * kDay + i,
                              "day " + std::to_string(day) + " event " + std::to_string(i)));
    appendDurable(**store, evs);
  }
  ASSERT_TRUE((*store)->flush().ok());
  ASSERT_EQ((*store)->stats().partitions.size(), 5u);
  // Now is the end of day 4; keep two days: days 0..1 end before now - 2 days... day 2 ends at day 3.
  const TimeUs now = (kBase / kDay + 5) * kDay;
  auto r = (*store)->applyRetention({2, 0, now});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deletedPartitions, (std::vector<std::string>{"2026-11-24", "2026-11-25", "2026-11-26"}));
  EXPECT_EQ(r->deletedEvents, 300u);
  EXPECT_EQ(ids(**store, "*").size(), 200u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "events-2026-11-24.vgb"));
  const Stats st = (*store)->stats();
  ASSERT_EQ(st.partitions.size(), 2u);
  auto bytes = (*store)->applyRetention({0, st.partitions[1].diskBytes, now});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->deletedPartitions, (std::vector<std::string>{"2026-11-27"}));
  EXPECT_EQ(ids(**store, "*").front(), 400);
  // Still writable afterwards, including into a deleted day.
  appendDurable(**store, {makeEvent(7, 1, kBase, "late event")});
  ASSERT_TRUE((*store)->flush().ok());
  EXPECT_EQ(ids(**store, "late").size(), 1u);
}

TEST(EventStore, RetentionPerAgencyRewritesDayFiles) {
  TempDir dir;
  Options o = slowSeal();
  o.maxBlockEvents = 50;  // several blocks per day, some with one agency only
  {
    auto store = EventStore::open(dir.path(), o);
    ASSERT_TRUE(store.ok());
    std::vector<normalize::Event> evs;
    for (int day = 0; day < 3; ++day)
      for (int i = 0; i < 120; ++i) {
        const int org = i < 60 ? 1 : 2 + i % 2;  // org 1 alone in the first blocks, then 2 and 3 mixed
        evs.push_back(
            makeEvent(day * 1000 + i, org, kBase + day * kDay + i, "retention event org" + std::to_string(org)));
      }
    appendDurable(**store, evs);
    ASSERT_TRUE((*store)->flush().ok());
    const TimeUs now = (kBase / kDay + 3) * kDay;  // the start of the fourth day
    RetentionPolicy p;
    p.nowUs = now;
    p.orgMaxDays = {{2, 2}, {3, 0}};  // org 2 keeps 2 days: its first day goes; org 3 has no own limit
    auto r = (*store)->applyRetention(p);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->rewrittenPartitions, (std::vector<std::string>{"2026-11-24"}));
    EXPECT_TRUE(r->deletedPartitions.empty());
    EXPECT_EQ(r->deletedEvents, 30u);
    EXPECT_EQ(ids(**store, "*", Scope{false, {2}}).size(), 60u);
    EXPECT_EQ(ids(**store, "*", Scope{false, {1}}).size(), 180u);
    EXPECT_EQ(ids(**store, "*", Scope{false, {3}}).size(), 90u);
    EXPECT_EQ(ids(**store, "org2", allOrgs(), kBase, kBase + kDay).size(), 0u);
    EXPECT_EQ(ids(**store, "org3", allOrgs(), kBase, kBase + kDay).size(), 30u);
    RetentionPolicy bad;
    bad.orgMaxDays = {{2, -1}};
    EXPECT_FALSE((*store)->applyRetention(bad).ok());
  }
  auto store = EventStore::open(dir.path(), o);  // the rewritten file reads back the same
  ASSERT_TRUE(store.ok()) << store.error().message;
  const auto all = ids(**store, "*");
  EXPECT_EQ(all.size(), 330u);
  EXPECT_EQ(std::count(all.begin(), all.end(), -1), 0) << "an event lost its fields in the rewrite";
  EXPECT_EQ(ids(**store, "test.id:[0 TO 59]").size(), 60u);    // day 0: org 1 only
  EXPECT_EQ(ids(**store, "test.id:[60 TO 119]").size(), 30u);  // day 0: org 3 left
  EXPECT_EQ(ids(**store, "org2", allOrgs(), kBase, kBase + kDay).size(), 0u);
  EXPECT_EQ((*store)->stats().corruptBlocks, 0u);
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_FALSE(e.path().string().ends_with(".tmp")) << e.path();
}

// Flips one byte of the last block of a partition file (inside its fields frame).
void corruptTail(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  const off_t size = ::lseek(fd, 0, SEEK_END);
  char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, size - 3), 1);
  c ^= 0x5A;
  ASSERT_EQ(::pwrite(fd, &c, 1, size - 3), 1);
  ::close(fd);
}

TEST(EventStore, CorruptBlockIsSkippedAndCounted) {
  TempDir dir;
  {
    auto store = EventStore::open(dir.path(), slowSeal());
    ASSERT_TRUE(store.ok());
    appendDurable(**store, {makeEvent(1, 1, kBase, "first day"), makeEvent(2, 1, kBase + kDay, "second day")});
  }
  corruptTail(dir.path() / "events-2026-11-25.vgb");
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(ids(**store, "day"), (std::vector<int64_t>{1}));
  EXPECT_EQ(ids(**store, "second"), (std::vector<int64_t>{}));
  EXPECT_EQ((*store)->stats().corruptBlocks, 1u);
  auto top = (*store)->topValues(allOrgs(), "", 0, INT64_MAX, "test.id", 5);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->eventsMatched, 1u);
  EXPECT_EQ((*store)->stats().corruptBlocks, 1u);  // counted once
}

TEST(EventStore, CorruptHeaderAndGarbageTailAtOpen) {
  TempDir dir;
  {
    auto store = EventStore::open(dir.path(), slowSeal());
    ASSERT_TRUE(store.ok());
    appendDurable(**store, {makeEvent(1, 1, kBase, "one")});
    ASSERT_TRUE((*store)->flush().ok());
    appendDurable(**store, {makeEvent(2, 1, kBase + 1, "two")});
  }
  const auto file = dir.path() / "events-2026-11-24.vgb";
  {
    // Damage the first block's header (its walSeq byte right after the 20-byte prefix).
    int fd = ::open(file.c_str(), O_RDWR);
    char c = 0;
    ASSERT_EQ(::pread(fd, &c, 1, 20), 1);
    c ^= 0x01;
    ASSERT_EQ(::pwrite(fd, &c, 1, 20), 1);
    ::close(fd);
    std::ofstream(file, std::ios::app) << "garbage that is not a block";
  }
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(ids(**store, "*"), (std::vector<int64_t>{2}));
  const Stats st = (*store)->stats();
  EXPECT_EQ(st.corruptBlocks, 1u);
  EXPECT_EQ(st.truncatedBytes, std::string("garbage that is not a block").size());
}

TEST(EventStore, OverflowIsRefusedAndCounted) {
  TempDir dir;
  Options o;
  o.maxQueuedBytes = 4096;
  auto store = EventStore::open(dir.path(), o);
  ASSERT_TRUE(store.ok());
  std::vector<normalize::Event> big{makeEvent(1, 1, kBase, std::string(10000, 'x'))};
  bool called = false;
  Status st = (*store)->append(big, [&](const Status&) { called = true; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_GT(st.error().retryAfterSeconds, 0);
  const Stats s = (*store)->stats();
  EXPECT_EQ(s.rejectedBatches, 1u);
  EXPECT_EQ(s.rejectedEvents, 1u);
  ASSERT_TRUE((*store)->flush().ok());
  EXPECT_FALSE(called);
  EXPECT_EQ(ids(**store, "*").size(), 0u);
  appendDurable(**store, {makeEvent(2, 1, kBase, "small")});
  EXPECT_EQ(ids(**store, "*"), (std::vector<int64_t>{2}));
}

// A log segment is sealed once it holds maxSegmentBytes (it stays in memory until then), even
// when neither its age nor its event count says so: the bound on memory of README.md.
TEST(EventStore, SegmentIsSealedAtItsByteCap) {
  for (const bool capped : {false, true}) {
    TempDir dir;
    Options o = slowSeal();
    o.maxSegmentBytes = capped ? 4096 : 64ull << 20;
    auto store = EventStore::open(dir.path(), o);
    ASSERT_TRUE(store.ok());
    std::vector<normalize::Event> batch;
    for (int i = 0; i < 50; ++i) batch.push_back(makeEvent(i, 1, kBase + i, std::string(200, 'a' + i % 26)));
    appendDurable(**store, batch);  // ~10 KB in one record: over the 4 KiB cap
    Stats s = (*store)->stats();
    for (int i = 0; i < 500 && capped && s.blocks == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      s = (*store)->stats();
    }
    EXPECT_EQ(s.blocks > 0, capped) << (capped ? "a full segment waits for its age" : "sealed early");
    EXPECT_EQ(s.events, 50u);
  }
}

// A full disk (here the file-size limit: writes past it fail with EFBIG) makes the store refuse
// new batches (push-back) and retry the ones it accepted; once there is room again they are
// written and acknowledged, none lost, none acknowledged before.
TEST(EventStore, FullDiskPushesBackAndLosesNothing) {
  TempDir dir;
  auto store = EventStore::open(dir.path(), slowSeal());
  ASSERT_TRUE(store.ok());
  appendDurable(**store, {makeEvent(1, 1, kBase, "before the disk fills")});
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit full = old;
  full.rlim_cur = (*store)->stats().diskBytes + 64;  // the log segment cannot grow by a batch
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &full), 0);

  std::vector<std::future<Status>> acks;
  std::vector<int64_t> accepted;
  bool refused = false;
  for (int64_t id = 2; id < 400 && !refused; ++id) {
    auto done = std::make_shared<std::promise<Status>>();
    auto future = done->get_future();
    Status st = (*store)->append(std::vector<normalize::Event>{makeEvent(id, 1, kBase + id, std::string(300, 'x'))},
                                 [done](const Status& s) { done->set_value(s); });
    if (st.ok()) {
      accepted.push_back(id);
      acks.push_back(std::move(future));
    } else {
      EXPECT_EQ(st.error().code, ErrorCode::kUnavailable) << st.error().message;
      EXPECT_GT(st.error().retryAfterSeconds, 0);
      refused = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(refused) << "the store kept accepting while it could not write";
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.front().wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "acknowledged although not written";

  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old), 0);  // room again
  std::signal(SIGXFSZ, oldHandler);
  for (auto& f : acks) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_TRUE(f.get().ok());
  }
  appendDurable(**store, {makeEvent(1000, 1, kBase + 1000, "after")});
  std::vector<int64_t> expected{1};
  expected.insert(expected.end(), accepted.begin(), accepted.end());
  expected.push_back(1000);
  EXPECT_EQ(ids(**store, ""), expected);
  EXPECT_GT((*store)->stats().rejectedBatches, 0u);
}

// The day files cannot grow (file-size limit) while the small log segments still can: the sealer
// fails, segments pile up, the writer stops rotating and appends are refused; close() must still
// return, and every acknowledged event is back after reopening (the log is replayed).
TEST(EventStore, CloseWhileTheSealerCannotWrite) {
  TempDir dir;
  Options o = slowSeal();
  o.maxSegmentEvents = 1;  // a segment (and a seal) per event
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  std::vector<int64_t> acked;
  {
    auto store = EventStore::open(dir.path(), o);
    ASSERT_TRUE(store.ok());
    rlimit small = old;
    small.rlim_cur = 3000;  // a one-event segment fits, a day file of a few blocks does not
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    for (int64_t id = 1; id <= 40; ++id) {
      // Shared: when the writer is held the loop ends while the store still holds the callback.
      auto done = std::make_shared<std::promise<Status>>();
      auto f = done->get_future();
      Status st = (*store)->append(std::vector<normalize::Event>{makeEvent(id, 1, kBase + id, std::string(200, 'y'))},
                                   [done](const Status& s) { done->set_value(s); });
      if (!st.ok()) break;
      if (f.wait_for(std::chrono::seconds(2)) != std::future_status::ready) break;  // the writer is held
      if (f.get().ok()) acked.push_back(id);
    }
    auto closing = std::async(std::launch::async, [&] { (*store)->close(); });
    EXPECT_EQ(closing.wait_for(std::chrono::seconds(15)), std::future_status::ready) << "close() hangs";
    closing.wait();
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old), 0);
  }
  std::signal(SIGXFSZ, oldHandler);
  EXPECT_GE(acked.size(), 5u);
  EXPECT_LT(acked.size(), 40u) << "the sealer never failed: the test did not test anything";
  auto reopened = EventStore::open(dir.path(), o);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  const auto found = ids(**reopened, "");
  for (int64_t id : acked) EXPECT_TRUE(std::binary_search(found.begin(), found.end(), id)) << id;
}

// Blocks are decoded into reused buffers, so events of two blocks can sit at the same address with
// the same length: nothing computed for one may be reused for the other.
TEST(EventStore, EventsOfDifferentBlocksAreNeverConfused) {
  TempDir dir;
  Options o = slowSeal();
  o.maxBlockEvents = 2;
  auto store = EventStore::open(dir.path(), o);
  ASSERT_TRUE(store.ok());
  appendDurable(**store, {makeEvent(1, 1, kBase + 1, "alpha 11"), makeEvent(2, 1, kBase + 2, "bravo 22"),
                          makeEvent(3, 1, kBase + 3, "gamma 11"), makeEvent(4, 1, kBase + 4, "delta 22")});
  ASSERT_TRUE((*store)->flush().ok());
  EXPECT_EQ((*store)->stats().blocks, 2u);
  for (const char* q : {"alpha", "gamma", "\"gamma 11\"", "NOT alpha", "gam*"}) {
    const auto got = ids(**store, q);
    const std::vector<int64_t> want = std::string(q) == "alpha"       ? std::vector<int64_t>{1}
                                      : std::string(q) == "NOT alpha" ? std::vector<int64_t>{2, 3, 4}
                                                                      : std::vector<int64_t>{3};
    EXPECT_EQ(got, want) << q;
  }
}

// Appenders, searches, histograms and stats at the same time while segments seal underneath.
TEST(EventStore, ConcurrentAppendsAndReads) {
  TempDir dir;
  Options o;
  o.maxSegmentEvents = 500;
  o.maxBlockEvents = 200;
  auto store = EventStore::open(dir.path(), o);
  ASSERT_TRUE(store.ok());
  constexpr int kThreads = 3, kBatches = 40, kPerBatch = 50;
  std::atomic<int> acked{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<normalize::Event> evs;
        for (int i = 0; i < kPerBatch; ++i) {
          const int id = (t * kBatches + b) * kPerBatch + i;
          evs.push_back(makeEvent(id, 1 + t, kBase + id, "concurrent event from writer" + std::to_string(t),
                                  {{"host.name", "w" + std::to_string(t)}}));
        }
        while (!(*store)->append(evs, [&](const Status& s) { acked += s.ok() ? kPerBatch : 0; }).ok())
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  uint64_t lastSeen = 0;
  std::thread reader([&] {
    while (!done) {
      auto h = (*store)->histogram(allOrgs(), "concurrent", kBase, kBase + kDay, kDay);
      ASSERT_TRUE(h.ok());
      EXPECT_GE(h->total, lastSeen);  // durable events never disappear
      lastSeen = h->total;
      auto r = (*store)->search({Scope{false, {2}}, "host.name:w1", 0, INT64_MAX, true, 0, 10});
      ASSERT_TRUE(r.ok());
      for (const auto& e : r->events) EXPECT_EQ(e.orgId, 2);
      (void)(*store)->stats();
    }
  });
  for (auto& w : writers) w.join();
  ASSERT_TRUE((*store)->flush().ok());
  done = true;
  reader.join();
  EXPECT_EQ(acked.load(), kThreads * kBatches * kPerBatch);
  EXPECT_EQ(ids(**store, "concurrent").size(), static_cast<size_t>(kThreads * kBatches * kPerBatch));
  auto top = (*store)->topValues(allOrgs(), "", 0, INT64_MAX, "host.name", 5);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->values,
            (std::vector<std::pair<std::string, uint64_t>>{
                {"w0", kBatches * kPerBatch}, {"w1", kBatches * kPerBatch}, {"w2", kBatches * kPerBatch}}));
}

TEST(EventStore, OneProcessPerDirectory) {
  TempDir dir;
  auto a = EventStore::open(dir.path());
  ASSERT_TRUE(a.ok());
  auto b = EventStore::open(dir.path());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kUnavailable);
  (*a)->close();
  EXPECT_FALSE((*a)->append({}, nullptr).ok());
}

}  // namespace
