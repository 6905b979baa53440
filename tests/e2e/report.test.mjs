// report.test.mjs - the dashboard and the annual report on the demo township (township account): a dashboard figure opens its records
// with the same count; the 2022 report shows the seed's figures (200 deeds, 31 reserve cadres, 2 classes 6 sessions), each a link
// to its records; an edited section is kept after a reload (its figure marks still filled); the .docx downloads as a Word zip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, login, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff;

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	const r = await staff.login('township', DEMO_PASSWORD);
	assert.equal(r.status, 200, r.text);
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const figure = async (page, name) => (await byTest(page, name).locator('.figure-value').innerText()).trim();

test('dashboard of 2022: the panels with the API\'s figures; a figure opens its records with the same count', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/dashboard').click();
	await page.waitForURL(/\/dashboard/);
	await byTest(page, 'dashboard').waitFor();
	// the newest meetings of the demo are of 2022, so that year is shown
	assert.equal(await input(page, 'dash-year').inputValue(), '2022');
	const d = (await staff.get('/api/v1/dashboard?from=2022-01-01&to=2022-12-31')).body.panels;
	assert.equal(await figure(page, 'dash-deeds-done'), String(d.deeds.done));
	assert.equal(d.deeds.done, 200);
	assert.equal(await figure(page, 'dash-members-total'), String(d.members.total));
	assert.equal(await figure(page, 'dash-team-born_1980s'), String(d.team.born_1980s.value));
	assert.equal(await figure(page, 'dash-trained'), `${d.training.orgs_fully_trained} / ${d.training.orgs}`);
	assert.equal(await figure(page, 'dash-status-red'), String(d.status.counts.red));
	for (const p of ['members', 'meetings', 'training', 'tasks', 'deeds', 'disclosure', 'evaluation', 'honours', 'status']) await byTest(page, 'panel-' + p).waitFor();
	for (const c of ['members', 'meetings', 'training', 'tasks', 'deeds-month', 'deeds-category', 'stars', 'honours']) assert.equal(await page.locator(`[data-test="chart-${c}"] canvas`).count(), 1, c);
	const redBranch = d.status.items.find((x) => x.status === 'red');
	assert.match(await byTest(page, `dash-branch-${redBranch.org_id}`).innerText(), new RegExp(redBranch.name));
	await shot(page, '11a-dashboard-2022');
	await page.locator('[data-test="panel-deeds"]').scrollIntoViewIfNeeded();
	await shot(page, '11a2-dashboard-deeds');
	await page.locator('[data-test="panel-honours"]').scrollIntoViewIfNeeded();
	await shot(page, '11a3-dashboard-honours');
	await page.locator('[data-test="panel-status"]').scrollIntoViewIfNeeded();
	await shot(page, '11b-dashboard-status');

	// deeds done → the deeds list of 2022, 200 of them
	await byTest(page, 'dash-deeds-done').click();
	await page.waitForURL(/\/deeds\?.*status=done/);
	await page.locator('[data-test="deed-total"]', { hasText: '200' }).waitFor();

	// back; "80后" of the team → the people list with that many
	await page.goBack();
	await byTest(page, 'dash-team-born_1980s').waitFor();
	await byTest(page, 'dash-team-born_1980s').click();
	await page.waitForURL(/\/people\?.*born_from=1980/);
	await page.locator('[data-test="people-pager"]', { hasText: String(d.team.born_1980s.value) }).waitFor();

	// a chart segment: the members pie's first slice → that political status
	await page.goBack();
	const canvas = page.locator('[data-test="chart-members"] canvas');
	await canvas.waitFor();
	const first = d.members.items[0];
	const box = await canvas.boundingBox();
	// the biggest slice (中共党员, ~93%) covers the ring left of the centre
	await page.mouse.click(box.x + box.width * 0.5 - box.height * 0.22, box.y + box.height * 0.44);
	await page.waitForURL(new RegExp(`/people\\?.*political_status=${first.key}`));
	await page.locator('[data-test="people-pager"]', { hasText: String(first.value) }).waitFor();

	// a branch with more problems than the three shown → its to-do, every one of them, judged on 2022-12-31
	await page.goBack();
	const many = d.status.items.find((x) => x.kind === 'branch' && x.reasons_total > x.reasons.length);
	assert.ok(many, 'a demo branch has more than three problems at the end of 2022');
	const more = byTest(page, `dash-branch-more-${many.org_id}`);
	await more.scrollIntoViewIfNeeded();
	assert.match(await more.innerText(), new RegExp(String(many.reasons_total - many.reasons.length)));
	await more.click();
	await page.waitForURL(new RegExp(`/todo\\?.*org=${many.org_id}`));
	assert.match(page.url(), /date=2022-12-31/);
	await byTest(page, 'todo-org').filter({ hasText: many.name }).waitFor();
	await byTest(page, 'todo-total').filter({ hasText: String(many.reasons_total) }).waitFor();
	await shot(page, '11c-dashboard-branch-todo');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('dashboard on a phone: one column, no sideways scrolling', async () => {
	const page = await newPage(browser, { width: 390, height: 844 });
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + '/dashboard?year=2022');
	await byTest(page, 'dashboard').waitFor();
	await page.waitForTimeout(400);
	assert.ok((await overflow(page)) <= 1, 'no horizontal overflow');
	await shot(page, '11c-dashboard-phone');
	await page.locator('[data-test="panel-deeds"]').scrollIntoViewIfNeeded();
	await shot(page, '11d-dashboard-phone-deeds');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the 2022 report: the seed\'s figures as links to their records; an edit kept after reload; versions; the .docx', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/report').click();
	await page.waitForURL(/\/report/);
	await byTest(page, 'report-doc').waitFor();
	assert.equal(await input(page, 'report-year').inputValue(), '2022');
	assert.match(await byTest(page, 'report-title').innerText(), /2022年.*述职报告/);
	const fig = async (key) => (await page.locator(`[data-test="fig-${key}"]`).first().innerText()).trim();
	assert.equal(await fig('deeds_done'), '200');
	assert.equal(await fig('reserve_cadres'), '31');
	assert.equal(await fig('training_classes'), '2');
	assert.equal(await fig('training_sessions'), '6');
	assert.equal(await fig('party_orgs'), '20');
	assert.equal(await fig('honours.优秀党务工作者'), '20');
	// the formula is the tooltip
	assert.match(await page.locator('[data-test="fig-reserve_cadres"]').first().getAttribute('title'), /后备干部台账/);
	const doc = await byTest(page, 'report-doc').innerText();
	for (const h of ['一、履职情况', '二、存在的问题', '三、下一步工作思路', '（一）', '（四）']) assert.ok(doc.includes(h), h);
	await shot(page, '11e-report-2022');

	// a figure opens its records: 31 reserve cadres in the people list
	await page.locator('[data-test="fig-reserve_cadres"]').first().click();
	await page.waitForURL(/\/people\?.*flag=reserve_cadre/);
	await page.locator('[data-test="people-pager"]', { hasText: '31' }).waitFor();
	await page.goBack();
	await byTest(page, 'report-doc').waitFor();

	// edit the team section: a sentence of one's own, the marks kept
	await byTest(page, 'edit-duty_team').click();
	const area = input(page, 'edit-text');
	await area.waitFor();
	const before = await area.inputValue();
	assert.match(before, /\{\{reserve_cadres\}\}/);
	await area.fill('班子队伍建设稳步推进。共储备后备干部{{reserve_cadres}}人，其中新培养5人。');
	await shot(page, '11f-report-edit');
	await byTest(page, 'edit-save').click();
	await page.locator('[data-test="section-duty_team"]', { hasText: '新培养5人' }).waitFor();
	await page.reload();
	const sec = byTest(page, 'section-duty_team');
	await sec.locator('text=新培养5人').waitFor();
	assert.equal((await sec.locator('[data-test="fig-reserve_cadres"]').innerText()).trim(), '31');
	await sec.locator('[data-test="section-edited"]').waitFor();
	const api = (await staff.get('/api/v1/reports/annual?year=2022')).body.sections.find((s) => s.key === 'duty_team');
	assert.equal(api.edited, true);
	assert.match(api.rendered, /后备干部31人，其中新培养5人/);

	// versions
	await byTest(page, 'versions-duty_team').click();
	await page.locator('[data-test="versions-drawer"]', { hasText: '新培养5人' }).waitFor();
	await page.keyboard.press('Escape');

	// a stale save: someone else saved meanwhile → 409 → reloaded with their text
	await byTest(page, 'edit-duty_team').click();
	await input(page, 'edit-text').waitFor();
	const put = await staff.put(`/api/v1/reports/annual/sections/duty_team?org=${api.org_id || 1}&year=2022`, { text: '他人修改的文字{{reserve_cadres}}人。', version: api.version });
	assert.equal(put.status, 200, put.text);
	await input(page, 'edit-text').fill('我的文字');
	await byTest(page, 'edit-save').click();
	await page.locator('.el-message', { hasText: '已被他人修改' }).waitFor();
	await page.waitForFunction(() => /他人修改的文字/.test(document.querySelector('[data-test="edit-text"] textarea, textarea[data-test="edit-text"]').value));
	await page.keyboard.press('Escape');

	// the .docx
	const [dl] = await Promise.all([page.waitForEvent('download'), byTest(page, 'report-docx').click()]);
	const file = await dl.path();
	const buf = readFileSync(file);
	assert.equal(buf.subarray(0, 2).toString('latin1'), 'PK');
	assert.ok(buf.includes(Buffer.from('word/document.xml')), 'a Word document');
	assert.match(dl.suggestedFilename(), /\.docx$/);
	// the statistical tables
	const [xl] = await Promise.all([page.waitForEvent('download'), byTest(page, 'report-xlsx').click()]);
	const xbuf = readFileSync(await xl.path());
	assert.equal(xbuf.subarray(0, 2).toString('latin1'), 'PK');
	assert.match(xl.suggestedFilename(), /\.xlsx$/);
	// the printable page opens in a new tab with the edited wording
	const [tab] = await Promise.all([page.context().waitForEvent('page'), byTest(page, 'report-html').click()]);
	await tab.waitForLoadState();
	assert.match(await tab.locator('body').innerText(), /他人修改的文字31人/);
	await tab.close();
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the report on a phone reads like the document and fits the screen', async () => {
	const page = await newPage(browser, { width: 390, height: 844 });
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + '/report?year=2022');
	await byTest(page, 'report-doc').waitFor();
	await page.waitForTimeout(300);
	assert.ok((await overflow(page)) <= 1, 'no horizontal overflow');
	await shot(page, '11g-report-phone');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
