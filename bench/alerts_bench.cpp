// The alert queue at the size issue 4 names (not a test: prints figures, asserts nothing).
//  1. Ingestion through AlertSink with deduplication: 1,000,000 distinct alerts plus 250,000
//     repeats of a recent key (merged), over 50 agencies and 30 days: drafts/s.
//  2. The queue's first page (50 rows, newest first) with the counts, as the list route asks
//     them, for a set of filters, as the province administrator and as an agency officer:
//     p50 / p99 / max over `kRuns` runs each.
// Usage: vigil_alerts_bench [alerts (default 1000000)] [runs per filter (default 200)]
// VIGIL_BENCH_KEEP=1 keeps the database (to look at query plans).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "alerts/alert_sink.h"
#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"

using namespace vigil;
using Steady = std::chrono::steady_clock;

namespace {

double msSince(Steady::time_point t) { return std::chrono::duration<double, std::milli>(Steady::now() - t).count(); }

// Bench-only setup that the API would take hours to do one officer action at a time: spread the
// triage states and assignments over the stored alerts, and rebuild the counts to match.
void spreadStates(const std::string& dbPath, int64_t assignee) {
  sqlite3* db = nullptr;
  sqlite3_open(dbPath.c_str(), &db);
  sqlite3_busy_timeout(db, 60000);
  const std::string sql =
      "BEGIN;"
      "UPDATE alerts SET state = CASE WHEN id % 10 < 5 THEN 4 WHEN id % 10 = 5 THEN 3 WHEN id % 10 = 6 THEN 2 "
      "WHEN id % 10 = 7 THEN 1 ELSE 0 END;"
      "UPDATE alerts SET assignee_id = " +
      std::to_string(assignee) +
      " WHERE id % 20 = 6;"
      "DELETE FROM alert_counts;"
      "INSERT INTO alert_counts SELECT org_id, state, severity, COUNT(*) FROM alerts GROUP BY 1,2,3;"
      "COMMIT;";
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "setup failed: %s\n", err ? err : "?");
    sqlite3_free(err);
  }
  sqlite3_close(db);
}

struct Filter {
  const char* name;
  bool agencyOfficer;
  AlertQuery q;
};

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 200;
  (void)crypto::initCrypto();
  const auto dir = std::filesystem::temp_directory_path() / ("vigil-alerts-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SystemClock clock;
  sqlite::SqliteOptions o;
  o.path = (dir / "vigil.db").string();
  auto store = std::move(sqlite::SqliteStore::open(o, clock).value());
  UserDraft admin{.username = "admin", .displayName = "A", .passwordHash = "x"};
  const int64_t adminId = store->bootstrap("Tỉnh", admin)->id;
  const Org root = store->rootOrg().value();
  const Actor system = Actor::systemActor("bench");
  std::vector<Org> agencies;
  for (int a = 0; a < 50; ++a)
    agencies.push_back(
        store->createOrg(system, {.parentId = root.id, .name = "Sở " + std::to_string(a), .kind = OrgKind::kDepartment})
            .value());

  // --- 1. ingestion with deduplication
  const TimeMs now = clock.nowMs();
  const TimeMs span = 30LL * 24 * 3600 * 1000;
  const char* rules[] = {"sigma-ssh-brute", "sigma-web-shell", "web-defacement", "web-seo-spam", "agent-malware"};
  const DetectorKind kinds[] = {DetectorKind::kSigma, DetectorKind::kSigma, DetectorKind::kWeb, DetectorKind::kWeb,
                                DetectorKind::kAgent};
  alerts::AlertSink sink(*store, {.queueMax = 1'000'000, .batchMax = 5000});
  auto draftOf = [&](int64_t i) {
    const int r = static_cast<int>(i % 5);
    const std::string key =
        "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    return AlertDraft{.orgId = agencies[static_cast<size_t>(i % 50)].id,
                      .asset = "host-" + std::to_string(i % 5000),
                      .detector = kinds[r],
                      .ruleId = rules[r],
                      .ruleTitle = rules[r],
                      .severity = static_cast<AlertSeverity>(i * 7 % 4),
                      .dedupKey = key,
                      .title = std::string(rules[r]) + " từ " + key,
                      .observables = {{"ip", key}},
                      .evidence = "raw log line " + std::to_string(i),
                      .seenAt = now - span + span * i / n};
  };
  const auto t0 = Steady::now();
  int64_t drafts = 0;
  for (int64_t i = 0; i < n; ++i) {
    while (!sink.raise(draftOf(i)).ok()) sink.flush();
    ++drafts;
    if (i % 4 == 3) {  // a repeat of the previous key, seconds later: merged
      auto again = draftOf(i - 1);
      again.seenAt += 1000;
      while (!sink.raise(std::move(again)).ok()) sink.flush();
      ++drafts;
    }
  }
  sink.flush();
  const double ingestMs = msSince(t0);
  const auto st = sink.stats();
  std::printf(
      "== ingestion: %lld drafts in %.1f s = %.0f drafts/s (created %lld, merged %lld, suppressed %lld, "
      "failed %lld)\n",
      static_cast<long long>(drafts), ingestMs / 1000, drafts / (ingestMs / 1000), static_cast<long long>(st.created),
      static_cast<long long>(st.merged), static_cast<long long>(st.suppressed), static_cast<long long>(st.failed));
  sink.stop();

  // Suppressed drafts cost: 20,000 drafts of one suppressed key.
  (void)store->createSuppression(system, {.orgId = agencies[0].id,
                                          .ruleId = rules[0],
                                          .dedupKey = "10.0.0.0",
                                          .reason = "bench",
                                          .expiresAt = clock.nowMs() + 3600 * 1000});
  {
    alerts::AlertSink s2(*store, {.batchMax = 5000});
    const auto t1 = Steady::now();
    for (int i = 0; i < 20000; ++i) (void)s2.raise(draftOf(0));
    s2.flush();
    std::printf("== suppressed drafts: 20000 in %.0f ms (%lld suppressed)\n", msSince(t1),
                static_cast<long long>(s2.stats().suppressed));
  }

  const auto t2 = Steady::now();
  spreadStates(o.path, adminId);
  std::printf("== setup: states and assignments spread in %.1f s\n", msSince(t2) / 1000);

  // --- 2. first page with counts
  Actor province;
  province.userId = adminId;
  province.grants.push_back({root.id, root.path, Role::kAdministrator});
  Actor officer;
  officer.userId = adminId;
  officer.grants.push_back({agencies[7].id, agencies[7].path, Role::kSocAnalyst});
  const std::vector<AlertState> open{AlertState::kNew, AlertState::kAcknowledged, AlertState::kInProgress};
  const Filter filters[] = {
      {"province, no filter", false, {}},
      {"province, state=open", false, {.states = open}},
      {"province, state=new, severity=critical",
       false,
       {.states = {AlertState::kNew}, .severities = {AlertSeverity::kCritical}}},
      {"province, state=false_positive", false, {.states = {AlertState::kFalsePositive}}},
      {"province, org_id=agency 7", false, {.orgId = agencies[7].id}},
      {"province, org_id=agency 7, state=open, severity=high",
       false,
       {.states = open, .severities = {AlertSeverity::kHigh}, .orgId = agencies[7].id}},
      {"province, detector=agent", false, {.detector = DetectorKind::kAgent}},
      {"province, detector=source_silent (none)", false, {.detector = DetectorKind::kSourceSilent}},
      {"province, rule=web-defacement, state=open", false, {.states = open, .ruleId = "web-defacement"}},
      {"province, assignee=me", false, {.assigneeId = adminId}},
      {"province, unassigned, state=open", false, {.states = open, .assigneeId = 0}},
      {"province, q=web-shell", false, {.text = "web-shell"}},
      {"province, q=10.3.7.9 (rare)", false, {.text = "10.3.7.9"}},
      {"province, last 24 h", false, {.from = now - 24 * 3600 * 1000}},
      {"province, 7 days a month ago",
       false,
       {.from = now - 30LL * 24 * 3600 * 1000, .to = now - 23LL * 24 * 3600 * 1000}},
      {"agency officer, no filter", true, {}},
      {"agency officer, state=open", true, {.states = open}},
      {"agency officer, state=new, severity=critical",
       true,
       {.states = {AlertState::kNew}, .severities = {AlertSeverity::kCritical}}},
  };
  std::printf("== first page (50 rows + counts), %d runs each, ms: p50 p99 max rows\n", runs);
  for (const auto& f : filters) {
    std::vector<double> times;
    size_t rows = 0;
    const Actor& actor = f.agencyOfficer ? officer : province;
    for (int r = 0; r < runs; ++r) {
      const auto t = Steady::now();
      auto page = store->listAlerts(actor, f.q);
      auto counts = store->countAlerts(actor, f.q.orgId);
      times.push_back(msSince(t));
      if (!page.ok() || !counts.ok()) {
        std::printf("  %s: error %s\n", f.name,
                    page.ok() ? counts.error().message.c_str() : page.error().message.c_str());
        break;
      }
      rows = page->items.size();
    }
    if (times.empty()) continue;
    std::sort(times.begin(), times.end());
    auto pct = [&](double p) { return times[std::min(times.size() - 1, static_cast<size_t>(p * times.size()))]; };
    std::printf("  %-55s %8.2f %8.2f %8.2f %4zu\n", f.name, pct(0.5), pct(0.99), times.back(), rows);
  }
  // The second page through the cursor, province-wide, state=open.
  {
    auto first = store->listAlerts(province, {.states = open}).value();
    AlertQuery q{.states = open, .beforeLastSeen = first.items.back().lastSeen, .beforeId = first.items.back().id};
    std::vector<double> times;
    for (int r = 0; r < runs; ++r) {
      const auto t = Steady::now();
      (void)store->listAlerts(province, q);
      times.push_back(msSince(t));
    }
    std::sort(times.begin(), times.end());
    std::printf("  %-55s %8.2f %8.2f %8.2f\n", "province, state=open, second page (cursor)", times[times.size() / 2],
                times[std::min(times.size() - 1, times.size() * 99 / 100)], times.back());
  }
  std::printf("== database: %.0f MB\n", static_cast<double>(std::filesystem::file_size(o.path)) / (1024.0 * 1024.0));
  store->close();
  if (std::getenv("VIGIL_BENCH_KEEP")) {
    std::printf("== kept %s\n", o.path.c_str());
  } else {
    std::filesystem::remove_all(dir);
  }
  return 0;
}
