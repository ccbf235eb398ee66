// Debian's nginx (/usr/sbin/nginx) run in the foreground as a child process of a test, on a
// configuration written into a directory the test owns: the one launcher behind TestSites
// (test_sites.h), ContentSites (content_sites.h) and LocalNginx (local_nginx.h). Loopback only.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace vigil::webmon::test {

// A TCP port on 127.0.0.1 free at the time of the call. With `keepBound`, the socket stays bound
// (its descriptor is appended there, for the caller to close just before nginx starts) so that
// further calls cannot return the same port; without it, the socket is closed at once.
int freeLoopbackPort(std::vector<int>* keepBound = nullptr);

// True when an IPv4 "address:port" accepts a TCP connection now.
bool acceptsConnections(const std::string& hostPort);

// A whole nginx.conf for the prefix directory `dir`: foreground, one worker process with
// `workerConnections` connections, pid file and error log (level warn) in `dir`, temporary files
// in `dir`/tmp, and an http block with Debian's MIME types followed by `http` (the caller's
// directives and server blocks, inserted as they are).
std::string nginxConfig(const std::filesystem::path& dir, int workerConnections, const std::string& http);

class NginxProcess {
 public:
  NginxProcess() = default;
  ~NginxProcess() { stop(); }
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  // Writes `config` to `dir`/nginx.conf (creating `dir`/tmp), starts nginx with `dir` as its
  // prefix (its output goes to `dir`/nginx.out) and waits up to 15 s until every "address:port"
  // of `listen` accepts connections. Returns "" when it does, else why not: nginx's output and
  // error log when it exited, or the addresses that never answered. Call once per object.
  std::string start(const std::filesystem::path& dir, const std::string& config,
                    const std::vector<std::string>& listen);
  // Sends SIGTERM and waits for nginx to exit; does nothing when it is not running.
  void stop();

 private:
  pid_t pid_ = -1;
};

}  // namespace vigil::webmon::test
