// Browser test of the web-portal monitor end to end (issue 7): a local nginx site on 127.0.0.1 with
// a planted hidden gambling link is registered as a portal by the province admin, the scheduler of
// `vigil serve` runs it, and the browser shows it: the portal list with its last run and open
// findings, the detail page with the hidden-link finding, the evidence viewer with the captured page
// as text, and the alert in the alert queue. Real `vigil serve` on a fresh data directory, Debian's
// nginx, headless Chromium through playwright-core.
// Run: VIGIL_BIN=$PWD/build/release/vigil node --test web/e2e/portal_monitor.test.mjs
//
// Registration: the portal dialog has no allow_private field (and refuses a loopback URL, as the
// test checks), so the portal is registered through the API with the browser's session and CSRF
// token. Timing: a portal registered while the server runs gets the first run of each class within
// min(interval, reload period), and the server runs with VIGIL_WEBMON_RELOAD_SECONDS=1, so every
// class runs within the first minutes (the per-host gate spaces the requests a second apart).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, startServer } from './lib/server.mjs';
import { freshCode } from './lib/totp.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const NGINX = process.env.NGINX_PATH || '/usr/sbin/nginx';
const SHOTS = join(REPO, 'build/e2e-screenshots');
const ADMIN_PASSWORD = 'Quản-trị-giám-sát-cổng-2026';
const PORTAL_NAME = 'Cổng TTĐT xã Mường Khương';
const SPAM_DOMAIN = 'taixiu-online.club';
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>UBND xã Mường Khương</title></head><body>
<h1>Thông báo lịch tiếp công dân</h1><p>Lịch tiếp công dân tháng 11 tại trụ sở Ủy ban nhân dân xã.</p>
<div style="display:none"><a href="https://${SPAM_DOMAIN}/">tài xỉu online</a></div>
</body></html>
`;

let server;
let site; // { url, stop }
let context;
let page;
let userDataDir;
let portalId;
let failed = false;

function step(name, fn, timeout = 120_000) {
  it(name, { timeout }, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      if (page) await page.screenshot({ path: join(SHOTS, `FAILED-portal-monitor-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
      throw e;
    }
  });
}

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

async function freePort() {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Debian's nginx serving `html` as /index.html on 127.0.0.1; resolves once it answers.
async function startSite(html) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-site-'));
  mkdirSync(join(dir, 'www'));
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(join(dir, 'www/index.html'), html);
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 64; }\nhttp {\n include /etc/nginx/mime.types;\n access_log off;\n` +
      ` client_body_temp_path ${dir}/tmp;\n proxy_temp_path ${dir}/tmp;\n fastcgi_temp_path ${dir}/tmp;\n` +
      ` uwsgi_temp_path ${dir}/tmp;\n scgi_temp_path ${dir}/tmp;\n` +
      ` server { listen 127.0.0.1:${port}; server_tokens off; root ${dir}/www; }\n}\n`,
  );
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await fetch(url).then((r) => r.ok, () => false)) break;
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      let log = '';
      try {
        log = readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx (${NGINX}) did not serve ${url} within 15 s (is nginx-light installed?):\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const until = Date.now() + 5000;
      while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop };
}

// A JSON API call with the browser's session cookie and CSRF token (from /api/v1/me).
async function api(method, path, body) {
  return await page.evaluate(
    async ({ method, path, body }) => {
      const me = await fetch('/api/v1/me', { credentials: 'same-origin' }).then((r) => r.json());
      const r = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  );
}

// Polls `fn` (async, truthy when done) every 250 ms up to `ms`.
async function waitUntil(what, fn, ms, state = async () => '') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} ${await state()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('vigil web-portal monitor, end to end', { timeout: 900_000 }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await startSite(PAGE);
    server = await startServer({
      adminPassword: ADMIN_PASSWORD,
      env: { VIGIL_WEBMON_RELOAD_SECONDS: '1', VIGIL_WEBMON_RETRIES: '0', VIGIL_WEBMON_REQUEST_TIMEOUT_MS: '5000' },
    });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${server.baseUrl}/readyz`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    userDataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-portal-monitor-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1440, height: 900 },
      timezoneId: 'Asia/Ho_Chi_Minh',
      locale: 'vi-VN',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (failed && server) console.log(`--- vigil server log ---\n${server.log().slice(-8000)}`);
    await server?.stop();
    await site?.stop();
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

  step('the loopback site is refused in the dialog, then registered by the admin with allow_private', async () => {
    await byTestId('nav-portals').click();
    await byTestId('portals-page').waitFor();
    await byTestId('portals-add').click();
    await byTestId('portal-dialog').waitFor();
    await byTestId('portal-org').selectOption({ index: 1 });
    await byTestId('portal-name').fill(PORTAL_NAME);
    await byTestId('portal-url').fill(site.url);
    await byTestId('portal-save').click();
    const err = page.locator('[data-testid="portal-dialog"] [data-testid="error"]');
    await err.waitFor();
    assert.match(await err.innerText(), /127\.0\.0\.1/);
    await page.keyboard.press('Escape');

    const orgs = await api('GET', '/api/v1/orgs');
    assert.equal(orgs.status, 200, JSON.stringify(orgs.body));
    const orgId = (orgs.body.items ?? orgs.body)[0].id;
    const fields = {
      org_id: orgId,
      name: PORTAL_NAME,
      url: site.url,
      allow_private: true,
      interval_availability: 60,
      interval_content: 300,
      interval_tls: 3600,
      interval_headers: 3600,
      interval_exposure: 86400,
    };
    const created = await api('POST', '/api/v1/portals', fields);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    portalId = created.body.id;
    assert.equal(created.body.allow_private, true);
  });

  step('the scheduled runs find the hidden gambling link', async () => {
    const started = Date.now();
    const dumpState = async () =>
      JSON.stringify({
        runs: (await api('GET', `/api/v1/portals/${portalId}/runs`)).body,
        findings: (await api('GET', `/api/v1/portals/${portalId}/findings`)).body,
        metrics: (await fetch(`${server.baseUrl}/metrics`).then((r) => r.text())).split('\n').filter((l) => l.startsWith('vigil_webmon')),
      }).slice(0, 6000);
    const finding = await waitUntil(
      'the hidden_link finding',
      async () => {
        const r = await api('GET', `/api/v1/portals/${portalId}/findings`);
        return r.status === 200 && r.body.items.find((f) => f.finding_id === 'hidden_link' && f.status === 'open');
      },
      240_000,
      dumpState,
    );
    console.log(`hidden_link found ${Date.now() - started} ms after the portal was registered`);
    assert.equal(finding.check, 'page');
    assert.equal(finding.severity, 'high');
    // Every class has run (the list's grades and last run come from them). The classes of one
    // portal run one after the other, each request to the host a second apart (the per-host gate):
    // the exposure class's probes take the longest.
    await waitUntil(
      'a run of every class',
      async () => {
        const r = await api('GET', `/api/v1/portals/${portalId}/runs`);
        const classes = new Set((r.body?.items ?? r.body ?? []).map((x) => x.class ?? x.check_class));
        return ['availability', 'content', 'tls', 'headers', 'exposure'].every((c) => classes.has(c));
      },
      240_000,
      dumpState,
    );
    console.log(`every class ran within ${Date.now() - started} ms`);
  }, 540_000);

  step('the portal list shows its last run and open findings', async () => {
    await page.reload();
    await byTestId('portals-page').waitFor();
    const row = page.locator(`[data-testid="portal-row"][data-name="${PORTAL_NAME}"]`);
    await row.waitFor();
    const text = await row.innerText();
    assert.doesNotMatch(text, /Chưa chạy|chưa chạy/, text);
    const open = Number((await row.locator('[data-testid="portal-open"]').innerText()).replace(/\D+/g, ' ').trim().split(' ').pop());
    assert.ok(open >= 1, `open findings: ${open}`);
    assert.equal(await row.locator('[data-testid="portal-open"] .badge-danger').count(), 1);
    await page.screenshot({ path: join(SHOTS, 'portal-monitor-01-list.png'), fullPage: true });
  });

  step('the detail page lists the finding and the evidence viewer shows the captured page', async () => {
    await page.locator(`[data-testid="portal-row"][data-name="${PORTAL_NAME}"] [data-testid="portal-link"]`).click();
    await byTestId('portal-detail').waitFor();
    const finding = page.locator('[data-testid="portal-finding"][data-finding="hidden_link"]');
    await finding.waitFor();
    assert.match(await finding.innerText(), new RegExp(SPAM_DOMAIN.replace(/\./g, '\\.')));
    await page.screenshot({ path: join(SHOTS, 'portal-monitor-02-detail.png'), fullPage: true });
    await finding.locator('[data-testid="portal-evidence-view"]', { hasText: 'body.html' }).click();
    const shown = byTestId('portal-evidence-text');
    await shown.waitFor();
    await page.waitForFunction(() => /tài xỉu online/.test(document.querySelector('[data-testid="portal-evidence-text"]')?.textContent ?? ''));
    assert.equal((await shown.innerText()).trim(), PAGE.trim(), 'the evidence is the page as served');
    await page.screenshot({ path: join(SHOTS, 'portal-monitor-03-evidence.png'), fullPage: true });
    await page.keyboard.press('Escape');
  });

  step('the alert is in the alert queue', async () => {
    await byTestId('nav-alerts').click();
    await byTestId('alerts-page').waitFor();
    const row = page.locator('[data-testid="alert-row"]', { hasText: PORTAL_NAME });
    await row.first().waitFor({ timeout: 10_000 });
    assert.ok((await row.count()) >= 1);
    const hidden = page.locator('[data-testid="alert-row"]', { hasText: 'hidden link' });
    assert.equal(await hidden.count(), 1, 'one alert for the hidden link');
    await page.screenshot({ path: join(SHOTS, 'portal-monitor-04-alerts.png'), fullPage: true });
  });
});
