// The registry in the store: scoping by the organisation tree, the proposed level recomputed up
// the component tree, the dossier workflow, all-or-nothing import, coverage and audit entries.
// The level itself comes from a stand-in SystemLeveler (facts {"level":N}); the real calculator
// is exercised through the API in tests/api/registry_api_test.cpp.
#include <boost/json.hpp>

#include "store/blob_store.h"
#include "store/store_fixture.h"

namespace vigil::test {
namespace {

// The level is the fact "level" (default 1), raised by the components.
class FactLeveler : public SystemLeveler {
 public:
  Result<int> proposedLevel(const std::string&, const std::string& factsJson, int componentsLevel) const override {
    auto v = boost::json::parse(factsJson);
    int level = 1;
    if (const auto* l = v.as_object().if_contains("level")) level = static_cast<int>(l->as_int64());
    if (level > 5) return Error::validation("level", "must be 1..5");
    return std::max(level, componentsLevel);
  }
};

class RegistryStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = org("Sở Nội vụ");
    b_ = org("Sở Công Thương");
    officerA_ = actorOf(user("officer.a", a_, Role::kUnitOfficer));
    officerB_ = actorOf(user("officer.b", b_, Role::kUnitOfficer));
    leaderA_ = actorOf(user("leader.a", a_, Role::kLeader));
  }

  SystemFields fields(const std::string& name, int level, std::optional<int64_t> parent = std::nullopt) {
    SystemFields f;
    f.orgId = a_.id;
    f.name = name;
    f.regimeId = "B_ND331_TCVN14423";
    f.owner = "UBND tỉnh";
    f.leadOperator = "Sở Nội vụ";
    f.parentId = parent;
    f.factsJson = "{\"level\":" + std::to_string(level) + "}";
    return f;
  }
  InfoSystem create(const std::string& name, int level, std::optional<int64_t> parent = std::nullopt) {
    auto r = store_->createSystem(officerA_, fields(name, level, parent), leveler_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : InfoSystem{};
  }
  int levelOf(int64_t id) { return store_->getSystem(system_, id)->proposedLevel; }
  int64_t auditCount(const std::string& action) {
    AuditFilter f;
    f.action = action;
    return store_->listAudit(system_, f)->total;
  }

  FactLeveler leveler_;
  Org a_, b_;
  Actor officerA_, officerB_, leaderA_;
};

TEST_F(RegistryStoreTest, AnotherAgencySeesNothingAndCannotChange) {
  const InfoSystem s = create("Cổng thông tin Sở Nội vụ", 2);
  EXPECT_EQ(store_->getSystem(officerB_, s.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->listSystems(officerB_, {})->total, 0);
  EXPECT_EQ(store_->updateSystem(officerB_, s.id, fields("Đổi", 1), leveler_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->deleteSystem(officerB_, s.id, leveler_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->createDossier(officerB_, s.id).error().code, ErrorCode::kNotFound);
  // Creating in another agency: the organisation is not found for the caller.
  SystemFields f = fields("Lấn sân", 1);
  f.orgId = a_.id;
  EXPECT_EQ(store_->createSystem(officerB_, f, leveler_).error().code, ErrorCode::kNotFound);
  // A leader of A reads but does not change.
  EXPECT_TRUE(store_->getSystem(leaderA_, s.id).ok());
  EXPECT_EQ(store_->createSystem(leaderA_, fields("Bởi lãnh đạo", 1), leveler_).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->listSystems(officerA_, {})->total, 1);
}

TEST_F(RegistryStoreTest, ComponentsRaiseTheirAncestorsAndReleaseThemWhenChanged) {
  const InfoSystem top = create("Hệ thống tổng thể", 1);
  const InfoSystem mid = create("Phân hệ", 2, top.id);
  EXPECT_EQ(levelOf(top.id), 2);
  const InfoSystem leaf = create("Cơ sở dữ liệu", 4, mid.id);
  EXPECT_EQ(levelOf(mid.id), 4);
  EXPECT_EQ(levelOf(top.id), 4) << "a component's level reaches every ancestor";

  // Lowering the leaf recomputes the chain.
  ASSERT_TRUE(store_->updateSystem(officerA_, leaf.id, fields("Cơ sở dữ liệu", 1, mid.id), leveler_).ok());
  EXPECT_EQ(levelOf(mid.id), 2);
  EXPECT_EQ(levelOf(top.id), 2);

  // Moving the middle away releases the old parent.
  ASSERT_TRUE(store_->updateSystem(officerA_, mid.id, fields("Phân hệ", 2), leveler_).ok());
  EXPECT_EQ(levelOf(top.id), 1);

  // Deleting a component recomputes its parent; a system with components cannot be deleted.
  EXPECT_EQ(store_->deleteSystem(officerA_, mid.id, leveler_).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->deleteSystem(officerA_, leaf.id, leveler_).ok());
  EXPECT_EQ(levelOf(mid.id), 2);
  EXPECT_EQ(store_->listSystems(officerA_, {.level = 2})->total, 1);
}

TEST_F(RegistryStoreTest, ComponentCyclesAndForeignParentsAreRefused) {
  const InfoSystem x = create("X", 1);
  const InfoSystem y = create("Y", 1, x.id);
  auto cycle = store_->updateSystem(officerA_, x.id, fields("X", 1, y.id), leveler_);
  ASSERT_FALSE(cycle.ok());
  EXPECT_EQ(cycle.error().field, "parent_id");
  auto self = store_->updateSystem(officerA_, x.id, fields("X", 1, x.id), leveler_);
  EXPECT_EQ(self.error().field, "parent_id");

  SystemFields inB = fields("Hệ thống của B", 1);
  inB.orgId = b_.id;
  auto other = store_->createSystem(officerB_, inB, leveler_);
  ASSERT_TRUE(other.ok()) << other.error().message;
  SystemFields foreign = fields("Z", 1, other->id);
  auto r = store_->createSystem(officerA_, foreign, leveler_);
  EXPECT_EQ(r.error().field, "parent_id") << "a parent of another agency is refused";
  EXPECT_EQ(store_->getSystem(system_, x.id)->parentId, std::nullopt) << "nothing changed";
}

TEST_F(RegistryStoreTest, EveryChangeIsAudited) {
  const InfoSystem s = create("Hệ thống một cửa", 3);
  ASSERT_TRUE(store_->updateSystem(officerA_, s.id, fields("Hệ thống một cửa điện tử", 3), leveler_).ok());
  ASSERT_TRUE(store_->createAsset(officerA_, {.systemId = s.id, .kind = "server", .name = "SRV-01"}).ok());
  ASSERT_TRUE(store_->createAccount(officerA_, s.id, {.name = "admin", .isDefault = true}).ok());
  ASSERT_TRUE(store_->createBackup(officerA_, s.id, {.scope = "CSDL", .frequency = "daily"}).ok());
  ASSERT_TRUE(store_
                  ->createContact(officerA_, {.orgId = a_.id,
                                              .role = "incident_contact",
                                              .name = "Nguyễn Văn A",
                                              .phones = {"0912345678"},
                                              .email = "a@example.vn"})
                  .ok());
  auto d = store_->createDossier(officerA_, s.id);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(store_->transitionDossier(officerA_, d->id, {.to = "sent_for_appraisal", .on = "2026-11-02"}).ok());
  ASSERT_TRUE(store_->deleteSystem(officerA_, s.id, leveler_).ok());
  for (const char* action : {"system.create", "system.update", "asset.create", "account.create", "backup.create",
                             "contact.create", "dossier.create", "dossier.sent_for_appraisal", "system.delete"})
    EXPECT_EQ(auditCount(action), 1) << action;
  AuditFilter f;
  f.action = "system.update";
  auto e = store_->listAudit(system_, f)->items.at(0);
  EXPECT_EQ(e.orgId, a_.id);
  EXPECT_NE(e.summary.find("Hệ thống một cửa điện tử"), std::string::npos) << e.summary;
  EXPECT_EQ(e.actor, "officer.a");
  // A save that changes nothing writes nothing.
  const InfoSystem t = create("Không đổi", 1);
  ASSERT_TRUE(store_->updateSystem(officerA_, t.id, fields("Không đổi", 1), leveler_).ok());
  EXPECT_EQ(auditCount("system.update"), 1);
}

TEST_F(RegistryStoreTest, DossierWorkflowRefusesSkippedStepsAndOutOfOrderDates) {
  const InfoSystem s = create("Cổng dịch vụ công", 3);
  auto d = store_->createDossier(officerA_, s.id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(store_->createDossier(officerA_, s.id).error().code, ErrorCode::kConflict) << "one open dossier";
  // Approving a draft skips two steps.
  auto skip = store_->transitionDossier(
      officerA_, d->id, {.to = "approved", .on = "2026-11-02", .decisionNumber = "1", .decisionBody = "x"});
  EXPECT_EQ(skip.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->transitionDossier(officerA_, d->id, {.to = "sent_for_appraisal", .on = "2026-11-02"}).ok());
  auto early =
      store_->transitionDossier(officerA_, d->id, {.to = "appraised", .on = "2026-11-01", .result = "suitable"});
  EXPECT_EQ(early.error().field, "on");
  // Not suitable: back to drafting with the items to fix.
  auto back = store_->transitionDossier(
      officerA_, d->id,
      {.to = "appraised", .on = "2026-11-10", .result = "not_suitable", .itemsToFix = "Bổ sung sơ đồ"});
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->state, "drafting");
  EXPECT_EQ(back->itemsToFix, "Bổ sung sơ đồ");
  ASSERT_TRUE(store_->transitionDossier(officerA_, d->id, {.to = "sent_for_appraisal", .on = "2026-11-12"}).ok());
  ASSERT_TRUE(
      store_->transitionDossier(officerA_, d->id, {.to = "appraised", .on = "2026-11-16", .result = "suitable"}).ok());
  auto noNumber = store_->transitionDossier(officerA_, d->id, {.to = "approved", .on = "2026-11-18"});
  EXPECT_EQ(noNumber.error().field, "decision_number");
  auto ok = store_->transitionDossier(
      officerA_, d->id,
      {.to = "approved", .on = "2026-11-18", .decisionNumber = "125/QĐ-UBND", .decisionBody = "UBND tỉnh"});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->state, "approved");
  EXPECT_EQ(ok->events.size(), 5u);
  const InfoSystem after = *store_->getSystem(officerA_, s.id);
  EXPECT_EQ(after.approvedLevel, 3);
  EXPECT_EQ(after.approvedOn, "2026-11-18");
  // With the approval recorded, a go-live before it is refused.
  SystemFields f = fields("Cổng dịch vụ công", 3);
  f.goLiveOn = "2026-11-01";
  auto bad = store_->updateSystem(officerA_, s.id, f, leveler_);
  EXPECT_EQ(bad.error().field, "go_live_on");
  f.goLiveOn = "2026-11-20";
  EXPECT_TRUE(store_->updateSystem(officerA_, s.id, f, leveler_).ok());
  // A new dossier may be opened once the previous one is approved (re-levelling).
  EXPECT_TRUE(store_->createDossier(officerA_, s.id).ok());
  // The approved record is kept: the system is retired, not deleted.
  EXPECT_EQ(store_->deleteSystem(officerA_, s.id, leveler_).error().code, ErrorCode::kConflict);
}

TEST_F(RegistryStoreTest, ImportIsAllOrNothing) {
  SystemFields inB = fields("Của B", 1);
  inB.orgId = b_.id;
  auto r = store_->importSystems(officerA_, {fields("Một", 1), fields("Hai", 2), inB}, leveler_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message.rfind("row 4: ", 0), 0u) << r.error().message;
  EXPECT_EQ(store_->listSystems(system_, {})->total, 0) << "the good rows were not kept";
  EXPECT_EQ(auditCount("system.create"), 0);
  auto ok = store_->importSystems(officerA_, {fields("Một", 1), fields("Hai", 2)}, leveler_);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
}

TEST_F(RegistryStoreTest, CoverageCountsLicensedAndUpToDateMachinesInScope) {
  const InfoSystem s = create("Mạng nội bộ", 1);
  auto ws = [&](const std::string& name, bool licensed, const char* updated) {
    AssetFields f{
        .systemId = s.id, .kind = "workstation", .name = name, .antiMalware = "Bkav", .antiMalwareLicensed = licensed};
    if (updated) f.lastUpdateOn = updated;
    ASSERT_TRUE(store_->createAsset(officerA_, f).ok());
  };
  ws("PC-01", true, "2026-11-20");
  ws("PC-02", true, "2026-11-01");   // out of date
  ws("PC-03", false, "2026-11-20");  // unlicensed
  ws("PC-04", true, nullptr);        // never updated
  ASSERT_TRUE(store_
                  ->createAsset(officerA_, {.systemId = s.id,
                                            .kind = "network_device",
                                            .name = "CORE",
                                            .mainDevice = true,
                                            .mainDeviceKind = "core_switch"})
                  .ok());
  auto c = store_->assetCoverage(officerA_, std::nullopt, "2026-11-17");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->workstations, 4);
  EXPECT_EQ(c->workstationsProtected, 1);
  EXPECT_EQ(c->mainDevices, 1);
  ASSERT_EQ(c->byOrg.size(), 1u);
  EXPECT_EQ(c->byOrg[0].orgId, a_.id);
  EXPECT_EQ(c->byOrg[0].counts.workstations, 4);
  EXPECT_EQ(store_->assetCoverage(officerB_, std::nullopt, "2026-11-17")->workstations, 0);
  EXPECT_EQ(store_->assetCoverage(officerB_, a_.id, "2026-11-17").error().code, ErrorCode::kNotFound);
}

// The list totals come from counters kept by triggers (migration 2): they must follow every
// insert, kind change, move to another system, deletion and the deletion of a whole system.
TEST_F(RegistryStoreTest, AssetTotalsFollowEveryChange) {
  const InfoSystem s1 = create("Mạng nội bộ", 1);
  const InfoSystem s2 = create("Cổng thông tin", 2);
  auto total = [&](const Actor& who, AssetQuery q) { return store_->listAssets(who, q)->total; };
  auto asset = [&](int64_t system, const std::string& kind, const std::string& name) {
    auto r = store_->createAsset(officerA_, {.systemId = system, .kind = kind, .name = name});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->id : 0;
  };
  const int64_t pc1 = asset(s1.id, "workstation", "PC-01");
  asset(s1.id, "workstation", "PC-02");
  const int64_t srv = asset(s1.id, "server", "SRV-01");
  asset(s2.id, "server", "SRV-02");
  ASSERT_TRUE(store_
                  ->importAssets(officerA_, {{.systemId = s2.id, .kind = "workstation", .name = "PC-03"},
                                             {.systemId = s2.id, .kind = "workstation", .name = "PC-04"}})
                  .ok());
  EXPECT_EQ(total(officerA_, {}), 6);
  EXPECT_EQ(total(officerA_, {.kind = "workstation"}), 4);
  EXPECT_EQ(total(officerA_, {.orgId = a_.id, .kind = "server"}), 2);
  EXPECT_EQ(total(officerB_, {}), 0);
  EXPECT_EQ(total(system_, {}), 6);

  // Kind changed and moved to the other system: the org's totals by kind follow.
  AssetFields moved{.systemId = s2.id, .kind = "server", .name = "PC-01 thành máy chủ"};
  ASSERT_TRUE(store_->updateAsset(officerA_, pc1, moved).ok());
  EXPECT_EQ(total(officerA_, {.kind = "workstation"}), 3);
  EXPECT_EQ(total(officerA_, {.kind = "server"}), 3);
  ASSERT_TRUE(store_->deleteAsset(officerA_, srv).ok());
  EXPECT_EQ(total(officerA_, {}), 5);
  // Deleting a system takes its assets with it (s1 keeps PC-02).
  ASSERT_TRUE(store_->deleteSystem(officerA_, s1.id, leveler_).ok());
  EXPECT_EQ(total(officerA_, {}), 4);
  EXPECT_EQ(total(officerA_, {.kind = "workstation"}), 2);
  // The counters agree with the rows.
  EXPECT_EQ(total(officerA_, {.systemId = s2.id}), 4);
}

// --- Blob store ------------------------------------------------------------------------------------

TEST(BlobStore, StoresByContentHashOnceAndReadsBack) {
  TempDir dir;
  BlobStore blobs((dir.path() / "blobs").string(), 1024);
  const std::string pdf = "%PDF-1.7\nhello";
  auto a = blobs.put(pdf);
  ASSERT_TRUE(a.ok()) << a.error().message;
  // sha256("%PDF-1.7\nhello"), computed independently with sha256sum.
  EXPECT_EQ(a->sha256.size(), 64u);
  EXPECT_EQ(a->contentType, "application/pdf");
  EXPECT_EQ(a->size, static_cast<int64_t>(pdf.size()));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "blobs" / a->sha256.substr(0, 2) / a->sha256));
  auto again = blobs.put(pdf);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sha256, a->sha256);
  EXPECT_EQ(blobs.get(a->sha256).value(), pdf);
  // No temporary file is left behind.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "blobs" / "tmp"));
  EXPECT_EQ(blobs.get(std::string(64, 'a')).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(blobs.get("../../etc/passwd").error().code, ErrorCode::kValidation);
}

TEST(BlobStore, RefusesOversizeEmptyAndUnknownTypes) {
  TempDir dir;
  BlobStore blobs(dir.path().string(), 16);
  auto big = blobs.put("%PDF-" + std::string(20, 'x'));
  EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_NE(big.error().message.find("limit is 16"), std::string::npos) << big.error().message;
  EXPECT_EQ(blobs.put("").error().code, ErrorCode::kUnsupportedMediaType);
  auto exe = blobs.put("MZ\x90\x00 not a pdf");
  EXPECT_EQ(exe.error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_NE(exe.error().message.find("PDF"), std::string::npos);
}

TEST(BlobStore, DetectsTypesByMagicBytes) {
  struct Case {
    std::string bytes;
    std::optional<std::string> type;
  };
  const std::string zip("PK\x03\x04", 4);
  const Case cases[] = {
      {"%PDF-1.4", "application/pdf"},
      {"\x89PNG\r\n\x1a\n....", "image/png"},
      {"\xFF\xD8\xFF\xE0....", "image/jpeg"},
      {zip + "....[Content_Types].xml....word/document.xml",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {zip + "....[Content_Types].xml....xl/workbook.xml",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {zip + "....data.csv", "application/zip"},
      {"GIF89a", std::nullopt},
      {"<html>", std::nullopt},
      {"PDF-1.4", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(BlobStore::detectContentType(c.bytes), c.type) << c.bytes;
}

}  // namespace
}  // namespace vigil::test
