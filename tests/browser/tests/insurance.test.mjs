// Insurance collection in a real browser: a village agent records a payment
// for a resident on the roster; reconciliation shows it; after publication
// the public roster shows the masked entry and nothing more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, loginAs } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

async function agentTotals(page) {
  await page.goto(`${BASE}/insurance/reconcile`);
  const row = page.locator('#recon-agents tbody tr', { hasText: 'agent' });
  if ((await row.count()) === 0) return { count: 0 };
  const cells = await row.locator('td').allTextContents();
  return { count: Number(cells[1]), amount: cells[2] };
}

test('agent payment, reconciliation, publication and the masked public roster', async () => {
  const { context, page } = await loginAs(browser, 'agent');
  const before = await agentTotals(page);
  // The roster, unpaid residents only: the agent's village.
  await page.goto(`${BASE}/insurance?paid=unpaid`);
  const first = page.locator('#roster tbody tr').first();
  const cells = await first.locator('td').allTextContents();
  const [name, idNumber, town, village] = cells;
  assert.equal(town, '水泉镇');
  assert.equal(village, '东村');
  await Promise.all([page.waitForNavigation(), first.locator('a').click()]);
  const due = (await page.textContent('#resident-due')).trim();
  const reference = `BROWSER-${Date.now()}`;
  await page.selectOption('#pay-form select[name=channel]', '裕农通');
  await page.fill('#pay-form input[name=reference]', reference);
  await page.fill('#pay-form input[name=paid_on]', '2022-11-20');
  await submit(page, '#pay');
  assert.match(await page.textContent('#insurance-msg'), /已登记缴费/);
  assert.match(await page.textContent('#payments'), new RegExp(reference));
  assert.equal((await page.textContent('#resident-paid')).split('/')[0].trim(), due);
  // Reconciliation: one more payment by this agent, and money matches the roster.
  const afterTotals = await agentTotals(page);
  assert.equal(afterTotals.count, before.count + 1);
  assert.match(await page.textContent('#recon-summary'), /钱表相符|差异/);
  await context.close();

  // Town staff publish the village's roster.
  const town_ = await loginAs(browser, 'town');
  await town_.page.goto(`${BASE}/insurance?village=${encodeURIComponent('东村')}`);
  await town_.page.selectOption('#publish-form select[name=village]', '东村');
  await submit(town_.page, '#publish');
  assert.match(await town_.page.textContent('#insurance-msg'), /公示/);
  await town_.context.close();

  // The public, without logging in.
  const pub = await browser.newContext({ locale: 'zh-CN' });
  const p = await pub.newPage();
  await p.goto(`${BASE}/public`);
  await Promise.all([p.waitForNavigation(), p.locator('#public-rosters a', { hasText: '东村' }).first().click()]);
  const table = await p.textContent('#public-roster');
  const masked = `${idNumber.slice(0, 6)}********${idNumber.slice(14)}`;
  assert.ok(table.includes(masked), 'the masked ID of the payer is listed');
  assert.ok(table.includes(`${name[0]}*`), 'the surname with a star');
  assert.ok(!table.includes(idNumber), 'never the full ID number');
  if (name.length > 1) assert.ok(!table.includes(name), 'never the full name');
  const headers = await p.locator('#public-roster thead th').allTextContents();
  assert.deepEqual(headers, ['序号', '姓名', '身份证号码'], 'nothing more than who has paid');
  assert.ok(!table.includes(due), 'no amounts');
  await pub.close();
});
