#include "http/server.h"

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <vector>

namespace vigil::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

void addSecurityHeaders(Response& r, bool tls) {
  // A handler's own policy (a `sandbox` for stored web content served as text) is kept beside the
  // default one: browsers enforce every policy sent, so it can only tighten.
  const std::string kDefaultCsp =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
      "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  bool hasDefault = false;
  for (const auto& [k, v] : r.headers) hasDefault |= k == "Content-Security-Policy" && v == kDefaultCsp;
  if (!hasDefault) r.headers.emplace_back("Content-Security-Policy", kDefaultCsp);
  r.setHeader("X-Frame-Options", "DENY");
  r.setHeader("X-Content-Type-Options", "nosniff");
  r.setHeader("Referrer-Policy", "no-referrer");
  r.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  r.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (tls) r.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

namespace {
Response errorResponse(int status, const char* code, const char* message) {
  return Response::json(
      status, std::string("{\"error\":{\"code\":\"") + code + "\",\"message\":\"" + message + "\",\"details\":{}}}");
}
// 503 for a server that is busy (workers or body memory): the client retries after a second.
Response busyResponse(const char* message) {
  Response r = errorResponse(503, "unavailable", message);
  r.setHeader("Retry-After", "1");
  return r;
}
}  // namespace

struct Server::Impl {
  ServerOptions opts;
  Handler handler;
  Metrics* metrics;
  asio::io_context ioc;
  std::unique_ptr<asio::ssl::context> ssl;
  tcp::acceptor acceptor{ioc};
  asio::thread_pool workers;
  std::vector<std::thread> ioThreads;
  std::atomic<int> connections{0};
  std::atomic<int> inFlight{0};
  std::atomic<int64_t> bodyBytes{0};  // reserved by requests whose body is being read or handled
  std::atomic<bool> stopped{false};
  uint16_t boundPort = 0;

  Impl(const ServerOptions& o, Handler h, Metrics* m)
      : opts(o), handler(std::move(h)), metrics(m), workers(static_cast<size_t>(o.workerThreads)) {}

  // Reserves `n` bytes of the body budget (limits.maxBodyMemoryBytes); one request is always
  // admitted when nothing is reserved, so a body larger than the budget can still pass alone.
  bool reserveBody(int64_t n) {
    int64_t cur = bodyBytes.load();
    do {
      if (cur > 0 && cur + n > opts.limits.maxBodyMemoryBytes) return false;
    } while (!bodyBytes.compare_exchange_weak(cur, cur + n));
    return true;
  }

  void gauge() {
    if (metrics) metrics->set("vigil_http_connections_active", "", connections.load());
  }
  void accept();
};

namespace {

// A share of the server's body budget, given back when the last holder drops it.
struct BodyReservation {
  Server::Impl& srv;
  int64_t bytes;
  BodyReservation(Server::Impl& s, int64_t n) : srv(s), bytes(n) {}
  ~BodyReservation() { srv.bodyBytes -= bytes; }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;
};

template <typename Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(Server::Impl& srv, Stream&& stream, std::string remote)
      : srv_(srv), stream_(std::move(stream)), remote_(std::move(remote)) {}
  ~Connection() {
    --srv_.connections;
    srv_.gauge();
  }

  void start() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(srv_.opts.limits.requestTimeoutSeconds));
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->readHeader();
      });
    } else {
      readHeader();
    }
  }

 private:
  static constexpr bool kTls = std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>;

  void readHeader() {
    parser_.emplace();
    reservation_.reset();  // a request refused or closed before dispatch gives its share back
    parser_->header_limit(static_cast<uint32_t>(srv_.opts.limits.maxHeaderBytes));
    // The largest any route allows; narrowed to the request's route once its header is known.
    bodyLimit_ = static_cast<uint64_t>(std::max(srv_.opts.limits.maxBodyBytes, srv_.opts.largestBodyLimit));
    parser_->body_limit(bodyLimit_);
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(first_ ? srv_.opts.limits.requestTimeoutSeconds : srv_.opts.limits.idleTimeoutSeconds));
    first_ = false;
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->onReadError(ec);
                               self->readBody();
                             });
  }

  void readBody() {
    const uint64_t limit = bodyLimitOf(parser_->get());
    bodyLimit_ = limit;
    if (auto length = parser_->content_length(); length && *length > limit)
      return sendRaw(errorResponse(413, "payload_too_large", tooLargeText(*length, limit).c_str()), false);
    parser_->body_limit(limit);
    // The body budget: the announced length, or the route's limit for a chunked body.
    if (!parser_->is_done()) {
      const auto expected = static_cast<int64_t>(parser_->content_length().value_or(limit));
      if (!srv_.reserveBody(expected)) {
        if (srv_.metrics) srv_.metrics->add("vigil_http_overload_rejections_total", "");
        return sendRaw(busyResponse("the server holds too many request bodies; retry shortly"), false);
      }
      reservation_ = std::make_shared<BodyReservation>(srv_, expected);
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(srv_.opts.limits.requestTimeoutSeconds));
    // A client that asks "Expect: 100-continue" (curl does for bodies over 1 MiB) waits for this
    // interim answer before it sends the body; without it, it waits about a second first.
    const auto& header = parser_->get();
    if (!parser_->is_done() && beast::iequals(header[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, header.version());
      return bhttp::async_write(stream_, *cont, [self = this->shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->close();
        self->readRemainingBody();
      });
    }
    readRemainingBody();
  }

  void readRemainingBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->onReadError(ec);
      self->dispatch();
    });
  }

  // The 413 message: the limit that applied (and the announced size when known), so that the
  // sender knows what to change.
  static std::string tooLargeText(uint64_t length, uint64_t limit) {
    std::string s = "the request body";
    if (length > 0) s += " (" + std::to_string(length) + " bytes)";
    return s + " is larger than the " + std::to_string(limit) + " bytes allowed for this request";
  }

  uint64_t bodyLimitOf(const bhttp::request<bhttp::string_body>& header) const {
    if (!srv_.opts.bodyLimit) return static_cast<uint64_t>(srv_.opts.limits.maxBodyBytes);
    const int64_t route =
        srv_.opts.bodyLimit(std::string_view(header.method_string().data(), header.method_string().size()),
                            std::string_view(header.target().data(), header.target().size()));
    return static_cast<uint64_t>(
        std::clamp<int64_t>(route, 0, std::max(srv_.opts.limits.maxBodyBytes, srv_.opts.largestBodyLimit)));
  }

  void onReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return sendRaw(errorResponse(413, "payload_too_large", tooLargeText(0, bodyLimit_).c_str()), false);
    if (ec == bhttp::error::header_limit)
      return sendRaw(errorResponse(431, "bad_request", "the request headers are larger than allowed"), false);
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return close();
    if (ec.category() == beast::error_code(bhttp::error::bad_target).category())
      return sendRaw(errorResponse(400, "bad_request", "malformed HTTP request"), false);
    close();
  }

  void dispatch() {
    auto& msg = parser_->get();
    keepAlive_ = msg.keep_alive();
    head_ = msg.method() == bhttp::verb::head;
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto qpos = req.target.find('?');
    std::string rawPath = req.target.substr(0, qpos);
    if (qpos != std::string::npos) req.query = req.target.substr(qpos + 1);
    auto decoded = percentDecode(rawPath, false);
    if (!decoded || rawPath.empty() || rawPath[0] != '/')
      return sendRaw(errorResponse(400, "bad_request", "malformed request path"), keepAlive_);
    req.path = std::move(*decoded);
    req.headers.reserve(16);
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req.body = std::move(msg.body());
    req.remoteAddr = remote_;
    req.tls = kTls;
    if (srv_.inFlight.load() >= srv_.opts.maxInFlight) {
      if (srv_.metrics) srv_.metrics->add("vigil_http_overload_rejections_total", "");
      return sendRaw(busyResponse("the server is busy; retry shortly"), false);
    }
    ++srv_.inFlight;
    asio::post(srv_.workers,
               [self = this->shared_from_this(), req = std::move(req), held = std::move(reservation_)]() mutable {
                 Response resp;
                 try {
                   resp = self->srv_.handler(req);
                 } catch (const std::exception&) {
                   resp = errorResponse(500, "internal", "internal error");
                 }
                 req.body = std::string();  // the body's memory goes back to the budget now
                 held.reset();
                 --self->srv_.inFlight;
                 asio::post(self->stream_.get_executor(), [self, resp = std::move(resp)]() mutable {
                   if (resp.stream && resp.status == 200 && !self->head_)
                     return self->startEventStream(std::move(resp));
                   resp.stream.reset();
                   self->sendRaw(std::move(resp), self->keepAlive_);
                 });
               });
  }

  void sendRaw(Response r, bool keepAlive) {
    addSecurityHeaders(r, kTls);
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(bhttp::field::server, "vigil");
    for (auto& [k, v] : r.headers) res->insert(k, v);
    const bool bodyAllowed = r.status != 204 && r.status != 304;
    if (bodyAllowed && !head_) res->body() = std::move(r.body);
    res->keep_alive(keepAlive);
    res->prepare_payload();
    // HEAD: the length of the body a GET would have sent, and no body.
    if (bodyAllowed && head_) res->content_length(r.body.size());
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(srv_.opts.limits.requestTimeoutSeconds));
    bhttp::async_write(stream_, *res, [self = this->shared_from_this(), res, keepAlive](beast::error_code ec, size_t) {
      if (ec || !keepAlive) return self->close();
      self->readHeader();
    });
  }

  // --- Server-Sent Events (Response::stream) -----------------------------------------------
  // Everything below runs on the connection's strand, except EventStream::poll() (on a worker).
  // The body has no length: it ends when the connection closes (Connection: close).

  void startEventStream(Response r) {
    sse_ = std::move(r.stream);
    addSecurityHeaders(r, kTls);
    auto res = std::make_shared<bhttp::response<bhttp::empty_body>>();
    res->version(11);
    res->result(bhttp::status::ok);
    res->set(bhttp::field::server, "vigil");
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
    res->set(bhttp::field::cache_control, "no-store");
    res->set("X-Accel-Buffering", "no");  // a reverse proxy (nginx) must not hold the events back
    res->keep_alive(false);
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*res);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(srv_.opts.limits.requestTimeoutSeconds));
    bhttp::async_write_header(stream_, *sr, [self = this->shared_from_this(), res, sr](beast::error_code ec, size_t) {
      if (ec) return self->endEventStream();
      beast::get_lowest_layer(self->stream_).expires_never();  // the keep-alive tick watches stalled writes
      self->watchClient();
      self->sse_->start([weak = self->weak_from_this()] {
        if (auto c = weak.lock()) asio::post(c->stream_.get_executor(), [c] { c->wakeEventStream(); });
      });
      self->armKeepAlive();
      self->wakeEventStream();  // what is already there
    });
  }

  // The stream may have news: one poll() at a time on a worker; a wake during a poll polls again.
  void wakeEventStream() {
    if (sseEnded_ || sseEnding_) return;
    if (ssePolling_) {
      sseWakePending_ = true;
      return;
    }
    if (srv_.stopped) return endEventStream();
    ssePolling_ = true;
    sseWakePending_ = false;
    asio::post(srv_.workers, [self = this->shared_from_this()] {
      std::optional<std::string> text;
      try {
        text = self->sse_->poll();
      } catch (const std::exception&) {
        text.reset();
      }
      asio::post(self->stream_.get_executor(), [self, text = std::move(text)]() mutable {
        self->ssePolling_ = false;
        if (!text) {
          self->sseEnding_ = true;
          if (!self->sseWriting_ && self->sseOutbox_.empty()) self->endEventStream();
          return;
        }
        self->sseOutbox_ += *text;
        self->writeEventStream();
        if (self->sseWakePending_) self->wakeEventStream();
      });
    });
  }

  void writeEventStream() {
    if (sseEnded_ || sseWriting_ || sseOutbox_.empty()) return;
    sseWriting_ = true;
    sseWriteStarted_ = std::chrono::steady_clock::now();
    auto buf = std::make_shared<std::string>(std::move(sseOutbox_));
    sseOutbox_.clear();
    asio::async_write(stream_, asio::buffer(*buf),
                      [self = this->shared_from_this(), buf](beast::error_code ec, size_t) {
                        self->sseWriting_ = false;
                        if (ec) return self->endEventStream();
                        if (self->sseEnding_ && self->sseOutbox_.empty()) return self->endEventStream();
                        self->writeEventStream();
                      });
  }

  // A client sends nothing on an event stream: a read completes only when it goes away.
  void watchClient() {
    stream_.async_read_some(asio::buffer(sseReadBuf_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->endEventStream();
      self->watchClient();
    });
  }

  // Every keepAliveSeconds: a comment line when idle; a write stalled for a minute (a client that
  // stopped reading) ends the stream.
  void armKeepAlive() {
    if (sseEnded_) return;
    if (!sseTimer_) sseTimer_.emplace(stream_.get_executor());
    sseTimer_->expires_after(std::chrono::seconds(std::max(1, sse_->keepAliveSeconds)));
    sseTimer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->sseEnded_) return;
      if (self->srv_.stopped) return self->endEventStream();
      if (self->sseWriting_ && std::chrono::steady_clock::now() - self->sseWriteStarted_ > std::chrono::minutes(1))
        return self->endEventStream();
      if (!self->sseWriting_ && self->sseOutbox_.empty()) {
        self->sseOutbox_ = ": keep-alive\n\n";
        self->writeEventStream();
      }
      self->armKeepAlive();
    });
  }

  void endEventStream() {
    if (sseEnded_) return;
    sseEnded_ = true;
    if (sseTimer_) sseTimer_->cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  void close() {
    beast::error_code ec;
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      // Lingering close (what nginx calls lingering_close): a client may still be sending a body
      // we refused (413, 503) when our answer and FIN leave. Closing with unread data makes the
      // kernel send a reset, and a client that writes its whole body before reading then sees
      // "broken pipe" or "connection reset" instead of our answer. So the rest is read and
      // discarded for at most kLingerSeconds and kLingerBytes, then the socket closes.
      stream_.expires_after(std::chrono::seconds(kLingerSeconds));
      drain(kLingerBytes);
    }
  }

  static constexpr int kLingerSeconds = 2;
  static constexpr size_t kLingerBytes = 16u << 20;

  void drain(size_t left) {
    auto scratch = std::make_shared<std::array<char, 16384>>();
    stream_.async_read_some(asio::buffer(*scratch),
                            [self = this->shared_from_this(), scratch, left](beast::error_code ec, size_t n) {
                              if (ec || n >= left)
                                return;  // end of stream, reset, expiry or the byte bound: the socket closes
                              self->drain(left - n);
                            });
  }

  Server::Impl& srv_;
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // This request's share of the body budget; handed to the worker with the request.
  std::shared_ptr<BodyReservation> reservation_;
  bool keepAlive_ = true;
  bool head_ = false;  // the current request is HEAD: headers only
  bool first_ = true;
  uint64_t bodyLimit_ = 0;  // the body limit of the request being read (for the 413 message)
  // An event stream (Response::stream), once its headers are sent.
  std::shared_ptr<EventStream> sse_;
  std::optional<asio::steady_timer> sseTimer_;
  std::string sseOutbox_;  // text waiting for the write in progress
  std::array<char, 256> sseReadBuf_{};
  std::chrono::steady_clock::time_point sseWriteStarted_;
  bool ssePolling_ = false, sseWakePending_ = false, sseWriting_ = false, sseEnding_ = false, sseEnded_ = false;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (!ec) {
      if (connections.load() >= opts.limits.maxConnections) {
        if (metrics) metrics->add("vigil_http_connections_rejected_total", "");
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        ++connections;
        gauge();
        beast::error_code rec;
        auto ep = socket.remote_endpoint(rec);
        std::string remote = rec ? std::string("unknown") : ep.address().to_string();
        if (ssl) {
          std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
              *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *ssl), remote)
              ->start();
        } else {
          std::make_shared<Connection<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)), remote)->start();
        }
      }
    }
    accept();
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

uint16_t Server::port() const { return impl_->boundPort; }

Result<std::unique_ptr<Server>> Server::start(const ServerOptions& opts, Handler handler, Metrics* metrics) {
  auto impl = std::make_unique<Impl>(opts, std::move(handler), metrics);
  if (metrics) {
    metrics->describe("vigil_http_connections_active", Metrics::Type::kGauge, "Open client connections.");
    metrics->describe("vigil_http_connections_rejected_total", Metrics::Type::kCounter,
                      "Connections closed because the connection limit was reached.");
    metrics->describe("vigil_http_overload_rejections_total", Metrics::Type::kCounter,
                      "Requests answered 503 because too many were waiting for a worker or too many bodies were held.");
  }
  if (opts.tls) {
    impl->ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* ctx = impl->ssl->native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5:!DSS:!SHA1");
    beast::error_code ec;
    impl->ssl->use_certificate_chain_file(opts.certFile, ec);
    if (ec) return Error::validation("tls.cert_file", "cannot load " + opts.certFile + ": " + ec.message());
    impl->ssl->use_private_key_file(opts.keyFile, asio::ssl::context::pem, ec);
    if (ec) return Error::validation("tls.key_file", "cannot load " + opts.keyFile + ": " + ec.message());
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(opts.host == "localhost" ? "127.0.0.1" : opts.host, ec);
  if (ec) return Error::validation("server.listen", "'" + opts.host + "' is not an IP address");
  tcp::endpoint ep(addr, opts.port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error::unavailable("cannot listen on " + opts.host + ":" + std::to_string(opts.port) + ": " + ec.message());
  impl->boundPort = impl->acceptor.local_endpoint().port();
  impl->accept();
  for (int i = 0; i < opts.ioThreads; ++i) impl->ioThreads.emplace_back([p = impl.get()] { p->ioc.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  asio::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->workers.join();
  impl_->ioc.stop();
  for (auto& t : impl_->ioThreads)
    if (t.joinable()) t.join();
}

}  // namespace vigil::http
