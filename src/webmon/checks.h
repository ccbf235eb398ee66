// The checks other than TLS (tls.h), each a Check the scheduler can call per portal:
//   HeadersCheck   security headers and cookies scored with the MDN HTTP Observatory's rules
//                  (../shared/research/web-monitor-anchors.md §2.3), CSP parsed, HTTP->HTTPS
//                  redirect, scripts over http / without SRI.
//   PageCheck      the page's hidden content, spam terms in context, outbound domains, suspicious
//                  scripts, meta refresh (page.h).
//   CloakingCheck  the page fetched four ways (browser; browser + Google referrer; Googlebot;
//                  browser + Cốc Cốc referrer) and compared: final URL, title, meta, visible-text
//                  similarity, outbound domains, spam terms seen only by some views.
//   ExposureCheck  a fixed small list of passive probes (VCS folders, .env, backups, phpinfo,
//                  server-status, directory listing, admin panels) with strict matchers and a
//                  soft-404 baseline, and server/CMS version fingerprints against end-of-life data
//                  (catalogs/webmon/eol.toml).
// All are immutable after construction and thread-safe; a Lexicon or EolData they hold is shared
// read-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "webmon/fetcher.h"
#include "webmon/finding.h"
#include "webmon/lexicon.h"

namespace vigil::webmon {

// One HTTP Observatory modifier applied: test name, points, what was seen.
struct ScoreItem {
  std::string test;
  int points = 0;
  std::string detail;
};

struct HeaderReport {
  int score = 100;
  std::string grade;
  std::vector<ScoreItem> items;
};

// Parsed Content-Security-Policy: directive -> sources (lower-case).
using Csp = std::vector<std::pair<std::string, std::vector<std::string>>>;
Csp parseCsp(std::string_view header);

// Scores a final response (`httpEntry`: the response to the plain-HTTP URL without following
// redirects, or nullptr when nothing answers on HTTP).
HeaderReport scoreHeaders(const FetchResult& response, const FetchResult* httpEntry, const std::string& url);
std::vector<Finding> headerFindings(const HeaderReport& report, const std::string& url);

class HeadersCheck : public Check {
 public:
  explicit HeadersCheck(FetchOptions fetch) : fetch_(std::move(fetch)) {}
  std::string_view name() const override { return "headers"; }
  Result<std::vector<Finding>> run(const Target& target) const override;
  Result<HeaderReport> score(const Target& target) const;

 private:
  FetchOptions fetch_;
};

class PageCheck : public Check {
 public:
  PageCheck(FetchOptions fetch, std::shared_ptr<const Lexicon> lexicon)
      : fetch_(std::move(fetch)), lexicon_(std::move(lexicon)) {}
  std::string_view name() const override { return "page"; }
  Result<std::vector<Finding>> run(const Target& target) const override;

 private:
  FetchOptions fetch_;
  std::shared_ptr<const Lexicon> lexicon_;
};

// The four views. Referrers: a Google search and a Cốc Cốc search for the page's host.
struct View {
  std::string name;  // "browser", "google_referrer", "googlebot", "coccoc_referrer"
  FetchResult response;
};

class CloakingCheck : public Check {
 public:
  CloakingCheck(FetchOptions fetch, std::shared_ptr<const Lexicon> lexicon, double minSimilarity = 0.7)
      : fetch_(std::move(fetch)), lexicon_(std::move(lexicon)), minSimilarity_(minSimilarity) {}
  std::string_view name() const override { return "cloaking"; }
  Result<std::vector<Finding>> run(const Target& target) const override;
  std::vector<View> fetchViews(const std::string& url) const;

 private:
  FetchOptions fetch_;
  std::shared_ptr<const Lexicon> lexicon_;
  double minSimilarity_;
};

// End-of-life data: product -> (release cycle, end-of-life date).
struct EolCycle {
  std::string cycle;  // "7.4", "1.22"
  std::string eol;    // YYYY-MM-DD
};
struct EolData {
  std::vector<std::pair<std::string, std::vector<EolCycle>>> products;
  static Result<EolData> load(const std::string& path);
  static Result<EolData> parse(std::string_view toml, const std::string& origin);
  // The cycle of `version` for `product` and its end-of-life date, or nullptr.
  const EolCycle* find(std::string_view product, std::string_view version) const;
};

class ExposureCheck : public Check {
 public:
  ExposureCheck(FetchOptions fetch, std::shared_ptr<const EolData> eol, std::string today)
      : fetch_(std::move(fetch)), eol_(std::move(eol)), today_(std::move(today)) {}
  std::string_view name() const override { return "exposure"; }
  Result<std::vector<Finding>> run(const Target& target) const override;

 private:
  FetchOptions fetch_;
  std::shared_ptr<const EolData> eol_;
  std::string today_;  // YYYY-MM-DD, injected for tests
};

// A finding of check "fetch" for a failed request (unreachable, refused, timeout, redirects...).
Finding fetchFailure(const FetchResult& r, const std::string& url);
// The charset parameter of a Content-Type value, lower-case (may be empty).
std::string contentTypeCharset(std::string_view contentType);

}  // namespace vigil::webmon
