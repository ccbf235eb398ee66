// Hàng đợi cảnh báo: the alert queue of the agencies in scope (issue 4). Counts per state (each a
// filter), filters (state, severity, agency, detector, assignee, text), newest first with "load
// more" (keyset paging by the server), and live updates: an event stream (SSE, /alerts/stream)
// reloads the first page when an alert of the scope is created or changes. A row opens the alert: its
// evidence, observables and comments, and the triage actions the server allows (state with
// reason, false positive with an optional suppression, assign to me, comment). Officers may also
// enter an alert by hand or record a notification received (national centre, police).
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import {
  ALERT_DETECTORS,
  ALERT_SEVERITIES,
  ALERT_STATES,
  alertNextStates,
  alertsApi,
  incidentsApi,
  type IncidentProcesses,
  type IncidentSummary,
  type AlertCounts,
  type AlertDetail,
  type AlertFilter,
  type AlertSeverity,
  type AlertState,
  type AlertSummary,
  type Id,
} from '../api';
import { ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader } from '../components/ui';
import { formatDateTimeSeconds, formatRelative } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';

const SEVERITY_BADGE: Record<AlertSeverity, string> = {
  critical: 'badge-danger',
  high: 'badge-danger',
  medium: 'badge-warning',
  low: 'badge-muted',
};

const STATE_BADGE: Record<AlertState, string> = {
  new: 'badge-warning',
  acknowledged: 'badge-info',
  in_progress: 'badge-info',
  false_positive: 'badge-muted',
  closed: 'badge-ok',
};

/** Roles that may work the queue (the server decides; this only hides buttons). */
const TRIAGE_ROLES = new Set(['administrator', 'soc_analyst', 'unit_officer']);

export function AlertsPage() {
  const { t, i18n } = useTranslation();
  const { me, orgs } = useSession();
  const [filter, setFilter] = useState<AlertFilter>({ state: 'open' });
  const [text, setText] = useState('');
  const [items, setItems] = useState<AlertSummary[]>([]);
  const [counts, setCounts] = useState<AlertCounts | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(true);
  const [now, setNow] = useState(Date.now());
  const [openId, setOpenId] = useState<Id | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const cursorRef = useRef(0);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const canTriage = (me?.roles ?? []).some((r) => TRIAGE_ROLES.has(r.role));

  const loadFirst = useCallback(async () => {
    try {
      const page = await alertsApi.list(filterRef.current);
      setItems(page.items);
      setCounts(page.counts);
      setNext(page.next_cursor);
      if (page.cursor > cursorRef.current) cursorRef.current = page.cursor;
      setNow(Date.now());
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void loadFirst();
  }, [filter, loadFirst]);

  // Live updates: follow the event stream; any change in scope reloads the first page. The browser
  // reconnects by itself (naming the last event it saw) after network errors and when the server
  // ends the stream; a refused stream (busy server, expired session) is opened again after 10 s.
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let reload: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(alertsApi.streamUrl(cursorRef.current || undefined));
      source.onopen = () => setLive(true);
      source.addEventListener('alerts', (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as { cursor: number };
        if (data.cursor > cursorRef.current) cursorRef.current = data.cursor;
        // A burst of events (a reconnect after a long absence) reloads the page once.
        if (reload === undefined)
          reload = setTimeout(() => {
            reload = undefined;
            void loadFirst();
          }, 200);
      });
      source.onerror = () => {
        setLive(false);
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          retry = setTimeout(open, 10_000);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(reload);
      source?.close();
    };
  }, [loadFirst]);

  const loadMore = async () => {
    if (!next) return;
    try {
      const page = await alertsApi.list(filterRef.current, next);
      setItems((cur) => [...cur, ...page.items]);
      setNext(page.next_cursor);
    } catch (e) {
      setError(e);
    }
  };

  const set = (patch: Partial<AlertFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    set({ q: text.trim() || undefined });
  };
  const lang = i18n.language;

  return (
    <div data-testid="alerts-page">
      <PageHeader
        title={t('alerts.title')}
        subtitle={t('alerts.subtitle')}
        actions={
          canTriage && (
            <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="alert-create">
              {t('alerts.create')}
            </button>
          )
        }
      />
      {notice && <Notice testId="alerts-notice">{notice}</Notice>}
      <ErrorMessage error={error} />
      {counts && (
        <div className="chips" data-testid="alert-counts">
          <button
            type="button"
            className={filter.state === 'open' ? 'chip active' : 'chip'}
            onClick={() => set({ state: 'open' })}
            data-testid="alert-count-open"
          >
            {t('alerts.open')}: {counts.by_state.new + counts.by_state.acknowledged + counts.by_state.in_progress}
          </button>
          {ALERT_STATES.map((s) => (
            <button
              type="button"
              key={s}
              className={filter.state === s ? 'chip active' : 'chip'}
              onClick={() => set({ state: s })}
              data-testid={`alert-count-${s}`}
            >
              {t(`alerts.states.${s}`)}: {counts.by_state[s] ?? 0}
            </button>
          ))}
          <button type="button" className={!filter.state ? 'chip active' : 'chip'} onClick={() => set({ state: undefined })}>
            {t('alerts.all')}: {counts.total}
          </button>
          <span className={live ? 'badge badge-ok' : 'badge badge-muted'} data-testid="alert-live" title={t('alerts.live_hint')}>
            {live ? t('alerts.live') : t('alerts.offline')}
          </span>
        </div>
      )}
      <div className="panel filters">
        <form className="filter-row" onSubmit={onSearch}>
          <select value={filter.severity ?? ''} onChange={(e) => set({ severity: e.target.value || undefined })} data-testid="alert-filter-severity" aria-label={t('alerts.severity')}>
            <option value="">{t('alerts.any_severity')}</option>
            {ALERT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`alerts.severities.${s}`)}
              </option>
            ))}
          </select>
          <select value={filter.detector ?? ''} onChange={(e) => set({ detector: e.target.value || undefined })} data-testid="alert-filter-detector" aria-label={t('alerts.detector')}>
            <option value="">{t('alerts.any_detector')}</option>
            {ALERT_DETECTORS.map((d) => (
              <option key={d} value={d}>
                {t(`alerts.detectors.${d}`)}
              </option>
            ))}
          </select>
          <select value={filter.assignee ?? ''} onChange={(e) => set({ assignee: e.target.value || undefined })} data-testid="alert-filter-assignee" aria-label={t('alerts.assignee')}>
            <option value="">{t('alerts.any_assignee')}</option>
            <option value="me">{t('alerts.assigned_to_me')}</option>
            <option value="none">{t('alerts.unassigned')}</option>
          </select>
          <OrgSelect orgs={orgs} value={filter.org_id ?? null} onChange={(id) => set({ org_id: id ?? undefined })} emptyLabel={t('alerts.any_agency')} testId="alert-filter-org" />
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('alerts.search_placeholder')} maxLength={200} data-testid="alert-filter-q" />
          <button type="submit">{t('common.search')}</button>
        </form>
      </div>
      <div className="panel table-panel">
        <table className="table" data-testid="alerts-table">
          <thead>
            <tr>
              <th>{t('alerts.severity')}</th>
              <th>{t('alerts.alert')}</th>
              <th>{t('alerts.agency')}</th>
              <th>{t('alerts.detector')}</th>
              <th className="num">{t('alerts.count')}</th>
              <th>{t('alerts.last_seen')}</th>
              <th>{t('alerts.state')}</th>
              <th>{t('alerts.assignee')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} data-testid="alert-row" data-id={a.id} className="clickable" onClick={() => setOpenId(a.id)}>
                <td>
                  <span className={`badge ${SEVERITY_BADGE[a.severity]}`}>{t(`alerts.severities.${a.severity}`)}</span>
                </td>
                <td>
                  <button type="button" className="link-button" onClick={() => setOpenId(a.id)} data-testid="alert-open">
                    {a.title}
                  </button>
                  <div className="muted small">
                    {a.rule_title || a.rule_id}
                    {a.asset ? ` · ${a.asset}` : ''}
                  </div>
                </td>
                <td>{a.org_name}</td>
                <td>{t(`alerts.detectors.${a.detector}`)}</td>
                <td className="num">{a.count}</td>
                <td className="nowrap" title={formatDateTimeSeconds(a.last_seen)}>
                  {formatRelative(a.last_seen, lang, now)}
                </td>
                <td>
                  <span className={`badge ${STATE_BADGE[a.state]}`} data-testid="alert-state">
                    {t(`alerts.states.${a.state}`)}
                  </span>
                </td>
                <td>{a.assignee ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
            {items.length === 0 && (
              <tr>
                <td colSpan={8} className="muted" data-testid="alerts-empty">
                  {t('alerts.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {next && (
          <div className="pager">
            <button type="button" onClick={() => void loadMore()} data-testid="alerts-more">
              {t('alerts.more')}
            </button>
          </div>
        )}
      </div>
      {openId !== null && (
        <AlertDialog
          id={openId}
          canTriage={canTriage}
          myId={me?.user.id ?? null}
          onClose={() => setOpenId(null)}
          onChanged={() => void loadFirst()}
        />
      )}
      {creating && (
        <CreateAlertDialog
          onClose={() => setCreating(false)}
          onCreated={(a) => {
            setCreating(false);
            setNotice(t('alerts.created', { title: a.title }));
            void loadFirst();
          }}
        />
      )}
    </div>
  );
}

function AlertDialog({
  id,
  canTriage,
  myId,
  onClose,
  onChanged,
}: {
  id: Id;
  canTriage: boolean;
  myId: Id | null;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const [alert, setAlert] = useState<AlertDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [target, setTarget] = useState<AlertState | ''>('');
  const [reason, setReason] = useState('');
  const [suppress, setSuppress] = useState(false);
  const [days, setDays] = useState('30');
  const [comment, setComment] = useState('');
  const action = useAction();

  useEffect(() => {
    alertsApi.get(id).then(setAlert, setLoadError);
  }, [id]);

  const apply = (body: Parameters<typeof alertsApi.update>[1]) =>
    void action.act(async () => {
      setAlert(await alertsApi.update(id, body));
      setTarget('');
      setReason('');
      setSuppress(false);
      onChanged();
    });

  const onState = (e: FormEvent) => {
    e.preventDefault();
    if (!target) return;
    apply({
      state: target,
      reason: reason.trim() || undefined,
      suppress_days: target === 'false_positive' && suppress ? Number(days) : undefined,
    });
  };

  const onComment = (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) return;
    void action.act(async () => {
      await alertsApi.comment(id, comment);
      setComment('');
      setAlert(await alertsApi.get(id));
      onChanged();
    });
  };

  return (
    <Modal title={alert?.title ?? t('common.loading')} onClose={onClose} testId="alert-dialog" wide>
      <ErrorMessage error={loadError} />
      {alert && (
        <div className="alert-view">
          <dl className="props">
            <dt>{t('alerts.severity')}</dt>
            <dd>
              <span className={`badge ${SEVERITY_BADGE[alert.severity]}`}>{t(`alerts.severities.${alert.severity}`)}</span>{' '}
              <span className="muted small">{t('alerts.severity_internal')}</span>
            </dd>
            <dt>{t('alerts.state')}</dt>
            <dd data-testid="alert-dialog-state">
              {t(`alerts.states.${alert.state}`)}
              {alert.state_reason && <span className="muted"> — {alert.state_reason}</span>}
            </dd>
            <dt>{t('alerts.agency')}</dt>
            <dd>{alert.org_name}</dd>
            <dt>{t('alerts.detector')}</dt>
            <dd>
              {t(`alerts.detectors.${alert.detector}`)}
              {alert.sender && ` · ${t('alerts.sender')}: ${alert.sender}`}
            </dd>
            <dt>{t('alerts.rule')}</dt>
            <dd className="mono small">{alert.rule_title ? `${alert.rule_title} (${alert.rule_id})` : alert.rule_id}</dd>
            {alert.asset && (
              <>
                <dt>{t('alerts.asset')}</dt>
                <dd>{alert.asset}</dd>
              </>
            )}
            <dt>{t('alerts.seen')}</dt>
            <dd>
              {formatDateTimeSeconds(alert.first_seen)} → {formatDateTimeSeconds(alert.last_seen)} · {t('alerts.times', { count: alert.count })}
            </dd>
            <dt>{t('alerts.assignee')}</dt>
            <dd data-testid="alert-dialog-assignee">{alert.assignee ?? '—'}</dd>
          </dl>
          {alert.description && <p className="pre-wrap">{alert.description}</p>}
          {alert.tags && alert.tags.length > 0 && (
            <>
              <h3>{t('alerts.tags')}</h3>
              <div className="chips" data-testid="alert-dialog-tags">
                {alert.tags.map((tag) => (
                  <span key={tag} className="badge badge-muted mono">
                    {tag}
                  </span>
                ))}
              </div>
            </>
          )}
          {alert.observables.length > 0 && (
            <>
              <h3>{t('alerts.observables')}</h3>
              <ul className="plain">
                {alert.observables.map((o, i) => (
                  <li key={i} className="mono small">
                    {o.type}: {o.value}
                  </li>
                ))}
              </ul>
            </>
          )}
          {(alert.evidence || alert.events_query) && (
            <>
              <h3>{t('alerts.evidence')}</h3>
              {alert.evidence && <pre className="evidence">{alert.evidence}</pre>}
              {alert.events_query && (
                <a href={`/events?q=${encodeURIComponent(alert.events_query)}`} data-testid="alert-events-link">
                  {t('alerts.open_events')}
                </a>
              )}
            </>
          )}
          <ErrorMessage error={action.error} />
          {canTriage && (
            <form className="triage" onSubmit={onState}>
              <h3>{t('alerts.triage')}</h3>
              <div className="filter-row">
                <select value={target} onChange={(e) => setTarget(e.target.value as AlertState | '')} data-testid="alert-target-state" aria-label={t('alerts.state')}>
                  <option value="">{t('alerts.choose_state')}</option>
                  {alertNextStates(alert.state).map((s) => (
                    <option key={s} value={s}>
                      {t(`alerts.actions.${s}`)}
                    </option>
                  ))}
                </select>
                <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('alerts.reason')} maxLength={1000} data-testid="alert-reason" />
                <button type="submit" className="primary" disabled={!target || action.busy} data-testid="alert-apply">
                  {t('alerts.apply')}
                </button>
              </div>
              {target === 'false_positive' && (
                <label className="checkbox">
                  <input type="checkbox" checked={suppress} onChange={(e) => setSuppress(e.target.checked)} data-testid="alert-suppress" />{' '}
                  {t('alerts.suppress_for')}{' '}
                  <input type="number" min={1} max={366} value={days} onChange={(e) => setDays(e.target.value)} className="narrow" /> {t('alerts.days')}
                </label>
              )}
              <div className="filter-row">
                {myId !== null && alert.assignee_id !== myId && (
                  <button type="button" onClick={() => apply({ assignee_id: myId })} disabled={action.busy} data-testid="alert-assign-me">
                    {t('alerts.assign_me')}
                  </button>
                )}
                {alert.assignee_id !== null && (
                  <button type="button" onClick={() => apply({ assignee_id: 0 })} disabled={action.busy} data-testid="alert-unassign">
                    {t('alerts.unassign')}
                  </button>
                )}
              </div>
            </form>
          )}
          {canTriage && <IncidentActions alert={alert} />}
          <h3>{t('alerts.comments')}</h3>
          <ul className="plain comments" data-testid="alert-comments">
            {alert.comments.map((c) => (
              <li key={c.id}>
                <div className="muted small">
                  {c.author} · {formatDateTimeSeconds(c.created_at)}
                </div>
                <div className="pre-wrap">{c.body}</div>
              </li>
            ))}
            {alert.comments.length === 0 && <li className="muted">{t('alerts.no_comments')}</li>}
          </ul>
          {canTriage && (
            <form onSubmit={onComment}>
              <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={3} maxLength={10000} placeholder={t('alerts.comment_placeholder')} data-testid="alert-comment" />
              <button type="submit" disabled={!comment.trim() || action.busy} data-testid="alert-comment-submit">
                {t('alerts.add_comment')}
              </button>
            </form>
          )}
        </div>
      )}
    </Modal>
  );
}

function CreateAlertDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (a: AlertDetail) => void }) {
  const { t } = useTranslation();
  const { orgs } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(orgs.length === 1 ? orgs[0].id : null);
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<AlertSeverity>('medium');
  const [external, setExternal] = useState(false);
  const [sender, setSender] = useState('');
  const [description, setDescription] = useState('');
  const [asset, setAsset] = useState('');
  const action = useAction();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      if (orgId === null) throw new Error(t('alerts.org_required'));
      const a = await alertsApi.create({
        org_id: orgId,
        title: title.trim(),
        severity,
        detector: external ? 'external' : 'manual',
        sender: external ? sender.trim() : undefined,
        description: description || undefined,
        asset: asset.trim() || undefined,
      });
      onCreated(a);
    });
  };

  return (
    <Modal title={t('alerts.create_title')} onClose={onClose} testId="alert-create-dialog">
      <form onSubmit={onSubmit}>
        <ErrorMessage error={action.error} />
        <Field label={t('alerts.agency')}>
          <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} testId="alert-create-org" />
        </Field>
        <Field label={t('alerts.alert_title')}>
          <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} required data-testid="alert-create-title" />
        </Field>
        <Field label={t('alerts.severity')} hint={t('alerts.severity_internal')}>
          <select value={severity} onChange={(e) => setSeverity(e.target.value as AlertSeverity)} data-testid="alert-create-severity">
            {ALERT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`alerts.severities.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={external} onChange={(e) => setExternal(e.target.checked)} data-testid="alert-create-external" /> {t('alerts.external')}
        </label>
        {external && (
          <Field label={t('alerts.sender')} hint={t('alerts.sender_hint')}>
            <input value={sender} onChange={(e) => setSender(e.target.value)} maxLength={200} required data-testid="alert-create-sender" />
          </Field>
        )}
        <Field label={t('alerts.asset')}>
          <input value={asset} onChange={(e) => setAsset(e.target.value)} maxLength={200} />
        </Field>
        <Field label={t('alerts.description')}>
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={4} />
        </Field>
        <div className="modal-footer">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={action.busy} data-testid="alert-create-submit">
            {t('common.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/**
 * "Tạo sự cố" / "Gắn vào sự cố": promotes the alert to a new incident (the process chosen among
 * the loaded ones; the agency, system, detection time and observables come from the alert) or
 * attaches it to an open incident of the same agency, then opens the incident. An alert already in
 * an incident links to it instead.
 */
function IncidentActions({ alert }: { alert: AlertDetail }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const action = useAction();
  const [catalog, setCatalog] = useState<IncidentProcesses | null>(null);
  const [process, setProcess] = useState('');
  const [open, setOpen] = useState<IncidentSummary[]>([]);
  const [target, setTarget] = useState('');

  useEffect(() => {
    if (alert.incident_id) return;
    incidentsApi.processes().then((c) => {
      setCatalog(c);
      const first = c.processes.find((p) => p.latest && p.default_for_regime);
      if (first) setProcess(first.id);
    }, action.setError);
    incidentsApi.list({ status: 'open', org_id: alert.org_id }, undefined, 100).then((p) => setOpen(p.items), action.setError);
  }, [alert.id, alert.org_id, alert.incident_id, action.setError]);

  if (alert.incident_id)
    return (
      <p data-testid="alert-incident-link">
        {t('alerts.in_incident')}: <a href={`/incidents/${alert.incident_id}`}>#{alert.incident_id}</a>
      </p>
    );
  const chosen = catalog?.processes.find((p) => p.id === process && p.latest);
  const create = () =>
    void action.act(async () => {
      if (!chosen) return;
      const inc = await incidentsApi.create({
        title: alert.title,
        alert_ids: [alert.id],
        process: chosen.id,
        regime: alert.system_id ? undefined : chosen.regime,
      });
      navigate(`/incidents/${inc.id}`);
    });
  const attach = () =>
    void action.act(async () => {
      if (!target) return;
      const inc = await incidentsApi.linkAlerts(Number(target), [alert.id]);
      navigate(`/incidents/${inc.id}`);
    });
  return (
    <div className="triage" data-testid="alert-incident-actions">
      <h3>{t('nav.incidents')}</h3>
      <ErrorMessage error={action.error} />
      <div className="filter-row">
        <select value={process} onChange={(e) => setProcess(e.target.value)} aria-label={t('incidents.process')} data-testid="alert-incident-process">
          {(catalog?.processes ?? [])
            .filter((p) => p.latest)
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </select>
        <button type="button" className="primary" onClick={create} disabled={!chosen || action.busy} data-testid="alert-create-incident">
          {t('alerts.create_incident')}
        </button>
      </div>
      {open.length > 0 && (
        <div className="filter-row">
          <select value={target} onChange={(e) => setTarget(e.target.value)} aria-label={t('alerts.choose_incident')} data-testid="alert-incident-target">
            <option value="">{t('alerts.choose_incident')}</option>
            {open.map((i) => (
              <option key={i.id} value={i.id}>
                #{i.id} {i.title}
              </option>
            ))}
          </select>
          <button type="button" onClick={attach} disabled={!target || action.busy} data-testid="alert-attach-incident">
            {t('alerts.attach_incident')}
          </button>
        </div>
      )}
    </div>
  );
}
