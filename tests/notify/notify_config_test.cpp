// [notify] configuration and the notification permissions of the access policy.
#include <gtest/gtest.h>

#include <fstream>

#include "config/config.h"
#include "model/access.h"
#include "support/test_server.h"

namespace vigil {
namespace {

TEST(NotifyConfig, RetryDelaysFromTomlArrayOrTextAndBadValuesNameTheKey) {
  test::TempDir dir;
  const auto file = (dir.path() / "vigil.toml").string();
  std::ofstream(file) << "[notify]\nretry_delays_seconds = [30, 120]\nmax_attempts = 3\n"
                         "telegram_api_base = \"http://127.0.0.1:8081\"\npublic_url = \"https://vigil.tinh.gov.vn\"\n";
  auto c = loadConfig(file, {}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->notify.retryDelaysSeconds, (std::vector<int>{30, 120}));
  EXPECT_EQ(c->notify.maxAttempts, 3);
  EXPECT_EQ(c->notify.telegramApiBase, "http://127.0.0.1:8081");
  EXPECT_EQ(c->notify.publicUrl, "https://vigil.tinh.gov.vn");

  c = loadConfig("", {{"VIGIL_NOTIFY_RETRY_DELAYS_SECONDS", " 60, 300 ,900"}}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->notify.retryDelaysSeconds, (std::vector<int>{60, 300, 900}));
  EXPECT_EQ(loadConfig("", {}, {}).value().notify.retryDelaysSeconds, (std::vector<int>{60, 300, 900, 3600}));

  for (const char* bad : {"", "0", "60,x", "-5", "604801"}) {
    c = loadConfig("", {{"VIGIL_NOTIFY_RETRY_DELAYS_SECONDS", bad}}, {});
    ASSERT_FALSE(c.ok()) << "'" << bad << "'";
    EXPECT_NE(c.error().message.find("VIGIL_NOTIFY_RETRY_DELAYS_SECONDS"), std::string::npos) << c.error().message;
  }
  c = loadConfig("", {}, {{"notify.telegram_api_base", "http://api.telegram.org"}});
  ASSERT_FALSE(c.ok()) << "a bot token would travel in clear";
  EXPECT_EQ(c.error().field, "notify.telegram_api_base");
  EXPECT_FALSE(loadConfig("", {}, {{"notify.max_attempts", "0"}}).ok());
}

TEST(NotifyAccess, OnlyAdministratorsManageAndAuditorsAlsoRead) {
  for (Role r : allRoles()) {
    EXPECT_EQ(roleAllows(r, Permission::kManageNotifications), r == Role::kAdministrator) << roleName(r);
    EXPECT_EQ(roleAllows(r, Permission::kReadNotifications), r == Role::kAdministrator || r == Role::kAuditor)
        << roleName(r);
  }
}

}  // namespace
}  // namespace vigil
