// Security settings of the whole installation (administrator of the province, the root).
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ROLES, type Role, type SecuritySettings } from '../api';
import { ErrorMessage, Field, Notice, PageHeader, Spinner } from '../components/ui';

type NumberKey = Exclude<keyof SecuritySettings, 'mfa_required_roles'>;

const NUMBER_FIELDS: { key: NumberKey; min: number; max: number }[] = [
  { key: 'password_min_length_with_mfa', min: 8, max: 128 },
  { key: 'password_min_length_without_mfa', min: 14, max: 128 },
  { key: 'inactive_days', min: 1, max: 3650 },
  { key: 'session_idle_minutes', min: 1, max: 1440 },
  { key: 'session_absolute_hours', min: 1, max: 720 },
  { key: 'lockout_threshold', min: 1, max: 100 },
  { key: 'lockout_minutes', min: 1, max: 1440 },
];

export function SettingsPage() {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<SecuritySettings | null>(null);
  const [draft, setDraft] = useState<Record<NumberKey, string> | null>(null);
  const [mfaRoles, setMfaRoles] = useState<Role[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const accept = (s: SecuritySettings) => {
    setSettings(s);
    const d = {} as Record<NumberKey, string>;
    for (const f of NUMBER_FIELDS) d[f.key] = String(s[f.key]);
    setDraft(d);
    setMfaRoles(s.mfa_required_roles);
  };

  useEffect(() => {
    api.getSecuritySettings().then(accept, setError);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const body = { mfa_required_roles: mfaRoles } as SecuritySettings;
      for (const f of NUMBER_FIELDS) body[f.key] = Number(draft[f.key]);
      accept(await api.putSecuritySettings(body));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="settings-page">
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} />
      {saved && <Notice testId="settings-saved">{t('settings.saved')}</Notice>}
      <ErrorMessage error={error} />
      {!settings || !draft ? (
        !error && <Spinner />
      ) : (
        <form className="panel form" onSubmit={(e) => void submit(e)}>
          <div className="form-grid">
            {NUMBER_FIELDS.map((f) => (
              <Field key={f.key} label={t(`settings.${f.key}`)} htmlFor={`s-${f.key}`}>
                <input
                  id={`s-${f.key}`}
                  type="number"
                  min={f.min}
                  max={f.max}
                  required
                  value={draft[f.key]}
                  onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
                  data-testid={`s-${f.key}`}
                />
              </Field>
            ))}
          </div>
          <fieldset className="fieldset">
            <legend>{t('settings.mfa_required_roles')}</legend>
            {ROLES.map((r) => (
              <label key={r} className="checkbox">
                <input
                  type="checkbox"
                  checked={mfaRoles.includes(r)}
                  onChange={(e) => setMfaRoles(e.target.checked ? [...mfaRoles, r] : mfaRoles.filter((x) => x !== r))}
                />
                {t(`roles.${r}`)}
              </label>
            ))}
          </fieldset>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy} data-testid="settings-save">
              {t('common.save')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
