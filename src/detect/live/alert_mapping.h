// How a Sigma match becomes an alert draft for the alert queue (alerts::AlertSink).
//
//   detector   sigma
//   rule_id    the rule's key (its Sigma `id`); rule_title its title; tags its tags (ATT&CK)
//   severity   Sigma level: informational and low -> low, medium -> medium, high -> high,
//              critical -> critical (unknown: medium)
//   org_id     the agency of the event's source (Event::orgId, stamped by the collector)
//   asset      host.name, else host.ip, else source.ip of the event
//   dedup_key  the asset, then the event's values of the rule's `fields:` list (at most 3, each cut
//              to 200 bytes), joined by " | ". Rules without `fields:` group per host: the same
//              rule on the same host within the dedup window is one alert with a count.
//   evidence   the event as a flat JSON object (its fields, "@timestamp", "message" = raw text),
//              at most 60 KiB (the raw text is cut first)
//   events_query   "vigil.org_id:O AND vigil.source_id:S AND @timestamp:T" (T in microseconds),
//              plus host.name when the event has one: finds the event in the event store
//   observables    host, source/destination IPs, user name, process executable, file hash
//
// A correlation firing (draftForCorrelation) maps the same way, except:
//   rule_id    the correlation's key (its id); rule_title, tags, severity from the correlation
//   org_id     the agency whose correlation state fired (each agency has its own, live_rule_set.h)
//   asset      the group-by value of host.name/host.ip/source.ip when grouped by one, else the
//              last event's asset
//   dedup_key  "<rule key> | <group value> | ...": one alert (with a count) per group
//   description  the correlation's type, the count/value reached, the events and the window
//              (first and last event time, UTC), the group
//   evidence   {"correlation", "type", "value", "events", "first", "last", "group": {field: value},
//              "last_event": the event that made it fire (absent when time closed the window)}
//   events_query   "vigil.org_id:O AND @timestamp:[first TO last]" plus field:"value" for each
//              group-by value that the event fields can be searched with (not every event of the
//              window need match the correlation's rules: the query narrows, it does not select)
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "detect/live/live_rule_set.h"
#include "store/alert_store.h"

namespace vigil::detect::live {

AlertSeverity severityOfLevel(std::string_view level);

AlertDraft draftForMatch(const normalize::Event& event, const sigma::CompiledRule& rule, const RuleMeta& meta);

AlertDraft draftForCorrelation(const sigma::CorrelationFiring& firing, const RuleMeta& meta, int64_t orgId,
                               const normalize::Event* lastEvent);

// The event as a flat JSON object (evidence), cut to `maxBytes`.
std::string eventJson(const normalize::Event& event, size_t maxBytes = 60 * 1024);

// The event's time in microseconds: its @timestamp, else its receive time.
int64_t eventTimeUs(const normalize::Event& event);

}  // namespace vigil::detect::live
