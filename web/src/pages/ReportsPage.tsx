// Annual reports (Báo cáo định kỳ hằng năm): Decree 331 Mẫu 08 for the systems under the new
// regime and the Circular 12 Art. 14 report for those still under Decree 85, for an agency or the
// whole province, filled from the registry over the data window 15/12 -> 14/12 and completed in
// the form dialog before download as DOCX or XLSX. Internal deadline 20/12, submission 25/12.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type FormDefinition, type Id, type PrefilledForm } from '../api';
import { ErrorMessage, OrgSelect, PageHeader, Spinner } from '../components/ui';
import { FormFillDialog } from '../components/FormFillDialog';
import { todayVn } from '../format';
import { useSession } from '../session';

/** The report year whose window (15/12 of the year before -> 14/12) holds today. */
function currentReportYear(): number {
  const today = todayVn();
  const year = Number(today.slice(0, 4));
  return today.slice(5) >= '12-15' ? year + 1 : year;
}

const FIGURES = ['total_systems', 'dossier_systems', 'appraised_systems', 'approved_systems'] as const;

export function ReportsPage() {
  const { t } = useTranslation();
  const { orgs } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [year, setYear] = useState(currentReportYear());
  const [reports, setReports] = useState<PrefilledForm[] | null>(null);
  const [defs, setDefs] = useState<FormDefinition[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<PrefilledForm | null>(null);

  useEffect(() => {
    api.listForms().then((d) => setDefs(d.items), setError);
  }, []);
  useEffect(() => {
    setReports(null);
    api.annualReports({ org_id: orgId ?? undefined, year }).then((r) => {
      setReports(r.items);
      setError(null);
    }, setError);
  }, [orgId, year]);

  const orgName = orgId ? (orgs.find((o) => o.id === orgId)?.name ?? '') : t('reports.whole_scope');
  const def = open ? defs.find((d) => d.id === open.form) : undefined;
  const years = [currentReportYear() - 2, currentReportYear() - 1, currentReportYear()];

  return (
    <div data-testid="reports-page">
      <PageHeader title={t('reports.title')} subtitle={t('reports.subtitle')} />
      <div className="toolbar panel">
        <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} emptyLabel={t('reports.whole_scope')} testId="reports-org" />
        <select value={String(year)} onChange={(e) => setYear(Number(e.target.value))} aria-label={t('reports.year')} data-testid="reports-year">
          {years.map((y) => (
            <option key={y} value={String(y)}>
              {t('reports.year_n', { year: y })}
            </option>
          ))}
        </select>
        <span className="muted small">{t('reports.window', { from: `15/12/${year - 1}`, to: `14/12/${year}` })}</span>
      </div>
      <ErrorMessage error={error} />
      {!reports && !error && <Spinner />}
      {reports && reports.length === 0 && <p className="panel muted">{t('reports.no_systems')}</p>}
      {reports?.map((r) => (
        <section key={r.form} className="panel" data-testid="report-card" data-form={r.form}>
          <h2>{r.title}</h2>
          <div className="stats">
            {FIGURES.filter((f) => r.data.fields[f] !== undefined).map((f) => (
              <div className="stat" key={f} data-testid={`report-${f}`}>
                <div className="stat-value">{r.data.fields[f]}</div>
                <div className="stat-label">{t(`reports.figures.${f}`)}</div>
              </div>
            ))}
            <div className="stat">
              <div className="stat-value">{r.data.tables.systems?.length ?? 0}</div>
              <div className="stat-label">{t('reports.rows_systems')}</div>
            </div>
          </div>
          <p className="muted small">{t('reports.current_records')}</p>
          <div className="button-row">
            {r.missing.length > 0 && <span className="badge badge-warning">{t('forms.to_complete', { count: r.missing.length })}</span>}
            <button type="button" className="primary" onClick={() => setOpen(r)} data-testid="report-open">
              {t('forms.prepare')}
            </button>
          </div>
        </section>
      ))}
      {open && def && <FormFillDialog definition={def} prefilled={open} fileStem={`${open.form}-${year}-${orgName}`} onClose={() => setOpen(null)} />}
    </div>
  );
}
