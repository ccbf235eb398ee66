// `vigil webcheck URL...`: every web-portal check once on each URL (src/webmon/), findings printed
// as a table or JSON lines. The defacement signatures are applied to each page (no baseline in a
// one-shot run: only signature and replaced-page findings), and with --crawl N the site's own pages
// (sitemaps, links) are crawled up to N pages and analysed like the page check. Exit status: 0 no high-severity
// finding, 1 at least one, 2 bad usage (a malformed URL, the lexicon or end-of-life file unreadable).
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/commands.h"
#include "webmon/crawl.h"
#include "webmon/defacement.h"
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
  const fs::path dir = fs::path(catalogDirFor(config, exePath)) / "webmon";
  auto catalogs = webmon::loadCheckCatalogs(dir.string());
  if (!catalogs.ok()) {
    std::cerr << "vigil webcheck: " << catalogs.error().message << "\n";
    return 2;
  }
  auto defacement = webmon::DefacementSignatures::load((dir / "defacement.toml").string());
  if (!defacement.ok()) {
    std::cerr << "vigil webcheck: " << defacement.error().message << "\n";
    return 2;
  }
  if (options.crawlPages < 0 || options.crawlPages > 10000) {
    std::cerr << "vigil webcheck: --crawl must be between 0 and 10000 pages\n";
    return 2;
  }
  if (options.crawlDelayMs < 0 || options.crawlDelayMs > 60000) {
    std::cerr << "vigil webcheck: --crawl-delay must be between 0 and 60000 milliseconds\n";
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
  const auto sharedLexicon = catalogs->lexicon;
  const auto checks = webmon::defaultChecks(suite, sharedLexicon, catalogs->eol);
  bool high = false;
  if (!options.json)
    std::cout << std::left << std::setw(9) << "SEVERITY" << std::setw(10) << "CHECK" << std::setw(28) << "ID"
              << "SUMMARY\n";
  for (const auto& url : options.urls) {
    webmon::Target target;
    target.url = url;
    target.allowedDomains = options.allowedDomains;
    auto findings = webmon::runChecks(checks, target, suite.fetch);
    // Defacement signatures on the page as it is now (a page that cannot be fetched is already a
    // finding of the checks above).
    if (auto deface = webmon::checkDefacement(url, suite.fetch, *defacement, std::nullopt); deface.ok())
      for (auto& f : deface->findings) findings.push_back(std::move(f));
    if (options.crawlPages > 0) {
      webmon::CrawlOptions crawl;
      crawl.fetch = suite.fetch;
      crawl.maxPages = options.crawlPages;
      crawl.delayMs = options.crawlDelayMs;
      crawl.startFindings = false;  // the page check above already analysed the start page
      auto result = webmon::crawlSite(url, crawl, *sharedLexicon, options.allowedDomains);
      if (result.ok())
        for (auto& f : result->findings) findings.push_back(std::move(f));
    }
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
