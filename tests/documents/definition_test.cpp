// Form definitions and templates that are wrong are refused at load time, naming file and line.
#include <gtest/gtest.h>

#include <fstream>

#include "documents/docx_template.h"
#include "documents/form_library.h"
#include "test_util.h"

namespace vigil::documents {
namespace {

FormDefinition smallForm() {
  FormDefinition def;
  def.id = "t";
  def.fields = {FieldDef{.name = "name", .label = "Tên", .required = true},
                FieldDef{.name = "level", .label = "Cấp độ", .kind = ValueKind::kNumber}};
  TableDef t;
  t.name = "rows";
  t.label = "Dòng";
  t.columns = {ColumnDef{.name = "no", .label = "STT", .kind = ValueKind::kNumber, .rowNumber = true},
               ColumnDef{.name = "x", .label = "X", .required = true}};
  def.tables.push_back(t);
  TableDef u = t;
  u.name = "other";
  def.tables.push_back(u);
  return def;
}

const std::string kT = "<w:t xml:space=\"preserve\">";

struct TemplateCase {
  std::string xml;
  std::string error;  // empty: loads
};

TEST(DocxTemplate, PlaceholdersAreCheckedAtLoad) {
  const FormDefinition def = smallForm();
  const std::vector<TemplateCase> cases = {
      {"<w:p><w:r>" + kT + "{{name}} {{level}}</w:t></w:r></w:p>", ""},
      {"<w:p><w:r>" + kT + "{{nmae}}</w:t></w:r></w:p>", "t.xml:1: unknown placeholder {{nmae}}"},
      {"<w:p>\n<w:r>" + kT + "{{rows.y}}</w:t></w:r></w:p>", "t.xml:2: unknown placeholder {{rows.y}}"},
      {"<w:p><w:r><w:t>{{name}}</w:t></w:r></w:p>", "must be inside the text of a <w:t xml:space=\"preserve\">"},
      {"<w:p w:val=\"{{name}}\"/>", "must be inside the text"},
      {"<w:p><w:r>" + kT + "{{name</w:t></w:r></w:p>", "without its closing"},
      {"<w:p><w:r>" + kT + "{{rows.x}}</w:t></w:r></w:p>", "not inside a table row"},
      {"<w:tbl><w:tr><w:tc><w:p><w:r>" + kT + "{{rows.x}} {{other.x}}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
       "mixes tables"},
      {"<w:tbl><w:tr><w:tc><w:p><w:r>" + kT + "{{rows.x}}</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r>" + kT +
           "{{rows.x}}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
       "more than one repeated row"},
      {"<w:p>" + kT + "{{#rows}}</w:t></w:p><w:p>" + kT + "{{rows.x}}</w:t></w:p><w:p>" + kT + "{{/rows}}</w:t></w:p>",
       ""},
      {"<w:p>" + kT + "{{#rows}}</w:t></w:p><w:p>" + kT + "{{rows.x}}</w:t></w:p>", "{{#rows}} without its {{/rows}}"},
      {"<w:p>" + kT + "{{rows.x}}</w:t></w:p><w:p>" + kT + "{{/rows}}</w:t></w:p>", "{{/rows}} without its {{#rows}}"},
      {"<w:p>" + kT + "{{#rows}}</w:t></w:p><w:p>" + kT + "{{#other}}</w:t></w:p><w:p>" + kT + "{{/rows}}</w:t></w:p>",
       "sections cannot nest"},
      {"<w:p>" + kT + "{{#rows}} {{rows.x}} {{/rows}}</w:t></w:p>", "paragraph of their own"},
      {"<w:p>" + kT + "{{#nothing}}</w:t></w:p>", "unknown section {{#nothing}}"},
      {"<w:p>" + kT + "{{#rows}}</w:t></w:p><w:p>" + kT + "{{/rows}}</w:t></w:p><w:p>" + kT + "{{rows.x}}</w:t></w:p>",
       "not inside a table row <w:tr> nor a section {{#rows}}"},
      {"<w:p>" + kT + "{{#rows}}</w:t></w:p><w:p>" + kT + "{{other.x}}</w:t></w:p><w:p>" + kT + "{{/rows}}</w:t></w:p>",
       "outside the repeated row or section of table 'other'"},
  };
  for (const auto& c : cases) {
    auto t = DocxTemplate::parse(c.xml, def, "t.xml");
    if (c.error.empty()) {
      EXPECT_TRUE(t.ok()) << c.xml << ": " << t.error().message;
    } else {
      ASSERT_FALSE(t.ok()) << c.xml;
      EXPECT_NE(t.error().message.find(c.error), std::string::npos) << t.error().message;
    }
  }
}

TEST(DocxTemplate, RepeatsTheMarkedRowPerDataRow) {
  const FormDefinition def = smallForm();
  const std::string xml = "<w:tbl><w:tr><w:tc>" + kT + "STT</w:t></w:tc></w:tr><w:tr><w:tc>" + kT +
                          "{{rows.no}}|{{rows.x}}|{{name}}</w:t></w:tc></w:tr></w:tbl>";
  auto t = DocxTemplate::parse(xml, def, "t.xml");
  ASSERT_TRUE(t.ok()) << t.error().message;
  FormData data;
  data.fields["name"] = "A&B";
  data.tables["rows"] = {{{"x", "một"}}, {{"x", "hai"}}, {{"x", "<ba>"}}};
  EXPECT_EQ(t->render(data), "<w:tbl><w:tr><w:tc>" + kT + "STT</w:t></w:tc></w:tr><w:tr><w:tc>" + kT +
                                 "1|một|A&amp;B</w:t></w:tc></w:tr><w:tr><w:tc>" + kT +
                                 "2|hai|A&amp;B</w:t></w:tc></w:tr><w:tr><w:tc>" + kT +
                                 "3|&lt;ba&gt;|A&amp;B</w:t></w:tc></w:tr></w:tbl>");
  data.tables["rows"].clear();
  EXPECT_EQ(t->render(data), "<w:tbl><w:tr><w:tc>" + kT + "STT</w:t></w:tc></w:tr></w:tbl>");
}

TEST(DocxTemplate, RepeatsASectionOfParagraphsPerDataRow) {
  const FormDefinition def = smallForm();
  const std::string xml = "<w:p>" + kT + "{{name}}</w:t></w:p>\n<w:p>" + kT + "{{#rows}}</w:t></w:p>\n<w:p>" + kT +
                          "({{rows.no}}) {{rows.x}}</w:t></w:p>\n<w:p>" + kT + "{{/rows}}</w:t></w:p>\n<w:p/>";
  auto t = DocxTemplate::parse(xml, def, "t.xml");
  ASSERT_TRUE(t.ok()) << t.error().message;
  FormData data;
  data.fields["name"] = "Báo cáo";
  data.tables["rows"] = {{{"x", "Sở Nội vụ"}}, {{"x", "Sở Tài chính"}}};
  EXPECT_EQ(t->render(data), "<w:p>" + kT + "Báo cáo</w:t></w:p>\n\n<w:p>" + kT + "(1) Sở Nội vụ</w:t></w:p>\n\n<w:p>" +
                                 kT + "(2) Sở Tài chính</w:t></w:p>\n\n<w:p/>");
}

// The value model the incident reports need: date-times and checklists (one listed value a line).
TEST(FormData, DateTimesAndChecklists) {
  FormDefinition def;
  def.id = "incident";
  def.fields = {FieldDef{.name = "detected_at", .label = "Thời điểm phát hiện", .kind = ValueKind::kDateTime},
                FieldDef{.name = "methods",
                         .label = "Cách thức phát hiện",
                         .values = {"Hệ thống giám sát", "Người dùng thông báo", "Khác"},
                         .multiple = true}};
  struct Case {
    std::string field, value, error;  // error empty: accepted
  };
  const std::vector<Case> cases = {
      {"detected_at", "24/11/2026 07:05", ""},
      {"detected_at", "24/11/2026 24:00", "is not a date and time"},
      {"detected_at", "24/11/2026", "is not a date and time"},
      {"detected_at", "31/11/2026 10:00", "is not a date and time"},
      {"methods", "Hệ thống giám sát\nKhác", ""},
      {"methods", "Hệ thống giám sát\r\n\nNgười dùng thông báo\n", ""},
      {"methods", "Hệ thống giám sát\nHệ thống giám sát", "listed twice"},
      {"methods", "Hệ thống giám sát\nĐiện thoại", "'Điện thoại' is not one of"},
  };
  for (const auto& c : cases) {
    FormData data;
    data.fields[c.field] = c.value;
    auto st = checkFormData(def, data);
    if (c.error.empty()) {
      EXPECT_TRUE(st.ok()) << c.value << ": " << st.error().message;
    } else {
      ASSERT_FALSE(st.ok()) << c.value;
      EXPECT_EQ(st.error().field, c.field);
      EXPECT_NE(st.error().message.find(c.error), std::string::npos) << st.error().message;
    }
  }
  auto dt = parseDateTime("05/02/2027 13:45");
  ASSERT_TRUE(dt.ok());
  EXPECT_EQ(dt->date.month, 2);
  EXPECT_EQ(dt->hour, 13);
  EXPECT_EQ(dt->minute, 45);
}

struct DefinitionCase {
  std::string toml;
  std::string error;
};

TEST(FormDefinition, BadFilesAreRefusedWithFileAndLine) {
  const std::string head =
      "id = \"x\"\ntitle = \"T\"\nregime = \"B\"\nlayout = \"legal_text\"\nnote = \"n\"\n"
      "[source]\ndocument = \"Nghị định 331/2026/NĐ-CP\"\narticle = \"Mẫu số 01\"\n";
  const std::vector<DefinitionCase> cases = {
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\n", ""},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\ncolour = 1\n", ":12: unknown key 'colour'"},
      {head + "[[field]]\nname = \"A b\"\nlabel = \"A\"\n", "must be 1-64 of a-z"},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\n[[field]]\nname = \"a\"\nlabel = \"B\"\n", "defined twice"},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\nkind = \"money\"\n",
       "kind must be text, number, date or datetime"},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\nvalues = []\n", "values must be a non-empty array"},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\nmultiple = true\n", "multiple = true needs the list of values"},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\nkind = \"datetime\"\n", ""},
      {head + "[[table]]\nname = \"t\"\nlabel = \"T\"\n", "has no [[table.column]]"},
      {head +
           "[[table]]\nname = \"t\"\nlabel = \"T\"\n[[table.column]]\nname = \"c\"\nlabel = \"C\"\ntotal = \"sum\"\n",
       "needs kind = \"number\""},
      {head + "[[xlsx_sheet]]\nname = \"S\"\ntitle = \"T\"\n", "either 'fields' or one 'table'"},
      {"id = \"x\"\ntitle = \"T\"\nregime = \"B\"\nlayout = \"guessed\"\nnote = \"n\"\n",
       "layout must be legal_text or reconstructed"},
      {"id = \"x\"\ntitle = \"T\"\nregime = \"B\"\nlayout = \"legal_text\"\nnote = \"n\"\n",
       "missing the [source] table"},
      {"id = \"x\"\ntitle = \"T\"\nregime = \"B\"\nlayout = \"legal_text\"\n[source]\ndocument = \"D\"\narticle = "
       "\"A\"\n",
       "missing 'note'"},
      {"id = \"x\"\ntitle = \"T\n", "syntax error"},
      {"field = \"a\"\n" + head, ":1: 'field' must be an array of tables"},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\n[[xlsx_sheet]]\nname = \"S\"\ntitle = \"T\"\nfields = [\"a\"]\n"
              "[[xlsx_sheet]]\nname = \"S\"\ntitle = \"U\"\nfields = [\"a\"]\n",
       "sheet name 'S' is used twice"},
      {head + "[[field]]\nname = \"a\"\nlabel = \"A\"\n[[xlsx_sheet]]\nname = \"S\"\ntitle = \"T\"\nfields = [\"b\"]\n",
       "fields lists an unknown field"},
  };
  const auto dir = std::filesystem::temp_directory_path() / ("vigil-docdef-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto file = dir / ("form" + std::to_string(i) + ".toml");
    std::ofstream(file) << cases[i].toml;
    auto def = loadFormDefinition(file);
    if (cases[i].error.empty()) {
      EXPECT_TRUE(def.ok()) << i << ": " << def.error().message;
    } else {
      ASSERT_FALSE(def.ok()) << "case " << i;
      EXPECT_NE(def.error().message.find(file.string()), std::string::npos) << def.error().message;
      EXPECT_NE(def.error().message.find(cases[i].error), std::string::npos) << i << ": " << def.error().message;
    }
  }
  std::filesystem::remove_all(dir);
}

// A copy of the real templates with one file changed must be refused whole.
TEST(FormLibrary, RefusesATemplateWithAnUnknownPlaceholderOrAnUnshownField) {
  const auto dir = std::filesystem::temp_directory_path() / ("vigil-doclib-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::copy(test::templatesDir(), dir, std::filesystem::copy_options::recursive);
  ASSERT_TRUE(FormLibrary::load(dir).ok());

  const auto body = dir / "forms" / "nd331-mau-01" / "document.xml";
  std::ifstream in(body);
  std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  std::string bad = xml;
  bad.replace(bad.find("{{system_name}}"), 15, "{{system_nam}}");
  std::ofstream(body, std::ios::trunc) << bad;
  auto lib = FormLibrary::load(dir);
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.error().message.find("unknown placeholder {{system_nam}}"), std::string::npos) << lib.error().message;
  EXPECT_NE(lib.error().message.find("nd331-mau-01/document.xml:"), std::string::npos) << lib.error().message;

  // A field defined but shown nowhere (here: every {{address}} removed).
  bad = xml;
  for (size_t p; (p = bad.find("{{address}}")) != std::string::npos;) bad.erase(p, 11);
  std::ofstream(body, std::ios::trunc) << bad;
  lib = FormLibrary::load(dir);
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.error().message.find("field 'address' is shown nowhere"), std::string::npos) << lib.error().message;

  // A reconstructed layout without its visible note.
  std::ofstream(body, std::ios::trunc) << xml;
  const auto toml = dir / "forms" / "nd331-mau-01" / "form.toml";
  std::ifstream tin(toml);
  std::string def((std::istreambuf_iterator<char>(tin)), std::istreambuf_iterator<char>());
  tin.close();
  def.replace(def.find("layout = \"legal_text\""), 21, "layout = \"reconstructed\"");
  std::ofstream(toml, std::ios::trunc) << def;
  lib = FormLibrary::load(dir);
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.error().message.find("visible note"), std::string::npos) << lib.error().message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::documents
