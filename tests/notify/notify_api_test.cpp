// The notification routes (/api/v1/notify/...) through a whole in-process server, and the alert
// sink's hand-over of new alerts to the dispatcher (what `vigil serve` wires).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/crypto.h"
#include "notify/receiver.h"
#include "support/test_server.h"

namespace vigil::test {
namespace {

namespace json = boost::json;

json::object obj(const std::string& body) { return json::parse(body).as_object(); }

TEST(NotifyApi, ChannelSecretIsNeverReturnedAndTestSendIsAudited) {
  TestServer srv;
  Session& admin = srv.admin();
  const auto out = srv.dir() / "hook.jsonl";
  Receiver hook({"http", out.string(), "0"});
  const std::string url = "http://127.0.0.1:" + std::to_string(hook.port()) + "/vigil";
  const std::string secret = "khoa-ky-webhook-rat-bi-mat-42";

  // Bad input is refused naming the field; nothing is created.
  const std::pair<std::string, std::string> bad[] = {
      {R"({"org_id":1,"name":"Webhook","kind":"webhook","target":")" + url + R"(","secret":"ngan"})", "secret"},
      {R"({"org_id":1,"name":"Webhook","kind":"webhook","target":")" + url + R"("})", "secret"},
      {R"({"org_id":1,"name":"Webhook","kind":"fax","target":")" + url + R"(","secret":")" + secret + R"("})", "kind"},
      {R"({"org_id":1,"name":"Bot","kind":"telegram","secret":"123/../x"})", "secret"},
      {R"({"org_id":1,"name":"Thư","kind":"email","target":"smtp://relay.tinh.gov.vn:587","email_from":"a@b.vn",)"
       R"("username":"vigil"})",
       "secret"},
  };
  for (const auto& [body, field] : bad) {
    auto r = srv.call(admin, "POST", "/api/v1/notify/channels", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_NE(r.body.find("\"field\":\"" + field + "\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(srv.call(admin, "GET", "/api/v1/notify/channels").body, R"({"items":[]})");

  auto created = srv.call(admin, "POST", "/api/v1/notify/channels",
                          R"({"org_id":1,"name":"Webhook SOC tỉnh","kind":"webhook","target":")" + url +
                              R"(","secret":")" + secret + R"("})");
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = obj(created.body).at("id").as_int64();
  EXPECT_TRUE(obj(created.body).at("has_secret").as_bool());
  for (const std::string& path : {std::string("/api/v1/notify/channels"),
                                  "/api/v1/notify/channels/" + std::to_string(id), std::string("/api/v1/audit")}) {
    auto r = srv.call(admin, "GET", path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body.find(secret), std::string::npos) << path << " shows the secret";
  }

  // A webhook test names no recipient.
  auto withRecipient =
      srv.call(admin, "POST", "/api/v1/notify/channels/" + std::to_string(id) + "/test", R"({"recipient":"a@b.vn"})");
  EXPECT_EQ(withRecipient.status, 400) << withRecipient.body;
  EXPECT_NE(withRecipient.body.find("\"field\":\"recipient\""), std::string::npos) << withRecipient.body;
  EXPECT_TRUE(records(out).empty());

  // Send test: delivered to the receiver, signed with the secret, and audited.
  auto test = srv.call(admin, "POST", "/api/v1/notify/channels/" + std::to_string(id) + "/test", "");
  ASSERT_EQ(test.status, 200) << test.body;
  EXPECT_EQ(test.body, R"({"delivered":true,"error":null})");
  const auto got = records(out);
  ASSERT_EQ(got.size(), 1u);
  const auto& h = got[0].at("headers").as_object();
  const std::string body(got[0].at("body").as_string());
  EXPECT_EQ(std::string(h.at("x-vigil-signature").as_string()),
            "sha256=" + crypto::hexEncode(crypto::hmacSha256(
                            secret, std::string(h.at("x-vigil-timestamp").as_string()) + "." + body)));
  auto audit = srv.call(admin, "GET", "/api/v1/audit?action=notify_channel.test");
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("notify_channel.test"), std::string::npos) << audit.body;

  // A subscription on it; the delivery log lists what the dispatcher sent.
  auto sub = srv.call(
      admin, "POST", "/api/v1/notify/subscriptions",
      R"({"org_id":1,"channel_id":)" + std::to_string(id) + R"(,"kind":"alert_new",)" + R"("min_severity":"high"})");
  ASSERT_EQ(sub.status, 201) << sub.body;
  EXPECT_EQ(std::string(obj(sub.body).at("min_severity").as_string()), "high");
  auto badSub = srv.call(
      admin, "POST", "/api/v1/notify/subscriptions",
      R"({"org_id":1,"channel_id":)" + std::to_string(id) + R"(,"kind":"alert_new",)" + R"("min_severity":"urgent"})");
  EXPECT_EQ(badSub.status, 400) << badSub.body;
  ASSERT_TRUE(srv.notifier()
                  .publish({.orgId = 1,
                            .kind = NoticeKind::kAlertNew,
                            .severity = AlertSeverity::kCritical,
                            .subject = "Cảnh báo mới"})
                  .ok());
  EXPECT_EQ(srv.notifier().runOnce().sent, 1);
  auto log = srv.call(admin, "GET", "/api/v1/notify/deliveries?status=sent");
  ASSERT_EQ(log.status, 200) << log.body;
  const auto items = obj(log.body).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(std::string(items[0].at("subject").as_string()), "Cảnh báo mới");
  EXPECT_EQ(items[0].at("attempts").as_int64(), 1);
  EXPECT_EQ(srv.call(admin, "GET", "/api/v1/notify/deliveries?status=lost").status, 400);

  // In use: the channel cannot be deleted until its subscription is.
  EXPECT_EQ(srv.call(admin, "DELETE", "/api/v1/notify/channels/" + std::to_string(id)).status, 409);
  const int64_t subId = obj(sub.body).at("id").as_int64();
  EXPECT_EQ(srv.call(admin, "DELETE", "/api/v1/notify/subscriptions/" + std::to_string(subId)).status, 204);
  EXPECT_EQ(srv.call(admin, "DELETE", "/api/v1/notify/channels/" + std::to_string(id)).status, 204);
}

TEST(NotifyApi, NewAlertsFromTheSinkArePublishedButMergesAreNot) {
  TestServer srv;
  const auto out = srv.dir() / "hook.jsonl";
  Receiver hook({"http", out.string(), "0"});
  ChannelFields f{.orgId = 1,
                  .name = "Webhook",
                  .kind = ChannelKind::kWebhook,
                  .target = "http://127.0.0.1:" + std::to_string(hook.port()) + "/a"};
  const Actor system = Actor::systemActor("test");
  auto ch = srv.store().createChannel(system, f, srv.notifier().sealSecret("khoa-ky-webhook-0123456"));
  ASSERT_TRUE(ch.ok()) << ch.error().message;
  ASSERT_TRUE(srv.store().createSubscription(system, {.orgId = 1, .channelId = ch->id}).ok());

  // The wiring of `vigil serve`: the sink's onCreated publishes each new alert.
  alerts::AlertSink sink(srv.store(), {.onCreated = [&](const std::vector<int64_t>& ids) {
                           for (int64_t id : ids) {
                             auto a = srv.store().getAlert(system, id);
                             ASSERT_TRUE(a.ok());
                             ASSERT_TRUE(srv.notifier().publish(notify::alertNotice(*a, "")).ok());
                           }
                         }});
  AlertDraft d{.orgId = 1,
               .detector = DetectorKind::kSigma,
               .ruleId = "ssh-brute",
               .severity = AlertSeverity::kHigh,
               .dedupKey = "203.0.113.7",
               .title = "Dò mật khẩu SSH"};
  ASSERT_TRUE(sink.raise(d).ok());
  sink.flush();
  ASSERT_TRUE(sink.raise(d).ok());  // the same rule and key: merged, no new notice
  sink.flush();
  d.dedupKey = "203.0.113.8";
  ASSERT_TRUE(sink.raise(d).ok());
  sink.stop();  // joins the sink's thread: its callbacks have run (flush() waits for the commit only)
  EXPECT_EQ(srv.notifier().runOnce().sent, 2);
  const auto got = records(out);
  ASSERT_EQ(got.size(), 2u);
  for (const auto& r : got) {
    const auto payload = json::parse(r.at("body").as_string()).as_object();
    EXPECT_EQ(std::string(payload.at("subject").as_string()),
              "[Vigil] Cảnh báo mới (cao) / New alert (high): Dò mật khẩu SSH");
  }
}

}  // namespace
}  // namespace vigil::test
