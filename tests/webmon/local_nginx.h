// A small nginx on loopback for the scheduler tests: the test gives the `server { }` blocks and the
// files (paths relative to a temporary root, which the blocks reach as `{root}`); nginx is started
// as a child process and stopped by the destructor, which also removes the directory. Every
// request is written to `access.log` as "<msec> <host header> <uri> <status> \"<user agent>\"" so
// tests can measure request times as the server saw them. Loopback addresses other than
// 127.0.0.1 (127.0.0.2, ...) can be listened on: Linux routes all of 127.0.0.0/8 to lo.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "webmon/nginx_process.h"

namespace vigil::webmon::test {

struct LoggedRequest {
  double at = 0;  // seconds since the epoch, millisecond precision ($msec)
  std::string host, uri, status, userAgent;
};

class LocalNginx {
 public:
  // `listen`: the "address:port" pairs the blocks listen on (waited for at start).
  LocalNginx(const std::string& servers, const std::map<std::string, std::string>& files,
             const std::vector<std::string>& listen);
  ~LocalNginx();
  LocalNginx(const LocalNginx&) = delete;
  LocalNginx& operator=(const LocalNginx&) = delete;

  const std::string& error() const { return error_; }
  std::vector<LoggedRequest> requests() const;  // the access log so far, in log order

  // A TCP port on 127.0.0.1 free at the time of the call.
  static int freePort() { return freeLoopbackPort(); }

 private:
  std::filesystem::path dir_;
  NginxProcess nginx_;
  std::string error_;
};

}  // namespace vigil::webmon::test
