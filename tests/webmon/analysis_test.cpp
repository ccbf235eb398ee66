// Unit tables of the pure parts: lexicon normalisation and context, CSS hiding reasons, CSP
// parsing and the Observatory score, address classification, TLS grading from a report.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "webmon/checks.h"
#include "webmon/css.h"
#include "webmon/lexicon.h"
#include "webmon/page.h"
#include "webmon/tls.h"

namespace vigil::webmon {
namespace {

Lexicon lexicon() {
  auto lex = Lexicon::load(VIGIL_WEBMON_CATALOG_DIR "/lexicon.toml");
  EXPECT_TRUE(lex.ok()) << (lex.ok() ? "" : lex.error().message);
  return std::move(*lex);
}

TEST(Lexicon, NormalisationForms) {
  EXPECT_EQ(normalizeText("  Cá   Cược\t"), "cá cược");
  EXPECT_EQ(normalizeText("ca\xCC\x81 c\xC6\xB0\xC6\xA1\xCC\x80\x63"), "cá cườc");  // NFD -> NFC
  EXPECT_EQ(normalizeText("nh\xE2\x80\x8B\xC3\xA0 c\xC3\xA1i"), "nhà cái");         // zero-width space
  EXPECT_EQ(foldText("Nổ Hũ"), "no hu");
  EXPECT_EQ(foldText("Lô Đề"), "lo de");
}

TEST(Lexicon, FindsEveryWrittenForm) {
  const Lexicon lex = lexicon();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Nhà cái uy tín", "nhà cái"},   {"NHA CAI uy tin", "nhà cái"}, {"ca cuoc bong da", "cá cược"},
      {"nổ  hũ đổi thưởng", "nổ hũ"},  {"tai xiu online", "tài xỉu"}, {"Game Bài đổi thưởng", "game bài"},
      {"casino trực tuyến", "casino"}, {"slot game", "slot"},         {"c\xE2\x80\x8B\x61sino", "casino"},
  };
  for (const auto& [text, term] : cases) {
    const auto hits = lex.find(text);
    bool found = false;
    for (const auto& h : hits) found = found || h.term == term;
    EXPECT_TRUE(found) << text << " should contain " << term;
  }
  // Word boundaries: "slot" is not found inside "timeslots"; "jav" is not folded.
  EXPECT_TRUE(lex.find("timeslots of the meeting").empty());
  EXPECT_TRUE(lex.find("javascript").empty());
  const auto urls = lex.findInUrl("https://nhacai88.bet/");
  ASSERT_FALSE(urls.empty());
}

TEST(Lexicon, BadFilesGetClearErrors) {
  auto noTerms = Lexicon::parse("x = 1\n", "mem.toml");
  ASSERT_FALSE(noTerms.ok());
  EXPECT_NE(noTerms.error().message.find("no [[term]]"), std::string::npos);
  auto noCategory = Lexicon::parse("[[term]]\ntext = \"casino\"\n", "mem.toml");
  ASSERT_FALSE(noCategory.ok());
  EXPECT_NE(noCategory.error().message.find("term 1"), std::string::npos) << noCategory.error().message;
  auto unknown = Lexicon::parse("[[term]]\ntext = \"a\"\ncategory = \"g\"\nweight = 3\n", "mem.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("weight"), std::string::npos);
  auto syntax = Lexicon::parse("[[term]\n", "mem.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message.find("line 1"), std::string::npos) << syntax.error().message;
}

TEST(Css, HidingReasons) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"display: none", "display:none"},
      {"visibility:hidden", "visibility:hidden"},
      {"opacity: 0", "opacity:0"},
      {"opacity: .0", "opacity:.0"},
      {"font-size:0", "font-size:0"},
      {"position:absolute; left:-5000px", "off-screen left:-5000px"},
      {"position:fixed; top:-100em", "off-screen top:-100em"},
      {"text-indent:-9999px", "text-indent:-9999px"},
      {"height:1px; overflow:hidden", "height:1px with overflow:hidden"},
      {"position:absolute; clip:rect(0 0 0 0)", "clip:rect(0 0 0 0)"},
      {"display:NONE !important", "display:none"},
      {"display:block", ""},
      {"opacity:0.5", ""},
      {"position:relative; left:-9999px", ""},
      {"height:200px; overflow:hidden", ""},
      {"font-size:12px", ""},
  };
  for (const auto& [decl, reason] : cases) EXPECT_EQ(css::hidingReason(css::parseDeclarations(decl)), reason) << decl;
}

TEST(Css, StyleSheetSkipsAtRulesAndPseudoClasses) {
  const auto rules = css::parseStyleSheet(
      "/* c */ @import url(x.css); .a{display:none} @media print{.b{display:none}} .c:hover{display:none} "
      "div > .d, #e span { visibility:hidden } .broken{display:none");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].selectors[0][0].classes[0], "a");
  EXPECT_EQ(rules[1].selectors.size(), 2u);
  EXPECT_EQ(rules[2].declarations.at("display"), "none");
  EXPECT_EQ(css::normalizeColor("#FFF"), "#ffffff");
  EXPECT_EQ(css::normalizeColor("rgb(255, 255, 255)"), "#ffffff");
  EXPECT_EQ(css::normalizeColor("White"), "#ffffff");
  EXPECT_EQ(css::normalizeColor("hsl(0,0%,100%)"), "");
}

TEST(Page, ContextDecidesWhetherTermsCount) {
  const Lexicon lex = lexicon();
  // Visible article text about betting (a police warning) raises nothing.
  const auto visible = analyzePage("<title>Công an xã</title><p>Không tham gia cá cược, tài xỉu, nổ hũ trên mạng.</p>",
                                   "https://xa.gov.vn/");
  for (const auto& f : pageFindings(visible, "https://xa.gov.vn/", lex, {}, "utf-8"))
    EXPECT_EQ(f.severity, Severity::kInfo) << toJsonLine(f);
  // The same words hidden, in the title, or on an external link do.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"<div style='display:none'>cá cược</div>", "hidden_text"},
      {"<title>Nhà cái uy tín</title>", "spam_in_title_meta"},
      {"<meta name=keywords content='game bai doi thuong'>", "spam_in_title_meta"},
      {"<a href='https://w88.bet/'>nhà cái</a>", "spam_link"},
      {"<a href='https://nhacai88.com/'>Xem thêm</a>", "spam_link"},
      {"<meta http-equiv=refresh content='0;url=https://fb88casino.bet/'>", "meta_refresh_external"},
      {"<script>if(navigator.userAgent.match(/bot/))top.location='https://x.bet'</script>",
       "script_conditional_redirect"},
  };
  for (const auto& [html, id] : cases) {
    const auto facts = analyzePage(html, "https://xa.gov.vn/");
    bool found = false;
    for (const auto& f : pageFindings(facts, "https://xa.gov.vn/", lex, {}, "utf-8")) found = found || f.id == id;
    EXPECT_TRUE(found) << html << " -> " << id;
  }
}

TEST(Page, LinksAndInternalHiddenMenus) {
  const auto facts = analyzePage(
      "<style>.sub{display:none}</style><ul class=sub><li><a href='/gioi-thieu'>Giới thiệu</a></ul>"
      "<a href='//www.xa.gov.vn/x'>a</a><a href='https://cdn.xa.gov.vn/y'>b</a><a href='https://other.vn/'>c</a>"
      "<a href='javascript:void(0)'>d</a><iframe src='https://ads.example/'></iframe>",
      "https://xa.gov.vn/");
  EXPECT_EQ(facts.outboundDomains, (std::set<std::string>{"ads.example", "other.vn"}));
  ASSERT_EQ(facts.hidden.size(), 1u);
  EXPECT_EQ(facts.hidden[0].links.size(), 1u);
  EXPECT_EQ(facts.visibleText, "a b c d");
}

TEST(Finding, JsonLineKeepsValidTextAndReplacesBadBytes) {
  Finding f{"page", "x", Severity::kLow, "https://xa.gov.vn/", "Nhà cái \xff end", {{"k", "v\xc3"}}};
  const std::string line = toJsonLine(f);
  EXPECT_NE(line.find("Nhà cái \xEF\xBF\xBD end"), std::string::npos) << line;
  EXPECT_NE(line.find("\"k\":\"v\xEF\xBF\xBD\""), std::string::npos) << line;
}

TEST(Page, Similarity) {
  EXPECT_DOUBLE_EQ(textSimilarity("", ""), 1.0);
  EXPECT_DOUBLE_EQ(textSimilarity("một hai ba bốn năm", "một hai ba bốn năm"), 1.0);
  EXPECT_LT(textSimilarity("thông báo tuyển sinh lớp 10 năm học mới", "nhà cái uy tín cá cược bóng đá hôm nay"), 0.1);
}

TEST(Headers, CspParsingAndScore) {
  const Csp csp = parseCsp("default-src 'self'; script-src 'self' 'unsafe-inline' https:; ; img-src *");
  ASSERT_EQ(csp.size(), 3u);
  EXPECT_EQ(csp[1].first, "script-src");
  EXPECT_EQ(csp[1].second.size(), 3u);

  FetchResult r;
  r.finalUrl = "https://xa.gov.vn/";
  r.status = 200;
  r.headers = {{"content-security-policy", "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'"},
               {"strict-transport-security", "max-age=300"},
               {"x-frame-options", "SAMEORIGIN"},
               {"referrer-policy", "unsafe-url"},
               {"set-cookie", "PHPSESSID=1; path=/"}};
  const HeaderReport rep = scoreHeaders(r, nullptr, r.finalUrl);
  // -20 unsafe-inline, -10 unsafe-eval, -40 session cookie without Secure... HSTS present so -10,
  // -30 without HttpOnly, 0 no SameSite, -10 short HSTS, -5 unsafe referrer, -5 no nosniff.
  int sum = 0;
  for (const auto& i : rep.items) sum += i.points;
  EXPECT_EQ(sum, -20 - 10 - 10 - 30 - 10 - 5 - 5);
  EXPECT_EQ(rep.score, 100 + sum);
  EXPECT_EQ(rep.grade, "F");
  EXPECT_EQ(hstsMaxAge("max-age=\"31536000\"; includeSubDomains"), 31536000);
  EXPECT_FALSE(hstsMaxAge("includeSubDomains").has_value());
}

TEST(Fetcher, AddressClassification) {
  auto v4 = [](const char* ip) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a.sin_addr);
    return isNonPublicAddress(reinterpret_cast<sockaddr*>(&a));
  };
  auto v6 = [](const char* ip) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return isNonPublicAddress(reinterpret_cast<sockaddr*>(&a));
  };
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                         "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255"})
    EXPECT_TRUE(v4(ip)) << ip;
  for (const char* ip : {"8.8.8.8", "14.225.0.1", "172.32.0.1", "203.162.4.190"}) EXPECT_FALSE(v4(ip)) << ip;
  for (const char* ip :
       {"::1", "::", "fc00::1", "fd12::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1"})
    EXPECT_TRUE(v6(ip)) << ip;
  for (const char* ip : {"2001:4860:4860::8888", "::ffff:8.8.8.8"}) EXPECT_FALSE(v6(ip)) << ip;
}

TEST(Tls, GradeCapsFromAReport) {
  auto base = [] {
    TlsReport r;
    r.host = "xa.gov.vn";
    r.protocols = {{"SSLv3", false, false},
                   {"TLSv1.0", true, false},
                   {"TLSv1.1", true, false},
                   {"TLSv1.2", true, true},
                   {"TLSv1.3", true, true}};
    r.ciphers = {{"TLSv1.3", "TLS_AES_256_GCM_SHA384", 256, true, true, "any", "X25519", 253},
                 {"TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 128, true, true, "ECDHE", "X25519", 253}};
    TlsCertificate c;
    c.keyType = "RSA";
    c.keyBits = 2048;
    c.trusted = true;
    c.hostnameMatch = true;
    c.lifetimeDays = 90;
    c.daysLeft = 60;
    c.signature = "sha256WithRSAEncryption";
    r.certificate = c;
    return r;
  };
  struct Case {
    std::string name;
    std::function<void(TlsReport&)> change;
    std::optional<long> hsts;
    std::string grade;
  };
  const std::vector<Case> cases = {
      {"clean", [](TlsReport&) {}, 31536000, "A+"},
      {"no hsts", [](TlsReport&) {}, std::nullopt, "A-"},
      {"tls 1.0", [](TlsReport& r) { r.protocols[1].offered = true; }, 31536000, "B"},
      {"no tls 1.2",
       [](TlsReport& r) {
         r.protocols[3].offered = false;
         r.ciphers.pop_back();
       },
       31536000, "C"},
      {"rsa 1024", [](TlsReport& r) { r.certificate->keyBits = 1024; }, 31536000, "B"},
      {"rsa 512", [](TlsReport& r) { r.certificate->keyBits = 512; }, 31536000, "F"},
      {"expired", [](TlsReport& r) { r.certificate->expired = true; }, 31536000, "T"},
      {"mismatch", [](TlsReport& r) { r.certificate->hostnameMatch = false; }, 31536000, "M"},
      {"no fs",
       [](TlsReport& r) {
         r.ciphers = {{"TLSv1.2", "AES128-GCM-SHA256", 128, false, true, "RSA", "", 0}};
         r.protocols[4].offered = false;
       },
       31536000, "B"},
  };
  for (const auto& c : cases) {
    TlsReport r = base();
    c.change(r);
    gradeTls(r, c.hsts);
    EXPECT_EQ(r.grade, c.grade) << c.name;
  }
  TlsReport legacy = base();
  legacy.protocols[1].offered = true;
  legacy.ciphers.push_back({"TLSv1.2", "AES128-SHA", 128, false, false, "RSA", "", 0});
  gradeTls(legacy, 31536000);
  EXPECT_FALSE(legacy.mozillaIntermediate);
  EXPECT_EQ(legacy.mozillaOffending, (std::vector<std::string>{"cipher AES128-SHA (TLSv1.2)", "protocol TLSv1.0"}));
}

TEST(Eol, VersionsMatchTheLongestCycle) {
  auto eol = EolData::load(VIGIL_WEBMON_CATALOG_DIR "/eol.toml");
  ASSERT_TRUE(eol.ok()) << eol.error().message;
  ASSERT_NE(eol->find("php", "7.4.3"), nullptr);
  EXPECT_EQ(eol->find("php", "7.4.3")->eol, "2022-11-28");
  EXPECT_EQ(eol->find("php", "7.40.1"), nullptr);
  EXPECT_EQ(eol->find("nginx", "1.22.1")->cycle, "1.22");
  EXPECT_EQ(eol->find("nginx", "1.27.0"), nullptr);
  auto bad = EolData::parse("[[product]]\nname = \"x\"\ncycles = [ { cycle = \"1\", eol = \"soon\" } ]\n", "mem.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("YYYY-MM-DD"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace vigil::webmon
