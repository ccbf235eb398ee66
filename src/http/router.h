// Router: maps (method, path) to a handler. Patterns are literal segments and `{name}`
// parameters ("/api/v1/orgs/{id}/move"). The route table is built once at start and then only
// read, so matching is thread-safe.
#pragma once

#include <string>
#include <vector>

#include "http/message.h"

namespace vigil::http {

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  std::vector<std::string> segments;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  enum class MatchKind { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // methods of the path, for 405
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace vigil::http
