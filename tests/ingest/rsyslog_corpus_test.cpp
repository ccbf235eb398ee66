// Data-driven: the rsyslog parser test vectors (../shared/corpora/rsyslog-parse1/*.parse1). Each
// file holds pairs of lines: a raw message, then rsyslog's rendering of
// "%PRI%,%syslogfacility-text%,%syslogseverity-text%,%timestamp%,%hostname%,%programname%,%syslogtag%,%msg%".
// Lines starting with '#' are comments. We render our parse the same way and compare the whole
// line. Every case must match or be listed in kKnownDifferences with its reason; a listed case
// that matches fails too, so the table stays true.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/syslog.h"

namespace vigil::ingest {
namespace {

struct KnownDifference {
  std::string_view file;
  int pair;  // 1-based index of the pair in the file
  std::string_view reason;
};

// Cases where we deliberately differ from rsyslog (2018).
constexpr KnownDifference kKnownDifferences[] = {
    {"rfc5424-1.parse1", 1,
     "rsyslog of 2018 leaves %programname% empty for RFC 5424; we report APP-NAME (\"su\") as the program"},
    {"rfc5424-2.parse1", 1, "as rfc5424-1: APP-NAME \"myproc\" is our programname, rsyslog's is empty"},
    {"rfc5424-3.parse1", 1, "as rfc5424-1: APP-NAME \"evntslog\" is our programname, rsyslog's is empty"},
    {"rfc5424-4.parse1", 1, "as rfc5424-1: APP-NAME \"evntslog\" is our programname, rsyslog's is empty"},
    {"snare.parse1", 8,
     "the input line ends in a stray backslash that rsyslog's test driver (nettester) consumed as an escape "
     "before sending; we keep every byte received, so our MSG ends in '\\'"},
};

// The test driver of rsyslog sent "\011" in the .parse1 input as the byte it names (octal).
std::string unescapeOctal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
        s[i + 3] >= '0' && s[i + 3] <= '7') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// rsyslog escapes control characters on receive as "#ooo" (octal).
std::string escapeControls(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20) {
      out += '#';
      out += static_cast<char>('0' + ((u >> 6) & 7));
      out += static_cast<char>('0' + ((u >> 3) & 7));
      out += static_cast<char>('0' + (u & 7));
    } else {
      out += c;
    }
  }
  return out;
}

// "Mmm dd hh:mm:ss" of the time as the sender's clock showed it (rsyslog's %timestamp%).
std::string bsdTime(const SyslogMessage& m) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t secs = m.timeUs / 1'000'000 + int64_t{m.zoneOffsetMinutes} * 60;
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) rem += 86400, --days;
  // civil_from_days (H. Hinnant)
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t mon = mp < 10 ? mp + 3 : mp - 9;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %2d %02d:%02d:%02d", kMonths[static_cast<size_t>(mon - 1)], static_cast<int>(d),
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return buf;
}

std::string render(const SyslogMessage& m) {
  std::string tag, msg;
  if (m.format == SyslogFormat::kRfc5424) {
    tag = std::string(m.appName);
    if (!m.procId.empty()) tag += "[" + std::string(m.procId) + "]";
    msg = std::string(m.msg);
  } else {
    tag = std::string(m.tag);
    // rsyslog's %msg% starts right after the tag, so it keeps the separating space we skip.
    const bool spaceSkipped = !m.tag.empty() && m.msg.data() == m.tag.data() + m.tag.size() + 1;
    msg = (spaceSkipped ? " " : "") + std::string(m.msg);
  }
  std::ostringstream o;
  o << m.pri << ',' << facilityName(m.facility) << ',' << severityName(m.severity) << ',' << bsdTime(m) << ','
    << (m.hostname.empty() ? std::string("~H") : std::string(m.hostname)) << ',' << escapeControls(m.appName) << ','
    << escapeControls(tag) << ',' << escapeControls(msg);
  return o.str();
}

std::filesystem::path corpusDir() {
  return std::filesystem::path(VIGIL_TEST_SOURCE_DIR) / ".." / "shared" / "corpora" / "rsyslog-parse1";
}

TEST(RsyslogParse1Corpus, EveryCaseMatchesOrIsAKnownDifference) {
  const auto dir = corpusDir();
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "corpus folder absent: " << dir;

  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".parse1") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u) << "expected the 23 .parse1 files in " << dir;

  ParseOptions opts;
  opts.receivedUs = 1'795'996'800'000'000;  // 2026-12-01T00:00:00Z; rsyslog's output has no year
  int cases = 0, matched = 0, known = 0;
  std::vector<bool> knownSeen(std::size(kKnownDifferences), false);
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      lines.push_back(line);
    }
    ASSERT_EQ(lines.size() % 2, 0u) << path << ": odd number of non-comment lines";
    const std::string file = path.filename().string();
    for (size_t k = 0; k + 1 < lines.size(); k += 2) {
      const int pair = static_cast<int>(k / 2) + 1;
      ++cases;
      const std::string raw = unescapeOctal(lines[k]);
      const std::string got = render(parseSyslog(raw, opts));
      const std::string& want = lines[k + 1];
      const KnownDifference* listed = nullptr;
      for (size_t d = 0; d < std::size(kKnownDifferences); ++d)
        if (kKnownDifferences[d].file == file && kKnownDifferences[d].pair == pair) {
          listed = &kKnownDifferences[d];
          knownSeen[d] = true;
        }
      if (got == want) {
        ++matched;
        EXPECT_EQ(listed, nullptr) << file << " #" << pair << " matches now: remove it from kKnownDifferences";
      } else if (listed != nullptr) {
        ++known;
      } else {
        ADD_FAILURE() << file << " #" << pair << "\n  input: " << raw << "\n  want:  " << want << "\n  got:   " << got;
      }
    }
  }
  for (size_t d = 0; d < std::size(kKnownDifferences); ++d)
    EXPECT_TRUE(knownSeen[d]) << "kKnownDifferences names a case that does not exist: " << kKnownDifferences[d].file
                              << " #" << kKnownDifferences[d].pair;
  std::cout << "rsyslog-parse1: " << cases << " cases, " << matched << " match, " << known << " known differences\n";
  RecordProperty("cases", cases);
  RecordProperty("matched", matched);
  RecordProperty("known_differences", known);
  EXPECT_GE(cases, 40);
}

}  // namespace
}  // namespace vigil::ingest
