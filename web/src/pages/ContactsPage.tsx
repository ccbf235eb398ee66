// Contact points of the agencies (Đầu mối liên hệ): who receives incident notices (đầu mối ứng cứu
// sự cố) and who answers for monitoring (đầu mối giám sát), with the date each was last updated so
// stale entries are visible.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, CONTACT_ROLES, type Contact, type ContactBody, type Id } from '../api';
import { DialogButtons, ErrorMessage, Field, Modal, OrgSelect, PageHeader } from '../components/ui';
import { formatDate } from '../format';
import { useSession } from '../session';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';

/** Contacts not updated for this long are marked for review. */
const STALE_DAYS = 180;

export function ContactsPage() {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [orgId, setOrgId] = useState<Id | null>(null);
  const { data, error, reload: load } = useLoad(() => api.listContacts({ org_id: orgId ?? undefined }), [orgId]);
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);

  const stale = (c: Contact) => Date.now() - new Date(c.updated_at).getTime() > STALE_DAYS * 86_400_000;

  return (
    <div data-testid="contacts-page">
      <PageHeader
        title={t('contacts.title')}
        subtitle={t('contacts.subtitle')}
        actions={
          perms.canManageRegistry && (
            <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="contact-add">
              {t('contacts.add')}
            </button>
          )
        }
      />
      <div className="toolbar panel">
        <OrgSelect orgs={orgs} value={orgId} onChange={setOrgId} emptyLabel={t('systems.all_orgs')} />
      </div>
      <ErrorMessage error={error} />
      <div className="panel table-panel">
        <table className="table" data-testid="contacts-table">
          <thead>
            <tr>
              <th>{t('systems.org')}</th>
              <th>{t('contacts.role')}</th>
              <th>{t('contacts.name')}</th>
              <th>{t('contacts.phones')}</th>
              <th>{t('fields.email')}</th>
              <th>{t('common.updated_at')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((c) => (
              <tr key={c.id} className={perms.canManageRegistryOf(c.org_id) ? 'clickable' : undefined} onClick={perms.canManageRegistryOf(c.org_id) ? () => setEditing(c) : undefined} data-testid="contact-row">
                <td>{c.org_name}</td>
                <td>{t(`contacts.roles.${c.role}`, { defaultValue: c.role })}</td>
                <td>
                  {c.name}
                  {c.title && <div className="muted small">{c.title}</div>}
                </td>
                <td className="nowrap">{c.phones.join(', ')}</td>
                <td>{c.email}</td>
                <td className="nowrap">
                  {formatDate(c.updated_at)} {stale(c) && <span className="badge badge-warning">{t('contacts.stale')}</span>}
                </td>
              </tr>
            ))}
            {data && data.items.length === 0 && (
              <tr>
                <td colSpan={6} className="muted center">
                  {t('contacts.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {editing && (
        <ContactDialog
          contact={editing === 'new' ? null : editing}
          onClose={(changed) => {
            setEditing(null);
            if (changed) void load();
          }}
        />
      )}
    </div>
  );
}

function ContactDialog({ contact, onClose }: { contact: Contact | null; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [f, setF] = useState<ContactBody>(
    contact
      ? { org_id: contact.org_id, role: contact.role, name: contact.name, title: contact.title, phones: contact.phones, email: contact.email }
      : { org_id: 0, role: 'incident_contact', name: '', title: '', phones: [], email: '' },
  );
  const [phones, setPhones] = useState((contact?.phones ?? []).join(', '));
  const { busy, error, act } = useAction();
  const set = <K extends keyof ContactBody>(k: K, v: ContactBody[K]) => setF((x) => ({ ...x, [k]: v }));

  const save = () =>
    void act(async () => {
      const body = {
        ...f,
        phones: phones
          .split(/[,;\n]/)
          .map((p) => p.trim())
          .filter(Boolean),
      };
      if (contact) await api.updateContact(contact.id, body);
      else await api.createContact(body);
      onClose(true);
    });
  const remove = contact
    ? () =>
        void act(async () => {
          await api.deleteContact(contact.id);
          onClose(true);
        })
    : undefined;

  return (
    <Modal
      title={contact ? t('contacts.edit_title', { name: contact.name }) : t('contacts.add')}
      onClose={() => onClose(false)}
      testId="contact-dialog"
      footer={<DialogButtons onClose={() => onClose(false)} onDelete={remove} onSave={save} busy={busy} testId="contact" />}
    >
      <Field label={t('systems.org')}>
        <OrgSelect orgs={orgs} value={f.org_id || null} onChange={(v) => set('org_id', v ?? 0)} allow={(o) => perms.canManageRegistryOf(o.id)} testId="contact-org" />
      </Field>
      <Field label={t('contacts.role')}>
        <select value={f.role} onChange={(e) => set('role', e.target.value)} data-testid="contact-role">
          {CONTACT_ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`contacts.roles.${r}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('contacts.name')}>
        <input type="text" value={f.name} onChange={(e) => set('name', e.target.value)} data-testid="contact-name" />
      </Field>
      <Field label={t('contacts.title_field')}>
        <input type="text" value={f.title ?? ''} onChange={(e) => set('title', e.target.value)} />
      </Field>
      <Field label={t('contacts.phones')} hint={t('contacts.phones_hint')}>
        <input type="text" value={phones} onChange={(e) => setPhones(e.target.value)} data-testid="contact-phones" />
      </Field>
      <Field label={t('fields.email')}>
        <input type="email" value={f.email} onChange={(e) => set('email', e.target.value)} data-testid="contact-email" />
      </Field>
      <ErrorMessage error={error} />
    </Modal>
  );
}
