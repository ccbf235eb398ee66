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

// --- Registry of information systems (docs/api.md "Information systems") -----------------------

export type Lifecycle = 'planning' | 'build' | 'operating' | 'retired';
export const LIFECYCLES: Lifecycle[] = ['planning', 'build', 'operating', 'retired'];
export type Hosting = 'on_premises' | 'data_centre' | 'cloud';
export const HOSTINGS: Hosting[] = ['on_premises', 'data_centre', 'cloud'];
export type Separation = 'none' | 'logical' | 'physical';
export const SEPARATIONS: Separation[] = ['none', 'logical', 'physical'];
export type PlanStatus = 'not_started' | 'partly' | 'fully';
export const PLAN_STATUSES: PlanStatus[] = ['not_started', 'partly', 'fully'];

/** What a user records about a system (create and update bodies). Dates are yyyy-mm-dd. */
export interface SystemFields {
  org_id: Id;
  name: string;
  regime_id: string;
  owner: string;
  lead_operator: string;
  operators: string[];
  parent_id: Id | null;
  lifecycle: Lifecycle;
  go_live_on: string | null;
  major_change_on: string | null;
  hosting: Hosting;
  separation: Separation;
  requires_24x7: boolean;
  critical_list: boolean;
  web_addresses: string[];
  public_ips: string[];
  security_regulation_issued_on: string | null;
  plan_status: PlanStatus;
  facts: Record<string, FactValue>;
}

export interface InfoSystem extends SystemFields {
  id: Id;
  org_name: string;
  proposed_level: number;
  approved_level: number | null;
  approved_on: string | null;
  created_at: string;
  updated_at: string;
}

/** A blocking warning on a system (regulation.md 8.4). */
export interface Gate {
  id: string;
  blocking: boolean;
  message: string;
  cite: Cite;
  note?: string;
}

export interface DossierDeadline {
  step: string;
  amount: number;
  unit: string;
  cite: Cite;
  from: string | null;
  done_on: string | null;
  due_date: string | null;
  provisional: boolean;
  overdue: boolean;
  due_note: string;
}

export interface Attachment {
  id: Id;
  dossier_id: Id;
  kind: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_at: string;
  uploaded_by: string;
}
export const ATTACHMENT_KINDS = ['overview', 'design', 'justification', 'security_plan', 'professional_opinion', 'risk_assessment', 'other'] as const;

export type DossierState = 'drafting' | 'sent_for_appraisal' | 'appraised' | 'approved';

export interface Dossier {
  id: Id;
  system_id: Id;
  system_name: string;
  org_id: Id;
  regime_id: string;
  proposed_level: number;
  state: DossierState;
  sent_on: string | null;
  appraised_on: string | null;
  appraisal_result: string;
  items_to_fix: string;
  approved_on: string | null;
  decision_number: string;
  decision_body: string;
  approved_level: number | null;
  deadlines: DossierDeadline[];
  events: { from: string; to: string; on: string; at: string; actor: string; note: string }[];
  attachments: Attachment[];
  created_at: string;
  updated_at: string;
}

export interface DossierTransition {
  to: 'sent_for_appraisal' | 'appraised' | 'approved';
  on: string;
  result?: 'suitable' | 'not_suitable';
  items_to_fix?: string;
  decision_number?: string;
  decision_body?: string;
  approved_level?: number;
  note?: string;
}

export interface SystemDetail extends InfoSystem {
  components: { id: Id; name: string; proposed_level: number }[];
  dossier: Dossier | null;
  gates: Gate[];
  level: LevelResult;
}

export type AssetKind = 'server' | 'network_device' | 'workstation';
export const ASSET_KINDS: AssetKind[] = ['server', 'network_device', 'workstation'];
export const MAIN_DEVICE_KINDS = ['core_switch', 'central_firewall', 'waf', 'central_storage', 'db_firewall'] as const;

export interface AssetFields {
  system_id: Id;
  kind: AssetKind;
  name: string;
  ip: string;
  os: string;
  location: string;
  main_device: boolean;
  main_device_kind: string;
  internet_connected: boolean;
  anti_malware: string;
  anti_malware_licensed: boolean;
  last_update_on: string | null;
}

export interface Asset extends AssetFields {
  id: Id;
  system_name: string;
  org_id: Id;
  created_at: string;
  updated_at: string;
}

export interface CoverageRatio {
  covered: number;
  total: number;
  percent: number | null;
}

/** Anti-malware coverage of an agency's machines (licensed and updated since `updated_since`). */
export interface Coverage {
  org_id: Id | null;
  updated_since: string;
  workstations_protected: CoverageRatio;
  servers_protected: CoverageRatio;
  network_devices: number;
  main_devices: number;
  internet_connected: number;
}

export type Privilege = 'user' | 'operator' | 'administrator';
export const PRIVILEGES: Privilege[] = ['user', 'operator', 'administrator'];

export interface SystemAccount {
  id: Id;
  system_id: Id;
  org_id: Id;
  name: string;
  owner: string;
  privilege: Privilege;
  last_used_at: string | null;
  is_default: boolean;
  flags: string[];
  unused_days_limit: number;
  updated_at: string;
}

export const BACKUP_FREQUENCIES = ['daily', 'weekly', 'monthly', 'quarterly'] as const;

export interface Backup {
  id: Id;
  system_id: Id;
  org_id: Id;
  scope: string;
  frequency: string;
  offline_copy: boolean;
  offsite_copy: boolean;
  last_backup_at: string | null;
  last_restore_test_at: string | null;
  flags: string[];
  updated_at: string;
}

export const CONTACT_ROLES = ['incident_contact', 'monitoring_contact'] as const;

export interface Contact {
  id: Id;
  org_id: Id;
  org_name: string;
  role: string;
  name: string;
  title: string;
  phones: string[];
  email: string;
  updated_at: string;
}

/** One bad row of an imported CSV or XLSX file (the header is row 1). */
export interface ImportRowError {
  row: number;
  column: string;
  message: string;
}

/** The registry's export, template and import files. */
export type FileFormat = 'csv' | 'xlsx';

// --- Official forms (docs/api.md "Official forms") ---------------------------------------------

export interface FormInput {
  name: string;
  label: string;
  required: boolean;
  kind: 'text' | 'number' | 'date' | 'datetime';
  values: string[];
  multiple: boolean;
  row_number?: boolean;
}

export interface FormDefinition {
  id: string;
  title: string;
  regime: string;
  source: { document: string; article: string; cite: string };
  layout: 'legal_text' | 'reconstructed';
  note: string;
  formats: ('docx' | 'xlsx')[];
  fields: FormInput[];
  tables: { name: string; label: string; required: boolean; columns: FormInput[] }[];
}

export interface FormData {
  fields: Record<string, string>;
  tables: Record<string, Record<string, string>[]>;
}

export interface PrefilledForm {
  form: string;
  title: string;
  data: FormData;
  missing: { name: string; label: string }[];
}

/** A file answered by the server, with the SHA-256 it computed. */
export interface DownloadedFile {
  blob: Blob;
  fileName: string;
  sha256: string;
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

/** The error of a failed response: the server's {"error":{code,message,details}} or the HTTP status. */
function apiErrorOf(res: Response, data: unknown): ApiError {
  const err = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error;
  return new ApiError(res.status, err?.code || `http_${res.status}`, err?.message || res.statusText || `HTTP ${res.status}`, err?.details);
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
    const apiError = apiErrorOf(res, data);
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

/** Sends a file as the raw request body (the server reads its type from the content). */
async function uploadFile<T>(path: string, query: Query, file: Blob): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/octet-stream' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(API_BASE + path + queryString(query), { method: 'POST', headers, body: file, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && onUnauthenticated) onUnauthenticated();
    throw apiErrorOf(res, data);
  }
  return data as T;
}

/** POSTs JSON and returns the file of the answer (errors as ApiError, like request()). */
async function postForFile(path: string, body: unknown): Promise<DownloadedFile> {
  const headers: Record<string, string> = { Accept: '*/*', 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(API_BASE + path, { method: 'POST', headers, body: JSON.stringify(normalizeNfc(body)), credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    let data: unknown = undefined;
    try {
      data = await res.json();
    } catch {
      data = undefined;
    }
    if (res.status === 401 && onUnauthenticated) onUnauthenticated();
    throw apiErrorOf(res, data);
  }
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'document';
  return { blob: await res.blob(), fileName: name, sha256: res.headers.get('X-Content-SHA256') ?? '' };
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
  listSystems: (query: { q?: string; org_id?: Id; level?: number; lifecycle?: string; limit?: number; offset?: number }) =>
    request<List<InfoSystem>>('GET', '/systems', { query }),
  getSystem: (id: Id) => request<SystemDetail>('GET', `/systems/${enc(id)}`),
  createSystem: (body: SystemFields) => request<SystemDetail>('POST', '/systems', { body }),
  updateSystem: (id: Id, body: SystemFields) => request<SystemDetail>('PUT', `/systems/${enc(id)}`, { body }),
  deleteSystem: (id: Id) => request<void>('DELETE', `/systems/${enc(id)}`),
  systemsExportUrl: (query: { org_id?: Id }, format: FileFormat = 'csv') =>
    `${API_BASE}/systems/export.${format}${queryString(query)}`,
  systemsTemplateUrl: (format: FileFormat = 'csv') => `${API_BASE}/systems/import-template.${format}`,
  importSystems: (csv: string) => request<{ created: number; ids: Id[] }>('POST', '/systems/import', { body: { csv } }),
  /** The .xlsx file itself as the body; the same row errors as the CSV import. */
  importSystemsXlsx: (file: Blob) => uploadFile<{ created: number; ids: Id[] }>('/systems/import.xlsx', {}, file),

  listDossiers: (systemId: Id) => request<List<Dossier>>('GET', `/systems/${enc(systemId)}/dossiers`),
  createDossier: (systemId: Id) => request<Dossier>('POST', `/systems/${enc(systemId)}/dossiers`, { body: {} }),
  transitionDossier: (id: Id, body: DossierTransition) => request<Dossier>('POST', `/dossiers/${enc(id)}/transition`, { body }),
  uploadAttachment: (dossierId: Id, kind: string, file: File) =>
    uploadFile<Attachment>(`/dossiers/${enc(dossierId)}/attachments`, { kind, filename: file.name.normalize('NFC') }, file),
  attachmentUrl: (id: Id) => `${API_BASE}/attachments/${enc(id)}`,

  listAssets: (query: { org_id?: Id; system_id?: Id; kind?: string; limit?: number; offset?: number }) =>
    request<List<Asset>>('GET', '/assets', { query }),
  createAsset: (body: AssetFields) => request<Asset>('POST', '/assets', { body }),
  updateAsset: (id: Id, body: AssetFields) => request<Asset>('PUT', `/assets/${enc(id)}`, { body }),
  deleteAsset: (id: Id) => request<void>('DELETE', `/assets/${enc(id)}`),
  assetCoverage: (query: { org_id?: Id }) => request<Coverage>('GET', '/assets/coverage', { query }),
  assetsExportUrl: (query: { org_id?: Id }, format: FileFormat = 'csv') =>
    `${API_BASE}/assets/export.${format}${queryString(query)}`,
  assetsTemplateUrl: (format: FileFormat = 'csv') => `${API_BASE}/assets/import-template.${format}`,
  importAssets: (csv: string) => request<{ created: number; ids: Id[] }>('POST', '/assets/import', { body: { csv } }),
  importAssetsXlsx: (file: Blob) => uploadFile<{ created: number; ids: Id[] }>('/assets/import.xlsx', {}, file),

  listAccounts: (systemId: Id) => request<List<SystemAccount>>('GET', `/systems/${enc(systemId)}/accounts`),
  createAccount: (systemId: Id, body: AccountBody) => request<SystemAccount>('POST', `/systems/${enc(systemId)}/accounts`, { body }),
  updateAccount: (id: Id, body: AccountBody) => request<SystemAccount>('PUT', `/accounts/${enc(id)}`, { body }),
  deleteAccount: (id: Id) => request<void>('DELETE', `/accounts/${enc(id)}`),

  listBackups: (systemId: Id) => request<List<Backup>>('GET', `/systems/${enc(systemId)}/backups`),
  createBackup: (systemId: Id, body: BackupBody) => request<Backup>('POST', `/systems/${enc(systemId)}/backups`, { body }),
  updateBackup: (id: Id, body: BackupBody) => request<Backup>('PUT', `/backups/${enc(id)}`, { body }),
  deleteBackup: (id: Id) => request<void>('DELETE', `/backups/${enc(id)}`),

  listContacts: (query: { org_id?: Id }) => request<List<Contact>>('GET', '/contacts', { query }),
  createContact: (body: ContactBody) => request<Contact>('POST', '/contacts', { body }),
  updateContact: (id: Id, body: ContactBody) => request<Contact>('PUT', `/contacts/${enc(id)}`, { body }),
  deleteContact: (id: Id) => request<void>('DELETE', `/contacts/${enc(id)}`),
  listForms: () => request<List<FormDefinition>>('GET', '/forms'),
  systemForms: (systemId: Id) => request<List<PrefilledForm>>('GET', `/systems/${enc(systemId)}/forms`),
  annualReports: (query: { org_id?: Id; year?: number }) => request<List<PrefilledForm>>('GET', '/reports/annual', { query }),
  renderForm: (form: string, format: 'docx' | 'xlsx', data: FormData) => postForFile('/forms/render', { form, format, data }),
};

export interface AccountBody {
  name: string;
  owner?: string;
  privilege?: Privilege;
  last_used_at?: string | null;
  is_default?: boolean;
}

export interface BackupBody {
  scope: string;
  frequency: string;
  offline_copy?: boolean;
  offsite_copy?: boolean;
  last_backup_at?: string | null;
  last_restore_test_at?: string | null;
}

export interface ContactBody {
  org_id: Id;
  role: string;
  name: string;
  title?: string;
  phones: string[];
  email: string;
}

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

// --- Assessments, findings, schedules and the dashboard (docs/api.md "Assessments") -----------

export type AssessmentKind = 'periodic' | 'pre_operation' | 'ad_hoc';
export const ASSESSMENT_KINDS: AssessmentKind[] = ['periodic', 'pre_operation', 'ad_hoc'];
export type AssessorType = 'self' | 'independent' | 'external';
export const ASSESSOR_TYPES: AssessorType[] = ['self', 'independent', 'external'];
export type ItemStatus = 'met' | 'partly_met' | 'not_met' | 'not_applicable';
export const ITEM_STATUSES: ItemStatus[] = ['met', 'partly_met', 'not_met', 'not_applicable'];
export const ASSESSMENT_TRIGGERS = ['serious_incident', 'major_change', 'authority_request', 'unreliable_self_assessment'] as const;

export interface LegalSource {
  document: string;
  article: string;
  clause: string;
  cite: string;
}

export interface ChecklistItem {
  id: string;
  group: string;
  title: string;
  source: LegalSource;
  standard_clause: string;
  evidence: string;
  verified: boolean;
  note: string;
}

export interface Checklist {
  system_id: Id;
  regime_id: string;
  name: string;
  standard: string;
  level: number;
  level_basis: 'approved' | 'proposed';
  groups: { id: string; part: string; title: string; source: LegalSource }[];
  items: ChecklistItem[];
}

export interface Eligibility {
  eligible: boolean;
  chosen: AssessorType;
  allowed: AssessorType[];
  refusals: { rule: string; message: string; source: LegalSource }[];
  level?: number;
  regime_id?: string;
}

export interface ItemResult {
  item: string;
  status: ItemStatus;
  reason: string;
  comment: string;
  updated_at: string;
  updated_by: string;
}

export interface Evidence {
  id: Id;
  assessment_id: Id;
  item: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_at: string;
  uploaded_by: string;
}

export interface Retest {
  on: string;
  status: ItemStatus;
  by: string;
  comment: string;
  at: string;
}

export interface Finding {
  id: Id;
  assessment_id: Id;
  system_id: Id;
  system_name: string;
  org_id: Id;
  org_name: string;
  item: string;
  status: 'not_met' | 'partly_met';
  description: string;
  owner: string;
  due_on: string | null;
  remediation: string;
  closed_on: string | null;
  open: boolean;
  overdue: boolean;
  retests: Retest[];
}

export interface AssessmentSummary {
  total: number;
  met: number;
  partly_met: number;
  not_met: number;
  not_applicable: number;
  unanswered: number;
  applicable: number;
  percent_met: number | null;
}

export interface Assessment {
  id: Id;
  system_id: Id;
  system_name: string;
  org_id: Id;
  org_name: string;
  regime_id: string;
  level: number;
  kind: AssessmentKind;
  assessor_type: AssessorType;
  assessor_name: string;
  triggers: string[];
  planned_on: string | null;
  started_on: string | null;
  completed_on: string | null;
  state: 'in_progress' | 'completed';
  summary: AssessmentSummary | null;
  findings: Finding[];
  results?: ItemResult[];
  evidence?: Evidence[];
  /** The checklist at the assessment's own level (full view only). */
  checklist?: Checklist;
  eligibility?: Eligibility;
}

export interface AssessmentCreate {
  kind: AssessmentKind;
  assessor_type: AssessorType;
  assessor_name: string;
  triggers?: string[];
  planned_on?: string | null;
  started_on?: string | null;
}

export interface ScheduleItem {
  /** null: a duty of the organisation as a whole. */
  system_id: Id | null;
  system_name: string;
  org_id: Id;
  org_name: string;
  regime_id: string;
  level: number | null;
  schedule: string;
  activity: string;
  label: string;
  rule: string;
  source: LegalSource;
  verified: boolean;
  last_done: string | null;
  never_done: boolean;
  recorded: boolean;
  due_on: string;
  overdue: boolean;
  days_left: number;
}

export interface ScheduleList {
  today: string;
  horizon_days: number;
  items: ScheduleItem[];
  total: number;
  agencies: { org_id: Id; org_name: string; overdue: number; upcoming: number }[];
}

export interface AgencyRow {
  org_id: Id;
  org_name: string;
  systems: number;
  approved: number;
  percent_approved: number;
  open_findings: number;
  overdue_findings: number;
  overdue_duties: number;
  overdue_items: number;
  workstations: number;
  workstations_protected: number;
  coverage_percent: number;
}

export interface Dashboard {
  today: string;
  org: { id: Id; name: string };
  systems: { total: number; approved: number; approved_ratio: string; percent_approved: number };
  levels: { level: number; proposed: number; approved: number }[];
  plans: { fully: number; partly: number; not_started: number };
  dossiers: Record<'drafting' | 'sent_for_appraisal' | 'appraised' | 'approved' | 'none', number>;
  assessments: { in_progress: number; overdue_systems: number };
  findings: { open: number; overdue: number };
  coverage: { updated_since: string; workstations: number; workstations_protected: number; percent: number };
  agencies: AgencyRow[];
}

export const assessmentsApi = {
  checklist: (systemId: Id) => request<Checklist>('GET', `/systems/${enc(systemId)}/checklist`),
  eligibility: (systemId: Id, query: { kind: AssessmentKind; assessor_type: AssessorType; triggers?: string }) =>
    request<Eligibility>('GET', `/systems/${enc(systemId)}/assessor-eligibility`, { query }),
  list: (systemId: Id) => request<List<Assessment>>('GET', `/systems/${enc(systemId)}/assessments`),
  create: (systemId: Id, body: AssessmentCreate) => request<Assessment>('POST', `/systems/${enc(systemId)}/assessments`, { body }),
  get: (id: Id) => request<Assessment>('GET', `/assessments/${enc(id)}`),
  putResult: (id: Id, body: { item: string; status: ItemStatus; reason?: string; comment?: string }) =>
    request<ItemResult>('PUT', `/assessments/${enc(id)}/results`, { body }),
  uploadEvidence: (id: Id, item: string, file: File) =>
    uploadFile<Evidence>(`/assessments/${enc(id)}/evidence`, { item, filename: file.name.normalize('NFC') }, file),
  evidenceUrl: (id: Id) => `${API_BASE}/evidence/${enc(id)}`,
  complete: (id: Id, completed_on: string) => request<Assessment>('POST', `/assessments/${enc(id)}/complete`, { body: { completed_on } }),
  listFindings: (query: { org_id?: Id; system_id?: Id; state?: 'open' | 'overdue' | 'all'; limit?: number; offset?: number }) =>
    request<List<Finding>>('GET', '/findings', { query }),
  updateFinding: (id: Id, body: { owner: string; due_on?: string | null; remediation?: string }) =>
    request<Finding>('PUT', `/findings/${enc(id)}`, { body }),
  addRetest: (id: Id, body: { on: string; status: ItemStatus; by?: string; comment?: string }) =>
    request<Finding>('POST', `/findings/${enc(id)}/retests`, { body }),
  schedules: (query: { org_id?: Id; horizon_days?: number; limit?: number; offset?: number }) => request<ScheduleList>('GET', '/schedules', { query }),
  dashboard: (query: { org_id?: Id }) => request<Dashboard>('GET', '/dashboard', { query }),
};

// --- Log collection: event search and log sources (docs/api.md "Events", issue 5) --------------

/** A stored event as the search answers it: fields by ECS name (ints as numbers, times RFC 3339). */
export interface EventRecord {
  time: string;
  received: string;
  org_id: Id;
  org_name: string;
  source_id: Id;
  raw: string;
  fields: Record<string, string | number>;
}

export interface EventSearchResult {
  events: EventRecord[];
  offset: number;
  limit: number;
  has_more: boolean;
  took_ms: number;
}

export interface EventHistogram {
  from: string;
  to: string;
  bucket_seconds: number;
  counts: number[];
  total: number;
}

export interface TopValues {
  field: string;
  values: { value: string; count: number }[];
  events_with_field: number;
  events_matched: number;
}

/** The relative ranges a saved search may keep. */
export const EVENT_RANGES = ['15m', '1h', '24h', '7d', '30d'] as const;
export type EventRange = (typeof EVENT_RANGES)[number];

export interface SavedSearch {
  id: Id;
  name: string;
  query: string;
  range: EventRange;
  created_at: string;
}

/** The query, time window and order shared by the search, histogram, top values and export. */
export interface EventQuery {
  q?: string;
  from?: string;
  to?: string;
}

export type SourceStatus = 'active' | 'silent' | 'never' | 'disabled';

/** One sender seen by the collector (an input and peer address, and the host it names). */
export interface SourceSender {
  input: string;
  peer: string;
  host: string;
  events: number;
  events_per_second: number;
  parse_errors: number;
  rejected: number;
  dropped: number;
  first_seen: string | null;
  last_seen: string | null;
}

export interface LogSource {
  id: Id;
  org_id: Id;
  org_name: string;
  name: string;
  addresses: string[];
  timezone_offset_minutes: number;
  expected_interval_minutes: number;
  enabled: boolean;
  has_token: boolean;
  status: SourceStatus;
  last_seen: string | null;
  events: number;
  events_per_second: number;
  parse_errors: number;
  rejected: number;
  dropped: number;
  senders: SourceSender[];
}

export interface SourceBody {
  org_id: Id;
  name: string;
  addresses: string[];
  timezone_offset_minutes: number;
  expected_interval_minutes: number;
  with_token: boolean;
}

export type SourcePatch = Partial<Pick<LogSource, 'name' | 'addresses' | 'timezone_offset_minutes' | 'expected_interval_minutes' | 'enabled'>>;

export const eventsApi = {
  search: (query: EventQuery & { order: 'desc' | 'asc'; offset: number; limit: number }) =>
    request<EventSearchResult>('GET', '/events/search', { query: { ...query } }),
  histogram: (query: EventQuery & { buckets: number }) => request<EventHistogram>('GET', '/events/histogram', { query: { ...query } }),
  top: (query: EventQuery & { field: string; n: number }) => request<TopValues>('GET', '/events/top', { query: { ...query } }),
  exportUrl: (query: EventQuery, format: 'csv' | 'ndjson') => `${API_BASE}/events/export${queryString({ ...query, format })}`,
  listSaved: () => request<{ items: SavedSearch[] }>('GET', '/saved-searches'),
  createSaved: (body: { name: string; query: string; range: EventRange }) => request<SavedSearch>('POST', '/saved-searches', { body }),
  deleteSaved: (id: Id) => request<void>('DELETE', `/saved-searches/${enc(id)}`),

  listSources: () => request<{ sources: LogSource[]; undeclared?: SourceSender[] }>('GET', '/sources'),
  createSource: (body: SourceBody) => request<LogSource & { token?: string }>('POST', '/sources', { body }),
  updateSource: (id: Id, body: SourcePatch) => request<LogSource>('PATCH', `/sources/${enc(id)}`, { body }),
  rotateSourceToken: (id: Id) => request<{ token: string }>('POST', `/sources/${enc(id)}/token`),
  deleteSource: (id: Id) => request<void>('DELETE', `/sources/${enc(id)}`),
};

// --- The alert queue (issue 4; docs/api.md "The alert queue") ---------------------------------

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';
export type AlertState = 'new' | 'acknowledged' | 'in_progress' | 'false_positive' | 'closed';
export type AlertDetector = 'sigma' | 'web' | 'source_silent' | 'agent' | 'manual' | 'external' | 'incident_deadline';
export const ALERT_SEVERITIES: AlertSeverity[] = ['critical', 'high', 'medium', 'low'];
export const ALERT_STATES: AlertState[] = ['new', 'acknowledged', 'in_progress', 'false_positive', 'closed'];
export const ALERT_DETECTORS: AlertDetector[] = ['sigma', 'web', 'source_silent', 'agent', 'manual', 'external', 'incident_deadline'];
export const OBSERVABLE_TYPES = ['ip', 'domain', 'url', 'hash', 'email', 'file', 'user', 'host'] as const;

/** The states an alert may move to from `from` (the server checks the same table). */
export function alertNextStates(from: AlertState): AlertState[] {
  switch (from) {
    case 'new':
      return ['acknowledged', 'in_progress', 'false_positive', 'closed'];
    case 'acknowledged':
      return ['in_progress', 'false_positive', 'closed'];
    case 'in_progress':
      return ['false_positive', 'closed'];
    default:
      return ['new'];
  }
}

export interface AlertObservable {
  type: string;
  value: string;
}

export interface AlertSummary {
  id: Id;
  org_id: Id;
  org_name: string;
  system_id: Id | null;
  asset: string;
  detector: AlertDetector;
  rule_id: string;
  rule_title: string;
  severity: AlertSeverity;
  dedup_key: string;
  title: string;
  observables: AlertObservable[];
  /** The rule's tags (Sigma: ATT&CK "attack.t1059.001"); absent from older servers. */
  tags?: string[];
  sender: string;
  first_seen: string;
  last_seen: string;
  count: number;
  state: AlertState;
  state_reason: string;
  assignee_id: Id | null;
  assignee: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  seq: number;
}

export interface AlertComment {
  id: Id;
  alert_id: Id;
  user_id: Id | null;
  author: string;
  body: string;
  created_at: string;
}

export interface AlertDetail extends AlertSummary {
  /** The incident the alert belongs to, when the caller can see it. */
  incident_id?: Id | null;
  description: string;
  evidence: string;
  events_query: string;
  comments: AlertComment[];
}

export interface AlertCounts {
  total: number;
  by_state: Record<AlertState, number>;
  open_by_severity: Record<AlertSeverity, number>;
}

export interface AlertPage {
  items: AlertSummary[];
  has_more: boolean;
  next_cursor: string | null;
  counts: AlertCounts;
  cursor: number;
}

export interface AlertFilter {
  state?: string;
  severity?: string;
  org_id?: Id;
  detector?: string;
  assignee?: string;
  q?: string;
}

export interface AlertCreateBody {
  org_id: Id;
  title: string;
  severity: AlertSeverity;
  detector: 'manual' | 'external';
  sender?: string;
  description?: string;
  asset?: string;
  evidence?: string;
}

export interface AlertPatchBody {
  state?: AlertState;
  reason?: string;
  assignee_id?: number;
  suppress_days?: number;
}

export const alertsApi = {
  list: (filter: AlertFilter, cursor?: string, limit = 50) =>
    request<AlertPage>('GET', '/alerts', { query: { ...filter, cursor, limit } }),
  /** The live event stream (Server-Sent Events) of changes after `since` (default: from now on):
   * events named "alerts". */
  streamUrl: (since?: number) =>
    `${API_BASE}/alerts/stream` + (since ? `?since=${encodeURIComponent(String(since))}` : ''),
  get: (id: Id) => request<AlertDetail>('GET', `/alerts/${enc(id)}`),
  create: (body: AlertCreateBody) => request<AlertDetail>('POST', '/alerts', { body }),
  update: (id: Id, body: AlertPatchBody) => request<AlertDetail>('PATCH', `/alerts/${enc(id)}`, { body }),
  comment: (id: Id, body: string) => request<AlertComment>('POST', `/alerts/${enc(id)}/comments`, { body: { body } }),
};

// --- Incidents (issue 4; docs/api.md "Incidents") -----------------------------------------------

export type DeadlineState = 'ok' | 'warn50' | 'warn75' | 'warn90' | 'breached' | 'met' | 'met_late';
export type DeadlineWarning = 'none' | '50' | '75' | '90' | 'breached';
export const INCIDENT_PARTIES = ['owner', 'operator', 'response_team', 'police', 'national_coordinator'] as const;
export const NOTIFY_CHANNELS = ['phone', 'email', 'letter', 'software', 'in_person', 'other'] as const;
export const INCIDENT_OBSERVABLE_TYPES = ['ip', 'domain', 'url', 'hash', 'email', 'file'] as const;

export interface LegalSourceRef {
  document: string;
  article: string;
  clause: string;
  cite: string;
}

export interface IncidentDeadline {
  id: string;
  label: string;
  from: string;
  start_at: string;
  due_at: string;
  state: DeadlineState;
  warning: DeadlineWarning;
  percent_elapsed: number;
  left_ms: number;
  immediate: boolean;
  internal_target_hours: number;
  provisional: boolean;
  calendar_note: string;
  met_at: string | null;
  met_by: string;
  source: LegalSourceRef;
  verified: boolean;
}

export interface IncidentSummary {
  id: Id;
  org_id: Id;
  org_name: string;
  system_id: Id | null;
  system_name: string;
  system_level: number | null;
  system_critical: boolean;
  system_owner: string;
  system_operator: string;
  title: string;
  detected_at: string;
  regime: string;
  process_id: string;
  process_version: number;
  current_step: string;
  current_step_name: string;
  closed: boolean;
  closed_at: string | null;
  severity: string;
  severity_label: string;
  flags: string[];
  next_due_at: string | null;
  nearest_deadline: IncidentDeadline | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

export interface ProcessStepView {
  id: string;
  name: string;
  phase: number;
  lead: string;
  coordinating: string[];
  outputs: { id: string; kind: 'note' | 'form' | 'evidence'; form: string; label: string; required: boolean; recorded_at: string | null }[];
  next: string[];
  blocks: boolean;
  start: boolean;
  final: boolean;
  current: boolean;
  visited: boolean;
  source: LegalSourceRef;
}

export interface IncidentDetail extends IncidentSummary {
  description: string;
  classification: {
    facts: string[];
    flags: string[];
    severity: string;
    severity_label: string;
    result: { tests?: { id: string; flag: string; label: string; met: boolean; conditions: { met: boolean; reason: string }[]; source: LegalSourceRef }[] };
  };
  process: {
    id: string;
    version: number;
    name: string;
    regime: string;
    phases: { id: number; name: string }[];
    steps: ProcessStepView[];
    events: { id: string; label: string; recorded_at: string | null }[];
  };
  next: {
    current: string;
    closed: boolean;
    hands_over_to: string;
    missing_outputs: string[];
    candidates: { step: string; name: string; allowed: boolean; reason: string }[];
  };
  deadlines: IncidentDeadline[];
  steps: { seq: number; step: string; entered_at: string; entered_by: string; outputs: { id: string; at: string; text: string; by: string }[] }[];
  timeline: { id: Id; at: string; kind: string; actor: string; text: string; data: Record<string, unknown> }[];
  tasks: IncidentTask[];
  parties: { id: Id; party: string; contact: string; notified_at: string; channel: string; reference: string; recorded_by: string }[];
  observables: { type: string; value: string; added_at: string; added_by: string; other_incidents: number }[];
  alerts: { alert_id: Id; title: string; state: AlertState; linked_at: string; linked_by: string }[];
  breaches: { id: Id; deadline: string; label: string; due_at: string; recorded_at: string; escalated_to: string }[];
}

export interface IncidentTask {
  id: Id;
  title: string;
  assignee_id: Id | null;
  assignee: string;
  due_at: string | null;
  overdue: boolean;
  done: boolean;
  done_at: string | null;
  created_by: string;
  created_at: string;
}

export interface IncidentProcesses {
  processes: { id: string; version: number; name: string; regime: string; default_for_regime: boolean; latest: boolean }[];
  facts: { id: string; label: string; internal: boolean }[];
  parties: string[];
  channels: string[];
}

export interface IncidentCreateBody {
  title: string;
  org_id?: Id;
  system_id?: Id;
  detected_at?: string;
  regime?: string;
  process?: string;
  description?: string;
  facts?: string[];
  alert_ids?: Id[];
}

export const incidentsApi = {
  processes: () => request<IncidentProcesses>('GET', '/incident-processes'),
  list: (filter: { status?: string; org_id?: Id; q?: string }, cursor?: string, limit = 50) =>
    request<{ items: IncidentSummary[]; has_more: boolean; next_cursor: string | null }>('GET', '/incidents', {
      query: { ...filter, cursor, limit },
    }),
  get: (id: Id) => request<IncidentDetail>('GET', `/incidents/${enc(id)}`),
  create: (body: IncidentCreateBody) => request<IncidentDetail>('POST', '/incidents', { body }),
  transition: (id: Id, body: { revision: number; to: string; outputs?: { id: string; text: string }[]; note?: string }) =>
    request<IncidentDetail>('POST', `/incidents/${enc(id)}/transition`, { body }),
  outputs: (id: Id, body: { revision: number; outputs: { id: string; text: string }[] }) =>
    request<IncidentDetail>('POST', `/incidents/${enc(id)}/outputs`, { body }),
  event: (id: Id, body: { revision: number; event: string }) => request<IncidentDetail>('POST', `/incidents/${enc(id)}/events`, { body }),
  update: (id: Id, body: { revision: number; facts?: string[]; detected_at?: string; reason?: string }) =>
    request<IncidentDetail>('PATCH', `/incidents/${enc(id)}`, { body }),
  note: (id: Id, text: string) => request<IncidentDetail>('POST', `/incidents/${enc(id)}/notes`, { body: { body: text } }),
  linkAlerts: (id: Id, alertIds: Id[]) => request<IncidentDetail>('POST', `/incidents/${enc(id)}/alerts`, { body: { alert_ids: alertIds } }),
  addTask: (id: Id, body: { title: string; due_at?: string }) => request<IncidentTask>('POST', `/incidents/${enc(id)}/tasks`, { body }),
  updateTask: (id: Id, task: Id, body: { done?: boolean; title?: string }) =>
    request<IncidentTask>('PATCH', `/incidents/${enc(id)}/tasks/${enc(task)}`, { body }),
  deleteTask: (id: Id, task: Id) => request<void>('DELETE', `/incidents/${enc(id)}/tasks/${enc(task)}`),
  addParty: (id: Id, body: { party: string; contact: string; channel: string; reference?: string }) =>
    request<unknown>('POST', `/incidents/${enc(id)}/parties`, { body }),
  addObservables: (id: Id, observables: { type: string; value: string }[]) =>
    request<unknown>('POST', `/incidents/${enc(id)}/observables`, { body: { observables } }),
};

// --- Official incident reports (issue 4; docs/api.md "Official incident reports") -------------

export const REPORT_CHANNELS = ['letter', 'email', 'fax', 'software', 'in_person', 'phone'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

/** A form the incident's process names, prefilled from the incident. */
export interface IncidentReportForm extends PrefilledForm {
  legal_source: string;
  layout: 'legal_text' | 'reconstructed';
  note: string;
  step: string;
  step_name: string;
  output: string;
  output_label: string;
  /** The incident's current step asks for this form: sending it records that step's output. */
  current_step: boolean;
}

/** A row of the submission register (append-only: sent and acknowledged once). */
export interface IncidentReport {
  id: Id;
  incident_id: Id;
  form: string;
  title: string;
  legal_source: string;
  layout: 'legal_text' | 'reconstructed';
  sha256: string;
  size: number;
  file_name: string;
  data: FormData;
  rendered_at: string;
  rendered_by: string;
  sent: { recipient: string; channel: ReportChannel; at: string; by: string } | null;
  ack: { at: string; note: string; by: string } | null;
  download: string;
  recorded_output?: string | null;
}

export const incidentReportsApi = {
  forms: (id: Id) => request<List<IncidentReportForm>>('GET', `/incidents/${enc(id)}/report-forms`),
  list: (id: Id) => request<List<IncidentReport>>('GET', `/incidents/${enc(id)}/reports`),
  render: (id: Id, form: string, data: FormData) => request<IncidentReport>('POST', `/incidents/${enc(id)}/reports`, { body: { form, data } }),
  sent: (id: Id, report: Id, body: { recipient: string; channel: ReportChannel; sent_at?: string; revision?: number }) =>
    request<IncidentReport>('POST', `/incidents/${enc(id)}/reports/${enc(report)}/sent`, { body }),
  ack: (id: Id, report: Id, body: { ack_at?: string; note: string }) =>
    request<IncidentReport>('POST', `/incidents/${enc(id)}/reports/${enc(report)}/ack`, { body }),
  /** Same-origin link to the registered DOCX (the session cookie authenticates a GET). */
  fileUrl: (r: IncidentReport) => API_BASE + r.download.replace(/^\/api\/v1/, ''),
};

// --- Notifications (issue 4; docs/api.md "Notifications") -------------------------------------

export type ChannelKind = 'email' | 'webhook' | 'telegram';
export const CHANNEL_KINDS: ChannelKind[] = ['email', 'webhook', 'telegram'];
export type NoticeKind = 'alert_new' | 'deadline_warning' | 'deadline_breach' | 'incident_created';
export const NOTICE_KINDS: NoticeKind[] = ['alert_new', 'deadline_warning', 'deadline_breach', 'incident_created'];
export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface NotifyChannel {
  id: Id;
  org_id: Id;
  org_name: string;
  name: string;
  kind: ChannelKind;
  target: string;
  email_from: string;
  username: string;
  has_secret: boolean; // the secret itself is never returned
  enabled: boolean;
  created_at: string | null;
  updated_at: string | null;
}

export interface ChannelBody {
  org_id?: Id;
  name?: string;
  kind?: ChannelKind;
  target?: string;
  email_from?: string;
  username?: string;
  secret?: string;
  enabled?: boolean;
}

export interface NotifySubscription {
  id: Id;
  org_id: Id;
  org_name: string;
  channel_id: Id;
  channel_name: string;
  channel_kind: ChannelKind;
  kind: NoticeKind;
  min_severity: AlertSeverity;
  role: Role | null;
  recipients: string[];
  enabled: boolean;
}

export interface SubscriptionBody {
  org_id?: Id;
  channel_id?: Id;
  kind?: NoticeKind;
  min_severity?: AlertSeverity;
  role?: Role | '';
  recipients?: string[];
  enabled?: boolean;
}

export interface NotifyDelivery {
  id: Id;
  notice_id: Id;
  org_id: Id;
  org_name: string;
  kind: NoticeKind;
  severity: AlertSeverity;
  subject: string;
  channel_id: Id | null;
  channel_name: string;
  channel_kind: ChannelKind;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string;
  created_at: string | null;
  sent_at: string | null;
}

export const notifyApi = {
  channels: () => request<{ items: NotifyChannel[] }>('GET', '/notify/channels'),
  createChannel: (body: ChannelBody) => request<NotifyChannel>('POST', '/notify/channels', { body }),
  updateChannel: (id: Id, body: ChannelBody) => request<NotifyChannel>('PATCH', `/notify/channels/${enc(id)}`, { body }),
  deleteChannel: (id: Id) => request<void>('DELETE', `/notify/channels/${enc(id)}`),
  testChannel: (id: Id, recipient?: string) =>
    request<{ delivered: boolean; error: string | null }>('POST', `/notify/channels/${enc(id)}/test`, { body: recipient ? { recipient } : {} }),
  subscriptions: () => request<{ items: NotifySubscription[] }>('GET', '/notify/subscriptions'),
  createSubscription: (body: SubscriptionBody) => request<NotifySubscription>('POST', '/notify/subscriptions', { body }),
  updateSubscription: (id: Id, body: SubscriptionBody) =>
    request<NotifySubscription>('PATCH', `/notify/subscriptions/${enc(id)}`, { body }),
  deleteSubscription: (id: Id) => request<void>('DELETE', `/notify/subscriptions/${enc(id)}`),
  deliveries: (query: { status?: DeliveryStatus; before?: Id; limit?: number }) =>
    request<{ items: NotifyDelivery[]; next_before: Id | null }>('GET', '/notify/deliveries', { query }),
};

// --- Detection rules (issue 6; routes_rules.cpp) ---------------------------------------------------

export type RuleSource = 'directory' | 'database';
export const RULE_LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;

export interface RuleProblem {
  origin: string;
  where: string;
  line: number;
  reason: string;
  previous_version_runs: boolean;
}

export interface DetectionRule {
  id: string;
  title: string;
  level: string;
  status: string;
  tags: string[];
  source: RuleSource;
  origin: string;
  owner_org_id: Id;
  enabled: boolean;
  loaded: boolean;
  version: number;
  description: string;
  logsource: { product: string; category: string; service: string };
  updated_by: string;
  updated_at: string | null;
  problem: RuleProblem | null;
}

export interface RuleAgencySetting {
  org_id: Id;
  org_name: string;
  enabled: boolean;
  updated_by: string;
  updated_at: string | null;
}

export interface DetectionRuleDetail extends DetectionRule {
  yaml: string;
  agencies: RuleAgencySetting[];
}

export interface RuleFilter {
  q?: string;
  level?: string;
  tag?: string;
  status?: string;
  source?: RuleSource;
  enabled?: 'true' | 'false';
}

export interface RuleReloadStatus {
  version: number;
  rules: number;
  problems: RuleProblem[];
  problems_of_other_agencies: number;
  dirs: string[];
  last_reload_at: string | null;
  last_reason: string;
  last_error: string;
  last_error_at: string | null;
  reloads: number;
  failed_reloads: number;
  last_compile_seconds: number;
}

export const rulesApi = {
  list: (filter: RuleFilter, offset = 0, limit = 100) =>
    request<{ items: DetectionRule[]; total: number; by_level: Record<string, number>; version: number }>('GET', '/rules', {
      query: { ...filter, offset, limit },
    }),
  status: () => request<RuleReloadStatus>('GET', '/rules/status'),
  get: (id: string) => request<DetectionRuleDetail>('GET', `/rules/${encodeURIComponent(id)}`),
  validate: (yaml: string) => request<{ ok: boolean; id: string; title: string; level: string }>('POST', '/rules/validate', { body: { yaml } }),
  create: (yaml: string, org_id?: Id) => request<{ id: string; version: number }>('POST', '/rules', { body: { yaml, org_id } }),
  update: (id: string, yaml: string, version?: number) =>
    request<{ id: string; version: number }>('PUT', `/rules/${encodeURIComponent(id)}`, { body: { yaml, version } }),
  setEnabled: (id: string, enabled: boolean) => request<void>('PATCH', `/rules/${encodeURIComponent(id)}`, { body: { enabled } }),
  setAgency: (id: string, org: Id, state: 'on' | 'off' | 'inherit') =>
    request<void>('PUT', `/rules/${encodeURIComponent(id)}/agencies/${enc(org)}`, { body: { state } }),
  remove: (id: string) => request<void>('DELETE', `/rules/${encodeURIComponent(id)}`),
};

// --- Retro-hunts (issue 6; routes_hunts.cpp) --------------------------------------------------------

export interface HuntStatus {
  id: Id;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  label: string;
  query: string;
  started_by: string;
  from: string;
  to: string;
  raise_alerts: boolean;
  scanned: number;
  matched: number;
  alerts_raised: number;
  progress: number;
  truncated: string;
  results_truncated: boolean;
  started_at: string;
  finished_at: string | null;
  error: string;
}

export interface HuntResult {
  time: string;
  org_id: Id;
  source_id: Id;
  host: string;
  rule_id: string;
  rule_title: string;
  level: string;
  event: unknown;
}

export interface HuntStartBody {
  rule_id?: string;
  rule_yaml?: string;
  query?: string;
  from: string;
  to: string;
  org_id?: Id;
  raise_alerts?: boolean;
}

export const huntsApi = {
  start: (body: HuntStartBody) => request<HuntStatus>('POST', '/hunts', { body }),
  list: () => request<{ items: HuntStatus[] }>('GET', '/hunts'),
  get: (id: Id) => request<HuntStatus>('GET', `/hunts/${enc(id)}`),
  results: (id: Id, offset = 0, limit = 100) =>
    request<{ items: HuntResult[]; total: number; offset: number }>('GET', `/hunts/${enc(id)}/results`, { query: { offset, limit } }),
  cancel: (id: Id) => request<HuntStatus>('POST', `/hunts/${enc(id)}/cancel`),
};

// --- Incident evidence, STIX/MISP export and response plans (docs/api.md, "Incident evidence and
// response plans"). File downloads (an item's file, STIX, MISP) are plain GET links to these paths.

export interface CustodyEntry {
  id: Id;
  action: 'collected' | 'transferred' | 'handed_over' | 'exported';
  at: string;
  by: string;
  to: string;
  reason: string;
  recorded_by: string;
  recorded_at: string;
}

export interface EvidenceItem {
  id: Id;
  incident_id: Id;
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  description: string;
  collected_by: string;
  collected_at: string;
  recorded_by: string;
  recorded_at: string;
  custody: CustodyEntry[];
}

export interface EvidenceVerification {
  id: Id;
  intact: boolean;
  recorded_sha256: string;
  actual_sha256: string;
  detail: string;
  checked_at: string;
}

export interface ResponsePlanTask {
  id: string;
  title: string;
  description: string;
  priority: 'critical' | 'high' | 'medium' | 'low';
  lead: string;
  due: { unit: string; amount: number };
}

export interface ResponsePlan {
  id: string;
  version: number;
  title: string;
  name: string;
  summary: string;
  processes: string[];
  tasks: ResponsePlanTask[];
}

export interface AppliedPlanTask {
  task_id: string;
  incident_task_id: Id;
  title: string;
  due_at: string | null;
  due_date: string;
  priority: string;
  lead: string;
}

export interface AppliedPlan {
  plan_id: string;
  plan_version: number;
  applied_by: string;
  applied_at: string;
  tasks: AppliedPlanTask[];
}

export interface SystemPlan {
  plan_id: string;
  name: string | null;
  attached_by: string;
  attached_at: string;
}

const evidencePath = (incident: Id) => `/incidents/${enc(incident)}/evidence`;

export const evidenceApi = {
  list: (incident: Id) => request<{ items: EvidenceItem[]; max_file_bytes: number }>('GET', evidencePath(incident)),
  upload: (incident: Id, file: File, meta: { description?: string; reason?: string }) =>
    uploadFile<EvidenceItem>(evidencePath(incident), { name: file.name, description: meta.description, reason: meta.reason }, file),
  addCustody: (incident: Id, item: Id, body: { action: 'transferred' | 'handed_over'; to: string; reason: string; by?: string }) =>
    request<CustodyEntry>('POST', `${evidencePath(incident)}/${enc(item)}/custody`, { body }),
  verify: (incident: Id, item: Id) => request<EvidenceVerification>('GET', `${evidencePath(incident)}/${enc(item)}/verify`),
  fileUrl: (incident: Id, item: Id) => `${API_BASE}${evidencePath(incident)}/${enc(item)}/file`,
  bundle: (incident: Id, body: { to: string; reason: string }) => postForFile(`${evidencePath(incident)}/bundle`, body),
  exportUrl: (incident: Id, format: 'stix' | 'misp', tlp: string) =>
    `${API_BASE}/incidents/${enc(incident)}/export/${format}${queryString({ tlp })}`,
  plans: () => request<{ items: ResponsePlan[] }>('GET', '/response-plans'),
  incidentPlans: (incident: Id) =>
    request<{ applied: AppliedPlan[]; system_plans: string[] }>('GET', `/incidents/${enc(incident)}/plans`),
  applyPlan: (incident: Id, plan_id: string) => request<AppliedPlan>('POST', `/incidents/${enc(incident)}/plans`, { body: { plan_id } }),
  systemPlans: (system: Id) => request<{ items: SystemPlan[] }>('GET', `/systems/${enc(system)}/plans`),
  attachPlan: (system: Id, plan_id: string) => request<SystemPlan>('POST', `/systems/${enc(system)}/plans`, { body: { plan_id } }),
  detachPlan: (system: Id, plan_id: string) => request<void>('DELETE', `/systems/${enc(system)}/plans/${encodeURIComponent(plan_id)}`),
};

// --- Incident hand-over between processes (issue 4): POST /incidents/{id}/handover ---------------
export interface IncidentHandoverLink {
  incident_id: Id;
  process: string; // "<process id>@v<version>"
}
export interface IncidentHandover {
  from: IncidentHandoverLink | null;
  to: IncidentHandoverLink | null;
  targets: { process: string; version: number; name: string; rule: 'hands_over_to' | 'serious_escalation' }[];
}
export const incidentHandoverApi = {
  /** Ends the incident under its process and answers the successor (201). */
  handover: (id: Id, body: { revision: number; to_process: string; reason: string }) =>
    request<IncidentDetail & { handover: IncidentHandover }>('POST', `/incidents/${enc(id)}/handover`, { body }),
};

// --- Web portals (issue 7; docs/api.md "Web portals") -------------------------------------------

export type WebSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type CheckClass = 'availability' | 'content' | 'tls' | 'headers' | 'exposure';

export interface Portal {
  id: Id;
  org_id: Id;
  org_name: string;
  system_id: Id | null;
  system_name: string | null;
  name: string;
  url: string;
  key_pages: string[];
  allowed_domains: string[];
  marker: string;
  maintenance: { from: string; to: string; note: string }[];
  allow_private: boolean;
  enabled: boolean;
  interval_availability: number;
  interval_content: number;
  interval_tls: number;
  interval_headers: number;
  interval_exposure: number;
  revision: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  last_run_at: string | null;
  facts: Record<string, string>;
  open_findings: { low: number; medium: number; high: number; critical: number; total: number };
}

export interface PortalRun {
  id: Id;
  check_class: CheckClass;
  started_at: string;
  finished_at: string;
  attempts: number;
  in_maintenance: boolean;
  findings: number;
  problems: number;
  opened: number;
  resolved: number;
}

export interface PortalFinding {
  id: Id;
  portal_id: Id;
  portal_name: string;
  check_class: CheckClass;
  check: string;
  finding_id: string;
  url: string;
  severity: WebSeverity;
  summary: string;
  evidence: Record<string, string>;
  first_seen: string;
  opened_at: string;
  last_seen: string;
  status: 'open' | 'resolved';
  resolved_at: string | null;
  reinfections: number;
  alert_key: string | null;
}

export interface PortalEvidence {
  id: Id;
  run_id: Id | null;
  finding_id: Id | null;
  name: string;
  media_type: string;
  sha256: string;
  size: number;
  stored_size: number;
  created_at: string;
}

export interface PortalBody {
  org_id?: Id;
  system_id?: Id | null;
  name: string;
  url: string;
  key_pages?: string[];
  allowed_domains?: string[];
  marker?: string;
  allow_private?: boolean;
  enabled?: boolean;
  revision?: number;
}

export type PortalDetail = Portal & { recent_runs: PortalRun[]; open_findings_list: PortalFinding[] };

export const portalsApi = {
  list: (query: { org_id?: Id; q?: string; open?: boolean; enabled?: boolean; limit?: number }) =>
    request<{ items: Portal[]; total: number }>('GET', '/portals', { query: { ...query } }),
  get: (id: Id) => request<PortalDetail>('GET', `/portals/${enc(id)}`),
  create: (body: PortalBody) => request<Portal>('POST', '/portals', { body }),
  update: (id: Id, body: PortalBody) => request<Portal>('PUT', `/portals/${enc(id)}`, { body }),
  remove: (id: Id) => request<void>('DELETE', `/portals/${enc(id)}`),
  importCsv: (csv: string) => request<{ imported: number; ids: Id[] }>('POST', '/portals/import', { body: { csv } }),
  importXlsx: (file: Blob) => uploadFile<{ imported: number; ids: Id[] }>('/portals/import.xlsx', {}, file),
  runs: (id: Id) => request<{ items: PortalRun[] }>('GET', `/portals/${enc(id)}/runs`),
  findings: (id: Id, status?: 'open' | 'resolved') =>
    request<{ items: PortalFinding[]; total: number }>('GET', `/portals/${enc(id)}/findings`, { query: { status } }),
  evidence: (id: Id) => request<{ items: PortalEvidence[] }>('GET', `/portals/${enc(id)}/evidence`),
  evidenceUrl: (evidenceId: Id) => `${API_BASE}/portal-evidence/${enc(evidenceId)}/content`,
  reportUrl: (orgId?: Id) => `${API_BASE}/portals/report.xlsx${orgId ? `?org_id=${enc(orgId)}` : ''}`,
  reportDocxUrl: (orgId?: Id) => `${API_BASE}/portals/report.docx${orgId ? `?org_id=${enc(orgId)}` : ''}`,
};
