// User accounts and their role assignments.
#include "api/api.h"
#include "api/json_io.h"
#include "core/text.h"

namespace vigil::api {
namespace {

Status checkUsername(const std::string& u) {
  if (u.size() < 3 || u.size() > 64) return Error::validation("username", "must have 3 to 64 characters");
  for (char c : u)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return Error::validation("username", "may use only lower-case letters a-z, digits and . _ -");
  return {};
}

Status checkEmail(const std::string& e) {
  if (e.empty()) return {};
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= e.size() || e.find(' ') != std::string::npos ||
      e.find('@', at + 1) != std::string::npos)
    return Error::validation("email", "is not an e-mail address");
  return {};
}

Result<UserQuery> readQuery(const http::Request& req) {
  UserQuery q;
  bool ok = true;
  for (auto& [k, v] : req.queryParams(&ok)) {
    if (k == "q") {
      VIGIL_ASSIGN_OR_RETURN(q.text, cleanText("q", v, 100, true));
    } else if (k == "org_id") {
      VIGIL_ASSIGN_OR_RETURN(q.orgId, queryInt(k, v, 1, INT64_MAX));
    } else if (k == "limit" || k == "offset") {
      VIGIL_TRY(queryPage(k, v, q.limit, q.offset));
    } else {
      return Error::validation(k, "is not a known query parameter");
    }
  }
  if (!ok) return Error::badRequest("malformed query string");
  return q;
}

std::vector<Role> rolesOf(const std::vector<std::pair<int64_t, Role>>& roles) {
  std::vector<Role> out;
  for (const auto& r : roles) out.push_back(r.second);
  return out;
}

}  // namespace

void registerUserRoutes(Api& api) {
  api.add("GET", "/api/v1/users", "user.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto q, readQuery(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listUsers(c.actor(), q));
    json::array items;
    for (const auto& u : page.items) items.push_back(toJson(u, true));
    return jsonResponse(200, json::object{{"items", items}, {"total", page.total}});
  });

  api.add("POST", "/api/v1/users", "user.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    UserDraft d;
    VIGIL_ASSIGN_OR_RETURN(d.username, body.requiredString("username", 64));
    VIGIL_ASSIGN_OR_RETURN(d.displayName, body.requiredString("display_name", 200));
    VIGIL_ASSIGN_OR_RETURN(auto email, body.optionalString("email", 254));
    VIGIL_ASSIGN_OR_RETURN(d.orgId, body.requiredInt("org_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(auto password, body.requiredSecret("password"));
    VIGIL_ASSIGN_OR_RETURN(const json::array* roles, body.requiredArray("roles", 50));
    VIGIL_TRY(body.finish());
    d.email = email.value_or("");
    VIGIL_TRY(checkUsername(d.username));
    VIGIL_TRY(checkEmail(d.email));
    VIGIL_ASSIGN_OR_RETURN(d.roles, readRoleList(*roles));
    VIGIL_ASSIGN_OR_RETURN(d.passwordHash, api.auth().hashForAccount(password, d.username, rolesOf(d.roles), false));
    d.mustChangePassword = true;
    VIGIL_ASSIGN_OR_RETURN(User u, api.store().createUser(c.actor(), d));
    return jsonResponse(201, toJson(u, true));
  });

  api.add("GET", "/api/v1/users/{id}", "user.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(User u, api.store().getUser(c.actor(), id));
    return jsonResponse(200, toJson(u, true));
  });

  api.add("PATCH", "/api/v1/users/{id}", "user.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    UserPatch p;
    VIGIL_ASSIGN_OR_RETURN(p.displayName, body.optionalString("display_name", 200, false));
    VIGIL_ASSIGN_OR_RETURN(p.email, body.optionalString("email", 254));
    VIGIL_ASSIGN_OR_RETURN(p.disabled, body.optionalBool("disabled"));
    VIGIL_TRY(body.finish());
    if (p.email) VIGIL_TRY(checkEmail(*p.email));
    VIGIL_ASSIGN_OR_RETURN(User u, api.store().updateUser(c.actor(), id, p));
    return jsonResponse(200, toJson(u, true));
  });

  api.add("PUT", "/api/v1/users/{id}/roles", "user.roles.set", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(const json::array* roles, body.requiredArray("roles", 50));
    VIGIL_TRY(body.finish());
    VIGIL_ASSIGN_OR_RETURN(auto list, readRoleList(*roles));
    VIGIL_ASSIGN_OR_RETURN(User u, api.store().setUserRoles(c.actor(), id, list));
    return jsonResponse(200, toJson(u, true));
  });

  api.add("POST", "/api/v1/users/{id}/password", "user.password.reset", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto password, body.requiredSecret("new_password"));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(User u, api.store().getUser(c.actor(), id));
            std::vector<Role> roles;
            for (const auto& r : u.roles) roles.push_back(r.role);
            VIGIL_ASSIGN_OR_RETURN(
                auto hash, api.auth().hashForAccount(password, u.username, roles, u.mfaEnabled, "new_password"));
            VIGIL_TRY(api.store().setPassword(c.actor(), id, hash, true));
            return http::Response::noContent();
          });

  api.add("POST", "/api/v1/users/{id}/unlock", "user.unlock", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req, true));
    VIGIL_TRY(body.finish());
    VIGIL_TRY(api.store().unlockUser(c.actor(), id));
    return http::Response::noContent();
  });

  api.add("DELETE", "/api/v1/users/{id}/mfa", "user.mfa.reset", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().resetMfa(c.actor(), id));
            return http::Response::noContent();
          });
}

}  // namespace vigil::api
