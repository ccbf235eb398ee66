// Fuzz target: the CSV reader of the registry import (api/registry_io.h). Any input either parses
// or is refused with an error; parsed rows written back with csvField() and read again give the
// same fields (a round trip), except for fields csvField() guards against spreadsheet formulas.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/registry_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  auto rows = vigil::api::parseCsv(in);
  if (!rows.ok()) return 0;
  std::string out;
  for (const auto& row : *rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string& f = row[i];
      if (!f.empty() && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@' || f[0] == '\'')) return 0;
      if (f.find('\r') != std::string::npos) return 0;  // CR inside quotes is kept; not round-tripped here
      out += (i ? "," : "") + vigil::api::csvField(f);
    }
    out += "\n";
  }
  auto again = vigil::api::parseCsv(out);
  if (!again.ok()) std::abort();
  // Rows with one empty field come back as blank rows; compare the rest.
  if (again->size() != rows->size()) std::abort();
  for (size_t r = 0; r < rows->size(); ++r) {
    const auto& a = (*rows)[r];
    const auto& b = (*again)[r];
    const bool blankA = a.empty() || (a.size() == 1 && a[0].empty());
    const bool blankB = b.empty() || (b.size() == 1 && b[0].empty());
    if (blankA != blankB) std::abort();
    if (!blankA && a != b) std::abort();
  }
  return 0;
}
