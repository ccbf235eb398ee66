#include "store/sqlite/migrations.h"

namespace vigil::sqlite {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1, "organisation tree, users, roles, sessions, API tokens, audit log, settings", R"sql(
CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES orgs(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  code TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL UNIQUE,
  archived INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT NOT NULL DEFAULT '',
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  mfa_secret BLOB,
  mfa_pending_secret BLOB,
  mfa_last_step INTEGER NOT NULL DEFAULT 0,
  last_login_at INTEGER,
  active_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE role_assignments (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  role TEXT NOT NULL,
  PRIMARY KEY (user_id, org_id, role)
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  role TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor_id INTEGER,
  actor TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  org_id INTEGER,
  summary TEXT NOT NULL,
  result TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_time ON audit_log(time);
CREATE INDEX audit_actor ON audit_log(actor);
CREATE INDEX audit_action ON audit_log(action);
CREATE INDEX audit_org ON audit_log(org_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
      {2, "registry of information systems: systems, assets, accounts, backups, contacts, level dossiers", R"sql(
CREATE TABLE info_systems (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  regime_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  lead_operator TEXT NOT NULL,
  operators TEXT NOT NULL DEFAULT '[]',
  parent_id INTEGER REFERENCES info_systems(id),
  lifecycle TEXT NOT NULL,
  go_live_on TEXT,
  major_change_on TEXT,
  hosting TEXT NOT NULL,
  separation TEXT NOT NULL,
  requires_24x7 INTEGER NOT NULL DEFAULT 0,
  critical_list INTEGER NOT NULL DEFAULT 0,
  web_addresses TEXT NOT NULL DEFAULT '[]',
  public_ips TEXT NOT NULL DEFAULT '[]',
  security_regulation_issued_on TEXT,
  plan_status TEXT NOT NULL,
  facts TEXT NOT NULL DEFAULT '{}',
  proposed_level INTEGER NOT NULL,
  approved_level INTEGER,
  approved_on TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX info_systems_org ON info_systems(org_id, name, id);
CREATE INDEX info_systems_parent ON info_systems(parent_id);
CREATE INDEX info_systems_level ON info_systems(proposed_level);

CREATE TABLE assets (
  id INTEGER PRIMARY KEY,
  system_id INTEGER NOT NULL REFERENCES info_systems(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  os TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  main_device INTEGER NOT NULL DEFAULT 0,
  main_device_kind TEXT NOT NULL DEFAULT '',
  internet_connected INTEGER NOT NULL DEFAULT 0,
  anti_malware TEXT NOT NULL DEFAULT '',
  anti_malware_licensed INTEGER NOT NULL DEFAULT 0,
  last_update_on TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX assets_system ON assets(system_id);

-- Asset counts per organisation and kind, kept by triggers in the same transaction as the change,
-- so that a list's total over 100,000 assets is a sum over a few rows instead of a scan. A
-- system's organisation never changes, so an asset's organisation follows its system.
CREATE TABLE asset_counts (
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  kind TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (org_id, kind)
) WITHOUT ROWID;
CREATE TRIGGER asset_counts_insert AFTER INSERT ON assets BEGIN
  INSERT INTO asset_counts(org_id, kind, n)
    VALUES ((SELECT org_id FROM info_systems WHERE id = NEW.system_id), NEW.kind, 1)
    ON CONFLICT(org_id, kind) DO UPDATE SET n = n + 1;
END;
-- A system's deletion cascades to its assets after the system row is gone: count them out first.
CREATE TRIGGER asset_counts_system_delete BEFORE DELETE ON info_systems BEGIN
  UPDATE asset_counts SET n = n - (SELECT count(*) FROM assets WHERE system_id = OLD.id AND kind = asset_counts.kind)
    WHERE org_id = OLD.org_id;
END;
CREATE TRIGGER asset_counts_delete AFTER DELETE ON assets BEGIN
  UPDATE asset_counts SET n = n - 1
    WHERE org_id = (SELECT org_id FROM info_systems WHERE id = OLD.system_id) AND kind = OLD.kind;
END;
CREATE TRIGGER asset_counts_update AFTER UPDATE OF system_id, kind ON assets BEGIN
  UPDATE asset_counts SET n = n - 1
    WHERE org_id = (SELECT org_id FROM info_systems WHERE id = OLD.system_id) AND kind = OLD.kind;
  INSERT INTO asset_counts(org_id, kind, n)
    VALUES ((SELECT org_id FROM info_systems WHERE id = NEW.system_id), NEW.kind, 1)
    ON CONFLICT(org_id, kind) DO UPDATE SET n = n + 1;
END;

CREATE TABLE system_accounts (
  id INTEGER PRIMARY KEY,
  system_id INTEGER NOT NULL REFERENCES info_systems(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  privilege TEXT NOT NULL,
  last_used_at INTEGER,
  is_default INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  UNIQUE (system_id, name)
);

CREATE TABLE backup_policies (
  id INTEGER PRIMARY KEY,
  system_id INTEGER NOT NULL REFERENCES info_systems(id) ON DELETE CASCADE,
  scope TEXT NOT NULL,
  frequency TEXT NOT NULL,
  offline_copy INTEGER NOT NULL DEFAULT 0,
  offsite_copy INTEGER NOT NULL DEFAULT 0,
  last_backup_at INTEGER,
  last_restore_test_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX backup_policies_system ON backup_policies(system_id);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  phones TEXT NOT NULL DEFAULT '[]',
  email TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
CREATE INDEX contacts_org ON contacts(org_id);

CREATE TABLE dossiers (
  id INTEGER PRIMARY KEY,
  system_id INTEGER NOT NULL REFERENCES info_systems(id) ON DELETE CASCADE,
  regime_id TEXT NOT NULL,
  proposed_level INTEGER NOT NULL,
  state TEXT NOT NULL,
  sent_on TEXT,
  appraised_on TEXT,
  appraisal_result TEXT NOT NULL DEFAULT '',
  items_to_fix TEXT NOT NULL DEFAULT '',
  approved_on TEXT,
  decision_number TEXT NOT NULL DEFAULT '',
  decision_body TEXT NOT NULL DEFAULT '',
  approved_level INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX dossiers_system ON dossiers(system_id);

CREATE TABLE dossier_events (
  id INTEGER PRIMARY KEY,
  dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  on_date TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dossier_events_dossier ON dossier_events(dossier_id);

CREATE TABLE dossier_attachments (
  id INTEGER PRIMARY KEY,
  dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  uploaded_by TEXT NOT NULL
);
CREATE INDEX dossier_attachments_dossier ON dossier_attachments(dossier_id);
)sql"},
      {3, "assessments: item results, evidence files, findings and re-tests", R"sql(
CREATE TABLE assessments (
  id INTEGER PRIMARY KEY,
  system_id INTEGER NOT NULL REFERENCES info_systems(id) ON DELETE CASCADE,
  regime_id TEXT NOT NULL,
  level INTEGER NOT NULL,
  kind TEXT NOT NULL,
  assessor_type TEXT NOT NULL,
  assessor_name TEXT NOT NULL,
  triggers TEXT NOT NULL DEFAULT '[]',
  planned_on TEXT,
  started_on TEXT,
  completed_on TEXT,
  state TEXT NOT NULL,
  total INTEGER,
  met INTEGER,
  partly_met INTEGER,
  not_met INTEGER,
  not_applicable INTEGER,
  unanswered INTEGER,
  percent_met_tenths INTEGER,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX assessments_system ON assessments(system_id, kind, completed_on);
CREATE INDEX assessments_state ON assessments(state);

CREATE TABLE assessment_results (
  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
  item TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (assessment_id, item)
);

CREATE TABLE assessment_evidence (
  id INTEGER PRIMARY KEY,
  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
  item TEXT NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  uploaded_by TEXT NOT NULL
);
CREATE INDEX assessment_evidence_assessment ON assessment_evidence(assessment_id);

CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
  item TEXT NOT NULL,
  status TEXT NOT NULL,
  description TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  due_on TEXT,
  remediation TEXT NOT NULL DEFAULT '',
  closed_on TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX findings_assessment ON findings(assessment_id);
CREATE INDEX findings_open ON findings(closed_on, due_on);

CREATE TABLE finding_retests (
  id INTEGER PRIMARY KEY,
  finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
  on_date TEXT NOT NULL,
  status TEXT NOT NULL,
  by_whom TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX finding_retests_finding ON finding_retests(finding_id);
CREATE INDEX dossiers_system_id ON dossiers(system_id, id);
CREATE INDEX info_systems_org_level ON info_systems(org_id, proposed_level, approved_level);
)sql"},
      {4, "log collection: declared log sources with their ingest token hashes, saved searches", R"sql(
CREATE TABLE log_sources (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  addresses TEXT NOT NULL DEFAULT '[]',
  timezone_offset_minutes INTEGER NOT NULL DEFAULT 420,
  expected_interval_minutes INTEGER NOT NULL DEFAULT 60,
  enabled INTEGER NOT NULL DEFAULT 1,
  token_sha256 TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (org_id, name)
);
CREATE UNIQUE INDEX log_sources_token ON log_sources(token_sha256) WHERE token_sha256 IS NOT NULL;

CREATE TABLE saved_searches (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  org_id INTEGER REFERENCES orgs(id),
  name TEXT NOT NULL,
  query TEXT NOT NULL,
  range TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (user_id, name)
);
)sql"},
      {5, "alert queue: alerts with dedup and triage, comments, suppressions, counts per state", R"sql(
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  system_id INTEGER,
  asset TEXT NOT NULL DEFAULT '',
  detector TEXT NOT NULL,
  rule_id TEXT NOT NULL DEFAULT '',
  rule_title TEXT NOT NULL DEFAULT '',
  severity INTEGER NOT NULL,
  dedup_key TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  observables TEXT NOT NULL DEFAULT '[]',
  evidence TEXT NOT NULL DEFAULT '',
  events_query TEXT NOT NULL DEFAULT '',
  sender TEXT NOT NULL DEFAULT '',
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  state INTEGER NOT NULL DEFAULT 0,
  state_reason TEXT NOT NULL DEFAULT '',
  assignee_id INTEGER REFERENCES users(id),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX alerts_last_seen ON alerts(last_seen, id);
CREATE INDEX alerts_state ON alerts(state, last_seen, id);
CREATE INDEX alerts_severity ON alerts(severity, last_seen, id);
CREATE INDEX alerts_org ON alerts(org_id, last_seen, id);
CREATE INDEX alerts_assignee ON alerts(assignee_id, last_seen, id);
CREATE INDEX alerts_detector ON alerts(detector, last_seen, id);
CREATE INDEX alerts_rule ON alerts(rule_id, last_seen, id);
CREATE INDEX alerts_dedup ON alerts(org_id, rule_id, dedup_key, state, last_seen);
CREATE UNIQUE INDEX alerts_seq ON alerts(seq);

-- The queue's text search (title, rule title, asset, dedup key): a trigram index, so that a
-- substring of three characters or more is found without reading every alert.
CREATE VIRTUAL TABLE alerts_text USING fts5(title, rule_title, asset, dedup_key, content='alerts',
  content_rowid='id', tokenize='trigram');
CREATE TRIGGER alerts_text_insert AFTER INSERT ON alerts BEGIN
  INSERT INTO alerts_text(rowid, title, rule_title, asset, dedup_key)
    VALUES (new.id, new.title, new.rule_title, new.asset, new.dedup_key);
END;
CREATE TRIGGER alerts_text_update AFTER UPDATE OF title, rule_title, asset, dedup_key ON alerts BEGIN
  INSERT INTO alerts_text(alerts_text, rowid, title, rule_title, asset, dedup_key)
    VALUES ('delete', old.id, old.title, old.rule_title, old.asset, old.dedup_key);
  INSERT INTO alerts_text(rowid, title, rule_title, asset, dedup_key)
    VALUES (new.id, new.title, new.rule_title, new.asset, new.dedup_key);
END;
CREATE TRIGGER alerts_text_delete AFTER DELETE ON alerts BEGIN
  INSERT INTO alerts_text(alerts_text, rowid, title, rule_title, asset, dedup_key)
    VALUES ('delete', old.id, old.title, old.rule_title, old.asset, old.dedup_key);
END;

-- Alerts per organisation, state and severity, kept with every insert and state change so that
-- the queue's counts do not scan a million rows.
CREATE TABLE alert_counts (
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  state INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (org_id, state, severity)
) WITHOUT ROWID;

CREATE TABLE alert_comments (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  user_id INTEGER REFERENCES users(id),
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX alert_comments_alert ON alert_comments(alert_id, id);

CREATE TABLE alert_suppressions (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  rule_id TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  reason TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  alert_id INTEGER REFERENCES alerts(id),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  last_hit_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alert_suppressions_key ON alert_suppressions(org_id, rule_id, dedup_key, expires_at);
)sql"},
      // Evidence of incidents (issue 4). incident_id names the incident without a foreign key: the
      // incidents table is built on another branch and the key is added when both meet. org_id is
      // the incident's organisation, copied onto each item so access is decided from the row.
      // Items and custody entries are append-only: the triggers refuse any UPDATE or DELETE.
      {6, "incident evidence with its chain of custody; response plans attached to information systems", R"sql(
CREATE TABLE incident_evidence (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  collected_by TEXT NOT NULL,
  collected_at INTEGER NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX incident_evidence_incident ON incident_evidence(incident_id, id);
CREATE INDEX incident_evidence_sha256 ON incident_evidence(sha256);
CREATE TRIGGER incident_evidence_no_update BEFORE UPDATE ON incident_evidence
BEGIN SELECT RAISE(ABORT, 'evidence items are never modified'); END;
CREATE TRIGGER incident_evidence_no_delete BEFORE DELETE ON incident_evidence
BEGIN SELECT RAISE(ABORT, 'evidence items are never deleted'); END;

CREATE TABLE evidence_custody (
  id INTEGER PRIMARY KEY,
  evidence_id INTEGER NOT NULL REFERENCES incident_evidence(id),
  action TEXT NOT NULL,
  at INTEGER NOT NULL,
  by_whom TEXT NOT NULL,
  to_whom TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX evidence_custody_item ON evidence_custody(evidence_id, id);
CREATE TRIGGER evidence_custody_no_update BEFORE UPDATE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER evidence_custody_no_delete BEFORE DELETE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;

CREATE TABLE system_plans (
  system_id INTEGER NOT NULL REFERENCES info_systems(id) ON DELETE CASCADE,
  plan_id TEXT NOT NULL,
  attached_by TEXT NOT NULL,
  attached_at INTEGER NOT NULL,
  PRIMARY KEY (system_id, plan_id)
);
)sql"},
      {7, "incidents: records under a process version, alert links, timeline, tasks, parties, observables, breaches",
       R"sql(
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  system_id INTEGER REFERENCES info_systems(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  detected_at INTEGER NOT NULL,
  regime TEXT NOT NULL,
  process_id TEXT NOT NULL,
  process_version INTEGER NOT NULL,
  current_step TEXT NOT NULL,
  closed INTEGER NOT NULL DEFAULT 0,
  closed_at INTEGER NOT NULL DEFAULT 0,
  facts TEXT NOT NULL DEFAULT '[]',
  flags TEXT NOT NULL DEFAULT '[]',
  severity TEXT NOT NULL DEFAULT '',
  severity_label TEXT NOT NULL DEFAULT '',
  classification TEXT NOT NULL DEFAULT '{}',
  -- The nearest open legal deadline (ms), or 9223372036854775807 when none is open: the list's
  -- sort key (nearest first).
  due_key INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incidents_due ON incidents(due_key, id);
CREATE INDEX incidents_org ON incidents(org_id, id);

CREATE TABLE incident_steps (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  seq INTEGER NOT NULL,
  step TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  entered_by TEXT NOT NULL,
  PRIMARY KEY (incident_id, seq)
) WITHOUT ROWID;

CREATE TABLE incident_outputs (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  step_seq INTEGER NOT NULL,
  output_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  recorded_by TEXT NOT NULL
);
CREATE INDEX incident_outputs_incident ON incident_outputs(incident_id, step_seq, id);

CREATE TABLE incident_events (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  event_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  recorded_by TEXT NOT NULL,
  UNIQUE (incident_id, event_id)
);

-- An alert belongs to at most one incident.
CREATE TABLE incident_alerts (
  alert_id INTEGER PRIMARY KEY REFERENCES alerts(id),
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  linked_at INTEGER NOT NULL,
  linked_by TEXT NOT NULL
);
CREATE INDEX incident_alerts_incident ON incident_alerts(incident_id);

CREATE TABLE incident_timeline (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id, id);

CREATE TABLE incident_tasks (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  title TEXT NOT NULL,
  assignee_id INTEGER REFERENCES users(id),
  due_at INTEGER,
  done INTEGER NOT NULL DEFAULT 0,
  done_at INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX incident_tasks_incident ON incident_tasks(incident_id, id);

CREATE TABLE incident_parties (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  party TEXT NOT NULL,
  contact TEXT NOT NULL,
  notified_at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  reference TEXT NOT NULL DEFAULT '',
  recorded_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX incident_parties_incident ON incident_parties(incident_id, id);

-- Observables once per (type, value), named by any number of incidents.
CREATE TABLE observables (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (type, value)
);
CREATE TABLE incident_observables (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  observable_id INTEGER NOT NULL REFERENCES observables(id),
  added_at INTEGER NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (incident_id, observable_id)
) WITHOUT ROWID;
CREATE INDEX incident_observables_observable ON incident_observables(observable_id, incident_id);

-- Deadline warnings raised (once per deadline and level) and breaches (once per deadline).
CREATE TABLE incident_deadline_marks (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  deadline_id TEXT NOT NULL,
  level TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  raised_at INTEGER NOT NULL,
  PRIMARY KEY (incident_id, deadline_id, level)
) WITHOUT ROWID;
CREATE TABLE incident_breaches (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  deadline_id TEXT NOT NULL,
  label TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  escalated_to TEXT NOT NULL,
  UNIQUE (incident_id, deadline_id)
);

-- Append-only records: what was written stays as written.
CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE ON incident_timeline
  BEGIN SELECT RAISE(ABORT, 'incident timeline entries cannot be changed'); END;
CREATE TRIGGER incident_timeline_no_delete BEFORE DELETE ON incident_timeline
  BEGIN SELECT RAISE(ABORT, 'incident timeline entries cannot be deleted'); END;
CREATE TRIGGER incident_steps_no_update BEFORE UPDATE ON incident_steps
  BEGIN SELECT RAISE(ABORT, 'incident step records cannot be changed'); END;
CREATE TRIGGER incident_steps_no_delete BEFORE DELETE ON incident_steps
  BEGIN SELECT RAISE(ABORT, 'incident step records cannot be deleted'); END;
CREATE TRIGGER incident_outputs_no_update BEFORE UPDATE ON incident_outputs
  BEGIN SELECT RAISE(ABORT, 'recorded outputs cannot be changed'); END;
CREATE TRIGGER incident_outputs_no_delete BEFORE DELETE ON incident_outputs
  BEGIN SELECT RAISE(ABORT, 'recorded outputs cannot be deleted'); END;
CREATE TRIGGER incident_breaches_no_update BEFORE UPDATE ON incident_breaches
  BEGIN SELECT RAISE(ABORT, 'breach records cannot be changed'); END;
CREATE TRIGGER incident_breaches_no_delete BEFORE DELETE ON incident_breaches
  BEGIN SELECT RAISE(ABORT, 'breach records cannot be deleted'); END;
)sql"},
      {8, "notifications: channels, subscriptions, notices and the delivery log", R"sql(
-- A channel of an agency: e-mail (SMTP), webhook or Telegram bot. The secret (SMTP password,
-- webhook signing key, bot token) is sealed with the server's master key; never returned.
CREATE TABLE notify_channels (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  email_from TEXT NOT NULL DEFAULT '',
  username TEXT NOT NULL DEFAULT '',
  secret_sealed BLOB,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (org_id, name)
);

-- Who hears about what: notices of the agency's subtree of a kind and at least a severity.
CREATE TABLE notify_subscriptions (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  channel_id INTEGER NOT NULL REFERENCES notify_channels(id),
  kind TEXT NOT NULL,
  min_severity INTEGER NOT NULL DEFAULT 0,
  role TEXT,
  recipients TEXT NOT NULL DEFAULT '[]',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX notify_subscriptions_kind ON notify_subscriptions(kind, enabled);
CREATE INDEX notify_subscriptions_channel ON notify_subscriptions(channel_id);

CREATE TABLE notify_notices (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  kind TEXT NOT NULL,
  severity INTEGER NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  link TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);

-- The delivery log, and the dispatcher's durable outbox: pending rows are sent after a restart.
-- status: 0 pending, 1 sent, 2 failed (gave up).
CREATE TABLE notify_deliveries (
  id INTEGER PRIMARY KEY,
  notice_id INTEGER NOT NULL REFERENCES notify_notices(id),
  channel_id INTEGER REFERENCES notify_channels(id) ON DELETE SET NULL,
  channel_name TEXT NOT NULL,
  channel_kind TEXT NOT NULL,
  recipient TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX notify_deliveries_due ON notify_deliveries(status, next_attempt_at);
CREATE INDEX notify_deliveries_notice ON notify_deliveries(notice_id);
)sql"},
      {9, "detection: alert tags (ATT&CK), Sigma rules kept in the database, per-agency rule settings", R"sql(
ALTER TABLE alerts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

-- Sigma rules written or uploaded through the API (rules from the rules directories stay files).
-- rule_uid is the rule's Sigma id; the rule applies to the events of org_id's subtree. Every
-- version of the text is kept in the audit log (rule.create / rule.update summaries).
CREATE TABLE detection_rules (
  id INTEGER PRIMARY KEY,
  rule_uid TEXT NOT NULL UNIQUE,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  title TEXT NOT NULL,
  level TEXT NOT NULL,
  status TEXT NOT NULL,
  tags TEXT NOT NULL,
  yaml TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX detection_rules_org ON detection_rules(org_id);

-- Per-agency settings of any rule (directory or database), by Sigma id: on or off for the agency
-- and its subtree. A setting on the province root is a directory rule's global switch.
CREATE TABLE detection_rule_agencies (
  rule_uid TEXT NOT NULL,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  enabled INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (rule_uid, org_id)
) WITHOUT ROWID;
)sql"},
      {10, "incidents: the submission register of official reports (rendered, sent, acknowledged; append-only)",
       R"sql(
-- One row per rendered report. The DOCX is in the blob store under sha256. recipient, channel,
-- sent_at, sent_by are written once (sending), ack_at, ack_note, ack_by once (acknowledgement):
-- the triggers refuse every other change and every deletion.
CREATE TABLE incident_reports (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  form_id TEXT NOT NULL,
  form_title TEXT NOT NULL,
  legal_source TEXT NOT NULL,
  layout TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  fields TEXT NOT NULL,
  rendered_at INTEGER NOT NULL,
  rendered_by TEXT NOT NULL,
  recipient TEXT,
  channel TEXT,
  sent_at INTEGER,
  sent_by TEXT,
  ack_at INTEGER,
  ack_note TEXT,
  ack_by TEXT
);
CREATE INDEX incident_reports_incident ON incident_reports(incident_id, id);
CREATE TRIGGER incident_reports_no_delete BEFORE DELETE ON incident_reports
BEGIN SELECT RAISE(ABORT, 'incident_reports is append-only'); END;
CREATE TRIGGER incident_reports_write_once BEFORE UPDATE ON incident_reports
WHEN NEW.id IS NOT OLD.id OR NEW.incident_id IS NOT OLD.incident_id OR NEW.form_id IS NOT OLD.form_id
  OR NEW.form_title IS NOT OLD.form_title OR NEW.legal_source IS NOT OLD.legal_source
  OR NEW.layout IS NOT OLD.layout OR NEW.sha256 IS NOT OLD.sha256 OR NEW.size IS NOT OLD.size
  OR NEW.file_name IS NOT OLD.file_name OR NEW.fields IS NOT OLD.fields
  OR NEW.rendered_at IS NOT OLD.rendered_at OR NEW.rendered_by IS NOT OLD.rendered_by
  OR (OLD.sent_at IS NOT NULL AND (NEW.recipient IS NOT OLD.recipient OR NEW.channel IS NOT OLD.channel
      OR NEW.sent_at IS NOT OLD.sent_at OR NEW.sent_by IS NOT OLD.sent_by))
  OR (OLD.ack_at IS NOT NULL AND (NEW.ack_at IS NOT OLD.ack_at OR NEW.ack_note IS NOT OLD.ack_note
      OR NEW.ack_by IS NOT OLD.ack_by))
  OR (NEW.ack_at IS NOT NULL AND NEW.sent_at IS NULL)
BEGIN SELECT RAISE(ABORT, 'incident_reports: a report, its sending and its acknowledgement are written once'); END;
)sql"},
      // Evidence meets the incidents (issue 4): an item must name an existing incident and carry
      // its organisation (SQLite cannot add a FOREIGN KEY to a table; this trigger checks the
      // same on every insert, and items are never updated). The plans applied to incidents, once
      // each, append-only.
      {11, "incident evidence checked against its incident; response plans applied to incidents", R"sql(
CREATE TRIGGER incident_evidence_incident BEFORE INSERT ON incident_evidence
WHEN NOT EXISTS (SELECT 1 FROM incidents WHERE id = NEW.incident_id AND org_id = NEW.org_id)
BEGIN SELECT RAISE(ABORT, 'evidence must name an existing incident and carry its organisation'); END;

CREATE TABLE incident_plans (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  plan_id TEXT NOT NULL,
  plan_version INTEGER NOT NULL,
  applied_by TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  tasks TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (incident_id, plan_id)
);
CREATE TRIGGER incident_plans_no_update BEFORE UPDATE ON incident_plans
BEGIN SELECT RAISE(ABORT, 'an applied plan is never modified'); END;
CREATE TRIGGER incident_plans_no_delete BEFORE DELETE ON incident_plans
BEGIN SELECT RAISE(ABORT, 'an applied plan is never removed'); END;
)sql"},
      // Hand-over between processes (issue 4, inc-notify): an incident that continues under
      // another process is a new incident row (its own process version and history) naming the
      // one it continues; the predecessor is closed and keeps the version it ran under. At most
      // one successor each; the link never changes.
      {12, "incidents: hand-over between processes (successor linked to its predecessor)", R"sql(
ALTER TABLE incidents ADD COLUMN predecessor_id INTEGER REFERENCES incidents(id);
CREATE UNIQUE INDEX incidents_predecessor ON incidents(predecessor_id) WHERE predecessor_id IS NOT NULL;
CREATE TRIGGER incidents_predecessor_fixed BEFORE UPDATE OF predecessor_id ON incidents
  WHEN OLD.predecessor_id IS NOT NEW.predecessor_id
  BEGIN SELECT RAISE(ABORT, 'the predecessor of an incident cannot be changed'); END;
)sql"},
      {13, "web portals: registrations, facts of the latest runs, runs, findings, evidence items", R"sql(
-- Web portals registered for monitoring (issue 7). Lists (key pages, allowed domains) are JSON
-- arrays of strings; maintenance is a JSON array of {"from","to","note"} (ms since the epoch,
-- `to` exclusive). revision moves with every change so the scheduler re-plans the portal.
CREATE TABLE portals (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  system_id INTEGER REFERENCES info_systems(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  key_pages TEXT NOT NULL DEFAULT '[]',
  allowed_domains TEXT NOT NULL DEFAULT '[]',
  marker TEXT NOT NULL DEFAULT '',
  maintenance TEXT NOT NULL DEFAULT '[]',
  allow_private INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  interval_availability INTEGER NOT NULL,
  interval_content INTEGER NOT NULL,
  interval_tls INTEGER NOT NULL,
  interval_headers INTEGER NOT NULL,
  interval_exposure INTEGER NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_run_at INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX portals_org_url ON portals(org_id, url);
CREATE INDEX portals_system ON portals(system_id);

-- The facts of the latest runs (key -> value), replaced key by key by each run.
CREATE TABLE portal_facts (
  portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (portal_id, key)
) WITHOUT ROWID;

-- One row per run of one check class; the newest runs per portal and class are kept.
CREATE TABLE portal_runs (
  id INTEGER PRIMARY KEY,
  portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  check_class TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  in_maintenance INTEGER NOT NULL,
  findings INTEGER NOT NULL,
  problems INTEGER NOT NULL,
  opened INTEGER NOT NULL,
  resolved INTEGER NOT NULL
);
CREATE INDEX portal_runs_portal ON portal_runs(portal_id, check_class, id);

-- Findings, one row per (portal, check, finding id, url): open (status 0) or resolved (1). A
-- resolved finding that comes back is re-opened (reinfections + 1, opened_at moves).
-- severity: info, low, medium, high, critical (webmon::severityName).
CREATE TABLE portal_findings (
  id INTEGER PRIMARY KEY,
  portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  check_class TEXT NOT NULL,
  check_name TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  url TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  opened_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  resolved_at INTEGER NOT NULL DEFAULT 0,
  reinfections INTEGER NOT NULL DEFAULT 0,
  alert_key TEXT NOT NULL DEFAULT '',
  last_run_id INTEGER NOT NULL
);
CREATE UNIQUE INDEX portal_findings_key ON portal_findings(portal_id, check_name, finding_id, url);
CREATE INDEX portal_findings_open ON portal_findings(portal_id, status, check_class);

-- Evidence items: the original's SHA-256 and size, the zstd-compressed bytes in the blob store.
-- A finding keeps at most two items per name (the first and the latest); a run's own items go
-- with the run when it is pruned (run_id becomes NULL for a finding's items).
CREATE TABLE portal_evidence (
  id INTEGER PRIMARY KEY,
  portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  run_id INTEGER REFERENCES portal_runs(id) ON DELETE SET NULL,
  finding_id INTEGER REFERENCES portal_findings(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  blob_sha256 TEXT NOT NULL,
  stored_size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX portal_evidence_portal ON portal_evidence(portal_id, id);
CREATE INDEX portal_evidence_finding ON portal_evidence(finding_id);
CREATE INDEX portal_evidence_run ON portal_evidence(run_id);
)sql"},
  };
  return list;
}

}  // namespace vigil::sqlite
