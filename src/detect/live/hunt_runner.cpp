#include "detect/live/hunt_runner.h"

#include <chrono>

#include "alerts/alert_sink.h"
#include "core/log.h"
#include "detect/live/alert_mapping.h"
#include "eventstore/query.h"

namespace vigil::detect::live {

namespace {

constexpr size_t kPageEvents = 5000;

}  // namespace

struct HuntRunner::Hunt {
  HuntRequest request;
  std::shared_ptr<const LiveRuleSet> rules;  // null: query-only hunt
  std::atomic<bool> cancel{false};
  std::thread thread;
  mutable std::mutex mu;
  HuntStatus status;                // GUARDED_BY(mu)
  std::vector<HuntResult> results;  // GUARDED_BY(mu)
};

void storedToEvent(const eventstore::StoredEvent& stored, normalize::Event& out) {
  out.reset(stored.raw);
  out.orgId = stored.orgId;
  out.sourceId = stored.sourceId;
  out.receivedUs = stored.receivedUs;
  out.setTime("@timestamp", stored.timeUs);
  for (const eventstore::StoredField& f : stored.fields)
    out.setOwnedName("", f.name, f.type, f.type == normalize::ValueType::kTime ? std::string_view() : f.text, f.number);
}

HuntRunner::HuntRunner(eventstore::EventStore& events, const sigma::Pipeline& pipeline, alerts::AlertSink* sink,
                       const Clock& clock, HuntLimits limits)
    : events_(events), pipeline_(pipeline), sink_(sink), clock_(clock), limits_(limits) {}

HuntRunner::~HuntRunner() {
  std::vector<std::shared_ptr<Hunt>> all;
  {
    std::lock_guard lk(mu_);
    for (auto& [id, h] : hunts_) all.push_back(h);
  }
  for (auto& h : all) h->cancel = true;
  for (auto& h : all)
    if (h->thread.joinable()) h->thread.join();
}

Result<int64_t> HuntRunner::start(HuntRequest request) {
  if (request.ruleYaml.empty() && request.query.empty())
    return Error::validation("rule", "give a rule (rule_yaml or rule_id) or a search query");
  if (request.toUs <= request.fromUs) return Error::validation("to", "must be after from");
  if (!request.query.empty()) {
    auto q = eventstore::parseQuery(request.query);
    if (!q.ok()) return Error::validation("query", q.error().message);
  }
  auto hunt = std::make_shared<Hunt>();
  if (!request.ruleYaml.empty()) {
    VIGIL_TRY(checkRule(request.ruleYaml, "hunt", pipeline_, {}));
    RuleInput in;
    in.text = request.ruleYaml;
    in.meta.source = "hunt";
    in.meta.origin = "hunt";
    hunt->rules = LiveRuleSet::build(0, {std::move(in)}, pipeline_, {}, {}, {}, 0);
    if (hunt->rules->size() != 1) return Error::validation("rule_yaml", "the rule could not be compiled");
  }
  std::lock_guard lk(mu_);
  int running = 0;
  for (const auto& [id, h] : hunts_) {
    std::lock_guard hl(h->mu);
    if (h->status.state == "running") ++running;
  }
  if (running >= limits_.maxRunning)
    return Error::unavailable(std::to_string(running) + " hunts are running; wait for one to finish or cancel one");
  // Forget the oldest finished hunts beyond `keep`.
  while (hunts_.size() >= limits_.keep) {
    auto it = hunts_.begin();
    {
      std::lock_guard hl(it->second->mu);
      if (it->second->status.state == "running") break;
    }
    if (it->second->thread.joinable()) it->second->thread.join();
    hunts_.erase(it);
  }
  const int64_t id = nextId_++;
  hunt->request = std::move(request);
  hunt->status = {.id = id,
                  .state = "running",
                  .label = hunt->request.label,
                  .query = hunt->request.query,
                  .startedBy = hunt->request.startedBy,
                  .startedByUser = hunt->request.startedByUser,
                  .fromUs = hunt->request.fromUs,
                  .toUs = hunt->request.toUs,
                  .raiseAlerts = hunt->request.raiseAlerts,
                  .startedAt = clock_.nowMs()};
  hunts_[id] = hunt;
  Hunt* raw = hunt.get();
  hunt->thread = std::thread([this, raw] { run(*raw); });
  return id;
}

void HuntRunner::run(Hunt& h) {
  const auto started = std::chrono::steady_clock::now();
  const HuntRequest& r = h.request;
  int64_t from = r.fromUs;
  size_t skipAtFrom = 0;  // events at exactly `from` already read (time-ordered paging)
  uint64_t scanned = 0;
  std::string truncated, error;
  normalize::Event event;
  for (;;) {
    if (h.cancel) break;
    if (scanned >= limits_.maxEvents) {
      truncated = "stopped after " + std::to_string(limits_.maxEvents) + " events (detect.hunt_max_events)";
      break;
    }
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(limits_.maxSeconds)) {
      truncated = "stopped after " + std::to_string(limits_.maxSeconds) + " s (detect.hunt_max_seconds)";
      break;
    }
    eventstore::SearchRequest req{.scope = r.scope,
                                  .query = r.query,
                                  .fromUs = from,
                                  .toUs = r.toUs,
                                  .newestFirst = false,
                                  .offset = skipAtFrom,
                                  .limit = kPageEvents};
    auto page = events_.search(req);
    if (!page.ok()) {
      error = page.error().message;
      break;
    }
    if (page->events.empty()) break;
    for (const eventstore::StoredEvent& stored : page->events) {
      ++scanned;
      if (stored.timeUs == from) {
        ++skipAtFrom;
      } else {
        from = stored.timeUs;
        skipAtFrom = 1;
      }
      std::vector<HuntResult> found;
      std::vector<AlertDraft> drafts;
      if (!h.rules) {
        storedToEvent(stored, event);
        found.push_back({.timeUs = stored.timeUs,
                         .orgId = stored.orgId,
                         .sourceId = stored.sourceId,
                         .host = std::string(event.getText("host.name")),
                         .eventJson = eventJson(event)});
      } else {
        storedToEvent(stored, event);
        h.rules->evaluate(event, [&](const sigma::CompiledRule& rule, const RuleMeta& meta) {
          found.push_back({.timeUs = stored.timeUs,
                           .orgId = stored.orgId,
                           .sourceId = stored.sourceId,
                           .host = std::string(event.getText("host.name")),
                           .ruleId = meta.key,
                           .ruleTitle = rule.rule().title,
                           .level = rule.rule().level,
                           .eventJson = eventJson(event)});
          if (r.raiseAlerts && sink_) {
            AlertDraft d = draftForMatch(event, rule, meta);
            d.description += "\n\nRaised by a retro-hunt started by " + r.startedBy + ".";
            drafts.push_back(std::move(d));
          }
        });
      }
      uint64_t raised = 0;
      for (AlertDraft& d : drafts)
        if (sink_->raise(std::move(d)).ok()) ++raised;
      std::lock_guard lk(h.mu);
      h.status.scanned = scanned;
      h.status.matched += found.size();
      h.status.alertsRaised += raised;
      for (HuntResult& f : found) {
        if (h.results.size() < limits_.maxResults) {
          h.results.push_back(std::move(f));
        } else {
          h.status.resultsTruncated = true;
        }
      }
    }
    {
      std::lock_guard lk(h.mu);
      h.status.scanned = scanned;
      h.status.progress = std::min(1.0, static_cast<double>(from - r.fromUs) / static_cast<double>(r.toUs - r.fromUs));
    }
    if (page->events.size() < kPageEvents) break;
  }
  std::lock_guard lk(h.mu);
  h.status.scanned = scanned;
  h.status.truncated = truncated;
  h.status.error = error;
  h.status.finishedAt = clock_.nowMs();
  if (!error.empty()) {
    h.status.state = "failed";
  } else if (h.cancel) {
    h.status.state = "cancelled";
  } else {
    h.status.state = "done";
    if (truncated.empty()) h.status.progress = 1;
  }
  log::info("hunt " + std::to_string(h.status.id) + " " + h.status.state + ": " + std::to_string(scanned) +
            " event(s) read, " + std::to_string(h.status.matched) + " match(es)" +
            (truncated.empty() ? "" : " (" + truncated + ")"));
}

Result<HuntStatus> HuntRunner::status(int64_t id) const {
  std::lock_guard lk(mu_);
  auto it = hunts_.find(id);
  if (it == hunts_.end()) return Error::notFound("hunt " + std::to_string(id) + " not found");
  std::lock_guard hl(it->second->mu);
  return it->second->status;
}

std::vector<HuntStatus> HuntRunner::list() const {
  std::vector<HuntStatus> out;
  std::lock_guard lk(mu_);
  for (auto it = hunts_.rbegin(); it != hunts_.rend(); ++it) {
    std::lock_guard hl(it->second->mu);
    out.push_back(it->second->status);
  }
  return out;
}

Result<std::vector<HuntResult>> HuntRunner::results(int64_t id, size_t offset, size_t limit, size_t& total) const {
  std::shared_ptr<Hunt> h;
  {
    std::lock_guard lk(mu_);
    auto it = hunts_.find(id);
    if (it == hunts_.end()) return Error::notFound("hunt " + std::to_string(id) + " not found");
    h = it->second;
  }
  std::lock_guard hl(h->mu);
  total = h->results.size();
  std::vector<HuntResult> out;
  for (size_t i = offset; i < h->results.size() && out.size() < limit; ++i) out.push_back(h->results[i]);
  return out;
}

Status HuntRunner::cancel(int64_t id) {
  std::lock_guard lk(mu_);
  auto it = hunts_.find(id);
  if (it == hunts_.end()) return Error::notFound("hunt " + std::to_string(id) + " not found");
  it->second->cancel = true;
  return {};
}

}  // namespace vigil::detect::live
