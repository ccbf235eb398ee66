// SourceStore: the declared log sources of agencies (issue 5: which senders belong to which
// agency, their zone, how often they must be heard from, their HTTP ingest token) and the saved
// searches of users. Part of Store (store.h), same contract: every method takes the Actor; a source
// outside its kReadEvents scope is kNotFound (as if missing); changing one needs kManageSources on
// its organisation (kForbidden otherwise); every change writes its audit entry in the same
// transaction (never the token); a failing method changes nothing. Saved searches belong to the
// user who saved them: another user's reads as kNotFound.
//
// Addresses are kept as given; the API validates them (collect::parseAddressRange) so that the
// store does not depend on the collector.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace vigil {

struct LogSource {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string orgName;
  std::string orgPath;
  std::string name;
  std::vector<std::string> addresses;  // IPs or CIDR ranges of its syslog/RELP senders
  int timezoneOffsetMinutes = 420;     // assumed for timestamps without a zone
  int expectedIntervalMinutes = 60;    // silent beyond this; 0 = not watched
  bool enabled = true;
  bool hasToken = false;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
};

struct SourceFields {
  int64_t orgId = 0;
  std::string name;
  std::vector<std::string> addresses;
  int timezoneOffsetMinutes = 420;
  int expectedIntervalMinutes = 60;
  bool enabled = true;
};

struct SourcePatch {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> addresses;
  std::optional<int> timezoneOffsetMinutes;
  std::optional<int> expectedIntervalMinutes;
  std::optional<bool> enabled;
};

// A source as the collector needs it, with the SHA-256 (hex) of its token ("" when none).
struct CollectorSource {
  LogSource source;
  std::string tokenSha256;
};

// The time ranges a saved search may name.
inline constexpr std::string_view kSavedSearchRanges[] = {"15m", "1h", "24h", "7d", "30d"};

struct SavedSearch {
  int64_t id = 0;
  int64_t userId = 0;
  std::optional<int64_t> orgId;  // the user's organisation when saved
  std::string name;
  std::string query;
  std::string range;  // kSavedSearchRanges
  TimeMs createdAt = 0;
};

class SourceStore {
 public:
  virtual ~SourceStore() = default;

  // Sources of the organisations the actor reads (kReadEvents), by organisation path and name.
  virtual Result<std::vector<LogSource>> listSources(const Actor& actor) = 0;
  virtual Result<LogSource> getSource(const Actor& actor, int64_t id) = 0;
  // `tokenSha256`: the hex SHA-256 of a new ingest token, or empty for none. A name is unique
  // within its organisation (kConflict).
  virtual Result<LogSource> createSource(const Actor& actor, const SourceFields& f, const std::string& tokenSha256) = 0;
  virtual Result<LogSource> updateSource(const Actor& actor, int64_t id, const SourcePatch& p) = 0;
  // Replaces the token (the previous one stops working).
  virtual Result<LogSource> setSourceToken(const Actor& actor, int64_t id, const std::string& tokenSha256) = 0;
  virtual Status deleteSource(const Actor& actor, int64_t id) = 0;
  // Every enabled source with its token hash, for the collector. System level: no actor, no audit.
  virtual Result<std::vector<CollectorSource>> allSourcesForCollector() = 0;

  // The actor's own saved searches, newest first. API tokens have none (kForbidden).
  virtual Result<std::vector<SavedSearch>> listSavedSearches(const Actor& actor) = 0;
  // A name is unique per user (kConflict).
  virtual Result<SavedSearch> createSavedSearch(const Actor& actor, const std::string& name, const std::string& query,
                                                const std::string& range) = 0;
  virtual Status deleteSavedSearch(const Actor& actor, int64_t id) = 0;
};

}  // namespace vigil
