// IncidentStore::handOverIncident (migration 12) on a real SQLite store: the successor row and its
// link, the predecessor closed under its version, carried events, outputs and deadline marks (only
// those of a deadline with the same id and due time), one audit entry; a stale revision, a second
// hand-over, an empty reason, a reader and another agency are refused with nothing written; the
// link cannot be rewritten.
#include "store/store_fixture.h"

namespace vigil::test {
namespace {

constexpr TimeMs kHour = 3600 * 1000;

class IncidentHandoverStore : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    yTe_ = org("Sở Y tế");
    taiChinh_ = org("Sở Tài chính");
    officer_ = actorOf(user("soc.yte", yTe_, Role::kSocAnalyst));
    auditor_ = actorOf(user("kiemtra.yte", yTe_, Role::kAuditor));
    outsider_ = actorOf(user("soc.taichinh", taiChinh_, Role::kSocAnalyst));
    IncidentDraft d{.orgId = yTe_.id,
                    .title = "Cổng dịch vụ công bị tấn công",
                    .detectedAt = clock_.nowMs() - 2 * kHour,
                    .regime = "A_ND85_TT12",
                    .processId = "A-TT20",
                    .processVersion = 1,
                    .startStep = "receive_verify",
                    .classification = {.facts = {"service_interruption"}, .flags = {"serious"}, .severity = "critical"},
                    .nextDueAt = clock_.nowMs() + 100 * kHour};
    auto inc = store_->createIncident(officer_, d);
    ASSERT_TRUE(inc.ok()) << inc.error().message;
    first_ = *inc;
    auto ev = store_->updateIncident(
        officer_, first_.id,
        {.revision = first_.revision, .events = {{"capacity_exceeded", clock_.nowMs() - kHour, ""}}});
    ASSERT_TRUE(ev.ok()) << ev.error().message;
    first_ = *ev;
    ASSERT_TRUE(store_->raiseDeadlineWarning(first_.id, "notification", "Thông báo", 50, kDue).ok());
    ASSERT_TRUE(store_->raiseDeadlineWarning(first_.id, "initial_report", "Báo cáo ban đầu", 50, kDue).ok());
  }

  IncidentHandover plan(int64_t revision, const std::string& reason = "Sự cố nghiêm trọng (Điều 9)") {
    return {.revision = revision,
            .toProcessId = "A-QD05-serious",
            .toVersion = 1,
            .startStep = "detect",
            .rule = "serious_escalation",
            .reason = reason,
            .events = {{"capacity_exceeded", clock_.nowMs() - kHour, "soc.yte"}},
            .outputs = {{"notification", clock_.nowMs() - kHour / 2, "Công văn 12/SYT", "soc.yte"}},
            // Same due time for notification (its marks carry); another for initial_report (not).
            .deadlines = {{"notification", kDue}, {"initial_report", kDue + kHour}},
            .nextDueAt = kDue};
  }
  size_t handoverAudits() {
    auto page = store_->listAudit(system_, {.action = "incident.handover"});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items.size() : 0;
  }

  const TimeMs kDue = clock_.nowMs() + 100 * kHour;
  Org yTe_, taiChinh_;
  Actor officer_, auditor_, outsider_;
  Incident first_;
};

TEST_F(IncidentHandoverStore, SuccessorIsLinkedAndCarriesWhatTheClockNeeds) {
  auto next = store_->handOverIncident(officer_, first_.id, plan(first_.revision));
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_NE(next->id, first_.id);
  EXPECT_EQ(next->predecessorId, first_.id);
  EXPECT_EQ(next->predecessorProcess, "A-TT20@v1");
  EXPECT_EQ(next->processId, "A-QD05-serious");
  EXPECT_EQ(next->currentStep, "detect");
  EXPECT_EQ(next->detectedAt, first_.detectedAt);
  EXPECT_EQ(next->classification.flags, first_.classification.flags);
  EXPECT_FALSE(next->closed);
  EXPECT_EQ(next->nextDueAt, kDue);
  ASSERT_EQ(next->events.size(), 1u);
  EXPECT_EQ(next->events[0].id, "capacity_exceeded");
  EXPECT_EQ(next->events[0].recordedBy, "soc.yte");
  ASSERT_EQ(next->carriedOutputs.size(), 1u);
  EXPECT_EQ(next->carriedOutputs[0].text, "Công văn 12/SYT");
  ASSERT_EQ(next->steps.size(), 1u);
  EXPECT_TRUE(next->steps[0].outputs.empty()) << "carried outputs belong to no step";

  auto before = store_->getIncident(officer_, first_.id);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->closed);
  EXPECT_EQ(before->processId, "A-TT20");
  EXPECT_EQ(before->processVersion, 1);
  EXPECT_EQ(before->successorId, next->id);
  EXPECT_FALSE(before->nextDueAt.has_value()) << "its clock continues in the successor";
  EXPECT_EQ(before->revision, first_.revision + 1);
  EXPECT_EQ(before->timeline.back().kind, "handover");
  EXPECT_EQ(next->timeline.back().kind, "handover");
  EXPECT_EQ(handoverAudits(), 1u);

  // The deadline watch: the successor is open with the notification marks only; the predecessor
  // is no longer watched.
  auto open = store_->openIncidentsForClock();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->at(0).incident.id, next->id);
  EXPECT_EQ(open->at(0).raised, std::vector<std::string>{"notification:50"});
}

TEST_F(IncidentHandoverStore, RefusalsWriteNothing) {
  struct Case {
    const char* what;
    Actor actor;
    IncidentHandover h;
    ErrorCode code;
  };
  const std::vector<Case> cases{
      {"stale revision", officer_, plan(first_.revision - 1), ErrorCode::kConflict},
      {"empty reason", officer_, plan(first_.revision, "  "), ErrorCode::kValidation},
      {"a reader", auditor_, plan(first_.revision), ErrorCode::kForbidden},
      {"another agency", outsider_, plan(first_.revision), ErrorCode::kNotFound},
  };
  for (const auto& c : cases) {
    auto r = store_->handOverIncident(c.actor, first_.id, c.h);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code, c.code) << c.what << ": " << r.error().message;
  }
  auto after = store_->getIncident(officer_, first_.id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->revision, first_.revision);
  EXPECT_FALSE(after->closed);
  EXPECT_FALSE(after->successorId.has_value());
  EXPECT_EQ(handoverAudits(), 0u);

  ASSERT_TRUE(store_->handOverIncident(officer_, first_.id, plan(first_.revision)).ok());
  auto twice = store_->handOverIncident(officer_, first_.id, plan(first_.revision + 1));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_NE(twice.error().message.find("already handed over"), std::string::npos) << twice.error().message;
  EXPECT_EQ(handoverAudits(), 1u);
  for (const char* sql : {"UPDATE incidents SET predecessor_id = NULL WHERE predecessor_id IS NOT NULL",
                          "UPDATE incidents SET predecessor_id = id WHERE predecessor_id IS NOT NULL"}) {
    auto st = store_->write([&](sqlite::WriteTx& tx) { return tx.db.exec(sql); });
    EXPECT_FALSE(st.ok()) << sql;
  }
}

}  // namespace
}  // namespace vigil::test
