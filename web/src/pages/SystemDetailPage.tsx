// One information system: its blocking warnings (gates) on top, then tabs for the record and its
// computed level with the legal reasoning, the level dossier, the assets, the accounts and the
// backups, and its assessments. The tab is kept in the address (?tab=dossier) so a link can open it.
import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api, type Regime, type SystemDetail } from '../api';
import { ErrorMessage, Modal, Notice, PageHeader, Spinner } from '../components/ui';
import { LevelResultView } from '../components/LevelResultView';
import { citeText } from '../compliance';
import { formatDateTime, formatDay } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';
import { DossierPanel } from '../components/DossierPanel';
import { AssessmentsPanel } from '../components/AssessmentsPanel';
import { AccountsPanel, AssetsTable, BackupsPanel } from '../components/RegistryPanels';
import { LevelBadge, regimeShortName } from './SystemsPage';
import { SystemPlansPanel } from './incident/SystemPlansPanel';

const TABS = ['overview', 'dossier', 'assessments', 'assets', 'accounts', 'backups'] as const;
type Tab = (typeof TABS)[number];

export function SystemDetailPage() {
  const { t } = useTranslation();
  const { id: idParam } = useParams();
  const id = Number(idParam);
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'overview';
  const { perms } = useSession();
  const [system, setSystem] = useState<SystemDetail | null>(null);
  const [regimes, setRegimes] = useState<Regime[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const del = useAction();
  const saved = (location.state as { saved?: boolean } | null)?.saved === true;

  const load = useCallback(async () => {
    try {
      setSystem(await api.getSystem(id));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);

  useEffect(() => {
    void load();
    api.listRegimes().then((r) => setRegimes(r.items), () => setRegimes([]));
  }, [load]);

  if (error && !system) return <ErrorMessage error={error} />;
  if (!system) return <Spinner />;

  const canManage = perms.canManageRegistryOf(system.org_id);
  const regime = regimes.find((r) => r.id === system.regime_id);
  const yesNo = (b: boolean) => (b ? t('common.yes') : t('common.no'));

  return (
    <div data-testid="system-detail-page" data-system-id={system.id}>
      <PageHeader
        title={system.name}
        subtitle={`${system.org_name} · ${regimeShortName(regimes, system.regime_id)}`}
        actions={
          canManage && (
            <>
              <Link className="button" to={`/systems/${system.id}/edit`} data-testid="system-edit">
                {t('systems.edit')}
              </Link>
              <button type="button" className="danger" onClick={() => setDeleting(true)} data-testid="system-delete">
                {t('systems.delete')}
              </button>
            </>
          )
        }
      />
      {saved && <Notice testId="system-saved">{t('systems.saved')}</Notice>}
      <ErrorMessage error={error} />

      {system.gates.length > 0 && (
        <div className="alert alert-error gates" role="alert" data-testid="system-gates">
          <strong>{t('systems.gates_title', { count: system.gates.length })}</strong>
          <ul>
            {system.gates.map((g) => (
              <li key={g.id} data-testid="system-gate" data-gate-id={g.id}>
                {g.message}
                {citeText(g.cite) && <span className="cite"> — {citeText(g.cite)}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="tabs" role="tablist">
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={tab === k}
            className={`tab${tab === k ? ' active' : ''}`}
            onClick={() => setParams(k === 'overview' ? {} : { tab: k }, { replace: true })}
            data-testid={`system-tab-${k}`}
          >
            {t(`systems.tabs.${k}`)}
          </button>
        ))}
      </div>

      {tab === 'overview' && (
        <>
          <section className="panel">
            <div className="system-levels">
              <LevelBadge level={system.proposed_level} approved={system.approved_level} />
              {system.approved_on && <span className="muted small">{t('systems.approved_on', { date: formatDay(system.approved_on) })}</span>}
            </div>
            <dl className="props" data-testid="system-props">
              <dt>{t('systems.owner')}</dt>
              <dd>{system.owner}</dd>
              <dt>{t('systems.lead_operator')}</dt>
              <dd>{system.lead_operator}</dd>
              {system.operators.length > 0 && (
                <>
                  <dt>{t('systems.operators')}</dt>
                  <dd>{system.operators.join('; ')}</dd>
                </>
              )}
              <dt>{t('systems.lifecycle')}</dt>
              <dd>{t(`systems.lifecycles.${system.lifecycle}`)}</dd>
              <dt>{t('systems.go_live_on')}</dt>
              <dd>{formatDay(system.go_live_on) || '—'}</dd>
              {system.major_change_on && (
                <>
                  <dt>{t('systems.major_change_on')}</dt>
                  <dd>{formatDay(system.major_change_on)}</dd>
                </>
              )}
              <dt>{t('systems.security_regulation_issued_on')}</dt>
              <dd>{formatDay(system.security_regulation_issued_on) || t('systems.not_issued')}</dd>
              <dt>{t('systems.plan_status')}</dt>
              <dd>{t(`systems.plan_statuses.${system.plan_status}`)}</dd>
              <dt>{t('systems.hosting')}</dt>
              <dd>
                {t(`systems.hostings.${system.hosting}`)}
                {system.hosting !== 'on_premises' && ` · ${t(`systems.separations.${system.separation}`)}`}
              </dd>
              <dt>{t('systems.requires_24x7')}</dt>
              <dd>{yesNo(system.requires_24x7)}</dd>
              <dt>{t('systems.critical_list')}</dt>
              <dd>{yesNo(system.critical_list)}</dd>
              {system.web_addresses.length > 0 && (
                <>
                  <dt>{t('systems.web_addresses')}</dt>
                  <dd className="mono">{system.web_addresses.join(', ')}</dd>
                </>
              )}
              {system.public_ips.length > 0 && (
                <>
                  <dt>{t('systems.public_ips')}</dt>
                  <dd className="mono">{system.public_ips.join(', ')}</dd>
                </>
              )}
              {system.components.length > 0 && (
                <>
                  <dt>{t('systems.components')}</dt>
                  <dd>
                    {system.components.map((c) => (
                      <div key={c.id}>
                        <Link to={`/systems/${c.id}`}>{c.name}</Link> · {t('level_calc.level_n', { level: c.proposed_level })}
                      </div>
                    ))}
                  </dd>
                </>
              )}
              <dt>{t('common.updated_at')}</dt>
              <dd>{formatDateTime(system.updated_at)}</dd>
            </dl>
          </section>
          <LevelResultView result={system.level} regime={regime} stale={false} />
          <SystemPlansPanel systemId={system.id} canManage={canManage} />
        </>
      )}
      {tab === 'dossier' && <DossierPanel system={system} canManage={canManage} onChanged={load} />}
      {tab === 'assessments' && <AssessmentsPanel system={system} canManage={canManage} />}
      {tab === 'assets' && <AssetsTable systemId={system.id} orgId={system.org_id} canManage={canManage} />}
      {tab === 'accounts' && <AccountsPanel systemId={system.id} canManage={canManage} />}
      {tab === 'backups' && <BackupsPanel systemId={system.id} canManage={canManage} />}

      {deleting && (
        <Modal
          title={t('systems.delete_title')}
          onClose={() => setDeleting(false)}
          footer={
            <>
              <button type="button" onClick={() => setDeleting(false)}>
                {t('common.cancel')}
              </button>
              <button
                type="button"
                className="danger"
                disabled={del.busy}
                onClick={() =>
                  void del.act(async () => {
                    await api.deleteSystem(system.id);
                    navigate('/systems', { replace: true });
                  })
                }
                data-testid="system-delete-confirm"
              >
                {t('systems.delete')}
              </button>
            </>
          }
        >
          <p>{t('systems.delete_confirm', { name: system.name })}</p>
          <ErrorMessage error={del.error} />
        </Modal>
      )}
    </div>
  );
}
