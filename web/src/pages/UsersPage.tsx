// Users (tài khoản): search, create with roles on an org node, edit, disable, reset password,
// unlock, reset MFA, edit roles. Administrators act on users of their subtree; auditors read.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Id, type Role, type UserWithRoles } from '../api';
import { useSession } from '../session';
import { formatDateTime, isFuture } from '../format';
import { ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader, Pager, RoleSelect } from '../components/ui';
import { useAction } from '../useAction';

const PAGE_SIZE = 50;

interface RoleRow {
  org_id: Id | null;
  role: Role | '';
}

/** A random password from an unambiguous alphabet, for an administrator to hand over. */
function generatePassword(length = 16): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%*-_';
  const out: string[] = [];
  const buf = new Uint32Array(length);
  crypto.getRandomValues(buf);
  for (const v of buf) out.push(alphabet[v % alphabet.length]);
  return out.join('');
}

function PasswordInput({ id, value, onChange, testId }: { id: string; value: string; onChange: (v: string) => void; testId: string }) {
  const { t } = useTranslation();
  const [visible, setVisible] = useState(false);
  return (
    <div className="input-with-buttons">
      <input id={id} type={visible ? 'text' : 'password'} autoComplete="new-password" required value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      <button type="button" onClick={() => setVisible((v) => !v)}>
        {visible ? t('common.hide') : t('common.show')}
      </button>
      <button
        type="button"
        onClick={() => {
          onChange(generatePassword());
          setVisible(true);
        }}
      >
        {t('users.generate_password')}
      </button>
    </div>
  );
}

function RolesEditor({ rows, onChange }: { rows: RoleRow[]; onChange: (rows: RoleRow[]) => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const set = (i: number, patch: Partial<RoleRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="roles-editor" data-testid="roles-editor">
      {rows.length === 0 && <p className="muted small">{t('users.no_roles')}</p>}
      {rows.map((row, i) => (
        <div className="role-row" key={i}>
          <OrgSelect orgs={orgs} value={row.org_id} onChange={(v) => set(i, { org_id: v })} allow={(o) => perms.canAdminOrg(o.id)} testId={`role-org-${i}`} />
          <RoleSelect value={row.role} onChange={(r) => set(i, { role: r })} testId={`role-role-${i}`} />
          <button type="button" className="icon-button" aria-label={t('users.remove_role')} title={t('users.remove_role')} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="link-button" onClick={() => onChange([...rows, { org_id: null, role: '' }])} data-testid="role-add">
        + {t('users.add_role')}
      </button>
      <p className="muted small">{t('users.roles_hint')}</p>
    </div>
  );
}

function validRoles(rows: RoleRow[]): { org_id: Id; role: Role }[] | null {
  const out: { org_id: Id; role: Role }[] = [];
  for (const r of rows) {
    if (r.org_id === null || !r.role) return null;
    out.push({ org_id: r.org_id, role: r.role });
  }
  return out;
}

export function UsersPage() {
  const { t } = useTranslation();
  const { orgs, orgsById, perms } = useSession();
  const [q, setQ] = useState('');
  const [appliedQ, setAppliedQ] = useState('');
  const [orgFilter, setOrgFilter] = useState<Id | null>(null);
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ items: UserWithRoles[]; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [openUser, setOpenUser] = useState<UserWithRoles | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await api.listUsers({ q: appliedQ || undefined, org_id: orgFilter ?? undefined, limit: PAGE_SIZE, offset }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [appliedQ, orgFilter, offset]);

  useEffect(() => {
    void load();
  }, [load]);

  const status = (u: UserWithRoles) => {
    if (u.disabled) return <span className="badge badge-muted">{t('users.status_disabled')}</span>;
    if (isFuture(u.locked_until)) return <span className="badge badge-danger">{t('users.status_locked')}</span>;
    if (u.must_change_password) return <span className="badge badge-warning">{t('users.status_must_change')}</span>;
    return <span className="badge badge-ok">{t('users.status_active')}</span>;
  };

  return (
    <div data-testid="users-page">
      <PageHeader
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        actions={
          perms.isAdmin && (
            <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="user-create">
              {t('users.create')}
            </button>
          )
        }
      />
      {notice && <Notice testId="users-notice">{notice}</Notice>}
      <form
        className="toolbar panel"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setAppliedQ(q.trim());
        }}
      >
        <input type="search" placeholder={t('users.search')} aria-label={t('users.search')} value={q} onChange={(e) => setQ(e.target.value)} data-testid="users-search" />
        <OrgSelect
          orgs={orgs}
          value={orgFilter}
          onChange={(v) => {
            setOffset(0);
            setOrgFilter(v);
          }}
          emptyLabel={t('users.all_orgs')}
          includeArchived
          testId="users-org-filter"
        />
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorMessage error={error} />
      <div className="panel table-panel">
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th>{t('users.username')}</th>
              <th>{t('users.display_name')}</th>
              <th>{t('users.org')}</th>
              <th>{t('users.roles')}</th>
              <th>{t('users.status')}</th>
              <th>{t('users.mfa')}</th>
              <th>{t('users.last_login')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((u) => (
              <tr key={u.id} className="clickable" onClick={() => setOpenUser(u)} data-testid="user-row" data-username={u.username}>
                <td>
                  <button type="button" className="link-button mono" onClick={() => setOpenUser(u)}>
                    {u.username}
                  </button>
                </td>
                <td>{u.display_name}</td>
                <td>{orgsById.get(u.org_id)?.name ?? '—'}</td>
                <td className="roles-cell">
                  {u.roles.map((r, i) => (
                    <div key={i}>
                      {t(`roles.${r.role}`)} <span className="muted">· {r.org_name}</span>
                    </div>
                  ))}
                </td>
                <td>{status(u)}</td>
                <td>{u.mfa_enabled ? <span className="badge badge-ok">{t('users.mfa_on')}</span> : <span className="muted">{t('users.mfa_off')}</span>}</td>
                <td className="nowrap">{u.last_login_at ? formatDateTime(u.last_login_at) : <span className="muted">{t('users.never')}</span>}</td>
              </tr>
            ))}
            {data && data.items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted center">
                  {t('users.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {data && <Pager total={data.total} offset={offset} limit={PAGE_SIZE} onChange={setOffset} />}
      </div>
      {creating && (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onDone={(name) => {
            setCreating(false);
            setNotice(t('users.created', { name }));
            void load();
          }}
        />
      )}
      {openUser && (
        <UserDialog
          userId={openUser.id}
          initial={openUser}
          onClose={() => setOpenUser(null)}
          onChanged={(message) => {
            setNotice(message);
            void load();
          }}
        />
      )}
    </div>
  );
}

function CreateUserDialog({ onClose, onDone }: { onClose: () => void; onDone: (username: string) => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<RoleRow[]>([{ org_id: null, role: 'unit_officer' }]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [localError, setLocalError] = useState<string | null>(null);

  const chooseOrg = (id: Id | null) => {
    setOrgId(id);
    // The first role follows the user's org until it is chosen by hand.
    setRoles((rows) => rows.map((r, i) => (i === 0 && (r.org_id === null || r.org_id === orgId) ? { ...r, org_id: id } : r)));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setLocalError(null);
    const r = validRoles(roles);
    if (!r) {
      setLocalError(t('users.roles_incomplete'));
      return;
    }
    if (orgId === null) {
      setLocalError(t('users.org_required'));
      return;
    }
    setBusy(true);
    try {
      const u = await api.createUser({
        username: username.trim(),
        display_name: displayName.trim(),
        ...(email.trim() ? { email: email.trim() } : {}),
        org_id: orgId,
        password,
        roles: r,
      });
      onDone(u.username);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('users.create_title')} onClose={onClose} testId="user-create-form" wide>
      <form onSubmit={(e) => void submit(e)} className="form">
        <ErrorMessage error={error} />
        {localError && (
          <div className="alert alert-error" role="alert">
            {localError}
          </div>
        )}
        <div className="form-grid">
          <Field label={t('users.username')} htmlFor="u-username" hint={t('users.username_hint')}>
            <input id="u-username" required autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} data-testid="u-username" />
          </Field>
          <Field label={t('users.display_name')} htmlFor="u-display">
            <input id="u-display" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} data-testid="u-display-name" />
          </Field>
          <Field label={t('users.email_optional')} htmlFor="u-email">
            <input id="u-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="u-email" />
          </Field>
          <Field label={t('users.org')} htmlFor="u-org">
            <OrgSelect id="u-org" orgs={orgs} value={orgId} onChange={chooseOrg} allow={(o) => perms.canAdminOrg(o.id)} testId="u-org" />
          </Field>
        </div>
        <Field label={t('users.initial_password')} htmlFor="u-password" hint={t('users.initial_password_hint')}>
          <PasswordInput id="u-password" value={password} onChange={setPassword} testId="u-password" />
        </Field>
        <Field label={t('users.roles')}>
          <RolesEditor rows={roles} onChange={setRoles} />
        </Field>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy} data-testid="u-submit">
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

type UserMode = 'view' | 'edit' | 'roles' | 'password' | 'confirm-disable' | 'confirm-enable' | 'confirm-unlock' | 'confirm-mfa';

function UserDialog({
  userId,
  initial,
  onClose,
  onChanged,
}: {
  userId: Id;
  initial: UserWithRoles;
  onClose: () => void;
  onChanged: (message: string) => void;
}) {
  const { t } = useTranslation();
  const { orgsById, perms, me } = useSession();
  const [user, setUser] = useState<UserWithRoles>(initial);
  const [mode, setMode] = useState<UserMode>('view');
  const { busy, error, setError, act } = useAction();
  const [message, setMessage] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState(initial.display_name);
  const [email, setEmail] = useState(initial.email || '');
  const [roles, setRoles] = useState<RoleRow[]>(initial.roles.map((r) => ({ org_id: r.org_id, role: r.role })));
  const [newPassword, setNewPassword] = useState('');
  const canAdmin = perms.canAdminOrg(user.org_id);
  const isSelf = me?.user.id === user.id;

  const reload = async () => {
    const u = await api.getUser(userId);
    setUser(u);
    setDisplayName(u.display_name);
    setEmail(u.email || '');
    setRoles(u.roles.map((r) => ({ org_id: r.org_id, role: r.role })));
  };

  const run = async (action: () => Promise<unknown>, doneMessage: string) => {
    await act(async () => {
      await action();
      await reload();
      setMode('view');
      setMessage(doneMessage);
      onChanged(doneMessage);
    });
  };

  const name = user.display_name || user.username;
  const back = () => {
    setMode('view');
    setError(null);
  };
  const cancelRow = (
    <button type="button" onClick={back}>
      {t('common.cancel')}
    </button>
  );

  return (
    <Modal title={t('users.detail_title', { name: user.username })} onClose={onClose} testId="user-dialog" wide>
      {message && mode === 'view' && <Notice testId="user-notice">{message}</Notice>}
      <ErrorMessage error={error} />
      {localError && mode === 'roles' && (
        <div className="alert alert-error" role="alert">
          {localError}
        </div>
      )}
      {mode === 'view' && (
        <>
          <dl className="props">
            <dt>{t('users.username')}</dt>
            <dd className="mono">{user.username}</dd>
            <dt>{t('users.display_name')}</dt>
            <dd>{user.display_name}</dd>
            <dt>{t('users.email')}</dt>
            <dd>{user.email || <span className="muted">—</span>}</dd>
            <dt>{t('users.org')}</dt>
            <dd>{orgsById.get(user.org_id)?.name ?? '—'}</dd>
            <dt>{t('users.roles')}</dt>
            <dd>
              {user.roles.length === 0 && <span className="muted">{t('users.no_roles')}</span>}
              {user.roles.map((r, i) => (
                <div key={i}>
                  {t(`roles.${r.role}`)} <span className="muted">· {r.org_name}</span>
                </div>
              ))}
            </dd>
            <dt>{t('users.status')}</dt>
            <dd>
              {user.disabled ? t('users.status_disabled') : t('users.status_active')}
              {user.disabled && user.disabled_reason && (
                <> ({user.disabled_reason === 'inactive' ? t('users.disabled_inactive') : user.disabled_reason})</>
              )}
              {isFuture(user.locked_until) && <> · {t('users.locked_until', { time: formatDateTime(user.locked_until) })}</>}
              {user.must_change_password && <> · {t('users.status_must_change')}</>}
            </dd>
            <dt>{t('users.mfa')}</dt>
            <dd>{user.mfa_enabled ? t('users.mfa_on') : t('users.mfa_off')}</dd>
            <dt>{t('users.last_login')}</dt>
            <dd>{user.last_login_at ? formatDateTime(user.last_login_at) : t('users.never')}</dd>
            <dt>{t('common.created_at')}</dt>
            <dd>{formatDateTime(user.created_at)}</dd>
          </dl>
          {canAdmin ? (
            <div className="button-row">
              <button type="button" onClick={() => setMode('edit')} data-testid="user-edit">
                {t('users.edit')}
              </button>
              <button type="button" onClick={() => setMode('roles')} data-testid="user-roles">
                {t('users.edit_roles')}
              </button>
              <button type="button" onClick={() => setMode('password')} data-testid="user-reset-password">
                {t('users.reset_password')}
              </button>
              {isFuture(user.locked_until) && (
                <button type="button" onClick={() => setMode('confirm-unlock')} data-testid="user-unlock">
                  {t('users.unlock')}
                </button>
              )}
              {user.mfa_enabled && (
                <button type="button" onClick={() => setMode('confirm-mfa')} data-testid="user-reset-mfa">
                  {t('users.reset_mfa')}
                </button>
              )}
              {!isSelf &&
                (user.disabled ? (
                  <button type="button" onClick={() => setMode('confirm-enable')} data-testid="user-enable">
                    {t('users.enable')}
                  </button>
                ) : (
                  <button type="button" className="danger" onClick={() => setMode('confirm-disable')} data-testid="user-disable">
                    {t('users.disable')}
                  </button>
                ))}
            </div>
          ) : (
            <p className="muted small">{t('users.read_only')}</p>
          )}
        </>
      )}
      {mode === 'edit' && (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.updateUser(user.id, { display_name: displayName.trim(), email: email.trim() }), t('users.updated', { name }));
          }}
        >
          <Field label={t('users.display_name')} htmlFor="ue-display">
            <input id="ue-display" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} data-testid="ue-display-name" />
          </Field>
          <Field label={t('users.email_optional')} htmlFor="ue-email">
            <input id="ue-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="ue-email" />
          </Field>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy} data-testid="ue-submit">
              {t('common.save')}
            </button>
            {cancelRow}
          </div>
        </form>
      )}
      {mode === 'roles' && (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            const r = validRoles(roles);
            if (!r) {
              setLocalError(t('users.roles_incomplete'));
              return;
            }
            setLocalError(null);
            void run(() => api.setUserRoles(user.id, r), t('users.roles_saved', { name }));
          }}
        >
          <RolesEditor rows={roles} onChange={setRoles} />
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy} data-testid="roles-submit">
              {t('common.save')}
            </button>
            {cancelRow}
          </div>
        </form>
      )}
      {mode === 'password' && (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.resetUserPassword(user.id, newPassword), t('users.password_reset_done', { name }));
          }}
        >
          <p className="muted">{t('users.reset_password_text')}</p>
          <Field label={t('password.new')} htmlFor="ur-password">
            <PasswordInput id="ur-password" value={newPassword} onChange={setNewPassword} testId="ur-password" />
          </Field>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy} data-testid="ur-submit">
              {t('users.reset_password')}
            </button>
            {cancelRow}
          </div>
        </form>
      )}
      {mode.startsWith('confirm-') && (
        <div>
          <p>
            {mode === 'confirm-disable' && t('users.disable_text', { name })}
            {mode === 'confirm-enable' && t('users.enable_text', { name })}
            {mode === 'confirm-unlock' && t('users.unlock_text', { name })}
            {mode === 'confirm-mfa' && t('users.reset_mfa_text', { name })}
          </p>
          <div className="button-row">
            <button
              type="button"
              className={mode === 'confirm-disable' || mode === 'confirm-mfa' ? 'danger' : 'primary'}
              disabled={busy}
              data-testid="user-confirm"
              onClick={() => {
                if (mode === 'confirm-disable') void run(() => api.updateUser(user.id, { disabled: true }), t('users.disabled_done', { name }));
                if (mode === 'confirm-enable') void run(() => api.updateUser(user.id, { disabled: false }), t('users.enabled_done', { name }));
                if (mode === 'confirm-unlock') void run(() => api.unlockUser(user.id), t('users.unlocked_done', { name }));
                if (mode === 'confirm-mfa') void run(() => api.resetUserMfa(user.id), t('users.mfa_reset_done', { name }));
              }}
            >
              {t('common.confirm')}
            </button>
            {cancelRow}
          </div>
        </div>
      )}
    </Modal>
  );
}
