// "Báo cáo" of an incident: the official reports its process asks for (Circular 20 notification,
// Forms 03 and 04, the Decision 05 proposal, the Decree 331 notices and reports), each prefilled
// by the server with what the records hold and the mandatory fields still missing; the officer
// completes one and renders it into the submission register (the DOCX downloadable, with its
// SHA-256), then records the sending (recipient, channel, time) and the acknowledgement, each
// once. Sending a report the current step asks for records that step's output on the server, so
// the incident is reloaded after it (onChanged). A closed incident can still report (Form 04 is
// owed within 5 days after the response ends); its sending then records no output.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  api,
  incidentReportsApi,
  incidentsApi,
  REPORT_CHANNELS,
  type FormDefinition,
  type Id,
  type IncidentReport,
  type IncidentReportForm,
  type ReportChannel,
} from '../../api';
import { FormFillDialog, saveFile } from '../../components/FormFillDialog';
import { ErrorMessage } from '../../components/ui';
import { formatDateTime, parseVnDateTime } from '../../format';
import { useAction } from '../../useAction';

interface Props {
  incident: { id: Id; revision: number; closed: boolean; title: string };
  onChanged: () => Promise<void> | void;
}

/** "dd/mm/yyyy hh:mm" typed by the officer, or now when empty; undefined when not a time. */
function timeOrNow(text: string): string | undefined | null {
  if (!text.trim()) return undefined;
  return parseVnDateTime(text);
}

function SendForm({ report, incident, onDone }: { report: IncidentReport; incident: Props['incident']; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [recipient, setRecipient] = useState('');
  const [channel, setChannel] = useState<ReportChannel>('email');
  const [at, setAt] = useState('');
  const { busy, error, act } = useAction();
  const [bad, setBad] = useState(false);
  const send = () =>
    void act(async () => {
      const sentAt = timeOrNow(at);
      if (sentAt === null) {
        setBad(true);
        return;
      }
      setBad(false);
      // Sending adds a record; it does not act on what the officer saw of the incident, so it goes
      // with the incident's revision as it is now (the server still checks that the current step
      // asks for this form). The page's copy may be a moment old (a deadline warning, a colleague).
      const current = await incidentsApi.get(incident.id);
      await incidentReportsApi.sent(incident.id, report.id, { recipient: recipient.trim(), channel, sent_at: sentAt, revision: current.revision });
      await onDone();
    });
  return (
    <div className="inline-form" data-testid={`report-send-${report.id}`}>
      <input value={recipient} onChange={(e) => setRecipient(e.target.value)} placeholder={t('incident_reports.recipient')} aria-label={t('incident_reports.recipient')} maxLength={300} data-testid="report-recipient" />
      <select value={channel} onChange={(e) => setChannel(e.target.value as ReportChannel)} aria-label={t('incident_reports.channel')} data-testid="report-channel">
        {REPORT_CHANNELS.map((c) => (
          <option key={c} value={c}>
            {t(`incident_reports.channels.${c}`)}
          </option>
        ))}
      </select>
      <input value={at} onChange={(e) => setAt(e.target.value)} placeholder={t('incident_reports.time_placeholder')} aria-label={t('incident_reports.sent_at')} aria-invalid={bad || undefined} data-testid="report-sent-at" />
      <button type="button" className="primary" disabled={busy || !recipient.trim()} onClick={send} data-testid="report-mark-sent">
        {t('incident_reports.mark_sent')}
      </button>
      {bad && <span className="error small">{t('incident_reports.bad_time')}</span>}
      <ErrorMessage error={error} />
    </div>
  );
}

function AckForm({ report, incidentId, onDone }: { report: IncidentReport; incidentId: Id; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [at, setAt] = useState('');
  const [bad, setBad] = useState(false);
  const { busy, error, act } = useAction();
  const save = () =>
    void act(async () => {
      const ackAt = timeOrNow(at);
      if (ackAt === null) {
        setBad(true);
        return;
      }
      setBad(false);
      await incidentReportsApi.ack(incidentId, report.id, { ack_at: ackAt, note: note.trim() });
      await onDone();
    });
  return (
    <div className="inline-form" data-testid={`report-ack-${report.id}`}>
      <input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('incident_reports.ack_note')} aria-label={t('incident_reports.ack_note')} maxLength={2000} data-testid="report-ack-note" />
      <input value={at} onChange={(e) => setAt(e.target.value)} placeholder={t('incident_reports.time_placeholder')} aria-label={t('incident_reports.ack_at')} aria-invalid={bad || undefined} data-testid="report-ack-at" />
      <button type="button" disabled={busy} onClick={save} data-testid="report-record-ack">
        {t('incident_reports.record_ack')}
      </button>
      {bad && <span className="error small">{t('incident_reports.bad_time')}</span>}
      <ErrorMessage error={error} />
    </div>
  );
}

export function ReportsPanel({ incident, onChanged }: Props) {
  const { t } = useTranslation();
  const [forms, setForms] = useState<IncidentReportForm[] | null>(null);
  const [defs, setDefs] = useState<FormDefinition[]>([]);
  const [register, setRegister] = useState<IncidentReport[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<IncidentReportForm | null>(null);

  const load = useCallback(async () => {
    try {
      const [f, d, r] = await Promise.all([incidentReportsApi.forms(incident.id), api.listForms(), incidentReportsApi.list(incident.id)]);
      setForms(f.items);
      setDefs(d.items);
      setRegister(r.items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [incident.id]);

  // Reloaded whenever the incident changes (a step recorded, a report sent).
  useEffect(() => {
    void load();
  }, [load, incident.revision]);

  const def = useMemo(() => (open ? defs.find((d) => d.id === open.form) : undefined), [open, defs]);
  const afterChange = async () => {
    await load();
    await onChanged();
  };

  return (
    <section className="card" data-testid="incident-reports">
      <h2>{t('incident_reports.title')}</h2>
      <ErrorMessage error={error} />
      {forms && forms.length === 0 && <p className="muted">{t('incident_reports.no_forms')}</p>}
      {forms && forms.length > 0 && (
        <table className="table small">
          <thead>
            <tr>
              <th>{t('incident_reports.form')}</th>
              <th>{t('incident_reports.step')}</th>
              <th>{t('incident_reports.missing')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {forms.map((f) => (
              <tr key={f.form} data-testid={`report-form-${f.form}`}>
                <td>
                  {f.title}
                  <div className="muted small">
                    {f.legal_source}
                    {f.layout === 'reconstructed' && <span className="badge badge-warning">{t('forms.reconstructed')}</span>}
                  </div>
                </td>
                <td>
                  {f.step_name}
                  {f.current_step && <span className="badge badge-info">{t('incident_reports.current')}</span>}
                </td>
                <td>
                  {f.missing.length === 0 ? (
                    t('incident_reports.complete')
                  ) : (
                    <span title={f.missing.map((m) => m.label).join('\n')}>{t('incident_reports.missing_count', { count: f.missing.length })}</span>
                  )}
                </td>
                <td>
                  <button type="button" onClick={() => setOpen(f)} data-testid={`report-fill-${f.form}`}>
                    {t('incident_reports.fill')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{t('incident_reports.register')}</h3>
      {register.length === 0 ? (
        <p className="muted">{t('incident_reports.register_empty')}</p>
      ) : (
        <table className="table small" data-testid="report-register">
          <thead>
            <tr>
              <th>{t('incident_reports.form')}</th>
              <th>{t('incident_reports.rendered')}</th>
              <th>{t('incident_reports.sent')}</th>
              <th>{t('incident_reports.ack')}</th>
            </tr>
          </thead>
          <tbody>
            {register.map((r) => (
              <tr key={r.id} data-testid={`report-row-${r.id}`}>
                <td>
                  {r.title}
                  <div className="muted small">{r.legal_source}</div>
                  <a href={incidentReportsApi.fileUrl(r)} download={r.file_name} data-testid="report-download">
                    {t('incident_reports.download')}
                  </a>
                  <div className="mono small" title="SHA-256">
                    {r.sha256}
                  </div>
                </td>
                <td>
                  {formatDateTime(r.rendered_at)}
                  <div className="muted small">{r.rendered_by}</div>
                </td>
                <td>
                  {r.sent ? (
                    <span data-testid="report-sent">
                      {formatDateTime(r.sent.at)}: {r.sent.recipient} ({t(`incident_reports.channels.${r.sent.channel}`)})
                      <div className="muted small">{r.sent.by}</div>
                    </span>
                  ) : (
                    <SendForm report={r} incident={incident} onDone={afterChange} />
                  )}
                </td>
                <td>
                  {r.ack ? (
                    <span data-testid="report-acked">
                      {formatDateTime(r.ack.at)}: {r.ack.note}
                    </span>
                  ) : r.sent ? (
                    <AckForm report={r} incidentId={incident.id} onDone={afterChange} />
                  ) : (
                    <span className="muted">{t('incident_reports.not_sent')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {open && def && (
        <FormFillDialog
          definition={def}
          prefilled={open}
          fileStem={`${open.form}-${incident.id}`}
          onClose={() => setOpen(null)}
          submit={async (data) => {
            const r = await incidentReportsApi.render(incident.id, open.form, data);
            // The registered file, fetched back so the officer has what the register holds.
            const res = await fetch(incidentReportsApi.fileUrl(r), { credentials: 'same-origin' });
            if (res.ok) saveFile(await res.blob(), r.file_name);
            await load();
            return { fileName: r.file_name, sha256: r.sha256 };
          }}
        />
      )}
    </section>
  );
}
