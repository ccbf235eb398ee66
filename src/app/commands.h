// The commands of the vigil binary. Each returns the process exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"

namespace vigil::app {

// Runs the server until SIGINT/SIGTERM.
int serve(const Config& config, const std::string& exePath);
// Writes a consistent copy of the store to `file` (works while the server runs).
int backup(const Config& config, const std::string& file);
// Replaces the store with `file`; refuses while a server holds the data directory.
int restore(const Config& config, const std::string& file);
// Walks the audit chain; exit 0 when intact, 1 when broken.
int auditVerify(const Config& config);
// Recovery for an operator locked out of the UI (e.g. the only administrator was disabled for
// inactivity): enables and unlocks the account and sets a one-time password printed once, which
// must be changed at the next login. Works while the server runs; audited as a system action.
int userRecover(const Config& config, const std::string& username);

// `vigil import`: reads syslog, JSON-lines or EVTX files into <data_dir>/events (server stopped).
struct ImportOptions {
  std::string format = "auto";  // auto, syslog, jsonl, evtx
  int64_t orgId = 1;            // the agency the events belong to (default: the province root)
  int64_t sourceId = 0;         // the declared log source (0: undeclared)
  std::vector<std::string> files;
};
int importFiles(const Config& config, const std::string& exePath, const ImportOptions& options);

// `vigil search`: prints the events of <data_dir>/events matching a query (server stopped).
struct SearchOptions {
  std::string query;
  std::string from, to;          // RFC 3339; empty: open
  size_t limit = 100;            // at most 10,000
  std::string format = "table";  // table, jsonl, csv
};
int searchEvents(const Config& config, const SearchOptions& options);

// `vigil hunt` (app/hunt_command.cpp): Sigma rules over log files, offline. Exit 0 no match,
// 1 matches, 2 errors (bad flags or rules directory, a path or file that could not be read).
struct HuntCommandOptions {
  std::vector<std::string> rules;  // rule directories; empty: <catalog>/sigma/rules
  std::vector<std::string> paths;  // files and directories
  std::string format = "auto";     // auto, evtx, jsonl, syslog
  unsigned threads = 0;            // 0: the hardware threads
  std::string output = "table";    // table, jsonl, csv
  std::string outFile;             // empty: stdout
  std::string minLevel;            // informational, low, medium, high, critical; empty: all
  std::string product;             // only rules of this logsource product; empty: all
};
int huntFiles(const Config& config, const std::string& exePath, const HuntCommandOptions& options);

// `vigil rules test`: rule regression cases (detect/hunt/rule_tests.h). Exit 0 when every case
// passes, 1 when one fails, 2 on errors (no rules, no cases).
struct RulesTestOptions {
  std::vector<std::string> rules;  // empty: <catalog>/sigma/rules
  std::vector<std::string> cases;  // empty: <catalog>/sigma/tests
  bool failuresOnly = false;
};
int testRules(const Config& config, const std::string& exePath, const RulesTestOptions& options);

// `vigil webcheck`: every web-portal check once on each URL (src/webmon/); exit 1 when a finding
// is high or critical, 2 on bad usage.
struct WebcheckOptions {
  std::vector<std::string> urls;
  bool json = false;
  bool allowPrivate = false;  // allow loopback/private addresses (internal portals, tests)
  std::string caFile;         // extra trust anchors (PEM), e.g. an agency's internal CA
  long timeoutSeconds = 20;   // per request
  std::vector<std::string> allowedDomains;
  std::string contact;       // URL put in the User-Agent of normal probes
  int crawlPages = 0;        // > 0: also crawl up to this many pages of each site (webmon/crawl.h)
  long crawlDelayMs = 1000;  // pause between two crawl requests
};
int webcheck(const Config& config, const std::string& exePath, const WebcheckOptions& options);

// `vigil evidence verify-bundle`: checks an evidence export bundle (evidence/bundle.h) and prints
// one line per file; exit 0 when every file matches its manifest, 1 when something was changed,
// added or removed, 2 when the file is not a bundle. Needs no configuration.
int evidenceVerifyBundle(const std::string& file);

std::string databasePath(const Config& config);
// The catalog directory: server.catalog_dir, else found next to the binary or the source tree.
std::string catalogDirFor(const Config& config, const std::string& exePath);
extern const char* const kVersion;

}  // namespace vigil::app
