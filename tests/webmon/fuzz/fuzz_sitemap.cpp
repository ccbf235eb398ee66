// Fuzz target: the sitemap reader and the defacement baseline reader. Any bytes: parseSitemap()
// returns entries or an error without crashing or expanding entities (an entry's loc is never
// longer than the input); gunzipBounded() never returns more than its bound; the bytes read as a
// stored "deface.baseline:<url>" value give a result or an error, and a result's baseline text is
// read back without error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "webmon/crawl.h"
#include "webmon/defacement.h"

namespace {
const vigil::webmon::DefacementSignatures& signatures() {
  static const auto sig = vigil::webmon::DefacementSignatures::parse(
      "[[phrase]]\ntext = \"hacked by\"\n[[phrase]]\ntext = \"greetz\"\nstrong = false\n", "fuzz signatures");
  if (!sig.ok()) std::abort();
  return *sig;
}

void checkSitemap(std::string_view xml) {
  auto map = vigil::webmon::parseSitemap(xml, "fuzz", 1000);
  if (!map.ok()) return;
  if (map->entries.size() > 1000) std::abort();
  for (const auto& e : map->entries)
    if (e.loc.empty() || e.loc.size() > xml.size() || e.lastmod.size() > xml.size()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  checkSitemap(in);
  constexpr size_t kBound = 1 << 20;
  if (auto plain = vigil::webmon::gunzipBounded(in, kBound, "fuzz"); plain.ok()) {
    if (plain->size() > kBound) std::abort();
    checkSitemap(*plain);
  }
  static const std::string kPage =
      "<html><head><title>Xã A</title></head><body><header><img class=logo src=/l.png></header>"
      "<nav><a href=/a>a</a></nav><main><p>tin</p></main><footer>UBND</footer></body></html>";
  const auto facts = vigil::webmon::analyzePage(kPage, "https://xa.gov.vn/");
  const auto fp = vigil::webmon::fingerprintPage(kPage, "https://xa.gov.vn/", facts);
  auto r = vigil::webmon::evaluateDefacement(fp, facts, "https://xa.gov.vn/", signatures(), std::string(in));
  if (r.ok() && !r->baseline.empty()) {
    auto again = vigil::webmon::evaluateDefacement(fp, facts, "https://xa.gov.vn/", signatures(), r->baseline);
    if (!again.ok()) std::abort();
  }
  return 0;
}
