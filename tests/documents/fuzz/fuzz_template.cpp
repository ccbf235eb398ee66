// Fuzz target: the DOCX template parser and renderer. The input is a template, then optionally a
// NUL byte and a value. Any template is either refused with a located error or accepted; an
// accepted one renders (value in the field and in three table rows) without crashing, leaves no
// placeholder behind and never lets a value holding '<' through unescaped.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "documents/docx_template.h"

using namespace vigil::documents;

namespace {

FormDefinition definition() {
  FormDefinition def;
  def.id = "fuzz";
  def.fields = {FieldDef{.name = "a", .label = "A", .required = true}, FieldDef{.name = "b", .label = "B"}};
  TableDef t;
  t.name = "t";
  t.label = "T";
  t.columns = {ColumnDef{.name = "no", .label = "STT", .kind = ValueKind::kNumber, .rowNumber = true},
               ColumnDef{.name = "x", .label = "X"}};
  def.tables.push_back(t);
  return def;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const FormDefinition def = definition();
  const std::string in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string xml = in.substr(0, nul);
  std::string value = nul == std::string::npos ? "v<&>\"'" : in.substr(nul + 1);
  for (char& c : value)
    if (c == '{' || c == '}') c = '_';  // a value is text, never a placeholder
  auto tpl = DocxTemplate::parse(xml, def, "fuzz.xml");
  if (!tpl.ok()) {
    if (tpl.error().message.rfind("fuzz.xml:", 0) != 0) std::abort();  // errors are located
    return 0;
  }
  FormData form;
  form.fields["a"] = value;
  form.tables["t"] = {{{"x", value}}, {}, {{"x", "y"}}};
  const std::string out = tpl->render(form);
  for (const char* marker : {"{{a}}", "{{b}}", "{{t.x}}", "{{t.no}}"})
    if (out.find(marker) != std::string::npos) std::abort();
  if (value.find('<') != std::string::npos && xml.find(value) == std::string::npos &&
      out.find(value) != std::string::npos)
    std::abort();  // the value reached the XML unescaped
  return 0;
}
