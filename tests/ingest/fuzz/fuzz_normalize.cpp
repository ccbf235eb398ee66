// Fuzz target: header parsing plus normalisation with the real catalog (catalogs/normalize/).
// Whatever the bytes, the event keeps the raw text, has a @timestamp and a message, and every
// field has a non-empty name.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ingest/syslog.h"
#include "normalize/normalizer.h"

namespace {
const vigil::normalize::Normalizer& normalizer() {
  static const vigil::normalize::Normalizer* n = [] {
    auto r = vigil::normalize::Normalizer::load(VIGIL_NORMALIZE_CATALOG_DIR);
    if (!r) {  // the catalog in the source tree must load
      std::fprintf(stderr, "catalog: %s\n", r.error().message.c_str());
      std::abort();
    }
    return new vigil::normalize::Normalizer(std::move(*r));
  }();
  return *n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::ingest::ParseOptions o;
  o.receivedUs = 1'795'489'200'000'000;
  const vigil::ingest::SyslogMessage m = vigil::ingest::parseSyslog(in, o);
  const vigil::normalize::Event e = normalizer().normalize(m, {1, 2, o.receivedUs});
  if (e.raw() != in) std::abort();
  if (!e.has("@timestamp") || !e.has("message")) std::abort();
  for (size_t i = 0; i < e.size(); ++i)
    if (e.nameAt(i).empty()) std::abort();
  return 0;
}
