// Security level calculator (Tính cấp độ hệ thống thông tin): the questions come from the server's
// regime catalogs (GET /compliance/regimes) and are rendered from that data; the answer of
// POST /compliance/level is shown with its legal reasoning. Nothing is stored.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, type LevelResult, type Regime } from '../api';
import { ErrorMessage, PageHeader, Spinner } from '../components/ui';
import { FactInput, focusQuestion } from '../components/FactInput';
import { LevelResultView } from '../components/LevelResultView';
import { formatDay } from '../format';
import { answersToFacts, defaultRegime, initialAnswer, type Answer, type Answers } from '../compliance';

interface ComponentRow {
  key: number;
  name: string;
  level: string;
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

  const focusField = (name: string) => focusQuestion(formRef.current, name);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!regime) return;
    const { facts, missing } = answersToFacts(t, regime, answers);
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
