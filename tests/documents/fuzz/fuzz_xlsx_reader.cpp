// Fuzz target: the XLSX reader over arbitrary bytes. Any input is either refused with a message or
// read into rows within the limits; nothing crashes, a read table never holds a row or a column
// beyond them, and every text (cells, sheet name, error messages) is valid UTF-8. The seed corpus (corpus/xlsx_reader)
// holds small real workbooks from our writer, hand-made ones and one saved by LibreOffice
// (tests/documents/xlsx_reader_test.cpp writes them with VIGIL_WRITE_XLSX_CORPUS=<dir>).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/text.h"
#include "documents/xlsx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const vigil::documents::XlsxReadLimits limits{.maxFileBytes = 1 << 20,
                                                .maxPartBytes = 8 << 20,
                                                .maxUncompressedBytes = 16 << 20,
                                                .maxRows = 200,
                                                .maxColumns = 40};
  auto t = vigil::documents::readXlsx(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!t.ok()) {
    if (t.error().message.empty() || !vigil::text::isValidUtf8(t.error().message)) std::abort();
    return 0;
  }
  if (t->rows.size() > limits.maxRows) std::abort();
  if (!vigil::text::isValidUtf8(t->sheetName)) std::abort();
  for (const auto& row : t->rows) {
    if (row.size() > limits.maxColumns || (!row.empty() && row.back().empty())) std::abort();
    for (const auto& cell : row)
      if (!vigil::text::isValidUtf8(cell)) std::abort();  // every cell is valid UTF-8
  }
  if (!t->rows.empty() && t->rows.back().empty()) std::abort();
  return 0;
}
