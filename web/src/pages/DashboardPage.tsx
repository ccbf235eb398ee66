// The province dashboard (leaders' landing page): systems by level, approvals ("97/97"), security
// plans, level dossiers, overdue assessments and findings, anti-malware coverage of workstations,
// and the league table of agencies. Every figure is computed by the server over the caller's scope.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { assessmentsApi, type Dashboard, type Id } from '../api';
import { ErrorMessage, OrgSelect, PageHeader, Spinner } from '../components/ui';
import { formatDay } from '../format';
import { useSession } from '../session';

export function DashboardPage() {
  const { t } = useTranslation();
  const { orgs } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [d, setD] = useState<Dashboard | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    assessmentsApi.dashboard({ org_id: orgId ?? undefined }).then(
      (v) => {
        if (!live) return;
        setD(v);
        setError(null);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [orgId]);

  return (
    <div data-testid="dashboard-page">
      <PageHeader title={t('dashboard.title', { name: d?.org.name ?? '' })} subtitle={d ? t('dashboard.subtitle', { date: formatDay(d.today) }) : undefined} />
      <div className="toolbar panel">
        <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} emptyLabel={t('dashboard.whole_scope')} testId="dashboard-org-filter" />
      </div>
      <ErrorMessage error={error} />
      {!d && !error && <Spinner />}
      {d && (
        <>
          <section className="panel">
            <div className="stats">
              <div className="stat">
                <div className="stat-value" data-testid="dash-approved-ratio">
                  {d.systems.approved_ratio}
                </div>
                <div className="stat-label">{t('dashboard.approved_ratio')}</div>
              </div>
              <div className="stat">
                <div className="stat-value" data-testid="dash-overdue-assessments">
                  {d.assessments.overdue_systems}
                </div>
                <div className="stat-label">{t('dashboard.overdue_assessments')}</div>
              </div>
              <div className="stat">
                <div className="stat-value" data-testid="dash-findings-open">
                  {d.findings.open}
                </div>
                <div className="stat-label">{t('dashboard.open_findings')}</div>
              </div>
              <div className="stat">
                <div className="stat-value" data-testid="dash-findings-overdue">
                  {d.findings.overdue}
                </div>
                <div className="stat-label">{t('dashboard.overdue_findings')}</div>
              </div>
              <div className="stat">
                <div className="stat-value" data-testid="dash-coverage">
                  {d.coverage.workstations_protected}/{d.coverage.workstations} <span className="stat-percent">({d.coverage.percent}%)</span>
                </div>
                <div className="stat-label">{t('dashboard.coverage')}</div>
              </div>
            </div>
            <p className="muted small">{t('assets.coverage_rule', { date: formatDay(d.coverage.updated_since) })}</p>
          </section>

          <div className="cards">
            <section className="panel table-panel padded">
              <h2>{t('dashboard.by_level')}</h2>
              <table className="table" data-testid="dash-levels">
                <thead>
                  <tr>
                    <th>{t('dashboard.level')}</th>
                    <th>{t('dashboard.proposed')}</th>
                    <th>{t('dashboard.approved')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.levels.map((l) => (
                    <tr key={l.level} data-testid="dash-level" data-level={l.level}>
                      <td>{t('level_calc.level_n', { level: l.level })}</td>
                      <td>{l.proposed}</td>
                      <td>{l.approved}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="panel table-panel padded">
              <h2>{t('dashboard.plans')}</h2>
              <table className="table" data-testid="dash-plans">
                <tbody>
                  {(['fully', 'partly', 'not_started'] as const).map((k) => (
                    <tr key={k}>
                      <td>{t(`systems.plan_statuses.${k}`)}</td>
                      <td data-testid={`dash-plan-${k}`}>{d.plans[k]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>{t('dashboard.dossiers')}</h2>
              <table className="table" data-testid="dash-dossiers">
                <tbody>
                  {(['none', 'drafting', 'sent_for_appraisal', 'appraised', 'approved'] as const).map((k) => (
                    <tr key={k}>
                      <td>{k === 'none' ? t('dashboard.no_dossier') : t(`dossier.states.${k}`)}</td>
                      <td data-testid={`dash-dossier-${k}`}>{d.dossiers[k]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>

          <section className="panel table-panel padded">
            <h2>{t('dashboard.league')}</h2>
            <div className="table-scroll">
              <table className="table" data-testid="dash-agencies">
                <thead>
                  <tr>
                    <th>{t('dashboard.agency')}</th>
                    <th>{t('dashboard.systems')}</th>
                    <th>{t('dashboard.approved')}</th>
                    <th>{t('dashboard.percent_approved')}</th>
                    <th>{t('dashboard.overdue_items')}</th>
                    <th>{t('dashboard.coverage_percent')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.agencies.map((a) => (
                    <tr key={a.org_id} data-testid="dash-agency" data-org-id={a.org_id} data-name={a.org_name}>
                      <td>{a.org_name}</td>
                      <td>{a.systems}</td>
                      <td>{a.approved}</td>
                      <td>{a.percent_approved}%</td>
                      <td title={t('dashboard.overdue_items_detail', { findings: a.overdue_findings, duties: a.overdue_duties })}>
                        {a.overdue_items > 0 ? <span className="badge badge-danger">{a.overdue_items}</span> : 0}
                      </td>
                      <td>{a.workstations > 0 ? `${a.coverage_percent}% (${a.workstations_protected}/${a.workstations})` : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="muted small">
              {t('dashboard.league_note')} <Link to="/schedules">{t('nav.schedules')}</Link>
            </p>
          </section>
        </>
      )}
    </div>
  );
}
