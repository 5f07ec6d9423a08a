// E-commerce support in a real browser: an enterprise declares its figures and
// submits; the commerce bureau sees the explanation and approves; the award
// shows in the budget view; the enterprise sees the decision; 区财政局 pays
// (the commerce bureau has no payment button).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, loginAs } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('declare, submit, review, approve, budget, decision', async () => {
  const ent = await loginAs(browser, 'enterprise');
  await ent.page.goto(`${BASE}/subsidy/declare?year=2024`);
  const p = ent.page;
  await p.check('input[name=registered_in_district]');
  await p.check('input[name=statistically_included]');
  await p.fill('input[name=entered_on]', '2022-03-01');
  await p.fill('input[name=net_tax_yuan]', '1200000');
  await p.fill('input[name=online_retail_yuan]', '62000000');
  await p.fill('input[name=online_retail_prev_yuan]', '51000000');
  await p.fill('input[name="platform_fees.annual_transactions_yuan"]', '62000000');
  await p.check('input[name="platform_fees.agreement_signed"]');
  await p.fill('input[name="platform_fees.fees_paid_yuan"]', '80000');
  await p.check('input[name="express.sells_and_ships_local"]');
  await p.fill('input[name="express.parcels"]', '260000');
  await p.fill('input[name="express.online_sales_yuan"]', '62000000');
  await submit(p, '#save');
  assert.equal(await p.textContent('#assessment-total'), '418,000.00', 'the worked example: 418,000 yuan');
  await submit(p, '#submit-application');
  assert.match(await p.textContent('#application-status'), /已提交/);
  const appUrl = p.url();

  const rev = await loginAs(browser, 'commerce');
  rev.page.on('dialog', (d) => d.accept());
  await rev.page.goto(appUrl);
  assert.match(await rev.page.textContent('#explanation'), /第3条/);
  assert.match(await rev.page.textContent('#explanation'), /30%|360000/);
  await submit(rev.page, '#start-review');
  await submit(rev.page, '#approve');
  assert.match(await rev.page.textContent('#application-status'), /已批准/);
  assert.equal(await rev.page.$('#pay'), null, 'payment is the finance bureau\'s duty');
  await rev.page.goto(`${BASE}/subsidy/budget?year=2024`);
  assert.equal(await rev.page.textContent('#budget-committed'), '418,000.00');
  assert.match(await rev.page.textContent('#budget'), /第3条/);

  await ent.page.goto(appUrl);
  assert.match(await ent.page.textContent('#application-status'), /已批准/);
  assert.match(await ent.page.textContent('#awards'), /360,000\.00/);

  const fin = await loginAs(browser, 'finance');
  fin.page.on('dialog', (d) => d.accept());
  await fin.page.goto(appUrl);
  await submit(fin.page, '#pay');
  assert.match(await fin.page.textContent('#application-status'), /已拨付/);
  await fin.page.goto(`${BASE}/subsidy/budget?year=2024`);
  assert.equal(await fin.page.textContent('#budget-paid'), '418,000.00');
  await ent.context.close();
  await rev.context.close();
  await fin.context.close();
});

test('an enterprise sees only its own applications', async () => {
  const { context, page } = await loginAs(browser, 'enterprise');
  const resp = await page.goto(`${BASE}/subsidy/applications/1`);
  assert.equal(resp.status(), 403);
  const r2 = await page.goto(`${BASE}/subsidy/matches`);
  assert.equal(r2.status(), 403);
  await context.close();
});
