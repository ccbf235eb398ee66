// The assessments of a system (kiểm tra, đánh giá): opening one (who may assess is asked of the
// server as the form changes, each refusal with its legal source), recording the checklist item by
// item (status, reason when not applicable, comment, evidence files kept by SHA-256), completing it
// (summary and findings computed by the server), and the findings' remediation and re-tests.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ASSESSMENT_KINDS,
  ASSESSMENT_TRIGGERS,
  ASSESSOR_TYPES,
  ITEM_STATUSES,
  assessmentsApi,
  type Assessment,
  type AssessmentKind,
  type AssessorType,
  type ChecklistItem,
  type Eligibility,
  type Evidence,
  type Finding,
  type ItemResult,
  type ItemStatus,
  type SystemDetail,
} from '../api';
import { formatDay, parseVnDay, todayVn } from '../format';
import { useAction } from '../useAction';
import { ErrorMessage, Field } from './ui';

export function AssessmentsPanel({ system, canManage }: { system: SystemDetail; canManage: boolean }) {
  const { t } = useTranslation();
  const [list, setList] = useState<Assessment[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const r = await assessmentsApi.list(system.id);
      setList(r.items);
      setError(null);
      return r.items;
    } catch (e) {
      setError(e);
      return [];
    }
  }, [system.id]);

  useEffect(() => {
    void load().then((items) => {
      if (items.length > 0) setSelected((s) => s ?? items[0].id);
    });
  }, [load]);

  return (
    <div data-testid="assessments-panel">
      <ErrorMessage error={error} />
      <section className="panel table-panel padded">
        <div className="panel-head">
          <h2>{t('assessments.title')}</h2>
          {canManage && !creating && (
            <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="assessment-new">
              {t('assessments.new')}
            </button>
          )}
        </div>
        {list && list.length === 0 && <p className="muted">{t('assessments.none')}</p>}
        {list && list.length > 0 && (
          <table className="table" data-testid="assessment-list">
            <thead>
              <tr>
                <th>{t('assessments.kind')}</th>
                <th>{t('assessments.assessor')}</th>
                <th>{t('assessments.level')}</th>
                <th>{t('assessments.state')}</th>
                <th>{t('assessments.completed_on')}</th>
                <th>{t('assessments.percent_met')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr
                  key={a.id}
                  className={`clickable${a.id === selected ? ' selected' : ''}`}
                  onClick={() => setSelected(a.id)}
                  data-testid="assessment-row"
                  data-id={a.id}
                >
                  <td>{t(`assessments.kinds.${a.kind}`)}</td>
                  <td>
                    {a.assessor_name}
                    <div className="muted small">{t(`assessments.assessor_types.${a.assessor_type}`)}</div>
                  </td>
                  <td>{t('level_calc.level_n', { level: a.level })}</td>
                  <td>
                    <span className={`badge ${a.state === 'completed' ? 'badge-ok' : 'badge-warning'}`}>{t(`assessments.states.${a.state}`)}</span>
                  </td>
                  <td>{formatDay(a.completed_on) || '—'}</td>
                  <td>{a.summary?.percent_met != null ? `${a.summary.percent_met}%` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {creating && (
        <CreateForm
          system={system}
          onCancel={() => setCreating(false)}
          onCreated={async (a) => {
            setCreating(false);
            await load();
            setSelected(a.id);
          }}
        />
      )}
      {selected !== null && <AssessmentView key={selected} id={selected} canManage={canManage} onChanged={load} />}
    </div>
  );
}

function CreateForm({ system, onCancel, onCreated }: { system: SystemDetail; onCancel: () => void; onCreated: (a: Assessment) => Promise<void> }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<AssessmentKind>('periodic');
  const [assessorType, setAssessorType] = useState<AssessorType>('self');
  const [assessorName, setAssessorName] = useState('');
  const [triggers, setTriggers] = useState<string[]>([]);
  const [plannedOn, setPlannedOn] = useState('');
  const [startedOn, setStartedOn] = useState(formatDay(todayVn()));
  const [eligibility, setEligibility] = useState<Eligibility | null>(null);
  const [dateError, setDateError] = useState<string | null>(null);
  const { busy, error, act } = useAction();

  useEffect(() => {
    let live = true;
    assessmentsApi.eligibility(system.id, { kind, assessor_type: assessorType, triggers: triggers.join(',') || undefined }).then(
      (e) => live && setEligibility(e),
      () => live && setEligibility(null),
    );
    return () => {
      live = false;
    };
  }, [system.id, kind, assessorType, triggers]);

  const submit = () => {
    const planned = parseVnDay(plannedOn);
    const started = parseVnDay(startedOn);
    if (planned === null || started === null) {
      setDateError(t('systems.bad_date'));
      return;
    }
    setDateError(null);
    void act(async () => {
      const a = await assessmentsApi.create(system.id, {
        kind,
        assessor_type: assessorType,
        assessor_name: assessorName.trim(),
        triggers,
        planned_on: planned || null,
        started_on: started || null,
      });
      await onCreated(a);
    });
  };

  return (
    <section className="panel" data-testid="assessment-form">
      <h2>{t('assessments.new')}</h2>
      <div className="fact-grid">
        <Field label={t('assessments.kind')}>
          <select value={kind} onChange={(e) => setKind(e.target.value as AssessmentKind)} data-testid="assessment-kind">
            {ASSESSMENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`assessments.kinds.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('assessments.assessor_type')}>
          <select value={assessorType} onChange={(e) => setAssessorType(e.target.value as AssessorType)} data-testid="assessment-assessor-type">
            {ASSESSOR_TYPES.map((k) => (
              <option key={k} value={k}>
                {t(`assessments.assessor_types.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('assessments.assessor_name')}>
          <input type="text" value={assessorName} onChange={(e) => setAssessorName(e.target.value)} data-testid="assessment-assessor-name" />
        </Field>
        <Field label={t('assessments.planned_on')} hint="dd/mm/yyyy">
          <input type="text" value={plannedOn} onChange={(e) => setPlannedOn(e.target.value)} data-testid="assessment-planned-on" />
        </Field>
        <Field label={t('assessments.started_on')} hint="dd/mm/yyyy">
          <input type="text" value={startedOn} onChange={(e) => setStartedOn(e.target.value)} data-testid="assessment-started-on" />
        </Field>
      </div>
      {dateError && <div className="field-error">{dateError}</div>}
      <fieldset className="checks">
        <legend>{t('assessments.triggers')}</legend>
        {ASSESSMENT_TRIGGERS.map((tr) => (
          <label key={tr} className="check">
            <input
              type="checkbox"
              checked={triggers.includes(tr)}
              onChange={(e) => setTriggers(e.target.checked ? [...triggers, tr] : triggers.filter((x) => x !== tr))}
              data-testid={`assessment-trigger-${tr}`}
            />{' '}
            {t(`assessments.trigger_names.${tr}`)}
          </label>
        ))}
      </fieldset>
      {eligibility && (
        <div
          className={`alert ${eligibility.eligible ? 'alert-success' : 'alert-error'}`}
          data-testid="assessment-eligibility"
          data-eligible={String(eligibility.eligible)}
        >
          {eligibility.eligible ? (
            <div>{t('assessments.eligible', { level: eligibility.level })}</div>
          ) : (
            <>
              <div>
                {t('assessments.not_eligible', {
                  allowed: eligibility.allowed.map((a) => t(`assessments.assessor_types.${a}`)).join(', ') || '—',
                })}
              </div>
              <ul>
                {eligibility.refusals.map((r) => (
                  <li key={r.rule} data-testid="assessment-refusal">
                    {r.message} <span className="cite">— {r.source.cite}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
      <div className="button-row">
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" className="primary" disabled={busy} onClick={submit} data-testid="assessment-create">
          {t('assessments.create')}
        </button>
      </div>
    </section>
  );
}

function AssessmentView({ id, canManage, onChanged }: { id: number; canManage: boolean; onChanged: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const [a, setA] = useState<Assessment | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fill = useAction();

  const load = useCallback(async () => {
    try {
      setA(await assessmentsApi.get(id));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const results = useMemo(() => new Map((a?.results ?? []).map((r) => [r.item, r])), [a]);
  if (!a) return error ? <ErrorMessage error={error} /> : null;
  const editable = canManage && a.state === 'in_progress';
  const checklist = a.checklist ?? null;
  const items = checklist?.items ?? [];
  const unanswered = items.filter((i) => !results.has(i.id));

  const fillMet = () =>
    void fill.act(async () => {
      for (const i of unanswered) await assessmentsApi.putResult(a.id, { item: i.id, status: 'met' });
      await load();
    });

  return (
    <div data-testid="assessment-view" data-state={a.state} data-id={a.id}>
      <section className="panel">
        <h2>
          {t(`assessments.kinds.${a.kind}`)} · {a.assessor_name}
        </h2>
        <dl className="props">
          <dt>{t('assessments.assessor_type')}</dt>
          <dd>{t(`assessments.assessor_types.${a.assessor_type}`)}</dd>
          <dt>{t('assessments.level')}</dt>
          <dd>{t('level_calc.level_n', { level: a.level })}</dd>
          {a.planned_on && (
            <>
              <dt>{t('assessments.planned_on')}</dt>
              <dd>{formatDay(a.planned_on)}</dd>
            </>
          )}
          {a.started_on && (
            <>
              <dt>{t('assessments.started_on')}</dt>
              <dd>{formatDay(a.started_on)}</dd>
            </>
          )}
          {a.triggers.length > 0 && (
            <>
              <dt>{t('assessments.triggers')}</dt>
              <dd>{a.triggers.map((x) => t(`assessments.trigger_names.${x}`, { defaultValue: x })).join('; ')}</dd>
            </>
          )}
          <dt>{t('assessments.state')}</dt>
          <dd>{t(`assessments.states.${a.state}`)}</dd>
        </dl>
        {a.summary && <SummaryView a={a} />}
      </section>
      <ErrorMessage error={error} />

      {items.length > 0 && (
        <section className="panel table-panel padded">
          <div className="panel-head">
            <h2>
              {t('assessments.checklist')} ({t('assessments.answered', { done: items.length - unanswered.length, total: items.length })})
            </h2>
            {editable && unanswered.length > 0 && (
              <button type="button" disabled={fill.busy} onClick={fillMet} data-testid="assessment-fill-met">
                {t('assessments.fill_met', { count: unanswered.length })}
              </button>
            )}
          </div>
          <ErrorMessage error={fill.error} />
          {checklist?.standard && <p className="muted small">{t('assessments.standard', { standard: checklist.standard })}</p>}
          <table className="table checklist" data-testid="checklist">
            <thead>
              <tr>
                <th>{t('assessments.item')}</th>
                <th>{t('assessments.result')}</th>
                <th>{t('assessments.evidence')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <ItemRow
                  key={i.id}
                  assessmentId={a.id}
                  item={i}
                  result={results.get(i.id)}
                  evidence={(a.evidence ?? []).filter((e) => e.item === i.id)}
                  editable={editable}
                  onSaved={load}
                />
              ))}
            </tbody>
          </table>
        </section>
      )}

      {editable && (
        <CompleteForm
          a={a}
          missing={unanswered.length}
          onDone={async () => {
            await load();
            await onChanged();
          }}
        />
      )}
      {a.findings.length > 0 && <FindingsTable findings={a.findings} items={items} canManage={canManage} onChanged={load} />}
    </div>
  );
}

function SummaryView({ a }: { a: Assessment }) {
  const { t } = useTranslation();
  const s = a.summary!;
  return (
    <div className="stats" data-testid="assessment-summary">
      <div className="stat">
        <div className="stat-value" data-testid="summary-percent">
          {s.percent_met != null ? `${s.percent_met}%` : '—'}
        </div>
        <div className="stat-label">{t('assessments.percent_met')}</div>
      </div>
      {(['met', 'partly_met', 'not_met', 'not_applicable'] as const).map((k) => (
        <div className="stat" key={k}>
          <div className="stat-value" data-testid={`summary-${k}`}>
            {s[k]}
          </div>
          <div className="stat-label">{t(`assessments.statuses.${k}`)}</div>
        </div>
      ))}
      <div className="stat">
        <div className="stat-value">{formatDay(a.completed_on)}</div>
        <div className="stat-label">{t('assessments.completed_on')}</div>
      </div>
    </div>
  );
}

function ItemRow({
  assessmentId,
  item,
  result,
  evidence,
  editable,
  onSaved,
}: {
  assessmentId: number;
  item: ChecklistItem;
  result: ItemResult | undefined;
  evidence: Evidence[];
  editable: boolean;
  onSaved: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<ItemStatus | ''>(result?.status ?? '');
  const [reason, setReason] = useState(result?.reason ?? '');
  const [comment, setComment] = useState(result?.comment ?? '');
  const [file, setFile] = useState<File | null>(null);
  const save = useAction();
  const upload = useAction();

  useEffect(() => {
    setStatus(result?.status ?? '');
    setReason(result?.reason ?? '');
    setComment(result?.comment ?? '');
  }, [result]);

  const dirty = status !== (result?.status ?? '') || reason !== (result?.reason ?? '') || comment !== (result?.comment ?? '');

  return (
    <tr data-testid="checklist-item" data-item={item.id} data-status={result?.status ?? ''}>
      <td>
        <div>{item.title}</div>
        <div className="cite">
          {item.source.cite}
          {item.standard_clause && ` · ${item.standard_clause}`}
        </div>
        {item.evidence && <div className="muted small">{t('assessments.evidence_hint', { text: item.evidence })}</div>}
      </td>
      <td className="item-result">
        {editable ? (
          <>
            <select value={status} onChange={(e) => setStatus(e.target.value as ItemStatus)} data-testid="item-status">
              <option value="">{t('assessments.unanswered')}</option>
              {ITEM_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`assessments.statuses.${s}`)}
                </option>
              ))}
            </select>
            {status === 'not_applicable' && (
              <input type="text" placeholder={t('assessments.reason')} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="item-reason" />
            )}
            <input type="text" placeholder={t('assessments.comment')} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="item-comment" />
            <button
              type="button"
              disabled={!dirty || status === '' || save.busy}
              onClick={() =>
                void save.act(async () => {
                  await assessmentsApi.putResult(assessmentId, { item: item.id, status: status as ItemStatus, reason: reason.trim(), comment: comment.trim() });
                  await onSaved();
                })
              }
              data-testid="item-save"
            >
              {t('common.save')}
            </button>
            <ErrorMessage error={save.error} />
          </>
        ) : result ? (
          <>
            <span className={`badge ${statusBadge(result.status)}`}>{t(`assessments.statuses.${result.status}`)}</span>
            {result.reason && <div className="small">{result.reason}</div>}
            {result.comment && <div className="muted small">{result.comment}</div>}
          </>
        ) : (
          <span className="muted">{t('assessments.unanswered')}</span>
        )}
      </td>
      <td>
        {evidence.map((e) => (
          <div key={e.id} className="small" data-testid="item-evidence">
            <a href={assessmentsApi.evidenceUrl(e.id)} title={`SHA-256 ${e.sha256}`}>
              {e.filename}
            </a>
          </div>
        ))}
        {editable && (
          <div className="upload-row">
            <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="item-evidence-file" />
            <button
              type="button"
              disabled={!file || upload.busy}
              onClick={() =>
                void upload.act(async () => {
                  await assessmentsApi.uploadEvidence(assessmentId, item.id, file!);
                  setFile(null);
                  await onSaved();
                })
              }
              data-testid="item-evidence-upload"
            >
              {t('assessments.upload')}
            </button>
            <ErrorMessage error={upload.error} />
          </div>
        )}
      </td>
    </tr>
  );
}

function statusBadge(s: ItemStatus): string {
  return s === 'met' ? 'badge-ok' : s === 'not_met' ? 'badge-danger' : s === 'partly_met' ? 'badge-warning' : '';
}

function CompleteForm({ a, missing, onDone }: { a: Assessment; missing: number; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [on, setOn] = useState(formatDay(todayVn()));
  const [dateError, setDateError] = useState<string | null>(null);
  const { busy, error, act } = useAction();
  return (
    <section className="panel" data-testid="assessment-complete-form">
      <h2>{t('assessments.complete')}</h2>
      {missing > 0 && <p className="muted">{t('assessments.missing', { count: missing })}</p>}
      <div className="fact-grid">
        <Field label={t('assessments.completed_on')} hint="dd/mm/yyyy">
          <input type="text" value={on} onChange={(e) => setOn(e.target.value)} data-testid="assessment-completed-on" />
          {dateError && <div className="field-error">{dateError}</div>}
        </Field>
      </div>
      <ErrorMessage error={error} />
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => {
            const day = parseVnDay(on);
            if (!day) {
              setDateError(t('systems.bad_date'));
              return;
            }
            setDateError(null);
            void act(async () => {
              await assessmentsApi.complete(a.id, day);
              await onDone();
            });
          }}
          data-testid="assessment-complete"
        >
          {t('assessments.complete')}
        </button>
      </div>
    </section>
  );
}

function FindingsTable({ findings, items, canManage, onChanged }: { findings: Finding[]; items: ChecklistItem[]; canManage: boolean; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<number | null>(null);
  const titleOf = (id: string) => items.find((i) => i.id === id)?.source.cite ?? id;
  return (
    <section className="panel table-panel padded">
      <h2>{t('assessments.findings')}</h2>
      <table className="table" data-testid="findings">
        <thead>
          <tr>
            <th>{t('assessments.finding')}</th>
            <th>{t('assessments.owner')}</th>
            <th>{t('assessments.due_on')}</th>
            <th>{t('assessments.state')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {findings.map((f) => (
            <FindingRow key={f.id} f={f} cite={titleOf(f.item)} canManage={canManage} editing={editing === f.id} onEdit={() => setEditing(editing === f.id ? null : f.id)} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function FindingRow({ f, cite, canManage, editing, onEdit, onChanged }: { f: Finding; cite: string; canManage: boolean; editing: boolean; onEdit: () => void; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [owner, setOwner] = useState(f.owner);
  const [due, setDue] = useState(formatDay(f.due_on));
  const [note, setNote] = useState(f.remediation);
  const [retestOn, setRetestOn] = useState(formatDay(todayVn()));
  const [retestStatus, setRetestStatus] = useState<ItemStatus>('met');
  const [retestBy, setRetestBy] = useState('');
  const [dateError, setDateError] = useState<string | null>(null);
  const save = useAction();
  const retest = useAction();
  return (
    <>
      <tr data-testid="finding-row" data-id={f.id} data-item={f.item} data-open={String(f.open)} data-overdue={String(f.overdue)}>
        <td>
          <span className={`badge ${statusBadge(f.status)}`}>{t(`assessments.statuses.${f.status}`)}</span> {f.description}
          <div className="cite">{cite}</div>
          {f.remediation && <div className="muted small pre-wrap">{f.remediation}</div>}
        </td>
        <td>{f.owner || '—'}</td>
        <td className="nowrap">
          {formatDay(f.due_on) || '—'} {f.overdue && <span className="badge badge-danger">{t('assessments.overdue')}</span>}
        </td>
        <td>
          {f.open ? t('assessments.open') : t('assessments.closed_on', { date: formatDay(f.closed_on) })}
          {f.retests.map((r, i) => (
            <div key={i} className="muted small">
              {t('assessments.retest_line', { date: formatDay(r.on), status: t(`assessments.statuses.${r.status}`), by: r.by || '—' })}
            </div>
          ))}
        </td>
        <td>
          {canManage && f.open && (
            <button type="button" className="link-button" onClick={onEdit} data-testid="finding-edit">
              {t('assessments.remediate')}
            </button>
          )}
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={5}>
            <div className="fact-grid">
              <Field label={t('assessments.owner')}>
                <input type="text" value={owner} onChange={(e) => setOwner(e.target.value)} data-testid="finding-owner" />
              </Field>
              <Field label={t('assessments.due_on')} hint="dd/mm/yyyy">
                <input type="text" value={due} onChange={(e) => setDue(e.target.value)} data-testid="finding-due" />
              </Field>
              <Field label={t('assessments.remediation')}>
                <input type="text" value={note} onChange={(e) => setNote(e.target.value)} data-testid="finding-remediation" />
              </Field>
            </div>
            {dateError && <div className="field-error">{dateError}</div>}
            <ErrorMessage error={save.error} />
            <div className="button-row">
              <button
                type="button"
                disabled={save.busy}
                onClick={() => {
                  const day = parseVnDay(due);
                  if (day === null) {
                    setDateError(t('systems.bad_date'));
                    return;
                  }
                  setDateError(null);
                  void save.act(async () => {
                    await assessmentsApi.updateFinding(f.id, { owner: owner.trim(), due_on: day || null, remediation: note.trim() });
                    await onChanged();
                  });
                }}
                data-testid="finding-save"
              >
                {t('common.save')}
              </button>
            </div>
            <h3>{t('assessments.retest')}</h3>
            <div className="fact-grid">
              <Field label={t('assessments.retest_on')} hint="dd/mm/yyyy">
                <input type="text" value={retestOn} onChange={(e) => setRetestOn(e.target.value)} data-testid="retest-on" />
              </Field>
              <Field label={t('assessments.result')}>
                <select value={retestStatus} onChange={(e) => setRetestStatus(e.target.value as ItemStatus)} data-testid="retest-status">
                  {(['met', 'partly_met', 'not_met'] as const).map((s) => (
                    <option key={s} value={s}>
                      {t(`assessments.statuses.${s}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('assessments.retest_by')}>
                <input type="text" value={retestBy} onChange={(e) => setRetestBy(e.target.value)} data-testid="retest-by" />
              </Field>
            </div>
            <ErrorMessage error={retest.error} />
            <div className="button-row">
              <button
                type="button"
                className="primary"
                disabled={retest.busy}
                onClick={() => {
                  const day = parseVnDay(retestOn);
                  if (!day) {
                    setDateError(t('systems.bad_date'));
                    return;
                  }
                  setDateError(null);
                  void retest.act(async () => {
                    await assessmentsApi.addRetest(f.id, { on: day, status: retestStatus, by: retestBy.trim() });
                    await onChanged();
                  });
                }}
                data-testid="retest-submit"
              >
                {t('assessments.record_retest')}
              </button>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
