// Shared harness of the headless-browser tests: starts `$YIWANG_BIN demo` on a fresh SQLite
// database and a free port, launches Debian's Chromium through playwright-core, and always stops
// the server. Each test file calls `useDemo(prefix)` once at top level; it registers the
// node:test `before` and `after` hooks and returns the handle the tests use.
//
// Optional env: CHROMIUM_PATH (default /usr/bin/chromium), YIWANG_READY_TIMEOUT_MS (default
// 120000), CARGO_TARGET_DIR (screenshots go to $CARGO_TARGET_DIR/browser).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const BIN = process.env.YIWANG_BIN;
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const READY_TIMEOUT_MS = Number(process.env.YIWANG_READY_TIMEOUT_MS || 120_000);
export const ACTION_TIMEOUT_MS = 30_000;
export const NAV_TIMEOUT_MS = 60_000;
/** The demo users' password. */
export const PASSWORD = 'yiwang-demo-2026';

export function log(msg) {
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

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

export async function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}

/** Fills and submits the login form; resolves with the HTTP response of the POST. */
export async function submitLogin(page, username, password) {
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

/** Clicks a button that posts a form and waits for the next page. */
export async function clickAndLoad(page, locator) {
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), locator.click()]);
}

/**
 * Registers the hooks that start the demo server and Chromium before the file's tests and stop
 * them after. `prefix` names the screenshots. Returns the handle: `base` (the server's URL),
 * `browser`, `withPage`, `shots`, `signIn`, `shotDir`.
 */
export function useDemo(prefix) {
  const tmp = mkdtempSync(join(tmpdir(), 'yiwang-browser-'));
  const shotDir = process.env.CARGO_TARGET_DIR
    ? join(process.env.CARGO_TARGET_DIR, 'browser')
    : join(tmp, 'browser');
  let server; // child process
  let serverExit = null; // { code, signal } once it has exited
  const h = { base: undefined, browser: undefined, shotDir };

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
  h.withPage = async function withPage(name, fn) {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
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
        const file = join(shotDir, `failure-${prefix}-${name}.png`);
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
  };

  /** A full-page screenshot at desktop width and one at 390 px. */
  h.shots = async function shots(page, name) {
    mkdirSync(shotDir, { recursive: true });
    const desktop = join(shotDir, `${prefix}-${name}.png`);
    await page.screenshot({ path: desktop, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const phone = join(shotDir, `${prefix}-${name}-390.png`);
    await page.screenshot({ path: phone, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    log(`screenshots: ${desktop}, ${phone}`);
  };

  /** Signs in as a demo user and waits for the home page. */
  h.signIn = async function signIn(page, username) {
    await page.goto(`${h.base}/login`);
    const response = await submitLogin(page, username, PASSWORD);
    assert.ok(response.status() < 400, `sign in as ${username}: ${response.status()}`);
    await page.waitForURL((u) => u.pathname === '/home');
  };

  before(
    async () => {
      assert.ok(BIN, 'YIWANG_BIN must point at the yiwang binary (e.g. $CARGO_TARGET_DIR/debug/yiwang)');
      assert.ok(existsSync(BIN), `YIWANG_BIN=${BIN} does not exist; run cargo build --bin yiwang`);
      assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing; run scripts/setup`);

      const port = await freePort();
      h.base = `http://127.0.0.1:${port}`;
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
      await waitReady(`${h.base}/readyz`, READY_TIMEOUT_MS);
      log(`server ready at ${h.base} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

      h.browser = await chromium.launch({
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
      log(`chromium ${h.browser.version()} launched`);
    },
    { timeout: READY_TIMEOUT_MS + 180_000 },
  );

  after(
    async () => {
      if (h.browser) await h.browser.close().catch((err) => log(`closing chromium: ${err.message}`));
      await stopServer();
      rmSync(tmp, { recursive: true, force: true });
    },
    { timeout: 60_000 },
  );

  return h;
}
