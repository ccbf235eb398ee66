#include "webmon/content_sites.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace vigil::webmon::test {

namespace fs = std::filesystem;

namespace {

int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool accepting(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string gzipData(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = deflate(&zs, Z_FINISH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  deflateEnd(&zs);
  return out;
}

ContentSites::ContentSites() {
  char tmpl[] = "/tmp/vigil-webmon-content-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  for (const char* s : {"portal", "crawl", "hostile"}) {
    ports_[s] = freePort();
    fs::create_directories(dir_ / "www" / s);
  }
  fs::create_directories(dir_ / "tmp");
  const std::string d = dir_.string();
  std::ostringstream c;
  c << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d
    << "/error.log warn;\nevents { worker_connections 256; }\nhttp {\n include /etc/nginx/mime.types;\n"
    << " default_type application/octet-stream;\n access_log off;\n"
    << " client_body_temp_path " << d << "/tmp; proxy_temp_path " << d << "/tmp; fastcgi_temp_path " << d
    << "/tmp; uwsgi_temp_path " << d << "/tmp; scgi_temp_path " << d << "/tmp;\n"
    << " server { listen 127.0.0.1:" << ports_["portal"] << "; root " << d << "/www/portal; }\n"
    << " server { listen 127.0.0.1:" << ports_["crawl"] << "; root " << d << "/www/crawl;\n"
    << "  location ~ \\.gz$ { types { } default_type application/gzip; } }\n"
    << " server { listen 127.0.0.1:" << ports_["hostile"] << "; root " << d << "/www/hostile;\n"
    << "  location /maze/ { default_type text/html; return 200 '<html><head><title>maze</title></head><body>"
    << "<a href=\"$uri/a\">a</a> <a href=\"$uri/b\">b</a></body></html>'; } }\n}\n";
  std::ofstream(dir_ / "nginx.conf") << c.str();

  const std::string conf = (dir_ / "nginx.conf").string();
  const std::string prefix = d + "/";
  const std::string errorLog = d + "/error.log";
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
    for (const auto& [name, port] : ports_) all = all && accepting(port);
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "nginx did not listen on every port within 15 s";
}

ContentSites::~ContentSites() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string ContentSites::origin(const std::string& site) const {
  return "http://127.0.0.1:" + std::to_string(ports_.at(site));
}

void ContentSites::write(const std::string& site, const std::string& path, std::string_view content) const {
  const fs::path p = dir_ / "www" / site / path;
  fs::create_directories(p.parent_path());
  // Written to a temporary name and renamed, so nginx never serves a half-written file.
  const fs::path tmp = p.string() + ".tmp";
  std::ofstream(tmp, std::ios::binary) << content;
  fs::rename(tmp, p);
}

}  // namespace vigil::webmon::test
