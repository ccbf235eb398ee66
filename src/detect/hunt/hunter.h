// `vigil hunt`: Sigma rules run offline over log files (EVTX, JSON lines, syslog), the way
// Chainsaw and Hayabusa triage a copied disk or a log export.
//
// Inputs: listInputs() expands the paths given: a file is read whatever its name; a directory is
// walked recursively (sorted by path) and its files are read unless their name says they are not
// logs (README/LICENSE, .md, .yml, archives, images...: see isNotALogByName). Each file's format
// comes from HuntOptions::format or detectLogFormat().
//
// Threads: `threads` workers take files in path order from a shared counter (one file is read by
// one worker; a single huge file is not split). Output order is deterministic whatever the
// number of threads: matches come out by file (in input order) then by record order within the
// file (EVTX: as stored; text: by line). A worker writes its file's matches as soon as every
// earlier file is done; until then it buffers them, and when its buffer passes
// kMaxBufferedBytes it waits for its turn. So memory is bounded by threads x (one record + one
// buffer), whatever the input size. Per-file problems (unreadable, corrupt records) are written
// to the error stream at the file's turn, so they are deterministic too.
//
// Rules: loadRules() leaves out, before compiling them, the rules below `minLevel` and, when
// `product` is set, those whose logsource product differs (events that carry no logsource
// information, such as web server lines, are otherwise evaluated by every rule: see
// detect/sigma/pipeline.h). Every rule of the set is evaluated on every event; the evaluation is
// one call, forEachMatch() (evaluate.h), to switch to another detection set.
//
// Thread-safety: run() is called once; the RuleSet, Pipeline and LogReaders are only read.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "detect/hunt/log_file.h"
#include "detect/hunt/match_output.h"
#include "detect/sigma/compiled_rule.h"

namespace vigil::detect::hunt {

inline constexpr size_t kMaxBufferedBytes = 4 << 20;

struct RuleFilter {
  int minLevel = 0;     // levelRank() of the lowest level kept; 0 keeps every rule
  std::string product;  // lower case; empty: every product
};

// RuleSet::load() with a filter: the *.yml/*.yaml files under `dirs` (sorted), each rule read,
// kept when the filter accepts it, then compiled. A rule that does not parse or compile is
// refused (RuleSet::refusals(), "path:line" and reason) whatever the filter. `filteredOut`
// counts the rules left out.
sigma::RuleSet loadRules(const std::vector<std::filesystem::path>& dirs, const sigma::Pipeline& pipeline,
                         const RuleFilter& filter, uint64_t* filteredOut = nullptr);

struct HuntOptions {
  std::optional<LogFormat> format;  // nullopt: detect per file
  unsigned threads = 1;
  OutputFormat output = OutputFormat::kTable;
  // Called after each file's output is written (files and bytes written so far, and in all, by
  // InputFile::size), in file order, under the output lock: keep it short. Optional.
  std::function<void(size_t done, size_t total, uint64_t bytesDone, uint64_t bytesTotal)> onProgress;
};

struct InputFile {
  std::string path;
  uint64_t size = 0;  // when listed (for progress)
};
struct InputList {
  std::vector<InputFile> files;
  std::vector<std::string> errors;  // paths that do not exist or cannot be listed
  uint64_t skippedByName = 0;       // files of directories left out by their name
};
InputList listInputs(const std::vector<std::string>& paths);
bool isNotALogByName(const std::string& filename);

struct RuleCount {
  std::string id, title, level;
  uint64_t matches = 0;
};

struct HuntReport {
  uint64_t files = 0, failedFiles = 0, records = 0, skippedRecords = 0, bytes = 0, matches = 0;
  std::map<std::string, RuleCount> byRule;  // by rule origin (its file)
  std::map<std::string, uint64_t> byLevel;
  double seconds = 0;
};

class Hunter {
 public:
  // All references must outlive the Hunter.
  Hunter(const sigma::RuleSet& rules, const sigma::Pipeline& pipeline, const LogReaders& readers, HuntOptions options);
  // Reads every file, writes matches to `out` (the header first for csv) and problems to `err`.
  HuntReport run(const std::vector<InputFile>& files, std::ostream& out, std::ostream& err);

 private:
  struct Worker;
  void evaluate(const normalize::Event& event, const std::function<void(const sigma::CompiledRule&)>& onMatch) const;

  const sigma::RuleSet& rules_;
  const sigma::Pipeline& pipeline_;
  const LogReaders& readers_;
  HuntOptions options_;
  MatchFormatter formatter_;
};

// Writes the summary (files, records, MB/s, matches by level, then by rule, most first).
void writeSummary(const HuntReport& report, unsigned threads, std::ostream& out);

}  // namespace vigil::detect::hunt
