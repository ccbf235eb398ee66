#include "detect/live/rule_manager.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/log.h"
#include "store/store.h"

namespace vigil::detect::live {

namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxRuleFileBytes = 1 << 20;

bool isRuleFile(const fs::path& p) { return p.extension() == ".yml" || p.extension() == ".yaml"; }

}  // namespace

RuleManager::RuleManager(const sigma::Pipeline& pipeline, sigma::CompileOptions compile, ManagerOptions options,
                         DetectionStage& stage, const Clock& clock, DatabaseLoader loadDatabase)
    : pipeline_(pipeline),
      compile_(std::move(compile)),
      opts_(std::move(options)),
      stage_(stage),
      clock_(clock),
      loadDatabase_(std::move(loadDatabase)) {
  for (const auto& d : opts_.dirs) status_.dirs.push_back(d.string());
  if (Metrics* m = opts_.metrics) {
    m->describe("vigil_detect_rules", Metrics::Type::kGauge, "Rules in the running live rule set.");
    m->describe("vigil_detect_rule_problems", Metrics::Type::kGauge,
                "Rule files or database rules refused by the last reload (file, line and reason in "
                "GET /api/v1/rules/status).");
    m->describe("vigil_detect_ruleset_version", Metrics::Type::kGauge, "Version of the running live rule set.");
    m->describe("vigil_detect_reloads_total", Metrics::Type::kCounter, "Rule set reloads, by result (ok, failed).");
  }
}

RuleManager::~RuleManager() { stop(); }

std::vector<RuleManager::FileStamp> RuleManager::scan() const {
  std::vector<FileStamp> out;
  for (const fs::path& dir : opts_.dirs) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code fec;
      if (!it->is_regular_file(fec) || !isRuleFile(it->path())) continue;
      FileStamp s;
      s.path = it->path().string();
      s.size = it->file_size(fec);
      const auto t = it->last_write_time(fec);
      s.mtimeNs = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
      out.push_back(std::move(s));
    }
    if (ec) out.push_back({.path = dir.string() + " (unreadable: " + ec.message() + ")"});
  }
  std::sort(out.begin(), out.end(), [](const FileStamp& a, const FileStamp& b) { return a.path < b.path; });
  return out;
}

Status RuleManager::reloadNow(const std::string& reason) {
  std::lock_guard reloadLock(reloadMu_);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<FileStamp> stamps = scan();

  std::vector<RuleInput> inputs;
  std::vector<RuleProblem> readProblems;
  std::map<std::string, std::string> texts;
  for (const fs::path& dir : opts_.dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      readProblems.push_back({.origin = dir.string(), .where = dir.string(), .reason = "not a readable directory"});
      continue;
    }
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec) && isRuleFile(it->path())) files.push_back(it->path());
    }
    if (ec)
      readProblems.push_back(
          {.origin = dir.string(), .where = dir.string(), .reason = "cannot read the directory: " + ec.message()});
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      const std::string origin = (dir.filename() / fs::relative(f, dir, ec)).string();
      std::error_code sec;
      const auto size = fs::file_size(f, sec);
      if (sec || size > kMaxRuleFileBytes) {
        readProblems.push_back(
            {.origin = origin, .where = origin, .reason = sec ? "cannot read: " + sec.message() : "larger than 1 MiB"});
        continue;
      }
      std::ifstream in(f, std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      if (!in && !in.eof()) {
        readProblems.push_back({.origin = origin, .where = origin, .reason = "cannot read the file"});
        continue;
      }
      RuleInput ri;
      ri.text = buf.str();
      texts[origin] = ri.text;
      if (auto g = lastGood_.find(origin); g != lastGood_.end()) ri.fallbackText = g->second;
      ri.meta.source = "directory";
      ri.meta.origin = origin;
      ri.meta.version = 0;
      inputs.push_back(std::move(ri));
    }
  }

  DatabaseRules db;
  if (loadDatabase_) {
    auto loaded = loadDatabase_();
    if (!loaded.ok()) {
      const std::string why = "the database rules could not be read: " + loaded.error().message;
      log::error("rule reload (" + reason + ") failed, the running rule set is kept: " + why);
      std::lock_guard lk(mu_);
      status_.lastError = why;
      status_.lastErrorAt = clock_.nowMs();
      ++status_.failedReloads;
      if (opts_.metrics) opts_.metrics->add("vigil_detect_reloads_total", "result=\"failed\"");
      return loaded.error();
    }
    db = std::move(*loaded);
  }
  for (RuleInput& r : inputs) r.meta.ownerOrgId = db.rootOrgId;
  for (RuleInput& r : db.rules) inputs.push_back(std::move(r));

  const uint64_t version = nextVersion_++;
  auto set = LiveRuleSet::build(version, std::move(inputs), pipeline_, compile_, db.agencies, std::move(db.parents),
                                db.rootOrgId);
  // Remember what compiled, for the next reload's fallbacks.
  std::map<std::string, bool> refused;
  for (const RuleProblem& p : set->problems()) refused[p.origin] = true;
  for (const auto& [origin, text] : texts)
    if (!refused.count(origin)) lastGood_[origin] = text;
  for (auto it = lastGood_.begin(); it != lastGood_.end();)  // deleted files
    it = texts.count(it->first) ? std::next(it) : lastGood_.erase(it);
  loadedStamps_ = stamps;

  stage_.install(set);

  std::vector<RuleProblem> problems = readProblems;
  problems.insert(problems.end(), set->problems().begin(), set->problems().end());
  for (const RuleProblem& p : problems)
    log::warn("rule refused: " + p.where + ": " + p.reason + (p.previousKept ? " (the previous version runs)" : ""));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log::info("rule set " + std::to_string(version) + " installed (" + reason + "): " + std::to_string(set->size()) +
            " rule(s), " + std::to_string(set->correlationCount()) + " correlation(s), " +
            std::to_string(set->filterCount()) + " filter(s), " + std::to_string(problems.size()) +
            " refused, compiled in " + std::to_string(static_cast<int>(seconds * 1000)) + " ms");
  if (Metrics* m = opts_.metrics) {
    m->set("vigil_detect_rules", "", static_cast<double>(set->size()));
    m->set("vigil_detect_rule_problems", "", static_cast<double>(problems.size()));
    m->set("vigil_detect_ruleset_version", "", static_cast<double>(version));
    m->add("vigil_detect_reloads_total", "result=\"ok\"");
  }
  std::lock_guard lk(mu_);
  status_.version = version;
  status_.rules = set->size();
  status_.problems = std::move(problems);
  status_.lastReloadAt = clock_.nowMs();
  status_.lastReason = reason;
  status_.lastCompileSeconds = seconds;
  ++status_.reloads;
  texts_ = std::move(texts);
  return {};
}

void RuleManager::requestReload(const std::string& reason) {
  {
    std::lock_guard lk(mu_);
    pendingReason_ = pendingReason_.empty() ? reason : pendingReason_ + ", " + reason;
  }
  cv_.notify_all();
}

void RuleManager::start() {
  std::lock_guard lk(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { watch(); });
}

void RuleManager::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RuleManager::watch() {
  std::vector<FileStamp> candidate;  // a changed listing seen once, waiting to be stable
  bool haveCandidate = false;
  for (;;) {
    std::string reason;
    {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, opts_.pollInterval, [&] { return stopping_ || !pendingReason_.empty(); });
      if (stopping_) return;
      reason.swap(pendingReason_);
    }
    if (!opts_.dirs.empty()) {
      std::vector<FileStamp> now = scan();
      bool changed;
      {
        std::lock_guard rl(reloadMu_);
        changed = now != loadedStamps_;
      }
      if (changed) {
        if (haveCandidate && now == candidate) {
          reason = reason.empty() ? "directory change" : reason + ", directory change";
          haveCandidate = false;
        } else {
          candidate = std::move(now);  // debounce: reload when the next poll sees the same listing
          haveCandidate = true;
        }
      } else {
        haveCandidate = false;
      }
    }
    if (!reason.empty()) (void)reloadNow(reason);
  }
}

DatabaseLoader storeLoader(Store& store) {
  return [&store]() -> Result<DatabaseRules> {
    DatabaseRules out;
    const Actor system = Actor::systemActor("detect");
    VIGIL_ASSIGN_OR_RETURN(auto orgs, store.listOrgs(system, true));
    for (const Org& o : orgs.items) {
      out.parents[o.id] = o.parentId.value_or(0);
      if (!o.parentId) out.rootOrgId = o.id;
    }
    VIGIL_ASSIGN_OR_RETURN(auto settings, store.allRuleAgencySettings());
    for (const RuleAgencySetting& s : settings) out.agencies[s.ruleUid][s.orgId] = s.enabled;
    VIGIL_ASSIGN_OR_RETURN(auto rules, store.allDetectionRules());
    for (DetectionRule& r : rules) {
      // A rule switched off with no agency switching it back on is not compiled at all.
      bool anyOn = r.enabled;
      if (auto a = out.agencies.find(r.uid); a != out.agencies.end())
        for (const auto& [org, on] : a->second) anyOn = anyOn || on;
      if (!anyOn) continue;
      RuleInput in;
      in.text = std::move(r.yaml);
      in.meta.key = r.uid;
      in.meta.source = "database";
      in.meta.origin = "db:" + std::to_string(r.id);
      in.meta.dbId = r.id;
      in.meta.version = r.version;
      in.meta.ownerOrgId = r.orgId;
      in.meta.enabled = r.enabled;
      out.rules.push_back(std::move(in));
    }
    return out;
  };
}

ReloadStatus RuleManager::status() const {
  std::lock_guard lk(mu_);
  return status_;
}

std::string RuleManager::directoryText(const std::string& origin) const {
  std::lock_guard lk(mu_);
  auto it = texts_.find(origin);
  return it == texts_.end() ? std::string() : it->second;
}

}  // namespace vigil::detect::live
