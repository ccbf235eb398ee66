// Completes an official form before it is rendered: the server has filled what the records hold;
// the user types the rest (document number, signer...). Inputs come from the form's definition
// (labels in the law's words, allowed values as selects); the missing mandatory fields are listed
// on top and marked, and the server checks again before it renders the DOCX or XLSX.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type FormData, type FormDefinition, type FormInput, type PrefilledForm } from '../api';
import { useAction } from '../useAction';
import { ErrorMessage, Modal } from './ui';

/** Tables longer than this are shown as a summary; their cells come from the records. */
const EDITABLE_ROWS = 30;

function missingOf(def: FormDefinition, data: FormData): { name: string; label: string }[] {
  const out: { name: string; label: string }[] = [];
  for (const f of def.fields) if (f.required && !(data.fields[f.name] ?? '').trim()) out.push({ name: f.name, label: f.label });
  for (const t of def.tables) {
    const rows = data.tables[t.name] ?? [];
    if (t.required && rows.length === 0) out.push({ name: t.name, label: t.label });
    rows.forEach((row, i) => {
      for (const c of t.columns)
        if (c.required && !c.row_number && !(row[c.name] ?? '').trim()) out.push({ name: `${t.name}[${i + 1}].${c.name}`, label: c.label });
    });
  }
  return out;
}

function Input({ input, value, onChange, invalid, testId }: { input: FormInput; value: string; onChange: (v: string) => void; invalid: boolean; testId?: string }) {
  const { t } = useTranslation();
  if (input.values.length > 0 && !input.multiple) {
    return (
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid || undefined} aria-label={input.label} data-testid={testId}>
        <option value="">{t('common.choose')}</option>
        {input.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  }
  const long = input.multiple || /mỗi .* một dòng|\(mỗi/i.test(input.label) || value.includes('\n') || value.length > 80;
  if (long) return <textarea rows={3} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid || undefined} aria-label={input.label} data-testid={testId} />;
  return (
    <input
      type="text"
      value={value}
      placeholder={input.kind === 'date' ? 'dd/mm/yyyy' : input.kind === 'datetime' ? 'dd/mm/yyyy hh:mm' : undefined}
      inputMode={input.kind === 'number' ? 'decimal' : undefined}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={invalid || undefined}
      aria-label={input.label}
      data-testid={testId}
    />
  );
}

/** Saves a downloaded file under its own name. */
export function saveFile(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName.replace(/[\\/:*?"<>|]+/g, '-');
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * `submit`, when given, renders the DOCX elsewhere (the incident report register) instead of the
 * stateless /forms/render, and answers the file name and SHA-256 to show.
 */
export function FormFillDialog({
  definition,
  prefilled,
  fileStem,
  onClose,
  submit,
}: {
  definition: FormDefinition;
  prefilled: PrefilledForm;
  fileStem: string;
  onClose: () => void;
  submit?: (data: FormData) => Promise<{ fileName: string; sha256: string }>;
}) {
  const { t } = useTranslation();
  const [data, setData] = useState<FormData>(() => ({ fields: { ...prefilled.data.fields }, tables: Object.fromEntries(Object.entries(prefilled.data.tables).map(([k, rows]) => [k, rows.map((r) => ({ ...r }))])) }));
  const [done, setDone] = useState<{ fileName: string; sha256: string } | null>(null);
  const { busy, error, act } = useAction();
  const missing = useMemo(() => missingOf(definition, data), [definition, data]);
  const missingNames = useMemo(() => new Set(missing.map((m) => m.name)), [missing]);

  const setField = (name: string, value: string) => setData((d) => ({ ...d, fields: { ...d.fields, [name]: value } }));
  const setCell = (table: string, row: number, column: string, value: string) =>
    setData((d) => ({ ...d, tables: { ...d.tables, [table]: (d.tables[table] ?? []).map((r, i) => (i === row ? { ...r, [column]: value } : r)) } }));

  const render = (format: 'docx' | 'xlsx') =>
    void act(async () => {
      // Empty values are not sent: the server treats them as missing either way.
      const clean: FormData = {
        fields: Object.fromEntries(Object.entries(data.fields).filter(([, v]) => v.trim() !== '')),
        tables: Object.fromEntries(Object.entries(data.tables).map(([k, rows]) => [k, rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v.trim() !== '')))])),
      };
      if (submit) {
        setDone(await submit(clean));
        return;
      }
      const file = await api.renderForm(definition.id, format, clean);
      const ext = format === 'xlsx' ? '.xlsx' : '.docx';
      saveFile(file.blob, `${fileStem}${ext}`);
      setDone({ fileName: `${fileStem}${ext}`, sha256: file.sha256 });
    });

  return (
    <Modal
      title={definition.title}
      onClose={onClose}
      wide
      testId="form-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t('common.close')}
          </button>
          {definition.formats.includes('xlsx') && (
            <button type="button" disabled={busy} onClick={() => render('xlsx')} data-testid="form-render-xlsx">
              {t('forms.download_xlsx')}
            </button>
          )}
          <button type="button" className="primary" disabled={busy} onClick={() => render('docx')} data-testid="form-render-docx">
            {t('forms.download_docx')}
          </button>
        </>
      }
    >
      <p className="muted small">
        {definition.source.cite}
        {definition.layout === 'reconstructed' && <span className="badge badge-warning">{t('forms.reconstructed')}</span>}
      </p>
      {definition.note && <p className="small muted">{definition.note}</p>}
      {missing.length > 0 ? (
        <div className="alert alert-warning" data-testid="form-missing">
          <strong>{t('forms.missing', { count: missing.length })}</strong>
          <ul className="small">
            {missing.slice(0, 12).map((m) => (
              <li key={m.name}>{m.label}</li>
            ))}
            {missing.length > 12 && <li>{t('forms.and_more', { count: missing.length - 12 })}</li>}
          </ul>
        </div>
      ) : (
        <div className="alert alert-success" data-testid="form-complete">
          {t('forms.complete')}
        </div>
      )}
      {done && (
        <div className="alert alert-success" data-testid="form-done">
          {t('forms.downloaded', { name: done.fileName })} <span className="mono small">SHA-256 {done.sha256}</span>
        </div>
      )}
      <ErrorMessage error={error} />
      <div className="form-fields">
        {definition.fields.map((f) => (
          <div key={f.name} className={`field${missingNames.has(f.name) ? ' has-error' : ''}`}>
            <label>
              {f.label}
              {f.required && <span className="required-mark"> *</span>}
            </label>
            <Input input={f} value={data.fields[f.name] ?? ''} onChange={(v) => setField(f.name, v)} invalid={missingNames.has(f.name)} testId={`form-field-${f.name}`} />
          </div>
        ))}
      </div>
      {definition.tables.map((tbl) => {
        const rows = data.tables[tbl.name] ?? [];
        const cols = tbl.columns.filter((c) => !c.row_number);
        return (
          <section key={tbl.name} className="form-table" data-testid={`form-table-${tbl.name}`}>
            <h3>
              {tbl.label} <span className="muted small">({t('forms.rows', { count: rows.length })})</span>
            </h3>
            {rows.length > EDITABLE_ROWS ? (
              <p className="small muted">{t('forms.large_table', { count: rows.length })}</p>
            ) : (
              <div className="table-scroll">
                <table className="table small">
                  <thead>
                    <tr>
                      <th>#</th>
                      {cols.map((c) => (
                        <th key={c.name} title={c.label}>
                          {c.label}
                          {c.required && <span className="required-mark"> *</span>}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row, i) => (
                      <tr key={i}>
                        <td>{i + 1}</td>
                        {cols.map((c) => {
                          const key = `${tbl.name}[${i + 1}].${c.name}`;
                          return (
                            <td key={c.name} className={missingNames.has(key) ? 'has-error' : undefined}>
                              <Input input={c} value={row[c.name] ?? ''} onChange={(v) => setCell(tbl.name, i, c.name, v)} invalid={missingNames.has(key)} testId={`form-cell-${tbl.name}-${i}-${c.name}`} />
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        );
      })}
    </Modal>
  );
}
