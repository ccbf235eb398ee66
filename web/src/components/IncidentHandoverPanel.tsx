// Chuyển quy trình: the hand-over of an incident to another process (issue 4). Shows where the
// incident came from (the incident it continues) and where it went (the one continuing it), and,
// while the server offers targets (the current step's "hands_over_to", or a serious regime-A
// incident to the Decision 05 serious path), a form to hand it over with a reason. The rules are
// the server's (incident/handover.h); a refusal is shown as the server words it. On success the
// officer is taken to the new incident.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { incidentHandoverApi, type IncidentDetail, type IncidentHandover } from '../api';
import { ErrorMessage, Field } from './ui';
import { useAction } from '../useAction';

export function IncidentHandoverPanel({ inc }: { inc: IncidentDetail & { handover?: IncidentHandover } }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const action = useAction();
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const h = inc.handover;
  if (!h || (!h.from && !h.to && h.targets.length === 0)) return null;
  const chosen = target || h.targets[0]?.process || '';

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      const next = await incidentHandoverApi.handover(inc.id, { revision: inc.revision, to_process: chosen, reason: reason.trim() });
      setReason('');
      navigate(`/incidents/${next.id}`);
    });
  };

  return (
    <section data-testid="incident-handover">
      <h2>{t('incident_handover.title')}</h2>
      {h.from && (
        <p data-testid="incident-handover-from">
          {t('incident_handover.from', { process: h.from.process })}{' '}
          <Link to={`/incidents/${h.from.incident_id}`}>#{h.from.incident_id}</Link>
        </p>
      )}
      {h.to && (
        <p data-testid="incident-handover-to">
          {t('incident_handover.to', { process: h.to.process })} <Link to={`/incidents/${h.to.incident_id}`}>#{h.to.incident_id}</Link>
        </p>
      )}
      {!h.to && h.targets.length > 0 && (
        <form onSubmit={onSubmit} className="triage">
          <Field label={t('incident_handover.target')} htmlFor="handover-target">
            <select id="handover-target" value={chosen} onChange={(e) => setTarget(e.target.value)} data-testid="incident-handover-target">
              {h.targets.map((x) => (
                <option key={x.process} value={x.process}>
                  {x.name} ({x.process} v{x.version})
                </option>
              ))}
            </select>
          </Field>
          <p className="muted small">{t(`incident_handover.rule_${h.targets.find((x) => x.process === chosen)?.rule ?? 'hands_over_to'}`)}</p>
          <Field label={t('incident_handover.reason')} htmlFor="handover-reason" hint={t('incident_handover.reason_hint')}>
            <textarea id="handover-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={4000} rows={3} data-testid="incident-handover-reason" />
          </Field>
          <ErrorMessage error={action.error} />
          <button type="submit" className="primary" disabled={!reason.trim() || action.busy} data-testid="incident-handover-submit">
            {t('incident_handover.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
