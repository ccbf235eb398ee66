// Detection rules (issue 6): the rules the live detection runs, from the rules directories and
// from the database, with their per-agency settings and the reload status.
//
//   GET    /api/v1/rules                 list (filters q, level, tag, status, source, enabled; paged)
//   GET    /api/v1/rules/status          the running set: version, rules, refused files with line and reason
//   POST   /api/v1/rules/validate        check a YAML text (parse + compile), nothing stored
//   POST   /api/v1/rules                 create / upload a rule (YAML; stored in the database)
//   GET    /api/v1/rules/{id}            one rule with its YAML and per-agency settings
//   PUT    /api/v1/rules/{id}            edit a database rule's YAML
//   PATCH  /api/v1/rules/{id}            enable / disable (a directory rule: for the whole province)
//   PUT    /api/v1/rules/{id}/agencies/{org}   per-agency setting: {"state": "on" | "off" | "inherit"}
//   DELETE /api/v1/rules/{id}            delete a database rule
//
// {id} is the rule's Sigma id (or "f-<hex>" for a directory rule without one). Every change
// goes through the store (scoping, audit with the rule text) and then asks the RuleManager for a
// reload: the new set runs within a second or so (GET /status shows its version). A rule text
// that does not parse or compile is refused with 400 and details {field: "yaml", line, reason}.
#include <algorithm>

#include "api/api.h"
#include "api/json_io.h"
#include "core/text.h"
#include "detect/live/rule_manager.h"

namespace vigil::api {

namespace {

namespace live = detect::live;
namespace sigma = detect::sigma;

constexpr size_t kMaxRuleYamlBytes = 256 * 1024;
constexpr int kMaxPage = 500;

json::value msOrNull(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object problemJson(const live::RuleProblem& p) {
  return {{"origin", p.origin},
          {"where", p.where},
          {"line", p.line},
          {"reason", p.reason},
          {"previous_version_runs", p.previousKept}};
}

// A refused rule text: 400 naming the line and the reason.
http::Response ruleTextError(const Error& e) {
  if (e.code != ErrorCode::kValidation) return errorResponse(e);
  const int line = live::lineOf(e.field);
  std::string reason = e.message;
  if (reason.rfind(e.field + ": ", 0) == 0) reason.erase(0, e.field.size() + 2);
  json::object details{{"field", "yaml"}, {"line", line}, {"reason", reason}};
  json::object err{{"code", "validation"},
                   {"message", (line > 0 ? "line " + std::to_string(line) + ": " : std::string()) + reason},
                   {"details", std::move(details)}};
  return jsonResponse(400, json::object{{"error", std::move(err)}});
}

Result<live::RuleManager*> manager(Api& api) {
  if (api.rules() == nullptr) return Error::unavailable("live detection is off ([detect] enabled = false)");
  return api.rules();
}

Status mayReadRules(const Actor& actor) {
  if (scopePrefixes(actor, Permission::kReadRules).empty())
    return Error::forbidden("you may not read detection rules (administrators, SOC analysts and auditors may)");
  return {};
}

bool validUid(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  });
}

// One row of the list: a loaded rule (from the running set) or a stored one that is not loaded.
struct RuleRow {
  std::string key, title, level, status, source, origin, description;
  std::vector<std::string> tags;
  sigma::Logsource logsource;
  int64_t ownerOrgId = 0;
  bool enabled = true, loaded = false;
  int64_t version = 0;
  std::string updatedBy;
  TimeMs updatedAt = 0;
  const live::RuleProblem* problem = nullptr;
};

json::object rowJson(const RuleRow& r) {
  json::object o{{"id", r.key},
                 {"title", r.title},
                 {"level", r.level},
                 {"status", r.status},
                 {"tags", strings(r.tags)},
                 {"source", r.source},
                 {"origin", r.origin},
                 {"owner_org_id", r.ownerOrgId},
                 {"enabled", r.enabled},
                 {"loaded", r.loaded},
                 {"version", r.version},
                 {"description", r.description},
                 {"logsource", json::object{{"product", r.logsource.product},
                                            {"category", r.logsource.category},
                                            {"service", r.logsource.service}}},
                 {"updated_by", r.updatedBy},
                 {"updated_at", msOrNull(r.updatedAt)}};
  o["problem"] = r.problem ? json::value(problemJson(*r.problem)) : json::value(nullptr);
  return o;
}

// Every rule the actor may see: the running set's directory rules (they apply to everyone) and
// database rules in scope, plus stored rules that are not running (off or refused).
Result<std::vector<RuleRow>> visibleRules(Api& api, live::RuleManager& mgr, const Actor& actor,
                                          const live::ReloadStatus& status) {
  VIGIL_TRY(mayReadRules(actor));
  VIGIL_ASSIGN_OR_RETURN(auto stored, api.store().listDetectionRules(actor));
  VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
  std::map<std::string, const DetectionRule*> byUid;
  for (const auto& r : stored) byUid[r.uid] = &r;
  std::map<std::string, const live::RuleProblem*> problemByOrigin;
  for (const auto& p : status.problems) problemByOrigin[p.origin] = &p;
  const auto set = mgr.current();
  std::vector<RuleRow> rows;
  std::set<std::string> seen;
  for (size_t i = 0; i < set->size(); ++i) {
    const live::RuleMeta& m = set->meta(i);
    const sigma::SigmaRule& rule = set->compiled(i).rule();
    const DetectionRule* db = nullptr;
    if (m.source == "database") {
      auto it = byUid.find(m.key);
      if (it == byUid.end()) continue;  // out of the actor's scope
      db = it->second;
    }
    RuleRow row{.key = m.key,
                .title = rule.title,
                .level = rule.level,
                .status = rule.status,
                .source = m.source,
                .origin = m.origin,
                .description = rule.description,
                .tags = rule.tags,
                .logsource = rule.logsource,
                .ownerOrgId = m.ownerOrgId,
                .enabled = m.enabled,
                .loaded = true,
                .version = m.version};
    if (m.source == "directory") {
      auto a = m.agencies.find(root.id);
      row.enabled = a == m.agencies.end() || a->second;
    }
    if (db) {
      row.enabled = db->enabled;
      row.updatedBy = db->updatedBy;
      row.updatedAt = db->updatedAt;
    }
    if (auto p = problemByOrigin.find(m.origin); p != problemByOrigin.end()) row.problem = p->second;
    seen.insert(m.key);
    rows.push_back(std::move(row));
  }
  for (const auto& r : stored) {
    if (seen.count(r.uid)) continue;
    RuleRow row{.key = r.uid,
                .title = r.title,
                .level = r.level,
                .status = r.status,
                .source = "database",
                .origin = "db:" + std::to_string(r.id),
                .tags = r.tags,
                .ownerOrgId = r.orgId,
                .enabled = r.enabled,
                .loaded = false,
                .version = r.version,
                .updatedBy = r.updatedBy,
                .updatedAt = r.updatedAt};
    if (auto p = problemByOrigin.find(row.origin); p != problemByOrigin.end()) row.problem = p->second;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const RuleRow& a, const RuleRow& b) { return a.title != b.title ? a.title < b.title : a.key < b.key; });
  return rows;
}

bool containsFolded(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

// The validated fields of an uploaded text; the error is ready to send (400 with the line).
struct Checked {
  DetectionRuleFields fields;
  std::optional<http::Response> refusal;
};

Checked checkUpload(live::RuleManager& mgr, const std::string& yaml) {
  Checked c;
  auto rule = live::checkRule(yaml, "upload", mgr.pipeline(), mgr.compileOptions());
  if (!rule.ok()) {
    c.refusal = ruleTextError(rule.error());
    return c;
  }
  if (rule->id.empty()) {
    c.refusal = ruleTextError(Error::validation(
        "upload:1", "the rule has no `id:`; add one (a UUID, e.g. from `uuidgen`), it names the rule in alerts"));
    return c;
  }
  if (!validUid(rule->id)) {
    c.refusal = ruleTextError(Error::validation(
        "upload:1", "the rule's id '" + rule->id + "' must be letters, digits, '-', '_' or '.' (a UUID)"));
    return c;
  }
  c.fields.uid = rule->id;
  c.fields.title = rule->title.empty() ? rule->id : rule->title;
  c.fields.level = rule->level;
  c.fields.status = rule->status;
  c.fields.tags = rule->tags;
  c.fields.yaml = yaml;
  return c;
}

}  // namespace

void registerRuleRoutes(Api& api) {
  api.add("GET", "/api/v1/rules/status", "rule.status", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    VIGIL_TRY(mayReadRules(c.actor()));
    const live::ReloadStatus s = mgr->status();
    // Refusals of database rules are shown to those who may read the rule.
    VIGIL_ASSIGN_OR_RETURN(auto stored, api.store().listDetectionRules(c.actor()));
    std::set<std::string> visible;
    for (const auto& r : stored) visible.insert("db:" + std::to_string(r.id));
    json::array problems;
    size_t hidden = 0;
    for (const auto& p : s.problems) {
      if (p.origin.rfind("db:", 0) == 0 && !visible.count(p.origin)) {
        ++hidden;
        continue;
      }
      problems.push_back(problemJson(p));
    }
    return jsonResponse(200, json::object{{"version", s.version},
                                          {"rules", s.rules},
                                          {"problems", std::move(problems)},
                                          {"problems_of_other_agencies", hidden},
                                          {"dirs", strings(s.dirs)},
                                          {"last_reload_at", msOrNull(s.lastReloadAt)},
                                          {"last_reason", s.lastReason},
                                          {"last_error", s.lastError},
                                          {"last_error_at", msOrNull(s.lastErrorAt)},
                                          {"reloads", s.reloads},
                                          {"failed_reloads", s.failedReloads},
                                          {"last_compile_seconds", s.lastCompileSeconds}});
  });

  api.add("POST", "/api/v1/rules/validate", "rule.validate", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    VIGIL_TRY(mayReadRules(c.actor()));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto yaml, body.optionalText("yaml", kMaxRuleYamlBytes));
    VIGIL_TRY(body.finish());
    if (!yaml || yaml->empty()) return Error::validation("yaml", "is required");
    Checked checked = checkUpload(*mgr, *yaml);
    if (checked.refusal) return std::move(*checked.refusal);
    const DetectionRuleFields& f = checked.fields;
    return jsonResponse(200, json::object{{"ok", true},
                                          {"id", f.uid},
                                          {"title", f.title},
                                          {"level", f.level},
                                          {"status", f.status},
                                          {"tags", strings(f.tags)}});
  });

  api.add("GET", "/api/v1/rules", "rule.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"q", "level", "tag", "status", "source", "enabled", "offset", "limit"}));
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    const auto status = mgr->status();
    VIGIL_ASSIGN_OR_RETURN(auto rows, visibleRules(api, *mgr, c.actor(), status));
    const std::string q = c.req.queryParam("q").value_or("");
    const std::string level = c.req.queryParam("level").value_or("");
    const std::string tag = c.req.queryParam("tag").value_or("");
    const std::string st = c.req.queryParam("status").value_or("");
    const std::string source = c.req.queryParam("source").value_or("");
    const std::string enabled = c.req.queryParam("enabled").value_or("");
    if (!source.empty() && source != "directory" && source != "database")
      return Error::validation("source", "must be directory or database");
    if (!enabled.empty() && enabled != "true" && enabled != "false")
      return Error::validation("enabled", "must be true or false");
    int64_t offset = 0, limit = 100;
    if (auto v = c.req.queryParam("offset")) {
      VIGIL_ASSIGN_OR_RETURN(offset, queryInt("offset", *v, 0, INT32_MAX));
    }
    if (auto v = c.req.queryParam("limit")) {
      VIGIL_ASSIGN_OR_RETURN(limit, queryInt("limit", *v, 1, kMaxPage));
    }
    json::array items;
    int64_t total = 0;
    std::map<std::string, int64_t> byLevel;
    for (const RuleRow& r : rows) {
      if (!level.empty() && r.level != level) continue;
      if (!st.empty() && r.status != st) continue;
      if (!source.empty() && r.source != source) continue;
      if (!enabled.empty() && r.enabled != (enabled == "true")) continue;
      if (!tag.empty() && std::none_of(r.tags.begin(), r.tags.end(), [&](const std::string& t) {
            return t == tag || (t.size() > tag.size() && t.compare(0, tag.size(), tag) == 0 && t[tag.size()] == '.');
          }))
        continue;
      if (!q.empty() && !containsFolded(r.title, q) && !containsFolded(r.key, q) && !containsFolded(r.origin, q) &&
          std::none_of(r.tags.begin(), r.tags.end(), [&](const std::string& t) { return containsFolded(t, q); }))
        continue;
      ++byLevel[r.level];
      if (total >= offset && total < offset + limit) items.push_back(rowJson(r));
      ++total;
    }
    json::object levels;
    for (const auto& [l, n] : byLevel) levels[l.empty() ? "none" : l] = n;
    return jsonResponse(200, json::object{{"items", std::move(items)},
                                          {"total", total},
                                          {"by_level", std::move(levels)},
                                          {"version", status.version}});
  });

  api.add("POST", "/api/v1/rules", "rule.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto yaml, body.optionalText("yaml", kMaxRuleYamlBytes));
    VIGIL_ASSIGN_OR_RETURN(auto orgId, body.optionalInt("org_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(auto enabled, body.optionalBool("enabled"));
    VIGIL_TRY(body.finish());
    if (!yaml || yaml->empty()) return Error::validation("yaml", "is required");
    Checked checked = checkUpload(*mgr, *yaml);
    if (checked.refusal) return std::move(*checked.refusal);
    DetectionRuleFields f = std::move(checked.fields);
    if (const auto set = mgr->current(); set->find(f.uid) >= 0 && set->meta(set->find(f.uid)).source == "directory")
      return Error::conflict("a rule with id '" + f.uid + "' is loaded from the rules directory (" +
                             set->meta(set->find(f.uid)).origin + "); edit that file or give the new rule another id");
    if (orgId) {
      f.orgId = *orgId;
    } else {
      // Default: the widest agency where the caller may manage rules.
      const auto prefixes = scopePrefixes(c.actor(), Permission::kManageRules);
      if (prefixes.empty()) return Error::forbidden("you may not add detection rules");
      VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
      const std::string& p = prefixes.front();
      const size_t end = p.size() - 1, start = p.rfind('/', end - 1);
      f.orgId = p == "/" ? root.id : std::stoll(p.substr(start + 1, end - start - 1));
    }
    f.enabled = enabled.value_or(true);
    VIGIL_ASSIGN_OR_RETURN(DetectionRule r, api.store().createDetectionRule(c.actor(), f));
    mgr->requestReload("api: rule.create");
    return jsonResponse(201, json::object{{"id", r.uid},
                                          {"title", r.title},
                                          {"version", r.version},
                                          {"org_id", r.orgId},
                                          {"enabled", r.enabled},
                                          {"reload", "requested"}});
  });

  api.add("GET", "/api/v1/rules/{id}", "rule.get", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    const std::string uid = c.req.params["id"];
    // A caller who may read no rule gets what a missing rule gives (404), like any object out of scope.
    if (!mayReadRules(c.actor()).ok()) return Error::notFound("rule '" + uid + "' not found");
    const auto status = mgr->status();
    VIGIL_ASSIGN_OR_RETURN(auto rows, visibleRules(api, *mgr, c.actor(), status));
    auto it = std::find_if(rows.begin(), rows.end(), [&](const RuleRow& r) { return r.key == uid; });
    if (it == rows.end()) return Error::notFound("rule '" + uid + "' not found");
    json::object out = rowJson(*it);
    if (it->source == "database") {
      VIGIL_ASSIGN_OR_RETURN(DetectionRule r, api.store().getDetectionRule(c.actor(), uid));
      out["yaml"] = r.yaml;
      out["version"] = r.version;
      out["created_by"] = r.createdBy;
      out["created_at"] = msOrNull(r.createdAt);
    } else {
      out["yaml"] = mgr->directoryText(it->origin);
    }
    VIGIL_ASSIGN_OR_RETURN(auto settings, api.store().listRuleAgencySettings(c.actor(), uid));
    json::array agencies;
    for (const auto& s : settings)
      agencies.push_back(json::object{{"org_id", s.orgId},
                                      {"org_name", s.orgName},
                                      {"enabled", s.enabled},
                                      {"updated_by", s.updatedBy},
                                      {"updated_at", msOrNull(s.updatedAt)}});
    out["agencies"] = std::move(agencies);
    return jsonResponse(200, out);
  });

  api.add("PUT", "/api/v1/rules/{id}", "rule.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    const std::string uid = c.req.params["id"];
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto yaml, body.optionalText("yaml", kMaxRuleYamlBytes));
    VIGIL_ASSIGN_OR_RETURN(auto version, body.optionalInt("version", 1, INT64_MAX));
    VIGIL_TRY(body.finish());
    if (!yaml || yaml->empty()) return Error::validation("yaml", "is required");
    if (const auto set = mgr->current(); set->find(uid) >= 0 && set->meta(set->find(uid)).source == "directory")
      return Error::conflict("rule '" + uid + "' comes from the rules directory (" + set->meta(set->find(uid)).origin +
                             "); edit the file there, the change is picked up by itself");
    VIGIL_ASSIGN_OR_RETURN(DetectionRule cur, api.store().getDetectionRule(c.actor(), uid));
    Checked checked = checkUpload(*mgr, *yaml);
    if (checked.refusal) return std::move(*checked.refusal);
    DetectionRuleFields f = std::move(checked.fields);
    f.orgId = cur.orgId;
    f.enabled = cur.enabled;
    VIGIL_ASSIGN_OR_RETURN(DetectionRule r, api.store().updateDetectionRule(c.actor(), uid, f, version.value_or(0)));
    mgr->requestReload("api: rule.update");
    return jsonResponse(200, json::object{{"id", r.uid}, {"version", r.version}, {"reload", "requested"}});
  });

  api.add("PATCH", "/api/v1/rules/{id}", "rule.enable", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    const std::string uid = c.req.params["id"];
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto enabled, body.optionalBool("enabled"));
    VIGIL_TRY(body.finish());
    if (!enabled) return Error::validation("enabled", "is required (true or false)");
    const auto set = mgr->current();
    if (const int i = set->find(uid); i >= 0 && set->meta(i).source == "directory") {
      VIGIL_TRY(mayReadRules(c.actor()));
      VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
      VIGIL_TRY(api.store().setRuleAgency(c.actor(), uid, root.id, *enabled, true));
    } else {
      VIGIL_TRY(api.store().setDetectionRuleEnabled(c.actor(), uid, *enabled));
    }
    mgr->requestReload(std::string("api: rule.") + (*enabled ? "enable" : "disable"));
    return jsonResponse(200, json::object{{"id", uid}, {"enabled", *enabled}, {"reload", "requested"}});
  });

  api.add("PUT", "/api/v1/rules/{id}/agencies/{org}", "rule.agency", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
            const std::string uid = c.req.params["id"];
            VIGIL_ASSIGN_OR_RETURN(int64_t orgId, queryInt("org", c.req.params["org"], 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(std::string state, body.requiredString("state", 10));
            VIGIL_TRY(body.finish());
            std::optional<bool> on;
            if (state == "on") {
              on = true;
            } else if (state == "off") {
              on = false;
            } else if (state != "inherit") {
              return Error::validation("state", "must be on, off or inherit");
            }
            const auto set = mgr->current();
            const int i = set->find(uid);
            const bool directory = i >= 0 && set->meta(i).source == "directory";
            if (directory) VIGIL_TRY(mayReadRules(c.actor()));
            VIGIL_TRY(api.store().setRuleAgency(c.actor(), uid, orgId, on, directory));
            mgr->requestReload("api: rule.agency");
            return jsonResponse(
                200, json::object{{"id", uid}, {"org_id", orgId}, {"state", state}, {"reload", "requested"}});
          });

  api.add("DELETE", "/api/v1/rules/{id}", "rule.delete", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto* mgr, manager(api));
    const std::string uid = c.req.params["id"];
    if (const auto set = mgr->current(); set->find(uid) >= 0 && set->meta(set->find(uid)).source == "directory")
      return Error::conflict("rule '" + uid + "' comes from the rules directory (" + set->meta(set->find(uid)).origin +
                             "); remove the file there, or disable the rule");
    VIGIL_TRY(api.store().deleteDetectionRule(c.actor(), uid));
    mgr->requestReload("api: rule.delete");
    return http::Response::noContent();
  });
}

}  // namespace vigil::api
