// Log sources and saved searches in the store (source_store.h): scoping by the organisation tree
// (out of scope reads as missing), only administrators change sources, one audit entry per change
// without the token hash, failures change nothing, and the collector's view.
#include "store/store_fixture.h"

namespace vigil::test {
namespace {

class SourceStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = org("Sở Y tế");
    b_ = org("Sở Công Thương");
    adminA_ = actorOf(user("admin.a", a_, Role::kAdministrator));
    officerA_ = actorOf(user("officer.a", a_, Role::kUnitOfficer));
    adminB_ = actorOf(user("admin.b", b_, Role::kAdministrator));
  }

  SourceFields fields(const std::string& name) {
    return {.orgId = a_.id, .name = name, .addresses = {"10.4.0.1", "10.4.1.0/24"}, .expectedIntervalMinutes = 60};
  }

  int64_t auditCount() { return store_->listAudit(system_, {.limit = 1}).value().total; }

  Org a_, b_;
  Actor adminA_, officerA_, adminB_;
  const std::string hash_ = std::string(64, 'a');
};

TEST_F(SourceStoreTest, CreateListAndScope) {
  const int64_t before = auditCount();
  auto s = store_->createSource(adminA_, fields("Tường lửa"), hash_);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->orgName, "Sở Y tế");
  EXPECT_TRUE(s->hasToken);
  EXPECT_EQ(s->addresses, (std::vector<std::string>{"10.4.0.1", "10.4.1.0/24"}));
  EXPECT_EQ(auditCount(), before + 1);
  auto entry = store_->listAudit(system_, {.limit = 1}).value().items.at(0);
  EXPECT_EQ(entry.action, "source.create");
  EXPECT_EQ(entry.summary.find(hash_), std::string::npos) << "the token hash reached the audit log";

  EXPECT_EQ(store_->listSources(officerA_).value().size(), 1u);
  EXPECT_TRUE(store_->listSources(adminB_).value().empty());
  EXPECT_EQ(store_->getSource(adminB_, s->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->listSources(system_).value().size(), 1u);
}

TEST_F(SourceStoreTest, OnlyAdministratorsOfTheOrganisationChangeSources) {
  auto s = store_->createSource(adminA_, fields("Tường lửa"), "").value();
  const int64_t before = auditCount();
  EXPECT_EQ(store_->createSource(officerA_, fields("Khác"), "").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->updateSource(officerA_, s.id, {.enabled = false}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->updateSource(adminB_, s.id, {.enabled = false}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->setSourceToken(adminB_, s.id, hash_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->deleteSource(adminB_, s.id).error().code, ErrorCode::kNotFound);
  auto underB = fields("Lấn sân");
  underB.orgId = b_.id;
  EXPECT_EQ(store_->createSource(adminA_, underB, "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->createSource(adminA_, fields("Tường lửa"), "").error().code, ErrorCode::kConflict);
  EXPECT_EQ(auditCount(), before) << "a refused change wrote an audit entry";
  EXPECT_TRUE(store_->getSource(system_, s.id).value().enabled);
  EXPECT_EQ(store_->listSources(system_).value().size(), 1u);
}

TEST_F(SourceStoreTest, UpdateRotateDeleteAndTheCollectorsView) {
  auto s = store_->createSource(adminA_, fields("Tường lửa"), "").value();
  auto off = store_->createSource(adminA_, fields("Tắt"), "").value();
  ASSERT_TRUE(store_->updateSource(adminA_, off.id, {.enabled = false}).ok());
  auto u =
      store_->updateSource(adminA_, s.id, {.name = "FortiGate", .addresses = std::vector<std::string>{"10.9.0.0/16"}});
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->name, "FortiGate");
  EXPECT_EQ(store_->listAudit(system_, {.limit = 1}).value().items.at(0).action, "source.update");

  ASSERT_TRUE(store_->setSourceToken(adminA_, s.id, hash_).ok());
  auto all = store_->allSourcesForCollector().value();
  ASSERT_EQ(all.size(), 1u) << "disabled sources are not given to the collector";
  EXPECT_EQ(all[0].source.id, s.id);
  EXPECT_EQ(all[0].tokenSha256, hash_);
  EXPECT_EQ(all[0].source.addresses, std::vector<std::string>{"10.9.0.0/16"});
  auto rotated = store_->listAudit(system_, {.limit = 1}).value().items.at(0);
  EXPECT_EQ(rotated.action, "source.token_rotate");
  EXPECT_EQ(rotated.summary.find(hash_), std::string::npos);

  ASSERT_TRUE(store_->deleteSource(adminA_, s.id).ok());
  EXPECT_EQ(store_->getSource(adminA_, s.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->allSourcesForCollector().value().empty());
}

TEST_F(SourceStoreTest, SavedSearchesAreTheUsersOwn) {
  auto s = store_->createSavedSearch(officerA_, "SSH thất bại", "event.outcome:failure", "24h");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->orgId, a_.id);
  EXPECT_EQ(store_->listSavedSearches(officerA_).value().size(), 1u);
  EXPECT_TRUE(store_->listSavedSearches(adminA_).value().empty());
  EXPECT_EQ(store_->deleteSavedSearch(adminA_, s->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->createSavedSearch(officerA_, "SSH thất bại", "x", "1h").error().code, ErrorCode::kConflict);
  Actor token;
  token.tokenId = 5;
  token.name = "token:x";
  EXPECT_EQ(store_->listSavedSearches(token).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->deleteSavedSearch(token, s->id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->deleteSavedSearch(officerA_, s->id).ok());
  EXPECT_EQ(store_->listAudit(system_, {.limit = 1}).value().items.at(0).action, "saved_search.delete");
}

}  // namespace
}  // namespace vigil::test
