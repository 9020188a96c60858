// Benchmark (not a test): the first screen of the staff application on the demo data in
// headless Chromium — the compressed JavaScript it loads, and the time from navigation to the
// map drawn with the register's names (divisions and places), median of several runs.
// Run: CARGO_TARGET_DIR=target node web/bench/first-screen.mjs [runs]
import { startService, launch, apiToken } from '../tests/harness.mjs';

const runs = Number(process.argv[2] ?? 7);
const { server, base } = await startService();
const browser = await launch();
try {
  const token = await apiToken(base, 'jiashan');
  const times = [];
  let js = null;
  for (let i = 0; i < runs; i++) {
    // A fresh context each time: nothing cached, as on a first visit (signed in by cookie).
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: 'diming_session', value: token, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.waitForFunction(() => window.dimingDataRender, null, { timeout: 30_000 });
    times.push(await page.evaluate(() => window.dimingDataRender));
    js = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((r) => r.name.endsWith('.js'))
      .map((r) => ({ name: r.name.split('/').pop(), transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize })));
    await context.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const encoded = js.reduce((n, r) => n + r.encoded, 0);
  const decoded = js.reduce((n, r) => n + r.decoded, 0);
  console.log(`first screen JavaScript: ${(encoded / 1024).toFixed(1)} KB compressed (${(decoded / 1024).toFixed(1)} KB uncompressed) in ${js.length} file(s)`);
  console.log(`navigation to map drawn with names: median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms over ${runs} runs`);
} finally {
  await browser.close();
  server.kill();
}
