// Evidence of one incident (issue 4, "Evidence"): upload a file (stored by its SHA-256, never
// changed), the list with each item's SHA-256 and custody log, a custody entry (transferred /
// handed over: to whom, why), re-hashing a stored file, downloading it, the export bundle (ZIP
// with its manifest; recipient and reason recorded on every item) and the STIX 2.1 / MISP export
// of the incident's observables. Mounted by IncidentPage; the server checks every right.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { evidenceApi, type EvidenceItem, type EvidenceVerification, type Id } from '../../api';
import { saveFile } from '../../components/FormFillDialog';
import { ErrorMessage, Field, Modal } from '../../components/ui';
import { formatDateTime } from '../../format';
import { useAction } from '../../useAction';

const TLPS = ['', 'clear', 'green', 'amber', 'red'];

/** Bytes as the officer reads them: "512 B", "3,4 KiB", "12,0 MiB". */
function formatSize(bytes: number, lang: string): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} ${units[u]}`;
}

export function EvidencePanel({ incidentId, onChanged }: { incidentId: Id; onChanged?: () => void }) {
  const { t, i18n } = useTranslation();
  const action = useAction();
  const [items, setItems] = useState<EvidenceItem[]>([]);
  const [maxBytes, setMaxBytes] = useState(0);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [file, setFile] = useState<File | null>(null);
  const [description, setDescription] = useState('');
  const [reason, setReason] = useState('');
  const [inputKey, setInputKey] = useState(0);
  const [custodyFor, setCustodyFor] = useState<EvidenceItem | null>(null);
  const [bundleOpen, setBundleOpen] = useState(false);
  const [checks, setChecks] = useState<Record<number, EvidenceVerification>>({});
  const [tlp, setTlp] = useState('');

  const reload = useCallback(async () => {
    const r = await evidenceApi.list(incidentId);
    setItems(r.items);
    setMaxBytes(r.max_file_bytes);
  }, [incidentId]);

  useEffect(() => {
    reload().catch(setLoadError);
  }, [reload]);

  const onUpload = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    void action.act(async () => {
      if (maxBytes > 0 && file.size > maxBytes) {
        throw new Error(t('evidence.too_large', { size: formatSize(file.size, i18n.language), max: formatSize(maxBytes, i18n.language) }));
      }
      await evidenceApi.upload(incidentId, file, { description: description.trim(), reason: reason.trim() });
      setFile(null);
      setDescription('');
      setReason('');
      setInputKey((k) => k + 1);
      await reload();
      onChanged?.();
    });
  };

  const onVerify = (item: EvidenceItem) =>
    void action.act(async () => {
      const v = await evidenceApi.verify(incidentId, item.id);
      setChecks((c) => ({ ...c, [item.id]: v }));
    });

  return (
    <section data-testid="evidence-panel">
      <h2>{t('evidence.title')}</h2>
      <ErrorMessage error={loadError ?? action.error} />
      {items.length === 0 ? (
        <p className="muted">{t('evidence.none')}</p>
      ) : (
        <table className="table" data-testid="evidence-list">
          <thead>
            <tr>
              <th>{t('evidence.name')}</th>
              <th>{t('evidence.size')}</th>
              <th>SHA-256</th>
              <th>{t('evidence.collected')}</th>
              <th>{t('evidence.custody')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-testid={`evidence-item-${item.id}`}>
                <td>
                  {item.name}
                  {item.description && <div className="muted small">{item.description}</div>}
                </td>
                <td className="small">{formatSize(item.size, i18n.language)}</td>
                <td className="mono small" style={{ wordBreak: 'break-all' }} data-testid="evidence-sha256">
                  {item.sha256}
                  {checks[item.id] && (
                    <div className={checks[item.id].intact ? 'badge badge-success' : 'badge badge-danger'} data-testid="evidence-verify-result">
                      {checks[item.id].intact ? t('evidence.intact') : t('evidence.changed')} · {formatDateTime(checks[item.id].checked_at)}
                    </div>
                  )}
                </td>
                <td className="small">
                  {item.collected_by} · {formatDateTime(item.collected_at)}
                </td>
                <td className="small">
                  <ol className="plain" data-testid="evidence-custody">
                    {item.custody.map((c) => (
                      <li key={c.id}>
                        {t(`evidence.actions.${c.action}`)} · {formatDateTime(c.at)} · {c.by}
                        {c.to && ` → ${c.to}`}
                        {c.reason && <span className="muted"> ({c.reason})</span>}
                      </li>
                    ))}
                  </ol>
                </td>
                <td>
                  <div className="filter-row">
                    <button type="button" onClick={() => setCustodyFor(item)} data-testid="evidence-custody-open">
                      {t('evidence.add_custody')}
                    </button>
                    <button type="button" onClick={() => onVerify(item)} disabled={action.busy} data-testid="evidence-verify">
                      {t('evidence.verify')}
                    </button>
                    <a className="button" href={evidenceApi.fileUrl(incidentId, item.id)} download={item.name}>
                      {t('evidence.download')}
                    </a>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form onSubmit={onUpload} className="filter-row" data-testid="evidence-upload">
        <input key={inputKey} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} aria-label={t('evidence.file')} data-testid="evidence-file" />
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} placeholder={t('evidence.description')} data-testid="evidence-description" />
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder={t('evidence.reason')} />
        <button type="submit" disabled={!file || action.busy} data-testid="evidence-upload-submit">
          {t('evidence.upload')}
        </button>
        {maxBytes > 0 && <span className="muted small">{t('evidence.limit', { max: formatSize(maxBytes, i18n.language) })}</span>}
      </form>

      <div className="filter-row">
        <button type="button" onClick={() => setBundleOpen(true)} disabled={items.length === 0} data-testid="evidence-bundle-open">
          {t('evidence.bundle')}
        </button>
        <label>
          TLP{' '}
          <select value={tlp} onChange={(e) => setTlp(e.target.value)} aria-label="TLP">
            {TLPS.map((v) => (
              <option key={v} value={v}>
                {v ? `TLP:${v.toUpperCase()}` : t('evidence.no_tlp')}
              </option>
            ))}
          </select>
        </label>
        <a className="button" href={evidenceApi.exportUrl(incidentId, 'stix', tlp)} download data-testid="evidence-stix">
          {t('evidence.stix')}
        </a>
        <a className="button" href={evidenceApi.exportUrl(incidentId, 'misp', tlp)} download data-testid="evidence-misp">
          {t('evidence.misp')}
        </a>
      </div>

      {custodyFor && (
        <CustodyDialog
          incidentId={incidentId}
          item={custodyFor}
          onClose={() => setCustodyFor(null)}
          onSaved={async () => {
            setCustodyFor(null);
            await reload();
            onChanged?.();
          }}
        />
      )}
      {bundleOpen && (
        <BundleDialog
          incidentId={incidentId}
          onClose={() => setBundleOpen(false)}
          onDone={async () => {
            setBundleOpen(false);
            await reload();
            onChanged?.();
          }}
        />
      )}
    </section>
  );
}

/** A custody entry: the item was transferred or handed over to someone, for a reason. */
function CustodyDialog({ incidentId, item, onClose, onSaved }: { incidentId: Id; item: EvidenceItem; onClose: () => void; onSaved: () => Promise<void> }) {
  const { t } = useTranslation();
  const action = useAction();
  const [kind, setKind] = useState<'transferred' | 'handed_over'>('handed_over');
  const [to, setTo] = useState('');
  const [by, setBy] = useState('');
  const [reason, setReason] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      await evidenceApi.addCustody(incidentId, item.id, { action: kind, to: to.trim(), reason: reason.trim(), by: by.trim() || undefined });
      await onSaved();
    });
  };
  return (
    <Modal title={t('evidence.add_custody_of', { name: item.name })} onClose={onClose}>
      <form onSubmit={onSubmit} data-testid="evidence-custody-form">
        <Field label={t('evidence.action')} htmlFor="custody-action">
          <select id="custody-action" value={kind} onChange={(e) => setKind(e.target.value as 'transferred' | 'handed_over')}>
            <option value="handed_over">{t('evidence.actions.handed_over')}</option>
            <option value="transferred">{t('evidence.actions.transferred')}</option>
          </select>
        </Field>
        <Field label={t('evidence.to')} htmlFor="custody-to">
          <input id="custody-to" value={to} onChange={(e) => setTo(e.target.value)} maxLength={200} required data-testid="evidence-custody-to" />
        </Field>
        <Field label={t('evidence.by')} hint={t('evidence.by_hint')} htmlFor="custody-by">
          <input id="custody-by" value={by} onChange={(e) => setBy(e.target.value)} maxLength={200} />
        </Field>
        <Field label={t('evidence.why')} htmlFor="custody-reason">
          <input id="custody-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} required data-testid="evidence-custody-reason" />
        </Field>
        <ErrorMessage error={action.error} />
        <button type="submit" disabled={!to.trim() || !reason.trim() || action.busy} data-testid="evidence-custody-save">
          {t('evidence.record')}
        </button>
      </form>
    </Modal>
  );
}

/** The export bundle: every item with its manifest, handed to a recipient for a reason. */
function BundleDialog({ incidentId, onClose, onDone }: { incidentId: Id; onClose: () => void; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const action = useAction();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      const file = await evidenceApi.bundle(incidentId, { to: to.trim(), reason: reason.trim() });
      saveFile(file.blob, file.fileName);
      await onDone();
    });
  };
  return (
    <Modal title={t('evidence.bundle')} onClose={onClose}>
      <form onSubmit={onSubmit} data-testid="evidence-bundle-form">
        <p className="muted small">{t('evidence.bundle_hint')}</p>
        <Field label={t('evidence.recipient')} htmlFor="bundle-to">
          <input id="bundle-to" value={to} onChange={(e) => setTo(e.target.value)} maxLength={200} required data-testid="evidence-bundle-to" />
        </Field>
        <Field label={t('evidence.why')} htmlFor="bundle-reason">
          <input id="bundle-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} required data-testid="evidence-bundle-reason" />
        </Field>
        <ErrorMessage error={action.error} />
        <button type="submit" disabled={!to.trim() || !reason.trim() || action.busy} data-testid="evidence-bundle-submit">
          {t('evidence.export')}
        </button>
      </form>
    </Modal>
  );
}
