// training.test.mjs - journeys through training and study records, the home page's organizational-life counts and meeting attachments:
// a class created with two sessions and attendance changes the coverage; a study CSV imported (errors by row, then all) shows per person;
// the home counts lead to the compliance and to-do pages; a meeting with an attached file shows it, and its correction keeps it.
// Forms are checked on a 390 x 844 phone too. Nothing here is dated in 2022, so the demo's 2022 figures stay as they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff;
let orgs;
let root;
let v1;
let v2;

const PHONE = { width: 390, height: 844 };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	const r = await staff.login('township', DEMO_PASSWORD);
	assert.equal(r.status, 200, r.text);
	orgs = (await staff.get('/api/v1/orgs?format=flat&page_size=200')).body.items;
	root = orgs.find((o) => o.parent_id === null);
	v1 = orgs.find((o) => o.name === '巴音敖包嘎查党支部');
	v2 = orgs.find((o) => o.name === '乌兰哈达嘎查党支部');
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Type a date into the el-date-picker marked data-test=name and commit it. */
async function setDate(page, name, value) {
	const el = input(page, name);
	await el.click();
	await el.fill(value);
	await el.press('Enter');
}

/** An ID number with a valid check digit. */
function idnum(birth, male, seq, region = '150221') {
	const n = (seq % 499) * 2 + (male ? 1 : 0);
	const body = region + birth.replaceAll('-', '') + String(n).padStart(3, '0');
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
	return body + '10X98765432'[sum % 11];
}

test('a class with two sessions (one a make-up) and attendance: field errors, then the coverage of 2023 changes', async () => {
	const cov = async () => (await staff.get(`/api/v1/trainings/coverage?year=2023`)).body;
	const before0 = await cov();
	assert.equal(before0.totals.classes, 0);
	const row0 = before0.items.find((i) => i.org_id === v1.id);
	assert.equal(row0.trained, 0);
	assert.ok(row0.members > 0);

	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/trainings').click();
	await page.waitForURL(/\/trainings$/);
	await byTest(page, 'training-new').click();
	await byTest(page, 'training-dialog').waitFor();
	await choose(page, 'training-org', root.name);
	await input(page, 'training-title').fill('2023年党员冬训班');
	await input(page, 'training-audience').fill('全镇党员');
	await setDate(page, 'training-start', '2023-11-20');
	await setDate(page, 'training-end', '2023-11-10');
	await byTest(page, 'training-save').click();
	await fieldError(page, 'training-end').waitFor();
	assert.match(await fieldError(page, 'training-end').innerText(), /结束日期不能早于开始日期/);
	assert.equal(await input(page, 'training-year').inputValue(), '2023');
	await shot(page, '15a-training-class-error');
	await setDate(page, 'training-end', '2023-12-20');
	await byTest(page, 'training-save').click();
	await page.waitForURL(/\/trainings\/\d+$/);
	const classId = Number(new URL(page.url()).pathname.split('/').pop());
	assert.match(await byTest(page, 'training-desc').innerText(), /全镇党员/);

	// two sessions: the second makes up for the first
	await byTest(page, 'session-new').click();
	await byTest(page, 'session-dialog').waitFor();
	await setDate(page, 'session-date', '2023-11-22');
	await input(page, 'session-topic').fill('学习党的二十大精神');
	await input(page, 'session-lecturer').fill('镇党委书记');
	await input(page, 'session-place').fill('镇党群服务中心');
	await byTest(page, 'session-save').click();
	await page.locator('[data-test="session-table"] .el-table__body-wrapper tbody tr').first().waitFor();
	await byTest(page, 'session-new').click();
	await setDate(page, 'session-date', '2023-11-10');
	await input(page, 'session-topic').fill('补课：学习党的二十大精神');
	await byTest(page, 'session-makeup').click();
	await choose(page, 'session-makeup-of', '2023-11-22 学习党的二十大精神');
	await byTest(page, 'session-save').click();
	await fieldError(page, 'session-date').waitFor();
	assert.match(await fieldError(page, 'session-date').innerText(), /培训班日期范围内/);
	await setDate(page, 'session-date', '2023-12-05');
	await byTest(page, 'session-save').click();
	await page.waitForFunction(() => document.querySelectorAll('[data-test="session-table"] .el-table__body-wrapper tbody tr').length === 2);
	const c = (await staff.get(`/api/v1/trainings/${classId}`)).body;
	assert.deepEqual([c.session_count, c.makeup_count], [1, 1]);
	const [first, makeup] = [c.sessions.find((s) => !s.makeup), c.sessions.find((s) => s.makeup)];
	assert.equal(makeup.makeup_of, first.id);
	assert.match(await byTest(page, 'session-table').innerText(), /补 2023-11-22 场次/);

	// the first session: every party member of 巴音敖包嘎查党支部 present (today's members; coverage counts those of 2023)
	const count = async (ps) => (await staff.get(`/api/v1/people?org=${v1.id}&political_status=${ps}&status=active&page_size=1`)).body.total;
	const nV1 = (await count('member')) + (await count('probationary'));
	assert.ok(nV1 >= row0.members);
	await byTest(page, `session-att-${first.id}`).click();
	await byTest(page, 'attendance-edit').click();
	await choose(page, 'attendance-org', v1.name);
	await byTest(page, 'attendance-org-all').click();
	await page.locator('.el-message--success', { hasText: '已添加' }).first().waitFor();
	await shot(page, '15b-training-attendance-edit');
	assert.match(await byTest(page, 'attendance-count').innerText(), new RegExp(`出席 ${nV1} 人`));
	await byTest(page, 'attendance-save').click();
	await byTest(page, 'attendance-edit').waitFor();
	assert.match(await byTest(page, 'attendance-count').innerText(), new RegExp(`出席 ${nV1} 人`));
	await page.keyboard.press('Escape');
	await page.waitForFunction((id) => document.querySelector(`[data-test="session-att-${id}"]`)?.textContent.trim() !== '0', first.id);

	// the make-up session: one member of another branch, found by name
	const other = (await staff.get(`/api/v1/people?org=${v2.id}&political_status=member&page_size=1`)).body.items[0];
	await byTest(page, `session-att-${makeup.id}`).click();
	await byTest(page, 'attendance-edit').click();
	await byTest(page, 'attendance-person').locator('input').fill(other.name);
	await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: other.name }).first().click();
	await page.waitForFunction(() => /出席 1 人/.test(document.querySelector('[data-test="attendance-count"]').textContent));
	await byTest(page, 'attendance-save').click();
	await byTest(page, 'attendance-edit').waitFor();
	await page.keyboard.press('Escape');
	assert.equal((await staff.get(`/api/v1/training-sessions/${makeup.id}/attendance`)).body.total, 1);

	// the coverage of 2023: one class, one session plus a make-up, the branch all trained, one of the other trained
	const after1 = await cov();
	assert.equal(after1.totals.classes, 1);
	assert.equal(after1.totals.sessions, 1);
	assert.equal(after1.totals.makeup_sessions, 1);
	const row1 = after1.items.find((i) => i.org_id === v1.id);
	assert.deepEqual([row1.trained, row1.all_trained], [row1.members, true]);
	assert.equal(after1.items.find((i) => i.org_id === v2.id).trained, 1);
	await page.goto(srv.base + '/trainings/coverage?year=2023');
	await byTest(page, 'coverage-totals').waitFor();
	const val = async (n) => (await byTest(page, n).locator('.figure-value').innerText()).trim();
	assert.equal(await val('cov-classes'), '1');
	assert.equal(await val('cov-sessions'), '1');
	assert.equal(await val('cov-orgs'), `1 / ${after1.totals.organizations}`);
	assert.match(await byTest(page, 'coverage-table').innerText(), /全部参训/);
	await shot(page, '15c-training-coverage-2023');
	assert.deepEqual(page.errors, []);
	await page.context().close();

	// the forms on a phone
	const phone = await newPage(browser, PHONE);
	await login(phone, srv.base, 'township', DEMO_PASSWORD);
	await phone.goto(srv.base + `/trainings/${classId}`);
	await byTest(phone, 'session-table').waitFor();
	assert.ok((await overflow(phone)) <= 0, 'the class fits a phone');
	await byTest(phone, 'session-new').click();
	await byTest(phone, 'session-dialog').waitFor();
	assert.ok((await overflow(phone)) <= 0, 'the session form fits a phone');
	await shot(phone, '15d-session-form-phone');
	await phone.keyboard.press('Escape');
	await byTest(phone, 'training-edit').click();
	await byTest(phone, 'training-dialog').waitFor();
	assert.ok((await overflow(phone)) <= 0, 'the class form fits a phone');
	await shot(phone, '15e-class-form-phone');
	await phone.keyboard.press('Escape');
	await byTest(phone, `session-att-${first.id}`).click();
	await byTest(phone, 'attendance-edit').click();
	assert.ok((await overflow(phone)) <= 0);
	await shot(phone, '15f-attendance-phone');
	assert.deepEqual(phone.errors, []);
	await phone.context().close();
});

test('study records: a CSV with bad rows is refused row by row, the clean one is imported and shown per person and per branch', async () => {
	const person = (name, seq) => ({
		org_id: v1.id, name, gender: 'female', ethnicity: '01', birth_date: '1990-03-01', education: 'bachelor',
		political_status: 'member', joined_on: '2015-07-01', full_member_on: '2016-07-01', id_number: idnum('1990-03-01', false, seq),
	});
	const a = await staff.post('/api/v1/people', person('学习甲', 41));
	assert.equal(a.status, 201, a.text);
	const b = await staff.post('/api/v1/people', person('学习乙', 42));
	assert.equal(b.status, 201, b.text);
	const idA = idnum('1990-03-01', false, 41);
	const idB = idnum('1990-03-01', false, 42);

	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/trainings/study').click();
	await page.waitForURL(/\/trainings\/study/);
	await byTest(page, 'study-import-open').click();
	const bad = `姓名,身份证号,平台,月份,积分,学时\n学习甲,${idA},学习强国,2024-13,100,\n错名字,${idB},学习强国,2024-01,80,\n`;
	await page.locator('[data-test="study-file"] input[type=file]').setInputFiles({ name: '学习记录.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
	await byTest(page, 'study-check').click();
	await byTest(page, 'study-refused').waitFor();
	const errs = await byTest(page, 'study-errors').innerText();
	assert.match(errs, /YYYY-MM/);
	assert.match(errs, /不符/);
	assert.ok(await byTest(page, 'study-commit').isDisabled(), 'a refused file cannot be imported');
	await shot(page, '15g-study-errors');

	const good = `姓名,身份证号,平台,月份,积分,学时\n学习甲,${idA},学习强国,2024-01,100,\n学习甲,${idA},学习强国,2024-02,120,\n学习乙,${idB},驼乡e站,2024-01,,2.5\n`;
	await page.locator('[data-test="study-file"] input[type=file]').setInputFiles({ name: '学习记录-改.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
	await byTest(page, 'study-check').click();
	await byTest(page, 'study-checked').waitFor();
	assert.match(await byTest(page, 'study-checked').innerText(), /3 条/);
	assert.equal((await staff.get(`/api/v1/study?period=2024-01`)).body.total, 0, 'the check writes nothing');
	await byTest(page, 'study-commit').click();
	await byTest(page, 'study-done').waitFor();
	await byTest(page, `study-person-${a.body.id}`).waitFor();
	assert.equal((await byTest(page, `study-score-${a.body.id}`).innerText()).trim(), '220');
	// by name, never by score: 学习乙 has no score and still is listed
	await byTest(page, `study-person-${b.body.id}`).waitFor();
	await shot(page, '15h-study-people');

	await page.goto(srv.base + `/trainings/study?period=2024-01&view=branches`);
	await byTest(page, 'study-branches').waitFor();
	const rows = await byTest(page, 'study-branches').innerText();
	assert.match(rows, new RegExp(`${v1.name}\\s+2\\s+2`));
	await shot(page, '15i-study-branches');
	const text = await page.locator('.page').innerText();
	assert.doesNotMatch(text, /排名第|连续\d+天|在线时长[:：]/);
	assert.deepEqual(page.errors, []);
	await page.context().close();

	const phone = await newPage(browser, PHONE);
	await login(phone, srv.base, 'township', DEMO_PASSWORD);
	await phone.goto(srv.base + `/trainings/study?org=${v1.id}`);
	await byTest(phone, `study-person-${a.body.id}`).waitFor();
	await byTest(phone, 'study-import-open').click();
	await byTest(phone, 'study-import').waitFor();
	assert.ok((await overflow(phone)) <= 0, 'the study page fits a phone');
	await shot(phone, '15p-study-phone');
	assert.deepEqual(phone.errors, []);
	await phone.context().close();
});

test('the home page shows the branch statuses and the to-do count, each a link to its page; on a phone the card stacks', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'home-orglife').waitFor();
	const st = (await staff.get('/api/v1/compliance/status?date=2022-12-31')).body;
	const todo = (await staff.get('/api/v1/todo?date=2022-12-31')).body;
	for (const s of ['red', 'yellow', 'green']) {
		assert.equal((await byTest(page, `home-status-${s}`).locator('.figure-value').innerText()).trim(), String(st.counts[s]), s);
	}
	assert.equal((await byTest(page, 'home-todo').locator('.figure-value').innerText()).trim(), String(todo.items.length));
	await shot(page, '15j-home-orglife');
	await byTest(page, 'home-status-red').click();
	await page.waitForURL(/\/compliance/);
	await byTest(page, 'status-count-red').waitFor();
	// the compliance page judges organizational life alone; the home page counts every module's findings
	const stm = (await staff.get('/api/v1/compliance/status?date=2022-12-31&subject=meeting')).body;
	assert.equal((await byTest(page, 'status-count-red').locator('.figure-value').innerText()).trim(), String(stm.counts.red));
	await page.goBack();
	await byTest(page, 'home-todo').click();
	await page.waitForURL(/\/todo/);
	await byTest(page, 'todo-total').waitFor();
	assert.deepEqual(page.errors, []);
	await page.context().close();

	const phone = await newPage(browser, PHONE);
	await login(phone, srv.base, 'township', DEMO_PASSWORD);
	await byTest(phone, 'home-orglife').waitFor();
	const r = await byTest(phone, 'home-status-red').boundingBox();
	const y = await byTest(phone, 'home-status-yellow').boundingBox();
	assert.ok(y.y >= r.y + r.height - 1, 'the counts stack on a phone');
	assert.ok((await overflow(phone)) <= 0);
	await shot(phone, '15k-home-phone');
	await phone.context().close();
});

test('a meeting with an attached file shows it; its correction starts with the same file (phone)', async () => {
	const page = await newPage(browser, PHONE);
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await page.goto(srv.base + '/meetings/new');
	await choose(page, 'meeting-org', '巴音敖包嘎查党支部');
	await byTest(page, 'attendance-summary').waitFor();
	await byTest(page, 'meeting-type-branch_committee').click();
	await input(page, 'meeting-topic').fill('附件测试会议');
	await page.locator('[data-test="file-input"]').setInputFiles({ name: '会议签到表.pdf', mimeType: 'application/pdf', buffer: PDF });
	const item = page.locator('[data-test^="file-item-"]').first();
	await item.waitFor();
	assert.match(await item.innerText(), /会议签到表\.pdf/);
	const fileId = Number((await item.getAttribute('data-test')).split('-').pop());
	// a file the server refuses: its reason, and nothing added
	await page.locator('[data-test="file-input"]').setInputFiles({ name: '假的.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<script>x</script>') });
	await byTest(page, 'file-error').waitFor();
	assert.match(await byTest(page, 'file-error').innerText(), /[\u4e00-\u9fa5]/);
	assert.equal(await page.locator('[data-test^="file-item-"]').count(), 1);
	assert.ok((await overflow(page)) <= 0, 'the form with its attachment fits a phone');
	await byTest(page, 'file-upload').scrollIntoViewIfNeeded();
	await shot(page, '15l-meeting-file-phone');
	await byTest(page, 'meeting-save').click();
	await page.waitForURL(/\/meetings\/\d+$/);
	const id = Number(new URL(page.url()).pathname.split('/').pop());
	await byTest(page, `file-link-${fileId}`).waitFor();
	assert.match(await byTest(page, 'meeting-files').innerText(), /会议签到表\.pdf/);
	assert.equal(await byTest(page, `file-link-${fileId}`).getAttribute('href'), `/api/v1/files/${fileId}`);
	const m = (await staff.get(`/api/v1/meetings/${id}`)).body;
	assert.deepEqual(m.files.map((f) => f.id), [fileId]);

	// close and correct: the correction form starts with the file; the uploaded one is offered again, already chosen
	await byTest(page, 'meeting-close').click();
	await page.locator('.el-message-box__btns .el-button--primary').click();
	await byTest(page, 'meeting-correct').click();
	await page.waitForURL(/\/correct$/);
	await byTest(page, `file-item-${fileId}`).waitFor();
	await byTest(page, 'file-reuse').click();
	await byTest(page, `file-reuse-${fileId}`).waitFor();
	assert.match(await byTest(page, `file-reuse-${fileId}`).innerText(), /已选/);
	await shot(page, '15m-meeting-file-reuse-phone');
	await page.keyboard.press('Escape');
	await input(page, 'meeting-reason').fill('补充会议记录');
	await byTest(page, 'meeting-save').click();
	await page.waitForURL((u) => /\/meetings\/\d+$/.test(u.pathname) && !u.pathname.endsWith('/' + id));
	await byTest(page, `file-link-${fileId}`).waitFor();
	await shot(page, '15n-meeting-corrected-file-phone');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('township staff add a rule through “新增规则” (errors under the field first) and export the compliance table as xlsx', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + '/rules');
	await byTest(page, 'rules-table').waitFor();
	const n0 = (await staff.get('/api/v1/rules')).body.items.length;
	await byTest(page, 'rule-new').click();
	await byTest(page, 'rule-new-dialog').waitFor();
	await byTest(page, 'rule-create').click();
	await fieldError(page, 'rule-what').waitFor();
	assert.match(await fieldError(page, 'rule-what').innerText(), /[\u4e00-\u9fa5]/);
	await choose(page, 'rule-what', '集中学习');
	await byTest(page, 'rule-frequency').locator('label', { hasText: '每季度' }).click();
	await input(page, 'rule-note').fill('本镇规定：每季度集中学习一次');
	await shot(page, '15o-rule-new');
	await byTest(page, 'rule-create').click();
	await byTest(page, 'rule-new-dialog').waitFor({ state: 'hidden' });
	const rules = (await staff.get('/api/v1/rules')).body.items;
	assert.equal(rules.length, n0 + 1);
	const added = rules.find((r) => r.note === '本镇规定：每季度集中学习一次');
	assert.deepEqual([added.what, added.frequency, added.org_kinds], ['study', 'quarterly', 'branch']);
	await page.waitForFunction(() => /本镇规定/.test(document.querySelector('[data-test="rules-table"]').textContent));

	await page.goto(srv.base + '/compliance');
	await byTest(page, 'org-status-red').waitFor();
	const [dl] = await Promise.all([page.waitForEvent('download'), byTest(page, 'compliance-export').click()]);
	assert.match(dl.suggestedFilename(), /\.xlsx$/);
	const path = await dl.path();
	const { readFileSync } = await import('node:fs');
	assert.equal(readFileSync(path).subarray(0, 2).toString(), 'PK', 'an xlsx (zip) file');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
