// Screens shown before the main application: login (with the MFA step), forced password change,
// forced MFA enrolment and first-run setup.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useSession } from '../session';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { MfaEnrol } from '../components/MfaEnrol';
import { PasswordForm } from '../components/PasswordForm';
import { ErrorMessage, Field, Notice } from '../components/ui';

function AuthShell({ title, children, testId, wide }: { title: string; children: ReactNode; testId: string; wide?: boolean }) {
  const { t } = useTranslation();
  const { me, logout } = useSession();
  return (
    <div className="auth-page" data-testid={testId}>
      <div className="auth-top">
        <LanguageSwitch />
        {me && (
          <button type="button" className="link-button" onClick={() => void logout()} data-testid="logout">
            {t('nav.logout')}
          </button>
        )}
      </div>
      <div className={`auth-card${wide ? ' auth-card-wide' : ''}`}>
        <div className="brand-block">
          <div className="brand-mark" aria-hidden="true">
            V
          </div>
          <div>
            <div className="brand-name">{t('app.name')}</div>
            <div className="brand-tagline">{t('app.tagline')}</div>
          </div>
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}

export function LoginPage() {
  const { t } = useTranslation();
  const { refresh, setup, expired } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submitPassword = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.login(username.trim(), password);
      if (res.status === 'mfa_required') {
        setMfaToken(res.mfa_token);
        setCode('');
      } else {
        setPassword('');
        await refresh();
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    if (!mfaToken) return;
    setBusy(true);
    setError(null);
    try {
      await api.loginMfa(mfaToken, code.replace(/\s+/g, ''));
      setPassword('');
      await refresh();
    } catch (err) {
      // A wrong code may be retried; an expired token needs "back" to the password step.
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (mfaToken) {
    return (
      <AuthShell title={t('login.mfa_title')} testId="login-mfa-page">
        <p className="muted">{t('login.mfa_help')}</p>
        <form onSubmit={(e) => void submitCode(e)} className="form">
          <ErrorMessage error={error} />
          <Field label={t('mfa.code')} htmlFor="login-code">
            <input
              id="login-code"
              data-testid="login-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
              className="code-input"
            />
          </Field>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy} data-testid="login-code-submit">
              {t('login.verify')}
            </button>
            <button
              type="button"
              onClick={() => {
                setMfaToken(null);
                setError(null);
              }}
            >
              {t('login.back')}
            </button>
          </div>
        </form>
      </AuthShell>
    );
  }

  return (
    <AuthShell title={t('login.title')} testId="login-page">
      {expired && <Notice kind="warning">{t('login.expired')}</Notice>}
      {setup?.needs_setup && <Notice kind="info">{t('login.first_run')}</Notice>}
      <form onSubmit={(e) => void submitPassword(e)} className="form">
        <ErrorMessage error={error} />
        <Field label={t('login.username')} htmlFor="login-username">
          <input
            id="login-username"
            data-testid="login-username"
            autoComplete="username"
            required
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </Field>
        <Field label={t('login.password')} htmlFor="login-password">
          <input
            id="login-password"
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <div className="button-row">
          <button type="submit" className="primary wide" disabled={busy} data-testid="login-submit">
            {t('login.submit')}
          </button>
        </div>
      </form>
    </AuthShell>
  );
}

export function ForcedPasswordPage() {
  const { t } = useTranslation();
  const { refresh } = useSession();
  return (
    <AuthShell title={t('forced.password_title')} testId="forced-password-page">
      <p className="muted">{t('forced.password_help')}</p>
      <PasswordForm onDone={() => void refresh()} submitLabel={t('forced.password_submit')} />
    </AuthShell>
  );
}

export function ForcedMfaPage() {
  const { t } = useTranslation();
  const { refresh } = useSession();
  return (
    <AuthShell title={t('forced.mfa_title')} testId="forced-mfa-page" wide>
      <p className="muted">{t('forced.mfa_help')}</p>
      <MfaEnrol autoStart onDone={() => void refresh()} />
    </AuthShell>
  );
}

export function SetupPage() {
  const { t } = useTranslation();
  const { refresh } = useSession();
  const [name, setName] = useState(t('setup.default_prefix'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.postSetup(name.trim());
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthShell title={t('setup.title')} testId="setup-page">
      <p className="muted">{t('setup.help')}</p>
      <form onSubmit={(e) => void submit(e)} className="form">
        <ErrorMessage error={error} />
        <Field label={t('setup.province_name')} htmlFor="setup-province" hint={t('setup.province_hint')}>
          <input id="setup-province" data-testid="setup-province" required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy} data-testid="setup-submit">
            {t('setup.submit')}
          </button>
        </div>
      </form>
    </AuthShell>
  );
}

export function NotSetUpPage() {
  const { t } = useTranslation();
  return (
    <AuthShell title={t('setup.title')} testId="not-set-up-page">
      <Notice kind="info">{t('setup.wait_for_admin')}</Notice>
    </AuthShell>
  );
}
