// Import of a CSV file (systems, assets): the user downloads the template, fills it in a
// spreadsheet, and sends it back. The server takes all rows or none; its row-level errors (line,
// column, message) are shown as a table so the user can fix the file.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type ImportRowError } from '../api';
import { useAction } from '../useAction';
import { ErrorMessage, Field, Modal } from './ui';

export function ImportDialog({
  title,
  templateUrl,
  onImport,
  onClose,
  testId,
}: {
  title: string;
  templateUrl: string;
  onImport: (csv: string) => Promise<{ created: number }>;
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
      const text = await file.text();
      try {
        const r = await onImport(text);
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
            <a href={templateUrl} download data-testid="import-template">
              {t('registry.import_template')}
            </a>
          </p>
          <Field label={t('registry.import_file')}>
            <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="import-file" />
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
