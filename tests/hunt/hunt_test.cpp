// vigil hunt and vigil rules test, through the library (src/detect/hunt/) with the real catalogs
// and the SigmaHQ corpus (../shared/corpora/sigma through VIGIL_TEST_SOURCE_DIR):
//  - hunting the SigmaHQ regression EVTX files finds every case's expected matches;
//  - jsonl and csv outputs parse back; 1 and 2 threads give identical output (also past the
//    per-file buffer bound);
//  - corrupt EVTX and missing paths are reported and skipped;
//  - `rules test` passes on the 202 SigmaHQ cases and on the shipped cases, fails on a wrong
//    expectation; every shipped rule and correlation has a case;
//  - correlations fire in hunt output (per file, at threshold, not below, identical for 1 and 2
//    threads), meta filter rules drop matches, --min-level keeps the rules a correlation needs.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "detect/hunt/hunter.h"
#include "detect/hunt/rule_tests.h"
#include "detect/sigma/detection.h"
#include "detect/sigma/pipeline.h"
#include "evtx/windows_mapping.h"
#include "normalize/normalizer.h"

namespace vigil::detect::hunt {
namespace {

namespace fs = std::filesystem;

const std::string kRepo = VIGIL_TEST_SOURCE_DIR;
const std::string kSigma = kRepo + "/../shared/corpora/sigma";

struct Env {
  sigma::Pipeline pipeline;
  normalize::Normalizer normalizer;
  evtx::WindowsMapping windows;
  std::shared_ptr<const sigma::DetectionSet> sigmaHq;  // the whole SigmaHQ corpus
  std::shared_ptr<const sigma::DetectionSet> shipped;  // catalogs/sigma/rules
  LogReaders readers;
};

// Loaded once for the program (3,754 rules take seconds).
const Env& env() {
  static const std::unique_ptr<Env> e = [] {
    auto pipeline = sigma::Pipeline::load(kRepo + "/catalogs/sigma/pipelines");
    auto normalizer = normalize::Normalizer::load(kRepo + "/catalogs/normalize");
    auto windows = evtx::WindowsMapping::load(kRepo + "/catalogs/normalize/windows");
    if (!pipeline || !normalizer || !windows) throw std::runtime_error("catalogs do not load");
    auto out =
        std::make_unique<Env>(Env{std::move(*pipeline), std::move(*normalizer), std::move(*windows), {}, {}, {}});
    out->sigmaHq = loadRules({kSigma + "/rules", kSigma + "/rules-emerging-threats", kSigma + "/rules-threat-hunting"},
                             out->pipeline, {});
    out->shipped = loadRules({kRepo + "/catalogs/sigma/rules"}, out->pipeline, {});
    out->readers = LogReaders{.normalizer = &out->normalizer, .windows = &out->windows};
    return out;
  }();
  return *e;
}

struct HuntRun {
  std::string out, err;
  HuntReport report;
};

HuntRun hunt(const sigma::DetectionSet& rules, const std::vector<std::string>& paths, OutputFormat format,
             unsigned threads, int minLevel = 0) {
  const auto inputs = listInputs(paths);
  EXPECT_TRUE(inputs.errors.empty()) << inputs.errors.front();
  HuntOptions options;
  options.output = format;
  options.threads = threads;
  options.minLevel = minLevel;
  Hunter hunter(rules, env().pipeline, env().readers, options);
  std::ostringstream out, err;
  HuntRun run;
  run.report = hunter.run(inputs.files, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// RFC 4180 cells of one CSV line (no embedded line ends in our output).
std::vector<std::string> csvCells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote: " << line;
  cells.push_back(cell);
  return cells;
}

std::vector<std::vector<std::string>> readTsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) {
    std::vector<std::string> row;
    std::string cell;
    for (char c : l) {
      if (c == '\t') {
        row.push_back(cell);
        cell.clear();
      } else {
        cell += c;
      }
    }
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

TEST(Hunt, RegressionEvtxFilesGiveTheExpectedMatches) {
  const auto rows = readTsv(kSigma + "/regression_index.tsv");
  ASSERT_GT(rows.size(), 200u);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  const HuntRun run = hunt(*env().sigmaHq, {kSigma + "/regression_data"}, OutputFormat::kJsonLines, 2);
  EXPECT_EQ(run.report.failedFiles, 0u) << run.err;
  // (file, rule id) -> matches, from the parsed output.
  std::map<std::pair<std::string, std::string>, size_t> found;
  for (const auto& l : lines(run.out)) {
    boost::json::object o = boost::json::parse(l).as_object();
    const std::string file = fs::path(std::string(o["file"].as_string())).lexically_normal().string();
    ++found[{file, std::string(o["rule"].as_object()["id"].as_string())}];
  }
  size_t cases = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const std::string file = fs::path(kSigma + "/" + row[col["evtx_path"]]).lexically_normal().string();
    const std::string& wantText = row[col["match_count_min"]];
    const size_t want = wantText.empty() ? 1 : std::stoul(wantText);
    EXPECT_GE((found[{file, row[col["rule_id"]]}]), want) << row[col["rule_path"]];
    ++cases;
  }
  EXPECT_EQ(cases, 202u);
  EXPECT_EQ(run.report.matches, lines(run.out).size());
}

TEST(Hunt, JsonLinesAndCsvParseBack) {
  const std::string dir = kSigma + "/regression_data/rules/windows/process_creation";
  const HuntRun jsonl = hunt(*env().sigmaHq, {dir}, OutputFormat::kJsonLines, 2);
  const HuntRun csv = hunt(*env().sigmaHq, {dir}, OutputFormat::kCsv, 2);
  ASSERT_GT(jsonl.report.matches, 50u);
  const auto jl = lines(jsonl.out);
  const auto cl = lines(csv.out);
  ASSERT_EQ(jl.size(), jsonl.report.matches);
  ASSERT_EQ(cl.size(), jl.size() + 1);  // the header
  EXPECT_EQ(cl[0], "time,level,rule_id,rule_title,tags,host,file,record,details");
  for (size_t i = 0; i < jl.size(); ++i) {
    boost::json::object o = boost::json::parse(jl[i]).as_object();
    const auto cells = csvCells(cl[i + 1]);
    ASSERT_EQ(cells.size(), 9u) << cl[i + 1];
    const auto& rule = o["rule"].as_object();
    EXPECT_EQ(cells[2], std::string(rule.at("id").as_string()));
    EXPECT_EQ(cells[3], std::string(rule.at("title").as_string()));
    EXPECT_EQ(cells[1], std::string(rule.at("level").as_string()));
    EXPECT_EQ(cells[6], std::string(o["file"].as_string()));
    EXPECT_EQ(cells[7], std::to_string(o["record"].as_int64()));
    EXPECT_EQ(cells[0], std::string(o["time"].as_string()));
    // The event carries the fields the rule matched on.
    EXPECT_TRUE(o["event"].as_object().contains("winlog.channel"));
    EXPECT_FALSE(cells[8].empty());
  }
}

TEST(Hunt, OneAndTwoThreadsGiveTheSameOutput) {
  for (OutputFormat f : {OutputFormat::kTable, OutputFormat::kJsonLines}) {
    const HuntRun one = hunt(*env().sigmaHq, {kSigma + "/regression_data"}, f, 1);
    const HuntRun two = hunt(*env().sigmaHq, {kSigma + "/regression_data"}, f, 2);
    EXPECT_GT(one.report.matches, 200u);
    EXPECT_EQ(one.out, two.out);
    EXPECT_EQ(one.err, two.err);
    EXPECT_EQ(one.report.records, two.report.records);
  }
}

// Files whose matches pass the per-file buffer bound: the writer waits for its turn and the
// order stays by file then line.
TEST(Hunt, OrderHoldsPastTheBufferBound) {
  const fs::path dir = fs::path(::testing::TempDir()) / "hunt_bound";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (int f = 0; f < 3; ++f) {
    std::ofstream out(dir / ("f" + std::to_string(f) + ".log"));
    for (int i = 0; i < 20000; ++i)
      // A different source address per line: the brute-force correlation (10 per address) stays quiet.
      out << "Dec 10 06:55:48 host" << f << " sshd[1]: Failed password for invalid user u" << i << " from 10.0."
          << i / 256 << "." << i % 256 << " port 1 ssh2\n";
  }
  const HuntRun one = hunt(*env().shipped, {dir.string()}, OutputFormat::kJsonLines, 1);
  const HuntRun two = hunt(*env().shipped, {dir.string()}, OutputFormat::kJsonLines, 3);
  EXPECT_GT(two.out.size(), 2 * kMaxBufferedBytes);
  EXPECT_EQ(one.report.matches, 60000u);
  EXPECT_EQ(one.out, two.out);
  const auto l = lines(two.out);
  ASSERT_EQ(l.size(), 60000u);
  EXPECT_NE(l[0].find("f0.log\",\"record\":1,"), std::string::npos) << l[0];
  EXPECT_NE(l[20000].find("f1.log\",\"record\":1,"), std::string::npos) << l[20000];
  EXPECT_NE(l[59999].find("f2.log\",\"record\":20000,"), std::string::npos) << l[59999];
  fs::remove_all(dir);
}

TEST(Hunt, CorruptEvtxAndMissingPathsAreReportedAndSkipped) {
  const fs::path dir = fs::path(::testing::TempDir()) / "hunt_bad";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "bad.evtx", std::ios::binary);
    out << "ElfFile" << std::string(5000, '\x7f');
  }
  const auto inputs = listInputs({(dir / "bad.evtx").string(), (dir / "missing.evtx").string()});
  ASSERT_EQ(inputs.errors.size(), 1u);
  EXPECT_NE(inputs.errors[0].find("missing.evtx: no such file"), std::string::npos) << inputs.errors[0];
  ASSERT_EQ(inputs.files.size(), 1u);
  Hunter hunter(*env().shipped, env().pipeline, env().readers, {});
  std::ostringstream out, err;
  const auto report = hunter.run(inputs.files, out, err);
  EXPECT_EQ(report.failedFiles, 1u);
  EXPECT_NE(err.str().find("bad.evtx (evtx): skipped"), std::string::npos) << err.str();
  fs::remove_all(dir);
}

// A line past kMaxLineBytes and a bad JSON line are skipped and reported with their line
// numbers; the lines after them are read.
TEST(LogFile, LongAndBadLinesAreSkippedAndReported) {
  const fs::path dir = fs::path(::testing::TempDir()) / "hunt_lines";
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "long.log");
    out << "first line\n" << std::string(kMaxLineBytes + 10, 'a') << "\nthird line";  // no final newline
  }
  {
    std::ofstream out(dir / "bad.jsonl");
    out << "{\"message\":\"one\"}\n{not json\n\n{\"message\":\"four\"}\n";
  }
  std::vector<std::pair<uint64_t, std::string>> seen;
  std::vector<std::string> problems;
  auto sink = [&](normalize::Event& e, uint64_t record) {
    seen.emplace_back(record, std::string(e.getText("message")));
    return true;
  };
  auto note = [&](const std::string& p) { problems.push_back(p); };
  auto stats = readLogFile((dir / "long.log").string(), LogFormat::kSyslog, env().readers, sink, note);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 2u);
  EXPECT_EQ(stats->skipped, 1u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, 1u);
  EXPECT_EQ(seen[1].first, 3u);
  EXPECT_EQ(seen[1].second, "third line");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("long.log:2: line longer than"), std::string::npos) << problems[0];

  seen.clear();
  problems.clear();
  EXPECT_EQ(detectLogFormat((dir / "bad.jsonl").string()), LogFormat::kJsonLines);
  stats = readLogFile((dir / "bad.jsonl").string(), LogFormat::kJsonLines, env().readers, sink, note);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->records, 2u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], (std::pair<uint64_t, std::string>{4, "four"}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("bad.jsonl:2:"), std::string::npos) << problems[0];
  EXPECT_FALSE(readLogFile((dir / "none.log").string(), LogFormat::kSyslog, env().readers, sink));
  fs::remove_all(dir);
}

TEST(Hunt, DirectoriesLeaveOutFilesThatAreNotLogs) {
  EXPECT_TRUE(isNotALogByName("README.md"));
  EXPECT_TRUE(isNotALogByName("LICENSE.GPL"));
  EXPECT_TRUE(isNotALogByName("rule.yml"));
  EXPECT_FALSE(isNotALogByName("Security.evtx"));
  EXPECT_FALSE(isNotALogByName("access.log.1"));
  EXPECT_FALSE(isNotALogByName("events.jsonl"));
}

TEST(RulesTest, SigmaHqRegressionDataPasses) {
  std::vector<CaseResult> failed;
  auto totals = runRuleTests(*env().sigmaHq, env().readers, {kSigma + "/regression_data"}, [&](const CaseResult& r) {
    if (r.outcome == CaseResult::Outcome::kFail) failed.push_back(r);
  });
  ASSERT_TRUE(totals) << totals.error().message;
  for (const auto& f : failed) ADD_FAILURE() << f.where << ": " << f.reason;
  EXPECT_EQ(totals->passed, 202u);
  EXPECT_EQ(totals->failed, 0u);
  EXPECT_EQ(totals->skipped, 1u);  // the Cisco case, whose regression_tests_info is commented out
}

TEST(RulesTest, ShippedCasesPassAndCoverEveryShippedRule) {
  const sigma::DetectionSet& shipped = *env().shipped;
  ASSERT_GE(shipped.rules().size(), 10u);
  ASSERT_GE(shipped.correlationCount(), 1u);
  for (const auto& r : shipped.refusals()) ADD_FAILURE() << r.where << ": " << r.reason;
  std::vector<CaseResult> failed;
  auto totals =
      runRuleTests(*env().shipped, env().readers, {kRepo + "/catalogs/sigma/tests"}, [&](const CaseResult& r) {
        if (r.outcome != CaseResult::Outcome::kPass) failed.push_back(r);
      });
  ASSERT_TRUE(totals) << totals.error().message;
  for (const auto& f : failed) ADD_FAILURE() << f.where << ": " << f.reason;
  EXPECT_GE(totals->passed, 2 * shipped.rules().size());
  // Every shipped rule and correlation is named by a case that expects a match and by one that expects none.
  std::string cases;
  for (const auto& entry : fs::directory_iterator(kRepo + "/catalogs/sigma/tests")) {
    std::ifstream in(entry.path());
    cases += std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::vector<std::pair<std::string, std::string>> all;  // (id, title)
  for (size_t i = 0; i < shipped.rules().size(); ++i)
    all.emplace_back(shipped.rules().at(i).rule().id, shipped.rules().at(i).rule().title);
  for (size_t i = 0; i < shipped.correlationCount(); ++i)
    all.emplace_back(shipped.correlation(i).id, shipped.correlation(i).title);
  for (const auto& [id, title] : all) {
    size_t n = 0;
    for (size_t p = cases.find("rule: " + id); p != std::string::npos; p = cases.find("rule: " + id, p + 1)) ++n;
    EXPECT_GE(n, 2u) << title << " needs a positive and a negative case";
  }
}

TEST(RulesTest, AWrongExpectationFails) {
  const fs::path file = fs::path(::testing::TempDir()) / "wrong_case.yml";
  {
    std::ofstream out(file);
    out << "cases:\n"
           "  - name: root login counted twice\n"
           "    lines: ['<38>Nov 24 01:12:40 db01 sshd[2211]: Accepted password for root from 1.2.3.4 port 1 ssh2']\n"
           "    expect:\n"
           "      - rule: 5721b482-28d6-4016-9cd7-542d3773cccb\n"
           "        count: 2\n"
           "  - name: an unknown rule\n"
           "    lines: ['x']\n"
           "    expect: [{rule: 00000000-0000-0000-0000-000000000000, count: 0}]\n"
           "  - name: no expectation\n"
           "    lines: ['x']\n";
  }
  std::vector<CaseResult> results;
  auto totals =
      runRuleTests(*env().shipped, env().readers, {file.string()}, [&](const CaseResult& r) { results.push_back(r); });
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->failed, 3u);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_NE(results[0].reason.find("1 of 1 events matched, want exactly 2"), std::string::npos) << results[0].reason;
  EXPECT_NE(results[1].reason.find("is not loaded"), std::string::npos) << results[1].reason;
  EXPECT_NE(results[2].reason.find("wrong_case.yml:10: a case needs an `expect:` list"), std::string::npos)
      << results[2].reason;
  fs::remove(file);
  EXPECT_FALSE(runRuleTests(*env().shipped, env().readers, {"/nonexistent/cases"}, [](const CaseResult&) {}));
}

// YAML aliases repeat a node without repeating its bytes: an inline event that would expand past
// 1 MiB is refused at its line instead of being built.
TEST(RulesTest, AnAliasBombIsRefused) {
  const fs::path file = fs::path(::testing::TempDir()) / "bomb_case.yml";
  {
    std::ofstream out(file);
    out << "cases:\n"
           "  - name: bomb\n"
           "    events:\n"
           "      - a: &a [xxxxxxxxxxxxxxxx, xxxxxxxxxxxxxxxx, xxxxxxxxxxxxxxxx, xxxxxxxxxxxxxxxx]\n"
           "        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
           "        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
           "        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
           "        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
           "        f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
           "    expect: [{rule: 5721b482-28d6-4016-9cd7-542d3773cccb, count: 0}]\n";
  }
  std::vector<CaseResult> results;
  auto totals =
      runRuleTests(*env().shipped, env().readers, {file.string()}, [&](const CaseResult& r) { results.push_back(r); });
  ASSERT_TRUE(totals);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, CaseResult::Outcome::kFail);
  EXPECT_NE(results[0].reason.find("event larger than 1 MiB"), std::string::npos) << results[0].reason;
  fs::remove(file);
}

// `n` sshd guesses for unknown users from `ip`, one every `stepSeconds` from 06:50:00.
std::string sshGuesses(const std::string& ip, int n, int stepSeconds) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const int t = 50 * 60 + i * stepSeconds;
    char line[200];
    std::snprintf(line, sizeof line,
                  "Dec 10 06:%02d:%02d srv sshd[%d]: Failed password for invalid user u%d from %s port %d ssh2\n",
                  t / 60 % 60, t % 60, 100 + i, i, ip.c_str(), 40000 + i);
    out += line;
  }
  return out;
}

constexpr const char* kBruteForceId = "2c0e67b4-66ab-4105-807f-6bc798e3f725";  // shipped correlation
constexpr const char* kGuessId = "28be0fc7-c552-403a-9e74-95394dd6e195";       // its base rule

// The jsonl lines of a run that are correlation firings.
std::vector<boost::json::object> firings(const std::string& out) {
  std::vector<boost::json::object> result;
  for (const auto& l : lines(out)) {
    boost::json::object o = boost::json::parse(l).as_object();
    if (o["rule"].as_object()["type"].as_string() == "correlation") result.push_back(o);
  }
  return result;
}

// The shipped brute-force correlation (10 guesses per source.ip within 5 minutes) fires once per
// run of 10 in a file, with its group, count and times; 9 guesses, or 10 spread over 20 minutes,
// do not fire; events of two files are not correlated together.
TEST(Hunt, CorrelationFiresInHuntOutput) {
  const fs::path dir = fs::path(::testing::TempDir()) / "hunt_corr";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "a.log") << sshGuesses("203.0.113.7", 12, 10) << sshGuesses("198.51.100.9", 9, 10)
                               << sshGuesses("192.0.2.44", 10, 120);
  std::ofstream(dir / "b.log") << sshGuesses("203.0.113.8", 5, 10);  // with c.log: 10, but two files
  std::ofstream(dir / "c.log") << sshGuesses("203.0.113.8", 5, 10);
  const HuntRun run = hunt(*env().shipped, {dir.string()}, OutputFormat::kJsonLines, 1);
  const auto fired = firings(run.out);
  ASSERT_EQ(fired.size(), 1u) << run.out;
  boost::json::object f = fired[0];
  EXPECT_EQ(std::string(f["rule"].as_object()["id"].as_string()), kBruteForceId);
  EXPECT_EQ(std::string(f["rule"].as_object()["level"].as_string()), "high");
  EXPECT_EQ(f["record"].as_int64(), 10);  // fired on the 10th guess
  EXPECT_NE(std::string(f["file"].as_string()).find("a.log"), std::string::npos);
  auto& c = f["correlation"].as_object();
  EXPECT_EQ(std::string(c["type"].as_string()), "event_count");
  EXPECT_EQ(std::string(c["group"].as_object()["source.ip"].as_string()), "203.0.113.7");
  EXPECT_EQ(c["value"].as_int64(), 10);
  EXPECT_EQ(c["events"].as_int64(), 10);
  // Syslog lines are read in the configured local time: compare minutes and seconds.
  EXPECT_NE(std::string(c["first"].as_string()).find(":50:00."), std::string::npos) << c["first"];
  EXPECT_NE(std::string(c["last"].as_string()).find(":51:30."), std::string::npos) << c["last"];
  // generate: true: the 41 single guesses are reported too; the summary counts the firing.
  EXPECT_EQ(run.report.matches, 12u + 9 + 10 + 5 + 5 + 1);
  uint64_t byCorrelation = 0;
  for (const auto& [key, count] : run.report.byRule)
    if (count.id == kBruteForceId) byCorrelation += count.matches;
  EXPECT_EQ(byCorrelation, 1u);
  EXPECT_EQ(run.report.byLevel.at("high"), 1u);
  // The table and the csv show the group and the count instead of one event's fields.
  const HuntRun table = hunt(*env().shipped, {(dir / "a.log").string()}, OutputFormat::kTable, 1);
  EXPECT_NE(table.out.find("event_count 10 (10 events"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("source.ip=203.0.113.7"), std::string::npos);
  const HuntRun csv = hunt(*env().shipped, {(dir / "a.log").string()}, OutputFormat::kCsv, 1);
  size_t csvFirings = 0;
  for (const auto& l : lines(csv.out)) {
    const auto cells = csvCells(l);
    ASSERT_EQ(cells.size(), 9u) << l;
    if (cells[2] != kBruteForceId) continue;
    ++csvFirings;
    EXPECT_EQ(cells[7], "10");
    EXPECT_NE(cells[8].find("source.ip=203.0.113.7"), std::string::npos) << cells[8];
  }
  EXPECT_EQ(csvFirings, 1u);
  fs::remove_all(dir);
}

// Correlation state is per file, so 1 and 2 threads give the same output and summary.
TEST(Hunt, CorrelationsGiveTheSameOutputWithOneAndTwoThreads) {
  const fs::path dir = fs::path(::testing::TempDir()) / "hunt_corr_threads";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (int f = 0; f < 6; ++f)
    std::ofstream(dir / ("f" + std::to_string(f) + ".log"))
        << sshGuesses("203.0.113." + std::to_string(f), 10 * (f + 1), 5) << sshGuesses("198.51.100.1", 9, 5);
  for (OutputFormat format : {OutputFormat::kJsonLines, OutputFormat::kTable}) {
    const HuntRun one = hunt(*env().shipped, {dir.string()}, format, 1);
    const HuntRun two = hunt(*env().shipped, {dir.string()}, format, 2);
    EXPECT_EQ(one.out, two.out);
    EXPECT_EQ(one.report.matches, two.report.matches);
    EXPECT_EQ(one.report.byLevel, two.report.byLevel);
    if (format == OutputFormat::kJsonLines) {
      EXPECT_EQ(firings(one.out).size(), 1u + 2 + 3 + 4 + 5 + 6);
    }
  }
  fs::remove_all(dir);
}

// --min-level high with --logsource-product linux keeps the brute-force correlation and the low
// rule it counts (loaded, not reported), and leaves out the other rules.
TEST(Hunt, MinLevelKeepsWhatACorrelationNeeds) {
  uint64_t left = 0;
  const auto set =
      loadRules({kRepo + "/catalogs/sigma/rules"}, env().pipeline, RuleFilter{levelRank("high"), "linux"}, &left);
  EXPECT_TRUE(set->refusals().empty()) << set->refusals().front().reason;
  EXPECT_EQ(set->correlationCount(), 1u);
  std::set<std::string> ids;
  for (size_t i = 0; i < set->rules().size(); ++i) ids.insert(set->rules().at(i).rule().id);
  EXPECT_TRUE(ids.count(kGuessId));                                // low, needed by the correlation
  EXPECT_TRUE(ids.count("5721b482-28d6-4016-9cd7-542d3773cccb"));  // SSH root login, high
  EXPECT_LT(set->rules().size(), env().shipped->rules().size());
  EXPECT_GT(left, 5u);
  const fs::path file = fs::path(::testing::TempDir()) / "hunt_minlevel.log";
  std::ofstream(file) << sshGuesses("203.0.113.7", 10, 10);
  const HuntRun run = hunt(*set, {file.string()}, OutputFormat::kJsonLines, 1, levelRank("high"));
  EXPECT_EQ(run.report.matches, 1u);  // the correlation only: the guesses are low
  EXPECT_EQ(firings(run.out).size(), 1u);
  fs::remove(file);
}

// A meta filter rule drops the matches of the rule it names that it matches, in hunt and in
// rules test; a filter naming an unknown rule is refused with its file:line.
TEST(Hunt, AFilterRuleDropsMatches) {
  const fs::path dir = fs::path(::testing::TempDir()) / "hunt_filter";
  fs::remove_all(dir);
  fs::create_directories(dir / "rules");
  fs::copy_file(kRepo + "/catalogs/sigma/rules/windows/vigil_win_rdp_logon_from_public_address.yml",
                dir / "rules" / "rdp.yml");
  std::ofstream(dir / "rules" / "jump_host.yml") << "title: RDP from the Provincial Jump Host\n"
                                                    "id: 0b7d3c1e-3f0a-4c53-9d2e-7a1f5e2c9b10\n"
                                                    "logsource:\n"
                                                    "  product: windows\n"
                                                    "  service: security\n"
                                                    "filter:\n"
                                                    "  rules:\n"
                                                    "    - 43073037-95bf-40d4-8e13-3c547ce9bde6\n"
                                                    "  selection:\n"
                                                    "    IpAddress: 45.124.94.12\n"
                                                    "  condition: selection\n";
  std::ofstream(dir / "rules" / "bad_filter.yml") << "title: Broken\n"
                                                     "logsource: {product: windows}\n"
                                                     "filter:\n"
                                                     "  rules: [no-such-rule]\n"
                                                     "  selection: {IpAddress: 1.2.3.4}\n"
                                                     "  condition: selection\n";
  const auto set = sigma::DetectionSet::load({dir / "rules"}, env().pipeline);
  EXPECT_EQ(set->filterCount(), 1u);
  ASSERT_EQ(set->refusals().size(), 1u);
  EXPECT_EQ(set->refusals()[0].where, "rules/bad_filter.yml:4");
  const std::string logon = R"({"winlog.channel":"Security","winlog.event_id":4624,"winlog.event_data.LogonType":10,)"
                            R"("winlog.event_data.IpAddress":")";
  std::ofstream(dir / "events.jsonl") << logon << "45.124.94.12\"}\n" << logon << "45.124.94.13\"}\n";
  const HuntRun run = hunt(*set, {(dir / "events.jsonl").string()}, OutputFormat::kJsonLines, 1);
  ASSERT_EQ(run.report.matches, 1u) << run.out;
  EXPECT_NE(run.out.find("45.124.94.13"), std::string::npos);
  EXPECT_EQ(run.out.find("45.124.94.12\""), std::string::npos);

  std::ofstream(dir / "case.yml") << "cases:\n"
                                     "  - name: the jump host is filtered out, the other address is not\n"
                                     "    input: events.jsonl\n"
                                     "    expect: [{rule: 43073037-95bf-40d4-8e13-3c547ce9bde6, count: 1}]\n";
  std::vector<CaseResult> results;
  auto totals = runRuleTests(*set, env().readers, {(dir / "case.yml").string()},
                             [&](const CaseResult& r) { results.push_back(r); });
  ASSERT_TRUE(totals);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, CaseResult::Outcome::kPass) << results[0].reason;
  fs::remove_all(dir);
}

// A correlation that fires at window close (an `lt` bound) reports when the file ends.
TEST(Hunt, AWindowOpenAtTheEndOfAFileIsClosed) {
  const fs::path dir = fs::path(::testing::TempDir()) / "hunt_close";
  fs::remove_all(dir);
  fs::create_directories(dir / "rules");
  fs::copy_file(kRepo + "/catalogs/sigma/rules/linux/vigil_lnx_ssh_invalid_user.yml", dir / "rules" / "guess.yml");
  std::ofstream(dir / "rules" / "few.yml") << "title: Few Guesses\n"
                                              "id: 9d5c1b7e-8a43-4f6e-b0a1-3c2d4e5f6a7b\n"
                                              "level: low\n"
                                              "correlation:\n"
                                              "  type: event_count\n"
                                              "  rules: [28be0fc7-c552-403a-9e74-95394dd6e195]\n"
                                              "  group-by: [source.ip]\n"
                                              "  timespan: 1h\n"
                                              "  condition: {lt: 3}\n";
  const auto set = sigma::DetectionSet::load({dir / "rules"}, env().pipeline);
  ASSERT_TRUE(set->refusals().empty()) << set->refusals().front().reason;
  std::ofstream(dir / "x.log") << sshGuesses("203.0.113.7", 2, 10) << sshGuesses("198.51.100.9", 5, 10);
  const HuntRun run = hunt(*set, {(dir / "x.log").string()}, OutputFormat::kJsonLines, 1);
  const auto fired = firings(run.out);
  ASSERT_EQ(fired.size(), 1u) << run.out;
  boost::json::object f = fired[0];
  EXPECT_TRUE(f["record"].is_null());
  EXPECT_EQ(std::string(f["correlation"].as_object()["group"].as_object()["source.ip"].as_string()), "203.0.113.7");
  EXPECT_EQ(run.report.matches, 1u);  // generate is false: the guesses only feed the correlation
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::detect::hunt
