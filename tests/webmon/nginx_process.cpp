#include "webmon/nginx_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace vigil::webmon::test {

namespace fs = std::filesystem;

int freeLoopbackPort(std::vector<int>* keepBound) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  if (keepBound)
    keepBound->push_back(fd);
  else
    ::close(fd);
  return ntohs(a.sin_port);
}

bool acceptsConnections(const std::string& hostPort) {
  const auto colon = hostPort.rfind(':');
  if (colon == std::string::npos) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(hostPort.substr(colon + 1))));
  if (::inet_pton(AF_INET, hostPort.substr(0, colon).c_str(), &a.sin_addr) != 1) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string nginxConfig(const fs::path& dir, int workerConnections, const std::string& http) {
  const std::string d = dir.string();
  std::ostringstream c;
  c << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d
    << "/error.log warn;\nevents { worker_connections " << workerConnections
    << "; }\nhttp {\n include /etc/nginx/mime.types;\n"
    << " client_body_temp_path " << d << "/tmp; proxy_temp_path " << d << "/tmp; fastcgi_temp_path " << d
    << "/tmp; uwsgi_temp_path " << d << "/tmp; scgi_temp_path " << d << "/tmp;\n"
    << http << "}\n";
  return c.str();
}

std::string NginxProcess::start(const fs::path& dir, const std::string& config,
                                const std::vector<std::string>& listen) {
  fs::create_directories(dir / "tmp");
  std::ofstream(dir / "nginx.conf") << config;
  const std::string conf = (dir / "nginx.conf").string();
  const std::string prefix = dir.string() + "/";
  const std::string errorLog = (dir / "error.log").string();
  const int logFd = ::open((dir / "nginx.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  std::vector<std::string> args = {"/usr/sbin/nginx", "-p", prefix, "-c", conf, "-e", errorLog};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(logFd, 1);
    ::dup2(logFd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(logFd);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  std::vector<std::string> silent = listen;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream log(dir / "nginx.out"), err(errorLog);
      std::stringstream s;
      s << log.rdbuf() << err.rdbuf();
      return "nginx exited at start (is nginx-light installed?):\n" + s.str();
    }
    std::erase_if(silent, [](const std::string& l) { return acceptsConnections(l); });
    if (silent.empty()) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string names;
  for (const auto& l : silent) names += (names.empty() ? "" : ", ") + l;
  return "nginx did not listen on " + names + " within 15 s";
}

void NginxProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace vigil::webmon::test
