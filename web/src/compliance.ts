// What the pages that ask a regime's questions share: the answers as typed, their conversion to
// the facts the server takes, and the display of catalog values and legal citations.
import type { TFunction } from 'i18next';
import { todayVn } from './format';
import type { Cite, FactValue, LevelResult, Regime, RegimeFact } from './api';

/** What the user typed or chose; ints are kept as text until sent. */
export type Answer = string | string[] | boolean;
export type Answers = Record<string, Answer>;


/** The regime to start with: the most recent one already in force (the catalog decides, not the UI). */
export function defaultRegime(regimes: Regime[]): Regime | undefined {
  const today = todayVn();
  const inForce = regimes.filter((r) => !r.effective || r.effective <= today);
  const pool = inForce.length ? inForce : regimes;
  return [...pool].sort((a, b) => (b.effective || '').localeCompare(a.effective || ''))[0];
}

export function initialAnswer(f: RegimeFact, previous: Answer | undefined): Answer {
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
export function valueText(t: TFunction, fact: string, value: string): string {
  return t(`level_calc.values.${fact}.${value}`, { defaultValue: value });
}

export function raisedByText(r: LevelResult['raised_by']): string | null {
  if (r === null || r === undefined || r === '') return null;
  if (typeof r === 'string') return r;
  if (typeof r === 'object' && r.name) return r.name;
  return JSON.stringify(r);
}

/**
 * The facts to send for the answers given, and the questions still to fix (fact name -> message):
 * unanswered required questions and integers that are not integers. Everything else is the
 * server's to judge.
 */
export function answersToFacts(
  t: TFunction,
  regime: Regime,
  answers: Answers,
): { facts: Record<string, FactValue>; missing: Record<string, string> } {
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
  return { facts, missing };
}

/** The answers to show for stored facts (ints as text, as typed). */
export function factsToAnswers(regime: Regime, facts: Record<string, FactValue> | undefined): Answers {
  const out: Answers = {};
  for (const f of regime.facts) {
    const v = facts?.[f.name];
    const previous: Answer | undefined = typeof v === 'number' ? String(v) : (v as Answer | undefined);
    out[f.name] = initialAnswer(f, previous);
  }
  return out;
}
