// members.test.mjs - journeys through the member lifecycle on the demo township: a branch secretary on a 390-px phone records a person's
// joining steps from applicant to activist (one step refused out of order, the rule shown under the field); the dues arrears of 2022 with
// their 3- and 6-month marks, reached from the to-do link; a transfer between two branches requested by the sending branch, approved by
// the township and accepted by the receiving branch, each seeing it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
let srv, browser, staff, sec1, sec2, orgs, v1, v2;

async function ok(promise, status = 200) {
	const r = await promise;
	assert.equal(r.status, status, r.text);
	return r.body;
}
async function client(user) {
	const c = new Client(srv.base);
	const r = await c.login(user, DEMO_PASSWORD);
	assert.equal(r.status, 200, r.text);
	return c;
}
async function branchOf(c) {
	const me = (await ok(c.get('/api/v1/session'))).user;
	const g = me.grants || me.roles || [];
	return orgs.find((o) => o.id === (g[0] && (g[0].org_id ?? g[0].org?.id)));
}
/** A valid GB 11643 number for a birth date. */
function idnum(birth, male, seq) {
	const n = (seq % 499) * 2 + (male ? 1 : 0);
	const body = '152921' + birth.replaceAll('-', '') + String(n).padStart(3, '0');
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
	return body + '10X98765432'[sum % 11];
}
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Fill an el-date-picker marked data-test=name with a typed date. */
async function date(page, name, value) {
	const i = input(page, name);
	await i.click();
	await i.fill(value);
	await i.press('Enter');
}

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = await client('township');
	sec1 = await client('secretary1');
	sec2 = await client('secretary2');
	orgs = (await ok(staff.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	v1 = await branchOf(sec1);
	v2 = await branchOf(sec2);
	assert.ok(v1 && v2 && v1.id !== v2.id);
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

test('a secretary on a phone records joining steps; a step out of order is refused with the rule under the field', async () => {
	const birth = '1997-03-08';
	const p = await ok(sec1.post('/api/v1/people', {
		org_id: v1.id, name: '手机发展', gender: 'female', ethnicity: '02', birth_date: birth,
		id_number: idnum(birth, false, 377), education: 'college', political_status: 'league',
	}), 201);
	const file = await ok(sec1.upload(v1.id, '入党申请书.pdf', PDF), 201);
	await ok(sec1.post(`/api/v1/members/joining/${p.id}/steps`, { step: 'application', done_on: '2023-01-09', files: [file.id], done_by: '支部书记' }), 201);

	const page = await newPage(browser, { width: 390, height: 844 });
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	// the pipeline lists the applicant with the talk due within a month
	await page.goto(srv.base + '/members/joining?stage=applicant');
	const row = byTest(page, `pipeline-person-${p.id}`);
	await row.waitFor();
	assert.match(await byTest(page, 'pipeline-table').innerText(), /手机发展[\s\S]*党组织派人谈话[\s\S]*2023-02-09/);
	await byTest(page, 'overdue').waitFor();
	await shot(page, 'members-a-pipeline-phone');
	assert.ok((await overflow(page)) <= 1, 'no sideways scrolling on a phone');

	await row.click();
	await page.waitForURL(new RegExp(`/members/joining/${p.id}$`));
	await byTest(page, 'record-application').waitFor();
	assert.match(await byTest(page, 'joining-next').innerText(), /党组织派人谈话/);

	// out of order: the activist's filing before the talk
	await byTest(page, 'step-open').click();
	await choose(page, 'step-select', '确定为入党积极分子');
	await date(page, 'step-done-on', '2023-03-01');
	await byTest(page, 'step-save').click();
	const err = fieldError(page, 'step-select');
	await err.waitFor();
	assert.match(await err.innerText(), /程序不能颠倒：须先完成“党组织派人谈话”/);
	await shot(page, 'members-b-step-refused-phone');
	assert.equal((await ok(sec1.get(`/api/v1/members/joining/${p.id}`))).records.length, 1, 'nothing written');

	// the talk, then the activist chosen and filed upward
	let first = true;
	for (const [label, day] of [['党组织派人谈话', '2023-01-20'], ['确定为入党积极分子', '2023-03-01'], ['报上级党委备案（积极分子）', '2023-03-10']]) {
		if (!first) await byTest(page, 'step-open').click();
		first = false;
		await choose(page, 'step-select', label);
		await date(page, 'step-done-on', day);
		await input(page, 'step-done-by').fill('支部书记');
		await byTest(page, 'step-save').click();
		await byTest(page, 'step-save').waitFor({ state: 'hidden' }).catch(async (e) => {
			await shot(page, 'members-debug');
			throw e;
		});
	}
	const j = await ok(sec1.get(`/api/v1/members/joining/${p.id}`));
	assert.equal(j.stage, 'activist');
	assert.deepEqual(j.records.map((r) => r.step), ['application', 'talk', 'activist_chosen', 'activist_filed']);
	assert.match(await byTest(page, 'joining-stage').innerText(), /入党积极分子/);
	await byTest(page, 'record-activist_filed').waitFor();
	assert.match(await byTest(page, 'joining-next').innerText(), /培养联系人/);
	await shot(page, 'members-c-joining-activist-phone');
	assert.ok((await overflow(page)) <= 1, 'no sideways scrolling on a phone');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the dues arrears of 2022: the to-do link lands on the branch arrears with the 3- and 6-month marks', async () => {
	const todo = await ok(staff.get('/api/v1/todo?date=2023-01-01&subject=member'));
	const f = todo.items.find((i) => i.finding === 'dues_arrears_6');
	assert.ok(f && f.link.startsWith('/members/dues/arrears?org='), JSON.stringify(f));
	const org = Number(new URL(f.link, srv.base).searchParams.get('org'));
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + '/todo?date=2023-01-01&subject=member');
	await byTest(page, 'todo-table').waitFor();
	await page.locator(`[data-test="todo-link-${f.link}"]`).first().click();
	await page.waitForURL((u) => u.pathname === '/members/dues/arrears' && u.searchParams.get('org') === String(org));
	await byTest(page, 'arrears-table').locator('tbody tr').first().waitFor();
	const arrears = await ok(staff.get(`/api/v1/dues/arrears?org=${org}`));
	assert.equal(await byTest(page, 'arrears-table').locator('.el-table__body-wrapper tbody tr').count(), arrears.items.length);
	assert.ok((await page.locator('[data-test="arrears-mark-6"]').count()) >= 1, 'a 6-month mark');
	await shot(page, 'members-d-dues-arrears');

	// the township's summary of 2022 per branch
	await page.goto(srv.base + '/members/dues/summary?year=2022');
	await byTest(page, 'dues-totals').waitFor();
	const sum = await ok(staff.get('/api/v1/dues/summary?year=2022'));
	assert.match(await byTest(page, 'dues-totals').innerText(), new RegExp((sum.total.paid_fen / 100).toFixed(2).replace('.', '\\.')));
	await shot(page, 'members-e-dues-summary-2022');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a transfer between two branches: requested by the sender, approved by the township, accepted by the receiver', async () => {
	const members = (await ok(staff.get(`/api/v1/people?org=${v1.id}&page_size=200`))).items.filter((x) => x.political_status === 'member' && x.org_id === v1.id);
	const m = members.at(-1);
	assert.ok(m, 'a member sitting in the branch itself');

	const s1 = await newPage(browser);
	await login(s1, srv.base, 'secretary1', DEMO_PASSWORD);
	await s1.goto(srv.base + '/members/transfers');
	await byTest(s1, 'transfers-table').waitFor();
	await byTest(s1, 'transfer-new').click();
	await s1.locator('[data-test="tnew-person"] input').fill(m.name);
	await s1.locator('.el-select-dropdown:visible .el-select-dropdown__item .picker-name').filter({ hasText: new RegExp(`^${m.name}$`) }).first().click();
	await choose(s1, 'tnew-to', v2.name);
	await input(s1, 'tnew-reason').fill('婚后迁居');
	await byTest(s1, 'tnew-save').click();
	await s1.waitForURL(/\/members\/transfers\/\d+$/);
	const id = Number(s1.url().split('/').pop());
	assert.match(await byTest(s1, 'transfer-status').innerText(), /待审批/);
	assert.match(await byTest(s1, 'transfer-path').innerText(), new RegExp(`${v1.name}[\\s\\S]*办理中[\\s\\S]*${v2.name}`));
	assert.equal(await byTest(s1, 'transfer-approve').count(), 0, 'the sender does not approve');
	await shot(s1, 'members-f-transfer-sender');

	// the township approves
	const tw = await newPage(browser);
	await login(tw, srv.base, 'township', DEMO_PASSWORD);
	await tw.goto(srv.base + '/members/transfers');
	await byTest(tw, `transfer-${id}`).click();
	await tw.waitForURL(new RegExp(`/members/transfers/${id}$`));
	await byTest(tw, 'transfer-approve').click();
	await tw.locator('.el-message-box input').fill('同意');
	await tw.locator('.el-message-box .el-button--primary').click();
	await tw.getByText('待接收').first().waitFor();
	await shot(tw, 'members-g-transfer-township');

	// the receiving branch sees it in its list and accepts
	const s2 = await newPage(browser, { width: 390, height: 844 });
	await login(s2, srv.base, 'secretary2', DEMO_PASSWORD);
	await s2.goto(srv.base + '/members/transfers');
	await byTest(s2, `transfer-${id}`).click();
	await s2.waitForURL(new RegExp(`/members/transfers/${id}$`));
	await byTest(s2, 'transfer-accept').click();
	await s2.locator('[data-test="transfer-status"]').filter({ hasText: '已完成' }).waitFor();
	assert.equal((await ok(staff.get(`/api/v1/people/${m.id}`))).org_id, v2.id);
	await shot(s2, 'members-h-transfer-receiver-phone');
	assert.ok((await overflow(s2)) <= 1, 'no sideways scrolling on a phone');

	// the sender still sees it, completed
	await s1.reload();
	await s1.locator('[data-test="transfer-status"]').filter({ hasText: '已完成' }).waitFor();
	for (const p of [s1, tw, s2]) {
		assert.deepEqual(p.errors, []);
		await p.context().close();
	}
});

test('the other dues and transfer pages open cleanly: rules, reductions, a dues profile unmasked with a reason, letters, floating members', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(srv.base + '/members/dues/rules');
	await byTest(page, 'rules-table').getByText('在职').first().waitFor();
	await shot(page, 'members-i-dues-rules');
	await page.goto(srv.base + '/members/dues/reductions');
	await byTest(page, 'reductions-table').waitFor();
	// a member's dues profile: the base masked until unmasked with a reason (audited)
	let m = null;
	for (const x of (await ok(staff.get(`/api/v1/people?org=${v1.id}&page_size=200`))).items.filter((y) => y.political_status === 'member')) {
		const pr = await staff.get(`/api/v1/dues/profiles/${x.id}`);
		if (pr.status === 200 && pr.body.base_set) {
			m = x;
			break;
		}
	}
	assert.ok(m, 'a member with a dues base');
	await page.goto(srv.base + `/members/dues/people/${m.id}`);
	await byTest(page, 'dues-profile').waitFor();
	{
		assert.equal((await byTest(page, 'profile-base').innerText()).trim(), '****');
		await byTest(page, 'profile-unmask').click();
		await input(page, 'unmask-reason').fill('核对党费基数');
		await byTest(page, 'unmask-go').click();
		await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test="profile-base"]').textContent));
	}
	await shot(page, 'members-j-dues-profile');
	await page.goto(srv.base + '/members/transfers?kind=out');
	await byTest(page, 'transfers-table').locator('tbody tr').first().waitFor();
	await page.goto(srv.base + '/members/floating');
	await byTest(page, 'floating-table').locator('tbody tr').first().waitFor();
	await shot(page, 'members-k-floating');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
