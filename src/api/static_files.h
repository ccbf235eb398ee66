// StaticFiles: the built web UI, read into memory once at start. Only files found under the web
// root at start can ever be served, so no request path can reach outside it. Unknown paths
// without a file extension get index.html (the single-page app routes them). Thread-safe after
// construction.
#pragma once

#include <map>
#include <string>

#include "http/message.h"

namespace vigil::api {

class StaticFiles {
 public:
  // Loads every regular file below `root` (up to 64 MiB in all). Missing root: nothing served.
  explicit StaticFiles(const std::string& root);
  bool empty() const { return files_.empty(); }
  size_t size() const { return files_.size(); }
  // GET/HEAD of `path`; 404 when unknown.
  http::Response serve(const http::Request& req) const;

 private:
  struct File {
    std::string body;
    std::string contentType;
    std::string etag;
  };
  std::map<std::string, File> files_;  // key: "/assets/x.js"
};

std::string contentTypeFor(const std::string& path);

}  // namespace vigil::api
