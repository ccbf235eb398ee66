#include "api/static_files.h"

#include <filesystem>
#include <fstream>

#include "core/crypto.h"

namespace vigil::api {

std::string contentTypeFor(const std::string& path) {
  auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return;
  size_t total = 0;
  const fs::path base = fs::canonical(root, ec);
  for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    total += body.size();
    if (total > (64u << 20)) break;
    std::string key = "/";
    key += fs::relative(it->path(), base, ec).generic_string();
    File f{std::move(body), contentTypeFor(key), ""};
    f.etag = "\"" + crypto::sha256Hex(f.body).substr(0, 16) + "\"";
    files_.emplace(std::move(key), std::move(f));
  }
}

http::Response StaticFiles::serve(const http::Request& req) const {
  std::string path = req.path == "/" ? "/index.html" : req.path;
  auto it = files_.find(path);
  bool spaFallback = false;
  if (it == files_.end()) {
    auto slash = path.rfind('/');
    if (path.find('.', slash) != std::string::npos) return http::Response::text(404, "not found\n");
    it = files_.find("/index.html");
    spaFallback = true;
    if (it == files_.end()) return http::Response::text(404, "the web UI is not built (run make)\n");
  }
  const File& f = it->second;
  http::Response r;
  r.setHeader("Content-Type", f.contentType);
  r.setHeader("ETag", f.etag);
  // Vite puts a content hash in every asset name, so assets can be cached for good.
  const bool immutable = !spaFallback && path.rfind("/assets/", 0) == 0;
  r.setHeader("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (req.header("if-none-match") == f.etag) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.body = f.body;  // for HEAD the server sends the headers (with this length) and no body
  return r;
}

}  // namespace vigil::api
