// Event store benchmark (not a test: prints figures, asserts nothing).
//  1. Ingest: realistic events (loghub OpenSSH/Linux/Apache and the wazuh ruleset test lines,
//     replicated with varied IPs, hosts, orgs, sources and times, normalised by the real catalog
//     before timing) appended in batches of 1,000 for --seconds; every event is acknowledged
//     durable (WAL + fdatasync) and counted; refusals (queue full) are retried, never dropped.
//  2. Size: disk bytes per event (blocks, filters and log) against the raw size.
//  3. Search on everything stored: field equality in the last 24 h, free-text terms, a histogram
//     of the last day, top values; median of 5 runs each (page cache warm), plus the first run.
// Usage: vigil_eventstore_bench --dir DIR [--seconds N | --events N] [--producers N] [--search-only 1]
//                               [--catalog DIR] [--corpora DIR]
//   --events N       ingest exactly N events (rounded up to a batch) instead of for --seconds
//   --search-only 1  keep the store already in DIR (made by an earlier run with the same corpus) and
//                    only measure size and search: lets the search be timed on an idle machine.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/event_store.h"
#include "ingest/syslog.h"
#include "normalize/normalizer.h"

using namespace vigil;
using namespace vigil::eventstore;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr TimeUs kStart = 1'795'478'400'000'000LL;  // 2026-11-24T00:00:00Z
constexpr TimeUs kStepUs = 2'000;                   // one event every 2 ms of event time: 43.2 M per day
constexpr TimeUs kHourUs = 3'600'000'000LL;
constexpr size_t kBatch = 1000;
constexpr size_t kPool = 100'000;

// CPU seconds (user + system) used by the whole process so far.
double cpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string jsonLog(const std::string& row) {
  const std::string key = "\"log\": \"";
  size_t i = row.find(key);
  if (i == std::string::npos) return {};
  std::string out;
  for (i += key.size(); i < row.size() && row[i] != '"'; ++i) {
    if (row[i] == '\\' && i + 1 < row.size()) {
      ++i;
      if (row[i] == 'n' || row[i] == 't') {
        out.push_back(' ');
        continue;
      }
      if (row[i] == 'u') {  // keep \uXXXX as text; rare in the corpus
        out += "\\u";
        continue;
      }
    }
    out.push_back(row[i]);
  }
  return out;
}

std::vector<std::string> loadLines(const fs::path& corpora) {
  std::vector<std::string> lines;
  for (const char* f : {"loghub/OpenSSH/OpenSSH_2k.log", "loghub/Linux/Linux_2k.log", "loghub/Apache/Apache_2k.log"}) {
    std::ifstream in(corpora / f);
    for (std::string l; std::getline(in, l);)
      if (!l.empty()) lines.push_back(l);
  }
  std::ifstream in(corpora / "wazuh-ruleset-tests/labelled_index.jsonl");
  for (std::string row; std::getline(in, row);)
    if (auto l = jsonLog(row); !l.empty()) lines.push_back(l);
  return lines;
}

// Replaces every dotted IPv4 address of `line` with one drawn from `ips`.
std::string varyIps(const std::string& line, std::mt19937_64& rng, const std::vector<std::string>& ips) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = i, dots = 0, digits = 0;
    while (j < line.size() && (std::isdigit(static_cast<unsigned char>(line[j])) || line[j] == '.')) {
      dots += line[j] == '.';
      digits += line[j] != '.';
      ++j;
    }
    if (j > i && dots == 3 && digits >= 4 && (i == 0 || !std::isalnum(static_cast<unsigned char>(line[i - 1])))) {
      // Skewed: a few addresses are frequent, most are rare.
      const size_t k = static_cast<size_t>(std::pow(static_cast<double>(rng() % 1'000'000) / 1e6, 3) * ips.size());
      out += ips[std::min(k, ips.size() - 1)];
      i = j;
    } else if (j > i) {
      out.append(line, i, j - i);
      i = j;
    } else {
      out.push_back(line[i++]);
    }
  }
  return out;
}

struct Timing {
  double first = 0, median = 0;
  size_t hits = 0;
};
template <typename F>
Timing timeIt(F&& f) {
  std::vector<double> ms;
  Timing t;
  for (int i = 0; i < 5; ++i) {
    auto s = Clock::now();
    t.hits = f();
    ms.push_back(secondsSince(s) * 1000);
  }
  t.first = ms[0];
  std::sort(ms.begin(), ms.end());
  t.median = ms[2];
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir, catalog = VIGIL_NORMALIZE_CATALOG_DIR, corpora = VIGIL_CORPORA_DIR;
  double seconds = 30;
  uint64_t targetEvents = 0;  // 0: ingest for `seconds`
  bool searchOnly = false;
  int producers = 1;
  uint32_t blockEvents = Options{}.maxBlockEvents;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--dir") dir = argv[i + 1];
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--events") targetEvents = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--search-only") searchOnly = std::string(argv[i + 1]) == "1";
    if (a == "--producers") producers = std::atoi(argv[i + 1]);
    if (a == "--block-events") blockEvents = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    if (a == "--catalog") catalog = argv[i + 1];
    if (a == "--corpora") corpora = argv[i + 1];
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: %s --dir DIR [--seconds N | --events N] [--producers N] [--search-only 1]\n", argv[0]);
    return 2;
  }
  auto normalizer = normalize::Normalizer::load(catalog);
  if (!normalizer.ok()) {
    std::fprintf(stderr, "catalog: %s\n", normalizer.error().message.c_str());
    return 1;
  }
  const auto lines = loadLines(corpora);
  if (lines.empty()) {
    std::fprintf(stderr, "no corpus lines under %s\n", corpora.string().c_str());
    return 1;
  }
  std::mt19937_64 rng(42);
  std::vector<std::string> ips;
  for (int i = 0; i < 50'000; ++i)
    ips.push_back(std::to_string(rng() % 223 + 1) + "." + std::to_string(rng() % 256) + "." +
                  std::to_string(rng() % 256) + "." + std::to_string(rng() % 254 + 1));
  std::vector<normalize::Event> pool(kPool);
  uint64_t poolRaw = 0;
  for (size_t i = 0; i < kPool; ++i) {
    std::string line = varyIps(lines[i % lines.size()], rng, ips);
    ingest::ParseOptions po;
    po.receivedUs = kStart;
    auto msg = ingest::parseSyslog(line, po);
    normalizer->normalize(msg, {static_cast<int64_t>(1 + i % 50), static_cast<int64_t>(1 + i % 500), kStart}, pool[i]);
    poolRaw += pool[i].raw().size();
  }
  // A source.ip that occurs once in the pool (so once per 100,000 stored events): the rare value.
  std::string rareIp = ips.front();
  {
    std::map<std::string, int> seen;
    for (const auto& e : pool)
      if (e.has("source.ip")) seen[std::string(e.getText("source.ip"))]++;
    for (const auto& [ip, n] : seen)
      if (n == 1) {
        rareIp = ip;
        break;
      }
  }
  std::printf(
      "== corpus: %zu distinct lines (loghub OpenSSH, Linux, Apache; wazuh ruleset tests), pool of %zu "
      "varied events, mean raw size %.0f bytes\n",
      lines.size(), kPool, static_cast<double>(poolRaw) / kPool);

  std::error_code ec;
  if (!searchOnly) fs::remove_all(dir, ec);
  Options options;
  options.maxBlockEvents = blockEvents;
  auto opened = EventStore::open(dir, options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& store = **opened;

  // ---- 1. ingest ----
  std::atomic<uint64_t> acked{0}, failed{0}, refusals{0};
  uint64_t appended = store.stats().events;
  if (!searchOnly) {
    std::atomic<uint64_t> nextSeq{0};
    std::atomic<bool> stop{false};
    const auto t0 = Clock::now();
    const double cpu0 = cpuSeconds();
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        std::vector<normalize::Event> batch(kPool / producers / kBatch * kBatch);
        // Each producer owns a slice of the pool (so it may rewrite times and orgs in place).
        const size_t sliceStart = static_cast<size_t>(p) * (kPool / producers);
        for (size_t i = 0; i < batch.size(); ++i) batch[i] = pool[sliceStart + i];
        size_t at = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          const uint64_t seq = nextSeq.fetch_add(kBatch);
          if (targetEvents > 0 && seq >= targetEvents) break;
          for (size_t k = 0; k < kBatch; ++k) {
            normalize::Event& e = batch[at + k];
            const TimeUs t = kStart + static_cast<TimeUs>(seq + k) * kStepUs;
            e.setTime("@timestamp", t);
            e.receivedUs = t;
          }
          std::span<const normalize::Event> span(batch.data() + at, kBatch);
          for (;;) {
            Status st = store.append(span, [&](const Status& s) {
              if (s.ok()) {
                acked.fetch_add(kBatch, std::memory_order_relaxed);
              } else {
                failed.fetch_add(kBatch, std::memory_order_relaxed);
              }
            });
            if (st.ok()) break;
            refusals++;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
          at = (at + kBatch) % batch.size();
        }
      });
    }
    uint64_t lastAcked = 0;
    auto lastT = Clock::now();
    double minRate = 1e18, maxRate = 0;
    while (targetEvents > 0 ? acked.load() + failed.load() < targetEvents : secondsSince(t0) < seconds) {
      std::this_thread::sleep_for(std::chrono::seconds(5));
      const uint64_t a = acked.load();
      const double rate = static_cast<double>(a - lastAcked) / secondsSince(lastT);
      minRate = std::min(minRate, rate);
      maxRate = std::max(maxRate, rate);
      std::printf("   t=%5.0fs  acknowledged %11llu  (%.0f events/s over the last 5 s)\n", secondsSince(t0),
                  static_cast<unsigned long long>(a), rate);
      std::fflush(stdout);
      lastAcked = a;
      lastT = Clock::now();
    }
    stop = true;
    for (auto& t : threads) t.join();
    const Status fl = store.flush();
    const double ingestSeconds = secondsSince(t0);
    appended = targetEvents > 0 ? std::min<uint64_t>(nextSeq.load(), (targetEvents + kBatch - 1) / kBatch * kBatch)
                                : nextSeq.load();
    std::printf(
        "== ingest: %llu events appended, %llu acknowledged durable, %llu failed, %llu refusals retried "
        "(queue full), %.1f s including the final seal%s\n",
        static_cast<unsigned long long>(appended), static_cast<unsigned long long>(acked.load()),
        static_cast<unsigned long long>(failed.load()), static_cast<unsigned long long>(refusals.load()), ingestSeconds,
        fl.ok() ? "" : " (flush failed)");
    const double cpuPerEventUs = (cpuSeconds() - cpu0) * 1e6 / static_cast<double>(std::max<uint64_t>(1, acked.load()));
    std::printf(
        "== ingest CPU: %.2f us per event over all threads (encode, log, seal, compress, filters) = %.0f "
        "events/s per fully available core\n",
        cpuPerEventUs, 1e6 / cpuPerEventUs);
    std::printf(
        "== ingest rate: %.0f events/s sustained (durable, %d producer thread(s)); 5-s windows min %.0f max %.0f\n",
        static_cast<double>(acked.load()) / ingestSeconds, producers, minRate, maxRate);
  }  // !searchOnly

  // ---- 2. size ----
  const Stats st = store.stats();
  std::printf("== blocks of at most %u events\n", blockEvents);
  std::printf("== stored: %llu events in %llu blocks, %zu day partitions; raw %.2f GB, disk %.2f GB\n",
              static_cast<unsigned long long>(st.events), static_cast<unsigned long long>(st.blocks),
              st.partitions.size(), st.rawBytes / 1e9, st.diskBytes / 1e9);
  std::printf("== disk per event: %.1f bytes vs %.1f raw bytes = %.1f %% of raw (blocks + term filters + log)\n",
              static_cast<double>(st.diskBytes) / st.events, static_cast<double>(st.rawBytes) / st.events,
              100.0 * st.diskBytes / st.rawBytes);

  // ---- 3. search ----
  const TimeUs end = kStart + static_cast<TimeUs>(appended) * kStepUs;
  const TimeUs dayFrom = end - 24 * kHourUs;
  const Scope all{true, {}};
  const Scope oneOrg{false, {7}};
  uint64_t lastBlocksRead = 0;
  auto searchCount = [&](const Scope& scope, const std::string& q, TimeUs from, TimeUs to) {
    SearchRequest r;
    r.scope = scope;
    r.query = q;
    r.fromUs = from;
    r.toUs = to;
    r.limit = 100;
    auto res = store.search(r);
    lastBlocksRead = res.ok() ? res->blocksRead : 0;
    return res.ok() ? res->events.size() : 0;
  };
  std::printf("== search over %llu events; window = last 24 h of event time [%s, %s)\n",
              static_cast<unsigned long long>(st.events), normalize::Event::formatTime(dayFrom).c_str(),
              normalize::Event::formatTime(end).c_str());
  {
    auto h = store.histogram(all, "", dayFrom, end, kHourUs);
    std::printf("   events in the window: %llu\n", h.ok() ? static_cast<unsigned long long>(h->total) : 0ull);
  }
  struct Q {
    const char* what;
    Scope scope;
    std::string query;
  };
  const std::vector<Q> queries = {
      {"field equality, rare value (source.ip of a rare address)", all, "source.ip:" + rareIp},
      {"field equality, common value (user.name:root), newest 100", all, "user.name:root"},
      {"field equality, one org's scope (org 7, event.outcome:failure)", oneOrg, "event.outcome:failure"},
      {"field equality, absent value (user.name:nobody-here)", all, "user.name:nobody-here"},
      {"free-text term, rare (webmaster)", all, "webmaster"},
      {"free-text term, common (password), newest 100", all, "password"},
      {"free-text phrase (\"authentication failure\")", all, "\"authentication failure\""},
      {"free-text term, absent (zzqqxxnotthere)", all, "zzqqxxnotthere"},
      {"wildcard (user.name:adm*)", all, "user.name:adm*"},
  };
  for (const auto& q : queries) {
    Timing t = timeIt([&] { return searchCount(q.scope, q.query, dayFrom, end); });
    std::printf("   %-66s %8.1f ms median (first %.1f), %zu hits returned (limit 100), %llu of %llu blocks read\n",
                q.what, t.median, t.first, t.hits, static_cast<unsigned long long>(lastBlocksRead),
                static_cast<unsigned long long>(st.blocks));
  }
  {
    Timing t = timeIt([&] {
      auto h = store.histogram(all, "", dayFrom, end, kHourUs);
      return h.ok() ? static_cast<size_t>(h->total) : 0;
    });
    std::printf("   %-66s %8.1f ms median (first %.1f), %zu events counted\n",
                "histogram of the day, all events, 1 h buckets", t.median, t.first, t.hits);
    Timing tq = timeIt([&] {
      auto h = store.histogram(all, "event.outcome:failure", dayFrom, end, kHourUs);
      return h.ok() ? static_cast<size_t>(h->total) : 0;
    });
    std::printf("   %-66s %8.1f ms median (first %.1f), %zu events counted\n",
                "histogram of the day, event.outcome:failure, 1 h buckets", tq.median, tq.first, tq.hits);
    Timing to = timeIt([&] {
      auto h = store.histogram(oneOrg, "", dayFrom, end, kHourUs);
      return h.ok() ? static_cast<size_t>(h->total) : 0;
    });
    std::printf("   %-66s %8.1f ms median (first %.1f), %zu events counted\n", "histogram of the day, org 7's scope",
                to.median, to.first, to.hits);
    Timing tv = timeIt([&] {
      auto v = store.topValues(all, "", end - kHourUs, end, "source.ip", 10);
      return v.ok() ? static_cast<size_t>(v->eventsMatched) : 0;
    });
    std::printf("   %-66s %8.1f ms median (first %.1f), %zu events read\n", "top 10 source.ip of the last hour",
                tv.median, tv.first, tv.hits);
  }
  store.close();
  return 0;
}
