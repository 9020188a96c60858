// Shared by the browser tests of the staff application: the real service on port 0 with the
// demo data, Debian's Chromium, screenshots under target/screenshots/, and axe-core checks.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const binary = process.env.DIMING_BIN ?? join(targetDir, 'debug', 'diming');
export const screenshots = join(targetDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });
export const PASSWORD = 'diming-demo-2026';

export async function startService() {
  const dir = mkdtempSync(join(tmpdir(), 'diming-app-'));
  const server = spawn(binary, ['--database-url', `sqlite://${join(dir, 'demo.sqlite')}`, 'serve', '--demo',
    '--bind', '127.0.0.1:0', '--cookie-secure', 'false', '--data-dir', join(root, 'data')],
  { env: { ...process.env, RUST_LOG: 'warn,diming=info', NO_COLOR: '1' } });
  const base = await new Promise((resolve, reject) => {
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
  return { server, base };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new signed-out page; axe needs its script let in past the app's CSP. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', bypassCSP: true, ...options });
  return context.newPage();
}

/** Signs in through the form, by keyboard. */
export async function signIn(page, base, username) {
  await page.goto(`${base}/`);
  await page.getByLabel('用户名').fill(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('header.top').waitFor();
}

export async function apiToken(base, username) {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  return (await response.json()).token;
}

export async function api(base, token, path, init = {}) {
  const response = await fetch(`${base}/api/v1/${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { status: response.status, etag: response.headers.get('etag'), body: await response.json().catch(() => null) };
}

const axeSource = join(root, 'web', 'node_modules', 'axe-core', 'axe.min.js');
/** Serious or critical axe-core violations on the page as it is now. */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
}

export async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
}
