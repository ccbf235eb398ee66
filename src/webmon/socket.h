// Small socket helpers shared by the TLS probes (tls.cpp) and the availability check
// (availability.cpp). POSIX sockets only; include from src/webmon/*.cpp.
#pragma once

#include <sys/socket.h>

#include <string>

namespace vigil::webmon {

// Owns a socket descriptor (-1: none) and closes it when it goes out of scope.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// A TCP connection to `addr`, made without blocking for longer than `timeoutMs`; the socket is then
// put back in blocking mode with send and receive timeouts of `timeoutMs`. Returns the descriptor
// (close-on-exec), or -1 when the socket cannot be made, the connection is refused or the time is
// up (errno is not meaningful then).
int connectWithin(const sockaddr* addr, socklen_t len, long timeoutMs);

// True when `host` is an IPv4 or IPv6 address literal (no brackets), not a name.
bool isIpLiteral(const std::string& host);

}  // namespace vigil::webmon
