// Nhật ký thao tác quản trị: the tamper-evident log of administrative actions. Filters, paging,
// CSV export with the same filters, and verification of the hash chain.
import { useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type AuditEntry, type AuditQuery, type AuditVerify } from '../api';
import { formatDateTimeSeconds, parseVnDateTime } from '../format';
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

/** The summary is a JSON object of what changed; show it as "key: value" pairs. */
function summaryText(summary: string): string {
  try {
    const v: unknown = JSON.parse(summary);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${typeof x === 'string' ? x : JSON.stringify(x)}`);
      return parts.join(' · ');
    }
  } catch {
    // not JSON: shown as it is
  }
  return summary;
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
            <input id="af-action" value={draft.action} onChange={set('action')} placeholder={t('audit.action_placeholder')} data-testid="af-action" />
          </Field>
          <Field label={t('audit.object_type')} htmlFor="af-otype">
            <input id="af-otype" value={draft.object_type} onChange={set('object_type')} placeholder={t('audit.object_type_placeholder')} data-testid="af-object-type" />
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
                <td className="mono">{a.action}</td>
                <td>
                  <span className="mono">{a.object_type}</span>
                  {a.object_id && <span className="muted mono"> #{a.object_id}</span>}
                </td>
                <td className="summary-cell">{summaryText(a.summary)}</td>
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
