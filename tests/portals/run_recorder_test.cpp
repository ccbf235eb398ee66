// RunRecorder on a real SQLite store, blob store and alert sink: evidence compressed and
// recoverable with its SHA-256, alerts raised once per opening (deduplicated on the portal's
// finding key), a re-infection raised again and named, nothing raised for kInfo or during a
// maintenance window.
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "portals/run_recorder.h"
#include "store/store_fixture.h"

namespace vigil::test {
namespace {

using webmon::CheckClass;
using webmon::Severity;

class RunRecorderTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    agency_ = org("UBND huyện Bát Xát");
    blobs_ = std::make_unique<BlobStore>((dir_.path() / "blobs").string(), 64 << 20, BlobStore::TypePolicy::kAnyType);
    sink_ = std::make_unique<alerts::AlertSink>(*store_, alerts::AlertSinkOptions{});
    recorder_ = std::make_unique<portals::RunRecorder>(*store_, *blobs_, *sink_);
    PortalFields f;
    f.orgId = agency_.id;
    f.name = "Cổng huyện Bát Xát";
    f.url = "https://batxat.laocai.gov.vn/";
    portal_ = store_->createPortal(system_, f).value();
  }
  void TearDown() override { sink_->stop(); }

  webmon::PortalRun spamRun(TimeMs at, bool withSpam) {
    webmon::PortalRun r;
    r.portalId = portal_.id;
    r.orgId = agency_.id;
    r.checkClass = CheckClass::kContent;
    r.startedAt = at - 500;
    r.finishedAt = at;
    if (withSpam) {
      webmon::Finding f;
      f.check = "page";
      f.id = "hidden_link";
      f.severity = Severity::kHigh;
      f.url = "https://batxat.laocai.gov.vn/tin-tuc/";
      f.summary = "hidden link to a gambling site";
      f.with("href", "https://nha-cai.example/").with("css", "display:none");
      r.findings.push_back(f);
      r.evidence.push_back({.findingKey = findingKeyOf(f.check, f.id, f.url),
                            .name = "body.html",
                            .mediaType = "text/html",
                            .bytes = "<html><a style=\"display:none\" href=\"https://nha-cai.example/\">nhà cái</a>" +
                                     std::string(5000, ' ') + "</html>"});
    }
    webmon::Finding grade;
    grade.check = "page";
    grade.id = "outbound_domains";
    grade.severity = Severity::kInfo;
    grade.url = "https://batxat.laocai.gov.vn/";
    grade.summary = "3 outbound domains";
    r.findings.push_back(grade);
    return r;
  }

  std::vector<Alert> webAlerts() {
    sink_->flush();
    AlertQuery q;
    q.detector = DetectorKind::kWeb;
    q.limit = 100;
    auto page = store_->listAlerts(system_, q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<Alert>{};
  }

  Org agency_;
  Portal portal_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<alerts::AlertSink> sink_;
  std::unique_ptr<portals::RunRecorder> recorder_;
};

TEST_F(RunRecorderTest, ZstdRoundTripAndLimits) {
  const std::string text = std::string(100000, 'a') + "tail";
  auto frame = portals::compress(text);
  ASSERT_TRUE(frame.ok());
  EXPECT_LT(frame->size(), text.size() / 10);
  EXPECT_EQ(portals::decompress(*frame, 1 << 20).value(), text);
  EXPECT_EQ(portals::decompress(*frame, 1000).error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_FALSE(portals::decompress("not a frame", 1 << 20).ok());
}

TEST_F(RunRecorderTest, RecordsEvidenceAndRaisesOneAlertPerOpening) {
  ASSERT_TRUE(recorder_->record(spamRun(clock_.nowMs(), true)).ok());
  auto alerts = webAlerts();
  ASSERT_EQ(alerts.size(), 1u);  // the kInfo fact raised nothing
  const Alert& a = alerts[0];
  EXPECT_EQ(a.orgId, agency_.id);
  EXPECT_EQ(a.ruleId, "webmon.page.hidden_link");
  EXPECT_EQ(a.severity, AlertSeverity::kHigh);
  EXPECT_EQ(a.dedupKey,
            "portal:" + std::to_string(portal_.id) + "|page/hidden_link|https://batxat.laocai.gov.vn/tin-tuc/");
  EXPECT_EQ(a.asset, "batxat.laocai.gov.vn");
  EXPECT_NE(a.title.find("Cổng huyện Bát Xát"), std::string::npos);
  EXPECT_NE(a.evidence.find("nha-cai.example"), std::string::npos);

  // The evidence item: compressed in the blob store, the original's hash recorded.
  auto items = store_->listPortalEvidence(system_, portal_.id, std::nullopt);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  const PortalEvidence& e = items->front();
  ASSERT_TRUE(e.findingId.has_value());
  EXPECT_LT(e.storedSize, e.size);
  auto frame = blobs_->get(e.blobSha256);
  ASSERT_TRUE(frame.ok());
  auto original = portals::decompress(*frame, 1 << 20);
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(crypto::sha256Hex(*original), e.sha256);
  EXPECT_NE(original->find("nhà cái"), std::string::npos);

  // Still there at the next run: no second alert.
  clock_.advanceMs(30 * 60 * 1000);
  ASSERT_TRUE(recorder_->record(spamRun(clock_.nowMs(), true)).ok());
  EXPECT_EQ(webAlerts().size(), 1u);
  EXPECT_EQ(webAlerts()[0].count, 1);
  EXPECT_EQ(recorder_->stats().alertsRaised, 1);
}

TEST_F(RunRecorderTest, ReinfectionIsRaisedAgainAndCounted) {
  ASSERT_TRUE(recorder_->record(spamRun(clock_.nowMs(), true)).ok());
  auto first = webAlerts();
  ASSERT_EQ(first.size(), 1u);
  // The officer closes the alert once the portal is cleaned; the next run resolves the finding.
  ASSERT_TRUE(store_->updateAlert(system_, first[0].id, {.state = AlertState::kClosed, .reason = "đã gỡ"}).ok());
  clock_.advanceMs(3600 * 1000);
  ASSERT_TRUE(recorder_->record(spamRun(clock_.nowMs(), false)).ok());
  clock_.advanceMs(3600 * 1000);
  ASSERT_TRUE(recorder_->record(spamRun(clock_.nowMs(), true)).ok());

  auto alerts = webAlerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_NE(alerts[0].title.find("tái nhiễm lần 1"), std::string::npos) << alerts[0].title;
  auto findings = store_->listPortalFindings(system_, {.portalId = portal_.id});
  ASSERT_TRUE(findings.ok());
  ASSERT_EQ(findings->total, 1);
  EXPECT_EQ(findings->items[0].reinfections, 1);
  EXPECT_EQ(findings->items[0].status, PortalFindingStatus::kOpen);
}

TEST_F(RunRecorderTest, NothingIsRaisedDuringMaintenance) {
  auto r = spamRun(clock_.nowMs(), true);
  r.inMaintenance = true;
  ASSERT_TRUE(recorder_->record(r).ok());
  EXPECT_TRUE(webAlerts().empty());
  auto findings = store_->listPortalFindings(system_, {.portalId = portal_.id});
  ASSERT_TRUE(findings.ok());
  EXPECT_EQ(findings->total, 1);  // recorded all the same
}

TEST_F(RunRecorderTest, SourceGivesTheRegisteredPortals) {
  portals::StorePortalSource source(*store_);
  auto specs = source.portals();
  ASSERT_TRUE(specs.ok());
  ASSERT_EQ(specs->size(), 1u);
  EXPECT_EQ(specs->front().id, portal_.id);
  EXPECT_EQ(specs->front().orgId, agency_.id);
  EXPECT_EQ(specs->front().revision, 1);
}

}  // namespace
}  // namespace vigil::test
