// HTML analysis throughput of the web-portal monitor (src/webmon/page.h): analyzePage() +
// pageFindings() with the real lexicon (catalogs/webmon/lexicon.toml) on generated portal pages,
// clean and with planted spam (hidden links in a <style> class and inline styles, a base64
// dropper, spam title). Reports pages/s and bytes/s on one core. Also the defacement fingerprint
// and baseline comparison per page (src/webmon/defacement.h, on top of the page analysis the
// content check already does) and the bounded crawl (src/webmon/crawl.h) of a 200-page generated
// site served by nginx on loopback (tests/webmon/content_sites.h), with no delay between requests.
//   build/release/vigil_webmon_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <optional>
#include <random>
#include <string>

#include "webmon/content_sites.h"
#include "webmon/crawl.h"
#include "webmon/defacement.h"
#include "webmon/page.h"

namespace {

using vigil::webmon::Lexicon;

const Lexicon& lexicon() {
  static const Lexicon lex = [] {
    auto l = Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
    if (!l.ok()) std::abort();
    return std::move(*l);
  }();
  return lex;
}

// A district portal's home page: header, a navigation menu with hidden submenus, `items` news
// entries with Vietnamese text, a footer; `planted` adds the injections of the spam incidents.
std::string portalPage(int items, bool planted, uint32_t seed) {
  std::mt19937 rng(seed);
  static const char* kWords[] = {"Ủy",   "ban",   "nhân",   "dân",   "huyện", "thông", "báo",
                                 "kế",   "hoạch", "triển",  "khai",  "công",  "tác",   "năm",
                                 "2026", "xã",    "phường", "người", "hội",   "nghị",  "chuyển",
                                 "đổi",  "số",    "dịch",   "vụ",    "công",  "trực",  "tuyến"};
  auto sentence = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += std::string(i ? " " : "") + kWords[rng() % std::size(kWords)];
    return s;
  };
  std::string h = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Cổng thông tin điện tử huyện ";
  h += planted ? "- Nhà cái uy tín" : "An Phú";
  h += "</title><meta name=\"description\" content=\"" + sentence(12) + "\">";
  h += "<style>body{color:#222;background:#fff}.submenu{display:none}.menu li:hover .submenu{display:block}"
       ".news h3{font-size:16px}.footer{padding:10px}";
  if (planted) h += ".lk{position:absolute;left:-9999px}";
  h += "</style><link rel=\"stylesheet\" href=\"/css/site.css\"><script "
       "src=\"/js/jquery.min.js\"></script></head><body>";
  h += "<header><ul class=\"menu\">";
  for (int i = 0; i < 8; ++i) {
    h += "<li><a href=\"/chuyen-muc/" + std::to_string(i) + "\">" + sentence(2) + "</a><ul class=\"submenu\">";
    for (int k = 0; k < 5; ++k)
      h += "<li><a href=\"/chuyen-muc/" + std::to_string(i) + "/" + std::to_string(k) + "\">" + sentence(3) +
           "</a></li>";
    h += "</ul></li>";
  }
  h += "</ul></header><main>";
  for (int i = 0; i < items; ++i) {
    h += "<div class=\"news\"><h3><a href=\"/tin-tuc/" + std::to_string(i) + ".html\">" + sentence(10) +
         "</a></h3><img src=\"/uploads/" + std::to_string(i) + ".jpg\" alt=\"\"><p>" + sentence(40) + "</p></div>";
    if (planted && i % 10 == 3)
      h += "<div class=\"lk\"><a href=\"https://w88vn" + std::to_string(i) +
           ".bet/\">nhà cái uy tín</a></div>"
           "<p style=\"display:none\"><a href=\"https://nohu.club/\">nổ hũ đổi thưởng</a></p>";
  }
  if (planted)
    h += "<script>var "
         "p=\"ZG9jdW1lbnQud3JpdGUoJzxhIGhyZWY9Imh0dHBzOi8vZmI4OC5iZXQvIj5jYSBjdW9jPC9hPicpOw==\";eval(atob(p));</"
         "script>";
  h += "</main><footer class=\"footer\"><p>" + sentence(20) +
       "</p><a href=\"https://chinhphu.vn/\">Chính phủ</a></footer></body></html>";
  return h;
}

void analyse(benchmark::State& state, bool planted) {
  const std::string page = portalPage(static_cast<int>(state.range(0)), planted, 42);
  size_t findings = 0;
  for (auto _ : state) {
    const auto facts = vigil::webmon::analyzePage(page, "https://anphu.gov.vn/");
    const auto f = vigil::webmon::pageFindings(facts, "https://anphu.gov.vn/", lexicon(), {"chinhphu.vn"}, "utf-8");
    findings = f.size();
    benchmark::DoNotOptimize(findings);
  }
  state.counters["pages/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["page_KB"] = static_cast<double>(page.size()) / 1024.0;
  state.counters["findings"] = static_cast<double>(findings);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * page.size()));
}

void BM_CleanPortalPage(benchmark::State& state) { analyse(state, false); }
void BM_PlantedPortalPage(benchmark::State& state) { analyse(state, true); }

BENCHMARK(BM_CleanPortalPage)->Arg(20)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlantedPortalPage)->Arg(20)->Arg(100)->Unit(benchmark::kMillisecond);

const vigil::webmon::DefacementSignatures& signatures() {
  static const vigil::webmon::DefacementSignatures sig = [] {
    auto s = vigil::webmon::DefacementSignatures::load(VIGIL_WEBMON_CATALOG_DIR "/defacement.toml");
    if (!s.ok()) std::abort();
    return std::move(*s);
  }();
  return sig;
}

// fingerprintPage() + evaluateDefacement() against a baseline learned from 3 other days' pages;
// the page facts are computed once outside the loop (the content check has them already).
void BM_DefacementFingerprint(benchmark::State& state) {
  using namespace vigil::webmon;
  const std::string url = "https://anphu.gov.vn/";
  std::optional<std::string> baseline;
  for (uint32_t day = 1; day <= 3; ++day) {
    const std::string p = portalPage(static_cast<int>(state.range(0)), false, day);
    const auto facts = analyzePage(p, url);
    auto r = evaluateDefacement(fingerprintPage(p, url, facts), facts, url, signatures(), baseline);
    if (!r.ok()) std::abort();
    baseline = r->baseline;
  }
  const std::string page = portalPage(static_cast<int>(state.range(0)), false, 42);
  const auto facts = analyzePage(page, url);
  size_t findings = 0;
  for (auto _ : state) {
    auto r = evaluateDefacement(fingerprintPage(page, url, facts), facts, url, signatures(), baseline);
    findings = r.ok() ? r->findings.size() : 999;
    benchmark::DoNotOptimize(findings);
  }
  state.counters["pages/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["page_KB"] = static_cast<double>(page.size()) / 1024.0;
  state.counters["findings"] = static_cast<double>(findings);
}

// A crawl of 200 pages listed in a sitemap, each a 20-item portal page, over loopback HTTP.
void BM_CrawlLoopback(benchmark::State& state) {
  vigil::webmon::globalInit();
  vigil::webmon::test::ContentSites sites;
  if (!sites.error().empty()) {
    state.SkipWithError(sites.error().c_str());
    return;
  }
  const std::string origin = sites.origin("crawl");
  const int pages = static_cast<int>(state.range(0));
  std::string sitemap = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
  sites.write("crawl", "index.html", portalPage(20, false, 1));
  for (int i = 1; i < pages; ++i) {
    sites.write("crawl", "p/" + std::to_string(i) + ".html", portalPage(20, i % 50 == 7, static_cast<uint32_t>(i)));
    sitemap += "<url><loc>" + origin + "/p/" + std::to_string(i) + ".html</loc></url>";
  }
  sites.write("crawl", "sitemap.xml", sitemap + "</urlset>");
  vigil::webmon::CrawlOptions options;
  options.fetch.allowPrivate = true;
  options.delayMs = 0;
  options.maxPages = pages;
  size_t crawled = 0, findings = 0;
  for (auto _ : state) {
    auto r = vigil::webmon::crawlSite(origin + "/", options, lexicon(), {"chinhphu.vn"});
    if (!r.ok()) std::abort();
    crawled += r->pages.size();
    findings = r->findings.size();
  }
  state.counters["pages/s"] = benchmark::Counter(static_cast<double>(crawled), benchmark::Counter::kIsRate);
  state.counters["findings"] = static_cast<double>(findings);
}

BENCHMARK(BM_DefacementFingerprint)->Arg(20)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CrawlLoopback)->Arg(200)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
