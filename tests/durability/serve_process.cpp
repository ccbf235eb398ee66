#include "durability/serve_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "auth/totp.h"
#include "core/crypto.h"

extern char** environ;

namespace vigil::test {

namespace fs = std::filesystem;

ServeProcess::ServeProcess(fs::path dataDir, std::vector<std::pair<std::string, std::string>> env)
    : dataDir_(std::move(dataDir)), env_(std::move(env)) {
  portFile_ = dataDir_.string() + ".port";
  logFile_ = dataDir_.string() + ".log";
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) kill();
}

bool ServeProcess::start(std::string& why) {
  fs::remove(portFile_);
  fs::remove(portFile_.string() + ".syslog");
  // The environment and arguments are built before fork: the child only calls async-signal-safe
  // functions (the parent may have other threads).
  std::vector<std::string> envText;
  for (char** e = environ; e && *e; ++e)
    if (std::string_view(*e).rfind("VIGIL_", 0) != 0) envText.emplace_back(*e);
  envText.push_back(std::string("VIGIL_ADMIN_PASSWORD=") + kAdminPassword);
  envText.push_back("VIGIL_AUTH_ARGON2_MEMLIMIT_KIB=8192");
  envText.push_back("VIGIL_AUTH_ARGON2_OPSLIMIT=1");
  for (const auto& [k, v] : env_) envText.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : envText) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argText = {VIGIL_BINARY, "serve",       "--data-dir",  dataDir_.string(),
                                      "--listen",   "127.0.0.1:0", "--port-file", portFile_.string()};
  std::vector<char*> argv;
  for (auto& s : argText) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int logFd = ::open(logFile_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logFd < 0) {
    why = "cannot open " + logFile_.string();
    return false;
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(logFd, 1);
    ::dup2(logFd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(logFd);
  if (pid_ < 0) {
    why = "fork failed";
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why = "vigil serve exited at start:\n" + log();
      return false;
    }
    std::ifstream in(portFile_);
    unsigned p = 0;
    if (in >> p && p > 0) {
      port_ = static_cast<uint16_t>(p);
      std::ifstream syslog(portFile_.string() + ".syslog");
      std::string kind;
      unsigned sp = 0;
      while (syslog >> kind >> sp)
        if (kind == "tcp") tcpPort_ = static_cast<uint16_t>(sp);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  why = "vigil serve did not write its port file within 30 s:\n" + log();
  kill();
  return false;
}

void ServeProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServeProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ServeProcess::log() const {
  std::ifstream in(logFile_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

uint64_t statusKib(pid_t pid, const char* key) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stoull(line.substr(std::string(key).size()));
  return 0;
}

std::string setCookieValue(const HttpResult& r) {
  std::string c = r.header("set-cookie");
  return c.substr(0, c.find(';'));
}

}  // namespace

uint64_t ServeProcess::peakRssKib() const { return statusKib(pid_, "VmHWM:"); }
uint64_t ServeProcess::rssKib() const { return statusKib(pid_, "VmRSS:"); }

Session adminSession(uint16_t port, std::string& why) {
  HttpClient http(port);
  Session s;
  auto login =
      http.request("POST", "/api/v1/auth/login",
                   std::string("{\"username\":\"admin\",\"password\":\"") + ServeProcess::kAdminPassword + "\"}");
  if (login.status != 200 || jsonField(login.body, "csrf_token").empty()) {
    why = "login: " + std::to_string(login.status) + " " + login.body;
    return {};
  }
  s.cookie = setCookieValue(login);
  s.csrf = jsonField(login.body, "csrf_token");
  auto me = http.request("GET", "/api/v1/me", "", s.headers());
  if (me.body.find("\"mfa_enrollment_required\":true") == std::string::npos) return s;
  auto setup = http.request("POST", "/api/v1/me/mfa/setup", "", s.headers());
  const auto secret = crypto::base32Decode(jsonField(setup.body, "secret"));
  if (setup.status != 200 || !secret) {
    why = "MFA setup: " + setup.body;
    return {};
  }
  const int64_t step =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
      auth::kTotpStepSeconds;
  auto confirm = http.request("POST", "/api/v1/me/mfa/confirm", "{\"code\":\"" + auth::totpCode(*secret, step) + "\"}",
                              s.headers());
  if (confirm.status != 204) {
    why = "MFA confirm: " + std::to_string(confirm.status) + " " + confirm.body;
    return {};
  }
  return s;
}

std::string createSourceToken(uint16_t port, const Session& admin, int64_t orgId, const std::string& name,
                              std::string& why, int64_t* sourceId) {
  HttpClient http(port);
  auto r = http.request("POST", "/api/v1/sources",
                        "{\"org_id\":" + std::to_string(orgId) + ",\"name\":\"" + name + "\",\"with_token\":true}",
                        admin.headers());
  const std::string token = jsonField(r.body, "token");
  if (r.status != 201 || token.empty()) why = "source create: " + std::to_string(r.status) + " " + r.body;
  if (sourceId && !token.empty()) *sourceId = std::stoll(jsonField(r.body, "id"));
  return token;
}

}  // namespace vigil::test
