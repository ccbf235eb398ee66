// TOTP enrolment: ask the server for a secret, show it as a QR code and as text, confirm a code.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { QrCode } from './QrCode';
import { ErrorMessage, Field } from './ui';

export function MfaEnrol({ autoStart, onDone, onCancel }: { autoStart: boolean; onDone: () => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const [secret, setSecret] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      setSecret(await api.mfaSetup());
      setCode('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (autoStart && !started.current) {
      started.current = true;
      void start();
    }
  }, [autoStart]);

  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.mfaConfirm(code.replace(/\s+/g, ''));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!secret) {
    return (
      <div className="mfa-enrol">
        <ErrorMessage error={error} />
        <p>{t('mfa.intro')}</p>
        <div className="button-row">
          <button type="button" className="primary" disabled={busy} onClick={() => void start()} data-testid="mfa-start">
            {t('mfa.start')}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </div>
    );
  }

  return (
    <form className="mfa-enrol" onSubmit={(e) => void confirm(e)}>
      <ol className="steps">
        <li>{t('mfa.step_app')}</li>
        <li>
          {t('mfa.step_scan')}
          <div className="mfa-secret-box">
            <QrCode value={secret.otpauth_uri} alt={t('mfa.qr_alt')} />
            <div>
              <div className="muted">{t('mfa.secret_label')}</div>
              <code className="secret" data-testid="mfa-secret">
                {secret.secret}
              </code>
            </div>
          </div>
        </li>
        <li>{t('mfa.step_code')}</li>
      </ol>
      <ErrorMessage error={error} />
      <Field label={t('mfa.code')} htmlFor="mfa-code">
        <input
          id="mfa-code"
          data-testid="mfa-code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]{6,7}"
          maxLength={7}
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
          className="code-input"
        />
      </Field>
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy} data-testid="mfa-confirm">
          {t('mfa.confirm')}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
