// The level dossier of a system (hồ sơ đề xuất cấp độ): where it stands (drafting -> sent for
// appraisal -> appraised -> approved), the legal time limits dated on the working-day calendar,
// the next step as a form, its history and its attached files (stored by SHA-256).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ATTACHMENT_KINDS, type Dossier, type DossierTransition, type SystemDetail } from '../api';
import { citeText } from '../compliance';
import { formatDateTime, formatDay, parseVnDay, todayVn } from '../format';
import { useAction } from '../useAction';
import { ErrorMessage, Field } from './ui';
import { SystemFormsPanel } from './SystemFormsPanel';

const STATES = ['drafting', 'sent_for_appraisal', 'appraised', 'approved'] as const;

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function DossierPanel({ system, canManage, onChanged }: { system: SystemDetail; canManage: boolean; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const create = useAction();
  const dossier = system.dossier;

  if (!dossier) {
    return (
      <section className="panel" data-testid="dossier-panel">
        <p>{t('dossier.none')}</p>
        {canManage && (
          <button type="button" className="primary" disabled={create.busy} onClick={() => void create.act(async () => { await api.createDossier(system.id); await onChanged(); })} data-testid="dossier-create">
            {t('dossier.create')}
          </button>
        )}
        <ErrorMessage error={create.error} />
        <SystemFormsPanel systemId={system.id} systemName={system.name} />
      </section>
    );
  }

  const current = STATES.indexOf(dossier.state);
  return (
    <div data-testid="dossier-panel" data-state={dossier.state}>
      <section className="panel">
        <ol className="stepper" aria-label={t('dossier.states_label')}>
          {STATES.map((s, i) => (
            <li key={s} className={i < current ? 'done' : i === current ? 'current' : ''} data-testid={i === current ? 'dossier-state' : undefined}>
              {t(`dossier.states.${s}`)}
            </li>
          ))}
        </ol>
        <dl className="props">
          <dt>{t('dossier.proposed_level')}</dt>
          <dd>{t('level_calc.level_n', { level: dossier.proposed_level })}</dd>
          {dossier.sent_on && (
            <>
              <dt>{t('dossier.sent_on')}</dt>
              <dd>{formatDay(dossier.sent_on)}</dd>
            </>
          )}
          {dossier.appraised_on && (
            <>
              <dt>{t('dossier.appraised_on')}</dt>
              <dd>
                {formatDay(dossier.appraised_on)} · {t(`dossier.results.${dossier.appraisal_result}`, { defaultValue: dossier.appraisal_result })}
                {dossier.items_to_fix && <div className="pre-wrap small">{dossier.items_to_fix}</div>}
              </dd>
            </>
          )}
          {dossier.approved_on && (
            <>
              <dt>{t('dossier.decision')}</dt>
              <dd data-testid="dossier-decision">
                {t('dossier.decision_text', {
                  number: dossier.decision_number,
                  date: formatDay(dossier.approved_on),
                  body: dossier.decision_body,
                  level: dossier.approved_level,
                })}
              </dd>
            </>
          )}
        </dl>
      </section>

      <DeadlinesTable dossier={dossier} />
      {canManage && dossier.state !== 'approved' && <NextStepForm dossier={dossier} onChanged={onChanged} />}
      <AttachmentsPanel dossier={dossier} canManage={canManage} onChanged={onChanged} />
      <SystemFormsPanel systemId={system.id} systemName={system.name} />

      {dossier.events.length > 0 && (
        <section className="panel table-panel">
          <h2>{t('dossier.history')}</h2>
          <table className="table" data-testid="dossier-events">
            <thead>
              <tr>
                <th>{t('dossier.event_on')}</th>
                <th>{t('dossier.event_change')}</th>
                <th>{t('dossier.event_actor')}</th>
                <th>{t('dossier.event_note')}</th>
              </tr>
            </thead>
            <tbody>
              {dossier.events.map((e, i) => (
                <tr key={i}>
                  <td className="nowrap">
                    {formatDay(e.on)}
                    <div className="muted small">{formatDateTime(e.at)}</div>
                  </td>
                  <td>
                    {e.from ? `${t(`dossier.states.${e.from}`, { defaultValue: e.from })} → ` : ''}
                    {t(`dossier.states.${e.to}`, { defaultValue: e.to })}
                  </td>
                  <td>{e.actor}</td>
                  <td className="pre-wrap">{e.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

function DeadlinesTable({ dossier }: { dossier: Dossier }) {
  const { t } = useTranslation();
  if (dossier.deadlines.length === 0) return null;
  return (
    <section className="panel table-panel">
      <h2>{t('level_calc.deadlines')}</h2>
      <table className="table" data-testid="dossier-deadlines">
        <thead>
          <tr>
            <th>{t('level_calc.deadline_step')}</th>
            <th>{t('level_calc.deadline_amount')}</th>
            <th>{t('dossier.due_date')}</th>
            <th>{t('level_calc.cite')}</th>
          </tr>
        </thead>
        <tbody>
          {dossier.deadlines.map((d, i) => (
            <tr key={`${d.step}-${i}`} data-testid="dossier-deadline" data-step={d.step}>
              <td>{t(`level_calc.steps.${d.step}`, { defaultValue: d.step })}</td>
              <td className="nowrap">
                {d.unit === 'working_days' ? t('level_calc.working_days', { count: d.amount }) : t('level_calc.calendar_days', { count: d.amount })}
              </td>
              <td className="nowrap">
                {d.done_on ? (
                  <span className="badge badge-ok">{t('dossier.done_on', { date: formatDay(d.done_on) })}</span>
                ) : d.due_date ? (
                  <>
                    <strong data-testid="dossier-due">{formatDay(d.due_date)}</strong>{' '}
                    {d.overdue && <span className="badge badge-danger">{t('dossier.overdue')}</span>}
                    {d.provisional && (
                      <span className="badge badge-warning" title={d.due_note}>
                        {t('dossier.provisional')}
                      </span>
                    )}
                  </>
                ) : (
                  <span className="muted">{d.due_note || t('dossier.not_started')}</span>
                )}
              </td>
              <td className="cite">{citeText(d.cite)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function NextStepForm({ dossier, onChanged }: { dossier: Dossier; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const next: DossierTransition['to'] =
    dossier.state === 'drafting' ? 'sent_for_appraisal' : dossier.state === 'sent_for_appraisal' ? 'appraised' : 'approved';
  const [on, setOn] = useState(formatDay(todayVn()));
  const [result, setResult] = useState<'suitable' | 'not_suitable'>('suitable');
  const [items, setItems] = useState('');
  const [number, setNumber] = useState('');
  const [body, setBody] = useState('');
  const [level, setLevel] = useState(String(dossier.proposed_level));
  const [note, setNote] = useState('');
  const [dateError, setDateError] = useState<string | null>(null);
  const { busy, error, act } = useAction();

  const submit = () => {
    const day = parseVnDay(on);
    if (!day) {
      setDateError(t('systems.bad_date'));
      return;
    }
    setDateError(null);
    const tr: DossierTransition = { to: next, on: day, note: note.trim() || undefined };
    if (next === 'appraised') {
      tr.result = result;
      if (result === 'not_suitable') tr.items_to_fix = items.trim();
    }
    if (next === 'approved') {
      tr.decision_number = number.trim();
      tr.decision_body = body.trim();
      tr.approved_level = Number(level);
    }
    void act(async () => {
      await api.transitionDossier(dossier.id, tr);
      await onChanged();
    });
  };

  return (
    <section className="panel" data-testid="dossier-next">
      <h2>{t(`dossier.next.${next}`)}</h2>
      <div className="fact-grid">
        <Field label={t('dossier.on')} hint="dd/mm/yyyy">
          <input type="text" value={on} onChange={(e) => setOn(e.target.value)} aria-invalid={dateError ? true : undefined} data-testid="dossier-on" />
          {dateError && <div className="field-error">{dateError}</div>}
        </Field>
        {next === 'appraised' && (
          <Field label={t('dossier.result')}>
            <select value={result} onChange={(e) => setResult(e.target.value as 'suitable' | 'not_suitable')} data-testid="dossier-result">
              <option value="suitable">{t('dossier.results.suitable')}</option>
              <option value="not_suitable">{t('dossier.results.not_suitable')}</option>
            </select>
          </Field>
        )}
        {next === 'appraised' && result === 'not_suitable' && (
          <Field label={t('dossier.items_to_fix')}>
            <textarea rows={3} value={items} onChange={(e) => setItems(e.target.value)} data-testid="dossier-items" />
          </Field>
        )}
        {next === 'approved' && (
          <>
            <Field label={t('dossier.decision_number')}>
              <input type="text" value={number} onChange={(e) => setNumber(e.target.value)} data-testid="dossier-decision-number" />
            </Field>
            <Field label={t('dossier.decision_body')}>
              <input type="text" value={body} onChange={(e) => setBody(e.target.value)} data-testid="dossier-decision-body" />
            </Field>
            <Field label={t('dossier.approved_level')}>
              <select value={level} onChange={(e) => setLevel(e.target.value)} data-testid="dossier-approved-level">
                {[1, 2, 3, 4, 5].map((l) => (
                  <option key={l} value={String(l)}>
                    {t('level_calc.level_n', { level: l })}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}
        <Field label={t('dossier.event_note')}>
          <input type="text" value={note} onChange={(e) => setNote(e.target.value)} />
        </Field>
      </div>
      <ErrorMessage error={error} />
      <div className="button-row">
        <button type="button" className="primary" disabled={busy} onClick={submit} data-testid="dossier-next-submit">
          {t(`dossier.next.${next}`)}
        </button>
      </div>
    </section>
  );
}

function AttachmentsPanel({ dossier, canManage, onChanged }: { dossier: Dossier; canManage: boolean; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<string>('overview');
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const { busy, error, act } = useAction();

  const upload = () =>
    void act(async () => {
      if (!file) return;
      await api.uploadAttachment(dossier.id, kind, file);
      setFile(null);
      setInputKey((k) => k + 1);
      await onChanged();
    });

  return (
    <section className="panel table-panel">
      <h2>{t('dossier.attachments')}</h2>
      <table className="table" data-testid="dossier-attachments">
        <thead>
          <tr>
            <th>{t('dossier.attachment_kind')}</th>
            <th>{t('dossier.attachment_file')}</th>
            <th>{t('dossier.attachment_size')}</th>
            <th>SHA-256</th>
            <th>{t('dossier.attachment_uploaded')}</th>
          </tr>
        </thead>
        <tbody>
          {dossier.attachments.map((a) => (
            <tr key={a.id} data-testid="dossier-attachment">
              <td>{t(`dossier.kinds.${a.kind}`, { defaultValue: a.kind })}</td>
              <td>
                <a href={api.attachmentUrl(a.id)} download={a.filename}>
                  {a.filename}
                </a>
              </td>
              <td className="nowrap">{formatSize(a.size)}</td>
              <td className="mono small" title={a.sha256}>
                {a.sha256.slice(0, 16)}…
              </td>
              <td className="nowrap">
                {formatDateTime(a.uploaded_at)} · {a.uploaded_by}
              </td>
            </tr>
          ))}
          {dossier.attachments.length === 0 && (
            <tr>
              <td colSpan={5} className="muted center">
                {t('dossier.no_attachments')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {canManage && (
        <div className="toolbar">
          <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label={t('dossier.attachment_kind')} data-testid="attachment-kind">
            {ATTACHMENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`dossier.kinds.${k}`)}
              </option>
            ))}
          </select>
          <input key={inputKey} type="file" accept=".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.zip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="attachment-file" />
          <button type="button" disabled={!file || busy} onClick={upload} data-testid="attachment-upload">
            {busy ? t('common.saving') : t('dossier.upload')}
          </button>
          <span className="muted small">{t('dossier.upload_hint')}</span>
        </div>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
