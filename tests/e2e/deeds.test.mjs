// deeds.test.mjs - journeys through Party building + grid on the demo township: a resident submits an urgent problem on the public
// page on a 390-px phone (markup refused, then a tracking code) and tracks it; the grid worker (who sees only its own grids) takes it
// through 受理, 办理 and 办结, meeting a stale version on the way; the resident answers "not solved" and it reopens; overdue requests
// in the to-do and the list; the silent minority of a grid; 200 deeds done in 2022 on the figures page; too many public submissions
// refused with 429 (last: it uses up the address's budget).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff;
let gw;
let gwGrids;
let code = ''; // the tracking code the resident got
let deedId = 0;

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	assert.equal((await staff.login('township', DEMO_PASSWORD)).status, 200);
	gw = new Client(srv.base);
	assert.equal((await gw.login('gridworker', DEMO_PASSWORD)).status, 200);
	gwGrids = (await gw.get('/api/v1/grids')).body.items;
	assert.ok(gwGrids.length >= 1);
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

const PHONE = { width: 390, height: 844 };
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('a resident submits an urgent problem on the public page from a phone and tracks it by its code', async () => {
	const page = await newPage(browser, PHONE);
	await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
	await page.goto(srv.base + '/public/request');
	await byTest(page, 'pubreq-form').waitFor();
	assert.equal(new URL(page.url()).pathname, '/public/request', 'no login asked');
	const grid = gwGrids[0];
	await choose(page, 'pubreq-org', grid.org_name);
	await choose(page, 'pubreq-grid', grid.name);
	await byTest(page, 'pubreq-cat-infrastructure').click();
	// markup is refused under its field and nothing is stored
	const before = (await staff.get('/api/v1/deeds?page_size=1')).body.total;
	await input(page, 'pubreq-title').fill('<script>alert(1)</script>路灯');
	await input(page, 'pubreq-content').fill('村口路灯坏了一个多月，晚上放牧回来看不见路。');
	await input(page, 'pubreq-place').fill('三组村口');
	await input(page, 'pubreq-phone').fill('13912345678');
	await byTest(page, 'pubreq-submit').click();
	await fieldError(page, 'pubreq-title').waitFor();
	assert.match(await fieldError(page, 'pubreq-title').innerText(), /[\u4e00-\u9fa5]/);
	await byTest(page, 'pubreq-refusal').waitFor();
	assert.equal((await staff.get('/api/v1/deeds?page_size=1')).body.total, before, 'nothing stored');
	assert.ok((await overflow(page)) <= 0, 'the form fits a 390-px screen');
	const sb = await byTest(page, 'pubreq-submit').boundingBox();
	assert.ok(sb.height >= 44, `submit button ${sb.height}px high`);
	const cb = await byTest(page, 'pubreq-cat-infrastructure').boundingBox();
	assert.ok(cb.height >= 44, `category button ${cb.height}px high`);
	await shot(page, '17a-public-request-refused-phone');

	await input(page, 'pubreq-title').fill('村口路灯不亮');
	await byTest(page, 'pubreq-submit').click();
	await byTest(page, 'pubreq-code').waitFor();
	code = (await byTest(page, 'pubreq-code').innerText()).replace(/[\s-]/g, '');
	assert.match(code, /^[0-9A-Z]{12}$/);
	const fs = await byTest(page, 'pubreq-code').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
	assert.ok(fs >= 28, `code shown large (${fs}px)`);
	await byTest(page, 'pubreq-copy').click();
	await page.waitForFunction(() => /已复制/.test(document.querySelector('[data-test="pubreq-copy"]').innerText));
	assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
	await shot(page, '17b-public-request-code-phone');

	// stored for the grid, with the place as its own field (not in the text) and the phone masked
	const list = (await staff.get(`/api/v1/deeds?q=${code}`)).body.items;
	assert.equal(list.length, 1);
	deedId = list[0].id;
	const d = (await staff.get(`/api/v1/deeds/${deedId}`)).body;
	assert.equal(d.grid_id, grid.id);
	assert.equal(d.status, 'registered');
	assert.equal(d.place, '三组村口');
	assert.doesNotMatch(d.content, /三组村口/);
	assert.equal(d.phone_masked, '139****5678');

	await byTest(page, 'pubreq-track').click();
	await page.waitForURL(new RegExp(`/public/request/${code}$`));
	await byTest(page, 'track-status').waitFor();
	assert.match(await byTest(page, 'track-status').innerText(), /登记/);
	assert.match(await byTest(page, 'track-history').innerText(), /登记/);
	const text = await page.locator('body').innerText();
	assert.doesNotMatch(text, /13912345678|139\*\*\*\*5678/, 'no phone on the public page');
	assert.doesNotMatch(text, /三组村口/, 'no place on the public tracking page');
	assert.ok((await overflow(page)) <= 0);
	await shot(page, '17c-public-track-phone');

	// a wrong code says so
	await page.goto(srv.base + '/public/request/ZZZZZZZZZZZZ');
	await byTest(page, 'track-error').waitFor();
	assert.match(await byTest(page, 'track-error').innerText(), /查询码/);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the grid worker sees only its grids and takes the request through 受理, 办理 and 办结 on a phone; a stale version asks to reload', async () => {
	assert.ok(deedId, 'the first test made the request');
	const page = await newPage(browser, PHONE);
	await login(page, srv.base, 'gridworker', DEMO_PASSWORD);
	await page.goto(srv.base + '/grids');
	await byTest(page, 'grid-table').waitFor();
	await page.locator('[data-test="grid-table"] .el-table__body-wrapper tbody tr').first().waitFor();
	assert.equal(await page.locator('[data-test="grid-table"] .el-table__body-wrapper tbody tr').count(), gwGrids.length);
	assert.ok((await overflow(page)) <= 0);
	await shot(page, '17d0-gridworker-grid-list-phone');
	const all = (await staff.get('/api/v1/grids?page_size=100')).body;
	assert.ok(all.total > gwGrids.length, 'the township sees more grids');
	const other = all.items.find((g) => !gwGrids.some((x) => x.id === g.id));
	assert.equal((await gw.get(`/api/v1/grids/${other.id}`)).status, 404, 'another grid is not found');
	const otherDeed = (await staff.get(`/api/v1/deeds?grid=${other.id}&page_size=1`)).body.items[0];
	assert.equal((await gw.get(`/api/v1/deeds/${otherDeed.id}`)).status, 404);
	await page.goto(srv.base + `/grids/${other.id}`);
	await page.getByText('网格不存在或不在您的管理范围内').waitFor();
	await shot(page, '17d-gridworker-grids-phone');

	// the request, found by its code
	await page.goto(srv.base + `/deeds?q=${code}`);
	await byTest(page, `deed-open-${deedId}`).click();
	await page.waitForURL(new RegExp(`/deeds/${deedId}$`));
	await byTest(page, 'deed-act-accept').waitFor();
	assert.equal(await byTest(page, 'deed-code').innerText(), code);
	assert.equal(await byTest(page, 'deed-place').innerText(), '三组村口', 'staff see the place');

	// someone else accepts it meanwhile: the worker's click meets a stale version
	const cur = (await staff.get(`/api/v1/deeds/${deedId}`)).body;
	assert.equal((await staff.post(`/api/v1/deeds/${deedId}/accept`, { version: cur.version, note: '镇里已受理' })).status, 200);
	await byTest(page, 'deed-act-accept').click();
	await byTest(page, 'deed-dialog-ok').click();
	await byTest(page, 'deed-stale').waitFor();
	assert.match(await byTest(page, 'deed-stale').innerText(), /[\u4e00-\u9fa5]/);
	await shot(page, '17e-deed-stale-phone');
	await byTest(page, 'deed-reload').click();
	await byTest(page, 'deed-act-start').waitFor();
	assert.match(await byTest(page, 'deed-status').innerText(), /受理/);

	await byTest(page, 'deed-act-start').click();
	await byTest(page, 'deed-dialog-ok').click();
	// 受理 allows 办结 too: wait for the state itself
	await page.waitForFunction(() => /办理中/.test(document.querySelector('[data-test="deed-status"]').innerText));
	await byTest(page, 'deed-act-close').waitFor();

	// 办结 needs its result: the message under the field
	await byTest(page, 'deed-act-close').click();
	await byTest(page, 'deed-reason-solved').click();
	await byTest(page, 'deed-dialog-ok').click();
	await fieldError(page, 'deed-note').waitFor();
	assert.match(await fieldError(page, 'deed-note').innerText(), /办理结果/);
	await input(page, 'deed-note').fill('已更换灯泡，路灯恢复照明');
	await shot(page, '17f-deed-close-phone');
	await byTest(page, 'deed-dialog-ok').click();
	await page.waitForFunction(() => /办结/.test(document.querySelector('[data-test="deed-status"]').innerText));
	await byTest(page, 'deed-done').waitFor();
	assert.match(await byTest(page, 'deed-history').innerText(), /已更换灯泡/);
	assert.ok((await overflow(page)) <= 0);
	await shot(page, '17g-deed-closed-phone');
	const d = (await staff.get(`/api/v1/deeds/${deedId}`)).body;
	assert.equal(d.status, 'closed');
	assert.equal(d.close_reason, 'solved');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the resident says "not solved" on the tracking page and the request reopens', async () => {
	const page = await newPage(browser, PHONE);
	await page.goto(srv.base + `/public/request/${code.toLowerCase().slice(0, 4)}-${code.slice(4)}`);
	await byTest(page, 'track-confirm').waitFor();
	assert.match(await byTest(page, 'track-status').innerText(), /办结/);
	await byTest(page, 'track-confirm-go').click();
	await page.getByText('请选择“已解决”或“没有解决”').waitFor();
	await byTest(page, 'track-solved-no').click();
	await page.locator('[data-test="track-rate"] .el-rate__item').nth(1).click();
	await input(page, 'track-comment').fill('晚上还是不亮');
	await shot(page, '17h-track-confirm-phone');
	await byTest(page, 'track-confirm-go').click();
	await byTest(page, 'track-confirmed').waitFor();
	assert.match(await byTest(page, 'track-status').innerText(), /办理中/);
	assert.equal(await byTest(page, 'track-confirm').count(), 0, 'no second answer');
	await shot(page, '17i-track-reopened-phone');
	const d = (await staff.get(`/api/v1/deeds/${deedId}`)).body;
	assert.equal(d.status, 'in_progress');
	assert.equal(d.reopened, 1);
	assert.equal(d.resident_solved, false);

	// the worker sees it back in 办理中, marked reopened
	const w = await newPage(browser, PHONE);
	await login(w, srv.base, 'gridworker', DEMO_PASSWORD);
	await w.goto(srv.base + `/deeds/${deedId}`);
	await byTest(w, 'deed-reopened').waitFor();
	assert.match(await byTest(w, 'deed-status').innerText(), /办理中/);
	assert.match(await byTest(w, 'deed-history').innerText(), /未解决/);
	await shot(w, '17j-deed-reopened-phone');
	assert.deepEqual(page.errors, []);
	assert.deepEqual(w.errors, []);
	await page.context().close();
	await w.context().close();
});

test('overdue requests: marked in the list, filtered, and in the to-do', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/deeds').click();
	await page.waitForURL(/\/deeds$/);
	await byTest(page, 'deed-filter-overdue').click();
	await byTest(page, 'deed-search').click();
	await page.waitForURL(/overdue=1/);
	const over = (await staff.get('/api/v1/deeds?overdue=1')).body;
	assert.ok(over.total >= 1);
	await byTest(page, `deed-overdue-${over.items[0].id}`).waitFor();
	assert.match(await byTest(page, 'deed-total').innerText(), new RegExp(String(over.total)));
	await shot(page, '17k-deeds-overdue');

	// the to-do (as of the end of 2022, the demo's year) names an overdue request and links to it
	await page.goto(srv.base + '/todo?date=2022-12-31');
	await byTest(page, 'todo-table').waitFor();
	const all = (await staff.get('/api/v1/todo?date=2022-12-31')).body.items;
	const idx = all.findIndex((f) => f.subject === 'deed' && f.finding === 'overdue');
	assert.ok(idx >= 0, 'overdue requests are findings: ' + JSON.stringify(all.filter((f) => f.subject === 'deed').slice(0, 2)));
	const f = all[idx];
	const pg = Math.floor(idx / 20) + 1;
	if (pg > 1) await page.locator('.el-pager li').filter({ hasText: new RegExp(`^${pg}$`) }).click();
	// the sentence shows on phones; on a wide screen the row links to the request
	await byTest(page, 'todo-link-' + f.link).waitFor();
	await shot(page, '17l-todo-overdue');
	await byTest(page, 'todo-link-' + f.link).click();
	await page.waitForURL(new RegExp(f.link + '$'));
	await byTest(page, 'deed-overdue').waitFor();
	await shot(page, '17l2-deed-overdue');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the silent minority of a grid, and a visit recorded on a phone takes a household off the list', async () => {
	const page = await newPage(browser, PHONE);
	await login(page, srv.base, 'gridworker', DEMO_PASSWORD);
	await page.goto(srv.base + '/grid/silent?as_of=2022-12-31');
	await byTest(page, 'silent-summary').waitFor();
	const sum = (await gw.get('/api/v1/grid/silent?as_of=2022-12-31')).body;
	assert.equal(sum.items.length, gwGrids.length, 'only its own grids');
	const g = sum.items.find((x) => x.silent > 0) || sum.items[0];
	await byTest(page, `silent-grid-${g.grid_id}`).waitFor();
	await shot(page, '17m-silent-summary-phone');

	// the to-do's silent finding links to the grid page's silent tab itself (no redirect)
	const todoSilent = (await gw.get('/api/v1/todo?subject=visit')).body.items.find((i) => i.finding === 'silent' && i.link.startsWith(`/grids/${g.grid_id}?`));
	assert.ok(todoSilent, 'a silent finding for the grid');
	assert.equal(todoSilent.link, `/grids/${g.grid_id}?tab=silent`);
	await page.goto(srv.base + todoSilent.link);
	await byTest(page, 'silent-explain').waitFor();
	assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, todoSilent.link);
	// the grid's own silent count comes with the grid
	const gj = (await gw.get(`/api/v1/grids/${g.grid_id}`)).body;
	assert.equal(await byTest(page, 'grid-silent-count').innerText(), String(gj.silent));
	await page.goto(srv.base + `/grids/${g.grid_id}?tab=silent`);
	await byTest(page, 'silent-explain').waitFor();
	const list = (await gw.get(`/api/v1/grids/${g.grid_id}/silent`)).body;
	assert.ok(list.items.length >= 1);
	await page.locator('[data-test="silent-table"] .el-table__body-wrapper tbody tr').first().waitFor();
	assert.equal(await page.locator('[data-test="silent-table"] .el-table__body-wrapper tbody tr').count(), list.items.length);
	assert.match(await byTest(page, 'silent-explain').innerText(), new RegExp(`${list.days} 天`));
	await shot(page, '17n-silent-grid-phone');

	// record a visit to the first one: the phone form
	const hh = list.items[0];
	await byTest(page, `silent-visit-${hh.id}`).click();
	await page.waitForURL(/\/visits\/new/);
	await byTest(page, 'visit-kind-visit').waitFor();
	await page.waitForFunction(() => document.querySelector('[data-test="visit-household"] input, input[data-test="visit-household"]'));
	await byTest(page, 'visit-kind-visit').click();
	await input(page, 'visit-note').fill('入户走访，老人身体尚好，提醒冬季取暖安全');
	assert.ok((await overflow(page)) <= 0);
	const vb = await byTest(page, 'visit-save').boundingBox();
	assert.ok(vb.height >= 44);
	await shot(page, '17o-visit-form-phone');
	await byTest(page, 'visit-save').click();
	await byTest(page, 'visit-done').waitFor();
	const after = (await gw.get(`/api/v1/grids/${g.grid_id}/silent`)).body;
	assert.equal(after.items.length, list.items.length - 1);
	assert.ok(!after.items.some((x) => x.id === hh.id));
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the figures page shows the demo\'s 200 deeds done in 2022, by month and category', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/deeds/stats').click();
	await page.waitForURL(/\/deeds\/stats/);
	await choose(page, 'stats-year', '2022');
	await page.waitForURL(/year=2022/);
	await page.waitForFunction(() => {
		const el = document.querySelector('[data-test="stats-done"] .figure-value');
		return el && el.innerText.trim() === '200';
	});
	const s = (await staff.get('/api/v1/deeds/stats?from=2022-01-01&to=2022-12-31')).body;
	assert.equal(s.done, 200);
	assert.equal((await byTest(page, 'stats-received').locator('.figure-value').innerText()).trim(), String(s.received));
	const sat = await byTest(page, 'stats-satisfaction').innerText();
	if (s.satisfaction.average === null) assert.match(sat, /—/);
	else assert.match(sat, new RegExp(Number(s.satisfaction.average).toFixed(1)));
	assert.equal(await page.locator('canvas').count(), 2, 'two charts');
	await shot(page, '17p-deeds-figures-2022');
	// the number opens the records behind it
	await byTest(page, 'stats-done').click();
	await page.waitForURL(/\/deeds\?/);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a grid worker takes in a request for a household on a phone and escalates it to the branch with a reason', async () => {
	const page = await newPage(browser, PHONE);
	await login(page, srv.base, 'gridworker', DEMO_PASSWORD);
	const hh = (await gw.get(`/api/v1/households?grid=${gwGrids[0].id}`)).body.items[1];
	await page.goto(srv.base + `/households/${hh.id}`);
	await byTest(page, 'household-deed').click();
	await page.waitForURL(/\/deeds\/new/);
	await byTest(page, 'deed-category-relief').waitFor();
	// the household's head fills in as the resident
	await page.waitForFunction((n) => {
		const el = document.querySelector('[data-test="deed-resident"] input, input[data-test="deed-resident"]');
		return el && el.value === n;
	}, hh.head_name);
	await byTest(page, 'deed-save').click();
	await fieldError(page, 'deed-title').waitFor();
	assert.match(await fieldError(page, 'deed-title').innerText(), /诉求标题/);
	await byTest(page, 'deed-category-relief').click();
	await byTest(page, 'deed-channel-phone').click();
	await input(page, 'deed-title').fill('冬季取暖煤需要帮助');
	await input(page, 'deed-content').fill('老人独居，家中取暖煤不够过冬。');
	assert.ok((await overflow(page)) <= 0);
	await shot(page, '17t-deed-intake-phone');
	await byTest(page, 'deed-save').click();
	await page.waitForURL(/\/deeds\/\d+$/);
	const id = Number(new URL(page.url()).pathname.split('/').pop());
	const d = (await gw.get(`/api/v1/deeds/${id}`)).body;
	assert.equal(d.household_id, hh.id);
	assert.equal(d.channel, 'phone');
	assert.equal(d.status, 'registered');

	// escalate to the branch: the reason is required
	await byTest(page, 'deed-act-route').click();
	await byTest(page, 'deed-level-branch').click();
	await byTest(page, 'deed-dialog-ok').click();
	await fieldError(page, 'deed-note').waitFor();
	await input(page, 'deed-note').fill('需要支部协调帮扶资金');
	await byTest(page, 'deed-dialog-ok').click();
	await page.waitForFunction(() => !document.querySelector('[data-test="deed-dialog"]') || !document.querySelector('[data-test="deed-dialog"]').offsetParent);
	await page.getByText('上报 1 次').waitFor();
	assert.match(await byTest(page, 'deed-history').innerText(), /需要支部协调帮扶资金/);
	await shot(page, '17u-deed-escalated-phone');
	const e = (await gw.get(`/api/v1/deeds/${id}`)).body;
	assert.equal(e.level, 'branch');
	assert.equal(e.escalations, 1);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('township staff create a grid and a household: field errors from the server, a masked phone, tags and the member in touch', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/grids').click();
	await page.waitForURL(/\/grids$/);
	await byTest(page, 'grid-new').click();
	await choose(page, 'grid-org', gwGrids[0].org_name);
	await byTest(page, 'grid-save').click();
	await fieldError(page, 'grid-name').waitFor();
	assert.match(await fieldError(page, 'grid-name').innerText(), /网格名称/);
	await input(page, 'grid-name').fill('第四网格');
	await input(page, 'grid-area').fill('十组、十一组');
	await byTest(page, 'grid-save').click();
	await page.waitForURL(/\/grids\/\d+/);
	const gid = Number(new URL(page.url()).pathname.split('/').pop());
	await byTest(page, 'grid-title').waitFor();
	assert.match(await byTest(page, 'grid-title').innerText(), /第四网格/);
	await byTest(page, 'household-empty').waitFor();

	await byTest(page, 'household-new').click();
	await input(page, 'household-address').fill('10组3号');
	await input(page, 'household-head').fill('<b>王</b>');
	await input(page, 'household-phone').fill('13800001234');
	await byTest(page, 'household-tag-elderly_alone').click();
	// the member who keeps in touch, found by name
	const member = gwGrids[0].leader_name;
	await page.locator('[data-test="household-contact"] input').fill(member);
	await page.locator('.el-select-dropdown:visible .el-select-dropdown__item .picker-name').filter({ hasText: new RegExp(`^${member}$`) }).first().click();
	await byTest(page, 'household-contact').getByText(member).waitFor();
	await byTest(page, 'household-save').click();
	await fieldError(page, 'household-head').waitFor();
	await input(page, 'household-head').fill('王桂兰');
	await byTest(page, 'household-save').click();
	await page.locator('[data-test="household-table"] .el-table__body-wrapper tbody tr').first().waitFor();
	const hh = (await staff.get(`/api/v1/households?grid=${gid}`)).body.items;
	assert.equal(hh.length, 1);
	assert.equal(hh[0].phone_masked, '138****1234');
	assert.deepEqual(hh[0].tags, ['elderly_alone']);
	assert.equal(hh[0].contact_name, member);
	assert.match(await byTest(page, 'grid-desc').innerText(), /住户\s*1/);
	const row = await byTest(page, 'household-table').innerText();
	assert.match(row, /138\*\*\*\*1234/);
	assert.match(row, /独居老人/);
	assert.doesNotMatch(row, /13800001234/);
	await shot(page, '17r-grid-households');
	await byTest(page, `household-open-${hh[0].id}`).click();
	await byTest(page, 'household-desc').waitFor();
	assert.match(await byTest(page, 'household-phone-masked').innerText(), /138\*\*\*\*1234/);
	await shot(page, '17s-household');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('time limits: township staff change a category\'s working days; a grid worker is told it may not', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + '/deeds');
	await byTest(page, 'deed-settings').click();
	await page.waitForURL(/\/deeds\/settings/);
	await byTest(page, 'due-policy').waitFor();
	const before = (await staff.get('/api/v1/deeds/due-periods')).body.items.find((x) => x.category === 'policy');
	await input(page, 'due-policy').fill(String(before.working_days + 1));
	await input(page, 'due-policy').press('Tab');
	await byTest(page, 'due-save-policy').click();
	await page.waitForFunction(() => document.querySelector('[data-test="due-save-policy"]').disabled);
	const after = (await staff.get('/api/v1/deeds/due-periods')).body.items.find((x) => x.category === 'policy');
	assert.equal(after.working_days, before.working_days + 1);
	await shot(page, '17x-deed-settings');
	assert.deepEqual(page.errors, []);
	await page.context().close();

	const w = await newPage(browser, PHONE);
	await login(w, srv.base, 'gridworker', DEMO_PASSWORD);
	await w.goto(srv.base + '/deeds/settings');
	await byTest(w, 'due-policy').waitFor();
	await input(w, 'due-policy').fill('9');
	await input(w, 'due-policy').press('Tab');
	await byTest(w, 'due-save-policy').click();
	await w.getByText('镇党建办').first().waitFor();
	assert.equal((await staff.get('/api/v1/deeds/due-periods')).body.items.find((x) => x.category === 'policy').working_days, after.working_days);
	assert.deepEqual(w.errors, []);
	await w.context().close();
});

test('in English: the public page, a request and the figures show English labels and no message keys', async () => {
	const page = await newPage(browser, PHONE);
	await page.addInitScript(() => localStorage.setItem('zhibu.locale', 'en'));
	await page.goto(srv.base + '/public/request');
	await byTest(page, 'pubreq-form').waitFor();
	const leak = /\b(grid|deed|pubreq|common|status)\.[a-zA-Z_]+\b/;
	let body = await page.locator('body').innerText();
	assert.match(body, /Tell us an urgent problem/);
	assert.doesNotMatch(body, leak);
	// the categories in English, from the dictionary's label_en
	assert.equal(await byTest(page, 'pubreq-cat-infrastructure').innerText(), 'Infrastructure');
	assert.doesNotMatch(await byTest(page, 'pubreq-category').innerText(), /[\u4e00-\u9fff]/);
	await page.goto(srv.base + `/public/request/${code}`);
	await byTest(page, 'track-status').waitFor();
	body = await page.locator('body').innerText();
	assert.match(body, /In progress/);
	assert.doesNotMatch(body, leak);
	await shot(page, '17v-public-track-english-phone');
	const w = await newPage(browser);
	await w.addInitScript(() => localStorage.setItem('zhibu.locale', 'en'));
	await login(w, srv.base, 'township', DEMO_PASSWORD);
	await w.goto(srv.base + `/deeds/${deedId}`);
	await byTest(w, 'deed-history').waitFor();
	body = await w.locator('body').innerText();
	assert.match(body, /Reopened 1 times|History/);
	assert.doesNotMatch(body, leak);
	await w.goto(srv.base + '/deeds/stats?year=2022');
	await byTest(w, 'stats-done').waitFor();
	body = await w.locator('body').innerText();
	assert.match(body, /Deeds done/);
	assert.doesNotMatch(body, leak);
	await shot(w, '17w-deeds-figures-english');
	assert.deepEqual(page.errors, []);
	assert.deepEqual(w.errors, []);
	await page.context().close();
	await w.context().close();
});

test('a grid worker\'s home page leads to its daily work: my grids, a visit, requests with open and overdue counts, the silent list', async () => {
	const open = (await gw.get('/api/v1/deeds?status=open&page_size=1')).body.total;
	const overdue = (await gw.get('/api/v1/deeds?overdue=1&page_size=1')).body.total;
	const silent = (await gw.get('/api/v1/grids?page_size=100')).body.items.reduce((n, g) => n + g.silent, 0);
	for (const [size, name] of [[{ width: 1366, height: 860 }, '17x-home-gridworker'], [PHONE, '17y-home-gridworker-phone']]) {
		const page = await newPage(browser, size);
		await login(page, srv.base, 'gridworker', DEMO_PASSWORD);
		await byTest(page, 'home-work').waitFor();
		for (const k of ['grids', 'visit', 'requests', 'silent']) await byTest(page, 'home-work-' + k).waitFor();
		assert.equal(await byTest(page, 'home-work-todo').count(), 0, 'no secretary cards');
		await page.waitForFunction(() => !/—/.test(document.querySelector('[data-test="home-fig-overdue"]').textContent));
		assert.match(await byTest(page, 'home-fig-open').innerText(), new RegExp(`^${open}\\b`));
		assert.match(await byTest(page, 'home-fig-overdue').innerText(), new RegExp(`^${overdue}\\b`));
		assert.match(await byTest(page, 'home-fig-silent').innerText(), new RegExp(`^${silent}\\b`));
		assert.ok((await overflow(page)) <= 0, 'fits the screen');
		await shot(page, name);
		if (size === PHONE) {
			await byTest(page, 'home-fig-overdue').click();
			await page.waitForURL(/\/deeds\?overdue=1/);
			await byTest(page, 'deed-total').waitFor();
			assert.match(await byTest(page, 'deed-total').innerText(), new RegExp(String(overdue)));
		}
		assert.deepEqual(page.errors, []);
		await page.context().close();
	}
});

test('too many public submissions from one address: 429 shown plainly', async () => {
	const page = await newPage(browser, PHONE);
	await page.goto(srv.base + '/public/request');
	await byTest(page, 'pubreq-form').waitFor();
	// use up the address's budget (refused attempts count too)
	let status = 0;
	for (let i = 0; i < 30 && status !== 429; i++) {
		const r = await fetch(srv.base + '/api/v1/public/requests', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
		status = r.status;
	}
	assert.equal(status, 429);
	await choose(page, 'pubreq-org', gwGrids[0].org_name);
	await byTest(page, 'pubreq-cat-policy').click();
	await input(page, 'pubreq-title').fill('医保缴费咨询');
	await input(page, 'pubreq-content').fill('想问今年医保什么时候缴费。');
	await byTest(page, 'pubreq-submit').click();
	await byTest(page, 'pubreq-refusal').waitFor();
	assert.match(await byTest(page, 'pubreq-refusal').innerText(), /频繁/);
	await shot(page, '17q-public-request-429-phone');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
