// STIX 2.1 and MISP export of observables, checked field by field against the specifications
// (OASIS STIX 2.1: 2.9 deterministic SCO ids, 4 SCOs, 4.7 indicator, 4.14 observed-data, 7.2.1.4
// TLP; 9 patterning) and the MISP core format.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "evidence/sharing.h"

namespace vigil::evidence {
namespace {

namespace json = boost::json;

TimeMs t(const char* s) { return parseRfc3339(s).value(); }

SharingContext context(std::optional<Tlp> tlp = Tlp::kAmber) {
  return {"vigil:incident:42", "Tấn công thay đổi giao diện cổng Sở Y tế", "Sở Thông tin và Truyền thông tỉnh",
          t("2026-03-06T11:00:00Z"), tlp};
}

std::vector<Observable> everyKind() {
  const TimeMs seen = t("2026-03-06T10:15:30Z");
  return {
      {ObservableKind::kIpv4, "203.0.113.5", seen, 0, "máy chủ điều khiển", true},
      {ObservableKind::kIpv6, "2001:db8::1", seen, 0, "", false},
      {ObservableKind::kDomain, "Evil.Example.COM", seen, 0, "", true},
      {ObservableKind::kUrl, "http://evil.example.com/a'b", seen, 0, "", true},
      {ObservableKind::kMd5, "D41D8CD98F00B204E9800998ECF8427E", seen, 0, "", true},
      {ObservableKind::kSha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", seen, 0, "", true},
      {ObservableKind::kSha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", seen, 0, "", true},
      {ObservableKind::kEmail, "attacker@evil.example.com", seen, 0, "", true},
      {ObservableKind::kFilename, "shell.php", seen, 0, "", true},
  };
}

TEST(Sharing, UuidV5MatchesRfc4122) {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com")
  EXPECT_EQ(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

TEST(Sharing, PatternsFollowStixPatterning) {
  const std::map<ObservableKind, std::string> expected = {
      {ObservableKind::kIpv4, "[ipv4-addr:value = '203.0.113.5']"},
      {ObservableKind::kIpv6, "[ipv6-addr:value = '2001:db8::1']"},
      {ObservableKind::kDomain, "[domain-name:value = 'Evil.Example.COM']"},
      {ObservableKind::kUrl, "[url:value = 'http://evil.example.com/a\\'b']"},
      {ObservableKind::kMd5, "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']"},
      {ObservableKind::kSha1, "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"},
      {ObservableKind::kSha256,
       "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"},
      {ObservableKind::kEmail, "[email-addr:value = 'attacker@evil.example.com']"},
      {ObservableKind::kFilename, "[file:name = 'shell.php']"},
  };
  for (const auto& o : everyKind()) EXPECT_EQ(stixPattern(o), expected.at(o.kind));
}

TEST(Sharing, StixBundleStructure) {
  auto text = stixBundle(context(), everyKind());
  ASSERT_TRUE(text.ok()) << text.error().message;
  const json::object bundle = json::parse(*text).as_object();
  EXPECT_EQ(bundle.at("type"), "bundle");
  EXPECT_EQ(std::string(bundle.at("id").as_string()).rfind("bundle--", 0), 0u);
  EXPECT_FALSE(bundle.contains("spec_version"));  // 2.1 bundles carry none
  const json::array& objects = bundle.at("objects").as_array();
  ASSERT_EQ(objects.size(), 2u + 3u * everyKind().size());  // identity, TLP, then SCO + observed + indicator

  const json::object& identity = objects[0].as_object();
  EXPECT_EQ(identity.at("type"), "identity");
  EXPECT_EQ(identity.at("identity_class"), "organization");
  EXPECT_EQ(identity.at("name"), "Sở Thông tin và Truyền thông tỉnh");
  const json::object& tlp = objects[1].as_object();
  EXPECT_EQ(tlp.at("id"), "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82");
  EXPECT_EQ(tlp.at("definition_type"), "tlp");
  EXPECT_EQ(tlp.at("name"), "TLP:AMBER");
  EXPECT_EQ(tlp.at("definition").at("tlp"), "amber");
  EXPECT_EQ(tlp.at("created"), "2017-01-20T00:00:00.000Z");

  std::map<std::string, const json::object*> byId;
  for (const auto& v : objects) byId[std::string(v.at("id").as_string())] = &v.as_object();
  const char* scoTypes[] = {"ipv4-addr", "ipv6-addr", "domain-name", "url", "file",
                            "file",      "file",      "email-addr",  "file"};
  for (size_t i = 0; i < everyKind().size(); ++i) {
    SCOPED_TRACE(i);
    const json::object& sco = objects[2 + 3 * i].as_object();
    const json::object& observed = objects[3 + 3 * i].as_object();
    const json::object& indicator = objects[4 + 3 * i].as_object();
    for (const auto* o : {&sco, &observed, &indicator}) {
      EXPECT_EQ(o->at("spec_version"), "2.1");
      EXPECT_EQ(o->at("object_marking_refs").as_array().at(0), tlp.at("id"));
      const std::string id(o->at("id").as_string());
      const std::string type(o->at("type").as_string());
      ASSERT_EQ(id.rfind(type + "--", 0), 0u) << id;
      EXPECT_EQ(id[type.size() + 2 + 14], '5') << "a version 5 UUID: " << id;
    }
    EXPECT_EQ(sco.at("type"), scoTypes[i]);
    EXPECT_EQ(observed.at("type"), "observed-data");
    EXPECT_EQ(observed.at("first_observed"), "2026-03-06T10:15:30.000Z");
    EXPECT_EQ(observed.at("last_observed"), "2026-03-06T10:15:30.000Z");
    EXPECT_EQ(observed.at("number_observed"), 1);
    EXPECT_EQ(observed.at("object_refs").as_array().at(0), sco.at("id"));
    EXPECT_EQ(observed.at("created_by_ref"), identity.at("id"));
    EXPECT_EQ(indicator.at("type"), "indicator");
    EXPECT_EQ(indicator.at("pattern_type"), "stix");
    EXPECT_EQ(indicator.at("pattern_version"), "2.1");
    EXPECT_EQ(indicator.at("valid_from"), "2026-03-06T10:15:30.000Z");
    EXPECT_EQ(indicator.at("created"), "2026-03-06T11:00:00.000Z");
    EXPECT_EQ(indicator.at("modified"), "2026-03-06T11:00:00.000Z");
    EXPECT_EQ(indicator.at("indicator_types").as_array().at(0), "malicious-activity");
    EXPECT_EQ(indicator.at("created_by_ref"), identity.at("id"));
  }
  // Values as shared: the domain and hashes in lower case; SCO properties per type.
  EXPECT_EQ(objects[2].at("value"), "203.0.113.5");
  EXPECT_EQ(objects[8].at("value"), "evil.example.com");
  EXPECT_EQ(objects[14].at("hashes").at("MD5"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(objects[17].at("hashes").at("SHA-1"), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(objects[26].at("name"), "shell.php");
  EXPECT_EQ(objects[4].at("description"), "máy chủ điều khiển");
  // The SCO id is the one STIX 2.1 section 2.9 prescribes: UUIDv5 in the SCO namespace of the
  // canonical JSON of its id-contributing properties.
  EXPECT_EQ(objects[2].at("id"),
            json::value("ipv4-addr--" + uuidV5("00abedb4-aa42-466c-9c01-fed23315a9b7", "{\"value\":\"203.0.113.5\"}")));
}

TEST(Sharing, ScoIdMatchesTheSpecificationsExample) {
  // STIX 2.1 section 2.9 gives domain-name "example.com" the id below.
  auto text = stixBundle(context(std::nullopt), {{ObservableKind::kDomain, "example.com", 0, 0, "", true}});
  ASSERT_TRUE(text.ok()) << text.error().message;
  const json::value bundle = json::parse(*text);
  const json::array& objects = bundle.at("objects").as_array();
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(objects[1].at("type"), "domain-name");
  EXPECT_EQ(objects[1].at("id"), "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
}

TEST(Sharing, StixIsDeterministicAndTlpIsOptional) {
  EXPECT_EQ(stixBundle(context(), everyKind()).value(), stixBundle(context(), everyKind()).value());
  auto plain = stixBundle(context(std::nullopt), everyKind());
  ASSERT_TRUE(plain.ok());
  const json::value parsed = json::parse(*plain);
  const json::array& objects = parsed.at("objects").as_array();
  EXPECT_EQ(objects.size(), 1u + 3u * everyKind().size());
  for (const auto& o : objects) EXPECT_FALSE(o.as_object().contains("object_marking_refs"));
}

TEST(Sharing, MispEventStructure) {
  auto text = mispEvent(context(Tlp::kGreen), everyKind());
  ASSERT_TRUE(text.ok()) << text.error().message;
  const json::value parsed = json::parse(*text);
  const json::object& event = parsed.at("Event").as_object();
  EXPECT_EQ(event.at("info"), "Tấn công thay đổi giao diện cổng Sở Y tế");
  EXPECT_EQ(event.at("date"), "2026-03-06");
  EXPECT_EQ(event.at("timestamp"), json::value(std::to_string(t("2026-03-06T11:00:00Z") / 1000)));
  EXPECT_EQ(event.at("published"), false);
  EXPECT_EQ(event.at("distribution"), "2");
  EXPECT_EQ(event.at("Orgc").at("name"), "Sở Thông tin và Truyền thông tỉnh");
  EXPECT_EQ(event.at("Tag").as_array().at(0).at("name"), "tlp:green");
  struct Expect {
    const char* type;
    const char* category;
    bool toIds;
  };
  const Expect expected[] = {
      {"ip-dst", "Network activity", true},    {"ip-src", "Network activity", true},
      {"domain", "Network activity", true},    {"url", "Network activity", true},
      {"md5", "Payload delivery", true},       {"sha1", "Payload delivery", true},
      {"sha256", "Payload delivery", true},    {"email-src", "Payload delivery", true},
      {"filename", "Payload delivery", false},
  };
  const json::array& attrs = event.at("Attribute").as_array();
  ASSERT_EQ(attrs.size(), std::size(expected));
  for (size_t i = 0; i < attrs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(attrs[i].at("type"), expected[i].type);
    EXPECT_EQ(attrs[i].at("category"), expected[i].category);
    EXPECT_EQ(attrs[i].at("to_ids"), expected[i].toIds);
    EXPECT_EQ(attrs[i].at("distribution"), "5");
    EXPECT_EQ(attrs[i].at("uuid").as_string().size(), 36u);
  }
  EXPECT_EQ(attrs[4].at("value"), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(Sharing, BadObservablesAreRefusedNamingTheIndex) {
  const std::vector<std::pair<ObservableKind, std::string>> bad = {
      {ObservableKind::kIpv4, "999.1.1.1"},          {ObservableKind::kIpv4, "10.0.0.1/24"},
      {ObservableKind::kIpv6, "2001:db8:::1"},       {ObservableKind::kDomain, "no_dot"},
      {ObservableKind::kDomain, "a..b.com"},         {ObservableKind::kUrl, "javascript:alert(1)"},
      {ObservableKind::kUrl, "http://a b.com"},      {ObservableKind::kMd5, "abc"},
      {ObservableKind::kSha1, std::string(40, 'g')}, {ObservableKind::kSha256, std::string(63, 'a')},
      {ObservableKind::kEmail, "no-at.example.com"}, {ObservableKind::kEmail, "a@b@c.com"},
      {ObservableKind::kFilename, "dir/file.exe"},   {ObservableKind::kFilename, ""},
  };
  for (const auto& [kind, value] : bad) {
    SCOPED_TRACE(value);
    std::vector<Observable> list = everyKind();
    list.push_back({kind, value, 0, 0, "", true});
    auto s = stixBundle(context(), list);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "observables[9]") << s.error().message;
    EXPECT_FALSE(mispEvent(context(), list).ok());
  }
  EXPECT_EQ(stixBundle(context(), {}).error().field, "observables");
  EXPECT_EQ(parseObservableKind("ip", "2001:db8::1").value(), ObservableKind::kIpv6);
  EXPECT_EQ(parseObservableKind("ip", "192.0.2.1").value(), ObservableKind::kIpv4);
  EXPECT_FALSE(parseObservableKind("registry-key", "x").ok());
  EXPECT_EQ(parseTlp("TLP:CLEAR"), Tlp::kWhite);
  EXPECT_EQ(parseTlp("red"), Tlp::kRed);
  EXPECT_FALSE(parseTlp("purple").has_value());
}

}  // namespace
}  // namespace vigil::evidence
