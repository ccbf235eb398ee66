// The organisation tree in the store: creation, moves that carry the subtree, archiving rules,
// and scoping of every read and write by the actor's grants.
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_fixture.h"

namespace vigil {
namespace {

class OrgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::initCrypto().ok());
    sqlite::SqliteOptions o;
    o.path = (dir_.path() / "vigil.db").string();
    store_ = std::move(sqlite::SqliteStore::open(o, clock_).value());
    UserDraft admin{.username = "admin", .displayName = "A", .passwordHash = "x"};
    ASSERT_TRUE(store_->bootstrap("Tỉnh Lào Cai", admin).ok());
    root_ = store_->rootOrg()->id;
  }
  Org create(const Actor& a, int64_t parent, const std::string& name, OrgKind kind = OrgKind::kDepartment) {
    auto r = store_->createOrg(a, {.parentId = parent, .name = name, .kind = kind});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : Org{};
  }
  static Actor actorWith(Role role, const Org& on) {
    Actor a;
    a.userId = 99;
    a.name = "tester";
    a.sourceIp = "127.0.0.1";
    a.grants.push_back({on.id, on.path, role});
    return a;
  }

  test::TempDir dir_;
  ManualClock clock_{1795000000000};
  std::unique_ptr<sqlite::SqliteStore> store_;
  int64_t root_ = 0;
  const Actor system_ = Actor::systemActor("test");
};

TEST_F(OrgStoreTest, PathsFollowTheTreeAndMovesCarryTheSubtree) {
  Org so = create(system_, root_, "Sở Nội vụ");
  Org phong = create(system_, so.id, "Phòng Tin học", OrgKind::kUnit);
  Org huyen = create(system_, root_, "UBND huyện Bát Xát", OrgKind::kDistrict);
  EXPECT_EQ(phong.path, "/1/" + std::to_string(so.id) + "/" + std::to_string(phong.id) + "/");
  ASSERT_TRUE(store_->moveOrg(system_, so.id, huyen.id).ok());
  auto moved = store_->getOrg(system_, phong.id);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->path, huyen.path + std::to_string(so.id) + "/" + std::to_string(phong.id) + "/");
  // Under itself: refused.
  auto loop = store_->moveOrg(system_, huyen.id, phong.id);
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().code, ErrorCode::kConflict);
  auto root = store_->moveOrg(system_, root_, so.id);
  EXPECT_FALSE(root.ok());
}

TEST_F(OrgStoreTest, ArchiveNeedsArchivedChildrenAndHidesFromDefaultList) {
  Org so = create(system_, root_, "Sở Công Thương");
  Org unit = create(system_, so.id, "Văn phòng", OrgKind::kUnit);
  auto blocked = store_->setOrgArchived(system_, so.id, true);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->setOrgArchived(system_, unit.id, true).ok());
  ASSERT_TRUE(store_->setOrgArchived(system_, so.id, true).ok());
  EXPECT_EQ(store_->listOrgs(system_, false)->items.size(), 1u);
  EXPECT_EQ(store_->listOrgs(system_, true)->items.size(), 3u);
  // A child cannot come back while its parent is archived; nothing can be added under it.
  EXPECT_FALSE(store_->setOrgArchived(system_, unit.id, false).ok());
  auto add = store_->createOrg(system_, {.parentId = so.id, .name = "Mới", .kind = OrgKind::kUnit});
  ASSERT_FALSE(add.ok());
  EXPECT_EQ(add.error().code, ErrorCode::kConflict);
}

TEST_F(OrgStoreTest, ScopeLimitsReadsAndWrites) {
  Org a = create(system_, root_, "Sở A");
  Org b = create(system_, root_, "Sở B");
  Org aUnit = create(system_, a.id, "Phòng A1", OrgKind::kUnit);
  const Actor officerA = actorWith(Role::kUnitOfficer, a);
  const Actor adminA = actorWith(Role::kAdministrator, a);

  auto list = store_->listOrgs(officerA, true);
  ASSERT_TRUE(list.ok());
  std::vector<int64_t> ids;
  for (const auto& o : list->items) ids.push_back(o.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{a.id, aUnit.id}));

  // Out of scope reads look exactly like missing objects.
  auto other = store_->getOrg(officerA, b.id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->getOrg(officerA, 999999).error().code, ErrorCode::kNotFound);

  // An officer reads but does not change; an agency administrator changes only inside.
  EXPECT_EQ(store_->updateOrg(officerA, a.id, {.name = std::string("X")}).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(store_->updateOrg(adminA, aUnit.id, {.name = std::string("Phòng Tổng hợp")}).ok());
  EXPECT_EQ(store_->updateOrg(adminA, b.id, {.name = std::string("X")}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->moveOrg(adminA, aUnit.id, b.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->createOrg(adminA, {.parentId = root_, .name = "Y", .kind = OrgKind::kOther}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->getOrg(system_, b.id)->name, "Sở B");
}

TEST_F(OrgStoreTest, SiblingsHaveDistinctNames) {
  Org a = create(system_, root_, "Sở Nội vụ");
  Org huyen = create(system_, root_, "UBND huyện Sa Pa", OrgKind::kDistrict);
  auto dup = store_->createOrg(system_, {.parentId = root_, .name = "Sở Nội vụ", .kind = OrgKind::kDepartment});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  Org same = create(system_, huyen.id, "Sở Nội vụ");  // the same name elsewhere in the tree is fine
  EXPECT_EQ(store_->moveOrg(system_, same.id, root_).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->updateOrg(system_, huyen.id, {.name = std::string("Sở Nội vụ")}).error().code,
            ErrorCode::kConflict);
  EXPECT_TRUE(store_->updateOrg(system_, a.id, {.name = std::string("Sở Nội vụ")}).ok()) << "renaming to itself";
}

TEST_F(OrgStoreTest, VietnameseNamesRoundTripByteForByte) {
  const std::string name = "UBND xã Tả Phìn – Đoàn kết, Hữu nghị";
  Org o = create(system_, root_, name, OrgKind::kCommune);
  EXPECT_EQ(store_->getOrg(system_, o.id)->name, name);
}

TEST_F(OrgStoreTest, EveryChangeIsAuditedInTheSameTransaction) {
  const int64_t before = store_->verifyAudit()->checked;
  Org o = create(system_, root_, "Sở Y tế");
  ASSERT_TRUE(store_->updateOrg(system_, o.id, {.name = std::string("Sở Y tế tỉnh")}).ok());
  auto log = store_->listAudit(system_, {.action = "org."});
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->items.size(), 2u);
  EXPECT_EQ(log->items[0].action, "org.update");
  EXPECT_NE(log->items[0].summary.find("Sở Y tế tỉnh"), std::string::npos);
  EXPECT_EQ(store_->verifyAudit()->checked, before + 2);
  // A refused change writes nothing.
  EXPECT_FALSE(store_->setOrgArchived(system_, root_, true).ok());
  EXPECT_EQ(store_->verifyAudit()->checked, before + 2);
}

}  // namespace
}  // namespace vigil
