#include "detect/hunt/hunter.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/text.h"
#include "detect/hunt/evaluate.h"

namespace vigil::detect::hunt {

namespace fs = std::filesystem;

namespace {

// Problems written per file before they are only counted (a file of bad lines must not flood
// the terminal).
constexpr int kMaxProblemsPerFile = 10;

}  // namespace

bool isNotALogByName(const std::string& filename) {
  const std::string name = text::asciiLower(filename);
  for (const char* prefix : {"readme", "license", "copying", "changelog", ".git"})
    if (name.rfind(prefix, 0) == 0) return true;
  const std::string ext = fs::path(name).extension().string();
  for (const char* e : {".md",   ".tsv", ".csv", ".yml", ".yaml", ".toml", ".html", ".htm", ".pdf", ".zip",
                        ".gz",   ".7z",  ".xz",  ".bz2", ".zst",  ".tar",  ".exe",  ".dll", ".png", ".jpg",
                        ".jpeg", ".gif", ".py",  ".ps1", ".sh",   ".xml",  ".docx", ".xlsx"})
    if (ext == e) return true;
  return false;
}

InputList listInputs(const std::vector<std::string>& paths) {
  InputList list;
  for (const auto& p : paths) {
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      list.errors.push_back(p + ": no such file or directory");
      continue;
    }
    if (fs::is_regular_file(st)) {
      list.files.push_back({p, fs::file_size(p, ec)});
      continue;
    }
    if (!fs::is_directory(st)) {
      list.errors.push_back(p + ": not a file or directory");
      continue;
    }
    std::vector<InputFile> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code fec;
      if (!it->is_regular_file(fec)) continue;
      if (isNotALogByName(it->path().filename().string())) {
        ++list.skippedByName;
        continue;
      }
      found.push_back({it->path().string(), it->file_size(fec)});
    }
    if (ec) list.errors.push_back(p + ": cannot list the directory: " + ec.message());
    std::sort(found.begin(), found.end(), [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
    list.files.insert(list.files.end(), found.begin(), found.end());
  }
  return list;
}

Hunter::Hunter(const sigma::RuleSet& rules, const sigma::Pipeline& pipeline, const LogReaders& readers,
               HuntOptions options)
    : rules_(rules),
      pipeline_(pipeline),
      readers_(readers),
      options_(std::move(options)),
      formatter_(rules, pipeline, options_.output) {}

void Hunter::evaluate(const normalize::Event& event,
                      const std::function<void(const sigma::CompiledRule&)>& onMatch) const {
  forEachMatch(rules_, event, onMatch);
}

sigma::RuleSet loadRules(const std::vector<fs::path>& dirs, const sigma::Pipeline& pipeline, const RuleFilter& filter,
                         uint64_t* filteredOut) {
  if (filter.minLevel == 0 && filter.product.empty()) return sigma::RuleSet::load(dirs, pipeline);
  sigma::RuleSet set;
  uint64_t left = 0;
  for (const auto& dir : dirs) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string origin = (dir.filename() / fs::relative(f, dir)).string();
      std::string text;
      {
        std::ifstream in(f, std::ios::binary);
        char buf[65536];
        while (text.size() <= sigma::kMaxRuleBytes && (in.read(buf, sizeof buf) || in.gcount() > 0))
          text.append(buf, static_cast<size_t>(in.gcount()));
      }
      // A rule that does not parse goes to add(), which refuses it with its reason.
      if (text.size() <= sigma::kMaxRuleBytes) {
        auto rule = sigma::parseRule(text, origin);
        if (rule && ((filter.minLevel > 0 && levelRank(rule->level) < filter.minLevel) ||
                     (!filter.product.empty() && rule->logsource.product != filter.product))) {
          ++left;
          continue;
        }
      }
      set.add(text, origin, pipeline);
    }
  }
  if (filteredOut) *filteredOut = left;
  return set;
}

HuntReport Hunter::run(const std::vector<InputFile>& files, std::ostream& out, std::ostream& err) {
  const auto start = std::chrono::steady_clock::now();
  out << formatter_.header();

  struct Finished {
    std::string matches, problems;
  };
  std::mutex mu;
  std::condition_variable turnChanged;
  size_t turn = 0;                      // the file whose output is written next (guarded by mu)
  std::map<size_t, Finished> finished;  // done files waiting for their turn (guarded by mu)
  std::atomic<size_t> next{0};
  HuntReport report;                       // totals merged under mu
  uint64_t bytesDone = 0, bytesTotal = 0;  // for onProgress (guarded by mu)
  for (const auto& f : files) bytesTotal += f.size;

  // Under mu: writes the finished files whose turn has come.
  auto writeReady = [&]() {
    for (auto it = finished.find(turn); it != finished.end(); it = finished.find(turn)) {
      out << it->second.matches;
      err << it->second.problems;
      finished.erase(it);
      ++turn;
      bytesDone += files[turn - 1].size;
      if (options_.onProgress) options_.onProgress(turn, files.size(), bytesDone, bytesTotal);
    }
    turnChanged.notify_all();
  };

  auto work = [&]() {
    std::unordered_map<const sigma::CompiledRule*, uint64_t> counts;
    HuntReport mine;
    for (size_t i = next++; i < files.size(); i = next++) {
      const std::string& path = files[i].path;
      std::string buffer, problems;
      int problemCount = 0;
      auto note = [&](const std::string& problem) {
        if (++problemCount <= kMaxProblemsPerFile) problems += "vigil: " + problem + "\n";
      };
      // Writes the buffer when it is this file's turn; with `wait`, waits for the turn first.
      auto flush = [&](bool wait) {
        std::unique_lock lock(mu);
        if (wait) turnChanged.wait(lock, [&] { return turn == i; });
        if (turn == i) {
          out << buffer;
          buffer.clear();
        }
      };
      const LogFormat format = options_.format ? *options_.format : detectLogFormat(path);
      auto stats = readLogFile(
          path, format, readers_,
          [&](normalize::Event& event, uint64_t record) {
            evaluate(event, [&](const sigma::CompiledRule& rule) {
              ++counts[&rule];
              formatter_.format(rule, event, path, record, buffer);
            });
            if (buffer.size() > kMaxBufferedBytes) flush(true);
            return true;
          },
          note);
      ++mine.files;
      if (!stats) {
        ++mine.failedFiles;
        problems += "vigil: " + path + " (" + std::string(logFormatName(format)) +
                    "): skipped: " + stats.error().message + "\n";
      } else {
        mine.records += stats->records;
        mine.skippedRecords += stats->skipped;
        mine.bytes += stats->bytes;
      }
      if (problemCount > kMaxProblemsPerFile)
        problems += "vigil: " + path + ": " + std::to_string(problemCount - kMaxProblemsPerFile) +
                    " more problem(s) not shown\n";
      std::lock_guard lock(mu);
      finished[i] = {std::move(buffer), std::move(problems)};
      writeReady();
    }
    std::lock_guard lock(mu);
    report.files += mine.files;
    report.failedFiles += mine.failedFiles;
    report.records += mine.records;
    report.skippedRecords += mine.skippedRecords;
    report.bytes += mine.bytes;
    for (const auto& [rule, n] : counts) {
      const sigma::SigmaRule& r = rule->rule();
      RuleCount& c = report.byRule[r.origin];
      c.id = r.id;
      c.title = r.title;
      c.level = r.level.empty() ? "-" : r.level;
      c.matches += n;
      report.byLevel[c.level] += n;
      report.matches += n;
    }
  };

  const unsigned threads = std::max(1u, std::min<unsigned>(options_.threads, std::max<size_t>(files.size(), 1)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  out.flush();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

void writeSummary(const HuntReport& report, unsigned threads, std::ostream& out) {
  char line[512];
  const double mb = static_cast<double>(report.bytes) / 1e6;
  const double s = report.seconds > 0 ? report.seconds : 1e-9;
  std::snprintf(line, sizeof(line),
                "\nfiles: %llu read, %llu failed; records: %llu (%llu skipped); %.1f MB in %.2f s = %.1f MB/s, "
                "%.0f records/s (%u thread%s)\n",
                (unsigned long long)report.files, (unsigned long long)report.failedFiles,
                (unsigned long long)report.records, (unsigned long long)report.skippedRecords, mb, report.seconds,
                mb / s, static_cast<double>(report.records) / s, threads, threads == 1 ? "" : "s");
  out << line;
  out << "matches: " << report.matches << " by " << report.byRule.size() << " rule(s)";
  if (report.matches) {
    out << " (";
    bool first = true;
    for (const char* level : {"critical", "high", "medium", "low", "informational", "-"}) {
      auto it = report.byLevel.find(level);
      if (it == report.byLevel.end()) continue;
      out << (first ? "" : ", ") << level << " " << it->second;
      first = false;
    }
    out << ")";
  }
  out << "\n";
  if (report.byRule.empty()) return;
  std::vector<const RuleCount*> rows;
  for (const auto& [origin, c] : report.byRule) rows.push_back(&c);
  std::stable_sort(rows.begin(), rows.end(), [](const RuleCount* a, const RuleCount* b) {
    if (a->matches != b->matches) return a->matches > b->matches;
    return a->title < b->title;
  });
  out << "by rule (matches, level, title, id):\n";
  for (const RuleCount* c : rows) {
    std::snprintf(line, sizeof(line), "%8llu  %-13s  ", (unsigned long long)c->matches, c->level.c_str());
    out << line << c->title << "  [" << c->id << "]\n";
  }
}

}  // namespace vigil::detect::hunt
