// Reading simple spreadsheets back: files from our writer (Vietnamese text, numbers, dates, blank
// cells), hand-made parts exercising what other writers do (skipped cells, inline strings,
// booleans, rich text, rows without references, the 1904 date system), the limits and malformed
// files. Setting VIGIL_WRITE_XLSX_CORPUS=<dir> also writes the fuzz target's seed corpus there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/text.h"
#include "documents/xlsx.h"
#include "documents/xlsx_reader.h"
#include "documents/zip.h"

namespace vigil::documents {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// A data sheet (no title: the header is row 1) as our writer makes it.
XlsxSheet dataSheet(std::vector<std::string> header, std::vector<std::vector<Cell>> rows) {
  XlsxSheet s;
  s.name = "Dữ liệu";
  for (auto& h : header) s.columns.push_back({.header = std::move(h)});
  s.rows = std::move(rows);
  return s;
}

// A workbook of hand-written parts: `sheetData` goes inside <sheetData>, `strings` are the shared
// strings' <si> elements, `styles` the whole styles part (none when empty).
std::string handMade(const std::string& sheetData, const std::string& strings = "", const std::string& styles = "",
                     const std::string& workbookPr = "") {
  const std::string ns = R"(xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main")";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  std::vector<ZipEntry> parts = {
      {"[Content_Types].xml", R"(<?xml version="1.0"?><Types/>)"},
      {"xl/workbook.xml", "<?xml version=\"1.0\"?><workbook " + ns + " xmlns:r=\"" + rel + "\">" + workbookPr +
                              "<sheets><sheet name=\"Trang 1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<?xml version=\"1.0\"?><Relationships "
       "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"" +
           rel + "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" + rel +
           "/sharedStrings\" Target=\"/xl/sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"" + rel +
           "/styles\" Target=\"styles.xml\"/></Relationships>"},
      {"xl/worksheets/sheet1.xml",
       "<?xml version=\"1.0\"?><worksheet " + ns + "><sheetData>" + sheetData + "</sheetData></worksheet>"},
      {"xl/sharedStrings.xml", "<?xml version=\"1.0\"?><sst " + ns + ">" + strings + "</sst>"}};
  if (!styles.empty()) parts.push_back({"xl/styles.xml", styles});
  auto zip = writeZip(parts);
  EXPECT_TRUE(zip.ok());
  return zip.ok() ? *zip : "";
}

// Writes `bytes` as `name` into the corpus folder named by VIGIL_WRITE_XLSX_CORPUS, if set.
void maybeWriteCorpus(const std::string& name, const std::string& bytes) {
  const char* dir = std::getenv("VIGIL_WRITE_XLSX_CORPUS");
  if (!dir || !*dir) return;
  std::string file = name;
  for (char& c : file)
    if (c == ' ') c = '-';
  std::ofstream(std::filesystem::path(dir) / file, std::ios::binary) << bytes;
}

TEST(XlsxReader, ReadsBackOurWriterWithVietnameseNumbersDatesAndBlanks) {
  auto file = writeXlsx({dataSheet({"tên", "số", "ngày", "ghi chú"},
                                   {{std::string("Cổng dịch vụ công tỉnh Tuyên Quang"), 12.0, Date{2025, 6, 1},
                                     std::string("Sở Khoa học & Công nghệ <TT>")},
                                    {std::string("Hệ thống một cửa"), 0.1 + 0.2, std::monostate{}, std::string("")},
                                    {std::monostate{}, -3.5, Date{2026, 2, 28}, std::string("ghi chú cuối")},
                                    {std::string("Lớn"), 250000.0, std::monostate{}, std::monostate{}}})});
  ASSERT_TRUE(file.ok()) << file.error().message;
  maybeWriteCorpus("writer-vietnamese.xlsx", *file);
  auto t = readXlsx(*file);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->sheetName, "Dữ liệu");
  const Rows expected = {{"tên", "số", "ngày", "ghi chú"},
                         {"Cổng dịch vụ công tỉnh Tuyên Quang", "12", "2025-06-01", "Sở Khoa học & Công nghệ <TT>"},
                         {"Hệ thống một cửa", "0.3"},
                         {"", "-3.5", "2026-02-28", "ghi chú cuối"},
                         {"Lớn", "250000"}};
  EXPECT_EQ(t->rows, expected);
}

TEST(XlsxReader, AStreamedSheetReadsBackTheSame) {
  const XlsxSheet s =
      dataSheet({"tên", "số", "ngày"}, {{std::string("Máy trạm Phòng Kế toán"), 7.0, Date{2026, 11, 20}},
                                        {std::monostate{}, 0.5, std::string("văn bản")}});
  auto inMemory = writeXlsx({s});
  auto streamed = writeXlsx({s}, /*streaming=*/true);
  ASSERT_TRUE(inMemory.ok() && streamed.ok());
  maybeWriteCorpus("writer-streamed.xlsx", *streamed);
  auto sheet = readZipEntry(*streamed, "xl/worksheets/sheet1.xml");
  ASSERT_TRUE(sheet.ok());
  EXPECT_NE(sheet->find("t=\"inlineStr\""), std::string::npos) << "streamed text is stored inline";
  auto a = readXlsx(*inMemory);
  auto b = readXlsx(*streamed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->rows, b->rows);
  EXPECT_EQ(b->rows,
            (Rows{{"tên", "số", "ngày"}, {"Máy trạm Phòng Kế toán", "7", "2026-11-20"}, {"", "0.5", "văn bản"}}));

  XlsxSheet titled = s;
  titled.title = "Danh sách";
  EXPECT_FALSE(writeXlsx({titled}, /*streaming=*/true).ok()) << "a merged title cannot be streamed";
}

TEST(XlsxReader, ATitledSheetKeepsItsRowNumbers) {
  XlsxSheet s = dataSheet({"a", "b"}, {{std::string("x"), 1.0}});
  s.title = "Báo cáo";
  s.subtitles = {"dòng phụ"};
  auto file = writeXlsx({s});
  ASSERT_TRUE(file.ok()) << file.error().message;
  maybeWriteCorpus("writer-titled.xlsx", *file);
  auto t = readXlsx(*file);
  ASSERT_TRUE(t.ok()) << t.error().message;
  // Row 1 title (merged: the value stays in A1), row 2 subtitle, row 3 blank, row 4 header.
  const Rows expected = {{"Báo cáo"}, {"dòng phụ"}, {}, {"a", "b"}, {"x", "1"}};
  EXPECT_EQ(t->rows, expected);
}

TEST(XlsxReader, PlacesCellsByReferenceAndReadsEveryCellType) {
  const std::string styles =
      R"(<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>)"
      R"(<numFmt numFmtId="165" formatCode="&quot;day&quot; 0.00"/></numFmts>)"
      R"(<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs>)"
      R"(</styleSheet>)";
  const std::string strings =
      R"(<si><t>tên</t></si><si><r><t>Trung tâm </t></r><r><rPr><b/></rPr><t>Chuyển đổi số</t></r>)"
      R"(<rPh><t>phonetic</t></rPh></si><si><t xml:space="preserve"> cách </t></si>)";
  const std::string data =
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="AB1" t="s"><v>2</v></c></row>)"
      R"(<row r="3"><c r="B3" t="inlineStr"><is><t>nội dòng</t></is></c><c r="C3" t="b"><v>1</v></c>)"
      R"(<c r="D3" t="b"><v>0</v></c><c r="E3" t="str"><f>A1&amp;"x"</f><v>tênx</v></c><c r="F3" t="e"><v>#N/A</v></c>)"
      R"(<c r="G3" t="d"><v>2025-06-01T00:00:00</v></c><c r="H3" t="d"><v>2025-06-01T08:30:00</v></c></row>)"
      R"(<row><c><v>45809</v></c><c s="1"><v>45809</v></c><c s="2"><v>45809</v></c><c s="3"><v>45809.5</v></c>)"
      R"(<c s="1"><v>61</v></c><c s="1"/><c><v>1.0000000000000001E-2</v></c><c><v>123456789012</v></c></row>)"
      R"(<row r="6"><c r="A6"/><c r="B6" t="s"/></row>)";
  const std::string file = handMade(data, strings, styles);
  maybeWriteCorpus("hand-cell-types.xlsx", file);
  auto t = readXlsx(file);
  ASSERT_TRUE(t.ok()) << t.error().message;
  std::vector<std::string> row1(28);
  row1[0] = "tên";
  row1[2] = "Trung tâm Chuyển đổi số";
  row1[27] = " cách ";
  const Rows expected = {
      row1,
      {},
      {"", "nội dòng", "true", "false", "tênx", "#N/A", "2025-06-01", "2025-06-01 08:30"},
      {"45809", "2025-06-01", "45809", "2025-06-01 12:00", "1900-03-01", "", "0.01", "123456789012"}};
  EXPECT_EQ(t->rows, expected);
}

TEST(XlsxReader, UnderstandsThe1904DateSystem) {
  const std::string styles =
      R"(<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>)";
  const std::string file = handMade(R"(<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>44347</v></c></row>)",
                                    "", styles, R"(<workbookPr date1904="1"/>)");
  maybeWriteCorpus("hand-1904.xlsx", file);
  auto t = readXlsx(file);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->rows, (Rows{{"1904-01-01", "2025-06-01"}}));
}

struct Malformed {
  const char* name;
  std::string bytes;
  ErrorCode code;
  const char* message;  // a part of the error message
};

TEST(XlsxReader, RefusesMalformedFilesWithAClearMessage) {
  auto noWorkbook = writeZip({{"word/document.xml", "<w/>"}});
  ASSERT_TRUE(noWorkbook.ok());
  auto noRels =
      writeZip({{"xl/workbook.xml", R"(<workbook><sheets><sheet name="a" r:id="rId1"/></sheets></workbook>)"}});
  ASSERT_TRUE(noRels.ok());
  auto noSheet = writeZip({{"xl/workbook.xml", "<workbook><sheets/></workbook>"}});
  ASSERT_TRUE(noSheet.ok());
  auto missingSheetPart = writeZip(
      {{"xl/workbook.xml", R"(<workbook><sheets><sheet name="a" r:id="rId1"/></sheets></workbook>)"},
       {"xl/_rels/workbook.xml.rels",
        R"(<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet9.xml"/></Relationships>)"}});
  ASSERT_TRUE(missingSheetPart.ok());
  auto ods = writeZip({{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", "<x/>"}});
  ASSERT_TRUE(ods.ok());
  auto file = writeXlsx({dataSheet({"a"}, {})});
  ASSERT_TRUE(file.ok());
  const std::vector<Malformed> cases = {
      {"text", "org_id,name\n1,x\n", ErrorCode::kBadRequest, "not an XLSX file"},
      {"xls", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(500, '\0'), ErrorCode::kBadRequest,
       "Excel 97-2003"},
      {"ods", *ods, ErrorCode::kBadRequest, "OpenDocument"},
      {"empty", "", ErrorCode::kBadRequest, "not an XLSX file"},
      {"truncated zip", file->substr(0, file->size() / 2), ErrorCode::kBadRequest, "damaged"},
      {"zip without workbook", *noWorkbook, ErrorCode::kBadRequest, "no xl/workbook.xml"},
      {"no relationships", *noRels, ErrorCode::kBadRequest, "no xl/_rels/workbook.xml.rels"},
      {"no sheet", *noSheet, ErrorCode::kBadRequest, "has no sheet"},
      {"sheet part missing", *missingSheetPart, ErrorCode::kBadRequest, "is missing"},
      {"bad xml", handMade("<row><c>"), ErrorCode::kBadRequest, "not valid XML"},
      {"bad reference", handMade(R"(<row r="1"><c r="1A"><v>1</v></c></row>)"), ErrorCode::kBadRequest, "cell '1A'"},
      {"reference in another row", handMade(R"(<row r="1"><c r="A2"><v>1</v></c></row>)"), ErrorCode::kBadRequest,
       "cell 'A2' in row 1"},
      {"cells out of order", handMade(R"(<row r="1"><c r="C1"><v>1</v></c><c r="B1"><v>1</v></c></row>)"),
       ErrorCode::kBadRequest, "B1 out of order"},
      {"rows out of order", handMade(R"(<row r="3"/><row r="2"/>)"), ErrorCode::kBadRequest, "row 2 out of order"},
      {"bad row number", handMade(R"(<row r="x"/>)"), ErrorCode::kBadRequest, "row numbered 'x'"},
      {"missing shared string", handMade(R"(<row r="1"><c r="A1" t="s"><v>3</v></c></row>)", "<si><t>a</t></si>"),
       ErrorCode::kBadRequest, "A1 refers to a shared string"},
      {"not a number", handMade(R"(<row r="1"><c r="B1"><v>12abc</v></c></row>)"), ErrorCode::kBadRequest,
       "B1 holds '12abc'"},
      {"invalid utf-8", handMade("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a\xC3\x28</t></is></c></row>"),
       ErrorCode::kBadRequest, "A1 is not valid UTF-8"},
      // Text of the file quoted in a message is shown as printable ASCII only.
      {"binary reference", handMade("<row r=\"1\"><c r=\"\xFF\xFE\"><v>1</v></c></row>"), ErrorCode::kBadRequest,
       "cell '?\?' in row 1"},
  };
  for (const auto& c : cases) {
    maybeWriteCorpus(std::string("bad-") + c.name + ".xlsx", c.bytes);
    auto t = readXlsx(c.bytes);
    ASSERT_FALSE(t.ok()) << c.name;
    EXPECT_TRUE(text::isValidUtf8(t.error().message)) << c.name;
    EXPECT_EQ(t.error().code, c.code) << c.name << ": " << t.error().message;
    EXPECT_NE(t.error().message.find(c.message), std::string::npos) << c.name << ": " << t.error().message;
  }
}

TEST(XlsxReader, EnforcesItsLimits) {
  std::vector<std::vector<Cell>> rows;
  for (int i = 0; i < 20; ++i) rows.push_back({std::string("hàng " + std::to_string(i)), double(i), std::string("c")});
  auto file = writeXlsx({dataSheet({"a", "b", "c"}, rows)});
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(readXlsx(*file, {.maxRows = 21, .maxColumns = 3}).ok());

  auto tooManyRows = readXlsx(*file, {.maxRows = 20});
  ASSERT_FALSE(tooManyRows.ok());
  EXPECT_EQ(tooManyRows.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_NE(tooManyRows.error().message.find("row 21; at most 20 rows"), std::string::npos)
      << tooManyRows.error().message;
  auto tooManyColumns = readXlsx(*file, {.maxColumns = 2});
  ASSERT_FALSE(tooManyColumns.ok());
  EXPECT_NE(tooManyColumns.error().message.find("cell C1; at most 2 columns"), std::string::npos)
      << tooManyColumns.error().message;
  auto tooBig = readXlsx(*file, {.maxFileBytes = 1000});
  ASSERT_FALSE(tooBig.ok());
  EXPECT_EQ(tooBig.error().code, ErrorCode::kPayloadTooLarge);

  // A small file inflating to a lot (a zip bomb): refused from the declared size, before inflating.
  const std::string bomb = handMade("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + std::string(4 << 20, ' '));
  ASSERT_LT(bomb.size(), 64u << 10);
  maybeWriteCorpus("bomb-4mib.xlsx", bomb);
  auto inflated = readXlsx(bomb, {.maxPartBytes = 1 << 20});
  ASSERT_FALSE(inflated.ok());
  EXPECT_EQ(inflated.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_NE(inflated.error().message.find("xl/worksheets/sheet1.xml"), std::string::npos) << inflated.error().message;
  auto total = readXlsx(bomb, {.maxUncompressedBytes = 2 << 20});
  ASSERT_FALSE(total.ok());
  EXPECT_EQ(total.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_TRUE(readXlsx(bomb).ok());

  // Empty cells far away do not count against the limits (spreadsheet programs write styled
  // blanks), and trailing empty rows are dropped.
  auto farBlank = readXlsx(handMade(R"(<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"/></row><row r="900000"/>)"),
                           {.maxRows = 5, .maxColumns = 5});
  ASSERT_TRUE(farBlank.ok()) << farBlank.error().message;
  EXPECT_EQ(farBlank->rows, (Rows{{"1"}}));
}

}  // namespace
}  // namespace vigil::documents
