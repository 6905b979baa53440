// eval.test.mjs - journeys through branch evaluation on the demo township: the 2022 ranking with stars and the designations
// (1 banner-level, 8 township-level), a branch's scores explained down to the records behind them, the branch's own page on a
// 390-px phone, a round from self-assessment (secretary1) to review and publication (township), and the weak branch's
// rectification followed with a step recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, choose, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff;
let round2022;
let ranking;

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	const r = await staff.login('township', DEMO_PASSWORD);
	assert.equal(r.status, 200, r.text);
	round2022 = (await staff.get('/api/v1/eval/rounds?year=2022')).body.items.find((x) => x.status === 'published');
	assert.ok(round2022);
	ranking = (await staff.get(`/api/v1/eval/rounds/${round2022.id}/ranking`)).body.entries;
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const confirmBox = (page) => page.locator('.el-message-box__btns .el-button--primary').click();

test('the 2022 ranking with stars, and the strongest branches of 2022: 1 banner-level and 8 township-level', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/eval/rounds').click();
	await page.waitForURL(/\/eval\/rounds/);
	await byTest(page, `eval-round-${round2022.id}`).click();
	await page.waitForURL(new RegExp(`/eval/rounds/${round2022.id}$`));
	await byTest(page, 'eval-ranking').locator('tbody tr').first().waitFor();
	assert.equal(await byTest(page, 'eval-ranking').locator('tbody tr').count(), 20);
	assert.match(await byTest(page, 'eval-round-status').innerText(), /已公布/);
	const top = ranking[0];
	const last = ranking[ranking.length - 1];
	assert.equal((await byTest(page, `eval-rank-${top.org_id}`).innerText()).trim(), '1');
	assert.equal((await byTest(page, `eval-stars-${top.org_id}`).innerText()).trim(), '★'.repeat(top.stars) + '☆'.repeat(5 - top.stars));
	assert.equal((await byTest(page, `eval-total-${last.org_id}`).innerText()).trim(), String(last.total));
	const shown = await page.locator('[data-test^="eval-stars-"]').allInnerTexts();
	assert.ok(new Set(shown).size >= 2, 'a mix of stars');
	assert.ok(shown.filter((s) => s.trim() === '★★★★★').length <= 6, 'the five-star quota of 30%');
	assert.match(await byTest(page, `eval-change-${top.org_id}`).innerText(), /首次|持平|升星|降星/);
	await shot(page, 'eval-1-ranking-2022');

	await byTest(page, 'menu-/eval/designations').click();
	await page.waitForURL(/\/eval\/designations/);
	await page.goto(srv.base + '/eval/designations?year=2022');
	await byTest(page, 'eval-desig-table').locator('tbody tr').first().waitFor();
	assert.equal((await byTest(page, 'eval-count-banner').innerText()).trim(), '1');
	assert.equal((await byTest(page, 'eval-count-township').innerText()).trim(), '8');
	const table = await byTest(page, 'eval-desig-table').innerText();
	assert.match(table, /旗级/);
	const states = await page.locator('[data-test^="eval-desig-status-"]').allInnerTexts();
	assert.equal(states.filter((x) => x.trim() === '已命名').length, 9);
	// the history of the banner-level one: nominated → reviewed → designated
	await byTest(page, 'eval-desig-table').locator('tbody tr').first().locator('.el-table__expand-icon').click();
	const hist = page.locator('.el-timeline').first();
	await hist.waitFor();
	const ht = await hist.innerText();
	assert.ok(ht.indexOf('已推荐') < ht.indexOf('已审核') && ht.indexOf('已审核') < ht.indexOf('已命名'), ht);
	await shot(page, 'eval-2-designations-2022');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a branch’s scores explained down to the records: formula, inputs, and a link to the records that opens a real page', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	const last = ranking[ranking.length - 1];
	await page.goto(`${srv.base}/eval/rounds/${round2022.id}`);
	await byTest(page, `eval-entry-${last.org_id}`).click();
	await page.waitForURL(/\/eval\/entries\/\d+/);
	await byTest(page, 'eval-entry-title').waitFor();
	assert.equal((await byTest(page, 'eval-entry-title').innerText()).trim(), last.org_name);
	assert.equal((await byTest(page, 'eval-entry-total').innerText()).trim(), String(last.total));
	await byTest(page, 'eval-recomputed').waitFor();
	const sheet = (await staff.get(`/api/v1/eval/entries/${last.id}`)).body;
	// where points were lost, with what to do next
	const worst = sheet.lost_points[0];
	const lost = byTest(page, `eval-lost-${worst.code}`);
	assert.match(await lost.innerText(), new RegExp(worst.guide.slice(0, 8)));
	// every record-based line shows its formula and the inputs behind it
	for (const l of sheet.lines.filter((x) => x.source === 'metric')) {
		const ex = await byTest(page, `eval-explain-${l.code}`).innerText();
		assert.ok(ex.includes(l.formula.slice(0, 10)), `${l.code}: ${ex}`);
		if (l.inputs && l.inputs.denominator_label) assert.ok(ex.includes(l.inputs.denominator_label), ex);
	}
	// a review change with its reason (the demo deducted points)
	const ded = sheet.lines.find((l) => l.review_reason);
	if (ded) assert.match(await byTest(page, `eval-line-${ded.code}`).innerText(), new RegExp(ded.review_reason.slice(0, 6)));
	await shot(page, 'eval-3-entry-explained');

	// each link leads to a real page of the app
	const links = [...new Set(sheet.lines.filter((l) => l.link).map((l) => l.link))];
	assert.ok(links.length >= 4, JSON.stringify(links));
	const meet = sheet.lines.find((l) => l.metric === 'meeting_compliance');
	await byTest(page, `eval-records-${meet.code}`).click();
	await page.waitForURL(/\/compliance\?/);
	assert.equal(new URL(page.url()).searchParams.get('org'), String(last.org_id));
	assert.equal(new URL(page.url()).searchParams.get('year'), '2022');
	for (const link of links) {
		await page.goto(srv.base + link);
		await page.waitForLoadState('networkidle');
		assert.equal(await page.locator('text=页面不存在').count(), 0, link);
		assert.notEqual(new URL(page.url()).pathname, '/forbidden', link);
	}
	await shot(page, 'eval-4-records-link');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the branch’s own page on a 390 x 844 phone: where it lost points and what to do next, nothing wider than the screen', async () => {
	const page = await newPage(browser, { width: 390, height: 844 });
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await page.goto(srv.base + '/eval/branch');
	await page.waitForURL(/\/eval\/entries\/\d+/);
	await byTest(page, 'eval-lost').waitFor();
	assert.ok((await page.locator('[data-test^="eval-lost-"]').count()) >= 1);
	assert.match(await byTest(page, 'eval-lost').innerText(), /下一步/);
	assert.ok((await overflow(page)) <= 1, 'no sideways scrolling');
	await shot(page, 'eval-5-branch-phone');
	await page.locator('[data-test^="eval-explain-"]').first().scrollIntoViewIfNeeded();
	await shot(page, 'eval-5b-branch-phone-lines');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a round from self-assessment (secretary1) to review with a reason and publication (township)', async () => {
	const orgs = (await staff.get('/api/v1/orgs?format=flat&page_size=200')).body.items;
	const root = orgs.find((o) => o.parent_id === null);
	const scheme = (await staff.post('/api/v1/eval/schemes', {
		code: 'e2e_q', name: '季度考评（浏览器测试）', kind: 'other',
		tree: {
			categories: [
				{ code: 'life', name: '组织生活', max: 50, items: [{ code: 'mc', name: '会议合规', max: 50, source: 'metric', metric: 'meeting_compliance', map: { kind: 'linear' } }] },
				{ code: 'self', name: '工作实绩', max: 50, items: [{ code: 'work', name: '工作实绩', max: 50, source: 'manual', guide: '如实填写并上传台账' }] },
			],
			deductions: { max: 10, items: [] },
		},
	})).body;
	assert.ok(scheme.id, JSON.stringify(scheme));

	// the township starts the round in the browser
	const town = await newPage(browser);
	await login(town, srv.base, 'township', DEMO_PASSWORD);
	await town.goto(srv.base + '/eval/rounds');
	await byTest(town, 'eval-round-new').click();
	await choose(town, 'eval-round-org', root.name);
	await byTest(town, 'eval-round-scheme').click();
	await town.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '季度考评（浏览器测试）' }).first().click();
	await input(town, 'eval-round-name').fill('2025年第一季度考评');
	await input(town, 'eval-round-year').fill('2025');
	await byTest(town, 'eval-round-quarter').click();
	await town.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '第1季度' }).first().click();
	await byTest(town, 'eval-round-save').click();
	await town.waitForURL(/\/eval\/rounds\/\d+$/);
	const roundId = Number(new URL(town.url()).pathname.split('/').pop());
	assert.match(await byTest(town, 'eval-round-status').innerText(), /支部自评/);
	await shot(town, 'eval-6-round-self');

	// secretary1 fills in the self-assessment with evidence and submits
	const sec = await newPage(browser);
	await login(sec, srv.base, 'secretary1', DEMO_PASSWORD);
	await sec.goto(srv.base + '/eval/branch');
	await sec.waitForURL(/\/eval\/entries\/\d+/);
	const entryId = Number(new URL(sec.url()).pathname.split('/').pop());
	const entry = (await staff.get(`/api/v1/eval/entries/${entryId}`)).body;
	assert.equal(entry.round.id, roundId);
	await byTest(sec, 'eval-self-start').click();
	await byTest(sec, 'eval-form-help').waitFor();
	await input(sec, 'eval-score-work').fill('45');
	await input(sec, 'eval-score-work').press('Tab');
	await input(sec, 'eval-comment-work').fill('完成全部任务');
	await byTest(sec, 'eval-line-work').locator('input[data-test="file-input"]').setInputFiles({ name: '工作台账.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') });
	await byTest(sec, 'eval-line-work').locator('[data-test^="file-item-"]').waitFor();
	await shot(sec, 'eval-7-self-assessment');
	await byTest(sec, 'eval-scores-save').click();
	await sec.locator('.el-message--success').first().waitFor();
	await sec.waitForFunction(() => document.querySelector('[data-test="eval-points-work"]')?.textContent.trim() === '45');
	await byTest(sec, 'eval-line-work').locator('[data-test^="file-link-"]').waitFor();
	await byTest(sec, 'eval-submit').click();
	await confirmBox(sec);
	await sec.waitForFunction(() => !document.querySelector('[data-test="eval-submit"]'));
	let e1 = (await staff.get(`/api/v1/eval/entries/${entryId}`)).body;
	assert.equal(e1.status, 'submitted');
	assert.equal(e1.lines.find((l) => l.code === 'work').files.length, 1);

	// the township opens the review, changes the score: a reason is required and said so under the field
	await town.reload();
	await byTest(town, 'eval-open-review').click();
	await confirmBox(town);
	await town.waitForFunction(() => /镇级审核/.test(document.querySelector('[data-test="eval-round-status"]')?.textContent || ''));
	await byTest(town, `eval-entry-${entry.org_id}`).click();
	await town.waitForURL(new RegExp(`/eval/entries/${entryId}$`));
	await byTest(town, 'eval-review-start').click();
	await input(town, 'eval-score-work').fill('40');
	await input(town, 'eval-score-work').press('Tab');
	assert.match(await byTest(town, 'eval-line-work').innerText(), /必须填写调整理由/);
	await byTest(town, 'eval-scores-save').click();
	await fieldError(town, 'eval-score-work').waitFor();
	assert.match(await fieldError(town, 'eval-score-work').innerText(), /调整理由/);
	await shot(town, 'eval-8-review-reason-needed');
	await input(town, 'eval-reason-work').fill('部分任务未按期完成');
	await byTest(town, 'eval-scores-save').click();
	await town.waitForFunction(() => document.querySelector('[data-test="eval-points-work"]')?.textContent.trim() === '40');
	assert.match(await byTest(town, 'eval-line-work').innerText(), /部分任务未按期完成/);

	// a stale page: someone else publishes first is not possible before review; check 409 on the round instead
	await byTest(town, 'eval-entry-round').click();
	await town.waitForURL(new RegExp(`/eval/rounds/${roundId}$`));
	await byTest(town, 'eval-publish').click();
	await confirmBox(town);
	await town.waitForFunction(() => /已公布/.test(document.querySelector('[data-test="eval-round-status"]')?.textContent || ''));
	await shot(town, 'eval-9-published');
	const rd = (await staff.get(`/api/v1/eval/rounds/${roundId}`)).body;
	assert.equal(rd.status, 'published');
	e1 = (await staff.get(`/api/v1/eval/entries/${entryId}`)).body;
	assert.equal(e1.lines.find((l) => l.code === 'work').points, 40);
	assert.equal(e1.recomputed_matches, true);

	// comparison with 2022
	await town.goto(`${srv.base}/eval/compare?a=${round2022.id}&b=${roundId}`);
	await byTest(town, 'eval-compare-table').locator('tbody tr').first().waitFor();
	assert.equal(await byTest(town, 'eval-compare-table').locator('tbody tr').count(), 20);
	assert.deepEqual(sec.errors, []);
	assert.deepEqual(town.errors, []);
	await sec.context().close();
	await town.context().close();
});

test('the weak branch under rectification: its plan and follow-ups, a step recorded as done, lifting refused while steps are open', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	const w = (await staff.get('/api/v1/eval/weak?status=rectifying')).body.items[0];
	await byTest(page, 'menu-/eval/weak').click();
	await page.waitForURL(/\/eval\/weak/);
	await byTest(page, `eval-weak-${w.org_id}`).click();
	await page.waitForURL(new RegExp(`/eval/weak/${w.id}$`));
	assert.match(await byTest(page, 'eval-weak-state').innerText(), /整顿中/);
	for (const s of w.steps) assert.match(await byTest(page, `eval-step-${s.id}`).innerText(), new RegExp(s.owner));
	assert.match(await byTest(page, 'eval-followups').innerText(), new RegExp(w.followups[0].note.slice(0, 10)));
	await shot(page, 'eval-10-weak-plan');

	// record progress on an open step and mark it done
	const open = w.steps.find((s) => !s.done_on);
	await byTest(page, `eval-step-record-${open.id}`).click();
	await input(page, 'eval-fu-note').fill('第一书记已到岗，班子调整完成');
	await byTest(page, 'eval-fu-save').click();
	await byTest(page, `eval-step-done-${open.id}`).waitFor();
	assert.match(await byTest(page, 'eval-followups').innerText(), /第一书记已到岗/);

	// a new step with its owner and deadline
	await byTest(page, 'eval-step-new').click();
	await byTest(page, 'eval-step-save').click();
	await fieldError(page, 'eval-step-action').waitFor();
	await input(page, 'eval-step-action').fill('开展“回头看”，群众满意度测评');
	await input(page, 'eval-step-owner').fill('镇党委组织委员');
	await input(page, 'eval-step-deadline').fill('2099-06-30');
	await input(page, 'eval-step-deadline').press('Enter');
	await byTest(page, 'eval-step-save').click();
	await page.locator('text=开展“回头看”').first().waitFor();

	// lifting while steps are open is refused, the reason shown under the field
	await byTest(page, 'eval-weak-lift').click();
	await input(page, 'eval-lift-input').fill('整改到位');
	await byTest(page, 'eval-lift-save').click();
	await fieldError(page, 'eval-lift-input').waitFor();
	assert.match(await fieldError(page, 'eval-lift-input').innerText(), /未完成/);
	await shot(page, 'eval-11-weak-lift-refused');

	// the candidates by rule, with the rule that fired
	await page.goto(srv.base + '/eval/weak?tab=candidates&year=2022');
	await byTest(page, `eval-cand-${w.org_id}-last_place`).waitFor();
	assert.match(await byTest(page, `eval-cand-${w.org_id}-last_place`).innerText(), /末位/);
	await shot(page, 'eval-12-weak-candidates');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('schemes: the five-strong tree with each leaf’s scoring and formula; an edit of a used scheme makes a new version; a stale edit says to reload', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	const five = (await staff.get('/api/v1/eval/schemes')).body.items.find((s) => s.code === 'five_strong');
	const full = (await staff.get(`/api/v1/eval/schemes/${five.id}`)).body;
	await byTest(page, 'menu-/eval/schemes').click();
	await page.goto(`${srv.base}/eval/schemes?id=${five.id}`);
	await byTest(page, 'eval-scheme-title').waitFor();
	for (const c of ['political', 'team', 'life', 'role', 'mass']) await byTest(page, `eval-cat-${c}`).waitFor();
	const metricItem = full.items.find((i) => i.source === 'metric');
	assert.ok((await byTest(page, `eval-item-${metricItem.code}`).innerText()).includes(metricItem.formula.slice(0, 10)));
	await shot(page, 'eval-13-scheme');

	await byTest(page, 'eval-scheme-edit').click();
	await input(page, 'eval-scheme-name').fill('“五强”最强党支部考评（修订）');
	await byTest(page, 'eval-scheme-save').click();
	await page.locator('.el-message--success').filter({ hasText: 'v2' }).waitFor();
	await page.waitForURL((u) => u.searchParams.get('id') && u.searchParams.get('id') !== String(five.id));
	const v2 = Number(new URL(page.url()).searchParams.get('id'));
	await page.waitForFunction(() => /修订/.test(document.querySelector('[data-test="eval-scheme-title"]')?.textContent || ''));

	// someone else edits v2 meanwhile: saving says so and offers to reload
	await byTest(page, 'eval-scheme-edit').click();
	const cur = (await staff.get(`/api/v1/eval/schemes/${v2}`)).body;
	assert.equal((await staff.put(`/api/v1/eval/schemes/${v2}`, { version: cur.version, name: '他人修改' })).status, 200);
	await input(page, 'eval-scheme-name').fill('我的修改');
	await byTest(page, 'eval-scheme-save').click();
	await byTest(page, 'eval-scheme-stale').waitFor();
	await shot(page, 'eval-14-scheme-stale');
	await byTest(page, 'eval-scheme-reload').click();
	await page.waitForFunction(() => /他人修改/.test(document.querySelector('[data-test="eval-scheme-title"]')?.textContent || ''));
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
