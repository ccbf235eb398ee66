// The syslog listeners end to end: real clients (util-linux `logger`, `openssl s_client`,
// rsyslog's TLS forwarding) and raw sockets send to listeners on 127.0.0.1 port 0; the test reads
// the events back from the event store and the figures from the collector. Bad input: garbage,
// invalid UTF-8, a 1 MB line, a wrong octet count, silent connections, an unfinished TLS
// handshake, too many connections, and a store that pushes back.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "collect/collector.h"
#include "collect/syslog_listener.h"
#include "config/config.h"
#include "core/clock.h"
#include "eventstore/event_store.h"
#include "http/tls_cert.h"
#include "normalize/normalizer.h"
#include "support/raw_client.h"

namespace vigil::collect {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool haveCommand(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs a shell command; true when it exited with 0.
bool run(const std::string& command) { return std::system(command.c_str()) == 0; }

std::string uniqueToken(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  return prefix + std::to_string(rng() % 1000000000ULL);
}

std::string hostName() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

using vigil::testing::RawClient;

void sendUdp(uint16_t port, const std::string& datagram) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::close(fd);
}

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / uniqueToken("vigil-listener-");
    fs::create_directories(dir_);
    auto n = normalize::Normalizer::load(fs::path(VIGIL_TEST_SOURCE_DIR) / "catalogs" / "normalize");
    ASSERT_TRUE(n.ok()) << n.error().message;
    normalizer_ = std::make_unique<normalize::Normalizer>(std::move(*n));
  }
  void TearDown() override {
    if (listeners_) listeners_->stop();
    listeners_.reset();
    collector_.reset();
    if (store_) store_->close();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Opens the store and the collector and starts the listeners (UDP and TCP on 127.0.0.1:0 and
  // TLS with a self-signed certificate unless `o` says otherwise).
  void start(SyslogListenerOptions o = {}, eventstore::Options storeOptions = {}, CollectorOptions co = {}) {
    auto s = eventstore::EventStore::open(dir_ / "events", storeOptions);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    collector_ = std::make_unique<Collector>(*normalizer_, *store_, clock_, co);
    if (o.udp.empty()) o.udp = "127.0.0.1:0";
    if (o.tcp.empty()) o.tcp = "127.0.0.1:0";
    if (o.tls.empty()) o.tls = "127.0.0.1:0";
    o.certFile = (dir_ / "cert.pem").string();
    o.keyFile = (dir_ / "key.pem").string();
    ASSERT_TRUE(http::ensureSelfSignedCertificate(o.certFile, o.keyFile, "127.0.0.1").ok());
    auto l = SyslogListeners::start(*collector_, o);
    ASSERT_TRUE(l.ok()) << l.error().message;
    listeners_ = std::move(*l);
    ASSERT_NE(listeners_->port(ListenerKind::kUdp), 0);
    ASSERT_NE(listeners_->port(ListenerKind::kTcp), 0);
    ASSERT_NE(listeners_->port(ListenerKind::kTls), 0);
  }

  uint16_t port(ListenerKind k) const { return listeners_->port(k); }

  std::vector<eventstore::StoredEvent> allEvents() {
    EXPECT_TRUE(store_->flush().ok());
    eventstore::SearchRequest r;
    r.scope.allOrgs = true;
    r.limit = 10000;
    auto found = store_->search(r);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? found->events : std::vector<eventstore::StoredEvent>{};
  }

  // The stored event whose raw text contains `token`, waiting up to 10 s for it.
  std::optional<eventstore::StoredEvent> waitForEvent(const std::string& token) {
    for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
      for (auto& e : allEvents())
        if (e.raw.find(token) != std::string::npos) return e;
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  }

  std::optional<SenderStats> sender(Input input) const {
    for (const auto& s : collector_->senders())
      if (s.input == input && s.peer == "127.0.0.1") return s;
    return std::nullopt;
  }

  // Waits up to 10 s for `ok()`.
  template <typename F>
  static bool eventually(F ok) {
    for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
      if (ok()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return ok();
  }

  static std::string text(const eventstore::StoredEvent& e, const char* name) {
    const auto* f = e.field(name);
    return f ? f->text : "";
  }

  fs::path dir_;
  SystemClock clock_;
  std::unique_ptr<normalize::Normalizer> normalizer_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<SyslogListeners> listeners_;
};

#define REQUIRE_LOGGER() \
  if (!haveCommand("logger")) GTEST_SKIP() << "util-linux logger is not installed (scripts/install-deps.sh test)"

// The real syslog client over every framing it offers; each message must come back with its
// host, program and text, attributed to the undeclared source of the province root.
struct LoggerCase {
  const char* name;
  const char* flags;
  Input input;
};

TEST_F(ListenerTest, LoggerMessagesBecomeSearchableEvents) {
  REQUIRE_LOGGER();
  start();
  const LoggerCase cases[] = {
      {"udp rfc5424", "--udp --rfc5424", Input::kSyslogUdp},
      {"udp rfc3164", "--udp --rfc3164", Input::kSyslogUdp},
      {"tcp rfc5424 lf", "--tcp --rfc5424", Input::kSyslogTcp},
      {"tcp rfc5424 octet-count", "--tcp --rfc5424 --octet-count", Input::kSyslogTcp},
      {"tcp rfc3164 octet-count", "--tcp --rfc3164 --octet-count", Input::kSyslogTcp},
  };
  const std::string host = hostName();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const uint16_t p = port(c.input == Input::kSyslogUdp ? ListenerKind::kUdp : ListenerKind::kTcp);
    const std::string token = uniqueToken("tok");
    ASSERT_TRUE(run("logger -n 127.0.0.1 -P " + std::to_string(p) + " " + c.flags +
                    " -t vigiltest -p auth.warning 'login failed " + token + "'"));
    auto e = waitForEvent(token);
    ASSERT_TRUE(e.has_value()) << "no event with " << token;
    EXPECT_EQ(text(*e, "process.name"), "vigiltest");
    EXPECT_NE(text(*e, "message").find(token), std::string::npos) << text(*e, "message");
    const std::string h = text(*e, "host.name");
    EXPECT_FALSE(h.empty());
    EXPECT_EQ(host.rfind(h, 0), 0u) << "host.name " << h << " is not a prefix of " << host;
    EXPECT_EQ(e->orgId, 1);
    EXPECT_EQ(e->sourceId, 0);
  }
  auto udp = sender(Input::kSyslogUdp);
  auto tcp = sender(Input::kSyslogTcp);
  ASSERT_TRUE(udp && tcp);
  EXPECT_EQ(udp->events, 2u);
  EXPECT_EQ(tcp->events, 3u);
  EXPECT_EQ(tcp->dropped + tcp->rejected + udp->dropped + udp->rejected, 0u);
  EXPECT_EQ(tcp->lastHost.empty(), false);
}

TEST_F(ListenerTest, ManyLinesOverOneTcpConnectionAllArrive) {
  REQUIRE_LOGGER();
  start();
  const fs::path file = dir_ / "lines.txt";
  {
    std::ofstream out(file);
    for (int i = 0; i < 500; ++i) out << "line " << i << " of batch-run\n";
  }
  ASSERT_TRUE(run("logger -n 127.0.0.1 -P " + std::to_string(port(ListenerKind::kTcp)) +
                  " --tcp --octet-count -t batch -f " + file.string()));
  EXPECT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogTcp);
    return s && s->events == 500;
  }));
  EXPECT_TRUE(waitForEvent("line 499 of batch-run").has_value());
}

TEST_F(ListenerTest, OpensslClientOverTls) {
  if (!haveCommand("openssl")) GTEST_SKIP() << "openssl is not installed";
  start();
  const std::string token = uniqueToken("tls");
  const fs::path msg = dir_ / "tls.txt";
  // Two octet-counted RFC 5424 frames, as RFC 5425 transports them.
  auto frame = [](const std::string& m) { return std::to_string(m.size()) + " " + m; };
  std::ofstream(msg) << frame("<38>1 2026-11-24T10:00:00+07:00 fw01 sshd 42 - - Accepted password for root " + token)
                     << frame("<38>1 2026-11-24T10:00:01+07:00 fw01 sshd 42 - - second " + token);
  ASSERT_TRUE(run("openssl s_client -quiet -no_ign_eof -tls1_2 -connect 127.0.0.1:" +
                  std::to_string(port(ListenerKind::kTls)) + " < " + msg.string() + " >/dev/null 2>&1"));
  auto e = waitForEvent("Accepted password for root " + token);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(text(*e, "host.name"), "fw01");
  EXPECT_EQ(text(*e, "process.name"), "sshd");
  EXPECT_TRUE(waitForEvent("second " + token).has_value());
  EXPECT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogTls);
    return s && s->events == 2;
  }));
  // TLS 1.1 and older are refused.
  EXPECT_FALSE(run("echo x | openssl s_client -quiet -no_ign_eof -tls1_1 -connect 127.0.0.1:" +
                   std::to_string(port(ListenerKind::kTls)) + " >/dev/null 2>&1"));
}

// rsyslog forwarding over TLS (gtls driver, octet-counted RFC 5424), the way agencies' servers
// will send: a line appended to a file it watches arrives as an event.
TEST_F(ListenerTest, RsyslogForwardsOverTls) {
  if (!haveCommand("rsyslogd") || !fs::exists("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so"))
    GTEST_SKIP() << "rsyslog with rsyslog-gnutls is not installed";
  start();
  const fs::path work = dir_ / "rsyslog";
  fs::create_directories(work);
  const fs::path input = work / "in.log";
  std::ofstream(input).flush();
  const std::string token = uniqueToken("rsyslog");
  std::ofstream(work / "rsyslog.conf")
      << "global(workDirectory=\"" << work.string() << "\" defaultNetstreamDriver=\"gtls\"\n"
      << "       defaultNetstreamDriverCAFile=\"" << (dir_ / "cert.pem").string() << "\")\n"
      << "module(load=\"imfile\" mode=\"polling\" PollingInterval=\"1\")\n"
      << "input(type=\"imfile\" File=\"" << input.string() << "\" Tag=\"appx\" freshStartTail=\"off\")\n"
      << "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" << port(ListenerKind::kTls)
      << "\" protocol=\"tcp\" StreamDriver=\"gtls\" StreamDriverMode=\"1\" StreamDriverAuthMode=\"anon\"\n"
      << "       TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\")\n";
  std::ofstream(input, std::ios::app) << "user admin logged in " << token << "\n";
  const std::string pidFile = (work / "rsyslogd.pid").string();
  ASSERT_TRUE(run("rsyslogd -f " + (work / "rsyslog.conf").string() + " -i " + pidFile + " >" +
                  (work / "out.txt").string() + " 2>&1"));
  auto e = waitForEvent(token);
  run("kill $(cat " + pidFile + ") 2>/dev/null");
  ASSERT_TRUE(e.has_value()) << "rsyslogd did not deliver; see " << (work / "out.txt").string();
  EXPECT_EQ(text(*e, "process.name"), "appx");
  EXPECT_NE(text(*e, "message").find(token), std::string::npos);
  auto s = sender(Input::kSyslogTls);
  ASSERT_TRUE(s);
  EXPECT_GE(s->events, 1u);
}

TEST_F(ListenerTest, GarbageAndInvalidUtf8AreKeptAndCounted) {
  start();
  const std::string token = uniqueToken("utf");
  RawClient c(port(ListenerKind::kTcp));
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(std::string("\xff\xfe\x01garbage\n", 11) + "<13>Nov 24 10:00:00 h1 app: bad \xc3\x28 utf8 " +
                     token + "\n" + "<999>not a priority\n"));
  auto e = waitForEvent(token);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogTcp);
    return s && s->events == 3;
  }));
  // The UDP listener takes garbage datagrams the same way.
  sendUdp(port(ListenerKind::kUdp), std::string("\x00\x01\x02 junk ", 9) + token + "-udp");
  EXPECT_TRUE(waitForEvent(token + "-udp").has_value());
}

TEST_F(ListenerTest, OversizedLineIsCutAndCounted) {
  SyslogListenerOptions o;
  o.maxFrameBytes = 65536;
  start(o);
  const std::string token = uniqueToken("big");
  RawClient c(port(ListenerKind::kTcp));
  ASSERT_TRUE(c.send("<13>Nov 24 10:00:00 h1 big: " + token + std::string(1 << 20, 'a') + "\n" +
                     "<13>Nov 24 10:00:01 h1 app: after " + token + "\n"));
  ASSERT_TRUE(waitForEvent("after " + token).has_value());
  auto big = waitForEvent("big: " + token);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->raw.size(), 65536u);
  auto s = sender(Input::kSyslogTcp);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->events, 2u);
  EXPECT_GE(s->parseErrors, 1u);
  // A UDP datagram over the bound is cut the same way.
  sendUdp(port(ListenerKind::kUdp), "<13>Nov 24 10:00:02 h1 big: udp" + token + std::string(65000, 'b'));
  auto udp = waitForEvent("udp" + token);
  ASSERT_TRUE(udp.has_value());
  EXPECT_EQ(udp->raw.size(), 65000u + std::string("<13>Nov 24 10:00:02 h1 big: udp").size() + token.size());
}

TEST_F(ListenerTest, UdpDatagramOverTheBoundIsCut) {
  SyslogListenerOptions o;
  o.maxFrameBytes = 1000;
  start(o);
  const std::string token = uniqueToken("cut");
  sendUdp(port(ListenerKind::kUdp), "<13>Nov 24 10:00:02 h1 big: " + token + std::string(5000, 'b'));
  auto e = waitForEvent(token);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->raw.size(), 1000u);
  EXPECT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogUdp);
    return s && s->parseErrors >= 1 && s->events == 1;
  }));
}

TEST_F(ListenerTest, WrongOctetCountIsCounted) {
  start();
  const std::string token = uniqueToken("oct");
  auto parseErrors = [&] {
    auto s = sender(Input::kSyslogTcp);
    return s ? s->parseErrors : 0;
  };
  auto events = [&] {
    auto s = sender(Input::kSyslogTcp);
    return s ? s->events : 0;
  };
  // What the collector itself counts for a line without a syslog header.
  {
    RawClient c(port(ListenerKind::kTcp));
    ASSERT_TRUE(c.send("tail\n"));
  }
  ASSERT_TRUE(eventually([&] { return events() == 1; }));
  const uint64_t perBadLine = parseErrors();
  // An octet-counted frame whose count stops short of the frame's end: the framer finds "tail"
  // where the next frame should start. The listener counts the mismatch, the collector the
  // headerless "tail" line.
  const std::string good = "<13>Nov 24 10:00:00 h1 app: good " + token;
  {
    RawClient c(port(ListenerKind::kTcp));
    ASSERT_TRUE(c.send(std::to_string(good.size()) + " " + good + "tail\n"));
  }
  ASSERT_TRUE(waitForEvent("good " + token).has_value());
  ASSERT_TRUE(eventually([&] { return events() == 3; }));
  EXPECT_EQ(parseErrors(), 2 * perBadLine + 1);
}

TEST_F(ListenerTest, ShortOctetCountedFrameAtEndIsKeptAndCounted) {
  start();
  const std::string token = uniqueToken("end");
  {
    RawClient c(port(ListenerKind::kTcp));
    ASSERT_TRUE(c.send("500 <13>Nov 24 10:00:00 h1 app: cut short " + token));
  }  // closed before the announced 500 bytes
  ASSERT_TRUE(waitForEvent("cut short " + token).has_value());
  EXPECT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogTcp);
    return s && s->parseErrors >= 1;
  }));
}

TEST_F(ListenerTest, SilentConnectionsTimeOutAndDoNotBlockOthers) {
  SyslogListenerOptions o;
  o.idleTimeout = 500ms;
  o.handshakeTimeout = 500ms;
  o.ioThreads = 1;  // even one io thread serves the others while these wait
  start(o);
  RawClient silentTcp(port(ListenerKind::kTcp));
  RawClient silentTls(port(ListenerKind::kTls));  // never starts its TLS handshake
  ASSERT_TRUE(silentTcp.connected() && silentTls.connected());
  const std::string token = uniqueToken("meanwhile");
  {
    RawClient other(port(ListenerKind::kTcp));
    ASSERT_TRUE(other.send("<13>Nov 24 10:00:00 h1 app: " + token + "\n"));
  }
  ASSERT_TRUE(waitForEvent(token).has_value());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(silentTcp.closedByServer());
  EXPECT_TRUE(silentTls.closedByServer());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
  EXPECT_TRUE(eventually([&] { return listeners_->openConnections() == 0; }));
}

TEST_F(ListenerTest, ConnectionsOverTheBoundAreClosed) {
  SyslogListenerOptions o;
  o.maxConnections = 2;
  start(o);
  RawClient a(port(ListenerKind::kTcp)), b(port(ListenerKind::kTls));
  ASSERT_TRUE(eventually([&] { return listeners_->openConnections() == 2; }));
  RawClient c(port(ListenerKind::kTcp));
  EXPECT_TRUE(c.closedByServer());
  EXPECT_EQ(listeners_->openConnections(), 2);
  // The two open ones still work.
  const std::string token = uniqueToken("bound");
  ASSERT_TRUE(a.send("<13>Nov 24 10:00:00 h1 app: " + token + "\n"));
  EXPECT_TRUE(waitForEvent(token).has_value());
}

// A store whose queue is too small for any batch refuses everything: TCP stops reading and
// retries (rejected counted, nothing dropped, the connection stays open); UDP drops and counts.
TEST_F(ListenerTest, StorePushBackHoldsTcpAndDropsUdp) {
  eventstore::Options tiny;
  tiny.maxQueuedBytes = 16;
  SyslogListenerOptions o;
  o.retryDelay = 20ms;
  start(o, tiny);
  RawClient c(port(ListenerKind::kTcp));
  ASSERT_TRUE(c.send("<13>Nov 24 10:00:00 h1 app: held back\n"));
  EXPECT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogTcp);
    return s && s->rejected >= 2;  // refused, waited, resubmitted, refused again
  }));
  auto s = sender(Input::kSyslogTcp);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->dropped, 0u);
  EXPECT_EQ(s->events, 0u);
  EXPECT_EQ(listeners_->openConnections(), 1);
  sendUdp(port(ListenerKind::kUdp), "<13>Nov 24 10:00:00 h1 app: lost");
  EXPECT_TRUE(eventually([&] {
    auto u = sender(Input::kSyslogUdp);
    return u && u->dropped == 1;
  }));
  EXPECT_TRUE(allEvents().empty());
}

// A declared source that names the sender's address gets its messages (org, source id); with
// accept_undeclared off, an undeclared sender's messages are dropped and counted while its
// connection stays usable.
TEST_F(ListenerTest, AttributionToDeclaredSources) {
  start({}, {}, {.acceptUndeclared = false});
  RawClient before(port(ListenerKind::kTcp));  // attributed at accept, before any source exists
  ASSERT_TRUE(before.send("<13>Nov 24 10:00:00 h1 app: undeclared one\n"));
  ASSERT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogTcp);
    return s && s->dropped == 1;
  }));
  sendUdp(port(ListenerKind::kUdp), "<13>Nov 24 10:00:00 h1 app: undeclared two");
  ASSERT_TRUE(eventually([&] {
    auto s = sender(Input::kSyslogUdp);
    return s && s->dropped == 1;
  }));
  collector_->setSources({{.id = 7, .orgId = 3, .name = "loopback", .addresses = {"127.0.0.0/8"}}});
  const std::string token = uniqueToken("declared");
  RawClient after(port(ListenerKind::kTcp));
  ASSERT_TRUE(after.send("<13>Nov 24 10:00:00 h1 app: " + token + "\n"));
  sendUdp(port(ListenerKind::kUdp), "<13>Nov 24 10:00:00 h1 app: " + token + "-udp");
  auto e = waitForEvent(token);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->orgId, 3);
  EXPECT_EQ(e->sourceId, 7);
  auto u = waitForEvent(token + "-udp");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->sourceId, 7);
  // The first connection keeps the attribution it got when it was accepted.
  ASSERT_TRUE(before.send("<13>Nov 24 10:00:01 h1 app: undeclared three\n"));
  EXPECT_TRUE(eventually([&] {
    for (const auto& s : collector_->senders())
      if (s.input == Input::kSyslogTcp && s.sourceId == 0 && s.dropped == 2) return true;
    return false;
  }));
  EXPECT_EQ(allEvents().size(), 2u);
}

// A burst larger than the store's queue: batches are refused, the connection waits and
// resubmits them, and in the end every message is stored once, in order of sending.
TEST_F(ListenerTest, PushBackUnderABurstLosesNothing) {
  eventstore::Options small;
  small.maxQueuedBytes = 256 << 10;
  // Tiny segments: the writer waits for the sealer (one seal and fdatasync per 50 events), so the
  // queue fills even when the disk syncs fast (with only the log's fdatasync it sometimes did not).
  small.maxSegmentEvents = 50;
  start({}, small);
  constexpr int kLines = 10000;
  std::string burst;
  for (int i = 0; i < kLines; ++i)
    burst += "<13>Nov 24 10:00:00 h1 app: burst line " + std::to_string(i) + " " + std::string(200, 'x') + "\n";
  RawClient c(port(ListenerKind::kTcp));
  std::thread sender_thread([&] { EXPECT_TRUE(c.send(burst)); });
  bool all = false;
  for (auto until = std::chrono::steady_clock::now() + 60s; !all && std::chrono::steady_clock::now() < until;) {
    auto s = sender(Input::kSyslogTcp);
    all = s && s->events == kLines;
    if (!all) std::this_thread::sleep_for(50ms);
  }
  sender_thread.join();
  auto s = sender(Input::kSyslogTcp);
  ASSERT_TRUE(s);
  EXPECT_TRUE(all) << s->events << " of " << kLines;
  EXPECT_GT(s->rejected, 0u) << "the burst never filled the queue: the test proves nothing";
  EXPECT_EQ(s->dropped, 0u);
  ASSERT_TRUE(store_->flush().ok());
  eventstore::SearchRequest r;
  r.scope.allOrgs = true;
  r.limit = 1;
  r.query = "\"burst line 9999\"";
  auto found = store_->search(r);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->events.size(), 1u);
}

// IPv6: a listener on [::1] takes messages from ::1; the sender is named by its IPv6 address.
TEST_F(ListenerTest, Ipv6Loopback) {
  REQUIRE_LOGGER();
  start();
  SyslogListenerOptions o;
  o.tcp = "[::1]:0";
  auto v6 = SyslogListeners::start(*collector_, o);
  if (!v6.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << v6.error().message;
  EXPECT_EQ((*v6)->endpoint(ListenerKind::kTcp), "[::1]:" + std::to_string((*v6)->port(ListenerKind::kTcp)));
  const std::string token = uniqueToken("v6");
  ASSERT_TRUE(run("logger -n ::1 -P " + std::to_string((*v6)->port(ListenerKind::kTcp)) + " --tcp -t six " + token));
  ASSERT_TRUE(waitForEvent(token).has_value());
  bool seen = false;
  for (const auto& s : collector_->senders()) seen = seen || (s.peer == "::1" && s.events == 1);
  EXPECT_TRUE(seen);
  (*v6)->stop();
}

// A port in use, a malformed address and a missing certificate refuse start, naming the key or file.
TEST_F(ListenerTest, BindFailureNamesTheKey) {
  start();
  SyslogListenerOptions o;
  o.tcp = "127.0.0.1:" + std::to_string(port(ListenerKind::kTcp));  // already bound by start()
  auto again = SyslogListeners::start(*collector_, o);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("collect.syslog_tcp"), std::string::npos) << again.error().message;
  o.tcp = "nonsense";
  again = SyslogListeners::start(*collector_, o);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("collect.syslog_tcp"), std::string::npos) << again.error().message;
  o.tcp.clear();
  o.tls = "127.0.0.1:0";
  o.certFile = (dir_ / "missing.pem").string();
  o.keyFile = (dir_ / "missing.key").string();
  again = SyslogListeners::start(*collector_, o);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("missing.pem"), std::string::npos) << again.error().message;
}

// The [collect] keys: off by default; set from a file, the environment or flags; addresses and
// bounds are checked and errors name the key.
TEST(CollectConfig, KeysDefaultsAndValidation) {
  auto c = loadConfig("", {}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->collect.syslogUdp.empty() && c->collect.syslogTcp.empty() && c->collect.syslogTls.empty());
  EXPECT_EQ(c->collect.maxFrameBytes, 65536);
  EXPECT_EQ(c->collect.maxConnections, 2000);
  EXPECT_EQ(c->collect.idleTimeoutSeconds, 300);
  EXPECT_TRUE(c->collect.acceptUndeclared);

  const fs::path file = fs::temp_directory_path() / uniqueToken("vigil-collect-") += ".toml";
  std::ofstream(file) << "[collect]\nsyslog_udp = \"0.0.0.0:514\"\nmax_connections = 10\naccept_undeclared = false\n";
  c = loadConfig(file.string(), {{"VIGIL_COLLECT_SYSLOG_TCP", "[::1]:6514"}}, {{"collect.idle_timeout_seconds", "30"}});
  fs::remove(file);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->collect.syslogUdp, "0.0.0.0:514");
  EXPECT_EQ(c->collect.syslogTcp, "[::1]:6514");
  EXPECT_EQ(c->collect.maxConnections, 10);
  EXPECT_EQ(c->collect.idleTimeoutSeconds, 30);
  EXPECT_FALSE(c->collect.acceptUndeclared);

  const std::pair<std::string, std::string> bad[] = {
      {"collect.syslog_udp", "514"},          {"collect.syslog_tcp", "host:70000"},
      {"collect.syslog_tls", "[::1"},         {"collect.max_frame_bytes", "10"},
      {"collect.max_connections", "0"},       {"collect.idle_timeout_seconds", "x"},
      {"collect.accept_undeclared", "maybe"},
  };
  for (const auto& [key, value] : bad) {
    auto r = loadConfig("", {}, {{key, value}});
    ASSERT_FALSE(r.ok()) << key << " = " << value;
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace vigil::collect
