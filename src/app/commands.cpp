#include "app/commands.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "alerts/alert_feed.h"
#include "alerts/alert_sink.h"
#include "alerts/deadline_watch.h"
#include "alerts/silent_sources.h"
#include "api/api.h"
#include "app/data_dir_lock.h"
#include "app/event_retention.h"
#include "auth/authenticator.h"
#include "auth/password.h"
#include "collect/collector.h"
#include "collect/relp_listener.h"
#include "collect/syslog_listener.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/text.h"
#include "detect/live/alert_mapping.h"
#include "detect/live/hunt_runner.h"
#include "detect/live/rule_manager.h"
#include "documents/form_library.h"
#include "eventstore/event_store.h"
#include "http/server.h"
#include "http/tls_cert.h"
#include "incident/classification.h"
#include "incident/process_catalog.h"
#include "incident/response_plan.h"
#include "normalize/normalizer.h"
#include "notify/dispatcher.h"
#include "notify/incident_notices.h"
#include "portals/run_recorder.h"
#include "store/blob_store.h"
#include "store/sqlite/sqlite_store.h"
#include "webmon/content_extensions.h"
#include "webmon/runner.h"
#include "webmon/scheduler.h"
#include "webmon/suite.h"

namespace vigil::app {

const char* const kVersion = VIGIL_VERSION;

namespace fs = std::filesystem;

std::string databasePath(const Config& config) { return (fs::path(config.store.dataDir) / "vigil.db").string(); }

namespace {

std::string resolveWebRoot(const Config& config, const std::string& exePath) {
  if (!config.server.webRoot.empty()) return config.server.webRoot;
  std::error_code ec;
  const fs::path exeDir = fs::path(exePath).parent_path();
  for (const fs::path& candidate : {exeDir / "../share/vigil/web", exeDir / "../../web/dist",
                                    fs::path(VIGIL_SOURCE_WEB_ROOT), fs::path("web/dist")})
    if (fs::exists(candidate / "index.html", ec)) return candidate.lexically_normal().string();
  return {};
}

std::string resolveCatalogDir(const Config& config, const std::string& exePath) {
  if (!config.server.catalogDir.empty()) return config.server.catalogDir;
  std::error_code ec;
  const fs::path exeDir = fs::path(exePath).parent_path();
  for (const fs::path& candidate :
       {exeDir / "../share/vigil/catalogs", fs::path(VIGIL_SOURCE_CATALOG_DIR), fs::path("catalogs")})
    if (fs::is_directory(candidate / "regimes", ec)) return candidate.lexically_normal().string();
  return "catalogs";
}

Result<std::unique_ptr<sqlite::SqliteStore>> openStore(const Config& config, const Clock& clock,
                                                       Metrics* metrics = nullptr) {
  sqlite::SqliteOptions opts;
  opts.path = databasePath(config);
  opts.readerConnections = config.store.readerConnections;
  opts.writerBatchMax = config.store.writerBatchMax;
  opts.metrics = metrics;
  return sqlite::SqliteStore::open(opts, clock);
}

// First start: the province root and the administrator. Prints the one-time password once.
Status bootstrapIfEmpty(Store& store, auth::Authenticator& auth, const std::string& url) {
  VIGIL_ASSIGN_OR_RETURN(int64_t users, store.countUsers());
  if (users > 0) return {};
  std::string password;
  bool given = false;
  if (const char* env = std::getenv("VIGIL_ADMIN_PASSWORD"); env && *env) {
    password = env;
    given = true;
  } else {
    password = crypto::base32Encode(crypto::randomBytes(10));  // 16 characters
  }
  UserDraft admin;
  admin.username = "admin";
  admin.displayName = "Quản trị hệ thống";
  auto hash = auth.hashForAccount(password, admin.username, {Role::kAdministrator}, false);
  if (!hash.ok()) return Error::validation("VIGIL_ADMIN_PASSWORD", hash.error().message);
  admin.passwordHash = hash.value();
  admin.mustChangePassword = !given;
  VIGIL_TRY(store.bootstrap("Tỉnh", admin));
  if (given) {
    std::cout << "vigil: first start. Open " << url << " and log in as 'admin' with VIGIL_ADMIN_PASSWORD.\n";
  } else {
    std::cout << "vigil: first start. Open " << url << " and log in as 'admin' with the one-time password\n"
              << "    " << password << "\n"
              << "(it is shown only now; you will set your own password and two-step login at first login)\n";
  }
  std::cout.flush();
  return {};
}

int fail(const Error& e) {
  std::cerr << "vigil: " << e.message << "\n";
  return 2;
}

// The network inputs of `vigil serve`.
struct CollectListeners {
  std::unique_ptr<collect::SyslogListeners> syslog;
  std::unique_ptr<collect::RelpListener> relp;  // null when collect.relp is empty
  void stop() {
    if (relp) relp->stop();
    syslog->stop();
  }
};

// Starts the configured syslog listeners (none when every collect.syslog_* is empty) and the
// RELP listener (collect.relp), logs their endpoints and, with server.port_file, writes
// "<kind> <port>" lines (kind: udp, tcp, tls, relp) to <port_file>.syslog so that scripts find
// listeners bound to port 0.
Result<CollectListeners> startSyslogListeners(const Config& config, collect::Collector& collector) {
  collect::SyslogListenerOptions o;
  o.udp = config.collect.syslogUdp;
  o.tcp = config.collect.syslogTcp;
  o.tls = config.collect.syslogTls;
  o.maxFrameBytes = static_cast<size_t>(config.collect.maxFrameBytes);
  o.maxConnections = config.collect.maxConnections;
  o.idleTimeout = std::chrono::seconds(config.collect.idleTimeoutSeconds);
  if (!o.tls.empty()) {
    o.certFile = config.tls.certFile;
    o.keyFile = config.tls.keyFile;
    if (o.certFile.empty()) {
      o.certFile = (fs::path(config.store.dataDir) / "tls" / "cert.pem").string();
      o.keyFile = (fs::path(config.store.dataDir) / "tls" / "key.pem").string();
      VIGIL_ASSIGN_OR_RETURN(auto hp, splitHostPort(o.tls, "collect.syslog_tls"));
      VIGIL_TRY(http::ensureSelfSignedCertificate(o.certFile, o.keyFile, hp.first));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto listeners, collect::SyslogListeners::start(collector, o));
  std::string portLines;
  for (auto kind : {collect::ListenerKind::kUdp, collect::ListenerKind::kTcp, collect::ListenerKind::kTls}) {
    if (listeners->port(kind) == 0) continue;
    const std::string name = collect::listenerKindName(kind);
    log::info("syslog " + name + " listening on " + listeners->endpoint(kind));
    portLines += name + " " + std::to_string(listeners->port(kind)) + "\n";
  }
  CollectListeners all{.syslog = std::move(listeners)};
  if (!config.collect.relp.empty()) {
    collect::RelpListenerOptions r;
    r.address = config.collect.relp;
    r.maxFrameBytes = static_cast<size_t>(config.collect.maxFrameBytes);
    r.maxConnections = config.collect.maxConnections;
    r.idleTimeout = std::chrono::seconds(config.collect.idleTimeoutSeconds);
    VIGIL_ASSIGN_OR_RETURN(all.relp, collect::RelpListener::start(collector, r));
    log::info("relp listening on " + all.relp->endpoint());
    portLines += "relp " + std::to_string(all.relp->port()) + "\n";
  }
  if (!config.server.portFile.empty()) {
    const std::string file = config.server.portFile + ".syslog";
    std::ofstream(file + ".tmp") << portLines;
    fs::rename(file + ".tmp", file);
  }
  return all;
}

}  // namespace

std::string catalogDirFor(const Config& config, const std::string& exePath) {
  return resolveCatalogDir(config, exePath);
}

int serve(const Config& config, const std::string& exePath) {
  log::setup(config.log.format, config.log.level);
  auto st = crypto::initCrypto();
  if (!st.ok()) return fail(st.error());
  auto lock = DataDirLock::acquire(config.store.dataDir);
  if (!lock.ok()) return fail(lock.error());

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SystemClock clock;
  Metrics metrics;
  auto store = openStore(config, clock, &metrics);
  if (!store.ok()) return fail(store.error());
  auto key = auth::loadOrCreateMasterKey(config.store.dataDir);
  if (!key.ok()) return fail(key.error());
  auth::Authenticator authn(**store, clock, {config.auth.argon2Opslimit, config.auth.argon2MemlimitKib}, *key);

  auto hp = splitHostPort(config.server.listen);
  if (!hp.ok()) return fail(hp.error());
  http::ServerOptions opts;
  opts.host = hp->first;
  opts.port = hp->second;
  opts.ioThreads = config.server.ioThreads;
  opts.workerThreads = config.server.workerThreads;
  opts.limits = config.http;
  if (config.tls.enabled) {
    opts.tls = true;
    opts.certFile = config.tls.certFile;
    opts.keyFile = config.tls.keyFile;
    if (opts.certFile.empty()) {
      opts.certFile = (fs::path(config.store.dataDir) / "tls" / "cert.pem").string();
      opts.keyFile = (fs::path(config.store.dataDir) / "tls" / "key.pem").string();
      auto made = http::ensureSelfSignedCertificate(opts.certFile, opts.keyFile, opts.host);
      if (!made.ok()) return fail(made.error());
    }
  }

  const std::string catalogDir = resolveCatalogDir(config, exePath);
  auto regimes = compliance::loadRegimeDirectory((fs::path(catalogDir) / "regimes").string());
  if (!regimes.ok()) return fail(Error::validation("server.catalog_dir", regimes.error().message));
  auto workingDays = calendar::WorkingCalendar::load((fs::path(catalogDir) / "calendar" / "vn.toml").string());
  if (!workingDays.ok()) return fail(Error::validation("server.catalog_dir", workingDays.error().message));
  // The checklists and schedules refer to the regimes; a bad file refuses start naming file:line.
  auto checklists = compliance::loadChecklistDirectory((fs::path(catalogDir) / "checklists").string(), *regimes);
  if (!checklists.ok()) return fail(Error::validation("server.catalog_dir", checklists.error().message));
  auto schedules = compliance::loadScheduleDirectory((fs::path(catalogDir) / "schedules").string(), *regimes);
  if (!schedules.ok()) return fail(Error::validation("server.catalog_dir", schedules.error().message));
  auto forms = documents::FormLibrary::load(fs::path(catalogDir) / "templates");
  if (!forms.ok()) return fail(Error::validation("server.catalog_dir", forms.error().message));
  // Incidents: every version of the response processes and the classification (a bad file refuses
  // start naming file:line).
  auto processes =
      incident::ProcessLibrary::loadDirectory((fs::path(catalogDir) / "incident" / "processes").string(), *regimes);
  if (!processes.ok()) return fail(Error::validation("server.catalog_dir", processes.error().message));
  auto classification = incident::ClassificationCatalog::load(
      (fs::path(catalogDir) / "incident" / "classification.toml").string(), *regimes);
  if (!classification.ok()) return fail(Error::validation("server.catalog_dir", classification.error().message));
  auto processLibrary = std::make_shared<const incident::ProcessLibrary>(std::move(*processes));
  // The response plans refer to the processes' steps and roles; a bad file refuses start.
  auto plans =
      incident::PlanLibrary::loadDirectory((fs::path(catalogDir) / "incident" / "plans").string(), *processLibrary);
  if (!plans.ok()) return fail(Error::validation("server.catalog_dir", plans.error().message));
  auto calendarShared = std::make_shared<const calendar::WorkingCalendar>(std::move(*workingDays));
  // Log collection: the normaliser's catalog, the event store under <data_dir>/events (its
  // write-ahead log is replayed here) and the collector every input hands messages to.
  auto normalizer = normalize::Normalizer::load(fs::path(catalogDir) / "normalize");
  if (!normalizer.ok()) return fail(Error::validation("server.catalog_dir", normalizer.error().message));
  eventstore::Options eventOptions;
  eventOptions.maxQueuedBytes = static_cast<uint64_t>(config.events.maxQueuedBytes);
  eventOptions.maxSegmentBytes = static_cast<uint64_t>(config.events.maxSegmentBytes);
  auto events = eventstore::EventStore::open(fs::path(config.store.dataDir) / "events", eventOptions);
  if (!events.ok()) return fail(events.error());
  collect::Collector collector(*normalizer, **events, clock, {.acceptUndeclared = config.collect.acceptUndeclared});

  // The alert queue: detectors hand alerts to the sink (batched commits); the feed wakes the
  // long-poll clients. A waiter holds an HTTP worker: at least one worker stays free.
  alerts::AlertFeed alertFeed(std::max(0, std::min(config.alerts.maxWaiters, config.server.workerThreads - 1)),
                              config.alerts.maxStreams);
  // Notifications ([notify]): the dispatcher stores notices and sends their deliveries through the
  // channels and subscriptions kept in the database (/api/v1/notify). Declared before the sink,
  // which publishes every new alert to it, so that it outlives the sink.
  const notify::DispatcherOptions notifyOptions{.retryDelaysSeconds = config.notify.retryDelaysSeconds,
                                                .maxAttempts = config.notify.maxAttempts,
                                                .jitterPercent = config.notify.jitterPercent,
                                                .queueMax = static_cast<size_t>(config.notify.queueMax),
                                                .ratePerMinute = config.notify.ratePerMinute,
                                                .send = {.timeoutSeconds = config.notify.sendTimeoutSeconds,
                                                         .caFile = config.notify.caFile,
                                                         .telegramApiBase = config.notify.telegramApiBase},
                                                .metrics = &metrics};
  notify::Dispatcher notifier(**store, clock, *key, notifyOptions);
  alerts::AlertSinkOptions sinkOptions{
      .dedupWindowMs = static_cast<TimeMs>(config.alerts.dedupWindowMinutes) * 60 * 1000, .metrics = &metrics};
  if (config.notify.enabled) {
    sinkOptions.onCreated = [&store, &notifier, &config](const std::vector<int64_t>& ids) {
      const Actor system = Actor::systemActor("notify");
      for (int64_t id : ids) {
        auto a = (*store)->getAlert(system, id);
        if (!a.ok()) continue;
        // A full queue is counted (vigil_notify_notices_total{result="dropped"}); the alert stays.
        (void)notifier.publish(notify::alertNotice(*a, config.notify.publicUrl));
      }
    };
    notifier.start();
  }
  alerts::AlertSink alertSink(**store, sinkOptions, [&alertFeed] { alertFeed.notify(); });

  // Live detection (issue 6, src/detect/live/): the collector hands every accepted batch to the
  // detection stage; its matches become alerts through the sink. The rule manager compiles the
  // rules directories and the database rules, swaps the set in and watches for changes.
  std::optional<detect::sigma::Pipeline> sigmaPipeline;
  std::unique_ptr<detect::live::DetectionStage> detection;
  std::unique_ptr<detect::live::RuleManager> rules;
  std::unique_ptr<detect::live::HuntRunner> hunts;
  if (config.detect.enabled) {
    auto pipeline = detect::sigma::Pipeline::load(fs::path(catalogDir) / "sigma" / "pipelines");
    if (!pipeline.ok()) return fail(Error::validation("server.catalog_dir", pipeline.error().message));
    sigmaPipeline = std::move(*pipeline);
    std::vector<fs::path> ruleDirs;
    if (config.detect.rulesDirs) {
      for (const auto& d : *config.detect.rulesDirs) ruleDirs.emplace_back(d);
    } else if (std::error_code ec; fs::is_directory(fs::path(catalogDir) / "sigma" / "rules", ec)) {
      ruleDirs.push_back(fs::path(catalogDir) / "sigma" / "rules");
    }
    detection = std::make_unique<detect::live::DetectionStage>(
        detect::live::StageOptions{.queueEvents = static_cast<size_t>(config.detect.queueEvents),
                                   .threads = config.detect.threads,
                                   .maxWait = std::chrono::milliseconds(config.detect.queueWaitMs),
                                   .metrics = &metrics},
        [&alertSink](const normalize::Event& e, const detect::sigma::CompiledRule& rule,
                     const detect::live::RuleMeta& meta,
                     uint64_t) { (void)alertSink.raise(detect::live::draftForMatch(e, rule, meta)); },
        [&alertSink](const detect::sigma::CorrelationFiring& f, const detect::live::RuleMeta& meta, int64_t orgId,
                     const normalize::Event* e,
                     uint64_t) { (void)alertSink.raise(detect::live::draftForCorrelation(f, meta, orgId, e)); });
    rules = std::make_unique<detect::live::RuleManager>(
        *sigmaPipeline, detect::sigma::CompileOptions{},
        detect::live::ManagerOptions{.dirs = ruleDirs,
                                     .pollInterval = std::chrono::milliseconds(config.detect.reloadPollMs),
                                     .metrics = &metrics},
        *detection, clock, detect::live::storeLoader(**store));
    if (auto st = rules->reloadNow("start"); !st.ok()) return fail(st.error());
    rules->start();
    collector.setTap(detection.get());
    hunts = std::make_unique<detect::live::HuntRunner>(
        **events, *sigmaPipeline, &alertSink, clock,
        detect::live::HuntLimits{.maxEvents = static_cast<uint64_t>(config.detect.huntMaxEvents),
                                 .maxSeconds = config.detect.huntMaxSeconds});
  }

  // A new incident (or one continuing under another process) is published as an incident_created
  // notice when notifications are on.
  std::function<void(const Incident&)> publishIncident;
  if (config.notify.enabled)
    publishIncident = [&notifier, &config](const Incident& inc) {
      (void)notifier.publish(notify::incidentCreatedNotice(inc, config.notify.publicUrl));
    };
  api::Api api({**store,
                authn,
                metrics,
                clock,
                kVersion,
                resolveWebRoot(config, exePath),
                std::move(*regimes),
                calendarShared,
                (fs::path(config.store.dataDir) / "blobs").string(),
                config.registry,
                std::move(*forms),
                std::move(*checklists),
                std::move(*schedules),
                events->get(),
                &collector,
                &alertFeed,
                processLibrary,
                std::make_shared<const incident::ClassificationCatalog>(std::move(*classification)),
                &notifier,
                rules.get(),
                hunts.get(),
                (fs::path(config.store.dataDir) / "evidence").string(),
                config.evidence.maxFileBytes,
                std::make_shared<const incident::PlanLibrary>(std::move(*plans)),
                std::move(publishIncident)});
  opts.bodyLimit = [&api, fallback = config.http.maxBodyBytes](std::string_view method, std::string_view target) {
    return api.bodyLimit(method, target, fallback);
  };
  opts.largestBodyLimit = api.largestBodyLimit();
  if (!api.staticUiLoaded()) log::warn("the web UI was not found; serving the API only (set server.web_root)");
  auto server = http::Server::start(
      opts, [&api](http::Request& r) { return api.handle(r); }, &metrics);
  if (!server.ok()) return fail(server.error());
  const uint16_t port = (*server)->port();
  const std::string url = std::string(opts.tls ? "https" : "http") + "://" +
                          (opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host) + ":" +
                          std::to_string(port);
  if (auto b = bootstrapIfEmpty(**store, authn, url); !b.ok()) {
    (*server)->stop();
    return fail(b.error());
  }
  // The syslog listeners, after the API server; stopped before the event store closes. Their
  // <port_file>.syslog is written before the port file that scripts wait for.
  auto listeners = startSyslogListeners(config, collector);
  if (!listeners.ok()) {
    (*server)->stop();
    return fail(listeners.error());
  }
  if (!config.server.portFile.empty()) {
    const std::string tmp = config.server.portFile + ".tmp";
    std::ofstream(tmp) << port << "\n";
    fs::rename(tmp, config.server.portFile);
  }
  log::info("vigil " + std::string(kVersion) + " listening on " + url);

  // Silent log sources raise alerts (issue 5), checked every alerts.silent_check_seconds.
  alerts::SilentSourceWatch silentWatch(**store, alertSink, clock, [&](const LogSource& s) {
    return api::sourceLastSeenMs(&collector, events->get(), s, clock.nowMs());
  });
  silentWatch.start(std::chrono::seconds(config.alerts.silentCheckSeconds));

  // The legal clock of open incidents: warnings at 50/75/90 % and breach records, every minute
  // (the shortest legal limits are hours; a minute's delay is within any warning's margin).
  // Each warning and breach is also published once as a notice (notify/incident_notices.h). The
  // supervisor a breach escalates to is the leader role (lãnh đạo: who signs for the agency); the
  // breach notice names it (Notice::escalateTo), so every e-mail subscription to deadline_breach
  // on the agency or an ancestor also reaches the leaders of that agency and its ancestors, even
  // when the subscription lists other recipients only.
  const Role supervisor = Role::kLeader;
  alerts::DeadlineRaisedFn onDeadline;
  if (config.notify.enabled)
    onDeadline = [&notifier, &config, supervisor](const alerts::DeadlineRaised& r) {
      const notify::DeadlineFacts facts{r.deadlineId, r.label, r.dueAt, r.level};
      (void)notifier.publish(
          r.level >= 100 ? notify::deadlineBreachNotice(r.incident, facts, supervisor, r.now, config.notify.publicUrl)
                         : notify::deadlineWarningNotice(r.incident, facts, r.now, config.notify.publicUrl));
    };
  alerts::DeadlineWatch deadlineWatch(**store, processLibrary, calendarShared, clock, std::string(roleName(supervisor)),
                                      std::move(onDeadline));
  deadlineWatch.start(std::chrono::minutes(1));

  // The web-portal monitor (issue 7, [webmon]): the scheduler reads the registered portals from the
  // store (portals::StorePortalSource, again every webmon.reload_seconds), runs each check class at
  // each portal's own intervals through webmon::CheckRunner (one request per second per host at
  // most), and hands every run to portals::RunRecorder: the run, its findings and facts in the
  // store, its evidence compressed in the blob store, alerts through the sink.
  const BlobStore portalBlobs((fs::path(config.store.dataDir) / "blobs").string(), portals::kMaxEvidenceBytes,
                              BlobStore::TypePolicy::kAnyType);
  portals::StorePortalSource portalSource(**store);
  portals::RunRecorder portalRecorder(**store, portalBlobs, alertSink);
  std::unique_ptr<webmon::CheckRunner> portalRunner;
  std::unique_ptr<webmon::PortalScheduler> portalScheduler;
  if (config.webmon.enabled) {
    const std::string webmonCatalogs = (fs::path(catalogDir) / "webmon").string();
    auto catalogs = webmon::loadCheckCatalogs(webmonCatalogs);
    if (!catalogs.ok()) return fail(Error::validation("server.catalog_dir", catalogs.error().message));
    auto extensions = webmon::standardContentExtensions(webmonCatalogs, catalogs->lexicon);
    if (!extensions.ok()) return fail(Error::validation("server.catalog_dir", extensions.error().message));
    webmon::RunnerOptions runnerOptions{.contactUrl = config.webmon.contactUrl,
                                        .caFile = config.webmon.caFile,
                                        .requestTimeoutMs = config.webmon.requestTimeoutMs,
                                        .retries = config.webmon.retries,
                                        .backoffMs = config.webmon.backoffMs,
                                        .lexicon = catalogs->lexicon,
                                        .eol = catalogs->eol,
                                        .contentExtensions = std::move(*extensions)};
    auto runner = webmon::CheckRunner::create(std::move(runnerOptions), clock);
    if (!runner.ok()) return fail(runner.error());
    portalRunner = std::move(*runner);
    portalScheduler = std::make_unique<webmon::PortalScheduler>(
        webmon::SchedulerOptions{
            .workers = config.webmon.workers, .reloadSeconds = config.webmon.reloadSeconds, .metrics = &metrics},
        portalSource, portalRecorder, clock, *portalRunner);
    if (auto started = portalScheduler->start(); !started.ok()) return fail(started.error());
  }

  // Housekeeping: disable inactive accounts and drop expired sessions, at start and hourly.
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread housekeeper([&] {
    std::unique_lock lk(mu);
    do {
      lk.unlock();
      auto n = authn.sweepInactiveAccounts();
      if (n.ok() && *n > 0) log::info("disabled " + std::to_string(*n) + " inactive account(s)");
      (void)(*store)->deleteExpiredSessions(clock.nowMs());
      lk.lock();
    } while (!cv.wait_for(lk, std::chrono::hours(1), [&] { return stopping; }));
  });

  // Event retention ([events]): at start, then every retention_interval_seconds.
  std::thread retainer;
  if (retentionConfigured(config.events)) {
    retainer = std::thread([&] {
      std::unique_lock lk(mu);
      do {
        lk.unlock();
        (void)runEventRetention(**events, config.events, clock, metrics);
        lk.lock();
      } while (
          !cv.wait_for(lk, std::chrono::seconds(config.events.retentionIntervalSeconds), [&] { return stopping; }));
    });
  }

  int sig = 0;
  sigwait(&signals, &sig);
  log::info(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  {
    std::lock_guard lk(mu);
    stopping = true;
  }
  cv.notify_all();
  housekeeper.join();
  silentWatch.stop();
  deadlineWatch.stop();
  if (portalScheduler) portalScheduler->stop();  // before the sink: runs finishing now still raise alerts
  if (retainer.joinable()) retainer.join();
  listeners->stop();
  (*server)->stop();
  // Detection after the inputs: what was accepted is evaluated, then the sink commits it.
  collector.setTap(nullptr);
  hunts.reset();  // cancels and joins running hunts (they raise alerts through the sink)
  if (rules) rules->stop();
  if (detection) detection->stop();
  alertSink.stop();
  notifier.stop();
  (*events)->close();
  (*store)->close();
  log::info("stopped");
  return 0;
}

int backup(const Config& config, const std::string& file) {
  if (auto st = crypto::initCrypto(); !st.ok()) return fail(st.error());
  if (!fs::exists(databasePath(config))) return fail(Error::notFound("no store at " + databasePath(config)));
  SystemClock clock;
  auto store = openStore(config, clock);
  if (!store.ok()) return fail(store.error());
  auto st = (*store)->backupTo(file);
  if (!st.ok()) return fail(st.error());
  (void)(*store)->appendAudit(Actor::systemActor("cli"),
                              {.action = "system.backup",
                               .objectType = "store",
                               .objectId = "vigil.db",
                               .summary = "{\"file\":" + text::jsonQuote(fs::path(file).filename().string()) + "}"});
  std::cout << "vigil: backup written to " << file << "\n"
            << "Keep " << (fs::path(config.store.dataDir) / "keys" / "master.key").string()
            << " safe as well: two-step login secrets and notification channel secrets need it.\n";
  return 0;
}

int restore(const Config& config, const std::string& file) {
  if (auto st = crypto::initCrypto(); !st.ok()) return fail(st.error());
  auto lock = DataDirLock::acquire(config.store.dataDir);
  if (!lock.ok()) return fail(lock.error());
  auto st = sqlite::SqliteStore::restoreFrom(file, databasePath(config));
  if (!st.ok()) return fail(st.error());
  SystemClock clock;
  auto store = openStore(config, clock);
  if (!store.ok()) return fail(store.error());
  (void)(*store)->appendAudit(Actor::systemActor("cli"),
                              {.action = "system.restore",
                               .objectType = "store",
                               .objectId = "vigil.db",
                               .summary = "{\"file\":" + text::jsonQuote(fs::path(file).filename().string()) + "}"});
  auto v = (*store)->verifyAudit();
  std::cout << "vigil: restored " << file << " into " << databasePath(config) << "\n";
  if (v.ok() && !v->ok) std::cout << "warning: the restored audit log is broken at entry " << *v->firstBrokenId << "\n";
  return 0;
}

int userRecover(const Config& config, const std::string& username) {
  if (auto st = crypto::initCrypto(); !st.ok()) return fail(st.error());
  if (!fs::exists(databasePath(config))) return fail(Error::notFound("no store at " + databasePath(config)));
  SystemClock clock;
  auto store = openStore(config, clock);
  if (!store.ok()) return fail(store.error());
  auto creds = (*store)->credentialsByName(username);
  if (!creds.ok()) return fail(Error::notFound("no account named '" + username + "'"));
  const Actor system = Actor::systemActor("cli");
  const std::string password = crypto::base32Encode(crypto::randomBytes(10));
  auto hash = auth::hashPassword(password, {config.auth.argon2Opslimit, config.auth.argon2MemlimitKib});
  if (!hash.ok()) return fail(hash.error());
  const int64_t id = creds->user.id;
  if (auto r = (*store)->updateUser(system, id, {.disabled = false}); !r.ok()) return fail(r.error());
  if (auto r = (*store)->unlockUser(system, id); !r.ok()) return fail(r.error());
  if (auto r = (*store)->setPassword(system, id, *hash, true); !r.ok()) return fail(r.error());
  std::cout << "vigil: account '" << creds->user.username << "' is enabled and unlocked. One-time password:\n"
            << "    " << password << "\n"
            << "(shown only now; it must be changed at the next login; two-step login stays as it was)\n";
  return 0;
}

int auditVerify(const Config& config) {
  if (auto st = crypto::initCrypto(); !st.ok()) return fail(st.error());
  if (!fs::exists(databasePath(config))) return fail(Error::notFound("no store at " + databasePath(config)));
  SystemClock clock;
  auto store = openStore(config, clock);
  if (!store.ok()) return fail(store.error());
  auto v = (*store)->verifyAudit();
  if (!v.ok()) return fail(v.error());
  if (v->ok) {
    std::cout << "audit log intact: " << v->checked << " entries verified\n";
    return 0;
  }
  std::cout << "audit log BROKEN at entry " << *v->firstBrokenId << ": " << v->reason << " (" << v->checked
            << " entries read)\n";
  return 1;
}

}  // namespace vigil::app
