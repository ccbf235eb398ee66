// SqliteStore: detection rules kept in the database and per-agency rule settings (rule_store.h;
// migration 9). Access goes through the rule's agency path (kReadRules / kManageRules, see the
// scoping rules in rule_store.h); each change and its audit entry, with the rule text of the new
// version, are written in one transaction.
#include <boost/json.hpp>

#include "store/sqlite/json_columns.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr const char* kRuleColumns =
    "r.id,r.rule_uid,r.org_id,o.name,o.path,r.title,r.level,r.status,r.tags,r.yaml,r.enabled,r.version,"
    "r.created_by,r.created_at,r.updated_by,r.updated_at";
constexpr const char* kRuleFrom = " FROM detection_rules r JOIN orgs o ON o.id = r.org_id";

DetectionRule readRule(const Stmt& st) {
  DetectionRule r;
  r.id = st.int64(0);
  r.uid = st.text(1);
  r.orgId = st.int64(2);
  r.orgName = st.text(3);
  r.orgPath = st.text(4);
  r.title = st.text(5);
  r.level = st.text(6);
  r.status = st.text(7);
  r.tags = fromJsonArray(st.text(8));
  r.yaml = st.text(9);
  r.enabled = st.int64(10) != 0;
  r.version = st.int64(11);
  r.createdBy = st.text(12);
  r.createdAt = st.int64(13);
  r.updatedBy = st.text(14);
  r.updatedAt = st.int64(15);
  return r;
}

// A rule is readable by whoever holds kReadRules on its agency or on an agency below it.
bool canRead(const Actor& actor, const std::string& rulePath) {
  if (actor.system) return true;
  for (const Grant& g : actor.grants) {
    if (!roleAllows(g.role, Permission::kReadRules)) continue;
    if (inSubtree(rulePath, g.orgPath) || inSubtree(g.orgPath, rulePath)) return true;
  }
  return false;
}

std::string notFoundText(const std::string& uid) { return "rule '" + uid + "' not found"; }

Result<DetectionRule> loadRule(Db& db, const Actor& actor, const std::string& uid, bool manage) {
  VIGIL_ASSIGN_OR_RETURN(auto st,
                         db.prepare(std::string("SELECT ") + kRuleColumns + kRuleFrom + " WHERE r.rule_uid = ?"));
  st.bind(1, uid);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText(uid));
  DetectionRule r = readRule(st);
  if (!canRead(actor, r.orgPath)) return Error::notFound(notFoundText(uid));
  if (manage && !allows(actor, Permission::kManageRules, r.orgPath))
    return Error::forbidden("you may not change the detection rules of '" + r.orgName + "'");
  return r;
}

AuditEntry auditOf(std::string action, const std::string& uid, int64_t orgId, const json::object& summary) {
  return {.action = std::move(action),
          .objectType = "rule",
          .objectId = uid,
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

json::object versionSummary(const DetectionRule& r) {
  return {{"uid", r.uid},      {"version", r.version}, {"title", r.title}, {"level", r.level},
          {"org_id", r.orgId}, {"enabled", r.enabled}, {"yaml", r.yaml}};
}

Result<std::vector<RuleAgencySetting>> readSettings(Stmt& st) {
  std::vector<RuleAgencySetting> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RuleAgencySetting s;
    s.ruleUid = st.text(0);
    s.orgId = st.int64(1);
    s.orgName = st.text(2);
    s.orgPath = st.text(3);
    s.enabled = st.int64(4) != 0;
    s.updatedBy = st.text(5);
    s.updatedAt = st.int64(6);
    out.push_back(std::move(s));
  }
  return out;
}

constexpr const char* kSettingColumns =
    "s.rule_uid,s.org_id,o.name,o.path,s.enabled,s.updated_by,s.updated_at FROM detection_rule_agencies s "
    "JOIN orgs o ON o.id = s.org_id";

}  // namespace

Result<std::vector<DetectionRule>> SqliteStore::allDetectionRules() {
  return read([&](Db& db) -> Result<std::vector<DetectionRule>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kRuleColumns + kRuleFrom + " ORDER BY r.id"));
    std::vector<DetectionRule> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readRule(st));
    }
    return out;
  });
}

Result<std::vector<RuleAgencySetting>> SqliteStore::allRuleAgencySettings() {
  return read([&](Db& db) -> Result<std::vector<RuleAgencySetting>> {
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db.prepare(std::string("SELECT ") + kSettingColumns + " ORDER BY s.rule_uid, o.path"));
    return readSettings(st);
  });
}

Result<std::vector<DetectionRule>> SqliteStore::listDetectionRules(const Actor& actor) {
  return read([&](Db& db) -> Result<std::vector<DetectionRule>> {
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db.prepare(std::string("SELECT ") + kRuleColumns + kRuleFrom + " ORDER BY r.title"));
    std::vector<DetectionRule> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      DetectionRule r = readRule(st);
      if (canRead(actor, r.orgPath)) out.push_back(std::move(r));
    }
    return out;
  });
}

Result<DetectionRule> SqliteStore::getDetectionRule(const Actor& actor, const std::string& uid) {
  return read([&](Db& db) { return loadRule(db, actor, uid, false); });
}

Result<DetectionRule> SqliteStore::createDetectionRule(const Actor& actor, const DetectionRuleFields& f) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
    if (!allows(actor, Permission::kManageRules, org.path))
      return Error::forbidden("you may not add detection rules for '" + org.name + "'");
    if (org.archived) return Error::validation("org_id", "the organisation is archived");
    VIGIL_ASSIGN_OR_RETURN(auto dup, tx.db.prepare("SELECT 1 FROM detection_rules WHERE rule_uid = ?"));
    dup.bind(1, f.uid);
    VIGIL_ASSIGN_OR_RETURN(bool exists, dup.step());
    if (exists) return Error::conflict("a rule with id '" + f.uid + "' already exists");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO detection_rules(rule_uid,org_id,title,level,status,"
                                                  "tags,yaml,enabled,version,created_by,created_at,updated_by,"
                                                  "updated_at) VALUES(?,?,?,?,?,?,?,?,1,?,?,?,?)"));
    st.bind(1, f.uid).bind(2, f.orgId).bind(3, f.title).bind(4, f.level).bind(5, f.status).bind(6, toJsonArray(f.tags));
    st.bind(7, f.yaml).bind(8, f.enabled).bind(9, actor.name).bind(10, tx.now).bind(11, actor.name).bind(12, tx.now);
    VIGIL_TRY(st.run());
    DetectionRule r{.uid = f.uid,
                    .orgId = f.orgId,
                    .title = f.title,
                    .level = f.level,
                    .yaml = f.yaml,
                    .enabled = f.enabled,
                    .version = 1};
    return tx.audit(actor, auditOf("rule.create", f.uid, f.orgId, versionSummary(r)));
  }));
  return getDetectionRule(actor, f.uid);
}

Result<DetectionRule> SqliteStore::updateDetectionRule(const Actor& actor, const std::string& uid,
                                                       const DetectionRuleFields& f, int64_t expectedVersion) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(DetectionRule cur, loadRule(tx.db, actor, uid, true));
    if (f.uid != uid)
      return Error::validation("id", "the rule's id cannot change (it is '" + uid + "'); create a new rule instead");
    if (expectedVersion > 0 && expectedVersion != cur.version)
      return Error::conflict("the rule was changed meanwhile (now version " + std::to_string(cur.version) +
                             ", you edited version " + std::to_string(expectedVersion) + "); reload it");
    if (f.yaml == cur.yaml && f.enabled == cur.enabled) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE detection_rules SET title=?,level=?,status=?,tags=?,yaml=?,"
                                                  "enabled=?,version=version+1,updated_by=?,updated_at=? "
                                                  "WHERE rule_uid=?"));
    st.bind(1, f.title).bind(2, f.level).bind(3, f.status).bind(4, toJsonArray(f.tags)).bind(5, f.yaml);
    st.bind(6, f.enabled).bind(7, actor.name).bind(8, tx.now).bind(9, uid);
    VIGIL_TRY(st.run());
    DetectionRule next = cur;
    next.title = f.title;
    next.level = f.level;
    next.yaml = f.yaml;
    next.enabled = f.enabled;
    next.version = cur.version + 1;
    json::object sum = versionSummary(next);
    sum["previous_version"] = cur.version;
    return tx.audit(actor, auditOf("rule.update", uid, cur.orgId, sum));
  }));
  return getDetectionRule(actor, uid);
}

Result<DetectionRule> SqliteStore::setDetectionRuleEnabled(const Actor& actor, const std::string& uid, bool enabled) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(DetectionRule cur, loadRule(tx.db, actor, uid, true));
    if (cur.enabled == enabled) return {};
    VIGIL_ASSIGN_OR_RETURN(
        auto st, tx.db.prepare("UPDATE detection_rules SET enabled=?,updated_by=?,updated_at=? WHERE rule_uid=?"));
    VIGIL_TRY(st.bind(1, enabled).bind(2, actor.name).bind(3, tx.now).bind(4, uid).run());
    return tx.audit(actor, auditOf(enabled ? "rule.enable" : "rule.disable", uid, cur.orgId,
                                   {{"uid", uid}, {"version", cur.version}}));
  }));
  return getDetectionRule(actor, uid);
}

Status SqliteStore::deleteDetectionRule(const Actor& actor, const std::string& uid) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(DetectionRule cur, loadRule(tx.db, actor, uid, true));
    VIGIL_ASSIGN_OR_RETURN(auto del, tx.db.prepare("DELETE FROM detection_rules WHERE rule_uid=?"));
    VIGIL_TRY(del.bind(1, uid).run());
    VIGIL_ASSIGN_OR_RETURN(auto delSettings, tx.db.prepare("DELETE FROM detection_rule_agencies WHERE rule_uid=?"));
    VIGIL_TRY(delSettings.bind(1, uid).run());
    return tx.audit(actor, auditOf("rule.delete", uid, cur.orgId, versionSummary(cur)));
  });
}

Result<std::vector<RuleAgencySetting>> SqliteStore::listRuleAgencySettings(const Actor& actor, const std::string& uid) {
  return read([&](Db& db) -> Result<std::vector<RuleAgencySetting>> {
    VIGIL_ASSIGN_OR_RETURN(
        auto st, db.prepare(std::string("SELECT ") + kSettingColumns + " WHERE s.rule_uid = ? ORDER BY o.path"));
    st.bind(1, uid);
    VIGIL_ASSIGN_OR_RETURN(auto all, readSettings(st));
    std::vector<RuleAgencySetting> out;
    for (auto& s : all)
      if (allows(actor, Permission::kReadRules, s.orgPath)) out.push_back(std::move(s));
    return out;
  });
}

Status SqliteStore::setRuleAgency(const Actor& actor, const std::string& uid, int64_t orgId,
                                  std::optional<bool> enabled, bool directoryRule) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, orgId));
    if (!directoryRule) {
      VIGIL_ASSIGN_OR_RETURN(DetectionRule rule, loadRule(tx.db, actor, uid, false));
      if (!inSubtree(org.path, rule.orgPath))
        return Error::validation("org_id", "'" + org.name + "' is outside the agencies the rule applies to ('" +
                                               rule.orgName + "' and below)");
    }
    if (!allows(actor, Permission::kManageRules, org.path))
      return Error::forbidden("you may not change the detection rules of '" + org.name + "'");
    if (enabled) {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO detection_rule_agencies(rule_uid,org_id,enabled,"
                                                    "updated_by,updated_at) VALUES(?,?,?,?,?) ON CONFLICT(rule_uid,"
                                                    "org_id) DO UPDATE SET enabled=excluded.enabled, "
                                                    "updated_by=excluded.updated_by, updated_at=excluded.updated_at"));
      VIGIL_TRY(st.bind(1, uid).bind(2, orgId).bind(3, *enabled).bind(4, actor.name).bind(5, tx.now).run());
    } else {
      VIGIL_ASSIGN_OR_RETURN(auto st,
                             tx.db.prepare("DELETE FROM detection_rule_agencies WHERE rule_uid=? AND org_id=?"));
      VIGIL_TRY(st.bind(1, uid).bind(2, orgId).run());
    }
    return tx.audit(actor, auditOf("rule.agency", uid, orgId,
                                   {{"uid", uid},
                                    {"org_id", orgId},
                                    {"enabled", enabled ? json::value(*enabled) : json::value(nullptr)},
                                    {"source", directoryRule ? "directory" : "database"}}));
  });
}

}  // namespace vigil::sqlite
