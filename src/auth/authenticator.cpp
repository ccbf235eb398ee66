#include "auth/authenticator.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "auth/totp.h"
#include "core/crypto.h"

namespace vigil::auth {

namespace {
constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kMfaPendingMs = 5 * kMinute;
constexpr int64_t kTouchEveryMs = kMinute;
constexpr int64_t kSettingsTtlMs = 5000;

std::string tokenHash(const std::string& token) { return crypto::sha256Hex(token); }
std::string newToken() { return crypto::base64UrlEncode(crypto::randomBytes(32)); }

Actor attemptActor(const std::string& username, const std::string& ip) {
  Actor a;
  a.name = username;
  a.sourceIp = ip;
  return a;
}
}  // namespace

Authenticator::Authenticator(Store& store, const Clock& clock, PasswordCost cost, std::string masterKey,
                             LoginRateLimit limit)
    : store_(store),
      clock_(clock),
      cost_(cost),
      masterKey_(std::move(masterKey)),
      loginLimiter_(limit.burst, limit.perMinute / 60.0) {}

SecuritySettings Authenticator::settings() {
  std::lock_guard lock(settingsMu_);
  const TimeMs now = clock_.nowMs();
  if (!settings_ || now - settingsLoadedAt_ > kSettingsTtlMs) {
    auto s = store_.securitySettings();
    settings_ = s.ok() ? s.value() : SecuritySettings{};
    settingsLoadedAt_ = now;
  }
  return *settings_;
}

void Authenticator::invalidateSettings() {
  std::lock_guard lock(settingsMu_);
  settings_.reset();
}

bool Authenticator::mfaRequiredFor(const User& u, const SecuritySettings& s) const {
  for (const auto& r : u.roles)
    if (std::find(s.mfaRequiredRoles.begin(), s.mfaRequiredRoles.end(), r.role) != s.mfaRequiredRoles.end())
      return true;
  return false;
}

Status Authenticator::auditLogin(const Actor& who, const std::optional<User>& u, const std::string& result,
                                 const std::string& detail) {
  AuditEntry e{.action = "auth.login", .objectType = "session"};
  if (u) {
    e.actorId = u->id;
    e.objectId = std::to_string(u->id);
    e.orgId = u->orgId;
  }
  e.summary = detail.empty() ? "{}" : "{\"detail\":\"" + detail + "\"}";  // detail: fixed ASCII strings only
  e.result = result;
  return store_.appendAudit(who, e);
}

Result<std::string> Authenticator::newSession(int64_t userId, const SecuritySettings& s) {
  const std::string token = newToken();
  const TimeMs now = clock_.nowMs();
  Session sess{.tokenHash = tokenHash(token),
               .userId = userId,
               .kind = SessionKind::kSession,
               .createdAt = now,
               .lastSeenAt = now,
               .expiresAt = now + static_cast<int64_t>(s.sessionAbsoluteHours) * 60 * kMinute};
  VIGIL_TRY(store_.createSession(sess));
  return token;
}

Status Authenticator::throttle(const std::string& sourceIp, TimeMs now) {
  int64_t retry = 0;
  if (loginLimiter_.allow(sourceIp, now, &retry)) return {};
  Error e = Error::of(ErrorCode::kTooManyRequests, "too many login attempts from this address; wait and retry");
  e.retryAfterSeconds = retry;
  return e;
}

Result<LoginOutcome> Authenticator::login(const std::string& username, const std::string& password,
                                          const std::string& sourceIp) {
  const TimeMs now = clock_.nowMs();
  const Actor who = attemptActor(username, sourceIp);
  VIGIL_TRY(throttle(sourceIp, now));
  const SecuritySettings s = settings();
  (void)store_.disableInactiveUsers(now - static_cast<int64_t>(s.inactiveDays) * 24 * 60 * kMinute);
  auto creds = store_.credentialsByName(username);
  const Error wrong = Error::unauthenticated("wrong user name or password");
  if (!creds.ok()) {
    verifyDummy(password, cost_);
    (void)auditLogin(who, std::nullopt, "failure", "unknown user name");
    return wrong;
  }
  const User& u = creds->user;
  if (u.lockedUntil && *u.lockedUntil > now) {
    (void)auditLogin(who, u, "denied", "account locked");
    Error e = Error::of(ErrorCode::kAccountLocked,
                        "the account is locked after too many failed logins; try later "
                        "or ask an administrator to unlock it");
    e.retryAfterSeconds = (*u.lockedUntil - now + 999) / 1000;
    return e;
  }
  if (!verifyPassword(creds->passwordHash, password)) {
    auto count = store_.recordLoginFailure(who, u.id, s.lockoutThreshold,
                                           now + static_cast<int64_t>(s.lockoutMinutes) * kMinute);
    (void)auditLogin(who, u, "failure", "wrong password");
    if (count.ok() && *count >= s.lockoutThreshold) {
      Error e = Error::of(ErrorCode::kAccountLocked, "too many failed logins: the account is locked for " +
                                                         std::to_string(s.lockoutMinutes) + " minutes");
      e.retryAfterSeconds = static_cast<int64_t>(s.lockoutMinutes) * 60;
      return e;
    }
    return wrong;
  }
  if (u.disabled) {
    (void)auditLogin(who, u, "denied", u.disabledReason == "inactive" ? "disabled for inactivity" : "disabled");
    return Error::forbidden(u.disabledReason == "inactive"
                                ? "the account was disabled because it was not used for " +
                                      std::to_string(s.inactiveDays) + " days; ask an administrator to enable it"
                                : "the account is disabled; ask an administrator");
  }
  LoginOutcome out;
  out.user = u;
  if (u.mfaEnabled) {
    out.mfaRequired = true;
    out.mfaToken = newToken();
    Session pending{.tokenHash = tokenHash(out.mfaToken),
                    .userId = u.id,
                    .kind = SessionKind::kMfaPending,
                    .createdAt = now,
                    .lastSeenAt = now,
                    .expiresAt = now + kMfaPendingMs};
    VIGIL_TRY(store_.createSession(pending));
    return out;
  }
  VIGIL_TRY(store_.recordLoginSuccess(who, u.id));
  VIGIL_ASSIGN_OR_RETURN(out.sessionToken, newSession(u.id, s));
  (void)auditLogin(who, u, "success", "");
  return out;
}

Result<LoginOutcome> Authenticator::completeMfa(const std::string& mfaToken, const std::string& code,
                                                const std::string& sourceIp) {
  const TimeMs now = clock_.nowMs();
  const Error expired = Error::unauthenticated("the login step expired; enter your password again");
  auto sess = store_.findSession(tokenHash(mfaToken));
  if (!sess.ok() || sess->kind != SessionKind::kMfaPending) return expired;
  if (sess->expiresAt <= now) {
    (void)store_.deleteSession(sess->tokenHash);
    return expired;
  }
  VIGIL_ASSIGN_OR_RETURN(auto creds, store_.credentialsById(sess->userId));
  const Actor who = attemptActor(creds.user.username, sourceIp);
  VIGIL_TRY(throttle(sourceIp, now));
  const SecuritySettings s = settings();
  auto secret = crypto::open(masterKey_, creds.mfaSecretSealed);
  std::optional<int64_t> step;
  if (secret.ok()) step = matchTotp(*secret, code, now / 1000);
  bool fresh = false;
  if (step) {
    auto claimed = store_.claimTotpStep(creds.user.id, *step);
    fresh = claimed.ok() && *claimed;
  }
  if (!fresh) {
    (void)store_.recordLoginFailure(who, creds.user.id, s.lockoutThreshold,
                                    now + static_cast<int64_t>(s.lockoutMinutes) * kMinute);
    (void)auditLogin(who, creds.user, "failure", step ? "one-time code reused" : "wrong one-time code");
    return Error::unauthenticated("wrong or already used code");
  }
  (void)store_.deleteSession(sess->tokenHash);
  VIGIL_TRY(store_.recordLoginSuccess(who, creds.user.id));
  LoginOutcome out;
  out.user = creds.user;
  VIGIL_ASSIGN_OR_RETURN(out.sessionToken, newSession(creds.user.id, s));
  (void)auditLogin(who, creds.user, "success", "with one-time code");
  return out;
}

Status Authenticator::logout(const Principal& p) {
  if (p.sessionToken.empty()) return Error::badRequest("API tokens have no session to end; revoke the token instead");
  VIGIL_TRY(store_.deleteSession(tokenHash(p.sessionToken)));
  return store_.appendAudit(
      p.actor,
      {.action = "auth.logout", .objectType = "session", .objectId = std::to_string(p.user.id), .orgId = p.user.orgId});
}

Result<Principal> Authenticator::principalFor(int64_t userId, const std::string& sourceIp) {
  auto creds = store_.credentialsById(userId);
  if (!creds.ok()) return Error::unauthenticated("the account no longer exists");
  if (creds->user.disabled) return Error::unauthenticated("the account is disabled");
  Principal p;
  p.user = creds->user;
  p.actor.userId = userId;
  p.actor.name = p.user.username;
  p.actor.sourceIp = sourceIp;
  for (const auto& r : p.user.roles) p.actor.grants.push_back({r.orgId, r.orgPath, r.role});
  const SecuritySettings s = settings();
  p.passwordChangeRequired = p.user.mustChangePassword;
  p.mfaEnrollmentRequired = !p.user.mfaEnabled && mfaRequiredFor(p.user, s);
  return p;
}

Result<Principal> Authenticator::authenticateSession(const std::string& token, const std::string& sourceIp) {
  const Error bad = Error::unauthenticated("not logged in, or the session has expired");
  if (token.empty() || token.size() > 128) return bad;
  const std::string hash = tokenHash(token);
  auto sess = store_.findSession(hash);
  if (!sess.ok() || sess->kind != SessionKind::kSession) return bad;
  const TimeMs now = clock_.nowMs();
  const SecuritySettings s = settings();
  if (sess->expiresAt <= now || sess->lastSeenAt + static_cast<int64_t>(s.sessionIdleMinutes) * kMinute <= now) {
    (void)store_.deleteSession(hash);
    return bad;
  }
  if (now - sess->lastSeenAt >= kTouchEveryMs) (void)store_.touchSession(hash, now);
  VIGIL_ASSIGN_OR_RETURN(Principal p, principalFor(sess->userId, sourceIp));
  p.sessionToken = token;
  return p;
}

Result<Principal> Authenticator::authenticateApiToken(const std::string& secret, const std::string& sourceIp) {
  const Error bad = Error::unauthenticated("unknown, expired or revoked API token");
  if (secret.rfind(kTokenPrefix, 0) != 0 || secret.size() > 128) return bad;
  auto t = store_.findTokenByHash(tokenHash(secret));
  const TimeMs now = clock_.nowMs();
  if (!t.ok() || t->revoked || t->expiresAt <= now) return bad;
  if (!t->lastUsedAt || now - *t->lastUsedAt >= kTouchEveryMs) (void)store_.touchToken(t->id, now);
  Principal p;
  p.viaApiToken = true;
  p.actor.tokenId = t->id;
  p.actor.name = "token:" + t->name;
  p.actor.sourceIp = sourceIp;
  p.actor.grants.push_back({t->orgId, t->orgPath, t->role});
  p.user.username = p.actor.name;
  p.user.displayName = t->name;
  p.user.orgId = t->orgId;
  p.user.roles.push_back({t->orgId, "", t->orgPath, t->role});
  return p;
}

std::string Authenticator::csrfTokenFor(const std::string& sessionToken) const {
  return crypto::base64UrlEncode(crypto::hmacSha256(masterKey_, "csrf|" + sessionToken));
}

bool Authenticator::checkCsrf(const std::string& sessionToken, const std::string& presented) const {
  return !presented.empty() && crypto::equalConstantTime(csrfTokenFor(sessionToken), presented);
}

Result<std::string> Authenticator::changeOwnPassword(const Principal& p, const std::string& current,
                                                     const std::string& next) {
  if (p.viaApiToken) return Error::forbidden("API tokens have no password");
  VIGIL_ASSIGN_OR_RETURN(auto creds, store_.credentialsById(p.user.id));
  if (!verifyPassword(creds.passwordHash, current))
    return Error::validation("current_password", "the current password is wrong");
  if (current == next) return Error::validation("new_password", "must differ from the current password");
  const SecuritySettings s = settings();
  VIGIL_TRY(
      checkPasswordPolicy(next, p.user.mfaEnabled || mfaRequiredFor(p.user, s), s, p.user.username, "new_password"));
  VIGIL_ASSIGN_OR_RETURN(auto hash, hashPassword(next, cost_));
  VIGIL_TRY(store_.setPassword(p.actor, p.user.id, hash, false));
  return newSession(p.user.id, s);
}

Result<MfaSetup> Authenticator::beginMfa(const Principal& p) {
  if (p.viaApiToken) return Error::forbidden("API tokens cannot use two-step login");
  if (p.user.mfaEnabled) return Error::conflict("two-step login is already on; disable it first to change devices");
  const std::string secret = crypto::randomBytes(20);
  VIGIL_TRY(store_.setPendingMfa(p.actor, p.user.id, crypto::seal(masterKey_, secret)));
  MfaSetup out;
  out.secretBase32 = crypto::base32Encode(secret);
  out.otpauthUri = otpauthUri("vigil", p.user.username, out.secretBase32);
  return out;
}

Status Authenticator::confirmMfa(const Principal& p, const std::string& code) {
  if (p.viaApiToken) return Error::forbidden("API tokens cannot use two-step login");
  VIGIL_ASSIGN_OR_RETURN(auto creds, store_.credentialsById(p.user.id));
  if (creds.mfaPendingSecretSealed.empty()) return Error::conflict("start two-step login set-up first");
  VIGIL_ASSIGN_OR_RETURN(auto secret, crypto::open(masterKey_, creds.mfaPendingSecretSealed));
  auto step = matchTotp(secret, code, clock_.nowSeconds());
  if (!step) return Error::validation("code", "the code does not match; check the device's clock and try again");
  return store_.enableMfa(p.actor, p.user.id, *step);
}

Status Authenticator::disableOwnMfa(const Principal& p, const std::string& password, const std::string& code) {
  if (p.viaApiToken) return Error::forbidden("API tokens cannot use two-step login");
  if (!p.user.mfaEnabled) return Error::conflict("two-step login is not on");
  if (mfaRequiredFor(p.user, settings())) return Error::conflict("your role requires two-step login");
  VIGIL_ASSIGN_OR_RETURN(auto creds, store_.credentialsById(p.user.id));
  if (!verifyPassword(creds.passwordHash, password)) return Error::validation("password", "the password is wrong");
  VIGIL_ASSIGN_OR_RETURN(auto secret, crypto::open(masterKey_, creds.mfaSecretSealed));
  auto step = matchTotp(secret, code, clock_.nowSeconds());
  if (!step) return Error::validation("code", "the code does not match");
  VIGIL_ASSIGN_OR_RETURN(bool fresh, store_.claimTotpStep(p.user.id, *step));
  if (!fresh) return Error::validation("code", "this code was already used; wait for the next one");
  return store_.disableMfa(p.actor, p.user.id);
}

Result<std::string> Authenticator::hashForAccount(const std::string& password, const std::string& username,
                                                  const std::vector<Role>& roles, bool mfaEnabled,
                                                  const std::string& field) {
  const SecuritySettings s = settings();
  bool withMfa = mfaEnabled;
  for (Role r : roles)
    if (std::find(s.mfaRequiredRoles.begin(), s.mfaRequiredRoles.end(), r) != s.mfaRequiredRoles.end()) withMfa = true;
  VIGIL_TRY(checkPasswordPolicy(password, withMfa, s, username, field));
  return hashPassword(password, cost_);
}

Result<CreatedToken> Authenticator::createApiToken(const Actor& actor, const std::string& name, int64_t orgId,
                                                   Role role, int days) {
  CreatedToken out;
  out.secret = std::string(kTokenPrefix) + newToken();
  TokenDraft d{.name = name,
               .orgId = orgId,
               .role = role,
               .expiresAt = clock_.nowMs() + static_cast<int64_t>(days) * 24 * 60 * kMinute,
               .secretHash = tokenHash(out.secret),
               .prefix = out.secret.substr(0, 10)};
  VIGIL_ASSIGN_OR_RETURN(out.token, store_.createToken(actor, d));
  return out;
}

Result<int> Authenticator::sweepInactiveAccounts() {
  const SecuritySettings s = settings();
  return store_.disableInactiveUsers(clock_.nowMs() - static_cast<int64_t>(s.inactiveDays) * 24 * 60 * kMinute);
}

Result<std::string> loadOrCreateMasterKey(const std::string& dataDir) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(dataDir) / "keys";
  const fs::path file = dir / "master.key";
  std::error_code ec;
  if (fs::exists(file, ec)) {
    std::ifstream in(file, std::ios::binary);
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (key.size() != 32) return Error::internal(file.string() + " is damaged (expected 32 bytes)");
    return key;
  }
  fs::create_directories(dir, ec);
  if (ec) return Error::internal("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  const std::string key = crypto::randomBytes(32);
  const fs::path tmp = dir / "master.key.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(key.data(), static_cast<std::streamsize>(key.size()));
    if (!out) return Error::internal("cannot write " + tmp.string());
  }
  ::chmod(tmp.c_str(), 0600);
  fs::rename(tmp, file, ec);
  if (ec) return Error::internal("cannot create " + file.string() + ": " + ec.message());
  return key;
}

}  // namespace vigil::auth
