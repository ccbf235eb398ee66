// The Windows mapping against the case file tests/evtx/cases/mapping_cases.toml (Winlogbeat-shaped
// events, one case per rule at least).
#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <charconv>
#include <string>

#include "evtx/windows_mapping.h"

using vigil::evtx::WindowsMapping;
using vigil::normalize::Event;
using vigil::normalize::ValueType;

TEST(WindowsMappingCases, EveryCaseOfTheFile) {
  auto mapping = WindowsMapping::load(VIGIL_WINDOWS_MAPPING_DIR);
  ASSERT_TRUE(mapping.ok()) << mapping.error().message;
  const std::string path = std::string(VIGIL_TEST_SOURCE_DIR) + "/tests/evtx/cases/mapping_cases.toml";
  toml::table root = toml::parse_file(path);
  const toml::array* cases = root["case"].as_array();
  ASSERT_NE(cases, nullptr) << path;
  size_t count = 0;
  for (const toml::node& node : *cases) {
    const toml::table& c = *node.as_table();
    const std::string name = c["name"].value_or(std::string("?"));
    SCOPED_TRACE(name);
    ++count;
    Event e;
    e.reset("{}");
    for (const auto& [key, value] : *c["fields"].as_table()) {
      const std::string text = value.value_or(std::string());
      int64_t n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (key.str() == "winlog.event_id" && ec == std::errc() && end == text.data() + text.size())
        e.setOwnedName("", key.str(), ValueType::kInt, text, n);
      else
        e.setOwnedName("", key.str(), ValueType::kString, text);
    }
    EXPECT_EQ(mapping->apply(e), static_cast<size_t>(c["rules"].value_or(int64_t{1})));
    for (const auto& [key, value] : *c["expect"].as_table()) {
      const std::string field(key.str());
      EXPECT_EQ(e.getText(field), value.value_or(std::string())) << field;
      auto v = e.get(field);
      if (!v) continue;
      if (field.ends_with(".ip")) {
        EXPECT_EQ(v->type, ValueType::kIp) << field;
      }
      if (field.ends_with(".port") || field.ends_with(".pid")) {
        EXPECT_EQ(v->type, ValueType::kInt) << field;
      }
    }
    if (const toml::array* absent = c["absent"].as_array()) {
      for (const toml::node& a : *absent) {
        const std::string field = a.value_or(std::string());
        EXPECT_FALSE(e.has(field)) << field;
      }
    }
  }
  EXPECT_GE(count, 20u);
}
