// Online backup and restore: write, back up while the store is open, write more, restore, and
// compare every table with what it held at backup time.
#include <sqlite3.h>

#include <fstream>

#include "store/store_fixture.h"

namespace vigil::test {
namespace {

using BackupTest = StoreTest;

// Every row of every application table, as text, in a stable order.
std::string dump(const std::string& db) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  std::string out;
  for (const char* table : {"orgs", "users", "role_assignments", "api_tokens", "audit_log", "settings", "sessions"}) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, (std::string("SELECT * FROM ") + table + " ORDER BY 1,2").c_str(), -1, &st, nullptr);
    out += std::string("# ") + table + "\n";
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const auto* t = sqlite3_column_text(st, c);
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return out;
}

TEST_F(BackupTest, RestoreReturnsExactlyTheBackedUpState) {
  Org a = org("Sở Nội vụ");
  user("can.bo.a", a, Role::kUnitOfficer);
  ASSERT_TRUE(store_->putSecuritySettings(system_, {.inactiveDays = 60}).ok());
  const std::string backup = (dir_.path() / "backup.db").string();
  ASSERT_TRUE(store_->backupTo(backup).ok());
  const std::string atBackup = dump(backup);
  EXPECT_NE(atBackup.find("Sở Nội vụ"), std::string::npos);

  org("Sở Công Thương");  // after the backup
  store_->close();
  store_.reset();
  EXPECT_EQ(dump(dbPath()).find("Sở Công Thương") != std::string::npos, true);

  ASSERT_TRUE(sqlite::SqliteStore::restoreFrom(backup, dbPath()).ok());
  EXPECT_EQ(dump(dbPath()), atBackup);
  open();
  EXPECT_TRUE(store_->verifyAudit()->ok);
  EXPECT_EQ(store_->securitySettings()->inactiveDays, 60);
}

TEST_F(BackupTest, RestoreRefusesFilesThatAreNotVigilBackups) {
  const std::string junk = (dir_.path() / "junk.db").string();
  std::ofstream(junk) << "this is not a database";
  auto st = sqlite::SqliteStore::restoreFrom(junk, (dir_.path() / "other.db").string());
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(sqlite::SqliteStore::restoreFrom((dir_.path() / "missing.db").string(), dbPath()).ok());
  // An empty SQLite file with no schema version is refused too.
  const std::string empty = (dir_.path() / "empty.db").string();
  sqlite3* h = nullptr;
  sqlite3_open(empty.c_str(), &h);
  sqlite3_exec(h, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  EXPECT_FALSE(sqlite::SqliteStore::restoreFrom(empty, (dir_.path() / "other.db").string()).ok());
}

}  // namespace
}  // namespace vigil::test
