// Authentication through the API: login answers, lockout, one-time codes (MFA), forced steps,
// password policy, sessions ending on password change, inactivity, cookie attributes, disabled
// accounts and logout. Each test has its own server so that the clock can move freely.
#include "api_test_util.h"

namespace vigil::test {
namespace {

constexpr const char* kFirst = "Officer-password-123";       // what createUser sets
constexpr const char* kSecond = "Officer-password-123-new";  // what userSession ends with
constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;

HttpResult loginRaw(TestServer& srv, const std::string& user, const std::string& password) {
  return srv.client().request("POST", "/api/v1/auth/login", body({{"username", user}, {"password", password}}));
}

HttpResult mfaRaw(TestServer& srv, const std::string& mfaToken, const std::string& code) {
  return srv.client().request("POST", "/api/v1/auth/mfa", body({{"mfa_token", mfaToken}, {"code", code}}));
}

Session sessionFrom(TestServer& srv, const HttpResult& r) {
  Session s;
  const std::string cookie = r.header("set-cookie");
  s.cookie = cookie.substr(0, cookie.find(';'));
  s.csrf = jsonField(srv.call(s, "GET", "/api/v1/me").body, "csrf_token");
  return s;
}

// The cookie attributes of a Set-Cookie value, lower-cased names ("httponly", "samesite", ...).
std::map<std::string, std::string> cookieAttributes(const std::string& setCookie) {
  std::map<std::string, std::string> out;
  size_t i = setCookie.find(';');
  while (i != std::string::npos && i < setCookie.size()) {
    size_t j = setCookie.find(';', i + 1);
    std::string part = setCookie.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    auto eq = part.find('=');
    std::string name = part.substr(0, eq);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[name] = eq == std::string::npos ? "" : part.substr(eq + 1);
    i = j;
  }
  return out;
}

class AuthApi : public ::testing::Test {
 protected:
  void SetUp() override { srv_.admin(); }

  // A unit_officer who has changed the first password (to kSecond) and enrolled MFA.
  std::pair<Session, std::string> officerWithMfa(const std::string& name) {
    Session s = srv_.userSession(name, 1, "unit_officer");
    std::string secret = srv_.enrollMfa(s);
    return {s, secret};
  }
  int64_t userId(const std::string& username) {
    auto items = itemsOf(srv_.call(srv_.admin(), "GET", "/api/v1/users?q=" + username).body);
    for (const auto& u : items)
      if (str(u.at("username")) == username) return intOf(member(u, "id"));
    ADD_FAILURE() << "no user " << username;
    return 0;
  }
  json::value userAsAdmin(int64_t id) {
    return parseJson(srv_.call(srv_.admin(), "GET", "/api/v1/users/" + std::to_string(id)).body);
  }

  TestServer srv_;
};

// --- Password step ---------------------------------------------------------------------------------

TEST_F(AuthApi, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  auto wrong = loginRaw(srv_, "admin", "not-the-password");
  auto unknown = loginRaw(srv_, "khong.ton.tai", "not-the-password");
  EXPECT_TRUE(isError(wrong, 401, "unauthenticated"));
  EXPECT_TRUE(isError(unknown, 401, "unauthenticated"));
  EXPECT_EQ(errorMessage(wrong), errorMessage(unknown));
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_TRUE(wrong.header("set-cookie").empty());
}

TEST_F(AuthApi, FiveFailuresLockTheAccountFor15Minutes) {
  const int64_t id = srv_.createUser(srv_.admin(), "khoa.tai.khoan", 1, "unit_officer");
  for (int i = 1; i <= 4; ++i)
    EXPECT_TRUE(isError(loginRaw(srv_, "khoa.tai.khoan", "sai-" + std::to_string(i)), 401, "unauthenticated")) << i;
  auto fifth = loginRaw(srv_, "khoa.tai.khoan", "sai-5");
  EXPECT_TRUE(fifth.status == 401 || fifth.status == 423) << describe(fifth);

  // Locked: even the right password is refused, with the time to wait.
  auto locked = loginRaw(srv_, "khoa.tai.khoan", kFirst);
  ASSERT_TRUE(isError(locked, 423, "account_locked"));
  const int64_t retry =
      intOf(member(*member(*member(parseJson(locked.body), "error"), "details"), "retry_after_seconds"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 15 * 60);
  EXPECT_EQ(locked.header("retry-after"), std::to_string(retry));
  EXPECT_FALSE(userAsAdmin(id).at("locked_until").is_null());

  srv_.clock().advanceMs(14 * kMinute);
  auto stillLocked = loginRaw(srv_, "khoa.tai.khoan", kFirst);
  EXPECT_TRUE(isError(stillLocked, 423, "account_locked"));
  EXPECT_LE(std::atoi(stillLocked.header("retry-after").c_str()), 60);

  srv_.clock().advanceMs(kMinute + 1000);
  EXPECT_EQ(loginRaw(srv_, "khoa.tai.khoan", kFirst).status, 200) << "unlocked after 15 minutes";
}

TEST_F(AuthApi, AdministratorUnlockEndsTheLockout) {
  const int64_t id = srv_.createUser(srv_.admin(), "quen.mat.khau", 1, "unit_officer");
  for (int i = 0; i < 5; ++i) loginRaw(srv_, "quen.mat.khau", "sai");
  ASSERT_TRUE(isError(loginRaw(srv_, "quen.mat.khau", kFirst), 423, "account_locked"));
  auto unlock = srv_.call(srv_.admin(), "POST", "/api/v1/users/" + std::to_string(id) + "/unlock");
  EXPECT_EQ(unlock.status, 204) << unlock.body;
  EXPECT_TRUE(userAsAdmin(id).at("locked_until").is_null());
  EXPECT_EQ(loginRaw(srv_, "quen.mat.khau", kFirst).status, 200);
  EXPECT_EQ(str(newestAudit(srv_, srv_.admin()).at("action")), "auth.login");
  bool recorded = false;
  for (const auto& e : allAudit(srv_, srv_.admin(), "&action=user.unlock"))
    recorded |= str(e.at("object_id")) == std::to_string(id);
  EXPECT_TRUE(recorded);
}

// --- One-time codes --------------------------------------------------------------------------------

TEST_F(AuthApi, OneTimeCodeCannotBeReplayed) {
  auto [s, secret] = officerWithMfa("mot.lan");
  srv_.nextTotpStep();
  auto first = loginRaw(srv_, "mot.lan", kSecond);
  ASSERT_EQ(jsonField(first.body, "status"), "mfa_required") << first.body;
  EXPECT_TRUE(first.header("set-cookie").empty()) << "no session before the second step";
  const std::string code = srv_.totpNow(secret);
  auto ok = mfaRaw(srv_, jsonField(first.body, "mfa_token"), code);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(jsonField(ok.body, "status"), "ok");

  auto again = loginRaw(srv_, "mot.lan", kSecond);
  ASSERT_EQ(jsonField(again.body, "status"), "mfa_required");
  auto replay = mfaRaw(srv_, jsonField(again.body, "mfa_token"), code);
  EXPECT_TRUE(isError(replay, 401, "unauthenticated")) << "the same code twice";
  EXPECT_TRUE(replay.header("set-cookie").empty());

  srv_.nextTotpStep();
  EXPECT_EQ(mfaRaw(srv_, jsonField(again.body, "mfa_token"), srv_.totpNow(secret)).status, 200)
      << "the next code works";
}

TEST_F(AuthApi, WrongOneTimeCodeIs401AndCountsTowardsLockout) {
  auto [s, secret] = officerWithMfa("ma.sai");
  srv_.nextTotpStep();
  const std::string right = srv_.totpNow(secret);
  const std::string wrong = right == "000000" ? "111111" : "000000";
  auto step1 = loginRaw(srv_, "ma.sai", kSecond);
  const std::string token = jsonField(step1.body, "mfa_token");
  for (const std::string& code : {wrong, std::string("abcdef"), std::string("")}) {
    auto r = mfaRaw(srv_, token, code);
    EXPECT_TRUE(r.status == 401 || r.status == 400) << describe(r);
    EXPECT_TRUE(r.header("set-cookie").empty());
  }
  EXPECT_TRUE(isError(mfaRaw(srv_, "made-up-token", right), 401, "unauthenticated"));
  // Five wrong codes lock the account like five wrong passwords.
  for (int i = 0; i < 5; ++i) mfaRaw(srv_, token, wrong);
  EXPECT_TRUE(isError(loginRaw(srv_, "ma.sai", kSecond), 423, "account_locked"));
}

TEST_F(AuthApi, MfaTokenLivesFiveMinutesAndIsNotASession) {
  auto [s, secret] = officerWithMfa("het.han");
  srv_.nextTotpStep();
  auto step1 = loginRaw(srv_, "het.han", kSecond);
  const std::string token = jsonField(step1.body, "mfa_token");
  ASSERT_FALSE(token.empty());
  // The pending token does not authenticate anything by itself.
  auto asCookie = srv_.client().request("GET", "/api/v1/me", "", {{"Cookie", "vigil_session=" + token}});
  EXPECT_TRUE(isError(asCookie, 401, "unauthenticated"));

  srv_.clock().advanceMs(5 * kMinute + 1000);
  EXPECT_TRUE(isError(mfaRaw(srv_, token, srv_.totpNow(secret)), 401, "unauthenticated")) << "expired after 5 min";

  auto fresh = loginRaw(srv_, "het.han", kSecond);
  srv_.clock().advanceMs(4 * kMinute + 30 * 1000);
  EXPECT_EQ(mfaRaw(srv_, jsonField(fresh.body, "mfa_token"), srv_.totpNow(secret)).status, 200)
      << "still valid after 4.5 min";
}

// --- Forced steps ----------------------------------------------------------------------------------

TEST_F(AuthApi, NewUserMustChangePasswordBeforeAnythingElse) {
  srv_.createUser(srv_.admin(), "nguoi.moi", 1, "unit_officer");
  Session s = srv_.login("nguoi.moi", kFirst);
  EXPECT_TRUE(isError(srv_.call(s, "GET", "/api/v1/orgs"), 403, "password_change_required"));
  EXPECT_TRUE(isError(srv_.call(s, "GET", "/api/v1/users/1"), 403, "password_change_required"));
  EXPECT_TRUE(isError(srv_.call(s, "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Sớm","kind":"unit"})"), 403,
                      "password_change_required"));
  auto me = srv_.call(s, "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(jsonField(me.body, "password_change_required"), "true");

  auto change =
      srv_.call(s, "POST", "/api/v1/me/password", body({{"current_password", kFirst}, {"new_password", kSecond}}));
  ASSERT_EQ(change.status, 204) << change.body;
  Session after = sessionFrom(srv_, change);
  EXPECT_EQ(srv_.call(after, "GET", "/api/v1/orgs").status, 200);
  EXPECT_EQ(jsonField(srv_.call(after, "GET", "/api/v1/me").body, "password_change_required"), "false");
}

TEST_F(AuthApi, AdministratorWithoutMfaMustEnrolFirst) {
  srv_.createUser(srv_.admin(), "quan.tri.moi", 1, "administrator");
  Session s = srv_.login("quan.tri.moi", kFirst);
  auto change =
      srv_.call(s, "POST", "/api/v1/me/password", body({{"current_password", kFirst}, {"new_password", kSecond}}));
  ASSERT_EQ(change.status, 204) << change.body;
  s = sessionFrom(srv_, change);
  EXPECT_TRUE(isError(srv_.call(s, "GET", "/api/v1/orgs"), 403, "mfa_enrollment_required"));
  EXPECT_TRUE(isError(srv_.call(s, "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Sớm","kind":"unit"})"), 403,
                      "mfa_enrollment_required"));
  EXPECT_EQ(jsonField(srv_.call(s, "GET", "/api/v1/me").body, "mfa_enrollment_required"), "true");
  srv_.enrollMfa(s);
  EXPECT_EQ(srv_.call(s, "GET", "/api/v1/orgs").status, 200) << "the session continues after enrolment";
  EXPECT_EQ(jsonField(srv_.call(s, "GET", "/api/v1/me").body, "mfa_enrollment_required"), "false");
}

// --- Password policy -------------------------------------------------------------------------------

TEST_F(AuthApi, PasswordLengthDependsOnMfa) {
  Session s = srv_.userSession("do.dai", 1, "unit_officer");
  auto change = [&](Session& who, const std::string& from, const std::string& to) {
    auto r = srv_.call(who, "POST", "/api/v1/me/password", body({{"current_password", from}, {"new_password", to}}));
    if (r.status == 204) who = sessionFrom(srv_, r);
    return r;
  };
  // Without MFA: 14 characters at least.
  EXPECT_TRUE(isError(change(s, kSecond, "Mat-khau-13kt"), 400, "validation_failed"));
  ASSERT_EQ(change(s, kSecond, "Mat-khau-14-kt").status, 204);
  // With MFA: 8 are enough, 7 are not.
  srv_.enrollMfa(s);
  EXPECT_TRUE(isError(change(s, "Mat-khau-14-kt", "Bay-kt7"), 400, "validation_failed"));
  EXPECT_EQ(change(s, "Mat-khau-14-kt", "Tam-kt-8").status, 204);

  // An administrator sets first passwords by the same rule: the role decides whether MFA applies.
  auto create = [&](const std::string& name, const std::string& role, const std::string& password) {
    return srv_.call(srv_.admin(), "POST", "/api/v1/users",
                     body({{"username", name},
                           {"display_name", name},
                           {"org_id", 1},
                           {"password", password},
                           {"roles", json::array{json::object{{"org_id", 1}, {"role", role}}}}}));
  };
  EXPECT_TRUE(isError(create("can.bo.ngan", "unit_officer", "Tam-kt-8"), 400, "validation_failed", "password"));
  EXPECT_EQ(create("can.bo.dai", "unit_officer", "Muoi-bon-kt-14").status, 201);
  EXPECT_EQ(create("quan.tri.ngan", "administrator", "Tam-kt-8").status, 201) << "administrators must use MFA";
  auto reset = srv_.call(srv_.admin(), "POST", "/api/v1/users/" + std::to_string(userId("can.bo.dai")) + "/password",
                         R"({"new_password":"Mat-khau-13kt"})");
  EXPECT_TRUE(isError(reset, 400, "validation_failed"));
}

TEST_F(AuthApi, PasswordEqualToTheUsernameIsRefused) {
  auto created = srv_.call(srv_.admin(), "POST", "/api/v1/users",
                           body({{"username", "nguyen.van.an.long"},
                                 {"display_name", "Nguyễn Văn An"},
                                 {"org_id", 1},
                                 {"password", "Nguyen.Van.An.Long"},
                                 {"roles", json::array{json::object{{"org_id", 1}, {"role", "unit_officer"}}}}}));
  EXPECT_TRUE(isError(created, 400, "validation_failed", "password"));
  Session s = srv_.userSession("tran.thi.binh.minh", 1, "unit_officer");
  auto own = srv_.call(s, "POST", "/api/v1/me/password",
                       body({{"current_password", kSecond}, {"new_password", "tran.thi.binh.minh"}}));
  EXPECT_TRUE(isError(own, 400, "validation_failed"));
}

// REGRESSION GUARD (defect found by this suite, fixed in 9c6ab8f):
// a refused new password names details.field "password" although the
// request field is "new_password" (src/auth/password.cpp checkPasswordPolicy always uses
// "password"; the UI highlights the field from details.field).
TEST_F(AuthApi, RefusedNewPasswordNamesTheNewPasswordField) {
  Session s = srv_.userSession("truong.sai", 1, "unit_officer");
  auto own = srv_.call(s, "POST", "/api/v1/me/password",
                       body({{"current_password", kSecond}, {"new_password", "ngan-13-ky-tu"}}));
  EXPECT_TRUE(isError(own, 400, "validation_failed", "new_password"));
  auto reset = srv_.call(srv_.admin(), "POST", "/api/v1/users/" + std::to_string(userId("truong.sai")) + "/password",
                         R"({"new_password":"ngan-13-ky-tu"})");
  EXPECT_TRUE(isError(reset, 400, "validation_failed", "new_password"));
}

TEST_F(AuthApi, WrongCurrentPasswordIsRefused) {
  Session s = srv_.userSession("nham.mat.khau", 1, "unit_officer");
  auto r = srv_.call(s, "POST", "/api/v1/me/password",
                     body({{"current_password", "khong-dung-mat-khau"}, {"new_password", "Mat-khau-moi-hoan-toan"}}));
  EXPECT_TRUE(isError(r, 400, "validation_failed", "current_password"));
  EXPECT_EQ(srv_.call(s, "GET", "/api/v1/me").status, 200) << "the session survives a refused change";
}

// --- Sessions --------------------------------------------------------------------------------------

TEST_F(AuthApi, ChangingThePasswordEndsEveryOtherSession) {
  Session first = srv_.userSession("doi.mat.khau", 1, "unit_officer");
  Session second = srv_.login("doi.mat.khau", kSecond);
  ASSERT_EQ(srv_.call(second, "GET", "/api/v1/me").status, 200);
  auto change = srv_.call(first, "POST", "/api/v1/me/password",
                          body({{"current_password", kSecond}, {"new_password", "Mat-khau-thu-ba-3333"}}));
  ASSERT_EQ(change.status, 204) << change.body;
  EXPECT_TRUE(isError(srv_.call(second, "GET", "/api/v1/me"), 401, "unauthenticated")) << "other session";
  EXPECT_TRUE(isError(srv_.call(first, "GET", "/api/v1/me"), 401, "unauthenticated")) << "old cookie";
  Session renewed = sessionFrom(srv_, change);
  EXPECT_EQ(srv_.call(renewed, "GET", "/api/v1/orgs").status, 200);
  EXPECT_NE(renewed.csrf, first.csrf);
  EXPECT_TRUE(isError(loginRaw(srv_, "doi.mat.khau", kSecond), 401, "unauthenticated")) << "old password";
}

TEST_F(AuthApi, AccountUnusedFor45DaysIsDisabled) {
  // An auditor token reads the audit log after every account has gone stale.
  auto t = srv_.call(srv_.admin(), "POST", "/api/v1/tokens",
                     R"({"name":"Kiểm toán","org_id":1,"role":"auditor","expires_in_days":730})");
  ASSERT_EQ(t.status, 201) << t.body;
  Session auditor;
  auditor.bearer = jsonField(t.body, "secret");
  srv_.userSession("van.lam.viec", 1, "unit_officer");
  srv_.userSession("bo.quen", 1, "unit_officer");
  const int64_t forgotten = userId("bo.quen");
  const int64_t active = userId("van.lam.viec");

  srv_.clock().advanceMs(44 * kDay);
  ASSERT_EQ(loginRaw(srv_, "van.lam.viec", kSecond).status, 200) << "44 days are fine";
  srv_.clock().advanceMs(2 * kDay);  // day 46

  EXPECT_TRUE(isError(loginRaw(srv_, "bo.quen", "mat-khau-sai-hoan-toan"), 401, "unauthenticated"))
      << "a wrong password learns nothing";
  auto r = loginRaw(srv_, "bo.quen", kSecond);
  EXPECT_TRUE(isError(r, 403, "forbidden"));
  EXPECT_NE(errorMessage(r).find("45 days"), std::string::npos) << errorMessage(r);
  EXPECT_NE(errorMessage(r).find("not used"), std::string::npos) << errorMessage(r);
  EXPECT_EQ(loginRaw(srv_, "van.lam.viec", kSecond).status, 200) << "logged in on day 44: still active";

  auto entries = itemsOf(srv_.call(auditor, "GET", "/api/v1/audit?action=user.disable_inactive").body);
  bool found = false;
  for (const auto& e : entries)
    if (str(e.at("object_id")) == std::to_string(forgotten)) {
      found = true;
      EXPECT_EQ(str(e.at("actor")), "system");
      EXPECT_EQ(str(e.at("result")), "success");
    }
  EXPECT_TRUE(found) << "no user.disable_inactive entry for bo.quen";
  for (const auto& e : entries)
    EXPECT_NE(str(e.at("object_id")), std::to_string(active)) << "an active user was disabled";
}

TEST_F(AuthApi, SessionCookieIsHttpOnlyStrictAndNotSecureOnPlainHttp) {
  srv_.createUser(srv_.admin(), "banh.quy", 1, "unit_officer");
  auto r = loginRaw(srv_, "banh.quy", kFirst);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string setCookie = r.header("set-cookie");
  ASSERT_EQ(setCookie.rfind("vigil_session=", 0), 0u) << setCookie;
  const std::string value = setCookie.substr(14, setCookie.find(';') - 14);
  EXPECT_GE(value.size(), 40u) << "the session token must be long and random";
  auto attrs = cookieAttributes(setCookie);
  EXPECT_TRUE(attrs.count("httponly")) << setCookie;
  EXPECT_EQ(attrs["samesite"], "Strict") << setCookie;
  EXPECT_EQ(attrs["path"], "/") << setCookie;
  EXPECT_FALSE(attrs.count("secure")) << "no Secure on plain HTTP: " << setCookie;
  EXPECT_FALSE(attrs.count("domain")) << setCookie;
  ASSERT_TRUE(attrs.count("max-age")) << setCookie;
  EXPECT_GT(std::atoi(attrs["max-age"].c_str()), 0);
  EXPECT_LE(std::atoi(attrs["max-age"].c_str()), 12 * 3600);

  // The cookie set after the second step has the same attributes.
  auto [s, secret] = officerWithMfa("banh.quy.mfa");
  srv_.nextTotpStep();
  auto step1 = loginRaw(srv_, "banh.quy.mfa", kSecond);
  auto step2 = mfaRaw(srv_, jsonField(step1.body, "mfa_token"), srv_.totpNow(secret));
  ASSERT_EQ(step2.status, 200) << step2.body;
  auto attrs2 = cookieAttributes(step2.header("set-cookie"));
  EXPECT_TRUE(attrs2.count("httponly"));
  EXPECT_EQ(attrs2["samesite"], "Strict");
  EXPECT_EQ(attrs2["path"], "/");
  EXPECT_FALSE(attrs2.count("secure"));
}

TEST_F(AuthApi, DisabledUserCannotLogInAndLosesSessions) {
  Session s = srv_.userSession("tam.nghi", 1, "unit_officer");
  const int64_t id = userId("tam.nghi");
  auto off = srv_.call(srv_.admin(), "PATCH", "/api/v1/users/" + std::to_string(id), R"({"disabled":true})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_TRUE(isError(srv_.call(s, "GET", "/api/v1/me"), 401, "unauthenticated")) << "open session ended";
  EXPECT_TRUE(isError(loginRaw(srv_, "tam.nghi", kSecond), 403, "forbidden"));
  EXPECT_TRUE(isError(loginRaw(srv_, "tam.nghi", "mat-khau-sai-hoan-toan"), 401, "unauthenticated"));
  auto on = srv_.call(srv_.admin(), "PATCH", "/api/v1/users/" + std::to_string(id), R"({"disabled":false})");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(loginRaw(srv_, "tam.nghi", kSecond).status, 200);
}

TEST_F(AuthApi, LogoutEndsTheSessionAndClearsTheCookie) {
  Session s = srv_.userSession("ra.ve", 1, "unit_officer");
  auto out = srv_.call(s, "POST", "/api/v1/auth/logout");
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_TRUE(out.body.empty());
  const std::string cleared = out.header("set-cookie");
  EXPECT_EQ(cleared.rfind("vigil_session=;", 0), 0u) << cleared;
  EXPECT_EQ(cookieAttributes(cleared)["max-age"], "0") << cleared;
  EXPECT_TRUE(isError(srv_.call(s, "GET", "/api/v1/me"), 401, "unauthenticated"));
  EXPECT_EQ(str(newestAudit(srv_, srv_.admin()).at("action")), "auth.logout");
  Session again = srv_.login("ra.ve", kSecond);
  EXPECT_EQ(srv_.call(again, "GET", "/api/v1/me").status, 200) << "logging in again works";
}

}  // namespace
}  // namespace vigil::test
