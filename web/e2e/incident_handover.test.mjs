// Browser test of "Chuyển quy trình" (issue 4, hand-over between processes) against a real vigil
// server (see README.md in this folder): a regime-A incident on a critical-list system, classified
// serious (Decision 05/2017 Art. 9), offers the serious-incident process on its page; the officer
// hands it over with a reason and lands on the new incident, which names the one it continues;
// the first incident is closed under Circular 20 and points to its successor. A reason is required.
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
const ADMIN_PASSWORD = 'Quản-trị-chuyển-quy-trình-2026';
const TITLE = 'Cổng dịch vụ công ngừng hoạt động do tấn công';

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
      if (page) await page.screenshot({ path: join(SHOTS, `FAILED-handover-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
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

describe('incident hand-over in the web UI', { timeout: 600_000 }, () => {
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
      locale: 'vi-VN',
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

  let firstId;
  let secondId;

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

  step('a serious Circular 20 incident on a critical-list system', async () => {
    const me = await api('GET', '/api/v1/me');
    const org = await api('POST', '/api/v1/orgs', { parent_id: me.body.roles[0].org_id, name: 'Sở Y tế', kind: 'department' });
    assert.equal(org.status, 201, JSON.stringify(org.body));
    const sys = await api('POST', '/api/v1/systems', {
      org_id: org.body.id,
      name: 'Cổng dịch vụ công y tế',
      regime_id: 'A_ND85_TT12',
      owner: 'UBND tỉnh',
      lead_operator: 'Sở Y tế',
      critical_list: true,
      facts: { system_type: 'citizen_facing', information_types: ['public'], online_public_service_level: 3 },
    });
    assert.equal(sys.status, 201, JSON.stringify(sys.body));
    const inc = await api('POST', '/api/v1/incidents', {
      org_id: org.body.id,
      system_id: sys.body.id,
      title: TITLE,
      process: 'A-TT20',
      facts: ['service_interruption', 'owner_cannot_handle'],
      detected_at: new Date(Date.now() - 3600_000).toISOString(),
    });
    assert.equal(inc.status, 201, JSON.stringify(inc.body));
    assert.ok(inc.body.classification.flags.includes('serious'), JSON.stringify(inc.body.classification));
    firstId = inc.body.id;
  });

  step('"Chuyển quy trình" needs a reason, then opens the new incident under the serious process', async () => {
    await page.goto(`${server.baseUrl}/incidents/${firstId}`);
    await byTestId('incident-handover').waitFor();
    assert.match(await byTestId('incident-handover').innerText(), /Chuyển quy trình/);
    assert.equal(await byTestId('incident-handover-target').inputValue(), 'A-QD05-serious');
    assert.equal(await byTestId('incident-handover-submit').isDisabled(), true, 'no reason, no hand-over');
    await byTestId('incident-handover-reason').fill('Sự cố nghiêm trọng theo Điều 9 Quyết định 05/2017/QĐ-TTg');
    await byTestId('incident-handover-submit').click();
    await page.waitForURL((u) => !u.pathname.endsWith(`/incidents/${firstId}`));
    await byTestId('incident-handover-from').waitFor();
    secondId = Number(page.url().split('/').pop());
    assert.ok(secondId > firstId, page.url());
    assert.match(await byTestId('incident-handover-from').innerText(), new RegExp(`A-TT20@v1[\\s\\S]*#${firstId}`));
    const second = (await api('GET', `/api/v1/incidents/${secondId}`)).body;
    assert.equal(second.process_id, 'A-QD05-serious');
    assert.match(await byTestId('incident-timeline').innerText(), /Chuyển quy trình/);
    await page.screenshot({ path: join(SHOTS, 'handover-01-successor.png'), fullPage: true });
  });

  step('the first incident is closed and points to the one continuing it; no page error', async () => {
    await byTestId('incident-handover-from').locator('a').click();
    await page.waitForURL((u) => u.pathname.endsWith(`/incidents/${firstId}`));
    await byTestId('incident-handover-to').waitFor();
    assert.match(await byTestId('incident-handover-to').innerText(), new RegExp(`A-QD05-serious@v1[\\s\\S]*#${secondId}`));
    assert.equal(await byTestId('incident-handover-submit').count(), 0);
    assert.match(await byTestId('incident-state').innerText(), /Đã kết thúc/);
    assert.deepEqual(pageErrors, []);
  });
});
