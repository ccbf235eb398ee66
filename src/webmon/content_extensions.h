// The content class's extensions (runner.h ContentExtension), wiring defacement.h and crawl.h
// into the scheduled monitor:
//   DefacementExtension  checkDefacement() on the home page and every key page, with the baseline
//                        of each page read from the previous facts ("deface.baseline:<url>") and
//                        the updated baseline written back as the same fact (a page that looks
//                        defaced keeps the old baseline, so the alert stays; so does a page the
//                        page or cloaking checks flag at medium or worse in the same run: an
//                        injected page must not become the baseline, or its clean-up would read
//                        as a structure change). A page that cannot
//                        be fetched or an unreadable baseline: a low "defacement/error" finding
//                        naming the page, and the stored baseline is kept.
//   CrawlExtension       crawlSite() from the home page (sitemaps, then same-origin links, within
//                        CrawlOptions' bounds); its page findings are added, except that one the
//                        page checks already reported (same check, id, url) only gets the crawl's
//                        extra evidence (the other pages it is on). With the
//                        scheduler's per-host gate in the fetch options the crawl's own delay is
//                        dropped: the gate already spaces every request to the host.
// Facts: "content.deface.max_score" (the highest change score of the pages, 0-1),
// "content.crawl.pages", "content.crawl.stop". Both are thread-safe (immutable after construction).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "webmon/crawl.h"
#include "webmon/defacement.h"
#include "webmon/runner.h"

namespace vigil::webmon {

class DefacementExtension : public ContentExtension {
 public:
  explicit DefacementExtension(std::shared_ptr<const DefacementSignatures> signatures, DefacementOptions options = {})
      : signatures_(std::move(signatures)), options_(options) {}
  void extend(const PortalSpec& portal, const Facts& previous, const FetchOptions& fetch,
              PortalRun& run) const override;

 private:
  std::shared_ptr<const DefacementSignatures> signatures_;
  DefacementOptions options_;
};

class CrawlExtension : public ContentExtension {
 public:
  CrawlExtension(std::shared_ptr<const Lexicon> lexicon, CrawlOptions options)
      : lexicon_(std::move(lexicon)), options_(std::move(options)) {}
  void extend(const PortalSpec& portal, const Facts& previous, const FetchOptions& fetch,
              PortalRun& run) const override;

 private:
  std::shared_ptr<const Lexicon> lexicon_;
  CrawlOptions options_;
};

// Both extensions with the signatures of `<catalogDir>/defacement.toml` and the default crawl
// bounds (50 pages, depth 3). Errors: the catalog cannot be read (the error names the file).
Result<std::vector<std::shared_ptr<const ContentExtension>>> standardContentExtensions(
    const std::string& catalogDir, std::shared_ptr<const Lexicon> lexicon);

}  // namespace vigil::webmon
