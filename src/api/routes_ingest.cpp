// HTTP log ingest (issue 5): NDJSON and an Elasticsearch `_bulk`-compatible endpoint, so that
// Beats, Fluent Bit, Vector, Logstash and syslog-ng's elasticsearch-http() can ship to vigil.
//
// Authentication: these routes are public to the user pipeline; each checks the declared
// source's ingest token itself (collect::Collector::attributeToken), given as
// `Authorization: Bearer vgs_...`, as the password of `Authorization: Basic` (any user name) or
// as the key of `Authorization: ApiKey base64(id:token)`. The events go to the token's source
// and agency.
//
// Durability: the answer is sent only once the accepted events are fdatasync'ed (the collector's
// onDurable), or 503 when that takes longer than kDurableTimeout. Push-back from the store: 503
// (NDJSON) or 429 (`_bulk`, as Elasticsearch does) with Retry-After; nothing is stored.
//
// Bodies: up to kIngestBodyBytes (gzip accepted, as Beats and Logstash send by default, up to
// kMaxInflatedBytes inflated; other Content-Encodings are refused with 415), one JSON document
// per line (normalize/json_event.h has the mapping and its limits).
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <zlib.h>

#include "api/api.h"
#include "api/json_io.h"
#include "collect/collector.h"
#include "core/text.h"
#include "normalize/json_event.h"

namespace vigil::api {
namespace {

constexpr int64_t kIngestBodyBytes = 32 << 20;
constexpr int64_t kMaxInflatedBytes = 64 << 20;  // a gzip body, once inflated
constexpr auto kDurableTimeout = std::chrono::seconds(30);
constexpr int64_t kRetryAfterSeconds = 5;
constexpr size_t kMaxListedErrors = 100;  // NDJSON: per-line errors listed in the answer (all are counted)
constexpr const char* kEsVersion = "8.11.0";

std::optional<std::string> base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// The ingest token of the request: Bearer, the Basic password or the ApiKey key; "" when none.
std::string presentedToken(const http::Request& req) {
  const std::string_view authz = text::trim(req.header("authorization"));
  auto after = [&](std::string_view scheme) -> std::optional<std::string_view> {
    if (authz.size() > scheme.size() && authz.substr(0, scheme.size()) == scheme)
      return text::trim(authz.substr(scheme.size()));
    return std::nullopt;
  };
  if (auto t = after("Bearer ")) return std::string(*t);
  for (const char* scheme : {"Basic ", "ApiKey "}) {
    if (auto b = after(scheme)) {
      auto decoded = base64Decode(*b);
      if (!decoded) return "";
      const size_t colon = decoded->find(':');
      return colon == std::string::npos ? "" : decoded->substr(colon + 1);
    }
  }
  return "";
}

Result<collect::Attribution> authenticateSource(Api& api, const http::Request& req) {
  if (api.collector() == nullptr) return Error::unavailable("log collection is not running on this server");
  const std::string token = presentedToken(req);
  if (token.empty())
    return Error::unauthenticated(
        "send the log source's ingest token: 'Authorization: Bearer vgs_...', or as the password of Basic "
        "authentication");
  auto who = api.collector()->attributeToken(token);
  if (!who) return Error::unauthenticated("the ingest token belongs to no enabled log source");
  return *who;
}

// Inflates a gzip body, refusing more than kMaxInflatedBytes of output (a compression bomb).
Result<std::string> gunzip(std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Error::internal("zlib: inflateInit2 failed");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  char buf[64 * 1024];
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > static_cast<size_t>(kMaxInflatedBytes)) {
      inflateEnd(&z);
      return Error::of(ErrorCode::kPayloadTooLarge,
                       "the gzip body inflates to more than " + std::to_string(kMaxInflatedBytes >> 20) + " MiB");
    }
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Error::badRequest("the body is not valid gzip (Content-Encoding: gzip)");
  return out;
}

// Decodes the body in place: identity or gzip; other Content-Encodings are refused with 415.
Status decodeBody(http::Request& req) {
  const std::string_view enc = text::trim(req.header("content-encoding"));
  if (enc.empty() || enc == "identity") return {};
  if (enc == "gzip" || enc == "x-gzip") {
    VIGIL_ASSIGN_OR_RETURN(req.body, gunzip(req.body));
    return {};
  }
  return Error::of(ErrorCode::kUnsupportedMediaType,
                   "Content-Encoding '" + std::string(enc) + "' is not supported; send the body uncompressed or gzip");
}

// Appends the events through the collector and waits until they are durable. `pushBack` is the
// error code answered when the store refuses the batch.
Status submitAndWait(collect::Collector& collector, collect::Input input, const collect::Attribution& who,
                     const std::string& peer, std::vector<normalize::Event>& events, uint64_t refused,
                     ErrorCode pushBack) {
  if (events.empty()) {
    if (refused > 0) collector.countParseErrors(input, who, peer, refused);
    return {};
  }
  struct Wait {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    Status status;
  };
  auto wait = std::make_shared<Wait>();
  Status s = collector.submitEvents(input, who, peer, events, refused, [wait](const Status& st) {
    std::lock_guard lock(wait->m);
    wait->done = true;
    wait->status = st;
    wait->cv.notify_all();
  });
  if (!s.ok()) {
    Error e = Error::of(pushBack, "the event store is busy; retry in " + std::to_string(kRetryAfterSeconds) +
                                      " s (nothing of this request was stored): " + s.error().message);
    e.retryAfterSeconds = kRetryAfterSeconds;
    return e;
  }
  std::unique_lock lock(wait->m);
  if (!wait->cv.wait_for(lock, kDurableTimeout, [&] { return wait->done; })) {
    Error e = Error::unavailable("the events were not written to disk within " +
                                 std::to_string(kDurableTimeout.count()) + " s; retry");
    e.retryAfterSeconds = kRetryAfterSeconds;
    return e;
  }
  if (!wait->status.ok()) {
    Error e = Error::unavailable("the events could not be written: " + wait->status.error().message);
    e.retryAfterSeconds = kRetryAfterSeconds;
    return e;
  }
  return {};
}

// Calls `fn(lineNumber, text)` for each non-blank line of `body` (1-based numbers; a final '\r' cut).
template <typename Fn>
void forEachLine(std::string_view body, Fn&& fn) {
  size_t number = 0;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!text::trim(line).empty()) fn(number, line);
    start = end + 1;
  }
}

http::Response esJson(int status, const json::value& v) {
  auto r = jsonResponse(status, v);
  r.setHeader("X-Elastic-Product", "Elasticsearch");
  return r;
}

Result<http::Response> ingestNdjson(Api& api, Ctx& c) {
  VIGIL_ASSIGN_OR_RETURN(auto who, authenticateSource(api, c.req));
  VIGIL_TRY(decodeBody(c.req));
  std::vector<normalize::Event> events;
  json::array errors;
  uint64_t rejected = 0;
  bool anyLine = false;
  forEachLine(c.req.body, [&](size_t number, std::string_view line) {
    anyLine = true;
    normalize::Event ev;
    Status s = normalize::jsonToEvent(line, ev);
    if (s.ok()) {
      events.push_back(std::move(ev));
      return;
    }
    ++rejected;
    if (errors.size() < kMaxListedErrors)
      errors.push_back(json::object{{"line", number}, {"message", s.error().message}});
  });
  if (!anyLine) return Error::badRequest("the body holds no line; send one JSON object per line");
  VIGIL_TRY(submitAndWait(*api.collector(), collect::Input::kHttpNdjson, who, c.req.remoteAddr, events, rejected,
                          ErrorCode::kUnavailable));
  return jsonResponse(200, json::object{{"accepted", events.size()}, {"rejected", rejected}, {"errors", errors}});
}

// POST /es/_bulk, /es/{index}/_bulk: action lines (index/create, optional _index) each followed by
// its document. Other actions (update/delete) are answered per item with status 400.
Result<http::Response> ingestBulk(Api& api, Ctx& c) {
  const auto start = std::chrono::steady_clock::now();
  VIGIL_ASSIGN_OR_RETURN(auto who, authenticateSource(api, c.req));
  VIGIL_TRY(decodeBody(c.req));
  const auto indexParam = c.req.params.find("index");
  const std::string defaultIndex = indexParam == c.req.params.end() ? "vigil" : indexParam->second;

  struct Item {
    std::string action;
    std::string index;
    std::string id;
    std::string error;  // "" when accepted
  };
  std::vector<Item> items;
  std::vector<normalize::Event> events;
  uint64_t refused = 0;
  std::optional<Error> malformed;
  bool expectDocument = false;
  forEachLine(c.req.body, [&](size_t number, std::string_view line) {
    if (malformed) return;
    if (expectDocument) {
      expectDocument = false;
      Item& item = items.back();
      if (item.action != "index" && item.action != "create") return;  // an update's document
      normalize::Event ev;
      Status s = normalize::jsonToEvent(line, ev);
      if (s.ok()) {
        events.push_back(std::move(ev));
      } else {
        item.error = "line " + std::to_string(number) + ": " + s.error().message;
        ++refused;
      }
      return;
    }
    boost::system::error_code ec;
    json::value action = json::parse(json::string_view(line.data(), line.size()), ec);
    if (ec || !action.is_object() || action.as_object().size() != 1) {
      malformed =
          Error::badRequest("line " + std::to_string(number) +
                            ": expected an action line such as {\"index\":{}} or {\"create\":{\"_index\":\"x\"}}");
      return;
    }
    const auto& [name, meta] = *action.as_object().begin();
    Item item{std::string(name), defaultIndex, "", ""};
    if (meta.is_object()) {
      if (const json::value* i = meta.as_object().if_contains("_index"); i && i->is_string())
        item.index = std::string(i->as_string());
      if (const json::value* i = meta.as_object().if_contains("_id"); i && i->is_string())
        item.id = std::string(i->as_string());
    }
    if (item.action == "index" || item.action == "create" || item.action == "update") {
      expectDocument = true;
    } else if (item.action != "delete") {
      malformed = Error::badRequest("line " + std::to_string(number) + ": unknown bulk action '" + item.action + "'");
      return;
    }
    if (item.action == "update" || item.action == "delete") {
      item.error = "vigil keeps events unchanged: '" + item.action + "' is not supported";
      ++refused;
    }
    items.push_back(std::move(item));
  });
  if (malformed) return *malformed;
  if (expectDocument) return Error::badRequest("the last action line has no document line after it");
  if (items.empty()) return Error::badRequest("the body holds no action; send action and document lines");
  VIGIL_TRY(submitAndWait(*api.collector(), collect::Input::kHttpBulk, who, c.req.remoteAddr, events, refused,
                          ErrorCode::kTooManyRequests));

  json::array out;
  bool anyError = false;
  for (const auto& item : items) {
    json::object result{{"_index", item.index}};
    if (!item.id.empty()) result["_id"] = item.id;
    if (item.error.empty()) {
      result["status"] = 201;
      result["result"] = "created";
    } else {
      anyError = true;
      result["status"] = 400;
      result["error"] = json::object{
          {"type", item.action == "index" || item.action == "create" ? "document_parsing_exception"
                                                                     : "action_request_validation_exception"},
          {"reason", item.error}};
    }
    out.push_back(json::object{{item.action, std::move(result)}});
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return esJson(200, json::object{{"took", took}, {"errors", anyError}, {"items", std::move(out)}});
}

// What an Elasticsearch 8 node answers at `/`: shippers check version.number before sending.
json::object esInfo() {
  return json::object{{"name", "vigil"},
                      {"cluster_name", "vigil"},
                      {"cluster_uuid", "vigil-log-collection"},
                      {"version", json::object{{"number", kEsVersion},
                                               {"build_flavor", "default"},
                                               {"build_type", "deb"},
                                               {"build_snapshot", false},
                                               {"lucene_version", "9.8.0"},
                                               {"minimum_wire_compatibility_version", "7.17.0"},
                                               {"minimum_index_compatibility_version", "7.0.0"}}},
                      {"tagline", "You Know, for Search"}};
}

json::object basicLicense() {
  return json::object{{"status", "active"}, {"type", "basic"}, {"mode", "basic"}, {"uid", "vigil"}};
}

}  // namespace

void registerIngestRoutes(Api& api) {
  api.add("POST", "/api/v1/ingest/ndjson", "ingest.ndjson", Access::kPublic,
          [&api](Ctx& c) { return ingestNdjson(api, c); });
  api.add("POST", "/es/_bulk", "ingest.bulk", Access::kPublic, [&api](Ctx& c) { return ingestBulk(api, c); });
  api.add("POST", "/es/{index}/_bulk", "ingest.bulk", Access::kPublic, [&api](Ctx& c) { return ingestBulk(api, c); });
  api.setBodyLimit("POST", "/api/v1/ingest/ndjson", kIngestBodyBytes);
  api.setBodyLimit("POST", "/es/_bulk", kIngestBodyBytes);
  api.setBodyLimit("POST", "/es/{index}/_bulk", kIngestBodyBytes);

  // The handshake and the set-up calls shippers make before sending (HEAD is served by GET).
  // Nothing is stored: templates, policies and data streams do not exist in vigil, so a GET
  // answers 404 and a PUT is acknowledged.
  auto authed = [&api](std::function<http::Response(Ctx&)> fn) {
    return [&api, fn = std::move(fn)](Ctx& c) -> Result<http::Response> {
      VIGIL_TRY(authenticateSource(api, c.req));
      return fn(c);
    };
  };
  api.add("GET", "/es", "ingest.info", Access::kPublic, authed([](Ctx&) { return esJson(200, esInfo()); }));
  api.add("GET", "/es/_license", "ingest.info", Access::kPublic, authed([](Ctx&) {
            return esJson(200, json::object{{"license", basicLicense()}});
          }));
  api.add("GET", "/es/_xpack", "ingest.info", Access::kPublic, authed([](Ctx&) {
            return esJson(
                200,
                json::object{{"build", json::object{}}, {"license", basicLicense()}, {"features", json::object{}}});
          }));
  for (const char* kind :
       {"/es/_index_template/{name}", "/es/_template/{name}", "/es/_ilm/policy/{name}", "/es/_data_stream/{name}"}) {
    api.add("GET", kind, "ingest.setup", Access::kPublic, authed([](Ctx& c) {
              const std::string name = c.req.params["name"];
              return esJson(404, json::object{{"error", json::object{{"type", "resource_not_found_exception"},
                                                                     {"reason", "vigil keeps no '" + name + "'"}}},
                                              {"status", 404}});
            }));
    api.add("PUT", kind, "ingest.setup", Access::kPublic, authed([](Ctx&) {
              return esJson(200, json::object{{"acknowledged", true}});
            }));
  }
}

}  // namespace vigil::api
