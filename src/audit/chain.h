// The audit log's hash chain. Each entry's hash is SHA-256 over the previous entry's hash and the
// entry's own fields in a fixed, unambiguous encoding, so editing, deleting or reordering any
// entry breaks every link after it. Pure functions; thread-safe.
#pragma once

#include <string>

#include "model/model.h"

namespace vigil::audit {

// The hash of the (empty) chain before the first entry.
inline constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

// Hex SHA-256 of `prevHash` and the fields of `e` (e.hash and e.prevHash are not read).
std::string entryHash(const AuditEntry& e, const std::string& prevHash);

// Checks one entry against the hash of the entry before it. Empty on success, else the reason.
std::string checkLink(const AuditEntry& e, const std::string& expectedPrevHash);

}  // namespace vigil::audit
