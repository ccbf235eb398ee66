// Fuzz target: the XLSX reader. An input starting with "PK" is read as the file itself (the ZIP
// layer, part lookup, limits); any other input is the XML of the sheet, optionally followed by a
// NUL byte and the shared strings part, then a NUL byte and the styles part, packed into a minimal
// workbook first (so that mutations reach the cell parsing instead of failing the ZIP checksums).
// Any input is either refused with a message or read into rows within the limits; nothing
// crashes, a read table never holds a row or a column beyond them, and every text (cells, sheet
// name, error messages) is valid UTF-8. The seed corpus (corpus/xlsx_reader) holds small real
// workbooks from our writer, hand-made ones and one saved by LibreOffice
// (tests/documents/xlsx_reader_test.cpp writes them with VIGIL_WRITE_XLSX_CORPUS=<dir>), and
// sheet XML seeds (*.xml).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "documents/xlsx_reader.h"
#include "documents/zip.h"

using namespace vigil;

namespace {

// A workbook of one sheet with these parts (the sheet part as given).
std::string workbook(std::string_view input) {
  const size_t a = input.find('\0');
  const size_t b = a == std::string_view::npos ? a : input.find('\0', a + 1);
  const std::string sheet(input.substr(0, a));
  const std::string strings(a == std::string_view::npos ? "" : input.substr(a + 1, b - a - 1));
  const std::string styles(b == std::string_view::npos ? "" : input.substr(b + 1));
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  std::vector<documents::ZipEntry> parts = {
      {"xl/workbook.xml",
       "<workbook xmlns:r=\"" + rel + "\"><sheets><sheet name=\"Trang 1\" r:id=\"rId1\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"" + rel +
                                         "/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
      {"xl/worksheets/sheet1.xml", sheet}};
  if (!strings.empty()) parts.push_back({"xl/sharedStrings.xml", strings});  // absent parts are optional
  if (!styles.empty()) parts.push_back({"xl/styles.xml", styles});
  auto zip = documents::writeZip(parts);
  if (!zip.ok()) std::abort();
  return *zip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const documents::XlsxReadLimits limits{.maxFileBytes = 1 << 20,
                                         .maxPartBytes = 8 << 20,
                                         .maxUncompressedBytes = 16 << 20,
                                         .maxRows = 200,
                                         .maxColumns = 40};
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string bytes = in.substr(0, 2) == "PK" ? std::string(in) : workbook(in);
  auto t = documents::readXlsx(bytes, limits);
  if (!t.ok()) {
    if (t.error().message.empty() || !text::isValidUtf8(t.error().message)) std::abort();
    return 0;
  }
  if (t->rows.size() > limits.maxRows || !text::isValidUtf8(t->sheetName)) std::abort();
  if (!t->rows.empty() && t->rows.back().empty()) std::abort();  // trailing empty rows are dropped
  for (const auto& row : t->rows) {
    if (row.size() > limits.maxColumns || (!row.empty() && row.back().empty())) std::abort();
    for (const auto& cell : row)
      if (!text::isValidUtf8(cell)) std::abort();
  }
  return 0;
}
