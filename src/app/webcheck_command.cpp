// `vigil webcheck URL...`: every web-portal check once on each URL (src/webmon/), findings printed
// as a table or JSON lines. Exit status: 0 no high-severity finding, 1 at least one, 2 bad usage
// (a malformed URL, the lexicon or end-of-life file unreadable).
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/commands.h"
#include "webmon/suite.h"

namespace vigil::app {

namespace {

std::string todayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string oneLine(std::string s, size_t max) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

}  // namespace

int webcheck(const Config& config, const std::string& exePath, const WebcheckOptions& options) {
  namespace fs = std::filesystem;
  const fs::path catalogs = fs::path(catalogDirFor(config, exePath)) / "webmon";
  auto lexicon = webmon::Lexicon::load((catalogs / "lexicon.toml").string());
  if (!lexicon.ok()) {
    std::cerr << "vigil webcheck: " << lexicon.error().message << "\n";
    return 2;
  }
  auto eol = webmon::EolData::load((catalogs / "eol.toml").string());
  if (!eol.ok()) {
    std::cerr << "vigil webcheck: " << eol.error().message << "\n";
    return 2;
  }
  for (const auto& url : options.urls) {
    auto parts = webmon::parseUrl(url);
    if (!parts.ok()) {
      std::cerr << "vigil webcheck: " << parts.error().message << "\n";
      return 2;
    }
  }
  webmon::globalInit();
  webmon::SuiteOptions suite;
  suite.fetch.allowPrivate = options.allowPrivate;
  suite.fetch.caFile = options.caFile;
  if (options.timeoutSeconds < 1 || options.timeoutSeconds > 600) {
    std::cerr << "vigil webcheck: --timeout must be between 1 and 600 seconds\n";
    return 2;
  }
  suite.fetch.timeoutMs = options.timeoutSeconds * 1000L;
  suite.fetch.userAgent = webmon::vigilUserAgent(options.contact);
  suite.today = todayUtc();
  const auto checks = webmon::defaultChecks(suite, std::make_shared<const webmon::Lexicon>(std::move(*lexicon)),
                                            std::make_shared<const webmon::EolData>(std::move(*eol)));
  bool high = false;
  if (!options.json)
    std::cout << std::left << std::setw(9) << "SEVERITY" << std::setw(10) << "CHECK" << std::setw(28) << "ID"
              << "SUMMARY\n";
  for (const auto& url : options.urls) {
    webmon::Target target;
    target.url = url;
    target.allowedDomains = options.allowedDomains;
    const auto findings = webmon::runChecks(checks, target, suite.fetch);
    high = high || webmon::hasHighSeverity(findings);
    for (const auto& f : findings) {
      if (options.json) {
        std::cout << webmon::toJsonLine(f) << "\n";
      } else {
        std::cout << std::left << std::setw(9) << webmon::severityName(f.severity) << std::setw(10) << f.check
                  << std::setw(28) << f.id << oneLine(f.summary, 160) << "\n";
      }
    }
    if (!options.json) std::cout << "-- " << url << ": " << findings.size() << " finding(s)\n";
  }
  std::cout.flush();
  return high ? 1 : 0;
}

}  // namespace vigil::app
