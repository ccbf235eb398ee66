// Sự cố: the incidents of the agencies in scope (issue 4), nearest open legal deadline first, each
// with a deadline badge coloured by the share of its time already used (50 / 75 / 90 %, breached),
// and the incident page: the process steps with the current one, the allowed next steps with the
// outputs they need, deadlines, timeline, tasks, parties notified, observables ("seen in N other
// incidents") and linked alerts. Every rule is the server's (the process data); this page only
// shows what it answers and sends what the officer enters.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  INCIDENT_OBSERVABLE_TYPES,
  INCIDENT_PARTIES,
  NOTIFY_CHANNELS,
  incidentsApi,
  type IncidentDeadline,
  type IncidentDetail,
  type IncidentProcesses,
  type IncidentSummary,
  type Id,
} from '../api';
import { IncidentHandoverPanel } from '../components/IncidentHandoverPanel';
import { ErrorMessage, Field, Modal, OrgSelect, PageHeader } from '../components/ui';
import { formatDateTime, formatDateTimeSeconds, parseVnDateTime } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';
import { EvidencePanel } from './incident/EvidencePanel';
import { PlansPanel } from './incident/PlansPanel';
import { ReportsPanel } from './incident/ReportsPanel';

const WARNING_BADGE: Record<string, string> = {
  none: 'badge-ok',
  '50': 'badge-info',
  '75': 'badge-warning',
  '90': 'badge-danger',
  breached: 'badge-danger',
};

/** A deadline as a badge: its due time and, while open, the share of its time used. */
export function DeadlineBadge({ d }: { d: IncidentDeadline }) {
  const { t } = useTranslation();
  if (d.state === 'met' || d.state === 'met_late')
    return <span className={`badge ${d.state === 'met' ? 'badge-ok' : 'badge-warning'}`}>{t(`incidents.deadline_states.${d.state}`)}</span>;
  return (
    <span className={`badge ${WARNING_BADGE[d.warning]}`} data-testid="deadline-badge" data-warning={d.warning} title={d.label}>
      {d.warning === 'breached' ? t('incidents.overdue') : t('incidents.due', { time: formatDateTime(d.due_at) })} · {d.percent_elapsed}%
    </span>
  );
}

export function IncidentsPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState('open');
  const [items, setItems] = useState<IncidentSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);

  const load = useCallback(
    (cursor?: string) => {
      incidentsApi.list({ status }, cursor).then((page) => {
        setItems((prev) => (cursor ? [...prev, ...page.items] : page.items));
        setNext(page.has_more ? page.next_cursor : null);
        setError(null);
      }, setError);
    },
    [status],
  );
  useEffect(() => load(), [load]);

  return (
    <div className="page">
      <PageHeader
        title={t('incidents.title')}
        subtitle={t('incidents.subtitle')}
        actions={
          <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="incident-create">
            {t('incidents.create')}
          </button>
        }
      />
      {creating && <CreateIncidentDialog onClose={() => setCreating(false)} />}
      <div className="filter-row">
        <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="incidents-status" aria-label={t('incidents.status')}>
          {['open', 'closed', 'all'].map((s) => (
            <option key={s} value={s}>
              {t(`incidents.statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={error} />
      <table className="table" data-testid="incidents-table">
        <thead>
          <tr>
            <th>{t('incidents.incident')}</th>
            <th>{t('incidents.agency')}</th>
            <th>{t('incidents.step')}</th>
            <th>{t('incidents.severity')}</th>
            <th>{t('incidents.nearest_deadline')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-testid="incident-row">
              <td>
                <Link to={`/incidents/${i.id}`}>
                  #{i.id} {i.title}
                </Link>
                <div className="muted small">
                  {i.process_id} v{i.process_version} · {t('incidents.detected')} {formatDateTime(i.detected_at)}
                </div>
              </td>
              <td>
                {i.org_name}
                {i.system_name && <div className="muted small">{i.system_name}</div>}
              </td>
              <td>{i.closed ? <span className="badge badge-muted">{t('incidents.closed')}</span> : i.current_step_name}</td>
              <td>{i.severity_label}</td>
              <td>{i.nearest_deadline ? <DeadlineBadge d={i.nearest_deadline} /> : <span className="muted">—</span>}</td>
            </tr>
          ))}
          {items.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('incidents.none')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {next && (
        <button type="button" onClick={() => load(next)} data-testid="incidents-more">
          {t('incidents.more')}
        </button>
      )}
    </div>
  );
}

export function IncidentPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const [inc, setInc] = useState<IncidentDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const action = useAction();
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [task, setTask] = useState('');
  const [party, setParty] = useState({ party: 'owner', contact: '', channel: 'phone', reference: '' });
  const [obs, setObs] = useState({ type: 'ip', value: '' });
  const [facts, setFacts] = useState<{ id: string; label: string; internal: boolean }[]>([]);
  const [chosenFacts, setChosenFacts] = useState<string[] | null>(null);

  useEffect(() => {
    if (id) incidentsApi.get(Number(id)).then(setInc, setLoadError);
    incidentsApi.processes().then((c) => setFacts(c.facts), setLoadError);
  }, [id]);

  if (!inc)
    return (
      <div className="page">
        <ErrorMessage error={loadError} />
      </div>
    );

  const current = inc.process.steps.find((s) => s.current);
  const stepName = (sid: string) => inc.process.steps.find((s) => s.id === sid)?.name ?? sid;
  const visitOutputs = inc.steps[inc.steps.length - 1]?.outputs ?? [];
  const pending = (current?.outputs ?? []).filter((o) => !visitOutputs.some((v) => v.id === o.id));
  const filled = () => pending.filter((o) => (texts[o.id] ?? '').trim()).map((o) => ({ id: o.id, text: texts[o.id].trim() }));
  const reload = async (next?: IncidentDetail) => {
    setInc(next ?? (await incidentsApi.get(inc.id)));
    setTexts({});
  };

  const move = (to: string) =>
    void action.act(async () => {
      await reload(await incidentsApi.transition(inc.id, { revision: inc.revision, to, outputs: filled() }));
    });
  const record = () =>
    void action.act(async () => {
      await reload(await incidentsApi.outputs(inc.id, { revision: inc.revision, outputs: filled() }));
    });
  const onFacts = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      await reload(await incidentsApi.update(inc.id, { revision: inc.revision, facts: chosenFacts ?? [] }));
      setChosenFacts(null);
    });
  };
  const onNote = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      await reload(await incidentsApi.note(inc.id, note));
      setNote('');
    });
  };
  const onTask = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      await incidentsApi.addTask(inc.id, { title: task.trim() });
      setTask('');
      await reload();
    });
  };
  const onParty = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      await incidentsApi.addParty(inc.id, { ...party, reference: party.reference || undefined });
      setParty({ ...party, contact: '', reference: '' });
      await reload();
    });
  };
  const onObservable = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      await incidentsApi.addObservables(inc.id, [{ type: obs.type, value: obs.value.trim() }]);
      setObs({ ...obs, value: '' });
      await reload();
    });
  };

  return (
    <div className="page" data-testid="incident-page">
      <PageHeader
        title={`#${inc.id} ${inc.title}`}
        subtitle={`${inc.org_name}${inc.system_name ? ' · ' + inc.system_name : ''} · ${inc.process.name} (v${inc.process.version})`}
      />
      <dl className="props">
        <dt>{t('incidents.state')}</dt>
        <dd data-testid="incident-state">{inc.closed ? t('incidents.closed') : stepName(inc.current_step)}</dd>
        <dt>{t('incidents.detected')}</dt>
        <dd>{formatDateTimeSeconds(inc.detected_at)}</dd>
        {inc.system_name && (
          <>
            <dt>{t('incidents.system')}</dt>
            <dd>
              {inc.system_name} · {t('incidents.level', { level: inc.system_level ?? '—' })} · {t('incidents.owner')}: {inc.system_owner} ·{' '}
              {t('incidents.operator')}: {inc.system_operator}
            </dd>
          </>
        )}
        <dt>{t('incidents.severity')}</dt>
        <dd>
          {inc.classification.severity_label} <span className="muted small">{t('incidents.severity_internal')}</span>
        </dd>
        <dt>{t('incidents.classification')}</dt>
        <dd>
          <ul className="plain">
            {(inc.classification.result.tests ?? []).map((c) => (
              <li key={c.id}>
                <span className={`badge ${c.met ? 'badge-danger' : 'badge-muted'}`}>{c.met ? t('incidents.met') : t('incidents.not_met')}</span> {c.label}{' '}
                <span className="muted small">
                  ({c.conditions.map((x) => x.reason).join('; ')} — {c.source.cite})
                </span>
              </li>
            ))}
          </ul>
          {!inc.closed && facts.length > 0 && (
            <details data-testid="incident-facts">
              <summary>{t('incidents.edit_facts')}</summary>
              <form onSubmit={onFacts}>
                {facts.map((f) => {
                  const list = chosenFacts ?? inc.classification.facts;
                  return (
                    <label key={f.id} className="checkbox">
                      <input
                        type="checkbox"
                        checked={list.includes(f.id)}
                        onChange={(e) => setChosenFacts(e.target.checked ? [...list, f.id] : list.filter((x) => x !== f.id))}
                        data-testid={`fact-${f.id}`}
                      />{' '}
                      {f.label}
                      {f.internal && <span className="muted small"> ({t('incidents.internal_fact')})</span>}
                    </label>
                  );
                })}
                <button type="submit" disabled={chosenFacts === null || action.busy} data-testid="incident-facts-save">
                  {t('incidents.classify')}
                </button>
              </form>
            </details>
          )}
        </dd>
      </dl>

      <ErrorMessage error={action.error} />

      <h2>{t('incidents.deadlines')}</h2>
      <table className="table" data-testid="incident-deadlines">
        <tbody>
          {inc.deadlines.map((d) => (
            <tr key={d.id}>
              <td>
                {d.label}
                <div className="muted small">
                  {d.source.cite}
                  {d.immediate && ` · ${t('incidents.internal_target', { hours: d.internal_target_hours })}`}
                  {d.provisional && ` · ${t('incidents.provisional')}`}
                </div>
              </td>
              <td>{formatDateTime(d.due_at)}</td>
              <td>
                <DeadlineBadge d={d} />
              </td>
            </tr>
          ))}
          {inc.deadlines.length === 0 && (
            <tr>
              <td className="muted">{t('incidents.no_deadlines')}</td>
            </tr>
          )}
        </tbody>
      </table>
      {inc.breaches.length > 0 && (
        <ul className="plain" data-testid="incident-breaches">
          {inc.breaches.map((b) => (
            <li key={b.id} className="badge badge-danger">
              {t('incidents.breach', { label: b.label, time: formatDateTime(b.due_at), role: t(`roles.${b.escalated_to}`) })}
            </li>
          ))}
        </ul>
      )}

      <IncidentHandoverPanel inc={inc} />

      <h2>{t('incidents.process')}</h2>
      <ol className="steps" data-testid="incident-steps">
        {inc.process.steps.map((s) => (
          <li key={s.id} className={s.current ? 'current' : s.visited ? 'visited muted' : 'muted'} data-testid={s.current ? 'incident-current-step' : undefined}>
            <strong>{s.name}</strong> <span className="small">({t('incidents.lead')}: {s.lead})</span>
            {s.current && (
              <div className="small">
                {t('incidents.coordinating')}: {s.coordinating.join(', ') || '—'}
              </div>
            )}
          </li>
        ))}
      </ol>

      {!inc.closed && current && (
        <section className="triage" data-testid="incident-walk">
          <h3>{t('incidents.outputs_of', { step: current.name })}</h3>
          {pending.map((o) => (
            <Field key={o.id} label={`${o.label}${o.required ? ' *' : ''}`} hint={t(`incidents.output_kinds.${o.kind}`)}>
              <input
                value={texts[o.id] ?? ''}
                onChange={(e) => setTexts({ ...texts, [o.id]: e.target.value })}
                maxLength={4000}
                data-testid={`output-${o.id}`}
              />
            </Field>
          ))}
          {pending.length > 0 && (
            <button type="button" onClick={record} disabled={action.busy || filled().length === 0} data-testid="incident-record">
              {t('incidents.record_outputs')}
            </button>
          )}
          <h3>{t('incidents.next_steps')}</h3>
          <div className="filter-row">
            {inc.next.candidates.map((c) => (
              <button
                key={c.step}
                type="button"
                className="primary"
                onClick={() => move(c.step)}
                disabled={action.busy}
                title={c.allowed ? '' : c.reason}
                data-testid={`incident-to-${c.step}`}
              >
                → {c.name}
              </button>
            ))}
          </div>
          {inc.next.missing_outputs.length > 0 && (
            <p className="muted small" data-testid="incident-missing">
              {t('incidents.missing', {
                list: inc.next.missing_outputs.map((id) => current.outputs.find((o) => o.id === id)?.label ?? id).join('; '),
              })}
            </p>
          )}
          {inc.process.events.some((e) => !e.recorded_at) && (
            <div className="filter-row">
              {inc.process.events
                .filter((e) => !e.recorded_at)
                .map((e) => (
                  <button
                    key={e.id}
                    type="button"
                    onClick={() => void action.act(async () => reload(await incidentsApi.event(inc.id, { revision: inc.revision, event: e.id })))}
                    disabled={action.busy}
                    data-testid={`incident-event-${e.id}`}
                  >
                    {t('incidents.record_event')}: {e.label}
                  </button>
                ))}
            </div>
          )}
        </section>
      )}

      <ReportsPanel incident={inc} onChanged={() => reload()} />

      <h2>{t('incidents.tasks')}</h2>
      <ul className="plain" data-testid="incident-tasks">
        {inc.tasks.map((k) => (
          <li key={k.id}>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={k.done}
                onChange={() => void action.act(async () => {
                  await incidentsApi.updateTask(inc.id, k.id, { done: !k.done });
                  await reload();
                })}
              />{' '}
              {k.title}
            </label>
            {k.due_at && <span className={k.overdue ? 'badge badge-danger' : 'muted small'}> {formatDateTime(k.due_at)}</span>}
          </li>
        ))}
      </ul>
      <form onSubmit={onTask} className="filter-row">
        <input value={task} onChange={(e) => setTask(e.target.value)} maxLength={300} placeholder={t('incidents.task_placeholder')} data-testid="incident-task" />
        <button type="submit" disabled={!task.trim() || action.busy}>
          {t('incidents.add_task')}
        </button>
      </form>

      <h2>{t('incidents.parties')}</h2>
      <ul className="plain" data-testid="incident-parties">
        {inc.parties.map((p) => (
          <li key={p.id}>
            {t(`incidents.party_kinds.${p.party}`)}: {p.contact} · {formatDateTime(p.notified_at)} · {t(`incidents.channels.${p.channel}`)}
            {p.reference && ` · ${p.reference}`}
          </li>
        ))}
      </ul>
      <form onSubmit={onParty} className="filter-row">
        <select value={party.party} onChange={(e) => setParty({ ...party, party: e.target.value })} aria-label={t('incidents.party')} data-testid="incident-party-kind">
          {INCIDENT_PARTIES.map((p) => (
            <option key={p} value={p}>
              {t(`incidents.party_kinds.${p}`)}
            </option>
          ))}
        </select>
        <input value={party.contact} onChange={(e) => setParty({ ...party, contact: e.target.value })} placeholder={t('incidents.contact')} maxLength={300} data-testid="incident-party-contact" />
        <select value={party.channel} onChange={(e) => setParty({ ...party, channel: e.target.value })} aria-label={t('incidents.channel')}>
          {NOTIFY_CHANNELS.map((c) => (
            <option key={c} value={c}>
              {t(`incidents.channels.${c}`)}
            </option>
          ))}
        </select>
        <input value={party.reference} onChange={(e) => setParty({ ...party, reference: e.target.value })} placeholder={t('incidents.reference')} maxLength={300} />
        <button type="submit" disabled={!party.contact.trim() || action.busy} data-testid="incident-party-add">
          {t('incidents.add_party')}
        </button>
      </form>

      <h2>{t('incidents.observables')}</h2>
      <ul className="plain" data-testid="incident-observables">
        {inc.observables.map((o) => (
          <li key={`${o.type}:${o.value}`} className="mono small">
            {o.type}: {o.value}
            {o.other_incidents > 0 && <span className="badge badge-warning"> {t('incidents.seen_elsewhere', { count: o.other_incidents })}</span>}
          </li>
        ))}
      </ul>
      <form onSubmit={onObservable} className="filter-row">
        <select value={obs.type} onChange={(e) => setObs({ ...obs, type: e.target.value })} aria-label={t('incidents.observable_type')}>
          {INCIDENT_OBSERVABLE_TYPES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <input value={obs.value} onChange={(e) => setObs({ ...obs, value: e.target.value })} maxLength={2000} data-testid="incident-observable" />
        <button type="submit" disabled={!obs.value.trim() || action.busy}>
          {t('incidents.add_observable')}
        </button>
      </form>

      <PlansPanel incidentId={inc.id} closed={inc.closed} onApplied={reload} />
      <EvidencePanel incidentId={inc.id} onChanged={() => void reload()} />

      {inc.alerts.length > 0 && (
        <>
          <h2>{t('incidents.alerts')}</h2>
          <ul className="plain" data-testid="incident-alerts">
            {inc.alerts.map((a) => (
              <li key={a.alert_id}>
                #{a.alert_id} {a.title} <span className="muted small">({t(`alerts.states.${a.state}`)})</span>
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>{t('incidents.timeline')}</h2>
      <ul className="plain comments" data-testid="incident-timeline">
        {inc.timeline.map((e) => (
          <li key={e.id}>
            <div className="muted small">
              {formatDateTimeSeconds(e.at)} · {e.actor} · {t(`incidents.timeline_kinds.${e.kind}`, { defaultValue: e.kind })}
            </div>
            <div className="pre-wrap">
              {e.kind === 'step' ? `${stepName(String(e.data.from ?? ''))} → ${stepName(String(e.data.to ?? ''))}${e.text ? ' — ' + e.text : ''}` : e.text}
            </div>
          </li>
        ))}
      </ul>
      <form onSubmit={onNote}>
        <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={10000} placeholder={t('incidents.note_placeholder')} data-testid="incident-note" />
        <button type="submit" disabled={!note.trim() || action.busy} data-testid="incident-note-submit">
          {t('incidents.add_note')}
        </button>
      </form>
    </div>
  );
}

/** A new incident entered by hand (a notification by phone, a finding of an inspection). */
function CreateIncidentDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { orgs } = useSession();
  const navigate = useNavigate();
  const action = useAction();
  const [catalog, setCatalog] = useState<IncidentProcesses | null>(null);
  const [orgId, setOrgId] = useState<Id | null>(orgs.length === 1 ? orgs[0].id : null);
  const [title, setTitle] = useState('');
  const [process, setProcess] = useState('');
  const [detected, setDetected] = useState('');
  const [description, setDescription] = useState('');

  useEffect(() => {
    incidentsApi.processes().then((c) => {
      setCatalog(c);
      const first = c.processes.find((p) => p.latest && p.default_for_regime);
      if (first) setProcess(first.id);
    }, action.setError);
  }, [action.setError]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      if (orgId === null) throw new Error(t('alerts.org_required'));
      const chosen = catalog?.processes.find((p) => p.id === process && p.latest);
      const at = parseVnDateTime(detected);
      if (!at) throw new Error(t('incidents.detected_format'));
      const inc = await incidentsApi.create({
        org_id: orgId,
        title: title.trim(),
        process: chosen?.id,
        regime: chosen?.regime,
        detected_at: at,
        description: description || undefined,
      });
      navigate(`/incidents/${inc.id}`);
    });
  };

  return (
    <Modal title={t('incidents.create')} onClose={onClose} testId="incident-create-dialog">
      <form onSubmit={onSubmit}>
        <ErrorMessage error={action.error} />
        <Field label={t('incidents.agency')}>
          <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} testId="incident-create-org" />
        </Field>
        <Field label={t('incidents.incident')}>
          <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} required data-testid="incident-create-title" />
        </Field>
        <Field label={t('incidents.process')}>
          <select value={process} onChange={(e) => setProcess(e.target.value)} data-testid="incident-create-process">
            {(catalog?.processes ?? [])
              .filter((p) => p.latest)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
          </select>
        </Field>
        <Field label={t('incidents.detected')} hint={t('incidents.detected_format')}>
          <input value={detected} onChange={(e) => setDetected(e.target.value)} required placeholder="25/11/2026 08:30" data-testid="incident-create-detected" />
        </Field>
        <Field label={t('alerts.description')}>
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={4} />
        </Field>
        <div className="modal-footer">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={action.busy} data-testid="incident-create-submit">
            {t('common.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
