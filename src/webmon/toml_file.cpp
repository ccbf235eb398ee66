#include "webmon/toml_file.h"

#include <fstream>
#include <sstream>

namespace vigil::webmon {

Result<std::string> readCatalogFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::validation(path, "cannot open " + what);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<toml::table> parseCatalogToml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error::validation(origin,
                             "line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

}  // namespace vigil::webmon
