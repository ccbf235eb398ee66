// A minimal blocking HTTP/1.1 client for tests (Boost.Beast), plus raw-socket access for
// malformed requests. Not for production use.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil::test {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined by "\n"
  std::string body;
  std::string header(const std::string& lower) const {
    auto it = headers.find(lower);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Sends `raw` bytes and returns what the server answers until it closes (or 3 s pass).
  std::string raw(const std::string& raw);

 private:
  uint16_t port_;
};

}  // namespace vigil::test
