// Cổng thông tin điện tử: the web portals registered for monitoring in the caller's scope, with
// their TLS and header grades, status (enabled, last run) and open findings by severity; filters
// (agency, text, only portals with open findings); a dialog to register a portal and one to
// import a CSV text or an XLSX file (the server checks every row and imports all or nothing: the
// row errors are listed); the report of the agency's portals (XLSX and DOCX).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError, portalsApi, type Id, type Portal } from '../api';
import { ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader } from '../components/ui';
import { formatDateTime } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';

type PortalRow = Portal & { tls_grade: string | null; headers_grade: string | null; offers_old_tls: boolean };

/** Items of a list typed one per line (or separated by ';' or ','). */
export function splitLines(text: string): string[] {
  return text
    .split(/[\n;,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function gradeClass(grade: string | null): string {
  if (!grade) return 'badge-muted';
  if (grade.startsWith('A')) return 'badge-ok';
  if (grade.startsWith('B')) return 'badge-warning';
  return 'badge-danger';
}

/** The row errors of an import (details.rows of a validation_failed answer), or null. */
function rowErrors(e: unknown): { row: number; column: string; message: string }[] | null {
  if (!(e instanceof ApiError)) return null;
  const rows = (e.details as { rows?: unknown } | undefined)?.rows;
  return Array.isArray(rows) ? (rows as { row: number; column: string; message: string }[]) : null;
}

export function PortalsPage() {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [items, setItems] = useState<PortalRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [text, setText] = useState('');
  const [onlyOpen, setOnlyOpen] = useState(false);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await portalsApi.list({ org_id: orgId ?? undefined, q: text || undefined, open: onlyOpen || undefined, limit: 500 });
      setItems(page.items as PortalRow[]);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [orgId, text, onlyOpen]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div data-testid="portals-page">
      <PageHeader
        title={t('portals.title')}
        subtitle={t('portals.subtitle')}
        actions={
          <>
            <a className="button" href={portalsApi.reportUrl(orgId ?? undefined)} data-testid="portals-report">
              {t('portals.report')}
            </a>
            <a className="button" href={portalsApi.reportDocxUrl(orgId ?? undefined)} data-testid="portals-report-docx">
              {t('portals.reportDocx')}
            </a>
            {perms.canManageRegistry && (
              <>
                <button type="button" onClick={() => setImporting(true)} data-testid="portals-import">
                  {t('portals.import')}
                </button>
                <button type="button" className="primary" onClick={() => setAdding(true)} data-testid="portals-add">
                  {t('portals.add')}
                </button>
              </>
            )}
          </>
        }
      />
      {notice && <Notice testId="portals-notice">{notice}</Notice>}
      <ErrorMessage error={error} />
      <div className="panel filters">
        <Field label={t('portals.agency')} htmlFor="portals-org">
          <OrgSelect id="portals-org" orgs={orgs} value={orgId} onChange={setOrgId} emptyLabel={t('portals.all_agencies')} testId="portals-org" />
        </Field>
        <Field label={t('portals.search')} htmlFor="portals-q">
          <input id="portals-q" value={text} onChange={(e) => setText(e.target.value)} maxLength={100} data-testid="portals-q" />
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={onlyOpen} onChange={(e) => setOnlyOpen(e.target.checked)} data-testid="portals-only-open" />
          {t('portals.only_open')}
        </label>
      </div>
      <div className="panel table-panel">
        <table className="table" data-testid="portals-table">
          <thead>
            <tr>
              <th>{t('portals.agency')}</th>
              <th>{t('portals.name')}</th>
              <th>{t('portals.tls_grade')}</th>
              <th>{t('portals.headers_grade')}</th>
              <th>{t('portals.status')}</th>
              <th className="num">{t('portals.open_findings')}</th>
            </tr>
          </thead>
          <tbody>
            {items?.map((p) => (
              <tr key={p.id} data-testid="portal-row" data-name={p.name}>
                <td>{p.org_name}</td>
                <td>
                  <Link to={`/portals/${p.id}`} data-testid="portal-link">
                    {p.name}
                  </Link>
                  <div className="muted small mono">{p.url}</div>
                </td>
                <td>
                  <span className={`badge ${gradeClass(p.tls_grade)}`}>{p.tls_grade ?? t('portals.not_measured')}</span>
                  {p.offers_old_tls && <div className="small text-danger">{t('portals.old_tls')}</div>}
                </td>
                <td>
                  <span className={`badge ${gradeClass(p.headers_grade)}`}>{p.headers_grade ?? t('portals.not_measured')}</span>
                </td>
                <td>
                  {p.enabled ? t('portals.enabled') : <span className="muted">{t('portals.disabled')}</span>}
                  <div className="muted small">
                    {p.last_run_at ? t('portals.last_run', { time: formatDateTime(p.last_run_at) }) : t('portals.never_run')}
                  </div>
                </td>
                <td className="num" data-testid="portal-open">
                  {p.open_findings.total === 0 ? (
                    <span className="muted">0</span>
                  ) : (
                    <>
                      {p.open_findings.critical + p.open_findings.high > 0 && (
                        <span className="badge badge-danger">{t('portals.high_count', { n: p.open_findings.critical + p.open_findings.high })}</span>
                      )}{' '}
                      {p.open_findings.total}
                    </>
                  )}
                </td>
              </tr>
            ))}
            {items && items.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {t('portals.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {adding && (
        <AddPortalDialog
          onClose={() => setAdding(false)}
          onSaved={(p) => {
            setAdding(false);
            setNotice(t('portals.added', { name: p.name }));
            void load();
          }}
        />
      )}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onDone={(n) => {
            setImporting(false);
            setNotice(t('portals.imported', { n }));
            void load();
          }}
        />
      )}
    </div>
  );
}

function AddPortalDialog({ onClose, onSaved }: { onClose: () => void; onSaved: (p: Portal) => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('https://');
  const [keyPages, setKeyPages] = useState('');
  const [domains, setDomains] = useState('');
  const [marker, setMarker] = useState('');
  const save = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.act(async () => {
      const p = await portalsApi.create({
        org_id: orgId ?? 0,
        name,
        url: url.trim(),
        key_pages: splitLines(keyPages),
        allowed_domains: splitLines(domains),
        marker,
      });
      onSaved(p);
    });
  };

  return (
    <Modal
      title={t('portals.add')}
      onClose={onClose}
      testId="portal-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="portal-form" className="primary" disabled={save.busy} data-testid="portal-save">
            {t('common.save')}
          </button>
        </>
      }
    >
      <form id="portal-form" onSubmit={submit}>
        <ErrorMessage error={save.error} />
        <Field label={t('portals.agency')} htmlFor="portal-org">
          <OrgSelect id="portal-org" orgs={orgs} value={orgId} onChange={setOrgId} allow={(o) => perms.canManageRegistryOf(o.id)} testId="portal-org" />
        </Field>
        <Field label={t('portals.name')} htmlFor="portal-name">
          <input id="portal-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required data-testid="portal-name" />
        </Field>
        <Field label={t('portals.url')} hint={t('portals.url_hint')} htmlFor="portal-url">
          <input id="portal-url" value={url} onChange={(e) => setUrl(e.target.value)} required data-testid="portal-url" />
        </Field>
        <Field label={t('portals.key_pages')} hint={t('portals.one_per_line')} htmlFor="portal-pages">
          <textarea id="portal-pages" rows={3} value={keyPages} onChange={(e) => setKeyPages(e.target.value)} data-testid="portal-pages" />
        </Field>
        <Field label={t('portals.allowed_domains')} hint={t('portals.one_per_line')} htmlFor="portal-domains">
          <textarea id="portal-domains" rows={3} value={domains} onChange={(e) => setDomains(e.target.value)} data-testid="portal-domains" />
        </Field>
        <Field label={t('portals.marker')} hint={t('portals.marker_hint')} htmlFor="portal-marker">
          <input id="portal-marker" value={marker} onChange={(e) => setMarker(e.target.value)} maxLength={300} data-testid="portal-marker" />
        </Field>
      </form>
    </Modal>
  );
}

function ImportDialog({ onClose, onDone }: { onClose: () => void; onDone: (n: number) => void }) {
  const { t } = useTranslation();
  const [csv, setCsv] = useState('org_id,name,url,key_pages,allowed_domains,marker\n');
  const [file, setFile] = useState<File | null>(null);
  const save = useAction();
  const rows = rowErrors(save.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.act(async () => {
      let r: { imported: number };
      if (file && file.name.toLowerCase().endsWith('.xlsx')) r = await portalsApi.importXlsx(file);
      else if (file) r = await portalsApi.importCsv(await file.text());
      else r = await portalsApi.importCsv(csv);
      onDone(r.imported);
    });
  };

  return (
    <Modal
      title={t('portals.import')}
      onClose={onClose}
      wide
      testId="portal-import-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="portal-import-form" className="primary" disabled={save.busy} data-testid="portal-import-save">
            {t('portals.import_go')}
          </button>
        </>
      }
    >
      <form id="portal-import-form" onSubmit={submit}>
        {rows ? (
          <div className="alert alert-error" role="alert" data-testid="portal-import-errors">
            <div>{t('portals.import_refused')}</div>
            <ul>
              {rows.map((r, i) => (
                <li key={i}>{t('portals.import_row', { row: r.row, column: r.column || '—', message: r.message })}</li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorMessage error={save.error} />
        )}
        <p className="muted small">{t('portals.import_help')}</p>
        <Field label={t('portals.import_file')} htmlFor="portal-import-file">
          <input id="portal-import-file" type="file" accept=".csv,.xlsx" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="portal-import-file" />
        </Field>
        {!file && (
          <Field label={t('portals.import_csv')} htmlFor="portal-import-csv">
            <textarea id="portal-import-csv" rows={8} className="mono" value={csv} onChange={(e) => setCsv(e.target.value)} data-testid="portal-import-csv" />
          </Field>
        )}
      </form>
    </Modal>
  );
}
