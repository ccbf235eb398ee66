// Process and classification catalogs: every file in catalogs/incident loads and fits the law's
// structure; broken files are refused with "file:line: row: what"; every version of a process
// in a folder is kept.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "incident/response_plan.h"
#include "incident_support.h"

namespace vigil::incident {
namespace {

using testing::lineOf;
using testing::readFile;
using testing::regimes;

TEST(IncidentCatalogs, EveryProcessFileLoadsWithSourcesOnEveryRow) {
  const auto& all = testing::library().all();
  ASSERT_EQ(all.size(), 3u);
  for (const auto& p : all) {
    SCOPED_TRACE(p->origin());
    EXPECT_FALSE(p->source().document.empty());
    for (const auto& s : p->steps()) {
      EXPECT_FALSE(s.source.document.empty()) << s.id;
      EXPECT_FALSE(s.source.article.empty()) << s.id;
      EXPECT_FALSE(s.name.empty()) << s.id;
      EXPECT_TRUE(p->role(s.lead)) << s.id;
      if (!s.verified) {
        EXPECT_FALSE(s.note.empty()) << s.id;
      }
    }
    for (const auto& d : p->deadlines()) EXPECT_FALSE(d.source.article.empty()) << d.id;
  }
}

TEST(IncidentCatalogs, EveryTomlFileUnderTheFolderIsCheckedByALoader) {
  namespace fs = std::filesystem;
  size_t processes = 0, plans = 0, others = 0;
  const fs::path planDir = fs::path(VIGIL_INCIDENT_CATALOG_DIR) / "plans";
  for (const auto& e : fs::recursive_directory_iterator(VIGIL_INCIDENT_CATALOG_DIR)) {
    if (!e.is_regular_file() || e.path().extension() != ".toml") continue;
    if (e.path().parent_path() == fs::path(testing::processDir())) {
      ++processes;
      continue;
    }
    if (e.path().parent_path() == planDir) {
      ++plans;
      continue;
    }
    ++others;
    SCOPED_TRACE(e.path().string());
    auto c = ClassificationCatalog::load(e.path().string(), regimes());
    EXPECT_TRUE(c.ok()) << c.error().message;
  }
  EXPECT_EQ(processes, testing::library().all().size());
  // Response plans: each file is one plan, read by the plan loader (its own tests are in
  // tests/evidence/response_plan_test.cpp).
  auto planLibrary = PlanLibrary::loadDirectory(planDir.string(), testing::library());
  ASSERT_TRUE(planLibrary.ok()) << planLibrary.error().message;
  EXPECT_EQ(plans, planLibrary->all().size());
  EXPECT_EQ(others, 1u) << "a new kind of file needs its loader and a test";
}

TEST(IncidentCatalogs, RegimeAHasTheFourPhasesOfCircular20WithTheLoopBack) {
  auto p = testing::process("A-TT20");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->regime(), "A_ND85_TT12");
  ASSERT_EQ(p->phases().size(), 4u);
  EXPECT_EQ(p->startStep().id, "receive_verify");
  EXPECT_EQ(p->startStep().name, "Tiếp nhận, xác minh sự cố");
  // Phase 1 has the six steps a) to e) of Art. 11.1.
  int phase1 = 0;
  for (const auto& s : p->steps()) phase1 += s.phase == 1 ? 1 : 0;
  EXPECT_EQ(phase1, 6);
  const Step* verify = p->step("verify");
  ASSERT_TRUE(verify);
  EXPECT_EQ(verify->source.cite(), "Thông tư 20/2017/TT-BTTTT, Điều 11 khoản 3.c");
  EXPECT_NE(std::find(verify->next.begin(), verify->next.end(), "contain"), verify->next.end());
  EXPECT_NE(std::find(verify->next.begin(), verify->next.end(), "eradicate"), verify->next.end());
  EXPECT_TRUE(p->step("review")->final);
  // The seed plan's coordinating units on the first step.
  EXPECT_EQ(p->startStep().coordinating, (std::vector<std::string>{"provincial_police", "response_team"}));
  const StepOutput* form04 = p->output("form04");
  ASSERT_TRUE(form04);
  EXPECT_EQ(form04->kind, OutputKind::kForm);
  EXPECT_EQ(form04->form, "tt20-mau-04");
}

TEST(IncidentCatalogs, TheSeriousPathHasTheSevenStepsOfDecision05AndHandsNormalOnesBack) {
  auto p = testing::process("A-QD05-serious");
  ASSERT_TRUE(p);
  int numbered = 0;
  for (const auto& s : p->steps())
    if (s.id != "hand_back") {
      ++numbered;
      EXPECT_EQ(s.source.article, "14") << s.id;
      EXPECT_EQ(s.source.clause, std::to_string(numbered)) << s.id;
    }
  EXPECT_EQ(numbered, 7);
  EXPECT_EQ(p->step("hand_back")->handsOverTo, "A-TT20");
}

TEST(IncidentCatalogs, RegimeBFollowsDecree333Article9WithTheDecree331Deadlines) {
  auto p = testing::process("B-ND331");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->regime(), "B_ND331_TCVN14423");
  // Art. 9.7 a, b, c, d, e in order (đ is the duty of third parties to cooperate, not a step).
  const std::vector<std::string> clauses = {"7.a", "7.b", "7.c", "7.d", "7.e"};
  ASSERT_EQ(p->steps().size(), clauses.size());
  for (size_t i = 0; i < clauses.size(); ++i) {
    EXPECT_EQ(p->steps()[i].source.document, "Nghị định 333/2026/NĐ-CP");
    EXPECT_EQ(p->steps()[i].source.clause, clauses[i]) << p->steps()[i].id;
  }
  EXPECT_EQ(p->step("notify_bca")->name, "Thông báo cho lực lượng chuyên trách bảo vệ an ninh mạng có thẩm quyền");
  ASSERT_EQ(p->deadlines().size(), 4u);
  int nd331 = 0;
  for (const auto& d : p->deadlines())
    nd331 += d.source.cite() == "Nghị định 331/2026/NĐ-CP, Điều 31 khoản 2.d" ? 1 : 0;
  EXPECT_EQ(nd331, 3);
}

TEST(IncidentCatalogs, TheClassificationCatalogLoads) {
  const auto& c = testing::classification();
  EXPECT_EQ(c.version(), 1);
  ASSERT_FALSE(c.tests().empty());
  for (const auto& t : c.tests()) {
    EXPECT_FALSE(t.source.document.empty()) << t.id;
    if (!t.verified) {
      EXPECT_FALSE(t.note.empty()) << t.id;
    }
  }
  EXPECT_EQ(c.severities().back().id, "low");
}

TEST(IncidentCatalogs, AFolderKeepsEveryVersionAndNewIncidentsTakeTheLatest) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vigil-incident-versions-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string v1 = readFile(testing::processPath("a-tt20.v1.toml"));
  std::string v2 = v1;
  v2.replace(v2.find("version = 1"), 11, "version = 2");
  std::ofstream(dir / "a-tt20.v1.toml") << v1;
  std::ofstream(dir / "a-tt20.v2.toml") << v2;
  std::ofstream(dir / "a-qd05.v1.toml") << readFile(testing::processPath("a-qd05-serious.v1.toml"));
  auto lib = ProcessLibrary::loadDirectory(dir.string(), regimes());
  ASSERT_TRUE(lib.ok()) << lib.error().message;
  ASSERT_TRUE(lib->find("A-TT20", 1));
  ASSERT_TRUE(lib->find("A-TT20", 2));
  EXPECT_FALSE(lib->find("A-TT20", 3));
  EXPECT_EQ(lib->latest("A-TT20")->version(), 2);

  // The same id and version twice is refused, naming both files.
  std::ofstream(dir / "a-tt20.copy.toml") << v1;
  auto dup = ProcessLibrary::loadDirectory(dir.string(), regimes());
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("A-TT20@v1' is also used by"), std::string::npos) << dup.error().message;
  fs::remove(dir / "a-tt20.copy.toml");

  // A hand-over to a process no file defines.
  fs::remove(dir / "a-tt20.v1.toml");
  fs::remove(dir / "a-tt20.v2.toml");
  auto orphan = ProcessLibrary::loadDirectory(dir.string(), regimes());
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().message.find("hands over to unknown process 'A-TT20'"), std::string::npos)
      << orphan.error().message;
  fs::remove_all(dir);
}

struct Broken {
  const char* file;
  compliance::testing::Mutation mutation;
};

TEST(IncidentCatalogs, BrokenProcessFilesAreRefusedWithFileLineAndWhat) {
  const std::vector<Broken> cases = {
      {"a-tt20.v1.toml",
       {"unknown next step", "next = [\"recover\"]", "next = [\"restore\"]", "next = [\"restore\"]",
        "step eradicate: unknown next step 'restore'"}},
      {"a-tt20.v1.toml",
       {"unreachable step (nothing leads to handle_violations)",
        "next = [\"contain\", \"eradicate\", \"handle_violations\", \"review\"]",
        "next = [\"contain\", \"eradicate\", \"review\"]", "[[step]]\nid = \"handle_violations\"",
        "step handle_violations: unreachable"}},
      {"a-tt20.v1.toml",
       {"missing source on a step",
        "source = { document = \"Thông tư 20/2017/TT-BTTTT\", article = \"11\", clause = \"3.b\" }\n", "",
        "[[step]]\nid = \"recover\"", "step recover: missing source"}},
      {"a-tt20.v1.toml",
       {"unknown lead role", "lead = \"steering_committee\"\ncoordinating = [\"operator\", \"owner\"",
        "lead = \"committee\"\ncoordinating = [\"operator\", \"owner\"", "lead = \"committee\"",
        "step direct: unknown role 'committee'"}},
      {"a-tt20.v1.toml",
       {"a second start step",
        "id = \"first_response\"\nname = \"Triển khai các bước ưu tiên ứng cứu ban đầu\"\nphase = 1\n",
        "id = \"first_response\"\nname = \"Triển khai các bước ưu tiên ứng cứu ban đầu\"\nphase = 1\nstart = true\n",
        "[[step]]\nid = \"first_response\"", "step first_response: a second start step"}},
      {"a-tt20.v1.toml",
       {"a final step with next steps", "phase = 4\nfinal = true\n",
        "phase = 4\nfinal = true\nnext = [\"handle_violations\"]\n", "next = [\"handle_violations\"]\n",
        "step review: a final step has no next steps"}},
      {"a-tt20.v1.toml",
       {"unknown phase", "phase = 4\nfinal", "phase = 5\nfinal", "phase = 5", "step review: unknown phase"}},
      {"a-tt20.v1.toml",
       {"unknown output kind", "kind = \"evidence\"\nlabel = \"Chứng cứ ban đầu",
        "kind = \"photo\"\nlabel = \"Chứng cứ ban đầu", "kind = \"photo\"",
        "output initial_evidence: unknown kind 'photo'"}},
      {"a-tt20.v1.toml",
       {"immediate deadline without an internal target", "unit = \"immediate\"\ninternal_target_hours = 2\n",
        "unit = \"immediate\"\n", "[[deadline]]\nid = \"initial_report\"",
        "deadline initial_report: an immediate deadline needs internal_target_hours"}},
      {"a-tt20.v1.toml",
       {"deadline met by an unknown output", "met_by = \"form04\"", "met_by = \"form05\"", "met_by = \"form05\"",
        "deadline end_report: met_by 'form05' is not an output of any step"}},
      {"a-tt20.v1.toml",
       {"deadline from an unknown event", "from = \"response_ended\"", "from = \"closed\"", "from = \"closed\"",
        "deadline end_report: unknown event 'closed'"}},
      {"a-tt20.v1.toml",
       {"unknown unit", "amount = 5\nunit = \"calendar_days\"\nmet_by = \"notification\"",
        "amount = 5\nunit = \"days\"\nmet_by = \"notification\"", "unit = \"days\"",
        "deadline notification: unknown unit 'days'"}},
      {"a-tt20.v1.toml",
       {"unknown key",
        "blocks = false\nsource = { document = \"Thông tư 20/2017/TT-BTTTT\", article = \"11\", clause = \"1.đ\" }",
        "blocking = false\nsource = { document = \"Thông tư 20/2017/TT-BTTTT\", article = \"11\", clause = \"1.đ\" }",
        "blocking = false", "step report: unknown key 'blocking'"}},
      {"a-tt20.v1.toml",
       {"an unverified step without a note", "clause = \"1.a\" }\n[[step.output]]",
        "clause = \"1.a\" }\nverified = false\n[[step.output]]", "[[step]]\nid = \"receive_verify\"",
        "step receive_verify: an unverified step needs a note"}},
      {"a-tt20.v1.toml",
       {"version is not a number", "version = 1", "version = \"1\"", "version = \"1\"",
        "process: version must be a positive integer"}},
      {"a-tt20.v1.toml",
       {"syntax error", "[[step]]\nid = \"recover\"", "[[step]\nid = \"recover\"", "[[step]\nid = \"recover\"",
        "syntax error"}},
      {"b-nd331.v1.toml",
       {"unknown condition", "when = [\"serious\"]", "when = [\"grave\"]", "when = [\"grave\"]",
        "deadline serious_notice_24h: unknown condition 'grave'"}},
      {"b-nd331.v1.toml",
       {"unknown regime", "regime = \"B_ND331_TCVN14423\"", "regime = \"C\"", "regime = \"C\"",
        "process: unknown regime 'C'"}},
  };
  for (const auto& c : cases) {
    const std::string original = readFile(testing::processPath(c.file));
    compliance::testing::expectRefused(original, "origin.toml", c.mutation, [](const std::string& text) {
      return ProcessCatalog::parse(text, "origin.toml", regimes());
    });
  }
}

// A small process: a -> b -> c -> b is a loop nothing leaves; a -> d is the exit.
const char* kLoopProcess = R"([process]
id = "T"
version = 1
regime = "A_ND85_TT12"
name = "t"
effective = 2020-01-01
source = { document = "x", article = "1" }
[[role]]
id = "operator"
name = "o"
[[phase]]
id = 1
name = "p"
source = { document = "x", article = "1" }
[[step]]
id = "a"
name = "a"
phase = 1
start = true
lead = "operator"
next = ["b", "d"]
source = { document = "x", article = "2" }
[[step]]
id = "b"
name = "b"
phase = 1
lead = "operator"
next = ["c", "d"]
source = { document = "x", article = "3" }
[[step]]
id = "c"
name = "c"
phase = 1
lead = "operator"
next = ["b"]
source = { document = "x", article = "4" }
[[step]]
id = "d"
name = "d"
phase = 1
final = true
lead = "operator"
source = { document = "x", article = "5" }
)";

TEST(IncidentCatalogs, ACycleWithoutAnExitIsRefused) {
  ASSERT_TRUE(ProcessCatalog::parse(kLoopProcess, "loop.toml", regimes()).ok());
  compliance::testing::expectRefused(
      kLoopProcess, "loop.toml",
      {"b no longer leaves the loop", "next = [\"c\", \"d\"]", "next = [\"c\"]", "[[step]]\nid = \"b\"",
       "step b: no final step can be reached from here (a cycle without an exit)"},
      [](const std::string& text) { return ProcessCatalog::parse(text, "loop.toml", regimes()); });
  compliance::testing::expectRefused(
      kLoopProcess, "loop.toml",
      {"a step nothing leads to", "next = [\"b\", \"d\"]", "next = [\"d\"]", "[[step]]\nid = \"b\"",
       "step b: unreachable"},
      [](const std::string& text) { return ProcessCatalog::parse(text, "loop.toml", regimes()); });
}

TEST(IncidentCatalogs, BrokenClassificationFilesAreRefusedWithFileLineAndWhat) {
  const std::vector<compliance::testing::Mutation> cases = {
      {"unknown fact in a test", "all_of = [\"owner_cannot_handle\"]", "all_of = [\"owner_unable\"]",
       "all_of = [\"owner_unable\"]", "test A-serious: unknown fact 'owner_unable'"},
      {"unknown flag", "flag = \"complex\"", "flag = \"tricky\"", "flag = \"tricky\"",
       "test B-complex: unknown flag 'tricky'"},
      {"level out of range",
       "levels = [4, 5]\ncritical = true\nany_of = [\"service_interruption\", \"secret_disclosure\", "
       "\"integrity_unrecoverable\", \"loss_of_control\", \"wide_spread\"]\n",
       "levels = [4, 6]\ncritical = true\nany_of = [\"service_interruption\", \"secret_disclosure\", "
       "\"integrity_unrecoverable\", \"loss_of_control\", \"wide_spread\"]\n",
       "levels = [4, 6]", "test A-serious: unknown level"},
      {"missing source on a fact",
       "source = { document = \"Quyết định 05/2017/QĐ-TTg\", article = \"9\", clause = \"2\" }\n", "",
       "[[fact]]\nid = \"owner_cannot_handle\"", "fact owner_cannot_handle: missing source"},
      {"the default severity is not last", "[[severity]]\nid = \"low\"\nlabel = \"Thấp (nội bộ)\"\n",
       "[[severity]]\nid = \"low\"\nlabel = \"Thấp (nội bộ)\"\nmin_level = 1\n", "[[severity]]\nid = \"low\"",
       "severity low: exactly the last [[severity]] row has no condition"},
  };
  const std::string original = readFile(testing::classificationPath());
  for (const auto& m : cases)
    compliance::testing::expectRefused(original, "origin.toml", m, [](const std::string& text) {
      return ClassificationCatalog::parse(text, "origin.toml", regimes());
    });
}

}  // namespace
}  // namespace vigil::incident
