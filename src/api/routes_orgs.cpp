// The organisation tree: list, read, create, rename, move, archive.
#include "api/api.h"
#include "api/json_io.h"

namespace vigil::api {
namespace {

Result<OrgKind> readKind(const std::string& s) {
  auto k = parseOrgKind(s);
  if (!k) return Error::validation("kind", "must be one of province, department, district, commune, unit, other");
  return *k;
}

}  // namespace

void registerOrgRoutes(Api& api) {
  api.add("GET", "/api/v1/orgs", "org.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"include_archived"}));
    auto archived = c.req.queryParam("include_archived");
    if (archived && *archived != "true" && *archived != "false")
      return Error::validation("include_archived", "must be true or false");
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listOrgs(c.actor(), archived && *archived == "true"));
    json::array items;
    for (const auto& o : page.items) items.push_back(toJson(o));
    return jsonResponse(200, json::object{{"items", items}, {"total", page.total}});
  });

  api.add("POST", "/api/v1/orgs", "org.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    OrgDraft d;
    VIGIL_ASSIGN_OR_RETURN(d.parentId, body.requiredInt("parent_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(d.name, body.requiredString("name", 200));
    VIGIL_ASSIGN_OR_RETURN(auto kind, body.requiredString("kind", 20));
    VIGIL_ASSIGN_OR_RETURN(d.kind, readKind(kind));
    VIGIL_ASSIGN_OR_RETURN(auto code, body.optionalString("code", 64));
    VIGIL_TRY(body.finish());
    d.code = code.value_or("");
    VIGIL_ASSIGN_OR_RETURN(Org o, api.store().createOrg(c.actor(), d));
    return jsonResponse(201, toJson(o));
  });

  api.add("GET", "/api/v1/orgs/{id}", "org.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(Org o, api.store().getOrg(c.actor(), id));
    return jsonResponse(200, toJson(o));
  });

  api.add("PATCH", "/api/v1/orgs/{id}", "org.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    OrgPatch p;
    VIGIL_ASSIGN_OR_RETURN(auto name, body.optionalString("name", 200, false));
    VIGIL_ASSIGN_OR_RETURN(auto kind, body.optionalString("kind", 20, false));
    VIGIL_ASSIGN_OR_RETURN(p.code, body.optionalString("code", 64));
    VIGIL_TRY(body.finish());
    p.name = name;
    if (kind) {
      VIGIL_ASSIGN_OR_RETURN(p.kind, readKind(*kind));
    }
    VIGIL_ASSIGN_OR_RETURN(Org o, api.store().updateOrg(c.actor(), id, p));
    return jsonResponse(200, toJson(o));
  });

  api.add("POST", "/api/v1/orgs/{id}/move", "org.move", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(int64_t parent, body.requiredInt("parent_id", 1, INT64_MAX));
    VIGIL_TRY(body.finish());
    VIGIL_ASSIGN_OR_RETURN(Org o, api.store().moveOrg(c.actor(), id, parent));
    return jsonResponse(200, toJson(o));
  });

  for (bool archive : {true, false}) {
    api.add("POST", archive ? "/api/v1/orgs/{id}/archive" : "/api/v1/orgs/{id}/unarchive",
            archive ? "org.archive" : "org.unarchive", Access::kUser,
            [&api, archive](Ctx& c) -> Result<http::Response> {
              VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
              VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req, true));
              VIGIL_TRY(body.finish());
              VIGIL_ASSIGN_OR_RETURN(Org o, api.store().setOrgArchived(c.actor(), id, archive));
              return jsonResponse(200, toJson(o));
            });
  }
}

}  // namespace vigil::api
