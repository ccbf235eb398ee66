#include "api/api.h"

#include <charconv>
#include <chrono>

#include "api/json_io.h"
#include "api/static_files.h"
#include "core/log.h"
#include "core/text.h"

namespace vigil::api {

struct RouteInfo {
  std::string action;
  Access access;
  RouteFn fn;
};

namespace {
bool isSafeMethod(const std::string& m) { return m == "GET" || m == "HEAD"; }
}  // namespace

Result<int64_t> Ctx::id() const {
  auto it = req.params.find("id");
  if (it == req.params.end()) return Error::badRequest("missing id");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v <= 0)
    return Error::notFound("no object with id '" + it->second + "'");
  return v;
}

std::string sessionCookie(const std::string& token, bool secure, int maxAgeSeconds) {
  std::string c = std::string(auth::Authenticator::kSessionCookie) + "=" + token +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(token.empty() ? 0 : maxAgeSeconds);
  if (secure) c += "; Secure";
  return c;
}

Api::Api(ApiDeps deps) : deps_(std::move(deps)), static_(std::make_unique<StaticFiles>(deps_.webRoot)) {
  deps_.metrics.describe("vigil_http_requests_total", Metrics::Type::kCounter, "HTTP requests by route and status.");
  deps_.metrics.describe("vigil_http_request_duration_seconds", Metrics::Type::kHistogram,
                         "Time to handle a request, by route.");
  deps_.metrics.describe("vigil_http_errors_total", Metrics::Type::kCounter, "Requests answered with a 5xx status.");
  registerMetaRoutes(*this);
  registerAuthRoutes(*this);
  registerOrgRoutes(*this);
  registerUserRoutes(*this);
  registerTokenRoutes(*this);
  registerAuditRoutes(*this);
  registerComplianceRoutes(*this);
  registerRegistryRoutes(*this);
  registerDossierRoutes(*this);
  registerFormRoutes(*this);
  registerAssessmentRoutes(*this);
  registerIngestRoutes(*this);
  registerEventRoutes(*this);
  registerAlertRoutes(*this);
  registerIncidentRoutes(*this);
  registerNotifyRoutes(*this);
  registerIncidentReportRoutes(*this);
  registerRuleRoutes(*this);
  registerHuntRoutes(*this);
  registerEvidenceRoutes(*this);
  registerPortalRoutes(*this);
  // Bodies larger than http.max_body_bytes: dossier files up to the registry's limit; CSV imports
  // (4 MiB of text, escaped in JSON) and completed reports (a province's Mẫu 08 holds thousands of
  // rows) up to 16 MiB.
  setBodyLimit("POST", "/api/v1/dossiers/{id}/attachments", deps_.registry.maxAttachmentBytes);
  setBodyLimit("POST", "/api/v1/assessments/{id}/evidence", deps_.registry.maxAttachmentBytes);
  constexpr int64_t kLargeJsonBytes = 16 << 20;
  setBodyLimit("POST", "/api/v1/systems/import", kLargeJsonBytes);
  setBodyLimit("POST", "/api/v1/assets/import", kLargeJsonBytes);
  setBodyLimit("POST", "/api/v1/forms/render", kLargeJsonBytes);
  // XLSX imports: the file itself as the body (documents::readXlsx caps what it inflates).
  constexpr int64_t kXlsxImportBytes = 8 << 20;
  setBodyLimit("POST", "/api/v1/systems/import.xlsx", kXlsxImportBytes);
  setBodyLimit("POST", "/api/v1/assets/import.xlsx", kXlsxImportBytes);
}

Api::~Api() = default;

bool Api::staticUiLoaded() const { return !static_->empty(); }

void Api::add(const char* method, const char* pattern, const char* action, Access access, RouteFn fn) {
  auto info = std::make_shared<RouteInfo>(RouteInfo{action, access, std::move(fn)});
  router_.add(method, pattern, [this, info](http::Request& req) { return dispatch(req, *info); });
}

void Api::setBodyLimit(const char* method, const char* pattern, int64_t bytes) {
  bodyLimits_[std::string(method) + " " + pattern] = bytes;
}

int64_t Api::bodyLimit(std::string_view method, std::string_view target, int64_t fallback) const {
  const std::string path(target.substr(0, target.find('?')));
  const auto m = router_.match(std::string(method), path);
  if (m.kind != http::Router::MatchKind::kFound) return fallback;
  auto it = bodyLimits_.find(m.route->method + " " + m.route->pattern);
  return it == bodyLimits_.end() ? fallback : it->second;
}

int64_t Api::largestBodyLimit() const {
  int64_t largest = 0;
  for (const auto& [route, bytes] : bodyLimits_) largest = std::max(largest, bytes);
  return largest;
}

http::Response Api::handle(http::Request& req) {
  const auto start = std::chrono::steady_clock::now();
  http::Response resp;
  // The Elasticsearch-compatible ingest endpoint lives under /es ("/es/" is its root, as shippers
  // call it).
  if (req.path == "/es/") req.path = "/es";
  const bool apiPath = req.path.rfind("/api/", 0) == 0 || req.path == "/api" || req.path == "/healthz" ||
                       req.path == "/readyz" || req.path == "/metrics" || req.path == "/es" ||
                       req.path.rfind("/es/", 0) == 0;
  if (!text::isValidUtf8(req.path) || req.path.find('\0') != std::string::npos) {
    resp = errorResponse(Error::badRequest("the request path is not valid UTF-8"));
    req.route = "invalid";
  } else if (apiPath) {
    resp = route(req);
  } else if (req.method == "GET" || req.method == "HEAD") {
    req.route = "static";
    resp = static_->serve(req);
  } else {
    req.route = "static";
    resp = errorResponse(Error::of(ErrorCode::kMethodNotAllowed, "only GET and HEAD are allowed here"));
    resp.setHeader("Allow", "GET, HEAD");
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string route = "route=\"" + Metrics::labelValue(req.route) + "\"";
  deps_.metrics.add("vigil_http_requests_total", route + ",method=\"" + Metrics::labelValue(req.method) +
                                                     "\",status=\"" + std::to_string(resp.status) + "\"");
  deps_.metrics.observe("vigil_http_request_duration_seconds", route, secs);
  if (resp.status >= 500) deps_.metrics.add("vigil_http_errors_total", route);
  return resp;
}

http::Response Api::route(http::Request& req) {
  auto m = router_.match(req.method == "HEAD" ? "GET" : req.method, req.path);
  if (m.kind == http::Router::MatchKind::kNotFound) {
    req.route = "unmatched";
    return errorResponse(Error::notFound("no such API endpoint: " + req.path));
  }
  if (m.kind == http::Router::MatchKind::kMethodNotAllowed) {
    req.route = "unmatched";
    std::string allow;
    for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
    auto r = errorResponse(Error::of(ErrorCode::kMethodNotAllowed, req.method + " is not allowed here; use " + allow));
    r.setHeader("Allow", allow);
    return r;
  }
  req.params = std::move(m.params);
  req.route = m.route->pattern;
  return m.route->handler(req);
}

http::Response Api::dispatch(http::Request& req, const RouteInfo& info) {
  Ctx ctx{req, std::nullopt};
  bool viaCookie = false;
  if (info.access != Access::kPublic) {
    std::string_view authz = req.header("authorization");
    Result<auth::Principal> p = Error::unauthenticated("log in first");
    if (authz.substr(0, 7) == "Bearer ") {
      p = deps_.auth.authenticateApiToken(std::string(text::trim(authz.substr(7))), req.remoteAddr);
    } else if (!authz.empty()) {
      p = Error::unauthenticated("use 'Authorization: Bearer <API token>' or the session cookie");
    } else {
      std::string cookie = req.cookie(auth::Authenticator::kSessionCookie);
      if (!cookie.empty()) {
        viaCookie = true;
        p = deps_.auth.authenticateSession(cookie, req.remoteAddr);
      }
    }
    if (!p.ok()) {
      auto r = errorResponse(p.error());
      if (viaCookie) r.setHeader("Set-Cookie", sessionCookie("", req.tls, 0));
      return r;
    }
    ctx.principal = std::move(p).value();
  }

  auto refuse = [&](Error e) {
    if (e.code == ErrorCode::kInternal) {
      log::error(req.method + " " + req.path + ": " + e.message);
      e.message = "internal error; the details are in the server log";
    }
    // A refused state change by a known caller is itself recorded.
    if (ctx.principal && !isSafeMethod(req.method)) {
      AuditEntry a{.action = info.action, .objectType = "request"};
      auto idIt = req.params.find("id");
      if (idIt != req.params.end()) a.objectId = idIt->second;
      json::object sum{{"method", req.method}, {"path", req.path}, {"message", e.message}};
      a.summary = json::serialize(sum);
      a.result = std::string("failure: ") + std::string(codeName(e.code));
      (void)deps_.store.appendAudit(ctx.actor(), a);
    }
    return errorResponse(e);
  };

  if (viaCookie && !isSafeMethod(req.method)) {
    std::string presented(req.header("x-csrf-token"));
    if (!deps_.auth.checkCsrf(ctx.principal->sessionToken, presented))
      return refuse(Error::of(ErrorCode::kCsrf, "missing or stale CSRF token; reload the page"));
  }
  if (ctx.principal && info.access == Access::kUser) {
    if (ctx.principal->passwordChangeRequired)
      return refuse(Error::of(ErrorCode::kPasswordChangeRequired, "change your password first"));
    if (ctx.principal->mfaEnrollmentRequired)
      return refuse(Error::of(ErrorCode::kMfaEnrollmentRequired, "set up two-step login (MFA) first"));
  }
  Result<http::Response> r = Error::internal("no response");
  try {
    r = info.fn(ctx);
  } catch (const std::exception& ex) {
    r = Error::internal(std::string("internal error: ") + ex.what());
  }
  if (!r.ok()) return refuse(r.takeError());
  return std::move(r).value();
}

}  // namespace vigil::api
