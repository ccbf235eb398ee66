// My account: profile, change password, set up or turn off two-step verification (MFA).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { useSession } from '../session';
import { formatDateTime } from '../format';
import { MfaEnrol } from '../components/MfaEnrol';
import { PasswordForm } from '../components/PasswordForm';
import { ErrorMessage, Field, Notice, PageHeader } from '../components/ui';
import { useAction } from '../useAction';

export function AccountPage() {
  const { t } = useTranslation();
  const { me, orgsById, refresh } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const [enrolling, setEnrolling] = useState(false);
  if (!me) return null;
  const user = me.user;

  return (
    <div data-testid="account-page">
      <PageHeader title={t('account.title')} />
      {notice && <Notice testId="account-notice">{notice}</Notice>}
      <div className="cards">
        <section className="panel">
          <h2>{t('account.profile')}</h2>
          <dl className="props">
            <dt>{t('users.username')}</dt>
            <dd className="mono" data-testid="account-username">
              {user.username}
            </dd>
            <dt>{t('users.display_name')}</dt>
            <dd>{user.display_name}</dd>
            <dt>{t('users.email')}</dt>
            <dd>{user.email || <span className="muted">—</span>}</dd>
            <dt>{t('users.org')}</dt>
            <dd>{orgsById.get(user.org_id)?.name ?? '—'}</dd>
            <dt>{t('users.roles')}</dt>
            <dd>
              {me.roles.map((r, i) => (
                <div key={i}>
                  {t(`roles.${r.role}`)} <span className="muted">· {r.org_name}</span>
                </div>
              ))}
            </dd>
            <dt>{t('users.last_login')}</dt>
            <dd>{user.last_login_at ? formatDateTime(user.last_login_at) : t('users.never')}</dd>
          </dl>
        </section>
        <section className="panel">
          <h2>{t('account.change_password')}</h2>
          <PasswordForm
            onDone={() => {
              setNotice(t('account.password_changed'));
              void refresh();
            }}
          />
        </section>
        <section className="panel" data-testid="account-mfa">
          <h2>{t('account.mfa')}</h2>
          {user.mfa_enabled ? (
            <>
              <p>
                <span className="badge badge-ok">{t('users.mfa_on')}</span> {t('account.mfa_on_text')}
              </p>
              <DisableMfaForm
                onDone={() => {
                  setNotice(t('account.mfa_disabled'));
                  void refresh();
                }}
              />
            </>
          ) : enrolling ? (
            <MfaEnrol
              autoStart
              onCancel={() => setEnrolling(false)}
              onDone={() => {
                setEnrolling(false);
                setNotice(t('account.mfa_enabled'));
                void refresh();
              }}
            />
          ) : (
            <>
              <p>
                <span className="badge badge-warning">{t('users.mfa_off')}</span> {t('account.mfa_off_text')}
              </p>
              <button type="button" className="primary" onClick={() => setEnrolling(true)} data-testid="account-mfa-setup">
                {t('account.mfa_setup')}
              </button>
            </>
          )}
        </section>
      </div>
    </div>
  );
}

function DisableMfaForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const { busy, error, act } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(async () => {
      await api.mfaDisable(password, code.replace(/\s+/g, ''));
      onDone();
    });
  };
  const requiredByRole = error instanceof ApiError && error.code === 'conflict';
  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <h3>{t('account.mfa_disable')}</h3>
      {requiredByRole ? (
        <div className="alert alert-error" role="alert">
          {t('account.mfa_required_by_role')}
        </div>
      ) : (
        <ErrorMessage error={error} />
      )}
      <Field label={t('password.current')} htmlFor="md-password">
        <input id="md-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      <Field label={t('mfa.code')} htmlFor="md-code">
        <input id="md-code" inputMode="numeric" autoComplete="one-time-code" maxLength={7} required value={code} onChange={(e) => setCode(e.target.value)} className="code-input" />
      </Field>
      <div className="button-row">
        <button type="submit" className="danger" disabled={busy}>
          {t('account.mfa_disable')}
        </button>
      </div>
    </form>
  );
}
