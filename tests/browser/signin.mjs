// Headless-browser test of the sign-in flow against a real `yiwang demo` server.
//
//   YIWANG_BIN=/path/to/yiwang node tests/browser/signin.mjs
//
// The harness (tests/browser/harness.mjs) starts `$YIWANG_BIN demo` on a fresh SQLite database
// and a free port and drives Debian's Chromium through playwright-core.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NAV_TIMEOUT_MS, PASSWORD, htmlLang, log, pathOf, submitLogin, useDemo } from './harness.mjs';

const TEST_TIMEOUT_MS = 180_000;

const USERNAME = 'window';
const DISPLAY_NAME = '李娜';
const BAD_CREDENTIALS = '用户名或密码错误';

const h = useDemo('signin');
const { withPage } = h;

test('window officer signs in and out', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage('signin', async (page) => {
    await page.goto(`${h.base}/`);
    assert.equal(await htmlLang(page), 'zh-CN', `<html lang> on / (${page.url()})`);

    const login = await page.goto(`${h.base}/login`);
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

    mkdirSync(h.shotDir, { recursive: true });
    const shot = join(h.shotDir, 'home.png');
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

    await page.goto(`${h.base}/home`);
    assert.equal(pathOf(page), '/login', `after signing out /home must redirect to /login (got ${page.url()})`);
  });
});

test('wrong password is rejected', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage('wrong-password', async (page) => {
    await page.goto(`${h.base}/login`);
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
    await page.goto(`${h.base}/login`);
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
    await page.goto(`${h.base}/hall`);
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
    mkdirSync(h.shotDir, { recursive: true });
    await page.screenshot({ path: join(h.shotDir, 'guide.png'), fullPage: true });
    // Download the blank application form.
    const link = page.locator('a[data-testid=download-form]').first();
    assert.ok((await page.locator('a[data-testid=download-form]').count()) >= 1, 'a blank form to download');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = join(mkdtempSync(join(tmpdir(), 'yiwang-download-')), 'form.xlsx');
    await download.saveAs(file);
    const name = download.suggestedFilename();
    assert.ok(name.endsWith('.xlsx'), `the form is an XLSX file (got ${name})`);
    assert.ok(statSync(file).size > 1000, 'the downloaded form is not empty');
    log(`downloaded ${name} (${statSync(file).size} bytes)`);
  });
});
