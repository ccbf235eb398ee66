// Test web sites for the web-portal monitor: Debian's nginx run as a child process on 127.0.0.1
// with a configuration and content written into a temporary directory, and certificates made at
// start with the OpenSSL API (a test CA, a clean leaf, an expired leaf, a self-signed one, DH
// parameters of 1536 bits). One instance per test suite (SetUpTestSuite); the destructor stops
// nginx and removes the directory. Every site has its own port (free ports picked at start).
//
// Sites (what is planted is what the tests expect to be found):
//   clean       https, TLS 1.2/1.3 AEAD + ECDHE, CA-signed RSA 2048 (90 days), every security
//               header, a session cookie with all flags, http entry redirecting to https, a
//               page whose visible news text mentions "cá cược" (a warning article: must not
//               raise anything); nothing to find.
//   clean_http  the clean site's plain-HTTP entry (301 to https).
//   legacy      https, TLS 1.0/1.1/1.2, RSA key exchange and CBC suites, DHE with a 1536-bit
//               group; CA-signed certificate.
//   expired     https, TLS 1.2/1.3, CA-signed certificate that expired 10 days ago.
//   selfsigned  https, TLS 1.2/1.3, self-signed RSA 3072 certificate.
//   noheaders   https (clean TLS), no security header, a session cookie without flags.
//   exposed     http, /.git/HEAD + config, /.env, /backup.zip, /phpinfo.php, /uploads/ listing,
//               server_tokens on (nginx version disclosed).
//   spam        http: /hidden.html (hidden gambling links: <style> class, inline style,
//               off-screen, same colour, font-size 0), /title.html (spam title and meta),
//               /dropper.html (atob + long base64), /refjs.html (referrer-conditional JS
//               redirect), /broken.html (broken HTML and CSS hiding a link), /charset.html
//               (declared ISO-8859-1, UTF-8 bytes).
//   cloak       http: Googlebot gets other content; a Google or Cốc Cốc referrer is redirected to
//               http://localhost:<port>/landing (another host).
//   bad         http: /loop (endless redirect), /big (50 MB), /slow (100 bytes/s), and a virtual
//               host xn--bcher-kva.test (bücher.test) answering "IDN site".
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "webmon/nginx_process.h"

namespace vigil::webmon::test {

class TestSites {
 public:
  // Starts nginx; on failure `error()` says why (tests then fail with it).
  TestSites();
  ~TestSites();
  TestSites(const TestSites&) = delete;
  TestSites& operator=(const TestSites&) = delete;

  const std::string& error() const { return error_; }
  int port(const std::string& site) const { return ports_.at(site); }
  // "https://127.0.0.1:<port>" or "http://..." for the site, no trailing slash.
  std::string origin(const std::string& site) const;
  std::string caFile() const { return (dir_ / "ca.pem").string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  // Writes the certificates and the sites' files into dir_ and returns nginx's configuration;
  // sets error_ (and returns "") on failure.
  std::string build();

  std::filesystem::path dir_;
  std::map<std::string, int> ports_;
  NginxProcess nginx_;
  std::string error_;
};

}  // namespace vigil::webmon::test
