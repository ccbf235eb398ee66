#include "evidence/bundle.h"

#include <boost/json.hpp>
#include <map>
#include <set>

#include "core/clock.h"
#include "core/crypto.h"
#include "documents/zip.h"

namespace vigil::evidence {

namespace json = boost::json;

namespace {

constexpr std::string_view kManifestName = "manifest.json";
constexpr std::string_view kSumsName = "SHA256SUMS";

bool isSha256Hex(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The file name reduced to what every unzip tool and file system takes: [A-Za-z0-9._-] (a run of
// other bytes becomes one '_'), at most 100 bytes, never starting with a dot. The original name stays in the manifest.
std::string safeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (keep) {
      out += c;
    } else if (out.empty() || out.back() != '_') {
      out += '_';  // one '_' for a run of other bytes (a UTF-8 letter, spaces)
    }
    if (out.size() >= 100) break;
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

json::object custodyJson(const ManifestCustody& c) {
  return {{"action", c.action}, {"at", c.at}, {"by", c.by}, {"to", c.to}, {"reason", c.reason}};
}

// --- strict reading of manifest.json ------------------------------------------------------------

class Reader {
 public:
  Error err(const std::string& where, const std::string& what) const {
    return Error::validation(std::string(kManifestName) + ": " + where, what);
  }
  Result<const json::value*> field(const json::object& o, const std::string& where, std::string_view key) const {
    auto it = o.find(key);
    if (it == o.end()) return err(where + std::string(key), "is missing");
    return &it->value();
  }
  Result<std::string> text(const json::object& o, const std::string& where, std::string_view key) const {
    VIGIL_ASSIGN_OR_RETURN(const json::value* v, field(o, where, key));
    if (!v->is_string()) return err(where + std::string(key), "must be a string");
    return std::string(v->as_string());
  }
  Result<int64_t> integer(const json::object& o, const std::string& where, std::string_view key) const {
    VIGIL_ASSIGN_OR_RETURN(const json::value* v, field(o, where, key));
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
      return static_cast<int64_t>(v->as_uint64());
    return err(where + std::string(key), "must be an integer");
  }
  Result<const json::object*> object(const json::value& v, const std::string& where) const {
    if (!v.is_object()) return err(where, "must be an object");
    return &v.as_object();
  }
  Result<const json::array*> array(const json::object& o, const std::string& where, std::string_view key) const {
    VIGIL_ASSIGN_OR_RETURN(const json::value* v, field(o, where, key));
    if (!v->is_array()) return err(where + std::string(key), "must be an array");
    return &v->as_array();
  }
};

Result<ManifestItem> readItem(const Reader& r, const json::value& v, const std::string& where) {
  VIGIL_ASSIGN_OR_RETURN(const json::object* o, r.object(v, where));
  const std::string w = where + ".";
  ManifestItem it;
  VIGIL_ASSIGN_OR_RETURN(it.id, r.integer(*o, w, "id"));
  VIGIL_ASSIGN_OR_RETURN(it.path, r.text(*o, w, "path"));
  VIGIL_ASSIGN_OR_RETURN(it.name, r.text(*o, w, "name"));
  VIGIL_ASSIGN_OR_RETURN(it.mediaType, r.text(*o, w, "media_type"));
  VIGIL_ASSIGN_OR_RETURN(it.size, r.integer(*o, w, "size"));
  VIGIL_ASSIGN_OR_RETURN(it.sha256, r.text(*o, w, "sha256"));
  VIGIL_ASSIGN_OR_RETURN(it.description, r.text(*o, w, "description"));
  VIGIL_ASSIGN_OR_RETURN(it.collectedBy, r.text(*o, w, "collected_by"));
  VIGIL_ASSIGN_OR_RETURN(it.collectedAt, r.text(*o, w, "collected_at"));
  if (it.path.rfind("evidence/", 0) != 0 || it.path.size() == 9 || it.path.find("..") != std::string::npos ||
      it.path.find('\\') != std::string::npos || it.path.find('/', 9) != std::string::npos)
    return r.err(w + "path", "must be evidence/<file name> without '..', '/' or '\\' in the name");
  if (it.size < 0) return r.err(w + "size", "must not be negative");
  if (!isSha256Hex(it.sha256)) return r.err(w + "sha256", "must be 64 lower-case hex digits");
  if (!parseRfc3339(it.collectedAt)) return r.err(w + "collected_at", "must be an RFC 3339 time");
  VIGIL_ASSIGN_OR_RETURN(const json::array* custody, r.array(*o, w, "custody"));
  for (size_t i = 0; i < custody->size(); ++i) {
    const std::string cw = w + "custody[" + std::to_string(i) + "]";
    VIGIL_ASSIGN_OR_RETURN(const json::object* c, r.object((*custody)[i], cw));
    ManifestCustody mc;
    VIGIL_ASSIGN_OR_RETURN(mc.action, r.text(*c, cw + ".", "action"));
    VIGIL_ASSIGN_OR_RETURN(mc.at, r.text(*c, cw + ".", "at"));
    VIGIL_ASSIGN_OR_RETURN(mc.by, r.text(*c, cw + ".", "by"));
    VIGIL_ASSIGN_OR_RETURN(mc.to, r.text(*c, cw + ".", "to"));
    VIGIL_ASSIGN_OR_RETURN(mc.reason, r.text(*c, cw + ".", "reason"));
    it.custody.push_back(std::move(mc));
  }
  return it;
}

// SHA256SUMS as path -> hash; malformed lines are skipped (they then show as disagreeing).
std::map<std::string, std::string> parseSums(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.size() > 66 && line.substr(64, 2) == "  " && isSha256Hex(line.substr(0, 64)))
      out.emplace(std::string(line.substr(66)), std::string(line.substr(0, 64)));
  }
  return out;
}

}  // namespace

std::string_view itemStateName(ItemState s) {
  switch (s) {
    case ItemState::kOk: return "ok";
    case ItemState::kModified: return "modified";
    case ItemState::kMissing: return "missing";
    case ItemState::kSumsDisagree: return "sums_disagree";
  }
  return "?";
}

bool BundleReport::ok() const {
  if (!manifestOk() || !unexpected.empty()) return false;
  for (const auto& i : items)
    if (i.state != ItemState::kOk) return false;
  return true;
}

std::string manifestJson(const Manifest& m) {
  json::array items;
  for (const auto& it : m.items) {
    json::array custody;
    for (const auto& c : it.custody) custody.push_back(custodyJson(c));
    items.push_back(json::object{{"id", it.id},
                                 {"path", it.path},
                                 {"name", it.name},
                                 {"media_type", it.mediaType},
                                 {"size", it.size},
                                 {"sha256", it.sha256},
                                 {"description", it.description},
                                 {"collected_by", it.collectedBy},
                                 {"collected_at", it.collectedAt},
                                 {"custody", std::move(custody)}});
  }
  json::object o{{"format", kBundleFormat},       {"format_version", m.formatVersion}, {"tool", "vigil"},
                 {"tool_version", m.toolVersion}, {"generated_at", m.generatedAt},     {"generated_by", m.generatedBy},
                 {"incident_id", m.incidentId},   {"hash_algorithm", "SHA-256"},       {"items", std::move(items)}};
  return json::serialize(o) + "\n";
}

Result<Manifest> parseManifest(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Error::validation(std::string(kManifestName), "is not valid JSON: " + ec.message());
  Reader r;
  VIGIL_ASSIGN_OR_RETURN(const json::object* o, r.object(v, "the document"));
  VIGIL_ASSIGN_OR_RETURN(std::string format, r.text(*o, "", "format"));
  if (format != kBundleFormat) return r.err("format", "is '" + format + "', not " + std::string(kBundleFormat));
  Manifest m;
  VIGIL_ASSIGN_OR_RETURN(int64_t version, r.integer(*o, "", "format_version"));
  if (version != kBundleFormatVersion)
    return r.err("format_version", std::to_string(version) + " is not supported (this vigil reads version " +
                                       std::to_string(kBundleFormatVersion) + ")");
  m.formatVersion = static_cast<int>(version);
  VIGIL_ASSIGN_OR_RETURN(m.toolVersion, r.text(*o, "", "tool_version"));
  VIGIL_ASSIGN_OR_RETURN(m.generatedAt, r.text(*o, "", "generated_at"));
  VIGIL_ASSIGN_OR_RETURN(m.generatedBy, r.text(*o, "", "generated_by"));
  VIGIL_ASSIGN_OR_RETURN(m.incidentId, r.integer(*o, "", "incident_id"));
  VIGIL_ASSIGN_OR_RETURN(const json::array* items, r.array(*o, "", "items"));
  if (items->size() > kMaxBundleItems)
    return r.err("items", "lists " + std::to_string(items->size()) + " files; a bundle holds at most " +
                              std::to_string(kMaxBundleItems));
  std::set<std::string> paths;
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string where = "items[" + std::to_string(i) + "]";
    VIGIL_ASSIGN_OR_RETURN(ManifestItem it, readItem(r, (*items)[i], where));
    if (!paths.insert(it.path).second) return r.err(where + ".path", "'" + it.path + "' is listed twice");
    m.items.push_back(std::move(it));
  }
  return m;
}

Result<BuiltBundle> buildBundle(const BundleHeader& header, const std::vector<BundleFile>& files) {
  if (files.empty()) return Error::validation("items", "the incident has no evidence to export");
  if (files.size() > kMaxBundleItems)
    return Error::validation(
        "items", std::to_string(files.size()) + " files; a bundle holds at most " + std::to_string(kMaxBundleItems));
  BuiltBundle out;
  Manifest& m = out.manifest;
  m.toolVersion = header.toolVersion;
  m.generatedAt = formatRfc3339(header.generatedAt);
  m.generatedBy = header.generatedBy;
  m.incidentId = header.incidentId;
  std::vector<documents::ZipEntry> entries;
  entries.reserve(files.size() + 2);
  entries.push_back({std::string(kManifestName), {}});
  entries.push_back({std::string(kSumsName), {}});
  std::string sums;
  for (const auto& f : files) {
    const EvidenceItem& e = f.item;
    const std::string actual = crypto::sha256Hex(f.bytes);
    if (actual != e.sha256 || static_cast<int64_t>(f.bytes.size()) != e.size)
      return Error::conflict("evidence item " + std::to_string(e.id) + " (" + e.name +
                             ") no longer matches its record: " + "recorded " + e.sha256 + " (" +
                             std::to_string(e.size) + " bytes), stored " + actual + " (" +
                             std::to_string(f.bytes.size()) + " bytes); it is not exported");
    ManifestItem it{e.id,
                    "evidence/" + std::to_string(e.id) + "-" + safeName(e.name),
                    e.name,
                    e.mediaType,
                    e.size,
                    e.sha256,
                    e.description,
                    e.collectedBy,
                    formatRfc3339(e.collectedAt),
                    {}};
    for (const auto& c : e.custody) it.custody.push_back({c.action, formatRfc3339(c.at), c.by, c.to, c.reason});
    sums += e.sha256 + "  " + it.path + "\n";
    entries.push_back({it.path, f.bytes});
    m.items.push_back(std::move(it));
  }
  entries[0].data = manifestJson(m);
  out.manifestSha256 = crypto::sha256Hex(entries[0].data);
  entries[1].data = out.manifestSha256 + "  " + std::string(kManifestName) + "\n" + sums;
  VIGIL_ASSIGN_OR_RETURN(out.zip, documents::writeZip(entries));
  return out;
}

Result<BundleReport> verifyBundle(std::string_view zipBytes, int64_t maxEntryBytes) {
  auto names = documents::listZip(zipBytes);
  if (!names.ok()) return Error::validation("bundle", "is not a readable ZIP archive: " + names.error().message);
  auto manifestText = documents::readZipEntryLimited(zipBytes, kManifestName, 64 << 20);
  if (!manifestText.ok())
    return Error::validation("bundle", "has no readable manifest.json: " + manifestText.error().message);
  BundleReport report;
  VIGIL_ASSIGN_OR_RETURN(report.manifest, parseManifest(*manifestText));
  report.manifestSha256 = crypto::sha256Hex(*manifestText);
  std::map<std::string, std::string> sums;
  if (auto s = documents::readZipEntryLimited(zipBytes, kSumsName, 64 << 20); s.ok()) sums = parseSums(*s);
  if (auto it = sums.find(std::string(kManifestName)); it != sums.end()) report.manifestSha256Recorded = it->second;

  std::set<std::string> listed{std::string(kManifestName), std::string(kSumsName)};
  for (const auto& it : report.manifest.items) {
    listed.insert(it.path);
    ItemCheck c{it.id, it.path, ItemState::kOk, it.sha256, "", it.size, 0, ""};
    // A file that claims to be larger than the manifest says is not inflated: it has changed.
    const int64_t limit = std::min(maxEntryBytes, it.size);
    auto bytes = documents::readZipEntryLimited(zipBytes, it.path, static_cast<size_t>(limit));
    if (!bytes.ok()) {
      const ErrorCode code = bytes.error().code;
      c.state = code == ErrorCode::kNotFound ? ItemState::kMissing : ItemState::kModified;
      if (code == ErrorCode::kNotFound)
        c.detail = "the file is not in the bundle";
      else if (code == ErrorCode::kPayloadTooLarge)
        c.detail = "the file is larger than the manifest's " + std::to_string(it.size) + " bytes";
      else
        c.detail = "the file cannot be read back (damaged archive): " + bytes.error().message;
    } else {
      c.actualSha256 = crypto::sha256Hex(*bytes);
      c.actualSize = static_cast<int64_t>(bytes->size());
      if (c.actualSha256 != c.expectedSha256 || c.actualSize != c.expectedSize) {
        c.state = ItemState::kModified;
        c.detail = "the content differs from the manifest: SHA-256 " + c.actualSha256 + " (" +
                   std::to_string(c.actualSize) + " bytes), expected " + c.expectedSha256 + " (" +
                   std::to_string(c.expectedSize) + " bytes)";
      } else if (auto s = sums.find(it.path); s == sums.end() || s->second != it.sha256) {
        c.state = ItemState::kSumsDisagree;
        c.detail = "the file matches the manifest but SHA256SUMS lists " +
                   (s == sums.end() ? std::string("no hash") : s->second) + " for it";
      }
    }
    report.items.push_back(std::move(c));
  }
  for (const auto& n : *names)
    if (!listed.count(n)) report.unexpected.push_back(n);
  return report;
}

std::string formatReport(const BundleReport& r) {
  std::string out;
  out += (r.manifestOk() ? "OK       " : "MODIFIED ") + std::string(kManifestName) + " sha256 " + r.manifestSha256;
  if (!r.manifestOk())
    out += r.manifestSha256Recorded.empty() ? " (SHA256SUMS has no line for it)"
                                            : " (SHA256SUMS says " + r.manifestSha256Recorded + ")";
  out += "\n";
  for (const auto& c : r.items) {
    std::string tag(itemStateName(c.state));
    for (auto& ch : tag) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    tag.resize(std::max<size_t>(tag.size() + 1, 9), ' ');
    out += tag + c.path + " (item " + std::to_string(c.id) + ")";
    if (!c.detail.empty()) out += ": " + c.detail;
    out += "\n";
  }
  for (const auto& u : r.unexpected) out += "EXTRA    " + u + ": not listed in the manifest\n";
  out += r.ok() ? "bundle verified: " + std::to_string(r.items.size()) + " files match the manifest\n"
                : "bundle NOT verified: see the lines above\n";
  out += "incident " + std::to_string(r.manifest.incidentId) + ", generated " + r.manifest.generatedAt + " by " +
         r.manifest.generatedBy + " (vigil " + r.manifest.toolVersion +
         "); compare the manifest sha256 with the one recorded in the evidence custody log\n";
  return out;
}

}  // namespace vigil::evidence
