// One JSON document (an object, e.g. one NDJSON line or one `_bulk` document) to an Event.
//
// Mapping:
//   - raw is the document text exactly as received;
//   - nested objects are flattened to dotted names ({"winlog":{"event_data":{"X":1}}} ->
//     "winlog.event_data.X"); a key that already contains dots is kept as it is ("host.name");
//   - integers (within int64) -> kInt; other numbers and booleans -> kString with their JSON text;
//     null -> no field;
//   - a string under an IP field (a name whose last segment is "ip", e.g. source.ip, host.ip,
//     destination.nat.ip) that is a valid IPv4/IPv6 address -> kIp; otherwise kString;
//   - "@timestamp": an RFC 3339 string (fraction kept to the microsecond) or epoch milliseconds
//     (a number) -> kTime; anything else refuses the document;
//   - arrays of scalars are joined into one kString field with ", " ("tags": ["a","b"] ->
//     tags = "a, b"), so a search on the field finds any element; objects inside arrays are
//     flattened with their index ("items": [{"n":1}] -> "items.0.n");
//   - shipper shapes: syslog-ng's elasticsearch-http() default document ($(format-json --scope
//     rfc5424): MESSAGE, HOST, PROGRAM, PID, PRIORITY, FACILITY) gets the ECS fields message,
//     host.name, process.name, process.pid, log.level, log.syslog.facility.name added (the
//     original keys are kept); Beats' host.hostname gives host.name when that is absent.
// Limits (JSON bombs): the document size, the nesting depth and the number of fields are bounded;
// invalid UTF-8 is refused. Every refusal is an Error::validation naming the reason.
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "normalize/event.h"

namespace vigil::normalize {

struct JsonEventLimits {
  size_t maxBytes = 1 << 20;  // one document
  int maxDepth = 32;          // nesting of objects and arrays
  size_t maxFields = 1000;    // fields after flattening
};

// Fills `event` (reset first) from `document`. On error the event's content is unspecified.
Status jsonToEvent(std::string_view document, Event& event, const JsonEventLimits& limits = {});

}  // namespace vigil::normalize
