#include "webmon/local_nginx.h"

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

namespace {

bool accepting(const std::string& hostPort) {
  const auto colon = hostPort.rfind(':');
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(hostPort.substr(colon + 1))));
  inet_pton(AF_INET, hostPort.substr(0, colon).c_str(), &a.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

int LocalNginx::freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

LocalNginx::LocalNginx(const std::string& servers, const std::map<std::string, std::string>& files,
                       const std::vector<std::string>& listen) {
  char tmpl[] = "/tmp/vigil-sched-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  for (const auto& [path, content] : files) {
    fs::create_directories((dir_ / "www" / path).parent_path());
    std::ofstream(dir_ / "www" / path, std::ios::binary) << content;
  }
  fs::create_directories(dir_ / "tmp");
  const std::string d = dir_.string();
  std::ofstream(dir_ / "nginx.conf")
      << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d
      << "/error.log warn;\nevents { worker_connections 1024; }\nhttp {\n include /etc/nginx/mime.types;\n"
      << " default_type text/html;\n log_format sched '$msec $host $request_uri $status \"$http_user_agent\"';\n"
      << " access_log " << d << "/access.log sched;\n client_body_temp_path " << d << "/tmp;\n proxy_temp_path " << d
      << "/tmp;\n fastcgi_temp_path " << d << "/tmp;\n uwsgi_temp_path " << d << "/tmp;\n scgi_temp_path " << d
      << "/tmp;\n"
      << replaceAll(servers, "{root}", d + "/www") << "}\n";
  const std::string conf = (dir_ / "nginx.conf").string();
  const std::string prefix = d + "/";
  const std::string errorLog = (dir_ / "error.log").string();
  const int logFd = ::open((dir_ / "nginx.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream log(dir_ / "nginx.out"), err(errorLog);
      std::stringstream s;
      s << log.rdbuf() << err.rdbuf();
      error_ = "nginx exited at start (is nginx-light installed?):\n" + s.str();
      return;
    }
    bool all = true;
    for (const auto& l : listen) all = all && accepting(l);
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "nginx did not listen on every address within 15 s";
}

LocalNginx::~LocalNginx() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::vector<LoggedRequest> LocalNginx::requests() const {
  std::vector<LoggedRequest> out;
  std::ifstream in(dir_ / "access.log");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    LoggedRequest r;
    s >> r.at >> r.host >> r.uri >> r.status;
    const auto q = line.find('"');
    if (q != std::string::npos && line.size() > q + 1) r.userAgent = line.substr(q + 1, line.size() - q - 2);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace vigil::webmon::test
