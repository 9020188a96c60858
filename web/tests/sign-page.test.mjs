// A person scans a sign's QR code with a phone: the page shows the name, its pinyin and a map;
// they report a problem; staff then see the ticket. Real Chromium, the real service, demo data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const binary = process.env.DIMING_BIN ?? join(targetDir, 'debug', 'diming');
const screenshots = join(targetDir, 'screenshots');
let server;
let base;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diming-web-'));
  server = spawn(binary, ['--database-url', `sqlite://${join(dir, 'demo.sqlite')}`, 'serve', '--demo',
    '--bind', '127.0.0.1:0', '--cookie-secure', 'false', '--data-dir', join(root, 'data')],
    { env: { ...process.env, RUST_LOG: 'info', NO_COLOR: '1' } });
  base = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${seen}`)), 60_000);
    const read = (chunk) => {
      seen += chunk.toString();
      const found = seen.replace(/\x1b\[[0-9;]*m/g, '').match(/listening on (http:\/\/[0-9.:]+)/);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    server.on('error', (error) => { clearTimeout(timer); reject(new Error(`cannot start ${binary}: ${error.message}`)); });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the service exited with ${code}:\n${seen}`)); });
  });
});

after(() => server?.kill());

async function staffToken() {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'jiashan', password: 'diming-demo-2026' }),
  });
  assert.equal(response.status, 200);
  return (await response.json()).token;
}

test('a phone user reads a sign page, reports a problem, and staff see the ticket', async () => {
  const token = await staffToken();
  const signs = await (await fetch(`${base}/api/v1/signs?division=330421&kind=administrative_area&limit=100`,
    { headers: { authorization: `Bearer ${token}` } })).json();
  // An area sign with a position whose place has a romanization (not every demo record has one).
  let xitang;
  for (const s of signs.signs.filter((s) => s.sign.position)) {
    if ((await (await fetch(s.url)).text()).includes('class="py"')) { xitang = s; break; }
  }
  assert.ok(xitang, 'the demo data has an area sign with a position and pinyin in 嘉善县');

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', deviceScaleFactor: 2 });
    const response = await page.goto(xitang.url);
    assert.equal(response.status(), 200);
    const name = await page.locator('h1').textContent();
    assert.ok(/[\u4e00-\u9fff]/.test(name), `a Chinese name: ${name}`);
    assert.ok(await page.locator('.py').isVisible(), 'the pinyin is shown');
    assert.ok((await page.locator('.py').textContent()).length > 2);
    assert.ok(await page.locator('svg.map').isVisible(), 'the map is shown');
    assert.ok(await page.locator('svg.map path').count() > 0, 'the map draws the marker and boundaries');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'sign-page.png'), fullPage: true });

    await page.selectOption('select[name=kind]', 'dirty');
    await page.fill('textarea[name=text]', '标志牌被小广告覆盖（浏览器测试）');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    assert.match(await page.locator('h1').textContent(), /感谢/);
    await page.screenshot({ path: join(screenshots, 'sign-report-sent.png') });
  } finally {
    await browser.close();
  }

  const reports = await (await fetch(`${base}/api/v1/signs/reports?status=open`,
    { headers: { authorization: `Bearer ${token}` } })).json();
  const ticket = reports.reports.find((r) => r.text === '标志牌被小广告覆盖（浏览器测试）');
  assert.ok(ticket, 'staff see the ticket');
  assert.equal(ticket.kind, 'dirty');
  assert.equal(ticket.public_code, xitang.sign.public_code);
});

test('an unknown code in the browser gets the friendly page, in English on request', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const response = await page.goto(`${base}/s/ZZZZZZZZZ?lang=en`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').textContent(), 'Sign not found');
  } finally {
    await browser.close();
  }
});

// axe-core from npm, injected into the page: no serious or critical accessibility violation on
// the public pages a phone opens (Chinese and English, and the page of an unknown code).
const axeSource = join(root, 'web', 'node_modules', 'axe-core', 'axe.min.js');

async function seriousViolations(page) {
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('the public pages have no serious accessibility violation (axe-core)', async () => {
  const token = await staffToken();
  const signs = await (await fetch(`${base}/api/v1/signs?division=330421&limit=20`,
    { headers: { authorization: `Bearer ${token}` } })).json();
  const sign = signs.signs.find((s) => s.sign.position);
  assert.ok(sign, 'a sign with a position');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    // The pages forbid every script by their Content Security Policy; the test's own is let in.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    for (const url of [sign.url, `${sign.url}?lang=en`, `${base}/s/ZZZZZZZZZ`, `${base}/s/ZZZZZZZZZ?lang=en`]) {
      await page.goto(url);
      assert.deepEqual(await seriousViolations(page), [], url);
    }
  } finally {
    await browser.close();
  }
});
