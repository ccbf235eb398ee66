// Small shared building blocks: error display, modal dialog, form field, pager, org select.
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError, ROLES, type Id, type Org, type Role } from '../api';
import { buildTree, flattenTree } from '../orgTree';

/** The user-facing text of an error, in the current language. */
export function errorText(t: TFunction, e: unknown): { text: string; detail?: string } {
  if (e instanceof ApiError) {
    const key = `errors.${e.code}`;
    const field = typeof e.details.field === 'string' ? (e.details.field as string) : undefined;
    const retry = Number(e.details.retry_after_seconds);
    const minutes = Number.isFinite(retry) && retry > 0 ? Math.max(1, Math.ceil(retry / 60)) : undefined;
    let text: string;
    if (t(key, { defaultValue: '' })) {
      text = t(key, { minutes: minutes ?? '?' });
      if (e.code === 'account_locked' && minutes === undefined) text = t('errors.account_locked_plain');
    } else {
      text = e.message || t('errors.unknown');
    }
    if (field) text += ` (${t('errors.field', { field: t(`fields.${field}`, { defaultValue: field }) })})`;
    const showDetail = ['validation_failed', 'conflict', 'bad_request', 'invalid_json'].includes(e.code);
    const detail = showDetail && e.message && e.message !== text ? e.message : undefined;
    return { text, detail };
  }
  return { text: t('errors.unknown') };
}

export function ErrorMessage({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const { text, detail } = errorText(t, error);
  return (
    <div className="alert alert-error" role="alert" data-testid="error">
      <div>{text}</div>
      {detail && (
        <div className="alert-detail">
          {t('errors.server_said')}: <span lang="en">{detail}</span>
        </div>
      )}
    </div>
  );
}

export function Notice({ kind = 'success', children, testId }: { kind?: 'success' | 'info' | 'warning'; children: ReactNode; testId?: string }) {
  return (
    <div className={`alert alert-${kind}`} role="status" data-testid={testId}>
      {children}
    </div>
  );
}

export function Modal({
  title,
  onClose,
  children,
  footer,
  testId,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button.primary');
    first?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        ref={ref}
      >
        <div className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
            ×
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-footer">{footer}</div>}
      </div>
    </div>
  );
}

export function Field({ label, hint, children, htmlFor }: { label: string; hint?: string; children: ReactNode; htmlFor?: string }) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && <div className="field-hint">{hint}</div>}
    </div>
  );
}

export function Pager({
  total,
  offset,
  limit,
  onChange,
}: {
  total: number;
  offset: number;
  limit: number;
  onChange: (offset: number) => void;
}) {
  const { t } = useTranslation();
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <div className="pager" data-testid="pager">
      <span>{t('pager.range', { from, to, total })}</span>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        ‹ {t('pager.prev')}
      </button>
      <button type="button" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        {t('pager.next')} ›
      </button>
    </div>
  );
}

/** A select of organisations, indented by depth. `allow` filters which can be chosen. */
export function OrgSelect({
  orgs,
  value,
  onChange,
  allow,
  id,
  testId,
  emptyLabel,
  includeArchived = false,
}: {
  orgs: Org[];
  value: Id | null;
  onChange: (id: Id | null) => void;
  allow?: (o: Org) => boolean;
  id?: string;
  testId?: string;
  emptyLabel?: string;
  includeArchived?: boolean;
}) {
  const { t } = useTranslation();
  const flat = useMemo(
    () => flattenTree(buildTree(includeArchived ? orgs : orgs.filter((o) => !o.archived))),
    [orgs, includeArchived],
  );
  return (
    <select id={id} value={value === null ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} data-testid={testId}>
      <option value="">{emptyLabel ?? t('common.choose')}</option>
      {flat.map(({ org, depth }) => (
        <option key={org.id} value={String(org.id)} disabled={allow ? !allow(org) : false}>
          {'\u00A0\u00A0\u00A0'.repeat(depth)}
          {org.name}
          {org.archived ? ` (${t('orgs.archived')})` : ''}
        </option>
      ))}
    </select>
  );
}

export function RoleSelect({ value, onChange, id, testId }: { value: Role | ''; onChange: (r: Role) => void; id?: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as Role)} data-testid={testId}>
      {value === '' && <option value="">{t('common.choose')}</option>}
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {t(`roles.${r}`)}
        </option>
      ))}
    </select>
  );
}

/** Copies text to the clipboard; falls back to selecting it where the Clipboard API is missing (plain HTTP). */
export function CopyButton({ text, testId }: { text: string; testId?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
      } else {
        const ta = document.createElement('textarea');
        ta.value = text;
        ta.setAttribute('readonly', '');
        ta.style.position = 'fixed';
        ta.style.opacity = '0';
        document.body.appendChild(ta);
        ta.select();
        const ok = document.execCommand('copy');
        document.body.removeChild(ta);
        if (!ok) throw new Error('copy refused');
      }
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <button type="button" onClick={() => void copy()} data-testid={testId}>
      {copied === 'yes' ? t('common.copied') : copied === 'failed' ? t('common.copy_failed') : t('common.copy')}
    </button>
  );
}

export function Spinner() {
  const { t } = useTranslation();
  return (
    <div className="spinner" role="status">
      {t('common.loading')}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: string; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

/** The buttons of a record dialog: cancel, delete (existing records) and save. */
export function DialogButtons({ onClose, onDelete, onSave, busy, testId }: { onClose: () => void; onDelete?: () => void; onSave: () => void; busy: boolean; testId: string }) {
  const { t } = useTranslation();
  return (
    <>
      {onDelete && (
        <button type="button" className="danger push-left" disabled={busy} onClick={onDelete} data-testid={`${testId}-delete`}>
          {t('registry.delete')}
        </button>
      )}
      <button type="button" onClick={onClose}>
        {t('common.cancel')}
      </button>
      <button type="button" className="primary" disabled={busy} onClick={onSave} data-testid={`${testId}-save`}>
        {busy ? t('common.saving') : t('common.save')}
      </button>
    </>
  );
}
