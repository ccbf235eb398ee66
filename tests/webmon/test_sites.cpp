#include "webmon/test_sites.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace vigil::webmon::test {

namespace fs = std::filesystem;

namespace {

void writeFile(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
}

struct Key {
  EVP_PKEY* k = nullptr;
  ~Key() { EVP_PKEY_free(k); }
};
struct Cert {
  X509* x = nullptr;
  ~Cert() { X509_free(x); }
};

void addExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
}

// A certificate for `key` valid from now+fromDays to now+toDays, signed by issuer (or itself).
X509* makeCert(EVP_PKEY* key, const std::string& cn, EVP_PKEY* issuerKey, X509* issuer, long fromDays, long toDays,
               bool ca) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x), fromDays * 86400);
  X509_gmtime_adj(X509_getm_notAfter(x), toDays * 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("vigil tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : x;
  if (ca) {
    addExt(x, signer, NID_basic_constraints, "critical,CA:TRUE");
    addExt(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExt(x, signer, NID_basic_constraints, "CA:FALSE");
    addExt(x, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    if (issuer) addExt(x, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  }
  addExt(x, signer, NID_subject_key_identifier, "hash");
  X509_sign(x, issuerKey ? issuerKey : key, EVP_sha256());
  return x;
}

void writePem(const fs::path& p, X509* cert, EVP_PKEY* key, const fs::path& keyPath) {
  FILE* f = std::fopen(p.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  if (key) {
    FILE* k = std::fopen(keyPath.c_str(), "w");
    PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(k);
  }
}

bool writeDhParams(const fs::path& p) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr);
  if (!ctx || EVP_PKEY_paramgen_init(ctx) != 1) return false;
  char group[] = "modp_1536";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0), OSSL_PARAM_END};
  EVP_PKEY* key = nullptr;
  const bool ok = EVP_PKEY_CTX_set_params(ctx, params) == 1 && EVP_PKEY_paramgen(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return false;
  BIO* out = BIO_new_file(p.c_str(), "w");
  const bool written = out && PEM_write_bio_Parameters(out, key) == 1;
  BIO_free(out);
  EVP_PKEY_free(key);
  return written;
}

const char* kCleanPage = R"(<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Cổng thông tin điện tử xã An Bình</title>
<meta name="description" content="Tin tức và thông báo của Ủy ban nhân dân xã An Bình">
<link rel="stylesheet" href="/site.css">
<style>.submenu { display: none } .menu:hover .submenu { display: block }</style>
</head><body>
<header><nav class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc/">Tin tức</a>
<ul class="submenu"><li><a href="/gioi-thieu/">Giới thiệu</a></li><li><a href="/lien-he/">Liên hệ</a></li></ul></nav></header>
<main><article>
<h1>Cảnh báo về cá cược bóng đá trái phép</h1>
<p>Công an xã khuyến cáo người dân không tham gia cá cược, đánh bài hay tài xỉu trên mạng. Kết quả xổ số kiến thiết
được công bố trên trang của công ty xổ số.</p>
<p>Xem thêm trên <a href="https://chinhphu.vn/">Cổng thông tin điện tử Chính phủ</a>.</p>
</article></main>
<footer><p>Ủy ban nhân dân xã An Bình. Điện thoại: 0270 3 123 456.</p></footer>
</body></html>
)";

const char* kCleanCss =
    "body{color:#222;background:#fff}\n.submenu{display:none}\n.menu:hover .submenu{display:block}\n";

std::string base64(const std::string& s) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                       static_cast<unsigned char>(s[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == s.size()) {
    const unsigned v = static_cast<unsigned char>(s[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == s.size()) {
    const unsigned v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace

TestSites::TestSites() {
  char tmpl[] = "/tmp/vigil-webmon-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  const std::string config = build();
  if (!error_.empty()) return;
  std::vector<std::string> listen;
  for (const auto& [name, port] : ports_) listen.push_back("127.0.0.1:" + std::to_string(port));
  error_ = nginx_.start(dir_, config, listen);
}

TestSites::~TestSites() {
  nginx_.stop();  // before its directory goes
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string TestSites::origin(const std::string& site) const {
  const bool https =
      site == "clean" || site == "legacy" || site == "expired" || site == "selfsigned" || site == "noheaders";
  return std::string(https ? "https" : "http") + "://127.0.0.1:" + std::to_string(port(site));
}

std::string TestSites::build() {
  std::vector<int> held;
  for (const char* s : {"clean", "clean_http", "legacy", "expired", "selfsigned", "noheaders", "noheaders_http",
                        "exposed", "spam", "cloak", "bad"})
    ports_[s] = freeLoopbackPort(&held);
  for (int fd : held) ::close(fd);

  // Certificates: a CA; leaves signed by it (clean, expired); a self-signed RSA 3072 leaf.
  Key caKey{EVP_RSA_gen(2048)}, leafKey{EVP_RSA_gen(2048)}, selfKey{EVP_RSA_gen(3072)};
  if (!caKey.k || !leafKey.k || !selfKey.k) {
    error_ = "RSA key generation failed";
    return "";
  }
  Cert ca{makeCert(caKey.k, "vigil test CA", nullptr, nullptr, -1, 3650, true)};
  Cert leaf{makeCert(leafKey.k, "localhost", caKey.k, ca.x, -1, 89, false)};
  Cert expired{makeCert(leafKey.k, "localhost", caKey.k, ca.x, -100, -10, false)};
  Cert self{makeCert(selfKey.k, "localhost", nullptr, nullptr, -1, 89, false)};
  writePem(dir_ / "ca.pem", ca.x, nullptr, {});
  writePem(dir_ / "leaf.pem", leaf.x, leafKey.k, dir_ / "leaf.key");
  writePem(dir_ / "expired.pem", expired.x, nullptr, {});
  writePem(dir_ / "self.pem", self.x, selfKey.k, dir_ / "self.key");
  if (!writeDhParams(dir_ / "dh1536.pem")) {
    error_ = "DH parameter generation failed";
    return "";
  }

  const fs::path www = dir_ / "www";
  writeFile(www / "clean/index.html", kCleanPage);
  writeFile(www / "clean/site.css", kCleanCss);
  writeFile(www / "exposed/index.html",
            "<html><head><title>Sở Tư pháp</title></head><body><p>Trang chủ</p></body></html>");
  writeFile(www / "exposed/.git/HEAD", "ref: refs/heads/main\n");
  writeFile(www / "exposed/.git/config",
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote \"origin\"]\n\turl = "
            "git@example.org:portal.git\n");
  writeFile(www / "exposed/.env", "APP_ENV=production\nDB_HOST=10.0.0.5\nDB_PASSWORD=secret\n");
  writeFile(www / "exposed/backup.zip", std::string("PK\x03\x04", 4) + std::string(200, '\0'));
  writeFile(www / "exposed/phpinfo.php",
            "<html><body><h1 class=\"p\">PHP Version 7.4.3</h1><table><tr><td>PHP Extension</td><td>20190902</td></tr>"
            "</table></body></html>");
  writeFile(www / "exposed/uploads/report-2024.pdf", "%PDF-1.4\n");

  writeFile(www / "spam/hidden.html",
            R"(<!doctype html><html><head><meta charset="utf-8"><title>UBND huyện Hòa Bình</title>
<style>
body { color: #333; background: #fff; }
.sponsor { position: absolute; left: -9999px; top: 0 }
@media print { .noprint { display: none } }
</style></head><body>
<h1>Thông báo lịch tiếp công dân</h1>
<p>Lịch tiếp công dân tháng 11.</p>
<div class="sponsor"><a href="https://w88vn.bet/">nhà cái W88</a></div>
<div style="display:none"><a href="https://taixiu-online.club/">tài xỉu online</a> ca&#769; cươ&#768;c</div>
<p style="color:#ffffff;background-color:white"><a href="https://nohu.club/">nổ hũ đổi thưởng</a></p>
<span style="font-size:0px"><a href="https://casino-vn.example/">ca&#8203;sino</a></span>
<p class="noprint">In trang này</p>
</body></html>)");
  writeFile(www / "spam/linked.html", R"(<!doctype html><html><head><meta charset="utf-8"><title>Tin tức</title>
<link rel="stylesheet" href="/css/theme.css"></head><body><p>Tin tức trong tuần.</p>
<div class="promo-box"><a href="https://kubet-vn.club/">Kubet</a></div></body></html>)");
  writeFile(www / "spam/css/theme.css", "body{margin:0}\n.promo-box{height:0;overflow:hidden}\n");
  writeFile(www / "spam/title.html", R"(<!doctype html><html><head><meta charset="utf-8">
<title>UBND xã Tân Phú - Nhà cái uy tín số 1</title>
<meta name="description" content="Soi cầu lô đề miễn phí hôm nay"></head><body><p>Trang chủ</p></body></html>)");
  const std::string payload =
      R"(document.write('<a href="https://fb88.bet/">ca cuoc bong da</a>'); window.location="https://fb88.bet/";)";
  writeFile(www / "spam/dropper.html",
            "<!doctype html><html><head><title>Tin tức</title></head><body><p>Tin tức</p><script>var p=\"" +
                base64(payload) + "\";eval(atob(p));</script></body></html>");
  writeFile(www / "spam/refjs.html", R"(<!doctype html><html><head><title>Tin tức</title></head><body><p>Tin tức</p>
<script>
if (document.referrer.indexOf("google") >= 0 || document.referrer.indexOf("coccoc") >= 0) {
  window.location.href = "https://fb88.bet/";
}
</script></body></html>)");
  writeFile(www / "spam/broken.html",
            "<html><body><div class=x><p>Văn bản <b>chưa đóng <i>thẻ<table><td>ô"
            "<style>.x{display:none</style><a href=\"https://nhacai.bet/\">nhà cái</a></p");
  writeFile(www / "spam/charset.html",
            R"(<html><head><title>Thông báo</title></head><body><p>Thông báo của Ủy ban nhân dân.</p>
<div style="visibility:hidden">Cá cược bóng đá uy tín</div></body></html>)");
  writeFile(www / "cloak/index.html",
            R"(<!doctype html><html><head><meta charset="utf-8"><title>Sở Giáo dục và Đào tạo</title></head>
<body><h1>Sở Giáo dục và Đào tạo</h1><p>Thông báo tuyển sinh lớp 10 năm học mới. Lịch thi, hồ sơ và các mốc thời gian
được công bố tại đây. Phụ huynh và học sinh theo dõi thường xuyên để cập nhật.</p></body></html>)");
  writeFile(www / "cloak/bot.html",
            R"(<!doctype html><html><head><meta charset="utf-8"><title>Nhà cái uy tín - Cá cược bóng đá</title></head>
<body><h1>Top nhà cái uy tín</h1><p>Đăng ký tài khoản cá cược, nhận thưởng nổ hũ, tài xỉu mỗi ngày.</p>
<a href="https://w88vn.bet/">W88</a> <a href="https://fb88.bet/">FB88</a></body></html>)");
  writeFile(www / "bad/index.html", "<html><body>bad input site</body></html>");
  writeFile(www / "bad/slow.html", std::string(100 * 1024, 'a'));
  writeFile(www / "idn/index.html", "IDN site");
  {
    std::ofstream big(www / "bad/big.bin", std::ios::binary);
    big.seekp(50L * 1024 * 1024 - 1);
    big.put('\0');
  }

  const std::string d = dir_.string();
  auto p = [&](const char* s) { return std::to_string(ports_.at(s)); };
  const std::string tlsClean =
      "ssl_certificate " + d + "/leaf.pem; ssl_certificate_key " + d +
      "/leaf.key;\n ssl_protocols TLSv1.2 TLSv1.3;\n"
      " ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305;\n";
  const std::string goodHeaders = R"(
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header Content-Security-Policy "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header Cross-Origin-Resource-Policy same-origin always;
    add_header Set-Cookie "sessionid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax" always;
)";
  std::ostringstream c;
  c << " default_type application/octet-stream;\n access_log off;\n"
    // clean
    << " server { listen 127.0.0.1:" << p("clean") << " ssl; server_tokens off; " << tlsClean << " root " << d
    << "/www/clean;" << goodHeaders << " }\n"
    << " server { listen 127.0.0.1:" << p("clean_http")
    << "; server_tokens off; return 301 https://127.0.0.1:" << p("clean")
    << "$request_uri; }\n"
    // legacy
    << " server { listen 127.0.0.1:" << p("legacy") << " ssl; server_tokens off; ssl_certificate " << d
    << "/leaf.pem; ssl_certificate_key " << d << "/leaf.key; ssl_protocols TLSv1 TLSv1.1 TLSv1.2;"
    << " ssl_ciphers 'AES128-SHA:AES256-SHA:DHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA:@SECLEVEL=0';"
    << " ssl_dhparam " << d << "/dh1536.pem; root " << d
    << "/www/clean; }\n"
    // expired
    << " server { listen 127.0.0.1:" << p("expired") << " ssl; server_tokens off; ssl_certificate " << d
    << "/expired.pem; ssl_certificate_key " << d << "/leaf.key; ssl_protocols TLSv1.2 TLSv1.3; root " << d
    << "/www/clean; }\n"
    // selfsigned
    << " server { listen 127.0.0.1:" << p("selfsigned") << " ssl; server_tokens off; ssl_certificate " << d
    << "/self.pem; ssl_certificate_key " << d << "/self.key; ssl_protocols TLSv1.2 TLSv1.3; root " << d
    << "/www/clean; }\n"
    // noheaders (and its plain-HTTP entry that does not redirect)
    << " server { listen 127.0.0.1:" << p("noheaders") << " ssl; server_tokens off; " << tlsClean << " root " << d
    << "/www/clean; add_header Set-Cookie \"PHPSESSID=f00d; Path=/\"; }\n"
    << " server { listen 127.0.0.1:" << p("noheaders_http") << "; server_tokens off; root " << d
    << "/www/clean; }\n"
    // exposed
    << " server { listen 127.0.0.1:" << p("exposed") << "; server_tokens on; root " << d << "/www/exposed;"
    << " location /uploads/ { autoindex on; } location = /phpinfo.php { default_type text/html; } }\n"
    // spam
    << " server { listen 127.0.0.1:" << p("spam") << "; server_tokens off; root " << d << "/www/spam;"
    << " location = /charset.html { charset iso-8859-1; } }\n"
    // cloak
    << " server { listen 127.0.0.1:" << p("cloak") << "; server_tokens off; root " << d << "/www/cloak;\n"
    << "  location = / {\n"
    << "   if ($http_referer ~* \"(google\\.|coccoc\\.)\") { return 302 http://localhost:" << p("cloak")
    << "/landing; }\n"
    << "   if ($http_user_agent ~* googlebot) { rewrite ^ /bot.html last; }\n"
    << "   rewrite ^ /index.html last;\n  }\n"
    << "  location = /landing { default_type text/html; return 200 '<html><head><title>W88</title></head><body>nha "
       "cai</body></html>'; }\n }\n"
    // bad input
    << " server { listen 127.0.0.1:" << p("bad") << " default_server; server_tokens off; root " << d << "/www/bad;\n"
    << "  location = /loop { return 302 /loop; }\n"
    << "  location = /big { default_type text/html; try_files /big.bin =404; }\n"
    << "  location = /slow { default_type text/html; limit_rate 100; try_files /slow.html =404; }\n }\n"
    << " server { listen 127.0.0.1:" << p("bad") << "; server_name xn--bcher-kva.test; root " << d << "/www/idn; }\n";
  return nginxConfig(dir_, 256, c.str());
}

}  // namespace vigil::webmon::test
