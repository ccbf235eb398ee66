// The real `vigil serve` binary as a child process, for the durability, overload and retention
// tests: started on a temporary data directory with port 0 and a port file, stopped with SIGTERM
// or killed with SIGKILL, restarted on the same directory. Plus the admin session (first start
// with VIGIL_ADMIN_PASSWORD, two-step enrolment computed here) and a declared source's token.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "support/test_server.h"

namespace vigil::test {

class ServeProcess {
 public:
  static constexpr const char* kAdminPassword = "Durability-test-pass-2026";

  // `env`: extra VIGIL_* settings (name, value) for every start.
  explicit ServeProcess(std::filesystem::path dataDir, std::vector<std::pair<std::string, std::string>> env = {});
  ~ServeProcess();  // kills a running child
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Starts the child and waits (at most 30 s) for its port file; false with `why` set when it
  // exited or did not listen in time (its log is in why).
  bool start(std::string& why);
  // SIGKILL, then reaps the child.
  void kill();
  // SIGTERM, then waits for the exit; the exit status (-1 when killed by a signal or none ran).
  int stop();

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  uint16_t syslogTcpPort() const { return tcpPort_; }
  std::string log() const;  // the child's stdout + stderr (all starts)
  // VmHWM and VmRSS of the child in KiB (0 when not running).
  uint64_t peakRssKib() const;
  uint64_t rssKib() const;

 private:
  std::filesystem::path dataDir_, portFile_, logFile_;
  std::vector<std::pair<std::string, std::string>> env_;
  pid_t pid_ = -1;
  uint16_t port_ = 0, tcpPort_ = 0;
};

// Logs in as admin (password kAdminPassword) and enrols two-step login when the account has
// none yet, so the session can do everything. Empty cookie on failure (`why` says what).
Session adminSession(uint16_t port, std::string& why);
// Declares a log source of agency `orgId` with an ingest token over the API; "" on failure.
// `sourceId`, when given, receives the new source's id.
std::string createSourceToken(uint16_t port, const Session& admin, int64_t orgId, const std::string& name,
                              std::string& why, int64_t* sourceId = nullptr);

}  // namespace vigil::test
