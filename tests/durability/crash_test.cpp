// Durability of HTTP ingest end to end (issue 5): the real `vigil serve` binary takes NDJSON and
// Elasticsearch `_bulk` batches from concurrent clients and is killed with SIGKILL in the middle of the load, several
// times, at different moments; after each restart on the same data directory every event whose
// request was answered 2xx must be found by the search API (export), exactly once, and no batch
// may be half-stored (a batch is one append: all of it or none of it).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "durability/serve_process.h"

namespace vigil::test {
namespace {

constexpr int kClients = 4;
constexpr int kBatch = 100;
constexpr const char* kProbe = "durability-probe id=";

struct Batch {
  uint64_t firstId = 0;
  bool acked = false;
};

// Every probe id found in an NDJSON export, with how many events carried it.
std::map<uint64_t, int> probeIds(const std::string& ndjson, size_t& lines) {
  std::map<uint64_t, int> out;
  lines = 0;
  size_t start = 0;
  while (start < ndjson.size()) {
    size_t end = ndjson.find('\n', start);
    if (end == std::string::npos) end = ndjson.size();
    const std::string line = ndjson.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    ++lines;
    auto v = boost::json::parse(line);
    const std::string raw(v.as_object().at("raw").as_string());
    const size_t at = raw.find(kProbe);
    if (at == std::string::npos) continue;
    ++out[std::stoull(raw.substr(at + std::char_traits<char>::length(kProbe)))];
  }
  return out;
}

TEST(Durability, EveryAcknowledgedHttpEventSurvivesSigkill) {
  TempDir dir;
  // 1 MiB log segments (about 7,000 of these events): segments rotate and are sealed during the load.
  ServeProcess serve(dir.path() / "data", {{"VIGIL_EVENTS_MAX_SEGMENT_BYTES", "1048576"}});
  std::string why;
  ASSERT_TRUE(serve.start(why)) << why;
  const Session admin = adminSession(serve.port(), why);
  ASSERT_FALSE(admin.cookie.empty()) << why;
  const std::string token = createSourceToken(serve.port(), admin, 1, "crash test", why);
  ASSERT_FALSE(token.empty()) << why;
  const auto testStart = std::chrono::system_clock::now();

  std::mutex mu;
  std::vector<Batch> batches;  // every batch sent, acknowledged or not
  std::atomic<uint64_t> nextId{1};
  uint64_t totalAcked = 0, totalFailed = 0;
  std::atomic<uint64_t> ackedBulk{0}, ackedNdjson{0};
  // Kill after this many acknowledged events in each round: different moments of the load
  // (sealer idle, segments rotating, a segment waiting for the sealer).
  const std::vector<uint64_t> killAfter = {3000, 9000, 20000, 30000};
  for (size_t round = 0; round < killAfter.size(); ++round) {
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> ackedThisRound{0}, failedThisRound{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      // Half the clients post NDJSON, the other half Elasticsearch _bulk (as Beats do).
      const bool bulk = c % 2 == 1;
      clients.emplace_back([&, bulk] {
        HttpClient http(serve.port());
        while (!stop.load()) {
          const uint64_t first = nextId.fetch_add(kBatch);
          std::string body;
          for (uint64_t id = first; id < first + kBatch; ++id)
            body += std::string(bulk ? "{\"create\":{}}\n" : "") + "{\"message\":\"" + kProbe + std::to_string(id) +
                    "\",\"host\":{\"name\":\"web-" + std::to_string(id % 7) + "\"}}\n";
          bool ok = false;
          try {
            auto r = http.request("POST", bulk ? "/es/_bulk" : "/api/v1/ingest/ndjson", body,
                                  {{"Authorization", "Bearer " + token}, {"Content-Type", "application/x-ndjson"}});
            ok = r.status == 200 && r.body.find(bulk ? std::string("\"errors\":false")
                                                     : "\"accepted\":" + std::to_string(kBatch)) != std::string::npos;
          } catch (const std::exception&) {
            // connection refused or reset: the server is gone; not acknowledged
          }
          {
            std::lock_guard lock(mu);
            batches.push_back({first, ok});
          }
          (ok ? ackedThisRound : failedThisRound) += ok ? kBatch : 1;
          if (ok) (bulk ? ackedBulk : ackedNdjson) += kBatch;
          if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (ackedThisRound.load() < killAfter[round] && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const uint64_t ackedBeforeKill = ackedThisRound.load();
    serve.kill();  // SIGKILL while the clients are sending
    stop = true;
    for (auto& t : clients) t.join();
    ASSERT_GE(ackedBeforeKill, killAfter[round]) << "the load did not reach the kill point in 20 s";
    totalAcked += ackedThisRound.load();
    totalFailed += failedThisRound.load();

    ASSERT_TRUE(serve.start(why)) << "restart after SIGKILL: " << why;
    HttpClient http(serve.port());
    const auto to = std::chrono::system_clock::now() + std::chrono::minutes(1);
    auto iso = [](std::chrono::system_clock::time_point t) {
      const std::time_t tt = std::chrono::system_clock::to_time_t(t);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
      return std::string(buf);
    };
    auto exported = http.request("GET",
                                 "/api/v1/events/export?format=ndjson&limit=100000&from=" +
                                     iso(testStart - std::chrono::minutes(5)) + "&to=" + iso(to),
                                 "", admin.headers(false));
    ASSERT_EQ(exported.status, 200) << exported.body.substr(0, 500);
    size_t lines = 0;
    const auto found = probeIds(exported.body, lines);
    ASSERT_LT(lines, 100000u) << "the export was cut at its limit; the check would be incomplete";

    uint64_t acked = 0, ackedFound = 0, unackedFound = 0, duplicates = 0, halfStored = 0;
    {
      std::lock_guard lock(mu);
      for (const Batch& b : batches) {
        int present = 0;
        for (uint64_t id = b.firstId; id < b.firstId + kBatch; ++id) {
          auto it = found.find(id);
          if (it == found.end()) continue;
          ++present;
          if (it->second > 1) ++duplicates;
        }
        if (present != 0 && present != kBatch) ++halfStored;
        if (b.acked) {
          acked += kBatch;
          ackedFound += static_cast<uint64_t>(present);
        } else {
          unackedFound += static_cast<uint64_t>(present);
        }
      }
    }
    std::cout << "round " << round + 1 << ": killed after " << ackedBeforeKill << " acknowledged events this round; "
              << "acknowledged so far " << acked << ", found " << ackedFound << ", found but not acknowledged "
              << unackedFound << " (allowed), requests failed " << failedThisRound.load() << "\n";
    EXPECT_EQ(ackedFound, acked) << "acknowledged events lost after SIGKILL in round " << round + 1;
    EXPECT_EQ(duplicates, 0u) << "events stored twice";
    EXPECT_EQ(halfStored, 0u) << "batches partly stored";
    if (HasFailure()) break;
  }
  EXPECT_GT(ackedNdjson.load(), 0u) << "no NDJSON request was acknowledged";
  EXPECT_GT(ackedBulk.load(), 0u) << "no _bulk request was acknowledged";
  EXPECT_EQ(serve.stop(), 0) << serve.log();
  std::cout << "total: " << totalAcked << " events acknowledged over " << killAfter.size() << " SIGKILLs, "
            << totalFailed << " requests failed or refused (NDJSON " << ackedNdjson.load() << ", _bulk "
            << ackedBulk.load() << " acknowledged)\n";
}

}  // namespace
}  // namespace vigil::test
