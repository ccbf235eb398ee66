// Quy tắc phát hiện: the Sigma rules live detection runs (rules directories and rules kept in the
// database), with filters (text, level, source, on/off), the reload status (version of the running
// set, rules refused with file, line and reason), and per rule a dialog: its YAML (editable for
// database rules; directory rules are edited as files), validation showing the refused line,
// enable/disable and the per-agency switches. "Tải lên quy tắc" opens the same editor for a new
// rule. A change is stored, then the server compiles a new set in the background: the status panel
// shows its version once it runs.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  RULE_LEVELS,
  rulesApi,
  type DetectionRule,
  type DetectionRuleDetail,
  type Id,
  type RuleFilter,
  type RuleReloadStatus,
} from '../api';
import { ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader } from '../components/ui';
import { formatDateTimeSeconds } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';

const LEVEL_BADGE: Record<string, string> = {
  critical: 'badge-danger',
  high: 'badge-danger',
  medium: 'badge-warning',
  low: 'badge-muted',
  informational: 'badge-muted',
};

const NEW_RULE = `title: Tên quy tắc
id: 00000000-0000-0000-0000-000000000000
status: experimental
level: medium
description: Mô tả điều quy tắc phát hiện
tags:
  - attack.t1110
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4625
  condition: selection
`;

/** The refused line of a rule text, from a 400 answer ({details: {field: "yaml", line, reason}}). */
function refusedLine(err: unknown): { line: number; reason: string } | null {
  if (!(err instanceof ApiError) || err.details.field !== 'yaml') return null;
  return { line: Number(err.details.line ?? 0), reason: String(err.details.reason ?? err.message) };
}

export function RulesPage() {
  const { t } = useTranslation();
  const { perms } = useSession();
  const canManage = perms.hasRole('administrator') || perms.hasRole('soc_analyst');
  const [filter, setFilter] = useState<RuleFilter>({});
  const [text, setText] = useState('');
  const [data, setData] = useState<{ items: DetectionRule[]; total: number } | null>(null);
  const [status, setStatus] = useState<RuleReloadStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [list, st] = await Promise.all([rulesApi.list(filter, 0, 500), rulesApi.status()]);
      setData(list);
      setStatus(st);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [filter]);

  useEffect(() => {
    void load();
    // The set is compiled in the background after a change: follow it for a while.
    const timer = window.setInterval(() => void load(), 3000);
    return () => window.clearInterval(timer);
  }, [load]);

  const set = (patch: Partial<RuleFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    set({ q: text.trim() || undefined });
  };
  const changed = (message: string) => {
    setNotice(message);
    void load();
  };

  return (
    <div data-testid="rules-page">
      <PageHeader
        title={t('rules.title')}
        subtitle={t('rules.subtitle')}
        actions={
          canManage && (
            <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="rule-create">
              {t('rules.upload')}
            </button>
          )
        }
      />
      {notice && <Notice testId="rules-notice">{notice}</Notice>}
      <ErrorMessage error={error} />
      {status && (
        <div className="panel" data-testid="rules-status">
          <h2>{t('rules.status_title')}</h2>
          <p>
            {t('rules.status_line', { version: status.version, rules: status.rules })}
            {status.last_reload_at && ` · ${t('rules.last_reload')}: ${formatDateTimeSeconds(status.last_reload_at)} (${status.last_reason})`}
          </p>
          {status.dirs.length > 0 && (
            <p className="muted small">
              {t('rules.dirs')}: <span className="mono">{status.dirs.join(', ')}</span>
            </p>
          )}
          {status.last_error && (
            <div className="alert alert-error" role="alert">
              {t('rules.last_error')}: {status.last_error}
            </div>
          )}
          {status.problems.length > 0 ? (
            <>
              <h3>{t('rules.problems', { count: status.problems.length })}</h3>
              <ul className="plain" data-testid="rules-problems">
                {status.problems.map((p) => (
                  <li key={p.where + p.reason} className="small">
                    <span className="mono">{p.where}</span>: {p.reason}
                    {p.previous_version_runs && <span className="badge badge-warning"> {t('rules.previous_runs')}</span>}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="muted small">{t('rules.no_problems')}</p>
          )}
        </div>
      )}
      <div className="panel filters">
        <form className="filter-row" onSubmit={onSearch}>
          <select value={filter.level ?? ''} onChange={(e) => set({ level: e.target.value || undefined })} data-testid="rule-filter-level" aria-label={t('rules.level')}>
            <option value="">{t('rules.any_level')}</option>
            {RULE_LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`rules.levels.${l}`)}
              </option>
            ))}
          </select>
          <select value={filter.source ?? ''} onChange={(e) => set({ source: (e.target.value || undefined) as RuleFilter['source'] })} data-testid="rule-filter-source" aria-label={t('rules.source')}>
            <option value="">{t('rules.any_source')}</option>
            <option value="directory">{t('rules.sources.directory')}</option>
            <option value="database">{t('rules.sources.database')}</option>
          </select>
          <select value={filter.enabled ?? ''} onChange={(e) => set({ enabled: (e.target.value || undefined) as RuleFilter['enabled'] })} data-testid="rule-filter-enabled" aria-label={t('rules.enabled')}>
            <option value="">{t('rules.any_state')}</option>
            <option value="true">{t('rules.on')}</option>
            <option value="false">{t('rules.off')}</option>
          </select>
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('rules.search_placeholder')} maxLength={200} data-testid="rule-filter-q" />
          <button type="submit">{t('common.search')}</button>
        </form>
      </div>
      <div className="panel table-panel">
        <p className="muted small">{data && t('rules.total', { count: data.total })}</p>
        <table className="table" data-testid="rules-table">
          <thead>
            <tr>
              <th>{t('rules.level')}</th>
              <th>{t('rules.rule')}</th>
              <th>{t('rules.tags')}</th>
              <th>{t('rules.source')}</th>
              <th>{t('rules.enabled')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((r) => (
              <tr key={r.id} data-testid="rule-row" data-id={r.id} className="clickable" onClick={() => setOpenId(r.id)}>
                <td>
                  <span className={`badge ${LEVEL_BADGE[r.level] ?? 'badge-muted'}`}>{r.level ? t(`rules.levels.${r.level}`, r.level) : '—'}</span>
                </td>
                <td>
                  <button type="button" className="link-button" onClick={() => setOpenId(r.id)} data-testid="rule-open">
                    {r.title}
                  </button>
                  <div className="muted small mono">{r.origin}</div>
                  {r.problem && <div className="small error-text">{t('rules.refused_at', { where: r.problem.where, reason: r.problem.reason })}</div>}
                </td>
                <td className="small mono">{r.tags.join(', ')}</td>
                <td>{t(`rules.sources.${r.source}`)}</td>
                <td data-testid="rule-state">
                  <span className={r.enabled ? 'badge badge-ok' : 'badge badge-muted'}>{r.enabled ? t('rules.on') : t('rules.off')}</span>
                  {!r.loaded && r.enabled && <span className="muted small"> {t('rules.not_loaded')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.items.length === 0 && <p className="muted">{t('rules.empty')}</p>}
      </div>
      {openId && <RuleDialog id={openId} canManage={canManage} onClose={() => setOpenId(null)} onChanged={changed} />}
      {creating && (
        <RuleEditor
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            changed(t('rules.created', { id }));
          }}
        />
      )}
    </div>
  );
}

/** The YAML with the refused line marked, under the editor. */
function LineMarks({ yaml, line }: { yaml: string; line: number }) {
  const lines = yaml.split('\n');
  const from = Math.max(0, line - 3);
  const to = Math.min(lines.length, line + 2);
  return (
    <pre className="evidence small" data-testid="rule-error-lines">
      {lines.slice(from, to).map((l, i) => {
        const n = from + i + 1;
        return (
          <div key={n} className={n === line ? 'error-text' : undefined}>
            {String(n).padStart(4, ' ')} {n === line ? '▶' : ' '} {l}
          </div>
        );
      })}
    </pre>
  );
}

function YamlEditor({ yaml, setYaml, readOnly, error }: { yaml: string; setYaml: (v: string) => void; readOnly: boolean; error: unknown }) {
  const { t } = useTranslation();
  const refused = refusedLine(error);
  return (
    <>
      <Field label={t('rules.yaml')} htmlFor="rule-yaml" hint={readOnly ? t('rules.directory_hint') : undefined}>
        <textarea
          id="rule-yaml"
          className="mono"
          rows={18}
          spellCheck={false}
          value={yaml}
          readOnly={readOnly}
          onChange={(e) => setYaml(e.target.value)}
          data-testid="rule-yaml"
        />
      </Field>
      {refused ? (
        <div className="alert alert-error" role="alert" data-testid="rule-error">
          {refused.line > 0 ? t('rules.error_at_line', { line: refused.line, reason: refused.reason }) : refused.reason}
          {refused.line > 0 && <LineMarks yaml={yaml} line={refused.line} />}
        </div>
      ) : (
        <ErrorMessage error={error} />
      )}
    </>
  );
}

function RuleEditor({ onClose, onSaved }: { onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [yaml, setYaml] = useState(NEW_RULE);
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [valid, setValid] = useState<string | null>(null);
  const action = useAction();
  const check = () =>
    action.act(async () => {
      setValid(null);
      const r = await rulesApi.validate(yaml);
      setValid(t('rules.valid', { title: r.title, id: r.id }));
    });
  const save = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      const r = await rulesApi.create(yaml, orgId ?? undefined);
      onSaved(r.id);
    });
  };
  return (
    <Modal title={t('rules.upload_title')} onClose={onClose} testId="rule-create-dialog" wide>
      <form onSubmit={save}>
        <Field label={t('rules.owner')} hint={t('rules.owner_hint')}>
          <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} allow={(o) => perms.canAdminOrg(o.id) || perms.hasRole('soc_analyst')} emptyLabel={t('rules.owner_default')} testId="rule-owner" />
        </Field>
        <Field label={t('rules.file')} htmlFor="rule-file">
          <input
            id="rule-file"
            type="file"
            accept=".yml,.yaml,text/yaml"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then(setYaml);
            }}
          />
        </Field>
        <YamlEditor yaml={yaml} setYaml={setYaml} readOnly={false} error={action.error} />
        {valid && <Notice testId="rule-valid">{valid}</Notice>}
        <div className="button-row">
          <button type="button" onClick={() => void check()} disabled={action.busy} data-testid="rule-validate">
            {t('rules.validate')}
          </button>
          <button type="submit" className="primary" disabled={action.busy} data-testid="rule-save">
            {t('common.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function RuleDialog({ id, canManage, onClose, onChanged }: { id: string; canManage: boolean; onClose: () => void; onChanged: (m: string) => void }) {
  const { t } = useTranslation();
  const { orgs } = useSession();
  const [rule, setRule] = useState<DetectionRuleDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [yaml, setYaml] = useState('');
  const [agency, setAgency] = useState<Id | null>(null);
  const action = useAction();

  const load = useCallback(async () => {
    try {
      const r = await rulesApi.get(id);
      setRule(r);
      setYaml(r.yaml);
      setLoadError(null);
    } catch (e) {
      setLoadError(e);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const editable = canManage && rule?.source === 'database';
  const save = () =>
    action.act(async () => {
      if (!rule) return;
      const r = await rulesApi.update(rule.id, yaml, rule.version);
      onChanged(t('rules.saved', { version: r.version }));
      await load();
    });
  const toggle = () =>
    action.act(async () => {
      if (!rule) return;
      await rulesApi.setEnabled(rule.id, !rule.enabled);
      onChanged(rule.enabled ? t('rules.disabled_done') : t('rules.enabled_done'));
      await load();
    });
  const setAgencyState = (org: Id, state: 'on' | 'off' | 'inherit') =>
    action.act(async () => {
      if (!rule) return;
      await rulesApi.setAgency(rule.id, org, state);
      onChanged(t('rules.agency_done'));
      await load();
    });
  const remove = () =>
    action.act(async () => {
      if (!rule || !window.confirm(t('rules.delete_confirm', { title: rule.title }))) return;
      await rulesApi.remove(rule.id);
      onChanged(t('rules.deleted'));
      onClose();
    });

  return (
    <Modal title={rule?.title ?? t('common.loading')} onClose={onClose} testId="rule-dialog" wide>
      <ErrorMessage error={loadError} />
      {rule && (
        <div>
          <dl className="props">
            <dt>{t('rules.id')}</dt>
            <dd className="mono small">{rule.id}</dd>
            <dt>{t('rules.level')}</dt>
            <dd>{rule.level ? t(`rules.levels.${rule.level}`, rule.level) : '—'}</dd>
            <dt>{t('rules.source')}</dt>
            <dd>
              {t(`rules.sources.${rule.source}`)} · <span className="mono small">{rule.origin}</span>
              {rule.source === 'database' && ` · ${t('rules.version', { version: rule.version })}`}
            </dd>
            <dt>{t('rules.logsource')}</dt>
            <dd className="mono small">{[rule.logsource.product, rule.logsource.category, rule.logsource.service].filter(Boolean).join(' / ') || '—'}</dd>
            <dt>{t('rules.tags')}</dt>
            <dd className="mono small">{rule.tags.join(', ') || '—'}</dd>
            <dt>{t('rules.enabled')}</dt>
            <dd data-testid="rule-dialog-state">
              {rule.enabled ? t('rules.on') : t('rules.off')}
              {canManage && (
                <button type="button" className="link-button" onClick={() => void toggle()} disabled={action.busy} data-testid="rule-toggle">
                  {rule.enabled ? t('rules.disable') : t('rules.enable')}
                </button>
              )}
            </dd>
          </dl>
          {rule.description && <p className="pre-wrap">{rule.description}</p>}
          {rule.problem && (
            <div className="alert alert-warning">
              {t('rules.refused_at', { where: rule.problem.where, reason: rule.problem.reason })}
              {rule.problem.previous_version_runs && ` (${t('rules.previous_runs')})`}
            </div>
          )}
          <YamlEditor yaml={yaml} setYaml={setYaml} readOnly={!editable} error={action.error} />
          {editable && (
            <div className="button-row">
              <button type="button" className="primary" onClick={() => void save()} disabled={action.busy || yaml === rule.yaml} data-testid="rule-update">
                {t('common.save')}
              </button>
              <button type="button" className="danger" onClick={() => void remove()} disabled={action.busy} data-testid="rule-delete">
                {t('common.delete')}
              </button>
            </div>
          )}
          <h3>{t('rules.agencies')}</h3>
          <p className="muted small">{t('rules.agencies_hint')}</p>
          {rule.agencies.length > 0 && (
            <table className="table" data-testid="rule-agencies">
              <tbody>
                {rule.agencies.map((a) => (
                  <tr key={a.org_id}>
                    <td>{a.org_name}</td>
                    <td>{a.enabled ? t('rules.on') : t('rules.off')}</td>
                    <td className="muted small">{a.updated_by}</td>
                    <td>
                      {canManage && (
                        <button type="button" className="link-button" onClick={() => void setAgencyState(a.org_id, 'inherit')} disabled={action.busy}>
                          {t('rules.inherit')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {canManage && (
            <div className="filter-row">
              <OrgSelect orgs={orgs} value={agency} onChange={setAgency} emptyLabel={t('rules.choose_agency')} testId="rule-agency" />
              <button type="button" disabled={!agency || action.busy} onClick={() => agency && void setAgencyState(agency, 'off')} data-testid="rule-agency-off">
                {t('rules.off_for_agency')}
              </button>
              <button type="button" disabled={!agency || action.busy} onClick={() => agency && void setAgencyState(agency, 'on')} data-testid="rule-agency-on">
                {t('rules.on_for_agency')}
              </button>
            </div>
          )}
        </div>
      )}
    </Modal>
  );
}
