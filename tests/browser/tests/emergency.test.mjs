// Emergency management in a real browser: a town files a report, the live
// board shows it without reloading, 区政府 (the admin account) raises the
// response to level Ⅱ, the emergency bureau opens a command post with groups,
// ticks measures and ends the emergency; a warning is drafted, submitted, approved,
// issued (public page and Atom feed), then lifted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, loginAs } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('a town report goes through levels, command post, measures and the end', async () => {
  const title = `浏览器测试冒顶事故${Date.now()}`;
  // The emergency bureau watches the live board.
  const bureau = await loginAs(browser, 'emergency');
  bureau.page.on('dialog', (d) => d.accept()); // 宣布应急结束 asks first
  await bureau.page.goto(`${BASE}/emergency/board`);
  await bureau.page.waitForSelector('#board-table');

  const town = await loginAs(browser, 'town');
  await town.page.goto(`${BASE}/emergency/report`);
  await town.page.fill('#report-form input[name=title]', title);
  await town.page.selectOption('#incident-type', '非煤矿山事故');
  await town.page.selectOption('#report-form select[name=severity]', '较大');
  await town.page.fill('#report-form input[name=occurred_at]', '2026-11-28T10:20');
  await town.page.fill('#report-form input[name=place]', '水泉镇某石料厂');
  await town.page.fill('#report-form input[name=source]', '企业报告');
  await town.page.fill('#report-form input[name=injured]', '2');
  await submit(town.page, '#submit-report');
  const url = town.page.url();
  assert.match(url, /\/emergency\/incidents\/\d+$/);
  assert.match(await town.page.textContent('#lead-departments'), /区应急管理局/);
  assert.match(await town.page.textContent('#command-body'), /区非煤矿山事故应急指挥部/);
  assert.match(await town.page.textContent('#city-report'), /须及时报告市政府/);
  assert.match(await town.page.textContent('#timeline'), /环境影响/, 'missing fields are flagged');
  await town.context.close();

  // The board picked the new incident up without a reload.
  await bureau.page.waitForFunction((t) => document.querySelector('#board')?.textContent.includes(t), title, { timeout: 10000 });

  // 区政府 decides level Ⅱ.
  const admin = await loginAs(browser, 'admin');
  admin.page.on('dialog', (d) => d.accept());
  await admin.page.goto(url);
  await admin.page.selectOption('#level-form select[name=level]', 'II');
  await admin.page.fill('#level-form input[name=reason]', '事故可能扩大，提高至Ⅱ级响应');
  await submit(admin.page, '#set-level');
  assert.match(await admin.page.textContent('#response-level'), /Ⅱ级（区政府决定）/);
  assert.match(await admin.page.textContent('#level-history'), /提高至Ⅱ级响应/);
  await admin.context.close();

  // The emergency bureau may not decide Ⅱ itself: the option is disabled.
  const p = bureau.page;
  await p.goto(url);
  assert.equal(await p.locator('#level-form option[value=II]').isDisabled(), true);
  await p.fill('#post-form input[name=commander]', '区政府分管副区长');
  await p.fill('#post-form input[name=location]', '矿区入口');
  for (const g of ['1', '3', '11']) await p.check(`#post-form input[name=group][value="${g}"]`);
  await submit(p, '#open-post');
  assert.equal(await p.locator('#groups tbody tr').count(), 3);
  assert.match(await p.textContent('#groups'), /技术专家组/);
  await submit(p, '#measures button.tick');
  await submit(p, '#measures button.tick');
  assert.equal(await p.locator('#measures li.done').count(), 2);
  assert.match(await p.textContent('#measures li.done'), /emergency/);
  // 4.5.6: every condition the policy lists must be confirmed.
  const conditions = p.locator('#end-form input[name=condition]');
  assert.equal(await conditions.count(), 3);
  for (let i = 0; i < 3; i++) await conditions.nth(i).check();
  await submit(p, '#end-emergency');
  assert.match(await p.textContent('#incident-status'), /已结束/);
  assert.match(await p.textContent('#ended'), /专家组会商研判/);
  await bureau.context.close();
});

test('a warning is issued to the public page and the feed, then lifted', async () => {
  const headline = `浏览器测试暴雨蓝色预警${Date.now()}`;
  const { context, page } = await loginAs(browser, 'emergency');
  await page.goto(`${BASE}/emergency/warnings`);
  await page.fill('#warning-form input[name=headline]', headline);
  await page.selectOption('#warning-form select[name=incident_type]', '气象灾害');
  await page.selectOption('#warning-form select[name=level]', '4');
  await page.fill('#warning-form textarea[name=description]', '预计今天夜间有暴雨');
  await page.fill('#warning-form textarea[name=instruction]', '注意防范城乡积涝');
  await page.check('#warning-form input[name=areas][value="水泉镇"]');
  await page.check('#warning-form input[name=channels] >> nth=0');
  await submit(page, '#draft-warning');
  const url = page.url();
  assert.match(await page.textContent('#warning-state'), /草稿/);
  assert.ok(await page.locator('#warning-measures li').count() >= 3, 'the blue level measures as a checklist');
  page.once('dialog', (d) => d.accept());
  await submit(page, '#submit-warning');
  assert.match(await page.textContent('#warning-state'), /待审批/);

  const admin = await loginAs(browser, 'admin');
  admin.page.on('dialog', (d) => d.accept());
  await admin.page.goto(url);
  await submit(admin.page, '#approve-warning');
  await submit(admin.page, '#issue-warning');
  assert.match(await admin.page.textContent('#warning-state'), /已发布/);
  await admin.context.close();

  const pub = await browser.newContext({ locale: 'zh-CN' });
  const pp = await pub.newPage();
  await pp.goto(`${BASE}/public`);
  assert.match(await pp.textContent('#public-warnings'), new RegExp(headline));
  const feed = await (await fetch(`${BASE}/alerts/feed.atom`)).text();
  assert.match(feed, new RegExp(headline));
  const capHref = await pp.getAttribute('#current-warnings li:has-text("' + headline + '") a', 'href');
  const cap = await fetch(`${BASE}${capHref}`);
  assert.equal(cap.headers.get('content-type'), 'application/cap+xml');
  assert.match(await cap.text(), /<msgType>Alert<\/msgType>/);

  await page.goto(url);
  page.once('dialog', (d) => d.accept());
  await submit(page, '#lift-warning');
  assert.match(await page.textContent('#warning-state'), /已解除/);
  await new Promise((r) => setTimeout(r, 400)); // past the feed copy's 250 ms lifetime
  await pp.goto(`${BASE}/public`);
  assert.doesNotMatch(await pp.textContent('#public-warnings'), new RegExp(headline));
  assert.doesNotMatch(await (await fetch(`${BASE}/alerts/feed.atom`)).text(), new RegExp(headline));
  await pub.close();
  await context.close();
});
