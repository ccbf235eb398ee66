// PageCheck and CloakingCheck (checks.h).
#include <algorithm>
#include <set>

#include "core/text.h"
#include "webmon/checks.h"
#include "webmon/page.h"

namespace vigil::webmon {

namespace {

constexpr size_t kMaxStylesheets = 5;

FetchOptions pageOptions(const FetchOptions& base) {
  FetchOptions f = base;
  f.verifyTls = false;  // the content is judged whatever the certificate; the TLS check judges trust
  return f;
}

// Spam terms a view shows in context-free places an officer would see or a search engine indexes:
// title, meta, visible text, link texts and link addresses.
std::set<std::string> viewTerms(const PageFacts& p, const Lexicon& lex) {
  std::set<std::string> out;
  auto add = [&](const std::vector<LexiconHit>& hits) {
    for (const auto& h : hits) out.insert(h.term);
  };
  add(lex.find(p.title));
  for (const auto& [k, v] : p.meta) add(lex.find(v));
  add(lex.find(p.visibleText));
  for (const auto& l : p.links) {
    add(lex.find(l.text));
    if (l.external) add(lex.findInUrl(l.host));
  }
  for (const auto& h : p.hidden) add(lex.find(h.text));
  return out;
}

std::string joinSet(const std::set<std::string>& s, size_t max = 10) {
  std::string out;
  size_t n = 0;
  for (const auto& x : s) {
    if (n++ == max) {
      out += ", ...";
      break;
    }
    out += (out.empty() ? "" : ", ") + x;
  }
  return out;
}

}  // namespace

Result<std::vector<Finding>> PageCheck::run(const Target& target) const {
  VIGIL_ASSIGN_OR_RETURN(auto parts, parseUrl(target.url));
  (void)parts;
  const FetchResult r = fetch(target.url, pageOptions(fetch_));
  if (!r.ok()) return std::vector<Finding>{fetchFailure(r, target.url)};
  std::vector<Finding> out;
  if (r.truncated)
    out.push_back(Finding{
        "page",
        "body_truncated",
        Severity::kLow,
        target.url,
        "the page is larger than " + std::to_string(fetch_.maxBodyBytes) + " bytes; only the start was analysed",
        {{"bytes_read", std::to_string(r.body.size())}}});
  if (r.chain.size() > 1) {
    auto first = parseUrl(target.url);
    auto last = parseUrl(r.finalUrl);
    if (first.ok() && last.ok() && !sameSite(last->host, first->host)) {
      std::string chain;
      for (const auto& h : r.chain) chain += (chain.empty() ? "" : " -> ") + h.url;
      out.push_back(Finding{"page",
                            "redirect_other_site",
                            Severity::kMedium,
                            target.url,
                            "the page redirects to another site: " + last->host,
                            {{"chain", chain}}});
    }
  }
  PageFacts facts = analyzePage(r.body, r.finalUrl);
  // Linked stylesheets can hide injected content too: at most kMaxStylesheets of them, each
  // bounded like a page, are fetched (same guard) and the page analysed again with them.
  const auto sheets = stylesheetUrls(facts);
  if (!sheets.empty()) {
    std::string css;
    FetchOptions f = pageOptions(fetch_);
    f.maxBodyBytes = 512 * 1024;
    for (size_t i = 0; i < sheets.size() && i < kMaxStylesheets; ++i) {
      const FetchResult sheet = fetch(sheets[i], f);
      if (sheet.ok() && sheet.status == 200) css += sheet.body + "\n";
    }
    if (!css.empty()) facts = analyzePage(r.body, r.finalUrl, css);
  }
  for (auto& f :
       pageFindings(facts, target.url, *lexicon_, target.allowedDomains, contentTypeCharset(r.header("content-type"))))
    out.push_back(std::move(f));
  return out;
}

std::vector<View> CloakingCheck::fetchViews(const std::string& url) const {
  const auto parts = parseUrl(url);
  const std::string host = parts.ok() ? parts->host : "";
  std::vector<View> views;
  auto view = [&](std::string name, const char* ua, std::string referer) {
    FetchOptions f = pageOptions(fetch_);
    f.userAgent = ua;
    f.referer = std::move(referer);
    views.push_back(View{std::move(name), fetch(url, f)});
  };
  view("browser", kBrowserUserAgent, "");
  view("google_referrer", kBrowserUserAgent, "https://www.google.com/search?q=" + host);
  view("googlebot", kGooglebotUserAgent, "");
  view("coccoc_referrer", kBrowserUserAgent, "https://coccoc.com/search?query=" + host);
  return views;
}

Result<std::vector<Finding>> CloakingCheck::run(const Target& target) const {
  VIGIL_ASSIGN_OR_RETURN(auto parts, parseUrl(target.url));
  (void)parts;
  const auto views = fetchViews(target.url);
  std::vector<Finding> out;
  const View& base = views.front();
  if (!base.response.ok()) return std::vector<Finding>{fetchFailure(base.response, target.url)};
  const PageFacts baseFacts = analyzePage(base.response.body, base.response.finalUrl);
  const auto baseTerms = viewTerms(baseFacts, *lexicon_);
  const auto baseHost = parseUrl(base.response.finalUrl);
  for (size_t i = 1; i < views.size(); ++i) {
    const View& v = views[i];
    auto add = [&](std::string id, Severity s, std::string summary) -> Finding& {
      out.push_back(Finding{"cloaking", std::move(id), s, target.url, v.name + ": " + std::move(summary), {}});
      out.back().with("view", v.name);
      return out.back();
    };
    if (!v.response.ok()) {
      add("view_failed", Severity::kMedium, "this view fails while the browser view works: " + v.response.errorMessage);
      continue;
    }
    if (v.response.finalUrl != base.response.finalUrl) {
      const auto host = parseUrl(v.response.finalUrl);
      const bool otherSite = host.ok() && baseHost.ok() && !sameSite(host->host, baseHost->host);
      std::string chain;
      for (const auto& h : v.response.chain) chain += (chain.empty() ? "" : " -> ") + h.url;
      add(otherSite ? "redirect_other_site" : "final_url_differs", otherSite ? Severity::kHigh : Severity::kMedium,
          "ends on " + v.response.finalUrl + " instead of " + base.response.finalUrl)
          .with("chain", chain)
          .with("browser_final_url", base.response.finalUrl);
    }
    if (v.response.status != base.response.status)
      add("status_differs", Severity::kMedium,
          "status " + std::to_string(v.response.status) + " instead of " + std::to_string(base.response.status));
    const PageFacts facts = analyzePage(v.response.body, v.response.finalUrl);
    if (facts.title != baseFacts.title)
      add("title_differs", Severity::kMedium, "title \"" + facts.title + "\" instead of \"" + baseFacts.title + "\"");
    if (facts.meta != baseFacts.meta) add("meta_differs", Severity::kMedium, "meta tags differ from the browser view");
    const double sim = textSimilarity(baseFacts.visibleText, facts.visibleText);
    if (sim < minSimilarity_)
      add("content_differs", Severity::kMedium,
          "visible text differs from the browser view (similarity " + std::to_string(sim).substr(0, 4) + ")")
          .with("similarity", std::to_string(sim));
    std::set<std::string> extra;
    for (const auto& d : facts.outboundDomains)
      if (!baseFacts.outboundDomains.count(d)) extra.insert(d);
    if (!extra.empty())
      add("outbound_differs", Severity::kMedium,
          "links to domains the browser view does not show: " + joinSet(extra, 5))
          .with("domains", joinSet(extra, 50));
    std::set<std::string> onlyHere;
    for (const auto& t : viewTerms(facts, *lexicon_))
      if (!baseTerms.count(t)) onlyHere.insert(t);
    if (!onlyHere.empty())
      add("spam_only_in_view", Severity::kHigh, "spam terms shown only to this view: " + joinSet(onlyHere, 5))
          .with("terms", joinSet(onlyHere))
          .with("title", facts.title)
          .with("text", facts.visibleText.substr(0, 300));
  }
  return out;
}

}  // namespace vigil::webmon
