// The signed-in user (GET /me), the first-run state (GET /setup) and the organisations in the
// user's scope, shared by every page. Permissions computed here only hide actions the user's
// roles do not allow; the server decides.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  api,
  ApiError,
  setCsrfToken,
  setSessionRestrictedHandler,
  setUnauthenticatedHandler,
  type Id,
  type Me,
  type Org,
  type Role,
  type SetupState,
} from './api';

export type SessionStatus = 'loading' | 'anonymous' | 'authenticated' | 'error';

export interface Permissions {
  /** Administrator on some node. */
  isAdmin: boolean;
  /** Administrator on the root (province): security settings. */
  isRootAdmin: boolean;
  canSeeUsers: boolean;
  canSeeAudit: boolean;
  canSeeTokens: boolean;
  /** Administrator on this org or one of its ancestors. */
  canAdminOrg: (orgId: Id) => boolean;
  /** May record information systems somewhere (administrator or unit officer). */
  canManageRegistry: boolean;
  /** Administrator or unit officer on this org or one of its ancestors: keeps its registry. */
  canManageRegistryOf: (orgId: Id) => boolean;
  hasRole: (role: Role) => boolean;
}

interface SessionValue {
  status: SessionStatus;
  me: Me | null;
  setup: SetupState | null;
  orgs: Org[];
  orgsById: Map<Id, Org>;
  loadError: ApiError | null;
  /** Set when the previous session ended by itself (401 on a call). */
  expired: boolean;
  perms: Permissions;
  refresh: () => Promise<void>;
  reloadOrgs: () => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

function ancestorsOrSelf(orgId: Id, byId: Map<Id, Org>): Id[] {
  const out: Id[] = [];
  let cur = byId.get(orgId);
  const seen = new Set<Id>();
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    out.push(cur.id);
    cur = cur.parent_id ? byId.get(cur.parent_id) : undefined;
  }
  if (out.length === 0) out.push(orgId);
  return out;
}

export function computePermissions(me: Me | null, byId: Map<Id, Org>): Permissions {
  const roles = me?.roles ?? [];
  const hasRole = (role: Role) => roles.some((r) => r.role === role);
  const adminOrgs = new Set(roles.filter((r) => r.role === 'administrator').map((r) => r.org_id));
  const isAdmin = adminOrgs.size > 0;
  const registryOrgs = new Set(roles.filter((r) => r.role === 'administrator' || r.role === 'unit_officer').map((r) => r.org_id));
  const isRootAdmin = [...adminOrgs].some((id) => {
    const org = byId.get(id);
    return org !== undefined && org.parent_id === null;
  });
  return {
    isAdmin,
    isRootAdmin,
    // The server shows user accounts to administrators, leaders and auditors.
    canSeeUsers: isAdmin || hasRole('leader') || hasRole('auditor'),
    canSeeAudit: isAdmin || hasRole('auditor'),
    canSeeTokens: isAdmin,
    canAdminOrg: (orgId: Id) => ancestorsOrSelf(orgId, byId).some((id) => adminOrgs.has(id)),
    canManageRegistry: registryOrgs.size > 0,
    canManageRegistryOf: (orgId: Id) => ancestorsOrSelf(orgId, byId).some((id) => registryOrgs.has(id)),
    hasRole,
  };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [me, setMe] = useState<Me | null>(null);
  const [setup, setSetup] = useState<SetupState | null>(null);
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [expired, setExpired] = useState(false);
  const statusRef = useRef<SessionStatus>('loading');
  statusRef.current = status;

  const becomeAnonymous = useCallback((sessionEnded: boolean) => {
    setCsrfToken(null);
    setMe(null);
    setOrgs([]);
    setExpired(sessionEnded);
    setStatus('anonymous');
  }, []);

  const reloadOrgs = useCallback(async () => {
    try {
      const list = await api.listOrgs(true);
      setOrgs(list.items);
    } catch (e) {
      // 403 while the session is restricted (password change / MFA enrolment): no orgs yet.
      if (!(e instanceof ApiError) || e.status !== 403) throw e;
      setOrgs([]);
    }
  }, []);

  const refresh = useCallback(async () => {
    try {
      const [meRes, setupRes] = await Promise.all([api.me(), api.getSetup()]);
      setCsrfToken(meRes.csrf_token);
      setMe(meRes);
      setSetup(setupRes);
      setLoadError(null);
      if (!meRes.password_change_required && !meRes.mfa_enrollment_required) {
        await reloadOrgs();
      } else {
        setOrgs([]);
      }
      setExpired(false);
      setStatus('authenticated');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        // Not signed in. Still learn whether the system needs its first-run setup.
        try {
          setSetup(await api.getSetup());
        } catch {
          setSetup(null);
        }
        becomeAnonymous(false);
        return;
      }
      setLoadError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
      setStatus('error');
    }
  }, [becomeAnonymous, reloadOrgs]);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // the session may already be gone; the user is signed out either way
    }
    becomeAnonymous(false);
  }, [becomeAnonymous]);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      if (statusRef.current === 'authenticated') becomeAnonymous(true);
    });
    setSessionRestrictedHandler(() => {
      void refresh();
    });
    void refresh();
    return () => {
      setUnauthenticatedHandler(null);
      setSessionRestrictedHandler(null);
    };
  }, [becomeAnonymous, refresh]);

  const orgsById = useMemo(() => new Map(orgs.map((o) => [o.id, o])), [orgs]);
  const perms = useMemo(() => computePermissions(me, orgsById), [me, orgsById]);

  const value = useMemo<SessionValue>(
    () => ({ status, me, setup, orgs, orgsById, loadError, expired, perms, refresh, reloadOrgs, logout }),
    [status, me, setup, orgs, orgsById, loadError, expired, perms, refresh, reloadOrgs, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
