#include "webmon/content_extensions.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "webmon/availability.h"

namespace vigil::webmon {

namespace {

std::vector<std::string> portalPages(const PortalSpec& portal) {
  std::vector<std::string> pages{portal.url};
  for (const auto& k : portal.keyPages)
    if (std::find(pages.begin(), pages.end(), k) == pages.end()) pages.push_back(k);
  return pages;
}

bool cancelled(const FetchOptions& fetch) { return fetch.cancel && fetch.cancel->load(); }

void upsert(Facts& facts, const std::string& key, std::string value) {
  for (auto& [k, v] : facts)
    if (k == key) {
      v = std::move(value);
      return;
    }
  facts.emplace_back(key, std::move(value));
}

}  // namespace

void DefacementExtension::extend(const PortalSpec& portal, const Facts& previous, const FetchOptions& fetch,
                                 PortalRun& run) const {
  double maxScore = 0;
  for (const auto& page : portalPages(portal)) {
    const std::string key = defacementFactKey(page);
    const std::string stored = factValue(previous, key);
    const std::optional<std::string> baseline = stored.empty() ? std::nullopt : std::optional<std::string>(stored);
    FetchOptions f = fetch;
    f.verifyTls = false;  // the content is judged whatever the certificate
    auto result = checkDefacement(page, f, *signatures_, baseline, options_);
    if (cancelled(fetch)) return;
    if (!result.ok()) {
      run.findings.push_back(Finding{
          "defacement", "error", Severity::kLow, page, "defacement check not done: " + result.error().message, {}});
      if (baseline) upsert(run.facts, key, *baseline);
      continue;
    }
    // Whether the page or cloaking checks flagged this page (spam injection, cloaking) in this
    // run: such a sample is not learned.
    const bool injected = std::any_of(run.findings.begin(), run.findings.end(), [&](const Finding& x) {
      return (x.check == "page" || x.check == "cloaking") && x.url == page && x.severity >= Severity::kMedium;
    });
    for (auto& x : result->findings) run.findings.push_back(std::move(x));
    maxScore = std::max(maxScore, result->score);
    if (!result->baseline.empty() && !injected)
      upsert(run.facts, key, result->baseline);
    else if (baseline)
      upsert(run.facts, key, *baseline);
  }
  char score[16];
  std::snprintf(score, sizeof score, "%.2f", maxScore);
  upsert(run.facts, "content.deface.max_score", score);
}

void CrawlExtension::extend(const PortalSpec& portal, const Facts&, const FetchOptions& fetch, PortalRun& run) const {
  CrawlOptions c = options_;
  c.fetch = fetch;
  c.fetch.verifyTls = false;
  if (fetch.beforeRequest) c.delayMs = 0;  // the per-host gate spaces the requests
  // The home page's findings are kept in the crawl so that a site-wide injection is grouped under
  // the home page (the page check's finding there then gets the list of the other pages).
  c.startFindings = true;
  auto result = crawlSite(portal.url, c, *lexicon_, portal.allowedDomains);
  if (cancelled(fetch)) return;
  if (!result.ok()) {
    run.findings.push_back(
        Finding{"crawl", "error", Severity::kLow, portal.url, "crawl not done: " + result.error().message, {}});
    return;
  }
  // A finding the page checks already gave (same check, id and page) is not repeated, but what the
  // crawl adds to it (the other pages it is on: "also_on_pages", "also_on") is added to it.
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < run.findings.size(); ++i)
    seen.emplace(run.findings[i].check + "/" + run.findings[i].id + "/" + run.findings[i].url, i);
  for (auto& f : result->findings) {
    const auto [it, added] = seen.emplace(f.check + "/" + f.id + "/" + f.url, run.findings.size());
    if (added) {
      run.findings.push_back(std::move(f));
      continue;
    }
    Finding& existing = run.findings[it->second];
    for (auto& [k, v] : f.evidence) {
      const bool has =
          std::any_of(existing.evidence.begin(), existing.evidence.end(), [&](const auto& e) { return e.first == k; });
      if (!has) existing.evidence.emplace_back(k, std::move(v));
    }
  }
  upsert(run.facts, "content.crawl.pages", std::to_string(result->pages.size()));
  upsert(run.facts, "content.crawl.stop", result->stopReason);
}

Result<std::vector<std::shared_ptr<const ContentExtension>>> standardContentExtensions(
    const std::string& catalogDir, std::shared_ptr<const Lexicon> lexicon) {
  if (!lexicon) return Error::validation("lexicon", "the crawl needs the lexicon (lexicon.toml)");
  VIGIL_ASSIGN_OR_RETURN(auto signatures, DefacementSignatures::load(catalogDir + "/defacement.toml"));
  std::vector<std::shared_ptr<const ContentExtension>> out;
  out.push_back(
      std::make_shared<const DefacementExtension>(std::make_shared<const DefacementSignatures>(std::move(signatures))));
  out.push_back(std::make_shared<const CrawlExtension>(std::move(lexicon), CrawlOptions{}));
  return out;
}

}  // namespace vigil::webmon
