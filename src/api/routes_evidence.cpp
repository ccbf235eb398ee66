// Incident evidence and response plans (issue 4, "Evidence" and "Response plans"):
//   /api/v1/incidents/{id}/evidence            upload (raw body), list
//   /api/v1/incidents/{id}/evidence/{item}     one item with its custody log; /custody, /verify, /file
//   /api/v1/incidents/{id}/evidence/bundle     the export bundle (ZIP), recipient and reason in custody
//   /api/v1/incidents/{id}/export/stix|misp    the incident's observables for sharing (optional TLP)
//   /api/v1/response-plans                     the shipped plans with their tasks
//   /api/v1/systems/{id}/plans                 plans attached to an information system
//   /api/v1/incidents/{id}/plans               plans applied to an incident (apply: its tasks)
//
// Scoping, rights and audit are the store's (EvidenceStore: the incident's kReadIncidents /
// kHandleIncidents; the registry's rights for system plans). The files are the vault's
// (evidence/vault.h): content-addressed under evidence_dir, never changed. An upload larger than
// evidence.max_file_bytes is refused by the HTTP server with 413 before its body is read (the
// route's body limit), and by the vault again before anything is written.
#include <algorithm>
#include <charconv>

#include "api/api.h"
#include "api/json_io.h"
#include "evidence/sharing.h"
#include "evidence/vault.h"
#include "incident/process_catalog.h"
#include "incident/response_plan.h"

namespace vigil::api {

namespace {

constexpr const char* kUploadRoute = "/api/v1/incidents/{id}/evidence";

json::value timeJson(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

Status needEvidence(Api& api) {
  if (api.evidenceDir().empty() || api.evidenceMaxFileBytes() <= 0)
    return Error::unavailable("evidence storage is not configured on this server");
  return {};
}

evidence::EvidenceVault vaultOf(Api& api) {
  return evidence::EvidenceVault(api.store(), api.evidenceDir(), api.evidenceMaxFileBytes());
}

// A positive integer path parameter other than {id}.
Result<int64_t> pathInt(const Ctx& c, const char* name) {
  auto it = c.req.params.find(name);
  if (it == c.req.params.end()) return Error::badRequest(std::string("missing ") + name);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v <= 0)
    return Error::notFound("no evidence item with id '" + it->second + "'");
  return v;
}

json::object custodyJson(const CustodyEntry& c) {
  return {{"id", c.id}, {"action", c.action}, {"at", timeJson(c.at)},        {"by", c.by},
          {"to", c.to}, {"reason", c.reason}, {"recorded_by", c.recordedBy}, {"recorded_at", timeJson(c.recordedAt)}};
}

json::object itemJson(const EvidenceItem& e) {
  json::array custody;
  for (const auto& c : e.custody) custody.push_back(custodyJson(c));
  return {{"id", e.id},
          {"incident_id", e.incidentId},
          {"org_id", e.orgId},
          {"org_name", e.orgName},
          {"name", e.name},
          {"media_type", e.mediaType},
          {"size", e.size},
          {"sha256", e.sha256},
          {"description", e.description},
          {"collected_by", e.collectedBy},
          {"collected_at", timeJson(e.collectedAt)},
          {"recorded_by", e.recordedBy},
          {"recorded_at", timeJson(e.recordedAt)},
          {"custody", std::move(custody)}};
}

// The item {item} of incident {id}; an item of another incident is not found here.
Result<EvidenceItem> itemOf(Api& api, const Ctx& c, int64_t incidentId) {
  VIGIL_ASSIGN_OR_RETURN(int64_t itemId, pathInt(c, "item"));
  VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, api.store().getIncidentEvidence(c.actor(), itemId));
  if (e.incidentId != incidentId)
    return Error::notFound("evidence item " + std::to_string(itemId) + " is not evidence of incident " +
                           std::to_string(incidentId));
  return e;
}

// An optional RFC 3339 instant from the query; the error names the parameter.
Result<TimeMs> queryTime(const http::Request& req, const char* name) {
  auto v = req.queryParam(name);
  if (!v || v->empty()) return TimeMs{0};
  auto t = parseRfc3339(*v);
  if (!t) return Error::validation(name, "must be an RFC 3339 time such as 2026-03-06T10:15:00+07:00");
  return *t;
}

// The incident's observables as the sharing module's (evidence/sharing.h): a hash by its length,
// "file" as a file name. kValidation naming observables[i] for a value it cannot share.
Result<std::vector<evidence::Observable>> sharedObservables(const Incident& inc) {
  std::vector<evidence::Observable> out;
  for (size_t k = 0; k < inc.observables.size(); ++k) {
    const auto& o = inc.observables[k];
    std::string kind = o.type;
    if (o.type == "hash") {
      kind = o.value.size() == 32 ? "md5" : o.value.size() == 40 ? "sha1" : o.value.size() == 64 ? "sha256" : "";
      if (kind.empty())
        return Error::validation("observables[" + std::to_string(k) + "]",
                                 "hash '" + o.value + "' is neither MD5, SHA-1 nor SHA-256 (32, 40 or 64 hex digits)");
    } else if (o.type == "file") {
      kind = "filename";
    }
    auto parsed = evidence::parseObservableKind(kind, o.value);
    if (!parsed.ok()) return Error::validation("observables[" + std::to_string(k) + "]", parsed.error().message);
    evidence::Observable s;
    s.kind = *parsed;
    s.value = o.value;
    s.firstSeen = o.addedAt;
    out.push_back(std::move(s));
  }
  if (out.empty()) return Error::validation("observables", "the incident has no observables to share");
  return out;
}

Result<evidence::SharingContext> sharingContext(const Ctx& c, const Incident& inc) {
  VIGIL_TRY(onlyQueryParams(c.req, {"tlp"}));
  evidence::SharingContext ctx{"vigil:incident:" + std::to_string(inc.id), inc.title, inc.orgName, inc.detectedAt,
                               std::nullopt};
  if (auto t = c.req.queryParam("tlp"); t && !t->empty()) {
    ctx.tlp = evidence::parseTlp(*t);
    if (!ctx.tlp) return Error::validation("tlp", "must be clear, white, green, amber or red (got '" + *t + "')");
  }
  return ctx;
}

http::Response download(std::string bytes, const std::string& contentType, const std::string& name) {
  auto r = http::Response::text(200, std::move(bytes), contentType);
  r.setHeader("Content-Disposition", contentDisposition(name));
  r.setHeader("X-Content-Type-Options", "nosniff");
  // Never rendered as a page, even if a browser is told to open it.
  r.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
  return r;
}

// --- plans

Status needPlans(Api& api) {
  if (!api.plans() || !api.processes() || !api.workingCalendar())
    return Error::unavailable("the response plans are not loaded on this server");
  return {};
}

json::object sourceJson(const std::optional<compliance::Source>& s) {
  if (!s) return {};
  return {{"document", s->document}, {"article", s->article}, {"clause", s->clause}, {"cite", s->cite()}};
}

json::object planJson(const incident::ResponsePlan& p) {
  json::array tasks;
  for (const auto& t : p.tasks) {
    json::object steps;
    for (const auto& [process, step] : t.steps) steps[process] = step;
    tasks.push_back(
        json::object{{"id", t.id},
                     {"title", t.title},
                     {"description", t.description},
                     {"priority", incident::taskPriorityName(t.priority)},
                     {"lead", t.lead},
                     {"due", json::object{{"unit", incident::limitUnitName(t.due.unit)}, {"amount", t.due.amount}}},
                     {"steps", std::move(steps)},
                     {"source", t.source ? json::value(sourceJson(t.source)) : json::value(nullptr)}});
  }
  json::array processes;
  for (const auto& id : p.processes) processes.push_back(json::value(id));
  return {{"id", p.id},
          {"version", p.version},
          {"title", p.title},
          {"name", p.name},
          {"summary", p.summary},
          {"processes", std::move(processes)},
          {"tasks", std::move(tasks)}};
}

json::object appliedJson(const AppliedPlan& a) {
  json::value tasks = json::parse(a.tasksJson);
  return {{"plan_id", a.planId},
          {"plan_version", a.planVersion},
          {"applied_by", a.appliedBy},
          {"applied_at", timeJson(a.appliedAt)},
          {"tasks", std::move(tasks)}};
}

Result<std::shared_ptr<const incident::ResponsePlan>> planOf(Api& api, const std::string& id) {
  auto p = api.plans()->find(id);
  if (p) return p;
  std::string known;
  for (const auto& q : api.plans()->all()) known += (known.empty() ? "" : ", ") + q->id;
  return Error::validation("plan_id", "unknown response plan '" + id + "' (known: " + known + ")");
}

// The plan ids attached to the incident's system, when it has one the actor may see.
std::vector<std::string> attachedPlanIds(Api& api, const Actor& actor, const Incident& inc) {
  std::vector<std::string> out;
  if (!inc.systemId) return out;
  auto list = api.store().listSystemPlans(actor, *inc.systemId);
  if (list.ok())
    for (const auto& p : *list) out.push_back(p.planId);
  return out;
}

}  // namespace

void registerEvidenceRoutes(Api& api) {
  // The upload's body limit is the configured file limit: a larger body is refused with 413
  // before it is read, and nothing is stored.
  if (api.evidenceMaxFileBytes() > 0) api.setBodyLimit("POST", kUploadRoute, api.evidenceMaxFileBytes());

  // The file is the raw request body; name (required), description, reason, collected_by and
  // collected_at are query parameters. The media type is taken from the content, never from the
  // request.
  api.add("POST", kUploadRoute, "evidence.collect", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needEvidence(api));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    // Scope first (an incident out of scope is 404 whatever was sent): nothing is read or written
    // for an incident the caller may not see.
    VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
    // The right to record, before any byte is written (the store checks it again with the item).
    if (!allows(c.actor(), Permission::kHandleIncidents, inc.orgPath))
      return Error::forbidden("you may not handle the incidents of '" + inc.orgName + "'");
    VIGIL_TRY(onlyQueryParams(c.req, {"name", "description", "reason", "collected_by", "collected_at"}));
    EvidenceDraft d;
    d.incidentId = id;
    VIGIL_ASSIGN_OR_RETURN(d.name, cleanText("name", c.req.queryParam("name").value_or(""), 255, false));
    VIGIL_ASSIGN_OR_RETURN(d.description,
                           cleanText("description", c.req.queryParam("description").value_or(""), 2000, true));
    VIGIL_ASSIGN_OR_RETURN(d.reason, cleanText("reason", c.req.queryParam("reason").value_or(""), 500, true));
    VIGIL_ASSIGN_OR_RETURN(d.collectedBy,
                           cleanText("collected_by", c.req.queryParam("collected_by").value_or(""), 200, true));
    VIGIL_ASSIGN_OR_RETURN(d.collectedAt, queryTime(c.req, "collected_at"));
    // Checked here too (the store checks it again) so that nothing is written for a bad request.
    if (d.collectedAt > api.clock().nowMs()) return Error::validation("collected_at", "is in the future");
    if (d.name.find_first_of("/\\") != std::string::npos)
      return Error::validation("name", "must be a file name without folders ('/' or '\\')");
    if (c.req.body.empty()) return Error::validation("body", "the file is empty: send its bytes as the request body");
    auto vault = vaultOf(api);
    VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, vault.collect(c.actor(), d, c.req.body));
    return jsonResponse(201, itemJson(e));
  });

  api.add("GET", kUploadRoute, "evidence.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto items, api.store().listIncidentEvidence(c.actor(), id));
    json::array out;
    for (const auto& e : items) out.push_back(itemJson(e));
    return jsonResponse(200, json::object{{"items", std::move(out)}, {"max_file_bytes", api.evidenceMaxFileBytes()}});
  });

  api.add("GET", "/api/v1/incidents/{id}/evidence/{item}", "evidence.get", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, itemOf(api, c, id));
            return jsonResponse(200, itemJson(e));
          });

  // A custody entry: the item went to someone (transferred, handed_over). "exported" is written
  // by the bundle route.
  api.add("POST", "/api/v1/incidents/{id}/evidence/{item}/custody", "evidence.custody", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, itemOf(api, c, id));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            CustodyDraft d;
            VIGIL_ASSIGN_OR_RETURN(d.action, body.requiredString("action", 20));
            if (d.action != "transferred" && d.action != "handed_over")
              return Error::validation("action", "must be transferred or handed_over (got '" + d.action + "')");
            VIGIL_ASSIGN_OR_RETURN(d.to, body.requiredString("to", 200));
            VIGIL_ASSIGN_OR_RETURN(d.reason, body.requiredString("reason", 500));
            VIGIL_ASSIGN_OR_RETURN(auto by, body.optionalString("by", 200));
            VIGIL_ASSIGN_OR_RETURN(auto at, body.optionalString("at", 40, false));
            VIGIL_TRY(body.finish());
            d.by = by.value_or("");
            if (at) {
              auto t = parseRfc3339(*at);
              if (!t) return Error::validation("at", "must be an RFC 3339 time such as 2026-03-06T10:15:00+07:00");
              d.at = *t;
            }
            VIGIL_ASSIGN_OR_RETURN(CustodyEntry entry, api.store().addCustodyEntry(c.actor(), e.id, d));
            return jsonResponse(201, custodyJson(entry));
          });

  // Hashes the stored file again; a changed or missing file is reported (intact false), not an error.
  api.add("GET", "/api/v1/incidents/{id}/evidence/{item}/verify", "evidence.verify", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needEvidence(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, itemOf(api, c, id));
            VIGIL_ASSIGN_OR_RETURN(auto v, vaultOf(api).verify(c.actor(), e.id));
            return jsonResponse(200, json::object{{"id", v.id},
                                                  {"intact", v.intact},
                                                  {"recorded_sha256", v.recordedSha256},
                                                  {"actual_sha256", v.actualSha256},
                                                  {"recorded_size", v.recordedSize},
                                                  {"actual_size", v.actualSize},
                                                  {"detail", v.detail},
                                                  {"checked_at", timeJson(api.clock().nowMs())}});
          });

  // The stored bytes, always as a download (application/octet-stream, attachment, nosniff).
  api.add("GET", "/api/v1/incidents/{id}/evidence/{item}/file", "evidence.download", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needEvidence(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, itemOf(api, c, id));
            auto bytes = vaultOf(api).content(c.actor(), e.id);
            if (!bytes.ok())
              return Error::conflict("the stored file of evidence item " + std::to_string(e.id) +
                                     " cannot be read: " + bytes.error().message);
            auto r = download(std::move(bytes).value(), "application/octet-stream", e.name);
            r.setHeader("X-Evidence-Sha256", e.sha256);
            return r;
          });

  // The export bundle of every item (ZIP: manifest.json, SHA256SUMS, the files); each item gets
  // an "exported" custody entry naming the recipient, the reason and the manifest's SHA-256.
  api.add("POST", "/api/v1/incidents/{id}/evidence/bundle", "evidence.bundle", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needEvidence(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            (void)inc;
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(std::string to, body.requiredString("to", 200));
            VIGIL_ASSIGN_OR_RETURN(std::string reason, body.requiredString("reason", 500));
            VIGIL_TRY(body.finish());
            const evidence::BundleHeader header{id, c.actor().name, api.clock().nowMs(), api.version()};
            VIGIL_ASSIGN_OR_RETURN(auto bundle, vaultOf(api).exportBundle(c.actor(), id, to, reason, header));
            auto r = download(std::move(bundle.zip), "application/zip",
                              "incident-" + std::to_string(id) + "-evidence-bundle.zip");
            r.setHeader("X-Bundle-Manifest-Sha256", bundle.manifestSha256);
            return r;
          });

  api.add("GET", "/api/v1/incidents/{id}/export/stix", "incident.export_stix", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto ctx, sharingContext(c, inc));
            VIGIL_ASSIGN_OR_RETURN(auto obs, sharedObservables(inc));
            VIGIL_ASSIGN_OR_RETURN(std::string text, evidence::stixBundle(ctx, obs));
            return download(std::move(text), "application/stix+json;version=2.1",
                            "incident-" + std::to_string(id) + "-stix.json");
          });

  api.add("GET", "/api/v1/incidents/{id}/export/misp", "incident.export_misp", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto ctx, sharingContext(c, inc));
            VIGIL_ASSIGN_OR_RETURN(auto obs, sharedObservables(inc));
            VIGIL_ASSIGN_OR_RETURN(std::string text, evidence::mispEvent(ctx, obs));
            return download(std::move(text), "application/json", "incident-" + std::to_string(id) + "-misp.json");
          });

  // --- response plans

  api.add("GET", "/api/v1/response-plans", "plan.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needPlans(api));
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    json::array items;
    for (const auto& p : api.plans()->all()) items.push_back(planJson(*p));
    return jsonResponse(200, json::object{{"items", std::move(items)}});
  });

  api.add("GET", "/api/v1/systems/{id}/plans", "system.plan_list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listSystemPlans(c.actor(), id));
            json::array items;
            for (const auto& p : list) {
              auto plan = api.plans() ? api.plans()->find(p.planId) : nullptr;
              items.push_back(json::object{{"plan_id", p.planId},
                                           {"name", plan ? json::value(plan->name) : json::value(nullptr)},
                                           {"attached_by", p.attachedBy},
                                           {"attached_at", timeJson(p.attachedAt)}});
            }
            return jsonResponse(200, json::object{{"items", std::move(items)}});
          });

  api.add("POST", "/api/v1/systems/{id}/plans", "system.plan_attach", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needPlans(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().listSystemPlans(c.actor(), id));  // scope first: 404 out of scope
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(std::string planId, body.requiredString("plan_id", 64));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto plan, planOf(api, planId));
            VIGIL_ASSIGN_OR_RETURN(SystemPlan p, api.store().attachPlan(c.actor(), id, plan->id));
            return jsonResponse(201, json::object{{"plan_id", p.planId},
                                                  {"name", plan->name},
                                                  {"attached_by", p.attachedBy},
                                                  {"attached_at", timeJson(p.attachedAt)}});
          });

  api.add("DELETE", "/api/v1/systems/{id}/plans/{plan}", "system.plan_detach", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_TRY(api.store().detachPlan(c.actor(), id, c.req.params["plan"]));
            return http::Response::noContent();
          });

  // The plans applied to the incident, and the ones attached to its system (offered first).
  api.add("GET", "/api/v1/incidents/{id}/plans", "incident.plan_list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto applied, api.store().listAppliedPlans(c.actor(), id));
            json::array a, attached;
            for (const auto& p : applied) a.push_back(appliedJson(p));
            for (const auto& p : attachedPlanIds(api, c.actor(), inc)) attached.push_back(json::value(p));
            return jsonResponse(200, json::object{{"applied", std::move(a)}, {"system_plans", std::move(attached)}});
          });

  // Applies a plan: its tasks for the incident's process, due dates counted from the detection
  // time on the working calendar (incident/response_plan.h tasksFor), become the incident's tasks.
  api.add("POST", "/api/v1/incidents/{id}/plans", "incident.plan_apply", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needPlans(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(std::string planId, body.requiredString("plan_id", 64));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto plan, planOf(api, planId));
            auto process = api.processes()->find(inc.processId, inc.processVersion);
            if (!process)
              return Error::internal("process " + inc.processId + "@v" + std::to_string(inc.processVersion) +
                                     " of incident " + std::to_string(id) + " is no longer in the catalogs");
            auto tasks = incident::tasksFor(*plan, *process, inc.detectedAt, *api.workingCalendar());
            if (!tasks.ok()) return Error::validation("plan_id", tasks.error().message);
            PlanApplication app{plan->id, plan->version, plan->name, {}};
            for (const auto& t : *tasks) {
              json::object detail{{"priority", incident::taskPriorityName(t.priority)},
                                  {"lead", t.lead},
                                  {"step", t.step},
                                  {"phase", t.phase},
                                  {"due_date", t.dueDate},
                                  {"provisional", t.provisional},
                                  {"note", t.note},
                                  {"source", t.source ? json::value(sourceJson(t.source)) : json::value(nullptr)}};
              app.tasks.push_back({t.taskId, t.title, t.dueAt > 0 ? std::optional<TimeMs>(t.dueAt) : std::nullopt,
                                   json::serialize(detail)});
            }
            VIGIL_ASSIGN_OR_RETURN(AppliedPlan applied, api.store().applyPlan(c.actor(), id, app));
            return jsonResponse(201, appliedJson(applied));
          });
}

}  // namespace vigil::api
