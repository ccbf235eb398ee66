// Incident notices through the notification channels (notify/incident_notices.h,
// alerts/deadline_watch.h, ApiDeps::incidentCreated), delivered to real receivers on loopback
// (tests/notify/receivers.py): a new incident publishes incident_created; the deadline watch on a
// fake clock publishes each warning (50/75/90 %) and the breach exactly once, also after the watch
// restarts; a breach e-mail goes through a real SMTP server (aiosmtpd, STARTTLS) to the
// subscription's recipients and, escalated, to the leaders of the incident's agency only.
#include <set>

#include "alerts/deadline_watch.h"
#include "api_test_util.h"
#include "compliance/regime_catalog.h"
#include "core/crypto.h"
#include "http/tls_cert.h"
#include "incident/process_catalog.h"
#include "notify/dispatcher.h"
#include "notify/incident_notices.h"
#include "notify/receiver.h"

namespace vigil::test {
namespace {

constexpr TimeMs kMinute = 60 * 1000;
constexpr TimeMs kHour = 60 * kMinute;
const std::string kLinkBase = "https://vigil.tinh.gov.vn/";

std::shared_ptr<const incident::ProcessLibrary> processes() {
  static const auto lib = [] {
    auto regimes = compliance::loadRegimeDirectory(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/regimes");
    EXPECT_TRUE(regimes.ok());
    auto r = incident::ProcessLibrary::loadDirectory(
        std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/incident/processes", *regimes);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::make_shared<const incident::ProcessLibrary>(std::move(r).value());
  }();
  return lib;
}

std::shared_ptr<const calendar::WorkingCalendar> vnCalendar() {
  auto cal = calendar::WorkingCalendar::load(std::string(VIGIL_TEST_SOURCE_DIR) + "/catalogs/calendar/vn.toml");
  EXPECT_TRUE(cal.ok());
  return std::make_shared<const calendar::WorkingCalendar>(std::move(cal).value());
}

class IncidentNotify : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = srv_.createOrg(srv_.admin(), 1, "Sở Y tế");
    socA_ = srv_.userSession("soc.yte", a_, "soc_analyst");
  }

  std::unique_ptr<notify::Dispatcher> dispatcher(const std::string& caFile = "") {
    return std::make_unique<notify::Dispatcher>(
        srv_.store(), srv_.clock(), key_,
        notify::DispatcherOptions{.jitterPercent = 0, .send = {.timeoutSeconds = 5, .caFile = caFile}});
  }
  NotifyChannel channel(const ChannelFields& f, const std::string& sealed) {
    auto r = srv_.store().createChannel(system_, f, sealed);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : NotifyChannel{};
  }
  void subscribe(const SubscriptionFields& f) {
    auto r = srv_.store().createSubscription(system_, f);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  }
  // A regime-B incident (72-hour report) detected now, through the API.
  int64_t createIncident() {
    auto r = srv_.call(socA_, "POST", "/api/v1/incidents",
                       body({{"org_id", a_},
                             {"title", "Mã độc trên máy chủ thư điện tử"},
                             {"regime", "B_ND331_TCVN14423"},
                             {"process", "B-ND331"},
                             {"detected_at", formatRfc3339(srv_.clock().nowMs())}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return jsonInt(r.body, "id");
  }
  // The watch as vigil serve wires it (app/commands.cpp): each level raised becomes a notice.
  std::unique_ptr<alerts::DeadlineWatch> watch(notify::Dispatcher& d) {
    return std::make_unique<alerts::DeadlineWatch>(
        srv_.store(), processes(), calendar_, srv_.clock(), "leader", [&d](const alerts::DeadlineRaised& r) {
          const notify::DeadlineFacts facts{r.deadlineId, r.label, r.dueAt, r.level};
          ASSERT_TRUE(d.publish(r.level >= 100
                                    ? notify::deadlineBreachNotice(r.incident, facts, Role::kLeader, r.now, kLinkBase)
                                    : notify::deadlineWarningNotice(r.incident, facts, r.now, kLinkBase))
                          .ok());
        });
  }
  static alerts::DeadlinePass check(alerts::DeadlineWatch& w) {
    auto r = w.checkOnce();
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : alerts::DeadlinePass{};
  }

  TestServer srv_;
  const Actor system_ = Actor::systemActor("test");
  const std::string key_ = crypto::randomBytes(32);
  const std::shared_ptr<const calendar::WorkingCalendar> calendar_ = vnCalendar();
  int64_t a_ = 0;
  Session socA_;
};

TEST_F(IncidentNotify, NewIncidentWarningsAndBreachReachTheWebhookOnceEvenAfterTheWatchRestarts) {
  TempDir dir;
  const auto out = dir.path() / "hook.jsonl";
  Receiver hook({"http", out.string(), "0"});
  auto d = dispatcher();
  const NotifyChannel ch = channel({.orgId = a_,
                                    .name = "Webhook SOC",
                                    .kind = ChannelKind::kWebhook,
                                    .target = "http://127.0.0.1:" + std::to_string(hook.port()) + "/hook"},
                                   d->sealSecret("vigil-test-secret-0123"));
  for (NoticeKind k : {NoticeKind::kIncidentCreated, NoticeKind::kDeadlineWarning, NoticeKind::kDeadlineBreach})
    subscribe({.orgId = a_, .channelId = ch.id, .kind = k});
  srv_.onIncidentCreated(
      [&d](const Incident& inc) { EXPECT_TRUE(d->publish(notify::incidentCreatedNotice(inc, kLinkBase)).ok()); });

  const TimeMs detected = srv_.clock().nowMs();
  const int64_t id = createIncident();
  EXPECT_EQ(d->runOnce().sent, 1);
  auto payloads = [&] {
    std::vector<json::object> v;
    for (const auto& r : records(out)) v.push_back(json::parse(str(r.at("body"))).as_object());
    return v;
  };
  ASSERT_EQ(payloads().size(), 1u);
  const json::object created = payloads()[0];
  EXPECT_EQ(str(created.at("kind")), "incident_created");
  EXPECT_EQ(str(created.at("link")), "https://vigil.tinh.gov.vn/incidents/" + std::to_string(id));
  EXPECT_EQ(str(created.at("subject")).rfind("[Vigil] Sự cố mới", 0), 0u) << "Vietnamese first";
  EXPECT_NE(str(created.at("subject")).find("New incident"), std::string::npos);

  auto w = watch(*d);
  const std::vector<std::pair<TimeMs, std::string>> steps{
      {36 * kHour, "low"}, {54 * kHour, "medium"}, {65 * kHour, "high"}, {72 * kHour + kMinute, "critical"}};
  for (const auto& [at, severity] : steps) {
    srv_.clock().set(detected + at);
    check(*w);
    check(*w);  // a second pass at the same time raises nothing
    d->runOnce();
  }
  // The 72-hour report's notices: one per level, in order, severity rising, each once.
  std::vector<std::string> kinds, severities, subjects;
  for (const auto& p : payloads()) {
    if (str(p.at("body")).find("(report_72h)") == std::string::npos) continue;
    kinds.push_back(str(p.at("kind")));
    severities.push_back(str(p.at("severity")));
    subjects.push_back(str(p.at("subject")));
    EXPECT_EQ(str(p.at("link")), "https://vigil.tinh.gov.vn/incidents/" + std::to_string(id));
    EXPECT_EQ(p.at("org_id").as_int64(), a_);
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"deadline_warning", "deadline_warning", "deadline_warning", "deadline_breach"}));
  EXPECT_EQ(severities, (std::vector<std::string>{"low", "medium", "high", "critical"}));
  ASSERT_EQ(subjects.size(), 4u);
  EXPECT_EQ(subjects[0].rfind("[Vigil] Sắp đến hạn (50 %)", 0), 0u) << subjects[0];
  EXPECT_EQ(subjects[1].rfind("[Vigil] Sắp đến hạn (75 %)", 0), 0u) << subjects[1];
  EXPECT_EQ(subjects[2].rfind("[Vigil] Sắp đến hạn (90 %)", 0), 0u) << subjects[2];
  EXPECT_EQ(subjects[3].rfind("[Vigil] QUÁ HẠN", 0), 0u) << subjects[3];

  // A restart of the watch (a new one over the same store) publishes nothing again.
  const size_t before = payloads().size();
  w.reset();
  w = watch(*d);
  const auto again = check(*w);
  EXPECT_EQ(again.warnings + again.breaches, 0);
  srv_.clock().advanceMs(kHour);
  check(*w);
  d->runOnce();
  EXPECT_EQ(payloads().size(), before);
}

TEST_F(IncidentNotify, BreachEmailIsEscalatedToTheLeadersOfTheAgencyThroughARealSmtpServer) {
  TempDir dir;
  const auto cert = dir.path() / "smtp-cert.pem", key = dir.path() / "smtp-key.pem";
  ASSERT_TRUE(http::ensureSelfSignedCertificate(cert.string(), key.string(), "127.0.0.1").ok());
  const auto out = dir.path() / "mail.jsonl";
  Receiver smtp({"smtp", out.string(), cert.string(), key.string(), "vigil", "mat-khau-smtp"});
  auto d = dispatcher(cert.string());
  const NotifyChannel mail = channel({.orgId = a_,
                                      .name = "Thư điện tử Sở Y tế",
                                      .kind = ChannelKind::kEmail,
                                      .target = "smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                      .emailFrom = "canhbao@yte.gov.vn",
                                      .username = "vigil"},
                                     d->sealSecret("mat-khau-smtp"));
  subscribe({.orgId = a_, .channelId = mail.id, .kind = NoticeKind::kDeadlineBreach, .recipients = {"soc@yte.gov.vn"}});
  // Leaders: one of the incident's agency (escalated to), one of another agency (not).
  const int64_t b = srv_.createOrg(srv_.admin(), 1, "Sở Tài chính");
  for (const auto& [user, org, email] : std::vector<std::tuple<std::string, int64_t, std::string>>{
           {"lanhdao.yte", a_, "lanhdao@yte.gov.vn"}, {"lanhdao.taichinh", b, "lanhdao@taichinh.gov.vn"}}) {
    auto r = srv_.call(srv_.admin(), "POST", "/api/v1/users",
                       body({{"username", user},
                             {"display_name", "Lãnh đạo " + user},
                             {"org_id", org},
                             {"email", email},
                             {"password", "Leader-password-123"},
                             {"roles", json::array{json::object{{"org_id", org}, {"role", "leader"}}}}}));
    ASSERT_EQ(r.status, 201) << r.body;
  }

  const TimeMs detected = srv_.clock().nowMs();
  const int64_t id = createIncident();
  auto w = watch(*d);
  srv_.clock().set(detected + 72 * kHour + kMinute);
  EXPECT_GE(check(*w).breaches, 1);
  d->runOnce();

  std::set<std::string> rcpts;
  for (const auto& m : records(out)) {
    const std::string body = str(m.at("body"));
    if (body.find("(report_72h)") == std::string::npos) continue;
    rcpts.insert(str(m.at("rcpt_tos").as_array().at(0)));
    EXPECT_EQ(str(m.at("subject")).rfind("[Vigil] QUÁ HẠN / DEADLINE BREACHED", 0), 0u) << str(m.at("subject"));
    EXPECT_NE(body.find("vai trò leader"), std::string::npos) << body;
    EXPECT_NE(body.find("https://vigil.tinh.gov.vn/incidents/" + std::to_string(id)), std::string::npos) << body;
    EXPECT_TRUE(m.at("tls").as_bool());
  }
  EXPECT_EQ(rcpts, (std::set<std::string>{"soc@yte.gov.vn", "lanhdao@yte.gov.vn"}));
}

}  // namespace
}  // namespace vigil::test
