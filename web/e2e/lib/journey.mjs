// The set-up every browser journey shares: a real vigil server (lib/server.mjs), headless Chromium
// through playwright-core with a fresh profile, steps that skip once one has failed (with a
// screenshot of the failure), the API as the signed-in browser, and the first sign-in of `admin`
// (MFA enrolment with a computed TOTP code, then first-run setup).
import { after, before, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, startServer } from './server.mjs';
import { freshCode } from './totp.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SHOTS = join(REPO, 'build/e2e-screenshots');

/** Flags for a headless Chromium that talks to nothing but the page's own server. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * One journey: call it at the top of a `describe` callback. It registers the `before` hook (start
 * the server with `adminPassword`, wait until /readyz answers, launch Chromium with `browser`, the
 * extra options of launchPersistentContext such as timezoneId, locale, acceptDownloads) and the
 * `after` hook (close the browser, delete its profile, print the page errors and the server log's
 * tail when a step failed, stop the server).
 *
 * Returns an object whose `server`, `page` and `context` are set once `before` has run, whose
 * `pageErrors` lists the uncaught errors of the page, and whose `step(name, fn)` registers a test
 * that is skipped when an earlier step failed; a failing step leaves
 * build/e2e-screenshots/FAILED-<shotPrefix><name>.png.
 */
export function journey({ adminPassword, shotPrefix = '', stepTimeoutMs = 180_000, browser = {} }) {
  const j = { server: null, context: null, page: null, failed: false, pageErrors: [] };
  let userDataDir;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    j.server = await startServer({ adminPassword });
    // The server may take a moment to answer after it writes its port.
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${j.server.baseUrl}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    userDataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-chromium-'));
    j.context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 900 },
      ...browser,
    });
    j.page = j.context.pages()[0] ?? (await j.context.newPage());
    j.page.setDefaultTimeout(15_000);
    j.page.on('pageerror', (e) => j.pageErrors.push(`${e}\n${e.stack ?? ''}`));
  });

  after(async () => {
    await j.context?.close().catch(() => {});
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (j.failed && j.pageErrors.length) console.log(`--- page errors ---\n${j.pageErrors.join('\n')}`);
    if (j.failed && j.server) console.log(`--- vigil server log ---\n${j.server.log().slice(-8000)}`);
    await j.server?.stop();
  });

  /** Every step after a failed one is skipped: they depend on each other. */
  j.step = (name, fn) => {
    it(name, { timeout: stepTimeoutMs }, async (t) => {
      if (j.failed) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn(t);
      } catch (e) {
        j.failed = true;
        const path = join(SHOTS, `FAILED-${shotPrefix}${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        if (j.page) await j.page.screenshot({ path, fullPage: true }).catch(() => {});
        throw e;
      }
    });
  };

  /** Saves a full-page screenshot as build/e2e-screenshots/<name>.png. */
  j.shot = (name) => j.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  /** The element with this data-testid. */
  j.byTestId = (id) => j.page.locator(`[data-testid="${id}"]`);

  /**
   * A JSON call as the signed-in browser (same cookies, the CSRF token of /api/v1/me). Returns
   * { status, body }; body is null when the response is empty (204).
   */
  j.api = (method, path, body) =>
    j.page.evaluate(
      async ({ method, path, body }) => {
        const me = await (await fetch('/api/v1/me', { credentials: 'same-origin' })).json();
        const r = await fetch(path, {
          method,
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await r.text();
        return { status: r.status, body: text === '' ? null : JSON.parse(text) };
      },
      { method, path, body },
    );

  /** Fills the login form and submits it (the login page must be shown). */
  j.login = async (username, password) => {
    await j.byTestId('login-page').waitFor();
    await j.byTestId('login-username').fill(username);
    await j.byTestId('login-password').fill(password);
    await j.byTestId('login-submit').click();
  };

  /**
   * The first sign-in of `admin` on a fresh server: log in, enrol MFA with a code computed from the
   * secret shown, name the province in first-run setup; ends on the organisation page.
   */
  j.firstAdminSignIn = async (province) => {
    await j.page.goto(`${j.server.baseUrl}/`);
    await j.login('admin', adminPassword);
    await j.byTestId('forced-mfa-page').waitFor();
    const secret = (await j.byTestId('mfa-secret').innerText()).trim();
    const { code } = await freshCode(secret, -1);
    await j.byTestId('mfa-code').fill(code);
    await j.byTestId('mfa-confirm').click();
    await j.byTestId('setup-page').waitFor();
    await j.byTestId('setup-province').fill(province);
    await j.byTestId('setup-submit').click();
    await j.byTestId('orgs-page').waitFor();
  };

  return j;
}
