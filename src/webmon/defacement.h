// Defacement detection for a portal's key pages: a structural fingerprint of the page, a baseline
// learned from several samples (kept by the scheduler as one Facts entry "deface.baseline:<url>"),
// a comparison giving a change score with its reasons, and defacement signatures given as data
// (catalogs/webmon/defacement.toml).
//
// The fingerprint ignores what changes every day on a news portal (article titles, dates, text)
// and keeps what a defacer replaces:
//   - the DOM skeleton of the page frame (elements up to 3 levels below <body>) and of the header,
//     navigation and footer regions. A region is an element that is <header>/<nav>/<footer>, has
//     role banner/navigation/contentinfo, or whose id or a class contains "header"/"banner"/
//     "masthead", "nav"/"menu", "footer"/"copyright". A skeleton token is "depth:tag#id.class..."
//     with classes sorted, digit runs written '#' (a class with two or more digit runs, a generated
//     name such as "css-1x2y3z", is cut to its prefix "css-*"), and state classes (active, current, selected,
//     open, show, hover) dropped; tokens form a set, so adding a menu entry or a news item of the
//     same shape changes nothing. Scripts, styles, iframes and their content are not part of it.
//   - the title pattern: the words common to the start and to the end of the titles seen ("Tin A -
//     Cổng TTĐT xã B" and "Tin C - Cổng TTĐT xã B" give the suffix "- Cổng TTĐT xã B").
//   - the logo: the <img> whose src, alt, id or class (or an ancestor's id/class) says "logo",
//     preferring one in the header, else the first image of the header; its bytes are fetched
//     under the fetcher's bounds and SHA-256 hashed (logoSha256()).
//   - the outbound-domain set, the size of the main text (<main>, <article>, role=main, or the body
//     text outside header/nav/footer), the body background and the number of images (for the
//     "black page with one image" replacement).
// Pure functions except logoSha256()/checkDefacement(), which fetch. Thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "webmon/fetcher.h"
#include "webmon/finding.h"
#include "webmon/page.h"

namespace vigil::webmon {

struct Fingerprint {
  std::set<std::string> frame, header, nav, footer;  // skeleton tokens per region
  std::string title;                                 // normalised (normalizeText) page title
  std::string logoUrl;                               // absolute; empty when no logo was found
  std::string logoSha256;                            // hex; filled by the caller (logoSha256()), empty: unknown
  std::set<std::string> outboundDomains;
  size_t mainTextBytes = 0;  // visible text of the main region
  size_t bodyTextBytes = 0;  // visible text of the whole body
  std::string background;    // body/html background colour as "#rrggbb", empty when not set
  int images = 0;            // <img> elements in the body
};

// The fingerprint of one page (`html` as received, `pageUrl` its final URL, `facts` analyzePage()
// of the same body, whose outbound domains are taken). Never fails.
Fingerprint fingerprintPage(std::string_view html, const std::string& pageUrl, const PageFacts& facts);

// One defacement signature of catalogs/webmon/defacement.toml.
struct DefacementPhrase {
  std::string text;    // as written in the catalog
  std::string normal;  // normalizeText(text)
  std::string folded;  // foldText(text)
  bool strong = true;  // alone proves a defacement; weak phrases need a second sign
};

class DefacementSignatures {
 public:
  // Reads the TOML file; errors name the file and the entry.
  static Result<DefacementSignatures> load(const std::string& path);
  static Result<DefacementSignatures> parse(std::string_view toml, const std::string& origin);

  // Phrases found (word boundaries, diacritics-folded form too) in a text.
  std::vector<const DefacementPhrase*> find(std::string_view text) const;

  // "Replaced page" shape: dark background (every channel at most `darkMax`), at most `maxImages`
  // images and at most `maxTextBytes` of visible text.
  int darkMax = 0x30;
  int maxImages = 2;
  size_t maxTextBytes = 1500;

 private:
  std::vector<DefacementPhrase> phrases_;
};

// Tuning of the comparison; the defaults are documented in src/webmon/README.md.
struct DefacementOptions {
  int learnSamples = 3;           // samples before title and text-size findings are raised
  int maxSamples = 8;             // counts are halved when reached (old layout fades out)
  double highScore = 0.5;         // score from which "structure_changed" is high
  double mediumScore = 0.3;       // score from which it is medium
  size_t strongTextBytes = 3000;  // a strong phrase in a longer page counts only with a changed structure
};

struct DefacementResult {
  std::vector<Finding> findings;  // check "defacement"
  double score = 0;               // 0 = same structure as the baseline, 1 = nothing in common
  std::vector<std::string> reasons;
  bool learning = false;  // the baseline has fewer than learnSamples samples
  // The baseline to store for the next run: the old one updated with this sample, or the old one
  // unchanged when this sample looks defaced (so the alert stays until an operator clears the
  // fact to relearn an intended redesign). Empty when nothing is learned yet (a first sample that
  // already looks defaced): store nothing then.
  std::string baseline;
};

// Compares a page with its baseline (nullopt: first sample, nothing to compare but signatures).
// `facts` is analyzePage() of the same body (visible text and title for the signatures). An
// unreadable baseline is an error naming the line; the caller reports it and relearns (nullopt).
Result<DefacementResult> evaluateDefacement(const Fingerprint& current, const PageFacts& facts, const std::string& url,
                                            const DefacementSignatures& signatures,
                                            const std::optional<std::string>& baseline,
                                            const DefacementOptions& options = {});

// SHA-256 (hex) of the logo image at `logoUrl`, fetched with `fetch` (body capped at 1 MB, the SSRF
// guard applies). An error names the URL and the cause.
Result<std::string> logoSha256(const std::string& logoUrl, const FetchOptions& fetch);

// Fetch + analyse + fingerprint + logo hash + evaluate: what the scheduler's content runner calls
// per key page with the stored "deface.baseline:<url>" fact. A page that cannot be fetched is an
// error (availability is another check's finding); a logo that cannot be fetched leaves the hash
// unknown (no logo finding).
Result<DefacementResult> checkDefacement(const std::string& url, const FetchOptions& fetch,
                                         const DefacementSignatures& signatures,
                                         const std::optional<std::string>& baseline,
                                         const DefacementOptions& options = {});

// The Facts key of a page's baseline: "deface.baseline:<url>".
std::string defacementFactKey(const std::string& url);

}  // namespace vigil::webmon
