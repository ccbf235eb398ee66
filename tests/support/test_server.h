// TestServer: a whole vigil (SQLite store in a temporary directory, authenticator, API, HTTP
// server on 127.0.0.1 port 0) in the test process, with a ManualClock the test moves. The store
// is bootstrapped with admin/kAdminPassword on the province root; setup is completed and the
// admin's MFA is enrolled by loginAdmin() so that API calls work at once.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "alerts/alert_feed.h"
#include "alerts/alert_sink.h"
#include "api/api.h"
#include "auth/authenticator.h"
#include "collect/collector.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "detect/live/alert_mapping.h"
#include "detect/live/hunt_runner.h"
#include "detect/live/rule_manager.h"
#include "eventstore/event_store.h"
#include "http/server.h"
#include "normalize/normalizer.h"
#include "notify/dispatcher.h"
#include "store/sqlite/sqlite_store.h"
#include "support/http_client.h"

namespace vigil::test {

inline constexpr const char* kAdminPassword = "Admin-password-123";
// evidence.max_file_bytes of the test server: above http.max_body_bytes (1 MiB), so that an
// upload at the limit shows the route's own body limit at work; small, so the oversize case is cheap.
inline constexpr int64_t kEvidenceMaxFileBytes = 2 << 20;

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A logged-in browser-like session: cookie and CSRF token.
struct Session {
  std::string cookie;  // "vigil_session=..."
  std::string csrf;
  std::string bearer;  // set instead for API tokens
  std::vector<std::pair<std::string, std::string>> headers(bool withCsrf = true) const;
};

class TestServer {
 public:
  struct Options {
    http::ServerOptions http;
    bool withWebRoot = false;
    int alertStreams = 256;  // live event streams open at once (AlertFeed)
  };
  TestServer();
  explicit TestServer(Options opts);
  ~TestServer();

  uint16_t port() const { return server_->port(); }
  HttpClient client() const { return HttpClient(port()); }
  ManualClock& clock() { return clock_; }
  sqlite::SqliteStore& store() { return *store_; }
  auth::Authenticator& auth() { return *auth_; }
  api::Api& api() { return *api_; }
  Metrics& metrics() { return metrics_; }
  // Log collection: the event store under <dir>/events and the collector the ingest routes use.
  eventstore::EventStore& events() { return *events_; }
  collect::Collector& collector() { return *collector_; }
  // The alert queue: where test detectors raise alerts, and the feed the changes route waits on.
  alerts::AlertSink& alertSink() { return *alertSink_; }
  alerts::AlertFeed& alertFeed() { return *alertFeed_; }
  // Notifications: a dispatcher that is not started (tests call runOnce()); no retry waits.
  notify::Dispatcher& notifier() { return *notifier_; }
  // What the API calls after an incident is created or handed over (ApiDeps::incidentCreated);
  // none by default.
  void onIncidentCreated(std::function<void(const Incident&)> fn) {
    std::lock_guard lock(hookMu_);
    incidentCreated_ = std::move(fn);
  }
  // Live detection: the stage the collector feeds and the rule manager (database rules only).
  detect::live::DetectionStage& detection() { return *detection_; }
  detect::live::RuleManager& rules() { return *rules_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string dbPath() const { return (dir_.path() / "vigil.db").string(); }

  // Request helpers that use a session (cookie + CSRF, or bearer).
  HttpResult call(const Session& s, const std::string& method, const std::string& target, const std::string& body = "");

  // Logs in (password, then TOTP when the account has MFA). Fails the test on error.
  Session login(const std::string& username, const std::string& password);
  // Admin session with MFA enrolled and first-run setup done (province "Tỉnh Thử Nghiệm").
  Session& admin();
  // Enrols MFA for the session's user; returns the base32 secret.
  std::string enrollMfa(const Session& s);
  std::string totpNow(const std::string& base32Secret);
  // Moves the clock to the next TOTP step (codes are single-use per step).
  void nextTotpStep();

  // Creates an organisation under `parent` via the API; returns its id.
  int64_t createOrg(const Session& s, int64_t parent, const std::string& name, const std::string& kind = "department");
  // Creates a user with one role via the API; returns its id.
  int64_t createUser(const Session& s, const std::string& username, int64_t orgId, const std::string& role,
                     const std::string& password = "Officer-password-123");
  // Creates a user and logs in as them, completing the forced password change (and MFA
  // enrolment when the role requires it). The final password is "<password>-new".
  Session userSession(const std::string& username, int64_t orgId, const std::string& role);

 private:
  TempDir dir_;
  ManualClock clock_;
  Metrics metrics_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<normalize::Normalizer> normalizer_;
  std::unique_ptr<eventstore::EventStore> events_;
  std::unique_ptr<collect::Collector> collector_;
  std::unique_ptr<alerts::AlertFeed> alertFeed_;
  std::unique_ptr<alerts::AlertSink> alertSink_;
  std::unique_ptr<notify::Dispatcher> notifier_;
  std::mutex hookMu_;
  std::function<void(const Incident&)> incidentCreated_;  // GUARDED_BY(hookMu_)
  std::unique_ptr<detect::sigma::Pipeline> sigmaPipeline_;
  std::unique_ptr<detect::live::DetectionStage> detection_;
  std::unique_ptr<detect::live::RuleManager> rules_;
  std::unique_ptr<detect::live::HuntRunner> hunts_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::Server> server_;
  std::optional<Session> admin_;
  std::map<std::string, std::string> mfaSecrets_;
};

// Pulls a top-level field out of a JSON object text (tests only).
std::string jsonField(const std::string& json, const std::string& field);
int64_t jsonInt(const std::string& json, const std::string& field);

}  // namespace vigil::test
