// The rendered files open in LibreOffice: a DOCX and an XLSX converted to PDF by LibreOffice
// headless (Debian's libreoffice-writer-nogui / -calc-nogui), the PDF's text extracted with
// pdftotext (poppler-utils) and searched for the Vietnamese values. Skipped, saying why, when
// either program is absent. Programs run with posix_spawn and an argv array, never a shell.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "documents/form_library.h"
#include "documents/xlsx.h"
#include "documents/xlsx_reader.h"
#include "test_util.h"

extern char** environ;

namespace vigil::documents {
namespace {

namespace fs = std::filesystem;

std::string findProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path p = fs::path(dir) / name;
    if (!dir.empty() && ::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

// Runs argv in its own process group with HOME set to `home`, stdout and stderr to `log`; kills
// the group after `timeout`. Returns the exit status, or -1 on a spawn failure or timeout.
int run(const std::vector<std::string>& argv, const fs::path& home, const fs::path& log, std::chrono::seconds timeout) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> envStore;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("HOME=", 0) != 0) envStore.emplace_back(*e);
  envStore.push_back("HOME=" + home.string());
  std::vector<char*> env;
  for (auto& e : envStore) env.push_back(e.data());
  env.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(-pid, SIGKILL);  // a helper LibreOffice left behind, if any
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

// Drops all white space: line wrapping and justified text (where pdftotext may split a word) do
// not matter, the letters and their order do.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') out += c;
  return out;
}

TEST(LibreOffice, RenderedDocxAndXlsxConvertToPdfWithVietnameseIntact) {
  const std::string soffice = findProgram("libreoffice").empty() ? findProgram("soffice") : findProgram("libreoffice");
  const std::string pdftotext = findProgram("pdftotext");
  if (soffice.empty() || pdftotext.empty())
    GTEST_SKIP() << "LibreOffice or pdftotext not installed (scripts/install-deps.sh test installs "
                    "libreoffice-writer-nogui, libreoffice-calc-nogui and poppler-utils)";

  auto lib = FormLibrary::load(test::templatesDir());
  ASSERT_TRUE(lib.ok()) << lib.error().message;
  auto docx = (*lib)->renderDocx("nd331-mau-04", test::loadSample("nd331-mau-04"));
  ASSERT_TRUE(docx.ok()) << docx.error().message;
  auto xlsx = (*lib)->renderXlsx("nd331-mau-08", test::loadSample("nd331-mau-08"));
  ASSERT_TRUE(xlsx.ok()) << xlsx.error().message;

  char pattern[] = "/tmp/vigil-lo-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const fs::path dir = pattern;
  std::ofstream(dir / "mau04.docx", std::ios::binary) << docx->bytes;
  std::ofstream(dir / "mau08.xlsx", std::ios::binary) << xlsx->bytes;
  const fs::path log = dir / "convert.log";
  const int rc = run({soffice, "-env:UserInstallation=file://" + (dir / "lo-profile").string(), "--headless",
                      "--norestore", "--convert-to", "pdf", "--outdir", (dir / "out").string(),
                      (dir / "mau04.docx").string(), (dir / "mau08.xlsx").string()},
                     dir, log, std::chrono::seconds(180));
  ASSERT_EQ(rc, 0) << "LibreOffice failed: " << readAll(log);
  for (const char* name : {"mau04", "mau08"}) {
    const fs::path pdf = dir / "out" / (std::string(name) + ".pdf");
    ASSERT_TRUE(fs::exists(pdf)) << name << ": " << readAll(log);
    ASSERT_EQ(run({pdftotext, "-enc", "UTF-8", pdf.string(), (dir / (std::string(name) + ".txt")).string()}, dir, log,
                  std::chrono::seconds(60)),
              0)
        << readAll(log);
  }
  const std::string letter = squeeze(readAll(dir / "mau04.txt"));
  for (const char* expected :
       {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "CÔNG AN TỈNH TUYÊN QUANG",
        "Tuyên Quang, ngày 05 tháng 02 năm 2027", "Kính gửi: Sở Nội vụ tỉnh Tuyên Quang.",
        "hệ thống thông tin đối với Cổng thông tin điện tử tỉnh Tuyên Quang",
        "tại Điều 13 & phương án \"Đạt yêu cầu\".", "<không có ý kiến khác>",
        "Căn cứ Quyết định số 12/2025/QĐ-UBND của Ủy ban nhân dân tỉnh;",
        "Hồ sơ đề xuất cấp độ hệ thống thông tin là phù hợp", "Nguyễn Thị Hằng"})
    EXPECT_NE(letter.find(squeeze(expected)), std::string::npos) << "not in the PDF of Mẫu 04: " << expected << "\n"
                                                                 << letter;
  const std::string sheet = squeeze(readAll(dir / "mau08.txt"));
  for (const char* expected : {"BÁO CÁO KẾT QUẢ CÔNG TÁC BẢO ĐẢM AN NINH MẠNG HỆ THỐNG THÔNG TIN",
                               "Ủy ban nhân dân tỉnh Tuyên Quang (số liệu từ 15/12/2026 đến 14/12/2027)",
                               "Tổng số hệ thống thông tin thuộc phạm vi quản lý", "97", "Tổng cộng"})
    EXPECT_NE(sheet.find(squeeze(expected)), std::string::npos) << "not in the PDF of Mẫu 08: " << expected << "\n"
                                                                << sheet;
  fs::remove_all(dir);
}

// A sheet written by LibreOffice (our workbook opened and saved again as XLSX by LibreOffice
// Calc, which rewrites every part its own way) reads back to the same rows as our own file.
TEST(LibreOffice, SheetSavedByLibreOfficeReadsBackLikeOurs) {
  const std::string soffice = findProgram("libreoffice").empty() ? findProgram("soffice") : findProgram("libreoffice");
  if (soffice.empty())
    GTEST_SKIP() << "LibreOffice not installed (scripts/install-deps.sh test installs libreoffice-calc-nogui)";
  XlsxSheet s;
  s.name = "Hệ thống";
  s.columns = {{.header = "org_id"}, {.header = "tên"}, {.header = "ngày"}, {.header = "ghi chú"}};
  s.rows = {{12.0, std::string("Cổng dịch vụ công tỉnh Tuyên Quang"), Date{2025, 6, 1}, std::string("Sở KH&CN")},
            {7.0, std::string("Một cửa điện tử"), std::monostate{}, std::string("dòng có \"ngoặc\"")},
            {0.25, std::monostate{}, Date{2026, 12, 31}, std::string("")}};
  auto ours = writeXlsx({s});
  ASSERT_TRUE(ours.ok()) << ours.error().message;

  char pattern[] = "/tmp/vigil-lo-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const fs::path dir = pattern;
  std::ofstream(dir / "systems.xlsx", std::ios::binary) << *ours;
  const fs::path log = dir / "convert.log";
  const int rc =
      run({soffice, "-env:UserInstallation=file://" + (dir / "lo-profile").string(), "--headless", "--norestore",
           "--convert-to", "xlsx", "--outdir", (dir / "out").string(), (dir / "systems.xlsx").string()},
          dir, log, std::chrono::seconds(180));
  ASSERT_EQ(rc, 0) << "LibreOffice failed: " << readAll(log);
  const std::string theirs = readAll(dir / "out" / "systems.xlsx");
  ASSERT_FALSE(theirs.empty()) << readAll(log);
  ASSERT_NE(theirs, *ours);
  if (const char* corpus = std::getenv("VIGIL_WRITE_XLSX_CORPUS"); corpus && *corpus)
    std::ofstream(fs::path(corpus) / "libreoffice.xlsx", std::ios::binary) << theirs;
  fs::remove_all(dir);

  auto a = readXlsx(*ours);
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = readXlsx(theirs);
  ASSERT_TRUE(b.ok()) << b.error().message;
  const std::vector<std::vector<std::string>> expected = {
      {"org_id", "tên", "ngày", "ghi chú"},
      {"12", "Cổng dịch vụ công tỉnh Tuyên Quang", "2025-06-01", "Sở KH&CN"},
      {"7", "Một cửa điện tử", "", "dòng có \"ngoặc\""},
      {"0.25", "", "2026-12-31"}};
  EXPECT_EQ(a->rows, expected);
  EXPECT_EQ(b->rows, expected);
  EXPECT_EQ(b->sheetName, "Hệ thống");
}

}  // namespace
}  // namespace vigil::documents
