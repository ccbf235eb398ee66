// Browser test of incidents (issue 4) against a real vigil server (see README.md in this folder):
// an alert with an IP observable is promoted to an incident from the alert dialog ("Tạo sự cố"),
// the incident page shows the process with its current step and the legal deadlines; a second
// alert is attached to it ("Gắn vào sự cố"); a move without the step's required outputs is
// refused with the server's reason; then the officer walks the process (Circular 20/2017 Art. 11)
// to its final step, recording each step's outputs, with a task, a party notified and a note; at
// the review Form 04 (end-of-response report) is prepared in
// the "Báo cáo" panel from the incident's data, rendered into the submission register (the
// downloaded DOCX is a ZIP whose word/document.xml holds the incident's title) and marked sent,
// which records the step's Form 04 output; the lessons learned then close the incident; the list
// shows it closed.
import { before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { journey } from './lib/journey.mjs';

const ADMIN_PASSWORD = 'Quản-trị-sự-cố-2026';
const AGENCY = 'Sở Y tế';
const ALERT = 'Dò mật khẩu SSH vào máy chủ cổng thông tin';
const SECOND_ALERT = 'Đăng nhập bất thường từ cùng địa chỉ';

let j; // this file's journey (lib/journey.mjs): server, browser, steps
let server;
let page;
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const api = (method, path, body) => j.api(method, path, body);

/** The bytes of `name` in a ZIP (local file headers; stored or deflated), or null. */
function zipEntry(zip, name) {
  for (let at = 0; at + 30 <= zip.length; ) {
    if (zip.readUInt32LE(at) !== 0x04034b50) break;
    const method = zip.readUInt16LE(at + 8);
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const extra = zip.readUInt16LE(at + 28);
    const entry = zip.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const start = at + 30 + nameLength + extra;
    const data = zip.subarray(start, start + size);
    if (entry === name) return method === 8 ? inflateRawSync(data) : data;
    at = start + size;
  }
  return null;
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
  j = journey({ adminPassword: ADMIN_PASSWORD, shotPrefix: 'incidents-', stepTimeoutMs: 180_000, browser: { timezoneId: 'Europe/Paris', locale: 'en-US' } });
  const { step } = j;
  before(() => {
    ({ server, page } = j);
  });

  let agencyId;
  let incidentId;

  step('the administrator signs in, enrols MFA and names the province', async () => {
    await j.firstAdminSignIn('Tỉnh Khánh Hòa');
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
    await j.shot('incident-01-created');
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
      // The final step (the review) is completed below: Form 04 from the report panel, then the
      // lessons learned, which close the incident.
      if (current.final) break;
      for (const o of current.outputs) {
        const input = byTestId(`output-${o.id}`);
        if (o.required && (await input.count())) await input.fill(`Đã thực hiện: ${o.label}`);
      }
      const before = inc.revision;
      await byTestId(`incident-to-${towardsFinal(inc.process, inc.current_step)}`).click();
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
    const atReview = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
    assert.equal(atReview.closed, false);
    assert.ok(atReview.process.steps.find((s) => s.current).final);
  });

  step('Form 04 is prepared from the incident, rendered into the register, downloaded and marked sent', async () => {
    const inc = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
    const forms = (await api('GET', `/api/v1/incidents/${incidentId}/report-forms`)).body.items;
    const form04 = forms.find((f) => f.form === 'tt20-mau-04');
    assert.ok(form04 && form04.current_step, JSON.stringify(forms.map((f) => [f.form, f.current_step])));
    assert.equal(form04.data.fields.incident_name, inc.title);
    await byTestId('report-fill-tt20-mau-04').click();
    await byTestId('form-dialog').waitFor();
    await byTestId('form-missing').waitFor();
    // The officer types what the records do not hold.
    for (const m of form04.missing) {
      const input = byTestId(`form-field-${m.name}`);
      if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption({ index: 1 });
      else await input.fill(m.name === 'reporter_email' ? 'syt@example.vn' : `Nội dung: ${m.label}`);
    }
    await byTestId('form-complete').waitFor();
    await byTestId('form-render-docx').click();
    await byTestId('form-done').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="report-register"] [data-testid^="report-row-"]').first().waitFor();
    const register = (await api('GET', `/api/v1/incidents/${incidentId}/reports`)).body.items;
    assert.equal(register.length, 1);
    const report = register[0];
    assert.equal(report.form, 'tt20-mau-04');
    // The registered file: a ZIP with the incident's title in word/document.xml, hash as registered.
    const file = await page.evaluate(async (url) => {
      const r = await fetch(url, { credentials: 'same-origin' });
      const bytes = new Uint8Array(await r.arrayBuffer());
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      return { status: r.status, sha: r.headers.get('X-Content-SHA256'), base64: btoa(bin) };
    }, report.download);
    assert.equal(file.status, 200);
    assert.equal(file.sha, report.sha256);
    const xml = zipEntry(Buffer.from(file.base64, 'base64'), 'word/document.xml');
    assert.ok(xml, 'word/document.xml in the DOCX');
    assert.ok(xml.toString('utf8').includes(inc.title), 'the incident title is in the document');

    await byTestId('report-recipient').fill('Trung tâm Giám sát an toàn không gian mạng quốc gia');
    await byTestId('report-channel').selectOption('email');
    await byTestId('report-mark-sent').click();
    await byTestId('report-sent').waitFor({ timeout: 60_000 });
    // Sending recorded the review's Form 04 output.
    const sent = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
    assert.ok(sent.steps[sent.steps.length - 1].outputs.some((o) => o.id === 'form04'), JSON.stringify(sent.steps));
    assert.equal(sent.closed, false);
  });

  step('the lessons learned close the incident', async () => {
    await byTestId('output-lessons_learned').fill('Vá lỗ hổng, bật giám sát toàn vẹn tệp.');
    await byTestId('incident-record').click();
    await page.waitForFunction(
      async (id) => (await (await fetch(`/api/v1/incidents/${id}`, { credentials: 'same-origin' })).json()).closed,
      incidentId,
      { polling: 200 },
    );
    const done = (await api('GET', `/api/v1/incidents/${incidentId}`)).body;
    assert.equal(done.closed, true, JSON.stringify(done.next));
    await page.reload();
    assert.match(await byTestId('incident-state').innerText(), /Đã kết thúc/);
    await j.shot('incident-02-closed');
  });

  step('the list shows the incident closed; nothing was asked of another origin, no page error', async () => {
    await page.goto(`${server.baseUrl}/incidents`);
    await byTestId('incidents-status').selectOption('closed');
    await page.locator('[data-testid="incident-row"]', { hasText: ALERT }).waitFor();
    assert.deepEqual(j.pageErrors, []);
  });
});
