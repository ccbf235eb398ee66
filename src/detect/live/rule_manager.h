// RuleManager: where the live rule set comes from and when it changes (hot reload).
//
// Sources: the rules directories of the configuration ([detect] rules_dirs: every *.yml/*.yaml
// below them, SigmaHQ layout) and the rules kept in the database (through `loadDatabase`, which
// also gives the per-agency settings and the agency tree).
//
// Reload: reloadNow() reads every source, compiles a new LiveRuleSet on the calling thread and
// installs it in the DetectionStage (an atomic swap: the detection threads never wait for a
// compile). The watcher thread (start()) polls the directories every `pollInterval` (path, size
// and modification time of every rule file); a change is debounced (the listing must be the same
// on two polls in a row, so an editor's or rsync's half-written files are not compiled) and then
// reloaded; requestReload() (an API change) wakes it at once.
//
// Bad rules: a rule file that does not parse or compile is refused alone (file, line, reason:
// logged, counted in vigil_detect_rule_problems, listed by status()); when an earlier version
// of the same file compiled, that version keeps running. A reload that cannot read its sources
// at all (the database refused) keeps the previous set and records the error.
//
// Thread-safety: every method is thread-safe; reloads are serialised.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "detect/live/detection_stage.h"

namespace vigil {
class Store;
}

namespace vigil::detect::live {

// What the database contributes to a reload.
struct DatabaseRules {
  std::vector<RuleInput> rules;  // meta filled (source "database", key, dbId, version, owner, enabled)
  LiveRuleSet::AgencySettings agencies;
  std::unordered_map<int64_t, int64_t> parents;  // agency -> parent (root: 0)
  int64_t rootOrgId = 1;
};
using DatabaseLoader = std::function<Result<DatabaseRules>()>;

// The loader of `vigil serve`: the store's detection rules, per-agency settings and agency tree
// (system level). `store` must outlive the loader.
DatabaseLoader storeLoader(Store& store);

struct ManagerOptions {
  std::vector<std::filesystem::path> dirs;
  std::chrono::milliseconds pollInterval{1000};
  Metrics* metrics = nullptr;
};

// The state shown by GET /api/v1/rules/status.
struct ReloadStatus {
  uint64_t version = 0;  // of the running set
  size_t rules = 0;      // rules in use
  std::vector<RuleProblem> problems;
  std::vector<std::string> dirs;
  TimeMs lastReloadAt = 0;
  std::string lastReason;  // "start", "directory change", "api: rule.update", ...
  std::string lastError;   // the last reload that failed as a whole ("" none)
  TimeMs lastErrorAt = 0;
  uint64_t reloads = 0, failedReloads = 0;
  double lastCompileSeconds = 0;
};

class RuleManager {
 public:
  // `pipeline`, `stage` and `clock` must outlive the manager. `loadDatabase` may be empty (no
  // database rules).
  RuleManager(const sigma::Pipeline& pipeline, sigma::CompileOptions compile, ManagerOptions options,
              DetectionStage& stage, const Clock& clock, DatabaseLoader loadDatabase);
  ~RuleManager();
  RuleManager(const RuleManager&) = delete;
  RuleManager& operator=(const RuleManager&) = delete;

  // Compiles and installs a new set now. An error (the set was kept) when the sources could not
  // be read; refused rules are not errors (see status()).
  Status reloadNow(const std::string& reason);
  // Asks the watcher thread to reload soon (returns at once).
  void requestReload(const std::string& reason);

  void start();
  void stop();

  ReloadStatus status() const;
  const sigma::Pipeline& pipeline() const { return pipeline_; }
  const sigma::CompileOptions& compileOptions() const { return compile_; }
  std::shared_ptr<const LiveRuleSet> current() const { return stage_.current(); }

  // The text of a directory rule file as last loaded ("" when unknown), by origin.
  std::string directoryText(const std::string& origin) const;

 private:
  struct FileStamp {
    std::string path;
    uintmax_t size = 0;
    int64_t mtimeNs = 0;
    bool operator==(const FileStamp&) const = default;
  };
  std::vector<FileStamp> scan() const;
  void watch();

  const sigma::Pipeline& pipeline_;
  const sigma::CompileOptions compile_;
  const ManagerOptions opts_;
  DetectionStage& stage_;
  const Clock& clock_;
  DatabaseLoader loadDatabase_;

  std::mutex reloadMu_;                          // one reload at a time
  std::map<std::string, std::string> lastGood_;  // GUARDED_BY(reloadMu_): origin -> last text that compiled
  std::vector<FileStamp> loadedStamps_;          // GUARDED_BY(reloadMu_)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                     // GUARDED_BY(mu_)
  std::string pendingReason_;                 // GUARDED_BY(mu_): a requested reload
  ReloadStatus status_;                       // GUARDED_BY(mu_)
  std::map<std::string, std::string> texts_;  // GUARDED_BY(mu_): directory origin -> text loaded
  uint64_t nextVersion_ = 1;                  // GUARDED_BY(reloadMu_)
  std::thread thread_;
};

}  // namespace vigil::detect::live
