// An exclusive lock on <data_dir>/vigil.lock, held while the server runs, so that restore cannot
// pull the database out from under it and `vigil import` / `vigil search` do not open the event
// store a running server has open.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/result.h"

namespace vigil::app {

class DataDirLock {
 public:
  static Result<DataDirLock> acquire(const std::string& dataDir) {
    std::error_code ec;
    std::filesystem::create_directories(dataDir, ec);
    if (ec) return Error::internal("cannot create data directory " + dataDir + ": " + ec.message());
    const std::string path = (std::filesystem::path(dataDir) / "vigil.lock").string();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Error::internal("cannot open " + path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Error::conflict("another vigil process is using " + dataDir + " (stop the server first)");
    }
    return DataDirLock(fd);
  }
  DataDirLock(DataDirLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  ~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace vigil::app
