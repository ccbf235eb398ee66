// Creates a self-signed certificate (ECDSA P-256, 825 days, SAN localhost/127.0.0.1/::1 and the
// given host) for operators who enable TLS without a certificate of their own.
#pragma once

#include <string>

#include "core/result.h"

namespace vigil::http {

// Writes `certPath` and `keyPath` (mode 0600) unless both exist already.
Status ensureSelfSignedCertificate(const std::string& certPath, const std::string& keyPath, const std::string& host);

}  // namespace vigil::http
