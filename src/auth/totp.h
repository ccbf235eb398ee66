// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the format
// every authenticator app reads. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::auth {

inline constexpr int64_t kTotpStepSeconds = 30;

std::string totpCode(std::string_view secret, int64_t step);
// The step whose code equals `code`, searching `window` steps either side of now.
std::optional<int64_t> matchTotp(std::string_view secret, std::string_view code, int64_t nowSeconds, int window = 1);
std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view base32Secret);

}  // namespace vigil::auth
