// The registry's API helpers shared by routes_registry.cpp and routes_dossiers.cpp: reading and
// checking the bodies of systems and their records, the level of a stored system (through the
// regime catalogs), the gates, the dossier deadlines, and CSV in and out. Include only from
// src/api/*.cpp (it brings Boost.JSON).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/json_io.h"
#include "compliance/level_calculator.h"
#include "model/registry.h"

namespace vigil::api {

// The loaded catalog with this id, or nullptr.
std::shared_ptr<const compliance::RegimeCatalog> findRegime(const Api& api, std::string_view id);

// Reads a JSON object of answers against `catalog`: names must be facts of the regime and values
// of the fact's type (null: unanswered, the default applies). Errors name the fact.
Result<compliance::Facts> factsFromJson(const compliance::RegimeCatalog& catalog, const json::object& facts);
Result<compliance::Facts> factsFromText(const compliance::RegimeCatalog& catalog, const std::string& factsJson);

// The store's SystemLeveler over the API's regime catalogs.
class CatalogLeveler : public SystemLeveler {
 public:
  explicit CatalogLeveler(const Api& api) : api_(api) {}
  Result<int> proposedLevel(const std::string& regimeId, const std::string& factsJson,
                            int componentsLevel) const override;

 private:
  const Api& api_;
};

// A date field "YYYY-MM-DD" (absent or null: nullopt); the error names the field.
Result<std::optional<std::string>> checkDate(const std::string& field, const std::optional<std::string>& text);

// Checks a system's fields that need no store: known regime, facts valid for it (the calculator's
// validation, the error names the fact), enumerations, dates in order, addresses. `where`
// prefixes field names (CSV import: none).
Status checkSystemFields(const Api& api, const SystemFields& f);

// Reads the JSON body of a system (create and update).
Result<SystemFields> readSystemBody(const Api& api, BodyReader& body);
Result<AssetFields> readAssetBody(BodyReader& body);
Status checkAssetFields(const AssetFields& f);

json::value systemToJson(const InfoSystem& s);
json::value assetToJson(const Asset& a);
// The calculator's result for a stored system: its recorded answers and its components' levels.
Result<compliance::LevelResult> systemLevel(const Api& api, const InfoSystem& s,
                                            const std::vector<InfoSystem>& components);
// The full view of one system: the record, `level` (the calculator's result with reasoning,
// bodies and deadline rules), `components`, `dossier` (the latest, or null) and `gates`.
Result<json::value> systemDetail(Api& api, const Actor& actor, const InfoSystem& s);
// A dossier with its dated deadlines, events and attachments.
json::value dossierToJson(const Api& api, const Dossier& d, const std::vector<Attachment>& attachments);
json::value attachmentToJson(const Attachment& a);

// Today's date on the working-day calendar's local time (UTC+7 when none is loaded).
std::string todayLocal(const Api& api);

// --- CSV (RFC 4180; UTF-8, an optional BOM, CRLF or LF line ends)
std::string csvField(const std::string& s);
// Rows of fields. The error says the line of a quote that is never closed.
Result<std::vector<std::vector<std::string>>> parseCsv(std::string_view text);

// The rows of a CSV import (the registry's systems and assets, the portals): the JSON body
// {"csv": "<the file's text>"} with no other member, read as is (line breaks and tabs are the
// file's content), at most 4 MiB of text (payload_too_large beyond), parsed with parseCsv.
Result<std::vector<std::vector<std::string>>> readCsvImport(const http::Request& req);

// The rows of an XLSX import: the raw body is the .xlsx file (at most 8 MiB), whose first sheet is
// read (the header on row 1) with at most `maxRows` rows counting the header and `columns` + 20
// columns; documents::readXlsx's errors otherwise.
Result<std::vector<std::vector<std::string>>> readXlsxImport(const http::Request& req, size_t maxRows, size_t columns);

// One problem in an imported row: its line in the file (the header is line 1), the column and
// what is wrong.
struct RowError {
  size_t row = 0;
  std::string column;
  std::string message;
};
// 400 validation_failed with details {"field", "rows":[{"row","column","message"}]} and nothing
// imported; `field` is "csv" (the JSON member holding the CSV text) or "file" (an uploaded file).
http::Response rowErrorsResponse(const std::vector<RowError>& errors, const std::string& field = "csv");

}  // namespace vigil::api
