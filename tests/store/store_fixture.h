// A fresh SqliteStore in a temporary directory with a bootstrapped province, for store tests.
#pragma once

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_server.h"

namespace vigil::test {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::initCrypto().ok());
    open();
    UserDraft admin{.username = "admin", .displayName = "Quản trị", .passwordHash = "x", .mustChangePassword = false};
    auto boot = store_->bootstrap("Tỉnh Lào Cai", admin);
    ASSERT_TRUE(boot.ok()) << boot.error().message;
    adminId_ = boot->id;
    root_ = store_->rootOrg().value();
  }
  void open() {
    sqlite::SqliteOptions o;
    o.path = dbPath();
    store_ = std::move(sqlite::SqliteStore::open(o, clock_).value());
  }
  std::string dbPath() const { return (dir_.path() / "vigil.db").string(); }

  Org org(const std::string& name, int64_t parent = 0) {
    auto r = store_->createOrg(system_,
                               {.parentId = parent ? parent : root_.id, .name = name, .kind = OrgKind::kDepartment});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : Org{};
  }
  User user(const std::string& name, const Org& home, Role role) {
    UserDraft d{
        .username = name, .displayName = name, .orgId = home.id, .passwordHash = "h", .roles = {{home.id, role}}};
    auto r = store_->createUser(system_, d);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : User{};
  }
  static Actor actorOf(const User& u) {
    Actor a;
    a.userId = u.id;
    a.name = u.username;
    a.sourceIp = "127.0.0.1";
    for (const auto& r : u.roles) a.grants.push_back({r.orgId, r.orgPath, r.role});
    return a;
  }

  TempDir dir_;
  ManualClock clock_{1795000000000};
  std::unique_ptr<sqlite::SqliteStore> store_;
  Org root_;
  int64_t adminId_ = 0;
  const Actor system_ = Actor::systemActor("test");
};

}  // namespace vigil::test
