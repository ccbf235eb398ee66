// Tìm kiếm nhật ký: the search bar (query language of src/eventstore/query.h), a time picker with
// relative presets or a custom window, the histogram of the window, the result table with the raw
// event and its fields, a sidebar of the fields on the page with their top values, paging, export
// and saved searches. The URL keeps the query, range, order and page, so a search can be shared.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  EVENT_RANGES,
  eventsApi,
  type EventHistogram,
  type EventQuery,
  type EventRange,
  type EventRecord,
  type EventSearchResult,
  type SavedSearch,
  type TopValues,
} from '../api';
import { ErrorMessage, Field, Modal, PageHeader } from '../components/ui';
import { formatDateTime, formatDateTimeSeconds, parseVnDateTime } from '../format';
import { useAction } from '../useAction';

const PAGE_SIZE = 100;
const BUCKETS = 60;
const TOP_N = 10;
const RANGE_MS: Record<EventRange, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

type Order = 'desc' | 'asc';

/** What the URL says: the query, the range (a preset, or "custom" with from/to), order and page. */
interface SearchState {
  q: string;
  range: EventRange | 'custom';
  from: string;
  to: string;
  order: Order;
  offset: number;
}

function readState(p: URLSearchParams): SearchState {
  const range = p.get('range') ?? '24h';
  const from = p.get('from') ?? '';
  const to = p.get('to') ?? '';
  const offset = Number(p.get('offset') ?? '0');
  return {
    q: p.get('q') ?? '',
    range: range === 'custom' && from && to ? 'custom' : (EVENT_RANGES as readonly string[]).includes(range) ? (range as EventRange) : '24h',
    from,
    to,
    order: p.get('order') === 'asc' ? 'asc' : 'desc',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

function writeState(s: SearchState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  p.set('range', s.range);
  if (s.range === 'custom') {
    p.set('from', s.from);
    p.set('to', s.to);
  }
  if (s.order !== 'desc') p.set('order', s.order);
  if (s.offset > 0) p.set('offset', String(s.offset));
  return p;
}

/** The time window a state stands for; a preset ends now (at the moment the search runs). */
function resolveWindow(s: SearchState): { from: string; to: string } {
  if (s.range === 'custom') return { from: s.from, to: s.to };
  const now = Date.now();
  return { from: new Date(now - RANGE_MS[s.range]).toISOString(), to: new Date(now).toISOString() };
}

/** `field:"value"` with the value quoted as the query language wants (backslash escapes). */
export function fieldClause(field: string, value: string, negate: boolean): string {
  const quoted = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `${negate ? 'NOT ' : ''}${field}:${quoted}`;
}

/** Narrows a query by one more clause; a query with OR is parenthesised so AND applies to all of it. */
export function addClause(q: string, clause: string): string {
  const cur = q.trim();
  if (!cur) return clause;
  return /\bOR\b/.test(cur) ? `(${cur}) AND ${clause}` : `${cur} AND ${clause}`;
}

function valueText(v: string | number | undefined): string {
  return v === undefined ? '' : String(v);
}

/** The message of an event: its message field when it has one, else the raw text. */
function excerpt(e: EventRecord): string {
  const text = valueText(e.fields['message']) || e.raw;
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

export function EventSearchPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readState(params), [params]);
  const [draft, setDraft] = useState(state.q);
  const [runKey, setRunKey] = useState(0);
  const [shown, setShown] = useState<{ from: string; to: string } | null>(null);
  const [result, setResult] = useState<EventSearchResult | null>(null);
  const [histogram, setHistogram] = useState<EventHistogram | null>(null);
  const [loading, setLoading] = useState(false);
  const [queryError, setQueryError] = useState<ApiError | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const [showHelp, setShowHelp] = useState(false);

  useEffect(() => setDraft(state.q), [state.q]);

  const go = (patch: Partial<SearchState>) => {
    if (patch.q !== undefined) setDraft(patch.q);
    setParams(writeState({ ...state, offset: 0, ...patch }));
    setRunKey((k) => k + 1);
  };

  // Runs the search and the histogram of the window whenever the URL changes or the user searches again.
  useEffect(() => {
    let cancelled = false;
    const win = resolveWindow(state);
    const base: EventQuery = { q: state.q || undefined, from: win.from, to: win.to };
    setLoading(true);
    setExpanded(new Set());
    Promise.all([
      eventsApi.search({ ...base, order: state.order, offset: state.offset, limit: PAGE_SIZE }),
      eventsApi.histogram({ ...base, buckets: BUCKETS }),
    ]).then(
      ([r, h]) => {
        if (cancelled) return;
        setShown(win);
        setResult(r);
        setHistogram(h);
        setQueryError(null);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (cancelled) return;
        // A query the server cannot parse: 400 naming the column, shown next to the bar.
        if (e instanceof ApiError && e.status === 400) {
          setQueryError(e);
          setError(null);
        } else {
          setError(e);
          setQueryError(null);
        }
        setResult(null);
        setHistogram(null);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [state, runKey]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    go({ q: draft.trim() });
  };

  const narrow = (field: string, value: string, negate: boolean) => {
    const q = addClause(state.q, fieldClause(field, value, negate));
    setDraft(q);
    go({ q });
  };

  const current: EventQuery | null = shown ? { q: state.q || undefined, from: shown.from, to: shown.to } : null;
  const events = result?.events ?? [];

  return (
    <div data-testid="events-page">
      <PageHeader
        title={t('events.title')}
        subtitle={t('events.subtitle')}
        actions={
          <>
            <SavedSearches state={state} onApply={(s) => go({ q: s.query, range: s.range, from: '', to: '' })} />
            {current && (
              <>
                <a className="button" href={eventsApi.exportUrl(current, 'csv')} download data-testid="events-export-csv">
                  {t('events.export_csv')}
                </a>
                <a className="button" href={eventsApi.exportUrl(current, 'ndjson')} download data-testid="events-export-ndjson">
                  {t('events.export_ndjson')}
                </a>
              </>
            )}
          </>
        }
      />
      <form className="panel search-bar" onSubmit={submit} data-testid="events-search-form">
        <div className="search-row">
          <input
            type="search"
            className="mono"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={t('events.query_placeholder')}
            aria-label={t('events.query')}
            aria-invalid={queryError ? true : undefined}
            data-testid="events-query"
          />
          <button type="button" onClick={() => setShowHelp((v) => !v)} aria-expanded={showHelp} data-testid="events-help-toggle">
            {t('events.help')}
          </button>
          <TimePicker state={state} onChange={(patch) => go(patch)} />
          <button type="submit" className="primary" disabled={loading} data-testid="events-submit">
            {t('common.search')}
          </button>
        </div>
        {showHelp && <QueryHelp onClose={() => setShowHelp(false)} />}
        {queryError && (
          <div className="alert alert-error search-error" role="alert" data-testid="events-query-error">
            {t('events.query_error')}: <span className="mono">{queryError.message}</span>
          </div>
        )}
        <div className="search-options">
          <label className="checkbox">
            {t('events.order')}
            <select value={state.order} onChange={(e) => go({ order: e.target.value as Order })} data-testid="events-order">
              <option value="desc">{t('events.newest_first')}</option>
              <option value="asc">{t('events.oldest_first')}</option>
            </select>
          </label>
          {shown && (
            <span className="muted small" data-testid="events-window">
              {t('events.window', { from: formatDateTimeSeconds(shown.from), to: formatDateTimeSeconds(shown.to) })}
            </span>
          )}
          {result && (
            <span className="muted small">{t('events.took', { ms: result.took_ms })}</span>
          )}
        </div>
      </form>
      <ErrorMessage error={error} />
      {histogram && (
        <Histogram
          data={histogram}
          onPick={(from, to) => go({ range: 'custom', from, to })}
        />
      )}
      {result && histogram && histogram.total === 0 && !state.q && <EmptyHelp />}
      {result && (
        <div className="events-layout">
          <FieldSidebar events={events} query={current} onNarrow={narrow} />
          <div className="panel table-panel">
            <table className="table events-table" data-testid="events-table">
              <thead>
                <tr>
                  <th />
                  <th>{t('events.time')}</th>
                  <th>{t('events.agency')}</th>
                  <th>{t('events.host')}</th>
                  <th>{t('events.message')}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((ev, i) => {
                  const open = expanded.has(i);
                  const toggle = () => {
                    const next = new Set(expanded);
                    if (open) next.delete(i);
                    else next.add(i);
                    setExpanded(next);
                  };
                  return (
                    <EventRow key={i} ev={ev} open={open} onToggle={toggle} onNarrow={narrow} />
                  );
                })}
                {events.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted center" data-testid="events-empty">
                      {t('events.no_results')}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
            <div className="pager" data-testid="events-pager">
              {events.length > 0 && (
                <span>{t('events.showing', { from: state.offset + 1, to: state.offset + events.length, total: histogram?.total ?? '?' })}</span>
              )}
              <button type="button" disabled={state.offset === 0 || loading} onClick={() => go({ offset: Math.max(0, state.offset - PAGE_SIZE) })} data-testid="events-prev">
                ‹ {t('pager.prev')}
              </button>
              <button type="button" disabled={!result.has_more || loading} onClick={() => go({ offset: state.offset + PAGE_SIZE })} data-testid="events-next">
                {t('pager.next')} ›
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

function EventRow({ ev, open, onToggle, onNarrow }: { ev: EventRecord; open: boolean; onToggle: () => void; onNarrow: (f: string, v: string, negate: boolean) => void }) {
  const { t } = useTranslation();
  const names = Object.keys(ev.fields).sort();
  return (
    <>
      <tr className="clickable" onClick={onToggle} data-testid="event-row">
        <td className="twisty-cell">
          <button type="button" className="twisty" aria-expanded={open} aria-label={open ? t('common.hide') : t('common.show')}>
            {open ? '▾' : '▸'}
          </button>
        </td>
        <td className="nowrap" data-testid="event-time">
          {formatDateTimeSeconds(ev.time)}
        </td>
        <td>{ev.org_name}</td>
        <td className="mono">{valueText(ev.fields['host.name'])}</td>
        <td className="event-message">{excerpt(ev)}</td>
      </tr>
      {open && (
        <tr className="event-detail" data-testid="event-detail">
          <td />
          <td colSpan={4}>
            <div className="muted small">
              {t('events.received', { time: formatDateTimeSeconds(ev.received) })} · {t('events.source_id', { id: ev.source_id })}
            </div>
            <h3>{t('events.raw')}</h3>
            <pre className="event-raw" data-testid="event-raw">
              {ev.raw}
            </pre>
            <h3>{t('events.fields')}</h3>
            <table className="table fields-table" data-testid="event-fields">
              <tbody>
                {names.map((n) => (
                  <tr key={n}>
                    <td className="mono nowrap">{n}</td>
                    <td className="mono event-value">{valueText(ev.fields[n])}</td>
                    <td className="actions-cell nowrap">
                      <button type="button" className="small" title={t('events.filter_in')} onClick={() => onNarrow(n, valueText(ev.fields[n]), false)}>
                        +
                      </button>{' '}
                      <button type="button" className="small" title={t('events.filter_out')} onClick={() => onNarrow(n, valueText(ev.fields[n]), true)}>
                        −
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      )}
    </>
  );
}

function TimePicker({ state, onChange }: { state: SearchState; onChange: (patch: Partial<SearchState>) => void }) {
  const { t } = useTranslation();
  const [custom, setCustom] = useState(state.range === 'custom');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [bad, setBad] = useState<string | null>(null);

  useEffect(() => {
    setCustom(state.range === 'custom');
    if (state.range === 'custom') {
      setFrom(formatDateTime(state.from));
      setTo(formatDateTime(state.to));
    }
  }, [state.range, state.from, state.to]);

  const apply = () => {
    const f = parseVnDateTime(from);
    const tt = parseVnDateTime(to, true);
    if (!f || !tt) {
      setBad(t('events.bad_time', { value: !f ? from : to }));
      return;
    }
    if (f >= tt) {
      setBad(t('events.bad_window'));
      return;
    }
    setBad(null);
    onChange({ range: 'custom', from: f, to: tt });
  };

  return (
    <div className="time-picker">
      <select
        value={custom ? 'custom' : state.range}
        onChange={(e) => {
          const v = e.target.value;
          if (v === 'custom') {
            setCustom(true);
            const win = resolveWindow(state);
            setFrom(formatDateTime(win.from));
            setTo(formatDateTime(win.to));
          } else {
            setCustom(false);
            onChange({ range: v as EventRange, from: '', to: '' });
          }
        }}
        aria-label={t('events.range')}
        data-testid="events-range"
      >
        {EVENT_RANGES.map((r) => (
          <option key={r} value={r}>
            {t(`events.ranges.${r}`)}
          </option>
        ))}
        <option value="custom">{t('events.ranges.custom')}</option>
      </select>
      {custom && (
        <span className="time-custom">
          <input value={from} onChange={(e) => setFrom(e.target.value)} placeholder={t('audit.date_placeholder')} aria-label={t('audit.from')} data-testid="events-from" />
          <span>–</span>
          <input value={to} onChange={(e) => setTo(e.target.value)} placeholder={t('audit.date_placeholder')} aria-label={t('audit.to')} data-testid="events-to" />
          <button type="button" onClick={apply} data-testid="events-range-apply">
            {t('events.apply_range')}
          </button>
        </span>
      )}
      {bad && (
        <span className="field-error" role="alert">
          {bad}
        </span>
      )}
    </div>
  );
}

/** The query language in short, with examples a user can click to try. */
function QueryHelp({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const examples: [string, string][] = [
    ['event.outcome:failure AND source.ip:10.0.0.5', t('events.help_ex_field')],
    ['user.name:nguyen*', t('events.help_ex_wildcard')],
    ['"mật khẩu sai"', t('events.help_ex_phrase')],
    ['event.code:4625 OR event.code:4771', t('events.help_ex_or')],
    ['NOT host.name:web01', t('events.help_ex_not')],
    ['destination.port:[1 TO 1024]', t('events.help_ex_range')],
    ['http.response.status_code:>=500', t('events.help_ex_compare')],
  ];
  return (
    <div className="query-help" role="dialog" aria-label={t('events.help')} data-testid="events-help">
      <div className="panel-head">
        <strong>{t('events.help_title')}</strong>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </div>
      <p className="small">{t('events.help_intro')}</p>
      <table className="table">
        <tbody>
          {examples.map(([q, what]) => (
            <tr key={q}>
              <td className="mono nowrap">{q}</td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">{t('events.help_diacritics')}</p>
    </div>
  );
}

function Histogram({ data, onPick }: { data: EventHistogram; onPick: (from: string, to: string) => void }) {
  const { t } = useTranslation();
  const max = Math.max(1, ...data.counts);
  const n = data.counts.length || 1;
  const start = new Date(data.from).getTime();
  const width = 1000;
  const height = 90;
  const barWidth = width / n;
  const bucket = (i: number) => {
    const from = new Date(start + i * data.bucket_seconds * 1000).toISOString();
    const to = new Date(start + (i + 1) * data.bucket_seconds * 1000).toISOString();
    return { from, to };
  };
  return (
    <div className="panel histogram" data-testid="events-histogram" data-total={data.total}>
      <div className="panel-head">
        <span>
          <strong data-testid="events-total">{t('events.total', { count: data.total })}</strong>
        </span>
        <span className="muted small">{t('events.histogram_hint')}</span>
      </div>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" className="histogram-svg" role="img" aria-label={t('events.histogram')}>
        {data.counts.map((c, i) => {
          const h = c === 0 ? 0 : Math.max(2, (c / max) * (height - 4));
          const b = bucket(i);
          return (
            <g key={i} className="histogram-bucket" onClick={() => onPick(b.from, b.to)} data-testid="histogram-bar" data-count={c}>
              <rect x={i * barWidth} y={0} width={barWidth} height={height} className="histogram-hit" />
              <rect x={i * barWidth + barWidth * 0.1} y={height - h} width={barWidth * 0.8} height={h} className="histogram-bar" />
              <title>{t('events.bucket_title', { from: formatDateTimeSeconds(b.from), to: formatDateTimeSeconds(b.to), count: c })}</title>
            </g>
          );
        })}
      </svg>
      <div className="histogram-axis muted small">
        <span>{formatDateTime(data.from)}</span>
        <span>{formatDateTime(data.to)}</span>
      </div>
    </div>
  );
}

/** The fields on the current page with how many of its events have them; a field opens its top values. */
function FieldSidebar({ events, query, onNarrow }: { events: EventRecord[]; query: EventQuery | null; onNarrow: (f: string, v: string, negate: boolean) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<string | null>(null);
  const [top, setTop] = useState<TopValues | null>(null);
  const [error, setError] = useState<unknown>(null);
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of events) for (const k of Object.keys(e.fields)) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }, [events]);

  // A new search closes the open field: its top values were for the previous one.
  useEffect(() => {
    setOpen(null);
    setTop(null);
  }, [query?.q, query?.from, query?.to]);

  const toggle = (field: string) => {
    if (open === field) {
      setOpen(null);
      return;
    }
    setOpen(field);
    setTop(null);
    setError(null);
    if (!query) return;
    eventsApi.top({ ...query, field, n: TOP_N }).then((r) => setTop(r), setError);
  };

  return (
    <aside className="panel field-sidebar" data-testid="events-fields">
      <h2>{t('events.fields_on_page')}</h2>
      {counts.length === 0 && <p className="muted small">{t('events.no_fields')}</p>}
      <ul className="field-list">
        {counts.map(([name, count]) => (
          <li key={name} data-testid="field-item" data-field={name}>
            <button type="button" className="link-button field-name" onClick={() => toggle(name)} aria-expanded={open === name}>
              <span className="mono">{name}</span>
              <span className="muted small">{count}</span>
            </button>
            {open === name && (
              <div className="top-values" data-testid="top-values">
                <ErrorMessage error={error} />
                {!top && !error && <span className="muted small">{t('common.loading')}</span>}
                {top && (
                  <>
                    <div className="muted small">{t('events.top_of', { with: top.events_with_field, matched: top.events_matched })}</div>
                    <ul>
                      {top.values.map((v) => (
                        <li key={v.value} data-testid="top-value" data-value={v.value}>
                          <span className="mono top-value-text" title={v.value}>
                            {v.value}
                          </span>
                          <span className="muted small">{v.count}</span>
                          <button type="button" className="small" title={t('events.filter_in')} onClick={() => onNarrow(name, v.value, false)} data-testid="top-value-add">
                            +
                          </button>
                          <button type="button" className="small" title={t('events.filter_out')} onClick={() => onNarrow(name, v.value, true)} data-testid="top-value-not">
                            −
                          </button>
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** No event in the window at all: how to send logs to this server. */
function EmptyHelp() {
  const { t } = useTranslation();
  const host = globalThis.location?.hostname || 'HOST';
  return (
    <div className="alert alert-info" data-testid="events-empty-help">
      <strong>{t('events.empty_title')}</strong>
      <p>{t('events.empty_syslog')}</p>
      <pre className="event-raw">{`logger -n ${host} -P 5514 --tcp "test"`}</pre>
      <p>
        {t('events.empty_http')} <Link to="/sources">{t('nav.sources')}</Link>
      </p>
    </div>
  );
}

function SavedSearches({ state, onApply }: { state: SearchState; onApply: (s: SavedSearch) => void }) {
  const { t } = useTranslation();
  const [items, setItems] = useState<SavedSearch[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);

  const load = () =>
    eventsApi.listSaved().then(
      (r) => {
        setItems(r.items);
        setError(null);
      },
      setError,
    );
  useEffect(() => {
    void load();
  }, []);

  const remove = async (s: SavedSearch) => {
    try {
      await eventsApi.deleteSaved(s.id);
      await load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <span className="saved-searches">
      <button type="button" onClick={() => setOpen((v) => !v)} aria-expanded={open} data-testid="saved-toggle">
        {t('events.saved', { count: items?.length ?? 0 })}
      </button>
      <button type="button" onClick={() => setSaving(true)} data-testid="saved-create">
        {t('events.save_search')}
      </button>
      {open && (
        <div className="saved-list panel" data-testid="saved-list">
          <ErrorMessage error={error} />
          {items && items.length === 0 && <p className="muted small">{t('events.saved_empty')}</p>}
          <ul>
            {items?.map((s) => (
              <li key={s.id} data-testid="saved-item" data-name={s.name}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setOpen(false);
                    onApply(s);
                  }}
                  data-testid="saved-apply"
                >
                  {s.name}
                </button>
                <span className="muted small mono">{s.query || '*'}</span>
                <span className="muted small">{t(`events.ranges.${s.range}`, { defaultValue: s.range })}</span>
                <button type="button" className="danger small" onClick={() => void remove(s)} data-testid="saved-delete">
                  {t('registry.delete')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {saving && (
        <SaveDialog
          state={state}
          onClose={(saved) => {
            setSaving(false);
            if (saved) void load();
          }}
        />
      )}
    </span>
  );
}

function SaveDialog({ state, onClose }: { state: SearchState; onClose: (saved: boolean) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [range, setRange] = useState<EventRange>(state.range === 'custom' ? '24h' : state.range);
  const { busy, error, act } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await eventsApi.createSaved({ name: name.trim(), query: state.q, range });
      onClose(true);
    });
  };
  return (
    <Modal title={t('events.save_title')} onClose={() => onClose(false)} testId="saved-dialog">
      <form className="form" onSubmit={submit}>
        <ErrorMessage error={error} />
        <Field label={t('events.saved_name')} htmlFor="ss-name">
          <input id="ss-name" required value={name} onChange={(e) => setName(e.target.value)} data-testid="saved-name" />
        </Field>
        <Field label={t('events.query')}>
          <code className="secret">{state.q || '*'}</code>
        </Field>
        <Field label={t('events.range')} htmlFor="ss-range" hint={state.range === 'custom' ? t('events.saved_custom_hint') : undefined}>
          <select id="ss-range" value={range} onChange={(e) => setRange(e.target.value as EventRange)} data-testid="saved-range">
            {EVENT_RANGES.map((r) => (
              <option key={r} value={r}>
                {t(`events.ranges.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy || !name.trim()} data-testid="saved-submit">
            {t('common.save')}
          </button>
          <button type="button" onClick={() => onClose(false)}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
