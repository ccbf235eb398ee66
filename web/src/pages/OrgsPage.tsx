// The organisation tree: province, agencies, districts, communes, units. Administrators of a node
// create children, rename, move, archive and unarchive in their subtree.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ORG_KINDS, type Id, type Org, type OrgKind } from '../api';
import { useSession } from '../session';
import { buildTree, subtreeIds, type OrgTree } from '../orgTree';
import { formatDateTime } from '../format';
import { ErrorMessage, Field, Modal, Notice, OrgSelect, PageHeader } from '../components/ui';
import { useAction } from '../useAction';

type Dialog = { kind: 'create' | 'edit' | 'move' | 'archive' | 'unarchive'; org: Org } | null;

/** The kind a new child most likely has, from its parent's kind. */
function defaultChildKind(parent: OrgKind): OrgKind {
  switch (parent) {
    case 'province':
      return 'department';
    case 'district':
      return 'commune';
    default:
      return 'unit';
  }
}

function matches(o: Org, needle: string): boolean {
  const norm = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi');
  return norm(o.name).includes(needle) || norm(o.code || '').includes(needle);
}

export function OrgsPage() {
  const { t } = useTranslation();
  const { orgs, orgsById, perms, reloadOrgs } = useSession();
  const [showArchived, setShowArchived] = useState(false);
  const [filter, setFilter] = useState('');
  const [selectedId, setSelectedId] = useState<Id | null>(null);
  const [expanded, setExpanded] = useState<Set<Id> | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    reloadOrgs().catch((e) => setLoadError(e));
  }, [reloadOrgs]);

  const visible = useMemo(() => (showArchived ? orgs : orgs.filter((o) => !o.archived)), [orgs, showArchived]);
  const tree = useMemo(() => buildTree(visible), [visible]);
  const fullTree = useMemo(() => buildTree(orgs), [orgs]);

  // Expand the first two levels the first time the tree has data.
  useEffect(() => {
    if (expanded === null && tree.roots.length > 0) {
      const s = new Set<Id>();
      for (const r of tree.roots) {
        s.add(r.id);
        for (const c of tree.children.get(r.id) ?? []) s.add(c.id);
      }
      setExpanded(s);
      if (!selectedId) setSelectedId(tree.roots[0].id);
    }
  }, [tree, expanded, selectedId]);

  // With a filter: the matching nodes and their ancestors, all expanded.
  const needle = filter.trim().normalize('NFC').toLocaleLowerCase('vi');
  const filterSet = useMemo(() => {
    if (!needle) return null;
    const keep = new Set<Id>();
    for (const o of visible) {
      if (!matches(o, needle)) continue;
      let cur: Org | undefined = o;
      while (cur && !keep.has(cur.id)) {
        keep.add(cur.id);
        cur = cur.parent_id !== null ? orgsById.get(cur.parent_id) : undefined;
      }
    }
    return keep;
  }, [needle, visible, orgsById]);

  const selected = selectedId !== null ? orgsById.get(selectedId) ?? null : null;

  const toggle = (id: Id) => {
    setExpanded((prev) => {
      const s = new Set(prev ?? []);
      if (s.has(id)) s.delete(id);
      else s.add(id);
      return s;
    });
  };

  const expandAll = () => setExpanded(new Set(orgs.map((o) => o.id)));
  const collapseAll = () => setExpanded(new Set(tree.roots.map((r) => r.id)));

  const afterChange = async (message: string, changed: Org) => {
    setDialog(null);
    setNotice(message);
    await reloadOrgs();
    setSelectedId(changed.id);
    // Open the path down to the changed org (its parent existed before the change).
    setExpanded((prev) => {
      const s = new Set(prev ?? []);
      let parentId = changed.parent_id;
      while (parentId !== null && !s.has(parentId)) {
        s.add(parentId);
        parentId = orgsById.get(parentId)?.parent_id ?? null;
      }
      return s;
    });
  };

  return (
    <div data-testid="orgs-page">
      <PageHeader title={t('orgs.title')} subtitle={t('orgs.subtitle')} />
      <ErrorMessage error={loadError} />
      {notice && (
        <Notice testId="orgs-notice">
          {notice}
        </Notice>
      )}
      <div className="split">
        <section className="panel tree-panel">
          <div className="toolbar">
            <input
              type="search"
              placeholder={t('orgs.filter')}
              aria-label={t('orgs.filter')}
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              data-testid="orgs-filter"
            />
            <label className="checkbox">
              <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} data-testid="orgs-show-archived" />
              {t('orgs.show_archived')}
            </label>
          </div>
          <div className="toolbar toolbar-small">
            <button type="button" className="link-button" onClick={expandAll}>
              {t('orgs.expand_all')}
            </button>
            <button type="button" className="link-button" onClick={collapseAll}>
              {t('orgs.collapse_all')}
            </button>
            <span className="muted">{t('orgs.count', { count: visible.length })}</span>
          </div>
          {tree.roots.length === 0 ? (
            <p className="muted">{t('orgs.empty')}</p>
          ) : (
            <ul className="tree" role="tree" data-testid="org-tree">
              {tree.roots.map((o) => (
                <TreeNode
                  key={o.id}
                  org={o}
                  tree={tree}
                  expanded={expanded ?? new Set()}
                  filterSet={filterSet}
                  selectedId={selectedId}
                  onSelect={setSelectedId}
                  onToggle={toggle}
                />
              ))}
            </ul>
          )}
        </section>
        <section className="panel detail-panel" data-testid="org-detail">
          {selected ? (
            <OrgDetail org={selected} tree={fullTree} canAdmin={perms.canAdminOrg(selected.id)} onAction={(kind) => setDialog({ kind, org: selected })} onSelect={setSelectedId} />
          ) : (
            <p className="muted">{t('orgs.select_hint')}</p>
          )}
        </section>
      </div>
      {dialog?.kind === 'create' && (
        <OrgFormDialog
          mode="create"
          org={dialog.org}
          onClose={() => setDialog(null)}
          onDone={(o) => void afterChange(t('orgs.created', { name: o.name }), o)}
        />
      )}
      {dialog?.kind === 'edit' && (
        <OrgFormDialog mode="edit" org={dialog.org} onClose={() => setDialog(null)} onDone={(o) => void afterChange(t('orgs.updated', { name: o.name }), o)} />
      )}
      {dialog?.kind === 'move' && (
        <MoveDialog org={dialog.org} tree={fullTree} onClose={() => setDialog(null)} onDone={(o) => void afterChange(t('orgs.moved', { name: o.name }), o)} />
      )}
      {(dialog?.kind === 'archive' || dialog?.kind === 'unarchive') && (
        <ArchiveDialog
          org={dialog.org}
          archive={dialog.kind === 'archive'}
          onClose={() => setDialog(null)}
          onDone={(o) => {
            if (o.archived && !showArchived) setShowArchived(true);
            void afterChange(t(o.archived ? 'orgs.archived_done' : 'orgs.unarchived_done', { name: o.name }), o);
          }}
        />
      )}
    </div>
  );
}

function TreeNode({
  org,
  tree,
  expanded,
  filterSet,
  selectedId,
  onSelect,
  onToggle,
}: {
  org: Org;
  tree: OrgTree;
  expanded: Set<Id>;
  filterSet: Set<Id> | null;
  selectedId: Id | null;
  onSelect: (id: Id) => void;
  onToggle: (id: Id) => void;
}) {
  const { t } = useTranslation();
  if (filterSet && !filterSet.has(org.id)) return null;
  const children = tree.children.get(org.id) ?? [];
  const isOpen = filterSet !== null || expanded.has(org.id);
  const hasChildren = children.length > 0;
  return (
    <li role="treeitem" aria-expanded={hasChildren ? isOpen : undefined} aria-selected={selectedId === org.id}>
      <div
        className={`tree-row${selectedId === org.id ? ' selected' : ''}${org.archived ? ' archived' : ''}`}
        onClick={() => onSelect(org.id)}
        data-testid="org-node"
        data-org-id={org.id}
      >
        {hasChildren ? (
          <button
            type="button"
            className="twisty"
            aria-label={isOpen ? t('orgs.collapse') : t('orgs.expand')}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(org.id);
            }}
          >
            {isOpen ? '▾' : '▸'}
          </button>
        ) : (
          <span className="twisty-space" />
        )}
        <span className="org-name">{org.name}</span>
        <span className={`kind-tag kind-${org.kind}`}>{t(`kinds.${org.kind}`)}</span>
        {org.archived && <span className="badge badge-muted">{t('orgs.archived')}</span>}
      </div>
      {hasChildren && isOpen && (
        <ul role="group">
          {children.map((c) => (
            <TreeNode key={c.id} org={c} tree={tree} expanded={expanded} filterSet={filterSet} selectedId={selectedId} onSelect={onSelect} onToggle={onToggle} />
          ))}
        </ul>
      )}
    </li>
  );
}

function OrgDetail({
  org,
  tree,
  canAdmin,
  onAction,
  onSelect,
}: {
  org: Org;
  tree: OrgTree;
  canAdmin: boolean;
  onAction: (kind: 'create' | 'edit' | 'move' | 'archive' | 'unarchive') => void;
  onSelect: (id: Id) => void;
}) {
  const { t } = useTranslation();
  const { orgsById } = useSession();
  const parent = org.parent_id !== null ? orgsById.get(org.parent_id) : undefined;
  const children = tree.children.get(org.id) ?? [];
  const activeChildren = children.filter((c) => !c.archived);
  const isRoot = org.parent_id === null;
  return (
    <div>
      <div className="detail-header">
        <h2 data-testid="org-detail-name">{org.name}</h2>
        <span className={`kind-tag kind-${org.kind}`}>{t(`kinds.${org.kind}`)}</span>
        {org.archived && <span className="badge badge-muted">{t('orgs.archived')}</span>}
      </div>
      <dl className="props">
        <dt>{t('orgs.kind')}</dt>
        <dd>{t(`kinds.${org.kind}`)}</dd>
        <dt>{t('orgs.code')}</dt>
        <dd>{org.code || <span className="muted">—</span>}</dd>
        <dt>{t('orgs.parent')}</dt>
        <dd>
          {parent ? (
            <button type="button" className="link-button" onClick={() => onSelect(parent.id)}>
              {parent.name}
            </button>
          ) : isRoot ? (
            <span className="muted">{t('orgs.is_root')}</span>
          ) : (
            <span className="muted">{t('orgs.parent_out_of_scope')}</span>
          )}
        </dd>
        <dt>{t('orgs.children')}</dt>
        <dd>{t('orgs.children_count', { count: activeChildren.length })}</dd>
        <dt>{t('common.created_at')}</dt>
        <dd>{formatDateTime(org.created_at)}</dd>
        <dt>{t('common.updated_at')}</dt>
        <dd>{formatDateTime(org.updated_at)}</dd>
      </dl>
      {canAdmin ? (
        <div className="button-row">
          {!org.archived && (
            <button type="button" className="primary" onClick={() => onAction('create')} data-testid="org-add-child">
              {t('orgs.add_child')}
            </button>
          )}
          <button type="button" onClick={() => onAction('edit')} data-testid="org-edit">
            {t('orgs.edit')}
          </button>
          {!isRoot && !org.archived && (
            <button type="button" onClick={() => onAction('move')} data-testid="org-move">
              {t('orgs.move')}
            </button>
          )}
          {!isRoot && !org.archived && (
            <button
              type="button"
              className="danger"
              onClick={() => onAction('archive')}
              disabled={activeChildren.length > 0}
              title={activeChildren.length > 0 ? t('orgs.archive_has_children') : undefined}
              data-testid="org-archive"
            >
              {t('orgs.archive')}
            </button>
          )}
          {!isRoot && org.archived && (
            <button type="button" onClick={() => onAction('unarchive')} data-testid="org-unarchive">
              {t('orgs.unarchive')}
            </button>
          )}
        </div>
      ) : (
        <p className="muted small">{t('orgs.read_only')}</p>
      )}
      {canAdmin && !isRoot && !org.archived && activeChildren.length > 0 && <p className="muted small">{t('orgs.archive_has_children')}</p>}
    </div>
  );
}

function OrgFormDialog({ mode, org, onClose, onDone }: { mode: 'create' | 'edit'; org: Org; onClose: () => void; onDone: (o: Org) => void }) {
  const { t } = useTranslation();
  const isCreate = mode === 'create';
  const [name, setName] = useState(isCreate ? '' : org.name);
  const [kind, setKind] = useState<OrgKind>(isCreate ? defaultChildKind(org.kind) : org.kind);
  const [code, setCode] = useState(isCreate ? '' : org.code || '');
  const { busy, error, act } = useAction();
  // The province is the root and only the root: it keeps its kind, nothing else can take it.
  const kindChoices: OrgKind[] = !isCreate && org.kind === 'province' ? ['province'] : ORG_KINDS.filter((k) => k !== 'province');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(async () => {
      const res = isCreate
        ? await api.createOrg({ parent_id: org.id, name: name.trim(), kind, ...(code.trim() ? { code: code.trim() } : {}) })
        : await api.updateOrg(org.id, { name: name.trim(), kind, code: code.trim() });
      onDone(res);
    });
  };

  return (
    <Modal title={isCreate ? t('orgs.add_child_title', { parent: org.name }) : t('orgs.edit_title', { name: org.name })} onClose={onClose} testId="org-form">
      <form onSubmit={(e) => void submit(e)} className="form">
        <ErrorMessage error={error} />
        <Field label={t('orgs.name')} htmlFor="org-name">
          <input id="org-name" required value={name} onChange={(e) => setName(e.target.value)} data-testid="org-name" />
        </Field>
        <Field label={t('orgs.kind')} htmlFor="org-kind">
          <select id="org-kind" value={kind} onChange={(e) => setKind(e.target.value as OrgKind)} data-testid="org-kind" disabled={kindChoices.length <= 1}>
            {kindChoices.map((k) => (
              <option key={k} value={k}>
                {t(`kinds.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('orgs.code_optional')} htmlFor="org-code" hint={t('orgs.code_hint')}>
          <input id="org-code" value={code} onChange={(e) => setCode(e.target.value)} data-testid="org-code" />
        </Field>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy} data-testid="org-submit">
            {isCreate ? t('common.create') : t('common.save')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function MoveDialog({ org, tree, onClose, onDone }: { org: Org; tree: OrgTree; onClose: () => void; onDone: (o: Org) => void }) {
  const { t } = useTranslation();
  const { orgs, perms } = useSession();
  const [target, setTarget] = useState<Id | null>(null);
  const { busy, error, act } = useAction();
  const inside = useMemo(() => subtreeIds(tree, org.id), [tree, org.id]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (target === null) return;
    await act(async () => {
      onDone(await api.moveOrg(org.id, target));
    });
  };

  return (
    <Modal title={t('orgs.move_title', { name: org.name })} onClose={onClose} testId="org-move-form">
      <form onSubmit={(e) => void submit(e)} className="form">
        <ErrorMessage error={error} />
        <Field label={t('orgs.new_parent')} htmlFor="org-new-parent" hint={t('orgs.move_hint')}>
          <OrgSelect
            id="org-new-parent"
            orgs={orgs}
            value={target}
            onChange={setTarget}
            allow={(o) => !inside.has(o.id) && o.id !== org.parent_id && perms.canAdminOrg(o.id)}
            testId="org-new-parent"
          />
        </Field>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy || target === null} data-testid="org-move-submit">
            {t('orgs.move')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function ArchiveDialog({ org, archive, onClose, onDone }: { org: Org; archive: boolean; onClose: () => void; onDone: (o: Org) => void }) {
  const { t } = useTranslation();
  const { busy, error, act } = useAction();
  const submit = async () => {
    await act(async () => {
      onDone(archive ? await api.archiveOrg(org.id) : await api.unarchiveOrg(org.id));
    });
  };
  return (
    <Modal title={archive ? t('orgs.archive_title', { name: org.name }) : t('orgs.unarchive_title', { name: org.name })} onClose={onClose} testId="org-archive-form">
      <ErrorMessage error={error} />
      <p>{archive ? t('orgs.archive_text') : t('orgs.unarchive_text')}</p>
      <div className="button-row">
        <button type="button" className={archive ? 'danger' : 'primary'} disabled={busy} onClick={() => void submit()} data-testid="org-archive-submit">
          {archive ? t('orgs.archive') : t('orgs.unarchive')}
        </button>
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Modal>
  );
}
