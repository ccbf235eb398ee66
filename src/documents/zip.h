// ZIP packages in memory (DOCX and XLSX are ZIP files), over libzip, kept out of this header.
// Writing is deterministic: entries in the given order, deflated, every timestamp fixed at
// 2000-01-01 00:00 local time, no extra fields, so the same entries give the same bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::documents {

struct ZipEntry {
  std::string name;  // path inside the archive, '/'-separated
  std::string data;
};

// The bytes of a ZIP archive holding `entries` in order. Duplicate or empty names are refused.
Result<std::string> writeZip(const std::vector<ZipEntry>& entries);

// The names of the entries of a ZIP archive, in archive order.
Result<std::vector<std::string>> listZip(std::string_view zipBytes);

// The content of the entry `name`; not found when absent. Refuses entries over 64 MiB.
Result<std::string> readZipEntry(std::string_view zipBytes, std::string_view name);

// The same for untrusted archives: the name matched ignoring case (OOXML part names are
// case-insensitive) and an entry inflating to more than `maxBytes` refused with
// payload_too_large before anything is inflated.
Result<std::string> readZipEntryLimited(std::string_view zipBytes, std::string_view name, size_t maxBytes);

}  // namespace vigil::documents
