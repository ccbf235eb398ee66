#include "collect/collector.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

#include "core/crypto.h"
#include "normalize/normalizer.h"

namespace vigil::collect {

std::string_view inputName(Input input) {
  switch (input) {
    case Input::kSyslogUdp: return "syslog-udp";
    case Input::kSyslogTcp: return "syslog-tcp";
    case Input::kSyslogTls: return "syslog-tls";
    case Input::kRelp: return "relp";
    case Input::kHttpNdjson: return "http-ndjson";
    case Input::kHttpBulk: return "http-bulk";
    case Input::kFile: return "file";
  }
  return "unknown";
}

bool AddressRange::contains(int fam, const unsigned char* address) const {
  if (fam != family) return false;
  const int fullBytes = prefix / 8;
  if (std::memcmp(bytes, address, static_cast<size_t>(fullBytes)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (bytes[fullBytes] & mask) == (address[fullBytes] & mask);
}

Result<AddressRange> parseAddressRange(std::string_view text) {
  AddressRange r;
  std::string addr(text);
  int prefix = -1;
  if (auto slash = addr.find('/'); slash != std::string::npos) {
    const std::string p = addr.substr(slash + 1);
    addr.resize(slash);
    if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return Error::validation("addresses", "'" + std::string(text) + "' is not an address or CIDR range");
    prefix = std::stoi(p);
  }
  if (inet_pton(AF_INET, addr.c_str(), r.bytes) == 1) {
    r.family = AF_INET;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) return Error::validation("addresses", "'" + std::string(text) + "': an IPv4 prefix is at most 32");
  } else if (inet_pton(AF_INET6, addr.c_str(), r.bytes) == 1) {
    r.family = AF_INET6;
    if (prefix < 0) prefix = 128;
    if (prefix > 128)
      return Error::validation("addresses", "'" + std::string(text) + "': an IPv6 prefix is at most 128");
  } else {
    return Error::validation("addresses", "'" + std::string(text) + "' is not an address or CIDR range");
  }
  r.prefix = prefix;
  return r;
}

namespace {

// Accepted events per 10-second slot over the last minute.
constexpr int64_t kSlotUs = 10'000'000;
constexpr int kSlots = 6;

struct Sender {
  SenderStats stats;
  int64_t slotStart[kSlots] = {};
  uint64_t slotEvents[kSlots] = {};
};

using SenderKey = std::tuple<int64_t, int64_t, uint8_t, std::string>;  // source, org, input, peer

struct CompiledRule {
  Attribution who;
  std::vector<AddressRange> ranges;
  std::string tokenSha256;
};

struct Snapshot {
  std::vector<CompiledRule> rules;
};

}  // namespace

struct Collector::Impl {
  const normalize::Normalizer& normalizer;
  eventstore::EventStore& store;
  const Clock& clock;
  CollectorOptions options;

  mutable std::mutex snapshotMu;
  std::shared_ptr<const Snapshot> snapshot = std::make_shared<Snapshot>();  // GUARDED_BY(snapshotMu)

  mutable std::mutex sendersMu;
  std::map<SenderKey, Sender> senders;  // GUARDED_BY(sendersMu)

  std::atomic<EventTap*> tap{nullptr};

  void tapAccepted(std::span<const normalize::Event> events) const {
    if (EventTap* t = tap.load(std::memory_order_acquire); t != nullptr && !events.empty()) t->onAccepted(events);
  }

  Impl(const normalize::Normalizer& n, eventstore::EventStore& s, const Clock& c, CollectorOptions o)
      : normalizer(n), store(s), clock(c), options(o) {}

  std::shared_ptr<const Snapshot> current() const {
    std::lock_guard lk(snapshotMu);
    return snapshot;
  }

  // Updates the sender's figures under one lock per batch.
  template <typename Fn>
  void withSender(Input input, const Attribution& who, std::string_view peer, Fn&& fn) {
    const int64_t now = clock.nowMs() * 1000;
    std::lock_guard lk(sendersMu);
    auto key = SenderKey{who.sourceId, who.orgId, static_cast<uint8_t>(input), std::string(peer)};
    auto it = senders.find(key);
    if (it == senders.end()) {
      it = senders.emplace(std::move(key), Sender{}).first;
      SenderStats& s = it->second.stats;
      s.sourceId = who.sourceId;
      s.orgId = who.orgId;
      s.input = input;
      s.peer = std::string(peer);
      s.firstSeenUs = now;
    }
    fn(it->second, now);
  }

  static void countAccepted(Sender& s, int64_t now, uint64_t events) {
    const int64_t slotStart = now - now % kSlotUs;
    const int slot = static_cast<int>((now / kSlotUs) % kSlots);
    if (s.slotStart[slot] != slotStart) {
      s.slotStart[slot] = slotStart;
      s.slotEvents[slot] = 0;
    }
    s.slotEvents[slot] += events;
    s.stats.events += events;
    s.stats.lastSeenUs = now;
  }
};

Collector::Collector(const normalize::Normalizer& normalizer, eventstore::EventStore& store, const Clock& clock,
                     CollectorOptions options)
    : impl_(std::make_unique<Impl>(normalizer, store, clock, options)) {}
Collector::~Collector() = default;

void Collector::setSources(std::vector<SourceRule> rules) {
  auto next = std::make_shared<Snapshot>();
  for (SourceRule& r : rules) {
    if (!r.enabled) continue;
    CompiledRule c;
    c.who = {.sourceId = r.id, .orgId = r.orgId, .zoneOffsetMinutes = r.zoneOffsetMinutes, .declared = true};
    for (const std::string& a : r.addresses)
      if (auto range = parseAddressRange(a); range.ok()) c.ranges.push_back(*range);
    c.tokenSha256 = std::move(r.tokenSha256);
    next->rules.push_back(std::move(c));
  }
  std::lock_guard lk(impl_->snapshotMu);
  impl_->snapshot = std::move(next);
}

void Collector::setTap(EventTap* tap) { impl_->tap.store(tap, std::memory_order_release); }

Attribution Collector::attributeAddress(std::string_view peerIp) const {
  unsigned char addr[16] = {};
  std::string ip(peerIp);
  // An IPv4 peer seen on a dual-stack socket arrives as ::ffff:a.b.c.d.
  if (ip.rfind("::ffff:", 0) == 0 && ip.find('.') != std::string::npos) ip.erase(0, 7);
  int family = 0;
  if (inet_pton(AF_INET, ip.c_str(), addr) == 1)
    family = AF_INET;
  else if (inet_pton(AF_INET6, ip.c_str(), addr) == 1)
    family = AF_INET6;
  const auto snap = impl_->current();
  const CompiledRule* best = nullptr;
  int bestPrefix = -1;
  if (family != 0)
    for (const CompiledRule& rule : snap->rules)
      for (const AddressRange& range : rule.ranges)
        if (range.prefix > bestPrefix && range.contains(family, addr)) {
          best = &rule;
          bestPrefix = range.prefix;
        }
  if (best != nullptr) return best->who;
  return {.sourceId = 0,
          .orgId = impl_->options.undeclaredOrgId,
          .zoneOffsetMinutes = impl_->options.defaultZoneOffsetMinutes,
          .declared = false};
}

std::optional<Attribution> Collector::attributeToken(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const std::string hash = crypto::sha256Hex(token);
  const auto snap = impl_->current();
  for (const CompiledRule& rule : snap->rules)
    if (!rule.tokenSha256.empty() && crypto::equalConstantTime(rule.tokenSha256, hash)) return rule.who;
  return std::nullopt;
}

Status Collector::submitSyslog(Input input, const Attribution& who, std::string_view peer,
                               std::span<const std::string_view> messages, DurableCallback onDurable) {
  if (!who.declared && !impl_->options.acceptUndeclared) {
    countDropped(input, who, peer, messages.size());
    return Error::forbidden("messages from undeclared senders are not accepted (declare the source first)");
  }
  // One vector of events per thread, reused: no allocation per message in the steady state.
  thread_local std::vector<normalize::Event> events;
  if (events.size() < messages.size()) events.resize(messages.size());
  const int64_t now = impl_->clock.nowMs() * 1000;
  const normalize::SourceContext context{.orgId = who.orgId, .sourceId = who.sourceId, .receivedUs = now};
  uint64_t bytes = 0, unparsed = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ingest::SyslogMessage parsed = ingest::parseSyslog(
        messages[i], {.receivedUs = now, .referenceUs = now, .zoneOffsetMinutes = who.zoneOffsetMinutes});
    if (parsed.format == ingest::SyslogFormat::kUnknown) ++unparsed;
    impl_->normalizer.normalize(parsed, context, events[i]);
    bytes += messages[i].size();
  }
  const std::span<const normalize::Event> batch(events.data(), messages.size());
  const std::string_view lastHost = messages.empty() ? std::string_view() : batch.back().getText("host.name");
  Status st = impl_->store.append(batch, std::move(onDurable));
  if (st.ok()) impl_->tapAccepted(batch);
  impl_->withSender(input, who, peer, [&](Sender& s, int64_t t) {
    s.stats.parseErrors += unparsed;
    if (!st.ok()) {
      s.stats.rejected += messages.size();
      return;
    }
    Impl::countAccepted(s, t, messages.size());
    s.stats.bytes += bytes;
    if (!lastHost.empty()) s.stats.lastHost = std::string(lastHost);
  });
  return st;
}

Status Collector::submitEvents(Input input, const Attribution& who, std::string_view peer,
                               std::span<normalize::Event> events, uint64_t parseErrors, DurableCallback onDurable) {
  if (!who.declared && !impl_->options.acceptUndeclared) {
    countDropped(input, who, peer, events.size());
    return Error::forbidden("events from undeclared senders are not accepted (declare the source first)");
  }
  const int64_t now = impl_->clock.nowMs() * 1000;
  uint64_t bytes = 0;
  for (normalize::Event& e : events) {
    e.orgId = who.orgId;
    e.sourceId = who.sourceId;
    if (e.receivedUs == 0) e.receivedUs = now;
    bytes += e.raw().size();
  }
  const std::string_view lastHost = events.empty() ? std::string_view() : events.back().getText("host.name");
  Status st = events.empty() ? Status{} : impl_->store.append(events, std::move(onDurable));
  if (events.empty() && onDurable) onDurable(Status{});
  if (st.ok()) impl_->tapAccepted(events);
  impl_->withSender(input, who, peer, [&](Sender& s, int64_t t) {
    s.stats.parseErrors += parseErrors;
    if (!st.ok()) {
      s.stats.rejected += events.size();
      return;
    }
    Impl::countAccepted(s, t, events.size());
    s.stats.bytes += bytes;
    if (!lastHost.empty()) s.stats.lastHost = std::string(lastHost);
  });
  return st;
}

void Collector::countDropped(Input input, const Attribution& who, std::string_view peer, uint64_t messages) {
  impl_->withSender(input, who, peer, [&](Sender& s, int64_t t) {
    s.stats.dropped += messages;
    s.stats.lastSeenUs = t;
  });
}

void Collector::countParseErrors(Input input, const Attribution& who, std::string_view peer, uint64_t messages) {
  impl_->withSender(input, who, peer, [&](Sender& s, int64_t t) {
    s.stats.parseErrors += messages;
    s.stats.lastSeenUs = t;
  });
}

std::vector<SenderStats> Collector::senders() const {
  const int64_t now = impl_->clock.nowMs() * 1000;
  std::vector<SenderStats> out;
  std::lock_guard lk(impl_->sendersMu);
  out.reserve(impl_->senders.size());
  for (const auto& [key, s] : impl_->senders) {
    SenderStats stats = s.stats;
    uint64_t recent = 0;
    for (int i = 0; i < kSlots; ++i)
      if (s.slotStart[i] > now - kSlots * kSlotUs) recent += s.slotEvents[i];
    // The current slot is partly filled: divide by the time actually covered.
    const double covered = static_cast<double>(kSlotUs * (kSlots - 1) + now % kSlotUs) / 1e6;
    stats.eventsPerSecond = covered > 0 ? static_cast<double>(recent) / covered : 0;
    out.push_back(std::move(stats));
  }
  return out;
}

const normalize::Normalizer& Collector::normalizer() const { return impl_->normalizer; }
eventstore::EventStore& Collector::store() { return impl_->store; }
const Clock& Collector::clock() const { return impl_->clock; }

}  // namespace vigil::collect
