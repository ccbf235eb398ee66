// Log collection (issue 5): event search, histogram, top values and export over the event store;
// saved searches; declared log sources with their ingest tokens and the collector's live figures.
// Contract: /work/wt/EVENTS_API.md (docs in openapi.json).
//
// Scoping: events are read through an eventstore::Scope built from the caller's grants
// (kReadEvents): every organisation in the subtrees the caller reads, or all of them for a reader
// of the province root. The event store applies it to every event. Sources are scoped by the store
// (SourceStore). Undeclared senders (source 0, attributed to the root) are shown only to readers
// of the root.
//
// After every change of a source the collector receives the new set (refreshCollector), so
// attribution by address or token follows at once.
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "api/api.h"
#include "api/json_io.h"
#include "api/registry_io.h"
#include "collect/collector.h"
#include "core/crypto.h"
#include "core/log.h"
#include "eventstore/event_store.h"
#include "eventstore/query.h"

namespace vigil::api {

namespace {

using eventstore::TimeUs;

constexpr size_t kMaxAddresses = 100;
constexpr int64_t kDefaultWindowUs = 24LL * 3600 * 1'000'000;
constexpr size_t kStorePage = 10'000;  // the event store's largest page

Status needEvents(const Api& api) {
  if (!api.events()) return Error::unavailable("log collection is not running on this server");
  return {};
}
Status needCollector(const Api& api) {
  if (!api.collector()) return Error::unavailable("log collection is not running on this server");
  return {};
}

// "2026-11-24T03:00:00.123456Z" from microseconds since the epoch.
std::string formatUs(TimeUs us) {
  TimeUs secs = us / 1'000'000, frac = us % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  std::string s = formatRfc3339(secs * 1000);  // "...:SSZ"
  std::string f = std::to_string(frac);
  s.insert(s.size() - 1, "." + std::string(6 - f.size(), '0') + f);
  return s;
}

json::value usOrNull(TimeUs us) { return us > 0 ? json::value(formatUs(us)) : json::value(nullptr); }

// What the caller may read of the events, and the names of those organisations.
struct ReadScope {
  eventstore::Scope scope;
  std::map<int64_t, std::string> orgNames;
  bool readsRoot = false;
};

Result<ReadScope> readScope(Api& api, const Actor& actor) {
  ReadScope out;
  VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
  out.readsRoot = allows(actor, Permission::kReadEvents, root.path);
  out.scope.allOrgs = out.readsRoot;
  VIGIL_ASSIGN_OR_RETURN(auto orgs, api.store().listOrgs(actor, true));
  const auto prefixes = scopePrefixes(actor, Permission::kReadEvents);
  for (const Org& o : orgs.items) {
    const bool inScope =
        std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return inSubtree(o.path, p); });
    if (!inScope) continue;
    out.orgNames[o.id] = o.name;
    if (!out.scope.allOrgs) out.scope.orgIds.push_back(o.id);
  }
  return out;
}

struct Window {
  TimeUs fromUs = 0, toUs = 0;
};

// from/to (RFC 3339); defaults: to = now (inclusive), from = to - 24 h.
Result<Window> readWindow(const Api& api, const http::Request& req) {
  Window w;
  w.toUs = (api.clock().nowMs() + 1) * 1000;  // `to` is exclusive: now itself included
  if (auto v = req.queryParam("to")) {
    auto t = parseRfc3339(*v);
    if (!t) return Error::validation("to", "must be an RFC 3339 time such as 2026-11-24T03:00:00Z");
    w.toUs = *t * 1000;
  }
  w.fromUs = w.toUs - kDefaultWindowUs;
  if (auto v = req.queryParam("from")) {
    auto t = parseRfc3339(*v);
    if (!t) return Error::validation("from", "must be an RFC 3339 time such as 2026-11-24T03:00:00Z");
    w.fromUs = *t * 1000;
  }
  if (w.fromUs >= w.toUs) return Error::validation("from", "must be before 'to'");
  return w;
}

std::string readQuery(const http::Request& req) { return req.queryParam("q").value_or(""); }

Result<int64_t> intParam(const http::Request& req, const char* name, int64_t lo, int64_t hi, int64_t fallback) {
  if (auto v = req.queryParam(name)) return queryInt(name, *v, lo, hi);
  return fallback;
}

json::object eventJson(const eventstore::StoredEvent& e, const std::map<int64_t, std::string>& names) {
  json::object fields;
  for (const auto& f : e.fields) {
    switch (f.type) {
      case normalize::ValueType::kInt: fields[f.name] = f.number; break;
      case normalize::ValueType::kTime: fields[f.name] = formatUs(f.number); break;
      default: fields[f.name] = f.text; break;
    }
  }
  auto name = names.find(e.orgId);
  return {{"time", formatUs(e.timeUs)}, {"received", formatUs(e.receivedUs)},
          {"org_id", e.orgId},          {"org_name", name == names.end() ? std::string() : name->second},
          {"source_id", e.sourceId},    {"raw", e.raw},
          {"fields", std::move(fields)}};
}

// --- Sources -------------------------------------------------------------------------------------

// "vgs_" + base32 of 32 random bytes.
std::string newSourceToken() {
  std::string t = crypto::base32Encode(crypto::randomBytes(32));
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "vgs_" + t;
}

// Serialises read-then-set so that the collector always ends with the latest committed set.
std::mutex& refreshMutex() {
  static std::mutex mu;
  return mu;
}

Status refreshCollector(Api& api) {
  collect::Collector* c = api.collector();
  if (!c) return {};
  std::lock_guard lock(refreshMutex());
  VIGIL_ASSIGN_OR_RETURN(auto all, api.store().allSourcesForCollector());
  std::vector<collect::SourceRule> rules;
  rules.reserve(all.size());
  for (const auto& s : all)
    rules.push_back({.id = s.source.id,
                     .orgId = s.source.orgId,
                     .name = s.source.name,
                     .addresses = s.source.addresses,
                     .tokenSha256 = s.tokenSha256,
                     .zoneOffsetMinutes = s.source.timezoneOffsetMinutes,
                     .enabled = s.source.enabled});
  c->setSources(std::move(rules));
  return {};
}

// After a committed change: the change stands even if the collector could not be updated (logged).
void refreshAfterChange(Api& api) {
  Status st = refreshCollector(api);
  if (!st.ok()) log::error("log sources changed but the collector was not updated: " + st.error().message);
}

json::object senderJson(const collect::SenderStats& s) {
  return {{"input", std::string(collect::inputName(s.input))},
          {"peer", s.peer},
          {"host", s.lastHost},
          {"events", s.events},
          {"events_per_second", s.eventsPerSecond},
          {"parse_errors", s.parseErrors},
          {"rejected", s.rejected},
          {"dropped", s.dropped},
          {"first_seen", usOrNull(s.firstSeenUs)},
          {"last_seen", usOrNull(s.lastSeenUs)}};
}

// The receive time of the source's newest stored event (0: none since shortly before its creation).
// Asked when the collector has no figures for the source: they start empty with the server, so
// without this every source would read "never" after a restart.
TimeUs lastStoredUs(const eventstore::EventStore* store, const LogSource& s, TimeUs nowUs) {
  if (!store) return 0;
  eventstore::SearchRequest req;
  req.scope.orgIds.push_back(s.orgId);
  req.query = "vigil.source_id:" + std::to_string(s.id);
  req.fromUs = s.createdAt * 1000 - kDefaultWindowUs;
  req.toUs = nowUs + 1;
  req.limit = 1;
  auto found = store->search(req);
  if (!found.ok()) {
    log::error("last event of log source " + std::to_string(s.id) + ": " + found.error().message);
    return 0;
  }
  return found->events.empty() ? 0 : found->events.front().receivedUs;
}

// The source with the live figures of its senders and its status (contract: disabled, never,
// silent beyond expected_interval_minutes (0 = not watched), else active).
json::object sourceJson(const LogSource& s, const std::vector<collect::SenderStats>& all, TimeUs nowUs,
                        const eventstore::EventStore* store) {
  json::array senders;
  uint64_t events = 0, parseErrors = 0, rejected = 0, dropped = 0;
  double eps = 0;
  TimeUs lastSeen = 0;
  for (const auto& x : all) {
    if (x.sourceId != s.id) continue;
    senders.push_back(senderJson(x));
    events += x.events;
    parseErrors += x.parseErrors;
    rejected += x.rejected;
    dropped += x.dropped;
    eps += x.eventsPerSecond;
    lastSeen = std::max(lastSeen, x.lastSeenUs);
  }
  if (lastSeen == 0 && s.enabled) lastSeen = lastStoredUs(store, s, nowUs);
  std::string status = "active";
  if (!s.enabled) {
    status = "disabled";
  } else if (lastSeen == 0) {
    status = "never";
  } else if (s.expectedIntervalMinutes > 0 &&
             nowUs - lastSeen > static_cast<TimeUs>(s.expectedIntervalMinutes) * 60 * 1'000'000) {
    status = "silent";
  }
  json::array addresses;
  for (const auto& a : s.addresses) addresses.emplace_back(a);
  return {{"id", s.id},
          {"org_id", s.orgId},
          {"org_name", s.orgName},
          {"name", s.name},
          {"addresses", std::move(addresses)},
          {"timezone_offset_minutes", s.timezoneOffsetMinutes},
          {"expected_interval_minutes", s.expectedIntervalMinutes},
          {"enabled", s.enabled},
          {"has_token", s.hasToken},
          {"status", status},
          {"last_seen", usOrNull(lastSeen)},
          {"events", events},
          {"events_per_second", eps},
          {"parse_errors", parseErrors},
          {"rejected", rejected},
          {"dropped", dropped},
          {"senders", std::move(senders)},
          {"created_at", formatRfc3339(s.createdAt)},
          {"updated_at", formatRfc3339(s.updatedAt)}};
}

json::object sourceJsonNow(Api& api, const LogSource& s) {
  return sourceJson(s, api.collector()->senders(), api.clock().nowMs() * 1000, api.events());
}

// Addresses checked with the collector's parser; each error names its position.
Result<std::vector<std::string>> readAddresses(const json::array& a) {
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string where = "addresses[" + std::to_string(i) + "]";
    if (!a[i].is_string()) return Error::validation(where, "must be a string (an IP address or CIDR range)");
    VIGIL_ASSIGN_OR_RETURN(std::string text, cleanText(where, a[i].as_string(), 64, false));
    if (auto parsed = collect::parseAddressRange(text); !parsed.ok())
      return Error::validation(where,
                               "'" + text + "' is not an IP address or CIDR range (" + parsed.error().message + ")");
    if (std::find(out.begin(), out.end(), text) != out.end()) return Error::validation(where, "is listed twice");
    out.push_back(std::move(text));
  }
  return out;
}

json::object savedJson(const SavedSearch& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"query", s.query},
          {"range", s.range},
          {"created_at", formatRfc3339(s.createdAt)}};
}

// --- Export --------------------------------------------------------------------------------------

// Reads up to `limit` matching events, newest first, in pages of the store's largest size. Each
// next page ends (exclusive) at the time of the oldest event kept; events at exactly that time are
// left to the next page so none is skipped or repeated.
Result<std::vector<eventstore::StoredEvent>> exportEvents(const eventstore::EventStore& store,
                                                          const eventstore::Scope& scope, const std::string& q,
                                                          Window w, size_t limit) {
  std::vector<eventstore::StoredEvent> out;
  while (out.size() < limit) {
    eventstore::SearchRequest req{.scope = scope, .query = q, .fromUs = w.fromUs, .toUs = w.toUs, .limit = kStorePage};
    VIGIL_ASSIGN_OR_RETURN(auto page, store.search(req));
    auto& ev = page.events;
    if (ev.size() < kStorePage) {
      for (auto& e : ev) {
        if (out.size() >= limit) break;
        out.push_back(std::move(e));
      }
      break;
    }
    const TimeUs oldest = ev.back().timeUs;
    if (ev.front().timeUs == oldest)
      return Error::validation("q", "more than " + std::to_string(kStorePage) + " events carry the same time " +
                                        formatUs(oldest) + "; narrow the query or the time range");
    for (auto& e : ev) {
      if (e.timeUs == oldest || out.size() >= limit) break;
      out.push_back(std::move(e));
    }
    // Everything newer than `oldest` is out; the next page holds `oldest` and older.
    w.toUs = oldest + 1;
  }
  return out;
}

}  // namespace

TimeMs sourceLastSeenMs(collect::Collector* collector, const eventstore::EventStore* events, const LogSource& s,
                        TimeMs now) {
  TimeUs last = 0;
  if (collector)
    for (const auto& x : collector->senders())
      if (x.sourceId == s.id) last = std::max(last, x.lastSeenUs);
  if (last == 0) last = lastStoredUs(events, s, now * 1000);
  return last / 1000;
}

void registerEventRoutes(Api& api) {
  // Feed the collector with the declared sources at start.
  if (api.collector()) {
    Status st = refreshCollector(api);
    if (!st.ok()) log::error("could not load the declared log sources: " + st.error().message);
  }

  // --- Events ------------------------------------------------------------------------------------

  api.add("GET", "/api/v1/events/search", "event.search", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needEvents(api));
    VIGIL_TRY(onlyQueryParams(c.req, {"q", "from", "to", "order", "offset", "limit"}));
    VIGIL_ASSIGN_OR_RETURN(Window w, readWindow(api, c.req));
    VIGIL_ASSIGN_OR_RETURN(int64_t offset, intParam(c.req, "offset", 0, 100000, 0));
    VIGIL_ASSIGN_OR_RETURN(int64_t limit, intParam(c.req, "limit", 1, 1000, 100));
    const std::string order = c.req.queryParam("order").value_or("desc");
    if (order != "desc" && order != "asc") return Error::validation("order", "must be desc or asc");
    VIGIL_ASSIGN_OR_RETURN(ReadScope rs, readScope(api, c.actor()));
    const auto start = std::chrono::steady_clock::now();
    eventstore::SearchRequest req{.scope = rs.scope,
                                  .query = readQuery(c.req),
                                  .fromUs = w.fromUs,
                                  .toUs = w.toUs,
                                  .newestFirst = order == "desc",
                                  .offset = static_cast<size_t>(offset),
                                  .limit = static_cast<size_t>(limit) + 1};
    VIGIL_ASSIGN_OR_RETURN(auto result, api.events()->search(req));
    const bool hasMore = result.events.size() > static_cast<size_t>(limit);
    if (hasMore) result.events.resize(static_cast<size_t>(limit));
    json::array events;
    for (const auto& e : result.events) events.push_back(eventJson(e, rs.orgNames));
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    return jsonResponse(200, json::object{{"events", std::move(events)},
                                          {"offset", offset},
                                          {"limit", limit},
                                          {"has_more", hasMore},
                                          {"took_ms", took}});
  });

  api.add(
      "GET", "/api/v1/events/histogram", "event.histogram", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
        VIGIL_TRY(needEvents(api));
        VIGIL_TRY(onlyQueryParams(c.req, {"q", "from", "to", "buckets"}));
        VIGIL_ASSIGN_OR_RETURN(Window w, readWindow(api, c.req));
        VIGIL_ASSIGN_OR_RETURN(int64_t buckets, intParam(c.req, "buckets", 1, 500, 60));
        VIGIL_ASSIGN_OR_RETURN(ReadScope rs, readScope(api, c.actor()));
        // Whole seconds per bucket, enough of them to cover the window.
        const TimeUs spanUs = w.toUs - w.fromUs;
        const TimeUs perBucket = (spanUs + buckets - 1) / buckets;
        const TimeUs bucketUs = std::max<TimeUs>(1'000'000, (perBucket + 999'999) / 1'000'000 * 1'000'000);
        VIGIL_ASSIGN_OR_RETURN(auto h, api.events()->histogram(rs.scope, readQuery(c.req), w.fromUs, w.toUs, bucketUs));
        json::array counts;
        for (uint64_t n : h.counts) counts.emplace_back(n);
        return jsonResponse(200, json::object{{"from", formatUs(w.fromUs)},
                                              {"to", formatUs(w.toUs)},
                                              {"bucket_seconds", bucketUs / 1'000'000},
                                              {"counts", std::move(counts)},
                                              {"total", h.total}});
      });

  api.add("GET", "/api/v1/events/top", "event.top", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needEvents(api));
    VIGIL_TRY(onlyQueryParams(c.req, {"q", "from", "to", "field", "n"}));
    VIGIL_ASSIGN_OR_RETURN(Window w, readWindow(api, c.req));
    VIGIL_ASSIGN_OR_RETURN(int64_t n, intParam(c.req, "n", 1, 100, 10));
    const std::string field = c.req.queryParam("field").value_or("host.name");
    if (field.empty() || field.size() > 100)
      return Error::validation("field", "must be a field name of 1 to 100 bytes");
    VIGIL_ASSIGN_OR_RETURN(ReadScope rs, readScope(api, c.actor()));
    VIGIL_ASSIGN_OR_RETURN(
        auto top, api.events()->topValues(rs.scope, readQuery(c.req), w.fromUs, w.toUs, field, static_cast<size_t>(n)));
    json::array values;
    for (const auto& [value, count] : top.values) values.push_back(json::object{{"value", value}, {"count", count}});
    return jsonResponse(200, json::object{{"field", field},
                                          {"values", std::move(values)},
                                          {"events_with_field", top.eventsWithField},
                                          {"events_matched", top.eventsMatched}});
  });

  api.add("GET", "/api/v1/events/export", "event.export", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needEvents(api));
    VIGIL_TRY(onlyQueryParams(c.req, {"q", "from", "to", "format", "limit"}));
    VIGIL_ASSIGN_OR_RETURN(Window w, readWindow(api, c.req));
    VIGIL_ASSIGN_OR_RETURN(int64_t limit, intParam(c.req, "limit", 1, 100000, 10000));
    const std::string format = c.req.queryParam("format").value_or("csv");
    if (format != "csv" && format != "ndjson") return Error::validation("format", "must be csv or ndjson");
    VIGIL_ASSIGN_OR_RETURN(ReadScope rs, readScope(api, c.actor()));
    VIGIL_ASSIGN_OR_RETURN(auto events,
                           exportEvents(*api.events(), rs.scope, readQuery(c.req), w, static_cast<size_t>(limit)));
    std::string out;
    if (format == "csv") {
      out = "\xEF\xBB\xBF";  // BOM: spreadsheet programs then read the Vietnamese text as UTF-8
      out += "time,org_id,org,source_id,host.name,raw\r\n";
      for (const auto& e : events) {
        const auto* host = e.field("host.name");
        auto name = rs.orgNames.find(e.orgId);
        out += formatUs(e.timeUs) + "," + std::to_string(e.orgId) + "," +
               csvField(name == rs.orgNames.end() ? std::string() : name->second) + "," + std::to_string(e.sourceId) +
               "," + csvField(host ? host->text : std::string()) + "," + csvField(e.raw) + "\r\n";
      }
    } else {
      for (const auto& e : events) out += json::serialize(eventJson(e, rs.orgNames)) + "\n";
    }
    auto r = http::Response::text(200, std::move(out),
                                  format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
    r.setHeader("Content-Disposition",
                std::string("attachment; filename=\"vigil-events.") + (format == "csv" ? "csv" : "ndjson") + "\"");
    r.setHeader("Cache-Control", "no-store");
    return r;
  });

  // --- Saved searches ------------------------------------------------------------------------------

  api.add("GET", "/api/v1/saved-searches", "saved_search.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listSavedSearches(c.actor()));
            json::array items;
            for (const auto& s : list) items.push_back(savedJson(s));
            return jsonResponse(200, json::object{{"items", std::move(items)}});
          });

  api.add("POST", "/api/v1/saved-searches", "saved_search.create", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto name, body.requiredString("name", 100));
            VIGIL_ASSIGN_OR_RETURN(auto query, body.optionalString("query", 8192));
            VIGIL_ASSIGN_OR_RETURN(auto range, body.requiredString("range", 10));
            VIGIL_TRY(body.finish());
            const std::string q = query.value_or("");
            if (auto parsed = eventstore::parseQuery(q); !parsed.ok()) {
              Error e = parsed.error();
              e.field = "query";
              return e;
            }
            if (std::find(std::begin(kSavedSearchRanges), std::end(kSavedSearchRanges), range) ==
                std::end(kSavedSearchRanges))
              return Error::validation("range", "must be one of 15m, 1h, 24h, 7d, 30d");
            VIGIL_ASSIGN_OR_RETURN(auto saved, api.store().createSavedSearch(c.actor(), name, q, range));
            return jsonResponse(201, savedJson(saved));
          });

  api.add("DELETE", "/api/v1/saved-searches/{id}", "saved_search.delete", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().deleteSavedSearch(c.actor(), id));
            return http::Response::noContent();
          });

  // --- Sources -------------------------------------------------------------------------------------

  api.add("GET", "/api/v1/sources", "source.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needCollector(api));
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listSources(c.actor()));
    VIGIL_ASSIGN_OR_RETURN(Org root, api.store().rootOrg());
    const auto senders = api.collector()->senders();
    const TimeUs now = api.clock().nowMs() * 1000;
    json::array sources, undeclared;
    for (const auto& s : list) sources.push_back(sourceJson(s, senders, now, api.events()));
    if (allows(c.actor(), Permission::kReadEvents, root.path))
      for (const auto& x : senders)
        if (x.sourceId == 0) undeclared.push_back(senderJson(x));
    return jsonResponse(200, json::object{{"sources", std::move(sources)}, {"undeclared", std::move(undeclared)}});
  });

  api.add("POST", "/api/v1/sources", "source.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needCollector(api));
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    SourceFields f;
    VIGIL_ASSIGN_OR_RETURN(f.orgId, body.requiredInt("org_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(f.name, body.requiredString("name", 100));
    VIGIL_ASSIGN_OR_RETURN(auto addresses, body.optionalArray("addresses", kMaxAddresses));
    VIGIL_ASSIGN_OR_RETURN(auto tz, body.optionalInt("timezone_offset_minutes", -720, 840));
    VIGIL_ASSIGN_OR_RETURN(auto interval, body.optionalInt("expected_interval_minutes", 0, 10080));
    VIGIL_ASSIGN_OR_RETURN(auto enabled, body.optionalBool("enabled"));
    VIGIL_ASSIGN_OR_RETURN(auto withToken, body.optionalBool("with_token"));
    VIGIL_TRY(body.finish());
    if (addresses) {
      VIGIL_ASSIGN_OR_RETURN(f.addresses, readAddresses(**addresses));
    }
    if (tz) f.timezoneOffsetMinutes = static_cast<int>(*tz);
    if (interval) f.expectedIntervalMinutes = static_cast<int>(*interval);
    if (enabled) f.enabled = *enabled;
    std::string token;
    if (withToken.value_or(false)) token = newSourceToken();
    VIGIL_ASSIGN_OR_RETURN(auto created,
                           api.store().createSource(c.actor(), f, token.empty() ? "" : crypto::sha256Hex(token)));
    refreshAfterChange(api);
    json::object out = sourceJsonNow(api, created);
    if (!token.empty()) out["token"] = token;
    return jsonResponse(201, out);
  });

  api.add("PATCH", "/api/v1/sources/{id}", "source.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needCollector(api));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    SourcePatch p;
    VIGIL_ASSIGN_OR_RETURN(p.name, body.optionalString("name", 100, false));
    VIGIL_ASSIGN_OR_RETURN(auto addresses, body.optionalArray("addresses", kMaxAddresses));
    VIGIL_ASSIGN_OR_RETURN(auto tz, body.optionalInt("timezone_offset_minutes", -720, 840));
    VIGIL_ASSIGN_OR_RETURN(auto interval, body.optionalInt("expected_interval_minutes", 0, 10080));
    VIGIL_ASSIGN_OR_RETURN(p.enabled, body.optionalBool("enabled"));
    VIGIL_TRY(body.finish());
    if (addresses) {
      VIGIL_ASSIGN_OR_RETURN(p.addresses, readAddresses(**addresses));
    }
    if (tz) p.timezoneOffsetMinutes = static_cast<int>(*tz);
    if (interval) p.expectedIntervalMinutes = static_cast<int>(*interval);
    VIGIL_ASSIGN_OR_RETURN(auto updated, api.store().updateSource(c.actor(), id, p));
    refreshAfterChange(api);
    return jsonResponse(200, sourceJsonNow(api, updated));
  });

  api.add("POST", "/api/v1/sources/{id}/token", "source.token", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(needCollector(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req, true));
            VIGIL_TRY(body.finish());
            const std::string token = newSourceToken();
            VIGIL_TRY(api.store().setSourceToken(c.actor(), id, crypto::sha256Hex(token)));
            refreshAfterChange(api);
            return jsonResponse(200, json::object{{"token", token}});
          });

  api.add("DELETE", "/api/v1/sources/{id}", "source.delete", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(needCollector(api));
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(api.store().deleteSource(c.actor(), id));
    refreshAfterChange(api);
    return http::Response::noContent();
  });
}

}  // namespace vigil::api
