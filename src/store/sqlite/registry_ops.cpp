// SqliteStore: the registry of information systems (systems, assets, accounts, backups, contacts)
// and the level dossiers. Every object is reached through its system or organisation, whose path
// decides access: kReadRegistry to see it (otherwise kNotFound, as if missing), kManageRegistry
// to change it. Each change and its audit entry are written in one transaction.
#include <boost/json.hpp>

#include "store/sqlite/import_rows.h"
#include "store/sqlite/json_columns.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr int kMaxTreeDepth = 32;  // component chains deeper than this are refused

std::optional<std::string> optText(const Stmt& st, int col) {
  return st.isNull(col) ? std::nullopt : std::optional<std::string>(st.text(col));
}
std::optional<int> optInt(const Stmt& st, int col) {
  return st.isNull(col) ? std::nullopt : std::optional<int>(static_cast<int>(st.int64(col)));
}

// A stored JSON text as a value; the text itself (a string) if it does not parse, so that an
// audit summary never throws.
json::value jsonOrText(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(text) : v;
}
json::value optJson(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value optJson(const std::optional<TimeMs>& t) { return t ? json::value(*t) : json::value(nullptr); }

std::string notFoundText(const char* what, int64_t id) {
  return std::string(what) + " " + std::to_string(id) + " not found";
}

// Checks the actor's right on an organisation path: kNotFound when it may not even read.
Status checkAccess(const Actor& actor, Permission p, const std::string& path, const std::string& orgName,
                   Error notFound) {
  if (!allows(actor, Permission::kReadRegistry, path)) return notFound;
  if (p == Permission::kManageRegistry && !allows(actor, p, path))
    return Error::forbidden("you may not change the registry of '" + orgName + "'");
  return {};
}

// --- Systems -----------------------------------------------------------------------------------

constexpr const char* kSystemColumns =
    "s.id,s.org_id,o.name,o.path,s.name,s.regime_id,s.owner,s.lead_operator,s.operators,s.parent_id,s.lifecycle,"
    "s.go_live_on,s.major_change_on,s.hosting,s.separation,s.requires_24x7,s.critical_list,s.web_addresses,"
    "s.public_ips,s.security_regulation_issued_on,s.plan_status,s.facts,s.proposed_level,s.approved_level,"
    "s.approved_on,s.created_at,s.updated_at";

InfoSystem readSystem(const Stmt& st) {
  InfoSystem s;
  s.id = st.int64(0);
  s.orgId = st.int64(1);
  s.orgName = st.text(2);
  s.orgPath = st.text(3);
  s.name = st.text(4);
  s.regimeId = st.text(5);
  s.owner = st.text(6);
  s.leadOperator = st.text(7);
  s.operators = fromJsonArray(st.text(8));
  s.parentId = st.optInt64(9);
  s.lifecycle = st.text(10);
  s.goLiveOn = optText(st, 11);
  s.majorChangeOn = optText(st, 12);
  s.hosting = st.text(13);
  s.separation = st.text(14);
  s.requires24x7 = st.int64(15) != 0;
  s.criticalList = st.int64(16) != 0;
  s.webAddresses = fromJsonArray(st.text(17));
  s.publicIps = fromJsonArray(st.text(18));
  s.securityRegulationIssuedOn = optText(st, 19);
  s.planStatus = st.text(20);
  s.factsJson = st.text(21);
  s.proposedLevel = static_cast<int>(st.int64(22));
  s.approvedLevel = optInt(st, 23);
  s.approvedOn = optText(st, 24);
  s.createdAt = st.int64(25);
  s.updatedAt = st.int64(26);
  return s;
}

// Loads the row `id` with `sql` (one `?` for the id; the owning organisation's path and name at
// `pathColumn` and the next column) and checks that `actor` may do `p` there. Out of scope reads as
// not found, exactly like a missing id.
template <typename T>
Result<T> loadScoped(Db& db, const Actor& actor, int64_t id, Permission p, const std::string& sql, const char* what,
                     T (*read)(const Stmt&), int pathColumn) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText(what, id));
  T value = read(st);
  VIGIL_TRY(
      checkAccess(actor, p, st.text(pathColumn), st.text(pathColumn + 1), Error::notFound(notFoundText(what, id))));
  return value;
}

Result<InfoSystem> loadSystem(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSystemColumns +
                                             " FROM info_systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText("information system", id));
  InfoSystem s = readSystem(st);
  VIGIL_TRY(checkAccess(actor, p, s.orgPath, s.orgName, Error::notFound(notFoundText("information system", id))));
  return s;
}

// The recorded fields as JSON, for audit summaries and change lists.
json::object systemJson(const SystemFields& f) {
  return {{"org_id", f.orgId},
          {"name", f.name},
          {"regime_id", f.regimeId},
          {"owner", f.owner},
          {"lead_operator", f.leadOperator},
          {"operators", stringArray(f.operators)},
          {"parent_id", f.parentId ? json::value(*f.parentId) : json::value(nullptr)},
          {"lifecycle", f.lifecycle},
          {"go_live_on", optJson(f.goLiveOn)},
          {"major_change_on", optJson(f.majorChangeOn)},
          {"hosting", f.hosting},
          {"separation", f.separation},
          {"requires_24x7", f.requires24x7},
          {"critical_list", f.criticalList},
          {"web_addresses", stringArray(f.webAddresses)},
          {"public_ips", stringArray(f.publicIps)},
          {"security_regulation_issued_on", optJson(f.securityRegulationIssuedOn)},
          {"plan_status", f.planStatus},
          {"facts", jsonOrText(f.factsJson)}};
}

// The parent must be a system of the same organisation, and not `self` or below it.
Status checkParent(Db& db, const SystemFields& f, int64_t self) {
  if (!f.parentId) return {};
  if (*f.parentId == self) return Error::validation("parent_id", "a system cannot be a component of itself");
  int64_t cur = *f.parentId;
  for (int depth = 0;; ++depth) {
    if (depth > kMaxTreeDepth) return Error::validation("parent_id", "the chain of components is too deep");
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT org_id, parent_id FROM info_systems WHERE id = ?"));
    st.bind(1, cur);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::validation("parent_id", "no information system " + std::to_string(cur) + " in this agency");
    if (depth == 0 && st.int64(0) != f.orgId)
      return Error::validation("parent_id", "no information system " + std::to_string(cur) + " in this agency");
    auto next = st.optInt64(1);
    if (!next) return {};
    if (*next == self && self != 0)
      return Error::validation("parent_id", "system " + std::to_string(*f.parentId) +
                                                " is a component of this system; components cannot form a cycle");
    cur = *next;
  }
}

// Recomputes the proposed level of `id` from its facts and its components, stores it, and does
// the same for every ancestor.
Status recomputeFrom(WriteTx& tx, const SystemLeveler& leveler, std::optional<int64_t> start) {
  std::optional<int64_t> cur = start;
  for (int depth = 0; cur && depth <= kMaxTreeDepth; ++depth) {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT regime_id, facts, parent_id, name FROM info_systems "
                                                  "WHERE id = ?"));
    st.bind(1, *cur);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return {};
    const std::string regime = st.text(0), facts = st.text(1), name = st.text(3);
    const auto parent = st.optInt64(2);
    VIGIL_ASSIGN_OR_RETURN(auto comp, tx.db.prepare("SELECT coalesce(max(proposed_level), 0) FROM info_systems "
                                                    "WHERE parent_id = ?"));
    comp.bind(1, *cur);
    VIGIL_ASSIGN_OR_RETURN(bool crow, comp.step());
    const int componentsLevel = crow ? static_cast<int>(comp.int64(0)) : 0;
    auto level = leveler.proposedLevel(regime, facts, componentsLevel);
    if (!level.ok()) {
      Error e = level.takeError();
      if (cur != start) e.message = "the parent system '" + name + "' cannot be levelled: " + e.message;
      return e;
    }
    VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE info_systems SET proposed_level = ? WHERE id = ?"));
    VIGIL_TRY(up.bind(1, *level).bind(2, *cur).run());
    cur = parent;
  }
  return {};
}

// Refused when an approval is recorded and the system went live before it (the dossier is
// approved before go-live: Decree 85 Art. 13-14; Decree 331 Art. 30.6).
Status checkGoLiveAfterApproval(const std::optional<std::string>& goLiveOn,
                                const std::optional<std::string>& approvedOn) {
  if (goLiveOn && approvedOn && *goLiveOn < *approvedOn)
    return Error::validation("go_live_on", "the go-live date " + *goLiveOn +
                                               " is before the approval of the dossier (" + *approvedOn +
                                               "); a system goes live after its level is approved");
  return {};
}

Status bindSystemFields(Stmt& st, const SystemFields& f) {
  st.bind(1, f.name).bind(2, f.regimeId).bind(3, f.owner).bind(4, f.leadOperator).bind(5, toJsonArray(f.operators));
  st.bind(6, f.parentId).bind(7, f.lifecycle).bind(8, f.goLiveOn).bind(9, f.majorChangeOn).bind(10, f.hosting);
  st.bind(11, f.separation).bind(12, f.requires24x7).bind(13, f.criticalList).bind(14, toJsonArray(f.webAddresses));
  st.bind(15, toJsonArray(f.publicIps)).bind(16, f.securityRegulationIssuedOn).bind(17, f.planStatus);
  st.bind(18, f.factsJson);
  return {};
}

Result<int64_t> insertSystem(WriteTx& tx, const Actor& actor, const SystemFields& f, const SystemLeveler& leveler) {
  VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
  VIGIL_TRY(checkAccess(actor, Permission::kManageRegistry, org.path, org.name,
                        Error::notFound(notFoundText("organisation", f.orgId))));
  if (org.archived) return Error::conflict("'" + org.name + "' is archived");
  VIGIL_TRY(checkParent(tx.db, f, 0));
  VIGIL_ASSIGN_OR_RETURN(
      auto st, tx.db.prepare("INSERT INTO info_systems(name,regime_id,owner,lead_operator,operators,parent_id,"
                             "lifecycle,go_live_on,major_change_on,hosting,separation,requires_24x7,"
                             "critical_list,web_addresses,public_ips,security_regulation_issued_on,"
                             "plan_status,facts,org_id,proposed_level,created_at,updated_at) "
                             "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?)"));
  VIGIL_TRY(bindSystemFields(st, f));
  st.bind(19, f.orgId).bind(20, tx.now).bind(21, tx.now);
  VIGIL_TRY(st.run());
  const int64_t id = tx.db.lastInsertId();
  VIGIL_TRY(recomputeFrom(tx, leveler, id));
  json::object sum = systemJson(f);
  VIGIL_TRY(tx.audit(actor, {.action = "system.create",
                             .objectType = "system",
                             .objectId = std::to_string(id),
                             .orgId = f.orgId,
                             .summary = json::serialize(sum)}));
  return id;
}

// --- Assets ------------------------------------------------------------------------------------

constexpr const char* kAssetColumns =
    "a.id,a.system_id,s.org_id,s.name,a.kind,a.name,a.ip,a.os,a.location,a.main_device,a.main_device_kind,"
    "a.internet_connected,a.anti_malware,a.anti_malware_licensed,a.last_update_on,a.created_at,a.updated_at,o.path,"
    "o.name";

Asset readAsset(const Stmt& st) {
  Asset a;
  a.id = st.int64(0);
  a.systemId = st.int64(1);
  a.orgId = st.int64(2);
  a.systemName = st.text(3);
  a.kind = st.text(4);
  a.name = st.text(5);
  a.ip = st.text(6);
  a.os = st.text(7);
  a.location = st.text(8);
  a.mainDevice = st.int64(9) != 0;
  a.mainDeviceKind = st.text(10);
  a.internetConnected = st.int64(11) != 0;
  a.antiMalware = st.text(12);
  a.antiMalwareLicensed = st.int64(13) != 0;
  a.lastUpdateOn = optText(st, 14);
  a.createdAt = st.int64(15);
  a.updatedAt = st.int64(16);
  return a;
}

Result<Asset> loadAsset(Db& db, const Actor& actor, int64_t id, Permission p) {
  return loadScoped<Asset>(
      db, actor, id, p,
      std::string("SELECT ") + kAssetColumns +
          " FROM assets a JOIN info_systems s ON s.id = a.system_id JOIN orgs o ON o.id = s.org_id WHERE a.id = ?",
      "asset", readAsset, 17);
}

json::object assetJson(const AssetFields& f) {
  return {{"system_id", f.systemId},
          {"kind", f.kind},
          {"name", f.name},
          {"ip", f.ip},
          {"os", f.os},
          {"location", f.location},
          {"main_device", f.mainDevice},
          {"main_device_kind", f.mainDeviceKind},
          {"internet_connected", f.internetConnected},
          {"anti_malware", f.antiMalware},
          {"anti_malware_licensed", f.antiMalwareLicensed},
          {"last_update_on", optJson(f.lastUpdateOn)}};
}

void bindAssetFields(Stmt& st, const AssetFields& f) {
  st.bind(1, f.systemId).bind(2, f.kind).bind(3, f.name).bind(4, f.ip).bind(5, f.os).bind(6, f.location);
  st.bind(7, f.mainDevice).bind(8, f.mainDeviceKind).bind(9, f.internetConnected).bind(10, f.antiMalware);
  st.bind(11, f.antiMalwareLicensed).bind(12, f.lastUpdateOn);
}

Result<int64_t> insertAsset(WriteTx& tx, const Actor& actor, const AssetFields& f) {
  VIGIL_ASSIGN_OR_RETURN(InfoSystem sys, loadSystem(tx.db, actor, f.systemId, Permission::kManageRegistry));
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO assets(system_id,kind,name,ip,os,location,main_device,"
                                                "main_device_kind,internet_connected,anti_malware,"
                                                "anti_malware_licensed,last_update_on,created_at,updated_at) "
                                                "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  bindAssetFields(st, f);
  st.bind(13, tx.now).bind(14, tx.now);
  VIGIL_TRY(st.run());
  const int64_t id = tx.db.lastInsertId();
  VIGIL_TRY(tx.audit(actor, {.action = "asset.create",
                             .objectType = "asset",
                             .objectId = std::to_string(id),
                             .orgId = sys.orgId,
                             .summary = json::serialize(assetJson(f))}));
  return id;
}

// --- Accounts, backups -------------------------------------------------------------------------

constexpr const char* kAccountColumns =
    "c.id,c.system_id,s.org_id,c.name,c.owner,c.privilege,c.last_used_at,c.is_default,c.updated_at,o.path,o.name";

SystemAccount readAccount(const Stmt& st) {
  SystemAccount a;
  a.id = st.int64(0);
  a.systemId = st.int64(1);
  a.orgId = st.int64(2);
  a.name = st.text(3);
  a.owner = st.text(4);
  a.privilege = st.text(5);
  a.lastUsedAt = st.optInt64(6);
  a.isDefault = st.int64(7) != 0;
  a.updatedAt = st.int64(8);
  return a;
}

Result<SystemAccount> loadAccount(Db& db, const Actor& actor, int64_t id, Permission p) {
  return loadScoped<SystemAccount>(db, actor, id, p,
                                   std::string("SELECT ") + kAccountColumns +
                                       " FROM system_accounts c JOIN info_systems s ON s.id = c.system_id JOIN orgs o "
                                       "ON o.id = s.org_id WHERE c.id = ?",
                                   "account", readAccount, 9);
}

json::object accountJson(const AccountFields& f) {
  return {{"name", f.name},
          {"owner", f.owner},
          {"privilege", f.privilege},
          {"last_used_at", optJson(f.lastUsedAt)},
          {"is_default", f.isDefault}};
}

Status checkAccountName(WriteTx& tx, int64_t systemId, const std::string& name, int64_t excludeId) {
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT 1 FROM system_accounts WHERE system_id = ? AND name = ? "
                                                "AND id <> ?"));
  st.bind(1, systemId).bind(2, name).bind(3, excludeId);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (row) return Error::conflict("the system already has an account named '" + name + "'");
  return {};
}

constexpr const char* kBackupColumns =
    "b.id,b.system_id,s.org_id,b.scope,b.frequency,b.offline_copy,b.offsite_copy,b.last_backup_at,"
    "b.last_restore_test_at,b.updated_at,o.path,o.name";

BackupPolicy readBackup(const Stmt& st) {
  BackupPolicy b;
  b.id = st.int64(0);
  b.systemId = st.int64(1);
  b.orgId = st.int64(2);
  b.scope = st.text(3);
  b.frequency = st.text(4);
  b.offlineCopy = st.int64(5) != 0;
  b.offsiteCopy = st.int64(6) != 0;
  b.lastBackupAt = st.optInt64(7);
  b.lastRestoreTestAt = st.optInt64(8);
  b.updatedAt = st.int64(9);
  return b;
}

Result<BackupPolicy> loadBackup(Db& db, const Actor& actor, int64_t id, Permission p) {
  return loadScoped<BackupPolicy>(db, actor, id, p,
                                  std::string("SELECT ") + kBackupColumns +
                                      " FROM backup_policies b JOIN info_systems s ON s.id = b.system_id JOIN orgs o "
                                      "ON o.id = s.org_id WHERE b.id = ?",
                                  "backup policy", readBackup, 10);
}

json::object backupJson(const BackupFields& f) {
  return {{"scope", f.scope},
          {"frequency", f.frequency},
          {"offline_copy", f.offlineCopy},
          {"offsite_copy", f.offsiteCopy},
          {"last_backup_at", optJson(f.lastBackupAt)},
          {"last_restore_test_at", optJson(f.lastRestoreTestAt)}};
}

// --- Contacts ----------------------------------------------------------------------------------

constexpr const char* kContactColumns =
    "c.id,c.org_id,o.name,c.role,c.name,c.title,c.phones,c.email,c.updated_at,o.path";

Contact readContact(const Stmt& st) {
  Contact c;
  c.id = st.int64(0);
  c.orgId = st.int64(1);
  c.orgName = st.text(2);
  c.role = st.text(3);
  c.name = st.text(4);
  c.title = st.text(5);
  c.phones = fromJsonArray(st.text(6));
  c.email = st.text(7);
  c.updatedAt = st.int64(8);
  return c;
}

Result<Contact> loadContact(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kContactColumns +
                                             " FROM contacts c JOIN orgs o ON o.id = c.org_id WHERE c.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText("contact", id));
  Contact c = readContact(st);
  VIGIL_TRY(checkAccess(actor, p, st.text(9), c.orgName, Error::notFound(notFoundText("contact", id))));
  return c;
}

json::object contactJson(const ContactFields& f) {
  return {
      {"org_id", f.orgId}, {"role", f.role}, {"name", f.name}, {"title", f.title}, {"phones", stringArray(f.phones)},
      {"email", f.email}};
}

// --- Dossiers ----------------------------------------------------------------------------------

constexpr const char* kDossierColumns =
    "d.id,d.system_id,s.org_id,s.name,d.regime_id,d.proposed_level,d.state,d.sent_on,d.appraised_on,"
    "d.appraisal_result,d.items_to_fix,d.approved_on,d.decision_number,d.decision_body,d.approved_level,d.created_at,"
    "d.updated_at,o.path,o.name";

Dossier readDossier(const Stmt& st) {
  Dossier d;
  d.id = st.int64(0);
  d.systemId = st.int64(1);
  d.orgId = st.int64(2);
  d.systemName = st.text(3);
  d.regimeId = st.text(4);
  d.proposedLevel = static_cast<int>(st.int64(5));
  d.state = st.text(6);
  d.sentOn = optText(st, 7);
  d.appraisedOn = optText(st, 8);
  d.appraisalResult = st.text(9);
  d.itemsToFix = st.text(10);
  d.approvedOn = optText(st, 11);
  d.decisionNumber = st.text(12);
  d.decisionBody = st.text(13);
  d.approvedLevel = optInt(st, 14);
  d.createdAt = st.int64(15);
  d.updatedAt = st.int64(16);
  return d;
}

Status loadEvents(Db& db, Dossier& d) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT from_state,to_state,on_date,at,actor,note FROM dossier_events "
                                             "WHERE dossier_id = ? ORDER BY id"));
  st.bind(1, d.id);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    d.events.push_back({st.text(0), st.text(1), st.text(2), st.int64(3), st.text(4), st.text(5)});
  }
  return {};
}

Result<Dossier> loadDossier(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(Dossier d,
                         loadScoped<Dossier>(db, actor, id, p,
                                             std::string("SELECT ") + kDossierColumns +
                                                 " FROM dossiers d JOIN info_systems s ON s.id = d.system_id "
                                                 "JOIN orgs o ON o.id = s.org_id WHERE d.id = ?",
                                             "dossier", readDossier, 17));
  VIGIL_TRY(loadEvents(db, d));
  return d;
}

constexpr const char* kAttachmentColumns =
    "t.id,t.dossier_id,s.org_id,t.kind,t.filename,t.content_type,t.size,t.sha256,t.uploaded_at,t.uploaded_by,o.path,"
    "o.name";

Attachment readAttachment(const Stmt& st) {
  return {.id = st.int64(0),
          .dossierId = st.int64(1),
          .orgId = st.int64(2),
          .kind = st.text(3),
          .filename = st.text(4),
          .contentType = st.text(5),
          .size = st.int64(6),
          .sha256 = st.text(7),
          .uploadedAt = st.int64(8),
          .uploadedBy = st.text(9)};
}

// Lists rows of `sql` (one bound id) with `read`.
template <typename T, typename F>
Result<std::vector<T>> listBy(Db& db, const std::string& sql, int64_t id, F read) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
  st.bind(1, id);
  std::vector<T> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(read(st));
  }
  return out;
}

AuditEntry auditOf(std::string action, std::string type, int64_t id, int64_t orgId, const json::object& summary) {
  return {.action = std::move(action),
          .objectType = std::move(type),
          .objectId = std::to_string(id),
          .orgId = orgId,
          .summary = json::serialize(summary)};
}

// The keys of `after` whose values differ from `before`, with both values.
json::object changes(const json::object& before, const json::object& after) {
  json::object out;
  for (const auto& [k, v] : after) {
    const json::value* old = before.if_contains(k);
    if (!old || *old != v) out[k] = json::object{{"from", old ? *old : json::value(nullptr)}, {"to", v}};
  }
  return out;
}

}  // namespace

// --- Systems -----------------------------------------------------------------------------------

Result<Page<InfoSystem>> SqliteStore::listSystems(const Actor& actor, const SystemQuery& q) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 10);
  return read([&](Db& db) -> Result<Page<InfoSystem>> {
    std::string orgPath;
    if (q.orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *q.orgId));
      orgPath = org.path;
    }
    std::string like;
    if (!q.text.empty()) {
      like = "%";
      for (char c : q.text) {
        if (c == '%' || c == '_' || c == '\\') like += '\\';
        like += c;
      }
      like += "%";
    }
    const std::string where = " FROM info_systems s JOIN orgs o ON o.id = s.org_id WHERE " + scope.sql() +
                              " AND (?1 = '' OR (o.path >= ?1 AND o.path < ?1 || '~'))"
                              " AND (?2 IS NULL OR s.proposed_level = ?2) AND (?3 = '' OR s.lifecycle = ?3)"
                              " AND (?4 = '' OR s.name LIKE ?4 ESCAPE '\\')";
    auto bindFilters = [&](Stmt& st) {
      st.bind(1, orgPath).bind(2, q.level ? std::optional<int64_t>(*q.level) : std::nullopt).bind(3, q.lifecycle);
      st.bind(4, like);
      scope.bind(st);
    };
    Page<InfoSystem> page;
    VIGIL_ASSIGN_OR_RETURN(auto count, db.prepare("SELECT count(*)" + where));
    bindFilters(count);
    VIGIL_ASSIGN_OR_RETURN(bool counted, count.step());
    page.total = counted ? count.int64(0) : 0;
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSystemColumns + where +
                                               " ORDER BY o.path, s.name, s.id LIMIT ?5 OFFSET ?6"));
    bindFilters(st);
    st.bind(5, q.limit).bind(6, q.offset);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readSystem(st));
    }
    return page;
  });
}

Result<InfoSystem> SqliteStore::getSystem(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadSystem(db, actor, id, Permission::kReadRegistry); });
}

Result<std::vector<InfoSystem>> SqliteStore::systemComponents(const Actor& actor, int64_t id) {
  return read([&](Db& db) -> Result<std::vector<InfoSystem>> {
    VIGIL_TRY(loadSystem(db, actor, id, Permission::kReadRegistry));
    return listBy<InfoSystem>(db,
                              std::string("SELECT ") + kSystemColumns +
                                  " FROM info_systems s JOIN orgs o ON o.id = s.org_id WHERE s.parent_id = ? "
                                  "ORDER BY s.name, s.id",
                              id, readSystem);
  });
}

Result<InfoSystem> SqliteStore::createSystem(const Actor& actor, const SystemFields& f, const SystemLeveler& leveler) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(id, insertSystem(tx, actor, f, leveler));
    return {};
  }));
  return getSystem(actor, id);
}

Result<std::vector<int64_t>> SqliteStore::importSystems(const Actor& actor, const std::vector<SystemFields>& rows,
                                                        const SystemLeveler& leveler) {
  std::vector<int64_t> ids;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    return insertImportRows(rows, ids, [&](const SystemFields& f) { return insertSystem(tx, actor, f, leveler); });
  }));
  return ids;
}

Result<InfoSystem> SqliteStore::updateSystem(const Actor& actor, int64_t id, const SystemFields& f,
                                             const SystemLeveler& leveler) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(InfoSystem cur, loadSystem(tx.db, actor, id, Permission::kManageRegistry));
    if (f.orgId != cur.orgId)
      return Error::validation("org_id", "a system stays with its organisation; create it again under the other one");
    VIGIL_TRY(checkParent(tx.db, f, id));
    VIGIL_TRY(checkGoLiveAfterApproval(f.goLiveOn, cur.approvedOn));
    const json::object diff = changes(systemJson(cur), systemJson(f));
    if (diff.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE info_systems SET name=?,regime_id=?,owner=?,lead_operator=?,"
                                                  "operators=?,parent_id=?,lifecycle=?,go_live_on=?,major_change_on=?,"
                                                  "hosting=?,separation=?,requires_24x7=?,critical_list=?,"
                                                  "web_addresses=?,public_ips=?,security_regulation_issued_on=?,"
                                                  "plan_status=?,facts=?,updated_at=? WHERE id=?"));
    VIGIL_TRY(bindSystemFields(st, f));
    st.bind(19, tx.now).bind(20, id);
    VIGIL_TRY(st.run());
    // The system itself and its ancestors; a component that moved also relieves its old parent.
    VIGIL_TRY(recomputeFrom(tx, leveler, id));
    if (cur.parentId != f.parentId) VIGIL_TRY(recomputeFrom(tx, leveler, cur.parentId));
    json::object sum{{"name", f.name}, {"changes", diff}};
    return tx.audit(actor, auditOf("system.update", "system", id, cur.orgId, sum));
  }));
  return getSystem(actor, id);
}

Status SqliteStore::deleteSystem(const Actor& actor, int64_t id, const SystemLeveler& leveler) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(InfoSystem cur, loadSystem(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto comp, tx.db.prepare("SELECT count(*) FROM info_systems WHERE parent_id = ?"));
    comp.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, comp.step());
    if (row && comp.int64(0) > 0)
      return Error::conflict("'" + cur.name + "' still has components; delete them or attach them elsewhere first");
    // An approved level is a legal record: the system is retired, not deleted.
    VIGIL_ASSIGN_OR_RETURN(auto appr, tx.db.prepare("SELECT count(*) FROM dossiers WHERE system_id = ? AND "
                                                    "state = 'approved'"));
    appr.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool arow, appr.step());
    if (arow && appr.int64(0) > 0)
      return Error::conflict("'" + cur.name + "' has an approved level dossier; set its lifecycle to retired instead");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM info_systems WHERE id = ?"));
    VIGIL_TRY(st.bind(1, id).run());
    VIGIL_TRY(recomputeFrom(tx, leveler, cur.parentId));
    json::object sum{{"name", cur.name}, {"proposed_level", cur.proposedLevel}};
    return tx.audit(actor, auditOf("system.delete", "system", id, cur.orgId, sum));
  });
}

// --- Assets ------------------------------------------------------------------------------------

Result<Page<Asset>> SqliteStore::listAssets(const Actor& actor, const AssetQuery& q) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 10);
  return read([&](Db& db) -> Result<Page<Asset>> {
    std::string orgPath;
    if (q.orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *q.orgId));
      orgPath = org.path;
    }
    const std::string where =
        " FROM orgs o JOIN info_systems s ON s.org_id = o.id JOIN assets a ON a.system_id = s.id WHERE " + scope.sql() +
        " AND (?1 = '' OR (o.path >= ?1 AND o.path < ?1 || '~')) AND (?2 IS NULL OR a.system_id = ?2)"
        " AND (?3 = '' OR a.kind = ?3)";
    auto bindFilters = [&](Stmt& st) {
      st.bind(1, orgPath).bind(2, q.systemId).bind(3, q.kind);
      scope.bind(st);
    };
    // Listed by agency, system and asset: that order walks the indexes of orgs (path), info_systems
    // (org_id, name, id) and assets (system_id, rowid) without a sort, so a deep page only steps
    // over index entries.
    Page<Asset> page;
    // Without a system filter the total comes from the per-organisation counters (migration 2),
    // which the same scope and filters select; with one, from the system's index entries.
    const std::string countSql =
        q.systemId
            ? "SELECT count(*)" + where
            : "SELECT coalesce(sum(c.n), 0) FROM asset_counts c JOIN orgs o ON o.id = c.org_id WHERE " + scope.sql() +
                  " AND (?1 = '' OR (o.path >= ?1 AND o.path < ?1 || '~')) AND (?3 = '' OR c.kind = ?3)";
    VIGIL_ASSIGN_OR_RETURN(auto count, db.prepare(countSql));
    bindFilters(count);
    VIGIL_ASSIGN_OR_RETURN(bool counted, count.step());
    page.total = counted ? count.int64(0) : 0;
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kAssetColumns + where +
                                               " ORDER BY o.path, s.name, s.id, a.id LIMIT ?4 OFFSET ?5"));
    bindFilters(st);
    st.bind(4, q.limit).bind(5, q.offset);
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readAsset(st));
    }
    return page;
  });
}

Result<Asset> SqliteStore::getAsset(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadAsset(db, actor, id, Permission::kReadRegistry); });
}

Result<Asset> SqliteStore::createAsset(const Actor& actor, const AssetFields& f) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(id, insertAsset(tx, actor, f));
    return {};
  }));
  return getAsset(actor, id);
}

Result<std::vector<int64_t>> SqliteStore::importAssets(const Actor& actor, const std::vector<AssetFields>& rows) {
  std::vector<int64_t> ids;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    return insertImportRows(rows, ids, [&](const AssetFields& f) { return insertAsset(tx, actor, f); });
  }));
  return ids;
}

Result<Asset> SqliteStore::updateAsset(const Actor& actor, int64_t id, const AssetFields& f) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Asset cur, loadAsset(tx.db, actor, id, Permission::kManageRegistry));
    if (f.systemId != cur.systemId) {
      VIGIL_ASSIGN_OR_RETURN(InfoSystem target, loadSystem(tx.db, actor, f.systemId, Permission::kManageRegistry));
      (void)target;
    }
    const json::object diff = changes(assetJson(cur), assetJson(f));
    if (diff.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE assets SET system_id=?,kind=?,name=?,ip=?,os=?,location=?,"
                                                  "main_device=?,main_device_kind=?,internet_connected=?,"
                                                  "anti_malware=?,anti_malware_licensed=?,last_update_on=?,"
                                                  "updated_at=? WHERE id=?"));
    bindAssetFields(st, f);
    st.bind(13, tx.now).bind(14, id);
    VIGIL_TRY(st.run());
    json::object sum{{"name", f.name}, {"changes", diff}};
    return tx.audit(actor, auditOf("asset.update", "asset", id, cur.orgId, sum));
  }));
  return getAsset(actor, id);
}

Status SqliteStore::deleteAsset(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Asset cur, loadAsset(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM assets WHERE id = ?"));
    VIGIL_TRY(st.bind(1, id).run());
    json::object sum{{"name", cur.name}, {"kind", cur.kind}, {"system_id", cur.systemId}};
    return tx.audit(actor, auditOf("asset.delete", "asset", id, cur.orgId, sum));
  });
}

Result<AssetCoverage> SqliteStore::assetCoverage(const Actor& actor, std::optional<int64_t> orgId,
                                                 const std::string& updatedSince) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 10);
  return read([&](Db& db) -> Result<AssetCoverage> {
    std::string orgPath;
    if (orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *orgId));
      orgPath = org.path;
    }
    // Protected: a licensed anti-malware product whose signatures were updated since the cut-off.
    VIGIL_ASSIGN_OR_RETURN(
        auto st,
        db.prepare("SELECT s.org_id, o.name, sum(a.kind = 'workstation'), "
                   "sum(a.kind = 'workstation' AND a.anti_malware <> '' AND a.anti_malware_licensed = 1 "
                   "AND a.last_update_on >= ?2), sum(a.kind = 'server'), "
                   "sum(a.kind = 'server' AND a.anti_malware <> '' AND a.anti_malware_licensed = 1 "
                   "AND a.last_update_on >= ?2), sum(a.kind = 'network_device'), "
                   "sum(a.kind = 'network_device' AND a.main_device = 1), sum(a.internet_connected = 1) "
                   "FROM assets a JOIN info_systems s ON s.id = a.system_id JOIN orgs o ON o.id = s.org_id WHERE " +
                   scope.sql() + " AND (?1 = '' OR (o.path >= ?1 AND o.path < ?1 || '~'))" +
                   " GROUP BY s.org_id ORDER BY o.path"));
    st.bind(1, orgPath).bind(2, updatedSince);
    scope.bind(st);
    AssetCoverage c;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      AssetCounts n{.workstations = st.int64(2),
                    .workstationsProtected = st.int64(3),
                    .servers = st.int64(4),
                    .serversProtected = st.int64(5),
                    .networkDevices = st.int64(6),
                    .mainDevices = st.int64(7),
                    .internetConnected = st.int64(8)};
      c.workstations += n.workstations;
      c.workstationsProtected += n.workstationsProtected;
      c.servers += n.servers;
      c.serversProtected += n.serversProtected;
      c.networkDevices += n.networkDevices;
      c.mainDevices += n.mainDevices;
      c.internetConnected += n.internetConnected;
      c.byOrg.push_back({st.int64(0), st.text(1), n});
    }
    return c;
  });
}

// --- Accounts ----------------------------------------------------------------------------------

Result<std::vector<SystemAccount>> SqliteStore::listAccounts(const Actor& actor, int64_t systemId) {
  return read([&](Db& db) -> Result<std::vector<SystemAccount>> {
    VIGIL_TRY(loadSystem(db, actor, systemId, Permission::kReadRegistry));
    return listBy<SystemAccount>(db,
                                 std::string("SELECT ") + kAccountColumns +
                                     " FROM system_accounts c JOIN info_systems s ON s.id = c.system_id JOIN orgs o "
                                     "ON o.id = s.org_id WHERE c.system_id = ? ORDER BY c.name",
                                 systemId, readAccount);
  });
}

Result<SystemAccount> SqliteStore::createAccount(const Actor& actor, int64_t systemId, const AccountFields& f) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(InfoSystem sys, loadSystem(tx.db, actor, systemId, Permission::kManageRegistry));
    VIGIL_TRY(checkAccountName(tx, systemId, f.name, 0));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO system_accounts(system_id,name,owner,privilege,"
                                                  "last_used_at,is_default,updated_at) VALUES(?,?,?,?,?,?,?)"));
    st.bind(1, systemId).bind(2, f.name).bind(3, f.owner).bind(4, f.privilege).bind(5, f.lastUsedAt);
    VIGIL_TRY(st.bind(6, f.isDefault).bind(7, tx.now).run());
    id = tx.db.lastInsertId();
    json::object sum = accountJson(f);
    sum["system_id"] = systemId;
    return tx.audit(actor, auditOf("account.create", "account", id, sys.orgId, sum));
  }));
  return read([&](Db& db) { return loadAccount(db, actor, id, Permission::kReadRegistry); });
}

Result<SystemAccount> SqliteStore::updateAccount(const Actor& actor, int64_t id, const AccountFields& f) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(SystemAccount cur, loadAccount(tx.db, actor, id, Permission::kManageRegistry));
    const json::object diff = changes(accountJson(cur), accountJson(f));
    if (diff.empty()) return {};
    VIGIL_TRY(checkAccountName(tx, cur.systemId, f.name, id));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE system_accounts SET name=?,owner=?,privilege=?,"
                                                  "last_used_at=?,is_default=?,updated_at=? WHERE id=?"));
    st.bind(1, f.name).bind(2, f.owner).bind(3, f.privilege).bind(4, f.lastUsedAt).bind(5, f.isDefault);
    VIGIL_TRY(st.bind(6, tx.now).bind(7, id).run());
    json::object sum{{"name", f.name}, {"changes", diff}};
    return tx.audit(actor, auditOf("account.update", "account", id, cur.orgId, sum));
  }));
  return read([&](Db& db) { return loadAccount(db, actor, id, Permission::kReadRegistry); });
}

Status SqliteStore::deleteAccount(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(SystemAccount cur, loadAccount(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM system_accounts WHERE id = ?"));
    VIGIL_TRY(st.bind(1, id).run());
    json::object sum{{"name", cur.name}, {"system_id", cur.systemId}};
    return tx.audit(actor, auditOf("account.delete", "account", id, cur.orgId, sum));
  });
}

// --- Backups -----------------------------------------------------------------------------------

Result<std::vector<BackupPolicy>> SqliteStore::listBackups(const Actor& actor, int64_t systemId) {
  return read([&](Db& db) -> Result<std::vector<BackupPolicy>> {
    VIGIL_TRY(loadSystem(db, actor, systemId, Permission::kReadRegistry));
    return listBy<BackupPolicy>(db,
                                std::string("SELECT ") + kBackupColumns +
                                    " FROM backup_policies b JOIN info_systems s ON s.id = b.system_id JOIN orgs o "
                                    "ON o.id = s.org_id WHERE b.system_id = ? ORDER BY b.id",
                                systemId, readBackup);
  });
}

Result<BackupPolicy> SqliteStore::createBackup(const Actor& actor, int64_t systemId, const BackupFields& f) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(InfoSystem sys, loadSystem(tx.db, actor, systemId, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO backup_policies(system_id,scope,frequency,offline_copy,"
                                                  "offsite_copy,last_backup_at,last_restore_test_at,updated_at) "
                                                  "VALUES(?,?,?,?,?,?,?,?)"));
    st.bind(1, systemId).bind(2, f.scope).bind(3, f.frequency).bind(4, f.offlineCopy).bind(5, f.offsiteCopy);
    VIGIL_TRY(st.bind(6, f.lastBackupAt).bind(7, f.lastRestoreTestAt).bind(8, tx.now).run());
    id = tx.db.lastInsertId();
    json::object sum = backupJson(f);
    sum["system_id"] = systemId;
    return tx.audit(actor, auditOf("backup.create", "backup", id, sys.orgId, sum));
  }));
  return read([&](Db& db) { return loadBackup(db, actor, id, Permission::kReadRegistry); });
}

Result<BackupPolicy> SqliteStore::updateBackup(const Actor& actor, int64_t id, const BackupFields& f) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(BackupPolicy cur, loadBackup(tx.db, actor, id, Permission::kManageRegistry));
    const json::object diff = changes(backupJson(cur), backupJson(f));
    if (diff.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE backup_policies SET scope=?,frequency=?,offline_copy=?,"
                                                  "offsite_copy=?,last_backup_at=?,last_restore_test_at=?,"
                                                  "updated_at=? WHERE id=?"));
    st.bind(1, f.scope).bind(2, f.frequency).bind(3, f.offlineCopy).bind(4, f.offsiteCopy).bind(5, f.lastBackupAt);
    VIGIL_TRY(st.bind(6, f.lastRestoreTestAt).bind(7, tx.now).bind(8, id).run());
    json::object sum{{"scope", f.scope}, {"changes", diff}};
    return tx.audit(actor, auditOf("backup.update", "backup", id, cur.orgId, sum));
  }));
  return read([&](Db& db) { return loadBackup(db, actor, id, Permission::kReadRegistry); });
}

Status SqliteStore::deleteBackup(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(BackupPolicy cur, loadBackup(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM backup_policies WHERE id = ?"));
    VIGIL_TRY(st.bind(1, id).run());
    json::object sum{{"scope", cur.scope}, {"system_id", cur.systemId}};
    return tx.audit(actor, auditOf("backup.delete", "backup", id, cur.orgId, sum));
  });
}

// --- Contacts ----------------------------------------------------------------------------------

Result<Page<Contact>> SqliteStore::listContacts(const Actor& actor, std::optional<int64_t> orgId) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadRegistry), 10);
  return read([&](Db& db) -> Result<Page<Contact>> {
    std::string orgPath;
    if (orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *orgId));
      orgPath = org.path;
    }
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kContactColumns +
                                               " FROM contacts c JOIN orgs o ON o.id = c.org_id WHERE " + scope.sql() +
                                               " AND (?1 = '' OR (o.path >= ?1 AND o.path < ?1 || '~'))"
                                               " ORDER BY o.path, c.role, c.name"));
    st.bind(1, orgPath);
    scope.bind(st);
    Page<Contact> page;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      page.items.push_back(readContact(st));
    }
    page.total = static_cast<int64_t>(page.items.size());
    return page;
  });
}

Result<Contact> SqliteStore::createContact(const Actor& actor, const ContactFields& f) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
    VIGIL_TRY(checkAccess(actor, Permission::kManageRegistry, org.path, org.name,
                          Error::notFound(notFoundText("organisation", f.orgId))));
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           tx.db.prepare("INSERT INTO contacts(org_id,role,name,title,phones,email,updated_at) "
                                         "VALUES(?,?,?,?,?,?,?)"));
    st.bind(1, f.orgId).bind(2, f.role).bind(3, f.name).bind(4, f.title).bind(5, toJsonArray(f.phones));
    VIGIL_TRY(st.bind(6, f.email).bind(7, tx.now).run());
    id = tx.db.lastInsertId();
    return tx.audit(actor, auditOf("contact.create", "contact", id, f.orgId, contactJson(f)));
  }));
  return read([&](Db& db) { return loadContact(db, actor, id, Permission::kReadRegistry); });
}

Result<Contact> SqliteStore::updateContact(const Actor& actor, int64_t id, const ContactFields& f) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Contact cur, loadContact(tx.db, actor, id, Permission::kManageRegistry));
    if (f.orgId != cur.orgId) return Error::validation("org_id", "a contact stays with its organisation");
    const json::object diff = changes(contactJson(cur), contactJson(f));
    if (diff.empty()) return {};
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE contacts SET role=?,name=?,title=?,phones=?,email=?,"
                                                  "updated_at=? WHERE id=?"));
    st.bind(1, f.role).bind(2, f.name).bind(3, f.title).bind(4, toJsonArray(f.phones)).bind(5, f.email);
    VIGIL_TRY(st.bind(6, tx.now).bind(7, id).run());
    json::object sum{{"name", f.name}, {"changes", diff}};
    return tx.audit(actor, auditOf("contact.update", "contact", id, cur.orgId, sum));
  }));
  return read([&](Db& db) { return loadContact(db, actor, id, Permission::kReadRegistry); });
}

Status SqliteStore::deleteContact(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Contact cur, loadContact(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("DELETE FROM contacts WHERE id = ?"));
    VIGIL_TRY(st.bind(1, id).run());
    json::object sum{{"name", cur.name}, {"role", cur.role}};
    return tx.audit(actor, auditOf("contact.delete", "contact", id, cur.orgId, sum));
  });
}

// --- Dossiers ----------------------------------------------------------------------------------

Result<std::vector<Dossier>> SqliteStore::listDossiers(const Actor& actor, int64_t systemId) {
  return read([&](Db& db) -> Result<std::vector<Dossier>> {
    VIGIL_TRY(loadSystem(db, actor, systemId, Permission::kReadRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto out, listBy<Dossier>(db,
                                                     std::string("SELECT ") + kDossierColumns +
                                                         " FROM dossiers d JOIN info_systems s ON s.id = d.system_id "
                                                         "JOIN orgs o ON o.id = s.org_id WHERE d.system_id = ? "
                                                         "ORDER BY d.id DESC",
                                                     systemId, readDossier));
    for (auto& d : out) VIGIL_TRY(loadEvents(db, d));
    return out;
  });
}

Result<Dossier> SqliteStore::getDossier(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadDossier(db, actor, id, Permission::kReadRegistry); });
}

Result<Dossier> SqliteStore::createDossier(const Actor& actor, int64_t systemId) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(InfoSystem sys, loadSystem(tx.db, actor, systemId, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto open, tx.db.prepare("SELECT id FROM dossiers WHERE system_id = ? AND state <> "
                                                    "'approved'"));
    open.bind(1, systemId);
    VIGIL_ASSIGN_OR_RETURN(bool row, open.step());
    if (row)
      return Error::conflict("'" + sys.name + "' already has an open dossier (" + std::to_string(open.int64(0)) +
                             "); finish it first");
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO dossiers(system_id,regime_id,proposed_level,state,"
                                                  "created_at,updated_at) VALUES(?,?,?,'drafting',?,?)"));
    VIGIL_TRY(
        st.bind(1, systemId).bind(2, sys.regimeId).bind(3, sys.proposedLevel).bind(4, tx.now).bind(5, tx.now).run());
    id = tx.db.lastInsertId();
    json::object sum{{"system_id", systemId}, {"system", sys.name}, {"proposed_level", sys.proposedLevel}};
    return tx.audit(actor, auditOf("dossier.create", "dossier", id, sys.orgId, sum));
  }));
  return getDossier(actor, id);
}

Result<Dossier> SqliteStore::transitionDossier(const Actor& actor, int64_t id, const DossierTransition& t) {
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Dossier d, loadDossier(tx.db, actor, id, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(InfoSystem sys, loadSystem(tx.db, actor, d.systemId, Permission::kManageRegistry));
    const std::string from = d.state;
    const std::string lastOn = d.events.empty() ? "" : d.events.back().on;
    if (!lastOn.empty() && t.on < lastOn)
      return Error::validation("on", "the date " + t.on + " is before the previous step (" + lastOn + ")");
    std::string to = t.to;
    std::string note = t.note;
    json::object sum{{"system_id", d.systemId}, {"from", from}, {"on", t.on}};
    if (t.to == "sent_for_appraisal" && from == "drafting") {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE dossiers SET state='sent_for_appraisal',sent_on=?,"
                                                    "proposed_level=?,regime_id=?,updated_at=? WHERE id=?"));
      VIGIL_TRY(st.bind(1, t.on).bind(2, sys.proposedLevel).bind(3, sys.regimeId).bind(4, tx.now).bind(5, id).run());
      sum["proposed_level"] = sys.proposedLevel;
    } else if (t.to == "appraised" && from == "sent_for_appraisal") {
      if (t.result != "suitable" && t.result != "not_suitable")
        return Error::validation("result", "must be suitable or not_suitable");
      if (t.result == "not_suitable" && t.itemsToFix.empty())
        return Error::validation("items_to_fix", "say what must be fixed when the dossier is not suitable");
      // Not suitable: back to drafting with the items to fix (Decree 331 Mẫu 04).
      to = t.result == "suitable" ? "appraised" : "drafting";
      if (note.empty()) note = t.itemsToFix;
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE dossiers SET state=?,appraised_on=?,appraisal_result=?,"
                                                    "items_to_fix=?,updated_at=? WHERE id=?"));
      VIGIL_TRY(st.bind(1, to).bind(2, t.on).bind(3, t.result).bind(4, t.itemsToFix).bind(5, tx.now).bind(6, id).run());
      sum["result"] = t.result;
      sum["items_to_fix"] = t.itemsToFix;
    } else if (t.to == "approved" && from == "appraised") {
      if (t.decisionNumber.empty()) return Error::validation("decision_number", "is required for an approval");
      if (t.decisionBody.empty()) return Error::validation("decision_body", "is required for an approval");
      const int level = t.approvedLevel.value_or(d.proposedLevel);
      VIGIL_TRY(checkGoLiveAfterApproval(sys.goLiveOn, t.on));
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE dossiers SET state='approved',approved_on=?,"
                                                    "decision_number=?,decision_body=?,approved_level=?,updated_at=? "
                                                    "WHERE id=?"));
      st.bind(1, t.on).bind(2, t.decisionNumber).bind(3, t.decisionBody).bind(4, level).bind(5, tx.now);
      VIGIL_TRY(st.bind(6, id).run());
      VIGIL_ASSIGN_OR_RETURN(auto up, tx.db.prepare("UPDATE info_systems SET approved_level=?,approved_on=?,"
                                                    "updated_at=? WHERE id=?"));
      VIGIL_TRY(up.bind(1, level).bind(2, t.on).bind(3, tx.now).bind(4, d.systemId).run());
      sum["approved_level"] = level;
      sum["decision_number"] = t.decisionNumber;
      sum["decision_body"] = t.decisionBody;
    } else {
      return Error::conflict("a dossier that is '" + from + "' cannot go to '" + t.to +
                             "' (drafting -> sent_for_appraisal -> appraised -> approved)");
    }
    VIGIL_ASSIGN_OR_RETURN(auto ev, tx.db.prepare("INSERT INTO dossier_events(dossier_id,from_state,to_state,on_date,"
                                                  "at,actor,note) VALUES(?,?,?,?,?,?,?)"));
    VIGIL_TRY(
        ev.bind(1, id).bind(2, from).bind(3, to).bind(4, t.on).bind(5, tx.now).bind(6, actor.name).bind(7, note).run());
    sum["to"] = to;
    return tx.audit(actor, auditOf("dossier." + t.to, "dossier", id, d.orgId, sum));
  }));
  return getDossier(actor, id);
}

Result<std::vector<Attachment>> SqliteStore::listAttachments(const Actor& actor, int64_t dossierId) {
  return read([&](Db& db) -> Result<std::vector<Attachment>> {
    VIGIL_TRY(loadDossier(db, actor, dossierId, Permission::kReadRegistry));
    return listBy<Attachment>(db,
                              std::string("SELECT ") + kAttachmentColumns +
                                  " FROM dossier_attachments t JOIN dossiers d ON d.id = t.dossier_id JOIN "
                                  "info_systems s ON s.id = d.system_id JOIN orgs o ON o.id = s.org_id "
                                  "WHERE t.dossier_id = ? ORDER BY t.id",
                              dossierId, readAttachment);
  });
}

Result<Attachment> SqliteStore::addAttachment(const Actor& actor, int64_t dossierId, const Attachment& a) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Dossier d, loadDossier(tx.db, actor, dossierId, Permission::kManageRegistry));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO dossier_attachments(dossier_id,kind,filename,"
                                                  "content_type,size,sha256,uploaded_at,uploaded_by) "
                                                  "VALUES(?,?,?,?,?,?,?,?)"));
    st.bind(1, dossierId).bind(2, a.kind).bind(3, a.filename).bind(4, a.contentType).bind(5, a.size);
    VIGIL_TRY(st.bind(6, a.sha256).bind(7, tx.now).bind(8, actor.name).run());
    id = tx.db.lastInsertId();
    json::object sum{{"dossier_id", dossierId}, {"kind", a.kind},     {"filename", a.filename},
                     {"size", a.size},          {"sha256", a.sha256}, {"content_type", a.contentType}};
    return tx.audit(actor, auditOf("dossier.attach", "attachment", id, d.orgId, sum));
  }));
  return getAttachment(actor, id);
}

Result<Attachment> SqliteStore::getAttachment(const Actor& actor, int64_t id) {
  return read([&](Db& db) -> Result<Attachment> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kAttachmentColumns +
                                               " FROM dossier_attachments t JOIN dossiers d ON d.id = t.dossier_id "
                                               "JOIN info_systems s ON s.id = d.system_id JOIN orgs o ON o.id = "
                                               "s.org_id WHERE t.id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::notFound(notFoundText("attachment", id));
    Attachment a = readAttachment(st);
    VIGIL_TRY(checkAccess(actor, Permission::kReadRegistry, st.text(10), st.text(11),
                          Error::notFound(notFoundText("attachment", id))));
    return a;
  });
}

}  // namespace vigil::sqlite
