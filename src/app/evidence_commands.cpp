// `vigil evidence verify-bundle FILE`: checks an evidence export bundle without a data directory or
// a configuration, so that whoever received it (police, national centre, court) can run it.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "evidence/bundle.h"

namespace vigil::app {

int evidenceVerifyBundle(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    std::cerr << "vigil: " << file << ": not a readable file\n";
    return 2;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) {
    std::cerr << "vigil: " << file << ": cannot be read\n";
    return 2;
  }
  auto report = evidence::verifyBundle(bytes.str());
  if (!report.ok()) {
    std::cerr << "vigil: " << file << ": " << report.error().message << "\n";
    return 2;
  }
  std::cout << evidence::formatReport(*report);
  return report->ok() ? 0 : 1;
}

}  // namespace vigil::app
