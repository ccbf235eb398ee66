// Authenticator: logins (password, then TOTP when enrolled), sessions, API tokens, CSRF tokens,
// MFA enrolment and password changes. It turns a cookie or bearer token into a Principal whose
// Actor the Store uses for every access decision.
//
// Secrets at rest: passwords as Argon2id hashes; session tokens and API tokens as SHA-256 hashes
// (they are 256-bit random, so a fast hash is enough); TOTP seeds sealed with the master key,
// which lives in a file outside the database. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "auth/password.h"
#include "auth/rate_limiter.h"
#include "core/clock.h"
#include "store/store.h"

namespace vigil::auth {

// The authenticated caller of a request.
struct Principal {
  Actor actor;
  User user;                 // with all role assignments
  std::string sessionToken;  // the raw cookie value (empty for API tokens)
  bool viaApiToken = false;
  bool passwordChangeRequired = false;
  bool mfaEnrollmentRequired = false;
};

struct LoginOutcome {
  bool mfaRequired = false;
  std::string mfaToken;      // when mfaRequired
  std::string sessionToken;  // otherwise
  User user;
};

struct MfaSetup {
  std::string secretBase32;
  std::string otpauthUri;
};

struct CreatedToken {
  ApiToken token;
  std::string secret;  // shown once
};

// Login attempts allowed per source address: a burst, then a steady rate.
struct LoginRateLimit {
  double burst = 10;
  double perMinute = 10;
};

class Authenticator {
 public:
  // `masterKey`: 32 bytes (see loadOrCreateMasterKey).
  Authenticator(Store& store, const Clock& clock, PasswordCost cost, std::string masterKey, LoginRateLimit limit = {});

  Result<LoginOutcome> login(const std::string& username, const std::string& password, const std::string& sourceIp);
  Result<LoginOutcome> completeMfa(const std::string& mfaToken, const std::string& code, const std::string& sourceIp);
  Status logout(const Principal& p);

  Result<Principal> authenticateSession(const std::string& token, const std::string& sourceIp);
  Result<Principal> authenticateApiToken(const std::string& secret, const std::string& sourceIp);

  // The CSRF token bound to a session: valid for that session only.
  std::string csrfTokenFor(const std::string& sessionToken) const;
  bool checkCsrf(const std::string& sessionToken, const std::string& presented) const;

  // Changes the caller's own password; all their sessions end and a new one is returned.
  Result<std::string> changeOwnPassword(const Principal& p, const std::string& current, const std::string& next);
  Result<MfaSetup> beginMfa(const Principal& p);
  Status confirmMfa(const Principal& p, const std::string& code);
  Status disableOwnMfa(const Principal& p, const std::string& password, const std::string& code);

  // Hashes a password that an administrator sets for an account whose roles are `roles`.
  // Policy errors name `field`.
  Result<std::string> hashForAccount(const std::string& password, const std::string& username,
                                     const std::vector<Role>& roles, bool mfaEnabled,
                                     const std::string& field = "password");
  Result<CreatedToken> createApiToken(const Actor& actor, const std::string& name, int64_t orgId, Role role, int days);

  // Disables accounts unused for the configured number of days; returns how many.
  Result<int> sweepInactiveAccounts();

  SecuritySettings settings();
  void invalidateSettings();

  static inline constexpr const char* kSessionCookie = "vigil_session";
  static inline constexpr const char* kTokenPrefix = "vgl_";

 private:
  Result<Principal> principalFor(int64_t userId, const std::string& sourceIp);
  // One login step from `sourceIp`; kTooManyRequests when the address is over its rate.
  Status throttle(const std::string& sourceIp, TimeMs now);
  bool mfaRequiredFor(const User& u, const SecuritySettings& s) const;
  Result<std::string> newSession(int64_t userId, const SecuritySettings& s);
  Status auditLogin(const Actor& who, const std::optional<User>& u, const std::string& result,
                    const std::string& detail);

  Store& store_;
  const Clock& clock_;
  const PasswordCost cost_;
  const std::string masterKey_;
  RateLimiter loginLimiter_;
  std::mutex settingsMu_;
  std::optional<SecuritySettings> settings_;  // GUARDED_BY(settingsMu_)
  TimeMs settingsLoadedAt_ = 0;               // GUARDED_BY(settingsMu_)
};

// Reads `<dataDir>/keys/master.key`, creating it (32 random bytes, mode 0600) when missing.
Result<std::string> loadOrCreateMasterKey(const std::string& dataDir);

}  // namespace vigil::auth
