// Who may do what, where. Roles are granted on a node of the organisation tree and apply to its
// whole subtree. This file is the single policy table; the Store calls it on every read and
// write, so handlers never decide access themselves. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

enum class Role { kAdministrator, kSocAnalyst, kUnitOfficer, kLeader, kAuditor };
std::string_view roleName(Role r);
std::optional<Role> parseRole(std::string_view s);
const std::vector<Role>& allRoles();

enum class Permission {
  kReadOrgs,
  kManageOrgs,
  kReadUsers,
  kManageUsers,
  kManageTokens,
  kReadAudit,
  kManageSettings,  // only with the grant on the root
  kReadRegistry,    // information systems, assets, accounts, backups, contacts, level dossiers
  kManageRegistry,
  kReadEvents,     // stored log events and the declared log sources of an organisation
  kManageSources,  // declare, change, delete log sources and rotate their ingest tokens
  kReadAlerts,     // the alert queue of an organisation, its comments and suppressions
  kTriageAlerts,   // acknowledge, assign, comment, close, mark false positive, suppress, enter alerts
  // Incidents of an organisation: process, timeline, tasks, parties, observables.
  kReadIncidents,
  // Open incidents (also from alerts), move them through the process, record outputs and notes.
  kHandleIncidents,
  kReadNotifications,    // notification channels, subscriptions and the delivery log of an organisation
  kManageNotifications,  // create, change, delete and test channels and subscriptions
  kReadRules,            // detection rules that apply to an organisation, their settings and reload status
  kManageRules,          // write, upload, edit, enable/disable (also per agency) and delete detection rules
  kHunt,                 // run retro-hunts over the stored events of an organisation (also needs kReadEvents)
};

bool roleAllows(Role role, Permission p);

struct Grant {
  int64_t orgId = 0;
  std::string orgPath;  // "/1/4/"
  Role role = Role::kUnitOfficer;
};

// The authenticated caller of a store operation.
struct Actor {
  std::optional<int64_t> userId;
  std::optional<int64_t> tokenId;
  std::string name;      // username, "token:<name>" or "system"
  std::string sourceIp;  // "cli" for commands
  std::vector<Grant> grants;
  bool system = false;  // bootstrap and command-line maintenance: every permission

  static Actor systemActor(std::string what) {
    Actor a;
    a.name = "system";
    a.sourceIp = std::move(what);
    a.system = true;
    return a;
  }
};

// True when `path` lies in the subtree rooted at `prefix` (both "/1/4/" form).
inline bool inSubtree(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix;
}

// True when the actor holds a role allowing `p` on a node whose subtree contains `orgPath`.
bool allows(const Actor& actor, Permission p, std::string_view orgPath);

// The minimal set of subtree prefixes where the actor has `p` (nested prefixes removed). Empty
// when nowhere. For a system actor: {"/"}, which every path starts with.
std::vector<std::string> scopePrefixes(const Actor& actor, Permission p);

}  // namespace vigil
