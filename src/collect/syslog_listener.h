// The syslog network listeners: UDP (RFC 5426, one datagram = one message), TCP (RFC 6587,
// octet-counted and LF-delimited frames) and TLS (RFC 5425, TLS 1.2 or later), feeding the
// Collector. Boost.Asio and OpenSSL stay in syslog_listener.cpp.
//
// Threads: `ioThreads` threads of one io_context run every socket; messages are parsed,
// normalised and appended on them (Collector::submitSyslog). Each TCP/TLS connection is served on
// its own strand, so a slow or hostile peer never blocks the others.
//
// Per TCP/TLS connection: the sender is attributed once (by its address), every read is framed
// and its complete frames are submitted as one batch. When the event store pushes back
// (`unavailable`) the connection stops reading, waits (100 ms, doubling up to the store's
// retryAfter while refusals go on), resubmits the same batch and only then reads on: the TCP window fills and nothing
// accepted is lost. UDP cannot push back: refused datagrams are counted as dropped.
//
// Bounds: maxConnections open TCP+TLS connections (further ones are closed at once), frames cut
// at maxFrameBytes (the cut frame is kept and counted as a parse error, like octet-count
// mismatches and frames cut by the end of the stream), a connection that sends nothing for
// idleTimeout is closed, a TLS handshake not done within handshakeTimeout is abandoned.
//
// Thread-safety: port()/endpoint()/openConnections() may be called from any thread; stop() once,
// from one thread (the destructor calls it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace vigil::collect {

class Collector;

enum class ListenerKind : uint8_t { kUdp, kTcp, kTls };
// "udp", "tcp", "tls".
const char* listenerKindName(ListenerKind kind);

struct SyslogListenerOptions {
  // "host:port" (port 0 picks a free port); empty: that listener is off.
  std::string udp, tcp, tls;
  // PEM certificate chain and private key of the TLS listener (required when `tls` is set).
  std::string certFile, keyFile;
  size_t maxFrameBytes = 64 * 1024;
  int maxConnections = 2000;  // TCP and TLS together
  std::chrono::milliseconds idleTimeout = std::chrono::seconds(300);
  std::chrono::milliseconds handshakeTimeout = std::chrono::seconds(10);
  // First wait after a push-back; doubled while the store keeps refusing, up to its retryAfter.
  std::chrono::milliseconds retryDelay = std::chrono::milliseconds(100);
  int ioThreads = 2;
};

class SyslogListeners {
 public:
  // Binds every configured endpoint and starts the io threads. A bind failure, a bad address or
  // an unreadable certificate is an error naming the collect.* key; nothing is left running.
  // `collector` must outlive the listeners.
  static Result<std::unique_ptr<SyslogListeners>> start(Collector& collector, const SyslogListenerOptions& options);
  ~SyslogListeners();
  SyslogListeners(const SyslogListeners&) = delete;
  SyslogListeners& operator=(const SyslogListeners&) = delete;

  // The bound port of a listener; 0 when it is off.
  uint16_t port(ListenerKind kind) const;
  // "127.0.0.1:5514" as bound; empty when it is off.
  std::string endpoint(ListenerKind kind) const;
  // TCP and TLS connections open now.
  int openConnections() const;

  // Closes the sockets and every connection and joins the io threads. Idempotent. Bytes read
  // but not yet framed into a complete message are discarded.
  void stop();

  struct Impl;

 private:
  explicit SyslogListeners(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::collect
