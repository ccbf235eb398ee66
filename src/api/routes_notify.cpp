// Notifications (issue 4): channels (e-mail, webhook, Telegram) with a "send test" action,
// subscriptions, and the delivery log. Scoping, validation of kinds against channels and audit are
// the store's (NotifyStore); the routes read and check input, seal secrets through the
// dispatcher, and never return a secret: a channel says only whether it has one.
#include <algorithm>

#include "api/api.h"
#include "api/json_io.h"
#include "notify/dispatcher.h"
#include "store/notify_checks.h"

namespace vigil::api {

namespace {

json::value msOrNull(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

json::object channelJson(const NotifyChannel& c) {
  return {{"id", c.id},
          {"org_id", c.orgId},
          {"org_name", c.orgName},
          {"name", c.name},
          {"kind", channelKindName(c.kind)},
          {"target", c.target},
          {"email_from", c.emailFrom},
          {"username", c.username},
          {"has_secret", c.hasSecret},
          {"enabled", c.enabled},
          {"created_at", msOrNull(c.createdAt)},
          {"updated_at", msOrNull(c.updatedAt)}};
}

json::array stringArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object subscriptionJson(const Subscription& s) {
  return {{"id", s.id},
          {"org_id", s.orgId},
          {"org_name", s.orgName},
          {"channel_id", s.channelId},
          {"channel_name", s.channelName},
          {"channel_kind", channelKindName(s.channelKind)},
          {"kind", noticeKindName(s.kind)},
          {"min_severity", severityName(s.minSeverity)},
          {"role", s.role ? json::value(roleName(*s.role)) : json::value(nullptr)},
          {"recipients", stringArray(s.recipients)},
          {"enabled", s.enabled},
          {"created_at", msOrNull(s.createdAt)},
          {"updated_at", msOrNull(s.updatedAt)}};
}

json::object deliveryJson(const Delivery& d) {
  return {{"id", d.id},
          {"notice_id", d.noticeId},
          {"org_id", d.orgId},
          {"org_name", d.orgName},
          {"kind", noticeKindName(d.kind)},
          {"severity", severityName(d.severity)},
          {"subject", d.subject},
          {"channel_id", d.channelId ? json::value(*d.channelId) : json::value(nullptr)},
          {"channel_name", d.channelName},
          {"channel_kind", channelKindName(d.channelKind)},
          {"recipient", d.recipient},
          {"status", deliveryStatusName(d.status)},
          {"attempts", d.attempts},
          {"next_attempt_at", d.status == DeliveryStatus::kPending ? msOrNull(d.nextAttemptAt) : json::value(nullptr)},
          {"last_error", d.lastError},
          {"created_at", msOrNull(d.createdAt)},
          {"updated_at", msOrNull(d.updatedAt)},
          {"sent_at", msOrNull(d.sentAt)}};
}

Result<notify::Dispatcher*> dispatcher(Api& api) {
  if (!api.notifier()) return Error::unavailable("notifications are not running on this server");
  return api.notifier();
}

// A secret as sent: one line, at most 4096 bytes. What it must look like depends on the kind.
Status checkSecret(ChannelKind kind, const std::string& s) {
  if (s.find_first_of("\r\n\t") != std::string::npos) return Error::validation("secret", "must be one line");
  if (kind == ChannelKind::kWebhook && s.size() < 16)
    return Error::validation("secret", "a webhook signing key has at least 16 characters");
  if (kind == ChannelKind::kTelegram) {
    // A bot token "<digits>:<letters, digits, _ and ->" goes into the API's URL path.
    const auto colon = s.find(':');
    const bool ok =
        colon != std::string::npos && colon > 0 && colon + 1 < s.size() &&
        std::all_of(s.begin(), s.begin() + static_cast<long>(colon), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
        std::all_of(s.begin() + static_cast<long>(colon) + 1, s.end(),
                    [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'; });
    if (!ok) return Error::validation("secret", "a Telegram bot token looks like 123456789:AAE-abc_def");
  }
  return {};
}

Result<std::vector<std::string>> readRecipients(const json::array& a) {
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string where = "recipients[" + std::to_string(i) + "]";
    if (!a[i].is_string()) return Error::validation(where, "must be a string");
    VIGIL_ASSIGN_OR_RETURN(auto v, cleanText(where, a[i].as_string(), 254, false));
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  return out;
}

// "role": absent (outer nullopt), "" (no role) or a role name.
Result<std::optional<std::optional<Role>>> readRole(BodyReader& body) {
  using Out = std::optional<std::optional<Role>>;
  VIGIL_ASSIGN_OR_RETURN(auto text, body.optionalString("role", 20));
  if (!text) return Out();
  if (text->empty()) return Out(std::optional<Role>());
  auto role = parseRole(*text);
  if (!role)
    return Error::validation("role", "must be one of administrator, soc_analyst, unit_officer, leader, auditor");
  return Out(role);
}

Result<AlertSeverity> readSeverity(const std::string& text) {
  auto s = parseSeverity(text);
  if (!s) return Error::validation("min_severity", "must be one of low, medium, high, critical");
  return *s;
}

}  // namespace

void registerNotifyRoutes(Api& api) {
  // --- Channels
  api.add("GET", "/api/v1/notify/channels", "notify_channel.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listChannels(c.actor()));
            json::array items;
            for (const auto& ch : list) items.push_back(channelJson(ch));
            return jsonResponse(200, json::object{{"items", std::move(items)}});
          });

  api.add("GET", "/api/v1/notify/channels/{id}", "notify_channel.get", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto ch, api.store().getChannel(c.actor(), id));
            return jsonResponse(200, channelJson(ch));
          });

  api.add("POST", "/api/v1/notify/channels", "notify_channel.create", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(notify::Dispatcher * d, dispatcher(api));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            ChannelFields f;
            VIGIL_ASSIGN_OR_RETURN(f.orgId, body.requiredInt("org_id", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(f.name, body.requiredString("name", 100));
            VIGIL_ASSIGN_OR_RETURN(auto kind, body.requiredString("kind", 20));
            VIGIL_ASSIGN_OR_RETURN(auto target, body.optionalString("target", 2000));
            VIGIL_ASSIGN_OR_RETURN(auto from, body.optionalString("email_from", 254));
            VIGIL_ASSIGN_OR_RETURN(auto user, body.optionalString("username", 200));
            VIGIL_ASSIGN_OR_RETURN(auto secret, body.optionalText("secret", 4096));
            VIGIL_ASSIGN_OR_RETURN(auto enabled, body.optionalBool("enabled"));
            VIGIL_TRY(body.finish());
            auto k = parseChannelKind(kind);
            if (!k) return Error::validation("kind", "must be one of email, webhook, telegram");
            f.kind = *k;
            f.target = target.value_or("");
            f.emailFrom = from.value_or("");
            f.username = user.value_or("");
            f.enabled = enabled.value_or(true);
            const std::string plain = secret.value_or("");
            if (plain.empty() && (f.kind != ChannelKind::kEmail || !f.username.empty()))
              return Error::validation("secret", f.kind == ChannelKind::kEmail     ? "the SMTP login needs a password"
                                                 : f.kind == ChannelKind::kWebhook ? "a webhook needs a signing key"
                                                                                   : "a Telegram channel needs the "
                                                                                     "bot token");
            if (!plain.empty()) VIGIL_TRY(checkSecret(f.kind, plain));
            VIGIL_ASSIGN_OR_RETURN(auto ch,
                                   api.store().createChannel(c.actor(), f, plain.empty() ? "" : d->sealSecret(plain)));
            return jsonResponse(201, channelJson(ch));
          });

  api.add("PATCH", "/api/v1/notify/channels/{id}", "notify_channel.update", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(notify::Dispatcher * d, dispatcher(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            ChannelPatch p;
            VIGIL_ASSIGN_OR_RETURN(auto name, body.optionalString("name", 100, false));
            VIGIL_ASSIGN_OR_RETURN(p.target, body.optionalString("target", 2000));
            VIGIL_ASSIGN_OR_RETURN(p.emailFrom, body.optionalString("email_from", 254));
            VIGIL_ASSIGN_OR_RETURN(p.username, body.optionalString("username", 200));
            VIGIL_ASSIGN_OR_RETURN(auto secret, body.optionalText("secret", 4096));
            VIGIL_ASSIGN_OR_RETURN(p.enabled, body.optionalBool("enabled"));
            VIGIL_TRY(body.finish());
            p.name = name;
            if (secret) {
              VIGIL_ASSIGN_OR_RETURN(auto cur, api.store().getChannel(c.actor(), id));
              if (!secret->empty()) VIGIL_TRY(checkSecret(cur.kind, *secret));
              p.sealedSecret = secret->empty() ? std::string() : d->sealSecret(*secret);
            }
            VIGIL_ASSIGN_OR_RETURN(auto ch, api.store().updateChannel(c.actor(), id, p));
            return jsonResponse(200, channelJson(ch));
          });

  api.add("DELETE", "/api/v1/notify/channels/{id}", "notify_channel.delete", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().deleteChannel(c.actor(), id));
            return http::Response::noContent();
          });

  // Sends one test message now (not queued, not retried) and answers what happened; the attempt
  // is audited with its outcome.
  api.add("POST", "/api/v1/notify/channels/{id}/test", "notify_channel.test", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(notify::Dispatcher * d, dispatcher(api));
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req, true));
            VIGIL_ASSIGN_OR_RETURN(auto recipient, body.optionalString("recipient", 254));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto ch, api.store().channelForTest(c.actor(), id));
            const std::string to = recipient.value_or("");
            if (ch.channel.kind != ChannelKind::kWebhook && to.empty())
              return Error::validation("recipient", ch.channel.kind == ChannelKind::kEmail
                                                        ? "name the e-mail address to send the test to"
                                                        : "name the Telegram chat id to send the test to");
            if (ch.channel.kind == ChannelKind::kWebhook && !to.empty())
              return Error::validation("recipient", "a webhook has no recipient");
            if (ch.channel.kind == ChannelKind::kEmail && !to.empty() && !isEmailAddress(to))
              return Error::validation("recipient", "'" + to + "' is not an e-mail address");
            if (ch.channel.kind == ChannelKind::kTelegram && !to.empty() && !isTelegramChat(to))
              return Error::validation("recipient",
                                       "'" + to + "' is not a Telegram chat id (a number, or @channelname)");
            const Status sent = d->sendTest(ch, to);
            AuditEntry a{.action = "notify_channel.test",
                         .objectType = "notify_channel",
                         .objectId = std::to_string(id),
                         .orgId = ch.channel.orgId,
                         .summary = json::serialize(json::object{{"name", ch.channel.name}, {"recipient", to}}),
                         .result = sent.ok() ? "success" : "failure: " + sent.error().message};
            VIGIL_TRY(api.store().appendAudit(c.actor(), a));
            return jsonResponse(
                200, json::object{{"delivered", sent.ok()},
                                  {"error", sent.ok() ? json::value(nullptr) : json::value(sent.error().message)}});
          });

  // --- Subscriptions
  api.add("GET", "/api/v1/notify/subscriptions", "notify_subscription.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listSubscriptions(c.actor()));
            json::array items;
            for (const auto& s : list) items.push_back(subscriptionJson(s));
            return jsonResponse(200, json::object{{"items", std::move(items)}});
          });

  api.add("GET", "/api/v1/notify/subscriptions/{id}", "notify_subscription.get", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto s, api.store().getSubscription(c.actor(), id));
            return jsonResponse(200, subscriptionJson(s));
          });

  api.add("POST", "/api/v1/notify/subscriptions", "notify_subscription.create", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            SubscriptionFields f;
            VIGIL_ASSIGN_OR_RETURN(f.orgId, body.requiredInt("org_id", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(f.channelId, body.requiredInt("channel_id", 1, INT64_MAX));
            VIGIL_ASSIGN_OR_RETURN(auto kind, body.requiredString("kind", 40));
            VIGIL_ASSIGN_OR_RETURN(auto sev, body.optionalString("min_severity", 20));
            VIGIL_ASSIGN_OR_RETURN(auto role, readRole(body));
            VIGIL_ASSIGN_OR_RETURN(auto recipients, body.optionalArray("recipients", 100));
            VIGIL_ASSIGN_OR_RETURN(auto enabled, body.optionalBool("enabled"));
            VIGIL_TRY(body.finish());
            auto k = parseNoticeKind(kind);
            if (!k)
              return Error::validation("kind",
                                       "must be one of alert_new, deadline_warning, deadline_breach, incident_created");
            f.kind = *k;
            if (sev) {
              VIGIL_ASSIGN_OR_RETURN(f.minSeverity, readSeverity(*sev));
            }
            if (recipients) {
              VIGIL_ASSIGN_OR_RETURN(f.recipients, readRecipients(**recipients));
            }
            f.enabled = enabled.value_or(true);
            f.role = role.value_or(std::nullopt);
            VIGIL_ASSIGN_OR_RETURN(auto s, api.store().createSubscription(c.actor(), f));
            return jsonResponse(201, subscriptionJson(s));
          });

  api.add("PATCH", "/api/v1/notify/subscriptions/{id}", "notify_subscription.update", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            SubscriptionPatch p;
            VIGIL_ASSIGN_OR_RETURN(auto sev, body.optionalString("min_severity", 20));
            VIGIL_ASSIGN_OR_RETURN(p.role, readRole(body));
            VIGIL_ASSIGN_OR_RETURN(auto recipients, body.optionalArray("recipients", 100));
            VIGIL_ASSIGN_OR_RETURN(p.enabled, body.optionalBool("enabled"));
            VIGIL_TRY(body.finish());
            if (sev) {
              VIGIL_ASSIGN_OR_RETURN(p.minSeverity, readSeverity(*sev));
            }
            if (recipients) {
              VIGIL_ASSIGN_OR_RETURN(p.recipients, readRecipients(**recipients));
            }
            VIGIL_ASSIGN_OR_RETURN(auto s, api.store().updateSubscription(c.actor(), id, p));
            return jsonResponse(200, subscriptionJson(s));
          });

  api.add("DELETE", "/api/v1/notify/subscriptions/{id}", "notify_subscription.delete", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().deleteSubscription(c.actor(), id));
            return http::Response::noContent();
          });

  // --- Delivery log
  api.add("GET", "/api/v1/notify/deliveries", "notify_delivery.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {"status", "channel_id", "before", "limit"}));
            DeliveryQuery q;
            if (auto v = c.req.queryParam("status")) {
              q.status = parseDeliveryStatus(*v);
              if (!q.status) return Error::validation("status", "must be one of pending, sent, failed");
            }
            if (auto v = c.req.queryParam("channel_id")) {
              VIGIL_ASSIGN_OR_RETURN(q.channelId, queryInt("channel_id", *v, 1, INT64_MAX));
            }
            if (auto v = c.req.queryParam("before")) {
              VIGIL_ASSIGN_OR_RETURN(q.beforeId, queryInt("before", *v, 1, INT64_MAX));
            }
            if (auto v = c.req.queryParam("limit")) {
              VIGIL_ASSIGN_OR_RETURN(int64_t limit, queryInt("limit", *v, 1, 200));
              q.limit = static_cast<int>(limit);
            }
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listDeliveries(c.actor(), q));
            json::array items;
            for (const auto& d : list) items.push_back(deliveryJson(d));
            json::object out{{"items", std::move(items)}};
            // The next page: deliveries older than the last one shown.
            out["next_before"] =
                list.size() == static_cast<size_t>(q.limit) ? json::value(list.back().id) : json::value(nullptr);
            return jsonResponse(200, out);
          });
}

}  // namespace vigil::api
