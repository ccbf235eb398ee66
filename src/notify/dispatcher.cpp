#include "notify/dispatcher.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/log.h"

namespace vigil::notify {

namespace {
constexpr TimeMs kMinuteMs = 60 * 1000;
}

Dispatcher::Dispatcher(NotifyStore& store, const Clock& clock, std::string masterKey, DispatcherOptions opts)
    : store_(store),
      clock_(clock),
      masterKey_(std::move(masterKey)),
      opts_(std::move(opts)),
      rng_(opts_.seed ? opts_.seed : std::random_device{}()) {
  initCurl();
  if (auto* m = opts_.metrics) {
    m->describe("vigil_notify_notices_total", Metrics::Type::kCounter,
                "Notices published, by result (stored, dropped: queue full, failed: not stored).");
    m->describe("vigil_notify_deliveries_total", Metrics::Type::kCounter,
                "Delivery attempts by channel kind and result (sent, retry, failed, deferred).");
    m->describe("vigil_notify_queue_depth", Metrics::Type::kGauge, "Notices waiting to be stored.");
  }
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::count(std::string_view family, std::string labels, double v) {
  if (opts_.metrics) opts_.metrics->add(family, labels, v);
}

Status Dispatcher::publish(Notice n) {
  if (n.orgId <= 0) return Error::validation("org_id", "a notice names the agency it concerns");
  if (n.subject.empty()) return Error::validation("subject", "a notice needs a subject");
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Error::unavailable("the notification dispatcher is stopping");
    if (queue_.size() >= opts_.queueMax) {
      count("vigil_notify_notices_total", "result=\"dropped\"");
      return Error::unavailable("the notification queue is full (" + std::to_string(opts_.queueMax) + " waiting)");
    }
    queue_.push_back(std::move(n));
    wake_ = true;
    if (opts_.metrics) opts_.metrics->set("vigil_notify_queue_depth", "", static_cast<double>(queue_.size()));
  }
  cv_.notify_one();
  return {};
}

void Dispatcher::start() {
  std::lock_guard lock(mu_);
  if (!thread_.joinable() && !stopping_) thread_ = std::thread([this] { run(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Whatever is still queued is written (not sent) so that the next start sends it.
  std::deque<Notice> rest;
  {
    std::lock_guard lock(mu_);
    rest.swap(queue_);
  }
  for (const Notice& n : rest)
    if (auto r = store_.enqueueNotice(n, clock_.nowMs()); !r.ok())
      log::error("notification lost at shutdown: " + r.error().message);
}

std::string Dispatcher::sealSecret(std::string_view plain) const { return crypto::seal(masterKey_, plain); }

TimeMs Dispatcher::retryDelayMs(int attemptsDone) {
  const auto& d = opts_.retryDelaysSeconds;
  const int idx = std::clamp(attemptsDone - 1, 0, static_cast<int>(d.size()) - 1);
  const TimeMs base = d.empty() ? kMinuteMs : static_cast<TimeMs>(d[static_cast<size_t>(idx)]) * 1000;
  if (opts_.jitterPercent <= 0 || base <= 0) return base;
  std::uniform_int_distribution<TimeMs> jitter(0, base * opts_.jitterPercent / 100);
  return base + jitter(rng_);
}

Status Dispatcher::send(const ChannelWithSecret& c, const std::string& recipient, const Notice& n, int64_t noticeId,
                        std::string_view messageId) {
  std::string secret;
  if (!c.sealedSecret.empty()) {
    auto opened = crypto::open(masterKey_, c.sealedSecret);
    if (!opened.ok())
      return Error::internal("the channel's secret cannot be opened (was the data directory's master key replaced?)");
    secret = std::move(opened).value();
  }
  switch (c.channel.kind) {
    case ChannelKind::kEmail: return sendEmail(c.channel, secret, recipient, n, opts_.send, clock_.nowMs(), messageId);
    case ChannelKind::kWebhook: return sendWebhook(c.channel, secret, n, noticeId, opts_.send, clock_.nowMs());
    case ChannelKind::kTelegram:
      if (secret.empty()) return Error::validation("secret", "the Telegram channel has no bot token");
      return sendTelegram(secret, recipient, n, opts_.send);
  }
  return Error::internal("unknown channel kind");
}

Status Dispatcher::sendTest(const ChannelWithSecret& c, const std::string& recipient) {
  const Notice n{.orgId = c.channel.orgId,
                 .kind = NoticeKind::kAlertNew,
                 .severity = AlertSeverity::kLow,
                 .subject = "[Vigil] Thư thử kênh thông báo / Test message",
                 .body = "Đây là thư thử của kênh thông báo \"" + c.channel.name +
                         "\". Nếu bạn nhận được, kênh đã hoạt động.\n\nThis is a test message of the notification "
                         "channel \"" +
                         c.channel.name + "\"."};
  const std::string id = "test." + crypto::hexEncode(crypto::randomBytes(8)) + "@vigil";
  return send(c, recipient, n, 0, id);
}

PassStats Dispatcher::runOnce() {
  std::lock_guard pass(passMu_);
  PassStats stats;
  std::deque<Notice> notices;
  {
    std::lock_guard lock(mu_);
    notices.swap(queue_);
    wake_ = false;
    if (opts_.metrics) opts_.metrics->set("vigil_notify_queue_depth", "", 0);
  }
  for (const Notice& n : notices) {
    auto queued = store_.enqueueNotice(n, clock_.nowMs());
    if (!queued.ok()) {
      log::error("notification not stored: " + queued.error().message);
      count("vigil_notify_notices_total", "result=\"failed\"");
      continue;
    }
    ++stats.noticesStored;
    stats.deliveriesQueued += static_cast<int>(*queued);
    count("vigil_notify_notices_total", "result=\"stored\"");
  }

  const TimeMs now = clock_.nowMs();
  auto due = store_.dueDeliveries(now, opts_.batch);
  if (!due.ok()) {
    log::error("notification outbox unreadable: " + due.error().message);
    return stats;
  }
  for (const DueDelivery& d : *due) {
    {
      // Shutdown waits for at most the transfer under way, not the whole batch.
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    const int64_t channelId = d.channel.channel.id;
    const std::string kind = "channel=\"" + std::string(channelKindName(d.channel.channel.kind)) + "\"";
    Window& w = rate_[channelId];
    const TimeMs t = clock_.nowMs();
    if (t - w.start >= kMinuteMs) w = {t, 0};
    if (opts_.ratePerMinute > 0 && w.sent >= opts_.ratePerMinute) {
      (void)store_.deferDelivery(d.delivery.id, w.start + kMinuteMs);
      ++stats.deferred;
      count("vigil_notify_deliveries_total", kind + ",result=\"deferred\"");
      continue;
    }
    ++w.sent;
    const std::string messageId = std::to_string(d.delivery.noticeId) + "." + std::to_string(d.delivery.id) + "@vigil";
    Status st = d.channel.channel.enabled
                    ? send(d.channel, d.delivery.recipient, d.notice, d.delivery.noticeId, messageId)
                    : Status(Error::unavailable("the channel is disabled"));
    const TimeMs after = clock_.nowMs();
    if (st.ok()) {
      (void)store_.recordDeliveryAttempt(d.delivery.id, after, "", std::nullopt);
      ++stats.sent;
      count("vigil_notify_deliveries_total", kind + ",result=\"sent\"");
      continue;
    }
    const int attempts = d.delivery.attempts + 1;
    std::optional<TimeMs> retryAt;
    if (attempts < opts_.maxAttempts && st.error().code != ErrorCode::kInternal)
      retryAt = after + retryDelayMs(attempts);
    (void)store_.recordDeliveryAttempt(d.delivery.id, after, st.error().message, retryAt);
    if (retryAt) {
      ++stats.retried;
      count("vigil_notify_deliveries_total", kind + ",result=\"retry\"");
    } else {
      ++stats.failed;
      count("vigil_notify_deliveries_total", kind + ",result=\"failed\"");
      log::warn("notification to '" + d.delivery.recipient + "' via channel '" + d.channel.channel.name +
                "' given up after " + std::to_string(attempts) + " attempt(s): " + st.error().message);
    }
  }
  return stats;
}

void Dispatcher::run() {
  for (;;) {
    const PassStats s = runOnce();
    std::unique_lock lock(mu_);
    if (stopping_) return;
    if (!queue_.empty()) continue;
    // Sleep until the next pending attempt is due, a notice arrives, or idleWake passes. A full
    // batch means more may be due now.
    auto wait = opts_.idleWake;
    if (s.sent + s.retried + s.failed + s.deferred < opts_.batch) {
      lock.unlock();
      auto next = store_.nextDeliveryDue();
      lock.lock();
      if (next.ok() && next->has_value()) {
        const TimeMs in = std::max<TimeMs>(**next - clock_.nowMs(), 0);
        wait = std::min(wait, std::chrono::milliseconds(std::max<TimeMs>(in, 50)));
      }
    } else {
      wait = std::chrono::milliseconds(0);
    }
    cv_.wait_for(lock, wait, [&] { return stopping_ || wake_; });
    if (stopping_) return;
  }
}

Notice alertNotice(const Alert& a, const std::string& linkBase) {
  static constexpr const char* kSeverityVi[] = {"thấp", "trung bình", "cao", "nghiêm trọng"};
  const std::string sevVi = kSeverityVi[static_cast<int>(a.severity)];
  const std::string sevEn(severityName(a.severity));
  Notice n;
  n.orgId = a.orgId;
  n.kind = NoticeKind::kAlertNew;
  n.severity = a.severity;
  n.subject = "[Vigil] Cảnh báo mới (" + sevVi + ") / New alert (" + sevEn + "): " + a.title;
  std::string b;
  b += "Cảnh báo mới / New alert #" + std::to_string(a.id) + "\n";
  b += "Cơ quan, đơn vị / Agency: " + a.orgName + "\n";
  b += "Mức độ / Severity: " + sevVi + " (" + sevEn + ")\n";
  b += "Tiêu đề / Title: " + a.title + "\n";
  if (!a.ruleId.empty() || !a.ruleTitle.empty())
    b += "Luật / Rule: " + a.ruleTitle + (a.ruleId.empty() ? "" : " (" + a.ruleId + ")") + "\n";
  if (!a.asset.empty()) b += "Tài sản, máy / Asset: " + a.asset + "\n";
  b += "Nguồn phát hiện / Detector: " + std::string(detectorName(a.detector)) + "\n";
  b += "Thời gian / Seen: " + formatRfc3339(a.firstSeen) + "\n";
  if (!a.description.empty()) {
    std::string d = a.description;
    if (d.size() > 2000) {  // cut before a UTF-8 continuation byte, so no character is split
      size_t cut = 2000;
      while (cut > 0 && (static_cast<unsigned char>(d[cut]) & 0xC0) == 0x80) --cut;
      d.resize(cut);
      d += "…";
    }
    b += "\n" + d + "\n";
  }
  n.body = std::move(b);
  if (!linkBase.empty()) {
    std::string base = linkBase;
    while (!base.empty() && base.back() == '/') base.pop_back();
    n.link = base + "/alerts";
  }
  return n;
}

}  // namespace vigil::notify
