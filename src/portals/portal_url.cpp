#include "portals/portal_url.h"

#include <netdb.h>
#include <sys/socket.h>

#include "webmon/fetcher.h"

namespace vigil::portals {

Status checkPortalUrl(const std::string& field, const std::string& url, bool allowPrivate) {
  if (url.empty()) return Error::validation(field, "is required");
  if (url.size() > 2000) return Error::validation(field, "is longer than 2000 bytes");
  auto parts = webmon::parseUrl(url);
  if (!parts.ok()) return Error::validation(field, "'" + url + "' is not a usable URL: " + parts.error().message);
  if (parts->scheme != "http" && parts->scheme != "https")
    return Error::validation(field, "must start with http:// or https://");
  if (parts->host.empty()) return Error::validation(field, "'" + url + "' has no host");
  const size_t authorityEnd = url.find_first_of("/?#", url.find("://") + 3);
  if (url.substr(0, authorityEnd).find('@') != std::string::npos)
    return Error::validation(field, "must not carry a user name or password");
  if (allowPrivate) return {};

  std::string host = parts->host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return {};  // not resolvable now: checked at connect
  std::string refused;
  for (addrinfo* a = res; a; a = a->ai_next)
    if (webmon::isNonPublicAddress(a->ai_addr)) {
      refused = webmon::addressText(a->ai_addr);
      break;
    }
  freeaddrinfo(res);
  if (!refused.empty())
    return Error::validation(field, "host " + parts->host + " is or resolves to the non-public address " + refused +
                                        " (private, loopback or link-local); only a province-level registry "
                                        "manager may allow it with allow_private");
  return {};
}

}  // namespace vigil::portals
