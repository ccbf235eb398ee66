// Notifications (src/notify/, store/notify_store.h) against real receivers on loopback:
// - a real SMTP server (aiosmtpd, Debian python3-aiosmtpd) with STARTTLS required (a certificate
//   made at test time) and a login; the message is parsed back by Python's email package;
// - an HTTP receiver (Python http.server) for webhooks and as the Telegram Bot API base.
// Both are child processes started from tests/notify/receivers.py with posix_spawn (no shell).
// Time is a ManualClock: retries and give-up are driven by runOnce() and clock moves, not sleeps.
#include <boost/json.hpp>

#include "core/text.h"
#include "http/tls_cert.h"
#include "notify/dispatcher.h"
#include "notify/receiver.h"
#include "store/notify_checks.h"
#include "store/store_fixture.h"

namespace vigil::test {
namespace {

namespace json = boost::json;

std::string s(const json::value& v) { return std::string(v.as_string()); }

class NotifyTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    noiVu_ = org("Sở Nội vụ");
    unit_ = org("Phòng Văn thư", noiVu_.id);
    congThuong_ = org("Sở Công Thương");
  }

  std::unique_ptr<notify::Dispatcher> dispatcher(notify::DispatcherOptions o = {}) {
    o.jitterPercent = 0;  // exact back-off in these tests (jitter has its own test)
    if (o.send.timeoutSeconds == notify::SendOptions{}.timeoutSeconds) o.send.timeoutSeconds = 5;
    return std::make_unique<notify::Dispatcher>(*store_, clock_, key_, o);
  }

  NotifyChannel channel(ChannelFields f, const std::string& secret) {
    auto r = store_->createChannel(system_, f, secret.empty() ? "" : crypto::seal(key_, secret));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : NotifyChannel{};
  }
  NotifyChannel webhook(int port, const std::string& name = "Webhook SOC") {
    return channel({.orgId = root_.id,
                    .name = name,
                    .kind = ChannelKind::kWebhook,
                    .target = "http://127.0.0.1:" + std::to_string(port) + "/hook"},
                   kWebhookSecret);
  }
  Subscription subscribe(SubscriptionFields f) {
    auto r = store_->createSubscription(system_, f);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Subscription{};
  }
  Delivery onlyDelivery() {
    auto list = store_->listDeliveries(system_, {});
    EXPECT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 1u);
    return list->empty() ? Delivery{} : list->front();
  }
  Notice notice(const Org& o, AlertSeverity sev, NoticeKind kind = NoticeKind::kAlertNew) {
    return {.orgId = o.id,
            .kind = kind,
            .severity = sev,
            .subject = "Cảnh báo mới: dò mật khẩu máy chủ thư điện tử",
            .body = "Cảnh báo mới — máy chủ của " + o.name + " bị dò mật khẩu từ 203.0.113.7.\nHãy kiểm tra.",
            .link = "https://vigil.tinh.gov.vn/alerts"};
  }

  static constexpr const char* kWebhookSecret = "vigil-test-secret-0123";
  const std::string key_ = crypto::randomBytes(32);
  Org noiVu_, unit_, congThuong_;
};

// --- Message formats ------------------------------------------------------------------------------

TEST(NotifyFormat, WebhookSignatureIsHmacSha256OfTimestampDotBody) {
  // Reference value computed with Python's hmac module.
  EXPECT_EQ(notify::webhookSignature("vigil-test-secret-0123", 1795000000, R"({"a":1})"),
            "sha256=ef9b0b05dbebd04e31b2c0b5208eed40b4b8c41046a73e21ef9f66ba01d80281");
}

TEST(NotifyFormat, EmailHeadersAreEncodedAndFolded) {
  Notice n{.orgId = 1,
           .subject = std::string("Cảnh báo mới ") + std::string(60, 'x') + " — Sở Thông tin và Truyền thông tỉnh",
           .body = "Dòng một\nDòng hai"};
  const std::string msg = notify::buildEmail("canhbao@tinh.gov.vn", "soc@tinh.gov.vn", n, 1795000000000, "1.1@vigil");
  const std::string head = msg.substr(0, msg.find("\r\n\r\n"));
  size_t start = 0;
  while (start < head.size()) {
    size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    EXPECT_LE(end - start, 76u) << head.substr(start, end - start);
    for (size_t i = start; i < end; ++i) EXPECT_LT(static_cast<unsigned char>(head[i]), 0x80) << "raw 8-bit header";
    start = end + 2;
  }
  EXPECT_NE(head.find("Subject: =?UTF-8?B?"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\n =?UTF-8?B?"), std::string::npos) << "a long subject is folded: " << head;
  EXPECT_NE(head.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(head.find("Content-Transfer-Encoding: base64"), std::string::npos);
  EXPECT_NE(head.find("Date: Wed, 18 Nov 2026 11:06:40 +0000"), std::string::npos) << head;
}

TEST(NotifyFormat, RecipientShapes) {
  const std::pair<const char*, bool> emails[] = {
      {"soc@noivu.gov.vn", true},
      {"a.b+c@tinh.gov.vn", true},
      {"khong-co-a-cong", false},
      {"@tinh.gov.vn", false},
      {"a@", false},
      {"a@b@c.vn", false},
      {"a b@c.vn", false},
      {"a@localhost", false},
      {"<a@b.vn>", false},
      {"a@b.vn\r\nRCPT TO:<x@y.vn>", false},
      {"a,b@c.vn", false},
  };
  for (const auto& [s, ok] : emails) EXPECT_EQ(isEmailAddress(s), ok) << s;
  const std::pair<const char*, bool> chats[] = {
      {"123456789", true}, {"-1001234567890", true}, {"@canhbao_tinh", true},     {"@abc", false},
      {"-", false},        {"12a", false},           {"1234567890123456", false}, {"", false},
  };
  for (const auto& [s, ok] : chats) EXPECT_EQ(isTelegramChat(s), ok) << s;
}

// --- Routing: subscriptions by agency subtree, severity and kind ---------------------------------

struct RouteCase {
  const char* name;
  int org;  // 0: Sở Nội vụ, 1: its unit, 2: Sở Công Thương, 3: province root
  AlertSeverity severity;
  NoticeKind kind;
  int64_t expected;  // deliveries queued
};

TEST_F(NotifyTest, SubscriptionsMatchByAgencySubtreeSeverityAndKind) {
  const NotifyChannel hook = webhook(1);  // nothing is sent here: only routing is checked
  const NotifyChannel mail = channel({.orgId = root_.id,
                                      .name = "Thư điện tử tỉnh",
                                      .kind = ChannelKind::kEmail,
                                      .target = "smtp://127.0.0.1:1",
                                      .emailFrom = "canhbao@tinh.gov.vn"},
                                     "");
  // Sở Nội vụ: its leader (and the leader on the root) by role, and one address, from high up.
  auto leader = store_->createUser(system_, {.username = "lanhdao.noivu",
                                             .displayName = "Lãnh đạo Sở Nội vụ",
                                             .email = "lanhdao@noivu.gov.vn",
                                             .orgId = noiVu_.id,
                                             .passwordHash = "h",
                                             .roles = {{noiVu_.id, Role::kLeader}}});
  ASSERT_TRUE(leader.ok()) << leader.error().message;
  ASSERT_TRUE(store_
                  ->createUser(system_, {.username = "lanhdao.ct",
                                         .displayName = "Lãnh đạo Sở Công Thương",
                                         .email = "lanhdao@congthuong.gov.vn",
                                         .orgId = congThuong_.id,
                                         .passwordHash = "h",
                                         .roles = {{congThuong_.id, Role::kLeader}}})
                  .ok());
  subscribe({.orgId = noiVu_.id,
             .channelId = mail.id,
             .kind = NoticeKind::kAlertNew,
             .minSeverity = AlertSeverity::kHigh,
             .role = Role::kLeader,
             .recipients = {"soc@noivu.gov.vn"}});
  // The whole province, every severity, through the webhook.
  subscribe({.orgId = root_.id, .channelId = hook.id, .kind = NoticeKind::kAlertNew});
  // Deadline breaches of Sở Công Thương by e-mail.
  subscribe({.orgId = congThuong_.id,
             .channelId = mail.id,
             .kind = NoticeKind::kDeadlineBreach,
             .recipients = {"soc@congthuong.gov.vn"}});

  const RouteCase cases[] = {
      {"high alert of Sở Nội vụ: webhook + address + its leader", 0, AlertSeverity::kHigh, NoticeKind::kAlertNew, 3},
      {"critical alert of its unit: the subtree matches", 1, AlertSeverity::kCritical, NoticeKind::kAlertNew, 3},
      {"medium alert of Sở Nội vụ: below the e-mail threshold", 0, AlertSeverity::kMedium, NoticeKind::kAlertNew, 1},
      {"high alert of Sở Công Thương: not Sở Nội vụ's subscription", 2, AlertSeverity::kHigh, NoticeKind::kAlertNew, 1},
      {"alert of the root: only the province-wide subscription", 3, AlertSeverity::kCritical, NoticeKind::kAlertNew, 1},
      {"deadline breach of Sở Công Thương", 2, AlertSeverity::kLow, NoticeKind::kDeadlineBreach, 1},
      {"deadline breach of Sở Nội vụ: nobody subscribed", 0, AlertSeverity::kCritical, NoticeKind::kDeadlineBreach, 0},
      {"incident created: nobody subscribed", 1, AlertSeverity::kCritical, NoticeKind::kIncidentCreated, 0},
  };
  const Org* orgs[] = {&noiVu_, &unit_, &congThuong_, &root_};
  for (const auto& c : cases) {
    auto n = store_->enqueueNotice(notice(*orgs[c.org], c.severity, c.kind), clock_.nowMs());
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(*n, c.expected) << c.name;
  }
  // The first case's e-mail recipients: the address and the leader, not Sở Công Thương's leader.
  auto mails = store_->listDeliveries(system_, {.channelId = mail.id, .limit = 500});
  ASSERT_TRUE(mails.ok());
  std::set<std::string> to;
  for (const auto& d : *mails) to.insert(d.recipient);
  EXPECT_EQ(to, (std::set<std::string>{"soc@noivu.gov.vn", "lanhdao@noivu.gov.vn", "soc@congthuong.gov.vn"}));

  // A disabled subscription or channel routes nothing.
  ASSERT_TRUE(store_->updateChannel(system_, hook.id, {.enabled = false}).ok());
  EXPECT_EQ(*store_->enqueueNotice(notice(root_, AlertSeverity::kCritical), clock_.nowMs()), 0);
  EXPECT_FALSE(store_->enqueueNotice(notice(Org{.id = 99999}, AlertSeverity::kCritical), clock_.nowMs()).ok());
}

// --- E-mail: a real SMTP server with STARTTLS and a login -----------------------------------------

TEST_F(NotifyTest, SmtpWithStartTlsDeliversVietnameseMailToEveryRecipient) {
  const auto cert = dir_.path() / "smtp-cert.pem", key = dir_.path() / "smtp-key.pem";
  ASSERT_TRUE(http::ensureSelfSignedCertificate(cert.string(), key.string(), "127.0.0.1").ok());
  const auto out = dir_.path() / "mail.jsonl";
  Receiver smtp({"smtp", out.string(), cert.string(), key.string(), "vigil", "mat-khau-smtp"});
  const NotifyChannel mail = channel({.orgId = root_.id,
                                      .name = "Thư điện tử tỉnh",
                                      .kind = ChannelKind::kEmail,
                                      .target = "smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                      .emailFrom = "canhbao@tinh.gov.vn",
                                      .username = "vigil"},
                                     "mat-khau-smtp");
  subscribe({.orgId = noiVu_.id,
             .channelId = mail.id,
             .kind = NoticeKind::kAlertNew,
             .recipients = {"soc@noivu.gov.vn", "giamdoc@noivu.gov.vn"}});

  auto d = dispatcher({.send = {.caFile = cert.string()}});
  const Notice n = notice(unit_, AlertSeverity::kCritical);
  ASSERT_TRUE(d->publish(n).ok());
  const auto pass = d->runOnce();
  EXPECT_EQ(pass.noticesStored, 1);
  EXPECT_EQ(pass.sent, 2);

  const auto mails = records(out);
  ASSERT_EQ(mails.size(), 2u);
  std::set<std::string> rcpts;
  for (const auto& m : mails) {
    EXPECT_EQ(s(m.at("mail_from")), "canhbao@tinh.gov.vn");
    ASSERT_EQ(m.at("rcpt_tos").as_array().size(), 1u);
    rcpts.insert(s(m.at("rcpt_tos").as_array()[0]));
    EXPECT_EQ(s(m.at("subject")), n.subject);
    std::string expected;  // the body as sent: CRLF line ends, then the link
    for (char ch : n.body + "\n\n" + n.link) expected += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
    EXPECT_EQ(s(m.at("body")), expected) << "the body decoded by Python's email package";
    EXPECT_EQ(s(m.at("content_type")), "text/plain");
    EXPECT_EQ(s(m.at("charset")), "utf-8");
    EXPECT_TRUE(m.at("tls").as_bool()) << "the message went before STARTTLS";
    EXPECT_TRUE(m.at("login").as_bool());
    EXPECT_NE(s(m.at("raw_headers")).find("Subject: =?UTF-8?B?"), std::string::npos);
  }
  EXPECT_EQ(rcpts, (std::set<std::string>{"soc@noivu.gov.vn", "giamdoc@noivu.gov.vn"}));
  auto log = store_->listDeliveries(system_, {.status = DeliveryStatus::kSent});
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  for (const auto& x : *log) {
    EXPECT_EQ(x.attempts, 1);
    EXPECT_EQ(x.sentAt, clock_.nowMs());
    EXPECT_EQ(x.lastError, "");
  }
}

// A wrong password is not accepted (aiosmtpd 1.4 then leaves the session hanging: the send ends
// at its timeout), and an untrusted certificate stops the send at STARTTLS; nothing is delivered.
TEST_F(NotifyTest, SmtpWrongPasswordOrUntrustedCertificateDeliversNothing) {
  const auto cert = dir_.path() / "smtp-cert.pem", key = dir_.path() / "smtp-key.pem";
  ASSERT_TRUE(http::ensureSelfSignedCertificate(cert.string(), key.string(), "127.0.0.1").ok());
  Receiver smtp({"smtp", (dir_.path() / "mail.jsonl").string(), cert.string(), key.string(), "vigil", "dung"});
  const NotifyChannel mail = channel({.orgId = root_.id,
                                      .name = "Thư",
                                      .kind = ChannelKind::kEmail,
                                      .target = "smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                      .emailFrom = "canhbao@tinh.gov.vn",
                                      .username = "vigil"},
                                     "sai");
  auto st = dispatcher({.send = {.timeoutSeconds = 2, .caFile = cert.string()}})
                ->sendTest({mail, crypto::seal(key_, "sai")}, "a@b.vn");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("SMTP smtp://127.0.0.1"), std::string::npos) << st.error().message;
  EXPECT_TRUE(records(dir_.path() / "mail.jsonl").empty());
  // Without trusting the test certificate, STARTTLS fails and nothing is sent in clear.
  auto untrusted = dispatcher()->sendTest({mail, crypto::seal(key_, "dung")}, "a@b.vn");
  EXPECT_FALSE(untrusted.ok());
  EXPECT_NE(untrusted.error().message.find("certificate"), std::string::npos) << untrusted.error().message;
  EXPECT_TRUE(records(dir_.path() / "mail.jsonl").empty());
}

// --- Webhook: signature, retry after back-off, give-up -------------------------------------------

TEST_F(NotifyTest, WebhookIsSignedAndDeliveredAfterBackOffWhenTheReceiverRecovers) {
  const auto out = dir_.path() / "hook.jsonl";
  Receiver hook({"http", out.string(), "1"});  // the first request gets 503
  const NotifyChannel ch = webhook(hook.port());
  subscribe({.orgId = root_.id, .channelId = ch.id, .kind = NoticeKind::kAlertNew});
  auto d = dispatcher({.retryDelaysSeconds = {60, 300}, .maxAttempts = 3});

  ASSERT_TRUE(d->publish(notice(noiVu_, AlertSeverity::kHigh)).ok());
  auto p1 = d->runOnce();
  EXPECT_EQ(p1.retried, 1);
  Delivery x = onlyDelivery();
  EXPECT_EQ(x.status, DeliveryStatus::kPending);
  EXPECT_EQ(x.attempts, 1);
  EXPECT_EQ(x.nextAttemptAt, clock_.nowMs() + 60000);
  EXPECT_NE(x.lastError.find("HTTP 503"), std::string::npos) << x.lastError;

  clock_.advanceMs(59000);
  EXPECT_EQ(d->runOnce().sent, 0) << "sent before its back-off ended";
  EXPECT_EQ(records(out).size(), 1u);
  clock_.advanceMs(1000);
  EXPECT_EQ(d->runOnce().sent, 1);
  x = onlyDelivery();
  EXPECT_EQ(x.status, DeliveryStatus::kSent);
  EXPECT_EQ(x.attempts, 2);
  EXPECT_EQ(x.sentAt, clock_.nowMs());

  const auto got = records(out);
  ASSERT_EQ(got.size(), 2u);
  const auto& req = got[1];
  EXPECT_EQ(s(req.at("path")), "/hook");
  const auto& h = req.at("headers").as_object();
  const std::string body = s(req.at("body"));
  const std::string ts = s(h.at("x-vigil-timestamp"));
  EXPECT_EQ(ts, std::to_string(clock_.nowMs() / 1000));
  EXPECT_EQ(s(h.at("x-vigil-signature")),
            "sha256=" + crypto::hexEncode(crypto::hmacSha256(kWebhookSecret, ts + "." + body)));
  EXPECT_NE(s(h.at("x-vigil-signature")),
            "sha256=" + crypto::hexEncode(crypto::hmacSha256("another-secret-000000", ts + "." + body)));
  const auto payload = json::parse(body).as_object();
  EXPECT_EQ(s(payload.at("subject")), "Cảnh báo mới: dò mật khẩu máy chủ thư điện tử");
  EXPECT_EQ(s(payload.at("kind")), "alert_new");
  EXPECT_EQ(s(payload.at("severity")), "high");
  EXPECT_EQ(payload.at("org_id").as_int64(), noiVu_.id);
}

TEST_F(NotifyTest, GivesUpAfterMaxAttemptsAndKeepsTheLastError) {
  const NotifyChannel ch = webhook(closedPort());
  subscribe({.orgId = root_.id, .channelId = ch.id, .kind = NoticeKind::kAlertNew});
  auto d = dispatcher({.retryDelaysSeconds = {10, 20}, .maxAttempts = 3});
  ASSERT_TRUE(d->publish(notice(noiVu_, AlertSeverity::kHigh)).ok());

  const int waits[] = {0, 10, 20};
  for (int i = 0; i < 3; ++i) {
    clock_.advanceMs(waits[i] * 1000);
    const auto pass = d->runOnce();
    EXPECT_EQ(pass.retried + pass.failed, 1) << "attempt " << i + 1;
    EXPECT_EQ(onlyDelivery().attempts, i + 1);
  }
  const Delivery x = onlyDelivery();
  EXPECT_EQ(x.status, DeliveryStatus::kFailed);
  EXPECT_EQ(x.sentAt, 0);
  EXPECT_NE(x.lastError.find("webhook http://127.0.0.1:"), std::string::npos) << x.lastError;
  clock_.advanceMs(3600 * 1000);
  const auto after = d->runOnce();
  EXPECT_EQ(after.sent + after.retried + after.failed, 0) << "a failed delivery was tried again";
  auto failed = store_->listDeliveries(system_, {.status = DeliveryStatus::kFailed});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->size(), 1u);
  EXPECT_TRUE(store_->listDeliveries(system_, {.status = DeliveryStatus::kPending})->empty());
}

TEST_F(NotifyTest, RetryDelaysFollowTheConfiguredStepsWithBoundedJitter) {
  auto exact = dispatcher({.retryDelaysSeconds = {60, 300, 900, 3600}});
  const TimeMs expected[] = {60000, 300000, 900000, 3600000, 3600000};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(exact->retryDelayMs(i + 1), expected[i]) << "after attempt " << i + 1;
  auto jittered = std::make_unique<notify::Dispatcher>(
      *store_, clock_, key_, notify::DispatcherOptions{.retryDelaysSeconds = {60}, .jitterPercent = 20, .seed = 7});
  std::set<TimeMs> seen;
  for (int i = 0; i < 50; ++i) {
    const TimeMs t = jittered->retryDelayMs(1);
    EXPECT_GE(t, 60000);
    EXPECT_LE(t, 72000);
    seen.insert(t);
  }
  EXPECT_GT(seen.size(), 10u) << "no jitter";
}

// --- Telegram through a configured API base --------------------------------------------------------

TEST_F(NotifyTest, TelegramSendsToEveryChatThroughTheConfiguredApiBase) {
  const auto out = dir_.path() / "telegram.jsonl";
  Receiver api({"http", out.string(), "0"});
  const NotifyChannel bot =
      channel({.orgId = root_.id, .name = "Bot Telegram SOC", .kind = ChannelKind::kTelegram}, "123456:ABC-def_ghi");
  subscribe({.orgId = noiVu_.id,
             .channelId = bot.id,
             .kind = NoticeKind::kAlertNew,
             .recipients = {"-1001234567890", "@canhbao_tinh"}});
  auto d = dispatcher({.send = {.telegramApiBase = "http://127.0.0.1:" + std::to_string(api.port()) + "/"}});
  ASSERT_TRUE(d->publish(notice(noiVu_, AlertSeverity::kHigh)).ok());
  EXPECT_EQ(d->runOnce().sent, 2);
  const auto got = records(out);
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> chats;
  for (const auto& r : got) {
    EXPECT_EQ(s(r.at("path")), "/bot123456:ABC-def_ghi/sendMessage");
    const auto msg = json::parse(s(r.at("body"))).as_object();
    chats.insert(json::serialize(msg.at("chat_id")));
    EXPECT_EQ(s(msg.at("text")).rfind("Cảnh báo mới: dò mật khẩu", 0), 0u) << s(msg.at("text"));
  }
  EXPECT_EQ(chats, (std::set<std::string>{"-1001234567890", "\"@canhbao_tinh\""}));
}

TEST_F(NotifyTest, RateLimitDefersBeyondThePerChannelMinuteBudget) {
  const auto out = dir_.path() / "telegram.jsonl";
  Receiver api({"http", out.string(), "0"});
  const NotifyChannel bot =
      channel({.orgId = root_.id, .name = "Bot", .kind = ChannelKind::kTelegram}, "123456:ABC-def_ghi");
  subscribe({.orgId = noiVu_.id, .channelId = bot.id, .kind = NoticeKind::kAlertNew, .recipients = {"1", "2", "3"}});
  auto d =
      dispatcher({.ratePerMinute = 2, .send = {.telegramApiBase = "http://127.0.0.1:" + std::to_string(api.port())}});
  ASSERT_TRUE(d->publish(notice(noiVu_, AlertSeverity::kHigh)).ok());
  auto p = d->runOnce();
  EXPECT_EQ(p.sent, 2);
  EXPECT_EQ(p.deferred, 1);
  EXPECT_EQ(d->runOnce().sent, 0) << "deferred until the next minute";
  clock_.advanceMs(60000);
  EXPECT_EQ(d->runOnce().sent, 1);
  EXPECT_EQ(records(out).size(), 3u);
  auto all = store_->listDeliveries(system_, {});
  ASSERT_TRUE(all.ok());
  for (const auto& x : *all) EXPECT_EQ(x.attempts, 1) << "deferral counted";
}

// --- Durability: pending deliveries survive a restart ---------------------------------------------

TEST_F(NotifyTest, QueuedNoticesAreWrittenAtStopAndSentAfterRestart) {
  const auto out = dir_.path() / "hook.jsonl";
  Receiver hook({"http", out.string(), "0"});
  const NotifyChannel ch = webhook(hook.port());
  subscribe({.orgId = root_.id, .channelId = ch.id, .kind = NoticeKind::kDeadlineWarning});
  {
    auto d = dispatcher();
    ASSERT_TRUE(d->publish(notice(unit_, AlertSeverity::kMedium, NoticeKind::kDeadlineWarning)).ok());
    d->stop();  // nothing sent yet; the notice is written
    EXPECT_FALSE(d->publish(notice(unit_, AlertSeverity::kMedium)).ok()) << "accepted after stop";
  }
  EXPECT_TRUE(records(out).empty());
  store_->close();
  store_.reset();
  open();
  auto d = dispatcher();
  EXPECT_EQ(d->runOnce().sent, 1);
  ASSERT_EQ(records(out).size(), 1u);
  EXPECT_EQ(onlyDelivery().status, DeliveryStatus::kSent);
}

TEST_F(NotifyTest, FullQueueRefusesAndCounts) {
  Metrics m;
  auto d = dispatcher({.queueMax = 2, .metrics = &m});
  EXPECT_TRUE(d->publish(notice(noiVu_, AlertSeverity::kLow)).ok());
  EXPECT_TRUE(d->publish(notice(noiVu_, AlertSeverity::kLow)).ok());
  auto full = d->publish(notice(noiVu_, AlertSeverity::kLow));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(m.render().find("vigil_notify_notices_total{result=\"dropped\"} 1"), std::string::npos) << m.render();
  EXPECT_EQ(d->publish({.orgId = noiVu_.id}).error().field, "subject");
}

// --- The store's checks and audit -----------------------------------------------------------------

TEST_F(NotifyTest, BadChannelsAndSubscriptionsAreRefusedNamingTheField) {
  struct Bad {
    ChannelFields f;
    const char* field;
  };
  const Bad bad[] = {
      {{.orgId = root_.id, .name = "a", .kind = ChannelKind::kEmail, .target = "http://x", .emailFrom = "a@b.vn"},
       "target"},
      {{.orgId = root_.id, .name = "a", .kind = ChannelKind::kEmail, .target = "smtp://relay", .emailFrom = "khong"},
       "email_from"},
      {{.orgId = root_.id, .name = "a", .kind = ChannelKind::kWebhook, .target = "http://10.0.0.5/hook"}, "target"},
      {{.orgId = root_.id, .name = "a", .kind = ChannelKind::kTelegram, .target = "https://x"}, "target"},
  };
  for (const auto& b : bad) {
    auto r = store_->createChannel(system_, b.f, "");
    ASSERT_FALSE(r.ok()) << b.field;
    EXPECT_EQ(r.error().field, b.field) << r.error().message;
  }
  const NotifyChannel hook = webhook(1);
  const NotifyChannel ctMail = channel({.orgId = congThuong_.id,
                                        .name = "Thư Sở Công Thương",
                                        .kind = ChannelKind::kEmail,
                                        .target = "smtps://mail.congthuong.gov.vn:465",
                                        .emailFrom = "soc@congthuong.gov.vn"},
                                       "");
  struct BadSub {
    SubscriptionFields f;
    const char* field;
  };
  const BadSub badSubs[] = {
      {{.orgId = noiVu_.id, .channelId = hook.id, .recipients = {"a@b.vn"}}, "recipients"},
      {{.orgId = noiVu_.id, .channelId = hook.id, .role = Role::kLeader}, "role"},
      {{.orgId = noiVu_.id, .channelId = ctMail.id, .recipients = {"a@b.vn"}}, "channel_id"},
      {{.orgId = congThuong_.id, .channelId = ctMail.id, .recipients = {"khong-phai-thu"}}, "recipients[0]"},
      {{.orgId = congThuong_.id, .channelId = ctMail.id}, "recipients"},
  };
  for (const auto& b : badSubs) {
    auto r = store_->createSubscription(system_, b.f);
    ASSERT_FALSE(r.ok()) << b.field;
    EXPECT_EQ(r.error().field, b.field) << r.error().message;
  }
  EXPECT_TRUE(store_->listSubscriptions(system_)->empty()) << "a refused subscription was stored";
  // A channel in use cannot be deleted.
  subscribe({.orgId = noiVu_.id, .channelId = hook.id, .kind = NoticeKind::kAlertNew});
  EXPECT_EQ(store_->deleteChannel(system_, hook.id).error().code, ErrorCode::kConflict);
}

TEST_F(NotifyTest, SecretsNeverLeaveTheStoreAndChangesAreAudited) {
  const User admin = user("quantri.noivu", noiVu_, Role::kAdministrator);
  const User auditor = user("kiemtoan.noivu", noiVu_, Role::kAuditor);
  const User officer = user("canbo.noivu", noiVu_, Role::kUnitOfficer);
  const Actor a = actorOf(admin);
  auto ch = store_->createChannel(a,
                                  {.orgId = noiVu_.id,
                                   .name = "Webhook Sở Nội vụ",
                                   .kind = ChannelKind::kWebhook,
                                   .target = "https://soc.noivu.gov.vn/hook"},
                                  crypto::seal(key_, "bi-mat-khong-lo-ra-ngoai"));
  ASSERT_TRUE(ch.ok()) << ch.error().message;
  EXPECT_TRUE(ch->hasSecret);
  ASSERT_TRUE(store_->updateChannel(a, ch->id, {.sealedSecret = crypto::seal(key_, "bi-mat-moi-0123456")}).ok());
  // Reading: the auditor sees the channel, the officer does not; neither may change it.
  EXPECT_EQ(store_->listChannels(actorOf(auditor))->size(), 1u);
  EXPECT_TRUE(store_->listChannels(actorOf(officer))->empty());
  EXPECT_EQ(store_->getChannel(actorOf(officer), ch->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->updateChannel(actorOf(auditor), ch->id, {.enabled = false}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(
      store_->createChannel(a, {.orgId = congThuong_.id, .name = "x", .kind = ChannelKind::kTelegram}, "").error().code,
      ErrorCode::kNotFound);

  auto audit = store_->listAudit(system_, {});
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> actions;
  for (const auto& e : audit->items) {
    if (e.objectType != "notify_channel") continue;
    actions.push_back(e.action);
    EXPECT_EQ(e.summary.find("bi-mat"), std::string::npos) << e.summary;
    EXPECT_EQ(e.actor, "quantri.noivu");
  }
  EXPECT_EQ(actions.size(), 2u);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "notify_channel.update"), actions.end());
  // The sealed secret opens with the master key only.
  auto sealed = store_->channelForTest(a, ch->id);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(crypto::open(key_, sealed->sealedSecret).value(), "bi-mat-moi-0123456");
  EXPECT_FALSE(crypto::open(crypto::randomBytes(32), sealed->sealedSecret).ok());
  EXPECT_EQ(store_->channelForTest(actorOf(auditor), ch->id).error().code, ErrorCode::kForbidden);
  // An agency's administrator may not route its subscriptions through the province's channel.
  const NotifyChannel province = webhook(1, "Webhook tỉnh");
  auto borrowed = store_->createSubscription(a, {.orgId = noiVu_.id, .channelId = province.id});
  ASSERT_FALSE(borrowed.ok());
  EXPECT_EQ(borrowed.error().field, "channel_id");
  EXPECT_TRUE(store_->createSubscription(a, {.orgId = noiVu_.id, .channelId = ch->id}).ok());
}

// --- Alerts: the notice of a new alert ------------------------------------------------------------

TEST(NotifyFormat, AlertNoticeIsVietnameseFirstAndCarriesTheAlert) {
  Alert a{.id = 42,
          .orgId = 7,
          .orgName = "Sở Nội vụ",
          .asset = "mail.noivu.gov.vn",
          .detector = DetectorKind::kSigma,
          .ruleId = "ssh-brute",
          .ruleTitle = "Dò mật khẩu SSH",
          .severity = AlertSeverity::kCritical,
          .title = "Dò mật khẩu từ 203.0.113.7",
          .description = std::string(2100, 'a') + "ả",
          .firstSeen = 1795000000000};
  const Notice n = notify::alertNotice(a, "https://vigil.tinh.gov.vn/");
  EXPECT_EQ(n.orgId, 7);
  EXPECT_EQ(n.severity, AlertSeverity::kCritical);
  EXPECT_EQ(n.subject, "[Vigil] Cảnh báo mới (nghiêm trọng) / New alert (critical): Dò mật khẩu từ 203.0.113.7");
  EXPECT_NE(n.body.find("Cơ quan, đơn vị / Agency: Sở Nội vụ"), std::string::npos) << n.body;
  EXPECT_NE(n.body.find("#42"), std::string::npos);
  EXPECT_NE(n.body.find("Dò mật khẩu SSH (ssh-brute)"), std::string::npos);
  EXPECT_EQ(n.link, "https://vigil.tinh.gov.vn/alerts");
  EXPECT_LT(n.body.size(), 2600u) << "the description is cut";
  EXPECT_TRUE(text::isValidUtf8(n.body));
}

}  // namespace
}  // namespace vigil::test
