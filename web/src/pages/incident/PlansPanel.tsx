// Response plans of one incident (issue 4, "Response plans"): the plans attached to the incident's
// information system are offered first, then the rest of the library; applying one creates its
// tasks (due dates counted from the detection time on the working calendar) and shows what was
// applied. A plan is applied once per incident (the server refuses a second time). Mounted by
// IncidentPage, which reloads the incident (its tasks and timeline) through `onApplied`.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { evidenceApi, type AppliedPlan, type Id, type ResponsePlan } from '../../api';
import { ErrorMessage } from '../../components/ui';
import { formatDateTime } from '../../format';
import { useAction } from '../../useAction';

export function PlansPanel({ incidentId, closed, onApplied }: { incidentId: Id; closed: boolean; onApplied: () => Promise<void> | void }) {
  const { t } = useTranslation();
  const action = useAction();
  const [plans, setPlans] = useState<ResponsePlan[]>([]);
  const [applied, setApplied] = useState<AppliedPlan[]>([]);
  const [attached, setAttached] = useState<string[]>([]);
  const [chosen, setChosen] = useState('');
  const [loadError, setLoadError] = useState<unknown>(null);

  const reload = async () => {
    const [library, mine] = await Promise.all([evidenceApi.plans(), evidenceApi.incidentPlans(incidentId)]);
    setPlans(library.items);
    setApplied(mine.applied);
    setAttached(mine.system_plans);
    return { library: library.items, mine };
  };

  useEffect(() => {
    reload().then(
      ({ library, mine }) => {
        const used = new Set(mine.applied.map((a) => a.plan_id));
        const first = mine.system_plans.find((p) => !used.has(p)) ?? library.find((p) => !used.has(p.id))?.id ?? '';
        setChosen(first);
      },
      setLoadError,
    );
  }, [incidentId]);

  const used = new Set(applied.map((a) => a.plan_id));
  // The system's plans first, then the others, in library order.
  const ordered = [...plans.filter((p) => attached.includes(p.id)), ...plans.filter((p) => !attached.includes(p.id))];
  const nameOf = (id: string) => plans.find((p) => p.id === id)?.name ?? id;

  const onApply = () =>
    void action.act(async () => {
      await evidenceApi.applyPlan(incidentId, chosen);
      await reload();
      await onApplied();
    });

  return (
    <section data-testid="plans-panel">
      <h2>{t('plans.title')}</h2>
      <ErrorMessage error={loadError ?? action.error} />
      {attached.length > 0 && (
        <p className="small" data-testid="plans-system">
          {t('plans.system_plans')}: {attached.map(nameOf).join(', ')}
        </p>
      )}
      {applied.length === 0 ? (
        <p className="muted">{t('plans.none_applied')}</p>
      ) : (
        <ul className="plain" data-testid="plans-applied">
          {applied.map((a) => (
            <li key={a.plan_id}>
              <strong>{nameOf(a.plan_id)}</strong>{' '}
              <span className="muted small">
                {t('plans.applied_by', { who: a.applied_by, at: formatDateTime(a.applied_at), count: a.tasks.length })}
              </span>
            </li>
          ))}
        </ul>
      )}
      {!closed && (
        <div className="filter-row">
          <select value={chosen} onChange={(e) => setChosen(e.target.value)} aria-label={t('plans.choose')} data-testid="plans-choose">
            {ordered.map((p) => (
              <option key={p.id} value={p.id} disabled={used.has(p.id)}>
                {attached.includes(p.id) ? '★ ' : ''}
                {p.name} ({t('plans.task_count', { count: p.tasks.length })})
              </option>
            ))}
          </select>
          <button type="button" onClick={onApply} disabled={!chosen || used.has(chosen) || action.busy} data-testid="plans-apply">
            {t('plans.apply')}
          </button>
        </div>
      )}
    </section>
  );
}
