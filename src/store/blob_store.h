// BlobStore: files (dossier attachments, evidence) kept content-addressed under a directory:
// `<dir>/<first 2 hex>/<sha256 hex>`. A file is written to `<dir>/tmp/`, fsynced, then renamed
// into place, so a reader never sees a partial file and a crash leaves only a temporary file.
// The same content is stored once. With TypePolicy::kDocuments (dossiers, assessments) only the
// types listed in detectContentType() are accepted, recognised by their magic bytes, not by the
// name or the declared type; with kAnyType (incident evidence: logs, captures, memory images)
// every non-empty file is kept, typed by its magic bytes or application/octet-stream.
// Thread-safe: writes go through unique temporary names and atomic renames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil {

struct StoredBlob {
  std::string sha256;  // lower-case hex
  int64_t size = 0;
  std::string contentType;  // as detected
};

class BlobStore {
 public:
  enum class TypePolicy { kDocuments, kAnyType };
  BlobStore(std::string dir, int64_t maxBytes, TypePolicy policy = TypePolicy::kDocuments)
      : dir_(std::move(dir)), maxBytes_(maxBytes), policy_(policy) {}

  // Stores `bytes`. Errors: kPayloadTooLarge over the size limit (message gives both sizes),
  // kUnsupportedMediaType for an empty file or a type not accepted, kInternal for I/O failures.
  Result<StoredBlob> put(std::string_view bytes) const;
  // The bytes of a stored blob; kNotFound when absent, kValidation for a malformed hash.
  Result<std::string> get(const std::string& sha256Hex) const;
  // Re-reads a stored blob and hashes it again: the SHA-256 (lower-case hex) and size of what is
  // on disk now, for comparison with the recorded ones. kNotFound when absent.
  Result<StoredBlob> rehash(const std::string& sha256Hex) const;
  int64_t maxBytes() const { return maxBytes_; }

  // The media type of `bytes` from their first bytes: application/pdf, image/png, image/jpeg,
  // and for ZIP containers the Office Open XML kind (DOCX, XLSX) or application/zip. nullopt for
  // anything else.
  static std::optional<std::string> detectContentType(std::string_view bytes);

 private:
  std::string pathOf(const std::string& sha256Hex) const;
  std::string dir_;
  int64_t maxBytes_;
  TypePolicy policy_;
};

}  // namespace vigil
