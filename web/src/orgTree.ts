// Helpers over the flat list of organisations (GET /orgs) to show them as a tree.
import type { Id, Org } from './api';

export interface OrgTree {
  roots: Org[];
  children: Map<Id, Org[]>;
}

const collator = new Intl.Collator('vi', { sensitivity: 'base', numeric: true });

export function compareOrgs(a: Org, b: Org): number {
  return collator.compare(a.name, b.name);
}

/** Roots are the orgs whose parent is not in the list (the province, or a user's own agency). */
export function buildTree(orgs: Org[]): OrgTree {
  const ids = new Set(orgs.map((o) => o.id));
  const children = new Map<Id, Org[]>();
  const roots: Org[] = [];
  for (const o of orgs) {
    if (o.parent_id !== null && ids.has(o.parent_id)) {
      const list = children.get(o.parent_id) ?? [];
      list.push(o);
      children.set(o.parent_id, list);
    } else {
      roots.push(o);
    }
  }
  roots.sort(compareOrgs);
  for (const list of children.values()) list.sort(compareOrgs);
  return { roots, children };
}

export interface FlatOrg {
  org: Org;
  depth: number;
}

/** Depth-first order, for indented selects. */
export function flattenTree(tree: OrgTree): FlatOrg[] {
  const out: FlatOrg[] = [];
  const walk = (o: Org, depth: number) => {
    out.push({ org: o, depth });
    for (const c of tree.children.get(o.id) ?? []) walk(c, depth + 1);
  };
  for (const r of tree.roots) walk(r, 0);
  return out;
}

/** Ids of the org and everything under it. */
export function subtreeIds(tree: OrgTree, id: Id): Set<Id> {
  const out = new Set<Id>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (out.has(cur)) continue;
    out.add(cur);
    for (const c of tree.children.get(cur) ?? []) stack.push(c.id);
  }
  return out;
}
