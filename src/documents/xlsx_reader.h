// Reading simple spreadsheets (XLSX) as rows of cell texts: the first sheet of the workbook, for
// imports from a template (the registry's systems and assets). libzip and pugixml stay in the .cpp.
//
// Supported, per cell: shared strings (plain or rich text runs; phonetic runs ignored), inline
// strings, booleans ("true" / "false"), formula results as cached in the file (text or number),
// error values as written ("#N/A"), ISO 8601 date cells ("2025-06-01"), and numbers written back without binary noise
// (at most 15 significant digits: 12 -> "12", 0.30000000000000004 -> "0.3"). A number in a cell whose style has a date
// format (the built-in date formats 14-22 and 45-47, or a custom format with a day, month or year part outside quotes)
// is a date serial and comes back as "YYYY-MM-DD" (plus " HH:MM" when it has a time of day); both the 1900 and the 1904
// date systems are understood. Cells and rows without a reference follow the previous one. Not supported (read as
// stored or ignored): other sheets, merged cells (the value stays in the first cell), formulas without a cached value
// (empty), hidden rows (read like the others), number formats other than dates.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::documents {

struct XlsxReadLimits {
  size_t maxFileBytes = 8u << 20;  // the .xlsx file itself (compressed)
  // The XML of a part is parsed into a tree about six times its size: these bound the memory.
  size_t maxPartBytes = 16u << 20;          // one XML part once inflated
  size_t maxUncompressedBytes = 40u << 20;  // every part read, together
  size_t maxRows = 10000;                   // the last non-empty row must be at most this
  size_t maxColumns = 100;                  // the last non-empty column must be at most this
};

struct XlsxTable {
  std::string sheetName;
  // rows[i] is the sheet's row i + 1; each row holds its cells up to its last non-empty one
  // (empty cells before it are ""), so an empty row is an empty vector. Trailing empty rows are
  // dropped.
  std::vector<std::vector<std::string>> rows;
};

// The first sheet of the workbook `bytes`. Errors (bad_request, or payload_too_large for the
// limits) say what is wrong: not an XLSX file (an .xls or .ods file is named as such), a missing
// or damaged part, a sheet over the limits, a bad cell reference (naming the cell).
Result<XlsxTable> readXlsx(std::string_view bytes, const XlsxReadLimits& limits = {});

}  // namespace vigil::documents
