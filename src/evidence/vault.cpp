#include "evidence/vault.h"

namespace vigil::evidence {

Result<EvidenceItem> EvidenceVault::collect(const Actor& actor, EvidenceDraft draft, std::string_view bytes) {
  VIGIL_ASSIGN_OR_RETURN(StoredBlob stored, blobs_.put(bytes));
  draft.sha256 = stored.sha256;
  draft.size = stored.size;
  if (draft.mediaType.empty()) draft.mediaType = stored.contentType;
  return store_.addIncidentEvidence(actor, draft);
}

Result<std::string> EvidenceVault::content(const Actor& actor, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, store_.getIncidentEvidence(actor, id));
  return blobs_.get(e.sha256);
}

Result<ItemVerification> EvidenceVault::verify(const Actor& actor, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(EvidenceItem e, store_.getIncidentEvidence(actor, id));
  ItemVerification v{e.id, false, e.sha256, "", e.size, 0, ""};
  auto now = blobs_.rehash(e.sha256);
  if (!now.ok()) {
    if (now.error().code != ErrorCode::kNotFound) return now.takeError();
    v.detail = "the stored file is missing";
    return v;
  }
  v.actualSha256 = now->sha256;
  v.actualSize = now->size;
  v.intact = v.actualSha256 == v.recordedSha256 && v.actualSize == v.recordedSize;
  v.detail = v.intact ? "the stored file matches its record"
                      : "the stored file has changed: SHA-256 " + v.actualSha256 + " (" + std::to_string(v.actualSize) +
                            " bytes), recorded " + v.recordedSha256 + " (" + std::to_string(v.recordedSize) + " bytes)";
  return v;
}

Result<BuiltBundle> EvidenceVault::exportBundle(const Actor& actor, int64_t incidentId, const std::string& recipient,
                                                const std::string& reason, const BundleHeader& header) {
  if (recipient.empty()) return Error::validation("to", "is required: who receives the bundle");
  if (reason.empty()) return Error::validation("reason", "is required: why the bundle is handed over");
  VIGIL_ASSIGN_OR_RETURN(auto items, store_.listIncidentEvidence(actor, incidentId));
  std::vector<BundleFile> files;
  files.reserve(items.size());
  for (auto& e : items) {
    auto bytes = blobs_.get(e.sha256);
    if (!bytes.ok())
      return Error::conflict("evidence item " + std::to_string(e.id) + " (" + e.name +
                             "): its stored file cannot be read: " + bytes.error().message);
    files.push_back({std::move(e), std::move(*bytes)});
  }
  VIGIL_ASSIGN_OR_RETURN(BuiltBundle bundle, buildBundle(header, files));
  for (const auto& f : files) {
    CustodyDraft d{"exported", 0, "", recipient, reason + " (bundle manifest sha256 " + bundle.manifestSha256 + ")"};
    VIGIL_TRY(store_.addCustodyEntry(actor, f.item.id, d));
  }
  return bundle;
}

}  // namespace vigil::evidence
