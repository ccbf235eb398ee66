// AlertSink: where detectors hand their alerts (issue 4). raise() validates a draft and queues it;
// one background thread commits the queue in batches through AlertStore::raiseAlerts (one
// transaction per batch, deduplication and suppressions in the store), so that a detector never
// waits for the database and thousands of alerts per second fit in a few commits.
//
// Bounds: at most `queueMax` drafts wait; beyond that raise() refuses with kUnavailable and the
// draft is counted as dropped (the detector sees the error). A batch the store refuses (the store
// is shutting down or its own queue is full) is retried once, then counted as failed and logged.
//
// Threads: every method is thread-safe. stop() (and the destructor) commits what is queued, then
// joins the thread; raise() after stop() is refused. Call stop() from the owner only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "store/alert_store.h"

namespace vigil::alerts {

struct AlertSinkOptions {
  TimeMs dedupWindowMs = 24LL * 3600 * 1000;  // an open alert absorbs reports this recent
  size_t queueMax = 100000;
  size_t batchMax = 2000;
  Metrics* metrics = nullptr;  // optional: vigil_alerts_total{result=...}
  // Optional: runs on the sink's thread after a batch commits, with the ids of the alerts it
  // created (not those merged into open alerts); notifications hang here. Must not block long.
  std::function<void(const std::vector<int64_t>&)> onCreated;
};

// Checks what a detector reports: organisation, title, lengths, observable types. The error names
// the field.
Status validateDraft(const AlertDraft& d);

class AlertSink {
 public:
  // `onCommitted` (optional) runs on the sink's thread after each batch commits (the live feed).
  AlertSink(AlertStore& store, AlertSinkOptions opts, std::function<void()> onCommitted = {});
  ~AlertSink();
  AlertSink(const AlertSink&) = delete;
  AlertSink& operator=(const AlertSink&) = delete;

  Status raise(AlertDraft d);
  // Blocks until everything raised before the call has been committed (or failed).
  void flush();
  void stop();

  struct Stats {
    int64_t raised = 0;  // accepted into the queue
    int64_t created = 0;
    int64_t merged = 0;
    int64_t suppressed = 0;
    int64_t rejected = 0;  // invalid drafts and drafts naming a missing organisation
    int64_t dropped = 0;   // queue full
    int64_t failed = 0;    // lost with a batch the store refused
  };
  Stats stats() const;

 private:
  void run();

  AlertStore& store_;
  const AlertSinkOptions opts_;
  std::function<void()> onCommitted_;

  mutable std::mutex mu_;
  std::condition_variable cv_;      // the queue has work, or stopping
  std::condition_variable doneCv_;  // a batch finished
  std::deque<AlertDraft> queue_;    // GUARDED_BY(mu_)
  uint64_t queuedTotal_ = 0;        // GUARDED_BY(mu_): drafts ever queued
  uint64_t doneTotal_ = 0;          // GUARDED_BY(mu_): drafts committed or failed
  bool stopping_ = false;           // GUARDED_BY(mu_)
  Stats stats_;                     // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace vigil::alerts
