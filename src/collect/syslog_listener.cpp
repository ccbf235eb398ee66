#include "collect/syslog_listener.h"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "collect/asio_util.h"
#include "collect/collector.h"
#include "config/config.h"
#include "core/log.h"
#include "ingest/framing.h"

namespace vigil::collect {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using boost::system::error_code;

const char* listenerKindName(ListenerKind kind) {
  switch (kind) {
    case ListenerKind::kUdp: return "udp";
    case ListenerKind::kTcp: return "tcp";
    case ListenerKind::kTls: return "tls";
  }
  return "?";
}

namespace {

constexpr size_t kReadBytes = 64 * 1024;

using net::addressText;
using net::endpointText;
using net::resolve;

// A TCP or TLS connection as the listener's registry sees it.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual void close() = 0;
};

}  // namespace

struct SyslogListeners::Impl {
  Impl(Collector& c, SyslogListenerOptions o) : collector(c), options(std::move(o)) {}

  Collector& collector;
  SyslogListenerOptions options;
  std::atomic<int> open{0};
  std::atomic<bool> stopping{false};
  std::mutex connectionsMu;
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> connections;
  std::unique_ptr<asio::ssl::context> ssl;  // before ioc: TLS streams are destroyed with it
  std::array<uint16_t, 3> ports{};
  std::array<std::string, 3> endpoints;

  asio::io_context ioc;
  std::optional<udp::socket> udpSocket;
  std::array<char, 65536> udpBuffer{};  // larger than any UDP payload (65,507 bytes)
  udp::endpoint udpPeer;
  std::optional<tcp::acceptor> tcpAcceptor, tlsAcceptor;
  std::optional<asio::steady_timer> tcpAcceptPause, tlsAcceptPause;
  std::vector<std::thread> threads;

  Status bindUdp();
  Status bindTcp(ListenerKind kind);
  Status loadTls();
  void receive();
  void onDatagram(size_t n);
  void accept(ListenerKind kind);
  void onAccepted(tcp::socket socket, ListenerKind kind);
  void remember(const std::shared_ptr<ConnectionBase>& c) {
    std::lock_guard lk(connectionsMu);
    connections[c.get()] = c;
  }
  void forget(ConnectionBase* c) {
    std::lock_guard lk(connectionsMu);
    connections.erase(c);
  }
};

namespace {

// One TCP (Stream = tcp::socket) or TLS (Stream = ssl::stream<tcp::socket>) connection. Every
// handler runs on the connection's strand (the socket's executor). One timer bounds the
// handshake and the silences between reads; the other paces resubmission under push-back.
template <typename Stream>
class Connection : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

 public:
  Connection(SyslogListeners::Impl& impl, Stream stream, std::string peer, Attribution who)
      : impl_(impl),
        stream_(std::move(stream)),
        deadline_(stream_.get_executor()),
        retry_(stream_.get_executor()),
        framer_({.maxFrameBytes = impl.options.maxFrameBytes}),
        peer_(std::move(peer)),
        who_(who),
        buffer_(kReadBytes) {
    impl_.open.fetch_add(1);
  }
  ~Connection() override {
    impl_.forget(this);
    impl_.open.fetch_sub(1);
  }

  void start() {
    if constexpr (kTls) {
      armDeadline(impl_.options.handshakeTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        ++self->deadlineGen_;
        self->deadline_.cancel();
        if (ec || self->closed_) return self->close();
        self->read();
      });
    } else {
      read();
    }
  }

  // Closes the socket and cancels the timers; the pending handlers then end the connection.
  void close() override {
    if (closed_) return;
    closed_ = true;
    error_code ec;
    deadline_.cancel();
    retry_.cancel();
    stream_.lowest_layer().close(ec);
  }

 private:
  static constexpr Input kInput = kTls ? Input::kSyslogTls : Input::kSyslogTcp;

  void armDeadline(std::chrono::milliseconds after) {
    deadline_.expires_after(after);
    // A handler already queued when the deadline was cancelled still sees success: the
    // generation tells it that the wait it belongs to is over.
    deadline_.async_wait([self = this->shared_from_this(), gen = ++deadlineGen_](error_code ec) {
      // Timed out: closing makes the pending read or handshake fail, which ends the connection.
      if (!ec && gen == self->deadlineGen_) self->close();
    });
  }

  void read() {
    if (closed_ || impl_.stopping) return close();
    armDeadline(impl_.options.idleTimeout);
    stream_.async_read_some(asio::buffer(buffer_),
                            [self = this->shared_from_this()](error_code ec, size_t n) { self->onRead(ec, n); });
  }

  void onRead(error_code ec, size_t n) {
    ++deadlineGen_;
    deadline_.cancel();
    if (n > 0) framer_.push(std::string_view(buffer_.data(), n));
    batch_.clear();
    uint64_t broken = 0;
    while (auto frame = framer_.next()) {
      batch_.push_back(frame->data);
      if (frame->truncated) ++broken;
    }
    const bool finishing = ec || closed_;
    if (finishing)
      if (auto last = framer_.finish()) {
        batch_.push_back(last->data);
        if (last->truncated) ++broken;
      }
    const uint64_t mismatches = framer_.stats().octetCountMismatch;
    broken += mismatches - countedMismatches_;
    countedMismatches_ = mismatches;
    if (broken > 0) impl_.collector.countParseErrors(kInput, who_, peer_, broken);
    submit(finishing);
  }

  // Submits batch_ (views into the framer, valid while nothing is pushed), retrying while the
  // store pushes back; then reads on, or closes when the stream ended.
  void submit(bool finishing) {
    if (!batch_.empty()) {
      Status st = impl_.collector.submitSyslog(kInput, who_, peer_, batch_, {});
      if (!st.ok() && st.error().code == ErrorCode::kUnavailable && !impl_.stopping) {
        // Back off from retryDelay, doubling while the store keeps refusing, up to its
        // retry-after (whole seconds, meant for HTTP clients: waiting that long at once would
        // stall a connection whose batch fits again a few milliseconds later).
        const auto ceiling =
            std::max(impl_.options.retryDelay, std::chrono::milliseconds(st.error().retryAfterSeconds * 1000));
        retryWait_ = retryWait_.count() == 0 ? impl_.options.retryDelay : std::min(2 * retryWait_, ceiling);
        retry_.expires_after(retryWait_);
        retry_.async_wait([self = this->shared_from_this(), finishing](error_code ec) {
          if (ec || self->closed_) return self->close();
          self->submit(finishing);
        });
        return;
      }
      // Accepted, or refused for good (an undeclared sender while those are not accepted: the
      // collector counted the messages as dropped): the connection reads on.
      retryWait_ = {};
      batch_.clear();
    }
    if (finishing) return close();
    read();
  }

  SyslogListeners::Impl& impl_;
  Stream stream_;
  asio::steady_timer deadline_;
  asio::steady_timer retry_;
  ingest::StreamFramer framer_;
  std::string peer_;
  Attribution who_;
  std::vector<char> buffer_;
  std::vector<std::string_view> batch_;
  uint64_t countedMismatches_ = 0;
  uint64_t deadlineGen_ = 0;
  std::chrono::milliseconds retryWait_{0};  // the last push-back wait; 0 after an accepted batch
  bool closed_ = false;
};

}  // namespace

Status SyslogListeners::Impl::bindUdp() {
  const std::string key = "collect.syslog_udp";
  VIGIL_ASSIGN_OR_RETURN(auto at, resolve(ioc, options.udp, key));
  udp::endpoint ep(at.first, at.second);
  udpSocket.emplace(ioc);
  error_code ec;
  udpSocket->open(ep.protocol(), ec);
  if (!ec) udpSocket->bind(ep, ec);  // no SO_REUSEADDR: two servers must not share a UDP port
  if (ec) return Error::validation(key, "cannot listen for syslog on udp " + options.udp + ": " + ec.message());
  error_code ignored;  // a bigger kernel buffer absorbs bursts; the system may cap it
  udpSocket->set_option(asio::socket_base::receive_buffer_size(4 << 20), ignored);
  const auto local = udpSocket->local_endpoint();
  ports[0] = local.port();
  endpoints[0] = endpointText(local.address(), local.port());
  receive();
  return {};
}

Status SyslogListeners::Impl::bindTcp(ListenerKind kind) {
  const bool tls = kind == ListenerKind::kTls;
  const std::string key = tls ? "collect.syslog_tls" : "collect.syslog_tcp";
  const std::string& text = tls ? options.tls : options.tcp;
  VIGIL_ASSIGN_OR_RETURN(auto at, resolve(ioc, text, key));
  tcp::endpoint ep(at.first, at.second);
  auto& acceptor = tls ? tlsAcceptor : tcpAcceptor;
  acceptor.emplace(ioc);
  (tls ? tlsAcceptPause : tcpAcceptPause).emplace(ioc);
  error_code ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error::validation(
        key, "cannot listen for syslog on " + std::string(listenerKindName(kind)) + " " + text + ": " + ec.message());
  const auto local = acceptor->local_endpoint();
  const size_t i = static_cast<size_t>(kind);
  ports[i] = local.port();
  endpoints[i] = endpointText(local.address(), local.port());
  accept(kind);
  return {};
}

Status SyslogListeners::Impl::loadTls() {
  if (options.certFile.empty() || options.keyFile.empty())
    return Error::validation("collect.syslog_tls", "needs a certificate and key (tls.cert_file, tls.key_file)");
  ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ssl->native_handle(), TLS1_2_VERSION);
  ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::single_dh_use);
  error_code ec;
  ssl->use_certificate_chain_file(options.certFile, ec);
  if (ec) return Error::validation("tls.cert_file", "cannot load " + options.certFile + ": " + ec.message());
  ssl->use_private_key_file(options.keyFile, asio::ssl::context::pem, ec);
  if (ec) return Error::validation("tls.key_file", "cannot load " + options.keyFile + ": " + ec.message());
  return {};
}

void SyslogListeners::Impl::receive() {
  udpSocket->async_receive_from(asio::buffer(udpBuffer), udpPeer, [this](error_code ec, size_t n) {
    if (ec == asio::error::operation_aborted || stopping) return;
    if (!ec) onDatagram(n);
    receive();
  });
}

void SyslogListeners::Impl::onDatagram(size_t n) {
  std::string_view message = ingest::datagramMessage(std::string_view(udpBuffer.data(), n));
  if (message.empty()) return;
  const std::string peer = addressText(udpPeer.address());
  const Attribution who = collector.attributeAddress(peer);
  if (message.size() > options.maxFrameBytes) {
    message = message.substr(0, options.maxFrameBytes);
    collector.countParseErrors(Input::kSyslogUdp, who, peer, 1);
  }
  const std::string_view one[1] = {message};
  Status st = collector.submitSyslog(Input::kSyslogUdp, who, peer, one, {});
  // UDP cannot push back: a datagram the store refused is lost. (An undeclared sender refused
  // for good was counted as dropped by the collector.)
  if (!st.ok() && st.error().code == ErrorCode::kUnavailable) collector.countDropped(Input::kSyslogUdp, who, peer, 1);
}

void SyslogListeners::Impl::accept(ListenerKind kind) {
  auto& acceptor = kind == ListenerKind::kTls ? *tlsAcceptor : *tcpAcceptor;
  acceptor.async_accept(asio::make_strand(ioc), [this, kind](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping) return;
    if (!ec) {
      onAccepted(std::move(socket), kind);
      return accept(kind);
    }
    // Out of descriptors or memory: wait a little instead of spinning on the error.
    log::warn(std::string("syslog ") + listenerKindName(kind) + " accept failed: " + ec.message());
    auto& pause = kind == ListenerKind::kTls ? *tlsAcceptPause : *tcpAcceptPause;
    pause.expires_after(std::chrono::milliseconds(100));
    pause.async_wait([this, kind](error_code e) {
      if (!e && !stopping) accept(kind);
    });
  });
}

void SyslogListeners::Impl::onAccepted(tcp::socket socket, ListenerKind kind) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is already gone
  if (open.load() >= options.maxConnections) {
    socket.close(ec);  // over the bound: the sender retries later
    return;
  }
  const std::string peer = addressText(remote.address());
  const Attribution who = collector.attributeAddress(peer);
  std::shared_ptr<ConnectionBase> base;
  if (kind == ListenerKind::kTls) {
    auto c = std::make_shared<Connection<asio::ssl::stream<tcp::socket>>>(
        *this, asio::ssl::stream<tcp::socket>(std::move(socket), *ssl), peer, who);
    remember(c);
    c->start();
  } else {
    auto c = std::make_shared<Connection<tcp::socket>>(*this, std::move(socket), peer, who);
    remember(c);
    c->start();
  }
}

SyslogListeners::SyslogListeners(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SyslogListeners::~SyslogListeners() { stop(); }

Result<std::unique_ptr<SyslogListeners>> SyslogListeners::start(Collector& collector,
                                                                const SyslogListenerOptions& options) {
  auto impl = std::make_unique<Impl>(collector, options);
  std::unique_ptr<SyslogListeners> self(new SyslogListeners(std::move(impl)));
  Impl& s = *self->impl_;
  if (!options.udp.empty()) VIGIL_TRY(s.bindUdp());
  if (!options.tcp.empty()) VIGIL_TRY(s.bindTcp(ListenerKind::kTcp));
  if (!options.tls.empty()) {
    VIGIL_TRY(s.loadTls());
    VIGIL_TRY(s.bindTcp(ListenerKind::kTls));
  }
  const int n = std::max(1, options.ioThreads);
  for (int i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  return self;
}

uint16_t SyslogListeners::port(ListenerKind kind) const { return impl_->ports[static_cast<size_t>(kind)]; }

std::string SyslogListeners::endpoint(ListenerKind kind) const { return impl_->endpoints[static_cast<size_t>(kind)]; }

int SyslogListeners::openConnections() const { return impl_->open.load(); }

void SyslogListeners::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  // Stop the io threads, then (alone on this thread) close every socket and timer and run the
  // io_context once more so that the aborted handlers release their connections.
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  error_code ec;
  if (s.udpSocket) s.udpSocket->close(ec);
  if (s.tcpAcceptor) s.tcpAcceptor->close(ec);
  if (s.tlsAcceptor) s.tlsAcceptor->close(ec);
  if (s.tcpAcceptPause) s.tcpAcceptPause->cancel();
  if (s.tlsAcceptPause) s.tlsAcceptPause->cancel();
  std::vector<std::shared_ptr<ConnectionBase>> live;
  {
    std::lock_guard lk(s.connectionsMu);
    for (auto& [ptr, weak] : s.connections)
      if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->close();
  live.clear();
  s.ioc.restart();
  s.ioc.run();
}

}  // namespace vigil::collect
