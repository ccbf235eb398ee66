// JSON in and out of the API: reading request bodies strictly (types, lengths, unknown fields)
// and writing records and errors. Boost.JSON is an API-layer detail: include this header only
// from src/api/*.cpp.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "core/result.h"
#include "http/message.h"
#include "model/model.h"

namespace vigil::api {

namespace json = boost::json;

// Reads one JSON object body. Every accessor marks its field as known; finish() refuses any
// field that no accessor asked for. Strings come back trimmed and checked: valid UTF-8 (the
// parser guarantees it), no control characters, within the length limit in characters.
class BodyReader {
 public:
  // Parses the body. An empty body reads as {} when `emptyOk`.
  static Result<BodyReader> parse(const http::Request& req, bool emptyOk = false);

  Result<std::string> requiredString(const char* name, size_t maxChars = 200);
  Result<std::optional<std::string>> optionalString(const char* name, size_t maxChars = 200, bool allowEmpty = true);
  // Secrets are neither trimmed nor length-limited here (the password policy checks them).
  Result<std::string> requiredSecret(const char* name);
  // A multi-line text (a description, evidence, a comment): valid UTF-8, at most `maxBytes`, no
  // control characters other than line breaks and tabs; kept as sent (not trimmed).
  Result<std::optional<std::string>> optionalText(const char* name, size_t maxBytes);
  Result<int64_t> requiredInt(const char* name, int64_t lo, int64_t hi);
  Result<std::optional<int64_t>> optionalInt(const char* name, int64_t lo, int64_t hi);
  Result<std::optional<bool>> optionalBool(const char* name);
  Result<const json::array*> requiredArray(const char* name, size_t maxItems);
  Result<std::optional<const json::array*>> optionalArray(const char* name, size_t maxItems);
  Result<const json::object*> requiredObject(const char* name);
  Status finish() const;

  // Reads one element of an array as an object with its own known fields.
  static Result<const json::object*> asObject(const json::value& v, const std::string& where);

 private:
  json::object obj_;
  std::set<std::string> known_;
  const json::value* field(const char* name);
};

// Checks a display text (a name, a title): trimmed, non-empty, no control characters, at most
// `maxChars` characters. Returns the trimmed text.
Result<std::string> cleanText(const std::string& field, std::string_view value, size_t maxChars, bool allowEmpty);

json::value toJson(const Org& o);
json::value toJson(const User& u, bool withRoles);
json::value toJson(const RoleAssignment& r);
json::value toJson(const ApiToken& t);
json::value toJson(const AuditEntry& e);
json::value toJson(const SecuritySettings& s);
json::value timeOrNull(const std::optional<TimeMs>& t);

http::Response jsonResponse(int status, const json::value& v);
http::Response errorResponse(const Error& e);

// Refuses a request whose query string is malformed or names a parameter not in `allowed`.
Status onlyQueryParams(const http::Request& req, std::initializer_list<std::string_view> allowed);

// A whole number from a query parameter, within [lo, hi]; the error names the parameter.
Result<int64_t> queryInt(const std::string& name, const std::string& value, int64_t lo, int64_t hi);

// The paging parameters of a list query: `name` "limit" (1..500) is read into `limit`, "offset"
// (0..100,000,000) into `offset`; the error names the parameter. For any other `name`, kValidation
// "is not a known query parameter" (call it only for those two).
Status queryPage(const std::string& name, const std::string& value, int& limit, int& offset);

// A Content-Disposition "attachment" value for a download named `name`: an ASCII fallback and
// "filename*" (RFC 5987/6266) with the UTF-8 name percent-encoded.
std::string contentDisposition(const std::string& name);

// Role assignments from a `roles` array of {"org_id","role"} objects.
Result<std::vector<std::pair<int64_t, Role>>> readRoleList(const json::array& a);

}  // namespace vigil::api
