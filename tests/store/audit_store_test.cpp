// The audit log in the store: append-only, hash-chained, tamper found at the right entry,
// group commit under concurrency keeps the chain intact, and listing is scoped.
#include <sqlite3.h>

#include <thread>

#include "store/store_fixture.h"

namespace vigil::test {
namespace {

using AuditStoreTest = StoreTest;

void execSql(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(h);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

int execSqlCode(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(h);
  return rc;
}

TEST_F(AuditStoreTest, TriggersRefuseUpdatesAndDeletes) {
  org("Sở A");
  EXPECT_NE(execSqlCode(dbPath(), "UPDATE audit_log SET actor='x' WHERE id=1"), SQLITE_OK);
  EXPECT_NE(execSqlCode(dbPath(), "DELETE FROM audit_log WHERE id=1"), SQLITE_OK);
  EXPECT_TRUE(store_->verifyAudit()->ok);
}

TEST_F(AuditStoreTest, EditedEntryIsTheFirstBrokenLink) {
  for (int i = 0; i < 5; ++i) org("Sở " + std::to_string(i));
  ASSERT_TRUE(store_->verifyAudit()->ok);
  EXPECT_EQ(store_->verifyAudit()->checked, 6);
  execSql(dbPath(), "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET summary='{}' WHERE id=4;");
  auto v = store_->verifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(*v->firstBrokenId, 4);
  EXPECT_NE(v->reason.find("hash"), std::string::npos);
}

TEST_F(AuditStoreTest, DeletedOrRehashedEntriesAreFound) {
  for (int i = 0; i < 5; ++i) org("Sở " + std::to_string(i));
  // An attacker who deletes a row...
  execSql(dbPath(), "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id=3;");
  EXPECT_EQ(*store_->verifyAudit()->firstBrokenId, 4);
  // ...or rewrites a row together with its own hash still breaks the next link.
  execSql(dbPath(),
          "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET hash='" + std::string(64, 'a') + "' WHERE id=5;");
  EXPECT_EQ(*store_->verifyAudit()->firstBrokenId, 4);
}

TEST_F(AuditStoreTest, ConcurrentWritersKeepOneUnbrokenChain) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Actor a = Actor::systemActor("thread-" + std::to_string(t));
        if (!store_->appendAudit(a, {.action = "test.write", .objectType = "t", .objectId = std::to_string(i)}).ok())
          ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto v = store_->verifyAudit();
  EXPECT_TRUE(v->ok) << v->reason;
  EXPECT_EQ(v->checked, 1 + kThreads * kEach);
}

TEST_F(AuditStoreTest, FailedJobInABatchLeavesTheChainIntact) {
  // A job that audits and then fails is rolled back alone; the chain head goes back with it.
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i)
    threads.emplace_back([&, i] {
      (void)store_->write([&](sqlite::WriteTx& tx) -> Status {
        VIGIL_TRY(tx.audit(system_, {.action = "test.maybe", .objectType = "t", .objectId = std::to_string(i)}));
        if (i % 2) return Error::conflict("fails after auditing");
        return {};
      });
    });
  for (auto& th : threads) th.join();
  auto v = store_->verifyAudit();
  EXPECT_TRUE(v->ok) << v->reason;
  EXPECT_EQ(store_->listAudit(system_, {.action = "test.maybe"})->total, 10);
}

TEST_F(AuditStoreTest, ListingIsScopedAndFiltered) {
  Org a = org("Sở A"), b = org("Sở B");
  const Actor adminA = actorOf(user("admin.a", a, Role::kAdministrator));
  const Actor officerA = actorOf(user("officer.a", a, Role::kUnitOfficer));
  ASSERT_TRUE(store_->updateOrg(adminA, a.id, {.name = std::string("Sở A mới")}).ok());
  ASSERT_TRUE(store_->appendAudit(Actor::systemActor("x"), {.action = "auth.login", .objectType = "session"}).ok());
  auto page = store_->listAudit(adminA, {});
  ASSERT_TRUE(page.ok());
  for (const auto& e : page->items) {
    EXPECT_TRUE(e.orgId.has_value()) << "entries without an organisation are for the province";
    EXPECT_NE(e.orgId, b.id);
  }
  EXPECT_EQ(store_->listAudit(officerA, {}).error().code, ErrorCode::kForbidden);
  auto byActor = store_->listAudit(system_, {.actor = "admin.a"});
  ASSERT_EQ(byActor->total, 1);
  EXPECT_EQ(byActor->items[0].action, "org.update");
  EXPECT_EQ(store_->listAudit(system_, {.action = "org."})->total, 3);
  EXPECT_EQ(store_->listAudit(system_, {.from = clock_.nowMs() + 1})->total, 0);
  auto paged = store_->listAudit(system_, {.limit = 2, .offset = 1});
  EXPECT_EQ(paged->items.size(), 2u);
  EXPECT_GT(paged->total, 2);
}

}  // namespace
}  // namespace vigil::test
