// Evidence export bundles: one ZIP of an incident's evidence for hand-over (police, national
// centre, court), with a manifest of every file's size and SHA-256 and its custody log, and the
// check that finds which file of a bundle was changed.
//
// Layout of a bundle (entries in this order):
//   manifest.json   the Manifest below, as JSON (format "vigil-evidence-bundle", version 1)
//   SHA256SUMS      "<sha256>  <path>" lines for manifest.json and every evidence file, so that
//                   `unzip bundle.zip && sha256sum -c SHA256SUMS` checks it without vigil
//   evidence/<id>-<name>  the files, byte for byte as stored (name reduced to [A-Za-z0-9._-])
// The manifest's own SHA-256 (the first line of SHA256SUMS) is returned to the exporter, which
// records it in each item's "exported" custody entry: a bundle whose manifest and sums were both
// rewritten still differs from the hash kept on the server.
//
// Pure functions over bytes in memory (a bundle is built and checked whole: the evidence size
// limit of the configuration bounds each file). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/evidence_store.h"

namespace vigil::evidence {

inline constexpr std::string_view kBundleFormat = "vigil-evidence-bundle";
inline constexpr int kBundleFormatVersion = 1;
// Most files in one bundle (each is looked up in the archive separately when verifying).
inline constexpr size_t kMaxBundleItems = 10000;

struct ManifestCustody {
  std::string action;
  std::string at;  // RFC 3339, UTC
  std::string by;
  std::string to;
  std::string reason;
};

struct ManifestItem {
  int64_t id = 0;
  std::string path;  // entry name in the ZIP: evidence/<id>-<name>
  std::string name;  // the name as collected
  std::string mediaType;
  int64_t size = 0;
  std::string sha256;
  std::string description;
  std::string collectedBy;
  std::string collectedAt;  // RFC 3339
  std::vector<ManifestCustody> custody;
};

struct Manifest {
  int formatVersion = kBundleFormatVersion;
  std::string toolVersion;  // the vigil version that wrote the bundle
  std::string generatedAt;  // RFC 3339
  std::string generatedBy;
  int64_t incidentId = 0;
  std::vector<ManifestItem> items;
};

struct BundleHeader {
  int64_t incidentId = 0;
  std::string generatedBy;
  TimeMs generatedAt = 0;
  std::string toolVersion;
};

// One item to export and its bytes.
struct BundleFile {
  EvidenceItem item;
  std::string bytes;
};

struct BuiltBundle {
  std::string zip;
  std::string manifestSha256;  // lower-case hex of manifest.json
  Manifest manifest;
};

// Builds a bundle (at most kMaxBundleItems files). Each file's bytes are hashed again first: a file whose SHA-256 or
// size differs from its record is refused (kConflict naming the item), so a damaged store never exports as sound. No
// items is kValidation.
Result<BuiltBundle> buildBundle(const BundleHeader& header, const std::vector<BundleFile>& files);

// Reads manifest.json. Strict: unknown format or version, a missing or mistyped field, a path
// outside evidence/ (or with "..", a backslash, or used twice), a malformed hash: kValidation
// "manifest.json: items[2].sha256: must be 64 lower-case hex digits".
Result<Manifest> parseManifest(std::string_view json);
std::string manifestJson(const Manifest& m);

enum class ItemState { kOk, kModified, kMissing, kSumsDisagree };
std::string_view itemStateName(ItemState s);

struct ItemCheck {
  int64_t id = 0;
  std::string path;
  ItemState state = ItemState::kOk;
  std::string expectedSha256, actualSha256;
  int64_t expectedSize = 0, actualSize = 0;
  std::string detail;  // one sentence for the officer
};

struct BundleReport {
  std::string manifestSha256;          // of manifest.json as found
  std::string manifestSha256Recorded;  // from SHA256SUMS; empty when the line is missing
  Manifest manifest;
  std::vector<ItemCheck> items;         // in manifest order
  std::vector<std::string> unexpected;  // entries the manifest does not list
  bool manifestOk() const { return !manifestSha256Recorded.empty() && manifestSha256 == manifestSha256Recorded; }
  bool ok() const;
};

// Checks a bundle: every file listed in the manifest is present with its size and SHA-256, the
// manifest matches its line in SHA256SUMS, and no other file was slipped in. Tampering is
// reported item by item in the report; an error (kValidation) only when the bytes are not a ZIP,
// manifest.json is missing or malformed, or an entry claims to inflate beyond `maxEntryBytes`.
Result<BundleReport> verifyBundle(std::string_view zipBytes, int64_t maxEntryBytes = int64_t{1} << 32);

// The report as text lines for the command line ("OK evidence/1-a.log", "MODIFIED ...").
std::string formatReport(const BundleReport& r);

}  // namespace vigil::evidence
