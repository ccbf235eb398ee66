// One full cycle of the scheduled web monitor (issue 7 benchmark): every check class of N portals
// run once by PortalScheduler with the real CheckRunner, the per-host gate at 1 request/s, against
// sites served on loopback (bench/webmon_cycle.sh sets them up: portal i is https://<address i>/
// with its plain-HTTP entry on port 80). Prints the cycle's wall time, runs and findings per
// class, the largest schedule lag, CPU time and the peak RSS of this process. Not a test: it
// asserts nothing but exits non-zero when a run is missing.
//   vigil_webmon_cycle --addresses FILE --ca CA.pem [--workers 128] [--key-page /tin-tuc.html]
//                      [--findings OUT.jsonl]
// FILE: one IPv4 address per line (the portal hosts). OUT: every finding of severity low or
// worse, one JSON line each.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "webmon/content_extensions.h"
#include "webmon/scheduler.h"

using namespace vigil;
using namespace vigil::webmon;

namespace {

class ListSource : public PortalSource {
 public:
  explicit ListSource(std::vector<PortalSpec> p) : portals_(std::move(p)) {}
  Result<std::vector<PortalSpec>> portals() override { return portals_; }

 private:
  std::vector<PortalSpec> portals_;
};

// Counts what it is given; keeps nothing else (the store is not what is measured here).
class CountingSink : public RunSink {
 public:
  explicit CountingSink(FILE* findings) : findings_(findings) {}
  Status record(const PortalRun& run) override {
    std::lock_guard lock(mu_);
    if (findings_)
      for (const auto& f : run.findings)
        if (f.severity >= Severity::kLow) std::fprintf(findings_, "%s\n", toJsonLine(f).c_str());
    auto& c = perClass_[checkClassName(run.checkClass)];
    ++c.runs;
    for (const auto& f : run.findings)
      if (f.severity >= Severity::kLow) ++c.findings;
    c.evidence += run.evidence.size();
    done_.insert({run.portalId, static_cast<int>(run.checkClass)});
    return {};
  }
  size_t pairsDone() const {
    std::lock_guard lock(mu_);
    return done_.size();
  }
  struct Count {
    size_t runs = 0, findings = 0, evidence = 0;
  };
  std::map<std::string_view, Count> perClass() const {
    std::lock_guard lock(mu_);
    return perClass_;
  }

 private:
  FILE* findings_;
  mutable std::mutex mu_;
  std::map<std::string_view, Count> perClass_;
  std::set<std::pair<int64_t, int>> done_;
};

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  std::string addressesFile, ca, keyPage = "/tin-tuc.html", findingsFile;
  int workers = 128;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--addresses")
      addressesFile = argv[i + 1];
    else if (a == "--ca")
      ca = argv[i + 1];
    else if (a == "--workers")
      workers = std::atoi(argv[i + 1]);
    else if (a == "--key-page")
      keyPage = argv[i + 1];
    else if (a == "--findings")
      findingsFile = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  std::ifstream in(addressesFile);
  if (!in) {
    std::fprintf(stderr, "cannot read the address list '%s'\n", addressesFile.c_str());
    return 2;
  }
  globalInit();
  auto lexicon = Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
  auto eol = EolData::load(VIGIL_WEBMON_CATALOG_DIR "/eol.toml");
  if (!lexicon.ok() || !eol.ok()) {
    std::fprintf(stderr, "cannot load the catalogs\n");
    return 2;
  }
  // Every class is due once: intervals of 10 s, the manual clock moved 9.999 s, no jitter.
  std::vector<PortalSpec> portals;
  std::string address;
  while (std::getline(in, address)) {
    if (address.empty()) continue;
    PortalSpec p;
    p.id = static_cast<int64_t>(portals.size() + 1);
    p.orgId = 1 + p.id % 40;
    p.url = "https://" + address + "/";
    p.keyPages = {"https://" + address + keyPage};
    p.allowedDomains = {"gov.vn", "chinhphu.vn"};
    p.marker = "Cổng thông tin điện tử";
    p.allowPrivate = true;
    p.revision = 1;
    p.intervals = {10, 10, 10, 10, 10};
    portals.push_back(std::move(p));
  }
  const size_t pairs = portals.size() * std::size(kAllCheckClasses);
  ListSource source(portals);
  FILE* findings = findingsFile.empty() ? nullptr : std::fopen(findingsFile.c_str(), "w");
  CountingSink sink(findings);
  const TimeMs start = 1'800'000'000'000;
  ManualClock clock(start);
  RunnerOptions ro;
  ro.contactUrl = "https://soc.example.gov.vn/lien-he";
  ro.caFile = ca;
  ro.lexicon = std::make_shared<const Lexicon>(std::move(*lexicon));
  ro.eol = std::make_shared<const EolData>(std::move(*eol));
  // The content class as the monitor runs it: page + cloaking, then defacement and the crawl.
  auto extensions = standardContentExtensions(VIGIL_WEBMON_CATALOG_DIR, ro.lexicon);
  if (!extensions.ok()) {
    std::fprintf(stderr, "%s\n", extensions.error().message.c_str());
    return 2;
  }
  ro.contentExtensions = std::move(*extensions);
  auto runner = CheckRunner::create(ro, clock);
  if (!runner.ok()) {
    std::fprintf(stderr, "%s\n", runner.error().message.c_str());
    return 2;
  }
  Metrics metrics;
  SchedulerOptions so;
  so.workers = workers;
  so.jitterFraction = 0;
  so.reloadSeconds = 3600;
  so.metrics = &metrics;
  PortalScheduler scheduler(so, source, sink, clock, **runner);
  const double cpu0 = cpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  if (auto st = scheduler.start(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 2;
  }
  clock.advanceMs(9'999);
  // The runs are all due at once: how long some still wait for a worker shows the pool's size.
  double lastWaiting = 0;
  size_t maxOverdue = 0;
  while (sink.pairsDone() < pairs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto st = scheduler.stats();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    maxOverdue = std::max(maxOverdue, st.overdue);
    if (st.overdue > 0) lastWaiting = elapsed;
    if (elapsed > 3600) break;  // an hour: something is wrong, report what was done
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  scheduler.stop();
  const double cpu = cpuSeconds() - cpu0;
  std::printf("portals %zu, classes %zu, runs needed %zu, done %zu, workers %d, per-host gate 1 request/s\n",
              portals.size(), std::size(kAllCheckClasses), pairs, sink.pairsDone(), workers);
  std::printf("cycle wall time %.1f s (%.2f min); CPU of the monitor %.1f s; peak RSS %.1f MiB\n", wall, wall / 60, cpu,
              static_cast<double>(peakRssKb()) / 1024);
  std::printf("due runs waiting for a worker: at most %zu at once, the last one started %.1f s into the cycle\n",
              maxOverdue, lastWaiting);
  for (const auto& [name, c] : sink.perClass())
    std::printf("  %-12s runs %4zu  findings (low or worse) %5zu  evidence items %4zu\n", std::string(name).c_str(),
                c.runs, c.findings, c.evidence);
  if (findings) std::fclose(findings);
  return sink.pairsDone() == pairs ? 0 : 1;
}
