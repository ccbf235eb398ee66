#include "documents/docx_template.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>

namespace vigil::documents {

namespace {

constexpr std::string_view kTextOpen = "<w:t xml:space=\"preserve\">";

size_t lineOf(const std::string& s, size_t pos) {
  return 1 + static_cast<size_t>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

struct Placeholder {
  size_t begin = 0, end = 0;  // [begin, end) covers {{...}}
  std::string name;
  std::string table, column;  // set for {{table.column}}
};

}  // namespace

std::string wordText(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 16);
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': break;  // only CR LF gets here (checkFormData refuses a lone CR)
      case '\n': out += "</w:t><w:br/><w:t xml:space=\"preserve\">"; break;
      case '\t': out += "</w:t><w:tab/><w:t xml:space=\"preserve\">"; break;
      default: out += c;
    }
  }
  return out;
}

Result<DocxTemplate> DocxTemplate::parse(const std::string& xml, const FormDefinition& def, const std::string& origin) {
  auto err = [&](size_t pos, const std::string& what) {
    return Error::validation(origin + ":" + std::to_string(lineOf(xml, pos)), what);
  };
  // 1. Find and check every placeholder.
  std::vector<Placeholder> found;
  for (size_t pos = xml.find("{{"); pos != std::string::npos; pos = xml.find("{{", pos + 2)) {
    const size_t close = xml.find("}}", pos + 2);
    const size_t nextOpen = xml.find("{{", pos + 2);
    if (close == std::string::npos || (nextOpen != std::string::npos && nextOpen < close))
      return err(pos, "'{{' without its closing '}}'");
    Placeholder p{pos, close + 2, xml.substr(pos + 2, close - pos - 2), {}, {}};
    const size_t tagStart = xml.rfind('<', pos);
    const size_t tagEnd = tagStart == std::string::npos ? std::string::npos : xml.find('>', tagStart);
    if (tagStart == std::string::npos || tagEnd > pos || xml.compare(tagStart, kTextOpen.size(), kTextOpen) != 0 ||
        tagEnd + 1 != tagStart + kTextOpen.size())
      return err(pos, "{{" + p.name + "}} must be inside the text of a <w:t xml:space=\"preserve\"> element");
    if (p.name.size() > 1 && (p.name[0] == '#' || p.name[0] == '/')) {
      p.table = p.name.substr(1);  // a section marker; column stays empty
      if (!def.table(p.table)) return err(pos, "unknown section {{" + p.name + "}}: not a table of " + def.id);
      found.push_back(std::move(p));
      pos = close;
      continue;
    }
    const size_t dot = p.name.find('.');
    if (dot == std::string::npos) {
      if (!def.field(p.name)) return err(pos, "unknown placeholder {{" + p.name + "}}: not a field of " + def.id);
    } else {
      p.table = p.name.substr(0, dot);
      p.column = p.name.substr(dot + 1);
      const TableDef* t = def.table(p.table);
      if (!t || !t->column(p.column))
        return err(pos, "unknown placeholder {{" + p.name + "}}: not a table column of " + def.id);
    }
    found.push_back(std::move(p));
    pos = close;
  }

  // 2. The repeated parts. A section: from the paragraph holding {{#t}} to the one holding {{/t}}
  //    (both marker paragraphs dropped). Otherwise the <w:tr> around each cell placeholder.
  //    [outerBegin, outerEnd) is replaced by the repetitions of [innerBegin, innerEnd).
  struct Span {
    size_t outerBegin, outerEnd, innerBegin, innerEnd;
    std::string table;
  };
  auto enclosing = [&](size_t pos, std::string_view open, std::string_view close) -> std::pair<size_t, size_t> {
    size_t a = xml.rfind(std::string(open) + ">", pos), b = xml.rfind(std::string(open) + " ", pos);
    if (a == std::string::npos || (b != std::string::npos && b > a)) a = b;
    if (a == std::string::npos) return {std::string::npos, std::string::npos};
    const size_t c = xml.find(close, a);
    if (c == std::string::npos || c < pos) return {std::string::npos, std::string::npos};
    return {a, c + close.size()};
  };
  std::map<size_t, Span> spans;  // by outerBegin
  std::map<std::string, size_t> spanOfTable;
  auto addSpan = [&](const Span& span, size_t pos) -> std::optional<Error> {
    for (const auto& [b, other] : spans)
      if (b != span.outerBegin && span.outerBegin < other.outerEnd && other.outerBegin < span.outerEnd)
        return err(pos, "the repeated parts of tables '" + other.table + "' and '" + span.table + "' overlap");
    auto [it, inserted] = spans.emplace(span.outerBegin, span);
    if (!inserted && it->second.table != span.table)
      return err(pos, "one table row mixes tables '" + it->second.table + "' and '" + span.table + "'");
    auto [t, first] = spanOfTable.emplace(span.table, span.outerBegin);
    if (!first && t->second != span.outerBegin)
      return err(pos, "table '" + span.table + "' has more than one repeated row or section");
    return std::nullopt;
  };
  for (size_t i = 0; i < found.size(); ++i) {
    const Placeholder& open = found[i];
    if (open.name[0] == '/') return err(open.begin, "{{" + open.name + "}} without its {{#" + open.table + "}}");
    if (open.name[0] != '#') continue;
    size_t j = i + 1;
    while (j < found.size() && found[j].name != "/" + open.table) {
      if (found[j].name[0] == '#' || found[j].name[0] == '/')
        return err(found[j].begin,
                   "sections cannot nest or interleave: {{" + found[j].name + "}} inside {{" + open.name + "}}");
      ++j;
    }
    if (j == found.size()) return err(open.begin, "{{" + open.name + "}} without its {{/" + open.table + "}}");
    const auto first = enclosing(open.begin, "<w:p", "</w:p>");
    const auto last = enclosing(found[j].begin, "<w:p", "</w:p>");
    if (first.first == std::string::npos || last.first == std::string::npos || first.second > last.first)
      return err(open.begin, "section markers must each sit in a paragraph of their own");
    if (auto e = addSpan({first.first, last.second, first.second, last.first, open.table}, open.begin)) return *e;
    i = j;
  }
  const std::map<size_t, Span> sections = spans;
  auto inSection = [&](size_t pos) {
    for (const auto& [b, span] : sections)
      if (pos >= span.outerBegin && pos < span.outerEnd) return true;
    return false;
  };
  for (const auto& p : found) {
    if (p.table.empty() || p.column.empty() || inSection(p.begin)) continue;
    const auto row = enclosing(p.begin, "<w:tr", "</w:tr>");
    if (row.first == std::string::npos)
      return err(p.begin, "{{" + p.name + "}} is not inside a table row <w:tr> nor a section {{#" + p.table + "}}");
    if (auto e = addSpan({row.first, row.second, row.first, row.second, p.table}, p.begin)) return *e;
  }
  for (const auto& p : found) {
    if (p.column.empty()) continue;
    const auto it = spans.upper_bound(p.begin);
    if (it == spans.begin() || std::prev(it)->second.table != p.table || p.begin >= std::prev(it)->second.outerEnd)
      return err(p.begin, "{{" + p.name + "}} is outside the repeated row or section of table '" + p.table + "'");
  }

  // 3. Pieces: literal XML, fields, and blocks holding their repeated part's pieces.
  DocxTemplate tpl;
  auto emit = [&](std::vector<Piece>& into, size_t from, size_t to, bool inBlock) {
    size_t at = from;
    for (const auto& p : found) {
      if (p.begin < from || p.end > to) continue;
      if (p.begin > at) into.push_back({Piece::Kind::kText, xml.substr(at, p.begin - at), 0});
      if (p.table.empty()) {
        into.push_back({Piece::Kind::kField, p.name, 0});
        tpl.fieldsUsed_.insert(p.name);
      } else {
        const bool number = inBlock && def.table(p.table)->column(p.column)->rowNumber;
        into.push_back({number ? Piece::Kind::kRowNumber : Piece::Kind::kCell, p.column, 0});
      }
      at = p.end;
    }
    if (to > at) into.push_back({Piece::Kind::kText, xml.substr(at, to - at), 0});
  };
  size_t at = 0;
  for (const auto& [begin, span] : spans) {
    emit(tpl.pieces_, at, span.outerBegin, false);
    Block block{span.table, {}};
    emit(block.pieces, span.innerBegin, span.innerEnd, true);
    tpl.pieces_.push_back({Piece::Kind::kBlock, {}, tpl.blocks_.size()});
    tpl.blocks_.push_back(std::move(block));
    at = span.outerEnd;
  }
  emit(tpl.pieces_, at, xml.size(), false);
  return tpl;
}

void DocxTemplate::renderPieces(const std::vector<Piece>& pieces, const FormData& data, const Row* row, size_t rowIndex,
                                std::string& out) const {
  for (const auto& p : pieces) {
    switch (p.kind) {
      case Piece::Kind::kText: out += p.text; break;
      case Piece::Kind::kField: {
        auto it = data.fields.find(p.text);
        if (it != data.fields.end()) out += wordText(it->second);
        break;
      }
      case Piece::Kind::kCell: {
        if (!row) break;
        auto it = row->find(p.text);
        if (it != row->end()) out += wordText(it->second);
        break;
      }
      case Piece::Kind::kRowNumber: out += std::to_string(rowIndex + 1); break;
      case Piece::Kind::kBlock: {
        const Block& b = blocks_[p.block];
        auto rows = data.tables.find(b.table);
        if (rows == data.tables.end()) break;
        for (size_t r = 0; r < rows->second.size(); ++r) renderPieces(b.pieces, data, &rows->second[r], r, out);
        break;
      }
    }
  }
}

std::string DocxTemplate::render(const FormData& data) const {
  std::string out;
  renderPieces(pieces_, data, nullptr, 0, out);
  return out;
}

}  // namespace vigil::documents
