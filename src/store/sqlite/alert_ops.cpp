// SqliteStore: the alert queue (alert_store.h), migration 5. An alert is reached through its
// organisation, whose path decides access: kReadAlerts to see it (otherwise kNotFound), and
// kTriageAlerts to change it. States and severities are stored as small integers (the enum
// order) so that the queue's indexes stay compact. alert_counts is kept in step with every insert
// and state change in the same transaction.
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "core/text.h"
#include "store/alert_store.h"
#include "store/sqlite/json_columns.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vigil::sqlite {

namespace json = boost::json;

namespace {

constexpr const char* kAlertColumns =
    "a.id,a.org_id,o.name,o.path,a.system_id,a.asset,a.detector,a.rule_id,a.rule_title,a.severity,a.dedup_key,"
    "a.title,a.description,a.observables,a.evidence,a.events_query,a.sender,a.first_seen,a.last_seen,a.count,"
    "a.state,a.state_reason,a.assignee_id,COALESCE(u.username,''),a.created_by,a.created_at,a.updated_at,a.seq,a.tags";
constexpr const char* kAlertFrom =
    " FROM alerts a JOIN orgs o ON o.id = a.org_id LEFT JOIN users u ON u.id = a.assignee_id";

std::string observablesJson(const std::vector<Observable>& obs) {
  json::array a;
  for (const auto& o : obs) a.push_back(json::object{{"type", o.type}, {"value", o.value}});
  return json::serialize(a);
}

std::vector<Observable> observablesFrom(const std::string& text) {
  std::vector<Observable> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& x : v.as_array()) {
    const auto* o = x.if_object();
    if (!o) continue;
    const auto* t = o->if_contains("type");
    const auto* val = o->if_contains("value");
    if (t && val && t->is_string() && val->is_string())
      out.push_back({std::string(t->as_string()), std::string(val->as_string())});
  }
  return out;
}

Alert readAlert(const Stmt& st) {
  Alert a;
  a.id = st.int64(0);
  a.orgId = st.int64(1);
  a.orgName = st.text(2);
  a.orgPath = st.text(3);
  a.systemId = st.optInt64(4);
  a.asset = st.text(5);
  a.detector = parseDetector(st.text(6)).value_or(DetectorKind::kManual);
  a.ruleId = st.text(7);
  a.ruleTitle = st.text(8);
  a.severity = static_cast<AlertSeverity>(std::clamp<int64_t>(st.int64(9), 0, 3));
  a.dedupKey = st.text(10);
  a.title = st.text(11);
  a.description = st.text(12);
  a.observables = observablesFrom(st.text(13));
  a.evidence = st.text(14);
  a.eventsQuery = st.text(15);
  a.sender = st.text(16);
  a.firstSeen = st.int64(17);
  a.lastSeen = st.int64(18);
  a.count = st.int64(19);
  a.state = static_cast<AlertState>(std::clamp<int64_t>(st.int64(20), 0, 4));
  a.stateReason = st.text(21);
  a.assigneeId = st.optInt64(22);
  a.assigneeName = st.text(23);
  a.createdBy = st.text(24);
  a.createdAt = st.int64(25);
  a.updatedAt = st.int64(26);
  a.seq = st.int64(27);
  a.tags = fromJsonArray(st.text(28));
  return a;
}

std::string notFoundText(int64_t id) { return "alert " + std::to_string(id) + " not found"; }

Result<Alert> loadAlert(Db& db, const Actor& actor, int64_t id, Permission p) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kAlertColumns + kAlertFrom + " WHERE a.id = ?"));
  st.bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Error::notFound(notFoundText(id));
  Alert a = readAlert(st);
  if (!allows(actor, Permission::kReadAlerts, a.orgPath)) return Error::notFound(notFoundText(id));
  if (p == Permission::kTriageAlerts && !allows(actor, p, a.orgPath))
    return Error::forbidden("you may not work on the alerts of '" + a.orgName + "'");
  return a;
}

Result<int64_t> nextSeq(Db& db) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT COALESCE(MAX(seq),0) + 1 FROM alerts"));
  VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.int64(0) : 1;
}

Status bumpCount(Db& db, int64_t orgId, AlertState state, AlertSeverity sev, int64_t delta) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("INSERT INTO alert_counts(org_id,state,severity,n) VALUES(?,?,?,?) "
                                             "ON CONFLICT(org_id,state,severity) DO UPDATE SET n = n + excluded.n"));
  return st.bind(1, orgId).bind(2, static_cast<int>(state)).bind(3, static_cast<int>(sev)).bind(4, delta).run();
}

// Inserts a new alert (state new) and counts it. Returns its id.
Result<int64_t> insertAlert(Db& db, const AlertDraft& d, TimeMs seen, TimeMs now, int64_t seq,
                            const std::string& createdBy) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db.prepare("INSERT INTO alerts(org_id,system_id,asset,detector,rule_id,rule_title,severity,dedup_key,"
                          "title,description,observables,evidence,events_query,sender,first_seen,last_seen,count,"
                          "state,created_by,created_at,updated_at,seq,tags) "
                          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,0,?,?,?,?,?)"));
  st.bind(1, d.orgId).bind(2, d.systemId).bind(3, d.asset).bind(4, detectorName(d.detector)).bind(5, d.ruleId);
  st.bind(6, d.ruleTitle).bind(7, static_cast<int>(d.severity)).bind(8, d.dedupKey).bind(9, d.title);
  st.bind(10, d.description).bind(11, observablesJson(d.observables)).bind(12, d.evidence).bind(13, d.eventsQuery);
  st.bind(14, d.sender).bind(15, seen).bind(16, seen).bind(17, createdBy).bind(18, now).bind(19, now).bind(20, seq);
  st.bind(21, toJsonArray(d.tags));
  VIGIL_TRY(st.run());
  const int64_t id = db.lastInsertId();
  VIGIL_TRY(bumpCount(db, d.orgId, AlertState::kNew, d.severity, 1));
  return id;
}

// Checks the transition from `from` to `to` (alert_store.h: open states move forward; a false
// positive needs a reason; terminal states only reopen to new, with a reason).
Status checkTransition(AlertState from, AlertState to, const std::string& reason) {
  const std::string f(alertStateName(from)), t(alertStateName(to));
  if (from == to) return Error::validation("state", "the alert is already " + f);
  if (!isOpen(from)) {
    if (to != AlertState::kNew)
      return Error::validation("state", "a " + f + " alert can only be reopened (state new), not moved to " + t);
    if (reason.empty()) return Error::validation("reason", "say why the alert is reopened");
    return {};
  }
  switch (to) {
    case AlertState::kNew: return Error::validation("state", "an alert that is " + f + " cannot go back to new");
    case AlertState::kAcknowledged:
      if (from != AlertState::kNew)
        return Error::validation("state", "an alert that is " + f + " cannot be acknowledged");
      return {};
    case AlertState::kInProgress: return {};
    case AlertState::kFalsePositive:
      if (reason.empty()) return Error::validation("reason", "a false positive needs a reason");
      return {};
    case AlertState::kClosed: return {};
  }
  return {};
}

Result<Suppression> readSuppression(const Stmt& st) {
  Suppression s;
  s.id = st.int64(0);
  s.orgId = st.int64(1);
  s.orgName = st.text(2);
  s.ruleId = st.text(3);
  s.dedupKey = st.text(4);
  s.reason = st.text(5);
  s.expiresAt = st.int64(6);
  s.alertId = st.optInt64(7);
  s.createdBy = st.text(8);
  s.createdAt = st.int64(9);
  s.hits = st.int64(10);
  s.lastHitAt = st.int64(11);
  return s;
}

constexpr const char* kSuppressionColumns =
    "s.id,s.org_id,o.name,s.rule_id,s.dedup_key,s.reason,s.expires_at,s.alert_id,s.created_by,s.created_at,s.hits,"
    "s.last_hit_at";

Result<int64_t> insertSuppression(WriteTx& tx, const Actor& actor, const SuppressionFields& f,
                                  std::optional<int64_t> alertId) {
  if (f.expiresAt <= tx.now) return Error::validation("expires_at", "must be in the future");
  VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO alert_suppressions(org_id,rule_id,dedup_key,reason,"
                                                "expires_at,alert_id,created_by,created_at) VALUES(?,?,?,?,?,?,?,?)"));
  st.bind(1, f.orgId).bind(2, f.ruleId).bind(3, f.dedupKey).bind(4, f.reason).bind(5, f.expiresAt).bind(6, alertId);
  VIGIL_TRY(st.bind(7, actor.name).bind(8, tx.now).run());
  const int64_t id = tx.db.lastInsertId();
  json::object sum{{"rule_id", f.ruleId},
                   {"dedup_key", f.dedupKey},
                   {"reason", f.reason},
                   {"expires_at", formatRfc3339(f.expiresAt)}};
  if (alertId) sum["alert_id"] = *alertId;
  VIGIL_TRY(tx.audit(actor, {.action = "alert_suppression.create",
                             .objectType = "alert_suppression",
                             .objectId = std::to_string(id),
                             .orgId = f.orgId,
                             .summary = json::serialize(sum)}));
  return id;
}

AuditEntry auditOf(std::string action, const Alert& a, json::object summary) {
  summary["title"] = a.title;
  return {.action = std::move(action),
          .objectType = "alert",
          .objectId = std::to_string(a.id),
          .orgId = a.orgId,
          .summary = json::serialize(summary)};
}

}  // namespace

// --- Detectors ---------------------------------------------------------------------------------

Result<RaiseOutcome> SqliteStore::raiseAlerts(const std::vector<AlertDraft>& drafts, TimeMs windowMs) {
  RaiseOutcome out;
  if (drafts.empty()) return out;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    out = {};
    VIGIL_ASSIGN_OR_RETURN(int64_t seq, nextSeq(tx.db));
    // Statements come from the connection's cache; each is reset when its Stmt goes out of scope.
    auto orgExists = [&](int64_t orgId) -> Result<bool> {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT 1 FROM orgs WHERE id = ?"));
      st.bind(1, orgId);
      return st.step();
    };
    // The unexpired suppression of this key (0: none), counted as hit.
    auto suppression = [&](const AlertDraft& d) -> Result<int64_t> {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT id FROM alert_suppressions WHERE org_id = ? AND "
                                                    "rule_id = ? AND dedup_key = ? AND expires_at > ? LIMIT 1"));
      st.bind(1, d.orgId).bind(2, d.ruleId).bind(3, d.dedupKey).bind(4, tx.now);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      return row ? st.int64(0) : 0;
    };
    auto countHit = [&](int64_t sid) -> Status {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE alert_suppressions SET hits = hits + 1, last_hit_at = ? "
                                                    "WHERE id = ?"));
      return st.bind(1, tx.now).bind(2, sid).run();
    };
    // The open alert of this key seen within the window (0: none).
    auto openAlert = [&](const AlertDraft& d, TimeMs seen) -> Result<int64_t> {
      // INDEXED BY: the planner would otherwise walk a (rule or org, last_seen) index over every
      // alert of the window.
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("SELECT id FROM alerts INDEXED BY alerts_dedup WHERE org_id = ? "
                                                    "AND rule_id = ? AND dedup_key = ? AND state IN (0,1,2) AND "
                                                    "last_seen >= ? ORDER BY last_seen DESC LIMIT 1"));
      st.bind(1, d.orgId).bind(2, d.ruleId).bind(3, d.dedupKey).bind(4, seen - windowMs);
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      return row ? st.int64(0) : 0;
    };
    auto mergeInto = [&](int64_t id, TimeMs seen, int64_t s) -> Status {
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE alerts SET count = count + 1, last_seen = "
                                                    "MAX(last_seen, ?), updated_at = ?, seq = ? WHERE id = ?"));
      return st.bind(1, seen).bind(2, tx.now).bind(3, s).bind(4, id).run();
    };
    std::map<int64_t, bool> orgs;  // organisation id -> exists, looked up once per batch
    for (const AlertDraft& d : drafts) {
      const TimeMs seen = d.seenAt > 0 ? d.seenAt : tx.now;
      auto known = orgs.find(d.orgId);
      if (known == orgs.end()) {
        VIGIL_ASSIGN_OR_RETURN(bool exists, orgExists(d.orgId));
        known = orgs.emplace(d.orgId, exists).first;
      }
      if (!known->second) {
        ++out.rejected;
        continue;
      }
      VIGIL_ASSIGN_OR_RETURN(int64_t sid, suppression(d));
      if (sid != 0) {
        VIGIL_TRY(countHit(sid));
        ++out.suppressed;
        continue;
      }
      VIGIL_ASSIGN_OR_RETURN(int64_t openId, openAlert(d, seen));
      if (openId != 0) {
        VIGIL_TRY(mergeInto(openId, seen, seq++));
        ++out.merged;
      } else {
        VIGIL_ASSIGN_OR_RETURN(int64_t id, insertAlert(tx.db, d, seen, tx.now, seq++, "system"));
        out.createdIds.push_back(id);
        ++out.created;
      }
    }
    return {};
  }));
  return out;
}

// --- Reading -------------------------------------------------------------------------------------

// The text filter (a substring of the title, rule title, asset or dedup key). With three
// characters or more the trigram index (alerts_text) counts the matches first (up to kFew + 1):
// - few: the page is read from the matching ids and sorted (cheap: there are few);
// - more, and the text is ASCII: LIKE along the last_seen walk, which fills a page of dense
//   matches after a few rows (collecting every matching id costs about 0.35 us per match);
// - more, and the text is not ASCII: the walk checks membership in the matching ids (unary
//   plus), because LIKE folds only ASCII case and would answer differently from the index.
// One or two characters (no trigram): LIKE along the walk.
template <typename Param>
Status textCondition(Db& db, const std::string& text, std::string& sql, Param& param) {
  constexpr int64_t kFew = 5000;
  if (text::codePoints(text) >= 3) {
    std::string phrase = "\"";
    for (char c : text) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
    phrase += "\"";
    VIGIL_ASSIGN_OR_RETURN(auto count, db.prepare("SELECT COUNT(*) FROM (SELECT rowid FROM alerts_text WHERE "
                                                  "alerts_text MATCH ? LIMIT ?)"));
    count.bind(1, phrase).bind(2, kFew + 1);
    VIGIL_ASSIGN_OR_RETURN(bool row, count.step());
    const int64_t matches = row ? count.int64(0) : 0;
    const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
    if (matches <= kFew || !ascii) {
      sql += std::string(" AND ") + (matches <= kFew ? "a.id" : "+a.id") +
             " IN (SELECT rowid FROM alerts_text WHERE alerts_text MATCH " + param(phrase) + ")";
      return {};
    }
  }
  std::string like = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') like += '\\';
    like += c;
  }
  like += "%";
  const std::string p = param(like);
  sql += " AND (a.title LIKE " + p + " ESCAPE '\\' OR a.rule_title LIKE " + p + " ESCAPE '\\' OR a.asset LIKE " + p +
         " ESCAPE '\\' OR a.dedup_key LIKE " + p + " ESCAPE '\\')";
  return {};
}

// The page is read newest last_seen first and stops after `limit` rows, so the plan must walk an
// index in last_seen order: alerts_last_seen, or a (column, last_seen, id) index when a filter
// names one value of that column. A filter with several values (state=open, a scope of several
// organisations) is written with a unary plus, which keeps SQLite from driving the query by that
// column's index and then sorting every match. alerts is the outer loop (CROSS JOIN).
Result<AlertPage> SqliteStore::listAlerts(const Actor& actor, const AlertQuery& q) {
  const auto prefixes = scopePrefixes(actor, Permission::kReadAlerts);
  return read([&](Db& db) -> Result<AlertPage> {
    std::string sql = std::string("SELECT ") + kAlertColumns +
                      " FROM alerts a CROSS JOIN orgs o ON o.id = a.org_id LEFT JOIN users u ON u.id = a.assignee_id"
                      " WHERE 1";
    int next = 1;
    std::vector<std::function<void(Stmt&)>> binders;
    auto param = [&](auto value) {
      const int n = next++;
      binders.push_back([n, value](Stmt& st) { st.bind(n, value); });
      return "?" + std::to_string(n);
    };
    // The organisations the page may show: the scope, narrowed to the agency filter.
    std::optional<std::string> within;
    if (q.orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *q.orgId));
      if (!allows(actor, Permission::kReadAlerts, org.path))
        return Error::notFound("organisation " + std::to_string(*q.orgId) + " not found");
      within = org.path;
    }
    VIGIL_ASSIGN_OR_RETURN(Org root, loadRoot(db));
    const bool everything = !within && std::find(prefixes.begin(), prefixes.end(), root.path) != prefixes.end();
    if (!everything) {
      const ScopeFilter scope("path", within ? std::vector<std::string>{*within} : prefixes, 1);
      VIGIL_ASSIGN_OR_RETURN(auto orgs, db.prepare("SELECT id FROM orgs WHERE " + scope.sql()));
      scope.bind(orgs);
      std::string ids = "[";
      int count = 0;
      int64_t only = 0;
      for (;;) {
        VIGIL_ASSIGN_OR_RETURN(bool row, orgs.step());
        if (!row) break;
        only = orgs.int64(0);
        ids += (count++ ? "," : "") + std::to_string(only);
      }
      ids += "]";
      if (count == 0) return AlertPage{};
      if (count == 1) {
        sql += " AND a.org_id = " + param(only);
      } else {
        sql += " AND +a.org_id IN (SELECT value FROM json_each(" + param(ids) + "))";
      }
    }
    auto inList = [&](const char* column, const std::vector<int>& values) {
      if (values.size() == 1) {
        sql += std::string(" AND ") + column + " = " + param(static_cast<int64_t>(values[0]));
        return;
      }
      sql += std::string(" AND +") + column + " IN (";
      for (size_t i = 0; i < values.size(); ++i) sql += (i ? "," : "") + param(static_cast<int64_t>(values[i]));
      sql += ")";
    };
    if (!q.states.empty()) {
      std::vector<int> v;
      for (auto x : q.states) v.push_back(static_cast<int>(x));
      inList("a.state", v);
    }
    if (!q.severities.empty()) {
      std::vector<int> v;
      for (auto x : q.severities) v.push_back(static_cast<int>(x));
      inList("a.severity", v);
    }
    if (q.detector) sql += " AND a.detector = " + param(std::string(detectorName(*q.detector)));
    if (!q.ruleId.empty()) sql += " AND a.rule_id = " + param(q.ruleId);
    if (q.assigneeId) {
      if (*q.assigneeId == 0) {
        sql += " AND a.assignee_id IS NULL";
      } else {
        sql += " AND a.assignee_id = " + param(*q.assigneeId);
      }
    }
    if (!q.text.empty()) {
      VIGIL_TRY(textCondition(db, q.text, sql, param));
    }
    if (q.from) sql += " AND a.last_seen >= " + param(*q.from);
    if (q.to) sql += " AND a.last_seen < " + param(*q.to);
    if (q.beforeLastSeen) {
      const std::string t = param(*q.beforeLastSeen);
      sql += " AND (a.last_seen < " + t + " OR (a.last_seen = " + t + " AND a.id < " + param(q.beforeId) + "))";
    }
    sql += " ORDER BY a.last_seen DESC, a.id DESC LIMIT " + param(static_cast<int64_t>(q.limit) + 1);
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
    for (const auto& b : binders) b(st);
    AlertPage page;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      if (static_cast<int>(page.items.size()) == q.limit) {
        page.hasMore = true;
        break;
      }
      page.items.push_back(readAlert(st));
    }
    return page;
  });
}

Result<AlertCounts> SqliteStore::countAlerts(const Actor& actor, std::optional<int64_t> orgId) {
  const auto prefixes = scopePrefixes(actor, Permission::kReadAlerts);
  const ScopeFilter scope("o.path", prefixes, 1);
  const int next = 1 + 2 * static_cast<int>(prefixes.size());
  return read([&](Db& db) -> Result<AlertCounts> {
    std::string sql =
        "SELECT c.state, c.severity, SUM(c.n) FROM alert_counts c JOIN orgs o ON o.id = c.org_id WHERE " + scope.sql();
    std::string orgPath;
    if (orgId) {
      VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(db, actor, *orgId));
      orgPath = org.path;
      sql += " AND o.path >= ?" + std::to_string(next) + " AND o.path < ?" + std::to_string(next + 1);
    }
    sql += " GROUP BY c.state, c.severity";
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
    scope.bind(st);
    if (orgId) st.bind(next, orgPath).bind(next + 1, orgPath + "~");
    AlertCounts c;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      const int64_t state = st.int64(0), sev = st.int64(1), n = st.int64(2);
      if (state < 0 || state > 4 || sev < 0 || sev > 3) continue;
      c.byState[state] += n;
      if (isOpen(static_cast<AlertState>(state))) c.bySeverity[sev] += n;
      c.total += n;
    }
    return c;
  });
}

Result<Alert> SqliteStore::getAlert(const Actor& actor, int64_t id) {
  return read([&](Db& db) { return loadAlert(db, actor, id, Permission::kReadAlerts); });
}

Result<std::vector<Alert>> SqliteStore::alertChanges(const Actor& actor, int64_t sinceSeq, int limit) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadAlerts), 3);
  return read([&](Db& db) -> Result<std::vector<Alert>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kAlertColumns + kAlertFrom +
                                               " WHERE a.seq > ?1 AND " + scope.sql() + " ORDER BY a.seq LIMIT ?2"));
    st.bind(1, sinceSeq).bind(2, limit);
    scope.bind(st);
    std::vector<Alert> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back(readAlert(st));
    }
    return out;
  });
}

Result<int64_t> SqliteStore::latestAlertSeq() {
  return read([&](Db& db) -> Result<int64_t> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT COALESCE(MAX(seq),0) FROM alerts"));
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    return row ? st.int64(0) : 0;
  });
}

// --- Officers ------------------------------------------------------------------------------------

Result<Alert> SqliteStore::createAlert(const Actor& actor, const AlertDraft& d) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, d.orgId));
    if (!allows(actor, Permission::kReadAlerts, org.path))
      return Error::notFound("organisation " + std::to_string(d.orgId) + " not found");
    if (!allows(actor, Permission::kTriageAlerts, org.path))
      return Error::forbidden("you may not enter alerts for '" + org.name + "'");
    if (org.archived) return Error::validation("org_id", "the organisation is archived");
    VIGIL_ASSIGN_OR_RETURN(int64_t seq, nextSeq(tx.db));
    const TimeMs seen = d.seenAt > 0 ? d.seenAt : tx.now;
    VIGIL_ASSIGN_OR_RETURN(id, insertAlert(tx.db, d, seen, tx.now, seq, actor.name));
    json::object sum{{"title", d.title},
                     {"detector", detectorName(d.detector)},
                     {"severity", severityName(d.severity)},
                     {"seen_at", formatRfc3339(seen)}};
    if (!d.sender.empty()) sum["sender"] = d.sender;
    return tx.audit(actor, {.action = "alert.create",
                            .objectType = "alert",
                            .objectId = std::to_string(id),
                            .orgId = d.orgId,
                            .summary = json::serialize(sum)});
  }));
  return read([&](Db& db) { return loadAlert(db, actor, id, Permission::kReadAlerts); });
}

Result<Alert> SqliteStore::updateAlert(const Actor& actor, int64_t id, const AlertPatch& p) {
  if (!p.state && !p.assignee) return Error::validation("state", "nothing to change: give state or assignee_id");
  if (p.suppressUntil && p.state != AlertState::kFalsePositive)
    return Error::validation("suppress_until", "a suppression is created only with state false_positive");
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Alert cur, loadAlert(tx.db, actor, id, Permission::kTriageAlerts));
    VIGIL_ASSIGN_OR_RETURN(int64_t seq, nextSeq(tx.db));
    if (p.state) {
      VIGIL_TRY(checkTransition(cur.state, *p.state, p.reason));
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE alerts SET state=?, state_reason=?, updated_at=?, seq=? "
                                                    "WHERE id=?"));
      VIGIL_TRY(
          st.bind(1, static_cast<int>(*p.state)).bind(2, p.reason).bind(3, tx.now).bind(4, seq).bind(5, id).run());
      VIGIL_TRY(bumpCount(tx.db, cur.orgId, cur.state, cur.severity, -1));
      VIGIL_TRY(bumpCount(tx.db, cur.orgId, *p.state, cur.severity, 1));
      json::object sum{{"from", alertStateName(cur.state)}, {"to", alertStateName(*p.state)}};
      if (!p.reason.empty()) sum["reason"] = p.reason;
      VIGIL_TRY(tx.audit(actor, auditOf("alert.state", cur, sum)));
      if (p.suppressUntil) {
        VIGIL_TRY(insertSuppression(tx, actor,
                                    {.orgId = cur.orgId,
                                     .ruleId = cur.ruleId,
                                     .dedupKey = cur.dedupKey,
                                     .reason = p.reason,
                                     .expiresAt = *p.suppressUntil},
                                    cur.id));
      }
    }
    if (p.assignee) {
      const std::optional<int64_t> to = *p.assignee;
      if (to == cur.assigneeId) return Error::validation("assignee_id", "the alert is already assigned so");
      std::string toName;
      if (to) {
        VIGIL_ASSIGN_OR_RETURN(auto u, tx.db.prepare("SELECT username, disabled FROM users WHERE id = ?"));
        u.bind(1, *to);
        VIGIL_ASSIGN_OR_RETURN(bool row, u.step());
        if (!row) return Error::validation("assignee_id", "user " + std::to_string(*to) + " not found");
        toName = u.text(0);
        const bool disabled = u.int64(1) != 0;
        if (disabled) return Error::validation("assignee_id", "user '" + toName + "' is disabled");
        VIGIL_ASSIGN_OR_RETURN(auto roles, loadRoles(tx.db, *to));
        Actor assignee;
        for (const auto& r : roles) assignee.grants.push_back({r.orgId, r.orgPath, r.role});
        if (!allows(assignee, Permission::kTriageAlerts, cur.orgPath))
          return Error::validation("assignee_id",
                                   "user '" + toName + "' may not work on the alerts of '" + cur.orgName + "'");
      }
      VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("UPDATE alerts SET assignee_id=?, updated_at=?, seq=? WHERE id=?"));
      VIGIL_TRY(st.bind(1, to).bind(2, tx.now).bind(3, seq).bind(4, id).run());
      json::object sum{{"from", cur.assigneeName.empty() ? json::value(nullptr) : json::value(cur.assigneeName)},
                       {"to", toName.empty() ? json::value(nullptr) : json::value(toName)}};
      VIGIL_TRY(tx.audit(actor, auditOf("alert.assign", cur, sum)));
    }
    return {};
  }));
  return read([&](Db& db) { return loadAlert(db, actor, id, Permission::kReadAlerts); });
}

Result<std::vector<AlertComment>> SqliteStore::listAlertComments(const Actor& actor, int64_t alertId) {
  return read([&](Db& db) -> Result<std::vector<AlertComment>> {
    VIGIL_TRY(loadAlert(db, actor, alertId, Permission::kReadAlerts));
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id,alert_id,user_id,author,body,created_at FROM alert_comments "
                                               "WHERE alert_id = ? ORDER BY id"));
    st.bind(1, alertId);
    std::vector<AlertComment> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      out.push_back({st.int64(0), st.int64(1), st.optInt64(2), st.text(3), st.text(4), st.int64(5)});
    }
    return out;
  });
}

Result<AlertComment> SqliteStore::addAlertComment(const Actor& actor, int64_t alertId, const std::string& body) {
  AlertComment c{.alertId = alertId, .userId = actor.userId, .author = actor.name, .body = body};
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Alert cur, loadAlert(tx.db, actor, alertId, Permission::kTriageAlerts));
    VIGIL_ASSIGN_OR_RETURN(int64_t seq, nextSeq(tx.db));
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare("INSERT INTO alert_comments(alert_id,user_id,author,body,created_at) "
                                                  "VALUES(?,?,?,?,?)"));
    VIGIL_TRY(st.bind(1, alertId).bind(2, actor.userId).bind(3, actor.name).bind(4, body).bind(5, tx.now).run());
    c.id = tx.db.lastInsertId();
    c.createdAt = tx.now;
    // A comment is a change of the alert for the live queue.
    VIGIL_ASSIGN_OR_RETURN(auto touch, tx.db.prepare("UPDATE alerts SET updated_at=?, seq=? WHERE id=?"));
    VIGIL_TRY(touch.bind(1, tx.now).bind(2, seq).bind(3, alertId).run());
    return tx.audit(actor, auditOf("alert.comment", cur, {{"comment_id", c.id}, {"body", body}}));
  }));
  return c;
}

// --- Suppressions --------------------------------------------------------------------------------

Result<std::vector<Suppression>> SqliteStore::listSuppressions(const Actor& actor, bool includeExpired) {
  const ScopeFilter scope("o.path", scopePrefixes(actor, Permission::kReadAlerts), 3);
  const TimeMs now = clock_.nowMs();
  return read([&](Db& db) -> Result<std::vector<Suppression>> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSuppressionColumns +
                                               " FROM alert_suppressions s JOIN orgs o ON o.id = s.org_id WHERE " +
                                               scope.sql() + " AND (?1 = 1 OR s.expires_at > ?2) ORDER BY s.id DESC"));
    st.bind(1, includeExpired).bind(2, now);
    scope.bind(st);
    std::vector<Suppression> out;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
      if (!row) break;
      VIGIL_ASSIGN_OR_RETURN(auto s, readSuppression(st));
      out.push_back(std::move(s));
    }
    return out;
  });
}

Result<Suppression> SqliteStore::createSuppression(const Actor& actor, const SuppressionFields& f) {
  int64_t id = 0;
  VIGIL_TRY(write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(Org org, loadOrg(tx.db, actor, f.orgId));
    if (!allows(actor, Permission::kReadAlerts, org.path))
      return Error::notFound("organisation " + std::to_string(f.orgId) + " not found");
    if (!allows(actor, Permission::kTriageAlerts, org.path))
      return Error::forbidden("you may not suppress alerts of '" + org.name + "'");
    VIGIL_ASSIGN_OR_RETURN(id, insertSuppression(tx, actor, f, std::nullopt));
    return {};
  }));
  return read([&](Db& db) -> Result<Suppression> {
    VIGIL_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kSuppressionColumns +
                                               " FROM alert_suppressions s JOIN orgs o ON o.id = s.org_id "
                                               "WHERE s.id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return Error::notFound("suppression " + std::to_string(id) + " not found");
    return readSuppression(st);
  });
}

Status SqliteStore::deleteSuppression(const Actor& actor, int64_t id) {
  return write([&](WriteTx& tx) -> Status {
    VIGIL_ASSIGN_OR_RETURN(auto st, tx.db.prepare(std::string("SELECT ") + kSuppressionColumns + ",o.path" +
                                                  " FROM alert_suppressions s JOIN orgs o ON o.id = s.org_id "
                                                  "WHERE s.id = ?"));
    st.bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, st.step());
    const Error missing = Error::notFound("suppression " + std::to_string(id) + " not found");
    if (!row) return missing;
    VIGIL_ASSIGN_OR_RETURN(Suppression s, readSuppression(st));
    const std::string path = st.text(12);
    if (!allows(actor, Permission::kReadAlerts, path)) return missing;
    if (!allows(actor, Permission::kTriageAlerts, path))
      return Error::forbidden("you may not remove suppressions of '" + s.orgName + "'");
    VIGIL_ASSIGN_OR_RETURN(auto del, tx.db.prepare("DELETE FROM alert_suppressions WHERE id = ?"));
    VIGIL_TRY(del.bind(1, id).run());
    json::object sum{{"rule_id", s.ruleId}, {"dedup_key", s.dedupKey}, {"reason", s.reason}, {"hits", s.hits}};
    return tx.audit(actor, {.action = "alert_suppression.delete",
                            .objectType = "alert_suppression",
                            .objectId = std::to_string(id),
                            .orgId = s.orgId,
                            .summary = json::serialize(sum)});
  });
}

}  // namespace vigil::sqlite
