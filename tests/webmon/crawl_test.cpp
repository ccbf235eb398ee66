// Sitemaps and the bounded crawl (src/webmon/crawl.h): the sitemap parser and gunzip on hostile
// inputs (data-driven), then against nginx (tests/webmon/content_sites.h): a spam page two levels
// down listed only in a gzip'd child of a sitemap index (and Disallowed in robots.txt) is found and
// named; clean pages give nothing; a compression bomb, broken XML, entity tricks and a
// self-referencing index give clear findings; an endless link maze, the byte and the time budget
// stop the crawl.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "webmon/content_sites.h"
#include "webmon/crawl.h"

namespace vigil::webmon {
namespace {

const Lexicon& lexicon() {
  static const Lexicon lex = [] {
    auto l = Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
    if (!l.ok()) throw std::runtime_error(l.error().message);
    return std::move(*l);
  }();
  return lex;
}

const char* kUrlset = R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc> https://xa.gov.vn/a.html </loc><lastmod>2026-11-01</lastmod></url>
  <url><loc>https://xa.gov.vn/b.html</loc></url>
  <url><lastmod>2026-01-01</lastmod></url>
</urlset>)";

TEST(Sitemap, ParsesUrlsetAndIndex) {
  auto set = parseSitemap(kUrlset, "s");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_FALSE(set->index);
  ASSERT_EQ(set->entries.size(), 2u) << "an entry without <loc> is skipped";
  EXPECT_EQ(set->entries[0].loc, "https://xa.gov.vn/a.html");
  EXPECT_EQ(set->entries[0].lastmod, "2026-11-01");
  auto index = parseSitemap(
      "<sm:sitemapindex xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sm:sitemap><sm:loc>/s1.xml.gz"
      "</sm:loc></sm:sitemap></sm:sitemapindex>",
      "s");
  ASSERT_TRUE(index.ok()) << index.error().message;
  EXPECT_TRUE(index->index);
  ASSERT_EQ(index->entries.size(), 1u);
  EXPECT_EQ(index->entries[0].loc, "/s1.xml.gz");
  auto capped = parseSitemap(kUrlset, "s", 1);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->entries.size(), 1u);
  EXPECT_EQ(capped->dropped, 1u);
}

TEST(Sitemap, HostileOrBrokenInputGivesClearErrors) {
  struct Case {
    std::string xml, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"", "sitemap x: XML error at byte 0: No document element found"},
           {"<urlset><url><loc>a</loc></url", "sitemap x: XML error at byte"},
           {"<html><body>not found</body></html>", "root element <html> is neither <urlset> nor <sitemapindex>"},
           {"\x1f\x8b\x08garbage", "sitemap x: XML error"},
       }) {
    auto r = parseSitemap(c.xml, "sitemap x");
    ASSERT_FALSE(r.ok()) << c.xml;
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
  }
}

TEST(Sitemap, EntitiesAreNeverExpanded) {
  // "Billion laughs" and an external entity: the DOCTYPE is skipped, the references stay text.
  std::string xml = "<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY lol \"lol\">";
  xml += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">";
  for (int i = 2; i <= 9; ++i)
    xml += "<!ENTITY lol" + std::to_string(i) + " \"" + [&] {
      std::string s;
      for (int k = 0; k < 10; ++k) s += "&lol" + std::to_string(i - 1) + ";";
      return s;
    }() + "\">";
  xml +=
      "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><urlset><url><loc>&lol9;</loc></url>"
      "<url><loc>&xxe;</loc></url><url><loc>a&amp;b</loc></url></urlset>";
  const auto t0 = std::chrono::steady_clock::now();
  auto r = parseSitemap(xml, "s");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->entries.size(), 3u);
  EXPECT_EQ(r->entries[0].loc, "&lol9;");
  EXPECT_EQ(r->entries[1].loc, "&xxe;");
  EXPECT_EQ(r->entries[2].loc, "a&b") << "predefined entities are expanded";
}

TEST(Sitemap, GunzipIsBounded) {
  const std::string plain(100000, 'x');
  const std::string gz = test::gzipData(plain);
  EXPECT_TRUE(isGzip(gz));
  EXPECT_FALSE(isGzip(plain));
  auto ok = gunzipBounded(gz, 100000, "g");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, plain);
  auto bomb = gunzipBounded(gz, 99999, "sitemap g");
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.error().message.find("sitemap g: decompresses to more than 99999 bytes"), std::string::npos)
      << bomb.error().message;
  auto cut = gunzipBounded(gz.substr(0, gz.size() / 2), 200000, "g");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("ends early"), std::string::npos) << cut.error().message;
  std::string corrupt = gz;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0x55);
  corrupt[13] = static_cast<char>(corrupt[13] ^ 0x55);
  EXPECT_FALSE(gunzipBounded(corrupt, 200000, "g").ok());
}

class CrawlSites : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    globalInit();
    sites_ = new test::ContentSites();
    if (!sites_->error().empty()) return;
    const std::string c = sites_->origin("crawl");
    auto page = [](const std::string& title, const std::string& body) {
      return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body>" + body +
             "</body></html>";
    };
    sites_->write("crawl", "index.html",
                  page("UBND xã An Bình",
                       "<nav><a href=\"/tin-tuc/\">Tin tức</a> <a href=\"/gioi-thieu/#top\">Giới "
                       "thiệu</a> <a href=\"/van-ban.pdf\">Văn bản</a> <a "
                       "href=\"https://chinhphu.vn/\">Chính phủ</a></nav><p>Trang chủ</p>"));
    sites_->write("crawl", "tin-tuc/index.html",
                  page("Tin tức", "<a href=\"/tin-tuc/1.html\">Họp dân</a><p>Cảnh báo cá cược trái phép.</p>"));
    sites_->write("crawl", "tin-tuc/1.html", page("Họp dân", "<p>Họp dân về nông thôn mới.</p>"));
    sites_->write("crawl", "gioi-thieu/index.html", page("Giới thiệu", "<p>Xã An Bình.</p>"));
    // The injected page: not linked from anywhere, listed in the gzip'd child sitemap only.
    sites_->write("crawl", "a/b/khuyen-mai.html",
                  page("Khuyến mãi",
                       "<p>Thông báo</p><div style=\"position:absolute;left:-9999px\"><a "
                       "href=\"https://nhacai88.bet/\">nhà cái uy tín</a> <a href=\"https://nohu.club/\">nổ hũ đổi "
                       "thưởng</a></div>"));
    sites_->write("crawl", "robots.txt", "User-agent: *\nDisallow: /a/\nSitemap: " + c + "/sitemap_index.xml\n");
    sites_->write("crawl", "sitemap_index.xml",
                  "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                  "<sitemap><loc>" +
                      c + "/sitemap-news.xml</loc></sitemap><sitemap><loc>" + c +
                      "/sitemap-pages.xml.gz</loc></sitemap><sitemap><loc>https://other.example/s.xml</loc>"
                      "</sitemap></sitemapindex>");
    sites_->write("crawl", "sitemap-news.xml",
                  "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>" + c +
                      "/tin-tuc/1.html</loc><lastmod>2026-10-01</lastmod></url></urlset>");
    sites_->write("crawl", "sitemap-pages.xml.gz",
                  test::gzipData("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>" + c +
                                 "/gioi-thieu/</loc></url><url><loc>" + c +
                                 "/a/b/khuyen-mai.html</loc><lastmod>2026-11-20</lastmod></url><url><loc>"
                                 "https://nhacai88.bet/x</loc></url></urlset>"));

    // A site-wide injection: the same hidden link in the footer of every page; no sitemap, and
    // /sitemap.xml answers the home page (a soft 404), which is not a sitemap error.
    const std::string footer =
        "<footer><div style=\"display:none\"><a href=\"https://w88vn.bet/\">nhà cái uy tín</a></div></footer>";
    sites_->write(
        "portal", "index.html",
        page("Xã B", "<a href=\"/p1.html\">1</a> <a href=\"/p2.html\">2</a> <a href=\"/p3.html\">3</a>" + footer));
    sites_->write("portal", "sitemap.xml", page("Xã B", "<p>Trang chủ</p>"));
    for (const char* p : {"p1.html", "p2.html", "p3.html"}) sites_->write("portal", p, page("Tin", footer));

    const std::string h = sites_->origin("hostile");
    sites_->write("hostile", "index.html", page("Hostile", "<a href=\"/maze/start\">maze</a>"));
    sites_->write("hostile", "robots.txt",
                  "Sitemap: " + h + "/bomb.xml.gz\nSitemap: " + h + "/broken.xml\nSitemap: " + h +
                      "/self.xml\nSitemap: " + h + "/missing.xml\n");
    std::string bomb = "<urlset>";
    while (bomb.size() < 20 * 1024 * 1024) bomb += "<url><loc>/x</loc></url>";
    sites_->write("hostile", "bomb.xml.gz", test::gzipData(bomb + "</urlset>"));
    sites_->write("hostile", "broken.xml", "<urlset><url><loc>" + h + "/a</loc></url");
    sites_->write("hostile", "self.xml",
                  "<sitemapindex><sitemap><loc>" + h + "/self.xml</loc></sitemap></sitemapindex>");
  }
  static void TearDownTestSuite() {
    delete sites_;
    sites_ = nullptr;
  }
  static CrawlOptions fast() {
    CrawlOptions o;
    o.fetch.allowPrivate = true;
    o.fetch.timeoutMs = 5000;
    o.delayMs = 0;
    return o;
  }
  static test::ContentSites* sites_;
};
test::ContentSites* CrawlSites::sites_ = nullptr;

const Finding* find(const CrawlResult& r, const std::string& check, const std::string& id,
                    const std::string& url = "") {
  for (const auto& f : r.findings)
    if (f.check == check && f.id == id && (url.empty() || f.url == url)) return &f;
  return nullptr;
}

TEST_F(CrawlSites, InjectedPageTwoLevelsDownFoundThroughGzipSitemap) {
  ASSERT_EQ(sites_->error(), "");
  const std::string c = sites_->origin("crawl");
  auto r = crawlSite(c + "/", fast(), lexicon(), {"chinhphu.vn"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stopReason, "done");
  EXPECT_EQ(r->sitemaps,
            (std::vector<std::string>{c + "/sitemap_index.xml", c + "/sitemap-news.xml", c + "/sitemap-pages.xml.gz"}));
  std::vector<std::string> urls;
  for (const auto& p : r->pages) urls.push_back(p.url);
  // Start page, the sitemap pages newest first, then the start page's links; each page once (the
  // sitemap's /gioi-thieu/ is the start page's link, fragment removed); the PDF, the external link
  // and the other site's sitemap entry are not fetched.
  EXPECT_EQ(urls, (std::vector<std::string>{c + "/", c + "/a/b/khuyen-mai.html", c + "/tin-tuc/1.html", c + "/tin-tuc/",
                                            c + "/gioi-thieu/"}));
  const Finding* spam = find(*r, "page", "hidden_link", c + "/a/b/khuyen-mai.html");
  ASSERT_NE(spam, nullptr);
  EXPECT_EQ(spam->severity, Severity::kHigh);
  const auto via = std::find_if(spam->evidence.begin(), spam->evidence.end(),
                                [](const auto& kv) { return kv.first == "crawl_via"; });
  ASSERT_NE(via, spam->evidence.end());
  EXPECT_EQ(via->second, "sitemap " + c + "/sitemap-pages.xml.gz");
  // Nothing else is a problem: the clean pages (a warning article about gambling included) give nothing.
  for (const auto& f : r->findings)
    if (f.url != c + "/a/b/khuyen-mai.html") {
      EXPECT_EQ(f.severity, Severity::kInfo) << f.id << " " << f.url;
    }
  EXPECT_NE(find(*r, "crawl", "summary"), nullptr);
}

TEST_F(CrawlSites, SiteWideInjectionIsOneFindingNamingEveryPage) {
  ASSERT_EQ(sites_->error(), "");
  const std::string p = sites_->origin("portal");
  auto r = crawlSite(p + "/", fast(), lexicon(), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->pages.size(), 4u);
  size_t hidden = 0;
  for (const auto& f : r->findings) {
    EXPECT_NE(f.id, "sitemap_error") << f.summary;
    if (f.id != "hidden_link") continue;
    ++hidden;
    EXPECT_EQ(f.url, p + "/");
    std::map<std::string, std::string> ev(f.evidence.begin(), f.evidence.end());
    EXPECT_EQ(ev["also_on_pages"], "3");
    EXPECT_EQ(ev["also_on"], p + "/p1.html " + p + "/p2.html " + p + "/p3.html");
  }
  EXPECT_EQ(hidden, 1u);
}

TEST_F(CrawlSites, HostileSitemapsAndMazeAreBounded) {
  ASSERT_EQ(sites_->error(), "");
  const std::string h = sites_->origin("hostile");
  CrawlOptions o = fast();
  o.maxSitemapBytes = 1024 * 1024;
  o.maxPages = 25;
  o.maxDepth = 100;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = crawlSite(h + "/", o, lexicon(), {});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stopReason, "page limit");
  EXPECT_EQ(r->pages.size(), 25u);
  EXPECT_NE(find(*r, "crawl", "bound_reached"), nullptr);
  std::string errors;
  for (const auto& f : r->findings)
    if (f.id == "sitemap_error") errors += f.url + ": " + f.summary + "\n";
  EXPECT_NE(errors.find(h + "/bomb.xml.gz: sitemap " + h + "/bomb.xml.gz: decompresses to more than 1048576"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(h + "/broken.xml: sitemap " + h + "/broken.xml: XML error at byte"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find(h + "/missing.xml: Sitemap not readable: HTTP status 404"), std::string::npos) << errors;
  EXPECT_EQ(r->sitemaps, (std::vector<std::string>{h + "/self.xml"})) << "the self-referencing index is read once";
}

TEST_F(CrawlSites, DepthBytesAndTimeBounds) {
  ASSERT_EQ(sites_->error(), "");
  const std::string h = sites_->origin("hostile");
  CrawlOptions o = fast();
  o.useSitemaps = false;
  o.maxDepth = 3;
  auto depth = crawlSite(h + "/", o, lexicon(), {});
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->stopReason, "done");
  EXPECT_EQ(depth->pages.size(), 8u) << "1 + 1 + 2 + 4 pages down to depth 3";
  for (const auto& p : depth->pages) EXPECT_LE(p.depth, 3);

  o.maxDepth = 100;
  o.maxTotalBytes = 1500;
  auto bytes = crawlSite(h + "/", o, lexicon(), {});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->stopReason, "byte limit");

  o.maxTotalBytes = 30 * 1024 * 1024;
  o.maxSeconds = 1;
  o.delayMs = 300;
  const auto t0 = std::chrono::steady_clock::now();
  auto time = crawlSite(h + "/", o, lexicon(), {});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(time->stopReason, "time limit");
  EXPECT_LE(time->pages.size(), 5u);

  o.maxPages = 0;
  EXPECT_FALSE(crawlSite(h + "/", o, lexicon(), {}).ok());
  auto bad = crawlSite("ftp://x/", fast(), lexicon(), {});
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace vigil::webmon
