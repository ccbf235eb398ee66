// Spreadsheet reports (XLSX) over libxlsxwriter, kept out of this header. One workbook of one or
// more sheets; each sheet has a title (merged across the columns), optional subtitle lines, a
// header row, data rows (text as shared strings, numbers as numbers, dates as real dates shown
// dd/mm/yyyy, date-times dd/mm/yyyy hh:mm) and an optional totals row (SUM or COUNTA formulas with their computed
// values, so a viewer that does not recalculate shows them too). Fonts are Times New Roman; A4.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "documents/form.h"

namespace vigil::documents {

using Cell = std::variant<std::monostate, std::string, double, Date, DateTime>;

struct XlsxColumn {
  std::string header;
  double width = 15;  // characters
  TotalKind total = TotalKind::kNone;
};

struct XlsxSheet {
  std::string name;   // at most 31 characters, none of []:*?/\ (checked)
  std::string title;  // empty with no subtitles: the header is row 1 (a data sheet)
  std::vector<std::string> subtitles;
  std::vector<XlsxColumn> columns;
  std::vector<std::vector<Cell>> rows;  // each row has at most columns.size() cells
  std::string totalsLabel;              // non-empty: a totals row with this label in the first column
  bool landscape = false;
};

// The bytes of an .xlsx file. libxlsxwriter writes files, so the workbook goes to a private
// directory made by mkdtemp under $TMPDIR (or /tmp) and is removed before returning.
// `streaming` (for long data sheets, e.g. a province's 100,000 assets): each row goes to the
// temporary file as soon as it is written (libxlsxwriter's constant_memory mode), so memory stays
// flat; text is then stored in the cells (inline strings) rather than as shared strings, and a
// sheet with a title is refused (its merged title cells need the in-memory mode).
Result<std::string> writeXlsx(const std::vector<XlsxSheet>& sheets, bool streaming = false);

}  // namespace vigil::documents
