// Change one's own password (POST /me/password).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorMessage, Field } from './ui';

export function PasswordForm({ onDone, submitLabel }: { onDone: () => void; submitLabel?: string }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [localError, setLocalError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setLocalError(null);
    if (next !== repeat) {
      setLocalError(t('password.mismatch'));
      return;
    }
    if (next === current) {
      setLocalError(t('password.same_as_old'));
      return;
    }
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="form" data-testid="password-form">
      <ErrorMessage error={error} />
      {localError && (
        <div className="alert alert-error" role="alert">
          {localError}
        </div>
      )}
      <Field label={t('password.current')} htmlFor="pw-current">
        <input id="pw-current" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="pw-current" />
      </Field>
      <Field label={t('password.new')} htmlFor="pw-new" hint={t('password.hint')}>
        <input id="pw-new" type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} data-testid="pw-new" />
      </Field>
      <Field label={t('password.repeat')} htmlFor="pw-repeat">
        <input id="pw-repeat" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} data-testid="pw-repeat" />
      </Field>
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy} data-testid="pw-submit">
          {submitLabel ?? t('password.submit')}
        </button>
      </div>
    </form>
  );
}
