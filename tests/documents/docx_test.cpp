// Every form rendered from its sample data, unzipped and checked: each value present and escaped,
// no placeholder left, Times New Roman, one table row per data row, A4 page; refusals; determinism.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "documents/docx_template.h"
#include "documents/form_library.h"
#include "documents/zip.h"
#include "test_util.h"

namespace vigil::documents {
namespace {

using test::countOf;
using test::loadSample;
using test::xmlEscaped;

std::shared_ptr<const FormLibrary> library() {
  static auto lib = [] {
    auto r = FormLibrary::load(test::templatesDir());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : nullptr;
  }();
  return lib;
}

std::string readTemplate(const std::string& id) {
  std::ifstream in(test::templatesDir() / "forms" / id / "document.xml");
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

TEST(FormLibrary, LoadsEveryTemplateAndEachHasSampleData) {
  auto lib = library();
  ASSERT_TRUE(lib);
  std::vector<std::string> ids;
  for (const auto* f : lib->forms()) ids.push_back(f->id);
  const std::vector<std::string> expected = {"nd331-mau-01",          "nd331-mau-02",         "nd331-mau-03",
                                             "nd331-mau-04",          "nd331-mau-05",         "nd331-mau-06",
                                             "nd331-mau-07",          "nd331-mau-08",         "tt12-dieu-14",
                                             "nd331-thong-bao-ngay",  "nd331-thong-bao-24h",  "nd331-bao-cao-72h",
                                             "nd331-bao-cao-ket-qua", "qd05-bao-cao-de-xuat", "tt20-thong-bao-su-co",
                                             "tt20-mau-03",           "tt20-mau-04"};
  for (const auto& id : expected) EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  for (const auto& id : ids) {
    EXPECT_TRUE(std::filesystem::exists(test::samplesDir() / (id + ".toml"))) << "no sample data for " << id;
    const FormDefinition* def = lib->find(id);
    EXPECT_FALSE(def->source.document.empty());
    EXPECT_FALSE(def->note.empty());
  }
}

// Every form an incident process names for a step output (`form = "<id>"` in
// catalogs/incident/processes/*.toml) exists in the library, so that no step asks for a report
// the officer cannot render.
TEST(FormLibrary, EveryFormNamedByAnIncidentProcessExists) {
  auto lib = library();
  ASSERT_TRUE(lib);
  size_t named = 0;
  const auto dir = std::filesystem::path(VIGIL_TEST_SOURCE_DIR) / "catalogs" / "incident" / "processes";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".toml") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("form = \"", 0) != 0) continue;
      const std::string id = line.substr(8, line.find('"', 8) - 8);
      ++named;
      EXPECT_NE(lib->find(id), nullptr) << entry.path().filename().string() << " names form " << id;
    }
  }
  EXPECT_GE(named, 8u) << "the processes name the incident report forms";
}

class EveryForm : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryForm, RendersEveryValueEscapedWithTheOfficialLayout) {
  auto lib = library();
  ASSERT_TRUE(lib);
  const std::string id = GetParam();
  const FormData data = loadSample(id);
  ASSERT_TRUE(missingFields(*lib->find(id), data).empty()) << "the sample of " << id << " misses a mandatory field";
  auto file = lib->renderDocx(id, data);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->fileName, id + ".docx");
  EXPECT_EQ(file->sha256.size(), 64u);

  auto names = listZip(file->bytes);
  ASSERT_TRUE(names.ok()) << names.error().message;
  ASSERT_FALSE(names->empty());
  EXPECT_EQ(names->front(), "[Content_Types].xml");
  for (const char* part : {"_rels/.rels", "word/document.xml", "word/styles.xml", "word/settings.xml"})
    EXPECT_NE(std::find(names->begin(), names->end(), part), names->end()) << part;

  auto xml = readZipEntry(file->bytes, "word/document.xml");
  ASSERT_TRUE(xml.ok());
  EXPECT_EQ(xml->find("{{"), std::string::npos) << "a placeholder is left";
  EXPECT_NE(xml->find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), std::string::npos);
  EXPECT_NE(xml->find("Độc lập - Tự do - Hạnh phúc"), std::string::npos);
  // A4 portrait (or landscape for wide tables), left margin 30 mm, right 15 mm, top/bottom 20 mm.
  EXPECT_TRUE(xml->find("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>") != std::string::npos ||
              xml->find("<w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>") != std::string::npos);
  EXPECT_NE(xml->find("w:top=\"1134\" w:right=\"851\" w:bottom=\"1134\" w:left=\"1701\""), std::string::npos);

  // Every value: each of its lines, escaped; a multi-line value as line breaks.
  auto expectValue = [&](const std::string& where, const std::string& value) {
    std::stringstream lines(value);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) {
        EXPECT_NE(xml->find(xmlEscaped(line)), std::string::npos) << where << ": " << line;
      }
    if (value.find('\n') != std::string::npos) {
      EXPECT_NE(xml->find(wordText(value)), std::string::npos) << where;
    }
  };
  for (const auto& [name, value] : data.fields)
    if (readTemplate(id).find("{{" + name + "}}") != std::string::npos) expectValue(name, value);
  for (const auto& [table, rows] : data.tables)
    for (size_t r = 0; r < rows.size(); ++r)
      for (const auto& [col, value] : rows[r]) expectValue(table + "[" + std::to_string(r + 1) + "]." + col, value);
  // The raw special characters of the samples never reach the XML unescaped.
  EXPECT_EQ(xml->find("\"Tỉnh\""), std::string::npos);
  EXPECT_EQ(xml->find("<TTCNTT>"), std::string::npos);

  // One repeated table row per data row: the template's rows, minus the marked one, plus the data
  // (tables repeated as sections of paragraphs aside).
  const std::string tpl = readTemplate(id);
  size_t repeated = 0, dataRows = 0;
  for (const auto& t : lib->find(id)->tables) {
    if (tpl.find("{{#" + t.name + "}}") != std::string::npos) continue;
    if (tpl.find("{{" + t.name + ".") != std::string::npos) ++repeated;
    auto it = data.tables.find(t.name);
    if (it != data.tables.end()) dataRows += it->second.size();
  }
  EXPECT_EQ(countOf(*xml, "<w:tr>"), countOf(tpl, "<w:tr>") - repeated + dataRows);

  // Times New Roman on every run of the body, and as the default of the styles, at 13 pt.
  EXPECT_GT(countOf(*xml, "<w:r>"), 10u);
  EXPECT_EQ(countOf(*xml, "<w:r>"), countOf(*xml, "<w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\""));
  auto styles = readZipEntry(file->bytes, "word/styles.xml");
  ASSERT_TRUE(styles.ok());
  EXPECT_NE(styles->find("<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\""), std::string::npos);
  EXPECT_NE(styles->find("<w:sz w:val=\"26\"/>"), std::string::npos) << "13 pt by default";
}

INSTANTIATE_TEST_SUITE_P(Forms, EveryForm,
                         ::testing::Values("nd331-mau-01", "nd331-mau-02", "nd331-mau-03", "nd331-mau-04",
                                           "nd331-mau-05", "nd331-mau-06", "nd331-mau-07", "nd331-mau-08",
                                           "tt12-dieu-14", "nd331-thong-bao-ngay", "nd331-thong-bao-24h",
                                           "nd331-bao-cao-72h", "nd331-bao-cao-ket-qua", "qd05-bao-cao-de-xuat",
                                           "tt20-thong-bao-su-co", "tt20-mau-03", "tt20-mau-04",
                                           "webmon-bao-cao-cong-ttdt"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(Docx, AnnualReportRowsAreNumberedAndInOrder) {
  auto lib = library();
  ASSERT_TRUE(lib);
  auto data = loadSample("nd331-mau-08");
  auto file = lib->renderDocx("nd331-mau-08", data);
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto xml = readZipEntry(file->bytes, "word/document.xml").value();
  const size_t first = xml.find("Cổng thông tin điện tử tỉnh");
  const size_t second = xml.find("Hệ thống thông tin giải quyết thủ tục hành chính tỉnh");
  const size_t third = xml.find("Mạng nội bộ (LAN) Sở Nội vụ");
  ASSERT_NE(third, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  // Row numbers 1..3 in the first cell of each row, before the row's name.
  EXPECT_NE(xml.rfind(">3</w:t>", third), std::string::npos);
  EXPECT_GT(xml.rfind(">3</w:t>", third), second);
  EXPECT_NE(xml.find("Đã triển khai một số hạng mục"), std::string::npos);
  // Part 2 repeated per owner, in order, without its section markers.
  const size_t province = xml.find("(1) Tên chủ quản hệ thống thông tin: Ủy ban nhân dân tỉnh Tuyên Quang;");
  const size_t health = xml.find("(1) Tên chủ quản hệ thống thông tin: Sở Y tế tỉnh Tuyên Quang;");
  ASSERT_NE(province, std::string::npos);
  ASSERT_NE(health, std::string::npos);
  EXPECT_LT(province, health);
  EXPECT_EQ(countOf(xml, "a) Thông tin về chủ quản hệ thống thông tin:"), 2u);
  EXPECT_EQ(xml.find("{{#owners}}"), std::string::npos);
  EXPECT_NE(xml.find("(2) Quy định chức năng, nhiệm vụ và quyền hạn: ;"), std::string::npos)
      << "the optional mandate of the second owner is left blank, as the form says";
}

TEST(Docx, MissingMandatoryFieldsAreAllListedAndNothingIsRendered) {
  auto lib = library();
  ASSERT_TRUE(lib);
  auto data = loadSample("nd331-mau-08");
  data.fields.erase("system_name");  // not a field of Mẫu 08: harmless
  data.fields["signer_name"] = "   ";
  data.tables["owners"][1].erase("representative");
  data.tables["systems"][1].erase("level");
  const auto missing = missingFields(*lib->find("nd331-mau-08"), data);
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_EQ(missing[0].name, "signer_name");
  EXPECT_EQ(missing[1].name, "owners[2].representative");
  EXPECT_EQ(missing[2].name, "systems[2].level");
  EXPECT_NE(missing[2].label.find("dòng 2"), std::string::npos);

  auto file = lib->renderDocx("nd331-mau-08", data);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, ErrorCode::kValidation);
  for (const char* name : {"signer_name", "owners[2].representative", "systems[2].level"})
    EXPECT_NE(file.error().message.find(name), std::string::npos) << file.error().message;
  EXPECT_EQ(file.error().field, "signer_name");

  data.tables["systems"].clear();
  auto noRows = lib->renderXlsx("nd331-mau-08", data);
  ASSERT_FALSE(noRows.ok());
  EXPECT_NE(noRows.error().message.find("systems (Thông tin chi tiết"), std::string::npos) << noRows.error().message;
}

struct BadValue {
  std::string field;
  std::string value;
  std::string message;  // part of the expected error
};

TEST(Docx, BadValuesAreRefusedNamingTheField) {
  auto lib = library();
  ASSERT_TRUE(lib);
  const std::vector<BadValue> cases = {
      {"unknown_field", "x", "not a field of form nd331-mau-08"},
      {"owner_name", std::string("Ủy ban\x01"), "control character"},
      {"owner_name", "lone\rCR", "control character"},
      {"owner_name", std::string("\xC3\x28"), "not valid UTF-8"},
      {"owner_name", std::string("bidi \xE2\x80\xAE override"), "control character"},
      {"total_systems", "97 hệ thống", "is not a number"},
      {"period_to", "31/02/2027", "is not a date"},
      {"period_to", "2027-12-14", "is not a date"},
  };
  for (const auto& c : cases) {
    auto data = loadSample("nd331-mau-08");
    data.fields[c.field] = c.value;
    auto file = lib->renderDocx("nd331-mau-08", data);
    ASSERT_FALSE(file.ok()) << c.field << "=" << c.value;
    EXPECT_EQ(file.error().field, c.field);
    EXPECT_NE(file.error().message.find(c.message), std::string::npos) << file.error().message;
  }
  auto data = loadSample("nd331-mau-08");
  data.tables["systems"][0]["approval_status"] = "Đã phê duyệt";  // the law's wording is "Đã được phê duyệt"
  auto file = lib->renderDocx("nd331-mau-08", data);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().field, "systems[1].approval_status");
  EXPECT_NE(file.error().message.find("\"Đã được phê duyệt\""), std::string::npos);
  data = loadSample("nd331-mau-08");
  data.tables["systems"][0]["no"] = "7";
  EXPECT_FALSE(lib->renderDocx("nd331-mau-08", data).ok()) << "row numbers are the renderer's";
  data = loadSample("nd331-mau-08");
  data.tables["systems"][0]["colour"] = "red";
  EXPECT_FALSE(lib->renderDocx("nd331-mau-08", data).ok());
  EXPECT_FALSE(lib->renderDocx("no-such-form", data).ok());
}

TEST(Docx, SameDataSameBytesOtherDataOtherHash) {
  auto lib = library();
  ASSERT_TRUE(lib);
  auto data = loadSample("nd331-mau-06");
  auto a = lib->renderDocx("nd331-mau-06", data);
  auto b = lib->renderDocx("nd331-mau-06", data);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_EQ(a->sha256, b->sha256);
  data.fields["level"] = "4";
  auto c = lib->renderDocx("nd331-mau-06", data);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->sha256, c->sha256);
}

TEST(Docx, LineBreaksAndTabsBecomeWordElements) {
  EXPECT_EQ(wordText("a & b"), "a &amp; b");
  EXPECT_EQ(wordText("<x y='1'>\"z\""), "&lt;x y=&apos;1&apos;&gt;&quot;z&quot;");
  EXPECT_EQ(wordText("một\r\nhai\nba"),
            "một</w:t><w:br/><w:t xml:space=\"preserve\">hai</w:t><w:br/><w:t xml:space=\"preserve\">ba");
  EXPECT_EQ(wordText("a\tb"), "a</w:t><w:tab/><w:t xml:space=\"preserve\">b");
}

TEST(Zip, RoundTripAndDamagedInput) {
  auto zip = writeZip({{"a.txt", "Đạt yêu cầu"}, {"dir/b.xml", std::string(100000, 'x')}});
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_EQ(readZipEntry(*zip, "a.txt").value(), "Đạt yêu cầu");
  EXPECT_EQ(readZipEntry(*zip, "dir/b.xml").value().size(), 100000u);
  EXPECT_LT(zip->size(), 5000u) << "entries are deflated";
  EXPECT_EQ(readZipEntry(*zip, "missing").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(readZipEntry("not a zip at all", "a.txt").ok());
  std::string damaged = *zip;
  damaged.resize(damaged.size() / 2);
  EXPECT_FALSE(readZipEntry(damaged, "a.txt").ok());
  EXPECT_FALSE(writeZip({{"a", "1"}, {"a", "2"}}).ok()) << "duplicate names";
}

TEST(Dates, VietnameseDateLineAndAnnualWindow) {
  EXPECT_EQ(vietnameseDateLine(2026, 2, 5), "ngày 05 tháng 02 năm 2026");
  EXPECT_EQ(vietnameseDateLine(2026, 12, 18), "ngày 18 tháng 12 năm 2026");
  EXPECT_EQ(vietnameseDateLine(2026, 3, 9), "ngày 09 tháng 3 năm 2026");
  const auto w = annualReportWindow(2027);
  EXPECT_EQ(w.from.year, 2026);
  EXPECT_EQ(w.from.month, 12);
  EXPECT_EQ(w.from.day, 15);
  EXPECT_EQ(w.to.year, 2027);
  EXPECT_EQ(w.to.day, 14);
  EXPECT_TRUE(parseDate("29/02/2028").ok());
  EXPECT_FALSE(parseDate("29/02/2027").ok());
  EXPECT_FALSE(parseDate("1/2/2027").ok());
}

}  // namespace
}  // namespace vigil::documents
