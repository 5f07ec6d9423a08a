// Joint meeting in a real browser: the office schedules a meeting, sends the
// materials, records attendance with one proxy, records votes, and downloads the minutes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, loginAs } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('the office runs a meeting from proposal to minutes', async () => {
  const { context, page } = await loginAs(browser, 'fund');
  // Each step asks first (data-confirm); the convener confirms.
  const asked = [];
  page.on('dialog', (d) => { asked.push(d.message()); d.accept(); });
  await page.goto(`${BASE}/meeting`);
  assert.equal(await page.locator('#meeting-units tbody tr').count(), 9, 'nine member units');
  // Schedule: twelve days ahead, so materials sent today are in time.
  const d = new Date(Date.now() + 12 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
  await page.fill('#propose-form input[name=title]', '浏览器测试联席会议');
  await page.selectOption('#propose-form select[name=proposed_by]', '枣庄市住房公积金管理中心山亭管理部');
  await page.fill('#propose-form input[name=meeting_date]', d);
  await page.fill('#propose-form input[name=place]', '区政府会议室');
  await page.fill('#propose-form textarea[name=items]', '关于测试议题的议题');
  await submit(page, '#propose-form button[type=submit]');
  const url = page.url();
  assert.match(url, /\/meeting\/\d+$/);
  await submit(page, '#advance'); // the convener calls it
  // Materials: upload one and send to every unit.
  await page.setInputFiles('#material-file', { name: '方案.txt', mimeType: 'text/plain', buffer: Buffer.from('测试材料') });
  await submit(page, '#upload');
  assert.match(await page.textContent('#materials'), /方案\.txt/);
  await submit(page, '#send-materials');
  assert.ok(asked.some((m) => /将向全体成员单位发送 1 份议题和材料/.test(m)), `sending asked first: ${asked}`);
  assert.match(await page.textContent('#notice-check'), /符合会前5天送达的要求/);
  // Attendance: everyone present except one proxy with the head's written opinion.
  await page.selectOption('select[name="status:区财政局"]', 'proxy');
  await page.fill('input[name="attendee:区财政局"]', '财政局科员');
  await page.fill('input[name="opinion:区财政局"]', '同意该议题');
  await submit(page, '#save-attendance');
  assert.match(await page.textContent('#quorum'), /：达到/);
  await submit(page, '#advance'); // (一) opened
  await submit(page, '#advance'); // (二) reported
  await submit(page, '#advance'); // (三) discussed
  // Votes: every present unit for; the proxy's unit also "votes", which is invalid.
  const form = page.locator('form.votes-form').first();
  const selects = await form.locator('select').all();
  for (const s of selects) await s.selectOption('for');
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  assert.match(await page.textContent('.item-result'), /通过/);
  assert.match(await page.textContent('.item-result'), /无效表决：区财政局/);
  await submit(page, '#advance'); // (四) voted
  await submit(page, '#advance'); // (五) announced
  await page.fill('#advance-form textarea[name=summary]', '按决定抓好落实。');
  await submit(page, '#advance'); // (六) summarised
  await submit(page, '#advance'); // minutes issued
  await page.click('#minutes-link');
  await page.waitForLoadState();
  const minutes = await page.textContent('body');
  assert.match(minutes, /会议纪要/);
  assert.match(minutes, /同意该议题/, 'the proxy’s written opinion is in the minutes');
  assert.match(minutes, /财政局科员/);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#minutes-pdf')]);
  const path = await dl.path();
  const fs = await import('node:fs/promises');
  const bytes = await fs.readFile(path);
  assert.equal(bytes.subarray(0, 4).toString(), '%PDF');
  await context.close();
});

test('demo: a past meeting with minutes and an upcoming one with materials sent', async () => {
  const { context, page } = await loginAs(browser, 'admin');
  await page.goto(`${BASE}/meeting`);
  const text = await page.textContent('#meetings');
  assert.match(text, /2022年第一次住房公积金联席会议/);
  assert.match(text, /纪要〔2022〕1号/);
  assert.match(text, /材料已送达/);
  await context.close();
});

test('a member unit reads its meetings; a unit outside the group sees none', async () => {
  {
    const { context, page } = await loginAs(browser, 'tax');
    await page.goto(`${BASE}/meeting`);
    assert.match(await page.textContent('#meetings'), /2022年第一次住房公积金联席会议/);
    // It proposes only in its own name, and runs nothing.
    assert.deepEqual(await page.locator('#propose-form select[name=proposed_by] option').allTextContents(), ['区税务局']);
    await page.click('#meetings a >> nth=0');
    await page.waitForLoadState();
    assert.equal(await page.locator('#advance').count(), 0);
    await context.close();
  }
  {
    const { context, page } = await loginAs(browser, 'commerce');
    await page.goto(`${BASE}/meeting`);
    assert.equal(await page.locator('#meetings tbody tr').count(), 0);
    assert.equal(await page.locator('#propose-form').count(), 0);
    const r = await page.goto(`${BASE}/meeting/1`);
    assert.equal(r.status(), 403);
    await context.close();
  }
});
