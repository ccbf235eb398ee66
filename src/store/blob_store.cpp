#include "store/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string hexOf(std::string_view raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

Error ioError(const std::string& what, const std::string& path) {
  return Error::internal(what + " " + path + ": " + std::strerror(errno));
}

// Writes `bytes` to `path` and flushes them to the disk.
Status writeSynced(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ioError("cannot create", path);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = ioError("cannot write", path);
      ::close(fd);
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Error e = ioError("cannot sync", path);
    ::close(fd);
    return e;
  }
  if (::close(fd) != 0) return ioError("cannot close", path);
  return {};
}

void syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

std::optional<std::string> BlobStore::detectContentType(std::string_view b) {
  if (startsWith(b, "%PDF-")) return "application/pdf";
  if (startsWith(b, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (startsWith(b, "\xFF\xD8\xFF")) return "image/jpeg";
  if (startsWith(b, std::string_view("PK\x03\x04", 4))) {
    // Office Open XML: a ZIP whose entry names (stored uncompressed in the headers) show the kind.
    if (b.find("[Content_Types].xml") != std::string_view::npos) {
      if (b.find("word/") != std::string_view::npos) return kDocx;
      if (b.find("xl/") != std::string_view::npos) return kXlsx;
    }
    return "application/zip";
  }
  return std::nullopt;
}

std::string BlobStore::pathOf(const std::string& h) const { return (fs::path(dir_) / h.substr(0, 2) / h).string(); }

Result<StoredBlob> BlobStore::put(std::string_view bytes) const {
  if (bytes.empty()) return Error::of(ErrorCode::kUnsupportedMediaType, "the file is empty");
  if (static_cast<int64_t>(bytes.size()) > maxBytes_)
    return Error::of(ErrorCode::kPayloadTooLarge, "the file has " + std::to_string(bytes.size()) +
                                                      " bytes; the limit is " + std::to_string(maxBytes_) + " bytes");
  auto type = detectContentType(bytes);
  if (!type && policy_ == TypePolicy::kAnyType) type = "application/octet-stream";
  if (!type)
    return Error::of(ErrorCode::kUnsupportedMediaType,
                     "the file is not a PDF, DOCX, XLSX, PNG, JPEG or ZIP file (checked by its content)");
  StoredBlob out{hexOf(crypto::sha256(bytes)), static_cast<int64_t>(bytes.size()), *type};
  const std::string final = pathOf(out.sha256);
  std::error_code ec;
  if (fs::exists(final, ec)) return out;  // same content already stored
  const fs::path tmpDir = fs::path(dir_) / "tmp";
  fs::create_directories(tmpDir, ec);
  if (ec) return Error::internal("cannot create " + tmpDir.string() + ": " + ec.message());
  fs::create_directories(fs::path(final).parent_path(), ec);
  if (ec) return Error::internal("cannot create " + fs::path(final).parent_path().string() + ": " + ec.message());
  const std::string tmp = (tmpDir / (out.sha256 + "." + hexOf(crypto::randomBytes(8)))).string();
  if (auto st = writeSynced(tmp, bytes); !st.ok()) {
    fs::remove(tmp, ec);
    return st.takeError();
  }
  if (::rename(tmp.c_str(), final.c_str()) != 0) {
    Error e = ioError("cannot move the file into", final);
    fs::remove(tmp, ec);
    return e;
  }
  syncDirectory(fs::path(final).parent_path().string());
  return out;
}

Result<std::string> BlobStore::get(const std::string& h) const {
  if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Error::validation("sha256", "must be 64 lower-case hex digits");
  std::ifstream in(pathOf(h), std::ios::binary);
  if (!in) return Error::notFound("no stored file with SHA-256 " + h);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<StoredBlob> BlobStore::rehash(const std::string& h) const {
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, get(h));
  auto type = detectContentType(bytes);
  return StoredBlob{hexOf(crypto::sha256(bytes)), static_cast<int64_t>(bytes.size()),
                    type ? *type : "application/octet-stream"};
}

}  // namespace vigil
