#include "model/access.h"

#include <algorithm>

namespace vigil {

std::string_view roleName(Role r) {
  switch (r) {
    case Role::kAdministrator: return "administrator";
    case Role::kSocAnalyst: return "soc_analyst";
    case Role::kUnitOfficer: return "unit_officer";
    case Role::kLeader: return "leader";
    case Role::kAuditor: return "auditor";
  }
  return "unit_officer";
}

const std::vector<Role>& allRoles() {
  static const std::vector<Role> roles{Role::kAdministrator, Role::kSocAnalyst, Role::kUnitOfficer, Role::kLeader,
                                       Role::kAuditor};
  return roles;
}

std::optional<Role> parseRole(std::string_view s) {
  for (Role r : allRoles())
    if (roleName(r) == s) return r;
  return std::nullopt;
}

// The policy table. Reading the organisation tree is open to every role in its subtree; people
// and the audit log are for administrators, leaders (who sign for their agency) and auditors.
bool roleAllows(Role role, Permission p) {
  switch (p) {
    case Permission::kReadOrgs: return true;
    case Permission::kReadUsers: return role == Role::kAdministrator || role == Role::kAuditor || role == Role::kLeader;
    case Permission::kReadAudit: return role == Role::kAdministrator || role == Role::kAuditor;
    // The registry of information systems: everyone in scope reads it (SOC analysts for context,
    // leaders who sign, auditors who check); the agency's administrators and officers keep it.
    case Permission::kReadRegistry: return true;
    case Permission::kManageRegistry: return role == Role::kAdministrator || role == Role::kUnitOfficer;
    // Log events and sources: every role reads its agencies' events (the SOC, officers who
    // investigate, leaders and auditors); only administrators declare sources and hold tokens.
    case Permission::kReadEvents: return true;
    case Permission::kManageSources: return role == Role::kAdministrator;
    // Alerts: everyone in scope reads the queue (leaders and auditors follow it); the SOC, the
    // agency's officers and administrators work it.
    case Permission::kReadAlerts: return true;
    case Permission::kTriageAlerts:
      return role == Role::kAdministrator || role == Role::kSocAnalyst || role == Role::kUnitOfficer;
    // Incidents: everyone in scope follows them (leaders sign the reports, auditors check); the
    // SOC, the agency's officers and administrators handle them. Scope is the grant's subtree, so
    // an agency officer sees the incidents of their agency only.
    case Permission::kReadIncidents: return true;
    case Permission::kHandleIncidents:
      return role == Role::kAdministrator || role == Role::kSocAnalyst || role == Role::kUnitOfficer;
    // Notifications: channels hold credentials (SMTP login, signing keys, bot tokens), so only
    // administrators keep them; auditors also read the delivery log.
    case Permission::kReadNotifications: return role == Role::kAdministrator || role == Role::kAuditor;
    case Permission::kManageNotifications: return role == Role::kAdministrator;
    // Detection rules: the SOC and administrators write and tune them and hunt with them;
    // auditors read them (what is being watched).
    case Permission::kReadRules:
      return role == Role::kAdministrator || role == Role::kSocAnalyst || role == Role::kAuditor;
    case Permission::kManageRules:
    case Permission::kHunt: return role == Role::kAdministrator || role == Role::kSocAnalyst;
    case Permission::kManageOrgs:
    case Permission::kManageUsers:
    case Permission::kManageTokens:
    case Permission::kManageSettings: return role == Role::kAdministrator;
  }
  return false;
}

bool allows(const Actor& actor, Permission p, std::string_view orgPath) {
  if (actor.system) return true;
  for (const auto& g : actor.grants) {
    if (!roleAllows(g.role, p)) continue;
    if (p == Permission::kManageSettings && std::count(g.orgPath.begin(), g.orgPath.end(), '/') != 2) continue;
    if (inSubtree(orgPath, g.orgPath)) return true;
  }
  return false;
}

std::vector<std::string> scopePrefixes(const Actor& actor, Permission p) {
  if (actor.system) return {"/"};
  std::vector<std::string> prefixes;
  for (const auto& g : actor.grants)
    if (roleAllows(g.role, p)) prefixes.push_back(g.orgPath);
  std::sort(prefixes.begin(), prefixes.end());
  std::vector<std::string> minimal;
  for (const auto& pre : prefixes)
    if (minimal.empty() || !inSubtree(pre, minimal.back())) minimal.push_back(pre);
  return minimal;
}

}  // namespace vigil
