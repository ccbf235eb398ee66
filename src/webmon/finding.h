// Findings: what every web-portal check returns. A finding names its check, a stable id (the
// scheduler later deduplicates on check + id + url), a severity, the URL it is about, a one-line
// summary for an officer and the evidence behind it as key/value pairs (header values, the hidden
// snippet and its CSS reason, the redirect chain...). Plain data; no locking needed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace vigil::webmon {

// kInfo is a fact (a grade, a count), not a problem. kHigh and kCritical make `vigil webcheck`
// exit non-zero.
enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view severityName(Severity s);

struct Finding {
  std::string check;  // "fetch", "tls", "headers", "page", "cloaking", "exposure"
  std::string id;     // stable id inside the check, e.g. "protocol_tls1_0", "hidden_link"
  Severity severity = Severity::kInfo;
  std::string url;
  std::string summary;
  std::vector<std::pair<std::string, std::string>> evidence;

  Finding& with(std::string key, std::string value) {
    evidence.emplace_back(std::move(key), std::move(value));
    return *this;
  }
};

// True when any finding is kHigh or worse.
bool hasHighSeverity(const std::vector<Finding>& findings);

// One JSON object on one line: {"check","id","severity","url","summary","evidence":{...}}.
std::string toJsonLine(const Finding& f);

// What a check is run against. The scheduler fills this per portal; `vigil webcheck` from the
// command line.
struct Target {
  std::string url;                          // the page, http:// or https://
  std::vector<std::string> allowedDomains;  // outbound domains the portal may link to (and subdomains)
  std::string httpUrl;                      // the plain-HTTP entry to test the redirect on; empty: http://<host>/
};

// The interface a scheduler calls per portal. run() never throws; a failure to reach the site is a
// finding (check "fetch"), a Result error is only for a target the check cannot run on at all
// (e.g. a malformed URL). Implementations are stateless between runs and safe to call from
// several threads on different targets.
class Check {
 public:
  virtual ~Check() = default;
  virtual std::string_view name() const = 0;
  virtual Result<std::vector<Finding>> run(const Target& target) const = 0;
};

}  // namespace vigil::webmon
