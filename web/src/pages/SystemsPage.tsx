// The registry of information systems (Danh mục hệ thống thông tin): every system in the user's
// scope with its proposed and approved level, filtered on the server (agency, level, lifecycle,
// name), with CSV export and import.
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api, LIFECYCLES, type Id, type InfoSystem, type List, type Regime } from '../api';
import { ErrorMessage, Notice, OrgSelect, PageHeader, Pager } from '../components/ui';
import { ImportDialog } from '../components/ImportDialog';
import { formatDateTime } from '../format';
import { useSession } from '../session';

const PAGE_SIZE = 50;

/** The short legal name of a regime for a table cell: its decree, as the users say it. */
export function regimeShortName(regimes: Regime[], id: string): string {
  const r = regimes.find((x) => x.id === id);
  const decree = r?.legal_basis.find((b) => /^Nghị định/i.test(b));
  return decree ? decree.replace(/^Nghị định\s*/i, 'NĐ ') : id;
}

export function LevelBadge({ level, approved }: { level: number; approved?: number | null }) {
  const { t } = useTranslation();
  return (
    <span className="level-cell">
      <span className={`level-chip level-${level}`}>{t('level_calc.level_n', { level })}</span>
      {approved != null ? (
        <span className="badge badge-ok" title={t('systems.approved_level')}>
          ✓ {t('systems.approved_short', { level: approved })}
        </span>
      ) : (
        <span className="badge badge-muted">{t('systems.not_approved')}</span>
      )}
    </span>
  );
}

export function SystemsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { orgs, perms } = useSession();
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState<{ q: string; org_id: Id | null; level: string; lifecycle: string }>({
    q: '',
    org_id: null,
    level: '',
    lifecycle: '',
  });
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<List<InfoSystem> | null>(null);
  const [regimes, setRegimes] = useState<Regime[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(
        await api.listSystems({
          q: applied.q || undefined,
          org_id: applied.org_id ?? undefined,
          level: applied.level ? Number(applied.level) : undefined,
          lifecycle: applied.lifecycle || undefined,
          limit: PAGE_SIZE,
          offset,
        }),
      );
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [applied, offset]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api.listRegimes().then((r) => setRegimes(r.items), setError);
  }, []);

  const change = (patch: Partial<typeof applied>) => {
    setOffset(0);
    setApplied((a) => ({ ...a, ...patch }));
  };

  return (
    <div data-testid="systems-page">
      <PageHeader
        title={t('systems.title')}
        subtitle={t('systems.subtitle')}
        actions={
          <>
            <a className="button" href={api.systemsExportUrl({ org_id: applied.org_id ?? undefined })} download data-testid="systems-export">
              {t('registry.export_csv')}
            </a>
            <a
              className="button"
              href={api.systemsExportUrl({ org_id: applied.org_id ?? undefined }, 'xlsx')}
              download
              data-testid="systems-export-xlsx"
            >
              {t('registry.export_xlsx')}
            </a>
            {perms.canManageRegistry && (
              <>
                <button type="button" onClick={() => setImporting(true)} data-testid="systems-import">
                  {t('registry.import_csv')}
                </button>
                <Link className="button primary" to="/systems/new" data-testid="system-create">
                  {t('systems.create')}
                </Link>
              </>
            )}
          </>
        }
      />
      {notice && <Notice testId="systems-notice">{notice}</Notice>}
      <form
        className="toolbar panel"
        onSubmit={(e) => {
          e.preventDefault();
          change({ q: q.trim() });
        }}
      >
        <input type="search" placeholder={t('systems.search')} aria-label={t('systems.search')} value={q} onChange={(e) => setQ(e.target.value)} data-testid="systems-search" />
        <OrgSelect orgs={orgs} value={applied.org_id} onChange={(v) => change({ org_id: v })} emptyLabel={t('systems.all_orgs')} testId="systems-org-filter" />
        <select value={applied.level} onChange={(e) => change({ level: e.target.value })} aria-label={t('systems.level')} data-testid="systems-level-filter">
          <option value="">{t('systems.all_levels')}</option>
          {[1, 2, 3, 4, 5].map((l) => (
            <option key={l} value={String(l)}>
              {t('level_calc.level_n', { level: l })}
            </option>
          ))}
        </select>
        <select value={applied.lifecycle} onChange={(e) => change({ lifecycle: e.target.value })} aria-label={t('systems.lifecycle')}>
          <option value="">{t('systems.all_lifecycles')}</option>
          {LIFECYCLES.map((l) => (
            <option key={l} value={l}>
              {t(`systems.lifecycles.${l}`)}
            </option>
          ))}
        </select>
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorMessage error={error} />
      <div className="panel table-panel">
        <table className="table" data-testid="systems-table">
          <thead>
            <tr>
              <th>{t('systems.name')}</th>
              <th>{t('systems.org')}</th>
              <th>{t('systems.regime')}</th>
              <th>{t('systems.level')}</th>
              <th>{t('systems.lifecycle')}</th>
              <th>{t('common.updated_at')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((s) => (
              <tr key={s.id} className="clickable" onClick={() => navigate(`/systems/${s.id}`)} data-testid="system-row" data-name={s.name}>
                <td>
                  <Link to={`/systems/${s.id}`} onClick={(e) => e.stopPropagation()}>
                    {s.name}
                  </Link>
                  {s.parent_id != null && <div className="muted small">{t('systems.is_component')}</div>}
                </td>
                <td>{s.org_name}</td>
                <td className="nowrap">{regimeShortName(regimes, s.regime_id)}</td>
                <td className="nowrap">
                  <LevelBadge level={s.proposed_level} approved={s.approved_level} />
                </td>
                <td>{t(`systems.lifecycles.${s.lifecycle}`)}</td>
                <td className="nowrap">{formatDateTime(s.updated_at)}</td>
              </tr>
            ))}
            {data && data.items.length === 0 && (
              <tr>
                <td colSpan={6} className="muted center">
                  {t('systems.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {data && <Pager total={data.total} offset={offset} limit={PAGE_SIZE} onChange={setOffset} />}
      </div>
      {importing && (
        <ImportDialog
          title={t('systems.import_title')}
          templateUrl={api.systemsTemplateUrl}
          onImport={api.importSystems}
          onImportXlsx={api.importSystemsXlsx}
          onClose={(created) => {
            setImporting(false);
            if (created > 0) {
              setNotice(t('registry.import_done', { count: created }));
              void load();
            }
          }}
          testId="systems-import-dialog"
        />
      )}
    </div>
  );
}
