// EvidenceVault: what the incident routes call to keep evidence. It joins the content-addressed
// file store (BlobStore under <data_dir>/evidence/, any file type, the size limit of
// evidence.max_file_bytes) and the EvidenceStore records (metadata, custody log, audit).
//
// Seam for the incident routes (issue 4): POST .../incidents/{id}/evidence -> collect();
// GET .../evidence/{id}/verify -> verify(); POST .../custody -> EvidenceStore::addCustodyEntry;
// GET .../incidents/{id}/evidence/bundle -> exportBundle(). The route passes the incident's
// organisation until the store reads it from the incidents table (store/evidence_store.h).
//
// Order of a collection: the file is written first (temp file, fsync, rename: nothing partial is
// ever visible), then the record. If the record is refused, the file stays as an unreferenced
// blob (content-addressed, so a retry or the same content elsewhere reuses it). A file over the
// limit is refused before anything is written. Thread-safe (the store and the blob store are).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "evidence/bundle.h"
#include "store/blob_store.h"
#include "store/evidence_store.h"

namespace vigil::evidence {

// The result of hashing a stored item again.
struct ItemVerification {
  int64_t id = 0;
  bool intact = false;
  std::string recordedSha256, actualSha256;  // actual empty when the file is missing
  int64_t recordedSize = 0, actualSize = 0;
  std::string detail;
};

class EvidenceVault {
 public:
  // `dir`: <data_dir>/evidence; `maxFileBytes`: evidence.max_file_bytes.
  EvidenceVault(EvidenceStore& store, std::string dir, int64_t maxFileBytes)
      : store_(store), blobs_(std::move(dir), maxFileBytes, BlobStore::TypePolicy::kAnyType) {}

  // Stores `bytes` and records the item with its "collected" custody entry. The draft's sha256,
  // size and (when empty) media type are filled from the bytes. kPayloadTooLarge over the limit
  // (nothing stored), kUnsupportedMediaType for an empty file, or the store's errors.
  Result<EvidenceItem> collect(const Actor& actor, EvidenceDraft draft, std::string_view bytes);

  // The stored bytes of an item the actor may read.
  Result<std::string> content(const Actor& actor, int64_t id);

  // Hashes the stored file of an item again and compares with its record (size and SHA-256).
  // A missing or changed file is reported (intact = false), not an error.
  Result<ItemVerification> verify(const Actor& actor, int64_t id);

  // A bundle of every item of an incident the actor may read, each file checked against its
  // record first; records an "exported" custody entry on each item (to `recipient`, `reason`,
  // naming the manifest's SHA-256) in the store. kValidation when the incident has no item or
  // the recipient or reason is empty; kConflict when a stored file no longer matches its record.
  Result<BuiltBundle> exportBundle(const Actor& actor, int64_t incidentId, const std::string& recipient,
                                   const std::string& reason, const BundleHeader& header);

  const BlobStore& blobs() const { return blobs_; }

 private:
  EvidenceStore& store_;
  BlobStore blobs_;
};

}  // namespace vigil::evidence
