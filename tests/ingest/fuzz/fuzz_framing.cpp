// Fuzz target: the RFC 6587 stream framer. The first byte chooses the read size; frames never
// exceed the maximum frame size, and together never hold more bytes than were fed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/framing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ingest;
  if (size == 0) return 0;
  const size_t chunk = data[0] % 17 + 1;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  StreamFramer framer(FramerOptions{.maxFrameBytes = 64});
  size_t total = 0;
  auto check = [&](const Frame& f) {
    if (f.data.size() > 64 || f.data.empty()) std::abort();
    total += f.data.size();
  };
  for (size_t i = 0; i < in.size(); i += chunk) {
    framer.push(in.substr(i, chunk));
    while (auto f = framer.next()) check(*f);
  }
  if (auto f = framer.finish()) check(*f);
  if (total > in.size() || (framer.stats().frames == 0 && total != 0)) std::abort();
  (void)datagramMessage(in);
  return 0;
}
