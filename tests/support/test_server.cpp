#include "support/test_server.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <random>

#include "auth/totp.h"
#include "core/crypto.h"
#include "documents/form_library.h"
#include "incident/classification.h"
#include "incident/process_catalog.h"
#include "incident/response_plan.h"

namespace vigil::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("vigil-test-" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::vector<std::pair<std::string, std::string>> Session::headers(bool withCsrf) const {
  std::vector<std::pair<std::string, std::string>> h;
  if (!bearer.empty()) h.emplace_back("Authorization", "Bearer " + bearer);
  if (!cookie.empty()) h.emplace_back("Cookie", cookie);
  if (withCsrf && !csrf.empty()) h.emplace_back("X-CSRF-Token", csrf);
  return h;
}

std::string jsonField(const std::string& json, const std::string& field) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return {};
  auto* f = v.as_object().if_contains(field);
  if (!f) return {};
  if (f->is_string()) return std::string(f->as_string());
  return boost::json::serialize(*f);
}

int64_t jsonInt(const std::string& json, const std::string& field) {
  auto s = jsonField(json, field);
  return s.empty() ? 0 : std::stoll(s);
}

TestServer::TestServer() : TestServer(Options{}) {}

TestServer::TestServer(Options opts) : clock_(1795000000000) {  // 2026-11-18, a fixed start
  EXPECT_TRUE(crypto::initCrypto().ok());
  sqlite::SqliteOptions so;
  so.path = dbPath();
  so.readerConnections = 2;
  so.metrics = &metrics_;
  auto st = sqlite::SqliteStore::open(so, clock_);
  if (!st.ok()) throw std::runtime_error(st.error().message);
  store_ = std::move(st).value();
  auth_ = std::make_unique<auth::Authenticator>(*store_, clock_, auth::PasswordCost{1, 8}, crypto::randomBytes(32),
                                                auth::LoginRateLimit{1000, 1000});
  std::string webRoot;
  if (opts.withWebRoot) {
    webRoot = (dir_.path() / "web").string();
    fs::create_directories(dir_.path() / "web" / "assets");
    std::ofstream(dir_.path() / "web" / "index.html") << "<!doctype html><title>vigil</title>";
    std::ofstream(dir_.path() / "web" / "assets" / "app-1234.js") << "console.log('vigil')";
    std::ofstream(dir_.path() / "secret.txt") << "outside the web root";
  }
  auto regimes = compliance::loadRegimeDirectory(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/regimes");
  if (!regimes.ok()) throw std::runtime_error(regimes.error().message);
  auto workingDays = calendar::WorkingCalendar::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/calendar/vn.toml");
  if (!workingDays.ok()) throw std::runtime_error(workingDays.error().message);
  auto checklists =
      compliance::loadChecklistDirectory(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/checklists", *regimes);
  if (!checklists.ok()) throw std::runtime_error(checklists.error().message);
  auto schedules =
      compliance::loadScheduleDirectory(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/schedules", *regimes);
  if (!schedules.ok()) throw std::runtime_error(schedules.error().message);
  auto forms = documents::FormLibrary::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/templates");
  if (!forms.ok()) throw std::runtime_error(forms.error().message);
  auto processes = incident::ProcessLibrary::loadDirectory(
      std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/incident/processes", *regimes);
  if (!processes.ok()) throw std::runtime_error(processes.error().message);
  auto plans =
      incident::PlanLibrary::loadDirectory(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/incident/plans", *processes);
  if (!plans.ok()) throw std::runtime_error(plans.error().message);
  auto classification = incident::ClassificationCatalog::load(
      std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/incident/classification.toml", *regimes);
  if (!classification.ok()) throw std::runtime_error(classification.error().message);
  auto normalizer = normalize::Normalizer::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/normalize");
  if (!normalizer.ok()) throw std::runtime_error(normalizer.error().message);
  normalizer_ = std::make_unique<normalize::Normalizer>(std::move(normalizer).value());
  // Durability is the event store's own tests' subject; here fdatasync would only slow the suite.
  auto events = eventstore::EventStore::open(dir_.path() / "events", {.syncWrites = false});
  if (!events.ok()) throw std::runtime_error(events.error().message);
  events_ = std::move(events).value();
  collector_ = std::make_unique<collect::Collector>(*normalizer_, *events_, clock_);
  // The alert queue: the live feed and a sink for detector alerts (window 24 h).
  alertFeed_ = std::make_unique<alerts::AlertFeed>(2, opts.alertStreams);
  alertSink_ = std::make_unique<alerts::AlertSink>(*store_, alerts::AlertSinkOptions{},
                                                   [feed = alertFeed_.get()] { feed->notify(); });
  notifier_ = std::make_unique<notify::Dispatcher>(
      *store_, clock_, crypto::randomBytes(32),
      notify::DispatcherOptions{.retryDelaysSeconds = {60}, .jitterPercent = 0, .send = {.timeoutSeconds = 5}});
  // Live detection: no rules directory; database rules through the store, reloaded on demand.
  auto pipeline = detect::sigma::Pipeline::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/sigma/pipelines");
  if (!pipeline.ok()) throw std::runtime_error(pipeline.error().message);
  sigmaPipeline_ = std::make_unique<detect::sigma::Pipeline>(std::move(pipeline).value());
  detection_ = std::make_unique<detect::live::DetectionStage>(
      detect::live::StageOptions{},
      [sink = alertSink_.get()](const normalize::Event& e, const detect::sigma::CompiledRule& rule,
                                const detect::live::RuleMeta& meta,
                                uint64_t) { (void)sink->raise(detect::live::draftForMatch(e, rule, meta)); },
      [sink = alertSink_.get()](const detect::sigma::CorrelationFiring& f, const detect::live::RuleMeta& meta,
                                int64_t orgId, const normalize::Event* e,
                                uint64_t) { (void)sink->raise(detect::live::draftForCorrelation(f, meta, orgId, e)); });
  rules_ = std::make_unique<detect::live::RuleManager>(
      *sigmaPipeline_, detect::sigma::CompileOptions{},
      detect::live::ManagerOptions{.pollInterval = std::chrono::milliseconds(100)}, *detection_, clock_,
      detect::live::storeLoader(*store_));
  collector_->setTap(detection_.get());
  hunts_ = std::make_unique<detect::live::HuntRunner>(*events_, *sigmaPipeline_, alertSink_.get(), clock_);
  api_ = std::make_unique<api::Api>(
      api::ApiDeps{*store_,
                   *auth_,
                   metrics_,
                   clock_,
                   "test",
                   webRoot,
                   std::move(regimes).value(),
                   std::make_shared<const calendar::WorkingCalendar>(std::move(workingDays).value()),
                   (dir_.path() / "blobs").string(),
                   RegistryConfig{.maxAttachmentBytes = 64 << 10},
                   std::move(forms).value(),
                   std::move(checklists).value(),
                   std::move(schedules).value(),
                   events_.get(),
                   collector_.get(),
                   alertFeed_.get(),
                   std::make_shared<const incident::ProcessLibrary>(std::move(processes).value()),
                   std::make_shared<const incident::ClassificationCatalog>(std::move(classification).value()),
                   notifier_.get(),
                   rules_.get(),
                   hunts_.get(),
                   (dir_.path() / "evidence").string(),
                   kEvidenceMaxFileBytes,
                   std::make_shared<const incident::PlanLibrary>(std::move(plans).value()),
                   [this](const Incident& inc) {
                     std::lock_guard lock(hookMu_);
                     if (incidentCreated_) incidentCreated_(inc);
                   }});
  UserDraft admin;
  admin.username = "admin";
  admin.displayName = "Quản trị";
  admin.passwordHash = auth::hashPassword(kAdminPassword, {1, 8}).value();
  admin.mustChangePassword = false;
  auto boot = store_->bootstrap("Tỉnh", admin);
  if (!boot.ok()) throw std::runtime_error(boot.error().message);
  if (auto st = rules_->reloadNow("start"); !st.ok()) throw std::runtime_error(st.error().message);
  rules_->start();
  opts.http.host = "127.0.0.1";
  opts.http.port = 0;
  opts.http.bodyLimit = [this, fallback = opts.http.limits.maxBodyBytes](std::string_view m, std::string_view t) {
    return api_->bodyLimit(m, t, fallback);
  };
  opts.http.largestBodyLimit = api_->largestBodyLimit();
  auto srv = http::Server::start(
      opts.http, [this](http::Request& r) { return api_->handle(r); }, &metrics_);
  if (!srv.ok()) throw std::runtime_error(srv.error().message);
  server_ = std::move(srv).value();
}

TestServer::~TestServer() {
  server_->stop();
  collector_->setTap(nullptr);
  hunts_.reset();
  rules_->stop();
  detection_->stop();
  alertSink_->stop();
  notifier_->stop();
  events_->close();
  store_->close();
}

HttpResult TestServer::call(const Session& s, const std::string& method, const std::string& target,
                            const std::string& body) {
  return client().request(method, target, body, s.headers());
}

Session TestServer::login(const std::string& username, const std::string& password) {
  auto c = client();
  boost::json::object req{{"username", username}, {"password", password}};
  auto r = c.request("POST", "/api/v1/auth/login", boost::json::serialize(req));
  EXPECT_EQ(r.status, 200) << r.body;
  if (jsonField(r.body, "status") == "mfa_required") {
    auto it = mfaSecrets_.find(username);
    EXPECT_NE(it, mfaSecrets_.end()) << "no MFA secret known for " << username;
    nextTotpStep();
    boost::json::object mfa{{"mfa_token", jsonField(r.body, "mfa_token")}, {"code", totpNow(it->second)}};
    r = c.request("POST", "/api/v1/auth/mfa", boost::json::serialize(mfa));
    EXPECT_EQ(r.status, 200) << r.body;
  }
  Session s;
  auto cookie = r.header("set-cookie");
  s.cookie = cookie.substr(0, cookie.find(';'));
  s.csrf = jsonField(r.body, "csrf_token");
  return s;
}

std::string TestServer::totpNow(const std::string& base32Secret) {
  return auth::totpCode(*crypto::base32Decode(base32Secret), clock_.nowSeconds() / auth::kTotpStepSeconds);
}

void TestServer::nextTotpStep() { clock_.advanceMs(auth::kTotpStepSeconds * 1000); }

std::string TestServer::enrollMfa(const Session& s) {
  auto r = call(s, "POST", "/api/v1/me/mfa/setup");
  EXPECT_EQ(r.status, 200) << r.body;
  std::string secret = jsonField(r.body, "secret");
  boost::json::object body{{"code", totpNow(secret)}};
  r = call(s, "POST", "/api/v1/me/mfa/confirm", boost::json::serialize(body));
  EXPECT_EQ(r.status, 204) << r.body;
  auto me = call(s, "GET", "/api/v1/me");
  mfaSecrets_[jsonField(jsonField(me.body, "user"), "username")] = secret;
  return secret;
}

Session& TestServer::admin() {
  if (admin_) return *admin_;
  Session s = login("admin", kAdminPassword);
  enrollMfa(s);
  auto r = call(s, "POST", "/api/v1/setup", R"({"province_name":"Tỉnh Thử Nghiệm"})");
  EXPECT_EQ(r.status, 200) << r.body;
  admin_ = s;
  return *admin_;
}

int64_t TestServer::createOrg(const Session& s, int64_t parent, const std::string& name, const std::string& kind) {
  boost::json::object body{{"parent_id", parent}, {"name", name}, {"kind", kind}};
  auto r = call(s, "POST", "/api/v1/orgs", boost::json::serialize(body));
  EXPECT_EQ(r.status, 201) << r.body;
  return jsonInt(r.body, "id");
}

int64_t TestServer::createUser(const Session& s, const std::string& username, int64_t orgId, const std::string& role,
                               const std::string& password) {
  boost::json::object body{{"username", username},
                           {"display_name", "Cán bộ " + username},
                           {"org_id", orgId},
                           {"password", password},
                           {"roles", boost::json::array{boost::json::object{{"org_id", orgId}, {"role", role}}}}};
  auto r = call(s, "POST", "/api/v1/users", boost::json::serialize(body));
  EXPECT_EQ(r.status, 201) << r.body;
  return jsonInt(r.body, "id");
}

Session TestServer::userSession(const std::string& username, int64_t orgId, const std::string& role) {
  const std::string first = "Officer-password-123";
  createUser(admin(), username, orgId, role, first);
  Session s = login(username, first);
  boost::json::object body{{"current_password", first}, {"new_password", first + "-new"}};
  auto r = call(s, "POST", "/api/v1/me/password", boost::json::serialize(body));
  EXPECT_EQ(r.status, 204) << r.body;
  auto cookie = r.header("set-cookie");
  s.cookie = cookie.substr(0, cookie.find(';'));
  auto me = call(s, "GET", "/api/v1/me");
  s.csrf = jsonField(me.body, "csrf_token");
  if (jsonField(me.body, "mfa_enrollment_required") == "true") enrollMfa(s);
  return s;
}

}  // namespace vigil::test
