// Shared strict-loading helpers of the compliance catalogs (regimes, checklists, schedules): TOML
// parsing with located syntax errors, "file:line: row: what" errors, closed key sets, required
// texts, legal sources, level lists, verified/note pairs and the listing of a catalog folder.
// Narrow header: it includes toml++, so only the catalog loaders' .cpp files include it.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "compliance/legal_source.h"
#include "core/result.h"

namespace vigil::compliance {
class RegimeCatalog;
}

namespace vigil::compliance::detail {

bool oneOf(std::string_view s, const std::vector<std::string_view>& set);
std::string join(const std::vector<std::string>& v);
// "criterion .c" when the row has a string `key`, else just `kind`.
std::string rowName(const toml::table& t, const char* kind, const char* key = "id");

// Reads a whole file; kNotFound naming `what` and the path when it cannot be read.
Result<std::string> readCatalogFile(const std::string& path, const std::string& what);
// Parses TOML; a syntax error becomes "origin:line: syntax error: ...".
Result<toml::table> parseToml(std::string_view text, const std::string& origin);
// The *.toml files of `dir`, sorted by name; kNotFound when the folder is missing or empty.
Result<std::vector<std::filesystem::path>> catalogFiles(const std::string& dir, const std::string& what);

// Loads every *.toml of `dir` (sorted by name) with `load(path)`. The first bad file refuses the
// whole set; two files with the same `key(catalog)` are refused too, with
// "<file>: <keyName> '<key>' is also used by <other file>".
template <typename Catalog, typename Load, typename Key>
Result<std::vector<std::shared_ptr<const Catalog>>> loadCatalogDirectory(const std::string& dir,
                                                                         const std::string& what, Load load, Key key,
                                                                         const std::string& keyName) {
  VIGIL_ASSIGN_OR_RETURN(auto files, catalogFiles(dir, what));
  std::vector<std::shared_ptr<const Catalog>> out;
  for (const auto& f : files) {
    VIGIL_ASSIGN_OR_RETURN(Catalog cat, load(f.string()));
    for (const auto& other : out)
      if (key(*other) == key(cat))
        return Error::validation(f.string(), keyName + " '" + key(cat) + "' is also used by " + other->origin());
    out.push_back(std::make_shared<const Catalog>(std::move(cat)));
  }
  return out;
}

// Builds "file:line: row: what" errors; the first error refuses the whole file.
class CatalogLoader {
 public:
  explicit CatalogLoader(std::string origin) : origin_(std::move(origin)) {}

  const std::string& origin() const { return origin_; }
  Error err(const toml::node& n, const std::string& row, const std::string& what) const;

  // Every key of `t` must be in `allowed` (or in `alsoAllowed`).
  std::optional<Error> onlyKeys(const toml::table& t, const std::string& row,
                                const std::vector<std::string_view>& allowed,
                                const std::vector<std::string_view>& alsoAllowed = {}) const;
  Result<std::string> requiredText(const toml::table& t, const char* key, const std::string& row) const;
  // A string when present ("" when absent); a non-string is an error.
  Result<std::string> optionalText(const toml::table& t, const char* key, const std::string& row) const;
  // `key` = { document, article, clause }: the legal source of a row.
  Result<Source> source(const toml::table& row, const std::string& rowId, const char* key = "source") const;
  // `key` = [levels], each in 1..maxLevel, non-empty.
  Result<std::vector<int>> levels(const toml::table& row, const std::string& rowId, int maxLevel,
                                  const char* key = "levels") const;
  // `verified` (default true) and `note`; an unverified row without a note is refused with
  // "an unverified <kind> needs a note saying why".
  Result<std::pair<bool, std::string>> verifiedNote(const toml::table& row, const std::string& rowId,
                                                    const char* kind) const;
  // `key` = "regime id", which must be one of `regimes`.
  Result<const RegimeCatalog*> regime(const toml::table& t, const char* key, const std::string& row,
                                      const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) const;
  // A TOML date (2026-08-19) as a calendar date.
  Result<std::chrono::year_month_day> date(const toml::table& t, const char* key, const std::string& row) const;

 private:
  std::string origin_;
};

}  // namespace vigil::compliance::detail
