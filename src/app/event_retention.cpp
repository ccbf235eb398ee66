#include "app/event_retention.h"

#include "core/log.h"

namespace vigil::app {

bool retentionConfigured(const EventsConfig& config) {
  return config.retentionDays > 0 || config.retentionMaxBytes > 0 || !config.agencyRetentionDays.empty();
}

eventstore::RetentionPolicy retentionPolicy(const EventsConfig& config, int64_t nowUs) {
  eventstore::RetentionPolicy p;
  p.maxDays = config.retentionDays;
  p.maxBytes = static_cast<uint64_t>(config.retentionMaxBytes);
  p.nowUs = nowUs;
  p.orgMaxDays = config.agencyRetentionDays;
  return p;
}

namespace {

void describeMetrics(Metrics& m) {
  m.describe("vigil_eventstore_retention_runs_total", Metrics::Type::kCounter,
             "Retention passes over the event store.");
  m.describe("vigil_eventstore_retention_failures_total", Metrics::Type::kCounter,
             "Retention passes that stopped on an error (see the log).");
  m.describe("vigil_eventstore_retention_deleted_partitions_total", Metrics::Type::kCounter,
             "Day files deleted by retention (older than events.retention_days, or over retention_max_bytes).");
  m.describe("vigil_eventstore_retention_rewritten_partitions_total", Metrics::Type::kCounter,
             "Day files rewritten without the events of agencies past their own retention.");
  m.describe("vigil_eventstore_retention_deleted_events_total", Metrics::Type::kCounter,
             "Events deleted by retention.");
  m.describe("vigil_eventstore_retention_deleted_bytes_total", Metrics::Type::kCounter,
             "Bytes on disk freed by retention.");
  m.describe("vigil_eventstore_retention_last_run_timestamp_seconds", Metrics::Type::kGauge,
             "When the last retention pass finished (Unix time).");
}

std::string joinDays(const std::vector<std::string>& days) {
  std::string out;
  for (const auto& d : days) out += (out.empty() ? "" : ", ") + d;
  return out;
}

}  // namespace

Result<eventstore::RetentionReport> runEventRetention(eventstore::EventStore& store, const EventsConfig& config,
                                                      const Clock& clock, Metrics& metrics) {
  describeMetrics(metrics);
  metrics.add("vigil_eventstore_retention_runs_total", "");
  metrics.add("vigil_eventstore_retention_failures_total", "", 0);  // shown from the first pass
  auto report = store.applyRetention(retentionPolicy(config, clock.nowMs() * 1000));
  metrics.set("vigil_eventstore_retention_last_run_timestamp_seconds", "", static_cast<double>(clock.nowSeconds()));
  if (!report.ok()) {
    metrics.add("vigil_eventstore_retention_failures_total", "");
    log::error("event retention failed: " + report.error().message);
    return report.error();
  }
  const auto& r = *report;
  metrics.add("vigil_eventstore_retention_deleted_partitions_total", "",
              static_cast<double>(r.deletedPartitions.size()));
  metrics.add("vigil_eventstore_retention_rewritten_partitions_total", "",
              static_cast<double>(r.rewrittenPartitions.size()));
  metrics.add("vigil_eventstore_retention_deleted_events_total", "", static_cast<double>(r.deletedEvents));
  metrics.add("vigil_eventstore_retention_deleted_bytes_total", "", static_cast<double>(r.deletedBytes));
  if (!r.deletedPartitions.empty() || !r.rewrittenPartitions.empty()) {
    std::string msg = "event retention deleted " + std::to_string(r.deletedEvents) + " event(s), " +
                      std::to_string(r.deletedBytes) + " bytes";
    if (!r.deletedPartitions.empty()) msg += "; days deleted: " + joinDays(r.deletedPartitions);
    if (!r.rewrittenPartitions.empty())
      msg += "; days rewritten without agencies past their own retention: " + joinDays(r.rewrittenPartitions);
    log::info(msg);
  }
  return report;
}

}  // namespace vigil::app
