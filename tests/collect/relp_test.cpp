// The RELP listener end to end: rsyslog's omrelp (the real client agencies use) forwards a file
// through it, also while the store pushes back; raw clients check the protocol (answers only
// after the batch is durable, close, faults counted and sessions closed without disturbing the
// others). Events are read back from the event store, figures from the collector.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "collect/collector.h"
#include "collect/relp_frame.h"
#include "collect/relp_listener.h"
#include "config/config.h"
#include "core/clock.h"
#include "eventstore/event_store.h"
#include "normalize/normalizer.h"
#include "support/raw_client.h"

namespace vigil::collect {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string uniqueToken(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  return prefix + std::to_string(rng() % 1000000000ULL);
}

bool run(const std::string& command) { return std::system(command.c_str()) == 0; }

bool haveRsyslogRelp() {
  return run("command -v rsyslogd >/dev/null 2>&1") && fs::exists("/usr/lib/x86_64-linux-gnu/rsyslog/omrelp.so");
}

// A RELP client over a raw socket: opens its session by hand.
class RelpClient : public vigil::testing::RawClient {
 public:
  using RawClient::RawClient;
  // Opens a session and waits for its answer.
  bool open() {
    const std::string offers = "relp_version=0\nrelp_software=t\ncommands=syslog";
    return send("1 open " + std::to_string(offers.size()) + " " + offers + "\n") &&
           receive("commands=syslog\n")
                   .find("1 rsp 57 200 OK\nrelp_version=0\nrelp_software=vigil\ncommands=syslog\n") !=
               std::string::npos;
  }
};

std::string syslogFrame(uint32_t txnr, const std::string& message) {
  return std::to_string(txnr) + " syslog " + std::to_string(message.size()) + " " + message + "\n";
}

class RelpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / uniqueToken("vigil-relp-");
    fs::create_directories(dir_);
    auto n = normalize::Normalizer::load(fs::path(VIGIL_TEST_SOURCE_DIR) / "catalogs" / "normalize");
    ASSERT_TRUE(n.ok()) << n.error().message;
    normalizer_ = std::make_unique<normalize::Normalizer>(std::move(*n));
  }
  void TearDown() override {
    if (!rsyslogPid_.empty()) run("kill $(cat " + rsyslogPid_ + ") 2>/dev/null");
    if (listener_) listener_->stop();
    listener_.reset();
    collector_.reset();
    if (store_) store_->close();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void start(RelpListenerOptions o = {}, eventstore::Options storeOptions = {}) {
    auto s = eventstore::EventStore::open(dir_ / "events", storeOptions);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    collector_ = std::make_unique<Collector>(*normalizer_, *store_, clock_);
    if (o.address.empty()) o.address = "127.0.0.1:0";
    auto l = RelpListener::start(*collector_, o);
    ASSERT_TRUE(l.ok()) << l.error().message;
    listener_ = std::move(*l);
    ASSERT_NE(listener_->port(), 0);
  }

  std::optional<SenderStats> sender() const {
    for (const auto& s : collector_->senders())
      if (s.input == Input::kRelp && s.peer == "127.0.0.1") return s;
    return std::nullopt;
  }

  template <typename F>
  static bool eventually(F ok, std::chrono::seconds limit = 10s) {
    for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
      if (ok()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return ok();
  }

  // Every stored event, paging through the store.
  std::vector<eventstore::StoredEvent> allEvents() {
    EXPECT_TRUE(store_->flush().ok());
    std::vector<eventstore::StoredEvent> all;
    for (size_t offset = 0;; offset += 10000) {
      eventstore::SearchRequest r;
      r.scope.allOrgs = true;
      r.limit = 10000;
      r.offset = offset;
      auto found = store_->search(r);
      EXPECT_TRUE(found.ok()) << found.error().message;
      if (!found.ok() || found->events.empty()) break;
      for (auto& e : found->events) all.push_back(std::move(e));
    }
    return all;
  }

  // Starts rsyslogd: imfile reads `input` from its start and forwards every line with omrelp.
  void startRsyslog(const fs::path& input, const std::string& tag, int window = 128) {
    const fs::path work = dir_ / "rsyslog";
    fs::create_directories(work);
    std::ofstream(work / "rsyslog.conf") << "global(workDirectory=\"" << work.string() << "\")\n"
                                         << "module(load=\"imfile\" mode=\"polling\" PollingInterval=\"1\")\n"
                                         << "module(load=\"omrelp\")\n"
                                         << "input(type=\"imfile\" File=\"" << input.string() << "\" Tag=\"" << tag
                                         << "\" freshStartTail=\"off\")\n"
                                         << "action(type=\"omrelp\" target=\"127.0.0.1\" port=\"" << listener_->port()
                                         << "\" windowSize=\"" << window << "\")\n";
    rsyslogPid_ = (work / "rsyslogd.pid").string();
    ASSERT_TRUE(run("rsyslogd -f " + (work / "rsyslog.conf").string() + " -i " + rsyslogPid_ + " >" +
                    (work / "out.txt").string() + " 2>&1"));
  }

  // Writes `n` lines "<runId> line <i>" to a file.
  fs::path writeLines(const std::string& runId, int n, size_t padding = 0) {
    const fs::path file = dir_ / "in.log";
    std::ofstream out(file);
    const std::string pad(padding, 'p');
    for (int i = 0; i < n; ++i) out << runId << " line " << i << " of the relp run " << pad << "\n";
    return file;
  }

  // How many times each line number of `runId` was stored; fails on unknown lines.
  std::vector<int> lineCounts(const std::string& runId, int n) {
    std::vector<int> counts(static_cast<size_t>(n), 0);
    for (const auto& e : allEvents()) {
      const size_t at = e.raw.find(runId + " line ");
      if (at == std::string::npos) continue;
      const int i = std::atoi(e.raw.c_str() + at + runId.size() + 6);
      if (i >= 0 && i < n) ++counts[static_cast<size_t>(i)];
    }
    return counts;
  }

  fs::path dir_;
  SystemClock clock_;
  std::unique_ptr<normalize::Normalizer> normalizer_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<RelpListener> listener_;
  std::string rsyslogPid_;
};

#define REQUIRE_RSYSLOG_RELP() \
  if (!haveRsyslogRelp()) GTEST_SKIP() << "rsyslog with rsyslog-relp is not installed (scripts/install-deps.sh test)"

// (a) rsyslog forwards 20,000 lines over RELP: all are stored once, searchable, attributed to
// the source declared for the sender's address.
TEST_F(RelpTest, RsyslogForwardsEveryLine) {
  REQUIRE_RSYSLOG_RELP();
  start();
  collector_->setSources({{.id = 7, .orgId = 3, .name = "loopback", .addresses = {"127.0.0.0/8"}}});
  constexpr int kLines = 20000;
  const std::string runId = uniqueToken("relprun");
  startRsyslog(writeLines(runId, kLines), "relpapp");
  const bool all = eventually(
      [&] {
        auto s = sender();
        return s && s->events >= kLines;
      },
      60s);
  auto s = sender();
  ASSERT_TRUE(s) << "rsyslogd sent nothing; see " << (dir_ / "rsyslog" / "out.txt").string();
  EXPECT_TRUE(all) << s->events << " of " << kLines;
  EXPECT_EQ(s->events, static_cast<uint64_t>(kLines));
  EXPECT_EQ(s->sourceId, 7);
  EXPECT_EQ(s->rejected + s->dropped + s->parseErrors, 0u);
  const auto counts = lineCounts(runId, kLines);
  for (int i = 0; i < kLines; ++i) ASSERT_EQ(counts[static_cast<size_t>(i)], 1) << "line " << i;
  // Searchable, with the fields of a syslog message.
  eventstore::SearchRequest r;
  r.scope.allOrgs = true;
  r.query = "\"" + runId + " line 12345 \"";
  auto found = store_->search(r);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->events.size(), 1u);
  const auto& e = found->events[0];
  EXPECT_EQ(e.orgId, 3);
  EXPECT_EQ(e.sourceId, 7);
  const auto* process = e.field("process.name");
  ASSERT_NE(process, nullptr);
  EXPECT_EQ(process->text, "relpapp");
}

// (b) A store queue too small for rsyslog's bursts refuses batches: the listener withholds the
// answers and resubmits; rsyslog keeps its session and every line arrives exactly once.
TEST_F(RelpTest, RsyslogUnderPushBackLosesNothing) {
  REQUIRE_RSYSLOG_RELP();
  eventstore::Options small;
  small.maxQueuedBytes = 256 << 10;
  RelpListenerOptions o;
  o.retryDelay = 5ms;
  start(o, small);
  constexpr int kLines = 20000;
  const std::string runId = uniqueToken("relppush");
  // 1 KB lines and a window of 1,024 unanswered frames: far more than the queue holds.
  startRsyslog(writeLines(runId, kLines, 1000), "pushapp", 1024);
  const bool all = eventually(
      [&] {
        auto s = sender();
        return s && s->events >= kLines;
      },
      90s);
  auto s = sender();
  ASSERT_TRUE(s) << "rsyslogd sent nothing; see " << (dir_ / "rsyslog" / "out.txt").string();
  EXPECT_TRUE(all) << s->events << " of " << kLines;
  EXPECT_GT(s->rejected, 0u) << "the store never pushed back: the test proves nothing";
  EXPECT_EQ(s->dropped, 0u);
  const auto counts = lineCounts(runId, kLines);
  for (int i = 0; i < kLines; ++i) ASSERT_EQ(counts[static_cast<size_t>(i)], 1) << "line " << i;
}

// (d) The answer to a syslog frame is written only after the store reported its batch durable:
// while the durable callback is held back, nothing arrives; once it runs, `200 OK` does.
TEST_F(RelpTest, AnswerOnlyAfterDurable) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int durableBatches = 0;
  RelpListenerOptions o;
  o.beforeAcknowledging = [&] {
    std::unique_lock lk(mu);
    ++durableBatches;
    cv.notify_all();
    cv.wait(lk, [&] { return release; });
  };
  start(o);
  RelpClient c(listener_->port());
  ASSERT_TRUE(c.open());
  const std::string token = uniqueToken("durable");
  ASSERT_TRUE(c.send(syslogFrame(2, "<13>Nov 24 10:00:00 h1 app: " + token)));
  {
    std::unique_lock lk(mu);
    ASSERT_TRUE(cv.wait_for(lk, 5s, [&] { return durableBatches == 1; }));
  }
  // Durable (the store's contract for the callback) but not yet acknowledged.
  EXPECT_EQ(c.receive("2 rsp", 500ms).find("2 rsp"), std::string::npos);
  {
    std::lock_guard lk(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_NE(c.receive("2 rsp 6 200 OK\n").find("2 rsp 6 200 OK\n"), std::string::npos);
  // close is answered, then the server closes the session.
  ASSERT_TRUE(c.send("3 close 0\n"));
  EXPECT_NE(c.receive("3 rsp 6 200 OK\n").find("3 rsp 6 200 OK\n"), std::string::npos);
  EXPECT_TRUE(c.closedByServer());
  auto s = sender();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->events, 1u);
}

// Several frames in one write are one batch; their answers come in order.
TEST_F(RelpTest, PipelinedFramesAnsweredInOrder) {
  start();
  RelpClient c(listener_->port());
  ASSERT_TRUE(c.open());
  std::string frames, expected;
  for (uint32_t t = 2; t < 52; ++t) {
    frames += syslogFrame(t, "<13>Nov 24 10:00:00 h1 app: pipelined " + std::to_string(t));
    expected += std::to_string(t) + " rsp 6 200 OK\n";
  }
  ASSERT_TRUE(c.send(frames));
  const std::string got = c.receive("51 rsp 6 200 OK\n");
  EXPECT_NE(got.find(expected), std::string::npos) << got;
  EXPECT_TRUE(eventually([&] {
    auto s = sender();
    return s && s->events == 50;
  }));
}

// More frames than the session's window of unanswered frames: the session stops reading while
// it waits for the store, stays open, and reads on once answers went out.
TEST_F(RelpTest, FramesBeyondTheWindowWaitAndAreAnswered) {
  RelpListenerOptions o;
  o.maxUnacked = 8;
  start(o);
  RelpClient c(listener_->port());
  ASSERT_TRUE(c.open());
  std::string frames;
  for (uint32_t t = 2; t < 202; ++t)
    frames += syslogFrame(t, "<13>Nov 24 10:00:00 h1 app: windowed " + std::to_string(t));
  ASSERT_TRUE(c.send(frames));
  const std::string got = c.receive("201 rsp 6 200 OK\n");
  EXPECT_NE(got.find("201 rsp 6 200 OK\n"), std::string::npos) << got.substr(got.size() > 200 ? got.size() - 200 : 0);
  EXPECT_TRUE(eventually([&] {
    auto s = sender();
    return s && s->events == 200;
  }));
  EXPECT_EQ(listener_->openConnections(), 1);
}

// A store that refuses everything: the frame is never acknowledged, the session stays open, the
// refusals are counted as rejected (not dropped).
TEST_F(RelpTest, RefusingStoreGetsNoAcknowledgement) {
  eventstore::Options tiny;
  tiny.maxQueuedBytes = 16;
  RelpListenerOptions o;
  o.retryDelay = 20ms;
  start(o, tiny);
  RelpClient c(listener_->port());
  ASSERT_TRUE(c.open());
  ASSERT_TRUE(c.send(syslogFrame(2, "<13>Nov 24 10:00:00 h1 app: held back")));
  EXPECT_TRUE(eventually([&] {
    auto s = sender();
    return s && s->rejected >= 3;
  }));
  EXPECT_EQ(c.receive("2 rsp", 300ms).find("2 rsp"), std::string::npos);
  auto s = sender();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->events, 0u);
  EXPECT_EQ(s->dropped, 0u);
  EXPECT_EQ(listener_->openConnections(), 1);
}

// (c) Bad input, each from its own session: the fault is answered (500 when its frame is known,
// then the serverclose hint), the session is closed, the fault counted; a good sender meanwhile
// is served, even with one io thread.
struct BadCase {
  const char* name;
  bool open;                  // open the session first
  std::string bytes;          // then send these
  const char* expectedReply;  // in the answer before the server closes; "" = nothing particular
};

TEST_F(RelpTest, BadInputIsCountedAndClosesOnlyThatSession) {
  RelpListenerOptions o;
  o.maxFrameBytes = 1000;
  o.ioThreads = 1;
  start(o);
  const BadCase cases[] = {
      {"garbage", false, "\xff\xfe garbage\n", "0 serverclose 0\n"},
      {"syslog before open", false, "1 syslog 5 hello\n", "1 rsp 22 500 syslog before open\n0 serverclose 0\n"},
      {"wrong datalen", true, "2 syslog 5 <13>hello world\n", "2 rsp"},
      {"oversized frame", true, "2 syslog 70000 ", "over the bound of 1000 bytes"},
      {"unknown command", true, "2 starttls 0\n", "2 rsp 30 500 unknown command 'starttls'\n"},
      {"second open", true, "2 open 14 relp_version=0\n", "500 a second open"},
      {"txnr too long", false, "1234567890 open 0\n", "0 serverclose 0\n"},
  };
  RelpClient good(listener_->port());
  ASSERT_TRUE(good.open());
  uint32_t txnr = 2;
  uint64_t expectedErrors = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RelpClient bad(listener_->port());
    if (c.open) {
      ASSERT_TRUE(bad.open());
    }
    ASSERT_TRUE(bad.send(c.bytes));
    // The good sender is served while the bad one waits or is cut off.
    const std::string token = uniqueToken("good");
    ASSERT_TRUE(good.send(syslogFrame(txnr, "<13>Nov 24 10:00:00 h1 app: " + token)));
    const std::string ack = std::to_string(txnr) + " rsp 6 200 OK\n";
    EXPECT_NE(good.receive(ack).find(ack), std::string::npos);
    ++txnr;
    const std::string reply = bad.receive("serverclose", 3s);
    EXPECT_NE(reply.find(c.expectedReply), std::string::npos) << reply;
    EXPECT_TRUE(bad.closedByServer());
    ++expectedErrors;
    EXPECT_TRUE(eventually([&] {
      auto s = sender();
      return s && s->parseErrors == expectedErrors;
    })) << (sender() ? sender()->parseErrors : 0);
  }
  auto s = sender();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->events, static_cast<uint64_t>(std::size(cases)));
  EXPECT_TRUE(eventually([&] { return listener_->openConnections() == 1; }));
}

// A session silent inside an unfinished frame and a silent one are closed after the idle
// timeout (only the first is a fault of its sender); a busy sender meanwhile keeps its session.
TEST_F(RelpTest, IdleSessionsTimeOut) {
  RelpListenerOptions o;
  o.idleTimeout = 1000ms;
  o.ioThreads = 1;
  start(o);
  RelpClient unfinished(listener_->port()), silent(listener_->port()), busy(listener_->port());
  ASSERT_TRUE(busy.open());
  ASSERT_TRUE(unfinished.send("1 open 40 relp_ver"));
  for (uint32_t t = 2; t < 27; ++t) {
    ASSERT_TRUE(busy.send(syslogFrame(t, "<13>Nov 24 10:00:00 h1 app: busy " + std::to_string(t))));
    const std::string ack = std::to_string(t) + " rsp 6 200 OK\n";
    ASSERT_NE(busy.receive(ack).find(ack), std::string::npos);
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(unfinished.closedByServer(100ms));
  EXPECT_TRUE(silent.closedByServer(100ms));
  EXPECT_EQ(listener_->openConnections(), 1);
  auto s = sender();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->parseErrors, 1u);
  EXPECT_EQ(s->events, 25u);
}

TEST_F(RelpTest, ConnectionsOverTheBoundAreClosed) {
  RelpListenerOptions o;
  o.maxConnections = 2;
  start(o);
  RelpClient a(listener_->port()), b(listener_->port());
  ASSERT_TRUE(eventually([&] { return listener_->openConnections() == 2; }));
  RelpClient c(listener_->port());
  EXPECT_TRUE(c.closedByServer());
  ASSERT_TRUE(a.open());
}

TEST_F(RelpTest, BindFailureNamesTheKey) {
  start();
  RelpListenerOptions o;
  o.address = "127.0.0.1:" + std::to_string(listener_->port());
  auto again = RelpListener::start(*collector_, o);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("collect.relp"), std::string::npos) << again.error().message;
  o.address = "nonsense";
  again = RelpListener::start(*collector_, o);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("collect.relp"), std::string::npos) << again.error().message;
}

// collect.relp: off by default; from the environment or a flag; a malformed address names the key.
TEST(RelpConfig, Key) {
  auto c = loadConfig("", {}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->collect.relp.empty());
  c = loadConfig("", {{"VIGIL_COLLECT_RELP", "127.0.0.1:2514"}}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->collect.relp, "127.0.0.1:2514");
  c = loadConfig("", {}, {{"collect.relp", "[::1]:2514"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->collect.relp, "[::1]:2514");
  for (const char* bad : {"2514", "host:70000", "[::1"}) {
    auto r = loadConfig("", {}, {{"collect.relp", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("collect.relp"), std::string::npos) << r.error().message;
  }
}

// The frame parser, data-driven: complete frames, beginnings that need more bytes, and faults.
TEST(RelpFrame, Parse) {
  struct Case {
    std::string in;
    RelpParse status;
    std::string command, data;
    size_t consumed;
  };
  const Case cases[] = {
      {"1 open 3 abc\n", RelpParse::kFrame, "open", "abc", 13},
      {"12 close 0\nrest", RelpParse::kFrame, "close", "", 11},
      {"12 close 0 \n", RelpParse::kFrame, "close", "", 12},
      {"7 syslog 3 a\nb\n", RelpParse::kFrame, "syslog", "a\nb", 15},
      {"", RelpParse::kNeedMore, "", "", 0},
      {"1", RelpParse::kNeedMore, "", "", 0},
      {"1 syslog", RelpParse::kNeedMore, "", "", 0},
      {"1 syslog 10", RelpParse::kNeedMore, "", "", 0},
      {"1 syslog 10 abc", RelpParse::kNeedMore, "", "", 0},
      {"1 syslog 3 abc", RelpParse::kNeedMore, "", "", 0},
      {"x open 0\n", RelpParse::kError, "", "", 0},
      {" 1 open 0\n", RelpParse::kError, "", "", 0},
      {"1234567890 open 0\n", RelpParse::kError, "", "", 0},
      {"1 op3n 0\n", RelpParse::kError, "", "", 0},
      {"1 " + std::string(33, 'a') + " 0\n", RelpParse::kError, "", "", 0},
      {"1 syslog 3 abcd\n", RelpParse::kError, "", "", 0},
      {"1 syslog 3\n", RelpParse::kError, "", "", 0},
      {"1 syslog 101 ", RelpParse::kError, "", "", 0},
      {"1 syslog -1 a\n", RelpParse::kError, "", "", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    const auto r = parseRelpFrame(c.in, 100);
    ASSERT_EQ(r.status, c.status) << r.error;
    if (c.status == RelpParse::kFrame) {
      EXPECT_EQ(r.frame.command, c.command);
      EXPECT_EQ(r.frame.data, c.data);
      EXPECT_EQ(r.consumed, c.consumed);
    }
    if (c.status == RelpParse::kError) {
      EXPECT_FALSE(r.error.empty());
    }
  }
  EXPECT_EQ(parseRelpFrame("1 syslog 101 ", 100).txnr, 1u);
  EXPECT_EQ(relpResponse(5, "200 OK"), "5 rsp 6 200 OK\n");
}

}  // namespace
}  // namespace vigil::collect
