// meetings.test.mjs - journeys through organizational life and training: the compliance table and to-do of 2022 on the demo,
// the training coverage of 2022 (2 classes, 6 sessions, 20 of 20), and a meeting recorded with attendance on a 375-px phone
// (quorum refused, then saved, closed and corrected as a new version). Nothing is dated on or before 2022-12-31.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

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

test('the compliance table of 2022: red and yellow branches with their reasons, cells by month; the to-do lists the findings', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/compliance').click();
	await page.waitForURL(/\/compliance/);
	await byTest(page, 'org-status-red').waitFor();
	// the newest meetings of the demo are of 2022, so that is the year shown
	assert.equal(await input(page, 'compliance-year').inputValue(), '2022');
	const st = (await staff.get('/api/v1/compliance/status?date=2022-12-31&subject=meeting')).body;
	assert.ok(st.counts.red >= 1 && st.counts.yellow >= 1, JSON.stringify(st.counts));
	assert.equal((await byTest(page, 'status-count-red').locator('.figure-value').innerText()).trim(), String(st.counts.red));
	assert.equal((await byTest(page, 'status-count-yellow').locator('.figure-value').innerText()).trim(), String(st.counts.yellow));
	const red = st.items.find((x) => x.status === 'red');
	const yellow = st.items.find((x) => x.status === 'yellow');
	const redBlock = byTest(page, `compliance-org-${red.org_id}`);
	assert.match(await redBlock.locator('[data-test="org-status-red"]').innerText(), /红/);
	assert.match(await redBlock.locator('[data-test="org-reasons"]').innerText(), /未开展/);
	const yellowBlock = byTest(page, `compliance-org-${yellow.org_id}`);
	assert.match(await yellowBlock.locator('[data-test="org-status-yellow"]').innerText(), /黄/);
	assert.match(await yellowBlock.locator('[data-test="org-reasons"]').innerText(), new RegExp(yellow.reasons[0].what_label));
	assert.ok((await redBlock.locator('td.cell-missing').count()) >= 1);
	assert.ok((await redBlock.locator('td.cell-none').count()) >= 1);
	await shot(page, '10a-compliance-2022');

	// only the red ones
	await byTest(page, 'status-count-red').click();
	await page.waitForFunction((n) => document.querySelectorAll('[data-test^="compliance-org-"]').length === n, st.counts.red);

	await byTest(page, 'menu-/todo').click();
	await page.waitForURL(/\/todo/);
	await byTest(page, 'todo-total').waitFor();
	const todo = (await staff.get('/api/v1/todo?date=2022-12-31')).body;
	assert.match(await byTest(page, 'todo-total').innerText(), new RegExp(String(todo.items.length)));
	assert.match(await byTest(page, 'todo-table').innerText(), new RegExp(yellow.name));
	await shot(page, '10b-todo-2022');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('training coverage of 2022: 2 classes, 6 sessions, 20 of 20 organizations; a class with its sessions and attendance', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/trainings/coverage').click();
	await page.waitForURL(/\/trainings\/coverage/);
	await byTest(page, 'coverage-totals').waitFor();
	const val = async (n) => (await byTest(page, n).locator('.figure-value').innerText()).trim();
	assert.equal(await val('cov-classes'), '2');
	assert.equal(await val('cov-sessions'), '6');
	assert.equal(await val('cov-orgs'), '20 / 20');
	assert.equal(await page.locator('[data-test="coverage-table"] .el-table__body-wrapper tbody tr').count(), 20);
	await shot(page, '10c-coverage-2022');

	await byTest(page, 'cov-classes').click();
	await page.waitForURL(/\/trainings\?year=2022/);
	const list = (await staff.get('/api/v1/trainings?year=2022')).body.items;
	await byTest(page, `training-open-${list[0].id}`).click();
	await byTest(page, 'session-table').waitFor();
	assert.equal(await page.locator('[data-test="session-table"] .el-table__body-wrapper tbody tr').count(), list[0].session_count + list[0].makeup_count);
	const first = (await staff.get(`/api/v1/trainings/${list[0].id}`)).body.sessions[0];
	await byTest(page, `session-att-${first.id}`).click();
	await page.locator('[data-test="attendance-drawer"] .el-table__body-wrapper tbody tr').first().waitFor();
	await shot(page, '10d-training-class');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a branch secretary records a meeting with attendance on a 375-px phone: quorum refused, saved, closed, corrected', async () => {
	const page = await newPage(browser, { width: 375, height: 760 });
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await page.goto(srv.base + '/meetings');
	await byTest(page, 'meeting-new').click();
	await page.waitForURL(/\/meetings\/new/);
	await choose(page, 'meeting-org', '巴音敖包嘎查党支部');
	await byTest(page, 'attendance-summary').waitFor();
	const rows = page.locator('[data-test^="att-"][data-test$="-absent"]');
	const n = await rows.count();
	assert.ok(n >= 3, `members listed: ${n}`);
	await byTest(page, 'meeting-type-branch_assembly').click();
	await byTest(page, 'meeting-type-party_lesson').click();
	await input(page, 'meeting-place').fill('嘎查党群服务中心');
	await input(page, 'meeting-topic').fill('手机登记测试大会');
	await input(page, 'meeting-agenda').fill('一、学习文件\n二、表决事项');
	// everybody absent and a vote: refused for want of a quorum, the message under the vote
	for (let i = 0; i < n; i++) await rows.nth(i).click();
	await byTest(page, 'meeting-vote').click();
	assert.match(await byTest(page, 'meeting-quorum').innerText(), /未过半数/);
	await byTest(page, 'meeting-save').click();
	await fieldError(page, 'meeting-vote').waitFor();
	assert.match(await fieldError(page, 'meeting-vote').innerText(), /[\u4e00-\u9fa5]/);
	await shot(page, '10e-meeting-quorum-phone');

	// everybody present but one on leave (with a reason) and one absent
	const present = page.locator('[data-test^="att-"][data-test$="-present"]');
	for (let i = 0; i < n; i++) await present.nth(i).click();
	const leaveBtn = page.locator('[data-test^="att-"][data-test$="-leave"]').first();
	const leaveId = (await leaveBtn.getAttribute('data-test')).split('-')[1];
	await leaveBtn.click();
	await input(page, `att-${leaveId}-reason`).fill('外出放牧');
	await rows.nth(n - 1).click();
	await input(page, 'meeting-minutes').fill('会议表决通过了相关事项。');
	assert.ok((await overflow(page)) <= 0, 'the form fits a 375-px screen');
	const h = await byTest(page, 'meeting-save').boundingBox();
	assert.ok(h.height >= 44, `save button ${h.height}px high`);
	await shot(page, '10f-meeting-form-phone');
	await byTest(page, 'meeting-save').click();
	await page.waitForURL(/\/meetings\/\d+$/);
	const id = Number(new URL(page.url()).pathname.split('/').pop());
	assert.match(await byTest(page, 'meeting-counts').innerText(), new RegExp(`出席 ${n - 2}，请假 1，缺席 1`));
	const saved = (await staff.get(`/api/v1/meetings/${id}`)).body;
	assert.equal(saved.vote, true);
	assert.deepEqual(saved.types.sort(), ['branch_assembly', 'party_lesson']);
	assert.equal(saved.attendance.find((a) => a.person_id === Number(leaveId)).reason, '外出放牧');
	assert.ok(saved.held_on > '2022-12-31');

	// in the list
	await page.goto(srv.base + '/meetings');
	await byTest(page, `meeting-open-${id}`).waitFor();
	assert.match(await byTest(page, `meeting-open-${id}`).innerText(), /手机登记测试大会/);
	assert.ok((await overflow(page)) <= 0);
	await shot(page, '10g-meeting-list-phone');

	// close, then correct with a reason: a new version that shows the one it superseded
	await byTest(page, `meeting-open-${id}`).click();
	await byTest(page, 'meeting-close').click();
	await page.locator('.el-message-box__btns .el-button--primary').click();
	await byTest(page, 'meeting-correct').waitFor();
	await byTest(page, 'meeting-correct').click();
	await page.waitForURL(/\/correct$/);
	await input(page, 'meeting-topic').fill('手机登记测试大会（更正）');
	await byTest(page, 'meeting-save').click();
	await fieldError(page, 'meeting-reason').waitFor();
	await input(page, 'meeting-reason').fill('主题录入有误');
	await byTest(page, 'meeting-save').click();
	await page.waitForURL((u) => /\/meetings\/\d+$/.test(u.pathname) && !u.pathname.endsWith('/' + id));
	await byTest(page, 'meeting-chain').waitFor();
	assert.match(await byTest(page, 'meeting-chain').innerText(), /手机登记测试大会/);
	assert.match(await byTest(page, 'meeting-desc').innerText(), /主题录入有误/);
	await shot(page, '10h-meeting-corrected-phone');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
