// RuleStore: the Sigma detection rules kept in the database (issue 6), and the per-agency
// settings of any rule (database or rules directory). Part of Store (store.h), same contract:
// access enforced here with the Actor, every change audited in its own transaction.
//
// Scoping: a database rule belongs to an agency (org_id) and applies to the events of its
// subtree. An actor reads a rule when it holds kReadRules on the rule's agency or on an agency
// below it (a rule that applies to them); it changes it with kManageRules on the rule's agency.
// A per-agency setting needs kManageRules on that agency, which must lie in the rule's subtree.
// A rule outside the read scope is kNotFound, as if missing.
//
// Versions: each create and edit bumps `version`; the audit entry (rule.create, rule.update,
// rule.delete) carries the whole YAML text of that version, so the audit log is the history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace vigil {

struct DetectionRule {
  int64_t id = 0;
  std::string uid;  // the rule's Sigma id
  int64_t orgId = 0;
  std::string orgName, orgPath;
  std::string title, level, status;
  std::vector<std::string> tags;
  std::string yaml;
  bool enabled = true;
  int64_t version = 1;
  std::string createdBy, updatedBy;
  TimeMs createdAt = 0, updatedAt = 0;
};

// What the API validated (parse + compile) before storing.
struct DetectionRuleFields {
  int64_t orgId = 0;
  std::string uid, title, level, status;
  std::vector<std::string> tags;
  std::string yaml;
  bool enabled = true;
};

struct RuleAgencySetting {
  std::string ruleUid;
  int64_t orgId = 0;
  std::string orgName, orgPath;
  bool enabled = true;
  std::string updatedBy;
  TimeMs updatedAt = 0;
};

class RuleStore {
 public:
  virtual ~RuleStore() = default;

  // System level (the detection reload): every rule and every per-agency setting.
  virtual Result<std::vector<DetectionRule>> allDetectionRules() = 0;
  virtual Result<std::vector<RuleAgencySetting>> allRuleAgencySettings() = 0;

  virtual Result<std::vector<DetectionRule>> listDetectionRules(const Actor& actor) = 0;
  virtual Result<DetectionRule> getDetectionRule(const Actor& actor, const std::string& uid) = 0;
  // kConflict when the uid exists. Audited with the text (version 1).
  virtual Result<DetectionRule> createDetectionRule(const Actor& actor, const DetectionRuleFields& f) = 0;
  // Replaces text and metadata; the uid and agency do not change (kValidation otherwise).
  // `expectedVersion` > 0: kConflict when the stored version differs (a concurrent edit).
  virtual Result<DetectionRule> updateDetectionRule(const Actor& actor, const std::string& uid,
                                                    const DetectionRuleFields& f, int64_t expectedVersion) = 0;
  virtual Result<DetectionRule> setDetectionRuleEnabled(const Actor& actor, const std::string& uid, bool enabled) = 0;
  // Deletes the rule and its per-agency settings; the audit entry keeps the last text.
  virtual Status deleteDetectionRule(const Actor& actor, const std::string& uid) = 0;

  // Per-agency settings of a rule visible to the actor (those on agencies in its read scope).
  virtual Result<std::vector<RuleAgencySetting>> listRuleAgencySettings(const Actor& actor, const std::string& uid) = 0;
  // Sets (or with nullopt removes) the rule's setting for an agency and its subtree.
  // `directoryRule`: the uid names a rule of the rules directories (the caller checked it is
  // loaded); such a rule applies to the whole province. Otherwise the uid must be a database rule.
  virtual Status setRuleAgency(const Actor& actor, const std::string& uid, int64_t orgId, std::optional<bool> enabled,
                               bool directoryRule) = 0;
};

}  // namespace vigil
