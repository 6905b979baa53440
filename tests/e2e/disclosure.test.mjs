// disclosure.test.mjs - journeys through 三务公开 on the demo township: a branch's missing quarterly village-affairs disclosure found
// by zhibu, written and submitted by the secretary (the personal-data guard first), reviewed and published by the township, the grid
// cell no longer red; an unbalanced finance table refused with its lines named; the discipline reviewer marks one as fake; a
// correction shown with both versions on the public page on a phone, whose inclusion proof is verified in the browser; a stale
// version (409) and the question form's rate limit (429). Nothing is dated in 2022: the year used is last year.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, input, byTest, login, fieldError, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff;
let sec;
let secOrg;
// a whole past year, so that its first quarter is overdue whatever today is
const Y = new Date().getFullYear() - 1;

before(async () => {
	srv = await startWebServer({ demo: true }, { ZHIBU_JOBS: '1' });	// the daily job signs the demo log's checkpoint at start-up
	browser = await launchBrowser();
	staff = new Client(srv.base);
	let r = await staff.login('township', DEMO_PASSWORD);
	assert.equal(r.status, 200, r.text);
	sec = new Client(srv.base);
	r = await sec.login('secretary1', DEMO_PASSWORD);
	assert.equal(r.status, 200, r.text);
	secOrg = (await sec.get('/api/v1/session')).body.user.org_id;
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const cellClass = (page, org, item, period) => byTest(page, `grid-cell-${org}-${item}-${period}`).getAttribute('class');

test('a missing quarterly village-affairs disclosure: found, written by the secretary (personal data refused), reviewed and published by the township', async () => {
	const period = `${Y}-Q1`;
	const town = await newPage(browser);
	await login(town, srv.base, 'township', DEMO_PASSWORD);
	await byTest(town, 'menu-/disclosure/supervision').click();
	await town.waitForURL(/\/disclosure\/supervision/);
	await town.goto(`${srv.base}/disclosure/supervision?year=${Y}`);
	await byTest(town, `grid-org-${secOrg}`).waitFor();
	assert.match(await cellClass(town, secOrg, 'village_affairs', period), /cell-missing/);
	await byTest(town, `grid-org-${secOrg}`).scrollIntoViewIfNeeded();
	await shot(town, '20a-disclosure-grid-missing');

	// zhibu finds the gap: the township dispatches the findings as rectification orders
	await byTest(town, 'sup-scan').click();
	await town.waitForURL(/tab=findings/);
	const found = (await staff.get(`/api/v1/disclosure/findings?org=${secOrg}&year=${Y}&kind=missing`)).body.items;
	const f = found.find((x) => x.item === 'village_affairs' && x.period === period);
	assert.ok(f, JSON.stringify(found.map((x) => x.item + x.period)));
	assert.equal(f.source, 'auto');
	await byTest(town, `finding-${f.id}`).waitFor();
	assert.match(await byTest(town, `finding-status-${f.id}`).innerText(), /整改中|整改逾期/);

	// the secretary sees it and writes the disclosure from it
	const page = await newPage(browser);
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await page.goto(`${srv.base}/disclosure/supervision?tab=findings&year=${Y}&status=open`);
	await byTest(page, `finding-write-${f.id}`).click();
	await page.waitForURL(/\/disclosures\/new\?/);
	await byTest(page, 'disclosure-item-hint').waitFor();
	assert.equal(await byTest(page, 'disclosure-q1').locator('input').isChecked(), true);
	await input(page, 'disclosure-title').fill(`${Y}年第1季度村务公开`);
	await byTest(page, 'disclosure-content').fill(`一、村集体草场承包调整方案已经村民代表会议通过。\n联系人电话 13812345678。`);
	await byTest(page, 'disclosure-submit').click();
	// saved as a draft, refused at submission: the phone number is named, masked, under the text
	await page.waitForURL(/\/disclosures\/\d+\/edit$/);
	await fieldError(page, 'disclosure-content').waitFor();
	const piiMsg = await fieldError(page, 'disclosure-content').innerText();
	assert.match(piiMsg, /手机号/);
	assert.match(piiMsg, /138\*+5678/);
	assert.doesNotMatch(piiMsg, /13812345678/);
	await shot(page, '20b-disclosure-pii-refused');
	await byTest(page, 'disclosure-content').fill(`一、村集体草场承包调整方案已经村民代表会议通过。\n二、${Y}年第1季度共办理低保审核3户。`);
	await byTest(page, 'disclosure-submit').click();
	await page.waitForURL(/\/disclosures\/\d+$/);
	const id = Number(new URL(page.url()).pathname.split('/').pop());
	assert.match(await byTest(page, 'dis-state').innerText(), /已提交/);
	// a branch may not approve its own disclosure
	assert.equal(await byTest(page, 'dis-review').count(), 0);

	// the township approves and publishes
	await town.goto(`${srv.base}/disclosures/${id}`);
	await byTest(town, 'dis-review').click();
	await byTest(town, 'dis-publish').waitFor();
	await byTest(town, 'dis-publish').click();
	await town.locator('.el-message-box__btns .el-button--primary').click();
	await town.waitForFunction(() => /已公开/.test(document.querySelector('[data-test="dis-state"]')?.textContent || ''));
	await shot(town, '20c-disclosure-published');

	// the grid: no longer missing (published after the due date, so 逾期公开), the order closed
	await town.goto(`${srv.base}/disclosure/supervision?year=${Y}`);
	await byTest(town, `grid-org-${secOrg}`).waitFor();
	const cls = await cellClass(town, secOrg, 'village_affairs', period);
	assert.doesNotMatch(cls, /cell-missing/);
	assert.match(cls, /cell-(published|late)/);
	await byTest(town, `grid-cell-${secOrg}-village_affairs-${period}`).scrollIntoViewIfNeeded();
	await shot(town, '20d-disclosure-grid-after');
	const after = (await staff.get(`/api/v1/disclosure/findings?org=${secOrg}&year=${Y}&kind=missing`)).body.items.find((x) => x.id === f.id);
	assert.equal(after.rectification.status, 'done');
	// the export of the grid
	const [dl] = await Promise.all([town.waitForEvent('download'), byTest(town, 'sup-export').click()]);
	assert.match(dl.suggestedFilename(), /\.xlsx$/);
	// the ranking and the branches due a talk (every branch has gaps left in that year)
	await town.goto(`${srv.base}/disclosure/supervision?tab=ranking&year=${Y}`);
	await byTest(town, 'sup-ranking').locator('.el-table__body-wrapper tbody tr').first().waitFor();
	const secName = (await sec.get('/api/v1/session')).body.user.org_name;
	assert.match(await byTest(town, 'sup-ranking').innerText(), new RegExp(secName));
	await town.goto(`${srv.base}/disclosure/supervision?tab=talks`);
	await byTest(town, `talk-findings-${secOrg}`).waitFor();
	await shot(town, '20d2-disclosure-talks');
	assert.deepEqual(page.errors, []);
	assert.deepEqual(town.errors, []);
	await page.context().close();
	await town.context().close();
});

test('an unbalanced finance table is refused with its lines named, then saved once it adds up', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'secretary1', DEMO_PASSWORD);
	await page.goto(`${srv.base}/disclosures/new?org=${secOrg}&item=finance_quarterly&period=${Y}-Q2`);
	await byTest(page, 'finance-table').waitFor();
	await input(page, 'disclosure-title').fill(`${Y}年第2季度财务收支公开`);
	await byTest(page, 'disclosure-content').fill('本季度财务收支情况如下表，经民主理财小组审核。');
	await input(page, 'fin-opening').fill('10000');
	await input(page, 'fin-income-0-name').fill('草场承包费');
	await input(page, 'fin-income-0-amount').fill('12,000.50');
	await byTest(page, 'fin-add-income').click();
	await input(page, 'fin-income-1-amount').fill('300'); // a line without its name
	await input(page, 'fin-expense-0-name').fill('村内道路维修');
	await input(page, 'fin-expense-0-amount').fill('8000');
	// the running totals, in yuan
	assert.match(await byTest(page, 'fin-total-income').innerText(), /12,300\.50/);
	assert.match(await byTest(page, 'fin-total-expense').innerText(), /8,000\.00/);
	assert.match(await byTest(page, 'fin-closing-hint').innerText(), /14,300\.50/);
	// the book balance typed does not add up
	await input(page, 'fin-closing').fill('15000');
	await byTest(page, 'fin-use-computed').waitFor();
	await byTest(page, 'disclosure-save').click();
	// the line first: the second income line has no name
	await byTest(page, 'fin-err-income-1').waitFor();
	assert.match(await byTest(page, 'fin-err-income-1').innerText(), /收入第2行的项目名称不能为空/);
	assert.match(await byTest(page, 'fin-income-1').getAttribute('class'), /bad/);
	await byTest(page, 'fin-err-income-1').scrollIntoViewIfNeeded();
	await shot(page, '20e-disclosure-finance-line-refused');
	await input(page, 'fin-income-1-name').fill('上级转移支付');
	// then the balance: closing != opening + income - expense
	await byTest(page, 'disclosure-save').click();
	await byTest(page, 'fin-err-closing').waitFor();
	assert.match(await byTest(page, 'fin-err-closing').innerText(), /期末余额 15000\.00 元不等于.*14300\.50/);
	assert.equal(await byTest(page, 'fin-err-income-1').count(), 0);
	assert.match(page.url(), /\/disclosures\/new/); // nothing saved
	await byTest(page, 'fin-err-closing').scrollIntoViewIfNeeded();
	await shot(page, '20f-disclosure-finance-unbalanced');
	const none = (await sec.get(`/api/v1/disclosures?org=${secOrg}&item=finance_quarterly&period=${Y}-Q2`)).body;
	assert.equal(none.total, 0);

	await byTest(page, 'fin-use-computed').click();
	await byTest(page, 'disclosure-save').click();
	await page.waitForURL(/\/disclosures\/\d+$/);
	const id = Number(new URL(page.url()).pathname.split('/').pop());
	const d = (await sec.get(`/api/v1/disclosures/${id}`)).body;
	const fin = d.versions[0].finance;
	assert.equal(fin.opening_balance, 1000000);
	assert.equal(fin.income_total, 1230050);
	assert.equal(fin.expense_total, 800000);
	assert.equal(fin.closing_balance, 1430050);
	assert.match(await byTest(page, 'fin-ro-closing').innerText(), /14,300\.50/);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the discipline reviewer marks a published disclosure as fake, with evidence; it becomes a rectification order', async () => {
	const rev = new Client(srv.base);
	assert.equal((await rev.login('reviewer', DEMO_PASSWORD)).status, 200);
	const list = (await rev.get('/api/v1/disclosures?state=published&affair=village&page_size=5')).body.items;
	assert.ok(list.length, 'the reviewer sees published disclosures');
	const target = list[0];
	const page = await newPage(browser);
	await login(page, srv.base, 'reviewer', DEMO_PASSWORD);
	await page.goto(`${srv.base}/disclosures/${target.id}`);
	// a reviewer supervises: no writing, no approving
	await byTest(page, 'dis-fake').waitFor();
	assert.equal(await byTest(page, 'dis-correct').count(), 0);
	assert.equal(await byTest(page, 'dis-publish').count(), 0);
	await byTest(page, 'dis-fake').click();
	await byTest(page, 'fake-save').click();
	await fieldError(page, 'fake-text').waitFor();
	await input(page, 'fake-text').fill('公开的道路维修项目实际未开工');
	await input(page, 'fake-evidence').fill('实地核查照片及村民代表3人证言，核查记录编号 HC-07');
	await byTest(page, 'fake-save').click();
	await page.locator('.el-message--success').waitFor();
	const fakes = (await rev.get('/api/v1/disclosure/findings?kind=fake')).body.items;
	const mine = fakes.find((x) => x.disclosure_id === target.id && /未开工/.test(x.text));
	assert.ok(mine, JSON.stringify(fakes));
	// the detail page lists the finding about it, with its rectification state
	await byTest(page, `dis-finding-${mine.id}`).waitFor();
	assert.match(await byTest(page, `dis-finding-${mine.id}`).innerText(), /假公开/);
	assert.match(await byTest(page, `dis-finding-rect-${mine.id}`).innerText(), /整改中/);
	await shot(page, '20f2-disclosure-detail-findings');
	await page.goto(`${srv.base}/disclosure/supervision?tab=findings&kind=fake&year=${target.period.slice(0, 4)}`);
	await byTest(page, `finding-${mine.id}`).waitFor();
	assert.match(await byTest(page, `finding-${mine.id}`).innerText(), /假公开/);
	assert.match(await byTest(page, `finding-${mine.id}`).innerText(), /HC-07/);
	await shot(page, '20g-disclosure-fake');
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('a correction: both versions on the public page on a phone, the proof verified in the browser; a stale step asks to reload; questions are rate-limited', async () => {
	// a published village-affairs disclosure of the secretary's branch
	const pub = (await staff.get(`/api/v1/disclosures?org=${secOrg}&item=village_affairs&state=published&year=2022`)).body.items;
	assert.ok(pub.length);
	const id = pub[0].id;
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(`${srv.base}/disclosures/${id}`);
	await byTest(page, 'dis-correct').click();
	await page.waitForURL(/\/correct$/);
	await byTest(page, 'disclosure-content').waitFor();
	const before = await byTest(page, 'disclosure-content').innerText();
	await byTest(page, 'disclosure-content').fill(before.trim() + '\n更正：低保审核户数应为4户。');
	await byTest(page, 'disclosure-submit').click();
	await fieldError(page, 'disclosure-reason').waitFor(); // the reason is required
	await input(page, 'disclosure-reason').fill('原公开的低保审核户数有误');
	await byTest(page, 'disclosure-submit').click();
	await page.waitForURL(/\/disclosures\/\d+$/);
	await byTest(page, 'dis-correcting').waitFor();

	// someone else returns it meanwhile: the stale step is refused and the page reloads
	const d = (await staff.get(`/api/v1/disclosures/${id}`)).body;
	const latest = d.versions[d.versions.length - 1];
	let r = await staff.post(`/api/v1/disclosure-versions/${latest.id}/return`, { version: latest.version, reason: '请补充说明' });
	assert.equal(r.status, 200, r.text);
	await byTest(page, 'dis-review').click();
	await byTest(page, 'step-errors').waitFor();
	assert.match(await byTest(page, 'step-errors').innerText(), /重新载入|刷新/);
	await byTest(page, 'dis-returned').waitFor();
	await byTest(page, 'dis-submit').click();
	await byTest(page, 'dis-review').waitFor();
	await byTest(page, 'dis-review').click();
	await byTest(page, 'dis-publish').waitFor();
	await byTest(page, 'dis-publish').click();
	await page.locator('.el-message-box__btns .el-button--primary').click();
	await page.waitForFunction(() => document.querySelectorAll('[data-test^="dis-version-"]').length === 2 && /已公开/.test(document.querySelector('[data-test="dis-state"]')?.textContent || ''));
	await shot(page, '20h-disclosure-corrected');
	await page.context().close();

	// the public page on a phone, no login
	const phone = await newPage(browser, { width: 390, height: 844 });
	await phone.goto(`${srv.base}/public/disclosures`);
	await byTest(phone, 'pub-org').click();
	await phone.locator('.el-select-dropdown__item').filter({ hasText: pub[0].org_name }).first().click();
	await byTest(phone, `pub-item-${id}`).waitFor();
	assert.match(await byTest(phone, `pub-item-${id}`).innerText(), /有更正/);
	assert.ok((await overflow(phone)) <= 0, 'no sideways scrolling on the list');
	await shot(phone, '20i-public-list-phone');
	await byTest(phone, `pub-item-${id}`).click();
	await phone.waitForURL(new RegExp(`/public/disclosures/${id}$`));
	await byTest(phone, 'pub-version-2').waitFor();
	await byTest(phone, 'pub-version-1').waitFor();
	assert.match(await byTest(phone, 'pub-reason').innerText(), /低保审核户数有误/);
	assert.match(await byTest(phone, 'pub-content').innerText(), /应为4户/);
	assert.match(await byTest(phone, 'pub-diff').innerText(), /应为4户/);
	assert.match(await byTest(phone, 'pub-version-1').innerText(), /已被第2版更正/);
	await byTest(phone, 'pub-qr').waitFor();
	assert.ok((await overflow(phone)) <= 0, 'no sideways scrolling on the page');
	await shot(phone, '20j-public-corrected-phone');

	// the first version was signed into a checkpoint: verify its proof in the browser
	await byTest(phone, 'pub-proof-toggle-1').click();
	await byTest(phone, 'proof-1').locator('[data-test="proof-verify"]').click();
	const res = byTest(phone, 'proof-1').locator('[data-test="proof-result"]');
	await res.waitFor();
	assert.match(await res.innerText(), /核验通过/);
	for (const k of ['leaf', 'root', 'checkpoint', 'version', 'content']) assert.match(await res.locator(`[data-test="proof-check-${k}"]`).innerText(), /^✓/, k);
	await res.evaluate((el) => el.scrollIntoView({ block: 'start' }));
	await shot(phone, '20k-public-proof-verified-phone');
	// and the correction's own proof (newer than the signed checkpoint): the root still matches
	await byTest(phone, 'pub-proof-toggle-2').click();
	await byTest(phone, 'proof-2').locator('[data-test="proof-verify"]').click();
	const res2 = byTest(phone, 'proof-2').locator('[data-test="proof-result"]');
	await res2.waitFor();
	assert.match(await res2.innerText(), /核验通过/);
	assert.match(await res2.locator('[data-test="proof-check-content"]').innerText(), /^✓/);

	// a question, then the rate limit
	await input(phone, 'pub-ask-text').fill('第二条中的低保户名单能否公布到组？');
	await byTest(phone, 'pub-ask-send').click();
	await byTest(phone, 'pub-ask-done').waitFor();
	const anon = new Client(srv.base);
	for (let i = 0; i < 10; i++) {
		r = await anon.post('/api/v1/public/disclosure-questions', { disclosure_id: id, text: `测试问题第${i}次` });
		if (r.status === 429) break;
	}
	assert.equal(r.status, 429);
	await input(phone, 'pub-ask-text').fill('再问一个问题，能否说明？');
	await byTest(phone, 'pub-ask-send').click();
	await byTest(phone, 'pub-ask-error').waitFor();
	assert.match(await byTest(phone, 'pub-ask-error').innerText(), /频繁/);
	await shot(phone, '20l-public-question-429');

	// the offline procedure
	await byTest(phone, 'pub-verify-help').click();
	await byTest(phone, 'verify-help').waitFor();
	assert.match(await byTest(phone, 'verify-help').innerText(), /openssl pkeyutl -verify/);
	assert.deepEqual(phone.errors, []);
	await phone.context().close();
});

test('the catalogue: the township edits an item (a stale edit reloads), and marks a village as having many transactions', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await byTest(page, 'menu-/disclosure/catalog').click();
	await page.waitForURL(/\/disclosure\/catalog/);
	await byTest(page, 'catalog-edit-tenders').waitFor();
	const cat = (await staff.get('/api/v1/disclosure/catalog')).body.items;
	assert.equal(await page.locator('[data-test="catalog-table"] .el-table__body-wrapper tbody tr').count(), cat.length);
	// someone else edits the item first: the dialog reloads it
	await byTest(page, 'catalog-edit-tenders').click();
	const t0 = cat.find((x) => x.code === 'tenders');
	let r = await staff.put(`/api/v1/disclosure/catalog/${t0.id}`, { version: t0.version, basis: t0.basis + '（已核对）' });
	assert.equal(r.status, 200, r.text);
	await input(page, 'catalog-name').fill('村级工程项目招投标（含结果）');
	await byTest(page, 'catalog-save').click();
	await page.locator('.el-dialog .el-alert--warning').waitFor();
	await input(page, 'catalog-name').fill('村级工程项目招投标（含结果）');
	await byTest(page, 'catalog-save').click();
	await page.locator('.el-message--success').waitFor();
	const t1 = (await staff.get('/api/v1/disclosure/catalog')).body.items.find((x) => x.code === 'tenders');
	assert.equal(t1.name, '村级工程项目招投标（含结果）');
	assert.match(t1.basis, /已核对/);
	await shot(page, '20m-disclosure-catalog');

	const orgs = (await staff.get('/api/v1/disclosure/org-settings')).body.items;
	const other = orgs.find((o) => o.org_id !== secOrg && !o.many_transactions);
	await page.locator('.el-tabs__item').filter({ hasText: '收支业务量' }).click();
	await byTest(page, `catalog-many-${other.org_id}`).click();
	await page.locator('.el-message--success').last().waitFor();
	r = await staff.get('/api/v1/disclosure/org-settings');
	assert.equal(r.body.items.find((o) => o.org_id === other.org_id).many_transactions, true);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});

test('the public page of a published disclosure lists its attachments on a phone; only published versions\' files download', async () => {
	const pdf = Buffer.from('%PDF-1.4\n% 征地补偿分配方案\n%%EOF\n');
	const up = await sec.raw('POST', `/api/v1/files?org=${secOrg}&name=${encodeURIComponent('补偿分配方案.pdf')}`, pdf);
	assert.ok(up.status === 201 || up.status === 200, up.text);
	let r = await sec.post('/api/v1/disclosures', {
		org_id: secOrg, item: 'land_compensation', period: `${Y}-06-01`, title: '征地补偿费分配方案', content: '<p>分配方案见附件。</p>', files: [up.body.id],
	});
	assert.equal(r.status, 201, r.text);
	let d = r.body;
	for (const [who, step] of [[sec, 'submit'], [staff, 'review'], [staff, 'publish']]) {
		const v = d.versions[d.versions.length - 1];
		r = await who.post(`/api/v1/disclosure-versions/${v.id}/${step}`, { version: v.version });
		assert.equal(r.status, 200, r.text);
		d = r.body;
	}
	const phone = await newPage(browser, { width: 390, height: 844 });
	await phone.goto(`${srv.base}/public/disclosures/${d.id}`);
	await byTest(phone, 'pub-files').waitFor();
	const link = byTest(phone, `pub-file-${up.body.id}`);
	assert.match(await link.innerText(), /补偿分配方案\.pdf/);
	const href = await link.getAttribute('href');
	assert.equal(href, `/api/v1/public/disclosures/${d.id}/files/${up.body.id}`);
	const anon = new Client(srv.base);
	const got = await anon.bytes(href);
	assert.equal(got.status, 200);
	assert.match(got.headers.get('content-disposition'), /^attachment/);
	assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
	assert.ok((await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0);
	await shot(phone, '20l-public-attachments-phone');
	// a draft's file is not reachable
	const up2 = await sec.raw('POST', `/api/v1/files?org=${secOrg}&name=draft.pdf`, Buffer.from('%PDF-1.4\n% draft\n%%EOF\n'));
	r = await sec.post('/api/v1/disclosures', { org_id: secOrg, item: 'land_compensation', period: `${Y}-07-01`, title: '草稿', content: '<p>x</p>', files: [up2.body.id] });
	assert.equal(r.status, 201, r.text);
	assert.equal((await anon.bytes(`/api/v1/public/disclosures/${r.body.id}/files/${up2.body.id}`)).status, 404);
	assert.equal((await anon.bytes(`/api/v1/public/disclosures/${d.id}/files/${up2.body.id}`)).status, 404);
	assert.deepEqual(phone.errors, []);
	await phone.context().close();
});

test('the home page leads each role to its daily work: secretary, township staff, discipline reviewer', async () => {
	const cases = [
		['secretary1', ['todo', 'meetings', 'mytasks', 'disdue'], ['grids', 'supervision']],
		['township', ['taskov', 'deedstats', 'supervision'], ['todo', 'visit']],
		['reviewer', ['supervision', 'findings'], ['todo', 'taskov', 'visit']],
	];
	const rev = new Client(srv.base);
	assert.equal((await rev.login('reviewer', DEMO_PASSWORD)).status, 200);
	const openFindings = (await rev.get('/api/v1/disclosure/findings?status=open')).body.total;
	for (const [user, want, not] of cases) {
		for (const [size, tag] of [[{ width: 1366, height: 860 }, ''], [{ width: 390, height: 844 }, '-phone']]) {
			const page = await newPage(browser, size);
			await login(page, srv.base, user, DEMO_PASSWORD);
			await byTest(page, 'home-work').waitFor();
			for (const k of want) await byTest(page, 'home-work-' + k).waitFor();
			for (const k of not) assert.equal(await byTest(page, 'home-work-' + k).count(), 0, `${user}: no ${k}`);
			if (user === 'township') {
				await byTest(page, 'home-orglife').waitFor();
				await byTest(page, 'home-status-red').waitFor();
			}
			if (user === 'secretary1') {
				await byTest(page, 'home-todo').waitFor();
				await page.waitForFunction(() => !/—/.test(document.querySelector('[data-test="home-fig-disdue"]').textContent));
			}
			if (user === 'reviewer') {
				await page.waitForFunction(() => !/—/.test(document.querySelector('[data-test="home-fig-findings"]').textContent));
				assert.match(await byTest(page, 'home-fig-findings').innerText(), new RegExp(`^${openFindings}\\b`));
			}
			assert.ok((await overflow(page)) <= 0, `${user}: fits ${size.width}px`);
			await shot(page, `20m-home-${user}${tag}`);
			assert.deepEqual(page.errors, []);
			await page.context().close();
		}
	}
});
