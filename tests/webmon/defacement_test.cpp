// Defacement fingerprints and baselines (src/webmon/defacement.h): news churn learned without an
// alert, a replaced page, a signature in the title, a quoted phrase in a long news page, a changed
// title, a corrupt baseline; and against nginx (tests/webmon/content_sites.h): the same portal
// sampled while its news changes, then its logo replaced, then the page defaced.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "webmon/content_sites.h"
#include "webmon/defacement.h"

namespace vigil::webmon {
namespace {

const DefacementSignatures& signatures() {
  static const DefacementSignatures sig = [] {
    auto s = DefacementSignatures::load(VIGIL_WEBMON_CATALOG_DIR "/defacement.toml");
    if (!s.ok()) throw std::runtime_error(s.error().message);
    return std::move(*s);
  }();
  return sig;
}

// A commune portal's home page: header with logo, menu (the current entry marked), `seed` picks
// the headline, the number of news items, their dates and words; the footer is fixed.
std::string portal(uint32_t seed, const std::string& titleOverride = "", const std::string& extraArticle = "") {
  std::mt19937 rng(seed);
  static const char* kWords[] = {"Ủy",     "ban",   "nhân", "dân",  "xã",    "thông", "báo",  "kế",
                                 "hoạch",  "triển", "khai", "công", "tác",   "năm",   "hội",  "nghị",
                                 "chuyển", "đổi",   "số",   "dịch", "vụ",    "nông",  "thôn", "mới",
                                 "tiêm",   "chủng", "bầu",  "cử",   "đường", "giao",  "thông"};
  auto sentence = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += std::string(i ? " " : "") + kWords[rng() % std::size(kWords)];
    return s;
  };
  const std::string headline = sentence(6);
  std::string h = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>";
  h += titleOverride.empty() ? headline + " | Cổng thông tin điện tử xã An Bình" : titleOverride;
  h += "</title><style>body{background:#fff;color:#222}</style></head><body>";
  h += "<div id=\"wrapper\" class=\"css-" + std::to_string(rng() % 900 + 100) + "x" + std::to_string(rng() % 9) +
       "q\"><header class=\"site-header\"><a class=\"brand\" href=\"/\"><img class=\"logo\" "
       "src=\"/logo.png\" alt=\"Logo xã An Bình\"></a><div class=\"site-name\">Ủy ban nhân dân xã An Bình</div>"
       "<form class=\"search\" action=\"/tim-kiem\"><input name=\"q\"></form></header>";
  h += "<nav class=\"main-menu\"><ul class=\"menu\">";
  const int current = static_cast<int>(rng() % 6);
  for (int i = 0; i < 6; ++i)
    h += std::string("<li class=\"menu-item menu-item-") + std::to_string(100 + i) +
         (i == current ? " current-menu-item" : "") + "\"><a href=\"/muc-" + std::to_string(i) + "/\">" + sentence(2) +
         "</a></li>";
  h += "</ul></nav><div class=\"container\"><main class=\"content\"><section class=\"news\">";
  const int items = 8 + static_cast<int>(rng() % 5);  // more than 3,000 bytes of text: a long page
  for (int i = 0; i < items; ++i)
    h += "<article class=\"news-item post-" + std::to_string(rng() % 10000) + "\"><h3><a href=\"/tin/" +
         std::to_string(rng() % 100000) + ".html\">" + sentence(8) + "</a></h3><span class=\"date\">" +
         std::to_string(1 + rng() % 28) + "/11/2026</span><p>" + sentence(80) + "</p></article>";
  h += extraArticle;
  h += "</section></main><aside class=\"sidebar\"><div class=\"widget\"><a href=\"https://chinhphu.vn/\">Chính "
       "phủ</a> <a href=\"https://dichvucong.gov.vn/\">Dịch vụ công</a></div></aside></div>";
  h += "<footer id=\"footer\"><div class=\"copyright\">© Ủy ban nhân dân xã An Bình. Điện thoại 0270 3 123 "
       "456.</div></footer></div></body></html>";
  return h;
}

const char* kDefaced =
    "<html><head><title>Hacked by Sh4d0w Cr3w</title></head><body style=\"background:#000;color:#0f0\">"
    "<center><img src=\"/skull.gif\"><h1>Hacked by Sh4d0w Cr3w</h1><p>Your security is low. Greetz to all "
    "friends.</p></center></body></html>";

struct Run {
  DefacementResult result;
};

DefacementResult evaluate(const std::string& html, const std::optional<std::string>& baseline,
                          const std::string& logoHash = "aa") {
  const std::string url = "http://xa.example.vn/";
  const PageFacts facts = analyzePage(html, url);
  Fingerprint fp = fingerprintPage(html, url, facts);
  fp.logoSha256 = fp.logoUrl.empty() ? "" : logoHash;
  auto r = evaluateDefacement(fp, facts, url, signatures(), baseline);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : DefacementResult{};
}

bool has(const DefacementResult& r, const std::string& id, Severity s) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const Finding& f) { return f.id == id && f.severity == s && f.check == "defacement"; });
}

// Learns a baseline from `samples` churned samples, expecting no finding on any of them.
std::string learned(int samples) {
  std::optional<std::string> baseline;
  for (int i = 0; i < samples; ++i) {
    const auto r = evaluate(portal(static_cast<uint32_t>(i + 1)), baseline);
    EXPECT_TRUE(r.findings.empty()) << "sample " << i << ": " << r.findings.front().id << " "
                                    << r.findings.front().summary;
    EXPECT_LT(r.score, 0.3) << "sample " << i;
    baseline = r.baseline;
  }
  return *baseline;
}

TEST(Defacement, FingerprintFindsRegionsLogoAndIgnoresNews) {
  const std::string html = portal(7);
  const auto facts = analyzePage(html, "http://xa.example.vn/");
  const auto fp = fingerprintPage(html, "http://xa.example.vn/", facts);
  EXPECT_EQ(fp.logoUrl, "http://xa.example.vn/logo.png");
  EXPECT_TRUE(fp.header.count("0:header.site-header")) << "header root token";
  EXPECT_TRUE(fp.nav.count("2:li.menu-item.menu-item-#")) << "menu entries collapse, the current marker dropped";
  EXPECT_TRUE(fp.footer.count("0:footer#footer"));
  EXPECT_TRUE(fp.frame.count("1:div#wrapper.css-*")) << "a generated class name is cut to its prefix";
  EXPECT_EQ(fp.outboundDomains, (std::set<std::string>{"chinhphu.vn", "dichvucong.gov.vn"}));
  EXPECT_GT(fp.mainTextBytes, 3000u);
  EXPECT_GT(fp.bodyTextBytes, fp.mainTextBytes);
  EXPECT_EQ(fp.background, "#ffffff");
  // Another day's news: the same skeleton.
  const std::string other = portal(99);
  const auto fp2 = fingerprintPage(other, "http://xa.example.vn/", analyzePage(other, "http://xa.example.vn/"));
  EXPECT_EQ(fp.frame, fp2.frame);
  EXPECT_EQ(fp.header, fp2.header);
  EXPECT_EQ(fp.nav, fp2.nav);
  EXPECT_EQ(fp.footer, fp2.footer);
}

TEST(Defacement, NewsChurnLearnsWithoutAlert) {
  const std::string baseline = learned(12);
  EXPECT_NE(baseline.find("samples "), std::string::npos);
  // Counts are halved past maxSamples (8): the baseline does not grow without end.
  EXPECT_EQ(baseline.find("samples 12"), std::string::npos);
  EXPECT_NE(baseline.find("title_suffix | cổng thông tin điện tử xã an bình"), std::string::npos) << baseline;
  const auto r = evaluate(portal(1234), baseline);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_FALSE(r.learning);
}

TEST(Defacement, ReplacedPageRaisesSignatureAndStructureWithReasons) {
  const std::string baseline = learned(3);
  const auto r = evaluate(kDefaced, baseline);
  EXPECT_TRUE(has(r, "signature", Severity::kCritical));
  EXPECT_TRUE(has(r, "structure_changed", Severity::kHigh));
  EXPECT_GE(r.score, 0.5);
  const std::string reasons = [&] {
    std::string s;
    for (const auto& x : r.reasons) s += x + "\n";
    return s;
  }();
  EXPECT_NE(reasons.find("header skeleton"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("dark page"), std::string::npos) << reasons;
  EXPECT_EQ(r.baseline, baseline) << "a defaced sample must not be learned";
  // Still there on the next run with the kept baseline.
  EXPECT_TRUE(has(evaluate(kDefaced, r.baseline), "structure_changed", Severity::kHigh));
}

TEST(Defacement, SignatureOnFirstSampleWithoutBaseline) {
  const auto r = evaluate(kDefaced, std::nullopt);
  EXPECT_TRUE(has(r, "signature", Severity::kCritical));
  EXPECT_TRUE(r.baseline.empty()) << "a defaced first sample is not learned";
}

TEST(Defacement, SignatureInTitleOfIntactTemplateIsCritical) {
  const std::string baseline = learned(3);
  const auto r = evaluate(portal(5, "Hacked by NullSec - xã An Bình"), baseline);
  EXPECT_TRUE(has(r, "signature", Severity::kCritical));
  EXPECT_TRUE(has(r, "title_changed", Severity::kMedium));
}

TEST(Defacement, QuotedPhraseInLongNewsPageIsOnlyMedium) {
  const std::string baseline = learned(3);
  const auto r = evaluate(portal(6, "",
                                 "<article class=\"news-item\"><h3>Cảnh báo</h3><p>Trang web của một doanh nghiệp đã "
                                 "bị hack bởi nhóm tin tặc nước ngoài; người dân cần cảnh giác.</p></article>"),
                          baseline);
  EXPECT_FALSE(has(r, "signature", Severity::kCritical));
  EXPECT_TRUE(has(r, "signature_in_text", Severity::kMedium));
}

TEST(Defacement, TitleChangeAndLogoChange) {
  const std::string baseline = learned(3);
  const auto title = evaluate(portal(8, "Trang chủ mới"), baseline);
  EXPECT_TRUE(has(title, "title_changed", Severity::kMedium));
  EXPECT_FALSE(has(title, "structure_changed", Severity::kHigh));
  const auto logo = evaluate(portal(9), baseline, "bb");
  EXPECT_TRUE(has(logo, "logo_changed", Severity::kMedium));
  EXPECT_EQ(logo.findings.size(), 1u);
}

TEST(Defacement, CorruptBaselineIsAnErrorNamingTheLine) {
  const std::string url = "http://xa.example.vn/";
  const std::string html = portal(1);
  const auto facts = analyzePage(html, url);
  const auto fp = fingerprintPage(html, url, facts);
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"garbage", "line 1"},
           {"vigil-deface-baseline 1\nsamples x\n", "line 2: 'x' is not a count"},
           {"vigil-deface-baseline 1\nsamples 2\nbogus 1 a\n", "line 3: unknown entry 'bogus'"},
           {"vigil-deface-baseline 1\nsamples 2\nheader 1\n", "line 3: 'header' needs a count and a value"},
           {"vigil-deface-baseline 1\n", "'samples' is missing"}}) {
    auto r = evaluateDefacement(fp, facts, url, signatures(), text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("deface.baseline:" + url), std::string::npos) << r.error().message;
  }
}

TEST(Defacement, HostileValuesDoNotBreakTheBaseline) {
  // A logo URL and a title with new lines: the stored baseline stays one value per line.
  const std::string page =
      "<html><head><title>Xã A\nsamples 999</title></head><body><header><img class=\"logo\" "
      "src=\"/l\no\rgo.png\"></header><footer>UBND</footer></body></html>";
  auto first = evaluate(page, std::nullopt);
  ASSERT_FALSE(first.baseline.empty());
  EXPECT_EQ(first.baseline.find("\nsamples 999"), std::string::npos) << first.baseline;
  auto second = evaluate(page, first.baseline);
  EXPECT_NE(second.baseline.find("samples 2\n"), std::string::npos) << second.baseline;
  // A stored background that is not a colour is ignored, not a crash.
  const std::string odd = "vigil-deface-baseline 1\nsamples 3\nbackground #zz00zz\nheader 3 0:header\n";
  EXPECT_TRUE(has(evaluate(kDefaced, odd), "signature", Severity::kCritical));
}

TEST(Defacement, SignatureCatalogErrorsNameTheEntry) {
  EXPECT_FALSE(DefacementSignatures::parse("", "x.toml").ok());
  auto unknown = DefacementSignatures::parse("[[phrase]]\ntext = \"a\"\nweight = 2\n", "x.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("x.toml: phrase 1"), std::string::npos) << unknown.error().message;
  auto empty = DefacementSignatures::parse("[[phrase]]\nstrong = false\n", "x.toml");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("'text' is missing"), std::string::npos);
  auto dark = DefacementSignatures::parse("[replaced_page]\ndark_max = 300\n[[phrase]]\ntext = \"a\"\n", "x.toml");
  ASSERT_FALSE(dark.ok());
  EXPECT_NE(dark.error().message.find("dark_max"), std::string::npos);
  // Diacritics-folded matching and word boundaries.
  EXPECT_EQ(signatures().find("Website nay bi hack boi nhom X").size(), 1u);
  EXPECT_TRUE(signatures().find("unhacked byproducts").empty());
}

class DefacementSites : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    globalInit();
    sites_ = new test::ContentSites();
  }
  static void TearDownTestSuite() {
    delete sites_;
    sites_ = nullptr;
  }
  static test::ContentSites* sites_;
};
test::ContentSites* DefacementSites::sites_ = nullptr;

TEST_F(DefacementSites, PortalSampledThenLogoReplacedThenDefaced) {
  ASSERT_EQ(sites_->error(), "");
  FetchOptions fetch;
  fetch.allowPrivate = true;
  const std::string url = sites_->origin("portal") + "/";
  sites_->write("portal", "logo.png", std::string("\x89PNG\r\n\x1a\n", 8) + "commune logo v1");
  std::optional<std::string> baseline;
  for (uint32_t day = 1; day <= 4; ++day) {
    sites_->write("portal", "index.html", portal(day * 17));
    auto r = checkDefacement(url, fetch, signatures(), baseline);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->findings.empty()) << "day " << day << ": " << r->findings.front().summary;
    baseline = r->baseline;
  }
  EXPECT_NE(baseline->find("logo "), std::string::npos) << "the logo hash is learned";

  sites_->write("portal", "logo.png", std::string("\x89PNG\r\n\x1a\n", 8) + "someone else's logo");
  sites_->write("portal", "index.html", portal(500));
  auto logo = checkDefacement(url, fetch, signatures(), baseline);
  ASSERT_TRUE(logo.ok()) << logo.error().message;
  EXPECT_TRUE(has(*logo, "logo_changed", Severity::kMedium));

  sites_->write("portal", "index.html", kDefaced);
  auto defaced = checkDefacement(url, fetch, signatures(), baseline);
  ASSERT_TRUE(defaced.ok()) << defaced.error().message;
  EXPECT_TRUE(has(*defaced, "signature", Severity::kCritical));
  EXPECT_TRUE(has(*defaced, "structure_changed", Severity::kHigh));
  EXPECT_TRUE(hasHighSeverity(defaced->findings));

  // An unreachable page is an error, not a finding.
  EXPECT_FALSE(checkDefacement(sites_->origin("portal") + "/missing.html", fetch, signatures(), baseline).ok());
}

}  // namespace
}  // namespace vigil::webmon
