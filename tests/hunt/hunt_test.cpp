// vigil hunt and vigil rules test, through the library (src/detect/hunt/) with the real catalogs
// and the SigmaHQ corpus (../shared/corpora/sigma through VIGIL_TEST_SOURCE_DIR):
//  - hunting the SigmaHQ regression EVTX files finds every case's expected matches;
//  - jsonl and csv outputs parse back; 1 and 2 threads give identical output (also past the
//    per-file buffer bound);
//  - corrupt EVTX and missing paths are reported and skipped;
//  - `rules test` passes on the 202 SigmaHQ cases and on the shipped cases, fails on a wrong
//    expectation; every shipped rule has a case.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "detect/hunt/hunter.h"
#include "detect/hunt/rule_tests.h"
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
  sigma::RuleSet sigmaHq;  // the whole SigmaHQ corpus
  sigma::RuleSet shipped;  // catalogs/sigma/rules
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

HuntRun hunt(const sigma::RuleSet& rules, const std::vector<std::string>& paths, OutputFormat format,
             unsigned threads) {
  const auto inputs = listInputs(paths);
  EXPECT_TRUE(inputs.errors.empty()) << inputs.errors.front();
  HuntOptions options;
  options.output = format;
  options.threads = threads;
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
  const HuntRun run = hunt(env().sigmaHq, {kSigma + "/regression_data"}, OutputFormat::kJsonLines, 2);
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
  const HuntRun jsonl = hunt(env().sigmaHq, {dir}, OutputFormat::kJsonLines, 2);
  const HuntRun csv = hunt(env().sigmaHq, {dir}, OutputFormat::kCsv, 2);
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
    const HuntRun one = hunt(env().sigmaHq, {kSigma + "/regression_data"}, f, 1);
    const HuntRun two = hunt(env().sigmaHq, {kSigma + "/regression_data"}, f, 2);
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
      out << "Dec 10 06:55:48 host" << f << " sshd[1]: Failed password for invalid user u" << i
          << " from 10.0.0.1 port 1 ssh2\n";
  }
  const HuntRun one = hunt(env().shipped, {dir.string()}, OutputFormat::kJsonLines, 1);
  const HuntRun two = hunt(env().shipped, {dir.string()}, OutputFormat::kJsonLines, 3);
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
  Hunter hunter(env().shipped, env().pipeline, env().readers, {});
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
  auto totals = runRuleTests(env().sigmaHq, env().readers, {kSigma + "/regression_data"}, [&](const CaseResult& r) {
    if (r.outcome == CaseResult::Outcome::kFail) failed.push_back(r);
  });
  ASSERT_TRUE(totals) << totals.error().message;
  for (const auto& f : failed) ADD_FAILURE() << f.where << ": " << f.reason;
  EXPECT_EQ(totals->passed, 202u);
  EXPECT_EQ(totals->failed, 0u);
  EXPECT_EQ(totals->skipped, 1u);  // the Cisco case, whose regression_tests_info is commented out
}

TEST(RulesTest, ShippedCasesPassAndCoverEveryShippedRule) {
  ASSERT_GE(env().shipped.size(), 10u);
  EXPECT_TRUE(env().shipped.refusals().empty());
  std::vector<CaseResult> failed;
  auto totals = runRuleTests(env().shipped, env().readers, {kRepo + "/catalogs/sigma/tests"}, [&](const CaseResult& r) {
    if (r.outcome != CaseResult::Outcome::kPass) failed.push_back(r);
  });
  ASSERT_TRUE(totals) << totals.error().message;
  for (const auto& f : failed) ADD_FAILURE() << f.where << ": " << f.reason;
  EXPECT_GE(totals->passed, 2 * env().shipped.size());
  // Every shipped rule is named by a case that expects a match and by one that expects none.
  std::string cases;
  for (const auto& entry : fs::directory_iterator(kRepo + "/catalogs/sigma/tests")) {
    std::ifstream in(entry.path());
    cases += std::string(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t i = 0; i < env().shipped.size(); ++i) {
    const std::string& id = env().shipped.at(i).rule().id;
    size_t n = 0;
    for (size_t p = cases.find("rule: " + id); p != std::string::npos; p = cases.find("rule: " + id, p + 1)) ++n;
    EXPECT_GE(n, 2u) << env().shipped.at(i).rule().title << " needs a positive and a negative case";
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
      runRuleTests(env().shipped, env().readers, {file.string()}, [&](const CaseResult& r) { results.push_back(r); });
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->failed, 3u);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_NE(results[0].reason.find("1 of 1 events matched, want exactly 2"), std::string::npos) << results[0].reason;
  EXPECT_NE(results[1].reason.find("is not loaded"), std::string::npos) << results[1].reason;
  EXPECT_NE(results[2].reason.find("wrong_case.yml:10: a case needs an `expect:` list"), std::string::npos)
      << results[2].reason;
  fs::remove(file);
  EXPECT_FALSE(runRuleTests(env().shipped, env().readers, {"/nonexistent/cases"}, [](const CaseResult&) {}));
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
      runRuleTests(env().shipped, env().readers, {file.string()}, [&](const CaseResult& r) { results.push_back(r); });
  ASSERT_TRUE(totals);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, CaseResult::Outcome::kFail);
  EXPECT_NE(results[0].reason.find("event larger than 1 MiB"), std::string::npos) << results[0].reason;
  fs::remove(file);
}

}  // namespace
}  // namespace vigil::detect::hunt
