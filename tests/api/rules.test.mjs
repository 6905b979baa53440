// rules.test.mjs - POST /api/v1/rules: a new requirement judged by /compliance, its field-by-field refusals, and the duplicate refused in favour of editing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, sec1, root;

async function login(username) {
	const c = new Client(srv.base);
	const r = await c.login(username, DEMO_PASSWORD);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	sec1 = await login('secretary1');
	const orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
});
after(async () => { await srv.stop(); });

const rule = {
	what: 'study', org_kinds: 'branch, general_branch', frequency: 'quarterly', per_period: 1,
	grace_days: 10, severity: 'medium', valid_from: '2023-01-01', note: '本地规定：每季度集中学习1次',
};

test('township staff create a rule; it is listed, audited and judged in the compliance table', async () => {
	const b = await ok(township.post('/api/v1/orgs', { parent_id: root.id, name: '规则测试村党支部', kind: 'branch', category: 'village' }), 201);
	await ok(township.post('/api/v1/meetings', { org_id: b.id, held_on: '2023-02-10', types: ['study'], topic: '集中学习' }), 201);
	// a study in the grace days after Q2 makes Q2 late (and counts for Q3, the quarter it was held in)
	await ok(township.post('/api/v1/meetings', { org_id: b.id, held_on: '2023-07-05', types: ['study'], topic: '补学' }), 201);

	const r = await ok(township.post('/api/v1/rules', rule), 201);
	assert.equal(r.subject, 'meeting');
	assert.equal(r.what, 'study');
	assert.equal(r.what_label, '集中学习');
	assert.equal(r.org_kinds, 'branch,general_branch', 'the list is normalised');
	assert.equal(r.frequency_label, '每季度');
	assert.equal(r.valid_from, '2023-01-01');
	assert.equal(r.valid_to, null);
	assert.equal(r.version, 1);
	const list = (await ok(township.get('/api/v1/rules'))).items;
	assert.ok(list.some((x) => x.id === r.id));

	const t = await ok(township.get(`/api/v1/compliance?org=${b.id}&from=2023-01-01&to=2023-12-31`));
	const study = t.items.filter((i) => i.what === 'study');
	assert.deepEqual(study.map((i) => [i.period, i.finding]), [
		['2023年第1季度', 'none'], ['2023年第2季度', 'late'],
		['2023年第3季度', 'none'], ['2023年第4季度', 'missing'],
	]);
	assert.ok(study.every((i) => i.requirement_id === r.id && i.severity === 'medium'));
	// before valid_from the rule does not apply
	const t22 = await ok(township.get(`/api/v1/compliance?org=${b.id}&from=2022-01-01&to=2022-12-31`));
	assert.equal(t22.items.filter((i) => i.what === 'study').length, 0);

	assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_log WHERE entity = 'requirement' AND entity_id = ${r.id} AND action = 'create' AND username = 'township'`), '1');
});

test('the same rule again is refused: edit the rule in force instead', async () => {
	const again = await township.post('/api/v1/rules', { ...rule, org_kinds: 'general_branch,branch', valid_from: '2024-01-01' });
	assert.equal(again.status, 409, again.text);
	assert.equal(again.body.error.code, 'conflict');
	assert.match(again.body.error.message, /修改该规则/);
	assert.equal(again.body.error.current.what, 'study');
	// the seeded committee rule is a duplicate too
	const seeded = await township.post('/api/v1/rules', { what: 'branch_committee', org_kinds: 'branch,general_branch', frequency: 'monthly', per_period: 2, severity: 'high' });
	assert.equal(seeded.status, 409);
	// other org kinds are another rule
	const groups = await township.post('/api/v1/rules', { ...rule, org_kinds: 'party_group' });
	assert.equal(groups.status, 201, groups.text);
});

test('bad fields are each named in Chinese and nothing is created; only rules.write may create', async () => {
	const before = (await ok(township.get('/api/v1/rules?all=1'))).items.length;
	const r = await township.post('/api/v1/rules', {
		what: 'tea_party', org_kinds: 'branch,castle', org_categories: 'moon', frequency: 'weekly',
		per_period: 0, grace_days: 91, severity: 'urgent', valid_from: '2023-02-30', colour: 'red',
	});
	assert.equal(r.status, 400, r.text);
	const f = r.body.error.fields;
	assert.match(f.what, /会议类型/);
	assert.match(f.org_kinds, /组织类型.*castle/);
	assert.match(f.org_categories, /组织类别.*moon/);
	assert.match(f.frequency, /频次/);
	assert.match(f.per_period, /每期次数/);
	assert.match(f.grace_days, /宽限天数/);
	assert.match(f.severity, /严重程度/);
	assert.match(f.valid_from, /生效日期/);
	assert.ok(f.colour);
	const missing = await township.post('/api/v1/rules', {});
	assert.equal(missing.status, 400);
	for (const k of ['what', 'frequency', 'per_period', 'severity']) assert.ok(missing.body.error.fields[k], k);
	assert.equal((await sec1.post('/api/v1/rules', rule)).status, 403);
	assert.equal((await ok(township.get('/api/v1/rules?all=1'))).items.length, before);
});
