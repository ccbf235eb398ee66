// Fuzz target: the request-line pieces vigil parses itself: percent-decoding, query strings,
// cookies, UTF-8 checks and route matching.
#include <cstdint>
#include <string>

#include "core/text.h"
#include "http/message.h"
#include "http/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  static const vigil::http::Router router = [] {
    vigil::http::Router r;
    auto none = [](vigil::http::Request&) { return vigil::http::Response::noContent(); };
    r.add("GET", "/api/v1/orgs/{id}", none);
    r.add("POST", "/api/v1/orgs/{id}/move", none);
    r.add("GET", "/api/v1/users", none);
    return r;
  }();
  vigil::http::Request req;
  req.query = in;
  bool ok = true;
  (void)req.queryParams(&ok);
  req.headers.emplace_back("cookie", in);
  (void)req.cookie("vigil_session");
  if (auto path = vigil::http::percentDecode(in, false)) {
    (void)vigil::text::isValidUtf8(*path);
    (void)router.match("GET", *path);
  }
  (void)vigil::text::trim(in);
  (void)vigil::text::jsonQuote(in);
  return 0;
}
