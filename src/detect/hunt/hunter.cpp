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

Hunter::Hunter(const sigma::DetectionSet& rules, const sigma::Pipeline& pipeline, const LogReaders& readers,
               HuntOptions options)
    : rules_(rules),
      pipeline_(pipeline),
      readers_(readers),
      options_(std::move(options)),
      formatter_(rules.rules(), pipeline, options_.output) {}

namespace {

// One parsed document of a rule file, as loadRules() needs it to choose.
struct DocInfo {
  size_t file = 0;
  sigma::SigmaDocument::Kind kind = sigma::SigmaDocument::Kind::kRule;
  std::string level, product;
  std::vector<std::string> refs;  // correlations and filters: the rules they name
  bool passes = false;            // the filter accepts it on its own
};

}  // namespace

std::shared_ptr<const sigma::DetectionSet> loadRules(const std::vector<fs::path>& dirs, const sigma::Pipeline& pipeline,
                                                     const RuleFilter& filter, uint64_t* filteredOut) {
  if (filteredOut) *filteredOut = 0;
  if (filter.minLevel == 0 && filter.product.empty()) return sigma::DetectionSet::load(dirs, pipeline);
  using Kind = sigma::SigmaDocument::Kind;
  std::vector<std::pair<std::string, std::string>> files;  // (origin, text)
  std::vector<uint8_t> keepFile;                           // a document does not parse, or is kept
  std::vector<DocInfo> docs;
  std::map<std::string, std::vector<size_t>> byRef;  // id or name -> documents
  for (const auto& dir : dirs) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) found.push_back(it->path());
    }
    std::sort(found.begin(), found.end());
    for (const auto& f : found) {
      const std::string origin = (dir.filename() / fs::relative(f, dir)).string();
      std::string text;
      {
        std::ifstream in(f, std::ios::binary);
        char buf[65536];
        while (text.size() <= sigma::kMaxRuleBytes && (in.read(buf, sizeof buf) || in.gcount() > 0))
          text.append(buf, static_cast<size_t>(in.gcount()));
      }
      const size_t file = files.size();
      bool broken = text.size() > sigma::kMaxRuleBytes;  // fromTexts refuses it with the reason
      if (!broken)
        for (auto& doc : sigma::parseDocuments(text, origin)) {
          if (!doc) {
            broken = true;
            continue;
          }
          DocInfo info;
          info.file = file;
          info.kind = doc->kind;
          std::string id, name;
          if (doc->kind == Kind::kRule) {
            info.level = doc->rule.level;
            info.product = doc->rule.logsource.product;
            id = doc->rule.id, name = doc->rule.name;
            info.passes =
                levelRank(info.level) >= filter.minLevel && (filter.product.empty() || info.product == filter.product);
          } else if (doc->kind == Kind::kCorrelation) {
            info.level = doc->correlation.level;
            info.refs = doc->correlation.rules;
            id = doc->correlation.id, name = doc->correlation.name;
          } else {
            info.refs = doc->filter.rules;
          }
          for (const std::string& ref : {id, name})
            if (!ref.empty()) byRef[ref].push_back(docs.size());
          docs.push_back(std::move(info));
        }
      files.emplace_back(origin, std::move(text));
      keepFile.push_back(broken ? 1 : 0);
    }
  }
  auto named = [&](const std::string& ref) -> const std::vector<size_t>& {
    static const std::vector<size_t> none;
    const auto it = byRef.find(ref);
    return it == byRef.end() ? none : it->second;
  };
  // Correlations that pass: their level, and (with a product) one named rule of that product or
  // one named correlation that passes (repeat until nothing changes: chains).
  for (bool changed = true; changed;) {
    changed = false;
    for (DocInfo& d : docs) {
      if (d.kind != Kind::kCorrelation || d.passes || levelRank(d.level) < filter.minLevel) continue;
      bool product = filter.product.empty();
      for (const std::string& ref : d.refs)
        for (size_t k : named(ref)) {
          const DocInfo& in = docs[k];
          if ((in.kind == Kind::kRule && in.product == filter.product) || (in.kind == Kind::kCorrelation && in.passes))
            product = true;
        }
      if (product) d.passes = changed = true;
    }
  }
  // Kept: what passes, and everything a kept correlation names (transitively).
  std::vector<uint8_t> kept(docs.size(), 0);
  std::vector<size_t> todo;
  for (size_t i = 0; i < docs.size(); ++i)
    if (docs[i].passes) todo.push_back(i);
  while (!todo.empty()) {
    const size_t i = todo.back();
    todo.pop_back();
    if (kept[i]) continue;
    kept[i] = 1;
    if (docs[i].kind == Kind::kCorrelation)
      for (const std::string& ref : docs[i].refs)
        for (size_t k : named(ref)) todo.push_back(k);
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].kind != Kind::kFilter) continue;
    for (const std::string& ref : docs[i].refs) {
      const auto& targets = named(ref);
      if (targets.empty() || std::any_of(targets.begin(), targets.end(), [&](size_t k) { return kept[k] != 0; }))
        kept[i] = 1;
    }
  }
  for (size_t i = 0; i < docs.size(); ++i)
    if (kept[i]) keepFile[docs[i].file] = 1;
  std::vector<std::pair<std::string, std::string>> chosen;
  uint64_t left = 0;
  for (size_t f = 0; f < files.size(); ++f)
    if (keepFile[f]) chosen.push_back(std::move(files[f]));
  for (const DocInfo& d : docs)
    if (!keepFile[d.file] && d.kind != Kind::kFilter) ++left;
  if (filteredOut) *filteredOut = left;
  return sigma::DetectionSet::fromTexts(chosen, pipeline);
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
    // Per rule or correlation (its CompiledRule or CorrelationRule): origin and counts.
    std::unordered_map<const void*, std::pair<std::string, RuleCount>> counts;
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
      StreamEvaluator evaluator(rules_);  // this file's correlation state
      const normalize::Event* current = nullptr;
      uint64_t currentRecord = 0;
      const sigma::OnDetection onDetection = [&](const sigma::Detection& d) {
        if (options_.minLevel > 0 && levelRank(d.level) < options_.minLevel) return;
        const bool rule = d.kind == sigma::Detection::Kind::kRule;
        auto& [origin, c] = counts[rule ? static_cast<const void*>(d.rule) : d.firing->rule];
        if (c.matches++ == 0) {
          origin = rule ? d.rule->rule().origin : d.firing->rule->origin;
          c.id = d.id;
          c.title = d.title;
          c.level = d.level.empty() ? "-" : std::string(d.level);
        }
        formatter_.format(d, current, path, currentRecord, buffer);
      };
      auto stats = readLogFile(
          path, format, readers_,
          [&](normalize::Event& event, uint64_t record) {
            current = &event;
            currentRecord = record;
            evaluator.add(event, onDetection);
            if (buffer.size() > kMaxBufferedBytes) flush(true);
            return true;
          },
          note);
      current = nullptr;
      currentRecord = 0;
      evaluator.finish(onDetection);  // windows still open at the end of the file
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
    for (const auto& [ptr, entry] : counts) {
      const auto& [origin, mc] = entry;
      RuleCount& c = report.byRule[origin + "\n" + mc.id + "\n" + mc.title];
      c.id = mc.id;
      c.title = mc.title;
      c.level = mc.level;
      c.matches += mc.matches;
      report.byLevel[c.level] += mc.matches;
      report.matches += mc.matches;
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
