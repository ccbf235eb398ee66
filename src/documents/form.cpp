#include "documents/form.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/text.h"

namespace vigil::documents {

const ColumnDef* TableDef::column(std::string_view n) const {
  for (const auto& c : columns)
    if (c.name == n) return &c;
  return nullptr;
}

const FieldDef* FormDefinition::field(std::string_view n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

const TableDef* FormDefinition::table(std::string_view n) const {
  for (const auto& t : tables)
    if (t.name == n) return &t;
  return nullptr;
}

namespace {

constexpr size_t kMaxValueBytes = 65536;
constexpr size_t kMaxRows = 100000;

bool isBlank(std::string_view s) { return text::trim(s).empty(); }

bool isNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const size_t digitsStart = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == digitsStart) return false;
  if (i < s.size() && s[i] == '.') {
    const size_t fracStart = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == fracStart) return false;
  }
  return i == s.size();
}

// Checks one value: UTF-8, no control characters but LF, CR LF and tab, size, kind.
Status checkValue(const std::string& where, std::string_view v, ValueKind kind, const std::vector<std::string>& values,
                  bool multiple) {
  if (v.size() > kMaxValueBytes) return Error::validation(where, "longer than 65536 bytes");
  if (!text::isValidUtf8(v)) return Error::validation(where, "not valid UTF-8");
  std::string lines(v);
  for (size_t p = 0; (p = lines.find("\r\n", p)) != std::string::npos;) lines.erase(p, 1);
  for (char& c : lines)
    if (c == '\n') c = ' ';
  if (text::hasControlChars(lines)) return Error::validation(where, "contains a control character");
  if (isBlank(v)) return {};
  if (kind == ValueKind::kNumber && !isNumber(v))
    return Error::validation(where, "'" + std::string(v) + "' is not a number (digits, optional '-' and '.')");
  if (kind == ValueKind::kDate) {
    auto d = parseDate(v);
    if (!d.ok()) return Error::validation(where, d.error().message);
  }
  if (kind == ValueKind::kDateTime) {
    auto d = parseDateTime(v);
    if (!d.ok()) return Error::validation(where, d.error().message);
  }
  if (values.empty()) return {};
  std::vector<std::string> items;
  if (multiple) {
    std::stringstream lines{std::string(v)};
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (isBlank(line)) continue;
      if (std::find(items.begin(), items.end(), line) != items.end())
        return Error::validation(where, "'" + line + "' is listed twice");
      items.push_back(line);
    }
  } else {
    items.emplace_back(v);
  }
  for (const auto& item : items) {
    if (std::find(values.begin(), values.end(), item) != values.end()) continue;
    std::string list;
    for (const auto& a : values) list += (list.empty() ? "\"" : ", \"") + a + "\"";
    return Error::validation(where, "'" + item + "' is not one of " + list);
  }
  return {};
}

bool isName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Builds "file:line: what" errors.
class Loader {
 public:
  explicit Loader(std::string origin) : origin_(std::move(origin)) {}

  Error err(const toml::node& n, const std::string& what) const {
    return Error::validation(origin_ + ":" + std::to_string(n.source().begin.line), what);
  }

  std::optional<Error> onlyKeys(const toml::table& t, std::initializer_list<std::string_view> allowed) const {
    for (const auto& [k, v] : t)
      if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end())
        return err(v, "unknown key '" + std::string(k.str()) + "'");
    return std::nullopt;
  }

  Result<std::string> text(const toml::table& t, std::string_view key, bool required) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) return err(t, "missing '" + std::string(key) + "'");
      return std::string();
    }
    auto v = n->value<std::string>();
    if (!v) return err(*n, "'" + std::string(key) + "' must be a string");
    if (required && isBlank(*v)) return err(*n, "'" + std::string(key) + "' must not be empty");
    return *v;
  }

  Result<bool> flag(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return false;
    auto v = n->value<bool>();
    if (!v) return err(*n, "'" + std::string(key) + "' must be true or false");
    return *v;
  }

  Result<ValueKind> kind(const toml::table& t) const {
    VIGIL_ASSIGN_OR_RETURN(std::string k, text(t, "kind", false));
    if (k.empty() || k == "text") return ValueKind::kText;
    if (k == "number") return ValueKind::kNumber;
    if (k == "date") return ValueKind::kDate;
    if (k == "datetime") return ValueKind::kDateTime;
    return err(*t.get("kind"), "kind must be text, number, date or datetime, not '" + k + "'");
  }

  Result<std::vector<std::string>> values(const toml::table& t) const {
    std::vector<std::string> out;
    const toml::node* n = t.get("values");
    if (!n) return out;
    const auto* a = n->as_array();
    if (!a || a->empty()) return err(*n, "values must be a non-empty array of strings");
    for (const auto& v : *a) {
      auto s = v.value<std::string>();
      if (!s || isBlank(*s)) return err(v, "values must be non-empty strings");
      out.push_back(*s);
    }
    return out;
  }

  Result<std::string> name(const toml::table& t) const {
    VIGIL_ASSIGN_OR_RETURN(std::string n, text(t, "name", true));
    if (!isName(n)) return err(*t.get("name"), "name '" + n + "' must be 1-64 of a-z, 0-9, _");
    return n;
  }

  // The array of tables `key` ([[key]]); nullptr when absent.
  Result<const toml::array*> tables(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return static_cast<const toml::array*>(nullptr);
    const auto* a = n->as_array();
    if (!a || !a->is_array_of_tables())
      return err(*n, "'" + std::string(key) + "' must be an array of tables ([[" + std::string(key) + "]])");
    return a;
  }

 private:
  std::string origin_;
};

Result<FormDefinition> parseDefinition(const toml::table& root, const Loader& L) {
  FormDefinition def;
  if (auto e = L.onlyKeys(root, {"id", "title", "regime", "layout", "note", "source", "field", "table", "xlsx_sheet"}))
    return *e;
  VIGIL_ASSIGN_OR_RETURN(def.id, L.text(root, "id", true));
  VIGIL_ASSIGN_OR_RETURN(def.title, L.text(root, "title", true));
  VIGIL_ASSIGN_OR_RETURN(def.regime, L.text(root, "regime", true));
  VIGIL_ASSIGN_OR_RETURN(def.note, L.text(root, "note", true));
  VIGIL_ASSIGN_OR_RETURN(std::string layout, L.text(root, "layout", true));
  if (layout == "legal_text") {
    def.layout = Layout::kLegalText;
  } else if (layout == "reconstructed") {
    def.layout = Layout::kReconstructed;
  } else {
    return L.err(*root.get("layout"), "layout must be legal_text or reconstructed, not '" + layout + "'");
  }
  const auto* source = root["source"].as_table();
  if (!source) return L.err(root, "missing the [source] table (document, article)");
  if (auto e = L.onlyKeys(*source, {"document", "article"})) return *e;
  VIGIL_ASSIGN_OR_RETURN(def.source.document, L.text(*source, "document", true));
  VIGIL_ASSIGN_OR_RETURN(def.source.article, L.text(*source, "article", true));

  std::set<std::string> names;
  VIGIL_ASSIGN_OR_RETURN(const toml::array* fields, L.tables(root, "field"));
  if (fields) {
    for (const auto& n : *fields) {
      const auto& t = *n.as_table();
      if (auto ke = L.onlyKeys(t, {"name", "label", "required", "kind", "values", "multiple"})) return *ke;
      FieldDef f;
      VIGIL_ASSIGN_OR_RETURN(f.name, L.name(t));
      VIGIL_ASSIGN_OR_RETURN(f.label, L.text(t, "label", true));
      VIGIL_ASSIGN_OR_RETURN(f.required, L.flag(t, "required"));
      VIGIL_ASSIGN_OR_RETURN(f.kind, L.kind(t));
      VIGIL_ASSIGN_OR_RETURN(f.values, L.values(t));
      VIGIL_ASSIGN_OR_RETURN(f.multiple, L.flag(t, "multiple"));
      if (f.multiple && f.values.empty()) return L.err(t, "multiple = true needs the list of values");
      if (!names.insert(f.name).second) return L.err(t, "the name '" + f.name + "' is defined twice");
      def.fields.push_back(std::move(f));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const toml::array* tables, L.tables(root, "table"));
  if (tables) {
    for (const auto& n : *tables) {
      const auto& t = *n.as_table();
      if (auto ke = L.onlyKeys(t, {"name", "label", "required", "column"})) return *ke;
      TableDef table;
      VIGIL_ASSIGN_OR_RETURN(table.name, L.name(t));
      VIGIL_ASSIGN_OR_RETURN(table.label, L.text(t, "label", true));
      VIGIL_ASSIGN_OR_RETURN(table.required, L.flag(t, "required"));
      if (!names.insert(table.name).second) return L.err(t, "the name '" + table.name + "' is defined twice");
      VIGIL_ASSIGN_OR_RETURN(const toml::array* columns, L.tables(t, "column"));
      if (!columns || columns->empty()) return L.err(t, "table '" + table.name + "' has no [[table.column]]");
      for (const auto& cn : *columns) {
        const auto& ct = *cn.as_table();
        if (auto ke = L.onlyKeys(
                ct, {"name", "label", "required", "kind", "values", "multiple", "row_number", "width", "total"}))
          return *ke;
        ColumnDef c;
        VIGIL_ASSIGN_OR_RETURN(c.name, L.name(ct));
        VIGIL_ASSIGN_OR_RETURN(c.label, L.text(ct, "label", true));
        VIGIL_ASSIGN_OR_RETURN(c.required, L.flag(ct, "required"));
        VIGIL_ASSIGN_OR_RETURN(c.kind, L.kind(ct));
        VIGIL_ASSIGN_OR_RETURN(c.values, L.values(ct));
        VIGIL_ASSIGN_OR_RETURN(c.multiple, L.flag(ct, "multiple"));
        if (c.multiple && c.values.empty()) return L.err(ct, "multiple = true needs the list of values");
        VIGIL_ASSIGN_OR_RETURN(c.rowNumber, L.flag(ct, "row_number"));
        if (c.rowNumber && c.required) return L.err(ct, "a row_number column is filled by the renderer: not required");
        if (c.rowNumber) c.kind = ValueKind::kNumber;
        if (const toml::node* w = ct.get("width")) {
          auto v = w->value<double>();
          if (!v || *v < 2 || *v > 100) return L.err(*w, "width must be a number of characters from 2 to 100");
          c.width = *v;
        }
        VIGIL_ASSIGN_OR_RETURN(std::string total, L.text(ct, "total", false));
        if (total == "sum") {
          c.total = TotalKind::kSum;
          if (c.kind != ValueKind::kNumber) return L.err(ct, "total = \"sum\" needs kind = \"number\"");
        } else if (total == "count") {
          c.total = TotalKind::kCount;
        } else if (!total.empty()) {
          return L.err(*ct.get("total"), "total must be sum or count, not '" + total + "'");
        }
        if (table.column(c.name)) return L.err(ct, "column '" + c.name + "' is defined twice");
        table.columns.push_back(std::move(c));
      }
      def.tables.push_back(std::move(table));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const toml::array* sheets, L.tables(root, "xlsx_sheet"));
  if (sheets) {
    for (const auto& n : *sheets) {
      const auto& t = *n.as_table();
      if (auto ke = L.onlyKeys(t, {"name", "title", "fields", "table"})) return *ke;
      XlsxSheetDef s;
      VIGIL_ASSIGN_OR_RETURN(s.name, L.text(t, "name", true));
      if (text::codePoints(s.name) > 31 || s.name.find_first_of("[]:*?/\\") != std::string::npos)
        return L.err(t, "sheet name '" + s.name + "' must be at most 31 characters without []:*?/\\");
      VIGIL_ASSIGN_OR_RETURN(s.title, L.text(t, "title", true));
      VIGIL_ASSIGN_OR_RETURN(s.table, L.text(t, "table", false));
      if (const toml::node* f = t.get("fields")) {
        const auto* a = f->as_array();
        if (!a) return L.err(*f, "fields must be an array of field names");
        for (const auto& fn : *a) {
          auto v = fn.value<std::string>();
          if (!v || !def.field(*v)) return L.err(fn, "fields lists an unknown field");
          s.fields.push_back(*v);
        }
      }
      if (s.table.empty() == s.fields.empty())
        return L.err(t, "a sheet shows either 'fields' or one 'table', not both or neither");
      if (!s.table.empty() && !def.table(s.table)) return L.err(t, "unknown table '" + s.table + "'");
      for (const auto& other : def.xlsxSheets)
        if (other.name == s.name) return L.err(t, "sheet name '" + s.name + "' is used twice");
      def.xlsxSheets.push_back(std::move(s));
    }
  }
  return def;
}

}  // namespace

std::vector<MissingField> missingFields(const FormDefinition& def, const FormData& data) {
  std::vector<MissingField> out;
  for (const auto& f : def.fields) {
    auto it = data.fields.find(f.name);
    if (f.required && (it == data.fields.end() || isBlank(it->second))) out.push_back({f.name, f.label});
  }
  for (const auto& t : def.tables) {
    auto it = data.tables.find(t.name);
    if (it == data.tables.end() || it->second.empty()) {
      if (t.required) out.push_back({t.name, t.label + " (không có dòng nào)"});
      continue;
    }
    for (size_t r = 0; r < it->second.size(); ++r) {
      const Row& row = it->second[r];
      for (const auto& c : t.columns) {
        auto cell = row.find(c.name);
        if (c.required && (cell == row.end() || isBlank(cell->second)))
          out.push_back({t.name + "[" + std::to_string(r + 1) + "]." + c.name,
                         t.label + ", dòng " + std::to_string(r + 1) + ": " + c.label});
      }
    }
  }
  return out;
}

Status checkFormData(const FormDefinition& def, const FormData& data) {
  for (const auto& [name, value] : data.fields) {
    const FieldDef* f = def.field(name);
    if (!f) return Error::validation(name, "not a field of form " + def.id);
    VIGIL_TRY(checkValue(name, value, f->kind, f->values, f->multiple));
  }
  for (const auto& [name, rows] : data.tables) {
    const TableDef* t = def.table(name);
    if (!t) return Error::validation(name, "not a table of form " + def.id);
    if (rows.size() > kMaxRows) return Error::validation(name, "more than 100000 rows");
    for (size_t r = 0; r < rows.size(); ++r) {
      for (const auto& [col, value] : rows[r]) {
        const std::string where = name + "[" + std::to_string(r + 1) + "]." + col;
        const ColumnDef* c = t->column(col);
        if (!c) return Error::validation(where, "not a column of table " + name);
        if (c->rowNumber) return Error::validation(where, "the row number is filled by the renderer");
        VIGIL_TRY(checkValue(where, value, c->kind, c->values, c->multiple));
      }
    }
  }
  auto missing = missingFields(def, data);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m.name + " (" + m.label + ")";
    Error e{ErrorCode::kValidation, def.id + ": missing mandatory fields: " + list};
    e.field = missing.front().name;
    return e;
  }
  return {};
}

Result<FormDefinition> loadFormDefinition(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::notFound("form definition " + file.string() + " cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string origin = file.string();
  toml::table root;
  try {
    root = toml::parse(buf.str(), origin);
  } catch (const toml::parse_error& e) {
    return Error::validation(origin + ":" + std::to_string(e.source().begin.line),
                             "syntax error: " + std::string(e.description()));
  }
  return parseDefinition(root, Loader(origin));
}

std::string vietnameseDateLine(int year, int month, int day) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "ngày %s%d tháng %s%d năm %d", day < 10 ? "0" : "", day, month < 3 ? "0" : "", month,
                year);
  return buf;
}

Result<Date> parseDate(std::string_view s) {
  auto digits = [&](size_t pos, size_t n) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const std::string bad = "'" + std::string(s) + "' is not a date dd/mm/yyyy";
  if (s.size() != 10 || s[2] != '/' || s[5] != '/') return Error::badRequest(bad);
  Date d{digits(6, 4), digits(3, 2), digits(0, 2)};
  if (d.year < 1900 || d.month < 1 || d.month > 12 || d.day < 1) return Error::badRequest(bad);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  const int maxDay = d.month == 2 && leap ? 29 : kDays[d.month - 1];
  if (d.day > maxDay) return Error::badRequest(bad);
  return d;
}

Result<DateTime> parseDateTime(std::string_view s) {
  const std::string bad = "'" + std::string(s) + "' is not a date and time dd/mm/yyyy hh:mm";
  if (s.size() != 16 || s[10] != ' ' || s[13] != ':') return Error::badRequest(bad);
  auto date = parseDate(s.substr(0, 10));
  if (!date.ok()) return Error::badRequest(bad);
  auto two = [&](size_t pos) {
    return (s[pos] >= '0' && s[pos] <= '9' && s[pos + 1] >= '0' && s[pos + 1] <= '9')
               ? (s[pos] - '0') * 10 + (s[pos + 1] - '0')
               : -1;
  };
  const int hour = two(11), minute = two(14);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return Error::badRequest(bad);
  return DateTime{*date, hour, minute};
}

DateRange annualReportWindow(int year) { return {{year - 1, 12, 15}, {year, 12, 14}}; }

}  // namespace vigil::documents
