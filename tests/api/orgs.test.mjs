// orgs.test.mjs - the org tree: create, validation, scope, versions, move, archive, audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, userClient } from './lib.mjs';

let srv, staff;
const ids = {};

before(async () => {
	srv = await startServer();
	staff = await userClient(srv, 'staff', 1, ['staff@1']);
	for (const [key, name] of [['a', '团结村党支部'], ['b', '和平社区党支部'], ['c', '镇机关党支部']]) {
		const r = await staff.post('/api/v1/orgs', {
			parent_id: 1, name, kind: 'branch', category: key === 'b' ? 'community' : key === 'c' ? 'government' : 'village',
		});
		assert.equal(r.status, 201, r.text);
		ids[key] = r.body.id;
	}
	const g = await staff.post('/api/v1/orgs', { parent_id: ids.a, name: '第一党小组', kind: 'party_group' });
	assert.equal(g.status, 201, g.text);
	ids.a1 = g.body.id;
});
after(async () => { await srv.stop(); });

test('created orgs get a materialized path and depth', async () => {
	const r = await staff.get(`/api/v1/orgs/${ids.a1}`);
	assert.equal(r.status, 200);
	assert.equal(r.body.path, `/1/${ids.a}/${ids.a1}/`);
	assert.equal(r.body.depth, 2);
	assert.equal(r.body.kind_label, '党小组');
	assert.equal(r.body.version, 1);
});

test('the tree nests children under their parents', async () => {
	const r = await staff.get('/api/v1/orgs');
	assert.equal(r.status, 200);
	assert.equal(r.body.items.length, 1);
	const root = r.body.items[0];
	assert.equal(root.id, 1);
	assert.equal(root.children.length, 3);
	const a = root.children.find((x) => x.id === ids.a);
	assert.equal(a.children[0].name, '第一党小组');
	// each org in the tree is the record GET /orgs/:id gives, plus its children
	const { children, ...inTree } = a;
	assert.deepEqual(inTree, (await staff.get(`/api/v1/orgs/${ids.a}`)).body);
	assert.equal(children.length, 1);
	// a search: the party group matches, its branch does not, so it stands at the top
	const found = (await staff.get('/api/v1/orgs?q=' + encodeURIComponent('第一党小组'))).body.items;
	assert.deepEqual(found.map((x) => [x.id, x.children.length]), [[a.children[0].id, 0]]);
	const flat = await staff.get('/api/v1/orgs?format=flat&page_size=2');
	assert.equal(flat.body.total, 5);
	assert.equal(flat.body.items.length, 2);
	const q = await staff.get('/api/v1/orgs?format=flat&q=' + encodeURIComponent('社区'));
	assert.deepEqual(q.body.items.map((x) => x.id), [ids.b]);
});

test('bad input answers 400 with every field named, in Chinese, and writes nothing', async () => {
	const before = (await staff.get('/api/v1/orgs?format=flat')).body.total;
	const auditBefore = srv.sql('SELECT COUNT(*) FROM audit_log');
	const cases = [
		[{ parent_id: 1, name: '', kind: 'branch', category: 'village' }, 'name'],
		[{ parent_id: 1, name: 'x', kind: 'nonsense', category: 'village' }, 'kind'],
		[{ parent_id: 1, name: 'x', kind: 'branch' }, 'category'],
		[{ parent_id: 1, name: 'x', kind: 'branch', category: 'village', credit_code: '91350100M000100Y44' }, 'credit_code'],
		[{ parent_id: 1, name: 'x', kind: 'branch', category: 'village', established_on: '2022-02-30' }, 'established_on'],
		[{ parent_id: 1, name: 'x', kind: 'branch', category: 'village', color: 'red' }, 'color'],
		[{ parent_id: 'one', name: 'x', kind: 'branch', category: 'village' }, 'parent_id'],
		[{ parent_id: 1, name: 'x'.repeat(101), kind: 'branch', category: 'village' }, 'name'],
		[{ parent_id: 1, name: '团结村党支部', kind: 'branch', category: 'village' }, 'name'],
		[{ parent_id: 1, name: '小组', kind: 'party_group' }, 'kind'],
		[{ parent_id: 99999, name: 'x', kind: 'branch', category: 'village' }, 'parent_id'],
	];
	for (const [body, field] of cases) {
		const r = await staff.post('/api/v1/orgs', body);
		assert.equal(r.status, 400, JSON.stringify(body));
		assert.equal(r.body.error.code, 'validation_failed');
		assert.ok(r.body.error.fields[field], `${field} named for ${JSON.stringify(body)}: ${r.text}`);
		assert.match(r.body.error.fields[field], /[\u4e00-\u9fff]/, 'message in Chinese');
	}
	// several problems at once are all reported
	const r = await staff.post('/api/v1/orgs', { parent_id: 1, name: '', kind: 'branch', category: 'nope', extra: 1 });
	assert.deepEqual(Object.keys(r.body.error.fields).sort(), ['category', 'extra', 'name']);
	// malformed JSON
	const m = await staff.req('POST', '/api/v1/orgs', '{"parent_id": 1,');
	assert.equal(m.status, 400);
	assert.equal((await staff.get('/api/v1/orgs?format=flat')).body.total, before);
	assert.equal(srv.sql('SELECT COUNT(*) FROM audit_log'), auditBefore);
});

test('a valid credit code is accepted and normalised', async () => {
	const r = await staff.post('/api/v1/orgs', {
		parent_id: 1, name: '某非公企业党支部', kind: 'branch', category: 'private_enterprise',
		credit_code: '91350100m000100y43', established_on: '2020-07-01',
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.body.credit_code, '91350100M000100Y43');
	ids.e = r.body.id;
});

test('a stale version answers 409 with the current row and changes nothing', async () => {
	const cur = (await staff.get(`/api/v1/orgs/${ids.b}`)).body;
	const ok = await staff.put(`/api/v1/orgs/${ids.b}`, { ...pick(cur), short_name: '和平社区', version: cur.version });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.body.version, cur.version + 1);
	const stale = await staff.put(`/api/v1/orgs/${ids.b}`, { ...pick(cur), name: '改名失败', version: cur.version });
	assert.equal(stale.status, 409);
	assert.equal(stale.body.error.code, 'conflict');
	assert.equal(stale.body.error.current.short_name, '和平社区');
	assert.equal((await staff.get(`/api/v1/orgs/${ids.b}`)).body.name, '和平社区党支部');
});

test('a branch secretary sees only their subtree; other ids answer 404', async () => {
	const sec = await userClient(srv, 'sec_a', ids.a, [`secretary@${ids.a}`]);
	const tree = await sec.get('/api/v1/orgs');
	assert.equal(tree.status, 200);
	assert.deepEqual(tree.body.items.map((x) => x.id), [ids.a]);
	assert.deepEqual(tree.body.items[0].children.map((x) => x.id), [ids.a1]);
	const flat = await sec.get('/api/v1/orgs?format=flat');
	assert.deepEqual(flat.body.items.map((x) => x.id).sort(), [ids.a, ids.a1].sort());

	for (const other of [ids.b, 1, ids.c]) {
		const r = await sec.get(`/api/v1/orgs/${other}`);
		assert.equal(r.status, 404, `org ${other}`);
		assert.equal(r.body.error.code, 'not_found');
	}
	// a missing id answers exactly the same
	const missing = await sec.get('/api/v1/orgs/987654');
	assert.equal(missing.status, 404);
	assert.deepEqual(missing.body, (await sec.get(`/api/v1/orgs/${ids.b}`)).body);
	// writes outside the subtree are refused without revealing anything
	const cur = (await staff.get(`/api/v1/orgs/${ids.b}`)).body;
	const w = await sec.put(`/api/v1/orgs/${ids.b}`, { ...pick(cur), version: cur.version });
	assert.equal(w.status, 404);
	const c = await sec.post('/api/v1/orgs', { parent_id: ids.b, name: '越权小组', kind: 'party_group' });
	assert.equal(c.status, 400);
	assert.ok(c.body.error.fields.parent_id);
	// inside it they can add a party group
	const g = await sec.post('/api/v1/orgs', { parent_id: ids.a, name: '第二党小组', kind: 'party_group' });
	assert.equal(g.status, 201, g.text);
	// but not move their own branch elsewhere
	const a = (await sec.get(`/api/v1/orgs/${ids.a}`)).body;
	const mv = await sec.post(`/api/v1/orgs/${ids.a}/move`, { parent_id: ids.a, version: a.version });
	assert.equal(mv.status, 403);
});

test('the system administrator reads the tree but cannot change it', async () => {
	const sys = await userClient(srv, 'sysadm2', 1, ['sysadmin@1']);
	assert.equal((await sys.get('/api/v1/orgs')).status, 200);
	const r = await sys.post('/api/v1/orgs', { parent_id: 1, name: '管理员建的', kind: 'branch', category: 'village' });
	assert.equal(r.status, 403);
	const aud = await userClient(srv, 'audadm2', 1, ['auditadmin@1']);
	assert.equal((await aud.get('/api/v1/orgs')).status, 403, 'the audit administrator sees no Party data');
});

test('move re-parents the whole subtree and refuses cycles', async () => {
	const gb = await staff.post('/api/v1/orgs', { parent_id: 1, name: '联合党总支', kind: 'general_branch', category: 'village' });
	assert.equal(gb.status, 201, gb.text);
	let a = (await staff.get(`/api/v1/orgs/${ids.a}`)).body;
	const cyc = await staff.post(`/api/v1/orgs/${ids.a}/move`, { parent_id: ids.a1, version: a.version });
	assert.equal(cyc.status, 400);
	assert.ok(cyc.body.error.fields.parent_id);
	const mv = await staff.post(`/api/v1/orgs/${ids.a}/move`, { parent_id: gb.body.id, version: a.version });
	assert.equal(mv.status, 200, mv.text);
	assert.equal(mv.body.path, `/1/${gb.body.id}/${ids.a}/`);
	assert.equal(mv.body.depth, 2);
	const child = (await staff.get(`/api/v1/orgs/${ids.a1}`)).body;
	assert.equal(child.path, `/1/${gb.body.id}/${ids.a}/${ids.a1}/`);
	assert.equal(child.depth, 3);
	// the tree order carried the whole subtree along: the general branch, the moved branch, its child
	const flat = (await staff.get('/api/v1/orgs?format=flat&page_size=200')).body.items.map((x) => x.id);
	const at = (id) => flat.indexOf(id);
	assert.ok(at(gb.body.id) >= 0 && at(ids.a) === at(gb.body.id) + 1 && at(ids.a1) === at(ids.a) + 1, flat.join(','));
	// the secretary of the moved branch still sees it
	const sec = new Client(srv.base);
	await sec.login('sec_a', 'User#2026pass');
	assert.equal((await sec.get(`/api/v1/orgs/${ids.a1}`)).status, 200);
	// stale version
	const stale = await staff.post(`/api/v1/orgs/${ids.a}/move`, { parent_id: 1, version: a.version });
	assert.equal(stale.status, 409);
});

test('archive refuses an org with active children; archived orgs leave the default list', async () => {
	const c = (await staff.get(`/api/v1/orgs/${ids.c}`)).body;
	const g = await staff.post('/api/v1/orgs', { parent_id: ids.c, name: '机关小组', kind: 'party_group' });
	let r = await staff.post(`/api/v1/orgs/${ids.c}/archive`, { version: c.version });
	assert.equal(r.status, 409);
	assert.match(r.body.error.message, /下级/);
	r = await staff.post(`/api/v1/orgs/${g.body.id}/archive`, { version: 1 });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.status, 'archived');
	r = await staff.post(`/api/v1/orgs/${ids.c}/archive`, { version: c.version });
	assert.equal(r.status, 200, r.text);
	const list = await staff.get('/api/v1/orgs?format=flat&page_size=200');
	assert.ok(!list.body.items.some((x) => x.id === ids.c));
	const archived = await staff.get('/api/v1/orgs?format=flat&status=archived');
	assert.ok(archived.body.items.some((x) => x.id === ids.c));
	// the row is still there, with its history
	const back = await staff.post(`/api/v1/orgs/${ids.c}/restore`, { version: r.body.version });
	assert.equal(back.status, 200);
	assert.equal(back.body.status, 'active');
});

test('the tree shows every write at once: create, rename, move and archive', async () => {
	const names = async () => {
		const out = [];
		const walk = (o) => { out.push(`${o.id}:${o.name}:${o.parent_id}`); o.children.forEach(walk); };
		(await staff.get('/api/v1/orgs')).body.items.forEach(walk);
		return out;
	};
	const first = await names();
	assert.deepEqual(await names(), first);	// the same answer twice (kept by the server)
	const made = await staff.post('/api/v1/orgs', { parent_id: ids.b, name: '临时党小组', kind: 'party_group' });
	assert.equal(made.status, 201, made.text);
	const id = made.body.id;
	assert.ok((await names()).includes(`${id}:临时党小组:${ids.b}`));
	const renamed = await staff.put(`/api/v1/orgs/${id}`, { name: '第二党小组', kind: 'party_group', version: made.body.version });
	assert.equal(renamed.status, 200, renamed.text);
	assert.ok((await names()).includes(`${id}:第二党小组:${ids.b}`));
	const moved = await staff.post(`/api/v1/orgs/${id}/move`, { parent_id: ids.c, version: renamed.body.version });
	assert.equal(moved.status, 200, moved.text);
	assert.ok((await names()).includes(`${id}:第二党小组:${ids.c}`));
	const gone = await staff.post(`/api/v1/orgs/${id}/archive`, { version: moved.body.version });
	assert.equal(gone.status, 200, gone.text);
	assert.deepEqual(await names(), first);
});

test('every org write left an audit row with before and after', async () => {
	const aud = await userClient(srv, 'audadm', 1, ['auditadmin@1']);
	const r = await aud.get(`/api/v1/audit?entity=org&entity_id=${ids.b}`);
	assert.equal(r.status, 200);
	const actions = r.body.items.map((x) => x.action).sort();
	assert.deepEqual(actions, ['create', 'update']);
	const upd = r.body.items.find((x) => x.action === 'update');
	assert.equal(upd.before.short_name, '');
	assert.equal(upd.after.short_name, '和平社区');
	assert.equal(upd.username, 'staff');
	assert.equal(upd.ip, '127.0.0.1');
	assert.match(upd.request_id, /^[0-9a-f]{16}$/);
});

test('text is stored trimmed and blank optional fields mean none', async () => {
	const r = await staff.post('/api/v1/orgs', {
		parent_id: ids.b, name: '\u3000 第三党小组 ', kind: 'party_group', category: '', credit_code: ' ', established_on: '',
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.body.name, '第三党小组');
	assert.equal(r.body.category, null);
	assert.equal(r.body.credit_code, null);
	const dup = await staff.post('/api/v1/orgs', { parent_id: ids.b, name: '第三党小组  ', kind: 'party_group' });
	assert.equal(dup.status, 400, 'a trailing space does not make a new name');
	assert.ok(dup.body.error.fields.name);
});

function pick(o) {
	const { name, short_name, kind, category, credit_code, established_on, sort } = o;
	return { name, short_name, kind, category, credit_code, established_on, sort };
}

test('flat lists follow the tree: siblings by sort number then creation, children under parents', async () => {
	// ids 2..9 and 10+ sort numerically, not as text ('/1/10/' must not come before '/1/2/')
	const made = [];
	for (let i = 0; i < 8; i++) {
		const r = await staff.post('/api/v1/orgs', { parent_id: 1, name: `排序测试${i}村党支部`, kind: 'branch', category: 'village' });
		assert.equal(r.status, 201, r.text);
		made.push(r.body);
	}
	let list = (await staff.get('/api/v1/orgs?format=flat&page_size=200')).body.items;
	const pos = (id) => list.findIndex((x) => x.id === id);
	for (let i = 1; i < made.length; i++) assert.ok(pos(made[i - 1].id) < pos(made[i].id), 'creation order among equal sort numbers');
	for (const o of list.filter((x) => x.parent_id)) assert.ok(pos(o.parent_id) < pos(o.id), 'parent before child');
	// a sort number moves an org (and its subtree) ahead of its siblings
	const last = made[made.length - 1];
	const r = await staff.put(`/api/v1/orgs/${last.id}`, { ...pick(last), sort: 0, version: last.version });
	assert.equal(r.status, 200);
	for (const m of made.slice(0, -1)) {
		const u = await staff.put(`/api/v1/orgs/${m.id}`, { ...pick(m), sort: 10, version: m.version });
		assert.equal(u.status, 200, u.text);
	}
	list = (await staff.get('/api/v1/orgs?format=flat&page_size=200')).body.items;
	assert.ok(pos(last.id) < pos(made[0].id));
});
