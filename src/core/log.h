// Logging: spdlog underneath, set up once by the program (text or JSON lines). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil::log {

// format: "text" or "json"; level: trace..error.
void setup(const std::string& format, const std::string& level);

void info(std::string_view msg);
void warn(std::string_view msg);
void error(std::string_view msg);

}  // namespace vigil::log
