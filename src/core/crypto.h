// Small cryptographic and encoding helpers over OpenSSL 3 and libsodium.
// All functions are thread-safe (no shared state). initCrypto() must run once before use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::crypto {

// Initialises libsodium; safe to call more than once.
Status initCrypto();

// `n` bytes from the operating system's CSPRNG.
std::string randomBytes(size_t n);

std::string sha256(std::string_view data);  // raw 32 bytes
std::string sha256Hex(std::string_view data);
std::string hmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hmacSha1(std::string_view key, std::string_view data);    // raw 20 bytes

// Constant-time comparison of two byte strings.
bool equalConstantTime(std::string_view a, std::string_view b);

std::string hexEncode(std::string_view bytes);
std::string base64UrlEncode(std::string_view bytes);  // no padding
std::string base32Encode(std::string_view bytes);     // RFC 4648, no padding
std::optional<std::string> base32Decode(std::string_view text);

// Authenticated encryption (XChaCha20-Poly1305 via libsodium secretbox) with a 32-byte key,
// for secrets that must be readable again (TOTP seeds). Output: nonce || ciphertext.
std::string seal(std::string_view key, std::string_view plaintext);
Result<std::string> open(std::string_view key, std::string_view sealed);

}  // namespace vigil::crypto
