// The OpenAPI document served at /api/v1/openapi.json is the contract: it must describe exactly
// the routes the server registers (api::Api::router().routes(), reached through TestServer::api()),
// declare authentication as the server enforces it, and document query parameters the server
// actually honours.
#include <fstream>
#include <sstream>

#include "api_test_util.h"

namespace vigil::test {
namespace {

const char* const kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class OpenApi : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    srv_ = new TestServer();
    srv_->admin();
    auto r = srv_->client().request("GET", "/api/v1/openapi.json");
    EXPECT_EQ(r.status, 200);
    raw_ = new std::string(r.body);
    contentType_ = new std::string(r.header("content-type"));
    doc_ = new json::value(parseJson(r.body));
  }
  static void TearDownTestSuite() {
    delete doc_;
    delete raw_;
    delete contentType_;
    delete srv_;
    srv_ = nullptr;
  }

 protected:
  static const json::object& paths() { return doc_->at("paths").as_object(); }

  // "METHOD /path" of every operation in the document.
  static std::set<std::string> documented() {
    std::set<std::string> out;
    for (const auto& [path, item] : paths())
      for (const char* m : kMethods)
        if (item.as_object().if_contains(m)) out.insert(upper(m) + " " + std::string(path));
    return out;
  }
  static std::set<std::string> registered() {
    std::set<std::string> out;
    for (const auto& r : srv_->api().router().routes()) out.insert(r.method + " " + r.pattern);
    return out;
  }
  // A parameter object, following "$ref": "#/components/parameters/X".
  static const json::value& resolve(const json::value& p) {
    if (const json::value* ref = member(p, "$ref")) {
      const std::string name = str(*ref).substr(std::string("#/components/parameters/").size());
      return doc_->at("components").at("parameters").at(name);
    }
    return p;
  }

  static TestServer* srv_;
  static std::string* raw_;
  static std::string* contentType_;
  static json::value* doc_;
};
TestServer* OpenApi::srv_ = nullptr;
std::string* OpenApi::raw_ = nullptr;
std::string* OpenApi::contentType_ = nullptr;
json::value* OpenApi::doc_ = nullptr;

TEST_F(OpenApi, IsValidJsonOpenApi31) {
  ASSERT_TRUE(doc_->is_object()) << "not JSON: " << raw_->substr(0, 200);
  EXPECT_EQ(contentType_->rfind("application/json", 0), 0u) << *contentType_;
  EXPECT_EQ(str(doc_->at("openapi")).rfind("3.1.", 0), 0u) << str(doc_->at("openapi"));
  EXPECT_FALSE(str(doc_->at("info").at("title")).empty());
  EXPECT_FALSE(str(doc_->at("info").at("version")).empty());
  EXPECT_FALSE(paths().empty());
}

TEST_F(OpenApi, ServedDocumentIsTheSourceFile) {
  std::ifstream in(std::string(VIGIL_TEST_SOURCE_DIR) + "/src/api/openapi.json", std::ios::binary);
  ASSERT_TRUE(in) << "src/api/openapi.json not found";
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(parseJson(file.str()), *doc_) << "the binary embeds a stale copy of src/api/openapi.json";
  EXPECT_EQ(std::string(api::openApiDocument()), *raw_);
}

TEST_F(OpenApi, EveryRegisteredRouteIsDocumented) {
  const auto doc = documented();
  std::string missing;
  for (const auto& r : registered())
    if (!doc.count(r)) missing += "\n  " + r;
  EXPECT_TRUE(missing.empty()) << "routes the server registers but src/api/openapi.json does not describe:" << missing;
}

TEST_F(OpenApi, EveryDocumentedRouteExists) {
  const auto reg = registered();
  std::string extra;
  for (const auto& d : documented())
    if (!reg.count(d)) extra += "\n  " + d;
  EXPECT_TRUE(extra.empty()) << "operations in src/api/openapi.json that the server does not register:" << extra;
}

TEST_F(OpenApi, OperationsHaveUniqueIdsResponsesAndPathParameters) {
  std::set<std::string> ids;
  for (const auto& [path, item] : paths()) {
    for (const char* m : kMethods) {
      const json::value* op = item.as_object().if_contains(m);
      if (!op) continue;
      const std::string where = upper(m) + " " + std::string(path);
      const std::string id = op->is_object() && member(*op, "operationId") ? str(op->at("operationId")) : "";
      EXPECT_FALSE(id.empty()) << where << " has no operationId";
      EXPECT_TRUE(ids.insert(id).second) << "duplicate operationId " << id;
      const json::value* responses = member(*op, "responses");
      ASSERT_TRUE(responses && responses->is_object() && !responses->as_object().empty()) << where;
      // Each {param} of the path is declared as a path parameter.
      std::set<std::string> declared;
      for (const json::value* list : {member(item, "parameters"), member(*op, "parameters")})
        if (list && list->is_array())
          for (const auto& p : list->as_array())
            if (str(resolve(p).at("in")) == "path") declared.insert(str(resolve(p).at("name")));
      const std::string ps(path);
      for (size_t b = ps.find('{'); b != std::string::npos; b = ps.find('{', b + 1)) {
        const std::string name = ps.substr(b + 1, ps.find('}', b) - b - 1);
        EXPECT_TRUE(declared.count(name)) << where << " does not declare path parameter " << name;
        EXPECT_TRUE(responses->as_object().if_contains("404")) << where << " can answer 404 for " << name;
      }
    }
  }
}

// An operation with `security: []` is public; every other one answers 401 to a caller with neither
// cookie nor token. Checked against the running server for every documented operation.
TEST_F(OpenApi, DeclaredSecurityMatchesTheServer) {
  for (const auto& [path, item] : paths()) {
    for (const char* m : kMethods) {
      const json::value* op = item.as_object().if_contains(m);
      if (!op) continue;
      const json::value* sec = member(*op, "security");
      const bool isPublic = sec && sec->is_array() && sec->as_array().empty();
      const std::string target = replaceAll(std::string(path), "{id}", "1");
      auto r = srv_->client().request(upper(m), target);
      if (isPublic) {
        EXPECT_NE(r.status, 401) << upper(m) << " " << path << " is documented public: " << describe(r);
      } else {
        EXPECT_TRUE(isError(r, 401, "unauthenticated")) << upper(m) << " " << path << " is documented as authenticated";
        const json::value* responses = member(*op, "responses");
        EXPECT_TRUE(responses && responses->as_object().if_contains("401")) << upper(m) << " " << path << " omits 401";
      }
    }
  }
}

// Every documented query parameter of a list is honoured as documented (bounds, lengths, types),
// and a parameter the document does not list is refused. All discrepancies are listed at once.
TEST_F(OpenApi, ServerHonoursTheDocumentedQueryParameters) {
  std::string problems;
  bool streaming = false;  // the route answers an event stream (200 never ends): only refusals are checked
  auto expectStatus = [&](const std::string& target, bool ok) {
    if (ok && streaming) return;
    auto r = srv_->call(srv_->admin(), "GET", target);
    const std::string shown =
        target.size() > 70 ? target.substr(0, 60) + "...(" + std::to_string(target.size()) + " chars)" : target;
    if (ok && r.status != 200)
      problems += "\n  " + shown + ": documented as valid, got " + std::to_string(r.status) + " " + errorMessage(r);
    if (!ok && r.status != 400) problems += "\n  " + shown + ": documented as invalid, got " + std::to_string(r.status);
  };
  for (const auto& [path, item] : paths()) {
    const json::value* op = item.as_object().if_contains("get");
    const std::string p(path);
    if (!op || p.find('{') != std::string::npos || p.rfind("/api/v1/", 0) != 0) continue;
    const json::value* ok = member(*op, "responses");
    ok = ok ? member(*ok, "200") : nullptr;
    ok = ok ? member(*ok, "content") : nullptr;
    streaming = ok && ok->is_object() && ok->as_object().contains("text/event-stream");
    const json::value* params = member(*op, "parameters");
    bool anyQuery = false;
    if (params && params->is_array()) {
      for (const auto& raw : params->as_array()) {
        const json::value& q = resolve(raw);
        if (str(q.at("in")) != "query") continue;
        anyQuery = true;
        const std::string name = str(q.at("name"));
        const json::value& schema = q.at("schema");
        const std::string type = str(schema.at("type"));
        const std::string base = p + "?" + name + "=";
        if (type == "integer") {
          if (const json::value* max = member(schema, "maximum")) {
            expectStatus(base + std::to_string(intOf(max)), true);
            expectStatus(base + std::to_string(intOf(max) + 1), false);
          }
          if (const json::value* min = member(schema, "minimum")) {
            expectStatus(base + std::to_string(intOf(min)), true);
            expectStatus(base + std::to_string(intOf(min) - 1), false);
          }
          expectStatus(base + "abc", false);
        } else if (type == "boolean") {
          expectStatus(base + "true", true);
          expectStatus(base + "maybe", false);
        } else if (type == "string" &&
                   str(schema.as_object().if_contains("format") ? schema.at("format") : json::value()) == "date-time") {
          expectStatus(base + "2026-11-18T00:00:00Z", true);
          expectStatus(base + "not-a-time", false);
        } else if (type == "string") {
          if (const json::value* len = member(schema, "maxLength")) {
            expectStatus(base + std::string(static_cast<size_t>(intOf(len)), 'a'), true);
            expectStatus(base + std::string(static_cast<size_t>(intOf(len)) + 1, 'a'), false);
          }
        }
      }
    }
    // A route that documents its query parameters refuses the others (as users and audit do).
    if (anyQuery) expectStatus(p + "?undocumented_parameter=1", false);
  }
  // Found a defect (fixed in 9c6ab8f): tokens ignored limit/offset, orgs and tokens unknown names.
  EXPECT_TRUE(problems.empty()) << "query parameters where server and document disagree:" << problems;
}

}  // namespace
}  // namespace vigil::test
