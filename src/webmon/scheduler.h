// The scheduled web-portal monitor (issue 7, "Portals and schedules"): runs every check class of
// every registered portal at its interval, within the bounds that keep it polite and steady.
//
//   Planning    the portals are read from the PortalSource at start and every `reloadSeconds`
//               (or after reloadNow()); at the first read each portal gets each class's first
//               run at a random point within that class's interval (so 500 portals do not all
//               start at once after a restart); a portal registered later, or whose revision
//               changed, gets its first runs within min(interval, reload period), so an officer
//               sees a new portal's TLS grade in minutes, not a day later; a removed or disabled
//               one is dropped. Later runs: the previous due time
//               + the interval ± `jitterFraction` of it; a run that could not start on time starts
//               as soon as a worker is free and its lag is measured.
//   Workers     a fixed pool of `workers` threads (the global concurrency); one run per portal at a
//               time, so two classes of one portal never race each other on the same host.
//   Politeness  one HostGate shared by every worker: at most one request or TLS handshake per
//               host per `perHostInterval` (1 s), whatever class makes it.
//   Retries     the availability class retries a failed try with back-off (RunnerOptions) and
//               reports "down" only after all tries failed; back-off waits are cut short by stop().
//   Hung sites  every request is bounded by the fetcher's timeouts; a slow site holds one worker,
//               never the planner or the other workers.
//   Facts       each portal's latest facts are kept in memory (seeded from PortalSpec::lastFacts);
//               a run of class X replaces the "X." facts (and any other fact it names, e.g.
//               "deface.baseline:<url>") and the next run of X compares with them.
//   Stop        stop() (and the destructor) wakes every wait, cancels transfers in progress, joins
//               every thread. A run is handed to the RunSink whole or not at all: runs cut short by
//               the stop are discarded (counted as cancelled), runs that finished are recorded.
//   Metrics     (optional Metrics*) vigil_webmon_runs_total{class}, vigil_webmon_run_failures_total
//               {class,reason="down|sink"}, vigil_webmon_run_seconds_total{class},
//               vigil_webmon_schedule_lag_seconds (lag of the latest run started),
//               vigil_webmon_overdue_runs, vigil_webmon_running_runs, vigil_webmon_portals,
//               vigil_webmon_source_errors_total.
// Time: due times use the injected Clock (tests use a ManualClock); the gate and timeouts use real
// time because they protect real servers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "webmon/host_gate.h"
#include "webmon/monitor.h"
#include "webmon/runner.h"

namespace vigil::webmon {

struct SchedulerOptions {
  int workers = 8;                                  // global concurrency, 1..256
  int reloadSeconds = 60;                           // how often the portals are read again
  std::chrono::milliseconds perHostInterval{1000};  // the per-host gate
  double jitterFraction = 0.1;                      // later runs: interval ± this fraction
  std::chrono::milliseconds tick{200};              // the planner's longest sleep
  uint64_t seed = 0;                                // jitter seed; 0 = from std::random_device
  Metrics* metrics = nullptr;                       // optional
  // Errors: workers outside 1..256, reloadSeconds < 1, perHostInterval < 0, jitterFraction
  // outside [0, 0.5], tick < 1 ms.
  Status validate() const;
};

class PortalScheduler {
 public:
  PortalScheduler(SchedulerOptions options, PortalSource& source, RunSink& sink, const Clock& clock,
                  ClassRunner& runner);
  ~PortalScheduler();
  PortalScheduler(const PortalScheduler&) = delete;
  PortalScheduler& operator=(const PortalScheduler&) = delete;

  // Validates the options, reads the portals once (an error of the source is returned and nothing
  // starts) and starts the planner and the workers. Call once.
  Status start();
  // Idempotent; see "Stop" above. Returns when every thread has ended.
  void stop();
  // The portals are read again at the planner's next pass (e.g. after an operator edited one).
  void reloadNow();

  struct Stats {
    uint64_t runs = 0;   // recorded (handed to the sink)
    uint64_t downs = 0;  // availability runs that ended "down"
    uint64_t sinkErrors = 0;
    uint64_t cancelled = 0;  // cut short by stop(), not recorded
    uint64_t sourceErrors = 0;
    size_t portals = 0, running = 0, overdue = 0;
    double lastLagSeconds = 0;
  };
  Stats stats() const;
  // When the next run of a portal's class is due; nullopt when the portal is not planned.
  std::optional<TimeMs> nextDue(int64_t portalId, CheckClass c) const;
  // The facts the scheduler holds for a portal (empty when unknown).
  Facts facts(int64_t portalId) const;

 private:
  struct Slot {
    TimeMs due = 0;
    bool running = false;
    uint64_t generation = 0;  // bumped at each re-plan; a finishing run of an older plan does not move `due`
  };
  struct Entry {
    std::shared_ptr<const PortalSpec> spec;
    Facts facts;
    bool busy = false;  // a run of this portal is in progress
    std::map<CheckClass, Slot> slots;
  };
  struct Job {
    std::shared_ptr<const PortalSpec> spec;
    CheckClass checkClass;
    TimeMs due;
    uint64_t generation;
    Facts facts;
  };

  void planLoop();
  void workLoop();
  void reload(std::unique_lock<std::mutex>& lock);
  void apply(const std::vector<PortalSpec>& portals, TimeMs now);  // with mu_ held
  void dispatch(TimeMs now);                                       // with mu_ held
  void finish(const Job& job, const std::optional<PortalRun>& run, double seconds);
  TimeMs firstDue(TimeMs now, int64_t spreadMs);  // with mu_ held
  bool sleepFor(long ms);                         // interruptible; false when stopping
  void describeMetrics();

  const SchedulerOptions o_;
  PortalSource& source_;
  RunSink& sink_;
  const Clock& clock_;
  ClassRunner& runner_;
  HostGate gate_;

  mutable std::mutex mu_;
  std::condition_variable planCv_;  // wakes the planner (run finished, reload, stop)
  std::condition_variable workCv_;  // wakes the workers (job queued, stop)
  std::condition_variable stopCv_;  // wakes back-off sleeps at stop
  std::atomic<bool> stopping_{false};
  bool started_ = false;              // GUARDED_BY(mu_)
  bool reloadRequested_ = false;      // GUARDED_BY(mu_)
  bool planned_ = false;              // GUARDED_BY(mu_): the first read of the portals was applied
  TimeMs nextReload_ = 0;             // GUARDED_BY(mu_)
  std::map<int64_t, Entry> entries_;  // GUARDED_BY(mu_)
  std::deque<Job> queue_;             // GUARDED_BY(mu_)
  size_t idle_ = 0;                   // workers waiting for a job; GUARDED_BY(mu_)
  std::mt19937_64 rng_;               // GUARDED_BY(mu_)
  Stats stats_;                       // GUARDED_BY(mu_)
  std::thread planner_;
  std::vector<std::thread> workers_;
};

}  // namespace vigil::webmon
