// Nhật ký thao tác quản trị: the tamper-evident log of administrative actions. Filters, paging,
// CSV export with the same filters, and verification of the hash chain.
import { useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type AuditEntry, type AuditQuery, type AuditVerify } from '../api';
import type { TFunction } from 'i18next';
import { useSession } from '../session';
import { formatDateTime, formatDateTimeSeconds, parseVnDateTime } from '../format';
import { ErrorMessage, Field, Notice, PageHeader, Pager } from '../components/ui';

const PAGE_SIZE = 50;

interface Filters {
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { actor: '', action: '', object_type: '', object_id: '', from: '', to: '' };

/** Actions the server records (src/api/routes_*.cpp), for the filter's suggestions. */
const KNOWN_ACTIONS = [
  'auth.login',
  'auth.mfa',
  'auth.logout',
  'setup.complete',
  'org.create',
  'org.update',
  'org.move',
  'org.archive',
  'org.unarchive',
  'user.create',
  'user.update',
  'user.roles.set',
  'user.password.change',
  'user.password.reset',
  'user.unlock',
  'user.mfa.setup',
  'user.mfa.enable',
  'user.mfa.disable',
  'user.mfa.reset',
  'user.disable_inactive',
  'token.create',
  'token.revoke',
  'settings.security.update',
  'audit.export',
  'audit.verify',
  'system.bootstrap',
  'system.backup',
  'system.restore',
];
const KNOWN_OBJECT_TYPES = ['org', 'user', 'token', 'session', 'settings', 'request', 'store'];
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The summary says what changed: a JSON object, sent as text (docs/api.md) or, by some servers,
 * as the object itself. Shown as "label: value" pairs in the user's language, with org ids as
 * names and times in Viet Nam time; empty values are left out.
 */
export function summaryText(summary: unknown, t: TFunction, orgName: (id: number) => string | undefined): string {
  let v: unknown = summary;
  if (typeof summary === 'string') {
    try {
      v = JSON.parse(summary);
    } catch {
      return summary; // plain text
    }
  }
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object' || Array.isArray(v)) return typeof v === 'string' ? v : JSON.stringify(v);
  const value = (k: string, x: unknown): string => {
    if (typeof x === 'boolean') return x ? t('common.yes') : t('common.no');
    if ((k === 'org_id' || k === 'parent_id') && typeof x === 'number') return orgName(x) ?? `#${x}`;
    if (k === 'role' && typeof x === 'string') return t(`roles.${x}`, { defaultValue: x });
    if (k === 'kind' && typeof x === 'string') return t(`kinds.${x}`, { defaultValue: x });
    if (k === 'detail' && typeof x === 'string') return t(`audit.details.${x}`, { defaultValue: x });
    if (typeof x === 'string' && ISO_TIME.test(x)) return formatDateTime(x);
    if (Array.isArray(x)) {
      return x
        .map((item) => {
          if (item && typeof item === 'object' && 'role' in item) {
            const r = item as { role: string; org_id?: number };
            const org = typeof r.org_id === 'number' ? orgName(r.org_id) ?? `#${r.org_id}` : '';
            return `${t(`roles.${r.role}`, { defaultValue: r.role })}${org ? ` (${org})` : ''}`;
          }
          return typeof item === 'string' ? t(`roles.${item}`, { defaultValue: item }) : JSON.stringify(item);
        })
        .join(', ');
    }
    return typeof x === 'string' ? x : JSON.stringify(x);
  };
  return Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== '' && x !== null && x !== undefined && !(Array.isArray(x) && x.length === 0))
    .map(([k, x]) => `${t(`fields.${k}`, { defaultValue: k })}: ${value(k, x)}`)
    .join(' · ');
}

function ResultBadge({ result }: { result: string }) {
  const { t } = useTranslation();
  if (result === 'success' || result === 'ok') return <span className="badge badge-ok">{t('audit.results.success')}</span>;
  if (result === 'denied') return <span className="badge badge-danger">{t('audit.results.denied')}</span>;
  const m = /^failure(?::\s*(.*))?$/.exec(result);
  if (m) {
    const code = m[1] ?? '';
    return (
      <span className="badge badge-danger" title={code}>
        {t('audit.results.failure')}
        {code ? `: ${t(`errors.${code}`, { defaultValue: code, minutes: '?' })}` : ''}
      </span>
    );
  }
  return <span className="badge badge-muted">{result}</span>;
}

export function AuditPage() {
  const { t } = useTranslation();
  const { orgsById } = useSession();
  const orgName = (id: number) => orgsById.get(id)?.name;
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ items: AuditEntry[]; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [verifying, setVerifying] = useState(false);

  const query: AuditQuery = useMemo(
    () => ({
      actor: applied.actor.trim() || undefined,
      action: applied.action.trim() || undefined,
      object_type: applied.object_type.trim() || undefined,
      object_id: applied.object_id.trim() || undefined,
      from: applied.from.trim() ? parseVnDateTime(applied.from) ?? undefined : undefined,
      to: applied.to.trim() ? parseVnDateTime(applied.to, true) ?? undefined : undefined,
    }),
    [applied],
  );

  const load = useCallback(async () => {
    try {
      setData(await api.listAudit({ ...query, limit: PAGE_SIZE, offset }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [query, offset]);

  useEffect(() => {
    void load();
  }, [load]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    for (const key of ['from', 'to'] as const) {
      if (draft[key].trim() && !parseVnDateTime(draft[key])) {
        setFilterError(t('audit.bad_date', { value: draft[key] }));
        return;
      }
    }
    setFilterError(null);
    setOffset(0);
    setApplied({ ...draft });
  };

  const reset = () => {
    setDraft(EMPTY);
    setApplied(EMPTY);
    setOffset(0);
    setFilterError(null);
  };

  const runVerify = async () => {
    setVerifying(true);
    setVerify(null);
    setVerifyError(null);
    try {
      setVerify(await api.verifyAudit());
    } catch (e) {
      setVerifyError(e);
    } finally {
      setVerifying(false);
    }
  };

  const set = (k: keyof Filters) => (e: ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: e.target.value });

  return (
    <div data-testid="audit-page">
      <PageHeader
        title={t('audit.title')}
        subtitle={t('audit.subtitle')}
        actions={
          <>
            <a className="button" href={api.auditExportUrl(query)} download data-testid="audit-export">
              {t('audit.export_csv')}
            </a>
            <button type="button" onClick={() => void runVerify()} disabled={verifying} data-testid="audit-verify">
              {verifying ? t('audit.verifying') : t('audit.verify')}
            </button>
          </>
        }
      />
      {verify &&
        (verify.ok ? (
          <Notice testId="audit-verify-result">{t('audit.verify_ok', { count: verify.checked })}</Notice>
        ) : (
          <div className="alert alert-error" role="alert" data-testid="audit-verify-result">
            {t('audit.verify_broken', { count: verify.checked, id: verify.first_broken_id ?? '?' })}
            {verify.reason && (
              <div className="alert-detail">
                {t('audit.verify_reason')}: <span lang="en">{verify.reason}</span>
              </div>
            )}
          </div>
        ))}
      <ErrorMessage error={verifyError} />
      <form className="panel filters" onSubmit={apply} data-testid="audit-filters">
        <div className="filter-grid">
          <Field label={t('audit.actor')} htmlFor="af-actor">
            <input id="af-actor" value={draft.actor} onChange={set('actor')} data-testid="af-actor" />
          </Field>
          <Field label={t('audit.action')} htmlFor="af-action">
            <input id="af-action" list="af-action-list" value={draft.action} onChange={set('action')} placeholder={t('audit.action_placeholder')} data-testid="af-action" />
            <datalist id="af-action-list">
              {KNOWN_ACTIONS.map((a) => (
                <option key={a} value={a} label={t(`audit.actions.${a}`, { defaultValue: a })} />
              ))}
            </datalist>
          </Field>
          <Field label={t('audit.object_type')} htmlFor="af-otype">
            <select id="af-otype" value={draft.object_type} onChange={(e) => setDraft({ ...draft, object_type: e.target.value })} data-testid="af-object-type">
              <option value="">{t('audit.all_object_types')}</option>
              {KNOWN_OBJECT_TYPES.map((o) => (
                <option key={o} value={o}>
                  {t(`audit.object_types.${o}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('audit.object_id')} htmlFor="af-oid">
            <input id="af-oid" value={draft.object_id} onChange={set('object_id')} data-testid="af-object-id" />
          </Field>
          <Field label={t('audit.from')} htmlFor="af-from">
            <input id="af-from" value={draft.from} onChange={set('from')} placeholder={t('audit.date_placeholder')} data-testid="af-from" />
          </Field>
          <Field label={t('audit.to')} htmlFor="af-to">
            <input id="af-to" value={draft.to} onChange={set('to')} placeholder={t('audit.date_placeholder')} data-testid="af-to" />
          </Field>
        </div>
        {filterError && (
          <div className="alert alert-error" role="alert">
            {filterError}
          </div>
        )}
        <div className="button-row">
          <button type="submit" className="primary" data-testid="af-apply">
            {t('audit.apply')}
          </button>
          <button type="button" onClick={reset}>
            {t('audit.reset')}
          </button>
          <span className="muted small">{t('audit.time_zone_note')}</span>
        </div>
      </form>
      <ErrorMessage error={error} />
      <div className="panel table-panel">
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>{t('audit.time')}</th>
              <th>{t('audit.actor')}</th>
              <th>{t('audit.source_ip')}</th>
              <th>{t('audit.action')}</th>
              <th>{t('audit.object')}</th>
              <th>{t('audit.summary')}</th>
              <th>{t('audit.result')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((a) => (
              <tr key={String(a.id)} data-testid="audit-row">
                <td className="nowrap">{formatDateTimeSeconds(a.time)}</td>
                <td>{a.actor}</td>
                <td className="mono">{a.source_ip}</td>
                <td>
                  <div>{t(`audit.actions.${a.action}`, { defaultValue: a.action })}</div>
                  <div className="muted mono small">{a.action}</div>
                </td>
                <td>
                  {t(`audit.object_types.${a.object_type}`, { defaultValue: a.object_type })}
                  {a.object_id && <span className="muted mono"> #{a.object_id}</span>}
                </td>
                <td className="summary-cell">{summaryText(a.summary, t, orgName)}</td>
                <td>
                  <ResultBadge result={a.result} />
                </td>
              </tr>
            ))}
            {data && data.items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted center">
                  {t('audit.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {data && <Pager total={data.total} offset={offset} limit={PAGE_SIZE} onChange={setOffset} />}
      </div>
    </div>
  );
}
