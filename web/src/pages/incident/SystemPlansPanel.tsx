// The response plans attached to one information system (issue 4, "Response plans"): which
// scenarios the system is prepared for (defacement for a portal, ransomware for a database...).
// An incident on the system offers these plans first (PlansPanel). Attaching and detaching need
// the registry's management right; the server checks it. Mounted by SystemDetailPage.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { evidenceApi, type Id, type ResponsePlan, type SystemPlan } from '../../api';
import { ErrorMessage } from '../../components/ui';
import { formatDateTime } from '../../format';
import { useAction } from '../../useAction';

export function SystemPlansPanel({ systemId, canManage }: { systemId: Id; canManage: boolean }) {
  const { t } = useTranslation();
  const action = useAction();
  const [plans, setPlans] = useState<ResponsePlan[]>([]);
  const [attached, setAttached] = useState<SystemPlan[]>([]);
  const [chosen, setChosen] = useState('');
  const [loadError, setLoadError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    const [library, mine] = await Promise.all([evidenceApi.plans(), evidenceApi.systemPlans(systemId)]);
    setPlans(library.items);
    setAttached(mine.items);
  }, [systemId]);

  useEffect(() => {
    reload().catch(setLoadError);
  }, [reload]);

  const free = plans.filter((p) => !attached.some((a) => a.plan_id === p.id));
  const nameOf = (id: string) => plans.find((p) => p.id === id)?.name ?? id;

  return (
    <section data-testid="system-plans">
      <h2>{t('plans.title')}</h2>
      <ErrorMessage error={loadError ?? action.error} />
      {attached.length === 0 ? (
        <p className="muted">{t('plans.none_attached')}</p>
      ) : (
        <ul className="plain">
          {attached.map((a) => (
            <li key={a.plan_id}>
              {nameOf(a.plan_id)} <span className="muted small">· {a.attached_by} · {formatDateTime(a.attached_at)}</span>
              {canManage && (
                <button
                  type="button"
                  className="link-button"
                  disabled={action.busy}
                  onClick={() => void action.act(async () => {
                    await evidenceApi.detachPlan(systemId, a.plan_id);
                    await reload();
                  })}
                >
                  {t('plans.detach')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canManage && free.length > 0 && (
        <div className="filter-row">
          <select value={chosen} onChange={(e) => setChosen(e.target.value)} aria-label={t('plans.choose')} data-testid="system-plans-choose">
            <option value="">{t('plans.choose')}</option>
            {free.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={!chosen || action.busy}
            onClick={() => void action.act(async () => {
              await evidenceApi.attachPlan(systemId, chosen);
              setChosen('');
              await reload();
            })}
            data-testid="system-plans-attach"
          >
            {t('plans.attach')}
          </button>
        </div>
      )}
    </section>
  );
}
