// tasks.test.mjs - journeys through the responsibility lists (责任清单) on the demo township: the township adds an item to its 2022
// list (a due date before the start refused under the field) and pushes it to three branches at once; a branch secretary reports
// progress with evidence on a 390x844 phone (going backwards refused without a reason) and is offered no acceptance; the overdue
// branch items appear in the to-do and lead to the item; the township accepts; the overview shows the API's counts; the list's
// xlsx export imports back without duplicates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD, ARTIFACTS } from './lib.mjs';

const BRANCHES = ['巴音敖包嘎查党支部', '哈日陶勒盖嘎查党支部', '塔拉嘎查党支部'];
const TITLE = '浏览器测试：开展党员冬季轮训';
// a 1x1 PNG: evidence the server accepts by its magic bytes
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let srv;
let browser;
let staff;
let sec;
let listId;
let itemId; // the township item pushed down
let answers = []; // the branch items answering it
const day = (offset) => new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000).toISOString().slice(0, 10);

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	assert.equal((await staff.login('township', DEMO_PASSWORD)).status, 200);
	sec = new Client(srv.base);
	assert.equal((await sec.login('secretary1', DEMO_PASSWORD)).status, 200);
	const lists = (await staff.get('/api/v1/tasks/lists?year=2022')).body.items;
	listId = lists.find((l) => l.org_name === '巴音敖包镇党委').id;
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const rows = (page, name) => page.locator(`[data-test="${name}"] .el-table__body-wrapper tbody tr`);

test('the township adds an item (due before start refused under the field) and pushes it to three branches at once', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/tasks').click();
	await page.waitForURL(/\/tasks$/);
	await byTest(page, `list-open-${listId}`).waitFor();
	const lists = (await staff.get('/api/v1/tasks/lists')).body;
	assert.equal(await rows(page, 'lists-table').count(), lists.items.length);
	await shot(page, '21-task-lists');
	await byTest(page, `list-open-${listId}`).click();
	await page.waitForURL(new RegExp(`/tasks/lists/${listId}$`));
	await byTest(page, 'task-tree').waitFor();
	const before = (await staff.get(`/api/v1/tasks/lists/${listId}`)).body;
	assert.ok(before.items_tree.length >= 5);
	await byTest(page, `item-open-${before.items_tree[0].id}`).waitFor();
	assert.match(await byTest(page, 'list-title').innerText(), /2022/);
	await shot(page, '21a-task-tree');

	await byTest(page, 'item-add').click();
	await input(page, 'item-title').fill(TITLE);
	await input(page, 'item-start').fill(day(-5));
	await input(page, 'item-start').press('Enter');
	await input(page, 'item-due').fill(day(-10));
	await input(page, 'item-due').press('Enter');
	await input(page, 'item-criteria').fill('每名党员参加轮训不少于3天');
	await byTest(page, 'item-save').click();
	await fieldError(page, 'item-due').waitFor();
	assert.match(await fieldError(page, 'item-due').innerText(), /不能早于开始日期/);
	await shot(page, '21b-task-item-error');
	// due yesterday: the branch items will be overdue from the start
	await input(page, 'item-start').fill(day(-20));
	await input(page, 'item-start').press('Enter');
	await input(page, 'item-due').fill(day(-1));
	await input(page, 'item-due').press('Enter');
	await byTest(page, 'item-save').click();
	await page.locator('[data-test="item-dialog"]').waitFor({ state: 'hidden' });
	const after1 = (await staff.get(`/api/v1/tasks/lists/${listId}`)).body;
	const made = after1.items_tree.find((x) => x.title === TITLE);
	assert.ok(made, 'the item was created');
	assert.equal(made.due_on, day(-1));
	itemId = made.id;
	await byTest(page, `item-open-${itemId}`).waitFor();

	await byTest(page, `item-menu-${itemId}`).click();
	await byTest(page, `cmd-push-${itemId}`).click();
	await byTest(page, 'push-dialog').waitFor();
	for (const b of BRANCHES) await choose(page, 'push-orgs', b);
	assert.match(await byTest(page, 'push-dialog').innerText(), /已选 3 个/);
	await shot(page, '21c-task-push');
	await byTest(page, 'push-save').click();
	await page.locator('[data-test="push-dialog"]').waitFor({ state: 'hidden' });
	const detail = (await staff.get(`/api/v1/tasks/items/${itemId}`)).body;
	assert.equal(detail.answered_by.length, 3);
	assert.deepEqual(detail.answered_by.map((a) => a.list_org_name).sort(), [...BRANCHES].sort());
	answers = detail.answered_by;
	for (const a of answers) assert.equal(a.due_on, day(-1));

	// the item page lists the three branches, their items overdue
	await byTest(page, `item-open-${itemId}`).click();
	await page.waitForURL(new RegExp(`/tasks/items/${itemId}$`));
	await byTest(page, 'item-answered-by').waitFor();
	assert.equal(await rows(page, 'item-answered-by').count(), 3);
	assert.match(await byTest(page, 'item-answered-by').innerText(), /逾期/);
	await shot(page, '21d-task-item-pushed');

	// a stale version: somebody else changed the item while the form was open; the form says so and reloads
	await byTest(page, 'item-edit').click();
	await byTest(page, 'item-form').waitFor();
	const cur = (await staff.get(`/api/v1/tasks/items/${itemId}`)).body;
	const other = await staff.put(`/api/v1/tasks/items/${itemId}`, { version: cur.version, criteria: '每名党员参加轮训不少于4天' });
	assert.equal(other.status, 200, other.text);
	await input(page, 'item-title').fill(TITLE + '（改）');
	await byTest(page, 'item-save').click();
	await byTest(page, 'item-conflict').waitFor();
	assert.match(await byTest(page, 'item-conflict').innerText(), /已被他人修改/);
	assert.equal(await input(page, 'item-criteria').inputValue(), '每名党员参加轮训不少于4天');
	assert.equal(await input(page, 'item-title').inputValue(), TITLE);
	await shot(page, '21d2-task-item-stale');
	await page.keyboard.press('Escape');
	await page.locator('[data-test="item-dialog"]').waitFor({ state: 'hidden' });
	assert.equal((await staff.get(`/api/v1/tasks/items/${itemId}`)).body.title, TITLE, 'nothing overwritten');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a branch secretary reports progress with evidence on a 390x844 phone; going backwards needs a reason; no acceptance offered', async () => {
	assert.ok(answers.length === 3, 'the push ran');
	const mine = answers.find((a) => a.list_org_name === BRANCHES[0]);
	const page = await newPage(browser, { width: 390, height: 844 });
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await page.goto(srv.base + '/tasks/my');
	await byTest(page, `my-item-${mine.id}`).waitFor();
	assert.match(await byTest(page, `my-due-${mine.id}`).innerText(), /已逾期/);
	assert.ok((await overflow(page)) <= 0, 'my items fit a 390-px screen');
	await shot(page, '21e-my-tasks-phone');

	await byTest(page, `my-report-${mine.id}`).click();
	await byTest(page, 'progress-form').waitFor();
	await input(page, 'progress-value').fill('60');
	await input(page, 'progress-value').press('Tab');
	await input(page, 'progress-text').fill('已组织两期轮训，参训党员28名');
	await page.locator('[data-test="progress-form"] [data-test="file-input"]').setInputFiles({ name: '轮训签到表.png', mimeType: 'image/png', buffer: PNG });
	await page.locator('[data-test="progress-form"] [data-test^="file-item-"]').first().waitFor();
	const save = await byTest(page, 'progress-save').boundingBox();
	assert.ok(save.height >= 44, `submit button ${save.height}px high`);
	await shot(page, '21f-progress-form-phone');
	await byTest(page, 'progress-save').click();
	await page.locator('[data-test="report-dialog"]').waitFor({ state: 'hidden' });
	let cur = (await sec.get(`/api/v1/tasks/items/${mine.id}`)).body;
	assert.equal(cur.progress, 60);
	assert.equal(cur.status, 'in_progress');
	assert.equal(cur.reports[0].files.length, 1);
	assert.equal(cur.reports[0].files[0].name, '轮训签到表.png');

	// the item page: report 40% without a reason (refused under the field), then 100%
	await byTest(page, `my-open-${mine.id}`).click();
	await page.waitForURL(new RegExp(`/tasks/items/${mine.id}$`));
	await byTest(page, 'item-reports').waitFor();
	assert.match(await byTest(page, 'item-reports').innerText(), /轮训签到表\.png/);
	assert.equal(await byTest(page, 'accept-open').count(), 0, 'no acceptance for a branch');
	await byTest(page, 'report-open').click();
	await input(page, 'progress-value').fill('40');
	await input(page, 'progress-value').press('Tab');
	await input(page, 'progress-reason').waitFor();
	await input(page, 'progress-text').fill('统计口径调整');
	await byTest(page, 'progress-save').click();
	await fieldError(page, 'progress-reason').waitFor();
	assert.match(await fieldError(page, 'progress-reason').innerText(), /原因/);
	await shot(page, '21g-progress-backwards-phone');
	await input(page, 'progress-value').fill('100');
	await input(page, 'progress-value').press('Tab');
	await input(page, 'progress-text').fill('全部党员完成轮训');
	await byTest(page, 'progress-save').click();
	await page.locator('[data-test="report-dialog"]').waitFor({ state: 'hidden' });
	await byTest(page, 'item-wait-accept').waitFor();
	assert.match(await byTest(page, 'item-status').innerText(), /已完成/);
	assert.equal(await byTest(page, 'accept-open').count(), 0, 'still no acceptance for a branch');
	assert.ok((await overflow(page)) <= 0, 'the item page fits a 390-px screen');
	await shot(page, '21h-item-done-phone');
	cur = (await sec.get(`/api/v1/tasks/items/${mine.id}`)).body;
	assert.equal(cur.status, 'done');
	assert.equal(cur.can_accept, false);
	// the branch board: the item under 已完成
	await page.goto(srv.base + '/tasks/board');
	await byTest(page, `board-item-${mine.id}`).waitFor();
	assert.match(await byTest(page, 'board-col-done').innerText(), new RegExp(TITLE));
	const board = (await sec.get('/api/v1/tasks/board')).body;
	for (const st of ['not_started', 'in_progress', 'done', 'accepted']) assert.equal((await byTest(page, `board-count-${st}`).innerText()).trim(), String(board.columns[st].length));
	assert.ok((await overflow(page)) <= 0, 'the board fits a 390-px screen');
	await shot(page, '21h2-board-phone');
	// and the API refuses it too
	const refused = await sec.post(`/api/v1/tasks/items/${mine.id}/accept`, { version: cur.version });
	assert.equal(refused.status, 403);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the overdue branch items are in the to-do and lead to the item; the township accepts the done one', async () => {
	assert.ok(answers.length === 3, 'the push ran');
	const late = answers.find((a) => a.list_org_name === BRANCHES[1]);
	const done = answers.find((a) => a.list_org_name === BRANCHES[0]);
	const todo = (await staff.get(`/api/v1/todo?date=${day(0)}`)).body;
	const f = todo.items.find((x) => x.link === `/tasks/items/${late.id}`);
	assert.ok(f, 'the API lists the overdue item');
	assert.equal(f.finding, 'overdue');
	assert.ok(!todo.items.some((x) => x.link === `/tasks/items/${done.id}` && x.finding === 'overdue'), 'a done item is not overdue');

	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	// the township's to-do, task findings only (the overview links there)
	await page.goto(srv.base + `/todo?date=${day(0)}&subject=task`);
	await byTest(page, 'todo-total').waitFor();
	const link = byTest(page, `todo-link-/tasks/items/${late.id}`);
	await link.waitFor();
	assert.match(await byTest(page, 'todo-table').innerText(), /逾期/);
	await shot(page, '21i-todo-task');
	await link.click();
	await page.waitForURL(new RegExp(`/tasks/items/${late.id}$`));
	await byTest(page, 'item-overdue').waitFor();
	assert.match(await byTest(page, 'item-title').innerText(), new RegExp(TITLE));
	// not done yet: acceptance is offered to the township but not possible
	assert.equal(await byTest(page, 'accept-open').isDisabled(), true);

	await page.goto(srv.base + `/tasks/items/${done.id}`);
	await byTest(page, 'accept-open').waitFor();
	await byTest(page, 'accept-open').click();
	await input(page, 'accept-note').fill('轮训资料齐全，予以验收');
	await byTest(page, 'accept-save').click();
	await page.locator('[data-test="accept-dialog"]').waitFor({ state: 'hidden' });
	await page.waitForFunction(() => /已验收/.test(document.querySelector('[data-test="item-status"]').textContent));
	assert.equal(await byTest(page, 'accept-open').count(), 0);
	const now = (await staff.get(`/api/v1/tasks/items/${done.id}`)).body;
	assert.equal(now.status, 'accepted');
	await page.locator('.el-tabs__item', { hasText: '变更历史' }).click();
	await byTest(page, 'item-history').waitFor();
	assert.match(await byTest(page, 'item-history').innerText(), /验收/);
	await shot(page, '21j-item-accepted');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the overview of 2022 shows the counts the API gives, by branch and by task, with lights and links down', async () => {
	const ov = (await staff.get('/api/v1/tasks/overview?year=2022')).body;
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/tasks/overview').click();
	await page.waitForURL(/\/tasks\/overview/);
	await byTest(page, 'overview-branches').waitFor();
	await page.waitForFunction(() => document.querySelectorAll('[data-test^="ov-branch-"]').length > 0);
	const val = async (n) => (await byTest(page, n).locator('.figure-value').innerText()).trim();
	const sum = (k) => ov.by_branch.reduce((s, b) => s + (b[k] || 0), 0);
	assert.equal(await val('ov-lists'), String(ov.by_branch.length));
	assert.equal(await val('ov-items'), String(sum('items')));
	assert.equal(await val('ov-overdue'), String(sum('overdue')));
	assert.equal(await val('ov-finished'), String(sum('done') + sum('accepted')));
	for (const l of ['red', 'yellow', 'green']) assert.equal(await val(`ov-light-${l}`), String(ov.by_branch.filter((b) => b.light === l).length));
	assert.equal(await rows(page, 'overview-branches').count(), ov.by_branch.length);
	for (const b of ov.by_branch) {
		assert.equal((await byTest(page, `ov-overdue-${b.org_id}`).innerText()).trim(), String(b.overdue), b.org_name);
		assert.match(await byTest(page, `ov-light-of-${b.org_id}`).innerText(), { red: /红/, yellow: /黄/, green: /绿/ }[b.light]);
	}
	await shot(page, '21k-overview-branches');

	// only the red ones
	const reds = ov.by_branch.filter((b) => b.light === 'red').length;
	await byTest(page, 'ov-light-red').click();
	await page.waitForFunction((n) => document.querySelectorAll('[data-test^="ov-branch-"]').length === n, reds);

	// by task: each top item with its branches done / pushed
	await byTest(page, 'view-task').click();
	await byTest(page, 'ov-light-red').click(); // all lights again
	await byTest(page, 'overview-tasks').waitFor();
	await page.waitForFunction((n) => document.querySelectorAll('[data-test^="ov-task-overdue-"]').length === n, ov.by_task.length);
	for (const x of ov.by_task) assert.equal((await byTest(page, `ov-task-overdue-${x.id}`).innerText()).trim(), String(x.branches_overdue));
	await shot(page, '21l-overview-tasks');
	const first = ov.by_task[0];
	await byTest(page, `ov-task-${first.id}`).click();
	await page.waitForURL(new RegExp(`/tasks/items/${first.id}$`));
	await byTest(page, 'item-desc').waitFor();
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the list exported as xlsx imports back without duplicates', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + `/tasks/lists/${listId}`);
	await byTest(page, 'task-tree').waitFor();
	const before = (await staff.get(`/api/v1/tasks/lists/${listId}`)).body.items_tree.length;
	const [dl] = await Promise.all([page.waitForEvent('download'), byTest(page, 'list-export').click()]);
	mkdirSync(ARTIFACTS, { recursive: true });
	const file = join(ARTIFACTS, 'task-list-export.xlsx');
	await dl.saveAs(file);
	assert.ok(existsSync(file));
	assert.match(dl.suggestedFilename(), /\.xlsx$/);

	await byTest(page, 'list-import').click();
	await byTest(page, 'import-dialog').waitFor();
	await page.locator('[data-test="import-file"]').setInputFiles(file);
	await byTest(page, 'import-check').click();
	await byTest(page, 'import-checked').waitFor();
	assert.match(await byTest(page, 'import-checked').innerText(), /新增 0 项/);
	await shot(page, '21m-import-checked');
	await byTest(page, 'import-commit').click();
	await page.locator('[data-test="import-dialog"]').waitFor({ state: 'hidden' });
	const after1 = (await staff.get(`/api/v1/tasks/lists/${listId}`)).body.items_tree.length;
	assert.equal(after1, before, 'no duplicates');

	// a broken file: refused with every row's problem, nothing imported
	const bad = join(ARTIFACTS, 'task-list-bad.csv');
	writeFileSync(bad, '编号,任务/事项,责任单位,责任人,开始日期,完成时限,权重,完成标准\n9.9.9,,,,2022-05-01,2022-04-01,5000,\n');
	await byTest(page, 'list-import').click();
	await page.locator('[data-test="import-file"]').setInputFiles(bad);
	await byTest(page, 'import-check').click();
	await byTest(page, 'import-errors').waitFor();
	assert.ok((await rows(page, 'import-errors').count()) >= 1);
	assert.match(await byTest(page, 'import-refused').innerText(), /未导入/);
	await shot(page, '21n-import-refused');
	assert.equal((await staff.get(`/api/v1/tasks/lists/${listId}`)).body.items_tree.length, before);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the tree is edited: split with a part refused under its field, reorder, re-parent, archive; supervision with a rectification', async () => {
	const made = await staff.post(`/api/v1/tasks/lists/${listId}/items`, { title: '浏览器测试：整理党员档案', start_on: '2022-03-01', due_on: '2022-11-30', weight: 5 });
	assert.equal(made.status, 201, made.text);
	const id = made.body.id;
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + `/tasks/lists/${listId}`);
	await byTest(page, `item-menu-${id}`).click();
	await byTest(page, `cmd-split-${id}`).click();
	await byTest(page, 'split-dialog').waitFor();
	await input(page, 'split-title-0').fill('收集整理档案材料');
	await input(page, 'split-weight-0').fill('3');
	await byTest(page, 'split-save').click(); // the second part has no title
	await fieldError(page, 'split-title-1').waitFor();
	assert.match(await fieldError(page, 'split-title-1').innerText(), /不能为空/);
	await shot(page, '21o-split-error');
	await input(page, 'split-title-1').fill('档案数字化录入');
	await input(page, 'split-weight-1').fill('1');
	await byTest(page, 'split-save').click();
	await page.locator('[data-test="split-dialog"]').waitFor({ state: 'hidden' });
	let it = (await staff.get(`/api/v1/tasks/items/${id}`)).body;
	assert.deepEqual(it.children.map((c) => c.title), ['收集整理档案材料', '档案数字化录入']);
	assert.equal(it.progress_source, 'rollup');
	const [a, b] = it.children;
	assert.equal(a.code, `${it.code}.1`);

	// reorder: the second child up
	await byTest(page, `item-up-${b.id}`).click();
	await page.waitForFunction(
		([x, y]) => {
			const ex = document.querySelector(`[data-test="item-open-${x}"]`);
			const ey = document.querySelector(`[data-test="item-open-${y}"]`);
			return ex && ey && ex.compareDocumentPosition(ey) & Node.DOCUMENT_POSITION_FOLLOWING;
		},
		[b.id, a.id],
	);
	it = (await staff.get(`/api/v1/tasks/items/${id}`)).body;
	assert.deepEqual(it.children.map((c) => c.id), [b.id, a.id]);

	// re-parent: the first child to the top level, at the end
	await byTest(page, `item-menu-${a.id}`).click();
	await byTest(page, `cmd-move-${a.id}`).click();
	await byTest(page, 'move-dialog').waitFor();
	await choose(page, 'move-parent', '（顶层任务）');
	await byTest(page, 'move-save').click();
	await page.locator('[data-test="move-dialog"]').waitFor({ state: 'hidden' });
	assert.equal((await staff.get(`/api/v1/tasks/items/${a.id}`)).body.parent_id, null);

	// archive it
	await byTest(page, `item-menu-${a.id}`).click();
	await byTest(page, `cmd-archive-${a.id}`).click();
	await page.locator('.el-message-box input').fill('与档案专项工作重复');
	await page.locator('.el-message-box__btns .el-button--primary').click();
	await page.waitForFunction((x) => !document.querySelector(`[data-test="item-open-${x}"]`), a.id);
	assert.ok((await staff.get(`/api/v1/tasks/items/${a.id}`)).body.archived_at);
	await shot(page, '21p-tree-edited');

	// supervision of the item with a rectification already past its deadline, then its outcome
	await page.goto(srv.base + `/tasks/items/${id}`);
	await byTest(page, 'supervise-open').click();
	await byTest(page, 'supervise-dialog').waitFor();
	await input(page, 'sup-inspector').fill('镇纪委 张书记');
	await input(page, 'sup-found').fill('部分档案材料缺页');
	await byTest(page, 'sup-rating-average').click();
	await byTest(page, 'sup-rect').click();
	await byTest(page, 'sup-save').click();
	await fieldError(page, 'sup-requirement').waitFor();
	await input(page, 'sup-requirement').fill('补齐缺页材料');
	await input(page, 'sup-deadline').fill(day(-2));
	await input(page, 'sup-deadline').press('Enter');
	await input(page, 'sup-date').fill(day(-3));
	await input(page, 'sup-date').press('Enter');
	await byTest(page, 'sup-save').click();
	await page.locator('[data-test="supervise-dialog"]').waitFor({ state: 'hidden' });
	it = (await staff.get(`/api/v1/tasks/items/${id}`)).body;
	const sv = it.supervisions[0];
	assert.equal(sv.rating, 'average');
	assert.equal(sv.rectification.overdue, true);
	const card = byTest(page, `supervision-${sv.id}`);
	assert.match(await card.innerText(), /一般/);
	assert.match(await card.innerText(), /整改逾期/);
	await shot(page, '21q-supervision');
	await byTest(page, `rect-complete-${sv.rectification.id}`).click();
	await input(page, 'rect-outcome').fill('已补齐全部缺页材料');
	await byTest(page, 'rect-save').click();
	await page.locator('[data-test="rect-dialog"]').waitFor({ state: 'hidden' });
	await page.waitForFunction((x) => /已整改/.test(document.querySelector(`[data-test="supervision-${x}"]`).textContent), sv.id);
	assert.equal((await staff.get(`/api/v1/tasks/items/${id}`)).body.supervisions[0].rectification.done_on, day(0));
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
