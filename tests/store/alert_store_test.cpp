// The alert queue in the store (alert_store.h): deduplication within the window and only into
// open alerts, suppressions with their expiry, triage transitions (data-driven table), scoping by
// the organisation tree, audit of officers' actions in the same transaction, counts and paging.
#include <set>

#include "store/store_fixture.h"

namespace vigil::test {
namespace {

constexpr TimeMs kHour = 3600 * 1000;
constexpr TimeMs kWindow = 24 * kHour;

class AlertStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = org("Sở Y tế");
    b_ = org("Sở Công Thương");
    socA_ = actorOf(user("soc.a", a_, Role::kSocAnalyst));
    leaderA_ = actorOf(user("leader.a", a_, Role::kLeader));
    socB_ = actorOf(user("soc.b", b_, Role::kSocAnalyst));
  }

  AlertDraft draft(const std::string& key, int64_t orgId = 0) {
    return {.orgId = orgId ? orgId : a_.id,
            .asset = "web01",
            .detector = DetectorKind::kSigma,
            .ruleId = "sigma-brute-force",
            .ruleTitle = "Dò mật khẩu SSH",
            .severity = AlertSeverity::kHigh,
            .dedupKey = key,
            .title = "Dò mật khẩu từ " + key,
            .observables = {{"ip", key}}};
  }

  RaiseOutcome raise(const std::vector<AlertDraft>& drafts) {
    auto r = store_->raiseAlerts(drafts, kWindow);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : RaiseOutcome{};
  }

  std::vector<Alert> all(const Actor& actor, AlertQuery q = {}) {
    q.limit = 1000;
    auto r = store_->listAlerts(actor, q);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->items : std::vector<Alert>{};
  }

  int64_t auditCount() { return store_->listAudit(system_, {.limit = 1}).value().total; }
  std::string lastAuditAction() { return store_->listAudit(system_, {.limit = 1}).value().items.at(0).action; }

  Org a_, b_;
  Actor socA_, leaderA_, socB_;
};

TEST_F(AlertStoreTest, SameRuleAndKeyWithinTheWindowIsOneAlertWithACount) {
  const int64_t audits = auditCount();
  auto out = raise({draft("203.0.113.5"), draft("203.0.113.5"), draft("198.51.100.7")});
  EXPECT_EQ(out.created, 2);
  EXPECT_EQ(out.merged, 1);
  clock_.advanceMs(23 * kHour);
  out = raise({draft("203.0.113.5")});
  EXPECT_EQ(out.merged, 1);
  auto alerts = all(socA_);
  ASSERT_EQ(alerts.size(), 2u);
  const Alert& first = alerts[0];  // newest last_seen first
  EXPECT_EQ(first.dedupKey, "203.0.113.5");
  EXPECT_EQ(first.count, 3);
  EXPECT_EQ(first.lastSeen - first.firstSeen, 23 * kHour);
  EXPECT_EQ(first.observables, (std::vector<Observable>{{"ip", "203.0.113.5"}}));
  EXPECT_EQ(first.createdBy, "system");
  EXPECT_EQ(auditCount(), audits) << "detector alerts are not audited one by one";

  // Beyond the window since the last report: a new alert.
  clock_.advanceMs(25 * kHour);
  out = raise({draft("203.0.113.5")});
  EXPECT_EQ(out.created, 1);
  EXPECT_EQ(all(socA_).size(), 3u);
}

TEST_F(AlertStoreTest, OtherOrganisationOrRuleIsAnotherAlert) {
  auto other = draft("203.0.113.5");
  other.ruleId = "web-defacement";
  auto out = raise({draft("203.0.113.5"), draft("203.0.113.5", b_.id), other});
  EXPECT_EQ(out.created, 3);
  EXPECT_EQ(out.merged, 0);
}

TEST_F(AlertStoreTest, AClosedOrFalsePositiveAlertDoesNotAbsorbNewReports) {
  raise({draft("k")});
  const int64_t id = all(socA_).at(0).id;
  ASSERT_TRUE(store_->updateAlert(socA_, id, {.state = AlertState::kClosed}).ok());
  auto out = raise({draft("k")});
  EXPECT_EQ(out.created, 1);
  EXPECT_EQ(all(socA_).size(), 2u);
}

TEST_F(AlertStoreTest, MissingOrganisationIsRejectedAndTheRestStored) {
  auto out = raise({draft("x", 999999), draft("y")});
  EXPECT_EQ(out.rejected, 1);
  EXPECT_EQ(out.created, 1);
}

TEST_F(AlertStoreTest, FalsePositiveWithSuppressionSilencesTheKeyUntilItExpires) {
  raise({draft("k")});
  const int64_t id = all(socA_).at(0).id;
  const int64_t audits = auditCount();
  auto fp = store_->updateAlert(socA_, id,
                                {.state = AlertState::kFalsePositive,
                                 .reason = "máy quét lỗ hổng của Sở",
                                 .suppressUntil = clock_.nowMs() + 2 * kHour});
  ASSERT_TRUE(fp.ok()) << fp.error().message;
  EXPECT_EQ(fp->state, AlertState::kFalsePositive);
  EXPECT_EQ(fp->stateReason, "máy quét lỗ hổng của Sở");
  EXPECT_EQ(auditCount(), audits + 2);  // the state change and the suppression
  EXPECT_EQ(lastAuditAction(), "alert_suppression.create");

  auto out = raise({draft("k"), draft("k"), draft("other")});
  EXPECT_EQ(out.suppressed, 2);
  EXPECT_EQ(out.created, 1);
  auto sup = store_->listSuppressions(socA_, false).value();
  ASSERT_EQ(sup.size(), 1u);
  EXPECT_EQ(sup[0].hits, 2);
  EXPECT_EQ(sup[0].alertId, id);
  EXPECT_EQ(sup[0].ruleId, "sigma-brute-force");
  EXPECT_TRUE(store_->listSuppressions(socB_, true).value().empty());

  clock_.advanceMs(3 * kHour);
  out = raise({draft("k")});
  EXPECT_EQ(out.suppressed, 0);
  EXPECT_EQ(out.created, 1);
  EXPECT_TRUE(store_->listSuppressions(socA_, false).value().empty());
  EXPECT_EQ(store_->listSuppressions(socA_, true).value().size(), 1u);
}

TEST_F(AlertStoreTest, SuppressionsAreCreatedAndDeletedInScopeWithAudit) {
  SuppressionFields f{
      .orgId = a_.id, .ruleId = "r", .dedupKey = "k", .reason = "bảo trì", .expiresAt = clock_.nowMs() + kHour};
  EXPECT_EQ(store_->createSuppression(socB_, f).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->createSuppression(leaderA_, f).error().code, ErrorCode::kForbidden);
  auto past = f;
  past.expiresAt = clock_.nowMs();
  EXPECT_EQ(store_->createSuppression(socA_, past).error().field, "expires_at");
  auto s = store_->createSuppression(socA_, f);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->createdBy, "soc.a");
  EXPECT_EQ(store_->deleteSuppression(socB_, s->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->deleteSuppression(leaderA_, s->id).error().code, ErrorCode::kForbidden);
  const int64_t audits = auditCount();
  EXPECT_TRUE(store_->deleteSuppression(socA_, s->id).ok());
  EXPECT_EQ(auditCount(), audits + 1);
  EXPECT_EQ(lastAuditAction(), "alert_suppression.delete");
}

// from, to, reason, accepted?
struct TransitionCase {
  AlertState from;
  AlertState to;
  const char* reason;
  bool ok;
};

TEST_F(AlertStoreTest, TriageTransitions) {
  using S = AlertState;
  const TransitionCase cases[] = {
      {S::kNew, S::kAcknowledged, "", true},
      {S::kNew, S::kInProgress, "", true},
      {S::kNew, S::kClosed, "", true},
      {S::kNew, S::kFalsePositive, "quét nội bộ", true},
      {S::kNew, S::kFalsePositive, "", false},
      {S::kNew, S::kNew, "", false},
      {S::kAcknowledged, S::kInProgress, "", true},
      {S::kAcknowledged, S::kNew, "", false},
      {S::kAcknowledged, S::kAcknowledged, "", false},
      {S::kInProgress, S::kAcknowledged, "", false},
      {S::kInProgress, S::kClosed, "đã xử lý", true},
      {S::kClosed, S::kAcknowledged, "", false},
      {S::kClosed, S::kInProgress, "", false},
      {S::kClosed, S::kNew, "", false},
      {S::kClosed, S::kNew, "tái diễn", true},
      {S::kFalsePositive, S::kClosed, "", false},
      {S::kFalsePositive, S::kNew, "đánh giá lại", true},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(alertStateName(c.from)) + " -> " + std::string(alertStateName(c.to)) + " reason '" +
                 c.reason + "'");
    raise({draft("t" + std::to_string(n++))});
    const int64_t id = all(socA_).at(0).id;
    // Bring the alert to `from`.
    if (c.from == S::kAcknowledged || c.from == S::kInProgress || c.from == S::kClosed) {
      ASSERT_TRUE(store_->updateAlert(socA_, id, {.state = c.from}).ok());
    } else if (c.from == S::kFalsePositive) {
      ASSERT_TRUE(store_->updateAlert(socA_, id, {.state = c.from, .reason = "x"}).ok());
    }
    const int64_t audits = auditCount();
    auto r = store_->updateAlert(socA_, id, {.state = c.to, .reason = c.reason});
    EXPECT_EQ(r.ok(), c.ok) << (r.ok() ? "" : r.error().message);
    const Alert now = store_->getAlert(socA_, id).value();
    EXPECT_EQ(now.state, c.ok ? c.to : c.from);
    EXPECT_EQ(auditCount(), audits + (c.ok ? 1 : 0));
    if (c.ok) {
      EXPECT_EQ(lastAuditAction(), "alert.state");
    }
    // Leave it closed so that the next case starts from a fresh alert at the top.
    if (isOpen(now.state)) {
      ASSERT_TRUE(store_->updateAlert(socA_, id, {.state = S::kClosed}).ok());
    }
    clock_.advanceMs(1000);
  }
}

TEST_F(AlertStoreTest, ScopingAndPermissions) {
  raise({draft("a"), draft("b", b_.id)});
  auto inA = all(socA_);
  ASSERT_EQ(inA.size(), 1u);
  EXPECT_EQ(inA[0].orgName, "Sở Y tế");
  EXPECT_EQ(all(system_).size(), 2u);
  const int64_t idA = inA[0].id;
  EXPECT_EQ(store_->getAlert(socB_, idA).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->updateAlert(socB_, idA, {.state = AlertState::kClosed}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->addAlertComment(socB_, idA, "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->listAlertComments(socB_, idA).error().code, ErrorCode::kNotFound);
  // Leaders read the queue but do not work it.
  EXPECT_TRUE(store_->getAlert(leaderA_, idA).ok());
  EXPECT_EQ(store_->updateAlert(leaderA_, idA, {.state = AlertState::kClosed}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->addAlertComment(leaderA_, idA, "x").error().code, ErrorCode::kForbidden);
  // The changes feed is scoped too.
  EXPECT_EQ(store_->alertChanges(socA_, 0, 100).value().size(), 1u);
  EXPECT_EQ(store_->alertChanges(system_, 0, 100).value().size(), 2u);
  // An agency filter outside the scope is not found.
  EXPECT_EQ(store_->listAlerts(socA_, {.orgId = b_.id}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->countAlerts(socA_, b_.id).error().code, ErrorCode::kNotFound);
}

TEST_F(AlertStoreTest, AssignmentChecksTheAssigneeAndIsAudited) {
  raise({draft("a")});
  const int64_t id = all(socA_).at(0).id;
  const User officer = user("officer.a", a_, Role::kUnitOfficer);
  const User auditor = user("auditor.a", a_, Role::kAuditor);
  const User officerB = user("officer.b", b_, Role::kUnitOfficer);
  EXPECT_EQ(store_->updateAlert(socA_, id, {.assignee = std::optional<int64_t>(auditor.id)}).error().field,
            "assignee_id");
  EXPECT_EQ(store_->updateAlert(socA_, id, {.assignee = std::optional<int64_t>(officerB.id)}).error().field,
            "assignee_id");
  EXPECT_EQ(store_->updateAlert(socA_, id, {.assignee = std::optional<int64_t>(987654)}).error().field, "assignee_id");
  auto r = store_->updateAlert(socA_, id, {.assignee = std::optional<int64_t>(officer.id)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->assigneeId, officer.id);
  EXPECT_EQ(r->assigneeName, "officer.a");
  EXPECT_EQ(lastAuditAction(), "alert.assign");
  EXPECT_EQ(all(socA_, {.assigneeId = officer.id}).size(), 1u);
  EXPECT_EQ(all(socA_, {.assigneeId = 0}).size(), 0u);
  r = store_->updateAlert(socA_, id, {.assignee = std::optional<int64_t>()});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->assigneeId);
  EXPECT_EQ(all(socA_, {.assigneeId = 0}).size(), 1u);
}

TEST_F(AlertStoreTest, CommentsAndManualAlertsAreAudited) {
  AlertDraft d{.orgId = a_.id,
               .detector = DetectorKind::kExternal,
               .severity = AlertSeverity::kCritical,
               .title = "Thông báo của NCSC: máy chủ bị nhiễm mã độc",
               .sender = "NCSC"};
  int64_t audits = auditCount();
  EXPECT_EQ(store_->createAlert(leaderA_, d).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store_->createAlert(socB_, d).error().code, ErrorCode::kNotFound);
  auto a = store_->createAlert(socA_, d);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->sender, "NCSC");
  EXPECT_EQ(a->createdBy, "soc.a");
  EXPECT_EQ(a->detector, DetectorKind::kExternal);
  EXPECT_EQ(lastAuditAction(), "alert.create");
  EXPECT_EQ(auditCount(), audits + 1);
  audits = auditCount();
  const int64_t seqBefore = a->seq;
  auto c = store_->addAlertComment(socA_, a->id, "Đã gọi điện cho Sở");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(lastAuditAction(), "alert.comment");
  EXPECT_EQ(auditCount(), audits + 1);
  auto comments = store_->listAlertComments(leaderA_, a->id).value();
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].author, "soc.a");
  EXPECT_EQ(comments[0].body, "Đã gọi điện cho Sở");
  EXPECT_GT(store_->getAlert(socA_, a->id).value().seq, seqBefore) << "a comment is a change for the live queue";
}

TEST_F(AlertStoreTest, FiltersPagingAndCounts) {
  std::vector<AlertDraft> drafts;
  for (int i = 0; i < 30; ++i) {
    auto d = draft("k" + std::to_string(i));
    d.severity = static_cast<AlertSeverity>(i % 4);
    d.seenAt = clock_.nowMs() + i * 1000;
    if (i % 10 == 0) d.asset = "mail.soyte.gov.vn";
    drafts.push_back(d);
  }
  raise(drafts);
  raise({draft("b", b_.id)});
  const int64_t id0 = all(socA_, {.text = "k0"}).at(0).id;
  ASSERT_TRUE(store_->updateAlert(socA_, id0, {.state = AlertState::kAcknowledged}).ok());

  EXPECT_EQ(all(socA_).size(), 30u);
  EXPECT_EQ(all(socA_, {.severities = {AlertSeverity::kCritical}}).size(), 7u);  // i = 3, 7, ..., 27
  EXPECT_EQ(all(socA_, {.states = {AlertState::kAcknowledged}}).size(), 1u);
  EXPECT_EQ(all(socA_, {.states = {AlertState::kNew, AlertState::kAcknowledged}}).size(), 30u);
  EXPECT_EQ(all(socA_, {.text = "soyte"}).size(), 3u);
  EXPECT_EQ(all(socA_, {.text = "%"}).size(), 0u) << "LIKE wildcards are escaped";
  // Three characters or more go through the trigram index: case-insensitive, Vietnamese too.
  EXPECT_EQ(all(socA_, {.text = "MAIL.SOYTE"}).size(), 3u);
  EXPECT_EQ(all(socA_, {.text = "MẬT KHẨU"}).size(), 30u);
  EXPECT_EQ(all(socA_, {.text = "k1"}).size(), 11u);  // k1, k10..k19 (LIKE: two characters)
  EXPECT_EQ(all(socA_, {.text = "k\"1 OR x"}).size(), 0u) << "quotes and operators are text";
  EXPECT_EQ(all(socA_, {.detector = DetectorKind::kWeb}).size(), 0u);
  EXPECT_EQ(all(socA_, {.ruleId = "sigma-brute-force"}).size(), 30u);
  EXPECT_EQ(all(system_, {.orgId = b_.id}).size(), 1u);
  EXPECT_EQ(all(socA_, {.from = clock_.nowMs() + 20 * 1000}).size(), 10u);
  EXPECT_EQ(all(socA_, {.to = clock_.nowMs() + 5 * 1000}).size(), 5u);

  // Keyset pages of 7 cover every alert once, newest first.
  std::vector<int64_t> seen;
  AlertQuery q{.limit = 7};
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->listAlerts(socA_, q).value();
    for (const auto& a : page.items) seen.push_back(a.id);
    if (!page.hasMore) break;
    q.beforeLastSeen = page.items.back().lastSeen;
    q.beforeId = page.items.back().id;
  }
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 30u);

  auto counts = store_->countAlerts(socA_, std::nullopt).value();
  EXPECT_EQ(counts.total, 30);
  EXPECT_EQ(counts.byState[static_cast<int>(AlertState::kNew)], 29);
  EXPECT_EQ(counts.byState[static_cast<int>(AlertState::kAcknowledged)], 1);
  EXPECT_EQ(counts.bySeverity[static_cast<int>(AlertSeverity::kLow)], 8);
  EXPECT_EQ(store_->countAlerts(system_, std::nullopt).value().total, 31);
  EXPECT_EQ(store_->countAlerts(system_, b_.id).value().total, 1);
}

TEST_F(AlertStoreTest, ChangesFeedFollowsEveryChange) {
  EXPECT_EQ(store_->latestAlertSeq().value(), 0);
  raise({draft("a"), draft("b")});
  const int64_t s1 = store_->latestAlertSeq().value();
  EXPECT_EQ(s1, 2);
  EXPECT_TRUE(store_->alertChanges(socA_, s1, 100).value().empty());
  raise({draft("a")});
  auto changes = store_->alertChanges(socA_, s1, 100).value();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].dedupKey, "a");
  EXPECT_EQ(changes[0].count, 2);
}

}  // namespace
}  // namespace vigil::test

namespace vigil::test {
namespace {

// More than 5,000 matches take the other plans of the text filter (alert_ops.cpp textCondition):
// the answers must not change with the plan.
TEST_F(AlertStoreTest, TextSearchAnswersTheSameWithManyMatches) {
  std::vector<AlertDraft> drafts;
  for (int i = 0; i < 5100; ++i) {
    auto d = draft("bulk-" + std::to_string(i));
    d.seenAt = clock_.nowMs() - 1000LL * (5100 - i);
    drafts.push_back(d);
  }
  raise(drafts);
  raise({draft("lẻ-1")});
  for (const char* text : {"bulk-", "BULK-", "Mật khẩu", "MẬT KHẨU"}) {
    SCOPED_TRACE(text);
    auto page = store_->listAlerts(socA_, {.text = text, .limit = 50});
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_EQ(page->items.size(), 50u);
    EXPECT_TRUE(page->hasMore);
  }
  auto newest = store_->listAlerts(socA_, {.text = "MẬT KHẨU", .limit = 1}).value();
  ASSERT_EQ(newest.items.size(), 1u);
  EXPECT_EQ(newest.items[0].dedupKey, "lẻ-1");
  EXPECT_EQ(store_->listAlerts(socA_, {.text = "bulk-5099", .limit = 5}).value().items.size(), 1u);
  EXPECT_EQ(store_->listAlerts(socB_, {.text = "bulk-", .limit = 5}).value().items.size(), 0u);
}

}  // namespace
}  // namespace vigil::test
