// The legal schedule (lịch kiểm tra, đánh giá): for every system in scope, each duty of the law and
// of the provincial plan with its next due day, overdue ones first by due day, and a count per
// agency. Duties vigil has no record of (scans, drills) are shown as never recorded, due now.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { assessmentsApi, type Id, type ScheduleList } from '../api';
import { ErrorMessage, OrgSelect, PageHeader, Pager, Spinner } from '../components/ui';
import { formatDay } from '../format';
import { useSession } from '../session';

const HORIZONS = [30, 90, 180, 365];
const PAGE = 100;

export function SchedulePage() {
  const { t } = useTranslation();
  const { orgs } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [horizon, setHorizon] = useState(90);
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<ScheduleList | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    assessmentsApi.schedules({ org_id: orgId ?? undefined, horizon_days: horizon, limit: PAGE, offset }).then(
      (v) => {
        if (!live) return;
        setData(v);
        setError(null);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [orgId, horizon, offset]);

  return (
    <div data-testid="schedule-page">
      <PageHeader title={t('schedules.title')} subtitle={t('schedules.subtitle')} />
      <div className="toolbar panel">
        <OrgSelect
          orgs={orgs}
          value={orgId}
          onChange={(id) => {
            setOrgId(id);
            setOffset(0);
          }}
          emptyLabel={t('systems.all_orgs')}
          testId="schedule-org-filter"
        />
        <select
          value={horizon}
          onChange={(e) => {
            setHorizon(Number(e.target.value));
            setOffset(0);
          }}
          data-testid="schedule-horizon"
        >
          {HORIZONS.map((h) => (
            <option key={h} value={h}>
              {t('schedules.horizon', { days: h })}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={error} />
      {!data && !error && <Spinner />}
      {data && (
        <>
          <section className="panel table-panel padded">
            <h2>{t('schedules.by_agency')}</h2>
            <table className="table" data-testid="schedule-agencies">
              <thead>
                <tr>
                  <th>{t('dashboard.agency')}</th>
                  <th>{t('schedules.overdue')}</th>
                  <th>{t('schedules.upcoming')}</th>
                </tr>
              </thead>
              <tbody>
                {data.agencies.map((a) => (
                  <tr key={a.org_id} data-testid="schedule-agency" data-org-id={a.org_id}>
                    <td>{a.org_name}</td>
                    <td>{a.overdue > 0 ? <span className="badge badge-danger">{a.overdue}</span> : 0}</td>
                    <td>{a.upcoming}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel table-panel padded">
            <h2>{t('schedules.duties', { count: data.total })}</h2>
            {data.items.length === 0 && <p className="muted">{t('schedules.none')}</p>}
            {data.items.length > 0 && (
              <div className="table-scroll">
                <table className="table" data-testid="schedule-items">
                  <thead>
                    <tr>
                      <th>{t('schedules.due_on')}</th>
                      <th>{t('schedules.system')}</th>
                      <th>{t('schedules.activity')}</th>
                      <th>{t('schedules.last_done')}</th>
                      <th>{t('level_calc.cite')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((i, n) => (
                      <tr
                        key={`${i.system_id}-${i.schedule}-${i.activity}-${n}`}
                        data-testid="schedule-item"
                        data-system-id={i.system_id}
                        data-activity={i.activity}
                        data-overdue={String(i.overdue)}
                      >
                        <td className="nowrap">
                          <strong>{formatDay(i.due_on)}</strong>{' '}
                          {i.overdue ? (
                            <span className="badge badge-danger">{t('schedules.overdue_days', { count: -i.days_left })}</span>
                          ) : i.days_left === 0 ? (
                            <span className="badge badge-warning">{t('schedules.due_today')}</span>
                          ) : (
                            <span className="muted small">{t('schedules.days_left', { count: i.days_left })}</span>
                          )}
                        </td>
                        <td>
                          {i.system_id !== null ? (
                            <>
                              <Link to={`/systems/${i.system_id}?tab=assessments`}>{i.system_name}</Link>
                              <div className="muted small">
                                {i.org_name} · {t('level_calc.level_n', { level: i.level })}
                              </div>
                            </>
                          ) : (
                            <>
                              {t('schedules.whole_org')}
                              <div className="muted small">{i.org_name}</div>
                            </>
                          )}
                        </td>
                        <td>
                          {i.label}
                          <div className="muted small">{i.rule}</div>
                        </td>
                        <td>
                          {i.last_done ? formatDay(i.last_done) : i.recorded ? t('schedules.never_done') : t('schedules.not_recorded')}
                        </td>
                        <td className="cite">
                          {i.source.cite}
                          {!i.verified && <span className="badge badge-warning">{t('schedules.unverified')}</span>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {data.total > PAGE && <Pager total={data.total} offset={offset} limit={PAGE} onChange={setOffset} />}
          </section>
        </>
      )}
    </div>
  );
}
