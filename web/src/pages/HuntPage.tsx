// Săn lùng mối nguy hại (retro-hunt): run a detection rule (one of the rules, or a YAML text) or a
// search query over the stored events of a period and agency, optionally raising the matches as
// alerts; follow its progress; read its results. The server keeps the caller's last hunts in memory.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { huntsApi, type HuntResult, type HuntStatus, type Id } from '../api';
import { ErrorMessage, Field, Notice, OrgSelect, PageHeader } from '../components/ui';
import { formatDateTimeSeconds } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';

type Mode = 'rule_id' | 'rule_yaml' | 'query';

/** A datetime-local value (the browser's local time, as the input reads it) `days` before now. */
function localDaysAgo(days: number): string {
  const d = new Date(Date.now() - days * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function HuntPage() {
  const { t } = useTranslation();
  const { orgs } = useSession();
  const [mode, setMode] = useState<Mode>('rule_id');
  const [ruleId, setRuleId] = useState('');
  const [yaml, setYaml] = useState('');
  const [query, setQuery] = useState('');
  const [from, setFrom] = useState(localDaysAgo(180));
  const [to, setTo] = useState(localDaysAgo(-1))  // until tomorrow: today's events included;
  const [orgId, setOrgId] = useState<Id | null>(null);
  const [raise, setRaise] = useState(false);
  const [hunts, setHunts] = useState<HuntStatus[]>([]);
  const [openId, setOpenId] = useState<Id | null>(null);
  const [results, setResults] = useState<{ items: HuntResult[]; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const action = useAction();

  const load = useCallback(async () => {
    try {
      setHunts((await huntsApi.list()).items);
      if (openId !== null) setResults(await huntsApi.results(openId, 0, 200));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [openId]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), 2000);
    return () => window.clearInterval(timer);
  }, [load]);

  const start = (e: FormEvent) => {
    e.preventDefault();
    void action.act(async () => {
      const st = await huntsApi.start({
        rule_id: mode === 'rule_id' ? ruleId.trim() : undefined,
        rule_yaml: mode === 'rule_yaml' ? yaml : undefined,
        query: query.trim() || undefined,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        org_id: orgId ?? undefined,
        raise_alerts: raise,
      });
      setOpenId(st.id);
      await load();
    });
  };

  const open = hunts.find((h) => h.id === openId);
  return (
    <div data-testid="hunt-page">
      <PageHeader title={t('hunt.title')} subtitle={t('hunt.subtitle')} />
      <ErrorMessage error={error} />
      <div className="panel">
        <form onSubmit={start}>
          <div className="chips">
            {(['rule_id', 'rule_yaml', 'query'] as Mode[]).map((m) => (
              <button type="button" key={m} className={mode === m ? 'chip active' : 'chip'} onClick={() => setMode(m)} data-testid={`hunt-mode-${m}`}>
                {t(`hunt.modes.${m}`)}
              </button>
            ))}
          </div>
          {mode === 'rule_id' && (
            <Field label={t('hunt.rule_id')} htmlFor="hunt-rule-id" hint={t('hunt.rule_id_hint')}>
              <input id="hunt-rule-id" value={ruleId} onChange={(e) => setRuleId(e.target.value)} maxLength={100} data-testid="hunt-rule-id" />
            </Field>
          )}
          {mode === 'rule_yaml' && (
            <Field label={t('hunt.rule_yaml')} htmlFor="hunt-yaml">
              <textarea id="hunt-yaml" className="mono" rows={12} spellCheck={false} value={yaml} onChange={(e) => setYaml(e.target.value)} data-testid="hunt-yaml" />
            </Field>
          )}
          <Field label={mode === 'query' ? t('hunt.query') : t('hunt.query_narrow')} htmlFor="hunt-query" hint={t('hunt.query_hint')}>
            <input id="hunt-query" value={query} onChange={(e) => setQuery(e.target.value)} maxLength={8192} data-testid="hunt-query" />
          </Field>
          <div className="filter-row">
            <Field label={t('hunt.from')} htmlFor="hunt-from">
              <input id="hunt-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="hunt-from" />
            </Field>
            <Field label={t('hunt.to')} htmlFor="hunt-to">
              <input id="hunt-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="hunt-to" />
            </Field>
            <Field label={t('hunt.agency')}>
              <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} emptyLabel={t('hunt.all_agencies')} testId="hunt-org" />
            </Field>
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={raise} onChange={(e) => setRaise(e.target.checked)} data-testid="hunt-raise" /> {t('hunt.raise')}
          </label>
          <ErrorMessage error={action.error} />
          <div className="button-row">
            <button type="submit" className="primary" disabled={action.busy} data-testid="hunt-start">
              {t('hunt.start')}
            </button>
          </div>
        </form>
      </div>
      <div className="panel table-panel">
        <h2>{t('hunt.history')}</h2>
        <table className="table" data-testid="hunts-table">
          <thead>
            <tr>
              <th>{t('hunt.what')}</th>
              <th>{t('hunt.period')}</th>
              <th>{t('hunt.state')}</th>
              <th className="num">{t('hunt.scanned')}</th>
              <th className="num">{t('hunt.matched')}</th>
            </tr>
          </thead>
          <tbody>
            {hunts.map((h) => (
              <tr key={h.id} className={h.id === openId ? 'clickable selected' : 'clickable'} onClick={() => setOpenId(h.id)} data-testid="hunt-row">
                <td>
                  {h.label}
                  {h.query && h.label.startsWith('rule') && <div className="muted small mono">{h.query}</div>}
                </td>
                <td className="small">
                  {formatDateTimeSeconds(h.from)} → {formatDateTimeSeconds(h.to)}
                </td>
                <td data-testid="hunt-state">
                  {t(`hunt.states.${h.state}`)}
                  {h.state === 'running' && ` ${Math.round(h.progress * 100)} %`}
                  {h.truncated && <div className="muted small">{h.truncated}</div>}
                  {h.error && <div className="small error-text">{h.error}</div>}
                </td>
                <td className="num">{h.scanned}</td>
                <td className="num" data-testid="hunt-matched">
                  {h.matched}
                  {h.raise_alerts && <div className="muted small">{t('hunt.alerts_raised', { count: h.alerts_raised })}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {hunts.length === 0 && <p className="muted">{t('hunt.none')}</p>}
      </div>
      {open && results && (
        <div className="panel table-panel" data-testid="hunt-results">
          <h2>{t('hunt.results', { count: results.total })}</h2>
          {open.state === 'running' && (
            <button type="button" onClick={() => void huntsApi.cancel(open.id).then(load)} data-testid="hunt-cancel">
              {t('hunt.cancel')}
            </button>
          )}
          {open.results_truncated && <Notice kind="warning">{t('hunt.results_truncated')}</Notice>}
          <table className="table">
            <thead>
              <tr>
                <th>{t('hunt.time')}</th>
                <th>{t('hunt.host')}</th>
                <th>{t('hunt.rule')}</th>
                <th>{t('hunt.event')}</th>
              </tr>
            </thead>
            <tbody>
              {results.items.map((r, i) => (
                <tr key={i} data-testid="hunt-result">
                  <td className="nowrap small">{formatDateTimeSeconds(r.time)}</td>
                  <td>{r.host}</td>
                  <td className="small">{r.rule_title || '—'}</td>
                  <td>
                    <pre className="evidence small">{JSON.stringify(r.event, null, 1)}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
