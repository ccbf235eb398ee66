// The alert queue (issue 4, "Alerts"): list with server-side filters, keyset paging and counts;
// one alert with its comments; manual and external entry; triage (state, assignment, false
// positive with suppression); comments; suppressions; and the live changes feed.
//
// Live updates: an event stream (Server-Sent Events, GET /api/v1/alerts/stream) that the queue
// page follows with EventSource; it holds no thread while nothing changes (http::EventStream) and
// ends after kStreamLifetime so that the browser reconnects (Last-Event-ID) and its session is
// checked again. For scripts, a long-poll (GET /api/v1/alerts/changes?since=<seq>&wait=<s>): a
// waiting request holds a worker, so the number of waiters is bounded by the AlertFeed; beyond it
// the answer comes at once with retry_after_seconds and the client polls again.
//
// Scoping and audit are the store's (AlertStore); every route here only reads and checks input.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>

#include "alerts/alert_feed.h"
#include "alerts/alert_sink.h"
#include "api/api.h"
#include "api/json_io.h"
#include "core/text.h"

namespace vigil::api {

namespace {

constexpr int kMaxPage = 200;
constexpr int kChangesPage = 200;
constexpr int kMaxWaitSeconds = 25;
constexpr int64_t kMaxSuppressDays = 366;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr auto kStreamLifetime = std::chrono::minutes(5);

json::value msOrNull(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

json::array tagsArray(const std::vector<std::string>& tags) {
  json::array out;
  for (const auto& t : tags) out.emplace_back(t);
  return out;
}

json::object alertJson(const Alert& a, bool full) {
  json::array obs;
  for (const auto& o : a.observables) obs.push_back(json::object{{"type", o.type}, {"value", o.value}});
  json::object out{{"id", a.id},
                   {"org_id", a.orgId},
                   {"org_name", a.orgName},
                   {"system_id", a.systemId ? json::value(*a.systemId) : json::value(nullptr)},
                   {"asset", a.asset},
                   {"detector", detectorName(a.detector)},
                   {"rule_id", a.ruleId},
                   {"rule_title", a.ruleTitle},
                   {"severity", severityName(a.severity)},
                   {"dedup_key", a.dedupKey},
                   {"title", a.title},
                   {"observables", std::move(obs)},
                   {"tags", tagsArray(a.tags)},
                   {"sender", a.sender},
                   {"first_seen", msOrNull(a.firstSeen)},
                   {"last_seen", msOrNull(a.lastSeen)},
                   {"count", a.count},
                   {"state", alertStateName(a.state)},
                   {"state_reason", a.stateReason},
                   {"assignee_id", a.assigneeId ? json::value(*a.assigneeId) : json::value(nullptr)},
                   {"assignee", a.assigneeName.empty() ? json::value(nullptr) : json::value(a.assigneeName)},
                   {"created_by", a.createdBy},
                   {"created_at", msOrNull(a.createdAt)},
                   {"updated_at", msOrNull(a.updatedAt)},
                   {"seq", a.seq}};
  if (full) {
    out["description"] = a.description;
    out["evidence"] = a.evidence;
    out["events_query"] = a.eventsQuery;
  }
  return out;
}

json::object commentJson(const AlertComment& c) {
  return {{"id", c.id},
          {"alert_id", c.alertId},
          {"user_id", c.userId ? json::value(*c.userId) : json::value(nullptr)},
          {"author", c.author},
          {"body", c.body},
          {"created_at", msOrNull(c.createdAt)}};
}

json::object suppressionJson(const Suppression& s, TimeMs now) {
  return {{"id", s.id},
          {"org_id", s.orgId},
          {"org_name", s.orgName},
          {"rule_id", s.ruleId},
          {"dedup_key", s.dedupKey},
          {"reason", s.reason},
          {"expires_at", msOrNull(s.expiresAt)},
          {"expired", s.expiresAt <= now},
          {"alert_id", s.alertId ? json::value(*s.alertId) : json::value(nullptr)},
          {"created_by", s.createdBy},
          {"created_at", msOrNull(s.createdAt)},
          {"hits", s.hits},
          {"last_hit_at", msOrNull(s.lastHitAt)}};
}

json::object countsJson(const AlertCounts& c) {
  json::object byState, bySeverity;
  for (int i = 0; i < 5; ++i) byState[alertStateName(static_cast<AlertState>(i))] = c.byState[i];
  for (int i = 0; i < 4; ++i) bySeverity[severityName(static_cast<AlertSeverity>(i))] = c.bySeverity[i];
  return {{"total", c.total}, {"by_state", std::move(byState)}, {"open_by_severity", std::move(bySeverity)}};
}

// "a,b,c" -> parsed values; the error names the parameter and the bad value.
template <typename T, typename Parse>
Result<std::vector<T>> listParam(const std::string& name, const std::string& value, Parse parse,
                                 const std::string& allowed) {
  std::vector<T> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    const std::string item(text::trim(std::string_view(value).substr(start, comma - start)));
    start = comma + 1;
    if (item.empty()) continue;
    auto v = parse(item);
    if (!v) return Error::validation(name, "'" + item + "' is not one of " + allowed);
    if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
  }
  return out;
}

Result<TimeMs> timeParam(const std::string& name, const std::string& value) {
  auto t = parseRfc3339(value);
  if (!t) return Error::validation(name, "must be an RFC 3339 time such as 2026-11-24T03:00:00Z");
  return *t;
}

Result<AlertQuery> readQuery(const Ctx& c) {
  const auto& req = c.req;
  VIGIL_TRY(onlyQueryParams(
      req, {"state", "severity", "org_id", "detector", "rule", "assignee", "q", "from", "to", "cursor", "limit"}));
  AlertQuery q;
  if (auto v = req.queryParam("state")) {
    if (*v == "open") {
      q.states = {AlertState::kNew, AlertState::kAcknowledged, AlertState::kInProgress};
    } else {
      VIGIL_ASSIGN_OR_RETURN(q.states, listParam<AlertState>("state", *v, parseAlertState,
                                                             "open, new, acknowledged, in_progress, false_positive, "
                                                             "closed"));
    }
  }
  if (auto v = req.queryParam("severity")) {
    VIGIL_ASSIGN_OR_RETURN(q.severities,
                           listParam<AlertSeverity>("severity", *v, parseSeverity, "low, medium, high, critical"));
  }
  if (auto v = req.queryParam("org_id")) {
    VIGIL_ASSIGN_OR_RETURN(q.orgId, queryInt("org_id", *v, 1, INT64_MAX));
  }
  if (auto v = req.queryParam("detector")) {
    q.detector = parseDetector(*v);
    if (!q.detector)
      return Error::validation("detector",
                               "must be one of sigma, web, source_silent, agent, manual, external, incident_deadline");
  }
  if (auto v = req.queryParam("rule")) {
    VIGIL_ASSIGN_OR_RETURN(q.ruleId, cleanText("rule", *v, 200, false));
  }
  if (auto v = req.queryParam("assignee")) {
    if (*v == "none") {
      q.assigneeId = 0;
    } else if (*v == "me") {
      if (!c.actor().userId) return Error::validation("assignee", "'me' needs a user; an API token is not one");
      q.assigneeId = *c.actor().userId;
    } else {
      VIGIL_ASSIGN_OR_RETURN(q.assigneeId, queryInt("assignee", *v, 1, INT64_MAX));
    }
  }
  if (auto v = req.queryParam("q")) {
    VIGIL_ASSIGN_OR_RETURN(q.text, cleanText("q", *v, 200, true));
  }
  if (auto v = req.queryParam("from")) {
    VIGIL_ASSIGN_OR_RETURN(q.from, timeParam("from", *v));
  }
  if (auto v = req.queryParam("to")) {
    VIGIL_ASSIGN_OR_RETURN(q.to, timeParam("to", *v));
  }
  if (q.from && q.to && *q.from >= *q.to) return Error::validation("from", "must be before 'to'");
  if (auto v = req.queryParam("cursor")) {
    // "<last_seen ms>.<id>", as given in next_cursor.
    const auto dot = v->find('.');
    auto bad = Error::validation("cursor", "must be the next_cursor of a previous page");
    if (dot == std::string::npos) return bad;
    auto t = queryInt("cursor", v->substr(0, dot), 0, INT64_MAX);
    auto id = queryInt("cursor", v->substr(dot + 1), 1, INT64_MAX);
    if (!t.ok() || !id.ok()) return bad;
    q.beforeLastSeen = *t;
    q.beforeId = *id;
  }
  if (auto v = req.queryParam("limit")) {
    VIGIL_ASSIGN_OR_RETURN(int64_t limit, queryInt("limit", *v, 1, kMaxPage));
    q.limit = static_cast<int>(limit);
  }
  return q;
}

Result<std::vector<Observable>> readObservables(const json::array& a) {
  std::vector<Observable> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string where = "observables[" + std::to_string(i) + "]";
    VIGIL_ASSIGN_OR_RETURN(const json::object* o, BodyReader::asObject(a[i], where));
    for (const auto& [k, v] : *o)
      if (k != "type" && k != "value") return Error::validation(where + "." + std::string(k), "is not a known field");
    const auto* type = o->if_contains("type");
    const auto* value = o->if_contains("value");
    if (!type || !type->is_string() || !isObservableType(type->as_string()))
      return Error::validation(where + ".type", "must be one of ip, domain, url, hash, email, file, user, host");
    if (!value || !value->is_string()) return Error::validation(where + ".value", "must be a string");
    VIGIL_ASSIGN_OR_RETURN(std::string text, cleanText(where + ".value", value->as_string(), 2000, false));
    out.push_back({std::string(type->as_string()), std::move(text)});
  }
  return out;
}

void notifyFeed(Api& api) {
  if (auto* f = api.alertFeed()) f->notify();
}

// The changes of one actor's scope as Server-Sent Events: each event is
//   id: <cursor>\nevent: alerts\ndata: {"items":[...],"cursor":<cursor>}\n\n
// with the alerts created or changed after the previous cursor (oldest first, at most
// kChangesPage per event; a full page asks to be polled again at once).
class AlertEventStream final : public http::EventStream {
 public:
  AlertEventStream(Api& api, Actor actor, int64_t since)
      : api_(api),
        actor_(std::move(actor)),
        since_(since),
        until_(std::chrono::steady_clock::now() + kStreamLifetime) {}
  ~AlertEventStream() override {
    if (subscription_) api_.alertFeed()->unsubscribe(subscription_);
  }

  // False when the feed already serves its maximum of streams.
  bool subscribe() {
    subscription_ = api_.alertFeed()->subscribe([this] { wakeUp(); });
    return subscription_ != 0;
  }

  void start(std::function<void()> wake) override {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
  }

  std::optional<std::string> poll() override {
    if (std::chrono::steady_clock::now() >= until_) return std::nullopt;
    std::string out;
    if (first_) {
      out = "retry: 3000\n\n";  // the browser reconnects after 3 s when the stream ends
      first_ = false;
    }
    auto changes = api_.store().alertChanges(actor_, since_, kChangesPage);
    if (!changes.ok()) return std::nullopt;  // e.g. the store is closing: the client reconnects
    if (changes->empty()) return out;
    json::array items;
    for (const auto& a : *changes) {
      items.push_back(alertJson(a, false));
      since_ = std::max(since_, a.seq);
    }
    out += "id: " + std::to_string(since_) +
           "\nevent: alerts\ndata: " + json::serialize(json::object{{"items", std::move(items)}, {"cursor", since_}}) +
           "\n\n";
    if (changes->size() == static_cast<size_t>(kChangesPage)) wakeUp();
    return out;
  }

 private:
  void wakeUp() {
    std::function<void()> wake;
    {
      std::lock_guard lock(mu_);
      wake = wake_;
    }
    if (wake) wake();
  }

  Api& api_;
  const Actor actor_;
  int64_t since_;  // only poll() touches it (one at a time)
  const std::chrono::steady_clock::time_point until_;
  bool first_ = true;
  uint64_t subscription_ = 0;
  std::mutex mu_;
  std::function<void()> wake_;  // GUARDED_BY(mu_)
};

}  // namespace

void registerAlertRoutes(Api& api) {
  api.add("GET", "/api/v1/alerts", "alert.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(AlertQuery q, readQuery(c));
    // Read before the page, so that following the changes from here misses nothing.
    VIGIL_ASSIGN_OR_RETURN(int64_t latest, api.store().latestAlertSeq());
    VIGIL_ASSIGN_OR_RETURN(AlertPage page, api.store().listAlerts(c.actor(), q));
    VIGIL_ASSIGN_OR_RETURN(AlertCounts counts, api.store().countAlerts(c.actor(), q.orgId));
    json::array items;
    for (const auto& a : page.items) items.push_back(alertJson(a, false));
    json::value next = nullptr;
    if (page.hasMore && !page.items.empty())
      next = std::to_string(page.items.back().lastSeen) + "." + std::to_string(page.items.back().id);
    return jsonResponse(200, json::object{{"items", std::move(items)},
                                          {"has_more", page.hasMore},
                                          {"next_cursor", std::move(next)},
                                          {"counts", countsJson(counts)},
                                          {"cursor", latest}});
  });

  // Registered before /alerts/{id}: the router takes the first pattern that matches.
  api.add("GET", "/api/v1/alerts/stream", "alert.stream", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"since"}));
    if (!api.alertFeed()) return Error::unavailable("live updates are not available on this server");
    // A reconnecting EventSource names the last event it received; that wins over `since`.
    int64_t since = 0;
    if (auto last = c.req.header("last-event-id"); !last.empty()) {
      VIGIL_ASSIGN_OR_RETURN(since, queryInt("Last-Event-ID", std::string(last), 0, INT64_MAX));
    } else if (auto v = c.req.queryParam("since")) {
      VIGIL_ASSIGN_OR_RETURN(since, queryInt("since", *v, 0, INT64_MAX));
    } else {
      VIGIL_ASSIGN_OR_RETURN(since, api.store().latestAlertSeq());
    }
    auto stream = std::make_shared<AlertEventStream>(api, c.actor(), since);
    if (!stream->subscribe()) {
      auto busy = errorResponse(Error::unavailable("too many live streams are open; retry shortly"));
      busy.setHeader("Retry-After", "5");
      return busy;
    }
    http::Response r;
    r.stream = std::move(stream);
    return r;
  });

  api.add("GET", "/api/v1/alerts/changes", "alert.changes", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {"since", "wait"}));
    int64_t waitSeconds = 0;
    if (auto v = c.req.queryParam("wait")) {
      VIGIL_ASSIGN_OR_RETURN(waitSeconds, queryInt("wait", *v, 0, kMaxWaitSeconds));
    }
    auto sinceText = c.req.queryParam("since");
    if (!sinceText) {
      VIGIL_ASSIGN_OR_RETURN(int64_t latest, api.store().latestAlertSeq());
      return jsonResponse(200, json::object{{"items", json::array{}}, {"cursor", latest}});
    }
    VIGIL_ASSIGN_OR_RETURN(int64_t since, queryInt("since", *sinceText, 0, INT64_MAX));
    alerts::AlertFeed* feed = api.alertFeed();
    bool busy = false;
    if (waitSeconds > 0 && feed && !feed->enterWait()) {
      busy = true;
      waitSeconds = 0;
    }
    struct Leave {
      alerts::AlertFeed* feed;
      ~Leave() {
        if (feed) feed->leaveWait();
      }
    } leave{waitSeconds > 0 ? feed : nullptr};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(waitSeconds);
    std::vector<Alert> changes;
    for (;;) {
      const uint64_t version = feed ? feed->version() : 0;
      VIGIL_ASSIGN_OR_RETURN(changes, api.store().alertChanges(c.actor(), since, kChangesPage));
      if (!changes.empty() || waitSeconds == 0 || !feed) break;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      // At most a second per slice: a change committed by another process is seen within it.
      feed->waitPast(version, std::min(left, std::chrono::milliseconds(1000)));
    }
    int64_t cursor = since;
    json::array items;
    for (const auto& a : changes) {
      items.push_back(alertJson(a, false));
      cursor = std::max(cursor, a.seq);
    }
    json::object out{{"items", std::move(items)}, {"cursor", cursor}};
    if (busy) out["retry_after_seconds"] = 2;
    return jsonResponse(200, out);
  });

  api.add("GET", "/api/v1/alerts/{id}", "alert.get", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    VIGIL_ASSIGN_OR_RETURN(Alert a, api.store().getAlert(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto comments, api.store().listAlertComments(c.actor(), id));
    json::object out = alertJson(a, true);
    json::array list;
    for (const auto& cm : comments) list.push_back(commentJson(cm));
    out["comments"] = std::move(list);
    // The incident it was promoted to or attached to (issue 4), when the caller can see it.
    VIGIL_ASSIGN_OR_RETURN(auto incidentId, api.store().incidentOfAlert(c.actor(), id));
    out["incident_id"] = incidentId ? json::value(*incidentId) : json::value(nullptr);
    return jsonResponse(200, out);
  });

  api.add("POST", "/api/v1/alerts", "alert.create", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    AlertDraft d;
    VIGIL_ASSIGN_OR_RETURN(d.orgId, body.requiredInt("org_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(d.title, body.requiredString("title", 300));
    VIGIL_ASSIGN_OR_RETURN(auto severity, body.requiredString("severity", 20));
    VIGIL_ASSIGN_OR_RETURN(auto detector, body.optionalString("detector", 20));
    VIGIL_ASSIGN_OR_RETURN(auto sender, body.optionalString("sender", 200));
    VIGIL_ASSIGN_OR_RETURN(auto description, body.optionalText("description", 20000));
    VIGIL_ASSIGN_OR_RETURN(auto asset, body.optionalString("asset", 200));
    VIGIL_ASSIGN_OR_RETURN(auto systemId, body.optionalInt("system_id", 1, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(auto observables, body.optionalArray("observables", 100));
    VIGIL_ASSIGN_OR_RETURN(auto evidence, body.optionalText("evidence", 65536));
    VIGIL_ASSIGN_OR_RETURN(auto seenAt, body.optionalString("seen_at", 40));
    VIGIL_TRY(body.finish());
    auto sev = parseSeverity(severity);
    if (!sev) return Error::validation("severity", "must be one of low, medium, high, critical");
    d.severity = *sev;
    d.detector = DetectorKind::kManual;
    if (detector) {
      auto k = parseDetector(*detector);
      if (!k || (*k != DetectorKind::kManual && *k != DetectorKind::kExternal))
        return Error::validation("detector", "an officer enters manual alerts or external notifications (external)");
      d.detector = *k;
    }
    d.sender = sender.value_or("");
    if (d.detector == DetectorKind::kExternal && d.sender.empty())
      return Error::validation("sender", "say who sent the notification (e.g. NCSC, Công an tỉnh)");
    d.ruleId = d.detector == DetectorKind::kExternal ? "external" : "manual";
    d.description = description.value_or("");
    d.asset = asset.value_or("");
    if (observables) {
      VIGIL_ASSIGN_OR_RETURN(d.observables, readObservables(**observables));
    }
    d.evidence = evidence.value_or("");
    if (seenAt) {
      VIGIL_ASSIGN_OR_RETURN(d.seenAt, timeParam("seen_at", *seenAt));
      if (d.seenAt > api.clock().nowMs() + 5 * 60 * 1000)
        return Error::validation("seen_at", "must not be in the future");
    }
    if (systemId) {
      VIGIL_ASSIGN_OR_RETURN(InfoSystem sys, api.store().getSystem(c.actor(), *systemId));
      if (sys.orgId != d.orgId)
        return Error::validation("system_id", "the information system belongs to another organisation");
      d.systemId = *systemId;
    }
    VIGIL_TRY(alerts::validateDraft(d));
    VIGIL_ASSIGN_OR_RETURN(Alert a, api.store().createAlert(c.actor(), d));
    notifyFeed(api);
    json::object out = alertJson(a, true);
    out["comments"] = json::array{};
    return jsonResponse(201, out);
  });

  api.add("PATCH", "/api/v1/alerts/{id}", "alert.update", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto state, body.optionalString("state", 30));
    VIGIL_ASSIGN_OR_RETURN(auto reason, body.optionalString("reason", 1000));
    VIGIL_ASSIGN_OR_RETURN(auto assignee, body.optionalInt("assignee_id", 0, INT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(auto suppressDays, body.optionalInt("suppress_days", 1, kMaxSuppressDays));
    VIGIL_TRY(body.finish());
    AlertPatch p;
    if (state) {
      p.state = parseAlertState(*state);
      if (!p.state)
        return Error::validation("state", "must be one of new, acknowledged, in_progress, false_positive, closed");
    }
    p.reason = reason.value_or("");
    if (assignee) p.assignee = *assignee == 0 ? std::optional<int64_t>() : std::optional<int64_t>(*assignee);
    if (suppressDays && p.state != AlertState::kFalsePositive)
      return Error::validation("suppress_days", "a suppression is created only with state false_positive");
    if (suppressDays) p.suppressUntil = api.clock().nowMs() + *suppressDays * kDayMs;
    VIGIL_ASSIGN_OR_RETURN(Alert a, api.store().updateAlert(c.actor(), id, p));
    notifyFeed(api);
    VIGIL_ASSIGN_OR_RETURN(auto comments, api.store().listAlertComments(c.actor(), id));
    json::object out = alertJson(a, true);
    json::array list;
    for (const auto& cm : comments) list.push_back(commentJson(cm));
    out["comments"] = std::move(list);
    return jsonResponse(200, out);
  });

  api.add("POST", "/api/v1/alerts/{id}/comments", "alert.comment", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto text, body.optionalText("body", 10000));
            VIGIL_TRY(body.finish());
            const std::string clean(text::trim(text.value_or("")));
            if (clean.empty()) return Error::validation("body", "is required and must not be empty");
            if (!text::isValidUtf8(clean)) return Error::validation("body", "must be valid UTF-8 text");
            VIGIL_ASSIGN_OR_RETURN(AlertComment cm, api.store().addAlertComment(c.actor(), id, clean));
            notifyFeed(api);
            return jsonResponse(201, commentJson(cm));
          });

  api.add("GET", "/api/v1/alert-suppressions", "alert_suppression.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {"include_expired"}));
            bool includeExpired = false;
            if (auto v = c.req.queryParam("include_expired")) {
              if (*v != "true" && *v != "false") return Error::validation("include_expired", "must be true or false");
              includeExpired = *v == "true";
            }
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listSuppressions(c.actor(), includeExpired));
            const TimeMs now = api.clock().nowMs();
            json::array items;
            for (const auto& s : list) items.push_back(suppressionJson(s, now));
            return jsonResponse(200, json::object{{"items", std::move(items)}});
          });

  api.add("POST", "/api/v1/alert-suppressions", "alert_suppression.create", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            SuppressionFields f;
            VIGIL_ASSIGN_OR_RETURN(f.orgId, body.requiredInt("org_id", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(f.ruleId, body.requiredString("rule_id", 200));
            VIGIL_ASSIGN_OR_RETURN(auto key, body.optionalString("dedup_key", 500));
            VIGIL_ASSIGN_OR_RETURN(f.reason, body.requiredString("reason", 1000));
            VIGIL_ASSIGN_OR_RETURN(auto expires, body.requiredString("expires_at", 40));
            VIGIL_TRY(body.finish());
            if (f.ruleId.empty()) return Error::validation("rule_id", "must not be empty");
            if (f.reason.empty()) return Error::validation("reason", "say why these alerts are suppressed");
            f.dedupKey = key.value_or("");
            VIGIL_ASSIGN_OR_RETURN(f.expiresAt, timeParam("expires_at", expires));
            const TimeMs now = api.clock().nowMs();
            if (f.expiresAt <= now) return Error::validation("expires_at", "must be in the future");
            if (f.expiresAt > now + kMaxSuppressDays * kDayMs)
              return Error::validation("expires_at", "must be within " + std::to_string(kMaxSuppressDays) +
                                                         " days; a suppression always expires");
            VIGIL_ASSIGN_OR_RETURN(Suppression s, api.store().createSuppression(c.actor(), f));
            return jsonResponse(201, suppressionJson(s, now));
          });

  api.add("DELETE", "/api/v1/alert-suppressions/{id}", "alert_suppression.delete", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().deleteSuppression(c.actor(), id));
            return http::Response::noContent();
          });
}

}  // namespace vigil::api
