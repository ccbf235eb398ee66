// The set of checks `vigil webcheck` runs (and a scheduler may run per portal), and running them
// on one target: one preliminary request first, so that an unreachable, refused (non-public
// address) or malformed target gives one clear finding instead of one per check.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "webmon/checks.h"
#include "webmon/tls.h"

namespace vigil::webmon {

// The shipped data the checks need, from a folder (<catalog_dir>/webmon): the gambling/adult
// lexicon (lexicon.toml) and the end-of-life data (eol.toml). Errors name the file.
struct CheckCatalogs {
  std::shared_ptr<const Lexicon> lexicon;
  std::shared_ptr<const EolData> eol;
};
Result<CheckCatalogs> loadCheckCatalogs(const std::string& dir);

struct SuiteOptions {
  FetchOptions fetch;
  TlsOptions tls;
  std::string today;  // YYYY-MM-DD for the end-of-life comparison
};

// TLS, headers, page, cloaking, exposure, in that order.
std::vector<std::unique_ptr<Check>> defaultChecks(const SuiteOptions& options, std::shared_ptr<const Lexicon> lexicon,
                                                  std::shared_ptr<const EolData> eol);

// Runs every check on the target; a check's Result error becomes a finding of that check.
std::vector<Finding> runChecks(const std::vector<std::unique_ptr<Check>>& checks, const Target& target,
                               const FetchOptions& fetch);

}  // namespace vigil::webmon
