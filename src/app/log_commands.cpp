// `vigil import` and `vigil search`: the event store from the command line, while the server is
// stopped (both take the data-directory lock the server holds).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/data_dir_lock.h"
#include "collect/collector.h"
#include "core/clock.h"
#include "core/text.h"
#include "detect/hunt/log_file.h"
#include "eventstore/event_store.h"
#include "evtx/evtx_reader.h"
#include "evtx/windows_mapping.h"
#include "normalize/json_event.h"
#include "normalize/normalizer.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::app {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBatch = 1000;

int fail(const std::string& message) {
  std::cerr << "vigil: " << message << "\n";
  return 2;
}

std::string lockMessage(const Error& e) {
  if (e.code == ErrorCode::kConflict) return e.message + ". Stop the server or use the HTTP ingest while it runs.";
  return e.message;
}

// What a file is, from its first bytes: "evtx", "jsonl" or "syslog" (detect/hunt/log_file.h, the
// detection `vigil hunt` uses too).
std::string detectFormat(const std::string& path) {
  return std::string(detect::hunt::logFormatName(detect::hunt::detectLogFormat(path)));
}

struct Totals {
  uint64_t files = 0, failedFiles = 0, records = 0, corrupt = 0, accepted = 0, bytes = 0;
  std::atomic<uint64_t> stored{0}, lost{0};
};

// Hands one batch to the collector, waiting for the store's queue to drain when it pushes back.
template <typename Submit>
Status submitWithRetry(eventstore::EventStore& store, Submit submit) {
  for (int attempt = 0;; ++attempt) {
    Status st = submit();
    if (st.ok() || st.error().code != ErrorCode::kUnavailable || attempt >= 20) return st;
    VIGIL_TRY(store.flush());
  }
}

collect::Collector::DurableCallback countInto(Totals& totals, uint64_t events) {
  return [&totals, events](const Status& st) { (st.ok() ? totals.stored : totals.lost) += events; };
}

Status importSyslog(const std::string& path, collect::Collector& collector, const collect::Attribution& who,
                    Totals& totals) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::notFound("cannot read " + path);
  const std::string peer = fs::path(path).filename().string();
  std::vector<std::string> lines;
  std::vector<std::string_view> views;
  auto submit = [&]() -> Status {
    if (lines.empty()) return Status{};
    views.assign(lines.begin(), lines.end());
    VIGIL_TRY(submitWithRetry(collector.store(), [&] {
      return collector.submitSyslog(collect::Input::kFile, who, peer, views, countInto(totals, views.size()));
    }));
    totals.accepted += views.size();
    lines.clear();
    return Status{};
  };
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++totals.records;
    lines.push_back(std::move(line));
    if (lines.size() >= kBatch) VIGIL_TRY(submit());
  }
  return submit();
}

Status importJsonLines(const std::string& path, collect::Collector& collector, const collect::Attribution& who,
                       const evtx::WindowsMapping& windows, Totals& totals) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::notFound("cannot read " + path);
  const std::string peer = fs::path(path).filename().string();
  std::vector<normalize::Event> batch;
  uint64_t badLines = 0;
  auto submit = [&]() -> Status {
    if (batch.empty() && badLines == 0) return Status{};
    VIGIL_TRY(submitWithRetry(collector.store(), [&] {
      return collector.submitEvents(collect::Input::kFile, who, peer, batch, badLines, countInto(totals, batch.size()));
    }));
    totals.accepted += batch.size();
    batch.clear();
    badLines = 0;
    return Status{};
  };
  std::string line;
  uint64_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++totals.records;
    // The JSON -> Event mapping of the HTTP ingest (normalize/json_event.h).
    batch.emplace_back();
    const Status parsed = normalize::jsonToEvent(line, batch.back());
    if (!parsed.ok()) {
      batch.pop_back();
      if (totals.corrupt++ < 5)
        std::cerr << "vigil: " << path << ":" << lineNo << ": skipped, " << parsed.error().message << "\n";
      ++badLines;
      continue;
    }
    evtx::applyWindowsMapping(windows, batch.back());
    if (batch.size() >= kBatch) VIGIL_TRY(submit());
  }
  return submit();
}

Status importEvtx(const std::string& path, collect::Collector& collector, const collect::Attribution& who,
                  const evtx::WindowsMapping& windows, Totals& totals) {
  const std::string peer = fs::path(path).filename().string();
  std::vector<normalize::Event> batch;
  Status failed;
  auto submit = [&]() -> Status {
    if (batch.empty()) return Status{};
    VIGIL_TRY(submitWithRetry(collector.store(), [&] {
      return collector.submitEvents(collect::Input::kFile, who, peer, batch, 0, countInto(totals, batch.size()));
    }));
    totals.accepted += batch.size();
    batch.clear();
    return Status{};
  };
  auto stats = evtx::readEvtxFile(path, [&](normalize::Event& event) {
    evtx::applyWindowsMapping(windows, event);
    batch.push_back(event);
    if (batch.size() < kBatch) return true;
    failed = submit();
    return failed.ok();
  });
  if (!stats.ok()) return stats.error();
  VIGIL_TRY(failed);
  totals.records += stats->records;
  totals.corrupt += stats->corrupt;
  return submit();
}

// The agency must exist when there is a database (a data directory that holds only events, as
// in tests, has none to check against).
Status checkOrg(const Config& config, int64_t orgId) {
  std::error_code ec;
  if (!fs::exists(databasePath(config), ec)) return Status{};
  SystemClock clock;
  sqlite::SqliteOptions opts;
  opts.path = databasePath(config);
  opts.readerConnections = 1;
  VIGIL_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::open(opts, clock));
  auto org = store->getOrg(Actor::systemActor("cli"), orgId);
  if (!org.ok()) return Error::validation("--org", "no agency with id " + std::to_string(orgId));
  return Status{};
}

}  // namespace

int importFiles(const Config& config, const std::string& exePath, const ImportOptions& options) {
  if (options.format != "auto" && options.format != "syslog" && options.format != "jsonl" && options.format != "evtx")
    return fail("--format must be auto, syslog, jsonl or evtx (got '" + options.format + "')");
  if (options.orgId <= 0) return fail("--org must be a positive agency id");
  for (const auto& file : options.files) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return fail(file + ": not a readable file");
  }
  auto lock = DataDirLock::acquire(config.store.dataDir);
  if (!lock.ok()) return fail(lockMessage(lock.error()));
  if (auto st = checkOrg(config, options.orgId); !st.ok()) return fail(st.error().message);

  const fs::path catalogDir = catalogDirFor(config, exePath);
  auto normalizer = normalize::Normalizer::load(catalogDir / "normalize");
  if (!normalizer.ok()) return fail(normalizer.error().message);
  auto windows = evtx::WindowsMapping::load(catalogDir / "normalize" / "windows");
  if (!windows.ok()) return fail(windows.error().message);
  auto store = eventstore::EventStore::open(fs::path(config.store.dataDir) / "events");
  if (!store.ok()) return fail(store.error().message);
  SystemClock clock;
  collect::Collector collector(*normalizer, **store, clock);
  const collect::Attribution who{
      .sourceId = options.sourceId, .orgId = options.orgId, .declared = options.sourceId != 0};

  Totals totals;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& file : options.files) {
    const std::string format = options.format == "auto" ? detectFormat(file) : options.format;
    std::error_code ec;
    const uint64_t size = fs::file_size(file, ec);
    Status st;
    if (format == "evtx")
      st = importEvtx(file, collector, who, *windows, totals);
    else if (format == "jsonl")
      st = importJsonLines(file, collector, who, *windows, totals);
    else
      st = importSyslog(file, collector, who, totals);
    ++totals.files;
    if (!ec) totals.bytes += size;
    if (!st.ok()) {
      ++totals.failedFiles;
      std::cerr << "vigil: " << file << " (" << format << "): " << st.error().message << "\n";
    } else {
      std::cerr << "vigil: " << file << " (" << format << ") read\n";
    }
  }
  const Status flushed = (*store)->flush();
  (*store)->close();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double mb = static_cast<double>(totals.bytes) / 1e6;
  std::printf("files %llu (failed %llu), records read %llu, skipped corrupt %llu, events stored %llu",
              (unsigned long long)totals.files, (unsigned long long)totals.failedFiles,
              (unsigned long long)totals.records, (unsigned long long)totals.corrupt,
              (unsigned long long)totals.stored.load());
  if (totals.lost.load() != 0) std::printf(", NOT stored %llu", (unsigned long long)totals.lost.load());
  std::printf(", %.1f MB in %.2f s (%.1f MB/s, %.0f records/s)\n", mb, seconds, seconds > 0 ? mb / seconds : 0.0,
              seconds > 0 ? static_cast<double>(totals.records) / seconds : 0.0);
  if (!flushed.ok()) return fail(flushed.error().message);
  return totals.failedFiles == 0 && totals.lost.load() == 0 ? 0 : 1;
}

namespace {

std::string oneLine(std::string_view text, size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (text.size() > max) out += "...";
  return out;
}

// A quoted CSV cell; a leading = + - @ is escaped with ' so a spreadsheet does not run it as a formula.
std::string csvCell(std::string_view text) {
  std::string out = "\"";
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string fieldText(const eventstore::StoredEvent& e, std::string_view name) {
  const auto* f = e.field(name);
  if (f == nullptr) return {};
  if (f->type == normalize::ValueType::kTime) return normalize::Event::formatTime(f->number);
  return f->text;
}

}  // namespace

int searchEvents(const Config& config, const SearchOptions& options) {
  if (options.format != "table" && options.format != "jsonl" && options.format != "csv")
    return fail("--format must be table, jsonl or csv (got '" + options.format + "')");
  if (options.limit == 0 || options.limit > 10000) return fail("--limit must be between 1 and 10000");
  auto parsed = eventstore::parseQuery(options.query);
  if (!parsed.ok()) return fail("query: " + parsed.error().message);
  eventstore::SearchRequest request;
  request.scope.allOrgs = true;  // the operator at the server's console reads everything
  request.query = options.query;
  request.limit = options.limit;
  if (!options.from.empty()) {
    auto ms = parseRfc3339(options.from);
    if (!ms) return fail("--from: not an RFC 3339 time: " + options.from);
    request.fromUs = *ms * 1000;
  }
  if (!options.to.empty()) {
    auto ms = parseRfc3339(options.to);
    if (!ms) return fail("--to: not an RFC 3339 time: " + options.to);
    request.toUs = *ms * 1000;
  }
  const fs::path dir = fs::path(config.store.dataDir) / "events";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fail("no event store at " + dir.string());
  auto lock = DataDirLock::acquire(config.store.dataDir);
  if (!lock.ok()) return fail(lockMessage(lock.error()));
  auto store = eventstore::EventStore::open(dir);
  if (!store.ok()) return fail(store.error().message);
  auto result = (*store)->search(request);
  (*store)->close();
  if (!result.ok()) return fail(result.error().message);

  if (options.format == "csv")
    std::cout << "@timestamp,org_id,source_id,event.code,host.name,user.name,source.ip,raw\n";
  for (const auto& e : result->events) {
    const std::string time = normalize::Event::formatTime(e.timeUs);
    if (options.format == "jsonl") {
      std::string line = "{\"@timestamp\":" + text::jsonQuote(time) + ",\"vigil.org_id\":" + std::to_string(e.orgId) +
                         ",\"vigil.source_id\":" + std::to_string(e.sourceId);
      for (const auto& f : e.fields) {
        line += "," + text::jsonQuote(f.name) + ":";
        if (f.type == normalize::ValueType::kInt)
          line += std::to_string(f.number);
        else if (f.type == normalize::ValueType::kTime)
          line += text::jsonQuote(normalize::Event::formatTime(f.number));
        else
          line += text::jsonQuote(f.text);
      }
      std::cout << line << ",\"event.original\":" << text::jsonQuote(e.raw) << "}\n";
    } else if (options.format == "csv") {
      std::cout << time << "," << e.orgId << "," << e.sourceId << "," << csvCell(fieldText(e, "event.code")) << ","
                << csvCell(fieldText(e, "host.name")) << "," << csvCell(fieldText(e, "user.name")) << ","
                << csvCell(fieldText(e, "source.ip")) << "," << csvCell(e.raw) << "\n";
    } else {
      std::string summary;
      for (const char* name : {"event.code", "event.action", "host.name", "user.name", "source.ip"})
        if (auto v = fieldText(e, name); !v.empty()) summary += std::string(name) + "=" + v + " ";
      std::cout << time << "  org " << e.orgId << "  " << summary << "| " << oneLine(e.raw, 120) << "\n";
    }
  }
  std::cerr << result->events.size() << " event(s)"
            << (result->events.size() == options.limit ? " (limit reached)" : "") << "\n";
  return 0;
}

}  // namespace vigil::app
