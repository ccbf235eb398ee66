// Browser test of the web-portal pages (issue 7): on "Cổng thông tin" a portal on a loopback
// address is refused (the SSRF guard) and a public one is added; a CSV import with a bad row is
// refused with its row and column and nothing imported, the fixed file imports both rows; the
// portal's page opens, its monitoring is paused and it is deleted. Same setup as ui.test.mjs: a real `vigil serve` on a fresh data directory,
// headless Chromium through playwright-core. Run: node --test web/e2e/portals.test.mjs
// (Findings of recorded runs are covered by tests/api/portals_api_test.cpp: no scheduler runs in
// this server yet.)
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
const ADMIN_PASSWORD = 'Quản-trị-cổng-thông-tin-2026';

let server;
let context;
let page;
let userDataDir;
let failed = false;

function step(name, fn) {
  it(name, { timeout: 120_000 }, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      if (page) await page.screenshot({ path: join(SHOTS, `FAILED-portals-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
      throw e;
    }
  });
}

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

describe('vigil web portals UI', { timeout: 600_000 }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer({ adminPassword: ADMIN_PASSWORD });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${server.baseUrl}/readyz`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    userDataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-portals-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1440, height: 900 },
      timezoneId: 'Europe/Paris',
      locale: 'en-US',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (failed && server) console.log(`--- vigil server log ---\n${server.log().slice(-8000)}`);
    await server?.stop();
  });

  step('admin signs in, enrols MFA and names the province', async () => {
    await page.goto(`${server.baseUrl}/`);
    await byTestId('login-page').waitFor();
    await byTestId('login-username').fill('admin');
    await byTestId('login-password').fill(ADMIN_PASSWORD);
    await byTestId('login-submit').click();
    await byTestId('forced-mfa-page').waitFor();
    const secret = (await byTestId('mfa-secret').innerText()).trim();
    const { code } = await freshCode(secret, -1);
    await byTestId('mfa-code').fill(code);
    await byTestId('mfa-confirm').click();
    await byTestId('setup-page').waitFor();
    await byTestId('setup-province').fill('Tỉnh Thử Nghiệm');
    await byTestId('setup-submit').click();
    await byTestId('orgs-page').waitFor();
  });

  step('a loopback portal is refused; a public one is added', async () => {
    await byTestId('nav-portals').click();
    await byTestId('portals-page').waitFor();
    assert.match(await page.locator('h1').innerText(), /Cổng\/trang thông tin điện tử/);
    await byTestId('portals-add').click();
    await byTestId('portal-dialog').waitFor();
    await byTestId('portal-org').selectOption({ index: 1 });
    await byTestId('portal-name').fill('Cổng TTĐT tỉnh');
    await byTestId('portal-url').fill('http://127.0.0.1/');
    await byTestId('portal-save').click();
    const err = page.locator('[data-testid="portal-dialog"] [data-testid="error"]');
    await err.waitFor();
    assert.match(await err.innerText(), /127\.0\.0\.1/);
    await byTestId('portal-url').fill('https://thunghiem.gov.vn/');
    await byTestId('portal-domains').fill('gov.vn\nthunghiem.gov.vn');
    await byTestId('portal-save').click();
    await byTestId('portals-notice').waitFor();
    await page.locator('[data-testid="portal-row"][data-name="Cổng TTĐT tỉnh"]').waitFor();
    await page.screenshot({ path: join(SHOTS, 'portals-01-list.png'), fullPage: true });
  });

  step('a CSV with a bad row is refused with its row; the fixed file imports every row', async () => {
    await byTestId('portals-import').click();
    await byTestId('portal-import-dialog').waitFor();
    const bad = 'org_id,name,url\n1,Cổng Sở A,https://soa.thunghiem.gov.vn/\n1,Cổng Sở B,http://10.0.0.8/\n';
    await byTestId('portal-import-csv').fill(bad);
    await byTestId('portal-import-save').click();
    const errors = byTestId('portal-import-errors');
    await errors.waitFor();
    assert.match(await errors.innerText(), /Dòng 3, cột url/);
    await byTestId('portal-import-csv').fill(bad.replace('http://10.0.0.8/', 'https://sob.thunghiem.gov.vn/'));
    await byTestId('portal-import-save').click();
    // The notice of the previous step is still shown: wait for this one's text, then the rows.
    await page.waitForFunction(() => /Đã nhập 2 cổng/.test(document.querySelector('[data-testid="portals-notice"]')?.textContent ?? ''));
    await page.locator('[data-testid="portal-row"][data-name="Cổng Sở B"]').waitFor();
    assert.equal(await byTestId('portal-row').count(), 3);
  });

  step("the portal's page opens with no findings yet", async () => {
    await page.locator('[data-testid="portal-row"][data-name="Cổng Sở A"] [data-testid="portal-link"]').click();
    await byTestId('portal-detail').waitFor();
    assert.equal((await byTestId('portal-open-total').innerText()).trim(), '0');
    assert.match(await byTestId('portal-tls-grade').innerText(), /chưa đo/);
    await page.screenshot({ path: join(SHOTS, 'portals-02-detail.png'), fullPage: true });
  });

  step('monitoring is paused, then the portal is deleted', async () => {
    await byTestId('portal-toggle').click();
    await byTestId('portal-notice').waitFor();
    // The page reloads the portal after the change: the button then offers to resume.
    await page.waitForFunction(() => /Tiếp tục giám sát/.test(document.querySelector('[data-testid="portal-toggle"]')?.textContent ?? ''));
    const stored = await page.evaluate(async () => {
      const list = await fetch('/api/v1/portals?q=S%E1%BB%9F%20A', { credentials: 'same-origin' }).then((r) => r.json());
      return list.items.map((p) => p.enabled);
    });
    assert.deepEqual(stored, [false]);
    await byTestId('portal-delete').click();
    await byTestId('portal-delete-dialog').waitFor();
    await byTestId('portal-delete-confirm').click();
    await byTestId('portals-page').waitFor();
    await page.locator('[data-testid="portal-row"][data-name="Cổng Sở B"]').waitFor();
    assert.equal(await byTestId('portal-row').count(), 2);
    assert.equal(await page.locator('[data-testid="portal-row"][data-name="Cổng Sở A"]').count(), 0);
  });
});
