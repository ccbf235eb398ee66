// Browser test of live detection (issue 6): a detection rule uploaded on "Quy tắc phát hiện"
// (a broken version first: the refused line is shown), an event matching it sent to the HTTP
// ingest endpoint, its alert in the queue within seconds with the rule's ATT&CK tags, then the
// rule disabled from its dialog, and a retro-hunt with it over the stored events. Same setup as ui.test.mjs: a real `vigil serve` on a fresh data
// directory, headless Chromium through playwright-core. Run: node --test web/e2e/rules.test.mjs
import { before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { journey } from './lib/journey.mjs';

const ADMIN_PASSWORD = 'Quản-trị-quy-tắc-2026';
const RULE_ID = '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09';
const RULE_TITLE = 'Đăng nhập thất bại liên tiếp trên máy chủ cổng';
const RULE = `title: ${RULE_TITLE}
id: ${RULE_ID}
status: experimental
level: high
description: Thử nghiệm phát hiện trực tiếp
tags:
  - attack.credential_access
  - attack.t1110.001
logsource:
  product: test
detection:
  selection:
    event.action: login-failed
    host.name: congtt-web01
  condition: selection
`;

let j; // this file's journey (lib/journey.mjs): server, browser, steps
let server;
let page;
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const apiCall = (method, path, body) => j.api(method, path, body);

describe('vigil live detection UI', { timeout: 600_000 }, () => {
  j = journey({ adminPassword: ADMIN_PASSWORD, shotPrefix: 'rules-', stepTimeoutMs: 120_000, browser: { timezoneId: 'Europe/Paris', locale: 'en-US' } });
  const { step } = j;
  before(() => {
    ({ server, page } = j);
  });

  step('admin signs in, enrols MFA and names the province', async () => {
    await j.firstAdminSignIn('Tỉnh Thử Nghiệm');
  });

  step('a broken rule is refused with its line; the fixed rule is saved', async () => {
    await byTestId('nav-rules').click();
    await byTestId('rules-page').waitFor();
    assert.match(await page.locator('h1').innerText(), /Quy tắc phát hiện/);
    await byTestId('rule-create').click();
    await byTestId('rule-create-dialog').waitFor();
    await byTestId('rule-yaml').fill(RULE.replace('event.action:', 'event.action|bogus:'));
    await byTestId('rule-validate').click();
    const err = byTestId('rule-error');
    await err.waitFor();
    assert.match(await err.innerText(), /Dòng 13/);
    assert.match(await err.innerText(), /bogus/);
    await byTestId('rule-yaml').fill(RULE);
    await byTestId('rule-validate').click();
    await byTestId('rule-valid').waitFor();
    await byTestId('rule-save').click();
    await byTestId('rules-notice').waitFor();
    // The new set runs once the status shows it (the page follows it every 3 s).
    await page.locator(`[data-testid="rule-row"][data-id="${RULE_ID}"]`).waitFor();
    for (let i = 0; i < 50; i++) {
      const st = await apiCall('GET', '/api/v1/rules/status');
      if (st.body.rules >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await j.shot('rules-01-list');
  });

  step('a matching event sent over HTTP ingest shows up as an alert within seconds', async () => {
    const source = await apiCall('POST', '/api/v1/sources', { org_id: 1, name: 'Cổng thông tin', with_token: true });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    const line = JSON.stringify({
      '@timestamp': new Date().toISOString(),
      'host.name': 'congtt-web01',
      'event.action': 'login-failed',
      'user.name': 'quantri',
      message: 'login failed for quantri',
    });
    const sent = Date.now();
    const r = await fetch(`${server.baseUrl}/api/v1/ingest/ndjson`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${source.body.token}`, 'Content-Type': 'application/x-ndjson' },
      body: `${line}\n`,
    });
    assert.equal(r.status, 200, await r.text());
    await byTestId('nav-alerts').click();
    await byTestId('alerts-page').waitFor();
    const row = page.locator('[data-testid="alert-row"]', { hasText: RULE_TITLE });
    await row.first().waitFor({ timeout: 10_000 });
    console.log(`alert visible in the queue ${Date.now() - sent} ms after the event was sent`);
    await row.first().locator('[data-testid="alert-open"]').click();
    await byTestId('alert-dialog').waitFor();
    const tags = byTestId('alert-dialog-tags');
    await tags.waitFor();
    assert.match(await tags.innerText(), /attack\.t1110\.001/);
    await j.shot('rules-02-alert');
    await page.keyboard.press('Escape');
  });

  step('the rule is disabled from its dialog', async () => {
    await byTestId('nav-rules').click();
    await byTestId('rules-page').waitFor();
    await page.locator(`[data-testid="rule-row"][data-id="${RULE_ID}"] [data-testid="rule-open"]`).click();
    await byTestId('rule-dialog').waitFor();
    assert.match(await byTestId('rule-dialog-state').innerText(), /Đang bật/);
    await byTestId('rule-toggle').click();
    await page.waitForFunction(() => /Đã tắt/.test(document.querySelector('[data-testid="rule-dialog-state"]')?.textContent ?? ''));
    const got = await apiCall('GET', `/api/v1/rules/${RULE_ID}`);
    assert.equal(got.body.enabled, false);
    await page.keyboard.press('Escape');
  });

  step('a retro-hunt with the (now disabled) rule finds the stored event', async () => {
    await byTestId('nav-hunt').click();
    await byTestId('hunt-page').waitFor();
    assert.match(await page.locator('h1').innerText(), /Săn lùng mối nguy hại/);
    await byTestId('hunt-rule-id').fill(RULE_ID);
    await byTestId('hunt-start').click();
    const row = byTestId('hunt-row').first();
    await row.waitFor();
    await page.waitForFunction(() => /Hoàn thành/.test(document.querySelector('[data-testid="hunt-state"]')?.textContent ?? ''));
    assert.equal((await byTestId('hunt-matched').first().innerText()).trim().split('\n')[0], '1');
    await byTestId('hunt-result').first().waitFor();
    assert.match(await byTestId('hunt-results').innerText(), /congtt-web01/);
    await j.shot('rules-03-hunt');
  });
});
