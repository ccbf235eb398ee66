// Nguồn nhật ký: the declared log sources of the agencies in scope with their live figures (status,
// last seen, events per second, parse errors, rejected and dropped messages) and their senders;
// the senders no source claims ("Nguồn chưa khai báo"), each with a button to declare it; create,
// edit, enable/disable, token rotation (the token is shown once) and deletion. Refreshes every
// 10 seconds while the page is visible.
import { Fragment, useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { eventsApi, type Id, type LogSource, type SourceSender, type SourceStatus } from '../api';
import { CopyButton, ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader } from '../components/ui';
import { formatDateTimeSeconds, formatRelative } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';

const REFRESH_MS = 10_000;

type SourcesData = { sources: LogSource[]; undeclared?: SourceSender[] };

const STATUS_BADGE: Record<SourceStatus, string> = {
  active: 'badge-ok',
  silent: 'badge-danger',
  never: 'badge-warning',
  disabled: 'badge-muted',
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return false;
  try {
    // The URL parser accepts exactly the IPv6 literals (with an embedded IPv4 tail too).
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

/** True for an IPv4 or IPv6 address, alone or as a CIDR range ("10.4.1.0/24", "2001:db8::/32"). */
export function isAddressOrRange(text: string): boolean {
  const [addr, prefix, extra] = text.split('/');
  if (extra !== undefined || !addr) return false;
  const v4 = IPV4.test(addr);
  const v6 = !v4 && isIpv6(addr);
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

/** "+07:00" for 420 minutes. */
function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const OFFSETS: number[] = [];
for (let m = -12 * 60; m <= 14 * 60; m += 30) OFFSETS.push(m);
OFFSETS.push(345, 525, 765); // +05:45, +08:45, +12:45
OFFSETS.sort((a, b) => a - b);

function formatRate(n: number, lang: string): string {
  return n.toLocaleString(lang === 'en' ? 'en-US' : 'vi-VN', { maximumFractionDigits: 1 });
}

export function SourcesPage() {
  const { t, i18n } = useTranslation();
  const { perms } = useSession();
  const [data, setData] = useState<SourcesData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(Date.now());
  const [open, setOpen] = useState<Set<Id>>(new Set());
  const [editing, setEditing] = useState<{ source: LogSource | null; address?: string; host?: string } | null>(null);
  const [token, setToken] = useState<{ name: string; token: string } | null>(null);
  const [rotating, setRotating] = useState<LogSource | null>(null);
  const [deleting, setDeleting] = useState<LogSource | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const toggleAction = useAction();

  const load = useCallback(async () => {
    try {
      setData(await eventsApi.listSources());
      setNow(Date.now());
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  // First load, then every 10 s while the tab is visible (and at once when it becomes visible).
  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (!document.hidden) void load();
    }, REFRESH_MS);
    const onVisible = () => {
      if (!document.hidden) void load();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [load]);

  const lang = i18n.language;
  const lastSeen = (value: string | null) =>
    value ? (
      <span title={formatDateTimeSeconds(value)}>
        {formatRelative(value, lang, now)}
        <div className="muted small">{formatDateTimeSeconds(value)}</div>
      </span>
    ) : (
      <span className="muted">{t('sources.never_seen')}</span>
    );

  const setEnabled = (s: LogSource, enabled: boolean) =>
    void toggleAction.act(async () => {
      await eventsApi.updateSource(s.id, { enabled });
      setNotice(t(enabled ? 'sources.enabled_done' : 'sources.disabled_done', { name: s.name }));
      await load();
    });

  const sources = data?.sources ?? [];
  const undeclared = data?.undeclared ?? [];

  return (
    <div data-testid="sources-page">
      <PageHeader
        title={t('sources.title')}
        subtitle={t('sources.subtitle')}
        actions={
          perms.isAdmin && (
            <button type="button" className="primary" onClick={() => setEditing({ source: null })} data-testid="source-create">
              {t('sources.create')}
            </button>
          )
        }
      />
      {notice && <Notice testId="sources-notice">{notice}</Notice>}
      <ErrorMessage error={error} />
      <ErrorMessage error={toggleAction.error} />
      <div className="panel table-panel">
        <table className="table" data-testid="sources-table">
          <thead>
            <tr>
              <th />
              <th>{t('sources.agency')}</th>
              <th>{t('sources.name')}</th>
              <th>{t('sources.addresses')}</th>
              <th>{t('sources.status')}</th>
              <th>{t('sources.last_seen')}</th>
              <th className="num">{t('sources.eps')}</th>
              <th className="num">{t('sources.parse_errors')}</th>
              <th className="num">{t('sources.rejected')}</th>
              <th className="num">{t('sources.dropped')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => {
              const isOpen = open.has(s.id);
              const canManage = perms.canAdminOrg(s.org_id);
              return (
                <Fragment key={s.id}>
                  <tr data-testid="source-row" data-name={s.name} data-status={s.status}>
                    <td className="twisty-cell">
                      <button
                        type="button"
                        className="twisty"
                        aria-expanded={isOpen}
                        aria-label={isOpen ? t('common.hide') : t('sources.show_senders')}
                        onClick={() => {
                          const next = new Set(open);
                          if (isOpen) next.delete(s.id);
                          else next.add(s.id);
                          setOpen(next);
                        }}
                        data-testid="source-expand"
                      >
                        {isOpen ? '▾' : '▸'}
                      </button>
                    </td>
                    <td>{s.org_name}</td>
                    <td>
                      {s.name}
                      {s.has_token && <div className="muted small">{t('sources.has_token')}</div>}
                    </td>
                    <td className="mono small">{s.addresses.join(', ') || <span className="muted">—</span>}</td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[s.status] ?? 'badge-muted'}`} data-testid="source-status">
                        {t(`sources.statuses.${s.status}`, { defaultValue: s.status })}
                      </span>
                    </td>
                    <td className="nowrap">{lastSeen(s.last_seen)}</td>
                    <td className="num">{formatRate(s.events_per_second, lang)}</td>
                    <td className="num">{s.parse_errors}</td>
                    <td className="num">{s.rejected}</td>
                    <td className="num">{s.dropped}</td>
                    <td className="actions-cell">
                      {canManage && (
                        <div className="row-actions">
                          <button type="button" className="small" onClick={() => setEditing({ source: s })} data-testid="source-edit">
                            {t('sources.edit')}
                          </button>
                          <button type="button" className="small" disabled={toggleAction.busy} onClick={() => setEnabled(s, !s.enabled)} data-testid="source-toggle">
                            {s.enabled ? t('sources.disable') : t('sources.enable')}
                          </button>
                          <button type="button" className="small" onClick={() => setRotating(s)} data-testid="source-rotate">
                            {s.has_token ? t('sources.rotate') : t('sources.issue_token')}
                          </button>
                          <button type="button" className="danger small" onClick={() => setDeleting(s)} data-testid="source-delete">
                            {t('registry.delete')}
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                  {isOpen && (
                    <tr className="event-detail" data-testid="source-senders">
                      <td />
                      <td colSpan={10}>
                        {s.senders.length === 0 ? (
                          <span className="muted">{t('sources.no_senders')}</span>
                        ) : (
                          <SendersTable senders={s.senders} lastSeen={lastSeen} lang={lang} />
                        )}
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
            {data && sources.length === 0 && (
              <tr>
                <td colSpan={11} className="muted center">
                  {t('sources.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {data?.undeclared !== undefined && (
        <section className="panel table-panel padded" data-testid="undeclared">
          <h2>{t('sources.undeclared_title')}</h2>
          <p className="muted small">{t('sources.undeclared_hint')}</p>
          {undeclared.length === 0 ? (
            <p className="muted small">{t('sources.undeclared_empty')}</p>
          ) : (
            <SendersTable
              senders={undeclared}
              lastSeen={lastSeen}
              lang={lang}
              action={
                perms.isAdmin
                  ? (u) => (
                      <button type="button" className="small" onClick={() => setEditing({ source: null, address: u.peer, host: u.host })} data-testid="undeclared-declare">
                        {t('sources.declare')}
                      </button>
                    )
                  : undefined
              }
            />
          )}
        </section>
      )}
      {editing && (
        <SourceDialog
          source={editing.source}
          address={editing.address}
          host={editing.host}
          onClose={() => setEditing(null)}
          onSaved={(saved, newToken) => {
            setEditing(null);
            setNotice(t('sources.saved', { name: saved.name }));
            if (newToken) setToken({ name: saved.name, token: newToken });
            void load();
          }}
        />
      )}
      {rotating && (
        <RotateDialog
          source={rotating}
          onClose={() => setRotating(null)}
          onDone={(tok) => {
            setRotating(null);
            setToken({ name: rotating.name, token: tok });
            void load();
          }}
        />
      )}
      {deleting && (
        <DeleteDialog
          source={deleting}
          onClose={() => setDeleting(null)}
          onDone={() => {
            setNotice(t('sources.deleted', { name: deleting.name }));
            setDeleting(null);
            void load();
          }}
        />
      )}
      {token && <TokenDialog name={token.name} token={token.token} onClose={() => setToken(null)} />}
    </div>
  );
}

function SendersTable({
  senders,
  lastSeen,
  lang,
  action,
}: {
  senders: SourceSender[];
  lastSeen: (v: string | null) => JSX.Element;
  lang: string;
  action?: (s: SourceSender) => JSX.Element;
}) {
  const { t } = useTranslation();
  return (
    <table className="table senders-table">
      <thead>
        <tr>
          <th>{t('sources.input')}</th>
          <th>{t('sources.peer')}</th>
          <th>{t('sources.host')}</th>
          <th className="num">{t('sources.events')}</th>
          <th className="num">{t('sources.eps')}</th>
          <th className="num">{t('sources.parse_errors')}</th>
          <th className="num">{t('sources.rejected')}</th>
          <th className="num">{t('sources.dropped')}</th>
          <th>{t('sources.last_seen')}</th>
          {action && <th />}
        </tr>
      </thead>
      <tbody>
        {senders.map((s) => (
          <tr key={`${s.input}|${s.peer}|${s.host}`} data-testid="sender-row" data-peer={s.peer}>
            <td>{t(`sources.inputs.${s.input}`, { defaultValue: s.input })}</td>
            <td className="mono">{s.peer}</td>
            <td className="mono">{s.host}</td>
            <td className="num">{s.events.toLocaleString(lang === 'en' ? 'en-US' : 'vi-VN')}</td>
            <td className="num">{formatRate(s.events_per_second, lang)}</td>
            <td className="num">{s.parse_errors}</td>
            <td className="num">{s.rejected}</td>
            <td className="num">{s.dropped}</td>
            <td className="nowrap">{lastSeen(s.last_seen)}</td>
            {action && <td className="actions-cell">{action(s)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SourceDialog({
  source,
  address,
  host,
  onClose,
  onSaved,
}: {
  source: LogSource | null;
  address?: string;
  host?: string;
  onClose: () => void;
  onSaved: (s: LogSource, token?: string) => void;
}) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(source?.org_id ?? null);
  const [name, setName] = useState(source?.name ?? host ?? '');
  const [addresses, setAddresses] = useState((source?.addresses ?? (address ? [address] : [])).join('\n'));
  const [offset, setOffset] = useState(source?.timezone_offset_minutes ?? 420);
  const [interval, setInterval_] = useState(String(source?.expected_interval_minutes ?? 60));
  const [withToken, setWithToken] = useState(true);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const { busy, error, act } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = addresses
      .split('\n')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    const found: Record<string, string> = {};
    const bad = list.filter((a) => !isAddressOrRange(a));
    if (bad.length > 0) found.addresses = t('sources.bad_addresses', { list: bad.join(', ') });
    if (!name.trim()) found.name = t('sources.name_required');
    if (!source && orgId === null) found.org = t('sources.org_required');
    const minutes = Number(interval);
    if (!Number.isInteger(minutes) || minutes < 0) found.interval = t('sources.bad_interval');
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    void act(async () => {
      if (source) {
        const saved = await eventsApi.updateSource(source.id, {
          name: name.trim(),
          addresses: list,
          timezone_offset_minutes: offset,
          expected_interval_minutes: minutes,
        });
        onSaved(saved);
      } else if (orgId !== null) {
        const created = await eventsApi.createSource({
          org_id: orgId,
          name: name.trim(),
          addresses: list,
          timezone_offset_minutes: offset,
          expected_interval_minutes: minutes,
          with_token: withToken,
        });
        onSaved(created, created.token);
      }
    });
  };

  return (
    <Modal title={source ? t('sources.edit_title', { name: source.name }) : t('sources.create_title')} onClose={onClose} testId="source-dialog">
      <form className="form" onSubmit={submit} noValidate>
        <ErrorMessage error={error} />
        <Field label={t('sources.agency')} htmlFor="src-org">
          <OrgSelect id="src-org" orgs={orgs} value={orgId} onChange={setOrgId} allow={(o) => (source ? o.id === source.org_id : perms.canAdminOrg(o.id))} testId="src-org" />
          {source && <div className="field-hint">{t('sources.org_fixed')}</div>}
          {problems.org && <div className="field-error">{problems.org}</div>}
        </Field>
        <Field label={t('sources.name')} htmlFor="src-name">
          <input id="src-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="src-name" />
          {problems.name && <div className="field-error">{problems.name}</div>}
        </Field>
        <Field label={t('sources.addresses')} htmlFor="src-addresses" hint={t('sources.addresses_hint')}>
          <textarea
            id="src-addresses"
            rows={4}
            className={`mono${problems.addresses ? ' invalid' : ''}`}
            value={addresses}
            onChange={(e) => setAddresses(e.target.value)}
            aria-invalid={problems.addresses ? true : undefined}
            data-testid="src-addresses"
          />
          {problems.addresses && (
            <div className="field-error" data-testid="src-addresses-error">
              {problems.addresses}
            </div>
          )}
        </Field>
        <div className="form-grid">
          <Field label={t('sources.timezone')} htmlFor="src-tz" hint={t('sources.timezone_hint')}>
            <select id="src-tz" value={offset} onChange={(e) => setOffset(Number(e.target.value))} data-testid="src-tz">
              {OFFSETS.map((m) => (
                <option key={m} value={m}>
                  {offsetLabel(m)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('sources.interval')} htmlFor="src-interval" hint={t('sources.interval_hint')}>
            <input id="src-interval" type="number" min={0} value={interval} onChange={(e) => setInterval_(e.target.value)} data-testid="src-interval" />
            {problems.interval && <div className="field-error">{problems.interval}</div>}
          </Field>
        </div>
        {!source && (
          <label className="checkbox">
            <input type="checkbox" checked={withToken} onChange={(e) => setWithToken(e.target.checked)} data-testid="src-with-token" />
            {t('sources.with_token')}
          </label>
        )}
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy} data-testid="src-submit">
            {busy ? t('common.saving') : t('common.save')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The token, once, with ready-to-paste examples for curl (NDJSON) and syslog-ng (Elasticsearch bulk). */
function TokenDialog({ name, token, onClose }: { name: string; token: string; onClose: () => void }) {
  const { t } = useTranslation();
  const origin = globalThis.location?.origin ?? 'https://HOST';
  const host = globalThis.location?.host ?? 'HOST';
  const curl = [
    `printf '%s\\n' '{"@timestamp":"${new Date().toISOString()}","message":"test","host":{"name":"web01"}}' |`,
    `  curl -sS -X POST ${origin}/api/v1/ingest/ndjson \\`,
    `    -H 'Authorization: Bearer ${token}' \\`,
    `    -H 'Content-Type: application/x-ndjson' --data-binary @-`,
  ].join('\n');
  const syslogNg = [
    'destination d_vigil {',
    `  elasticsearch-http(url("https://${host}/es/_bulk") index("vigil") type("")`,
    `    user("vigil") password("${token}"));`,
    '};',
    'log { source(s_src); destination(d_vigil); };',
  ].join('\n');
  return (
    <Modal title={t('sources.token_title', { name })} onClose={onClose} testId="source-token-dialog" wide>
      <Notice kind="warning">{t('sources.token_once')}</Notice>
      <div className="secret-row">
        <code className="secret" data-testid="source-token">
          {token}
        </code>
        <CopyButton text={token} testId="source-token-copy" />
      </div>
      <h3>{t('sources.example_curl')}</h3>
      <pre className="event-raw" data-testid="source-example-curl">
        {curl}
      </pre>
      <CopyButton text={curl} />
      <h3>{t('sources.example_syslog_ng')}</h3>
      <pre className="event-raw" data-testid="source-example-syslog-ng">
        {syslogNg}
      </pre>
      <CopyButton text={syslogNg} />
      <div className="button-row">
        <button type="button" className="primary" onClick={onClose} data-testid="source-token-close">
          {t('tokens.saved_it')}
        </button>
      </div>
    </Modal>
  );
}

function RotateDialog({ source, onClose, onDone }: { source: LogSource; onClose: () => void; onDone: (token: string) => void }) {
  const { t } = useTranslation();
  const { busy, error, act } = useAction();
  const submit = () =>
    void act(async () => {
      const r = await eventsApi.rotateSourceToken(source.id);
      onDone(r.token);
    });
  return (
    <Modal title={t('sources.rotate_title', { name: source.name })} onClose={onClose} testId="source-rotate-dialog">
      <ErrorMessage error={error} />
      <p>{source.has_token ? t('sources.rotate_text') : t('sources.issue_text')}</p>
      <div className="button-row">
        <button type="button" className="primary" disabled={busy} onClick={submit} data-testid="source-rotate-confirm">
          {source.has_token ? t('sources.rotate') : t('sources.issue_token')}
        </button>
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Modal>
  );
}

function DeleteDialog({ source, onClose, onDone }: { source: LogSource; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { busy, error, act } = useAction();
  const submit = () =>
    void act(async () => {
      await eventsApi.deleteSource(source.id);
      onDone();
    });
  return (
    <Modal title={t('sources.delete_title', { name: source.name })} onClose={onClose} testId="source-delete-dialog">
      <ErrorMessage error={error} />
      <p>{t('sources.delete_text')}</p>
      <div className="button-row">
        <button type="button" className="danger" disabled={busy} onClick={submit} data-testid="source-delete-confirm">
          {t('registry.delete')}
        </button>
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Modal>
  );
}
