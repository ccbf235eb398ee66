// Overload of log collection (issue 5): `vigil serve` with a small event-store queue and small
// log segments (1 MiB each, so the store, not the network, is the bottleneck on two cores) is
// flooded for kFloodSeconds by TCP syslog connections and HTTP NDJSON clients that send as fast
// as they can and ignore Retry-After. Checked:
// - peak RSS (VmHWM) of the server stays under kRssBoundMiB;
// - every HTTP answer is 200, or 503 with Retry-After (no other status, no connection error or
//   timeout), and the store refused batches (push-back happened);
// - the TCP senders were pushed back: blocked in send() over 90 % of the time, i.e. they offered
//   more than 10 times what the server took (HTTP clients wait for their answers, so their
//   overload shows as refusals instead), and nothing they sent was lost: after the flood, the
//   events of the undeclared source (their sender) equal the lines they sent;
// - every event acknowledged over HTTP is stored; /healthz answered throughout.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "durability/serve_process.h"

namespace vigil::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kFloodSeconds = 8;
constexpr int kTcpConnections = 16;
constexpr int kHttpClients = 6;
constexpr int kHttpBatch = 500;
// The bound checked: the process at rest (~20 MiB: catalogs, SQLite, threads) + the store's
// bound under this configuration (1 MiB queue + 6 segments of at most 2 MiB + sealer buffers) +
// the HTTP bodies in flight (6 x ~80 KB, parsed events included) + 16 TCP read buffers (64 KiB)
// and framers, with room for allocator slack. See src/eventstore/README.md for the general bound.
constexpr uint64_t kRssBoundMiB = 160;

double metric(const std::string& text, const std::string& name) {
  size_t at = 0;
  while ((at = text.find(name + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + name.size() + 1));
    at += name.size();
  }
  return -1;
}

std::string iso(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
  return buf;
}

int connectTcp(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  ::poll(&p, 1, 5000);
  return fd;
}

struct TcpFigures {
  uint64_t lines = 0;  // complete lines handed to the kernel
  double blockedSeconds = 0;
  bool error = false;
};

// Sends LF-framed syslog lines as fast as the socket takes them until `stop`; then a graceful
// close (FIN after the last byte) so the server reads what is buffered.
void tcpSender(uint16_t port, int conn, const std::atomic<bool>& stop, TcpFigures& out) {
  const int fd = connectTcp(port);
  if (fd < 0) {
    out.error = true;
    return;
  }
  // An RFC 3164 header of now (UTC): "Nov 24 10:00:00".
  char stamp[32];
  const std::time_t nowT = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", std::gmtime(&nowT));
  uint64_t n = 0;
  std::string chunk;
  size_t sent = 0;
  auto refill = [&] {
    chunk.clear();
    sent = 0;
    for (int i = 0; i < 200; ++i)
      chunk += "<86>" + std::string(stamp) + " web-" + std::to_string(conn) +
               " sshd[4711]: Failed password for invalid user admin from 10.0.0." + std::to_string(conn) +
               " port 22 ssh2 overload-tcp c=" + std::to_string(conn) + " n=" + std::to_string(n++) + "\n";
  };
  refill();
  while (!stop.load()) {
    const ssize_t w = ::send(fd, chunk.data() + sent, chunk.size() - sent, MSG_NOSIGNAL);
    if (w > 0) {
      sent += static_cast<size_t>(w);
      if (sent == chunk.size()) {
        out.lines += 200;
        refill();
      }
      continue;
    }
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const auto t0 = Clock::now();
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
      out.blockedSeconds += std::chrono::duration<double>(Clock::now() - t0).count();
      continue;
    }
    out.error = true;
    break;
  }
  // Finish the current chunk (whole lines only), then close gracefully.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!out.error && sent > 0 && sent < chunk.size() && Clock::now() < deadline) {
    const ssize_t w = ::send(fd, chunk.data() + sent, chunk.size() - sent, MSG_NOSIGNAL);
    if (w > 0) {
      sent += static_cast<size_t>(w);
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else {
      out.error = true;
    }
  }
  if (sent == chunk.size()) out.lines += 200;
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

struct HttpFigures {
  uint64_t ok = 0, refused = 0, refusedWithoutRetryAfter = 0, otherStatus = 0, errors = 0;
  uint64_t eventsOffered = 0, eventsAcked = 0;
  std::vector<uint64_t> ackedFirstIds;
  std::string firstOddAnswer;
};

TEST(Overload, MemoryStaysBoundedAndNothingAcceptedIsLost) {
  TempDir dir;
  // The bound is the collection path's (listeners, HTTP bodies, the store's queue). Live detection
  // is off here: with it on, copies of events wait for the detection threads, freed on other
  // threads than the ones that allocated them, and the peak reached 350-415 MiB in this flood
  // (280 MiB with a 4,096-event detection queue and no wait); bounding that queue by bytes is open
  // work (src/detect/live/README.md).
  ServeProcess serve(dir.path() / "data", {{"VIGIL_COLLECT_SYSLOG_TCP", "127.0.0.1:0"},
                                           {"VIGIL_EVENTS_MAX_QUEUED_BYTES", "1048576"},
                                           {"VIGIL_EVENTS_MAX_SEGMENT_BYTES", "1048576"},
                                           {"VIGIL_DETECT_ENABLED", "false"}});
  std::string why;
  ASSERT_TRUE(serve.start(why)) << why;
  ASSERT_NE(serve.syslogTcpPort(), 0) << serve.log();
  const Session admin = adminSession(serve.port(), why);
  ASSERT_FALSE(admin.cookie.empty()) << why;
  std::vector<std::string> tokens(kHttpClients);
  std::vector<int64_t> sourceIds(kHttpClients);
  for (int c = 0; c < kHttpClients; ++c) {
    tokens[c] = createSourceToken(serve.port(), admin, 1, "overload " + std::to_string(c), why, &sourceIds[c]);
    ASSERT_FALSE(tokens[c].empty()) << why;
  }
  const uint64_t restKib = serve.rssKib();
  const auto wallStart = std::chrono::system_clock::now();

  std::atomic<bool> stop{false};
  std::vector<TcpFigures> tcp(kTcpConnections);
  std::vector<HttpFigures> httpFig(kHttpClients);
  std::vector<std::thread> threads;
  for (int c = 0; c < kTcpConnections; ++c)
    threads.emplace_back([&, c] { tcpSender(serve.syslogTcpPort(), c, stop, tcp[c]); });
  std::atomic<uint64_t> nextId{1};
  for (int c = 0; c < kHttpClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient http(serve.port());
      HttpFigures& f = httpFig[c];
      while (!stop.load()) {
        const uint64_t first = nextId.fetch_add(kHttpBatch);
        std::string body;
        for (uint64_t id = first; id < first + kHttpBatch; ++id)
          body += "{\"message\":\"overload-http id=" + std::to_string(id) + "\",\"event\":{\"code\":\"" +
                  std::to_string(id % 50) + "\"}}\n";
        f.eventsOffered += kHttpBatch;
        try {
          auto r = http.request("POST", "/api/v1/ingest/ndjson", body, {{"Authorization", "Bearer " + tokens[c]}});
          if (r.status == 200) {
            ++f.ok;
            f.eventsAcked += kHttpBatch;
            f.ackedFirstIds.push_back(first);
          } else if (r.status == 503 || r.status == 429) {
            ++f.refused;
            if (r.header("retry-after").empty()) ++f.refusedWithoutRetryAfter;
          } else {
            ++f.otherStatus;
            if (f.firstOddAnswer.empty()) f.firstOddAnswer = std::to_string(r.status) + " " + r.body;
          }
        } catch (const std::exception& e) {
          ++f.errors;
          if (f.firstOddAnswer.empty()) f.firstOddAnswer = e.what();
        }
      }
    });
  }
  // The health probe and the memory sampler.
  uint64_t healthOk = 0, healthBad = 0;
  double healthWorstSeconds = 0;
  uint64_t peakKib = 0;
  const auto floodEnd = Clock::now() + std::chrono::seconds(kFloodSeconds);
  while (Clock::now() < floodEnd) {
    const auto t0 = Clock::now();
    try {
      auto r = HttpClient(serve.port()).request("GET", "/healthz");
      (r.status == 200 ? healthOk : healthBad) += 1;
    } catch (const std::exception&) {
      ++healthBad;
    }
    healthWorstSeconds = std::max(healthWorstSeconds, std::chrono::duration<double>(Clock::now() - t0).count());
    peakKib = std::max(peakKib, serve.rssKib());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (auto& t : threads) t.join();

  HttpClient http(serve.port());
  uint64_t tcpLines = 0;
  double blocked = 0;
  for (const auto& t : tcp) {
    EXPECT_FALSE(t.error) << "a TCP sender failed (connection refused or reset)";
    tcpLines += t.lines;
    blocked += t.blockedSeconds;
  }
  // The syslog lines carry the time of day without year or zone (read in the sender's zone), so
  // the window spans two days either side.
  const std::string window = "&from=" + iso(wallStart - std::chrono::hours(48)) +
                             "&to=" + iso(std::chrono::system_clock::now() + std::chrono::hours(48));
  auto storedOfTcp = [&] {
    auto h = http.request("GET", "/api/v1/events/histogram?buckets=1&q=vigil.source_id:0" + window, "",
                          admin.headers(false));
    EXPECT_EQ(h.status, 200) << h.body;
    return static_cast<uint64_t>(jsonInt(h.body, "total"));
  };
  // Drain: the server still reads what the closed connections left in its socket buffers, and a
  // connection pushed back waits up to the store's retry-after before it resubmits. Wait until
  // every line sent is stored (a lost line never comes: the limit then fails the test), then
  // until nothing is queued.
  uint64_t tcpStored = 0;
  std::string metrics;
  const auto drainEnd = Clock::now() + std::chrono::seconds(60);
  while ((tcpStored = storedOfTcp()) < tcpLines && Clock::now() < drainEnd)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  while (Clock::now() < drainEnd) {
    metrics = http.request("GET", "/metrics").body;
    if (metric(metrics, "vigil_eventstore_queued_bytes") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  peakKib = std::max(peakKib, serve.peakRssKib());
  const double floodSeconds = std::chrono::duration<double>(std::chrono::system_clock::now() - wallStart).count();

  // HTTP: every acknowledged event is stored.
  HttpFigures all;
  uint64_t ackedMissing = 0, ackedMissingById = 0, httpStoredNotAcked = 0;
  int clientsCheckedById = 0;
  for (int c = 0; c < kHttpClients; ++c) {
    const HttpFigures& f = httpFig[c];
    all.ok += f.ok, all.refused += f.refused, all.refusedWithoutRetryAfter += f.refusedWithoutRetryAfter;
    all.otherStatus += f.otherStatus, all.errors += f.errors;
    all.eventsOffered += f.eventsOffered, all.eventsAcked += f.eventsAcked;
    if (all.firstOddAnswer.empty()) all.firstOddAnswer = f.firstOddAnswer;
    // The events stored for this client's source: exactly the acknowledged ones (a refused
    // batch stores nothing; every answer was 200 or a refusal, checked below).
    auto h = http.request(
        "GET", "/api/v1/events/histogram?buckets=1&q=vigil.source_id:" + std::to_string(sourceIds[c]) + window, "",
        admin.headers(false));
    ASSERT_EQ(h.status, 200) << h.body;
    const uint64_t storedOfSource = static_cast<uint64_t>(jsonInt(h.body, "total"));
    if (storedOfSource < f.eventsAcked) ackedMissing += f.eventsAcked - storedOfSource;
    httpStoredNotAcked += storedOfSource > f.eventsAcked ? storedOfSource - f.eventsAcked : 0;
    // Id by id where the export (at most 100,000 events) holds them all.
    if (storedOfSource >= 100000) continue;
    auto exported = http.request(
        "GET",
        "/api/v1/events/export?format=ndjson&limit=100000&q=vigil.source_id:" + std::to_string(sourceIds[c]) + window,
        "", admin.headers(false));
    ASSERT_EQ(exported.status, 200) << exported.body.substr(0, 300);
    std::set<uint64_t> found;
    for (size_t start = 0; start < exported.body.size();) {
      size_t end = exported.body.find('\n', start);
      if (end == std::string::npos) end = exported.body.size();
      const std::string line = exported.body.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      const std::string raw(boost::json::parse(line).as_object().at("raw").as_string());
      const size_t at = raw.find("id=");
      if (at != std::string::npos) found.insert(std::stoull(raw.substr(at + 3)));
    }
    ++clientsCheckedById;
    for (uint64_t first : f.ackedFirstIds)
      for (uint64_t id = first; id < first + kHttpBatch; ++id) ackedMissingById += found.count(id) ? 0 : 1;
  }
  const double rejectedEvents = metric(metrics, "vigil_eventstore_rejected_events");
  const double stored = metric(metrics, "vigil_eventstore_events");

  std::cout << "flood " << kFloodSeconds << " s (" << floodSeconds << " s with the drain): stored "
            << static_cast<uint64_t>(stored) << " events (" << static_cast<uint64_t>(stored / floodSeconds) << "/s)\n"
            << "  TCP: " << kTcpConnections << " connections sent " << tcpLines << " lines, stored " << tcpStored
            << "; senders blocked by the TCP window "
            << static_cast<int>(100 * blocked / (kTcpConnections * kFloodSeconds)) << " % of the time\n"
            << "  HTTP: " << kHttpClients << " clients offered " << all.eventsOffered << " events, acknowledged "
            << all.eventsAcked << " (offered/acknowledged = "
            << (all.eventsAcked ? static_cast<double>(all.eventsOffered) / static_cast<double>(all.eventsAcked) : 0)
            << "x); requests 200: " << all.ok << ", 503/429 with Retry-After: " << all.refused
            << ", other: " << all.otherStatus << ", errors: " << all.errors << "; stored but not acknowledged "
            << httpStoredNotAcked << ", acknowledged but missing " << ackedMissing << " (id by id for "
            << clientsCheckedById << " clients: " << ackedMissingById << ")\n"
            << "  store refused " << static_cast<uint64_t>(rejectedEvents) << " events (queue full)\n"
            << "  /healthz: " << healthOk << " ok, " << healthBad << " failed, slowest " << healthWorstSeconds << " s\n"
            << "  RSS: at rest " << restKib / 1024 << " MiB, peak " << peakKib / 1024 << " MiB (bound " << kRssBoundMiB
            << " MiB)\n";

  EXPECT_LT(peakKib / 1024, kRssBoundMiB);
  EXPECT_EQ(all.otherStatus + all.errors, 0u) << all.firstOddAnswer;
  EXPECT_EQ(all.refusedWithoutRetryAfter, 0u);
  EXPECT_GT(all.refused, 0u) << "no HTTP push-back: the flood did not overload the store";
  EXPECT_GT(rejectedEvents, 0);
  EXPECT_EQ(ackedMissing, 0u) << "acknowledged HTTP events missing";
  EXPECT_EQ(ackedMissingById, 0u) << "acknowledged HTTP events missing (by id)";
  EXPECT_EQ(httpStoredNotAcked, 0u) << "HTTP events stored although their request was refused";
  EXPECT_GT(all.eventsAcked, 0u);
  EXPECT_EQ(tcpStored, tcpLines) << "TCP lines lost";
  // Blocked 90 % of the time = they offered at least 10 times what the server took.
  EXPECT_GT(blocked / (kTcpConnections * kFloodSeconds), 0.9) << "the TCP senders were not pushed back 10x";
  EXPECT_EQ(healthBad, 0u);
  EXPECT_LT(healthWorstSeconds, 5.0);
  EXPECT_GE(healthOk, static_cast<uint64_t>(kFloodSeconds));  // at least one answer a second
  EXPECT_EQ(serve.stop(), 0);
}

}  // namespace
}  // namespace vigil::test
