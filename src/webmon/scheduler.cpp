#include "webmon/scheduler.h"

#include <algorithm>

#include "core/log.h"

namespace vigil::webmon {

namespace {

std::string classLabel(CheckClass c) { return "class=\"" + std::string(checkClassName(c)) + "\""; }

bool isDown(const PortalRun& run) {
  return run.checkClass == CheckClass::kAvailability &&
         std::any_of(run.findings.begin(), run.findings.end(),
                     [](const Finding& f) { return f.check == "availability" && f.id == "down"; });
}

}  // namespace

Status SchedulerOptions::validate() const {
  if (workers < 1 || workers > 256) return Error::validation("workers", "must be between 1 and 256");
  if (reloadSeconds < 1) return Error::validation("reload_seconds", "must be at least 1");
  if (perHostInterval.count() < 0) return Error::validation("per_host_interval", "must not be negative");
  if (jitterFraction < 0 || jitterFraction > 0.5) return Error::validation("jitter", "must be between 0 and 0.5");
  if (tick.count() < 1) return Error::validation("tick", "must be at least 1 ms");
  return {};
}

PortalScheduler::PortalScheduler(SchedulerOptions options, PortalSource& source, RunSink& sink, const Clock& clock,
                                 ClassRunner& runner)
    : o_(std::move(options)),
      source_(source),
      sink_(sink),
      clock_(clock),
      runner_(runner),
      gate_(o_.perHostInterval),
      rng_(o_.seed != 0 ? o_.seed : std::random_device{}()) {}

PortalScheduler::~PortalScheduler() { stop(); }

void PortalScheduler::describeMetrics() {
  if (!o_.metrics) return;
  auto* m = o_.metrics;
  m->describe("vigil_webmon_runs_total", Metrics::Type::kCounter, "Web monitor runs recorded, per check class");
  m->describe("vigil_webmon_run_failures_total", Metrics::Type::kCounter,
              "Web monitor runs that ended down (availability) or that the sink could not record");
  m->describe("vigil_webmon_run_seconds_total", Metrics::Type::kCounter, "Wall time spent in runs, per check class");
  m->describe("vigil_webmon_schedule_lag_seconds", Metrics::Type::kGauge,
              "How late the latest run started after its due time");
  m->describe("vigil_webmon_overdue_runs", Metrics::Type::kGauge, "Runs due that wait for a free worker");
  m->describe("vigil_webmon_running_runs", Metrics::Type::kGauge, "Runs in progress");
  m->describe("vigil_webmon_portals", Metrics::Type::kGauge, "Portals planned");
  m->describe("vigil_webmon_source_errors_total", Metrics::Type::kCounter, "Failed reads of the registered portals");
}

Status PortalScheduler::start() {
  VIGIL_TRY(o_.validate());
  auto portals = source_.portals();
  if (!portals.ok())
    return Error::unavailable("web monitor: cannot read the registered portals: " + portals.error().message);
  describeMetrics();
  std::lock_guard lock(mu_);
  if (started_) return Error::conflict("web monitor: the scheduler is already started");
  started_ = true;
  const TimeMs now = clock_.nowMs();
  apply(*portals, now);
  nextReload_ = now + o_.reloadSeconds * 1000LL;
  planner_ = std::thread([this] { planLoop(); });
  for (int i = 0; i < o_.workers; ++i) workers_.emplace_back([this] { workLoop(); });
  return {};
}

void PortalScheduler::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_.exchange(true)) return;
  }
  gate_.stop();
  planCv_.notify_all();
  workCv_.notify_all();
  stopCv_.notify_all();
  if (planner_.joinable()) planner_.join();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  std::lock_guard lock(mu_);
  queue_.clear();
}

void PortalScheduler::reloadNow() {
  {
    std::lock_guard lock(mu_);
    reloadRequested_ = true;
  }
  planCv_.notify_all();
}

PortalScheduler::Stats PortalScheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::optional<TimeMs> PortalScheduler::nextDue(int64_t portalId, CheckClass c) const {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(portalId);
  if (it == entries_.end()) return std::nullopt;
  const auto slot = it->second.slots.find(c);
  if (slot == it->second.slots.end()) return std::nullopt;
  return slot->second.due;
}

Facts PortalScheduler::facts(int64_t portalId) const {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(portalId);
  return it == entries_.end() ? Facts{} : it->second.facts;
}

TimeMs PortalScheduler::firstDue(TimeMs now, int64_t spreadMs) {
  if (spreadMs <= 1) return now;
  return now + std::uniform_int_distribution<int64_t>(0, spreadMs - 1)(rng_);
}

void PortalScheduler::apply(const std::vector<PortalSpec>& portals, TimeMs now) {
  std::map<int64_t, const PortalSpec*> seen;
  for (const auto& p : portals) {
    if (!p.enabled) continue;
    bool valid = true;
    for (CheckClass c : kAllCheckClasses)
      if (p.intervals.of(c) < 1) valid = false;
    if (!valid) {
      log::warn("web monitor: portal " + std::to_string(p.id) + " (" + p.url +
                ") has a check interval below 1 second; it is not scheduled");
      continue;
    }
    seen[p.id] = &p;
  }
  for (auto it = entries_.begin(); it != entries_.end();)
    it = seen.count(it->first) ? std::next(it) : entries_.erase(it);
  for (const auto& [id, p] : seen) {
    auto [it, added] = entries_.try_emplace(id);
    Entry& e = it->second;
    if (!added && e.spec->revision == p->revision) continue;
    const bool soon = !added || planned_;  // re-planned, or registered while we run
    e.spec = std::make_shared<const PortalSpec>(*p);
    if (added) e.facts = p->lastFacts;
    for (CheckClass c : kAllCheckClasses) {
      const int64_t interval = p->intervals.of(c) * 1000LL;
      Slot& s = e.slots[c];
      ++s.generation;
      s.due = firstDue(now, soon ? std::min<int64_t>(interval, o_.reloadSeconds * 1000LL) : interval);
    }
  }
  planned_ = true;
  stats_.portals = entries_.size();
  if (o_.metrics) o_.metrics->set("vigil_webmon_portals", "", static_cast<double>(entries_.size()));
}

void PortalScheduler::reload(std::unique_lock<std::mutex>& lock) {
  reloadRequested_ = false;
  lock.unlock();
  auto portals = source_.portals();
  lock.lock();
  const TimeMs now = clock_.nowMs();
  nextReload_ = now + o_.reloadSeconds * 1000LL;
  if (!portals.ok()) {
    ++stats_.sourceErrors;
    if (o_.metrics) o_.metrics->add("vigil_webmon_source_errors_total", "");
    log::warn("web monitor: cannot read the registered portals (the current plan is kept): " + portals.error().message);
    return;
  }
  apply(*portals, now);
}

void PortalScheduler::dispatch(TimeMs now) {
  struct Due {
    TimeMs due;
    int64_t portal;
    CheckClass c;
  };
  std::vector<Due> due;
  for (auto& [id, e] : entries_)
    for (auto& [c, s] : e.slots)
      if (!s.running && s.due <= now) due.push_back({s.due, id, c});
  std::sort(due.begin(), due.end(), [](const Due& a, const Due& b) { return a.due < b.due; });
  size_t waiting = 0;
  for (const auto& d : due) {
    Entry& e = entries_.at(d.portal);
    if (e.busy || idle_ <= queue_.size()) {
      ++waiting;
      continue;
    }
    Slot& s = e.slots.at(d.c);
    s.running = true;
    e.busy = true;
    queue_.push_back(Job{e.spec, d.c, s.due, s.generation, e.facts});
    stats_.lastLagSeconds = static_cast<double>(now - s.due) / 1000.0;
    if (o_.metrics) o_.metrics->set("vigil_webmon_schedule_lag_seconds", "", stats_.lastLagSeconds);
  }
  stats_.overdue = waiting;
  if (o_.metrics) o_.metrics->set("vigil_webmon_overdue_runs", "", static_cast<double>(waiting));
  if (!queue_.empty()) workCv_.notify_all();
}

void PortalScheduler::planLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (reloadRequested_ || clock_.nowMs() >= nextReload_) {
      reload(lock);
      if (stopping_) break;
    }
    const TimeMs now = clock_.nowMs();
    dispatch(now);
    TimeMs next = nextReload_;
    for (const auto& [id, e] : entries_)
      for (const auto& [c, s] : e.slots)
        if (!s.running) next = std::min(next, s.due);
    const auto wait = std::clamp<int64_t>(next - now, 1, o_.tick.count());
    planCv_.wait_for(lock, std::chrono::milliseconds(wait));
  }
}

bool PortalScheduler::sleepFor(long ms) {
  std::unique_lock lock(mu_);
  return !stopCv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_.load(); });
}

void PortalScheduler::workLoop() {
  const RunContext context{[this](std::string_view host) { return gate_.wait(host); }, &stopping_,
                           [this](long ms) { return sleepFor(ms); }};
  std::unique_lock lock(mu_);
  ++idle_;
  planCv_.notify_all();
  while (true) {
    workCv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    --idle_;
    ++stats_.running;
    if (o_.metrics) o_.metrics->set("vigil_webmon_running_runs", "", static_cast<double>(stats_.running));
    lock.unlock();

    const TimeMs started = clock_.nowMs();
    const auto t0 = std::chrono::steady_clock::now();
    std::optional<PortalRun> run;
    if (!stopping_) run = runner_.run(*job.spec, job.checkClass, job.facts, context);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (run) {
      run->portalId = job.spec->id;
      run->orgId = job.spec->orgId;
      run->checkClass = job.checkClass;
      run->startedAt = started;
      run->finishedAt = clock_.nowMs();
      run->inMaintenance = job.spec->inMaintenance(started);
    }
    finish(job, run, seconds);

    lock.lock();
    --stats_.running;
    ++idle_;
    if (o_.metrics) o_.metrics->set("vigil_webmon_running_runs", "", static_cast<double>(stats_.running));
    planCv_.notify_all();
  }
  --idle_;
}

void PortalScheduler::finish(const Job& job, const std::optional<PortalRun>& run, double seconds) {
  const std::string label = classLabel(job.checkClass);
  Status recorded;
  if (run) recorded = sink_.record(*run);  // outside the lock: the sink writes to the store
  std::lock_guard lock(mu_);
  if (!run) {
    ++stats_.cancelled;
  } else {
    ++stats_.runs;
    if (o_.metrics) {
      o_.metrics->add("vigil_webmon_runs_total", label);
      o_.metrics->add("vigil_webmon_run_seconds_total", label, seconds);
    }
    if (isDown(*run)) {
      ++stats_.downs;
      if (o_.metrics) o_.metrics->add("vigil_webmon_run_failures_total", label + ",reason=\"down\"");
    }
    if (!recorded.ok()) {
      ++stats_.sinkErrors;
      if (o_.metrics) o_.metrics->add("vigil_webmon_run_failures_total", label + ",reason=\"sink\"");
      log::warn("web monitor: the " + std::string(checkClassName(job.checkClass)) + " run of portal " +
                std::to_string(job.spec->id) + " was not recorded: " + recorded.error().message);
    }
  }
  const auto it = entries_.find(job.spec->id);
  if (it == entries_.end()) return;  // removed meanwhile
  Entry& e = it->second;
  e.busy = false;
  Slot& s = e.slots.at(job.checkClass);
  s.running = false;
  if (run) {
    // The class's facts ("<class>.*") are replaced by the new ones; a fact of another name that
    // the run gives (e.g. "deface.baseline:<url>") replaces the fact of the same name.
    const std::string prefix = std::string(checkClassName(job.checkClass)) + ".";
    std::erase_if(e.facts, [&](const auto& kv) {
      if (kv.first.rfind(prefix, 0) == 0) return true;
      return std::any_of(run->facts.begin(), run->facts.end(), [&](const auto& n) { return n.first == kv.first; });
    });
    for (const auto& kv : run->facts) e.facts.push_back(kv);
  }
  if (s.generation != job.generation) return;  // re-planned while running: the new plan stands
  const int64_t interval = e.spec->intervals.of(job.checkClass) * 1000LL;
  const auto spread = static_cast<int64_t>(static_cast<double>(interval) * o_.jitterFraction);
  const int64_t jitter = spread > 0 ? std::uniform_int_distribution<int64_t>(-spread, spread)(rng_) : 0;
  s.due = std::max(job.due + interval + jitter, run ? run->startedAt : job.due);
}

}  // namespace vigil::webmon
