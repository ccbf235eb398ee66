#include "compliance/catalog_loader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "compliance/regime_catalog.h"

namespace vigil::compliance {

std::string Source::cite() const {
  // "Điều 9" for an article number; a label such as "Phụ lục IV" or "mục 7.2" stands as written.
  const bool numbered = !article.empty() && article[0] >= '0' && article[0] <= '9';
  std::string s = document + ", " + (numbered ? "Điều " : "") + article;
  if (!clause.empty()) s += " khoản " + clause;
  return s;
}

namespace detail {

bool oneOf(std::string_view s, const std::vector<std::string_view>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string rowName(const toml::table& t, const char* kind, const char* key) {
  if (auto v = t[key].value<std::string>()) return std::string(kind) + " " + *v;
  return kind;
}

Result<std::string> readCatalogFile(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) return Error::notFound(what + " " + path + " cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Result<toml::table> parseToml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error::validation(origin + ":" + std::to_string(e.source().begin.line),
                             "syntax error: " + std::string(e.description()));
  }
}

Result<std::vector<std::filesystem::path>> catalogFiles(const std::string& dir, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::notFound(what + " folder " + dir + " does not exist");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) return Error::notFound("no " + what + " (*.toml) in " + dir);
  return files;
}

Error CatalogLoader::err(const toml::node& n, const std::string& row, const std::string& what) const {
  return Error::validation(origin_ + ":" + std::to_string(n.source().begin.line),
                           (row.empty() ? "" : row + ": ") + what);
}

std::optional<Error> CatalogLoader::onlyKeys(const toml::table& t, const std::string& row,
                                             const std::vector<std::string_view>& allowed,
                                             const std::vector<std::string_view>& alsoAllowed) const {
  for (const auto& [k, v] : t)
    if (!oneOf(k.str(), allowed) && !oneOf(k.str(), alsoAllowed))
      return err(v, row, "unknown key '" + std::string(k.str()) + "'");
  return std::nullopt;
}

Result<std::string> CatalogLoader::requiredText(const toml::table& t, const char* key, const std::string& row) const {
  const auto* n = t.get(key);
  if (!n) return err(t, row, std::string("missing ") + key);
  auto v = n->value<std::string>();
  if (!v) return err(*n, row, std::string(key) + " must be a string");
  if (v->empty()) return err(*n, row, std::string(key) + " must not be empty");
  return *v;
}

Result<std::string> CatalogLoader::optionalText(const toml::table& t, const char* key, const std::string& row) const {
  const auto* n = t.get(key);
  if (!n) return std::string();
  auto v = n->value<std::string>();
  if (!v) return err(*n, row, std::string(key) + " must be a string");
  return *v;
}

Result<Source> CatalogLoader::source(const toml::table& row, const std::string& rowId, const char* key) const {
  const auto* n = row.get(key);
  if (!n) return err(row, rowId, std::string("missing ") + key + " (the legal source: document, article, clause)");
  const auto* t = n->as_table();
  if (!t) return err(*n, rowId, std::string(key) + " must be a table { document, article, clause }");
  if (auto e = onlyKeys(*t, rowId, {"document", "article", "clause"})) return *e;
  Source s;
  VIGIL_ASSIGN_OR_RETURN(s.document, requiredText(*t, "document", rowId + ": " + key));
  VIGIL_ASSIGN_OR_RETURN(s.article, requiredText(*t, "article", rowId + ": " + key));
  if (const auto* c = t->get("clause")) {
    auto v = c->value<std::string>();
    if (!v) return err(*c, rowId, std::string(key) + ".clause must be a string");
    s.clause = *v;
  }
  return s;
}

Result<std::vector<int>> CatalogLoader::levels(const toml::table& row, const std::string& rowId, int maxLevel,
                                               const char* key) const {
  const auto* arr = row[key].as_array();
  if (!arr || arr->empty()) return err(row, rowId, std::string(key) + " must be a non-empty array of levels");
  std::vector<int> out;
  for (const auto& n : *arr) {
    auto v = n.value<int64_t>();
    if (!v || *v < 1 || *v > maxLevel)
      return err(n, rowId, "unknown level (levels run from 1 to " + std::to_string(maxLevel) + ")");
    if (std::find(out.begin(), out.end(), static_cast<int>(*v)) != out.end())
      return err(n, rowId, "level " + std::to_string(*v) + " listed twice");
    out.push_back(static_cast<int>(*v));
  }
  return out;
}

Result<std::pair<bool, std::string>> CatalogLoader::verifiedNote(const toml::table& row, const std::string& rowId,
                                                                 const char* kind) const {
  bool verified = true;
  if (const auto* v = row.get("verified")) {
    auto b = v->value<bool>();
    if (!b) return err(*v, rowId, "verified must be true or false");
    verified = *b;
  }
  VIGIL_ASSIGN_OR_RETURN(auto note, optionalText(row, "note", rowId));
  if (!verified && note.empty())
    return err(row, rowId, std::string("an unverified ") + kind + " needs a note saying why");
  return std::pair{verified, std::move(note)};
}

Result<const RegimeCatalog*> CatalogLoader::regime(
    const toml::table& t, const char* key, const std::string& row,
    const std::vector<std::shared_ptr<const RegimeCatalog>>& regimes) const {
  VIGIL_ASSIGN_OR_RETURN(auto id, requiredText(t, key, row));
  std::vector<std::string> known;
  for (const auto& r : regimes) {
    if (r->id() == id) return r.get();
    known.push_back(r->id());
  }
  return err(*t.get(key), row, "unknown regime '" + id + "' (" + (known.empty() ? "none loaded" : join(known)) + ")");
}

Result<std::chrono::year_month_day> CatalogLoader::date(const toml::table& t, const char* key,
                                                        const std::string& row) const {
  const auto* n = t.get(key);
  if (!n) return err(t, row, std::string("missing ") + key);
  auto d = n->value<toml::date>();
  if (!d) return err(*n, row, std::string(key) + " must be a date like 2026-08-19");
  const std::chrono::year_month_day ymd{std::chrono::year{d->year}, std::chrono::month{d->month},
                                        std::chrono::day{d->day}};
  if (!ymd.ok()) return err(*n, row, std::string(key) + " is not a calendar date");
  return ymd;
}

}  // namespace detail
}  // namespace vigil::compliance
