// Sharing an incident's observables with the national centre (NCSC / VNCERT/CC) and peers:
// a STIX 2.1 bundle (OASIS STIX 2.1, sections 4 (SCOs), 4.7 indicator, 4.14 observed-data,
// 7.2.1.4 TLP marking definitions, 9 patterning) and a MISP event (MISP core format, Event with
// Attribute list). Both are deterministic: the same incident and observables give the same
// bytes (UUIDv5 ids; SCO ids as STIX 2.1 section 2.9 prescribes, from the SCO namespace and the
// canonical JSON of their id-contributing properties).
//
// Observables are validated first; a bad one is refused naming its index and value. Pure;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::evidence {

// The observable kinds of the incident (issue 4): ip (v4 or v6, decided from the value), domain,
// url, md5, sha1, sha256, email, filename.
enum class ObservableKind { kIpv4, kIpv6, kDomain, kUrl, kMd5, kSha1, kSha256, kEmail, kFilename };
std::string_view observableKindName(ObservableKind k);
// "ip" -> kIpv4 or kIpv6 from `value`; the other names as listed above. kValidation otherwise.
Result<ObservableKind> parseObservableKind(std::string_view kind, std::string_view value);

struct Observable {
  ObservableKind kind = ObservableKind::kIpv4;
  std::string value;
  TimeMs firstSeen = 0;
  TimeMs lastSeen = 0;      // 0: firstSeen
  std::string comment;      // what it is in this incident ("C2 server", "defaced page")
  bool destination = true;  // IPs only: the address the victim contacted (MISP ip-dst) or the one
                            // that connected to it (false: ip-src)
};

enum class Tlp { kWhite, kGreen, kAmber, kRed };
std::optional<Tlp> parseTlp(std::string_view s);  // "white"/"clear", "green", "amber", "red"

struct SharingContext {
  std::string incidentRef;  // a stable reference, e.g. "vigil:incident:42" (seeds the UUIDs)
  std::string title;        // the MISP event's info
  std::string producer;     // the reporting organisation (STIX identity, MISP Orgc)
  TimeMs created = 0;       // the incident's detection time or export time
  std::optional<Tlp> tlp;
};

// Checks one observable: an IPv4/IPv6 address (inet_pton), a host name, an http(s)/ftp URL
// without spaces, hex hashes of the right length, an address with one '@' and a domain, a file
// name without '/' or NUL; nothing empty or over 2048 bytes.
Status validateObservable(const Observable& o);

// The STIX 2.1 bundle: an identity (the producer), the TLP marking definition when set, per
// observable its SCO (ipv4-addr, ipv6-addr, domain-name, url, file, email-addr), an
// observed-data object referring to it, and an indicator with its STIX pattern, e.g.
// [ipv4-addr:value = '203.0.113.5'], [file:hashes.'SHA-256' = '...']. kValidation naming
// observables[i] when one is invalid; no observables is kValidation too.
Result<std::string> stixBundle(const SharingContext& ctx, const std::vector<Observable>& observables);

// The MISP event {"Event": {... "Attribute": [...], "Tag": [...]}}: types ip-dst / ip-src,
// domain, url, md5, sha1, sha256, email-src, filename; categories "Network activity" or
// "Payload delivery"; to_ids true except for file names.
Result<std::string> mispEvent(const SharingContext& ctx, const std::vector<Observable>& observables);

// The STIX pattern of one observable (exposed for tests).
std::string stixPattern(const Observable& o);
// RFC 4122 version 5 UUID of `name` in `namespaceUuid`, which must be a well-formed UUID
// ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx": the constants of this module).
std::string uuidV5(std::string_view namespaceUuid, std::string_view name);

}  // namespace vigil::evidence
