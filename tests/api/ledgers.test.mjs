// ledgers.test.mjs - the cadre ledgers on the demo township: reserve cadres, graduates' assessments and the due to-do, committee terms, rules, scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, ok } from './lib.mjs';

let srv, township, orgs, root;
const byName = (name) => orgs.find((o) => o.name === name);

async function login(username, password = DEMO_PASSWORD) {
	const c = new Client(srv.base);
	const r = await c.login(username, password);
	assert.equal(r.status, 200, `${username}: ${r.text}`);
	return c;
}

before(async () => {
	srv = await startServer({}, { demo: true });
	township = await login('township');
	orgs = (await ok(township.get('/api/v1/orgs?format=flat&page_size=200'))).items;
	root = orgs.find((o) => o.parent_id === null);
});
after(async () => { await srv.stop(); });

test('the demo ledger holds the 31 reserve cadres in the pool, each with source, intended post and training', async () => {
	const all = await ok(township.get(`/api/v1/ledgers/reserves?org=${root.id}&page_size=200`));
	assert.deepEqual(all.counts, { in_pool: 31, used: 1, exited: 0 });
	assert.equal(all.total, 32);
	const pool = all.items.filter((e) => e.status === 'in_pool');
	assert.equal(pool.length, 31);
	for (const e of pool) {
		assert.equal(e.status_label, '在库');
		assert.ok(e.source && e.source_label, `${e.name} has a source`);
		assert.ok(e.intended_post && e.intended_post_label, `${e.name} has an intended post`);
		assert.ok(e.training_count >= 1 && e.training_hours >= 8, `${e.name} was trained`);
		assert.match(e.added_on, /^202[12]-/);
		assert.equal(e.status_on, null);
		assert.equal(e.version, 1);
	}
	const used = all.items.find((e) => e.status === 'used');
	assert.equal(used.status_label, '已使用');
	assert.equal(used.status_on, '2021-04-22');
	assert.equal(used.status_reason, '2021年换届进入嘎查“两委”');
	assert.equal(used.org_name, '图古日格嘎查党支部');

	const inPool = await ok(township.get(`/api/v1/ledgers/reserves?status=in_pool&page_size=5`));
	assert.equal(inPool.total, 31);
	assert.equal(inPool.items.length, 5);
	assert.deepEqual(inPool.counts, { in_pool: 31, used: 1, exited: 0 }, 'counts ignore the status filter');
	const grads = await ok(township.get('/api/v1/ledgers/reserves?source=returned_graduate'));
	assert.equal(grads.total, 2);
	const byNameQ = await ok(township.get(`/api/v1/ledgers/reserves?q=${encodeURIComponent(pool[3].name)}`));
	assert.ok(byNameQ.items.some((e) => e.id === pool[3].id));
	// before the flag of 2018 ended, the used one was in the pool too
	const then = await ok(township.get('/api/v1/ledgers/reserves?as_of=2020-12-31'));
	assert.deepEqual(then.counts, { in_pool: 1, used: 0, exited: 0 });
	const bad = await township.get('/api/v1/ledgers/reserves?status=gone&source=nope&as_of=2022-13-01');
	assert.equal(bad.status, 400);
	assert.deepEqual(Object.keys(bad.body.error.fields).sort(), ['as_of', 'source', 'status']);
	assert.equal(bad.body.error.fields.source, '来源“nope”不在字典中');
});

test('已使用 ends the flag: the structure counts 30 reserve cadres afterwards and still 31 on 2022-12-31', async () => {
	const list = await ok(township.get('/api/v1/ledgers/reserves?status=in_pool&page_size=200'));
	const entry = list.items.find((e) => e.source !== 'returned_graduate');
	const detail = await ok(township.get(`/api/v1/ledgers/reserves/${entry.id}`));
	assert.equal(detail.can_write, true);
	assert.ok(detail.training.length >= 1);
	assert.ok(detail.assessments.length >= 1, 'assessed every year since joining the pool');
	for (const a of detail.assessments) assert.equal(a.kind, 'reserve_cadre');

	// a stale version changes nothing and answers the entry as it is
	const stale = await township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'used', date: '2025-08-01', reason: '当选村委会委员', version: 7 });
	assert.equal(stale.status, 409, stale.text);
	assert.equal(stale.body.error.current.status, 'in_pool');
	assert.equal(stale.body.error.current.version, 1);

	const done = await ok(township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'used', date: '2025-08-01', reason: '当选村委会委员', version: 1 }));
	assert.equal(done.status, 'used');
	assert.equal(done.status_on, '2025-08-01');
	assert.equal(done.status_reason, '当选村委会委员');
	assert.equal(done.version, 2);
	const person = await ok(township.get(`/api/v1/people/${entry.person_id}`));
	assert.equal(person.flags.find((f) => f.id === entry.id).ended_on, '2025-08-01');

	// the training of 2025-06-12 came first: the entry cannot end before it
	const early = await township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'used', date: '2024-03-01', reason: '当选村委会委员', version: 1 });
	assert.equal(early.status, 400);
	assert.match(early.body.error.fields.date, /^日期不能早于已有的培训日期（\d{4}-\d{2}-\d{2}）$/);
	const later = await ok(township.get(`/api/v1/people/structure?org=${root.id}&date=2025-12-31`));
	assert.equal(later.flags.reserve_cadre, 30);
	const seed = await ok(township.get(`/api/v1/people/structure?org=${root.id}&date=2022-12-31`));
	assert.equal(seed.flags.reserve_cadre, 31);
	const now = await ok(township.get('/api/v1/ledgers/reserves'));
	assert.deepEqual(now.counts, { in_pool: 30, used: 2, exited: 0 });
	const onDay = await ok(township.get('/api/v1/ledgers/reserves?as_of=2022-12-31'));
	assert.deepEqual(onDay.counts, { in_pool: 31, used: 1, exited: 0 });

	// a correction: exited instead, then back into the pool
	const ex = await ok(township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'exited', date: '2025-08-02', reason: '外出务工', version: 2 }));
	assert.equal(ex.status_label, '已退出');
	const back = await ok(township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'in_pool', version: 3 }));
	assert.equal(back.status, 'in_pool');
	assert.equal(back.status_on, null);
	const again = await township.post(`/api/v1/ledgers/reserves/${entry.id}/status`, { status: 'in_pool', version: 4 });
	assert.equal(again.status, 409);
	assert.equal(again.body.error.message, '该人员已在后备干部库中');
	const final = await ok(township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'used', date: '2025-08-01', reason: '当选村委会委员', version: 4 }));
	assert.equal(final.version, 5);
});

test('training, status and new entries: every bad field named in Chinese, nothing written', async () => {
	const list = await ok(township.get('/api/v1/ledgers/reserves?status=in_pool&page_size=200'));
	const entry = list.items[0];
	const before = await ok(township.get(`/api/v1/ledgers/reserves/${entry.id}`));

	let r = await township.post(`/api/v1/ledgers/reserves/${entry.id}/training`,
		{ trained_on: '2001-01-01', course: '   ', hours: 0, extra: 1 });
	assert.equal(r.status, 400, r.text);
	const fields = r.body.error.fields;
	assert.equal(fields.trained_on, `培训日期不能早于入库日期（${entry.added_on}）`);
	assert.match(fields.course, /培训内容/);
	assert.match(fields.hours, /学时/);
	assert.ok(fields.extra, 'unknown field refused');
	r = await township.post(`/api/v1/ledgers/reserves/${entry.id}/training`,
		{ trained_on: '2199-01-01', course: '党史学习', hours: 4 });
	assert.equal(r.body.error.fields.trained_on, '培训日期不能晚于今天');
	r = await township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'gone', date: '2024-01-01', version: 1 });
	assert.equal(r.status, 400);
	assert.match(r.body.error.fields.status, /状态应为/);
	r = await township.post(`/api/v1/ledgers/reserves/${entry.id}/status`,
		{ status: 'exited', date: '2001-01-01', version: before.version });
	assert.equal(r.body.error.fields.date, `日期不能早于入库日期（${entry.added_on}）`);
	assert.equal(r.body.error.fields.reason, '原因不能为空');
	r = await township.put(`/api/v1/ledgers/reserves/${entry.id}`,
		{ version: before.version, added_on: entry.added_on, source: 'nope', intended_post: 'king' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.source, '来源“nope”不在字典中');
	assert.equal(r.body.error.fields.intended_post, '拟任职务“king”不在字典中');

	const after = await ok(township.get(`/api/v1/ledgers/reserves/${entry.id}`));
	assert.deepEqual(after, before, 'nothing changed');

	// a good course and a good update
	const t = await ok(township.post(`/api/v1/ledgers/reserves/${entry.id}/training`,
		{ trained_on: '2025-09-20', course: '乡村振兴专题培训', hours: 6, note: '线上' }), 201);
	assert.equal(t.training.length, before.training.length + 1);
	assert.equal(t.training_hours, before.training_hours + 6);
	const up = await ok(township.put(`/api/v1/ledgers/reserves/${entry.id}`,
		{ version: before.version, added_on: entry.added_on, source: 'veteran', intended_post: 'party_secretary', remarks: '表现突出' }));
	assert.equal(up.source_label, '退役军人');
	assert.equal(up.intended_post_label, '党支部书记');
	assert.equal(up.version, before.version + 1);
	const stale = await township.put(`/api/v1/ledgers/reserves/${entry.id}`,
		{ version: before.version, added_on: entry.added_on, source: 'other' });
	assert.equal(stale.status, 409);
	assert.equal(stale.body.error.current.source, 'veteran');

	// adding people to the pool
	const v1 = byName('巴音敖包嘎查党支部');
	const people = await ok(township.get(`/api/v1/people?org=${v1.id}&page_size=200`));
	const inPool = new Set(list.items.map((e) => e.person_id));
	const already = people.items.find((p) => inPool.has(p.id));
	r = await township.post('/api/v1/ledgers/reserves', { person_id: already.id, added_on: '2025-01-01', source: 'nope' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.person_id, '该人员已在后备干部库中');
	assert.equal(r.body.error.fields.source, '来源“nope”不在字典中');
	// someone never in the ledger (earlier tests move entries out of the pool)
	const everIn = new Set((await ok(township.get('/api/v1/ledgers/reserves?page_size=200'))).items.map((e) => e.person_id));
	const fresh = people.items.find((p) => !inPool.has(p.id) && !everIn.has(p.id) && p.birth_date > '1985');
	r = await township.post('/api/v1/ledgers/reserves', { person_id: fresh.id, added_on: '2199-01-01', source: 'village_grown' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.added_on, '入库日期不能晚于今天');
	r = await township.post('/api/v1/ledgers/reserves', { person_id: fresh.id, added_on: '1900-01-01', source: 'village_grown' });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.added_on, '开始日期不能早于出生日期');
	const counts = (await ok(township.get('/api/v1/ledgers/reserves'))).counts;
	const made = await ok(township.post('/api/v1/ledgers/reserves',
		{ person_id: fresh.id, added_on: '2025-03-01', source: 'village_grown', intended_post: 'committee_member' }), 201);
	assert.equal(made.status, 'in_pool');
	assert.equal(made.added_on, '2025-03-01');
	assert.equal(made.version, 1);
	assert.deepEqual(made.training, []);
	const counts2 = (await ok(township.get('/api/v1/ledgers/reserves'))).counts;
	assert.equal(counts2.in_pool, counts.in_pool + 1);
	const flagged = await ok(township.get(`/api/v1/people/${fresh.id}`));
	assert.ok(flagged.flags.some((f) => f.id === made.id && f.flag === 'reserve_cadre' && f.ended_on === null));
});

test('graduates: their posts, last assessment and next due; the due to-do clears when an assessment is added', async () => {
	const sel = await ok(township.get('/api/v1/ledgers/graduates?kind=selected_graduate&as_of=2022-12-31'));
	assert.equal(sel.total, 2);
	assert.deepEqual(sel.items.map((g) => g.post).sort(), ['村居书记助理', '村居副主任']);
	const deputy = sel.items.find((g) => g.post === '村居副主任');
	assert.equal(deputy.every_months, 12);
	assert.equal(deputy.last_assessment.assessed_on, '2022-08-22');
	assert.equal(deputy.next_due, '2023-09-01');
	assert.equal(deputy.overdue, false);
	const ret = await ok(township.get('/api/v1/ledgers/graduates?kind=returned_graduate&as_of=2022-12-31'));
	assert.equal(ret.total, 4);
	const both = await ok(township.get('/api/v1/ledgers/graduates?as_of=2022-12-31'));
	assert.equal(both.total, 6);
	assert.equal((await township.get('/api/v1/ledgers/graduates?kind=reserve_cadre')).status, 400);

	const due = await ok(township.get(`/api/v1/ledgers/assessments/due?org=${root.id}&date=2022-12-31`));
	assert.equal(due.total, 1);
	const todo = due.items[0];
	assert.equal(todo.kind, 'returned_graduate');
	assert.equal(todo.kind_label, '回村任职大学生');
	assert.equal(todo.org_name, '阿拉腾社区党支部');
	assert.equal(todo.due_since, '2022-08-01');
	assert.equal(todo.days_overdue, 152);
	assert.equal(todo.every_months, 6);

	const before = await ok(township.get(`/api/v1/people/${todo.person_id}/assessments`));
	let r = await township.post(`/api/v1/people/${todo.person_id}/assessments`,
		{ kind: 'selected_graduate', assessed_on: '2022-12-20', assessor: '  ', rating: '好', remarks: 'x'.repeat(501) });
	assert.equal(r.status, 400, r.text);
	const f = r.body.error.fields;
	assert.equal(f.assessed_on, '该人员在2022-12-20不是选调生，不能登记此类考核');
	assert.match(f.assessor, /考核人/);
	assert.equal(f.rating, '考核等次“好”不在字典中');
	assert.match(f.remarks, /考核意见/);
	r = await township.post(`/api/v1/people/${todo.person_id}/assessments`,
		{ kind: 'returned_graduate', assessed_on: '2199-12-20', assessor: '镇党委', rating: 'competent' });
	assert.equal(r.body.error.fields.assessed_on, '考核日期不能晚于今天');
	assert.deepEqual(await ok(township.get(`/api/v1/people/${todo.person_id}/assessments`)), before, 'nothing written');

	const made = await ok(township.post(`/api/v1/people/${todo.person_id}/assessments`,
		{ kind: 'returned_graduate', assessed_on: '2022-12-20', period: '2022年下半年', assessor: '镇党委组织办', rating: 'competent' }), 201);
	assert.equal(made.rating_label, '称职');
	assert.equal(made.version, 1);
	const cleared = await ok(township.get(`/api/v1/ledgers/assessments/due?org=${root.id}&date=2022-12-31`));
	assert.equal(cleared.total, 0);
	const twin = await township.post(`/api/v1/people/${todo.person_id}/assessments`,
		{ kind: 'returned_graduate', assessed_on: '2022-12-20', assessor: '镇党委', rating: 'excellent' });
	assert.equal(twin.body.error.fields.assessed_on, '该人员在这一天已有同类考核记录');

	const stale = await township.put(`/api/v1/assessments/${made.id}`,
		{ version: 9, kind: 'returned_graduate', assessed_on: '2022-12-20', assessor: '镇党委', rating: 'excellent' });
	assert.equal(stale.status, 409);
	assert.equal(stale.body.error.current.rating, 'competent');
	const up = await ok(township.put(`/api/v1/assessments/${made.id}`,
		{ version: 1, kind: 'returned_graduate', assessed_on: '2022-12-20', assessor: '镇党委', rating: 'excellent', remarks: '群众满意度高' }));
	assert.equal(up.rating_label, '优秀');
	assert.equal(up.version, 2);
	const list = await ok(township.get(`/api/v1/people/${todo.person_id}/assessments?kind=returned_graduate`));
	assert.ok(list.items.some((a) => a.id === made.id));
	for (let i = 1; i < list.items.length; i++) assert.ok(list.items[i - 1].assessed_on >= list.items[i].assessed_on, 'newest first');
	assert.equal(list.items.length, before.items.length + 1);
	const grad = (await ok(township.get(`/api/v1/ledgers/graduates?kind=returned_graduate&as_of=2022-12-31&q=${encodeURIComponent(todo.name)}`))).items[0];
	assert.equal(grad.last_assessment.rating, 'excellent');
	assert.equal(grad.next_due, '2023-08-01');
	// the to-do on a later date: someone due shows with how late they are
	const later = await ok(township.get('/api/v1/ledgers/assessments/due?date=2026-11-29'));
	assert.ok(later.total > 0);
	for (let i = 1; i < later.items.length; i++) assert.ok(later.items[i - 1].days_overdue >= later.items[i].days_overdue);
});

test('terms: ok, due soon, overdue and none at explicit dates; years from the category', async () => {
	const statusOf = (list) => Object.fromEntries(list.items.map((t) => [t.org_name, t.status]));
	const y2022 = await ok(township.get(`/api/v1/ledgers/terms?org=${root.id}&date=2022-12-31`));
	assert.equal(y2022.total, 20);
	assert.deepEqual(y2022.counts, { ok: 20, due_soon: 0, overdue: 0, none: 0 });
	const v1 = y2022.items.find((t) => t.org_name === '巴音敖包嘎查党支部');
	assert.deepEqual([v1.term.started_on, v1.term.years, v1.term.ends_on, v1.term.warn_from], ['2021-04-16', 5, '2026-04-16', '2025-10-16']);
	assert.equal(v1.history.length, 2, 'the 2021 and 2026 elections');

	const feb = await ok(township.get('/api/v1/ledgers/terms?date=2026-02-01'));
	assert.deepEqual(feb.counts, { ok: 2, due_soon: 17, overdue: 1, none: 0 });
	const nov = await ok(township.get('/api/v1/ledgers/terms?date=2026-11-29'));
	assert.deepEqual(nov.counts, { ok: 17, due_soon: 2, overdue: 1, none: 0 });
	const s = statusOf(nov);
	assert.equal(s['阿拉善腾沙农牧业科技有限公司党支部'], 'overdue');
	assert.equal(s['镇机关党支部'], 'due_soon');
	assert.equal(s['镇中心学校党支部'], 'due_soon');
	const ent = nov.items.find((t) => t.status === 'overdue');
	assert.equal(ent.severity, 'finding');
	assert.equal(ent.term.ends_on, '2024-09-01');
	assert.ok(ent.days_left < 0);
	assert.equal(nov.items.find((t) => t.status === 'due_soon').severity, 'warning');
	const only = await ok(township.get('/api/v1/ledgers/terms?date=2026-11-29&status=due_soon'));
	assert.deepEqual(only.items.map((t) => t.org_name).sort(), ['镇中心学校党支部', '镇机关党支部'].sort());
	const early = await ok(township.get('/api/v1/ledgers/terms?date=2020-06-01'));
	assert.deepEqual(early.counts, { ok: 0, due_soon: 0, overdue: 0, none: 20 });

	// a new branch has no term: a finding
	const nb = await ok(township.post('/api/v1/orgs', { parent_id: root.id, name: '镇卫生院党支部', kind: 'branch', category: 'institution' }), 201);
	const withNew = await ok(township.get('/api/v1/ledgers/terms?date=2026-11-29&status=none'));
	assert.equal(withNew.total, 1);
	assert.equal(withNew.items[0].org_id, nb.id);
	assert.equal(withNew.items[0].severity, 'finding');
	assert.equal(withNew.items[0].default_years, 3);

	const group = orgs.find((o) => o.kind === 'party_group');
	let r = await township.post('/api/v1/ledgers/terms', { org_id: group.id, started_on: '2199-01-01', years: 11 });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.org_id, '只有党支部和党总支需要记录换届');
	assert.equal(r.body.error.fields.started_on, '换届日期不能晚于今天');
	assert.match(r.body.error.fields.years, /任期/);
	const term = await ok(township.post('/api/v1/ledgers/terms', { org_id: nb.id, started_on: '2024-12-01', note: '首届' }), 201);
	assert.equal(term.years, 3);
	assert.equal(term.ends_on, '2027-12-01');
	r = await township.post('/api/v1/ledgers/terms', { org_id: nb.id, started_on: '2024-12-01', years: 3 });
	assert.equal(r.body.error.fields.started_on, '该组织在这一天已有换届记录');
	const listed = (await ok(township.get(`/api/v1/ledgers/terms?org=${nb.id}&date=2027-07-01`))).items;
	assert.deepEqual(listed.map((t) => t.status), ['due_soon']);
	const stale = await township.put(`/api/v1/ledgers/terms/${term.id}`, { version: 5, started_on: '2024-12-02', years: 5 });
	assert.equal(stale.status, 409);
	assert.equal(stale.body.error.current.started_on, '2024-12-01');
	const up = await ok(township.put(`/api/v1/ledgers/terms/${term.id}`, { version: 1, started_on: '2024-12-02', years: 5, note: null }));
	assert.equal(up.ends_on, '2029-12-02');
	assert.equal(up.version, 2);
	assert.equal((await township.put('/api/v1/ledgers/terms/999999', { version: 1, started_on: '2024-12-02', years: 5 })).status, 404);
});

test('rules are data: township staff change how often assessments are due', async () => {
	const rules = (await ok(township.get('/api/v1/ledgers/rules'))).items;
	assert.equal(rules.length, 7);
	const rg = rules.find((x) => x.rule === 'assessment_months' && x.subject === 'returned_graduate');
	assert.equal(rg.value, 6);
	let r = await township.put(`/api/v1/ledgers/rules/${rg.id}`, { value: 0, version: rg.version });
	assert.equal(r.status, 400);
	assert.equal(r.body.error.fields.value, '考核周期应在1到60个月之间');
	r = await township.put(`/api/v1/ledgers/rules/${rg.id}`, { value: 3, version: rg.version + 1 });
	assert.equal(r.status, 409);
	const up = await ok(township.put(`/api/v1/ledgers/rules/${rg.id}`, { value: 24, version: rg.version }));
	assert.equal(up.value, 24);
	const g = await ok(township.get('/api/v1/ledgers/graduates?kind=returned_graduate&as_of=2022-12-31'));
	for (const item of g.items) assert.equal(item.every_months, 24);
	await ok(township.put(`/api/v1/ledgers/rules/${rg.id}`, { value: 6, version: up.version }));
	const reviewer = await login('reviewer');
	assert.equal((await reviewer.put(`/api/v1/ledgers/rules/${rg.id}`, { value: 6, version: up.version + 1 })).status, 403);
});

test('scope: a secretary sees only their branch; another branch\'s entries answer 404; writes need ledger.write', async () => {
	const sec = await login('secretary1');
	const v1 = byName('巴音敖包嘎查党支部'), v2 = byName('乌兰哈达嘎查党支部');
	const mine = await ok(sec.get('/api/v1/ledgers/reserves?page_size=200'));
	const all = await ok(township.get(`/api/v1/ledgers/reserves?org=${v1.id}&page_size=200`));
	assert.ok(mine.total >= 2, 'the demo gives 巴音敖包 two reserve cadres');
	assert.deepEqual(mine.items.map((e) => e.id), all.items.map((e) => e.id));
	const inV1 = new Set(orgs.filter((o) => o.path.startsWith(v1.path)).map((o) => o.id));
	for (const e of mine.items) assert.ok(inV1.has(e.org_id), `${e.name} in org ${e.org_id}`);
	const theirs = await ok(township.get(`/api/v1/ledgers/reserves?org=${v2.id}`));
	assert.ok(theirs.total > 0);
	const other = theirs.items[0];
	assert.equal((await sec.get(`/api/v1/ledgers/reserves/${other.id}`)).status, 404);
	assert.equal((await sec.get(`/api/v1/ledgers/reserves?org=${v2.id}`)).status, 404);
	assert.equal((await sec.get(`/api/v1/people/${other.person_id}/assessments`)).status, 404);
	const own = await ok(sec.get(`/api/v1/ledgers/reserves/${mine.items[0].id}`));
	assert.equal(own.can_write, false);
	assert.equal((await sec.post(`/api/v1/ledgers/reserves/${mine.items[0].id}/training`,
		{ trained_on: '2025-01-01', course: '培训', hours: 2 })).status, 403);
	const terms = await ok(sec.get('/api/v1/ledgers/terms?date=2026-11-29'));
	assert.deepEqual(terms.items.map((t) => t.org_id), [v1.id]);
	const due = await ok(sec.get('/api/v1/ledgers/assessments/due?date=2026-11-29'));
	for (const d of due.items) assert.ok(inV1.has(d.org_id));
	const grads = await ok(sec.get('/api/v1/ledgers/graduates?as_of=2022-12-31'));
	assert.equal(grads.total, 1, 'the returned graduate of 巴音敖包');
	assert.ok(inV1.has(grads.items[0].org_id));
	// a secretary's own grants: no term writes anywhere either
	assert.equal((await sec.post('/api/v1/ledgers/terms', { org_id: v1.id, started_on: '2026-04-16' })).status, 403);

	const reviewer = await login('reviewer');
	assert.equal((await reviewer.get('/api/v1/ledgers/reserves')).body.total >= 31, true);
	const member = await login('member');
	assert.equal((await member.get('/api/v1/ledgers/reserves')).status, 403);
});
