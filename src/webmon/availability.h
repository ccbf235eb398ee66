// The availability check of the scheduled monitor (issue 7, "Checks: Availability"): DNS (A/AAAA
// with getaddrinfo, CNAME with the resolver's res_nquery), TCP connect, TLS handshake (https), the
// HTTP request with its redirect chain, timings, and the marker on the home page and the key pages.
// The outcome is compared with the facts of the previous run:
//   down              the site failed every try (first try + `retries`, with back-off); high
//   back_up           it answers again after being down (info, with how long it was down)
//   dns_changed       the A/AAAA addresses or the CNAME differ from the previous run; medium
//   redirect_other_domain  the home page ends on another registrable domain (public suffix list,
//                     libpsl); high
//   cert_changed      the leaf certificate's SHA-256 differs; medium, info inside a maintenance window
//   body_collapse     the home page shrank below `collapseRatio` of its previous size; medium
//   marker_missing    the portal's marker text is not on a page (home or key page); high
//   http_status       the home page answers 4xx; key_page_failed: a key page does not answer 2xx
// A refused (non-public) address, a malformed URL: one finding, no retry. Every connection and
// request passes FetchOptions::beforeRequest (the scheduler's per-host gate) first.
// Facts written (all prefixed "availability."): status, down_since, dns.addresses, dns.cname,
// tls.cert_sha256, http.status, http.final_url, http.redirects, body.bytes, marker, timing.dns_ms,
// timing.connect_ms, timing.tls_ms, timing.total_ms. Facts not measured by a failed run keep their
// previous value, so the next comparison still has its baseline. Thread-safe (no shared state but
// the read-only public suffix list).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "webmon/fetcher.h"
#include "webmon/monitor.h"

namespace vigil::webmon {

struct AvailabilityOptions {
  FetchOptions fetch;  // User-Agent, gate, cancel flag, allowPrivate (overridden by the portal's), caFile
  long connectTimeoutMs = 5000;
  int retries = 2;        // further tries after a failed one before "down"
  long backoffMs = 5000;  // wait before the first retry, doubled for each further one
  // Waits `ms` between tries; returns false when the wait was cut short (the monitor stops): the
  // run is then abandoned. Empty: a plain sleep.
  std::function<bool(long ms)> sleep;
  double collapseRatio = 0.3;      // body_collapse when the new size < ratio x previous size...
  size_t collapseMinBytes = 2048;  // ...and the previous size was at least this
};

struct AvailabilityOutcome {
  std::vector<Finding> findings;
  Facts facts;
  int attempts = 1;
  bool cancelled = false;  // stopped midway: the outcome is incomplete and must not be recorded
};

// `previous`: the portal's latest facts (any prefix; only "availability." keys are read).
AvailabilityOutcome checkAvailability(const PortalSpec& portal, const Facts& previous, TimeMs now,
                                      const AvailabilityOptions& options);

// The registrable domain of a host ("www.hue.gov.vn" -> "hue.gov.vn") by the public suffix list;
// an IP literal or a name without one (e.g. "localhost") is returned as it is, lower case.
std::string registrableDomain(std::string_view host);

// The value of `key` in `facts`, or "" when absent.
std::string factValue(const Facts& facts, std::string_view key);

}  // namespace vigil::webmon
