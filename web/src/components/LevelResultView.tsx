// The result of a level computation: proposed level, raised by a component or not, critical flag,
// appraising and approving bodies, time limits and the reasoning criterion by criterion.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LevelCriterion, LevelResult, Regime } from '../api';
import { citeText, raisedByText } from '../compliance';

export function LevelResultView({ result, regime, stale }: { result: LevelResult; regime?: Regime; stale: boolean }) {
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
