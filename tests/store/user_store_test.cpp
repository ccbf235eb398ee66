// Accounts in the store: scoping of reads and writes, limits on granting roles, self-protection,
// lockout counting, TOTP replay protection and the inactivity rule.
#include <thread>

#include "store/store_fixture.h"

namespace vigil::test {
namespace {

using UserStoreTest = StoreTest;

TEST_F(UserStoreTest, AgencyAdministratorManagesOnlyTheirSubtree) {
  Org a = org("Sở A"), b = org("Sở B");
  Org a1 = org("Phòng A1", a.id);
  const Actor adminA = actorOf(user("admin.a", a, Role::kAdministrator));
  user("officer.b", b, Role::kUnitOfficer);

  UserDraft ok{.username = "officer.a1",
               .displayName = "Cán bộ",
               .orgId = a1.id,
               .passwordHash = "h",
               .roles = {{a1.id, Role::kUnitOfficer}}};
  ASSERT_TRUE(store_->createUser(adminA, ok).ok());

  UserDraft outside = ok;
  outside.username = "x1";
  outside.orgId = b.id;
  outside.roles = {{b.id, Role::kUnitOfficer}};
  EXPECT_EQ(store_->createUser(adminA, outside).error().code, ErrorCode::kNotFound);

  UserDraft escalate = ok;
  escalate.username = "x2";
  escalate.roles = {{root_.id, Role::kAdministrator}};
  auto r = store_->createUser(adminA, escalate);
  ASSERT_FALSE(r.ok()) << "granting a role on the province from an agency must fail";
  EXPECT_FALSE(store_->credentialsByName("x2").ok()) << "and leave nothing behind";

  auto list = store_->listUsers(adminA, {});
  ASSERT_TRUE(list.ok());
  for (const auto& u : list->items) EXPECT_NE(u.username, "officer.b");
  EXPECT_EQ(list->total, 2);  // admin.a and officer.a1
}

TEST_F(UserStoreTest, OfficersCannotListAccountsAndNobodyEditsThemself) {
  Org a = org("Sở A");
  User officer = user("officer.a", a, Role::kUnitOfficer);
  EXPECT_EQ(store_->listUsers(actorOf(officer), {}).error().code, ErrorCode::kForbidden);
  User admin = user("admin.a", a, Role::kAdministrator);
  const Actor self = actorOf(admin);
  EXPECT_EQ(store_->setUserRoles(self, admin.id, {}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->updateUser(self, admin.id, {.disabled = true}).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(store_->updateUser(self, officer.id, {.disabled = true}).ok());
  EXPECT_TRUE(store_->getUser(system_, officer.id)->disabled);
}

TEST_F(UserStoreTest, RoleReplacementKeepsGrantsOutsideTheActorsReach) {
  Org a = org("Sở A"), b = org("Sở B");
  User both = user("both", a, Role::kUnitOfficer);
  ASSERT_TRUE(store_->setUserRoles(system_, both.id, {{a.id, Role::kUnitOfficer}, {b.id, Role::kAuditor}}).ok());
  const Actor adminA = actorOf(user("admin.a", a, Role::kAdministrator));
  ASSERT_TRUE(store_->setUserRoles(adminA, both.id, {{a.id, Role::kLeader}}).ok());
  auto roles = store_->getUser(system_, both.id)->roles;
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[0].role, Role::kLeader);
  EXPECT_EQ(roles[1].role, Role::kAuditor) << "the grant on B stays";
}

TEST_F(UserStoreTest, DuplicateUserNamesAreRefusedCaseInsensitively) {
  Org a = org("Sở A");
  user("nguyen.an", a, Role::kUnitOfficer);
  UserDraft d{.username = "Nguyen.An", .displayName = "x", .orgId = a.id, .passwordHash = "h"};
  auto r = store_->createUser(system_, d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
}

TEST_F(UserStoreTest, LockoutAfterThresholdAndUnlock) {
  Org a = org("Sở A");
  User u = user("officer", a, Role::kUnitOfficer);
  const TimeMs until = clock_.nowMs() + 15 * 60000;
  for (int i = 1; i < 5; ++i) EXPECT_EQ(*store_->recordLoginFailure(system_, u.id, 5, until), i);
  EXPECT_FALSE(store_->credentialsById(u.id)->user.lockedUntil.has_value());
  EXPECT_EQ(*store_->recordLoginFailure(system_, u.id, 5, until), 5);
  EXPECT_EQ(*store_->credentialsById(u.id)->user.lockedUntil, until);
  ASSERT_TRUE(store_->unlockUser(system_, u.id).ok());
  EXPECT_FALSE(store_->credentialsById(u.id)->user.lockedUntil.has_value());
  EXPECT_EQ(store_->listAudit(system_, {.action = "user.lockout"})->total, 1);
}

TEST_F(UserStoreTest, TotpStepsAreSingleUseEvenUnderConcurrency) {
  Org a = org("Sở A");
  User u = user("officer", a, Role::kUnitOfficer);
  std::atomic<int> claimed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      if (*store_->claimTotpStep(u.id, 1000)) ++claimed;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(claimed.load(), 1);
  EXPECT_FALSE(*store_->claimTotpStep(u.id, 999)) << "older steps are refused too";
  EXPECT_TRUE(*store_->claimTotpStep(u.id, 1001));
}

TEST_F(UserStoreTest, InactiveAccountsAreDisabledAndAudited) {
  Org a = org("Sở A");
  User stale = user("stale", a, Role::kUnitOfficer);
  clock_.advanceMs(int64_t{40} * 24 * 3600 * 1000);
  User fresh = user("fresh", a, Role::kUnitOfficer);
  clock_.advanceMs(int64_t{6} * 24 * 3600 * 1000);
  const TimeMs cutoff = clock_.nowMs() - int64_t{45} * 24 * 3600 * 1000;
  EXPECT_EQ(*store_->disableInactiveUsers(cutoff), 2);  // stale and the bootstrap admin
  EXPECT_TRUE(store_->getUser(system_, stale.id)->disabled);
  EXPECT_EQ(store_->getUser(system_, stale.id)->disabledReason, "inactive");
  EXPECT_FALSE(store_->getUser(system_, fresh.id)->disabled);
  EXPECT_EQ(store_->listAudit(system_, {.action = "user.disable_inactive"})->total, 2);
  // Re-enabling counts as activity, so the next sweep leaves the account alone.
  ASSERT_TRUE(store_->updateUser(system_, stale.id, {.disabled = false}).ok());
  EXPECT_EQ(*store_->disableInactiveUsers(cutoff), 0);
}

TEST_F(UserStoreTest, PasswordChangeEndsSessions) {
  Org a = org("Sở A");
  User u = user("officer", a, Role::kUnitOfficer);
  ASSERT_TRUE(store_->createSession({.tokenHash = "t1", .userId = u.id, .expiresAt = clock_.nowMs() + 1000}).ok());
  ASSERT_TRUE(store_->findSession("t1").ok());
  ASSERT_TRUE(store_->setPassword(actorOf(u), u.id, "new-hash", false).ok());
  EXPECT_FALSE(store_->findSession("t1").ok());
  EXPECT_EQ(store_->credentialsById(u.id)->passwordHash, "new-hash");
}

}  // namespace
}  // namespace vigil::test
