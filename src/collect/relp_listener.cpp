// Why RELP is served here on Boost.Asio and not with librelp (librelp-dev 1.11 is in Debian 12):
// librelp's server answers every `syslog` frame from inside a synchronous receive callback on its
// single event-loop thread, and sends the `rsp` as soon as that callback returns. Acknowledging
// only what is durable would mean blocking that callback until the message's fdatasync, i.e. one
// disk sync per message, serialised across every session. Measured on the development machine
// (2 cores, virtual disk, 2026-11-24): `dd bs=256 count=2000 oflag=dsync` does 2,000 synced
// writes in 0.48 s, so such a server cannot exceed ~4,100 messages/s in total, far below the
// 50,000 msg/s wanted. By hand, every frame already read from a session is one store append (one
// group-committed fsync for all of them, shared with the other inputs) and all their `rsp` go out
// together when that append is durable. Measured the same day: a raw client waiting for each
// answer (window 1) gets 871 msg/s (one fsync per message, as librelp would); with a window of 128
// frames ~100,000 msg/s; bench/relp.sh (rsyslog omrelp, windowSize 1024): 135,715 msg/s.
// The protocol side is small: relp_frame.cpp.
#include "collect/relp_listener.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "collect/asio_util.h"
#include "collect/collector.h"
#include "collect/relp_frame.h"
#include "core/log.h"

namespace vigil::collect {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr size_t kReadBytes = 64 * 1024;
constexpr std::string_view kServerClose = "0 serverclose 0\n";

class Session;

// Lets durable callbacks (on the store's writer thread) reach sessions only while the listener
// runs: stop() closes the gate before it tears the io_context down.
struct Gate {
  std::mutex mu;
  bool open = true;
};

}  // namespace

struct RelpListener::Impl {
  Impl(Collector& c, RelpListenerOptions o) : collector(c), options(std::move(o)) {}

  Collector& collector;
  RelpListenerOptions options;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::atomic<int> open{0};
  std::atomic<bool> stopping{false};
  std::mutex sessionsMu;
  // Open sessions. This map owns them while they wait for the store (no read, write or timer
  // pending); a session leaves it when it closes.
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;
  uint16_t port = 0;
  std::string endpoint;

  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> acceptPause;
  std::vector<std::thread> threads;

  Status bind();
  void accept();
  void onAccepted(tcp::socket socket);
};

namespace {

// One RELP session. Every handler runs on the session's strand (the socket's executor).
//
// in_ holds the bytes read and not yet consumed; process() cuts frames from it. The answers go
// through pending_, one entry per batch or control frame in arrival order; an entry is written
// once it is ready and everything before it was written (RELP wants answers in command order).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(RelpListener::Impl& impl, tcp::socket socket, std::string peer, Attribution who)
      : impl_(impl),
        socket_(std::move(socket)),
        deadline_(socket_.get_executor()),
        retry_(socket_.get_executor()),
        peer_(std::move(peer)),
        who_(who),
        buffer_(kReadBytes) {
    impl_.open.fetch_add(1);
  }
  ~Session() { impl_.open.fetch_sub(1); }

  void start() { read(); }
  tcp::socket::executor_type executor() { return socket_.get_executor(); }

  // Closes the socket and cancels the timers; pending handlers then end the session. The caller
  // holds a reference (a handler's `self`, stop()'s copy).
  void close() {
    if (closed_) return;
    closed_ = true;
    {
      std::lock_guard lk(impl_.sessionsMu);
      impl_.sessions.erase(this);
    }
    error_code ec;
    deadline_.cancel();
    retry_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  // What process() found the session should do once its batch is submitted.
  enum class Next { kRead, kAgain, kWaitAcks, kStop };

  struct Pending {
    std::string bytes;  // the rsp frames (or the serverclose hint)
    bool ready = false;
  };

  void read() {
    if (closed_ || impl_.stopping) return close();
    armDeadline();
    reading_ = true;
    socket_.async_read_some(asio::buffer(buffer_),
                            [self = shared_from_this()](error_code ec, size_t n) { self->onRead(ec, n); });
  }

  void armDeadline() {
    deadline_.expires_after(impl_.options.idleTimeout);
    deadline_.async_wait([self = shared_from_this(), gen = ++deadlineGen_](error_code ec) {
      if (ec || gen != self->deadlineGen_ || self->closed_) return;
      if (!self->in_.empty()) self->protocolError(0, "idle timeout inside an unfinished frame", false);
      self->close();
    });
  }

  void onRead(error_code ec, size_t n) {
    reading_ = false;
    ++deadlineGen_;
    deadline_.cancel();
    if (closed_) return;
    if (ec) {
      // The client went away (or was timed out). An unfinished frame is counted; answers for
      // batches still waiting on the store cannot be delivered any more: the client resends.
      if (!in_.empty() && ec != asio::error::operation_aborted)
        protocolError(0, "connection closed inside an unfinished frame", false);
      return close();
    }
    in_.append(buffer_.data(), n);
    process();
  }

  // Cuts frames from in_: answers control frames, gathers `syslog` frames into one batch (up to
  // the first control frame, so answers keep their order) and submits it.
  void process() {
    batch_.clear();
    txnrs_.clear();
    size_t pos = 0;
    Next next = Next::kRead;
    while (!closing_) {
      if (unacked_ + batch_.size() >= impl_.options.maxUnacked) {
        next = Next::kWaitAcks;
        break;
      }
      const RelpParseResult r = parseRelpFrame(std::string_view(in_).substr(pos), impl_.options.maxFrameBytes);
      if (r.status == RelpParse::kNeedMore) break;
      if (r.status == RelpParse::kError) {
        if (!batch_.empty()) {  // answer what came before the fault first
          next = Next::kAgain;
          break;
        }
        protocolError(r.txnr, r.error, true);
        next = Next::kStop;
        break;
      }
      const RelpFrame& f = r.frame;
      if (f.command == "syslog" && opened_) {
        batch_.push_back(f.data);
        txnrs_.push_back(f.txnr);
        pos += r.consumed;
        continue;
      }
      if (!batch_.empty()) {
        next = Next::kAgain;
        break;
      }
      pos += r.consumed;
      control(f);
    }
    if (closing_) next = Next::kStop;
    parsed_ = pos;
    next_ = next;
    submit();
  }

  // open, close and faults. Answers are queued behind everything before them.
  void control(const RelpFrame& f) {
    if (f.command == "open") {
      if (opened_) return protocolError(f.txnr, "a second open in one session", true);
      opened_ = true;
      // Accept the client's relp_version (0 and 1 mean the same framing) and offer syslog.
      std::string version = "0";
      for (size_t at = 0; at < f.data.size();) {
        size_t end = f.data.find('\n', at);
        if (end == std::string_view::npos) end = f.data.size();
        const std::string_view offer = f.data.substr(at, end - at);
        if (offer.rfind("relp_version=", 0) == 0) version = std::string(offer.substr(13, 9));
        at = end + 1;
      }
      queue(relpResponse(f.txnr, "200 OK\nrelp_version=" + version + "\nrelp_software=vigil\ncommands=syslog"));
      return;
    }
    if (f.command == "close") {
      queue(relpResponse(f.txnr, "200 OK"));
      closing_ = true;  // written, then the socket is closed
      return;
    }
    if (f.command == "syslog") return protocolError(f.txnr, "syslog before open", true);
    protocolError(f.txnr, "unknown command '" + std::string(f.command.substr(0, 32)) + "'", true);
  }

  // Counts and logs a fault of the sender; with `answer`, queues a 500 for its frame (when its
  // TXNR is known) and the serverclose hint, after which the session closes.
  void protocolError(uint32_t txnr, const std::string& what, bool answer) {
    impl_.collector.countParseErrors(Input::kRelp, who_, peer_, 1);
    log::warn("relp " + peer_ + ": " + what + "; session closed");
    if (!answer) return;
    std::string bytes;
    if (txnr > 0) bytes = relpResponse(txnr, "500 " + what);
    bytes += kServerClose;
    queue(std::move(bytes));
    closing_ = true;
  }

  void queue(std::string bytes) {
    auto p = std::make_shared<Pending>();
    p->bytes = std::move(bytes);
    p->ready = true;
    pending_.push_back(std::move(p));
    flush();
  }

  // Submits batch_ (views into in_, untouched until it is accepted), retrying while the store
  // pushes back; then goes on as process() decided.
  void submit() {
    if (closed_) return;
    if (!batch_.empty()) {
      auto p = std::make_shared<Pending>();
      pending_.push_back(p);
      Status st = impl_.collector.submitSyslog(Input::kRelp, who_, peer_, batch_, durableCallback(p, txnrs_));
      if (!st.ok() && st.error().code == ErrorCode::kUnavailable && !impl_.stopping) {
        pending_.pop_back();
        const auto ceiling =
            std::max(impl_.options.retryDelay, std::chrono::milliseconds(st.error().retryAfterSeconds * 1000));
        retryWait_ = retryWait_.count() == 0 ? impl_.options.retryDelay : std::min(2 * retryWait_, ceiling);
        retry_.expires_after(retryWait_);
        retry_.async_wait([self = shared_from_this()](error_code ec) {
          if (ec || self->closed_) return self->close();
          self->submit();
        });
        return;
      }
      retryWait_ = {};
      if (st.ok()) {
        unacked_ += batch_.size();
      } else {
        // Refused for good (an undeclared sender while those are not accepted; the collector
        // counted the messages as dropped): say so to the client rather than acknowledge.
        for (uint32_t t : txnrs_) p->bytes += relpResponse(t, "500 " + st.error().message);
        p->ready = true;
      }
      batch_.clear();
      txnrs_.clear();
    }
    in_.erase(0, parsed_);
    parsed_ = 0;
    flush();
    switch (next_) {
      case Next::kRead: return read();
      case Next::kAgain: return asio::post(executor(), [self = shared_from_this()] { self->process(); });
      case Next::kWaitAcks: waitingAcks_ = true; return;  // flush() resumes when answers went out
      case Next::kStop: return;                           // flush() closes once all is written
    }
  }

  // The callback for one accepted batch: on the writer thread, it posts the answers to the
  // session's strand (only while the listener runs and the session lives).
  Collector::DurableCallback durableCallback(std::shared_ptr<Pending> p, const std::vector<uint32_t>& txnrs) {
    return [gate = impl_.gate, weak = weak_from_this(), p = std::move(p), txnrs,
            hook = impl_.options.beforeAcknowledging](const Status& st) {
      if (st.ok() && hook) hook();
      std::lock_guard lk(gate->mu);
      if (!gate->open) return;
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->executor(), [self, p, txnrs, st] {
        std::string bytes;
        for (uint32_t t : txnrs) bytes += relpResponse(t, st.ok() ? "200 OK" : "500 not stored: " + st.error().message);
        p->bytes = std::move(bytes);
        p->ready = true;
        self->unacked_ -= txnrs.size();
        self->flush();
      });
    };
  }

  // Writes the ready answers at the front of pending_; resumes reading when the window has room;
  // closes the session once it is closing and everything was written.
  void flush() {
    if (closed_) return;
    while (!pending_.empty() && pending_.front()->ready) {
      out_ += pending_.front()->bytes;
      pending_.pop_front();
    }
    if (!writing_ && !out_.empty()) {
      writing_ = true;
      sending_.swap(out_);
      out_.clear();
      asio::async_write(socket_, asio::buffer(sending_), [self = shared_from_this()](error_code ec, size_t) {
        self->writing_ = false;
        self->sending_.clear();
        if (ec) return self->close();
        self->flush();
      });
      return;
    }
    if (writing_) return;
    if (closing_ && pending_.empty() && next_ == Next::kStop) return close();
    if (waitingAcks_ && unacked_ < impl_.options.maxUnacked) {
      waitingAcks_ = false;
      process();
    }
  }

  RelpListener::Impl& impl_;
  tcp::socket socket_;
  asio::steady_timer deadline_;
  asio::steady_timer retry_;
  std::string peer_;
  Attribution who_;
  std::vector<char> buffer_;
  std::string in_;
  size_t parsed_ = 0;
  Next next_ = Next::kRead;
  std::vector<std::string_view> batch_;
  std::vector<uint32_t> txnrs_;
  std::deque<std::shared_ptr<Pending>> pending_;
  std::string out_, sending_;
  size_t unacked_ = 0;  // syslog frames accepted by the store, not yet answered
  uint64_t deadlineGen_ = 0;
  std::chrono::milliseconds retryWait_{0};
  bool opened_ = false, closing_ = false, closed_ = false;
  bool reading_ = false, writing_ = false, waitingAcks_ = false;
};

}  // namespace

Status RelpListener::Impl::bind() {
  const std::string key = "collect.relp";
  VIGIL_ASSIGN_OR_RETURN(auto at, net::resolve(ioc, options.address, key));
  tcp::endpoint ep(at.first, at.second);
  acceptor.emplace(ioc);
  acceptPause.emplace(ioc);
  error_code ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error::validation(key, "cannot listen for RELP on " + options.address + ": " + ec.message());
  const auto local = acceptor->local_endpoint();
  port = local.port();
  endpoint = net::endpointText(local.address(), local.port());
  accept();
  return {};
}

void RelpListener::Impl::accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping) return;
    if (!ec) {
      onAccepted(std::move(socket));
      return accept();
    }
    log::warn("relp accept failed: " + ec.message());
    acceptPause->expires_after(std::chrono::milliseconds(100));
    acceptPause->async_wait([this](error_code e) {
      if (!e && !stopping) accept();
    });
  });
}

void RelpListener::Impl::onAccepted(tcp::socket socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  if (open.load() >= options.maxConnections) {
    socket.close(ec);
    return;
  }
  // Answers are small writes that must not wait for the client's delayed ACK (Nagle): with a
  // window of 128 frames, waiting cut rsyslog's rate tenfold.
  socket.set_option(tcp::no_delay(true), ec);
  const std::string peer = net::addressText(remote.address());
  auto s = std::make_shared<Session>(*this, std::move(socket), peer, collector.attributeAddress(peer));
  {
    std::lock_guard lk(sessionsMu);
    sessions[s.get()] = s;
  }
  asio::dispatch(s->executor(), [s] { s->start(); });
}

RelpListener::RelpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RelpListener::~RelpListener() { stop(); }

Result<std::unique_ptr<RelpListener>> RelpListener::start(Collector& collector, const RelpListenerOptions& options) {
  std::unique_ptr<RelpListener> self(new RelpListener(std::make_unique<Impl>(collector, options)));
  Impl& s = *self->impl_;
  VIGIL_TRY(s.bind());
  const int n = std::max(1, options.ioThreads);
  for (int i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  return self;
}

uint16_t RelpListener::port() const { return impl_->port; }

std::string RelpListener::endpoint() const { return impl_->endpoint; }

int RelpListener::openConnections() const { return impl_->open.load(); }

void RelpListener::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  {
    std::lock_guard lk(s.gate->mu);  // no durable callback posts from now on
    s.gate->open = false;
  }
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  error_code ec;
  if (s.acceptor) s.acceptor->close(ec);
  if (s.acceptPause) s.acceptPause->cancel();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lk(s.sessionsMu);
    for (auto& [ptr, session] : s.sessions) live.push_back(session);
  }
  for (auto& c : live) c->close();
  live.clear();
  s.ioc.restart();
  s.ioc.run();
}

}  // namespace vigil::collect
