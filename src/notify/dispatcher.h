// Dispatcher: the one door through which vigil notifies people (issue 4, "Notifications").
//
//   publish(Notice)  ->  bounded in-memory queue  ->  worker: NotifyStore::enqueueNotice (the
//   notice and one pending delivery per matching subscription and recipient, one transaction)
//   ->  worker: due deliveries are sent (channels.h), each attempt recorded in the delivery log.
//
// The seam for other modules: build a Notice (agency, kind, severity, subject, body, link) and
// call publish(); the alert sink does it for new alerts (alertNotice), the incident deadline watch
// and the incident routes for deadline_warning / deadline_breach / incident_created
// (incident_notices.h).
//
// Durability: a notice is durable once the worker has written it (normally within milliseconds);
// pending deliveries live in the database, so a restart resumes them. stop() writes what is still
// queued before returning. Overflow: publish() refuses with kUnavailable when queueMax notices
// wait (counted as dropped), so a storm of alerts cannot exhaust memory.
//
// Retries: a failed attempt is retried after retryDelaysSeconds[attempt-1] (the last value repeats)
// plus up to jitterPercent of random jitter; after maxAttempts attempts the delivery is failed.
// Rate limit: at most ratePerMinute sends per channel per minute; the rest wait for the next
// minute without counting an attempt.
//
// Threads: publish(), sealSecret() and sendTest() are thread-safe. runOnce() is what the worker
// calls; tests call it directly (without start()) with a ManualClock. Sends are blocking
// transfers on the worker thread, bounded by SendOptions::timeoutSeconds each.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "notify/channels.h"
#include "store/notify_store.h"

namespace vigil::notify {

struct DispatcherOptions {
  std::vector<int> retryDelaysSeconds{60, 300, 900, 3600};
  int maxAttempts = 5;  // attempts in all, the first included
  int jitterPercent = 20;
  size_t queueMax = 1000;
  int ratePerMinute = 30;                     // sends per channel and minute
  int batch = 50;                             // deliveries handed to the worker per pass
  std::chrono::milliseconds idleWake{30000};  // the worker looks at the outbox at least this often
  SendOptions send;
  Metrics* metrics = nullptr;  // optional: vigil_notify_* counters
  uint64_t seed = 0;           // jitter; 0: from std::random_device
};

// What one runOnce() did.
struct PassStats {
  int noticesStored = 0;
  int deliveriesQueued = 0;
  int sent = 0;
  int retried = 0;   // failed, another attempt scheduled
  int failed = 0;    // failed for good
  int deferred = 0;  // held back by the rate limit
};

class Dispatcher {
 public:
  // `masterKey`: the 32-byte key that seals channel secrets (auth::loadOrCreateMasterKey).
  Dispatcher(NotifyStore& store, const Clock& clock, std::string masterKey, DispatcherOptions opts);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Queues a notice for the worker. kValidation for an empty subject or a missing agency;
  // kUnavailable when the queue is full or the dispatcher stopped.
  Status publish(Notice n);

  void start();  // the worker thread
  void stop();   // writes queued notices, finishes the current send, joins

  // One pass: stores queued notices, then sends the deliveries due now.
  PassStats runOnce();

  // Seals a channel secret for the store (crypto::seal with the master key).
  std::string sealSecret(std::string_view plain) const;
  // Sends a test message through `c` to `recipient` now (not queued, not retried): "" for a
  // webhook. The error says what the server or relay answered.
  Status sendTest(const ChannelWithSecret& c, const std::string& recipient);

  // The wait before attempt `attemptsDone + 1`, with jitter.
  TimeMs retryDelayMs(int attemptsDone);

  const DispatcherOptions& options() const { return opts_; }

 private:
  Status send(const ChannelWithSecret& c, const std::string& recipient, const Notice& n, int64_t noticeId,
              std::string_view messageId);
  void run();
  void count(std::string_view family, std::string labels, double v = 1);

  NotifyStore& store_;
  const Clock& clock_;
  const std::string masterKey_;
  const DispatcherOptions opts_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Notice> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;     // GUARDED_BY(mu_)
  bool wake_ = false;         // GUARDED_BY(mu_)
  std::thread thread_;

  std::mutex passMu_;  // one pass at a time; guards the fields below
  std::mt19937_64 rng_;
  struct Window {
    TimeMs start = 0;
    int sent = 0;
  };
  std::map<int64_t, Window> rate_;  // channel id -> this minute's sends
};

// The notice of a new alert: Vietnamese first, English after; `linkBase` is the server's public
// URL ("" none).
Notice alertNotice(const Alert& a, const std::string& linkBase);

}  // namespace vigil::notify
