// Bad input: every malformed, mistyped, oversized, hostile or unauthorised request gets a clear
// 4xx with the documented error shape {"error":{"code","message","details"}} and changes nothing
// that is stored (orgs list, users list, tokens list and the number of successful changes in the
// audit log are compared before and after). Also: static files never leave the web root, expired
// and logged-out sessions are refused, CSRF protection, and malformed HTTP.
#include "api_test_util.h"

namespace vigil::test {
namespace {

std::string testName(std::string s) {
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

// "a|b": either code is accepted (where the contract does not fix one).
::testing::AssertionResult isErrorOneOf(const HttpResult& r, int status, const std::string& codes,
                                        const std::string& field = "") {
  std::string rest = codes;
  ::testing::AssertionResult last = ::testing::AssertionFailure();
  while (true) {
    auto bar = rest.find('|');
    last = isError(r, status, rest.substr(0, bar), field);
    if (last || bar == std::string::npos) return last;
    rest = rest.substr(bar + 1);
  }
}

// --- Fixture: one server, the root administrator, one org, one user, one token ---------------------

class BadInput : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    srv_ = new TestServer();
    Session& root = srv_->admin();
    org_ = srv_->createOrg(root, 1, "Sở Tư pháp");
    user_ = srv_->createUser(root, "canbo.tuphap", org_, "unit_officer");
    auto t = srv_->call(root, "POST", "/api/v1/tokens",
                        R"({"name":"Máy quét","org_id":1,"role":"auditor","expires_in_days":30})");
    EXPECT_EQ(t.status, 201) << t.body;
    token_ = jsonInt(jsonField(t.body, "token"), "id");
  }
  static void TearDownTestSuite() {
    delete srv_;
    srv_ = nullptr;
  }

  struct Snapshot {
    std::string orgs, users, tokens;
    int64_t successes = 0;
    bool operator==(const Snapshot&) const = default;
  };
  static Snapshot take() {
    Session& root = srv_->admin();
    Snapshot s;
    s.orgs = srv_->call(root, "GET", "/api/v1/orgs?include_archived=true").body;
    s.users = srv_->call(root, "GET", "/api/v1/users?limit=500").body;
    s.tokens = srv_->call(root, "GET", "/api/v1/tokens").body;
    s.successes = successfulChanges(*srv_, root);
    EXPECT_NE(s.orgs.find("Sở Tư pháp"), std::string::npos) << s.orgs;
    return s;
  }
  static std::string substitute(std::string s) {
    s = replaceAll(s, "{org}", std::to_string(org_));
    s = replaceAll(s, "{user}", std::to_string(user_));
    s = replaceAll(s, "{token}", std::to_string(token_));
    return s;
  }
  // The root administrator's request with an explicit Content-Type.
  static HttpResult send(const std::string& method, const std::string& target, const std::string& body,
                         const std::string& contentType = "application/json") {
    auto h = srv_->admin().headers();
    if (!body.empty()) h.emplace_back("Content-Type", contentType);
    return srv_->client().request(method, substitute(target), substitute(body), h);
  }

  static TestServer* srv_;
  static int64_t org_, user_, token_;
};
TestServer* BadInput::srv_ = nullptr;
int64_t BadInput::org_ = 0, BadInput::user_ = 0, BadInput::token_ = 0;

std::ostream& operator<<(std::ostream& os, const BadInput::Snapshot& s) {
  return os << "successes=" << s.successes << " orgs=" << s.orgs.substr(0, 300) << " users=" << s.users.substr(0, 300);
}

// --- Bodies: a table of refused requests -----------------------------------------------------------

struct BadBody {
  std::string name;
  std::string method;
  std::string target;  // {org}, {user}, {token} are replaced
  std::string body;
  std::string contentType;
  int status;
  std::string codes;  // "a|b": either
  std::string field;  // expected details.field ("" when none is promised)
};

const std::string kSettings =
    R"("password_min_length_with_mfa":8,"password_min_length_without_mfa":14,"inactive_days":45,)"
    R"("mfa_required_roles":["administrator"],"session_idle_minutes":30,"session_absolute_hours":12,)"
    R"("lockout_threshold":5,"lockout_minutes":15)";

std::vector<BadBody> badBodies() {
  const std::string J = "application/json";
  auto org = [](const std::string& nameJson) {
    return R"({"parent_id":{org},"name":)" + nameJson + R"(,"kind":"unit"})";
  };
  auto orgRaw = [](const std::string& nameBytes) {
    return std::string(R"({"parent_id":{org},"name":")") + nameBytes + R"(","kind":"unit"})";
  };
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  std::string vietnamese201;
  for (int i = 0; i < 201; ++i) vietnamese201 += "ệ";
  // One case per line reads as a table.
  // clang-format off
  std::vector<BadBody> v = {
      // Malformed JSON.
      {"TruncatedObject", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Phòng A","kind":"unit")", J, 400, "invalid_json", ""},
      {"UnquotedKeys", "POST", "/api/v1/orgs", R"({parent_id:1,name:"Phòng A",kind:"unit"})", J, 400, "invalid_json", ""},
      {"TrailingComma", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Phòng A","kind":"unit",})", J, 400, "invalid_json", ""},
      {"SingleQuotes", "POST", "/api/v1/orgs", R"({'parent_id':1,'name':'Phòng A','kind':'unit'})", J, 400, "invalid_json", ""},
      {"TrailingGarbage", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Phòng A","kind":"unit"} {})", J, 400, "invalid_json", ""},
      {"Comment", "POST", "/api/v1/orgs", R"({"parent_id":1 /* x */,"name":"Phòng A","kind":"unit"})", J, 400, "invalid_json", ""},
      {"NaN", "POST", "/api/v1/orgs", R"({"parent_id":NaN,"name":"Phòng A","kind":"unit"})", J, 400, "invalid_json", ""},
      {"DeepNesting", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":)" + deep + "}", J, 400, "invalid_json", ""},
      {"PatchTruncatedLiteral", "PATCH", "/api/v1/orgs/{org}", "nul", J, 400, "invalid_json", ""},
      // JSON that is not an object.
      {"ArrayBody", "POST", "/api/v1/orgs", R"([{"parent_id":1,"name":"Phòng A","kind":"unit"}])", J, 400, "invalid_json", ""},
      {"StringBody", "POST", "/api/v1/orgs", R"("Phòng A")", J, 400, "invalid_json", ""},
      {"NumberBody", "PATCH", "/api/v1/orgs/{org}", "42", J, 400, "invalid_json", ""},
      {"NullBody", "PATCH", "/api/v1/users/{user}", "null", J, 400, "invalid_json", ""},
      {"TrueBody", "PUT", "/api/v1/users/{user}/roles", "true", J, 400, "invalid_json", ""},
      {"EmptyBody", "POST", "/api/v1/orgs", "", J, 400, "invalid_json", ""},
      {"WhitespaceBody", "POST", "/api/v1/orgs", " \r\n\t ", J, 400, "invalid_json", ""},
      // Unknown fields.
      {"UnknownFieldOnCreate", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Phòng A","kind":"unit","owner":"x"})", J, 400, "validation_failed", "owner"},
      {"PatchOrgArchived", "PATCH", "/api/v1/orgs/{org}", R"({"archived":true})", J, 400, "validation_failed", "archived"},
      {"PatchOrgParent", "PATCH", "/api/v1/orgs/{org}", R"({"name":"Sở Tư pháp mới","parent_id":1})", J, 400, "validation_failed", "parent_id"},
      {"PatchUserUsername", "PATCH", "/api/v1/users/{user}", R"({"username":"khac"})", J, 400, "validation_failed", "username"},
      {"PatchUserMustChange", "PATCH", "/api/v1/users/{user}", R"({"must_change_password":false})", J, 400, "validation_failed", "must_change_password"},
      {"PatchUserOrg", "PATCH", "/api/v1/users/{user}", R"({"display_name":"Mới","org_id":1})", J, 400, "validation_failed", "org_id"},
      {"RoleExtraField", "PUT", "/api/v1/users/{user}/roles", R"({"roles":[{"org_id":{org},"role":"auditor","scope":"all"}]})", J, 400, "validation_failed", "roles[0].scope"},
      {"TokenSecretField", "POST", "/api/v1/tokens", R"({"name":"T","org_id":{org},"role":"auditor","expires_in_days":1,"secret":"vgl_mine"})", J, 400, "validation_failed", "secret"},
      {"ArchiveBodyField", "POST", "/api/v1/orgs/{org}/archive", R"({"force":true})", J, 400, "validation_failed", "force"},
      {"UnlockBodyField", "POST", "/api/v1/users/{user}/unlock", R"({"all":true})", J, 400, "validation_failed", "all"},
      {"SettingsExtraField", "PUT", "/api/v1/settings/security", "{" + kSettings + R"(,"debug":true})", J, 400, "validation_failed", "debug"},
      {"LoginExtraField", "POST", "/api/v1/auth/login", R"({"username":"admin","password":"x","remember":true})", J, 400, "validation_failed", "remember"},
      // Wrong types.
      {"ParentIdString", "POST", "/api/v1/orgs", R"({"parent_id":"1","name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"ParentIdFloat", "POST", "/api/v1/orgs", R"({"parent_id":1.0,"name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"ParentIdBool", "POST", "/api/v1/orgs", R"({"parent_id":true,"name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"ParentIdNull", "POST", "/api/v1/orgs", R"({"parent_id":null,"name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"ParentIdArray", "POST", "/api/v1/orgs", R"({"parent_id":[1],"name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"ParentIdNegative", "POST", "/api/v1/orgs", R"({"parent_id":-1,"name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"ParentIdZero", "POST", "/api/v1/orgs", R"({"parent_id":0,"name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"ParentIdBeyondInt64", "POST", "/api/v1/orgs", R"({"parent_id":9223372036854775808,"name":"Phòng A","kind":"unit"})", J, 400, "validation_failed", "parent_id"},
      {"NameNumber", "POST", "/api/v1/orgs", org("5"), J, 400, "validation_failed", "name"},
      {"NameBool", "POST", "/api/v1/orgs", org("true"), J, 400, "validation_failed", "name"},
      {"NameArray", "POST", "/api/v1/orgs", org(R"(["Phòng A"])"), J, 400, "validation_failed", "name"},
      {"NameObject", "POST", "/api/v1/orgs", org(R"({"vi":"Phòng A"})"), J, 400, "validation_failed", "name"},
      {"NameMissing", "POST", "/api/v1/orgs", R"({"parent_id":1,"kind":"unit"})", J, 400, "validation_failed", "name"},
      {"KindNumber", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Phòng A","kind":3})", J, 400, "validation_failed", "kind"},
      {"KindUnknown", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Phòng A","kind":"ministry"})", J, 400, "validation_failed", "kind"},
      {"KindSecondProvince", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Tỉnh thứ hai","kind":"province"})", J, 400, "validation_failed", "kind"},
      {"CodeNumber", "PATCH", "/api/v1/orgs/{org}", R"({"code":123})", J, 400, "validation_failed", "code"},
      {"MoveParentString", "POST", "/api/v1/orgs/{org}/move", R"({"parent_id":"abc"})", J, 400, "validation_failed", "parent_id"},
      {"DisabledString", "PATCH", "/api/v1/users/{user}", R"({"disabled":"true"})", J, 400, "validation_failed", "disabled"},
      {"DisabledNumber", "PATCH", "/api/v1/users/{user}", R"({"disabled":1})", J, 400, "validation_failed", "disabled"},
      {"DisplayNameNumber", "PATCH", "/api/v1/users/{user}", R"({"display_name":42})", J, 400, "validation_failed", "display_name"},
      {"EmailBool", "PATCH", "/api/v1/users/{user}", R"({"email":false})", J, 400, "validation_failed", "email"},
      {"EmailInvalid", "PATCH", "/api/v1/users/{user}", R"({"email":"\" OR 1=1 --"})", J, 400, "validation_failed", "email"},
      {"RolesObject", "PUT", "/api/v1/users/{user}/roles", R"({"roles":{"org_id":1,"role":"auditor"}})", J, 400, "validation_failed", "roles"},
      {"RolesOfStrings", "PUT", "/api/v1/users/{user}/roles", R"({"roles":["auditor"]})", J, 400, "validation_failed", "roles[0]"},
      {"RoleOrgString", "PUT", "/api/v1/users/{user}/roles", R"({"roles":[{"org_id":"1","role":"auditor"}]})", J, 400, "validation_failed", "roles[0].org_id"},
      {"RoleNameNumber", "PUT", "/api/v1/users/{user}/roles", R"({"roles":[{"org_id":{org},"role":5}]})", J, 400, "validation_failed", "roles[0].role"},
      {"RoleUnknown", "PUT", "/api/v1/users/{user}/roles", R"({"roles":[{"org_id":{org},"role":"superadmin"}]})", J, 400, "validation_failed", "roles[0].role"},
      {"TokenDaysString", "POST", "/api/v1/tokens", R"({"name":"T","org_id":{org},"role":"auditor","expires_in_days":"30"})", J, 400, "validation_failed", "expires_in_days"},
      {"TokenDaysZero", "POST", "/api/v1/tokens", R"({"name":"T","org_id":{org},"role":"auditor","expires_in_days":0})", J, 400, "validation_failed", "expires_in_days"},
      {"TokenDaysTooMany", "POST", "/api/v1/tokens", R"({"name":"T","org_id":{org},"role":"auditor","expires_in_days":731})", J, 400, "validation_failed", "expires_in_days"},
      {"TokenDaysFraction", "POST", "/api/v1/tokens", R"({"name":"T","org_id":{org},"role":"auditor","expires_in_days":30.5})", J, 400, "validation_failed", "expires_in_days"},
      {"TokenRoleUnknown", "POST", "/api/v1/tokens", R"({"name":"T","org_id":{org},"role":"root","expires_in_days":30})", J, 400, "validation_failed", "role"},
      {"SettingsNumberAsString", "PUT", "/api/v1/settings/security", "{" + replaceAll(kSettings, R"("lockout_threshold":5)", R"("lockout_threshold":"5")") + "}", J, 400, "validation_failed", "lockout_threshold"},
      {"SettingsUnknownRole", "PUT", "/api/v1/settings/security", "{" + replaceAll(kSettings, R"(["administrator"])", R"(["god"])") + "}", J, 400, "validation_failed", "mfa_required_roles"},
      {"LoginUsernameNumber", "POST", "/api/v1/auth/login", R"({"username":5,"password":"x"})", J, 400, "validation_failed", "username"},
      {"LoginPasswordNumber", "POST", "/api/v1/auth/login", R"({"username":"admin","password":12345678})", J, 400, "validation_failed", "password"},
      // Invalid UTF-8 inside JSON strings (raw bytes), and lone surrogates.
      {"Utf8BadContinuation", "POST", "/api/v1/orgs", orgRaw("\xC3\x28"), J, 400, "invalid_json|validation_failed", ""},
      {"Utf8Overlong", "POST", "/api/v1/orgs", orgRaw("\xC0\xAF"), J, 400, "invalid_json|validation_failed", ""},
      {"Utf8Surrogate", "POST", "/api/v1/orgs", orgRaw("\xED\xA0\x80"), J, 400, "invalid_json|validation_failed", ""},
      {"Utf8FiveBytes", "POST", "/api/v1/orgs", orgRaw("\xF8\x88\x80\x80\x80"), J, 400, "invalid_json|validation_failed", ""},
      {"Utf8Truncated", "POST", "/api/v1/orgs", orgRaw("S\xE1\xBB"), J, 400, "invalid_json|validation_failed", ""},
      {"Utf8Latin1", "PATCH", "/api/v1/users/{user}", "{\"display_name\":\"Tr\xE2n\"}", J, 400, "invalid_json|validation_failed", ""},
      {"Utf8InKey", "POST", "/api/v1/orgs", "{\"parent_id\":1,\"na\xFFme\":\"A\",\"kind\":\"unit\"}", J, 400, "invalid_json|validation_failed", ""},
      {"LoneSurrogateEscape", "POST", "/api/v1/orgs", org(R"("Ph\ud800ng")"), J, 400, "invalid_json|validation_failed", ""},
      // Empty and whitespace-only text.
      {"NameEmpty", "POST", "/api/v1/orgs", org(R"("")"), J, 400, "validation_failed", "name"},
      {"NameSpaces", "POST", "/api/v1/orgs", org(R"("   ")"), J, 400, "validation_failed", "name"},
      {"NameTabsNewlines", "POST", "/api/v1/orgs", org(R"("\t\r\n ")"), J, 400, "validation_failed", "name"},
      {"RenameEmpty", "PATCH", "/api/v1/orgs/{org}", R"({"name":""})", J, 400, "validation_failed", "name"},
      {"DisplayNameSpaces", "PATCH", "/api/v1/users/{user}", R"({"display_name":"  "})", J, 400, "validation_failed", "display_name"},
      {"TokenNameEmpty", "POST", "/api/v1/tokens", R"({"name":" ","org_id":{org},"role":"auditor","expires_in_days":1})", J, 400, "validation_failed", "name"},
      {"ProvinceNameEmpty", "POST", "/api/v1/setup", R"({"province_name":""})", J, 400, "validation_failed", "province_name"},
      {"UserDisplayNameEmpty", "POST", "/api/v1/users", R"({"username":"rong","display_name":"","org_id":{org},"password":"Officer-password-123","roles":[]})", J, 400, "validation_failed", "display_name"},
      // Over-long text.
      {"Name201Characters", "POST", "/api/v1/orgs", org("\"" + vietnamese201 + "\""), J, 400, "validation_failed", "name"},
      {"Rename201Characters", "PATCH", "/api/v1/orgs/{org}", R"({"name":")" + std::string(201, 'a') + "\"}", J, 400, "validation_failed", "name"},
      {"Code65Characters", "PATCH", "/api/v1/orgs/{org}", R"({"code":")" + std::string(65, '9') + "\"}", J, 400, "validation_failed", "code"},
      {"DisplayName201Characters", "PATCH", "/api/v1/users/{user}", R"({"display_name":")" + vietnamese201 + "\"}", J, 400, "validation_failed", "display_name"},
      {"Email255Characters", "PATCH", "/api/v1/users/{user}", R"({"email":")" + std::string(245, 'a') + "@so.gov.vn\"}", J, 400, "validation_failed", "email"},
      {"TokenName101Characters", "POST", "/api/v1/tokens", R"({"name":")" + std::string(101, 't') + R"(","org_id":{org},"role":"auditor","expires_in_days":1})", J, 400, "validation_failed", "name"},
      {"Username65Characters", "POST", "/api/v1/users", R"({"username":")" + std::string(65, 'u') + R"(","display_name":"Dài","org_id":{org},"password":"Officer-password-123","roles":[]})", J, 400, "validation_failed", "username"},
      {"LoginPassword5000Bytes", "POST", "/api/v1/auth/login", R"({"username":"admin","password":")" + std::string(5000, 'p') + "\"}", J, 400, "validation_failed", "password"},
      // Control characters.
      {"NameNul", "POST", "/api/v1/orgs", org(R"("Sở\u0000Tư pháp")"), J, 400, "validation_failed", "name"},
      {"NameEscapeSequence", "POST", "/api/v1/orgs", org(R"("\u001b[31mĐỏ")"), J, 400, "validation_failed", "name"},
      {"NameNewline", "POST", "/api/v1/orgs", org(R"("Dòng\nmới")"), J, 400, "validation_failed", "name"},
      {"NameDelete", "POST", "/api/v1/orgs", org(R"("Xóa\u007f")"), J, 400, "validation_failed", "name"},
      // REGRESSION GUARD (defect found by this suite, fixed in 9c6ab8f):
      // C1 control characters (U+0080..U+009F, e.g. U+0085) and bidi overrides/isolates
      // (U+202A..U+202E, U+2066..U+2069) passed text::hasControlChars, which looked only at bytes
      // < 0x20 and 0x7F.
      {"NameC1Control", "POST", "/api/v1/orgs", org(R"("Phòng\u0085A")"), J, 400, "validation_failed", "name"},
      {"NameBidiOverride", "POST", "/api/v1/orgs", org(R"("Phòng \u202Egnòhp")"), J, 400, "validation_failed", "name"},
      {"DisplayNameBidiIsolate", "PATCH", "/api/v1/users/{user}", R"({"display_name":"Quản trị\u2066 viên"})", J, 400, "validation_failed", "display_name"},
      {"DisplayNameBell", "PATCH", "/api/v1/users/{user}", R"({"display_name":"Chuông\u0007"})", J, 400, "validation_failed", "display_name"},
      {"TokenNameCarriageReturn", "POST", "/api/v1/tokens", R"({"name":"T\rX","org_id":{org},"role":"auditor","expires_in_days":1})", J, 400, "validation_failed", "name"},
      // Hostile strings where the field has a strict syntax.
      {"UsernameSqlInjection", "POST", "/api/v1/users", R"({"username":"'; DROP TABLE users; --","display_name":"X","org_id":{org},"password":"Officer-password-123","roles":[]})", J, 400, "validation_failed", "username"},
      {"UsernameScript", "POST", "/api/v1/users", R"({"username":"<script>alert(1)</script>","display_name":"X","org_id":{org},"password":"Officer-password-123","roles":[]})", J, 400, "validation_failed", "username"},
      {"UsernameUpperCase", "POST", "/api/v1/users", R"({"username":"Admin2","display_name":"X","org_id":{org},"password":"Officer-password-123","roles":[]})", J, 400, "validation_failed", "username"},
      {"UsernameVietnamese", "POST", "/api/v1/users", R"({"username":"nguyễn","display_name":"X","org_id":{org},"password":"Officer-password-123","roles":[]})", J, 400, "validation_failed", "username"},
      {"KindSqlInjection", "PATCH", "/api/v1/orgs/{org}", R"({"kind":"unit' OR '1'='1"})", J, 400, "validation_failed", "kind"},
      // Wrong Content-Type.
      {"TextPlain", "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Phòng A","kind":"unit"})", "text/plain", 415, "unsupported_media_type", ""},
      {"FormUrlEncoded", "POST", "/api/v1/orgs", "parent_id=1&name=A&kind=unit", "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
      {"Multipart", "POST", "/api/v1/orgs", "--x\r\n\r\n--x--", "multipart/form-data; boundary=x", 415, "unsupported_media_type", ""},
      {"TextJson", "PATCH", "/api/v1/orgs/{org}", R"({"name":"Mới"})", "text/json", 415, "unsupported_media_type", ""},
      {"Xml", "PUT", "/api/v1/users/{user}/roles", "<roles/>", "application/xml", 415, "unsupported_media_type", ""},
      {"LoginTextPlain", "POST", "/api/v1/auth/login", R"({"username":"admin","password":"x"})", "text/plain", 415, "unsupported_media_type", ""},
  };
  // clang-format on
  return v;
}

void PrintTo(const BadBody& b, std::ostream* os) { *os << b.name << ": " << b.method << " " << b.target; }

class BadBodies : public BadInput, public ::testing::WithParamInterface<BadBody> {};

TEST_P(BadBodies, AreRefusedWithTheErrorShapeAndChangeNothing) {
  const BadBody& c = GetParam();
  const Snapshot before = take();
  auto r = send(c.method, c.target, c.body, c.contentType);
  EXPECT_TRUE(isErrorOneOf(r, c.status, c.codes, c.field)) << c.method << " " << c.target;
  EXPECT_EQ(take(), before) << "stored data changed";
}

INSTANTIATE_TEST_SUITE_P(Table, BadBodies, ::testing::ValuesIn(badBodies()),
                         [](const auto& info) { return testName(info.param.name); });

// --- Oversize bodies ---------------------------------------------------------------------------

TEST_F(BadInput, BodyOverTheLimitIs413AndBodyAtTheLimitIsRead) {
  const Snapshot before = take();
  const std::string head = R"({"parent_id":1,"name":")", tail = R"(","kind":"unit"})";
  const int64_t limit = 1 << 20;  // http.max_body_bytes default
  std::string atLimit = head + std::string(limit - head.size() - tail.size(), 'a') + tail;
  ASSERT_EQ(static_cast<int64_t>(atLimit.size()), limit);
  // At the limit the body reaches the handler (which refuses the 1 MiB name).
  EXPECT_TRUE(isError(send("POST", "/api/v1/orgs", atLimit), 400, "validation_failed", "name"));
  // Over it the server answers 413 as soon as it sees Content-Length, before any body byte (the
  // body is not sent: the server closes without reading it, which a full write would race with).
  const auto& auth = srv_->admin().headers();
  EXPECT_TRUE(isError(sendHeadOnly(srv_->port(), "POST", "/api/v1/orgs", limit + 1, auth), 413, "payload_too_large"));
  EXPECT_TRUE(isError(sendHeadOnly(srv_->port(), "PATCH", "/api/v1/orgs/" + std::to_string(org_), 50 << 20, auth), 413,
                      "payload_too_large"));
  EXPECT_TRUE(
      isError(sendHeadOnly(srv_->port(), "POST", "/api/v1/auth/login", limit + 1, {}), 413, "payload_too_large"));
  EXPECT_EQ(take(), before);
}

// --- Text that looks like code is plain text -------------------------------------------------------

TEST_F(BadInput, InjectionAndScriptStringsAreStoredByteForByteAndReturnedJsonEscaped) {
  Session& root = srv_->admin();
  const std::vector<std::string> payloads = {
      "'; DROP TABLE orgs; --",       "\" OR 1=1 --", "<script>alert(1)</script>",    "Robert'); DROP TABLE users;--",
      "<img src=x onerror=alert(1)>", "%' OR '1'='1", "\\\"; SELECT * FROM users --", "{{7*7}} ${7*7} `id`",
  };
  std::string vietnamese200;
  for (int i = 0; i < 200; ++i) vietnamese200 += "ệ";
  auto expectRoundTrip = [](const HttpResult& r, const char* field, const std::string& sent) {
    EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0u);
    EXPECT_EQ(str(*member(parseJson(r.body), field)), sent) << r.body;
    // JSON-escaped in the raw bytes: quotes and backslashes escaped, nothing unescaped.
    EXPECT_NE(r.body.find(json::serialize(json::value(sent))), std::string::npos) << r.body;
  };
  int n = 0;
  std::vector<std::string> all = payloads;
  all.push_back(vietnamese200);
  for (const auto& p : all) {
    ++n;
    SCOPED_TRACE(p);
    const std::string code = p.size() > 64 ? p.substr(0, 60) : p;
    auto created = srv_->call(root, "POST", "/api/v1/orgs",
                              body({{"parent_id", org_}, {"name", p}, {"kind", "unit"}, {"code", code}}));
    ASSERT_EQ(created.status, 201) << created.body;
    expectRoundTrip(created, "name", p);
    const std::string orgPath = "/api/v1/orgs/" + std::to_string(jsonInt(created.body, "id"));
    auto read = srv_->call(root, "GET", orgPath);
    expectRoundTrip(read, "name", p);
    if (p.size() <= 64) expectRoundTrip(read, "code", p);
    auto renamed = srv_->call(root, "PATCH", orgPath, body({{"name", p + " (2)"}}));
    if (p.size() < 190) expectRoundTrip(renamed, "name", p + " (2)");

    auto user = srv_->call(root, "POST", "/api/v1/users",
                           body({{"username", "chuoi.doc." + std::to_string(n)},
                                 {"display_name", p},
                                 {"email", "o'hara--" + std::to_string(n) + "@so.gov.vn"},
                                 {"org_id", org_},
                                 {"password", "Officer-password-123"},
                                 {"roles", json::array()}}));
    ASSERT_EQ(user.status, 201) << user.body;
    expectRoundTrip(user, "display_name", p);
    expectRoundTrip(srv_->call(root, "GET", "/api/v1/users/" + std::to_string(jsonInt(user.body, "id"))),
                    "display_name", p);

    if (p.size() <= 100) {
      auto token = srv_->call(root, "POST", "/api/v1/tokens",
                              body({{"name", p}, {"org_id", org_}, {"role", "auditor"}, {"expires_in_days", 1}}));
      ASSERT_EQ(token.status, 201) << token.body;
      EXPECT_EQ(str(parseJson(token.body).at("token").at("name")), p);
    }
  }
  // Search and filter parameters are data, not SQL, and LIKE wildcards in them are literal.
  auto search = srv_->call(root, "GET", "/api/v1/users?q=x%27%20OR%20%27x%27%3D%27x");
  ASSERT_EQ(search.status, 200) << search.body;
  EXPECT_EQ(totalOf(search.body), 0) << search.body;
  auto percent = srv_->call(root, "GET", "/api/v1/users?q=%25");
  ASSERT_EQ(percent.status, 200) << percent.body;
  ASSERT_EQ(totalOf(percent.body), 1) << "'%' must match only the one name containing '%': " << percent.body;
  EXPECT_EQ(str(itemsOf(percent.body)[0].at("display_name")), "%' OR '1'='1");
  auto filter = srv_->call(root, "GET", "/api/v1/audit?actor=%27%20OR%20%271%27%3D%271");
  ASSERT_EQ(filter.status, 200) << filter.body;
  EXPECT_EQ(totalOf(filter.body), 0) << filter.body;

  // The tables are all still there and consistent.
  auto orgs = srv_->call(root, "GET", "/api/v1/orgs");
  ASSERT_EQ(orgs.status, 200);
  EXPECT_NE(orgs.body.find("Sở Tư pháp"), std::string::npos);
  EXPECT_GE(totalOf(orgs.body), static_cast<int64_t>(all.size()) + 2);
  auto users = srv_->call(root, "GET", "/api/v1/users?limit=500");
  ASSERT_EQ(users.status, 200);
  EXPECT_GE(totalOf(users.body), static_cast<int64_t>(all.size()) + 2);
  EXPECT_EQ(srv_->call(root, "GET", "/api/v1/tokens").status, 200);
  auto verify = srv_->call(root, "GET", "/api/v1/audit/verify");
  EXPECT_EQ(jsonField(verify.body, "ok"), "true") << verify.body;
}

// --- Bad ids -----------------------------------------------------------------------------------

TEST_F(BadInput, MalformedIdsAreNotFound) {
  const Snapshot before = take();
  const char* const ids[] = {
      "abc",  "-1", "0",        "99999999999999999999", "9223372036854775808", "1.5", "0x1", "1e3", "1abc",
      "%201", "+1", "%E1%BB%87"};
  const std::pair<const char*, const char*> routes[] = {
      {"GET", "/api/v1/orgs/{x}"},        {"PATCH", "/api/v1/orgs/{x}"},       {"POST", "/api/v1/orgs/{x}/archive"},
      {"POST", "/api/v1/orgs/{x}/move"},  {"GET", "/api/v1/users/{x}"},        {"PATCH", "/api/v1/users/{x}"},
      {"PUT", "/api/v1/users/{x}/roles"}, {"DELETE", "/api/v1/users/{x}/mfa"}, {"POST", "/api/v1/users/{x}/unlock"},
      {"DELETE", "/api/v1/tokens/{x}"},
  };
  for (const char* id : ids) {
    for (const auto& [method, pattern] : routes) {
      const std::string target = replaceAll(pattern, "{x}", id);
      const std::string m = method, pat = pattern;
      std::string b;
      if (m == "PATCH") b = pat.find("orgs") != std::string::npos ? R"({"name":"X"})" : R"({"display_name":"X"})";
      if (pat.find("/move") != std::string::npos) b = R"({"parent_id":1})";
      if (pat.find("/roles") != std::string::npos) b = R"({"roles":[]})";
      auto r = send(method, target, b);
      if (r.status == 400) {
        EXPECT_TRUE(isErrorOneOf(r, 400, "bad_request|validation_failed")) << method << " " << target;
      } else {
        EXPECT_TRUE(isError(r, 404, "not_found")) << method << " " << target;
      }
    }
  }
  EXPECT_EQ(take(), before);
}

// --- Query parameters --------------------------------------------------------------------------

struct BadQuery {
  std::string target;
  std::string codes;
  std::string field;
};

void PrintTo(const BadQuery& q, std::ostream* os) { *os << q.target.substr(0, 120); }

class BadQueries : public BadInput, public ::testing::WithParamInterface<BadQuery> {};

TEST_P(BadQueries, AreRefusedWith400) {
  const BadQuery& q = GetParam();
  auto r = srv_->call(srv_->admin(), "GET", q.target);
  EXPECT_TRUE(isErrorOneOf(r, 400, q.codes, q.field)) << q.target;
}

const BadQuery kBadQueries[] = {
    {"/api/v1/users?limit=0", "validation_failed", "limit"},
    {"/api/v1/users?limit=abc", "validation_failed", "limit"},
    {"/api/v1/users?limit=501", "validation_failed", "limit"},
    {"/api/v1/users?limit=-5", "validation_failed", "limit"},
    {"/api/v1/users?limit=", "validation_failed", "limit"},
    {"/api/v1/users?limit=10abc", "validation_failed", "limit"},
    {"/api/v1/users?offset=-1", "validation_failed", "offset"},
    {"/api/v1/users?offset=abc", "validation_failed", "offset"},
    {"/api/v1/users?org_id=abc", "validation_failed", "org_id"},
    {"/api/v1/users?bogus=1", "validation_failed", "bogus"},
    {"/api/v1/users?q=" + std::string(101, 'q'), "validation_failed", "q"},
    {"/api/v1/users?q=a%00b", "validation_failed", "q"},
    {"/api/v1/users?q=%zz", "bad_request", ""},
    {"/api/v1/audit?limit=0", "validation_failed", "limit"},
    {"/api/v1/audit?limit=abc", "validation_failed", "limit"},
    {"/api/v1/audit?limit=501", "validation_failed", "limit"},
    {"/api/v1/audit?offset=-1", "validation_failed", "offset"},
    {"/api/v1/audit?bogus=1", "validation_failed", "bogus"},
    {"/api/v1/audit?from=2026-11-21&to=2026-11-19", "validation_failed", "from"},
    {"/api/v1/audit?from=2026-11-20T00:00:00Z&to=2026-11-19T23:59:59Z", "validation_failed", "from"},
    {"/api/v1/audit?from=h%C3%B4m-qua", "validation_failed", "from"},
    {"/api/v1/audit?to=2026-13-45", "validation_failed", "to"},
    {"/api/v1/audit?actor=a%0Ab", "validation_failed", "actor"},
    {"/api/v1/audit/export.csv?bogus=1", "validation_failed", "bogus"},
    {"/api/v1/audit/export.csv?limit=0", "validation_failed", "limit"},
    {"/api/v1/audit/export.csv?from=2026-11-21&to=2026-11-19", "validation_failed", "from"},
    {"/api/v1/orgs?include_archived=yes", "validation_failed", "include_archived"},
};

INSTANTIATE_TEST_SUITE_P(Table, BadQueries, ::testing::ValuesIn(kBadQueries),
                         [](const auto& info) { return testName(info.param.target.substr(0, 80)); });

// REGRESSION GUARD (defect found by this suite, fixed in 9c6ab8f):
// GET /api/v1/orgs and GET /api/v1/tokens ignore every query parameter but
// include_archived: `?limit=0`, `?limit=abc` and unknown parameters get 200 with the full list,
// while the contract's list convention (docs/api.md "Lists: ?limit= (1..500) and ?offset=") and
// the users/audit lists refuse them with 400 validation_failed.
const BadQuery kBadQueriesOnUnpagedLists[] = {
    {"/api/v1/orgs?bogus=1", "validation_failed", "bogus"},
    {"/api/v1/orgs?limit=0", "validation_failed", "limit"},
    {"/api/v1/tokens?bogus=1", "validation_failed", "bogus"},
    {"/api/v1/tokens?limit=abc", "validation_failed", "limit"},
};

// REGRESSION GUARD (defect found by this suite, fixed in 9c6ab8f):
// with bare dates an inverted range one day apart is not refused:
// from=2026-11-20&to=2026-11-19 means "from the start of the 20th to the end of the 19th"
// (UTC+7), but both ends become the same instant and the check in src/api/routes_audit.cpp
// readFilter is `*f.from > *f.to`; it answers 200 with an empty list instead of 400.
const BadQuery kInvertedDayRanges[] = {
    {"/api/v1/audit?from=2026-11-20&to=2026-11-19", "validation_failed", "from"},
    {"/api/v1/audit/export.csv?from=2026-11-20&to=2026-11-19", "validation_failed", "from"},
};

INSTANTIATE_TEST_SUITE_P(InvertedDayRanges, BadQueries, ::testing::ValuesIn(kInvertedDayRanges),
                         [](const auto& info) { return testName(info.param.target); });

INSTANTIATE_TEST_SUITE_P(UnpagedLists, BadQueries, ::testing::ValuesIn(kBadQueriesOnUnpagedLists),
                         [](const auto& info) { return testName(info.param.target); });

// --- Unknown endpoints and wrong methods -------------------------------------------------------

TEST_F(BadInput, UnknownApiEndpointsAre404Json) {
  for (const char* target : {"/api/v1/nope", "/api/v1/orgs/1/children", "/api/v2/orgs", "/api/v1/orgs/", "/api",
                             "/api/v1", "/api/v1/users/1/roles/2", "/api/v1/ORGS"}) {
    EXPECT_TRUE(isError(srv_->call(srv_->admin(), "GET", target), 404, "not_found")) << target;
    EXPECT_TRUE(isError(srv_->client().request("GET", target), 404, "not_found")) << target << " (anonymous)";
  }
}

std::set<std::string> allowSet(const HttpResult& r) {
  std::set<std::string> out;
  std::string a = r.header("allow");
  size_t i = 0;
  while (i < a.size()) {
    size_t j = a.find(',', i);
    if (j == std::string::npos) j = a.size();
    std::string m = a.substr(i, j - i);
    while (!m.empty() && m.front() == ' ') m.erase(0, 1);
    while (!m.empty() && m.back() == ' ') m.pop_back();
    if (!m.empty()) out.insert(m);
    i = j + 1;
  }
  return out;
}

TEST_F(BadInput, WrongMethodOnApiRouteIs405WithAllow) {
  const Snapshot before = take();
  const std::tuple<const char*, const char*, std::set<std::string>> cases[] = {
      {"DELETE", "/api/v1/orgs", {"GET", "POST"}},
      {"PUT", "/api/v1/orgs/{org}", {"GET", "PATCH"}},
      {"DELETE", "/api/v1/orgs/{org}", {"GET", "PATCH"}},
      {"GET", "/api/v1/auth/login", {"POST"}},
      {"POST", "/healthz", {"GET"}},
      {"PATCH", "/api/v1/tokens/{token}", {"DELETE"}},
      {"POST", "/api/v1/users/{user}/roles", {"PUT"}},
      {"DELETE", "/api/v1/settings/security", {"GET", "PUT"}},
      {"POST", "/api/v1/audit", {"GET"}},
  };
  for (const auto& [method, target, allowed] : cases) {
    auto r = send(method, target, "");
    EXPECT_TRUE(isError(r, 405, "method_not_allowed")) << method << " " << target;
    EXPECT_EQ(allowSet(r), allowed) << method << " " << target << ": Allow '" << r.header("allow") << "'";
  }
  EXPECT_EQ(take(), before);
}

// REGRESSION GUARD (defect found by this suite, fixed in 9c6ab8f):
// outside /api the server answers 405 without an Allow header (RFC 9110
// 15.5.6: a 405 MUST carry Allow). src/api/api.cpp Api::handle, the non-GET static branch.
TEST_F(BadInput, WrongMethodOnStaticPathIs405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    auto r = srv_->client().request(method, "/", "");
    EXPECT_TRUE(isError(r, 405, "method_not_allowed")) << method;
    EXPECT_TRUE(allowSet(r).count("GET")) << method << " / : Allow '" << r.header("allow") << "'";
  }
}

// --- Static files stay inside the web root -----------------------------------------------------

class StaticFiles : public ::testing::Test {
 public:
  static void SetUpTestSuite() { srv_ = new TestServer(TestServer::Options{.withWebRoot = true}); }
  static void TearDownTestSuite() {
    delete srv_;
    srv_ = nullptr;
  }

 protected:
  static TestServer* srv_;
};
TestServer* StaticFiles::srv_ = nullptr;

TEST_F(StaticFiles, WebRootFilesAreServed) {
  auto index = srv_->client().request("GET", "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>vigil</title>");
  auto js = srv_->client().request("GET", "/assets/app-1234.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log('vigil')");
  EXPECT_EQ(srv_->client().request("GET", "/orgs/12/users").body, index.body) << "SPA routes get index.html";
}

TEST_F(StaticFiles, PathTraversalNeverReachesFilesOutsideTheWebRoot) {
  const char* const targets[] = {
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/assets/../../secret.txt",
      "/assets/../secret.txt",
      "/..%2fsecret.txt",
      "/..%2Fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/..\\secret.txt",
      "/..%5csecret.txt",
      "/assets/..%5c..%5csecret.txt",
      "/./../secret.txt",
      "//../secret.txt",
      "/....//secret.txt",
      "/%252e%252e/secret.txt",
      "/..%c0%afsecret.txt",
      "/secret.txt",
      "/web/../secret.txt",
      "/%00/../secret.txt",
      "/index.html%00/../../secret.txt",
      "/assets/../../../../../../../../etc/passwd",
      "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  };
  for (const char* t : targets) {
    const std::string raw = srv_->client().raw(std::string("GET ") + t +
                                               " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                               "Connection: close\r\n\r\n");
    EXPECT_EQ(raw.find("outside the web root"), std::string::npos) << t << " leaked the secret:\n" << raw;
    EXPECT_EQ(raw.find("root:"), std::string::npos) << t << " leaked /etc/passwd";
    const int status = rawStatus(raw);
    EXPECT_TRUE(status == 200 || status == 400 || status == 404) << t << ": " << raw.substr(0, 200);
    if (status == 200) {
      EXPECT_NE(raw.find("<!doctype html><title>vigil</title>"), std::string::npos) << t;
    }
  }
}

// --- Sessions: expiry and logout ---------------------------------------------------------------

TEST(SessionExpiry, IdleSessionEndsAfter30Minutes) {
  TestServer srv;
  srv.admin();
  Session s = srv.userSession("canbo.ngu", 1, "unit_officer");
  srv.clock().advanceMs(29 * 60 * 1000);
  EXPECT_EQ(srv.call(s, "GET", "/api/v1/me").status, 200) << "29 idle minutes are allowed";
  srv.clock().advanceMs(29 * 60 * 1000);
  EXPECT_EQ(srv.call(s, "GET", "/api/v1/me").status, 200) << "activity restarts the idle clock";
  srv.clock().advanceMs(30 * 60 * 1000 + 1000);
  auto r = srv.call(s, "GET", "/api/v1/me");
  EXPECT_TRUE(isError(r, 401, "unauthenticated"));
  EXPECT_NE(r.header("set-cookie").find("Max-Age=0"), std::string::npos) << "the dead cookie is cleared";
  EXPECT_TRUE(isError(srv.call(s, "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Muộn","kind":"unit"})"), 401,
                      "unauthenticated"));
}

TEST(SessionExpiry, ActiveSessionEndsAfter12Hours) {
  TestServer srv;
  srv.admin();
  Session s = srv.userSession("canbo.cham.chi", 1, "unit_officer");
  for (int i = 0; i < 24; ++i) {  // 24 x 29 min = 11 h 36 min of steady work
    srv.clock().advanceMs(29 * 60 * 1000);
    ASSERT_EQ(srv.call(s, "GET", "/api/v1/me").status, 200) << "after " << (i + 1) * 29 << " minutes";
  }
  srv.clock().advanceMs(25 * 60 * 1000);  // 12 h 01 min after login
  EXPECT_TRUE(isError(srv.call(s, "GET", "/api/v1/me"), 401, "unauthenticated"));
}

TEST(SessionExpiry, LoggedOutCookieIsRefused) {
  TestServer srv;
  srv.admin();
  Session s = srv.userSession("canbo.ve", 1, "unit_officer");
  EXPECT_EQ(srv.call(s, "POST", "/api/v1/auth/logout").status, 204);
  EXPECT_TRUE(isError(srv.call(s, "GET", "/api/v1/me"), 401, "unauthenticated"));
  EXPECT_TRUE(isError(srv.call(s, "POST", "/api/v1/auth/logout"), 401, "unauthenticated"));
  EXPECT_TRUE(isError(srv.call(s, "GET", "/api/v1/orgs"), 401, "unauthenticated"));
}

TEST(SessionExpiry, ForgedOrMalformedCookiesAreRefused) {
  TestServer srv;
  srv.admin();
  const std::vector<std::string> cookies = {"vigil_session=", "vigil_session=abc",
                                            "vigil_session=" + std::string(300, 'A'), "vigil_session=../../etc/passwd",
                                            "vigil_session='; DROP TABLE sessions; --"};
  for (const auto& cookie : cookies) {
    auto r = srv.client().request("GET", "/api/v1/me", "", {{"Cookie", cookie}});
    EXPECT_TRUE(isError(r, 401, "unauthenticated")) << cookie;
  }
  EXPECT_EQ(srv.call(srv.admin(), "GET", "/api/v1/me").status, 200) << "the store still answers";
}

// --- CSRF --------------------------------------------------------------------------------------

class Csrf : public BadInput {};

TEST_F(Csrf, CookieWriteWithoutCsrfTokenIs403AndChangesNothing) {
  const Snapshot before = take();
  Session& root = srv_->admin();
  auto noCsrf = [&](const std::string& method, const std::string& target, const std::string& b) {
    return srv_->client().request(method, substitute(target), substitute(b), root.headers(false));
  };
  EXPECT_TRUE(
      isError(noCsrf("POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Giả mạo","kind":"unit"})"), 403, "csrf_failed"));
  EXPECT_TRUE(isError(noCsrf("PATCH", "/api/v1/orgs/{org}", R"({"name":"Giả mạo"})"), 403, "csrf_failed"));
  EXPECT_TRUE(isError(noCsrf("PUT", "/api/v1/users/{user}/roles", R"({"roles":[]})"), 403, "csrf_failed"));
  EXPECT_TRUE(isError(noCsrf("DELETE", "/api/v1/tokens/{token}", ""), 403, "csrf_failed"));
  EXPECT_TRUE(isError(noCsrf("POST", "/api/v1/auth/logout", ""), 403, "csrf_failed"));
  EXPECT_EQ(take(), before);
  // A read needs no CSRF token, and the session survived the refused logout.
  EXPECT_EQ(srv_->client().request("GET", "/api/v1/orgs", "", root.headers(false)).status, 200);
}

TEST_F(Csrf, CsrfTokenOfAnOlderSessionOfTheSameUserIs403) {
  Session first = srv_->login("admin", kAdminPassword);
  Session second = srv_->login("admin", kAdminPassword);
  ASSERT_NE(first.csrf, second.csrf);
  const Snapshot before = take();
  Session mixed = second;
  mixed.csrf = first.csrf;
  EXPECT_TRUE(isError(srv_->call(mixed, "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Chéo","kind":"unit"})"), 403,
                      "csrf_failed"));
  EXPECT_EQ(take(), before);
  // The right pairing works.
  auto ok = srv_->call(second, "PATCH", "/api/v1/orgs/" + std::to_string(org_), R"({"code":"STP"})");
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(Csrf, MadeUpCsrfTokensAre403) {
  const Snapshot before = take();
  Session s = srv_->admin();
  const std::string real = s.csrf;
  std::string flipped = real;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  for (const std::string& token : {std::string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), std::string("x"),
                                   flipped, real.substr(0, real.size() - 1), real + "A", std::string(" ")}) {
    s.csrf = token;
    EXPECT_TRUE(isError(srv_->call(s, "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Bịa","kind":"unit"})"), 403,
                        "csrf_failed"))
        << "token '" << token << "'";
  }
  EXPECT_EQ(take(), before);
}

TEST_F(Csrf, ApiTokensNeedNoCsrfToken) {
  auto t = srv_->call(srv_->admin(), "POST", "/api/v1/tokens",
                      R"({"name":"Tích hợp","org_id":1,"role":"administrator","expires_in_days":1})");
  ASSERT_EQ(t.status, 201) << t.body;
  Session bearer;
  bearer.bearer = jsonField(t.body, "secret");
  auto r = srv_->call(bearer, "POST", "/api/v1/orgs", R"({"parent_id":1,"name":"Tạo bằng token","kind":"unit"})");
  EXPECT_EQ(r.status, 201) << r.body;
}

// --- Malformed HTTP ----------------------------------------------------------------------------

class MalformedHttp : public ::testing::Test {
 public:
  static void SetUpTestSuite() { srv_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete srv_;
    srv_ = nullptr;
  }

 protected:
  // Sends bytes; the answer must be a 4xx or nothing at all, never a 2xx/5xx.
  static void expectRefused(const std::string& bytes, int wanted = 400) {
    RawConnection c(srv_->port());
    c.send(bytes);
    bool closed = false;
    const std::string raw = c.readUntilClose(std::chrono::milliseconds(3000), &closed);
    const int status = rawStatus(raw);
    if (status == 0) {
      EXPECT_TRUE(raw.empty()) << "not HTTP: " << raw.substr(0, 200);
      EXPECT_TRUE(closed) << "neither an answer nor a close";
    } else {
      EXPECT_EQ(status, wanted) << raw.substr(0, 300);
      EXPECT_NE(raw.find("\"error\""), std::string::npos) << raw.substr(0, 300);
    }
  }
  static TestServer* srv_;
};
TestServer* MalformedHttp::srv_ = nullptr;

TEST_F(MalformedHttp, GarbageRequestLineIs400OrClosed) {
  expectRefused("GARBAGE\r\n\r\n");
  expectRefused("GET\r\n\r\n");
  expectRefused("GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n");
  expectRefused("G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n");
  expectRefused(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));  // a TLS hello on plain HTTP
}

TEST_F(MalformedHttp, HeaderOver16KiBIs431) {
  expectRefused("GET /api/v1/version HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n", 431);
  std::string many = "GET /api/v1/version HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 400; ++i) many += "X-H" + std::to_string(i) + ": " + std::string(50, 'b') + "\r\n";
  expectRefused(many + "\r\n", 431);
  // Just under the limit is fine.
  auto ok = srv_->client().request("GET", "/api/v1/version", "", {{"X-Big", std::string(15 * 1024, 'a')}});
  EXPECT_EQ(ok.status, 200);
}

TEST_F(MalformedHttp, AmbiguousFramingAndBadTargetsAre400) {
  expectRefused(
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  expectRefused("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
  expectRefused("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
  expectRefused("GET http://evil.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  expectRefused("GET /api/v1/orgs/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  expectRefused("GET /%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace vigil::test
