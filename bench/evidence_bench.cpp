// Incident evidence (issue 4): the vault's put (hash, temp file + fsync + rename, record with its
// custody entry and audit in one transaction) and verify (read back and hash again) of 1 MiB
// files; and the creation of an export bundle of 100 items (hash check of every file, manifest,
// deflated ZIP in memory). Run: build/release/bench/vigil_evidence_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "core/crypto.h"
#include "evidence/vault.h"
#include "store/sqlite/sqlite_store.h"

using namespace vigil;

namespace {

// Log-like bytes (compressible like real evidence) of `size`, made distinct by `seed`.
std::string logBytes(size_t size, uint64_t seed) {
  std::string out;
  out.reserve(size + 128);
  uint64_t n = seed;
  while (out.size() < size) {
    n = n * 6364136223846793005ULL + 1442695040888963407ULL;
    out += "2026-03-06T10:15:" + std::to_string(n % 60) + "Z web01 nginx: 203.0.113." + std::to_string(n % 250) +
           " \"GET /index.php?id=" + std::to_string(n >> 40) + " HTTP/1.1\" 200 " + std::to_string(n % 9000) + "\n";
  }
  out.resize(size);
  return out;
}

struct Fixture {
  Fixture() {
    (void)crypto::initCrypto();
    dir = std::filesystem::temp_directory_path() / ("vigil-evidence-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    sqlite::SqliteOptions o;
    o.path = (dir / "vigil.db").string();
    store = std::move(sqlite::SqliteStore::open(o, clock).value());
    UserDraft admin{.username = "admin", .displayName = "A", .passwordHash = "x"};
    (void)store->bootstrap("Tỉnh", admin);
    org = store->createOrg(system, {.parentId = store->rootOrg()->id, .name = "Sở Y tế", .kind = OrgKind::kDepartment})
              ->id;
    vault = std::make_unique<evidence::EvidenceVault>(*store, (dir / "evidence").string(), 64 << 20);
    // Evidence names an existing incident of its organisation (migration 11).
    for (int k = 0; k < 2; ++k) {
      IncidentDraft d{.orgId = org,
                      .title = "bench",
                      .detectedAt = clock.nowMs(),
                      .regime = "A",
                      .processId = "regime_a",
                      .processVersion = 1,
                      .startStep = "reception"};
      incidents[k] = store->createIncident(system, d).value().id;
    }
  }
  ~Fixture() {
    store->close();
    std::filesystem::remove_all(dir);
  }
  SystemClock clock;
  std::filesystem::path dir;
  std::unique_ptr<sqlite::SqliteStore> store;
  std::unique_ptr<evidence::EvidenceVault> vault;
  int64_t org = 0;
  int64_t incidents[2] = {0, 0};
  const Actor system = Actor::systemActor("bench");
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_VaultPut1MiB(benchmark::State& state) {
  Fixture& f = fixture();
  uint64_t seed = 1;
  std::vector<std::string> files;
  for (int i = 0; i < 64; ++i) files.push_back(logBytes(1 << 20, seed++));
  size_t next = 0;
  for (auto _ : state) {
    std::string& bytes = files[next++ % files.size()];
    bytes.replace(0, 16, std::to_string(1000000000000000 + seed++));  // new content every time
    EvidenceDraft d{.incidentId = f.incidents[0], .name = "access.log"};
    auto r = f.vault->collect(f.system, d, bytes);
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * (1 << 20));
}
BENCHMARK(BM_VaultPut1MiB)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_VaultVerify1MiB(benchmark::State& state) {
  Fixture& f = fixture();
  auto item = f.vault->collect(f.system, {.incidentId = f.incidents[1], .name = "a.log"}, logBytes(1 << 20, 99));
  if (!item.ok()) {
    state.SkipWithError(item.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto v = f.vault->verify(f.system, item->id);
    if (!v.ok() || !v->intact) state.SkipWithError("verify failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * (1 << 20));
}
BENCHMARK(BM_VaultVerify1MiB)->Unit(benchmark::kMillisecond)->UseRealTime();

// A bundle of 100 items of state.range(0) bytes each (buildBundle: re-hash, manifest, ZIP).
void BM_Bundle100Items(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  std::vector<evidence::BundleFile> files;
  for (int i = 1; i <= 100; ++i) {
    std::string bytes = logBytes(size, static_cast<uint64_t>(i));
    EvidenceItem e;
    e.id = i;
    e.incidentId = 3;
    e.name = "file-" + std::to_string(i) + ".log";
    e.mediaType = "text/plain";
    e.size = static_cast<int64_t>(bytes.size());
    e.sha256 = crypto::sha256Hex(bytes);
    e.collectedBy = "analyst";
    e.custody.push_back({i, i, "collected", 0, "analyst", "", "bench", "analyst", 0});
    files.push_back({std::move(e), std::move(bytes)});
  }
  size_t zipBytes = 0;
  for (auto _ : state) {
    auto b = evidence::buildBundle({3, "analyst", 0, "bench"}, files);
    if (!b.ok()) state.SkipWithError(b.error().message.c_str());
    zipBytes = b.ok() ? b->zip.size() : 0;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 100 * size));
  state.counters["zip_MiB"] = static_cast<double>(zipBytes) / (1 << 20);
}
BENCHMARK(BM_Bundle100Items)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
