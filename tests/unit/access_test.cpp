#include "model/access.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Actor with(std::initializer_list<Grant> grants) {
  Actor a;
  a.userId = 7;
  a.grants = grants;
  return a;
}

TEST(Access, PolicyTable) {
  EXPECT_TRUE(roleAllows(Role::kAdministrator, Permission::kManageUsers));
  EXPECT_TRUE(roleAllows(Role::kAuditor, Permission::kReadAudit));
  EXPECT_FALSE(roleAllows(Role::kAuditor, Permission::kManageOrgs));
  EXPECT_FALSE(roleAllows(Role::kUnitOfficer, Permission::kReadUsers));
  EXPECT_FALSE(roleAllows(Role::kUnitOfficer, Permission::kReadAudit));
  EXPECT_TRUE(roleAllows(Role::kUnitOfficer, Permission::kReadOrgs));
  EXPECT_FALSE(roleAllows(Role::kSocAnalyst, Permission::kManageTokens));
  EXPECT_TRUE(roleAllows(Role::kLeader, Permission::kReadUsers));
  // Log events and sources: every role reads; only administrators declare sources.
  for (Role r : allRoles()) {
    EXPECT_TRUE(roleAllows(r, Permission::kReadEvents)) << roleName(r);
    EXPECT_EQ(roleAllows(r, Permission::kManageSources), r == Role::kAdministrator) << roleName(r);
  }
  // Alerts: every role reads the queue; leaders and auditors do not work it.
  for (Role r : allRoles()) {
    EXPECT_TRUE(roleAllows(r, Permission::kReadAlerts)) << roleName(r);
    EXPECT_EQ(roleAllows(r, Permission::kTriageAlerts), r != Role::kLeader && r != Role::kAuditor) << roleName(r);
  }
}

TEST(Access, GrantsCoverTheirSubtreeOnly) {
  const Actor a = with({{4, "/1/4/", Role::kAdministrator}});
  EXPECT_TRUE(allows(a, Permission::kManageOrgs, "/1/4/"));
  EXPECT_TRUE(allows(a, Permission::kManageOrgs, "/1/4/9/"));
  EXPECT_FALSE(allows(a, Permission::kManageOrgs, "/1/"));
  EXPECT_FALSE(allows(a, Permission::kManageOrgs, "/1/5/"));
  EXPECT_FALSE(allows(a, Permission::kManageOrgs, "/1/40/")) << "prefix must end at a node boundary";
  EXPECT_FALSE(allows(a, Permission::kManageSettings, "/1/4/")) << "settings only from the root";
  EXPECT_TRUE(allows(with({{1, "/1/", Role::kAdministrator}}), Permission::kManageSettings, "/1/"));
  EXPECT_TRUE(allows(Actor::systemActor("t"), Permission::kManageSettings, "/1/"));
}

TEST(Access, ScopePrefixesAreMinimal) {
  const Actor a =
      with({{4, "/1/4/", Role::kAuditor}, {9, "/1/4/9/", Role::kAdministrator}, {5, "/1/5/", Role::kUnitOfficer}});
  EXPECT_EQ(scopePrefixes(a, Permission::kReadOrgs), (std::vector<std::string>{"/1/4/", "/1/5/"}));
  EXPECT_EQ(scopePrefixes(a, Permission::kReadAudit), (std::vector<std::string>{"/1/4/"}));
  EXPECT_EQ(scopePrefixes(a, Permission::kManageUsers), (std::vector<std::string>{"/1/4/9/"}));
  EXPECT_TRUE(scopePrefixes(with({}), Permission::kReadOrgs).empty());
}

TEST(Access, RoleNamesRoundTrip) {
  for (Role r : allRoles()) EXPECT_EQ(parseRole(roleName(r)), r);
  EXPECT_FALSE(parseRole("root").has_value());
}

}  // namespace
}  // namespace vigil
