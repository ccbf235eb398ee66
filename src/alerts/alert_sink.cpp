#include "alerts/alert_sink.h"

#include "core/log.h"
#include "core/text.h"

namespace vigil::alerts {

namespace {

Status checkLength(const char* field, const std::string& v, size_t maxBytes, bool required) {
  if (required && v.empty()) return Error::validation(field, "is required");
  if (v.size() > maxBytes) return Error::validation(field, "is longer than " + std::to_string(maxBytes) + " bytes");
  if (!text::isValidUtf8(v)) return Error::validation(field, "is not valid UTF-8");
  return {};
}

}  // namespace

Status validateDraft(const AlertDraft& d) {
  if (d.orgId <= 0) return Error::validation("org_id", "must name the organisation the alert belongs to");
  VIGIL_TRY(checkLength("title", d.title, 1000, true));
  VIGIL_TRY(checkLength("rule_id", d.ruleId, 200, false));
  VIGIL_TRY(checkLength("rule_title", d.ruleTitle, 500, false));
  VIGIL_TRY(checkLength("dedup_key", d.dedupKey, 500, false));
  VIGIL_TRY(checkLength("asset", d.asset, 500, false));
  VIGIL_TRY(checkLength("description", d.description, 20000, false));
  VIGIL_TRY(checkLength("evidence", d.evidence, 65536, false));
  VIGIL_TRY(checkLength("events_query", d.eventsQuery, 8192, false));
  VIGIL_TRY(checkLength("sender", d.sender, 200, false));
  if (d.tags.size() > 64) return Error::validation("tags", "has more than 64 items");
  for (size_t i = 0; i < d.tags.size(); ++i)
    VIGIL_TRY(checkLength(("tags[" + std::to_string(i) + "]").c_str(), d.tags[i], 200, true));
  if (d.observables.size() > 100) return Error::validation("observables", "has more than 100 items");
  for (size_t i = 0; i < d.observables.size(); ++i) {
    const std::string where = "observables[" + std::to_string(i) + "]";
    if (!isObservableType(d.observables[i].type))
      return Error::validation(where + ".type", "'" + d.observables[i].type +
                                                    "' is not one of ip, domain, url, hash, email, file, user, "
                                                    "host");
    VIGIL_TRY(checkLength((where + ".value").c_str(), d.observables[i].value, 2000, true));
  }
  return {};
}

AlertSink::AlertSink(AlertStore& store, AlertSinkOptions opts, std::function<void()> onCommitted)
    : store_(store), opts_(opts), onCommitted_(std::move(onCommitted)) {
  if (auto* m = opts_.metrics)
    m->describe("vigil_alerts_total", Metrics::Type::kCounter,
                "Alerts reported by detectors, by result (created, merged, suppressed, rejected, dropped, failed).");
  thread_ = std::thread([this] { run(); });
}

AlertSink::~AlertSink() { stop(); }

Status AlertSink::raise(AlertDraft d) {
  if (Status st = validateDraft(d); !st.ok()) {
    std::lock_guard lock(mu_);
    ++stats_.rejected;
    if (opts_.metrics) opts_.metrics->add("vigil_alerts_total", "result=\"rejected\"");
    return st;
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Error::unavailable("the alert sink is stopping");
    if (queue_.size() >= opts_.queueMax) {
      ++stats_.dropped;
      if (opts_.metrics) opts_.metrics->add("vigil_alerts_total", "result=\"dropped\"");
      return Error::unavailable("the alert queue is full (" + std::to_string(opts_.queueMax) + " waiting)");
    }
    queue_.push_back(std::move(d));
    ++queuedTotal_;
    ++stats_.raised;
  }
  cv_.notify_one();
  return {};
}

void AlertSink::flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = queuedTotal_;
  doneCv_.wait(lock, [&] { return doneTotal_ >= target; });
}

void AlertSink::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

AlertSink::Stats AlertSink::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void AlertSink::run() {
  for (;;) {
    std::vector<AlertDraft> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      while (!queue_.empty() && batch.size() < opts_.batchMax) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto out = store_.raiseAlerts(batch, opts_.dedupWindowMs);
    if (!out.ok()) out = store_.raiseAlerts(batch, opts_.dedupWindowMs);  // once more: a full store queue
    if (!out.ok())
      log::error("alerts lost: a batch of " + std::to_string(batch.size()) +
                 " was refused by the store: " + out.error().message);
    {
      std::lock_guard lock(mu_);
      if (out.ok()) {
        stats_.created += out->created;
        stats_.merged += out->merged;
        stats_.suppressed += out->suppressed;
        stats_.rejected += out->rejected;
      } else {
        stats_.failed += static_cast<int64_t>(batch.size());
      }
      doneTotal_ += batch.size();
    }
    if (auto* m = opts_.metrics) {
      if (out.ok()) {
        m->add("vigil_alerts_total", "result=\"created\"", static_cast<double>(out->created));
        m->add("vigil_alerts_total", "result=\"merged\"", static_cast<double>(out->merged));
        m->add("vigil_alerts_total", "result=\"suppressed\"", static_cast<double>(out->suppressed));
        m->add("vigil_alerts_total", "result=\"rejected\"", static_cast<double>(out->rejected));
      } else {
        m->add("vigil_alerts_total", "result=\"failed\"", static_cast<double>(batch.size()));
      }
    }
    doneCv_.notify_all();
    if (out.ok() && onCommitted_ && (out->created > 0 || out->merged > 0)) onCommitted_();
    if (out.ok() && opts_.onCreated && !out->createdIds.empty()) opts_.onCreated(out->createdIds);
  }
}

}  // namespace vigil::alerts
