// The RELP frame (librelp's doc/relp.html): `TXNR SP COMMAND SP DATALEN [SP DATA] LF`, TXNR and
// DATALEN of 1 to 9 digits, COMMAND of 1 to 32 letters, DATA of exactly DATALEN octets (absent
// when DATALEN is 0). Used by the RELP listener (relp_listener.cpp) and its fuzz target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::collect {

struct RelpFrame {
  uint32_t txnr = 0;
  std::string_view command;  // "open", "syslog", "close", ...
  std::string_view data;     // DATALEN octets; views into the parsed text
};

enum class RelpParse : uint8_t { kFrame, kNeedMore, kError };

struct RelpParseResult {
  RelpParse status = RelpParse::kNeedMore;
  RelpFrame frame;      // kFrame only
  size_t consumed = 0;  // kFrame: bytes of the whole frame, trailer included
  uint32_t txnr = 0;    // kError: the frame's TXNR when it was read (0: not known)
  std::string error;    // kError: what is wrong, e.g. "DATALEN 70000 over the bound of 65536 bytes"
};

// Parses the frame at the start of `in`. kNeedMore when `in` is a valid beginning of a frame (at
// most 53 bytes of header then up to DATALEN + 1 more); kError as soon as a byte cannot belong to
// a valid frame or DATALEN exceeds `maxDataBytes`. With DATALEN 0 a space before the LF is
// tolerated (some clients send `1 close 0 \n`).
RelpParseResult parseRelpFrame(std::string_view in, size_t maxDataBytes);

// The "rsp" frame answering `txnr`: `TXNR rsp DATALEN SP DATA LF`.
std::string relpResponse(uint32_t txnr, std::string_view data);

}  // namespace vigil::collect
