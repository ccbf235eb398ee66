// API tokens for machines (collectors, scripts). The secret is shown once, right after creation.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Id, type Role, type Token } from '../api';
import { useSession } from '../session';
import { formatDate, formatDateTime, isFuture } from '../format';
import { CopyButton, ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader, Pager, RoleSelect } from '../components/ui';
import { useAction } from '../useAction';

const PAGE_SIZE = 100;

export function TokensPage() {
  const { t } = useTranslation();
  const { orgsById, perms } = useSession();
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [total, setTotal] = useState(0);
  const [offset, setOffset] = useState(0);
  const [userNames, setUserNames] = useState<Map<Id, string>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const list = await api.listTokens({ limit: PAGE_SIZE, offset });
      setTokens(list.items);
      setTotal(list.total);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [offset]);

  useEffect(() => {
    void load();
  }, [load]);

  // Tokens name their creator by user id; show the username where the user is in scope.
  useEffect(() => {
    if (!perms.canSeeUsers) return;
    api.listUsers({ limit: 500 }).then(
      (list) => setUserNames(new Map(list.items.map((u) => [u.id, u.username]))),
      () => undefined,
    );
  }, [perms.canSeeUsers]);

  const state = (tok: Token) => {
    if (tok.revoked) return <span className="badge badge-muted">{t('tokens.revoked')}</span>;
    if (!isFuture(tok.expires_at)) return <span className="badge badge-warning">{t('tokens.expired')}</span>;
    return <span className="badge badge-ok">{t('tokens.active')}</span>;
  };

  const shown = (tokens ?? []).filter((tok) => showRevoked || !tok.revoked);

  return (
    <div data-testid="tokens-page">
      <PageHeader
        title={t('tokens.title')}
        subtitle={t('tokens.subtitle')}
        actions={
          perms.isAdmin && (
            <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="token-create">
              {t('tokens.create')}
            </button>
          )
        }
      />
      {notice && <Notice testId="tokens-notice">{notice}</Notice>}
      <ErrorMessage error={error} />
      <div className="toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
          {t('tokens.show_revoked')}
        </label>
      </div>
      <div className="panel table-panel">
        <table className="table" data-testid="tokens-table">
          <thead>
            <tr>
              <th>{t('tokens.name')}</th>
              <th>{t('tokens.org')}</th>
              <th>{t('tokens.role')}</th>
              <th>{t('tokens.prefix')}</th>
              <th>{t('tokens.created_by')}</th>
              <th>{t('common.created_at')}</th>
              <th>{t('tokens.expires_at')}</th>
              <th>{t('tokens.last_used')}</th>
              <th>{t('tokens.state')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((tok) => (
              <tr key={tok.id} data-testid="token-row" data-token-name={tok.name}>
                <td>{tok.name}</td>
                <td>{orgsById.get(tok.org_id)?.name ?? '—'}</td>
                <td>{t(`roles.${tok.role}`)}</td>
                <td className="mono nowrap">{tok.prefix}…</td>
                <td>{tok.created_by === null ? '—' : userNames.get(tok.created_by) ?? `#${tok.created_by}`}</td>
                <td className="nowrap">{formatDateTime(tok.created_at)}</td>
                <td className="nowrap">{formatDate(tok.expires_at)}</td>
                <td>{tok.last_used_at ? formatDateTime(tok.last_used_at) : <span className="muted">{t('tokens.never_used')}</span>}</td>
                <td>{state(tok)}</td>
                <td className="actions-cell">
                  {!tok.revoked && perms.canAdminOrg(tok.org_id) && (
                    <button type="button" className="danger small" onClick={() => setRevoking(tok)} data-testid="token-revoke">
                      {t('tokens.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {tokens && shown.length === 0 && (
              <tr>
                <td colSpan={10} className="muted center">
                  {t('tokens.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {tokens && total > PAGE_SIZE && <Pager total={total} offset={offset} limit={PAGE_SIZE} onChange={setOffset} />}
      </div>
      {creating && (
        <CreateTokenDialog
          onClose={() => {
            setCreating(false);
            void load();
          }}
        />
      )}
      {revoking && (
        <RevokeDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setNotice(t('tokens.revoked_done', { name: revoking.name }));
            setRevoking(null);
            void load();
          }}
        />
      )}
    </div>
  );
}

function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [name, setName] = useState('');
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [role, setRole] = useState<Role>('soc_analyst');
  const [days, setDays] = useState('90');
  const { busy, error, act } = useAction();
  const [created, setCreated] = useState<{ token: Token; secret: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(async () => {
      if (orgId === null) return;
      setCreated(await api.createToken({ name: name.trim(), org_id: orgId, role, expires_in_days: Number(days) }));
    });
  };

  if (created) {
    return (
      <Modal title={t('tokens.created_title', { name: created.token.name })} onClose={onClose} testId="token-secret-dialog">
        <Notice kind="warning">{t('tokens.secret_once')}</Notice>
        <div className="secret-row">
          <code className="secret" data-testid="token-secret">
            {created.secret}
          </code>
          <CopyButton text={created.secret} testId="token-copy" />
        </div>
        <p className="muted small">{t('tokens.usage_hint')}</p>
        <div className="button-row">
          <button type="button" className="primary" onClick={onClose} data-testid="token-secret-close">
            {t('tokens.saved_it')}
          </button>
        </div>
      </Modal>
    );
  }

  return (
    <Modal title={t('tokens.create_title')} onClose={onClose} testId="token-create-form">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <ErrorMessage error={error} />
        <Field label={t('tokens.name')} htmlFor="tk-name" hint={t('tokens.name_hint')}>
          <input id="tk-name" required value={name} onChange={(e) => setName(e.target.value)} data-testid="tk-name" />
        </Field>
        <Field label={t('tokens.org')} htmlFor="tk-org">
          <OrgSelect id="tk-org" orgs={orgs} value={orgId} onChange={setOrgId} allow={(o) => perms.canAdminOrg(o.id)} testId="tk-org" />
        </Field>
        <Field label={t('tokens.role')} htmlFor="tk-role">
          <RoleSelect id="tk-role" value={role} onChange={setRole} testId="tk-role" />
        </Field>
        <Field label={t('tokens.expires_in_days')} htmlFor="tk-days" hint={t('tokens.expires_hint')}>
          <input id="tk-days" type="number" min={1} max={730} required value={days} onChange={(e) => setDays(e.target.value)} data-testid="tk-days" />
        </Field>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy || orgId === null} data-testid="tk-submit">
            {t('common.create')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function RevokeDialog({ token, onClose, onDone }: { token: Token; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { busy, error, act } = useAction();
  const submit = async () => {
    await act(async () => {
      await api.revokeToken(token.id);
      onDone();
    });
  };
  return (
    <Modal title={t('tokens.revoke_title', { name: token.name })} onClose={onClose} testId="token-revoke-dialog">
      <ErrorMessage error={error} />
      <p>{t('tokens.revoke_text')}</p>
      <div className="button-row">
        <button type="button" className="danger" disabled={busy} onClick={() => void submit()} data-testid="token-revoke-confirm">
          {t('tokens.revoke')}
        </button>
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Modal>
  );
}
