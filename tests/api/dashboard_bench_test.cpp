// The dashboard and schedule at provincial scale: 50 agencies, 5,000 systems, 100,000 assets,
// 2,000 assessments with findings, written straight into the database, then read through the
// API as the province's administrator. Disabled by default (it takes a while to fill); run with
//   vigil_api_tests --gtest_also_run_disabled_tests --gtest_filter='*DashboardAtScale*'
// The target is under 2 s per request.
#include <sqlite3.h>

#include <chrono>

#include "api_test_util.h"

namespace vigil::test {
namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << "\n" << sql;
}

TEST(DashboardAtScale, DISABLED_AnswersWithinTwoSeconds) {
  TestServer srv;
  Session& admin = srv.admin();
  std::vector<int64_t> agencies;
  for (int i = 0; i < 50; ++i) agencies.push_back(srv.createOrg(admin, 1, "Sở " + std::to_string(i)));

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(srv.dbPath().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  exec(db, "BEGIN");
  sqlite3_stmt* sys = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO info_systems(org_id,name,regime_id,owner,lead_operator,lifecycle,hosting,separation,"
                     "plan_status,facts,proposed_level,approved_level,approved_on,created_at,updated_at) "
                     "VALUES(?,?,?,'UBND tỉnh','X','operating','on_premises','none',?,'{}',?,?,?,0,0)",
                     -1, &sys, nullptr);
  for (int i = 0; i < 5000; ++i) {
    const int level = 1 + i % 4;
    sqlite3_bind_int64(sys, 1, agencies[i % 50]);
    const std::string name = "Hệ thống " + std::to_string(i);
    sqlite3_bind_text(sys, 2, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(sys, 3, i % 2 ? "A_ND85_TT12" : "B_ND331_TCVN14423", -1, SQLITE_STATIC);
    sqlite3_bind_text(sys, 4, i % 3 == 0 ? "fully" : i % 3 == 1 ? "partly" : "not_started", -1, SQLITE_STATIC);
    sqlite3_bind_int(sys, 5, level);
    if (i % 5) {
      sqlite3_bind_int(sys, 6, level);
      sqlite3_bind_text(sys, 7, "2026-01-15", -1, SQLITE_STATIC);
    } else {
      sqlite3_bind_null(sys, 6);
      sqlite3_bind_null(sys, 7);
    }
    ASSERT_EQ(sqlite3_step(sys), SQLITE_DONE);
    sqlite3_reset(sys);
  }
  sqlite3_finalize(sys);
  exec(db,
       "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999) "
       "INSERT INTO assets(system_id,kind,name,anti_malware,anti_malware_licensed,last_update_on,created_at,"
       "updated_at) SELECT (SELECT min(id) FROM info_systems) + i % 5000, CASE WHEN i % 10 < 8 THEN "
       "'workstation' ELSE 'server' END, 'M' || i, CASE WHEN i % 3 THEN 'Bkav' ELSE '' END, 1, '2026-11-17', 0, 0 "
       "FROM n");
  exec(db,
       "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1999) "
       "INSERT INTO assessments(system_id,regime_id,level,kind,assessor_type,assessor_name,state,completed_on,"
       "created_by,created_at,updated_at) SELECT s.id, s.regime_id, s.proposed_level, 'periodic', 'external', 'T', "
       "'completed', '2025-10-01', 'bench', 0, 0 FROM n JOIN info_systems s ON s.id = (SELECT min(id) FROM "
       "info_systems) + n.i * 2");
  exec(db,
       "INSERT INTO findings(assessment_id,item,status,description,due_on,created_at,updated_at) "
       "SELECT id, 'x', 'not_met', 'd', CASE WHEN id % 2 THEN '2026-01-01' ELSE '2027-01-01' END, 0, 0 "
       "FROM assessments");
  exec(db, "COMMIT");
  sqlite3_close(db);

  for (const char* path :
       {"/api/v1/dashboard", "/api/v1/schedules?horizon_days=30", "/api/v1/findings?state=overdue"}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = srv.call(admin, "GET", path);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    std::cout << path << ": " << secs << " s, " << r.body.size() << " bytes\n";
    EXPECT_LT(secs, 2.0) << path;
  }
  auto d = parseJson(srv.call(admin, "GET", "/api/v1/dashboard").body);
  EXPECT_EQ(intOf(&d.at("systems").at("total")), 5000);
  EXPECT_EQ(str(d.at("systems").at("approved_ratio")), "4000/5000");
  EXPECT_EQ(d.at("agencies").as_array().size(), 50u);
  EXPECT_EQ(intOf(&d.at("coverage").at("workstations")), 80000);
}

}  // namespace
}  // namespace vigil::test
