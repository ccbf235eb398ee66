// Assessments in the store: scoping by the system's organisation, the rules' refusals, item
// results against the checklist, completion (summary, findings), re-tests, schedule inputs, the
// dashboard's aggregates and the audit entries. The law comes from a stand-in AssessmentRules (a
// three-item checklist; self-assessment refused from level 3); the real catalogs are exercised
// through the API in tests/api/assessment_api_test.cpp.
#include <boost/json.hpp>

#include "store/store_fixture.h"

namespace vigil::test {
namespace {

class FactLeveler : public SystemLeveler {
 public:
  Result<int> proposedLevel(const std::string&, const std::string& factsJson, int componentsLevel) const override {
    auto v = boost::json::parse(factsJson);
    int level = 1;
    if (const auto* l = v.as_object().if_contains("level")) level = static_cast<int>(l->as_int64());
    return std::max(level, componentsLevel);
  }
};

class ThreeItemRules : public AssessmentRules {
 public:
  Result<std::vector<ChecklistEntry>> checklist(const std::string&, int) const override {
    return std::vector<ChecklistEntry>{{"i1", "Một"}, {"i2", "Hai"}, {"i3", "Ba"}};
  }
  Status checkAssessor(const std::string&, int level, bool, const std::string& kind, const std::vector<std::string>&,
                       const std::string& assessorType) const override {
    if (level >= 3 && kind == "periodic" && assessorType == "self")
      return Error::validation("assessor_type", "refused by rule R (Nghị định 85/2016/NĐ-CP, Điều 20 khoản 2.c)");
    return {};
  }
  Result<AssessmentOutcome> outcome(const std::string&, int,
                                    const std::vector<ItemResultRecord>& results) const override {
    AssessmentOutcome o;
    o.total = 3;
    for (const auto& r : results) {
      if (r.status == "met") ++o.met;
      if (r.status == "partly_met") ++o.partlyMet;
      if (r.status == "not_met") ++o.notMet;
      if (r.status == "not_applicable") ++o.notApplicable;
      if (r.status == "not_met" || r.status == "partly_met")
        o.findings.push_back({r.item, r.status, "Yêu cầu " + r.item});
    }
    o.percentMet = 100.0 * o.met / (o.total - o.notApplicable);
    return o;
  }
};

class AssessmentStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = org("Sở Nội vụ");
    b_ = org("Sở Công Thương");
    officerA_ = actorOf(user("officer.a", a_, Role::kUnitOfficer));
    officerB_ = actorOf(user("officer.b", b_, Role::kUnitOfficer));
    auditorA_ = actorOf(user("auditor.a", a_, Role::kAuditor));
  }
  InfoSystem system(const std::string& name, int level, const Org& o) {
    SystemFields f;
    f.orgId = o.id;
    f.name = name;
    f.regimeId = "A_ND85_TT12";
    f.owner = "UBND tỉnh";
    f.leadOperator = o.name;
    f.factsJson = "{\"level\":" + std::to_string(level) + "}";
    auto r = store_->createSystem(system_, f, leveler_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : InfoSystem{};
  }
  Assessment open(const InfoSystem& s, const std::string& type = "external") {
    AssessmentFields f{.systemId = s.id, .kind = "periodic", .assessorType = type, .assessorName = "Tổ đánh giá"};
    auto r = store_->createAssessment(officerA_, f, rules_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Assessment{};
  }
  Status put(int64_t id, const std::string& item, const std::string& status, const std::string& reason = "") {
    auto r = store_->putItemResult(officerA_, id, {.item = item, .status = status, .reason = reason}, rules_);
    if (!r.ok()) return r.error();
    return {};
  }
  int64_t auditCount(const std::string& action) {
    AuditFilter f;
    f.action = action;
    return store_->listAudit(system_, f)->total;
  }

  FactLeveler leveler_;
  ThreeItemRules rules_;
  Org a_, b_;
  Actor officerA_, officerB_, auditorA_;
};

TEST_F(AssessmentStoreTest, AnotherAgencySeesNothingAndChangesNothing) {
  const auto s = system("Cổng", 2, a_);
  const auto a = open(s);
  EXPECT_EQ(store_->getAssessment(officerB_, a.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->listAssessments(officerB_, s.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(put(a.id, "i1", "met").ok());
  auto r = store_->putItemResult(officerB_, a.id, {.item = "i1", .status = "not_met"}, rules_);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  AssessmentFields f{.systemId = s.id, .assessorType = "external", .assessorName = "X"};
  EXPECT_EQ(store_->createAssessment(officerB_, f, rules_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->getAssessment(officerA_, a.id)->results.at(0).status, "met");
  // An auditor of A reads but may not change.
  EXPECT_TRUE(store_->getAssessment(auditorA_, a.id).ok());
  EXPECT_EQ(store_->createAssessment(auditorA_, f, rules_).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->listFindings(officerB_, {.today = "2026-11-18"})->total, 0);
}

TEST_F(AssessmentStoreTest, TheRulesRefusalStoresNothing) {
  const auto s = system("Cổng", 3, a_);
  AssessmentFields f{.systemId = s.id, .kind = "periodic", .assessorType = "self", .assessorName = "Phòng CNTT"};
  auto r = store_->createAssessment(officerA_, f, rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "assessor_type");
  EXPECT_NE(r.error().message.find("Điều 20"), std::string::npos);
  EXPECT_TRUE(store_->listAssessments(officerA_, s.id)->empty());
  EXPECT_EQ(auditCount("assessment.create"), 0);
  EXPECT_EQ(open(s).level, 3);
}

TEST_F(AssessmentStoreTest, ResultsAreCheckedAgainstTheChecklist) {
  const auto a = open(system("Cổng", 2, a_));
  EXPECT_EQ(put(a.id, "i9", "met").error().field, "item");
  EXPECT_EQ(put(a.id, "i1", "maybe").error().field, "status");
  EXPECT_EQ(put(a.id, "i1", "not_applicable").error().field, "reason");
  EXPECT_TRUE(store_->getAssessment(officerA_, a.id)->results.empty());
  EXPECT_TRUE(put(a.id, "i1", "not_applicable", "Không có").ok());
  EXPECT_TRUE(put(a.id, "i1", "met").ok());
  const auto got = store_->getAssessment(officerA_, a.id);
  ASSERT_EQ(got->results.size(), 1u);
  EXPECT_EQ(got->results[0].status, "met");
  EXPECT_EQ(got->results[0].updatedBy, "officer.a");
}

TEST_F(AssessmentStoreTest, CompletionStoresTheSummaryAndOpensFindings) {
  const auto a = open(system("Cổng", 2, a_));
  ASSERT_TRUE(put(a.id, "i1", "met").ok());
  auto early = store_->completeAssessment(officerA_, a.id, "2026-11-10", rules_);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().field, "results");
  EXPECT_NE(early.error().message.find("i2"), std::string::npos);
  ASSERT_TRUE(put(a.id, "i2", "partly_met").ok());
  ASSERT_TRUE(put(a.id, "i3", "not_met").ok());
  auto done = store_->completeAssessment(officerA_, a.id, "2026-11-10", rules_);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->state, "completed");
  EXPECT_EQ(*done->completedOn, "2026-11-10");
  ASSERT_TRUE(done->summary);
  EXPECT_EQ(done->summary->met, 1);
  EXPECT_EQ(done->summary->partlyMet, 1);
  EXPECT_EQ(done->summary->notMet, 1);
  EXPECT_NEAR(*done->summary->percentMet, 33.3, 1e-9);
  ASSERT_EQ(done->findings.size(), 2u);
  EXPECT_EQ(done->findings[0].item, "i2");
  EXPECT_EQ(done->findings[1].item, "i3");
  EXPECT_EQ(put(a.id, "i1", "not_met").error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->completeAssessment(officerA_, a.id, "2026-11-11", rules_).error().code, ErrorCode::kConflict);
}

TEST_F(AssessmentStoreTest, RetestMetClosesTheFinding) {
  const auto a = open(system("Cổng", 2, a_));
  for (const char* i : {"i1", "i2"}) ASSERT_TRUE(put(a.id, i, "met").ok());
  ASSERT_TRUE(put(a.id, "i3", "not_met").ok());
  auto done = store_->completeAssessment(officerA_, a.id, "2026-11-01", rules_);
  ASSERT_TRUE(done.ok());
  const int64_t f = done->findings.at(0).id;
  EXPECT_EQ(store_->updateFinding(officerA_, f, {.owner = "Phòng CNTT", .dueOn = "2026-10-01"}).error().field,
            "due_on");
  auto assigned = store_->updateFinding(officerA_, f, {.owner = "Phòng CNTT", .dueOn = "2026-11-15"});
  ASSERT_TRUE(assigned.ok());
  EXPECT_TRUE(assigned->overdue("2026-11-18"));
  EXPECT_FALSE(assigned->overdue("2026-11-15"));
  EXPECT_EQ(store_->listFindings(officerA_, {.overdueOnly = true, .today = "2026-11-18"})->total, 1);
  EXPECT_EQ(store_->addRetest(officerA_, f, {.on = "2026-10-30", .status = "met"}).error().field, "on");
  ASSERT_TRUE(store_->addRetest(officerA_, f, {.on = "2026-11-05", .status = "not_met"}).ok());
  auto closed = store_->addRetest(officerA_, f, {.on = "2026-11-16", .status = "met", .by = "Tổ đánh giá"});
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(*closed->closedOn, "2026-11-16");
  EXPECT_FALSE(closed->overdue("2026-11-18"));
  EXPECT_EQ(closed->retests.size(), 2u);
  EXPECT_EQ(store_->addRetest(officerA_, f, {.on = "2026-11-17", .status = "met"}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->listFindings(officerA_, {.overdueOnly = true, .today = "2026-11-18"})->total, 0);
  EXPECT_EQ(store_->listFindings(officerA_, {.openOnly = true, .today = "2026-11-18"})->total, 0);
}

TEST_F(AssessmentStoreTest, EvidenceIsRecordedForAChecklistItem) {
  const auto a = open(system("Cổng", 2, a_));
  const std::string sha(64, 'a');
  EvidenceFile e{.item = "i9", .filename = "a.pdf", .contentType = "application/pdf", .size = 10, .sha256 = sha};
  EXPECT_EQ(store_->addEvidence(officerA_, a.id, e, rules_).error().field, "item");
  e.item = "i2";
  auto saved = store_->addEvidence(officerA_, a.id, e, rules_);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->sha256, sha);
  EXPECT_EQ(saved->uploadedBy, "officer.a");
  EXPECT_EQ(store_->getEvidence(officerB_, saved->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->getAssessment(officerA_, a.id)->evidence.size(), 1u);
}

TEST_F(AssessmentStoreTest, ScheduleInputsGiveTheLastCompletedAssessmentPerKind) {
  const auto s = system("Cổng", 3, a_);
  system("Khác", 1, b_);
  for (const char* day : {"2025-05-01", "2026-03-01"}) {
    const auto a = open(s);
    for (const char* i : {"i1", "i2", "i3"}) ASSERT_TRUE(put(a.id, i, "met").ok());
    ASSERT_TRUE(store_->completeAssessment(officerA_, a.id, day, rules_).ok());
  }
  open(s);  // in progress: not counted
  auto in = store_->scheduleInputs(officerA_, std::nullopt);
  ASSERT_TRUE(in.ok());
  ASSERT_EQ(in->size(), 1u);
  EXPECT_EQ((*in)[0].level, 3);
  EXPECT_EQ((*in)[0].lastCompleted.at("periodic"), "2026-03-01");
  EXPECT_EQ((*in)[0].lastCompleted.count("ad_hoc"), 0u);
  EXPECT_EQ(store_->scheduleInputs(system_, std::nullopt)->size(), 2u);
}

TEST_F(AssessmentStoreTest, DashboardAggregatesTheScope) {
  const auto s1 = system("Cổng", 3, a_);
  system("Văn bản", 1, a_);
  const Org unitB = org("Phòng Công nghiệp", b_.id);
  system("Công nghiệp", 2, unitB);
  const auto a = open(s1);
  for (const char* i : {"i1", "i2"}) ASSERT_TRUE(put(a.id, i, "met").ok());
  ASSERT_TRUE(put(a.id, "i3", "partly_met").ok());
  auto done = store_->completeAssessment(officerA_, a.id, "2026-11-01", rules_);
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(store_->updateFinding(officerA_, done->findings[0].id, {.owner = "X", .dueOn = "2026-11-10"}).ok());

  auto all = store_->dashboardFigures(system_, std::nullopt, "2026-11-18", "2026-11-11");
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->baseOrgId, root_.id);
  EXPECT_EQ(all->systems, 3);
  EXPECT_EQ(all->approved, 0);
  EXPECT_EQ(all->proposedByLevel.at(1), 1);
  EXPECT_EQ(all->proposedByLevel.at(2), 1);
  EXPECT_EQ(all->proposedByLevel.at(3), 1);
  EXPECT_EQ(all->planStatus.at("not_started"), 3);
  EXPECT_EQ(all->dossiersByState.at("none"), 3);
  EXPECT_EQ(all->openFindings, 1);
  EXPECT_EQ(all->overdueFindings, 1);
  ASSERT_EQ(all->agencies.size(), 2u);
  EXPECT_EQ(all->agencies[0].orgId, b_.id);  // "Sở Công Thương" < "Sở Nội vụ"
  EXPECT_EQ(all->agencies[0].systems, 1);    // its unit's system
  EXPECT_EQ(all->agencies[1].orgId, a_.id);
  EXPECT_EQ(all->agencies[1].systems, 2);
  EXPECT_EQ(all->agencies[1].overdueFindings, 1);

  auto mine = store_->dashboardFigures(officerB_, std::nullopt, "2026-11-18", "2026-11-11");
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->baseOrgId, b_.id);
  EXPECT_EQ(mine->systems, 1);
  EXPECT_EQ(mine->openFindings, 0);
  ASSERT_EQ(mine->agencies.size(), 1u);
  EXPECT_EQ(mine->agencies[0].orgId, unitB.id);
  EXPECT_EQ(store_->dashboardFigures(officerB_, a_.id, "2026-11-18", "2026-11-11").error().code, ErrorCode::kNotFound);
}

TEST_F(AssessmentStoreTest, EveryChangeWritesItsAuditEntry) {
  const auto a = open(system("Cổng", 2, a_));
  for (const char* i : {"i1", "i2"}) ASSERT_TRUE(put(a.id, i, "met").ok());
  ASSERT_TRUE(put(a.id, "i3", "not_met").ok());
  EvidenceFile e{.item = "i3", .filename = "a.pdf", .contentType = "application/pdf", .size = 1, .sha256 = "ab"};
  ASSERT_TRUE(store_->addEvidence(officerA_, a.id, e, rules_).ok());
  auto done = store_->completeAssessment(officerA_, a.id, "2026-11-01", rules_);
  ASSERT_TRUE(done.ok());
  const int64_t f = done->findings[0].id;
  ASSERT_TRUE(store_->updateFinding(officerA_, f, {.owner = "X", .dueOn = "2026-12-01"}).ok());
  ASSERT_TRUE(store_->addRetest(officerA_, f, {.on = "2026-11-05", .status = "met"}).ok());
  EXPECT_EQ(auditCount("assessment.create"), 1);
  EXPECT_EQ(auditCount("assessment.result"), 3);
  EXPECT_EQ(auditCount("assessment.evidence"), 1);
  EXPECT_EQ(auditCount("assessment.complete"), 1);
  EXPECT_EQ(auditCount("finding.update"), 1);
  EXPECT_EQ(auditCount("finding.retest"), 1);
  EXPECT_TRUE(store_->verifyAudit()->ok);
}

}  // namespace
}  // namespace vigil::test
