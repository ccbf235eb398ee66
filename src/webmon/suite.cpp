#include "webmon/suite.h"

#include <filesystem>

namespace vigil::webmon {

Result<CheckCatalogs> loadCheckCatalogs(const std::string& dir) {
  const std::filesystem::path d(dir);
  VIGIL_ASSIGN_OR_RETURN(Lexicon lexicon, Lexicon::load((d / "lexicon.toml").string()));
  VIGIL_ASSIGN_OR_RETURN(EolData eol, EolData::load((d / "eol.toml").string()));
  return CheckCatalogs{std::make_shared<const Lexicon>(std::move(lexicon)),
                       std::make_shared<const EolData>(std::move(eol))};
}

std::vector<std::unique_ptr<Check>> defaultChecks(const SuiteOptions& o, std::shared_ptr<const Lexicon> lexicon,
                                                  std::shared_ptr<const EolData> eol) {
  std::vector<std::unique_ptr<Check>> checks;
  TlsOptions tls = o.tls;
  tls.allowPrivate = o.fetch.allowPrivate;
  if (tls.caFile.empty()) tls.caFile = o.fetch.caFile;
  checks.push_back(std::make_unique<TlsCheck>(tls, o.fetch));
  checks.push_back(std::make_unique<HeadersCheck>(o.fetch));
  checks.push_back(std::make_unique<PageCheck>(o.fetch, lexicon));
  checks.push_back(std::make_unique<CloakingCheck>(o.fetch, lexicon));
  checks.push_back(std::make_unique<ExposureCheck>(o.fetch, std::move(eol), o.today));
  return checks;
}

std::vector<Finding> runChecks(const std::vector<std::unique_ptr<Check>>& checks, const Target& target,
                               const FetchOptions& fetchOptions) {
  FetchOptions first = fetchOptions;
  first.verifyTls = false;
  first.maxBodyBytes = 1;
  const FetchResult r = fetch(target.url, first);
  if (!r.ok()) return {fetchFailure(r, target.url)};
  std::vector<Finding> out;
  for (const auto& c : checks) {
    auto found = c->run(target);
    if (!found.ok()) {
      out.push_back(Finding{std::string(c->name()), "error", Severity::kMedium, target.url, found.error().message, {}});
      continue;
    }
    for (auto& f : *found) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vigil::webmon
