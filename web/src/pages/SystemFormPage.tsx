// Records or edits an information system: who owns and operates it, its life cycle and hosting,
// and the answers to its regime's questions (the same questions as the level calculator, from the
// catalog). The server validates everything and computes the level on save.
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  api,
  ApiError,
  HOSTINGS,
  LIFECYCLES,
  PLAN_STATUSES,
  SEPARATIONS,
  type Hosting,
  type Id,
  type InfoSystem,
  type Lifecycle,
  type PlanStatus,
  type Regime,
  type Separation,
  type SystemFields,
} from '../api';
import { ErrorMessage, OrgSelect, PageHeader, Spinner } from '../components/ui';
import { FactInput, focusQuestion } from '../components/FactInput';
import { answersToFacts, defaultRegime, factsToAnswers, type Answer, type Answers } from '../compliance';
import { formatDay, parseVnDay } from '../format';
import { useSession } from '../session';

/** The form as typed: dates as dd/mm/yyyy text, lists one item per line. */
interface FormState {
  org_id: Id | null;
  name: string;
  regime_id: string;
  owner: string;
  lead_operator: string;
  operators: string;
  parent_id: Id | null;
  lifecycle: Lifecycle;
  go_live_on: string;
  major_change_on: string;
  hosting: Hosting;
  separation: Separation;
  requires_24x7: boolean;
  critical_list: boolean;
  web_addresses: string;
  public_ips: string;
  security_regulation_issued_on: string;
  plan_status: PlanStatus;
}

const EMPTY: FormState = {
  org_id: null,
  name: '',
  regime_id: '',
  owner: '',
  lead_operator: '',
  operators: '',
  parent_id: null,
  lifecycle: 'planning',
  go_live_on: '',
  major_change_on: '',
  hosting: 'on_premises',
  separation: 'none',
  requires_24x7: false,
  critical_list: false,
  web_addresses: '',
  public_ips: '',
  security_regulation_issued_on: '',
  plan_status: 'not_started',
};

const DATE_FIELDS = ['go_live_on', 'major_change_on', 'security_regulation_issued_on'] as const;

function fromSystem(s: InfoSystem): FormState {
  return {
    org_id: s.org_id,
    name: s.name,
    regime_id: s.regime_id,
    owner: s.owner,
    lead_operator: s.lead_operator,
    operators: s.operators.join('\n'),
    parent_id: s.parent_id,
    lifecycle: s.lifecycle,
    go_live_on: formatDay(s.go_live_on),
    major_change_on: formatDay(s.major_change_on),
    hosting: s.hosting,
    separation: s.separation,
    requires_24x7: s.requires_24x7,
    critical_list: s.critical_list,
    web_addresses: s.web_addresses.join('\n'),
    public_ips: s.public_ips.join('\n'),
    security_regulation_issued_on: formatDay(s.security_regulation_issued_on),
    plan_status: s.plan_status,
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** "web_addresses[2]" -> "web_addresses": errors are shown at the input that holds the list. */
const baseField = (field: string) => field.replace(/\[\d+\]$/, '');

export function SystemFormPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { id: idParam } = useParams();
  const editId = idParam ? Number(idParam) : null;
  const { orgs, perms } = useSession();
  const [regimes, setRegimes] = useState<Regime[] | null>(null);
  const [form, setForm] = useState<FormState>(EMPTY);
  const [answers, setAnswers] = useState<Answers>({});
  const [parents, setParents] = useState<InfoSystem[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const numberFormat = useMemo(() => new Intl.NumberFormat(i18n.language === 'en' ? 'en-US' : 'vi-VN'), [i18n.language]);
  const regime = regimes?.find((r) => r.id === form.regime_id);

  useEffect(() => {
    (async () => {
      const list = (await api.listRegimes()).items;
      setRegimes(list);
      if (editId !== null) {
        const s = await api.getSystem(editId);
        setForm(fromSystem(s));
        const r = list.find((x) => x.id === s.regime_id);
        if (r) setAnswers(factsToAnswers(r, s.facts));
      } else {
        const r = defaultRegime(list);
        if (r) {
          setForm((f) => ({ ...f, regime_id: r.id }));
          setAnswers(factsToAnswers(r, {}));
        }
      }
      setLoaded(true);
    })().catch(setLoadError);
  }, [editId]);

  // Systems of the same agency that this one can be a component of.
  useEffect(() => {
    if (form.org_id === null) {
      setParents([]);
      return;
    }
    api.listSystems({ org_id: form.org_id, limit: 500 }).then(
      (l) => setParents(l.items.filter((s) => s.id !== editId && s.org_id === form.org_id)),
      () => setParents([]),
    );
  }, [form.org_id, editId]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setFieldErrors((e) => {
      if (!(key in e)) return e;
      const n = { ...e };
      delete n[key as string];
      return n;
    });
  };

  const setAnswer = (name: string, value: Answer) => {
    setAnswers((a) => ({ ...a, [name]: value }));
    setFieldErrors((e) => {
      if (!(name in e)) return e;
      const n = { ...e };
      delete n[name];
      return n;
    });
  };

  const chooseRegime = (r: Regime) => {
    set('regime_id', r.id);
    // Answers to questions both regimes ask are kept; an integer typed as text stays as typed.
    setAnswers(factsToAnswers(r, answers));
  };

  const focusFirstError = (errors: Record<string, string>) => {
    const first = Object.keys(errors)[0];
    if (first) focusQuestion(formRef.current, first);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!regime) return;
    const errors: Record<string, string> = {};
    if (form.org_id === null) errors.org_id = t('systems.required');
    for (const key of ['name', 'owner', 'lead_operator'] as const) if (!form[key].trim()) errors[key] = t('systems.required');
    const days: Record<string, string | null> = {};
    for (const key of DATE_FIELDS) {
      const d = parseVnDay(form[key]);
      if (d === null) errors[key] = t('systems.bad_date');
      else days[key] = d === '' ? null : d;
    }
    const { facts, missing } = answersToFacts(t, regime, answers);
    Object.assign(errors, missing);
    setFieldErrors(errors);
    setError(null);
    if (Object.keys(errors).length) {
      focusFirstError(errors);
      return;
    }
    const body: SystemFields = {
      org_id: form.org_id as Id,
      name: form.name.trim(),
      regime_id: form.regime_id,
      owner: form.owner.trim(),
      lead_operator: form.lead_operator.trim(),
      operators: lines(form.operators),
      parent_id: form.parent_id,
      lifecycle: form.lifecycle,
      go_live_on: days.go_live_on,
      major_change_on: days.major_change_on,
      hosting: form.hosting,
      separation: form.hosting === 'on_premises' ? 'none' : form.separation,
      requires_24x7: form.requires_24x7,
      critical_list: form.critical_list,
      web_addresses: lines(form.web_addresses),
      public_ips: lines(form.public_ips),
      security_regulation_issued_on: days.security_regulation_issued_on,
      plan_status: form.plan_status,
      facts,
    };
    setBusy(true);
    try {
      const saved = editId === null ? await api.createSystem(body) : await api.updateSystem(editId, body);
      navigate(`/systems/${saved.id}`, { state: { saved: true } });
    } catch (err) {
      const field = err instanceof ApiError && typeof err.details.field === 'string' ? baseField(err.details.field as string) : undefined;
      if (err instanceof ApiError && field && err.status === 400) {
        const message = err.message.replace(/^[\w.[\]]+: /, '');
        const next = { [field]: message };
        setFieldErrors(next);
        focusFirstError(next);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const field = (key: string, label: string, input: ReactNode, hint?: string) => (
    <div className={`field${fieldErrors[key] ? ' has-error' : ''}`} data-fact={key}>
      <label htmlFor={`sys-${key}`}>{label}</label>
      {input}
      {hint && <div className="field-hint">{hint}</div>}
      {fieldErrors[key] && (
        <div className="field-error" role="alert" data-testid={`sys-error-${key}`}>
          {fieldErrors[key]}
        </div>
      )}
    </div>
  );
  const text = (key: keyof FormState & string, maxLength = 300) =>
    (
      <input
        id={`sys-${key}`}
        type="text"
        value={form[key] as string}
        maxLength={maxLength}
        aria-invalid={fieldErrors[key] ? true : undefined}
        onChange={(e) => set(key, e.target.value as never)}
        data-testid={`sys-${key}`}
      />
    );
  const day = (key: (typeof DATE_FIELDS)[number]) => (
    <input
      id={`sys-${key}`}
      type="text"
      inputMode="numeric"
      placeholder="dd/mm/yyyy"
      value={form[key]}
      aria-invalid={fieldErrors[key] ? true : undefined}
      onChange={(e) => set(key, e.target.value)}
      data-testid={`sys-${key}`}
    />
  );
  const list = (key: 'operators' | 'web_addresses' | 'public_ips') => (
    <textarea id={`sys-${key}`} rows={3} value={form[key]} onChange={(e) => set(key, e.target.value)} data-testid={`sys-${key}`} />
  );

  if (loadError) return <ErrorMessage error={loadError} />;
  if (!loaded || !regimes) return <Spinner />;

  return (
    <div data-testid="system-form-page">
      <PageHeader title={editId === null ? t('systems.create') : t('systems.edit_title', { name: form.name })} subtitle={t('systems.form_subtitle')} />
      <form ref={formRef} onSubmit={(e) => void submit(e)} noValidate>
        <section className="panel">
          <h2>{t('systems.section_general')}</h2>
          <div className="fact-grid">
            {field(
              'org_id',
              t('systems.org'),
              <OrgSelect
                id="sys-org_id"
                orgs={orgs}
                value={form.org_id}
                onChange={(v) => {
                  set('org_id', v);
                  set('parent_id', null);
                }}
                allow={(o) => perms.canManageRegistryOf(o.id)}
                testId="sys-org_id"
              />,
            )}
            {field('name', t('systems.name'), text('name'))}
            {field('owner', t('systems.owner'), text('owner'), t('systems.owner_hint'))}
            {field('lead_operator', t('systems.lead_operator'), text('lead_operator'))}
            {field('operators', t('systems.operators'), list('operators'), t('systems.one_per_line'))}
            {field(
              'parent_id',
              t('systems.parent'),
              <select id="sys-parent_id" value={form.parent_id === null ? '' : String(form.parent_id)} onChange={(e) => set('parent_id', e.target.value ? Number(e.target.value) : null)} data-testid="sys-parent_id">
                <option value="">{t('systems.no_parent')}</option>
                {parents.map((p) => (
                  <option key={p.id} value={String(p.id)}>
                    {p.name}
                  </option>
                ))}
              </select>,
              t('systems.parent_hint'),
            )}
          </div>
        </section>

        <section className="panel">
          <h2>{t('systems.section_operation')}</h2>
          <div className="fact-grid">
            {field(
              'lifecycle',
              t('systems.lifecycle'),
              <select id="sys-lifecycle" value={form.lifecycle} onChange={(e) => set('lifecycle', e.target.value as Lifecycle)} data-testid="sys-lifecycle">
                {LIFECYCLES.map((l) => (
                  <option key={l} value={l}>
                    {t(`systems.lifecycles.${l}`)}
                  </option>
                ))}
              </select>,
            )}
            {field('go_live_on', t('systems.go_live_on'), day('go_live_on'))}
            {field('major_change_on', t('systems.major_change_on'), day('major_change_on'))}
            {field('security_regulation_issued_on', t('systems.security_regulation_issued_on'), day('security_regulation_issued_on'), t('systems.security_regulation_hint'))}
            {field(
              'plan_status',
              t('systems.plan_status'),
              <select id="sys-plan_status" value={form.plan_status} onChange={(e) => set('plan_status', e.target.value as PlanStatus)} data-testid="sys-plan_status">
                {PLAN_STATUSES.map((p) => (
                  <option key={p} value={p}>
                    {t(`systems.plan_statuses.${p}`)}
                  </option>
                ))}
              </select>,
            )}
            {field(
              'hosting',
              t('systems.hosting'),
              <select id="sys-hosting" value={form.hosting} onChange={(e) => set('hosting', e.target.value as Hosting)} data-testid="sys-hosting">
                {HOSTINGS.map((h) => (
                  <option key={h} value={h}>
                    {t(`systems.hostings.${h}`)}
                  </option>
                ))}
              </select>,
            )}
            {form.hosting !== 'on_premises' &&
              field(
                'separation',
                t('systems.separation'),
                <select id="sys-separation" value={form.separation} onChange={(e) => set('separation', e.target.value as Separation)} data-testid="sys-separation">
                  {SEPARATIONS.filter((s) => s !== 'none').map((s) => (
                    <option key={s} value={s}>
                      {t(`systems.separations.${s}`)}
                    </option>
                  ))}
                  {form.separation === 'none' && <option value="none">{t('common.choose')}</option>}
                </select>,
              )}
            <div className="field fact-bool">
              <label className="checkbox-wrap">
                <input type="checkbox" checked={form.requires_24x7} onChange={(e) => set('requires_24x7', e.target.checked)} data-testid="sys-requires_24x7" />
                <span>{t('systems.requires_24x7')}</span>
              </label>
            </div>
            <div className="field fact-bool">
              <label className="checkbox-wrap">
                <input type="checkbox" checked={form.critical_list} onChange={(e) => set('critical_list', e.target.checked)} data-testid="sys-critical_list" />
                <span>{t('systems.critical_list')}</span>
              </label>
            </div>
            {field('web_addresses', t('systems.web_addresses'), list('web_addresses'), t('systems.web_addresses_hint'))}
            {field('public_ips', t('systems.public_ips'), list('public_ips'), t('systems.one_per_line'))}
          </div>
        </section>

        <section className="panel">
          <h2>{t('systems.section_regime')}</h2>
          <div className="regime-options" role="radiogroup" aria-label={t('level_calc.regime')}>
            {regimes.map((r) => (
              <label key={r.id} className={`regime-option${r.id === form.regime_id ? ' selected' : ''}`} data-testid="sys-regime" data-regime-id={r.id}>
                <input type="radio" name="regime" value={r.id} checked={r.id === form.regime_id} onChange={() => chooseRegime(r)} />
                <span className="regime-text">
                  <span className="regime-name">{r.name}</span>
                </span>
              </label>
            ))}
          </div>
        </section>

        {regime && (
          <section className="panel">
            <h2>{t('level_calc.questions')}</h2>
            <p className="muted small lc-intro">{t('systems.questions_hint')}</p>
            <div className="fact-grid">
              {regime.facts.map((f) => (
                <FactInput key={`${regime.id}:${f.name}`} fact={f} value={answers[f.name]} error={fieldErrors[f.name]} onChange={(v) => setAnswer(f.name, v)} numberFormat={numberFormat} />
              ))}
            </div>
          </section>
        )}

        <ErrorMessage error={error} />
        {Object.keys(fieldErrors).length > 0 && !error && (
          <div className="alert alert-error" role="alert" data-testid="error">
            {t('level_calc.fix_answers')}
          </div>
        )}
        <div className="button-row">
          <button type="button" onClick={() => navigate(editId === null ? '/systems' : `/systems/${editId}`)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="sys-submit">
            {busy ? t('common.saving') : t('systems.save')}
          </button>
        </div>
      </form>
    </div>
  );
}
