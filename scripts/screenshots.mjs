// Screenshots of the pages people use, at desktop width and at 390 px (a phone), into
// docs/screenshots/. Not part of CI: run after a change to a page, then look at them.
//   YIWANG_BIN=/var/tmp/yiwang-target/debug/yiwang node scripts/screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const BIN = process.env.YIWANG_BIN ?? '/var/tmp/yiwang-target/debug/yiwang';
const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;
const PASSWORD = 'yiwang-demo-2026';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function waitReady(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready: ${url}`);
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), 'yiwang-shots-'));
const server = spawn(BIN, ['demo', '--db', `sqlite://${join(dir, 'demo.db')}`, '--addr', `127.0.0.1:${port}`], {
  stdio: 'ignore',
});
try {
  await waitReady(`${base}/readyz`, 180_000);
  // A question with personal data in it, so that the staff form shows what must be redacted.
  const token = async (u) =>
    (
      await (
        await fetch(`${base}/api/v1/auth/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: u, password: PASSWORD, name: 'screenshots' }),
        })
      ).json()
    ).token;
  const citizen = await token('zhangwei');
  const hits = await (await fetch(`${base}/api/v1/catalog/search?q=${encodeURIComponent('开饭店')}`)).json();
  const item = hits.hits[0].id;
  await fetch(`${base}/api/v1/catalog/items/${item}/questions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${citizen}` },
    body: JSON.stringify({ question: '我叫张伟,电话13912345678,身份证320102199001011234,开饭店需要哪些材料?' }),
  });

  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const shots = [
    [null, '/?start=2026-12-28&days=5', 'calculator-provisional'],
    ['zhangwei', '/hall/my-questions', 'my-questions'],
    ['approver', '/catalog/questions', 'question-queue'],
    ['admin', '/admin/calendar', 'admin-calendar'],
    ['admin', '/home', 'admin-home'],
  ];
  for (const [user, path, name] of shots) {
    for (const [suffix, width] of [['desktop', 1280], ['390', 390]]) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await ctx.newPage();
      if (user) {
        await page.goto(`${base}/login`);
        await page.fill('input[name=username]', user);
        await page.fill('input[name=password]', PASSWORD);
        await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
      }
      await page.goto(`${base}${path}`);
      await page.screenshot({ path: join(OUT, `${name}-${suffix}.png`), fullPage: true });
      await ctx.close();
      console.log(`${name}-${suffix}.png`);
    }
  }
  await browser.close();
} finally {
  server.kill();
}
