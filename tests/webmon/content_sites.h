// Plain-HTTP nginx test sites for the defacement and crawl tests (tests/webmon/defacement_test.cpp,
// tests/webmon/crawl_test.cpp), on 127.0.0.1 with one port per site. Separate from TestSites
// (test_sites.h) so that the content tests can rewrite a site's files between samples without
// touching the TLS and spam sites; nginx serves a rewritten file on the next request.
//
// Sites (content written by the tests through write()):
//   portal   a directory served as is (the defacement tests rewrite index.html and logo.png per
//            sample; the crawl tests put a site-wide injection there).
//   crawl    a directory served as is, with .xml.gz served as application/gzip.
//   hostile  a directory served as is, plus /maze/...: every URL answers an HTML page linking to
//            <its own URL>/a and <its own URL>/b (an endless link maze).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "webmon/nginx_process.h"

namespace vigil::webmon::test {

// gzip (RFC 1952) of `data`, with zlib; for the tests' .xml.gz files.
std::string gzipData(std::string_view data);

class ContentSites {
 public:
  // Starts nginx; on failure `error()` says why (tests then fail with it).
  ContentSites();
  ~ContentSites();
  ContentSites(const ContentSites&) = delete;
  ContentSites& operator=(const ContentSites&) = delete;

  const std::string& error() const { return error_; }
  // "http://127.0.0.1:<port>", no trailing slash.
  std::string origin(const std::string& site) const;
  // Writes (or replaces) a file of a site, e.g. write("portal", "index.html", html).
  void write(const std::string& site, const std::string& path, std::string_view content) const;

 private:
  std::filesystem::path dir_;
  std::map<std::string, int> ports_;
  NginxProcess nginx_;
  std::string error_;
};

}  // namespace vigil::webmon::test
