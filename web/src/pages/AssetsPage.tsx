// Assets of the agencies in scope (Tài sản): anti-malware coverage on top, as the provincial
// reports state it ("42/42 máy trạm có phần mềm phòng chống mã độc có bản quyền (100%)"), then the
// asset list with CSV export and import.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Coverage, type CoverageRatio, type Id } from '../api';
import { ErrorMessage, Notice, OrgSelect, PageHeader } from '../components/ui';
import { ImportDialog } from '../components/ImportDialog';
import { AssetsTable } from '../components/RegistryPanels';
import { formatDay } from '../format';
import { useSession } from '../session';

function Ratio({ label, r, testId }: { label: string; r: CoverageRatio; testId: string }) {
  const { t } = useTranslation();
  const percent = r.percent === null ? '—' : `${r.percent.toLocaleString('vi-VN')}%`;
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-value">
        {r.covered}/{r.total} <span className="stat-percent">({percent})</span>
      </div>
      <div className="stat-label">{label}</div>
      {r.total > r.covered && <div className="small badge badge-warning">{t('assets.unprotected', { count: r.total - r.covered })}</div>}
    </div>
  );
}

export function AssetsPage() {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  useEffect(() => {
    api.assetCoverage({ org_id: orgId ?? undefined }).then((c) => {
      setCoverage(c);
      setError(null);
    }, setError);
  }, [orgId, reloadKey]);

  return (
    <div data-testid="assets-page">
      <PageHeader
        title={t('assets.title')}
        subtitle={t('assets.subtitle')}
        actions={
          <>
            <a className="button" href={api.assetsExportUrl({ org_id: orgId ?? undefined })} download data-testid="assets-export">
              {t('registry.export_csv')}
            </a>
            <a
              className="button"
              href={api.assetsExportUrl({ org_id: orgId ?? undefined }, 'xlsx')}
              download
              data-testid="assets-export-xlsx"
            >
              {t('registry.export_xlsx')}
            </a>
            {perms.canManageRegistry && (
              <button type="button" onClick={() => setImporting(true)} data-testid="assets-import">
                {t('registry.import_csv')}
              </button>
            )}
          </>
        }
      />
      {notice && <Notice>{notice}</Notice>}
      <div className="toolbar panel">
        <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} emptyLabel={t('systems.all_orgs')} testId="assets-org-filter" />
      </div>
      <ErrorMessage error={error} />
      {coverage && (
        <section className="panel" data-testid="assets-coverage">
          <h2>{t('assets.coverage')}</h2>
          <div className="stats">
            <Ratio label={t('assets.workstations_protected')} r={coverage.workstations_protected} testId="coverage-workstations" />
            <Ratio label={t('assets.servers_protected')} r={coverage.servers_protected} testId="coverage-servers" />
            <div className="stat">
              <div className="stat-value">{coverage.main_devices}</div>
              <div className="stat-label">{t('assets.main_devices')}</div>
            </div>
            <div className="stat">
              <div className="stat-value">{coverage.internet_connected}</div>
              <div className="stat-label">{t('assets.internet_connected_count')}</div>
            </div>
          </div>
          <p className="muted small">{t('assets.coverage_rule', { date: formatDay(coverage.updated_since) })}</p>
        </section>
      )}
      <AssetsTable orgId={orgId} canManage={perms.canManageRegistry} reloadKey={reloadKey} />
      {importing && (
        <ImportDialog
          title={t('assets.import_title')}
          templateUrl={api.assetsTemplateUrl}
          onImport={api.importAssets}
          onImportXlsx={api.importAssetsXlsx}
          onClose={(created) => {
            setImporting(false);
            if (created > 0) {
              setNotice(t('registry.import_done', { count: created }));
              setReloadKey((k) => k + 1);
            }
          }}
          testId="assets-import-dialog"
        />
      )}
    </div>
  );
}
