// HTTP log ingest (src/api/routes_ingest.cpp): NDJSON and the Elasticsearch-compatible /es
// endpoint, against an in-process server whose collector knows two declared sources with ingest
// tokens (agency 1 and agency `otherOrg_`). Events are checked in the event store afterwards.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "api_test_util.h"
#include "core/crypto.h"

namespace vigil::test {
namespace {

constexpr const char* kToken = "vgs_ingest-test-token-of-source-7";
constexpr const char* kOtherToken = "vgs_ingest-test-token-of-source-8";

std::string base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    for (int s : {18, 12, 6}) out += kAlphabet[(n >> s) & 63];
    out += "=";
  }
  return out;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

class IngestApi : public ::testing::Test {
 protected:
  void SetUp() override {
    otherOrg_ = srv_.createOrg(srv_.admin(), 1, "Sở Công Thương");
    srv_.collector().setSources({
        collect::SourceRule{.id = 7, .orgId = 1, .name = "máy chủ web", .tokenSha256 = crypto::sha256Hex(kToken)},
        collect::SourceRule{
            .id = 8, .orgId = otherOrg_, .name = "tường lửa", .tokenSha256 = crypto::sha256Hex(kOtherToken)},
    });
  }

  HttpResult post(const std::string& target, const std::string& body, const Headers& headers) {
    return srv_.client().request("POST", target, body, headers);
  }
  static Headers bearer(const std::string& token = kToken) { return {{"Authorization", "Bearer " + token}}; }

  // Every stored event of `orgId`, oldest first.
  std::vector<eventstore::StoredEvent> eventsOf(int64_t orgId) {
    eventstore::SearchRequest q;
    q.scope.orgIds = {orgId};
    q.newestFirst = false;
    q.limit = 10000;
    auto r = srv_.events().search(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value().events : std::vector<eventstore::StoredEvent>{};
  }

  TestServer srv_;
  int64_t otherOrg_ = 0;
};

TEST_F(IngestApi, NdjsonAcceptsGoodLinesAndReportsBadOnesByLine) {
  const std::string body =
      R"({"@timestamp":"2026-11-24T03:00:00.123456Z","message":"login ok","source":{"ip":"10.0.0.5","port":51000},"user":{"name":"an"}})"
      "\n"
      R"({"message":"second","host":{"hostname":"web-01"},"tags":["a","b"]})"
      "\r\n"
      "not json\n"
      "\n"
      "[1,2,3]\n"
      R"({"@timestamp":"yesterday"})"
      "\n";
  auto r = post("/api/v1/ingest/ndjson", body, bearer());
  ASSERT_EQ(r.status, 200) << describe(r);
  const auto v = parseJson(r.body);
  EXPECT_EQ(intOf(member(v, "accepted")), 2);
  EXPECT_EQ(intOf(member(v, "rejected")), 3);
  const auto& errors = v.at("errors").as_array();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(intOf(member(errors[0], "line")), 3);
  EXPECT_EQ(intOf(member(errors[1], "line")), 5);
  EXPECT_NE(str(errors[1].at("message")).find("object"), std::string::npos) << errors[1];
  EXPECT_EQ(intOf(member(errors[2], "line")), 6);
  EXPECT_NE(str(errors[2].at("message")).find("@timestamp"), std::string::npos) << errors[2];

  // Durable and searchable at once, in the source's agency only.
  const auto stored = eventsOf(1);
  ASSERT_EQ(stored.size(), 2u);
  const bool firstIsLogin = stored[0].raw.find("login ok") != std::string::npos;
  const auto& first = firstIsLogin ? stored[0] : stored[1];
  EXPECT_EQ(first.sourceId, 7);
  EXPECT_EQ(first.timeUs, 1795489200123456);  // 2026-11-24T03:00:00.123456Z
  EXPECT_NE(first.raw.find("login ok"), std::string::npos);
  ASSERT_NE(first.field("source.ip"), nullptr);
  EXPECT_EQ(first.field("source.ip")->type, normalize::ValueType::kIp);
  ASSERT_NE(first.field("source.port"), nullptr);
  EXPECT_EQ(first.field("source.port")->number, 51000);
  const auto& second = firstIsLogin ? stored[1] : stored[0];
  ASSERT_NE(second.field("host.name"), nullptr);
  EXPECT_EQ(second.field("host.name")->text, "web-01");
  EXPECT_TRUE(eventsOf(otherOrg_).empty());
}

TEST_F(IngestApi, MissingOrWrongTokenIsRefusedAndNothingStored) {
  const std::string body = "{\"message\":\"x\"}\n";
  EXPECT_TRUE(isError(post("/api/v1/ingest/ndjson", body, {}), 401, "unauthenticated"));
  EXPECT_TRUE(isError(post("/api/v1/ingest/ndjson", body, bearer("vgs_wrong")), 401, "unauthenticated"));
  // A user's session or API token is not a source token.
  EXPECT_TRUE(isError(post("/api/v1/ingest/ndjson", body, srv_.admin().headers()), 401, "unauthenticated"));
  EXPECT_TRUE(isError(post("/es/_bulk", "{\"index\":{}}\n" + body, {{"Authorization", "Basic " + base64("x:bad")}}),
                      401, "unauthenticated"));
  EXPECT_TRUE(isError(srv_.client().request("GET", "/es/"), 401, "unauthenticated"));
  EXPECT_TRUE(isError(post("/es/_bulk", "{\"index\":{}}\n" + body, {{"Authorization", "ApiKey %%%not-base64"}}), 401,
                      "unauthenticated"));
  // The token as a Basic user name (no password) is not accepted either.
  EXPECT_TRUE(isError(
      post("/es/_bulk", "{\"index\":{}}\n" + body, {{"Authorization", "Basic " + base64(std::string(kToken) + ":")}}),
      401, "unauthenticated"));
  // A disabled source's token no longer works.
  srv_.collector().setSources({collect::SourceRule{
      .id = 7, .orgId = 1, .name = "máy chủ web", .tokenSha256 = crypto::sha256Hex(kToken), .enabled = false}});
  EXPECT_TRUE(isError(post("/api/v1/ingest/ndjson", body, bearer()), 401, "unauthenticated"));
  EXPECT_TRUE(eventsOf(1).empty());
}

TEST_F(IngestApi, TokenSelectsTheAgency) {
  auto r = post("/api/v1/ingest/ndjson", "{\"message\":\"of the other agency\"}", bearer(kOtherToken));
  ASSERT_EQ(r.status, 200) << describe(r);
  ASSERT_EQ(eventsOf(otherOrg_).size(), 1u);
  EXPECT_EQ(eventsOf(otherOrg_)[0].sourceId, 8);
  EXPECT_TRUE(eventsOf(1).empty());
}

// The whole path through the API: a source declared with POST /api/v1/sources gets a token that
// ingests into its agency at once; a new token replaces the old one.
TEST_F(IngestApi, TokenOfASourceDeclaredOverTheApi) {
  auto created = srv_.call(srv_.admin(), "POST", "/api/v1/sources",
                           "{\"org_id\":" + std::to_string(otherOrg_) + ",\"name\":\"Filebeat\",\"with_token\":true}");
  ASSERT_EQ(created.status, 201) << describe(created);
  const std::string token = str(parseJson(created.body).at("token"));
  const int64_t sourceId = intOf(member(parseJson(created.body), "id"));
  ASSERT_EQ(token.rfind("vgs_", 0), 0u) << created.body;
  auto r = post("/es/_bulk", "{\"create\":{}}\n{\"message\":\"via the sources API\"}\n",
                {{"Authorization", "Basic " + base64("filebeat:" + token)}});
  ASSERT_EQ(r.status, 200) << describe(r);
  const auto stored = eventsOf(otherOrg_);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].sourceId, sourceId);

  auto rotated = srv_.call(srv_.admin(), "POST", "/api/v1/sources/" + std::to_string(sourceId) + "/token");
  ASSERT_EQ(rotated.status, 200) << describe(rotated);
  EXPECT_TRUE(
      isError(post("/api/v1/ingest/ndjson", "{\"message\":\"old token\"}", bearer(token)), 401, "unauthenticated"));
  auto again =
      post("/api/v1/ingest/ndjson", "{\"message\":\"new token\"}", bearer(str(parseJson(rotated.body).at("token"))));
  EXPECT_EQ(again.status, 200) << describe(again);
  EXPECT_EQ(eventsOf(otherOrg_).size(), 2u);
}

struct BadLine {
  const char* name;
  std::string line;
  const char* expected;  // in the message
};

class IngestBadLines : public IngestApi, public ::testing::WithParamInterface<BadLine> {};

TEST_P(IngestBadLines, RefusedWithAClearReason) {
  const auto& c = GetParam();
  auto r = post("/api/v1/ingest/ndjson", c.line + "\n{\"message\":\"good\"}\n", bearer());
  ASSERT_EQ(r.status, 200) << describe(r);
  const auto v = parseJson(r.body);
  EXPECT_EQ(intOf(member(v, "accepted")), 1);
  ASSERT_EQ(v.at("errors").as_array().size(), 1u) << r.body.substr(0, 300);
  const auto& e = v.at("errors").as_array()[0];
  EXPECT_EQ(intOf(member(e, "line")), 1);
  EXPECT_NE(str(e.at("message")).find(c.expected), std::string::npos) << str(e.at("message"));
  EXPECT_EQ(eventsOf(1).size(), 1u);
}

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}
std::string manyFields(int n) {
  std::string s = "{";
  for (int i = 0; i < n; ++i) s += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
  return s + "}";
}

INSTANTIATE_TEST_SUITE_P(Cases, IngestBadLines,
                         ::testing::Values(BadLine{"JsonBombDepth", nested(1000), "deeper than 32"},
                                           BadLine{"TooManyFields", manyFields(5000), "more than 1000 fields"},
                                           BadLine{"InvalidUtf8", "{\"message\":\"caf\xc3\x28\"}", "UTF-8"},
                                           BadLine{"OverOneMiB", "{\"message\":\"" + std::string(1 << 20, 'x') + "\"}",
                                                   "larger than"},
                                           BadLine{"Truncated", "{\"message\":\"x\"", "not valid JSON"},
                                           BadLine{"Scalar", "42", "object"}, BadLine{"EmptyKey", "{\"\":1}", "empty"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(IngestApi, ALineOfAlmostOneMegabyteIsAccepted) {
  const std::string line = "{\"message\":\"" + std::string((1 << 20) - 100, 'y') + "\"}";
  auto r = post("/api/v1/ingest/ndjson", line, bearer());
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(intOf(member(parseJson(r.body), "accepted")), 1);
  ASSERT_EQ(eventsOf(1).size(), 1u);
  EXPECT_EQ(eventsOf(1)[0].raw, line);
}

// Bodies beyond the default 1 MiB limit reach the ingest routes (their own 32 MiB limit).
TEST_F(IngestApi, ManyMegabytesInOneRequest) {
  std::string ndjson, bulk;
  const std::string padding(1000, 'z');
  for (int i = 0; i < 3000; ++i) {
    const std::string doc = "{\"message\":\"event " + std::to_string(i) + " " + padding + "\"}\n";
    ndjson += doc;
    bulk += "{\"create\":{}}\n" + doc;
  }
  ASSERT_GT(ndjson.size(), 2u << 20);
  auto r = post("/api/v1/ingest/ndjson", ndjson, bearer());
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(intOf(member(parseJson(r.body), "accepted")), 3000);
  auto b = post("/es/_bulk", bulk, bearer());
  ASSERT_EQ(b.status, 200) << describe(b);
  EXPECT_FALSE(parseJson(b.body).at("errors").as_bool());
  EXPECT_EQ(parseJson(b.body).at("items").as_array().size(), 3000u);
  EXPECT_EQ(eventsOf(1).size(), 6000u);
}

// gzip of `size` bytes: `text` repeated (streamed, so a large bomb needs no large buffer).
std::string gzip(const std::string& text, size_t size) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out;
  char buf[65536];
  size_t fed = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const size_t n = fed < size ? std::min(text.size(), size - fed) : 0;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(n);
    fed += n;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = deflate(&z, fed < size ? Z_NO_FLUSH : Z_FINISH);
      out.append(buf, sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

// Beats and Logstash gzip their bodies by default.
TEST_F(IngestApi, GzipBodiesAreInflatedOthersRefused) {
  const std::string doc = "{\"message\":\"compressed\"}\n";
  Headers h = bearer();
  h.push_back({"Content-Encoding", "gzip"});
  auto r = post("/api/v1/ingest/ndjson", gzip(doc, doc.size() * 3), h);
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(intOf(member(parseJson(r.body), "accepted")), 3);
  auto b = post("/es/_bulk", gzip("{\"create\":{}}\n" + doc, 2 * (doc.size() + 14)), h);
  ASSERT_EQ(b.status, 200) << describe(b);
  EXPECT_EQ(parseJson(b.body).at("items").as_array().size(), 2u);
  EXPECT_EQ(eventsOf(1).size(), 5u);

  EXPECT_TRUE(isError(post("/api/v1/ingest/ndjson", "\x1f\x8bnot really gzip", h), 400, "bad_request"));
  // A compression bomb: 100 MiB of one line in about 100 KB.
  const std::string bomb = gzip(std::string(4096, ' '), 100u << 20);
  ASSERT_LT(bomb.size(), 1u << 20);
  EXPECT_TRUE(isError(post("/api/v1/ingest/ndjson", bomb, h), 413, "payload_too_large"));
  Headers deflate = bearer();
  deflate.push_back({"Content-Encoding", "br"});
  EXPECT_TRUE(isError(post("/api/v1/ingest/ndjson", doc, deflate), 415, "unsupported_media_type"));
  EXPECT_EQ(eventsOf(1).size(), 5u);
}

TEST_F(IngestApi, StorePushBackAnswers503WithRetryAfterAndBulk429) {
  srv_.events().close();  // the store now refuses every batch
  auto r = post("/api/v1/ingest/ndjson", "{\"message\":\"x\"}", bearer());
  EXPECT_TRUE(isError(r, 503, "unavailable"));
  EXPECT_EQ(r.header("retry-after"), "5");
  auto b = post("/es/_bulk", "{\"index\":{}}\n{\"message\":\"x\"}\n", bearer());
  EXPECT_TRUE(isError(b, 429, "too_many_requests"));
  EXPECT_EQ(b.header("retry-after"), "5");
}

TEST_F(IngestApi, BulkAnswersPerItemInElasticsearchFormat) {
  const std::string body =
      "{\"index\":{\"_index\":\"logs-a\"}}\n"
      "{\"@timestamp\":1795489200000,\"message\":\"one\",\"destination\":{\"ip\":\"2001:db8::1\"}}\n"
      "{\"create\":{}}\n"
      "{\"message\":\"two\"\n"
      "{\"delete\":{\"_id\":\"x\"}}\n"
      "{\"create\":{\"_id\":\"c3\"}}\n"
      "{\"message\":\"three\"}\n";
  Headers h{{"Authorization", "ApiKey " + base64(std::string("key-id:") + kToken)},
            {"Content-Type", "application/x-ndjson"}};
  auto r = post("/es/web/_bulk", body, h);
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(r.header("x-elastic-product"), "Elasticsearch");
  const auto v = parseJson(r.body);
  EXPECT_TRUE(v.at("errors").as_bool());
  EXPECT_TRUE(v.at("took").is_int64());
  const auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(str(items[0].at("index").at("_index")), "logs-a");
  EXPECT_EQ(intOf(&items[0].at("index").at("status")), 201);
  EXPECT_EQ(str(items[1].at("create").at("_index")), "web");
  EXPECT_EQ(intOf(&items[1].at("create").at("status")), 400);
  EXPECT_EQ(str(items[1].at("create").at("error").at("type")), "document_parsing_exception");
  EXPECT_NE(str(items[1].at("create").at("error").at("reason")).find("line 4"), std::string::npos);
  EXPECT_EQ(intOf(&items[2].at("delete").at("status")), 400);
  EXPECT_EQ(str(items[3].at("create").at("_id")), "c3");
  EXPECT_EQ(intOf(&items[3].at("create").at("status")), 201);

  const auto stored = eventsOf(1);
  ASSERT_EQ(stored.size(), 2u);
  bool sawOne = false;
  for (const auto& e : stored) {
    if (e.raw.find("\"one\"") == std::string::npos) continue;
    sawOne = true;
    EXPECT_EQ(e.timeUs, 1795489200000000);
    ASSERT_NE(e.field("destination.ip"), nullptr);
    EXPECT_EQ(e.field("destination.ip")->type, normalize::ValueType::kIp);
  }
  EXPECT_TRUE(sawOne);
}

TEST_F(IngestApi, BulkWithAMalformedActionLineStoresNothing) {
  auto r = post("/es/_bulk", "{\"index\":{}}\n{\"message\":\"a\"}\nnot an action\n{\"message\":\"b\"}\n", bearer());
  EXPECT_TRUE(isError(r, 400, "bad_request"));
  EXPECT_NE(errorMessage(r).find("line 3"), std::string::npos) << errorMessage(r);
  EXPECT_TRUE(eventsOf(1).empty());
}

TEST_F(IngestApi, ElasticsearchHandshakeAndSetupCalls) {
  const Headers basic{{"Authorization", "Basic " + base64(std::string("elastic:") + kToken)}};
  for (const char* root : {"/es", "/es/"}) {
    auto r = srv_.client().request("GET", root, "", basic);
    ASSERT_EQ(r.status, 200) << root << ": " << describe(r);
    const auto v = parseJson(r.body);
    EXPECT_EQ(str(v.at("version").at("number")).substr(0, 2), "8.");
    EXPECT_FALSE(str(v.at("cluster_name")).empty());
    EXPECT_FALSE(str(v.at("tagline")).empty());
    EXPECT_EQ(r.header("x-elastic-product"), "Elasticsearch");
  }
  EXPECT_EQ(srv_.client().request("HEAD", "/es/", "", basic).status, 200);
  EXPECT_EQ(str(parseJson(srv_.client().request("GET", "/es/_license", "", basic).body).at("license").at("status")),
            "active");
  EXPECT_EQ(srv_.client().request("GET", "/es/_xpack", "", basic).status, 200);
  for (const char* path :
       {"/es/_index_template/vigil", "/es/_template/vigil", "/es/_ilm/policy/vigil", "/es/_data_stream/logs-vigil"}) {
    EXPECT_EQ(srv_.client().request("GET", path, "", basic).status, 404) << path;
    EXPECT_EQ(srv_.client().request("HEAD", path, "", basic).status, 404) << path;
    auto put = srv_.client().request("PUT", path, "{\"index_patterns\":[\"vigil-*\"]}", basic);
    EXPECT_EQ(put.status, 200) << path;
    EXPECT_TRUE(parseJson(put.body).at("acknowledged").as_bool()) << path;
  }
  EXPECT_TRUE(eventsOf(1).empty());
}

TEST_F(IngestApi, SyslogNgShapeIsMappedToEcs) {
  // The default document of syslog-ng's elasticsearch-http(): $(format-json --scope rfc5424
  // --exclude DATE --key ISODATE @timestamp=${ISODATE}).
  const std::string doc =
      R"({"PROGRAM":"sshd","PRIORITY":"info","PID":"4242","MESSAGE":"Accepted password for an","HOST":"web-01",)"
      R"("FACILITY":"auth","@timestamp":"2026-11-24T10:00:00+07:00"})";
  auto r = post("/es/_bulk", "{\"index\":{\"_index\":\"vigil\"}}\n" + doc + "\n", bearer());
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_FALSE(parseJson(r.body).at("errors").as_bool()) << r.body;
  const auto stored = eventsOf(1);
  ASSERT_EQ(stored.size(), 1u);
  const auto& e = stored[0];
  EXPECT_EQ(e.timeUs, 1795489200000000);
  EXPECT_EQ(e.field("message")->text, "Accepted password for an");
  EXPECT_EQ(e.field("host.name")->text, "web-01");
  EXPECT_EQ(e.field("process.name")->text, "sshd");
  EXPECT_EQ(e.field("process.pid")->number, 4242);
  EXPECT_EQ(e.field("log.level")->text, "info");
  EXPECT_EQ(e.field("log.syslog.facility.name")->text, "auth");
}

// A real client: syslog-ng 3.38 from Debian, unpacked by scripts/fetch-syslog-ng.sh (run by
// `scripts/install-deps.sh test`; it conflicts with rsyslog), reads a file and ships it with its elasticsearch-http()
// destination to /es/_bulk, authenticating with the source token as the Basic password. Skipped when syslog-ng is not
// unpacked.
class SyslogNgProcess {
 public:
  ~SyslogNgProcess() { stop(); }
  void start(const std::string& root, const std::filesystem::path& dir, const std::string& config) {
    const std::string lib = root + "/usr/lib/syslog-ng:" + root + "/usr/lib/x86_64-linux-gnu";
    const std::string binary = root + "/usr/sbin/syslog-ng";
    const std::vector<std::string> args = {binary,
                                           "-F",
                                           "-e",
                                           "--no-caps",
                                           "-f",
                                           config,
                                           "--module-path=" + root + "/usr/lib/syslog-ng/3.38",
                                           "--persist-file=" + (dir / "persist").string(),
                                           "--pidfile=" + (dir / "pid").string(),
                                           "--control=" + (dir / "ctl").string()};
    const std::string log = (dir / "syslog-ng.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      setenv("LD_LIBRARY_PATH", lib.c_str(), 1);
      if (FILE* f = freopen(log.c_str(), "w", stderr)) (void)f;
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

TEST_F(IngestApi, SyslogNgElasticsearchHttpShipsToBulk) {
  // Where scripts/fetch-syslog-ng.sh unpacks it (SYSLOG_NG_DIR as that script reads it).
  const char* env = std::getenv("SYSLOG_NG_DIR");
  const std::string root =
      (env ? std::string(env) : std::string(VIGIL_TEST_SOURCE_DIR) + "/build/tools/syslog-ng") + "/root";
  if (!std::filesystem::exists(root + "/usr/sbin/syslog-ng") ||
      !std::filesystem::exists(root + "/usr/lib/syslog-ng/3.38/libhttp.so"))
    GTEST_SKIP() << "syslog-ng is not unpacked in " << root << " (scripts/fetch-syslog-ng.sh does it)";

  const auto dir = srv_.dir() / "syslog-ng";
  std::filesystem::create_directories(dir);
  const std::vector<std::string> lines = {
      "Nov 24 10:00:00 web-01 sshd[4242]: Accepted password for an from 10.0.0.5 port 51000 ssh2",
      "Nov 24 10:00:01 web-01 sshd[4243]: Failed password for invalid user admin from 10.0.0.6 port 51001 ssh2",
      "Nov 24 10:00:02 web-01 sudo:       an : TTY=pts/0 ; PWD=/home/an ; USER=root ; COMMAND=/bin/ls",
  };
  {
    std::ofstream in(dir / "in.log");
    for (const auto& l : lines) in << l << "\n";
  }
  const std::string config = (dir / "syslog-ng.conf").string();
  {
    std::ofstream conf(config);
    conf << "@version: 3.38\n"
         << "@include \"" << root << "/usr/share/syslog-ng/include/scl/elasticsearch/elastic-http.conf\"\n"
         << "source s_in { file(\"" << (dir / "in.log").string() << "\" follow-freq(1)); };\n"
         << "destination d_vigil { elasticsearch-http(url(\"http://127.0.0.1:" << srv_.port()
         << "/es/_bulk\") index(\"vigil\") type(\"\") user(\"syslog-ng\") password(\"" << kToken
         << "\") workers(1) batch_lines(10)); };\n"
         << "log { source(s_in); destination(d_vigil); };\n";
  }
  SyslogNgProcess sng;
  sng.start(root, dir, config);
  std::vector<eventstore::StoredEvent> stored;
  for (int i = 0; i < 300 && stored.size() < lines.size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stored = eventsOf(1);
  }
  sng.stop();
  std::ifstream logFile(dir / "syslog-ng.log");
  const std::string log((std::istreambuf_iterator<char>(logFile)), std::istreambuf_iterator<char>());
  ASSERT_EQ(stored.size(), lines.size()) << "syslog-ng's own log:\n" << log;
  std::set<std::string> messages;
  for (const auto& e : stored) {
    EXPECT_EQ(e.sourceId, 7);
    ASSERT_NE(e.field("message"), nullptr) << e.raw;
    messages.insert(e.field("message")->text);
    ASSERT_NE(e.field("process.name"), nullptr) << e.raw;
    EXPECT_NE(e.raw.find("\"@timestamp\""), std::string::npos) << e.raw;
    EXPECT_NE(e.timeUs, e.receivedUs) << "the event time comes from syslog-ng's @timestamp: " << e.raw;
  }
  EXPECT_EQ(messages.count("Accepted password for an from 10.0.0.5 port 51000 ssh2"), 1u) << log;
  EXPECT_EQ(messages.count("Failed password for invalid user admin from 10.0.0.6 port 51001 ssh2"), 1u);
  const auto senders = srv_.collector().senders();
  ASSERT_EQ(senders.size(), 1u);
  EXPECT_EQ(senders[0].input, collect::Input::kHttpBulk);
  EXPECT_EQ(senders[0].events, lines.size());
}

}  // namespace
}  // namespace vigil::test
