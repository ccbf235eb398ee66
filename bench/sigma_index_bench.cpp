// The Sigma rule index (src/detect/sigma/rule_index.h) against the naive loop, in one run.
//
// Events: normalised Windows events, prepared once before any timing (so the figures are the
// evaluation cost alone, not EVTX reading or normalisation):
//  - attack: every record of the SigmaHQ regression .evtx files and the EVTX attack samples,
//    read the real way (EVTX reader + Windows mapping), each replayed in kCopies copies with
//    another host name and a shifted timestamp;
//  - benign background: Sysmon and Security events of ordinary office activity (process starts,
//    logons, network connections, file creations, image loads), generated as EVTX XML from a fixed
//    seed and read through the same XML reader and mapping; any that a Windows rule matches is
//    dropped (the count is printed), so the background matches nothing.
// The pool (about a quarter attack, three quarters benign) is shuffled with a fixed seed and
// replayed cyclically: each indexed configuration evaluates VIGIL_SIGMA_BENCH_EVENTS events
// (default 10,000,000); the naive one VIGIL_SIGMA_BENCH_NAIVE_EVENTS (default 50,000: it is ~100x
// slower).
//
// Rule sets: 100 and 1,000 Windows rules (every k-th of the sorted Windows rules, so each
// category keeps its share), all Windows rules (logsource product windows), and all SigmaHQ rules.
// Threads: 1 and 2; the events are split between threads, each thread with its own vectorscan
// scratch (RuleSet::match keeps it thread_local). Figures: events/s (wall) and per thread.
// After the benchmarks, a table gives each configuration with the indexed/naive ratio.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "detect/sigma/compiled_rule.h"
#include "detect/sigma/rule_index.h"
#include "evtx/evtx_reader.h"
#include "evtx/windows_mapping.h"

namespace {

using namespace vigil;
using detect::sigma::CompiledRule;
using detect::sigma::Pipeline;
using detect::sigma::RuleSet;

constexpr int kCopies = 4;
constexpr int kBenignPerAttack = 3;

size_t envCount(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return static_cast<size_t>(std::strtoull(v, nullptr, 10));
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "sigma index bench: %s\n", what.c_str());
  std::exit(1);
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// One EVTX record as libevtx renders it.
std::string recordXml(const std::string& provider, const std::string& channel, int eventId, const std::string& host,
                      const std::vector<std::pair<std::string, std::string>>& data) {
  std::string x = "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"" +
                  provider + "\"/><EventID>" + std::to_string(eventId) +
                  "</EventID><Level>4</Level><TimeCreated SystemTime=\"2026-11-02T08:15:30.123456Z\"/><Channel>" +
                  channel + "</Channel><Computer>" + host + "</Computer></System><EventData>";
  for (const auto& [k, v] : data) x += "<Data Name=\"" + k + "\">" + xmlEscape(v) + "</Data>";
  return x + "</EventData></Event>";
}

// Ordinary office activity, varied by a seeded generator.
std::vector<std::string> benignXml(size_t n, std::mt19937_64& rng) {
  static const char* kSysmon = "Microsoft-Windows-Sysmon";
  static const char* kSysmonCh = "Microsoft-Windows-Sysmon/Operational";
  static const char* kSec = "Microsoft-Windows-Security-Auditing";
  struct Proc {
    const char* image;
    const char* cmd;
    const char* parent;
  };
  static const Proc kProcs[] = {
      {"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
       "C:\\Windows\\System32\\services.exe"},
      {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
       "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=vi "
       "--field-trial-handle=2044",
       "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"},
      {"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
       "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n \"C:\\Users\\%u\\Documents\\bao-cao-"
       "thang.docx\"",
       "C:\\Windows\\explorer.exe"},
      {"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
       "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\" \"C:\\Users\\%u\\Documents\\ke-hoach.xlsx\"",
       "C:\\Windows\\explorer.exe"},
      {"C:\\Windows\\System32\\RuntimeBroker.exe", "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding",
       "C:\\Windows\\System32\\svchost.exe"},
      {"C:\\Program Files\\Zalo\\Zalo.exe", "\"C:\\Program Files\\Zalo\\Zalo.exe\"", "C:\\Windows\\explorer.exe"},
      {"C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe", "C:\\Windows\\System32\\svchost.exe"},
  };
  auto pick = [&](size_t k) { return static_cast<size_t>(rng() % k); };
  auto hex = [&](size_t len) {
    std::string s;
    for (size_t i = 0; i < len; ++i) s += "0123456789ABCDEF"[rng() % 16];
    return s;
  };
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    const std::string user = "canbo" + std::to_string(pick(400));
    const std::string host = "PC-SO" + std::to_string(pick(40)) + "-" + std::to_string(pick(100));
    const std::string guid = "{" + hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12) + "}";
    const Proc& p = kProcs[pick(std::size(kProcs))];
    std::string cmd = p.cmd;
    if (const size_t at = cmd.find("%u"); at != std::string::npos) cmd.replace(at, 2, user);
    switch (pick(6)) {
      case 0:
        out.push_back(recordXml(kSysmon, kSysmonCh, 1, host,
                                {{"RuleName", "-"},
                                 {"UtcTime", "2026-11-02 08:15:30.123"},
                                 {"ProcessGuid", guid},
                                 {"ProcessId", std::to_string(1000 + pick(30000))},
                                 {"Image", p.image},
                                 {"FileVersion", "10.0.19041.1"},
                                 {"Description", "Application"},
                                 {"Product", "Product"},
                                 {"Company", "Vendor"},
                                 {"OriginalFileName", std::filesystem::path(p.image).filename().string()},
                                 {"CommandLine", cmd},
                                 {"CurrentDirectory", "C:\\Users\\" + user + "\\"},
                                 {"User", "SOTTTT\\" + user},
                                 {"LogonGuid", guid},
                                 {"LogonId", "0x" + hex(6)},
                                 {"TerminalSessionId", "1"},
                                 {"IntegrityLevel", "Medium"},
                                 {"Hashes", "SHA256=" + hex(64)},
                                 {"ParentProcessGuid", guid},
                                 {"ParentProcessId", std::to_string(500 + pick(3000))},
                                 {"ParentImage", p.parent},
                                 {"ParentCommandLine", p.parent},
                                 {"ParentUser", "SOTTTT\\" + user}}));
        break;
      case 1:
        out.push_back(recordXml(
            kSec, "Security", 4624, host,
            {{"SubjectUserSid", "S-1-5-18"},
             {"SubjectUserName", host + "$"},
             {"SubjectDomainName", "SOTTTT"},
             {"SubjectLogonId", "0x3e7"},
             {"TargetUserSid", "S-1-5-21-1004336348-1177238915-682003330-" + std::to_string(1100 + pick(400))},
             {"TargetUserName", user},
             {"TargetDomainName", "SOTTTT"},
             {"TargetLogonId", "0x" + hex(6)},
             {"LogonType", pick(2) ? "2" : "3"},
             {"LogonProcessName", "Kerberos"},
             {"AuthenticationPackageName", "Kerberos"},
             {"WorkstationName", "-"},
             {"LogonGuid", guid},
             {"KeyLength", "0"},
             {"ProcessId", "0x0"},
             {"ProcessName", "-"},
             {"IpAddress", "10.20." + std::to_string(pick(250)) + "." + std::to_string(pick(250))},
             {"IpPort", std::to_string(49152 + pick(16000))},
             {"ImpersonationLevel", "%%1833"},
             {"ElevatedToken", "%%1843"}}));
        break;
      case 2:
        out.push_back(recordXml(kSysmon, kSysmonCh, 3, host,
                                {{"RuleName", "-"},
                                 {"UtcTime", "2026-11-02 08:15:30.123"},
                                 {"ProcessGuid", guid},
                                 {"ProcessId", std::to_string(1000 + pick(30000))},
                                 {"Image", p.image},
                                 {"User", "SOTTTT\\" + user},
                                 {"Protocol", "tcp"},
                                 {"Initiated", "true"},
                                 {"SourceIsIpv6", "false"},
                                 {"SourceIp", "10.20." + std::to_string(pick(250)) + "." + std::to_string(pick(250))},
                                 {"SourceHostname", host + ".sotttt.local"},
                                 {"SourcePort", std::to_string(49152 + pick(16000))},
                                 {"DestinationIsIpv6", "false"},
                                 {"DestinationIp", "10.1.1." + std::to_string(pick(250))},
                                 {"DestinationHostname", "portal.sotttt.gov.vn"},
                                 {"DestinationPort", "443"},
                                 {"DestinationPortName", "https"}}));
        break;
      case 3:
        out.push_back(recordXml(kSysmon, kSysmonCh, 11, host,
                                {{"RuleName", "-"},
                                 {"UtcTime", "2026-11-02 08:15:30.123"},
                                 {"ProcessGuid", guid},
                                 {"ProcessId", std::to_string(1000 + pick(30000))},
                                 {"Image", p.image},
                                 {"TargetFilename", "C:\\Users\\" + user + "\\Documents\\van-ban-" +
                                                        std::to_string(pick(100000)) + ".docx"},
                                 {"CreationUtcTime", "2026-11-02 08:15:30.123"},
                                 {"User", "SOTTTT\\" + user}}));
        break;
      case 4:
        out.push_back(recordXml(kSysmon, kSysmonCh, 7, host,
                                {{"RuleName", "-"},
                                 {"UtcTime", "2026-11-02 08:15:30.123"},
                                 {"ProcessGuid", guid},
                                 {"ProcessId", std::to_string(1000 + pick(30000))},
                                 {"Image", p.image},
                                 {"ImageLoaded", "C:\\Windows\\System32\\kernel32.dll"},
                                 {"FileVersion", "10.0.19041.1"},
                                 {"Description", "Windows NT BASE API Client DLL"},
                                 {"Product", "Microsoft Windows Operating System"},
                                 {"Company", "Microsoft Corporation"},
                                 {"OriginalFileName", "kernel32"},
                                 {"Hashes", "SHA256=" + hex(64)},
                                 {"Signed", "true"},
                                 {"Signature", "Microsoft Windows"},
                                 {"SignatureStatus", "Valid"},
                                 {"User", "SOTTTT\\" + user}}));
        break;
      default:
        out.push_back(recordXml(kSec, "Security", 4688, host,
                                {{"SubjectUserSid", "S-1-5-21-1004336348-1177238915-682003330-1105"},
                                 {"SubjectUserName", user},
                                 {"SubjectDomainName", "SOTTTT"},
                                 {"SubjectLogonId", "0x" + hex(6)},
                                 {"NewProcessId", "0x" + hex(4)},
                                 {"NewProcessName", p.image},
                                 {"TokenElevationType", "%%1938"},
                                 {"ProcessId", "0x" + hex(4)},
                                 {"CommandLine", cmd},
                                 {"TargetUserSid", "S-1-0-0"},
                                 {"TargetUserName", "-"},
                                 {"TargetDomainName", "-"},
                                 {"TargetLogonId", "0x0"},
                                 {"ParentProcessName", p.parent},
                                 {"MandatoryLabel", "S-1-16-8192"}}));
        break;
    }
  }
  return out;
}

struct Fixture {
  Pipeline pipeline;
  std::vector<normalize::Event> events;  // the shuffled pool, replayed cyclically
  std::map<std::string, RuleSet> sets;   // "100", "1000", "windows", "all"
  size_t attack = 0, benign = 0, benignDropped = 0;
};

RuleSet subset(const std::vector<std::string>& origins, size_t n, const Pipeline& p, const std::string& sigmaDir) {
  RuleSet set;
  for (size_t i = 0; i < n; ++i) {
    const std::string& origin = origins[i * origins.size() / n];
    std::ifstream in(sigmaDir + "/" + origin);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!set.add(ss.str(), origin, p)) die("rule " + origin + " refused on reload");
  }
  return set;
}

Fixture* load() {
  auto* f = new Fixture();
  auto p = Pipeline::load(VIGIL_SIGMA_PIPELINE_DIR);
  if (!p) die("pipeline: " + p.error().message);
  f->pipeline = std::move(*p);
  const std::string sigma = std::string(VIGIL_CORPORA_DIR) + "/sigma";
  const auto t0 = std::chrono::steady_clock::now();
  RuleSet all = RuleSet::load({sigma + "/rules", sigma + "/rules-emerging-threats", sigma + "/rules-threat-hunting"},
                              f->pipeline);
  const double loadS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::string> windows;
  for (size_t i = 0; i < all.size(); ++i)
    if (all.at(i).rule().logsource.product == "windows") windows.push_back(all.at(i).rule().origin);
  std::sort(windows.begin(), windows.end());
  f->sets.emplace("0100", subset(windows, 100, f->pipeline, sigma));
  f->sets.emplace("1000", subset(windows, 1000, f->pipeline, sigma));
  f->sets.emplace("windows", subset(windows, windows.size(), f->pipeline, sigma));
  f->sets.emplace("all", std::move(all));
  for (const auto& [name, set] : f->sets) {
    const auto t = std::chrono::steady_clock::now();
    const auto st = set.indexStats();  // builds the index of the subsets (load() built "all")
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    std::fprintf(stderr,
                 "rules %-7s %5zu rules: %zu behind literals, %zu behind EventIDs, %zu always checked; %zu literals "
                 "in %zu databases (index built in %.2f s)%s\n",
                 name.c_str(), st.rules, st.withLiterals, st.withEventIds, st.alwaysChecked, st.patterns, st.databases,
                 s, st.compileError.empty() ? "" : (" vectorscan error: " + st.compileError).c_str());
  }
  std::fprintf(stderr, "all SigmaHQ rules loaded and indexed in %.1f s\n", loadS);

  // The mapping names the fields it sets with its own strings: it must outlive the events.
  auto loaded = evtx::WindowsMapping::load(VIGIL_WINDOWS_MAPPING_DIR);
  if (!loaded) die("mapping: " + loaded.error().message);
  const auto* mapping = new evtx::WindowsMapping(std::move(*loaded));
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"/sigma/regression_data", "/evtx-attack-samples"})
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(VIGIL_CORPORA_DIR) + dir))
      if (e.is_regular_file() && e.path().extension() == ".evtx") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<normalize::Event> attack;
  for (const auto& file : files)
    (void)evtx::readEvtxFile(file.string(), [&](normalize::Event& e) {
      mapping->apply(e);
      attack.push_back(e);
      return true;
    });
  // Replays: another host, a later timestamp.
  for (int c = 0; c < kCopies; ++c)
    for (const normalize::Event& a : attack) {
      normalize::Event e = a;
      if (c > 0) {
        const std::string host = "REPLAY-" + std::to_string(c) + "-" + std::string(e.getText("winlog.computer_name"));
        e.setString("winlog.computer_name", host);
        e.setString("host.name", host);
        if (const auto ts = e.get("@timestamp")) e.setTime("@timestamp", ts->number + c * 3600LL * 1000000);
      }
      f->events.push_back(std::move(e));
    }
  f->attack = f->events.size();

  std::mt19937_64 rng(20261124);
  const RuleSet& windowsSet = f->sets.at("windows");
  for (const std::string& xml : benignXml(f->attack * kBenignPerAttack, rng)) {
    normalize::Event e;
    if (!evtx::eventFromRecordXml(xml, 0, 0, e)) die("benign XML does not parse: " + xml);
    mapping->apply(e);
    if (windowsSet.match(e, nullptr) > 0) {  // equal to matchNaive (tests/sigma/index_test.cpp)
      ++f->benignDropped;
      continue;
    }
    f->events.push_back(std::move(e));
    ++f->benign;
  }
  std::shuffle(f->events.begin(), f->events.end(), rng);
  std::fprintf(stderr,
               "events: %zu in the pool = %zu attack (%zu records of %zu .evtx files x %d replays) + %zu benign "
               "(%zu generated ones dropped: a rule matched them)\n",
               f->events.size(), f->attack, attack.size(), files.size(), kCopies, f->benign, f->benignDropped);
  return f;
}

const Fixture& fixture() {
  static const Fixture* f = load();
  return *f;
}

struct Result {
  double eventsPerS = 0;
  size_t events = 0, matches = 0;
  double cpuS = 0;                            // CPU time of the worker threads together
  detect::sigma::RuleIndexCounters counters;  // summed over the worker threads
};

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
std::mutex resultsMu;
std::map<std::string, Result> results;  // "set/indexed|naive/threads"

// Evaluates `total` events of the pool (cyclically) over `threads` threads; wall time.
Result runOnce(const RuleSet& set, bool naive, size_t total, int threads) {
  const Fixture& f = fixture();
  std::vector<size_t> matches(static_cast<size_t>(threads), 0);
  std::vector<double> cpu(static_cast<size_t>(threads), 0);
  std::vector<detect::sigma::RuleIndexCounters> counters(static_cast<size_t>(threads));
  auto work = [&](int t) {
    size_t m = 0;
    const size_t pool = f.events.size();
    const double c0 = threadCpuSeconds();
    const auto k0 = detect::sigma::RuleIndex::threadCounters();
    for (size_t i = static_cast<size_t>(t); i < total; i += static_cast<size_t>(threads)) {
      const normalize::Event& e = f.events[i % pool];
      m += naive ? set.matchNaive(e, nullptr) : set.match(e, nullptr);
    }
    const auto k1 = detect::sigma::RuleIndex::threadCounters();
    auto& k = counters[static_cast<size_t>(t)];
    k.events = k1.events - k0.events;
    k.scans = k1.scans - k0.scans;
    k.literalHits = k1.literalHits - k0.literalHits;
    k.evaluated = k1.evaluated - k0.evaluated;
    cpu[static_cast<size_t>(t)] = threadCpuSeconds() - c0;
    matches[static_cast<size_t>(t)] = m;
  };
  const auto t0 = std::chrono::steady_clock::now();
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Result r;
  r.events = total;
  r.eventsPerS = static_cast<double>(total) / s;
  for (size_t m : matches) r.matches += m;
  for (double c : cpu) r.cpuS += c;
  for (const auto& k : counters) {
    r.counters.events += k.events;
    r.counters.scans += k.scans;
    r.counters.literalHits += k.literalHits;
    r.counters.evaluated += k.evaluated;
  }
  return r;
}

void BM_Match(benchmark::State& state, const std::string& setName, bool naive) {
  const Fixture& f = fixture();
  const RuleSet& set = f.sets.at(setName);
  const int threads = static_cast<int>(state.range(0));
  const size_t total =
      naive ? envCount("VIGIL_SIGMA_BENCH_NAIVE_EVENTS", 50000) : envCount("VIGIL_SIGMA_BENCH_EVENTS", 10000000);
  Result r;
  for (auto _ : state) {
    r = runOnce(set, naive, total, threads);
    state.SetIterationTime(static_cast<double>(total) / r.eventsPerS);
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
  state.counters["rules"] = static_cast<double>(set.size());
  state.counters["events"] = static_cast<double>(total);
  state.counters["per_thread_ev_s"] = r.eventsPerS / threads;
  state.counters["matches_per_1k"] = 1000.0 * static_cast<double>(r.matches) / static_cast<double>(total);
  // Events per CPU-second of the workers: what one core does when it is not shared.
  state.counters["ev_per_cpu_s"] = static_cast<double>(total) / r.cpuS;
  if (!naive) {
    const double ev = static_cast<double>(total);
    state.counters["scans_per_ev"] = static_cast<double>(r.counters.scans) / ev;
    state.counters["hits_per_ev"] = static_cast<double>(r.counters.literalHits) / ev;
    state.counters["evaluated_per_ev"] = static_cast<double>(r.counters.evaluated) / ev;
  }
  std::lock_guard<std::mutex> lock(resultsMu);
  results[setName + "/" + (naive ? "naive" : "indexed") + "/" + std::to_string(threads)] = r;
}

void registerAll() {
  for (const char* set : {"0100", "1000", "windows", "all"})
    for (bool naive : {false, true}) {
      const std::string name = std::string("BM_") + (naive ? "Naive" : "Indexed") + "/" + set;
      benchmark::RegisterBenchmark(name.c_str(), [set, naive](benchmark::State& s) { BM_Match(s, set, naive); })
          ->ArgName("threads")
          ->Arg(1)
          ->Arg(2)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kSecond);
    }
}

void printSummary() {
  std::printf("\n%-8s %-7s %14s %14s %16s %14s %16s %8s\n", "rules", "threads", "indexed ev/s", "per thread",
              "indexed ev/cpu-s", "naive ev/s", "naive ev/cpu-s", "ratio");
  for (const char* set : {"0100", "1000", "windows", "all"})
    for (int threads : {1, 2}) {
      const auto ix = results.find(std::string(set) + "/indexed/" + std::to_string(threads));
      const auto nv = results.find(std::string(set) + "/naive/" + std::to_string(threads));
      if (ix == results.end()) continue;
      const double naive = nv == results.end() ? 0 : nv->second.eventsPerS;
      const double ixCpu = static_cast<double>(ix->second.events) / ix->second.cpuS;
      const double nvCpu = nv == results.end() ? 0 : static_cast<double>(nv->second.events) / nv->second.cpuS;
      std::printf("%-8s %-7d %14.0f %14.0f %16.0f %14.0f %16.0f %7.1fx\n", set, threads, ix->second.eventsPerS,
                  ix->second.eventsPerS / threads, ixCpu, naive, nvCpu, nvCpu > 0 ? ixCpu / nvCpu : 0.0);
    }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  (void)fixture();  // prepare the events and rule sets before any timing
  registerAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  printSummary();
  return 0;
}
