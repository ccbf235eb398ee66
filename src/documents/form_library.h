// The official forms of the product, loaded once from the templates folder (catalogs/templates/ in the
// repository): catalogs/templates/docx/ is the package skeleton every DOCX shares ([Content_Types].xml,
// relationships, styles with Times New Roman 13, settings), and catalogs/templates/forms/<id>/ holds one
// form: form.toml (its definition) and document.xml (its WordprocessingML body with placeholders).
// Adding a form is adding such a folder; no C++ changes.
//
// A loaded library is immutable: share it as shared_ptr<const FormLibrary>; rendering is safe from
// any thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "documents/form.h"

namespace vigil::documents {

// A rendered file, ready to download or to record in a submission register.
struct RenderedFile {
  std::string fileName;   // "<form id>.docx" / ".xlsx"
  std::string mediaType;  // the OOXML media type
  std::string bytes;
  std::string sha256;  // lower-case hex SHA-256 of bytes
};

class FormLibrary {
 public:
  // Loads and checks everything: every form.toml, every template's placeholders against its
  // definition, the folder name equal to the id, every field shown somewhere (DOCX or XLSX).
  // The first error refuses the whole library, naming the file and line.
  static Result<std::shared_ptr<const FormLibrary>> load(const std::filesystem::path& templatesDir);

  ~FormLibrary();
  FormLibrary(const FormLibrary&) = delete;
  FormLibrary& operator=(const FormLibrary&) = delete;

  // The definitions, sorted by id.
  std::vector<const FormDefinition*> forms() const;
  const FormDefinition* find(std::string_view id) const;

  // Checks the data (checkFormData: a missing mandatory field refuses the render with the list of
  // every missing field) and renders the DOCX. Deterministic: the same data gives the same bytes.
  Result<RenderedFile> renderDocx(std::string_view id, const FormData& data) const;

  // The spreadsheet version (forms with [[xlsx_sheet]]); not found for the others.
  Result<RenderedFile> renderXlsx(std::string_view id, const FormData& data) const;

 private:
  struct Form;
  FormLibrary();
  std::vector<std::unique_ptr<Form>> forms_;
  std::vector<std::pair<std::string, std::string>> skeleton_;  // package parts: name, content
};

}  // namespace vigil::documents
