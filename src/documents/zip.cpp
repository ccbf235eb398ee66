#include "documents/zip.h"

#include <zip.h>

#include <ctime>
#include <memory>
#include <set>

namespace vigil::documents {

namespace {

constexpr zip_uint64_t kMaxEntryBytes = 64ull << 20;

std::string zipError(zip_error_t* e) { return zip_error_strerror(e); }

// The fixed modification time of every entry: 2000-01-01 00:00 in local time, because libzip turns
// a time_t into a DOS date with localtime(); so the stored date is the same in every time zone.
time_t fixedTime() {
  std::tm tm{};
  tm.tm_year = 100;
  tm.tm_mon = 0;
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

struct SourceDeleter {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
struct ArchiveDeleter {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using SourcePtr = std::unique_ptr<zip_source_t, SourceDeleter>;
using ArchivePtr = std::unique_ptr<zip_t, ArchiveDeleter>;

// Opens a read-only archive over `bytes` (which must outlive the archive).
Result<ArchivePtr> openForReading(std::string_view bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!src) {
    std::string m = zipError(&error);
    zip_error_fini(&error);
    return Error::internal("zip: " + m);
  }
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!za) {
    zip_source_free(src);
    std::string m = zipError(&error);
    zip_error_fini(&error);
    return Error::badRequest("not a ZIP archive: " + m);
  }
  zip_error_fini(&error);
  return ArchivePtr(za);
}

}  // namespace

Result<std::string> writeZip(const std::vector<ZipEntry>& entries) {
  std::set<std::string_view> seen;
  for (const auto& e : entries)
    if (e.name.empty() || !seen.insert(e.name).second)
      return Error::internal("zip: empty or duplicate entry name '" + e.name + "'");

  zip_error_t error;
  zip_error_init(&error);
  SourcePtr buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) return Error::internal("zip: " + zipError(&error));
  zip_source_keep(buffer.get());  // the archive releases its reference on close; we still read it
  zip_t* za = zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error);
  if (!za) {
    zip_source_free(buffer.get());  // drop the archive's reference that zip_open did not take
    std::string m = zipError(&error);
    zip_error_fini(&error);
    return Error::internal("zip: " + m);
  }
  zip_error_fini(&error);
  ArchivePtr archive(za);
  const time_t mtime = fixedTime();
  for (const auto& e : entries) {
    zip_source_t* data = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
    if (!data) return Error::internal("zip: " + std::string(zip_strerror(za)));
    const zip_int64_t index = zip_file_add(za, e.name.c_str(), data, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(data);
      return Error::internal("zip: adding " + e.name + ": " + zip_strerror(za));
    }
    if (zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 6) != 0 ||
        zip_file_set_mtime(za, static_cast<zip_uint64_t>(index), mtime, 0) != 0)
      return Error::internal("zip: " + e.name + ": " + zip_strerror(za));
  }
  if (zip_close(za) != 0) return Error::internal("zip: writing the archive: " + std::string(zip_strerror(za)));
  archive.release();  // zip_close freed it

  zip_source_t* src = buffer.get();
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(src) != 0)
    return Error::internal("zip: reading back the archive");
  std::string out(st.size, '\0');
  const zip_int64_t n = zip_source_read(src, out.data(), st.size);
  zip_source_close(src);
  if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) return Error::internal("zip: reading back the archive");
  return out;
}

Result<std::vector<std::string>> listZip(std::string_view zipBytes) {
  VIGIL_ASSIGN_OR_RETURN(ArchivePtr za, openForReading(zipBytes));
  std::vector<std::string> names;
  const zip_int64_t count = zip_get_num_entries(za.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* name = zip_get_name(za.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (name) names.emplace_back(name);
  }
  return names;
}

namespace {

Result<std::string> readEntry(std::string_view zipBytes, std::string_view name, zip_uint64_t maxBytes,
                              zip_flags_t flags) {
  VIGIL_ASSIGN_OR_RETURN(ArchivePtr za, openForReading(zipBytes));
  const std::string n(name);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(za.get(), n.c_str(), flags, &st) != 0) return Error::notFound("zip: no entry " + n);
  if (!(st.valid & ZIP_STAT_SIZE)) return Error::badRequest("zip: entry " + n + " has no size");
  if (st.size > maxBytes)
    return Error::of(ErrorCode::kPayloadTooLarge,
                     "zip: entry " + n + " is larger than " + std::to_string(maxBytes >> 20) + " MiB once inflated");
  zip_file_t* f = zip_fopen(za.get(), n.c_str(), flags);
  if (!f) return Error::badRequest("zip: cannot open " + n + ": " + zip_strerror(za.get()));
  std::string out(st.size, '\0');
  const zip_int64_t got = zip_fread(f, out.data(), st.size);
  zip_fclose(f);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size) return Error::badRequest("zip: entry " + n + " is damaged");
  return out;
}

}  // namespace

Result<std::string> readZipEntry(std::string_view zipBytes, std::string_view name) {
  auto r = readEntry(zipBytes, name, kMaxEntryBytes, ZIP_FL_ENC_RAW);
  if (!r.ok() && r.error().code == ErrorCode::kPayloadTooLarge)
    return Error::badRequest("zip: entry " + std::string(name) + " too large");
  return r;
}

Result<std::string> readZipEntryLimited(std::string_view zipBytes, std::string_view name, size_t maxBytes) {
  return readEntry(zipBytes, name, maxBytes, ZIP_FL_ENC_RAW | ZIP_FL_NOCASE);
}

}  // namespace vigil::documents
