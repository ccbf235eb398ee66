// Logsource selection and field mapping through the pipeline of catalogs/sigma/pipelines/:
// Sysmon and Security events, events in ECS shape, events without logsource information.
#include <gtest/gtest.h>

#include "sigma_support.h"

namespace vigil::detect::sigma {
namespace {

using testing::makeEvent;
using testing::windowsPipeline;

CompiledRule compile(const std::string& logsource, const std::string& detection) {
  auto r = parseRule("title: t\nlogsource: " + logsource + "\ndetection:\n" + detection, "t.yml");
  EXPECT_TRUE(r) << r.error().message;
  auto c = CompiledRule::compile(*r, windowsPipeline(), {});
  EXPECT_TRUE(c) << c.error().message;
  return std::move(*c);
}

const char* kImageRule = "  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n";

normalize::Event sysmon(const std::string& id, const std::string& image) {
  return makeEvent({{"winlog.channel", "Microsoft-Windows-Sysmon/Operational"},
                    {"winlog.provider_name", "Microsoft-Windows-Sysmon"},
                    {"winlog.event_id", id},
                    {"winlog.event_data.Image", image}});
}

TEST(SigmaLogsource, SelectsEventsByProductCategoryAndService) {
  const CompiledRule procCreation = compile("{product: windows, category: process_creation}", kImageRule);
  EXPECT_TRUE(procCreation.matches(sysmon("1", "C:\\Windows\\whoami.exe")));
  EXPECT_FALSE(procCreation.matches(sysmon("11", "C:\\Windows\\whoami.exe")));  // a file event
  EXPECT_FALSE(procCreation.matches(sysmon("1", "C:\\Windows\\cmd.exe")));
  // Security 4688 names the image NewProcessName; the pipeline maps Image to it.
  EXPECT_TRUE(procCreation.matches(makeEvent({{"winlog.channel", "Security"},
                                              {"winlog.event_id", "4688"},
                                              {"winlog.event_data.NewProcessName", "C:\\Windows\\whoami.exe"}})));
  // An event in ECS shape (the Windows mapping applied, no EventData name).
  EXPECT_TRUE(procCreation.matches(makeEvent({{"winlog.channel", "Security"},
                                              {"winlog.event_id", "4688"},
                                              {"process.executable", "C:\\Windows\\whoami.exe"}})));

  const CompiledRule security = compile("{product: windows, service: security}", kImageRule);
  EXPECT_FALSE(security.matches(sysmon("1", "C:\\Windows\\whoami.exe")));
  const CompiledRule linux = compile("{product: linux, category: process_creation}", kImageRule);
  EXPECT_FALSE(linux.matches(sysmon("1", "C:\\Windows\\whoami.exe")));
  // Without a product: only when the pipeline knows the category for the event's product.
  const CompiledRule noProduct = compile("{category: process_creation}", kImageRule);
  EXPECT_TRUE(noProduct.matches(sysmon("1", "C:\\Windows\\whoami.exe")));
  EXPECT_FALSE(noProduct.matches(sysmon("11", "C:\\Windows\\whoami.exe")));
  const CompiledRule database = compile("{category: database}", "  keywords: ['dump']\n  condition: keywords\n");
  EXPECT_FALSE(database.matches(sysmon("1", "C:\\procdump.exe")));      // not a Windows logsource
  EXPECT_TRUE(database.matches(makeEvent({{"query", "dump table"}})));  // no logsource information
  // A category the pipeline does not list does not restrict a rule of the event's product.
  const CompiledRule unknownCategory = compile("{product: windows, category: something_new}", kImageRule);
  EXPECT_TRUE(unknownCategory.matches(sysmon("1", "C:\\Windows\\whoami.exe")));
}

TEST(SigmaLogsource, EventsWithoutLogsourceAreMatchedByEveryRule) {
  // A JSON-lines event with Sigma's own field names and no winlog.channel.
  const auto plain = makeEvent({{"Image", "C:\\Windows\\whoami.exe"}});
  EXPECT_TRUE(compile("{product: windows, category: process_creation}", kImageRule).matches(plain));
  EXPECT_TRUE(compile("{product: linux, category: process_creation}", kImageRule).matches(plain));
  EXPECT_TRUE(compile("{product: some_unknown_product}", kImageRule).matches(plain));
  EXPECT_FALSE(compile("{product: windows}", kImageRule).matches(makeEvent({{"Image", "C:\\cmd.exe"}})));
}

TEST(SigmaLogsource, SystemFieldsAndSpacedNames) {
  const CompiledRule r =
      compile("{product: windows, service: windefend}",
              "  sel:\n    EventID: 1119\n    Channel: 'Microsoft-Windows-Windows Defender/Operational'\n"
              "    ThreatName|endswith: 'EICAR_Test_File'\n  condition: sel\n");
  EXPECT_TRUE(r.matches(makeEvent({{"winlog.channel", "Microsoft-Windows-Windows Defender/Operational"},
                                   {"winlog.event_id", "1119"},
                                   {"winlog.event_data.Threat Name", "Virus:DOS/EICAR_Test_File"}})));
  EXPECT_FALSE(r.matches(makeEvent({{"winlog.channel", "Microsoft-Windows-Windows Defender/Operational"},
                                    {"winlog.event_id", "1116"},
                                    {"winlog.event_data.Threat Name", "Virus:DOS/EICAR_Test_File"}})));
}

TEST(SigmaLogsource, PipelineRefusesBadData) {
  const struct {
    const char* toml;
    const char* reason;
  } cases[] = {
      {"[[product]]\npresent = ['a']\n", "needs a name"},
      {"[[product]]\nname = 'w'\n", "needs 'present' fields"},
      {"[fields]\nA = 3.5\n", "must be a string or a list"},
      {"[[logsource]]\nproduct = 'w'\nany = [{a = '1'}]\n", "exactly one of category and service"},
      {"[[logsource]]\ncategory = 'c'\nany = []\n", "non-empty 'any'"},
      {"[fields\n", ""},
  };
  for (const auto& c : cases) {
    Pipeline p;
    auto s = p.add(c.toml, "p.toml");
    ASSERT_FALSE(s) << c.toml;
    EXPECT_EQ(s.error().message.rfind("p.toml:", 0), 0u) << s.error().message;
    EXPECT_NE(s.error().message.find(c.reason), std::string::npos) << s.error().message;
  }
  Pipeline p;
  ASSERT_TRUE(p.add("[fields]\nA = 'x'\n", "one.toml"));
  auto twice = p.add("[fields]\nA = 'y'\n", "two.toml");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("mapped twice"), std::string::npos);
}

TEST(SigmaLogsource, LiteralsForAPrefilter) {
  const CompiledRule r = compile("{product: windows, category: process_creation}",
                                 "  sel:\n    Image|endswith: '\\Whoami.exe'\n    CommandLine|re: 'x+'\n"
                                 "    User|contains: ['adm', 'ro*ot']\n  condition: sel\n");
  const auto lits = r.literalsByField();
  ASSERT_EQ(lits.size(), 2u);  // the regex gives no literal
  EXPECT_EQ(lits[0].field.front(), "winlog.event_data.Image");
  EXPECT_EQ(lits[0].literals, std::vector<std::string>{"\\whoami.exe"});
  EXPECT_EQ(lits[1].literals, (std::vector<std::string>{"adm", "ro"}));
}

}  // namespace
}  // namespace vigil::detect::sigma
