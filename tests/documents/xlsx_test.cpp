// The annual report (Mẫu 08) as XLSX, read back from its XML: Vietnamese text in the shared
// strings, numbers as numbers, dates as date serials with a date format, the totals row.
#include <gtest/gtest.h>

#include "documents/form_library.h"
#include "documents/xlsx.h"
#include "documents/zip.h"
#include "test_util.h"

namespace vigil::documents {
namespace {

// A read-back workbook: the shared strings and the XML of each cell of one sheet.
class Sheet {
 public:
  Sheet(const std::string& xlsx, int index) {
    auto strings = readZipEntry(xlsx, "xl/sharedStrings.xml");
    EXPECT_TRUE(strings.ok());
    for (size_t p = strings->find("<si>"); p != std::string::npos; p = strings->find("<si>", p + 4)) {
      const size_t end = strings->find("</si>", p);
      std::string si = strings->substr(p, end - p), text;
      for (size_t t = si.find("<t"); t != std::string::npos; t = si.find("<t", t + 2)) {
        if (si.compare(t, 3, "<t>") != 0 && si.compare(t, 3, "<t ") != 0) continue;
        const size_t open = si.find('>', t) + 1;
        text += si.substr(open, si.find("</t>", open) - open);
      }
      strings_.push_back(text);
    }
    auto xml = readZipEntry(xlsx, "xl/worksheets/sheet" + std::to_string(index) + ".xml");
    EXPECT_TRUE(xml.ok());
    xml_ = xml.ok() ? *xml : "";
  }
  // The <c> element of `ref` ("B5"), empty if absent.
  std::string cell(const std::string& ref) const {
    const size_t p = xml_.find("<c r=\"" + ref + "\"");
    if (p == std::string::npos) return "";
    const size_t selfClose = xml_.find("/>", p), close = xml_.find("</c>", p);
    if (selfClose < close && xml_.find('>', p) == selfClose + 1) return xml_.substr(p, selfClose + 2 - p);
    return xml_.substr(p, close + 4 - p);
  }
  std::string value(const std::string& ref) const {
    const std::string c = cell(ref);
    const size_t v = c.find("<v>");
    return v == std::string::npos ? "" : c.substr(v + 3, c.find("</v>") - v - 3);
  }
  bool isString(const std::string& ref) const { return cell(ref).find("t=\"s\"") != std::string::npos; }
  std::string text(const std::string& ref) const {
    if (!isString(ref)) return "<not a string>";
    return strings_.at(std::stoul(value(ref)));
  }
  const std::string& xml() const { return xml_; }

 private:
  std::vector<std::string> strings_;
  std::string xml_;
};

TEST(Xlsx, AnnualReportReadsBackWithTheRightCells) {
  auto lib = FormLibrary::load(test::templatesDir());
  ASSERT_TRUE(lib.ok()) << lib.error().message;
  const FormData data = test::loadSample("nd331-mau-08");
  auto file = (*lib)->renderXlsx("nd331-mau-08", data);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->fileName, "nd331-mau-08.xlsx");
  EXPECT_EQ(file->bytes.substr(0, 2), "PK");

  auto workbook = readZipEntry(file->bytes, "xl/workbook.xml");
  ASSERT_TRUE(workbook.ok());
  EXPECT_NE(workbook->find("name=\"Thông tin chung\""), std::string::npos);
  EXPECT_NE(workbook->find("name=\"Danh sách HTTT\""), std::string::npos);
  auto styles = readZipEntry(file->bytes, "xl/styles.xml");
  ASSERT_TRUE(styles.ok());
  EXPECT_NE(styles->find("Times New Roman"), std::string::npos);
  EXPECT_NE(styles->find("formatCode=\"dd/mm/yyyy\""), std::string::npos);

  const Sheet summary(file->bytes, 1);
  EXPECT_NE(summary.text("A1").find("Ủy ban nhân dân tỉnh Tuyên Quang (số liệu từ 15/12/2026 đến 14/12/2027)"),
            std::string::npos)
      << summary.text("A1");
  EXPECT_EQ(summary.text("A2"), "Nghị định 331/2026/NĐ-CP, Phụ lục, Mẫu số 08");
  EXPECT_EQ(summary.text("A4"), "Nội dung");
  EXPECT_EQ(summary.text("A5"), "Tổng số hệ thống thông tin thuộc phạm vi quản lý");
  EXPECT_FALSE(summary.isString("B5"));
  EXPECT_EQ(summary.value("B5"), "97");
  EXPECT_EQ(summary.value("B9"), "95");
  EXPECT_EQ(summary.text("B11"), "Quý I/2028");

  const Sheet systems(file->bytes, 2);
  EXPECT_EQ(systems.text("B4"), "(2) Tên HTTT");
  EXPECT_EQ(systems.text("F4"), "(6) Tình trạng phê duyệt cấp độ");
  // Data rows 5-7: row numbers and levels are numbers; names, statuses are text.
  EXPECT_EQ(systems.value("A5"), "1");
  EXPECT_EQ(systems.value("A7"), "3");
  EXPECT_FALSE(systems.isString("A7"));
  EXPECT_EQ(systems.text("B5"), "Cổng thông tin điện tử tỉnh");
  EXPECT_EQ(systems.text("D5"), "Trung tâm CNTT &amp; TT \"Tỉnh\" &lt;TTCNTT&gt;");
  EXPECT_EQ(systems.value("E5"), "3");
  EXPECT_FALSE(systems.isString("E5"));
  EXPECT_EQ(systems.value("E7"), "1");
  EXPECT_EQ(systems.text("F6"), "Đã gửi thẩm định");
  EXPECT_EQ(systems.text("J6"), "Đã triển khai một số hạng mục");
  EXPECT_EQ(systems.text("L5"), "Trước khi đưa vào sử dụng; Định kỳ");
  // Dates as serial numbers (days since 30/12/1899) with a date style.
  EXPECT_FALSE(systems.isString("I6"));
  EXPECT_EQ(systems.value("I6"), "46843");  // 31/03/2028
  EXPECT_EQ(systems.value("K6"), "46934");  // 30/06/2028
  EXPECT_NE(systems.cell("I6").find(" s=\""), std::string::npos);
  EXPECT_EQ(systems.value("I5"), "") << "a blank optional date stays blank";
  // Totals row 8: the number of systems, as a formula with its value.
  EXPECT_EQ(systems.text("A8"), "Tổng cộng");
  EXPECT_NE(systems.cell("B8").find("<f>COUNTA(B5:B7)</f>"), std::string::npos) << systems.cell("B8");
  EXPECT_EQ(systems.value("B8"), "3");
  EXPECT_EQ(systems.cell("B9"), "") << "nothing after the totals row";
  EXPECT_NE(systems.xml().find("<col "), std::string::npos) << "column widths are set";
}

TEST(Xlsx, RegimeAReportHasOneSheetPerTable) {
  auto lib = FormLibrary::load(test::templatesDir());
  ASSERT_TRUE(lib.ok()) << lib.error().message;
  auto file = (*lib)->renderXlsx("tt12-dieu-14", test::loadSample("tt12-dieu-14"));
  ASSERT_TRUE(file.ok()) << file.error().message;
  const Sheet systems(file->bytes, 1), requirements(file->bytes, 2), operators(file->bytes, 3);
  EXPECT_EQ(systems.text("A2"), "Thông tư 12/2022/TT-BTTTT, Điều 13, Điều 14");
  EXPECT_EQ(systems.text("B6"), "Cơ sở dữ liệu giá &amp; tài sản công");
  EXPECT_EQ(systems.value("D6"), "2");
  EXPECT_EQ(systems.text("F6"), "Mới triển khai một phần");
  EXPECT_EQ(systems.value("B7"), "2") << "the totals row counts the systems";
  EXPECT_EQ(requirements.text("D5"), "Chưa đáp ứng đầy đủ");
  EXPECT_EQ(requirements.text("E5"), "Đầu tư thiết bị dự phòng trong Quý II/2027");
  EXPECT_EQ(operators.text("D5"), "Hoàng Thu Trang, Chánh Văn phòng");
  EXPECT_EQ(operators.cell("A6"), "") << "one operator, no totals row";
}

TEST(Xlsx, SumTotalsAndRefusals) {
  XlsxSheet sheet;
  sheet.name = "Số liệu";
  sheet.title = "Bảng tổng hợp";
  sheet.columns = {
      {"Đơn vị", 30, TotalKind::kNone}, {"Số máy trạm", 12, TotalKind::kSum}, {"Cập nhật", 18, TotalKind::kNone}};
  sheet.rows = {{std::string("Sở Nội vụ"), 42.0, DateTime{{2026, 11, 24}, 7, 30}}, {std::string("Sở Tài chính"), 18.5}};
  sheet.totalsLabel = "Tổng cộng";
  auto bytes = writeXlsx({sheet});
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  const Sheet s(*bytes, 1);
  EXPECT_EQ(s.value("B4"), "42");  // no subtitle: title, blank row, header on row 3
  EXPECT_NE(s.cell("B6").find("<f>SUM(B4:B5)</f>"), std::string::npos) << s.cell("B6");
  EXPECT_EQ(s.value("B6"), "60.5");
  EXPECT_EQ(s.value("C4"), "46350.3125") << "24/11/2026 07:30 as a date serial";
  EXPECT_EQ(s.cell("C5").find("<v>"), std::string::npos) << "a missing cell stays blank";

  XlsxSheet bad = sheet;
  bad.name = "a/b";
  EXPECT_FALSE(writeXlsx({bad}).ok());
  bad = sheet;
  bad.rows[0][0] = std::string("x\x02y");
  EXPECT_FALSE(writeXlsx({bad}).ok());
  bad = sheet;
  bad.rows.push_back({std::string("a"), 1.0, 2.0, 3.0});  // four cells, three columns
  EXPECT_FALSE(writeXlsx({bad}).ok());
  EXPECT_FALSE(writeXlsx({}).ok());
}

TEST(Xlsx, OnlyFormsWithASpreadsheetVersion) {
  auto lib = FormLibrary::load(test::templatesDir());
  ASSERT_TRUE(lib.ok());
  auto file = (*lib)->renderXlsx("nd331-mau-01", test::loadSample("nd331-mau-01"));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vigil::documents
