#include "documents/xlsx.h"

#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "core/text.h"

namespace vigil::documents {

namespace {

// Column letters of a 0-based index: 0 -> A, 26 -> AA.
std::string columnName(size_t c) {
  std::string s;
  for (size_t n = c + 1; n > 0; n = (n - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

// A private temporary directory, removed with everything in it when this goes out of scope.
class TempDir {
 public:
  static Result<TempDir> make() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/vigil-xlsx-XXXXXX";
    if (!mkdtemp(pattern.data())) return Error::internal("xlsx: cannot create a temporary directory under " + pattern);
    return TempDir(pattern);
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

struct WorkbookDeleter {
  // Only on error paths: workbook_close writes the file and frees the workbook.
  void operator()(lxw_workbook* wb) const { workbook_close(wb); }
};

struct Formats {
  lxw_format* title;
  lxw_format* subtitle;
  lxw_format* header;
  lxw_format* text;
  lxw_format* number;
  lxw_format* date;
  lxw_format* dateTime;
  lxw_format* totalLabel;
  lxw_format* totalNumber;
};

lxw_format* baseFormat(lxw_workbook* wb, double size) {
  lxw_format* f = workbook_add_format(wb);
  format_set_font_name(f, "Times New Roman");
  format_set_font_size(f, size);
  return f;
}

lxw_format* cellFormat(lxw_workbook* wb) {
  lxw_format* f = baseFormat(wb, 12);
  format_set_border(f, LXW_BORDER_THIN);
  format_set_text_wrap(f);
  format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
  return f;
}

Formats makeFormats(lxw_workbook* wb) {
  Formats f{};
  f.title = baseFormat(wb, 14);
  format_set_bold(f.title);
  format_set_align(f.title, LXW_ALIGN_CENTER);
  format_set_align(f.title, LXW_ALIGN_VERTICAL_CENTER);
  format_set_text_wrap(f.title);
  f.subtitle = baseFormat(wb, 12);
  format_set_italic(f.subtitle);
  format_set_align(f.subtitle, LXW_ALIGN_CENTER);
  f.header = cellFormat(wb);
  format_set_bold(f.header);
  format_set_align(f.header, LXW_ALIGN_CENTER);
  format_set_align(f.header, LXW_ALIGN_VERTICAL_CENTER);
  format_set_bg_color(f.header, 0xD9D9D9);
  f.text = cellFormat(wb);
  f.number = cellFormat(wb);
  format_set_num_format(f.number, "#,##0.##########");
  f.date = cellFormat(wb);
  format_set_num_format(f.date, "dd/mm/yyyy");
  format_set_align(f.date, LXW_ALIGN_CENTER);
  f.dateTime = cellFormat(wb);
  format_set_num_format(f.dateTime, "dd/mm/yyyy hh:mm");
  format_set_align(f.dateTime, LXW_ALIGN_CENTER);
  f.totalLabel = cellFormat(wb);
  format_set_bold(f.totalLabel);
  f.totalNumber = cellFormat(wb);
  format_set_bold(f.totalNumber);
  format_set_num_format(f.totalNumber, "#,##0.##########");
  return f;
}

Status checkText(const std::string& where, const std::string& s) {
  if (!text::isValidUtf8(s)) return Error::validation(where, "not valid UTF-8");
  std::string flat = s;
  for (char& c : flat)
    if (c == '\n' || c == '\r') c = ' ';
  if (text::hasControlChars(flat)) return Error::validation(where, "contains a control character");
  return {};
}

Status writeSheet(lxw_workbook* wb, const Formats& fmt, const XlsxSheet& sheet) {
  if (sheet.columns.empty()) return Error::internal("xlsx: sheet " + sheet.name + " has no columns");
  VIGIL_TRY(checkText("sheet", sheet.name));
  if (text::codePoints(sheet.name) > 31 || sheet.name.empty() ||
      sheet.name.find_first_of("[]:*?/\\") != std::string::npos)
    return Error::validation("sheet", "'" + sheet.name + "' is not a valid sheet name");
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.name.c_str());
  if (!ws) return Error::validation("sheet", "'" + sheet.name + "' is not a valid or unique sheet name");
  worksheet_set_paper(ws, 9);  // A4
  if (sheet.landscape) worksheet_set_landscape(ws);
  worksheet_fit_to_pages(ws, 1, 0);

  const auto lastCol = static_cast<lxw_col_t>(sheet.columns.size() - 1);
  for (size_t c = 0; c < sheet.columns.size(); ++c)
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), sheet.columns[c].width, nullptr);

  lxw_row_t row = 0;
  VIGIL_TRY(checkText("title", sheet.title));
  if (!sheet.title.empty() || !sheet.subtitles.empty()) {
    worksheet_set_row(ws, row, 40, nullptr);
    if (lastCol > 0) {
      worksheet_merge_range(ws, row, 0, row, lastCol, sheet.title.c_str(), fmt.title);
    } else {
      worksheet_write_string(ws, row, 0, sheet.title.c_str(), fmt.title);
    }
    ++row;
    for (const auto& sub : sheet.subtitles) {
      VIGIL_TRY(checkText("subtitle", sub));
      if (lastCol > 0) {
        worksheet_merge_range(ws, row, 0, row, lastCol, sub.c_str(), fmt.subtitle);
      } else {
        worksheet_write_string(ws, row, 0, sub.c_str(), fmt.subtitle);
      }
      ++row;
    }
    ++row;  // one blank row before the table
  }
  const lxw_row_t headerRow = row;
  for (size_t c = 0; c < sheet.columns.size(); ++c) {
    VIGIL_TRY(checkText("header", sheet.columns[c].header));
    worksheet_write_string(ws, row, static_cast<lxw_col_t>(c), sheet.columns[c].header.c_str(), fmt.header);
  }
  worksheet_repeat_rows(ws, headerRow, headerRow);
  worksheet_freeze_panes(ws, headerRow + 1, 0);
  ++row;

  std::vector<double> sums(sheet.columns.size(), 0);
  std::vector<size_t> counts(sheet.columns.size(), 0);
  for (size_t r = 0; r < sheet.rows.size(); ++r, ++row) {
    const auto& cells = sheet.rows[r];
    if (cells.size() > sheet.columns.size())
      return Error::internal("xlsx: row " + std::to_string(r + 1) + " has more cells than columns");
    for (size_t c = 0; c < sheet.columns.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const Cell empty;
      const Cell& cell = c < cells.size() ? cells[c] : empty;
      if (const auto* s = std::get_if<std::string>(&cell)) {
        VIGIL_TRY(checkText(sheet.name + " row " + std::to_string(r + 1), *s));
        if (worksheet_write_string(ws, row, col, s->c_str(), fmt.text) != LXW_NO_ERROR)
          return Error::validation(sheet.name + " row " + std::to_string(r + 1),
                                   "a text longer than a spreadsheet cell holds (32,767 characters)");
        if (!s->empty()) ++counts[c];
      } else if (const auto* d = std::get_if<double>(&cell)) {
        worksheet_write_number(ws, row, col, *d, fmt.number);
        sums[c] += *d;
        ++counts[c];
      } else if (const auto* dt = std::get_if<Date>(&cell)) {
        lxw_datetime when{dt->year, dt->month, dt->day, 0, 0, 0};
        worksheet_write_datetime(ws, row, col, &when, fmt.date);
        ++counts[c];
      } else if (const auto* dtt = std::get_if<DateTime>(&cell)) {
        lxw_datetime when{dtt->date.year, dtt->date.month, dtt->date.day, dtt->hour, dtt->minute, 0};
        worksheet_write_datetime(ws, row, col, &when, fmt.dateTime);
        ++counts[c];
      } else {
        worksheet_write_blank(ws, row, col, fmt.text);
      }
    }
  }
  if (!sheet.totalsLabel.empty()) {
    VIGIL_TRY(checkText("totals", sheet.totalsLabel));
    worksheet_write_string(ws, row, 0, sheet.totalsLabel.c_str(), fmt.totalLabel);
    const lxw_row_t first = headerRow + 2, last = headerRow + 1 + static_cast<lxw_row_t>(sheet.rows.size());
    for (size_t c = 0; c < sheet.columns.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const TotalKind kind = sheet.columns[c].total;
      const std::string range = columnName(c) + std::to_string(first) + ":" + columnName(c) + std::to_string(last);
      if (kind == TotalKind::kSum) {
        worksheet_write_formula_num(ws, row, col, ("=SUM(" + range + ")").c_str(), fmt.totalNumber, sums[c]);
      } else if (kind == TotalKind::kCount) {
        worksheet_write_formula_num(ws, row, col, ("=COUNTA(" + range + ")").c_str(), fmt.totalNumber,
                                    static_cast<double>(counts[c]));
      } else if (c != 0) {
        worksheet_write_blank(ws, row, col, fmt.totalLabel);
      }
    }
  }
  return {};
}

}  // namespace

Result<std::string> writeXlsx(const std::vector<XlsxSheet>& sheets, bool streaming) {
  if (sheets.empty()) return Error::internal("xlsx: no sheets");
  for (const auto& sheet : sheets)
    if (streaming && (!sheet.title.empty() || !sheet.subtitles.empty()))
      return Error::internal("xlsx: sheet " + sheet.name + " has a title, which streaming cannot write");
  VIGIL_ASSIGN_OR_RETURN(TempDir dir, TempDir::make());
  const std::string file = dir.path() + "/report.xlsx";
  lxw_workbook_options options{};
  options.tmpdir = const_cast<char*>(dir.path().c_str());  // libxlsxwriter does not write through it
  options.constant_memory = streaming ? LXW_TRUE : LXW_FALSE;
  std::unique_ptr<lxw_workbook, WorkbookDeleter> wb(workbook_new_opt(file.c_str(), &options));
  if (!wb) return Error::internal("xlsx: cannot create the workbook");
  const Formats fmt = makeFormats(wb.get());
  for (const auto& sheet : sheets) VIGIL_TRY(writeSheet(wb.get(), fmt, sheet));
  const lxw_error rc = workbook_close(wb.release());
  if (rc != LXW_NO_ERROR) return Error::internal(std::string("xlsx: writing the workbook: ") + lxw_strerror(rc));
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::internal("xlsx: cannot read back " + file);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace vigil::documents
