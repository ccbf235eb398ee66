// The evidence vault and store: content-addressed files (stored once, never partial, size limit),
// the custody log (append-only, validated, audited), tenant isolation, re-hashing a stored item,
// plans attached to systems.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../store/store_fixture.h"
#include "config/config.h"
#include "core/crypto.h"
#include "evidence/vault.h"
#include "store/sqlite/db.h"

namespace vigil::test {
namespace {

namespace fs = std::filesystem;

class LevelOne : public SystemLeveler {
 public:
  Result<int> proposedLevel(const std::string&, const std::string&, int componentsLevel) const override {
    return std::max(1, componentsLevel);
  }
};

class EvidenceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    agency_ = org("Sở Y tế");
    other_ = org("Sở Tài chính");
    analyst_ = actorOf(user("analyst", agency_, Role::kSocAnalyst));
    outsider_ = actorOf(user("outsider", other_, Role::kSocAnalyst));
    leader_ = actorOf(user("leader", agency_, Role::kLeader));
    vault_ = std::make_unique<evidence::EvidenceVault>(*store_, (dir_.path() / "evidence").string(), 4096);
    inc_ = incident(agency_);
    otherInc_ = incident(other_);
    emptyInc_ = incident(agency_);
  }
  // An open incident of `o` (the store does not judge the process; the API does).
  int64_t incident(const Org& o) {
    IncidentDraft d;
    d.orgId = o.id;
    d.title = "Trang chủ bị thay đổi giao diện";
    d.detectedAt = clock_.nowMs();
    d.regime = "A_ND85_TT12";
    d.processId = "A-TT20";
    d.processVersion = 1;
    d.startStep = "reception";
    auto i = store_->createIncident(system_, d);
    EXPECT_TRUE(i.ok()) << i.error().message;
    return i.ok() ? i->id : 0;
  }
  EvidenceDraft draft(const std::string& name) {
    EvidenceDraft d;
    d.incidentId = inc_;
    d.name = name;
    d.description = "nhật ký máy chủ web";
    d.reason = "thu thập khi xác minh sự cố";
    return d;
  }
  size_t filesUnder(const fs::path& p) {
    size_t n = 0;
    if (!fs::exists(p)) return 0;
    for (const auto& e : fs::recursive_directory_iterator(p))
      if (e.is_regular_file()) ++n;
    return n;
  }
  int64_t auditCount(const std::string& action) {
    AuditFilter f;
    f.action = action;
    auto page = store_->listAudit(system_, f);
    EXPECT_TRUE(page.ok());
    return page.ok() ? static_cast<int64_t>(page->items.size()) : -1;
  }

  Org agency_, other_;
  Actor analyst_, outsider_, leader_;
  std::unique_ptr<evidence::EvidenceVault> vault_;
  int64_t inc_ = 0, otherInc_ = 0, emptyInc_ = 0;
};

TEST_F(EvidenceTest, CollectStoresTheFileByItsHashAndRecordsCustody) {
  const std::string bytes = "GET /wp-login.php 200\n";
  auto e = vault_->collect(analyst_, draft("access.log"), bytes);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->sha256, crypto::sha256Hex(bytes));
  EXPECT_EQ(e->size, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(e->mediaType, "application/octet-stream");
  EXPECT_EQ(e->collectedBy, "analyst");
  EXPECT_EQ(e->orgName, "Sở Y tế");
  ASSERT_EQ(e->custody.size(), 1u);
  EXPECT_EQ(e->custody[0].action, "collected");
  EXPECT_EQ(e->custody[0].reason, "thu thập khi xác minh sự cố");
  // Content-addressed: <dir>/<first two hex>/<hash>, the bytes as given.
  const fs::path file = dir_.path() / "evidence" / e->sha256.substr(0, 2) / e->sha256;
  ASSERT_TRUE(fs::exists(file));
  std::ifstream in(file, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes);
  EXPECT_EQ(auditCount("evidence.collect"), 1);
}

TEST_F(EvidenceTest, TheSameContentIsStoredOnce) {
  auto a = vault_->collect(analyst_, draft("a.log"), "same bytes");
  auto b = vault_->collect(analyst_, draft("b.log"), "same bytes");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_EQ(filesUnder(dir_.path() / "evidence"), 1u);
  EXPECT_EQ(filesUnder(dir_.path() / "evidence" / "tmp"), 0u);
}

TEST_F(EvidenceTest, AFileOverTheLimitIsRefusedAndNothingIsStored) {
  auto r = vault_->collect(analyst_, draft("memory.raw"), std::string(4097, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_NE(r.error().message.find("4097 bytes; the limit is 4096 bytes"), std::string::npos) << r.error().message;
  EXPECT_EQ(filesUnder(dir_.path() / "evidence"), 0u);
  auto list = store_->listIncidentEvidence(analyst_, inc_);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  EXPECT_EQ(auditCount("evidence.collect"), 0);
  // Exactly at the limit is accepted.
  EXPECT_TRUE(vault_->collect(analyst_, draft("ok.raw"), std::string(4096, 'x')).ok());
}

TEST_F(EvidenceTest, BadDraftsAreRefusedNamingTheField) {
  struct Case {
    const char* field;
    std::function<void(EvidenceDraft&)> change;
  };
  const std::vector<Case> cases = {
      {"name", [](EvidenceDraft& d) { d.name = ""; }},
      {"name", [](EvidenceDraft& d) { d.name = "../../etc/passwd"; }},
      {"incident_id", [](EvidenceDraft& d) { d.incidentId = 0; }},
      {"collected_at", [this](EvidenceDraft& d) { d.collectedAt = clock_.nowMs() + 60000; }},
  };
  for (const auto& c : cases) {
    EvidenceDraft d = draft("x.log");
    c.change(d);
    auto r = vault_->collect(analyst_, d, "bytes");
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  EvidenceDraft d = draft("x.log");
  d.sha256 = "ABC";
  d.size = 3;
  d.mediaType = "text/plain";
  auto r = store_->addIncidentEvidence(analyst_, d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "sha256");
  auto list = store_->listIncidentEvidence(analyst_, inc_);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(EvidenceTest, CustodyIsAppendedInOrderAndValidated) {
  auto e = vault_->collect(analyst_, draft("a.log"), "bytes");
  ASSERT_TRUE(e.ok());
  clock_.advanceMs(60000);
  auto c = store_->addCustodyEntry(analyst_, e->id,
                                   {"handed_over", 0, "Nguyễn Văn A", "Công an tỉnh (PA05)", "phối hợp điều tra"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->by, "Nguyễn Văn A");
  EXPECT_EQ(c->recordedBy, "analyst");
  // Refused: unknown action, missing recipient or reason, a time before the last entry, the future.
  EXPECT_EQ(store_->addCustodyEntry(analyst_, e->id, {"destroyed", 0, "", "x", "y"}).error().field, "action");
  EXPECT_EQ(store_->addCustodyEntry(analyst_, e->id, {"collected", 0, "", "x", "y"}).error().field, "action");
  EXPECT_EQ(store_->addCustodyEntry(analyst_, e->id, {"transferred", 0, "", "", "y"}).error().field, "to");
  EXPECT_EQ(store_->addCustodyEntry(analyst_, e->id, {"transferred", 0, "", "x", ""}).error().field, "reason");
  auto backdated = store_->addCustodyEntry(analyst_, e->id, {"transferred", clock_.nowMs() - 120000, "", "x", "y"});
  ASSERT_FALSE(backdated.ok());
  EXPECT_EQ(backdated.error().field, "at");
  EXPECT_NE(backdated.error().message.find("handed_over"), std::string::npos) << backdated.error().message;
  EXPECT_EQ(
      store_->addCustodyEntry(analyst_, e->id, {"transferred", clock_.nowMs() + 1000, "", "x", "y"}).error().field,
      "at");
  auto item = store_->getIncidentEvidence(analyst_, e->id);
  ASSERT_TRUE(item.ok());
  ASSERT_EQ(item->custody.size(), 2u);
  EXPECT_EQ(item->custody[0].action, "collected");
  EXPECT_EQ(item->custody[1].action, "handed_over");
  EXPECT_EQ(item->custody[1].to, "Công an tỉnh (PA05)");
  EXPECT_EQ(auditCount("evidence.custody"), 1);
}

TEST_F(EvidenceTest, ItemsAndCustodyCannotBeRewrittenInTheDatabase) {
  auto e = vault_->collect(analyst_, draft("a.log"), "bytes");
  ASSERT_TRUE(e.ok());
  store_->close();
  auto db = sqlite::Db::open(dbPath(), false, false);
  ASSERT_TRUE(db.ok());
  for (const char* sql : {"UPDATE incident_evidence SET sha256 = 'x'", "DELETE FROM incident_evidence",
                          "UPDATE evidence_custody SET reason = 'x'", "DELETE FROM evidence_custody"}) {
    auto st = (*db)->exec(sql);
    ASSERT_FALSE(st.ok()) << sql;
    EXPECT_TRUE(st.error().message.find("never") != std::string::npos ||
                st.error().message.find("append-only") != std::string::npos)
        << st.error().message;
  }
}

TEST_F(EvidenceTest, OtherAgenciesSeeNothingAndReadersCannotRecord) {
  auto e = vault_->collect(analyst_, draft("a.log"), "bytes");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(store_->getIncidentEvidence(outsider_, e->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->listIncidentEvidence(outsider_, inc_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(vault_->verify(outsider_, e->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->addCustodyEntry(outsider_, e->id, {"transferred", 0, "", "x", "y"}).error().code,
            ErrorCode::kNotFound);
  // Recording evidence for another agency's incident is refused as if the incident did not exist.
  EvidenceDraft d = draft("b.log");
  d.incidentId = otherInc_;
  EXPECT_EQ(vault_->collect(analyst_, d, "other").error().code, ErrorCode::kNotFound);
  // A leader of the agency reads it but may not record custody.
  EXPECT_TRUE(store_->getIncidentEvidence(leader_, e->id).ok());
  EXPECT_EQ(store_->addCustodyEntry(leader_, e->id, {"transferred", 0, "", "x", "y"}).error().code,
            ErrorCode::kForbidden);
}

TEST_F(EvidenceTest, VerifyHashesTheStoredFileAgain) {
  auto e = vault_->collect(analyst_, draft("a.log"), "original bytes");
  ASSERT_TRUE(e.ok());
  auto ok = vault_->verify(analyst_, e->id);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->intact) << ok->detail;
  // Someone with shell access changes one byte of the stored file.
  const fs::path file = dir_.path() / "evidence" / e->sha256.substr(0, 2) / e->sha256;
  fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
  std::fstream(file, std::ios::in | std::ios::out | std::ios::binary).put('O');
  auto bad = vault_->verify(analyst_, e->id);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->intact);
  EXPECT_EQ(bad->actualSha256, crypto::sha256Hex("Original bytes"));
  EXPECT_EQ(bad->recordedSha256, e->sha256);
  // A changed file is never exported.
  auto bundle = vault_->exportBundle(analyst_, inc_, "VNCERT/CC", "chia sẻ", {inc_, "analyst", clock_.nowMs(), "test"});
  ASSERT_FALSE(bundle.ok());
  EXPECT_EQ(bundle.error().code, ErrorCode::kConflict);
  EXPECT_NE(bundle.error().message.find("a.log"), std::string::npos);
  fs::remove(file);
  auto gone = vault_->verify(analyst_, e->id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->intact);
  EXPECT_EQ(gone->detail, "the stored file is missing");
}

TEST_F(EvidenceTest, ExportBuildsAVerifiableBundleAndRecordsTheExport) {
  ASSERT_TRUE(vault_->collect(analyst_, draft("access.log"), "line 1\nline 2\n").ok());
  ASSERT_TRUE(vault_->collect(analyst_, draft("ảnh chụp màn hình.png"), "\x89PNG\r\n\x1a\nfake").ok());
  auto b = vault_->exportBundle(analyst_, inc_, "Công an tỉnh (PA05)", "phối hợp điều tra",
                                {inc_, "analyst", clock_.nowMs(), "1.2.3"});
  ASSERT_TRUE(b.ok()) << b.error().message;
  auto report = evidence::verifyBundle(b->zip);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok()) << evidence::formatReport(*report);
  EXPECT_EQ(report->manifestSha256, b->manifestSha256);
  EXPECT_EQ(report->manifest.toolVersion, "1.2.3");
  ASSERT_EQ(report->items.size(), 2u);
  EXPECT_EQ(report->items[1].path, "evidence/" + std::to_string(report->items[1].id) + "-_nh_ch_p_m_n_h_nh.png");
  auto items = store_->listIncidentEvidence(analyst_, inc_);
  ASSERT_TRUE(items.ok());
  for (const auto& e : *items) {
    ASSERT_EQ(e.custody.size(), 2u);
    EXPECT_EQ(e.custody[1].action, "exported");
    EXPECT_EQ(e.custody[1].to, "Công an tỉnh (PA05)");
    EXPECT_NE(e.custody[1].reason.find(b->manifestSha256), std::string::npos);
  }
  EXPECT_EQ(
      vault_->exportBundle(analyst_, emptyInc_, "x", "y", {emptyInc_, "analyst", clock_.nowMs(), "1"}).error().field,
      "items");
  EXPECT_EQ(vault_->exportBundle(analyst_, inc_, "", "y", {inc_, "analyst", clock_.nowMs(), "1"}).error().field, "to");
}

TEST_F(EvidenceTest, PlansAreAttachedToSystemsWithRegistryRights) {
  SystemFields f;
  f.orgId = agency_.id;
  f.name = "Cổng thông tin điện tử";
  f.regimeId = "A_ND85_TT12";
  f.owner = "UBND tỉnh";
  f.leadOperator = "Sở Y tế";
  f.factsJson = "{}";
  auto sys = store_->createSystem(system_, f, LevelOne{});
  ASSERT_TRUE(sys.ok()) << sys.error().message;
  Actor officer = actorOf(user("officer", agency_, Role::kUnitOfficer));
  auto p = store_->attachPlan(officer, sys->id, "defacement");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->attachedBy, "officer");
  EXPECT_EQ(store_->attachPlan(officer, sys->id, "defacement").error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->attachPlan(officer, sys->id, "Bad Plan").error().field, "plan_id");
  EXPECT_EQ(store_->attachPlan(outsider_, sys->id, "ddos").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->attachPlan(leader_, sys->id, "ddos").error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(store_->attachPlan(officer, sys->id, "ddos").ok());
  auto list = store_->listSystemPlans(leader_, sys->id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].planId, "ddos");
  EXPECT_EQ((*list)[1].planId, "defacement");
  ASSERT_TRUE(store_->detachPlan(officer, sys->id, "ddos").ok());
  EXPECT_EQ(store_->detachPlan(officer, sys->id, "ddos").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->listSystemPlans(officer, sys->id)->size(), 1u);
  EXPECT_EQ(auditCount("system.plan_attach"), 2);
  EXPECT_EQ(auditCount("system.plan_detach"), 1);
}

TEST_F(EvidenceTest, TheDatabaseRefusesEvidenceOutsideItsIncident) {
  store_->close();
  auto db = sqlite::Db::open(dbPath(), false, false);
  ASSERT_TRUE(db.ok());
  const std::string hash(64, 'a');
  auto insert = [&](int64_t incident, int64_t org) {
    return (*db)->exec(
        "INSERT INTO incident_evidence(incident_id,org_id,name,media_type,size,sha256,collected_by,"
        "collected_at,recorded_by,recorded_at) VALUES(" +
        std::to_string(incident) + "," + std::to_string(org) + ",'x','text/plain',1,'" + hash + "','a',1,'a',1)");
  };
  // An incident that does not exist, and another agency's organisation on this agency's incident.
  for (auto [incident, org] : {std::pair<int64_t, int64_t>{9999, agency_.id}, {inc_, other_.id}}) {
    auto st = insert(incident, org);
    ASSERT_FALSE(st.ok()) << incident << "/" << org;
    EXPECT_NE(st.error().message.find("existing incident"), std::string::npos) << st.error().message;
  }
  EXPECT_TRUE(insert(inc_, agency_.id).ok());
}

TEST_F(EvidenceTest, CollectionAndCustodyAreOnTheIncidentTimeline) {
  auto e = vault_->collect(analyst_, draft("access.log"), "GET / 200\n");
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_TRUE(store_->addCustodyEntry(analyst_, e->id, {"handed_over", 0, "", "Công an tỉnh (PA05)", "điều tra"}).ok());
  auto inc = store_->getIncident(analyst_, inc_);
  ASSERT_TRUE(inc.ok());
  std::vector<std::string> texts;
  for (const auto& t : inc->timeline)
    if (t.kind == "evidence") texts.push_back(t.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"access.log", "access.log: handed_over -> Công an tỉnh (PA05)"}));
}

TEST_F(EvidenceTest, APlanIsAppliedOnceAndItsTasksBecomeTheIncidents) {
  const TimeMs due = clock_.nowMs() + 3600000;
  PlanApplication p{"defacement",
                    2,
                    "Thay đổi giao diện",
                    {{"isolate", "Cô lập máy chủ web", due, R"({"priority":"critical"})"},
                     {"review", "Rút kinh nghiệm", std::nullopt, "{}"}}};
  EXPECT_EQ(store_->applyPlan(outsider_, inc_, p).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->applyPlan(leader_, inc_, p).error().code, ErrorCode::kForbidden);
  auto a = store_->applyPlan(analyst_, inc_, p);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->planVersion, 2);
  EXPECT_NE(a->tasksJson.find(R"("priority":"critical")"), std::string::npos) << a->tasksJson;
  auto again = store_->applyPlan(analyst_, inc_, p);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_NE(again.error().message.find("already applied"), std::string::npos);
  auto inc = store_->getIncident(leader_, inc_);
  ASSERT_TRUE(inc.ok());
  ASSERT_EQ(inc->tasks.size(), 2u);
  EXPECT_EQ(inc->tasks[0].title, "Cô lập máy chủ web");
  EXPECT_EQ(inc->tasks[0].dueAt, std::optional<TimeMs>(due));
  EXPECT_FALSE(inc->tasks[1].dueAt.has_value());
  auto listed = store_->listAppliedPlans(leader_, inc_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].appliedBy, "analyst");
  EXPECT_EQ(auditCount("incident.plan_apply"), 1);
  EXPECT_EQ(store_->listAppliedPlans(outsider_, inc_).error().code, ErrorCode::kNotFound);
  // A closed incident takes no plan; nothing is recorded.
  IncidentUpdate close;
  close.revision = store_->getIncident(system_, emptyInc_)->revision;
  close.closes = true;
  ASSERT_TRUE(store_->updateIncident(system_, emptyInc_, close).ok());
  auto closed = store_->applyPlan(analyst_, emptyInc_, p);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().field, "incident");
  EXPECT_TRUE(store_->getIncident(analyst_, emptyInc_)->tasks.empty());
  EXPECT_TRUE(store_->listAppliedPlans(analyst_, emptyInc_)->empty());
}

TEST(EvidenceConfig, TheSizeLimitIsAConfigurationKey) {
  auto dflt = loadConfig("", {}, {});
  ASSERT_TRUE(dflt.ok());
  EXPECT_EQ(dflt->evidence.maxFileBytes, 100LL << 20);
  auto env = loadConfig("", {{"VIGIL_EVIDENCE_MAX_FILE_BYTES", "2048"}}, {});
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_EQ(env->evidence.maxFileBytes, 2048);
  auto tooSmall = loadConfig("", {}, {{"evidence.max_file_bytes", "10"}});
  ASSERT_FALSE(tooSmall.ok());
  EXPECT_NE(tooSmall.error().message.find("evidence.max_file_bytes"), std::string::npos) << tooSmall.error().message;
}

}  // namespace
}  // namespace vigil::test
