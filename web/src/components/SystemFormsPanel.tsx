// The dossier documents of a system as the law's forms (Decree 331 Mẫu 01-07): each filled from the
// record, with how many mandatory fields are still to complete, opened in the form dialog.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type FormDefinition, type Id, type PrefilledForm } from '../api';
import { ErrorMessage } from './ui';
import { FormFillDialog } from './FormFillDialog';

export function SystemFormsPanel({ systemId, systemName }: { systemId: Id; systemName: string }) {
  const { t } = useTranslation();
  const [forms, setForms] = useState<PrefilledForm[] | null>(null);
  const [defs, setDefs] = useState<FormDefinition[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<PrefilledForm | null>(null);

  useEffect(() => {
    Promise.all([api.systemForms(systemId), api.listForms()]).then(([f, d]) => {
      setForms(f.items);
      setDefs(d.items);
    }, setError);
  }, [systemId]);

  const def = open ? defs.find((d) => d.id === open.form) : undefined;
  return (
    <section className="panel table-panel" data-testid="system-forms">
      <h2>{t('forms.dossier_forms')}</h2>
      <ErrorMessage error={error} />
      {forms && forms.length === 0 && <p className="muted">{t('forms.none_for_regime')}</p>}
      {forms && forms.length > 0 && (
        <table className="table">
          <tbody>
            {forms.map((f) => (
              <tr key={f.form} data-testid="system-form" data-form={f.form}>
                <td className="nowrap mono small">{f.form}</td>
                <td>{f.title}</td>
                <td className="nowrap">
                  {f.missing.length > 0 ? <span className="badge badge-warning">{t('forms.to_complete', { count: f.missing.length })}</span> : <span className="badge badge-ok">{t('forms.ready')}</span>}
                </td>
                <td>
                  <button type="button" onClick={() => setOpen(f)} data-testid="system-form-open">
                    {t('forms.prepare')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && def && <FormFillDialog definition={def} prefilled={open} fileStem={`${open.form}-${systemName}`} onClose={() => setOpen(null)} />}
    </section>
  );
}
