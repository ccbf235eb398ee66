// NotifyStore: notifications (issue 4, "Notifications"): the channels an agency sends through
// (e-mail over SMTP, signed webhooks, a Telegram bot), the subscriptions that route a notice to a
// channel and its recipients, and the delivery log that is also the durable outbox of the
// dispatcher (notify/dispatcher.h). Part of Store (store.h), same contract: every method that
// takes an Actor enforces the access policy and writes its audit entry in the same transaction; a
// failing method changes nothing.
//
// Access: channels and subscriptions belong to an organisation. Reading them and the delivery log
// needs kReadNotifications on it (otherwise kNotFound, as if missing); changing them needs
// kManageNotifications (kForbidden). A subscription may use a channel of its own organisation or
// of an ancestor that the actor may see (a province channel serves every agency, when the
// province's administrators set the subscriptions up).
//
// Secrets (SMTP password, webhook signing key, bot token) arrive already sealed with the server's
// master key (crypto::seal, done by the dispatcher); the store keeps the sealed bytes, reports only
// whether one is set, never audits them, and hands them back only to the system-level delivery
// methods below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "store/alert_store.h"

namespace vigil {

// What happened. The incident kinds are published by vigil serve from the deadline watch and the
// incident routes (notify/incident_notices.h).
enum class NoticeKind { kAlertNew, kDeadlineWarning, kDeadlineBreach, kIncidentCreated };
enum class ChannelKind { kEmail, kWebhook, kTelegram };
// pending: waiting for its first or next attempt; sent; failed: gave up (attempts exhausted, or
// the channel was deleted).
enum class DeliveryStatus { kPending, kSent, kFailed };

std::string_view noticeKindName(NoticeKind k);
std::optional<NoticeKind> parseNoticeKind(std::string_view s);
std::string_view channelKindName(ChannelKind k);
std::optional<ChannelKind> parseChannelKind(std::string_view s);
std::string_view deliveryStatusName(DeliveryStatus s);
std::optional<DeliveryStatus> parseDeliveryStatus(std::string_view s);

// One thing to tell people about. `severity` orders alerts (and incidents by their internal
// scale); subscriptions with a minimum severity above it do not match.
struct Notice {
  int64_t orgId = 0;  // the agency concerned; subscriptions on it or an ancestor match
  NoticeKind kind = NoticeKind::kAlertNew;
  AlertSeverity severity = AlertSeverity::kMedium;
  std::string subject;  // one line, UTF-8
  std::string body;     // plain text, UTF-8
  std::string link;     // where to look in vigil ("" none)
  // Escalation (a deadline breach): every e-mail subscription the notice matches also reaches
  // every enabled user with an e-mail address holding this role on the notice's agency or an
  // ancestor, as if the subscription named the role. Not stored: it only widens the recipients.
  std::optional<Role> escalateTo;
};

struct NotifyChannel {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string orgPath;
  std::string name;
  ChannelKind kind = ChannelKind::kEmail;
  // e-mail: "smtp://host:port" (STARTTLS required) or "smtps://host:port"; webhook: the https://
  // (or loopback http://) URL; Telegram: empty (the API base is server configuration).
  std::string target;
  std::string emailFrom;  // e-mail: the From address
  std::string username;   // e-mail: the SMTP login ("" none)
  bool hasSecret = false;
  bool enabled = true;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
};

struct ChannelFields {
  int64_t orgId = 0;
  std::string name;
  ChannelKind kind = ChannelKind::kEmail;
  std::string target;
  std::string emailFrom;
  std::string username;
  bool enabled = true;
};

struct ChannelPatch {
  std::optional<std::string> name;
  std::optional<std::string> target;
  std::optional<std::string> emailFrom;
  std::optional<std::string> username;
  std::optional<bool> enabled;
  std::optional<std::string> sealedSecret;  // replaces the secret ("" removes it)
};

// A channel with its sealed secret: for the dispatcher and the "send test" action only.
struct ChannelWithSecret {
  NotifyChannel channel;
  std::string sealedSecret;  // "" none
};

struct Subscription {
  int64_t id = 0;
  int64_t orgId = 0;  // the agency whose subtree's notices match
  std::string orgName;
  int64_t channelId = 0;
  std::string channelName;
  ChannelKind channelKind = ChannelKind::kEmail;
  NoticeKind kind = NoticeKind::kAlertNew;
  AlertSeverity minSeverity = AlertSeverity::kLow;
  // E-mail only: also every enabled user with an e-mail address holding this role on the
  // notice's agency or an ancestor of it.
  std::optional<Role> role;
  std::vector<std::string> recipients;  // e-mail addresses or Telegram chat ids; none for a webhook
  bool enabled = true;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
};

struct SubscriptionFields {
  int64_t orgId = 0;
  int64_t channelId = 0;
  NoticeKind kind = NoticeKind::kAlertNew;
  AlertSeverity minSeverity = AlertSeverity::kLow;
  std::optional<Role> role;
  std::vector<std::string> recipients;
  bool enabled = true;
};

struct SubscriptionPatch {
  std::optional<AlertSeverity> minSeverity;
  std::optional<std::optional<Role>> role;  // set: change (nullopt inside: no role)
  std::optional<std::vector<std::string>> recipients;
  std::optional<bool> enabled;
};

// One line of the delivery log: one notice to one recipient through one channel.
struct Delivery {
  int64_t id = 0;
  int64_t noticeId = 0;
  int64_t orgId = 0;  // the notice's agency
  std::string orgName;
  NoticeKind kind = NoticeKind::kAlertNew;
  AlertSeverity severity = AlertSeverity::kMedium;
  std::string subject;
  std::optional<int64_t> channelId;  // null once the channel is deleted
  std::string channelName;
  ChannelKind channelKind = ChannelKind::kEmail;
  std::string recipient;  // "" for a webhook
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  TimeMs nextAttemptAt = 0;  // pending only
  std::string lastError;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
  TimeMs sentAt = 0;  // 0: not sent
};

struct DeliveryQuery {
  std::optional<DeliveryStatus> status;
  std::optional<int64_t> channelId;
  int64_t beforeId = 0;  // paging, newest first: deliveries with a smaller id (0: from the newest)
  int limit = 50;
};

// A due delivery with everything needed to send it (system level).
struct DueDelivery {
  Delivery delivery;
  Notice notice;
  ChannelWithSecret channel;
};

class NotifyStore {
 public:
  virtual ~NotifyStore() = default;

  virtual Result<std::vector<NotifyChannel>> listChannels(const Actor& actor) = 0;
  virtual Result<NotifyChannel> getChannel(const Actor& actor, int64_t id) = 0;
  // A name is unique within the organisation (kConflict). `sealedSecret` may be "".
  virtual Result<NotifyChannel> createChannel(const Actor& actor, const ChannelFields& f,
                                              const std::string& sealedSecret) = 0;
  virtual Result<NotifyChannel> updateChannel(const Actor& actor, int64_t id, const ChannelPatch& p) = 0;
  // Refused (kConflict) while subscriptions use it. Its pending deliveries become failed; the log
  // keeps their lines with the channel's name.
  virtual Status deleteChannel(const Actor& actor, int64_t id) = 0;
  // The channel with its sealed secret, for "send test": needs kManageNotifications.
  virtual Result<ChannelWithSecret> channelForTest(const Actor& actor, int64_t id) = 0;

  virtual Result<std::vector<Subscription>> listSubscriptions(const Actor& actor) = 0;
  virtual Result<Subscription> getSubscription(const Actor& actor, int64_t id) = 0;
  // The channel must belong to the subscription's organisation or an ancestor; recipients must fit
  // the channel (e-mail addresses, Telegram chat ids, none for a webhook); a role needs e-mail.
  virtual Result<Subscription> createSubscription(const Actor& actor, const SubscriptionFields& f) = 0;
  virtual Result<Subscription> updateSubscription(const Actor& actor, int64_t id, const SubscriptionPatch& p) = 0;
  virtual Status deleteSubscription(const Actor& actor, int64_t id) = 0;

  // The delivery log of the actor's kReadNotifications scope, newest first.
  virtual Result<std::vector<Delivery>> listDeliveries(const Actor& actor, const DeliveryQuery& q) = 0;

  // --- The dispatcher (system level, not audited: the delivery log is the record).
  // Stores the notice and one pending delivery (due at `now`) per recipient of every enabled
  // subscription that matches it (kind, minimum severity, agency subtree) through an enabled
  // channel, in one transaction. Returns how many deliveries were queued. kNotFound when the
  // organisation does not exist.
  virtual Result<int64_t> enqueueNotice(const Notice& n, TimeMs now) = 0;
  // Pending deliveries due at `now`, oldest due first, at most `limit`.
  virtual Result<std::vector<DueDelivery>> dueDeliveries(TimeMs now, int limit) = 0;
  // The earliest next attempt of a pending delivery (nullopt: none pending).
  virtual Result<std::optional<TimeMs>> nextDeliveryDue() = 0;
  // Records one attempt: sent (`error` empty), or failed with `error` and either the next attempt
  // time or, when `retryAt` is nullopt, giving up (status failed).
  virtual Status recordDeliveryAttempt(int64_t id, TimeMs now, const std::string& error,
                                       std::optional<TimeMs> retryAt) = 0;
  // Moves a pending delivery's next attempt without counting an attempt (rate limit).
  virtual Status deferDelivery(int64_t id, TimeMs until) = 0;
};

}  // namespace vigil
