// Daily use (issue 12): a rejected form keeps what was typed with the error
// at its field; 发布预警 asks first, saying what it sends where, and nothing
// happens when the question is declined; the town's report form and the
// public pages fit a 390 × 844 phone without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, loginAs } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Whether the page scrolls sideways. */
async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('a rejected report keeps what was typed, the error at its field', async () => {
  const { context, page } = await loginAs(browser, 'town');
  await page.goto(`${BASE}/emergency/report`);
  await page.fill('#report-form input[name=title]', '浏览器测试道路塌陷');
  await page.fill('#report-form input[name=place]', '水泉镇某路段');
  await page.fill('#report-form input[name=injured]', '1人');
  await page.check('#report-form input[name=may_escalate]');
  await submit(page, '#submit-report');
  assert.equal(await page.inputValue('#report-form input[name=title]'), '浏览器测试道路塌陷');
  assert.equal(await page.inputValue('#report-form input[name=injured]'), '1人');
  assert.ok(await page.isChecked('#report-form input[name=may_escalate]'));
  assert.equal(await page.getAttribute('#f-injured', 'aria-describedby'), 'e-injured');
  assert.match(await page.textContent('#e-injured'), /1人/);
  assert.match(await page.textContent('#error-summary'), /请修改以下 1 处/);
  await context.close();
});

test('issuing a warning asks first, and declining issues nothing', async () => {
  const headline = `浏览器测试大风蓝色预警${Date.now()}`;
  const bureau = await loginAs(browser, 'emergency');
  const page = bureau.page;
  await page.goto(`${BASE}/emergency/warnings`);
  assert.equal(await page.inputValue('#warning-form select[name=level]'), '', 'no level preselected');
  assert.equal(await page.locator('#warning-form input[type=checkbox]:checked').count(), 0, 'nothing ticked');
  await page.fill('#warning-form input[name=headline]', headline);
  await page.selectOption('#warning-form select[name=incident_type]', '气象灾害');
  await page.fill('#warning-form textarea[name=description]', '预计阵风8级');
  await page.fill('#warning-form textarea[name=instruction]', '加固临时设施');
  await page.check('#warning-form input[name=areas][value="水泉镇"]');
  // Without a level or a channel the draft comes back with what was typed.
  await submit(page, '#draft-warning');
  assert.equal(await page.inputValue('#warning-form input[name=headline]'), headline);
  assert.ok(await page.isChecked('#warning-form input[name=areas][value="水泉镇"]'));
  assert.match(await page.textContent('#error-summary'), /预警级别/);
  await page.selectOption('#warning-form select[name=level]', '4');
  await page.check('#warning-form input[name=channels] >> nth=0');
  await submit(page, '#draft-warning');
  const url = page.url();
  page.once('dialog', (d) => d.accept());
  await submit(page, '#submit-warning');

  const admin = await loginAs(browser, 'admin');
  admin.page.on('dialog', (d) => d.accept());
  await admin.page.goto(url);
  await submit(admin.page, '#approve-warning');
  await admin.context.close();

  await page.goto(url);
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await page.click('#issue-warning');
  await page.waitForTimeout(300);
  assert.match(asked, /将向 1 个渠道发布.*（蓝色）预警/);
  assert.match(await page.textContent('#warning-state'), /已审批/, 'declined: nothing issued');
  page.once('dialog', (d) => d.accept());
  await submit(page, '#issue-warning');
  assert.match(await page.textContent('#warning-state'), /已发布/);
  page.once('dialog', (d) => d.accept());
  await submit(page, '#lift-warning');
  await bureau.context.close();
});

test('at 390 × 844 the report form and the public pages do not scroll sideways', async () => {
  const phone = { viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true };
  const pub = await browser.newContext(phone);
  const pp = await pub.newPage();
  for (const path of ['/public', '/policy', '/calendar', '/login']) {
    await pp.goto(`${BASE}${path}`);
    assert.ok(await overflow(pp) <= 0, `${path} scrolls sideways by ${await overflow(pp)} px`);
  }
  await pub.close();

  const town = await browser.newContext(phone);
  const page = await town.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', 'town');
  await page.fill('input[name=password]', 'shanting-demo');
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('#login-form button[type=submit]')]);
  for (const path of ['/emergency/report', '/emergency']) {
    await page.goto(`${BASE}${path}`);
    assert.ok(await overflow(page) <= 0, `${path} scrolls sideways by ${await overflow(page)} px`);
  }
  // A rejected report at phone size stays within the screen too.
  await page.goto(`${BASE}/emergency/report`);
  await page.fill('#report-form input[name=title]', '手机测试');
  await page.fill('#report-form input[name=deaths]', '无');
  await submit(page, '#submit-report');
  assert.ok(await overflow(page) <= 0, `the rejected report scrolls sideways by ${await overflow(page)} px`);
  await town.close();
});
