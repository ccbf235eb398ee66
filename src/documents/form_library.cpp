#include "documents/form_library.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "core/crypto.h"
#include "core/text.h"
#include "documents/docx_template.h"
#include "documents/xlsx.h"
#include "documents/zip.h"

namespace vigil::documents {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
constexpr std::string_view kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr std::string_view kBodyPart = "word/document.xml";

Result<std::string> readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error::notFound(p.string() + " cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// `text` with {{field}} replaced by the field's value (plain text, for spreadsheet titles).
std::string fillPlain(const std::string& text, const FormData& data) {
  std::string out;
  size_t at = 0;
  for (size_t p = text.find("{{"); p != std::string::npos; p = text.find("{{", at)) {
    const size_t close = text.find("}}", p);
    out += text.substr(at, p - at);
    auto it = data.fields.find(std::string_view(text).substr(p + 2, close - p - 2));
    if (it != data.fields.end()) out += it->second;
    at = close + 2;
  }
  return out + text.substr(at);
}

// Checks the {{field}} placeholders of a spreadsheet title; adds them to `used`.
Status checkPlain(const std::string& text, const FormDefinition& def, const std::string& where,
                  std::set<std::string>& used) {
  for (size_t p = text.find("{{"); p != std::string::npos; p = text.find("{{", p + 2)) {
    const size_t close = text.find("}}", p);
    if (close == std::string::npos) return Error::validation(where, "'{{' without its closing '}}'");
    const std::string name = text.substr(p + 2, close - p - 2);
    if (!def.field(name)) return Error::validation(where, "unknown placeholder {{" + name + "}}");
    used.insert(name);
  }
  return {};
}

Cell toCell(const std::string& value, ValueKind kind) {
  if (text::trim(value).empty()) return std::monostate{};
  if (kind == ValueKind::kNumber) {  // checked by checkFormData; from_chars ignores the C locale
    double d = 0;
    std::from_chars(value.data(), value.data() + value.size(), d);
    return d;
  }
  if (kind == ValueKind::kDate) return parseDate(value).value();  // checked by checkFormData
  if (kind == ValueKind::kDateTime) return parseDateTime(value).value();
  return value;
}

RenderedFile finish(std::string name, std::string_view type, std::string bytes) {
  RenderedFile f{std::move(name), std::string(type), std::move(bytes), {}};
  f.sha256 = crypto::sha256Hex(f.bytes);
  return f;
}

}  // namespace

struct FormLibrary::Form {
  FormDefinition def;
  DocxTemplate docx;
};

FormLibrary::FormLibrary() = default;
FormLibrary::~FormLibrary() = default;

Result<std::shared_ptr<const FormLibrary>> FormLibrary::load(const fs::path& templatesDir) {
  std::shared_ptr<FormLibrary> lib(new FormLibrary());
  const fs::path skeletonDir = templatesDir / "docx";
  const fs::path formsDir = templatesDir / "forms";
  std::error_code ec;
  if (!fs::is_directory(skeletonDir, ec) || !fs::is_directory(formsDir, ec))
    return Error::notFound("templates folder " + templatesDir.string() + " must hold docx/ and forms/");

  // The package skeleton: every file under docx/ (README.md aside), [Content_Types].xml first.
  for (auto it = fs::recursive_directory_iterator(skeletonDir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = fs::relative(it->path(), skeletonDir).generic_string();
    if (name == "README.md") continue;
    if (name == kBodyPart) return Error::validation(it->path().string(), "the skeleton must not hold the body");
    VIGIL_ASSIGN_OR_RETURN(std::string content, readFile(it->path()));
    lib->skeleton_.emplace_back(name, std::move(content));
  }
  if (ec) return Error::internal("reading " + skeletonDir.string() + ": " + ec.message());
  std::sort(lib->skeleton_.begin(), lib->skeleton_.end(), [](const auto& a, const auto& b) {
    const bool ac = a.first == "[Content_Types].xml", bc = b.first == "[Content_Types].xml";
    return ac != bc ? ac : a.first < b.first;
  });
  if (lib->skeleton_.empty() || lib->skeleton_.front().first != "[Content_Types].xml")
    return Error::validation(skeletonDir.string(), "the skeleton has no [Content_Types].xml");

  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(formsDir, ec))
    if (entry.is_directory()) dirs.push_back(entry.path());
  if (ec) return Error::internal("reading " + formsDir.string() + ": " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    VIGIL_ASSIGN_OR_RETURN(FormDefinition def, loadFormDefinition(dir / "form.toml"));
    const std::string origin = (dir / "form.toml").string();
    if (def.id != dir.filename().string())
      return Error::validation(origin, "id '" + def.id + "' differs from the folder name " + dir.filename().string());
    const fs::path body = dir / "document.xml";
    VIGIL_ASSIGN_OR_RETURN(std::string xml, readFile(body));
    VIGIL_ASSIGN_OR_RETURN(DocxTemplate docx, DocxTemplate::parse(xml, def, body.string()));
    std::set<std::string> used = docx.fieldsUsed();
    for (const auto& sheet : def.xlsxSheets) {
      VIGIL_TRY(checkPlain(sheet.title, def, origin + ": sheet " + sheet.name, used));
      used.insert(sheet.fields.begin(), sheet.fields.end());
    }
    for (const auto& f : def.fields)
      if (!used.count(f.name)) return Error::validation(origin, "field '" + f.name + "' is shown nowhere");
    if (def.layout == Layout::kReconstructed && xml.find("Mẫu trình bày do vigil dựng lại") == std::string::npos)
      return Error::validation(
          body.string(), "a reconstructed form must say so in a visible note (\"Mẫu trình bày do vigil dựng lại...\")");
    lib->forms_.push_back(std::make_unique<Form>(Form{std::move(def), std::move(docx)}));
  }
  if (lib->forms_.empty()) return Error::notFound("no forms under " + formsDir.string());
  return std::shared_ptr<const FormLibrary>(std::move(lib));
}

std::vector<const FormDefinition*> FormLibrary::forms() const {
  std::vector<const FormDefinition*> out;
  for (const auto& f : forms_) out.push_back(&f->def);
  return out;
}

const FormDefinition* FormLibrary::find(std::string_view id) const {
  for (const auto& f : forms_)
    if (f->def.id == id) return &f->def;
  return nullptr;
}

Result<RenderedFile> FormLibrary::renderDocx(std::string_view id, const FormData& data) const {
  const Form* form = nullptr;
  for (const auto& f : forms_)
    if (f->def.id == id) form = f.get();
  if (!form) return Error::notFound("no form " + std::string(id));
  VIGIL_TRY(checkFormData(form->def, data));
  std::vector<ZipEntry> entries;
  entries.reserve(skeleton_.size() + 1);
  for (const auto& [name, content] : skeleton_) entries.push_back({name, content});
  entries.push_back({std::string(kBodyPart), form->docx.render(data)});
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, writeZip(entries));
  return finish(form->def.id + ".docx", kDocxType, std::move(bytes));
}

Result<RenderedFile> FormLibrary::renderXlsx(std::string_view id, const FormData& data) const {
  const FormDefinition* def = find(id);
  if (!def) return Error::notFound("no form " + std::string(id));
  if (def->xlsxSheets.empty()) return Error::notFound("form " + def->id + " has no spreadsheet version");
  VIGIL_TRY(checkFormData(*def, data));
  std::vector<XlsxSheet> sheets;
  for (const auto& s : def->xlsxSheets) {
    XlsxSheet sheet;
    sheet.name = s.name;
    sheet.title = fillPlain(s.title, data);
    sheet.subtitles.push_back(def->source.cite());
    if (!s.fields.empty()) {
      sheet.columns = {{"Nội dung", 70, TotalKind::kNone}, {"Số liệu", 25, TotalKind::kNone}};
      for (const auto& name : s.fields) {
        const FieldDef* f = def->field(name);
        auto it = data.fields.find(name);
        sheet.rows.push_back({f->label, it == data.fields.end() ? Cell{} : toCell(it->second, f->kind)});
      }
    } else {
      const TableDef* t = def->table(s.table);
      bool totals = false;
      for (const auto& c : t->columns) {
        sheet.columns.push_back({c.label, c.width, c.total});
        totals = totals || c.total != TotalKind::kNone;
      }
      if (totals) sheet.totalsLabel = "Tổng cộng";
      sheet.landscape = t->columns.size() > 6;
      auto rows = data.tables.find(s.table);
      const size_t n = rows == data.tables.end() ? 0 : rows->second.size();
      for (size_t r = 0; r < n; ++r) {
        std::vector<Cell> cells;
        for (const auto& c : t->columns) {
          if (c.rowNumber) {
            cells.emplace_back(static_cast<double>(r + 1));
            continue;
          }
          auto it = rows->second[r].find(c.name);
          cells.push_back(it == rows->second[r].end() ? Cell{} : toCell(it->second, c.kind));
        }
        sheet.rows.push_back(std::move(cells));
      }
    }
    sheets.push_back(std::move(sheet));
  }
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, writeXlsx(sheets));
  return finish(def->id + ".xlsx", kXlsxType, std::move(bytes));
}

}  // namespace vigil::documents
