#include "webmon/availability.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <libpsl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <resolv.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <thread>

#include "core/text.h"
#include "webmon/checks.h"
#include "webmon/lexicon.h"
#include "webmon/page.h"
#include "webmon/socket.h"

namespace vigil::webmon {

namespace {

using Steady = std::chrono::steady_clock;

double msSince(Steady::time_point t) { return std::chrono::duration<double, std::milli>(Steady::now() - t).count(); }

std::string msText(double ms) { return std::to_string(static_cast<long>(ms + 0.5)); }

// CNAME of `host` through the system resolver, "" when there is none or no answer. One try of
// two seconds: a resolver that does not answer must not hold the check.
std::string cnameOf(const std::string& host) {
  struct __res_state state {};
  if (res_ninit(&state) != 0) return {};
  state.retrans = 2;
  state.retry = 1;
  unsigned char answer[4096];
  const int n = res_nquery(&state, host.c_str(), ns_c_in, ns_t_cname, answer, sizeof answer);
  std::string out;
  ns_msg msg{};
  if (n > 0 && ns_initparse(answer, n, &msg) == 0) {
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
      ns_rr rr{};
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_cname) continue;
      char name[NS_MAXDNAME] = {};
      if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr), name, sizeof name) >= 0) {
        out = text::asciiLower(name);
        break;
      }
    }
  }
  res_nclose(&state);
  return out;
}

struct SslCtxDel {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDel {
  void operator()(SSL* s) const { SSL_free(s); }
};

// SHA-256 of the leaf certificate of one handshake on `fd` ("" and `error` set on failure). The
// chain is not verified here: trust is the TLS class's verdict; this only notices a change.
std::string handshake(int fd, const std::string& host, std::string& error) {
  std::unique_ptr<SSL_CTX, SslCtxDel> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    error = "cannot create a TLS context";
    return {};
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<SSL, SslDel> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), fd);
  if (!isIpLiteral(host)) SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  if (SSL_connect(ssl.get()) != 1) {
    char buf[256] = {};
    ERR_error_string_n(ERR_peek_last_error(), buf, sizeof buf);
    ERR_clear_error();
    error = std::string("TLS handshake failed: ") + (buf[0] ? buf : "connection closed");
    return {};
  }
  X509* leaf = SSL_get0_peer_certificate(ssl.get());
  std::string hex;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (leaf && X509_digest(leaf, EVP_sha256(), md, &len) == 1) {
    static const char kHex[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; ++i) {
      hex += kHex[md[i] >> 4];
      hex += kHex[md[i] & 15];
    }
  }
  SSL_shutdown(ssl.get());
  ERR_clear_error();
  return hex;
}

// One try: DNS, TCP (+TLS), HTTP. `failure` is a finding id when the try failed ("" = up).
struct Attempt {
  std::string failure;  // "dns", "connect", "tls_handshake", a fetch failure id, "http_5xx", "cancelled"
  std::string message;
  bool retryable = true;
  std::vector<std::string> addresses;
  std::string cname;
  double dnsMs = 0, connectMs = 0, tlsMs = 0;
  std::string certSha256;
  FetchResult http;
};

Attempt tryOnce(const PortalSpec& portal, const UrlParts& url, const AvailabilityOptions& o) {
  Attempt a;
  const FetchOptions& fo = o.fetch;
  auto fail = [&](std::string id, std::string message, bool retryable = true) {
    a.failure = std::move(id);
    a.message = std::move(message);
    a.retryable = retryable;
    return a;
  };
  auto t0 = Steady::now();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(url.port);
  if (const int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    return fail("dns", url.host + ": DNS: " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(res, freeaddrinfo);
  std::set<std::string> addresses;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) addresses.insert(addressText(ai->ai_addr));
  a.addresses.assign(addresses.begin(), addresses.end());
  if (!isIpLiteral(url.host) && url.host != "localhost") a.cname = cnameOf(url.host);
  a.dnsMs = msSince(t0);

  // TCP to the first address that connects; the guard refuses non-public ones first.
  Fd fd;
  std::string tried;
  for (addrinfo* ai = res; ai && fd.fd < 0; ai = ai->ai_next) {
    if (!portal.allowPrivate && isNonPublicAddress(ai->ai_addr))
      return fail("refused_private_address",
                  url.host + " resolves to the non-public address " + addressText(ai->ai_addr) +
                      " (an operator must allow private addresses for this portal)",
                  false);
    if (fo.beforeRequest && !fo.beforeRequest(url.host)) return fail("cancelled", "cancelled", false);
    if (fo.cancel && fo.cancel->load()) return fail("cancelled", "cancelled", false);
    t0 = Steady::now();
    fd.fd = connectWithin(ai->ai_addr, static_cast<socklen_t>(ai->ai_addrlen), o.connectTimeoutMs);
    a.connectMs = msSince(t0);
    tried += (tried.empty() ? "" : ", ") + addressText(ai->ai_addr);
  }
  if (fd.fd < 0) return fail("connect", url.host + ":" + port + ": no answer on " + tried);
  if (url.scheme == "https") {
    t0 = Steady::now();
    std::string error;
    a.certSha256 = handshake(fd.fd, url.host, error);
    a.tlsMs = msSince(t0);
    if (!error.empty()) return fail("tls_handshake", url.host + ":" + port + ": " + error);
  }
  ::close(fd.fd);
  fd.fd = -1;

  FetchOptions f = fo;
  f.allowPrivate = portal.allowPrivate;
  f.verifyTls = false;  // availability, not trust
  a.http = fetch(portal.url, f);
  if (!a.http.ok()) {
    const Finding ff = fetchFailure(a.http, portal.url);
    const bool retryable = a.http.error != FetchError::kBadUrl && a.http.error != FetchError::kRefusedAddress &&
                           a.http.error != FetchError::kCancelled;
    return fail(ff.id, a.http.errorMessage, retryable);
  }
  if (a.http.status >= 500)
    return fail("http_5xx", portal.url + ": the server answers " + std::to_string(a.http.status));
  return a;
}

std::string joinChain(const std::vector<Hop>& chain) {
  std::string out;
  for (const auto& h : chain) out += (out.empty() ? "" : " -> ") + h.url + " [" + std::to_string(h.status) + "]";
  return out;
}

std::string joinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

bool pageHasMarker(const FetchResult& r, const std::string& marker) {
  const PageFacts facts = analyzePage(r.body, r.finalUrl);
  const std::string hay = normalizeText(facts.title + " " + facts.visibleText);
  return hay.find(normalizeText(marker)) != std::string::npos;
}

void setFact(Facts& facts, const std::string& key, std::string value) {
  for (auto& [k, v] : facts)
    if (k == key) {
      v = std::move(value);
      return;
    }
  facts.emplace_back(key, std::move(value));
}

}  // namespace

std::string factValue(const Facts& facts, std::string_view key) {
  for (const auto& [k, v] : facts)
    if (k == key) return v;
  return {};
}

std::string registrableDomain(std::string_view host) {
  static const psl_ctx_t* psl = psl_latest(nullptr);  // Debian's list file, else the built-in one
  const std::string h = text::asciiLower(host);
  if (!psl || isIpLiteral(h)) return h;
  const char* reg = psl_registrable_domain(psl, h.c_str());
  return reg ? std::string(reg) : h;
}

AvailabilityOutcome checkAvailability(const PortalSpec& portal, const Facts& previous, TimeMs now,
                                      const AvailabilityOptions& o) {
  AvailabilityOutcome out;
  const bool maintenance = portal.inMaintenance(now);
  for (const auto& [k, v] : previous)
    if (k.rfind("availability.", 0) == 0) out.facts.emplace_back(k, v);
  auto add = [&](std::string id, Severity s, std::string url, std::string summary) -> Finding& {
    out.findings.push_back(Finding{"availability", std::move(id), s, std::move(url), std::move(summary), {}});
    return out.findings.back();
  };
  auto parts = parseUrl(portal.url);
  if (!parts.ok()) {
    add("bad_url", Severity::kHigh, portal.url, parts.error().message);
    setFact(out.facts, "availability.status", "down");
    return out;
  }

  Attempt a;
  long backoff = o.backoffMs;
  for (int attempt = 0;; ++attempt) {
    out.attempts = attempt + 1;
    a = tryOnce(portal, *parts, o);
    if (a.failure == "cancelled" || (o.fetch.cancel && o.fetch.cancel->load())) {
      out.cancelled = true;
      return out;
    }
    if (a.failure.empty() || !a.retryable || attempt >= o.retries) break;
    const bool waited =
        o.sleep ? o.sleep(backoff) : (std::this_thread::sleep_for(std::chrono::milliseconds(backoff)), true);
    if (!waited) {
      out.cancelled = true;
      return out;
    }
    backoff *= 2;
  }

  const std::string prevStatus = factValue(previous, "availability.status");
  if (!a.failure.empty()) {
    auto& f =
        add(a.failure == "refused_private_address" ? "refused_private_address" : "down", Severity::kHigh, portal.url,
            (a.retryable ? "down after " + std::to_string(out.attempts) + " tries: " : std::string()) + a.message);
    f.with("failure", a.failure).with("attempts", std::to_string(out.attempts));
    if (maintenance) f.with("maintenance", "yes");
    setFact(out.facts, "availability.status", "down");
    std::string since = factValue(previous, "availability.down_since");
    if (prevStatus != "down" || since.empty()) since = std::to_string(now);
    setFact(out.facts, "availability.down_since", since);
    if (!a.addresses.empty()) setFact(out.facts, "availability.dns.addresses", joinList(a.addresses));
    return out;
  }

  // Up: compare with the previous facts, then record the new ones.
  const FetchResult& r = a.http;
  if (prevStatus == "down") {
    const std::string since = factValue(previous, "availability.down_since");
    auto& f = add("back_up", Severity::kInfo, portal.url, "the portal answers again");
    if (!since.empty())
      f.with("down_for_seconds", std::to_string((now - std::strtoll(since.c_str(), nullptr, 10)) / 1000));
  }
  const std::string addresses = joinList(a.addresses);
  const std::string prevAddresses = factValue(previous, "availability.dns.addresses");
  if (!prevAddresses.empty() && prevAddresses != addresses)
    add("dns_changed", maintenance ? Severity::kInfo : Severity::kMedium, portal.url,
        parts->host + " now resolves to " + addresses + " (was " + prevAddresses + ")")
        .with("previous", prevAddresses)
        .with("current", addresses);
  const std::string prevCname = factValue(previous, "availability.dns.cname");
  const bool hadDns = !prevAddresses.empty();
  if (hadDns && prevCname != a.cname)
    add("dns_changed", maintenance ? Severity::kInfo : Severity::kMedium, portal.url,
        parts->host + " CNAME is now '" + a.cname + "' (was '" + prevCname + "')")
        .with("previous_cname", prevCname)
        .with("current_cname", a.cname);
  const std::string prevCert = factValue(previous, "availability.tls.cert_sha256");
  if (!prevCert.empty() && !a.certSha256.empty() && prevCert != a.certSha256) {
    auto& f = add("cert_changed", maintenance ? Severity::kInfo : Severity::kMedium, portal.url,
                  std::string("the certificate changed") + (maintenance ? " (inside a maintenance window)" : ""))
                  .with("previous_sha256", prevCert)
                  .with("current_sha256", a.certSha256);
    if (maintenance) f.with("maintenance", "yes");
  }
  auto finalParts = parseUrl(r.finalUrl);
  if (finalParts.ok() && registrableDomain(finalParts->host) != registrableDomain(parts->host))
    add("redirect_other_domain", Severity::kHigh, portal.url,
        "the home page redirects to another domain: " + registrableDomain(finalParts->host))
        .with("chain", joinChain(r.chain))
        .with("final_url", r.finalUrl);
  if (r.status >= 400)
    add("http_status", Severity::kMedium, portal.url, "the home page answers " + std::to_string(r.status))
        .with("status", std::to_string(r.status));
  const std::string prevBytes = factValue(previous, "availability.body.bytes");
  const std::string prevHttp = factValue(previous, "availability.http.status");
  if (!prevBytes.empty() && prevHttp == "200" && r.status == 200) {
    const double before = std::strtod(prevBytes.c_str(), nullptr);
    if (before >= static_cast<double>(o.collapseMinBytes) &&
        static_cast<double>(r.body.size()) < before * o.collapseRatio)
      add("body_collapse", maintenance ? Severity::kInfo : Severity::kMedium, portal.url,
          "the home page shrank from " + prevBytes + " to " + std::to_string(r.body.size()) + " bytes")
          .with("previous_bytes", prevBytes)
          .with("current_bytes", std::to_string(r.body.size()));
  }

  // The marker on the home page and every key page; key pages must answer 2xx.
  std::string markerState;
  if (!portal.marker.empty() && r.status < 400) {
    const bool found = pageHasMarker(r, portal.marker);
    markerState = found ? "found" : "missing";
    if (!found)
      add("marker_missing", Severity::kHigh, portal.url, "the page does not contain \"" + portal.marker + "\"")
          .with("marker", portal.marker);
  }
  for (const auto& page : portal.keyPages) {
    FetchOptions f = o.fetch;
    f.allowPrivate = portal.allowPrivate;
    f.verifyTls = false;
    const FetchResult kr = fetch(page, f);
    if (kr.error == FetchError::kCancelled) {
      out.cancelled = true;
      return out;
    }
    if (!kr.ok() || kr.status < 200 || kr.status >= 300) {
      add("key_page_failed", Severity::kMedium, page,
          kr.ok() ? "the key page answers " + std::to_string(kr.status) : kr.errorMessage)
          .with("status", std::to_string(kr.status));
      continue;
    }
    if (!portal.marker.empty() && !pageHasMarker(kr, portal.marker)) {
      markerState = "missing";
      add("marker_missing", Severity::kHigh, page, "the page does not contain \"" + portal.marker + "\"")
          .with("marker", portal.marker);
    } else if (!portal.marker.empty() && markerState.empty()) {
      markerState = "found";
    }
  }

  setFact(out.facts, "availability.status", "up");
  setFact(out.facts, "availability.down_since", "");
  setFact(out.facts, "availability.dns.addresses", addresses);
  setFact(out.facts, "availability.dns.cname", a.cname);
  if (!a.certSha256.empty()) setFact(out.facts, "availability.tls.cert_sha256", a.certSha256);
  setFact(out.facts, "availability.http.status", std::to_string(r.status));
  setFact(out.facts, "availability.http.final_url", r.finalUrl);
  setFact(out.facts, "availability.http.redirects", joinChain(r.chain));
  setFact(out.facts, "availability.body.bytes", std::to_string(r.body.size()));
  setFact(out.facts, "availability.marker", markerState);
  setFact(out.facts, "availability.timing.dns_ms", msText(a.dnsMs));
  setFact(out.facts, "availability.timing.connect_ms", msText(a.connectMs));
  setFact(out.facts, "availability.timing.tls_ms", msText(a.tlsMs));
  setFact(out.facts, "availability.timing.total_ms", msText(r.totalSeconds * 1000));
  return out;
}

}  // namespace vigil::webmon
