// Seeds a vigil data directory for the load benchmark: a province with `agencies` agencies and
// `users` user accounts spread over them, then prints a new API token (administrator on the
// root) on standard output. Usage: vigil_bench_seed DATA_DIR USERS AGENCIES
#include <iostream>
#include <string>

#include "auth/authenticator.h"
#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"

using namespace vigil;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: vigil_bench_seed DATA_DIR USERS AGENCIES\n";
    return 2;
  }
  const std::string dir = argv[1];
  const int users = std::stoi(argv[2]);
  const int agencies = std::stoi(argv[3]);
  if (!crypto::initCrypto().ok()) return 1;
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
    if (!o.ok()) {
      std::cerr << o.error().message << "\n";
      return 1;
    }
    orgs.push_back(o->id);
  }
  for (int u = 0; u < users; ++u) {
    const int64_t org = orgs[static_cast<size_t>(u) % orgs.size()];
    UserDraft d{.username = "can.bo." + std::to_string(u),
                .displayName = "Cán bộ số " + std::to_string(u),
                .email = "cb" + std::to_string(u) + "@example.gov.vn",
                .orgId = org,
                .passwordHash = hash,
                .roles = {{org, Role::kUnitOfficer}}};
    auto r = s.createUser(system, d);
    if (!r.ok()) {
      std::cerr << r.error().message << "\n";
      return 1;
    }
  }
  auth::Authenticator authn(s, clock, {1, 8}, std::string(32, 'k'));
  auto token = authn.createApiToken(system, "bench", root, Role::kAdministrator, 1);
  if (!token.ok()) return 1;
  std::cout << token->secret << "\n";
  s.close();
  return 0;
}
