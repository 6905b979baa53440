// dashboard_scale.test.mjs - a subtree with more branches than the dashboard lists one by one: the status and training panels sum the branches by child org, each child opening its own dashboard, and the sums equal the full per-branch status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, root, general;
const EXTRA = 90;	// with the demo's 20 branches more than the 100 the dashboard lists; alone, fewer

before(async () => {
	srv = await startServer({}, { demo: true });
	township = new Client(srv.base);
	assert.equal((await township.login('township', DEMO_PASSWORD)).status, 200);
	const orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
	general = await ok(township.post('/api/v1/orgs', { parent_id: root.id, name: '园区党总支', kind: 'general_branch', category: 'private_enterprise' }), 201);
	for (let i = 1; i <= EXTRA; i++)
		await ok(township.post('/api/v1/orgs', { parent_id: general.id, name: `园区第${i}党支部`, kind: 'branch', category: 'private_enterprise' }), 201);
});

after(async () => {
	if (srv) await srv.stop();
});

test('a big subtree: status and training summed by child org, each child a link to its dashboard', async () => {
	const d = await ok(township.get(`/api/v1/dashboard?org=${root.id}&from=2022-01-01&to=2022-12-31`));
	const st = d.panels.status;
	const full = await ok(township.get(`/api/v1/compliance/status?org=${root.id}&date=2022-12-31`));
	assert.equal(st.branches, full.items.length);
	assert.ok(st.branches > 100, `${st.branches} branches`);
	assert.deepEqual(st.items, [], 'branches are not listed one by one');
	assert.deepEqual(st.counts, full.counts);
	// each child's counts are its branches' statuses in the full answer
	for (const c of st.by_child) {
		const child = (await ok(township.get(`/api/v1/orgs/${c.org_id}`)));
		const mine = full.items.filter((b) => b.path.startsWith(child.path));
		for (const s of ['green', 'yellow', 'red'])
			assert.equal(c.counts[s], mine.filter((b) => b.status === s).length, `${c.org_name} ${s}`);
		assert.equal(c.link, `/dashboard?org=${c.org_id}&from=2022-01-01&to=2022-12-31`);
	}
	const park = st.by_child.find((c) => c.org_id === general.id);
	assert.ok(park, 'the general branch is a child');
	assert.equal(park.counts.green + park.counts.yellow + park.counts.red, EXTRA + 1, 'its branches and itself');
	const sum = (k) => st.by_child.reduce((n, c) => n + c.counts[k], 0);
	assert.deepEqual({ green: sum('green'), yellow: sum('yellow'), red: sum('red') }, full.counts);

	// training: by child too, adding up to the panel's totals
	const tr = d.panels.training;
	assert.deepEqual(tr.items, []);
	assert.equal(tr.by_child.reduce((n, c) => n + c.orgs, 0), tr.orgs);
	assert.equal(tr.by_child.reduce((n, c) => n + c.orgs_fully_trained, 0), tr.orgs_fully_trained);
	assert.equal(tr.by_child.find((c) => c.org_id === general.id).orgs, EXTRA + 1);

	// the child's own dashboard lists its branches, as a township's does
	const g = await ok(township.get(`/api/v1/dashboard?org=${general.id}&from=2022-01-01&to=2022-12-31`));
	assert.equal(g.panels.status.items.length, EXTRA + 1);
	assert.equal(g.panels.status.by_child, undefined);
	assert.equal(g.panels.training.items.length, EXTRA + 1);
});
