// Retro-hunts (issue 6): a Sigma rule (its text, or the id of a loaded or stored rule) or an
// event search run over the stored events of a time range and agency scope, in the background.
//
//   POST /api/v1/hunts                 {rule_yaml | rule_id, query, from, to, org_id, raise_alerts}
//   GET  /api/v1/hunts                 the caller's hunts, newest first
//   GET  /api/v1/hunts/{id}            status and progress
//   GET  /api/v1/hunts/{id}/results    matches, paged (offset, limit)
//   POST /api/v1/hunts/{id}/cancel
//
// Needs kHunt and reads only what kReadEvents allows: the scope is the agencies where the caller
// has both (narrowed to org_id's subtree when given). A hunt is its starter's own: another
// user's is 404. Starting and cancelling are audited (hunt.start with what was hunted, the range,
// the scope and raise_alerts; hunt.cancel). Bounds: [detect] hunt_max_events, hunt_max_seconds.
#include <algorithm>

#include "api/api.h"
#include "api/json_io.h"
#include "core/crypto.h"
#include "detect/live/hunt_runner.h"
#include "detect/live/rule_manager.h"

namespace vigil::api {

namespace {

namespace live = detect::live;

constexpr size_t kMaxYamlBytes = 256 * 1024;

json::value usOrNull(int64_t us) { return us > 0 ? json::value(formatRfc3339(us / 1000)) : json::value(nullptr); }
json::value msOrNull(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

json::object statusJson(const live::HuntStatus& s) {
  return {{"id", s.id},
          {"state", s.state},
          {"label", s.label},
          {"query", s.query},
          {"started_by", s.startedBy},
          {"from", usOrNull(s.fromUs)},
          {"to", usOrNull(s.toUs)},
          {"raise_alerts", s.raiseAlerts},
          {"scanned", s.scanned},
          {"matched", s.matched},
          {"alerts_raised", s.alertsRaised},
          {"progress", s.progress},
          {"truncated", s.truncated},
          {"results_truncated", s.resultsTruncated},
          {"started_at", msOrNull(s.startedAt)},
          {"finished_at", msOrNull(s.finishedAt)},
          {"error", s.error}};
}

Result<live::HuntRunner*> runner(Api& api) {
  if (api.hunts() == nullptr) return Error::unavailable("retro-hunts are off (live detection is disabled)");
  return api.hunts();
}

bool mayHunt(const Actor& actor) { return !scopePrefixes(actor, Permission::kHunt).empty(); }

// The caller's own hunt, or 404.
Result<live::HuntStatus> ownHunt(live::HuntRunner& r, const Actor& actor, int64_t id) {
  auto s = r.status(id);
  if (!s.ok() || (!actor.system && (s->startedByUser != actor.userId || s->startedBy != actor.name)))
    return Error::notFound("hunt " + std::to_string(id) + " not found");
  return s;
}

// RFC 3339 time to microseconds; the error names the field.
Result<int64_t> timeUs(const char* field, const std::string& text) {
  auto ms = parseRfc3339(text);
  if (!ms) return Error::validation(field, "must be an RFC 3339 time such as 2026-05-01T00:00:00+07:00");
  return *ms * 1000;
}

}  // namespace

void registerHuntRoutes(Api& api) {
  api.add("POST", "/api/v1/hunts", "hunt.start", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto* r, runner(api));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto yaml, body.optionalText("rule_yaml", kMaxYamlBytes));
    VIGIL_ASSIGN_OR_RETURN(auto ruleId, body.optionalString("rule_id", 100));
    VIGIL_ASSIGN_OR_RETURN(auto query, body.optionalString("query", 8192));
    VIGIL_ASSIGN_OR_RETURN(std::string from, body.requiredString("from", 40));
    VIGIL_ASSIGN_OR_RETURN(std::string to, body.requiredString("to", 40));
    VIGIL_ASSIGN_OR_RETURN(auto orgId, body.optionalInt("org_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(auto raise, body.optionalBool("raise_alerts"));
    VIGIL_TRY(body.finish());
    if (!mayHunt(c.actor()))
      return Error::forbidden("you may not run retro-hunts (administrators and SOC analysts may)");
    if (yaml && !yaml->empty() && ruleId && !ruleId->empty())
      return Error::validation("rule_id", "give rule_yaml or rule_id, not both");
    live::HuntRequest req;
    VIGIL_ASSIGN_OR_RETURN(req.fromUs, timeUs("from", from));
    VIGIL_ASSIGN_OR_RETURN(req.toUs, timeUs("to", to));
    req.query = query.value_or("");
    req.raiseAlerts = raise.value_or(false);
    req.startedBy = c.actor().name;
    req.startedByUser = c.actor().userId;
    std::string what;
    if (ruleId && !ruleId->empty()) {
      // A rule the caller may read: stored (scoped by the store) or loaded from a directory.
      auto* mgr = api.rules();
      if (mgr == nullptr) return Error::unavailable("live detection is off");
      auto stored = api.store().getDetectionRule(c.actor(), *ruleId);
      if (stored.ok()) {
        req.ruleYaml = stored->yaml;
      } else if (const auto set = mgr->current(); set->find(*ruleId) >= 0 &&
                                                  set->meta(set->find(*ruleId)).source == "directory" &&
                                                  !scopePrefixes(c.actor(), Permission::kReadRules).empty()) {
        req.ruleYaml = mgr->directoryText(set->meta(set->find(*ruleId)).origin);
      } else {
        return Error::validation("rule_id", "no rule '" + *ruleId + "' that you may read");
      }
      req.label = "rule " + *ruleId;
      what = *ruleId;
    } else if (yaml && !yaml->empty()) {
      req.ruleYaml = *yaml;
      req.label = "uploaded rule";
      what = "sha256:" + crypto::sha256Hex(*yaml);
    } else {
      req.label = "query: " + req.query;
    }
    // Scope: agencies where the caller may both hunt and read events, within org_id when given.
    VIGIL_ASSIGN_OR_RETURN(auto orgs, api.store().listOrgs(c.actor(), true));
    std::string within;
    if (orgId) {
      auto it = std::find_if(orgs.items.begin(), orgs.items.end(), [&](const Org& o) { return o.id == *orgId; });
      if (it == orgs.items.end()) return Error::notFound("organisation " + std::to_string(*orgId) + " not found");
      within = it->path;
    }
    for (const Org& o : orgs.items)
      if (allows(c.actor(), Permission::kHunt, o.path) && allows(c.actor(), Permission::kReadEvents, o.path) &&
          (within.empty() || inSubtree(o.path, within)))
        req.scope.orgIds.push_back(o.id);
    if (req.scope.orgIds.empty()) return Error::forbidden("you may not hunt in these agencies");
    const size_t agencies = req.scope.orgIds.size();
    const std::string label = req.label;
    VIGIL_ASSIGN_OR_RETURN(int64_t id, r->start(std::move(req)));
    AuditEntry a{.action = "hunt.start", .objectType = "hunt", .objectId = std::to_string(id), .orgId = orgId};
    a.summary = json::serialize(json::object{{"what", label},
                                             {"rule", what},
                                             {"query", query.value_or("")},
                                             {"from", from},
                                             {"to", to},
                                             {"org_id", orgId ? json::value(*orgId) : json::value(nullptr)},
                                             {"agencies", agencies},
                                             {"raise_alerts", raise.value_or(false)}});
    (void)api.store().appendAudit(c.actor(), a);
    VIGIL_ASSIGN_OR_RETURN(auto st, r->status(id));
    return jsonResponse(202, statusJson(st));
  });

  api.add("GET", "/api/v1/hunts", "hunt.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto* r, runner(api));
    if (!mayHunt(c.actor()))
      return Error::forbidden("you may not run retro-hunts (administrators and SOC analysts may)");
    json::array items;
    for (const auto& s : r->list())
      if (s.startedByUser == c.actor().userId && s.startedBy == c.actor().name) items.push_back(statusJson(s));
    return jsonResponse(200, json::object{{"items", std::move(items)}});
  });

  api.add("GET", "/api/v1/hunts/{id}", "hunt.get", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto* r, runner(api));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto s, ownHunt(*r, c.actor(), id));
    return jsonResponse(200, statusJson(s));
  });

  api.add("GET", "/api/v1/hunts/{id}/results", "hunt.results", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"offset", "limit"}));
    VIGIL_ASSIGN_OR_RETURN(auto* r, runner(api));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(ownHunt(*r, c.actor(), id));
    int64_t offset = 0, limit = 100;
    if (auto v = c.req.queryParam("offset")) {
      VIGIL_ASSIGN_OR_RETURN(offset, queryInt("offset", *v, 0, INT32_MAX));
    }
    if (auto v = c.req.queryParam("limit")) {
      VIGIL_ASSIGN_OR_RETURN(limit, queryInt("limit", *v, 1, 1000));
    }
    size_t total = 0;
    VIGIL_ASSIGN_OR_RETURN(auto rows, r->results(id, static_cast<size_t>(offset), static_cast<size_t>(limit), total));
    json::array items;
    for (const auto& x : rows) {
      boost::system::error_code ec;
      json::value ev = json::parse(x.eventJson, ec);
      items.push_back(json::object{{"time", usOrNull(x.timeUs)},
                                   {"org_id", x.orgId},
                                   {"source_id", x.sourceId},
                                   {"host", x.host},
                                   {"rule_id", x.ruleId},
                                   {"rule_title", x.ruleTitle},
                                   {"level", x.level},
                                   {"event", ec ? json::value(x.eventJson) : ev}});
    }
    return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}, {"offset", offset}});
  });

  api.add("POST", "/api/v1/hunts/{id}/cancel", "hunt.cancel", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto* r, runner(api));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(ownHunt(*r, c.actor(), id));
    VIGIL_TRY(r->cancel(id));
    (void)api.store().appendAudit(c.actor(),
                                  {.action = "hunt.cancel", .objectType = "hunt", .objectId = std::to_string(id)});
    VIGIL_ASSIGN_OR_RETURN(auto s, r->status(id));
    return jsonResponse(200, statusJson(s));
  });
}

}  // namespace vigil::api
