#include "portals/run_recorder.h"

#include <zstd.h>

#include "core/crypto.h"

namespace vigil::portals {

namespace {

// `s` cut to at most `maxBytes` without splitting a UTF-8 sequence.
std::string cutUtf8(std::string s, size_t maxBytes) {
  if (s.size() <= maxBytes) return s;
  size_t n = maxBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

AlertSeverity alertSeverityOf(webmon::Severity s) {
  switch (s) {
    case webmon::Severity::kInfo:
    case webmon::Severity::kLow: return AlertSeverity::kLow;
    case webmon::Severity::kMedium: return AlertSeverity::kMedium;
    case webmon::Severity::kHigh: return AlertSeverity::kHigh;
    case webmon::Severity::kCritical: return AlertSeverity::kCritical;
  }
  return AlertSeverity::kMedium;
}

// The host of an http(s) URL ("" when there is none): what follows "://" up to the first '/',
// '?', '#', without user info and port.
std::string hostOf(const std::string& url) {
  const size_t start = url.find("://");
  if (start == std::string::npos) return {};
  std::string rest = url.substr(start + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

}  // namespace

Result<std::string> compress(std::string_view bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
  if (ZSTD_isError(n)) return Error::internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> decompress(std::string_view frame, int64_t maxBytes) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    return Error::internal("stored evidence is not a zstd frame with its size");
  if (size > static_cast<unsigned long long>(maxBytes))
    return Error::of(ErrorCode::kPayloadTooLarge, "stored evidence of " + std::to_string(size) +
                                                      " bytes is larger than the limit of " + std::to_string(maxBytes) +
                                                      " bytes");
  std::string out(size, '\0');
  const size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size)
    return Error::internal(std::string("stored evidence is damaged: ") +
                           (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame"));
  return out;
}

AlertDraft alertOf(const RecordedRun& run, const FindingChange& change) {
  const PortalFinding& f = change.finding;
  AlertDraft d;
  d.orgId = run.orgId;
  d.systemId = run.systemId;
  d.asset = cutUtf8(hostOf(run.portalUrl), 500);
  d.detector = DetectorKind::kWeb;
  d.ruleId = cutUtf8("webmon." + f.check + "." + f.findingId, 200);
  d.ruleTitle = cutUtf8("Giám sát cổng thông tin: " + f.check + " / " + f.findingId, 500);
  d.severity = alertSeverityOf(f.severity);
  d.dedupKey = cutUtf8(f.alertKey, 500);
  std::string title = "Cổng «" + run.portalName + "»: " + f.summary;
  if (f.reinfections > 0 && change.kind == FindingChange::Kind::kReopened)
    title += " (tái nhiễm lần " + std::to_string(f.reinfections) + ")";
  d.title = cutUtf8(title, 1000);
  d.description =
      cutUtf8("Cổng thông tin: " + run.portalName + " (" + run.portalUrl + ")\nKiểm tra: " + f.check + " / " +
                  f.findingId + "\nURL: " + f.url + "\nLần đầu phát hiện: " + std::to_string(f.firstSeen) +
                  " ms; số lần tái nhiễm: " + std::to_string(f.reinfections),
              20000);
  d.evidence = cutUtf8(f.evidenceJson, 65536);
  if (!f.url.empty() && f.url.size() <= 2000) d.observables.push_back({"url", f.url});
  if (const std::string host = hostOf(f.url.empty() ? run.portalUrl : f.url); !host.empty() && host.size() <= 2000)
    d.observables.push_back({"domain", host});
  d.seenAt = f.lastSeen;
  d.tags = {"webmon", "webmon." + f.check};
  return d;
}

Status RunRecorder::record(const webmon::PortalRun& run) {
  if (run.portalId <= 0) return Error::validation("portal_id", "a run must name its portal");
  // 1. Evidence into the blob store, compressed; errors are kept for after the run is stored.
  std::vector<PortalEvidenceDraft> drafts;
  std::string evidenceError;
  for (const auto& e : run.evidence) {
    if (e.bytes.empty()) continue;
    auto frame = compress(e.bytes);
    if (!frame.ok()) {
      evidenceError = e.name + ": " + frame.error().message;
      continue;
    }
    auto stored = blobs_.put(*frame);
    if (!stored.ok()) {
      evidenceError = e.name + ": " + stored.error().message;
      continue;
    }
    drafts.push_back({.findingKey = e.findingKey,
                      .name = e.name,
                      .mediaType = e.mediaType,
                      .sha256 = crypto::sha256Hex(e.bytes),
                      .size = static_cast<int64_t>(e.bytes.size()),
                      .blobSha256 = stored->sha256,
                      .storedSize = stored->size});
  }
  // 2. The run, in one transaction.
  VIGIL_ASSIGN_OR_RETURN(RecordedRun recorded, store_.recordPortalRun(run, drafts));
  ++runs_;
  evidenceStored_ += static_cast<int64_t>(drafts.size());
  // 3. Alerts.
  std::string alertError;
  for (const auto& change : recorded.changes) {
    if (!change.alertNow || change.finding.alertKey.empty()) continue;
    auto st = alerts_.raise(alertOf(recorded, change));
    if (st.ok()) {
      ++alertsRaised_;
    } else {
      alertError = change.finding.alertKey + ": " + st.error().message;
    }
  }
  if (!evidenceError.empty())
    return Error::internal("portal " + std::to_string(run.portalId) + ": run stored, evidence lost: " + evidenceError);
  if (!alertError.empty())
    return Error::unavailable("portal " + std::to_string(run.portalId) +
                              ": run stored, alert not raised: " + alertError);
  return {};
}

}  // namespace vigil::portals
