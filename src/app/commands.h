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
// Recovery for an operator locked out of the UI (e.g. the only administrator was disabled for
// inactivity): enables and unlocks the account and sets a one-time password printed once, which
// must be changed at the next login. Works while the server runs; audited as a system action.
int userRecover(const Config& config, const std::string& username);

std::string databasePath(const Config& config);
extern const char* const kVersion;

}  // namespace vigil::app
