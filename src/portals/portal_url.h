// Checks of a portal's URL before it is registered: the monitor must not become a way to probe
// the internal network (issue 7, "Bad input": private or loopback addresses are refused unless an
// operator allows them).
#pragma once

#include <string>

#include "core/result.h"

namespace vigil::portals {

// Checks `url` (named `field` in errors): absolute http:// or https:// with a host (IDN hosts
// accepted: converted to punycode by webmon::parseUrl), no user info, at most 2,000 bytes. Unless
// `allowPrivate`, the host must not be a private, loopback, link-local or otherwise non-public
// address, nor resolve to one (every address the resolver gives is checked). A name that does not
// resolve now is accepted: the fetcher checks the address it actually connects to at every run.
// Returns the URL as given; errors are kValidation on `field`, saying which address is refused.
Status checkPortalUrl(const std::string& field, const std::string& url, bool allowPrivate);

}  // namespace vigil::portals
