// SqliteStore: notifications (notify_store.h), migration 8. Channels and subscriptions are reached
// through their organisation, whose path decides access: kReadNotifications to see them (otherwise
// kNotFound, as if missing), kManageNotifications to change them. Each change and its audit entry
// are written in one transaction; a channel's sealed secret never reaches the audit log or a
// reader's answer. Deliveries are the dispatcher's outbox: system-level methods queue, hand out
// and record them, unaudited (the delivery log itself is the record).
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/text.h"
#include "store/notify_checks.h"
#include "store/notify_store.h"
#include "store/sqlite/json_columns.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr const char* kChannelColumns =
    "c.id,c.org_id,o.name,o.path,c.name,c.kind,c.target,c.email_from,c.username,c.secret_sealed IS NOT NULL,"
    "c.enabled,c.created_at,c.updated_at,c.secret_sealed";
constexpr const char* kChannelFrom = " FROM notify_channels c JOIN orgs o ON o.id = c.org_id";

constexpr const char* kSubscriptionColumns =
    "s.id,s.org_id,o.name,s.channel_id,c.name,c.kind,s.kind,s.min_severity,s.role,s.recipients,s.enabled,"
    "s.created_at,s.updated_at,o.path";
constexpr const char* kSubscriptionFrom =
    " FROM notify_subscriptions s JOIN orgs o ON o.id = s.org_id JOIN notify_channels c ON c.id = s.channel_id";

constexpr const char* kDeliveryColumns =
    "d.id,d.notice_id,n.org_id,o.name,n.kind,n.severity,n.subject,d.channel_id,d.channel_name,d.channel_kind,"
    "d.recipient,d.status,d.attempts,d.next_attempt_at,d.last_error,d.created_at,d.updated_at,d.sent_at,n.body,"
    "n.link";
constexpr const char* kDeliveryFrom =
    " FROM notify_deliveries d JOIN notify_notices n ON n.id = d.notice_id JOIN orgs o ON o.id = n.org_id";

AlertSeverity severityOf(int64_t v) { return static_cast<AlertSeverity>(std::clamp<int64_t>(v, 0, 3)); }

NotifyChannel readChannel(const Stmt& st) {
  NotifyChannel c;
  c.id = st.int64(0);
  c.orgId = st.int64(1);
  c.orgName = st.text(2);
  c.orgPath = st.text(3);
  c.name = st.text(4);
  c.kind = parseChannelKind(st.text(5)).value_or(ChannelKind::kEmail);
  c.target = st.text(6);
  c.emailFrom = st.text(7);
  c.username = st.text(8);
  c.hasSecret = st.int64(9) != 0;
  c.enabled = st.int64(10) != 0;
  c.createdAt = st.int64(11);
  c.updatedAt = st.int64(12);
  return c;
}

Subscription readSubscription(const Stmt& st) {
  Subscription s;
  s.id = st.int64(0);
  s.orgId = st.int64(1);
  s.orgName = st.text(2);
  s.channelId = st.int64(3);
  s.channelName = st.text(4);
  s.channelKind = parseChannelKind(st.text(5)).value_or(ChannelKind::kEmail);
  s.kind = parseNoticeKind(st.text(6)).value_or(NoticeKind::kAlertNew);
  s.minSeverity = severityOf(st.int64(7));
  if (!st.isNull(8)) s.role = parseRole(st.text(8));
  s.recipients = fromJsonArray(st.text(9));
  s.enabled = st.int64(10) != 0;
  s.createdAt = st.int64(11);
  s.updatedAt = st.int64(12);
  return s;
}

Delivery readDelivery(const Stmt& st) {
  Delivery d;
  d.id = st.int64(0);
  d.noticeId = st.int64(1);
  d.orgId = st.int64(2);
  d.orgName = st.text(3);
  d.kind = parseNoticeKind(st.text(4)).value_or(NoticeKind::kAlertNew);
  d.severity = severityOf(st.int64(5));
  d.subject = st.text(6);
  d.channelId = st.optInt64(7);
  d.channelName = st.text(8);
  d.channelKind = parseChannelKind(st.text(9)).value_or(ChannelKind::kEmail);
  d.recipient = st.text(10);
  d.status = static_cast<DeliveryStatus>(std::clamp<int64_t>(st.int64(11), 0, 2));
  d.attempts = static_cast<int>(st.int64(12));
  d.nextAttemptAt = st.int64(13);
  d.lastError = st.text(14);
  d.createdAt = st.int64(15);
  d.updatedAt = st.int64(16);
  d.sentAt = st.optInt64(17).value_or(0);
  return d;
}

// Access to an organisation's notification settings: kNotFound when the actor may not even read
// there, kForbidden when it reads but may not change.
Status checkAccess(const Actor& actor, Permission p, const std::string& path, const std::string& orgName,
                   Error notFound) {
  if (!allows(actor, Permission::kReadNotifications, path)) return notFound;
  if (p == Permission::kManageNotifications && !allows(actor, p, path))
    return Error::forbidden("you may not change the notification settings of '" + orgName + "'");
  return {};
}

std::string channelNotFound(int64_t id) { return "notification channel " + std::to_string(id) + " not found"; }
std::string subscriptionNotFound(int64_t id) { return "subscription " + std::to_string(id) + " not found"; }

Result<ChannelWithSecret> loadChannel(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare(std::string("SELECT ") + kChannelColumns + kChannelFrom + " WHERE c.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(channelNotFound(id));
  ChannelWithSecret c{readChannel(st), st.isNull(13) ? std::string() : st.blob(13)};
  VIGIL_TRY(checkAccess(actor, p, c.channel.orgPath, c.channel.orgName, Error::notFound(channelNotFound(id))));
  return c;
}

Result<Subscription> loadSubscription(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db.prepare(std::string("SELECT ") + kSubscriptionColumns + kSubscriptionFrom + " WHERE s.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(subscriptionNotFound(id));
  Subscription s = readSubscription(st);
  VIGIL_TRY(checkAccess(actor, p, st.text(13), s.orgName, Error::notFound(subscriptionNotFound(id))));
  return s;
}

bool isLoopbackUrlHost(std::string_view rest) {
  for (std::string_view h : {"127.0.0.1", "localhost", "[::1]"})
    if (rest.substr(0, h.size()) == h && (rest.size() == h.size() || rest[h.size()] == ':' || rest[h.size()] == '/'))
      return true;
  return false;
}

// "scheme://host[:port][/path]" with a non-empty host and no spaces or control characters.
bool hasHost(std::string_view url, std::string_view scheme) {
  if (url.substr(0, scheme.size()) != scheme) return false;
  const std::string_view rest = url.substr(scheme.size());
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') return false;
  return std::none_of(url.begin(), url.end(), [](char ch) { return static_cast<unsigned char>(ch) <= ' '; });
}

// Checks a channel's kind-specific fields; the error names the field.
Status validateChannel(const ChannelFields& f) {
  switch (f.kind) {
    case ChannelKind::kEmail:
      if (!hasHost(f.target, "smtp://") && !hasHost(f.target, "smtps://"))
        return Error::validation("target",
                                 "an e-mail channel needs 'smtp://host:port' (STARTTLS is required) or "
                                 "'smtps://host:port', got '" +
                                     f.target + "'");
      if (!isEmailAddress(f.emailFrom))
        return Error::validation("email_from", "must be an e-mail address such as canhbao@tinh.gov.vn");
      break;
    case ChannelKind::kWebhook: {
      const bool https = hasHost(f.target, "https://");
      const bool loopbackHttp = hasHost(f.target, "http://") && isLoopbackUrlHost(f.target.substr(7));
      if (!https && !loopbackHttp)
        return Error::validation(
            "target", "a webhook needs an https:// URL (http:// only on this machine), got '" + f.target + "'");
      if (!f.emailFrom.empty() || !f.username.empty())
        return Error::validation("email_from", "only an e-mail channel has a From address and a login");
      break;
    }
    case ChannelKind::kTelegram:
      if (!f.target.empty())
        return Error::validation("target",
                                 "a Telegram channel has no target: the chats are the subscriptions' "
                                 "recipients");
      if (!f.emailFrom.empty() || !f.username.empty())
        return Error::validation("email_from", "only an e-mail channel has a From address and a login");
      break;
  }
  if (f.target.size() > 2000) return Error::validation("target", "is longer than 2000 bytes");
  if (f.username.size() > 200 || !text::isValidUtf8(f.username))
    return Error::validation("username", "must be valid UTF-8 of at most 200 bytes");
  return {};
}

Status validateRecipients(ChannelKind kind, const std::optional<Role>& role, const std::vector<std::string>& r) {
  if (r.size() > 100) return Error::validation("recipients", "has more than 100 items");
  if (role && kind != ChannelKind::kEmail)
    return Error::validation("role", "role recipients are resolved to users' e-mail addresses: use an e-mail channel");
  for (size_t i = 0; i < r.size(); ++i) {
    const std::string where = "recipients[" + std::to_string(i) + "]";
    switch (kind) {
      case ChannelKind::kEmail:
        if (!isEmailAddress(r[i])) return Error::validation(where, "'" + r[i] + "' is not an e-mail address");
        break;
      case ChannelKind::kTelegram:
        if (!isTelegramChat(r[i]))
          return Error::validation(where, "'" + r[i] + "' is not a Telegram chat id (a number, or @channelname)");
        break;
      case ChannelKind::kWebhook: return Error::validation("recipients", "a webhook channel has no recipients");
    }
  }
  if (kind == ChannelKind::kEmail && r.empty() && !role)
    return Error::validation("recipients", "name at least one e-mail address or a role");
  if (kind == ChannelKind::kTelegram && r.empty())
    return Error::validation("recipients", "name at least one Telegram chat id");
  return {};
}

json::object channelJson(const NotifyChannel& c) {
  return {{"org_id", c.orgId},
          {"name", c.name},
          {"kind", channelKindName(c.kind)},
          {"target", c.target},
          {"email_from", c.emailFrom},
          {"username", c.username},
          {"enabled", c.enabled}};
}

json::object subscriptionJson(const Subscription& s) {
  return {{"org_id", s.orgId},
          {"channel_id", s.channelId},
          {"kind", noticeKindName(s.kind)},
          {"min_severity", severityName(s.minSeverity)},
          {"role", s.role ? json::value(roleName(*s.role)) : json::value(nullptr)},
          {"recipients", stringArray(s.recipients)},
          {"enabled", s.enabled}};
}

json::object changes(const json::object& before, const json::object& after) {
  json::object out;
  for (const auto& [k, v] : after) {
    const json::value* old = before.if_contains(k);
    if (!old || *old != v) out[k] = json::object{{"from", old ? *old : json::value(nullptr)}, {"to", v}};
  }
  return out;
}

AuditEntry auditOf(std::string action, const char* type, int64_t id, int64_t orgId, const json::object& summary) {
  return {.action = std::move(action),
          .objectType = type,
          .objectId = std::to_string(id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

Status checkChannelNameFree(Db& db, int64_t orgId, const std::string& name, int64_t excludeId) {
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare("SELECT 1 FROM notify_channels WHERE org_id = ? AND name = ? AND id <> ?"));
  st.bind(1, orgId).bind(2, name).bind(3, excludeId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (row) return Error::conflict("the organisation already has a notification channel named '" + name + "'");
  return {};
}

template <typename T, typename Read>
Result<std::vector<T>> collect(Stmt& st, Read read) {
  std::vector<T> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(read(st));
  }
  return out;
}

}  // namespace

// --- Channels ------------------------------------------------------------------------------------

Result<std::vector<NotifyChannel>> SqliteStore::listChannels(const Actor& actor) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadNotifications), 1);
  return read([&](Db& db) -> Result<std::vector<NotifyChannel>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kChannelColumns + kChannelFrom + " WHERE " +
                                               scope.sql() + " ORDER BY o.path, c.name"));
    scope.bind(st);
    return collect<NotifyChannel>(st, readChannel);
  });
}

Result<NotifyChannel> SqliteStore::getChannel(const Actor& actor, int64_t id) {
  return read([&](Db& db) -> Result<NotifyChannel> {
    VIGIL_ASSIGN_OR_RETURN(auto c, loadChannel(db, actor, id, Permission::kReadNotifications));
    return c.channel;
  });
}

Result<NotifyChannel> SqliteStore::createChannel(const Actor& actor, const ChannelFields& f,
                                                 const std::string& sealedSecret) {
  VIGIL_TRY(validateChannel(f));
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
    VIGIL_TRY(checkAccess(actor, Permission::kManageNotifications, org.path, org.name,
                          Error::notFound("organisation " + std::to_string(f.orgId) + " not found")));
    if (org.archived) return Error::validation("org_id", "the organisation is archived");
    VIGIL_TRY(checkChannelNameFree(tx.db, f.orgId, f.name, 0));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO notify_channels(org_id,name,kind,target,email_from,"
                                                  "username,secret_sealed,enabled,created_at,updated_at) "
                                                  "VALUES(?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, f.orgId).bind(2, f.name).bind(3, channelKindName(f.kind)).bind(4, f.target).bind(5, f.emailFrom);
    st.bind(6, f.username);
    if (sealedSecret.empty()) {
      st.bindNull(7);
    } else {
      st.bindBlob(7, sealedSecret);
    }
    VIGIL_TRY(st.bind(8, f.enabled).bind(9, tx.now).bind(10, tx.now).run());
    id = tx.db.lastInsertId();
    NotifyChannel c{.orgId = f.orgId,
                    .name = f.name,
                    .kind = f.kind,
                    .target = f.target,
                    .emailFrom = f.emailFrom,
                    .username = f.username,
                    .enabled = f.enabled};
    json::object sum = channelJson(c);
    sum["with_secret"] = !sealedSecret.empty();
    return tx.audit(actor, auditOf("notify_channel.create", "notify_channel", id, f.orgId, sum));
  }));
  return getChannel(actor, id);
}

Result<NotifyChannel> SqliteStore::updateChannel(const Actor& actor, int64_t id, const ChannelPatch& p) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto cur, loadChannel(tx.db, actor, id, Permission::kManageNotifications));
    NotifyChannel next = cur.channel;
    if (p.name) next.name = *p.name;
    if (p.target) next.target = *p.target;
    if (p.emailFrom) next.emailFrom = *p.emailFrom;
    if (p.username) next.username = *p.username;
    if (p.enabled) next.enabled = *p.enabled;
    VIGIL_TRY(validateChannel({.orgId = next.orgId,
                               .name = next.name,
                               .kind = next.kind,
                               .target = next.target,
                               .emailFrom = next.emailFrom,
                               .username = next.username,
                               .enabled = next.enabled}));
    const json::object diff = changes(channelJson(cur.channel), channelJson(next));
    if (diff.empty() && !p.sealedSecret) return {};
    if (next.name != cur.channel.name) VIGIL_TRY(checkChannelNameFree(tx.db, next.orgId, next.name, id));
    const std::string secret = p.sealedSecret ? *p.sealedSecret : cur.sealedSecret;
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE notify_channels SET name=?,target=?,email_from=?,"
                                                  "username=?,secret_sealed=?,enabled=?,updated_at=? WHERE id=?"));
    st.bind(1, next.name).bind(2, next.target).bind(3, next.emailFrom).bind(4, next.username);
    if (secret.empty()) {
      st.bindNull(5);
    } else {
      st.bindBlob(5, secret);
    }
    VIGIL_TRY(st.bind(6, next.enabled).bind(7, tx.now).bind(8, id).run());
    json::object sum{{"name", next.name}, {"changes", diff}};
    if (p.sealedSecret) sum["secret"] = p.sealedSecret->empty() ? "removed" : "replaced";
    return tx.audit(actor, auditOf("notify_channel.update", "notify_channel", id, next.orgId, sum));
  }));
  return getChannel(actor, id);
}

Status SqliteStore::deleteChannel(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto cur, loadChannel(tx.db, actor, id, Permission::kManageNotifications));
    VIGIL_ASSIGN_OR_RETURN(auto used, tx.db.prepare("SELECT COUNT(*) FROM notify_subscriptions WHERE channel_id = ?"));
    used.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, used.step());
    if (row && used.int64(0) > 0)
      return Error::conflict("channel '" + cur.channel.name + "' is used by " + std::to_string(used.int64(0)) +
                             " subscription(s); delete or move them first");
    VIGIL_ASSIGN_OR_RETURN(auto fail, tx.db.prepare("UPDATE notify_deliveries SET status = 2, last_error = "
                                                    "'the channel was deleted', updated_at = ? "
                                                    "WHERE channel_id = ? AND status = 0"));
    VIGIL_TRY(fail.bind(1, tx.now).bind(2, id).run());
    VIGIL_ASSIGN_OR_RETURN(auto del, tx.db.prepare("DELETE FROM notify_channels WHERE id = ?"));
    VIGIL_TRY(del.bind(1, id).run());
    return tx.audit(
        actor, auditOf("notify_channel.delete", "notify_channel", id, cur.channel.orgId, channelJson(cur.channel)));
  });
}

Result<ChannelWithSecret> SqliteStore::channelForTest(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadChannel(db, actor, id, Permission::kManageNotifications); });
}

// --- Subscriptions -------------------------------------------------------------------------------

Result<std::vector<Subscription>> SqliteStore::listSubscriptions(const Actor& actor) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadNotifications), 1);
  return read([&](Db& db) -> Result<std::vector<Subscription>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSubscriptionColumns + kSubscriptionFrom +
                                               " WHERE " + scope.sql() + " ORDER BY o.path, s.id"));
    scope.bind(st);
    return collect<Subscription>(st, readSubscription);
  });
}

Result<Subscription> SqliteStore::getSubscription(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadSubscription(db, actor, id, Permission::kReadNotifications); });
}

Result<Subscription> SqliteStore::createSubscription(const Actor& actor, const SubscriptionFields& f) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
    VIGIL_TRY(checkAccess(actor, Permission::kManageNotifications, org.path, org.name,
                          Error::notFound("organisation " + std::to_string(f.orgId) + " not found")));
    if (org.archived) return Error::validation("org_id", "the organisation is archived");
    // The channel must lie on the organisation's path to the root and be one the actor may see
    // (an agency's administrator cannot route mail through the province's relay unless the
    // province shares it). A channel it may not see is answered like a missing one.
    const Error unusable = Error::validation("channel_id", "channel " + std::to_string(f.channelId) +
                                                               " is not a channel of this organisation or of one "
                                                               "above it that you may use");
    auto ch = loadChannel(tx.db, actor, f.channelId, Permission::kReadNotifications);
    if (!ch.ok()) return ch.error().code == ErrorCode::kNotFound ? unusable : ch.takeError();
    if (!inSubtree(org.path, ch->channel.orgPath)) return unusable;
    VIGIL_TRY(validateRecipients(ch->channel.kind, f.role, f.recipients));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO notify_subscriptions(org_id,channel_id,kind,"
                                                  "min_severity,role,recipients,enabled,created_at,updated_at) "
                                                  "VALUES(?,?,?,?,?,?,?,?,?)"));
    st.bind(1, f.orgId).bind(2, f.channelId).bind(3, noticeKindName(f.kind)).bind(4, static_cast<int>(f.minSeverity));
    if (f.role) {
      st.bind(5, roleName(*f.role));
    } else {
      st.bindNull(5);
    }
    st.bind(6, toJsonArray(f.recipients)).bind(7, f.enabled);
    VIGIL_TRY(st.bind(8, tx.now).bind(9, tx.now).run());
    id = tx.db.lastInsertId();
    Subscription s{.orgId = f.orgId,
                   .channelId = f.channelId,
                   .kind = f.kind,
                   .minSeverity = f.minSeverity,
                   .role = f.role,
                   .recipients = f.recipients,
                   .enabled = f.enabled};
    return tx.audit(actor,
                    auditOf("notify_subscription.create", "notify_subscription", id, f.orgId, subscriptionJson(s)));
  }));
  return getSubscription(actor, id);
}

Result<Subscription> SqliteStore::updateSubscription(const Actor& actor, int64_t id, const SubscriptionPatch& p) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Subscription cur, loadSubscription(tx.db, actor, id, Permission::kManageNotifications));
    Subscription next = cur;
    if (p.minSeverity) next.minSeverity = *p.minSeverity;
    if (p.role) next.role = *p.role;
    if (p.recipients) next.recipients = *p.recipients;
    if (p.enabled) next.enabled = *p.enabled;
    VIGIL_TRY(validateRecipients(next.channelKind, next.role, next.recipients));
    const json::object diff = changes(subscriptionJson(cur), subscriptionJson(next));
    if (diff.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE notify_subscriptions SET min_severity=?,role=?,recipients=?,"
                                                  "enabled=?,updated_at=? WHERE id=?"));
    st.bind(1, static_cast<int>(next.minSeverity));
    if (next.role) {
      st.bind(2, roleName(*next.role));
    } else {
      st.bindNull(2);
    }
    st.bind(3, toJsonArray(next.recipients)).bind(4, next.enabled);
    VIGIL_TRY(st.bind(5, tx.now).bind(6, id).run());
    return tx.audit(actor, auditOf("notify_subscription.update", "notify_subscription", id, cur.orgId,
                                   json::object{{"changes", diff}}));
  }));
  return getSubscription(actor, id);
}

Status SqliteStore::deleteSubscription(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Subscription cur, loadSubscription(tx.db, actor, id, Permission::kManageNotifications));
    VIGIL_ASSIGN_OR_RETURN(auto del, tx.db.prepare("DELETE FROM notify_subscriptions WHERE id = ?"));
    VIGIL_TRY(del.bind(1, id).run());
    return tx.audit(actor,
                    auditOf("notify_subscription.delete", "notify_subscription", id, cur.orgId, subscriptionJson(cur)));
  });
}

// --- Delivery log --------------------------------------------------------------------------------

Result<std::vector<Delivery>> SqliteStore::listDeliveries(const Actor& actor, const DeliveryQuery& q) {
  const auto prefixes = scopePrefixes(actor, Permission::kReadNotifications);
  const ScopeFilter scope("o.path", prefixes, 1);
  int next = 1 + 2 * static_cast<int>(prefixes.size());
  std::string sql = std::string("SELECT ") + kDeliveryColumns + kDeliveryFrom + " WHERE " + scope.sql();
  const int statusParam = q.status ? next++ : 0;
  const int channelParam = q.channelId ? next++ : 0;
  const int beforeParam = q.beforeId > 0 ? next++ : 0;
  const int limitParam = next++;
  if (statusParam) sql += " AND d.status = ?" + std::to_string(statusParam);
  if (channelParam) sql += " AND d.channel_id = ?" + std::to_string(channelParam);
  if (beforeParam) sql += " AND d.id < ?" + std::to_string(beforeParam);
  sql += " ORDER BY d.id DESC LIMIT ?" + std::to_string(limitParam);
  return read([&](Db& db) -> Result<std::vector<Delivery>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
    scope.bind(st);
    if (statusParam) st.bind(statusParam, static_cast<int>(*q.status));
    if (channelParam) st.bind(channelParam, *q.channelId);
    if (beforeParam) st.bind(beforeParam, q.beforeId);
    st.bind(limitParam, std::clamp(q.limit, 1, 500));
    return collect<Delivery>(st, readDelivery);
  });
}

Result<int64_t> SqliteStore::enqueueNotice(const Notice& n, TimeMs now) {
  int64_t queued = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    queued = 0;
    VIGIL_ASSIGN_OR_RETURN(auto org, tx.db.prepare("SELECT path FROM orgs WHERE id = ?"));
    org.bind(1, n.orgId);
    VIGIL_ASSIGN_OR_RETURN(bool found, org.step());
    if (!found) return Error::notFound("organisation " + std::to_string(n.orgId) + " not found");
    const std::string path = org.text(0);
    VIGIL_ASSIGN_OR_RETURN(auto ins, tx.db.prepare("INSERT INTO notify_notices(org_id,kind,severity,subject,body,link,"
                                                   "created_at) VALUES(?,?,?,?,?,?,?)"));
    ins.bind(1, n.orgId).bind(2, noticeKindName(n.kind)).bind(3, static_cast<int>(n.severity)).bind(4, n.subject);
    VIGIL_TRY(ins.bind(5, n.body).bind(6, n.link).bind(7, now).run());
    const int64_t noticeId = tx.db.lastInsertId();

    // Subscriptions on the notice's agency or an ancestor (their path is a prefix of its path).
    VIGIL_ASSIGN_OR_RETURN(auto subs, tx.db.prepare("SELECT s.role, s.recipients, c.id, c.name, c.kind "
                                                    "FROM notify_subscriptions s JOIN orgs so ON so.id = s.org_id "
                                                    "JOIN notify_channels c ON c.id = s.channel_id "
                                                    "WHERE s.kind = ? AND s.enabled = 1 AND c.enabled = 1 AND "
                                                    "s.min_severity <= ? AND substr(?, 1, length(so.path)) = so.path "
                                                    "ORDER BY s.id"));
    subs.bind(1, noticeKindName(n.kind)).bind(2, static_cast<int>(n.severity)).bind(3, path);
    struct Target {
      int64_t channelId;
      std::string channelName, channelKind, recipient;
    };
    std::vector<Target> targets;
    std::vector<std::pair<std::string, Target>> roleTargets;  // role -> channel
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, subs.step());
      if (!row) break;
      Target base{subs.int64(2), subs.text(3), subs.text(4), ""};
      if (base.channelKind == channelKindName(ChannelKind::kWebhook)) {
        targets.push_back(base);
        continue;
      }
      for (auto& r : fromJsonArray(subs.text(1))) {
        Target t = base;
        t.recipient = std::move(r);
        targets.push_back(std::move(t));
      }
      if (!subs.isNull(0)) roleTargets.emplace_back(subs.text(0), base);
      // An escalated notice (Notice::escalateTo) reaches the role through every e-mail channel.
      if (n.escalateTo && base.channelKind == channelKindName(ChannelKind::kEmail))
        roleTargets.emplace_back(std::string(roleName(*n.escalateTo)), base);
    }
    for (const auto& [role, base] : roleTargets) {
      VIGIL_ASSIGN_OR_RETURN(auto users,
                             tx.db.prepare("SELECT DISTINCT u.email FROM role_assignments r "
                                           "JOIN orgs o ON o.id = r.org_id JOIN users u ON u.id = r.user_id "
                                           "WHERE r.role = ? AND u.disabled = 0 AND u.email <> '' AND "
                                           "substr(?, 1, length(o.path)) = o.path ORDER BY u.email"));
      users.bind(1, role).bind(2, path);
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, users.step());
        if (!row) break;
        Target t = base;
        t.recipient = users.text(0);
        if (isEmailAddress(t.recipient)) targets.push_back(std::move(t));
      }
    }
    // One delivery per channel and recipient, however many subscriptions name them.
    std::set<std::pair<int64_t, std::string>> seen;
    for (const auto& t : targets) {
      if (!seen.emplace(t.channelId, t.recipient).second) continue;
      // Prepared per row: a Stmt is reset (and may be bound again) only when it goes out of scope.
      VIGIL_ASSIGN_OR_RETURN(auto add, tx.db.prepare("INSERT INTO notify_deliveries(notice_id,channel_id,channel_name,"
                                                     "channel_kind,recipient,status,attempts,next_attempt_at,"
                                                     "created_at,updated_at) VALUES(?,?,?,?,?,0,0,?,?,?)"));
      add.bind(1, noticeId).bind(2, t.channelId).bind(3, t.channelName).bind(4, t.channelKind).bind(5, t.recipient);
      VIGIL_TRY(add.bind(6, now).bind(7, now).bind(8, now).run());
      ++queued;
    }
    return {};
  }));
  return queued;
}

Result<std::vector<DueDelivery>> SqliteStore::dueDeliveries(TimeMs now, int limit) {
  return read([&](Db& db) -> Result<std::vector<DueDelivery>> {
    std::vector<DueDelivery> out;
    {
      VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kDeliveryColumns + kDeliveryFrom +
                                                 " WHERE d.status = 0 AND d.next_attempt_at <= ? AND d.channel_id "
                                                 "IS NOT NULL ORDER BY d.next_attempt_at, d.id LIMIT ?"));
      st.bind(1, now).bind(2, std::max(1, limit));
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
        if (!row) break;
        DueDelivery due;
        due.delivery = readDelivery(st);
        due.notice = {.orgId = due.delivery.orgId,
                      .kind = due.delivery.kind,
                      .severity = due.delivery.severity,
                      .subject = due.delivery.subject,
                      .body = st.text(18),
                      .link = st.text(19)};
        out.push_back(std::move(due));
      }
    }
    const Actor system = Actor::systemActor("notify");
    for (auto& due : out) {
      VIGIL_ASSIGN_OR_RETURN(due.channel,
                             loadChannel(db, system, *due.delivery.channelId, Permission::kReadNotifications));
    }
    return out;
  });
}

Result<std::optional<TimeMs>> SqliteStore::nextDeliveryDue() {
  return read([&](Db& db) -> Result<std::optional<TimeMs>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT MIN(next_attempt_at) FROM notify_deliveries WHERE status = 0 "
                                               "AND channel_id IS NOT NULL"));
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row || st.isNull(0)) return std::optional<TimeMs>();
    return std::optional<TimeMs>(st.int64(0));
  });
}

Status SqliteStore::recordDeliveryAttempt(int64_t id, TimeMs now, const std::string& error,
                                          std::optional<TimeMs> retryAt) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE notify_deliveries SET attempts = attempts + 1, status = ?, "
                                                  "next_attempt_at = ?, last_error = ?, updated_at = ?, sent_at = ? "
                                                  "WHERE id = ? AND status = 0"));
    const bool sent = error.empty();
    const DeliveryStatus status = sent      ? DeliveryStatus::kSent
                                  : retryAt ? DeliveryStatus::kPending
                                            : DeliveryStatus::kFailed;
    st.bind(1, static_cast<int>(status)).bind(2, retryAt.value_or(now)).bind(3, error).bind(4, now);
    if (sent) {
      st.bind(5, now);
    } else {
      st.bindNull(5);
    }
    VIGIL_TRY(st.bind(6, id).run());
    if (tx.db.changes() != 1) return Error::notFound("pending delivery " + std::to_string(id) + " not found");
    return {};
  });
}

Status SqliteStore::deferDelivery(int64_t id, TimeMs until) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE notify_deliveries SET next_attempt_at = ? "
                                                  "WHERE id = ? AND status = 0"));
    return st.bind(1, until).bind(2, id).run();
  });
}

}  // namespace vigil::sqlite
