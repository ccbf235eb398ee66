#include "detect/hunt/rule_tests.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "core/text.h"
#include "detect/hunt/evaluate.h"

namespace vigil::detect::hunt {

namespace fs = std::filesystem;

namespace {

using Outcome = CaseResult::Outcome;

// Matches per rule id over one stream of events (a case): every detection rule the event matches
// after filters (whether or not the rule is reported alone: it may only feed a correlation), and
// every reported correlation firing, in event order with the stream's own correlation state.
// of() closes the stream first (windows still open fire then).
class Counter {
 public:
  explicit Counter(const sigma::DetectionSet& rules) : evaluator_(rules) {}
  void add(const normalize::Event& event) {
    ++events_;
    evaluator_.add(event, count_, [&](const sigma::CompiledRule& r) { ++counts_[r.rule().id]; });
  }
  uint64_t of(const std::string& id) {
    if (!finished_) evaluator_.finish(count_);
    finished_ = true;
    auto it = counts_.find(id);
    return it == counts_.end() ? 0 : it->second;
  }
  uint64_t events() const { return events_; }

 private:
  StreamEvaluator evaluator_;
  std::map<std::string, uint64_t> counts_;
  sigma::OnDetection count_ = [this](const sigma::Detection& d) {
    if (d.kind == sigma::Detection::Kind::kCorrelation) ++counts_[std::string(d.id)];  // rules: counted above
  };
  uint64_t events_ = 0;
  bool finished_ = false;
};

// What an `expect` id names: a detection rule or a correlation of the set.
struct Named {
  std::string title;
  bool correlation = false;
};
using Names = std::map<std::string, Named>;

Names ruleTitles(const sigma::DetectionSet& set) {
  Names out;
  for (size_t i = 0; i < set.rules().size(); ++i)
    out.emplace(set.rules().at(i).rule().id, Named{set.rules().at(i).rule().title, false});
  for (size_t i = 0; i < set.correlationCount(); ++i)
    out.emplace(set.correlation(i).id, Named{set.correlation(i).title, true});
  return out;
}

// "rule <id> (<title>): <n> of <events> events matched" or, for a correlation, "correlation
// <id> (<title>): fired <n> time(s) over <events> events".
std::string countText(const std::string& id, const Named& named, uint64_t n, uint64_t events) {
  if (named.correlation)
    return "correlation " + id + " (" + named.title + "): fired " + std::to_string(n) + " time(s) over " +
           std::to_string(events) + " events";
  return "rule " + id + " (" + named.title + "): " + std::to_string(n) + " of " + std::to_string(events) +
         " events matched";
}

std::string yamlWhere(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1);
}

// Reads a whole events file into the counter; the error names the file.
Status countFile(const std::string& path, std::optional<LogFormat> format, const LogReaders& readers,
                 Counter& counter) {
  std::string firstProblem;
  auto stats = readLogFile(
      path, format ? *format : detectLogFormat(path), readers,
      [&](normalize::Event& e, uint64_t) {
        counter.add(e);
        return true;
      },
      [&](const std::string& p) {
        if (firstProblem.empty()) firstProblem = p;
      });
  if (!stats) return stats.error();
  if (!firstProblem.empty()) return Error::validation(path, "unreadable input: " + firstProblem);
  return Status{};
}

bool plainInteger(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// A YAML node as JSON text: plain scalars that are integers become numbers, other scalars
// strings, null null; maps and sequences recursively. YAML aliases can repeat a node without
// repeating its bytes, so the text is bounded by the JSON-lines limit (1 MiB): past it, a
// YAML::ParserException at the node.
void toJson(const YAML::Node& node, std::string& out) {
  if (out.size() > kMaxLineBytes) throw YAML::ParserException(node.Mark(), "event larger than 1 MiB");
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      for (const auto& kv : node) {
        if (!first) out += ',';
        first = false;
        out += text::jsonQuote(kv.first.Scalar());
        out += ':';
        toJson(kv.second, out);
      }
      out += '}';
      return;
    }
    case YAML::NodeType::Sequence: {
      out += '[';
      bool first = true;
      for (const auto& item : node) {
        if (!first) out += ',';
        first = false;
        toJson(item, out);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Scalar:
      out += (node.Tag() == "?" && plainInteger(node.Scalar())) ? node.Scalar() : text::jsonQuote(node.Scalar());
      return;
    default: out += "null";
  }
}

CaseResult runSigmaCase(const fs::path& info, const sigma::DetectionSet& rules, const Names& titles,
                        const LogReaders& readers) {
  CaseResult result;
  result.where = info.string();
  try {
    const YAML::Node doc = YAML::LoadFile(info.string());
    std::vector<std::string> ids;
    for (const auto& meta : doc["rule_metadata"])
      if (meta["id"]) ids.push_back(meta["id"].as<std::string>());
    if (ids.empty()) {
      result.reason = "info.yml names no rule (rule_metadata[].id)";
      return result;
    }
    const YAML::Node tests = doc["regression_tests_info"];
    if (!tests || !tests.IsSequence() || tests.size() == 0) {
      result.outcome = Outcome::kSkip;
      result.reason = "no regression_tests_info (the case is disabled in info.yml)";
      return result;
    }
    std::string passes;
    for (const auto& test : tests) {
      const std::string type = test["type"] ? test["type"].as<std::string>() : "";
      const std::string name = test["name"] ? test["name"].as<std::string>() : "test";
      if (type != "evtx") {
        result.outcome = Outcome::kSkip;
        result.reason = name + ": type '" + type + "' is not read (only evtx)";
        return result;
      }
      const fs::path rel = test["path"] ? test["path"].as<std::string>() : "";
      fs::path events = info.parent_path() / rel.filename();
      std::error_code ec;
      for (fs::path up = info.parent_path(); !rel.empty() && !fs::exists(events, ec) && up.has_relative_path();
           up = up.parent_path())
        if (fs::exists(up / rel, ec)) events = up / rel;
      if (rel.empty() || !fs::exists(events, ec)) {
        result.reason = name + ": events file '" + rel.string() + "' not found";
        return result;
      }
      const uint64_t want = test["match_count"] ? test["match_count"].as<uint64_t>() : 1;
      Counter counter(rules);
      if (Status st = countFile(events.string(), LogFormat::kEvtx, readers, counter); !st.ok()) {
        result.reason = name + ": " + st.error().message;
        return result;
      }
      for (const auto& id : ids) {
        if (!titles.count(id)) {
          result.reason = "rule " + id + " is not loaded (missing from --rules, or refused)";
          return result;
        }
        const uint64_t got = counter.of(id);
        const std::string what =
            countText(id, titles.at(id), got, counter.events()) + ", want at least " + std::to_string(want);
        if (got < want) {
          result.reason = name + ": " + what;
          return result;
        }
        passes += (passes.empty() ? "" : "; ") + what;
      }
    }
    result.outcome = Outcome::kPass;
    result.reason = passes;
  } catch (const YAML::Exception& e) {
    result.outcome = Outcome::kFail;
    result.reason = yamlWhere(info.string(), e.mark) + ": " + e.msg;
  }
  return result;
}

struct Expectation {
  std::string rule;
  std::optional<uint64_t> min, max;
};

std::string expectText(const Expectation& e) {
  if (e.min && e.max && *e.min == *e.max) return *e.min == 0 ? "no match" : "exactly " + std::to_string(*e.min);
  std::string s;
  if (e.min) s = "at least " + std::to_string(*e.min);
  if (e.max) s += (s.empty() ? "" : " and ") + std::string("at most ") + std::to_string(*e.max);
  return s;
}

// The cases of one vigil case file, each reported through `onCase`.
void runVigilFile(const fs::path& file, const sigma::DetectionSet& rules, const Names& titles,
                  const LogReaders& readers, TestTotals& totals, const std::function<void(const CaseResult&)>& onCase) {
  auto report = [&](CaseResult r) {
    (r.outcome == Outcome::kPass ? totals.passed : r.outcome == Outcome::kSkip ? totals.skipped : totals.failed)++;
    onCase(r);
  };
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    report({Outcome::kFail, file.string(), yamlWhere(file.string(), e.mark) + ": " + e.msg});
    return;
  }
  if (!doc.IsMap() || !doc["cases"] || !doc["cases"].IsSequence()) {
    report({Outcome::kFail, file.string(), "not a test case file: no top-level `cases:` list"});
    return;
  }
  size_t index = 0;
  for (const auto& c : doc["cases"]) {
    ++index;
    CaseResult result;
    const std::string line = std::to_string(c.Mark().line + 1);
    try {
      const std::string name = c["name"] ? c["name"].as<std::string>() : "case " + std::to_string(index);
      result.where = file.string() + ":" + line + " " + name;
      std::vector<Expectation> expects;
      for (const auto& e : c["expect"]) {
        Expectation x;
        if (!e["rule"]) throw YAML::ParserException(e.Mark(), "an expectation needs `rule: <id>`");
        x.rule = e["rule"].as<std::string>();
        if (e["count"]) x.min = x.max = e["count"].as<uint64_t>();
        if (e["min"]) x.min = e["min"].as<uint64_t>();
        if (e["max"]) x.max = e["max"].as<uint64_t>();
        if (!x.min && !x.max) throw YAML::ParserException(e.Mark(), "an expectation needs count, min or max");
        expects.push_back(x);
      }
      if (expects.empty()) throw YAML::ParserException(c.Mark(), "a case needs an `expect:` list");
      Counter counter(rules);
      std::optional<LogFormat> format;
      if (c["format"]) {
        format = parseLogFormat(c["format"].as<std::string>());
        if (!format) throw YAML::ParserException(c["format"].Mark(), "format must be evtx, jsonl or syslog");
      }
      if (c["input"]) {
        const fs::path input = file.parent_path() / c["input"].as<std::string>();
        if (Status st = countFile(input.string(), format, readers, counter); !st.ok()) {
          result.reason = st.error().message;
          report(result);
          continue;
        }
      }
      normalize::Event event;
      for (const auto& e : c["events"]) {
        if (!e.IsMap()) throw YAML::ParserException(e.Mark(), "each of `events` is a map of field: value");
        std::string json;
        toJson(e, json);
        if (Status st = eventFromJsonLine(json, readers, event); !st.ok())
          throw YAML::ParserException(e.Mark(), st.error().message);
        counter.add(event);
      }
      for (const auto& l : c["lines"]) {
        eventFromSyslogLine(l.as<std::string>(), readers, event);
        counter.add(event);
      }
      if (counter.events() == 0) throw YAML::ParserException(c.Mark(), "a case needs input, events or lines");
      std::string got;
      result.outcome = Outcome::kPass;
      for (const auto& x : expects) {
        if (!titles.count(x.rule)) {
          result.outcome = Outcome::kFail;
          got = "rule " + x.rule + " is not loaded (missing from --rules, or refused)";
          break;
        }
        const uint64_t n = counter.of(x.rule);
        const bool ok = (!x.min || n >= *x.min) && (!x.max || n <= *x.max);
        const std::string what = countText(x.rule, titles.at(x.rule), n, counter.events()) + ", want " + expectText(x);
        if (!ok) {
          result.outcome = Outcome::kFail;
          got = what;
          break;
        }
        got += (got.empty() ? "" : "; ") + what;
      }
      result.reason = got;
    } catch (const YAML::Exception& e) {
      result.outcome = Outcome::kFail;
      if (result.where.empty()) result.where = file.string() + ":" + line;
      result.reason = yamlWhere(file.string(), e.mark) + ": " + e.msg;
    }
    report(result);
  }
}

bool isYaml(const fs::path& p) { return p.extension() == ".yml" || p.extension() == ".yaml"; }

}  // namespace

Result<TestTotals> runRuleTests(const sigma::DetectionSet& rules, const LogReaders& readers,
                                const std::vector<std::string>& paths,
                                const std::function<void(const CaseResult&)>& onCase) {
  const auto titles = ruleTitles(rules);
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
      continue;
    }
    if (!fs::is_directory(p, ec)) return Error::notFound(p + ": no such file or directory");
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file() && isYaml(it->path())) found.push_back(it->path());
    if (ec) return Error::validation(p, "cannot list the directory: " + ec.message());
    std::sort(found.begin(), found.end());
    if (found.empty()) return Error::notFound(p + ": no test cases (info.yml or *.yml with `cases:`) in it");
    files.insert(files.end(), found.begin(), found.end());
  }
  TestTotals totals;
  for (const auto& f : files) {
    if (f.filename() == "info.yml") {
      const CaseResult r = runSigmaCase(f, rules, titles, readers);
      (r.outcome == Outcome::kPass ? totals.passed : r.outcome == Outcome::kSkip ? totals.skipped : totals.failed)++;
      onCase(r);
    } else {
      runVigilFile(f, rules, titles, readers, totals, onCase);
    }
  }
  return totals;
}

}  // namespace vigil::detect::hunt
