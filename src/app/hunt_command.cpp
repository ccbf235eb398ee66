// `vigil hunt` and `vigil rules test`: the command-line side of detect/hunt (flags, catalogs,
// rule loading, where output goes, exit codes). Neither needs the data directory or the server.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <unistd.h>

#include "app/commands.h"
#include "core/clock.h"
#include "core/text.h"
#include "detect/hunt/hunter.h"
#include "detect/hunt/rule_tests.h"
#include "detect/sigma/detection.h"
#include "detect/sigma/pipeline.h"
#include "evtx/windows_mapping.h"
#include "normalize/normalizer.h"

namespace vigil::app {

namespace fs = std::filesystem;

namespace {

int fail(const std::string& message) {
  std::cerr << "vigil: " << message << "\n";
  return 2;
}

// The catalogs every offline reader needs, loaded once.
struct Catalogs {
  detect::sigma::Pipeline pipeline;
  normalize::Normalizer normalizer;
  evtx::WindowsMapping windows;
};

Result<std::unique_ptr<Catalogs>> loadCatalogs(const fs::path& dir) {
  VIGIL_ASSIGN_OR_RETURN(auto pipeline, detect::sigma::Pipeline::load(dir / "sigma" / "pipelines"));
  VIGIL_ASSIGN_OR_RETURN(auto normalizer, normalize::Normalizer::load(dir / "normalize"));
  VIGIL_ASSIGN_OR_RETURN(auto windows, evtx::WindowsMapping::load(dir / "normalize" / "windows"));
  return std::make_unique<Catalogs>(Catalogs{std::move(pipeline), std::move(normalizer), std::move(windows)});
}

// Loads the rule directories (each must exist); refusals are listed on stderr, the rest load.
Result<std::shared_ptr<const detect::sigma::DetectionSet>> loadRules(std::vector<std::string> dirs,
                                                                     const fs::path& catalogDir,
                                                                     const detect::sigma::Pipeline& pipeline,
                                                                     const detect::hunt::RuleFilter& filter = {}) {
  if (dirs.empty()) dirs.push_back((catalogDir / "sigma" / "rules").string());
  std::vector<fs::path> paths;
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) return Error::validation("--rules " + d, "not a directory");
    paths.emplace_back(d);
  }
  uint64_t filteredOut = 0;
  auto set = detect::hunt::loadRules(paths, pipeline, filter, &filteredOut);
  for (const auto& r : set->refusals()) std::cerr << "vigil: rule refused: " << r.where << ": " << r.reason << "\n";
  std::cerr << "vigil: " << set->rules().size() << " rule(s) loaded";
  if (set->correlationCount() != 0) std::cerr << " with " << set->correlationCount() << " correlation(s)";
  if (set->filterCount() != 0) std::cerr << " and " << set->filterCount() << " filter(s)";
  std::cerr << ", " << set->refusals().size() << " refused";
  if (filteredOut != 0) std::cerr << ", " << filteredOut << " left out by --min-level/--logsource-product";
  std::cerr << "\n";
  if (set->rules().size() == 0 && filteredOut != 0)
    return Error::validation("--rules", "no rule left: all " + std::to_string(filteredOut) +
                                            " were left out by --min-level/--logsource-product");
  if (set->rules().size() == 0) return Error::validation("--rules", "no rule could be loaded");
  return set;
}

}  // namespace

int huntFiles(const Config& config, const std::string& exePath, const HuntCommandOptions& options) {
  detect::hunt::HuntOptions hunt;
  detect::hunt::RuleFilter filter;
  const auto output = detect::hunt::parseOutputFormat(options.output);
  if (!output) return fail("--output must be table, jsonl or csv (got '" + options.output + "')");
  hunt.output = *output;
  if (options.format != "auto") {
    hunt.format = detect::hunt::parseLogFormat(options.format);
    if (!hunt.format) return fail("--format must be auto, evtx, jsonl or syslog (got '" + options.format + "')");
  }
  if (!options.minLevel.empty()) {
    filter.minLevel = detect::hunt::levelRank(options.minLevel);
    if (filter.minLevel == 0)
      return fail("--min-level must be informational, low, medium, high or critical (got '" + options.minLevel + "')");
  }
  filter.product = text::asciiLower(options.product);
  hunt.minLevel = filter.minLevel;  // rules kept only for a correlation are not reported below it
  hunt.threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (hunt.threads > 256) return fail("--threads must be between 1 and 256");
  if (options.paths.empty()) return fail("give the files or directories to hunt through");

  const fs::path catalogDir = catalogDirFor(config, exePath);
  auto catalogs = loadCatalogs(catalogDir);
  if (!catalogs) return fail(catalogs.error().message);
  auto rules = loadRules(options.rules, catalogDir, (*catalogs)->pipeline, filter);
  if (!rules) return fail(rules.error().message);

  const auto inputs = detect::hunt::listInputs(options.paths);
  for (const auto& e : inputs.errors) std::cerr << "vigil: " << e << "\n";
  if (inputs.files.empty()) return fail("no file to read");
  if (inputs.skippedByName != 0)
    std::cerr << "vigil: " << inputs.skippedByName
              << " file(s) of the directories left out by their name (README, .md, .yml, archives...)\n";

  std::ofstream file;
  if (!options.outFile.empty()) {
    file.open(options.outFile, std::ios::binary | std::ios::trunc);
    if (!file) return fail("--out " + options.outFile + ": cannot write: " + std::strerror(errno));
  }
  std::ostream& out = options.outFile.empty() ? std::cout : file;

  // nowUs 0: a line without a date gets its file's modification time (the same on every run).
  const detect::hunt::LogReaders readers{.normalizer = &(*catalogs)->normalizer, .windows = &(*catalogs)->windows};
  // A progress line on the terminal when the matches go elsewhere (a file or a pipe), so a long
  // hunt that finds nothing does not look stuck. Rewritten in place; cleared at the end.
  const bool progress = ::isatty(STDERR_FILENO) && (!options.outFile.empty() || !::isatty(STDOUT_FILENO));
  if (progress)
    hunt.onProgress = [](size_t done, size_t total, uint64_t bytesDone, uint64_t bytesTotal) {
      // Cursor back at the start of the line: a problem line written next overwrites it.
      std::cerr << "\r\033[Kvigil: " << done << " of " << total << " file(s), " << bytesDone / 1000000 << " of "
                << bytesTotal / 1000000 << " MB read\r" << std::flush;
    };
  detect::hunt::Hunter hunter(**rules, (*catalogs)->pipeline, readers, hunt);
  const auto report = hunter.run(inputs.files, out, std::cerr);
  if (progress) std::cerr << "\033[K" << std::flush;
  // The summary follows the table; for jsonl/csv (machine-read) it goes to stderr. With --out the
  // operator still sees it on the terminal.
  const bool table = hunt.output == detect::hunt::OutputFormat::kTable;
  detect::hunt::writeSummary(report, hunt.threads, table ? out : std::cerr);
  if (table && !options.outFile.empty()) detect::hunt::writeSummary(report, hunt.threads, std::cerr);
  out.flush();
  if (!out) return fail("writing the output failed: " + std::string(std::strerror(errno)));
  if (!inputs.errors.empty() || report.failedFiles != 0) return 2;
  return report.matches != 0 ? 1 : 0;
}

int testRules(const Config& config, const std::string& exePath, const RulesTestOptions& options) {
  const fs::path catalogDir = catalogDirFor(config, exePath);
  auto catalogs = loadCatalogs(catalogDir);
  if (!catalogs) return fail(catalogs.error().message);
  auto rules = loadRules(options.rules, catalogDir, (*catalogs)->pipeline);
  if (!rules) return fail(rules.error().message);
  std::vector<std::string> cases = options.cases;
  if (cases.empty()) cases.push_back((catalogDir / "sigma" / "tests").string());

  SystemClock clock;
  const detect::hunt::LogReaders readers{
      .normalizer = &(*catalogs)->normalizer, .windows = &(*catalogs)->windows, .nowUs = clock.nowMs() * 1000};
  using Outcome = detect::hunt::CaseResult::Outcome;
  auto totals = detect::hunt::runRuleTests(**rules, readers, cases, [&](const detect::hunt::CaseResult& r) {
    if (options.failuresOnly && r.outcome != Outcome::kFail) return;
    const char* tag = r.outcome == Outcome::kPass ? "PASS" : r.outcome == Outcome::kSkip ? "SKIP" : "FAIL";
    std::cout << tag << "  " << r.where << "\n      " << r.reason << "\n";
  });
  if (!totals) return fail(totals.error().message);
  std::cout << "rules test: " << totals->passed << " passed, " << totals->failed << " failed, " << totals->skipped
            << " skipped\n";
  if (totals->failed != 0) return 1;
  if (totals->passed == 0) return fail("no case passed (every case was skipped)");
  return 0;
}

}  // namespace vigil::app
