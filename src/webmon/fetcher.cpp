#include "webmon/fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <unicode/idna.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>

#include "core/text.h"

namespace vigil::webmon {

namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string getPart(CURLU* u, CURLUPart part, unsigned flags) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, flags) != CURLUE_OK || !out) return {};
  std::string s(out);
  curl_free(out);
  return s;
}

// An IDN host to its ASCII (punycode) form with ICU's UTS #46 mapping; libcurl's own conversion
// depends on the process locale and fails in the "C" locale services run in.
bool asciiHost(const std::string& host, std::string& out) {
  if (std::all_of(host.begin(), host.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    out = host;
    return true;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::IDNA> idna(icu::IDNA::createUTS46Instance(UIDNA_NONTRANSITIONAL_TO_ASCII, status));
  if (U_FAILURE(status) || !idna) return false;
  icu::IDNAInfo info;
  std::string ascii;
  icu::StringByteSink<std::string> sink(&ascii);
  idna->nameToASCII_UTF8(icu::StringPiece(host.data(), static_cast<int32_t>(host.size())), sink, info, status);
  if (U_FAILURE(status) || info.hasErrors() || ascii.empty()) return false;
  out = ascii;
  return true;
}

// A URL handle with the host in ASCII; empty with `why` set when the URL is unusable.
std::unique_ptr<CURLU, CurlUrlDeleter> urlHandle(const std::string& url, std::string& why, unsigned flags = 0) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u) {
    why = "out of memory";
    return nullptr;
  }
  const auto rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), flags);
  if (rc != CURLUE_OK) {
    why = curl_url_strerror(rc);
    return nullptr;
  }
  const std::string host = getPart(u.get(), CURLUPART_HOST, 0);
  std::string ascii;
  if (host.empty() || !asciiHost(host, ascii)) {
    why = "no host or an invalid international (IDN) host name";
    return nullptr;
  }
  if (ascii != host && curl_url_set(u.get(), CURLUPART_HOST, ascii.c_str(), 0) != CURLUE_OK) {
    why = "invalid host name";
    return nullptr;
  }
  return u;
}

// Per-request state shared with the curl callbacks.
struct Transfer {
  std::string body;
  size_t maxBody = 0;
  bool truncated = false;
  std::vector<std::pair<std::string, std::string>> headers;
  bool allowPrivate = false;
  std::string refusedAddress;  // set when the guard refused a connection
};

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  const size_t room = t->maxBody - t->body.size();
  if (len > room) {
    t->body.append(data, room);
    t->truncated = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR; the caller keeps what it has
  }
  t->body.append(data, len);
  return len;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->headers.clear();  // a new response (1xx interim responses come first)
    return size * n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || t->headers.size() >= 500) return size * n;
  t->headers.emplace_back(text::asciiLower(text::trim(line.substr(0, colon))),
                          std::string(text::trim(line.substr(colon + 1))));
  return size * n;
}

curl_socket_t onOpenSocket(void* user, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  if (!t->allowPrivate && isNonPublicAddress(&address->addr)) {
    t->refusedAddress = addressText(&address->addr);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

bool inV4(uint32_t a, uint32_t net, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

bool nonPublicV4(uint32_t a) {
  static const struct {
    uint32_t net;
    int bits;
  } kRanges[] = {
      {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
      {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0A80000, 16}, {0xC6120000, 15},
      {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 4},  {0xF0000000, 4},
  };
  for (const auto& r : kRanges)
    if (inV4(a, r.net, r.bits)) return true;
  return false;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel->load() ? 1 : 0;  // non-zero aborts with CURLE_ABORTED_BY_CALLBACK
}

FetchResult failure(FetchResult r, FetchError e, std::string message) {
  r.error = e;
  r.errorMessage = std::move(message);
  return r;
}

}  // namespace

std::string FetchResult::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::vector<std::string> FetchResult::headerValues(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers)
    if (k == name) out.push_back(v);
  return out;
}

std::string vigilUserAgent(const std::string& contactUrl) {
  if (contactUrl.empty()) return kVigilUserAgent;
  return "vigil-webmon/1.0 (security monitoring of state web portals; +" + contactUrl + ")";
}

void globalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }

bool isNonPublicAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return nonPublicV4(ntohl(in->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    const uint8_t* b = in6->sin6_addr.s6_addr;
    static const uint8_t kZero[16] = {};
    if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible/NAT64 forms carry an IPv4 address.
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0)
      return nonPublicV4(uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 | b[15]);
    if ((b[0] & 0xfe) == 0xfc) return true;                                         // fc00::/7 unique local
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;                         // fe80::/10 link-local
    if (b[0] == 0xff) return true;                                                  // multicast
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // documentation
    return false;
  }
  return true;  // anything else is not an Internet address
}

std::string addressText(const sockaddr* address) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, buf, sizeof buf);
  else if (address->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, buf, sizeof buf);
  return buf;
}

Result<UrlParts> parseUrl(const std::string& url) {
  if (url.size() > 8192) return Error::validation("url", "longer than 8192 bytes");
  std::string why;
  auto u = urlHandle(url, why);
  if (!u) return Error::validation("url", "'" + url + "' is not a valid URL (" + why + ")");
  UrlParts p;
  p.scheme = getPart(u.get(), CURLUPART_SCHEME, 0);
  if (p.scheme != "http" && p.scheme != "https")
    return Error::validation("url", "'" + url + "': only http:// and https:// URLs can be checked");
  p.host = text::asciiLower(getPart(u.get(), CURLUPART_HOST, 0));
  p.path = getPart(u.get(), CURLUPART_PATH, 0);
  p.query = getPart(u.get(), CURLUPART_QUERY, 0);
  p.port = std::atoi(getPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).c_str());
  return p;
}

Result<std::string> resolveUrl(const std::string& base, const std::string& ref) {
  std::string why;
  auto u = urlHandle(base, why);
  if (!u) return Error::validation("url", "bad base URL '" + base + "'");
  if (ref.size() > 8192 || curl_url_set(u.get(), CURLUPART_URL, ref.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return Error::validation("url", "bad reference '" + ref.substr(0, 200) + "'");
  auto resolved = urlHandle(getPart(u.get(), CURLUPART_URL, 0), why, CURLU_NON_SUPPORT_SCHEME);
  std::string out = resolved ? getPart(resolved.get(), CURLUPART_URL, 0) : "";
  if (out.empty()) return Error::validation("url", "bad reference '" + ref.substr(0, 200) + "'");
  return out;
}

FetchResult fetch(const std::string& url, const FetchOptions& o) {
  FetchResult r;
  r.finalUrl = url;
  auto parts = parseUrl(url);
  if (!parts.ok()) return failure(std::move(r), FetchError::kBadUrl, parts.error().message);
  std::unique_ptr<curl_slist, SlistDeleter> resolve;
  for (const auto& entry : o.resolve) resolve.reset(curl_slist_append(resolve.release(), entry.c_str()));

  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration gated{};  // time spent at the gate: not part of the budget
  std::string current = url;
  for (int hop = 0;; ++hop) {
    {
      // The URL handed to curl carries the ASCII (punycode) host.
      std::string why;
      auto u = urlHandle(current, why);
      if (!u) return failure(std::move(r), FetchError::kBadUrl, current + ": " + why);
      current = getPart(u.get(), CURLUPART_URL, 0);
      if (o.beforeRequest) {
        const auto gateStart = std::chrono::steady_clock::now();
        const bool go = o.beforeRequest(text::asciiLower(getPart(u.get(), CURLUPART_HOST, 0)));
        gated += std::chrono::steady_clock::now() - gateStart;
        if (!go) return failure(std::move(r), FetchError::kCancelled, current + ": cancelled before the request");
      }
    }
    const long elapsed = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start - gated)
            .count());
    const long remaining = o.timeoutMs - elapsed;
    if (remaining <= 0)
      return failure(std::move(r), FetchError::kTimeout,
                     current + ": timed out after " + std::to_string(o.timeoutMs) + " ms (redirects included)");
    std::unique_ptr<CURL, CurlDeleter> c(curl_easy_init());
    if (!c) return failure(std::move(r), FetchError::kOther, "curl_easy_init failed");
    Transfer t;
    t.maxBody = o.maxBodyBytes;
    t.allowPrivate = o.allowPrivate;
    CURL* h = c.get();
    curl_easy_setopt(h, CURLOPT_URL, current.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, remaining);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(o.connectTimeoutMs, remaining));
    curl_easy_setopt(h, CURLOPT_USERAGENT, o.userAgent.c_str());
    if (!o.referer.empty()) curl_easy_setopt(h, CURLOPT_REFERER, o.referer.c_str());
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // decoded bytes count against maxBodyBytes
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o.verifyTls ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.verifyTls ? 2L : 0L);
    if (!o.caFile.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, o.caFile.c_str());
    if (o.headOnly) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, onOpenSocket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);
    if (o.cancel) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(o.cancel));
    }
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    const CURLcode rc = curl_easy_perform(h);

    Hop hopInfo;
    hopInfo.url = current;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &hopInfo.status);
    char* ip = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) hopInfo.address = ip;
    double seconds = 0;
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &seconds);
    r.totalSeconds += seconds;
    const std::string what = current + ": ";
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.truncated)) {
      const std::string detail = errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc);
      if (!t.refusedAddress.empty())
        return failure(std::move(r), FetchError::kRefusedAddress,
                       what + "refused: the host resolves to the non-public address " + t.refusedAddress +
                           " (allow private addresses to check internal portals)");
      switch (rc) {
        case CURLE_ABORTED_BY_CALLBACK:
          return failure(std::move(r), FetchError::kCancelled, what + "cancelled during the transfer");
        case CURLE_OPERATION_TIMEDOUT:
          return failure(std::move(r), FetchError::kTimeout,
                         what + "timed out after " + std::to_string(o.timeoutMs) + " ms (" + detail + ")");
        case CURLE_COULDNT_RESOLVE_HOST: return failure(std::move(r), FetchError::kDns, what + "DNS: " + detail);
        case CURLE_COULDNT_CONNECT: return failure(std::move(r), FetchError::kConnect, what + "connect: " + detail);
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE: return failure(std::move(r), FetchError::kTls, what + "TLS: " + detail);
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL: return failure(std::move(r), FetchError::kBadUrl, what + detail);
        default: return failure(std::move(r), FetchError::kOther, what + detail);
      }
    }
    char* location = nullptr;
    const bool redirect = hopInfo.status >= 300 && hopInfo.status < 400 &&
                          curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location;
    if (redirect) hopInfo.location = location;
    r.chain.push_back(hopInfo);
    r.status = hopInfo.status;
    r.address = hopInfo.address;
    r.headers = std::move(t.headers);
    r.body = std::move(t.body);
    r.truncated = t.truncated;
    r.finalUrl = current;
    if (!redirect || o.maxRedirects == 0) return r;
    if (hop >= o.maxRedirects) {
      std::string chain;
      for (const auto& x : r.chain) chain += (chain.empty() ? "" : " -> ") + x.url;
      return failure(std::move(r), FetchError::kTooManyRedirects,
                     url + ": more than " + std::to_string(o.maxRedirects) + " redirects: " + chain);
    }
    current = hopInfo.location;
  }
}

}  // namespace vigil::webmon
