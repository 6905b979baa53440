// honours.test.mjs - journeys through 评先评优: a round run through the web pages (opened by the township, nominated by a branch
// secretary, reviewed, noticed, an objection recorded and upheld, awarded), the public notice on a 390x844 phone with an objection
// submitted without login, and the register's 2022 counts (20 / 10 / 2 / 10 / 5) with the person page's honour card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff;
let sec1;
let root;
let v1;

/* A day in China n days from today, YYYY-MM-DD. */
const chinaDay = (n = 0) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

async function ok(promise, status = 200) {
	const r = await promise;
	assert.equal(r.status, status, r.text);
	return r.body;
}

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	assert.equal((await staff.login('township', DEMO_PASSWORD)).status, 200);
	sec1 = new Client(srv.base);
	assert.equal((await sec1.login('secretary1', DEMO_PASSWORD)).status, 200);
	const orgs = (await ok(staff.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	const me = (await ok(sec1.get('/api/v1/session'))).user;
	const g = (me.grants || me.roles || [])[0];
	v1 = orgs.find((o) => o.id === (g.org_id ?? g.org?.id));
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

test('a round through the web pages: opened, nominated by a secretary, reviewed, noticed, objection upheld, awarded', async () => {
	const town = await newPage(browser);
	await login(town, srv.base, 'township', DEMO_PASSWORD);
	await byTest(town, 'menu-/honours').click();
	await town.waitForURL(/\/honours$/);
	await byTest(town, 'hon-round-new').click();
	await byTest(town, 'hon-round-save').click();
	await fieldError(town, 'hon-round-category').waitFor();
	await choose(town, 'hon-round-org', root.name);
	await choose(town, 'hon-round-category', '优秀共产党员（个人）');
	await input(town, 'hon-round-title').fill('2026年度优秀共产党员评选（网页）');
	await byTest(town, 'hon-quota-add').click();
	await choose(town, 'hon-quota-org-0', v1.name);
	await input(town, 'hon-quota-n-0').fill('2');
	await shot(town, 'honours-round-new');
	await byTest(town, 'hon-round-save').click();
	await town.waitForURL(/\/honours\/rounds\/\d+$/);
	const roundId = Number(/rounds\/(\d+)/.exec(town.url())[1]);
	await byTest(town, 'hon-round-status').filter({ hasText: '推荐审核中' }).waitFor();

	/* the secretary nominates a member of the branch with a meeting behind it; a non-member is refused */
	const people = (await ok(staff.get(`/api/v1/people?org=${v1.id}&page_size=200`))).items;
	const member = people.find((p) => p.political_status === 'member');
	const masses = people.find((p) => p.political_status === 'masses');
	const sec = await newPage(browser);
	await login(sec, srv.base, 'secretary1', DEMO_PASSWORD);
	await sec.goto(`${srv.base}/honours/rounds/${roundId}`);
	await byTest(sec, 'hon-nominate').click();
	await choose(sec, 'hon-nom-org', v1.name);
	await byTest(sec, 'hon-nom-nominee').click();
	await sec.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: masses.name }).first().click();
	await input(sec, 'hon-nom-reason').fill('热心公益，带头参加义务劳动');
	await byTest(sec, 'hon-nom-save').click();
	await fieldError(sec, 'hon-nom-nominee').filter({ hasText: '只能推荐正式党员' }).waitFor();
	await shot(sec, 'honours-nominate-refused');
	await byTest(sec, 'hon-nom-nominee').click();
	await sec.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: member.name }).first().click();
	await input(sec, 'hon-nom-reason').fill('带头学习，联系农户12户，为群众办实事8件');
	const meeting = (await ok(sec1.get(`/api/v1/meetings?org=${v1.id}&page_size=1`))).items[0];
	await byTest(sec, 'hon-nom-meetings').click();
	await sec.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: meeting.topic }).first().click();
	await sec.keyboard.press('Escape');
	await byTest(sec, 'hon-nom-save').click();
	await sec.locator('.el-message--success').waitFor();
	/* a second one through the API uses the quota of two; a third is refused */
	const others = people.filter((p) => p.political_status === 'member' && p.id !== member.id);
	const second = await ok(sec1.post(`/api/v1/honours/rounds/${roundId}/nominations`, { org_id: v1.id, nominee_id: others[0].id, reason: '疫情防控期间坚守一线' }), 201);
	const r = await sec1.post(`/api/v1/honours/rounds/${roundId}/nominations`, { org_id: v1.id, nominee_id: others[1].id, reason: '工作认真负责' });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.org_id, /超出推荐名额/);

	/* the township reviews, and puts the nominee on notice as posted two weeks ago */
	await town.reload();
	const round = await ok(staff.get(`/api/v1/honours/rounds/${roundId}`));
	const nom = round.nominations.find((x) => x.nominee_id === member.id);
	assert.equal(nom.links.length, 1);
	await byTest(town, `hon-approve-${nom.id}`).click();
	await byTest(town, `hon-nom-status-${nom.id}`).filter({ hasText: '审核通过' }).waitFor();
	await byTest(town, `hon-approve-${second.id}`).click();
	await byTest(town, `hon-nom-status-${second.id}`).filter({ hasText: '审核通过' }).waitFor();
	await byTest(town, 'hon-notice').click();
	await input(town, 'hon-notice-from').fill(chinaDay(-20));
	await town.keyboard.press('Enter');
	await byTest(town, 'hon-notice-save').click();
	await byTest(town, 'hon-round-status').filter({ hasText: '公示中' }).waitFor();
	const noticed = await ok(staff.get(`/api/v1/honours/rounds/${roundId}`));
	await byTest(town, 'hon-notice-period').filter({ hasText: `${noticed.notice_from} ~ ${noticed.notice_to}` }).waitFor();

	/* an objection received during the notice, recorded and upheld: the nomination is withdrawn with the reason */
	await byTest(town, `hon-object-${nom.id}`).click();
	await input(town, 'hon-obj-text').fill('群众反映该同志曾连续三个月未参加组织生活');
	await input(town, 'hon-obj-on').fill(noticed.notice_from);
	await town.keyboard.press('Enter');
	await byTest(town, 'hon-obj-save').click();
	const withObj = await ok(staff.get(`/api/v1/honours/nominations/${nom.id}`));
	const obj = withObj.objections[0];
	await byTest(town, `hon-uphold-${obj.id}`).click();
	await town.locator('.el-message-box__input input').fill('经核实会议记录，异议属实');
	await shot(town, 'honours-objection-uphold');
	await town.locator('.el-message-box__btns .el-button--primary').click();
	await byTest(town, `hon-nom-status-${nom.id}`).filter({ hasText: '已撤销' }).waitFor();
	const after = await ok(staff.get(`/api/v1/honours/nominations/${nom.id}`));
	assert.equal(after.withdrawn_reason, '异议成立：经核实会议记录，异议属实');

	/* the award once the notice is over */
	await byTest(town, 'hon-decide').click();
	await town.locator('.el-message-box__btns .el-button--primary').click();
	await byTest(town, 'hon-round-status').filter({ hasText: '已评定' }).waitFor();
	await byTest(town, 'hon-round-counts').filter({ hasText: '撤销1，授予1' }).waitFor();
	await byTest(town, `hon-nom-status-${second.id}`).filter({ hasText: '已授予' }).waitFor();
	await shot(town, 'honours-round-decided');
	assert.deepEqual(town.errors, []);
	assert.deepEqual(sec.errors, []);
});

test('the public notice on a phone: nominees with names and units only, an objection submitted without login', async () => {
	const hh = (await ok(sec1.get(`/api/v1/households?org=${v1.id}&page_size=5`))).items;
	let round = await ok(staff.post('/api/v1/honours/rounds', { org_id: root.id, year: 2026, category: 'beautiful_family', title: '2026年度“最美家庭”评选' }), 201);
	const n = await ok(sec1.post(`/api/v1/honours/rounds/${round.id}/nominations`, { org_id: v1.id, nominee_id: hh[0].id, reason: '孝老爱亲，家风淳朴' }), 201);
	await ok(staff.post(`/api/v1/honours/nominations/${n.id}/review`, { version: n.version, decision: 'approve' }));
	round = await ok(staff.get(`/api/v1/honours/rounds/${round.id}`));
	round = await ok(staff.post(`/api/v1/honours/rounds/${round.id}/notice`, { version: round.version, notice_from: chinaDay(-3) }));
	assert.equal(round.in_notice, true);

	const page = await newPage(browser, { width: 390, height: 844 });
	await page.goto(`${srv.base}/public/honours`);
	await byTest(page, `honpub-notice-${round.id}`).waitFor();
	await shot(page, 'honours-public-list-phone');
	await byTest(page, `honpub-notice-${round.id}`).click();
	await page.waitForURL(/\/public\/honours\/\d+$/);
	const names = byTest(page, 'honpub-nominees');
	await names.filter({ hasText: `${hh[0].head_name}家庭` }).waitFor();
	assert.ok(!(await page.content()).includes(hh[0].address), 'no address on the public page');
	await byTest(page, `honpub-object-${n.id}`).click();
	await input(page, 'honpub-text').fill('<b>该户</b>');
	await byTest(page, 'honpub-submit').click();
	await fieldError(page, 'honpub-text').waitFor();
	await input(page, 'honpub-text').fill('该户去年存在私搭乱建，至今未整改，请核实');
	await byTest(page, 'honpub-submit').click();
	await byTest(page, 'honpub-done').waitFor();
	await shot(page, 'honours-public-objection-phone');
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert.ok(overflow <= 0, `no sideways scroll on a phone (${overflow}px)`);
	const got = await ok(staff.get(`/api/v1/honours/nominations/${n.id}`));
	assert.equal(got.objections.length, 1);
	assert.equal(got.objections[0].source, 'public');
	assert.deepEqual(page.errors, []);
});

test('the register of 2022: 20 / 10 / 2 / 10 / 5 by category, and the honour on a person\'s page', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/honours/register').click();
	await page.waitForURL(/\/honours\/register/);
	await input(page, 'hon-reg-year').fill('2022');
	await byTest(page, 'hon-reg-search').click();
	await page.waitForURL(/year=2022/);
	const want = { excellent_worker: 20, excellent_member: 10, ten_star_household: 2, civilized_family: 10, beautiful_family: 5 };
	for (const [code, count] of Object.entries(want))
		await byTest(page, `hon-cat-${code}`).filter({ hasText: new RegExp(`${count}$`) }).waitFor();
	await byTest(page, 'hon-reg-total').filter({ hasText: '47' }).waitFor();
	await shot(page, 'honours-register-2022');
	const reg = await ok(staff.get('/api/v1/honours/register?year=2022&category=excellent_member&page_size=1'));
	await page.goto(`${srv.base}/people/${reg.items[0].nominee_id}`);
	await byTest(page, 'honour-card').filter({ hasText: '优秀共产党员' }).waitFor();
	await byTest(page, 'honour-card').scrollIntoViewIfNeeded();
	await shot(page, 'honours-person-card');
	assert.deepEqual(page.errors, []);
});
