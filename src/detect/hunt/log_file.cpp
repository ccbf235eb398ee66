#include "detect/hunt/log_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <sys/stat.h>
#include <memory>
#include <vector>

#include "evtx/evtx_reader.h"
#include "evtx/windows_mapping.h"
#include "ingest/syslog.h"
#include "normalize/json_event.h"
#include "normalize/normalizer.h"

namespace vigil::detect::hunt {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File openFile(const std::string& path) { return File(std::fopen(path.c_str(), "rb")); }

// Calls `onLine(line, lineNo)` for every line of `f` (without its "\n" or "\r\n"); a line longer
// than kMaxLineBytes is not passed: `onLong(lineNo)` is called and the rest of it skipped.
// Memory: one read buffer and at most kMaxLineBytes of line. Returns false when `onLine` stopped.
template <typename OnLine, typename OnLong>
bool forEachLine(std::FILE* f, OnLine onLine, OnLong onLong) {
  std::string line;
  std::vector<char> buf(64 * 1024);
  uint64_t lineNo = 1;
  bool tooLong = false;
  auto finish = [&]() -> bool {
    bool go = true;
    if (tooLong)
      onLong(lineNo);
    else {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      go = onLine(std::string_view(line), lineNo);
    }
    line.clear();
    tooLong = false;
    ++lineNo;
    return go;
  };
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    size_t start = 0;
    while (start < n) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + start, '\n', n - start));
      const size_t end = nl ? static_cast<size_t>(nl - buf.data()) : n;
      if (!tooLong) {
        if (line.size() + (end - start) > kMaxLineBytes) {
          tooLong = true;
          line.clear();
        } else {
          line.append(buf.data() + start, end - start);
        }
      }
      if (!nl) break;
      if (!finish()) return false;
      start = end + 1;
    }
  }
  if (!line.empty() || tooLong) return finish();
  return true;
}

bool blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

}  // namespace

std::optional<LogFormat> parseLogFormat(std::string_view name) {
  if (name == "syslog") return LogFormat::kSyslog;
  if (name == "jsonl") return LogFormat::kJsonLines;
  if (name == "evtx") return LogFormat::kEvtx;
  return std::nullopt;
}

std::string_view logFormatName(LogFormat format) {
  switch (format) {
    case LogFormat::kSyslog: return "syslog";
    case LogFormat::kJsonLines: return "jsonl";
    case LogFormat::kEvtx: return "evtx";
  }
  return "syslog";
}

LogFormat detectLogFormat(const std::string& path) {
  File f = openFile(path);
  if (!f) return LogFormat::kSyslog;
  char head[4096];
  const size_t n = std::fread(head, 1, sizeof(head), f.get());
  if (n >= 7 && std::string_view(head, 7) == "ElfFile") return LogFormat::kEvtx;
  for (size_t i = 0; i < n; ++i) {
    const char c = head[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' ? LogFormat::kJsonLines : LogFormat::kSyslog;
  }
  return LogFormat::kSyslog;
}

void eventFromSyslogLine(std::string_view line, const LogReaders& readers, normalize::Event& event) {
  const ingest::SyslogMessage parsed = ingest::parseSyslog(
      line,
      {.receivedUs = readers.nowUs, .referenceUs = readers.nowUs, .zoneOffsetMinutes = readers.zoneOffsetMinutes});
  readers.normalizer->normalize(parsed, {.receivedUs = readers.nowUs}, event);
}

Status eventFromJsonLine(std::string_view line, const LogReaders& readers, normalize::Event& event) {
  VIGIL_TRY(normalize::jsonToEvent(line, event));
  event.receivedUs = readers.nowUs;  // the event time of a line without @timestamp (correlations)
  if (readers.windows) evtx::applyWindowsMapping(*readers.windows, event);
  return Status{};
}

Result<FileStats> readLogFile(const std::string& path, LogFormat format, const LogReaders& readers,
                              const RecordSink& sink, const ProblemSink& onProblem) {
  FileStats stats;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (!std::filesystem::exists(path, ec)) return Error::notFound(path + ": no such file");
    return Error::validation(path, "not a regular file");
  }
  stats.bytes = std::filesystem::file_size(path, ec);
  auto problem = [&](uint64_t line, const std::string& reason) {
    ++stats.skipped;
    if (onProblem) onProblem(path + ":" + std::to_string(line) + ": " + reason);
  };

  if (format == LogFormat::kEvtx) {
    uint64_t ordinal = 0;
    auto read = evtx::readEvtxFile(path, [&](normalize::Event& event) {
      ++ordinal;
      if (readers.windows) evtx::applyWindowsMapping(*readers.windows, event);
      const auto id = event.get("winlog.record_id");
      const uint64_t record =
          id && id->type == normalize::ValueType::kInt && id->number > 0 ? static_cast<uint64_t>(id->number) : ordinal;
      ++stats.records;
      return sink(event, record);
    });
    if (!read) return read.error();
    stats.skipped += read->corrupt;
    if (read->corrupt != 0 && onProblem)
      onProblem(path + ": " + std::to_string(read->corrupt) + " corrupt record(s) skipped");
    return stats;
  }

  if (format == LogFormat::kSyslog && readers.normalizer == nullptr)
    return Error::internal("readLogFile: syslog needs a normalizer");
  File f = openFile(path);
  if (!f) return Error::notFound(path + ": cannot open: " + std::strerror(errno));
  // Without a given "now", a line's receive time is the file's modification time: the same
  // files give the same events on every run, and a year-less syslog date resolves against the
  // time the file was written, not the time it is read.
  LogReaders fileReaders = readers;
  if (fileReaders.nowUs == 0) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
      fileReaders.nowUs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
  }
  normalize::Event event;
  const std::string tooLong = "line longer than " + std::to_string(kMaxLineBytes) + " bytes, skipped";
  forEachLine(
      f.get(),
      [&](std::string_view line, uint64_t lineNo) {
        if (blank(line)) return true;
        if (format == LogFormat::kSyslog) {
          eventFromSyslogLine(line, fileReaders, event);
        } else if (Status st = eventFromJsonLine(line, fileReaders, event); !st.ok()) {
          problem(lineNo, st.error().message);
          return true;
        }
        ++stats.records;
        return sink(event, lineNo);
      },
      [&](uint64_t lineNo) { problem(lineNo, tooLong); });
  if (std::ferror(f.get())) return Error::internal(path + ": read error: " + std::strerror(errno));
  return stats;
}

}  // namespace vigil::detect::hunt
