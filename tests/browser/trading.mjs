// Headless-browser test of a tender walked through the trading pages (公共资源交易) against a
// real `yiwang demo` server: the trading centre accepts a section's 进场登记 and the tenderee
// uploads its documents and publishes it; the public portal, search and e-ID; the demo bidder
// renews its signing key, seals and signs a bid IN THE PAGE (HPKE + SM2 in the browser), saves
// its bid key and submits it before the deadline of the demo's 第六标段 (a few minutes after the
// demo starts, with two sealed demo bids already in); the test then polls until the job runner
// has opened the section, decrypts its own bid in the page with the saved key, and reads the
// opening record. Screenshots of every trading page at desktop width and at 390 px go to
// $CARGO_TARGET_DIR/browser/trading-*.png.
//
//   YIWANG_BIN=/path/to/yiwang node tests/browser/trading.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { clickAndLoad, log, useDemo } from './harness.mjs';

const TEST_TIMEOUT_MS = 900_000;
/** How long after the section's deadline the opening may take to show (job poll + load). */
const OPENING_GRACE_MS = 120_000;
const POLL_MS = 1_000;

const h = useDemo('trading');
const { withPage, shots, signIn } = h;

const ROAD = '第一标段（道路工程）';
const CLOSING = '第六标段（交通设施工程）';
const BIDDER_FIRM = '宿迁宏远建设工程有限公司';

function pdf(what) {
  return { name: `${what}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.7\n% ${what}\n%%EOF\n`) };
}

/** The text of a download started by clicking `locator`. */
async function downloadText(page, locator) {
  const [download] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  return readFileSync(await download.path(), 'utf8');
}

test('a tender published, a bid sealed in the page, and the opening', { timeout: TEST_TIMEOUT_MS }, async () => {
  // 1. The centre accepts the road section's entry (进场登记) from its desk.
  await withPage('trading-centre', async (page) => {
    await signIn(page, 'trading');
    await clickAndLoad(page, page.locator('a[href="/trading/centre"]').first());
    await shots(page, 'centre-desk');
    const row = page.locator('[data-testid=centre-pending] tr', { hasText: ROAD });
    await clickAndLoad(page, row.locator('[data-testid=accept]'));
    assert.equal(await page.locator('[data-testid=centre-pending] tr', { hasText: ROAD }).count(), 0, 'accepted');
    assert.ok(await page.locator('[data-testid=centre-accepted] tr', { hasText: ROAD }).count(), 'now to be published');
  });

  // 2. The tenderee uploads the documents (one clause flagged as 量体裁衣 would block) and
  //    publishes with the lawful dates the platform proposes.
  let roadUrl;
  await withPage('trading-tenderee', async (page) => {
    await signIn(page, 'tenderee');
    await clickAndLoad(page, page.locator('a[href="/trading/tenders"]').first());
    await shots(page, 'tenders');
    await clickAndLoad(page, page.locator('[data-testid=my-tenders] a', { hasText: ROAD }));
    const upload = page.locator('[data-testid=upload-documents]');
    await upload.locator('input[type=file]').setInputFiles(pdf('招标文件'));
    await upload.locator('textarea').fill('投标人须具备市政公用工程施工总承包二级及以上资质。\n工期365日历天。');
    await clickAndLoad(page, upload.locator('button[type=submit]'));
    assert.ok(await page.locator('.ok').count(), 'documents uploaded');
    await shots(page, 'tender-section');
    await clickAndLoad(page, page.locator('[data-testid=publish] button[type=submit]'));
    assert.ok(new URL(page.url()).pathname.startsWith('/trading/sections/'), `published (${page.url()})`);
    roadUrl = page.url();
    assert.match(await page.locator('[data-testid=section-state]').innerText(), /招标|Tendering/);
  });

  // 2b. The centre holds the key ceremony for the new section's sealed bids (shares shown once).
  await withPage('trading-custodian', async (page) => {
    await signIn(page, 'trading');
    await page.goto(`${h.base}/trading/centre`);
    const row = page.locator('[data-testid=centre-tendering] tr', { hasText: ROAD });
    await clickAndLoad(page, row.locator('[data-testid=custodian-key]'));
    assert.equal(await page.locator('.shares-list li').count(), 5, 'five shares');
    await shots(page, 'custodian-key');
  });

  // 3. The public portal: the new announcement, a search, the section and its e-ID.
  await withPage('trading-public', async (page) => {
    await page.goto(`${h.base}/trading`);
    assert.ok(await page.locator('[data-testid=trading-sections] a', { hasText: ROAD }).count(), 'listed');
    await shots(page, 'portal');
    await page.locator('#t-q').fill('排水');
    await clickAndLoad(page, page.locator('[data-testid=trading-search] button[type=submit]'));
    assert.equal(await page.locator('[data-testid=trading-sections] tbody tr').count(), 1, 'one drainage section');
    await shots(page, 'portal-search');
    await page.goto(roadUrl);
    await shots(page, 'section');
    await clickAndLoad(page, page.locator('[data-testid=eid-link]'));
    assert.ok(await page.locator('[data-testid=eid-qr] svg').count(), 'QR code');
    await shots(page, 'eid');
  });

  // 4. The bidder renews its signing key, seals and signs a bid in the page and submits it.
  let bidUrl;
  let bidKey;
  let deadline;
  await withPage('trading-bidder', async (page) => {
    await signIn(page, 'bidder');
    await clickAndLoad(page, page.locator('a[href="/trading/bidding"]').first());
    await shots(page, 'bidding');
    await clickAndLoad(page, page.locator('[data-testid=renew-key]'));
    const signingKey = await page.locator('[data-testid=signing-key]').inputValue();
    assert.match(signingKey, /private_key=[0-9a-f]{64}/);
    await shots(page, 'signing-key');
    await page.goto(`${h.base}/trading/bidding`);
    await clickAndLoad(page, page.locator('[data-testid=bidder-sections] a', { hasText: CLOSING }));
    bidUrl = page.url();
    const section = bidUrl.split('/').pop();
    const deadlineText = await page.locator('#seal-panel').getAttribute('data-section');
    assert.equal(deadlineText, section);
    await page.locator('[data-testid=open-deposit]').click();
    await page.waitForSelector('[data-testid=virtual-account]');
    await shots(page, 'bid-page');
    const form = page.locator('[data-testid=seal-form]');
    await form.locator('#b-file').setInputFiles(pdf('投标文件'));
    await form.locator('#b-price').fill('1750000.00');
    await form.locator('#b-days').fill('300');
    await form.locator('#b-key').setInputFiles({
      name: 'signing-key.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(signingKey),
    });
    await form.locator('[data-testid=seal]').click();
    await page.waitForSelector('[data-testid=download-bid-key]', { state: 'visible' });
    bidKey = await downloadText(page, page.locator('[data-testid=download-bid-key]'));
    assert.match(bidKey, /^yiwang-bid-key\/v1\n/);
    await page.locator('[data-testid=key-saved]').check();
    await shots(page, 'sealed');
    await page.locator('[data-testid=submit-bid]').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=seal-status]')?.dataset.receipt
        || document.querySelector('[data-testid=seal-status].error'),
    );
    const status = await page.locator('[data-testid=seal-status]').innerText();
    assert.match(status, /递交成功|Submitted/, status);
    await page.waitForSelector('[data-testid=receipts]');
    await shots(page, 'receipt');
    // The deadline as the public page states it (Beijing time, to the minute).
    await page.goto(`${h.base}/trading/sections/${section}`);
    deadline = await page.locator('[data-testid=deadline]').innerText();
    log(`bid submitted; deadline ${deadline}`);
  });

  // 5. The job runner opens the section at the deadline; the bidder decrypts its own bid.
  await withPage('trading-opening', async (page) => {
    await signIn(page, 'bidder');
    const until = Date.now() + 4 * 60_000 + OPENING_GRACE_MS;
    for (;;) {
      await page.goto(bidUrl);
      if (await page.locator('[data-testid=decrypt-form]').count()) break;
      assert.ok(Date.now() < until, `the section was not opened in time (deadline ${deadline})`);
      await sleep(POLL_MS);
    }
    await shots(page, 'decrypt');
    await page.locator('#d-key').fill(bidKey);
    await clickAndLoad(page, page.locator('[data-testid=decrypt]'));
    const msg = await page.locator('[data-testid=bid-message]').innerText();
    assert.match(msg, /1,750,000\.00/, msg);
    await shots(page, 'decrypted');
    await page.goto(bidUrl.replace('/trading/bidding/', '/trading/sections/'));
    const record = page.locator('[data-testid=opening-record]');
    const mine = record.locator('tr', { hasText: BIDDER_FIRM });
    assert.match(await mine.innerText(), /1,750,000\.00/);
    assert.equal(await record.locator('tbody tr').count(), 3, 'three bids at the opening');
    assert.ok(await page.locator('[data-testid=opening-started]').count(), 'opened, not failed');
    await shots(page, 'opening');
  });
});
