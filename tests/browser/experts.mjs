// Headless-browser test of the expert's page (专家): the demo expert (孙建国) signs in, follows
// the home-page link to their page, sees the invitation of the demo's sealed draw — when and
// where only, never the project or the bidders — and confirms it; the invitation then shows as
// confirmed in the history. Screenshots at desktop width and 390 px go to
// $CARGO_TARGET_DIR/browser/experts-*.png.
//
//   YIWANG_BIN=/path/to/yiwang node tests/browser/experts.mjs
//
// The harness (tests/browser/harness.mjs) starts `$YIWANG_BIN demo` on a fresh SQLite database
// and a free port and drives Debian's Chromium through playwright-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clickAndLoad, pathOf, useDemo } from './harness.mjs';

const TEST_TIMEOUT_MS = 180_000;

const h = useDemo('experts');
const { withPage, shots, signIn } = h;

test('an expert receives an invitation and confirms it', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage('expert-confirms', async (page) => {
    await signIn(page, 'expert');
    await clickAndLoad(page, page.locator('a[href="/experts/me"]').first());
    assert.equal(pathOf(page), '/experts/me');
    const invitation = page.locator('[data-testid=invitation]');
    assert.equal(await invitation.count(), 1, 'one invitation waits for an answer');
    const text = await invitation.innerText();
    assert.match(text, /宿迁市公共资源交易中心第1评标室/, 'the invitation says where');
    // Confidential until check-in: the demo's sealed section is not named on the page.
    const body = await page.locator('main').innerText();
    assert.doesNotMatch(body, /第三标段|排水工程/, 'nothing about the section before check-in');
    assert.equal((await invitation.locator('[data-testid=invitation-state]').innerText()).trim(), '已通知');
    await shots(page, 'me');

    await clickAndLoad(page, invitation.locator('[data-testid=confirm]'));
    assert.equal(pathOf(page), '/experts/me');
    await page.locator('[data-testid=answered]').waitFor();
    assert.match(await page.locator('[data-testid=answered]').innerText(), /已确认参加/);
    assert.equal(await page.locator('[data-testid=invitation]').count(), 0, 'nothing left to answer');
    const history = await page.locator('[data-testid=history]').innerText();
    assert.match(history, /已确认/, 'the invitation is confirmed in the history');
    await shots(page, 'confirmed');
  });
});
