#include "api/json_io.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/text.h"
#include "store/settings_codec.h"

namespace vigil::api {

Result<BodyReader> BodyReader::parse(const http::Request& req, bool emptyOk) {
  BodyReader r;
  if (req.body.empty() || text::trim(req.body).empty()) {
    if (emptyOk) return r;
    return Error::invalidJson("the request needs a JSON object body");
  }
  std::string_view ct = req.header("content-type");
  const std::string_view mediaType = text::trim(ct.substr(0, ct.find(';')));
  if (text::asciiLower(mediaType) != "application/json")
    return Error::of(ErrorCode::kUnsupportedMediaType, "send the body as application/json");
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 16;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec) return Error::invalidJson("the body is not valid JSON (or not valid UTF-8): " + ec.message());
  if (!v.is_object()) return Error::invalidJson("the body must be a JSON object");
  r.obj_ = std::move(v.as_object());
  return r;
}

const json::value* BodyReader::field(const char* name) {
  known_.insert(name);
  const json::value* v = obj_.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

Result<std::string> cleanText(const std::string& field, std::string_view value, size_t maxChars, bool allowEmpty) {
  std::string_view t = text::trim(value);
  if (!text::isValidUtf8(t)) return Error::validation(field, "must be valid UTF-8 text");
  if (text::hasControlChars(t)) return Error::validation(field, "must not contain control characters");
  if (t.empty() && !allowEmpty) return Error::validation(field, "must not be empty");
  if (text::codePoints(t) > maxChars)
    return Error::validation(field, "must be at most " + std::to_string(maxChars) + " characters");
  return std::string(t);
}

Result<std::string> BodyReader::requiredString(const char* name, size_t maxChars) {
  const json::value* v = field(name);
  if (!v) return Error::validation(name, "is required");
  if (!v->is_string()) return Error::validation(name, "must be a string");
  return cleanText(name, v->as_string(), maxChars, false);
}

Result<std::optional<std::string>> BodyReader::optionalString(const char* name, size_t maxChars, bool allowEmpty) {
  const json::value* v = field(name);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return Error::validation(name, "must be a string");
  VIGIL_ASSIGN_OR_RETURN(auto s, cleanText(name, v->as_string(), maxChars, allowEmpty));
  return std::optional<std::string>(std::move(s));
}

Result<std::string> BodyReader::requiredSecret(const char* name) {
  const json::value* v = field(name);
  if (!v) return Error::validation(name, "is required");
  if (!v->is_string()) return Error::validation(name, "must be a string");
  if (v->as_string().size() > 4096) return Error::validation(name, "is too long");
  return std::string(v->as_string());
}

Result<std::optional<std::string>> BodyReader::optionalText(const char* name, size_t maxBytes) {
  const json::value* v = field(name);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return Error::validation(name, "must be a string");
  const std::string_view t = v->as_string();
  if (t.size() > maxBytes) return Error::validation(name, "must be at most " + std::to_string(maxBytes) + " bytes");
  for (unsigned char ch : t)
    if ((ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || ch == 0x7f)
      return Error::validation(name, "must not contain control characters other than line breaks and tabs");
  return std::optional<std::string>(std::string(t));
}

Result<int64_t> BodyReader::requiredInt(const char* name, int64_t lo, int64_t hi) {
  VIGIL_ASSIGN_OR_RETURN(auto v, optionalInt(name, lo, hi));
  if (!v) return Error::validation(name, "is required");
  return *v;
}

Result<std::optional<int64_t>> BodyReader::optionalInt(const char* name, int64_t lo, int64_t hi) {
  const json::value* v = field(name);
  if (!v) return std::optional<int64_t>();
  int64_t n;
  if (v->is_int64())
    n = v->as_int64();
  else if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    n = static_cast<int64_t>(v->as_uint64());
  else
    return Error::validation(name, "must be a whole number");
  if (n < lo || n > hi)
    return Error::validation(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return std::optional<int64_t>(n);
}

Result<std::optional<bool>> BodyReader::optionalBool(const char* name) {
  const json::value* v = field(name);
  if (!v) return std::optional<bool>();
  if (!v->is_bool()) return Error::validation(name, "must be true or false");
  return std::optional<bool>(v->as_bool());
}

Result<const json::array*> BodyReader::requiredArray(const char* name, size_t maxItems) {
  const json::value* v = field(name);
  if (!v) return Error::validation(name, "is required");
  if (!v->is_array()) return Error::validation(name, "must be an array");
  if (v->as_array().size() > maxItems)
    return Error::validation(name, "must have at most " + std::to_string(maxItems) + " items");
  return &v->as_array();
}

Result<std::optional<const json::array*>> BodyReader::optionalArray(const char* name, size_t maxItems) {
  if (!field(name)) return std::optional<const json::array*>();
  VIGIL_ASSIGN_OR_RETURN(const json::array* a, requiredArray(name, maxItems));
  return std::optional<const json::array*>(a);
}

Result<const json::object*> BodyReader::requiredObject(const char* name) {
  const json::value* v = field(name);
  if (!v) return Error::validation(name, "is required");
  if (!v->is_object()) return Error::validation(name, "must be an object");
  return &v->as_object();
}

Status BodyReader::finish() const {
  for (const auto& [k, v] : obj_)
    if (!known_.count(std::string(k))) return Error::validation(std::string(k), "is not a known field");
  return {};
}

Result<const json::object*> BodyReader::asObject(const json::value& v, const std::string& where) {
  if (!v.is_object()) return Error::validation(where, "must be an object");
  return &v.as_object();
}

json::value timeOrNull(const std::optional<TimeMs>& t) {
  return t ? json::value(formatRfc3339(*t)) : json::value(nullptr);
}

json::value toJson(const Org& o) {
  return json::object{{"id", o.id},
                      {"parent_id", o.parentId ? json::value(*o.parentId) : json::value(nullptr)},
                      {"name", o.name},
                      {"kind", orgKindName(o.kind)},
                      {"code", o.code},
                      {"path", o.path},
                      {"archived", o.archived},
                      {"created_at", formatRfc3339(o.createdAt)},
                      {"updated_at", formatRfc3339(o.updatedAt)}};
}

json::value toJson(const RoleAssignment& r) {
  return json::object{{"org_id", r.orgId}, {"org_name", r.orgName}, {"role", roleName(r.role)}};
}

json::value toJson(const User& u, bool withRoles) {
  json::object o{{"id", u.id},
                 {"username", u.username},
                 {"display_name", u.displayName},
                 {"email", u.email},
                 {"org_id", u.orgId},
                 {"disabled", u.disabled},
                 {"disabled_reason", u.disabledReason},
                 {"locked_until", timeOrNull(u.lockedUntil)},
                 {"mfa_enabled", u.mfaEnabled},
                 {"must_change_password", u.mustChangePassword},
                 {"last_login_at", timeOrNull(u.lastLoginAt)},
                 {"created_at", formatRfc3339(u.createdAt)}};
  if (withRoles) {
    json::array roles;
    for (const auto& r : u.roles) roles.push_back(toJson(r));
    o["roles"] = std::move(roles);
  }
  return o;
}

json::value toJson(const ApiToken& t) {
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"org_id", t.orgId},
                      {"role", roleName(t.role)},
                      {"prefix", t.prefix},
                      {"created_by", t.createdBy ? json::value(*t.createdBy) : json::value(nullptr)},
                      {"created_at", formatRfc3339(t.createdAt)},
                      {"expires_at", formatRfc3339(t.expiresAt)},
                      {"last_used_at", timeOrNull(t.lastUsedAt)},
                      {"revoked", t.revoked}};
}

json::value toJson(const AuditEntry& e) {
  boost::system::error_code ec;
  json::value summary = json::parse(e.summary, ec);
  if (ec) summary = e.summary;
  return json::object{{"id", e.id},
                      {"time", formatRfc3339(e.time)},
                      {"actor", e.actor},
                      {"actor_id", e.actorId ? json::value(*e.actorId) : json::value(nullptr)},
                      {"source_ip", e.sourceIp},
                      {"action", e.action},
                      {"object_type", e.objectType},
                      {"object_id", e.objectId},
                      {"org_id", e.orgId ? json::value(*e.orgId) : json::value(nullptr)},
                      {"summary", summary},
                      {"result", e.result},
                      {"hash", e.hash}};
}

json::value toJson(const SecuritySettings& s) { return json::parse(encodeSecuritySettings(s)); }

http::Response jsonResponse(int status, const json::value& v) {
  auto r = http::Response::json(status, json::serialize(v));
  r.setHeader("Cache-Control", "no-store");
  return r;
}

http::Response errorResponse(const Error& e) {
  json::object details;
  if (!e.field.empty()) details["field"] = e.field;
  if (e.retryAfterSeconds > 0) details["retry_after_seconds"] = e.retryAfterSeconds;
  json::object err{{"code", codeName(e.code)}, {"message", e.message}, {"details", details}};
  auto r = jsonResponse(httpStatus(e.code), json::object{{"error", err}});
  if (e.retryAfterSeconds > 0) r.setHeader("Retry-After", std::to_string(e.retryAfterSeconds));
  return r;
}

Status onlyQueryParams(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  bool ok = true;
  for (const auto& [k, v] : req.queryParams(&ok))
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return Error::validation(k, "is not a known query parameter");
  if (!ok) return Error::badRequest("malformed query string");
  return {};
}

Result<int64_t> queryInt(const std::string& name, const std::string& value, int64_t lo, int64_t hi) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size() || value.empty())
    return Error::validation(name, "must be a whole number");
  if (n < lo || n > hi)
    return Error::validation(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return n;
}

Status queryPage(const std::string& name, const std::string& value, int& limit, int& offset) {
  if (name == "limit") {
    VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt(name, value, 1, 500));
    limit = static_cast<int>(n);
  } else if (name == "offset") {
    VIGIL_ASSIGN_OR_RETURN(int64_t n, queryInt(name, value, 0, 100000000));
    offset = static_cast<int>(n);
  } else {
    return Error::validation(name, "is not a known query parameter");
  }
  return {};
}

Result<std::vector<std::pair<int64_t, Role>>> readRoleList(const json::array& a) {
  std::vector<std::pair<int64_t, Role>> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string where = "roles[" + std::to_string(i) + "]";
    VIGIL_ASSIGN_OR_RETURN(const json::object* o, BodyReader::asObject(a[i], where));
    for (const auto& [k, v] : *o)
      if (k != "org_id" && k != "role") return Error::validation(where + "." + std::string(k), "is not a known field");
    const json::value* org = o->if_contains("org_id");
    const json::value* role = o->if_contains("role");
    if (!org || !org->is_int64() || org->as_int64() <= 0)
      return Error::validation(where + ".org_id", "must be an organisation id");
    if (!role || !role->is_string()) return Error::validation(where + ".role", "is required");
    auto r = parseRole(std::string(role->as_string()));
    if (!r)
      return Error::validation(where + ".role",
                               "must be one of administrator, soc_analyst, unit_officer, leader, auditor");
    out.emplace_back(org->as_int64(), *r);
  }
  return out;
}

std::string contentDisposition(const std::string& name) {
  std::string ascii, encoded;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    const bool plain = std::isalnum(c) || c == '.' || c == '-' || c == '_';
    ascii += plain ? static_cast<char>(c) : '_';
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace vigil::api
