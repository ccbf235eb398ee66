// The records kept beside an information system: its assets (servers, network devices,
// workstations with their anti-malware), its accounts (flagged when unused too long or a vendor
// default) and its backups (flagged when overdue). Each is a table with an add/edit dialog; the
// server validates and scopes everything.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  api,
  ASSET_KINDS,
  BACKUP_FREQUENCIES,
  MAIN_DEVICE_KINDS,
  PRIVILEGES,
  type AccountBody,
  type Asset,
  type AssetFields,
  type AssetKind,
  type Backup,
  type BackupBody,
  type Id,
  type List,
  type Privilege,
  type SystemAccount,
} from '../api';
import { formatDate, formatDay, parseVnDateTime, parseVnDay } from '../format';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { DialogButtons, ErrorMessage, Field, Modal, Pager } from './ui';

const PAGE_SIZE = 50;

function Flags({ flags }: { flags: string[] }) {
  const { t } = useTranslation();
  if (flags.length === 0) return <span className="badge badge-ok">{t('registry.flags.ok')}</span>;
  return (
    <>
      {flags.map((f) => (
        <span key={f} className="badge badge-warning" data-testid="record-flag" data-flag={f}>
          {t(`registry.flags.${f}`, { defaultValue: f })}
        </span>
      ))}
    </>
  );
}

function Check({ label, checked, onChange, testId }: { label: string; checked: boolean; onChange: (v: boolean) => void; testId?: string }) {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      {label}
    </label>
  );
}

/** A time the server keeps as RFC 3339, typed as dd/mm/yyyy; null when empty, undefined when invalid. */
function dayToTime(text: string): string | null | undefined {
  if (!text.trim()) return null;
  return parseVnDateTime(text) ?? undefined;
}

// --- Assets -------------------------------------------------------------------------------------

/** The assets of one system (systemId) or of an agency's subtree (orgId only). */
export function AssetsTable({ systemId, orgId, canManage, reloadKey = 0 }: { systemId?: Id; orgId?: Id | null; canManage: boolean; reloadKey?: number }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<string>('');
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<List<Asset> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Asset | 'new' | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await api.listAssets({ system_id: systemId, org_id: systemId ? undefined : (orgId ?? undefined), kind: kind || undefined, limit: PAGE_SIZE, offset }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [systemId, orgId, kind, offset]);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  return (
    <section className="panel table-panel" data-testid="assets-panel">
      <div className="toolbar">
        <select
          value={kind}
          onChange={(e) => {
            setOffset(0);
            setKind(e.target.value);
          }}
          aria-label={t('assets.kind')}
          data-testid="assets-kind-filter"
        >
          <option value="">{t('assets.all_kinds')}</option>
          {ASSET_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`assets.kinds.${k}`)}
            </option>
          ))}
        </select>
        {canManage && systemId !== undefined && (
          <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="asset-add">
            {t('assets.add')}
          </button>
        )}
      </div>
      <ErrorMessage error={error} />
      <table className="table" data-testid="assets-table">
        <thead>
          <tr>
            <th>{t('assets.name')}</th>
            <th>{t('assets.kind')}</th>
            {systemId === undefined && <th>{t('assets.system')}</th>}
            <th>{t('assets.ip')}</th>
            <th>{t('assets.os')}</th>
            <th>{t('assets.anti_malware')}</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((a) => (
            <tr key={a.id} className={canManage ? 'clickable' : undefined} onClick={canManage ? () => setEditing(a) : undefined} data-testid="asset-row" data-name={a.name}>
              <td>
                {a.name}
                {a.main_device && <span className="badge badge-muted">{t(`assets.main_kinds.${a.main_device_kind}`, { defaultValue: a.main_device_kind })}</span>}
              </td>
              <td>{t(`assets.kinds.${a.kind}`)}</td>
              {systemId === undefined && <td>{a.system_name}</td>}
              <td className="mono">{a.ip}</td>
              <td>{a.os}</td>
              <td>
                {a.anti_malware ? (
                  <>
                    {a.anti_malware}{' '}
                    {a.anti_malware_licensed ? <span className="badge badge-ok">{t('assets.licensed')}</span> : <span className="badge badge-warning">{t('assets.unlicensed')}</span>}
                    {a.last_update_on && <div className="muted small">{t('assets.updated_on', { date: formatDay(a.last_update_on) })}</div>}
                  </>
                ) : (
                  a.kind !== 'network_device' && <span className="badge badge-danger">{t('assets.no_anti_malware')}</span>
                )}
              </td>
            </tr>
          ))}
          {data && data.items.length === 0 && (
            <tr>
              <td colSpan={6} className="muted center">
                {t('assets.empty')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {data && <Pager total={data.total} offset={offset} limit={PAGE_SIZE} onChange={setOffset} />}
      {editing && (
        <AssetDialog
          asset={editing === 'new' ? null : editing}
          systemId={editing === 'new' ? (systemId as Id) : editing.system_id}
          onClose={(changed) => {
            setEditing(null);
            if (changed) void load();
          }}
        />
      )}
    </section>
  );
}

function AssetDialog({ asset, systemId, onClose }: { asset: Asset | null; systemId: Id; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [f, setF] = useState<AssetFields>(
    asset ?? {
      system_id: systemId,
      kind: 'workstation',
      name: '',
      ip: '',
      os: '',
      location: '',
      main_device: false,
      main_device_kind: '',
      internet_connected: false,
      anti_malware: '',
      anti_malware_licensed: false,
      last_update_on: null,
    },
  );
  const [updated, setUpdated] = useState(formatDay(asset?.last_update_on));
  const { busy, error, setError, act } = useAction();
  const set = <K extends keyof AssetFields>(k: K, v: AssetFields[K]) => setF((x) => ({ ...x, [k]: v }));

  const save = () => {
    const day = parseVnDay(updated);
    if (day === null) {
      setError(new Error(t('systems.bad_date')));
      return;
    }
    const body: AssetFields = {
      ...f,
      last_update_on: day || null,
      main_device: f.kind === 'network_device' && f.main_device,
      main_device_kind: f.kind === 'network_device' && f.main_device ? f.main_device_kind : '',
    };
    void act(async () => {
      if (asset) await api.updateAsset(asset.id, body);
      else await api.createAsset(body);
      onClose(true);
    });
  };
  const remove = asset
    ? () =>
        void act(async () => {
          await api.deleteAsset(asset.id);
          onClose(true);
        })
    : undefined;

  const text = (k: 'name' | 'ip' | 'os' | 'location' | 'anti_malware', label: string): ReactNode => (
    <Field label={label}>
      <input type="text" value={f[k]} onChange={(e) => set(k, e.target.value)} data-testid={`asset-${k}`} />
    </Field>
  );

  return (
    <Modal
      title={asset ? t('assets.edit_title', { name: asset.name }) : t('assets.add')}
      onClose={() => onClose(false)}
      testId="asset-dialog"
      footer={<DialogButtons onClose={() => onClose(false)} onDelete={remove} onSave={save} busy={busy} testId="asset" />}
    >
      <div className="fact-grid">
        <Field label={t('assets.kind')}>
          <select value={f.kind} onChange={(e) => set('kind', e.target.value as AssetKind)} data-testid="asset-kind">
            {ASSET_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`assets.kinds.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        {text('name', t('assets.name'))}
        {text('ip', t('assets.ip'))}
        {text('os', t('assets.os'))}
        {text('location', t('assets.location'))}
        {f.kind === 'network_device' && (
          <Field label={t('assets.main_device')}>
            <Check label={t('assets.is_main_device')} checked={f.main_device} onChange={(v) => set('main_device', v)} testId="asset-main_device" />
            {f.main_device && (
              <select value={f.main_device_kind} onChange={(e) => set('main_device_kind', e.target.value)} data-testid="asset-main_device_kind">
                <option value="">{t('common.choose')}</option>
                {MAIN_DEVICE_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`assets.main_kinds.${k}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label={t('assets.internet')}>
          <Check label={t('assets.internet_connected')} checked={f.internet_connected} onChange={(v) => set('internet_connected', v)} />
        </Field>
        {f.kind !== 'network_device' && (
          <>
            {text('anti_malware', t('assets.anti_malware'))}
            <Field label={t('assets.license')}>
              <Check label={t('assets.licensed')} checked={f.anti_malware_licensed} onChange={(v) => set('anti_malware_licensed', v)} testId="asset-licensed" />
            </Field>
            <Field label={t('assets.last_update_on')} hint="dd/mm/yyyy">
              <input type="text" value={updated} onChange={(e) => setUpdated(e.target.value)} data-testid="asset-last_update_on" />
            </Field>
          </>
        )}
      </div>
      <ErrorMessage error={error} />
    </Modal>
  );
}

// --- Accounts -----------------------------------------------------------------------------------

export function AccountsPanel({ systemId, canManage }: { systemId: Id; canManage: boolean }) {
  const { t } = useTranslation();
  const { data, error, reload: load } = useLoad(() => api.listAccounts(systemId), [systemId]);
  const [editing, setEditing] = useState<SystemAccount | 'new' | null>(null);

  return (
    <section className="panel table-panel" data-testid="accounts-panel">
      <div className="toolbar">
        <span className="muted small">{data?.items[0] ? t('accounts.unused_rule', { days: data.items[0].unused_days_limit }) : t('accounts.hint')}</span>
        {canManage && (
          <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="account-add">
            {t('accounts.add')}
          </button>
        )}
      </div>
      <ErrorMessage error={error} />
      <table className="table" data-testid="accounts-table">
        <thead>
          <tr>
            <th>{t('accounts.name')}</th>
            <th>{t('accounts.owner')}</th>
            <th>{t('accounts.privilege')}</th>
            <th>{t('accounts.last_used_at')}</th>
            <th>{t('registry.status')}</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((a) => (
            <tr key={a.id} className={canManage ? 'clickable' : undefined} onClick={canManage ? () => setEditing(a) : undefined} data-testid="account-row" data-name={a.name}>
              <td className="mono">{a.name}</td>
              <td>{a.owner}</td>
              <td>{t(`accounts.privileges.${a.privilege}`)}</td>
              <td className="nowrap">{a.last_used_at ? formatDate(a.last_used_at) : <span className="muted">{t('accounts.never')}</span>}</td>
              <td>
                <Flags flags={a.flags} />
              </td>
            </tr>
          ))}
          {data && data.items.length === 0 && (
            <tr>
              <td colSpan={5} className="muted center">
                {t('accounts.empty')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {editing && (
        <AccountDialog
          account={editing === 'new' ? null : editing}
          systemId={systemId}
          onClose={(changed) => {
            setEditing(null);
            if (changed) void load();
          }}
        />
      )}
    </section>
  );
}

function AccountDialog({ account, systemId, onClose }: { account: SystemAccount | null; systemId: Id; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(account?.name ?? '');
  const [owner, setOwner] = useState(account?.owner ?? '');
  const [privilege, setPrivilege] = useState<Privilege>(account?.privilege ?? 'user');
  const [lastUsed, setLastUsed] = useState(account?.last_used_at ? formatDate(account.last_used_at) : '');
  const [isDefault, setIsDefault] = useState(account?.is_default ?? false);
  const { busy, error, setError, act } = useAction();

  const save = () => {
    const last = dayToTime(lastUsed);
    if (last === undefined) {
      setError(new Error(t('systems.bad_date')));
      return;
    }
    const body: AccountBody = { name: name.trim(), owner: owner.trim(), privilege, last_used_at: last, is_default: isDefault };
    void act(async () => {
      if (account) await api.updateAccount(account.id, body);
      else await api.createAccount(systemId, body);
      onClose(true);
    });
  };
  const remove = account
    ? () =>
        void act(async () => {
          await api.deleteAccount(account.id);
          onClose(true);
        })
    : undefined;

  return (
    <Modal
      title={account ? t('accounts.edit_title', { name: account.name }) : t('accounts.add')}
      onClose={() => onClose(false)}
      testId="account-dialog"
      footer={<DialogButtons onClose={() => onClose(false)} onDelete={remove} onSave={save} busy={busy} testId="account" />}
    >
      <Field label={t('accounts.name')}>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="account-name" />
      </Field>
      <Field label={t('accounts.owner')}>
        <input type="text" value={owner} onChange={(e) => setOwner(e.target.value)} data-testid="account-owner" />
      </Field>
      <Field label={t('accounts.privilege')}>
        <select value={privilege} onChange={(e) => setPrivilege(e.target.value as Privilege)} data-testid="account-privilege">
          {PRIVILEGES.map((p) => (
            <option key={p} value={p}>
              {t(`accounts.privileges.${p}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('accounts.last_used_at')} hint="dd/mm/yyyy">
        <input type="text" value={lastUsed} onChange={(e) => setLastUsed(e.target.value)} data-testid="account-last_used_at" />
      </Field>
      <Check label={t('accounts.is_default')} checked={isDefault} onChange={setIsDefault} testId="account-is_default" />
      <ErrorMessage error={error} />
    </Modal>
  );
}

// --- Backups ------------------------------------------------------------------------------------

export function BackupsPanel({ systemId, canManage }: { systemId: Id; canManage: boolean }) {
  const { t } = useTranslation();
  const { data, error, reload: load } = useLoad(() => api.listBackups(systemId), [systemId]);
  const [editing, setEditing] = useState<Backup | 'new' | null>(null);

  return (
    <section className="panel table-panel" data-testid="backups-panel">
      <div className="toolbar">
        <span className="muted small">{t('backups.hint')}</span>
        {canManage && (
          <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="backup-add">
            {t('backups.add')}
          </button>
        )}
      </div>
      <ErrorMessage error={error} />
      <table className="table" data-testid="backups-table">
        <thead>
          <tr>
            <th>{t('backups.scope')}</th>
            <th>{t('backups.frequency')}</th>
            <th>{t('backups.copies')}</th>
            <th>{t('backups.last_backup_at')}</th>
            <th>{t('backups.last_restore_test_at')}</th>
            <th>{t('registry.status')}</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((b) => (
            <tr key={b.id} className={canManage ? 'clickable' : undefined} onClick={canManage ? () => setEditing(b) : undefined} data-testid="backup-row">
              <td>{b.scope}</td>
              <td>{t(`backups.frequencies.${b.frequency}`, { defaultValue: b.frequency })}</td>
              <td>
                {[b.offline_copy && t('backups.offline_copy'), b.offsite_copy && t('backups.offsite_copy')].filter(Boolean).join(', ') || <span className="muted">—</span>}
              </td>
              <td className="nowrap">{b.last_backup_at ? formatDate(b.last_backup_at) : <span className="muted">{t('accounts.never')}</span>}</td>
              <td className="nowrap">{b.last_restore_test_at ? formatDate(b.last_restore_test_at) : <span className="muted">{t('accounts.never')}</span>}</td>
              <td>
                <Flags flags={b.flags} />
              </td>
            </tr>
          ))}
          {data && data.items.length === 0 && (
            <tr>
              <td colSpan={6} className="muted center">
                {t('backups.empty')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {editing && (
        <BackupDialog
          backup={editing === 'new' ? null : editing}
          systemId={systemId}
          onClose={(changed) => {
            setEditing(null);
            if (changed) void load();
          }}
        />
      )}
    </section>
  );
}

function BackupDialog({ backup, systemId, onClose }: { backup: Backup | null; systemId: Id; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [scope, setScope] = useState(backup?.scope ?? '');
  const [frequency, setFrequency] = useState<string>(backup?.frequency ?? 'daily');
  const [offline, setOffline] = useState(backup?.offline_copy ?? false);
  const [offsite, setOffsite] = useState(backup?.offsite_copy ?? false);
  const [last, setLast] = useState(backup?.last_backup_at ? formatDate(backup.last_backup_at) : '');
  const [restore, setRestore] = useState(backup?.last_restore_test_at ? formatDate(backup.last_restore_test_at) : '');
  const { busy, error, setError, act } = useAction();

  const save = () => {
    const lastAt = dayToTime(last);
    const restoreAt = dayToTime(restore);
    if (lastAt === undefined || restoreAt === undefined) {
      setError(new Error(t('systems.bad_date')));
      return;
    }
    const body: BackupBody = { scope: scope.trim(), frequency, offline_copy: offline, offsite_copy: offsite, last_backup_at: lastAt, last_restore_test_at: restoreAt };
    void act(async () => {
      if (backup) await api.updateBackup(backup.id, body);
      else await api.createBackup(systemId, body);
      onClose(true);
    });
  };
  const remove = backup
    ? () =>
        void act(async () => {
          await api.deleteBackup(backup.id);
          onClose(true);
        })
    : undefined;

  return (
    <Modal
      title={backup ? t('backups.edit_title') : t('backups.add')}
      onClose={() => onClose(false)}
      testId="backup-dialog"
      footer={<DialogButtons onClose={() => onClose(false)} onDelete={remove} onSave={save} busy={busy} testId="backup" />}
    >
      <Field label={t('backups.scope')}>
        <input type="text" value={scope} onChange={(e) => setScope(e.target.value)} data-testid="backup-scope" />
      </Field>
      <Field label={t('backups.frequency')}>
        <select value={frequency} onChange={(e) => setFrequency(e.target.value)} data-testid="backup-frequency">
          {BACKUP_FREQUENCIES.map((f) => (
            <option key={f} value={f}>
              {t(`backups.frequencies.${f}`)}
            </option>
          ))}
        </select>
      </Field>
      <Check label={t('backups.offline_copy')} checked={offline} onChange={setOffline} />
      <Check label={t('backups.offsite_copy')} checked={offsite} onChange={setOffsite} />
      <Field label={t('backups.last_backup_at')} hint="dd/mm/yyyy">
        <input type="text" value={last} onChange={(e) => setLast(e.target.value)} data-testid="backup-last_backup_at" />
      </Field>
      <Field label={t('backups.last_restore_test_at')} hint="dd/mm/yyyy">
        <input type="text" value={restore} onChange={(e) => setRestore(e.target.value)} data-testid="backup-last_restore_test_at" />
      </Field>
      <ErrorMessage error={error} />
    </Modal>
  );
}

