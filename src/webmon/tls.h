// The TLS check, on OpenSSL 3 directly: one handshake per protocol version (min = max version)
// tells which versions the server offers; cipher suites per version are enumerated by offering
// every suite the library has, taking the one the server picks, removing it and repeating; each
// accepted suite is recorded with forward secrecy, AEAD, strength and the key-exchange group. The
// certificate of the best handshake gives the chain facts (subject, SANs, issuer, validity, key,
// signature, trust, host name, OCSP stapling). Then a grade with the caps of the SSL Labs rating
// guide (as testssl.sh implements it, ../shared/research/web-monitor-anchors.md §2.1) and a
// Mozilla "intermediate" (profile 5.7) pass/fail with the offending items.
//
// The library is run at security level 0 so that it can still offer TLS 1.0/1.1 and weak suites
// (Debian's OpenSSL refuses them at the default level). SSLv3 and SSLv2 cannot be offered by
// Debian's OpenSSL 3 build (no-ssl3): they are reported as "not tested", never as "not offered".
// Only the address the host name resolves to is connected to, with the same non-public-address
// guard as the fetcher. probeTls() is thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "webmon/fetcher.h"
#include "webmon/finding.h"

namespace vigil::webmon {

struct TlsOptions {
  bool allowPrivate = false;
  std::string caFile;     // trust anchors instead of the system store
  long timeoutMs = 5000;  // per connection
  int maxHandshakes = 250;
  // Called before every TCP connection (each handshake) with the host probed; the scheduler's
  // per-host rate gate. Returning false stops the probe: the handshakes made so far are kept, the
  // rest is reported not offered, so a caller that cancels must discard the report. Empty: none.
  std::function<bool(std::string_view host)> beforeRequest;
};

struct TlsProtocol {
  std::string name;  // "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"
  bool tested = false;
  bool offered = false;
};

struct TlsCipher {
  std::string protocol, name;
  int bits = 0;  // symmetric strength
  bool forwardSecrecy = false, aead = false;
  std::string kx;     // "ECDHE", "DHE", "RSA", "any" (TLS 1.3)
  std::string group;  // "X25519", "prime256v1", "DH", ...
  int groupBits = 0;  // DH modulus or EC size
};

struct TlsCertificate {
  std::string subject, issuer, notBefore, notAfter, keyType, signature;
  std::vector<std::string> sans;
  int keyBits = 0;
  long daysLeft = 0, lifetimeDays = 0;
  bool selfSigned = false, expired = false, hostnameMatch = false, trusted = false;
  std::string verifyError;  // empty when trusted
  int chainLength = 0;
  std::string sha256;  // fingerprint of the leaf, hex
};

struct TlsReport {
  std::string host, address;
  int port = 0;
  std::vector<TlsProtocol> protocols;
  std::vector<TlsCipher> ciphers;
  std::optional<TlsCertificate> certificate;
  bool ocspStapled = false;
  // Grade (gradeTls()).
  int score = 0;
  std::string grade;
  std::vector<std::string> caps;      // "B: TLS 1.0 offered", ...
  std::vector<std::string> warnings;  // reasons A+ becomes A-
  bool mozillaIntermediate = false;
  std::vector<std::string> mozillaOffending;

  bool offers(std::string_view protocol) const;
};

// Connects to host:port (host: name or IP literal; IDN already in punycode). Errors: the name
// does not resolve, the address is refused by the guard, nothing answers on the port.
Result<TlsReport> probeTls(const std::string& host, int port, const TlsOptions& options);

// Fills score, grade, caps, warnings and the Mozilla verdict. `hstsMaxAge`: the max-age of the
// site's Strict-Transport-Security header, nullopt when absent (an A+ needs at least 180 days).
void gradeTls(TlsReport& report, std::optional<long> hstsMaxAge);

std::vector<Finding> tlsFindings(const TlsReport& report, const std::string& url);

// The check: probes the host of an https:// target (http:// targets: nothing to do), reads the
// HSTS header with one request, grades.
class TlsCheck : public Check {
 public:
  TlsCheck(TlsOptions tls, FetchOptions fetch) : tls_(std::move(tls)), fetch_(std::move(fetch)) {}
  std::string_view name() const override { return "tls"; }
  Result<std::vector<Finding>> run(const Target& target) const override;
  // The same, with the report for callers that want the facts (tests, reports).
  Result<TlsReport> probe(const Target& target) const;

 private:
  TlsOptions tls_;
  FetchOptions fetch_;
};

// max-age of a Strict-Transport-Security value, nullopt when missing or unparsable.
std::optional<long> hstsMaxAge(std::string_view header);

}  // namespace vigil::webmon
