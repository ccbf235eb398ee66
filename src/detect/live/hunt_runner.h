// HuntRunner: retro-hunts (issue 6, "threat hunting the provinces must do every 6 months"): one
// Sigma rule, or an event-store query, run over the STORED events of a time range and agency
// scope, in the background. Results are kept as a list (at most `maxResults`, paged by the API)
// and, when asked, raised as alerts through the AlertSink like live matches.
//
// Bounds: a hunt reads at most `maxEvents` events and runs at most `maxSeconds`; beyond either it
// stops with state "done" and `truncated` set (the status says which). At most `maxRunning` hunts
// run at once (a new one is refused with kUnavailable); the last `keep` hunts are remembered in
// memory (not across restarts: the audit log keeps who hunted what).
//
// Reading: the events are read in time order through EventStore::search pages (the hunt's query,
// if any, filters them in the store); each is rebuilt as a normalize::Event and, with a rule,
// evaluated by a one-rule LiveRuleSet (the same compile path as live detection).
//
// Threads: one thread per running hunt; every method is thread-safe; the destructor cancels and
// joins the running hunts.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "detect/live/live_rule_set.h"
#include "eventstore/event_store.h"

namespace vigil::alerts {
class AlertSink;
}

namespace vigil::detect::live {

struct HuntLimits {
  uint64_t maxEvents = 5'000'000;
  int maxSeconds = 600;
  size_t maxResults = 10'000;
  int maxRunning = 2;
  size_t keep = 50;
};

struct HuntRequest {
  std::string ruleYaml;  // a Sigma rule; empty: the query alone
  std::string query;     // event-store query (query.h); with a rule it narrows what the rule reads
  int64_t fromUs = 0, toUs = 0;
  eventstore::Scope scope;
  bool raiseAlerts = false;
  std::string startedBy;  // the actor's name
  std::optional<int64_t> startedByUser;
  std::string label;  // what is hunted, for lists ("rule <id>: <title>", "query: ...")
};

struct HuntResult {
  int64_t timeUs = 0;
  int64_t orgId = 0;
  int64_t sourceId = 0;
  std::string host;
  std::string ruleId, ruleTitle, level;
  std::string eventJson;  // the event as a flat JSON object (alert_mapping.h eventJson)
};

struct HuntStatus {
  int64_t id = 0;
  std::string state;  // running, done, failed, cancelled
  std::string label, query, startedBy;
  std::optional<int64_t> startedByUser;
  int64_t fromUs = 0, toUs = 0;
  bool raiseAlerts = false;
  uint64_t scanned = 0, matched = 0, alertsRaised = 0;
  double progress = 0;            // 0..1 of the time range read
  std::string truncated;          // "" or why the hunt stopped early (event or time bound)
  bool resultsTruncated = false;  // more matches than maxResults (counted, not kept)
  TimeMs startedAt = 0, finishedAt = 0;
  std::string error;
};

class HuntRunner {
 public:
  // `events`, `pipeline`, `clock` and `sink` (may be null: no alerts) must outlive the runner.
  HuntRunner(eventstore::EventStore& events, const sigma::Pipeline& pipeline, alerts::AlertSink* sink,
             const Clock& clock, HuntLimits limits = {});
  ~HuntRunner();
  HuntRunner(const HuntRunner&) = delete;
  HuntRunner& operator=(const HuntRunner&) = delete;

  // Checks the request (the rule compiles: Error::validation("<origin>:<line>", ...); the query
  // parses; the range is ordered) and starts the hunt. kUnavailable when maxRunning are running.
  Result<int64_t> start(HuntRequest request);
  Result<HuntStatus> status(int64_t id) const;
  std::vector<HuntStatus> list() const;  // newest first
  // Results in time order: [offset, offset + limit); `total` receives how many are kept.
  Result<std::vector<HuntResult>> results(int64_t id, size_t offset, size_t limit, size_t& total) const;
  Status cancel(int64_t id);

  const HuntLimits& limits() const { return limits_; }

 private:
  struct Hunt;
  void run(Hunt& h);

  eventstore::EventStore& events_;
  const sigma::Pipeline& pipeline_;
  alerts::AlertSink* sink_;
  const Clock& clock_;
  const HuntLimits limits_;

  mutable std::mutex mu_;
  std::map<int64_t, std::shared_ptr<Hunt>> hunts_;  // GUARDED_BY(mu_)
  int64_t nextId_ = 1;                              // GUARDED_BY(mu_)
};

// Rebuilds a stored event as a normalize::Event (fields with their types, org, source, times).
void storedToEvent(const eventstore::StoredEvent& stored, normalize::Event& out);

}  // namespace vigil::detect::live
