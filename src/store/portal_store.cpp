#include "store/portal_store.h"

namespace vigil {

std::string_view findingStatusName(PortalFindingStatus s) {
  return s == PortalFindingStatus::kOpen ? "open" : "resolved";
}

std::optional<webmon::Severity> parseWebSeverity(std::string_view s) {
  using webmon::Severity;
  for (Severity v : {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical})
    if (webSeverityName(v) == s) return v;
  return std::nullopt;
}

std::string_view webSeverityName(webmon::Severity s) {
  switch (s) {
    case webmon::Severity::kInfo: return "info";
    case webmon::Severity::kLow: return "low";
    case webmon::Severity::kMedium: return "medium";
    case webmon::Severity::kHigh: return "high";
    case webmon::Severity::kCritical: return "critical";
  }
  return "info";
}

std::string findingKeyOf(std::string_view check, std::string_view id, std::string_view url) {
  std::string k;
  k.reserve(check.size() + id.size() + url.size() + 2);
  k.append(check).append("/").append(id).append("/").append(url);
  return k;
}

std::string portalAlertKey(int64_t portalId, std::string_view check, std::string_view id, std::string_view url) {
  std::string k = "portal:" + std::to_string(portalId) + "|";
  k.append(check).append("/").append(id).append("|").append(url);
  return k;
}

bool alertWanted(const webmon::PortalRun& run, const webmon::Finding& f) {
  if (f.severity == webmon::Severity::kInfo) return false;
  if (!run.inMaintenance) return true;
  if (run.checkClass == webmon::CheckClass::kAvailability || run.checkClass == webmon::CheckClass::kContent)
    return false;
  if (f.check == "fetch") return false;  // the site down for maintenance, whatever the class
  if (f.check == "tls" && f.id.starts_with("cert")) return false;
  return true;
}

}  // namespace vigil
