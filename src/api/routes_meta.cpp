// Health, metrics, version, the OpenAPI document, first-run setup and security settings.
#include <algorithm>

#include "api/api.h"
#include "api/json_io.h"
#include "collect/collector.h"
#include "eventstore/event_store.h"

namespace vigil::api {

namespace {

// The event store's and the collector's figures, read when /metrics is scraped (no counter to
// keep in step on the hot path). Totals only: per-sender figures are on the sources page.
void publishCollectionMetrics(Api& api) {
  Metrics& m = api.metrics();
  if (eventstore::EventStore* events = api.events()) {
    const eventstore::Stats s = events->stats();
    m.describe("vigil_eventstore_events", Metrics::Type::kGauge, "Events stored durably (sealed or in the log).");
    m.set("vigil_eventstore_events", "", static_cast<double>(s.events));
    m.describe("vigil_eventstore_disk_bytes", Metrics::Type::kGauge, "Bytes on disk: day files and write-ahead log.");
    m.set("vigil_eventstore_disk_bytes", "", static_cast<double>(s.diskBytes));
    m.describe("vigil_eventstore_raw_bytes", Metrics::Type::kGauge, "Bytes of the raw messages stored.");
    m.set("vigil_eventstore_raw_bytes", "", static_cast<double>(s.rawBytes));
    m.describe("vigil_eventstore_queued_bytes", Metrics::Type::kGauge, "Bytes accepted and not yet durable.");
    m.set("vigil_eventstore_queued_bytes", "", static_cast<double>(s.queuedBytes));
    m.describe("vigil_eventstore_rejected_events", Metrics::Type::kGauge,
               "Events refused because the queue was full (the sender was told to retry).");
    m.set("vigil_eventstore_rejected_events", "", static_cast<double>(s.rejectedEvents));
  }
  if (collect::Collector* collector = api.collector()) {
    uint64_t dropped[collect::kInputCount] = {}, parseErrors[collect::kInputCount] = {};
    for (const collect::SenderStats& s : collector->senders()) {
      dropped[static_cast<size_t>(s.input)] += s.dropped;
      parseErrors[static_cast<size_t>(s.input)] += s.parseErrors;
    }
    m.describe("vigil_collect_dropped_total", Metrics::Type::kCounter,
               "Messages lost for good per input (UDP under push-back, refused undeclared senders).");
    m.describe("vigil_collect_parse_errors_total", Metrics::Type::kCounter,
               "Messages kept with generic fields only, or lines refused, per input.");
    for (size_t i = 0; i < collect::kInputCount; ++i) {
      const std::string labels =
          "input=\"" + Metrics::labelValue(collect::inputName(static_cast<collect::Input>(i))) + "\"";
      m.set("vigil_collect_dropped_total", labels, static_cast<double>(dropped[i]));
      m.set("vigil_collect_parse_errors_total", labels, static_cast<double>(parseErrors[i]));
    }
  }
}

}  // namespace

void registerMetaRoutes(Api& api) {
  api.add("GET", "/healthz", "health", Access::kPublic,
          [](Ctx&) -> Result<http::Response> { return http::Response::text(200, "ok\n"); });

  api.add("GET", "/readyz", "ready", Access::kPublic, [&api](Ctx&) -> Result<http::Response> {
    auto st = api.store().ping();
    if (!st.ok()) return http::Response::text(503, "store not ready: " + st.error().message + "\n");
    return http::Response::text(200, "ready\n");
  });

  api.add("GET", "/metrics", "metrics", Access::kPublic, [&api](Ctx&) -> Result<http::Response> {
    publishCollectionMetrics(api);
    return http::Response::text(200, api.metrics().render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  api.add("GET", "/api/v1/version", "version", Access::kPublic, [&api](Ctx&) -> Result<http::Response> {
    return jsonResponse(200, json::object{{"version", api.version()}});
  });

  api.add("GET", "/api/v1/openapi.json", "openapi", Access::kPublic,
          [](Ctx&) -> Result<http::Response> { return http::Response::json(200, std::string(openApiDocument())); });

  api.add("GET", "/api/v1/setup", "setup.status", Access::kPublic, [&api](Ctx&) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(bool done, api.store().setupDone());
    VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
    return jsonResponse(200, json::object{{"needs_setup", !done}, {"province_name", done ? root.name : ""}});
  });

  api.add("POST", "/api/v1/setup", "setup.complete", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto name, body.requiredString("province_name", 200));
    VIGIL_TRY(body.finish());
    VIGIL_ASSIGN_OR_RETURN(Org root, api.store().completeSetup(c.actor(), name));
    return jsonResponse(200, toJson(root));
  });

  api.add("GET", "/api/v1/settings/security", "settings.security.read", Access::kUser,
          [&api](Ctx&) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto s, api.store().securitySettings());
            return jsonResponse(200, toJson(s));
          });

  api.add("PUT", "/api/v1/settings/security", "settings.security.update", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            SecuritySettings s;
            // The floors are the national baseline; an operator may be stricter, never looser.
            VIGIL_ASSIGN_OR_RETURN(auto withMfa, body.requiredInt("password_min_length_with_mfa", 8, 128));
            VIGIL_ASSIGN_OR_RETURN(auto withoutMfa, body.requiredInt("password_min_length_without_mfa", 14, 128));
            VIGIL_ASSIGN_OR_RETURN(auto inactive, body.requiredInt("inactive_days", 1, 45));
            VIGIL_ASSIGN_OR_RETURN(auto idle, body.requiredInt("session_idle_minutes", 5, 1440));
            VIGIL_ASSIGN_OR_RETURN(auto absolute, body.requiredInt("session_absolute_hours", 1, 168));
            VIGIL_ASSIGN_OR_RETURN(auto threshold, body.requiredInt("lockout_threshold", 3, 100));
            VIGIL_ASSIGN_OR_RETURN(auto lockMinutes, body.requiredInt("lockout_minutes", 1, 1440));
            VIGIL_ASSIGN_OR_RETURN(const json::array* roles, body.requiredArray("mfa_required_roles", 5));
            VIGIL_TRY(body.finish());
            s.passwordMinLengthWithMfa = static_cast<int>(withMfa);
            s.passwordMinLengthWithoutMfa = static_cast<int>(withoutMfa);
            s.inactiveDays = static_cast<int>(inactive);
            s.sessionIdleMinutes = static_cast<int>(idle);
            s.sessionAbsoluteHours = static_cast<int>(absolute);
            s.lockoutThreshold = static_cast<int>(threshold);
            s.lockoutMinutes = static_cast<int>(lockMinutes);
            s.mfaRequiredRoles.clear();
            for (const auto& r : *roles) {
              auto role = r.is_string() ? parseRole(std::string(r.as_string())) : std::nullopt;
              if (!role) return Error::validation("mfa_required_roles", "must list role names");
              if (std::find(s.mfaRequiredRoles.begin(), s.mfaRequiredRoles.end(), *role) == s.mfaRequiredRoles.end())
                s.mfaRequiredRoles.push_back(*role);
            }
            if (std::find(s.mfaRequiredRoles.begin(), s.mfaRequiredRoles.end(), Role::kAdministrator) ==
                s.mfaRequiredRoles.end())
              return Error::validation("mfa_required_roles",
                                       "must include administrator: administrators always use "
                                       "two-step login");
            VIGIL_ASSIGN_OR_RETURN(auto stored, api.store().putSecuritySettings(c.actor(), s));
            api.auth().invalidateSettings();
            return jsonResponse(200, toJson(stored));
          });
}

}  // namespace vigil::api
