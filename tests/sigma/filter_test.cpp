// Sigma meta filter rules through DetectionSet: a filter names rules and removes their matches on
// the events its condition matches, within its logsource; refusals name file:line.
#include <gtest/gtest.h>

#include "detect/sigma/detection.h"
#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::makeEvent;
using testing::windowsPipeline;

const char* kRules = R"(title: Archiver
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\rar.exe'}
  condition: sel
---
title: Whoami
name: whoami
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
---
title: Failed logon
name: failed_logon
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
)";

const char* kFilter = R"(title: Admin accounts
logsource:
  product: windows
  category: process_creation
filter:
  rules:
    - 6f3e2987-db24-4c78-a860-b4f4095a7095
  selection:
    User|startswith: 'adm_'
  condition: selection
)";

std::vector<std::string> matches(const DetectionSet& set, const normalize::Event& e) {
  std::vector<std::string> out;
  set.evaluate(e, nullptr, [&](const Detection& d) { out.emplace_back(d.title); });
  return out;
}

TEST(SigmaFilter, ExcludesTheNamedRulesMatches) {
  auto set = DetectionSet::fromTexts({{"rules.yml", kRules}, {"mf_admin.yml", kFilter}}, windowsPipeline());
  ASSERT_TRUE(set->refusals().empty()) << set->refusals()[0].where << " " << set->refusals()[0].reason;
  EXPECT_EQ(set->filterCount(), 1u);
  const struct {
    const char* image;
    const char* user;
    std::vector<std::string> expected;
  } cases[] = {
      {"C:\\Program Files\\WinRAR\\rar.exe", "bob", {"Archiver"}},
      {"C:\\Program Files\\WinRAR\\rar.exe", "adm_bob", {}},         // filtered
      {"C:\\Program Files\\WinRAR\\rar.exe", "ADM_BOB", {}},         // case-insensitive like any value
      {"C:\\Windows\\System32\\whoami.exe", "adm_bob", {"Whoami"}},  // not named by the filter
      {"C:\\Windows\\notepad.exe", "adm_bob", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.image) + " " + c.user);
    // A process_creation event (Sysmon 1) of the windows product.
    auto e = makeEvent({{"winlog.channel", "Microsoft-Windows-Sysmon/Operational"},
                        {"winlog.provider_name", "Microsoft-Windows-Sysmon"},
                        {"winlog.event_id", "1"},
                        {"winlog.event_data.Image", c.image},
                        {"winlog.event_data.User", c.user}});
    EXPECT_EQ(matches(*set, e), c.expected);
  }
}

TEST(SigmaFilter, SeveralFiltersAndNames) {
  const std::string filter2 = R"(title: Lab host
logsource: {product: windows}
filter:
  rules: [whoami, 6f3e2987-db24-4c78-a860-b4f4095a7095]
  host:
    Computer: lab-01
  condition: host
)";
  auto set = DetectionSet::fromTexts({{"rules.yml", kRules}, {"f.yml", std::string(kFilter) + "---\n" + filter2}},
                                     windowsPipeline());
  ASSERT_TRUE(set->refusals().empty()) << set->refusals()[0].where << " " << set->refusals()[0].reason;
  auto event = [](const char* image, const char* user, const char* host) {
    return makeEvent({{"winlog.channel", "Microsoft-Windows-Sysmon/Operational"},
                      {"winlog.provider_name", "Microsoft-Windows-Sysmon"},
                      {"winlog.event_id", "1"},
                      {"winlog.computer_name", host},
                      {"Computer", host},
                      {"winlog.event_data.Image", image},
                      {"winlog.event_data.User", user}});
  };
  EXPECT_EQ(matches(*set, event("c:\\x\\whoami.exe", "bob", "lab-01")), std::vector<std::string>{});
  EXPECT_EQ(matches(*set, event("c:\\x\\whoami.exe", "bob", "pc-02")), std::vector<std::string>{"Whoami"});
  EXPECT_EQ(matches(*set, event("c:\\x\\rar.exe", "adm_x", "pc-02")), std::vector<std::string>{});
  EXPECT_EQ(matches(*set, event("c:\\x\\rar.exe", "bob", "lab-01")), std::vector<std::string>{});
  EXPECT_EQ(matches(*set, event("c:\\x\\rar.exe", "bob", "pc-02")), std::vector<std::string>{"Archiver"});
}

TEST(SigmaFilter, RefusalsNameFileAndLine) {
  const struct {
    const char* text;
    const char* where;
    const char* reason;
  } cases[] = {
      {"title: f\nlogsource: {product: windows}\nfilter:\n  rules: [nosuch]\n  s: {User: x}\n  condition: s\n",
       "f.yml:4", "unknown rule 'nosuch'"},
      {"title: f\nlogsource: {product: windows, category: process_creation}\nfilter:\n  rules: [failed_logon]\n"
       "  s: {User: x}\n  condition: s\n",
       "f.yml:4", "does not cover rule 'failed_logon'"},
      {"title: f\nlogsource: {product: linux}\nfilter:\n  rules: [whoami]\n  s: {User: x}\n  condition: s\n", "f.yml:4",
       "does not cover"},
      {"title: f\nlogsource: {product: windows}\nfilter:\n  s: {User: x}\n  condition: s\n", "f.yml:3",
       "missing 'rules'"},
      {"title: f\nlogsource: {product: windows}\nfilter:\n  rules: [whoami]\n  s: {User: x}\n", "f.yml:3",
       "missing 'condition' in 'filter'"},
      {"title: f\nlogsource: {product: windows}\nfilter:\n  rules: [whoami]\n  condition: s\n", "f.yml:3",
       "no search identifier"},
      {"title: f\nlogsource: {product: windows}\nfilter:\n  rules: [whoami]\n  s: {User|nosuch: x}\n  condition: s\n",
       "f.yml:5", "unknown modifier"},
      {"title: f\nlogsource: {product: windows}\nfilter:\n  rules: [whoami]\n  s: {User: x}\n  condition: s and t\n",
       "f.yml:6", "unknown search identifier 't'"},
      {"title: f\nfilter:\n  rules: [whoami]\n  s: {User: x}\n  condition: s\n", "f.yml:1", "missing 'logsource'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto set = DetectionSet::fromTexts({{"rules.yml", kRules}, {"f.yml", c.text}}, windowsPipeline());
    ASSERT_EQ(set->refusals().size(), 1u);
    EXPECT_EQ(set->refusals()[0].where, c.where) << set->refusals()[0].reason;
    EXPECT_NE(set->refusals()[0].reason.find(c.reason), std::string::npos) << set->refusals()[0].reason;
    EXPECT_EQ(set->filterCount(), 0u);
  }
}

TEST(SigmaFilter, FilterNamingACorrelationIsRefused) {
  const std::string text = std::string(R"(title: c
name: corr
correlation:
  type: event_count
  rules: [failed_logon]
  timespan: 5m
  condition: {gte: 2}
---
title: f
logsource: {product: windows}
filter:
  rules: [corr]
  s: {User: x}
  condition: s
)");
  auto set = DetectionSet::fromTexts({{"rules.yml", kRules}, {"f.yml", text}}, windowsPipeline());
  ASSERT_EQ(set->refusals().size(), 1u);
  EXPECT_EQ(set->refusals()[0].where, "f.yml:12");
  EXPECT_NE(set->refusals()[0].reason.find("is a correlation"), std::string::npos);
}

}  // namespace
}  // namespace vigil::detect::sigma
