#include "auth/password.h"

#include <sodium.h>

#include <mutex>

#include "core/text.h"

namespace vigil::auth {

Result<std::string> hashPassword(std::string_view password, const PasswordCost& cost) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), static_cast<unsigned long long>(cost.opslimit),
                            static_cast<size_t>(cost.memlimitKib) * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Error::internal("password hashing ran out of memory");
  return std::string(out);
}

bool verifyPassword(const std::string& hash, std::string_view password) {
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verifyDummy(std::string_view password, const PasswordCost& cost) {
  static std::once_flag once;
  static std::string dummy;
  std::call_once(once, [&] {
    auto h = hashPassword("vigil-dummy-password", cost);
    dummy = h.ok() ? h.value() : std::string();
  });
  (void)verifyPassword(dummy, password);
}

Status checkPasswordPolicy(std::string_view password, bool withMfa, const SecuritySettings& s,
                           std::string_view username, const std::string& field) {
  if (!text::isValidUtf8(password) || text::hasControlChars(password))
    return Error::validation(field, "must be valid text without control characters");
  if (password.size() > 1024) return Error::validation(field, "must be at most 1024 bytes");
  const size_t min = static_cast<size_t>(withMfa ? s.passwordMinLengthWithMfa : s.passwordMinLengthWithoutMfa);
  if (text::codePoints(password) < min)
    return Error::validation(field, "must have at least " + std::to_string(min) + " characters" +
                                        (withMfa ? "" : " for an account without two-step login (MFA)"));
  if (text::asciiLower(password) == text::asciiLower(username))
    return Error::validation(field, "must not be the user name");
  return {};
}

}  // namespace vigil::auth
