#include "http/router.h"

namespace vigil::http {
namespace {
std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}
}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route r{std::move(method), pattern, std::move(handler), split(pattern)};
  routes_.push_back(std::move(r));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match m;
  if (!path.empty() && path.back() == '/' && path.size() > 1) return m;  // no trailing-slash aliases
  const auto parts = split(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& seg = r.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}')
        params[seg.substr(1, seg.size() - 2)] = parts[i];
      else
        ok = seg == parts[i];
    }
    if (!ok) continue;
    if (r.method == method) {
      m.kind = MatchKind::kFound;
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    m.allowed.push_back(r.method);
  }
  if (!m.allowed.empty()) m.kind = MatchKind::kMethodNotAllowed;
  return m;
}

}  // namespace vigil::http
