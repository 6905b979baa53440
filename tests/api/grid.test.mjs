// grid.test.mjs - grids, households (phone masked, tags), visits, the silent minority and its setting; members' intake and own records; scope of secretaries and grid workers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, sec2, gw, member, orgs, v1, v2;

async function login(username) {
	const c = new Client(srv.base);
	const r = await c.login(username, DEMO_PASSWORD);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

function grantOrg(whoami) {
	const u = whoami.user;
	const g = (u.grants || u.roles || [])[0];
	return g && (g.org_id ?? g.org?.id);
}

async function membersOf(orgId) {
	const all = (await ok(township.get(`/api/v1/people?org=${orgId}&page_size=200`))).items;
	return all.filter((p) => p.political_status === 'member' || p.political_status === 'probationary');
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	sec2 = await login('secretary2');
	gw = await login('gridworker');
	member = await login('member');
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	const o1 = grantOrg(await ok(sec1.get('/api/v1/session')));
	const o2 = grantOrg(await ok(sec2.get('/api/v1/session')));
	v1 = orgs.find((o) => o.id === o1);
	v2 = orgs.find((o) => o.id === o2);
	assert.ok(v1 && v2 && v1.id !== v2.id);
});
after(async () => { await srv.stop(); });

test('the demo: three grids per village and community, households with tags and contact members', async () => {
	const grids = await ok(township.get('/api/v1/grids?page_size=100'));
	assert.equal(grids.total, 51);
	assert.ok(grids.items.every((g) => g.households === 8 && g.leader_name && g.workers.length >= 1));
	// each grid row carries its silent households today: the same counts as the summary
	const today = await ok(township.get('/api/v1/grid/silent'));
	const byGrid = Object.fromEntries(today.items.map((x) => [x.grid_id, x.silent]));
	assert.ok(grids.items.every((g) => Number.isInteger(g.silent) && g.silent === byGrid[g.id]), JSON.stringify(grids.items.map((g) => [g.id, g.silent, byGrid[g.id]])));
	assert.ok(grids.items.some((g) => g.silent > 0));
	const one = await ok(township.get(`/api/v1/grids/${grids.items[0].id}`));
	assert.equal(one.silent, byGrid[one.id]);
	assert.equal(one.silent, (await ok(township.get(`/api/v1/grids/${one.id}/silent`))).items.length);
	const hh = await ok(township.get('/api/v1/households?tag=dibao&page_size=100'));
	assert.ok(hh.total > 0);
	assert.ok(hh.items.every((h) => h.tags.includes('dibao') && h.tag_labels.includes('低保') && h.contact_name));
	assert.ok(hh.items.every((h) => h.phone_masked === null || /^139\*{4}\d{4}$/.test(h.phone_masked)));
	assert.ok(hh.items.every((h) => !('phone' in h) && !('phone_enc' in h)));
	// the silent minority as of the end of 2022: some, not all, per grid
	const s = await ok(township.get('/api/v1/grid/silent?as_of=2022-12-31'));
	assert.equal(s.days, 90);
	const silent = s.items.reduce((n, g) => n + g.silent, 0);
	const total = s.items.reduce((n, g) => n + g.households, 0);
	assert.equal(total, 408);
	assert.ok(silent > 10 && silent < 100, `silent ${silent}`);
	const mine = await ok(gw.get('/api/v1/grid/silent?as_of=2022-12-31'));
	assert.equal(mine.items.length, 2);
});

test('a secretary sets up a grid and a household; the phone is stored encrypted and shown masked; bad input names each field', async () => {
	const people = await membersOf(v1.id);
	const g = await ok(sec1.post('/api/v1/grids', {
		org_id: v1.id, name: '第四网格', area: '新建移民安置点', leader_id: people[0].id,
		workers: [{ person_id: people[1].id }],
	}), 201);
	assert.equal(g.leader_name, people[0].name);
	assert.equal(g.workers[0].person_id, people[1].id);
	assert.equal((await sec2.get(`/api/v1/grids/${g.id}`)).status, 404, 'another branch sees nothing');
	assert.equal((await sec2.post('/api/v1/grids', { org_id: v1.id, name: 'x' })).status, 400);
	const stale = await sec1.put(`/api/v1/grids/${g.id}`, { version: g.version + 1, name: '第四网格（安置点）' });
	assert.equal(stale.status, 409);
	const g2 = await ok(sec1.put(`/api/v1/grids/${g.id}`, { version: g.version, name: '第四网格（安置点）' }));
	assert.equal(g2.workers.length, 1, 'workers absent = kept');

	const bad = await sec1.post('/api/v1/households', {
		grid_id: g.id, address: '<b>1号</b>', size: 0, head_name: '', phone: '123', tags: ['rich'], contact_id: 999999,
	});
	assert.equal(bad.status, 400);
	for (const f of ['address', 'size', 'head_name', 'phone', 'tags', 'contact_id'])
		assert.ok(bad.body.error.fields[f], `${f}: ${bad.text}`);

	const h = await ok(sec1.post('/api/v1/households', {
		grid_id: g.id, address: '安置点3号', size: 2, head_name: '李桂兰', phone: '13800138000',
		tags: ['elderly_alone', 'dibao'], contact_id: people[2].id,
	}), 201);
	assert.equal(h.phone_masked, '138****8000');
	assert.deepEqual(h.tag_labels.sort(), ['低保', '独居老人'].sort());
	assert.equal(h.contact_name, people[2].name);
	assert.ok(!JSON.stringify(h).includes('13800138000'));
	const raw = srv.sql(`SELECT phone_enc FROM households WHERE id = ${h.id}`);
	assert.ok(raw.startsWith('v1:') && !raw.includes('13800138000'));
	// phone absent keeps it, null clears it
	let u = await ok(sec1.put(`/api/v1/households/${h.id}`, { version: h.version, address: '安置点3号', size: 3, head_name: '李桂兰' }));
	assert.equal(u.phone_masked, '138****8000');
	u = await ok(sec1.put(`/api/v1/households/${h.id}`, { version: u.version, address: '安置点3号', size: 3, head_name: '李桂兰', phone: null }));
	assert.equal(u.phone_masked, null);
	assert.equal((await sec1.put(`/api/v1/households/${h.id}`, { version: h.version, address: 'x', size: 1, head_name: 'y' })).status, 409);
});

test('visits: a household never visited is silent; a visit takes it off the list', async () => {
	const g = (await ok(sec1.get(`/api/v1/grids?org=${v1.id}&q=安置点`))).items[0];
	assert.equal(g.silent, 1, 'the list counts the never-visited household');
	let s = await ok(sec1.get(`/api/v1/grids/${g.id}/silent`));
	assert.equal(s.items.length, 1);
	assert.equal(s.items[0].days_since, null);
	const hid = s.items[0].id;
	const bad = await sec1.post(`/api/v1/households/${hid}/visits`, { visited_on: '2999-01-01', kind: 'teleport' });
	assert.equal(bad.status, 400);
	assert.ok(bad.body.error.fields.visited_on && bad.body.error.fields.kind);
	const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
	const v = await ok(sec1.post(`/api/v1/households/${hid}/visits`, { visited_on: today, kind: 'visit', note: '送去取暖煤' }), 201);
	assert.equal(v.kind_label, '走访');
	s = await ok(sec1.get(`/api/v1/grids/${g.id}/silent`));
	assert.equal(s.items.length, 0);
	assert.equal((await ok(sec1.get(`/api/v1/grids/${g.id}`))).silent, 0, 'the visit takes it off the count');
	const h = await ok(sec1.get(`/api/v1/households/${hid}`));
	assert.equal(h.last_contact, today);
	assert.equal(h.visits[0].note, '送去取暖煤');
	// the setting is the township's: a secretary may not change it
	assert.equal((await sec1.put('/api/v1/grid/settings', { silent_days: 30 })).status, 403);
	const set = await ok(township.put('/api/v1/grid/settings', { silent_days: 30 }));
	assert.equal(set.silent_days, 30);
	assert.equal((await ok(township.get('/api/v1/grid/silent?as_of=2022-12-31'))).days, 30);
	assert.equal((await township.put('/api/v1/grid/settings', { silent_days: 1 })).status, 400);
});

test('a grid worker records visits only in its own grids and cannot create grids', async () => {
	const mine = (await ok(gw.get('/api/v1/households?page_size=1'))).items[0];
	await ok(gw.post(`/api/v1/households/${mine.id}/visits`, { visited_on: '2026-01-10', kind: 'phone' }), 201);
	const other = (await ok(township.get(`/api/v1/households?org=${v1.id}&page_size=1`))).items[0];
	assert.equal((await gw.post(`/api/v1/households/${other.id}/visits`, { visited_on: '2026-01-10', kind: 'phone' })).status, 404);
	const g = (await ok(gw.get('/api/v1/grids'))).items[0];
	assert.equal((await gw.post('/api/v1/grids', { org_id: g.org_id, name: '第九网格' })).status, 400);
	assert.equal((await gw.get(`/api/v1/households?org=${v1.id}`)).status, 404);
});

test('a member takes a request in for a resident and sees only its own records; it cannot handle requests', async () => {
	const d = await ok(member.post('/api/v1/deeds', {
		org_id: v1.id, category: 'volunteer', channel: 'walk_in', title: '帮邻居老人代购药品', resident_name: '张大爷',
	}), 201);
	assert.equal(d.status, 'registered');
	assert.equal(d.channel_label, '来访');
	const list = await ok(member.get('/api/v1/deeds?page_size=100'));
	assert.equal(list.total, 1);
	assert.equal(list.items[0].id, d.id);
	const other = (await ok(sec1.get('/api/v1/deeds?page_size=1&status=done'))).items[0];
	assert.equal((await member.get(`/api/v1/deeds/${other.id}`)).status, 404);
	assert.equal((await member.post(`/api/v1/deeds/${d.id}/accept`, { version: d.version })).status, 403);
	assert.equal((await member.get('/api/v1/grids')).status, 403);
	// the secretary sees it and handles it
	const s = await ok(sec1.post(`/api/v1/deeds/${d.id}/accept`, { version: d.version }));
	assert.equal(s.status, 'accepted');
	assert.equal((await member.post('/api/v1/deeds', { org_id: v2.id, category: 'relief', channel: 'visit', title: 'x' })).status, 400);
});

test('due periods are the township\'s table, in working days', async () => {
	const due = await ok(township.get('/api/v1/deeds/due-periods'));
	const policy = due.items.find((i) => i.category === 'policy');
	assert.equal(policy.working_days, 3);
	assert.equal((await sec1.put('/api/v1/deeds/due-periods/policy', { version: policy.version, working_days: 5 })).status, 403);
	const p = await ok(township.put('/api/v1/deeds/due-periods/policy', { version: policy.version, working_days: 5 }));
	assert.equal(p.working_days, 5);
	assert.equal((await township.put('/api/v1/deeds/due-periods/policy', { version: policy.version, working_days: 6 })).status, 409);
	// received on a Friday: five working days later is the next Friday
	const d = await ok(sec1.post('/api/v1/deeds', { org_id: v1.id, category: 'policy', channel: 'phone', title: '养老认证', received_on: '2026-01-09' }), 201);
	assert.equal(d.due_on, '2026-01-16');
});
