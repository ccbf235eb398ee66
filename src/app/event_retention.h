// Retention of the event store in `vigil serve`: the [events] retention settings turned into an
// eventstore::RetentionPolicy, and one pass that applies it, logs what it deleted and counts it in
// /metrics (vigil_eventstore_retention_*). serve runs a pass at start and then every
// events.retention_interval_seconds. Thread-safe as EventStore::applyRetention is.
#pragma once

#include "config/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "eventstore/event_store.h"

namespace vigil::app {

// True when any retention limit is set (global days or bytes, or an agency's days).
bool retentionConfigured(const EventsConfig& config);

eventstore::RetentionPolicy retentionPolicy(const EventsConfig& config, int64_t nowUs);

// One pass. Errors are logged and counted (vigil_eventstore_retention_failures_total) as well as
// returned; what was deleted before an error stays deleted (whole files; see the store's README).
Result<eventstore::RetentionReport> runEventRetention(eventstore::EventStore& store, const EventsConfig& config,
                                                      const Clock& clock, Metrics& metrics);

}  // namespace vigil::app
