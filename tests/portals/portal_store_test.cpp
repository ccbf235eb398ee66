// PortalStore on a real SQLite store: registrations with access, allow_private, audit, imports;
// recorded runs opening, updating, resolving and re-opening findings; maintenance; evidence
// trimming and run pruning.
#include <gtest/gtest.h>

#include "store/store_fixture.h"

namespace vigil::test {
namespace {

using webmon::CheckClass;
using webmon::Finding;
using webmon::PortalRun;
using webmon::Severity;

class PortalStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = org("Sở Tư pháp");
    b_ = org("Sở Y tế");
    officerA_ = actorOf(user("officer_a", a_, Role::kUnitOfficer));
    leaderA_ = actorOf(user("leader_a", a_, Role::kLeader));
    officerB_ = actorOf(user("officer_b", b_, Role::kUnitOfficer));
    provinceAdmin_ = actorOf(user("province_admin", root_, Role::kAdministrator));
  }

  PortalFields fields(const Org& o, const std::string& url) {
    PortalFields f;
    f.orgId = o.id;
    f.name = "Cổng " + o.name;
    f.url = url;
    f.keyPages = {url + "tin-tuc/"};
    f.allowedDomains = {"gov.vn"};
    f.marker = o.name;
    return f;
  }

  Portal portal(const Org& o, const std::string& url) {
    auto r = store_->createPortal(officerA_.grants[0].orgId == o.id ? officerA_ : officerB_, fields(o, url));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Portal{};
  }

  static Finding finding(std::string check, std::string id, Severity s, std::string url = "https://a.gov.vn/") {
    Finding f;
    f.check = std::move(check);
    f.id = std::move(id);
    f.severity = s;
    f.url = std::move(url);
    f.summary = "summary of " + f.id;
    f.with("reason", "display:none");
    return f;
  }

  PortalRun run(const Portal& p, CheckClass c, std::vector<Finding> findings, TimeMs at) {
    PortalRun r;
    r.portalId = p.id;
    r.orgId = p.fields.orgId;
    r.checkClass = c;
    r.startedAt = at - 1000;
    r.finishedAt = at;
    r.findings = std::move(findings);
    return r;
  }

  static const FindingChange* changeOf(const RecordedRun& r, const std::string& id) {
    for (const auto& c : r.changes)
      if (c.finding.findingId == id) return &c;
    return nullptr;
  }

  Org a_, b_;
  Actor officerA_, leaderA_, officerB_, provinceAdmin_;
};

TEST_F(PortalStoreTest, CreateReadsBackAndIsScopedToTheAgency) {
  Portal p = portal(a_, "https://sotuphap.laocai.gov.vn/");
  EXPECT_EQ(p.fields.name, "Cổng Sở Tư pháp");
  EXPECT_EQ(p.fields.keyPages, std::vector<std::string>{"https://sotuphap.laocai.gov.vn/tin-tuc/"});
  EXPECT_EQ(p.revision, 1);
  EXPECT_EQ(p.createdBy, "officer_a");

  // Another agency neither sees nor changes it; a leader of the agency reads but may not change.
  EXPECT_EQ(store_->getPortal(officerB_, p.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->deletePortal(officerB_, p.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->getPortal(leaderA_, p.id).ok());
  EXPECT_EQ(store_->updatePortal(leaderA_, p.id, p.fields, 0).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->listPortals(officerB_, {})->total, 0);
  EXPECT_EQ(store_->listPortals(provinceAdmin_, {})->total, 1);
  // Creating in another agency's tree is refused like a missing organisation.
  EXPECT_EQ(store_->createPortal(officerB_, fields(a_, "https://x.gov.vn/")).error().code, ErrorCode::kNotFound);

  auto audit = store_->listAudit(system_, {});
  ASSERT_TRUE(audit.ok());
  bool audited = false;
  for (const auto& e : audit->items) audited |= e.action == "portal.create" && e.objectId == std::to_string(p.id);
  EXPECT_TRUE(audited);
}

TEST_F(PortalStoreTest, AllowPrivateNeedsTheProvinceRight) {
  PortalFields f = fields(a_, "http://10.0.0.5/");
  f.allowPrivate = true;
  auto refused = store_->createPortal(officerA_, f);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_NE(refused.error().message.find("allow_private"), std::string::npos);
  EXPECT_EQ(store_->listPortals(system_, {})->total, 0);

  auto allowed = store_->createPortal(provinceAdmin_, f);
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  // The agency may rename it, but not point it elsewhere while it stays allowed.
  PortalFields renamed = allowed->fields;
  renamed.name = "Cổng nội bộ";
  EXPECT_TRUE(store_->updatePortal(officerA_, allowed->id, renamed, 0).ok());
  PortalFields moved = renamed;
  moved.url = "http://10.0.0.6/";
  EXPECT_EQ(store_->updatePortal(officerA_, allowed->id, moved, 0).error().code, ErrorCode::kForbidden);
  moved.allowPrivate = false;
  EXPECT_TRUE(store_->updatePortal(officerA_, allowed->id, moved, 0).ok());
}

TEST_F(PortalStoreTest, UpdateChecksRevisionSystemAndDuplicates) {
  Portal p = portal(a_, "https://a.gov.vn/");
  portal(a_, "https://b.gov.vn/");
  PortalFields f = p.fields;
  f.enabled = false;
  auto up = store_->updatePortal(officerA_, p.id, f, 1);
  ASSERT_TRUE(up.ok()) << up.error().message;
  EXPECT_EQ(up->revision, 2);
  EXPECT_FALSE(up->fields.enabled);
  EXPECT_EQ(store_->updatePortal(officerA_, p.id, f, 1).error().code, ErrorCode::kConflict);  // stale revision

  f.url = "https://b.gov.vn/";
  EXPECT_EQ(store_->updatePortal(officerA_, p.id, f, 0).error().code, ErrorCode::kConflict);  // URL taken

  // A system of another agency cannot own the portal.
  PortalFields g = p.fields;
  g.systemId = 999999;
  auto bad = store_->updatePortal(officerA_, p.id, g, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "system_id");
}

TEST_F(PortalStoreTest, ImportIsAllOrNothingAndNamesTheRow) {
  std::vector<PortalFields> rows = {fields(a_, "https://1.gov.vn/"), fields(a_, "https://2.gov.vn/"),
                                    fields(a_, "https://1.gov.vn/")};
  auto r = store_->importPortals(officerA_, rows);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message.rfind("row 4: ", 0), 0u) << r.error().message;  // header is row 1
  EXPECT_EQ(store_->listPortals(system_, {})->total, 0);

  rows.pop_back();
  auto ok = store_->importPortals(officerA_, rows);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->size(), 2u);
  EXPECT_EQ(store_->listPortals(system_, {})->total, 2);
}

TEST_F(PortalStoreTest, RunsOpenUpdateResolveAndReopenFindings) {
  Portal p = portal(a_, "https://a.gov.vn/");
  const TimeMs t0 = 1795000000000;

  // 1. A hidden spam link and a fact appear.
  auto r1 = store_->recordPortalRun(
      run(p, CheckClass::kContent,
          {finding("page", "hidden_link", Severity::kHigh), finding("page", "outbound_domains", Severity::kInfo)}, t0),
      {});
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  ASSERT_NE(changeOf(*r1, "hidden_link"), nullptr);
  EXPECT_EQ(changeOf(*r1, "hidden_link")->kind, FindingChange::Kind::kOpened);
  EXPECT_TRUE(changeOf(*r1, "hidden_link")->alertNow);
  EXPECT_EQ(changeOf(*r1, "hidden_link")->finding.alertKey,
            "portal:" + std::to_string(p.id) + "|page/hidden_link|https://a.gov.vn/");
  EXPECT_FALSE(changeOf(*r1, "outbound_domains")->alertNow);  // kInfo never alerts

  // 2. Still there: no new alert.
  auto r2 = store_->recordPortalRun(
      run(p, CheckClass::kContent, {finding("page", "hidden_link", Severity::kHigh)}, t0 + 60000), {});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(changeOf(*r2, "hidden_link")->kind, FindingChange::Kind::kStillOpen);
  EXPECT_FALSE(changeOf(*r2, "hidden_link")->alertNow);

  // 3. The site cannot be reached: inconclusive, nothing resolved.
  auto r3 = store_->recordPortalRun(
      run(p, CheckClass::kContent, {finding("fetch", "unreachable", Severity::kHigh)}, t0 + 120000), {});
  ASSERT_TRUE(r3.ok());
  for (const auto& c : r3->changes) EXPECT_NE(c.kind, FindingChange::Kind::kResolved) << c.finding.findingId;

  // 4. Cleaned: resolved. (A content run reaching the site resolves the fetch finding too.)
  auto r4 = store_->recordPortalRun(run(p, CheckClass::kContent, {}, t0 + 180000), {});
  ASSERT_TRUE(r4.ok());
  ASSERT_NE(changeOf(*r4, "hidden_link"), nullptr);
  EXPECT_EQ(changeOf(*r4, "hidden_link")->kind, FindingChange::Kind::kResolved);
  EXPECT_EQ(changeOf(*r4, "hidden_link")->finding.resolvedAt, t0 + 180000);
  // A run of another class does not resolve content findings.
  auto open = store_->listPortalFindings(officerA_, {.portalId = p.id, .status = PortalFindingStatus::kOpen});
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->total, 0);

  // 5. Back again: a re-infection, alerted again.
  auto r5 = store_->recordPortalRun(
      run(p, CheckClass::kContent, {finding("page", "hidden_link", Severity::kHigh)}, t0 + 240000), {});
  ASSERT_TRUE(r5.ok());
  const FindingChange* back = changeOf(*r5, "hidden_link");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->kind, FindingChange::Kind::kReopened);
  EXPECT_TRUE(back->alertNow);
  EXPECT_EQ(back->finding.reinfections, 1);
  EXPECT_EQ(back->finding.firstSeen, t0);
  EXPECT_EQ(back->finding.openedAt, t0 + 240000);

  auto got = store_->getPortal(officerA_, p.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->open.high, 1);
  EXPECT_EQ(got->lastRunAt, t0 + 240000);
  auto runs = store_->listPortalRuns(officerA_, p.id, CheckClass::kContent, 10);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 5u);
  EXPECT_EQ(runs->front().opened, 1);
  EXPECT_EQ((*runs)[1].resolved, 2);  // run 4: hidden_link and the fetch finding
  EXPECT_EQ(store_->listPortalRuns(officerB_, p.id, std::nullopt, 10).error().code, ErrorCode::kNotFound);
}

TEST_F(PortalStoreTest, MaintenanceHoldsBackAlertsUntilTheWindowEnds) {
  Portal p = portal(a_, "https://a.gov.vn/");
  PortalRun during = run(p, CheckClass::kAvailability, {finding("fetch", "unreachable", Severity::kHigh)}, 1000);
  during.inMaintenance = true;
  auto r1 = store_->recordPortalRun(during, {});
  ASSERT_TRUE(r1.ok());
  EXPECT_FALSE(r1->changes.at(0).alertNow);
  EXPECT_EQ(r1->changes.at(0).finding.alertKey, "");

  // Certificate findings are held back too; other TLS findings are not.
  PortalRun tls = run(
      p, CheckClass::kTls,
      {finding("tls", "cert_untrusted", Severity::kHigh), finding("tls", "protocol_tls1_0", Severity::kMedium)}, 1500);
  tls.inMaintenance = true;
  auto rt = store_->recordPortalRun(tls, {});
  ASSERT_TRUE(rt.ok());
  EXPECT_FALSE(changeOf(*rt, "cert_untrusted")->alertNow);
  EXPECT_TRUE(changeOf(*rt, "protocol_tls1_0")->alertNow);
  // A site down for maintenance is not an alert whatever the class that noticed it.
  PortalRun exposure = run(p, CheckClass::kExposure, {finding("fetch", "timeout", Severity::kHigh)}, 1600);
  exposure.inMaintenance = true;
  auto re = store_->recordPortalRun(exposure, {});
  ASSERT_TRUE(re.ok());
  EXPECT_FALSE(changeOf(*re, "timeout")->alertNow);

  // After the window, still down: the held-back alert is raised once.
  auto r2 = store_->recordPortalRun(
      run(p, CheckClass::kAvailability, {finding("fetch", "unreachable", Severity::kHigh)}, 2000), {});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->changes.at(0).kind, FindingChange::Kind::kStillOpen);
  EXPECT_TRUE(r2->changes.at(0).alertNow);
  auto r3 = store_->recordPortalRun(
      run(p, CheckClass::kAvailability, {finding("fetch", "unreachable", Severity::kHigh)}, 3000), {});
  ASSERT_TRUE(r3.ok());
  EXPECT_FALSE(r3->changes.at(0).alertNow);
}

TEST_F(PortalStoreTest, FactsAreReplacedKeyByKeyAndGivenToTheScheduler) {
  Portal p = portal(a_, "https://a.gov.vn/");
  PortalRun r = run(p, CheckClass::kTls, {}, 1000);
  r.facts = {{"tls.grade", "B"}, {"tls.cert_sha256", std::string(64, 'a')}};
  ASSERT_TRUE(store_->recordPortalRun(r, {}).ok());
  r.facts = {{"tls.grade", "A"}};
  ASSERT_TRUE(store_->recordPortalRun(r, {}).ok());

  auto specs = store_->monitoredPortals();
  ASSERT_TRUE(specs.ok());
  ASSERT_EQ(specs->size(), 1u);
  const auto& s = specs->front();
  EXPECT_EQ(s.id, p.id);
  EXPECT_EQ(s.url, "https://a.gov.vn/");
  EXPECT_EQ(s.marker, "Sở Tư pháp");
  webmon::Facts want = {{"tls.cert_sha256", std::string(64, 'a')}, {"tls.grade", "A"}};
  EXPECT_EQ(s.lastFacts, want);
  // The list keeps short facts only (no 64-byte hashes beyond kShortFactBytes is fine; 65 is not).
  r.facts = {{"deface.baseline:https://a.gov.vn/", std::string(65, 'x')}};
  ASSERT_TRUE(store_->recordPortalRun(r, {}).ok());
  auto list = store_->listPortals(officerA_, {});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.at(0).facts, want);
  EXPECT_EQ(store_->getPortal(officerA_, p.id)->facts.size(), 3u);
}

TEST_F(PortalStoreTest, FindingEvidenceKeepsFirstAndLatestAndOldRunsArePruned) {
  Portal p = portal(a_, "https://a.gov.vn/");
  const std::string key = findingKeyOf("page", "hidden_link", "https://a.gov.vn/");
  for (int i = 0; i < 3; ++i) {
    PortalEvidenceDraft e{.findingKey = key,
                          .name = "body.html",
                          .mediaType = "text/html",
                          .sha256 = std::string(64, static_cast<char>('a' + i)),
                          .size = 10,
                          .blobSha256 = std::string(64, 'f'),
                          .storedSize = 5};
    PortalEvidenceDraft runLevel = e;
    runLevel.findingKey = "";
    runLevel.name = "headers.txt";
    ASSERT_TRUE(
        store_
            ->recordPortalRun(run(p, CheckClass::kContent, {finding("page", "hidden_link", Severity::kHigh)}, 1000 + i),
                              {e, runLevel})
            .ok());
  }
  auto items = store_->listPortalEvidence(officerA_, p.id, std::nullopt);
  ASSERT_TRUE(items.ok());
  int findingItems = 0;
  std::vector<std::string> kept;
  for (const auto& e : *items)
    if (e.findingId) {
      ++findingItems;
      kept.push_back(e.sha256.substr(0, 1));
    }
  EXPECT_EQ(findingItems, 2);
  EXPECT_EQ(kept, (std::vector<std::string>{"c", "a"}));  // newest first: the latest and the first
  EXPECT_EQ(items->size(), 5u);                           // + three run-level items
  EXPECT_EQ(store_->getPortalEvidence(officerB_, items->front().id).error().code, ErrorCode::kNotFound);

  // Past kRunsKept runs of the class, the oldest run and its run-level evidence go; the finding's
  // items stay.
  for (int i = 3; i < kRunsKept + 1; ++i)
    ASSERT_TRUE(store_
                    ->recordPortalRun(
                        run(p, CheckClass::kContent, {finding("page", "hidden_link", Severity::kHigh)}, 1000 + i), {})
                    .ok());
  auto runs = store_->listPortalRuns(officerA_, p.id, CheckClass::kContent, 1000);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(static_cast<int>(runs->size()), kRunsKept);
  auto after = store_->listPortalEvidence(officerA_, p.id, std::nullopt);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 4u);  // two finding items + the run-level items of runs 2 and 3
  int orphaned = 0;
  for (const auto& e : *after) orphaned += e.runId == 0 ? 1 : 0;
  EXPECT_EQ(orphaned, 1);  // the first finding item lost its pruned run
}

TEST_F(PortalStoreTest, DeleteRemovesEverythingOfThePortalAndIsAudited) {
  Portal p = portal(a_, "https://a.gov.vn/");
  ASSERT_TRUE(
      store_->recordPortalRun(run(p, CheckClass::kContent, {finding("page", "x", Severity::kLow)}, 5), {}).ok());
  ASSERT_TRUE(store_->deletePortal(officerA_, p.id).ok());
  EXPECT_EQ(store_->getPortal(officerA_, p.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->listPortalFindings(system_, {})->total, 0);
  EXPECT_EQ(store_->recordPortalRun(run(p, CheckClass::kContent, {}, 6), {}).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vigil::test
