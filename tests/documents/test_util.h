// Helpers of the documents tests: the templates folder, sample data files, reading a rendered file.
#pragma once

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <string>

#include "documents/form.h"

namespace vigil::documents::test {

inline std::filesystem::path templatesDir() {
  return std::filesystem::path(VIGIL_TEST_SOURCE_DIR) / "catalogs" / "templates";
}
inline std::filesystem::path samplesDir() {
  return std::filesystem::path(VIGIL_TEST_SOURCE_DIR) / "tests" / "documents" / "samples";
}

// Reads tests/documents/samples/<id>.toml: [fields] name = "value", [[tables.<name>]] rows.
inline FormData loadSample(const std::string& id) {
  FormData data;
  const auto root = toml::parse_file((samplesDir() / (id + ".toml")).string());
  if (const auto* fields = root["fields"].as_table())
    for (const auto& [k, v] : *fields) data.fields[std::string(k.str())] = v.value<std::string>().value_or("");
  if (const auto* tables = root["tables"].as_table()) {
    for (const auto& [name, rows] : *tables) {
      auto& out = data.tables[std::string(name.str())];
      for (const auto& row : *rows.as_array()) {
        Row r;
        for (const auto& [k, v] : *row.as_table()) r[std::string(k.str())] = v.value<std::string>().value_or("");
        out.push_back(std::move(r));
      }
    }
  }
  return data;
}

inline size_t countOf(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + needle.size())) ++n;
  return n;
}

// The XML-escaped form of a plain value, as it must appear in document.xml (one line).
inline std::string xmlEscaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace vigil::documents::test
