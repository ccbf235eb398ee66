// Password hashing and policy, the per-address rate limiter, and the audit hash chain.
#include <gtest/gtest.h>

#include "audit/chain.h"
#include "auth/password.h"
#include "auth/rate_limiter.h"
#include "core/crypto.h"

namespace vigil {
namespace {

TEST(Password, Argon2idHashesVerifyAndDiffer) {
  ASSERT_TRUE(crypto::initCrypto().ok());
  auto h1 = auth::hashPassword("Mật khẩu rất dài 2026", {1, 8});
  auto h2 = auth::hashPassword("Mật khẩu rất dài 2026", {1, 8});
  ASSERT_TRUE(h1.ok() && h2.ok());
  EXPECT_EQ(h1->rfind("$argon2id$", 0), 0u) << *h1;
  EXPECT_NE(*h1, *h2) << "salted";
  EXPECT_TRUE(auth::verifyPassword(*h1, "Mật khẩu rất dài 2026"));
  EXPECT_FALSE(auth::verifyPassword(*h1, "Mật khẩu rất dài 2025"));
  EXPECT_FALSE(auth::verifyPassword("", "x"));
}

TEST(Password, PolicyFollowsTheNationalBaseline) {
  SecuritySettings s;
  EXPECT_TRUE(auth::checkPasswordPolicy("8chars!!", true, s, "user").ok());
  EXPECT_FALSE(auth::checkPasswordPolicy("7chars!", true, s, "user").ok());
  EXPECT_FALSE(auth::checkPasswordPolicy("thirteen-char", false, s, "user").ok());
  EXPECT_TRUE(auth::checkPasswordPolicy("fourteen-chars", false, s, "user").ok());
  EXPECT_TRUE(auth::checkPasswordPolicy("Mật khẩu 14 ký", false, s, "user").ok()) << "counted in characters";
  EXPECT_FALSE(auth::checkPasswordPolicy("nguyen.van.an.1", false, s, "Nguyen.Van.An.1").ok());
  EXPECT_FALSE(auth::checkPasswordPolicy(std::string("with\nnewline-x"), true, s, "u").ok());
  EXPECT_FALSE(auth::checkPasswordPolicy("\xff\xfe-not-utf8-at-all", true, s, "u").ok());
  auto e = auth::checkPasswordPolicy("short", false, s, "u");
  EXPECT_EQ(e.error().field, "password");
}

TEST(RateLimiter, BurstThenSteadyRatePerKey) {
  auth::RateLimiter rl(3, 1.0);  // 3 at once, then 1 per second
  int64_t retry = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rl.allow("10.0.0.1", 0));
  EXPECT_FALSE(rl.allow("10.0.0.1", 0, &retry));
  EXPECT_EQ(retry, 1);
  EXPECT_TRUE(rl.allow("10.0.0.2", 0)) << "keys are independent";
  EXPECT_TRUE(rl.allow("10.0.0.1", 1000));
  EXPECT_FALSE(rl.allow("10.0.0.1", 1000));
}

TEST(RateLimiter, MemoryStaysBounded) {
  auth::RateLimiter rl(1, 1.0, 100);
  for (int i = 0; i < 10000; ++i) rl.allow("k" + std::to_string(i), i);
  EXPECT_TRUE(rl.allow("fresh", 10001));
}

TEST(AuditChain, AnyFieldChangeBreaksTheLink) {
  AuditEntry e{.id = 1,
               .time = 1000,
               .actorId = 2,
               .actor = "admin",
               .sourceIp = "127.0.0.1",
               .action = "org.create",
               .objectType = "org",
               .objectId = "5",
               .orgId = 5,
               .summary = "{\"name\":\"Sở\"}",
               .result = "success"};
  e.prevHash = audit::kGenesisHash;
  e.hash = audit::entryHash(e, e.prevHash);
  EXPECT_EQ(audit::checkLink(e, audit::kGenesisHash), "");
  AuditEntry changed = e;
  changed.summary = "{\"name\":\"Sờ\"}";
  EXPECT_NE(audit::checkLink(changed, audit::kGenesisHash), "");
  changed = e;
  changed.orgId.reset();
  EXPECT_NE(audit::checkLink(changed, audit::kGenesisHash), "");
  EXPECT_NE(audit::checkLink(e, std::string(64, '1')), "") << "wrong previous link";
  // Field boundaries are unambiguous: moving text between fields changes the hash.
  AuditEntry a = e, b = e;
  a.actor = "ad";
  a.sourceIp = "min127.0.0.1";
  b.actor = "admin";
  b.sourceIp = "127.0.0.1";
  EXPECT_NE(audit::entryHash(a, e.prevHash), audit::entryHash(b, e.prevHash));
}

}  // namespace
}  // namespace vigil
