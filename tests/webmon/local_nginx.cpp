#include "webmon/local_nginx.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vigil::webmon::test {

namespace fs = std::filesystem;

namespace {

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

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
  const std::string d = dir_.string();
  const std::string http =
      " default_type text/html;\n log_format sched '$msec $host $request_uri $status \"$http_user_agent\"';\n"
      " access_log " +
      d + "/access.log sched;\n" + replaceAll(servers, "{root}", d + "/www");
  error_ = nginx_.start(dir_, nginxConfig(dir_, 1024, http), listen);
}

LocalNginx::~LocalNginx() {
  nginx_.stop();  // before its directory goes
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
