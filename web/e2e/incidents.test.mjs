// Browser test of incidents (issue 4) against a real vigil server (see README.md in this folder):
// an alert with an IP observable is promoted to an incident from the alert dialog ("Tạo sự cố"),
// the incident page shows the process with its current step and the legal deadlines; a second
// alert is attached to it ("Gắn vào sự cố"); a move without the step's required outputs is
// refused with the server's reason; then the officer walks the process (Circular 20/2017 Art. 11)
// to its final step, recording each step's outputs (at the review: the lessons learned and the
// Form 04 reference, which close the incident), with a task, a party notified and a note, and the
// incident shows as closed in the list.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, startServer } from './lib/server.mjs';
import { freshCode } from './lib/totp.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = join(REPO, 'build/e2e-screenshots');
const ADMIN_PASSWORD = 'Quản-trị-sự-cố-2026';
const AGENCY = 'Sở Y tế';
const ALERT = 'Dò mật khẩu SSH vào máy chủ cổng thông tin';
const SECOND_ALERT = 'Đăng nhập bất thường từ cùng địa chỉ';

let server;
let context;
let page;
let userDataDir;
let failed = false;
const pageErrors = [];

function step(name, fn) {
  it(name, { timeout: 180_000 }, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      if (page) await page.screenshot({ path: join(SHOTS, `FAILED-incidents-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
      throw e;
    }
  });
}

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** The API as the signed-in browser (same cookies, the session's CSRF token). */
async function api(method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await (await fetch('/api/v1/me', { credentials: 'same-origin' })).json();
      const r = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: r.status === 204 ? null : await r.json() };
    },
    { method, path, body },
  );
}

/** The step to take from `from` on a shortest path to a final step of the process. */
function towardsFinal(process, from) {
  const steps = new Map(process.steps.map((s) => [s.id, s]));
  const queue = [[from, null]];
  const seen = new Set([from]);
  while (queue.length) {
    const [id, first] = queue.shift();
    const s = steps.get(id);
    if (s.final && first) return first;
    for (const n of s.next) {
      if (seen.has(n)) continue;
      seen.add(n);
      queue.push([n, first ?? n]);
    }
  }
  throw new Error(`no final step reachable from ${from}`);
}

describe('incidents in the web UI', { timeout: 900_000 }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer({ adminPassword: ADMIN_PASSWORD });
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${server.baseUrl}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    userDataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      viewport: { width: 1440, height: 900 },
      timezoneId: 'Europe/Paris',
      locale: 'en-US',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(`${e}\n${e.stack ?? ''}`));
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (failed && pageErrors.length) console.log(`--- page errors ---\n${pageErrors.join('\n')}`);
    if (failed && server) console.log(`--- vigil server log ---\n${server.log().slice(-8000)}`);
    await server?.stop();
  });

  let agencyId;
  let incidentId;

  step('the administrator signs in, enrols MFA and names the province', async () => {
    await page.goto(`${server.baseUrl}/`);
    await byTestId('login-username').fill('admin');
    await byTestId('login-password').fill(ADMIN_PASSWORD);
    await byTestId('login-submit').click();
    await byTestId('forced-mfa-page').waitFor();
    const secret = (await byTestId('mfa-secret').innerText()).trim();
    const { code } = await freshCode(secret, -1);
    await byTestId('mfa-code').fill(code);
    await byTestId('mfa-confirm').click();
    await byTestId('setup-page').waitFor();
    await byTestId('setup-province').fill('Tỉnh Khánh Hòa');
    await byTestId('setup-submit').click();
    await byTestId('orgs-page').waitFor();
  });

  step('an agency with two alerts naming the same IP', async () => {
    const me = await api('GET', '/api/v1/me');
    const root = me.body.roles[0].org_id;
    const org = await api('POST', '/api/v1/orgs', { parent_id: root, name: AGENCY, kind: 'department' });
    assert.equal(org.status, 201, JSON.stringify(org.body));
    agencyId = org.body.id;
    for (const title of [ALERT, SECOND_ALERT]) {
      const a = await api('POST', '/api/v1/alerts', {
        org_id: agencyId,
        title,
        severity: 'high',
        observables: [{ type: 'ip', value: '203.0.113.45' }],
      });
      assert.equal(a.status, 201, JSON.stringify(a.body));
    }
  });

  step('"Tạo sự cố" in the alert dialog opens the new incident at its first step with its deadlines', async () => {
    await page.goto(`${server.baseUrl}/alerts`);
    await byTestId('alerts-page').waitFor();
    await page.locator('[data-testid="alert-row"]', { hasText: ALERT }).locator('[data-testid="alert-open"]').click();
    await byTestId('alert-dialog').waitFor();
    await byTestId('alert-incident-actions').waitFor();
    await byTestId('alert-incident-process').selectOption('A-TT20');
    await byTestId('alert-create-incident').click();
    await byTestId('incident-page').waitFor();
    incidentId = Number(page.url().split('/').pop());
    assert.ok(incidentId > 0, page.url());
    assert.match(await byTestId('incident-current-step').innerText(), /Tiếp nhận, xác minh sự cố/);
    assert.match(await byTestId('incident-deadlines').innerText(), /Hạn|%/);
    assert.match(await byTestId('incident-observables').innerText(), /203\.0\.113\.45/);
    assert.match(await byTestId('incident-alerts').innerText(), new RegExp(ALERT));
    await page.screenshot({ path: join(SHOTS, 'incident-01-created.png'), fullPage: true });
  });

  step('"Gắn vào sự cố" attaches the second alert; the alert then points to its incident', async () => {
    await page.goto(`${server.baseUrl}/alerts`);
    await page.locator('[data-testid="alert-row"]', { hasText: SECOND_ALERT }).locator('[data-testid="alert-open"]').click();
    await byTestId('alert-incident-target').waitFor();
    await byTestId('alert-incident-target').selectOption(String(incidentId));
    await byTestId('alert-attach-incident').click();
    await byTestId('incident-page').waitFor();
    assert.match(await byTestId('incident-alerts').innerText(), new RegExp(SECOND_ALERT));
    const alerts = await api('GET', `/api/v1/alerts?q=${encodeURIComponent('bất thường')}`);
    assert.equal(alerts.body.items[0].state, 'in_progress');
  });

  step('a move without the required outputs is refused with the reason', async () => {
    const inc = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
    const to = inc.next.candidates[0].step;
    await byTestId(`incident-to-${to}`).click();
    await byTestId('error').waitFor();
    assert.match(await byTestId('error').innerText(), /incident_record|Ghi nhận sự cố/);
    assert.match(await byTestId('incident-current-step').innerText(), /Tiếp nhận, xác minh sự cố/);
  });

  step('task, party notified and note', async () => {
    await byTestId('incident-task').fill('Cô lập máy chủ cổng thông tin');
    await byTestId('incident-task').press('Enter');
    await page.locator('[data-testid="incident-tasks"] li', { hasText: 'Cô lập máy chủ' }).waitFor();
    await byTestId('incident-party-kind').selectOption('police');
    await byTestId('incident-party-contact').fill('Phòng PA05 Công an tỉnh');
    await byTestId('incident-party-add').click();
    await page.locator('[data-testid="incident-parties"] li', { hasText: 'PA05' }).waitFor();
    await byTestId('incident-note').fill('Đã đổi mật khẩu quản trị.');
    await byTestId('incident-note-submit').click();
    await page.locator('[data-testid="incident-timeline"] li', { hasText: 'Đã đổi mật khẩu quản trị.' }).waitFor();
  });

  step('classification facts recorded from the page re-run the Decision 05 test', async () => {
    const catalog = (await api('GET', '/api/v1/incident-processes')).body;
    const fact = catalog.facts.find((f) => !f.internal);
    await byTestId('incident-facts').locator('summary').click();
    await byTestId(`fact-${fact.id}`).check();
    await byTestId('incident-facts-save').click();
    await page.locator('[data-testid="incident-timeline"] li', { hasText: 'Phân loại' }).waitFor();
    const inc = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
    assert.deepEqual(inc.classification.facts, [fact.id]);
  });

  step('the officer walks the process to its final step, recording each step\'s outputs', async () => {
    for (let moves = 0; moves < 20; moves++) {
      const inc = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
      if (inc.closed) break;
      const current = inc.process.steps.find((s) => s.current);
      for (const o of current.outputs) {
        const input = byTestId(`output-${o.id}`);
        if (o.required && (await input.count())) await input.fill(`Đã thực hiện: ${o.label}`);
      }
      const before = inc.revision;
      // At the final step (the review) the incident closes once its outputs (Form 04) are recorded.
      if (current.final) await byTestId('incident-record').click();
      else await byTestId(`incident-to-${towardsFinal(inc.process, inc.current_step)}`).click();
      await page.waitForFunction(
        async ([id, rev]) => {
          const r = await fetch(`/api/v1/incidents/${id}`, { credentials: 'same-origin' });
          return (await r.json()).revision > rev;
        },
        [incidentId, before],
        { polling: 200 },
      );
      await byTestId('incident-page').waitFor();
    }
    const done = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
    assert.equal(done.closed, true, JSON.stringify(done.next));
    await page.reload();
    assert.match(await byTestId('incident-state').innerText(), /Đã kết thúc/);
    await page.screenshot({ path: join(SHOTS, 'incident-02-closed.png'), fullPage: true });
  });

  step('the list shows the incident closed; nothing was asked of another origin, no page error', async () => {
    await page.goto(`${server.baseUrl}/incidents`);
    await byTestId('incidents-status').selectOption('closed');
    await page.locator('[data-testid="incident-row"]', { hasText: ALERT }).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
