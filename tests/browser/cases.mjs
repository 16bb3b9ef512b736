// Headless-browser test of a case (办件) walked through the pages against a real `yiwang demo`
// server: the demo citizen applies online for an item of the Suqian market regulator, the
// window officer sends one 一次性告知, the citizen supplies the material, the window accepts,
// the approving officer records the opinion and decides and completes, the window delivers;
// the public progress page shows each step. Screenshots of every case page at desktop width
// and at 390 px go to $CARGO_TARGET_DIR/browser/cases-*.png.
//
//   YIWANG_BIN=/path/to/yiwang node tests/browser/cases.mjs
//
// The harness (tests/browser/harness.mjs) starts `$YIWANG_BIN demo` on a fresh SQLite database
// and a free port and drives Debian's Chromium through playwright-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clickAndLoad, pathOf, useDemo } from './harness.mjs';

const TEST_TIMEOUT_MS_CASE = 600_000;

const h = useDemo('cases');
const { withPage, shots, signIn } = h;

function pdf(what) {
  return { name: `${what}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${what}\n%%EOF\n`) };
}

async function stateOf(page) {
  return (await page.locator('[data-testid=case-state]').innerText()).trim();
}

/** Uploads one file for `material` on the case page. */
async function upload(page, material) {
  const form = page.locator('[data-testid=upload-form]');
  await form.locator('select[name=material]').selectOption(material);
  await form.locator('input[type=file]').setInputFiles(pdf(material));
  await clickAndLoad(page, form.locator('[data-testid=upload]'));
  assert.ok((await page.locator('.ok').count()) >= 1, `upload of ${material} confirmed (${page.url()})`);
}

test('a case from online application to delivery', { timeout: TEST_TIMEOUT_MS_CASE }, async () => {
  let caseUrl;
  let reviewed = true;
  let itemHref;
  let number;
  let code;

  // 1. The citizen applies online from the guide of an item they applied for before (a demo
  //    case of the Suqian market regulator, whose window and officers are demo accounts).
  await withPage('cases-applicant', async (page) => {
    await signIn(page, 'zhangwei');
    await page.goto(`${h.base}/cases/mine`);
    await clickAndLoad(page, page.locator('[data-testid=my-cases] a').first());
    itemHref = await page.locator('[data-testid=item-guide]').getAttribute('href');
    await clickAndLoad(page, page.locator('[data-testid=item-guide]'));
    await clickAndLoad(page, page.locator('[data-testid=apply-online]'));
    assert.ok(pathOf(page).startsWith('/cases/apply/'), `apply page (${page.url()})`);
    // Each field by its kind: the hint carries a valid example.
    for (const input of await page.locator('input[name^=f_]').all()) {
      const hintId = await input.getAttribute('aria-describedby');
      const example = hintId
        ? (await page.locator(`#${hintId}`).innerText()).split('例：').pop().trim()
        : '示例内容';
      await input.fill(example);
    }
    await shots(page, 'apply');
    await clickAndLoad(page, page.locator('[data-testid=apply-form] button[type=submit]'));
    assert.ok(/^\/cases\/[^/]+$/.test(pathOf(page)), `the draft's case page (${page.url()})`);
    caseUrl = page.url().split('?')[0].split('#')[0];
    assert.equal(await stateOf(page), '暂存');
    const materials = await page.locator('[data-testid=upload-form] select[name=material] option').allInnerTexts();
    for (const m of materials) await upload(page, m.trim());
    await shots(page, 'draft');
    await clickAndLoad(page, page.locator('[data-testid=submit]'));
    number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    code = (await page.locator('[data-testid=query-code]').innerText()).trim();
    assert.ok(number.length >= 14 && code.length === 8, `number ${number}, code ${code}`);
    await shots(page, 'submitted');
    await page.goto(`${h.base}/cases/mine`);
    assert.ok((await page.locator('body').innerText()).includes(number), 'my cases lists it');
    await shots(page, 'mine');
  });

  // 2. The window officer sends one 一次性告知 naming a defective material.
  let defective;
  await withPage('cases-window-notice', async (page) => {
    await signIn(page, 'window');
    // The walk-in registration form of the same item (not submitted here).
    await page.goto(`${h.base}${itemHref}`);
    await clickAndLoad(page, page.locator('[data-testid=register-window]'));
    assert.ok((await page.locator('[data-testid=window-form]').count()) === 1, 'window registration form');
    await shots(page, 'window-register');
    await page.goto(`${h.base}/cases/inbox`);
    await shots(page, 'inbox-window');
    await clickAndLoad(page, page.locator(`a:has-text("${number}")`).first());
    const box = page.locator('input[name=defect]').first();
    defective = await box.getAttribute('value');
    await box.check();
    await page.locator('textarea[name=note]').fill('复印件不清晰，请重新扫描上传。');
    await shots(page, 'case-window');
    await clickAndLoad(page, page.locator('[data-testid=send-notice]'));
    assert.equal(await stateOf(page), '补正');
  });

  // 3. The citizen sees the notice, uploads the material again and supplies the correction.
  await withPage('cases-applicant-correction', async (page) => {
    await signIn(page, 'zhangwei');
    await page.goto(caseUrl);
    const notice = page.locator('[data-testid=open-notice]');
    assert.ok((await notice.innerText()).includes(defective), `the notice names ${defective}`);
    await shots(page, 'notice');
    // The notice carries an upload for each material it names.
    const fix = page
      .locator('[data-testid=notice-upload]')
      .filter({ has: page.locator(`input[name=material][value="${defective}"]`) });
    await fix.locator('input[type=file]').setInputFiles(pdf(defective));
    await clickAndLoad(page, fix.locator('button[type=submit]'));
    assert.ok((await page.locator('[data-testid=supplied]').count()) >= 1, `the notice shows the corrected ${defective}`);
    await clickAndLoad(page, page.locator('[data-testid=supply]'));
    assert.equal(await stateOf(page), '预审');
  });

  // 4. The window accepts.
  await withPage('cases-window-accept', async (page) => {
    await signIn(page, 'window');
    await page.goto(caseUrl);
    await clickAndLoad(page, page.locator('[data-testid=accept]'));
    const accepted = await stateOf(page);
    assert.ok(['审查中', '已决定'].includes(accepted), `accepted: ${accepted}`);
    reviewed = accepted === '审查中';
  });

  // 5. The approving officer (and the head for a head's step) record the opinions; the officer
  //    decides and completes.
  for (const who of ['approver', 'depthead']) {
    await withPage(`cases-${who}-opinion`, async (page) => {
      await signIn(page, who);
      if (who === 'approver') {
        await page.goto(`${h.base}/cases/inbox`);
        await shots(page, 'inbox-approver');
      }
      await page.goto(caseUrl);
      for (let n = 0; n < 10; n++) {
        const form = page.locator('[data-testid=opinion-form]').first();
        if ((await page.locator('[data-testid=opinion-form]').count()) === 0) break;
        await form.locator('textarea[name=comment]').fill('材料齐全，符合法定形式，同意。');
        if (who === 'approver' && n === 0) await shots(page, 'case-approver');
        await clickAndLoad(page, form.locator('[data-testid=record-opinion]'));
      }
    });
  }
  await withPage('cases-approver-decide', async (page) => {
    await signIn(page, 'approver');
    await page.goto(caseUrl);
    // A 即办件 is decided on acceptance.
    if ((await page.locator('[data-testid=approve]').count()) > 0) {
      await clickAndLoad(page, page.locator('[data-testid=approve]'));
    }
    assert.equal(await stateOf(page), '已决定');
    await clickAndLoad(page, page.locator('[data-testid=complete]'));
    assert.equal(await stateOf(page), '办结');
  });

  // 6. The window hands out the result by post.
  await withPage('cases-window-deliver', async (page) => {
    await signIn(page, 'window');
    await page.goto(caseUrl);
    await page.locator('input[name=mode][value=post]').check();
    await page.locator('input[name=tracking_number]').fill('SF1234567890');
    await clickAndLoad(page, page.locator('[data-testid=deliver]'));
    assert.equal(await stateOf(page), '已送达');
    await shots(page, 'delivered');
  });

  // 7. The public progress page, signed out, shows each step; the public list masks the name.
  await withPage('cases-public', async (page) => {
    await page.goto(`${h.base}/cases/progress`);
    await page.locator('input[name=number]').fill(number);
    await page.locator('input[name=code]').fill(code);
    await clickAndLoad(page, page.locator('[data-testid=progress-form] button[type=submit]'));
    const steps = await page.locator('[data-testid=progress-steps]').innerText();
    const expected = ['提交申报', '一次性告知补正', '提交补正材料', '受理', '准予', '办结', '送达'];
    if (reviewed) expected.push('分送审查', '提出审查意见');
    for (const step of expected) {
      assert.ok(steps.includes(step), `the progress shows ${step}:\n${steps}`);
    }
    await shots(page, 'progress');
    await page.goto(`${h.base}/cases/public`);
    const text = await page.locator('body').innerText();
    assert.ok(!/\d{17}[\dX]/.test(text.replace(/\d{20,}/g, '')), 'no ID number on the public list');
    await shots(page, 'public');
  });

  // 8. The supervisor's overview of warnings and violations by department.
  await withPage('cases-supervision', async (page) => {
    await signIn(page, 'supervisor');
    await page.goto(`${h.base}/cases/supervision`);
    assert.ok((await page.locator('h1').innerText()).includes('电子监察'), 'supervision page');
    await shots(page, 'supervision');
  });
});
