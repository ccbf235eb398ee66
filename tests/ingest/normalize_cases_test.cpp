// Data-driven: every file in tests/ingest/cases/ is a list of cases, each a raw line and the ECS
// fields the normaliser must produce from it (format: tests/ingest/cases/README.md):
//
//   > Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2
//   user.name = fztu
//   source.ip = 119.137.62.142
//   !event.reason
//
// Lines are parsed with the receive/reference time 2026-11-24T03:00:00Z and the default zone
// (UTC+7); times are written in UTC.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "normalize_support.h"

namespace vigil::normalize {
namespace {

using testing::dump;
using testing::normalizeLine;
using testing::render;

struct Expectation {
  std::string field;
  std::string value;
  bool absent = false;
};

struct Case {
  std::string file;
  int line = 0;
  std::string raw;
  std::vector<Expectation> expect;
};

std::vector<Case> loadCases() {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(VIGIL_NORMALIZE_CASES_DIR))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    int n = 0;
    for (std::string l; std::getline(in, l);) {
      ++n;
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (l.empty() || l[0] == '#') continue;
      if (l.starts_with("> ")) {
        cases.push_back({p.filename().string(), n, l.substr(2), {}});
        continue;
      }
      if (cases.empty() || cases.back().file != p.filename().string()) {
        ADD_FAILURE() << p << ":" << n << ": an expectation before the first '> line'";
        continue;
      }
      if (l[0] == '!') {
        cases.back().expect.push_back({l.substr(1), "", true});
        continue;
      }
      const size_t eq = l.find(" = ");
      if (eq == std::string::npos) {
        ADD_FAILURE() << p << ":" << n << ": expected 'field = value', '!field' or '> raw line': " << l;
        continue;
      }
      cases.back().expect.push_back({l.substr(0, eq), l.substr(eq + 3), false});
    }
  }
  return cases;
}

TEST(NormalizeCases, EveryCaseFileHolds) {
  const std::vector<Case> cases = loadCases();
  ASSERT_GE(cases.size(), 80u) << "the case files went missing";
  std::map<std::string, int> perFile;
  for (const Case& c : cases) {
    ++perFile[c.file];
    EXPECT_FALSE(c.expect.empty()) << c.file << ":" << c.line << ": a case without expectations";
    const Event e = normalizeLine(c.raw);
    EXPECT_EQ(e.raw(), c.raw);
    for (const Expectation& x : c.expect) {
      const auto v = e.get(x.field);
      if (x.absent) {
        EXPECT_FALSE(v.has_value()) << c.file << ":" << c.line << ": " << x.field << " should be absent, is "
                                    << render(*v) << "\n"
                                    << c.raw << "\n"
                                    << dump(e);
      } else if (!v) {
        ADD_FAILURE() << c.file << ":" << c.line << ": " << x.field << " missing (want '" << x.value << "')\n"
                      << c.raw << "\n"
                      << dump(e);
      } else {
        EXPECT_EQ(render(*v), x.value) << c.file << ":" << c.line << ": " << x.field << "\n"
                                       << c.raw << "\n"
                                       << dump(e);
      }
    }
  }
  for (const auto& [file, n] : perFile) std::cout << "cases/" << file << ": " << n << " cases\n";
}

}  // namespace
}  // namespace vigil::normalize
