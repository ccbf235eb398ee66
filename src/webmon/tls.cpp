#include "webmon/tls.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/text.h"
#include "webmon/socket.h"

namespace vigil::webmon {

namespace {

struct CtxDel {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDel {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct X509Del {
  void operator()(X509* x) const { X509_free(x); }
};

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

// connectWithin (socket.h) to the endpoint.
int connectTo(const Endpoint& ep, long timeoutMs) {
  return connectWithin(reinterpret_cast<const sockaddr*>(&ep.addr), ep.len, timeoutMs);
}

std::string timeText(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string nameText(const X509_NAME* n) {
  if (!n) return {};
  BIO* b = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(b, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(b);
  return out;
}

struct HandshakeResult {
  bool ok = false;
  std::string reason;  // why it failed
  TlsCipher cipher;
  std::unique_ptr<X509, X509Del> leaf;
  int chainLength = 0;
  long verify = X509_V_OK;
  bool ocsp = false;
};

int versionCode(std::string_view name) {
  if (name == "SSLv3") return SSL3_VERSION;
  if (name == "TLSv1.0") return TLS1_VERSION;
  if (name == "TLSv1.1") return TLS1_1_VERSION;
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  return TLS1_3_VERSION;
}

class Prober {
 public:
  Prober(const std::string& host, Endpoint ep, const TlsOptions& o) : host_(host), ep_(ep), o_(o) {}

  int handshakes = 0;

  std::unique_ptr<SSL_CTX, CtxDel> context(int version, const std::string& ciphers) const {
    std::unique_ptr<SSL_CTX, CtxDel> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return ctx;
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_min_proto_version(ctx.get(), version);
    SSL_CTX_set_max_proto_version(ctx.get(), version);
    SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
    if (version == TLS1_3_VERSION) {
      if (!ciphers.empty() && SSL_CTX_set_ciphersuites(ctx.get(), ciphers.c_str()) != 1) return nullptr;
    } else {
      const std::string list = (ciphers.empty() ? std::string("ALL:COMPLEMENTOFALL") : ciphers) + ":@SECLEVEL=0";
      if (SSL_CTX_set_cipher_list(ctx.get(), list.c_str()) != 1) return nullptr;
    }
    if (!o_.caFile.empty())
      SSL_CTX_load_verify_locations(ctx.get(), o_.caFile.c_str(), nullptr);
    else
      SSL_CTX_set_default_verify_paths(ctx.get());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // the result is read, not enforced
    return ctx;
  }

  // The client's cipher names for a version (TLS 1.2 and below), from the library at level 0.
  std::vector<std::string> clientCiphers(int version) const {
    std::vector<std::string> out;
    auto ctx = context(version, "");
    if (!ctx) return out;
    std::unique_ptr<SSL, SslDel> ssl(SSL_new(ctx.get()));
    if (!ssl) return out;
    STACK_OF(SSL_CIPHER)* list = SSL_get1_supported_ciphers(ssl.get());
    if (!list) return out;
    for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
      if (std::string_view(SSL_CIPHER_get_name(c)).rfind("TLS_", 0) == 0) continue;  // TLS 1.3 suites
      out.emplace_back(SSL_CIPHER_get_name(c));
    }
    sk_SSL_CIPHER_free(list);
    return out;
  }

  // True when this OpenSSL can build a ClientHello for `version` at all.
  bool canOffer(int version) const {
    auto ctx = context(version, "");
    if (!ctx) return false;
    std::unique_ptr<SSL, SslDel> ssl(SSL_new(ctx.get()));
    if (!ssl) return false;
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl.get(), in, out);
    SSL_set_connect_state(ssl.get());
    SSL_do_handshake(ssl.get());
    ERR_clear_error();
    return BIO_ctrl_pending(out) > 0;
  }

  HandshakeResult handshake(int version, const std::string& ciphers, const std::string& protocolName) {
    HandshakeResult r;
    ++handshakes;
    auto ctx = context(version, ciphers);
    if (!ctx) {
      r.reason = "no usable cipher list";
      return r;
    }
    if (o_.beforeRequest && !o_.beforeRequest(host_)) {
      r.reason = "cancelled";
      return r;
    }
    Fd fd{connectTo(ep_, o_.timeoutMs)};
    if (fd.fd < 0) {
      r.reason = "connect failed";
      return r;
    }
    std::unique_ptr<SSL, SslDel> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), fd.fd);
    if (!isIpLiteral(host_)) SSL_set_tlsext_host_name(ssl.get(), host_.c_str());
    SSL_set_tlsext_status_type(ssl.get(), TLSEXT_STATUSTYPE_ocsp);
    if (SSL_connect(ssl.get()) != 1) {
      char buf[256] = {};
      ERR_error_string_n(ERR_peek_last_error(), buf, sizeof buf);
      r.reason = buf;
      ERR_clear_error();
      return r;
    }
    r.ok = true;
    const SSL_CIPHER* c = SSL_get_current_cipher(ssl.get());
    r.cipher.protocol = protocolName;
    r.cipher.name = c ? SSL_CIPHER_get_name(c) : "";
    r.cipher.bits = c ? SSL_CIPHER_get_bits(c, nullptr) : 0;
    r.cipher.aead = c && SSL_CIPHER_is_aead(c);
    const int kx = c ? SSL_CIPHER_get_kx_nid(c) : NID_undef;
    r.cipher.kx = kx == NID_kx_ecdhe ? "ECDHE"
                  : kx == NID_kx_dhe ? "DHE"
                  : kx == NID_kx_any ? "any"
                  : kx == NID_kx_rsa ? "RSA"
                                     : OBJ_nid2sn(kx);
    r.cipher.forwardSecrecy = kx == NID_kx_ecdhe || kx == NID_kx_dhe || kx == NID_kx_any;
    EVP_PKEY* tmp = nullptr;
    if (SSL_get_peer_tmp_key(ssl.get(), &tmp) == 1 && tmp) {
      const int id = EVP_PKEY_get_base_id(tmp);
      r.cipher.groupBits = EVP_PKEY_get_bits(tmp);
      char group[64] = {};
      size_t glen = 0;
      if (id == EVP_PKEY_DH)
        r.cipher.group = "DH";
      else if (EVP_PKEY_get_group_name(tmp, group, sizeof group, &glen) == 1)
        r.cipher.group = group;
      else
        r.cipher.group = OBJ_nid2sn(id);
      EVP_PKEY_free(tmp);
    }
    r.leaf.reset(SSL_get1_peer_certificate(ssl.get()));
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get())) r.chainLength = sk_X509_num(chain);
    r.verify = SSL_get_verify_result(ssl.get());
    const unsigned char* resp = nullptr;
    r.ocsp = SSL_get_tlsext_status_ocsp_resp(ssl.get(), &resp) > 0;
    SSL_shutdown(ssl.get());
    ERR_clear_error();
    return r;
  }

 private:
  std::string host_;
  Endpoint ep_;
  const TlsOptions& o_;
};

TlsCertificate certificateFacts(X509* x, const std::string& host, long verify, int chainLength) {
  TlsCertificate c;
  c.subject = nameText(X509_get_subject_name(x));
  c.issuer = nameText(X509_get_issuer_name(x));
  c.notBefore = timeText(X509_get0_notBefore(x));
  c.notAfter = timeText(X509_get0_notAfter(x));
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(x)) == 1) {
    c.daysLeft = days;
    c.expired = days < 0 || (days == 0 && secs < 0);
  }
  if (ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)) == 1) c.lifetimeDays = days;
  if (GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr))) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names) && c.sans.size() < 100; ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
      if (g->type == GEN_DNS) {
        const auto* s = g->d.dNSName;
        c.sans.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
      } else if (g->type == GEN_IPADD) {
        const auto* s = g->d.iPAddress;
        char buf[INET6_ADDRSTRLEN] = {};
        if (ASN1_STRING_length(s) == 4) inet_ntop(AF_INET, ASN1_STRING_get0_data(s), buf, sizeof buf);
        if (ASN1_STRING_length(s) == 16) inet_ntop(AF_INET6, ASN1_STRING_get0_data(s), buf, sizeof buf);
        if (buf[0]) c.sans.emplace_back(std::string("IP:") + buf);
      }
    }
    GENERAL_NAMES_free(names);
  }
  if (EVP_PKEY* key = X509_get0_pubkey(x)) {
    const int id = EVP_PKEY_get_base_id(key);
    c.keyType = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : OBJ_nid2sn(id);
    c.keyBits = EVP_PKEY_get_bits(key);
  }
  c.signature = OBJ_nid2ln(X509_get_signature_nid(x));
  c.selfSigned = (X509_get_extension_flags(x) & EXFLAG_SS) != 0;
  c.hostnameMatch = isIpLiteral(host) ? X509_check_ip_asc(x, host.c_str(), 0) == 1
                                      : X509_check_host(x, host.c_str(), host.size(), 0, nullptr) == 1;
  c.trusted = verify == X509_V_OK;
  if (!c.trusted) c.verifyError = X509_verify_cert_error_string(verify);
  c.chainLength = chainLength;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (X509_digest(x, EVP_sha256(), md, &len) == 1) {
    static const char* kHex = "0123456789abcdef";
    for (unsigned i = 0; i < len; ++i) {
      c.sha256 += kHex[md[i] >> 4];
      c.sha256 += kHex[md[i] & 15];
    }
  }
  return c;
}

int keyScore(const std::string& type, int bits) {
  if (type == "EC" || type == "ED25519" || type == "X25519" || type == "ED448" || type == "X448") {
    return bits < 110 ? 20 : bits < 123 ? 40 : bits < 163 ? 80 : bits < 225 ? 90 : 100;
  }
  return bits < 512 ? 20 : bits < 1024 ? 40 : bits < 2048 ? 80 : bits < 4096 ? 90 : 100;
}

int protocolScore(std::string_view p) {
  if (p == "TLSv1.3" || p == "TLSv1.2") return 100;
  if (p == "TLSv1.1") return 95;
  if (p == "TLSv1.0") return 90;
  if (p == "SSLv3") return 80;
  return 0;
}

int cipherScore(int bits) { return bits >= 256 ? 100 : bits >= 128 ? 80 : 20; }

bool weakBlockCipher(const std::string& name) {
  return name.find("DES") != std::string::npos || name.find("IDEA") != std::string::npos ||
         name.find("RC2") != std::string::npos;
}

// Mozilla intermediate 5.7: the TLS 1.2 suites and TLS 1.3 suites allowed.
bool mozillaAllowed(const TlsCipher& c) {
  static const char* kTls12[] = {
      "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",   "ECDHE-ECDSA-AES256-GCM-SHA384",
      "ECDHE-RSA-AES256-GCM-SHA384",   "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
      "DHE-RSA-AES128-GCM-SHA256",     "DHE-RSA-AES256-GCM-SHA384",     "DHE-RSA-CHACHA20-POLY1305",
  };
  static const char* kTls13[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
  if (c.protocol == "TLSv1.3") return std::find(std::begin(kTls13), std::end(kTls13), c.name) != std::end(kTls13);
  return std::find(std::begin(kTls12), std::end(kTls12), c.name) != std::end(kTls12);
}

}  // namespace

bool TlsReport::offers(std::string_view protocol) const {
  for (const auto& p : protocols)
    if (p.name == protocol) return p.offered;
  return false;
}

std::optional<long> hstsMaxAge(std::string_view header) {
  const std::string h = text::asciiLower(header);
  const auto p = h.find("max-age");
  if (p == std::string::npos) return std::nullopt;
  size_t i = p + 7;
  while (i < h.size() && (h[i] == ' ' || h[i] == '=' || h[i] == '"')) ++i;
  if (i >= h.size() || !std::isdigit(static_cast<unsigned char>(h[i]))) return std::nullopt;
  long v = 0;
  while (i < h.size() && std::isdigit(static_cast<unsigned char>(h[i])) && v < 1000000000000L)
    v = v * 10 + (h[i++] - '0');
  return v;
}

Result<TlsReport> probeTls(const std::string& host, int port, const TlsOptions& o) {
  TlsReport report;
  report.host = host;
  report.port = port;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string portText = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), portText.c_str(), &hints, &res); rc != 0)
    return Error::unavailable(host + ": DNS: " + gai_strerror(rc));
  Endpoint ep;
  std::memcpy(&ep.addr, res->ai_addr, res->ai_addrlen);
  ep.len = res->ai_addrlen;
  freeaddrinfo(res);
  report.address = addressText(reinterpret_cast<const sockaddr*>(&ep.addr));
  if (!o.allowPrivate && isNonPublicAddress(reinterpret_cast<const sockaddr*>(&ep.addr)))
    return Error::forbidden(host + ": refused: resolves to the non-public address " + report.address +
                            " (allow private addresses to check internal portals)");
  {
    if (o.beforeRequest && !o.beforeRequest(host)) return Error::unavailable(host + ": TLS probe cancelled");
    Fd probe{connectTo(ep, o.timeoutMs)};
    if (probe.fd < 0) return Error::unavailable(host + ":" + portText + ": cannot connect to " + report.address);
  }
  Prober prober(host, ep, o);
  HandshakeResult best;
  std::string bestProtocol;
  for (const char* name : {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}) {
    TlsProtocol p;
    p.name = name;
    const int version = versionCode(name);
    p.tested = prober.canOffer(version);
    if (!p.tested) {
      report.protocols.push_back(p);
      continue;
    }
    if (version == TLS1_3_VERSION) {
      std::vector<std::string> remaining = {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                                            "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256",
                                            "TLS_AES_128_CCM_8_SHA256"};
      while (!remaining.empty() && prober.handshakes < o.maxHandshakes) {
        std::string list;
        for (const auto& s : remaining) list += (list.empty() ? "" : ":") + s;
        auto h = prober.handshake(version, list, name);
        if (!h.ok) break;
        p.offered = true;
        const auto it = std::find(remaining.begin(), remaining.end(), h.cipher.name);
        if (it == remaining.end()) break;
        remaining.erase(it);
        report.ciphers.push_back(h.cipher);
        if (h.leaf) {
          best = std::move(h);
          bestProtocol = name;
        }
      }
    } else {
      std::vector<std::string> remaining = prober.clientCiphers(version);
      while (!remaining.empty() && prober.handshakes < o.maxHandshakes) {
        std::string list;
        for (const auto& s : remaining) list += (list.empty() ? "" : ":") + s;
        auto h = prober.handshake(version, list, name);
        if (!h.ok) break;
        p.offered = true;
        const auto it = std::find(remaining.begin(), remaining.end(), h.cipher.name);
        if (it == remaining.end()) break;
        remaining.erase(it);
        report.ciphers.push_back(h.cipher);
        if (h.leaf) {
          best = std::move(h);
          bestProtocol = name;
        }
      }
    }
    report.protocols.push_back(p);
  }
  if (best.leaf) {
    report.certificate = certificateFacts(best.leaf.get(), host, best.verify, best.chainLength);
    report.ocspStapled = best.ocsp;
  }
  return report;
}

void gradeTls(TlsReport& r, std::optional<long> hsts) {
  r.caps.clear();
  r.warnings.clear();
  r.mozillaOffending.clear();
  // Order: F worst ... A best; T and M are separate verdicts that replace the letter.
  char cap = 'A';
  auto capAt = [&](char letter, std::string why) {
    r.caps.push_back(std::string(1, letter) + ": " + why);
    if (letter > cap) cap = letter;
  };
  std::vector<std::string> offered;
  for (const auto& p : r.protocols)
    if (p.offered) offered.push_back(p.name);
  if (offered.empty() || !r.certificate) {
    r.grade = "F";
    r.score = 0;
    r.caps.push_back("F: no TLS handshake succeeded");
    r.mozillaIntermediate = false;
    r.mozillaOffending.push_back("no TLS handshake succeeded");
    return;
  }
  const auto& cert = *r.certificate;
  // Scores.
  int bestP = 0, worstP = 100;
  for (const auto& p : offered) {
    bestP = std::max(bestP, protocolScore(p));
    worstP = std::min(worstP, protocolScore(p));
  }
  int kx = keyScore(cert.keyType, cert.keyBits);
  int bestC = 0, worstC = 100;
  for (const auto& c : r.ciphers) {
    bestC = std::max(bestC, cipherScore(c.bits));
    worstC = std::min(worstC, cipherScore(c.bits));
    if (c.group == "DH")
      kx = std::min(kx, keyScore("DH", c.groupBits));
    else if (c.groupBits > 0)
      kx = std::min(kx, keyScore("EC", c.groupBits));
  }
  const int protocolPart = (bestP + worstP) / 2, cipherPart = (bestC + worstC) / 2;
  r.score = (protocolPart * 30 + kx * 30 + cipherPart * 40) / 100;
  if (protocolPart == 0 || kx == 0 || cipherPart == 0) r.score = 0;

  // Caps (testssl.sh's set_grade_cap calls that a client handshake can observe).
  if (r.offers("SSLv3")) capAt('B', "SSLv3 offered");
  if (r.offers("TLSv1.0")) capAt('B', "TLS 1.0 offered");
  if (r.offers("TLSv1.1")) capAt('B', "TLS 1.1 offered");
  if (!r.offers("TLSv1.2") && !r.offers("TLSv1.3"))
    capAt('C', "neither TLS 1.2 nor TLS 1.3 offered");
  else if (!r.offers("TLSv1.2"))
    capAt('C', "TLS 1.2 not offered");
  bool anyAead = false, anyNoFs = false, allNoFs = true;
  for (const auto& c : r.ciphers) {
    anyAead = anyAead || c.aead;
    anyNoFs = anyNoFs || !c.forwardSecrecy;
    allNoFs = allNoFs && !c.forwardSecrecy;
    if (c.name.find("EXP") != std::string::npos) capAt('F', "export cipher " + c.name);
    if (c.bits < 112) capAt('F', "cipher below 112 bits: " + c.name);
    if (c.name.find("RC4") != std::string::npos) {
      capAt('B', "RC4 offered: " + c.name);
      if (c.protocol != "TLSv1.0" && c.protocol != "SSLv3") capAt('C', "RC4 with " + c.protocol);
    }
    if (weakBlockCipher(c.name) && c.protocol != "TLSv1.0" && c.protocol != "SSLv3")
      capAt('C', "64-bit block cipher with " + c.protocol + ": " + c.name);
  }
  if (!anyAead) capAt('B', "no AEAD cipher");
  if (allNoFs) capAt('B', "no forward secrecy");
  if (kx <= 40)
    capAt('F', "key exchange too weak (score " + std::to_string(kx) + ")");
  else if (kx <= 80)
    capAt('B', "key exchange below 2048-bit RSA/DH strength");
  if (cert.signature.find("md5") != std::string::npos || cert.signature.find("MD5") != std::string::npos)
    capAt('F', "MD5 certificate signature");
  std::string trust, mismatch;
  if (cert.expired)
    trust = "certificate expired";
  else if (cert.selfSigned)
    trust = "self-signed certificate";
  else if (!cert.trusted)
    trust = "untrusted certificate chain: " + cert.verifyError;
  if (cert.signature.find("sha1") != std::string::npos || cert.signature.find("SHA1") != std::string::npos)
    trust = trust.empty() ? "SHA-1 certificate signature" : trust;
  if (!cert.hostnameMatch) mismatch = "certificate name does not match " + r.host;
  if (!r.offers("TLSv1.3")) r.warnings.push_back("TLS 1.3 not offered");
  if (!hsts)
    r.warnings.push_back("no HSTS header");
  else if (*hsts < 15552000)
    r.warnings.push_back("HSTS max-age below 180 days");

  char letter = r.score >= 80   ? 'A'
                : r.score >= 65 ? 'B'
                : r.score >= 50 ? 'C'
                : r.score >= 35 ? 'D'
                : r.score >= 20 ? 'E'
                                : 'F';
  letter = std::max(letter, cap);
  if (!trust.empty()) {
    r.caps.push_back("T: " + trust);
    r.grade = "T";
  } else if (!mismatch.empty()) {
    r.caps.push_back("M: " + mismatch);
    r.grade = "M";
  } else if (letter == 'A') {
    r.grade = r.caps.empty() && r.warnings.empty() ? "A+" : r.caps.empty() ? "A-" : "A";
  } else {
    r.grade = std::string(1, letter);
  }

  // Mozilla intermediate (5.7).
  for (const auto& p : offered)
    if (p != "TLSv1.2" && p != "TLSv1.3") r.mozillaOffending.push_back("protocol " + p);
  for (const auto& c : r.ciphers) {
    if (c.protocol != "TLSv1.2" && c.protocol != "TLSv1.3") continue;
    if (!mozillaAllowed(c)) r.mozillaOffending.push_back("cipher " + c.name + " (" + c.protocol + ")");
    if (c.group == "DH" && c.groupBits < 2048)
      r.mozillaOffending.push_back("DH group " + std::to_string(c.groupBits) + " bits");
    if (c.group != "DH" && !c.group.empty() && c.group != "X25519" && c.group != "prime256v1" && c.group != "secp384r1")
      r.mozillaOffending.push_back("key-exchange group " + c.group);
  }
  if (cert.keyType == "RSA" && cert.keyBits < 2048)
    r.mozillaOffending.push_back("RSA key " + std::to_string(cert.keyBits) + " bits");
  if (!cert.trusted) r.mozillaOffending.push_back("certificate not trusted: " + cert.verifyError);
  if (!cert.hostnameMatch) r.mozillaOffending.push_back("certificate name mismatch");
  if (cert.lifetimeDays > 366)
    r.mozillaOffending.push_back("certificate lifetime " + std::to_string(cert.lifetimeDays) + " days");
  std::sort(r.mozillaOffending.begin(), r.mozillaOffending.end());
  r.mozillaOffending.erase(std::unique(r.mozillaOffending.begin(), r.mozillaOffending.end()), r.mozillaOffending.end());
  r.mozillaIntermediate = r.mozillaOffending.empty();
}

std::vector<Finding> tlsFindings(const TlsReport& r, const std::string& url) {
  std::vector<Finding> out;
  auto add = [&](std::string id, Severity s, std::string summary) -> Finding& {
    out.push_back(Finding{"tls", std::move(id), s, url, std::move(summary), {}});
    return out.back();
  };
  if (!r.certificate) {
    std::string tried;
    for (const auto& p : r.protocols)
      if (p.tested) tried += (tried.empty() ? "" : ", ") + p.name;
    add("no_handshake", Severity::kHigh,
        "no TLS handshake succeeded on " + r.host + ":" + std::to_string(r.port) + " (not a TLS service?)")
        .with("tried", tried);
    return out;
  }
  std::string offered, untested;
  for (const auto& p : r.protocols) {
    if (!p.tested) untested += (untested.empty() ? "" : ", ") + p.name;
    if (p.offered) offered += (offered.empty() ? "" : ", ") + p.name;
  }
  if (r.offers("SSLv3")) add("protocol_sslv3", Severity::kHigh, "SSLv3 is offered (POODLE)");
  if (r.offers("TLSv1.0")) add("protocol_tls1_0", Severity::kMedium, "TLS 1.0 is offered (deprecated, RFC 8996)");
  if (r.offers("TLSv1.1")) add("protocol_tls1_1", Severity::kMedium, "TLS 1.1 is offered (deprecated, RFC 8996)");
  if (!r.offers("TLSv1.2") && !r.offers("TLSv1.3"))
    add("no_modern_protocol", Severity::kHigh, "neither TLS 1.2 nor TLS 1.3 is offered");
  std::vector<std::string> weak, noFs, cbc;
  for (const auto& c : r.ciphers) {
    const std::string label = c.name + " (" + c.protocol + ")";
    if (c.bits < 128 || c.name.find("RC4") != std::string::npos || weakBlockCipher(c.name) ||
        c.name.find("NULL") != std::string::npos || c.name.find("EXP") != std::string::npos)
      weak.push_back(label);
    if (!c.forwardSecrecy) noFs.push_back(label);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 20; ++i) s += (i ? ", " : "") + v[i];
    return s;
  };
  if (!weak.empty())
    add("weak_cipher", Severity::kHigh,
        std::to_string(weak.size()) + " weak cipher suite(s) accepted (RC4, DES/3DES, NULL, export or < 128 bits)")
        .with("ciphers", list(weak));
  if (!noFs.empty())
    add("no_forward_secrecy", Severity::kMedium,
        std::to_string(noFs.size()) + " cipher suite(s) without forward secrecy (RSA key exchange)")
        .with("ciphers", list(noFs));
  for (const auto& c : r.ciphers)
    if (c.group == "DH" && c.groupBits < 2048) {
      add("dh_group_small", Severity::kMedium, "DH group of " + std::to_string(c.groupBits) + " bits (" + c.name + ")");
      break;
    }
  if (r.certificate) {
    const auto& c = *r.certificate;
    auto certEvidence = [&](Finding& f) {
      f.with("subject", c.subject).with("issuer", c.issuer).with("not_after", c.notAfter);
    };
    if (c.expired)
      certEvidence(add("cert_expired", Severity::kCritical, "the certificate expired on " + c.notAfter));
    else if (c.daysLeft <= 7)
      certEvidence(add("cert_expires_7d", Severity::kHigh,
                       "the certificate expires in " + std::to_string(c.daysLeft) + " day(s)"));
    else if (c.daysLeft <= 14)
      certEvidence(add("cert_expires_14d", Severity::kMedium,
                       "the certificate expires in " + std::to_string(c.daysLeft) + " days"));
    else if (c.daysLeft <= 30)
      certEvidence(add("cert_expires_30d", Severity::kLow,
                       "the certificate expires in " + std::to_string(c.daysLeft) + " days"));
    if (c.selfSigned)
      certEvidence(add("cert_self_signed", Severity::kHigh, "the certificate is self-signed"));
    else if (!c.trusted && !c.expired)
      certEvidence(add("cert_untrusted", Severity::kHigh, "the certificate chain is not trusted: " + c.verifyError));
    if (!c.hostnameMatch) {
      std::string sans;
      for (const auto& s : c.sans) sans += (sans.empty() ? "" : ", ") + s;
      add("cert_name_mismatch", Severity::kHigh, "the certificate does not name " + r.host).with("sans", sans);
    }
    if (c.keyType == "RSA" && c.keyBits < 2048)
      add("cert_key_small", Severity::kHigh, "RSA key of " + std::to_string(c.keyBits) + " bits");
    if (c.signature.find("sha1") != std::string::npos || c.signature.find("md5") != std::string::npos)
      add("cert_weak_signature", Severity::kHigh, "certificate signed with " + c.signature);
    std::string sans;
    for (const auto& s : c.sans) sans += (sans.empty() ? "" : ", ") + s;
    add("certificate", Severity::kInfo,
        "certificate: " + c.subject + ", " + c.keyType + " " + std::to_string(c.keyBits) + " bits, expires " +
            c.notAfter)
        .with("subject", c.subject)
        .with("issuer", c.issuer)
        .with("sans", sans)
        .with("not_before", c.notBefore)
        .with("not_after", c.notAfter)
        .with("days_left", std::to_string(c.daysLeft))
        .with("signature", c.signature)
        .with("sha256", c.sha256);
  }
  if (!r.ocspStapled) add("no_ocsp_stapling", Severity::kInfo, "no OCSP response is stapled");
  auto& g = add("grade",
                r.grade == "A+" || r.grade == "A" || r.grade == "A-" ? Severity::kInfo
                : r.grade == "B"                                     ? Severity::kLow
                                                                     : Severity::kMedium,
                "TLS grade " + r.grade + " (score " + std::to_string(r.score) + ")");
  g.with("protocols", offered);
  if (!untested.empty()) g.with("not_tested", untested + " (not supported by this OpenSSL build)");
  std::string caps, warnings;
  for (const auto& c : r.caps) caps += (caps.empty() ? "" : "; ") + c;
  for (const auto& w : r.warnings) warnings += (warnings.empty() ? "" : "; ") + w;
  if (!caps.empty()) g.with("caps", caps);
  if (!warnings.empty()) g.with("warnings", warnings);
  if (!r.mozillaIntermediate) {
    std::string items;
    for (const auto& m : r.mozillaOffending) items += (items.empty() ? "" : "; ") + m;
    add("mozilla_intermediate_fail", Severity::kMedium,
        "fails Mozilla's intermediate TLS profile (" + std::to_string(r.mozillaOffending.size()) + " item(s))")
        .with("offending", items);
  }
  return out;
}

Result<TlsReport> TlsCheck::probe(const Target& target) const {
  VIGIL_ASSIGN_OR_RETURN(auto parts, parseUrl(target.url));
  if (parts.scheme != "https") return Error::validation("url", target.url + ": not an https:// URL");
  VIGIL_ASSIGN_OR_RETURN(auto report, probeTls(parts.host, parts.port, tls_));
  FetchOptions f = fetch_;
  f.maxRedirects = 0;
  f.verifyTls = false;  // the header is read whatever the certificate; trust is graded above
  f.maxBodyBytes = 64 * 1024;
  const auto response = fetch(target.url, f);
  std::optional<long> hsts;
  if (response.ok()) hsts = hstsMaxAge(response.header("strict-transport-security"));
  gradeTls(report, hsts);
  return report;
}

Result<std::vector<Finding>> TlsCheck::run(const Target& target) const {
  VIGIL_ASSIGN_OR_RETURN(auto parts, parseUrl(target.url));
  if (parts.scheme != "https") return std::vector<Finding>{};
  auto report = probe(target);
  if (!report.ok()) {
    return std::vector<Finding>{
        Finding{"tls", "unreachable", Severity::kHigh, target.url, "TLS probe failed: " + report.error().message, {}}};
  }
  return tlsFindings(*report, target.url);
}

}  // namespace vigil::webmon
