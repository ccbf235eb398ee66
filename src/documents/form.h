// Official forms as data: a form's definition (loaded from catalogs/templates/forms/<id>/form.toml) and the
// data that fills it. The definition names the fields and tables the law lists for the form, which
// are mandatory, their kinds (text, number, date), the form's legal source, and whether the
// wording comes from the legal text or the layout was reconstructed. `missingFields` and
// `checkFormData` run before any rendering; the renderers refuse data that does not pass them.
//
// Pure data and functions; a loaded FormDefinition is immutable and safe to share between threads.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::documents {

// How a value is checked (and written to a spreadsheet). Every value is a string already formatted
// by the caller; a number is "-?digits[.digits]", a date is "dd/mm/yyyy" (a real calendar day), a
// date-time "dd/mm/yyyy hh:mm" (24-hour clock, local time as the form states it).
enum class ValueKind { kText, kNumber, kDate, kDateTime };

// What a spreadsheet totals row shows under a column.
enum class TotalKind { kNone, kSum, kCount };

// Where the form's text comes from.
//   kLegalText: the wording of the form as published with the legal document (the page layout
//               follows Decree 30/2020 because the stored text carries no typography).
//   kReconstructed: the law lists the content but no form was found; the layout is ours, and the
//               template says so in a visible footnote.
enum class Layout { kLegalText, kReconstructed };

struct LegalSource {
  std::string document;  // "Nghị định 331/2026/NĐ-CP"
  std::string article;   // "Phụ lục, Mẫu số 01" or "Điều 14"
  std::string cite() const { return document + ", " + article; }
};

struct FieldDef {
  std::string name;  // [a-z0-9_]+, the placeholder {{name}}
  std::string label;
  bool required = false;
  ValueKind kind = ValueKind::kText;
  std::vector<std::string> values;  // when not empty, the only values allowed (as the law lists them)
  bool multiple = false;            // a checklist: one of `values` per line, each at most once
};

struct ColumnDef {
  std::string name;  // placeholder {{table.name}}
  std::string label;
  bool required = false;
  ValueKind kind = ValueKind::kText;
  std::vector<std::string> values;  // when not empty, the only values allowed
  bool multiple = false;            // a checklist: one of `values` per line, each at most once
  bool rowNumber = false;           // filled with 1, 2, 3... by the renderer; never given in the data
  double width = 15;                // spreadsheet column width, in characters
  TotalKind total = TotalKind::kNone;
};

struct TableDef {
  std::string name;
  std::string label;
  bool required = false;  // at least one row
  std::vector<ColumnDef> columns;
  const ColumnDef* column(std::string_view name) const;
};

// One worksheet of the form's spreadsheet version: either the scalar `fields` as label/value rows,
// or the rows of `table`. `title` may hold {{field}} placeholders.
struct XlsxSheetDef {
  std::string name;
  std::string title;
  std::vector<std::string> fields;
  std::string table;
};

struct FormDefinition {
  std::string id;  // the folder name, e.g. "nd331-mau-08"
  std::string title;
  std::string regime;  // "A" or "B", as in catalogs/regimes
  LegalSource source;
  Layout layout = Layout::kLegalText;
  std::string note;  // what is known and what was reconstructed, and from where
  std::vector<FieldDef> fields;
  std::vector<TableDef> tables;
  std::vector<XlsxSheetDef> xlsxSheets;  // empty: the form has no spreadsheet version

  const FieldDef* field(std::string_view name) const;
  const TableDef* table(std::string_view name) const;
};

using Row = std::map<std::string, std::string, std::less<>>;

// The values that fill one form. Names not in the definition are refused by checkFormData.
struct FormData {
  std::map<std::string, std::string, std::less<>> fields;
  std::map<std::string, std::vector<Row>, std::less<>> tables;
};

struct MissingField {
  std::string name;   // "system_name", "systems" (no rows) or "systems[2].level" (1-based row)
  std::string label;  // the Vietnamese label from the definition
};

// The mandatory fields, tables and cells that are absent or blank (only white space), in the order
// of the definition. Empty when the data can be rendered as far as completeness goes.
std::vector<MissingField> missingFields(const FormDefinition& def, const FormData& data);

// Everything checked before rendering, first error only: names unknown to the definition, values
// that are not valid UTF-8, hold control characters (other than line feed, CR LF and tab), exceed
// 65,536 bytes, do not match their kind or are not among the listed values; more than 100,000 rows; then, if anything
// is missing, a validation error listing every missing field ("missing mandatory fields: a (label), ...").
Status checkFormData(const FormDefinition& def, const FormData& data);

// Reads and validates a form.toml. Errors name "file:line: what" (unknown keys, bad names,
// duplicates, a missing source or note, a reconstructed form without a note).
Result<FormDefinition> loadFormDefinition(const std::filesystem::path& file);

// "ngày 05 tháng 02 năm 2026": the date line of a Vietnamese administrative document (Decree
// 30/2020, Appendix I: days below 10 and months below 3 take a leading zero).
std::string vietnameseDateLine(int year, int month, int day);

struct Date {
  int year = 0, month = 0, day = 0;
};

// Parses "dd/mm/yyyy" (a real calendar day, years 1900-9999).
Result<Date> parseDate(std::string_view s);

struct DateTime {
  Date date;
  int hour = 0, minute = 0;
};

// Parses "dd/mm/yyyy hh:mm" (hours 00-23).
Result<DateTime> parseDateTime(std::string_view s);

// The data window of the annual report (Decree 331 Art. 35.3; Circular 12 Art. 13): from 15/12 of
// the previous year to 14/12 of `year`, both included.
struct DateRange {
  Date from, to;
};
DateRange annualReportWindow(int year);

}  // namespace vigil::documents
