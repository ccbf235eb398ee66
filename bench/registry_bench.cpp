// Registry micro-benchmarks at the size issue 3 names: 50 agencies, 5,000 information systems and
// 100,000 assets. Measures the list pages (province-wide and one agency), one system, and the
// anti-malware coverage of the whole province. The proposed level comes from a stand-in leveler
// (the calculator's cost is measured by the compliance tests, not here).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"

using namespace vigil;

namespace {

class FixedLeveler : public SystemLeveler {
 public:
  Result<int> proposedLevel(const std::string&, const std::string&, int components) const override {
    return std::max(2, components);
  }
};

struct Fixture {
  Fixture() {
    (void)crypto::initCrypto();
    dir = std::filesystem::temp_directory_path() / ("vigil-registry-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    sqlite::SqliteOptions o;
    o.path = (dir / "vigil.db").string();
    store = std::move(sqlite::SqliteStore::open(o, clock).value());
    UserDraft admin{.username = "admin", .displayName = "A", .passwordHash = "x"};
    (void)store->bootstrap("Tỉnh", admin);
    const int64_t root = store->rootOrg()->id;
    FixedLeveler leveler;
    for (int a = 0; a < 50; ++a) {
      const int64_t org =
          store->createOrg(system, {.parentId = root, .name = "Sở " + std::to_string(a), .kind = OrgKind::kDepartment})
              ->id;
      agencies.push_back(org);
      std::vector<SystemFields> systems;
      for (int s = 0; s < 100; ++s) {
        SystemFields f;
        f.orgId = org;
        f.name = "Hệ thống " + std::to_string(a) + "-" + std::to_string(s);
        f.regimeId = "B_ND331_TCVN14423";
        f.owner = "UBND tỉnh";
        f.leadOperator = "Sở " + std::to_string(a);
        f.lifecycle = s % 3 ? "operating" : "build";
        f.factsJson = R"({"system_type":"internal","information_types":["public","personal"]})";
        systems.push_back(std::move(f));
      }
      auto ids = store->importSystems(system, systems, leveler).value();
      std::vector<AssetFields> assets;
      for (int64_t id : ids)
        for (int k = 0; k < 20; ++k)
          assets.push_back({.systemId = id,
                            .kind = k < 2   ? "server"
                                    : k < 4 ? "network_device"
                                            : "workstation",
                            .name = "TB-" + std::to_string(k),
                            .antiMalware = k >= 4 ? "Bkav" : "",
                            .antiMalwareLicensed = k >= 4 && k % 5 != 0,
                            .lastUpdateOn = std::string("2026-11-2") + std::to_string(k % 4)});
      (void)store->importAssets(system, assets).value();
    }
    province.userId = 1;
    province.grants.push_back({root, "/" + std::to_string(root) + "/", Role::kAdministrator});
    agency.userId = 2;
    agency.grants.push_back(
        {agencies[7], "/" + std::to_string(root) + "/" + std::to_string(agencies[7]) + "/", Role::kUnitOfficer});
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
  Actor province, agency;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_ListSystemsProvincePage(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto page = f.store->listSystems(f.province, {.limit = 50, .offset = 2500});
    if (!page.ok() || page->items.size() != 50 || page->total != 5000) state.SkipWithError("list failed");
  }
}
BENCHMARK(BM_ListSystemsProvincePage)->Unit(benchmark::kMicrosecond);

void BM_ListSystemsAgencyByLifecycle(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto page = f.store->listSystems(f.agency, {.lifecycle = "operating", .limit = 50});
    if (!page.ok() || page->total != 66) state.SkipWithError("scoped list failed");
  }
}
BENCHMARK(BM_ListSystemsAgencyByLifecycle)->Unit(benchmark::kMicrosecond);

void BM_ListAssetsProvincePage(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto page = f.store->listAssets(f.province, {.kind = "workstation", .limit = 50, .offset = 40000});
    if (!page.ok() || page->items.size() != 50) state.SkipWithError("asset list failed");
  }
}
BENCHMARK(BM_ListAssetsProvincePage)->Unit(benchmark::kMicrosecond);

void BM_GetSystem(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto s = f.store->getSystem(f.province, 2500);
    if (!s.ok()) state.SkipWithError("get failed");
  }
}
BENCHMARK(BM_GetSystem)->Unit(benchmark::kMicrosecond);

void BM_CoverageProvince(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto c = f.store->assetCoverage(f.province, std::nullopt, "2026-11-21");
    if (!c.ok() || c->workstations != 80000 || c->byOrg.size() != 50) state.SkipWithError("coverage failed");
  }
}
BENCHMARK(BM_CoverageProvince)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
