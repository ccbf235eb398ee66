// Normalisation of parsed syslog messages to ECS events, driven by the program catalog
// (catalogs/normalize/*.toml; format in catalogs/normalize/README.md).
//
// normalize() never fails and never drops: every message gets the generic syslog fields
// (@timestamp, host.name, log.syslog.*, process.name, process.pid, message) and the time
// resolution record (event.timezone, vigil.time.inferred); then, in this order, the first that
// applies adds the fields of its format or program:
//   1. a CEF or LEEF payload (mapped through the catalog's "cef"/"leef" maps, vendor entries add
//      event.dataset and constants, e.g. Kaspersky Security Center);
//   2. the rules of the message's program (sshd, sudo, ...) and, for "su(pam_unix)", of its PAM
//      module;
//   3. the rules that apply to any message (web access/error logs, auditd records, FortiGate
//      key=value, pfSense filterlog, PAM lines), in catalog order.
// A message no rule matches keeps the generic fields only (vigil.rule absent).
//
// Ownership: the Normalizer owns the catalog strings that Events name their fields with; it must
// outlive the Events it filled. Thread-safety: immutable after load(); normalize() may run on any
// number of threads at once.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/syslog.h"
#include "normalize/event.h"

namespace vigil::normalize {

// Where a message came from: the store's ids, and when it arrived.
struct SourceContext {
  int64_t orgId = 0;
  int64_t sourceId = 0;
  TimeUs receivedUs = 0;
};

struct Catalog;  // the compiled rules and maps (normalizer.cpp)

class Normalizer {
 public:
  ~Normalizer();
  Normalizer(Normalizer&&) noexcept;
  Normalizer& operator=(Normalizer&&) noexcept;

  // Loads every *.toml file of `dir` in name order. Errors (Error::badRequest) name the file, the
  // rule and what is wrong (an unknown key, a pattern that does not compile, a map that does not
  // exist, a duplicate rule id).
  static Result<Normalizer> load(const std::filesystem::path& dir);
  // The same from catalog texts given as (name, TOML text) pairs; for tests and fuzzing.
  static Result<Normalizer> fromTexts(const std::vector<std::pair<std::string, std::string>>& files);

  // Fills `out` (reset first; its capacity is reused). `message.raw` must stay alive during the
  // call only: the Event copies what it keeps.
  void normalize(const ingest::SyslogMessage& message, const SourceContext& source, Event& out) const;
  Event normalize(const ingest::SyslogMessage& message, const SourceContext& source) const;

  size_t ruleCount() const;

 private:
  explicit Normalizer(std::unique_ptr<Catalog> catalog);
  std::unique_ptr<Catalog> catalog_;
};

}  // namespace vigil::normalize
