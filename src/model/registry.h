// The registry of information systems (issue 3): systems, their assets, accounts and backups, the
// agencies' contact points, and the level dossier (hồ sơ đề xuất cấp độ) of each system. Plain
// values; the Store owns persistence and access checks (model/access.h: kReadRegistry,
// kManageRegistry on the system's organisation). Enumerations are kept as their API spelling;
// the allowed values are the lists below, checked by isOneOf() where input is read.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace vigil {

inline constexpr std::string_view kLifecycles[] = {"planning", "build", "operating", "retired"};
inline constexpr std::string_view kHostings[] = {"on_premises", "data_centre", "cloud"};
// How the system is separated from others sharing a data centre or cloud; "none" on premises.
inline constexpr std::string_view kSeparations[] = {"none", "logical", "physical"};
// Implementation of the approved security plan (Mẫu 08 column 10).
inline constexpr std::string_view kPlanStatuses[] = {"not_started", "partly", "fully"};
inline constexpr std::string_view kAssetKinds[] = {"server", "network_device", "workstation"};
// The main network devices of Circular 12/2022 part II.1 (redundancy items).
inline constexpr std::string_view kMainDeviceKinds[] = {"core_switch", "central_firewall", "waf", "central_storage",
                                                        "db_firewall"};
inline constexpr std::string_view kPrivileges[] = {"user", "operator", "administrator"};
inline constexpr std::string_view kBackupFrequencies[] = {"daily", "weekly", "monthly", "quarterly"};
inline constexpr std::string_view kContactRoles[] = {"incident_contact", "monitoring_contact"};
inline constexpr std::string_view kDossierStates[] = {"drafting", "sent_for_appraisal", "appraised", "approved"};
inline constexpr std::string_view kAttachmentKinds[] = {
    "overview", "design", "justification", "security_plan", "professional_opinion", "risk_assessment", "other"};

template <size_t N>
bool isOneOf(std::string_view v, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), v) != std::end(list);
}
template <size_t N>
std::string listOf(const std::string_view (&list)[N]) {
  std::string out;
  for (auto v : list) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

// Days between two backups of a frequency; 0 when unknown.
inline int backupPeriodDays(std::string_view frequency) {
  if (frequency == "daily") return 1;
  if (frequency == "weekly") return 7;
  if (frequency == "monthly") return 31;
  if (frequency == "quarterly") return 92;
  return 0;
}

// What a user records about a system. Dates are "YYYY-MM-DD" (local, checked by the API).
struct SystemFields {
  int64_t orgId = 0;  // the agency or unit that operates and records it
  std::string name;
  std::string regimeId;  // a loaded regime catalog
  std::string owner;     // the one owning body (chủ quản)
  std::string leadOperator;
  std::vector<std::string> operators;  // other operating units
  std::optional<int64_t> parentId;     // a component of this system (same agency)
  std::string lifecycle = "planning";
  std::optional<std::string> goLiveOn;
  std::optional<std::string> majorChangeOn;
  std::string hosting = "on_premises";
  std::string separation = "none";
  bool requires24x7 = false;
  bool criticalList = false;
  std::vector<std::string> webAddresses;
  std::vector<std::string> publicIps;
  std::optional<std::string> securityRegulationIssuedOn;  // Quy chế bảo đảm an toàn/an ninh mạng
  std::string planStatus = "not_started";
  std::string factsJson = "{}";  // the answers to the regime's facts, a JSON object
};

struct InfoSystem : SystemFields {
  int64_t id = 0;
  std::string orgName;
  std::string orgPath;
  int proposedLevel = 1;             // computed on every save (components raise it)
  std::optional<int> approvedLevel;  // set by the approval of a dossier
  std::optional<std::string> approvedOn;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
};

struct SystemQuery {
  std::optional<int64_t> orgId;  // this organisation's subtree
  std::optional<int> level;      // proposed level
  std::string lifecycle;
  std::string text;  // in the name
  int limit = 100;
  int offset = 0;
};

struct AssetFields {
  int64_t systemId = 0;
  std::string kind;  // kAssetKinds
  std::string name;
  std::string ip;
  std::string os;
  std::string location;
  bool mainDevice = false;     // network devices only
  std::string mainDeviceKind;  // kMainDeviceKinds when mainDevice
  bool internetConnected = false;
  std::string antiMalware;  // product name; empty: none
  bool antiMalwareLicensed = false;
  std::optional<std::string> lastUpdateOn;  // of the anti-malware signatures
};

struct Asset : AssetFields {
  int64_t id = 0;
  int64_t orgId = 0;
  std::string systemName;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
};

struct AssetQuery {
  std::optional<int64_t> orgId;
  std::optional<int64_t> systemId;
  std::string kind;
  int limit = 100;
  int offset = 0;
};

// Asset counts; a machine is protected when it has a licensed anti-malware product updated on or
// after the cut-off day.
struct AssetCounts {
  int64_t workstations = 0;
  int64_t workstationsProtected = 0;
  int64_t servers = 0;
  int64_t serversProtected = 0;
  int64_t networkDevices = 0;
  int64_t mainDevices = 0;
  int64_t internetConnected = 0;
};

struct OrgAssetCounts {
  int64_t orgId = 0;
  std::string orgName;
  AssetCounts counts;
};

// Coverage of an organisation's subtree (or everything in scope): the totals, and the counts of
// each organisation that has systems with assets (by the system's organisation, in tree order).
struct AssetCoverage : AssetCounts {
  std::vector<OrgAssetCounts> byOrg;
};

struct AccountFields {
  std::string name;
  std::string owner;
  std::string privilege = "user";  // kPrivileges
  std::optional<TimeMs> lastUsedAt;
  bool isDefault = false;  // a vendor default account (admin, root, sa...)
};
struct SystemAccount : AccountFields {
  int64_t id = 0;
  int64_t systemId = 0;
  int64_t orgId = 0;
  TimeMs updatedAt = 0;
};

struct BackupFields {
  std::string scope;  // what is backed up ("CSDL hồ sơ", "toàn bộ máy chủ")
  std::string frequency = "daily";
  bool offlineCopy = false;
  bool offsiteCopy = false;
  std::optional<TimeMs> lastBackupAt;
  std::optional<TimeMs> lastRestoreTestAt;
};
struct BackupPolicy : BackupFields {
  int64_t id = 0;
  int64_t systemId = 0;
  int64_t orgId = 0;
  TimeMs updatedAt = 0;
};

struct ContactFields {
  int64_t orgId = 0;
  std::string role;  // kContactRoles
  std::string name;
  std::string title;
  std::vector<std::string> phones;
  std::string email;
};
struct Contact : ContactFields {
  int64_t id = 0;
  std::string orgName;
  TimeMs updatedAt = 0;
};

struct DossierEvent {
  std::string from;
  std::string to;
  std::string on;  // the date of the step (YYYY-MM-DD)
  TimeMs at = 0;   // when it was recorded
  std::string actor;
  std::string note;
};

struct Dossier {
  int64_t id = 0;
  int64_t systemId = 0;
  int64_t orgId = 0;
  std::string systemName;
  std::string regimeId;
  int proposedLevel = 1;  // the system's proposed level when the dossier was opened or last sent
  std::string state = "drafting";
  std::optional<std::string> sentOn;
  std::optional<std::string> appraisedOn;
  std::string appraisalResult;  // suitable | not_suitable (the last appraisal)
  std::string itemsToFix;
  std::optional<std::string> approvedOn;
  std::string decisionNumber;
  std::string decisionBody;
  std::optional<int> approvedLevel;
  TimeMs createdAt = 0;
  TimeMs updatedAt = 0;
  std::vector<DossierEvent> events;
};

// One step of the workflow. `to` is the state asked for; "appraised" with result not_suitable
// sends the dossier back to drafting with the items to fix.
struct DossierTransition {
  std::string to;
  std::string on;  // YYYY-MM-DD
  std::string result;
  std::string itemsToFix;
  std::string decisionNumber;
  std::string decisionBody;
  std::optional<int> approvedLevel;  // default: the proposed level
  std::string note;
};

struct Attachment {
  int64_t id = 0;
  int64_t dossierId = 0;
  int64_t orgId = 0;
  std::string kind;
  std::string filename;
  std::string contentType;
  int64_t size = 0;
  std::string sha256;
  TimeMs uploadedAt = 0;
  std::string uploadedBy;
};

}  // namespace vigil
