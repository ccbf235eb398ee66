#include "webmon/content_sites.h"

#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace vigil::webmon::test {

namespace fs = std::filesystem;

std::string gzipData(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = deflate(&zs, Z_FINISH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  deflateEnd(&zs);
  return out;
}

ContentSites::ContentSites() {
  char tmpl[] = "/tmp/vigil-webmon-content-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  for (const char* s : {"portal", "crawl", "hostile"}) {
    ports_[s] = freeLoopbackPort();
    fs::create_directories(dir_ / "www" / s);
  }
  const std::string d = dir_.string();
  std::ostringstream c;
  c << " default_type application/octet-stream;\n access_log off;\n"
    << " server { listen 127.0.0.1:" << ports_["portal"] << "; root " << d << "/www/portal; }\n"
    << " server { listen 127.0.0.1:" << ports_["crawl"] << "; root " << d << "/www/crawl;\n"
    << "  location ~ \\.gz$ { types { } default_type application/gzip; } }\n"
    << " server { listen 127.0.0.1:" << ports_["hostile"] << "; root " << d << "/www/hostile;\n"
    << "  location /maze/ { default_type text/html; return 200 '<html><head><title>maze</title></head><body>"
    << "<a href=\"$uri/a\">a</a> <a href=\"$uri/b\">b</a></body></html>'; } }\n";
  std::vector<std::string> listen;
  for (const auto& [name, port] : ports_) listen.push_back("127.0.0.1:" + std::to_string(port));
  error_ = nginx_.start(dir_, nginxConfig(dir_, 256, c.str()), listen);
}

ContentSites::~ContentSites() {
  nginx_.stop();  // before its directory goes
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string ContentSites::origin(const std::string& site) const {
  return "http://127.0.0.1:" + std::to_string(ports_.at(site));
}

void ContentSites::write(const std::string& site, const std::string& path, std::string_view content) const {
  const fs::path p = dir_ / "www" / site / path;
  fs::create_directories(p.parent_path());
  // Written to a temporary name and renamed, so nginx never serves a half-written file.
  const fs::path tmp = p.string() + ".tmp";
  std::ofstream(tmp, std::ios::binary) << content;
  fs::rename(tmp, p);
}

}  // namespace vigil::webmon::test
