// The HTTP fetcher of the web-portal monitor, on libcurl. Every request is bounded: body size
// (truncated, never an error), total time, number of redirects (followed one by one here so that
// every hop is recorded and every hop's address is checked), and it refuses to connect to private,
// loopback, link-local or otherwise non-public addresses unless FetchOptions::allowPrivate is set.
// The check is made on the address actually connected to (CURLOPT_OPENSOCKETFUNCTION), after DNS,
// so a public name resolving to 127.0.0.1 or an internal host is refused too (SSRF guard).
// IDN host names are converted to punycode. Proxies from the environment are ignored.
// fetch() is thread-safe (one curl handle per call); call globalInit() once before threads start.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::webmon {

// The User-Agent of normal probes names vigil; vigilUserAgent() adds the operator's contact URL
// (a portal's administrator who sees the probes in a log knows whom to ask).
inline constexpr const char* kVigilUserAgent = "vigil-webmon/1.0 (security monitoring of state web portals)";
std::string vigilUserAgent(const std::string& contactUrl);
// A current desktop Chrome and Googlebot (smartphone), for the cloaking views.
inline constexpr const char* kBrowserUserAgent =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36";
inline constexpr const char* kGooglebotUserAgent =
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

struct FetchOptions {
  size_t maxBodyBytes = 5 * 1024 * 1024;  // more is cut off and FetchResult::truncated set
  long timeoutMs = 20000;                 // whole request, all redirects included
  long connectTimeoutMs = 5000;
  int maxRedirects = 5;  // 0: do not follow (the first response is returned)
  std::string userAgent = kVigilUserAgent;
  std::string referer;        // empty: none
  bool allowPrivate = false;  // allow loopback/private/link-local targets (tests, internal portals)
  bool verifyTls = true;      // verify the certificate chain and the host name
  std::string caFile;         // extra CA bundle (PEM) instead of the system's; empty: system store
  // "host:port:address" entries (curl's CURLOPT_RESOLVE), for tests of names without DNS.
  std::vector<std::string> resolve;
  bool headOnly = false;  // HEAD instead of GET
  // Called before every request, redirect hops included, with the host it goes to (punycode,
  // lower case). The scheduler's per-host rate gate (webmon/host_gate.h) goes here: it may block
  // until the host's next slot. Returning false cancels the fetch (FetchError::kCancelled) without
  // sending anything. Time spent waiting here does not count against timeoutMs. Empty: no gate.
  // Must be thread-safe when the options are shared.
  std::function<bool(std::string_view host)> beforeRequest;
  // When set and true, a transfer in progress is aborted (checked by libcurl's progress callback,
  // at least once a second) and the fetch returns FetchError::kCancelled. nullptr: never.
  const std::atomic<bool>* cancel = nullptr;
};

enum class FetchError {
  kNone,
  kBadUrl,
  kRefusedAddress,  // the SSRF guard refused a non-public address
  kDns,
  kConnect,
  kTimeout,
  kTls,
  kTooManyRedirects,
  kCancelled,  // FetchOptions::beforeRequest refused or FetchOptions::cancel was set
  kOther,
};

struct Hop {
  std::string url;
  long status = 0;
  std::string location;  // the Location header, resolved
  std::string address;   // the IP address connected to
};

struct FetchResult {
  FetchError error = FetchError::kNone;
  std::string errorMessage;  // names the URL and the cause
  std::string finalUrl;
  long status = 0;
  std::vector<Hop> chain;                                    // every response, the last one included
  std::vector<std::pair<std::string, std::string>> headers;  // of the last response; names lower-cased
  std::string body;
  bool truncated = false;  // the body was longer than maxBodyBytes
  std::string address;     // of the last response
  double totalSeconds = 0;

  bool ok() const { return error == FetchError::kNone; }
  // The first value of a header (name lower-case), or empty.
  std::string header(std::string_view name) const;
  // Every value of a header (e.g. set-cookie).
  std::vector<std::string> headerValues(std::string_view name) const;
};

// Call once at program start (curl_global_init is not thread-safe).
void globalInit();

FetchResult fetch(const std::string& url, const FetchOptions& options);

// True for loopback, private (RFC 1918, fc00::/7), link-local, CGNAT, unspecified, multicast,
// documentation/benchmark ranges and IPv4-mapped forms of them.
bool isNonPublicAddress(const sockaddr* address);
// The textual form of an IPv4/IPv6 socket address.
std::string addressText(const sockaddr* address);

// Parts of an absolute http(s) URL; host in punycode (IDN converted), lower-case.
struct UrlParts {
  std::string scheme, host, path, query;
  int port = 0;  // explicit or the scheme's default
};
Result<UrlParts> parseUrl(const std::string& url);
// `ref` resolved against `base` (absolute result), or an error for an unusable reference.
Result<std::string> resolveUrl(const std::string& base, const std::string& ref);

}  // namespace vigil::webmon
