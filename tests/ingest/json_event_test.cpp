// normalize::jsonToEvent: one JSON document to an Event (mapping and limits in json_event.h).
#include "normalize/json_event.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::normalize {
namespace {

struct Expected {
  const char* name;
  ValueType type;
  std::string text;    // for kString / kIp / kInt
  int64_t number = 0;  // for kInt / kTime
};

struct Case {
  const char* label;
  std::string document;
  std::vector<Expected> fields;  // every field, in order
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

class JsonEventMapping : public ::testing::TestWithParam<Case> {};

TEST_P(JsonEventMapping, FieldsAreAsDocumented) {
  const Case& c = GetParam();
  Event e;
  Status s = jsonToEvent(c.document, e);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(e.raw(), c.document);
  std::string got;
  for (size_t i = 0; i < e.size(); ++i) got += std::string(e.nameAt(i)) + "=" + std::string(e.valueAt(i).text) + "; ";
  ASSERT_EQ(e.size(), c.fields.size()) << got;
  for (size_t i = 0; i < c.fields.size(); ++i) {
    const Expected& x = c.fields[i];
    EXPECT_EQ(e.nameAt(i), x.name) << got;
    const Value v = e.valueAt(i);
    EXPECT_EQ(v.type, x.type) << x.name;
    if (x.type != ValueType::kTime) {
      EXPECT_EQ(v.text, x.text) << x.name;
    }
    if (x.type == ValueType::kInt || x.type == ValueType::kTime) {
      EXPECT_EQ(v.number, x.number) << x.name;
    }
  }
}

using T = ValueType;
INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEventMapping,
    ::testing::Values(
        Case{"NestedObjectsAreFlattened",
             R"({"winlog":{"event_data":{"TargetUserName":"an","LogonType":3}},"event.code":"4624"})",
             {{"winlog.event_data.TargetUserName", T::kString, "an"},
              {"winlog.event_data.LogonType", T::kInt, "3", 3},
              {"event.code", T::kString, "4624"}}},
        Case{
            "IpFieldsAreTypedOnlyWhenValid",
            R"({"source":{"ip":"10.1.2.3"},"destination.ip":"2001:db8::7","client":{"ip":"not-an-ip"},"note":"10.0.0.1"})",
            {{"source.ip", T::kIp, "10.1.2.3"},
             {"destination.ip", T::kIp, "2001:db8::7"},
             {"client.ip", T::kString, "not-an-ip"},
             {"note", T::kString, "10.0.0.1"}}},
        Case{"NumbersBooleansAndNull",
             R"({"a":-5,"b":1.5,"c":true,"d":null,"e":18446744073709551615,"f":[0.25,false]})",
             {{"a", T::kInt, "-5", -5},
              {"b", T::kString, "1.5"},
              {"c", T::kString, "true"},
              {"e", T::kString, "18446744073709551615"},
              {"f", T::kString, "0.25, false"}}},
        Case{"ArraysOfScalarsAreJoinedObjectsIndexed",
             R"({"tags":["a","b",3],"empty":[],"items":[{"n":1},{"n":2}]})",
             {{"tags", T::kString, "a, b, 3"}, {"items.0.n", T::kInt, "1", 1}, {"items.1.n", T::kInt, "2", 2}}},
        Case{"TimestampRfc3339WithMicroseconds",
             R"({"@timestamp":"2026-11-24T10:00:00.123456+07:00"})",
             {{"@timestamp", T::kTime, "", 1795489200123456}}},
        Case{"TimestampEpochMilliseconds",
             R"({"@timestamp":1795489200123})",
             {{"@timestamp", T::kTime, "", 1795489200123000}}},
        Case{"SyslogNgRfc5424Shape",
             R"({"PROGRAM":"sshd","PRIORITY":"info","PID":"42","MESSAGE":"hi","HOST":"h1","FACILITY":"auth"})",
             {{"PROGRAM", T::kString, "sshd"},
              {"PRIORITY", T::kString, "info"},
              {"PID", T::kString, "42"},
              {"MESSAGE", T::kString, "hi"},
              {"HOST", T::kString, "h1"},
              {"FACILITY", T::kString, "auth"},
              {"message", T::kString, "hi"},
              {"host.name", T::kString, "h1"},
              {"process.name", T::kString, "sshd"},
              {"process.pid", T::kInt, "42", 42},
              {"log.level", T::kString, "info"},
              {"log.syslog.facility.name", T::kString, "auth"}}},
        Case{"BeatsHostHostnameGivesHostName",
             R"({"message":"m","host":{"hostname":"web-01"},"log":{"file":{"path":"/var/log/auth.log"}}})",
             {{"message", T::kString, "m"},
              {"host.hostname", T::kString, "web-01"},
              {"log.file.path", T::kString, "/var/log/auth.log"},
              {"host.name", T::kString, "web-01"}}},
        Case{"BeatsHostNameIsKept",
             R"({"host":{"name":"a","hostname":"b"}})",
             {{"host.name", T::kString, "a"}, {"host.hostname", T::kString, "b"}}},
        Case{"VietnameseText", R"({"message":"Đăng nhập thất bại"})", {{"message", T::kString, "Đăng nhập thất bại"}}}),
    [](const auto& info) { return std::string(info.param.label); });

struct Refusal {
  const char* label;
  std::string document;
  const char* reason;  // in the error message
};
void PrintTo(const Refusal& c, std::ostream* os) { *os << c.label; }

class JsonEventRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(JsonEventRefusal, RefusedWithAClearReason) {
  const Refusal& c = GetParam();
  Event e;
  Status s = jsonToEvent(c.document, e);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kValidation);
  EXPECT_NE(s.error().message.find(c.reason), std::string::npos) << s.error().message;
}

std::string deep(int n, const char* open, const char* close) {
  std::string s = "{\"a\":";
  for (int i = 0; i < n; ++i) s += open;
  s += "1";
  for (int i = 0; i < n; ++i) s += close;
  return s + "}";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEventRefusal,
    ::testing::Values(Refusal{"DeepObjects", deep(40, "{\"b\":", "}"), "deeper than 32"},
                      Refusal{"DeepArrays", deep(100000, "[", "]"), "deeper than 32"},
                      Refusal{"InvalidUtf8", "{\"m\":\"\xff\xfe\"}", "UTF-8"},
                      Refusal{"OverlongUtf8", "{\"m\":\"\xc0\xaf\"}", "UTF-8"},
                      Refusal{"TooLarge", "{\"m\":\"" + std::string(2 << 20, 'a') + "\"}", "larger than"},
                      Refusal{"NotAnObject", "[1]", "JSON object"}, Refusal{"TwoDocuments", "{} {}", "not valid JSON"},
                      Refusal{"BadTimestamp", R"({"@timestamp":"24/11/2026"})", "@timestamp"},
                      Refusal{"BoolTimestamp", R"({"@timestamp":true})", "@timestamp"},
                      Refusal{"EmptyKey", R"({"a":{"":1}})", "empty"}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(JsonEventLimits, FieldCountIsBounded) {
  std::string doc = "{";
  for (int i = 0; i < 1001; ++i) doc += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
  doc += "}";
  Event e;
  Status s = jsonToEvent(doc, e);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("more than 1000 fields"), std::string::npos);
  doc = "{\"f\":1}";
  EXPECT_TRUE(jsonToEvent(doc, e, JsonEventLimits{.maxFields = 1}).ok());
}

}  // namespace
}  // namespace vigil::normalize
