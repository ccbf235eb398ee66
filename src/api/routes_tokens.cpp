// API tokens for machines: created with a role on a subtree and an expiry, shown once.
#include "api/api.h"
#include "api/json_io.h"

namespace vigil::api {

void registerTokenRoutes(Api& api) {
  api.add("GET", "/api/v1/tokens", "token.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"limit", "offset"}));
    int64_t limit = 100, offset = 0;
    if (auto v = c.req.queryParam("limit")) {
      VIGIL_ASSIGN_OR_RETURN(limit, queryInt("limit", *v, 1, 500));
    }
    if (auto v = c.req.queryParam("offset")) {
      VIGIL_ASSIGN_OR_RETURN(offset, queryInt("offset", *v, 0, 100000000));
    }
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listTokens(c.actor()));
    json::array items;
    for (size_t i = static_cast<size_t>(offset); i < page.items.size() && items.size() < static_cast<size_t>(limit);
         ++i)
      items.push_back(toJson(page.items[i]));
    return jsonResponse(200, json::object{{"items", items}, {"total", page.total}});
  });

  api.add("POST", "/api/v1/tokens", "token.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    if (c.principal->viaApiToken) return Error::forbidden("an API token cannot create API tokens");
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto name, body.requiredString("name", 100));
    VIGIL_ASSIGN_OR_RETURN(int64_t orgId, body.requiredInt("org_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(auto roleText, body.requiredString("role", 20));
    VIGIL_ASSIGN_OR_RETURN(int64_t days, body.requiredInt("expires_in_days", 1, 730));
    VIGIL_TRY(body.finish());
    auto role = parseRole(roleText);
    if (!role)
      return Error::validation("role", "must be one of administrator, soc_analyst, unit_officer, leader, auditor");
    VIGIL_ASSIGN_OR_RETURN(auto created,
                           api.auth().createApiToken(c.actor(), name, orgId, *role, static_cast<int>(days)));
    return jsonResponse(201, json::object{{"token", toJson(created.token)}, {"secret", created.secret}});
  });

  api.add("DELETE", "/api/v1/tokens/{id}", "token.revoke", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().revokeToken(c.actor(), id));
    return http::Response::noContent();
  });
}

}  // namespace vigil::api
