// The embedded event store: durable, time-partitioned, compressed storage of normalised events
// with per-block term filters, and search, histograms and top values in the query language of
// query.h. Format, threads and bounds: src/eventstore/README.md.
//
// Life cycle: EventStore::open(dir) replays the write-ahead log (a torn tail is cut and counted)
// and starts the writer and sealer threads; close() (or the destructor) drains what was accepted,
// seals it and stops them.
//
// Durability contract: append() either refuses the batch (the returned Status is an error, the
// callback is never called, nothing is stored) or accepts it and later calls onDurable exactly
// once: with ok once the batch is in the write-ahead log and fdatasync()ed (it survives SIGKILL
// and power loss from then on), or with an error when it could not be written by the time the
// store closes (nothing of it is stored). A failed write (disk full, I/O error) is retried, not
// reported: while it fails, append() refuses new batches (unavailable), so inputs push back.
// Callers acknowledge their senders only from onDurable.
//
// Overflow: the queue in front of the writer is bounded (Options::maxQueuedBytes). A batch that
// does not fit is refused with Error::unavailable (counted in Stats::rejectedBatches/Events);
// the caller pushes back on its sender (TCP window, HTTP 503 + Retry-After, RELP no ack). Nothing
// accepted is ever dropped.
//
// Scoping: every read takes a Scope; events of other orgs are never returned or counted.
//
// Thread-safety: every public method may be called from any thread at the same time, except
// that close() must not race with the other calls. onDurable runs on the writer thread: keep it
// short and never call back into the store from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "eventstore/query.h"
#include "normalize/event.h"

namespace vigil::eventstore {

using TimeUs = int64_t;

// The orgs a caller may read; built by the caller from its Actor (model/access.h).
struct Scope {
  bool allOrgs = false;         // a province-level reader
  std::vector<int64_t> orgIds;  // otherwise exactly these
  bool allows(int64_t orgId) const;
};

struct StoredField {
  std::string name;
  normalize::ValueType type = normalize::ValueType::kString;
  std::string text;
  int64_t number = 0;
};

// An event as read back. The event time is the "@timestamp" field of the appended Event (or its
// receivedUs when it had none); "@timestamp" is not repeated in `fields`.
struct StoredEvent {
  TimeUs timeUs = 0;
  int64_t orgId = 0;
  int64_t sourceId = 0;
  TimeUs receivedUs = 0;
  std::string raw;
  std::vector<StoredField> fields;
  const StoredField* field(std::string_view name) const;
};

struct SearchRequest {
  Scope scope;
  std::string query;  // query.h; empty = every event
  TimeUs fromUs = 0;  // [fromUs, toUs)
  TimeUs toUs = INT64_MAX;
  bool newestFirst = true;
  size_t offset = 0;
  size_t limit = 100;  // at most 10,000
};

struct SearchResult {
  std::vector<StoredEvent> events;
  uint64_t blocksRead = 0;     // blocks decompressed
  uint64_t blocksSkipped = 0;  // blocks ruled out by time, org or term filter
};

struct Histogram {
  TimeUs fromUs = 0;
  TimeUs bucketUs = 0;
  std::vector<uint64_t> counts;  // counts[i] covers [fromUs + i*bucketUs, fromUs + (i+1)*bucketUs)
  uint64_t total = 0;
};

struct TopValues {
  std::vector<std::pair<std::string, uint64_t>> values;  // most frequent first, ties by value
  uint64_t eventsWithField = 0;
  uint64_t eventsMatched = 0;
};

struct RetentionPolicy {
  int64_t maxDays = 0;    // delete day partitions that ended more than maxDays before nowUs; 0 = keep
  uint64_t maxBytes = 0;  // then delete the oldest partitions until the total fits; 0 = no limit
  TimeUs nowUs = 0;
  // Per agency (org id -> days, 0 = no own limit): a day file holding events of an agency whose
  // day ended more than that many days before nowUs is rewritten without that agency's events.
  std::map<int64_t, int64_t> orgMaxDays;
};
struct RetentionReport {
  std::vector<std::string> deletedPartitions;    // "2026-11-24"
  std::vector<std::string> rewrittenPartitions;  // rewritten without some agencies' events
  uint64_t deletedEvents = 0;
  uint64_t deletedBytes = 0;
};

struct PartitionStats {
  std::string day;  // "2026-11-24" (UTC)
  uint64_t events = 0, blocks = 0, diskBytes = 0, rawBytes = 0;
};

struct Stats {
  uint64_t events = 0;     // sealed + waiting to be sealed (durable)
  uint64_t diskBytes = 0;  // partition files + write-ahead log
  uint64_t rawBytes = 0;   // sum of the raw message sizes
  uint64_t blocks = 0;
  uint64_t queuedBytes = 0;  // accepted, not yet durable
  uint64_t acceptedBatches = 0, rejectedBatches = 0, rejectedEvents = 0;
  uint64_t walTornTails = 0;    // torn write-ahead-log tails cut at open
  uint64_t corruptBlocks = 0;   // blocks skipped because their checksum failed
  uint64_t truncatedBytes = 0;  // unreadable partition-file tails cut at open
  std::vector<PartitionStats> partitions;
};

struct Options {
  uint64_t maxQueuedBytes = 64ull << 20;   // bound of the queue in front of the writer
  uint32_t maxSegmentEvents = 32768;       // a write-ahead-log segment is sealed at this many events
  uint64_t maxSegmentBytes = 64ull << 20;  // ... or this many bytes (a segment stays in memory until sealed)
  uint32_t maxBlockEvents = 8192;          // events per block (the unit a search decompresses)
  int64_t maxSegmentAgeUs = 1'000'000;     // ... or this old
  int zstdLevel = 3;
  bool syncWrites = true;  // fdatasync the log and the blocks (tests of format only may turn it off)
};

class EventStore {
 public:
  static Result<std::unique_ptr<EventStore>> open(const std::filesystem::path& dir, const Options& options = {});
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  using DurableCallback = std::function<void(const Status&)>;
  // Encodes the events on the calling thread and queues them (see the contract above).
  Status append(std::span<const normalize::Event> events, DurableCallback onDurable);

  // Waits until everything accepted before the call is durable and sealed into blocks.
  Status flush();
  // Drains, seals and stops; further calls fail with unavailable. Idempotent.
  void close();

  Result<SearchResult> search(const SearchRequest& request) const;
  Result<Histogram> histogram(const Scope& scope, std::string_view query, TimeUs fromUs, TimeUs toUs,
                              TimeUs bucketUs) const;
  Result<TopValues> topValues(const Scope& scope, std::string_view query, TimeUs fromUs, TimeUs toUs,
                              std::string_view field, size_t n) const;

  Result<RetentionReport> applyRetention(const RetentionPolicy& policy);
  Stats stats() const;

  struct Impl;

 private:
  explicit EventStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::eventstore
