// The normaliser against the shared corpora (../shared/corpora/):
// - wazuh-ruleset-tests: every labelled line of the programs we parse is recognised (its
//   event.dataset is one of the datasets of wazuh's decoder), and its key fields are extracted:
//   when the message carries an IP address, source.ip or destination.ip is one of its addresses;
//   a user.name set is a word of the line. Coverage per program is printed and must stay at or
//   above the floors in kWazuhFloors (set from what the catalog achieves, see there).
// - loghub OpenSSH/Linux/Apache 2k: every line keeps its raw text and message; for each template
//   that carries fields (a table below), the values loghub's template matching yields are the
//   ECS fields we extract (e.g. every "Failed password" line: user.name, source.ip, source.port).
// - rsyslog-parse1: the PRI, facility, severity, host and program of rsyslog's expectations are
//   the event's log.syslog.*, host.name and process.name.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "normalize/pattern.h"
#include "normalize_support.h"

namespace vigil::normalize {
namespace {

using testing::dump;
using testing::normalizeLine;

std::filesystem::path corpora() { return std::filesystem::path(VIGIL_TEST_SOURCE_DIR) / ".." / "shared" / "corpora"; }

// The JSON string value of "key" in a one-line JSON object (escapes decoded, \u to UTF-8).
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
    if (e == 'n') {
      out += '\n';
    } else if (e == 't') {
      out += '\t';
    } else if (e == 'u') {
      const auto cp = static_cast<unsigned>(std::stoul(line.substr(i + 1, 4), nullptr, 16));
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
    } else {
      out += e;
    }
  }
  return out;
}

// Every IP address written in `text` (IPv4 dotted quads, and IPv6 tokens with at least two ':').
std::set<std::string> addressesIn(std::string_view text) {
  std::set<std::string> out;
  auto ipChar = [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (size_t i = 0; i < text.size();) {
    if (!ipChar(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && ipChar(text[j])) ++j;
    std::string_view tok = text.substr(i, j - i);
    // "1.2.3.4:80" and "1.2.3.4:" -> try the longest valid prefix cut at ':'.
    for (size_t e = tok.size(); e > 0; --e) {
      if (e != tok.size() && tok[e] != ':') continue;
      if (isIpAddress(tok.substr(0, e)) &&
          (tok.substr(0, e).find('.') != std::string_view::npos ||
           std::count(tok.begin(), tok.begin() + static_cast<std::ptrdiff_t>(e), ':') >= 2)) {
        out.emplace(tok.substr(0, e));
        break;
      }
    }
    i = j;
  }
  return out;
}

// wazuh decoder -> the datasets that recognise its lines.
const std::map<std::string, std::set<std::string>, std::less<>> kDecoderDatasets = {
    {"sshd", {"sshd", "pam"}},
    {"sudo", {"sudo"}},
    {"su", {"su", "pam"}},
    {"pam", {"pam"}},
    {"kernel", {"iptables", "apparmor", "kernel.usb"}},
    {"auditd", {"auditd"}},
    {"web-accesslog", {"http.access"}},
    {"apache-errorlog", {"apache.error"}},
    {"nginx-errorlog", {"nginx.error"}},
    {"fortigate-firewall-v3", {"fortinet.firewall"}},
    {"fortigate-firewall-v4", {"fortinet.firewall"}},
    {"fortigate-firewall-v5", {"fortinet.firewall"}},
    {"fortigate-firewall-v6", {"fortinet.firewall"}},
    {"pf", {"pfsense.filterlog"}},
};

struct Coverage {
  int lines = 0, recognised = 0, withRule = 0, ipLines = 0, ipFound = 0, users = 0;
};

// Floors in percent (recognised, key IP found), set from the catalog's results of 2026-11-24
// (the printed figures are the current ones). Below 100, with the reason:
// - web-accesslog 38/39 recognised: "10.11.12.13 - - - [...]" has a fourth field before the
//   time that neither the common nor the combined format has.
// - auditd key IP 0/5: those five lines carry an address only inside an execve argument
//   (a3="exchangetest.com/administrator@192.168.0.57"), which is not a party of the event.
struct Floor {
  std::string_view decoder;
  int recognisedPct;
  int ipPct;
};
constexpr Floor kWazuhFloors[] = {
    {"sshd", 100, 100},
    {"sudo", 100, 100},
    {"su", 100, 100},
    {"pam", 100, 100},
    {"kernel", 100, 100},
    {"auditd", 100, 0},
    {"web-accesslog", 97, 97},
    {"apache-errorlog", 100, 100},
    {"nginx-errorlog", 100, 100},
    {"fortigate-firewall-v3", 100, 100},
    {"fortigate-firewall-v4", 100, 100},
    {"fortigate-firewall-v5", 100, 100},
    {"fortigate-firewall-v6", 100, 100},
    {"pf", 100, 100},
};

TEST(NormalizeCorpus, WazuhLabelledLinesAreRecognisedWithTheirKeyFields) {
  const auto path = corpora() / "wazuh-ruleset-tests" / "labelled_index.jsonl";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus absent: " << path;
  std::ifstream in(path, std::ios::binary);
  std::map<std::string, Coverage> cov;
  int misses = 0;
  for (std::string row; std::getline(in, row);) {
    const std::string log = jsonString(row, "log");
    const std::string decoder = jsonString(row, "decoder");
    const auto wanted = kDecoderDatasets.find(decoder);
    if (wanted == kDecoderDatasets.end()) continue;
    const Event e = normalizeLine(log);
    Coverage& c = cov[decoder];
    ++c.lines;
    EXPECT_EQ(e.raw(), log);
    EXPECT_TRUE(e.has("@timestamp") && e.has("message")) << log;
    const bool recognised = wanted->second.contains(std::string(e.getText("event.dataset")));
    c.recognised += recognised ? 1 : 0;
    c.withRule += e.has("vigil.rule") ? 1 : 0;
    if (!recognised && ++misses <= 20)
      std::cout << "  unrecognised (" << decoder << "): " << log.substr(0, 200) << "\n";
    // VIGIL_NORMALIZE_VERBOSE=1: also the lines no specific rule describes, to grow the catalog.
    if (recognised && !e.has("vigil.rule") && std::getenv("VIGIL_NORMALIZE_VERBOSE") != nullptr)
      std::cout << "  generic only (" << decoder << "): " << log.substr(0, 200) << "\n";
    // Key fields: the addresses of the line, except the header's host (the sender, not a party).
    std::set<std::string> ips = addressesIn(log);
    ips.erase(std::string(e.getText("host.name")));
    if (!ips.empty()) {
      ++c.ipLines;
      const std::string src(e.getText("source.ip")), dst(e.getText("destination.ip"));
      const bool found = ips.contains(src) || ips.contains(dst);
      c.ipFound += found ? 1 : 0;
      if (!src.empty()) {
        EXPECT_TRUE(ips.contains(src)) << "source.ip " << src << " is not in the line: " << log;
      }
      if (!found && recognised) std::cout << "  no key IP (" << decoder << "): " << log.substr(0, 200) << "\n";
    }
    if (std::getenv("VIGIL_NORMALIZE_VERBOSE") != nullptr && !e.has("user.name") &&
        (log.find("user") != std::string::npos || log.find("USER") != std::string::npos))
      std::cout << "  no user.name (" << decoder << "): " << log.substr(0, 200) << "\n";
    if (const std::string_view user = e.getText("user.name"); !user.empty()) {
      ++c.users;
      EXPECT_NE(log.find(user), std::string::npos) << "user.name " << user << " is not in the line: " << log;
    }
  }
  ASSERT_FALSE(cov.empty());
  for (const Floor& f : kWazuhFloors) {
    const Coverage& c = cov[std::string(f.decoder)];
    ASSERT_GT(c.lines, 0) << f.decoder << ": no labelled line";
    const int recPct = 100 * c.recognised / c.lines;
    const int ipPct = c.ipLines == 0 ? 100 : 100 * c.ipFound / c.ipLines;
    std::cout << "wazuh " << f.decoder << ": " << c.lines << " lines, recognised " << c.recognised << " (" << recPct
              << "%), by a specific rule " << c.withRule << ", key IP " << c.ipFound << "/" << c.ipLines << " ("
              << ipPct << "%), user.name " << c.users << "\n";
    EXPECT_GE(recPct, f.recognisedPct) << f.decoder;
    EXPECT_GE(ipPct, f.ipPct) << f.decoder;
  }
}

// ---- loghub -----------------------------------------------------------------------------------

std::vector<std::string> readLines(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(l);
  }
  return lines;
}

std::vector<std::string> csvFields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// The values of the <*> of loghub's template in `content` (each as short as possible), or
// nullopt when the template does not fit.
std::optional<std::vector<std::string>> templateParams(std::string_view tmpl, std::string_view content) {
  std::vector<std::string_view> pieces;
  for (size_t s = 0;;) {
    const size_t w = tmpl.find("<*>", s);
    pieces.push_back(tmpl.substr(s, w == std::string_view::npos ? std::string_view::npos : w - s));
    if (w == std::string_view::npos) break;
    s = w + 3;
  }
  if (!content.starts_with(pieces[0])) return std::nullopt;
  std::vector<std::string> params;
  size_t pos = pieces[0].size();
  for (size_t k = 1; k < pieces.size(); ++k) {
    const bool last = k + 1 == pieces.size();
    size_t at = last ? (pieces[k].empty() ? content.size() : content.rfind(pieces[k])) : content.find(pieces[k], pos);
    if (at == std::string_view::npos || at < pos) return std::nullopt;
    params.emplace_back(content.substr(pos, at - pos));
    pos = at + pieces[k].size();
  }
  return params;
}

// Template id -> ECS field of each <*> ("" = not a field we extract). A source.ip whose value is
// a host name (PAM's rhost may be one) is expected under the PAM map's pam.rhost instead.
using TemplateFields = std::map<std::string, std::vector<std::string>, std::less<>>;

const TemplateFields kOpenSshFields = {
    {"E1", {"user.name", "source.ip", "source.port"}},
    {"E2", {"source.ip"}},
    {"E3", {"source.ip"}},
    {"E6", {"source.ip", "vigil.ssh.disconnect_code"}},
    {"E7", {"source.ip", "vigil.ssh.disconnect_code"}},
    {"E8", {"user.name", "source.ip", "source.port"}},
    {"E9", {"user.name", "source.ip", "source.port"}},
    {"E10", {"user.name", "source.ip", "source.port"}},
    {"E12", {"user.name"}},
    {"E13", {"user.name", "source.ip"}},
    {"E14", {"", "source.ip", "source.port"}},
    {"E15", {"vigil.pam.failures", "vigil.pam.uid", "vigil.pam.euid", "source.ip"}},
    {"E16", {"vigil.pam.failures", "vigil.pam.uid", "vigil.pam.euid", "source.ip"}},
    {"E17", {"vigil.pam.failures", "vigil.pam.uid", "vigil.pam.euid", "source.ip"}},
    {"E19", {"vigil.pam.uid", "vigil.pam.euid", "source.ip"}},
    {"E20", {"vigil.pam.uid", "vigil.pam.euid", "source.ip", "user.name"}},
    {"E22", {"user.name"}},
    {"E23", {"user.name", ""}},
    {"E24", {"source.ip", "vigil.ssh.disconnect_code"}},
    {"E25", {"source.ip", "vigil.ssh.disconnect_code"}},
    {"E26", {"source.ip", "vigil.ssh.disconnect_code"}},
    {"E27", {"source.domain", "source.ip"}},
};

const TemplateFields kLinuxFields = {
    {"E16", {"source.ip"}},  {"E17", {"source.ip"}},      {"E18", {"source.ip"}},      {"E19", {"source.ip"}},
    {"E101", {"user.name"}}, {"E102", {"user.name", ""}}, {"E103", {"user.name", ""}},
};

struct LoghubResult {
  int lines = 0, withRule = 0, fieldsChecked = 0;
};

// Checks every line of <system>_2k.log: raw and message kept; the template's fields extracted.
LoghubResult checkLoghub(const std::string& system, const TemplateFields& fields, int contentCol, int eventCol,
                         int templateCol) {
  const auto dir = corpora() / "loghub" / system;
  const std::vector<std::string> lines = readLines(dir / (system + "_2k.log"));
  const std::vector<std::string> rows = readLines(dir / (system + "_2k.log_structured.csv"));
  EXPECT_EQ(lines.size(), 2000u);
  EXPECT_EQ(rows.size(), lines.size() + 1);
  LoghubResult r;
  int failures = 0;
  for (size_t i = 0; i < lines.size() && i + 1 < rows.size(); ++i) {
    const std::vector<std::string> f = csvFields(rows[i + 1]);
    const Event e = normalizeLine(lines[i]);
    ++r.lines;
    r.withRule += e.has("vigil.rule") ? 1 : 0;
    EXPECT_EQ(e.raw(), lines[i]);
    EXPECT_TRUE(e.has("@timestamp") && e.has("message")) << lines[i];
    const auto spec = fields.find(f[static_cast<size_t>(eventCol)]);
    if (spec == fields.end()) continue;
    const auto params = templateParams(f[static_cast<size_t>(templateCol)], f[static_cast<size_t>(contentCol)]);
    if (!params || params->size() != spec->second.size()) {
      ADD_FAILURE() << system << " line " << i + 1 << ": template does not fit its content";
      continue;
    }
    for (size_t k = 0; k < params->size(); ++k) {
      std::string field = spec->second[k];
      if (field.empty()) continue;
      std::string want = (*params)[k];
      // A blank in a pattern matches a run of blanks: "Invalid user  0101" (two spaces, a user
      // name that starts with a space) yields "0101". Loghub's port of "port <*>]" runs to "ssh2".
      while (!want.empty() && want.back() == ' ') want.pop_back();
      while (!want.empty() && want.front() == ' ') want.erase(0, 1);
      if (field.ends_with(".port")) want = want.substr(0, want.find(' '));
      if (field == "source.ip" && !isIpAddress(want)) field = "pam.rhost";
      if (field == "pam.rhost" && want.empty()) continue;  // "rhost=" with nothing
      ++r.fieldsChecked;
      const std::string got(e.getText(field));
      if (got != want && ++failures <= 10)
        ADD_FAILURE() << system << " line " << i + 1 << " (" << spec->first << "): " << field << " = '" << got
                      << "', want '" << want << "'\n"
                      << lines[i] << "\n"
                      << dump(e);
    }
  }
  EXPECT_EQ(failures, 0) << system;
  std::cout << "loghub " << system << ": " << r.lines << " lines kept, " << r.withRule << " matched by a rule, "
            << r.fieldsChecked << " template fields checked\n";
  return r;
}

TEST(NormalizeCorpus, LoghubOpenSshFieldsAreExtracted) {
  if (!std::filesystem::is_directory(corpora() / "loghub")) GTEST_SKIP() << "loghub absent";
  // LineId,Date,Day,Time,Component,Pid,Content,EventId,EventTemplate
  const LoghubResult r = checkLoghub("OpenSSH", kOpenSshFields, 6, 7, 8);
  // Every line of the sample is described by a rule (sshd or PAM).
  EXPECT_EQ(r.withRule, 2000);
  EXPECT_GE(r.fieldsChecked, 4000);
}

TEST(NormalizeCorpus, LoghubLinuxPamFieldsAreExtracted) {
  if (!std::filesystem::is_directory(corpora() / "loghub")) GTEST_SKIP() << "loghub absent";
  // LineId,Month,Date,Time,Level,Component,PID,Content,EventId,EventTemplate
  const LoghubResult r = checkLoghub("Linux", kLinuxFields, 7, 8, 9);
  EXPECT_GE(r.fieldsChecked, 500);
}

TEST(NormalizeCorpus, LoghubApacheErrorLinesAreParsed) {
  if (!std::filesystem::is_directory(corpora() / "loghub")) GTEST_SKIP() << "loghub absent";
  const auto dir = corpora() / "loghub" / "Apache";
  const std::vector<std::string> lines = readLines(dir / "Apache_2k.log");
  const std::vector<std::string> rows = readLines(dir / "Apache_2k.log_structured.csv");
  ASSERT_EQ(rows.size(), lines.size() + 1);
  int ok = 0, clients = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    // LineId,Time,Level,Content,EventId,EventTemplate
    const std::vector<std::string> f = csvFields(rows[i + 1]);
    const Event e = normalizeLine(lines[i]);
    const std::string content = f[3];
    std::string wantMessage = content;
    if (content.starts_with("[client ")) {
      const size_t close = content.find("] ");
      const std::string ip = content.substr(8, close - 8);
      EXPECT_EQ(e.getText("source.ip"), ip) << lines[i];
      ++clients;
      wantMessage = content.substr(close + 2);
    }
    const bool good = e.getText("event.dataset") == "apache.error" && e.getText("log.level") == f[2] &&
                      e.getText("message") == wantMessage && e.getText("vigil.time.inferred") == "zone";
    ok += good ? 1 : 0;
    if (!good) ADD_FAILURE() << "Apache line " << i + 1 << ": " << lines[i] << "\n" << dump(e);
    if (HasFailure()) break;
  }
  std::cout << "loghub Apache: " << lines.size() << " lines, " << ok << " with level, message and time, " << clients
            << " with the client address\n";
  EXPECT_EQ(ok, 2000);
}

// ---- rsyslog-parse1 ---------------------------------------------------------------------------

TEST(NormalizeCorpus, RsyslogParse1HeaderFieldsReachTheEvent) {
  const auto dir = corpora() / "rsyslog-parse1";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "corpus absent";
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".parse1") continue;
    std::vector<std::string> lines;
    std::ifstream in(entry.path(), std::ios::binary);
    for (std::string l; std::getline(in, l);)
      if (!l.empty() && l[0] != '#') lines.push_back(l);
    for (size_t k = 0; k + 1 < lines.size(); k += 2) {
      if (lines[k].find('\\') != std::string::npos) continue;  // octal escapes: see rsyslog_corpus_test.cpp
      // PRI,facility,severity,timestamp,hostname, then programname,tag,msg
      std::vector<std::string> want;
      size_t s = 0;
      for (int n = 0; n < 5; ++n) {
        const size_t c = lines[k + 1].find(',', s);
        want.push_back(lines[k + 1].substr(s, c - s));
        s = c + 1;
      }
      const Event e = normalizeLine(lines[k]);
      ++cases;
      const std::string where = entry.path().filename().string() + ": " + lines[k];
      const auto pri = e.get("log.syslog.priority");
      if (pri) {
        EXPECT_EQ(std::to_string(pri->number), want[0]) << where;
        EXPECT_EQ(e.getText("log.syslog.facility.name"), want[1]) << where;
        EXPECT_EQ(e.getText("log.syslog.severity.name"), want[2]) << where;
      } else {
        EXPECT_EQ(want[0], "13") << "no PRI: rsyslog's default user.notice; " << where;
      }
      if (want[4] != "~H" && !want[4].empty()) {
        EXPECT_EQ(e.getText("host.name"), want[4]) << where;
      }
      // The program name may itself hold commas: compare it with what follows the host field.
      const std::string afterHost = lines[k + 1].substr(s);  // "programname,tag,msg"
      if (!afterHost.starts_with(",")) {
        const std::string program(e.getText("process.name"));
        EXPECT_TRUE(afterHost.starts_with(program + ",") || afterHost.starts_with(program + "(")) << where;
      }
      EXPECT_EQ(e.raw(), lines[k]);
    }
  }
  std::cout << "rsyslog-parse1: " << cases << " cases through the normaliser\n";
  EXPECT_GE(cases, 30);
}

}  // namespace
}  // namespace vigil::normalize
