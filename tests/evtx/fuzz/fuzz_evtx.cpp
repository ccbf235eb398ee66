// Fuzz target of the EVTX reader: arbitrary bytes as an .evtx file (libevtx through
// readEvtxBuffer, the XML of each record through pugixml) and the Windows mapping on every event.
// Must never crash, hang or leak; damaged input only shows in the counts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "evtx/evtx_reader.h"
#include "evtx/windows_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vigil::evtx::WindowsMapping mapping = [] {
    auto loaded = vigil::evtx::WindowsMapping::load(VIGIL_WINDOWS_MAPPING_DIR);
    return loaded.ok() ? std::move(*loaded) : vigil::evtx::WindowsMapping{};
  }();
  auto stats = vigil::evtx::readEvtxBuffer(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz",
                                           [&](vigil::normalize::Event& event) {
                                             vigil::evtx::applyWindowsMapping(mapping, event);
                                             return true;
                                           });
  (void)stats;
  return 0;
}
