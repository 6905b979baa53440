// dashboard_scale.test.mjs - a subtree with more than 100 branches: the dashboard's status panel is a table of child orgs with their red / yellow / green counts; a child opens its own dashboard, which lists its branches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, newPage, shot, byTest, login, Client, DEMO_PASSWORD } from './lib.mjs';

let srv;
let browser;
let staff;
let general;

before(async () => {
	srv = await startWebServer({ demo: true });
	browser = await launchBrowser();
	staff = new Client(srv.base);
	assert.equal((await staff.login('township', DEMO_PASSWORD)).status, 200);
	const r = await staff.post('/api/v1/orgs', { parent_id: 1, name: '园区党总支', kind: 'general_branch', category: 'private_enterprise' });
	assert.equal(r.status, 201, r.text);
	general = r.body;
	for (let i = 1; i <= 90; i++) {
		const b = await staff.post('/api/v1/orgs', { parent_id: general.id, name: `园区第${i}党支部`, kind: 'branch', category: 'private_enterprise' });
		assert.equal(b.status, 201, b.text);
	}
});

after(async () => {
	if (browser) await browser.close();
	if (srv) await srv.stop();
});

test('110 branches: the status panel sums them by child org; a child opens its own dashboard', async () => {
	const page = await newPage(browser);
	await login(page, srv.base, 'township', DEMO_PASSWORD);
	await page.goto(`${srv.base}/dashboard?org=1&year=2022`);
	const table = byTest(page, 'dash-status-children');
	await table.waitFor();
	const d = (await staff.get('/api/v1/dashboard?org=1&from=2022-01-01&to=2022-12-31')).body.panels.status;
	const park = d.by_child.find((c) => c.org_id === general.id);
	const row = table.locator('tr', { has: byTest(page, `dash-child-${general.id}`) });
	assert.match(await row.innerText(), new RegExp(`${park.counts.red}\\s+${park.counts.yellow}\\s+${park.counts.green}`));
	await table.scrollIntoViewIfNeeded();
	await shot(page, '11d-dashboard-by-child');
	await byTest(page, `dash-child-${general.id}`).click();
	await page.waitForURL(new RegExp(`/dashboard\\?.*org=${general.id}`));
	await page.locator('[data-test="panel-status"] .branch').first().waitFor();
	assert.equal(await page.locator('[data-test="panel-status"] .branch').count(), 91);
	assert.deepEqual(page.errors, []);
	await page.context().close();
});
