#include "core/log.h"

#include "core/text.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace vigil::log {
namespace {
bool gJson = false;

std::string render(std::string_view msg) { return gJson ? text::jsonQuote(msg) : std::string(msg); }
}  // namespace

void setup(const std::string& format, const std::string& level) {
  gJson = format == "json";
  auto logger = spdlog::stderr_logger_mt("vigil");
  spdlog::set_default_logger(logger);
  if (gJson)
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%v})", spdlog::pattern_time_type::utc);
  else
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(level));
}

void info(std::string_view msg) { spdlog::info("{}", render(msg)); }
void warn(std::string_view msg) { spdlog::warn("{}", render(msg)); }
void error(std::string_view msg) { spdlog::error("{}", render(msg)); }

}  // namespace vigil::log
