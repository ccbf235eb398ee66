// HTML page analysis (gumbo): what a page says and hides. analyzePage() extracts the facts of one
// page: title and meta tags, visible text, links and outbound domains, elements hidden by CSS
// (inline styles and <style> blocks, src/webmon/css.h) with the reason, inline and external
// scripts with their suspicious traits, meta refresh. pageFindings() turns the facts into
// findings with the gambling/adult lexicon, counting keyword hits only in context (hidden, title
// and meta, external links). Pure functions of their input: thread-safe, never fail on bad HTML.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "webmon/finding.h"
#include "webmon/lexicon.h"

namespace vigil::webmon {

struct PageLink {
  std::string url;   // absolute
  std::string host;  // punycode, lower-case; empty for non-http(s) links
  std::string text;  // anchor text (collapsed white space)
  std::string tag;   // a, area, iframe, script, form, link, stylesheet, meta, embed, object, img, data-*
  bool external = false;
  std::string hiddenReason;  // non-empty when the element sits in hidden content
};

struct HiddenBlock {
  std::string reason;   // e.g. "display:none (style block rule .ad)"
  std::string text;     // its text (at most 500 bytes)
  std::string snippet;  // the start of its HTML-ish rendering: tag and text
  std::vector<std::string> links;
};

struct PageScript {
  std::string src;  // empty for inline
  bool external = false;
  bool integrity = false;
  std::vector<std::string> traits;  // eval, atob, base64_literal, referrer_test, useragent_test, location_change...
  std::string decoded;              // printable start of the longest base64 literal, decoded
  std::string snippet;              // start of the inline code
};

struct PageFacts {
  std::string title;
  std::vector<std::pair<std::string, std::string>> meta;  // description, keywords, og:title... -> content
  std::string visibleText;                                // at most 200 KB
  std::vector<PageLink> links;
  std::vector<HiddenBlock> hidden;
  std::vector<PageScript> scripts;
  std::string metaRefresh;  // absolute target of <meta http-equiv=refresh>, if any
  std::set<std::string> outboundDomains;
  std::string declaredCharset;  // from the <meta> tag
  bool transcoded = false;      // the body was not UTF-8 and was read as windows-1252
};

// `html` is the body as received, `pageUrl` the final URL (for relative links and what counts as
// external: another host than the page's, "www." ignored, subdomains of the page's host internal).
// `linkedCss`: the text of the page's linked stylesheets, applied before its <style> blocks.
PageFacts analyzePage(std::string_view html, const std::string& pageUrl, std::string_view linkedCss = {});

// The absolute URLs of the page's <link rel=stylesheet> (tag "stylesheet" in PageFacts::links).
std::vector<std::string> stylesheetUrls(const PageFacts& facts);

// True when `host` is `site` or a subdomain of it ("www." of either ignored).
bool sameSite(std::string_view host, std::string_view site);

// Findings of check "page" for one page. `allowedDomains` empty: outbound domains are listed as
// information only. `headerCharset` is the charset of the Content-Type header (may be empty).
std::vector<Finding> pageFindings(const PageFacts& facts, const std::string& url, const Lexicon& lexicon,
                                  const std::vector<std::string>& allowedDomains, const std::string& headerCharset);

// Shingle (word 3-gram) Jaccard similarity of two texts, in [0,1]; 1 for two empty texts.
double textSimilarity(std::string_view a, std::string_view b);

}  // namespace vigil::webmon
