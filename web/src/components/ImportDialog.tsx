// Import of a CSV or XLSX file (systems, assets): the user downloads the template (XLSX or CSV),
// fills it in a spreadsheet, and sends it back. A .xlsx file goes as it is to the XLSX route, any
// other file is read as CSV text. The server takes all rows or none; its row-level errors (row,
// column, message) are shown as a table so the user can fix the file.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type FileFormat, type ImportRowError } from '../api';
import { useAction } from '../useAction';
import { ErrorMessage, Field, Modal } from './ui';

export function ImportDialog({
  title,
  templateUrl,
  onImport,
  onImportXlsx,
  onClose,
  testId,
}: {
  title: string;
  templateUrl: (format: FileFormat) => string;
  onImport: (csv: string) => Promise<{ created: number }>;
  onImportXlsx: (file: File) => Promise<{ created: number }>;
  onClose: (created: number) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [rows, setRows] = useState<ImportRowError[]>([]);
  const [created, setCreated] = useState<number | null>(null);
  const { busy, error, setError, act } = useAction();

  const submit = () =>
    act(async () => {
      if (!file) return;
      setRows([]);
      try {
        const r = file.name.toLowerCase().endsWith('.xlsx') ? await onImportXlsx(file) : await onImport(await file.text());
        setCreated(r.created);
      } catch (e) {
        if (e instanceof ApiError && Array.isArray(e.details.rows)) setRows(e.details.rows as ImportRowError[]);
        setError(e);
      }
    });

  return (
    <Modal
      title={title}
      onClose={() => onClose(created ?? 0)}
      testId={testId}
      wide
      footer={
        created === null ? (
          <>
            <button type="button" onClick={() => onClose(0)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="primary" disabled={!file || busy} onClick={() => void submit()} data-testid="import-submit">
              {busy ? t('common.saving') : t('registry.import_send')}
            </button>
          </>
        ) : (
          <button type="button" className="primary" onClick={() => onClose(created)}>
            {t('common.close')}
          </button>
        )
      }
    >
      {created !== null ? (
        <p data-testid="import-done">{t('registry.import_done', { count: created })}</p>
      ) : (
        <>
          <p className="small">
            {t('registry.import_hint')}{' '}
            <a href={templateUrl('xlsx')} download data-testid="import-template-xlsx">
              {t('registry.import_template_xlsx')}
            </a>{' '}
            ·{' '}
            <a href={templateUrl('csv')} download data-testid="import-template">
              {t('registry.import_template_csv')}
            </a>
          </p>
          <Field label={t('registry.import_file')}>
            <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="import-file" />
          </Field>
          <ErrorMessage error={error} />
          {rows.length > 0 && (
            <div className="table-scroll">
              <p className="small">{t('registry.import_nothing_saved')}</p>
              <table className="table" data-testid="import-errors">
                <thead>
                  <tr>
                    <th>{t('registry.import_row')}</th>
                    <th>{t('registry.import_column')}</th>
                    <th>{t('registry.import_message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r, i) => (
                    <tr key={i}>
                      <td>{r.row}</td>
                      <td className="mono">{r.column}</td>
                      <td>{r.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Modal>
  );
}
