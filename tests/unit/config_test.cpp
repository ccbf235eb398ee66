#include "config/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_server.h"

namespace vigil {
namespace {

TEST(Config, DefaultsAreSafe) {
  auto c = loadConfig("", {}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.listen, "127.0.0.1:8080");
  EXPECT_FALSE(c->tls.enabled);
  EXPECT_EQ(c->store.dataDir, "./var");
  EXPECT_EQ(c->http.maxBodyBytes, 1 << 20);
}

TEST(Config, FileThenEnvironmentThenFlags) {
  test::TempDir dir;
  const auto file = (dir.path() / "vigil.toml").string();
  std::ofstream(file) << "[server]\nlisten = \"127.0.0.1:9000\"\nio_threads = 3\n[log]\nformat = \"json\"\n";
  auto c = loadConfig(file, {{"VIGIL_SERVER_LISTEN", "127.0.0.1:9001"}}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.listen, "127.0.0.1:9001");
  EXPECT_EQ(c->server.ioThreads, 3);
  EXPECT_EQ(c->log.format, "json");
  c = loadConfig(file, {{"VIGIL_SERVER_LISTEN", "127.0.0.1:9001"}}, {{"server.listen", "127.0.0.1:9002"}});
  EXPECT_EQ(c->server.listen, "127.0.0.1:9002");
}

TEST(Config, ErrorsNameTheKeyAndWhereItCameFrom) {
  test::TempDir dir;
  const auto file = (dir.path() / "vigil.toml").string();
  std::ofstream(file) << "[http]\nmax_body_bytes = \"big\"\n";
  auto c = loadConfig(file, {}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("http.max_body_bytes"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find(file), std::string::npos) << c.error().message;

  std::ofstream(file) << "[server]\nlisen = \"x\"\n";
  c = loadConfig(file, {}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("server.lisen"), std::string::npos);

  std::ofstream(file) << "[server\nlisten=";
  c = loadConfig(file, {}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(":1:"), std::string::npos) << "syntax errors carry a line: " << c.error().message;

  c = loadConfig("", {{"VIGIL_LOG_LEVEL", "loud"}}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("VIGIL_LOG_LEVEL"), std::string::npos);
  c = loadConfig("", {{"VIGIL_NOPE_X", "1"}}, {});
  ASSERT_FALSE(c.ok());
  c = loadConfig("", {}, {{"http.max_connections", "0"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("between"), std::string::npos);
}

// [events]: retention per agency as a TOML table or as "id=days" text in the environment; bad
// pairs are refused naming the key and the pair.
TEST(Config, EventRetentionPerAgency) {
  test::TempDir dir;
  const auto file = (dir.path() / "vigil.toml").string();
  std::ofstream(file) << "[events]\nretention_days = 365\nretention_max_bytes = 1000000000\n"
                         "[events.agency_retention_days]\n12 = 730\n15 = 180\n";
  auto c = loadConfig(file, {}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->events.retentionDays, 365);
  EXPECT_EQ(c->events.retentionMaxBytes, 1000000000);
  EXPECT_EQ(c->events.agencyRetentionDays, (std::map<int64_t, int64_t>{{12, 730}, {15, 180}}));
  EXPECT_EQ(c->events.retentionIntervalSeconds, 3600);

  c = loadConfig("", {{"VIGIL_EVENTS_AGENCY_RETENTION_DAYS", " 3=30 , 4 = 60"}}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->events.agencyRetentionDays, (std::map<int64_t, int64_t>{{3, 30}, {4, 60}}));

  for (const char* bad : {"3", "3=x", "0=30", "3=0", "3=30,3=40", "a=1"}) {
    c = loadConfig("", {{"VIGIL_EVENTS_AGENCY_RETENTION_DAYS", bad}}, {});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.error().message.find("VIGIL_EVENTS_AGENCY_RETENTION_DAYS"), std::string::npos) << c.error().message;
  }
  std::ofstream(file) << "[server.listen]\nx = 1\n";
  c = loadConfig(file, {}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("server.listen"), std::string::npos) << c.error().message;
  c = loadConfig("", {}, {{"events.max_queued_bytes", "1000"}});
  ASSERT_FALSE(c.ok()) << "a queue under 1 MiB is refused";
}

TEST(Config, PublicAddressNeedsTlsOrExplicitConsent) {
  auto c = loadConfig("", {}, {{"server.listen", "0.0.0.0:8080"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().field, "server.listen");
  EXPECT_TRUE(loadConfig("", {}, {{"server.listen", "0.0.0.0:8080"}, {"tls.enabled", "true"}}).ok());
  EXPECT_TRUE(loadConfig("", {}, {{"server.listen", "0.0.0.0:8080"}, {"server.allow_insecure_public", "true"}}).ok());
  EXPECT_TRUE(loadConfig("", {}, {{"server.listen", "[::1]:8080"}}).ok());
  EXPECT_FALSE(loadConfig("", {}, {{"server.listen", "127.0.0.1:99999"}}).ok());
  EXPECT_FALSE(loadConfig("", {}, {{"server.listen", "localhost"}}).ok());
  EXPECT_FALSE(loadConfig("", {}, {{"tls.cert_file", "a.pem"}}).ok()) << "a certificate needs its key";
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// The alert queue's section: file, environment and flags; bounds named in the error.
TEST(Config, AlertsSection) {
  test::TempDir dir;
  const auto file = (dir.path() / "vigil.toml").string();
  std::ofstream(file) << "[alerts]\ndedup_window_minutes = 60\n";
  auto c = loadConfig(file, {{"VIGIL_ALERTS_MAX_WAITERS", "0"}}, {{"alerts.silent_check_seconds", "30"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->alerts.dedupWindowMinutes, 60);
  EXPECT_EQ(c->alerts.maxWaiters, 0);
  EXPECT_EQ(c->alerts.silentCheckSeconds, 30);
  EXPECT_EQ(loadConfig("", {}, {}).value().alerts.dedupWindowMinutes, 1440);
  auto bad = loadConfig("", {}, {{"alerts.silent_check_seconds", "1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("alerts.silent_check_seconds"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// Live detection's section: rules_dirs as a TOML list, a comma list in the environment, an empty
// list (no directory) distinct from unset (the shipped rules); bad values named.
TEST(Config, DetectSection) {
  test::TempDir dir;
  const auto file = (dir.path() / "vigil.toml").string();
  std::ofstream(file) << "[detect]\nrules_dirs = [\"/etc/vigil/rules\", \"/srv/sigma\"]\nthreads = 2\n";
  auto c = loadConfig(file, {{"VIGIL_DETECT_QUEUE_WAIT_MS", "50"}}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->detect.rulesDirs.has_value());
  EXPECT_EQ(*c->detect.rulesDirs, (std::vector<std::string>{"/etc/vigil/rules", "/srv/sigma"}));
  EXPECT_EQ(c->detect.threads, 2);
  EXPECT_EQ(c->detect.queueWaitMs, 50);

  const auto defaults = loadConfig("", {}, {}).value();
  EXPECT_TRUE(defaults.detect.enabled);
  EXPECT_FALSE(defaults.detect.rulesDirs.has_value()) << "unset: the shipped rules directory";
  auto env = loadConfig("", {{"VIGIL_DETECT_RULES_DIRS", "/a, /b"}}, {});
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(*env->detect.rulesDirs, (std::vector<std::string>{"/a", "/b"}));
  auto none = loadConfig("", {}, {{"detect.rules_dirs", ""}});
  ASSERT_TRUE(none.ok());
  ASSERT_TRUE(none->detect.rulesDirs.has_value());
  EXPECT_TRUE(none->detect.rulesDirs->empty());

  std::ofstream(file) << "[detect]\nrules_dirs = [\"/a\", 3]\n";
  auto mixed = loadConfig(file, {}, {});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message.find("list of strings"), std::string::npos) << mixed.error().message;
  auto bad = loadConfig("", {}, {{"detect.queue_events", "10"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().field.find("detect.queue_events"), std::string::npos);
}

}  // namespace
}  // namespace vigil
