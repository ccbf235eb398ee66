// Security level calculator (Tính cấp độ hệ thống thông tin): the questions come from the server's
// regime catalogs (GET /compliance/regimes) and are rendered from that data; the answer of
// POST /compliance/level is shown with its legal reasoning. Nothing is stored.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  api,
  ApiError,
  type Cite,
  type FactValue,
  type LevelCriterion,
  type LevelResult,
  type Regime,
  type RegimeFact,
} from '../api';
import { ErrorMessage, PageHeader, Spinner } from '../components/ui';

/** What the user typed or chose; ints are kept as text until sent. */
type Answer = string | string[] | boolean;
type Answers = Record<string, Answer>;

interface ComponentRow {
  key: number;
  name: string;
  level: string;
}

/** yyyy-mm-dd -> dd/mm/yyyy without any time zone arithmetic. */
function formatDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day;
}

function todayIso(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
}

/** The regime to start with: the most recent one already in force (the catalog decides, not the UI). */
function defaultRegime(regimes: Regime[]): Regime | undefined {
  const today = todayIso();
  const inForce = regimes.filter((r) => !r.effective || r.effective <= today);
  const pool = inForce.length ? inForce : regimes;
  return [...pool].sort((a, b) => (b.effective || '').localeCompare(a.effective || ''))[0];
}

function initialAnswer(f: RegimeFact, previous: Answer | undefined): Answer {
  const values = f.values ?? [];
  switch (f.type) {
    case 'enum':
      if (typeof previous === 'string' && values.includes(previous)) return previous;
      return typeof f.default === 'string' ? f.default : '';
    case 'set':
      if (Array.isArray(previous)) return previous.filter((v) => values.includes(v));
      return Array.isArray(f.default) ? f.default.filter((v) => typeof v === 'string') : [];
    case 'int':
      if (typeof previous === 'string') return previous;
      return typeof f.default === 'number' ? String(f.default) : '';
    case 'bool':
      if (typeof previous === 'boolean') return previous;
      return f.default === true;
  }
  return '';
}

export function citeText(c: Cite | null | undefined): string {
  if (!c) return '';
  if (typeof c === 'string') return c;
  const parts = [];
  if (c.article) parts.push(`Điều ${c.article}`);
  if (c.clause) parts.push(`khoản ${c.clause}`);
  return [parts.join(' '), c.document].filter(Boolean).join(', ');
}

/** The translated text of an enum/set value; the raw value when the catalog has a value the UI does not know. */
function valueText(t: TFunction, fact: string, value: string): string {
  return t(`level_calc.values.${fact}.${value}`, { defaultValue: value });
}

function raisedByText(r: LevelResult['raised_by']): string | null {
  if (r === null || r === undefined || r === '') return null;
  if (typeof r === 'string') return r;
  if (typeof r === 'object' && r.name) return r.name;
  return JSON.stringify(r);
}

export function LevelCalculatorPage() {
  const { t, i18n } = useTranslation();
  const [regimes, setRegimes] = useState<Regime[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [regimeId, setRegimeId] = useState<string>('');
  const [answers, setAnswers] = useState<Answers>({});
  const [components, setComponents] = useState<ComponentRow[]>([]);
  const [nextKey, setNextKey] = useState(1);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  /** A validation error the server tied to one question: repeated on top with the question's words. */
  const [factAlert, setFactAlert] = useState<{ label: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<LevelResult | null>(null);
  const [stale, setStale] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const regime = useMemo(() => regimes?.find((r) => r.id === regimeId), [regimes, regimeId]);
  const numberFormat = useMemo(() => new Intl.NumberFormat(i18n.language === 'en' ? 'en-US' : 'vi-VN'), [i18n.language]);

  const selectRegime = (r: Regime, previous: Answers) => {
    setRegimeId(r.id);
    const next: Answers = { ...previous };
    for (const f of r.facts) next[f.name] = initialAnswer(f, previous[f.name]);
    setAnswers(next);
    setFieldErrors({});
    setError(null);
    setFactAlert(null);
    setResult(null);
  };

  useEffect(() => {
    api.listRegimes().then((list) => {
      setRegimes(list.items);
      const r = defaultRegime(list.items);
      if (r) selectRegime(r, {});
    }, setLoadError);
  }, []);

  const touch = () => {
    if (result) setStale(true);
  };

  const setAnswer = (name: string, value: Answer) => {
    setAnswers((a) => ({ ...a, [name]: value }));
    setFieldErrors((e) => {
      if (!(name in e)) return e;
      const n = { ...e };
      delete n[name];
      return n;
    });
    touch();
  };

  const focusField = (name: string) => {
    window.setTimeout(() => {
      const el = formRef.current?.querySelector<HTMLElement>(`[data-fact="${CSS.escape(name)}"]`);
      el?.scrollIntoView({ block: 'center', behavior: 'smooth' });
      el?.querySelector<HTMLElement>('input, select')?.focus({ preventScroll: true });
    }, 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!regime) return;
    // Unanswered required questions are caught here; everything else is the server's to judge.
    const missing: Record<string, string> = {};
    const facts: Record<string, FactValue> = {};
    for (const f of regime.facts) {
      const a = answers[f.name];
      if (f.type === 'enum') {
        if (typeof a === 'string' && a !== '') facts[f.name] = a;
        else if (f.default === undefined) missing[f.name] = t('level_calc.required');
      } else if (f.type === 'set') {
        facts[f.name] = Array.isArray(a) ? a : [];
      } else if (f.type === 'int') {
        const text = typeof a === 'string' ? a.trim() : '';
        if (text === '') {
          if (f.default === undefined) missing[f.name] = t('level_calc.required');
        } else if (!/^-?\d+$/.test(text)) {
          missing[f.name] = t('level_calc.not_integer');
        } else {
          facts[f.name] = Number(text);
        }
      } else if (f.type === 'bool') {
        facts[f.name] = a === true;
      }
    }
    const comps: { name: string; level: number }[] = [];
    components.forEach((c, i) => {
      if (!c.name.trim()) missing[`components.${i}`] = t('level_calc.component_name_required');
      else comps.push({ name: c.name.trim(), level: Number(c.level) });
    });
    setFieldErrors(missing);
    setError(null);
    setFactAlert(null);
    if (Object.keys(missing).length) {
      const first = Object.keys(missing)[0];
      focusField(first);
      return;
    }
    setBusy(true);
    try {
      const r = await api.computeLevel({ regime: regime.id, facts, ...(comps.length ? { components: comps } : {}) });
      setResult(r);
      setStale(false);
      window.setTimeout(() => resultRef.current?.scrollIntoView({ block: 'start', behavior: 'smooth' }), 0);
    } catch (err) {
      const field = err instanceof ApiError && typeof err.details.field === 'string' ? (err.details.field as string) : undefined;
      if (err instanceof ApiError && field && err.status === 400) {
        // The server words it "field: message"; the field is shown by its question already.
        const message = err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
        setFieldErrors({ [field]: message });
        const fact = regime.facts.find((f) => f.name === field);
        if (fact) focusField(field);
        // A fact the form knows is shown at its input; anything else (regime, components...) on top.
        setFactAlert(fact ? { label: fact.label, message } : null);
        setError(fact ? null : err);
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const addComponent = () => {
    setComponents((c) => [...c, { key: nextKey, name: '', level: '1' }]);
    setNextKey((k) => k + 1);
    touch();
  };

  const componentsError = Object.entries(fieldErrors).find(([k]) => k === 'components' || k.startsWith('components'))?.[1];

  return (
    <div data-testid="level-calc-page">
      <PageHeader title={t('level_calc.title')} subtitle={t('level_calc.subtitle')} />
      <ErrorMessage error={loadError} />
      {!regimes ? (
        !loadError && <Spinner />
      ) : (
        <form ref={formRef} onSubmit={(e) => void submit(e)} noValidate>
          <section className={`panel${fieldErrors.regime ? ' has-error' : ''}`} data-fact="regime">
            <h2>{t('level_calc.regime')}</h2>
            <div className="regime-options" role="radiogroup" aria-label={t('level_calc.regime')}>
              {regimes.map((r) => (
                <label key={r.id} className={`regime-option${r.id === regimeId ? ' selected' : ''}`} data-testid="lc-regime" data-regime-id={r.id}>
                  <input
                    type="radio"
                    name="regime"
                    value={r.id}
                    checked={r.id === regimeId}
                    onChange={() => selectRegime(r, answers)}
                  />
                  <span className="regime-text">
                    <span className="regime-name">{r.name}</span>
                    <span className="regime-basis">
                      {r.legal_basis.map((b) => (
                        <span key={b} className="cite-chip">
                          {b}
                        </span>
                      ))}
                    </span>
                    <span className="muted small">
                      {t('level_calc.effective', { date: formatDay(r.effective) })} · {t('level_calc.max_level', { level: r.max_level })}
                    </span>
                  </span>
                </label>
              ))}
            </div>
            {fieldErrors.regime && <div className="field-error">{fieldErrors.regime}</div>}
          </section>

          {regime && (
            <>
              <section className="panel">
                <h2>{t('level_calc.questions')}</h2>
                <p className="muted small lc-intro">{t('level_calc.questions_hint')}</p>
                <div className="fact-grid">
                  {regime.facts.map((f) => (
                    <FactInput
                      key={`${regime.id}:${f.name}`}
                      fact={f}
                      value={answers[f.name]}
                      error={fieldErrors[f.name]}
                      onChange={(v) => setAnswer(f.name, v)}
                      numberFormat={numberFormat}
                    />
                  ))}
                </div>
              </section>

              <section className={`panel${componentsError ? ' has-error' : ''}`} data-fact="components" data-testid="lc-components">
                <h2>{t('level_calc.components')}</h2>
                <p className="muted small lc-intro">{t('level_calc.components_hint')}</p>
                {components.map((c, i) => (
                  <div className="component-row" key={c.key} data-testid="lc-component">
                    <input
                      type="text"
                      value={c.name}
                      placeholder={t('level_calc.component_name')}
                      aria-label={t('level_calc.component_name')}
                      aria-invalid={fieldErrors[`components.${i}`] ? true : undefined}
                      className={fieldErrors[`components.${i}`] ? 'invalid' : undefined}
                      onChange={(e) => {
                        const name = e.target.value;
                        setComponents((cs) => cs.map((x) => (x.key === c.key ? { ...x, name } : x)));
                        touch();
                      }}
                      data-testid="lc-component-name"
                    />
                    <select
                      value={c.level}
                      aria-label={t('level_calc.component_level')}
                      onChange={(e) => {
                        const level = e.target.value;
                        setComponents((cs) => cs.map((x) => (x.key === c.key ? { ...x, level } : x)));
                        touch();
                      }}
                      data-testid="lc-component-level"
                    >
                      {Array.from({ length: regime.max_level }, (_, j) => j + 1).map((l) => (
                        <option key={l} value={String(l)}>
                          {t('level_calc.level_n', { level: l })}
                        </option>
                      ))}
                    </select>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        setComponents((cs) => cs.filter((x) => x.key !== c.key));
                        touch();
                      }}
                    >
                      {t('level_calc.component_remove')}
                    </button>
                  </div>
                ))}
                {componentsError && <div className="field-error">{componentsError}</div>}
                <button type="button" onClick={addComponent} data-testid="lc-component-add">
                  + {t('level_calc.component_add')}
                </button>
              </section>

              <ErrorMessage error={error} />
              {factAlert && (
                <div className="alert alert-error" role="alert" data-testid="error">
                  {t('level_calc.invalid_answer', { label: factAlert.label })}
                  <div className="alert-detail">{factAlert.message}</div>
                </div>
              )}
              {Object.keys(fieldErrors).length > 0 && !factAlert && !error && (
                <div className="alert alert-error" role="alert" data-testid="error">
                  {t('level_calc.fix_answers')}
                </div>
              )}
              <div className="button-row lc-submit-row">
                <button type="submit" className="primary lc-submit" disabled={busy} data-testid="lc-submit">
                  {busy ? t('level_calc.computing') : t('level_calc.compute')}
                </button>
                <span className="muted small">{t('level_calc.nothing_saved')}</span>
              </div>
            </>
          )}
        </form>
      )}

      {result && (
        <div ref={resultRef}>
          <LevelResultView result={result} regime={regime} stale={stale} />
        </div>
      )}
    </div>
  );
}

function FactInput({
  fact,
  value,
  error,
  onChange,
  numberFormat,
}: {
  fact: RegimeFact;
  value: Answer | undefined;
  error?: string;
  onChange: (v: Answer) => void;
  numberFormat: Intl.NumberFormat;
}) {
  const { t } = useTranslation();
  const id = `fact-${fact.name}`;
  const required = fact.default === undefined;
  const invalid = error ? true : undefined;
  const label = (
    <>
      {fact.label}
      {required && (
        <span className="required-mark" title={t('level_calc.required')}>
          {' '}
          *
        </span>
      )}
    </>
  );
  const errorLine = error && (
    <div className="field-error" role="alert" data-testid={`lc-error-${fact.name}`}>
      {error}
    </div>
  );
  const common = { 'data-fact': fact.name, 'data-testid': `lc-fact-${fact.name}` };

  if (fact.type === 'bool') {
    return (
      <div className={`field fact fact-bool${error ? ' has-error' : ''}`} {...common}>
        <label className="checkbox-wrap">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-invalid={invalid}
            onChange={(e) => onChange(e.target.checked)}
            data-testid={`lc-input-${fact.name}`}
          />
          <span>{label}</span>
        </label>
        {errorLine}
      </div>
    );
  }

  if (fact.type === 'set') {
    const chosen = Array.isArray(value) ? value : [];
    return (
      <fieldset className={`field fact fact-set${error ? ' has-error' : ''}`} {...common} aria-invalid={invalid}>
        <legend>{label}</legend>
        <div className="fact-options">
          {(fact.values ?? []).map((v) => (
            <label key={v} className="checkbox">
              <input
                type="checkbox"
                value={v}
                checked={chosen.includes(v)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, v] : chosen.filter((x) => x !== v))}
                data-testid={`lc-input-${fact.name}-${v}`}
              />
              {valueText(t, fact.name, v)}
            </label>
          ))}
        </div>
        {errorLine}
      </fieldset>
    );
  }

  if (fact.type === 'enum') {
    return (
      <div className={`field fact${error ? ' has-error' : ''}`} {...common}>
        <label htmlFor={id}>{label}</label>
        <select
          id={id}
          value={typeof value === 'string' ? value : ''}
          aria-invalid={invalid}
          className={error ? 'invalid' : undefined}
          onChange={(e) => onChange(e.target.value)}
          data-testid={`lc-input-${fact.name}`}
        >
          {(required || typeof value !== 'string' || value === '') && <option value="">{t('common.choose')}</option>}
          {(fact.values ?? []).map((v) => (
            <option key={v} value={v}>
              {valueText(t, fact.name, v)}
            </option>
          ))}
        </select>
        {errorLine}
      </div>
    );
  }

  // int
  const text = typeof value === 'string' ? value : '';
  const n = /^\d{4,}$/.test(text.trim()) ? Number(text) : null;
  const range =
    fact.min !== undefined && fact.max !== undefined
      ? t('level_calc.range', { min: numberFormat.format(fact.min), max: numberFormat.format(fact.max) })
      : fact.min !== undefined
        ? t('level_calc.range_min', { min: numberFormat.format(fact.min) })
        : '';
  return (
    <div className={`field fact${error ? ' has-error' : ''}`} {...common}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        step={1}
        min={fact.min}
        max={fact.max}
        value={text}
        aria-invalid={invalid}
        className={error ? 'invalid' : undefined}
        onChange={(e) => onChange(e.target.value)}
        data-testid={`lc-input-${fact.name}`}
      />
      <div className="field-hint">
        {n !== null && <strong className="lc-number">{numberFormat.format(n)}</strong>}
        {n !== null && range && ' · '}
        {range}
      </div>
      {errorLine}
    </div>
  );
}

function LevelResultView({ result, regime, stale }: { result: LevelResult; regime?: Regime; stale: boolean }) {
  const { t } = useTranslation();
  const raisedBy = raisedByText(result.raised_by);
  const raised = raisedBy !== null || result.level > result.criteria_level;
  // Met criteria first, the highest level on top (the one that decided), then the others in the
  // server's order.
  const rows = useMemo(
    () => [
      ...result.reasoning.filter((r) => r.met).sort((a, b) => (b.level ?? 0) - (a.level ?? 0)),
      ...result.reasoning.filter((r) => !r.met),
    ],
    [result.reasoning],
  );
  const metCount = result.reasoning.filter((r) => r.met).length;
  const [metOnly, setMetOnly] = useState(false);
  const regimeName = regime && regime.id === result.regime ? regime.name : result.regime;

  return (
    <section className={`lc-result${stale ? ' stale' : ''}`} data-testid="lc-result" data-level={result.level} aria-live="polite">
      {stale && (
        <div className="alert alert-warning" data-testid="lc-stale">
          {t('level_calc.stale')}
        </div>
      )}
      <div className="lc-summary">
        <div className={`level-box level-${result.level}`}>
          <div className="level-caption">{t('level_calc.proposed_level')}</div>
          <div className="level-big" data-testid="lc-level">
            {t('level_calc.level_n', { level: result.level })}
          </div>
          <div className="level-caption">{t('level_calc.of_max', { max: regime?.max_level ?? 5 })}</div>
        </div>
        <div className="lc-summary-facts">
          <div className="muted small">{regimeName}</div>
          <div className="lc-flags">
            {raised ? (
              <span className="badge badge-warning" data-testid="lc-raised">
                {raisedBy
                  ? t('level_calc.raised_by', { from: result.criteria_level, name: raisedBy })
                  : t('level_calc.raised', { from: result.criteria_level })}
              </span>
            ) : (
              <span className="badge badge-muted" data-testid="lc-not-raised">
                {t('level_calc.not_raised')}
              </span>
            )}
            {result.critical ? (
              <span className="badge badge-danger" data-testid="lc-critical">
                {t('level_calc.critical')}
              </span>
            ) : (
              <span className="badge badge-muted" data-testid="lc-not-critical">
                {t('level_calc.not_critical')}
              </span>
            )}
          </div>
          {raised && result.component_rule && (
            <div className="small lc-rule">
              {t('level_calc.component_rule')}: <span className="cite">{citeText(result.component_rule.cite)}</span>
              {result.component_rule.note && <div className="muted">{result.component_rule.note}</div>}
            </div>
          )}
          <dl className="props lc-authorities">
            <dt>{t('level_calc.appraising')}</dt>
            <dd data-testid="lc-appraising">
              {result.appraising.body}
              <div className="cite">{citeText(result.appraising.cite)}</div>
            </dd>
            <dt>{t('level_calc.approving')}</dt>
            <dd data-testid="lc-approving">
              {result.approving.body}
              <div className="cite">{citeText(result.approving.cite)}</div>
            </dd>
          </dl>
        </div>
      </div>

      <div className="panel">
        <h2>{t('level_calc.deadlines')}</h2>
        {result.deadlines.length === 0 ? (
          <p className="muted">{t('level_calc.no_deadlines')}</p>
        ) : (
          <table className="table" data-testid="lc-deadlines">
            <thead>
              <tr>
                <th>{t('level_calc.deadline_step')}</th>
                <th>{t('level_calc.deadline_amount')}</th>
                <th>{t('level_calc.cite')}</th>
              </tr>
            </thead>
            <tbody>
              {result.deadlines.map((d, i) => (
                <tr key={`${d.step}-${i}`}>
                  <td>{t(`level_calc.steps.${d.step}`, { defaultValue: d.step })}</td>
                  <td className="nowrap">
                    <strong>{d.amount}</strong>{' '}
                    {d.unit === 'working_days'
                      ? t('level_calc.working_days', { count: d.amount })
                      : d.unit === 'calendar_days'
                        ? t('level_calc.calendar_days', { count: d.amount })
                        : d.unit}
                  </td>
                  <td className="cite">{citeText(d.cite)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted small">{t('level_calc.deadlines_hint')}</p>
      </div>

      <div className="panel table-panel">
        <div className="lc-reasoning-head">
          <h2>{t('level_calc.reasoning')}</h2>
          <span className="muted small">{t('level_calc.met_count', { met: metCount, total: result.reasoning.length })}</span>
          <label className="checkbox small lc-met-only">
            <input type="checkbox" checked={metOnly} onChange={(e) => setMetOnly(e.target.checked)} data-testid="lc-met-only" />
            {t('level_calc.met_only')}
          </label>
        </div>
        <table className="table lc-reasoning" data-testid="lc-reasoning">
          <thead>
            <tr>
              <th>{t('level_calc.col_result')}</th>
              <th>{t('level_calc.col_level')}</th>
              <th>{t('level_calc.col_criterion')}</th>
              <th>{t('level_calc.cite')}</th>
              <th>{t('level_calc.col_explanation')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.filter((r) => !metOnly || r.met).map((r) => (
              <CriterionRow key={r.id} c={r} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CriterionRow({ c }: { c: LevelCriterion }) {
  const { t } = useTranslation();
  return (
    <tr className={c.met ? 'met' : 'not-met'} data-testid="lc-criterion" data-met={c.met ? 'true' : 'false'} data-criterion-id={c.id}>
      <td className="nowrap">
        {c.met ? <span className="badge badge-ok">✓ {t('level_calc.met')}</span> : <span className="badge badge-muted">{t('level_calc.not_met')}</span>}
      </td>
      <td className="nowrap">
        {c.flag === 'critical' ? (
          <span className="badge badge-danger" title={t('level_calc.critical')}>
            {t('level_calc.flag_critical')}
          </span>
        ) : c.flag ? (
          <span className="badge badge-muted">{c.flag}</span>
        ) : c.level ? (
          t('level_calc.level_n', { level: c.level })
        ) : (
          ''
        )}
      </td>
      <td>
        <div>{c.description}</div>
        <div className="muted small mono">{c.id}</div>
        {!c.verified && (
          <div className="lc-unverified" data-testid="lc-unverified">
            <span className="badge badge-warning">{t('level_calc.unverified')}</span> {c.note && <span className="small">{c.note}</span>}
          </div>
        )}
      </td>
      <td className="cite">{citeText(c.cite)}</td>
      <td className="small">{c.explanation}</td>
    </tr>
  );
}
