// Headless-browser test of the sign-in flow against a real `yiwang demo` server.
//
//   YIWANG_BIN=/path/to/yiwang node tests/browser/signin.mjs
//
// Starts `$YIWANG_BIN demo` on a fresh SQLite database and a free port, drives
// Debian's Chromium through playwright-core, and always stops the server.
// Optional env: CHROMIUM_PATH (default /usr/bin/chromium),
// YIWANG_READY_TIMEOUT_MS (default 120000), CARGO_TARGET_DIR (screenshot dir).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const BIN = process.env.YIWANG_BIN;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const READY_TIMEOUT_MS = Number(process.env.YIWANG_READY_TIMEOUT_MS || 120_000);
const ACTION_TIMEOUT_MS = 30_000;
const NAV_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 180_000;

const USERNAME = 'window';
const PASSWORD = 'yiwang-demo-2026';
const DISPLAY_NAME = '李娜';
const BAD_CREDENTIALS = '用户名或密码错误';

const tmp = mkdtempSync(join(tmpdir(), 'yiwang-browser-'));
const shotDir = process.env.CARGO_TARGET_DIR
  ? join(process.env.CARGO_TARGET_DIR, 'browser')
  : join(tmp, 'browser');

let server; // child process
let serverExit = null; // { code, signal } once it has exited
let browser;
let base;

function log(msg) {
  process.stdout.write(`[browser-test] ${msg}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function pipeWithPrefix(stream, prefix, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

async function waitReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no response yet';
  while (Date.now() < deadline) {
    if (serverExit) {
      throw new Error(
        `yiwang exited before becoming ready (code ${serverExit.code}, signal ${serverExit.signal}); see [yiwang] lines above`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'manual' });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`);
}

async function stopServer() {
  if (!server || serverExit) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const result = await Promise.race([exited.then(() => 'exited'), sleep(5_000).then(() => 'timeout')]);
  if (result === 'timeout' && !serverExit) {
    log('yiwang did not stop within 5 s of SIGTERM; sending SIGKILL');
    server.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
  }
}

// Last resort if the process dies without running the after hook.
function killServerNow() {
  if (server && !serverExit) {
    try {
      server.kill('SIGKILL');
    } catch {}
  }
}
process.on('exit', killServerNow);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => {
    log(`received ${sig}; stopping yiwang`);
    killServerNow();
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  });
}

/** Runs `fn(page)` in a fresh browser context; on failure saves a screenshot and page details. */
async function withPage(name, fn) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  page.on('pageerror', (err) => log(`page error (${name}): ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url;
    if (where && new URL(where).pathname === '/favicon.ico') return;
    log(`console error (${name}): ${msg.text()}${where ? ` [${where}]` : ''}`);
  });
  try {
    await fn(page);
  } catch (err) {
    try {
      mkdirSync(shotDir, { recursive: true });
      const file = join(shotDir, `failure-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      log(`failure screenshot: ${file}`);
      log(`page URL at failure: ${page.url()}`);
      const text = (await page.locator('body').innerText({ timeout: 2_000 })).slice(0, 1_000);
      log(`page text at failure:\n${text}`);
    } catch {}
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}

function pathOf(page) {
  return new URL(page.url()).pathname;
}

async function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}

/** Fills and submits the login form; resolves with the HTTP response of the POST. */
async function submitLogin(page, username, password) {
  const form = page.locator('form#login-form');
  await form.waitFor({ state: 'visible' }).catch(() => {
    throw new Error(`no visible form#login-form on ${page.url()}`);
  });
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
      { timeout: NAV_TIMEOUT_MS },
    ),
    form.locator('button[type=submit]').click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

before(
  async () => {
    assert.ok(BIN, 'YIWANG_BIN must point at the yiwang binary (e.g. $CARGO_TARGET_DIR/debug/yiwang)');
    assert.ok(existsSync(BIN), `YIWANG_BIN=${BIN} does not exist; run cargo build --bin yiwang`);
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing; run scripts/setup`);

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const db = `sqlite://${join(tmp, 'demo.db')}`;
    const args = ['demo', '--db', db, '--addr', `127.0.0.1:${port}`];
    log(`starting ${BIN} ${args.join(' ')}`);
    server = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    server.on('exit', (code, signal) => {
      serverExit = { code, signal };
      log(`yiwang exited (code ${code}, signal ${signal})`);
    });
    server.on('error', (err) => {
      serverExit = { code: null, signal: null };
      log(`could not start yiwang: ${err.message}`);
    });
    pipeWithPrefix(server.stdout, '[yiwang]', process.stdout);
    pipeWithPrefix(server.stderr, '[yiwang:err]', process.stdout);

    const started = Date.now();
    await waitReady(`${base}/readyz`, READY_TIMEOUT_MS);
    log(`server ready at ${base} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 120_000,
      // playwright-core gives every launch() a fresh temporary --user-data-dir and removes it on close.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    log(`chromium ${browser.version()} launched`);
  },
  { timeout: READY_TIMEOUT_MS + 180_000 },
);

after(
  async () => {
    if (browser) await browser.close().catch((err) => log(`closing chromium: ${err.message}`));
    await stopServer();
    rmSync(tmp, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

test('window officer signs in and out', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage('signin', async (page) => {
    await page.goto(`${base}/`);
    assert.equal(await htmlLang(page), 'zh-CN', `<html lang> on / (${page.url()})`);

    const login = await page.goto(`${base}/login`);
    assert.equal(login.status(), 200, 'GET /login status');
    const form = page.locator('form#login-form');
    assert.equal(await form.count(), 1, 'exactly one form#login-form on /login');
    for (const sel of ['input[name=username]', 'input[name=password]', 'button[type=submit]']) {
      assert.equal(await form.locator(sel).count(), 1, `form#login-form has ${sel}`);
    }
    const csrf = form.locator('input[name=_csrf]');
    assert.equal(await csrf.count(), 1, 'form#login-form has input[name=_csrf]');
    assert.equal(await csrf.getAttribute('type'), 'hidden', 'the _csrf input is hidden');
    assert.ok((await csrf.inputValue()).length > 0, 'the _csrf input carries a token');

    await submitLogin(page, USERNAME, PASSWORD);
    await page.waitForURL((url) => url.pathname.endsWith('/home'), { timeout: NAV_TIMEOUT_MS }).catch(() => {
      throw new Error(`after signing in as ${USERNAME} expected a URL ending /home, got ${page.url()}`);
    });
    const body = await page.locator('body').innerText();
    assert.ok(body.includes(DISPLAY_NAME), `home page shows the display name ${DISPLAY_NAME}`);
    assert.ok(
      (await page.locator('[data-testid=role-home]').count()) >= 1,
      'home page has an element [data-testid=role-home]',
    );

    mkdirSync(shotDir, { recursive: true });
    const shot = join(shotDir, 'home.png');
    await page.screenshot({ path: shot, fullPage: true });
    log(`screenshot: ${shot}`);

    // Sign out.
    const logout = page.locator('form[action="/logout"]');
    assert.ok((await logout.count()) >= 1, 'home page has form[action="/logout"]');
    await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/logout',
        { timeout: NAV_TIMEOUT_MS },
      ),
      logout.first().locator('button, input[type=submit]').first().click(),
    ]);
    await page.waitForLoadState('load');

    await page.goto(`${base}/home`);
    assert.equal(pathOf(page), '/login', `after signing out /home must redirect to /login (got ${page.url()})`);
  });
});

test('wrong password is rejected', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage('wrong-password', async (page) => {
    await page.goto(`${base}/login`);
    const response = await submitLogin(page, USERNAME, 'not-the-password');
    assert.equal(response.status(), 401, 'POST /login with a wrong password answers 401');
    assert.equal(pathOf(page), '/login', `stays on /login (got ${page.url()})`);
    const body = await page.locator('body').innerText();
    assert.ok(body.includes(BAD_CREDENTIALS), `page shows the error ${BAD_CREDENTIALS}`);
    assert.equal(await page.locator('form#login-form').count(), 1, 'the login form is shown again');
  });
});

test('language switch to English', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage('lang', async (page) => {
    await page.goto(`${base}/login`);
    assert.equal(await htmlLang(page), 'zh-CN', '<html lang> on /login before switching');
    const link = page.locator('a[href^="/lang/en"]').first();
    assert.ok((await page.locator('a[href^="/lang/en"]').count()) >= 1, '/login has a link a[href^="/lang/en"]');
    await link.click();
    await page
      .locator('html[lang="en"]')
      .waitFor({ state: 'attached', timeout: NAV_TIMEOUT_MS })
      .catch(async () => {
        throw new Error(`expected <html lang="en"> after the switch, got lang=${await htmlLang(page).catch(() => '?')} at ${page.url()}`);
      });
    await page.waitForLoadState('load');
    assert.equal(await htmlLang(page), 'en');
  });
});

test('hall: search, guide page, download a form', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage('hall', async (page) => {
    await page.goto(`${base}/hall`);
    assert.equal(await htmlLang(page), 'zh-CN', '<html lang> on /hall');
    const box = page.locator('input[name=q]').first();
    await box.fill('开饭店');
    await Promise.all([page.waitForURL((u) => u.pathname === '/hall/search'), box.press('Enter')]);
    // The obvious item comes first.
    const first = page.locator('a[href^="/hall/items/"], a[href^="/hall/bundles/"]').first();
    const firstText = await first.innerText();
    assert.ok(firstText.includes('食品经营许可'), `the first result for 开饭店 is a food business licence item (got ${firstText})`);
    const item = page.locator('a[href^="/hall/items/"]', { hasText: '食品经营许可' }).first();
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/hall/items/')), item.click()]);
    // The guide page shows the six openness elements.
    for (const id of ['open-content', 'open-procedure', 'open-basis', 'open-materials', 'open-limit', 'open-fees']) {
      assert.equal(await page.locator(`[data-testid=${id}]`).count(), 1, `guide page has [data-testid=${id}]`);
    }
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: join(shotDir, 'guide.png'), fullPage: true });
    // Download the blank application form.
    const link = page.locator('a[data-testid=download-form]').first();
    assert.ok((await page.locator('a[data-testid=download-form]').count()) >= 1, 'a blank form to download');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = join(tmp, 'form.xlsx');
    await download.saveAs(file);
    const name = download.suggestedFilename();
    assert.ok(name.endsWith('.xlsx'), `the form is an XLSX file (got ${name})`);
    const { statSync } = await import('node:fs');
    assert.ok(statSync(file).size > 1000, 'the downloaded form is not empty');
    log(`downloaded ${name} (${statSync(file).size} bytes)`);
  });
});
