#include "store/sqlite/json_columns.h"

namespace vigil::sqlite {

namespace json = boost::json;

json::array stringArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string toJsonArray(const std::vector<std::string>& v) { return json::serialize(stringArray(v)); }

std::vector<std::string> fromJsonArray(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& x : v.as_array())
    if (x.is_string()) out.emplace_back(x.as_string());
  return out;
}

}  // namespace vigil::sqlite
