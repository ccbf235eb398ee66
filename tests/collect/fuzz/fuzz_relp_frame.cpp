// Fuzz target: the RELP frame parser. Frames are cut from the input the way the listener cuts
// them (parse, consume, parse again). A frame never claims more bytes than it was given, its
// data never exceeds the bound and lies inside the input, and an answer frame always parses back.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collect/relp_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::collect;
  if (size == 0) return 0;
  const size_t bound = data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!in.empty()) {
    const RelpParseResult r = parseRelpFrame(in, bound);
    if (r.status == RelpParse::kNeedMore) break;
    if (r.status == RelpParse::kError) {
      if (r.error.empty()) std::abort();
      break;
    }
    if (r.consumed == 0 || r.consumed > in.size() || r.frame.data.size() > bound || r.frame.command.empty() ||
        r.frame.data.data() < in.data() || r.frame.data.data() + r.frame.data.size() > in.data() + in.size())
      std::abort();
    const std::string answer = relpResponse(r.frame.txnr, r.frame.data);
    const RelpParseResult back = parseRelpFrame(answer, answer.size());
    if (r.frame.txnr > 0 &&
        (back.status != RelpParse::kFrame || back.frame.data != r.frame.data || back.consumed != answer.size()))
      std::abort();
    in.remove_prefix(r.consumed);
  }
  return 0;
}
