// Login (password, then one-time code), logout, and the caller's own account.
#include "api/api.h"
#include "api/json_io.h"

namespace vigil::api {
namespace {

int cookieMaxAge(Api& api) { return api.auth().settings().sessionAbsoluteHours * 3600; }

Result<http::Response> loggedIn(Api& api, Ctx& c, const auth::LoginOutcome& out) {
  json::object body{
      {"status", "ok"}, {"user", toJson(out.user, true)}, {"csrf_token", api.auth().csrfTokenFor(out.sessionToken)}};
  auto r = jsonResponse(200, body);
  r.setHeader("Set-Cookie", sessionCookie(out.sessionToken, c.req.tls, cookieMaxAge(api)));
  return r;
}

}  // namespace

void registerAuthRoutes(Api& api) {
  api.add("POST", "/api/v1/auth/login", "auth.login", Access::kPublic, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto username, body.requiredString("username", 64));
    VIGIL_ASSIGN_OR_RETURN(auto password, body.requiredSecret("password"));
    VIGIL_TRY(body.finish());
    VIGIL_ASSIGN_OR_RETURN(auto out, api.auth().login(username, password, c.req.remoteAddr));
    if (out.mfaRequired)
      return jsonResponse(200, json::object{{"status", "mfa_required"}, {"mfa_token", out.mfaToken}});
    return loggedIn(api, c, out);
  });

  api.add("POST", "/api/v1/auth/mfa", "auth.mfa", Access::kPublic, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto token, body.requiredSecret("mfa_token"));
    VIGIL_ASSIGN_OR_RETURN(auto code, body.requiredString("code", 16));
    VIGIL_TRY(body.finish());
    VIGIL_ASSIGN_OR_RETURN(auto out, api.auth().completeMfa(token, code, c.req.remoteAddr));
    return loggedIn(api, c, out);
  });

  api.add("POST", "/api/v1/auth/logout", "auth.logout", Access::kUserPending, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(api.auth().logout(*c.principal));
    auto r = http::Response::noContent();
    r.setHeader("Set-Cookie", sessionCookie("", c.req.tls, 0));
    return r;
  });

  api.add("GET", "/api/v1/me", "me.read", Access::kUserPending, [&api](Ctx& c) -> Result<http::Response> {
    const auto& p = *c.principal;
    json::array roles;
    for (const auto& r : p.user.roles) roles.push_back(toJson(r));
    json::object body{{"user", toJson(p.user, false)},
                      {"roles", roles},
                      {"csrf_token", p.viaApiToken ? "" : api.auth().csrfTokenFor(p.sessionToken)},
                      {"password_change_required", p.passwordChangeRequired},
                      {"mfa_enrollment_required", p.mfaEnrollmentRequired},
                      {"auth", p.viaApiToken ? "token" : "session"}};
    return jsonResponse(200, body);
  });

  api.add("POST", "/api/v1/me/password", "user.password.change", Access::kUserPending,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto current, body.requiredSecret("current_password"));
            VIGIL_ASSIGN_OR_RETURN(auto next, body.requiredSecret("new_password"));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto token, api.auth().changeOwnPassword(*c.principal, current, next));
            auto r = http::Response::noContent();
            r.setHeader("Set-Cookie", sessionCookie(token, c.req.tls, cookieMaxAge(api)));
            return r;
          });

  api.add("POST", "/api/v1/me/mfa/setup", "user.mfa.setup", Access::kUserPending,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req, true));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto setup, api.auth().beginMfa(*c.principal));
            return jsonResponse(200, json::object{{"secret", setup.secretBase32}, {"otpauth_uri", setup.otpauthUri}});
          });

  api.add("POST", "/api/v1/me/mfa/confirm", "user.mfa.enable", Access::kUserPending,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto code, body.requiredString("code", 16));
            VIGIL_TRY(body.finish());
            VIGIL_TRY(api.auth().confirmMfa(*c.principal, code));
            return http::Response::noContent();
          });

  api.add("POST", "/api/v1/me/mfa/disable", "user.mfa.disable", Access::kUserPending,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto password, body.requiredSecret("password"));
            VIGIL_ASSIGN_OR_RETURN(auto code, body.requiredString("code", 16));
            VIGIL_TRY(body.finish());
            VIGIL_TRY(api.auth().disableOwnMfa(*c.principal, password, code));
            return http::Response::noContent();
          });
}

}  // namespace vigil::api
