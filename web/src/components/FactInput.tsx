// One question of a regime catalog rendered from its data: enum as a select, set as checkboxes,
// int as a number with its range, bool as a checkbox. Used by the level calculator and the system
// form.
import { useTranslation } from 'react-i18next';
import type { RegimeFact } from '../api';
import { valueText, type Answer } from '../compliance';

export function FactInput({
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

/** Scrolls to the question (or field) marked data-fact=`name` inside `container` and focuses its input. */
export function focusQuestion(container: HTMLElement | null, name: string) {
  window.setTimeout(() => {
    const el = container?.querySelector<HTMLElement>(`[data-fact="${CSS.escape(name)}"]`);
    el?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    el?.querySelector<HTMLElement>('input, select, textarea')?.focus({ preventScroll: true });
  }, 0);
}
