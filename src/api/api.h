// Api: the HTTP face of vigil. It owns the route table and the request pipeline:
//   static UI files | router -> authentication -> CSRF -> forced-step gate -> handler
//   -> audit of refused state changes -> metrics.
// Handlers are registered per module in routes_*.cpp, from one place (Api::Api). Thread-safe
// after construction.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "calendar/working_calendar.h"
#include "compliance/checklist_catalog.h"
#include "compliance/regime_catalog.h"
#include "compliance/schedule_catalog.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "http/message.h"
#include "http/router.h"
#include "store/store.h"

namespace vigil::documents {
class FormLibrary;
}
namespace vigil::eventstore {
class EventStore;
}
namespace vigil::collect {
class Collector;
}
namespace vigil::alerts {
class AlertFeed;
}
namespace vigil::incident {
class ProcessLibrary;
class ClassificationCatalog;
class PlanLibrary;
}  // namespace vigil::incident
namespace vigil::notify {
class Dispatcher;
}
namespace vigil::detect::live {
class RuleManager;
class HuntRunner;
}  // namespace vigil::detect::live

namespace vigil::api {

class StaticFiles;

// Who may call a route.
enum class Access {
  kPublic,       // no authentication
  kUser,         // an authenticated user or token with no pending forced step
  kUserPending,  // authenticated; allowed while a password change or MFA enrolment is pending
};

// What a handler sees.
struct Ctx {
  http::Request& req;
  std::optional<auth::Principal> principal;
  const Actor& actor() const { return principal->actor; }
  // The {id} path parameter as a positive integer.
  Result<int64_t> id() const;
};

using RouteFn = std::function<Result<http::Response>(Ctx&)>;

struct ApiDeps {
  Store& store;
  auth::Authenticator& auth;
  Metrics& metrics;
  const Clock& clock;
  std::string version;
  std::string webRoot;  // directory of the built UI; empty or missing: the API only
  // The legal regimes of levelled security, loaded at start (catalogs/regimes/).
  std::vector<std::shared_ptr<const compliance::RegimeCatalog>> regimes;
  // The working-day calendar of state bodies (catalogs/calendar/vn.toml), for legal deadlines.
  std::shared_ptr<const calendar::WorkingCalendar> calendar;
  // The registry: where dossier attachments are kept (empty: uploads refused) and its limits.
  std::string blobDir;
  RegistryConfig registry{};
  // The official forms (catalogs/templates/): dossier forms and annual reports as DOCX/XLSX.
  std::shared_ptr<const documents::FormLibrary> forms;
  // Assessments: the checklists and the legal schedules, loaded at start (catalogs/checklists/,
  // catalogs/schedules/).
  std::vector<std::shared_ptr<const compliance::ChecklistCatalog>> checklists{};
  std::vector<std::shared_ptr<const compliance::ScheduleCatalog>> schedules{};
  // Log collection: the event store (search) and the collector (HTTP ingest). Null: those routes
  // answer 503. Both outlive the Api.
  eventstore::EventStore* events = nullptr;
  collect::Collector* collector = nullptr;
  // The alert queue's wake-ups for the long-poll changes route (outlives the Api). Null: that
  // route answers at once.
  alerts::AlertFeed* alertFeed = nullptr;
  // Incidents: every version of the response processes (catalogs/incident/processes/) and the
  // classification (catalogs/incident/classification.toml). Null: the incident routes answer 503.
  std::shared_ptr<const incident::ProcessLibrary> processes{};
  std::shared_ptr<const incident::ClassificationCatalog> classification{};
  // Notifications: seals channel secrets and sends test messages (outlives the Api). Null: the
  // routes that need it answer 503.
  notify::Dispatcher* notifier = nullptr;
  // Live detection (issue 6): the rule manager (rules routes, reload status) and the retro-hunt
  // runner. Null: those routes answer 503. Both outlive the Api.
  detect::live::RuleManager* rules = nullptr;
  detect::live::HuntRunner* hunts = nullptr;
  // Incident evidence (routes_evidence.cpp): where the files are kept (<data_dir>/evidence; empty:
  // the evidence routes answer 503) and evidence.max_file_bytes (also the upload's body limit).
  std::string evidenceDir{};
  int64_t evidenceMaxFileBytes = 0;
  // The response plans (catalogs/incident/plans/). Null: the plan routes answer 503.
  std::shared_ptr<const incident::PlanLibrary> plans{};
  // Called after an incident is created or continues under another process (hand-over), with the
  // new record; vigil serve publishes an incident_created notice. Must not block. Empty: nothing.
  std::function<void(const Incident&)> incidentCreated{};
};

class Api {
 public:
  explicit Api(ApiDeps deps);
  ~Api();
  http::Response handle(http::Request& req);
  const http::Router& router() const { return router_; }

  // Registration, used by the routes_*.cpp files.
  void add(const char* method, const char* pattern, const char* action, Access access, RouteFn fn);
  Store& store() { return deps_.store; }
  auth::Authenticator& auth() { return deps_.auth; }
  const Clock& clock() const { return deps_.clock; }
  Metrics& metrics() { return deps_.metrics; }
  const std::string& version() const { return deps_.version; }
  const std::vector<std::shared_ptr<const compliance::RegimeCatalog>>& regimes() const { return deps_.regimes; }
  const calendar::WorkingCalendar* workingCalendar() const { return deps_.calendar.get(); }
  const RegistryConfig& registryConfig() const { return deps_.registry; }
  const std::string& blobDir() const { return deps_.blobDir; }
  const std::vector<std::shared_ptr<const compliance::ChecklistCatalog>>& checklists() const {
    return deps_.checklists;
  }
  const std::vector<std::shared_ptr<const compliance::ScheduleCatalog>>& schedules() const { return deps_.schedules; }
  // nullptr when no templates were loaded (the form routes answer 503).
  const documents::FormLibrary* forms() const { return deps_.forms.get(); }
  // nullptr when log collection is not running (the event routes answer 503).
  eventstore::EventStore* events() const { return deps_.events; }
  collect::Collector* collector() const { return deps_.collector; }
  alerts::AlertFeed* alertFeed() const { return deps_.alertFeed; }
  const incident::ProcessLibrary* processes() const { return deps_.processes.get(); }
  const incident::ClassificationCatalog* classification() const { return deps_.classification.get(); }
  notify::Dispatcher* notifier() const { return deps_.notifier; }
  detect::live::RuleManager* rules() const { return deps_.rules; }
  detect::live::HuntRunner* hunts() const { return deps_.hunts; }
  const std::string& evidenceDir() const { return deps_.evidenceDir; }
  int64_t evidenceMaxFileBytes() const { return deps_.evidenceMaxFileBytes; }
  const incident::PlanLibrary* plans() const { return deps_.plans.get(); }
  void incidentCreated(const Incident& inc) const {
    if (deps_.incidentCreated) deps_.incidentCreated(inc);
  }
  bool staticUiLoaded() const;

  // Routes that take larger bodies than http.max_body_bytes (uploads, imports, report data) name
  // their limit here; the HTTP server asks bodyLimit() once a request's header is read.
  void setBodyLimit(const char* method, const char* pattern, int64_t bytes);
  int64_t bodyLimit(std::string_view method, std::string_view target, int64_t fallback) const;
  int64_t largestBodyLimit() const;

 private:
  http::Response route(http::Request& req);
  http::Response dispatch(http::Request& req, const struct RouteInfo& info);

  ApiDeps deps_;
  http::Router router_;
  std::map<std::string, int64_t> bodyLimits_;  // "METHOD pattern" -> bytes; read-only after construction
  std::unique_ptr<StaticFiles> static_;
};

// The session cookie for `token` (cleared when empty).
std::string sessionCookie(const std::string& token, bool secure, int maxAgeSeconds);

void registerMetaRoutes(Api& api);
void registerAuthRoutes(Api& api);
void registerOrgRoutes(Api& api);
void registerUserRoutes(Api& api);
void registerTokenRoutes(Api& api);
void registerAuditRoutes(Api& api);
void registerComplianceRoutes(Api& api);
void registerRegistryRoutes(Api& api);
void registerDossierRoutes(Api& api);
void registerFormRoutes(Api& api);
void registerAssessmentRoutes(Api& api);
// HTTP log ingest: NDJSON and the Elasticsearch _bulk-compatible endpoint under /es (routes_ingest.cpp).
void registerIngestRoutes(Api& api);
// Log collection: event search, saved searches, log sources (routes_events.cpp).
void registerEventRoutes(Api& api);
// The alert queue: list, triage, comments, suppressions, changes feed (routes_alerts.cpp).
void registerAlertRoutes(Api& api);
// Incidents: create (also from alerts), list by nearest legal deadline, the process walk,
// outputs, events, notes, tasks, parties, observables (routes_incidents.cpp).
void registerIncidentRoutes(Api& api);
// Notifications: channels, subscriptions, the delivery log (routes_notify.cpp).
void registerNotifyRoutes(Api& api);
void registerIncidentReportRoutes(Api& api);
// Detection rules: list, get, create/upload, edit, enable/disable, per-agency settings, delete,
// reload status, validation (routes_rules.cpp); retro-hunts (routes_hunts.cpp).
void registerRuleRoutes(Api& api);
void registerHuntRoutes(Api& api);
// Incident evidence and its custody, export bundles, STIX 2.1 / MISP export of observables, and
// the response plans (attached to systems, applied to incidents) (routes_evidence.cpp).
void registerEvidenceRoutes(Api& api);
// Web portals (issue 7): registrations, CSV/XLSX import, runs, findings, evidence, the XLSX
// report (routes_portals.cpp).
void registerPortalRoutes(Api& api);

// When a declared log source was last heard from (ms since the epoch; 0: never): the newest
// figure of its live senders, else the receive time of its newest stored event. The sources page
// and the silent-source detector share it (routes_events.cpp).
TimeMs sourceLastSeenMs(collect::Collector* collector, const eventstore::EventStore* events, const LogSource& s,
                        TimeMs now);

// The embedded OpenAPI document (src/api/openapi.json).
std::string_view openApiDocument();

}  // namespace vigil::api
