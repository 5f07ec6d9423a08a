// Platform core in a real browser: each demo role logs in and sees only what
// it may; a stranger is sent to /login; a form posted without its CSRF token is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, loginAs } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a stranger is sent to the Chinese login page', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE}/admin/audit`);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.textContent('h1'), /登录/);
  const api = await page.request.get(`${BASE}/api/v1/me`);
  assert.equal(api.status(), 401);
  await page.close();
});

const roles = [
  { user: 'admin', label: '区级管理员', may: ['/admin/audit', '/admin/users', '/reference'], mayNot: [] },
  { user: 'commerce', label: '部门工作人员', may: ['/reference', '/policy'], mayNot: ['/admin/audit', '/admin/users'] },
  { user: 'town', label: '镇（街）工作人员', may: ['/reference/villages', '/reference'], mayNot: ['/admin/audit', '/admin/users', '/subsidy/enterprises'] },
  { user: 'agent', label: '村（居）代办员', may: ['/reference/villages', '/insurance'], mayNot: ['/admin/audit', '/admin/users', '/subsidy'] },
  { user: 'enterprise', label: '企业用户', may: ['/policy'], mayNot: ['/admin/audit', '/admin/users', '/reference/villages'] },
];

for (const r of roles) {
  test(`${r.user} logs in as ${r.label} and sees only what it may`, async () => {
    const { context, page } = await loginAs(browser, r.user);
    assert.match(await page.textContent('.who .user'), new RegExp(r.label));
    for (const p of r.may) {
      const resp = await page.goto(`${BASE}${p}`);
      assert.equal(resp.status(), 200, `${r.user} may open ${p}`);
    }
    for (const p of r.mayNot) {
      const resp = await page.goto(`${BASE}${p}`);
      assert.equal(resp.status(), 403, `${r.user} must not open ${p}`);
    }
    await context.close();
  });
}

test('village agent sees only their own village', async () => {
  const { context, page } = await loginAs(browser, 'agent');
  await page.goto(`${BASE}/reference/villages`);
  const rows = await page.$$eval('#villages tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 1);
  assert.match(rows[0], /水泉镇/);
  assert.match(rows[0], /东村/);
  await context.close();
});

test('a form posted without its CSRF token is refused', async () => {
  const { context, page } = await loginAs(browser, 'admin');
  await page.goto(`${BASE}/admin/users`);
  // Strip the token from the real form, then submit it.
  await page.$eval('form[action="/admin/users"] input[name=csrf]', (el) => el.remove());
  await page.fill('form[action="/admin/users"] input[name=username]', 'no-token-user');
  await page.fill('form[action="/admin/users"] input[name=display_name]', '无令牌');
  await page.fill('form[action="/admin/users"] input[name=password]', 'long enough');
  const [resp] = await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/users"] button[type=submit]')]);
  assert.equal(resp.status(), 403);
  assert.match(await page.textContent('body'), /CSRF/);
  // With the token the same form works, and the write is in the audit trail.
  await page.goto(`${BASE}/admin/users`);
  await page.fill('form[action="/admin/users"] input[name=username]', 'with-token-user');
  await page.fill('form[action="/admin/users"] input[name=display_name]', '有令牌');
  await page.fill('form[action="/admin/users"] input[name=password]', 'long enough');
  // New accounts default to the least role (企业用户); this one is a town account.
  await page.selectOption('form[action="/admin/users"] select[name=role]', 'town');
  await page.selectOption('form[action="/admin/users"] select[name=town]', '水泉镇');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/users"] button[type=submit]')]);
  assert.match(await page.textContent('#users'), /with-token-user/);
  await page.goto(`${BASE}/admin/audit?entity=user`);
  assert.match(await page.textContent('#audit'), /with-token-user/);
  assert.match(await page.textContent('#audit-verify'), /哈希链完整/);
  await context.close();
});

test('pages work under the Content-Security-Policy: no violation, live board, print buttons, printable styles', async () => {
  const violations = [];
  const watch = (page) => {
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`); });
    page.on('pageerror', (e) => violations.push(`${page.url()}: ${e.message}`));
  };
  const { context, page } = await loginAs(browser, 'admin');
  // Record print() instead of opening the dialog.
  await context.addInitScript(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
  watch(page);
  for (const p of ['/', '/admin/users', '/public', '/policy', '/emergency', '/insurance/stats', '/subsidy', '/meeting', '/account/password']) {
    const resp = await page.goto(`${BASE}${p}`);
    assert.equal(resp.status(), 200, p);
    assert.equal(resp.headers()['x-frame-options'], 'DENY', p);
  }
  // The public warning's colour is a class now, and it still shows.
  await page.goto(`${BASE}/public`);
  if (await page.$('#current-warnings')) {
    const border = await page.$eval('#current-warnings .badge', (el) => getComputedStyle(el).borderLeftWidth);
    assert.equal(border, '6px');
  }
  // An incident's page (its styles moved into app.css).
  await page.goto(`${BASE}/emergency`);
  const incident = await page.$eval('a[href^="/emergency/incidents/"]', (a) => a.getAttribute('href'));
  assert.equal((await page.goto(`${BASE}${incident}`)).status(), 200);
  // The live board runs from /static/app.js.
  await page.goto(`${BASE}/emergency/board`);
  await page.waitForSelector('#board-table', { timeout: 10000 });
  // The printable roster (区税务局 produces it; 区政府 sees statistics only): its inline
  // stylesheet is admitted by hash, the print button works.
  const tax = await loginAs(browser, 'tax');
  await tax.context.addInitScript(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
  watch(tax.page);
  assert.equal((await tax.page.goto(`${BASE}/insurance`)).status(), 200);
  await tax.page.goto(`${BASE}/insurance/roster/print?year=2023&town=${encodeURIComponent('水泉镇')}`);
  assert.equal(await tax.page.$eval('table', (t) => getComputedStyle(t).borderCollapse), 'collapse', 'the printable page is styled');
  await tax.page.click('[data-print]');
  assert.equal(await tax.page.evaluate(() => window.__printed), 1);
  await tax.context.close();
  // The minutes likewise.
  await page.goto(`${BASE}/meeting`);
  const hrefs = await page.$$eval('#meetings a[href^="/meeting/"]', (as) => as.map((a) => a.getAttribute('href')));
  let minutesSeen = false;
  for (const h of hrefs) {
    await page.goto(`${BASE}${h}`);
    if (await page.$('#minutes-link')) {
      await Promise.all([page.waitForLoadState('load'), page.click('#minutes-link')]);
      assert.equal(await page.$eval('h1', (e) => getComputedStyle(e).color), 'rgb(204, 0, 0)', 'the minutes keep their red heading');
      await page.click('[data-print]');
      assert.equal(await page.evaluate(() => window.__printed), 1);
      minutesSeen = true;
      break;
    }
  }
  assert.ok(minutesSeen, 'the demo has a meeting with minutes');
  assert.deepEqual(violations, []);
  await context.close();
});

test('a wrong password is refused in Chinese and the right one still gets in', async () => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', 'tax');
  await page.fill('input[name=password]', 'not-the-password');
  await Promise.all([page.waitForNavigation(), page.click('#login-form button[type=submit]')]);
  assert.match(await page.textContent('.error'), /用户名或密码错误/);
  await page.fill('input[name=username]', 'tax');
  await page.fill('input[name=password]', 'shanting-demo');
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('#login-form button[type=submit]')]);
  assert.match(await page.textContent('.who .user'), /部门工作人员/);
  await context.close();
});
