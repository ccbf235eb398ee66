// Store micro-benchmarks: audited writes through the group-commit writer (from several threads)
// and the scoped, paged user list over 10,000 accounts.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"

using namespace vigil;

namespace {

struct Fixture {
  Fixture() {
    (void)crypto::initCrypto();
    dir = std::filesystem::temp_directory_path() / ("vigil-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    sqlite::SqliteOptions o;
    o.path = (dir / "vigil.db").string();
    store = std::move(sqlite::SqliteStore::open(o, clock).value());
    UserDraft admin{.username = "admin", .displayName = "A", .passwordHash = "x"};
    (void)store->bootstrap("Tỉnh", admin);
    const int64_t root = store->rootOrg()->id;
    for (int a = 0; a < 50; ++a)
      agencies.push_back(
          store->createOrg(system, {.parentId = root, .name = "Sở " + std::to_string(a), .kind = OrgKind::kDepartment})
              ->id);
    for (int u = 0; u < 10000; ++u) {
      const int64_t org = agencies[static_cast<size_t>(u) % agencies.size()];
      (void)store->createUser(system, {.username = "u" + std::to_string(u),
                                       .displayName = "Cán bộ",
                                       .orgId = org,
                                       .passwordHash = "x",
                                       .roles = {{org, Role::kUnitOfficer}}});
    }
  }
  ~Fixture() {
    store->close();
    std::filesystem::remove_all(dir);
  }
  SystemClock clock;
  std::filesystem::path dir;
  std::unique_ptr<sqlite::SqliteStore> store;
  std::vector<int64_t> agencies;
  const Actor system = Actor::systemActor("bench");
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_AuditedWrite(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto st = f.store->appendAudit(f.system, {.action = "bench.write", .objectType = "bench", .objectId = "1"});
    if (!st.ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuditedWrite)->Threads(1)->Threads(8)->Threads(32)->UseRealTime();

void BM_ListUsersPage(benchmark::State& state) {
  auto& f = fixture();
  Actor admin;
  admin.userId = 1;
  admin.grants.push_back({1, "/1/", Role::kAdministrator});
  for (auto _ : state) {
    auto page = f.store->listUsers(admin, {.limit = 50, .offset = 5000});
    if (!page.ok() || page->items.size() != 50) state.SkipWithError("list failed");
  }
}
BENCHMARK(BM_ListUsersPage)->Unit(benchmark::kMicrosecond);

void BM_ListUsersAgencyScope(benchmark::State& state) {
  auto& f = fixture();
  Actor admin;
  admin.userId = 1;
  admin.grants.push_back({f.agencies[3], "/1/" + std::to_string(f.agencies[3]) + "/", Role::kAdministrator});
  for (auto _ : state) {
    auto page = f.store->listUsers(admin, {.limit = 50});
    if (!page.ok() || page->total != 200) state.SkipWithError("scoped list failed");
  }
}
BENCHMARK(BM_ListUsersAgencyScope)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
