// The RELP listener (Reliable Event Logging Protocol, as spoken by rsyslog's omrelp): syslog
// messages that are acknowledged to the sender only once they are durable in the event store.
// Written on Boost.Asio rather than with librelp; relp_listener.cpp says why (with figures).
//
// Per session: the sender is attributed once (by its address, like syslog TCP). Every read is cut
// into RELP frames; the `syslog` frames of one read form one batch, submitted through
// Collector::submitSyslog (same parsing, normalising and figures as syslog TCP, input "relp").
// The `rsp 200 OK` of each frame is written when the store reports its batch durable
// (fdatasync'ed), in the order the frames came. While earlier batches wait for their fsync the
// session reads on (the client's window, at most `maxUnacked` frames unanswered per session).
// When the store refuses a batch (`unavailable`) nothing is acknowledged: the session stops
// reading, waits (retryDelay, doubling up to the store's retry-after) and resubmits the same
// batch. Nothing acknowledged is ever lost; nothing is dropped.
//
// Protocol errors (a malformed header, a wrong DATALEN, DATALEN over maxFrameBytes, a command
// other than open/syslog/close, `syslog` before `open`, a second `open`) are counted as parse
// errors of the sender and logged naming the peer and the fault; frames before the fault are
// still answered, then the server sends the `serverclose` hint and closes the session. A
// session silent for idleTimeout is closed (bytes of an unfinished frame are counted as a parse
// error). At most maxConnections sessions; further ones are closed at once.
//
// Thread-safety: port()/endpoint()/openConnections() from any thread; stop() once, from one
// thread (the destructor calls it). stop() must run before the event store closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace vigil::collect {

class Collector;

struct RelpListenerOptions {
  std::string address;               // "host:port" (port 0 picks a free port)
  size_t maxFrameBytes = 64 * 1024;  // bound of DATALEN (collect.max_frame_bytes)
  int maxConnections = 2000;
  std::chrono::milliseconds idleTimeout = std::chrono::seconds(300);
  std::chrono::milliseconds retryDelay = std::chrono::milliseconds(100);
  size_t maxUnacked = 1024;  // frames awaiting their rsp per session; beyond, the session stops reading
  int ioThreads = 2;
  // Tests only: called on the store's writer thread when a batch is durable, before its
  // acknowledgements are queued for sending.
  std::function<void()> beforeAcknowledging;
};

class RelpListener {
 public:
  // Binds and starts the io threads. A bind failure or a bad address is an error naming
  // collect.relp. `collector` must outlive the listener.
  static Result<std::unique_ptr<RelpListener>> start(Collector& collector, const RelpListenerOptions& options);
  ~RelpListener();
  RelpListener(const RelpListener&) = delete;
  RelpListener& operator=(const RelpListener&) = delete;

  uint16_t port() const;
  std::string endpoint() const;  // "127.0.0.1:2514" as bound
  int openConnections() const;

  // Closes the socket and every session (answers not yet written are lost: their messages are
  // durable, the client retransmits them) and joins the io threads. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit RelpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::collect
