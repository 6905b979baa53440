// demo.test.mjs - the demo township of `zhibu init --demo`: its orgs, people, leadership-team figures, accounts, determinism.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, Client, DEMO_PASSWORD, backend } from './lib.mjs';

const BIN = resolve(process.env.ZHIBU_BIN || 'build/zhibu');
const TOWNSHIP = '巴音敖包镇党委';
const ACCOUNTS = [
	['township', 'staff', TOWNSHIP],
	['secretary1', 'secretary', '巴音敖包嘎查党支部'],
	['secretary2', 'secretary', '乌兰哈达嘎查党支部'],
	['reviewer', 'discipline', TOWNSHIP],
	['member', 'member', '巴音敖包嘎查党支部'],
	['gridworker', 'gridworker', '查干布拉格嘎查党支部'],
];

let srv, township, orgs, root;
const byName = (name) => orgs.find((o) => o.name === name);

async function login(base, username, password = DEMO_PASSWORD) {
	const c = new Client(base);
	const r = await c.login(username, password);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

/** Every person the client can list under org (all pages), as "name|birth_date|masked ID". */
async function everyone(c, org) {
	const out = [];
	for (let page = 1; ; page++) {
		const r = await c.get(`/api/v1/people?org=${org}&page_size=200&page=${page}&sort=name`);
		assert.equal(r.status, 200, r.text);
		for (const p of r.body.items) out.push(`${p.name}|${p.birth_date}|${p.id_number_masked}`);
		if (out.length >= r.body.total || r.body.items.length === 0) return { total: r.body.total, list: out };
	}
}

function count(buckets, key) {
	const b = buckets.find((x) => x.key === key);
	return b ? b.count : 0;
}

before(async () => {
	srv = await startServer({}, { demo: true, fresh: true });	// this file tests init --demo itself
	township = await login(srv.base, 'township');
	const r = await township.get('/api/v1/orgs?format=flat&page_size=200');
	assert.equal(r.status, 200, r.text);
	orgs = r.body.items;
	root = orgs.find((o) => o.parent_id === null);
});
after(async () => { await srv.stop(); });

test('init --demo prints the admin first, then every demo account', (t) => {
	const out = srv.initOutput;
	assert.match(out, /^username: admin\n(one-time password: \S+)\n/m);
	assert.ok(out.indexOf('username: admin') < out.indexOf('username: township'));
	for (const [u] of ACCOUNTS) {
		assert.match(out, new RegExp(`^username: ${u}\\npassword: \\(ZHIBU_DEMO_PASSWORD\\)$`, 'm'));
	}
	assert.equal((out.match(/^one-time password:/gm) || []).length, 1, 'only the admin is one-time');
	// Timing is measured in bench/, not asserted here; the figure is reported for information.
	t.diagnostic(`init --demo took ${srv.initMs} ms on ${backend}`);
});

test('the township committee has exactly 20 general branches and branches; party groups are not counted', () => {
	assert.equal(root.name, TOWNSHIP);
	assert.equal(root.kind, 'township_committee');
	const parties = orgs.filter((o) => o.path.startsWith(root.path) && ['branch', 'general_branch'].includes(o.kind));
	assert.equal(parties.length, 20);
	const cats = {};
	for (const o of parties) cats[o.category] = (cats[o.category] || 0) + 1;
	assert.deepEqual(cats, { village: 12, community: 5, government: 1, institution: 1, private_enterprise: 1 });
	assert.equal(parties.filter((o) => o.kind === 'general_branch').length, 2);
	const groups = orgs.filter((o) => o.kind === 'party_group');
	assert.ok(groups.length >= 10, 'larger branches have party groups');
	for (const g of groups) {
		const parent = orgs.find((o) => o.id === g.parent_id);
		assert.ok(['branch', 'general_branch'].includes(parent.kind));
	}
	assert.equal(orgs.length, 1 + 20 + groups.length);
});

test('about 500 people with valid-looking records', async () => {
	const r = await township.get(`/api/v1/people?org=${root.id}&page_size=200`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.total, 500);
	for (const p of r.body.items) {
		assert.match(p.id_number_masked, /^1529\*{10}\d{3}[\dX]$/);
		assert.ok(p.name.length >= 2 && p.name.length <= 8, p.name);
		assert.ok(['01', '02', '03'].includes(p.ethnicity));
		if (p.phone_masked !== null) assert.match(p.phone_masked, /^1[3-9]\d\*{4}\d{4}$/);
		if (p.political_status === 'member') {
			assert.ok(p.joined_on && p.full_member_on && p.full_member_on > p.joined_on);
			const b = p.birth_date.split('-').map(Number), j = p.joined_on.split('-').map(Number);
			assert.ok(j[0] - b[0] > 18 || (j[0] - b[0] === 18 && (j[1] > b[1] || (j[1] === b[1] && j[2] >= b[2]))),
				`${p.name} joined before 18`);
		}
	}
	const mongol = await township.get(`/api/v1/people?org=${root.id}&ethnicity=02&page_size=1`);
	const hui = await township.get(`/api/v1/people?org=${root.id}&ethnicity=03&page_size=1`);
	const prob = await township.get(`/api/v1/people?org=${root.id}&political_status=probationary&page_size=1`);
	const masses = await township.get(`/api/v1/people?org=${root.id}&political_status=masses&position=two_committees&as_of=2022-12-31&page_size=1`);
	assert.ok(mongol.body.total > 50 && mongol.body.total < 250, `蒙古族 ${mongol.body.total}`);
	assert.ok(hui.body.total > 0 && hui.body.total < 40, `回族 ${hui.body.total}`);
	assert.ok(prob.body.total > 0, 'some probationary members');
	assert.ok(masses.body.total > 0, 'some 两委 members are 群众');
});

test('the leadership teams on 2022-12-31 reproduce the seed: 10 / 1 / 15, 2 selected graduates, 31 reserve cadres', async () => {
	const r = await township.get(`/api/v1/people/structure?org=${root.id}&date=2022-12-31`);
	assert.equal(r.status, 200, r.text);
	const s = r.body;
	assert.equal(s.total, 69);
	assert.equal(count(s.by_decade, '1980s'), 10);
	assert.equal(count(s.by_decade, '1990s'), 1);
	assert.equal(count(s.by_decade, '2000s'), 0);
	assert.equal(s.by_decade.reduce((n, b) => n + b.count, 0), s.total);
	assert.equal(s.college_or_above, 15);
	assert.deepEqual(s.flags, { selected_graduate: 2, returned_graduate: 4, reserve_cadre: 31 });
	// every number links to exactly its people
	const b80 = s.by_decade.find((b) => b.key === '1980s');
	const listed = await township.get(`/api/v1/people?${b80.query}&page_size=50`);
	assert.equal(listed.status, 200, listed.text);
	assert.equal(listed.body.total, 10);
	for (const p of listed.body.items) assert.match(p.birth_date, /^198\d-/);
	const sel = await township.get(`/api/v1/people?org=${root.id}&flag=selected_graduate&as_of=2022-12-31`);
	assert.deepEqual(sel.body.items.map((p) => p.flags.find((f) => f.flag === 'selected_graduate').post).sort(),
		['村居书记助理', '村居副主任']);
});

test('on 2023-12-31 only the 2023 changes show: a 1993 大专 deputy and a 1986 member arrive, one member leaves', async () => {
	const r = await township.get(`/api/v1/people/structure?org=${root.id}&date=2023-12-31`);
	assert.equal(r.status, 200, r.text);
	const s = r.body;
	assert.equal(s.total, 70);
	assert.equal(count(s.by_decade, '1980s'), 11);
	assert.equal(count(s.by_decade, '1990s'), 2);
	assert.equal(s.college_or_above, 16);
	assert.deepEqual(s.flags, { selected_graduate: 2, returned_graduate: 4, reserve_cadre: 31 });
	// the team before the 2021 elections still had the 1985 secretary of 额很乌素
	const v6 = byName('额很乌素嘎查党支部');
	const old = await township.get(`/api/v1/people/structure?org=${v6.id}&date=2020-12-31`);
	assert.equal(old.body.total, 1);
	assert.equal(count(old.body.by_decade, '1980s'), 1);
	const now = await township.get(`/api/v1/people/structure?org=${v6.id}&date=2022-12-31`);
	assert.equal(now.body.total, 4);
	assert.equal(count(now.body.by_decade, '1980s'), 0);
});

test('every demo account logs in with ZHIBU_DEMO_PASSWORD (not one-time) and holds its role', async () => {
	for (const [username, role, orgName] of ACCOUNTS) {
		const c = await login(srv.base, username);
		const who = await c.get('/api/v1/session');
		assert.equal(who.status, 200);
		assert.equal(who.body.user.must_change_password, false, username);
		assert.deepEqual(who.body.user.roles.map((g) => [g.role, g.org_id]), [[role, byName(orgName).id]], username);
		assert.equal(who.body.user.org_id, byName(orgName).id);
		assert.ok(who.body.user.display_name.length >= 2, 'the account shows a person\'s name');
	}
});

test('secretary1 sees only the people of their own branch', async () => {
	const c = await login(srv.base, 'secretary1');
	const v1 = byName('巴音敖包嘎查党支部'), v2 = byName('乌兰哈达嘎查党支部');
	const mine = await c.get('/api/v1/people?page_size=200');
	assert.equal(mine.status, 200, mine.text);
	assert.equal(mine.body.total, 36);
	const inV1 = new Set(orgs.filter((o) => o.path.startsWith(v1.path)).map((o) => o.id));
	for (const p of mine.body.items) assert.ok(inV1.has(p.org_id), `${p.name} in org ${p.org_id}`);
	assert.equal((await c.get(`/api/v1/people?org=${v2.id}`)).status, 404);
	assert.equal((await c.get(`/api/v1/people?org=${root.id}`)).status, 404);
	const other = await township.get(`/api/v1/people?org=${v2.id}&page_size=1`);
	assert.equal((await c.get(`/api/v1/people/${other.body.items[0].id}`)).status, 404);
	const s = await c.get('/api/v1/people/structure?date=2022-12-31');
	assert.equal(s.status, 200, s.text);
	assert.equal(s.body.total, 5);
});

test('two runs of init --demo make the same people; without ZHIBU_DEMO_PASSWORD each account gets a one-time password', async () => {
	const again = await startServer({}, { demo: true, demoPassword: null });
	try {
		const out = again.initOutput;
		const pws = ACCOUNTS.map(([u]) => {
			const m = new RegExp(`^username: ${u}\\none-time password: (\\S+)$`, 'm').exec(out);
			assert.ok(m, `${u} in:\n${out}`);
			return m[1];
		});
		assert.equal(new Set(pws).size, pws.length, 'each account its own password');
		const c = new Client(again.base);
		const r = await c.login('secretary2', pws[2]);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.user.must_change_password, true);

		const t2 = await login(again.base, 'township', pws[0]);
		const ch = await t2.put('/api/v1/session/password', { old_password: pws[0], new_password: 'Town#2026ship' });
		assert.equal(ch.status, 200, ch.text);
		const a = await everyone(township, root.id);
		const b = await everyone(t2, root.id);
		assert.equal(a.total, 500);
		assert.equal(b.total, 500);
		assert.deepEqual(b.list, a.list);
		assert.equal(new Set(a.list).size, 500, 'no two people alike (the full ID numbers are unique by index)');
	} finally {
		await again.stop();
	}
});

test('ZHIBU_DEMO_PASSWORD must meet the policy for every account, checked before anything is created', { skip: backend !== 'sqlite' }, () => {
	const dir = mkdtempSync(join(tmpdir(), 'zhibu-demo-'));
	try {
		for (const pw of ['weak', 'Member#2026x']) {
			const db = join(dir, 'd.db');
			const r = spawnSync(BIN, ['init', '--demo'], {
				env: { PATH: process.env.PATH, ZHIBU_DB: db, ZHIBU_DEMO_PASSWORD: pw }, encoding: 'utf8',
			});
			assert.equal(r.status, 1, r.stdout);
			assert.match(r.stderr, /ZHIBU_DEMO_PASSWORD 不符合密码策略/);
			assert.doesNotMatch(r.stdout, /password/);
			assert.equal(existsSync(db), false, 'no database left behind');
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
