// Sitemaps and a bounded crawl of a portal's own pages, because injected spam pages live below the
// home page (issue 7, "SEO spam and cloaking").
//
// Robots: robots.txt is read only for its "Sitemap:" lines; its Disallow rules are NOT obeyed. The
// crawl runs for the portal's owner (the agency), injected spam directories are often disallowed
// precisely so that only the attacker's chosen pages are indexed, and an attacker who can write
// robots.txt could otherwise blind the monitor. The crawl stays polite instead: same origin only,
// one request at a time with a delay between requests (1 s by default: the issue's "at most one
// request per second per host"), hard bounds on pages, depth, bytes and time.
//
// Sitemaps (sitemaps.org 0.9): <urlset> and <sitemapindex>, gzip'd or not (recognised by the gzip
// magic bytes, whatever the name or Content-Type), read with pugixml: the DOCTYPE is skipped and
// only the five predefined entities and character references are expanded, so entity expansion
// ("billion laughs", external entities) cannot happen. Decompressed size, URLs per sitemap and
// sitemaps per crawl are bounded; a child sitemap is followed only on the same origin.
// Crawl order: the start page (depth 0), then breadth first; sitemap pages enter at depth 1, the
// newest <lastmod> first (injected pages are recent). Links followed: <a>/<area> on the same
// origin ("www." ignored), fragment removed, not obviously a file (.pdf, images, archives...).
// Thread-safe (no shared state); crawlSite() blocks for at most CrawlOptions::maxSeconds plus one
// request timeout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "webmon/fetcher.h"
#include "webmon/finding.h"
#include "webmon/lexicon.h"

namespace vigil::webmon {

struct SitemapEntry {
  std::string loc;      // as written (trimmed)
  std::string lastmod;  // as written, may be empty
};

struct Sitemap {
  bool index = false;                 // <sitemapindex>: entries are child sitemaps
  std::vector<SitemapEntry> entries;  // at most `maxEntries`
  size_t dropped = 0;                 // entries beyond `maxEntries`
};

// Parses a sitemap or sitemap index (already decompressed). `origin` names it in errors: broken
// XML gives "<origin>: XML error at byte N: ...", another root element an error naming it.
Result<Sitemap> parseSitemap(std::string_view xml, const std::string& origin, size_t maxEntries = 50000);

// Decompresses gzip data, failing when the result would exceed `maxBytes` (a "zip bomb") or the
// data is corrupt; `origin` names the data in errors.
Result<std::string> gunzipBounded(std::string_view data, size_t maxBytes, const std::string& origin);

// True when `data` starts with the gzip magic bytes.
bool isGzip(std::string_view data);

struct CrawlOptions {
  FetchOptions fetch;                         // per request (User-Agent, guard, timeout, body cap)
  int maxPages = 50;                          // HTML pages fetched, the start page included
  int maxDepth = 3;                           // link hops from the start page (sitemap pages are depth 1)
  size_t maxTotalBytes = 30 * 1024 * 1024;    // bodies of pages and sitemaps together
  long maxSeconds = 300;                      // wall time of the whole crawl
  long delayMs = 1000;                        // pause between two requests to the site
  bool useSitemaps = true;                    // robots.txt Sitemap: lines, else /sitemap.xml
  int maxSitemaps = 10;                       // sitemap files fetched (index children included)
  size_t maxSitemapBytes = 10 * 1024 * 1024;  // one sitemap, decompressed
  size_t maxSitemapUrls = 50000;              // entries read per sitemap (the protocol's own limit)
  bool startFindings = true;                  // include the start page's page findings (false when the caller
                                              // already ran the page check on it)
};

struct CrawledPage {
  std::string url;  // the final URL
  int depth = 0;
  long status = 0;
  size_t bytes = 0;
  std::string via;  // "start", "sitemap <url>", "link from <url>"
  size_t findings = 0;
};

struct CrawlResult {
  std::vector<CrawledPage> pages;  // pages fetched, in crawl order
  // pageFindings() of every HTML page (check "page", url = the page; the same finding on several
  // pages is kept once, with evidence "also_on_pages" and "also_on"), plus check "crawl" for
  // sitemap problems and bounds reached.
  std::vector<Finding> findings;
  std::vector<std::string> sitemaps;  // sitemap URLs read
  std::string stopReason;             // "done", "page limit", "byte limit", "time limit"
};

// Crawls the site of `startUrl`. Only a malformed start URL is an error; everything else (an
// unreachable page, a broken sitemap, a bound reached) is a finding or a note in the result.
Result<CrawlResult> crawlSite(const std::string& startUrl, const CrawlOptions& options, const Lexicon& lexicon,
                              const std::vector<std::string>& allowedDomains);

}  // namespace vigil::webmon
