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
// Rules: a sigma::DetectionSet (detection rules, meta filter rules, correlation rules). loadRules()
// applies `minLevel` / `product` before compiling (events that carry no logsource information,
// such as web server lines, are otherwise evaluated by every rule: see detect/sigma/pipeline.h),
// keeping what the kept correlations need (see loadRules). Each file is evaluated in record order
// by one worker with its own correlation state (StreamEvaluator, evaluate.h), ended at the end of
// the file: correlations never span files, so the output does not depend on `threads`.
//
// Thread-safety: run() is called once; the DetectionSet, Pipeline and LogReaders are only read.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "detect/hunt/log_file.h"
#include "detect/hunt/match_output.h"
#include "detect/sigma/compiled_rule.h"
#include "detect/sigma/detection.h"

namespace vigil::detect::hunt {

inline constexpr size_t kMaxBufferedBytes = 4 << 20;

struct RuleFilter {
  int minLevel = 0;     // levelRank() of the lowest level kept; 0 keeps every rule
  std::string product;  // lower case; empty: every product
};

// DetectionSet::load() with a filter. Without one, the set is loaded as is. With one, the
// *.yml/*.yaml files under `dirs` (sorted) are read and their YAML documents parsed first:
// - a detection rule is kept when its level is at least `minLevel` and (with `product`) its
//   logsource product equals it;
// - a correlation is kept when its level is at least `minLevel` and (with `product`) one of the
//   rules it names is of that product or is a kept correlation; the rules and correlations a kept
//   correlation names are kept too, whatever their level (they feed it; Hunter drops their own
//   matches below `minLevel` when reporting, see HuntOptions::minLevel);
// - a filter rule is kept when one of the rules it names is kept (or a name is unknown: the
//   refusal says so).
// Files holding a kept document, or a document that does not parse, are compiled whole through
// DetectionSet::fromTexts (a file is the unit: its other documents come along). Refusals carry
// "path:line" and the reason whatever the filter. `filteredOut` counts the detection rules and
// correlations of the files left out.
std::shared_ptr<const sigma::DetectionSet> loadRules(const std::vector<std::filesystem::path>& dirs,
                                                     const sigma::Pipeline& pipeline, const RuleFilter& filter,
                                                     uint64_t* filteredOut = nullptr);

struct HuntOptions {
  std::optional<LogFormat> format;  // nullopt: detect per file
  unsigned threads = 1;
  OutputFormat output = OutputFormat::kTable;
  // Detections whose level ranks below this (levelRank) are not reported: rules loaded only
  // because a kept correlation needs them (loadRules). 0 reports every level.
  int minLevel = 0;
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
  // By rule or correlation: key "<origin>\n<id>\n<title>" (a file may hold several documents).
  std::map<std::string, RuleCount> byRule;
  std::map<std::string, uint64_t> byLevel;
  double seconds = 0;
};

class Hunter {
 public:
  // All references must outlive the Hunter.
  Hunter(const sigma::DetectionSet& rules, const sigma::Pipeline& pipeline, const LogReaders& readers,
         HuntOptions options);
  // Reads every file, writes matches to `out` (the header first for csv) and problems to `err`.
  HuntReport run(const std::vector<InputFile>& files, std::ostream& out, std::ostream& err);

 private:
  const sigma::DetectionSet& rules_;
  const sigma::Pipeline& pipeline_;
  const LogReaders& readers_;
  HuntOptions options_;
  MatchFormatter formatter_;
};

// Writes the summary (files, records, MB/s, matches by level, then by rule or correlation, most
// first; a correlation's firings count as its matches).
void writeSummary(const HuntReport& report, unsigned threads, std::ostream& out);

}  // namespace vigil::detect::hunt
