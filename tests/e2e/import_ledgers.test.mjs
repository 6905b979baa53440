// import_ledgers.test.mjs - journeys through the Excel import (dry run, errors, error sheet, fix, commit) and export, and the cadre ledgers:
// the reserve pool of the demo, the assessments due, committee terms, graduates, rules; English and a 375-px phone.
// Nothing is dated on or before 2022-12-31, so the demo's figures of that day stay as the seed has them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

async function orgByName(name) {
	const r = await staff.get('/api/v1/orgs?format=flat&page_size=200');
	const o = r.body.items.find((x) => x.name === name);
	assert.ok(o, `no org named ${name}`);
	return o;
}

/** A valid 18-character ID number (GB 11643) for a birth date and sex; `bad` spoils its check character. */
function idnum(birth, male, seq, bad = false) {
	const body = '152921' + birth.replaceAll('-', '') + String(seq * 2 + (male ? 1 : 0)).padStart(3, '0');
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
	const good = '10X98765432'[sum % 11];
	return body + (bad ? (good === '0' ? '1' : '0') : good);
}

const HEADER = '姓名,性别,民族,出生日期,身份证号,联系电话,学历,政治面貌,入党时间,转正时间,所在支部';
function roster(badSecond) {
	return Buffer.from(
		[
			HEADER,
			`导入测试甲,男,蒙古族,1991-05-20,${idnum('1991-05-20', true, 71)},13800001111,大学本科,中共党员,2015-07-01,2016-07-01,`,
			`导入测试乙,女,汉族,1994/3/8,${idnum('1994-03-08', false, 72, badSecond)},,大学专科,群众,,,`,
		].join('\r\n') + '\r\n',
		'utf8',
	);
}

/** Click something that starts a download; answer the file's name and bytes. */
async function downloadOf(page, click) {
	const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
	const path = await dl.path();
	return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('the reserve ledger of the demo: 31 in the pool as figures, an entry with its training and assessments, a course added', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/ledgers/reserves').click();
	await page.waitForURL(/\/ledgers\/reserves/);
	const fig = (s) => byTest(page, `count-${s}`).locator('.figure-value');
	await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test="count-in_pool"] .figure-value')?.textContent || ''));
	assert.equal((await fig('in_pool').innerText()).trim(), '31');
	assert.equal((await fig('used').innerText()).trim(), '1');
	assert.match(await byTest(page, 'count-in_pool').innerText(), /在库/);
	assert.match(await byTest(page, 'reserve-pager').innerText(), /32/);
	await shot(page, '09a-reserve-ledger');

	// The figure filters the table to that status.
	await byTest(page, 'count-used').click();
	await page.waitForURL(/status=used/);
	await page.locator('[data-test="reserve-table"] .el-table__body-wrapper tbody tr').first().waitFor();
	assert.equal(await page.locator('[data-test="reserve-table"] .el-table__body-wrapper tbody tr').count(), 1);
	await byTest(page, 'count-used').click();
	await page.waitForURL((u) => !u.search.includes('status='));

	// One entry in the drawer: details, training, assessments; a course is added.
	const list = await staff.get('/api/v1/ledgers/reserves?status=in_pool&page_size=1');
	const entry = list.body.items[0];
	await byTest(page, `reserve-open-${entry.id}`).click();
	await byTest(page, 'reserve-desc').waitFor();
	assert.match(await byTest(page, 'reserve-desc').innerText(), new RegExp(entry.org_name));
	const courses = await page.locator('[data-test="reserve-training"] .el-table__body-wrapper tbody tr').count();
	assert.ok(courses >= 1);
	assert.ok((await page.locator('[data-test="reserve-assessments"] .el-table__body-wrapper tbody tr').count()) >= 1);
	await byTest(page, 'training-add').click();
	await byTest(page, 'training-save').click();
	await fieldError(page, 'training-course').waitFor();
	await input(page, 'training-course').fill('2026年乡村振兴专题培训');
	await byTest(page, 'training-save').click();
	await page.locator('[data-test="reserve-training"] td', { hasText: '2026年乡村振兴专题培训' }).waitFor();
	await shot(page, '09b-reserve-entry');
	const after = await staff.get(`/api/v1/ledgers/reserves/${entry.id}`);
	assert.equal(after.body.training.length, courses + 1);
	assert.equal(after.body.training_hours, entry.training_hours + 8);
	await page.keyboard.press('Escape');
	await byTest(page, 'reserve-drawer').waitFor({ state: 'hidden' });

	// Someone new into the pool (today), found by name; then out again as 已退出 with a reason.
	const branch = await orgByName('乌兰哈达嘎查党支部');
	const pool = new Set((await staff.get('/api/v1/ledgers/reserves?page_size=200')).body.items.map((e) => e.person_id));
	const people = (await staff.get(`/api/v1/people?org=${branch.id}&page_size=200`)).body.items;
	const names = people.map((p) => p.name);
	const fresh = people.find((p) => !pool.has(p.id) && names.filter((n) => n === p.name).length === 1);
	await byTest(page, 'reserve-add').click();
	await byTest(page, 'reserve-add-save').click();
	await fieldError(page, 'reserve-person').waitFor();
	await input(page, 'reserve-person').fill(fresh.name);
	await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: fresh.name }).first().click();
	await choose(page, 'reserve-add-source', '村内培养');
	await choose(page, 'reserve-add-post', '村(居)委会委员');
	await byTest(page, 'reserve-add-save').click();
	await byTest(page, 'reserve-desc').waitFor();
	assert.match(await byTest(page, 'reserve-desc').innerText(), new RegExp(branch.name));
	await page.locator('[data-test="count-in_pool"] .figure-value', { hasText: '32' }).waitFor();
	await byTest(page, 'reserve-exited').click();
	await byTest(page, 'status-save').click();
	await fieldError(page, 'status-reason').waitFor();
	await input(page, 'status-reason').fill('本人申请退出');
	await byTest(page, 'status-save').click();
	await page.locator('[data-test="drawer-status"]', { hasText: '已退出' }).waitFor();
	await shot(page, '09c-reserve-exited');
	const mine = (await staff.get(`/api/v1/ledgers/reserves?q=${encodeURIComponent(fresh.name)}`)).body.items.find((e) => e.person_id === fresh.id);
	assert.equal(mine.status, 'exited');
	assert.equal(mine.status_reason, '本人申请退出');
	assert.ok(mine.added_on > '2022-12-31');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('import: a CSV with a wrong ID checksum is refused row by row, the error sheet downloads, the fixed file is imported and listed', async () => {
	const branch = await orgByName('巴音敖包嘎查党支部');
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/people').click();
	await byTest(page, 'people-import').click();
	await page.waitForURL(/\/people\/import/);
	await byTest(page, 'import-step1').waitFor();

	// The template downloads as an xlsx.
	const tpl = await downloadOf(page, () => byTest(page, 'import-template').click());
	assert.equal(tpl.name, '人员导入模板.xlsx');
	assert.equal(tpl.bytes.subarray(0, 2).toString(), 'PK');

	await choose(page, 'import-org', '巴音敖包嘎查党支部');
	await page.locator('[data-test="import-step1"] input[type=file]').setInputFiles({ name: '名册.csv', mimeType: 'text/csv', buffer: roster(true) });
	await byTest(page, 'import-file-name').waitFor();
	assert.match(await byTest(page, 'import-file-name').innerText(), /名册\.csv/);
	assert.match(await byTest(page, 'import-file-name').innerText(), /\d+ B/);
	await byTest(page, 'import-check').click();

	// The dry run: one to add, one row with an error, nothing written, no way to commit.
	await byTest(page, 'import-errors').waitFor();
	const count = async (k) => (await byTest(page, `count-${k}`).locator('.figure-value').innerText()).trim();
	assert.equal(await count('added'), '1');
	assert.equal(await count('errors'), '1');
	const row = page.locator('[data-test="import-errors"] .el-table__body-wrapper tbody tr').first();
	const text = await row.innerText();
	assert.match(text, /^\s*3\b/, 'the sheet row');
	assert.match(text, /身份证号/);
	assert.match(text, /校验/);
	assert.match(await byTest(page, 'import-blocked').innerText(), /不会写入/);
	assert.equal(await byTest(page, 'import-commit').count(), 0);
	await shot(page, '10a-import-errors');
	const none = await staff.get('/api/v1/people?q=' + encodeURIComponent('导入测试甲'));
	assert.equal(none.body.total, 0, 'a dry run writes nothing');

	// The error sheet: the upload again as xlsx.
	const sheet = await downloadOf(page, () => byTest(page, 'import-error-sheet').click());
	assert.equal(sheet.name, '导入错误.xlsx');
	assert.ok(sheet.bytes.length > 100);
	assert.equal(sheet.bytes.subarray(0, 2).toString(), 'PK');

	// Fixed, checked again: no errors; imported.
	await byTest(page, 'import-again').click();
	await byTest(page, 'import-step1').waitFor();
	await page.locator('[data-test="import-step1"] input[type=file]').setInputFiles({ name: '名册-改正.csv', mimeType: 'text/csv', buffer: roster(false) });
	await byTest(page, 'import-check').click();
	await byTest(page, 'import-ready').waitFor();
	assert.equal(await count('added'), '2');
	assert.equal(await count('errors'), '0');
	await shot(page, '10b-import-ready');
	await byTest(page, 'import-commit').click();
	await byTest(page, 'import-done').waitFor();
	assert.match(await byTest(page, 'import-summary').innerText(), /新增 2 人/);
	await shot(page, '10c-import-done');

	await byTest(page, 'import-to-list').click();
	await page.waitForURL(new RegExp(`/people\\?org=${branch.id}`));
	await input(page, 'filter-q').fill('导入测试');
	await byTest(page, 'filter-search').click();
	await page.locator('[data-test="people-table"] .el-table__body-wrapper tr', { hasText: '导入测试甲' }).waitFor();
	await page.locator('[data-test="people-table"] .el-table__body-wrapper tr', { hasText: '导入测试乙' }).waitFor();
	const got = await staff.get('/api/v1/people?q=' + encodeURIComponent('导入测试乙'));
	assert.equal(got.body.total, 1);
	assert.equal(got.body.items[0].org_id, branch.id);
	assert.equal(got.body.items[0].birth_date, '1994-03-08');

	// Export with the list's filter: the two of them, as xlsx.
	const exp = await downloadOf(page, () => byTest(page, 'people-export').click());
	assert.equal(exp.name, '人员名册.xlsx');
	assert.equal(exp.bytes.subarray(0, 2).toString(), 'PK');
	await page.locator('.el-message--success', { hasText: '已导出 2 人' }).waitFor();
	await shot(page, '10d-export');

	// Full numbers: only with a reason.
	await page.locator('[data-test="people-export-menu"] .el-dropdown__caret-button').click();
	await page.locator('[data-test="people-export-unmasked"]:visible').click();
	await byTest(page, 'export-unmasked-submit').click();
	await fieldError(page, 'export-reason').waitFor();
	await input(page, 'export-reason').fill('核对导入的身份证号');
	const full = await downloadOf(page, () => byTest(page, 'export-unmasked-submit').click());
	assert.equal(full.bytes.subarray(0, 2).toString(), 'PK');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a file that is not a spreadsheet is refused with the server\'s message, before anything is checked', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + '/people/import');
	await page.locator('[data-test="import-step1"] input[type=file]').setInputFiles({
		name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]),
	});
	await byTest(page, 'import-check').click();
	const err = fieldError(page, 'import-file');
	await err.waitFor();
	assert.match(await err.innerText(), /[\u4e00-\u9fa5]/, 'a Chinese reason from the server');
	await byTest(page, 'import-step1').waitFor();
	await shot(page, '10e-import-refused');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('assessments due: the to-do lists people, and recording an assessment takes the line off', async () => {
	const due = (await staff.get('/api/v1/ledgers/assessments/due')).body;
	assert.ok(due.total >= 1, 'the demo has assessments due');
	// Someone due for exactly one kind, so the line is theirs alone.
	const todo = due.items.find((x) => due.items.filter((y) => y.person_id === x.person_id).length === 1);
	assert.ok(todo);

	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/ledgers/due').click();
	await page.waitForURL(/\/ledgers\/due/);
	await byTest(page, 'due-total').waitFor();
	assert.match(await byTest(page, 'due-total').innerText(), new RegExp(`${due.total}`));
	await shot(page, '11a-due');
	// The page shows 20 at a time: find the person by name.
	await page.goto(`${srv.base}/ledgers/due?q=${encodeURIComponent(todo.name)}`);
	await byTest(page, `due-assess-${todo.person_id}`).click();
	await byTest(page, 'assessment-form').waitFor();
	assert.match(await page.locator('.el-dialog:visible').innerText(), new RegExp(todo.kind_label));
	await input(page, 'assessment-assessor').fill('');
	await byTest(page, 'assessment-save').click();
	await fieldError(page, 'assessment-assessor').waitFor();
	await input(page, 'assessment-assessor').fill('镇党委组织办');
	await page.locator('[data-test="rating-competent"]').click();
	await input(page, 'assessment-period').fill('2026年下半年');
	await shot(page, '11b-due-assess');
	await byTest(page, 'assessment-save').click();
	await page.locator('.el-message--success').waitFor();
	await byTest(page, `due-assess-${todo.person_id}`).waitFor({ state: 'detached' });
	await byTest(page, 'due-empty').waitFor();
	const now = (await staff.get('/api/v1/ledgers/assessments/due')).body;
	assert.equal(now.total, due.total - 1);
	assert.ok(!now.items.some((x) => x.person_id === todo.person_id && x.kind === todo.kind));

	// The person's page lists the assessment.
	await page.goto(`${srv.base}/people/${todo.person_id}`);
	await page.locator('[data-test="assessments"] td', { hasText: '2026年下半年' }).waitFor();
	await shot(page, '11c-person-assessments');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('committee terms on an explicit date: an overdue branch in red, then its election recorded', async () => {
	const ent = await orgByName('阿拉善腾沙农牧业科技有限公司党支部');
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/ledgers/terms').click();
	await page.waitForURL(/\/ledgers\/terms/);
	await input(page, 'terms-date').fill('2026-11-29');
	await page.keyboard.press('Enter');
	await byTest(page, 'terms-search').click();
	await page.waitForURL(/date=2026-11-29/);
	await byTest(page, `term-status-${ent.id}`).waitFor();
	assert.equal((await byTest(page, `term-status-${ent.id}`).innerText()).trim(), '已逾期');
	assert.equal((await byTest(page, 'term-count-overdue').locator('.figure-value').innerText()).trim(), '1');
	assert.equal((await byTest(page, 'term-count-due_soon').locator('.figure-value').innerText()).trim(), '2');
	await shot(page, '12a-terms-overdue');

	await byTest(page, `term-record-${ent.id}`).click();
	await byTest(page, 'term-form').waitFor();
	assert.equal(await input(page, 'term-years').inputValue(), '3', 'the term of an enterprise branch from the rules');
	await input(page, 'term-started-on').fill('2025-12-01');
	await page.keyboard.press('Enter');
	await input(page, 'term-note').fill('2025年换届');
	await byTest(page, 'term-save').click();
	await page.locator('.el-message--success').waitFor();
	await page.locator(`[data-test="term-status-${ent.id}"]`, { hasText: '任期内' }).waitFor();
	assert.equal((await byTest(page, 'term-count-overdue').locator('.figure-value').innerText()).trim(), '0');
	const terms = (await staff.get(`/api/v1/ledgers/terms?org=${ent.id}&date=2026-11-29`)).body;
	assert.equal(terms.items[0].term.started_on, '2025-12-01');
	assert.equal(terms.items[0].term.ends_on, '2028-12-01');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('graduates by kind, the rules edited by township staff, and the menu only for those with ledger.read', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(`${srv.base}/ledgers/graduates?as_of=2022-12-31`);
	await byTest(page, 'graduate-table').waitFor();
	const rows = page.locator('[data-test="graduate-table"] .el-table__body-wrapper tbody tr');
	await rows.first().waitFor();
	assert.equal(await rows.count(), 2, 'two selected graduates on 2022-12-31');
	assert.match(await byTest(page, 'graduate-table').innerText(), /村居副主任/);
	await page.locator('[data-test="graduate-tabs"] .el-tabs__item', { hasText: '回村任职大学生' }).click();
	await page.waitForURL(/kind=returned_graduate/);
	await page.waitForFunction(() => document.querySelectorAll('[data-test="graduate-table"] .el-table__body-wrapper tbody tr').length === 4);
	await shot(page, '13a-graduates');

	await byTest(page, 'menu-/ledgers/rules').click();
	const rule = byTest(page, 'rule-assessment_months-returned_graduate');
	await rule.waitFor();
	assert.match(await rule.innerText(), /回村任职大学生考核周期/);
	await rule.locator('input').fill('12');
	await rule.locator('button', { hasText: '保存' }).click();
	await page.locator('.el-message--success').waitFor();
	const rules = (await staff.get('/api/v1/ledgers/rules')).body.items;
	const rg = rules.find((r) => r.rule === 'assessment_months' && r.subject === 'returned_graduate');
	assert.equal(rg.value, 12);
	await shot(page, '13b-rules');
	// back as it was, for what follows
	assert.equal((await staff.put(`/api/v1/ledgers/rules/${rg.id}`, { value: 6, version: rg.version })).status, 200);
	assert.deepEqual(page.errors, []);
	await page.context().close();

	// A party member has no ledger menu and no ledger page.
	const member = await newPage(browser);
	await login(member, srv.base, 'member', DEMO_PASSWORD);
	await byTest(member, 'side-menu').waitFor();
	assert.equal(await byTest(member, 'menu-ledgers').count(), 0);
	await member.goto(`${srv.base}/ledgers/reserves`);
	await member.waitForURL(/\/forbidden/);
	await member.context().close();
});

test('in English and on a 375-px phone the ledger and import pages are complete and fit the screen', async () => {
	const page = await newPage(browser, { width: 375, height: 780 });
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(`${srv.base}/ledgers/reserves`);
	await byTest(page, 'reserve-cards').waitFor();
	await page.locator('.person-card').first().waitFor();
	assert.ok((await overflow(page)) <= 0, 'the reserve ledger scrolls sideways');
	await shot(page, '14a-phone-reserves');
	await page.locator('.person-card').first().click();
	await byTest(page, 'reserve-desc').waitFor();
	await shot(page, '14b-phone-reserve-entry');
	await page.goto(`${srv.base}/people/import`);
	await byTest(page, 'import-step1').waitFor();
	assert.ok((await overflow(page)) <= 0, 'the import page scrolls sideways');
	await shot(page, '14c-phone-import');
	await page.goto(`${srv.base}/ledgers/terms?date=2026-11-29`);
	await byTest(page, 'terms-table').waitFor();
	assert.ok((await overflow(page)) <= 0, 'the terms page scrolls sideways');
	await shot(page, '14d-phone-terms');
	await page.context().close();

	const en = await newPage(browser);
	await login(en, srv.base, 'township', DEMO_PASSWORD);
	await byTest(en, 'lang-switch').click();
	await en.locator('[data-test="lang-en"]:visible').click();
	for (const [path, what] of [
		['/ledgers/reserves', /In the pool/],
		['/ledgers/due', /Due since/],
		['/ledgers/terms?date=2026-11-29', /Overdue/],
		['/ledgers/graduates', /Selected graduate/],
		['/ledgers/rules', /Assessment period of a/],
		['/people/import', /Import into/],
	]) {
		await en.goto(srv.base + path);
		await en.waitForFunction((re) => new RegExp(re).test(document.body.innerText), what.source);
		const body = await en.locator('body').innerText();
		assert.doesNotMatch(body, /\b(common|menu|import|export|ledgers|reserves|assessments|graduates|due|terms|rules|picker)\.[a-zA-Z_]+\b/, `a message key shows on ${path}`);
	}
	assert.match(await byTest(en, 'side-menu').innerText(), /Cadre ledgers/);
	await en.goto(srv.base + '/ledgers/reserves');
	await byTest(en, 'reserve-table').waitFor();
	await shot(en, '14e-english-reserves');
	assert.deepEqual(en.errors, []);
	await en.context().close();
});
