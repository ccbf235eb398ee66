// One web portal: its registration, grades and facts of the latest runs, findings (open or
// resolved, with their evidence key/values and re-infection count), the recorded runs, and an
// evidence viewer. Evidence is fetched as text from the server (which serves it as text/plain with
// a sandbox CSP) and shown inside <pre> as text: a captured page is never rendered as HTML here.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { portalsApi, type PortalDetail, type PortalEvidence, type PortalFinding, type PortalRun } from '../api';
import { ErrorMessage, Modal, Notice, PageHeader } from '../components/ui';
import { useSession } from '../session';
import { useAction } from '../useAction';
import { formatDateTime } from '../format';

const SEVERITY_BADGE: Record<string, string> = {
  critical: 'badge-danger',
  high: 'badge-danger',
  medium: 'badge-warning',
  low: 'badge-muted',
  info: 'badge-muted',
};

/** At most this much of an evidence item is shown; the rest is downloaded. */
const VIEW_LIMIT = 512 * 1024;

export function PortalDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const portalId = Number(id);
  const [portal, setPortal] = useState<(PortalDetail & { tls_grade?: string | null; headers_grade?: string | null }) | null>(null);
  const [findings, setFindings] = useState<PortalFinding[]>([]);
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [runs, setRuns] = useState<PortalRun[]>([]);
  const [evidence, setEvidence] = useState<PortalEvidence[]>([]);
  const [viewing, setViewing] = useState<PortalEvidence | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { perms } = useSession();
  const navigate = useNavigate();
  const change = useAction();

  const load = useCallback(async () => {
    try {
      const [p, f, r, e] = await Promise.all([
        portalsApi.get(portalId),
        portalsApi.findings(portalId, status),
        portalsApi.runs(portalId),
        portalsApi.evidence(portalId),
      ]);
      setPortal(p);
      setFindings(f.items);
      setRuns(r.items);
      setEvidence(e.items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [portalId, status]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!portal) return <ErrorMessage error={error} />;
  const canManage = perms.canManageRegistryOf(portal.org_id);
  // Pausing keeps everything else of the registration as it is (the revision guards a concurrent edit).
  const setEnabled = (enabled: boolean) =>
    void change.act(async () => {
      await portalsApi.update(portal.id, {
        system_id: portal.system_id,
        name: portal.name,
        url: portal.url,
        key_pages: portal.key_pages,
        allowed_domains: portal.allowed_domains,
        marker: portal.marker,
        allow_private: portal.allow_private,
        enabled,
        revision: portal.revision,
      });
      setNotice(t(enabled ? 'portals.resumed' : 'portals.paused'));
      await load();
    });
  return (
    <div data-testid="portal-detail">
      <PageHeader
        title={portal.name}
        subtitle={`${portal.org_name} — ${portal.url}`}
        actions={
          <>
            <Link to="/portals">{t('portals.back')}</Link>
            {canManage && (
              <>
                <button type="button" onClick={() => setEnabled(!portal.enabled)} disabled={change.busy} data-testid="portal-toggle">
                  {portal.enabled ? t('portals.pause') : t('portals.resume')}
                </button>
                <button type="button" className="danger" onClick={() => setConfirmDelete(true)} data-testid="portal-delete">
                  {t('common.delete')}
                </button>
              </>
            )}
          </>
        }
      />
      {notice && <Notice testId="portal-notice">{notice}</Notice>}
      <ErrorMessage error={error} />
      <ErrorMessage error={change.error} />
      <div className="panel">
        <dl className="facts">
          <dt>{t('portals.tls_grade')}</dt>
          <dd data-testid="portal-tls-grade">{portal.tls_grade ?? t('portals.not_measured')}</dd>
          <dt>{t('portals.headers_grade')}</dt>
          <dd>{portal.headers_grade ?? t('portals.not_measured')}</dd>
          <dt>{t('portals.open_findings')}</dt>
          <dd data-testid="portal-open-total">{portal.open_findings.total}</dd>
          <dt>{t('portals.status')}</dt>
          <dd>
            {portal.enabled ? t('portals.enabled') : t('portals.disabled')}
            {' — '}
            {portal.last_run_at ? t('portals.last_run', { time: formatDateTime(portal.last_run_at) }) : t('portals.never_run')}
          </dd>
          {portal.system_name && (
            <>
              <dt>{t('portals.system')}</dt>
              <dd>{portal.system_name}</dd>
            </>
          )}
          {portal.marker && (
            <>
              <dt>{t('portals.marker')}</dt>
              <dd>{portal.marker}</dd>
            </>
          )}
        </dl>
      </div>

      <h2>{t('portals.findings')}</h2>
      <div className="tabs" role="tablist">
        {(['open', 'resolved'] as const).map((s) => (
          <button key={s} type="button" role="tab" aria-selected={status === s} className={status === s ? 'tab active' : 'tab'} onClick={() => setStatus(s)} data-testid={`portal-findings-${s}`}>
            {t(`portals.findings_${s}`)}
          </button>
        ))}
      </div>
      <div className="panel table-panel">
        <table className="table" data-testid="portal-findings">
          <thead>
            <tr>
              <th>{t('portals.severity')}</th>
              <th>{t('portals.check')}</th>
              <th>{t('portals.summary')}</th>
              <th>{t('portals.seen')}</th>
              <th>{t('portals.evidence')}</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr key={f.id} data-testid="portal-finding" data-finding={f.finding_id}>
                <td>
                  <span className={`badge ${SEVERITY_BADGE[f.severity] ?? 'badge-muted'}`}>{t(`portals.severities.${f.severity}`, { defaultValue: f.severity })}</span>
                  {f.reinfections > 0 && <div className="small text-danger">{t('portals.reinfections', { n: f.reinfections })}</div>}
                </td>
                <td className="mono small">
                  {f.check}/{f.finding_id}
                </td>
                <td>
                  {f.summary}
                  <div className="muted small mono">{f.url}</div>
                  {Object.keys(f.evidence).length > 0 && (
                    <dl className="evidence small">
                      {Object.entries(f.evidence).map(([k, v]) => (
                        <div key={k}>
                          <dt className="mono">{k}</dt>
                          <dd className="mono pre-wrap">{v}</dd>
                        </div>
                      ))}
                    </dl>
                  )}
                </td>
                <td className="nowrap small">
                  {t('portals.opened_at', { time: formatDateTime(f.opened_at) })}
                  <div className="muted">{t('portals.last_seen', { time: formatDateTime(f.last_seen) })}</div>
                  {f.resolved_at && <div>{t('portals.resolved_at', { time: formatDateTime(f.resolved_at) })}</div>}
                </td>
                <td>
                  {evidence
                    .filter((e) => e.finding_id === f.id)
                    .map((e) => (
                      <button key={e.id} type="button" className="link" onClick={() => setViewing(e)} data-testid="portal-evidence-view">
                        {e.name}
                      </button>
                    ))}
                </td>
              </tr>
            ))}
            {findings.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  {t('portals.no_findings')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <h2>{t('portals.runs')}</h2>
      <div className="panel table-panel">
        <table className="table" data-testid="portal-runs">
          <thead>
            <tr>
              <th>{t('portals.run_class')}</th>
              <th>{t('portals.run_finished')}</th>
              <th className="num">{t('portals.run_problems')}</th>
              <th className="num">{t('portals.run_opened')}</th>
              <th className="num">{t('portals.run_resolved')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>
                  {t(`portals.classes.${r.check_class}`, { defaultValue: r.check_class })}
                  {r.in_maintenance && <div className="muted small">{t('portals.in_maintenance')}</div>}
                </td>
                <td className="nowrap">{formatDateTime(r.finished_at)}</td>
                <td className="num">{r.problems}</td>
                <td className="num">{r.opened}</td>
                <td className="num">{r.resolved}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {viewing && <EvidenceViewer item={viewing} onClose={() => setViewing(null)} />}
      {confirmDelete && (
        <Modal
          title={t('portals.delete_title', { name: portal.name })}
          onClose={() => setConfirmDelete(false)}
          testId="portal-delete-dialog"
          footer={
            <>
              <button type="button" onClick={() => setConfirmDelete(false)}>
                {t('common.cancel')}
              </button>
              <button
                type="button"
                className="danger"
                disabled={change.busy}
                data-testid="portal-delete-confirm"
                onClick={() =>
                  void change.act(async () => {
                    await portalsApi.remove(portal.id);
                    navigate('/portals');
                  })
                }
              >
                {t('common.delete')}
              </button>
            </>
          }
        >
          <p>{t('portals.delete_text')}</p>
        </Modal>
      )}
    </div>
  );
}

function EvidenceViewer({ item, onClose }: { item: PortalEvidence; onClose: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const textual = item.media_type.startsWith('text/') || item.media_type === 'application/json';

  useEffect(() => {
    if (!textual) return;
    let cancelled = false;
    fetch(portalsApi.evidenceUrl(item.id), { credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = await res.text();
        if (!cancelled) setText(body);
      })
      .catch((e) => {
        if (!cancelled) setError(e);
      });
    return () => {
      cancelled = true;
    };
  }, [item.id, textual]);

  return (
    <Modal title={item.name} onClose={onClose} wide testId="portal-evidence-dialog">
      <p className="muted small mono">
        {item.media_type} — {item.size} B — SHA-256 {item.sha256}
      </p>
      <ErrorMessage error={error} />
      {textual && text !== null && (
        <>
          {text.length > VIEW_LIMIT && <p className="muted small">{t('portals.evidence_cut', { n: VIEW_LIMIT })}</p>}
          {/* Shown as text: React escapes it; the captured markup is never interpreted. */}
          <pre className="evidence-text" data-testid="portal-evidence-text">
            {text.slice(0, VIEW_LIMIT)}
          </pre>
        </>
      )}
      <a href={portalsApi.evidenceUrl(item.id)} download={item.name + '.txt'} data-testid="portal-evidence-download">
        {t('portals.evidence_download')}
      </a>
    </Modal>
  );
}
