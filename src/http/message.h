// The HTTP request and response as the rest of vigil sees them: plain structs, free of Beast, so
// that handlers and tests compile without the heavy networking headers.
#pragma once

#include <functional>
#include <map>
#include <memory>
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

// A response body written over time (Server-Sent Events, `text/event-stream`), without holding a
// worker thread while nothing happens. After the headers are sent the server calls start() once,
// with a wake function the stream calls (from any thread, any number of times) when it may have
// something new; the server then calls poll() on a worker thread, never two at once, and writes
// what it returns. poll() returns the text to send ("" for nothing now) or nullopt to end the
// response. The server also sends a comment line every `keepAliveSeconds` so that proxies and the
// client see the connection alive, and drops the stream (destroys it) when the client goes away,
// the write fails, or the server stops.
class EventStream {
 public:
  virtual ~EventStream() = default;
  virtual void start(std::function<void()> wake) = 0;
  virtual std::optional<std::string> poll() = 0;
  int keepAliveSeconds = 15;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set: the body is this stream (status 200, Content-Type text/event-stream), not `body`.
  std::shared_ptr<EventStream> stream;

  void setHeader(std::string name, std::string value);
  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string contentType = "text/plain; charset=utf-8");
  static Response noContent();
};

using Handler = std::function<Response(Request&)>;

// Decodes %XX escapes (and '+' as space when `plusIsSpace`); nullopt on a malformed escape.
std::optional<std::string> percentDecode(std::string_view s, bool plusIsSpace);

}  // namespace vigil::http
