// Fuzz target: the syslog header parser. Whatever the bytes, it returns a message that keeps the
// raw text, and every view lies inside the input or the message's owned buffer.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/syslog.h"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ingest;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  ParseOptions o;
  o.receivedUs = 1'795'996'800'000'000;
  const SyslogMessage m = parseSyslog(in, o);
  if (m.raw.data() != in.data() || m.raw.size() != in.size()) std::abort();
  for (std::string_view v :
       {m.hostname, m.appName, m.procId, m.msgId, m.tag, m.structuredData, m.msg, m.timestampText, m.content})
    if (!inside(v, in)) std::abort();
  if (m.pri < 0 || m.pri > 191 || facilityName(m.facility).empty() || severityName(m.severity).empty()) std::abort();
  if (m.format == SyslogFormat::kUnknown && m.msg.size() != in.size()) std::abort();
  const std::string_view owned = m.owned ? std::string_view(m.owned.get(), in.size()) : std::string_view();
  for (const SdElement& el : m.sdElements) {
    if (!inside(el.id, in) || el.firstParam + el.paramCount > m.sdParams.size()) std::abort();
  }
  for (const SdParam& p : m.sdParams)
    if (!inside(p.name, in) || !(inside(p.value, in) || inside(p.value, owned))) std::abort();
  return 0;
}
