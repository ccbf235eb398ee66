// Checks the i18n catalogs: vi.json and en.json have the same keys (plural forms aside), and every
// literal key used in src/ as t('a.b') exists in both. Run by `npm run build` and `npm run check-i18n`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (lng) => JSON.parse(readFileSync(join(root, 'src/i18n', `${lng}.json`), 'utf8'));
const PLURAL = /_(zero|one|two|few|many|other)$/;

function keys(obj, prefix = '', out = new Set()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') keys(v, key, out);
    else out.add(key.replace(PLURAL, ''));
  }
  return out;
}

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

const vi = keys(load('vi'));
const en = keys(load('en'));
const problems = [];
for (const k of vi) if (!en.has(k)) problems.push(`missing in en.json: ${k}`);
for (const k of en) if (!vi.has(k)) problems.push(`missing in vi.json: ${k}`);

const used = new Set();
for (const file of sources(join(root, 'src'))) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/\bt\(\s*'([a-z_]+(?:\.[a-z0-9_]+)+)'/g)) used.add(m[1]);
}
// Keys built at run time from API values.
const dynamic = [
  ...['province', 'department', 'district', 'commune', 'unit', 'other'].map((k) => `kinds.${k}`),
  ...['administrator', 'soc_analyst', 'unit_officer', 'leader', 'auditor'].map((r) => `roles.${r}`),
  ...['monitoring', 'alerts', 'incidents', 'systems', 'reports'].map((m) => `nav.${m}`),
  ...['vi', 'en'].map((l) => `common.language_${l}`),
  // Every error code of docs/api.md, plus the client's own.
  ...[
    'bad_request', 'invalid_json', 'validation_failed', 'unauthenticated', 'forbidden', 'not_found',
    'method_not_allowed', 'conflict', 'csrf_failed', 'payload_too_large', 'unsupported_media_type',
    'too_many_requests', 'account_locked', 'mfa_enrollment_required', 'password_change_required',
    'unavailable', 'internal', 'network_error', 'bad_response',
  ].map((c) => `errors.${c}`),
  ...[
    'password_min_length_with_mfa', 'password_min_length_without_mfa', 'inactive_days',
    'session_idle_minutes', 'session_absolute_hours', 'lockout_threshold', 'lockout_minutes',
  ].map((f) => `settings.${f}`),
];
for (const k of dynamic) used.add(k);
for (const k of used) if (!vi.has(k) || !en.has(k)) problems.push(`used but not in catalogs: ${k}`);

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`i18n: ${vi.size} keys in vi and en, ${used.size} literal keys used, all present`);
