// Config: the one typed configuration of vigil, loaded once at start from (in increasing order of
// precedence) built-in defaults, a TOML file, VIGIL_<SECTION>_<KEY> environment variables and
// command-line flags, then validated. Passed down explicitly; never global.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigil {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free port
  bool allowInsecurePublic = false;       // permit plain HTTP on a non-loopback address
  int ioThreads = 2;
  int workerThreads = 4;
  std::string webRoot;   // directory of the built UI; empty: <exe dir>/../web/dist or ./web/dist
  std::string portFile;  // when set, the bound port is written here once listening
  // Rules kept as data (regimes/, calendar/); empty: <exe dir>/../share/vigil/catalogs, the
  // source tree's catalogs/, or ./catalogs.
  std::string catalogDir;
};

struct TlsConfig {
  bool enabled = false;
  std::string certFile;  // PEM; empty with enabled=true: a self-signed pair in <data_dir>/tls/
  std::string keyFile;
};

struct StoreConfig {
  std::string dataDir = "./var";
  int readerConnections = 4;
  int writerBatchMax = 256;  // most write jobs committed in one transaction
};

struct AuthConfig {
  // Argon2id cost. The defaults follow OWASP's minimum (19 MiB, 2 passes).
  int64_t argon2Opslimit = 2;
  int64_t argon2MemlimitKib = 19456;
};

struct LogConfig {
  std::string format = "text";  // "text" or "json" (one JSON object per line)
  std::string level = "info";   // trace, debug, info, warn, error
};

struct HttpLimits {
  int64_t maxBodyBytes = 1 << 20;
  int64_t maxHeaderBytes = 16 << 10;
  int requestTimeoutSeconds = 30;
  int idleTimeoutSeconds = 60;
  int maxConnections = 1024;
  // Request bodies held in memory at once (being read, or waiting for and using a worker); a
  // request that would go over gets 503 with Retry-After before its body is read.
  int64_t maxBodyMemoryBytes = 256LL << 20;
};

// The registry of information systems (issue 3).
struct RegistryConfig {
  int accountUnusedDays = 90;             // a system account unused longer than this is flagged
  int antiMalwareUpdateDays = 7;          // signatures older than this do not count as up to date
  int64_t maxAttachmentBytes = 20 << 20;  // dossier attachments (also bounded by http.max_body_bytes)
};

// The alert queue (issue 4).
struct AlertsConfig {
  int dedupWindowMinutes = 1440;  // an open alert absorbs reports of its rule and key this recent
  int silentCheckSeconds = 60;    // how often declared log sources are checked for silence
  // Long-poll requests (GET /api/v1/alerts/changes?wait=) waiting at once; each holds an HTTP
  // worker, so vigil serve keeps it below server.worker_threads. 0: no waiting (clients poll).
  int maxWaiters = 2;
  // Live event streams (GET /api/v1/alerts/stream, Server-Sent Events) open at once; a stream
  // holds a connection but no thread while it waits.
  int maxStreams = 256;
};

// Log collection (issue 5): the syslog and RELP listeners of `vigil serve`.
struct CollectConfig {
  std::string syslogUdp;          // host:port of the UDP listener (RFC 5426); empty: off
  std::string syslogTcp;          // host:port of the TCP listener (RFC 6587); empty: off
  std::string syslogTls;          // host:port of the TLS listener (RFC 5425), certificate of [tls]; empty: off
  std::string relp;               // host:port of the RELP listener (acknowledged once durable); empty: off
  int64_t maxFrameBytes = 65536;  // a longer message is cut and counted as a parse error
  int maxConnections = 2000;      // open TCP + TLS connections; further ones are closed
  int idleTimeoutSeconds = 300;   // a connection that sends nothing this long is closed
  bool acceptUndeclared = true;   // keep messages of senders no declared source names
};

// The event store of log collection (issue 5): its memory bounds and retention. Retention runs
// at start and every retentionIntervalSeconds in `vigil serve` (docs/operator-guide.md).
struct EventsConfig {
  int64_t maxQueuedBytes = 64LL << 20;             // accepted, not yet durable; beyond: push back on senders
  int64_t maxSegmentBytes = 64LL << 20;            // a write-ahead-log segment is sealed at this size
  int64_t retentionDays = 0;                       // delete days that ended more than this many days ago; 0 = keep
  int64_t retentionMaxBytes = 0;                   // then delete the oldest days until the store fits; 0 = no limit
  std::map<int64_t, int64_t> agencyRetentionDays;  // org id -> days (their own, shorter or longer)
  int retentionIntervalSeconds = 3600;
};

// Incident evidence (issue 4): files kept content-addressed under <data_dir>/evidence/.
struct EvidenceConfig {
  int64_t maxFileBytes = 100LL << 20;  // a larger file is refused whole (also bounded by http.max_body_bytes)
};

// Notifications (issue 4): the dispatcher of `vigil serve` (src/notify/README.md). Channels and
// subscriptions are data, kept in the database through the API; these are the server's limits.
struct NotifyConfig {
  bool enabled = true;
  std::vector<int> retryDelaysSeconds{60, 300, 900, 3600};  // before attempt 2, 3, ...; the last repeats
  int maxAttempts = 5;                                      // attempts in all; then the delivery is marked failed
  int jitterPercent = 20;                                   // up to this much is added to each delay, at random
  int queueMax = 1000;                                      // notices waiting to be stored; beyond: refused and counted
  int ratePerMinute = 30;                                   // sends per channel and minute
  int sendTimeoutSeconds = 20;                              // one SMTP or HTTP transfer
  std::string caFile;  // extra CA bundle (PEM) for SMTP relays and webhooks; "" = system store
  std::string telegramApiBase = "https://api.telegram.org";
  std::string publicUrl;  // the server's address as officers reach it, for links in messages; "" = none
};

// Live detection (issue 6): Sigma rules evaluated on every collected event, alerts to the queue.
struct DetectConfig {
  bool enabled = true;
  // Directories of Sigma rules (*.yml/*.yaml, SigmaHQ layout), watched for changes. Unset: the
  // shipped <catalog_dir>/sigma/rules when it exists; an empty list: none (database rules only).
  std::optional<std::vector<std::string>> rulesDirs;
  int threads = 1;  // detection threads
  int64_t queueEvents =
      32768;              // events waiting for detection (each costs its size in memory); then inputs wait queueWaitMs
  int queueWaitMs = 200;  // then the batch is counted as not evaluated (dropped)
  int reloadPollMs = 2000;          // how often the rules directories are checked for changes
  int64_t huntMaxEvents = 5000000;  // a retro-hunt reads at most this many stored events
  int huntMaxSeconds = 600;         // ... and runs at most this long
};

// The scheduled web-portal monitor (issue 7, src/webmon/scheduler.h): the portals themselves are
// data (registered per agency through the API); these are the scheduler's bounds.
struct WebmonConfig {
  bool enabled = true;     // run the scheduler in `vigil serve` (no portal registered: no request)
  int workers = 128;       // runs at once (the global concurrency; mostly waiting on the network and
                           // the per-host gate; the 500-portal benchmark ran with 128)
  int reloadSeconds = 60;  // how often registrations are read again (an API change also triggers it)
  int retries = 2;         // availability: further tries before a portal is "down"
  int backoffMs = 5000;    // availability: first back-off, doubled per retry
  int requestTimeoutMs = 20000;
  std::string contactUrl;  // named in the User-Agent so a portal's administrator can reach us
  std::string caFile;      // extra trust anchors (PEM) for the TLS checks; "" = system store
};

struct Config {
  ServerConfig server;
  TlsConfig tls;
  StoreConfig store;
  AuthConfig auth;
  LogConfig log;
  HttpLimits http;
  RegistryConfig registry;
  AlertsConfig alerts;
  CollectConfig collect;
  EventsConfig events;
  EvidenceConfig evidence;
  NotifyConfig notify;
  DetectConfig detect;
  WebmonConfig webmon;
};

// Key/value overrides in "section.key" form, as given by flags.
using ConfigOverrides = std::map<std::string, std::string>;

// Loads `path` (empty: no file), then the environment `env` (name -> value, only VIGIL_* are
// read), then `flags`. Unknown keys, wrong types and invalid values are errors that name the key
// and where it came from.
Result<Config> loadConfig(const std::string& path, const std::map<std::string, std::string>& env,
                          const ConfigOverrides& flags);

// Reads the process environment into a map, for loadConfig.
std::map<std::string, std::string> processEnvironment();

// Checks cross-field rules (e.g. a public address without TLS).
Status validateConfig(const Config& c);

// True when `host` is a loopback address or "localhost".
bool isLoopbackHost(const std::string& host);

// Splits "host:port" / "[v6]:port". Error names the key (`key`, server.listen by default).
Result<std::pair<std::string, uint16_t>> splitHostPort(const std::string& listen,
                                                       const std::string& key = "server.listen");

}  // namespace vigil
