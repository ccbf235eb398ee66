// The HTTP request and response as the rest of vigil sees them: plain structs, free of Beast, so
// that handlers and tests compile without the heavy networking headers.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::http {

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // as received: path and query
  std::string path;                                          // percent-decoded path
  std::string query;                                         // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remoteAddr;
  bool tls = false;
  std::map<std::string, std::string> params;  // path parameters, set by the Router
  std::string route;                          // the matched route pattern, for metrics

  std::string_view header(std::string_view lowerName) const;
  std::string cookie(std::string_view name) const;
  // Query parameters, percent-decoded; nullopt when absent. `ok` turns false on bad encoding.
  std::optional<std::string> queryParam(std::string_view name) const;
  std::vector<std::pair<std::string, std::string>> queryParams(bool* ok = nullptr) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void setHeader(std::string name, std::string value);
  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string contentType = "text/plain; charset=utf-8");
  static Response noContent();
};

using Handler = std::function<Response(Request&)>;

// Decodes %XX escapes (and '+' as space when `plusIsSpace`); nullopt on a malformed escape.
std::optional<std::string> percentDecode(std::string_view s, bool plusIsSpace);

}  // namespace vigil::http
