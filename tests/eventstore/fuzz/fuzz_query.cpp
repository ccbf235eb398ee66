// Fuzz target: the event store's query parser and matcher. Any input either parses (and the
// matcher then runs on a fixed event without crashing) or fails with a "column N: ..." error.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "eventstore/query.h"

using namespace vigil::eventstore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = parseQuery(in);
  if (!parsed.ok()) {
    if (parsed.error().message.rfind("column ", 0) != 0) std::abort();
    return 0;
  }
  (void)toString(*parsed);
  static const std::string raw = "Failed password for Nguyễn from 10.0.0.5 port 22 ssh2";
  const FieldView fields[] = {
      {"user.name", vigil::normalize::ValueType::kString, std::string_view(raw).substr(20, 8), 0},
      {"source.port", vigil::normalize::ValueType::kInt, "22", 22},
      {"source.ip", vigil::normalize::ValueType::kIp, "10.0.0.5", 0},
  };
  EventView e{1795514400000000LL, 1, 2, 1795514400000001LL, raw, fields, 3};
  Matcher m(*parsed);
  Matcher::Scratch scratch;
  (void)m.matches(e, scratch);
  const uint64_t words[2] = {~0ull, 0};
  (void)m.mayMatch(TermFilter{words, 128, 10});
  return 0;
}
