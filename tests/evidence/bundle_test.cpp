// Export bundles: a bundle verifies as built; each kind of tampering (a byte changed in one file
// and the archive rebuilt, a byte flipped in the archive itself, a file removed or added, the
// manifest rewritten) is reported for exactly the item it touched; the manifest reader refuses
// malformed manifests naming the field.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/crypto.h"
#include "documents/zip.h"
#include "evidence/bundle.h"

namespace vigil::evidence {
namespace {

namespace json = boost::json;

EvidenceItem item(int64_t id, const std::string& name, const std::string& bytes) {
  EvidenceItem e;
  e.id = id;
  e.incidentId = 9;
  e.name = name;
  e.mediaType = "application/octet-stream";
  e.size = static_cast<int64_t>(bytes.size());
  e.sha256 = crypto::sha256Hex(bytes);
  e.collectedBy = "analyst";
  e.collectedAt = 1772790000000;
  e.custody.push_back({1, id, "collected", 1772790000000, "analyst", "", "xác minh", "analyst", 1772790000000});
  return e;
}

std::vector<BundleFile> files() {
  std::vector<BundleFile> out;
  const std::vector<std::pair<std::string, std::string>> data = {
      {"access.log", "203.0.113.5 - - [06/Mar/2026] \"GET /shell.php\" 200\n"},
      {"shell.php", "<?php system($_GET['c']); ?>"},
      {"memory.raw", std::string(20000, '\x01') + "tail"},
  };
  int64_t id = 1;
  for (const auto& [name, bytes] : data) out.push_back({item(id++, name, bytes), bytes});
  return out;
}

BuiltBundle build() {
  auto b = buildBundle({9, "analyst", 1772800000000, "0.9.0"}, files());
  EXPECT_TRUE(b.ok()) << b.error().message;
  return b.ok() ? std::move(b).value() : BuiltBundle{};
}

// Every entry of a bundle, with `edit` applied, written again as a new ZIP.
std::string rebuilt(const std::string& zip, const std::function<void(std::vector<documents::ZipEntry>&)>& edit) {
  std::vector<documents::ZipEntry> entries;
  const std::vector<std::string> names = documents::listZip(zip).value();
  for (const auto& name : names) entries.push_back({name, documents::readZipEntryLimited(zip, name, 1 << 20).value()});
  edit(entries);
  return documents::writeZip(entries).value();
}

BundleReport verified(const std::string& zip) {
  auto r = verifyBundle(zip);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : BundleReport{};
}

std::vector<ItemState> states(const BundleReport& r) {
  std::vector<ItemState> out;
  for (const auto& i : r.items) out.push_back(i.state);
  return out;
}

TEST(Bundle, AFreshBundleVerifies) {
  BuiltBundle b = build();
  EXPECT_EQ(documents::listZip(b.zip).value(),
            (std::vector<std::string>{"manifest.json", "SHA256SUMS", "evidence/1-access.log", "evidence/2-shell.php",
                                      "evidence/3-memory.raw"}));
  BundleReport r = verified(b.zip);
  EXPECT_TRUE(r.ok()) << formatReport(r);
  EXPECT_EQ(r.manifestSha256, b.manifestSha256);
  EXPECT_EQ(r.manifest.incidentId, 9);
  EXPECT_EQ(r.manifest.generatedAt, "2026-03-06T12:26:40Z");
  ASSERT_EQ(r.manifest.items.size(), 3u);
  EXPECT_EQ(r.manifest.items[1].custody.at(0).action, "collected");
  // The manifest as written: hashes and sizes of the files, and its own tool version.
  const json::object m = json::parse(documents::readZipEntry(b.zip, "manifest.json").value()).as_object();
  EXPECT_EQ(m.at("format"), "vigil-evidence-bundle");
  EXPECT_EQ(m.at("tool_version"), "0.9.0");
  EXPECT_EQ(m.at("items").as_array()[2].at("size"), 20004);
  EXPECT_EQ(m.at("items").as_array()[2].at("sha256"), json::value(files()[2].item.sha256));
  // SHA256SUMS is what `sha256sum -c` reads.
  const std::string sums = documents::readZipEntry(b.zip, "SHA256SUMS").value();
  EXPECT_EQ(sums.substr(0, 64 + 2 + 13), b.manifestSha256 + "  manifest.json");
  EXPECT_NE(sums.find(files()[1].item.sha256 + "  evidence/2-shell.php\n"), std::string::npos);
}

TEST(Bundle, AByteChangedInOneFileIsReportedForThatItemOnly) {
  const std::string zip = rebuilt(build().zip, [](auto& entries) {
    for (auto& e : entries)
      if (e.name == "evidence/2-shell.php") e.data[6] ^= 0x20;
  });
  BundleReport r = verified(zip);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.manifestOk());
  EXPECT_EQ(states(r), (std::vector<ItemState>{ItemState::kOk, ItemState::kModified, ItemState::kOk}));
  EXPECT_EQ(r.items[1].id, 2);
  EXPECT_EQ(r.items[1].path, "evidence/2-shell.php");
  EXPECT_EQ(r.items[1].expectedSha256, files()[1].item.sha256);
  EXPECT_NE(r.items[1].actualSha256, r.items[1].expectedSha256);
  EXPECT_NE(formatReport(r).find("MODIFIED evidence/2-shell.php (item 2)"), std::string::npos) << formatReport(r);
}

TEST(Bundle, AByteFlippedInTheArchiveIsReportedForTheItemItLandsIn) {
  std::string zip = build().zip;
  // The local header of evidence/3-memory.raw: 30 bytes + the name + the extra field, then data.
  const std::string name = "evidence/3-memory.raw";
  const size_t header = zip.find(std::string("PK\x03\x04", 4) + std::string(26, '\0').substr(0, 0));
  ASSERT_NE(header, std::string::npos);
  size_t at = zip.find(name);
  ASSERT_NE(at, std::string::npos);
  const size_t localHeader = at - 30;
  ASSERT_EQ(zip.substr(localHeader, 4), std::string("PK\x03\x04", 4));
  const auto u16 = [&](size_t p) {
    return static_cast<unsigned char>(zip[p]) | static_cast<unsigned char>(zip[p + 1]) << 8;
  };
  const size_t data = localHeader + 30 + u16(localHeader + 26) + u16(localHeader + 28);
  zip[data + 5] ^= 0x55;
  BundleReport r = verified(zip);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(states(r), (std::vector<ItemState>{ItemState::kOk, ItemState::kOk, ItemState::kModified}));
  EXPECT_EQ(r.items[2].id, 3);
}

TEST(Bundle, MissingAndExtraFilesAreReported) {
  const std::string zip = rebuilt(build().zip, [](auto& entries) {
    std::erase_if(entries, [](const auto& e) { return e.name == "evidence/1-access.log"; });
    entries.push_back({"evidence/4-planted.exe", "MZ"});
  });
  BundleReport r = verified(zip);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(states(r), (std::vector<ItemState>{ItemState::kMissing, ItemState::kOk, ItemState::kOk}));
  EXPECT_EQ(r.unexpected, std::vector<std::string>{"evidence/4-planted.exe"});
  EXPECT_NE(formatReport(r).find("EXTRA    evidence/4-planted.exe"), std::string::npos);
}

TEST(Bundle, AFileAndItsManifestRewrittenTogetherShowInTheManifestHash) {
  BuiltBundle original = build();
  const std::string fake = "<?php echo 'harmless'; ?>";
  const std::string zip = rebuilt(original.zip, [&](auto& entries) {
    Manifest m = parseManifest(entries[0].data).value();
    m.items[1].sha256 = crypto::sha256Hex(fake);
    m.items[1].size = static_cast<int64_t>(fake.size());
    entries[0].data = manifestJson(m);
    entries[3].data = fake;
  });
  BundleReport r = verified(zip);
  // The files now agree with the rewritten manifest, but its hash no longer matches SHA256SUMS
  // (nor the one recorded in the custody log at export), and SHA256SUMS disagrees for item 2.
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.manifestOk());
  EXPECT_NE(r.manifestSha256, original.manifestSha256);
  EXPECT_EQ(states(r), (std::vector<ItemState>{ItemState::kOk, ItemState::kSumsDisagree, ItemState::kOk}));
}

TEST(Bundle, AStoredFileThatNoLongerMatchesItsRecordIsNotExported) {
  auto list = files();
  list[1].bytes += "!";
  auto b = buildBundle({9, "analyst", 1772800000000, "0.9.0"}, list);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kConflict);
  EXPECT_NE(b.error().message.find("evidence item 2 (shell.php)"), std::string::npos) << b.error().message;
  EXPECT_EQ(buildBundle({9, "analyst", 0, "0.9.0"}, {}).error().field, "items");
}

TEST(Bundle, MalformedManifestsAreRefusedNamingTheField) {
  const std::string good = documents::readZipEntry(build().zip, "manifest.json").value();
  struct Case {
    std::function<void(json::object&)> edit;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](json::object& m) { m["format"] = "other"; }, "manifest.json: format"},
      {[](json::object& m) { m["format_version"] = 2; }, "manifest.json: format_version"},
      {[](json::object& m) { m.erase("items"); }, "manifest.json: items"},
      {[](json::object& m) { m["items"].as_array()[1].as_object()["sha256"] = "XYZ"; },
       "manifest.json: items[1].sha256"},
      {[](json::object& m) { m["items"].as_array()[0].as_object()["size"] = "12"; }, "manifest.json: items[0].size"},
      {[](json::object& m) { m["items"].as_array()[2].as_object()["path"] = "evidence/../../etc/passwd"; },
       "manifest.json: items[2].path"},
      {[](json::object& m) { m["items"].as_array()[2].as_object()["path"] = "/etc/passwd"; },
       "manifest.json: items[2].path"},
      {[](json::object& m) { m["items"].as_array()[2].as_object()["path"] = m["items"].as_array()[0].at("path"); },
       "manifest.json: items[2].path"},
      {[](json::object& m) { m["items"].as_array()[0].as_object()["custody"].as_array()[0].as_object().erase("by"); },
       "manifest.json: items[0].custody[0].by"},
      {[](json::object& m) { m["items"].as_array()[0].as_object()["collected_at"] = "yesterday"; },
       "manifest.json: items[0].collected_at"},
      {[](json::object& m) { m["items"] = json::array(kMaxBundleItems + 1); }, "manifest.json: items"},
  };
  for (const auto& c : cases) {
    json::object m = json::parse(good).as_object();
    c.edit(m);
    auto r = parseManifest(json::serialize(m));
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  EXPECT_FALSE(parseManifest("{not json").ok());
  EXPECT_FALSE(parseManifest("[]").ok());
  EXPECT_EQ(verifyBundle("not a zip").error().field, "bundle");
  EXPECT_EQ(verifyBundle(documents::writeZip({{"a.txt", "x"}}).value()).error().field, "bundle");
}

}  // namespace
}  // namespace vigil::evidence
