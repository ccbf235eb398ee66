// The commands of the vigil binary. Each returns the process exit code.
#pragma once

#include <string>

#include "config/config.h"

namespace vigil::app {

// Runs the server until SIGINT/SIGTERM.
int serve(const Config& config, const std::string& exePath);
// Writes a consistent copy of the store to `file` (works while the server runs).
int backup(const Config& config, const std::string& file);
// Replaces the store with `file`; refuses while a server holds the data directory.
int restore(const Config& config, const std::string& file);
// Walks the audit chain; exit 0 when intact, 1 when broken.
int auditVerify(const Config& config);

std::string databasePath(const Config& config);
extern const char* const kVersion;

}  // namespace vigil::app
