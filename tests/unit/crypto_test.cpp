#include "core/crypto.h"

#include <gtest/gtest.h>

#include "auth/totp.h"

namespace vigil {
namespace {

TEST(Crypto, Sha256KnownAnswer) {
  EXPECT_EQ(crypto::sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Base32RoundTripAndRfc4648Vectors) {
  EXPECT_EQ(crypto::base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(crypto::base32Encode("f"), "MY");
  EXPECT_EQ(*crypto::base32Decode("MZXW6YTBOI"), "foobar");
  EXPECT_EQ(*crypto::base32Decode("mzxw6ytboi======"), "foobar");
  EXPECT_FALSE(crypto::base32Decode("MZ1!").has_value());
  const std::string bytes = crypto::randomBytes(20);
  EXPECT_EQ(*crypto::base32Decode(crypto::base32Encode(bytes)), bytes);
}

TEST(Crypto, SealOpensOnlyWithTheSameKeyAndUntamperedData) {
  ASSERT_TRUE(crypto::initCrypto().ok());
  const std::string key = crypto::randomBytes(32);
  const std::string sealed = crypto::seal(key, "totp seed");
  EXPECT_EQ(*crypto::open(key, sealed), "totp seed");
  EXPECT_FALSE(crypto::open(crypto::randomBytes(32), sealed).ok());
  std::string tampered = sealed;
  tampered.back() ^= 1;
  EXPECT_FALSE(crypto::open(key, tampered).ok());
  EXPECT_FALSE(crypto::open(key, "short").ok());
}

TEST(Crypto, ConstantTimeEquality) {
  EXPECT_TRUE(crypto::equalConstantTime("abc", "abc"));
  EXPECT_FALSE(crypto::equalConstantTime("abc", "abd"));
  EXPECT_FALSE(crypto::equalConstantTime("abc", "abcd"));
}

// RFC 6238 appendix B, SHA-1 rows (8-digit codes there; the last 6 digits are the 6-digit code).
TEST(Totp, Rfc6238Vectors) {
  const std::string secret = "12345678901234567890";
  struct Case {
    int64_t time;
    const char* code;
  } cases[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
               {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
  for (const auto& c : cases) EXPECT_EQ(auth::totpCode(secret, c.time / 30), c.code) << c.time;
}

TEST(Totp, MatchesWithinOneStepOnly) {
  const std::string secret = "12345678901234567890";
  const int64_t now = 1111111111;
  EXPECT_EQ(auth::matchTotp(secret, auth::totpCode(secret, now / 30 - 1), now), now / 30 - 1);
  EXPECT_FALSE(auth::matchTotp(secret, auth::totpCode(secret, now / 30 - 2), now).has_value());
  EXPECT_FALSE(auth::matchTotp(secret, "12345", now).has_value());
}

TEST(Totp, OtpauthUriIsWhatAuthenticatorAppsRead) {
  EXPECT_EQ(auth::otpauthUri("vigil", "nguyen van a", "ABC"),
            "otpauth://totp/vigil:nguyen%20van%20a?secret=ABC&issuer=vigil&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace vigil
