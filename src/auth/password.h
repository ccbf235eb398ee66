// Password hashing (Argon2id through libsodium) and the password policy. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "model/model.h"

namespace vigil::auth {

struct PasswordCost {
  int64_t opslimit = 2;
  int64_t memlimitKib = 19456;
};

// A self-describing "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string.
Result<std::string> hashPassword(std::string_view password, const PasswordCost& cost);
bool verifyPassword(const std::string& hash, std::string_view password);
// Spends the time of one verification without a real hash, so that an unknown user name takes
// as long to refuse as a wrong password.
void verifyDummy(std::string_view password, const PasswordCost& cost);

// Checks a new password against the policy: at least `passwordMinLengthWithMfa` characters when
// the account has (or must have) MFA, otherwise `passwordMinLengthWithoutMfa`; at most 1024 bytes;
// not the user name; valid UTF-8 without control characters.
// Errors name `field`, the request field that carried the password.
Status checkPasswordPolicy(std::string_view password, bool withMfa, const SecuritySettings& s,
                           std::string_view username, const std::string& field = "password");

}  // namespace vigil::auth
