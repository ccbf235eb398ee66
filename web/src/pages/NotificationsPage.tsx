// Notifications (Thông báo): channels (e-mail, webhook, Telegram) with a "send test" action,
// subscriptions (who hears about what), and the delivery log. Administrators change channels and
// subscriptions; auditors read. Secrets are write-only: the page never sees them again.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ALERT_SEVERITIES,
  CHANNEL_KINDS,
  NOTICE_KINDS,
  notifyApi,
  type AlertSeverity,
  type ChannelKind,
  type DeliveryStatus,
  type Id,
  type NoticeKind,
  type NotifyChannel,
  type NotifyDelivery,
  type NotifySubscription,
  type Role,
} from '../api';
import { useSession } from '../session';
import { formatDateTime } from '../format';
import { ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader, RoleSelect } from '../components/ui';
import { useAction } from '../useAction';

type Tab = 'channels' | 'subscriptions' | 'deliveries';

export function NotificationsPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('channels');
  return (
    <div data-testid="notify-page">
      <PageHeader title={t('notify.title')} subtitle={t('notify.subtitle')} />
      <div className="toolbar" role="tablist">
        {(['channels', 'subscriptions', 'deliveries'] as Tab[]).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={tab === k}
            className={tab === k ? 'primary' : ''}
            onClick={() => setTab(k)}
            data-testid={`notify-tab-${k}`}
          >
            {t(`notify.tab_${k}`)}
          </button>
        ))}
      </div>
      {tab === 'channels' && <ChannelsTab />}
      {tab === 'subscriptions' && <SubscriptionsTab />}
      {tab === 'deliveries' && <DeliveriesTab />}
    </div>
  );
}

// --- Channels -------------------------------------------------------------------------------------

function ChannelsTab() {
  const { t } = useTranslation();
  const { perms } = useSession();
  const [channels, setChannels] = useState<NotifyChannel[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<NotifyChannel | 'new' | null>(null);
  const [testing, setTesting] = useState<NotifyChannel | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { error: actionError, act } = useAction();

  const load = useCallback(async () => {
    try {
      setChannels((await notifyApi.channels()).items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const remove = (c: NotifyChannel) =>
    act(async () => {
      if (!window.confirm(t('notify.delete_channel_confirm', { name: c.name }))) return;
      await notifyApi.deleteChannel(c.id);
      setNotice(t('notify.deleted', { name: c.name }));
      await load();
    });

  return (
    <>
      {notice && <Notice>{notice}</Notice>}
      <ErrorMessage error={error ?? actionError} />
      {perms.isAdmin && (
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="notify-channel-create">
            {t('notify.add_channel')}
          </button>
        </div>
      )}
      <div className="panel table-panel">
        <table className="table" data-testid="notify-channels">
          <thead>
            <tr>
              <th>{t('notify.name')}</th>
              <th>{t('notify.org')}</th>
              <th>{t('notify.kind')}</th>
              <th>{t('notify.target')}</th>
              <th>{t('notify.secret')}</th>
              <th>{t('notify.state')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(channels ?? []).map((c) => (
              <tr key={c.id} data-testid="notify-channel-row">
                <td>{c.name}</td>
                <td>{c.org_name}</td>
                <td>{t(`notify.kinds.${c.kind}`)}</td>
                <td className="mono">{c.kind === 'email' ? `${c.target} (${c.email_from})` : c.target || '—'}</td>
                <td>{c.has_secret ? t('notify.secret_set') : t('notify.secret_none')}</td>
                <td>
                  <span className={c.enabled ? 'badge badge-ok' : 'badge badge-muted'}>
                    {c.enabled ? t('notify.enabled') : t('notify.disabled')}
                  </span>
                </td>
                <td className="actions-cell">
                  {perms.canAdminOrg(c.org_id) && (
                    <>
                      <button type="button" className="small" onClick={() => setTesting(c)} data-testid="notify-channel-test">
                        {t('notify.send_test')}
                      </button>
                      <button type="button" className="small" onClick={() => setEditing(c)}>
                        {t('notify.edit')}
                      </button>
                      <button type="button" className="small danger" onClick={() => void remove(c)}>
                        {t('notify.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {channels && channels.length === 0 && (
              <tr>
                <td colSpan={7} className="muted center">
                  {t('notify.no_channels')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {editing && (
        <ChannelDialog
          channel={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
      {testing && <TestDialog channel={testing} onClose={() => setTesting(null)} />}
    </>
  );
}

function ChannelDialog({ channel, onClose, onDone }: { channel: NotifyChannel | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(channel?.org_id ?? null);
  const [name, setName] = useState(channel?.name ?? '');
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? 'email');
  const [target, setTarget] = useState(channel?.target ?? '');
  const [from, setFrom] = useState(channel?.email_from ?? '');
  const [username, setUsername] = useState(channel?.username ?? '');
  const [secret, setSecret] = useState('');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const { busy, error, act } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(async () => {
      const common = {
        name: name.trim(),
        target: kind === 'telegram' ? '' : target.trim(),
        ...(kind === 'email' ? { email_from: from.trim(), username: username.trim() } : {}),
        enabled,
        ...(secret ? { secret } : {}),
      };
      if (channel) {
        await notifyApi.updateChannel(channel.id, common);
      } else {
        if (orgId === null) return;
        await notifyApi.createChannel({ ...common, org_id: orgId, kind });
      }
      onDone();
    });
  };

  const secretLabel = kind === 'email' ? t('notify.smtp_password') : kind === 'webhook' ? t('notify.webhook_key') : t('notify.bot_token');
  return (
    <Modal title={channel ? t('notify.edit_channel', { name: channel.name }) : t('notify.add_channel')} onClose={onClose} testId="notify-channel-form">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <ErrorMessage error={error} />
        {!channel && (
          <>
            <Field label={t('notify.org')} htmlFor="nc-org">
              <OrgSelect id="nc-org" orgs={orgs} value={orgId} onChange={setOrgId} allow={(o) => perms.canAdminOrg(o.id)} testId="nc-org" />
            </Field>
            <Field label={t('notify.kind')} htmlFor="nc-kind">
              <select id="nc-kind" value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)} data-testid="nc-kind">
                {CHANNEL_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`notify.kinds.${k}`)}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}
        <Field label={t('notify.name')} htmlFor="nc-name">
          <input id="nc-name" required value={name} onChange={(e) => setName(e.target.value)} data-testid="nc-name" />
        </Field>
        {kind !== 'telegram' && (
          <Field label={t('notify.target')} htmlFor="nc-target" hint={kind === 'email' ? t('notify.smtp_hint') : t('notify.webhook_hint')}>
            <input id="nc-target" required value={target} onChange={(e) => setTarget(e.target.value)} data-testid="nc-target" />
          </Field>
        )}
        {kind === 'email' && (
          <>
            <Field label={t('notify.email_from')} htmlFor="nc-from">
              <input id="nc-from" type="email" required value={from} onChange={(e) => setFrom(e.target.value)} data-testid="nc-from" />
            </Field>
            <Field label={t('notify.username')} htmlFor="nc-user" hint={t('notify.username_hint')}>
              <input id="nc-user" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
            </Field>
          </>
        )}
        <Field label={secretLabel} htmlFor="nc-secret" hint={channel?.has_secret ? t('notify.secret_keep_hint') : t('notify.secret_hint')}>
          <input id="nc-secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" data-testid="nc-secret" />
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          {t('notify.enabled')}
        </label>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy || (!channel && orgId === null)} data-testid="nc-submit">
            {t('common.save')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function TestDialog({ channel, onClose }: { channel: NotifyChannel; onClose: () => void }) {
  const { t } = useTranslation();
  const [recipient, setRecipient] = useState('');
  const [result, setResult] = useState<{ delivered: boolean; error: string | null } | null>(null);
  const { busy, error, act } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(async () => setResult(await notifyApi.testChannel(channel.id, recipient.trim() || undefined)));
  };
  return (
    <Modal title={t('notify.test_title', { name: channel.name })} onClose={onClose} testId="notify-test-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <ErrorMessage error={error} />
        {result && (
          <Notice kind={result.delivered ? 'success' : 'warning'} testId="notify-test-result">
            {result.delivered ? t('notify.test_ok') : t('notify.test_failed', { error: result.error ?? '' })}
          </Notice>
        )}
        {channel.kind !== 'webhook' && (
          <Field label={t('notify.test_recipient')} htmlFor="nt-to" hint={channel.kind === 'email' ? t('notify.email_hint') : t('notify.chat_hint')}>
            <input id="nt-to" required value={recipient} onChange={(e) => setRecipient(e.target.value)} data-testid="nt-to" />
          </Field>
        )}
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy} data-testid="nt-submit">
            {t('notify.send_test')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

// --- Subscriptions --------------------------------------------------------------------------------

function SubscriptionsTab() {
  const { t } = useTranslation();
  const { perms } = useSession();
  const [subs, setSubs] = useState<NotifySubscription[] | null>(null);
  const [channels, setChannels] = useState<NotifyChannel[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const { error: actionError, act } = useAction();

  const load = useCallback(async () => {
    try {
      const [s, c] = await Promise.all([notifyApi.subscriptions(), notifyApi.channels()]);
      setSubs(s.items);
      setChannels(c.items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const toggle = (s: NotifySubscription) =>
    act(async () => {
      await notifyApi.updateSubscription(s.id, { enabled: !s.enabled });
      await load();
    });
  const remove = (s: NotifySubscription) =>
    act(async () => {
      if (!window.confirm(t('notify.delete_subscription_confirm'))) return;
      await notifyApi.deleteSubscription(s.id);
      await load();
    });

  return (
    <>
      <ErrorMessage error={error ?? actionError} />
      {perms.isAdmin && (
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setCreating(true)} disabled={channels.length === 0} data-testid="notify-sub-create">
            {t('notify.add_subscription')}
          </button>
          {channels.length === 0 && <span className="muted">{t('notify.need_channel')}</span>}
        </div>
      )}
      <div className="panel table-panel">
        <table className="table" data-testid="notify-subscriptions">
          <thead>
            <tr>
              <th>{t('notify.org')}</th>
              <th>{t('notify.event')}</th>
              <th>{t('notify.min_severity')}</th>
              <th>{t('notify.channel')}</th>
              <th>{t('notify.recipients')}</th>
              <th>{t('notify.state')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(subs ?? []).map((s) => (
              <tr key={s.id} data-testid="notify-sub-row">
                <td>{t('notify.org_and_below', { name: s.org_name })}</td>
                <td>{t(`notify.events.${s.kind}`)}</td>
                <td>{t(`alerts.severities.${s.min_severity}`)}</td>
                <td>
                  {s.channel_name} ({t(`notify.kinds.${s.channel_kind}`)})
                </td>
                <td>
                  {[...(s.role ? [t('notify.role_holders', { role: t(`roles.${s.role}`) })] : []), ...s.recipients].join(', ') || '—'}
                </td>
                <td>
                  <span className={s.enabled ? 'badge badge-ok' : 'badge badge-muted'}>
                    {s.enabled ? t('notify.enabled') : t('notify.disabled')}
                  </span>
                </td>
                <td className="actions-cell">
                  {perms.canAdminOrg(s.org_id) && (
                    <>
                      <button type="button" className="small" onClick={() => void toggle(s)}>
                        {s.enabled ? t('notify.disable') : t('notify.enable')}
                      </button>
                      <button type="button" className="small danger" onClick={() => void remove(s)}>
                        {t('notify.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {subs && subs.length === 0 && (
              <tr>
                <td colSpan={7} className="muted center">
                  {t('notify.no_subscriptions')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {creating && (
        <SubscriptionDialog
          channels={channels}
          onClose={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            void load();
          }}
        />
      )}
    </>
  );
}

function SubscriptionDialog({ channels, onClose, onDone }: { channels: NotifyChannel[]; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [channelId, setChannelId] = useState<Id>(channels[0].id);
  const [kind, setKind] = useState<NoticeKind>('alert_new');
  const [severity, setSeverity] = useState<AlertSeverity>('high');
  const [role, setRole] = useState<Role | ''>('');
  const [recipients, setRecipients] = useState('');
  const { busy, error, act } = useAction();
  const channel = channels.find((c) => c.id === channelId) ?? channels[0];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(async () => {
      if (orgId === null) return;
      const list = recipients
        .split(/[\n,;]/)
        .map((r) => r.trim())
        .filter((r) => r.length > 0);
      await notifyApi.createSubscription({
        org_id: orgId,
        channel_id: channelId,
        kind,
        min_severity: severity,
        ...(channel.kind === 'email' && role ? { role } : {}),
        ...(channel.kind === 'webhook' ? {} : { recipients: list }),
      });
      onDone();
    });
  };

  return (
    <Modal title={t('notify.add_subscription')} onClose={onClose} testId="notify-sub-form">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <ErrorMessage error={error} />
        <Field label={t('notify.org')} htmlFor="ns-org" hint={t('notify.org_hint')}>
          <OrgSelect id="ns-org" orgs={orgs} value={orgId} onChange={setOrgId} allow={(o) => perms.canAdminOrg(o.id)} testId="ns-org" />
        </Field>
        <Field label={t('notify.event')} htmlFor="ns-kind">
          <select id="ns-kind" value={kind} onChange={(e) => setKind(e.target.value as NoticeKind)}>
            {NOTICE_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`notify.events.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('notify.min_severity')} htmlFor="ns-sev">
          <select id="ns-sev" value={severity} onChange={(e) => setSeverity(e.target.value as AlertSeverity)}>
            {[...ALERT_SEVERITIES].reverse().map((s) => (
              <option key={s} value={s}>
                {t(`alerts.severities.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('notify.channel')} htmlFor="ns-channel">
          <select id="ns-channel" value={channelId} onChange={(e) => setChannelId(Number(e.target.value))} data-testid="ns-channel">
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({t(`notify.kinds.${c.kind}`)}, {c.org_name})
              </option>
            ))}
          </select>
        </Field>
        {channel.kind === 'email' && (
          <Field label={t('notify.role')} htmlFor="ns-role" hint={t('notify.role_hint')}>
            <RoleSelect id="ns-role" value={role} onChange={setRole} />
          </Field>
        )}
        {channel.kind !== 'webhook' && (
          <Field label={t('notify.recipients')} htmlFor="ns-to" hint={channel.kind === 'email' ? t('notify.email_hint') : t('notify.chat_hint')}>
            <textarea id="ns-to" rows={3} value={recipients} onChange={(e) => setRecipients(e.target.value)} data-testid="ns-to" />
          </Field>
        )}
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy || orgId === null} data-testid="ns-submit">
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

// --- Delivery log ---------------------------------------------------------------------------------

function DeliveriesTab() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [items, setItems] = useState<NotifyDelivery[] | null>(null);
  const [next, setNext] = useState<Id | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(
    async (before?: Id) => {
      try {
        const page = await notifyApi.deliveries({ ...(status ? { status } : {}), ...(before ? { before } : {}), limit: 50 });
        setItems((prev) => (before && prev ? [...prev, ...page.items] : page.items));
        setNext(page.next_before);
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    [status],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const badge = (s: DeliveryStatus) => (s === 'sent' ? 'badge badge-ok' : s === 'failed' ? 'badge badge-warning' : 'badge badge-muted');
  return (
    <>
      <ErrorMessage error={error} />
      <div className="toolbar">
        <label htmlFor="nd-status">{t('notify.status')}</label>
        <select id="nd-status" value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')} data-testid="nd-status">
          <option value="">{t('notify.any_status')}</option>
          {(['pending', 'sent', 'failed'] as DeliveryStatus[]).map((s) => (
            <option key={s} value={s}>
              {t(`notify.statuses.${s}`)}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void load()}>
          {t('common.retry')}
        </button>
      </div>
      <div className="panel table-panel">
        <table className="table" data-testid="notify-deliveries">
          <thead>
            <tr>
              <th>{t('common.created_at')}</th>
              <th>{t('notify.subject')}</th>
              <th>{t('notify.org')}</th>
              <th>{t('notify.channel')}</th>
              <th>{t('notify.recipient')}</th>
              <th>{t('notify.status')}</th>
              <th>{t('notify.attempts')}</th>
              <th>{t('notify.last_error')}</th>
            </tr>
          </thead>
          <tbody>
            {(items ?? []).map((d) => (
              <tr key={d.id} data-testid="notify-delivery-row">
                <td className="nowrap">{d.created_at ? formatDateTime(d.created_at) : '—'}</td>
                <td>{d.subject}</td>
                <td>{d.org_name}</td>
                <td>{d.channel_name}</td>
                <td className="mono">{d.recipient || '—'}</td>
                <td>
                  <span className={badge(d.status)}>{t(`notify.statuses.${d.status}`)}</span>
                  {d.status === 'pending' && d.next_attempt_at && (
                    <div className="muted small">{t('notify.next_attempt', { time: formatDateTime(d.next_attempt_at) })}</div>
                  )}
                  {d.status === 'sent' && d.sent_at && <div className="muted small">{formatDateTime(d.sent_at)}</div>}
                </td>
                <td>{d.attempts}</td>
                <td className="small">{d.last_error || '—'}</td>
              </tr>
            ))}
            {items && items.length === 0 && (
              <tr>
                <td colSpan={8} className="muted center">
                  {t('notify.no_deliveries')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {next !== null && (
          <div className="button-row">
            <button type="button" onClick={() => void load(next)}>
              {t('notify.more')}
            </button>
          </div>
        )}
      </div>
    </>
  );
}
