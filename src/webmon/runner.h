// Running one check class on one portal, for the scheduler (webmon/scheduler.h):
//   availability  checkAvailability() (availability.h): DNS, TCP/TLS connect, HTTP, marker, with
//                 retries and back-off; compared with the previous facts
//   content       PageCheck + CloakingCheck on the home page and each key page; the response body
//                 and headers of a page that raised a content finding are kept as evidence; then
//                 the content extensions (defacement fingerprints, sitemap crawl) add theirs
//   tls           the TLS probe and grade (tls.h)
//   headers       HeadersCheck's Observatory score (checks.h)
//   exposure      ExposureCheck (checks.h)
// Every request and handshake goes through RunContext::gate (the per-host rate gate). Facts are
// prefixed with the class name ("tls.grade", "headers.score", ...): a run of class X replaces the
// "X." facts of the portal. Thread-safe: run() may be called from several workers at once.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "webmon/availability.h"
#include "webmon/checks.h"
#include "webmon/monitor.h"

namespace vigil::webmon {

// What a run gets from the scheduler.
struct RunContext {
  std::function<bool(std::string_view host)> gate;  // the per-host rate gate; false = stop now
  const std::atomic<bool>* cancel = nullptr;        // true when the scheduler stops
  std::function<bool(long ms)> sleep;               // an interruptible wait (retry back-off)
  bool cancelled() const { return cancel && cancel->load(); }
};

// The scheduler's view of a runner: findings, facts, evidence and attempts of one run (the
// scheduler fills the portal, class, times and maintenance flag). nullopt: cancelled midway,
// nothing may be recorded.
class ClassRunner {
 public:
  virtual ~ClassRunner() = default;
  virtual std::optional<PortalRun> run(const PortalSpec& portal, CheckClass checkClass, const Facts& previous,
                                       const RunContext& context) = 0;
};

// A further step of the content class (defacement fingerprints of the key pages, the sitemap crawl
// and bounded crawl of the site's own pages: issue 7 "Defacement", "Follow sitemaps"). Called after
// the page and cloaking checks with the same fetch options (gate included); it appends findings,
// facts (prefix "content.") and evidence to `run`. Implementations are thread-safe.
class ContentExtension {
 public:
  virtual ~ContentExtension() = default;
  virtual void extend(const PortalSpec& portal, const Facts& previous, const FetchOptions& fetch,
                      PortalRun& run) const = 0;
};

struct RunnerOptions {
  std::string contactUrl;  // in the User-Agent of normal probes
  std::string caFile;      // trust anchors instead of the system store (tests)
  long requestTimeoutMs = 20000;
  long connectTimeoutMs = 5000;
  int retries = 2;                         // availability: further tries before "down"
  long backoffMs = 5000;                   // availability: first back-off, doubled per retry
  std::shared_ptr<const Lexicon> lexicon;  // required
  std::shared_ptr<const EolData> eol;      // required
  std::vector<std::shared_ptr<const ContentExtension>> contentExtensions;
};

class CheckRunner : public ClassRunner {
 public:
  // Errors: lexicon or end-of-life data missing.
  static Result<std::unique_ptr<CheckRunner>> create(RunnerOptions options, const Clock& clock);
  std::optional<PortalRun> run(const PortalSpec& portal, CheckClass checkClass, const Facts& previous,
                               const RunContext& context) override;

 private:
  CheckRunner(RunnerOptions options, const Clock& clock) : o_(std::move(options)), clock_(clock) {}
  FetchOptions fetchOptions(const PortalSpec& portal, const RunContext& context) const;
  std::optional<PortalRun> content(const PortalSpec& portal, const Facts& previous, const RunContext& context);
  std::optional<PortalRun> tls(const PortalSpec& portal, const RunContext& context);

  RunnerOptions o_;
  const Clock& clock_;
};

}  // namespace vigil::webmon
