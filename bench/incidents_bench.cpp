// Incidents at the size issue 4 names (not a test: prints figures, asserts nothing): 50,000
// incidents over 47 of 50 agencies, A-TT20 and B-ND331, detected over the last 60 days, one in ten open,
// each naming one of 1,000 IPs, and one IP named by every tenth incident.
//  1. The list route's work for its first page (50 rows, nearest legal deadline first, with each
//     row's history read and its legal clock computed), as the province administrator and as an
//     agency officer, open and all: p50 / p99 / max over `runs`.
//  2. One incident read whole (timeline, tasks, observables with the count of other incidents
//     naming each) for an incident that names the IP shared by 5,000 incidents.
// The seed is written with SQL in one transaction (the API would take an hour to open 50,000
// incidents one officer action at a time); the reads go through the Store as the API's do.
// Usage: vigil_incidents_bench [incidents (default 50000)] [runs (default 200)]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "calendar/working_calendar.h"
#include "compliance/regime_catalog.h"
#include "core/crypto.h"
#include "incident/legal_clock.h"
#include "incident/process_catalog.h"
#include "store/sqlite/sqlite_store.h"

using namespace vigil;
using Steady = std::chrono::steady_clock;

namespace {

double msSince(Steady::time_point t) { return std::chrono::duration<double, std::milli>(Steady::now() - t).count(); }

void seed(const std::string& dbPath, int64_t n, int64_t firstOrg, TimeMs now) {
  sqlite3* db = nullptr;
  sqlite3_open(dbPath.c_str(), &db);
  sqlite3_busy_timeout(db, 60000);
  const std::string N = std::to_string(n), F = std::to_string(firstOrg), T = std::to_string(now);
  const std::string day = "86400000";
  // Open ones (id % 10 = 0) are due 72 h (B) or 5 days (A) after detection; closed ones have none.
  const std::string sql =
      "BEGIN;"
      "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " +
      N +
      ") "
      "INSERT INTO incidents(id,org_id,title,detected_at,regime,process_id,process_version,current_step,closed,"
      "closed_at,due_key,created_by,created_at,updated_at) SELECT i, " +
      F + " + i % 47, 'Sự cố ' || i, " + T + " - (i * 60 * " + day + " / " + N +
      "), CASE WHEN i % 2 = 0 THEN 'A_ND85_TT12' ELSE 'B_ND331_TCVN14423' END, "
      "CASE WHEN i % 2 = 0 THEN 'A-TT20' ELSE 'B-ND331' END, 1, CASE WHEN i % 2 = 0 THEN 'receive_verify' ELSE "
      "'detect_classify' END, i % 10 <> 0, 0, CASE WHEN i % 10 <> 0 THEN 9223372036854775807 WHEN i % 2 = 0 THEN " +
      T + " - (i * 60 * " + day + " / " + N + ") + 5 * " + day + " ELSE " + T + " - (i * 60 * " + day + " / " + N +
      ") + 3 * " + day + " END, 'bench', " + T + ", " + T +
      " FROM s;"
      "INSERT INTO incident_steps(incident_id,seq,step,entered_at,entered_by) SELECT id, 1, current_step, "
      "detected_at, 'bench' FROM incidents;"
      "INSERT INTO incident_timeline(incident_id,at,kind,actor,text) SELECT id, detected_at, 'created', 'bench', "
      "title FROM incidents;"
      "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 1000) "
      "INSERT INTO observables(id,type,value) SELECT i + 1, 'ip', '198.51.' || (i / 256) || '.' || (i % 256) FROM s;"
      "INSERT INTO incident_observables(incident_id,observable_id,added_at,added_by) SELECT id, 1 + id % 1000, "
      "detected_at, 'bench' FROM incidents;"
      "INSERT INTO incident_observables(incident_id,observable_id,added_at,added_by) SELECT id, 1001, detected_at, "
      "'bench' FROM incidents WHERE id % 10 = 3 AND 1 + id % 1000 <> 1001;"
      "COMMIT;";
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "seed failed: %s\n", err ? err : "?");
    sqlite3_free(err);
  }
  sqlite3_close(db);
}

incident::IncidentHistory historyOf(const Incident& inc) {
  incident::IncidentHistory h{inc.processId, inc.processVersion, inc.detectedAt, {}, {}, {}};
  for (const auto& s : inc.steps) h.steps.push_back({s.step, s.enteredAt, {}});
  for (const auto& e : inc.events) h.events.emplace_back(e.id, e.at);
  return h;
}

void report(const char* name, std::vector<double> times, size_t rows) {
  std::sort(times.begin(), times.end());
  const auto at = [&](double q) { return times[std::min(times.size() - 1, static_cast<size_t>(q * times.size()))]; };
  std::printf("  %-44s %8.2f %8.2f %8.2f %5zu\n", name, at(0.5), at(0.99), times.back(), rows);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 50'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 200;
  (void)crypto::initCrypto();
  const std::string catalogs = VIGIL_BENCH_CATALOG_DIR;
  auto regimes = compliance::loadRegimeDirectory(catalogs + "/regimes");
  auto processes = incident::ProcessLibrary::loadDirectory(catalogs + "/incident/processes", *regimes);
  auto cal = calendar::WorkingCalendar::load(catalogs + "/calendar/vn.toml");
  if (!regimes.ok() || !processes.ok() || !cal.ok()) {
    std::fprintf(stderr, "catalogs not loaded from %s\n", catalogs.c_str());
    return 1;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("vigil-incidents-bench-" + std::to_string(::getpid()));
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
  const TimeMs now = clock.nowMs();
  const auto t0 = Steady::now();
  seed(o.path, n, agencies[0].id, now);
  std::printf("== seed: %lld incidents in %.1f s\n", static_cast<long long>(n), msSince(t0) / 1000);

  Actor province;
  province.userId = adminId;
  province.grants.push_back({root.id, root.path, Role::kAdministrator});
  Actor officer;
  officer.userId = adminId;
  officer.grants.push_back({agencies[7].id, agencies[7].path, Role::kSocAnalyst});
  struct Case {
    const char* name;
    const Actor* actor;
    IncidentQuery q;
  };
  const Case cases[] = {
      {"province, status=all", &province, {}},
      {"province, status=open", &province, {.closed = false}},
      {"province, q=Sự cố 4999", &province, {.text = "Sự cố 4999"}},
      {"agency officer, status=all", &officer, {}},
      {"agency officer, status=open", &officer, {.closed = false}},
  };
  std::printf("== first page (50 rows, history + legal clock per row), %d runs each, ms: p50 p99 max rows\n", runs);
  for (const auto& c : cases) {
    std::vector<double> times;
    size_t rows = 0;
    for (int r = 0; r < runs; ++r) {
      const auto t = Steady::now();
      auto page = store->listIncidents(*c.actor, c.q);
      if (!page.ok()) {
        std::printf("  %s: %s\n", c.name, page.error().message.c_str());
        break;
      }
      for (const auto& inc : page->items) {
        auto p = processes->find(inc.processId, inc.processVersion);
        if (p) (void)incident::legalClock(*p, historyOf(inc), *cal, now);
      }
      times.push_back(msSince(t));
      rows = page->items.size();
    }
    if (!times.empty()) report(c.name, times, rows);
  }
  {
    std::vector<double> times;
    size_t obs = 0;
    int64_t others = 0;
    for (int r = 0; r < runs; ++r) {
      const auto t = Steady::now();
      auto inc = store->getIncident(province, 3);
      times.push_back(msSince(t));
      if (!inc.ok()) break;
      obs = inc->observables.size();
      for (const auto& ob : inc->observables) others = std::max(others, ob.otherIncidents);
    }
    std::printf("== one incident read whole (its shared IP is in %lld other incidents), ms: p50 p99 max obs\n",
                static_cast<long long>(others));
    if (!times.empty()) report("getIncident", times, obs);
  }
  store->close();
  if (!std::getenv("VIGIL_BENCH_KEEP")) std::filesystem::remove_all(dir);
  return 0;
}
