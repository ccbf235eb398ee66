// Browser test of incident evidence (issue 4, "Evidence") against a real vigil server (see
// README.md in this folder): on an incident's page the officer uploads a log file, sees its
// SHA-256 (checked against the file's own hash), records a custody entry (handed over to the
// provincial police, with the reason), re-hashes the stored file, and exports the evidence
// bundle, whose download is a ZIP naming the file in its manifest; the custody log then shows the
// export with the recipient.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journey } from './lib/journey.mjs';

const ADMIN_PASSWORD = 'Quản-trị-chứng-cứ-2026';
const LOG = '203.0.113.5 - - [06/Mar/2026:10:15:00 +0700] "POST /wp-login.php HTTP/1.1" 200 512\n'.repeat(20);
const POLICE = 'Công an tỉnh (PA05)';

let j; // this file's journey (lib/journey.mjs): server, browser, steps
let server;
let page;
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
let workDir;
const api = (method, path, body) => j.api(method, path, body);

describe('incident evidence in the web UI', { timeout: 600_000 }, () => {
  j = journey({ adminPassword: ADMIN_PASSWORD, shotPrefix: 'evidence-', stepTimeoutMs: 180_000, browser: { timezoneId: 'Europe/Paris', locale: 'en-US', acceptDownloads: true } });
  const { step } = j;
  before(() => {
    ({ server, page } = j);
    workDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-evidence-'));
  });
  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  let incidentId;

  step('the administrator signs in, enrols MFA and names the province', async () => {
    await j.firstAdminSignIn('Tỉnh Khánh Hòa');
  });

  step('an incident of an agency', async () => {
    const me = await api('GET', '/api/v1/me');
    const root = me.body.roles[0].org_id;
    const org = await api('POST', '/api/v1/orgs', { parent_id: root, name: 'Sở Y tế', kind: 'department' });
    assert.equal(org.status, 201, JSON.stringify(org.body));
    const inc = await api('POST', '/api/v1/incidents', {
      org_id: org.body.id,
      title: 'Cổng thông tin bị dò mật khẩu quản trị',
      regime: 'A_ND85_TT12',
      detected_at: new Date(Date.now() - 3_600_000).toISOString(),
    });
    assert.equal(inc.status, 201, JSON.stringify(inc.body));
    incidentId = inc.body.id;
  });

  step('the officer uploads a log file and sees its SHA-256', async () => {
    await page.goto(`${server.baseUrl}/incidents/${incidentId}`);
    await byTestId('evidence-panel').waitFor();
    const file = join(workDir, 'access.log');
    writeFileSync(file, LOG);
    await byTestId('evidence-file').setInputFiles(file);
    await byTestId('evidence-description').fill('Nhật ký truy cập máy chủ web');
    await byTestId('evidence-upload-submit').click();
    const sha = createHash('sha256').update(LOG).digest('hex');
    await byTestId('evidence-sha256').filter({ hasText: sha }).waitFor();
    const custody = await byTestId('evidence-custody').first().innerText();
    assert.match(custody, /Thu thập/, custody);
  });

  step('a custody entry: handed over to the provincial police', async () => {
    await byTestId('evidence-custody-open').first().click();
    await byTestId('evidence-custody-to').fill(POLICE);
    await byTestId('evidence-custody-reason').fill('Phối hợp điều tra');
    await byTestId('evidence-custody-save').click();
    await byTestId('evidence-custody').first().filter({ hasText: POLICE }).waitFor();
    const custody = await byTestId('evidence-custody').first().innerText();
    assert.match(custody, /Bàn giao/, custody);
    assert.match(custody, /Phối hợp điều tra/, custody);
  });

  step('re-hashing the stored file finds it intact', async () => {
    await byTestId('evidence-verify').first().click();
    const result = await byTestId('evidence-verify-result').first().innerText();
    assert.match(result, /Còn nguyên vẹn/, result);
  });

  step('the evidence bundle is exported and recorded in custody', async () => {
    await byTestId('evidence-bundle-open').click();
    await byTestId('evidence-bundle-to').fill('Trung tâm Giám sát an toàn không gian mạng quốc gia');
    await byTestId('evidence-bundle-reason').fill('Chia sẻ thông tin sự cố');
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId('evidence-bundle-submit').click()]);
    assert.match(download.suggestedFilename(), /^incident-\d+-evidence-bundle\.zip$/);
    const path = join(workDir, 'bundle.zip');
    await download.saveAs(path);
    const zip = readFileSync(path);
    assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK', 'the download is a ZIP');
    // The stored (uncompressed) names of the archive's entries are in its central directory.
    const text = zip.toString('latin1');
    for (const name of ['manifest.json', 'SHA256SUMS', '-access.log']) assert.ok(text.includes(name), `the ZIP holds ${name}`);
    await byTestId('evidence-custody').first().filter({ hasText: 'Xuất gói' }).waitFor();
    assert.deepEqual(j.pageErrors, []);
  });
});
