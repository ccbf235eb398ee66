// Data-driven: the labelled lines of the wazuh ruleset tests
// (../shared/corpora/wazuh-ruleset-tests/labelled_index.jsonl, 2,055 lines of syslog, JSON and
// vendor formats). Every line parses to a message that keeps its raw text; for the decoders that
// key on the syslog program (sshd, sudo, su, named, dovecot), the program we read from the BSD
// header is that decoder's program.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

#include "ingest/syslog.h"

namespace vigil::ingest {
namespace {

// The JSON string value of "key" in a one-line JSON object (escapes decoded; \u to UTF-8).
std::string jsonString(const std::string& line, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\": \"";
  size_t i = line.find(needle);
  if (i == std::string::npos) return {};
  i += needle.size();
  std::string out;
  for (; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] != '\\' || i + 1 >= line.size()) {
      out += line[i];
      continue;
    }
    const char e = line[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'u': {
        const unsigned cp = static_cast<unsigned>(std::stoul(line.substr(i + 1, 4), nullptr, 16));
        i += 4;
        if (cp < 0x80) {
          out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          out += static_cast<char>(0xC0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        break;
      }
      default: out += e;
    }
  }
  return out;
}

TEST(WazuhCorpus, LabelledLinesParseAndProgramsAreRecognised) {
  const auto path = std::filesystem::path(VIGIL_TEST_SOURCE_DIR) / ".." / "shared" / "corpora" / "wazuh-ruleset-tests" /
                    "labelled_index.jsonl";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus absent: " << path;
  const std::set<std::string, std::less<>> programDecoders = {"sshd", "sudo", "su", "named", "dovecot"};
  std::ifstream in(path, std::ios::binary);
  int lines = 0, bsd = 0, programChecked = 0;
  for (std::string row; std::getline(in, row);) {
    const std::string log = jsonString(row, "log");
    const std::string decoder = jsonString(row, "decoder");
    ASSERT_FALSE(log.empty()) << row;
    ++lines;
    const SyslogMessage m = parseSyslog(log);
    EXPECT_EQ(m.raw, log);
    EXPECT_EQ(m.content.data() + m.content.size(), log.data() + log.size()) << "content runs to the end: " << log;
    if (m.format == SyslogFormat::kRfc3164 && m.hasTimestamp) ++bsd;
    if (programDecoders.contains(decoder) && m.hasTimestamp) {
      ++programChecked;
      // "su(pam_unix)": the PAM module in parentheses belongs to the program name as sent.
      const bool same = m.appName == decoder || m.appName.starts_with(decoder + "(");
      if (log.starts_with("Aug 29 15:33:13 ns3 name[464]:")) {
        // Known difference: the line says "name", and wazuh's named decoder also takes that prefix.
        EXPECT_EQ(m.appName, "name");
      } else {
        EXPECT_TRUE(same) << decoder << " != " << m.appName << ": " << log;
      }
    }
  }
  std::cout << "wazuh-ruleset-tests: " << lines << " lines, " << bsd << " with a syslog timestamp, " << programChecked
            << " program names checked\n";
  EXPECT_EQ(lines, 2055);
  EXPECT_GE(bsd, 700);
  EXPECT_EQ(programChecked, 101) << "sshd 73, sudo 8, su 5, named 5, dovecot 10";
}

}  // namespace
}  // namespace vigil::ingest
