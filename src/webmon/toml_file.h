// Reading the monitor's TOML catalogs (the lexicon, the end-of-life data, the defacement
// signatures): the file and the TOML syntax, with the errors their loaders share. Includes
// toml++: include from src/webmon/*.cpp only.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::webmon {

// The whole file at `path`, as bytes. kValidation on `path`, "cannot open <what>", when it cannot
// be opened; `what` names the file's role, e.g. "the lexicon file".
Result<std::string> readCatalogFile(const std::string& path, const std::string& what);

// `text` parsed as TOML. A syntax error is kValidation on `origin` (the file's path, or what the
// text came from), "line N: <toml++'s description>".
Result<toml::table> parseCatalogToml(std::string_view text, const std::string& origin);

}  // namespace vigil::webmon
