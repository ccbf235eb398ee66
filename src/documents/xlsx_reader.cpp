#include "documents/xlsx_reader.h"

#include <pugixml.hpp>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "core/text.h"
#include "documents/zip.h"

namespace vigil::documents {

namespace {

constexpr const char* kWorkbookPart = "xl/workbook.xml";
constexpr const char* kWorkbookRels = "xl/_rels/workbook.xml.rels";
// The relationship types (transitional and strict OOXML) are matched by their last segment.
constexpr const char* kSheetType = "/worksheet";
constexpr const char* kSharedStringsType = "/sharedStrings";
constexpr const char* kStylesType = "/styles";

Error tooLarge(const std::string& m) { return Error::of(ErrorCode::kPayloadTooLarge, m); }

// Text from the file shown in an error message: printable ASCII only (other bytes as '?'), at most
// 40 characters, so that a message is always valid UTF-8 whatever the file holds.
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return s.size() > 40 ? out + "..." : out;
}

// Reads the parts of one archive, keeping the total inflated size under the limit.
class Parts {
 public:
  Parts(std::string_view bytes, const XlsxReadLimits& limits) : bytes_(bytes), limits_(limits) {}

  // The part `name`; not_found when the archive has none.
  Result<std::string> read(const std::string& name) {
    if (total_ >= limits_.maxUncompressedBytes) return tooLarge("the XLSX file inflates to too much data");
    const size_t cap = std::min(limits_.maxPartBytes, limits_.maxUncompressedBytes - total_);
    auto r = readZipEntryLimited(bytes_, name, cap);
    if (!r.ok()) {
      if (r.error().code == ErrorCode::kPayloadTooLarge)
        return tooLarge("the part " + shown(name) + " of the XLSX file is larger than " + std::to_string(cap >> 20) +
                        " MiB once inflated");
      if (r.error().code == ErrorCode::kNotFound) return Error::notFound("the XLSX file has no part " + shown(name));
      return Error::badRequest("the part " + shown(name) + " of the XLSX file is damaged");
    }
    total_ += r->size();
    return r;
  }

 private:
  std::string_view bytes_;
  const XlsxReadLimits& limits_;
  size_t total_ = 0;
};

// Parses an XML part in place: the document points into `xml`, which must outlive it (no copy of
// a large sheet). pugixml never loads external entities nor expands declared ones.
Result<pugi::xml_document> parseXml(const std::string& name, std::string& xml) {
  pugi::xml_document doc;
  const auto r = doc.load_buffer_inplace(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r)
    return Error::badRequest("the part " + shown(name) + " of the XLSX file is not valid XML (" + r.description() +
                             " at byte " + std::to_string(r.offset) + ")");
  return doc;
}

// The local name of an element ("x:sheet" -> "sheet"): some writers use a namespace prefix.
std::string_view localName(const pugi::xml_node& n) {
  std::string_view s = n.name();
  const size_t colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// The first child element with local name `name`.
pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && localName(c) == name) return c;
  return {};
}

// An attribute by local name ("r:id" is found as "id" only when `name` has no prefix given).
pugi::xml_attribute attribute(const pugi::xml_node& n, std::string_view name) {
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute())
    if (std::string_view(a.name()) == name) return a;
  return {};
}

bool endsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// A relationship target, relative to xl/ or absolute from the package root, as a part name.
std::string partName(std::string_view target) {
  if (!target.empty() && target[0] == '/') return std::string(target.substr(1));
  std::string path = "xl/" + std::string(target);
  // Resolve "../" once (a target like "../xl/worksheets/sheet1.xml" from some writers).
  for (size_t p; (p = path.find("/../")) != std::string::npos;) {
    const size_t prev = path.rfind('/', p == 0 ? 0 : p - 1);
    path.erase(prev == std::string::npos ? 0 : prev + 1, p + 4 - (prev == std::string::npos ? 0 : prev + 1));
  }
  return path;
}

// The text of a string item (<si> or <is>): its <t>, or its runs' <t>, without phonetic runs.
std::string itemText(const pugi::xml_node& item) {
  std::string out;
  for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
    if (localName(c) == "t") {
      out += c.text().get();
    } else if (localName(c) == "r") {
      out += child(c, "t").text().get();
    }
  }
  return out;
}

// Whether a custom number format shows a date: a d, m (not as minutes only), y part outside
// quoted text, brackets ([Red], [h]) and escapes. "General", "0.00", "#,##0" are not dates.
bool isDateFormatCode(std::string_view code) {
  bool quoted = false, bracket = false, hasDay = false, hasYear = false, hasMonthOrMinute = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (quoted) {
      quoted = c != '"';
      continue;
    }
    if (bracket) {
      bracket = c != ']';
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '[') {
      bracket = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // escaped or padding character
    } else if (c == ';') {
      break;  // the first section decides
    } else {
      const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      hasDay |= l == 'd';
      hasYear |= l == 'y';
      hasMonthOrMinute |= l == 'm';
    }
  }
  return hasDay || hasYear || (hasMonthOrMinute && code.find_first_of("hHsS") == std::string_view::npos);
}

// For each cell style index (<cellXfs>), whether its number format is a date.
Result<std::vector<bool>> dateStyles(Parts& parts, const std::string& name) {
  auto xml = parts.read(name);
  if (!xml.ok()) {
    if (xml.error().code == ErrorCode::kNotFound) return std::vector<bool>{};
    return xml.error();
  }
  VIGIL_ASSIGN_OR_RETURN(auto doc, parseXml(name, *xml));
  const pugi::xml_node sheet = child(doc, "styleSheet");
  std::set<unsigned> dateFormats = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47};
  for (pugi::xml_node f : child(sheet, "numFmts").children())
    if (localName(f) == "numFmt" && isDateFormatCode(attribute(f, "formatCode").as_string()))
      dateFormats.insert(attribute(f, "numFmtId").as_uint());
  std::vector<bool> out;
  for (pugi::xml_node xf : child(sheet, "cellXfs").children())
    if (localName(xf) == "xf") out.push_back(dateFormats.count(attribute(xf, "numFmtId").as_uint()) > 0);
  return out;
}

// "AB12" -> column 27 (0-based), row 11 (0-based). False for anything else.
bool parseRef(std::string_view ref, size_t& row, size_t& col) {
  size_t i = 0, c = 0, r = 0;
  for (; i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i])); ++i) {
    if (i == 3) return false;  // XFD is the last column
    c = c * 26 + static_cast<size_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
  }
  const size_t letters = i;
  for (; i < ref.size() && std::isdigit(static_cast<unsigned char>(ref[i])); ++i) {
    if (i - letters == 7) return false;  // 1048576 is the last row
    r = r * 10 + static_cast<size_t>(ref[i] - '0');
  }
  if (letters == 0 || i == letters || i != ref.size() || r == 0 || c > 16384 || r > 1048576) return false;
  row = r - 1;
  col = c - 1;
  return true;
}

// A row number attribute ("12").
bool parseRowNumber(std::string_view s, size_t& row) {
  if (s.empty() || s.size() > 7) return false;
  size_t r = 0;
  for (char ch : s) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
    r = r * 10 + static_cast<size_t>(ch - '0');
  }
  if (r == 0 || r > 1048576) return false;
  row = r - 1;
  return true;
}

// A number as text without binary noise: at most 15 significant digits, no exponent for
// integers below 10^15.
std::string numberText(double v) {
  if (std::isfinite(v) && std::fabs(v) < 1e15 && v == std::floor(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return std::string(buf) == "-0" ? "0" : buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// A date serial as "YYYY-MM-DD" (" HH:MM" when it has a time); empty when out of range.
std::string serialDate(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958465) return "";  // 9999-12-31
  double days = std::floor(serial);
  const int minutes = static_cast<int>(std::lround((serial - days) * 24 * 60));
  // Days from 1970-01-01. The 1900 system counts from 1899-12-30 (day -25569) because it counts a
  // 1900-02-29 that never existed (serial 60), so serials before it are one day later; the 1904
  // system's serial 0 is 1904-01-01, 1462 days after 1899-12-30.
  int64_t n = static_cast<int64_t>(days) - 25569;
  if (date1904) {
    n += 1462;
  } else if (days < 60) {
    n += 1;
  }
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  n += 719468;
  const int64_t era = (n >= 0 ? n : n - 146096) / 146097;
  const int64_t doe = n - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
  std::string out = buf;
  if (minutes > 0 && minutes < 24 * 60) {
    std::snprintf(buf, sizeof buf, " %02d:%02d", minutes / 60, minutes % 60);
    out += buf;
  }
  return out;
}

std::string columnLetters(size_t c) {
  std::string s;
  for (size_t n = c + 1; n > 0; n = (n - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

struct Workbook {
  std::string sheetName, sheetPart, sharedStringsPart = "xl/sharedStrings.xml", stylesPart = "xl/styles.xml";
  bool date1904 = false;
};

Result<Workbook> readWorkbook(Parts& parts) {
  auto xml = parts.read(kWorkbookPart);
  if (!xml.ok()) {
    if (xml.error().code != ErrorCode::kNotFound) return xml.error();
    if (parts.read("content.xml").ok())
      return Error::badRequest(
          "not an XLSX file: this is an OpenDocument file (.ods); save it as \"Excel 2007-365 (.xlsx)\"");
    return Error::badRequest("not an XLSX workbook: the file has no " + std::string(kWorkbookPart));
  }
  VIGIL_ASSIGN_OR_RETURN(auto doc, parseXml(kWorkbookPart, *xml));
  const pugi::xml_node wb = child(doc, "workbook");
  if (!wb) return Error::badRequest("not an XLSX workbook: " + std::string(kWorkbookPart) + " has no <workbook>");
  Workbook out;
  const auto pr = attribute(child(wb, "workbookPr"), "date1904");
  out.date1904 = pr && (std::string_view(pr.value()) == "1" || std::string_view(pr.value()) == "true");
  pugi::xml_node first;
  for (pugi::xml_node s : child(wb, "sheets").children())
    if (localName(s) == "sheet") {
      first = s;
      break;
    }
  if (!first) return Error::badRequest("the XLSX workbook has no sheet");
  out.sheetName = attribute(first, "name").as_string();
  if (!text::isValidUtf8(out.sheetName) || text::hasControlChars(out.sheetName) ||
      text::codePoints(out.sheetName) > 100)
    return Error::badRequest("the name of the first sheet of the XLSX workbook is not valid text");
  std::string rid;
  for (pugi::xml_attribute a = first.first_attribute(); a; a = a.next_attribute())
    if (endsWith(a.name(), ":id")) rid = a.value();
  if (rid.empty()) return Error::badRequest("the first sheet of the XLSX workbook has no relationship id");

  auto rels = parts.read(kWorkbookRels);
  if (!rels.ok()) {
    if (rels.error().code == ErrorCode::kNotFound)
      return Error::badRequest("not an XLSX workbook: the file has no " + std::string(kWorkbookRels));
    return rels.error();
  }
  VIGIL_ASSIGN_OR_RETURN(auto relDoc, parseXml(kWorkbookRels, *rels));
  for (pugi::xml_node r : child(relDoc, "Relationships").children()) {
    if (localName(r) != "Relationship") continue;
    const std::string_view type = attribute(r, "Type").as_string();
    const std::string target = partName(attribute(r, "Target").as_string());
    if (attribute(r, "Id").as_string() == rid && endsWith(type, kSheetType)) out.sheetPart = target;
    if (endsWith(type, kSharedStringsType)) out.sharedStringsPart = target;
    if (endsWith(type, kStylesType)) out.stylesPart = target;
  }
  if (out.sheetPart.empty())
    return Error::badRequest("the first sheet of the XLSX workbook ('" + out.sheetName +
                             "') is not a worksheet or has no part");
  return out;
}

Result<std::vector<std::string>> sharedStrings(Parts& parts, const std::string& name) {
  auto xml = parts.read(name);
  if (!xml.ok()) {
    if (xml.error().code == ErrorCode::kNotFound) return std::vector<std::string>{};
    return xml.error();
  }
  VIGIL_ASSIGN_OR_RETURN(auto doc, parseXml(name, *xml));
  std::vector<std::string> out;
  for (pugi::xml_node si : child(doc, "sst").children())
    if (localName(si) == "si") out.push_back(itemText(si));
  return out;
}

}  // namespace

Result<XlsxTable> readXlsx(std::string_view bytes, const XlsxReadLimits& limits) {
  if (bytes.size() > limits.maxFileBytes)
    return tooLarge("the XLSX file is larger than " + std::to_string(limits.maxFileBytes >> 20) + " MiB");
  if (bytes.substr(0, 4) == std::string_view("\xD0\xCF\x11\xE0", 4))
    return Error::badRequest(
        "not an XLSX file: this is an Excel 97-2003 workbook (.xls) or a password-protected one; save it as "
        "\"Excel Workbook (.xlsx)\" without a password");
  if (bytes.size() < 4 || bytes.substr(0, 2) != "PK")
    return Error::badRequest("not an XLSX file (an XLSX file is a ZIP archive starting with PK)");
  if (auto names = listZip(bytes); !names.ok())
    return Error::badRequest("not an XLSX file: the ZIP archive is damaged (" + names.error().message + ")");
  Parts parts(bytes, limits);
  VIGIL_ASSIGN_OR_RETURN(auto wb, readWorkbook(parts));
  VIGIL_ASSIGN_OR_RETURN(auto strings, sharedStrings(parts, wb.sharedStringsPart));
  VIGIL_ASSIGN_OR_RETURN(auto dates, dateStyles(parts, wb.stylesPart));
  auto sheetXml = parts.read(wb.sheetPart);
  if (!sheetXml.ok()) {
    if (sheetXml.error().code == ErrorCode::kNotFound)
      return Error::badRequest("the sheet '" + wb.sheetName + "' is missing from the XLSX file (" +
                               shown(wb.sheetPart) + ")");
    return sheetXml.error();
  }
  VIGIL_ASSIGN_OR_RETURN(auto doc, parseXml(wb.sheetPart, *sheetXml));
  const pugi::xml_node data = child(child(doc, "worksheet"), "sheetData");
  if (!data) return Error::badRequest("the sheet '" + wb.sheetName + "' has no <sheetData>");

  XlsxTable out;
  out.sheetName = wb.sheetName;
  size_t nextRow = 0;
  for (pugi::xml_node row : data.children()) {
    if (localName(row) != "row") continue;
    size_t r = nextRow;
    if (const auto attr = attribute(row, "r"); attr && !parseRowNumber(attr.value(), r))
      return Error::badRequest("the sheet '" + wb.sheetName + "' has a row numbered '" + shown(attr.value()) + "'");
    if (r < nextRow)
      return Error::badRequest("the sheet '" + wb.sheetName + "' has row " + std::to_string(r + 1) + " out of order");
    nextRow = r + 1;
    size_t nextCol = 0;
    for (pugi::xml_node cell : row.children()) {
      if (localName(cell) != "c") continue;
      size_t cr = r, cc = nextCol;
      if (const auto ref = attribute(cell, "r"); ref) {
        if (!parseRef(ref.value(), cr, cc) || cr != r)
          return Error::badRequest("the sheet '" + wb.sheetName + "' has a cell '" + shown(ref.value()) + "' in row " +
                                   std::to_string(r + 1));
      }
      if (cc < nextCol)
        return Error::badRequest("the sheet '" + wb.sheetName + "' has cell " + columnLetters(cc) +
                                 std::to_string(r + 1) + " out of order");
      nextCol = cc + 1;
      const std::string_view type = attribute(cell, "t").as_string();
      const char* v = child(cell, "v").text().get();
      std::string value;
      if (type == "s") {
        if (!*v) continue;  // a styled blank
        const auto idx = child(cell, "v").text().as_ullong(UINT64_MAX);
        if (idx >= strings.size())
          return Error::badRequest("the cell " + columnLetters(cc) + std::to_string(r + 1) +
                                   " refers to a shared string that does not exist");
        value = strings[idx];
      } else if (type == "inlineStr") {
        value = itemText(child(cell, "is"));
      } else if (type == "b") {
        value = std::string_view(v) == "1" ? "true" : (*v ? "false" : "");
      } else if (type == "str" || type == "e") {
        value = v;
      } else if (type == "d") {  // an ISO 8601 date (strict OOXML): the day, and the time unless midnight
        value = v;
        if (value.size() >= 16 && value[10] == 'T') {
          const bool midnight = value.find_first_not_of("0:.Z", 11) == std::string::npos;
          value = midnight ? value.substr(0, 10) : value.substr(0, 10) + " " + value.substr(11, 5);
        }
      } else if (*v) {  // a number ("n" or no type)
        char* end = nullptr;
        const double d = std::strtod(v, &end);
        if (end == v || *end != '\0' || !std::isfinite(d))
          return Error::badRequest("the cell " + columnLetters(cc) + std::to_string(r + 1) + " holds '" + shown(v) +
                                   "', which is not a number");
        const auto style = attribute(cell, "s").as_ullong(0);
        const std::string date = style < dates.size() && dates[style] ? serialDate(d, wb.date1904) : "";
        value = date.empty() ? numberText(d) : date;
      }
      if (value.empty()) continue;
      if (!text::isValidUtf8(value))
        return Error::badRequest("the cell " + columnLetters(cc) + std::to_string(r + 1) + " is not valid UTF-8 text");
      if (r >= limits.maxRows)
        return tooLarge("the sheet '" + wb.sheetName + "' has data in row " + std::to_string(r + 1) + "; at most " +
                        std::to_string(limits.maxRows) + " rows are read");
      if (cc >= limits.maxColumns)
        return tooLarge("the sheet '" + wb.sheetName + "' has data in cell " + columnLetters(cc) +
                        std::to_string(r + 1) + "; at most " + std::to_string(limits.maxColumns) + " columns are read");
      if (out.rows.size() <= r) out.rows.resize(r + 1);
      auto& cells = out.rows[r];
      if (cells.size() <= cc) cells.resize(cc + 1);
      cells[cc] = std::move(value);
    }
  }
  return out;
}

}  // namespace vigil::documents
