// The audit log: filtered listing, CSV export and chain verification.
#include "api/api.h"
#include "api/json_io.h"

namespace vigil::api {
namespace {

Result<AuditFilter> readFilter(const http::Request& req, int maxLimit) {
  AuditFilter f;
  bool ok = true;
  for (auto& [k, v] : req.queryParams(&ok)) {
    if (k == "actor") {
      VIGIL_ASSIGN_OR_RETURN(f.actor, cleanText(k, v, 100, true));
    } else if (k == "action") {
      VIGIL_ASSIGN_OR_RETURN(f.action, cleanText(k, v, 100, true));
    } else if (k == "object_type") {
      VIGIL_ASSIGN_OR_RETURN(f.objectType, cleanText(k, v, 50, true));
    } else if (k == "object_id") {
      VIGIL_ASSIGN_OR_RETURN(f.objectId, cleanText(k, v, 100, true));
    } else if (k == "from" || k == "to") {
      if (v.empty()) continue;
      auto t = parseRfc3339(v);
      if (!t) return Error::validation(k, "must be a date (YYYY-MM-DD) or an RFC 3339 time");
      // A bare date for "to" means the end of that day (in UTC+7, the province's time).
      if (v.size() == 10) *t -= 7 * 3600 * 1000;
      if (k == "to" && v.size() == 10) *t += 24 * 3600 * 1000;
      (k == "from" ? f.from : f.to) = *t;
    } else if (k == "limit") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt(k, v, 1, maxLimit));
      f.limit = static_cast<int>(n);
    } else if (k == "offset") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt(k, v, 0, 100000000));
      f.offset = static_cast<int>(n);
    } else {
      return Error::validation(k, "is not a known query parameter");
    }
  }
  if (!ok) return Error::badRequest("malformed query string");
  if (f.from && f.to && *f.from >= *f.to) return Error::validation("from", "must be before 'to'");
  return f;
}

// A CSV field, quoted, with formula-looking text defused so spreadsheet programs do not run it.
std::string csvField(const std::string& s) {
  std::string out = "\"";
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    out += '\'';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void registerAuditRoutes(Api& api) {
  api.add("GET", "/api/v1/audit", "audit.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto f, readFilter(c.req, 500));
    VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listAudit(c.actor(), f));
    json::array items;
    for (const auto& e : page.items) items.push_back(toJson(e));
    return jsonResponse(200, json::object{{"items", items}, {"total", page.total}});
  });

  api.add("GET", "/api/v1/audit/export.csv", "audit.export", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto f, readFilter(c.req, 100000));
    const int limit = c.req.queryParam("limit") ? f.limit : 100000;
    std::string csv = "\xEF\xBB\xBF";  // BOM: spreadsheet programs then read the Vietnamese text as UTF-8
    csv += "id,time_utc,actor,source_ip,action,object_type,object_id,org_id,result,summary,hash\r\n";
    int written = 0;
    f.limit = 1000;
    while (written < limit) {
      VIGIL_ASSIGN_OR_RETURN(auto page, api.store().listAudit(c.actor(), f));
      for (const auto& e : page.items) {
        if (written >= limit) break;
        csv += std::to_string(e.id) + "," + formatRfc3339(e.time) + "," + csvField(e.actor) + "," +
               csvField(e.sourceIp) + "," + csvField(e.action) + "," + csvField(e.objectType) + "," +
               csvField(e.objectId) + "," + (e.orgId ? std::to_string(*e.orgId) : "") + "," + csvField(e.result) + "," +
               csvField(e.summary) + "," + e.hash + "\r\n";
        ++written;
      }
      if (page.items.size() < 1000) break;
      f.offset += 1000;
    }
    auto r = http::Response::text(200, std::move(csv), "text/csv; charset=utf-8");
    r.setHeader("Content-Disposition", "attachment; filename=\"vigil-audit-log.csv\"");
    r.setHeader("Cache-Control", "no-store");
    return r;
  });

  api.add("GET", "/api/v1/audit/verify", "audit.verify", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    // Verification reads the whole chain of the province (and its size tells how much happens
    // there): for those who read the audit log from the root.
    VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
    if (!allows(c.actor(), Permission::kReadAudit, root.path))
      return Error::forbidden("verifying the whole audit log is for administrators and auditors of the province");
    VIGIL_ASSIGN_OR_RETURN(auto v, api.store().verifyAudit());
    json::object o{{"ok", v.ok}, {"checked", v.checked}};
    if (!v.ok) {
      o["first_broken_id"] = *v.firstBrokenId;
      o["reason"] = v.reason;
    }
    return jsonResponse(200, o);
  });
}

}  // namespace vigil::api
