// Log files read offline, one normalised event at a time: the readers shared by `vigil import`,
// `vigil hunt` and `vigil rules test`.
//
// Formats (LogFormat):
//   evtx    Windows event logs, through evtx::readEvtxFile; the Windows mapping is applied.
//   jsonl   one JSON document per line (normalize::jsonToEvent, the HTTP ingest's mapping); the
//           Windows mapping is applied too, so Winlogbeat-shaped lines get the same fields as
//           records read from .evtx files.
//   syslog  one message per line: ingest::parseSyslog + the Normalizer (the catalog of
//           catalogs/normalize/), as the listeners do.
// detectLogFormat() reads the first bytes: the "ElfFile" signature is evtx, a first non-blank
// '{' is jsonl, anything else syslog.
//
// Memory: a file is streamed; at most one line (kMaxLineBytes) or one EVTX record is held at a
// time, whatever the file's size. A longer line is skipped (counted, reported through
// `onProblem`) and the reading goes on after it. A JSON line that does not convert is skipped
// the same way.
//
// Errors: readLogFile() fails only when the file cannot be opened or read at all (missing,
// unreadable, not an EVTX file when evtx was asked), with a message naming the path.
//
// Thread-safety: the functions are reentrant; LogReaders refers to immutable catalogs that may be
// shared by threads reading different files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "normalize/event.h"

namespace vigil::normalize {
class Normalizer;
}
namespace vigil::evtx {
class WindowsMapping;
}

namespace vigil::detect::hunt {

enum class LogFormat { kSyslog, kJsonLines, kEvtx };

// "syslog", "jsonl", "evtx" (nullopt for anything else).
std::optional<LogFormat> parseLogFormat(std::string_view name);
std::string_view logFormatName(LogFormat format);
// From the file's first bytes (see the header comment); a file that cannot be read is "syslog"
// (readLogFile then reports why it cannot be read).
LogFormat detectLogFormat(const std::string& path);

inline constexpr size_t kMaxLineBytes = 1 << 20;

// The catalogs the readers apply; both must outlive the reading.
struct LogReaders {
  const normalize::Normalizer* normalizer = nullptr;  // syslog lines (required for kSyslog)
  const evtx::WindowsMapping* windows = nullptr;      // evtx and jsonl (optional)
  int zoneOffsetMinutes = 7 * 60;                     // syslog lines without a zone (Vietnam, UTC+7)
  // Receive time of syslog and JSON lines (the event time of a line without @timestamp, which
  // correlations read) and "now" for a syslog date without a year; 0: the file's mtime.
  int64_t nowUs = 0;
};

struct FileStats {
  uint64_t records = 0;  // events handed to the sink
  uint64_t skipped = 0;  // lines or EVTX records that could not be read (too long, bad JSON, corrupt)
  uint64_t bytes = 0;    // size of the file
};

// Called per event with its position: the line number for text files, the EVTX record id (or
// the record's ordinal when it has none) for .evtx files. Returning false stops the reading.
// The Event is reused between calls.
using RecordSink = std::function<bool(normalize::Event& event, uint64_t record)>;
// Called for each skipped line or record: "<path>:<line>: <reason>".
using ProblemSink = std::function<void(const std::string& problem)>;

Result<FileStats> readLogFile(const std::string& path, LogFormat format, const LogReaders& readers,
                              const RecordSink& sink, const ProblemSink& onProblem = {});

// One line of each text format into `event`, as readLogFile() does (for inline test events).
void eventFromSyslogLine(std::string_view line, const LogReaders& readers, normalize::Event& event);
Status eventFromJsonLine(std::string_view line, const LogReaders& readers, normalize::Event& event);

}  // namespace vigil::detect::hunt
