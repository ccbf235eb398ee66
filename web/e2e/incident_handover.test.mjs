// Browser test of "Chuyển quy trình" (issue 4, hand-over between processes) against a real vigil
// server (see README.md in this folder): a regime-A incident on a critical-list system, classified
// serious (Decision 05/2017 Art. 9), offers the serious-incident process on its page; the officer
// hands it over with a reason and lands on the new incident, which names the one it continues;
// the first incident is closed under Circular 20 and points to its successor. A reason is required.
import { before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { journey } from './lib/journey.mjs';

const ADMIN_PASSWORD = 'Quản-trị-chuyển-quy-trình-2026';
const TITLE = 'Cổng dịch vụ công ngừng hoạt động do tấn công';

let j; // this file's journey (lib/journey.mjs): server, browser, steps
let server;
let page;
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const api = (method, path, body) => j.api(method, path, body);

describe('incident hand-over in the web UI', { timeout: 600_000 }, () => {
  j = journey({ adminPassword: ADMIN_PASSWORD, shotPrefix: 'handover-', stepTimeoutMs: 180_000, browser: { locale: 'vi-VN' } });
  const { step } = j;
  before(() => {
    ({ server, page } = j);
  });

  let firstId;
  let secondId;

  step('the administrator signs in, enrols MFA and names the province', async () => {
    await j.firstAdminSignIn('Tỉnh Khánh Hòa');
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
    await j.shot('handover-01-successor');
  });

  step('the first incident is closed and points to the one continuing it; no page error', async () => {
    await byTestId('incident-handover-from').locator('a').click();
    await page.waitForURL((u) => u.pathname.endsWith(`/incidents/${firstId}`));
    await byTestId('incident-handover-to').waitFor();
    assert.match(await byTestId('incident-handover-to').innerText(), new RegExp(`A-QD05-serious@v1[\\s\\S]*#${secondId}`));
    assert.equal(await byTestId('incident-handover-submit').count(), 0);
    assert.match(await byTestId('incident-state').innerText(), /Đã kết thúc/);
    assert.deepEqual(j.pageErrors, []);
  });
});
