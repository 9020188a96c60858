// The staff application in real Chromium against the real service with the demo data: one
// test per screen of issue 13, each saving a screenshot under target/screenshots/ and checking
// the screen with axe-core (no serious or critical violation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startService, launch, newPage, signIn, apiToken, api, seriousViolations, shot } from './harness.mjs';

let service;
let base;
let browser;
before(async () => { service = await startService(); base = service.base; browser = await launch(); });
after(async () => { await browser?.close(); service?.server.kill(); });

async function noSeriousViolations(page, screen) {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${screen}`);
}

/** A demo place of 嘉善县 with a geometry, found through the API. */
async function jiashanPlace(token, name = '西塘镇') {
  const found = await api(base, token, `search?q=${encodeURIComponent(name)}&limit=5`);
  return found.body.hits.find((h) => h.name === name);
}

test('1 sign in, who am I, sign out; the map of the demo area with its layers', async () => {
  const page = await newPage(browser);
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
  await page.getByLabel('用户名').waitFor();
  await noSeriousViolations(page, 'sign-in');
  await shot(page, 'app-sign-in');

  // A wrong password shows the service's message.
  await page.getByLabel('用户名').fill('jiashan');
  await page.getByLabel('密码').fill('not the password');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /password/);

  const started = Date.now();
  await signIn(page, base, 'jiashan');
  const me = page.getByLabel('当前用户');
  assert.match(await me.textContent(), /jiashan/);
  assert.match(await me.textContent(), /编辑/);
  assert.match(await me.textContent(), /330421/);
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: 30_000 });
  const counts = await page.evaluate(() => Object.fromEntries(Object.entries(window.dimingMap.sources).map(([k, s]) => [k, s.getFeatures().length])));
  assert.ok(counts.divisions > 0 && counts.places > 0 && counts.signs > 0, JSON.stringify(counts));
  assert.ok(counts.boundaries > 0, `boundary lines between neighbouring counties: ${JSON.stringify(counts)}`);
  console.log(`# map with data rendered ${Date.now() - started} ms after the sign-in started; layers ${JSON.stringify(counts)}`);
  // The legend toggles a layer.
  await page.getByRole('checkbox', { name: '地名标志（按状态）' }).uncheck();
  await page.waitForFunction(() => window.dimingMap.layers.signs.getVisible() === false, null, { timeout: 5_000 });
  await page.getByRole('checkbox', { name: '地名标志（按状态）' }).check();
  // The worklist is on the first screen, with counts.
  await page.locator('.worklist .count').nth(3).waitFor();
  assert.equal(await page.locator('.worklist .count').count(), 4);
  await noSeriousViolations(page, 'map');
  await shot(page, 'app-map');

  // English on request.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('link', { name: 'Map' }).waitFor();
  await shot(page, 'app-map-en');
  await page.getByRole('button', { name: '中文' }).click();

  await page.getByRole('button', { name: '退出' }).click();
  await page.getByLabel('用户名').waitFor();
  await page.context().close();
});

test('2 an editor finds a place by pinyin, the map shows it, a click looks up what is there, coordinates in a GK zone', async () => {
  const page = await newPage(browser);
  await signIn(page, base, 'jiashan');
  const search = page.getByRole('combobox', { name: /搜索地名/ });
  await search.focus();
  await page.keyboard.type('xitang');
  await page.getByRole('option').first().waitFor();
  assert.match(await page.getByRole('listbox').textContent(), /西塘/);
  await page.keyboard.press('Enter');
  await page.locator('.lookup a').first().waitFor();
  await page.waitForFunction(() => !window.dimingMap.map.getView().getAnimating());
  // Click the map: the reverse lookup names the divisions there.
  const box = await page.locator('.map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('.lookup').getByText('嘉善县').first().waitFor();
  await page.getByLabel('坐标系').selectOption('EPSG:4549');
  await page.mouse.move(box.x + box.width / 2 + 10, box.y + box.height / 2);
  await page.waitForFunction(() => /X\(N\) \d{7}/.test(document.querySelector('.coords')?.textContent ?? ''));
  // The as-of control reloads the register as it stood on a day.
  await page.getByLabel('历史日期（截至）').fill('2024-01-01');
  await page.waitForFunction(() => /已加载/.test(document.querySelector('.status')?.textContent ?? ''));
  await noSeriousViolations(page, 'map with search');
  await shot(page, 'app-search');
  await page.context().close();
});

test('3 an editor edits the meaning of a place and draws a new point; a lost session asks for the password and keeps the form', async () => {
  const token = await apiToken(base, 'jiashan');
  const place = await jiashanPlace(token);
  const page = await newPage(browser);
  await signIn(page, base, 'jiashan');
  await page.goto(`${base}/#/places/${place.id}`);
  await page.getByLabel('地名含义').waitFor();
  await page.getByRole('button', { name: '按规则生成拼写' }).click();
  await page.locator('.proposal').waitFor();
  assert.match(await page.locator('.proposal').textContent(), /GB\/T 16159/);
  await page.getByLabel('地名含义').fill('因镇西有塘而得名（浏览器测试）');
  await page.getByLabel('修改说明').fill('补充含义');
  // The session ends while the form is open: the save asks for the password, then goes on.
  await page.context().clearCookies();
  await page.getByRole('button', { name: '保存', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('用户名').fill('jiashan');
  await dialog.getByLabel('密码').fill('diming-demo-2026');
  await dialog.getByRole('button', { name: '登录' }).click();
  await page.getByRole('status').filter({ hasText: '已保存为第' }).waitFor();
  assert.equal(await page.getByLabel('地名含义').inputValue(), '因镇西有塘而得名（浏览器测试）');
  const stored = await api(base, token, `places/${place.id}`);
  assert.equal(stored.body.properties.meaning, '因镇西有塘而得名（浏览器测试）');
  await noSeriousViolations(page, 'place form');
  await shot(page, 'app-place-edit');

  // A field error from the service appears beside its field; nothing is stored.
  await page.goto(`${base}/#/places/new`);
  await page.getByLabel('标准名称').waitFor();
  await page.getByLabel('标准名称').fill('塘东新村');
  await page.getByLabel('类别').selectOption('241');
  await page.getByLabel('所在（跨）行政区代码').fill('330421103');
  await page.getByLabel('设立年份').fill('3000');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await page.locator('.field.has-error .field-error').first().waitFor();
  await shot(page, 'app-place-field-error');
  await page.getByLabel('设立年份').fill('');
  // Draw a point on the map inside 西塘镇, then save.
  await page.evaluate(() => window.dimingPlaceMap?.getView().setCenter([120.8915, 30.9447]));
  const mapBox = await page.locator('.place-map .map').boundingBox();
  await page.mouse.click(mapBox.x + mapBox.width / 2, mapBox.y + mapBox.height / 2);
  await page.waitForFunction(() => /Point/.test(document.querySelector('[data-testid=geometry]')?.textContent ?? ''));
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await page.waitForFunction(() => /#\/places\/\d+$/.test(location.hash), null, { timeout: 10_000 });
  const id = Number((await page.evaluate(() => location.hash)).split('/').pop());
  const created = await api(base, token, `places/${id}`);
  assert.equal(created.body.properties.standard_name, '塘东新村');
  assert.equal(created.body.geometry.type, 'Point');
  await shot(page, 'app-place-drawn');
  await page.context().close();
});

test('3 two sessions edit one record and the second resolves the 412 field by field', async () => {
  const token = await apiToken(base, 'jiashan');
  const place = await jiashanPlace(token, '干窑镇');
  const first = await newPage(browser);
  const second = await newPage(browser);
  await signIn(first, base, 'jiashan');
  await signIn(second, base, 'jiashan');
  for (const page of [first, second]) { await page.goto(`${base}/#/places/${place.id}`); await page.getByLabel('地名含义').waitFor(); }
  await first.getByLabel('地名含义').fill('第一人写的含义');
  await first.getByLabel('修改说明').fill('第一人');
  await first.getByRole('button', { name: '保存', exact: true }).click();
  await first.getByRole('status').filter({ hasText: '已保存为第' }).waitFor();

  await second.getByLabel('地名含义').fill('第二人写的含义');
  await second.getByLabel('历史沿革').fill('第二人写的沿革');
  await second.getByLabel('修改说明').fill('第二人');
  await second.getByRole('button', { name: '保存', exact: true }).click();
  const dialog = second.getByRole('dialog');
  await dialog.waitFor();
  // Both fields are offered; take theirs for the meaning, keep mine for the history.
  assert.match(await dialog.locator('tr[data-field=meaning]').textContent(), /第一人写的含义/);
  assert.match(await dialog.locator('tr[data-field=meaning]').textContent(), /第二人写的含义/);
  await noSeriousViolations(second, 'merge');
  await shot(second, 'app-412-merge');
  await dialog.locator('tr[data-field=meaning] input[value=theirs]').check();
  await dialog.getByRole('button', { name: '保存合并结果' }).click();
  await second.getByRole('status').filter({ hasText: '已保存为第' }).waitFor();
  const stored = await api(base, token, `places/${place.id}`);
  assert.equal(stored.body.properties.meaning, '第一人写的含义');
  assert.equal(stored.body.properties.history, '第二人写的沿革');
  await first.context().close();
  await second.context().close();
});

test('3 an editor outside the jurisdiction is refused with the service message shown', async () => {
  const token = await apiToken(base, 'jiashan');
  const place = await jiashanPlace(token, '姚庄镇');
  const page = await newPage(browser);
  await signIn(page, base, 'pinghu');
  await page.goto(`${base}/#/places/${place.id}`);
  await page.getByLabel('地名含义').fill('平湖编辑的修改');
  await page.getByLabel('修改说明').fill('越权尝试');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  const alert = page.locator('.place-form [role=alert]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /outside your jurisdiction/);
  const stored = await api(base, token, `places/${place.id}`);
  assert.notEqual(stored.body.properties.meaning, '平湖编辑的修改');
  await shot(page, 'app-refused');
  await page.context().close();
});

test('4 the history shows who, when and why, a diff of two versions with both geometries, and retires a record', async () => {
  const token = await apiToken(base, 'jiashan');
  const place = await jiashanPlace(token, '干窑镇');
  const page = await newPage(browser);
  await signIn(page, base, 'jiashan');
  await page.goto(`${base}/#/places/${place.id}/history`);
  await page.locator('table.diff').waitFor();
  assert.ok(await page.locator('table.versions tbody tr').count() >= 3);
  // By default the last two versions: the merge kept the other's meaning and added a history.
  assert.match(await page.locator('table.diff').textContent(), /历史沿革/);
  await page.getByLabel('A 1').check();
  await page.waitForFunction(() => /地名含义/.test(document.querySelector('table.diff')?.textContent ?? ''));
  await noSeriousViolations(page, 'history');
  await shot(page, 'app-history');
  await page.getByLabel('废止理由').fill('浏览器测试：废止');
  await page.getByRole('button', { name: '废止此地名' }).click();
  await page.getByRole('status').filter({ hasText: '已废止' }).waitFor();
  const stored = await api(base, token, `places/${place.id}`);
  assert.equal(stored.body.properties.status, 'historical');
  await page.context().close();
});

test('5 an administrator proposes a division change and a reviewer approves it', async () => {
  const page = await newPage(browser);
  await signIn(page, base, 'admin');
  await page.goto(`${base}/#/divisions/330421102`);
  await page.getByRole('tree').getByText('浙江省').waitFor();
  const form = page.locator('form.propose');
  await form.getByLabel('变更类型').selectOption('rename');
  await form.getByLabel('生效日期').fill('2027-03-01');
  await form.getByLabel('摘要').fill('大云镇更名为云湖镇（浏览器测试）');
  await form.getByLabel('变更后名称').fill('云湖镇');
  await form.getByLabel('可查看的审核员').fill('reviewer');
  await form.getByRole('button', { name: '提交' }).click();
  await page.getByRole('status').filter({ hasText: '已提出变更' }).waitFor();
  await page.context().close();

  const reviewer = await newPage(browser);
  await signIn(reviewer, base, 'reviewer');
  // The worklist loads after sign-in; wait for its counts rather than reading it mid-load.
  await reviewer.locator('.worklist').filter({ hasText: /待审核/ }).waitFor();
  assert.match(await reviewer.locator('.worklist').textContent(), /1\s*待审核/);
  await reviewer.goto(`${base}/#/divisions`);
  const event = reviewer.locator('li.event', { hasText: '云湖镇' });
  await event.waitFor();
  await event.getByLabel('批准机关').fill('嘉兴市人民政府');
  await event.getByLabel('批准时间').fill('2026-11-20');
  await event.getByLabel('批准文号').fill('嘉政函〔2027〕1号');
  await noSeriousViolations(reviewer, 'divisions');
  await shot(reviewer, 'app-divisions-review');
  await event.getByRole('button', { name: '批准' }).click();
  await reviewer.getByRole('status').filter({ hasText: '已批准' }).waitFor();
  await reviewer.locator('li.event[data-status=approved]', { hasText: '云湖镇' }).waitFor();
  // The editors of the county do not see the pending or approved-but-future event's details
  // beyond what the service lets them: the tree as of a day still shows the old name.
  await reviewer.goto(`${base}/#/divisions/330421102`);
  await reviewer.locator('#div-title').waitFor();
  await shot(reviewer, 'app-division');
  await reviewer.context().close();
});

test('6 signs: the inventory with filters and a chart, a sign page with its QR code, a maintenance entry with a photo', async () => {
  const page = await newPage(browser);
  await signIn(page, base, 'jiashan');
  await page.goto(`${base}/#/signs`);
  await page.locator('table.list tbody tr').first().waitFor();
  await page.getByLabel('行政区代码').fill('330421');
  await page.getByLabel('行政区代码').press('Tab');
  await page.waitForFunction(() => [...document.querySelectorAll('table.list tbody tr td:nth-child(5)')].every((td) => td.textContent.startsWith('330421')));
  await page.locator('table.list tbody input[type=checkbox]').first().check();
  assert.match(await page.getByRole('link', { name: /打印所选二维码/ }).getAttribute('href'), /qr-sheet\?ids=\d+&format=pdf/);
  await noSeriousViolations(page, 'signs');
  await shot(page, 'app-signs');
  await page.locator('table.list tbody a').first().click();
  await page.locator('img.qr').waitFor();
  const photo = await page.screenshot({ clip: { x: 0, y: 0, width: 400, height: 300 } });
  await page.getByLabel('维护内容').selectOption('cleaned');
  await page.getByLabel('备注').fill('清洗标志牌（浏览器测试）');
  await page.getByLabel(/照片/).setInputFiles({ name: 'sign.png', mimeType: 'image/png', buffer: photo });
  await page.getByRole('button', { name: '保存维护记录' }).click();
  await page.getByRole('status').filter({ hasText: '维护记录已保存' }).waitFor();
  await page.locator('ul.log img.thumb').first().waitFor();
  assert.match(await page.locator('ul.log').textContent(), /清洗标志牌/);
  await noSeriousViolations(page, 'sign');
  await shot(page, 'app-sign-maintenance');
  await page.context().close();
});

test('7 boundaries and markers: the line between two neighbours, in the system picked', async () => {
  const page = await newPage(browser);
  await signIn(page, base, 'admin');
  await page.goto(`${base}/#/boundaries`);
  await page.getByText(/个拐点/).waitFor({ timeout: 30_000 });
  await page.getByLabel('坐标系').selectOption('EPSG:4549');
  await page.getByText(/个拐点/).waitFor();
  await noSeriousViolations(page, 'boundaries');
  await shot(page, 'app-boundaries');
  await page.context().close();
});

test('8 the inspection workspace: a finding filled offline waits in the browser and arrives once; discussion; sign-off shows the hash', async () => {
  const MARKER = '330421330482008Q';
  const JIASHAN = '330421';
  const token = await apiToken(base, 'jiashan.inspector');
  const round = (await api(base, token, 'inspections')).body.rounds[0];
  const versions = async () => (await api(base, token, `inspections/${round.id}/findings?subject=${MARKER}`)).body.findings.filter((f) => f.side === JIASHAN);
  const before = await versions();
  assert.equal(before.length, 1, 'the demo has one finding of 嘉善县 for the marker');

  const page = await newPage(browser);
  await signIn(page, base, 'jiashan.inspector');
  await page.goto(`${base}/#/inspections`);
  await page.getByRole('link', { name: /嘉善县 — 平湖市/ }).click();
  await page.getByTestId('round-state').waitFor();
  assert.equal(await page.getByTestId('round-state').textContent(), '对比核对');
  await noSeriousViolations(page, 'inspection workspace');
  await shot(page, 'app-inspection');
  // The service worker keeps the application's files for opening it in the field.
  await page.evaluate(() => navigator.serviceWorker.ready);

  // In the field: no network. The form is filled, the photo taken; both wait in the browser.
  await page.context().setOffline(true);
  await page.getByRole('button', { name: MARKER }).click();
  const form = page.getByRole('form', { name: new RegExp(`本方记录：${MARKER}`) });
  await form.getByLabel('状况').selectOption('tilted');
  await form.getByLabel('备注').fill('离线填写：桩体向东倾斜约10度');
  const photo = await page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } });
  await form.getByLabel(/照片/).setInputFiles({ name: 'marker.png', mimeType: 'image/png', buffer: photo });
  await form.getByRole('button', { name: '保存记录' }).click();
  await page.getByRole('status').filter({ hasText: '已保存在本机' }).waitFor();
  await page.getByTestId('waiting-count').filter({ hasText: '1 条待发送' }).waitFor();
  assert.equal((await versions()).length, 1, 'nothing reached the service while offline');

  // The phone's browser is closed and opened again, still without a network: the page comes
  // from the service worker, the round from the copy kept, and the finding still waits.
  await page.reload();
  await page.getByTestId('waiting-count').filter({ hasText: '1 条待发送' }).waitFor({ timeout: 15_000 });
  await shot(page, 'app-inspection-offline');

  // The network returns: the batch goes by itself, once.
  await page.context().setOffline(false);
  await page.getByTestId('waiting-count').filter({ hasText: '0 条待发送' }).waitFor({ timeout: 20_000 });
  const after = await versions();
  assert.equal(after.length, 2, JSON.stringify(after.map((f) => [f.version, f.client_id])));
  const sent = after.find((f) => f.version === 2);
  assert.match(sent.client_id, /^web:/);
  assert.equal(sent.finding.condition, 'tilted');
  assert.equal(sent.finding.photo_ids.length, 1);
  // Sending again (the network flickers) adds nothing.
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await page.waitForTimeout(500);
  assert.equal((await versions()).length, 2);

  // Reconciliation: the marker now differs; the discussion takes a comment and an acceptance.
  await page.getByRole('link', { name: '对比核对' }).click();
  await page.getByRole('button', { name: MARKER }).click();
  const thread = page.getByRole('article', { name: new RegExp(`讨论：${MARKER}`) });
  await thread.getByLabel('意见').fill('复核后同意平湖市的记录');
  await thread.getByRole('button', { name: '发表' }).click();
  await thread.getByText('复核后同意平湖市的记录').waitFor();
  await thread.getByRole('button', { name: /接受平湖市的记录/ }).click();
  await thread.getByText(/嘉善县已接受平湖市的记录/).waitFor();
  await noSeriousViolations(page, 'reconciliation');
  await shot(page, 'app-inspection-thread');

  // Disputes: the red and blue claims are listed (and drawn on the map).
  await page.getByRole('link', { name: '争议' }).click();
  await page.getByText('嘉善县主张沿原河道中心线').waitFor();

  // Sign-off: the hash shown is the one the service computes for the report.
  await page.getByRole('link', { name: '签署报告' }).click();
  await page.getByTestId('report-hash').waitFor();
  const report = (await api(base, token, `inspections/${round.id}/report`)).body;
  assert.equal(await page.getByTestId('report-hash').textContent(), report.hash);
  await noSeriousViolations(page, 'sign-off');
  await shot(page, 'app-inspection-sign');
  await page.context().close();
});

test('9 an administrator creates a user, who can sign in; the audit log shows it', async () => {
  const page = await newPage(browser);
  await signIn(page, base, 'admin');
  await page.goto(`${base}/#/admin/users`);
  await page.locator('tr[data-user=jiashan]').waitFor();
  const form = page.locator('form', { has: page.getByRole('heading', { name: '新建账号' }) });
  await form.getByLabel('用户名').fill('x');
  await form.getByLabel('密码').fill('short');
  await form.getByRole('button', { name: '创建账号' }).click();
  await form.locator('.field-error').first().waitFor();
  await shot(page, 'app-admin-errors');
  await form.getByLabel('用户名').fill('xitang.crew');
  await form.getByLabel('密码').fill('a long enough password');
  await form.getByLabel('角色').selectOption('inspector');
  await form.getByLabel('管辖范围').fill('330421');
  await form.getByRole('button', { name: '创建账号' }).click();
  await page.locator('tr[data-user="xitang.crew"]').waitFor();
  await noSeriousViolations(page, 'admin users');
  await shot(page, 'app-admin-users');
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'xitang.crew', password: 'a long enough password' }) });
  assert.equal(login.status, 200);
  await page.goto(`${base}/#/admin/audit`);
  await page.getByLabel('对象类型').fill('user');
  await page.getByLabel('对象类型').press('Tab');
  await page.getByRole('cell', { name: 'user.create' }).first().waitFor();
  await noSeriousViolations(page, 'audit');
  await shot(page, 'app-admin-audit');
  await page.context().close();
});

test('10 the worklist counts what waits: a public report shows as a ticket', async () => {
  const token = await apiToken(base, 'jiashan');
  const signs = await api(base, token, 'signs?division=330421&limit=5');
  const sign = signs.body.signs[0];
  const form = new FormData();
  for (const [k, v] of Object.entries({ kind: 'damaged', text: '标志被撞坏（浏览器测试）', website: '', lang: 'zh' })) form.set(k, v);
  const report = await fetch(`${sign.url}/report`, { method: 'POST', body: form, redirect: 'manual' });
  assert.ok(report.status < 400, `report ${report.status}`);
  const page = await newPage(browser);
  await signIn(page, base, 'jiashan');
  await page.waitForFunction(() => Number(document.querySelector('.worklist .count[data-key="work.tickets"]')?.textContent) >= 1);
  await page.locator('.worklist a', { hasText: '公众报告' }).click();
  await page.getByRole('cell', { name: /标志被撞坏/ }).waitFor();
  await page.getByRole('button', { name: '办结' }).first().click();
  await page.waitForFunction(() => !document.querySelector('table.list')?.textContent.includes('open'));
  await shot(page, 'app-worklist-tickets');
  // Closed in the service too: no open report of this sign holds the text any more.
  const open = await api(base, token, 'signs/reports?status=open');
  assert.ok(!JSON.stringify(open.body.reports).includes('标志被撞坏（浏览器测试）'), JSON.stringify(open.body.reports));
  await page.context().close();
});

test('11 the plates campaign: progress with its chart, an order for a road, plates moved on, a field-check problem', async () => {
  const token = await apiToken(base, 'jiashan');
  const before = (await api(base, token, 'addresses/plates?division=330421')).body;
  const road = before.roads.find((r) => r.road_name === '晋阳东路');
  assert.ok(road && road.no_plate > 0, JSON.stringify(before.roads));
  const page = await newPage(browser);
  await signIn(page, base, 'jiashan');
  await page.getByRole('link', { name: '门牌上墙' }).click();
  await page.getByRole('table', { name: '门牌设置上墙进度' }).waitFor();
  // The chart is the service's SVG, loaded with the session.
  await page.waitForFunction(() => { const img = document.querySelector('.chart.wide img'); return img?.complete && img.naturalWidth > 0; });
  await noSeriousViolations(page, 'plates');
  await shot(page, 'app-plates');

  // Order the road's missing plates: the order opens with its plates.
  await page.getByRole('row', { name: /晋阳东路/ }).getByRole('button', { name: /下单/ }).click();
  await page.waitForFunction(() => /#\/plates\/\d+$/.test(location.hash));
  const orderId = Number(await page.evaluate(() => location.hash.split('/').pop()));
  await page.getByRole('heading', { name: new RegExp(`制作单 ${orderId}`) }).waitFor();
  const order = (await api(base, token, `addresses/plate-orders/${orderId}`)).body;
  assert.equal(order.items.length, road.no_plate);
  assert.equal(order.road_id, road.road_id);
  // Putting up before making is refused with the service's words; then made, then one put up.
  await page.getByRole('button', { name: '标记为已安装' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /已制作/);
  await page.getByRole('button', { name: '标记为已制作' }).click();
  await page.waitForFunction(() => /已制作 \d+/.test(document.querySelector('section.order p')?.textContent ?? '') && !document.querySelector('section.order .error'));
  const first = order.items[0];
  await page.getByRole('checkbox', { name: `选择 ${first.standard_address}` }).check();
  await page.getByRole('button', { name: '标记为已安装' }).click();
  await page.waitForFunction(() => /已安装 1/.test(document.querySelector('section.order p')?.textContent ?? ''));
  const after = (await api(base, token, `addresses/plate-orders/${orderId}`)).body;
  assert.deepEqual(after.items.map((i) => i.stage).sort(), [...Array(order.items.length - 1).fill('produced'), 'installed'].sort());
  const sign = (await api(base, token, `signs/${first.sign_id}`)).body;
  assert.equal(sign.sign.status, 'installed');
  await shot(page, 'app-plates-order');

  // A field check records a problem on a worklist address; it shows with its source.
  const row = page.getByRole('row', { name: new RegExp(order.items[1].standard_address) }).last();
  await row.getByRole('button', { name: '登记核查问题' }).click();
  await row.getByLabel('问题类型').selectOption('damaged');
  await row.getByLabel('核查情况').fill('门牌脱落一角（浏览器测试）');
  await row.getByRole('button', { name: '登记问题' }).click();
  await page.getByText('门牌脱落一角（浏览器测试）').waitFor();
  assert.match(await page.getByRole('row', { name: /门牌脱落一角/ }).textContent(), /实地核查/);
  const flagged = (await api(base, token, 'addresses/plates?division=330421')).body;
  assert.equal(flagged.total.damaged, before.total.damaged + 1);
  await noSeriousViolations(page, 'plates-order');
  await page.context().close();
});

test('12 the API reference: the interactive page reads the OpenAPI document, under the CSP, with no request leaving the machine', async () => {
  // The page's own context keeps the service's Content-Security-Policy (newPage bypasses it for axe).
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  const response = await page.goto(`${base}/app/api-docs.html`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /script-src 'self'/);
  await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.swagger-ui .info .title').textContent(), /diming/);
  // The operations are grouped by tag; a tag opens on a click, an operation shows its
  // parameters (If-Match on an update) and its problems.
  assert.ok(await page.locator('.opblock-tag').count() >= 15, 'the tags are listed');
  await page.locator('.opblock-tag[data-tag="places"]').click();
  const update = page.locator('#operations-places-places_update');
  await update.locator('.opblock-summary').click();
  await update.locator('.responses-table').first().waitFor();
  assert.match(await update.textContent(), /If-Match/);
  assert.match(await update.textContent(), /application\/problem\+json/);
  assert.match(await update.textContent(), /412/);
  await page.waitForLoadState('networkidle');
  await shot(page, 'api-docs');
  const outside = requests.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
  assert.deepEqual(outside, [], 'no request leaves the machine');
  assert.ok(requests.includes(`${base}/api/v1/openapi.json`), requests.join('\n'));
  assert.deepEqual(problems, [], 'no script error, nothing refused by the CSP');
  await context.close();
});
