#include "auth/totp.h"

#include <cstdio>

#include "core/crypto.h"

namespace vigil::auth {

std::string totpCode(std::string_view secret, int64_t step) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(step & 0xff);
    step >>= 8;
  }
  std::string mac = crypto::hmacSha1(secret, std::string_view(reinterpret_cast<char*>(msg), 8));
  int offset = mac[19] & 0x0f;
  uint32_t bin = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                 static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", bin % 1000000u);
  return buf;
}

std::optional<int64_t> matchTotp(std::string_view secret, std::string_view code, int64_t nowSeconds, int window) {
  if (code.size() != 6) return std::nullopt;
  const int64_t now = nowSeconds / kTotpStepSeconds;
  for (int64_t s = now - window; s <= now + window; ++s)
    if (crypto::equalConstantTime(totpCode(secret, s), code)) return s;
  return std::nullopt;
}

namespace {
std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}
}  // namespace

std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view base32Secret) {
  return "otpauth://totp/" + percentEncode(issuer) + ":" + percentEncode(account) +
         "?secret=" + std::string(base32Secret) + "&issuer=" + percentEncode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace vigil::auth
