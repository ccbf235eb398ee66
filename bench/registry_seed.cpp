// Seeds a vigil data directory with a province-sized registry for the compliance benchmark:
// AGENCIES agencies, SYSTEMS information systems spread over them (a mix of regime A and B, levels
// 1-4 from real answers), ASSETS assets (mostly workstations with anti-malware), and level dossiers
// at every stage (about 60 % approved). Prints an API token (administrator on the root).
// Usage: vigil_bench_registry_seed DATA_DIR CATALOG_DIR AGENCIES SYSTEMS ASSETS
#include <iostream>
#include <string>

#include "api/registry_io.h"
#include "auth/authenticator.h"
#include "compliance/level_calculator.h"
#include "compliance/regime_catalog.h"
#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"

using namespace vigil;

namespace {

// The level of a system from its answers, computed by the real calculator on the catalogs.
class Leveler : public SystemLeveler {
 public:
  explicit Leveler(std::vector<std::shared_ptr<const compliance::RegimeCatalog>> regimes)
      : regimes_(std::move(regimes)) {}
  Result<int> proposedLevel(const std::string& regimeId, const std::string& factsJson,
                            int componentsLevel) const override {
    for (const auto& r : regimes_) {
      if (r->id() != regimeId) continue;
      VIGIL_ASSIGN_OR_RETURN(auto facts, api::factsFromText(*r, factsJson));
      std::vector<compliance::ComponentLevel> components;
      if (componentsLevel > 0) components.push_back({"components", componentsLevel});
      VIGIL_ASSIGN_OR_RETURN(auto result, compliance::LevelCalculator(r).calculate(facts, components));
      return result.level;
    }
    return Error::validation("regime_id", "unknown regime " + regimeId);
  }

 private:
  std::vector<std::shared_ptr<const compliance::RegimeCatalog>> regimes_;
};

// Stops the seed on the first error (a Status or any Result).
template <typename R>
void check(const R& r, const char* what) {
  if (!r.ok()) {
    std::cerr << what << ": " << r.error().message << "\n";
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: vigil_bench_registry_seed DATA_DIR CATALOG_DIR AGENCIES SYSTEMS ASSETS\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::string catalogDir = argv[2];
  const int agencies = std::stoi(argv[3]);
  const int systems = std::stoi(argv[4]);
  const int assets = std::stoi(argv[5]);
  if (!crypto::initCrypto().ok()) return 1;
  auto regimes = compliance::loadRegimeDirectory(catalogDir + "/regimes");
  if (!regimes.ok()) {
    std::cerr << regimes.error().message << "\n";
    return 1;
  }
  const Leveler leveler(*regimes);
  SystemClock clock;
  sqlite::SqliteOptions opts;
  opts.path = dir + "/vigil.db";
  auto store = sqlite::SqliteStore::open(opts, clock);
  if (!store.ok()) {
    std::cerr << store.error().message << "\n";
    return 1;
  }
  auto& s = **store;
  const Actor system = Actor::systemActor("bench-seed");
  const std::string hash = auth::hashPassword("Bench-password-123", {1, 8}).value();
  if (s.countUsers().value() == 0) {
    UserDraft admin{.username = "admin", .displayName = "Quản trị", .passwordHash = hash, .mustChangePassword = false};
    if (!s.bootstrap("Tỉnh Thử Nghiệm", admin).ok()) return 1;
  }
  const int64_t root = s.rootOrg()->id;
  std::vector<int64_t> orgs;
  for (int a = 0; a < agencies; ++a) {
    auto o =
        s.createOrg(system, {.parentId = root, .name = "Sở số " + std::to_string(a), .kind = OrgKind::kDepartment});
    check(o, "org");
    orgs.push_back(o->id);
  }

  // Systems: per agency, imported in one batch each (as an agency would import its CSV).
  const char* kFacts[] = {
      R"({"system_type":"internal","information_types":["public"]})",
      R"({"system_type":"citizen_facing","information_types":["public","personal"],"personal_data_subjects_basic":5000})",
      R"({"system_type":"citizen_facing","information_types":["public","personal"],"personal_data_subjects_basic":250000})",
      R"({"system_type":"internal","information_types":["public","private"],"security_harm":"harm"})"};
  std::vector<int64_t> systemIds;
  for (size_t a = 0; a < orgs.size(); ++a) {
    std::vector<SystemFields> rows;
    for (int i = static_cast<int>(a); i < systems; i += agencies) {
      SystemFields f;
      f.orgId = orgs[a];
      f.name = "Hệ thống thông tin số " + std::to_string(i);
      f.regimeId = i % 5 == 0 ? "A_ND85_TT12" : "B_ND331_TCVN14423";
      f.owner = "Ủy ban nhân dân tỉnh";
      f.leadOperator = "Sở số " + std::to_string(a);
      f.lifecycle = "operating";
      f.goLiveOn = "2025-06-01";
      f.securityRegulationIssuedOn = "2023-06-01";
      f.planStatus = i % 3 == 0 ? "fully" : i % 3 == 1 ? "partly" : "not_started";
      f.factsJson = f.regimeId.starts_with("A") ? kFacts[0] : kFacts[i % 4];
      rows.push_back(std::move(f));
    }
    auto ids = s.importSystems(system, rows, leveler);
    check(ids, "systems");
    systemIds.insert(systemIds.end(), ids->begin(), ids->end());
  }

  // Dossiers at every stage: 60 % approved, the rest spread over the other states or none.
  for (size_t i = 0; i < systemIds.size(); ++i) {
    const int stage = static_cast<int>(i % 10);
    if (stage == 9) continue;  // no dossier yet
    auto d = s.createDossier(system, systemIds[i]);
    check(d, "dossier");
    if (stage >= 1) check(s.transitionDossier(system, d->id, {.to = "sent_for_appraisal", .on = "2025-03-02"}), "send");
    if (stage >= 2)
      check(s.transitionDossier(system, d->id, {.to = "appraised", .on = "2025-03-20", .result = "suitable"}),
            "appraise");
    if (stage >= 3)
      check(s.transitionDossier(system, d->id,
                                {.to = "approved",
                                 .on = "2025-04-01",
                                 .decisionNumber = std::to_string(i) + "/QĐ-UBND",
                                 .decisionBody = "Ủy ban nhân dân tỉnh"}),
            "approve");
  }

  // Assets: in batches; nine workstations for one server, 90 % licensed and updated.
  std::vector<AssetFields> batch;
  for (int i = 0; i < assets; ++i) {
    AssetFields f;
    f.systemId = systemIds[static_cast<size_t>(i) % systemIds.size()];
    f.kind = i % 10 == 0 ? "server" : "workstation";
    f.name = (f.kind == "server" ? "SRV-" : "PC-") + std::to_string(i);
    f.ip =
        "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    f.os = f.kind == "server" ? "Ubuntu 22.04" : "Windows 11 Pro";
    f.antiMalware = i % 10 == 7 ? "" : "Kaspersky Endpoint Security";
    f.antiMalwareLicensed = i % 10 != 7;
    f.lastUpdateOn = "2026-11-20";
    batch.push_back(std::move(f));
    if (batch.size() == 1000 || i + 1 == assets) {
      check(s.importAssets(system, batch), "assets");
      batch.clear();
    }
  }

  auth::Authenticator authn(s, clock, {1, 8}, std::string(32, 'k'));
  auto token = authn.createApiToken(system, "bench", root, Role::kAdministrator, 1);
  if (!token.ok()) return 1;
  std::cout << token->secret << "\n";
  s.close();
  return 0;
}
