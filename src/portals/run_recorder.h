// The store side of the web-portal monitor's seam (webmon/monitor.h): StorePortalSource gives the
// scheduler the registered portals, RunRecorder records each finished run and raises its alerts.
//
// RunRecorder::record(run), in order:
//   1. every evidence item is compressed (zstd) and put in the blob store; the SHA-256 and size of
//      the original are kept with the compressed blob's hash;
//   2. PortalStore::recordPortalRun stores the run, its facts, findings and evidence in one
//      transaction and says what changed (opened, re-opened, still open, resolved);
//   3. each finding the store marks `alertNow` becomes an alert through alerts::AlertSink:
//      detector "web", rule "webmon.<check>.<id>", dedup key portalAlertKey() (portal + check +
//      finding id + URL), severity mapped one to one (kInfo never alerts), the title naming the
//      portal and, for a re-infection, how many times it came back.
// Which findings alert is decided by alertWanted() (store/portal_store.h): no kInfo, and no
// availability, content or certificate finding during a maintenance window.
//
// Threads: record() is called from the scheduler's workers, several at once; it keeps no state
// but atomic counters. Errors: an evidence item the blob store refuses or an alert the sink
// refuses is an error returned after the run is stored (the scheduler logs it); a store error
// means nothing of the run was stored.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "alerts/alert_sink.h"
#include "store/blob_store.h"
#include "store/store.h"
#include "webmon/monitor.h"

namespace vigil::portals {

class StorePortalSource : public webmon::PortalSource {
 public:
  explicit StorePortalSource(PortalStore& store) : store_(store) {}
  Result<std::vector<webmon::PortalSpec>> portals() override { return store_.monitoredPortals(); }

 private:
  PortalStore& store_;
};

// The largest evidence item kept or served, once decompressed (a body is at most the fetcher's
// 5 MB; headers and views are smaller).
inline constexpr int64_t kMaxEvidenceBytes = 64 << 20;

// zstd-compressed bytes of `bytes` (one frame with its content size) and back. decompress()
// refuses a frame without a content size or larger than `maxBytes`, and corrupt data.
Result<std::string> compress(std::string_view bytes);
Result<std::string> decompress(std::string_view frame, int64_t maxBytes);

class RunRecorder : public webmon::RunSink {
 public:
  // `blobs` should accept any type (BlobStore::TypePolicy::kAnyType): evidence is HTML, headers,
  // text. All three outlive the recorder.
  RunRecorder(PortalStore& store, const BlobStore& blobs, alerts::AlertSink& alerts)
      : store_(store), blobs_(blobs), alerts_(alerts) {}

  Status record(const webmon::PortalRun& run) override;

  struct Stats {
    int64_t runs = 0;
    int64_t alertsRaised = 0;
    int64_t evidenceStored = 0;
  };
  Stats stats() const { return {runs_.load(), alertsRaised_.load(), evidenceStored_.load()}; }

 private:
  PortalStore& store_;
  const BlobStore& blobs_;
  alerts::AlertSink& alerts_;
  std::atomic<int64_t> runs_{0};
  std::atomic<int64_t> alertsRaised_{0};
  std::atomic<int64_t> evidenceStored_{0};
};

// The alert a finding change raises (exposed for tests and for the UI's wording).
AlertDraft alertOf(const RecordedRun& run, const FindingChange& change);

}  // namespace vigil::portals
