// The seam between the web-portal scheduler (webmon/scheduler.*) and what it monitors and where its
// results go (the portal store and the alert queue, wired in `vigil serve`). Plain data and two
// interfaces, so the scheduler is tested with in-memory portals and the store side without a
// scheduler.
//
// Check classes and their default intervals follow issue 7 ("Portals and schedules"): availability
// every 1-5 minutes, integrity and spam (page, cloaking, defacement, crawl) every 15-60 minutes, TLS
// and headers daily, exposure weekly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "webmon/finding.h"

namespace vigil::webmon {

enum class CheckClass { kAvailability, kContent, kTls, kHeaders, kExposure };
inline constexpr CheckClass kAllCheckClasses[] = {CheckClass::kAvailability, CheckClass::kContent, CheckClass::kTls,
                                                  CheckClass::kHeaders, CheckClass::kExposure};

// "availability", "content", "tls", "headers", "exposure" (the names stored and shown).
constexpr std::string_view checkClassName(CheckClass c) {
  switch (c) {
    case CheckClass::kAvailability: return "availability";
    case CheckClass::kContent: return "content";
    case CheckClass::kTls: return "tls";
    case CheckClass::kHeaders: return "headers";
    case CheckClass::kExposure: return "exposure";
  }
  return "availability";
}
inline std::optional<CheckClass> checkClassFromName(std::string_view name) {
  for (CheckClass c : kAllCheckClasses)
    if (checkClassName(c) == name) return c;
  return std::nullopt;
}

// Seconds between two runs of each class for one portal.
struct CheckIntervals {
  int availabilitySeconds = 120;
  int contentSeconds = 1800;
  int tlsSeconds = 86400;
  int headersSeconds = 86400;
  int exposureSeconds = 604800;

  int of(CheckClass c) const {
    switch (c) {
      case CheckClass::kAvailability: return availabilitySeconds;
      case CheckClass::kContent: return contentSeconds;
      case CheckClass::kTls: return tlsSeconds;
      case CheckClass::kHeaders: return headersSeconds;
      case CheckClass::kExposure: return exposureSeconds;
    }
    return availabilitySeconds;
  }
};

// A period announced by the agency during which certificate changes, downtime and content changes
// are expected: findings of that kind are recorded but raise no alert.
struct MaintenanceWindow {
  TimeMs from = 0;
  TimeMs to = 0;  // exclusive
  std::string note;
};

// Facts remembered between runs (key -> value text), e.g. "dns.addresses", "tls.cert_sha256",
// "body.bytes", "deface.baseline:<url>". The scheduler compares a run with the previous facts and
// hands the new ones to the sink, which stores them; the source gives the stored ones back at start.
using Facts = std::vector<std::pair<std::string, std::string>>;

// One registered portal as the scheduler needs it.
struct PortalSpec {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string name;
  std::string url;                          // the home page, http:// or https://
  std::vector<std::string> keyPages;        // further pages to watch (absolute URLs on the same site)
  std::vector<std::string> allowedDomains;  // outbound domains the portal may link to
  std::string marker;                       // text every key page must contain ("" = none)
  std::vector<MaintenanceWindow> maintenance;
  bool allowPrivate = false;  // an operator allowed a private or loopback address for this portal
  bool enabled = true;
  CheckIntervals intervals;
  int64_t revision = 0;  // changes when the registration changes (the scheduler then re-plans it)
  Facts lastFacts;       // the facts of the latest runs, as stored

  bool inMaintenance(TimeMs t) const {
    for (const auto& w : maintenance)
      if (t >= w.from && t < w.to) return true;
    return false;
  }
};

// A piece of evidence kept with a run: a response body, response headers, a view of the cloaking
// check, a snippet. `findingKey` is "<check>/<id>/<url>" of the finding it supports ("" = the run).
struct RunEvidence {
  std::string findingKey;
  std::string name;       // e.g. "body.html", "headers.txt", "view-googlebot.html"
  std::string mediaType;  // e.g. "text/html", "text/plain"
  std::string bytes;
};

// What one run of one check class on one portal produced.
struct PortalRun {
  int64_t portalId = 0;
  int64_t orgId = 0;
  CheckClass checkClass = CheckClass::kAvailability;
  TimeMs startedAt = 0;
  TimeMs finishedAt = 0;
  int attempts = 1;  // tries made (retries with back-off after a failure)
  bool inMaintenance = false;
  std::vector<Finding> findings;
  Facts facts;  // the new facts (grade, score, status, timings, dns, certificate...)
  std::vector<RunEvidence> evidence;
};

// Where the scheduler reads the portals. Called at start and then periodically; must be safe to
// call from the scheduler's planning thread while other threads use the store.
class PortalSource {
 public:
  virtual ~PortalSource() = default;
  virtual Result<std::vector<PortalSpec>> portals() = 0;
};

// Where the scheduler hands each finished run. Called from the scheduler's worker threads (several
// at once): implementations are thread-safe. An error is logged and counted by the scheduler; the
// run is not retried.
class RunSink {
 public:
  virtual ~RunSink() = default;
  virtual Status record(const PortalRun& run) = 0;
};

}  // namespace vigil::webmon
