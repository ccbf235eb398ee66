// Text columns that hold a list of strings as a JSON array (tags, addresses, recipients, phone
// numbers, classification facts): written with toJsonArray(), read back with fromJsonArray(),
// which is lenient (a text that is not an array yields the strings it has, or none). Included only
// by the SQLite store's .cpp files, which use Boost.JSON anyway.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace vigil::sqlite {

boost::json::array stringArray(const std::vector<std::string>& v);
std::string toJsonArray(const std::vector<std::string>& v);
std::vector<std::string> fromJsonArray(const std::string& text);

}  // namespace vigil::sqlite
