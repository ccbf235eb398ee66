#include "collect/relp_frame.h"

namespace vigil::collect {

namespace {

constexpr size_t kMaxDigits = 9;
constexpr size_t kMaxCommand = 32;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

RelpParseResult fail(uint32_t txnr, std::string error) {
  RelpParseResult r;
  r.status = RelpParse::kError;
  r.txnr = txnr;
  r.error = std::move(error);
  return r;
}

// Reads 1..9 digits at `pos` followed by a space (or, when `lfEnds`, by an LF); advances `pos`
// past the digits. kNeedMore/kError through `status`.
RelpParse number(std::string_view in, size_t& pos, uint32_t& value, bool lfEnds) {
  const size_t start = pos;
  value = 0;
  while (pos < in.size() && isDigit(in[pos])) {
    if (pos - start == kMaxDigits) return RelpParse::kError;
    value = value * 10 + static_cast<uint32_t>(in[pos] - '0');
    ++pos;
  }
  if (pos == in.size()) return RelpParse::kNeedMore;
  if (pos == start) return RelpParse::kError;
  if (in[pos] == ' ' || (lfEnds && in[pos] == '\n')) return RelpParse::kFrame;
  return RelpParse::kError;
}

}  // namespace

RelpParseResult parseRelpFrame(std::string_view in, size_t maxDataBytes) {
  RelpParseResult r;
  size_t pos = 0;
  uint32_t txnr = 0;
  switch (number(in, pos, txnr, false)) {
    case RelpParse::kNeedMore: return r;
    case RelpParse::kError: return fail(0, "bad TXNR (1 to 9 digits, then a space)");
    case RelpParse::kFrame: break;
  }
  ++pos;  // the space
  const size_t commandStart = pos;
  while (pos < in.size() && isAlpha(in[pos])) {
    if (pos - commandStart == kMaxCommand) return fail(txnr, "command longer than 32 letters");
    ++pos;
  }
  if (pos == in.size()) return r;
  if (pos == commandStart || in[pos] != ' ') return fail(txnr, "bad command (1 to 32 letters, then a space)");
  const std::string_view command = in.substr(commandStart, pos - commandStart);
  ++pos;
  uint32_t dataLen = 0;
  switch (number(in, pos, dataLen, true)) {
    case RelpParse::kNeedMore: return r;
    case RelpParse::kError: return fail(txnr, "bad DATALEN (1 to 9 digits)");
    case RelpParse::kFrame: break;
  }
  if (dataLen > maxDataBytes)
    return fail(txnr, "DATALEN " + std::to_string(dataLen) + " over the bound of " + std::to_string(maxDataBytes) +
                          " bytes (collect.max_frame_bytes)");
  size_t dataStart = pos;
  if (in[pos] == ' ') {
    dataStart = ++pos;
    if (dataLen == 0) {  // `0 SP LF`: tolerated
      if (pos == in.size()) return r;
    }
  } else if (dataLen > 0) {
    return fail(txnr, "DATALEN " + std::to_string(dataLen) + " but no data");
  }
  const size_t trailer = dataStart + dataLen;
  if (in.size() <= trailer) return r;
  if (in[trailer] != '\n')
    return fail(txnr, "no LF after the " + std::to_string(dataLen) + " data bytes (wrong DATALEN?)");
  r.status = RelpParse::kFrame;
  r.frame = {.txnr = txnr, .command = command, .data = in.substr(dataStart, dataLen)};
  r.consumed = trailer + 1;
  return r;
}

std::string relpResponse(uint32_t txnr, std::string_view data) {
  std::string out = std::to_string(txnr);
  out += " rsp ";
  out += std::to_string(data.size());
  if (!data.empty()) {
    out += ' ';
    out += data;
  }
  out += '\n';
  return out;
}

}  // namespace vigil::collect
