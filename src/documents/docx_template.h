// A WordprocessingML body (word/document.xml) with placeholders, checked against a form definition
// when loaded and filled from FormData when rendered.
//
// Placeholders: {{field}} for a scalar field; {{table.column}} for a cell. The cells of a table
// are repeated once per data row, either as a table row (the <w:tr> holding them) or as a section:
// everything between a paragraph holding only {{#table}} and one holding {{/table}} (the two
// marker paragraphs are dropped). {{table.column}} of a row_number column gives 1, 2, 3... Every
// placeholder sits inside the text of a <w:t xml:space="preserve"> element (so it can become
// several lines); a table has one repeated row or section; a row belongs to one table; sections do
// not nest. Values are XML-escaped; a line feed becomes <w:br/>, a tab <w:tab/>.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "documents/form.h"

namespace vigil::documents {

class DocxTemplate {
 public:
  // Errors name "origin:line: what" (unknown placeholder or section, placeholder outside <w:t>,
  // unclosed braces, a cell outside its repeated part, a row with two tables, a table repeated in
  // two places, unpaired or nested section markers).
  static Result<DocxTemplate> parse(const std::string& xml, const FormDefinition& def, const std::string& origin);

  // The filled document.xml. The data must have passed checkFormData for `def`.
  std::string render(const FormData& data) const;

  // The scalar fields the template shows.
  const std::set<std::string>& fieldsUsed() const { return fieldsUsed_; }

 private:
  struct Piece {
    enum class Kind { kText, kField, kCell, kRowNumber, kBlock } kind = Kind::kText;
    std::string text;  // literal XML, field name or column name
    size_t block = 0;  // index into blocks_ for kBlock
  };
  struct Block {
    std::string table;
    std::vector<Piece> pieces;
  };
  void renderPieces(const std::vector<Piece>& pieces, const FormData& data, const Row* row, size_t rowIndex,
                    std::string& out) const;

  std::vector<Piece> pieces_;
  std::vector<Block> blocks_;
  std::set<std::string> fieldsUsed_;
};

// `value` as the character data of a <w:t xml:space="preserve"> element: escaped, with line feeds
// (and CR LF) as line breaks and tabs as tab stops.
std::string wordText(std::string_view value);

}  // namespace vigil::documents
