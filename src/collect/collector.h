// The collector: where every input (syslog listeners, RELP, HTTP ingest, `vigil import`) hands
// its messages over. It attributes them to a declared source (by sender address or ingest
// token), parses and normalises them on the caller's thread, appends them to the event store and
// keeps the live figures of every sender for the sources page.
//
// Attribution: a declared source (the store's log_sources rows, given with setSources()) names
// its agency (org), the addresses (IPs or CIDR ranges) its syslog/RELP senders use, the SHA-256
// of its HTTP ingest token, and the zone assumed for timestamps that carry none. A syslog sender
// that matches no declared source is attributed to the undeclared source (id 0) of
// Options::undeclaredOrgId (the province root), so nothing is lost and the sender shows up on the
// sources page, to be declared; with acceptUndeclared = false its messages are counted and dropped.
//
// Durability and push-back: submit*() either refuse (the returned Status is an error, nothing is
// stored, the events are counted as `rejected` for the sender: the caller pushes back on its
// sender: TCP stops reading, HTTP answers 503 + Retry-After, RELP does not acknowledge; UDP
// counts them as dropped) or accept and later call onDurable once, as EventStore::append does.
//
// Thread-safety: every method may be called from any thread at the same time; setSources swaps
// an immutable snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "eventstore/event_store.h"
#include "ingest/syslog.h"
#include "normalize/event.h"

namespace vigil::normalize {
class Normalizer;
}

namespace vigil::collect {

enum class Input : uint8_t { kSyslogUdp, kSyslogTcp, kSyslogTls, kRelp, kHttpNdjson, kHttpBulk, kFile };
inline constexpr size_t kInputCount = 7;
// "syslog-udp", "syslog-tcp", "syslog-tls", "relp", "http-ndjson", "http-bulk", "file".
std::string_view inputName(Input input);

// A declared source as the collector needs it.
struct SourceRule {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string name;
  std::vector<std::string> addresses;  // IPv4/IPv6 addresses or CIDR ranges of its syslog/RELP senders
  std::string tokenSha256;             // hex SHA-256 of its HTTP ingest token; empty: none
  int zoneOffsetMinutes = ingest::kDefaultZoneOffsetMinutes;
  bool enabled = true;
};

// Whom a batch of messages is attributed to.
struct Attribution {
  int64_t sourceId = 0;  // 0: an undeclared sender
  int64_t orgId = 0;
  int zoneOffsetMinutes = ingest::kDefaultZoneOffsetMinutes;
  bool declared = false;
};

struct CollectorOptions {
  int64_t undeclaredOrgId = 1;  // the province root
  bool acceptUndeclared = true;
  int defaultZoneOffsetMinutes = ingest::kDefaultZoneOffsetMinutes;
};

// The live figures of one sender: a (source, input, peer address) triple.
struct SenderStats {
  int64_t sourceId = 0;
  int64_t orgId = 0;
  Input input = Input::kSyslogUdp;
  std::string peer;          // the sender's address ("10.0.0.5"), or the token's source for HTTP
  std::string lastHost;      // the host.name of its last event
  uint64_t events = 0;       // accepted (durable or about to be)
  uint64_t bytes = 0;        // raw bytes of the accepted events
  uint64_t parseErrors = 0;  // messages kept with generic fields only because their format was broken,
                             // plus lines refused by the HTTP inputs
  uint64_t rejected = 0;     // refused because the store pushed back (the sender was told to retry)
  uint64_t dropped = 0;      // lost for good: UDP datagrams refused, undeclared senders when not accepted
  int64_t firstSeenUs = 0;
  int64_t lastSeenUs = 0;
  double eventsPerSecond = 0;  // accepted events over the last minute
};

// Sees every batch the event store accepted (the live detection stage, src/detect/live/).
// onAccepted runs on the submitting thread right after EventStore::append accepted the batch
// (before it is durable: detection does not wait for fdatasync), once per batch, never for a
// refused one. It must return quickly (copy what it needs and queue it) and must not call back
// into the collector. Thread-safe: called from many input threads at once.
class EventTap {
 public:
  virtual ~EventTap() = default;
  virtual void onAccepted(std::span<const normalize::Event> events) = 0;
};

class Collector {
 public:
  using DurableCallback = eventstore::EventStore::DurableCallback;

  // `normalizer`, `store` and `clock` must outlive the collector.
  Collector(const normalize::Normalizer& normalizer, eventstore::EventStore& store, const Clock& clock,
            CollectorOptions options = {});
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Replaces the declared sources (at start and after every change in the store). Rules with an
  // unparsable address are kept without that address (the API validates addresses first).
  void setSources(std::vector<SourceRule> rules);
  // Installs (or with nullptr removes) the tap that sees accepted batches. The tap must outlive
  // the collector or be removed first; may be called at any time.
  void setTap(EventTap* tap);

  // The declared, enabled source whose addresses contain `peerIp` (the longest prefix wins), or
  // the undeclared attribution.
  Attribution attributeAddress(std::string_view peerIp) const;
  // The declared, enabled source whose token this is (compared by SHA-256), or nullopt.
  std::optional<Attribution> attributeToken(std::string_view token) const;

  // Syslog-shaped messages (one per frame, datagram or RELP message) of one sender: parsed,
  // normalised and appended as one batch.
  Status submitSyslog(Input input, const Attribution& who, std::string_view peer,
                      std::span<const std::string_view> messages, DurableCallback onDurable);
  // Events already built (JSON ingest, EVTX import): org, source and receive time are stamped
  // from `who` and the clock, then appended. `parseErrors` counts the sender's lines that were
  // refused before this call (they are not in `events`).
  Status submitEvents(Input input, const Attribution& who, std::string_view peer, std::span<normalize::Event> events,
                      uint64_t parseErrors, DurableCallback onDurable);
  // Counts messages a listener lost before they reached submit* (a UDP datagram refused by the
  // store's push-back, an undeclared sender refused) or could not parse at all.
  void countDropped(Input input, const Attribution& who, std::string_view peer, uint64_t messages);
  void countParseErrors(Input input, const Attribution& who, std::string_view peer, uint64_t messages);

  std::vector<SenderStats> senders() const;
  const normalize::Normalizer& normalizer() const;
  eventstore::EventStore& store();
  const Clock& clock() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses "10.0.0.0/8", "192.168.1.7", "2001:db8::/32". Error::validation naming the text.
struct AddressRange {
  int family = 0;  // AF_INET or AF_INET6
  unsigned char bytes[16] = {};
  int prefix = 0;
  bool contains(int family, const unsigned char* address) const;
};
Result<AddressRange> parseAddressRange(std::string_view text);

}  // namespace vigil::collect
