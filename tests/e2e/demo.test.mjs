// demo.test.mjs - journeys through the demo township: township staff create an org and a person, a branch secretary stays in the branch,
// the leadership-team figures of 2022-12-31, English, and a phone-sized screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff; // API client logged in as township staff, to look things up behind the browser's back

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

/** An org of the demo township by name (township's view). */
async function orgByName(name) {
	const r = await staff.get('/api/v1/orgs?format=flat&page_size=200');
	const o = r.body.items.find((x) => x.name === name);
	assert.ok(o, `no org named ${name}`);
	return o;
}

test('township staff create an org: the missing category is shown under its field, then fixed', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/orgs').click();
	await page.waitForURL(/\/orgs/);
	await byTest(page, 'org-detail').waitFor();
	await byTest(page, 'org-create').click();
	await input(page, 'org-name').fill('测试新村党支部');
	await choose(page, 'org-kind', '党支部');
	await byTest(page, 'org-save').click();

	const err = fieldError(page, 'org-category');
	await err.waitFor();
	assert.match(await err.innerText(), /组织类别/);
	await shot(page, '02a-org-field-error');

	await choose(page, 'org-category', '村');
	await input(page, 'org-established').fill('2020-07-01');
	await page.keyboard.press('Enter');
	await byTest(page, 'org-save').click();
	await page.locator('.el-message--success').waitFor();
	// The new branch is in the tree on the left and in the table.
	await page.locator('[data-test="org-tree"] .org-node-name', { hasText: '测试新村党支部' }).waitFor();
	await page.locator('[data-test="org-table"] td', { hasText: '测试新村党支部' }).first().waitFor();
	const created = await orgByName('测试新村党支部');
	assert.equal(created.category, 'village');
	assert.equal(created.established_on, '2020-07-01');
	await page.waitForURL(new RegExp(`org=${created.id}`));
	await shot(page, '02b-org-created');

	// Someone else saves the same org while our edit dialog is open: 409, the dialog shows what is there now.
	await byTest(page, 'org-edit').click();
	await input(page, 'org-name').waitFor();
	const other = await staff.put(`/api/v1/orgs/${created.id}`, {
		version: created.version, name: created.name, kind: 'branch', category: 'village', short_name: '新村', established_on: '2020-07-01',
	});
	assert.equal(other.status, 200, other.text);
	await input(page, 'org-credit-code').fill('91350100M000100Y43');
	await byTest(page, 'org-save').click();
	await byTest(page, 'conflict').waitFor();
	assert.equal(await input(page, 'org-short-name').inputValue(), '新村');
	await shot(page, '02c-org-conflict');
	await input(page, 'org-credit-code').fill('91350100M000100Y43');
	await byTest(page, 'org-save').click();
	await page.locator('.el-message--success').last().waitFor();
	const saved = await staff.get(`/api/v1/orgs/${created.id}`);
	assert.equal(saved.body.short_name, '新村');
	assert.equal(saved.body.credit_code, '91350100M000100Y43');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('township staff add a person: a wrong ID number is shown under the ID field, fixed, and the person is found in the list, masked', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	const branch = await orgByName('巴音敖包嘎查党支部');
	await byTest(page, 'menu-/people').click();
	await byTest(page, 'people-table').waitFor();
	// A click in the org tree filters the list to that subtree.
	await byTest(page, `org-node-${branch.id}`).click();
	await page.waitForURL(new RegExp(`/people\\?org=${branch.id}`));
	const inBranch = await staff.get(`/api/v1/people?org=${branch.id}&page_size=1`);
	await page.locator('[data-test="people-pager"]', { hasText: String(inBranch.body.total) }).waitFor();
	await byTest(page, 'person-create').click();
	await page.waitForURL(/\/people\/new/);

	await input(page, 'person-name').fill('测试人员');
	await input(page, 'person-id-number').fill('110105194912310021'); // check character should be X
	// The birth date and the sex come from the ID number.
	assert.equal(await input(page, 'person-birth-date').inputValue(), '1949-12-31');
	await choose(page, 'person-ethnicity', '汉族');
	await choose(page, 'person-education', '大学专科');
	await byTest(page, 'person-save').click();

	const err = fieldError(page, 'person-id-number');
	await err.waitFor();
	assert.match(await err.innerText(), /校验/);
	await shot(page, '03a-person-id-error');
	const before = await staff.get('/api/v1/people?q=' + encodeURIComponent('测试人员'));
	assert.equal(before.body.total, 0, 'nothing written on a bad field');

	await input(page, 'person-id-number').fill('11010519491231002x');
	await byTest(page, 'person-save').click();
	await page.waitForURL(/\/people\/\d+$/);
	await byTest(page, 'person-name').waitFor();
	assert.match(await byTest(page, 'detail-masked-id').innerText(), /^1101\*+002X$/);

	// Find the person in the list by name, with the ID masked.
	await byTest(page, 'menu-/people').click();
	await page.waitForURL(/\/people/);
	await input(page, 'filter-q').fill('测试人员');
	await byTest(page, 'filter-search').click();
	await page.waitForURL(/q=/);
	const row = page.locator('[data-test="people-table"] .el-table__body-wrapper tr', { hasText: '测试人员' }).first();
	await row.waitFor();
	assert.match(await row.locator('[data-test="masked-id"]').innerText(), /^1101\*{10}002X$/);
	assert.ok(!(await page.content()).includes('11010519491231002X'), 'the full ID number never reaches the list');
	await shot(page, '03b-person-in-list');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test("a person's record: a post added and ended, a flag, full numbers shown after a reason, all in the history", async () => {
	const branch = await orgByName('乌兰哈达嘎查党支部');
	const list = await staff.get(`/api/v1/people?org=${branch.id}&page_size=50`);
	let p = null;
	for (const x of list.body.items) {
		if (!x.id_number_masked || !x.phone_masked) continue;
		const d = await staff.get(`/api/v1/people/${x.id}`);
		if (!d.body.positions.length && !d.body.flags.length) {
			p = x;
			break;
		}
	}
	assert.ok(p, 'a demo person with an ID number and a phone, and no post or flag ever');

	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(`${srv.base}/people/${p.id}`);
	await byTest(page, 'person-desc').waitFor();

	// Unmask: a reason first; the numbers appear only in the dialog.
	await byTest(page, 'unmask').click();
	await byTest(page, 'unmask-submit').click();
	await page.locator('.el-dialog:visible .el-form-item__error').first().waitFor();
	await input(page, 'unmask-reason').fill('办理组织关系转接，核对身份证号');
	await byTest(page, 'unmask-submit').click();
	const shown = await byTest(page, 'unmask-result').innerText();
	assert.match(shown, /\d{17}[\dX]/);
	assert.match(shown, /1\d{10}/);
	await shot(page, '03c-person-unmask');
	await page.locator('.el-dialog:visible button:has-text("关闭")').click();
	await page.locator('[data-test="history"]', { hasText: '办理组织关系转接' }).waitFor();

	// A post in the leadership team, then its end.
	// Dates after 2022-12-31, so the demo's figures of that day stay as the seed has them.
	await byTest(page, 'add-position').click();
	await choose(page, 'position-title', '村(居)委会委员');
	await input(page, 'position-started-on').fill('2023-03-01');
	await page.keyboard.press('Enter');
	await byTest(page, 'position-save').click();
	await page.locator('[data-test="positions"] td', { hasText: '2023-03-01 — ' }).waitFor();
	await byTest(page, 'end-position').click();
	assert.match(await input(page, 'position-ended-on').inputValue(), /^\d{4}-\d{2}-\d{2}$/, 'ending proposes today');
	await input(page, 'position-ended-on').fill('2024-12-31');
	await page.keyboard.press('Enter');
	await byTest(page, 'position-save').click();
	await page.locator('[data-test="positions"] td', { hasText: '2023-03-01 — 2024-12-31' }).waitFor();

	// A flag: reserve cadre.
	await byTest(page, 'add-flag').click();
	await choose(page, 'flag-flag', '后备干部');
	await input(page, 'flag-started-on').fill('2023-03-01');
	await page.keyboard.press('Enter');
	await byTest(page, 'flag-save').click();
	await page.locator('[data-test="flags"] td', { hasText: '2023-03-01' }).waitFor();

	const after = await staff.get(`/api/v1/people/${p.id}`);
	assert.deepEqual(after.body.positions.map((x) => [x.title, x.started_on, x.ended_on]), [['committee_member', '2023-03-01', '2024-12-31']]);
	assert.deepEqual(after.body.flags.map((x) => [x.flag, x.started_on, x.ended_on]), [['reserve_cadre', '2023-03-01', null]]);
	const hist = await byTest(page, 'history').innerText();
	assert.ok(!/\d{17}[\dX]/.test(hist), 'no full ID number in the history');
	await shot(page, '03d-person-record');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a branch secretary sees only the branch: not in the tree, not in the list, not by URL, not through the API', async () => {
	const own = await orgByName('巴音敖包嘎查党支部');
	const other = await orgByName('乌兰哈达嘎查党支部');
	const otherPeople = await staff.get(`/api/v1/people?org=${other.id}&page_size=1`);
	assert.ok(otherPeople.body.total > 0);
	const stranger = otherPeople.body.items[0];

	const page = await newPage(browser);
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await byTest(page, 'org-tree').waitFor();
	// the tree shows 加载中… until the secretary's orgs arrive: read it once they have
	await page.waitForFunction(() => !document.querySelector('[data-test="org-tree"]').innerText.includes('加载中'));
	const tree = await byTest(page, 'org-tree').innerText();
	assert.match(tree, /巴音敖包嘎查党支部/);
	assert.doesNotMatch(tree, /乌兰哈达/);
	assert.doesNotMatch(tree, /巴音敖包镇党委/);

	await byTest(page, 'menu-/people').click();
	await byTest(page, 'people-table').waitFor();
	await page.waitForSelector('[data-test="people-pager"]');
	const pager = await byTest(page, 'people-pager').innerText();
	const total = Number(/(\d+)/.exec(pager)[1]);
	const mine = await staff.get(`/api/v1/people?org=${own.id}&page_size=1`);
	assert.equal(total, mine.body.total, 'the list holds exactly the branch');
	assert.ok(!(await page.content()).includes(stranger.name) || stranger.name.length < 2);

	// A direct URL to someone of another branch: not found, like a missing person.
	await page.goto(`${srv.base}/people/${stranger.id}`);
	await byTest(page, 'not-found').waitFor();
	await shot(page, '04-secretary-not-found');

	// And the API, with the browser's own session.
	const answers = await page.evaluate(
		async ([id, orgId]) => {
			const a = await fetch(`/api/v1/people/${id}`);
			const b = await fetch(`/api/v1/people?org=${orgId}`);
			const c = await fetch(`/api/v1/people/${id}/history`);
			return [a.status, b.status, c.status];
		},
		[stranger.id, other.id],
	);
	assert.deepEqual(answers, [404, 404, 404]);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the team-structure page shows 10 / 1 / 15 on 2022-12-31, and a number opens exactly its people', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/structure').click();
	await page.waitForURL(/\/structure/);
	await byTest(page, 'structure-demo-date').click();
	await page.waitForURL(/date=2022-12-31/);
	const fig = async (k) => (await byTest(page, `fig-${k}`).locator('.figure-value').innerText()).trim();
	await page.waitForFunction(() => document.querySelector('[data-test="fig-1980s"] .figure-value'));
	assert.equal(await fig('1980s'), '10');
	assert.equal(await fig('1990s'), '1');
	assert.equal(await fig('college'), '15');
	assert.equal(await fig('selected_graduate'), '2');
	assert.equal(await fig('reserve_cadre'), '31');
	await page.locator('[data-test="chart-decade"] canvas').first().waitFor();
	await shot(page, '05a-structure-2022');

	// 80后 → the people list filtered to those 10.
	await byTest(page, 'fig-1980s').click();
	await page.waitForURL(/\/people\?.*born_from=1980/);
	await byTest(page, 'people-pager').waitFor();
	assert.match(await byTest(page, 'people-pager').innerText(), /10/);
	const rows = page.locator('[data-test="people-table"] .el-table__body-wrapper tbody tr');
	assert.equal(await rows.count(), 10);
	await shot(page, '05b-structure-80s-people');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('township staff add a post to the dictionary, and it is offered in the people filters', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/admin/dicts').click();
	await page.locator('.dicts-menu .el-menu-item', { hasText: '职务' }).click();
	await page.locator('[data-test="dict-table"] td', { hasText: 'party_secretary' }).waitFor();
	await byTest(page, 'dict-add').click();
	await input(page, 'dict-code').fill('Bad Code');
	await input(page, 'dict-label').fill('村务监督委员会主任');
	await input(page, 'dict-label-en').fill('Village affairs supervision director');
	await byTest(page, 'dict-save').click();
	await fieldError(page, 'dict-code').waitFor();
	await input(page, 'dict-code').fill('supervision_director');
	await byTest(page, 'dict-save').click();
	await page.locator('[data-test="dict-table"] td', { hasText: 'supervision_director' }).waitFor();
	await shot(page, '08-dictionary-item');

	await byTest(page, 'menu-/people').click();
	await byTest(page, 'filter-position').click();
	await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '村务监督委员会主任' }).waitFor();
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('switching to English shows English labels everywhere, and the choice is remembered', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'lang-switch').click();
	await page.locator('[data-test="lang-en"]:visible').click();
	await byTest(page, 'menu-/people').click();
	await byTest(page, 'people-table').waitFor();
	const menu = await byTest(page, 'side-menu').innerText();
	for (const label of ['Home', 'Organizations', 'People', 'Team structure', 'Dictionaries']) assert.match(menu, new RegExp(label));
	const table = await byTest(page, 'people-table').innerText();
	assert.match(table, /Name/);
	assert.match(table, /Ethnicity/);
	assert.match(table, /Mongol|Han/, 'dictionary values use their English labels');
	await shot(page, '06a-english-people');

	await page.goto(`${srv.base}/structure?date=2022-12-31`);
	await byTest(page, 'fig-1980s').waitFor();
	const body = await page.locator('body').innerText();
	assert.match(body, /Born in the 1980s/);
	assert.match(body, /College or above/);
	// No message key leaked as text (e.g. "people.name").
	assert.doesNotMatch(body, /\b(common|people|person|structure|menu|orgs|users)\.[a-zA-Z_]+\b/);
	await shot(page, '06b-english-structure');

	await page.reload();
	await byTest(page, 'fig-1980s').waitFor();
	assert.match(await byTest(page, 'side-menu').innerText(), /Team structure/);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('on a 375-px phone the menu is a drawer and the people list and a person are usable', async () => {
	const page = await newPage(browser, { width: 375, height: 780 });
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await page.goto(`${srv.base}/people`);
	await byTest(page, 'people-cards').waitFor();
	await page.locator('.person-card').first().waitFor();
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
	await shot(page, '07a-phone-people');

	await byTest(page, 'open-drawer').click();
	await page.locator('.nav-drawer [data-test="org-tree"]').waitFor();
	await shot(page, '07b-phone-drawer');
	await page.keyboard.press('Escape');
	await page.locator('.nav-drawer').waitFor({ state: 'hidden' });

	await page.locator('.person-card').first().click();
	await page.waitForURL(/\/people\/\d+$/);
	await byTest(page, 'person-desc').waitFor();
	const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert.ok(overflow2 <= 0, `the person page scrolls sideways by ${overflow2}px`);
	await shot(page, '07c-phone-person');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
