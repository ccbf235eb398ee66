// The one module that talks to the vigil server (docs/api.md). Everything goes to the same origin
// under /api/v1 with the session cookie; the CSRF token is kept in memory only and sent on every
// request that is not GET/HEAD. Every string sent is NFC-normalized so that Vietnamese text typed
// with decomposed diacritics is stored and compared in one form.

export const API_BASE = '/api/v1';

export type Role = 'administrator' | 'soc_analyst' | 'unit_officer' | 'leader' | 'auditor';
export const ROLES: Role[] = ['administrator', 'soc_analyst', 'unit_officer', 'leader', 'auditor'];

export type OrgKind = 'province' | 'department' | 'district' | 'commune' | 'unit' | 'other';
export const ORG_KINDS: OrgKind[] = ['province', 'department', 'district', 'commune', 'unit', 'other'];

/** Object ids are positive integers (int64; well below 2^53 in practice). */
export type Id = number;

export interface Org {
  id: Id;
  parent_id: Id | null;
  name: string;
  kind: OrgKind;
  code: string;
  path: string;
  archived: boolean;
  created_at: string;
  updated_at: string;
}

export interface RoleAssignment {
  org_id: Id;
  org_name: string;
  role: Role;
}

export interface User {
  id: Id;
  username: string;
  display_name: string;
  email: string;
  org_id: Id;
  disabled: boolean;
  /** Why the account is disabled ("inactive" when disabled automatically); not in every server version. */
  disabled_reason?: string;
  locked_until: string | null;
  mfa_enabled: boolean;
  must_change_password: boolean;
  last_login_at: string | null;
  created_at: string;
}

export interface UserWithRoles extends User {
  roles: RoleAssignment[];
}

export interface Me {
  user: User;
  roles: RoleAssignment[];
  csrf_token: string;
  password_change_required: boolean;
  mfa_enrollment_required: boolean;
  auth: 'session' | 'token';
}

export interface SetupState {
  needs_setup: boolean;
  province_name: string;
}

export interface Token {
  id: Id;
  name: string;
  org_id: Id;
  role: Role;
  prefix: string;
  created_by: Id | null;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked: boolean;
}

export interface AuditEntry {
  id: Id;
  time: string;
  actor: string;
  actor_id: Id | null;
  source_ip: string;
  action: string;
  object_type: string;
  object_id: string;
  org_id: Id | null;
  /** JSON object text (an object from servers that send it unquoted). */
  summary: string | Record<string, unknown>;
  result: string;
  hash: string;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  first_broken_id?: Id;
  reason?: string;
}

export interface SecuritySettings {
  password_min_length_with_mfa: number;
  password_min_length_without_mfa: number;
  inactive_days: number;
  mfa_required_roles: Role[];
  session_idle_minutes: number;
  session_absolute_hours: number;
  lockout_threshold: number;
  lockout_minutes: number;
}

/** A question asked about an information system, as the regime catalog defines it (docs/api.md). */
export interface RegimeFact {
  name: string;
  /** The question, in Vietnamese (data, not translated). */
  label: string;
  type: 'enum' | 'set' | 'int' | 'bool';
  values?: string[];
  min?: number;
  max?: number;
  /** Absent: the question must be answered. */
  default?: string | string[] | number | boolean;
}

export interface Regime {
  id: string;
  name: string;
  legal_basis: string[];
  /** yyyy-mm-dd */
  effective: string;
  max_level: number;
  facts: RegimeFact[];
}

export type FactValue = string | string[] | number | boolean;

export interface LevelRequest {
  regime: string;
  facts: Record<string, FactValue>;
  components?: { name: string; level: number }[];
}

/** A legal citation: the server sends text; an object form is tolerated. */
export type Cite = string | { document?: string; article?: string; clause?: string };

export interface LevelCriterion {
  id: string;
  level?: number | null;
  flag?: string | null;
  cite: Cite;
  description: string;
  verified: boolean;
  note?: string | null;
  met: boolean;
  explanation?: string | null;
}

export interface LevelResult {
  regime: string;
  level: number;
  criteria_level: number;
  /** The component that raised the level (null/absent when the criteria decided). */
  raised_by?: string | { name?: string; level?: number } | null;
  critical: boolean;
  component_rule?: { cite: Cite; note?: string | null } | null;
  appraising: { body: string; cite: Cite };
  approving: { body: string; cite: Cite };
  deadlines: { step: string; amount: number; unit: 'calendar_days' | 'working_days' | string; cite: Cite }[];
  reasoning: LevelCriterion[];
}

export interface List<T> {
  items: T[];
  total: number;
}

export type LoginResult =
  | { status: 'ok'; user: User; csrf_token: string }
  | { status: 'mfa_required'; mfa_token: string };

/** An error answered by the server ({"error":{code,message,details}}) or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;
let onSessionRestricted: ((code: string) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an authenticated call answers 401: the session is gone, show the login page. */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

/** Called when a call answers 403 password_change_required / mfa_enrollment_required. */
export function setSessionRestrictedHandler(fn: ((code: string) => void) | null): void {
  onSessionRestricted = fn;
}

/** Deep copy of a JSON value with every string NFC-normalized. */
export function normalizeNfc<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as unknown as T;
  if (Array.isArray(value)) return value.map((v) => normalizeNfc(v)) as unknown as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = normalizeNfc(v);
    return out as T;
  }
  return value;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/** Builds a query string from the defined, non-empty values (NFC-normalized). */
export function queryString(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v).normalize('NFC'));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Login and MFA answer 401 for a wrong password: that is not an expired session. */
  anonymous?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(normalizeNfc(opts.body));
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(API_BASE + path + queryString(opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e));
  }

  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error;
    const apiError = new ApiError(
      res.status,
      err?.code || `http_${res.status}`,
      err?.message || res.statusText || `HTTP ${res.status}`,
      err?.details,
    );
    if (res.status === 401 && !opts.anonymous && onUnauthenticated) onUnauthenticated();
    if (
      res.status === 403 &&
      (apiError.code === 'password_change_required' || apiError.code === 'mfa_enrollment_required') &&
      onSessionRestricted
    ) {
      onSessionRestricted(apiError.code);
    }
    throw apiError;
  }
  if (data === undefined && text) throw new ApiError(res.status, 'bad_response', 'response is not JSON');
  return data as T;
}

const enc = (id: Id) => encodeURIComponent(String(id));

export const api = {
  version: () => request<{ version: string; commit: string }>('GET', '/version', { anonymous: true }),
  getSetup: () => request<SetupState>('GET', '/setup', { anonymous: true }),
  postSetup: (province_name: string) => request<Org>('POST', '/setup', { body: { province_name } }),

  login: (username: string, password: string) =>
    request<LoginResult>('POST', '/auth/login', { body: { username, password }, anonymous: true }),
  loginMfa: (mfa_token: string, code: string) =>
    request<LoginResult>('POST', '/auth/mfa', { body: { mfa_token, code }, anonymous: true }),
  logout: () => request<void>('POST', '/auth/logout', { anonymous: true }),
  me: () => request<Me>('GET', '/me', { anonymous: true }),
  changePassword: (current_password: string, new_password: string) =>
    request<void>('POST', '/me/password', { body: { current_password, new_password } }),
  mfaSetup: () => request<{ secret: string; otpauth_uri: string }>('POST', '/me/mfa/setup'),
  mfaConfirm: (code: string) => request<void>('POST', '/me/mfa/confirm', { body: { code } }),
  mfaDisable: (password: string, code: string) =>
    request<void>('POST', '/me/mfa/disable', { body: { password, code } }),

  listOrgs: (include_archived: boolean) =>
    request<List<Org>>('GET', '/orgs', { query: { include_archived: include_archived ? 'true' : 'false' } }),
  getOrg: (id: Id) => request<Org>('GET', `/orgs/${enc(id)}`),
  createOrg: (body: { parent_id: Id; name: string; kind: OrgKind; code?: string }) =>
    request<Org>('POST', '/orgs', { body }),
  updateOrg: (id: Id, body: { name?: string; kind?: OrgKind; code?: string }) =>
    request<Org>('PATCH', `/orgs/${enc(id)}`, { body }),
  moveOrg: (id: Id, parent_id: Id) => request<Org>('POST', `/orgs/${enc(id)}/move`, { body: { parent_id } }),
  archiveOrg: (id: Id) => request<Org>('POST', `/orgs/${enc(id)}/archive`),
  unarchiveOrg: (id: Id) => request<Org>('POST', `/orgs/${enc(id)}/unarchive`),

  listUsers: (query: { q?: string; org_id?: Id; limit?: number; offset?: number }) =>
    request<List<UserWithRoles>>('GET', '/users', { query }),
  getUser: (id: Id) => request<UserWithRoles>('GET', `/users/${enc(id)}`),
  createUser: (body: {
    username: string;
    display_name: string;
    email?: string;
    org_id: Id;
    password: string;
    roles: { org_id: Id; role: Role }[];
  }) => request<User>('POST', '/users', { body }),
  updateUser: (id: Id, body: { display_name?: string; email?: string; disabled?: boolean }) =>
    request<User>('PATCH', `/users/${enc(id)}`, { body }),
  setUserRoles: (id: Id, roles: { org_id: Id; role: Role }[]) =>
    request<UserWithRoles>('PUT', `/users/${enc(id)}/roles`, { body: { roles } }),
  resetUserPassword: (id: Id, new_password: string) =>
    request<void>('POST', `/users/${enc(id)}/password`, { body: { new_password } }),
  unlockUser: (id: Id) => request<void>('POST', `/users/${enc(id)}/unlock`),
  resetUserMfa: (id: Id) => request<void>('DELETE', `/users/${enc(id)}/mfa`),

  listTokens: (query: { limit?: number; offset?: number }) => request<List<Token>>('GET', '/tokens', { query }),
  createToken: (body: { name: string; org_id: Id; role: Role; expires_in_days: number }) =>
    request<{ token: Token; secret: string }>('POST', '/tokens', { body }),
  revokeToken: (id: Id) => request<void>('DELETE', `/tokens/${enc(id)}`),

  listAudit: (query: AuditQuery) => request<List<AuditEntry>>('GET', '/audit', { query: { ...query } }),
  auditExportUrl: (query: AuditQuery) => {
    const q = { ...query };
    delete q.limit;
    delete q.offset;
    return `${API_BASE}/audit/export.csv${queryString(q)}`;
  },
  verifyAudit: () => request<AuditVerify>('GET', '/audit/verify'),

  getSecuritySettings: () => request<SecuritySettings>('GET', '/settings/security'),
  putSecuritySettings: (body: SecuritySettings) => request<SecuritySettings>('PUT', '/settings/security', { body }),

  listRegimes: () => request<List<Regime>>('GET', '/compliance/regimes'),
  computeLevel: (body: LevelRequest) => request<LevelResult>('POST', '/compliance/level', { body }),
};

export interface AuditQuery {
  actor?: string;
  action?: string;
  object_type?: string;
  object_id?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}
