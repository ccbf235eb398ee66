// The HTTP/1.1 server (Boost.Beast over Asio), with optional TLS 1.2+.
//
// Threads: `ioThreads` run the sockets; each connection stays on one strand. Parsed requests go
// to a pool of `workerThreads` that run the Handler (which may block on the store); the response
// is posted back to the connection's strand. At most `maxInFlight` requests wait for a worker,
// and request bodies held at once (read, waiting or handled) take at most
// `limits.maxBodyMemoryBytes` (reserved from Content-Length, or the body limit when chunked);
// beyond either the server answers 503 with Retry-After at once (refuse, never queue without
// bound).
//
// Limits: header bytes, body bytes (per route when `bodyLimit` is set), time to read a request,
// idle keep-alive time, concurrent connections. A request over a limit gets 413/431/408 (or the connection is closed)
// and is never given to the handler. Beast stays inside server.cpp: this header is cheap to include.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/metrics.h"
#include "core/result.h"
#include "http/message.h"

namespace vigil::http {

// The body limit of one request, chosen from its method and target once the header is read (a
// route that takes uploads may allow more than `limits.maxBodyBytes`). Must be thread-safe.
using BodyLimitFn = std::function<int64_t(std::string_view method, std::string_view target)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int ioThreads = 2;
  int workerThreads = 4;
  int maxInFlight = 4096;
  HttpLimits limits;
  // Unset: every request gets limits.maxBodyBytes. Set: its answer, at most `largestBodyLimit`.
  BodyLimitFn bodyLimit;
  int64_t largestBodyLimit = 0;
  bool tls = false;
  std::string certFile;  // PEM, with tls
  std::string keyFile;
};

class Server {
 public:
  // Binds and starts serving. `handler` must be thread-safe. `metrics` may be null.
  static Result<std::unique_ptr<Server>> start(const ServerOptions& opts, Handler handler, Metrics* metrics);
  ~Server();
  uint16_t port() const;
  // Stops accepting, closes connections and joins all threads. Idempotent.
  void stop();

  struct Impl;  // defined in server.cpp

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Headers every response carries (CSP without unsafe-inline, no framing, nosniff, referrer
// policy; HSTS under TLS).
void addSecurityHeaders(Response& r, bool tls);

}  // namespace vigil::http
